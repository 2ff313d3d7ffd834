/*
 * source_merge.h — merges the shards of one stream into one stream of records
 * in non-decreasing ROWTIME order, and says how far time has advanced.
 *
 * Used by the reader (reader.c), which fetches from the shards and feeds each
 * shard's records into a "lane" here; the merge decides what may be emitted.
 * It knows nothing of fetching, lineage or threads.
 *
 * ROWTIME is a record's arrival time in the store. Order is the total order of
 * keys (arrival, tie, seq), where `tie` is a per-lane number the caller gives
 * (the shard's index in the stream), so the same records always come out in
 * the same order however they were fetched: live or replayed, classic or
 * fan-out, in batches of any size.
 *
 * Watermarks. Each live lane has a frontier: the smallest key any record of
 * its still to come can have.
 *   - with records pending: the key of its next record;
 *   - otherwise: just above the last record it delivered (arrival never goes
 *     back within a shard), or (floor, tie, 0) before its first record;
 *   - once it has sat at its tip with nothing pending for the idle timeout:
 *     the time at which it was last seen empty at its tip (the caller samples
 *     the clock before that fetch), so an idle shard stops holding time back.
 * The merge emits the smallest pending record while it is below every other
 * lane's frontier; the watermark is the smallest frontier time: every record
 * delivered later has ROWTIME >= watermark, so a window ending at or before it
 * may close.
 *
 * Memory: records fed into a lane are borrowed; they must stay valid until the
 * lane has no pending record (rt_merge_pending == 0). Emitted records point
 * into that same memory.
 *
 * Threading: one thread at a time.
 */
#ifndef EDDY_SOURCE_MERGE_H
#define EDDY_SOURCE_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "eddy_err.h"
#include "store.h"

/* One record of the merged stream. Pointers are borrowed (see above). */
typedef struct rt_record {
    int64_t rowtime;               /* arrival time; never below an earlier record's */
    uint32_t lane;                 /* the lane (for the reader: its shard slot) */
    store_seq seq;                 /* sequence number in its shard */
    const char *partition_key;     /* borrowed, not NUL-terminated */
    uint32_t partition_key_len;
    const void *data;              /* borrowed */
    uint32_t data_len;
} rt_record;

typedef struct rt_merge rt_merge;   /* opaque */

/* Outcome of rt_merge_run. */
typedef enum {
    RT_MERGE_FULL,        /* the output array is full; call again */
    RT_MERGE_NEED_DATA,   /* the lane holding time back has nothing pending: fetch it */
    RT_MERGE_LANE_DONE,   /* a finished lane just delivered its last record: the
                             caller may add its successors before running again */
    RT_MERGE_IDLE         /* no live lane */
} rt_merge_status;

/* Creates a merge. An idle lane stops holding time back once it has been at
 * its tip with nothing pending for idle_timeout_ms (< 0: never). `*out` is
 * owned by the caller; free with rt_merge_free. */
int rt_merge_new(int64_t idle_timeout_ms, rt_merge **out, eddy_err *err);

/* Frees a merge. NULL is a no-op. */
void rt_merge_free(rt_merge *m);

/* Adds a live lane whose records all have arrival >= floor_ms, ordered among
 * equal arrivals by `tie`. Returns the lane number (>= 0) or EDDY_E_NOMEM. */
int rt_merge_lane_add(rt_merge *m, int64_t tie, int64_t floor_ms, eddy_err *err);

/* Feeds `n` records of a lane (borrowed; in sequence order; n may be 0) that
 * were fetched with the clock at `checked_ms` just before the fetch; at_tip is
 * 1 when the fetch reached the shard's tip. Only allowed when the lane has
 * nothing pending and is not finished. This function can't fail. */
void rt_merge_feed(rt_merge *m, int lane, const store_record *recs, size_t n, int at_tip,
                   int64_t checked_ms);

/* Records fed to a lane and not emitted yet. */
size_t rt_merge_pending(const rt_merge *m, int lane);

/* Declares that no more records will be fed to a lane (end of shard, or the
 * end of a drain). It stops being live once its pending records are out. */
void rt_merge_finish(rt_merge *m, int lane);

/* 1 when a lane is finished and has delivered everything it was fed. */
int rt_merge_lane_done(const rt_merge *m, int lane);

/* The last record a lane delivered: returns 1 and fills seq and arrival, or 0
 * when it has delivered none. Either out-pointer may be NULL. */
int rt_merge_lane_last(const rt_merge *m, int lane, store_seq *seq, int64_t *arrival_ms);

/* The first record a lane delivered, likewise. */
int rt_merge_lane_first(const rt_merge *m, int lane, store_seq *seq, int64_t *arrival_ms);

/* The arrival time a lane's next record cannot be below (its floor or its
 * last delivered arrival). Used to give a child shard its parents' floor. */
int64_t rt_merge_lane_floor(const rt_merge *m, int lane);

/* Emits up to `cap` records into `out` in key order, with `now` (the source's
 * clock) deciding which lanes are idle; sets *n_out and returns why it
 * stopped. When it returns RT_MERGE_LANE_DONE, *done_lane names the lane. */
rt_merge_status rt_merge_run(rt_merge *m, int64_t now, rt_record *out, size_t cap,
                             size_t *n_out, int *done_lane);

/* The current watermark (see above); non-decreasing across calls. Before any
 * lane constrains time it is INT64_MIN. */
int64_t rt_merge_watermark(rt_merge *m, int64_t now);

/* Number of live lanes (not yet done). */
size_t rt_merge_live(const rt_merge *m);

#endif
