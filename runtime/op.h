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

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "batch.h"
#include "sbuf.h"
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
    /* For checkpoints (app.c): 0 when no rows are held in the operator's
     * state; 1 with *from = a ROWTIME at or below every input row its state
     * was built from, so that pushing the input again from *from on
     * rebuilds it; -1 when no such time exists. NULL = not supported. */
    int (*horizon)(rt_op *op, int64_t *from);
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
    /* Called once the chain has finished (rt_op_finish reached the end);
     * may be NULL. Lets a chain feeding one input of a join tell it so. */
    int (*sink_finish)(void *ctx, eddy_err *err);
    const rt_error_sink *errors;
    const char *pump;          /* pump name for error_stream, or NULL */
    rt_expr_env env;
    void *state;               /* operator-specific */
    size_t state_bytes;        /* read-only: memory of open windows, kept by
                                  windowed operators for /metrics (0 else) */
    /* Multi-input operators only (n_sides > 1; 0 otherwise): each input's
     * watermark and whether it has finished. in_types then holds the
     * inputs' columns one after the other (left then right for joins). */
    uint32_t n_sides;
    /* A batch from input `side` (0 = left/first); set by the operator's
     * init (kept out of rt_op_vt so one-input operators need no change).
     * Their vt push is NULL: rows reach them only through rt_op_push_side. */
    int (*push_side)(rt_op *op, uint32_t side, const rt_batch *b, eddy_err *err);
    int64_t *side_wm;
    uint8_t *side_done;
    int64_t wm_out;            /* the last watermark forwarded (min over sides) */
    /* After a restart from a checkpoint (app.c): while *replaying is set,
     * rows are records read again, and a TUMBLE_AGG takes those with
     * ROWTIME >= replay_floor only (its open window's; the others were in
     * windows written before). A STAGGER_AGG takes those its replay lines
     * name (replay_floor INT64_MAX), or all of them (INT64_MIN: a window
     * the checkpoint did not know). NULL = never replaying. */
    const int *replaying;
    int64_t replay_floor;
    /* Operators whose records read again need more than a floor (stagger
     * windows: which keys had a window open, since when) save it at a
     * checkpoint as lines of text (appended to `out`, each ending in '\n'):
     * the windows open now when `open_too`, and those the lines it loaded
     * name when `carried` (records up to the marks are still being read
     * again); *oldest gets the earliest time a line names (INT64_MAX:
     * none). They load them, one call per line, before running. NULL =
     * nothing to save. */
    int (*replay_save)(rt_op *op, int open_too, int carried, sbuf *out, int64_t *oldest);
    int (*replay_load)(rt_op *op, const char *line, eddy_err *err);
};

/* Creates the operator for plan node `n` (one of FILTER, PROJECT, TUMBLE_AGG,
 * SLIDE_AGG, STAGGER_AGG, TSORT, DISTINCT, ROWTIME, STREAM_JOIN, TABLE_JOIN,
 * UNION, TABLE_FUNC; other kinds give
 * EDDY_E_UNSUPPORTED with the node's span). in_types/n_in describe its
 * input rows. Memory comes from `a` and from resources released by
 * rt_op_end. */
int rt_op_new(const plan_node *n, const eddy_type *in_types, uint32_t n_in,
              const rt_expr_env *env, const rt_error_sink *errors, const char *pump,
              arena *a, rt_op **out, eddy_err *err);

/* Multi-input operators: a batch, a watermark, the end of one input.
 * The operator's own watermark is the minimum over its inputs (a finished
 * input counts as +infinity); when it advances it is forwarded with
 * rt_op_watermark. Once every input has finished, rt_op_finish runs. */
int rt_op_push_side(rt_op *op, uint32_t side, const rt_batch *b, eddy_err *err);
int rt_op_watermark_side(rt_op *op, uint32_t side, int64_t wm, eddy_err *err);
int rt_op_finish_side(rt_op *op, uint32_t side, eddy_err *err);

/* Hands a batch to the operator's downstream. */
int rt_op_emit(rt_op *op, const rt_batch *b, eddy_err *err);

/* Whether an expression reads no column: only ROWTIME (or
 * APPROXIMATE_ARRIVAL_TIME) and constants, so that evaluating it on a row
 * whose columns are all NULL at a chosen ROWTIME gives its value at that
 * time (windows probe their time keys this way). */
int rt_plan_expr_time_only(const plan_expr *e);

/* Evaluates x (compiled over probe's columns) on one row of `probe` whose
 * columns are NULL and whose ROWTIME is t: the value of a time-only
 * expression at t. Returns 0 with *out set, or -1 when it is NULL or
 * fails there. *out's strings live until the next evaluation of x. */
int rt_op_probe(rt_expr *x, rt_batch *probe, int64_t t, eddy_value *out);

/* Forwards a watermark / finish down the chain, through each operator; at
 * the end of the chain, to sink_wm / sink_finish. */
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
int rt_op_order_init(rt_op *op, arena *a, eddy_err *err);       /* ORDER BY with a monotonic lead */
int rt_op_distinct_init(rt_op *op, arena *a, eddy_err *err);
int rt_op_join_init(rt_op *op, arena *a, eddy_err *err);        /* STREAM_JOIN */
int rt_op_table_join_init(rt_op *op, arena *a, eddy_err *err);  /* TABLE_JOIN: push_side(1) loads the table */
int rt_op_union_init(rt_op *op, arena *a, eddy_err *err);
int rt_op_table_func_init(rt_op *op, arena *a, eddy_err *err);  /* TABLE(fn(CURSOR(...), ...)) */

/* Rows a join (STREAM_JOIN / TABLE_JOIN) holds for input `side`: its window
 * plus rows waiting for the other input's watermark. For tests and stats. */
size_t rt_op_join_buffered(const rt_op *op, uint32_t side);

#endif
