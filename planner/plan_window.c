/*
 * plan_window.c — windows other than GROUP BY: OVER (...) sliding windows
 * (named or inline, SQL.md §4.2 with its allowed/disallowed forms),
 * WINDOWED BY STAGGER (§4.4), and the streaming ORDER BY forms: a sort
 * with a leading monotonic time key (§3.4) and the T-sort
 * ORDER BY ts WITHIN interval (§3.5).
 */
#include "planner_int.h"

#include <string.h>

static const ast_window *named_window(const ast_select *s, const ast_name *ref) {
    if (!s) return NULL;
    for (uint32_t i = 0; i < s->n_windows; i++)
        if (!strcmp(s->windows[i]->name.s, ref->s)) return s->windows[i]->spec;
    return NULL;
}

plan_window *pl_window(pl *p, const ast_window *w, pl_aggctx *ac) {
    const ast_window *base = NULL;
    if (w->ref.s) {
        base = named_window(ac->sel, &w->ref);
        if (!base) {
            pl_error(p, w->ref.off, w->ref.len, "window \"%s\" does not exist", w->ref.s);
            return NULL;
        }
        if (w->name_only) {
            for (uint32_t i = 0; i < ac->n_windows; i++)
                if (ac->windows[i]->name && !strcmp(ac->windows[i]->name, w->ref.s))
                    return ac->windows[i];
        }
    }
    const ast_window *part = w->n_partition || !base ? w : base;
    const ast_window *fr = w->frame != AST_FRAME_NONE || !base ? w : base;
    if (w->n_order || (base && base->n_order)) {
        const ast_window *o = w->n_order ? w : base;
        pl_error(p, o->off, o->len, "ORDER BY is not allowed in a windowed aggregation");
        eddy_err_hint(p->err, "Windows are always ordered by ROWTIME.");
        return NULL;
    }
    plan_window *pw = pl_alloc(p, sizeof *pw);
    if (!pw) return NULL;
    memset(pw, 0, sizeof *pw);
    pw->name = w->name_only ? w->ref.s : NULL;
    pl_aggctx forbid = {.mode = PL_AGG_FORBID, .clause = "PARTITION BY"};
    if (part->n_partition) {
        pw->partition = pl_alloc(p, part->n_partition * sizeof *pw->partition);
        if (!pw->partition) return NULL;
        for (uint32_t i = 0; i < part->n_partition; i++)
            if (!(pw->partition[i] = pl_expr(p, part->partition[i], ac->inner, &forbid))) return NULL;
        pw->n_partition = part->n_partition;
    }
    if (fr->frame == AST_FRAME_NONE) {
        pl_error(p, w->off, w->len, "window has no frame");
        eddy_err_hint(p->err, "Add RANGE INTERVAL '1' MINUTE PRECEDING or ROWS 10 PRECEDING.");
        return NULL;
    }
    if (fr->between && fr->end.kind != AST_BOUND_CURRENT_ROW) {
        pl_error(p, fr->off, fr->len, "only windows that end at the current row are supported");
        return NULL;
    }
    pw->frame = fr->frame == AST_FRAME_ROWS ? PLAN_FRAME_ROWS : PLAN_FRAME_RANGE;
    const ast_bound *b = &fr->start;
    switch (b->kind) {
    case AST_BOUND_CURRENT_ROW: break;
    case AST_BOUND_PRECEDING:
        if (pw->frame == PLAN_FRAME_ROWS) {
            if (pl_literal_int(p, b->offset, &pw->rows_preceding) != 0) return NULL;
            if (pw->rows_preceding <= 0) {
                pl_error(p, b->offset->off, b->offset->len,
                         "ROWS 0 PRECEDING is not allowed; write ROWS CURRENT ROW");
                return NULL;
            }
        } else if (pl_interval_ms(p, b->offset, &pw->range_ms) != 0) {
            return NULL;
        }
        break;
    case AST_BOUND_UNBOUNDED_PRECEDING:
        pl_error(p, fr->off, fr->len, "unbounded windows are not supported on streams");
        eddy_err_hint(p->err, "Give the window a size, as in RANGE INTERVAL '1' HOUR PRECEDING.");
        return NULL;
    default:
        pl_error(p, fr->off, fr->len, "only windows that end at the current row are supported");
        return NULL;
    }
    if (ac->n_windows == ac->cap_windows) {
        uint32_t cap = ac->cap_windows ? ac->cap_windows * 2 : 4;
        plan_window **nw = pl_alloc(p, cap * sizeof *nw);
        if (!nw) return NULL;
        if (ac->n_windows) memcpy(nw, ac->windows, ac->n_windows * sizeof *nw);
        ac->windows = nw;
        ac->cap_windows = cap;
    }
    ac->windows[ac->n_windows++] = pw;
    return pw;
}

plan_node *pl_plan_stagger(pl *p, const ast_select *s, plan_node *in, pl_scope *sc,
                           pl_aggctx *ac) {
    const ast_stagger *st = s->stagger;
    if (s->n_group_by) {
        const ast_expr *g = s->group_by[0];
        pl_error(p, g->off, g->len, "GROUP BY cannot be combined with WINDOWED BY STAGGER");
        return NULL;
    }
    if (st->n_partition == 0) {
        pl_error(p, st->off, st->len, "STAGGER needs PARTITION BY keys");
        return NULL;
    }
    plan_node *nd = pl_node(p, PLAN_STAGGER_AGG, 1, st->off, st->len);
    plan_expr **keys = pl_alloc(p, st->n_partition * sizeof *keys);
    if (!nd || !keys) return NULL;
    nd->inputs[0] = in;
    pl_aggctx forbid = {.mode = PL_AGG_FORBID, .clause = "PARTITION BY"};
    for (uint32_t i = 0; i < st->n_partition; i++)
        if (!(keys[i] = pl_expr(p, st->partition[i], sc, &forbid))) return NULL;
    if (pl_interval_ms(p, st->range, &nd->u.stagger.range_ms) != 0) return NULL;
    if (nd->u.stagger.range_ms <= 0) {
        pl_error(p, st->range->off, st->range->len, "STAGGER window length must be positive");
        return NULL;
    }
    nd->u.stagger.keys = keys;
    nd->u.stagger.n_keys = st->n_partition;
    ac->mode = PL_AGG_GROUP;
    ac->clause = "the select list";
    ac->keys = st->partition;
    ac->key_exprs = keys;
    ac->n_keys = st->n_partition;
    ac->n_base = st->n_partition;
    ac->inner = sc;
    return nd;
}

/* Resolves one ORDER BY item over the select output. */
static plan_expr *order_key(pl *p, const ast_order_item *it, plan_node *in, const ast_select *s,
                            const int32_t *item_col, pl_scope *out_sc) {
    const ast_expr *e = it->expr;
    if (e->kind == AST_E_LITERAL && e->u.lit.kind == AST_LIT_INTEGER) {
        int64_t k;
        if (pl_literal_int(p, e, &k) != 0) return NULL;
        if (k < 1 || k > in->out.n_cols) {
            pl_error(p, e->off, e->len, "ORDER BY position %lld is not in select list", (long long)k);
            return NULL;
        }
        return pl_colref(p, (uint32_t)(k - 1), &in->out.cols[k - 1], e->off, e->len);
    }
    for (uint32_t i = 0; s && i < s->n_items; i++)
        if (item_col[i] >= 0 && ast_expr_equal(s->items[i]->expr, e))
            return pl_colref(p, (uint32_t)item_col[i], &in->out.cols[item_col[i]], e->off, e->len);
    pl_aggctx forbid = {.mode = PL_AGG_FORBID, .clause = "ORDER BY"};
    return pl_expr(p, e, out_sc, &forbid);
}

plan_node *pl_plan_order(pl *p, const ast_query *q, plan_node *in, const ast_select *s,
                         const int32_t *item_col, int rowtime_item, const char *alias) {
    const ast_order_item *first = q->order_by[0];
    if (q->within) {
        if (first->desc) {
            pl_error(p, first->off, first->len, "ORDER BY ... WITHIN sorts ascending only");
            return NULL;
        }
        if (q->n_order_by > 1) {
            const ast_order_item *o = q->order_by[1];
            pl_unsupported(p, o->off, o->len, "a second ORDER BY key with WITHIN");
            return NULL;
        }
        if (rowtime_item < 0 || !ast_expr_equal(s->items[rowtime_item]->expr, first->expr)) {
            pl_error(p, first->off, first->len,
                     "the ORDER BY ... WITHIN expression must also be selected AS ROWTIME");
            return NULL;
        }
        uint32_t col = (uint32_t)item_col[rowtime_item];
        if (in->out.cols[col].type.id != EDDY_T_TIMESTAMP) {
            pl_error(p, first->off, first->len, "ORDER BY ... WITHIN needs a TIMESTAMP expression");
            return NULL;
        }
        plan_node *nd = pl_node(p, PLAN_TSORT, 1, first->off, q->within->off + q->within->len - first->off);
        if (!nd) return NULL;
        nd->inputs[0] = in;
        nd->out = in->out;
        nd->out.ordered = 1;
        if (!(nd->u.tsort.key = pl_colref(p, col, &in->out.cols[col], first->off, first->len)))
            return NULL;
        if (pl_interval_ms(p, q->within, &nd->u.tsort.within_ms) != 0) return NULL;
        return nd;
    }
    pl_scope out_sc;
    memset(&out_sc, 0, sizeof out_sc);
    out_sc.n_rels = 1;
    out_sc.rels[0] = (pl_rel){.alias = alias, .cols = in->out.cols, .n_cols = in->out.n_cols,
                              .is_stream = 1};
    plan_sort_key *keys = pl_alloc(p, q->n_order_by * sizeof *keys);
    if (!keys) return NULL;
    for (uint32_t i = 0; i < q->n_order_by; i++) {
        if (!(keys[i].expr = order_key(p, q->order_by[i], in, s, item_col, &out_sc))) return NULL;
        keys[i].desc = q->order_by[i]->desc;
    }
    /* A key that names a select item is judged by the item's expression. */
    const plan_expr *lead = keys[0].expr;
    for (const plan_node *at = in; lead->kind == PX_COLUMN && at;) {
        uint32_t i = lead->u.col.index;
        if (at->kind == PLAN_PROJECT) {
            lead = at->u.project.exprs[i];
        } else if (at->kind == PLAN_TUMBLE_AGG && i < at->u.tumble.n_keys) {
            lead = at->u.tumble.keys[i];
        } else if (at->kind == PLAN_STAGGER_AGG && i < at->u.stagger.n_keys) {
            lead = at->u.stagger.keys[i];
        } else if (at->kind != PLAN_FILTER && at->kind != PLAN_DISTINCT) {
            break;
        }
        at = at->n_inputs ? at->inputs[0] : NULL;
    }
    int m = pl_monotonic(lead, NULL);
    if (!((m == 1 && !keys[0].desc) || (m == -1 && keys[0].desc)) || !pl_uses_rowtime(lead)) {
        pl_error(p, first->off, first->len, "streaming ORDER BY needs a leading monotonic time key");
        eddy_err_hint(p->err, "Order by ROWTIME or FLOOR(ROWTIME TO MINUTE) first, then by other columns.");
        return NULL;
    }
    const ast_order_item *last = q->order_by[q->n_order_by - 1];
    plan_node *nd = pl_node(p, PLAN_ORDER, 1, first->off, last->off + last->len - first->off);
    if (!nd) return NULL;
    nd->inputs[0] = in;
    nd->out = in->out;
    nd->u.order.keys = keys;
    nd->u.order.n_keys = q->n_order_by;
    return nd;
}
