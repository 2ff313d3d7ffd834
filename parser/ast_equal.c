/*
 * ast_equal.c — structural equality of syntax trees (ast.h). The round-trip
 * tests and the fuzzer check that parse(print(tree)) equals tree with it.
 *
 * Compared: everything that the printer writes back. Ignored: byte spans,
 * heights, whether a name was written quoted (printing may add quotes that
 * leave the name itself unchanged), and the U& spelling of strings.
 */
#include "ast.h"

#include <string.h>

static int eq_expr(const ast_expr *x, const ast_expr *y);
static int eq_query(const ast_query *x, const ast_query *y);

static int eq_name(const ast_name *x, const ast_name *y) {
    if (!x->s || !y->s) return x->s == y->s;
    return strcmp(x->s, y->s) == 0;
}

static int eq_names(const ast_name *x, uint32_t nx, const ast_name *y, uint32_t ny) {
    if (nx != ny) return 0;
    for (uint32_t i = 0; i < nx; i++)
        if (!eq_name(&x[i], &y[i])) return 0;
    return 1;
}

static int eq_exprs(ast_expr *const *x, uint32_t nx, ast_expr *const *y, uint32_t ny) {
    if (nx != ny) return 0;
    for (uint32_t i = 0; i < nx; i++)
        if (!eq_expr(x[i], y[i])) return 0;
    return 1;
}

static int eq_iq(const ast_interval_qual *x, const ast_interval_qual *y) {
    return x->start == y->start && x->end == y->end && x->start_prec == y->start_prec &&
           x->frac_prec == y->frac_prec;
}

static int eq_type(const ast_type_ref *x, const ast_type_ref *y) {
    if (x->type.id != y->type.id || x->type.precision != y->type.precision ||
        x->type.scale != y->type.scale || x->has_scale != y->has_scale)
        return 0;
    if (x->type.id == EDDY_T_INTERVAL_DS || x->type.id == EDDY_T_INTERVAL_YM)
        return eq_iq(&x->iq, &y->iq);
    return 1;
}

static int eq_order(ast_order_item *const *x, uint32_t nx, ast_order_item *const *y,
                    uint32_t ny) {
    if (nx != ny) return 0;
    for (uint32_t i = 0; i < nx; i++) {
        if (!x[i] || !y[i]) {
            if (x[i] != y[i]) return 0;
            continue;
        }
        if (x[i]->asc != y[i]->asc || x[i]->desc != y[i]->desc) return 0;
        if (!eq_expr(x[i]->expr, y[i]->expr)) return 0;
    }
    return 1;
}

static int eq_bound(const ast_bound *x, const ast_bound *y) {
    return x->kind == y->kind && eq_expr(x->offset, y->offset);
}

static int eq_window(const ast_window *x, const ast_window *y) {
    if (!x || !y) return x == y;
    return eq_name(&x->ref, &y->ref) && x->name_only == y->name_only &&
           eq_exprs(x->partition, x->n_partition, y->partition, y->n_partition) &&
           eq_order(x->order, x->n_order, y->order, y->n_order) && x->frame == y->frame &&
           x->between == y->between && eq_bound(&x->start, &y->start) &&
           eq_bound(&x->end, &y->end);
}

static int eq_expr(const ast_expr *x, const ast_expr *y) {
    if (!x || !y) return x == y;
    if (x->kind != y->kind) return 0;
    switch (x->kind) {
    case AST_E_LITERAL:
        if (x->u.lit.kind != y->u.lit.kind || x->u.lit.text_len != y->u.lit.text_len) return 0;
        if (x->u.lit.text_len && memcmp(x->u.lit.text, y->u.lit.text, x->u.lit.text_len) != 0)
            return 0;
        if (x->u.lit.kind == AST_LIT_INTERVAL)
            return x->u.lit.sign == y->u.lit.sign && eq_iq(&x->u.lit.iq, &y->u.lit.iq);
        return 1;
    case AST_E_COLUMN:
    case AST_E_STAR:
        return eq_names(x->u.col.parts, x->u.col.n_parts, y->u.col.parts, y->u.col.n_parts);
    case AST_E_UNARY:
        return x->u.unary.op == y->u.unary.op && eq_expr(x->u.unary.arg, y->u.unary.arg);
    case AST_E_BINARY:
        return x->u.binary.op == y->u.binary.op && eq_expr(x->u.binary.left, y->u.binary.left) &&
               eq_expr(x->u.binary.right, y->u.binary.right);
    case AST_E_IS:
        return x->u.is.what == y->u.is.what && x->u.is.negated == y->u.is.negated &&
               eq_expr(x->u.is.arg, y->u.is.arg);
    case AST_E_BETWEEN:
        return x->u.between.negated == y->u.between.negated &&
               x->u.between.symmetric == y->u.between.symmetric &&
               eq_expr(x->u.between.arg, y->u.between.arg) &&
               eq_expr(x->u.between.lo, y->u.between.lo) &&
               eq_expr(x->u.between.hi, y->u.between.hi);
    case AST_E_IN_LIST:
    case AST_E_IN_QUERY:
        return x->u.in.negated == y->u.in.negated && eq_expr(x->u.in.arg, y->u.in.arg) &&
               eq_exprs(x->u.in.list, x->u.in.n_list, y->u.in.list, y->u.in.n_list) &&
               eq_query(x->u.in.query, y->u.in.query);
    case AST_E_LIKE:
        return x->u.like.negated == y->u.like.negated && x->u.like.similar == y->u.like.similar &&
               eq_expr(x->u.like.arg, y->u.like.arg) &&
               eq_expr(x->u.like.pattern, y->u.like.pattern) &&
               eq_expr(x->u.like.escape, y->u.like.escape);
    case AST_E_CASE:
        return eq_expr(x->u.case_.operand, y->u.case_.operand) &&
               eq_exprs(x->u.case_.whens, x->u.case_.n_whens, y->u.case_.whens,
                        y->u.case_.n_whens) &&
               eq_exprs(x->u.case_.thens, x->u.case_.n_whens, y->u.case_.thens,
                        y->u.case_.n_whens) &&
               eq_expr(x->u.case_.else_, y->u.case_.else_);
    case AST_E_CAST:
        return eq_expr(x->u.cast.arg, y->u.cast.arg) && eq_type(&x->u.cast.type, &y->u.cast.type);
    case AST_E_CALL:
        return eq_name(&x->u.call.name, &y->u.call.name) && x->u.call.form == y->u.call.form &&
               eq_exprs(x->u.call.args, x->u.call.n_args, y->u.call.args, y->u.call.n_args) &&
               x->u.call.star == y->u.call.star && x->u.call.quant == y->u.call.quant &&
               x->u.call.unit == y->u.call.unit && x->u.call.trim == y->u.call.trim &&
               x->u.call.from_pos == y->u.call.from_pos && x->u.call.nulls == y->u.call.nulls &&
               eq_window(x->u.call.over, y->u.call.over);
    case AST_E_SUBQUERY:
    case AST_E_EXISTS:
    case AST_E_CURSOR:
        return eq_query(x->u.query.query, y->u.query.query);
    case AST_E_ROW:
        return eq_exprs(x->u.row.items, x->u.row.n_items, y->u.row.items, y->u.row.n_items);
    case AST_E_INTERVAL_OF:
        return eq_iq(&x->u.ivof.iq, &y->u.ivof.iq) && eq_expr(x->u.ivof.arg, y->u.ivof.arg);
    }
    return 0;
}

static int eq_from(const ast_from *x, const ast_from *y) {
    if (!x || !y) return x == y;
    if (x->kind != y->kind || !eq_name(&x->alias, &y->alias) ||
        !eq_names(x->col_aliases, x->n_col_aliases, y->col_aliases, y->n_col_aliases) ||
        !eq_window(x->over, y->over))
        return 0;
    switch (x->kind) {
    case AST_F_NAMED: return eq_name(&x->u.named.name, &y->u.named.name);
    case AST_F_SUBQUERY: return eq_query(x->u.query.query, y->u.query.query);
    case AST_F_TABLE_FUNC: return eq_expr(x->u.func.call, y->u.func.call);
    case AST_F_JOIN:
        return x->u.join.kind == y->u.join.kind && x->u.join.outer == y->u.join.outer &&
               x->u.join.natural == y->u.join.natural && x->u.join.comma == y->u.join.comma &&
               eq_from(x->u.join.left, y->u.join.left) &&
               eq_from(x->u.join.right, y->u.join.right) && eq_expr(x->u.join.on, y->u.join.on) &&
               eq_names(x->u.join.using_, x->u.join.n_using, y->u.join.using_, y->u.join.n_using);
    }
    return 0;
}

static int eq_select(const ast_select *x, const ast_select *y) {
    if (!x || !y) return x == y;
    if (x->stream != y->stream || x->quant != y->quant || x->n_items != y->n_items) return 0;
    for (uint32_t i = 0; i < x->n_items; i++) {
        const ast_select_item *a = x->items[i], *b = y->items[i];
        if (!a || !b) {
            if (a != b) return 0;
            continue;
        }
        if (!eq_expr(a->expr, b->expr) || !eq_name(&a->alias, &b->alias)) return 0;
    }
    if (!eq_from(x->from, y->from) || !eq_expr(x->where, y->where) ||
        !eq_exprs(x->group_by, x->n_group_by, y->group_by, y->n_group_by) ||
        !eq_expr(x->having, y->having) || x->n_windows != y->n_windows)
        return 0;
    if (!x->stagger || !y->stagger) {
        if (x->stagger != y->stagger) return 0;
    } else if (!eq_exprs(x->stagger->partition, x->stagger->n_partition, y->stagger->partition,
                         y->stagger->n_partition) ||
               !eq_expr(x->stagger->range, y->stagger->range)) {
        return 0;
    }
    for (uint32_t i = 0; i < x->n_windows; i++) {
        const ast_named_window *a = x->windows[i], *b = y->windows[i];
        if (!a || !b) {
            if (a != b) return 0;
            continue;
        }
        if (!eq_name(&a->name, &b->name) || !eq_window(a->spec, b->spec)) return 0;
    }
    return 1;
}

static int eq_query(const ast_query *x, const ast_query *y) {
    if (!x || !y) return x == y;
    if (x->kind != y->kind) return 0;
    switch (x->kind) {
    case AST_Q_SELECT:
        if (!eq_select(x->u.select, y->u.select)) return 0;
        break;
    case AST_Q_SETOP:
        if (x->u.setop.op != y->u.setop.op || x->u.setop.all != y->u.setop.all ||
            !eq_query(x->u.setop.left, y->u.setop.left) ||
            !eq_query(x->u.setop.right, y->u.setop.right))
            return 0;
        break;
    case AST_Q_VALUES:
        if (!eq_exprs(x->u.values.rows, x->u.values.n_rows, y->u.values.rows, y->u.values.n_rows))
            return 0;
        break;
    }
    return eq_order(x->order_by, x->n_order_by, y->order_by, y->n_order_by) &&
           eq_expr(x->within, y->within) && eq_expr(x->limit, y->limit);
}

static int eq_insert(const ast_insert *x, const ast_insert *y) {
    if (!x || !y) return x == y;
    return x->expedited == y->expedited && eq_name(&x->stream, &y->stream) &&
           eq_names(x->columns, x->n_columns, y->columns, y->n_columns) &&
           eq_query(x->query, y->query);
}

int ast_expr_equal(const ast_expr *x, const ast_expr *y) {
    return eq_expr(x, y);
}

int ast_stmt_equal(const ast_stmt *x, const ast_stmt *y) {
    if (!x || !y) return x == y;
    if (x->kind != y->kind) return 0;
    switch (x->kind) {
    case AST_S_QUERY: return eq_query(x->u.query, y->u.query);
    case AST_S_CREATE_STREAM: {
        const __typeof__(x->u.create_stream) *a = &x->u.create_stream, *b = &y->u.create_stream;
        if (a->or_replace != b->or_replace || !eq_name(&a->name, &b->name) ||
            a->n_columns != b->n_columns || a->n_options != b->n_options ||
            !eq_expr(a->description, b->description))
            return 0;
        for (uint32_t i = 0; i < a->n_columns; i++) {
            const ast_column_def *c = a->columns[i], *d = b->columns[i];
            if (!c || !d) {
                if (c != d) return 0;
                continue;
            }
            if (!eq_name(&c->name, &d->name) || !eq_type(&c->type, &d->type) ||
                c->not_null != d->not_null)
                return 0;
        }
        for (uint32_t i = 0; i < a->n_options; i++) {
            const ast_option *o = a->options[i], *p = b->options[i];
            if (!o || !p) {
                if (o != p) return 0;
                continue;
            }
            if (o->key_is_string != p->key_is_string || !eq_name(&o->key, &p->key) ||
                !eq_names(o->parts, o->n_parts, p->parts, p->n_parts) ||
                !eq_expr(o->value, p->value))
                return 0;
        }
        return 1;
    }
    case AST_S_CREATE_PUMP:
        return x->u.create_pump.or_replace == y->u.create_pump.or_replace &&
               x->u.create_pump.started == y->u.create_pump.started &&
               eq_name(&x->u.create_pump.name, &y->u.create_pump.name) &&
               eq_expr(x->u.create_pump.description, y->u.create_pump.description) &&
               eq_insert(x->u.create_pump.insert, y->u.create_pump.insert);
    case AST_S_CREATE_FUNCTION: {
        const __typeof__(x->u.create_function) *a = &x->u.create_function,
                                               *b = &y->u.create_function;
        if (a->or_replace != b->or_replace || !eq_name(&a->name, &b->name) ||
            a->n_params != b->n_params || !eq_type(&a->returns, &b->returns) ||
            a->language_sql != b->language_sql || !eq_name(&a->specific, &b->specific) ||
            a->deterministic != b->deterministic || a->data_access != b->data_access ||
            a->on_null != b->on_null || !eq_expr(a->body, b->body))
            return 0;
        for (uint32_t i = 0; i < a->n_params; i++) {
            const ast_param *p = a->params[i], *q = b->params[i];
            if (!p || !q) {
                if (p != q) return 0;
                continue;
            }
            if (!eq_name(&p->name, &q->name) || !eq_type(&p->type, &q->type)) return 0;
        }
        return 1;
    }
    case AST_S_INSERT: return eq_insert(x->u.insert, y->u.insert);
    case AST_S_DROP:
        return x->u.drop.what == y->u.drop.what && x->u.drop.if_exists == y->u.drop.if_exists &&
               eq_name(&x->u.drop.name, &y->u.drop.name);
    case AST_S_SHOW: return x->u.show.what == y->u.show.what;
    case AST_S_DESCRIBE:
        return x->u.describe.extended == y->u.describe.extended &&
               eq_name(&x->u.describe.name, &y->u.describe.name);
    case AST_S_EXPLAIN: return ast_stmt_equal(x->u.explain.stmt, y->u.explain.stmt);
    }
    return 0;
}
