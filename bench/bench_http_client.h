/*
 * bench_http_client.h — the HTTP/1.1 keep-alive client of the API benchmark
 * (bench_api.c): one libuv TCP connection per bhc_conn, one request in
 * flight per connection (no pipelining, as the AWS SDKs do), responses
 * parsed with http-parser (the same library the server uses), so
 * Content-Length and chunked bodies both work.
 *
 * Header-only because bench/CMakeLists.txt turns every bench_*.c into its
 * own program; everything here is static and used by one translation unit.
 *
 * Life of a connection: bhc_connect() (runs the loop until connected),
 * bhc_send() any number of times, each followed by exactly one done
 * callback, then bhc_close() and a loop run so the close callback frees
 * nothing the caller still needs (the bhc_conn is caller-owned memory and
 * must stay valid until bhc_closed() is true).
 */
#ifndef EDDY_BENCH_HTTP_CLIENT_H
#define EDDY_BENCH_HTTP_CLIENT_H

#include <arpa/inet.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "eddy_time.h"
#include "sbuf.h"

typedef struct bhc_conn bhc_conn;

/* Called once per bhc_send: status is the HTTP status, or -1 when the
 * connection failed (then body holds the reason). body is borrowed: valid
 * until the next bhc_send on this connection. The callback may call
 * bhc_send on this or any other connection. */
typedef void (*bhc_done_cb)(bhc_conn *c, int status, const char *body, size_t len);

struct bhc_conn {
    uv_tcp_t tcp;           /* private */
    uv_connect_t connect;   /* private */
    uv_write_t wr;          /* private */
    http_parser parser;     /* private */
    sbuf body;              /* private: body of the response being read */
    char rbuf[64 * 1024];   /* private: read buffer */
    int connected;          /* read-only: 1 once the connection is up */
    int closed;             /* read-only: 1 once the close callback ran */
    int busy;               /* read-only: a request is in flight */
    int writing;            /* private: the request is not all written yet */
    int conn_status;        /* read-only: connect result (0 or a UV_E* code) */
    bhc_done_cb cb;         /* public: set by bhc_send */
    void *ctx;              /* public: the caller's per-connection context */
    uint64_t t_sent;        /* public: eddy_mono_ns() when the request was sent */
    uint64_t t_due;         /* public: the caller's intended send time (open loop) */
    long tag;               /* public: the caller's request tag */
};

static void bhc__fail(bhc_conn *c, const char *why) {
    if (!c->busy) return;
    c->busy = 0;
    sbuf_clear(&c->body);
    sbuf_puts(&c->body, why);
    c->cb(c, -1, c->body.data, c->body.len);
}

static int bhc__on_body(http_parser *p, const char *at, size_t n) {
    bhc_conn *c = p->data;
    sbuf_append(&c->body, at, n);
    return 0;
}

static int bhc__on_complete(http_parser *p) {
    bhc_conn *c = p->data;
    if (!c->busy) return 0;   /* an unsolicited response: ignored */
    c->busy = 0;
    int status = (int)p->status_code;
    if (c->body.failed) {
        bhc__fail(c, "out of memory reading the response");
        return 0;
    }
    c->cb(c, status, c->body.data, c->body.len);
    return 0;
}

static const http_parser_settings bhc__settings = {
    .on_body = bhc__on_body,
    .on_message_complete = bhc__on_complete,
};

static void bhc__alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    bhc_conn *c = h->data;
    *buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void bhc__on_close(uv_handle_t *h) {
    bhc_conn *c = h->data;
    c->closed = 1;
    sbuf_free(&c->body);
}

/* Starts closing the connection; the caller runs the loop until
 * c->closed. A request in flight fails with status -1 first. */
static void bhc_close(bhc_conn *c) {
    if (uv_is_closing((uv_handle_t *)&c->tcp)) return;
    bhc__fail(c, "connection closed by the client");
    c->connected = 0;
    uv_close((uv_handle_t *)&c->tcp, bhc__on_close);
}

static void bhc__on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
    bhc_conn *c = s->data;
    if (n == 0) return;
    if (n < 0) {
        /* An idle keep-alive connection the server closed is not an
         * error until someone sends on it. */
        char why[128];
        snprintf(why, sizeof why, "connection lost: %s", uv_strerror((int)n));
        c->connected = 0;
        uv_read_stop(s);
        bhc__fail(c, why);
        return;
    }
    size_t used = http_parser_execute(&c->parser, &bhc__settings, buf->base, (size_t)n);
    if (c->parser.http_errno != HPE_OK || used != (size_t)n) {
        char why[160];
        snprintf(why, sizeof why, "bad HTTP response: %s",
                 http_errno_description((enum http_errno)c->parser.http_errno));
        c->connected = 0;
        uv_read_stop(s);
        bhc__fail(c, why);
    }
}

static void bhc__on_connect(uv_connect_t *req, int status) {
    bhc_conn *c = req->handle->data;
    c->conn_status = status;
    if (status != 0) return;
    c->connected = 1;
    int rc = uv_read_start((uv_stream_t *)&c->tcp, bhc__alloc, bhc__on_read);
    if (rc != 0) {
        c->conn_status = rc;
        c->connected = 0;
    }
}

/* Connects c (caller-owned, uninitialised) to 127.0.0.1:port, running the
 * loop until the connection is up or failed. Returns 0 or a UV_E* code; on
 * failure the handle is still closed by the caller with bhc_close. */
static int bhc_connect(uv_loop_t *loop, int port, bhc_conn *c) {
    memset(c, 0, sizeof *c);
    sbuf_init(&c->body);
    uv_tcp_init(loop, &c->tcp);
    c->tcp.data = c;
    http_parser_init(&c->parser, HTTP_RESPONSE);
    c->parser.data = c;
    uv_tcp_nodelay(&c->tcp, 1);
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", port, &a);
    c->conn_status = 1;   /* pending */
    int rc = uv_tcp_connect(&c->connect, &c->tcp, (const struct sockaddr *)&a, bhc__on_connect);
    if (rc != 0) return rc;
    while (c->conn_status == 1) uv_run(loop, UV_RUN_ONCE);
    return c->conn_status;
}

static void bhc__on_write(uv_write_t *w, int status) {
    bhc_conn *c = w->handle->data;
    c->writing = 0;
    if (status != 0 && c->busy) {
        char why[128];
        snprintf(why, sizeof why, "write failed: %s", uv_strerror(status));
        bhc__fail(c, why);
    }
}

/* Sends one complete HTTP request (req is borrowed and must stay valid
 * until the done callback). cb runs exactly once, possibly before this
 * returns when the connection is already down. */
static void bhc_send(bhc_conn *c, const char *req, size_t len, bhc_done_cb cb) {
    c->cb = cb;
    c->busy = 1;
    sbuf_clear(&c->body);
    c->t_sent = eddy_mono_ns();
    if (!c->connected) {
        bhc__fail(c, "connection is not open (the server closed it)");
        return;
    }
    if (c->writing) {
        bhc__fail(c, "previous request still being written");
        return;
    }
    uv_buf_t b = uv_buf_init((char *)req, (unsigned)len);
    c->writing = 1;
    int rc = uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, bhc__on_write);
    if (rc != 0) {
        c->writing = 0;
        char why[128];
        snprintf(why, sizeof why, "write failed: %s", uv_strerror(rc));
        bhc__fail(c, why);
    }
}

/* ---- one blocking call, for the few control requests of a benchmark */

typedef struct bhc_result {
    int done, status;
    sbuf body;
} bhc_result;

static void bhc__call_done(bhc_conn *c, int status, const char *body, size_t len) {
    bhc_result *r = c->ctx;
    r->status = status;
    sbuf_clear(&r->body);
    sbuf_append(&r->body, body, len);
    r->done = 1;
}

static void bhc__call_timeout(uv_timer_t *t) {
    bhc__fail(t->data, "no response within 30 s");
}

/* Sends req and runs the loop until its response, or 30 s; the body goes
 * into r->body (caller-owned, initialised with sbuf_init). Returns the
 * status (-1 on a connection failure or timeout). Uses c->ctx for the
 * duration. */
static int bhc_call(uv_loop_t *loop, bhc_conn *c, const char *req, size_t len, bhc_result *r) {
    void *saved = c->ctx;
    c->ctx = r;
    r->done = 0;
    uv_timer_t timer;
    uv_timer_init(loop, &timer);
    timer.data = c;
    uv_timer_start(&timer, bhc__call_timeout, 30000, 0);
    bhc_send(c, req, len, bhc__call_done);
    while (!r->done) uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&timer, NULL);
    /* The close completes in the next loop iteration; the timer lives on
     * this stack frame, so run it now. */
    uv_run(loop, UV_RUN_NOWAIT);
    c->ctx = saved;
    return r->status;
}

#endif
