/*
 * srv_sse.c — `GET /v1/streams/NAME/events`: Server-Sent Events of a
 * stream's rows, resumable with Last-Event-ID.
 *
 * Stored streams are read with the runtime's reader (every shard, lineage,
 * ROWTIME order). An event id must resume the whole stream, so it encodes
 * the last sequence number delivered from every shard read so far:
 * "0:4960...,1:4960..." (shard number, or the full shard id when it has
 * another form). A reconnect restores those positions: each shard resumes
 * after its sequence number, shards not named start at the beginning.
 *
 * In-application streams are computed by a push query `SELECT STREAM * FROM
 * "NAME"` over a session rebuilt from the server's script. ROWTIME is the
 * records' arrival time, so replaying from the beginning yields the same
 * rows in the same order; the id "ROWTIME-K" (K counts rows sharing that
 * ROWTIME) is therefore a position, and a reconnect replays from the
 * beginning and skips every row up to it.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "eddy_time.h"
#include "reader.h"
#include "shard_source.h"
#include "srv_router.h"
#include "srv_sql.h"

#define SSE_CTYPE "text/event-stream; charset=utf-8"

typedef struct sse_job {
    char *name;
    int stored;
    int from_beginning;
    /* in-application */
    char *script;
    int resume;
    int64_t resume_rt;
    uint64_t resume_k;
    int64_t cur_rt;
    uint64_t cur_k;
    eddy_type *types;
    char **names;
    uint32_t n_cols;
    /* stored */
    rt_shard_pos *pos;
    size_t n_pos, cap_pos;
    srv_feed *f;
    sbuf ev;
} sse_job;

static void sse_job_free(void *p) {
    sse_job *j = p;
    if (!j) return;
    for (uint32_t i = 0; j->names && i < j->n_cols; i++) free(j->names[i]);
    free(j->names);
    free(j->types);
    free(j->name);
    free(j->script);
    free(j->pos);
    sbuf_free(&j->ev);
    free(j);
}

/* ------------------------------------------------------------ event ids */

static void encode_positions(const sse_job *j, sbuf *out) {
    for (size_t i = 0; i < j->n_pos; i++) {
        if (i) sbuf_putc(out, ',');
        int64_t num = shard_id_number(j->pos[i].shard_id);
        if (num >= 0) sbuf_printf(out, "%lld", (long long)num);
        else sbuf_puts(out, j->pos[i].shard_id);
        char seq[STORE_SEQ_STR_MAX];
        store_seq_format(j->pos[i].seq, seq);
        sbuf_printf(out, ":%s", seq);
    }
}

static rt_shard_pos *pos_slot(sse_job *j, const char *shard_id) {
    for (size_t i = 0; i < j->n_pos; i++)
        if (!strcmp(j->pos[i].shard_id, shard_id)) return &j->pos[i];
    if (j->n_pos == j->cap_pos) {
        size_t cap = j->cap_pos ? j->cap_pos * 2 : 8;
        rt_shard_pos *p = realloc(j->pos, cap * sizeof *p);
        if (!p) return NULL;
        j->pos = p;
        j->cap_pos = cap;
    }
    rt_shard_pos *s = &j->pos[j->n_pos++];
    memset(s, 0, sizeof *s);
    snprintf(s->shard_id, sizeof s->shard_id, "%s", shard_id);
    return s;
}

/* Parses a stored stream's event id into j->pos. Returns 0 or -1. */
static int decode_positions(sse_job *j, const char *id) {
    const char *p = id;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *colon = memchr(p, ':', n);
        if (!colon || colon == p) return -1;
        char shard[STORE_SHARD_ID_MAX];
        size_t sn = (size_t)(colon - p);
        if (strspn(p, "0123456789") >= sn) {
            if (sn > 12) return -1;
            snprintf(shard, sizeof shard, "shardId-%012lld", atoll(p));
        } else {
            if (sn >= sizeof shard) return -1;
            memcpy(shard, p, sn);
            shard[sn] = '\0';
        }
        store_seq seq;
        if (store_seq_parse(colon + 1, n - sn - 1, &seq) != 0) return -1;
        rt_shard_pos *s = pos_slot(j, shard);
        if (!s) return -1;
        s->has_seq = 1;
        s->seq = seq;
        p = comma ? comma + 1 : p + n;
    }
    return j->n_pos ? 0 : -1;
}

/* Parses "ROWTIME-K". Returns 0 or -1. */
static int decode_rowtime_id(sse_job *j, const char *id) {
    char *end;
    long long rt = strtoll(id, &end, 10);
    if (end == id || *end != '-') return -1;
    const char *k = end + 1;
    if (!*k || strspn(k, "0123456789") != strlen(k)) return -1;
    j->resume = 1;
    j->resume_rt = rt;
    j->resume_k = strtoull(k, NULL, 10);
    return 0;
}

/* ------------------------------------------------------------ stored streams */

static void record_json(sbuf *out, const rt_record *rec) {
    cJSON *j = rec->data_len ? cJSON_ParseWithLength(rec->data, rec->data_len) : NULL;
    char *txt = j ? cJSON_PrintUnformatted(j) : NULL;
    if (txt) {
        sbuf_puts(out, txt);
    } else {
        /* Not JSON: wrap the bytes so the event still carries them. */
        char *b64 = malloc(eddy_b64_enc_len(rec->data_len) + 1);
        size_t n = b64 ? eddy_b64_encode(rec->data, rec->data_len, b64) : 0;
        sbuf_puts(out, "{\"partition_key\":");
        sbuf_json_str(out, rec->partition_key, rec->partition_key_len);
        sbuf_puts(out, ",\"data_base64\":");
        sbuf_json_str(out, b64 ? b64 : "", n);
        sbuf_putc(out, '}');
        free(b64);
    }
    free(txt);
    cJSON_Delete(j);
}

static void write_error_event(srv_feed *f, const eddy_err *err, const char *text, size_t len) {
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "event: error\ndata: ");
    srv_sql_error_json(&b, err, text, len);
    sbuf_puts(&b, "\n\n");
    srv_feed_write(f, b.data, b.len);
    sbuf_free(&b);
}

static void stored_work(srv_feed *f) {
    sse_job *j = f->arg;
    eddy_err err;
    eddy_err_clear(&err);
    shard_source *src = NULL;
    rt_reader *rd = NULL;
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.start = j->from_beginning ? RT_START_TRIM_HORIZON : RT_START_LATEST;
    o.poll_interval_ms = 100;
    int rc = shard_source_local_new(f->rt->st, &src, &err);
    if (rc == 0) rc = rt_reader_open(&o, src, j->name, &rd, &err);
    if (rc == 0 && j->n_pos) rc = rt_reader_positions_set(rd, j->pos, j->n_pos, &err);
    if (rc != 0) {
        sbuf b;
        sbuf_init(&b);
        srv_sql_error_json(&b, &err, NULL, 0);
        srv_feed_reply(f, err.code == EDDY_E_NOTFOUND ? 404 : 500, "application/json", b.data, b.len);
        sbuf_free(&b);
        rt_reader_close(rd);
        shard_source_free(src);
        return;
    }
    srv_feed_begin(f, SSE_CTYPE);
    srv_feed_write(f, "retry: 1000\n\n", 13);
    while (!f->stop) {
        rt_reader_out out;
        if (rt_reader_poll(rd, 256, &out, &err) != 0) {
            write_error_event(f, &err, NULL, 0);
            break;
        }
        uint64_t bytes = 0;
        for (size_t i = 0; i < out.n_records && !f->stop; i++) {
            const rt_record *rec = &out.records[i];
            const char *sid = rt_reader_shard_id(rd, rec->lane);
            rt_shard_pos *p = sid ? pos_slot(j, sid) : NULL;
            if (p) {
                p->has_seq = 1;
                p->seq = rec->seq;
            }
            sbuf_clear(&j->ev);
            sbuf_puts(&j->ev, "id: ");
            encode_positions(j, &j->ev);
            sbuf_puts(&j->ev, "\ndata: ");
            record_json(&j->ev, rec);
            sbuf_puts(&j->ev, "\n\n");
            bytes += rec->data_len;
            if (srv_feed_write(f, j->ev.data, j->ev.len) != 0) break;
        }
        if (out.n_records) srv_metrics_stream_out(f->rt->metrics, j->name, out.n_records, bytes);
        else rt_reader_wait(rd, 250);   /* short, so a stop is seen soon */
    }
    rt_reader_close(rd);
    shard_source_free(src);
}

/* ------------------------------------------------------------ in-application streams */

static void app_on_header(void *ctx, const eddy_column_info *cols, uint32_t n, int push) {
    sse_job *j = ctx;
    j->types = calloc(n ? n : 1, sizeof *j->types);
    j->names = calloc(n ? n : 1, sizeof *j->names);
    if (!j->types || !j->names) return;
    for (uint32_t i = 0; i < n; i++) {
        j->types[i] = cols[i].type;
        j->names[i] = strdup(cols[i].name);
        if (!j->names[i]) return;
        j->n_cols = i + 1;
    }
}

static int app_on_row(void *ctx, int64_t rowtime, const char *const *vals, uint32_t n) {
    sse_job *j = ctx;
    if (rowtime == j->cur_rt) j->cur_k++;
    else j->cur_k = 0;
    j->cur_rt = rowtime;
    if (j->resume && (rowtime < j->resume_rt || (rowtime == j->resume_rt && j->cur_k <= j->resume_k)))
        return j->f->stop;
    char ts[64];
    eddy_ts_format_sql(rowtime, ts);
    sbuf_clear(&j->ev);
    sbuf_printf(&j->ev, "id: %lld-%llu\ndata: {\"ROWTIME\":", (long long)rowtime, (unsigned long long)j->cur_k);
    sbuf_json_str(&j->ev, ts, strlen(ts));
    for (uint32_t i = 0; i < n && i < j->n_cols; i++) {
        sbuf_putc(&j->ev, ',');
        sbuf_json_str(&j->ev, j->names[i], strlen(j->names[i]));
        sbuf_putc(&j->ev, ':');
        srv_json_value(&j->ev, j->types[i], vals[i]);
    }
    sbuf_puts(&j->ev, "}\n\n");
    return srv_feed_write(j->f, j->ev.data, j->ev.len) != 0 || j->f->stop;
}

static void app_work(srv_feed *f) {
    sse_job *j = f->arg;
    j->f = f;
    j->cur_rt = INT64_MIN;
    eddy_err err;
    eddy_err_clear(&err);
    eddy_session *s = NULL;
    eddy_session_opts so = {f->rt->st, j->from_beginning || j->resume, 0};
    sbuf sql;
    sbuf_init(&sql);
    sbuf_puts(&sql, "SELECT STREAM * FROM \"");
    for (const char *p = j->name; *p; p++) {
        if (*p == '"') sbuf_putc(&sql, '"');
        sbuf_putc(&sql, *p);
    }
    sbuf_puts(&sql, "\"");
    int rc = eddy_session_open(&so, &s, &err);
    size_t slen = strlen(j->script);
    if (rc == 0 && slen) rc = eddy_session_exec(s, j->script, slen, NULL, &f->stop, &err);
    if (rc == 0) {
        srv_feed_begin(f, SSE_CTYPE);
        srv_feed_write(f, "retry: 1000\n\n", 13);
        eddy_exec_cb cb = {NULL, app_on_header, app_on_row, NULL, j};
        rc = eddy_session_exec(s, sql.data, sql.len, &cb, &f->stop, &err);
        if (rc != 0 && !f->stop) write_error_event(f, &err, sql.data, sql.len);
    } else {
        sbuf b;
        sbuf_init(&b);
        srv_sql_error_json(&b, &err, j->script, slen);
        srv_feed_reply(f, 500, "application/json", b.data, b.len);
        sbuf_free(&b);
    }
    sbuf_free(&sql);
    eddy_session_close(s);
}

/* ------------------------------------------------------------ the route */

void srv_sse_handle(srv_router *rt, const char *stream, const srv_request *req, srv_response *r, uint64_t t0) {
    sse_job *j = calloc(1, sizeof *j);
    if (!j || !(j->name = strdup(stream))) {
        free(j);
        srv_reply_error(rt, r, SRV_ROUTE_EVENTS, t0, 500, "internal_error", "out of memory");
        return;
    }
    sbuf_init(&j->ev);
    j->from_beginning = 1;
    char from[32];
    if (srv_query_param(req->query, "from", from, sizeof from) == 0) {
        if (!strcasecmp(from, "latest")) j->from_beginning = 0;
        else if (strcasecmp(from, "beginning") && strcasecmp(from, "trim_horizon")) {
            sse_job_free(j);
            srv_reply_error(rt, r, SRV_ROUTE_EVENTS, t0, 400, "invalid_argument", "from must be beginning or latest");
            return;
        }
    }
    pthread_mutex_lock(&rt->session_mu);
    int in_app = catalog_stream(eddy_session_catalog(rt->session), stream) != NULL;
    pthread_mutex_unlock(&rt->session_mu);
    if (!in_app) {
        store_stream_desc d;
        memset(&d, 0, sizeof d);
        eddy_err err;
        eddy_err_clear(&err);
        if (store_stream_describe(rt->st, stream, &d, &err) != 0) {
            sse_job_free(j);
            srv_reply_error(rt, r, SRV_ROUTE_EVENTS, t0, 404, "not_found",
                            "no stored or in-application stream of that name");
            return;
        }
        store_stream_desc_free(&d);
        j->stored = 1;
    }
    /* EventSource sends the header; a plain client may use ?last_event_id=. */
    char idbuf[4096];
    const char *last = srv_request_header(req, "last-event-id");
    if ((!last || !*last) && srv_query_param(req->query, "last_event_id", idbuf, sizeof idbuf) == 0) last = idbuf;
    if (last && *last) {
        int bad = j->stored ? decode_positions(j, last) : decode_rowtime_id(j, last);
        if (bad) {
            sse_job_free(j);
            srv_reply_error(rt, r, SRV_ROUTE_EVENTS, t0, 400, "invalid_argument",
                            "Last-Event-ID is not an id this stream sent");
            return;
        }
    }
    if (!j->stored && !(j->script = srv_router_script(rt))) {
        sse_job_free(j);
        srv_reply_error(rt, r, SRV_ROUTE_EVENTS, t0, 500, "internal_error", "out of memory");
        return;
    }
    srv_feed_start(rt, r, SRV_ROUTE_EVENTS, t0, j->stored ? stored_work : app_work, j, sse_job_free, 1);
}
