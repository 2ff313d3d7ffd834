/*
 * op_tablefn.c — TABLE_FUNC: the table functions applied to a CURSOR
 * (SQL.md §6.1, §6.2), picked by name, and what they share: their
 * constant arguments. The functions themselves are in
 * op_tf_tumble.c, op_tf_rank.c and op_tf_ml.c.
 *
 * INTERFACE: rt_op_table_func_init (through rt_op_new).
 */
#include "tablefn_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- arguments */

const plan_expr *rt_tf_arg_expr(const rt_op *op, uint32_t k) {
    const plan_node *n = op->node;
    return k >= 1 && k <= n->u.table_func.n_args ? n->u.table_func.args[k - 1] : NULL;
}

/* Evaluates argument k; *present = 0 when it was not given. */
static int eval_arg(rt_op *op, arena *a, uint32_t k, eddy_value *out, int *present, eddy_err *err) {
    const plan_expr *e = rt_tf_arg_expr(op, k);
    *present = e != NULL;
    out->is_null = 1;
    if (!e) return 0;
    rt_expr *x = NULL;
    int rc = rt_expr_compile(e, op->in_types, op->n_in, &op->env, a, &x, err);
    if (rc != 0) return rc;
    rt_batch *probe = rt_batch_new(op->in_types, op->n_in, err);
    if (!probe) {
        rt_expr_free(x);
        return err->code ? err->code : EDDY_E_NOMEM;
    }
    eddy_value v;
    if (rt_op_probe(x, probe, 0, &v) == 0) {
        *out = v;
        if ((v.type == EDDY_T_CHAR || v.type == EDDY_T_VARCHAR) &&
            !(out->u.s.p = arena_strndup(a, v.u.s.p, v.u.s.n)))
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    rt_batch_release(probe);
    rt_expr_free(x);
    return rc;
}

int rt_tf_arg_int(rt_op *op, arena *a, uint32_t k, int64_t def, int64_t *out, eddy_err *err) {
    const udf_func *fn = op->node->u.table_func.call.fn;
    const udf_int_range *rg = udf_int_range_of(fn, (int)k);
    if (!rg) return eddy_err_set(err, EDDY_E_INTERNAL, "argument %u of %s has no declared range", k, fn->name);
    eddy_value v;
    int present;
    int rc = eval_arg(op, a, k, &v, &present, err);
    if (rc != 0) return rc;
    if (!present) {
        *out = def;
        return 0;
    }
    int64_t hi = rg->hi, bound;
    if (rg->below_arg >= 0) {
        if ((rc = rt_tf_arg_int(op, a, (uint32_t)rg->below_arg, hi, &bound, err)) != 0) return rc;
        if (bound < hi) hi = bound;
    }
    const plan_expr *e = rt_tf_arg_expr(op, k);
    if (v.is_null || v.u.i < rg->lo || v.u.i > hi)
        return eddy_err_set_at(err, EDDY_E_SEMANTIC, e->off, e->len, "%s of %s must be from %lld to %lld", rg->what,
                               fn->name, (long long)rg->lo, (long long)hi);
    *out = v.u.i;
    return 0;
}

int rt_tf_arg_double(rt_op *op, arena *a, uint32_t k, const char *what, double *out, eddy_err *err) {
    eddy_value v;
    int present;
    int rc = eval_arg(op, a, k, &v, &present, err);
    if (rc != 0) return rc;
    const plan_expr *e = rt_tf_arg_expr(op, k);
    double d = v.is_null ? 0 : v.type == EDDY_T_DOUBLE || v.type == EDDY_T_REAL ? v.u.d : (double)v.u.i;
    if (!present || v.is_null || !(d > 0) || !isfinite(d))
        return eddy_err_set_at(err, EDDY_E_SEMANTIC, e ? e->off : op->node->off, e ? e->len : op->node->len,
                               "%s of %s must be a number greater than 0", what, op->node->u.table_func.call.fn->name);
    *out = d;
    return 0;
}

int rt_tf_arg_bool(rt_op *op, arena *a, uint32_t k, int def, int *out, eddy_err *err) {
    eddy_value v;
    int present;
    int rc = eval_arg(op, a, k, &v, &present, err);
    if (rc != 0) return rc;
    *out = !present || v.is_null ? def : v.u.i != 0;
    return 0;
}

int rt_tf_arg_str(rt_op *op, arena *a, uint32_t k, const char **out, eddy_err *err) {
    eddy_value v;
    int present;
    int rc = eval_arg(op, a, k, &v, &present, err);
    if (rc != 0) return rc;
    *out = present && !v.is_null ? v.u.s.p : NULL;
    return 0;
}

/* ---------------------------------------------------------------- dispatch */

int rt_op_table_func_init(rt_op *op, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    const char *s = n->u.table_func.call.fn->specific;
    if (!strcmp(s, "TOP_K_ITEMS_TUMBLING")) return rt_tf_topk_init(op, a, err);
    if (!strcmp(s, "COUNT_DISTINCT_ITEMS_TUMBLING")) return rt_tf_distinct_init(op, a, err);
    if (!strcmp(s, "GROUP_RANK")) return rt_tf_rank_init(op, a, err);
    if (!strcmp(s, "RANDOM_CUT_FOREST")) return rt_tf_rcf_init(op, a, 0, err);
    if (!strcmp(s, "RANDOM_CUT_FOREST_WITH_EXPLANATION")) return rt_tf_rcf_init(op, a, 1, err);
    if (!strcmp(s, "HOTSPOTS")) return rt_tf_hotspots_init(op, a, err);
    return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "table function %s is not supported yet",
                           n->u.table_func.call.fn->name);
}
