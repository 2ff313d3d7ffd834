/*
 * store_read.c — classic reads: positions, shard-iterator tokens,
 * GetRecords, and the in-process cursors the runtime uses.
 *
 * A position inside a shard is a counter: the next record to return is the
 * first whose counter is >= it. Records with counters below the first live
 * one (trimmed) are simply gone, so a position before the trim horizon
 * starts at the horizon without special cases.
 *
 * Iterator token (before base64): 8 bytes 00..01 (kinesalite's prefix),
 * version, name length, name, stream epoch, stream creation ms, shard index,
 * position, issue ms, zero padding to a 48-byte multiple, then the first 16
 * bytes of HMAC-SHA256 over everything before it with the store's secret.
 */
#include "store_int.h"

#include "base64.h"
#include "checksum.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN_MAC 16

void store_batch_init(store_batch *b) { memset(b, 0, sizeof *b); }

void store_batch_free(store_batch *b) {
    if (!b) return;
    free(b->records);
    free(b->mem);
    memset(b, 0, sizeof *b);
}

int store_iter_type_parse(const char *s, store_iter_type *out) {
    static const char *names[] = {"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON",
                                  "LATEST", "AT_TIMESTAMP"};
    for (int i = 0; i < 5; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *out = (store_iter_type)i;
            return 0;
        }
    return EDDY_E_INVAL;
}

/* ---------------------------------------------------------------- positions */

static uint64_t floor_pos(const store_shard *sh, uint64_t pos) {
    return pos <= sh->start_counter ? sh->start_counter + 1 : pos;
}

int store__resolve_pos(store *s, store_stream *st, store_shard *sh, const store_position *pos,
                       uint64_t *counter, eddy_err *err) {
    char id[STORE_SHARD_ID_MAX], other[STORE_SHARD_ID_MAX];
    store__shard_id(sh->index, id);
    int64_t now = store_now_ms(s);
    int rc = 0;
    pthread_mutex_lock(&sh->mu);
    switch (pos ? pos->type : (store_iter_type)-1) {
    case STORE_TRIM_HORIZON:
        *counter = 0;
        break;
    case STORE_LATEST:
        /* After the last readable record: records still waiting for their
         * put's fsync come next, once they are durable. */
        *counter = sh->vis_end;
        break;
    case STORE_AT_SEQUENCE_NUMBER:
    case STORE_AFTER_SEQUENCE_NUMBER:
        if (store__seq_shard(pos->seq) != sh->index) {
            store__shard_id(store__seq_shard(pos->seq), other);
            rc = eddy_err_set(err, EDDY_E_INVAL,
                              "Invalid StartingSequenceNumber. It encodes %s, while it was used in a "
                              "call to a shard with %s",
                              other, id);
            break;
        }
        *counter = store__seq_counter(pos->seq) + (pos->type == STORE_AFTER_SEQUENCE_NUMBER);
        break;
    case STORE_AT_TIMESTAMP:
        if (pos->timestamp_ms > now) {
            rc = eddy_err_set(err, EDDY_E_INVAL,
                              "The timestampInMillis parameter cannot be greater than the "
                              "currentTimestampInMillis. timestampInMillis: %lld, "
                              "currentTimestampInMillis: %lld",
                              (long long)pos->timestamp_ms, (long long)now);
            break;
        } else {
            size_t i = store__idx_lower_arrival(sh, pos->timestamp_ms);
            *counter = i < sh->n_idx ? sh->idx[i].counter : sh->has_records ? sh->last_counter + 1 : 0;
        }
        break;
    default:
        rc = eddy_err_set(err, EDDY_E_INVAL, "Invalid ShardIteratorType.");
    }
    if (rc == 0) *counter = floor_pos(sh, *counter);
    pthread_mutex_unlock(&sh->mu);
    return rc;
}

/* ---------------------------------------------------------------- reading */

static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static int batch_reserve(store_batch *b, size_t n_rec, size_t bytes) {
    if (n_rec > b->rec_cap) {
        store_record *r = realloc(b->records, n_rec * sizeof *r);
        if (!r) return EDDY_E_NOMEM;
        b->records = r;
        b->rec_cap = n_rec;
    }
    if (bytes > b->mem_cap) {
        void *m = realloc(b->mem, bytes);
        if (!m) return EDDY_E_NOMEM;
        b->mem = m;
        b->mem_cap = bytes;
    }
    return 0;
}

static uint64_t frame_size(const store_shard *sh, size_t j) {
    const store_idx *e = &sh->idx[j];
    if (j + 1 < sh->n_idx && sh->idx[j + 1].seg_no == e->seg_no) return sh->idx[j + 1].off - e->off;
    return sh->segs[e->seg_no - sh->seg_base].size - e->off;
}

static void fill_children(store_stream *st, store_shard *sh, store_batch *b) {
    for (int k = 0; k < 2; k++) {
        if (sh->children[k] < 0) continue;
        store_shard *c = st->shards[sh->children[k]];
        store_child_shard *cs = &b->children[b->n_children++];
        memset(cs, 0, sizeof *cs);
        store__shard_id(c->index, cs->shard_id);
        if (c->parent >= 0) store__shard_id((uint32_t)c->parent, cs->parent_shard_ids[0]);
        if (c->adjacent_parent >= 0)
            store__shard_id((uint32_t)c->adjacent_parent, cs->parent_shard_ids[1]);
        cs->start_hash = c->start_hash;
        cs->end_hash = c->end_hash;
    }
}

int store__read_shard(store *s, store_stream *st, store_shard *sh, uint64_t *pos, size_t limit,
                      store_batch *b, int classic_throttle, store_bucket *fo_bucket, eddy_err *err) {
    b->n_records = 0;
    b->millis_behind_latest = 0;
    b->end_of_shard = 0;
    b->n_children = 0;
    b->next_iterator[0] = '\0';
    if (limit == 0 || limit > STORE_GET_RECORDS_MAX) limit = STORE_GET_RECORDS_MAX;
    int64_t now = store_now_ms(s);
    store__shard_trim(s, st, sh, now);
    char id[STORE_SHARD_ID_MAX];
    store__shard_id(sh->index, id);
    int rc = 0;
    pthread_mutex_lock(&sh->mu);
    if (st->throttling) {
        int over = 0;
        if (classic_throttle) {
            over = !store__bucket_has(&sh->r_calls, 1.0, now) || !store__bucket_positive(&sh->r_bytes, now);
            if (!over) store__bucket_take(&sh->r_calls, 1.0);
        }
        if (fo_bucket && !store__bucket_positive(fo_bucket, now)) over = 1;
        if (over) {
            rc = eddy_err_set(err, EDDY_E_THROTTLED,
                              "Rate exceeded for shard %s in stream %s under account %s.", id, st->name,
                              s->account);
            goto out;
        }
    }
    uint64_t p = floor_pos(sh, *pos);
    size_t i = store__idx_lower_counter(sh, p), j = i;
    size_t mem = 0, payload = 0;
    while (j < sh->n_idx && sh->idx[j].counter < sh->vis_end && j - i < limit) {
        uint64_t fs = frame_size(sh, j);
        if (j > i && payload + (fs - STORE_FRAME_HDR) > STORE_GET_BYTES_MAX) break;
        payload += fs - STORE_FRAME_HDR;
        mem += fs;
        j++;
    }
    size_t n = j - i;
    if (n && batch_reserve(b, n, mem) != 0) {
        rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        goto out;
    }
    /* Copy runs of frames that sit together in one segment with one read. */
    size_t at = 0;
    for (size_t k = i; k < j;) {
        size_t e = k;
        uint64_t run = 0;
        while (e < j && sh->idx[e].seg_no == sh->idx[k].seg_no) run += frame_size(sh, e++);
        if (store__seg_read(sh, sh->idx[k].seg_no, sh->idx[k].off, (char *)b->mem + at, run) != 0) {
            rc = eddy_err_set(err, EDDY_E_IO, "cannot read shard %s of stream %s", id, st->name);
            goto out;
        }
        at += run;
        k = e;
    }
    at = 0;
    for (size_t k = 0; k < n; k++) {
        const unsigned char *f = (const unsigned char *)b->mem + at;
        uint32_t body = rd32(f);
        const store_idx *e = &sh->idx[i + k];
        /* Every indexed frame was either written by this process or had its
         * CRC verified by recovery when the store opened, so the checksum is
         * not recomputed on every read (it was 6-19 % of cheap queries). The
         * frame must still be the one the index points at: a cheap check of
         * its length and sequence counter catches a torn or misplaced read. */
        if (8 + (uint64_t)body != frame_size(sh, i + k) || rd64(f + 8) != e->counter) {
            rc = eddy_err_set(err, EDDY_E_CORRUPT, "record in shard %s of stream %s does not match its index",
                              id, st->name);
            goto out;
        }
        store_record *r = &b->records[k];
        r->seq = store__seq_make(e->counter, sh->index);
        r->arrival_ms = e->arrival_ms;
        r->partition_key_len = rd32(f + 32);
        r->data_len = rd32(f + 36);
        r->partition_key = (const char *)f + STORE_FRAME_HDR;
        r->data = f + STORE_FRAME_HDR + r->partition_key_len;
        at += 8 + (size_t)body;
    }
    b->n_records = n;
    if (n) {
        p = sh->idx[j - 1].counter + 1;
    } else if (i == sh->n_idx && sh->has_records && p <= sh->last_counter) {
        p = sh->last_counter + 1;   /* everything from p on was trimmed */
    }
    *pos = p;
    b->next_seq = store__seq_make(p - 1, sh->index);
    if (j < sh->n_idx && sh->idx[j].counter < sh->vis_end) {
        int64_t ref = n ? sh->idx[j - 1].arrival_ms : sh->idx[j].arrival_ms;
        b->millis_behind_latest = now > ref ? now - ref : 0;
    } else if (sh->closed && j == sh->n_idx) {
        b->end_of_shard = 1;
        fill_children(st, sh, b);
    }
    if (st->throttling) {
        if (classic_throttle) store__bucket_take(&sh->r_bytes, (double)payload);
        if (fo_bucket) store__bucket_take(fo_bucket, (double)payload);
    }
out:
    pthread_mutex_unlock(&sh->mu);
    return rc;
}

/* ---------------------------------------------------------------- tokens */

typedef struct token {
    char name[STORE_NAME_MAX + 1];
    uint64_t epoch;
    int64_t created_ms;
    uint32_t shard;
    uint64_t pos;
    int64_t issued_ms;
} token;

static void put64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint64_t get64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void mac(const store *s, const unsigned char *p, size_t n, unsigned char out[TOKEN_MAC]) {
    unsigned char full[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), s->secret, (int)sizeof s->secret, p, n, full, &len);
    memcpy(out, full, TOKEN_MAC);
}

static void token_encode(const store *s, const token *t, char *out) {
    unsigned char buf[288];
    size_t nl = strlen(t->name), n = 0;
    static const unsigned char prefix[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    memcpy(buf, prefix, 8);
    n = 8;
    buf[n++] = 1;
    buf[n++] = (unsigned char)nl;
    memcpy(buf + n, t->name, nl);
    n += nl;
    put64(buf + n, t->epoch);
    put64(buf + n + 8, (uint64_t)t->created_ms);
    put64(buf + n + 16, t->shard);
    put64(buf + n + 24, t->pos);
    put64(buf + n + 32, (uint64_t)t->issued_ms);
    n += 40;
    /* 48 = lcm(16, 3): kinesalite's 16-byte alignment, and base64 without
     * padding, so every character of the token is covered by the MAC. */
    while ((n + TOKEN_MAC) % 48) buf[n++] = 0;
    mac(s, buf, n, buf + n);
    n += TOKEN_MAC;
    eddy_b64_encode(buf, n, out);
}

static int token_decode(const store *s, const char *text, token *t) {
    size_t tl = text ? strlen(text) : 0;
    if (tl < 16 || tl > STORE_ITER_STR_MAX - 1) return EDDY_E_INVAL;
    unsigned char buf[STORE_ITER_STR_MAX];
    size_t n = eddy_b64_decode(text, tl, buf);
    if (n == (size_t)-1 || n < 8 + 2 + 1 + 40 + TOKEN_MAC || n % 48) return EDDY_E_INVAL;
    static const unsigned char prefix[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    unsigned char m[TOKEN_MAC];
    mac(s, buf, n - TOKEN_MAC, m);
    if (memcmp(buf, prefix, 8) != 0 || CRYPTO_memcmp(m, buf + n - TOKEN_MAC, TOKEN_MAC) != 0)
        return EDDY_E_INVAL;
    size_t nl = buf[9];
    if (buf[8] != 1 || nl < 1 || nl > STORE_NAME_MAX || 10 + nl + 40 + TOKEN_MAC > n) return EDDY_E_INVAL;
    memcpy(t->name, buf + 10, nl);
    t->name[nl] = '\0';
    const unsigned char *p = buf + 10 + nl;
    t->epoch = get64(p);
    t->created_ms = (int64_t)get64(p + 8);
    uint64_t shard = get64(p + 16);
    t->pos = get64(p + 24);
    t->issued_ms = (int64_t)get64(p + 32);
    if (shard > UINT32_MAX) return EDDY_E_INVAL;
    t->shard = (uint32_t)shard;
    return 0;
}

static void java_date(int64_t ms, char *out, size_t cap) {
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(out, cap, "%a %b %d %H:%M:%S UTC %Y", &tm);
}

int store_iterator_get(store *s, const char *stream, const char *shard_id, const store_position *pos,
                       char *out, eddy_err *err) {
    out[0] = '\0';
    int rc = 0;
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, stream, err);
    store_shard *sh = st ? store__shard_by_id(s, st, shard_id, err) : NULL;
    if (!sh) {
        rc = EDDY_E_NOTFOUND;
        goto out;
    }
    token t = {.epoch = st->epoch, .created_ms = st->created_ms, .shard = sh->index,
               .issued_ms = store_now_ms(s)};
    snprintf(t.name, sizeof t.name, "%s", st->name);
    if ((rc = store__resolve_pos(s, st, sh, pos, &t.pos, err)) == 0) token_encode(s, &t, out);
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

int store_get_records(store *s, const char *iterator, size_t limit, store_batch *b, eddy_err *err) {
    b->n_records = 0;
    b->next_iterator[0] = '\0';
    if (limit > STORE_GET_RECORDS_MAX)
        return eddy_err_set(err, EDDY_E_INVAL,
                            "1 validation error detected: Value '%zu' at 'limit' failed to satisfy "
                            "constraint: Member must have value less than or equal to %d",
                            limit, STORE_GET_RECORDS_MAX);
    token t;
    if (token_decode(s, iterator, &t) != 0) return eddy_err_set(err, EDDY_E_INVAL, "Invalid ShardIterator.");
    int64_t now = store_now_ms(s);
    if (now - t.issued_ms > STORE_ITERATOR_TTL_MS) {
        char a[64], c[64];
        java_date(t.issued_ms, a, sizeof a);
        java_date(now, c, sizeof c);
        return eddy_err_set(err, EDDY_E_EXPIRED,
                            "Iterator expired. The iterator was created at time %s while right now it "
                            "is %s which is further in the future than the tolerated delay of %d "
                            "milliseconds.",
                            a, c, STORE_ITERATOR_TTL_MS);
    }
    int rc = 0;
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find(s, t.name);
    if (!st || st->epoch != t.epoch || st->created_ms != t.created_ms) {
        rc = eddy_err_set(err, EDDY_E_NOTFOUND, "Stream %s under account %s not found.", t.name,
                          s->account);
        goto out;
    }
    if (t.shard >= st->n_shards) {
        rc = eddy_err_set(err, EDDY_E_INVAL, "Invalid ShardIterator.");
        goto out;
    }
    store_shard *sh = st->shards[t.shard];
    if ((rc = store__read_shard(s, st, sh, &t.pos, limit, b, 1, NULL, err)) != 0) goto out;
    if (!b->end_of_shard) {
        t.issued_ms = now;
        token_encode(s, &t, b->next_iterator);
    }
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

/* ---------------------------------------------------------------- cursors */

struct store_cursor {
    store *s;
    char name[STORE_NAME_MAX + 1];
    uint64_t epoch;
    uint32_t shard;
    uint64_t pos;
};

int store_cursor_open(store *s, const char *stream, const char *shard_id, const store_position *pos,
                      store_cursor **out, eddy_err *err) {
    *out = NULL;
    store_cursor *c = calloc(1, sizeof *c);
    if (!c) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    int rc = 0;
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, stream, err);
    store_shard *sh = st ? store__shard_by_id(s, st, shard_id, err) : NULL;
    if (!sh) {
        rc = EDDY_E_NOTFOUND;
    } else if ((rc = store__resolve_pos(s, st, sh, pos, &c->pos, err)) == 0) {
        c->s = s;
        snprintf(c->name, sizeof c->name, "%s", st->name);
        c->epoch = st->epoch;
        c->shard = sh->index;
        *out = c;
    }
    pthread_rwlock_unlock(&s->cat_lock);
    if (rc) free(c);
    return rc;
}

int store_cursor_read(store_cursor *c, size_t limit, store_batch *b, eddy_err *err) {
    store *s = c->s;
    int rc;
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find(s, c->name);
    if (!st || st->epoch != c->epoch)
        rc = eddy_err_set(err, EDDY_E_NOTFOUND, "Stream %s under account %s not found.", c->name,
                          s->account);
    else
        rc = store__read_shard(s, st, st->shards[c->shard], &c->pos, limit, b, 0, NULL, err);
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

void store_cursor_close(store_cursor *c) { free(c); }

int store_iterator_stream(store *s, const char *iterator, char *out) {
    token t;
    if (token_decode(s, iterator, &t) != 0) return EDDY_E_INVAL;
    memcpy(out, t.name, strlen(t.name) + 1);
    return 0;
}
