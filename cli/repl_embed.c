/*
 * repl_embed.c — the REPL's embedded backend: an eddy_session over the
 * store of a data directory (or an in-memory store) in this process.
 *
 * Statements go to eddy_session_exec, whose callbacks feed repl_out. What
 * the session does not know is answered here from the catalog and the
 * store: the bindings and pumps of DESCRIBE EXTENDED, the stored streams
 * of \d, and PRINT, which reads a stored stream's raw records with
 * in-process cursors, every shard's parents before its children.
 */
#include "repl_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_store_int.h"
#include "eddy.h"
#include "eddy_time.h"
#include "udf.h"

#define PRINT_POLL_MS 100
#define PRINT_READ_LIMIT 1000

typedef struct embed {
    store *st;
    eddy_session *sess;
    char where[512];
} embed;

/* ---------------------------------------------------------------- exec */

typedef struct exec_ctx {
    repl_ctx *r;
    int began;
} exec_ctx;

static void on_message(void *ctx, const char *msg) {
    exec_ctx *x = ctx;
    fprintf(x->r->out.f, "%s\n", msg);
    fflush(x->r->out.f);
}

static void on_notice(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "NOTICE: %s\n", msg);
    fflush(stderr);
}

static void on_header(void *ctx, const eddy_column_info *cols, uint32_t n, int push) {
    exec_ctx *x = ctx;
    if (x->began) repl_out_end(&x->r->out);
    const char **names = calloc(n ? n : 1, sizeof *names);
    char **types = calloc(n ? n : 1, sizeof *types);
    if (names && types) {
        for (uint32_t i = 0; i < n; i++) {
            char t[64];
            names[i] = cols[i].name;
            /* The session's finite results are all text: no type to show. */
            if (push) {
                eddy_type_format(cols[i].type, t, sizeof t);
                types[i] = strdup(t);
            }
        }
        repl_out_begin(&x->r->out, names, (const char *const *)types, n, push);
        x->began = 1;
    }
    for (uint32_t i = 0; types && i < n; i++) free(types[i]);
    free(types);
    free(names);
}

static int on_row(void *ctx, int64_t rowtime, const char *const *vals, uint32_t n) {
    exec_ctx *x = ctx;
    if (!x->began) return 0;
    repl_out_row(&x->r->out, vals, n);
    return *x->r->stop != 0;
}

static int embed_exec(repl_ctx *r, const char *sql, size_t len) {
    embed *e = r->be.impl;
    exec_ctx x = {r, 0};
    eddy_exec_cb cb = {on_message, on_header, on_row, on_notice, &x};
    eddy_err err;
    eddy_err_clear(&err);
    int rc = eddy_session_exec(e->sess, sql, len, &cb, r->stop, &err);
    if (x.began) repl_out_end(&r->out);
    if (rc != 0) {
        char buf[4096];
        eddy_err_render(&err, sql, len, buf, sizeof buf);
        repl_print_error(buf);
        return 1;
    }
    return 0;
}

static void embed_set_from(repl_ctx *r, int on) {
    embed *e = r->be.impl;
    eddy_session_set_from_beginning(e->sess, on);
}

/* ---------------------------------------------------------------- DESCRIBE EXTENDED */

static void kv(repl_ctx *r, const char *k, const char *v) {
    const char *vals[2] = {k, v};
    repl_out_row(&r->out, vals, 2);
}

static int embed_describe_extended(repl_ctx *r, const char *name) {
    embed *e = r->be.impl;
    const catalog *cat = eddy_session_catalog(e->sess);
    const cat_stream *cs = catalog_stream(cat, name);
    if (!cs) return 0;   /* the session has already said it does not exist */
    static const char *const names[] = {"PROPERTY", "VALUE"};
    repl_out_begin(&r->out, names, NULL, 2, 0);
    kv(r, "kind", cs->kind == CAT_ERROR ? "error_stream" : cs->kind == CAT_TABLE ? "table" : "stream");
    if (cs->description) kv(r, "description", cs->description);
    kv(r, "source", cs->source.stream ? cs->source.stream : "(none)");
    kv(r, "sink", cs->sink.stream ? cs->sink.stream : "(none)");
    sbuf wr, rd;
    sbuf_init(&wr);
    sbuf_init(&rd);
    for (size_t i = 0;; i++) {
        const cat_pump *p = catalog_pump_at(cat, i);
        if (!p) break;
        if (!strcmp(p->target, cs->name)) sbuf_printf(&wr, "%s%s", wr.len ? ", " : "", p->name);
        for (uint32_t k = 0; k < p->n_reads; k++)
            if (!strcmp(p->reads[k], cs->name)) {
                sbuf_printf(&rd, "%s%s", rd.len ? ", " : "", p->name);
                break;
            }
    }
    kv(r, "written by pumps", wr.len ? wr.data : "(none)");
    kv(r, "read by pumps", rd.len ? rd.data : "(none)");
    sbuf_free(&wr);
    sbuf_free(&rd);
    const char *bound[2] = {cs->source.stream, cs->sink.stream};
    for (int k = 0; k < 2; k++) {
        if (!bound[k] || (k == 1 && bound[0] && !strcmp(bound[0], bound[1]))) continue;
        store_stream_desc d;
        eddy_err err;
        eddy_err_clear(&err);
        char key[200], val[200];
        snprintf(key, sizeof key, "stored stream %s", bound[k]);
        if (store_stream_describe(e->st, bound[k], &d, &err) != 0) {
            kv(r, key, "does not exist in this data directory yet");
            continue;
        }
        /* Records held: the span of sequence numbers is not a count, so
         * read through every shard (cheap at REPL scale: headers only). */
        long long records = 0;
        store_batch b;
        store_batch_init(&b);
        for (size_t s = 0; s < d.n_shards; s++) {
            store_position pos;
            memset(&pos, 0, sizeof pos);
            pos.type = STORE_TRIM_HORIZON;
            store_cursor *cur = NULL;
            if (store_cursor_open(e->st, bound[k], d.shards[s].shard_id, &pos, &cur, NULL) != 0) continue;
            while (store_cursor_read(cur, 10000, &b, NULL) == 0 && b.n_records > 0) records += (long long)b.n_records;
            store_cursor_close(cur);
        }
        store_batch_free(&b);
        snprintf(val, sizeof val, "%s, %d open shard%s (%zu in all), %lld record%s, retention %d h",
                 store_status_name(d.status), d.open_shard_count, d.open_shard_count == 1 ? "" : "s",
                 d.n_shards, records, records == 1 ? "" : "s", d.retention_hours);
        kv(r, key, val);
        store_stream_desc_free(&d);
    }
    repl_out_end(&r->out);
    return 0;
}

/* ---------------------------------------------------------------- \d */

static void embed_list_stored(repl_ctx *r) {
    embed *e = r->be.impl;
    char **names = NULL;
    size_t n = 0;
    int more = 0;
    if (store_stream_list(e->st, NULL, 0, &names, &n, &more, NULL) != 0) return;
    static const char *const cols[] = {"STORED STREAM", "STATUS", "OPEN SHARDS"};
    repl_out_begin(&r->out, cols, NULL, 3, 0);
    for (size_t i = 0; i < n; i++) {
        store_stream_desc d;
        if (store_stream_describe(e->st, names[i], &d, NULL) != 0) continue;
        char shards[16];
        snprintf(shards, sizeof shards, "%d", d.open_shard_count);
        const char *v[3] = {names[i], store_status_name(d.status), shards};
        repl_out_row(&r->out, v, 3);
        store_stream_desc_free(&d);
    }
    repl_out_end(&r->out);
    store_names_free(names, n);
}

/* ---------------------------------------------------------------- PRINT */

typedef enum { PS_PENDING, PS_ACTIVE, PS_DONE } pshard_state;

typedef struct pshard {
    char id[STORE_SHARD_ID_MAX];
    char parents[2][STORE_SHARD_ID_MAX];
    pshard_state st;
    store_cursor *cur;
} pshard;

typedef struct print_run {
    store *st;
    const char *stream;
    pshard *sh;
    size_t n, cap;
    store_position start;
} print_run;

static pshard *find_pshard(print_run *p, const char *id) {
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->sh[i].id, id)) return &p->sh[i];
    return NULL;
}

/* Adds shards not seen yet; at the first call with LATEST, closed shards
 * can bring nothing new and are done at once. */
static int refresh_shards(print_run *p, int first, eddy_err *err) {
    store_stream_desc d;
    if (store_stream_describe(p->st, p->stream, &d, err) != 0) return -1;
    for (size_t i = 0; i < d.n_shards; i++) {
        if (find_pshard(p, d.shards[i].shard_id)) continue;
        if (p->n == p->cap) {
            size_t nc = p->cap ? p->cap * 2 : 8;
            pshard *ns = realloc(p->sh, nc * sizeof *ns);
            if (!ns) {
                store_stream_desc_free(&d);
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            }
            p->sh = ns;
            p->cap = nc;
        }
        pshard *x = &p->sh[p->n++];
        memset(x, 0, sizeof *x);
        memcpy(x->id, d.shards[i].shard_id, sizeof x->id);
        memcpy(x->parents[0], d.shards[i].parent_shard_id, sizeof x->parents[0]);
        memcpy(x->parents[1], d.shards[i].adjacent_parent_shard_id, sizeof x->parents[1]);
        x->st = first && p->start.type == STORE_LATEST && d.shards[i].closed ? PS_DONE : PS_PENDING;
    }
    store_stream_desc_free(&d);
    return 0;
}

/* Opens every pending shard whose parents are finished (or unknown). A
 * shard reached through lineage starts at its beginning. */
static int open_ready(print_run *p, int first, eddy_err *err) {
    for (size_t i = 0; i < p->n; i++) {
        pshard *x = &p->sh[i];
        if (x->st != PS_PENDING) continue;
        int ready = 1;
        for (int k = 0; k < 2; k++) {
            pshard *par = x->parents[k][0] ? find_pshard(p, x->parents[k]) : NULL;
            if (par && par->st != PS_DONE) ready = 0;
        }
        if (!ready) continue;
        store_position pos = p->start;
        if (!first) {
            memset(&pos, 0, sizeof pos);
            pos.type = STORE_TRIM_HORIZON;
        }
        if (store_cursor_open(p->st, p->stream, x->id, &pos, &x->cur, err) != 0) return -1;
        x->st = PS_ACTIVE;
    }
    return 0;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) break;   /* Ctrl-C wakes us */
}

static int embed_print(repl_ctx *r, const repl_print_cmd *pc) {
    embed *e = r->be.impl;
    /* PRINT of an in-application stream means the stored stream it reads. */
    const char *name = pc->name;
    store_stream_desc d;
    eddy_err err;
    eddy_err_clear(&err);
    if (store_stream_describe(e->st, name, &d, NULL) == 0) {
        store_stream_desc_free(&d);
    } else {
        const cat_stream *cs = catalog_stream(eddy_session_catalog(e->sess), pc->folded);
        if (cs && cs->source.stream) name = cs->source.stream;
        else if (cs && cs->sink.stream) name = cs->sink.stream;
    }
    print_run p;
    memset(&p, 0, sizeof p);
    p.st = e->st;
    p.stream = name;
    p.start.type = pc->from_beginning || r->from_beginning ? STORE_TRIM_HORIZON : STORE_LATEST;
    int rc = refresh_shards(&p, 1, &err);
    if (rc == 0) rc = open_ready(&p, 1, &err);
    if (rc != 0) {
        char buf[1024];
        eddy_err_render(&err, NULL, 0, buf, sizeof buf);
        repl_print_error(buf);
        free(p.sh);
        return 1;
    }
    fprintf(stderr, "NOTICE: printing stored stream %s from %s%s; Ctrl-C stops\n", name,
            p.start.type == STORE_TRIM_HORIZON ? "the beginning (TRIM_HORIZON)" : "now on (LATEST)",
            pc->limit >= 0 ? "" : ", following new records");
    static const char *const cols[] = {"SHARD", "SEQUENCE_NUMBER", "ARRIVAL_TIME", "PARTITION_KEY", "DATA"};
    static const char *const types[] = {"VARCHAR(20)", "VARCHAR(56)", "VARCHAR(24)", "VARCHAR(16)", "VARCHAR"};
    repl_out_begin(&r->out, cols, types, 5, 1);
    /* Sequence numbers are compared digit by digit: never cut them. */
    if (r->out.n_cols == 5) r->out.cols[1].width = 56;
    store_batch b;
    store_batch_init(&b);
    sbuf data, key;
    sbuf_init(&data);
    sbuf_init(&key);
    long long printed = 0;
    while (!*r->stop && (pc->limit < 0 || printed < pc->limit) && rc == 0) {
        size_t got = 0;
        int lineage = 0, active = 0;
        for (size_t i = 0; i < p.n && rc == 0; i++) {
            pshard *x = &p.sh[i];
            if (x->st != PS_ACTIVE) continue;
            size_t want = PRINT_READ_LIMIT;
            if (pc->limit >= 0 && (long long)want > pc->limit - printed) want = (size_t)(pc->limit - printed);
            if (want == 0) break;
            if (store_cursor_read(x->cur, want, &b, &err) != 0) {
                rc = -1;
                break;
            }
            for (size_t k = 0; k < b.n_records; k++) {
                const store_record *rec = &b.records[k];
                char seq[STORE_SEQ_STR_MAX], ts[40];
                store_seq_format(rec->seq, seq);
                eddy_ts_format_iso(rec->arrival_ms, ts);
                sbuf_clear(&data);
                sbuf_clear(&key);
                cli_render_data(&data, rec->data, rec->data_len, 0);
                sbuf_append(&key, rec->partition_key, rec->partition_key_len);
                const char *v[5] = {x->id, seq, ts, key.data, data.data};
                repl_out_row(&r->out, v, 5);
                printed++;
            }
            got += b.n_records;
            if (b.end_of_shard) {
                store_cursor_close(x->cur);
                x->cur = NULL;
                x->st = PS_DONE;
                lineage = 1;
            } else {
                active++;
            }
        }
        if (rc != 0) break;
        if (lineage) {
            if (refresh_shards(&p, 0, &err) != 0 || open_ready(&p, 0, &err) != 0) rc = -1;
            continue;
        }
        if (!active) {
            int pending = 0;
            for (size_t i = 0; i < p.n; i++) pending += p.sh[i].st == PS_PENDING;
            if (!pending) break;   /* every shard is closed and read */
        }
        if (got == 0) sleep_ms(PRINT_POLL_MS);
    }
    repl_out_end(&r->out);
    for (size_t i = 0; i < p.n; i++)
        if (p.sh[i].cur) store_cursor_close(p.sh[i].cur);
    free(p.sh);
    store_batch_free(&b);
    sbuf_free(&data);
    sbuf_free(&key);
    if (rc != 0) {
        char buf[1024];
        eddy_err_render(&err, NULL, 0, buf, sizeof buf);
        repl_print_error(buf);
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- names */

static void embed_names(repl_ctx *r, void (*add)(void *, const char *, int), void *ctx) {
    embed *e = r->be.impl;
    const catalog *cat = eddy_session_catalog(e->sess);
    for (size_t i = 0;; i++) {
        const cat_stream *cs = catalog_stream_at(cat, i);
        if (!cs) break;
        add(ctx, cs->name, REPL_NAME_STREAM);
        for (uint32_t c = 0; c < cs->n_cols; c++) add(ctx, cs->cols[c].name, REPL_NAME_COLUMN);
    }
    for (size_t i = 0;; i++) {
        const cat_pump *p = catalog_pump_at(cat, i);
        if (!p) break;
        add(ctx, p->name, REPL_NAME_STREAM);
    }
    for (size_t i = 0;; i++) {
        const cat_function *f = catalog_function_at(cat, i);
        if (!f) break;
        add(ctx, f->name, REPL_NAME_FUNCTION);
    }
    const udf_registry *reg = udf_registry_default();
    for (size_t i = 0; reg; i++) {
        const udf_func *f = udf_at(reg, i);
        if (!f) break;
        add(ctx, f->name, REPL_NAME_FUNCTION);
    }
    char **names = NULL;
    size_t n = 0;
    int more = 0;
    if (store_stream_list(e->st, NULL, 0, &names, &n, &more, NULL) == 0) {
        for (size_t i = 0; i < n; i++) add(ctx, names[i], REPL_NAME_STORED);
        store_names_free(names, n);
    }
}

static void embed_close(repl_ctx *r) {
    embed *e = r->be.impl;
    if (!e) return;
    eddy_session_close(e->sess);
    store_close(e->st);
    free(e);
    r->be.impl = NULL;
}

int repl_embed_open(repl_ctx *r, const char *data_dir) {
    embed *e = calloc(1, sizeof *e);
    if (!e) {
        fprintf(stderr, "eddy repl: out of memory\n");
        return 1;
    }
    store_opts so;
    store_opts_init(&so);
    so.data_dir = data_dir;
    eddy_err err;
    eddy_err_clear(&err);
    if (store_open(&so, &e->st, &err) != 0) {
        fprintf(stderr, "eddy repl: cannot open data directory %s: %s\n", data_dir ? data_dir : "(memory)",
                err.msg[0] ? err.msg : eddy_strerror(err.code));
        if (err.code == EDDY_E_LOCKED)
            fprintf(stderr, "HINT:  Another eddy process is using it; stop it, or connect to its server "
                            "with --connect http://HOST:PORT.\n");
        free(e);
        return 1;
    }
    eddy_session_opts o;
    memset(&o, 0, sizeof o);
    o.store = e->st;
    o.from_beginning = r->from_beginning;
    if (eddy_session_open(&o, &e->sess, &err) != 0) {
        fprintf(stderr, "eddy repl: %s\n", err.msg);
        store_close(e->st);
        free(e);
        return 1;
    }
    r->be.impl = e;
    r->be.exec = embed_exec;
    r->be.print = embed_print;
    r->be.describe_extended = embed_describe_extended;
    r->be.list_stored = embed_list_stored;
    r->be.names = embed_names;
    r->be.set_from_beginning = embed_set_from;
    r->be.close = embed_close;
    return 0;
}
