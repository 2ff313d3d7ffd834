/*
 * store.h — the embedded, durable, Kinesis-compatible stream store.
 *
 * The one public header of store/. Used by the API server (server/), the
 * runtime's shard readers (runtime/), the engine and the CLI. It knows
 * nothing of SQL or HTTP.
 *
 * Model (Kinesis Data Streams): a store holds streams; a stream holds shards,
 * each owning a contiguous range of the 128-bit hash-key space; a record goes
 * to the open shard whose range holds MD5(partition key) (or its explicit hash
 * key) and gets a sequence number, strictly increasing within the shard and
 * unique within the stream. Shards are append-only logs of CRC'd records in
 * segment files; split and merge close parents and open children.
 *
 * Threading: every function is safe to call from any thread. Appends to one
 * shard are serialised; reads never block appends for longer than a copy.
 *
 * Errors: functions return 0 or a negative EDDY_E_* code and fill `err`
 * (which may be NULL). Codes map to Kinesis errors:
 *   EDDY_E_NOTFOUND   ResourceNotFoundException
 *   EDDY_E_INUSE      ResourceInUseException
 *   EDDY_E_INVAL      InvalidArgumentException
 *   EDDY_E_LIMIT      LimitExceededException
 *   EDDY_E_THROTTLED  ProvisionedThroughputExceededException
 *   EDDY_E_EXPIRED    ExpiredIteratorException
 *   EDDY_E_IO, EDDY_E_CORRUPT, EDDY_E_INTERNAL   InternalFailure
 * Messages are written the way Kinesis words them where one is known
 * (e.g. "Stream foo under account 000000000000 not found.").
 *
 * Ownership: strings passed in are borrowed for the call. Result structs
 * (descriptions, record batches, lists) are owned by the caller and released
 * with their *_free function.
 */
#ifndef EDDY_STORE_H
#define EDDY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "eddy_err.h"
#include "u128.h"

/* ---------------------------------------------------------------- limits */

#define STORE_NAME_MAX 128               /* stream and consumer names: 1..128 of [a-zA-Z0-9_.-] */
#define STORE_PKEY_MAX 256               /* partition key: 1..256 Unicode chars */
#define STORE_RECORD_MAX (1024 * 1024)   /* partition key + data, bytes */
#define STORE_BATCH_RECORDS_MAX 500      /* PutRecords entries */
#define STORE_BATCH_BYTES_MAX (5 * 1024 * 1024)
#define STORE_GET_RECORDS_MAX 10000      /* GetRecords Limit */
#define STORE_GET_BYTES_MAX (10 * 1024 * 1024)
#define STORE_CONSUMERS_MAX 20           /* registered fan-out consumers per stream */
#define STORE_ITERATOR_TTL_MS (5 * 60 * 1000)
#define STORE_RETENTION_MIN_H 24
#define STORE_RETENTION_MAX_H 8760
#define STORE_SEQ_STR_MAX 64             /* sequence-number text incl. NUL */
#define STORE_SHARD_ID_MAX 32            /* "shardId-000000000000" incl. NUL */
#define STORE_ITER_STR_MAX 512           /* shard-iterator token incl. NUL */
#define STORE_ARN_MAX 512

/* A sequence number. Its text form is a decimal string as Kinesis gives
 * (see store_seq_format); numeric order equals sequence order. */
typedef eddy_u128 store_seq;

/* Formats a sequence number as its Kinesis decimal text into `out`
 * (STORE_SEQ_STR_MAX bytes). Returns the length. */
size_t store_seq_format(store_seq seq, char *out);

/* Parses sequence-number text. Returns 0 or EDDY_E_INVAL. */
int store_seq_parse(const char *s, size_t n, store_seq *out);

/* ---------------------------------------------------------------- opening */

typedef struct store store;   /* opaque */

typedef enum {
    STORE_FSYNC_INTERVAL = 0,  /* default: fsync every interval_ms in the background */
    STORE_FSYNC_ALWAYS,        /* group commit: a put returns after its data is fsync'd */
    STORE_FSYNC_NEVER          /* leave it to the OS */
} store_fsync_policy;

typedef struct store_opts {
    const char *data_dir;         /* NULL: in-memory store, nothing on disk */
    store_fsync_policy fsync;     /* durability policy */
    int fsync_interval_ms;        /* for STORE_FSYNC_INTERVAL; 0 = 100 ms */
    size_t segment_bytes;         /* segment file size; 0 = 64 MiB */
    const char *region;           /* for ARNs; NULL = "us-east-1" */
    const char *account;          /* for ARNs and messages; NULL = "000000000000" */
    /* Clock for arrival times, retention and throttling; NULL = wall clock.
     * Tests inject one to make time deterministic. */
    int64_t (*clock_ms)(void *ctx);
    void *clock_ctx;
    /* How a segment file is made durable; NULL = fdatasync. Tests inject
     * one to hold a sync in flight (or fail it). Returns 0 or -1. */
    int (*sync_fd)(int fd, void *ctx);
    void *sync_ctx;
} store_opts;

/* Sets the defaults above. */
void store_opts_init(store_opts *o);

/* Opens (creating if needed) a store. With a data directory it takes an
 * exclusive lock (EDDY_E_LOCKED if another process holds it), loads the
 * catalog and recovers every shard log, cutting a torn or corrupt tail and
 * logging how many bytes were cut. `*out` is owned by the caller. */
int store_open(const store_opts *opts, store **out, eddy_err *err);

/* Flushes and fsyncs everything, stops background threads, releases the lock
 * and frees the store. Subscriptions must have been closed. NULL is a no-op. */
void store_close(store *s);

/* Forces every shard's data to disk now (whatever the policy). */
int store_sync(store *s, eddy_err *err);

/* Forces what was written to one stream to disk now, unless the policy
 * already did (always) or never will (never, or an in-memory store): a
 * writer that is about to record what it has written uses it. */
int store_stream_sync(store *s, const char *name, eddy_err *err);

/* Current time as the store sees it (its clock). */
int64_t store_now_ms(const store *s);

/* Region and account used in ARNs. Borrowed; valid while the store is open. */
const char *store_region(const store *s);
const char *store_account(const store *s);

/* ---------------------------------------------------------------- streams */

typedef enum {
    STORE_STATUS_CREATING,
    STORE_STATUS_ACTIVE,
    STORE_STATUS_UPDATING,
    STORE_STATUS_DELETING
} store_stream_status;

/* "CREATING", "ACTIVE", ... */
const char *store_status_name(store_stream_status st);

/* Checks a stream or consumer name against Kinesis' rules. */
int store_name_valid(const char *name, size_t n);

/* Accepts a stream name or a stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)
 * and writes the bare name into out (STORE_NAME_MAX + 1 bytes). Returns 0 or
 * EDDY_E_INVAL. */
int store_stream_name_from(const char *name_or_arn, char *out, eddy_err *err);

/* Creates a stream with `shard_count` shards (1..10000) splitting the hash
 * space evenly. EDDY_E_INUSE if it exists. The stream is ACTIVE at once;
 * the server layers any CREATING delay on top. */
int store_stream_create(store *s, const char *name, int shard_count, eddy_err *err);

/* Deletes a stream, its shards' data and its consumers. With
 * enforce_consumer_deletion == 0 and registered consumers, fails with
 * EDDY_E_INUSE. */
int store_stream_delete(store *s, const char *name, int enforce_consumer_deletion,
                        eddy_err *err);

typedef struct store_shard_desc {
    char shard_id[STORE_SHARD_ID_MAX];          /* "shardId-000000000000" */
    char parent_shard_id[STORE_SHARD_ID_MAX];   /* "" when none */
    char adjacent_parent_shard_id[STORE_SHARD_ID_MAX];  /* "" when none */
    eddy_u128 start_hash, end_hash;             /* inclusive hash-key range */
    store_seq starting_seq;                     /* first sequence number it may hold */
    store_seq ending_seq;                       /* last, when closed */
    int closed;                                 /* 1 once split/merged away */
    int64_t created_ms;                         /* when the shard opened */
} store_shard_desc;

typedef struct store_stream_desc {
    char name[STORE_NAME_MAX + 1];
    char arn[STORE_ARN_MAX];
    store_stream_status status;
    int retention_hours;
    int64_t created_ms;                 /* epoch ms */
    int open_shard_count;
    int consumer_count;
    int throttling;                     /* 1 when Kinesis throughput limits are on */
    size_t n_shards;                    /* every shard but the expired (closed, all data past
                                           retention), closed ones included, in index order */
    store_shard_desc *shards;
} store_stream_desc;

/* Describes a stream. `out` is filled and owned by the caller; release it
 * with store_stream_desc_free. */
int store_stream_describe(store *s, const char *name, store_stream_desc *out, eddy_err *err);
void store_stream_desc_free(store_stream_desc *d);

/* Lists stream names in lexical order, starting after `exclusive_start`
 * (NULL = from the beginning), at most `limit` (0 = all). `*names` is an array
 * of `*n` strings owned by the caller: free with store_names_free. `*more` is
 * set to 1 when names remain. */
int store_stream_list(store *s, const char *exclusive_start, size_t limit,
                      char ***names, size_t *n, int *more, eddy_err *err);
void store_names_free(char **names, size_t n);

/* Retention in hours (24..8760). Increase fails with EDDY_E_INVAL if the value
 * is lower than the current one, decrease if it is higher (as Kinesis). */
int store_retention_increase(store *s, const char *name, int hours, eddy_err *err);
int store_retention_decrease(store *s, const char *name, int hours, eddy_err *err);

/* Turns exact Kinesis per-shard throughput limits on or off for a stream
 * (off by default): 1 MiB/s or 1,000 records/s written per shard, 5 read
 * calls/s and 2 MiB/s read per shard for classic readers, 2 MiB/s per fan-out
 * consumer per shard. Persisted. */
int store_stream_set_throttling(store *s, const char *name, int on, eddy_err *err);

/* Small persisted key/value attributes per stream for what the API must
 * "accept, store and echo" (tags, encryption, monitoring, stream mode).
 * Keys and values are strings up to 1 KiB. Setting value NULL deletes.
 * store_stream_attrs lists all pairs in key order; free with store_names_free
 * on `keys` and `vals`. */
int store_stream_attr_set(store *s, const char *name, const char *key, const char *value,
                          eddy_err *err);
int store_stream_attr_get(store *s, const char *name, const char *key, char *out,
                          size_t cap, eddy_err *err);   /* EDDY_E_NOTFOUND if absent */
int store_stream_attrs(store *s, const char *name, char ***keys, char ***vals, size_t *n,
                       eddy_err *err);

/* ---------------------------------------------------------------- resharding */

/* Splits an open shard at `new_starting_hash` (strictly inside its range,
 * above its start): the parent closes, two children open. */
int store_shard_split(store *s, const char *stream, const char *shard_id,
                      eddy_u128 new_starting_hash, eddy_err *err);

/* Merges two open shards whose ranges are adjacent: both close, one child opens
 * with `shard_id` as parent and `adjacent_shard_id` as adjacent parent. */
int store_shard_merge(store *s, const char *stream, const char *shard_id,
                      const char *adjacent_shard_id, eddy_err *err);

/* Rescales to `target` open shards with even ranges (Kinesis UNIFORM_SCALING).
 * Like Kinesis it runs as a series of splits and merges: open shards are
 * split at every uniform boundary they straddle, then the pieces of each
 * uniform range are merged left to right. So every child has at most two
 * parents (ParentShardId, AdjacentParentShardId) and every parent at most two
 * children, short-lived intermediate shards stay behind (closed, readable),
 * and an open shard that already has a uniform range is kept as it is.
 * target must be within [ceil(open/2), open*2] and <= 10000. */
int store_shard_count_update(store *s, const char *stream, int target, eddy_err *err);

/* ---------------------------------------------------------------- writing */

typedef struct store_put_entry {
    const void *data;            /* borrowed */
    size_t data_len;
    const char *partition_key;   /* borrowed, 1..256 chars */
    size_t partition_key_len;
    const char *explicit_hash_key;   /* decimal text or NULL */
    const char *seq_for_ordering;    /* sequence-number text or NULL */
    int64_t arrival_ms;          /* 0 = now; else imported arrival time, clamped
                                    so a shard's arrival times never go back */
} store_put_entry;

typedef struct store_put_result {
    int code;                    /* 0, or the EDDY_E_* for this entry */
    char shard_id[STORE_SHARD_ID_MAX];
    store_seq seq;
    int arrival_adjusted;        /* 1 when arrival_ms was raised to keep order */
    char message[160];           /* Kinesis-style error message when code != 0 */
} store_put_result;

/* Appends `n` records (1..500, at most 5 MiB in all; a larger batch fails
 * whole with EDDY_E_INVAL). Each entry succeeds or fails alone (results[i]);
 * a failed entry writes nothing. Returns 0 when the call itself was valid
 * (check results for per-record failures), or an error for the whole call
 * (unknown stream, invalid batch). Under STORE_FSYNC_ALWAYS it returns after
 * the records are on disk. `*failed` counts failed entries. */
int store_put_records(store *s, const char *stream, const store_put_entry *entries,
                      size_t n, store_put_result *results, size_t *failed, eddy_err *err);

/* One record (PutRecord): the whole call fails with the entry's error. */
int store_put_record(store *s, const char *stream, const store_put_entry *entry,
                     store_put_result *result, eddy_err *err);

/* ---------------------------------------------------------------- reading */

typedef struct store_record {
    store_seq seq;
    int64_t arrival_ms;          /* approximate arrival timestamp */
    const char *partition_key;   /* points into the batch's memory */
    uint32_t partition_key_len;
    const void *data;            /* points into the batch's memory */
    uint32_t data_len;
} store_record;

typedef struct store_child_shard {
    char shard_id[STORE_SHARD_ID_MAX];
    char parent_shard_ids[2][STORE_SHARD_ID_MAX];   /* second "" when one parent */
    eddy_u128 start_hash, end_hash;
} store_child_shard;

/* Result of a read. Owned by the caller; reuse across reads is allowed
 * (store_batch_init once, store_batch_free at the end). */
typedef struct store_batch {
    store_record *records;
    size_t n_records;
    int64_t millis_behind_latest;          /* 0 when at the tip */
    int end_of_shard;                      /* 1: shard closed and fully read */
    store_child_shard children[2];         /* valid when end_of_shard */
    size_t n_children;
    store_seq next_seq;                    /* position to continue from (exclusive of read) */
    char next_iterator[STORE_ITER_STR_MAX];/* for store_get_records; "" at end of shard */
    /* private */
    void *mem;
    size_t mem_cap, rec_cap;
} store_batch;

void store_batch_init(store_batch *b);
void store_batch_free(store_batch *b);

typedef enum {
    STORE_AT_SEQUENCE_NUMBER,
    STORE_AFTER_SEQUENCE_NUMBER,
    STORE_TRIM_HORIZON,
    STORE_LATEST,
    STORE_AT_TIMESTAMP
} store_iter_type;

/* Parses "TRIM_HORIZON" etc. Returns 0 or EDDY_E_INVAL. */
int store_iter_type_parse(const char *s, store_iter_type *out);

typedef struct store_position {
    store_iter_type type;
    store_seq seq;               /* AT_/AFTER_SEQUENCE_NUMBER */
    int64_t timestamp_ms;        /* AT_TIMESTAMP */
} store_position;

/* GetShardIterator: writes an opaque token (valid 5 minutes) into out
 * (STORE_ITER_STR_MAX bytes). A sequence number must belong to the shard
 * (EDDY_E_INVAL otherwise); a position before the trim horizon starts at it. */
int store_iterator_get(store *s, const char *stream, const char *shard_id,
                       const store_position *pos, char *out, eddy_err *err);

/* GetRecords: reads up to `limit` records (1..10000; 0 = 10000) and at most
 * 10 MiB from an iterator token. Fills `b` including next_iterator,
 * millis_behind_latest and, at the end of a closed shard, the children.
 * EDDY_E_EXPIRED for an expired token, EDDY_E_INVAL for a malformed one,
 * EDDY_E_NOTFOUND if the stream is gone, EDDY_E_THROTTLED over the limits. */
int store_get_records(store *s, const char *iterator, size_t limit, store_batch *b,
                      eddy_err *err);

/* The stream a valid iterator token reads (into out, STORE_NAME_MAX + 1
 * bytes), for accounting. Returns 0 or EDDY_E_INVAL. */
int store_iterator_stream(store *s, const char *iterator, char *out);

/* In-process cursor: the same reads without tokens or expiry, for the
 * runtime's readers. Not throttled. */
typedef struct store_cursor store_cursor;   /* opaque */

int store_cursor_open(store *s, const char *stream, const char *shard_id,
                      const store_position *pos, store_cursor **out, eddy_err *err);
/* Reads up to `limit` records (0 = 10000) after the cursor and advances it. */
int store_cursor_read(store_cursor *c, size_t limit, store_batch *b, eddy_err *err);
void store_cursor_close(store_cursor *c);

/* ---------------------------------------------------------------- fan-out */

typedef struct store_consumer_desc {
    char name[STORE_NAME_MAX + 1];
    char arn[STORE_ARN_MAX];     /* arn:aws:kinesis:R:A:stream/S/consumer/NAME:EPOCHSECONDS */
    char stream_arn[STORE_ARN_MAX];
    const char *status;          /* "CREATING", "ACTIVE", "DELETING" (static string) */
    int64_t created_ms;
} store_consumer_desc;

/* Registers a consumer (at most 20 per stream; EDDY_E_LIMIT beyond,
 * EDDY_E_INUSE if the name exists). */
int store_consumer_register(store *s, const char *stream, const char *consumer_name,
                            store_consumer_desc *out, eddy_err *err);

/* Looks a consumer up by ARN, or by stream and name (arn NULL). */
int store_consumer_describe(store *s, const char *stream, const char *consumer_name,
                            const char *consumer_arn, store_consumer_desc *out, eddy_err *err);

/* Deregisters a consumer (by ARN, or by stream and name); its subscriptions end. */
int store_consumer_deregister(store *s, const char *stream, const char *consumer_name,
                              const char *consumer_arn, eddy_err *err);

/* Lists a stream's consumers; `*out` is an array of `*n` owned by the caller
 * (free()). */
int store_consumer_list(store *s, const char *stream, store_consumer_desc **out, size_t *n,
                        eddy_err *err);

typedef struct store_sub store_sub;   /* opaque subscription */

/* Called (from the appending thread, with a store-internal mutex held, so it
 * must be quick and must not call back into the store) whenever records may
 * be ready for the subscription, and
 * once with ended == 1 when the subscription is ended by the store (replaced by
 * a newer subscription of the same consumer and shard, consumer deregistered,
 * stream deleted). */
typedef void (*store_sub_notify_fn)(void *ctx, int ended);

/* SubscribeToShard: subscribes a consumer to one shard from a starting
 * position (TRIM_HORIZON, LATEST, AT_/AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP).
 * A second subscription of the same consumer to the same shard replaces the
 * first (which is notified ended = 1). Records are pulled with
 * store_sub_read, in order, at the subscriber's pace: a slow subscriber never
 * blocks writers or other subscribers. */
int store_subscribe(store *s, const char *consumer_arn, const char *shard_id,
                    const store_position *pos, store_sub_notify_fn notify, void *ctx,
                    store_sub **out, eddy_err *err);

/* Reads what is ready (up to `limit`, 0 = 10000): records, the continuation
 * sequence number (b->next_seq), millis_behind_latest and, at the end of a
 * closed shard, the children. Returns EDDY_E_INUSE if the subscription was
 * ended, EDDY_E_THROTTLED over the 2 MiB/s limit when throttling is on. */
int store_sub_read(store_sub *sub, size_t limit, store_batch *b, eddy_err *err);

/* Ends and frees a subscription. Safe after it was ended by the store. */
void store_sub_close(store_sub *sub);

#endif
