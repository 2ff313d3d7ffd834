/*
 * fn_time_sigs.c — signatures of the date and time functions (SQL.md §6.5).
 * Only signatures: implementations are attached by the runtime by the
 * `specific` names below. FLOOR/CEIL(x TO unit) and EXTRACT(field FROM x)
 * take their keyword as a VARCHAR literal argument ('HOUR', 'SECOND').
 */
#include "udf_int.h"

#define S UDF_A_STRING
#define NOW_FLAGS (UDF_F_NO_PARENS | UDF_F_PER_QUERY | UDF_F_MONO_ASC)

const udf_func udf__sigs_time[] = {
    {.name = "CURRENT_DATE", .specific = "CURRENT_DATE", UDF_RETURNS(EDDY_T_DATE, 0, 0),
     .flags = NOW_FLAGS, .doc = "UTC date when the query started"},
    {.name = "CURRENT_TIME", .specific = "CURRENT_TIME", UDF_RETURNS(EDDY_T_TIME, 0, 0),
     .flags = NOW_FLAGS, .doc = "UTC time when the query started"},
    {.name = "CURRENT_TIMESTAMP", .specific = "CURRENT_TIMESTAMP",
     UDF_RETURNS(EDDY_T_TIMESTAMP, 0, 0), .flags = NOW_FLAGS,
     .doc = "UTC timestamp when the query started"},
    {.name = "LOCALTIME", .specific = "LOCALTIME", UDF_RETURNS(EDDY_T_TIME, 0, 0),
     .flags = NOW_FLAGS, .doc = "same as CURRENT_TIME"},
    {.name = "LOCALTIMESTAMP", .specific = "LOCALTIMESTAMP", UDF_RETURNS(EDDY_T_TIMESTAMP, 0, 0),
     .flags = NOW_FLAGS, .doc = "same as CURRENT_TIMESTAMP"},
    {.name = "CURRENT_ROW_TIMESTAMP", .specific = "CURRENT_ROW_TIMESTAMP",
     UDF_RETURNS(EDDY_T_TIMESTAMP, 0, 0), .flags = UDF_F_NO_PARENS | UDF_F_MONO_ASC,
     .doc = "a fresh UTC timestamp for every row"},
    {.name = "FLOOR", .specific = "FLOOR_TO", UDF_ARGS(UDF_A_DATETIME, UDF_A_TIMEUNIT),
     UDF_RETURNS_ARG(0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX | UDF_F_MONO_KEEP,
     .doc = "FLOOR(ts TO unit): ts truncated to the unit"},
    /* The pre-STEP bucketing idiom FLOOR((ts - epoch) SECOND / 10 TO SECOND). */
    {.name = "FLOOR", .specific = "FLOOR_INTERVAL_TO", UDF_ARGS(UDF_A_INTERVAL, UDF_A_TIMEUNIT),
     UDF_RETURNS_ARG(0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX | UDF_F_MONO_KEEP,
     .doc = "FLOOR(interval TO unit): the interval truncated to whole units"},
    {.name = "CEIL", .specific = "CEIL_TO", UDF_ARGS(UDF_A_DATETIME, UDF_A_TIMEUNIT),
     UDF_RETURNS_ARG(0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX | UDF_F_MONO_KEEP,
     .doc = "CEIL(ts TO unit): ts rounded up to the unit"},
    {.name = "CEILING", .specific = "CEILING_TO", UDF_ARGS(UDF_A_DATETIME, UDF_A_TIMEUNIT),
     UDF_RETURNS_ARG(0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX | UDF_F_MONO_KEEP,
     .doc = "same as CEIL(ts TO unit)"},
    {.name = "EXTRACT", .specific = "EXTRACT", UDF_ARGS(UDF_A_SYMBOL, UDF_A_DATETIME),
     UDF_RETURNS(EDDY_T_BIGINT, 0, 0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX,
     .doc = "EXTRACT(field FROM datetime)"},
    {.name = "EXTRACT", .specific = "EXTRACT_INTERVAL", UDF_ARGS(UDF_A_SYMBOL, UDF_A_INTERVAL),
     UDF_RETURNS(EDDY_T_BIGINT, 0, 0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX,
     .doc = "EXTRACT(field FROM interval)"},
    {.name = "TSDIFF", .specific = "TSDIFF", UDF_ARGS(EDDY_T_BIGINT, EDDY_T_BIGINT),
     UDF_RETURNS(EDDY_T_BIGINT, 0, 0), .flags = UDF_DET,
     .doc = "difference in ms of two epoch-millisecond values"},
    /* The reference types the arguments BIGINT; SQLstream code passes
     * TIMESTAMPs (ROWTIMEs) just as often, so both are accepted. */
    {.name = "TSDIFF", .specific = "TSDIFF_TS", UDF_ARGS(EDDY_T_TIMESTAMP, EDDY_T_TIMESTAMP),
     UDF_RETURNS(EDDY_T_BIGINT, 0, 0), .flags = UDF_DET,
     .doc = "difference in ms of two timestamps (endTime - startTime)"},
    {.name = "CHAR_TO_TIMESTAMP", .specific = "CHAR_TO_TIMESTAMP", UDF_ARGS(S, S),
     UDF_RETURNS(EDDY_T_TIMESTAMP, 0, 0), .flags = UDF_DET,
     .doc = "parse a timestamp with a SimpleDateFormat pattern"},
    {.name = "CHAR_TO_DATE", .specific = "CHAR_TO_DATE", UDF_ARGS(S, S),
     UDF_RETURNS(EDDY_T_DATE, 0, 0), .flags = UDF_DET, .doc = "parse a date"},
    {.name = "CHAR_TO_TIME", .specific = "CHAR_TO_TIME", UDF_ARGS(S, S),
     UDF_RETURNS(EDDY_T_TIME, 0, 0), .flags = UDF_DET, .doc = "parse a time"},
    /* Not strict: a NULL value formats as the string 'null' (SQL.md §6.5). */
    {.name = "DATE_TO_CHAR", .specific = "DATE_TO_CHAR", UDF_ARGS(S, EDDY_T_DATE),
     UDF_RETURNS(EDDY_T_VARCHAR, 0, 0), .flags = UDF_F_DETERMINISTIC, .doc = "format a date"},
    {.name = "TIME_TO_CHAR", .specific = "TIME_TO_CHAR", UDF_ARGS(S, EDDY_T_TIME),
     UDF_RETURNS(EDDY_T_VARCHAR, 0, 0), .flags = UDF_F_DETERMINISTIC, .doc = "format a time"},
    {.name = "TIMESTAMP_TO_CHAR", .specific = "TIMESTAMP_TO_CHAR", UDF_ARGS(S, EDDY_T_TIMESTAMP),
     UDF_RETURNS(EDDY_T_VARCHAR, 0, 0), .flags = UDF_F_DETERMINISTIC,
     .doc = "format a timestamp"},
    {.name = "TO_TIMESTAMP", .specific = "TO_TIMESTAMP", UDF_ARGS(EDDY_T_BIGINT),
     UDF_RETURNS(EDDY_T_TIMESTAMP, 0, 0), .flags = UDF_DET | UDF_F_MONO_KEEP,
     .doc = "epoch milliseconds to TIMESTAMP"},
    {.name = "UNIX_TIMESTAMP", .specific = "UNIX_TIMESTAMP", UDF_ARGS(EDDY_T_TIMESTAMP),
     UDF_RETURNS(EDDY_T_BIGINT, 0, 0), .flags = UDF_DET | UDF_F_MONO_KEEP,
     .doc = "TIMESTAMP to epoch milliseconds"},
};
const size_t udf__n_sigs_time = sizeof udf__sigs_time / sizeof udf__sigs_time[0];
