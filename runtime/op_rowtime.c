/*
 * op_rowtime.c — ROWTIME: `SELECT STREAM expr AS ROWTIME` (SQL.md §3.1 use 3).
 *
 * Input column u.rowtime.col (a TIMESTAMP the projection below computed)
 * becomes each row's ROWTIME and is dropped from the row. ROWTIMEs of a
 * stream never go backwards, so a row whose new ROWTIME is older than the
 * previous row's, or NULL, goes to error_stream instead of downstream.
 *
 * INTERFACE: rt_op_rowtime_init (through rt_op_new).
 */
#include "op.h"

typedef struct rowtime_state {
    rt_batch *out;
    int64_t last;
    int any;
} rowtime_state;

static int rowtime_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    rowtime_state *st = op->state;
    uint32_t tc = op->node->u.rowtime.col;
    const rt_column *col = &b->cols[tc];
    rt_batch_reset(st->out);
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (rt_col_is_null(col, r)) {
            rt_op_row_error(op, b, r, "NULL_ROWTIME", "the expression promoted to ROWTIME is NULL");
            continue;
        }
        int64_t t = col->v.i64[r];
        if (st->any && t < st->last) {
            rt_op_row_error(op, b, r, "OUT_OF_ORDER", "ROWTIME went backwards (out of order)");
            continue;
        }
        st->any = 1;
        st->last = t;
        uint32_t d = rt_batch_begin_row(st->out, t);
        for (uint32_t c = 0, o = 0; c < b->n_cols; c++) {
            if (c == tc) continue;
            const rt_column *sc = &b->cols[c];
            if (!rt_col_is_null(sc, r)) {
                switch (sc->phys) {
                case RT_PHYS_I64: rt_batch_set_i64(st->out, o, d, sc->v.i64[r]); break;
                case RT_PHYS_F64: rt_batch_set_f64(st->out, o, d, sc->v.f64[r]); break;
                case RT_PHYS_STR:
                    if (rt_batch_set_str(st->out, o, d, sc->v.str[r].p, sc->v.str[r].n) != 0)
                        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                    break;
                }
            }
            o++;
        }
        rt_batch_commit_row(st->out);
    }
    return rt_op_emit(op, st->out, err);
}

static void rowtime_end(rt_op *op) {
    rowtime_state *st = op->state;
    rt_batch_release(st->out);
}

/* Upstream time (arrival) says nothing about the promoted column; what is
 * known is that no later row may go below the last promoted ROWTIME. */
static int64_t rowtime_map_wm(rt_op *op, int64_t wm) {
    const rowtime_state *st = op->state;
    (void)wm;
    return st->any ? st->last : INT64_MIN;
}

static const rt_op_vt rowtime_vt = {"ROWTIME", rowtime_push, NULL, NULL, rowtime_end, rowtime_map_wm, NULL};

int rt_op_rowtime_init(rt_op *op, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    uint32_t tc = n->u.rowtime.col;
    if (tc >= op->n_in || op->n_out + 1 != op->n_in)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "ROWTIME promotion of column %u of %u", tc,
                               op->n_in);
    eddy_type_id id = op->in_types[tc].id;
    if (id != EDDY_T_TIMESTAMP)
        return eddy_err_set_at(err, EDDY_E_SEMANTIC, n->off, n->len, "ROWTIME must be a TIMESTAMP, not %s",
                               eddy_type_name(id));
    for (uint32_t c = 0, o = 0; c < op->n_in; c++) {
        if (c == tc) continue;
        if (rt_phys_of(op->in_types[c].id) != rt_phys_of(op->out_types[o].id))
            return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len,
                                   "ROWTIME promotion: column %u changes storage class", c);
        o++;
    }
    rowtime_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    if (!st->out) return err ? err->code : EDDY_E_NOMEM;
    op->state = st;
    op->vt = &rowtime_vt;
    return 0;
}
