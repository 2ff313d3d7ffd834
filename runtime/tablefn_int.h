/*
 * tablefn_int.h — private to runtime/: the table functions of
 * FROM TABLE(fn(CURSOR(SELECT STREAM ...), args...)) (SQL.md §6.1, §6.2).
 * op_tablefn.c picks the implementation by the function's name and holds
 * what they share; each op_tf_*.c is one family.
 */
#ifndef RT_TABLEFN_INT_H
#define RT_TABLEFN_INT_H

#include "op.h"

/* Constant integer argument k of the call (1 = the first after the
 * cursor), evaluated once and checked against its range in the function's
 * signature (udf_int_range, the planner's too). An absent (optional)
 * argument gives `def`. Errors name the argument and carry its span. */
int rt_tf_arg_int(rt_op *op, arena *a, uint32_t k, int64_t def, int64_t *out, eddy_err *err);
/* A DOUBLE argument that must be given and > 0. */
int rt_tf_arg_double(rt_op *op, arena *a, uint32_t k, const char *what, double *out, eddy_err *err);
int rt_tf_arg_bool(rt_op *op, arena *a, uint32_t k, int def, int *out, eddy_err *err);
/* Strings are copied into `a`. */
int rt_tf_arg_str(rt_op *op, arena *a, uint32_t k, const char **out, eddy_err *err);

/* The plan expression of argument k (1 = the first after the cursor), or
 * NULL when it was not given: for error spans. */
const plan_expr *rt_tf_arg_expr(const rt_op *op, uint32_t k);

int rt_tf_topk_init(rt_op *op, arena *a, eddy_err *err);       /* TOP_K_ITEMS_TUMBLING */
int rt_tf_distinct_init(rt_op *op, arena *a, eddy_err *err);   /* COUNT_DISTINCT_ITEMS_TUMBLING */
int rt_tf_rank_init(rt_op *op, arena *a, eddy_err *err);       /* GROUP_RANK */
int rt_tf_rcf_init(rt_op *op, arena *a, int explain, eddy_err *err);  /* RANDOM_CUT_FOREST[_WITH_EXPLANATION] */
int rt_tf_hotspots_init(rt_op *op, arena *a, eddy_err *err);   /* HOTSPOTS */

#endif
