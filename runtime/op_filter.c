/*
 * op_filter.c — FILTER: keeps the rows whose predicate is TRUE (WHERE,
 * HAVING). Rows whose predicate raises an error go to error_stream.
 *
 * INTERFACE: rt_op_filter_init (through rt_op_new).
 */
#include "op.h"

typedef struct filter_state {
    rt_expr *pred;
    rt_batch *out;
} filter_state;

static int filter_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    filter_state *st = op->state;
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs;
    int rc = rt_expr_eval(st->pred, b, NULL, 0, &v, &errs, &n_errs, err);
    if (rc != 0) return rc;
    for (uint32_t i = 0; i < n_errs; i++) rt_op_row_error(op, b, errs[i].row, errs[i].name, errs[i].msg);
    rt_batch_reset(st->out);
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (v->null[r] || !v->v.i64[r]) continue;
        int bad = 0;
        for (uint32_t k = 0; k < n_errs && !bad; k++) bad = errs[k].row == r;
        if (bad) continue;
        if (rt_batch_copy_row(st->out, b, r) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return rt_op_emit(op, st->out, err);
}

static void filter_end(rt_op *op) {
    filter_state *st = op->state;
    rt_expr_free(st->pred);
    rt_batch_release(st->out);
}

static const rt_op_vt filter_vt = {"FILTER", filter_push, NULL, NULL, filter_end, NULL};

int rt_op_filter_init(rt_op *op, arena *a, eddy_err *err) {
    filter_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    int rc = rt_expr_compile(op->node->u.filter.pred, op->in_types, op->n_in, &op->env, a, &st->pred, err);
    if (rc != 0) return rc;
    st->out = rt_batch_new(op->in_types, op->n_in, err);
    if (!st->out) {
        rt_expr_free(st->pred);
        return err ? err->code : EDDY_E_NOMEM;
    }
    op->state = st;
    op->vt = &filter_vt;
    return 0;
}
