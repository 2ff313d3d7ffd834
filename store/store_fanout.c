/*
 * store_fanout.c — enhanced fan-out: registered consumers (persisted in the
 * catalog) and subscriptions to shards.
 *
 * A subscription is a cursor with a wake-up callback: appends call
 * notify(ctx, 0) for every subscription of the shard after the records are
 * readable, and the subscriber pulls with store_sub_read at its own pace, so
 * a slow subscriber costs writers nothing but the callback. The callbacks run
 * under `subs_mu` (not under any catalog or shard lock), which is why they
 * must be quick and must not call back into the store. Ending (replacement,
 * deregistration, stream deletion) unlinks the subscription from its shard
 * under the same mutex; only store_sub_close frees it.
 */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store_sub {
    store *s;
    char stream[STORE_NAME_MAX + 1];
    uint64_t epoch;
    char consumer[STORE_NAME_MAX + 1];
    uint32_t shard_index;
    store_shard *shard;          /* valid while registered */
    uint64_t pos;
    store_sub_notify_fn notify;
    void *ctx;
    int registered;              /* guarded by subs_mu */
    int ended;                   /* guarded by subs_mu */
    store_bucket bucket;         /* 2 MiB/s per consumer and shard */
};

/* ---------------------------------------------------------------- ARNs */

static void consumer_arn(const store *s, const char *stream, const store_consumer *c, char *out,
                         size_t cap) {
    snprintf(out, cap, "arn:aws:kinesis:%s:%s:stream/%s/consumer/%s:%lld", s->region, s->account, stream,
             c->name, (long long)(c->created_ms / 1000));
}

/* Splits arn:aws:kinesis:R:A:stream/S/consumer/N:SECS into its parts. */
static int parse_consumer_arn(const char *arn, char *stream, char *name, long long *secs) {
    if (!arn || strncmp(arn, "arn:aws", 7) != 0) return EDDY_E_INVAL;
    const char *p = strstr(arn, ":stream/");
    if (!p) return EDDY_E_INVAL;
    p += 8;
    const char *q = strstr(p, "/consumer/");
    if (!q || q == p || (size_t)(q - p) > STORE_NAME_MAX) return EDDY_E_INVAL;
    memcpy(stream, p, (size_t)(q - p));
    stream[q - p] = '\0';
    q += 10;
    const char *colon = strrchr(q, ':');
    if (!colon || colon == q || (size_t)(colon - q) > STORE_NAME_MAX) return EDDY_E_INVAL;
    memcpy(name, q, (size_t)(colon - q));
    name[colon - q] = '\0';
    char *end;
    *secs = strtoll(colon + 1, &end, 10);
    if (*end || end == colon + 1) return EDDY_E_INVAL;
    if (!store_name_valid(stream, strlen(stream)) || !store_name_valid(name, strlen(name)))
        return EDDY_E_INVAL;
    return 0;
}

static void fill_desc(const store *s, const store_stream *st, const store_consumer *c,
                      store_consumer_desc *out) {
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", c->name);
    consumer_arn(s, st->name, c, out->arn, sizeof out->arn);
    store__stream_arn(s, st->name, out->stream_arn, sizeof out->stream_arn);
    out->status = "ACTIVE";
    out->created_ms = c->created_ms;
}

static store_consumer *find_consumer(store_stream *st, const char *name) {
    for (size_t i = 0; i < st->n_consumers; i++)
        if (strcmp(st->consumers[i].name, name) == 0) return &st->consumers[i];
    return NULL;
}

/* Resolves (stream, name) or an ARN to a stream and consumer, under cat_lock. */
static int lookup(store *s, const char *stream, const char *name, const char *arn, store_stream **pst,
                  store_consumer **pc, eddy_err *err) {
    char as[STORE_NAME_MAX + 1], an[STORE_NAME_MAX + 1];
    long long secs = -1;
    if (arn) {
        if (parse_consumer_arn(arn, as, an, &secs) != 0)
            return eddy_err_set(err, EDDY_E_INVAL, "ConsumerARN %.300s is not a valid consumer ARN.", arn);
        if ((stream && strcmp(stream, as) != 0) || (name && strcmp(name, an) != 0))
            return eddy_err_set(err, EDDY_E_INVAL,
                                "ConsumerARN %.300s does not match the given stream and consumer name.",
                                arn);
        stream = as;
        name = an;
    }
    if (!stream || !name)
        return eddy_err_set(err, EDDY_E_INVAL, "Either ConsumerARN or StreamARN and ConsumerName must be given.");
    store_stream *st = store__find_or_err(s, stream, err);
    if (!st) return EDDY_E_NOTFOUND;
    store_consumer *c = find_consumer(st, name);
    if (!c || (secs >= 0 && c->created_ms / 1000 != secs))
        return eddy_err_set(err, EDDY_E_NOTFOUND, "Consumer %s under stream %s under account %s not found.",
                            name, stream, s->account);
    *pst = st;
    *pc = c;
    return 0;
}

/* ---------------------------------------------------------------- consumers */

int store_consumer_register(store *s, const char *stream, const char *consumer_name,
                            store_consumer_desc *out, eddy_err *err) {
    if (!consumer_name || !store_name_valid(consumer_name, strlen(consumer_name)))
        return eddy_err_set(err, EDDY_E_INVAL,
                            "1 validation error detected: Value '%.200s' at 'consumerName' failed to "
                            "satisfy constraint: Member must satisfy regular expression pattern: "
                            "[a-zA-Z0-9_.-]+ and length 1..128",
                            consumer_name ? consumer_name : "(null)");
    int rc = 0;
    pthread_rwlock_wrlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, stream, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
    } else if (find_consumer(st, consumer_name)) {
        rc = eddy_err_set(err, EDDY_E_INUSE, "Consumer %s under stream %s already exists.", consumer_name,
                          st->name);
    } else if (st->n_consumers >= STORE_CONSUMERS_MAX) {
        rc = eddy_err_set(err, EDDY_E_LIMIT,
                          "Stream %s under account %s has reached the limit of %d registered consumers.",
                          st->name, s->account, STORE_CONSUMERS_MAX);
    } else {
        store_consumer *c = &st->consumers[st->n_consumers++];
        snprintf(c->name, sizeof c->name, "%s", consumer_name);
        c->created_ms = store_now_ms(s);
        if ((rc = store__catalog_save(s, err)) != 0)
            st->n_consumers--;
        else if (out)
            fill_desc(s, st, c, out);
    }
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

int store_consumer_describe(store *s, const char *stream, const char *consumer_name,
                            const char *consumer_arn, store_consumer_desc *out, eddy_err *err) {
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st;
    store_consumer *c;
    int rc = lookup(s, stream, consumer_name, consumer_arn, &st, &c, err);
    if (rc == 0) fill_desc(s, st, c, out);
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

int store_consumer_deregister(store *s, const char *stream, const char *consumer_name,
                              const char *consumer_arn, eddy_err *err) {
    pthread_rwlock_wrlock(&s->cat_lock);
    store_stream *st;
    store_consumer *c;
    int rc = lookup(s, stream, consumer_name, consumer_arn, &st, &c, err);
    if (rc == 0) {
        store__end_subs_stream(s, st, c->name);
        store_consumer saved = *c;
        size_t i = (size_t)(c - st->consumers);
        memmove(st->consumers + i, st->consumers + i + 1, (st->n_consumers - i - 1) * sizeof *c);
        st->n_consumers--;
        if ((rc = store__catalog_save(s, err)) != 0) st->consumers[st->n_consumers++] = saved;
    }
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

int store_consumer_list(store *s, const char *stream, store_consumer_desc **out, size_t *n, eddy_err *err) {
    *out = NULL;
    *n = 0;
    int rc = 0;
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, stream, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
    } else {
        store_consumer_desc *v = calloc(st->n_consumers + 1, sizeof *v);
        if (!v) {
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        } else {
            for (size_t i = 0; i < st->n_consumers; i++) fill_desc(s, st, &st->consumers[i], &v[i]);
            *out = v;
            *n = st->n_consumers;
        }
    }
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

/* ---------------------------------------------------------------- subscriptions */

static void unlink_sub(store_sub *sub) {
    store_sub_list *l = &sub->shard->subs;
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i] == sub) {
            memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof *l->v);
            l->n--;
            break;
        }
    }
    atomic_store(&sub->shard->n_subs, (int)l->n);
    sub->registered = 0;
}

void store__notify_shard(store *s, store_shard *sh) {
    if (atomic_load(&sh->n_subs) == 0) return;
    pthread_mutex_lock(&s->subs_mu);
    for (size_t i = 0; i < sh->subs.n; i++) sh->subs.v[i]->notify(sh->subs.v[i]->ctx, 0);
    pthread_mutex_unlock(&s->subs_mu);
}

void store__end_subs_stream(store *s, store_stream *st, const char *consumer) {
    pthread_mutex_lock(&s->subs_mu);
    for (size_t i = 0; i < st->n_shards; i++) {
        store_shard *sh = st->shards[i];
        for (size_t j = 0; j < sh->subs.n;) {
            store_sub *sub = sh->subs.v[j];
            if (consumer && strcmp(sub->consumer, consumer) != 0) {
                j++;
                continue;
            }
            unlink_sub(sub);
            sub->ended = 1;
            sub->notify(sub->ctx, 1);
        }
    }
    pthread_mutex_unlock(&s->subs_mu);
}

int store_subscribe(store *s, const char *consumer_arn, const char *shard_id, const store_position *pos,
                    store_sub_notify_fn notify, void *ctx, store_sub **out, eddy_err *err) {
    *out = NULL;
    if (!notify) return eddy_err_set(err, EDDY_E_INVAL, "a subscription needs a notify callback");
    if (!consumer_arn) return eddy_err_set(err, EDDY_E_INVAL, "ConsumerARN is required.");
    store_sub *sub = calloc(1, sizeof *sub);
    if (!sub) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st;
    store_consumer *c;
    store_shard *sh = NULL;
    int rc = lookup(s, NULL, NULL, consumer_arn, &st, &c, err);
    if (rc == 0 && !(sh = store__shard_by_id(s, st, shard_id, err))) rc = EDDY_E_NOTFOUND;
    if (rc == 0) rc = store__resolve_pos(s, st, sh, pos, &sub->pos, err);
    if (rc == 0) {
        sub->s = s;
        snprintf(sub->stream, sizeof sub->stream, "%s", st->name);
        sub->epoch = st->epoch;
        snprintf(sub->consumer, sizeof sub->consumer, "%s", c->name);
        sub->shard_index = sh->index;
        sub->shard = sh;
        sub->notify = notify;
        sub->ctx = ctx;
        store__bucket_init(&sub->bucket, STORE_FO_BYTES_PER_S, store_now_ms(s));
        pthread_mutex_lock(&s->subs_mu);
        for (size_t i = 0; i < sh->subs.n; i++) {
            store_sub *old = sh->subs.v[i];
            if (strcmp(old->consumer, sub->consumer) == 0) {
                /* The newer subscription takes over, as in Kinesis after 5 s. */
                unlink_sub(old);
                old->ended = 1;
                old->notify(old->ctx, 1);
                break;
            }
        }
        store_sub_list *l = &sh->subs;
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 4;
            store_sub **v = realloc(l->v, cap * sizeof *v);
            if (!v) {
                rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            } else {
                l->v = v;
                l->cap = cap;
            }
        }
        if (rc == 0) {
            l->v[l->n++] = sub;
            atomic_store(&sh->n_subs, (int)l->n);
            sub->registered = 1;
        }
        pthread_mutex_unlock(&s->subs_mu);
    }
    pthread_rwlock_unlock(&s->cat_lock);
    if (rc) {
        free(sub);
        return rc;
    }
    *out = sub;
    return 0;
}

int store_sub_read(store_sub *sub, size_t limit, store_batch *b, eddy_err *err) {
    store *s = sub->s;
    b->n_records = 0;
    pthread_mutex_lock(&s->subs_mu);
    int ended = sub->ended;
    pthread_mutex_unlock(&s->subs_mu);
    if (ended)
        return eddy_err_set(err, EDDY_E_INUSE,
                            "Subscription of consumer %s to a shard of stream %s has ended (replaced, "
                            "deregistered or stream deleted).",
                            sub->consumer, sub->stream);
    int rc;
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find(s, sub->stream);
    if (!st || st->epoch != sub->epoch)
        rc = eddy_err_set(err, EDDY_E_NOTFOUND, "Stream %s under account %s not found.", sub->stream,
                          s->account);
    else
        rc = store__read_shard(s, st, st->shards[sub->shard_index], &sub->pos, limit, b, 0, &sub->bucket,
                               err);
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

void store_sub_close(store_sub *sub) {
    if (!sub) return;
    pthread_mutex_lock(&sub->s->subs_mu);
    if (sub->registered) unlink_sub(sub);
    pthread_mutex_unlock(&sub->s->subs_mu);
    free(sub);
}
