/*
 * srv_http.h — the HTTP front door of `eddy serve`: one interface over
 * HTTP/1.1 (keep-alive, pipelining, chunked responses), HTTP/2 with prior
 * knowledge (h2c) on the same plain port, and HTTP/1.1 or h2 over TLS (ALPN).
 *
 * The transport (srv_http*.c, srv_h2.c, srv_tls.c) owns sockets and protocol
 * state on one libuv loop; it hands complete requests to one handler and
 * takes replies through an srv_response handle. The handler side (the Kinesis
 * API in srv_kinesis*.c, later SQL over HTTP) never sees which protocol
 * carried the request.
 *
 * Threading: everything here runs on the loop thread. Other threads wake the
 * loop with uv_async (see srv_http_loop) before touching a response.
 */
#ifndef EDDY_SRV_HTTP_H
#define EDDY_SRV_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "eddy_err.h"

typedef struct srv_header {
    const char *name;    /* request headers: lower-case; response: as given */
    const char *value;
} srv_header;

typedef struct srv_request {
    const char *method;          /* "POST", "GET", ... */
    const char *path;            /* "/" (without the query) */
    const char *query;           /* text after '?', "" when none */
    const srv_header *headers;   /* names lower-cased; on h2 ":authority" is given as "host" */
    size_t n_headers;
    const char *body;            /* whole body (the transport buffers it); may be "" */
    size_t body_len;
    int http2;                   /* 1 when the request came over HTTP/2 */
    int tls;                     /* 1 when it came over TLS */
} srv_request;

/* Returns the value of a request header (name lower-case), or NULL. */
const char *srv_request_header(const srv_request *req, const char *name);

typedef struct srv_response srv_response;   /* opaque: one per request */

/* Sends a complete reply. `headers` (borrowed; names as given, lower-cased
 * on h2) need not include Content-Length: the transport adds it and drops
 * Content-Length, Transfer-Encoding, Connection and other hop-by-hop headers
 * given here. After this call `r` is no longer valid. Returns 0; EDDY_E_IO if
 * the connection is already gone (the reply is dropped, `r` is still freed);
 * EDDY_E_INVAL if `r` already replied. */
int srv_reply(srv_response *r, int status, const srv_header *headers, size_t n_headers,
              const void *body, size_t body_len);

/* Starts a streamed reply (HTTP/1.1: chunked transfer encoding; HTTP/2: DATA
 * frames). Then any number of srv_stream_write calls, then srv_stream_end.
 * Writes are queued without blocking (the data is copied); srv_stream_pending
 * tells how many bytes are still queued (this reply's plus the connection's
 * unsent output) so a producer can hold back. An HTTP/1.0 client gets the
 * stream without chunking, ended by closing the connection. */
/* srv_stream_begin returns 0, or negative when the stream cannot start (the
 * client is gone): then `r` is no longer valid and on_abort will not run. */
int srv_stream_begin(srv_response *r, int status, const srv_header *headers, size_t n_headers);
int srv_stream_write(srv_response *r, const void *data, size_t len);
size_t srv_stream_pending(const srv_response *r);
/* Ends the stream; after this call `r` is no longer valid. */
int srv_stream_end(srv_response *r);

/* Registers a callback run once if the client goes away (connection closed,
 * h2 stream reset, server shutdown) before the reply ends. After it runs, `r`
 * is no longer valid and must not be used. Pass NULL to clear.
 * Without a callback, a response whose client went away stays valid: every
 * call on it returns EDDY_E_IO, and the handler's final srv_reply or
 * srv_stream_end frees it (so a handler answering from a worker never holds
 * a dangling pointer). On shutdown, an open stream is ended cleanly on the
 * wire (final chunk / END_STREAM) after its queued bytes; unary replies still
 * pending are waited for. */
void srv_response_on_abort(srv_response *r, void (*cb)(void *ctx), void *ctx);

/* The request a response belongs to (valid until the reply ends). */
const srv_request *srv_response_request(const srv_response *r);

/* Called on the loop thread for every complete request. The handler must
 * eventually reply exactly once (srv_reply, or srv_stream_begin ... end), or
 * be told by on_abort that it need not. */
typedef void (*srv_handler_fn)(void *ctx, const srv_request *req, srv_response *r);

typedef struct srv_http_opts {
    const char *listen;            /* "127.0.0.1:4567" (default), "[::1]:4567", "0.0.0.0:80",
                                      "localhost:4567" (= 127.0.0.1);
                                      ":0" or "0" = 127.0.0.1 on any free port */
    const char *tls_listen;        /* NULL: no TLS port */
    const char *tls_cert, *tls_key;/* PEM files; NULL with tls_listen: self-signed generated */
    size_t max_body;               /* bytes; larger requests get 413 before being read whole; 0 = 7 MiB */
    int idle_timeout_ms;           /* keep-alive idle and half-sent request timeout; 0 = 60 s */
    srv_handler_fn handler;
    void *handler_ctx;
} srv_http_opts;

typedef struct srv_http srv_http;   /* opaque server */

void srv_http_opts_init(srv_http_opts *o);

/* Binds and starts listening on `loop` (call on the loop thread, or before
 * the loop runs). `opts` is copied; its strings are borrowed and must outlive
 * the server. `*out` is owned by the caller and freed by srv_http_close. On
 * failure `*out` is NULL, `err` says why (EDDY_E_INVAL bad address or
 * options, EDDY_E_IO bind/TLS files); if a listener was already open it is
 * closed on the loop's next run, so run the loop before uv_loop_close. */
int srv_http_start(uv_loop_t *loop, const srv_http_opts *opts, srv_http **out, eddy_err *err);

/* The bound plain port (useful with ":0") and TLS port (0 if none). */
int srv_http_port(const srv_http *h);
int srv_http_tls_port(const srv_http *h);

/* Stops accepting; lets in-flight requests finish (their replies are still
 * sent), aborts open streams (their on_abort runs) and closes idle
 * connections. `done` runs on the loop once every connection is closed;
 * then srv_http_close may free the server. */
void srv_http_shutdown(srv_http *h, void (*done)(void *ctx), void *ctx);
/* Frees the server. Normally called after `done` ran. Called earlier, it
 * starts the shutdown (if not started) and the server frees itself on the
 * loop once every handle is closed; keep running the loop. */
void srv_http_close(srv_http *h);

/* The loop the server runs on. */
uv_loop_t *srv_http_loop(srv_http *h);

#endif
