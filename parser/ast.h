/*
 * ast.h — the abstract syntax tree of eddy's SQL dialect (the Kinesis Data
 * Analytics for SQL dialect described in docs/design SQL.md).
 *
 * The grammar (grammar.y) builds these nodes through the constructors at the
 * end of this file; the planner reads them; ast_print() turns them back into
 * SQL. Every node lives in the arena given to sql_parse(), so a tree is freed
 * all at once with that arena and never node by node.
 *
 * Conventions:
 *  - Every node carries `off, len`: the byte offset of its first token in the
 *    source text and the length of the phrase it covers. Semantic errors point
 *    at that span (eddy_err_set_at).
 *  - Arrays come in pairs (`n_args`, `args`); an absent optional child is NULL
 *    and an absent name has `s == NULL`.
 *  - Identifiers are stored normalised: unquoted names folded to upper case,
 *    quoted names with `""` unescaped and case kept. Compare names with
 *    strcmp on `s`.
 *  - ROWTIME is not special in the tree: it is an ordinary column reference
 *    (`ROWTIME`, `s.ROWTIME`) or alias (`expr AS ROWTIME`); the planner gives
 *    it its meaning.
 */
#ifndef SQL_AST_H
#define SQL_AST_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "eddy_types.h"

typedef struct ast_expr ast_expr;
typedef struct ast_query ast_query;
typedef struct ast_select ast_select;
typedef struct ast_from ast_from;
typedef struct ast_window ast_window;
typedef struct ast_stmt ast_stmt;

/* A byte range of the source text. */
typedef struct sql_span {
    uint32_t off, len;
} sql_span;

/* An identifier. `s == NULL` means "absent" (e.g. no alias). */
typedef struct ast_name {
    const char *s;       /* normalised name, NUL-terminated, in the arena */
    uint32_t off, len;   /* span of the identifier as written */
    uint8_t quoted;      /* 1 when written "quoted" (kept so printing round-trips) */
} ast_name;

/* A growable list used while parsing (left-recursive grammar lists). Nodes
 * expose the finished list as a (`n_x`, `x`) pair pointing at `v`. */
typedef struct ast_list {
    uint32_t n, cap;
    void **v;
} ast_list;

/* ---------------------------------------------------------------------- */
/* Time units, interval qualifiers and type references                    */

typedef enum {
    AST_TU_NONE = 0,
    AST_TU_YEAR,
    AST_TU_MONTH,
    AST_TU_DAY,
    AST_TU_HOUR,
    AST_TU_MINUTE,
    AST_TU_SECOND
} ast_time_unit;

/* `DAY[(p)] [TO SECOND[(f)]]`, `SECOND[(p[, f])]`, ... Precisions are -1
 * when not written. */
typedef struct ast_interval_qual {
    ast_time_unit start;   /* leading field */
    ast_time_unit end;     /* trailing field after TO, or AST_TU_NONE */
    int16_t start_prec;    /* leading field precision */
    int16_t frac_prec;     /* fractional-seconds precision (SECOND as start or end) */
} ast_interval_qual;

/* A type as written in CREATE STREAM, CAST or CREATE FUNCTION. */
typedef struct ast_type_ref {
    eddy_type type;          /* id, precision (0 = not written), scale */
    ast_interval_qual iq;    /* for EDDY_T_INTERVAL_DS / _YM: the qualifier */
    uint8_t has_scale;       /* DECIMAL(p,s) written with a scale */
    uint32_t off, len;
} ast_type_ref;

/* ---------------------------------------------------------------------- */
/* Expressions                                                            */

typedef enum {
    AST_E_LITERAL,     /* u.lit */
    AST_E_COLUMN,      /* u.col: a, s.a, t.r.COLUMN1 */
    AST_E_STAR,        /* u.col with n_parts = qualifier parts (0 for bare *) */
    AST_E_UNARY,       /* u.unary */
    AST_E_BINARY,      /* u.binary */
    AST_E_IS,          /* u.is: x IS [NOT] NULL | TRUE | FALSE | UNKNOWN */
    AST_E_BETWEEN,     /* u.between */
    AST_E_IN_LIST,     /* u.in: x [NOT] IN (a, b, ...) */
    AST_E_IN_QUERY,    /* u.in: x [NOT] IN (SELECT ...) */
    AST_E_LIKE,        /* u.like: LIKE or SIMILAR TO, optional ESCAPE */
    AST_E_CASE,        /* u.case_ */
    AST_E_CAST,        /* u.cast */
    AST_E_CALL,        /* u.call: functions, aggregates, special forms */
    AST_E_SUBQUERY,    /* u.query: scalar sub-query (SELECT ...) */
    AST_E_EXISTS,      /* u.query: EXISTS (SELECT ...) */
    AST_E_CURSOR,      /* u.query: CURSOR(SELECT STREAM ...) table-function arg */
    AST_E_ROW,         /* u.row: (a, b) row value or VALUES row */
    AST_E_INTERVAL_OF  /* u.ivof: (dt1 - dt2) qualifier, e.g. (a - b) SECOND */
} ast_expr_kind;

typedef enum {
    AST_LIT_NULL,
    AST_LIT_TRUE,
    AST_LIT_FALSE,
    AST_LIT_UNKNOWN,
    AST_LIT_INTEGER,     /* text: digits */
    AST_LIT_DECIMAL,     /* text: digits with a point */
    AST_LIT_APPROX,      /* text: with exponent, e.g. 1.5E-6 */
    AST_LIT_STRING,      /* text: decoded bytes ('' unescaped, u&'' decoded) */
    AST_LIT_BINARY,      /* text: the hex digits of X'...' (even count) */
    AST_LIT_DATE,        /* text: the quoted string of DATE '...' */
    AST_LIT_TIME,        /* text: TIME '...' */
    AST_LIT_TIMESTAMP,   /* text: TIMESTAMP '...' */
    AST_LIT_INTERVAL     /* text: the quoted string; sign and iq below */
} ast_lit_kind;

typedef enum {
    AST_OP_NEG,          /* unary - */
    AST_OP_PLUS,         /* unary + */
    AST_OP_NOT,          /* NOT */
    AST_OP_ADD,
    AST_OP_SUB,
    AST_OP_MUL,
    AST_OP_DIV,
    AST_OP_MOD,          /* % (SQLstream accepts it as MOD) */
    AST_OP_CONCAT,       /* || */
    AST_OP_EQ,
    AST_OP_NE,           /* <> and != */
    AST_OP_LT,
    AST_OP_LE,
    AST_OP_GT,
    AST_OP_GE,
    AST_OP_AND,
    AST_OP_OR,
    AST_OP_IS_DISTINCT,      /* a IS DISTINCT FROM b */
    AST_OP_IS_NOT_DISTINCT   /* a IS NOT DISTINCT FROM b */
} ast_op;

typedef enum {
    AST_IS_NULL,
    AST_IS_TRUE,
    AST_IS_FALSE,
    AST_IS_UNKNOWN
} ast_is_what;

/* Which surface syntax a call was written in. The planner mostly ignores it;
 * the printer uses it so that the printed text reads like the original. */
typedef enum {
    AST_CALL_PLAIN,          /* f(a, b) */
    AST_CALL_NILADIC,        /* CURRENT_TIMESTAMP, LOCALTIME ... (no parentheses) */
    AST_CALL_SUBSTRING,      /* SUBSTRING(s FROM a [FOR b]) — args s, a[, b] */
    AST_CALL_SUBSTRING_SIMILAR, /* SUBSTRING(s SIMILAR p ESCAPE e) — args s, p, e */
    AST_CALL_POSITION,       /* POSITION(a IN b) — args a, b */
    AST_CALL_TRIM,           /* TRIM([spec] [chars] FROM s) — args s[, chars] */
    AST_CALL_OVERLAY,        /* OVERLAY(s PLACING r FROM a [FOR b]) — args s, r, a[, b] */
    AST_CALL_EXTRACT,        /* EXTRACT(unit FROM x) — args x; unit */
    AST_CALL_FLOOR_TO,       /* FLOOR(x TO unit) / CEIL(x TO unit) — args x; unit */
    AST_CALL_STEP            /* STEP(x BY y) — args x, y */
} ast_call_form;

typedef enum {
    AST_TRIM_NONE = 0,       /* not written (BOTH semantics) */
    AST_TRIM_BOTH,
    AST_TRIM_LEADING,
    AST_TRIM_TRAILING
} ast_trim_spec;

typedef enum {
    AST_NULLS_NONE = 0,      /* not written */
    AST_NULLS_RESPECT,
    AST_NULLS_IGNORE
} ast_null_treatment;

typedef enum {
    AST_FROM_NONE = 0,       /* not written */
    AST_FROM_FIRST,
    AST_FROM_LAST
} ast_from_pos;

typedef enum {
    AST_SETQ_NONE = 0,
    AST_SETQ_DISTINCT,
    AST_SETQ_ALL
} ast_set_quant;

struct ast_expr {
    ast_expr_kind kind;
    uint32_t off, len;
    uint32_t height;             /* height of this subtree (1 = leaf) */
    union {
        struct {
            ast_lit_kind kind;
            const char *text;       /* see ast_lit_kind; NUL-terminated */
            uint32_t text_len;      /* bytes of text (strings may hold NULs) */
            char sign;              /* intervals: '+', '-' or 0 when not written */
            uint8_t unicode;        /* strings: written as U&'...' */
            ast_interval_qual iq;   /* intervals */
        } lit;
        struct {
            ast_name *parts;        /* a | s.a | t.r.c; for STAR: the qualifier */
            uint32_t n_parts;
        } col;
        struct {
            ast_op op;
            ast_expr *arg;
        } unary;
        struct {
            ast_op op;
            ast_expr *left, *right;
        } binary;
        struct {
            ast_expr *arg;
            ast_is_what what;
            uint8_t negated;
        } is;
        struct {
            ast_expr *arg, *lo, *hi;
            uint8_t negated;
            uint8_t symmetric;       /* BETWEEN SYMMETRIC */
        } between;
        struct {
            ast_expr *arg;
            ast_expr **list;         /* IN_LIST */
            uint32_t n_list;
            ast_query *query;        /* IN_QUERY */
            uint8_t negated;
        } in;
        struct {
            ast_expr *arg, *pattern, *escape;  /* escape may be NULL */
            uint8_t negated;
            uint8_t similar;         /* SIMILAR TO rather than LIKE */
        } like;
        struct {
            ast_expr *operand;       /* CASE x WHEN ...: x; NULL for searched CASE */
            ast_expr **whens, **thens;
            uint32_t n_whens;
            ast_expr *else_;         /* may be NULL */
        } case_;
        struct {
            ast_expr *arg;
            ast_type_ref type;
        } cast;
        struct {
            ast_name name;           /* function name as written (normalised) */
            ast_call_form form;
            ast_expr **args;
            uint32_t n_args;
            uint8_t star;            /* COUNT(*) */
            ast_set_quant quant;     /* f(DISTINCT x) / f(ALL x) */
            ast_time_unit unit;      /* EXTRACT field, FLOOR/CEIL ... TO unit */
            ast_trim_spec trim;      /* TRIM spec */
            ast_from_pos from_pos;   /* NTH_VALUE ... FROM FIRST|LAST */
            ast_null_treatment nulls;/* IGNORE NULLS / RESPECT NULLS */
            ast_window *over;        /* OVER w / OVER (...) or NULL */
        } call;
        struct {
            ast_query *query;
        } query;
        struct {
            ast_expr **items;
            uint32_t n_items;
        } row;
        struct {
            ast_expr *arg;           /* the parenthesised datetime difference */
            ast_interval_qual iq;
        } ivof;
    } u;
};

/* ---------------------------------------------------------------------- */
/* Windows                                                                */

typedef enum {
    AST_FRAME_NONE = 0,      /* no ROWS/RANGE written */
    AST_FRAME_ROWS,
    AST_FRAME_RANGE
} ast_frame_unit;

typedef enum {
    AST_BOUND_NONE = 0,
    AST_BOUND_UNBOUNDED_PRECEDING,
    AST_BOUND_PRECEDING,         /* offset PRECEDING */
    AST_BOUND_CURRENT_ROW,
    AST_BOUND_FOLLOWING,         /* offset FOLLOWING */
    AST_BOUND_UNBOUNDED_FOLLOWING
} ast_bound_kind;

typedef struct ast_bound {
    ast_bound_kind kind;
    ast_expr *offset;            /* integer (ROWS) or interval (RANGE) literal/expr */
} ast_bound;

typedef struct ast_order_item {
    uint32_t off, len;
    ast_expr *expr;
    uint8_t desc;                /* DESC written */
    uint8_t asc;                 /* ASC written (kept for printing) */
} ast_order_item;

/* A window: inline `OVER (...)`, `OVER name`, or a WINDOW clause definition.
 * For `OVER name` only `ref` is set and `name_only` is 1. */
struct ast_window {
    uint32_t off, len;
    ast_name ref;                /* referenced window name, or absent */
    uint8_t name_only;           /* written as OVER name (no parentheses) */
    ast_expr **partition;
    uint32_t n_partition;
    ast_order_item **order;
    uint32_t n_order;
    ast_frame_unit frame;
    uint8_t between;             /* BETWEEN start AND end written */
    ast_bound start;             /* the bound (or the BETWEEN lower bound) */
    ast_bound end;               /* BETWEEN upper bound, else kind NONE */
};

/* `WINDOW name AS (spec)` */
typedef struct ast_named_window {
    uint32_t off, len;
    ast_name name;
    ast_window *spec;
} ast_named_window;

/* `WINDOWED BY STAGGER (PARTITION BY k, ... RANGE INTERVAL '1' MINUTE)` */
typedef struct ast_stagger {
    uint32_t off, len;
    ast_expr **partition;
    uint32_t n_partition;
    ast_expr *range;             /* the window length (an interval literal) */
} ast_stagger;

/* ---------------------------------------------------------------------- */
/* Queries                                                                */

typedef struct ast_select_item {
    uint32_t off, len;
    ast_expr *expr;              /* AST_E_STAR for * and s.* */
    ast_name alias;              /* AS alias (may be ROWTIME), or absent */
} ast_select_item;

typedef enum {
    AST_F_NAMED,         /* stream or table: u.named */
    AST_F_SUBQUERY,      /* (query) alias: u.query */
    AST_F_TABLE_FUNC,    /* TABLE(fn(CURSOR(...), args)) alias: u.func */
    AST_F_JOIN           /* u.join */
} ast_from_kind;

typedef enum {
    AST_JOIN_INNER,
    AST_JOIN_LEFT,
    AST_JOIN_RIGHT,
    AST_JOIN_FULL,
    AST_JOIN_CROSS
} ast_join_kind;

struct ast_from {
    ast_from_kind kind;
    uint32_t off, len;
    uint32_t height;             /* height of this subtree */
    ast_name alias;              /* AS alias, or absent */
    ast_name *col_aliases;       /* AS alias(c1, c2) */
    uint32_t n_col_aliases;
    ast_window *over;            /* stream OVER (...) / OVER w for stream joins */
    union {
        struct {
            ast_name name;
        } named;
        struct {
            ast_query *query;
        } query;
        struct {
            ast_expr *call;      /* AST_E_CALL; CURSOR args are AST_E_CURSOR */
        } func;
        struct {
            ast_join_kind kind;
            uint8_t outer;       /* OUTER written (printing only) */
            uint8_t natural;
            uint8_t comma;       /* `a, b` rather than CROSS JOIN */
            ast_from *left, *right;
            ast_expr *on;        /* ON condition or NULL */
            ast_name *using_;    /* USING (c, ...) */
            uint32_t n_using;
        } join;
    } u;
};

struct ast_select {
    uint32_t off, len;
    uint8_t stream;              /* SELECT STREAM */
    ast_set_quant quant;         /* DISTINCT / ALL */
    ast_select_item **items;
    uint32_t n_items;
    ast_from *from;              /* NULL when no FROM clause */
    ast_expr *where;
    ast_expr **group_by;         /* STEP(...), FLOOR(... TO unit), MONOTONIC(...) are calls */
    uint32_t n_group_by;
    ast_expr *having;
    ast_named_window **windows;
    uint32_t n_windows;
    ast_stagger *stagger;        /* WINDOWED BY STAGGER, or NULL */
};

typedef enum {
    AST_Q_SELECT,        /* u.select */
    AST_Q_SETOP,         /* u.setop */
    AST_Q_VALUES         /* u.values: rows are AST_E_ROW */
} ast_query_kind;

typedef enum {
    AST_SET_UNION,
    AST_SET_INTERSECT,
    AST_SET_EXCEPT
} ast_setop_kind;

struct ast_query {
    ast_query_kind kind;
    uint32_t off, len;
    uint32_t height;             /* height of this subtree */
    union {
        ast_select *select;
        struct {
            ast_setop_kind op;
            uint8_t all;
            ast_query *left, *right;
        } setop;
        struct {
            ast_expr **rows;
            uint32_t n_rows;
        } values;
    } u;
    /* Clauses that apply to the whole query expression. */
    ast_order_item **order_by;
    uint32_t n_order_by;
    ast_expr *within;            /* ORDER BY ... WITHIN interval (T-sort), or NULL */
    ast_expr *limit;             /* LIMIT n (REPL push queries), or NULL */
};

/* ---------------------------------------------------------------------- */
/* Statements                                                             */

typedef enum {
    AST_S_QUERY,             /* u.query */
    AST_S_CREATE_STREAM,     /* u.create_stream */
    AST_S_CREATE_PUMP,       /* u.create_pump */
    AST_S_CREATE_FUNCTION,   /* u.create_function */
    AST_S_INSERT,            /* u.insert */
    AST_S_DROP,              /* u.drop */
    AST_S_SHOW,              /* u.show */
    AST_S_DESCRIBE,          /* u.describe */
    AST_S_EXPLAIN            /* u.explain */
} ast_stmt_kind;

typedef struct ast_column_def {
    uint32_t off, len;
    ast_name name;
    ast_type_ref type;
    uint8_t not_null;
} ast_column_def;

/* `key = value` in CREATE STREAM ... WITH (...). Keys may be dotted
 * (`mapping.symbol = '$.trade.symbol'`). */
typedef struct ast_option {
    uint32_t off, len;
    ast_name key;                /* the whole key: parts joined with '.' */
    ast_name *parts;             /* the dotted parts (one for a plain key) */
    uint32_t n_parts;
    uint8_t key_is_string;       /* key was written as a 'string' (one part, case kept) */
    ast_expr *value;             /* a literal (string, number, boolean) or column ref */
} ast_option;

typedef struct ast_insert {
    uint32_t off, len;
    uint8_t expedited;           /* INSERT EXPEDITED INTO */
    ast_name stream;
    ast_name *columns;           /* optional column list */
    uint32_t n_columns;
    ast_query *query;
} ast_insert;

typedef struct ast_param {
    uint32_t off, len;
    ast_name name;
    ast_type_ref type;
} ast_param;

typedef enum {
    AST_DATA_NONE = 0,           /* not written */
    AST_DATA_CONTAINS_SQL,
    AST_DATA_READS_SQL,
    AST_DATA_MODIFIES_SQL,
    AST_DATA_NO_SQL
} ast_data_access;

typedef enum {
    AST_ONNULL_NONE = 0,         /* not written (CALLED ON NULL INPUT) */
    AST_ONNULL_CALLED,
    AST_ONNULL_RETURNS_NULL
} ast_on_null;

typedef enum {
    AST_OBJ_STREAM,
    AST_OBJ_PUMP,
    AST_OBJ_FUNCTION
} ast_object_kind;

typedef enum {
    AST_SHOW_STREAMS,
    AST_SHOW_PUMPS,
    AST_SHOW_FUNCTIONS
} ast_show_kind;

struct ast_stmt {
    ast_stmt_kind kind;
    uint32_t off, len;           /* the statement's text, without the ';' */
    union {
        ast_query *query;
        struct {
            uint8_t or_replace;
            ast_name name;
            ast_column_def **columns;
            uint32_t n_columns;
            ast_expr *description;   /* DESCRIPTION 'text' literal, or NULL */
            ast_option **options;    /* WITH (k = v, ...) */
            uint32_t n_options;
        } create_stream;
        struct {
            uint8_t or_replace;
            uint8_t started;         /* CREATE PUMP p STARTED AS ... */
            ast_name name;
            ast_expr *description;
            ast_insert *insert;
        } create_pump;
        struct {
            uint8_t or_replace;
            ast_name name;
            ast_param **params;
            uint32_t n_params;
            ast_type_ref returns;
            uint8_t language_sql;    /* LANGUAGE SQL written */
            ast_name specific;       /* SPECIFIC name, or absent */
            int8_t deterministic;    /* -1 not written, 0 NOT DETERMINISTIC, 1 DETERMINISTIC */
            ast_data_access data_access;
            ast_on_null on_null;
            ast_expr *body;          /* RETURN expr */
        } create_function;
        ast_insert *insert;
        struct {
            ast_object_kind what;
            uint8_t if_exists;
            ast_name name;
        } drop;
        struct {
            ast_show_kind what;
        } show;
        struct {
            uint8_t extended;
            ast_name name;
        } describe;
        struct {
            ast_stmt *stmt;
        } explain;
    } u;
};

/* A parsed script: statements in source order. */
typedef struct sql_script {
    ast_stmt **stmts;
    uint32_t n_stmts;
} sql_script;

/* ---------------------------------------------------------------------- */
/* Constructors
 *
 * Every constructor allocates from `a`, accepts NULL children (they appear
 * after an allocation failure, which the arena records in a->failed) and
 * returns NULL only when the allocation itself fails. Spans are passed in;
 * the grammar computes them from tokens. Lists (ast_list) become the node's
 * (n, array) pairs without copying. Everything stays owned by the arena.
 *
 * Height: expressions, queries and FROM items record the height of their
 * subtree (`height`, 1 for a leaf). The parser refuses trees higher than
 * SQL_MAX_HEIGHT, so recursive walkers (printer, planner) cannot exhaust the
 * C stack on hostile input such as `1+1+1+...` with 100,000 terms.
 */
#define SQL_MAX_HEIGHT 400

/* Appends `item` to `l` (l may be NULL: a new list is made). Returns the list,
 * or NULL on allocation failure. */
ast_list *ast_list_add(arena *a, ast_list *l, void *item);

/* Makes an identifier from source text: unquoted text is folded to upper
 * case; text starting with '"' is unquoted and "" unescaped. */
ast_name ast_name_from_text(arena *a, const char *text, uint32_t off, uint32_t len);

/* Makes an identifier from a plain C string (copied; quoted keeps case,
 * unquoted is folded to upper case). */
ast_name ast_name_make(arena *a, const char *s, uint32_t off, uint32_t len, int quoted);

ast_expr *ast_expr_new(arena *a, ast_expr_kind kind, sql_span sp);
/* `text` is copied (n bytes, may hold NULs). */
ast_expr *ast_literal(arena *a, sql_span sp, ast_lit_kind kind, const char *text, uint32_t n);
ast_expr *ast_interval_lit(arena *a, sql_span sp, char sign, const char *text, uint32_t n,
                           ast_interval_qual iq);
ast_expr *ast_column(arena *a, sql_span sp, ast_list *parts);   /* parts: ast_name* */
ast_expr *ast_star(arena *a, sql_span sp, ast_list *qualifier); /* NULL for bare * */
ast_expr *ast_unary(arena *a, sql_span sp, ast_op op, ast_expr *arg);
ast_expr *ast_binary(arena *a, ast_op op, ast_expr *l, ast_expr *r);
ast_expr *ast_is(arena *a, sql_span sp, ast_expr *arg, ast_is_what what, int negated);
ast_expr *ast_between(arena *a, sql_span sp, ast_expr *arg, ast_expr *lo, ast_expr *hi,
                      int negated, int symmetric);
ast_expr *ast_in_list(arena *a, sql_span sp, ast_expr *arg, ast_list *list, int negated);
ast_expr *ast_in_query(arena *a, sql_span sp, ast_expr *arg, ast_query *q, int negated);
ast_expr *ast_like(arena *a, sql_span sp, ast_expr *arg, ast_expr *pattern, ast_expr *escape,
                   int negated, int similar);
/* `whens` holds the (when, then) pairs made by ast_case_when. */
ast_expr *ast_case(arena *a, sql_span sp, ast_expr *operand, ast_list *whens, ast_expr *else_);
ast_expr *ast_case_when(arena *a, sql_span sp, ast_expr *when, ast_expr *then);
ast_expr *ast_cast(arena *a, sql_span sp, ast_expr *arg, ast_type_ref type);
ast_expr *ast_call(arena *a, sql_span sp, ast_name name, ast_call_form form, ast_list *args);
/* Sets the quantifier / star / unit / trim spec of a call made by ast_call. */
ast_expr *ast_call_set(ast_expr *call, ast_set_quant quant, int star, ast_time_unit unit,
                       ast_trim_spec trim);
/* Adds `FROM FIRST|LAST`, `IGNORE|RESPECT NULLS` and `OVER w` to a call and
 * extends its span to `sp`. */
ast_expr *ast_call_window(ast_expr *call, sql_span sp, ast_from_pos from_pos,
                          ast_null_treatment nulls, ast_window *over);
ast_expr *ast_query_expr(arena *a, sql_span sp, ast_expr_kind kind, ast_query *q);
ast_expr *ast_row(arena *a, sql_span sp, ast_list *items);
ast_expr *ast_interval_of(arena *a, sql_span sp, ast_expr *arg, ast_interval_qual iq);

/* A window spec. `ref` may be absent; partition/order may be NULL. */
ast_window *ast_window_new(arena *a, sql_span sp, ast_name ref, ast_list *partition,
                           ast_list *order, ast_frame_unit frame, int between,
                           ast_bound start, ast_bound end);
/* `OVER name`. */
ast_window *ast_window_ref(arena *a, sql_span sp, ast_name ref);
ast_order_item *ast_order_item_new(arena *a, sql_span sp, ast_expr *e, int asc, int desc);
ast_named_window *ast_named_window_new(arena *a, sql_span sp, ast_name name, ast_window *w);
ast_stagger *ast_stagger_new(arena *a, sql_span sp, ast_list *partition, ast_expr *range);

ast_select_item *ast_select_item_new(arena *a, sql_span sp, ast_expr *e, ast_name alias);
ast_from *ast_from_named(arena *a, sql_span sp, ast_name name, ast_window *over);
ast_from *ast_from_subquery(arena *a, sql_span sp, ast_query *q);
ast_from *ast_from_table_func(arena *a, sql_span sp, ast_expr *call);
/* Sets `AS alias [(c1, ...)]` on a FROM item and extends its span; cols
 * (ast_name pointers) may be NULL. */
ast_from *ast_from_alias(arena *a, ast_from *f, sql_span sp, ast_name alias, ast_list *cols);
ast_from *ast_from_join(arena *a, sql_span sp, ast_join_kind kind, int outer, int natural,
                        int comma, ast_from *l, ast_from *r, ast_expr *on, ast_list *using_);
/* The clauses of one SELECT; lists and children may be NULL. */
ast_select *ast_select_new(arena *a, sql_span sp, int stream, ast_set_quant quant,
                           ast_list *items, ast_from *from, ast_expr *where,
                           ast_list *group_by, ast_stagger *stagger, ast_expr *having,
                           ast_list *windows);
ast_query *ast_query_select(arena *a, ast_select *s);
ast_query *ast_query_setop(arena *a, ast_setop_kind op, int all, ast_query *l, ast_query *r);
ast_query *ast_query_values(arena *a, sql_span sp, ast_list *rows);
/* Adds ORDER BY [WITHIN] and LIMIT to a query and extends its span. */
ast_query *ast_query_finish(ast_query *q, sql_span sp, ast_list *order, ast_expr *within,
                            ast_expr *limit);

ast_stmt *ast_stmt_new(arena *a, ast_stmt_kind kind, sql_span sp);
ast_column_def *ast_column_def_new(arena *a, sql_span sp, ast_name name, ast_type_ref type,
                                   int not_null);
/* `parts` holds ast_name pointers (the dotted key); `key` is made from them. */
ast_option *ast_option_new(arena *a, sql_span sp, ast_list *parts, int key_is_string,
                           ast_expr *value);
ast_insert *ast_insert_new(arena *a, sql_span sp, int expedited, ast_name stream,
                           ast_list *columns, ast_query *q);
ast_param *ast_param_new(arena *a, sql_span sp, ast_name name, ast_type_ref type);

/* Makes a span from the first byte of `first` to the end of `last`. */
static inline sql_span sql_span_join(sql_span first, sql_span last) {
    sql_span s;
    s.off = first.off;
    s.len = last.off + last.len >= first.off ? last.off + last.len - first.off : first.len;
    return s;
}

/* Structural equality of two trees, ignoring offsets and the printing-only
 * flags (quoted-ness of names is kept: it changes meaning only through the
 * normalised name, which is compared). Returns 1 when equal. Used by the
 * round-trip tests. */
int ast_stmt_equal(const ast_stmt *x, const ast_stmt *y);
int ast_expr_equal(const ast_expr *x, const ast_expr *y);

/* Names of enum values for printing and debugging. Never NULL. */
const char *ast_time_unit_name(ast_time_unit u);
const char *ast_op_name(ast_op op);

#endif
