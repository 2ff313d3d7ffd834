/*
 * repl_http.c — the REPL's remote backend: a client of `eddy serve` over
 * its SQL endpoints, with libcurl.
 *
 *   POST /v1/sql     body = statements; JSON {"results":[{"message":...} |
 *                    {"columns":[{"name","type"}],"rows":[[...]]}]}, or
 *                    {"error":{"code","message","line","column","caret"}}
 *   POST /v1/query   a push query; newline-delimited JSON: a header object
 *                    {"columns":[...]}, then one array per row. Query
 *                    parameter from=beginning|latest says where inputs start.
 *
 * Rows of a push query are parsed line by line as they stream in, so they
 * show up as soon as the server sends them; Ctrl-C aborts the transfer from
 * curl's progress callback, which closes the connection and so stops the
 * query on the server.
 */
#include "repl_int.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

typedef struct remote {
    char *base;          /* base URL without trailing '/', owned */
    CURL *curl;
    /* completion names, refreshed after DDL */
    char **names;
    int *kinds;
    size_t n_names, cap_names;
    int names_stale;
} remote;

typedef struct xfer {
    repl_ctx *r;
    sbuf body;           /* whole body (/v1/sql) or the unfinished line (/v1/query) */
    int streaming;
    int began;
    int failed;          /* an error object was printed */
} xfer;

static char *value_text(const cJSON *v) {
    if (!v || cJSON_IsNull(v)) return NULL;
    if (cJSON_IsString(v)) return strdup(v->valuestring);
    if (cJSON_IsBool(v)) return strdup(cJSON_IsTrue(v) ? "TRUE" : "FALSE");
    return cJSON_PrintUnformatted(v);
}

static void show_error(const cJSON *e) {
    const cJSON *caret = cJSON_GetObjectItemCaseSensitive(e, "caret");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
    if (cJSON_IsString(caret) && strstr(caret->valuestring, "ERROR")) {
        repl_print_error(caret->valuestring);
        return;
    }
    fprintf(stderr, "ERROR: %s\n", cJSON_IsString(msg) ? msg->valuestring : "request failed");
    if (cJSON_IsString(caret) && caret->valuestring[0]) repl_print_error(caret->valuestring);
    fflush(stderr);
}

static void begin_cols(xfer *x, const cJSON *cols, int push) {
    int n = cJSON_GetArraySize(cols);
    const char **names = calloc(n > 0 ? (size_t)n : 1, sizeof *names);
    const char **types = calloc(n > 0 ? (size_t)n : 1, sizeof *types);
    if (names && types) {
        for (int i = 0; i < n; i++) {
            const cJSON *c = cJSON_GetArrayItem(cols, i);
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name");
            const cJSON *ty = cJSON_GetObjectItemCaseSensitive(c, "type");
            names[i] = cJSON_IsString(nm) ? nm->valuestring : "?";
            types[i] = push && cJSON_IsString(ty) ? ty->valuestring : NULL;
        }
        repl_out_begin(&x->r->out, names, types, (uint32_t)n, push);
        x->began = 1;
    }
    free(names);
    free(types);
}

static void row_of(xfer *x, const cJSON *arr) {
    int n = cJSON_GetArraySize(arr);
    char **vals = calloc(n > 0 ? (size_t)n : 1, sizeof *vals);
    if (!vals) return;
    for (int i = 0; i < n; i++) vals[i] = value_text(cJSON_GetArrayItem(arr, i));
    repl_out_row(&x->r->out, (const char *const *)vals, (uint32_t)n);
    for (int i = 0; i < n; i++) free(vals[i]);
    free(vals);
}

/* One line of a push query's NDJSON. */
static void query_line(xfer *x, const char *line) {
    if (!*line) return;
    cJSON *j = cJSON_Parse(line);
    if (!j) {
        fprintf(stderr, "ERROR: the server sent a line that is not JSON: %.200s\n", line);
        x->failed = 1;
        return;
    }
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(j, "columns");
    const cJSON *notice = cJSON_GetObjectItemCaseSensitive(j, "notice");
    if (cJSON_IsArray(j)) {
        if (x->began) row_of(x, j);
    } else if (e) {
        show_error(e);
        x->failed = 1;
    } else if (cJSON_IsArray(cols)) {
        begin_cols(x, cols, 1);
    } else if (cJSON_IsString(notice)) {
        fprintf(stderr, "NOTICE: %s\n", notice->valuestring);
    }
    cJSON_Delete(j);
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *ctx) {
    xfer *x = ctx;
    size_t n = size * nmemb;
    sbuf_append(&x->body, p, n);
    if (!x->streaming) return n;
    char *start = x->body.data, *nl;
    while ((nl = memchr(start, '\n', x->body.len - (size_t)(start - x->body.data)))) {
        *nl = '\0';
        query_line(x, start);
        start = nl + 1;
    }
    size_t rest = x->body.len - (size_t)(start - x->body.data);
    memmove(x->body.data, start, rest);
    x->body.len = rest;
    x->body.data[rest] = '\0';
    return n;
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
    xfer *x = ctx;
    return *x->r->stop != 0;   /* non-zero aborts: Ctrl-C */
}

/* POSTs sql to path; returns the HTTP status, or -1 when the transfer
 * failed (printed), or 0 when it was stopped by Ctrl-C. */
static long post(remote *rm, xfer *x, const char *path, const char *sql, size_t len) {
    char url[1024];
    snprintf(url, sizeof url, "%s%s", rm->base, path);
    CURL *c = rm->curl;
    curl_easy_reset(c);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, sql);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(h);
    if (rc == CURLE_ABORTED_BY_CALLBACK) return 0;
    if (rc != CURLE_OK) {
        fprintf(stderr, "ERROR: cannot reach %s: %s\n", url, curl_easy_strerror(rc));
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

/* Prints a /v1/sql answer (or an error body of either endpoint). */
static int show_body(xfer *x, long status) {
    cJSON *j = cJSON_Parse(x->body.data);
    if (!j) {
        fprintf(stderr, "ERROR: the server answered %ld: %.300s\n", status, x->body.data);
        return 1;
    }
    int rc = 0;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "results");
    if (e) {
        show_error(e);
        rc = 1;
    } else if (cJSON_IsArray(res)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, res) {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "message");
            const cJSON *cols = cJSON_GetObjectItemCaseSensitive(it, "columns");
            if (cJSON_IsString(m)) {
                fprintf(x->r->out.f, "%s\n", m->valuestring);
            } else if (cJSON_IsArray(cols)) {
                begin_cols(x, cols, 0);
                const cJSON *row;
                cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(it, "rows")) row_of(x, row);
                repl_out_end(&x->r->out);
                x->began = 0;
            }
        }
    } else {
        fprintf(stderr, "ERROR: unexpected answer from the server (%ld)\n", status);
        rc = 1;
    }
    cJSON_Delete(j);
    return rc;
}

static int http_exec(repl_ctx *r, const char *sql, size_t len) {
    remote *rm = r->be.impl;
    xfer x;
    memset(&x, 0, sizeof x);
    x.r = r;
    sbuf_init(&x.body);
    int rc;
    if (repl_is_query(sql, len)) {
        x.streaming = 1;
        fprintf(stderr, "NOTICE: %s\n", r->from_beginning
                                            ? "reading inputs from the beginning (TRIM_HORIZON)"
                                            : "reading inputs from now on (LATEST); rows appear as records arrive");
        long st = post(rm, &x, r->from_beginning ? "/v1/query?from=beginning" : "/v1/query?from=latest", sql, len);
        if (st > 0 && st != 200) {
            /* The error body is one JSON object, kept in the line buffer. */
            x.streaming = 0;
            rc = show_body(&x, st);
            if (rc == 0) rc = 1;
        } else {
            if (x.body.len) query_line(&x, x.body.data);   /* a last line without '\n' */
            rc = st < 0 || x.failed;
        }
        if (x.began) repl_out_end(&r->out);
    } else {
        long st = post(rm, &x, "/v1/sql", sql, len);
        rc = st <= 0 ? 1 : show_body(&x, st);
        if (rc == 0 && repl_is_ddl(sql, len)) rm->names_stale = 1;
    }
    sbuf_free(&x.body);
    return rc;
}

/* ---------------------------------------------------------------- names */

static void add_name(remote *rm, const char *s, int kind) {
    if (rm->n_names == rm->cap_names) {
        size_t nc = rm->cap_names ? rm->cap_names * 2 : 64;
        char **nn = realloc(rm->names, nc * sizeof *nn);
        int *nk = realloc(rm->kinds, nc * sizeof *nk);
        if (nn) rm->names = nn;
        if (nk) rm->kinds = nk;
        if (!nn || !nk) return;
        rm->cap_names = nc;
    }
    char *d = strdup(s);
    if (!d) return;
    rm->names[rm->n_names] = d;
    rm->kinds[rm->n_names++] = kind;
}

/* Runs a catalog statement quietly and adds column `col` of its rows. */
static void fetch_names(remote *rm, repl_ctx *r, const char *sql, int col, int kind) {
    xfer x;
    memset(&x, 0, sizeof x);
    x.r = r;
    sbuf_init(&x.body);
    long st = post(rm, &x, "/v1/sql", sql, strlen(sql));
    cJSON *j = st == 200 ? cJSON_Parse(x.body.data) : NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "results")) {
        const cJSON *row;
        cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(it, "rows")) {
            const cJSON *v = cJSON_GetArrayItem(row, col);
            if (cJSON_IsString(v)) add_name(rm, v->valuestring, kind);
        }
    }
    cJSON_Delete(j);
    sbuf_free(&x.body);
}

static void refresh_names(remote *rm, repl_ctx *r) {
    for (size_t i = 0; i < rm->n_names; i++) free(rm->names[i]);
    rm->n_names = 0;
    fetch_names(rm, r, "SHOW FUNCTIONS;", 0, REPL_NAME_FUNCTION);
    size_t first = rm->n_names;
    fetch_names(rm, r, "SHOW STREAMS;", 0, REPL_NAME_STREAM);
    size_t last = rm->n_names;
    for (size_t i = first; i < last; i++) {
        char q[512];
        snprintf(q, sizeof q, "DESCRIBE \"%s\";", rm->names[i]);
        fetch_names(rm, r, q, 0, REPL_NAME_COLUMN);
    }
    rm->names_stale = 0;
}

static void http_names(repl_ctx *r, void (*add)(void *, const char *, int), void *ctx) {
    remote *rm = r->be.impl;
    if (rm->names_stale) refresh_names(rm, r);
    for (size_t i = 0; i < rm->n_names; i++) add(ctx, rm->names[i], rm->kinds[i]);
}

static void http_close(repl_ctx *r) {
    remote *rm = r->be.impl;
    if (!rm) return;
    for (size_t i = 0; i < rm->n_names; i++) free(rm->names[i]);
    free(rm->names);
    free(rm->kinds);
    if (rm->curl) curl_easy_cleanup(rm->curl);
    curl_global_cleanup();
    free(rm->base);
    free(rm);
    r->be.impl = NULL;
}

int repl_http_open(repl_ctx *r, const char *base_url) {
    if (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0) {
        fprintf(stderr, "eddy repl: --connect needs a URL such as http://127.0.0.1:4567\n");
        return 1;
    }
    remote *rm = calloc(1, sizeof *rm);
    if (!rm || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        free(rm);
        fprintf(stderr, "eddy repl: cannot start the HTTP client\n");
        return 1;
    }
    rm->base = strdup(base_url);
    rm->curl = curl_easy_init();
    if (!rm->base || !rm->curl) {
        r->be.impl = rm;
        http_close(r);
        fprintf(stderr, "eddy repl: cannot start the HTTP client\n");
        return 1;
    }
    size_t n = strlen(rm->base);
    while (n > 0 && rm->base[n - 1] == '/') rm->base[--n] = '\0';
    rm->names_stale = 1;
    r->be.impl = rm;
    r->be.exec = http_exec;
    r->be.names = http_names;
    r->be.close = http_close;
    /* Fail early and clearly when nothing answers at that address. */
    xfer x;
    memset(&x, 0, sizeof x);
    x.r = r;
    sbuf_init(&x.body);
    long st = post(rm, &x, "/v1/sql", "SHOW STREAMS;", 13);
    sbuf_free(&x.body);
    if (st < 0) {
        http_close(r);
        return 1;
    }
    return 0;
}
