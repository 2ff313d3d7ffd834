/*
 * ast_print.c — turns a syntax tree (ast.h) back into SQL text: EXPLAIN
 * output, error messages that quote an expression, and the round-trip tests
 * (parse → print → parse must give an equal tree).
 *
 * Expressions are printed with as few parentheses as the grammar's operator
 * precedence allows: each operator knows its level, and a child whose level
 * is too low for its position gets parentheses.
 */
#include "sql_parse.h"

#include <string.h>

#include "sql_parse_int.h"

/* Precedence levels, mirroring grammar.y (higher binds tighter). */
enum {
    P_NONE = 0,
    P_OR = 1,
    P_AND = 2,
    P_NOT = 3,
    P_CMP = 4,    /* = <> IS LIKE BETWEEN IN */
    P_ORD = 5,    /* < <= > >= */
    P_ADD = 6,
    P_MUL = 7,    /* * / % || */
    P_UNARY = 8,
    P_PRIMARY = 9
};

static void print_expr(const ast_expr *e, int need, sbuf *b);
static void print_window(const ast_window *w, sbuf *b);

static int op_level(ast_op op) {
    switch (op) {
    case AST_OP_OR: return P_OR;
    case AST_OP_AND: return P_AND;
    case AST_OP_NOT: return P_NOT;
    case AST_OP_EQ:
    case AST_OP_NE:
    case AST_OP_IS_DISTINCT:
    case AST_OP_IS_NOT_DISTINCT: return P_CMP;
    case AST_OP_LT:
    case AST_OP_LE:
    case AST_OP_GT:
    case AST_OP_GE: return P_ORD;
    case AST_OP_ADD:
    case AST_OP_SUB: return P_ADD;
    case AST_OP_MUL:
    case AST_OP_DIV:
    case AST_OP_MOD:
    case AST_OP_CONCAT: return P_MUL;
    case AST_OP_NEG:
    case AST_OP_PLUS: return P_UNARY;
    }
    return P_PRIMARY;
}

static int expr_level(const ast_expr *e) {
    switch (e->kind) {
    case AST_E_UNARY: return op_level(e->u.unary.op);
    case AST_E_BINARY: return op_level(e->u.binary.op);
    case AST_E_IS:
    case AST_E_BETWEEN:
    case AST_E_IN_LIST:
    case AST_E_IN_QUERY:
    case AST_E_LIKE: return P_CMP;
    default: return P_PRIMARY;
    }
}

int sql_is_reserved(const char *s) {
    int code = sql__keyword(s, (uint32_t)strlen(s));
    return code != 0 && !sql__is_fallback(code);
}

void ast_print_name(const ast_name *n, sbuf *b) {
    const char *s = n->s ? n->s : "";
    int plain = s[0] != '\0' && !(s[0] >= '0' && s[0] <= '9') && s[0] != '$';
    for (const char *p = s; plain && *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$'))
            plain = 0;
    /* Every keyword is quoted, reserved or not: a non-reserved keyword reads
     * as a name only where the keyword itself cannot appear. */
    if (plain && !n->quoted && sql__keyword(s, (uint32_t)strlen(s)) == 0) {
        sbuf_puts(b, s);
        return;
    }
    sbuf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"') sbuf_putc(b, '"');
        sbuf_putc(b, *p);
    }
    sbuf_putc(b, '"');
}

static void print_string(const char *s, uint32_t n, sbuf *b) {
    sbuf_putc(b, '\'');
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] == '\'') sbuf_putc(b, '\'');
        sbuf_putc(b, s[i]);
    }
    sbuf_putc(b, '\'');
}

static void print_iq(const ast_interval_qual *q, sbuf *b) {
    sbuf_puts(b, ast_time_unit_name(q->start));
    int frac_on_start = q->start == AST_TU_SECOND && q->end == AST_TU_NONE;
    if (q->start_prec >= 0 && frac_on_start && q->frac_prec >= 0)
        sbuf_printf(b, "(%d, %d)", q->start_prec, q->frac_prec);
    else if (q->start_prec >= 0)
        sbuf_printf(b, "(%d)", q->start_prec);
    if (q->end != AST_TU_NONE) {
        sbuf_printf(b, " TO %s", ast_time_unit_name(q->end));
        if (q->end == AST_TU_SECOND && q->frac_prec >= 0) sbuf_printf(b, "(%d)", q->frac_prec);
    }
}

void ast_print_type(const ast_type_ref *t, sbuf *b) {
    if (t->type.id == EDDY_T_INTERVAL_DS || t->type.id == EDDY_T_INTERVAL_YM) {
        sbuf_puts(b, "INTERVAL ");
        print_iq(&t->iq, b);
        return;
    }
    sbuf_puts(b, eddy_type_name(t->type.id));
    if (t->has_scale)
        sbuf_printf(b, "(%d, %d)", t->type.precision, t->type.scale);
    else if (t->type.precision > 0)
        sbuf_printf(b, "(%d)", t->type.precision);
}

static void print_literal(const ast_expr *e, sbuf *b) {
    const char *t = e->u.lit.text ? e->u.lit.text : "";
    switch (e->u.lit.kind) {
    case AST_LIT_NULL: sbuf_puts(b, "NULL"); break;
    case AST_LIT_TRUE: sbuf_puts(b, "TRUE"); break;
    case AST_LIT_FALSE: sbuf_puts(b, "FALSE"); break;
    case AST_LIT_UNKNOWN: sbuf_puts(b, "UNKNOWN"); break;
    case AST_LIT_INTEGER:
    case AST_LIT_DECIMAL:
    case AST_LIT_APPROX: sbuf_append(b, t, e->u.lit.text_len); break;
    case AST_LIT_STRING: print_string(t, e->u.lit.text_len, b); break;
    case AST_LIT_BINARY:
        sbuf_puts(b, "X'");
        sbuf_append(b, t, e->u.lit.text_len);
        sbuf_putc(b, '\'');
        break;
    case AST_LIT_DATE:
    case AST_LIT_TIME:
    case AST_LIT_TIMESTAMP:
        sbuf_puts(b, e->u.lit.kind == AST_LIT_DATE ? "DATE "
                     : e->u.lit.kind == AST_LIT_TIME ? "TIME " : "TIMESTAMP ");
        print_string(t, e->u.lit.text_len, b);
        break;
    case AST_LIT_INTERVAL:
        sbuf_puts(b, "INTERVAL ");
        if (e->u.lit.sign) {
            sbuf_putc(b, e->u.lit.sign);
            sbuf_putc(b, ' ');
        }
        print_string(t, e->u.lit.text_len, b);
        sbuf_putc(b, ' ');
        print_iq(&e->u.lit.iq, b);
        break;
    }
}

static void print_names(const ast_name *v, uint32_t n, const char *sep, sbuf *b) {
    for (uint32_t i = 0; i < n; i++) {
        if (i) sbuf_puts(b, sep);
        ast_print_name(&v[i], b);
    }
}

static void print_exprs(ast_expr *const *v, uint32_t n, sbuf *b) {
    for (uint32_t i = 0; i < n; i++) {
        if (i) sbuf_puts(b, ", ");
        print_expr(v[i], P_NONE, b);
    }
}

/* An argument of a keyword-separated call form (SUBSTRING(a FROM b)):
 * predicates get parentheses so their keywords cannot be misread. */
static void print_arg(const ast_expr *e, sbuf *b) {
    print_expr(e, P_ORD, b);
}

static ast_expr *arg(const ast_expr *e, uint32_t i) {
    return i < e->u.call.n_args ? e->u.call.args[i] : NULL;
}

static void print_call(const ast_expr *e, sbuf *b) {
    if (e->u.call.form == AST_CALL_NILADIC) {
        /* CURRENT_TIMESTAMP and friends are keywords, never quoted. */
        sbuf_puts(b, e->u.call.name.s ? e->u.call.name.s : "");
        return;
    }
    ast_print_name(&e->u.call.name, b);
    sbuf_putc(b, '(');
    switch (e->u.call.form) {
    case AST_CALL_PLAIN:
        if (e->u.call.quant == AST_SETQ_DISTINCT) sbuf_puts(b, "DISTINCT ");
        if (e->u.call.quant == AST_SETQ_ALL) sbuf_puts(b, "ALL ");
        if (e->u.call.star) sbuf_putc(b, '*');
        print_exprs(e->u.call.args, e->u.call.n_args, b);
        break;
    case AST_CALL_SUBSTRING:
        print_arg(arg(e, 0), b);
        sbuf_puts(b, " FROM ");
        print_arg(arg(e, 1), b);
        if (e->u.call.n_args > 2) {
            sbuf_puts(b, " FOR ");
            print_arg(arg(e, 2), b);
        }
        break;
    case AST_CALL_SUBSTRING_SIMILAR:
        print_arg(arg(e, 0), b);
        sbuf_puts(b, " SIMILAR ");
        print_arg(arg(e, 1), b);
        sbuf_puts(b, " ESCAPE ");
        print_arg(arg(e, 2), b);
        break;
    case AST_CALL_POSITION:
        print_arg(arg(e, 0), b);
        sbuf_puts(b, " IN ");
        print_arg(arg(e, 1), b);
        break;
    case AST_CALL_TRIM:
        if (e->u.call.trim == AST_TRIM_BOTH) sbuf_puts(b, "BOTH ");
        if (e->u.call.trim == AST_TRIM_LEADING) sbuf_puts(b, "LEADING ");
        if (e->u.call.trim == AST_TRIM_TRAILING) sbuf_puts(b, "TRAILING ");
        if (e->u.call.n_args > 1) {
            print_arg(arg(e, 1), b);
            sbuf_putc(b, ' ');
        }
        sbuf_puts(b, "FROM ");
        print_arg(arg(e, 0), b);
        break;
    case AST_CALL_OVERLAY:
        print_arg(arg(e, 0), b);
        sbuf_puts(b, " PLACING ");
        print_arg(arg(e, 1), b);
        sbuf_puts(b, " FROM ");
        print_arg(arg(e, 2), b);
        if (e->u.call.n_args > 3) {
            sbuf_puts(b, " FOR ");
            print_arg(arg(e, 3), b);
        }
        break;
    case AST_CALL_EXTRACT:
        sbuf_printf(b, "%s FROM ", ast_time_unit_name(e->u.call.unit));
        print_arg(arg(e, 0), b);
        break;
    case AST_CALL_FLOOR_TO: {
        /* FLOOR(INTERVAL '1' DAY TO HOUR) would read TO as the qualifier's. */
        const ast_expr *x = arg(e, 0);
        int wrap = x && ((x->kind == AST_E_LITERAL && x->u.lit.kind == AST_LIT_INTERVAL) ||
                         x->kind == AST_E_INTERVAL_OF);
        if (wrap) sbuf_putc(b, '(');
        print_arg(x, b);
        if (wrap) sbuf_putc(b, ')');
        sbuf_printf(b, " TO %s", ast_time_unit_name(e->u.call.unit));
        break;
    }
    case AST_CALL_STEP:
        print_arg(arg(e, 0), b);
        sbuf_puts(b, " BY ");
        print_arg(arg(e, 1), b);
        break;
    case AST_CALL_NILADIC:
        break;
    }
    sbuf_putc(b, ')');
    if (e->u.call.from_pos == AST_FROM_FIRST) sbuf_puts(b, " FROM FIRST");
    if (e->u.call.from_pos == AST_FROM_LAST) sbuf_puts(b, " FROM LAST");
    if (e->u.call.nulls == AST_NULLS_IGNORE) sbuf_puts(b, " IGNORE NULLS");
    if (e->u.call.nulls == AST_NULLS_RESPECT) sbuf_puts(b, " RESPECT NULLS");
    if (e->u.call.over) {
        sbuf_puts(b, " OVER ");
        print_window(e->u.call.over, b);
    }
}

static void print_expr_inner(const ast_expr *e, sbuf *b) {
    switch (e->kind) {
    case AST_E_LITERAL: print_literal(e, b); break;
    case AST_E_COLUMN: print_names(e->u.col.parts, e->u.col.n_parts, ".", b); break;
    case AST_E_STAR:
        print_names(e->u.col.parts, e->u.col.n_parts, ".", b);
        sbuf_puts(b, e->u.col.n_parts ? ".*" : "*");
        break;
    case AST_E_UNARY: {
        const ast_expr *x = e->u.unary.arg;
        if (e->u.unary.op == AST_OP_NOT) {
            sbuf_puts(b, "NOT ");
            print_expr(x, P_NOT, b);
        } else {
            sbuf_puts(b, e->u.unary.op == AST_OP_NEG ? "-" : "+");
            /* "- -x" must not become the comment "--x". */
            if (x && x->kind == AST_E_UNARY) {
                sbuf_putc(b, '(');
                print_expr(x, P_NONE, b);
                sbuf_putc(b, ')');
            } else {
                print_expr(x, P_UNARY, b);
            }
        }
        break;
    }
    case AST_E_BINARY: {
        int lv = op_level(e->u.binary.op);
        print_expr(e->u.binary.left, lv, b);
        sbuf_printf(b, " %s ", ast_op_name(e->u.binary.op));
        print_expr(e->u.binary.right, lv + 1, b);
        break;
    }
    case AST_E_IS:
        print_expr(e->u.is.arg, P_CMP, b);
        sbuf_puts(b, e->u.is.negated ? " IS NOT " : " IS ");
        sbuf_puts(b, e->u.is.what == AST_IS_NULL   ? "NULL"
                     : e->u.is.what == AST_IS_TRUE ? "TRUE"
                     : e->u.is.what == AST_IS_FALSE ? "FALSE" : "UNKNOWN");
        break;
    case AST_E_BETWEEN:
        print_expr(e->u.between.arg, P_CMP, b);
        sbuf_puts(b, e->u.between.negated ? " NOT BETWEEN " : " BETWEEN ");
        if (e->u.between.symmetric) sbuf_puts(b, "SYMMETRIC ");
        print_expr(e->u.between.lo, P_ORD, b);
        sbuf_puts(b, " AND ");
        print_expr(e->u.between.hi, P_ORD, b);
        break;
    case AST_E_IN_LIST:
    case AST_E_IN_QUERY:
        print_expr(e->u.in.arg, P_CMP, b);
        sbuf_puts(b, e->u.in.negated ? " NOT IN (" : " IN (");
        if (e->kind == AST_E_IN_LIST)
            print_exprs(e->u.in.list, e->u.in.n_list, b);
        else if (e->u.in.query)
            ast_print_query(e->u.in.query, b);
        sbuf_putc(b, ')');
        break;
    case AST_E_LIKE:
        print_expr(e->u.like.arg, P_CMP, b);
        if (e->u.like.negated) sbuf_puts(b, " NOT");
        sbuf_puts(b, e->u.like.similar ? " SIMILAR TO " : " LIKE ");
        print_expr(e->u.like.pattern, P_ORD, b);
        if (e->u.like.escape) {
            sbuf_puts(b, " ESCAPE ");
            print_expr(e->u.like.escape, P_ORD, b);
        }
        break;
    case AST_E_CASE:
        sbuf_puts(b, "CASE");
        if (e->u.case_.operand) {
            sbuf_putc(b, ' ');
            print_expr(e->u.case_.operand, P_NONE, b);
        }
        for (uint32_t i = 0; i < e->u.case_.n_whens; i++) {
            sbuf_puts(b, " WHEN ");
            print_expr(e->u.case_.whens[i], P_NONE, b);
            sbuf_puts(b, " THEN ");
            print_expr(e->u.case_.thens[i], P_NONE, b);
        }
        if (e->u.case_.else_) {
            sbuf_puts(b, " ELSE ");
            print_expr(e->u.case_.else_, P_NONE, b);
        }
        sbuf_puts(b, " END");
        break;
    case AST_E_CAST:
        sbuf_puts(b, "CAST(");
        print_expr(e->u.cast.arg, P_NONE, b);
        sbuf_puts(b, " AS ");
        ast_print_type(&e->u.cast.type, b);
        sbuf_putc(b, ')');
        break;
    case AST_E_CALL: print_call(e, b); break;
    case AST_E_SUBQUERY:
    case AST_E_EXISTS:
    case AST_E_CURSOR:
        if (e->kind == AST_E_EXISTS) sbuf_puts(b, "EXISTS");
        if (e->kind == AST_E_CURSOR) sbuf_puts(b, "CURSOR");
        sbuf_putc(b, '(');
        if (e->u.query.query) ast_print_query(e->u.query.query, b);
        sbuf_putc(b, ')');
        break;
    case AST_E_ROW:
        sbuf_putc(b, '(');
        print_exprs(e->u.row.items, e->u.row.n_items, b);
        sbuf_putc(b, ')');
        break;
    case AST_E_INTERVAL_OF:
        sbuf_putc(b, '(');
        print_expr(e->u.ivof.arg, P_NONE, b);
        sbuf_puts(b, ") ");
        print_iq(&e->u.ivof.iq, b);
        break;
    }
}

static void print_expr(const ast_expr *e, int need, sbuf *b) {
    if (!e) {
        sbuf_puts(b, "NULL");
        return;
    }
    int paren = expr_level(e) < need;
    if (paren) sbuf_putc(b, '(');
    print_expr_inner(e, b);
    if (paren) sbuf_putc(b, ')');
}

void ast_print_expr(const ast_expr *e, sbuf *out) {
    print_expr(e, P_NONE, out);
}

static void print_order(ast_order_item *const *v, uint32_t n, sbuf *b) {
    for (uint32_t i = 0; i < n; i++) {
        if (i) sbuf_puts(b, ", ");
        if (!v[i]) continue;
        print_expr(v[i]->expr, P_NONE, b);
        if (v[i]->desc) sbuf_puts(b, " DESC");
        else if (v[i]->asc) sbuf_puts(b, " ASC");
    }
}

static void print_bound(const ast_bound *bd, sbuf *b) {
    switch (bd->kind) {
    case AST_BOUND_UNBOUNDED_PRECEDING: sbuf_puts(b, "UNBOUNDED PRECEDING"); break;
    case AST_BOUND_UNBOUNDED_FOLLOWING: sbuf_puts(b, "UNBOUNDED FOLLOWING"); break;
    case AST_BOUND_CURRENT_ROW: sbuf_puts(b, "CURRENT ROW"); break;
    case AST_BOUND_PRECEDING:
    case AST_BOUND_FOLLOWING:
        print_expr(bd->offset, P_ORD, b);
        sbuf_puts(b, bd->kind == AST_BOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
        break;
    case AST_BOUND_NONE: break;
    }
}

static void print_window_spec(const ast_window *w, sbuf *b) {
    int sp = 0;
    if (w->ref.s) {
        ast_print_name(&w->ref, b);
        sp = 1;
    }
    if (w->n_partition) {
        sbuf_puts(b, sp ? " PARTITION BY " : "PARTITION BY ");
        print_exprs(w->partition, w->n_partition, b);
        sp = 1;
    }
    if (w->n_order) {
        sbuf_puts(b, sp ? " ORDER BY " : "ORDER BY ");
        print_order(w->order, w->n_order, b);
        sp = 1;
    }
    if (w->frame != AST_FRAME_NONE) {
        if (sp) sbuf_putc(b, ' ');
        sbuf_puts(b, w->frame == AST_FRAME_ROWS ? "ROWS " : "RANGE ");
        if (w->between) {
            sbuf_puts(b, "BETWEEN ");
            print_bound(&w->start, b);
            sbuf_puts(b, " AND ");
            print_bound(&w->end, b);
        } else {
            print_bound(&w->start, b);
        }
    }
}

static void print_window(const ast_window *w, sbuf *b) {
    if (w->name_only) {
        ast_print_name(&w->ref, b);
        return;
    }
    sbuf_putc(b, '(');
    print_window_spec(w, b);
    sbuf_putc(b, ')');
}

static void print_alias(const ast_from *f, sbuf *b) {
    if (!f->alias.s) return;
    sbuf_puts(b, " AS ");
    ast_print_name(&f->alias, b);
    if (f->n_col_aliases) {
        sbuf_putc(b, '(');
        print_names(f->col_aliases, f->n_col_aliases, ", ", b);
        sbuf_putc(b, ')');
    }
}

static void print_from(const ast_from *f, sbuf *b) {
    if (!f) return;
    switch (f->kind) {
    case AST_F_NAMED:
        ast_print_name(&f->u.named.name, b);
        if (f->over) {
            sbuf_puts(b, " OVER ");
            print_window(f->over, b);
        }
        print_alias(f, b);
        break;
    case AST_F_SUBQUERY:
        sbuf_putc(b, '(');
        if (f->u.query.query) ast_print_query(f->u.query.query, b);
        sbuf_putc(b, ')');
        print_alias(f, b);
        break;
    case AST_F_TABLE_FUNC:
        sbuf_puts(b, "TABLE(");
        print_expr(f->u.func.call, P_NONE, b);
        sbuf_putc(b, ')');
        print_alias(f, b);
        break;
    case AST_F_JOIN:
        print_from(f->u.join.left, b);
        if (f->u.join.comma) {
            sbuf_puts(b, ", ");
        } else {
            sbuf_putc(b, ' ');
            if (f->u.join.natural) sbuf_puts(b, "NATURAL ");
            switch (f->u.join.kind) {
            case AST_JOIN_INNER: break;
            case AST_JOIN_LEFT: sbuf_puts(b, "LEFT "); break;
            case AST_JOIN_RIGHT: sbuf_puts(b, "RIGHT "); break;
            case AST_JOIN_FULL: sbuf_puts(b, "FULL "); break;
            case AST_JOIN_CROSS: sbuf_puts(b, "CROSS "); break;
            }
            if (f->u.join.outer) sbuf_puts(b, "OUTER ");
            sbuf_puts(b, "JOIN ");
        }
        print_from(f->u.join.right, b);
        if (f->u.join.on) {
            sbuf_puts(b, " ON ");
            print_expr(f->u.join.on, P_NONE, b);
        }
        if (f->u.join.n_using) {
            sbuf_puts(b, " USING (");
            print_names(f->u.join.using_, f->u.join.n_using, ", ", b);
            sbuf_putc(b, ')');
        }
        break;
    }
}

static void print_select(const ast_select *s, sbuf *b) {
    sbuf_puts(b, "SELECT ");
    if (s->stream) sbuf_puts(b, "STREAM ");
    if (s->quant == AST_SETQ_DISTINCT) sbuf_puts(b, "DISTINCT ");
    if (s->quant == AST_SETQ_ALL) sbuf_puts(b, "ALL ");
    for (uint32_t i = 0; i < s->n_items; i++) {
        if (i) sbuf_puts(b, ", ");
        const ast_select_item *it = s->items[i];
        if (!it) continue;
        print_expr(it->expr, P_NONE, b);
        if (it->alias.s) {
            sbuf_puts(b, " AS ");
            ast_print_name(&it->alias, b);
        }
    }
    if (s->from) {
        sbuf_puts(b, " FROM ");
        print_from(s->from, b);
    }
    if (s->where) {
        sbuf_puts(b, " WHERE ");
        print_expr(s->where, P_NONE, b);
    }
    if (s->n_group_by) {
        sbuf_puts(b, " GROUP BY ");
        print_exprs(s->group_by, s->n_group_by, b);
    }
    if (s->stagger) {
        sbuf_puts(b, " WINDOWED BY STAGGER (PARTITION BY ");
        print_exprs(s->stagger->partition, s->stagger->n_partition, b);
        sbuf_puts(b, " RANGE ");
        print_expr(s->stagger->range, P_NONE, b);
        sbuf_putc(b, ')');
    }
    if (s->having) {
        sbuf_puts(b, " HAVING ");
        print_expr(s->having, P_NONE, b);
    }
    for (uint32_t i = 0; i < s->n_windows; i++) {
        const ast_named_window *w = s->windows[i];
        sbuf_puts(b, i ? ", " : " WINDOW ");
        if (!w) continue;
        ast_print_name(&w->name, b);
        sbuf_puts(b, " AS (");
        if (w->spec) print_window_spec(w->spec, b);
        sbuf_putc(b, ')');
    }
}

static void print_query_body(const ast_query *q, sbuf *b) {
    switch (q->kind) {
    case AST_Q_SELECT:
        if (q->u.select) print_select(q->u.select, b);
        break;
    case AST_Q_VALUES:
        sbuf_puts(b, "VALUES ");
        print_exprs(q->u.values.rows, q->u.values.n_rows, b);
        break;
    case AST_Q_SETOP:
        if (q->u.setop.left) print_query_body(q->u.setop.left, b);
        sbuf_puts(b, q->u.setop.op == AST_SET_UNION       ? " UNION "
                     : q->u.setop.op == AST_SET_INTERSECT ? " INTERSECT " : " EXCEPT ");
        if (q->u.setop.all) sbuf_puts(b, "ALL ");
        if (q->u.setop.right) print_query_body(q->u.setop.right, b);
        break;
    }
}

void ast_print_query(const ast_query *q, sbuf *b) {
    print_query_body(q, b);
    if (q->n_order_by) {
        sbuf_puts(b, " ORDER BY ");
        print_order(q->order_by, q->n_order_by, b);
        if (q->within) {
            sbuf_puts(b, " WITHIN ");
            print_expr(q->within, P_NONE, b);
        }
    }
    if (q->limit) {
        sbuf_puts(b, " LIMIT ");
        print_expr(q->limit, P_NONE, b);
    }
}

static void print_insert(const ast_insert *ins, sbuf *b) {
    sbuf_puts(b, ins->expedited ? "INSERT EXPEDITED INTO " : "INSERT INTO ");
    ast_print_name(&ins->stream, b);
    if (ins->n_columns) {
        sbuf_puts(b, " (");
        print_names(ins->columns, ins->n_columns, ", ", b);
        sbuf_putc(b, ')');
    }
    sbuf_putc(b, ' ');
    if (ins->query) ast_print_query(ins->query, b);
}

static void print_create_function(const ast_stmt *s, sbuf *b) {
    sbuf_puts(b, s->u.create_function.or_replace ? "CREATE OR REPLACE FUNCTION "
                                                 : "CREATE FUNCTION ");
    ast_print_name(&s->u.create_function.name, b);
    sbuf_putc(b, '(');
    for (uint32_t i = 0; i < s->u.create_function.n_params; i++) {
        const ast_param *p = s->u.create_function.params[i];
        if (i) sbuf_puts(b, ", ");
        if (!p) continue;
        ast_print_name(&p->name, b);
        sbuf_putc(b, ' ');
        ast_print_type(&p->type, b);
    }
    sbuf_puts(b, ") RETURNS ");
    ast_print_type(&s->u.create_function.returns, b);
    if (s->u.create_function.language_sql) sbuf_puts(b, " LANGUAGE SQL");
    if (s->u.create_function.specific.s) {
        sbuf_puts(b, " SPECIFIC ");
        ast_print_name(&s->u.create_function.specific, b);
    }
    if (s->u.create_function.deterministic == 1) sbuf_puts(b, " DETERMINISTIC");
    if (s->u.create_function.deterministic == 0) sbuf_puts(b, " NOT DETERMINISTIC");
    switch (s->u.create_function.data_access) {
    case AST_DATA_CONTAINS_SQL: sbuf_puts(b, " CONTAINS SQL"); break;
    case AST_DATA_READS_SQL: sbuf_puts(b, " READS SQL DATA"); break;
    case AST_DATA_MODIFIES_SQL: sbuf_puts(b, " MODIFIES SQL DATA"); break;
    case AST_DATA_NO_SQL: sbuf_puts(b, " NO SQL"); break;
    case AST_DATA_NONE: break;
    }
    if (s->u.create_function.on_null == AST_ONNULL_CALLED) sbuf_puts(b, " CALLED ON NULL INPUT");
    if (s->u.create_function.on_null == AST_ONNULL_RETURNS_NULL)
        sbuf_puts(b, " RETURNS NULL ON NULL INPUT");
    sbuf_puts(b, " RETURN ");
    print_expr(s->u.create_function.body, P_NONE, b);
}

static void print_description(const ast_expr *d, sbuf *b) {
    if (!d) return;
    sbuf_puts(b, " DESCRIPTION ");
    print_expr(d, P_NONE, b);
}

void ast_print(const ast_stmt *s, sbuf *b) {
    if (!s) return;
    switch (s->kind) {
    case AST_S_QUERY:
        if (s->u.query) ast_print_query(s->u.query, b);
        break;
    case AST_S_CREATE_STREAM:
        sbuf_puts(b, s->u.create_stream.or_replace ? "CREATE OR REPLACE STREAM "
                                                   : "CREATE STREAM ");
        ast_print_name(&s->u.create_stream.name, b);
        sbuf_puts(b, " (");
        for (uint32_t i = 0; i < s->u.create_stream.n_columns; i++) {
            const ast_column_def *c = s->u.create_stream.columns[i];
            if (i) sbuf_puts(b, ", ");
            if (!c) continue;
            ast_print_name(&c->name, b);
            sbuf_putc(b, ' ');
            ast_print_type(&c->type, b);
            if (c->not_null) sbuf_puts(b, " NOT NULL");
        }
        sbuf_putc(b, ')');
        print_description(s->u.create_stream.description, b);
        for (uint32_t i = 0; i < s->u.create_stream.n_options; i++) {
            const ast_option *o = s->u.create_stream.options[i];
            sbuf_puts(b, i ? ", " : " WITH (");
            if (!o) continue;
            if (o->key_is_string)
                print_string(o->key.s ? o->key.s : "", o->key.s ? (uint32_t)strlen(o->key.s) : 0,
                             b);
            else
                print_names(o->parts, o->n_parts, ".", b);
            sbuf_puts(b, " = ");
            print_expr(o->value, P_NONE, b);
        }
        if (s->u.create_stream.n_options) sbuf_putc(b, ')');
        break;
    case AST_S_CREATE_PUMP:
        sbuf_puts(b, s->u.create_pump.or_replace ? "CREATE OR REPLACE PUMP " : "CREATE PUMP ");
        ast_print_name(&s->u.create_pump.name, b);
        if (s->u.create_pump.started) sbuf_puts(b, " STARTED");
        print_description(s->u.create_pump.description, b);
        sbuf_puts(b, " AS ");
        if (s->u.create_pump.insert) print_insert(s->u.create_pump.insert, b);
        break;
    case AST_S_CREATE_FUNCTION: print_create_function(s, b); break;
    case AST_S_INSERT:
        if (s->u.insert) print_insert(s->u.insert, b);
        break;
    case AST_S_DROP:
        sbuf_puts(b, s->u.drop.what == AST_OBJ_STREAM ? "DROP STREAM "
                     : s->u.drop.what == AST_OBJ_PUMP ? "DROP PUMP " : "DROP FUNCTION ");
        if (s->u.drop.if_exists) sbuf_puts(b, "IF EXISTS ");
        ast_print_name(&s->u.drop.name, b);
        break;
    case AST_S_SHOW:
        sbuf_puts(b, s->u.show.what == AST_SHOW_STREAMS ? "SHOW STREAMS"
                     : s->u.show.what == AST_SHOW_PUMPS ? "SHOW PUMPS" : "SHOW FUNCTIONS");
        break;
    case AST_S_DESCRIBE:
        sbuf_puts(b, s->u.describe.extended ? "DESCRIBE EXTENDED " : "DESCRIBE ");
        ast_print_name(&s->u.describe.name, b);
        break;
    case AST_S_EXPLAIN:
        sbuf_puts(b, "EXPLAIN ");
        ast_print(s->u.explain.stmt, b);
        break;
    }
}
