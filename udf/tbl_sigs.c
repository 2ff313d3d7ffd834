/*
 * tbl_sigs.c — signatures of the table functions used as
 * FROM TABLE(fn(CURSOR(SELECT STREAM ...), args...)) (SQL.md §6.1, §6.2).
 * Each lists the columns it adds; `passthrough` ones keep the input
 * columns in front. Implementations are attached by the runtime.
 */
#include "udf_int.h"

#define TBL .kind = UDF_TABLE
#define I UDF_A_INTEGER

static const udf_column rcf_cols[] = {{"ANOMALY_SCORE", {EDDY_T_DOUBLE, 0, 0}}};
static const udf_column rcfx_cols[] = {
    {"ANOMALY_SCORE", {EDDY_T_DOUBLE, 0, 0}},
    {"ANOMALY_EXPLANATION", {EDDY_T_VARCHAR, 20480, 0}},
};
static const udf_column hot_cols[] = {{"HOTSPOTS_RESULT", {EDDY_T_VARCHAR, 20480, 0}}};
static const udf_column topk_cols[] = {
    {"ITEM", {EDDY_T_VARCHAR, 1024, 0}},
    {"ITEM_COUNT", {EDDY_T_BIGINT, 0, 0}},
};
static const udf_column cdi_cols[] = {{"NUMBER_OF_DISTINCT_ITEMS", {EDDY_T_BIGINT, 0, 0}}};
static const udf_column rank_cols[] = {{"groupRank", {EDDY_T_INTEGER, 0, 0}}};

#define RANGES(a) .int_ranges = (a), .n_int_ranges = (int)(sizeof(a) / sizeof((a)[0]))

/* The forest's sizes: AWS's documented limits. */
static const udf_int_range rcf_ranges[] = {
    {1, "numberOfTrees", 1, 1000, -1},
    {2, "subSampleSize", 10, 1000, -1},
    {3, "timeDecay", 1, INT32_MAX, -1},
    {4, "shingleSize", 1, 30, -1},
};
static const udf_int_range hot_ranges[] = {
    {1, "windowSize", 100, 1000, -1},
    {3, "minimumNumberOfPointsInAHotspot", 2, 1000, 1},
};
static const udf_int_range topk_ranges[] = {
    {2, "K", 1, 100000, -1},
    {3, "windowSize (seconds)", 1, 3600, -1},
};
static const udf_int_range cdi_ranges[] = {{2, "windowSize (seconds)", 1, 3600, -1}};
static const udf_int_range rank_ranges[] = {
    {5, "maxIdle (milliseconds)", 0, INT32_MAX, -1},
    {6, "outputMax", 0, INT32_MAX, -1},
};

const udf_func udf__sigs_table[] = {
    {.name = "RANDOM_CUT_FOREST", .specific = "RANDOM_CUT_FOREST", TBL,
     UDF_ARGS(UDF_A_CURSOR, I, I, I, I), .n_optional = 4, UDF_COLS(rcf_cols), .passthrough = 1, RANGES(rcf_ranges),
     .doc = "anomaly score of each row (numberOfTrees, subSampleSize, timeDecay, shingleSize)"},
    {.name = "RANDOM_CUT_FOREST_WITH_EXPLANATION",
     .specific = "RANDOM_CUT_FOREST_WITH_EXPLANATION", TBL,
     UDF_ARGS(UDF_A_CURSOR, I, I, I, I, EDDY_T_BOOLEAN), .n_optional = 5, UDF_COLS(rcfx_cols),
     .passthrough = 1, RANGES(rcf_ranges), .doc = "anomaly score and per-column attribution"},
    {.name = "HOTSPOTS", .specific = "HOTSPOTS", TBL, UDF_ARGS(UDF_A_CURSOR, I, EDDY_T_DOUBLE, I),
     UDF_COLS(hot_cols), .passthrough = 1, RANGES(hot_ranges),
     .doc = "dense regions (windowSize, scanRadius, minimumNumberOfPointsInAHotspot)"},
    {.name = "TOP_K_ITEMS_TUMBLING", .specific = "TOP_K_ITEMS_TUMBLING", TBL,
     UDF_ARGS(UDF_A_CURSOR, UDF_A_STRING, I, I), UDF_COLS(topk_cols), RANGES(topk_ranges),
     .doc = "most frequent values of a column per tumbling window (column, K, seconds)"},
    {.name = "COUNT_DISTINCT_ITEMS_TUMBLING", .specific = "COUNT_DISTINCT_ITEMS_TUMBLING", TBL,
     UDF_ARGS(UDF_A_CURSOR, UDF_A_STRING, I), UDF_COLS(cdi_cols), RANGES(cdi_ranges),
     .doc = "distinct values of a column per tumbling window (column, seconds)"},
    /* The rank column is named by the third argument; "groupRank" is what
     * AWS's examples pass. */
    {.name = "GROUP_RANK", .specific = "GROUP_RANK", TBL,
     UDF_ARGS(UDF_A_CURSOR, UDF_A_STRING, UDF_A_STRING, UDF_A_STRING, UDF_A_STRING, I, I),
     UDF_COLS(rank_cols), .passthrough = 1, RANGES(rank_ranges),
     .doc = "rank rows that share a ROWTIME (column, out column, sort, output order, maxIdle, max)"},
};
const size_t udf__n_sigs_table = sizeof udf__sigs_table / sizeof udf__sigs_table[0];
