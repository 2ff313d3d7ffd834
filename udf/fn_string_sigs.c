/*
 * fn_string_sigs.c — signatures of the string, search and log-parsing
 * functions (SQL.md §6.10, §6.11). Only signatures: implementations are
 * attached by the runtime by the `specific` names below.
 *
 * Special-syntax forms are normalised by the planner into plain argument
 * lists: SUBSTRING(s FROM a FOR b) -> (s, a, b); POSITION(a IN b) -> (a, b);
 * OVERLAY(s PLACING r FROM a FOR b) -> (s, r, a, b); TRIM(mode chars FROM s)
 * -> ('BOTH'|'LEADING'|'TRAILING', chars, s) with chars ' ' by default.
 */
#include "udf_int.h"

#define S UDF_A_STRING
#define I UDF_A_INTEGER

static const udf_column sys_log_cols[] = {
    {"COLUMN1", {EDDY_T_TIMESTAMP, 0, 0}},
    {"COLUMN2", {EDDY_T_VARCHAR, 1024, 0}},
};

const udf_func udf__sigs_string[] = {
    {.name = "CHAR_LENGTH", .specific = "CHAR_LENGTH", UDF_ARGS(S),
     UDF_RETURNS(EDDY_T_INTEGER, 0, 0), .flags = UDF_DET, .doc = "length in characters"},
    {.name = "CHARACTER_LENGTH", .specific = "CHARACTER_LENGTH", UDF_ARGS(S),
     UDF_RETURNS(EDDY_T_INTEGER, 0, 0), .flags = UDF_DET, .doc = "same as CHAR_LENGTH"},
    {.name = "INITCAP", .specific = "INITCAP", UDF_ARGS(S), UDF_RETURNS_ARG(0), .flags = UDF_DET,
     .doc = "first letter of each word upper case, the rest lower case"},
    {.name = "LOWER", .specific = "LOWER", UDF_ARGS(S), UDF_RETURNS_ARG(0), .flags = UDF_DET,
     .doc = "lower case"},
    {.name = "UPPER", .specific = "UPPER", UDF_ARGS(S), UDF_RETURNS_ARG(0), .flags = UDF_DET,
     .doc = "upper case"},
    {.name = "OVERLAY", .specific = "OVERLAY", UDF_ARGS(S, S, I, I), .n_optional = 1,
     UDF_RETURNS(EDDY_T_VARCHAR, 0, 0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX,
     .doc = "OVERLAY(s PLACING r FROM start [FOR len])"},
    {.name = "POSITION", .specific = "POSITION", UDF_ARGS(S, S),
     UDF_RETURNS(EDDY_T_INTEGER, 0, 0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX,
     .doc = "POSITION(sub IN s): 1-based position, 0 if absent"},
    {.name = "SUBSTRING", .specific = "SUBSTRING", UDF_ARGS(S, I, I), .n_optional = 1,
     UDF_RETURNS_ARG(0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX | UDF_F_MONO_KEEP,
     .doc = "SUBSTRING(s FROM start [FOR len])"},
    {.name = "SUBSTRING", .specific = "SUBSTRING_BINARY", UDF_ARGS(EDDY_T_VARBINARY, I, I),
     .n_optional = 1, UDF_RETURNS_ARG(0), .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX,
     .doc = "SUBSTRING over binary values"},
    {.name = "SUBSTRING", .specific = "SUBSTRING_REGEX", UDF_ARGS(S, S), UDF_RETURNS_ARG(0),
     .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX,
     .doc = "SUBSTRING(s FROM regex): the first match"},
    {.name = "SUBSTRING", .specific = "SUBSTRING_SIMILAR", UDF_ARGS(S, S, S), UDF_RETURNS_ARG(0),
     .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX,
     .doc = "SUBSTRING(s SIMILAR pattern ESCAPE c)"},
    {.name = "TRIM", .specific = "TRIM", UDF_ARGS(UDF_A_SYMBOL, S, S), UDF_RETURNS_ARG(2),
     .flags = UDF_DET | UDF_F_SPECIAL_SYNTAX,
     .doc = "TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)"},
    {.name = "REGEX_REPLACE", .specific = "REGEX_REPLACE", UDF_ARGS(S, S, S, I, I),
     UDF_RETURNS(EDDY_T_VARCHAR, 65535, 0), .flags = UDF_DET,
     .doc = "REGEX_REPLACE(original, regex, replacement, startPosition, occurrence)"},
    {.name = "FAST_REGEX_LOG_PARSE", .specific = "FAST_REGEX_LOG_PARSE", UDF_ARGS(S, S),
     .ret_rule = UDF_RET_ROW, .ret_type = {EDDY_T_VARCHAR, 1024, 0},
     .flags = UDF_DET | UDF_F_ROW_RESULT,
     .doc = "lazy regex parse into COLUMN1..n VARCHAR(1024)"},
    /* The name the KDA SQL reference and developer guide use. */
    {.name = "FAST_REGEX_LOG_PARSER", .specific = "FAST_REGEX_LOG_PARSER", UDF_ARGS(S, S),
     .ret_rule = UDF_RET_ROW, .ret_type = {EDDY_T_VARCHAR, 1024, 0},
     .flags = UDF_DET | UDF_F_ROW_RESULT,
     .doc = "FAST_REGEX_LOG_PARSE under the reference's name"},
    {.name = "REGEX_LOG_PARSE", .specific = "REGEX_LOG_PARSE", UDF_ARGS(S, S, S), .n_optional = 1,
     .ret_rule = UDF_RET_ROW, .ret_type = {EDDY_T_VARCHAR, 1024, 0},
     .flags = UDF_DET | UDF_F_ROW_RESULT,
     .doc = "greedy regex parse into COLUMN1..n VARCHAR(1024); NULL if no match"},
    {.name = "FIXED_COLUMN_LOG_PARSE", .specific = "FIXED_COLUMN_LOG_PARSE", UDF_ARGS(S, S),
     .ret_rule = UDF_RET_ROW, .ret_type = {EDDY_T_VARCHAR, 1024, 0},
     .flags = UDF_DET | UDF_F_ROW_RESULT, .doc = "fixed-width fields by a column spec"},
    {.name = "SYS_LOG_PARSE", .specific = "SYS_LOG_PARSE", UDF_ARGS(S), .ret_rule = UDF_RET_ROW,
     .ret_type = {EDDY_T_VARCHAR, 1024, 0}, .flags = UDF_DET | UDF_F_ROW_RESULT,
     UDF_COLS(sys_log_cols), .doc = "syslog line into COLUMN1 TIMESTAMP, COLUMN2 VARCHAR"},
    {.name = "VARIABLE_COLUMN_LOG_PARSE", .specific = "VARIABLE_COLUMN_LOG_PARSE",
     UDF_ARGS(S, EDDY_T_ANY, S, S, S), .n_optional = 2, .ret_rule = UDF_RET_ROW,
     .ret_type = {EDDY_T_VARCHAR, 1024, 0}, .flags = UDF_DET | UDF_F_ROW_RESULT,
     .doc = "delimited fields by a count or a column spec"},
    {.name = "W3C_LOG_PARSE", .specific = "W3C_LOG_PARSE", UDF_ARGS(S, S),
     .ret_rule = UDF_RET_ROW, .ret_type = {EDDY_T_VARCHAR, 1024, 0},
     .flags = UDF_DET | UDF_F_ROW_RESULT, .doc = "web server log line by a W3C/Apache format"},
};
const size_t udf__n_sigs_string = sizeof udf__sigs_string / sizeof udf__sigs_string[0];
