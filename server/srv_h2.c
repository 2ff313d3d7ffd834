/*
 * srv_h2.c — HTTP/2 on one connection with libnghttp2 (server session).
 *
 * Reached by prior knowledge (the h2 preface sniffed on the plain port) or
 * by ALPN "h2" on TLS. Each request stream gets one srv_response (the stream
 * user data). Replies, unary or streamed, go out as DATA frames pulled by one
 * data provider that reads the response's `out` buffer and answers
 * NGHTTP2_ERR_DEFERRED while a stream waits for its producer;
 * srv_stream_write resumes it. Output is produced with nghttp2_session_mem_send
 * and handed to the connection, paused above SRV_WRITE_HIGH_WATER.
 */
#include "srv_http_int.h"

#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>

struct srv_h2 {
    nghttp2_session *session;
    srv_conn *c;
    srv_response *streams;      /* every live stream's response */
};

/* Most pending output gathered into one socket write. */
#define H2_WRITE_BATCH (256u * 1024)

static void h2_link(srv_h2 *h, srv_response *r) {
    r->prev = NULL;
    r->next = h->streams;
    if (h->streams) h->streams->prev = r;
    h->streams = r;
}

static void h2_unlink(srv_h2 *h, srv_response *r) {
    if (r->prev) r->prev->next = r->next;
    else h->streams = r->next;
    if (r->next) r->next->prev = r->prev;
    r->next = r->prev = NULL;
}

/* Sends what nghttp2 has queued, then closes the connection when the
 * session is finished (GOAWAY exchanged and no stream left). Never called
 * from inside nghttp2 callbacks: nghttp2 forbids that. */
static void h2_flush(srv_conn *c) {
    srv_h2 *h = c->h2;
    if (!h || c->closing || c->in_recv) return;
    sbuf batch;
    sbuf_init(&batch);
    while (c->write_bytes < SRV_WRITE_HIGH_WATER && !c->closing) {
        const uint8_t *data;
        ssize_t n = nghttp2_session_mem_send(h->session, &data);
        if (n < 0) {
            sbuf_free(&batch);
            srv_conn__close(c);
            return;
        }
        if (n > 0) sbuf_append(&batch, data, (size_t)n);
        if (n == 0 || batch.len >= H2_WRITE_BATCH) {
            if (batch.failed) {
                sbuf_free(&batch);
                srv_conn__close(c);
                return;
            }
            if (batch.len > 0 && srv_conn__write(c, batch.data, batch.len) != 0) break;
            sbuf_clear(&batch);
            if (n == 0) break;
        }
    }
    sbuf_free(&batch);
    if (!c->closing && !nghttp2_session_want_read(h->session) &&
        !nghttp2_session_want_write(h->session))
        srv_conn__close_after_flush(c);
}

static ssize_t h2_read_data(nghttp2_session *s, int32_t sid, uint8_t *buf, size_t length,
                            uint32_t *flags, nghttp2_data_source *src, void *ud) {
    srv_response *r = nghttp2_session_get_stream_user_data(s, sid);
    if (!r) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return 0;
    }
    size_t avail = r->out.len - r->data_off;
    size_t n = avail < length ? avail : length;
    if (n > 0) memcpy(buf, r->out.data + r->data_off, n);
    r->data_off += n;
    if (r->data_off == r->out.len) {
        sbuf_clear(&r->out);
        r->data_off = 0;
    }
    if (r->out.len == 0 && r->proto_done) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    } else if (n == 0) {
        r->deferred = 1;
        return NGHTTP2_ERR_DEFERRED;
    }
    return (ssize_t)n;
}

/* Submits status and headers; `with_data` attaches the data provider. */
static int h2_submit(srv_response *r, int status, const srv_header *hd, size_t n, int with_data,
                     long content_length) {
    srv_h2 *h = r->conn->h2;
    nghttp2_nv *nva = arena_alloc(&r->mem, (n + 2) * sizeof *nva);
    char *st = arena_sprintf(&r->mem, "%d", status);
    char *cl = content_length >= 0 ? arena_sprintf(&r->mem, "%ld", content_length) : NULL;
    if (!nva || !st || r->mem.failed) return EDDY_E_NOMEM;
    size_t k = 0;
    nva[k++] = (nghttp2_nv){(uint8_t *)":status", (uint8_t *)st, 7, strlen(st), NGHTTP2_NV_FLAG_NONE};
    for (size_t i = 0; i < n; i++) {
        if (!hd[i].name || !hd[i].value || srv__hop_header(hd[i].name)) continue;
        char *name = arena_strdup(&r->mem, hd[i].name);
        if (!name) return EDDY_E_NOMEM;
        for (char *p = name; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        nva[k++] = (nghttp2_nv){(uint8_t *)name, (uint8_t *)hd[i].value, strlen(name),
                                strlen(hd[i].value), NGHTTP2_NV_FLAG_NONE};
    }
    if (cl)
        nva[k++] = (nghttp2_nv){(uint8_t *)"content-length", (uint8_t *)cl, 14, strlen(cl),
                                NGHTTP2_NV_FLAG_NONE};
    nghttp2_data_provider prov = {.source = {.ptr = NULL}, .read_callback = h2_read_data};
    int rc = nghttp2_submit_response(h->session, r->stream_id, nva, k, with_data ? &prov : NULL);
    if (rc != 0) return EDDY_E_IO;
    return 0;
}

/* Transport answer on a stream (413): the handler never sees the request. */
static void h2_transport_reply(srv_conn *c, srv_response *r, int status, const char *msg) {
    r->rejected = 1;
    r->state = SRV_RS_DONE;
    sbuf_clear(&r->body);
    sbuf_printf(&r->out, "%s\n", msg);
    r->proto_done = 1;
    static const srv_header ct = {"content-type", "text/plain"};
    if (h2_submit(r, status, &ct, 1, 1, (long)r->out.len) != 0)
        nghttp2_submit_rst_stream(c->h2->session, NGHTTP2_FLAG_NONE, r->stream_id,
                                  NGHTTP2_INTERNAL_ERROR);
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *ud) {
    srv_conn *c = ud;
    if (c->closing || f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    srv_response *r = srv_resp__new(c);
    if (!r) return NGHTTP2_ERR_CALLBACK_FAILURE;
    r->stream_id = f->hd.stream_id;
    r->req.http2 = 1;
    h2_link(c->h2, r);
    nghttp2_session_set_stream_user_data(s, f->hd.stream_id, r);
    return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
                     size_t nlen, const uint8_t *value, size_t vlen, uint8_t flags, void *ud) {
    srv_conn *c = ud;
    if (c->closing || f->hd.type != NGHTTP2_HEADERS) return 0;
    srv_response *r = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
    if (!r || r->dispatched || r->rejected) return 0;
    const char *n = (const char *)name, *v = (const char *)value;
    if (nlen > 0 && n[0] == ':') {
        if (nlen == 7 && memcmp(n, ":method", 7) == 0) {
            r->req.method = arena_strndup(&r->mem, v, vlen);
            r->head_only = vlen == 4 && memcmp(v, "HEAD", 4) == 0;
        } else if (nlen == 5 && memcmp(n, ":path", 5) == 0) {
            const char *q = memchr(v, '?', vlen);
            size_t plen = q ? (size_t)(q - v) : vlen;
            r->req.path = arena_strndup(&r->mem, v, plen);
            if (q) r->req.query = arena_strndup(&r->mem, q + 1, vlen - plen - 1);
        } else if (nlen == 10 && memcmp(n, ":authority", 10) == 0) {
            if (srv_resp__add_header(r, "host", 4, v, vlen) != 0)
                return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        }
        return r->mem.failed ? NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE : 0;
    }
    if (srv_resp__add_header(r, n, nlen, v, vlen) != 0) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    if (nlen == 14 && memcmp(n, "content-length", 14) == 0) {
        unsigned long long len = strtoull(r->hdrs[r->req.n_headers - 1].value, NULL, 10);
        /* Answered once the HEADERS frame is complete (on_frame_recv). */
        if (len > c->srv->opts.max_body) r->rejected = 1;
    }
    return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t sid, const uint8_t *data,
                         size_t len, void *ud) {
    srv_conn *c = ud;
    if (c->closing) return 0;
    srv_response *r = nghttp2_session_get_stream_user_data(s, sid);
    if (!r || r->dispatched) return 0;
    if (r->rejected) {
        /* The 413 may be out already. Clients such as curl drop a reply whose
         * stream is reset while they upload, so the rest of the body is
         * discarded, up to a bound; past it the stream is reset (NO_ERROR,
         * RFC 9113 §8.1) so nobody can keep us reading forever. */
        r->discarded += len;
        if (r->discarded > 2 * c->srv->opts.max_body && !r->h2_reset) {
            r->h2_reset = 1;
            nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, sid, NGHTTP2_NO_ERROR);
        }
        return 0;
    }
    if (r->body.len + len > c->srv->opts.max_body) {
        h2_transport_reply(c, r, 413, "request body too large");
        return 0;
    }
    sbuf_append(&r->body, data, len);
    return r->body.failed ? NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE : 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud) {
    srv_conn *c = ud;
    if (c->closing) return 0;
    if (f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA) return 0;
    srv_response *r = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
    if (!r || r->dispatched) return 0;
    if (r->rejected) {
        if (!r->proto_done) h2_transport_reply(c, r, 413, "request body too large");
        return 0;
    }
    if (!(f->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
    srv_resp__dispatch(r);
    return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t sid, uint32_t code, void *ud) {
    srv_conn *c = ud;
    srv_response *r = nghttp2_session_get_stream_user_data(s, sid);
    if (!r) return 0;
    nghttp2_session_set_stream_user_data(s, sid, NULL);
    h2_unlink(c->h2, r);
    r->h2_closed = 1;
    srv_resp__abort(r);   /* frees it when the handler is done; else on_abort or detach */
    return 0;
}

int srv_h2__init(srv_conn *c) {
    srv_h2 *h = calloc(1, sizeof *h);
    if (!h) return EDDY_E_NOMEM;
    h->c = c;
    nghttp2_session_callbacks *cbs;
    if (nghttp2_session_callbacks_new(&cbs) != 0) {
        free(h);
        return EDDY_E_NOMEM;
    }
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
    int rc = nghttp2_session_server_new(&h->session, cbs, c);
    nghttp2_session_callbacks_del(cbs);
    if (rc != 0) {
        free(h);
        return EDDY_E_NOMEM;
    }
    /* Bigger windows than the 64 KiB default so a 5 MB PutRecords does not
     * crawl through WINDOW_UPDATE round trips. */
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1000},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20},
    };
    nghttp2_submit_settings(h->session, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]);
    nghttp2_session_set_local_window_size(h->session, NGHTTP2_FLAG_NONE, 0, 16 << 20);
    c->h2 = h;
    return 0;
}

void srv_h2__feed(srv_conn *c, const char *data, size_t len) {
    srv_h2 *h = c->h2;
    ssize_t n = nghttp2_session_mem_recv(h->session, (const uint8_t *)data, len);
    if (c->closing) return;
    if (n < 0) {
        srv_conn__close(c);
        return;
    }
    /* Replies submitted by handlers during the callbacks go out now. */
    int saved = c->in_recv;
    c->in_recv = 0;
    h2_flush(c);
    c->in_recv = saved;
}

void srv_h2__on_drain(srv_conn *c) {
    h2_flush(c);
}

void srv_h2__abort_all(srv_conn *c) {
    srv_h2 *h = c->h2;
    srv_response *r = h->streams;
    h->streams = NULL;
    while (r) {
        srv_response *next = r->next;
        nghttp2_session_set_stream_user_data(h->session, r->stream_id, NULL);
        srv_resp__abort(r);
        r = next;
    }
}

void srv_h2__free(srv_conn *c) {
    srv_h2 *h = c->h2;
    if (!h) return;
    nghttp2_session_del(h->session);
    free(h);
    c->h2 = NULL;
}

int srv_h2__busy(const srv_conn *c) {
    for (const srv_response *r = c->h2->streams; r; r = r->next)
        if (r->dispatched || r->rejected) return 1;
    return 0;
}

void srv_h2__shutdown(srv_conn *c) {
    srv_h2 *h = c->h2;
    nghttp2_submit_goaway(h->session, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(h->session), NGHTTP2_NO_ERROR,
                          NULL, 0);
    /* Open streams end now: a transport-owned copy keeps their unsent bytes
     * and ends the stream; the handler is told through on_abort. */
    srv_response *r = h->streams;
    while (r) {
        srv_response *next = r->next;
        if (r->state == SRV_RS_STREAMING) {
            srv_response *t = srv_resp__new(c);
            if (!t) {
                srv_conn__close(c);
                return;
            }
            sbuf tmp = t->out;
            t->out = r->out;
            r->out = tmp;
            t->data_off = r->data_off;
            t->stream_id = r->stream_id;
            t->state = SRV_RS_DONE;
            t->proto_done = 1;
            h2_unlink(h, r);
            h2_link(h, t);
            nghttp2_session_set_stream_user_data(h->session, t->stream_id, t);
            if (r->deferred) nghttp2_session_resume_data(h->session, t->stream_id);
            srv_resp__abort(r);
        }
        r = next;
    }
    h2_flush(c);
}

static int h2_after_output(srv_response *r) {
    srv_conn *c = r->conn;
    if (r->out.failed) {
        srv_conn__close(c);
        return EDDY_E_NOMEM;
    }
    if (r->deferred) {
        r->deferred = 0;
        nghttp2_session_resume_data(c->h2->session, r->stream_id);
    }
    h2_flush(c);
    return c->closing ? EDDY_E_IO : 0;
}

void srv_h2__fail(srv_response *r) {
    srv_conn *c = r->conn;
    nghttp2_submit_rst_stream(c->h2->session, NGHTTP2_FLAG_NONE, r->stream_id,
                              NGHTTP2_INTERNAL_ERROR);
    h2_flush(c);
}

int srv_h2__reply(srv_response *r, int status, const srv_header *hd, size_t n,
                  const void *body, size_t len) {
    if (!r->head_only) sbuf_append(&r->out, body, len);
    r->proto_done = 1;
    int rc = r->out.failed ? EDDY_E_NOMEM : h2_submit(r, status, hd, n, r->out.len > 0, (long)len);
    if (rc != 0) {
        srv_h2__fail(r);   /* the stream closes and frees `r` */
        return rc;
    }
    return h2_after_output(r);
}

int srv_h2__stream_begin(srv_response *r, int status, const srv_header *hd, size_t n) {
    int rc = h2_submit(r, status, hd, n, 1, -1);
    if (rc != 0) return rc;
    return h2_after_output(r);
}

int srv_h2__stream_write(srv_response *r, const void *data, size_t len) {
    if (r->head_only) return 0;
    sbuf_append(&r->out, data, len);
    return h2_after_output(r);
}

int srv_h2__stream_end(srv_response *r) {
    r->proto_done = 1;
    return h2_after_output(r);
}
