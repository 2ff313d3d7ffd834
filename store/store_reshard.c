/*
 * store_reshard.c — SplitShard, MergeShards and UpdateShardCount.
 *
 * All three run synchronously under the exclusive catalog lock, so no put
 * is in flight: closing a parent records its ending counter as the last one
 * handed out, and its children start above it, so a reader that finishes
 * the parents before the children sees every key in order. Shards are never
 * deleted; closed ones stay readable.
 *
 * UpdateShardCount is carried out as Kinesis does it, as a series of splits
 * and merges (which can leave short-lived shards behind): first split the
 * open shards at every uniform boundary they straddle, then merge the
 * shards inside each uniform range left to right. Every child therefore has
 * at most two parents and every parent at most two children, as the
 * ParentShardId/AdjacentParentShardId model requires.
 */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

static store_shard *add_child(store *s, store_stream *st, eddy_u128 lo, eddy_u128 hi, int parent,
                              int adjacent) {
    store_shard **v = realloc(st->shards, (st->n_shards + 1) * sizeof *v);
    if (!v) return NULL;
    st->shards = v;
    uint64_t start = atomic_load(&st->next_counter);
    store_shard *c = store__shard_new((uint32_t)st->n_shards, lo, hi, start, store_now_ms(s));
    if (!c) return NULL;
    /* Records of the child must be strictly above its starting number. */
    atomic_store(&st->next_counter, start + 1);
    c->parent = parent;
    c->adjacent_parent = adjacent;
    st->shards[st->n_shards++] = c;
    for (int k = 0; k < 2; k++) {
        int p = k ? adjacent : parent;
        if (p < 0) continue;
        store_shard *ps = st->shards[p];
        ps->children[ps->children[0] < 0 ? 0 : 1] = (int)c->index;
    }
    return c;
}

/* Under fsync=always a shard's records become readable when a sync covers
 * them. One whose last sync failed (and that no later put will sync) must be
 * made durable before it closes, or readers would wait at its end forever
 * instead of moving on to its children. Puts cannot run meanwhile: they
 * hold the catalog lock this caller holds for writing. */
static int settle_stream(store *s, store_stream *st, eddy_err *err) {
    if (store__publish_at_append(s)) return 0;
    for (size_t i = 0; i < st->n_open; i++) {
        store_shard *sh = st->open[i];
        pthread_mutex_lock(&sh->mu);
        int behind = sh->vis_end < store__shard_end(sh);
        pthread_mutex_unlock(&sh->mu);
        if (behind && store__shard_fsync(s, sh) != 0)
            return eddy_err_set(err, EDDY_E_IO, "fsync of stream %s failed: %s; its shards are unchanged", st->name,
                                strerror(errno));
    }
    return 0;
}

static void close_shard(store_stream *st, store_shard *sh) {
    pthread_mutex_lock(&sh->mu);
    sh->closed = 1;
    sh->end_counter = atomic_load(&st->next_counter) - 1;
    pthread_mutex_unlock(&sh->mu);
}

/* Splits without the Kinesis argument checks (callers did them). */
static int split_raw(store *s, store_stream *st, store_shard *sh, eddy_u128 key) {
    close_shard(st, sh);
    if (!add_child(s, st, sh->start_hash, key - 1, (int)sh->index, -1) ||
        !add_child(s, st, key, sh->end_hash, (int)sh->index, -1))
        return EDDY_E_NOMEM;
    return store__rebuild_open(st);
}

static store_shard *merge_raw(store *s, store_stream *st, store_shard *a, store_shard *b) {
    close_shard(st, a);
    close_shard(st, b);
    eddy_u128 lo = a->start_hash < b->start_hash ? a->start_hash : b->start_hash;
    eddy_u128 hi = a->end_hash > b->end_hash ? a->end_hash : b->end_hash;
    store_shard *c = add_child(s, st, lo, hi, (int)a->index, (int)b->index);
    if (!c || store__rebuild_open(st) != 0) return NULL;
    return c;
}

static int not_eligible(store *s, store_stream *st, store_shard *sh, eddy_err *err) {
    char id[STORE_SHARD_ID_MAX];
    store__shard_id(sh->index, id);
    return eddy_err_set(err, EDDY_E_INVAL,
                        "Shard %s in stream %s under account %s has already been merged or split, and "
                        "thus is not eligible for merging or splitting.",
                        id, st->name, s->account);
}

static int shard_limit(store *s, int extra, eddy_err *err) {
    int open = store__count_open_shards(s);
    if (open + extra > STORE_OPEN_SHARDS_MAX)
        return eddy_err_set(err, EDDY_E_LIMIT,
                            "This request would exceed the shard limit for the account %s in %s. "
                            "Current shard count for the account: %d. Limit: %d.",
                            s->account, s->region, open, STORE_OPEN_SHARDS_MAX);
    return 0;
}

int store_shard_split(store *s, const char *stream, const char *shard_id, eddy_u128 new_starting_hash,
                      eddy_err *err) {
    int rc = 0;
    pthread_rwlock_wrlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, stream, err);
    store_shard *sh = st ? store__shard_by_id(s, st, shard_id, err) : NULL;
    if (!sh) {
        rc = EDDY_E_NOTFOUND;
        goto out;
    }
    if (sh->closed) {
        rc = not_eligible(s, st, sh, err);
        goto out;
    }
    if (!(new_starting_hash > sh->start_hash + 1 && new_starting_hash < sh->end_hash)) {
        char k[48], a[48], b[48], id[STORE_SHARD_ID_MAX];
        eddy_u128_format(new_starting_hash, k);
        eddy_u128_format(sh->start_hash, a);
        eddy_u128_format(sh->end_hash, b);
        store__shard_id(sh->index, id);
        rc = eddy_err_set(err, EDDY_E_INVAL,
                          "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under "
                          "account %s is not both greater than one plus the shard's StartingHashKey %s "
                          "and less than the shard's EndingHashKey %s.",
                          k, id, st->name, s->account, a, b);
        goto out;
    }
    if ((rc = shard_limit(s, 1, err)) != 0 || (rc = settle_stream(s, st, err)) != 0) goto out;
    if ((rc = split_raw(s, st, sh, new_starting_hash)) != 0) {
        rc = eddy_err_set(err, rc, "out of memory splitting a shard");
        goto out;
    }
    rc = store__catalog_save(s, err);
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

/* x directly precedes y (guarding the wrap of the top shard's end + 1). */
static int adjacent(const store_shard *x, const store_shard *y) {
    return x->end_hash != EDDY_U128_MAX && x->end_hash + 1 == y->start_hash;
}

int store_shard_merge(store *s, const char *stream, const char *shard_id, const char *adjacent_shard_id,
                      eddy_err *err) {
    int rc = 0;
    pthread_rwlock_wrlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, stream, err);
    store_shard *a = st ? store__shard_by_id(s, st, shard_id, err) : NULL;
    store_shard *b = a ? store__shard_by_id(s, st, adjacent_shard_id, err) : NULL;
    if (!b) {
        rc = EDDY_E_NOTFOUND;
        goto out;
    }
    if (a->closed || b->closed) {
        rc = not_eligible(s, st, a->closed ? a : b, err);
        goto out;
    }
    if (a == b || !(adjacent(a, b) || adjacent(b, a))) {
        char ia[STORE_SHARD_ID_MAX], ib[STORE_SHARD_ID_MAX];
        store__shard_id(a->index, ia);
        store__shard_id(b->index, ib);
        rc = eddy_err_set(err, EDDY_E_INVAL,
                          "Shards %s and %s in stream %s under account %s are not an adjacent pair of "
                          "shards eligible for merging",
                          ia, ib, st->name, s->account);
        goto out;
    }
    if ((rc = settle_stream(s, st, err)) != 0) goto out;
    if (!merge_raw(s, st, a, b)) {
        rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory merging shards");
        goto out;
    }
    rc = store__catalog_save(s, err);
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

static store_shard *open_at(store_stream *st, eddy_u128 h) {
    for (size_t i = 0; i < st->n_open; i++)
        if (st->open[i]->start_hash <= h && h <= st->open[i]->end_hash) return st->open[i];
    return NULL;
}

int store_shard_count_update(store *s, const char *stream, int target, eddy_err *err) {
    int rc = 0;
    pthread_rwlock_wrlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, stream, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
        goto out;
    }
    int open = (int)st->n_open;
    if (target < 1 || target > 10000 || target < (open + 1) / 2 || target > open * 2) {
        rc = eddy_err_set(err, EDDY_E_INVAL,
                          "UpdateShardCount failed for stream %s under account %s: TargetShardCount %d "
                          "must be between %d and %d (half to double the %d open shards) and at most "
                          "10000.",
                          st->name, s->account, target, (open + 1) / 2, open * 2 > 10000 ? 10000 : open * 2,
                          open);
        goto out;
    }
    if ((rc = shard_limit(s, target - open, err)) != 0 || (rc = settle_stream(s, st, err)) != 0) goto out;
    eddy_u128 n = (eddy_u128)target;
    eddy_u128 w = EDDY_U128_MAX / n + (EDDY_U128_MAX % n == n - 1 ? 1 : 0);
    for (int k = 1; k < target; k++) {
        eddy_u128 b = (eddy_u128)k * w;
        store_shard *sh = open_at(st, b);
        if (sh && sh->start_hash != b && (rc = split_raw(s, st, sh, b)) != 0) goto nomem;
    }
    for (int k = 0; k < target; k++) {
        eddy_u128 lo = (eddy_u128)k * w;
        eddy_u128 hi = k == target - 1 ? EDDY_U128_MAX : (eddy_u128)(k + 1) * w - 1;
        store_shard *cur = open_at(st, lo);
        while (cur && cur->end_hash < hi) {
            store_shard *next = open_at(st, cur->end_hash + 1);
            if (!next || !(cur = merge_raw(s, st, cur, next))) goto nomem;
        }
    }
    rc = store__catalog_save(s, err);
    goto out;
nomem:
    rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory rescaling stream %s", st->name);
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}
