/*
 * udf_int.h — private to udf/: the signature tables of each function family,
 * registered into the default registry by func_registry.c.
 */
#ifndef EDDY_UDF_INT_H
#define EDDY_UDF_INT_H

#include "udf.h"

extern const udf_func udf__sigs_string[];
extern const size_t udf__n_sigs_string;
extern const udf_func udf__sigs_math[];
extern const size_t udf__n_sigs_math;
extern const udf_func udf__sigs_time[];
extern const size_t udf__n_sigs_time;
extern const udf_func udf__sigs_agg[];
extern const size_t udf__n_sigs_agg;
extern const udf_func udf__sigs_table[];
extern const size_t udf__n_sigs_table;

/* Attaches the log parsers of fn_logparse.c (after the date functions,
 * whose SimpleDateFormat engine they reuse). Returns 0 or EDDY_E_NOTFOUND. */
int udf__attach_logparse(udf_registry *r, eddy_err *err);

/* Shorthands for the tables. */
#define UDF_ARGS(...)                                                           \
    .args = {__VA_ARGS__},                                                      \
    .n_args = (int)(sizeof((udf_argtype[]){__VA_ARGS__}) / sizeof(udf_argtype))
#define UDF_RETURNS(t, p, s) .ret_rule = UDF_RET_FIXED, .ret_type = {(t), (p), (s)}
#define UDF_RETURNS_ARG(k) .ret_rule = UDF_RET_ARG, .ret_arg = (k)
#define UDF_DET (UDF_F_DETERMINISTIC | UDF_F_STRICT)
#define UDF_COLS(arr) .out_cols = (arr), .n_out_cols = (int)(sizeof(arr) / sizeof((arr)[0]))

#endif
