/*
 * op_project.c — PROJECT: computes the select list, one output row per input
 * row, keeping ROWTIME. A row any of whose expressions fails goes to
 * error_stream instead of downstream.
 *
 * INTERFACE: rt_op_project_init (through rt_op_new).
 */
#include "op.h"

#include <stdlib.h>
#include <string.h>

typedef struct project_state {
    rt_expr **exprs;
    uint32_t n;
    rt_batch *out;
    uint8_t *bad;      /* per input row: failed in some expression */
} project_state;

static int project_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    project_state *st = op->state;
    const rt_vec *vals[256];
    memset(st->bad, 0, RT_BATCH_CAP);
    for (uint32_t k = 0; k < st->n; k++) {
        const rt_row_error *errs;
        uint32_t n_errs;
        int rc = rt_expr_eval(st->exprs[k], b, NULL, 0, &vals[k], &errs, &n_errs, err);
        if (rc != 0) return rc;
        for (uint32_t i = 0; i < n_errs; i++) {
            if (st->bad[errs[i].row]) continue;
            st->bad[errs[i].row] = 1;
            rt_op_row_error(op, b, errs[i].row, errs[i].name, errs[i].msg);
        }
    }
    rt_batch_reset(st->out);
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (st->bad[r]) continue;
        uint32_t d = rt_batch_begin_row(st->out, b->rowtime[r]);
        for (uint32_t k = 0; k < st->n; k++)
            if (rt_vec_to_batch(vals[k], r, st->out, k, d) != 0)
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        rt_batch_commit_row(st->out);
    }
    return rt_op_emit(op, st->out, err);
}

static void project_end(rt_op *op) {
    project_state *st = op->state;
    for (uint32_t k = 0; k < st->n; k++) rt_expr_free(st->exprs[k]);
    rt_batch_release(st->out);
    free(st->bad);
}

static const rt_op_vt project_vt = {"PROJECT", project_push, NULL, NULL, project_end, NULL};

int rt_op_project_init(rt_op *op, arena *a, eddy_err *err) {
    project_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    st->n = op->n_out;
    if (st->n > 256) return eddy_err_set(err, EDDY_E_LIMIT, "more than 256 output columns");
    st->exprs = arena_calloc(a, sizeof(rt_expr *) * (st->n ? st->n : 1));
    if (!st->exprs) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    op->state = st;
    op->vt = &project_vt;
    for (uint32_t k = 0; k < st->n; k++) {
        int rc = rt_expr_compile(op->node->u.project.exprs[k], op->in_types, op->n_in, &op->env, a,
                                 &st->exprs[k], err);
        if (rc != 0) {
            st->n = k;
            project_end(op);
            return rc;
        }
    }
    st->bad = malloc(RT_BATCH_CAP);
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    if (!st->out || !st->bad) {
        project_end(op);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}
