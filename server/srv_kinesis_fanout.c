/*
 * srv_kinesis_fanout.c — enhanced fan-out in the Kinesis API: consumer
 * registration (Register/Describe/List/DeregisterStreamConsumer) and
 * SubscribeToShard as an event stream (KINESIS-API.md §1.6, §2.15).
 *
 * A subscription lives on the loop: the store's notify callback (on a
 * writer's thread) only sets a flag and wakes the loop with a uv_async; the
 * loop then pulls with store_sub_read and writes one SubscribeToShardEvent
 * frame per batch. A timer bounds the lifetime (--subscription-ms), sends an
 * empty event as a heartbeat when idle, and retries while the client is slow
 * (srv_stream_pending over the high-water mark stops reading the store).
 */
#include "srv_kinesis_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "eddy_log.h"
#include "eddy_time.h"
#include "sbuf.h"
#include "srv_cbor.h"
#include "srv_eventstream.h"

#define SUB_HIGH_WATER (1024 * 1024)   /* bytes queued to the client before we hold back */
#define SUB_TICK_MS 100
#define SUB_READ_LIMIT 1000

struct srv_sub {
    srv_kinesis *k;
    srv_response *r;              /* NULL once the stream ended or the client left */
    store_sub *ss;                /* NULL once closed */
    uv_async_t async;
    uv_timer_t timer;
    int cbor;
    int64_t deadline_ms;
    int64_t last_sent_ms;
    atomic_int ended_by_store;
    int open_handles;             /* freed when both handles have closed */
    int cleaned;
    srv_sub *next, **pprev;       /* srv_kinesis.subs */
    char stream[STORE_NAME_MAX + 1]; /* for the read metrics ("" if unknown) */
};

/* ------------------------------------------------------------ consumers */

static cJSON *consumer_json(const store_consumer_desc *cd, int with_stream) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ConsumerName", cd->name);
    cJSON_AddStringToObject(o, "ConsumerARN", cd->arn);
    cJSON_AddStringToObject(o, "ConsumerStatus", cd->status);
    srv_kx_add_time(o, "ConsumerCreationTimestamp", cd->created_ms);
    if (with_stream) cJSON_AddStringToObject(o, "StreamARN", cd->stream_arn);
    return o;
}

void srv_kx_register_consumer(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    const char *cname = srv_kx_str(c->in, "ConsumerName");
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(c->in, "Tags");
    for (const cJSON *t = tags ? tags->child : NULL; t; t = t->next)
        if (!cJSON_IsString(t)) {
            srv_kx_error(c, 400, "SerializationException", "%s",
                         "Unexpected value type in tag map; expected a string");
            return;
        }
    store_consumer_desc cd;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_consumer_register(c->k->st, name, cname, &cd, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    for (const cJSON *t = tags ? tags->child : NULL; t; t = t->next) {
        char key[400];
        snprintf(key, sizeof key, "ctag:%s:%s", cname, t->string);
        store_stream_attr_set(c->k->st, name, key, t->valuestring, NULL);
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "Consumer", consumer_json(&cd, 0));
    srv_kx_ok(c, out);
}

/* Resolves the three identifier forms of a consumer. */
static int consumer_or_reply(srv_call *c, store_consumer_desc *cd, char *stream) {
    const char *carn = srv_kx_str(c->in, "ConsumerARN");
    const char *sarn = srv_kx_str(c->in, "StreamARN");
    const char *cname = srv_kx_str(c->in, "ConsumerName");
    stream[0] = 0;
    if (!carn && !(sarn && cname)) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "Either ConsumerARN or both ConsumerName and StreamARN must be provided.");
        return -1;
    }
    if (sarn && srv_kx_stream_or_reply(c, stream) != 0) return -1;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_consumer_describe(c->k->st, carn ? NULL : stream, carn ? NULL : cname, carn, cd, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return -1;
    }
    if ((cname && strcmp(cname, cd->name)) || (sarn && strcmp(sarn, cd->stream_arn))) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "ConsumerARN %s does not match the given StreamARN and ConsumerName.", cd->arn);
        return -1;
    }
    if (!stream[0]) store_stream_name_from(cd->stream_arn, stream, NULL);
    return 0;
}

void srv_kx_describe_consumer(srv_call *c) {
    store_consumer_desc cd;
    char stream[STORE_NAME_MAX + 1];
    if (consumer_or_reply(c, &cd, stream) != 0) return;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "ConsumerDescription", consumer_json(&cd, 1));
    srv_kx_ok(c, out);
}

void srv_kx_deregister_consumer(srv_call *c) {
    store_consumer_desc cd;
    char stream[STORE_NAME_MAX + 1];
    if (consumer_or_reply(c, &cd, stream) != 0) return;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_consumer_deregister(c->k->st, NULL, NULL, cd.arn, &e);
    if (rc != 0) srv_kx_store_error(c, rc, &e);
    else srv_kx_ok(c, NULL);
}

void srv_kx_list_consumers(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    long long max = srv_kx_int(c->in, "MaxResults", 100);
    const char *token = srv_kx_str(c->in, "NextToken");
    long long start = 0;
    if (token) {
        char raw[64];
        size_t tl = strlen(token);
        size_t n = tl < 40 ? eddy_b64_decode(token, tl, raw) : (size_t)-1;
        if (n == (size_t)-1 || n >= sizeof raw || (raw[n] = 0, sscanf(raw, "lc1|%lld", &start) != 1) ||
            start < 0) {
            srv_kx_error(c, 400, "InvalidArgumentException", "Invalid NextToken.");
            return;
        }
    }
    store_consumer_desc *list = NULL;
    size_t n = 0;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_consumer_list(c->k->st, name, &list, &n, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(out, "Consumers");
    size_t i = (size_t)start;
    for (; i < n && (long long)(i - (size_t)start) < max; i++)
        cJSON_AddItemToArray(arr, consumer_json(&list[i], 0));
    if (i < n) {
        char raw[32], b64[64];
        snprintf(raw, sizeof raw, "lc1|%zu", i);
        eddy_b64_encode(raw, strlen(raw), b64);
        cJSON_AddStringToObject(out, "NextToken", b64);
    }
    free(list);
    srv_kx_ok(c, out);
}

/* ------------------------------------------------------------ event stream */

static int send_event(srv_sub *s, const char *event_type, cJSON *payload) {
    sbuf body, frame;
    sbuf_init(&body);
    sbuf_init(&frame);
    int rc;
    if (s->cbor) {
        rc = srv_cbor_encode(payload, &body);
    } else {
        char *txt = cJSON_PrintUnformatted(payload);
        rc = txt ? 0 : EDDY_E_NOMEM;
        if (txt) sbuf_puts(&body, txt);
        free(txt);
    }
    cJSON_Delete(payload);
    srv_es_header h[3] = {{":message-type", "event"}, {":event-type", event_type},
                          {":content-type", s->cbor ? "application/x-amz-cbor-1.1"
                                                    : "application/x-amz-json-1.1"}};
    if (rc == 0) rc = srv_es_encode(&frame, h, 3, body.data, body.len);
    if (rc == 0) rc = srv_stream_write(s->r, frame.data, frame.len);
    sbuf_free(&body);
    sbuf_free(&frame);
    s->last_sent_ms = eddy_now_ms();
    return rc;
}

static void send_exception(srv_sub *s, const char *type, const char *msg) {
    sbuf body, frame;
    sbuf_init(&body);
    sbuf_init(&frame);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "message", msg);
    char *txt = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
    if (txt) sbuf_puts(&body, txt);
    free(txt);
    srv_es_header h[3] = {{":message-type", "exception"}, {":exception-type", type},
                          {":content-type", "application/json"}};
    if (srv_es_encode(&frame, h, 3, body.data, body.len) == 0)
        srv_stream_write(s->r, frame.data, frame.len);
    sbuf_free(&body);
    sbuf_free(&frame);
}

static void on_handle_closed(uv_handle_t *h) {
    srv_sub *s = h->data;
    if (--s->open_handles == 0) free(s);
}

/* Releases the store subscription and the handles; the struct is freed once
 * both handles have closed. Safe to call twice. */
static void sub_cleanup(srv_sub *s) {
    if (s->cleaned) return;
    s->cleaned = 1;
    /* Closing the store side first guarantees notify will not touch the
     * async handle after uv_close. */
    store_sub_close(s->ss);
    s->ss = NULL;
    if (s->next) s->next->pprev = s->pprev;
    *s->pprev = s->next;
    uv_close((uv_handle_t *)&s->async, on_handle_closed);
    uv_close((uv_handle_t *)&s->timer, on_handle_closed);
}

static void sub_finish(srv_sub *s) {
    if (s->r) {
        srv_response_on_abort(s->r, NULL, NULL);
        srv_stream_end(s->r);
        s->r = NULL;
    }
    sub_cleanup(s);
}

void srv_kx_sub_end(srv_sub *s) {
    sub_finish(s);
}

void srv_kinesis_end_subscriptions(srv_kinesis *k) {
    while (k->subs) sub_finish(k->subs);
}

static void pump(srv_sub *s) {
    if (!s->r || s->cleaned) return;
    int64_t now = eddy_now_ms();
    if (now >= s->deadline_ms || atomic_load(&s->ended_by_store)) {
        sub_finish(s);
        return;
    }
    store_batch b;
    store_batch_init(&b);
    while (s->r && srv_stream_pending(s->r) < SUB_HIGH_WATER) {
        eddy_err e;
        eddy_err_clear(&e);
        int rc = store_sub_read(s->ss, SUB_READ_LIMIT, &b, &e);
        if (rc == EDDY_E_THROTTLED) break;   /* the tick retries */
        if (rc == EDDY_E_INUSE) {
            sub_finish(s);
            break;
        }
        if (rc != 0) {
            send_exception(s, rc == EDDY_E_NOTFOUND ? "ResourceNotFoundException" : "InternalFailureException",
                           e.msg[0] ? e.msg : eddy_strerror(rc));
            sub_finish(s);
            break;
        }
        if (b.n_records == 0 && !b.end_of_shard && now - s->last_sent_ms < s->k->heartbeat_ms) break;
        if (b.n_records && s->k->on_get && s->stream[0]) {
            uint64_t bytes = 0;
            for (size_t i = 0; i < b.n_records; i++) bytes += b.records[i].data_len;
            s->k->on_get(s->k->on_get_ctx, s->stream, b.n_records, bytes);
        }
        cJSON *ev = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(ev, "Records");
        for (size_t i = 0; i < b.n_records; i++) cJSON_AddItemToArray(arr, srv_kx_record_json(&b.records[i], 0));
        if (!b.end_of_shard) srv_kx_add_u128(ev, "ContinuationSequenceNumber", b.next_seq);
        cJSON_AddNumberToObject(ev, "MillisBehindLatest", (double)b.millis_behind_latest);
        if (b.end_of_shard) {
            cJSON *ch = cJSON_AddArrayToObject(ev, "ChildShards");
            for (size_t i = 0; i < b.n_children; i++) cJSON_AddItemToArray(ch, srv_kx_child_json(&b.children[i]));
        }
        if (send_event(s, "SubscribeToShardEvent", ev) != 0 || b.end_of_shard) {
            sub_finish(s);
            break;
        }
        if (b.n_records < SUB_READ_LIMIT) break;
    }
    store_batch_free(&b);
}

static void on_async(uv_async_t *a) {
    pump(a->data);
}

static void on_tick(uv_timer_t *t) {
    pump(t->data);
}

static void on_abort(void *ctx) {
    srv_sub *s = ctx;
    s->r = NULL;
    sub_cleanup(s);
}

/* Runs on a writer's thread: only flag and wake (see store_sub_notify_fn). */
static void on_notify(void *ctx, int ended) {
    srv_sub *s = ctx;
    if (ended) atomic_store(&s->ended_by_store, 1);
    uv_async_send(&s->async);
}

void srv_kx_subscribe(srv_call *c) {
    const char *carn = srv_kx_str(c->in, "ConsumerARN");
    const char *shard = srv_kx_str(c->in, "ShardId");
    store_consumer_desc cd;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_consumer_describe(c->k->st, NULL, NULL, carn, &cd, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    if (strcmp(cd.status, "ACTIVE") != 0) {
        srv_kx_error(c, 400, "ResourceInUseException", "Consumer %s under account %s is not in ACTIVE state.",
                     cd.arn, store_account(c->k->st));
        return;
    }
    store_position pos;
    if (srv_kx_position_or_reply(c, cJSON_GetObjectItemCaseSensitive(c->in, "StartingPosition"), "Type",
                                 "SequenceNumber", shard, &pos) != 0)
        return;
    srv_sub *s = calloc(1, sizeof *s);
    if (!s) {
        srv_kx_error(c, 500, "InternalFailure", "%s", "");
        return;
    }
    s->k = c->k;
    /* Consumer ARNs are arn:aws:kinesis:R:A:stream/NAME/consumer/C:EPOCH. */
    const char *sp = strstr(carn, ":stream/");
    if (sp) {
        sp += 8;
        const char *end = strchr(sp, '/');
        size_t n = end ? (size_t)(end - sp) : 0;
        if (n > 0 && n <= STORE_NAME_MAX) {
            memcpy(s->stream, sp, n);
            s->stream[n] = '\0';
        }
    }
    s->cbor = c->cbor;
    atomic_init(&s->ended_by_store, 0);
    /* The async handle must exist before the store can notify. */
    if (uv_async_init(c->k->loop, &s->async, on_async) != 0 || uv_timer_init(c->k->loop, &s->timer) != 0) {
        free(s);   /* uv_async_init failing leaves nothing to close; timer_init cannot fail */
        srv_kx_error(c, 500, "InternalFailure", "%s", "");
        return;
    }
    s->async.data = s->timer.data = s;
    s->open_handles = 2;
    rc = store_subscribe(c->k->st, carn, shard, &pos, on_notify, s, &s->ss, &e);
    s->pprev = &c->k->subs;
    s->next = c->k->subs;
    if (s->next) s->next->pprev = &s->next;
    c->k->subs = s;
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        sub_cleanup(s);
        return;
    }
    srv_header h[2] = {{"Content-Type", "application/vnd.amazon.eventstream"},
                       {"x-amzn-RequestId", c->request_id}};
    s->r = c->r;
    c->r = NULL;
    if (srv_stream_begin(s->r, 200, h, 2) != 0) {
        s->r = NULL;
        sub_cleanup(s);
        return;
    }
    srv_response_on_abort(s->r, on_abort, s);
    s->deadline_ms = eddy_now_ms() + c->k->subscription_ms;
    if (send_event(s, "initial-response", cJSON_CreateObject()) != 0) {
        sub_finish(s);
        return;
    }
    s->last_sent_ms = 0;   /* the first SubscribeToShardEvent goes out at once */
    uv_timer_start(&s->timer, on_tick, SUB_TICK_MS, SUB_TICK_MS);
    pump(s);
}
