/*
 * reader.h — reads every shard of one stream into one in-application input,
 * in ROWTIME order, with watermarks.
 *
 * The engine creates one reader per application input. The reader lists the
 * stream's shards through a shard_source (shard_source.h), reads each shard
 * with the kind of consumer the input asks for, follows splits and merges
 * (a child shard is read only once all its parents have been read to their
 * end), tracks a position per shard for checkpoints, and merges the shards
 * into one stream ordered by (ROWTIME, shard index, sequence number) with
 * source_merge.h. Each poll returns a batch of records and the watermark.
 *
 * Kinds of consumer:
 *   classic  polling fetches: continuously while a shard is behind, every
 *            poll_interval_ms once it is at its tip, backing off exponentially
 *            (backoff_base_ms doubling up to backoff_max_ms) on EDDY_E_THROTTLED.
 *   fan-out  the consumer `consumer_name` (registered if absent) subscribed
 *            to each shard; a shard is read when the source notifies, and
 *            every poll_interval_ms as a heartbeat so idleness is measured.
 *
 * Time: all scheduling uses the source's clock (shard_source now_ms), so tests
 * that inject a store clock control polling, back-off and idleness alike.
 *
 * Threading: one pipeline thread owns the reader and calls every function
 * here, except that fan-out pushes arrive on other threads: they set a flag,
 * signal rt_reader_wait, and call opts.wake if given.
 */
#ifndef EDDY_READER_H
#define EDDY_READER_H

#include <stddef.h>
#include <stdint.h>

#include "eddy_err.h"
#include "shard_source.h"
#include "source_merge.h"

typedef enum {
    RT_READER_CLASSIC = 0,   /* GetRecords polling */
    RT_READER_FANOUT         /* enhanced fan-out subscriptions */
} rt_reader_kind;

typedef enum {
    RT_START_TRIM_HORIZON = 0,   /* the oldest record kept */
    RT_START_LATEST,             /* only records arriving after the open */
    RT_START_AT_TIMESTAMP        /* records that arrived at or after start_timestamp_ms */
} rt_start_kind;

typedef struct rt_reader_opts {
    rt_reader_kind kind;
    rt_start_kind start;
    int64_t start_timestamp_ms;    /* for RT_START_AT_TIMESTAMP */
    const char *consumer_name;     /* fan-out consumer, e.g. "eddy-<app>"; borrowed for the open */
    int poll_interval_ms;          /* default 200 */
    int backoff_base_ms;           /* first wait after a throttle; default 100 */
    int backoff_max_ms;            /* default 5000 */
    int64_t idle_timeout_ms;       /* an idle shard stops holding time back; default 1000; < 0 never */
    int64_t arrival_skew_ms;       /* how long before it becomes readable a record's arrival time
                                      may be stamped: an idle shard is complete only up to the
                                      clock minus this. 0 for the embedded store (it stamps under
                                      the lock that publishes the record); set it for a remote
                                      source, whose clock is not ours */
    int relist_interval_ms;        /* re-list shards to find new ones; default 10000 */
    size_t fetch_limit;            /* records per fetch; 0 = the source's maximum */
    int drain;                     /* read to the current end of every shard, then report done */
    uint32_t part, parts;          /* read only the shards whose number % parts == part (KDA
                                      InputParallelism: in-application streams sharing a stream's
                                      shards); parts 0 or 1 = every shard */
    void (*wake)(void *ctx);       /* optional: called on any thread when a push arrives */
    void *wake_ctx;
} rt_reader_opts;

/* Fills the defaults above (classic, TRIM_HORIZON). */
void rt_reader_opts_init(rt_reader_opts *o);

typedef struct rt_reader rt_reader;   /* opaque */

/* Opens a reader of `stream` (borrowed) over `src` (borrowed; must outlive the
 * reader): lists its shards and, for fan-out, finds or registers the
 * consumer. No shard is opened before the first poll, so positions can still
 * be restored. `*out` is owned by the caller; close with rt_reader_close. */
int rt_reader_open(const rt_reader_opts *opts, shard_source *src, const char *stream,
                   rt_reader **out, eddy_err *err);

/* Closes every shard handle and subscription and frees the reader. The
 * fan-out consumer stays registered, as an application's consumer does. NULL
 * is a no-op. */
void rt_reader_close(rt_reader *r);

/* The result of a poll. */
typedef struct rt_reader_out {
    const rt_record *records;      /* borrowed until the next poll or the close */
    size_t n_records;
    int64_t watermark;             /* every record delivered later has ROWTIME >= this */
    int done;                      /* drain: every shard read to its end (no live shard) */
    int64_t millis_behind_latest;  /* the largest over shards at their last fetch */
} rt_reader_out;

/* Fixes every shard's starting position now instead of at the first poll,
 * so that LATEST means "records that arrive after this call". Positions
 * cannot be set (rt_reader_positions_set) afterwards. Returns 0 or an error
 * of the source. */
int rt_reader_start(rt_reader *r, eddy_err *err);

/* Fetches what is due from the shards and returns up to `max` merged records
 * (0 = 1024) with the current watermark. It never sleeps: with nothing due it
 * returns no records, and the caller waits with rt_reader_wait. Fetch errors
 * other than throttling (which backs off) are returned; the reader may be
 * polled again afterwards. rt_record.lane is a shard slot: name it with
 * rt_reader_shard_id. */
int rt_reader_poll(rt_reader *r, size_t max, rt_reader_out *out, eddy_err *err);

/* Sleeps until the next fetch is due, a fan-out push arrives, or max_ms
 * (wall-clock) passes, whichever is first. Returns at once when something is
 * already due. */
void rt_reader_wait(rt_reader *r, int max_ms);

/* How long, in ms up to max_ms, until this reader has a fetch due (0: now,
 * or not started). A caller that sleeps on several readers at once waits
 * the least of these, woken early by opts.wake. */
int rt_reader_due_in(rt_reader *r, int max_ms);

/* The shard id of a slot (rt_record.lane); NULL if out of range. Borrowed. */
const char *rt_reader_shard_id(const rt_reader *r, uint32_t slot);

/* Counters, for progress lines and tests. */
typedef struct rt_reader_stats {
    uint64_t fetches;          /* fetch calls made */
    uint64_t throttled;        /* fetches answered EDDY_E_THROTTLED */
    uint64_t records;          /* records delivered */
    uint64_t resubscribes;     /* fan-out subscriptions renewed after the source ended them */
    size_t shards_total;       /* shards known */
    size_t shards_active;      /* being read now */
    size_t shards_finished;    /* read to their end (or skipped: LATEST on a closed shard) */
} rt_reader_stats;

void rt_reader_get_stats(const rt_reader *r, rt_reader_stats *out);

/* A shard's position, for checkpoints. */
typedef struct rt_shard_pos {
    char shard_id[STORE_SHARD_ID_MAX];
    int has_seq;          /* 1: resume after `seq` (at it, with seq_at) */
    store_seq seq;        /* sequence number of the last record delivered */
    int seq_at;           /* resume at `seq`, not after it */
    int has_at;           /* no seq: resume at the first record that arrived at or after at_ms */
    int64_t at_ms;
    int finished;         /* 1: a closed shard read to its end; never read again */
    int has_replay;       /* records up to and including replay_seq had their results */
    store_seq replay_seq; /* written before: read again, they rebuild state only */
} rt_shard_pos;

/* Returns the position of every known shard that has delivered a record or
 * finished (or started at LATEST: the time it started). `*out` is an array
 * of `*n` owned by the caller (free()). */
int rt_reader_positions_get(const rt_reader *r, rt_shard_pos **out, size_t *n, eddy_err *err);

/* The same, for a reader whose records from ROWTIME `horizon` on are still
 * needed (an open window's rows): a shard that delivered such records
 * resumes at the first of them it delivered, or at the first that arrived
 * at or after `horizon` when it delivered earlier ones too. INT64_MAX = no
 * records needed: rt_reader_positions_get. */
int rt_reader_positions_get_from(const rt_reader *r, int64_t horizon, rt_shard_pos **out, size_t *n,
                                 eddy_err *err);

/* Whether a delivered record is one the positions this reader started from
 * marked as read before (rt_shard_pos.replay_seq): it is read again to
 * rebuild windows, and what it produces was written out already. Records
 * must be asked about in the order they are delivered. */
int rt_reader_is_replay(rt_reader *r, const rt_record *rec);

/* Whether records up to some shard's replay mark are still to be delivered. */
int rt_reader_replaying(const rt_reader *r);

/* Restores positions saved by rt_reader_positions_get, before the first poll
 * (EDDY_E_INUSE after): shards with a sequence number resume after it,
 * finished shards are skipped and their children become readable, and other
 * shards start where the options say. Unknown shard ids (trimmed since) are
 * ignored. `pos` is borrowed. */
int rt_reader_positions_set(rt_reader *r, const rt_shard_pos *pos, size_t n, eddy_err *err);

#endif
