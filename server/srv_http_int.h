/*
 * srv_http_int.h — private to the HTTP transport (srv_http.c, srv_http1.c,
 * srv_h2.c, srv_tls.c). Not for the API handlers: they use srv_http.h.
 *
 * Shape: one srv_conn per accepted TCP connection. Bytes read go through TLS
 * (srv_tls.c) when the connection came in on the TLS port, then to the
 * protocol: sniffed (h2 preface or not) on the plain port, chosen by ALPN on
 * TLS. Each request gets one srv_response, which owns the request's memory
 * and, while the handler works, the reply state of either protocol.
 *
 * Lifetimes (libuv rule): a connection is freed only in the close callback of
 * its last handle. A response lives until both the handler is done with it
 * (it replied, or on_abort ran) and the protocol is done with it (its bytes
 * were handed to the connection, or the connection is gone).
 */
#ifndef EDDY_SRV_HTTP_INT_H
#define EDDY_SRV_HTTP_INT_H

#include "srv_http.h"

#include "arena.h"
#include "sbuf.h"

#include <openssl/ssl.h>

typedef struct srv_conn srv_conn;
typedef struct srv_h1 srv_h1;
typedef struct srv_h2 srv_h2;

/* Beyond this many queued output bytes on a connection, the protocols stop
 * producing (h2 stops pulling DATA; h1 pauses the parser) until writes drain. */
#define SRV_WRITE_HIGH_WATER (1u << 20)
/* Pipelined HTTP/1.1 requests in flight per connection before reading pauses. */
#define SRV_H1_MAX_PIPELINE 64
/* Request header limits (both protocols). */
#define SRV_MAX_HEADERS 128

typedef enum { SRV_PROTO_SNIFF, SRV_PROTO_H1, SRV_PROTO_H2 } srv_proto;

/* Handler-side state of a response. */
typedef enum {
    SRV_RS_PENDING,    /* handler has it, nothing sent yet */
    SRV_RS_STREAMING,  /* srv_stream_begin was called */
    SRV_RS_DONE        /* handler finished (replied, ended, or was aborted) */
} srv_resp_state;

struct srv_response {
    srv_conn *conn;             /* NULL once the connection is gone (detached) */
    arena mem;                  /* request strings, header array */
    srv_request req;            /* what the handler sees */
    srv_header *hdrs;           /* private: growable header array (arena) */
    size_t hdr_cap;
    sbuf body;                  /* request body */
    srv_resp_state state;
    int dispatched;             /* handler was given the request */
    int head_only;              /* HEAD request: no body in the reply */
    void (*on_abort)(void *ctx);
    void *abort_ctx;

    /* HTTP/1.1 */
    srv_response *next;         /* h1: pipeline queue in request order; h2: stream list */
    srv_response *prev;         /* h2: stream list */
    sbuf out;                   /* bytes not yet handed to the connection */
    int chunked;                /* streamed reply uses chunked encoding */
    int close_after;            /* close the connection after this reply */
    int proto_done;             /* last byte of the reply is in `out` */
    int h1_minor;               /* request's HTTP minor version */

    /* HTTP/2 */
    int32_t stream_id;
    size_t data_off;            /* bytes of `out` already given to nghttp2 */
    int deferred;               /* data provider returned DEFERRED */
    int rejected;               /* transport answered (413): ignore DATA */
    int h2_closed;              /* nghttp2 closed the stream */
    int h2_reset;               /* we reset a rejected stream */
    size_t discarded;           /* body bytes thrown away after a 413 */
};

struct srv_http {
    uv_loop_t *loop;
    srv_http_opts opts;
    char listen_host[64], tls_host[64];
    uv_tcp_t plain, tlsl;
    int has_plain, has_tls;
    int plain_port, tls_port;
    int open_listeners;         /* listener handles not yet closed */
    SSL_CTX *ssl_ctx;
    srv_conn *conns;            /* every open connection (doubly linked) */
    int shutting_down;
    int free_on_done;           /* srv_http_close came before shutdown finished */
    void (*done)(void *ctx);
    void *done_ctx;
    int done_called;
};

struct srv_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    srv_http *srv;
    srv_conn *prev, *next;
    int open_handles;           /* tcp + timer; free when it reaches 0 */
    int closing;                /* uv_close was called */
    int draining;               /* write side shut: discard input, wait for EOF */
    int close_when_flushed;     /* close once every write completed */
    size_t write_bytes;         /* bytes in uv_write requests not yet done */
    int writes;                 /* uv_write requests not yet done */
    int in_recv;                /* inside a protocol's input routine */

    int is_tls;
    SSL *ssl;
    int tls_ready;              /* handshake finished */

    srv_proto proto;
    char sniff[24];
    size_t sniff_len;
    srv_h1 *h1;
    srv_h2 *h2;
};

/* ---- srv_http.c: connection services used by the protocols ---- */

/* Sends bytes (plaintext; TLS encrypts). Copies `data`. Returns 0 or
 * EDDY_E_IO when the connection is closing (bytes dropped). */
int srv_conn__write(srv_conn *c, const void *data, size_t len);
/* Closes once every queued write is done (after a final reply). */
void srv_conn__close_after_flush(srv_conn *c);
/* Stops and restarts reading from the socket (back-pressure). */
void srv_conn__pause_read(srv_conn *c);
void srv_conn__resume_read(srv_conn *c);
/* Closes now; pending responses are aborted. */
void srv_conn__close(srv_conn *c);
/* Feeds decrypted/plain bytes to the protocol (sniffing on first use). */
void srv_conn__on_plain(srv_conn *c, const char *data, size_t len);
/* TLS: starts the protocol ALPN chose (none: sniff). Returns 0 or negative. */
int srv_conn__choose_proto(srv_conn *c, const unsigned char *alpn, unsigned alpn_len);
/* True when the connection has no request in flight (idle keep-alive). */
int srv_conn__idle(const srv_conn *c);

/* New response bound to `c`, request strings empty. NULL on allocation failure. */
srv_response *srv_resp__new(srv_conn *c);
/* Adds a request header; name is lower-cased. Returns 0 or negative. */
int srv_resp__add_header(srv_response *r, const char *name, size_t nlen,
                         const char *value, size_t vlen);
/* Hands the request to the handler. */
void srv_resp__dispatch(srv_response *r);
/* The connection is going away: run on_abort (or detach when none) and
 * free the response if the handler is done with it. */
void srv_resp__abort(srv_response *r);
/* Frees a response whose handler and protocol are both done. */
void srv_resp__free(srv_response *r);
/* Reason phrase of a status code. */
const char *srv__reason(int status);
/* 1 for headers the transport writes itself or that h2 forbids. */
int srv__hop_header(const char *name);

/* ---- srv_http1.c ---- */
int srv_h1__init(srv_conn *c);
void srv_h1__feed(srv_conn *c, const char *data, size_t len);
void srv_h1__free(srv_conn *c);
void srv_h1__abort_all(srv_conn *c);
void srv_h1__on_drain(srv_conn *c);        /* writes completed: resume */
void srv_h1__shutdown(srv_conn *c);        /* server shutting down */
int srv_h1__busy(const srv_conn *c);
int srv_h1__streaming(const srv_conn *c);   /* a streamed reply is open */
int srv_h1__reply(srv_response *r, int status, const srv_header *h, size_t n,
                  const void *body, size_t len);
int srv_h1__stream_begin(srv_response *r, int status, const srv_header *h, size_t n);
int srv_h1__stream_write(srv_response *r, const void *data, size_t len);
int srv_h1__stream_end(srv_response *r);

/* ---- srv_h2.c ---- */
int srv_h2__init(srv_conn *c);
void srv_h2__feed(srv_conn *c, const char *data, size_t len);
void srv_h2__free(srv_conn *c);
void srv_h2__abort_all(srv_conn *c);
void srv_h2__on_drain(srv_conn *c);
void srv_h2__shutdown(srv_conn *c);
int srv_h2__busy(const srv_conn *c);
/* Resets the stream of a response that cannot be answered (state DONE). */
void srv_h2__fail(srv_response *r);
int srv_h2__reply(srv_response *r, int status, const srv_header *h, size_t n,
                  const void *body, size_t len);
int srv_h2__stream_begin(srv_response *r, int status, const srv_header *h, size_t n);
int srv_h2__stream_write(srv_response *r, const void *data, size_t len);
int srv_h2__stream_end(srv_response *r);

/* ---- srv_tls.c ---- */
/* Builds the server context from PEM files, or with a generated self-signed
 * certificate for localhost when both are NULL. */
int srv_tls__ctx_new(const char *cert, const char *key, SSL_CTX **out, eddy_err *err);
int srv_tls__conn_init(srv_conn *c);
/* Ciphertext in: handshakes, then passes plaintext to srv_conn__on_plain. */
void srv_tls__on_read(srv_conn *c, const char *data, size_t len);
/* Plaintext out: encrypts and writes ciphertext. */
int srv_tls__write(srv_conn *c, const void *data, size_t len);
/* Queues close_notify. */
void srv_tls__shutdown(srv_conn *c);
/* Raw write of ciphertext (srv_http.c). */
int srv_conn__raw_write(srv_conn *c, const void *data, size_t len);

#endif
