/*
 * window_state.h — the state of the dialect's three window families,
 * independent of plans and operators (SQL.md §4):
 *
 *  - rt_group_table: the groups of one tumbling window (streaming GROUP BY):
 *    group keys → a flat block of aggregate states; emitted and cleared when
 *    the window closes, in order of first appearance (deterministic).
 *  - rt_slide: sliding windows (OVER (PARTITION BY … RANGE INTERVAL …
 *    PRECEDING | ROWS n PRECEDING)): per partition a FIFO of the rows in the
 *    window; one output row per input row; constant amortised work per row
 *    (subtract-on-evict for invertible aggregates, monotonic deques for
 *    MIN/MAX, FIFO ends for FIRST_VALUE/LAST_VALUE).
 *  - rt_stagger: stagger windows (WINDOWED BY STAGGER): one window per
 *    partition key, opened by its first row, closed at open + length.
 *
 * Aggregates are rt_agg kernels (agg.h) resolved by the caller; each reads
 * one input column (-1 for COUNT(*)). Used by the window operators in
 * runtime/ (op_window_*.c).
 */
#ifndef RT_WINDOW_STATE_H
#define RT_WINDOW_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "batch.h"
#include "eddy_err.h"

/* A string value kept past its batch (sliding-window FIFOs): one heap
 * block, its length then its bytes, held in an 8-byte slot. rt_str_keep
 * returns 0 when out of memory; rt_str_drop frees the block. */
static inline uint64_t rt_str_keep(rt_str s) {
    uint8_t *blk = malloc(4 + (size_t)s.n);
    if (!blk) return 0;
    memcpy(blk, &s.n, 4);
    if (s.n) memcpy(blk + 4, s.p, s.n);
    return (uint64_t)(uintptr_t)blk;
}

static inline rt_str rt_str_kept(uint64_t w) {
    rt_str s;
    memcpy(&s.n, (const void *)(uintptr_t)w, 4);
    s.p = (const char *)(uintptr_t)w + 4;
    return s;
}

static inline void rt_str_drop(uint64_t w) { free((void *)(uintptr_t)w); }

/* Called for an output row that could not be produced (e.g. SUM overflow
 * at final): the caller routes `e` to error_stream. `key_id` is the group
 * or partition id. */
typedef void (*rt_row_error_fn)(void *ud, uint32_t key_id, const eddy_err *e);

/* ---------------------------------------------------------------- tumbling groups */

typedef struct rt_group_table rt_group_table;

/* Input layout shared by the three families: key k is read from batch
 * column key_cols[k] and has type key_types[k]; aggregate a (aggs[a]) reads
 * column agg_cols[a], or nothing when agg_cols[a] is -1 (COUNT(*)). */
typedef struct rt_window_spec {
    const eddy_type *key_types;
    const uint32_t *key_cols;
    uint32_t n_keys;
    const rt_agg *aggs;
    const int32_t *agg_cols;
    uint32_t n_aggs;
} rt_window_spec;

/* Creates an empty group table for `spec` (borrowed; copied). Returns the
 * table (owned by caller) or NULL with err set. */
rt_group_table *rt_group_table_new(const rt_window_spec *spec, eddy_err *err);

/* Frees the table and what its states own. NULL is a no-op. */
void rt_group_table_free(rt_group_table *t);

/* Adds the live rows of `b` to their groups. Returns 0 or EDDY_E_NOMEM. */
int rt_group_table_step(rt_group_table *t, const rt_batch *b, eddy_err *err);

/* Number of open groups. */
uint32_t rt_group_table_size(const rt_group_table *t);

/* Writes groups *cursor, *cursor+1, … as rows of `out` (columns: the keys,
 * then one per aggregate, types matching) with ROWTIME `rowtime`, until
 * `out` is full or every group is written; advances *cursor (start at 0;
 * done when *cursor == rt_group_table_size). A group whose final fails
 * (EDDY_E_RUNTIME) is skipped and reported through on_err (may be NULL).
 * Returns the rows written, or EDDY_E_NOMEM. */
int rt_group_table_emit(rt_group_table *t, rt_batch *out, int64_t rowtime, uint32_t *cursor, rt_row_error_fn on_err,
                        void *ud, eddy_err *err);

/* Drops every group (after the emit), keeping memory for the next window. */
void rt_group_table_clear(rt_group_table *t);

/* Bytes the table holds: hash slots, group rows (keys + states), key strings. */
size_t rt_group_table_bytes(const rt_group_table *t);

/* ---------------------------------------------------------------- sliding */

typedef struct rt_slide rt_slide;

typedef struct rt_slide_frame {
    int rows;            /* 1: ROWS n PRECEDING; 0: RANGE on ROWTIME */
    int64_t range_ms;    /* RANGE: rows with ROWTIME >= t - range_ms are in (inclusive bound) */
    uint32_t n_rows;     /* ROWS: the current row and up to n_rows earlier ones */
} rt_slide_frame;

/* Creates sliding-window state partitioned by the spec's keys (n_keys may
 * be 0) over aggregates whose inputs have fixed-width types (string inputs
 * are EDDY_E_UNSUPPORTED for now). Returns the state or NULL with err set. */
rt_slide *rt_slide_new(const rt_window_spec *spec, rt_slide_frame frame, eddy_err *err);

void rt_slide_free(rt_slide *s);

/* For each live row of `in` (in order; ROWTIMEs non-decreasing within a
 * partition), adds the row to its partition's window, evicts rows that fell
 * out, and appends one row to `out` holding the n_aggs results (columns
 * out_col0 …, types = the aggregates' out_type; other columns NULL) with
 * the input's ROWTIME. `out` needs room for every live input row. A result
 * that cannot be produced is NULL and reported through on_err while its
 * row is being written (the row is out->n_rows then). Partitions of the
 * whole batch are looked up first. Returns the rows appended or
 * EDDY_E_LIMIT / EDDY_E_NOMEM / EDDY_E_INVAL (ROWTIME went backwards, or
 * `out` has fewer than out_col0 + n_aggs columns). */
int rt_slide_step(rt_slide *s, const rt_batch *in, rt_batch *out, uint32_t out_col0, rt_row_error_fn on_err,
                  void *ud, eddy_err *err);

/* Partitions, buffered rows, and bytes held (partitions + FIFOs + deques). */
void rt_slide_stats(const rt_slide *s, uint32_t *n_parts, uint64_t *n_rows, size_t *bytes);

/* The ROWTIME of the oldest row any partition's frame holds: 1 and *t, or
 * 0 when the window holds no row. O(partitions); for checkpoints. */
int rt_slide_oldest(const rt_slide *s, int64_t *t);

/* ---------------------------------------------------------------- stagger */

typedef struct rt_stagger rt_stagger;

/* Creates stagger-window state: one window per partition key, `length_ms`
 * long. Returns the state or NULL with err set. */
rt_stagger *rt_stagger_new(const rt_window_spec *spec, int64_t length_ms, eddy_err *err);

void rt_stagger_free(rt_stagger *s);

/* Adds the live rows of `b` (ROWTIMEs non-decreasing). A row whose key has
 * no window open at the row's ROWTIME (none yet, or the last one ends at or
 * before it) opens one there; windows are closed and emitted only by
 * rt_stagger_advance, so the caller may advance before or after a batch.
 * Returns 0 or EDDY_E_NOMEM / EDDY_E_INVAL (ROWTIME went backwards). */
int rt_stagger_step(rt_stagger *s, const rt_batch *b, eddy_err *err);

/* Closes windows whose end (open + length) is <= `watermark`, in order of
 * end (ties in order of opening), writing one row each to `out` (keys then
 * aggregates) with ROWTIME = end, until `out` is full. Returns the rows
 * written (call again while it returns a full batch), or EDDY_E_NOMEM. */
int rt_stagger_advance(rt_stagger *s, int64_t watermark, rt_batch *out, rt_row_error_fn on_err, void *ud,
                       eddy_err *err);

/* Open windows. */
uint32_t rt_stagger_open(const rt_stagger *s);

/* Keys remembered (at most about twice the open windows plus 1024). */
uint32_t rt_stagger_keys(const rt_stagger *s);

/* Bytes held by the open windows (keys and the window ring). */
size_t rt_stagger_bytes(const rt_stagger *s);

/* The open windows, oldest first: calls fn with each one's key hash
 * (rt_keymap_entry_hash64) and open time; stops at fn's first nonzero
 * return and returns it, else 0. */
int rt_stagger_each_open(const rt_stagger *s, int (*fn)(void *ctx, uint64_t key_hash, int64_t open), void *ctx);

/* The key map of the windows (for rt_keymap_row_hash64 over rows whose key
 * columns are 0..n_keys-1, as rt_stagger_step reads them). */
const struct rt_keymap *rt_stagger_keymap(const rt_stagger *s);

/* The oldest open window's open time: 1 and *open, or 0 when none is open. */
int rt_stagger_oldest(const rt_stagger *s, int64_t *open);

#endif
