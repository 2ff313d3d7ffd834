/*
 * srv_sql.h — shared by the router's own files (srv_router.c, srv_sql.c,
 * srv_sse.c) and nothing else: the router's state, and the "feed" that
 * carries a worker thread's output to a response on the loop thread.
 *
 * A feed (implemented in srv_sql.c) is one request answered by a worker
 * thread. The worker asks for a unary reply (srv_feed_reply) or starts a
 * stream (srv_feed_begin) and writes to it (srv_feed_write); bytes wait in a mutex-guarded queue and a
 * uv_async wakes the loop, which moves them to the transport while the
 * transport's own queue is short. A worker that gets ahead of its client
 * waits (back-pressure). When the client goes away the feed's stop flag is
 * set; the worker's eddy_session_exec returns, the worker ends, and the loop
 * joins it and frees the feed.
 */
#ifndef EDDY_SRV_SQL_H
#define EDDY_SRV_SQL_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <uv.h>

#include "eddy.h"
#include "sbuf.h"
#include "srv_apps.h"
#include "srv_http.h"
#include "srv_kinesis.h"
#include "srv_metrics.h"
#include "store.h"

typedef struct srv_feed srv_feed;
typedef struct srv_router srv_router;

struct srv_router {
    uv_loop_t *loop;
    srv_kinesis *kinesis;         /* borrowed */
    store *st;                    /* borrowed */
    char *catalog_path;           /* DATA_DIR/catalog.sql, NULL in memory */
    srv_metrics *metrics;
    srv_apps *apps;
    pthread_mutex_t session_mu;   /* guards session */
    eddy_session *session;        /* the server-wide session of /v1/sql */
    pthread_mutex_t save_mu;      /* orders catalog.sql rewrites; taken before session_mu is released */
    srv_feed *feeds;              /* loop: feeds whose worker or reply is live */
    uv_timer_t keepalive;         /* SSE comment lines every 15 s */
    int shutting_down;
};

typedef void (*srv_feed_work_fn)(srv_feed *f);

struct srv_feed {
    /* set by the creator, read-only afterwards */
    struct srv_router *rt;
    srv_route route;
    uint64_t t0_ns;
    srv_feed_work_fn work;        /* the worker body */
    void *arg;                    /* the worker's input, freed by arg_free */
    void (*arg_free)(void *arg);
    int sse;                      /* gets keep-alive comments */
    size_t max_queued;            /* worker waits above this many queued bytes */

    volatile sig_atomic_t stop;   /* loop -> worker: stop now */

    /* guarded by mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    sbuf queue;                   /* bytes the loop has not taken yet */
    int want_begin;               /* stream with status 200 and `ctype` */
    int want_status;              /* unary reply: status, body = queue */
    const char *ctype;            /* static string */
    int worker_done;

    /* loop thread only */
    srv_response *resp;           /* NULL once the reply ended or the client left */
    int began;
    int observed;
    uv_async_t async;
    uv_timer_t retry;             /* re-checks a full transport queue */
    int n_closing;
    pthread_t thread;
    int has_thread;
    srv_feed *next, *prev;
};

/* Creates a feed for `r`, links it to the router, registers on_abort and
 * starts a thread running `work`. On failure replies 500 itself. */
void srv_feed_start(struct srv_router *rt, srv_response *r, srv_route route, uint64_t t0_ns,
                    srv_feed_work_fn work, void *arg, void (*arg_free)(void *), int sse);

/* Worker side. Each returns 0, or -1 once the feed is stopped. */
int srv_feed_begin(srv_feed *f, const char *ctype);
int srv_feed_write(srv_feed *f, const void *data, size_t len);
int srv_feed_reply(srv_feed *f, int status, const char *ctype, const void *body, size_t len);

/* Tells every live feed to stop (shutdown). Loop thread. */
void srv_feeds_stop_all(struct srv_router *rt);

/* Writes an SSE keep-alive comment to every streaming SSE feed. Loop thread. */
void srv_feeds_keepalive(struct srv_router *rt);

/* Copies the server session's DDL script (caller frees); NULL when out of memory. */
char *srv_router_script(struct srv_router *rt);

/* Rewrites DATA_DIR/catalog.sql with `script` atomically (no-op in memory). */
int srv_router_save_catalog(struct srv_router *rt, const char *script, eddy_err *err);

/* The dashboard page (srv_dashboard.c, generated from dashboard.html). */
extern const char srv_dashboard_html[];
extern const size_t srv_dashboard_html_len;

/* Request handlers (srv_sql.c, srv_sse.c). */
void srv_sql_handle(struct srv_router *rt, const srv_request *req, srv_response *r, uint64_t t0_ns);
void srv_query_handle(struct srv_router *rt, const srv_request *req, srv_response *r, uint64_t t0_ns);
void srv_sse_handle(struct srv_router *rt, const char *stream, const srv_request *req, srv_response *r,
                    uint64_t t0_ns);

/* Replies with `body` (JSON) and records the latency. */
void srv_reply_json(struct srv_router *rt, srv_response *r, srv_route route, uint64_t t0_ns, int status,
                    const char *body, size_t len);
/* Replies {"error":{"code":code,"message":msg}} with `status`. */
void srv_reply_error(struct srv_router *rt, srv_response *r, srv_route route, uint64_t t0_ns, int status,
                     const char *code, const char *msg);

/* Appends the JSON error object of a SQL error against `sql`:
 * {"error":{"code","message","line","column","caret"[,"hint"]}}. */
void srv_sql_error_json(sbuf *out, const eddy_err *err, const char *sql, size_t len);
/* The HTTP status for a SQL error code (400 for the client's mistakes). */
int srv_sql_error_status(int code);

/* Appends a SQL value as JSON: numbers and booleans bare when the type says
 * so and the text is one, NULL as null, everything else a string. */
void srv_json_value(sbuf *out, eddy_type t, const char *v);

/* Value of `key` in a query string ("a=1&from=latest"), percent-decoded into
 * out (cap bytes); 0 if found, -1 if not. */
int srv_query_param(const char *query, const char *key, char *out, size_t cap);

#endif
