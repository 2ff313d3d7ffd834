/*
 * planner.c — the planner's entry point: statements (CREATE STREAM with its
 * WITH bindings, CREATE PUMP, INSERT, CREATE FUNCTION, DROP, SHOW,
 * DESCRIBE, EXPLAIN), the assembly of a SELECT (FROM, WHERE, aggregation,
 * HAVING, select list, DISTINCT, ORDER BY, AS ROWTIME) and UNION ALL.
 * The clause families live in the sibling files listed in planner_int.h.
 */
#include "planner_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql_parse.h"

/* ---- shared helpers ------------------------------------------------------- */

int pl_error(pl *p, uint32_t off, uint32_t len, const char *fmt, ...) {
    if (p->err->code) return p->err->code; /* the first error wins */
    char msg[EDDY_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return eddy_err_set_at(p->err, EDDY_E_SEMANTIC, off, len, "%s", msg);
}

int pl_unsupported(pl *p, uint32_t off, uint32_t len, const char *what) {
    if (p->err->code) return p->err->code;
    return eddy_err_set_at(p->err, EDDY_E_UNSUPPORTED, off, len, "%s is not supported", what);
}

void *pl_alloc(pl *p, size_t n) {
    void *v = arena_calloc(p->a, n ? n : 1);
    if (!v && !p->err->code) eddy_err_set(p->err, EDDY_E_NOMEM, "out of memory while planning");
    return v;
}

plan_node *pl_node(pl *p, plan_kind k, uint32_t n_inputs, uint32_t off, uint32_t len) {
    plan_node *n = pl_alloc(p, sizeof *n);
    if (!n) return NULL;
    n->kind = k;
    n->off = off;
    n->len = len;
    n->n_inputs = n_inputs;
    if (n_inputs && !(n->inputs = pl_alloc(p, n_inputs * sizeof *n->inputs))) return NULL;
    return n;
}

plan_expr *pl_new_expr(pl *p, plan_expr_kind k, eddy_type t, uint32_t off, uint32_t len) {
    plan_expr *x = pl_alloc(p, sizeof *x);
    if (!x) return NULL;
    x->kind = k;
    x->type = t;
    x->nullable = 1;
    x->off = off;
    x->len = len;
    return x;
}

plan_expr *pl_colref(pl *p, uint32_t index, const plan_col *c, uint32_t off, uint32_t len) {
    plan_expr *x = pl_new_expr(p, PX_COLUMN, c->type, off, len);
    if (!x) return NULL;
    x->u.col.index = index;
    x->u.col.mono = c->mono;
    x->nullable = c->nullable;
    return x;
}

plan_expr *pl_cast(pl *p, plan_expr *e, eddy_type to) {
    if (!e) return NULL;
    if (e->type.id == to.id &&
        (to.id != EDDY_T_DECIMAL || (e->type.scale == to.scale && e->type.precision <= to.precision)))
        return e;
    if (to.id == EDDY_T_NULL) return e;
    plan_expr *x = pl_new_expr(p, PX_CAST, to, e->off, e->len);
    if (!x) return NULL;
    x->u.cast.arg = e;
    x->nullable = e->nullable;
    return x;
}

void pl_note_read(pl *p, const char *stream) {
    for (uint32_t i = 0; i < p->n_reads; i++)
        if (!strcmp(p->reads[i], stream)) return;
    if (p->n_reads == p->cap_reads) {
        uint32_t cap = p->cap_reads ? p->cap_reads * 2 : 4;
        const char **v = pl_alloc(p, cap * sizeof *v);
        if (!v) return;
        if (p->n_reads) memcpy(v, p->reads, p->n_reads * sizeof *v);
        p->reads = v;
        p->cap_reads = cap;
    }
    p->reads[p->n_reads++] = stream;
}

const char *plan_kind_name(plan_kind k) {
    static const char *const names[] = {
        [PLAN_SOURCE] = "SOURCE",         [PLAN_DECODE] = "DECODE",
        [PLAN_STREAM_SCAN] = "STREAM_SCAN", [PLAN_TABLE_SCAN] = "TABLE_SCAN",
        [PLAN_FILTER] = "FILTER",         [PLAN_PROJECT] = "PROJECT",
        [PLAN_TUMBLE_AGG] = "TUMBLE_AGG", [PLAN_SLIDE_AGG] = "SLIDE_AGG",
        [PLAN_STAGGER_AGG] = "STAGGER_AGG", [PLAN_STREAM_JOIN] = "STREAM_JOIN",
        [PLAN_TABLE_JOIN] = "TABLE_JOIN", [PLAN_UNION] = "UNION_ALL",
        [PLAN_DISTINCT] = "DISTINCT",     [PLAN_ORDER] = "ORDER",
        [PLAN_TSORT] = "TSORT",           [PLAN_ROWTIME] = "ROWTIME",
        [PLAN_TABLE_FUNC] = "TABLE_FUNC", [PLAN_PUMP] = "PUMP",
        [PLAN_SINK] = "SINK",
    };
    return (unsigned)k < sizeof names / sizeof names[0] && names[k] ? names[k] : "?";
}

/* ---- SELECT ------------------------------------------------------------------ */

static plan_node *filter_node(pl *p, plan_node *in, plan_expr *pred, const ast_expr *at) {
    plan_node *n = pl_node(p, PLAN_FILTER, 1, at->off, at->len);
    if (!n) return NULL;
    n->inputs[0] = in;
    n->out = in->out;
    n->u.filter.pred = pred;
    return n;
}

#define PL_MAX_CONJUNCTS 64

/* Whether some AND-ed condition of a WHERE is an IN / EXISTS sub-query. */
static int has_subquery_conjunct(const ast_expr *e) {
    if (e->kind == AST_E_BINARY && e->u.binary.op == AST_OP_AND)
        return has_subquery_conjunct(e->u.binary.left) || has_subquery_conjunct(e->u.binary.right);
    return pl_is_subquery_pred(e);
}

/* The AND-ed conditions of e, left to right; -1 past PL_MAX_CONJUNCTS. */
static int split_and(const ast_expr *e, const ast_expr **out, uint32_t *n) {
    if (e->kind == AST_E_BINARY && e->u.binary.op == AST_OP_AND)
        return split_and(e->u.binary.left, out, n) || split_and(e->u.binary.right, out, n) ? -1 : 0;
    if (*n == PL_MAX_CONJUNCTS) return -1;
    out[(*n)++] = e;
    return 0;
}

static int is_star(const ast_select_item *it) {
    return it->expr && it->expr->kind == AST_E_STAR;
}

static plan_node *plan_select_in(pl *p, const ast_select *s, const ast_query *q, int *is_stream, int pump_top);

/* Sub-queries inside a pump's SELECT are ordinary ones; the flag comes back
 * for the next branch of a UNION ALL. */
static plan_node *plan_select(pl *p, const ast_select *s, const ast_query *q, int *is_stream) {
    int pump_top = p->pump_select;
    p->pump_select = 0;
    plan_node *n = plan_select_in(p, s, q, is_stream, pump_top);
    p->pump_select = pump_top;
    return n;
}

static plan_node *plan_select_in(pl *p, const ast_select *s, const ast_query *q, int *is_stream, int pump_top) {
    const ast_select *saved_sel = p->sel;
    p->sel = s;
    pl_scope *sc = pl_alloc(p, sizeof *sc);
    if (!sc) return NULL;
    if (!s->from) {
        pl_unsupported(p, s->off, s->len, "SELECT without FROM");
        return NULL;
    }
    plan_node *in = pl_plan_from(p, s->from, sc, is_stream);
    if (!in) return NULL;
    if (s->from->kind != AST_F_JOIN && s->from->over) {
        pl_error(p, s->from->over->off, s->from->over->len,
                 "OVER after a FROM item is only allowed on streams in a join");
        return NULL;
    }
    if (s->stream && !*is_stream) {
        pl_error(p, s->from->off, s->from->len, "SELECT STREAM needs a stream to read, not a table");
        return NULL;
    }
    if (!s->stream && *is_stream && !pump_top) {
        pl_error(p, s->off, 6, "a query on a stream must be SELECT STREAM");
        eddy_err_hint(p->err, "Write SELECT STREAM to read the stream continuously.");
        return NULL;
    }
    if (s->where && !has_subquery_conjunct(s->where)) {
        pl_aggctx forbid = {.mode = PL_AGG_FORBID, .clause = "WHERE"};
        plan_expr *w = pl_bool_expr(p, s->where, sc, &forbid, "WHERE");
        if (!w || !(in = filter_node(p, in, w, s->where))) return NULL;
    } else if (s->where) {
        /* IN (SELECT ...) / EXISTS conjuncts become SEMI/ANTI joins with
         * their tables, after a filter of the other conjuncts. */
        const ast_expr *conj[PL_MAX_CONJUNCTS];
        uint32_t nc = 0;
        if (split_and(s->where, conj, &nc) != 0) {
            pl_unsupported(p, s->where->off, s->where->len, "a WHERE of more than 64 AND-ed conditions with sub-queries");
            return NULL;
        }
        pl_aggctx forbid = {.mode = PL_AGG_FORBID, .clause = "WHERE"};
        plan_expr *acc = NULL;
        for (uint32_t i = 0; i < nc; i++) {
            if (pl_is_subquery_pred(conj[i])) continue;
            plan_expr *w = pl_bool_expr(p, conj[i], sc, &forbid, "WHERE");
            if (!w || !(acc = acc ? pl_op_expr(p, PLAN_OP_AND, w->type, acc, w, w->off, w->len) : w)) return NULL;
        }
        if (acc && !(in = filter_node(p, in, acc, s->where))) return NULL;
        for (uint32_t i = 0; i < nc; i++)
            if (pl_is_subquery_pred(conj[i]) && !(in = pl_plan_subquery_pred(p, in, conj[i], sc))) return NULL;
    }
    const ast_expr *plain = NULL, *over = NULL;
    for (uint32_t i = 0; i < s->n_items; i++) pl_find_aggs(p, s->items[i]->expr, &plain, &over);
    pl_find_aggs(p, s->having, &plain, &over);
    if (plain && over) {
        pl_error(p, over->off, over->len, "windowed (OVER) and grouped aggregates cannot be mixed");
        return NULL;
    }
    pl_aggctx ac;
    memset(&ac, 0, sizeof ac);
    ac.sel = s;
    ac.inner = sc;
    pl_aggctx *acp = NULL;
    plan_node *agg = NULL;
    if (s->n_group_by || s->stagger || plain) {
        if (over) {
            pl_error(p, over->off, over->len, "windowed aggregate %s cannot be used with GROUP BY or STAGGER",
                     over->u.call.name.s);
            return NULL;
        }
        if (!s->n_group_by && !s->stagger) {
            if (*is_stream) {
                pl_error(p, plain->off, plain->len, "aggregate %s on a stream needs a window",
                         plain->u.call.name.s);
                eddy_err_hint(p->err, "Add GROUP BY STEP(ROWTIME BY INTERVAL '1' MINUTE), WINDOWED BY STAGGER (...), or OVER (...).");
            } else {
                pl_unsupported(p, plain->off, plain->len, "aggregation over a table");
            }
            return NULL;
        }
        agg = s->stagger ? pl_plan_stagger(p, s, in, sc, &ac)
                         : pl_plan_group(p, s, in, sc, &ac, *is_stream);
        if (!agg) return NULL;
        acp = &ac;
    } else if (over) {
        agg = pl_node(p, PLAN_SLIDE_AGG, 1, over->off, over->len);
        if (!agg) return NULL;
        agg->inputs[0] = in;
        ac.mode = PL_AGG_SLIDE;
        ac.clause = "the select list";
        ac.n_base = in->out.n_cols;
        acp = &ac;
    } else if (s->having) {
        pl_error(p, s->having->off, s->having->len, "HAVING needs GROUP BY or aggregates");
        return NULL;
    }
    /* The select list. */
    uint32_t n = 0, cap = 0;
    plan_expr **exprs = NULL;
    const char **names = NULL;
    uint8_t *rowf = NULL;          /* items that are fields of a row call */
    uint32_t n_rowf = 0, cap_rowf = 0;
    int32_t *item_col = pl_alloc(p, (s->n_items + 1) * sizeof *item_col);
    int rowtime_item = -1;
    if (!item_col) return NULL;
    for (uint32_t i = 0; i < s->n_items; i++) {
        const ast_select_item *it = s->items[i];
        if (is_star(it)) {
            if (acp && acp->mode == PL_AGG_GROUP) {
                pl_error(p, it->off, it->len, "* cannot be selected with GROUP BY or STAGGER");
                return NULL;
            }
            item_col[i] = -1;
            if (pl_expand_star(p, it->expr, sc, &exprs, &names, &n, &cap) != 0) return NULL;
            continue;
        }
        if (pl_is_row_call(p, it->expr)) {
            item_col[i] = -1;
            const char *alias = it->alias.s ? it->alias.s : arena_sprintf(p->a, "EXPR$%u", i);
            uint32_t first = n;
            if (!alias || pl_plan_row_call(p, it->expr, sc, acp, alias, &exprs, &names, &n, &cap) != 0)
                return NULL;
            if (n > cap_rowf) {
                uint32_t nc = 2 * n;
                uint8_t *nr = pl_alloc(p, nc);
                if (!nr) return NULL;
                memset(nr, 0, nc);
                if (rowf) memcpy(nr, rowf, cap_rowf);
                rowf = nr;
                cap_rowf = nc;
            }
            for (uint32_t k = first; k < n; k++) rowf[k] = 1;
            n_rowf = n;
            continue;
        }
        plan_expr *x = pl_expr(p, it->expr, sc, acp);
        if (!x) return NULL;
        item_col[i] = (int32_t)n;
        if (it->alias.s && pl_is_rowtime_name(&it->alias)) {
            if (rowtime_item >= 0) {
                pl_error(p, it->alias.off, it->alias.len, "ROWTIME is selected twice");
                return NULL;
            }
            if (x->type.id != EDDY_T_TIMESTAMP) {
                pl_error(p, it->expr->off, it->expr->len, "the expression selected AS ROWTIME must be a TIMESTAMP");
                return NULL;
            }
            rowtime_item = (int)i;
        }
        if (pl_push_item(p, x, it->alias.s ? it->alias.s : pl_expr_name(p, it->expr, i), &exprs, &names, &n, &cap) !=
            0)
            return NULL;
    }
    plan_expr *having = NULL;
    if (s->having && !(having = pl_bool_expr(p, s->having, sc, acp, "HAVING"))) return NULL;
    if (agg) {
        if (pl_agg_finish(p, agg, &ac) != 0) return NULL;
        in = agg;
        if (having && !(in = filter_node(p, in, having, s->having))) return NULL;
    }
    plan_node *proj = pl_node(p, PLAN_PROJECT, 1, s->off, s->len);
    plan_col *cols = pl_alloc(p, (n + 1) * sizeof *cols);
    if (!proj || !cols) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        /* A row field stays one when it is passed on under its own name
         * (SELECT *, or t."R.COLUMN1" as is). */
        const plan_col *src = !agg && exprs[i]->kind == PX_COLUMN ? pl_scope_col(sc, exprs[i]->u.col.index) : NULL;
        uint8_t rf = (i < n_rowf && rowf[i]) || (src && src->row_field && !strcmp(src->name, names[i]));
        cols[i] = (plan_col){names[i], exprs[i]->type, exprs[i]->nullable, rf, 0};
        /* Row by row, a projection keeps its items' order along the stream. */
        int m = *is_stream ? pl_monotonic(exprs[i], NULL) : 0;
        if (m == 1 || m == -1) cols[i].mono = (int8_t)m;
    }
    proj->inputs[0] = in;
    proj->u.project.exprs = exprs;
    proj->out.cols = cols;
    proj->out.n_cols = n;
    proj->out.rowtime = in->out.rowtime;
    proj->out.ordered = in->out.ordered;
    plan_node *top = proj;
    if (s->quant == AST_SETQ_DISTINCT) {
        /* A streaming DISTINCT can only forget rows once a monotonic key
         * moves on: one of the select items, or the window of an aggregate. */
        int32_t mono = -1;
        for (uint32_t i = 0; i < n && mono < 0; i++)
            if (pl_monotonic(exprs[i], NULL) == 1) mono = (int32_t)i;
        if (mono < 0 && *is_stream && in->out.rowtime != PLAN_RT_WINDOW_END &&
            in->out.rowtime != PLAN_RT_STAGGER_END) {
            eddy_err_set_at(p->err, EDDY_E_SEMANTIC, s->off, s->len,
                            "SELECT STREAM DISTINCT needs a monotonic expression in the select list");
            eddy_err_hint(p->err, "Add a time key such as FLOOR(s.ROWTIME TO MINUTE), so that duplicates are dropped per minute.");
            return NULL;
        }
        plan_node *d = pl_node(p, PLAN_DISTINCT, 1, s->off, s->len);
        if (!d) return NULL;
        d->inputs[0] = top;
        d->out = top->out;
        d->u.distinct.mono_col = mono;
        top = d;
    }
    if (q && q->n_order_by) {
        if (!*is_stream) {
            pl_unsupported(p, q->order_by[0]->off, q->order_by[0]->len, "ORDER BY over a table");
            return NULL;
        }
        /* Sorting moves rows within their time bucket (and WITHIN re-stamps
         * ROWTIME): no item keeps its order along the stream. */
        for (uint32_t i = 0; i < n; i++) cols[i].mono = 0;
        const char *alias = sc->n_rels == 1 ? sc->rels[0].alias : NULL;
        if (!(top = pl_plan_order(p, q, top, s, item_col, rowtime_item, alias))) return NULL;
    } else if (q && q->within) {
        pl_error(p, q->within->off, q->within->len, "WITHIN needs ORDER BY");
        return NULL;
    }
    if (rowtime_item >= 0) {
        const ast_select_item *it = s->items[rowtime_item];
        plan_node *r = pl_node(p, PLAN_ROWTIME, 1, it->off, it->len);
        plan_col *rc = pl_alloc(p, (n ? n : 1) * sizeof *rc);
        if (!r || !rc) return NULL;
        uint32_t col = (uint32_t)item_col[rowtime_item], k = 0;
        for (uint32_t i = 0; i < n; i++)
            if (i != col) rc[k++] = top->out.cols[i];
        r->inputs[0] = top;
        r->u.rowtime.col = col;
        r->out.cols = rc;
        r->out.n_cols = k;
        r->out.rowtime = PLAN_RT_EXPR;
        r->out.ordered = top->kind == PLAN_TSORT || pl_monotonic(exprs[col], NULL) == 1;
        top = r;
    }
    p->sel = saved_sel;
    return top;
}

static plan_node *plan_union(pl *p, const ast_query *q, int *is_stream) {
    if (q->u.setop.op != AST_SET_UNION || !q->u.setop.all) {
        const char *what = q->u.setop.op == AST_SET_UNION ? "UNION without ALL"
                           : q->u.setop.op == AST_SET_INTERSECT ? "INTERSECT" : "EXCEPT";
        pl_error(p, q->off, q->len, "%s is not allowed on streams; only UNION ALL is", what);
        return NULL;
    }
    int ls = 0, rs = 0;
    plan_node *l = pl_plan_query(p, q->u.setop.left, 0, &ls);
    if (!l) return NULL;
    plan_node *r = pl_plan_query(p, q->u.setop.right, 0, &rs);
    if (!r) return NULL;
    if (!ls || !rs) {
        pl_error(p, q->off, q->len, "UNION ALL on streams needs a stream on both sides");
        return NULL;
    }
    if (l->out.n_cols != r->out.n_cols) {
        const ast_query *rq = q->u.setop.right;
        pl_error(p, rq->off, rq->len, "each UNION query must have the same number of columns");
        return NULL;
    }
    uint32_t n = l->out.n_cols;
    plan_col *cols = pl_alloc(p, (n + 1) * sizeof *cols);
    if (!cols) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        cols[i] = l->out.cols[i];
        cols[i].mono = 0;   /* the branches interleave by ROWTIME */
        cols[i].nullable = l->out.cols[i].nullable || r->out.cols[i].nullable;
        if (udf_common_type(l->out.cols[i].type, r->out.cols[i].type, &cols[i].type) != 0) {
            char a[48], b[48];
            eddy_type_format(l->out.cols[i].type, a, sizeof a);
            eddy_type_format(r->out.cols[i].type, b, sizeof b);
            pl_error(p, q->off, q->len, "UNION column %u types %s and %s cannot be matched", i + 1, a, b);
            return NULL;
        }
    }
    /* Each side is cast to the common types by a PROJECT when needed. */
    plan_node *sides[2] = {l, r};
    for (int s = 0; s < 2; s++) {
        int need = 0;
        for (uint32_t i = 0; i < n; i++)
            if (memcmp(&sides[s]->out.cols[i].type, &cols[i].type, sizeof cols[i].type)) need = 1;
        if (!need) continue;
        plan_node *pj = pl_node(p, PLAN_PROJECT, 1, q->off, q->len);
        plan_expr **xs = pl_alloc(p, n * sizeof *xs);
        if (!pj || !xs) return NULL;
        for (uint32_t i = 0; i < n; i++)
            if (!(xs[i] = pl_cast(p, pl_colref(p, i, &sides[s]->out.cols[i], q->off, q->len), cols[i].type)))
                return NULL;
        pj->inputs[0] = sides[s];
        pj->u.project.exprs = xs;
        pj->out = sides[s]->out;
        pj->out.cols = cols;
        sides[s] = pj;
    }
    /* Nested UNION ALLs flatten into one merge. */
    uint32_t nin = 0;
    for (int s = 0; s < 2; s++) nin += sides[s]->kind == PLAN_UNION ? sides[s]->n_inputs : 1;
    plan_node *u = pl_node(p, PLAN_UNION, nin, q->off, q->len);
    if (!u) return NULL;
    nin = 0;
    for (int s = 0; s < 2; s++) {
        if (sides[s]->kind == PLAN_UNION)
            for (uint32_t i = 0; i < sides[s]->n_inputs; i++) u->inputs[nin++] = sides[s]->inputs[i];
        else
            u->inputs[nin++] = sides[s];
    }
    u->out.cols = cols;
    u->out.n_cols = n;
    u->out.rowtime = PLAN_RT_INPUT;
    u->out.ordered = 1;
    *is_stream = 1;
    if (q->n_order_by) return pl_plan_order(p, q, u, NULL, NULL, -1, NULL);
    return u;
}

plan_node *pl_plan_query(pl *p, const ast_query *q, int top, int *is_stream) {
    if (!q) {
        if (!p->err->code) eddy_err_set(p->err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    if (q->limit) {
        /* LIMIT ends an interactive push query (top == 2) after n rows; the
         * caller counts them (engine/session.c). In pumps it means nothing. */
        if (top != 2) {
            pl_unsupported(p, q->limit->off, q->limit->len, "LIMIT outside an interactive query");
            return NULL;
        }
        const ast_expr *l = q->limit;
        if (l->kind != AST_E_LITERAL || l->u.lit.kind != AST_LIT_INTEGER) {
            eddy_err_set_at(p->err, EDDY_E_SEMANTIC, l->off, l->len, "LIMIT must be a non-negative integer");
            return NULL;
        }
    }
    switch (q->kind) {
    case AST_Q_SELECT: return plan_select(p, q->u.select, q, is_stream);
    case AST_Q_SETOP: return plan_union(p, q, is_stream);
    case AST_Q_VALUES: pl_unsupported(p, q->off, q->len, "VALUES"); return NULL;
    }
    return NULL;
}
