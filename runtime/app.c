/*
 * app.c — assembles and runs an application (see app.h).
 *
 * Every in-application stream is a hub: batches pushed into it go to each
 * subscriber (a pump's operator chain, whose end writes into the target hub)
 * and to its terminal consumers (a store writer when the stream is bound to
 * an output stream, a printer when asked). error_stream is a hub too.
 *
 * A pump's plan is a tree: each leaf STREAM_SCAN subscribes to its hub, and
 * the rows of each subtree flow to a `dest`: the next operator of a chain,
 * one input of a join or UNION ALL (rt_op_push_side; the operator forwards
 * the minimum of its inputs' watermarks and finishes once every input has),
 * or the pump's end. A TABLE_SCAN leaf is loaded into its TABLE_JOIN once,
 * from the reference table's stored stream, when the application starts.
 */
#include "app.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "decode.h"
#include "eddy_log.h"
#include "eddy_time.h"
#include "encode.h"
#include "expr.h"
#include "op.h"
#include "reader.h"
#include "sbuf.h"
#include "shard_source.h"
#include "udf_fns.h"

#define MAX_PRINT_WIDTH 24

typedef struct hub hub;
typedef struct pump_run pump_run;

/* Where the rows of a subtree go. */
typedef struct dest {
    rt_op *op;                   /* NULL: the pump's end (pump_sink) */
    uint32_t side;               /* multi: which input of op */
    int multi;                   /* op is a join or UNION ALL */
    pump_run *p;
} dest;

/* A hub's subscriber: a leaf of some pump's tree. */
typedef struct sub {
    dest d;
    int finished;
} sub;

/* A reference table to load into a TABLE_JOIN before running. */
typedef struct table_load {
    rt_op *op;
    uint32_t side;
    const plan_node *scan;       /* PLAN_TABLE_SCAN */
    int done;
} table_load;

/* A pump: its operator tree (may be empty) and where it writes. */
struct pump_run {
    const plan_node *root;       /* PLAN_PUMP */
    const char *name;
    hub *to;
    rt_batch *out;               /* rows mapped to the target's columns */
    struct rt_app *app;
    int finished;
    rt_query_rows_fn qfn;        /* queries: where output rows go (to is NULL) */
    void *qctx;
    uint32_t feed_side;          /* its input of the target's merge, if any */
};

struct hub {
    const cat_stream *cs;
    eddy_type *types;
    uint32_t n_cols;
    sub *subs;                   /* pump tree leaves reading this stream */
    uint32_t n_subs;
    uint32_t n_feeders, n_fed_done; /* pumps writing into it */
    /* With several feeders, their rows meet in a UNION ALL that releases
     * them in ROWTIME order once every feeder's watermark has passed: a
     * window downstream must not see one feeder's rows run ahead of
     * another's. NULL with one feeder. */
    rt_op *merge;
    plan_node *merge_node;
    struct rt_app *app;
    int64_t wm;
    /* Output to the store: encoded rows wait in one buffer, at most a
     * PutRecords' worth (500 records, 5 MiB). */
    rt_encoder *enc;
    const char *sink_stream;
    store_put_entry *pending;
    size_t *pending_off;         /* offset of each pending record in pbuf */
    store_put_result *put_res;   /* the put's per-record results, reused */
    size_t n_pending;
    sbuf pbuf;
    uint64_t seq_key;
    /* Printing. */
    int print;
    FILE *pf;                    /* where printed rows go */
    rt_encoder *penc;
    int header_done;
    int finished;
};

typedef struct source_run {
    hub *h;
    rt_reader *reader;
    rt_decoder *dec;
    rt_batch *batch;
    int done;
    int64_t wm;
    int64_t millis_behind;       /* at the last poll */
} source_run;

struct rt_app {
    rt_app_opts o;
    const catalog *cat;
    arena mem;
    hub *hubs;
    size_t n_hubs;
    hub *errors;
    pump_run *pumps;
    size_t n_pumps;
    source_run *sources;
    size_t n_sources;
    shard_source *src;
    rt_error_sink esink;
    rt_batch *err_batch;
    rt_app_stats stats;
    rt_expr_env env;
    sbuf line;
    int failed;
    eddy_err first_err;
    volatile int query_stop;     /* a query asked to stop */
    int replaying;               /* pushing records read again after a restart
                                    (rt_reader_is_replay): they rebuild windows,
                                    and nothing they produce is written again */
    rt_batch *err_spare;         /* the other error batch (see err_flush) */
    volatile sig_atomic_t *stop; /* the run's stop flag, for retry loops */
    /* Fan-out pushes to any input wake the run loop (app_wake): waiting on
     * one reader alone would leave the others' pushes until its timeout. */
    pthread_mutex_t wake_mu;
    pthread_cond_t wake_cv;
    int wake_pending, wake_init;
    hub *last_printed;           /* table output: the stream printed last */
    pump_run **queries;
    size_t n_queries;
    rt_op **ops;                 /* every operator of every pump and query */
    size_t n_ops, cap_ops;
    table_load *tables;
    size_t n_tables;
    int needed_set;              /* decoders told which columns are used */
};

void rt_app_opts_init(rt_app_opts *o) {
    memset(o, 0, sizeof *o);
    o->start_override = -1;
    o->name = "app";
}

static hub *hub_find(rt_app *app, const char *name) {
    for (size_t i = 0; i < app->n_hubs; i++)
        if (strcmp(app->hubs[i].cs->name, name) == 0) return &app->hubs[i];
    return NULL;
}

static int hub_push(rt_app *app, hub *h, const rt_batch *b, eddy_err *err);
static int hub_watermark(rt_app *app, hub *h, int64_t wm, eddy_err *err);
static int hub_finish(rt_app *app, hub *h, eddy_err *err);

/* ---------------------------------------------------------------- errors */

/* Pushes the collected error rows into error_stream. A pump reading
 * error_stream may raise errors of its own while the rows are being pushed:
 * they go to the other batch, which the loop pushes next. */
static int err_flush(rt_app *app, eddy_err *err) {
    for (int round = 0; app->err_batch && app->err_batch->n_rows > 0; round++) {
        if (round > 64) return eddy_err_set(err, EDDY_E_INTERNAL, "error_stream feeds back on itself");
        rt_batch *b = app->err_batch;
        app->err_batch = app->err_spare;
        app->err_spare = b;
        int rc = hub_push(app, app->errors, b, err);
        rt_batch_reset(b);
        if (rc != 0) return rc;
    }
    return 0;
}

static void report_error(rt_app *app, const char *name, const char *msg, int64_t rowtime,
                         const void *data, size_t len, const char *pump) {
    if (app->replaying) return;   /* reported before the restart */
    app->stats.errors++;
    if (!app->err_batch) return;
    rt_error_info info = {eddy_now_ms(), "ERROR", name, msg, rowtime, data, len, pump};
    eddy_err e;
    eddy_err_clear(&e);
    if (rt_batch_room(app->err_batch) == 0) err_flush(app, &e);
    rt_error_row_append(app->err_batch, &info, &e);
}

/* Row errors from operators: the row's values are encoded as JSON so that
 * DATA_ROW (hex) shows what failed. */
static void op_row_error(void *ctx, const rt_batch *b, uint32_t r, const char *name, const char *msg,
                         const char *pump) {
    rt_app *app = ctx;
    if (name && !strcmp(name, "LATE_ROW")) app->stats.late_rows++;
    sbuf s;
    sbuf_init(&s);
    sbuf_putc(&s, '[');
    for (uint32_t c = 0; c < b->n_cols; c++) {
        if (c) sbuf_putc(&s, ',');
        if (rt_col_is_null(&b->cols[c], r)) {
            sbuf_puts(&s, "null");
            continue;
        }
        sbuf tmp;
        sbuf_init(&tmp);
        rt_format_value(&b->cols[c], r, &tmp);
        sbuf_json_str(&s, tmp.data, tmp.len);
        sbuf_free(&tmp);
    }
    sbuf_putc(&s, ']');
    report_error(app, name, msg, b->rowtime[r], s.data, s.len, pump);
    sbuf_free(&s);
}

/* ---------------------------------------------------------------- sinks */

/* Output rows are spread over the output stream's shards by explicit hash
 * keys cycling through the 16 equal parts of the hash space: as even as
 * random partition keys, without an MD5 per row. */
#define SINK_KEYS 16
static char sink_keys[SINK_KEYS][40];
static pthread_once_t sink_keys_once = PTHREAD_ONCE_INIT;

static void sink_keys_init(void) {
    eddy_u128 part = EDDY_U128_MAX / SINK_KEYS;
    for (int k = 0; k < SINK_KEYS; k++) eddy_u128_format(part * (eddy_u128)k + part / 2, sink_keys[k]);
}

static int sink_flush(rt_app *app, hub *h, eddy_err *err) {
    if (h->n_pending == 0) return 0;
    if (h->pbuf.failed) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (size_t i = 0; i < h->n_pending; i++) h->pending[i].data = h->pbuf.data + h->pending_off[i];
    store_put_result *res = h->put_res;
    size_t failed = 0;
    int rc;
    /* Output streams back-pressure the application: throttled records are
     * retried until they are written, as KDA retries its destinations. */
    for (int attempt = 0;; attempt++) {
        rc = store_put_records(app->o.store, h->sink_stream, h->pending, h->n_pending, res, &failed, err);
        if (rc != 0 || failed == 0) break;
        size_t keep = 0;
        for (size_t i = 0; i < h->n_pending; i++) {
            if (res[i].code == 0) continue;
            if (res[i].code != EDDY_E_THROTTLED) {
                eddy_log(EDDY_LOG_ERROR, "output %s: record dropped: %s", h->sink_stream, res[i].message);
                report_error(app, "OUTPUT_ERROR", res[i].message, 0, h->pending[i].data, h->pending[i].data_len,
                             NULL);
                continue;
            }
            h->pending[keep++] = h->pending[i];
        }
        h->n_pending = keep;
        if (keep == 0) break;
        if (app->stop && *app->stop) {
            eddy_log(EDDY_LOG_WARN, "output %s: stopping with %zu throttled records not written", h->sink_stream, keep);
            break;
        }
        usleep(attempt < 10 ? 20000 : 200000);
    }
    if (rc == 0) {
        h->n_pending = 0;
        sbuf_clear(&h->pbuf);
    }
    return rc;
}

static int sink_write(rt_app *app, hub *h, const rt_batch *b, eddy_err *err) {
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        size_t off = h->pbuf.len;
        if (rt_encode_row(h->enc, b, r, &h->pbuf) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        size_t len = h->pbuf.len - off;
        if (h->n_pending == STORE_BATCH_RECORDS_MAX ||
            (h->n_pending && h->pbuf.len + h->n_pending * 4 > STORE_BATCH_BYTES_MAX - 4096)) {
            /* This row starts the next batch: flush those before it. */
            char *row = malloc(len ? len : 1);
            if (!row) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            memcpy(row, h->pbuf.data + off, len);
            h->pbuf.len = off;
            int rc = sink_flush(app, h, err);
            if (rc == 0) {
                off = h->pbuf.len;
                sbuf_append(&h->pbuf, row, len);
            }
            free(row);
            if (rc != 0) return rc;
        }
        store_put_entry *e = &h->pending[h->n_pending];
        memset(e, 0, sizeof *e);
        e->data_len = len;
        e->partition_key = "eddy";
        e->partition_key_len = 4;
        e->explicit_hash_key = sink_keys[h->seq_key++ % SINK_KEYS];
        h->pending_off[h->n_pending++] = off;
        app->stats.rows_out++;
    }
    return 0;
}

static void print_rows(rt_app *app, hub *h, const rt_batch *b) {
    FILE *f = h->pf;
    uint32_t live = rt_batch_live(b);
    if (app->o.format == RT_PRINT_TABLE) {
        /* Several streams print into one table output: each change of
         * stream starts a new block with its name and header. */
        if (app->last_printed != h && app->last_printed) h->header_done = 0;
        app->last_printed = h;
        if (!h->header_done) {
            fprintf(f, "\n%s\n", h->cs->name);
            fprintf(f, "%-*s", MAX_PRINT_WIDTH, "ROWTIME");
            for (uint32_t c = 0; c < h->n_cols; c++) fprintf(f, " %-*.*s", MAX_PRINT_WIDTH, MAX_PRINT_WIDTH, h->cs->cols[c].name);
            fputc('\n', f);
            h->header_done = 1;
        }
        for (uint32_t i = 0; i < live; i++) {
            uint32_t r = rt_batch_row(b, i);
            char ts[32];
            eddy_ts_format_sql(b->rowtime[r], ts);
            fprintf(f, "%-*s", MAX_PRINT_WIDTH, ts);
            for (uint32_t c = 0; c < b->n_cols; c++) {
                sbuf_clear(&app->line);
                if (rt_col_is_null(&b->cols[c], r)) sbuf_puts(&app->line, "NULL");
                else rt_format_value(&b->cols[c], r, &app->line);
                fprintf(f, " %-*.*s", MAX_PRINT_WIDTH, MAX_PRINT_WIDTH, app->line.data);
            }
            fputc('\n', f);
            app->stats.rows_out++;
        }
        return;
    }
    if (app->o.format == RT_PRINT_CSV && !h->header_done) {
        fputs("ROWTIME", f);
        for (uint32_t c = 0; c < h->n_cols; c++) fprintf(f, ",%s", h->cs->cols[c].name);
        fputc('\n', f);
        h->header_done = 1;
    }
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        sbuf_clear(&app->line);
        rt_encode_row(h->penc, b, r, &app->line);
        fwrite(app->line.data, 1, app->line.len, f);
        if (app->o.format == RT_PRINT_JSONL) fputc('\n', f);
        app->stats.rows_out++;
    }
}

/* ---------------------------------------------------------------- hubs and pumps */

/* A pump's rows for its target: straight into the hub, or into the hub's
 * merge when other pumps feed it too. */
static int feed_push(pump_run *p, const rt_batch *b, eddy_err *err) {
    if (p->to->merge) return rt_op_push_side(p->to->merge, p->feed_side, b, err);
    return hub_push(p->app, p->to, b, err);
}

/* Nonzero when `b` already is what the row-by-row mapping below would build:
 * same columns in the same order with the same types, no string longer than
 * its target VARCHAR/CHAR, no NULL in a NOT NULL column. Such a batch goes to
 * the target hub as it is, without a copy (q0: SELECT STREAM * into a stream
 * of the same shape). */
static int pump_passes_through(const pump_run *p, const rt_batch *b) {
    const uint32_t *map = p->root->u.pump.target_cols;
    const hub *to = p->to;
    if (b->n_cols != to->n_cols) return 0;
    uint32_t live = rt_batch_live(b);
    for (uint32_t c = 0; c < b->n_cols; c++) {
        if (map && map[c] != c) return 0;
        const rt_column *col = &b->cols[c];
        eddy_type from = col->type, tt = to->types[c];
        if (from.id != tt.id || (from.id == EDDY_T_DECIMAL && from.scale != tt.scale)) return 0;
        int check_len = (tt.id == EDDY_T_VARCHAR || tt.id == EDDY_T_CHAR) && tt.precision > 0 &&
                        !(from.precision > 0 && from.precision <= tt.precision);
        int check_null = !to->cs->cols[c].nullable;
        if (!check_len && !check_null) continue;
        for (uint32_t i = 0; i < live; i++) {
            uint32_t r = rt_batch_row(b, i);
            if (rt_col_is_null(col, r)) {
                if (check_null) return 0;
                continue;
            }
            if (check_len && col->v.str[r].n > (uint32_t)tt.precision) return 0;
        }
    }
    return 1;
}

static int pump_sink(void *ctx, const rt_batch *b, eddy_err *err) {
    pump_run *p = ctx;
    if (p->qfn) {
        if (rt_batch_live(b) && p->qfn(p->qctx, b) != 0) p->app->query_stop = 1;
        return 0;
    }
    if (pump_passes_through(p, b)) return feed_push(p, b, err);
    const uint32_t *map = p->root->u.pump.target_cols;
    hub *to = p->to;
    rt_batch_reset(p->out);
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (rt_batch_room(p->out) == 0) {
            int rc = feed_push(p, p->out, err);
            if (rc != 0) return rc;
            rt_batch_reset(p->out);
        }
        uint32_t d = rt_batch_begin_row(p->out, b->rowtime[r]);
        int ok = 1;
        for (uint32_t c = 0; c < b->n_cols && ok; c++) {
            uint32_t tc = map ? map[c] : c;
            if (tc >= to->n_cols || rt_col_is_null(&b->cols[c], r)) continue;
            eddy_value v, cv;
            rt_batch_get(b, c, r, &v);
            eddy_type from = b->cols[c].type, tt = to->types[tc];
            if (from.id != tt.id || (from.id == EDDY_T_DECIMAL && from.scale != tt.scale) ||
                ((tt.id == EDDY_T_VARCHAR || tt.id == EDDY_T_CHAR) && tt.precision > 0 &&
                 v.u.s.n > (uint32_t)tt.precision)) {
                eddy_err cerr;
                eddy_err_clear(&cerr);
                if (rt_cast_value(&v, from, tt, &cv, &p->out->strings, &cerr) != 0) {
                    op_row_error(p->app, b, r, "CAST_ERROR", cerr.msg, p->name);
                    ok = 0;
                    break;
                }
                v = cv;
            }
            switch (rt_phys_of(tt.id)) {
            case RT_PHYS_I64: rt_batch_set_i64(p->out, tc, d, v.u.i); break;
            case RT_PHYS_F64: rt_batch_set_f64(p->out, tc, d, v.u.d); break;
            case RT_PHYS_STR:
                if (rt_batch_set_str(p->out, tc, d, v.u.s.p, v.u.s.n) != 0)
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                break;
            }
        }
        /* NOT NULL columns of the target refuse NULLs (error_stream). */
        for (uint32_t tc = 0; tc < to->n_cols && ok; tc++) {
            if (!to->cs->cols[tc].nullable && rt_col_is_null(&p->out->cols[tc], d)) {
                char msg[300];
                snprintf(msg, sizeof msg, "null value in column \"%s\" of stream \"%s\" violates NOT NULL",
                         to->cs->cols[tc].name, to->cs->name);
                op_row_error(p->app, b, r, "NOT_NULL_VIOLATION", msg, p->name);
                ok = 0;
            }
        }
        if (ok) rt_batch_commit_row(p->out);
    }
    if (p->out->n_rows == 0) return 0;
    return feed_push(p, p->out, err);
}

static int pump_wm(void *ctx, int64_t wm, eddy_err *err) {
    pump_run *p = ctx;
    if (!p->to) return 0;
    if (p->to->merge) return rt_op_watermark_side(p->to->merge, p->feed_side, wm, err);
    return hub_watermark(p->app, p->to, wm, err);
}

/* The pump's tree has finished: its target may finish too. */
static int pump_finish(pump_run *p, eddy_err *err) {
    if (p->finished) return 0;
    p->finished = 1;
    if (!p->to) return 0;
    if (p->to->merge) return rt_op_finish_side(p->to->merge, p->feed_side, err);
    p->to->n_fed_done++;
    if (p->to->n_fed_done >= p->to->n_feeders) return hub_finish(p->app, p->to, err);
    return 0;
}

static int dest_push(void *ctx, const rt_batch *b, eddy_err *err) {
    const dest *d = ctx;
    if (!d->op) return pump_sink(d->p, b, err);
    if (d->multi) return rt_op_push_side(d->op, d->side, b, err);
    return d->op->vt->push(d->op, b, err);
}

static int dest_wm(void *ctx, int64_t wm, eddy_err *err) {
    const dest *d = ctx;
    if (!d->op) return pump_wm(d->p, wm, err);
    if (d->multi) return rt_op_watermark_side(d->op, d->side, wm, err);
    return rt_op_watermark(d->op, wm, err);
}

static int dest_finish(void *ctx, eddy_err *err) {
    const dest *d = ctx;
    if (!d->op) return pump_finish(d->p, err);
    if (d->multi) return rt_op_finish_side(d->op, d->side, err);
    return rt_op_finish(d->op, err);
}

static int hub_push(rt_app *app, hub *h, const rt_batch *b, eddy_err *err) {
    if (rt_batch_live(b) == 0) return 0;
    for (uint32_t i = 0; i < h->n_subs; i++) {
        int rc = dest_push(&h->subs[i].d, b, err);
        if (rc != 0) return rc;
    }
    if (app->replaying) return 0;   /* written before the restart */
    if (h->enc) {
        int rc = sink_write(app, h, b, err);
        if (rc != 0) return rc;
    }
    if (h->print) print_rows(app, h, b);
    return 0;
}

static int hub_watermark(rt_app *app, hub *h, int64_t wm, eddy_err *err) {
    if (wm <= h->wm) return 0;
    h->wm = wm;
    for (uint32_t i = 0; i < h->n_subs; i++) {
        int rc = dest_wm(&h->subs[i].d, wm, err);
        if (rc != 0) return rc;
    }
    return 0;
}

static int hub_finish(rt_app *app, hub *h, eddy_err *err) {
    if (h->finished) return 0;
    h->finished = 1;
    for (uint32_t i = 0; i < h->n_subs; i++) {
        if (h->subs[i].finished) continue;
        h->subs[i].finished = 1;
        int rc = dest_finish(&h->subs[i].d, err);
        if (rc != 0) return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- building */

static int merge_push(void *ctx, const rt_batch *b, eddy_err *err) {
    hub *h = ctx;
    return hub_push(h->app, h, b, err);
}

static int merge_wm(void *ctx, int64_t wm, eddy_err *err) {
    hub *h = ctx;
    return hub_watermark(h->app, h, wm, err);
}

static int merge_finish(void *ctx, eddy_err *err) {
    hub *h = ctx;
    return hub_finish(h->app, h, err);
}

static int add_op(rt_app *app, rt_op *op, eddy_err *err) {
    if (app->n_ops == app->cap_ops) {
        size_t nc = app->cap_ops ? app->cap_ops * 2 : 16;
        rt_op **no = realloc(app->ops, sizeof(rt_op *) * nc);
        if (!no) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        app->ops = no;
        app->cap_ops = nc;
    }
    app->ops[app->n_ops++] = op;
    return 0;
}

/* Builds the subtree rooted at `n`, whose rows go to `d`. */
static int build_tree(rt_app *app, pump_run *p, const plan_node *n, dest d, int depth, eddy_err *err) {
    if (depth > 64)
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "the query is nested too deeply");
    if (n->kind == PLAN_STREAM_SCAN) {
        hub *h = hub_find(app, n->u.stream_scan.stream);
        if (!h)
            return eddy_err_set_at(err, EDDY_E_NOTFOUND, n->off, n->len, "stream \"%s\" does not exist",
                                   n->u.stream_scan.stream);
        sub *ns = realloc(h->subs, sizeof(sub) * (h->n_subs + 1));
        if (!ns) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        h->subs = ns;
        ns[h->n_subs++] = (sub){d, 0};
        return 0;
    }
    if (n->kind == PLAN_TABLE_SCAN) {
        if (!d.op || !d.multi || d.op->node->kind != PLAN_TABLE_JOIN || d.side != 1)
            return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len,
                                   "a reference table can only be read by joining a stream to it");
        table_load *nt = realloc(app->tables, sizeof(table_load) * (app->n_tables + 1));
        if (!nt) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        app->tables = nt;
        nt[app->n_tables++] = (table_load){d.op, d.side, n, 0};
        return 0;
    }
    if (n->n_inputs == 0)
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "%s is not supported by the runtime yet",
                               plan_kind_name(n->kind));
    /* Input rows: the inputs' columns one after the other for joins; the
     * first input's for everything else (UNION ALL inputs share types). */
    int multi = n->kind == PLAN_STREAM_JOIN || n->kind == PLAN_TABLE_JOIN || n->kind == PLAN_UNION;
    uint32_t n_types = 0;
    uint32_t n_cat = n->kind == PLAN_UNION || !multi ? 1 : n->n_inputs;
    for (uint32_t i = 0; i < n_cat; i++) n_types += n->inputs[i]->out.n_cols;
    eddy_type *types = arena_alloc(&app->mem, sizeof(eddy_type) * (n_types ? n_types : 1));
    if (!types) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    n_types = 0;
    for (uint32_t i = 0; i < n_cat; i++)
        for (uint32_t c = 0; c < n->inputs[i]->out.n_cols; c++) types[n_types++] = n->inputs[i]->out.cols[c].type;
    rt_op *op;
    int rc = rt_op_new(n, types, n_types, &app->env, &app->esink, p->name, &app->mem, &op, err);
    if (rc != 0) return rc;
    rc = add_op(app, op, err);
    if (rc != 0) {
        if (op->vt && op->vt->end) op->vt->end(op);
        return rc;
    }
    if (d.op && !d.multi) {
        op->next = d.op;
    } else {
        dest *dc = arena_alloc(&app->mem, sizeof *dc);
        if (!dc) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        *dc = d;
        op->sink = dest_push;
        op->sink_wm = dest_wm;
        op->sink_finish = dest_finish;
        op->sink_ctx = dc;
    }
    if (!multi && n->n_inputs != 1)
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "%s is not supported by the runtime yet",
                               plan_kind_name(n->kind));
    for (uint32_t i = 0; i < n->n_inputs; i++) {
        rc = build_tree(app, p, n->inputs[i], (dest){op, i, multi, p}, depth + 1, err);
        if (rc != 0) return rc;
    }
    return 0;
}

static int build_pump(rt_app *app, pump_run *p, const plan_node *root, eddy_err *err) {
    p->root = root;
    p->app = app;
    const plan_node *n0;
    if (p->qfn) {
        /* A query: the whole tree is the pump's tree. */
        p->name = NULL;
        n0 = root;
    } else {
        p->name = root->u.pump.name;
        p->to = hub_find(app, root->u.pump.target);
        if (!p->to)
            return eddy_err_set_at(err, EDDY_E_NOTFOUND, root->off, root->len, "stream \"%s\" does not exist",
                                   root->u.pump.target);
        n0 = root->n_inputs ? root->inputs[0] : NULL;
    }
    if (!n0) return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, root->off, root->len, "pump reads no stream");
    if (p->to) {
        p->out = rt_batch_new(p->to->types, p->to->n_cols, err);
        if (!p->out) return err->code ? err->code : EDDY_E_NOMEM;
        /* A feeder of its target, so the target finishes after it. */
        p->to->n_feeders++;
    }
    return build_tree(app, p, n0, (dest){NULL, 0, 0, p}, 0, err);
}

/* Builds the decoder and batch of an input stream or reference table. */
static int make_decoder(rt_app *app, const cat_stream *cst, rt_decoder **dec, rt_batch **batch, eddy_err *err) {
    const cat_source *cs = &cst->source;
    uint32_t n = cst->n_cols;
    rt_col_spec *spec = arena_calloc(&app->mem, sizeof *spec * (n ? n : 1));
    if (!spec) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (uint32_t c = 0; c < n; c++) {
        spec[c].name = cst->cols[c].name;
        spec[c].type = cst->cols[c].type;
        spec[c].mapping = cs->paths ? cs->paths[c] : NULL;
    }
    rt_decode_opts dopts = {cs->row_delim[0] ? cs->row_delim : NULL, cs->col_delim[0] ? cs->col_delim : NULL};
    *dec = rt_decoder_new(cs->format == PLAN_FMT_CSV ? RT_FMT_CSV : RT_FMT_JSON, spec, n, &dopts, err);
    if (!*dec) return err->code ? err->code : EDDY_E_NOMEM;
    uint32_t nt;
    const eddy_type *dt = rt_decoder_types(*dec, &nt);
    *batch = rt_batch_new(dt, nt, err);
    if (!*batch) return err->code ? err->code : EDDY_E_NOMEM;
    return 0;
}

static void app_wake(void *ctx) {
    rt_app *app = ctx;
    pthread_mutex_lock(&app->wake_mu);
    app->wake_pending = 1;
    pthread_cond_signal(&app->wake_cv);
    pthread_mutex_unlock(&app->wake_mu);
}

/* Sleeps until an input has a fetch due, a push arrives on any input, or
 * max_ms passes. */
static void app_wait(rt_app *app, int max_ms) {
    int wait = max_ms;
    for (size_t i = 0; i < app->n_sources && wait > 0; i++) {
        if (app->sources[i].done) continue;
        int w = rt_reader_due_in(app->sources[i].reader, wait);
        if (w < wait) wait = w;
    }
    if (wait <= 0) return;
    struct timespec ts = eddy_deadline_ms(CLOCK_MONOTONIC, wait);
    pthread_mutex_lock(&app->wake_mu);
    while (!app->wake_pending)
        if (pthread_cond_timedwait(&app->wake_cv, &app->wake_mu, &ts) != 0) break;
    app->wake_pending = 0;
    pthread_mutex_unlock(&app->wake_mu);
}

static int build_source(rt_app *app, source_run *s, hub *h, eddy_err *err) {
    const cat_source *cs = &h->cs->source;
    s->h = h;
    int rc = make_decoder(app, h->cs, &s->dec, &s->batch, err);
    if (rc != 0) return rc;
    /* feed_records pushes and empties the batch before the reader's records
     * go away, so strings may stay in the records. */
    rt_decoder_set_borrow(s->dec, 1);
    rt_reader_opts ro;
    rt_reader_opts_init(&ro);
    ro.kind = cs->reader == PLAN_READER_FANOUT ? RT_READER_FANOUT : RT_READER_CLASSIC;
    int start = app->o.start_override >= 0 ? app->o.start_override : (int)cs->start;
    ro.start = start == PLAN_START_TRIM_HORIZON ? RT_START_TRIM_HORIZON
               : start == PLAN_START_AT_TIMESTAMP ? RT_START_AT_TIMESTAMP : RT_START_LATEST;
    ro.start_timestamp_ms = cs->start_ms;
    char consumer[160];
    snprintf(consumer, sizeof consumer, "eddy-%s", app->o.name);
    ro.consumer_name = cs->consumer ? cs->consumer : consumer;
    if (app->o.poll_interval_ms > 0) ro.poll_interval_ms = app->o.poll_interval_ms;
    if (app->o.idle_timeout_ms > 0) ro.idle_timeout_ms = app->o.idle_timeout_ms;
    ro.drain = app->o.drain;
    ro.part = cs->part;
    ro.parts = cs->parts;
    ro.wake = app_wake;
    ro.wake_ctx = app;
    s->wm = INT64_MIN;
    int rc2 = rt_reader_open(&ro, app->src, cs->stream, &s->reader, err);
    /* A replaced or restarted application continues where it stopped. */
    for (size_t i = 0; rc2 == 0 && app->o.resume && i < app->o.resume->n; i++) {
        const rt_app_resume_input *ri = &app->o.resume->inputs[i];
        if (strcmp(ri->stream, h->cs->name) == 0 && strcmp(ri->source, cs->stream) == 0)
            rc2 = rt_reader_positions_set(s->reader, ri->pos, ri->n_pos, err);
    }
    /* LATEST means the records that arrive once the application exists,
     * not once it first polls. */
    if (rc2 == 0 && ro.start == RT_START_LATEST) rc2 = rt_reader_start(s->reader, err);
    return rc2;
}

static int wants_print(const rt_app *app, const hub *h) {
    if (app->o.print) {
        for (size_t i = 0; i < app->o.n_print; i++)
            if (strcmp(app->o.print[i], h->cs->name) == 0) return 1;
        return 0;
    }
    return h->cs->kind == CAT_STREAM && h->n_subs == 0 && !h->cs->sink.stream && !h->cs->source.stream;
}

/* Streams written by several pumps get a UNION ALL in front (see hub.merge). */
static int build_merges(rt_app *app, eddy_err *err) {
    for (size_t i = 0; i < app->n_hubs; i++) {
        hub *h = &app->hubs[i];
        h->app = app;
        if (h->n_feeders < 2) continue;
        plan_node *n = arena_calloc(&app->mem, sizeof *n);
        plan_col *cols = arena_calloc(&app->mem, sizeof *cols * (h->n_cols ? h->n_cols : 1));
        eddy_type *in = arena_alloc(&app->mem, sizeof *in * h->n_cols * h->n_feeders + sizeof *in);
        if (!n || !cols || !in) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        for (uint32_t c = 0; c < h->n_cols; c++) cols[c] = h->cs->cols[c];
        for (uint32_t f = 0; f < h->n_feeders; f++) memcpy(in + f * h->n_cols, h->types, sizeof *in * h->n_cols);
        n->kind = PLAN_UNION;
        n->n_inputs = h->n_feeders;
        n->out.cols = cols;
        n->out.n_cols = h->n_cols;
        n->out.rowtime = PLAN_RT_INPUT;
        n->out.ordered = 1;
        n->off = h->cs->off;
        n->len = h->cs->len;
        rt_op *op;
        int rc = rt_op_new(n, in, h->n_cols * h->n_feeders, &app->env, &app->esink, NULL, &app->mem, &op, err);
        if (rc == 0) rc = add_op(app, op, err);
        if (rc != 0) return rc;
        op->sink = merge_push;
        op->sink_wm = merge_wm;
        op->sink_finish = merge_finish;
        op->sink_ctx = h;
        h->merge = op;
        h->merge_node = n;
        uint32_t side = 0;
        for (size_t p = 0; p < app->n_pumps; p++)
            if (app->pumps[p].to == h) app->pumps[p].feed_side = side++;
    }
    return 0;
}

/* Tumbling windows: GROUP BY, and the tumbling table functions
 * (TOP_K_ITEMS_TUMBLING, COUNT_DISTINCT_ITEMS_TUMBLING, the table
 * functions with a horizon). Their replay is a floor (rt_op.replay_floor). */
static int is_floor_op(const rt_op *op) {
    return op->node->kind == PLAN_TUMBLE_AGG || (op->node->kind == PLAN_TABLE_FUNC && op->vt->horizon);
}

/* Window operators whose replay needs saving (app.h, rt_app_window). */
static int is_window_op(const rt_op *op) { return is_floor_op(op) || op->node->kind == PLAN_STAGGER_AGG; }

#define WINDOW_ID_MAX 600

/* rt_app_window.id of operator i: its pump's name in hex ("-" for none),
 * its kind with the shape of its windows (so that a window whose width or
 * keys were edited is not given the old one's state: it counts as new),
 * and how many operators of that kind and pump come before it: the same in
 * every run of an unchanged pump, whatever other pumps do. */
static void window_id(const rt_app *app, size_t i, char *out) {
    const rt_op *op = app->ops[i];
    const char *pump = op->pump ? op->pump : "";
    size_t n = 0, len = strlen(pump);
    if (len > 128) len = 128;   /* identifiers are at most 128 characters */
    for (size_t k = 0; k < len; k++) n += (size_t)snprintf(out + n, 3, "%02x", (unsigned char)pump[k]);
    if (!len) out[n++] = '-';
    unsigned ord = 0;
    for (size_t k = 0; k < i; k++) {
        const rt_op *o = app->ops[k];
        ord += o->node->kind == op->node->kind && strcmp(o->pump ? o->pump : "", pump) == 0;
    }
    const plan_node *nd = op->node;
    if (nd->kind == PLAN_TUMBLE_AGG)
        snprintf(out + n, WINDOW_ID_MAX - n, " %s/%d.%lld.%u.%u %u", op->vt->name, (int)nd->u.tumble.time_key.kind,
                 (long long)nd->u.tumble.time_key.width_ms, nd->u.tumble.n_keys, nd->u.tumble.n_aggs, ord);
    else if (nd->kind == PLAN_STAGGER_AGG)
        snprintf(out + n, WINDOW_ID_MAX - n, " %s/%lld.%u.%u %u", op->vt->name, (long long)nd->u.stagger.range_ms,
                 nd->u.stagger.n_keys, nd->u.stagger.n_aggs, ord);
    else if (nd->kind == PLAN_TABLE_FUNC) {
        /* The constant arguments: K, the window's seconds. */
        n += (size_t)snprintf(out + n, WINDOW_ID_MAX - n, " %s/%d", op->vt->name, nd->u.table_func.col);
        for (uint32_t a = 0; a < nd->u.table_func.n_args && n < WINDOW_ID_MAX - 40; a++) {
            const plan_expr *x = nd->u.table_func.args[a];
            while (x->kind == PX_CAST) x = x->u.cast.arg;
            if (x->kind == PX_LITERAL && !x->u.lit.is_null && eddy_type_is_integer(x->type.id))
                n += (size_t)snprintf(out + n, WINDOW_ID_MAX - n, ".%lld", (long long)x->u.lit.u.i);
        }
        snprintf(out + n, WINDOW_ID_MAX - n, " %u", ord);
    } else {
        snprintf(out + n, WINDOW_ID_MAX - n, " %s %u", op->vt->name, ord);
    }
}

int rt_app_new(const rt_app_opts *opts, const catalog *cat, plan_node *const *pumps, size_t n_pumps,
               rt_app **out, eddy_err *err) {
    rt_app *app = calloc(1, sizeof *app);
    if (!app) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    app->o = *opts;
    app->cat = cat;
    arena_init(&app->mem, 65536);
    sbuf_init(&app->line);
    app->env.query_start_ms = eddy_now_ms();
    app->esink.row_error = op_row_error;
    app->esink.ctx = app;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&app->wake_mu, NULL);
    pthread_cond_init(&app->wake_cv, &ca);
    pthread_condattr_destroy(&ca);
    app->wake_init = 1;
    int rc = shard_source_local_new(opts->store, &app->src, err);
    if (rc != 0) goto fail;
    size_t ns = 0;
    while (catalog_stream_at(cat, ns)) ns++;
    app->hubs = calloc(ns ? ns : 1, sizeof(hub));
    if (!app->hubs) goto nomem;
    for (size_t i = 0; i < ns; i++) {
        const cat_stream *cs = catalog_stream_at(cat, i);
        if (cs->kind == CAT_TABLE) continue;
        hub *h = &app->hubs[app->n_hubs++];
        h->cs = cs;
        h->n_cols = cs->n_cols;
        h->wm = INT64_MIN;
        h->types = arena_alloc(&app->mem, sizeof(eddy_type) * (cs->n_cols ? cs->n_cols : 1));
        if (!h->types) goto nomem;
        for (uint32_t c = 0; c < cs->n_cols; c++) h->types[c] = cs->cols[c].type;
        if (cs->kind == CAT_ERROR) app->errors = h;
    }
    app->pumps = calloc(n_pumps ? n_pumps : 1, sizeof(pump_run));
    if (!app->pumps) goto nomem;
    for (size_t i = 0; i < n_pumps; i++) {
        rc = build_pump(app, &app->pumps[i], pumps[i], err);
        app->n_pumps = i + 1;
        if (rc != 0) goto fail;
    }
    rc = build_merges(app, err);
    if (rc != 0) goto fail;
    const char **names = arena_alloc(&app->mem, sizeof(char *) * 64);
    if (!names) goto nomem;
    for (size_t i = 0; i < app->n_hubs; i++) {
        hub *h = &app->hubs[i];
        if (h->cs->sink.stream && !app->o.no_sinks) {
            const char **nm = arena_alloc(&app->mem, sizeof(char *) * (h->n_cols ? h->n_cols : 1));
            if (!nm) goto nomem;
            for (uint32_t c = 0; c < h->n_cols; c++) nm[c] = h->cs->cols[c].name;
            rt_encode_opts eo = {NULL, h->cs->sink.col_delim[0] ? h->cs->sink.col_delim : NULL, 0};
            h->enc = rt_encoder_new(h->cs->sink.format == PLAN_FMT_CSV ? RT_FMT_CSV : RT_FMT_JSON, nm, h->n_cols, &eo, err);
            if (!h->enc) goto fail_code;
            h->sink_stream = h->cs->sink.stream;
            h->pending = calloc(STORE_BATCH_RECORDS_MAX, sizeof(store_put_entry));
            h->pending_off = calloc(STORE_BATCH_RECORDS_MAX, sizeof(size_t));
            h->put_res = malloc(STORE_BATCH_RECORDS_MAX * sizeof *h->put_res);
            if (!h->pending || !h->pending_off || !h->put_res) goto nomem;
            sbuf_init(&h->pbuf);
            pthread_once(&sink_keys_once, sink_keys_init);
        }
        int to_err = h == app->errors && !wants_print(app, h);
        if (wants_print(app, h) || to_err) {
            const char **nm = arena_alloc(&app->mem, sizeof(char *) * (h->n_cols ? h->n_cols : 1));
            if (!nm) goto nomem;
            for (uint32_t c = 0; c < h->n_cols; c++) nm[c] = h->cs->cols[c].name;
            rt_encode_opts eo = {NULL, NULL, 1};
            h->penc = rt_encoder_new(app->o.format == RT_PRINT_CSV && !to_err ? RT_FMT_CSV : RT_FMT_JSON, nm, h->n_cols, &eo, err);
            if (!h->penc) goto fail_code;
            h->print = 1;
            h->pf = to_err ? (app->o.err_out ? app->o.err_out : stderr) : (app->o.out ? app->o.out : stdout);
        }
    }
    if (app->errors) {
        eddy_type et[RT_ERROR_STREAM_COLS];
        rt_error_stream_types(et);
        app->err_batch = rt_batch_new(et, RT_ERROR_STREAM_COLS, err);
        if (app->err_batch) app->err_spare = rt_batch_new(et, RT_ERROR_STREAM_COLS, err);
        if (app->err_batch && !app->err_spare) goto fail_code;
        if (!app->err_batch) goto fail_code;
    }
    /* Records read again after a restart (app.h, rt_app_window): tumbling
     * and stagger windows take what their saved window says; one the
     * checkpoint did not know (the application changed) takes them all. */
    for (size_t i = 0; i < app->n_ops; i++) {
        rt_op *op = app->ops[i];
        op->replaying = &app->replaying;
        op->replay_floor = INT64_MIN;
        if (!is_window_op(op) || !opts->resume) continue;
        char id[WINDOW_ID_MAX];
        window_id(app, i, id);
        const rt_app_window *w = NULL;
        for (size_t k = 0; k < opts->resume->n_windows && !w; k++)
            if (strcmp(opts->resume->windows[k].id, id) == 0) w = &opts->resume->windows[k];
        if (!w) continue;
        op->replay_floor = is_floor_op(op) ? w->from : INT64_MAX;
        for (size_t k = 0; op->replay_load && k < w->n_lines; k++) {
            eddy_err le;
            eddy_err_clear(&le);
            if (op->replay_load(op, w->lines[k], &le) != 0) {
                if (le.code == EDDY_E_NOMEM) goto nomem;
                /* A line that does not fit: its window starts from the
                 * records that come after the restart. */
                eddy_log(EDDY_LOG_WARN, "application %s: %s", opts->name, le.msg);
            }
        }
    }
    size_t n_src = 0;
    for (size_t i = 0; i < app->n_hubs; i++) n_src += app->hubs[i].cs->source.stream != NULL;
    app->sources = calloc(n_src ? n_src : 1, sizeof(source_run));
    if (!app->sources) goto nomem;
    for (size_t i = 0; i < app->n_hubs; i++) {
        if (!app->hubs[i].cs->source.stream) continue;
        rc = build_source(app, &app->sources[app->n_sources++], &app->hubs[i], err);
        if (rc != 0) goto fail;
    }
    *out = app;
    return 0;
nomem:
    eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
fail_code:
    rc = err && err->code ? err->code : EDDY_E_NOMEM;
fail:
    rt_app_free(app);
    return rc;
}

int rt_app_add_query(rt_app *app, const plan_node *root, rt_query_rows_fn fn, void *ctx, eddy_err *err) {
    /* Each query is its own allocation: hubs and operators point at it. */
    pump_run **nq = realloc(app->queries, sizeof(pump_run *) * (app->n_queries + 1));
    if (!nq) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    app->queries = nq;
    pump_run *p = calloc(1, sizeof *p);
    if (!p) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    app->queries[app->n_queries++] = p;
    p->qfn = fn;
    p->qctx = ctx;
    return build_pump(app, p, root, err);
}

/* ---------------------------------------------------------------- running */

/* Pushes the source's batch, which holds records read again after a
 * restart when `replay` is set. */
static int push_source_batch(rt_app *app, source_run *s, int replay, eddy_err *err) {
    app->replaying = replay;
    int rc = hub_push(app, s->h, s->batch, err);
    app->replaying = 0;
    rt_batch_reset(s->batch);
    return rc;
}

static int feed_records(rt_app *app, source_run *s, const rt_reader_out *ro, eddy_err *err) {
    int replay = 0;   /* of the rows in s->batch */
    for (size_t i = 0; i < ro->n_records; i++) {
        const rt_record *rec = &ro->records[i];
        int rec_replay = rt_reader_is_replay(s->reader, rec);
        if (rec_replay != replay || rt_batch_room(s->batch) < 64) {
            int rc = s->batch->n_rows ? push_source_batch(app, s, replay, err) : 0;
            if (rc != 0) return rc;
            replay = rec_replay;
        }
        const char *ename = NULL;
        eddy_err derr;
        eddy_err_clear(&derr);
        int rc = rt_decode_record(s->dec, rec->data, rec->data_len, rec->rowtime, s->batch, &ename, &derr);
        if (rc == EDDY_E_NOMEM) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        if (rc == EDDY_E_LIMIT) {
            /* The record expands to more rows than fit: flush and retry once. */
            int prc = push_source_batch(app, s, replay, err);
            if (prc != 0) return prc;
            eddy_err_clear(&derr);
            rc = rt_decode_record(s->dec, rec->data, rec->data_len, rec->rowtime, s->batch, &ename, &derr);
        }
        /* A record read again had its decode error reported before. */
        if (rc < 0 && !replay)
            report_error(app, ename ? ename : "PARSE_ERROR", derr.msg, rec->rowtime, rec->data, rec->data_len, NULL);
    }
    app->stats.records_in += ro->n_records;
    if (s->batch->n_rows) return push_source_batch(app, s, replay, err);
    return 0;
}

static int flush_outputs(rt_app *app, eddy_err *err) {
    int rc = err_flush(app, err);
    if (rc != 0) return rc;
    for (size_t i = 0; i < app->n_hubs; i++) {
        rc = sink_flush(app, &app->hubs[i], err);
        if (rc != 0) return rc;
    }
    FILE *f = app->o.out ? app->o.out : stdout;
    fflush(f);
    return 0;
}

static void progress(rt_app *app, int final) {
    if (!app->o.progress) return;
    fprintf(stderr, "\r%llu records read, %lld ms behind latest, %llu rows out, %llu errors%s",
            (unsigned long long)app->stats.records_in, (long long)app->stats.millis_behind_latest,
            (unsigned long long)app->stats.rows_out, (unsigned long long)app->stats.errors, final ? "\n" : "   ");
}

/* Reads a reference table's stored stream to its end, once, into its join
 * (KDA loads reference data when the application starts and never
 * refreshes it). Bad records go to error_stream like an input's. */
static int load_table(rt_app *app, table_load *tl, volatile sig_atomic_t *stop, eddy_err *err) {
    const char *name = tl->scan->u.table_scan.table;
    const cat_stream *cs = catalog_stream(app->cat, name);
    if (!cs || cs->kind != CAT_TABLE || !cs->source.stream)
        return eddy_err_set_at(err, EDDY_E_NOTFOUND, tl->scan->off, tl->scan->len,
                               "reference table \"%s\" has no data source", name);
    rt_decoder *dec = NULL;
    rt_batch *batch = NULL;
    rt_reader *rd = NULL;
    int rc = make_decoder(app, cs, &dec, &batch, err);
    if (rc == 0) {
        rt_reader_opts ro;
        rt_reader_opts_init(&ro);
        ro.kind = RT_READER_CLASSIC;
        ro.start = RT_START_TRIM_HORIZON;
        ro.drain = 1;
        rc = rt_reader_open(&ro, app->src, cs->source.stream, &rd, err);
        if (rc != 0) eddy_err_hint(err, "Reference table \"%s\" reads stored stream \"%s\".", name, cs->source.stream);
    }
    while (rc == 0 && (!stop || !*stop)) {
        rt_reader_out out;
        rc = rt_reader_poll(rd, 4096, &out, err);
        if (rc != 0) break;
        for (size_t i = 0; i < out.n_records && rc == 0; i++) {
            const rt_record *rec = &out.records[i];
            if (rt_batch_room(batch) < 64) {
                rc = rt_op_push_side(tl->op, tl->side, batch, err);
                rt_batch_reset(batch);
                if (rc != 0) break;
            }
            const char *ename = NULL;
            eddy_err derr;
            eddy_err_clear(&derr);
            int drc = rt_decode_record(dec, rec->data, rec->data_len, rec->rowtime, batch, &ename, &derr);
            if (drc == EDDY_E_LIMIT && batch->n_rows) {
                /* The record expands to more rows than fit: flush and retry once. */
                rc = rt_op_push_side(tl->op, tl->side, batch, err);
                rt_batch_reset(batch);
                if (rc != 0) break;
                eddy_err_clear(&derr);
                drc = rt_decode_record(dec, rec->data, rec->data_len, rec->rowtime, batch, &ename, &derr);
            }
            if (drc == EDDY_E_NOMEM) rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            else if (drc < 0)
                report_error(app, ename ? ename : "PARSE_ERROR", derr.msg, rec->rowtime, rec->data, rec->data_len, NULL);
        }
        if (rc == 0 && batch->n_rows) {
            rc = rt_op_push_side(tl->op, tl->side, batch, err);
            rt_batch_reset(batch);
        }
        if (rc != 0 || out.done) break;
        if (out.n_records == 0) rt_reader_wait(rd, 20);
    }
    rt_reader_close(rd);
    rt_decoder_free(dec);
    rt_batch_release(batch);
    if (rc != 0) return rc;
    tl->done = 1;
    return rt_op_finish_side(tl->op, tl->side, err);
}

/* ---------------------------------------------------------------- needed columns
 *
 * A source decodes only the columns some pipeline reads: the requirement
 * flows from each pump or query root down its plan to the STREAM_SCAN of the
 * source's stream. Anything this does not understand needs every column. */

static void expr_refs(const plan_expr *e, uint8_t *need, uint32_t n) {
    if (!e) return;
    switch (e->kind) {
    case PX_COLUMN:
        if (e->u.col.index < n) need[e->u.col.index] = 1;
        return;
    case PX_LITERAL:
    case PX_ROWTIME: return;
    case PX_OP:
        for (uint32_t i = 0; i < e->u.op.n_args; i++) expr_refs(e->u.op.args[i], need, n);
        return;
    case PX_CALL:
        for (uint32_t i = 0; i < e->u.call.n_args; i++) expr_refs(e->u.call.args[i], need, n);
        return;
    case PX_CAST: expr_refs(e->u.cast.arg, need, n); return;
    case PX_CASE:
        for (uint32_t i = 0; i < e->u.case_.n_whens; i++) {
            expr_refs(e->u.case_.whens[i], need, n);
            expr_refs(e->u.case_.thens[i], need, n);
        }
        expr_refs(e->u.case_.else_, need, n);
        return;
    case PX_LIKE:
        expr_refs(e->u.like.arg, need, n);
        expr_refs(e->u.like.pattern, need, n);
        expr_refs(e->u.like.escape, need, n);
        return;
    case PX_IN_LIST:
        expr_refs(e->u.in.arg, need, n);
        for (uint32_t i = 0; i < e->u.in.n_list; i++) expr_refs(e->u.in.list[i], need, n);
        return;
    }
}

static void aggs_refs(const plan_agg *aggs, uint32_t n_aggs, uint8_t *need, uint32_t n) {
    for (uint32_t j = 0; j < n_aggs; j++) {
        for (uint32_t a = 0; a < aggs[j].n_args; a++) expr_refs(aggs[j].args[a], need, n);
        const plan_window *w = aggs[j].window;
        if (w)
            for (uint32_t k = 0; k < w->n_partition; k++) expr_refs(w->partition[k], need, n);
    }
}

/* Marks in acc[] the columns of `stream` that node `nd` needs, given which
 * of its output columns its parent needs (out_need; NULL = all). */
static void needed_of(const plan_node *nd, const uint8_t *out_need, const char *stream, uint8_t *acc,
                      uint32_t n_acc) {
    if (!nd) return;
    if (nd->kind == PLAN_STREAM_SCAN) {
        if (strcmp(nd->u.stream_scan.stream, stream) != 0) return;
        for (uint32_t c = 0; c < n_acc && c < nd->out.n_cols; c++)
            if (!out_need || out_need[c]) acc[c] = 1;
        return;
    }
    if (nd->n_inputs != 1) {
        for (uint32_t i = 0; i < nd->n_inputs; i++) needed_of(nd->inputs[i], NULL, stream, acc, n_acc);
        return;
    }
    const plan_node *in = nd->inputs[0];
    uint32_t n_in = in->out.n_cols;
    uint8_t small[64], *need = n_in <= 64 ? small : calloc(n_in, 1);
    if (!need) {
        needed_of(in, NULL, stream, acc, n_acc);
        return;
    }
    memset(need, 0, n_in);
    int all = 0;
    switch (nd->kind) {
    case PLAN_PROJECT:
        for (uint32_t k = 0; k < nd->out.n_cols; k++)
            if (!out_need || out_need[k]) expr_refs(nd->u.project.exprs[k], need, n_in);
        break;
    case PLAN_FILTER:
        for (uint32_t c = 0; c < n_in; c++) need[c] = !out_need || out_need[c];
        expr_refs(nd->u.filter.pred, need, n_in);
        break;
    case PLAN_TSORT:
        for (uint32_t c = 0; c < n_in; c++) need[c] = !out_need || out_need[c];
        expr_refs(nd->u.tsort.key, need, n_in);
        break;
    case PLAN_TUMBLE_AGG:
        for (uint32_t k = 0; k < nd->u.tumble.n_keys; k++) expr_refs(nd->u.tumble.keys[k], need, n_in);
        aggs_refs(nd->u.tumble.aggs, nd->u.tumble.n_aggs, need, n_in);
        break;
    case PLAN_STAGGER_AGG:
        for (uint32_t k = 0; k < nd->u.stagger.n_keys; k++) expr_refs(nd->u.stagger.keys[k], need, n_in);
        aggs_refs(nd->u.stagger.aggs, nd->u.stagger.n_aggs, need, n_in);
        break;
    case PLAN_SLIDE_AGG:
        /* Output: the input columns, then the aggregates. */
        for (uint32_t c = 0; c < n_in; c++) need[c] = !out_need || out_need[c];
        aggs_refs(nd->u.slide.aggs, nd->u.slide.n_aggs, need, n_in);
        break;
    default: all = 1; break;
    }
    needed_of(in, all ? NULL : need, stream, acc, n_acc);
    if (need != small) free(need);
}

/* Tells each source's decoder which columns its readers use. */
static int set_needed_columns(rt_app *app, eddy_err *err) {
    for (size_t i = 0; i < app->n_sources; i++) {
        source_run *s = &app->sources[i];
        hub *h = s->h;
        if (h->print || h->enc || h->n_cols == 0) continue;  /* printed or written whole */
        uint8_t *acc = calloc(h->n_cols, 1);
        if (!acc) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        for (size_t p = 0; p < app->n_pumps; p++) {
            const plan_node *root = app->pumps[p].root;
            /* A pump copies every column of its input into its target. */
            needed_of(root->n_inputs ? root->inputs[0] : NULL, NULL, h->cs->name, acc, h->n_cols);
        }
        for (size_t q = 0; q < app->n_queries; q++)
            needed_of(app->queries[q]->root, NULL, h->cs->name, acc, h->n_cols);
        int rc = rt_decoder_set_needed(s->dec, acc, err);
        free(acc);
        if (rc != 0) return rc;
    }
    return 0;
}

/* The source whose records a window's input rows are, keeping their
 * arrival times (filters, projections, DISTINCTs and reference joins over
 * an in-application stream that the source alone feeds, or that one pump
 * of such operators writes), or NULL. Reading
 * that source again from the window's horizon rebuilds the window. */
static const source_run *replay_source(const rt_app *app, const plan_node *n) {
    /* Through in-application streams that one pump of such operators
     * writes (source -> pump -> stream -> window), as far as 16 deep. */
    for (int depth = 0; depth < 16; depth++) {
        n = n->n_inputs ? n->inputs[0] : NULL;
        while (n && (n->kind == PLAN_FILTER || n->kind == PLAN_PROJECT || n->kind == PLAN_TABLE_JOIN ||
                     n->kind == PLAN_DISTINCT))
            n = n->inputs[0];
        if (!n || n->kind != PLAN_STREAM_SCAN) return NULL;
        const hub *h = NULL;
        for (size_t i = 0; i < app->n_hubs && !h; i++)
            if (!strcmp(app->hubs[i].cs->name, n->u.stream_scan.stream)) h = &app->hubs[i];
        if (!h) return NULL;
        if (h->cs->source.stream) {
            if (h->n_feeders) return NULL;   /* read from a stored stream and written by a pump: two inputs */
            for (size_t i = 0; i < app->n_sources; i++)
                if (app->sources[i].h == h) return &app->sources[i];
            return NULL;
        }
        if (h->n_feeders != 1) return NULL;
        const pump_run *feeder = NULL;
        for (size_t i = 0; i < app->n_pumps && !feeder; i++)
            if (app->pumps[i].to == h) feeder = &app->pumps[i];
        if (!feeder) return NULL;
        n = feeder->root;   /* PLAN_PUMP: its input is the query */
    }
    return NULL;
}

/* Whether the application can save positions while it runs: no operator
 * keeps rows or partial results between records, except tumbling, sliding
 * and stagger windows and DISTINCT over records' arrival times (see
 * checkpoint). (Tumbling windows over keys not computed from ROWTIME pass
 * here but never give a horizon, so no checkpoint is written.) */
static int app_checkpointable(const rt_app *app) {
    for (size_t i = 0; i < app->n_ops; i++) {
        const plan_node *n = app->ops[i]->node;
        switch (n->kind) {
        case PLAN_SOURCE: case PLAN_DECODE: case PLAN_STREAM_SCAN: case PLAN_TABLE_SCAN: case PLAN_FILTER:
        case PLAN_PROJECT: case PLAN_TABLE_JOIN: case PLAN_ROWTIME: case PLAN_PUMP: case PLAN_SINK: break;
        case PLAN_TUMBLE_AGG:
        case PLAN_SLIDE_AGG:
        case PLAN_STAGGER_AGG:
        case PLAN_DISTINCT:
        case PLAN_TABLE_FUNC:   /* the tumbling ones have a horizon */
            if (!app->ops[i]->vt->horizon || !replay_source(app, n)) return 0;
            break;
        default: return 0;
        }
    }
    /* A stream several pumps write merges them in ROWTIME order, holding
     * rows back. Queries (SELECT STREAM) are not part of what is saved. */
    for (size_t i = 0; i < app->n_hubs; i++)
        if (app->hubs[i].n_feeders > 1) return 0;
    return app->n_queries == 0;
}

static int resume_save_from(const rt_app *app, const int64_t *horizon, rt_app_resume *out, eddy_err *err);

/* Adds what each tumbling and stagger window needs after a restart
 * (rt_app_window) to r, and lowers from[] (per source) to the earliest
 * record any of them needs. checkpointing: the windows open now count
 * (they will be rebuilt); else the application has stopped and written
 * them. Either way, while records up to the marks are still being read
 * again (rt_reader_replaying), what this run loaded still counts: a window
 * not reached yet must be rebuilt after the next restart too. */
static int save_windows(const rt_app *app, int checkpointing, int64_t *from, rt_app_resume *r, eddy_err *err) {
    sbuf lines;
    sbuf_init(&lines);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < app->n_ops; i++) {
        rt_op *op = app->ops[i];
        if (!is_window_op(op)) continue;
        const source_run *s = replay_source(app, op->node);
        int carried = s && rt_reader_replaying(s->reader);
        /* A stopped application closed its windows, except behind an input
         * still being read again (rt_app_run): those stay open to rebuild. */
        int open_now = checkpointing || carried;
        int64_t h = INT64_MAX;
        sbuf_clear(&lines);
        if (is_floor_op(op)) {
            if (open_now && op->vt->horizon(op, &h) != 1) h = INT64_MAX;
            if (carried && op->replay_floor < h) h = op->replay_floor;
        } else if (op->replay_save && op->replay_save(op, open_now, carried, &lines, &h) != 0) {
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            break;
        }
        if (lines.failed) {
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            break;
        }
        char id[WINDOW_ID_MAX];
        window_id(app, i, id);
        rt_app_window *w = rt_app_resume_add_window(r, id, is_floor_op(op) ? h : INT64_MAX);
        if (!w) {
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            break;
        }
        for (size_t a = 0; rc == 0 && a < lines.len;) {
            const char *nl = memchr(lines.data + a, '\n', lines.len - a);
            size_t len = nl ? (size_t)(nl - (lines.data + a)) : lines.len - a;
            if (rt_app_window_add_line(w, lines.data + a, len) != 0) rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            a += len + 1;
        }
        if (from && s && h < from[s - app->sources]) from[s - app->sources] = h;
    }
    sbuf_free(&lines);
    return rc;
}

/* Saves the inputs' positions (see rt_app_run): after every record read
 * so far, except that records from the earliest window horizon on are read
 * again, which rebuilds the windows. The positions mark, per shard, the
 * last record read so far: after a restart, what records up to it produce
 * is not written again (rt_reader_is_replay), and tumbling and stagger
 * windows take them only for windows that were open (save_windows). A
 * failure is logged, not fatal: the previous checkpoint still holds. */
/* Per source, the earliest record (arrival time) an operator's state over
 * it was built from, INT64_MAX for none; only_replaying: for the sources
 * still reading records again, the others get INT64_MAX. Returns 0, or -1
 * when some operator cannot say now. */
static int source_horizons(const rt_app *app, int only_replaying, int64_t *from) {
    for (size_t i = 0; i < app->n_sources; i++) from[i] = INT64_MAX;
    for (size_t i = 0; i < app->n_ops; i++) {
        rt_op *op = app->ops[i];
        int64_t h = INT64_MAX;
        if (op->node->kind != PLAN_SLIDE_AGG && op->node->kind != PLAN_DISTINCT && !is_window_op(op)) continue;
        const source_run *s = replay_source(app, op->node);
        if (only_replaying && !(s && rt_reader_replaying(s->reader))) continue;
        int k = op->vt->horizon(op, &h);
        if (k < 0) return -1;
        if (k > 0 && s && h < from[s - app->sources]) from[s - app->sources] = h;
    }
    return 0;
}

static int checkpoint(rt_app *app, eddy_err *err) {
    /* Per source: the earliest horizon of a window over its records. */
    int64_t *from = malloc(sizeof(int64_t) * (app->n_sources + 1));
    if (!from) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    if (source_horizons(app, 0, from) != 0) {
        free(from);
        return 0;   /* cannot say now: keep the last checkpoint */
    }
    /* Writing rows may report OUTPUT_ERROR rows, which go out in turn. */
    int rc = 0;
    for (int round = 0; rc == 0 && round < 4; round++) {
        rc = flush_outputs(app, err);
        if (!app->err_batch || app->err_batch->n_rows == 0) break;
    }
    if (rc != 0) {
        free(from);
        return rc;
    }
    eddy_err e;
    eddy_err_clear(&e);
    for (size_t i = 0; rc == 0 && i < app->n_hubs; i++)
        if (app->hubs[i].sink_stream) rc = store_stream_sync(app->o.store, app->hubs[i].sink_stream, &e);
    rt_app_resume r;
    memset(&r, 0, sizeof r);
    if (rc == 0) rc = save_windows(app, 1, from, &r, &e);
    if (rc == 0) {
        rt_app_resume pos;
        if ((rc = resume_save_from(app, from, &pos, &e)) == 0) {
            r.inputs = pos.inputs;
            r.n = pos.n;
            rc = rt_app_resume_write(&r, app->o.checkpoint_path, &e);
        }
    }
    rt_app_resume_free(&r);
    if (rc == 0 && app->o.on_checkpoint) app->o.on_checkpoint(app->o.checkpoint_ctx);
    free(from);
    if (rc != 0) eddy_log(EDDY_LOG_WARN, "application %s: no checkpoint: %s", app->o.name, e.msg);
    return 0;
}

int rt_app_run(rt_app *app, volatile sig_atomic_t *stop, eddy_err *err) {
    uint64_t last_progress = 0;
    app->stop = stop;
    if (!app->needed_set) {
        int rc = set_needed_columns(app, err);
        if (rc != 0) return rc;
        app->needed_set = 1;
    }
    for (size_t i = 0; i < app->n_tables; i++) {
        if (app->tables[i].done) continue;
        int rc = load_table(app, &app->tables[i], stop, err);
        if (rc == 0) rc = err_flush(app, err);
        if (rc != 0) return rc;
    }
    /* CURRENT_TIMESTAMP and friends read the query's start on this thread. */
    udf_set_query_start_ms(app->env.query_start_ms);
    int checkpointing = app->o.checkpoint_path && app_checkpointable(app);
    uint64_t ckpt_ns = (uint64_t)(app->o.checkpoint_interval_ms > 0 ? app->o.checkpoint_interval_ms
                                                                     : RT_APP_CHECKPOINT_MS) * 1000000ull;
    uint64_t next_checkpoint_ns = eddy_mono_ns() + ckpt_ns;
    while ((!stop || !*stop) && !app->query_stop) {
        int any = 0, all_done = 1;
        app->stats.millis_behind_latest = 0;
        for (size_t i = 0; i < app->n_sources; i++) {
            source_run *s = &app->sources[i];
            if (s->done) continue;
            rt_reader_out ro;
            int rc = rt_reader_poll(s->reader, 4096, &ro, err);
            if (rc != 0) return rc;
            if (ro.n_records) any = 1;
            rc = feed_records(app, s, &ro, err);
            if (rc != 0) return rc;
            s->millis_behind = ro.millis_behind_latest;
            if (ro.millis_behind_latest > app->stats.millis_behind_latest)
                app->stats.millis_behind_latest = ro.millis_behind_latest;
            if (ro.watermark > s->wm && ro.watermark != INT64_MIN) {
                s->wm = ro.watermark;
                rc = hub_watermark(app, s->h, s->wm, err);
                if (rc != 0) return rc;
            }
            if (ro.done) {
                s->done = 1;
                /* Draining, an input read to its end has no more rows for
                 * this run: finishing it now closes its windows and lets
                 * merges with inputs still being read go on, instead of
                 * holding their rows until every input is done. */
                if (app->o.drain && (rc = hub_finish(app, s->h, err)) != 0) return rc;
            } else {
                all_done = 0;
            }
        }
        int rc = err_flush(app, err);
        if (rc != 0) return rc;
        uint64_t now = eddy_mono_ns();
        if (now - last_progress > 500000000ull) {
            progress(app, 0);
            last_progress = now;
        }
        if (app->o.drain && all_done) break;
        if (checkpointing && now >= next_checkpoint_ns) {
            next_checkpoint_ns = now + ckpt_ns;
            if ((rc = checkpoint(app, err)) != 0) return rc;
        }
        if (!any) {
            rc = flush_outputs(app, err);
            if (rc != 0) return rc;
            if (app->n_sources) app_wait(app, 50);
            else usleep(50000);
        }
    }
    /* Close every open window, then write everything out; except behind an
     * input whose records up to its replay marks are still being read
     * again: those windows are only part rebuilt, and the positions saved
     * now keep what rebuilds them whole at the next start (save_windows). */
    for (size_t i = 0; i < app->n_hubs; i++) {
        hub *h = &app->hubs[i];
        if (h->n_feeders == 0 && h != app->errors) {
            int replaying = 0;
            for (size_t k = 0; k < app->n_sources; k++)
                if (app->sources[k].h == h && rt_reader_replaying(app->sources[k].reader)) replaying = 1;
            if (replaying) continue;
            int rc = hub_finish(app, h, err);
            if (rc != 0) return rc;
        }
    }
    /* error_stream last: closing windows may still report rows to it, and
     * pumps reading it must close their windows too. */
    if (app->errors) {
        int rc = err_flush(app, err);
        if (rc == 0) rc = hub_finish(app, app->errors, err);
        if (rc == 0) rc = err_flush(app, err);
        if (rc != 0) return rc;
    }
    int rc = flush_outputs(app, err);
    progress(app, 1);
    return rc;
}

size_t rt_app_inputs(const rt_app *app, rt_app_input *out, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < app->n_sources && n < cap; i++, n++) {
        out[n].stream = app->sources[i].h->cs->name;
        out[n].millis_behind_latest = app->sources[i].millis_behind;
    }
    return n;
}

int rt_app_resume_save(const rt_app *app, rt_app_resume *out, eddy_err *err) {
    /* Inputs still being read again after a crash kept their windows open
     * (rt_app_run): their positions point back to where those windows
     * rebuild from, as a checkpoint's do. */
    int64_t *from = malloc(sizeof(int64_t) * (app->n_sources + 1));
    if (!from) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    int replaying = 0;
    for (size_t i = 0; i < app->n_sources; i++) replaying |= rt_reader_replaying(app->sources[i].reader);
    if (!replaying || source_horizons(app, 1, from) != 0)
        for (size_t i = 0; i < app->n_sources; i++) from[i] = INT64_MAX;
    rt_app_resume w;
    memset(&w, 0, sizeof w);
    int rc = save_windows(app, 0, from, &w, err);
    if (rc == 0) rc = resume_save_from(app, from, out, err);
    if (rc == 0) {
        out->windows = w.windows;
        out->n_windows = w.n_windows;
        w.windows = NULL;
        w.n_windows = 0;
    }
    rt_app_resume_free(&w);
    free(from);
    return rc;
}

/* horizon: per source, records from that ROWTIME on are read again
 * (rt_reader_positions_get_from); NULL = none. */
static int resume_save_from(const rt_app *app, const int64_t *horizon, rt_app_resume *out, eddy_err *err) {
    memset(out, 0, sizeof *out);
    out->inputs = calloc(app->n_sources ? app->n_sources : 1, sizeof *out->inputs);
    if (!out->inputs) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (size_t i = 0; i < app->n_sources; i++) {
        const source_run *s = &app->sources[i];
        rt_app_resume_input *ri = &out->inputs[out->n++];
        ri->stream = strdup(s->h->cs->name);
        ri->source = strdup(s->h->cs->source.stream);
        int rc = rt_reader_positions_get_from(s->reader, horizon ? horizon[i] : INT64_MAX, &ri->pos, &ri->n_pos, err);
        if (rc == 0 && (!ri->stream || !ri->source)) rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        if (rc != 0) {
            rt_app_resume_free(out);
            return rc;
        }
    }
    return 0;
}

void rt_app_get_stats(const rt_app *app, rt_app_stats *out) {
    *out = app->stats;
    /* Read while the application runs on another thread: a snapshot for
     * monitoring, not an exact figure. */
    out->state_bytes = 0;
    for (size_t i = 0; i < app->n_ops; i++) out->state_bytes += app->ops[i]->state_bytes;
}

void rt_app_free(rt_app *app) {
    if (!app) return;
    for (size_t i = 0; i < app->n_sources; i++) {
        rt_reader_close(app->sources[i].reader);
        rt_decoder_free(app->sources[i].dec);
        rt_batch_release(app->sources[i].batch);
    }
    for (size_t i = 0; i < app->n_ops; i++)
        if (app->ops[i]->vt && app->ops[i]->vt->end) app->ops[i]->vt->end(app->ops[i]);
    free(app->ops);
    free(app->tables);
    for (size_t i = 0; i < app->n_pumps; i++) rt_batch_release(app->pumps[i].out);
    for (size_t i = 0; i < app->n_queries; i++) free(app->queries[i]);
    free(app->queries);
    for (size_t i = 0; i < app->n_hubs; i++) {
        hub *h = &app->hubs[i];
        free(h->subs);
        rt_encoder_free(h->enc);
        rt_encoder_free(h->penc);
        free(h->pending);
        free(h->pending_off);
        free(h->put_res);
        sbuf_free(&h->pbuf);
    }
    rt_batch_release(app->err_batch);
    rt_batch_release(app->err_spare);
    shard_source_free(app->src);
    free(app->sources);
    free(app->pumps);
    free(app->hubs);
    sbuf_free(&app->line);
    arena_free(&app->mem);
    if (app->wake_init) {
        pthread_cond_destroy(&app->wake_cv);
        pthread_mutex_destroy(&app->wake_mu);
    }
    free(app);
}
