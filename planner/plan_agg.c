/*
 * plan_agg.c — aggregates and the streaming GROUP BY (tumbling windows):
 * recognising aggregate calls, collecting them while the select list and
 * HAVING are resolved, the dialect's rules (a monotonic GROUP BY key, at
 * most one ROWTIME key, no COUNT(DISTINCT ...) on streams, OVER-only
 * functions), and the monotonicity deduction of SQL.md §3.2.
 */
#include "planner_int.h"

#include <string.h>
#include <strings.h>

#include "sql_parse.h" /* ast_expr_equal */

int pl_is_agg_call(pl *p, const ast_expr *e) {
    if (e->kind != AST_E_CALL) return 0;
    const char *name = e->u.call.name.s;
    if (catalog_has_function(p->cat, name)) return 0;
    for (size_t i = 0;; i++) {
        const udf_func *f = udf_at(p->reg, i);
        if (!f) return 0;
        if (f->kind == UDF_AGGREGATE && strcasecmp(f->name, name) == 0) return 1;
    }
}

static void walk_children(pl *p, const ast_expr *e, const ast_expr **plain, const ast_expr **over);

void pl_find_aggs(pl *p, const ast_expr *e, const ast_expr **plain, const ast_expr **over) {
    if (!e) return;
    if (pl_is_agg_call(p, e)) {
        if (e->u.call.over) {
            if (!*over) *over = e;
        } else if (!*plain) {
            *plain = e;
        }
        return; /* nested aggregates are reported when the call is planned */
    }
    walk_children(p, e, plain, over);
}

static void walk_children(pl *p, const ast_expr *e, const ast_expr **plain, const ast_expr **over) {
    switch (e->kind) {
    case AST_E_UNARY: pl_find_aggs(p, e->u.unary.arg, plain, over); break;
    case AST_E_BINARY:
        pl_find_aggs(p, e->u.binary.left, plain, over);
        pl_find_aggs(p, e->u.binary.right, plain, over);
        break;
    case AST_E_IS: pl_find_aggs(p, e->u.is.arg, plain, over); break;
    case AST_E_BETWEEN:
        pl_find_aggs(p, e->u.between.arg, plain, over);
        pl_find_aggs(p, e->u.between.lo, plain, over);
        pl_find_aggs(p, e->u.between.hi, plain, over);
        break;
    case AST_E_IN_LIST:
        pl_find_aggs(p, e->u.in.arg, plain, over);
        for (uint32_t i = 0; i < e->u.in.n_list; i++) pl_find_aggs(p, e->u.in.list[i], plain, over);
        break;
    case AST_E_LIKE:
        pl_find_aggs(p, e->u.like.arg, plain, over);
        pl_find_aggs(p, e->u.like.pattern, plain, over);
        pl_find_aggs(p, e->u.like.escape, plain, over);
        break;
    case AST_E_CASE:
        pl_find_aggs(p, e->u.case_.operand, plain, over);
        for (uint32_t i = 0; i < e->u.case_.n_whens; i++) {
            pl_find_aggs(p, e->u.case_.whens[i], plain, over);
            pl_find_aggs(p, e->u.case_.thens[i], plain, over);
        }
        pl_find_aggs(p, e->u.case_.else_, plain, over);
        break;
    case AST_E_CAST: pl_find_aggs(p, e->u.cast.arg, plain, over); break;
    case AST_E_CALL:
        for (uint32_t i = 0; i < e->u.call.n_args; i++) pl_find_aggs(p, e->u.call.args[i], plain, over);
        break;
    case AST_E_INTERVAL_OF: pl_find_aggs(p, e->u.ivof.arg, plain, over); break;
    default: break;
    }
}

plan_expr *pl_agg_call(pl *p, const ast_expr *e, pl_aggctx *ac) {
    const char *name = e->u.call.name.s;
    if (e->u.call.over && ac->mode != PL_AGG_SLIDE) {
        pl_error(p, e->off, e->len, "windowed aggregate %s cannot be used with GROUP BY or STAGGER", name);
        return NULL;
    }
    if (!e->u.call.over && ac->mode == PL_AGG_SLIDE) {
        pl_error(p, e->off, e->len, "aggregate %s needs an OVER clause like the other aggregates of this query",
                 name);
        return NULL;
    }
    for (uint32_t i = 0; i < ac->n_aggs; i++) {
        if (ast_expr_equal(ac->agg_ast[i], e)) {
            plan_col c = {"", ac->aggs[i].call.ret_type, 1, 0, 0};
            return pl_colref(p, ac->n_base + i, &c, e->off, e->len);
        }
    }
    if (e->u.call.quant == AST_SETQ_DISTINCT) {
        pl_error(p, e->off, e->len, "%s(DISTINCT ...) is not supported on streams", name);
        eddy_err_hint(p->err, "COUNT_DISTINCT_ITEMS_TUMBLING counts distinct values per tumbling window.");
        return NULL;
    }
    uint32_t n = e->u.call.star ? 0 : e->u.call.n_args;
    if (n > UDF_MAX_ARGS) {
        pl_error(p, e->off, e->len, "too many arguments for %s", name);
        return NULL;
    }
    plan_expr **args = pl_alloc(p, (n ? n : 1) * sizeof *args);
    eddy_type types[UDF_MAX_ARGS], cast_to[UDF_MAX_ARGS], ret;
    if (!args) return NULL;
    pl_aggctx inner = {.mode = PL_AGG_FORBID, .clause = "aggregate arguments"};
    for (uint32_t i = 0; i < n; i++) {
        const ast_expr *a = e->u.call.args[i];
        if (pl_is_agg_call(p, a)) {
            pl_error(p, a->off, a->len, "aggregate function calls cannot be nested");
            return NULL;
        }
        if (!(args[i] = pl_expr(p, a, ac->inner, &inner))) return NULL;
        types[i] = args[i]->type;
    }
    const udf_func *f;
    eddy_err lerr;
    eddy_err_clear(&lerr);
    if (udf_lookup(p->reg, name, UDF_AGGREGATE, (int)n, types, &f, cast_to, &ret, &lerr) != 0) {
        pl_error(p, e->off, e->len, "%s", lerr.msg);
        if (lerr.hint[0]) eddy_err_hint(p->err, "%s", lerr.hint);
        return NULL;
    }
    if ((f->flags & UDF_F_OVER_ONLY) && !e->u.call.over) {
        pl_error(p, e->off, e->len, "%s requires an OVER clause", name);
        return NULL;
    }
    /* LAG's default stands in for the value, so it takes the value's type. */
    if (!strcmp(f->specific, "LAG") && n == 3) {
        eddy_type ct;
        if (udf_common_type(cast_to[0], cast_to[2], &ct) != 0) {
            char a[48], b[48];
            eddy_type_format(cast_to[0], a, sizeof a);
            eddy_type_format(cast_to[2], b, sizeof b);
            pl_error(p, args[2]->off, args[2]->len, "LAG default of type %s does not match the value type %s",
                     b, a);
            return NULL;
        }
        cast_to[0] = cast_to[2] = ct;
        ret = ct;
    }
    eddy_type *at = pl_alloc(p, (n ? n : 1) * sizeof *at);
    if (!at) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (args[i]->type.id != cast_to[i].id && !(args[i] = pl_cast(p, args[i], cast_to[i])))
            return NULL;
        at[i] = args[i]->type;
    }
    const plan_window *w = NULL;
    if (e->u.call.over && !(w = pl_window(p, e->u.call.over, ac))) return NULL;
    if (ac->n_aggs == ac->cap_aggs) {
        uint32_t cap = ac->cap_aggs ? ac->cap_aggs * 2 : 8;
        plan_agg *na = pl_alloc(p, cap * sizeof *na);
        const ast_expr **nx = pl_alloc(p, cap * sizeof *nx);
        if (!na || !nx) return NULL;
        if (ac->n_aggs) {
            memcpy(na, ac->aggs, ac->n_aggs * sizeof *na);
            memcpy(nx, ac->agg_ast, ac->n_aggs * sizeof *nx);
        }
        ac->aggs = na;
        ac->agg_ast = nx;
        ac->cap_aggs = cap;
    }
    plan_agg *g = &ac->aggs[ac->n_aggs];
    memset(g, 0, sizeof *g);
    g->call.fn = f;
    g->call.n_args = (int)n;
    g->call.arg_types = at;
    g->call.ret_type = ret;
    g->args = args;
    g->n_args = n;
    g->ignore_nulls = e->u.call.nulls == AST_NULLS_IGNORE;
    g->from_last = e->u.call.from_pos == AST_FROM_LAST;
    g->window = w;
    ac->agg_ast[ac->n_aggs] = e;
    plan_col c = {"", ret, strcmp(f->specific, "COUNT") && strcmp(f->specific, "COUNT_STAR"), 0, 0};
    return pl_colref(p, ac->n_base + ac->n_aggs++, &c, e->off, e->len);
}

/* ---- monotonicity ---------------------------------------------------------- */

int pl_uses_rowtime(const plan_expr *e) {
    if (!e) return 0;
    switch (e->kind) {
    case PX_ROWTIME: return !e->u.col.arrival;
    case PX_OP: return pl_uses_rowtime(e->u.op.args[0]) || pl_uses_rowtime(e->u.op.args[1]);
    case PX_CALL:
        for (uint32_t i = 0; i < e->u.call.n_args; i++)
            if (pl_uses_rowtime(e->u.call.args[i])) return 1;
        return 0;
    case PX_CAST: return pl_uses_rowtime(e->u.cast.arg);
    case PX_CASE:
        for (uint32_t i = 0; i < e->u.case_.n_whens; i++)
            if (pl_uses_rowtime(e->u.case_.whens[i]) || pl_uses_rowtime(e->u.case_.thens[i]))
                return 1;
        return pl_uses_rowtime(e->u.case_.else_);
    case PX_LIKE: return pl_uses_rowtime(e->u.like.arg);
    case PX_IN_LIST: return pl_uses_rowtime(e->u.in.arg);
    default: return 0;
    }
}

/* Sign of a numeric literal: 1, -1, 0, or 2 when not a literal. */
static int lit_sign(const plan_expr *e) {
    if (e->kind == PX_CAST) return lit_sign(e->u.cast.arg);
    if (e->kind != PX_LITERAL || e->u.lit.is_null) return 2;
    if (e->type.id == EDDY_T_DOUBLE || e->type.id == EDDY_T_REAL)
        return e->u.lit.u.d > 0 ? 1 : e->u.lit.u.d < 0 ? -1 : 0;
    return e->u.lit.u.i > 0 ? 1 : e->u.lit.u.i < 0 ? -1 : 0;
}

int pl_monotonic(const plan_expr *e, int *on_rowtime) {
    int dummy;
    if (!on_rowtime) on_rowtime = &dummy;
    switch (e->kind) {
    case PX_ROWTIME:
        /* APPROXIMATE_ARRIVAL_TIME is ascending here too: it is the ROWTIME. */
        if (!e->u.col.arrival) *on_rowtime = 1;
        return 1;
    case PX_LITERAL: return 2;
    case PX_COLUMN: return e->u.col.mono == 1 || e->u.col.mono == -1 ? e->u.col.mono : 0;
    case PX_CAST: return pl_monotonic(e->u.cast.arg, on_rowtime);
    case PX_CALL: {
        unsigned fl = e->u.call.call.fn->flags;
        if (fl & UDF_F_MONO_DECLARE) {
            int m = pl_monotonic(e->u.call.args[0], on_rowtime);
            return m == -1 ? -1 : 1;
        }
        if (fl & UDF_F_MONO_KEEP) return pl_monotonic(e->u.call.args[0], on_rowtime);
        if (fl & UDF_F_MONO_ASC) return 1;
        for (uint32_t i = 0; i < e->u.call.n_args; i++)
            if (pl_monotonic(e->u.call.args[i], on_rowtime) != 2) return 0;
        return (fl & UDF_F_DETERMINISTIC) ? 2 : 0;
    }
    case PX_OP: {
        const plan_expr *a = e->u.op.args[0], *b = e->u.op.args[1];
        int ma = pl_monotonic(a, on_rowtime), mb = b ? pl_monotonic(b, on_rowtime) : 2;
        switch (e->u.op.op) {
        case PLAN_OP_NEG: return ma == 2 ? 2 : -ma;
        case PLAN_OP_ADD:
            if (ma == 2) return mb;
            if (mb == 2) return ma;
            return ma == mb ? ma : 0;
        case PLAN_OP_SUB:
            if (mb == 2) return ma;
            if (ma == 2) return mb == 0 ? 0 : -mb;
            return ma == -mb ? ma : 0;
        case PLAN_OP_MUL: {
            int s = mb == 2 ? lit_sign(b) : ma == 2 ? lit_sign(a) : 2;
            int m = mb == 2 ? ma : ma == 2 ? mb : 0;
            if (s == 2 || m == 0) return ma == 2 && mb == 2 ? 2 : 0;
            return s == 0 ? 2 : m == 2 ? 2 : m * s;
        }
        case PLAN_OP_DIV: {
            if (mb != 2) return ma == 2 && mb == 2 ? 2 : 0;
            int s = lit_sign(b);
            if (s == 2 || s == 0) return 0;
            return ma == 2 ? 2 : ma * s;
        }
        default: return ma == 2 && mb == 2 ? 2 : 0;
        }
    }
    default: return 0;
    }
}

/* ---- GROUP BY ----------------------------------------------------------------- */

static int interval_lit(const plan_expr *e, int64_t *ms) {
    if (e->kind != PX_LITERAL || e->type.id != EDDY_T_INTERVAL_DS || e->u.lit.is_null) return -1;
    *ms = e->u.lit.u.i;
    return 0;
}

plan_node *pl_plan_group(pl *p, const ast_select *s, plan_node *in, pl_scope *sc,
                         pl_aggctx *ac, int is_stream) {
    uint32_t n = s->n_group_by;
    plan_expr **keys = pl_alloc(p, (n ? n : 1) * sizeof *keys);
    if (!keys) return NULL;
    pl_aggctx forbid = {.mode = PL_AGG_FORBID, .clause = "GROUP BY"};
    int time_key = -1, rt_key = -1, time_dir = 1;
    for (uint32_t i = 0; i < n; i++) {
        const ast_expr *k = s->group_by[i];
        if (!(keys[i] = pl_expr(p, k, sc, &forbid))) return NULL;
        int on_rt = 0;
        int m = pl_monotonic(keys[i], &on_rt);
        on_rt = pl_uses_rowtime(keys[i]);
        if (on_rt) {
            if (rt_key >= 0) {
                pl_error(p, k->off, k->len, "GROUP BY uses more than one ROWTIME expression");
                eddy_err_hint(p->err, "Group by a single ROWTIME window; other timestamp columns may also be grouped.");
                return NULL;
            }
            rt_key = (int)i;
        }
        if ((m == 1 || m == -1) && (time_key < 0 || (on_rt && rt_key == (int)i))) {
            time_key = (int)i;
            time_dir = m;
        }
    }
    if (is_stream && time_key < 0) {
        const ast_expr *f = s->group_by[0], *l = s->group_by[n - 1];
        pl_error(p, f->off, l->off + l->len - f->off, "streaming GROUP BY needs a monotonic key");
        eddy_err_hint(p->err, "Add a time window such as STEP(ROWTIME BY INTERVAL '1' MINUTE) or FLOOR(ROWTIME TO MINUTE) to the GROUP BY clause.");
        return NULL;
    }
    const ast_expr *g0 = s->group_by[0], *gl = s->group_by[n - 1];
    plan_node *nd = pl_node(p, PLAN_TUMBLE_AGG, 1, g0->off, gl->off + gl->len - g0->off);
    if (!nd) return NULL;
    nd->inputs[0] = in;
    nd->u.tumble.keys = keys;
    nd->u.tumble.n_keys = n;
    plan_time_key *tk = &nd->u.tumble.time_key;
    tk->kind = PLAN_TK_MONOTONIC;
    if (time_key >= 0) {
        const plan_expr *k = keys[time_key];
        tk->key_index = (uint32_t)time_key;
        tk->on_rowtime = pl_uses_rowtime(k) ? 1 : 0;
        tk->descending = time_dir < 0;
        if (k->kind == PX_CALL && !strcmp(k->u.call.call.fn->specific, "STEP_TS") &&
            interval_lit(k->u.call.args[1], &tk->width_ms) == 0) {
            tk->kind = PLAN_TK_STEP;
            if (tk->width_ms <= 0) {
                pl_error(p, s->group_by[time_key]->off, s->group_by[time_key]->len,
                         "STEP interval must be positive");
                return NULL;
            }
        } else if (k->kind == PX_CALL && !strcmp(k->u.call.call.fn->specific, "FLOOR_TO")) {
            tk->kind = PLAN_TK_FLOOR;
            const plan_expr *u = k->u.call.args[1];
            tk->unit = u->u.lit.u.s.p;
            static const struct {
                const char *u;
                int64_t ms;
            } units[] = {{"SECOND", 1000}, {"MINUTE", 60000}, {"HOUR", 3600000}, {"DAY", 86400000}};
            for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
                if (!strcmp(units[i].u, tk->unit)) tk->width_ms = units[i].ms;
        }
    }
    ac->mode = PL_AGG_GROUP;
    ac->clause = "the select list";
    ac->keys = s->group_by;
    ac->key_exprs = keys;
    ac->n_keys = n;
    ac->n_base = n;
    ac->inner = sc;
    return nd;
}

int pl_agg_finish(pl *p, plan_node *n, pl_aggctx *ac) {
    const plan_node *in = n->inputs[0];
    uint32_t base = ac->n_base;
    plan_col *cols = pl_alloc(p, (base + ac->n_aggs + 1) * sizeof *cols);
    if (!cols) return EDDY_E_NOMEM;
    if (n->kind == PLAN_SLIDE_AGG) {
        memcpy(cols, in->out.cols, in->out.n_cols * sizeof *cols);
    } else {
        for (uint32_t i = 0; i < base; i++) {
            const ast_expr *k = ac->keys[i];
            cols[i].name = k->kind == AST_E_COLUMN ? k->u.col.parts[k->u.col.n_parts - 1].s
                                                   : arena_sprintf(p->a, "KEY$%u", i);
            cols[i].type = ac->key_exprs[i]->type;
            cols[i].nullable = ac->key_exprs[i]->nullable;
        }
    }
    for (uint32_t i = 0; i < ac->n_aggs; i++) {
        cols[base + i].name = arena_sprintf(p->a, "AGG$%u", i);
        cols[base + i].type = ac->aggs[i].call.ret_type;
        const char *sp = ac->aggs[i].call.fn->specific;
        cols[base + i].nullable = strcmp(sp, "COUNT") && strcmp(sp, "COUNT_STAR");
    }
    n->out.cols = cols;
    n->out.n_cols = base + ac->n_aggs;
    n->out.ordered = 1;
    switch (n->kind) {
    case PLAN_TUMBLE_AGG:
        n->u.tumble.aggs = ac->aggs;
        n->u.tumble.n_aggs = ac->n_aggs;
        n->out.rowtime = PLAN_RT_WINDOW_END;
        break;
    case PLAN_STAGGER_AGG:
        n->u.stagger.aggs = ac->aggs;
        n->u.stagger.n_aggs = ac->n_aggs;
        n->out.rowtime = PLAN_RT_STAGGER_END;
        n->out.ordered = 0; /* windows of different keys close out of order */
        break;
    case PLAN_SLIDE_AGG:
        n->u.slide.aggs = ac->aggs;
        n->u.slide.n_aggs = ac->n_aggs;
        n->u.slide.windows = ac->windows;
        n->u.slide.n_windows = ac->n_windows;
        n->out.rowtime = PLAN_RT_INPUT;
        n->out.ordered = in->out.ordered;
        break;
    default: return EDDY_E_INTERNAL;
    }
    return 0;
}
