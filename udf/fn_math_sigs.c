/*
 * fn_math_sigs.c — signatures of the numeric, null-handling and
 * monotonicity functions (SQL.md §6.6, §6.7, §6.9 MONOTONIC).
 * Only signatures: implementations are attached by the runtime by the
 * `specific` names below (udf_attach_scalar).
 */
#include "udf_int.h"

const udf_func udf__sigs_math[] = {
    {.name = "ABS", .specific = "ABS", UDF_ARGS(UDF_A_NUMERIC), UDF_RETURNS_ARG(0),
     .flags = UDF_DET, .doc = "absolute value"},
    {.name = "CEIL", .specific = "CEIL", UDF_ARGS(UDF_A_NUMERIC), UDF_RETURNS_ARG(0),
     .flags = UDF_DET | UDF_F_MONO_KEEP, .doc = "smallest integral value not less than x"},
    {.name = "CEILING", .specific = "CEILING", UDF_ARGS(UDF_A_NUMERIC), UDF_RETURNS_ARG(0),
     .flags = UDF_DET | UDF_F_MONO_KEEP, .doc = "same as CEIL"},
    {.name = "FLOOR", .specific = "FLOOR", UDF_ARGS(UDF_A_NUMERIC), UDF_RETURNS_ARG(0),
     .flags = UDF_DET | UDF_F_MONO_KEEP, .doc = "largest integral value not greater than x"},
    {.name = "EXP", .specific = "EXP", UDF_ARGS(EDDY_T_DOUBLE), UDF_RETURNS(EDDY_T_DOUBLE, 0, 0),
     .flags = UDF_DET, .doc = "e raised to x"},
    {.name = "LN", .specific = "LN", UDF_ARGS(EDDY_T_DOUBLE), UDF_RETURNS(EDDY_T_DOUBLE, 0, 0),
     .flags = UDF_DET, .doc = "natural logarithm"},
    {.name = "LOG10", .specific = "LOG10", UDF_ARGS(EDDY_T_DOUBLE),
     UDF_RETURNS(EDDY_T_DOUBLE, 0, 0), .flags = UDF_DET, .doc = "base-10 logarithm"},
    {.name = "POWER", .specific = "POWER", UDF_ARGS(EDDY_T_DOUBLE, EDDY_T_DOUBLE),
     UDF_RETURNS(EDDY_T_DOUBLE, 0, 0), .flags = UDF_DET, .doc = "x raised to y"},
    /* ROUND is not in the KDA reference; eddy has it because applications
     * ported from it wrote CAST(x * 100 AS INTEGER) / 100.0 instead. */
    {.name = "ROUND", .specific = "ROUND_EXACT", UDF_ARGS(UDF_A_EXACT, EDDY_T_INTEGER), .n_optional = 1,
     UDF_RETURNS_ARG(0), .flags = UDF_DET, .doc = "x rounded half away from zero to n decimals (default 0)"},
    {.name = "ROUND", .specific = "ROUND_DOUBLE", UDF_ARGS(EDDY_T_DOUBLE, EDDY_T_INTEGER), .n_optional = 1,
     UDF_RETURNS(EDDY_T_DOUBLE, 0, 0), .flags = UDF_DET, .doc = "x rounded half away from zero to n decimals (default 0)"},
    {.name = "MOD", .specific = "MOD", UDF_ARGS(UDF_A_EXACT, UDF_A_EXACT),
     .ret_rule = UDF_RET_COMMON, .flags = UDF_DET, .doc = "remainder of x / y"},
    {.name = "STEP", .specific = "STEP_INT", UDF_ARGS(UDF_A_INTEGER, UDF_A_INTEGER),
     UDF_RETURNS_ARG(0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX | UDF_F_MONO_KEEP,
     .doc = "STEP(x BY n): x rounded down to a multiple of n"},
    {.name = "STEP", .specific = "STEP_TS", UDF_ARGS(EDDY_T_TIMESTAMP, EDDY_T_INTERVAL_DS),
     UDF_RETURNS(EDDY_T_TIMESTAMP, 0, 0),
     .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX | UDF_F_MONO_KEEP,
     .doc = "STEP(ts BY INTERVAL ...): start of the epoch-aligned interval holding ts"},
    {.name = "COALESCE", .specific = "COALESCE", UDF_ARGS(EDDY_T_ANY, EDDY_T_ANY), .variadic = 1,
     .ret_rule = UDF_RET_COMMON, .flags = UDF_F_DETERMINISTIC,
     .doc = "first non-NULL argument"},
    {.name = "NULLIF", .specific = "NULLIF", UDF_ARGS(EDDY_T_ANY, EDDY_T_ANY), UDF_RETURNS_ARG(0),
     .flags = UDF_F_DETERMINISTIC, .doc = "NULL if a = b, else a"},
    {.name = "MONOTONIC", .specific = "MONOTONIC", UDF_ARGS(EDDY_T_ANY), UDF_RETURNS_ARG(0),
     .flags = UDF_F_DETERMINISTIC | UDF_F_MONO_DECLARE,
     .doc = "returns x and declares it monotonic for GROUP BY"},
};
const size_t udf__n_sigs_math = sizeof udf__sigs_math / sizeof udf__sigs_math[0];
