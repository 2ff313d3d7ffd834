/*
 * plan.h — the physical plan: plain data the runtime turns into operators.
 *
 * The planner (planner.h) builds a tree of plan_node for each query and pump;
 * nothing here executes. Every node states its output schema (declared
 * columns, types, nullability) and its time properties. ROWTIME is not a
 * column of the schema: every row carries it beside its columns (the
 * runtime's batches have a rowtime vector), and an expression reads it with
 * PX_ROWTIME. Expressions are resolved trees (column references by index
 * into the node's input row, literals as eddy_value, function calls by
 * registry entry, every cast explicit) that the runtime compiles into a flat
 * step array once, at operator init.
 *
 * Everything (nodes, expressions, names) lives in the arena the planner was
 * given; the tree is immutable once planned and freed with that arena.
 *
 * Shape of a typical pump, bottom to top:
 *   SOURCE (stored stream) -> DECODE (json/csv to typed columns)
 *     -> FILTER (WHERE) -> TUMBLE_AGG (GROUP BY) -> FILTER (HAVING)
 *     -> PROJECT (select list) -> PUMP (INSERT INTO in-app stream)
 * and an in-application stream bound to a stored stream with a `sink` option
 * is written by SINK (encode + append) fed by STREAM_SCAN of that stream.
 */
#ifndef EDDY_PLAN_H
#define EDDY_PLAN_H

#include <stdint.h>

#include "eddy_types.h"
#include "udf.h"

typedef struct plan_node plan_node;
typedef struct plan_expr plan_expr;

/* ---- schemas ------------------------------------------------------------ */

typedef struct plan_col {
    const char *name;   /* exact (case-sensitive) column name */
    eddy_type type;
    uint8_t nullable;   /* 0 when declared NOT NULL or provably non-NULL */
    uint8_t row_field;  /* a field of a row-returning call, named "ROW.FIELD"
                           (plan_rowfn.c); read as alias.row.FIELD */
    int8_t mono;        /* 1 / -1: non-decreasing / non-increasing along the
                           stream (a monotonic select item of a sub-query,
                           e.g. ROWTIME AS t); 0: not known to be */
} plan_col;

/* Where a node's output ROWTIME comes from. */
typedef enum {
    PLAN_RT_INPUT,       /* each output row keeps its input row's ROWTIME */
    PLAN_RT_ARRIVAL,     /* sources: the record's arrival time in the store */
    PLAN_RT_WINDOW_END,  /* tumbling windows: end of the window */
    PLAN_RT_STAGGER_END, /* stagger windows: window open time + length */
    PLAN_RT_JOIN_LATER,  /* joins: the later of the matched rows' ROWTIMEs */
    PLAN_RT_EXPR         /* ROWTIME promotion / T-sort: a computed column */
} plan_rowtime_src;

typedef struct plan_schema {
    plan_col *cols;
    uint32_t n_cols;
    plan_rowtime_src rowtime;  /* how ROWTIME of output rows is derived */
    uint8_t ordered;           /* 1: output ROWTIMEs are non-decreasing */
} plan_schema;

/* ---- expressions -------------------------------------------------------- */

typedef enum {
    PX_LITERAL,   /* u.lit */
    PX_COLUMN,    /* u.col: column of the node's input row (joins: left then right) */
    PX_ROWTIME,   /* the input row's ROWTIME; u.col.index is 0 for the (left) input,
                     1 for a join's right input, 2 for the later of the two */
    PX_OP,        /* u.op: operators below */
    PX_CALL,      /* u.call: scalar function from the registry */
    PX_CAST,      /* u.cast: convert u.cast.arg to `type` (explicit or inserted) */
    PX_CASE,      /* u.case_: searched CASE (simple CASE is rewritten to it) */
    PX_LIKE,      /* u.like: LIKE / SIMILAR TO */
    PX_IN_LIST    /* u.in: x IN (a, b, ...) */
} plan_expr_kind;

typedef enum {
    PLAN_OP_NEG,
    PLAN_OP_ADD, /* numeric; datetime + interval; interval + interval */
    PLAN_OP_SUB, /* numeric; datetime - interval; datetime - datetime (u.op.iq) */
    PLAN_OP_MUL,
    PLAN_OP_DIV, /* integer operands truncate (5 / 2 = 2); x / 0 is a row error */
    PLAN_OP_MOD,
    PLAN_OP_CONCAT,
    PLAN_OP_EQ,
    PLAN_OP_NE,
    PLAN_OP_LT,
    PLAN_OP_LE,
    PLAN_OP_GT,
    PLAN_OP_GE,
    PLAN_OP_IS_DISTINCT,
    PLAN_OP_IS_NOT_DISTINCT,
    PLAN_OP_AND,  /* three-valued */
    PLAN_OP_OR,
    PLAN_OP_NOT,
    PLAN_OP_IS_NULL,
    PLAN_OP_IS_NOT_NULL,
    PLAN_OP_IS_TRUE,
    PLAN_OP_IS_NOT_TRUE,
    PLAN_OP_IS_FALSE,
    PLAN_OP_IS_NOT_FALSE
} plan_op;

struct plan_expr {
    plan_expr_kind kind;
    eddy_type type;      /* result type */
    uint8_t nullable;    /* 0 when the result can never be NULL */
    uint32_t off, len;   /* source span, for runtime error messages */
    union {
        eddy_value lit;  /* strings point into the plan arena */
        struct {
            uint32_t index;
            /* PX_ROWTIME only: spelled APPROXIMATE_ARRIVAL_TIME, the system
             * column of a source-bound input stream. Its value is the
             * record's arrival time, which is that stream's ROWTIME, but it
             * is not a ROWTIME expression for GROUP BY's one-ROWTIME rule. */
            uint8_t arrival;
            int8_t mono;  /* PX_COLUMN: the column's plan_col.mono */
        } col;
        struct {
            plan_op op;
            uint32_t n_args; /* 1 or 2 */
            plan_expr *args[2];
        } op;
        struct {
            udf_call call;   /* fn, resolved argument and result types */
            plan_expr **args;
            uint32_t n_args;
        } call;
        struct {
            plan_expr *arg;
        } cast;
        struct {
            plan_expr **whens, **thens;
            uint32_t n_whens;
            plan_expr *else_;   /* NULL means ELSE NULL */
        } case_;
        struct {
            plan_expr *arg, *pattern, *escape; /* escape may be NULL */
            uint8_t similar;
            uint8_t negated;
        } like;
        struct {
            plan_expr *arg;
            plan_expr **list;  /* already cast to the common type */
            uint32_t n_list;
            uint8_t negated;
        } in;
    } u;
};

/* ---- aggregates and windows ---------------------------------------------- */

typedef enum {
    PLAN_FRAME_ROWS,  /* rows_preceding earlier rows plus the current row */
    PLAN_FRAME_RANGE  /* rows with ROWTIME >= current - range_ms (inclusive) */
} plan_frame;

/* A sliding window: OVER (PARTITION BY ... RANGE/ROWS ... PRECEDING). */
typedef struct plan_window {
    const char *name;       /* WINDOW clause name, or NULL for inline */
    plan_expr **partition;  /* over the node's input row */
    uint32_t n_partition;
    plan_frame frame;
    int64_t rows_preceding; /* PLAN_FRAME_ROWS */
    int64_t range_ms;       /* PLAN_FRAME_RANGE; 0 = rows with the same ROWTIME */
} plan_window;

/* One aggregate call. */
typedef struct plan_agg {
    udf_call call;          /* fn is a UDF_AGGREGATE; resolved types */
    plan_expr **args;       /* over the node's input row; 0 args for COUNT(*) */
    uint32_t n_args;
    uint8_t ignore_nulls;   /* IGNORE NULLS (LAG, FIRST_VALUE, ...) */
    uint8_t from_last;      /* NTH_VALUE ... FROM LAST */
    const plan_window *window; /* sliding aggregates only; NULL otherwise */
} plan_agg;

/* How a tumbling window's monotonic key assigns rows to windows. */
typedef enum {
    PLAN_TK_STEP,       /* STEP(rowtime BY width_ms) */
    PLAN_TK_FLOOR,      /* FLOOR(rowtime TO unit); width_ms for units up to DAY */
    PLAN_TK_MONOTONIC   /* any other monotonic key: a window per distinct value */
} plan_time_key_kind;

typedef struct plan_time_key {
    plan_time_key_kind kind;
    uint32_t key_index;  /* which group key it is */
    int64_t width_ms;    /* STEP / FLOOR width; 0 for MONOTONIC or MONTH/YEAR */
    const char *unit;    /* FLOOR unit ("MINUTE"), else NULL */
    uint8_t on_rowtime;  /* 1 when the key is computed from ROWTIME */
    uint8_t descending;  /* 1 when the key decreases as time goes on (-FLOOR(...)) */
} plan_time_key;

/* ---- nodes ---------------------------------------------------------------- */

typedef enum {
    PLAN_SOURCE,        /* read a stored stream's shards */
    PLAN_DECODE,        /* bytes -> typed columns (JSON/CSV mapping) */
    PLAN_STREAM_SCAN,   /* read an in-application stream fed by pumps */
    PLAN_TABLE_SCAN,    /* read a reference table */
    PLAN_FILTER,
    PLAN_PROJECT,
    PLAN_TUMBLE_AGG,    /* streaming GROUP BY with a monotonic key */
    PLAN_SLIDE_AGG,     /* OVER aggregates: one output row per input row */
    PLAN_STAGGER_AGG,   /* WINDOWED BY STAGGER */
    PLAN_STREAM_JOIN,   /* stream-stream join with windows */
    PLAN_TABLE_JOIN,    /* stream-table join (reference data) */
    PLAN_UNION,         /* UNION ALL of streams, merged in ROWTIME order */
    PLAN_DISTINCT,      /* SELECT STREAM DISTINCT: per ROWTIME value */
    PLAN_ORDER,         /* ORDER BY with a leading monotonic key */
    PLAN_TSORT,         /* ORDER BY ts WITHIN interval: re-order by ts */
    PLAN_ROWTIME,       /* expr AS ROWTIME: promote a column to ROWTIME */
    PLAN_TABLE_FUNC,    /* TABLE(fn(CURSOR(...), ...)) */
    PLAN_PUMP,          /* INSERT INTO in-application stream */
    PLAN_SINK           /* encode and write to a stored stream, or print */
} plan_kind;

typedef enum { PLAN_READER_CLASSIC, PLAN_READER_FANOUT } plan_reader;
typedef enum { PLAN_START_LATEST, PLAN_START_TRIM_HORIZON, PLAN_START_AT_TIMESTAMP } plan_start;
typedef enum { PLAN_FMT_JSON, PLAN_FMT_CSV } plan_format;
typedef enum {
    PLAN_JOIN_INNER,
    PLAN_JOIN_LEFT,
    PLAN_JOIN_RIGHT,
    PLAN_JOIN_FULL,
    PLAN_JOIN_CROSS,
    /* Stream-table only, from WHERE x IN (SELECT ...) / EXISTS (SELECT ...):
     * the stream row alone (the node's output is its input's schema), once
     * when some table row makes the condition TRUE (SEMI) or when none does
     * (ANTI). */
    PLAN_JOIN_SEMI,
    PLAN_JOIN_ANTI
} plan_join_kind;

/* A join side's window; kind NONE means "only its current row". */
typedef struct plan_side_window {
    enum { PLAN_SIDE_NONE, PLAN_SIDE_ROWS, PLAN_SIDE_RANGE } kind;
    int64_t rows;
    int64_t range_ms;
} plan_side_window;

typedef struct plan_sort_key {
    plan_expr *expr;
    uint8_t desc;
} plan_sort_key;

struct plan_node {
    plan_kind kind;
    plan_schema out;         /* output schema and time properties */
    plan_node **inputs;      /* children, in order (joins: left, right) */
    uint32_t n_inputs;
    uint32_t off, len;       /* source span of the clause it came from */
    union {
        struct {
            const char *stream;   /* stored stream name (store_*) */
            plan_reader reader;
            plan_start start;
            int64_t start_ms;     /* PLAN_START_AT_TIMESTAMP */
            const char *consumer; /* fan-out consumer name, or NULL */
            uint32_t part, parts; /* cat_source.part/parts: a share of the shards */
        } source;
        struct {
            plan_format format;
            const char *row_path;   /* JSON record root ("$") */
            const char **paths;     /* JSON: one path per output column */
            char col_delim[8];      /* CSV */
            char row_delim[8];      /* CSV */
            const char *in_stream;  /* in-application stream name (error_stream rows) */
        } decode;
        struct {
            const char *stream;     /* in-application stream name */
        } stream_scan;
        struct {
            const char *table;      /* reference table name */
        } table_scan;
        struct {
            plan_expr *pred;        /* BOOLEAN; rows where it is not TRUE are dropped */
        } filter;
        struct {
            plan_expr **exprs;      /* out.n_cols expressions over the input row */
        } project;
        struct {
            /* Output row: the group keys, then the aggregate results. */
            plan_expr **keys;       /* over the input row */
            uint32_t n_keys;
            plan_time_key time_key;
            plan_agg *aggs;
            uint32_t n_aggs;
        } tumble;
        struct {
            /* Output row: the input columns, then one column per aggregate. */
            plan_agg *aggs;         /* each with its own window */
            uint32_t n_aggs;
            plan_window **windows;  /* distinct windows, for sharing state */
            uint32_t n_windows;
        } slide;
        struct {
            /* Output row: the partition keys, then the aggregate results. */
            plan_expr **keys;
            uint32_t n_keys;
            int64_t range_ms;       /* window length */
            plan_agg *aggs;
            uint32_t n_aggs;
        } stagger;
        struct {
            /* Output row: the left columns, then the right columns. */
            plan_join_kind kind;
            plan_expr *cond;        /* over the concatenated row; NULL = TRUE */
            plan_side_window left, right;
            const char *table;      /* PLAN_TABLE_JOIN: the reference table */
        } join;
        struct {
            /* Duplicates are dropped among rows with the same value of this
             * monotonic output column (FLOOR(s.ROWTIME TO MINUTE), ...), or
             * of ROWTIME when -1 (rows of one window). */
            int32_t mono_col;
        } distinct;
        struct {
            plan_sort_key *keys;    /* keys[0] is the monotonic leading key */
            uint32_t n_keys;
        } order;
        struct {
            plan_expr *key;         /* TIMESTAMP expression over the input row */
            int64_t within_ms;
        } tsort;
        struct {
            uint32_t col;           /* input column that becomes ROWTIME (and is
                                       dropped from the output row) */
        } rowtime;
        struct {
            udf_call call;          /* a UDF_TABLE function */
            plan_expr **args;       /* constant arguments after the cursor */
            uint32_t n_args;
            const char *rank_col;   /* GROUP_RANK output column name */
            int32_t col;            /* input column named by the 'columnName'
                                       argument (TOP_K, COUNT_DISTINCT,
                                       GROUP_RANK), else -1 */
        } table_func;
        struct {
            const char *name;       /* pump name */
            const char *target;     /* in-application stream written */
            uint32_t *target_cols;  /* for each input column, the target column index */
        } pump;
        struct {
            const char *stream;     /* stored stream written, or NULL to print */
            const char *from;       /* in-application stream read */
            plan_format format;
            char col_delim[8];      /* CSV */
        } sink;
    } u;
};

/* Short upper-case name of a node kind ("TUMBLE_AGG"). Never NULL. */
const char *plan_kind_name(plan_kind k);

/* Name of an operator ("+", "AND", "IS NULL"). Never NULL. */
const char *plan_op_name(plan_op op);

#endif
