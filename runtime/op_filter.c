/*
 * op_filter.c — FILTER: keeps the rows whose predicate is TRUE (WHERE,
 * HAVING). Rows whose predicate raises an error go to error_stream.
 *
 * Kept rows are not copied: the filter emits a view of its input batch — a
 * shallow copy of the batch header whose column arrays alias the input's
 * and whose selection vector names the kept rows. The view lives only for
 * the duration of push() (the input is borrowed), and every consumer reads
 * rows through the selection (rt_batch_live / rt_batch_row). The view's
 * string arena is the input's, so the filter never resets or frees it.
 *
 * INTERFACE: rt_op_filter_init (through rt_op_new).
 */
#include <string.h>

#include "op.h"

typedef struct filter_state {
    rt_expr *pred;
    rt_batch view;                  /* header of the emitted view; see above */
    uint16_t sel[RT_BATCH_CAP];     /* the view's selection vector */
    uint8_t bad[RT_BATCH_CAP];      /* rows whose predicate raised an error */
} filter_state;

static int filter_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    filter_state *st = op->state;
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs;
    int rc = rt_expr_eval(st->pred, b, NULL, 0, &v, &errs, &n_errs, err);
    if (rc != 0) return rc;
    for (uint32_t i = 0; i < n_errs; i++) {
        rt_op_row_error(op, b, errs[i].row, errs[i].name, errs[i].msg);
        st->bad[errs[i].row] = 1;
    }
    uint32_t live = rt_batch_live(b), m = 0;
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        st->sel[m] = (uint16_t)r;
        m += !v->null[r] && v->v.i64[r] && !st->bad[r];
    }
    for (uint32_t i = 0; i < n_errs; i++) st->bad[errs[i].row] = 0;
    /* Everything kept: the input itself is the output. */
    if (m == live) return rt_op_emit(op, b, err);
    st->view = *b;
    st->view.sel = st->sel;
    st->view.n_sel = m;
    st->view.has_sel = 1;
    /* The view counts as the one read-only reference this call borrows;
     * consumers get it const, so nobody can add or drop references, and it
     * is never released: it dies with this call. */
    st->view.refcnt = 1;
    RT_BATCH_VERIFY(&st->view);
    return rt_op_emit(op, &st->view, err);
}

static void filter_end(rt_op *op) {
    filter_state *st = op->state;
    rt_expr_free(st->pred);
    free(st);
}

static const rt_op_vt filter_vt = {"FILTER", filter_push, NULL, NULL, filter_end, NULL, NULL};

int rt_op_filter_init(rt_op *op, arena *a, eddy_err *err) {
    /* Heap, not arena: the state is ~3 KiB and released with the operator. */
    filter_state *st = calloc(1, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    int rc = rt_expr_compile(op->node->u.filter.pred, op->in_types, op->n_in, &op->env, a, &st->pred, err);
    if (rc != 0) {
        free(st);
        return rc;
    }
    op->state = st;
    op->vt = &filter_vt;
    return 0;
}
