/*
 * srv_http.c — the transport's core: listeners, connections (read, write,
 * idle timer, close), protocol sniffing, shutdown, and the protocol-neutral
 * half of srv_response (the public reply calls dispatch to srv_http1.c or
 * srv_h2.c). See srv_http_int.h for the lifetimes.
 */
#include "srv_http_int.h"

#include "eddy_log.h"

#include <ctype.h>
#include <http_parser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SRV_DEFAULT_MAX_BODY (7u * 1024 * 1024)
#define SRV_DEFAULT_IDLE_MS 60000
/* After a final reply the write side is shut; the peer gets this long to
 * read it before the socket is closed (closing at once could turn the
 * unread request body into a RST that destroys the reply). */
#define SRV_LINGER_MS 2000

static const char H2_PREFACE[24] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static _Thread_local char read_buf[65536];   /* input is consumed synchronously on the loop thread */

static void server_maybe_done(srv_http *h);
static void arm_timer(srv_conn *c, uint64_t ms);

/* ------------------------------------------------------------------ */
/* Requests and responses                                             */
/* ------------------------------------------------------------------ */

const char *srv_request_header(const srv_request *req, const char *name) {
    if (!req || !name) return NULL;
    for (size_t i = 0; i < req->n_headers; i++)
        if (strcasecmp(req->headers[i].name, name) == 0) return req->headers[i].value;
    return NULL;
}

const char *srv__reason(int status) {
    if (status == 413) return "Payload Too Large";   /* http_parser says "Request Entity Too Large" */
    const char *s = http_status_str((enum http_status)status);
    return strcmp(s, "<unknown>") == 0 ? "Status" : s;
}

int srv__hop_header(const char *name) {
    static const char *const hop[] = {"content-length", "transfer-encoding", "connection",
                                      "keep-alive", "proxy-connection", "upgrade", "te"};
    for (size_t i = 0; i < sizeof hop / sizeof hop[0]; i++)
        if (strcasecmp(name, hop[i]) == 0) return 1;
    return 0;
}

srv_response *srv_resp__new(srv_conn *c) {
    srv_response *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->conn = c;
    arena_init(&r->mem, 4096);
    sbuf_init(&r->body);
    sbuf_init(&r->out);
    r->req.method = "";
    r->req.path = "/";
    r->req.query = "";
    r->req.body = "";
    r->req.tls = c->is_tls;
    r->h1_minor = 1;
    return r;
}

int srv_resp__add_header(srv_response *r, const char *name, size_t nlen,
                         const char *value, size_t vlen) {
    if (r->req.n_headers >= SRV_MAX_HEADERS) return EDDY_E_LIMIT;
    if (r->req.n_headers == r->hdr_cap) {
        size_t cap = r->hdr_cap ? r->hdr_cap * 2 : 16;
        srv_header *nh = arena_alloc(&r->mem, cap * sizeof *nh);
        if (!nh) return EDDY_E_NOMEM;
        if (r->req.n_headers) memcpy(nh, r->hdrs, r->req.n_headers * sizeof *nh);
        r->hdrs = nh;
        r->hdr_cap = cap;
    }
    char *n = arena_strndup(&r->mem, name, nlen);
    char *v = arena_strndup(&r->mem, value, vlen);
    if (!n || !v) return EDDY_E_NOMEM;
    for (char *p = n; *p; p++) *p = (char)tolower((unsigned char)*p);
    r->hdrs[r->req.n_headers].name = n;
    r->hdrs[r->req.n_headers].value = v;
    r->req.n_headers++;
    r->req.headers = r->hdrs;
    return 0;
}

void srv_resp__dispatch(srv_response *r) {
    r->req.body = r->body.data;
    r->req.body_len = r->body.len;
    r->req.headers = r->hdrs;
    r->dispatched = 1;
    srv_http *h = r->conn->srv;
    h->opts.handler(h->opts.handler_ctx, &r->req, r);
}

void srv_resp__free(srv_response *r) {
    if (!r) return;
    arena_free(&r->mem);
    sbuf_free(&r->body);
    sbuf_free(&r->out);
    free(r);
}

void srv_resp__abort(srv_response *r) {
    r->conn = NULL;
    if (!r->dispatched || r->state == SRV_RS_DONE) {
        srv_resp__free(r);
        return;
    }
    if (r->on_abort) {
        void (*cb)(void *) = r->on_abort;
        r->on_abort = NULL;
        r->state = SRV_RS_DONE;
        cb(r->abort_ctx);
        srv_resp__free(r);
    }
    /* else: detached; the handler's final srv_reply/srv_stream_end frees it. */
}

/* Handler finished with a response whose connection is gone. */
static int finish_detached(srv_response *r) {
    srv_resp__free(r);
    return EDDY_E_IO;
}

int srv_reply(srv_response *r, int status, const srv_header *headers, size_t n_headers,
              const void *body, size_t body_len) {
    if (!r || r->state != SRV_RS_PENDING) return EDDY_E_INVAL;
    r->state = SRV_RS_DONE;
    r->on_abort = NULL;
    if (!r->conn) return finish_detached(r);
    if (!body) body_len = 0;
    return r->conn->proto == SRV_PROTO_H2 ? srv_h2__reply(r, status, headers, n_headers, body, body_len)
                                          : srv_h1__reply(r, status, headers, n_headers, body, body_len);
}

int srv_stream_begin(srv_response *r, int status, const srv_header *headers, size_t n_headers) {
    if (!r || r->state != SRV_RS_PENDING) return EDDY_E_INVAL;
    r->state = SRV_RS_STREAMING;
    /* Without on_abort, a connection lost during the call only detaches `r`
     * (never frees it), so it can be cleaned up here either way. */
    void (*cb)(void *) = r->on_abort;
    void *ctx = r->abort_ctx;
    r->on_abort = NULL;
    int rc = EDDY_E_IO;
    if (r->conn)
        rc = r->conn->proto == SRV_PROTO_H2 ? srv_h2__stream_begin(r, status, headers, n_headers)
                                            : srv_h1__stream_begin(r, status, headers, n_headers);
    if (rc == 0 && r->conn) {
        r->on_abort = cb;
        r->abort_ctx = ctx;
        return 0;
    }
    r->state = SRV_RS_DONE;
    if (!r->conn) srv_resp__free(r);
    else if (r->conn->proto == SRV_PROTO_H2) srv_h2__fail(r);   /* freed when the stream closes */
    else srv_conn__close(r->conn);                               /* frees it through the abort */
    return rc != 0 ? rc : EDDY_E_IO;
}

int srv_stream_write(srv_response *r, const void *data, size_t len) {
    if (!r || r->state != SRV_RS_STREAMING) return EDDY_E_INVAL;
    if (!r->conn) return EDDY_E_IO;
    if (len == 0) return 0;
    return r->conn->proto == SRV_PROTO_H2 ? srv_h2__stream_write(r, data, len)
                                          : srv_h1__stream_write(r, data, len);
}

size_t srv_stream_pending(const srv_response *r) {
    if (!r || !r->conn) return 0;
    size_t own = r->out.len - (r->conn->proto == SRV_PROTO_H2 ? r->data_off : 0);
    return own + r->conn->write_bytes;
}

int srv_stream_end(srv_response *r) {
    if (!r || r->state != SRV_RS_STREAMING) return EDDY_E_INVAL;
    r->state = SRV_RS_DONE;
    r->on_abort = NULL;
    if (!r->conn) return finish_detached(r);
    return r->conn->proto == SRV_PROTO_H2 ? srv_h2__stream_end(r) : srv_h1__stream_end(r);
}

void srv_response_on_abort(srv_response *r, void (*cb)(void *ctx), void *ctx) {
    if (!r) return;
    r->on_abort = cb;
    r->abort_ctx = ctx;
}

const srv_request *srv_response_request(const srv_response *r) {
    return r ? &r->req : NULL;
}

/* ------------------------------------------------------------------ */
/* Connections                                                        */
/* ------------------------------------------------------------------ */

typedef struct wreq {
    uv_write_t req;
    srv_conn *c;
    size_t len;
    char data[];
} wreq;

static int conn_busy(const srv_conn *c) {
    if (c->h1) return srv_h1__busy(c);
    if (c->h2) return srv_h2__busy(c);
    return 0;
}

int srv_conn__idle(const srv_conn *c) {
    return !conn_busy(c);
}

static void conn_free_if_closed(srv_conn *c) {
    if (--c->open_handles > 0) return;
    srv_http *h = c->srv;
    srv_h1__free(c);
    srv_h2__free(c);
    if (c->ssl) SSL_free(c->ssl);
    if (c->prev) c->prev->next = c->next;
    else h->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    free(c);
    server_maybe_done(h);
}

static void on_handle_closed(uv_handle_t *hd) {
    conn_free_if_closed(hd->data);
}

void srv_conn__close(srv_conn *c) {
    if (c->closing) return;
    c->closing = 1;
    /* Abort first: on_abort callbacks may still look at their request. */
    if (c->h1) srv_h1__abort_all(c);
    if (c->h2) srv_h2__abort_all(c);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

static void on_shutdown_done(uv_shutdown_t *req, int status) {
    srv_conn *c = req->data;
    free(req);
    if (status < 0) srv_conn__close(c);
}

/* Every reply is out: shut the write side, then wait (briefly) for the
 * peer's EOF so that unread input does not reset the connection. */
static void conn_linger(srv_conn *c) {
    if (c->closing || c->draining) return;
    c->draining = 1;
    if (c->is_tls) srv_tls__shutdown(c);
    uv_shutdown_t *req = malloc(sizeof *req);
    if (!req || uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown_done) != 0) {
        free(req);
        srv_conn__close(c);
        return;
    }
    req->data = c;
    /* Shutting down, the peers had their replies: do not hold up the exit. */
    arm_timer(c, c->srv->shutting_down ? SRV_LINGER_MS / 8 : SRV_LINGER_MS);
}

static void conn_check_flushed(srv_conn *c) {
    if (c->closing || !c->close_when_flushed || c->draining) return;
    if (c->writes == 0 && !conn_busy(c)) conn_linger(c);
}

void srv_conn__close_after_flush(srv_conn *c) {
    c->close_when_flushed = 1;
    conn_check_flushed(c);
}

static void on_write_done(uv_write_t *req, int status) {
    wreq *w = (wreq *)req;
    srv_conn *c = w->c;
    c->writes--;
    c->write_bytes -= w->len;
    free(w);
    if (c->closing) return;
    if (status < 0) {
        srv_conn__close(c);
        return;
    }
    if (c->write_bytes < SRV_WRITE_HIGH_WATER && !c->draining) {
        if (c->h1) srv_h1__on_drain(c);
        else if (c->h2) srv_h2__on_drain(c);
    }
    conn_check_flushed(c);
}

int srv_conn__raw_write(srv_conn *c, const void *data, size_t len) {
    if (c->closing) return EDDY_E_IO;
    if (len == 0) return 0;
    if (c->writes == 0) {
        /* Nothing queued: the socket usually takes the whole reply now,
         * which saves the copy, the request and a loop turn. Only what it
         * does not take is queued, behind nothing, so order holds. */
        uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
        int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        if (n >= 0) {
            data = (const char *)data + n;
            len -= (size_t)n;
            if (len == 0) return 0;
        } else if (n != UV_EAGAIN) {
            srv_conn__close(c);
            return EDDY_E_IO;
        }
    }
    wreq *w = malloc(sizeof *w + len);
    if (!w) {
        srv_conn__close(c);
        return EDDY_E_NOMEM;
    }
    w->c = c;
    w->len = len;
    memcpy(w->data, data, len);
    uv_buf_t b = uv_buf_init(w->data, (unsigned)len);
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write_done);
    if (rc != 0) {
        free(w);
        srv_conn__close(c);
        return EDDY_E_IO;
    }
    c->writes++;
    c->write_bytes += len;
    return 0;
}

int srv_conn__write(srv_conn *c, const void *data, size_t len) {
    if (c->closing || c->draining) return EDDY_E_IO;
    return c->is_tls ? srv_tls__write(c, data, len) : srv_conn__raw_write(c, data, len);
}

static int conn_start_proto(srv_conn *c, srv_proto p) {
    c->proto = p;
    int rc = p == SRV_PROTO_H2 ? srv_h2__init(c) : srv_h1__init(c);
    if (rc != 0) srv_conn__close(c);
    return rc;
}

void srv_conn__on_plain(srv_conn *c, const char *data, size_t len) {
    if (c->closing || c->draining) return;
    if (c->proto == SRV_PROTO_SNIFF) {
        /* Decide as soon as one byte differs from the h2 preface. */
        size_t take = sizeof H2_PREFACE - c->sniff_len;
        if (take > len) take = len;
        memcpy(c->sniff + c->sniff_len, data, take);
        c->sniff_len += take;
        data += take;
        len -= take;
        int match = memcmp(c->sniff, H2_PREFACE, c->sniff_len) == 0;
        if (match && c->sniff_len < sizeof H2_PREFACE) return;
        if (conn_start_proto(c, match ? SRV_PROTO_H2 : SRV_PROTO_H1) != 0) return;
        c->in_recv++;
        if (match) srv_h2__feed(c, c->sniff, c->sniff_len);
        else srv_h1__feed(c, c->sniff, c->sniff_len);
        c->in_recv--;
        if (len == 0 || c->closing) return;
    }
    c->in_recv++;
    if (c->proto == SRV_PROTO_H2) srv_h2__feed(c, data, len);
    else srv_h1__feed(c, data, len);
    c->in_recv--;
}

/* Used by srv_tls.c once ALPN picked a protocol. */
int srv_conn__choose_proto(srv_conn *c, const unsigned char *alpn, unsigned alpn_len) {
    if (alpn_len == 2 && memcmp(alpn, "h2", 2) == 0) return conn_start_proto(c, SRV_PROTO_H2);
    if (alpn_len == 8 && memcmp(alpn, "http/1.1", 8) == 0) return conn_start_proto(c, SRV_PROTO_H1);
    return 0;   /* no ALPN: sniff as on the plain port */
}

static void on_timer(uv_timer_t *t) {
    srv_conn *c = t->data;
    if (c->closing) return;
    if (c->draining || !conn_busy(c)) {
        srv_conn__close(c);
        return;
    }
    /* A handler is still working on a request: that is not idleness. */
    uv_timer_start(&c->timer, on_timer, (uint64_t)c->srv->opts.idle_timeout_ms, 0);
}

static void arm_timer(srv_conn *c, uint64_t ms) {
    uv_timer_start(&c->timer, on_timer, ms, 0);
}

static void on_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf) {
    *buf = uv_buf_init(read_buf, sizeof read_buf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
    srv_conn *c = s->data;
    if (c->closing) return;
    if (nread < 0) {
        /* EOF with unary replies still owed (an HTTP/1.1 client that
         * half-closes after its request): finish them. EOF under an open
         * stream means the subscriber left; on h2 it always means gone. */
        if (nread == UV_EOF && !c->draining && c->h1 && conn_busy(c) && !srv_h1__streaming(c)) {
            uv_read_stop(s);
            srv_conn__close_after_flush(c);
            return;
        }
        srv_conn__close(c);
        return;
    }
    if (nread == 0) return;
    if (c->draining) return;   /* input after our final reply is discarded */
    arm_timer(c, (uint64_t)c->srv->opts.idle_timeout_ms);
    if (c->is_tls) srv_tls__on_read(c, buf->base, (size_t)nread);
    else srv_conn__on_plain(c, buf->base, (size_t)nread);
}

void srv_conn__pause_read(srv_conn *c) {
    if (!c->closing) uv_read_stop((uv_stream_t *)&c->tcp);
}

void srv_conn__resume_read(srv_conn *c) {
    if (!c->closing && !c->draining && uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
        srv_conn__close(c);
}

static void on_connection(uv_stream_t *server, int status, int tls) {
    srv_http *h = server->data;
    if (status < 0 || h->shutting_down) return;
    srv_conn *c = calloc(1, sizeof *c);
    if (!c) return;
    c->srv = h;
    c->is_tls = tls;
    uv_tcp_init(h->loop, &c->tcp);
    uv_timer_init(h->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->open_handles = 2;
    c->next = h->conns;
    if (h->conns) h->conns->prev = c;
    h->conns = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 || (tls && srv_tls__conn_init(c) != 0)) {
        srv_conn__close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    arm_timer(c, (uint64_t)h->opts.idle_timeout_ms);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) srv_conn__close(c);
}

static void on_plain_conn(uv_stream_t *s, int status) { on_connection(s, status, 0); }
static void on_tls_conn(uv_stream_t *s, int status) { on_connection(s, status, 1); }

/* ------------------------------------------------------------------ */
/* Server                                                             */
/* ------------------------------------------------------------------ */

void srv_http_opts_init(srv_http_opts *o) {
    memset(o, 0, sizeof *o);
    o->listen = "127.0.0.1:4567";
}

/* Parses "host:port", "[v6]:port", ":port" or "port" (host 127.0.0.1). */
static int parse_addr(const char *text, struct sockaddr_storage *ss, eddy_err *err) {
    char host[64] = "127.0.0.1";
    const char *port = text;
    if (text[0] == '[') {
        const char *end = strchr(text, ']');
        if (!end || end[1] != ':' || (size_t)(end - text - 1) >= sizeof host)
            return eddy_err_set(err, EDDY_E_INVAL, "invalid listen address \"%s\"", text);
        memcpy(host, text + 1, (size_t)(end - text - 1));
        host[end - text - 1] = 0;
        port = end + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (colon) {
            size_t n = (size_t)(colon - text);
            if (n >= sizeof host)
                return eddy_err_set(err, EDDY_E_INVAL, "invalid listen address \"%s\"", text);
            if (n > 0) {
                memcpy(host, text, n);
                host[n] = 0;
            }
            port = colon + 1;
        }
    }
    if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");   /* no resolver on start-up */
    char *end;
    long p = strtol(port, &end, 10);
    if (*port == 0 || *end != 0 || p < 0 || p > 65535)
        return eddy_err_set(err, EDDY_E_INVAL, "invalid port in listen address \"%s\"", text);
    if (uv_ip4_addr(host, (int)p, (struct sockaddr_in *)ss) != 0 &&
        uv_ip6_addr(host, (int)p, (struct sockaddr_in6 *)ss) != 0)
        return eddy_err_set(err, EDDY_E_INVAL, "invalid host in listen address \"%s\"", text);
    return 0;
}

static int start_listener(srv_http *h, uv_tcp_t *tcp, const char *addr, uv_connection_cb cb,
                          int *port_out, eddy_err *err) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    int rc = parse_addr(addr, &ss, err);
    if (rc != 0) return rc;
    uv_tcp_init(h->loop, tcp);
    tcp->data = h;
    h->open_listeners++;
    rc = uv_tcp_bind(tcp, (struct sockaddr *)&ss, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)tcp, 511, cb);
    if (rc != 0)
        return eddy_err_set(err, EDDY_E_IO, "cannot listen on %s: %s", addr, uv_strerror(rc));
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_tcp_getsockname(tcp, (struct sockaddr *)&bound, &len);
    *port_out = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                  : ((struct sockaddr_in *)&bound)->sin_port);
    return 0;
}

static void on_listener_closed(uv_handle_t *hd) {
    srv_http *h = hd->data;
    h->open_listeners--;
    server_maybe_done(h);
}

static void server_free(srv_http *h) {
    if (h->ssl_ctx) SSL_CTX_free(h->ssl_ctx);
    free(h);
}

static void server_maybe_done(srv_http *h) {
    if (!h->shutting_down || h->done_called || h->conns || h->open_listeners > 0) return;
    h->done_called = 1;
    if (h->done) h->done(h->done_ctx);
    if (h->free_on_done) server_free(h);
}

static void close_listeners(srv_http *h) {
    if (h->has_plain) {
        h->has_plain = 0;
        uv_close((uv_handle_t *)&h->plain, on_listener_closed);
    }
    if (h->has_tls) {
        h->has_tls = 0;
        uv_close((uv_handle_t *)&h->tlsl, on_listener_closed);
    }
}

int srv_http_start(uv_loop_t *loop, const srv_http_opts *opts, srv_http **out, eddy_err *err) {
    *out = NULL;
    if (!loop || !opts || !opts->handler)
        return eddy_err_set(err, EDDY_E_INVAL, "http server needs a loop and a handler");
    srv_http *h = calloc(1, sizeof *h);
    if (!h) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    h->loop = loop;
    h->opts = *opts;
    if (!h->opts.listen) h->opts.listen = "127.0.0.1:4567";
    if (h->opts.max_body == 0) h->opts.max_body = SRV_DEFAULT_MAX_BODY;
    if (h->opts.idle_timeout_ms <= 0) h->opts.idle_timeout_ms = SRV_DEFAULT_IDLE_MS;
    int rc = 0;
    if (h->opts.tls_listen)
        rc = srv_tls__ctx_new(h->opts.tls_cert, h->opts.tls_key, &h->ssl_ctx, err);
    if (rc == 0) {
        h->has_plain = 1;
        rc = start_listener(h, &h->plain, h->opts.listen, on_plain_conn, &h->plain_port, err);
    }
    if (rc == 0 && h->opts.tls_listen) {
        h->has_tls = 1;
        rc = start_listener(h, &h->tlsl, h->opts.tls_listen, on_tls_conn, &h->tls_port, err);
    }
    if (rc != 0) {
        if (h->open_listeners == 0) {
            server_free(h);
        } else {
            /* The handles are initialised: they must be closed on the loop
             * before the memory goes; the loop's next run frees it. */
            h->has_plain = h->has_plain && h->open_listeners > 0;
            h->has_tls = h->has_tls && h->open_listeners > 1;
            h->shutting_down = 1;
            h->free_on_done = 1;
            close_listeners(h);
        }
        return rc;
    }
    *out = h;
    return 0;
}

int srv_http_port(const srv_http *h) { return h ? h->plain_port : 0; }
int srv_http_tls_port(const srv_http *h) { return h ? h->tls_port : 0; }
uv_loop_t *srv_http_loop(srv_http *h) { return h ? h->loop : NULL; }

void srv_http_shutdown(srv_http *h, void (*done)(void *ctx), void *ctx) {
    if (!h || h->shutting_down) return;
    h->shutting_down = 1;
    h->done = done;
    h->done_ctx = ctx;
    close_listeners(h);
    for (srv_conn *c = h->conns; c; c = c->next) {
        if (c->closing) continue;
        if (c->h1) srv_h1__shutdown(c);
        else if (c->h2) srv_h2__shutdown(c);
        else srv_conn__close(c);   /* still sniffing or handshaking: nothing owed */
    }
    server_maybe_done(h);
}

void srv_http_close(srv_http *h) {
    if (!h) return;
    if (h->done_called) {
        server_free(h);
        return;
    }
    /* Handles are still open: finish on the loop and free there. */
    h->free_on_done = 1;
    if (!h->shutting_down) srv_http_shutdown(h, NULL, NULL);
}
