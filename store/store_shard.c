/*
 * store_shard.c — appending: PutRecord and PutRecords, the per-shard record
 * index, and group commit under STORE_FSYNC_ALWAYS.
 *
 * A batch is validated whole first (sizes, keys, explicit hash keys), then
 * split by target shard. Each shard's share is framed into one buffer and
 * written with one system call under the shard mutex, after the throughput
 * check has dropped (and reported) the entries over the limit — so a failed
 * entry never writes anything. Counters come from the stream's atomic
 * counter, reserved while the shard mutex is held, so they increase with
 * write order within a shard.
 *
 * Group commit: the putter records the shard's logical write offset after
 * its write, releases the mutex and waits until `synced` passes it; the
 * first waiter without a sync in flight becomes the syncer and one
 * fdatasync covers everything written before it started.
 */
#include "store_int.h"

#include "eddy_log.h"
#include "md5.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- index */

int store__idx_push(store_shard *sh, uint64_t counter, int64_t arrival, uint64_t seg_no, uint64_t off) {
    if (sh->n_idx == sh->idx_cap) {
        size_t cap = sh->idx_cap ? sh->idx_cap * 2 : 1024;
        store_idx *v = realloc(sh->idx, cap * sizeof *v);
        if (!v) return EDDY_E_NOMEM;
        sh->idx = v;
        sh->idx_cap = cap;
    }
    sh->idx[sh->n_idx++] = (store_idx){counter, arrival, seg_no, off};
    return 0;
}

size_t store__idx_lower_counter(const store_shard *sh, uint64_t counter) {
    size_t lo = sh->idx_lo, hi = sh->n_idx;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sh->idx[mid].counter < counter)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t store__idx_lower_arrival(const store_shard *sh, int64_t ts) {
    size_t lo = sh->idx_lo, hi = sh->n_idx;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sh->idx[mid].arrival_ms < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---------------------------------------------------------------- group commit */

static int wait_durable(store *s, store_shard *sh, uint64_t target) {
    int rc = 0;
    pthread_mutex_lock(&sh->sync_mu);
    while (sh->synced < target && rc == 0) {
        if (sh->syncing) {
            pthread_cond_wait(&sh->sync_cv, &sh->sync_mu);
            continue;
        }
        sh->syncing = 1;
        pthread_mutex_unlock(&sh->sync_mu);
        pthread_mutex_lock(&sh->mu);
        uint64_t w = sh->written, vend = store__shard_end(sh);
        /* No segment left (retention removed it) means nothing to sync. */
        int fd = sh->n_segs ? dup(sh->segs[sh->n_segs - 1].fd) : -2;
        sh->dirty = 0;
        pthread_mutex_unlock(&sh->mu);
        int ok = fd == -2 || (fd >= 0 && store__sync_fd(s, fd) == 0);
        if (fd >= 0) close(fd);
        /* Readable before the waiters hear of it: a put is acknowledged
         * only once its records can be read. */
        if (ok) {
            store__published(s, sh, vend);
        } else {
            /* Not synced: the background thread tries again, so the records
             * become readable even if no later put comes to this shard. */
            pthread_mutex_lock(&sh->mu);
            sh->dirty = 1;
            pthread_mutex_unlock(&sh->mu);
        }
        pthread_mutex_lock(&sh->sync_mu);
        sh->syncing = 0;
        if (ok && sh->synced < w) sh->synced = w;
        if (!ok) rc = EDDY_E_IO;
        pthread_cond_broadcast(&sh->sync_cv);
    }
    pthread_mutex_unlock(&sh->sync_mu);
    return rc;
}

/* ---------------------------------------------------------------- validation */

static size_t utf8_chars(const char *p, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

typedef struct prep {
    eddy_u128 hash;
    store_shard *shard;
    int has_order;
    uint64_t order_counter;
} prep;

#define KEY_MEMO 31   /* slots of validate's hash-key memo; odd, so 8-aligned keys spread */

static int validate(store *s, const char *stream, const store_put_entry *entries, size_t n,
                    prep *pp, eddy_err *err) {
    if (n < 1 || n > STORE_BATCH_RECORDS_MAX)
        return eddy_err_set(err, EDDY_E_INVAL,
                            "1 validation error detected: Value '%zu' at 'records' failed to satisfy "
                            "constraint: Member must have length between 1 and %d",
                            n, STORE_BATCH_RECORDS_MAX);
    size_t total = 0;
    const char *memo_key[KEY_MEMO] = {0};
    eddy_u128 memo_val[KEY_MEMO];
    for (size_t i = 0; i < n; i++) {
        const store_put_entry *e = &entries[i];
        size_t chars = e->partition_key ? utf8_chars(e->partition_key, e->partition_key_len) : 0;
        if (chars < 1 || chars > STORE_PKEY_MAX || e->partition_key_len > 4 * STORE_PKEY_MAX)
            return eddy_err_set(err, EDDY_E_INVAL,
                                "1 validation error detected: Value at 'records.%zu.member.partitionKey' "
                                "failed to satisfy constraint: Member must have length between 1 and %d",
                                i + 1, STORE_PKEY_MAX);
        if (e->data_len && !e->data)
            return eddy_err_set(err, EDDY_E_INVAL, "record %zu has a length but no data", i + 1);
        size_t sz = e->data_len + e->partition_key_len;
        if (sz > STORE_RECORD_MAX)
            return eddy_err_set(err, EDDY_E_INVAL,
                                "1 validation error detected: Value at 'records.%zu.member.data' failed "
                                "to satisfy constraint: Member must have length less than or equal to "
                                "%d (data and partition key together)",
                                i + 1, STORE_RECORD_MAX);
        total += sz;
        if (e->explicit_hash_key) {
            /* Writers inside the process (the runtime's sinks) cycle through
             * a few key strings: remember the last parse per slot, keyed by
             * address, which is safe because the texts are borrowed and
             * constant for the whole call. */
            size_t slot = ((uintptr_t)e->explicit_hash_key >> 3) % KEY_MEMO;
            if (memo_key[slot] == e->explicit_hash_key) {
                pp[i].hash = memo_val[slot];
            } else {
                if (eddy_u128_parse(e->explicit_hash_key, strlen(e->explicit_hash_key), &pp[i].hash) != 0 ||
                    (e->explicit_hash_key[0] == '0' && e->explicit_hash_key[1]))
                    return eddy_err_set(err, EDDY_E_INVAL,
                                        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: "
                                        "[0, 2^128-1]. Specified value was %.100s",
                                        e->explicit_hash_key);
                memo_key[slot] = e->explicit_hash_key;
                memo_val[slot] = pp[i].hash;
            }
        } else {
            pp[i].hash = eddy_md5_fast_u128(e->partition_key, e->partition_key_len);
        }
        pp[i].has_order = 0;
        if (e->seq_for_ordering) {
            store_seq q;
            if (store_seq_parse(e->seq_for_ordering, strlen(e->seq_for_ordering), &q) != 0)
                return eddy_err_set(err, EDDY_E_INVAL,
                                    "ExclusiveMinimumSequenceNumber %.100s used in PutRecord on stream "
                                    "%.128s under account %s is invalid.",
                                    e->seq_for_ordering, stream, s->account);
            pp[i].has_order = 1;
            pp[i].order_counter = store__seq_counter(q);
        }
    }
    if (total > STORE_BATCH_BYTES_MAX)
        return eddy_err_set(err, EDDY_E_INVAL,
                            "Records size exceeds %d MB limit (data and partition keys).",
                            STORE_BATCH_BYTES_MAX >> 20);
    return 0;
}

static store_shard *route(store_stream *st, eddy_u128 h) {
    size_t lo = 0, hi = st->n_open;
    while (lo < hi) {   /* last open shard whose start <= h */
        size_t mid = (lo + hi) / 2;
        if (st->open[mid]->start_hash <= h)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return NULL;
    store_shard *sh = st->open[lo - 1];
    return h <= sh->end_hash ? sh : NULL;
}

/* ---------------------------------------------------------------- append one shard */

static int wbuf_reserve(store_shard *sh, size_t n) {
    if (n <= sh->wbuf_cap) return 0;
    size_t cap = sh->wbuf_cap ? sh->wbuf_cap : 64 * 1024;
    while (cap < n) cap *= 2;
    char *b = realloc(sh->wbuf, cap);
    if (!b) return EDDY_E_NOMEM;
    sh->wbuf = b;
    sh->wbuf_cap = cap;
    return 0;
}

/* Per-record messages are bounded by the header's struct; a long stream
 * name is cut rather than overflowing. */
static void set_msg(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_msg(char *dst, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

/* Appends entries `which[0..k)` to one shard. Fills their results. Returns
 * the shard's logical write offset after the append through *written (0 when
 * nothing was written). */
static void append_shard(store *s, store_stream *st, store_shard *sh, const store_put_entry *entries,
                         const size_t *which, size_t k, store_put_result *results, uint64_t *written) {
    *written = 0;
    char id[STORE_SHARD_ID_MAX];
    store__shard_id(sh->index, id);
    pthread_mutex_lock(&sh->mu);
    int64_t now = store_now_ms(s);
    size_t ok = 0, bytes = 0;
    for (size_t j = 0; j < k; j++) {
        const store_put_entry *e = &entries[which[j]];
        store_put_result *r = &results[which[j]];
        memcpy(r->shard_id, id, sizeof id);
        size_t sz = e->data_len + e->partition_key_len;
        if (st->throttling) {
            if (!store__bucket_has(&sh->w_bytes, (double)sz, now) ||
                !store__bucket_has(&sh->w_recs, 1.0, now)) {
                r->code = EDDY_E_THROTTLED;
                set_msg(r->message, sizeof r->message,
                        "Rate exceeded for shard %s in stream %s under account %s.", id, st->name,
                        s->account);
                continue;
            }
            store__bucket_take(&sh->w_bytes, (double)sz);
            store__bucket_take(&sh->w_recs, 1.0);
        }
        r->code = 1;   /* provisional marker: to be written */
        ok++;
        bytes += STORE_FRAME_HDR + sz;
    }
    if (ok == 0) goto done;
    eddy_err err;
    int rc = wbuf_reserve(sh, bytes);
    uint64_t first = atomic_fetch_add(&st->next_counter, ok);
    if (rc == 0 && (sh->n_segs == 0 ||
                    (sh->segs[sh->n_segs - 1].size > 0 &&
                     sh->segs[sh->n_segs - 1].size + bytes > s->segment_bytes))) {
        /* The background syncer only tracks the newest file: sync the one
         * being left now. Under `interval` a failure here is the last chance
         * to hear of it. Under `always` the segment may hold records whose
         * putters are still waiting for a sync, which only ever syncs the
         * newest file: so the roll waits until this sync succeeds, and this
         * append fails meanwhile, rather than let a later sync of a new file
         * acknowledge records that are not on disk. */
        if (sh->n_segs && sh->segs[sh->n_segs - 1].fd >= 0 && s->fsync != STORE_FSYNC_NEVER &&
            store__sync_fd(s, sh->segs[sh->n_segs - 1].fd) != 0) {
            eddy_log(EDDY_LOG_ERROR, "stream %s shard %u: fsync of a full segment failed: %s", st->name, sh->index,
                     strerror(errno));
            if (s->fsync == STORE_FSYNC_ALWAYS) rc = EDDY_E_IO;
        }
        if (rc == 0 && sh->n_segs) store__seg_release(&sh->segs[sh->n_segs - 1]);
        if (rc == 0) rc = store__seg_open_new(s, st, sh, first, &err);
    }
    size_t idx_mark = sh->n_idx;
    if (rc == 0) {
        store_seg *seg = &sh->segs[sh->n_segs - 1];
        uint64_t seg_no = sh->seg_base + sh->n_segs - 1;
        size_t off = 0, c = 0, offs[STORE_BATCH_RECORDS_MAX];
        int64_t last_arrival = sh->last_arrival_ms;
        for (size_t j = 0; j < k && rc == 0; j++) {
            const store_put_entry *e = &entries[which[j]];
            store_put_result *r = &results[which[j]];
            if (r->code != 1) continue;
            int64_t arrival = e->arrival_ms ? e->arrival_ms : now;
            if (arrival < last_arrival) {
                r->arrival_adjusted = e->arrival_ms != 0;
                arrival = last_arrival;
            }
            last_arrival = arrival;
            uint64_t counter = first + c++;
            r->seq = store__seq_make(counter, sh->index);
            rc = store__idx_push(sh, counter, arrival, seg_no, seg->size + off);
            offs[c - 1] = off;
            off += store__frame_encode(sh->wbuf + off, counter, arrival, now, e->partition_key,
                                       (uint32_t)e->partition_key_len, e->data, (uint32_t)e->data_len);
        }
        if (rc == 0) {
            store__frames_seal(sh->wbuf, offs, c);
            rc = store__seg_append(s, sh, sh->wbuf, off, &err);
        }
        if (rc == 0) {
            seg = &sh->segs[sh->n_segs - 1];
            seg->n_records += ok;
            if (now > seg->max_write_ms) seg->max_write_ms = now;
            sh->last_arrival_ms = last_arrival;
            sh->last_counter = first + ok - 1;
            sh->has_records = 1;
            if (store__publish_at_append(s)) sh->vis_end = sh->last_counter + 1;
            *written = sh->written;
        }
    }
    if (rc != 0) sh->n_idx = idx_mark;
    for (size_t j = 0; j < k; j++) {
        store_put_result *r = &results[which[j]];
        if (r->code != 1) continue;
        if (rc == 0) {
            r->code = 0;
        } else {
            r->code = EDDY_E_INTERNAL;
            r->seq = 0;
            snprintf(r->message, sizeof r->message, "Internal Service Failure");
        }
    }
done:
    pthread_mutex_unlock(&sh->mu);
}

/* ---------------------------------------------------------------- put */

typedef struct order_ent {
    uint32_t shard, entry;
} order_ent;

static int cmp_order(const void *a, const void *b) {
    const order_ent *x = a, *y = b;
    if (x->shard != y->shard) return x->shard < y->shard ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

int store_put_records(store *s, const char *stream, const store_put_entry *entries, size_t n,
                      store_put_result *results, size_t *failed, eddy_err *err) {
    prep pp[STORE_BATCH_RECORDS_MAX];
    if (failed) *failed = 0;
    int rc = validate(s, stream, entries, n, pp, err);
    if (rc) return rc;
    /* Field by field: zeroing the whole array (the messages) cost as much
     * as framing the records. */
    for (size_t i = 0; i < n; i++) {
        results[i].code = 0;
        results[i].shard_id[0] = '\0';
        results[i].seq = 0;
        results[i].arrival_adjusted = 0;
        results[i].message[0] = '\0';
    }
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, stream, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
        goto out;
    }
    order_ent ord[STORE_BATCH_RECORDS_MAX];
    int sorted = 1;
    for (size_t i = 0; i < n; i++) {
        if (pp[i].has_order && pp[i].order_counter >= st->next_counter) {
            rc = eddy_err_set(err, EDDY_E_INVAL,
                              "ExclusiveMinimumSequenceNumber %.100s used in PutRecord on stream %s "
                              "under account %s is invalid.",
                              entries[i].seq_for_ordering, st->name, s->account);
            goto out;
        }
        /* Any counter handed out from now on exceeds every counter already
         * issued, so SequenceNumberForOrdering holds by construction. */
        pp[i].shard = route(st, pp[i].hash);
        if (!pp[i].shard) {
            rc = eddy_err_set(err, EDDY_E_INTERNAL, "no open shard covers a hash key in stream %s",
                              st->name);
            goto out;
        }
        ord[i] = (order_ent){pp[i].shard->index, (uint32_t)i};
        sorted &= i == 0 || ord[i - 1].shard <= ord[i].shard;
    }
    /* One-shard streams (and batches already grouped) need no sort. */
    if (!sorted) qsort(ord, n, sizeof *ord, cmp_order);
    size_t which[STORE_BATCH_RECORDS_MAX];
    store_shard *touched[STORE_BATCH_RECORDS_MAX];
    uint64_t marks[STORE_BATCH_RECORDS_MAX];
    size_t n_touched = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, k = 0;
        while (j < n && ord[j].shard == ord[i].shard) which[k++] = ord[j++].entry;
        store_shard *sh = st->shards[ord[i].shard];
        uint64_t w;
        append_shard(s, st, sh, entries, which, k, results, &w);
        if (w) {
            if (store__publish_at_append(s)) store__notify_shard(s, sh);
            touched[n_touched] = sh;
            marks[n_touched++] = w;
        }
        i = j;
    }
    if (s->fsync == STORE_FSYNC_ALWAYS && s->data_dir) {
        /* Every shard touched is synced (and so made readable), even after
         * one failed; the call then fails as a whole. */
        int sync_errno = 0;
        for (size_t i = 0; i < n_touched; i++)
            if (wait_durable(s, touched[i], marks[i]) != 0 && !sync_errno) sync_errno = errno ? errno : EIO;
        if (sync_errno) {
            rc = eddy_err_set(err, EDDY_E_IO, "fsync of stream %s failed: %s", st->name, strerror(sync_errno));
            goto out;
        }
    }
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) nf += results[i].code != 0;
    if (failed) *failed = nf;
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

int store_put_record(store *s, const char *stream, const store_put_entry *entry,
                     store_put_result *result, eddy_err *err) {
    size_t failed = 0;
    int rc = store_put_records(s, stream, entry, 1, result, &failed, err);
    if (rc) return rc;
    if (result->code) return eddy_err_set(err, result->code, "%s", result->message);
    return 0;
}
