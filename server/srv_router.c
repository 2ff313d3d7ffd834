/*
 * srv_router.c — routes requests of `eddy serve` (see srv_router.h), and
 * answers the small unary routes itself: the stream and application lists,
 * /metrics and the dashboard page. Also owns the server-wide SQL session and
 * its persistence in DATA_DIR/catalog.sql.
 */
#include "srv_router.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eddy_log.h"
#include "file_replace.h"
#include "eddy_time.h"
#include "srv_sql.h"

#define KEEPALIVE_MS 15000

/* ------------------------------------------------------------ helpers */

void srv_reply_json(srv_router *rt, srv_response *r, srv_route route, uint64_t t0_ns, int status, const char *body,
                    size_t len) {
    srv_header h[] = {{"Content-Type", "application/json"}};
    srv_reply(r, status, h, 1, body, len);
    srv_metrics_observe(rt->metrics, route, (double)(eddy_mono_ns() - t0_ns) / 1e9);
}

void srv_reply_error(srv_router *rt, srv_response *r, srv_route route, uint64_t t0_ns, int status, const char *code,
                     const char *msg) {
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "{\"error\":{\"code\":");
    sbuf_json_str(&b, code, strlen(code));
    sbuf_puts(&b, ",\"message\":");
    sbuf_json_str(&b, msg, strlen(msg));
    sbuf_puts(&b, "}}");
    srv_reply_json(rt, r, route, t0_ns, status, b.data, b.len);
    sbuf_free(&b);
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes n bytes of s into out (cap bytes, NUL-terminated);
 * '+' is a space only in query strings. Returns -1 if it does not fit. */
static int pct_decode(const char *s, size_t n, int plus_space, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (o + 1 >= cap) return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

int srv_query_param(const char *query, const char *key, char *out, size_t cap) {
    size_t klen = strlen(key);
    const char *p = query;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (n > klen && !strncmp(p, key, klen) && p[klen] == '=')
            return pct_decode(p + klen + 1, n - klen - 1, 1, out, cap);
        if (n == klen && !strncmp(p, key, klen)) return pct_decode("", 0, 1, out, cap);
        p = amp ? amp + 1 : NULL;
    }
    return -1;
}

char *srv_router_script(srv_router *rt) {
    pthread_mutex_lock(&rt->session_mu);
    const char *s = eddy_session_script(rt->session);
    char *copy = strdup(s ? s : "");
    pthread_mutex_unlock(&rt->session_mu);
    return copy;
}

/* ------------------------------------------------------------ GET /v1/streams */

static void type_json(sbuf *b, eddy_type t) {
    char tn[64];
    eddy_type_format(t, tn, sizeof tn);
    sbuf_json_str(b, tn, strlen(tn));
}

static void handle_streams(srv_router *rt, srv_response *r, uint64_t t0) {
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "{\"streams\":[");
    int first = 1;
    char **names = NULL;
    size_t n = 0;
    int more = 0;
    eddy_err err;
    eddy_err_clear(&err);
    if (store_stream_list(rt->st, NULL, 0, &names, &n, &more, &err) == 0) {
        for (size_t i = 0; i < n; i++) {
            store_stream_desc d;
            memset(&d, 0, sizeof d);
            if (store_stream_describe(rt->st, names[i], &d, &err) != 0) continue;
            if (!first) sbuf_putc(&b, ',');
            first = 0;
            sbuf_puts(&b, "{\"name\":");
            sbuf_json_str(&b, names[i], strlen(names[i]));
            sbuf_printf(&b, ",\"kind\":\"stored\",\"status\":\"%s\",\"open_shards\":%d,\"retention_hours\":%d}",
                        store_status_name(d.status), d.open_shard_count, d.retention_hours);
            store_stream_desc_free(&d);
        }
        store_names_free(names, n);
    }
    pthread_mutex_lock(&rt->session_mu);
    const catalog *cat = eddy_session_catalog(rt->session);
    for (size_t i = 0;; i++) {
        const cat_stream *cs = catalog_stream_at(cat, i);
        if (!cs) break;
        if (!first) sbuf_putc(&b, ',');
        first = 0;
        sbuf_puts(&b, "{\"name\":");
        sbuf_json_str(&b, cs->name, strlen(cs->name));
        sbuf_puts(&b, ",\"kind\":\"in-application\",\"columns\":[{\"name\":\"ROWTIME\",\"type\":\"TIMESTAMP\"}");
        for (uint32_t c = 0; c < cs->n_cols; c++) {
            sbuf_puts(&b, ",{\"name\":");
            sbuf_json_str(&b, cs->cols[c].name, strlen(cs->cols[c].name));
            sbuf_puts(&b, ",\"type\":");
            type_json(&b, cs->cols[c].type);
            sbuf_putc(&b, '}');
        }
        sbuf_puts(&b, "],\"source\":");
        if (cs->source.stream) sbuf_json_str(&b, cs->source.stream, strlen(cs->source.stream));
        else sbuf_puts(&b, "null");
        sbuf_puts(&b, ",\"sink\":");
        if (cs->sink.stream) sbuf_json_str(&b, cs->sink.stream, strlen(cs->sink.stream));
        else sbuf_puts(&b, "null");
        sbuf_putc(&b, '}');
    }
    pthread_mutex_unlock(&rt->session_mu);
    sbuf_puts(&b, "]}");
    if (b.failed) srv_reply_error(rt, r, SRV_ROUTE_STREAMS, t0, 500, "internal_error", "out of memory");
    else srv_reply_json(rt, r, SRV_ROUTE_STREAMS, t0, 200, b.data, b.len);
    sbuf_free(&b);
}

/* ------------------------------------------------------------ GET /metrics */

static void handle_metrics(srv_router *rt, srv_response *r, uint64_t t0) {
    sbuf b;
    sbuf_init(&b);
    srv_metrics_render(rt->metrics, &b);
    srv_apps_metrics(rt->apps, &b);
    /* Shard counts come from the store, so streams made by any client show. */
    char **names = NULL;
    size_t n = 0;
    int more = 0;
    eddy_err err;
    eddy_err_clear(&err);
    sbuf_puts(&b, "# HELP eddy_stream_open_shards Open shards of a stored stream.\n"
                  "# TYPE eddy_stream_open_shards gauge\n");
    if (store_stream_list(rt->st, NULL, 0, &names, &n, &more, &err) == 0) {
        for (size_t i = 0; i < n; i++) {
            store_stream_desc d;
            memset(&d, 0, sizeof d);
            if (store_stream_describe(rt->st, names[i], &d, &err) != 0) continue;
            sbuf_puts(&b, "eddy_stream_open_shards{stream=\"");
            srv_metrics_label(&b, names[i]);
            sbuf_printf(&b, "\"} %d\n", d.open_shard_count);
            store_stream_desc_free(&d);
        }
        store_names_free(names, n);
    }
    srv_header h[] = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}};
    srv_reply(r, b.failed ? 500 : 200, h, 1, b.data, b.len);
    srv_metrics_observe(rt->metrics, SRV_ROUTE_METRICS, (double)(eddy_mono_ns() - t0) / 1e9);
    sbuf_free(&b);
}

/* ------------------------------------------------------------ Kinesis counters */

/* Requests are counted per operation here; records and bytes put are
 * reported by the Kinesis handler itself (on_put), which already holds them. */
static void count_kinesis(srv_router *rt, const srv_request *req) {
    const char *target = srv_request_header(req, "x-amz-target");
    if (!target) return;
    const char *dot = strrchr(target, '.');
    srv_metrics_kinesis_op(rt->metrics, dot ? dot + 1 : target);
}

static void on_kinesis_put(void *ctx, const char *stream, uint64_t records, uint64_t bytes) {
    srv_router *rt = ctx;
    srv_metrics_stream_in(rt->metrics, stream, records, bytes);
}

static void on_kinesis_get(void *ctx, const char *stream, uint64_t records, uint64_t bytes) {
    srv_router *rt = ctx;
    srv_metrics_stream_out(rt->metrics, stream, records, bytes);
}

/* ------------------------------------------------------------ routing */

void srv_router_handle(void *ctx, const srv_request *req, srv_response *r) {
    srv_router *rt = ctx;
    uint64_t t0 = eddy_mono_ns();
    const char *m = req->method, *p = req->path;
    int get = !strcmp(m, "GET"), post = !strcmp(m, "POST");
    static const char k_prefix[] = "/v1/streams/", k_suffix[] = "/events";
    size_t plen = strlen(p);

    if (!strcmp(p, "/v1/sql") && post) {
        srv_sql_handle(rt, req, r, t0);
    } else if (!strcmp(p, "/v1/query") && post) {
        srv_query_handle(rt, req, r, t0);
    } else if (!strcmp(p, "/v1/streams") && get) {
        handle_streams(rt, r, t0);
    } else if (!strcmp(p, "/v1/apps") && get) {
        sbuf b;
        sbuf_init(&b);
        srv_apps_json(rt->apps, &b);
        srv_reply_json(rt, r, SRV_ROUTE_APPS, t0, 200, b.data, b.len);
        sbuf_free(&b);
    } else if (!strcmp(p, "/metrics") && get) {
        handle_metrics(rt, r, t0);
    } else if ((!strcmp(p, "/") || !strcmp(p, "/index.html")) && get) {
        srv_header h[] = {{"Content-Type", "text/html; charset=utf-8"}, {"Cache-Control", "no-cache"}};
        srv_reply(r, 200, h, 2, srv_dashboard_html, srv_dashboard_html_len);
        srv_metrics_observe(rt->metrics, SRV_ROUTE_DASHBOARD, (double)(eddy_mono_ns() - t0) / 1e9);
    } else if (get && plen > sizeof k_prefix - 1 + sizeof k_suffix - 1 && !strncmp(p, k_prefix, sizeof k_prefix - 1) &&
               !strcmp(p + plen - (sizeof k_suffix - 1), k_suffix)) {
        const char *s = p + sizeof k_prefix - 1;
        size_t n = plen - (sizeof k_prefix - 1) - (sizeof k_suffix - 1);
        char name[512];
        if (memchr(s, '/', n) || pct_decode(s, n, 0, name, sizeof name) != 0 || !name[0])
            srv_reply_error(rt, r, SRV_ROUTE_EVENTS, t0, 400, "invalid_argument", "bad stream name in the path");
        else srv_sse_handle(rt, name, req, r, t0);
    } else if (!strncmp(p, "/v1/", 4) || !strcmp(p, "/metrics")) {
        int known = !strcmp(p, "/v1/sql") || !strcmp(p, "/v1/query") || !strcmp(p, "/v1/streams") ||
                    !strcmp(p, "/v1/apps") || !strcmp(p, "/metrics") || !strncmp(p, k_prefix, sizeof k_prefix - 1);
        if (known) srv_reply_error(rt, r, SRV_ROUTE_NOT_FOUND, t0, 405, "method_not_allowed", "method not allowed");
        else srv_reply_error(rt, r, SRV_ROUTE_NOT_FOUND, t0, 404, "not_found", "no such endpoint");
    } else {
        count_kinesis(rt, req);
        srv_kinesis_handle(rt->kinesis, req, r);
        srv_metrics_observe(rt->metrics, SRV_ROUTE_KINESIS, (double)(eddy_mono_ns() - t0) / 1e9);
    }
}

/* ------------------------------------------------------------ life cycle */

static void on_keepalive(uv_timer_t *t) { srv_feeds_keepalive(t->data); }

static char *read_all(const char *path, size_t *len, int *missing) {
    *missing = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *missing = errno == ENOENT;
        return NULL;
    }
    sbuf b;
    sbuf_init(&b);
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sbuf_append(&b, chunk, n);
    int bad = ferror(f) || b.failed;
    fclose(f);
    if (bad) {
        sbuf_free(&b);
        return NULL;
    }
    return sbuf_detach(&b, len);
}

int srv_router_new(uv_loop_t *loop, srv_kinesis *k, store *st, const char *data_dir, srv_router **out,
                   eddy_err *err) {
    *out = NULL;
    srv_router *rt = calloc(1, sizeof *rt);
    if (!rt) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    rt->loop = loop;
    rt->kinesis = k;
    srv_kinesis_on_put(k, on_kinesis_put, rt);
    srv_kinesis_on_get(k, on_kinesis_get, rt);
    rt->st = st;
    pthread_mutex_init(&rt->session_mu, NULL);
    pthread_mutex_init(&rt->save_mu, NULL);
    rt->metrics = srv_metrics_new();
    int rc = rt->metrics ? srv_apps_new(st, data_dir, &rt->apps, err) : eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    if (rc == 0 && data_dir) {
        sbuf p;
        sbuf_init(&p);
        sbuf_printf(&p, "%s/catalog.sql", data_dir);
        rt->catalog_path = sbuf_detach(&p, NULL);
        if (!rt->catalog_path) rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    eddy_session_opts so = {st, 0, 0};
    if (rc == 0) rc = eddy_session_open(&so, &rt->session, err);
    if (rc == 0 && rt->catalog_path) {
        size_t len = 0;
        int missing;
        char *text = read_all(rt->catalog_path, &len, &missing);
        if (!text && !missing) {
            rc = eddy_err_set(err, EDDY_E_IO, "cannot read %s: %s", rt->catalog_path, strerror(errno));
        } else if (text) {
            rc = eddy_session_exec(rt->session, text, len, NULL, NULL, err);
            if (rc != 0) {
                char caret[2048];
                eddy_err_render(err, text, len, caret, sizeof caret);
                eddy_err_set(err, rc, "%s: %s", rt->catalog_path, caret);
            }
            free(text);
        }
    }
    if (rc == 0) {
        /* A pump whose input stream was deleted must not keep the server
         * down: the catalog still loads, /v1/apps shows nothing running. */
        eddy_err aerr;
        eddy_err_clear(&aerr);
        if (srv_apps_set_session(rt->apps, eddy_session_script(rt->session), &aerr) != 0)
            eddy_log(EDDY_LOG_WARN, "the pumps of %s do not run: %s", rt->catalog_path, aerr.msg);
    }
    if (rc != 0) {
        srv_apps_free(rt->apps);
        eddy_session_close(rt->session);
        srv_metrics_free(rt->metrics);
        pthread_mutex_destroy(&rt->session_mu);
        pthread_mutex_destroy(&rt->save_mu);
        free(rt->catalog_path);
        free(rt);
        return rc;
    }
    uv_timer_init(loop, &rt->keepalive);
    rt->keepalive.data = rt;
    uv_timer_start(&rt->keepalive, on_keepalive, KEEPALIVE_MS, KEEPALIVE_MS);
    *out = rt;
    return 0;
}

int srv_router_save_catalog(srv_router *rt, const char *script, eddy_err *err) {
    if (!rt->catalog_path) return 0;
    /* A crash leaves the old catalog or the new one, never half of one. */
    sbuf tmp;
    sbuf_init(&tmp);
    sbuf_printf(&tmp, "%s.tmp", rt->catalog_path);
    FILE *f = tmp.failed ? NULL : fopen(tmp.data, "w");
    int rc = f ? 0 : eddy_err_set(err, EDDY_E_IO, "cannot write %s: %s", tmp.data ? tmp.data : "", strerror(errno));
    if (f) {
        fputs(script, f);
        rc = eddy_file_replace(f, tmp.data, rt->catalog_path, err);
    }
    sbuf_free(&tmp);
    return rc;
}

srv_apps *srv_router_apps(srv_router *rt) { return rt->apps; }

void srv_router_shutdown(srv_router *rt) {
    if (rt->shutting_down) return;
    rt->shutting_down = 1;
    srv_feeds_stop_all(rt);
    uv_timer_stop(&rt->keepalive);
    uv_close((uv_handle_t *)&rt->keepalive, NULL);
    srv_apps_stop(rt->apps);
}

void srv_router_free(srv_router *rt) {
    if (!rt) return;
    srv_apps_free(rt->apps);
    eddy_session_close(rt->session);
    srv_metrics_free(rt->metrics);
    pthread_mutex_destroy(&rt->session_mu);
    pthread_mutex_destroy(&rt->save_mu);
    free(rt->catalog_path);
    free(rt);
}
