/*
 * agg_sigs.c — signatures of the aggregate and analytic functions (SQL.md
 * §6.1, §6.3, §6.8, §6.9). Only signatures: implementations are attached by
 * the runtime with udf_attach_aggregate() by the `specific` names below.
 * COUNT(*) is the zero-argument COUNT.
 */
#include "udf_int.h"

#define AGG .kind = UDF_AGGREGATE
#define AGG_FLAGS (UDF_F_DETERMINISTIC | UDF_F_NO_DISTINCT)

const udf_func udf__sigs_agg[] = {
    {.name = "COUNT", .specific = "COUNT_STAR", AGG, UDF_RETURNS(EDDY_T_BIGINT, 0, 0),
     .flags = AGG_FLAGS, .doc = "COUNT(*): number of rows"},
    {.name = "COUNT", .specific = "COUNT", AGG, UDF_ARGS(EDDY_T_ANY),
     UDF_RETURNS(EDDY_T_BIGINT, 0, 0), .flags = AGG_FLAGS, .doc = "number of non-NULL values"},
    {.name = "SUM", .specific = "SUM", AGG, UDF_ARGS(UDF_A_NUMERIC), .ret_rule = UDF_RET_SUM,
     .flags = AGG_FLAGS, .doc = "sum"},
    {.name = "AVG", .specific = "AVG", AGG, UDF_ARGS(UDF_A_NUMERIC), .ret_rule = UDF_RET_AVG,
     .flags = AGG_FLAGS, .doc = "average; integer input gives a truncated integer"},
    {.name = "MIN", .specific = "MIN", AGG, UDF_ARGS(UDF_A_COMPARABLE), UDF_RETURNS_ARG(0),
     .flags = AGG_FLAGS, .doc = "smallest value"},
    {.name = "MAX", .specific = "MAX", AGG, UDF_ARGS(UDF_A_COMPARABLE), UDF_RETURNS_ARG(0),
     .flags = AGG_FLAGS, .doc = "largest value"},
    {.name = "FIRST_VALUE", .specific = "FIRST_VALUE", AGG, UDF_ARGS(EDDY_T_ANY),
     UDF_RETURNS_ARG(0), .flags = AGG_FLAGS, .doc = "value of the first row of the window"},
    {.name = "LAST_VALUE", .specific = "LAST_VALUE", AGG, UDF_ARGS(EDDY_T_ANY),
     UDF_RETURNS_ARG(0), .flags = AGG_FLAGS, .doc = "value of the last row of the window"},
    {.name = "NTH_VALUE", .specific = "NTH_VALUE", AGG, UDF_ARGS(EDDY_T_ANY, UDF_A_INTEGER),
     UDF_RETURNS_ARG(0), .flags = AGG_FLAGS | UDF_F_OVER_ONLY,
     .doc = "value of the nth row of the window"},
    {.name = "LAG", .specific = "LAG", AGG, UDF_ARGS(EDDY_T_ANY, UDF_A_INTEGER, EDDY_T_ANY),
     .n_optional = 2, UDF_RETURNS_ARG(0), .flags = AGG_FLAGS | UDF_F_OVER_ONLY,
     .doc = "value N rows before the current row in the window"},
    {.name = "EXP_AVG", .specific = "EXP_AVG", AGG,
     UDF_ARGS(UDF_A_NUMERIC, EDDY_T_INTERVAL_DS), UDF_RETURNS(EDDY_T_DOUBLE, 0, 0),
     .flags = AGG_FLAGS | UDF_F_OVER_ONLY,
     .doc = "exponentially weighted average with the given half-life"},
    {.name = "STDDEV_POP", .specific = "STDDEV_POP", AGG, UDF_ARGS(UDF_A_NUMERIC),
     UDF_RETURNS(EDDY_T_DOUBLE, 0, 0), .flags = AGG_FLAGS, .doc = "population standard deviation"},
    {.name = "STDDEV_SAMP", .specific = "STDDEV_SAMP", AGG, UDF_ARGS(UDF_A_NUMERIC),
     UDF_RETURNS(EDDY_T_DOUBLE, 0, 0), .flags = AGG_FLAGS, .doc = "sample standard deviation"},
    {.name = "VAR_POP", .specific = "VAR_POP", AGG, UDF_ARGS(UDF_A_NUMERIC),
     UDF_RETURNS(EDDY_T_DOUBLE, 0, 0), .flags = AGG_FLAGS, .doc = "population variance"},
    {.name = "VAR_SAMP", .specific = "VAR_SAMP", AGG, UDF_ARGS(UDF_A_NUMERIC),
     UDF_RETURNS(EDDY_T_DOUBLE, 0, 0), .flags = AGG_FLAGS, .doc = "sample variance"},
    {.name = "ANY", .specific = "ANY", AGG, UDF_ARGS(EDDY_T_BOOLEAN),
     UDF_RETURNS(EDDY_T_BOOLEAN, 0, 0), .flags = AGG_FLAGS, .doc = "true if any value is true"},
    {.name = "EVERY", .specific = "EVERY", AGG, UDF_ARGS(EDDY_T_BOOLEAN),
     UDF_RETURNS(EDDY_T_BOOLEAN, 0, 0), .flags = AGG_FLAGS, .doc = "true if every value is true"},
};
const size_t udf__n_sigs_agg = sizeof udf__sigs_agg / sizeof udf__sigs_agg[0];
