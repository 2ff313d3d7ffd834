/*
 * srv_router.h — the request router of `eddy serve`: SQL over HTTP, live
 * feeds, metrics and the dashboard beside the Kinesis API.
 *
 *   POST /v1/sql                  statements on the server-wide session -> JSON results
 *   POST /v1/query                one SELECT STREAM -> newline-delimited JSON, streamed
 *   GET  /v1/streams              stored and in-application streams
 *   GET  /v1/streams/NAME/events  Server-Sent Events of a stream's rows (Last-Event-ID resumes)
 *   GET  /v1/apps                 hosted applications and their counters
 *   GET  /metrics                 Prometheus text format 0.0.4
 *   GET  /                        the dashboard page
 *   anything else                 srv_kinesis_handle (Kinesis API, /health)
 *
 * The server session's DDL is kept in DATA_DIR/catalog.sql (rewritten
 * atomically after each change) and replayed by srv_router_new, so streams
 * and pumps come back after a restart; its pumps run as the hosted "sql"
 * application.
 *
 * Threading: srv_router_handle and every function here run on the loop
 * thread. Statements run on libuv's thread pool, push queries and feeds on
 * a thread each; they hand bytes to the loop through a uv_async.
 */
#ifndef EDDY_SRV_ROUTER_H
#define EDDY_SRV_ROUTER_H

#include <uv.h>

#include "eddy_err.h"
#include "srv_apps.h"
#include "srv_http.h"
#include "srv_kinesis.h"
#include "store.h"

typedef struct srv_router srv_router;   /* opaque */

/* Creates the router on `loop`. `k` and `st` are borrowed and must outlive
 * it. `data_dir` (borrowed for the call; NULL for an in-memory store) is
 * where catalog.sql lives; an existing catalog is replayed now (an error in
 * it is returned with the file name, and nothing is created). `*out` is
 * owned by the caller: srv_router_shutdown, run the loop, srv_router_free. */
int srv_router_new(uv_loop_t *loop, srv_kinesis *k, store *st, const char *data_dir, srv_router **out,
                   eddy_err *err);

/* The srv_handler_fn to install in srv_http_opts, with the router as ctx. */
void srv_router_handle(void *ctx, const srv_request *req, srv_response *r);

/* The hosted applications, for srv_apps_start (`eddy serve --app FILE`). */
srv_apps *srv_router_apps(srv_router *rt);

/* Starts stopping: push queries and feeds are told to stop, the keep-alive
 * timer closes, hosted applications stop. Call before srv_http_shutdown;
 * then keep running the loop until it has no more work. */
void srv_router_shutdown(srv_router *rt);

/* Frees the router. Call srv_router_shutdown first and run the loop (its
 * timer and the feeds' handles close there). NULL is a no-op. */
void srv_router_free(srv_router *rt);

#endif
