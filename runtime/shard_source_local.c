/*
 * shard_source_local.c — the shard_source over the embedded store.
 *
 * Maps the vtable of shard_source.h onto store.h: listing is
 * store_stream_describe, polling handles are store cursors (or, on a stream
 * with throughput limits on, GetShardIterator/GetRecords tokens so reads are
 * throttled as Kinesis would throttle them), and push handles are
 * store_subscribe subscriptions of a consumer found or registered with
 * store_consumer_register. Used by the runtime's readers (reader.c).
 *
 * The remote (Kinesis over HTTPS) source will be a sibling file with its own
 * constructor; nothing in the readers changes.
 */
#include "shard_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct local_src {
    shard_source pub;   /* must stay first: shard_source_free gets &pub */
    store *s;           /* borrowed */
} local_src;

typedef enum { H_CURSOR, H_TOKEN, H_SUB } handle_kind;

struct shard_handle {
    handle_kind kind;
    store *s;                              /* borrowed */
    store_batch b;                         /* records of the last fetch live here */
    store_cursor *cur;                     /* H_CURSOR */
    store_sub *sub;                        /* H_SUB */
    char token[STORE_ITER_STR_MAX];        /* H_TOKEN: "" once the shard ended */
    char stream[STORE_NAME_MAX + 1];       /* H_TOKEN: to renew an expired token */
    char shard_id[STORE_SHARD_ID_MAX];
    store_position start;                  /* H_TOKEN: where it began */
    int has_seq;                           /* H_TOKEN: a record has been read */
    store_seq last_seq;
};

int64_t shard_id_number(const char *id) {
    static const char prefix[] = "shardId-";
    size_t np = sizeof prefix - 1;
    if (strncmp(id, prefix, np) != 0 || id[np] == '\0')
        return -1;
    int64_t v = 0;
    for (const char *p = id + np; *p; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

static void copy_id(char dst[STORE_SHARD_ID_MAX], const char *src) {
    size_t n = strnlen(src, STORE_SHARD_ID_MAX - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int local_list(void *ctx, const char *stream, shard_info **out, size_t *n,
                      eddy_err *err) {
    local_src *ls = ctx;
    store_stream_desc d;
    int rc = store_stream_describe(ls->s, stream, &d, err);
    if (rc != 0)
        return rc;
    shard_info *arr = calloc(d.n_shards ? d.n_shards : 1, sizeof *arr);
    if (!arr) {
        store_stream_desc_free(&d);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory listing shards");
    }
    for (size_t i = 0; i < d.n_shards; i++) {
        const store_shard_desc *sd = &d.shards[i];
        copy_id(arr[i].shard_id, sd->shard_id);
        copy_id(arr[i].parent_ids[0], sd->parent_shard_id);
        copy_id(arr[i].parent_ids[1], sd->adjacent_parent_shard_id);
        arr[i].start_hash = sd->start_hash;
        arr[i].end_hash = sd->end_hash;
        arr[i].closed = sd->closed;
    }
    *out = arr;
    *n = d.n_shards;
    store_stream_desc_free(&d);
    return 0;
}

static shard_handle *handle_new(store *s, handle_kind kind) {
    shard_handle *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->kind = kind;
    h->s = s;
    store_batch_init(&h->b);
    return h;
}

static void local_close(shard_handle *h) {
    if (!h)
        return;
    if (h->cur)
        store_cursor_close(h->cur);
    if (h->sub)
        store_sub_close(h->sub);
    store_batch_free(&h->b);
    free(h);
}

static int local_open(void *ctx, const char *stream, const char *shard_id,
                      const store_position *pos, shard_handle **out, eddy_err *err) {
    local_src *ls = ctx;
    /* The throttling flag is read once per handle: limits are a property of
     * the stream that tests and operators switch rarely, and a reader reopens
     * handles only on lineage changes. */
    store_stream_desc d;
    int rc = store_stream_describe(ls->s, stream, &d, err);
    if (rc != 0)
        return rc;
    int throttled = d.throttling;
    store_stream_desc_free(&d);

    shard_handle *h = handle_new(ls->s, throttled ? H_TOKEN : H_CURSOR);
    if (!h)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory opening shard %s", shard_id);
    if (throttled) {
        snprintf(h->stream, sizeof h->stream, "%s", stream);
        copy_id(h->shard_id, shard_id);
        h->start = *pos;
        rc = store_iterator_get(ls->s, stream, shard_id, pos, h->token, err);
    } else {
        rc = store_cursor_open(ls->s, stream, shard_id, pos, &h->cur, err);
    }
    if (rc != 0) {
        local_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

static int local_consumer_ensure(void *ctx, const char *stream, const char *name, char *arn,
                                 eddy_err *err) {
    local_src *ls = ctx;
    store_consumer_desc cd;
    eddy_err e2;
    eddy_err_clear(&e2);
    int rc = store_consumer_describe(ls->s, stream, name, NULL, &cd, &e2);
    if (rc == EDDY_E_NOTFOUND) {
        rc = store_consumer_register(ls->s, stream, name, &cd, &e2);
        /* Another reader of the same application may have won the race. */
        if (rc == EDDY_E_INUSE)
            rc = store_consumer_describe(ls->s, stream, name, NULL, &cd, &e2);
    }
    if (rc != 0) {
        if (err)
            *err = e2;
        return rc;
    }
    snprintf(arn, STORE_ARN_MAX, "%s", cd.arn);
    return 0;
}

static int local_subscribe(void *ctx, const char *consumer_arn, const char *shard_id,
                           const store_position *pos, shard_notify_fn notify, void *nctx,
                           shard_handle **out, eddy_err *err) {
    local_src *ls = ctx;
    shard_handle *h = handle_new(ls->s, H_SUB);
    if (!h)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory subscribing to %s", shard_id);
    int rc = store_subscribe(ls->s, consumer_arn, shard_id, pos, notify, nctx, &h->sub, err);
    if (rc != 0) {
        local_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

/* Gets a fresh token after the last record read (or at the original start),
 * for a token that expired because the reader paused for minutes. */
static int renew_token(shard_handle *h, eddy_err *err) {
    store_position p = h->start;
    if (h->has_seq) {
        p.type = STORE_AFTER_SEQUENCE_NUMBER;
        p.seq = h->last_seq;
    }
    return store_iterator_get(h->s, h->stream, h->shard_id, &p, h->token, err);
}

static int local_fetch(shard_handle *h, size_t limit, shard_batch *out, eddy_err *err) {
    int rc;
    switch (h->kind) {
    case H_CURSOR:
        rc = store_cursor_read(h->cur, limit, &h->b, err);
        break;
    case H_SUB:
        rc = store_sub_read(h->sub, limit, &h->b, err);
        break;
    case H_TOKEN:
    default:
        if (h->token[0] == '\0') {
            /* Already at the end of a closed shard: repeat that answer. */
            h->b.n_records = 0;
            rc = 0;
            break;
        }
        rc = store_get_records(h->s, h->token, limit, &h->b, err);
        if (rc == EDDY_E_EXPIRED) {
            rc = renew_token(h, err);
            if (rc == 0)
                rc = store_get_records(h->s, h->token, limit, &h->b, err);
        }
        if (rc == 0) {
            memcpy(h->token, h->b.next_iterator, sizeof h->token);
            if (h->b.n_records > 0) {
                h->has_seq = 1;
                h->last_seq = h->b.records[h->b.n_records - 1].seq;
            }
        }
        break;
    }
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof *out);
    out->records = h->b.records;
    out->n_records = h->b.n_records;
    out->millis_behind_latest = h->b.millis_behind_latest;
    out->end_of_shard = h->b.end_of_shard;
    out->n_children = h->b.end_of_shard ? h->b.n_children : 0;
    if (out->n_children > 2)
        out->n_children = 2;
    for (size_t i = 0; i < out->n_children; i++) {
        const store_child_shard *c = &h->b.children[i];
        copy_id(out->children[i].shard_id, c->shard_id);
        copy_id(out->children[i].parent_ids[0], c->parent_shard_ids[0]);
        copy_id(out->children[i].parent_ids[1], c->parent_shard_ids[1]);
        out->children[i].start_hash = c->start_hash;
        out->children[i].end_hash = c->end_hash;
    }
    return 0;
}

static int64_t local_now(void *ctx) {
    local_src *ls = ctx;
    return store_now_ms(ls->s);
}

static void local_destroy(void *ctx) { free(ctx); }

static const shard_source_vtable local_vt = {
    .list_shards = local_list,
    .open = local_open,
    .consumer_ensure = local_consumer_ensure,
    .subscribe = local_subscribe,
    .fetch = local_fetch,
    .close = local_close,
    .now_ms = local_now,
    .destroy = local_destroy,
};

int shard_source_local_new(store *s, shard_source **out, eddy_err *err) {
    if (!s || !out)
        return eddy_err_set(err, EDDY_E_INVAL, "a local shard source needs a store");
    local_src *ls = calloc(1, sizeof *ls);
    if (!ls)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory creating a shard source");
    ls->s = s;
    ls->pub.vt = &local_vt;
    ls->pub.ctx = ls;
    *out = &ls->pub;
    return 0;
}

void shard_source_free(shard_source *src) {
    if (src)
        src->vt->destroy(src->ctx);
}
