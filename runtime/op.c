/*
 * op.c — operator construction and the plumbing shared by all operators:
 * emitting downstream, forwarding time, routing row errors.
 */
#include "op.h"

#include <string.h>

eddy_type *rt_schema_types(const plan_schema *s, arena *a) {
    eddy_type *t = arena_alloc(a, sizeof(eddy_type) * (s->n_cols ? s->n_cols : 1));
    if (!t) return NULL;
    for (uint32_t i = 0; i < s->n_cols; i++) t[i] = s->cols[i].type;
    return t;
}

int rt_op_new(const plan_node *n, const eddy_type *in_types, uint32_t n_in,
              const rt_expr_env *env, const rt_error_sink *errors, const char *pump,
              arena *a, rt_op **out, eddy_err *err) {
    rt_op *op = arena_calloc(a, sizeof *op);
    if (!op) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    op->node = n;
    op->in_types = arena_alloc(a, sizeof(eddy_type) * (n_in ? n_in : 1));
    if (!op->in_types) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    if (n_in) memcpy(op->in_types, in_types, sizeof(eddy_type) * n_in);
    op->n_in = n_in;
    op->out_types = rt_schema_types(&n->out, a);
    if (!op->out_types) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    op->n_out = n->out.n_cols;
    op->errors = errors;
    op->pump = pump;
    if (env) op->env = *env;
    op->wm_out = INT64_MIN;
    if (n->kind == PLAN_STREAM_JOIN || n->kind == PLAN_TABLE_JOIN || n->kind == PLAN_UNION) {
        op->n_sides = n->n_inputs;
        op->side_wm = arena_alloc(a, sizeof(int64_t) * (n->n_inputs ? n->n_inputs : 1));
        op->side_done = arena_calloc(a, n->n_inputs ? n->n_inputs : 1);
        if (!op->side_wm || !op->side_done) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        for (uint32_t i = 0; i < n->n_inputs; i++) op->side_wm[i] = INT64_MIN;
    }
    int rc;
    switch (n->kind) {
    case PLAN_FILTER: rc = rt_op_filter_init(op, a, err); break;
    case PLAN_PROJECT: rc = rt_op_project_init(op, a, err); break;
    case PLAN_TUMBLE_AGG: rc = rt_op_tumble_init(op, a, err); break;
    case PLAN_ROWTIME: rc = rt_op_rowtime_init(op, a, err); break;
    case PLAN_SLIDE_AGG: rc = rt_op_slide_init(op, a, err); break;
    case PLAN_STAGGER_AGG: rc = rt_op_stagger_init(op, a, err); break;
    case PLAN_TSORT: rc = rt_op_tsort_init(op, a, err); break;
    case PLAN_ORDER: rc = rt_op_order_init(op, a, err); break;
    case PLAN_DISTINCT: rc = rt_op_distinct_init(op, a, err); break;
    case PLAN_STREAM_JOIN: rc = rt_op_join_init(op, a, err); break;
    case PLAN_TABLE_JOIN: rc = rt_op_table_join_init(op, a, err); break;
    case PLAN_UNION: rc = rt_op_union_init(op, a, err); break;
    case PLAN_TABLE_FUNC: rc = rt_op_table_func_init(op, a, err); break;
    default:
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len,
                               "%s is not supported by the runtime yet", plan_kind_name(n->kind));
    }
    if (rc != 0) return rc;
    *out = op;
    return 0;
}

int rt_plan_expr_time_only(const plan_expr *e) {
    if (!e) return 1;
    switch (e->kind) {
    case PX_LITERAL:
    case PX_ROWTIME: return 1;
    case PX_COLUMN: return 0;
    case PX_OP: return rt_plan_expr_time_only(e->u.op.args[0]) && (e->u.op.n_args < 2 || rt_plan_expr_time_only(e->u.op.args[1]));
    case PX_CAST: return rt_plan_expr_time_only(e->u.cast.arg);
    case PX_CALL:
        for (uint32_t i = 0; i < e->u.call.n_args; i++)
            if (!rt_plan_expr_time_only(e->u.call.args[i])) return 0;
        return 1;
    case PX_CASE:
        for (uint32_t i = 0; i < e->u.case_.n_whens; i++)
            if (!rt_plan_expr_time_only(e->u.case_.whens[i]) || !rt_plan_expr_time_only(e->u.case_.thens[i])) return 0;
        return rt_plan_expr_time_only(e->u.case_.else_);
    case PX_LIKE:
        return rt_plan_expr_time_only(e->u.like.arg) && rt_plan_expr_time_only(e->u.like.pattern) &&
               rt_plan_expr_time_only(e->u.like.escape);
    case PX_IN_LIST:
        if (!rt_plan_expr_time_only(e->u.in.arg)) return 0;
        for (uint32_t i = 0; i < e->u.in.n_list; i++)
            if (!rt_plan_expr_time_only(e->u.in.list[i])) return 0;
        return 1;
    }
    return 0;
}

int rt_op_probe(rt_expr *x, rt_batch *probe, int64_t t, eddy_value *out) {
    rt_batch_reset(probe);
    rt_batch_begin_row(probe, t);
    rt_batch_commit_row(probe);
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs;
    eddy_err e;
    eddy_err_clear(&e);
    if (rt_expr_eval(x, probe, NULL, 0, &v, &errs, &n_errs, &e) != 0 || n_errs || v->null[0]) return -1;
    rt_vec_get(v, 0, out);
    return 0;
}

int rt_op_emit(rt_op *op, const rt_batch *b, eddy_err *err) {
    if (rt_batch_live(b) == 0) return 0;
    if (op->next) return op->next->vt->push(op->next, b, err);
    if (op->sink) return op->sink(op->sink_ctx, b, err);
    return 0;
}

int rt_op_watermark(rt_op *op, int64_t wm, eddy_err *err) {
    for (rt_op *o = op; o; o = o->next) {
        if (o->vt->watermark) {
            int rc = o->vt->watermark(o, wm, err);
            if (rc != 0) return rc;
        }
        if (o->vt->map_watermark) wm = o->vt->map_watermark(o, wm);
        if (!o->next && o->sink_wm) return o->sink_wm(o->sink_ctx, wm, err);
    }
    return 0;
}

int rt_op_finish(rt_op *op, eddy_err *err) {
    for (rt_op *o = op; o; o = o->next) {
        if (o->vt->finish) {
            int rc = o->vt->finish(o, err);
            if (rc != 0) return rc;
        }
        if (!o->next && o->sink_finish) return o->sink_finish(o->sink_ctx, err);
    }
    return 0;
}

int rt_op_push_side(rt_op *op, uint32_t side, const rt_batch *b, eddy_err *err) {
    if (side >= op->n_sides || !op->push_side)
        return eddy_err_set(err, EDDY_E_INTERNAL, "%s has no input %u", op->vt->name, side);
    if (rt_batch_live(b) == 0) return 0;
    return op->push_side(op, side, b, err);
}

int rt_op_watermark_side(rt_op *op, uint32_t side, int64_t wm, eddy_err *err) {
    if (side >= op->n_sides) return eddy_err_set(err, EDDY_E_INTERNAL, "%s has no input %u", op->vt->name, side);
    if (wm <= op->side_wm[side]) return 0;
    op->side_wm[side] = wm;
    int64_t m = INT64_MAX;
    for (uint32_t i = 0; i < op->n_sides; i++)
        if (op->side_wm[i] < m) m = op->side_wm[i];
    /* All inputs finished: rt_op_finish flushes, no watermark is needed. */
    if (m <= op->wm_out || m == INT64_MAX) return 0;
    op->wm_out = m;
    return rt_op_watermark(op, m, err);
}

int rt_op_finish_side(rt_op *op, uint32_t side, eddy_err *err) {
    if (side >= op->n_sides) return eddy_err_set(err, EDDY_E_INTERNAL, "%s has no input %u", op->vt->name, side);
    if (op->side_done[side]) return 0;
    op->side_done[side] = 1;
    uint32_t done = 0;
    for (uint32_t i = 0; i < op->n_sides; i++) done += op->side_done[i];
    if (done == op->n_sides) return rt_op_finish(op, err);
    return rt_op_watermark_side(op, side, INT64_MAX, err);
}

void rt_op_end_chain(rt_op *op) {
    while (op) {
        rt_op *next = op->next;
        if (op->vt && op->vt->end) op->vt->end(op);
        op = next;
    }
}

void rt_op_row_error(rt_op *op, const rt_batch *b, uint32_t r, const char *name, const char *msg) {
    if (op->errors && op->errors->row_error)
        op->errors->row_error(op->errors->ctx, b, r, name, msg, op->pump);
}

int rt_vec_to_batch(const rt_vec *v, uint32_t r, rt_batch *dst, uint32_t dc, uint32_t dr) {
    if (v->null[r]) {
        rt_col_set_null(&dst->cols[dc], dr);
        return 0;
    }
    switch (v->phys) {
    case RT_PHYS_I64: rt_batch_set_i64(dst, dc, dr, v->v.i64[r]); return 0;
    case RT_PHYS_F64: rt_batch_set_f64(dst, dc, dr, v->v.f64[r]); return 0;
    case RT_PHYS_STR: return rt_batch_set_str(dst, dc, dr, v->v.str[r].p, v->v.str[r].n);
    }
    return 0;
}

int rt_batch_copy_row(rt_batch *dst, const rt_batch *src, uint32_t r) {
    uint32_t d = rt_batch_begin_row(dst, src->rowtime[r]);
    for (uint32_t c = 0; c < src->n_cols; c++) {
        const rt_column *col = &src->cols[c];
        if (rt_col_is_null(col, r)) continue;
        switch (col->phys) {
        case RT_PHYS_I64: rt_batch_set_i64(dst, c, d, col->v.i64[r]); break;
        case RT_PHYS_F64: rt_batch_set_f64(dst, c, d, col->v.f64[r]); break;
        case RT_PHYS_STR:
            if (rt_batch_set_str(dst, c, d, col->v.str[r].p, col->v.str[r].n) != 0) return EDDY_E_NOMEM;
            break;
        }
    }
    rt_batch_commit_row(dst);
    return 0;
}
