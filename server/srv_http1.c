/*
 * srv_http1.c — HTTP/1.1 on one connection, parsed by nodejs http-parser.
 *
 * Every request gets its srv_response at on_message_begin and joins the
 * connection's queue in arrival order. Output is produced into each
 * response's `out` buffer and only the head of the queue writes to the
 * socket, so pipelined replies leave in request order even when a later
 * handler answers first. Transport answers (100 Continue, 413, 400) use the
 * same queue. Called from srv_http.c only.
 */
#include "srv_http_int.h"

#include <http_parser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct srv_h1 {
    http_parser parser;
    srv_conn *c;
    srv_response *head, *tail;  /* queue in request order */
    int count;                  /* responses in the queue */
    srv_response *cur;          /* request being parsed (the tail), or NULL */
    sbuf url, hname, hval;
    int in_value;               /* last header callback was a value */
    int stopped;                /* parse no further input (error, close, shutdown) */
    int paused;                 /* reading stopped: too many replies owed */
    sbuf backlog;               /* input received while paused */
    int failed;                 /* a transport error reply was queued */
};

static http_parser_settings settings;

static srv_h1 *h1_of(http_parser *p) { return p->data; }

static void h1_enqueue(srv_h1 *h, srv_response *r) {
    if (h->tail) h->tail->next = r;
    else h->head = r;
    h->tail = r;
    h->count++;
}

static void h1_maybe_resume(srv_h1 *h);

/* Writes what the head of the queue has ready; retires finished heads. */
static void h1_pump(srv_h1 *h) {
    srv_conn *c = h->c;
    while (h->head && !c->closing) {
        srv_response *r = h->head;
        if (r->out.len > 0) {
            if (srv_conn__write(c, r->out.data, r->out.len) != 0) return;
            sbuf_clear(&r->out);
        }
        if (!r->proto_done) break;
        h->head = r->next;
        if (!h->head) h->tail = NULL;
        h->count--;
        int close = r->close_after;
        srv_resp__free(r);
        if (close) {
            h->stopped = 1;
            srv_conn__close_after_flush(c);
            return;
        }
    }
    h1_maybe_resume(h);
}

/* Queues a reply the transport makes itself and stops reading requests. */
static void h1_fail(srv_h1 *h, int status, const char *msg) {
    if (h->failed || h->c->closing) return;
    h->failed = 1;
    h->stopped = 1;
    srv_response *r = h->cur;
    if (!r) {
        r = srv_resp__new(h->c);
        if (!r) {
            srv_conn__close(h->c);
            return;
        }
        h1_enqueue(h, r);
    }
    h->cur = NULL;
    r->state = SRV_RS_DONE;
    size_t n = strlen(msg);
    sbuf_printf(&r->out,
                "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                "Connection: close\r\n\r\n%s",
                status, srv__reason(status), n + 1, msg);
    sbuf_putc(&r->out, '\n');
    r->proto_done = 1;
    r->close_after = 1;
    h1_pump(h);
}

static int commit_header(srv_h1 *h) {
    if (h->hname.len == 0) return 0;
    int rc = srv_resp__add_header(h->cur, h->hname.data, h->hname.len, h->hval.data, h->hval.len);
    sbuf_clear(&h->hname);
    sbuf_clear(&h->hval);
    h->in_value = 0;
    return rc;
}

static int on_message_begin(http_parser *p) {
    srv_h1 *h = h1_of(p);
    if (h->stopped || h->c->closing) return -1;
    srv_response *r = srv_resp__new(h->c);
    if (!r) return -1;
    h1_enqueue(h, r);
    h->cur = r;
    sbuf_clear(&h->url);
    sbuf_clear(&h->hname);
    sbuf_clear(&h->hval);
    h->in_value = 0;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len) {
    srv_h1 *h = h1_of(p);
    sbuf_append(&h->url, at, len);
    return h->url.failed ? -1 : 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len) {
    srv_h1 *h = h1_of(p);
    if (h->in_value && commit_header(h) != 0) {
        h1_fail(h, 431, "too many request headers");
        return -1;
    }
    sbuf_append(&h->hname, at, len);
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len) {
    srv_h1 *h = h1_of(p);
    h->in_value = 1;
    sbuf_append(&h->hval, at, len);
    return 0;
}

static int on_headers_complete(http_parser *p) {
    srv_h1 *h = h1_of(p);
    srv_response *r = h->cur;
    if (commit_header(h) != 0) {
        h1_fail(h, 431, "too many request headers");
        return -1;
    }
    if (p->method == HTTP_CONNECT) {
        h1_fail(h, 405, "CONNECT is not supported");
        return -1;
    }
    struct http_parser_url u;
    http_parser_url_init(&u);
    if (http_parser_parse_url(h->url.data, h->url.len, 0, &u) != 0) {
        h1_fail(h, 400, "invalid request target");
        return -1;
    }
    r->req.method = http_method_str((enum http_method)p->method);
    if (u.field_set & (1 << UF_PATH))
        r->req.path = arena_strndup(&r->mem, h->url.data + u.field_data[UF_PATH].off,
                                    u.field_data[UF_PATH].len);
    if (u.field_set & (1 << UF_QUERY))
        r->req.query = arena_strndup(&r->mem, h->url.data + u.field_data[UF_QUERY].off,
                                     u.field_data[UF_QUERY].len);
    if (r->mem.failed) return -1;
    r->h1_minor = p->http_major == 1 ? p->http_minor : 0;
    r->head_only = p->method == HTTP_HEAD;
    size_t max = h->c->srv->opts.max_body;
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > max) {
        h1_fail(h, 413, "request body too large");
        return -1;
    }
    const char *expect = srv_request_header(&r->req, "expect");
    if (expect && strcasecmp(expect, "100-continue") == 0 && r->h1_minor >= 1) {
        sbuf_puts(&r->out, "HTTP/1.1 100 Continue\r\n\r\n");
        h1_pump(h);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len) {
    srv_h1 *h = h1_of(p);
    srv_response *r = h->cur;
    if (r->body.len + len > h->c->srv->opts.max_body) {
        h1_fail(h, 413, "request body too large");
        return -1;
    }
    sbuf_append(&r->body, at, len);
    return r->body.failed ? -1 : 0;
}

static int on_message_complete(http_parser *p) {
    srv_h1 *h = h1_of(p);
    srv_response *r = h->cur;
    srv_conn *c = h->c;
    h->cur = NULL;
    if (!http_should_keep_alive(p) || c->srv->shutting_down) {
        r->close_after = 1;
        h->stopped = 1;
    }
    srv_resp__dispatch(r);
    /* `r` may be gone now (a synchronous reply retires it). */
    if (c->closing || h->stopped) return -1;
    if (h->count >= SRV_H1_MAX_PIPELINE || c->write_bytes >= SRV_WRITE_HIGH_WATER)
        http_parser_pause(p, 1);
    return 0;
}

int srv_h1__init(srv_conn *c) {
    srv_h1 *h = calloc(1, sizeof *h);
    if (!h) return EDDY_E_NOMEM;
    if (!settings.on_message_complete) {
        settings.on_message_begin = on_message_begin;
        settings.on_url = on_url;
        settings.on_header_field = on_header_field;
        settings.on_header_value = on_header_value;
        settings.on_headers_complete = on_headers_complete;
        settings.on_body = on_body;
        settings.on_message_complete = on_message_complete;
    }
    http_parser_init(&h->parser, HTTP_REQUEST);
    h->parser.data = h;
    h->c = c;
    sbuf_init(&h->url);
    sbuf_init(&h->hname);
    sbuf_init(&h->hval);
    sbuf_init(&h->backlog);
    c->h1 = h;
    return 0;
}

void srv_h1__feed(srv_conn *c, const char *data, size_t len) {
    srv_h1 *h = c->h1;
    while (len > 0 && !h->stopped && !c->closing) {
        if (h->paused) {
            sbuf_append(&h->backlog, data, len);
            if (h->backlog.failed) srv_conn__close(c);
            return;
        }
        size_t n = http_parser_execute(&h->parser, &settings, data, len);
        enum http_errno e = HTTP_PARSER_ERRNO(&h->parser);
        if (c->closing || h->stopped) return;
        if (e == HPE_PAUSED) {
            h->paused = 1;
            srv_conn__pause_read(c);
            data += n;
            len -= n;
            continue;
        }
        if (e != HPE_OK) {
            h1_fail(h, e == HPE_HEADER_OVERFLOW ? 431 : 400,
                    e == HPE_HEADER_OVERFLOW ? "request headers too large" : http_errno_description(e));
            return;
        }
        if (h->parser.upgrade) {
            /* Upgrade (h2c, websocket) is not offered: the request was
             * answered as plain HTTP/1.1, so keep parsing after it. */
            http_parser_init(&h->parser, HTTP_REQUEST);
            h->parser.data = h;
        }
        data += n;
        len -= n;
    }
}

static void h1_maybe_resume(srv_h1 *h) {
    srv_conn *c = h->c;
    if (!h->paused || c->closing || c->in_recv) return;
    if (h->count >= SRV_H1_MAX_PIPELINE / 2 || c->write_bytes >= SRV_WRITE_HIGH_WATER) return;
    h->paused = 0;
    http_parser_pause(&h->parser, 0);
    sbuf pending = h->backlog;
    sbuf_init(&h->backlog);
    c->in_recv++;
    srv_h1__feed(c, pending.data, pending.len);
    c->in_recv--;
    sbuf_free(&pending);
    if (!h->paused && !c->closing && !h->stopped)
        srv_conn__resume_read(c);
}

void srv_h1__on_drain(srv_conn *c) {
    h1_pump(c->h1);
}

void srv_h1__abort_all(srv_conn *c) {
    srv_h1 *h = c->h1;
    srv_response *r = h->head;
    h->head = h->tail = h->cur = NULL;
    h->count = 0;
    h->stopped = 1;
    while (r) {
        srv_response *next = r->next;
        srv_resp__abort(r);
        r = next;
    }
}

void srv_h1__free(srv_conn *c) {
    srv_h1 *h = c->h1;
    if (!h) return;
    sbuf_free(&h->url);
    sbuf_free(&h->hname);
    sbuf_free(&h->hval);
    sbuf_free(&h->backlog);
    free(h);
    c->h1 = NULL;
}

int srv_h1__busy(const srv_conn *c) {
    const srv_h1 *h = c->h1;
    return h->head != NULL && h->head != h->cur;
}

int srv_h1__streaming(const srv_conn *c) {
    for (const srv_response *r = c->h1->head; r; r = r->next)
        if (r->state == SRV_RS_STREAMING) return 1;
    return 0;
}

void srv_h1__shutdown(srv_conn *c) {
    srv_h1 *h = c->h1;
    h->stopped = 1;
    /* A request still arriving will not be served. */
    if (h->cur) {
        srv_response **pp = &h->head, *prev = NULL;
        while (*pp != h->cur) {
            prev = *pp;
            pp = &(*pp)->next;
        }
        *pp = NULL;
        h->tail = prev;
        h->count--;
        srv_resp__abort(h->cur);
        h->cur = NULL;
    }
    if (!h->head) {
        srv_conn__close(c);
        return;
    }
    /* Open streams end now: the protocol keeps a copy of their unsent bytes
     * and finishes them cleanly; the handler is told through on_abort. */
    for (srv_response **pp = &h->head; *pp; pp = &(*pp)->next) {
        srv_response *r = *pp;
        if (r->state != SRV_RS_STREAMING) continue;
        srv_response *t = srv_resp__new(c);
        if (!t) {
            srv_conn__close(c);
            return;
        }
        sbuf tmp = t->out;
        t->out = r->out;
        r->out = tmp;
        t->state = SRV_RS_DONE;
        t->next = r->next;
        t->close_after = r->close_after;
        if (r->chunked && !r->head_only) sbuf_puts(&t->out, "0\r\n\r\n");
        t->proto_done = 1;
        if (h->tail == r) h->tail = t;
        *pp = t;
        srv_resp__abort(r);
    }
    h->tail->close_after = 1;
    h1_pump(h);
}

static void put_dec(sbuf *b, size_t v) {
    char buf[24];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sbuf_append(b, buf + i, sizeof buf - i);
}

/* Status line and headers of a reply (appends, no printf: this runs once
 * per request). */
static void put_head(srv_response *r, int status, const srv_header *hd, size_t n) {
    if (r->conn->srv->shutting_down) r->close_after = 1;
    sbuf_reserve(&r->out, 256);
    sbuf_append(&r->out, "HTTP/1.1 ", 9);
    if (status < 0) sbuf_putc(&r->out, '-');
    put_dec(&r->out, status < 0 ? (size_t)-(long)status : (size_t)status);
    sbuf_putc(&r->out, ' ');
    sbuf_puts(&r->out, srv__reason(status));
    sbuf_append(&r->out, "\r\n", 2);
    for (size_t i = 0; i < n; i++) {
        if (!hd[i].name || !hd[i].value || srv__hop_header(hd[i].name)) continue;
        /* CR/LF in a header would let a value forge headers: drop it. */
        if (strpbrk(hd[i].name, "\r\n:") || strpbrk(hd[i].value, "\r\n")) continue;
        sbuf_puts(&r->out, hd[i].name);
        sbuf_append(&r->out, ": ", 2);
        sbuf_puts(&r->out, hd[i].value);
        sbuf_append(&r->out, "\r\n", 2);
    }
    if (r->close_after) sbuf_puts(&r->out, "Connection: close\r\n");
    else if (r->h1_minor == 0) sbuf_puts(&r->out, "Connection: keep-alive\r\n");
}

static int h1_after_output(srv_response *r) {
    srv_conn *c = r->conn;
    int failed = r->out.failed;
    h1_pump(c->h1);
    if (failed) {
        srv_conn__close(c);
        return EDDY_E_NOMEM;
    }
    return c->closing ? EDDY_E_IO : 0;
}

int srv_h1__reply(srv_response *r, int status, const srv_header *hd, size_t n,
                  const void *body, size_t len) {
    put_head(r, status, hd, n);
    if (!r->head_only) sbuf_reserve(&r->out, 40 + len);
    sbuf_append(&r->out, "Content-Length: ", 16);
    put_dec(&r->out, len);
    sbuf_append(&r->out, "\r\n\r\n", 4);
    if (!r->head_only) sbuf_append(&r->out, body, len);
    r->proto_done = 1;
    return h1_after_output(r);
}

int srv_h1__stream_begin(srv_response *r, int status, const srv_header *hd, size_t n) {
    /* HTTP/1.0 has no chunked encoding: the end of the body is the close. */
    if (r->h1_minor == 0) r->close_after = 1;
    else r->chunked = 1;
    put_head(r, status, hd, n);
    if (r->chunked) sbuf_puts(&r->out, "Transfer-Encoding: chunked\r\n");
    sbuf_puts(&r->out, "\r\n");
    return h1_after_output(r);
}

int srv_h1__stream_write(srv_response *r, const void *data, size_t len) {
    if (r->head_only) return 0;
    if (r->chunked) sbuf_printf(&r->out, "%zx\r\n", len);
    sbuf_append(&r->out, data, len);
    if (r->chunked) sbuf_puts(&r->out, "\r\n");
    return h1_after_output(r);
}

int srv_h1__stream_end(srv_response *r) {
    if (r->chunked && !r->head_only) sbuf_puts(&r->out, "0\r\n\r\n");
    r->proto_done = 1;
    return h1_after_output(r);
}
