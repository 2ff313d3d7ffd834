/*
 * planner_int.h — shared only inside planner/: the planning context, name
 * scopes, the aggregate context, and the functions each clause-family file
 * provides to the others.
 *
 *   resolve_names.c  scopes, column references, *, "did you mean"
 *   check_types.c    expressions: literals, operators, casts, calls
 *   plan_agg.c       aggregates, GROUP BY (tumbling), monotonicity
 *   plan_window.c    OVER windows (sliding), STAGGER, ORDER BY, T-sort
 *   plan_join.c      FROM: streams, tables, sub-queries, table functions, joins
 *   planner.c        statements, SELECT assembly, UNION, pumps
 *   explain.c        EXPLAIN text
 */
#ifndef EDDY_PLANNER_INT_H
#define EDDY_PLANNER_INT_H

#include "planner.h"

#define PL_MAX_RELS 16

/* One relation visible in a scope (a FROM item). */
typedef struct pl_rel {
    const char *alias;    /* name for qualified references */
    uint32_t first_col;   /* index of its first column in the input row */
    const plan_col *cols;
    uint32_t n_cols;
    uint8_t is_stream;    /* has a ROWTIME */
    uint8_t is_source;    /* bound to a stored stream: has APPROXIMATE_ARRIVAL_TIME */
    uint32_t rt_index;    /* PX_ROWTIME u.col.index for its ROWTIME */
    uint32_t off, len;    /* the FROM item's span */
} pl_rel;

typedef struct pl_scope {
    pl_rel rels[PL_MAX_RELS];
    uint32_t n_rels;
    uint8_t join;            /* two inputs: unqualified ROWTIME is the later one */
    uint8_t in_on;           /* resolving a join's ON condition, where s.ROWTIME
                                of either input is known */
    uint32_t join_rt_col;    /* join: the output column holding the left input's
                                ROWTIME; the right one's follows it */
    /* A sub-query's scope: names it does not have resolve here (the
     * enclosing query's columns, with their own indices). */
    struct pl_scope *outer;
    /* SQL function inlining: parameter names bound to planned arguments. */
    const cat_param *params;
    plan_expr **param_vals;
    uint32_t n_params;
} pl_scope;

/* How aggregate calls are treated while resolving an expression. */
typedef enum {
    PL_AGG_FORBID,  /* WHERE, GROUP BY keys, ON: aggregates are errors */
    PL_AGG_GROUP,   /* select/HAVING over GROUP BY or STAGGER output */
    PL_AGG_SLIDE    /* select over OVER aggregates */
} pl_agg_mode;

typedef struct pl_aggctx {
    pl_agg_mode mode;
    const char *clause;          /* "WHERE", "GROUP BY", ... for messages */
    /* PL_AGG_GROUP: the group keys; a matching expression is a key column. */
    ast_expr **keys;
    plan_expr **key_exprs;
    uint32_t n_keys;
    /* Collected aggregates: output column n_base + i. */
    const ast_expr **agg_ast;
    plan_agg *aggs;
    uint32_t n_aggs, cap_aggs;
    uint32_t n_base;             /* keys (GROUP) or input columns (SLIDE) */
    pl_scope *inner;             /* scope aggregate arguments resolve in */
    const ast_select *sel;       /* for named windows */
    plan_window **windows;       /* distinct windows (SLIDE) */
    uint32_t n_windows, cap_windows;
} pl_aggctx;

typedef struct pl {
    arena *a;
    catalog *cat;
    const udf_registry *reg;
    const char *text;
    size_t text_len;
    eddy_err *err;
    int depth;                   /* SQL function inlining depth */
    const ast_select *sel;       /* the SELECT being planned (WINDOW clause) */
    const char **reads;          /* streams the statement reads */
    uint32_t n_reads, cap_reads;
    /* Row-returning calls (the log parsers) in a select list: the field
     * (1-based) the next top-level call is planned for, 0 = none; the
     * call leaves its fields in row_fields. See plan_rowfn.c. */
    uint32_t row_field;
    /* The next SELECT planned is a pump's INSERT query, where KDA also
     * takes SELECT without STREAM over a stream (its HOTSPOTS example). */
    int pump_select;
    const struct udf_row_field *row_fields;
    uint32_t n_row_fields;
} pl;

/* Sets an error at a span and returns NULL-friendly EDDY_E_SEMANTIC. */
int pl_error(pl *p, uint32_t off, uint32_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int pl_unsupported(pl *p, uint32_t off, uint32_t len, const char *what);

/* Allocation helpers (arena; NULL sets a NOMEM error once). */
void *pl_alloc(pl *p, size_t n);
plan_node *pl_node(pl *p, plan_kind k, uint32_t n_inputs, uint32_t off, uint32_t len);
plan_expr *pl_new_expr(pl *p, plan_expr_kind k, eddy_type t, uint32_t off, uint32_t len);
/* An operator over planned operands (a not NULL; b NULL: unary), NULL when
 * memory runs out; nullable when an operand is. No type checks. */
plan_expr *pl_op_expr(pl *p, plan_op op, eddy_type t, plan_expr *a, plan_expr *b, uint32_t off, uint32_t len);
plan_expr *pl_colref(pl *p, uint32_t index, const plan_col *c, uint32_t off, uint32_t len);
plan_expr *pl_cast(pl *p, plan_expr *e, eddy_type to);
void pl_note_read(pl *p, const char *stream);

/* plan_rowfn.c: whether a select item is a row-returning call, and its
 * fields planned as columns named "<alias>.<field>" appended to the
 * select list's exprs/names. */
int pl_is_row_call(pl *p, const ast_expr *e);
int pl_plan_row_call(pl *p, const ast_expr *e, pl_scope *sc, pl_aggctx *ac, const char *alias,
                     plan_expr ***exprs, const char ***names, uint32_t *n, uint32_t *cap);
/* The plan_expr for one field of a row call (check_types.c's call()). */
plan_expr *pl_row_field_call(pl *p, const ast_expr *e, const udf_func *f, plan_expr **xa, uint32_t na,
                             uint32_t k);

/* resolve_names.c */
/* The column of the scope's input row at `index`, or NULL. */
const plan_col *pl_scope_col(const pl_scope *sc, uint32_t index);
plan_expr *pl_resolve_column(pl *p, const ast_expr *e, pl_scope *sc);
/* Appends a select item (expression and name), growing both arrays. */
int pl_push_item(pl *p, plan_expr *x, const char *name, plan_expr ***exprs, const char ***names, uint32_t *n,
                 uint32_t *cap);
int pl_expand_star(pl *p, const ast_expr *e, pl_scope *sc, plan_expr ***exprs,
                   const char ***names, uint32_t *n, uint32_t *cap);
int pl_is_rowtime_name(const ast_name *n);

/* check_types.c */
plan_expr *pl_expr(pl *p, const ast_expr *e, pl_scope *sc, pl_aggctx *ac);
plan_expr *pl_bool_expr(pl *p, const ast_expr *e, pl_scope *sc, pl_aggctx *ac,
                        const char *clause);
int pl_interval_ms(pl *p, const ast_expr *e, int64_t *ms);
int pl_literal_int(pl *p, const ast_expr *e, int64_t *v);
const char *pl_time_unit_name(ast_time_unit u);
int64_t pl_unit_ms(ast_time_unit u);
/* Makes a fresh name for an unnamed output column: EXPR$<i>. */
const char *pl_expr_name(pl *p, const ast_expr *e, uint32_t i);

/* plan_agg.c */
int pl_is_agg_call(pl *p, const ast_expr *e);
/* Finds the first aggregate call without OVER (*plain) and with OVER (*over)
 * in an expression tree; sub-queries are not entered. */
void pl_find_aggs(pl *p, const ast_expr *e, const ast_expr **plain, const ast_expr **over);
plan_expr *pl_agg_call(pl *p, const ast_expr *e, pl_aggctx *ac);
/* Resolves the GROUP BY keys, checks the streaming rules (a monotonic key,
 * at most one ROWTIME key) and returns the TUMBLE_AGG node (aggregates are
 * added by pl_agg_finish once the select list and HAVING are resolved). */
plan_node *pl_plan_group(pl *p, const ast_select *s, plan_node *in, pl_scope *sc,
                         pl_aggctx *ac, int is_stream);
/* Stores the collected aggregates into an aggregate node and builds its
 * output schema (keys or input columns, then one column per aggregate). */
int pl_agg_finish(pl *p, plan_node *n, pl_aggctx *ac);
/* Monotonicity of a planned expression: 0 none, 1 ascending, -1 descending,
 * 2 constant. *on_rowtime is set when it reads ROWTIME. */
int pl_monotonic(const plan_expr *e, int *on_rowtime);
int pl_uses_rowtime(const plan_expr *e);

/* plan_window.c */
plan_window *pl_window(pl *p, const ast_window *w, pl_aggctx *ac);
plan_node *pl_plan_stagger(pl *p, const ast_select *s, plan_node *in, pl_scope *sc,
                           pl_aggctx *ac);
/* ORDER BY over the select output `in` (a PROJECT): T-sort when WITHIN is
 * given, else a sort with a leading monotonic time key. item_col[i] is the
 * output column of select item i (-1 for * items); rowtime_item is the
 * item aliased AS ROWTIME or -1. `alias` (may be NULL) is the name of the
 * query's single FROM relation, so that s.ROWTIME and s.col also resolve
 * (against the output, which keeps the input's ROWTIME). */
plan_node *pl_plan_order(pl *p, const ast_query *q, plan_node *in, const ast_select *s,
                         const int32_t *item_col, int rowtime_item, const char *alias);

/* plan_join.c */
plan_node *pl_plan_from(pl *p, const ast_from *f, pl_scope *sc, int *is_stream);
/* Whether e is `x [NOT] IN (SELECT ...)` or `[NOT] EXISTS (SELECT ...)`. */
int pl_is_subquery_pred(const ast_expr *e);
/* Plans a WHERE conjunct of that kind over `in` as a SEMI or ANTI join with
 * the sub-query's reference table (plan_join.c); sc is the query's scope. */
plan_node *pl_plan_subquery_pred(pl *p, plan_node *in, const ast_expr *e, pl_scope *sc);

/* planner.c */
plan_node *pl_plan_query(pl *p, const ast_query *q, int top, int *is_stream);

#endif
