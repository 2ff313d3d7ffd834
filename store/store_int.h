/*
 * store_int.h — private structures shared by the files of store/.
 *
 * Layout of the in-memory model: a store owns a sorted array of streams
 * (guarded by the store-wide catalog rwlock `cat_lock`); a stream owns its
 * shards by index (shard number == array index, never reused); a shard owns
 * its segments (the log), its record index and its append mutex. Nothing
 * here is visible outside store/.
 */
#ifndef EDDY_STORE_INT_H
#define EDDY_STORE_INT_H

#include "store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* ---------------------------------------------------------------- frames */

/* On-disk record frame, little-endian, followed by the partition key and the
 * data. `crc` is CRC32C over everything after it (the rest of the header,
 * key and data); `len` counts the bytes after the len and crc fields. */
#define STORE_FRAME_HDR 40
/* len(4) crc(4) counter(8) arrival_ms(8) write_ms(8) pk_len(4) data_len(4) */

/* ---------------------------------------------------------------- limits */

typedef struct store_bucket {
    double tokens;       /* may go negative: a large read leaves a debt */
    double rate;         /* tokens per second, also the burst size */
    int64_t last_ms;     /* last refill */
} store_bucket;

void store__bucket_init(store_bucket *b, double rate, int64_t now);
/* Refills to `now` and reports whether `need` tokens are there (not taken). */
int store__bucket_has(store_bucket *b, double need, int64_t now);
/* Refills to `now` and reports whether the balance is positive. */
int store__bucket_positive(store_bucket *b, int64_t now);
void store__bucket_take(store_bucket *b, double n);

#define STORE_W_BYTES_PER_S (1024.0 * 1024.0)
#define STORE_W_RECORDS_PER_S 1000.0
#define STORE_R_CALLS_PER_S 5.0
#define STORE_R_BYTES_PER_S (2.0 * 1024.0 * 1024.0)
#define STORE_FO_BYTES_PER_S (2.0 * 1024.0 * 1024.0)
#define STORE_OPEN_SHARDS_MAX 10000

/* ---------------------------------------------------------------- shards */

typedef struct store_seg {
    uint64_t first_counter;   /* file name; counters in it are >= this */
    int fd;                   /* -1 in memory mode */
    char *mem;                /* memory mode: the frames */
    size_t mem_cap;
    uint64_t size;            /* valid bytes */
    uint64_t reserved;        /* bytes allocated on disk ahead of size (store__seg_append) */
    uint8_t no_reserve;       /* the filesystem refused to preallocate */
    int64_t max_write_ms;     /* newest write time in it (retention) */
    uint64_t n_records;
} store_seg;

/* One index entry per record: enough to find its frame and to binary-search
 * by sequence counter or by arrival time (arrival never goes back in a shard). */
typedef struct store_idx {
    uint64_t counter;
    int64_t arrival_ms;
    uint64_t seg_no;          /* absolute segment number (see store_shard.seg_base) */
    uint64_t off;             /* frame offset in the segment */
} store_idx;

typedef struct store_sub_list {
    struct store_sub **v;
    size_t n, cap;
} store_sub_list;

typedef struct store_shard {
    uint32_t index;                   /* shardId-%012u */
    int parent, adjacent_parent;      /* shard indexes or -1 */
    int children[2];                  /* shard indexes or -1 */
    eddy_u128 start_hash, end_hash;
    uint64_t start_counter;           /* starting_seq counter */
    uint64_t end_counter;             /* ending_seq counter when closed */
    int closed;
    int64_t created_ms;

    pthread_mutex_t mu;               /* appends, index, segments */
    store_seg *segs;                  /* segs[i] is absolute number seg_base + i */
    size_t n_segs, segs_cap;
    uint64_t seg_base;
    store_idx *idx;                   /* idx[idx_lo .. n_idx) are live */
    size_t idx_lo, n_idx, idx_cap;
    uint64_t last_counter;            /* newest record's counter, valid if has_records */
    int has_records;
    int64_t last_arrival_ms;          /* for clamping imported times */
    char *wbuf;                       /* frame staging buffer for one batch */
    size_t wbuf_cap;
    uint64_t written;                 /* logical bytes appended, ever */
    atomic_int dirty;                 /* written since the last fsync (read unlocked by the bg thread) */
    int dir_made;                     /* its directory exists */

    /* group commit */
    pthread_mutex_t sync_mu;
    pthread_cond_t sync_cv;
    uint64_t synced;                  /* logical bytes known durable */
    /* One past the last counter readers may see (sh->mu). Under
     * fsync=always a record becomes readable once it is durable, when its
     * put is acknowledged, never before; otherwise at append. */
    uint64_t vis_end;
    int syncing;
    int sync_err;

    /* throttling (guarded by mu) */
    store_bucket w_bytes, w_recs, r_calls, r_bytes;

    /* fan-out subscriptions (guarded by store.subs_mu) */
    store_sub_list subs;
    atomic_int n_subs;
} store_shard;

/* ---------------------------------------------------------------- streams */

typedef struct store_consumer {
    char name[STORE_NAME_MAX + 1];
    int64_t created_ms;
} store_consumer;

typedef struct store_stream {
    char name[STORE_NAME_MAX + 1];
    int64_t created_ms;
    uint64_t epoch;                   /* random per incarnation: tells a re-created stream apart */
    int retention_hours;
    int throttling;
    store_stream_status status;
    _Atomic uint64_t next_counter;    /* next sequence counter to hand out */
    store_shard **shards;             /* by index */
    size_t n_shards;
    store_shard **open;               /* open shards sorted by start_hash */
    size_t n_open;
    char **attr_keys, **attr_vals;    /* sorted by key */
    size_t n_attrs;
    store_consumer consumers[STORE_CONSUMERS_MAX];
    size_t n_consumers;
} store_stream;

/* ---------------------------------------------------------------- store */

struct store {
    char *data_dir;                   /* NULL in memory mode */
    store_fsync_policy fsync;
    int fsync_interval_ms;
    size_t segment_bytes;
    char region[64], account[32];
    int64_t (*clock_ms)(void *ctx);
    void *clock_ctx;
    int (*sync_fd)(int fd, void *ctx);
    void *sync_ctx;
    int lock_fd;
    unsigned char secret[32];         /* iterator-token HMAC key */

    pthread_rwlock_t cat_lock;        /* streams array and every stream's shape */
    store_stream **streams;           /* sorted by name */
    size_t n_streams, streams_cap;

    pthread_mutex_t subs_mu;          /* all subscription lists and flags */

    pthread_t bg;                     /* fsync / retention thread */
    int bg_running;
    pthread_mutex_t bg_mu;
    pthread_cond_t bg_cv;
    int bg_stop;
};

/* store.c */
store_stream *store__find(store *s, const char *name);           /* under cat_lock */
store_stream *store__find_or_err(store *s, const char *name, eddy_err *err);
store_shard *store__shard_by_id(store *s, store_stream *st, const char *shard_id,
                                eddy_err *err);
void store__shard_id(uint32_t index, char out[STORE_SHARD_ID_MAX]);
void store__stream_arn(const store *s, const char *name, char *out, size_t cap);
int store__stream_insert(store *s, store_stream *st);
void store__stream_remove(store *s, store_stream *st);
void store__stream_free(store_stream *st);
store_shard *store__shard_new(uint32_t index, eddy_u128 lo, eddy_u128 hi, uint64_t start_counter,
                              int64_t created_ms);
void store__shard_free(store_shard *sh);
int store__rebuild_open(store_stream *st);
int store__count_open_shards(store *s);

/* store_catalog.c */
int store__catalog_save(store *s, eddy_err *err);                 /* under write cat_lock */
int store__catalog_load(store *s, eddy_err *err);

/* store_segment.c */
int store__shard_dir(store *s, store_stream *st, store_shard *sh, char *out, size_t cap);
int store__seg_open_new(store *s, store_stream *st, store_shard *sh, uint64_t first_counter,
                        eddy_err *err);
int store__seg_append(store *s, store_shard *sh, const void *p, size_t n, eddy_err *err);
/* Gives back the blocks a segment file holds beyond its records (it is
 * full, or the store is closing). */
void store__seg_release(store_seg *seg);
int store__seg_read(store_shard *sh, uint64_t seg_no, uint64_t off, void *dst, size_t n);
int store__shard_recover(store *s, store_stream *st, store_shard *sh, eddy_err *err);
void store__shard_trim(store *s, store_stream *st, store_shard *sh, int64_t now);
int store__rmtree(const char *path);
/* Writes a frame without its crc field; store__frames_seal fills that for a
 * run of frames (three at a time, which is faster than one by one). */
size_t store__frame_encode(char *dst, uint64_t counter, int64_t arrival, int64_t write_ms,
                           const void *pk, uint32_t pk_len, const void *data, uint32_t data_len);
void store__frames_seal(char *buf, const size_t *offs, size_t n);
int store__shard_fsync(store *s, store_shard *sh);                /* not under sh->mu */
/* fdatasync, or the injected store_opts.sync_fd; returns 0 or -1. */
int store__sync_fd(const store *s, int fd);
/* Whether records are readable as soon as they are appended (every policy
 * but fsync=always on disk). */
int store__publish_at_append(const store *s);
/* A sync that started with `vend` as the shard's end succeeded: under
 * fsync=always the records before vend become readable and subscribers
 * are told. Not under sh->mu. */
void store__published(store *s, store_shard *sh, uint64_t vend);
/* One past the newest record's counter (0 for an empty shard). sh->mu. */
static inline uint64_t store__shard_end(const store_shard *sh) { return sh->has_records ? sh->last_counter + 1 : 0; }

/* store_shard.c */
int store__idx_push(store_shard *sh, uint64_t counter, int64_t arrival, uint64_t seg_no,
                    uint64_t off);
size_t store__idx_lower_counter(const store_shard *sh, uint64_t counter);
size_t store__idx_lower_arrival(const store_shard *sh, int64_t ts);

/* store_read.c */
int store__resolve_pos(store *s, store_stream *st, store_shard *sh, const store_position *pos,
                       uint64_t *counter, eddy_err *err);
int store__read_shard(store *s, store_stream *st, store_shard *sh, uint64_t *pos, size_t limit,
                      store_batch *b, int classic_throttle, store_bucket *fo_bucket,
                      eddy_err *err);

/* store_fanout.c */
void store__notify_shard(store *s, store_shard *sh);
void store__end_subs_stream(store *s, store_stream *st, const char *consumer);

/* store_seq helpers (store_seq.c) */
static inline store_seq store__seq_make(uint64_t counter, uint32_t index) {
    return ((store_seq)counter << 32) | index;
}
static inline uint64_t store__seq_counter(store_seq q) { return (uint64_t)(q >> 32); }
static inline uint32_t store__seq_shard(store_seq q) { return (uint32_t)q; }

#endif
