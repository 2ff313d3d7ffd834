/*
 * shard_source.h — what a shard reader needs from a stream, whichever side of
 * the network the stream lives on.
 *
 * The runtime's readers (reader.h) talk to streams only through this vtable:
 * list the shards with their lineage, open a position in a shard and fetch
 * batches from it (classic polling), or register a consumer and subscribe to a
 * shard for pushes (enhanced fan-out). Operators never see which
 * implementation they have.
 *
 * Implementations:
 *   - local: the embedded store (shard_source_local.c, over store.h).
 *   - remote: a Kinesis endpoint over HTTPS (ListShards, GetShardIterator,
 *     GetRecords, RegisterStreamConsumer, SubscribeToShard with SigV4). It is
 *     not written yet; it plugs in as a second constructor next to
 *     shard_source_local_new() that fills the same vtable, with its records
 *     copied into memory the handle owns until the next fetch.
 *
 * Threading: a source and its handles are used by one reader thread, except
 * the notify callback given to subscribe, which the implementation may call
 * from any thread (for the local store: the appending thread).
 *
 * Errors: functions return 0 or a negative EDDY_E_* and fill `err` (may be
 * NULL), with the codes of store.h (EDDY_E_THROTTLED over a read limit,
 * EDDY_E_NOTFOUND for a missing stream or shard, ...).
 */
#ifndef EDDY_SHARD_SOURCE_H
#define EDDY_SHARD_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "eddy_err.h"
#include "store.h"

/* One shard as listed, with its lineage. */
typedef struct shard_info {
    char shard_id[STORE_SHARD_ID_MAX];          /* "shardId-000000000000" */
    char parent_ids[2][STORE_SHARD_ID_MAX];     /* "" when absent; [1] is the adjacent parent */
    eddy_u128 start_hash, end_hash;             /* inclusive hash-key range */
    int closed;                                 /* 1 once split or merged away */
} shard_info;

/* The result of one fetch. Records and their bytes are borrowed from the
 * handle that produced them and stay valid until the next fetch on, or the
 * close of, that handle. */
typedef struct shard_batch {
    const store_record *records;    /* borrowed; ordered by sequence number */
    size_t n_records;
    int64_t millis_behind_latest;   /* 0 when the read reached the shard's tip */
    int end_of_shard;               /* 1: closed and read to its end; see children */
    size_t n_children;              /* valid when end_of_shard */
    shard_info children[2];         /* the shards that replaced this one */
} shard_batch;

/* A read handle on one shard: a polling iterator or a push subscription.
 * Opaque; each implementation defines it. */
typedef struct shard_handle shard_handle;

/* Called, possibly from another thread, when records may be ready for a
 * subscription, and once with ended == 1 when the source ended it (the next
 * fetch then fails with EDDY_E_INUSE and the caller subscribes again). It must
 * be quick and must not call into the source. */
typedef void (*shard_notify_fn)(void *ctx, int ended);

typedef struct shard_source_vtable {
    /* Lists every shard of `stream`, closed ones included, in creation order.
     * `*out` is an array of `*n` owned by the caller (free()). */
    int (*list_shards)(void *ctx, const char *stream, shard_info **out, size_t *n,
                       eddy_err *err);
    /* Opens a polling handle on one shard at `pos` (borrowed). `*out` is owned
     * by the caller and released with close. */
    int (*open)(void *ctx, const char *stream, const char *shard_id,
                const store_position *pos, shard_handle **out, eddy_err *err);
    /* Finds the consumer `name` of `stream`, registering it when absent, and
     * writes its ARN into arn (STORE_ARN_MAX bytes). */
    int (*consumer_ensure)(void *ctx, const char *stream, const char *name, char *arn,
                           eddy_err *err);
    /* Subscribes consumer `consumer_arn` to one shard from `pos`; notify(nctx)
     * is called whenever records may be ready. `*out` is owned by the caller
     * and released with close, after which notify is never called again. */
    int (*subscribe)(void *ctx, const char *consumer_arn, const char *shard_id,
                     const store_position *pos, shard_notify_fn notify, void *nctx,
                     shard_handle **out, eddy_err *err);
    /* Reads up to `limit` records (0 = as many as the source allows) from a
     * handle of either kind, advancing it. */
    int (*fetch)(shard_handle *h, size_t limit, shard_batch *out, eddy_err *err);
    /* Releases a handle. NULL is a no-op. */
    void (*close)(shard_handle *h);
    /* The source's clock in epoch ms: the clock arrival times are stamped
     * with (for the local store, its injected clock). */
    int64_t (*now_ms)(void *ctx);
    /* Frees the source, its shard_source struct included (not what it wraps). */
    void (*destroy)(void *ctx);
} shard_source_vtable;

/* A source: a vtable and its context. Callers hold it by pointer. */
typedef struct shard_source {
    const shard_source_vtable *vt;   /* read-only */
    void *ctx;                       /* private to the implementation */
} shard_source;

/* Creates a source over the embedded store `s` (borrowed; must outlive the
 * source). Classic handles use the store's in-process cursors, except on a
 * stream whose throughput limits are on (store_stream_set_throttling): there
 * they go through GetShardIterator/GetRecords so that reads are counted and
 * throttled exactly as a Kinesis consumer's would be. `*out` is owned by the
 * caller; free it with shard_source_free. */
int shard_source_local_new(store *s, shard_source **out, eddy_err *err);

/* Frees a source made by any constructor. NULL is a no-op. */
void shard_source_free(shard_source *src);

/* Thin wrappers over the vtable, for readability at call sites. */
static inline int shard_source_list(shard_source *src, const char *stream, shard_info **out,
                                    size_t *n, eddy_err *err) {
    return src->vt->list_shards(src->ctx, stream, out, n, err);
}
static inline int64_t shard_source_now(shard_source *src) { return src->vt->now_ms(src->ctx); }

/* Returns the number in a "shardId-000000000042" id, or -1 when the id has
 * another form (the caller then falls back to listing order). */
int64_t shard_id_number(const char *shard_id);

#endif
