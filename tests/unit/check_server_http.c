/*
 * check_server_http.c — tests of the HTTP transport (server/srv_http*.c,
 * srv_h2.c, srv_tls.c) with real clients over loopback.
 *
 * The server runs on its own uv loop in a thread with a small echo handler;
 * the test thread is the client: raw sockets parsed with http-parser for
 * HTTP/1.1, a client nghttp2 session for h2c, and OpenSSL client
 * connections for TLS with ALPN. Every test shuts the server down, joins the
 * thread and asserts that uv_loop_close succeeds.
 */
#include "check_main.h"

#include "sbuf.h"
#include "srv_http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <http_parser.h>
#include <nghttp2/nghttp2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* The server under test                                              */
/* ------------------------------------------------------------------ */

typedef struct tsrv {
    uv_loop_t loop;
    uv_async_t stop;
    srv_http *h;
    pthread_t th;
    int port, tls_port;
    atomic_int aborts;      /* on_abort calls seen by the handler */
    atomic_int done;        /* shutdown's done callback ran */
    atomic_int late_rc;     /* what srv_reply returned for /late (1: not yet) */
} tsrv;

/* A reply the handler finishes later, driven by a timer. */
typedef struct job {
    uv_timer_t timer;
    srv_response *r;
    tsrv *ts;
    int i, n;               /* chunks written, chunks wanted (-1: hold open) */
} job;

static void job_closed(uv_handle_t *h) { free(h->data); }

static void job_finish(job *j) {
    uv_timer_stop(&j->timer);
    uv_close((uv_handle_t *)&j->timer, job_closed);
}

static void job_aborted(void *ctx) {
    job *j = ctx;
    atomic_fetch_add(&j->ts->aborts, 1);
    j->r = NULL;
    job_finish(j);
}

static void slow_fire(uv_timer_t *t) {
    job *j = t->data;
    static const srv_header h[] = {{"Content-Type", "text/plain"}};
    int rc = srv_reply(j->r, 200, h, 1, "slow", 4);
    if (j->n == 0) atomic_store(&j->ts->late_rc, rc);
    job_finish(j);
}

static void stream_fire(uv_timer_t *t) {
    job *j = t->data;
    char line[32];
    int n = snprintf(line, sizeof line, "chunk-%d\n", j->i++);
    srv_stream_write(j->r, line, (size_t)n);
    if (j->n >= 0 && j->i >= j->n) {
        srv_stream_end(j->r);
        job_finish(j);
    }
}

static job *job_new(tsrv *ts, srv_response *r, int n, uv_timer_cb cb, uint64_t ms) {
    job *j = calloc(1, sizeof *j);
    j->r = r;
    j->ts = ts;
    j->n = n;
    uv_timer_init(&ts->loop, &j->timer);
    j->timer.data = j;
    srv_response_on_abort(r, job_aborted, j);
    uv_timer_start(&j->timer, cb, ms, ms);
    return j;
}

/* /echo: "METHOD path?query proto tls|body"; /slow: "slow" after 100 ms;
 * /stream?n=N: N chunks 10 ms apart; /hold: a stream that never ends. */
static void handler(void *ctx, const srv_request *req, srv_response *r) {
    tsrv *ts = ctx;
    if (strcmp(req->path, "/slow") == 0) {
        job_new(ts, r, 1, slow_fire, 100);
    } else if (strcmp(req->path, "/late") == 0) {
        /* No on_abort: the response must stay usable after the client left. */
        job_new(ts, r, 0, slow_fire, 100);
        srv_response_on_abort(r, NULL, NULL);
    } else if (strcmp(req->path, "/stream") == 0) {
        int n = atoi(strncmp(req->query, "n=", 2) == 0 ? req->query + 2 : "3");
        static const srv_header h[] = {{"Content-Type", "application/octet-stream"}};
        srv_stream_begin(r, 200, h, 1);
        job_new(ts, r, n, stream_fire, 10);
    } else if (strcmp(req->path, "/hold") == 0) {
        srv_stream_begin(r, 200, NULL, 0);
        srv_stream_write(r, "start\n", 6);
        job_new(ts, r, -1, stream_fire, 60000);
    } else if (strcmp(req->path, "/echo") == 0) {
        sbuf b;
        sbuf_init(&b);
        sbuf_printf(&b, "%s %s?%s %s %d|", req->method, req->path, req->query,
                    req->http2 ? "h2" : "h1", req->tls);
        sbuf_append(&b, req->body, req->body_len);
        const char *ua = srv_request_header(req, "x-test");
        srv_header h[] = {{"Content-Type", "text/plain"}, {"X-Echo", ua ? ua : "-"}};
        srv_reply(r, 200, h, 2, b.data, b.len);
        sbuf_free(&b);
    } else {
        srv_reply(r, 404, NULL, 0, "not found", 9);
    }
}

static void *loop_main(void *arg) {
    tsrv *ts = arg;
    uv_run(&ts->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void shutdown_done(void *ctx) {
    tsrv *ts = ctx;
    atomic_store(&ts->done, 1);
    uv_close((uv_handle_t *)&ts->stop, NULL);
}

static void on_stop(uv_async_t *a) {
    tsrv *ts = a->data;
    srv_http_shutdown(ts->h, shutdown_done, ts);
}

static void tsrv_start_opts(tsrv *ts, int idle_ms, int tls) {
    memset(ts, 0, sizeof *ts);
    atomic_store(&ts->late_rc, 1);
    ck_assert_int_eq(uv_loop_init(&ts->loop), 0);
    srv_http_opts o;
    srv_http_opts_init(&o);
    o.listen = "127.0.0.1:0";
    o.tls_listen = tls ? "127.0.0.1:0" : NULL;
    o.max_body = 1 << 20;
    o.idle_timeout_ms = idle_ms;
    o.handler = handler;
    o.handler_ctx = ts;
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(srv_http_start(&ts->loop, &o, &ts->h, &err) == 0, "%s", err.msg);
    ts->port = srv_http_port(ts->h);
    ts->tls_port = srv_http_tls_port(ts->h);
    ck_assert_int_gt(ts->port, 0);
    uv_async_init(&ts->loop, &ts->stop, on_stop);
    ts->stop.data = ts;
    pthread_create(&ts->th, NULL, loop_main, ts);
}

static void tsrv_start(tsrv *ts) { tsrv_start_opts(ts, 5000, 0); }

static void tsrv_stop(tsrv *ts) {
    uv_async_send(&ts->stop);
    pthread_join(ts->th, NULL);
    ck_assert_int_eq(atomic_load(&ts->done), 1);
    srv_http_close(ts->h);
    ck_assert_int_eq(uv_loop_close(&ts->loop), 0);
}

static void sleep_ms(int ms) {
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Waits up to 3 s for the handler to have seen `n` aborts. */
static int wait_aborts(tsrv *ts, int n) {
    for (int i = 0; i < 300 && atomic_load(&ts->aborts) < n; i++) sleep_ms(10);
    return atomic_load(&ts->aborts);
}

/* ------------------------------------------------------------------ */
/* Client connections (plain or TLS)                                  */
/* ------------------------------------------------------------------ */

typedef struct cconn {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    char buf[65536];
    size_t len;             /* received bytes not yet parsed */
} cconn;

static cconn *c_open(int port) {
    cconn *c = calloc(1, sizeof *c);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {5, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return c;
}

/* TLS client offering `alpn` (wire format); returns with the handshake done. */
static cconn *c_open_tls(int port, const char *alpn, size_t alpn_len, char *selected, size_t cap) {
    cconn *c = c_open(port);
    c->ctx = SSL_CTX_new(TLS_client_method());
    c->ssl = SSL_new(c->ctx);
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, "localhost");
    SSL_set_alpn_protos(c->ssl, (const unsigned char *)alpn, (unsigned)alpn_len);
    ck_assert_int_eq(SSL_connect(c->ssl), 1);
    /* The generated certificate names localhost. */
    X509 *peer = SSL_get1_peer_certificate(c->ssl);
    ck_assert_ptr_nonnull(peer);
    ck_assert_int_eq(X509_check_host(peer, "localhost", 0, 0, NULL), 1);
    ck_assert_int_eq(X509_check_ip_asc(peer, "127.0.0.1", 0), 1);
    X509_free(peer);
    const unsigned char *sel;
    unsigned sel_len;
    SSL_get0_alpn_selected(c->ssl, &sel, &sel_len);
    snprintf(selected, cap, "%.*s", (int)sel_len, (const char *)sel);
    return c;
}

static void c_close(cconn *c) {
    if (c->ssl) SSL_free(c->ssl);
    if (c->ctx) SSL_CTX_free(c->ctx);
    close(c->fd);
    free(c);
}

static void c_write(cconn *c, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t n = c->ssl ? SSL_write(c->ssl, p, (int)len) : send(c->fd, p, len, MSG_NOSIGNAL);
        ck_assert_int_gt(n, 0);
        p += n;
        len -= (size_t)n;
    }
}

static void c_puts(cconn *c, const char *s) { c_write(c, s, strlen(s)); }

/* Reads more bytes into the buffer; returns the count, 0 on EOF, -1 on error. */
static ssize_t c_fill(cconn *c) {
    if (c->len == sizeof c->buf) return -1;
    ssize_t n = c->ssl ? SSL_read(c->ssl, c->buf + c->len, (int)(sizeof c->buf - c->len))
                       : recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (n < 0 && c->ssl && SSL_get_error(c->ssl, (int)n) == SSL_ERROR_ZERO_RETURN) n = 0;
    if (n > 0) c->len += (size_t)n;
    return n;
}

/* 1 when the peer closes the connection (EOF or reset) within 5 s. */
static int c_sees_close(cconn *c) {
    for (;;) {
        c->len = 0;
        ssize_t n = c_fill(c);
        if (n == 0) return 1;
        if (n < 0) return errno == ECONNRESET || c->ssl != NULL;
    }
}

/* ---- HTTP/1.1 responses, parsed with http-parser ---- */

typedef struct hresp {
    int status;
    sbuf heads;             /* "name: value\n", names lower-case */
    sbuf body;
    int done;
    int chunked;
    int last_was_value;
} hresp;

static int hr_field(http_parser *p, const char *at, size_t n) {
    hresp *r = p->data;
    if (r->last_was_value) sbuf_putc(&r->heads, '\n');
    for (size_t i = 0; i < n; i++) sbuf_putc(&r->heads, (char)tolower((unsigned char)at[i]));
    r->last_was_value = 0;
    return 0;
}

static int hr_value(http_parser *p, const char *at, size_t n) {
    hresp *r = p->data;
    if (!r->last_was_value) sbuf_puts(&r->heads, ": ");
    sbuf_append(&r->heads, at, n);
    r->last_was_value = 1;
    return 0;
}

static int hr_headers_done(http_parser *p) {
    hresp *r = p->data;
    r->status = p->status_code;
    r->chunked = (p->flags & F_CHUNKED) != 0;
    sbuf_putc(&r->heads, '\n');
    return 0;
}

static int hr_body(http_parser *p, const char *at, size_t n) {
    sbuf_append(&((hresp *)p->data)->body, at, n);
    return 0;
}

static int hr_complete(http_parser *p) {
    ((hresp *)p->data)->done = 1;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings hr_settings = {
    .on_header_field = hr_field,
    .on_header_value = hr_value,
    .on_headers_complete = hr_headers_done,
    .on_body = hr_body,
    .on_message_complete = hr_complete,
};

static void hresp_free(hresp *r) {
    sbuf_free(&r->heads);
    sbuf_free(&r->body);
}

/* Reads exactly one response (bytes after it stay buffered). 0 or -1. */
static int hresp_read(cconn *c, hresp *r) {
    memset(r, 0, sizeof *r);
    sbuf_init(&r->heads);
    sbuf_init(&r->body);
    http_parser p;
    http_parser_init(&p, HTTP_RESPONSE);
    p.data = r;
    for (;;) {
        if (c->len > 0) {
            size_t n = http_parser_execute(&p, &hr_settings, c->buf, c->len);
            memmove(c->buf, c->buf + n, c->len - n);
            c->len -= n;
            if (r->done) return 0;
            if (HTTP_PARSER_ERRNO(&p) != HPE_OK) return -1;
        }
        ssize_t k = c_fill(c);
        if (k <= 0) {
            http_parser_execute(&p, &hr_settings, NULL, 0);   /* EOF ends a close-delimited body */
            return r->done ? 0 : -1;
        }
    }
}

static int has_header(const hresp *r, const char *line) {
    return strstr(r->heads.data, line) != NULL;
}

/* ------------------------------------------------------------------ */
/* HTTP/1.1 tests                                                     */
/* ------------------------------------------------------------------ */

START_TEST(test_h1_keepalive) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    hresp r;
    c_puts(c, "GET /echo?a=1 HTTP/1.1\r\nHost: x\r\nX-Test: one\r\n\r\n");
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body.data, "GET /echo?a=1 h1 0|");
    ck_assert(has_header(&r, "x-echo: one\n"));
    ck_assert(has_header(&r, "content-length: 19\n"));
    hresp_free(&r);
    c_puts(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body.data, "POST /echo? h1 0|hello");
    hresp_free(&r);
    c_puts(c, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 404);
    hresp_free(&r);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h1_pipeline_order) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    /* The first reply comes 100 ms late; the others at once. */
    c_puts(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
              "GET /echo?n=2 HTTP/1.1\r\nHost: x\r\n\r\n"
              "POST /echo?n=3 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
    const char *want[] = {"slow", "GET /echo?n=2 h1 0|", "POST /echo?n=3 h1 0|abc"};
    for (int i = 0; i < 3; i++) {
        hresp r;
        ck_assert_int_eq(hresp_read(c, &r), 0);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(r.body.data, want[i]);
        hresp_free(&r);
    }
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h1_chunked_request) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    c_puts(c, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              "5\r\nhello\r\n");
    sleep_ms(20);
    c_puts(c, "6\r\n world\r\n0\r\n\r\n");
    hresp r;
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body.data, "POST /echo? h1 0|hello world");
    hresp_free(&r);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h1_too_large) {
    tsrv ts;
    tsrv_start(&ts);
    /* Content-Length over max_body: 413 before any body byte is sent. */
    cconn *c = c_open(ts.port);
    c_puts(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n");
    hresp r;
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 413);
    ck_assert(has_header(&r, "connection: close\n"));
    hresp_free(&r);
    ck_assert(c_sees_close(c));
    c_close(c);
    /* Chunked body growing past max_body (1 MiB here). */
    c = c_open(ts.port);
    c_puts(c, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    static char chunk[70000];
    memset(chunk, 'a', sizeof chunk);
    char head[32];
    int got413 = 0;
    for (int i = 0; i < 20 && !got413; i++) {
        snprintf(head, sizeof head, "%zx\r\n", sizeof chunk);
        ssize_t a = send(c->fd, head, strlen(head), MSG_NOSIGNAL);
        ssize_t b = send(c->fd, chunk, sizeof chunk, MSG_NOSIGNAL);
        ssize_t d = send(c->fd, "\r\n", 2, MSG_NOSIGNAL);
        if (a < 0 || b < 0 || d < 0) break;
    }
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 413);
    hresp_free(&r);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h1_malformed) {
    tsrv ts;
    tsrv_start(&ts);
    const char *bad[] = {
        "GARBAGE\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
        "GET / HTTP/9.9x\r\n\r\n",
        "POST /echo HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",   /* TLS on the plain port */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cconn *c = c_open(ts.port);
        c_puts(c, bad[i]);
        hresp r;
        ck_assert_msg(hresp_read(c, &r) == 0, "case %zu", i);
        ck_assert_int_eq(r.status, 400);
        ck_assert(has_header(&r, "connection: close\n"));
        hresp_free(&r);
        ck_assert(c_sees_close(c));
        c_close(c);
    }
    /* A good request after a malformed one on another connection still works. */
    cconn *c = c_open(ts.port);
    c_puts(c, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
    hresp r;
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 200);
    hresp_free(&r);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h1_garbage_never_crashes) {
    tsrv ts;
    tsrv_start(&ts);
    unsigned seed = 12345;
    for (int i = 0; i < 30; i++) {
        cconn *c = c_open(ts.port);
        char junk[512];
        size_t n = 1 + (size_t)(rand_r(&seed) % sizeof junk);
        for (size_t k = 0; k < n; k++) junk[k] = (char)rand_r(&seed);
        /* Half the cases start like a request so the parser gets further. */
        if (i % 2) memcpy(junk, "POST / HTTP/1.1\r\n", n < 17 ? n : 17);
        send(c->fd, junk, n, MSG_NOSIGNAL);
        shutdown(c->fd, SHUT_WR);
        while (c_fill(c) > 0) c->len = 0;
        c_close(c);
    }
    cconn *c = c_open(ts.port);
    c_puts(c, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
    hresp r;
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 200);
    hresp_free(&r);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h1_streamed_reply) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    c_puts(c, "GET /stream?n=4 HTTP/1.1\r\nHost: x\r\n\r\n");
    hresp r;
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert(r.chunked);
    ck_assert_str_eq(r.body.data, "chunk-0\nchunk-1\nchunk-2\nchunk-3\n");
    hresp_free(&r);
    /* Keep-alive survives a streamed reply. */
    c_puts(c, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 200);
    hresp_free(&r);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h1_expect_continue) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    c_puts(c, "PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    hresp r;
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 100);
    hresp_free(&r);
    c_puts(c, "data");
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body.data, "PUT /echo? h1 0|data");
    hresp_free(&r);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h1_connection_close) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    c_puts(c, "GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    hresp r;
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert(has_header(&r, "connection: close\n"));
    hresp_free(&r);
    ck_assert(c_sees_close(c));
    c_close(c);
    /* HTTP/1.0 without keep-alive closes too; its stream ends with the close. */
    c = c_open(ts.port);
    c_puts(c, "GET /stream?n=2 HTTP/1.0\r\n\r\n");
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert(!r.chunked);
    ck_assert_str_eq(r.body.data, "chunk-0\nchunk-1\n");
    hresp_free(&r);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_idle_timeout) {
    tsrv ts;
    tsrv_start_opts(&ts, 200, 0);
    cconn *idle = c_open(ts.port);
    cconn *half = c_open(ts.port);
    c_puts(half, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert(c_sees_close(idle));
    ck_assert(c_sees_close(half));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_msg(secs < 2.0, "timed out after %.2f s", secs);
    c_close(idle);
    c_close(half);
    /* A slow handler is not idleness: its reply still arrives. */
    cconn *c = c_open(ts.port);
    c_puts(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
              "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    for (int i = 0; i < 3; i++) {
        hresp r;
        ck_assert_int_eq(hresp_read(c, &r), 0);
        ck_assert_str_eq(r.body.data, "slow");
        hresp_free(&r);
    }
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_shutdown_aborts_streams) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *hold = c_open(ts.port);
    c_puts(hold, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    cconn *slow = c_open(ts.port);
    c_puts(slow, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    cconn *idle = c_open(ts.port);
    sleep_ms(50);   /* both requests are with the handler */
    uv_async_send(&ts.stop);
    /* The in-flight unary reply is still sent, with Connection: close. */
    hresp r;
    ck_assert_int_eq(hresp_read(slow, &r), 0);
    ck_assert_str_eq(r.body.data, "slow");
    ck_assert(has_header(&r, "connection: close\n"));
    hresp_free(&r);
    /* The open stream is ended cleanly and its handler told. */
    ck_assert_int_eq(hresp_read(hold, &r), 0);
    ck_assert_str_eq(r.body.data, "start\n");
    hresp_free(&r);
    ck_assert(c_sees_close(idle));
    ck_assert_int_eq(wait_aborts(&ts, 1), 1);
    pthread_join(ts.th, NULL);
    ck_assert_int_eq(atomic_load(&ts.done), 1);
    srv_http_close(ts.h);
    ck_assert_int_eq(uv_loop_close(&ts.loop), 0);
    c_close(hold);
    c_close(slow);
    c_close(idle);
}
END_TEST

START_TEST(test_client_gone_aborts) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    c_puts(c, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    c->len = 0;
    ck_assert_int_gt(c_fill(c), 0);   /* headers and "start" arrived */
    c_close(c);
    ck_assert_int_eq(wait_aborts(&ts, 1), 1);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_reply_after_client_left) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    c_puts(c, "GET /late HTTP/1.1\r\nHost: x\r\n\r\n");
    sleep_ms(20);
    /* A reset, not a FIN: a FIN could be a half-close still owed its reply. */
    struct linger lg = {1, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    c_close(c);
    for (int i = 0; i < 100 && atomic_load(&ts.late_rc) == 1; i++) sleep_ms(10);
    ck_assert_int_eq(atomic_load(&ts.late_rc), EDDY_E_IO);
    ck_assert_int_eq(atomic_load(&ts.aborts), 0);
    tsrv_stop(&ts);
}
END_TEST

/* ------------------------------------------------------------------ */
/* HTTP/2 client                                                      */
/* ------------------------------------------------------------------ */

typedef struct h2req {
    int32_t id;
    int status;
    sbuf body;
    int data_frames;
    int closed;
    uint32_t error;
    int close_rank;         /* order in which streams closed, from 1 */
    const char *send;       /* request body */
    size_t send_len, send_off;
} h2req;

typedef struct h2cli {
    cconn *c;
    nghttp2_session *s;
    int closes;
} h2cli;

static ssize_t cli_send(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *ud) {
    h2cli *h = ud;
    c_write(h->c, data, len);
    return (ssize_t)len;
}

static int cli_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nl,
                      const uint8_t *value, size_t vl, uint8_t flags, void *ud) {
    h2req *q = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
    if (q && nl == 7 && memcmp(name, ":status", 7) == 0) q->status = atoi((const char *)value);
    return 0;
}

static int cli_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *d, size_t n,
                    void *ud) {
    h2req *q = nghttp2_session_get_stream_user_data(s, id);
    if (q) sbuf_append(&q->body, d, n);
    return 0;
}

static int cli_frame(nghttp2_session *s, const nghttp2_frame *f, void *ud) {
    h2req *q = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
    if (q && f->hd.type == NGHTTP2_DATA && f->hd.length > 0) q->data_frames++;
    return 0;
}

static int cli_close(nghttp2_session *s, int32_t id, uint32_t code, void *ud) {
    h2cli *h = ud;
    h2req *q = nghttp2_session_get_stream_user_data(s, id);
    if (q) {
        q->closed = 1;
        q->error = code;
        q->close_rank = ++h->closes;
    }
    return 0;
}

static void h2cli_init(h2cli *h, cconn *c) {
    memset(h, 0, sizeof *h);
    h->c = c;
    nghttp2_session_callbacks *cb;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_send_callback(cb, cli_send);
    nghttp2_session_callbacks_set_on_header_callback(cb, cli_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, cli_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, cli_frame);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, cli_close);
    ck_assert_int_eq(nghttp2_session_client_new(&h->s, cb, h), 0);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, NULL, 0);
}

static void h2cli_free(h2cli *h) { nghttp2_session_del(h->s); }

static ssize_t cli_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                        nghttp2_data_source *src, void *ud) {
    h2req *q = src->ptr;
    size_t n = q->send_len - q->send_off;
    if (n > len) n = len;
    memcpy(buf, q->send + q->send_off, n);
    q->send_off += n;
    if (q->send_off == q->send_len) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static void h2cli_request(h2cli *h, h2req *q, const char *method, const char *path,
                          const char *body) {
    memset(q, 0, sizeof *q);
    sbuf_init(&q->body);
#define NV(n, v) {(uint8_t *)(n), (uint8_t *)(v), strlen(n), strlen(v), NGHTTP2_NV_FLAG_NONE}
    nghttp2_nv nva[] = {NV(":method", method), NV(":path", path), NV(":scheme", "http"),
                        NV(":authority", "localhost"), NV("x-test", "h2")};
#undef NV
    nghttp2_data_provider prov = {.source = {.ptr = q}, .read_callback = cli_body};
    q->send = body;
    q->send_len = body ? strlen(body) : 0;
    q->id = nghttp2_submit_request(h->s, NULL, nva, 5, body ? &prov : NULL, q);
    ck_assert_int_gt(q->id, 0);
}

/* Exchanges frames until `done(arg)` holds; 0, or -1 on EOF/timeout. */
static int h2cli_run(h2cli *h, int (*done)(void *), void *arg) {
    for (;;) {
        ck_assert_int_eq(nghttp2_session_send(h->s), 0);
        if (done(arg)) return 0;
        h->c->len = 0;
        ssize_t n = c_fill(h->c);
        if (n <= 0) return -1;
        ck_assert_int_ge(nghttp2_session_mem_recv(h->s, (uint8_t *)h->c->buf, (size_t)n), 0);
    }
}

static int req_closed(void *arg) { return ((h2req *)arg)->closed; }
static int two_closed(void *arg) {
    h2req *q = arg;
    return q[0].closed && q[1].closed;
}
static int got_data(void *arg) { return ((h2req *)arg)->data_frames > 0; }

START_TEST(test_h2c_prior_knowledge) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    h2cli h;
    h2cli_init(&h, c);
    /* A unary request with a body, then a streamed reply, on one connection. */
    h2req q;
    h2cli_request(&h, &q, "POST", "/echo?k=v", "payload");
    ck_assert_int_eq(h2cli_run(&h, req_closed, &q), 0);
    ck_assert_int_eq(q.status, 200);
    ck_assert_int_eq(q.error, 0);
    ck_assert_str_eq(q.body.data, "POST /echo?k=v h2 0|payload");
    sbuf_free(&q.body);
    h2cli_request(&h, &q, "GET", "/stream?n=5", NULL);
    ck_assert_int_eq(h2cli_run(&h, req_closed, &q), 0);
    ck_assert_int_eq(q.status, 200);
    ck_assert_str_eq(q.body.data, "chunk-0\nchunk-1\nchunk-2\nchunk-3\nchunk-4\n");
    ck_assert_int_ge(q.data_frames, 2);   /* pushed as produced, not buffered */
    sbuf_free(&q.body);
    /* Two concurrent streams: the quick one finishes while the slow waits. */
    h2req two[2];
    h2cli_request(&h, &two[0], "GET", "/slow", NULL);
    h2cli_request(&h, &two[1], "GET", "/echo", NULL);
    ck_assert_int_eq(h2cli_run(&h, two_closed, two), 0);
    ck_assert_str_eq(two[0].body.data, "slow");
    ck_assert_str_eq(two[1].body.data, "GET /echo? h2 0|");
    ck_assert_int_lt(two[1].close_rank, two[0].close_rank);
    sbuf_free(&two[0].body);
    sbuf_free(&two[1].body);
    h2cli_free(&h);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h2_rst_stream_aborts) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    h2cli h;
    h2cli_init(&h, c);
    h2req q;
    h2cli_request(&h, &q, "GET", "/hold", NULL);
    ck_assert_int_eq(h2cli_run(&h, got_data, &q), 0);
    ck_assert_str_eq(q.body.data, "start\n");
    nghttp2_submit_rst_stream(h.s, NGHTTP2_FLAG_NONE, q.id, NGHTTP2_CANCEL);
    ck_assert_int_eq(nghttp2_session_send(h.s), 0);
    ck_assert_int_eq(wait_aborts(&ts, 1), 1);
    sbuf_free(&q.body);
    /* A reset stream whose handler has no on_abort: its late reply is dropped. */
    h2cli_request(&h, &q, "GET", "/late", NULL);
    ck_assert_int_eq(nghttp2_session_send(h.s), 0);
    sleep_ms(20);
    nghttp2_submit_rst_stream(h.s, NGHTTP2_FLAG_NONE, q.id, NGHTTP2_CANCEL);
    ck_assert_int_eq(nghttp2_session_send(h.s), 0);
    for (int i = 0; i < 100 && atomic_load(&ts.late_rc) == 1; i++) sleep_ms(10);
    ck_assert_int_eq(atomic_load(&ts.late_rc), EDDY_E_IO);
    sbuf_free(&q.body);
    /* The connection itself is still good. */
    h2cli_request(&h, &q, "GET", "/echo", NULL);
    ck_assert_int_eq(h2cli_run(&h, req_closed, &q), 0);
    ck_assert_int_eq(q.status, 200);
    sbuf_free(&q.body);
    h2cli_free(&h);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h2_too_large) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    h2cli h;
    h2cli_init(&h, c);
    size_t n = (1 << 20) + 10;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = 0;
    h2req q;
    h2cli_request(&h, &q, "POST", "/echo", big);
    ck_assert_int_eq(h2cli_run(&h, req_closed, &q), 0);
    ck_assert_int_eq(q.status, 413);
    sbuf_free(&q.body);
    free(big);
    h2cli_request(&h, &q, "GET", "/echo", NULL);
    ck_assert_int_eq(h2cli_run(&h, req_closed, &q), 0);
    ck_assert_int_eq(q.status, 200);
    sbuf_free(&q.body);
    h2cli_free(&h);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_h2_shutdown) {
    tsrv ts;
    tsrv_start(&ts);
    cconn *c = c_open(ts.port);
    h2cli h;
    h2cli_init(&h, c);
    h2req q[2];
    h2cli_request(&h, &q[0], "GET", "/hold", NULL);
    h2cli_request(&h, &q[1], "GET", "/slow", NULL);
    ck_assert_int_eq(h2cli_run(&h, got_data, &q[0]), 0);
    uv_async_send(&ts.stop);
    ck_assert_int_eq(h2cli_run(&h, two_closed, q), 0);
    ck_assert_int_eq(q[0].error, 0);   /* ended cleanly, not reset */
    ck_assert_str_eq(q[0].body.data, "start\n");
    ck_assert_str_eq(q[1].body.data, "slow");
    ck_assert_int_eq(wait_aborts(&ts, 1), 1);
    pthread_join(ts.th, NULL);
    ck_assert_int_eq(atomic_load(&ts.done), 1);
    srv_http_close(ts.h);
    ck_assert_int_eq(uv_loop_close(&ts.loop), 0);
    sbuf_free(&q[0].body);
    sbuf_free(&q[1].body);
    h2cli_free(&h);
    c_close(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* TLS                                                                */
/* ------------------------------------------------------------------ */

START_TEST(test_tls_alpn_h2) {
    tsrv ts;
    tsrv_start_opts(&ts, 5000, 1);
    ck_assert_int_gt(ts.tls_port, 0);
    char sel[32];
    cconn *c = c_open_tls(ts.tls_port, "\x02h2\x08http/1.1", 12, sel, sizeof sel);
    ck_assert_str_eq(sel, "h2");
    h2cli h;
    h2cli_init(&h, c);
    h2req q;
    h2cli_request(&h, &q, "POST", "/echo", "over tls");
    ck_assert_int_eq(h2cli_run(&h, req_closed, &q), 0);
    ck_assert_int_eq(q.status, 200);
    ck_assert_str_eq(q.body.data, "POST /echo? h2 1|over tls");
    sbuf_free(&q.body);
    h2cli_request(&h, &q, "GET", "/stream?n=3", NULL);
    ck_assert_int_eq(h2cli_run(&h, req_closed, &q), 0);
    ck_assert_str_eq(q.body.data, "chunk-0\nchunk-1\nchunk-2\n");
    sbuf_free(&q.body);
    h2cli_free(&h);
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

START_TEST(test_tls_alpn_http11) {
    tsrv ts;
    tsrv_start_opts(&ts, 5000, 1);
    char sel[32];
    cconn *c = c_open_tls(ts.tls_port, "\x08http/1.1", 9, sel, sizeof sel);
    ck_assert_str_eq(sel, "http/1.1");
    c_puts(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /stream?n=2 HTTP/1.1\r\nHost: x\r\n\r\n");
    hresp r;
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_str_eq(r.body.data, "POST /echo? h1 1|hi");
    hresp_free(&r);
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_str_eq(r.body.data, "chunk-0\nchunk-1\n");
    hresp_free(&r);
    c_close(c);
    /* No ALPN at all: HTTP/1.1 by sniffing. */
    c = c_open_tls(ts.tls_port, "", 0, sel, sizeof sel);
    ck_assert_str_eq(sel, "");
    c_puts(c, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert_int_eq(hresp_read(c, &r), 0);
    ck_assert_str_eq(r.body.data, "GET /echo? h1 1|");
    hresp_free(&r);
    c_close(c);
    /* Plain HTTP on the TLS port is refused without harm. */
    c = c_open(ts.tls_port);
    c_puts(c, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert(c_sees_close(c));
    c_close(c);
    tsrv_stop(&ts);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Start-up errors                                                    */
/* ------------------------------------------------------------------ */

START_TEST(test_start_errors) {
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    srv_http_opts o;
    srv_http_opts_init(&o);
    o.handler = handler;
    srv_http *h = NULL;
    eddy_err err;
    o.listen = "127.0.0.1:99999";
    ck_assert_int_eq(srv_http_start(&loop, &o, &h, &err), EDDY_E_INVAL);
    ck_assert_ptr_null(h);
    o.listen = "not-an-ip:80";
    ck_assert_int_eq(srv_http_start(&loop, &o, &h, &err), EDDY_E_INVAL);
    o.listen = "127.0.0.1:0";
    o.tls_listen = "127.0.0.1:0";
    o.tls_cert = "/nonexistent/cert.pem";
    o.tls_key = "/nonexistent/key.pem";
    ck_assert_int_eq(srv_http_start(&loop, &o, &h, &err), EDDY_E_IO);
    ck_assert(strstr(err.msg, "certificate") != NULL);
    /* Binding a port in use fails cleanly after the first listener opened. */
    o.tls_listen = NULL;
    o.tls_cert = o.tls_key = NULL;
    ck_assert_int_eq(srv_http_start(&loop, &o, &h, &err), 0);
    char busy[32];
    snprintf(busy, sizeof busy, "127.0.0.1:%d", srv_http_port(h));
    srv_http *h2 = NULL;
    o.listen = "127.0.0.1:0";
    o.tls_listen = busy;
    ck_assert_int_eq(srv_http_start(&loop, &o, &h2, &err), EDDY_E_IO);
    ck_assert_ptr_null(h2);
    srv_http_close(h);   /* never ran: closes on the loop */
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

static Suite *suite_server_http(void) {
    Suite *s = suite_create("server_http");
    TCase *h1 = tcase_create("http1");
    tcase_add_test(h1, test_h1_keepalive);
    tcase_add_test(h1, test_h1_pipeline_order);
    tcase_add_test(h1, test_h1_chunked_request);
    tcase_add_test(h1, test_h1_too_large);
    tcase_add_test(h1, test_h1_malformed);
    tcase_add_test(h1, test_h1_garbage_never_crashes);
    tcase_add_test(h1, test_h1_streamed_reply);
    tcase_add_test(h1, test_h1_expect_continue);
    tcase_add_test(h1, test_h1_connection_close);
    tcase_add_test(h1, test_idle_timeout);
    tcase_add_test(h1, test_shutdown_aborts_streams);
    tcase_add_test(h1, test_client_gone_aborts);
    tcase_add_test(h1, test_reply_after_client_left);
    suite_add_tcase(s, h1);
    TCase *h2 = tcase_create("http2");
    tcase_add_test(h2, test_h2c_prior_knowledge);
    tcase_add_test(h2, test_h2_rst_stream_aborts);
    tcase_add_test(h2, test_h2_too_large);
    tcase_add_test(h2, test_h2_shutdown);
    suite_add_tcase(s, h2);
    TCase *tls = tcase_create("tls");
    tcase_add_test(tls, test_tls_alpn_h2);
    tcase_add_test(tls, test_tls_alpn_http11);
    tcase_add_test(tls, test_start_errors);
    suite_add_tcase(s, tls);
    return s;
}

EDDY_CHECK_MAIN(suite_server_http)
