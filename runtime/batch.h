/*
 * batch.h — row batches: the unit of data every runtime operator pushes.
 *
 * A batch holds up to RT_BATCH_CAP rows as column vectors (DuckDB's
 * DataChunk, STYLE.md lesson 15): per column a validity bitmap and one typed
 * data array chosen by the column's physical class (int64, double or string
 * view), plus the ROWTIME column every stream row carries, plus an optional
 * selection vector naming the live rows (a filter narrows the selection
 * instead of copying rows). String bytes live in the batch's own arena and
 * die with the batch.
 *
 * Sharing: a batch is reference counted. rt_batch_ref() hands out another
 * read-only reference (fan-out to two pumps); rt_batch_move() transfers the
 * caller's only reference and NULLs the caller's pointer. A batch may be
 * written only while its reference count is 1.
 *
 * Used by decode/encode, aggregates and window state in runtime/, and later
 * by every op_*.c operator.
 */
#ifndef RT_BATCH_H
#define RT_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "eddy_err.h"
#include "eddy_types.h"

/* Rows per batch; a power of two so bitmaps are whole words. */
#define RT_BATCH_CAP 1024u
#define RT_BATCH_WORDS (RT_BATCH_CAP / 64u)

/* Physical storage class of a SQL type (see eddy_types.h). */
typedef enum {
    RT_PHYS_I64 = 0,  /* BOOLEAN, integers, DECIMAL, DATE, TIME, TIMESTAMP, INTERVAL */
    RT_PHYS_F64,      /* REAL, DOUBLE */
    RT_PHYS_STR       /* CHAR, VARCHAR, BINARY, VARBINARY */
} rt_phys;

/* A string value: a view of `n` bytes, not NUL-terminated. */
typedef struct rt_str {
    const char *p;
    uint32_t n;
} rt_str;

typedef struct rt_column {
    eddy_type type;    /* read-only: SQL type */
    rt_phys phys;      /* read-only: storage class of `type` */
    uint64_t *valid;   /* bit r set = row r is not NULL */
    union {
        int64_t *i64;
        double *f64;
        rt_str *str;
    } v;               /* data array of RT_BATCH_CAP entries; undefined where NULL */
} rt_column;

typedef struct rt_batch {
    uint32_t n_cols;      /* read-only */
    uint32_t n_rows;      /* rows filled, 0..RT_BATCH_CAP; rows are appended in order */
    uint32_t n_sel;       /* number of live rows when has_sel */
    int has_sel;          /* 0: rows 0..n_rows-1 are all live; 1: sel[0..n_sel) are */
    uint16_t *sel;        /* selection vector, ascending row indices */
    int64_t *rowtime;     /* ROWTIME of each row, epoch ms */
    rt_column *cols;      /* n_cols columns */
    arena strings;        /* owns string bytes of this batch */
    int refcnt;           /* private */
} rt_batch;

/* Storage class of a type. This function can't fail. */
rt_phys rt_phys_of(eddy_type_id id);

/* Creates an empty batch with the given column types (borrowed; copied).
 * Returns the batch (owned by caller; release with rt_batch_release) or NULL
 * with err set (EDDY_E_NOMEM). n_cols may be 0 (a batch of ROWTIMEs). */
rt_batch *rt_batch_new(const eddy_type *types, uint32_t n_cols, eddy_err *err);

/* Adds a reference to `b` and returns it; both holders may only read. */
rt_batch *rt_batch_ref(rt_batch *b);

/* Transfers the reference held in *pb to the caller: returns *pb and sets
 * *pb = NULL, so the old owner can no longer touch it. */
rt_batch *rt_batch_move(rt_batch **pb);

/* Drops one reference; frees the batch when it was the last. NULL is a no-op. */
void rt_batch_release(rt_batch *b);

/* Empties a batch for reuse (rows, selection and string arena). The caller
 * must hold the only reference. */
void rt_batch_reset(rt_batch *b);

/* Rows that can still be appended. */
static inline uint32_t rt_batch_room(const rt_batch *b) { return RT_BATCH_CAP - b->n_rows; }

/* Number of live rows (the selection size, or n_rows without selection). */
static inline uint32_t rt_batch_live(const rt_batch *b) { return b->has_sel ? b->n_sel : b->n_rows; }

/* Row index of the i-th live row. */
static inline uint32_t rt_batch_row(const rt_batch *b, uint32_t i) { return b->has_sel ? b->sel[i] : i; }

static inline int rt_col_is_null(const rt_column *c, uint32_t r) {
    return !((c->valid[r >> 6] >> (r & 63)) & 1u);
}
static inline void rt_col_set_valid(rt_column *c, uint32_t r) { c->valid[r >> 6] |= (uint64_t)1 << (r & 63); }
static inline void rt_col_set_null(rt_column *c, uint32_t r) { c->valid[r >> 6] &= ~((uint64_t)1 << (r & 63)); }

/* Starts a new row at index n_rows with every column NULL and the given
 * ROWTIME; returns its index. The caller then sets values and finally calls
 * rt_batch_commit_row(). Precondition: rt_batch_room(b) > 0. */
uint32_t rt_batch_begin_row(rt_batch *b, int64_t rowtime);

/* Makes the row begun last part of the batch. */
static inline void rt_batch_commit_row(rt_batch *b) { b->n_rows++; }

/* Setters for row r of column c (they mark the value valid). rt_batch_set_str
 * copies the bytes into the batch arena; returns 0 or EDDY_E_NOMEM. */
void rt_batch_set_i64(rt_batch *b, uint32_t c, uint32_t r, int64_t v);
void rt_batch_set_f64(rt_batch *b, uint32_t c, uint32_t r, double v);
int rt_batch_set_str(rt_batch *b, uint32_t c, uint32_t r, const char *p, size_t n);

/* Reads row r of column c as an eddy_value (strings borrowed from the batch). */
void rt_batch_get(const rt_batch *b, uint32_t c, uint32_t r, eddy_value *out);

/* Copies the selected rows of `src` (all live rows) to the end of `dst`,
 * which must have the same column types and room. Strings are copied.
 * Returns 0, EDDY_E_LIMIT (no room) or EDDY_E_NOMEM. */
int rt_batch_append_live(rt_batch *dst, const rt_batch *src, eddy_err *err);

/* Checks a batch's invariants (counts, ascending selection, storage class
 * per type, integer ranges of narrow types, string views that have bytes and
 * fit their VARCHAR length). Returns 0 or
 * EDDY_E_INTERNAL with a message. Cheap enough for tests; operators call
 * it through RT_BATCH_VERIFY, which compiles away unless EDDY_DEBUG_CHECKS
 * or a debug build (!NDEBUG). */
int rt_batch_verify(const rt_batch *b, eddy_err *err);

#if defined(EDDY_DEBUG_CHECKS) || !defined(NDEBUG)
#define RT_BATCH_VERIFY(b)                                  \
    do {                                                    \
        eddy_err e_;                                        \
        eddy_err_clear(&e_);                                \
        if (rt_batch_verify((b), &e_) != 0) {               \
            fprintf(stderr, "batch_verify: %s\n", e_.msg);  \
            abort();                                        \
        }                                                   \
    } while (0)
#else
#define RT_BATCH_VERIFY(b) ((void)0)
#endif

#endif
