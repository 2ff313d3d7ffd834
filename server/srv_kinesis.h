/*
 * srv_kinesis.h — the Kinesis Data Streams API of `eddy serve`.
 *
 * One srv_handler_fn (srv_kinesis_handle) answers every request the HTTP
 * transport (srv_http.h) hands over: `POST /` with X-Amz-Target
 * Kinesis_20131202.<Op> in AWS JSON 1.1 or CBOR, `GET /health`, and the
 * eddy-specific fault-injection operation. It calls the stream store
 * (store/store.h) and never touches sockets itself. cli/cmd_serve.c creates
 * one srv_kinesis per process.
 *
 * Threading: everything runs on the loop thread, except the store's
 * subscription notifications, which only wake the loop (uv_async).
 */
#ifndef EDDY_SRV_KINESIS_H
#define EDDY_SRV_KINESIS_H

#include <stdint.h>
#include <uv.h>

#include "eddy_err.h"
#include "srv_http.h"
#include "store.h"

typedef struct srv_kinesis_opts {
    store *st;                 /* borrowed; must outlive the srv_kinesis */
    int create_delay_ms;       /* streams show CREATING this long after CreateStream (0) */
    int subscription_ms;       /* SubscribeToShard lifetime; 0 = 5 minutes */
    int heartbeat_ms;          /* empty SubscribeToShardEvent when idle; 0 = 2000 */
    const char *auth_file;     /* NULL: any well-formed credentials; else verify SigV4 */
    const char *region;        /* region SigV4 scopes must name; NULL = the store's */
} srv_kinesis_opts;

typedef struct srv_kinesis srv_kinesis;   /* opaque */

/* Sets the defaults above (st NULL). */
void srv_kinesis_opts_init(srv_kinesis_opts *o);

/* Creates the API on `loop` (borrowed). Reads the key file when auth_file is
 * set (EDDY_E_INVAL / EDDY_E_IO with a message on a bad file). `*out` is owned
 * by the caller and released with srv_kinesis_free. */
int srv_kinesis_new(uv_loop_t *loop, const srv_kinesis_opts *opts, srv_kinesis **out,
                    eddy_err *err);

/* The srv_handler_fn to install in srv_http_opts, with the srv_kinesis as ctx. */
void srv_kinesis_handle(void *ctx, const srv_request *req, srv_response *r);

/* Called on the loop thread after PutRecord(s) wrote records: the stream,
 * how many records were accepted and their data bytes. For /metrics. */
typedef void (*srv_kinesis_put_fn)(void *ctx, const char *stream, uint64_t records, uint64_t bytes);
void srv_kinesis_on_put(srv_kinesis *k, srv_kinesis_put_fn fn, void *ctx);

/* Likewise after GetRecords returned records (records and data bytes read). */
void srv_kinesis_on_get(srv_kinesis *k, srv_kinesis_put_fn fn, void *ctx);

/* Ends every open SubscribeToShard stream cleanly (for shutdown, before
 * srv_http_shutdown). Handles close asynchronously; run the loop afterwards. */
void srv_kinesis_end_subscriptions(srv_kinesis *k);

/* Frees the API. Every subscription must have ended and the loop must have
 * run their close callbacks. NULL is a no-op. */
void srv_kinesis_free(srv_kinesis *k);

#endif
