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
    int32_t *col;      /* per output column: input column it copies as is, or -1 */
    int identity;      /* the select list is the input row itself */
} project_state;

/* Computed columns go row by row through the expression results; plain
 * column references copy the input's vectors whole (their strings stay in the
 * input batch's arena, alive for the whole push, which is as long as `out`
 * is used). The output keeps the input's row positions: failed rows leave
 * the selection instead of being compacted out. */
static int project_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    project_state *st = op->state;
    if (st->identity) return rt_op_emit(op, b, err);
    const rt_vec *vals[256];
    int any_bad = 0;
    memset(st->bad, 0, RT_BATCH_CAP);
    for (uint32_t k = 0; k < st->n; k++) {
        if (st->col[k] >= 0) continue;
        const rt_row_error *errs;
        uint32_t n_errs;
        int rc = rt_expr_eval(st->exprs[k], b, NULL, 0, &vals[k], &errs, &n_errs, err);
        if (rc != 0) return rc;
        for (uint32_t i = 0; i < n_errs; i++) {
            if (st->bad[errs[i].row]) continue;
            st->bad[errs[i].row] = 1;
            any_bad = 1;
            rt_op_row_error(op, b, errs[i].row, errs[i].name, errs[i].msg);
        }
    }
    rt_batch *o = st->out;
    rt_batch_reset(o);
    uint32_t n = b->n_rows, words = (n + 63) / 64, live = rt_batch_live(b);
    if (n == 0) return 0;
    memcpy(o->rowtime, b->rowtime, n * sizeof *o->rowtime);
    for (uint32_t k = 0; k < st->n; k++) {
        rt_column *dc = &o->cols[k];
        if (st->col[k] >= 0) {
            const rt_column *sc = &b->cols[st->col[k]];
            memcpy(dc->valid, sc->valid, words * sizeof *dc->valid);
            memcpy(dc->v.i64, sc->v.i64, n * (dc->phys == RT_PHYS_STR ? sizeof(rt_str) : 8));
            continue;
        }
        /* Rows outside the selection stay NULL so the batch has no stale values. */
        memset(dc->valid, 0, words * sizeof *dc->valid);
        const rt_vec *v = vals[k];
        for (uint32_t i = 0; i < live; i++) {
            uint32_t r = rt_batch_row(b, i);
            if (st->bad[r] || v->null[r]) continue;
            switch (v->phys) {
            case RT_PHYS_I64: dc->v.i64[r] = v->v.i64[r]; break;
            case RT_PHYS_F64: dc->v.f64[r] = v->v.f64[r]; break;
            case RT_PHYS_STR:
                if (rt_batch_set_str(o, k, r, v->v.str[r].p, v->v.str[r].n) != 0)
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                break;
            }
            rt_col_set_valid(dc, r);
        }
    }
    o->n_rows = n;
    if (b->has_sel || any_bad) {
        uint32_t m = 0;
        for (uint32_t i = 0; i < live; i++) {
            uint32_t r = rt_batch_row(b, i);
            if (!st->bad[r]) o->sel[m++] = (uint16_t)r;
        }
        o->has_sel = 1;
        o->n_sel = m;
    }
    return rt_op_emit(op, o, err);
}

static void project_end(rt_op *op) {
    project_state *st = op->state;
    for (uint32_t k = 0; k < st->n; k++) rt_expr_free(st->exprs[k]);
    rt_batch_release(st->out);
    free(st->bad);
}

static const rt_op_vt project_vt = {"PROJECT", project_push, NULL, NULL, project_end, NULL, NULL};

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
    /* A column reference whose output type is its input type is copied as
     * a vector; when every output column is the matching input column, rows
     * pass through untouched. */
    st->col = arena_calloc(a, sizeof(int32_t) * (st->n ? st->n : 1));
    if (!st->col) {
        project_end(op);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    st->identity = st->n == op->n_in;
    for (uint32_t k = 0; k < st->n; k++) {
        const plan_expr *e = op->node->u.project.exprs[k];
        st->col[k] = -1;
        if (e->kind == PX_COLUMN && e->u.col.index < op->n_in) {
            eddy_type it = op->in_types[e->u.col.index], ot = op->out_types[k];
            if (it.id == ot.id && it.scale == ot.scale && it.precision == ot.precision)
                st->col[k] = (int32_t)e->u.col.index;
        }
        if (st->col[k] != (int32_t)k) st->identity = 0;
    }
    st->bad = malloc(RT_BATCH_CAP);
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    if (!st->out || !st->bad) {
        project_end(op);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}
