/*
 * plan_join.c — the FROM clause: in-application streams and reference
 * tables from the catalog, sub-queries, table functions
 * TABLE(fn(CURSOR(SELECT STREAM ...), args)), and joins: stream-to-stream
 * with an OVER window on at least one side (SQL.md §5.2) and
 * stream-to-table (§5.1). Each FROM item adds its relation(s) to the scope
 * so that names resolve against the concatenated row (left, then right).
 */
#include "planner_int.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

static int add_rel(pl *p, pl_scope *sc, const ast_from *f, const char *alias, const plan_node *n,
                   uint32_t first_col, int is_stream) {
    if (sc->n_rels == PL_MAX_RELS)
        return pl_unsupported(p, f->off, f->len, "a FROM clause with more than 16 relations");
    for (uint32_t i = 0; alias && i < sc->n_rels; i++)
        if (sc->rels[i].alias && !strcmp(sc->rels[i].alias, alias))
            return pl_error(p, f->off, f->len, "name \"%s\" is used twice in FROM", alias);
    pl_rel *r = &sc->rels[sc->n_rels++];
    memset(r, 0, sizeof *r);
    r->alias = alias;
    r->first_col = first_col;
    r->cols = n->out.cols;
    r->n_cols = n->out.n_cols;
    r->is_stream = (uint8_t)is_stream;
    r->off = f->off;
    r->len = f->len;
    return 0;
}

/* Length of the "ROW." prefix of a flattened row field (plan_rowfn.c), 0
 * for an ordinary column (whose name may hold dots of its own). */
static size_t row_prefix(const plan_col *c) {
    const char *dot = c->row_field ? strchr(c->name, '.') : NULL;
    return dot ? (size_t)(dot - c->name) + 1 : 0;
}

/* Columns i.. that make one column of the column list: a row's fields
 * count as one. */
static uint32_t group_len(const plan_node *n, uint32_t i) {
    size_t k = row_prefix(&n->out.cols[i]);
    uint32_t j = i + 1;
    while (k && j < n->out.n_cols && row_prefix(&n->out.cols[j]) == k &&
           !memcmp(n->out.cols[j].name, n->out.cols[i].name, k))
        j++;
    return j - i;
}

/* Applies AS alias(c1, c2, ...) column renames to a node's schema; a
 * row's fields take one name, as the row they came from (l(r) makes
 * R.COLUMN1, R.COLUMN2, ...). */
static int rename_cols(pl *p, const ast_from *f, plan_node *n) {
    if (!f->n_col_aliases) return 0;
    uint32_t logical = 0;
    for (uint32_t i = 0; i < n->out.n_cols; i += group_len(n, i)) logical++;
    if (f->n_col_aliases != logical)
        return pl_error(p, f->off, f->len, "\"%s\" has %u columns but %u names were given",
                        f->alias.s ? f->alias.s : "relation", logical, f->n_col_aliases);
    plan_col *cols = pl_alloc(p, n->out.n_cols * sizeof *cols);
    if (!cols) return EDDY_E_NOMEM;
    for (uint32_t i = 0, a = 0; i < n->out.n_cols; a++) {
        uint32_t g = group_len(n, i);
        for (uint32_t j = i; j < i + g; j++) {
            cols[j] = n->out.cols[j];
            size_t k = row_prefix(&n->out.cols[j]);
            cols[j].name = k ? arena_sprintf(p->a, "%s.%s", f->col_aliases[a].s, n->out.cols[j].name + k)
                             : f->col_aliases[a].s;
            if (!cols[j].name) return EDDY_E_NOMEM;
        }
        i += g;
    }
    n->out.cols = cols;
    return 0;
}

static plan_node *plan_named(pl *p, const ast_from *f, pl_scope *sc, int *is_stream) {
    const ast_name *nm = &f->u.named.name;
    const cat_stream *s = catalog_stream(p->cat, nm->s);
    if (!s) {
        catalog_not_found(p->cat, "stream", nm->s, p->err);
        p->err->off = nm->off;
        p->err->len = nm->len;
        p->err->has_pos = 1;
        return NULL;
    }
    if (s->kind == CAT_ERROR) {
        pl_error(p, nm->off, nm->len, "\"%s\" cannot be read by application SQL", s->name);
        eddy_err_hint(p->err, "Route it to a destination instead.");
        return NULL;
    }
    plan_node *n = pl_node(p, s->kind == CAT_TABLE ? PLAN_TABLE_SCAN : PLAN_STREAM_SCAN, 0, f->off,
                           f->len);
    if (!n) return NULL;
    n->out.cols = s->cols;
    n->out.n_cols = s->n_cols;
    n->out.rowtime = PLAN_RT_INPUT;
    n->out.ordered = s->kind != CAT_TABLE;
    if (s->kind == CAT_TABLE) n->u.table_scan.table = s->name;
    else n->u.stream_scan.stream = s->name;
    pl_note_read(p, s->name);
    *is_stream = s->kind != CAT_TABLE;
    if (rename_cols(p, f, n) != 0) return NULL;
    if (add_rel(p, sc, f, f->alias.s ? f->alias.s : s->name, n, 0, *is_stream) != 0) return NULL;
    sc->rels[sc->n_rels - 1].is_source = s->kind != CAT_TABLE && s->source.stream != NULL;
    return n;
}

/* A constant argument as written, or NULL when it is not a literal (the
 * runtime checks those when it evaluates them). */
static const eddy_value *lit_arg(plan_expr *const *args, uint32_t n, uint32_t i) {
    if (i >= n || !args[i] || args[i]->kind != PX_LITERAL) return NULL;
    return &args[i]->u.lit;
}

/* The literal integer arguments of a table function against their ranges
 * (udf_int_range, shared with the operators). */
static int int_args_in(pl *p, const udf_func *fn, plan_expr *const *args, uint32_t n) {
    for (int k = 0; k < fn->n_int_ranges; k++) {
        const udf_int_range *r = &fn->int_ranges[k];
        const eddy_value *v = lit_arg(args, n, (uint32_t)r->arg);
        if (!v) continue;
        int64_t hi = r->hi;
        const eddy_value *b = r->below_arg >= 0 ? lit_arg(args, n, (uint32_t)r->below_arg) : NULL;
        if (b && !b->is_null && b->u.i < hi) hi = b->u.i;
        if (v->is_null || v->u.i < r->lo || v->u.i > hi)
            return pl_error(p, args[r->arg]->off, args[r->arg]->len, "%s of %s must be from %lld to %lld", r->what,
                            fn->name, (long long)r->lo, (long long)hi);
    }
    return 0;
}

/* The input column a 'columnName' argument names: the exact name, else the
 * one column that matches ignoring case (AWS's examples write 'TICKER_SYMBOL'
 * for columns declared both ways). */
static int col_arg(pl *p, const char *fn, const plan_node *in, plan_expr *const *args, uint32_t n, uint32_t i,
                   uint32_t off, uint32_t len, int32_t *out) {
    const eddy_value *v = lit_arg(args, n, i);
    if (!v || v->is_null)
        return pl_error(p, i < n ? args[i]->off : off, i < n ? args[i]->len : len,
                        "argument %u of %s must be a column name in single quotes", i + 1, fn);
    int32_t found = -1, folded = -1, n_folded = 0;
    for (uint32_t c = 0; c < in->out.n_cols; c++) {
        const char *name = in->out.cols[c].name;
        if (strlen(name) == v->u.s.n && !memcmp(name, v->u.s.p, v->u.s.n)) found = (int32_t)c;
        else if (strlen(name) == v->u.s.n && !strncasecmp(name, v->u.s.p, v->u.s.n)) folded = (int32_t)c, n_folded++;
    }
    if (found < 0 && n_folded == 1) found = folded;
    if (found < 0) {
        pl_error(p, args[i]->off, args[i]->len, "the CURSOR of %s has no column '%.*s'", fn, (int)v->u.s.n,
                 v->u.s.p);
        if (n_folded > 1) eddy_err_hint(p->err, "Several columns match it ignoring case; write it exactly.");
        return EDDY_E_SEMANTIC;
    }
    *out = found;
    return 0;
}

static int is_word_arg(plan_expr *const *args, uint32_t n, uint32_t i, const char *a, const char *b) {
    const eddy_value *v = lit_arg(args, n, i);
    if (!v) return 1;
    if (v->is_null) return 0;
    return (v->u.s.n == strlen(a) && !strncasecmp(v->u.s.p, a, v->u.s.n)) ||
           (v->u.s.n == strlen(b) && !strncasecmp(v->u.s.p, b, v->u.s.n));
}

/* Checks the constant arguments of the table functions the runtime runs,
 * so that a bad one is reported with its position at compile time.
 * args[0] is the cursor (NULL here). */
static int check_table_func_args(pl *p, const udf_func *fn, const plan_node *in, plan_expr *const *args,
                                 uint32_t n, uint32_t off, uint32_t len, int32_t *col) {
    const char *s = fn->specific;
    *col = -1;
    if (int_args_in(p, fn, args, n)) return EDDY_E_SEMANTIC;
    if (!strcmp(s, "TOP_K_ITEMS_TUMBLING") || !strcmp(s, "COUNT_DISTINCT_ITEMS_TUMBLING"))
        return col_arg(p, s, in, args, n, 1, off, len, col);
    if (!strcmp(s, "GROUP_RANK")) {
        if (col_arg(p, s, in, args, n, 1, off, len, col)) return EDDY_E_SEMANTIC;
        const eddy_value *out = lit_arg(args, n, 2);
        if (out && (out->is_null || out->u.s.n == 0))
            return pl_error(p, args[2]->off, args[2]->len, "the rank column name of GROUP_RANK must not be empty");
        for (uint32_t c = 0; out && !out->is_null && c < in->out.n_cols; c++)
            if (strlen(in->out.cols[c].name) == out->u.s.n && !memcmp(in->out.cols[c].name, out->u.s.p, out->u.s.n))
                return pl_error(p, args[2]->off, args[2]->len,
                                "the rank column of GROUP_RANK is named like a column of its CURSOR (%s)",
                                in->out.cols[c].name);
        for (uint32_t i = 3; i <= 4; i++)
            if (!is_word_arg(args, n, i, "asc", "desc"))
                return pl_error(p, args[i]->off, args[i]->len, "%s of %s must be 'asc' or 'desc'",
                                i == 3 ? "sortOrder" : "outputOrder", s);
        return 0;
    }
    if (!strcmp(s, "RANDOM_CUT_FOREST") || !strcmp(s, "RANDOM_CUT_FOREST_WITH_EXPLANATION") ||
        !strcmp(s, "HOTSPOTS")) {
        uint32_t numeric = 0;
        for (uint32_t c = 0; c < in->out.n_cols; c++) {
            eddy_type_id t = in->out.cols[c].type.id;
            numeric += t == EDDY_T_TINYINT || t == EDDY_T_SMALLINT || t == EDDY_T_INTEGER || t == EDDY_T_BIGINT ||
                       t == EDDY_T_REAL || t == EDDY_T_DOUBLE;
        }
        if (!numeric)
            return pl_error(p, off, len,
                            "the CURSOR of %s has no numeric column (DOUBLE, REAL, INTEGER, BIGINT, SMALLINT, "
                            "TINYINT; DECIMAL is not used)", s);
    }
    return 0;
}

static plan_node *plan_table_func(pl *p, const ast_from *f, pl_scope *sc, int *is_stream) {
    const ast_expr *c = f->u.func.call;
    const char *name = c->u.call.name.s;
    uint32_t n = c->u.call.n_args;
    if (n == 0 || c->u.call.args[0]->kind != AST_E_CURSOR) {
        pl_error(p, c->off, c->len, "the first argument of table function %s must be CURSOR(SELECT STREAM ...)",
                 name);
        return NULL;
    }
    if (n > UDF_MAX_ARGS) {
        pl_error(p, c->off, c->len, "too many arguments for %s", name);
        return NULL;
    }
    int in_stream = 0;
    plan_node *in = pl_plan_query(p, c->u.call.args[0]->u.query.query, 0, &in_stream);
    if (!in) return NULL;
    if (!in_stream) {
        const ast_expr *a = c->u.call.args[0];
        pl_error(p, a->off, a->len, "the CURSOR of %s must select from a stream", name);
        return NULL;
    }
    eddy_type types[UDF_MAX_ARGS], cast_to[UDF_MAX_ARGS], ret;
    plan_expr **args = pl_alloc(p, n * sizeof *args);
    if (!args) return NULL;
    types[0] = (eddy_type){(eddy_type_id)UDF_A_CURSOR, 0, 0};
    pl_scope empty;
    memset(&empty, 0, sizeof empty);
    pl_aggctx forbid = {.mode = PL_AGG_FORBID, .clause = "table function arguments"};
    for (uint32_t i = 1; i < n; i++) {
        if (!(args[i] = pl_expr(p, c->u.call.args[i], &empty, &forbid))) return NULL;
        types[i] = args[i]->type;
    }
    const udf_func *fn;
    eddy_err lerr;
    eddy_err_clear(&lerr);
    if (udf_lookup(p->reg, name, UDF_TABLE, (int)n, types, &fn, cast_to, &ret, &lerr) != 0) {
        pl_error(p, c->off, c->len, "%s", lerr.msg);
        if (lerr.hint[0]) eddy_err_hint(p->err, "%s", lerr.hint);
        return NULL;
    }
    plan_node *nd = pl_node(p, PLAN_TABLE_FUNC, 1, f->off, f->len);
    eddy_type *at = pl_alloc(p, n * sizeof *at);
    if (!nd || !at) return NULL;
    nd->inputs[0] = in;
    at[0] = types[0];
    for (uint32_t i = 1; i < n; i++) {
        if (args[i]->type.id != cast_to[i].id && !(args[i] = pl_cast(p, args[i], cast_to[i])))
            return NULL;
        at[i] = args[i]->type;
    }
    args[0] = NULL;
    if (check_table_func_args(p, fn, in, args, n, c->off, c->len, &nd->u.table_func.col) != 0) return NULL;
    nd->u.table_func.call = (udf_call){fn, (int)n, at, ret};
    nd->u.table_func.args = args + 1;
    nd->u.table_func.n_args = n - 1;
    uint32_t keep = fn->passthrough ? in->out.n_cols : 0;
    plan_col *cols = pl_alloc(p, (keep + (uint32_t)fn->n_out_cols + 1) * sizeof *cols);
    if (!cols) return NULL;
    if (keep) memcpy(cols, in->out.cols, keep * sizeof *cols);
    for (uint32_t i = 0; i < keep; i++) cols[i].mono = 0;   /* table functions reorder rows */
    for (int i = 0; i < fn->n_out_cols; i++) {
        cols[keep + i] = (plan_col){fn->out_cols[i].name, fn->out_cols[i].type, 1, 0, 0};
    }
    if (!strcmp(fn->specific, "GROUP_RANK") && n > 2 && args[2]->kind == PX_LITERAL &&
        !args[2]->u.lit.is_null) {
        cols[keep].name = args[2]->u.lit.u.s.p;
        nd->u.table_func.rank_col = cols[keep].name;
    }
    nd->out.cols = cols;
    nd->out.n_cols = keep + (uint32_t)fn->n_out_cols;
    nd->out.rowtime = PLAN_RT_INPUT;
    nd->out.ordered = in->out.ordered;
    *is_stream = 1;
    if (rename_cols(p, f, nd) != 0) return NULL;
    if (add_rel(p, sc, f, f->alias.s, nd, 0, 1) != 0) return NULL;
    return nd;
}

static const ast_window *join_window_ast(pl *p, const ast_window *w) {
    if (!w || !w->name_only) return w;
    for (uint32_t i = 0; p->sel && i < p->sel->n_windows; i++)
        if (!strcmp(p->sel->windows[i]->name.s, w->ref.s)) return p->sel->windows[i]->spec;
    pl_error(p, w->ref.off, w->ref.len, "window \"%s\" does not exist", w->ref.s);
    return NULL;
}

static int side_window(pl *p, const ast_window *w0, plan_side_window *out) {
    memset(out, 0, sizeof *out);
    if (!w0) return 0;
    const ast_window *w = join_window_ast(p, w0);
    if (!w) return EDDY_E_SEMANTIC;
    if (w->n_partition)
        return pl_error(p, w->off, w->len, "PARTITION BY is not allowed in a join window");
    if (w->between && w->end.kind != AST_BOUND_CURRENT_ROW)
        return pl_error(p, w->off, w->len, "only windows that end at the current row are supported");
    if (w->frame == AST_FRAME_NONE)
        return pl_error(p, w->off, w->len, "join window has no frame");
    if (w->start.kind == AST_BOUND_CURRENT_ROW) {
        out->kind = w->frame == AST_FRAME_ROWS ? PLAN_SIDE_ROWS : PLAN_SIDE_RANGE;
        return 0;
    }
    if (w->start.kind != AST_BOUND_PRECEDING)
        return pl_error(p, w->off, w->len, "only windows that end at the current row are supported");
    if (w->frame == AST_FRAME_ROWS) {
        out->kind = PLAN_SIDE_ROWS;
        return pl_literal_int(p, w->start.offset, &out->rows);
    }
    out->kind = PLAN_SIDE_RANGE;
    return pl_interval_ms(p, w->start.offset, &out->range_ms);
}

#define BOOL_T ((eddy_type){EDDY_T_BOOLEAN, 0, 0})

/* a = b compared in their common type; NULL when they have none
 * (*incompatible set, nothing reported) or memory runs out. */
static plan_expr *eq_common(pl *p, plan_expr *a, plan_expr *b, uint32_t off, uint32_t len, int *incompatible) {
    eddy_type ct;
    *incompatible = udf_common_type(a->type, b->type, &ct) != 0;
    if (*incompatible) return NULL;
    plan_expr *ca = pl_cast(p, a, ct), *cb = ca ? pl_cast(p, b, ct) : NULL;
    plan_expr *eq = cb ? pl_op_expr(p, PLAN_OP_EQ, BOOL_T, ca, cb, off, len) : NULL;
    if (eq) eq->nullable = 1;
    return eq;
}

/* acc AND x, either of which may be NULL (absent). */
static plan_expr *and_of(pl *p, plan_expr *acc, plan_expr *x, uint32_t off, uint32_t len) {
    if (!acc || !x) return acc ? acc : x;
    return pl_op_expr(p, PLAN_OP_AND, BOOL_T, acc, x, off, len);
}

static plan_node *plan_join(pl *p, const ast_from *f, pl_scope *sc, int *is_stream) {
    const ast_from *lf = f->u.join.left, *rf = f->u.join.right;
    int ls = 0, rs = 0;
    uint32_t rel0 = sc->n_rels;
    plan_node *l = pl_plan_from(p, lf, sc, &ls);
    if (!l) return NULL;
    uint32_t rel_mid = sc->n_rels;
    plan_node *r = pl_plan_from(p, rf, sc, &rs);
    if (!r) return NULL;
    for (uint32_t i = rel0; i < sc->n_rels; i++) {
        sc->rels[i].rt_index = i < rel_mid ? 0 : 1;
        if (i >= rel_mid) sc->rels[i].first_col += l->out.n_cols;
    }
    sc->join = 1;
    if (!ls && !rs) {
        pl_unsupported(p, f->off, f->len, "a join of two tables");
        return NULL;
    }
    if (!ls && rs) {
        pl_unsupported(p, lf->off, lf->len, "a table on the left of a join with a stream");
        eddy_err_hint(p->err, "Put the stream first: FROM stream LEFT JOIN table ON ...");
        return NULL;
    }
    plan_join_kind jk = (plan_join_kind)f->u.join.kind;
    plan_node *n = pl_node(p, rs ? PLAN_STREAM_JOIN : PLAN_TABLE_JOIN, 2, f->off, f->len);
    if (!n) return NULL;
    n->inputs[0] = l;
    n->inputs[1] = r;
    n->u.join.kind = jk;
    if (rs) {
        if (side_window(p, lf->over, &n->u.join.left) != 0) return NULL;
        if (side_window(p, rf->over, &n->u.join.right) != 0) return NULL;
        if (!lf->over && !rf->over) {
            pl_error(p, f->off, f->len, "stream-to-stream join needs a window on at least one side");
            eddy_err_hint(p->err, "Add OVER (RANGE INTERVAL '1' MINUTE PRECEDING) after one of the streams.");
            return NULL;
        }
    } else {
        if (rf->over) {
            pl_error(p, rf->over->off, rf->over->len, "a reference table takes no window");
            return NULL;
        }
        if (jk != PLAN_JOIN_INNER && jk != PLAN_JOIN_LEFT) {
            pl_unsupported(p, f->off, f->len, "a RIGHT or FULL join of a stream with a table");
            return NULL;
        }
        n->u.join.table = r->u.table_scan.table;
    }
    uint32_t nl = l->out.n_cols, nr = r->out.n_cols;
    plan_col *cols = pl_alloc(p, (nl + nr + 2) * sizeof *cols);
    if (!cols) return NULL;
    memcpy(cols, l->out.cols, nl * sizeof *cols);
    memcpy(cols + nl, r->out.cols, nr * sizeof *cols);
    for (uint32_t i = 0; i < nl + nr; i++) {
        int right = i >= nl;
        /* Only a stream's join with a table keeps the stream's row order. */
        if (right || r->kind != PLAN_TABLE_SCAN) cols[i].mono = 0;
        if ((right && (jk == PLAN_JOIN_LEFT || jk == PLAN_JOIN_FULL)) ||
            (!right && (jk == PLAN_JOIN_RIGHT || jk == PLAN_JOIN_FULL)))
            cols[i].nullable = 1;
    }
    /* Then each input's own ROWTIME (NULL for a side a row does not have),
     * for s.ROWTIME above the join; `*` does not reach them. */
    cols[nl + nr] = (plan_col){"LEFT$ROWTIME", {EDDY_T_TIMESTAMP, 0, 0}, 1, 0, 0};
    cols[nl + nr + 1] = (plan_col){"RIGHT$ROWTIME", {EDDY_T_TIMESTAMP, 0, 0}, 1, 0, 0};
    sc->join_rt_col = nl + nr;
    n->out.cols = cols;
    n->out.n_cols = nl + nr + 2;
    n->out.rowtime = rs ? PLAN_RT_JOIN_LATER : PLAN_RT_INPUT;
    n->out.ordered = 1;
    pl_aggctx forbid = {.mode = PL_AGG_FORBID, .clause = "JOIN conditions"};
    if (f->u.join.on) {
        sc->in_on = 1;
        n->u.join.cond = pl_bool_expr(p, f->u.join.on, sc, &forbid, "ON");
        sc->in_on = 0;
        if (!n->u.join.cond) return NULL;
    } else if (f->u.join.n_using || f->u.join.natural) {
        /* NATURAL JOIN is USING over the names both sides have. */
        uint32_t n_u = f->u.join.n_using;
        const ast_name *us = f->u.join.using_;
        if (f->u.join.natural) {
            ast_name *common = pl_alloc(p, (nl ? nl : 1) * sizeof *common);
            if (!common) return NULL;
            n_u = 0;
            for (uint32_t a = 0; a < nl; a++)
                for (uint32_t b = 0; b < nr; b++)
                    if (!strcmp(l->out.cols[a].name, r->out.cols[b].name)) {
                        common[n_u] = (ast_name){.s = l->out.cols[a].name, .off = f->off, .len = f->len};
                        n_u++;
                        break;
                    }
            us = common;
            if (n_u == 0 && !rs) {
                pl_error(p, f->off, f->len, "NATURAL JOIN: the stream and the table have no column name in common");
                return NULL;
            }
        }
        plan_expr *acc = NULL;
        for (uint32_t i = 0; i < n_u; i++) {
            const ast_name *u = &us[i];
            int li = -1, ri = -1;
            for (uint32_t k = 0; k < nl; k++)
                if (!strcmp(l->out.cols[k].name, u->s)) li = (int)k;
            for (uint32_t k = 0; k < nr; k++)
                if (!strcmp(r->out.cols[k].name, u->s)) ri = (int)k;
            if (li < 0 || ri < 0) {
                pl_error(p, u->off, u->len, "column \"%s\" in USING is not on both sides of the join", u->s);
                return NULL;
            }
            plan_expr *a = pl_colref(p, (uint32_t)li, &cols[li], u->off, u->len);
            plan_expr *b = pl_colref(p, nl + (uint32_t)ri, &cols[nl + ri], u->off, u->len);
            if (!a || !b) return NULL;
            int incompatible;
            plan_expr *eq = eq_common(p, a, b, u->off, u->len, &incompatible);
            if (incompatible) pl_error(p, u->off, u->len, "USING column \"%s\" has incompatible types", u->s);
            if (!eq || !(acc = and_of(p, acc, eq, f->off, f->len))) return NULL;
        }
        n->u.join.cond = acc;
    } else if (jk != PLAN_JOIN_CROSS) {
        pl_error(p, f->off, f->len, "JOIN needs an ON or USING condition");
        return NULL;
    }
    *is_stream = 1;
    return n;
}

plan_node *pl_plan_from(pl *p, const ast_from *f, pl_scope *sc, int *is_stream) {
    if (!f) {
        if (!p->err->code) eddy_err_set(p->err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    if (f->over && f->kind != AST_F_NAMED && f->kind != AST_F_SUBQUERY) {
        pl_error(p, f->over->off, f->over->len, "OVER after a FROM item is only allowed on streams in a join");
        return NULL;
    }
    switch (f->kind) {
    case AST_F_NAMED: return plan_named(p, f, sc, is_stream);
    case AST_F_SUBQUERY: {
        plan_node *n = pl_plan_query(p, f->u.query.query, 0, is_stream);
        if (!n || rename_cols(p, f, n) != 0) return NULL;
        if (add_rel(p, sc, f, f->alias.s, n, 0, *is_stream) != 0) return NULL;
        return n;
    }
    case AST_F_TABLE_FUNC: return plan_table_func(p, f, sc, is_stream);
    case AST_F_JOIN: return plan_join(p, f, sc, is_stream);
    }
    pl_unsupported(p, f->off, f->len, "this FROM item");
    return NULL;
}

/* ---- IN / EXISTS sub-queries -------------------------------------------------- */

int pl_is_subquery_pred(const ast_expr *e) {
    if (e->kind == AST_E_UNARY && e->u.unary.op == AST_OP_NOT) e = e->u.unary.arg;
    return e->kind == AST_E_IN_QUERY || e->kind == AST_E_EXISTS;
}


/* `x [NOT] IN (SELECT c FROM t [WHERE ...])`, `(x, y) [NOT] IN (SELECT c, d
 * ...)` and `[NOT] EXISTS (SELECT ... FROM t [WHERE ...])`, where t is a
 * reference table and the sub-query's WHERE may name the enclosing query's
 * columns (its own names first). Each becomes a SEMI or ANTI join of the
 * stream with t:
 *   IN          SEMI on (x = c AND where)
 *   EXISTS      SEMI on where
 *   NOT EXISTS  ANTI on where
 *   NOT IN      ANTI on (where AND (x = c) IS NOT FALSE): a row goes when
 *               some table row equals it or compares NULL with it, so a NULL
 *               x or a NULL c leaves nothing, as SQL's NOT IN does, and an
 *               empty set keeps every row. */
plan_node *pl_plan_subquery_pred(pl *p, plan_node *in, const ast_expr *e, pl_scope *sc) {
    int not_ = 0;
    const ast_expr *pred = e;
    if (pred->kind == AST_E_UNARY) {
        not_ = 1;
        pred = pred->u.unary.arg;
    }
    int is_in = pred->kind == AST_E_IN_QUERY;
    if (is_in) not_ ^= pred->u.in.negated;
    const ast_query *q = is_in ? pred->u.in.query : pred->u.query.query;
    const ast_select *ss = q->kind == AST_Q_SELECT ? q->u.select : NULL;
    if (ss && ss->stream) {
        pl_unsupported(p, q->off, q->len, "a sub-query over a stream");
        eddy_err_hint(p->err, "IN (SELECT ...) and EXISTS read a reference table; join streams with JOIN.");
        return NULL;
    }
    if (!ss || q->n_order_by || q->limit || q->within || ss->n_group_by || ss->having || ss->stagger ||
        ss->n_windows || !ss->from || ss->from->kind != AST_F_NAMED) {
        pl_unsupported(p, q->off, q->len, "a sub-query with a join, grouping, windows, ORDER BY or UNION");
        eddy_err_hint(p->err, "IN and EXISTS take SELECT ... FROM table [WHERE ...].");
        return NULL;
    }
    pl_scope *inner = pl_alloc(p, sizeof *inner);
    if (!inner) return NULL;
    inner->outer = sc;
    int is_stream = 0;
    plan_node *t = pl_plan_from(p, ss->from, inner, &is_stream);
    if (!t) return NULL;
    if (is_stream) {
        pl_unsupported(p, ss->from->off, ss->from->len, "a sub-query over a stream");
        eddy_err_hint(p->err, "IN (SELECT ...) and EXISTS read a reference table; join streams with JOIN.");
        return NULL;
    }
    uint32_t nl = in->out.n_cols;
    inner->rels[0].first_col = nl;
    pl_aggctx forbid = {.mode = PL_AGG_FORBID, .clause = "a sub-query"};
    plan_expr *where = NULL, *eqs = NULL;
    if (ss->where && !(where = pl_bool_expr(p, ss->where, inner, &forbid, "WHERE"))) return NULL;
    if (is_in) {
        const ast_expr *lhs = pred->u.in.arg;
        uint32_t n_l = lhs->kind == AST_E_ROW ? lhs->u.row.n_items : 1;
        if (ss->n_items != n_l) {
            pl_error(p, q->off, q->len, "the sub-query selects %u column%s for IN with %u value%s", ss->n_items,
                     ss->n_items == 1 ? "" : "s", n_l, n_l == 1 ? "" : "s");
            return NULL;
        }
        for (uint32_t i = 0; i < n_l; i++) {
            const ast_expr *le = lhs->kind == AST_E_ROW ? lhs->u.row.items[i] : lhs;
            const ast_select_item *it = ss->items[i];
            if (!it->expr || it->expr->kind == AST_E_STAR) {
                pl_error(p, it->off, it->len, "IN needs the sub-query's columns named, not *");
                return NULL;
            }
            plan_expr *a = pl_expr(p, le, sc, &forbid);
            plan_expr *b = a ? pl_expr(p, it->expr, inner, &forbid) : NULL;
            if (!b) return NULL;
            int incompatible;
            plan_expr *eq = eq_common(p, a, b, le->off, le->len, &incompatible);
            if (incompatible) pl_error(p, le->off, le->len, "IN compares values of incompatible types");
            if (!eq || !(eqs = and_of(p, eqs, eq, e->off, e->len))) return NULL;
        }
        if (not_) {
            if (!(eqs = pl_op_expr(p, PLAN_OP_IS_NOT_FALSE, BOOL_T, eqs, NULL, e->off, e->len))) return NULL;
            eqs->nullable = 0;
        }
    }
    /* NOT IN: the sub-query's WHERE first, then the equalities. */
    plan_expr *cond = not_ ? and_of(p, where, eqs, e->off, e->len) : and_of(p, eqs, where, e->off, e->len);
    if ((eqs || where) && !cond) return NULL;
    plan_node *n = pl_node(p, PLAN_TABLE_JOIN, 2, e->off, e->len);
    if (!n) return NULL;
    n->inputs[0] = in;
    n->inputs[1] = t;
    n->u.join.kind = not_ ? PLAN_JOIN_ANTI : PLAN_JOIN_SEMI;
    n->u.join.cond = cond;
    n->u.join.table = t->u.table_scan.table;
    n->out = in->out;
    return n;
}
