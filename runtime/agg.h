/*
 * agg.h — aggregate kernels over fixed-size states.
 *
 * Every aggregate of the dialect (COUNT(*), COUNT, SUM, AVG, MIN, MAX,
 * FIRST_VALUE, LAST_VALUE, VAR_POP/SAMP, STDDEV_POP/SAMP, ANY, EVERY) is an rt_agg
 * resolved once per query for its argument type. Its state is a plain block
 * of state_size bytes (8-aligned) that lives wherever the caller keeps it:
 * in a group row of a hash table, in a sliding window's partition, in a
 * stagger window. The life cycle is PipelineDB's/PostgreSQL's:
 * init → step (many) [→ retract] [→ combine] → final → destroy.
 *
 * NULL handling is inside the kernels, as SQL says: COUNT(*) counts rows,
 * every other aggregate but FIRST_VALUE/LAST_VALUE (RESPECT NULLS) skips
 * NULL inputs, and an aggregate that saw no value is NULL (COUNT is 0).
 * Integer SUM/AVG accumulate exactly in 128 bits, so step never fails;
 * final reports a result that does not fit its type as a runtime error.
 *
 * Used by window_state.c and later by the aggregate operators in runtime/.
 */
#ifndef RT_AGG_H
#define RT_AGG_H

#include <stdint.h>

#include "batch.h"
#include "eddy_err.h"
#include "eddy_types.h"

typedef enum {
    RT_AGG_COUNT_STAR = 0,
    RT_AGG_COUNT,
    RT_AGG_SUM,
    RT_AGG_AVG,
    RT_AGG_MIN,
    RT_AGG_MAX,
    RT_AGG_FIRST_VALUE,
    RT_AGG_LAST_VALUE,
    RT_AGG_VAR_POP,
    RT_AGG_VAR_SAMP,
    RT_AGG_STDDEV_POP,
    RT_AGG_STDDEV_SAMP,
    RT_AGG_ANY,
    RT_AGG_EVERY,
    RT_AGG_EXP_AVG,   /* sliding windows only: needs each row's time (window_slide.c) */
    RT_AGG__COUNT
} rt_agg_kind;

/* One input value; which member is meaningful follows the argument's
 * storage class (rt_phys). */
typedef union rt_datum {
    int64_t i;
    double d;
    rt_str s;
} rt_datum;

typedef struct rt_agg rt_agg;

struct rt_agg {
    rt_agg_kind kind;     /* read-only */
    eddy_type in_type;    /* read-only: argument type (BIGINT for COUNT(*)) */
    eddy_type out_type;   /* read-only: result type */
    uint32_t state_size;  /* read-only: bytes of state, a multiple of 8 */
    int invertible;       /* read-only: retract is available and exact */
    int owns_memory;      /* read-only: states hold heap copies; call destroy */
    int64_t half_life_ms; /* EXP_AVG: set by the caller after rt_agg_resolve */
    int ignore_nulls;     /* FIRST/LAST_VALUE ... IGNORE NULLS: set by the caller */
    /* Sets a fresh state. Can't fail. */
    void (*init)(const rt_agg *a, void *st);
    /* Adds one value; v == NULL is SQL NULL. Returns 0 or EDDY_E_NOMEM
     * (string copies only). */
    int (*add)(const rt_agg *a, void *st, const rt_datum *v);
    /* Removes a value added earlier (invertible aggregates only, else NULL). */
    void (*retract)(const rt_agg *a, void *st, const rt_datum *v);
    /* Merges state `src` into `dst` (partials of panes or shards). Returns 0
     * or EDDY_E_NOMEM. For FIRST/LAST, src holds the later rows. */
    int (*combine)(const rt_agg *a, void *dst, const void *src);
    /* Writes the result to row r of column c of `out` (NULL when empty).
     * Returns 0, or EDDY_E_RUNTIME when the result does not fit out_type
     * ("integer overflow in SUM"), or EDDY_E_NOMEM. */
    int (*final)(const rt_agg *a, const void *st, rt_batch *out, uint32_t c, uint32_t r, eddy_err *err);
    /* Frees what the state owns (NULL when owns_memory is 0). */
    void (*destroy)(const rt_agg *a, void *st);
};

/* The kernel kind of an aggregate function by its SQL name (case-insensitive;
 * COUNT with no argument is COUNT(*)). Returns 0, or -1 for a function that
 * has no kernel here (LAG, NTH_VALUE are window-only and live in op_slide.c). */
int rt_agg_kind_lookup(const char *name, uint32_t n_args, rt_agg_kind *k);

/* SQL name of an aggregate kind ("STDDEV_SAMP"). */
const char *rt_agg_name(rt_agg_kind k);

/* Resolves the kernel of `kind` for argument type `in` (ignored for
 * COUNT(*)) into *out. Returns 0, or EDDY_E_SEMANTIC when the type does not
 * fit the aggregate (SUM of VARCHAR, MIN of BOOLEAN is allowed). */
int rt_agg_resolve(rt_agg_kind kind, eddy_type in, rt_agg *out, eddy_err *err);

/* Vectorised step: for each live row i of `b`, adds column `col` (NULL for
 * COUNT(*)) of that row to the state at states[i] + off, where states[i] is
 * the state block of the row's group (several rows may share a block).
 * Returns 0 or EDDY_E_NOMEM. */
int rt_agg_step_batch(const rt_agg *a, uint8_t *const *states, uint32_t off, const rt_batch *b,
                      const rt_column *col);

/* Reads row r of column `col` as a datum; returns NULL when it is NULL. */
static inline const rt_datum *rt_datum_of(const rt_column *col, uint32_t r, rt_datum *tmp) {
    if (rt_col_is_null(col, r)) return NULL;
    if (col->phys == RT_PHYS_STR) tmp->s = col->v.str[r];
    else if (col->phys == RT_PHYS_F64) tmp->d = col->v.f64[r];
    else tmp->i = col->v.i64[r];
    return tmp;
}

#endif
