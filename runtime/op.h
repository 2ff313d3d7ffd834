/*
 * op.h — the operator interface of running pipelines.
 *
 * A pipeline is a chain of operators built from a physical plan (plan.h),
 * bottom to top. Batches are pushed upward: an operator's push() takes a
 * borrowed batch, does its work and hands any output batch to the next
 * operator with rt_op_emit(). Stateful operators (windows) also react to
 * time: watermark() tells them that no row with a smaller ROWTIME will come,
 * so windows that end at or before it can be emitted; finish() closes
 * everything (end of input with --drain).
 *
 * Rows that fail at run time (division by zero, overflow, bad cast) never
 * stop the pipeline: the operator reports them with rt_op_row_error() and the
 * application routes them to error_stream.
 */
#ifndef RT_OP_H
#define RT_OP_H

#include <stdint.h>

#include "arena.h"
#include "batch.h"
#include "eddy_err.h"
#include "expr.h"
#include "plan.h"

typedef struct rt_op rt_op;

/* Where row errors go: one per application (error_stream). */
typedef struct rt_error_sink {
    /* Called once per failed row: the input batch and row, the error name and
     * message, and the pump that raised it (may be NULL). */
    void (*row_error)(void *ctx, const rt_batch *b, uint32_t r, const char *name,
                      const char *msg, const char *pump);
    void *ctx;
} rt_error_sink;

typedef struct rt_op_vt {
    const char *name;
    /* Processes a borrowed batch. Returns 0 or a negative code (whole-pipeline
     * failure such as out of memory; row errors are not failures). */
    int (*push)(rt_op *op, const rt_batch *b, eddy_err *err);
    /* No row with ROWTIME < wm will come. May emit. NULL = just forward. */
    int (*watermark)(rt_op *op, int64_t wm, eddy_err *err);
    /* End of input: emit every open window. NULL = just forward. */
    int (*finish)(rt_op *op, eddy_err *err);
    /* Releases the operator's own resources. */
    void (*end)(rt_op *op);
    /* Operators that change what ROWTIME means (promotion, T-sort) turn the
     * incoming watermark into one for their output; NULL = unchanged. */
    int64_t (*map_watermark)(rt_op *op, int64_t wm);
} rt_op_vt;

struct rt_op {
    const rt_op_vt *vt;        /* private */
    const plan_node *node;     /* read-only: the plan node it runs */
    eddy_type *in_types;       /* read-only: input row types */
    uint32_t n_in;
    eddy_type *out_types;      /* read-only: output row types */
    uint32_t n_out;
    rt_op *next;               /* downstream operator, or NULL: then `sink` */
    int (*sink)(void *ctx, const rt_batch *b, eddy_err *err);
    void *sink_ctx;
    int (*sink_wm)(void *ctx, int64_t wm, eddy_err *err);  /* may be NULL */
    const rt_error_sink *errors;
    const char *pump;          /* pump name for error_stream, or NULL */
    rt_expr_env env;
    void *state;               /* operator-specific */
};

/* Creates the operator for plan node `n` (one of FILTER, PROJECT, TUMBLE_AGG,
 * SLIDE_AGG, STAGGER_AGG, TSORT, DISTINCT, ROWTIME, PUMP; other kinds give
 * EDDY_E_UNSUPPORTED with the node's span). in_types/n_in describe its
 * input rows. Memory comes from `a` and from resources released by
 * rt_op_end. */
int rt_op_new(const plan_node *n, const eddy_type *in_types, uint32_t n_in,
              const rt_expr_env *env, const rt_error_sink *errors, const char *pump,
              arena *a, rt_op **out, eddy_err *err);

/* Hands a batch to the operator's downstream. */
int rt_op_emit(rt_op *op, const rt_batch *b, eddy_err *err);

/* Forwards a watermark / finish down the chain, through each operator. */
int rt_op_watermark(rt_op *op, int64_t wm, eddy_err *err);
int rt_op_finish(rt_op *op, eddy_err *err);

/* Releases this operator and every operator after it. */
void rt_op_end_chain(rt_op *op);

/* Reports a row error to the application's error sink. */
void rt_op_row_error(rt_op *op, const rt_batch *b, uint32_t r, const char *name, const char *msg);

/* Appends row r of result vector v to row `dr` column `dc` of `dst`
 * (copying strings). Returns 0 or EDDY_E_NOMEM. */
int rt_vec_to_batch(const rt_vec *v, uint32_t r, rt_batch *dst, uint32_t dc, uint32_t dr);

/* Appends row r of `src` to `dst` (same column types, room for one row),
 * keeping its ROWTIME. Returns 0 or EDDY_E_NOMEM. */
int rt_batch_copy_row(rt_batch *dst, const rt_batch *src, uint32_t r);

/* Output types of a plan node's schema, allocated in `a`. */
eddy_type *rt_schema_types(const plan_schema *s, arena *a);

/* Operator constructors (op_*.c). */
int rt_op_filter_init(rt_op *op, arena *a, eddy_err *err);
int rt_op_project_init(rt_op *op, arena *a, eddy_err *err);
int rt_op_tumble_init(rt_op *op, arena *a, eddy_err *err);
int rt_op_rowtime_init(rt_op *op, arena *a, eddy_err *err);
int rt_op_slide_init(rt_op *op, arena *a, eddy_err *err);
int rt_op_stagger_init(rt_op *op, arena *a, eddy_err *err);
int rt_op_tsort_init(rt_op *op, arena *a, eddy_err *err);
int rt_op_distinct_init(rt_op *op, arena *a, eddy_err *err);

#endif
