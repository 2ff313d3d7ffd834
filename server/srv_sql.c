/*
 * srv_sql.c — `POST /v1/sql` (statements on the server-wide session) and
 * `POST /v1/query` (one push query streamed as newline-delimited JSON).
 *
 * Statements run on libuv's thread pool under the session mutex: DDL is
 * short, and running it off the loop keeps PutRecords latency flat. Each
 * push query gets its own thread and its own session rebuilt from the
 * server session's script, so long queries never hold the mutex.
 *
 * Both routes parse the text once on the loop (cheap) only to classify it:
 * a SELECT STREAM sent to /v1/sql would block a pool thread until its
 * LIMIT, and DDL sent to /v1/query would be lost with the query's session.
 *
 * The first part of the file is the "feed" (srv_sql.h) that push queries
 * and SSE feeds (srv_sse.c) answer through: queue, wake-ups, back-pressure,
 * abort and cleanup. A feed is freed on the loop once (1) its worker has
 * ended and been joined, (2) the reply has ended or the client left, and
 * (3) both of its uv handles are closed; until then it stays in the
 * router's list so a shutdown can stop it.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "eddy_log.h"
#include "eddy_time.h"
#include "sql_parse.h"
#include "srv_router.h"
#include "srv_sql.h"

/* ------------------------------------------------------------ feeds */

/* The transport queue above which the loop stops handing over bytes. */
#define TRANSPORT_HIGH (256 * 1024)
#define RETRY_MS 10

static void on_handle_closed(uv_handle_t *h) {
    srv_feed *f = h->data;
    if (--f->n_closing > 0) return;
    if (f->arg_free) f->arg_free(f->arg);
    sbuf_free(&f->queue);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static void feed_unlink(srv_feed *f) {
    srv_router *rt = f->rt;
    if (f->prev) f->prev->next = f->next;
    else rt->feeds = f->next;
    if (f->next) f->next->prev = f->prev;
    f->next = f->prev = NULL;
}

static void feed_pump(srv_feed *f);
static void feed_pump_timer(uv_timer_t *t);

static void observe(srv_feed *f) {
    if (f->observed) return;
    f->observed = 1;
    srv_metrics_observe(f->rt->metrics, f->route, (double)(eddy_mono_ns() - f->t0_ns) / 1e9);
}

/* The loop's half: moves what the worker produced to the transport. */
static void feed_pump(srv_feed *f) {
    if (f->n_closing) return;
    sbuf take;
    sbuf_init(&take);
    pthread_mutex_lock(&f->mu);
    int want_begin = f->want_begin, want_status = f->want_status, done = f->worker_done;
    const char *ctype = f->ctype;
    /* Without a client the bytes are dropped, so the worker never waits. */
    int room = !f->resp || !f->began || srv_stream_pending(f->resp) < TRANSPORT_HIGH;
    if (room && f->queue.len) {
        sbuf tmp = f->queue;
        f->queue = take;
        take = tmp;
    }
    int left = f->queue.len > 0;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);

    if (f->resp && !f->began && want_status) {
        srv_header h[] = {{"Content-Type", ctype}};
        srv_reply(f->resp, want_status, h, 1, take.data, take.len);
        f->resp = NULL;
        observe(f);
        sbuf_clear(&take);
    } else if (f->resp && !f->began && want_begin) {
        srv_header h[] = {{"Content-Type", ctype}, {"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
        f->began = 1;
        observe(f);
        if (srv_stream_begin(f->resp, 200, h, 3) != 0) {
            f->resp = NULL;
            f->stop = 1;
        }
    }
    /* A write error without on_abort means the client is gone: stop. */
    if (f->resp && f->began && take.len && srv_stream_write(f->resp, take.data, take.len) != 0) f->stop = 1;
    sbuf_free(&take);
    if (left && f->resp) {
        uv_timer_start(&f->retry, feed_pump_timer, RETRY_MS, 0);
        return;
    }
    if (!done) return;
    /* The worker has ended and everything it wrote was handed over. */
    if (f->has_thread) {
        pthread_join(f->thread, NULL);
        f->has_thread = 0;
        srv_metrics_query_ended(f->rt->metrics);
    }
    if (f->resp) {
        static const char k_noreply[] = "{\"error\":{\"code\":\"internal_error\",\"message\":\"no reply\"}}";
        if (f->began) srv_stream_end(f->resp);
        else srv_reply(f->resp, 500, NULL, 0, k_noreply, sizeof k_noreply - 1);
        f->resp = NULL;
    }
    feed_unlink(f);
    f->n_closing = 2;
    uv_close((uv_handle_t *)&f->async, on_handle_closed);
    uv_close((uv_handle_t *)&f->retry, on_handle_closed);
}

static void feed_pump_timer(uv_timer_t *t) { feed_pump(t->data); }

static void on_async(uv_async_t *a) { feed_pump(a->data); }

static void on_abort(void *ctx) {
    srv_feed *f = ctx;
    f->resp = NULL;
    f->stop = 1;
    feed_pump(f);   /* wakes a worker waiting for room */
}

static void *feed_main(void *arg) {
    srv_feed *f = arg;
    f->work(f);
    pthread_mutex_lock(&f->mu);
    f->worker_done = 1;
    pthread_mutex_unlock(&f->mu);
    uv_async_send(&f->async);
    return NULL;
}

void srv_feed_start(srv_router *rt, srv_response *r, srv_route route, uint64_t t0_ns, srv_feed_work_fn work,
                    void *arg, void (*arg_free)(void *), int sse) {
    srv_feed *f = calloc(1, sizeof *f);
    if (!f) {
        if (arg_free) arg_free(arg);
        srv_reply_error(rt, r, route, t0_ns, 500, "internal_error", "out of memory");
        return;
    }
    f->rt = rt;
    f->route = route;
    f->t0_ns = t0_ns;
    f->work = work;
    f->arg = arg;
    f->arg_free = arg_free;
    f->sse = sse;
    f->max_queued = 256 * 1024;
    f->resp = r;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    sbuf_init(&f->queue);
    uv_async_init(rt->loop, &f->async, on_async);
    uv_timer_init(rt->loop, &f->retry);
    f->async.data = f->retry.data = f;
    f->next = rt->feeds;
    if (rt->feeds) rt->feeds->prev = f;
    rt->feeds = f;
    srv_response_on_abort(r, on_abort, f);
    srv_metrics_query_started(rt->metrics);
    f->has_thread = 1;
    if (pthread_create(&f->thread, NULL, feed_main, f) != 0) {
        eddy_log(EDDY_LOG_WARN, "cannot start a query thread");
        f->has_thread = 0;
        srv_metrics_query_ended(rt->metrics);
        srv_response_on_abort(r, NULL, NULL);
        f->resp = NULL;
        f->worker_done = 1;
        srv_reply_error(rt, r, route, t0_ns, 503, "unavailable", "cannot start a query thread");
        feed_pump(f);
    }
}

/* ------------------------------------------------------------ worker side */

/* Waits (mu held) until the queue has room or the feed is stopped. */
static int wait_room(srv_feed *f) {
    while (!f->stop && f->queue.len >= f->max_queued) pthread_cond_wait(&f->cv, &f->mu);
    return f->stop ? -1 : 0;
}

int srv_feed_begin(srv_feed *f, const char *ctype) {
    pthread_mutex_lock(&f->mu);
    f->want_begin = 1;
    f->ctype = ctype;
    pthread_mutex_unlock(&f->mu);
    uv_async_send(&f->async);
    return f->stop ? -1 : 0;
}

int srv_feed_write(srv_feed *f, const void *data, size_t len) {
    pthread_mutex_lock(&f->mu);
    int rc = wait_room(f);
    if (rc == 0) sbuf_append(&f->queue, data, len);
    pthread_mutex_unlock(&f->mu);
    if (rc == 0) uv_async_send(&f->async);
    return rc;
}

int srv_feed_reply(srv_feed *f, int status, const char *ctype, const void *body, size_t len) {
    pthread_mutex_lock(&f->mu);
    sbuf_clear(&f->queue);
    sbuf_append(&f->queue, body, len);
    f->want_status = status;
    f->ctype = ctype;
    pthread_mutex_unlock(&f->mu);
    uv_async_send(&f->async);
    return f->stop ? -1 : 0;
}

/* ------------------------------------------------------------ router side */

void srv_feeds_stop_all(srv_router *rt) {
    for (srv_feed *f = rt->feeds; f; f = f->next) {
        f->stop = 1;
        pthread_mutex_lock(&f->mu);
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
    }
}

void srv_feeds_keepalive(srv_router *rt) {
    static const char k_comment[] = ": keep-alive\n\n";
    for (srv_feed *f = rt->feeds; f; f = f->next)
        if (f->sse && f->began && f->resp && !f->n_closing) srv_stream_write(f->resp, k_comment, sizeof k_comment - 1);
}

/* ------------------------------------------------------------ JSON helpers */

static const char *code_name(int code) {
    switch (code) {
    case EDDY_E_SYNTAX: return "syntax_error";
    case EDDY_E_SEMANTIC: return "semantic_error";
    case EDDY_E_NOTFOUND: return "not_found";
    case EDDY_E_INVAL: return "invalid_argument";
    case EDDY_E_VALIDATION: return "validation_error";
    case EDDY_E_UNSUPPORTED: return "unsupported";
    case EDDY_E_RUNTIME: return "runtime_error";
    case EDDY_E_INUSE: return "in_use";
    case EDDY_E_LIMIT: return "limit_exceeded";
    case EDDY_E_NOMEM: return "out_of_memory";
    case EDDY_E_IO: return "io_error";
    case EDDY_E_TIMEOUT: return "timeout";
    default: return "internal_error";
    }
}

int srv_sql_error_status(int code) {
    switch (code) {
    case EDDY_E_SYNTAX:
    case EDDY_E_SEMANTIC:
    case EDDY_E_NOTFOUND:
    case EDDY_E_INVAL:
    case EDDY_E_VALIDATION:
    case EDDY_E_UNSUPPORTED:
    case EDDY_E_INUSE:
    case EDDY_E_LIMIT:
    case EDDY_E_RUNTIME: return 400;
    default: return 500;
    }
}

void srv_sql_error_json(sbuf *out, const eddy_err *err, const char *sql, size_t len) {
    sbuf_puts(out, "{\"error\":{\"code\":\"");
    sbuf_puts(out, code_name(err->code));
    sbuf_puts(out, "\",\"message\":");
    sbuf_json_str(out, err->msg, strlen(err->msg));
    if (err->has_pos && sql) {
        int line = 0, col = 0;
        eddy_text_linecol(sql, len, err->off, &line, &col);
        sbuf_printf(out, ",\"line\":%d,\"column\":%d", line, col);
    } else {
        sbuf_puts(out, ",\"line\":null,\"column\":null");
    }
    char caret[4096];
    size_t n = eddy_err_render(err, sql, sql ? len : 0, caret, sizeof caret);
    sbuf_puts(out, ",\"caret\":");
    sbuf_json_str(out, caret, n);
    if (err->hint[0]) {
        sbuf_puts(out, ",\"hint\":");
        sbuf_json_str(out, err->hint, strlen(err->hint));
    }
    sbuf_puts(out, "}}");
}

/* A strict JSON number (what JSON.parse accepts). */
static int is_json_number(const char *s) {
    if (*s == '-') s++;
    if (*s == '0') s++;
    else if (*s >= '1' && *s <= '9') while (*s >= '0' && *s <= '9') s++;
    else return 0;
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    return *s == '\0';
}

void srv_json_value(sbuf *out, eddy_type t, const char *v) {
    if (!v) {
        sbuf_puts(out, "null");
        return;
    }
    switch (t.id) {
    case EDDY_T_TINYINT:
    case EDDY_T_SMALLINT:
    case EDDY_T_INTEGER:
    case EDDY_T_BIGINT:
    case EDDY_T_DECIMAL:
    case EDDY_T_REAL:
    case EDDY_T_DOUBLE:
        if (is_json_number(v)) {
            sbuf_puts(out, v);
            return;
        }
        break;
    case EDDY_T_BOOLEAN:
        if (!strcasecmp(v, "true") || !strcasecmp(v, "false")) {
            sbuf_puts(out, (v[0] == 't' || v[0] == 'T') ? "true" : "false");
            return;
        }
        break;
    default: break;
    }
    sbuf_json_str(out, v, strlen(v));
}

/* Finds the first SELECT STREAM of `sql`; returns its statement or NULL.
 * Sets *n_stmts. A syntax error returns NULL with err set. */
static const ast_stmt *classify(const char *sql, size_t len, arena *a, uint32_t *n_stmts, eddy_err *err) {
    sql_script *script = NULL;
    *n_stmts = 0;
    if (sql_parse(sql, len, a, &script, err) != 0) return NULL;
    *n_stmts = script->n_stmts;
    for (uint32_t i = 0; i < script->n_stmts; i++)
        if (script->stmts[i]->kind == AST_S_QUERY) return script->stmts[i];
    return NULL;
}

static void reply_sql_error(srv_router *rt, srv_response *r, srv_route route, uint64_t t0, const eddy_err *err,
                            const char *sql, size_t len) {
    sbuf b;
    sbuf_init(&b);
    srv_sql_error_json(&b, err, sql, len);
    srv_reply_json(rt, r, route, t0, srv_sql_error_status(err->code), b.data, b.len);
    sbuf_free(&b);
}

/* ------------------------------------------------------------ POST /v1/sql */

typedef struct sql_job {
    uv_work_t work;
    srv_router *rt;
    srv_response *resp;
    uint64_t t0;
    char *sql;
    size_t len;
    /* results, built on the pool thread */
    sbuf out;
    int n_results, in_table, n_rows;
    int rc;
    eddy_err err;
    char *script;            /* the session script when this job changed it */
    int save_failed;
} sql_job;

static void res_close_table(sql_job *j) {
    if (j->in_table) sbuf_puts(&j->out, "]}");
    j->in_table = 0;
}

static void res_next(sql_job *j) {
    res_close_table(j);
    if (j->n_results++) sbuf_putc(&j->out, ',');
}

static void sql_on_message(void *ctx, const char *msg) {
    sql_job *j = ctx;
    res_next(j);
    sbuf_puts(&j->out, "{\"message\":");
    sbuf_json_str(&j->out, msg, strlen(msg));
    sbuf_putc(&j->out, '}');
}

static void sql_on_header(void *ctx, const eddy_column_info *cols, uint32_t n, int push) {
    sql_job *j = ctx;
    res_next(j);
    sbuf_puts(&j->out, "{\"columns\":[");
    for (uint32_t i = 0; i < n; i++) {
        char tn[64];
        eddy_type_format(cols[i].type, tn, sizeof tn);
        if (i) sbuf_putc(&j->out, ',');
        sbuf_puts(&j->out, "{\"name\":");
        sbuf_json_str(&j->out, cols[i].name, strlen(cols[i].name));
        sbuf_puts(&j->out, ",\"type\":");
        sbuf_json_str(&j->out, tn, strlen(tn));
        sbuf_putc(&j->out, '}');
    }
    sbuf_puts(&j->out, "],\"rows\":[");
    j->in_table = 1;
    j->n_rows = 0;
}

static int sql_on_row(void *ctx, int64_t rowtime, const char *const *vals, uint32_t n) {
    sql_job *j = ctx;
    if (!j->in_table) return 1;
    if (j->n_rows++) sbuf_putc(&j->out, ',');
    sbuf_putc(&j->out, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i) sbuf_putc(&j->out, ',');
        if (vals[i]) sbuf_json_str(&j->out, vals[i], strlen(vals[i]));
        else sbuf_puts(&j->out, "null");
    }
    sbuf_putc(&j->out, ']');
    return 0;
}

static void sql_work(uv_work_t *w) {
    sql_job *j = w->data;
    srv_router *rt = j->rt;
    eddy_exec_cb cb = {sql_on_message, sql_on_header, sql_on_row, NULL, j};
    /* Push queries were refused before; a stop flag already set makes sure
     * one could never block this pool thread. */
    volatile sig_atomic_t stop = 1;
    pthread_mutex_lock(&rt->session_mu);
    const char *before = eddy_session_script(rt->session);
    size_t before_len = before ? strlen(before) : 0;
    j->rc = eddy_session_exec(rt->session, j->sql, j->len, &cb, &stop, &j->err);
    const char *after = eddy_session_script(rt->session);
    size_t after_len = after ? strlen(after) : 0;
    /* Statements before an error were accepted too: persist them either
     * way. The fsync happens outside the session mutex (the loop takes it
     * to list streams); save_mu, taken first, keeps the rewrites in order. */
    int changed = after_len != before_len;
    if (changed) {
        j->script = strdup(after);
        pthread_mutex_lock(&rt->save_mu);
    }
    pthread_mutex_unlock(&rt->session_mu);
    if (changed) {
        eddy_err serr;
        eddy_err_clear(&serr);
        if (!j->script || srv_router_save_catalog(rt, j->script, &serr) != 0) {
            eddy_log(EDDY_LOG_WARN, "%s", j->script ? serr.msg : "out of memory saving the catalog");
            j->save_failed = 1;
        }
        pthread_mutex_unlock(&rt->save_mu);
    }
    res_close_table(j);
}

static void sql_done(uv_work_t *w, int status) {
    sql_job *j = w->data;
    srv_router *rt = j->rt;
    sbuf b;
    sbuf_init(&b);
    if (j->rc == 0) {
        sbuf_puts(&b, "{\"results\":[");
        sbuf_append(&b, j->out.data, j->out.len);
        sbuf_putc(&b, ']');
    } else {
        srv_sql_error_json(&b, &j->err, j->sql, j->len);
        b.len--;   /* reopen the object to add the results that did run */
        b.data[b.len] = '\0';
        sbuf_puts(&b, ",\"results\":[");
        sbuf_append(&b, j->out.data, j->out.len);
        sbuf_putc(&b, ']');
    }
    if (j->script && !rt->shutting_down) {
        /* The latest script, not this job's: jobs may finish out of order. */
        char *latest = srv_router_script(rt);
        eddy_err aerr;
        eddy_err_clear(&aerr);
        int arc = latest ? srv_apps_set_session(rt->apps, latest, &aerr)
                         : eddy_err_set(&aerr, EDDY_E_NOMEM, "out of memory");
        free(latest);
        if (arc != 0) {
            sbuf_puts(&b, ",\"warning\":");
            sbuf_json_str(&b, aerr.msg, strlen(aerr.msg));
        }
    }
    if (j->save_failed) sbuf_puts(&b, ",\"warning_catalog\":\"the catalog could not be saved; see the server log\"");
    sbuf_putc(&b, '}');
    if (b.failed) srv_reply_error(rt, j->resp, SRV_ROUTE_SQL, j->t0, 500, "internal_error", "out of memory");
    else srv_reply_json(rt, j->resp, SRV_ROUTE_SQL, j->t0, j->rc == 0 ? 200 : srv_sql_error_status(j->rc), b.data, b.len);
    sbuf_free(&b);
    sbuf_free(&j->out);
    free(j->script);
    free(j->sql);
    free(j);
}

void srv_sql_handle(srv_router *rt, const srv_request *req, srv_response *r, uint64_t t0) {
    eddy_err err;
    eddy_err_clear(&err);
    arena a;
    arena_init(&a, 8192);
    uint32_t n_stmts = 0;
    const ast_stmt *q = classify(req->body, req->body_len, &a, &n_stmts, &err);
    if (err.code) {
        arena_free(&a);
        reply_sql_error(rt, r, SRV_ROUTE_SQL, t0, &err, req->body, req->body_len);
        return;
    }
    if (q) {
        eddy_err_set_at(&err, EDDY_E_UNSUPPORTED, q->off, q->len, "push queries do not run on /v1/sql");
        eddy_err_hint(&err, "Send SELECT STREAM to POST /v1/query, which streams its rows.");
        arena_free(&a);
        reply_sql_error(rt, r, SRV_ROUTE_SQL, t0, &err, req->body, req->body_len);
        return;
    }
    arena_free(&a);
    if (n_stmts == 0) {
        srv_reply_error(rt, r, SRV_ROUTE_SQL, t0, 400, "invalid_argument", "no statement in the request body");
        return;
    }
    sql_job *j = calloc(1, sizeof *j);
    char *sql = malloc(req->body_len + 1);
    if (!j || !sql) {
        free(j);
        free(sql);
        srv_reply_error(rt, r, SRV_ROUTE_SQL, t0, 500, "internal_error", "out of memory");
        return;
    }
    memcpy(sql, req->body, req->body_len);
    sql[req->body_len] = '\0';
    j->rt = rt;
    j->resp = r;
    j->t0 = t0;
    j->sql = sql;
    j->len = req->body_len;
    sbuf_init(&j->out);
    j->work.data = j;
    if (uv_queue_work(rt->loop, &j->work, sql_work, sql_done) != 0) {
        free(sql);
        free(j);
        srv_reply_error(rt, r, SRV_ROUTE_SQL, t0, 503, "unavailable", "cannot queue the statements");
    }
}

/* ------------------------------------------------------------ POST /v1/query */

typedef struct query_job {
    char *sql;
    size_t len;
    char *script;
    int from_beginning;
    /* worker state */
    srv_feed *f;
    eddy_type *types;
    uint32_t n_cols;
    char *notice;
    int began;
    sbuf line;
} query_job;

static void query_job_free(void *p) {
    query_job *q = p;
    if (!q) return;
    free(q->sql);
    free(q->script);
    free(q->types);
    free(q->notice);
    sbuf_free(&q->line);
    free(q);
}

static void q_on_notice(void *ctx, const char *msg) {
    query_job *q = ctx;
    free(q->notice);
    q->notice = strdup(msg);
}

static void q_on_header(void *ctx, const eddy_column_info *cols, uint32_t n, int push) {
    query_job *q = ctx;
    free(q->types);
    q->types = calloc(n ? n : 1, sizeof *q->types);
    q->n_cols = q->types ? n : 0;
    sbuf_clear(&q->line);
    sbuf_puts(&q->line, "{\"columns\":[{\"name\":\"ROWTIME\",\"type\":\"TIMESTAMP\"}");
    for (uint32_t i = 0; i < n; i++) {
        char tn[64];
        if (q->types) q->types[i] = cols[i].type;
        eddy_type_format(cols[i].type, tn, sizeof tn);
        sbuf_puts(&q->line, ",{\"name\":");
        sbuf_json_str(&q->line, cols[i].name, strlen(cols[i].name));
        sbuf_puts(&q->line, ",\"type\":");
        sbuf_json_str(&q->line, tn, strlen(tn));
        sbuf_putc(&q->line, '}');
    }
    sbuf_putc(&q->line, ']');
    if (q->notice) {
        sbuf_puts(&q->line, ",\"notice\":");
        sbuf_json_str(&q->line, q->notice, strlen(q->notice));
    }
    sbuf_puts(&q->line, "}\n");
    q->began = 1;
    srv_feed_begin(q->f, "application/x-ndjson");
    srv_feed_write(q->f, q->line.data, q->line.len);
}

static int q_on_row(void *ctx, int64_t rowtime, const char *const *vals, uint32_t n) {
    query_job *q = ctx;
    char ts[64];
    eddy_ts_format_sql(rowtime, ts);
    sbuf_clear(&q->line);
    sbuf_putc(&q->line, '[');
    sbuf_json_str(&q->line, ts, strlen(ts));
    for (uint32_t i = 0; i < n; i++) {
        sbuf_putc(&q->line, ',');
        srv_json_value(&q->line, i < q->n_cols ? q->types[i] : (eddy_type){EDDY_T_VARCHAR, 0, 0}, vals[i]);
    }
    sbuf_puts(&q->line, "]\n");
    return srv_feed_write(q->f, q->line.data, q->line.len) != 0 || q->f->stop;
}

static void query_work(srv_feed *f) {
    query_job *q = f->arg;
    q->f = f;
    eddy_err err;
    eddy_err_clear(&err);
    eddy_session *s = NULL;
    eddy_session_opts so = {f->rt->st, q->from_beginning, 0};
    int rc = eddy_session_open(&so, &s, &err);
    const char *text = q->script;
    size_t len = strlen(q->script);
    if (rc == 0 && len) rc = eddy_session_exec(s, q->script, len, NULL, &f->stop, &err);
    if (rc == 0) {
        eddy_exec_cb cb = {NULL, q_on_header, q_on_row, q_on_notice, q};
        text = q->sql;
        len = q->len;
        rc = eddy_session_exec(s, q->sql, q->len, &cb, &f->stop, &err);
    }
    if (rc != 0 && !f->stop) {
        sbuf b;
        sbuf_init(&b);
        srv_sql_error_json(&b, &err, text, len);
        if (q->began) {
            sbuf_putc(&b, '\n');
            srv_feed_write(f, b.data, b.len);
        } else {
            srv_feed_reply(f, srv_sql_error_status(rc), "application/json", b.data, b.len);
        }
        sbuf_free(&b);
    }
    eddy_session_close(s);
}

/* Reads "beginning" / "latest" (and the Kinesis spellings) into *out. */
static int parse_from(const char *v, int *out) {
    if (!strcasecmp(v, "beginning") || !strcasecmp(v, "trim_horizon")) *out = 1;
    else if (!strcasecmp(v, "latest")) *out = 0;
    else return -1;
    return 0;
}

void srv_query_handle(srv_router *rt, const srv_request *req, srv_response *r, uint64_t t0) {
    const char *sql = req->body;
    size_t len = req->body_len;
    int from_beginning = 0;
    char from[32];
    cJSON *j = NULL;
    size_t skip = strspn(sql, " \t\r\n");
    if (skip < len && sql[skip] == '{') {
        /* {"sql": "...", "from": "beginning"} */
        j = cJSON_ParseWithLength(req->body, req->body_len);
        const cJSON *s = j ? cJSON_GetObjectItemCaseSensitive(j, "sql") : NULL;
        const cJSON *fr = j ? cJSON_GetObjectItemCaseSensitive(j, "from") : NULL;
        if (!cJSON_IsString(s)) {
            cJSON_Delete(j);
            srv_reply_error(rt, r, SRV_ROUTE_QUERY, t0, 400, "invalid_argument",
                            "a JSON body needs a string field \"sql\"");
            return;
        }
        sql = s->valuestring;
        len = strlen(sql);
        if (fr && (!cJSON_IsString(fr) || parse_from(fr->valuestring, &from_beginning) != 0)) {
            cJSON_Delete(j);
            srv_reply_error(rt, r, SRV_ROUTE_QUERY, t0, 400, "invalid_argument",
                            "\"from\" must be \"beginning\" or \"latest\"");
            return;
        }
    }
    if (srv_query_param(req->query, "from", from, sizeof from) == 0 && parse_from(from, &from_beginning) != 0) {
        cJSON_Delete(j);
        srv_reply_error(rt, r, SRV_ROUTE_QUERY, t0, 400, "invalid_argument", "from must be beginning or latest");
        return;
    }
    eddy_err err;
    eddy_err_clear(&err);
    arena a;
    arena_init(&a, 8192);
    uint32_t n_stmts = 0;
    const ast_stmt *q = classify(sql, len, &a, &n_stmts, &err);
    int bad = err.code != 0;
    if (!bad && (!q || n_stmts != 1)) {
        bad = 1;
        eddy_err_set(&err, EDDY_E_UNSUPPORTED, "%s",
                     n_stmts == 0 ? "no statement in the request body"
                     : !q         ? "only SELECT STREAM runs on /v1/query"
                                  : "send one SELECT STREAM per request");
        if (n_stmts && !q) eddy_err_hint(&err, "Send other statements to POST /v1/sql.");
    }
    arena_free(&a);
    if (bad) {
        reply_sql_error(rt, r, SRV_ROUTE_QUERY, t0, &err, sql, len);
        cJSON_Delete(j);
        return;
    }
    query_job *job = calloc(1, sizeof *job);
    if (job) {
        sbuf_init(&job->line);
        job->sql = malloc(len + 1);
        job->script = srv_router_script(rt);
        job->len = len;
        job->from_beginning = from_beginning;
    }
    if (!job || !job->sql || !job->script) {
        query_job_free(job);
        cJSON_Delete(j);
        srv_reply_error(rt, r, SRV_ROUTE_QUERY, t0, 500, "internal_error", "out of memory");
        return;
    }
    memcpy(job->sql, sql, len);
    job->sql[len] = '\0';
    cJSON_Delete(j);
    srv_feed_start(rt, r, SRV_ROUTE_QUERY, t0, query_work, job, query_job_free, 0);
}
