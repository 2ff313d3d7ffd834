/*
 * explain.c — EXPLAIN: prints plan trees as indented text (one line per
 * operator with its details, then its output schema and time properties),
 * explains whole scripts (planner_explain_script) and names plan enums.
 * The format is what the tests/sql/plan .test files compare against, so changes here
 * show up as reviewed diffs of those files.
 */
#include "planner_int.h"

#include <string.h>

#include "eddy_time.h"
#include "sql_parse.h"

const char *plan_op_name(plan_op op) {
    static const char *const names[] = {
        [PLAN_OP_NEG] = "-", [PLAN_OP_ADD] = "+", [PLAN_OP_SUB] = "-", [PLAN_OP_MUL] = "*",
        [PLAN_OP_DIV] = "/", [PLAN_OP_MOD] = "%", [PLAN_OP_CONCAT] = "||", [PLAN_OP_EQ] = "=",
        [PLAN_OP_NE] = "<>", [PLAN_OP_LT] = "<", [PLAN_OP_LE] = "<=", [PLAN_OP_GT] = ">",
        [PLAN_OP_GE] = ">=", [PLAN_OP_IS_DISTINCT] = "IS DISTINCT FROM",
        [PLAN_OP_IS_NOT_DISTINCT] = "IS NOT DISTINCT FROM", [PLAN_OP_AND] = "AND",
        [PLAN_OP_OR] = "OR", [PLAN_OP_NOT] = "NOT", [PLAN_OP_IS_NULL] = "IS NULL",
        [PLAN_OP_IS_NOT_NULL] = "IS NOT NULL", [PLAN_OP_IS_TRUE] = "IS TRUE",
        [PLAN_OP_IS_NOT_TRUE] = "IS NOT TRUE", [PLAN_OP_IS_FALSE] = "IS FALSE",
        [PLAN_OP_IS_NOT_FALSE] = "IS NOT FALSE",
    };
    return (unsigned)op < sizeof names / sizeof names[0] && names[op] ? names[op] : "?";
}

static void put_name(sbuf *b, const char *s) {
    ast_name n = {.s = s};
    ast_print_name(&n, b);
}

static void put_interval(sbuf *b, int64_t ms) {
    const char *sign = ms < 0 ? "-" : "";
    int64_t a = ms < 0 ? -ms : ms;
    if (a && a % 86400000 == 0) sbuf_printf(b, "INTERVAL '%s%lld' DAY", sign, (long long)(a / 86400000));
    else if (a && a % 3600000 == 0) sbuf_printf(b, "INTERVAL '%s%lld' HOUR", sign, (long long)(a / 3600000));
    else if (a && a % 60000 == 0) sbuf_printf(b, "INTERVAL '%s%lld' MINUTE", sign, (long long)(a / 60000));
    else if (a % 1000 == 0) sbuf_printf(b, "INTERVAL '%s%lld' SECOND", sign, (long long)(a / 1000));
    else sbuf_printf(b, "INTERVAL '%s%lld.%03lld' SECOND", sign, (long long)(a / 1000), (long long)(a % 1000));
}

static void put_string(sbuf *b, const char *s, size_t n) {
    sbuf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'') sbuf_putc(b, '\'');
        if (s[i] == '\n') {
            sbuf_puts(b, "\\n");
            continue;
        }
        sbuf_putc(b, s[i]);
    }
    sbuf_putc(b, '\'');
}

static void put_type(sbuf *b, eddy_type t) {
    char buf[64];
    eddy_type_format(t, buf, sizeof buf);
    sbuf_puts(b, buf);
}

/* What column references of an expression print as: the input columns,
 * and for join conditions the two inputs' names as qualifiers. */
typedef struct xctx {
    const plan_col *cols;
    uint32_t n_cols;
    uint32_t n_left;        /* joins: columns of the left input; 0 otherwise */
    const char *lq, *rq;    /* joins: qualifiers of the left and right columns */
} xctx;

static void put_expr(sbuf *b, const plan_expr *e, const xctx *x);

static void put_list(sbuf *b, plan_expr *const *xs, uint32_t n, const xctx *x) {
    for (uint32_t i = 0; i < n; i++) {
        if (i) sbuf_puts(b, ", ");
        put_expr(b, xs[i], x);
    }
}

static void put_literal(sbuf *b, const plan_expr *e) {
    const eddy_value *v = &e->u.lit;
    if (v->is_null) {
        sbuf_puts(b, e->type.id == EDDY_T_BOOLEAN ? "UNKNOWN" : "NULL");
        return;
    }
    switch (e->type.id) {
    case EDDY_T_BOOLEAN: sbuf_puts(b, v->u.i ? "TRUE" : "FALSE"); return;
    case EDDY_T_CHAR:
    case EDDY_T_VARCHAR: put_string(b, v->u.s.p, v->u.s.n); return;
    case EDDY_T_BINARY:
    case EDDY_T_VARBINARY:
        sbuf_puts(b, "X'");
        for (uint32_t i = 0; i < v->u.s.n; i++) sbuf_printf(b, "%02X", (unsigned char)v->u.s.p[i]);
        sbuf_putc(b, '\'');
        return;
    case EDDY_T_INTERVAL_DS: put_interval(b, v->u.i); return;
    case EDDY_T_INTERVAL_YM: sbuf_printf(b, "INTERVAL '%lld' MONTH", (long long)v->u.i); return;
    case EDDY_T_DATE:
    case EDDY_T_TIME:
    case EDDY_T_TIMESTAMP:
        sbuf_printf(b, "%s '", eddy_type_name(e->type.id));
        eddy_value_format(v, 0, b);
        sbuf_putc(b, '\'');
        return;
    case EDDY_T_DOUBLE:
    case EDDY_T_REAL: sbuf_printf(b, "%.17g", v->u.d); return;
    default: eddy_value_format(v, e->type.scale, b); return;
    }
}

static void put_expr(sbuf *b, const plan_expr *e, const xctx *x) {
    if (!e) {
        sbuf_puts(b, "TRUE");
        return;
    }
    switch (e->kind) {
    case PX_LITERAL: put_literal(b, e); return;
    case PX_COLUMN:
        if (x && x->cols && e->u.col.index < x->n_cols && x->cols[e->u.col.index].name[0]) {
            if (x->n_left) {
                put_name(b, e->u.col.index < x->n_left ? x->lq : x->rq);
                sbuf_putc(b, '.');
            }
            put_name(b, x->cols[e->u.col.index].name);
        } else {
            sbuf_printf(b, "$%u", e->u.col.index);
        }
        return;
    case PX_ROWTIME: {
        /* Index 1 is the right input's ROWTIME in a join condition. */
        const char *nm = e->u.col.arrival ? "APPROXIMATE_ARRIVAL_TIME" : "ROWTIME";
        if (x && x->n_left && e->u.col.index < 2) {
            put_name(b, e->u.col.index == 0 ? x->lq : x->rq);
            sbuf_printf(b, ".%s", nm);
        } else {
            sbuf_puts(b, nm);
        }
        }
        return;
    case PX_OP: {
        plan_op op = e->u.op.op;
        if (e->u.op.n_args == 1) {
            if (op == PLAN_OP_NEG || op == PLAN_OP_NOT) {
                sbuf_puts(b, op == PLAN_OP_NEG ? "-" : "NOT ");
                put_expr(b, e->u.op.args[0], x);
            } else {
                sbuf_putc(b, '(');
                put_expr(b, e->u.op.args[0], x);
                sbuf_printf(b, " %s)", plan_op_name(op));
            }
            return;
        }
        sbuf_putc(b, '(');
        put_expr(b, e->u.op.args[0], x);
        sbuf_printf(b, " %s ", plan_op_name(op));
        put_expr(b, e->u.op.args[1], x);
        sbuf_putc(b, ')');
        return;
    }
    case PX_CALL: {
        const udf_func *f = e->u.call.call.fn;
        plan_expr **a = e->u.call.args;
        const char *sp = f->specific;
        if ((!strcmp(sp, "STEP_TS") || !strcmp(sp, "STEP_INT")) && e->u.call.n_args == 2) {
            sbuf_puts(b, "STEP(");
            put_expr(b, a[0], x);
            sbuf_puts(b, " BY ");
            put_expr(b, a[1], x);
            sbuf_putc(b, ')');
            return;
        }
        if ((!strcmp(sp, "FLOOR_TO") || !strcmp(sp, "FLOOR_INTERVAL_TO") || !strcmp(sp, "CEIL_TO") ||
             !strcmp(sp, "CEILING_TO")) &&
            e->u.call.n_args == 2) {
            sbuf_printf(b, "%s(", f->name);
            put_expr(b, a[0], x);
            sbuf_printf(b, " TO %.*s)", (int)a[1]->u.lit.u.s.n, a[1]->u.lit.u.s.p);
            return;
        }
        if (!strncmp(sp, "EXTRACT", 7) && e->u.call.n_args == 2) {
            sbuf_printf(b, "EXTRACT(%.*s FROM ", (int)a[0]->u.lit.u.s.n, a[0]->u.lit.u.s.p);
            put_expr(b, a[1], x);
            sbuf_putc(b, ')');
            return;
        }
        sbuf_puts(b, f->name);
        if ((f->flags & UDF_F_NO_PARENS) && e->u.call.n_args == 0) return;
        sbuf_putc(b, '(');
        put_list(b, a, e->u.call.n_args, x);
        sbuf_putc(b, ')');
        return;
    }
    case PX_CAST:
        sbuf_puts(b, "CAST(");
        put_expr(b, e->u.cast.arg, x);
        sbuf_puts(b, " AS ");
        put_type(b, e->type);
        sbuf_putc(b, ')');
        return;
    case PX_CASE:
        sbuf_puts(b, "CASE");
        for (uint32_t i = 0; i < e->u.case_.n_whens; i++) {
            sbuf_puts(b, " WHEN ");
            put_expr(b, e->u.case_.whens[i], x);
            sbuf_puts(b, " THEN ");
            put_expr(b, e->u.case_.thens[i], x);
        }
        if (e->u.case_.else_) {
            sbuf_puts(b, " ELSE ");
            put_expr(b, e->u.case_.else_, x);
        }
        sbuf_puts(b, " END");
        return;
    case PX_LIKE:
        sbuf_putc(b, '(');
        put_expr(b, e->u.like.arg, x);
        sbuf_printf(b, " %s%s ", e->u.like.negated ? "NOT " : "", e->u.like.similar ? "SIMILAR TO" : "LIKE");
        put_expr(b, e->u.like.pattern, x);
        if (e->u.like.escape) {
            sbuf_puts(b, " ESCAPE ");
            put_expr(b, e->u.like.escape, x);
        }
        sbuf_putc(b, ')');
        return;
    case PX_IN_LIST:
        sbuf_putc(b, '(');
        put_expr(b, e->u.in.arg, x);
        sbuf_puts(b, e->u.in.negated ? " NOT IN (" : " IN (");
        put_list(b, e->u.in.list, e->u.in.n_list, x);
        sbuf_puts(b, "))");
        return;
    }
}

static void indent(sbuf *b, int depth) {
    for (int i = 0; i < depth; i++) sbuf_puts(b, "  ");
}

static const char *rowtime_src(plan_rowtime_src r) {
    switch (r) {
    case PLAN_RT_INPUT: return "input";
    case PLAN_RT_ARRIVAL: return "arrival";
    case PLAN_RT_WINDOW_END: return "window end";
    case PLAN_RT_STAGGER_END: return "stagger window end";
    case PLAN_RT_JOIN_LATER: return "later of join inputs";
    case PLAN_RT_EXPR: return "expression";
    }
    return "?";
}

static void put_schema(sbuf *b, const plan_node *n, int depth) {
    indent(b, depth + 1);
    sbuf_puts(b, "schema: (");
    for (uint32_t i = 0; i < n->out.n_cols; i++) {
        if (i) sbuf_puts(b, ", ");
        put_name(b, n->out.cols[i].name);
        sbuf_putc(b, ' ');
        put_type(b, n->out.cols[i].type);
        if (!n->out.cols[i].nullable) sbuf_puts(b, " NOT NULL");
    }
    sbuf_printf(b, ") rowtime=%s %s\n", rowtime_src(n->out.rowtime),
                n->out.ordered ? "ordered" : "unordered");
}

static void put_aggs(sbuf *b, const plan_agg *aggs, uint32_t n, const xctx *x) {
    sbuf_puts(b, "aggs=[");
    for (uint32_t i = 0; i < n; i++) {
        const plan_agg *g = &aggs[i];
        if (i) sbuf_puts(b, ", ");
        sbuf_printf(b, "%s(", g->call.fn->name);
        if (!strcmp(g->call.fn->specific, "COUNT_STAR")) sbuf_putc(b, '*');
        put_list(b, g->args, g->n_args, x);
        sbuf_putc(b, ')');
        if (g->from_last) sbuf_puts(b, " FROM LAST");
        if (g->ignore_nulls) sbuf_puts(b, " IGNORE NULLS");
        if (g->window) {
            const plan_window *w = g->window;
            sbuf_puts(b, " OVER (");
            if (w->n_partition) {
                sbuf_puts(b, "PARTITION BY ");
                put_list(b, w->partition, w->n_partition, x);
                sbuf_putc(b, ' ');
            }
            if (w->frame == PLAN_FRAME_ROWS) {
                sbuf_printf(b, "ROWS %lld PRECEDING", (long long)w->rows_preceding);
            } else {
                sbuf_puts(b, "RANGE ");
                put_interval(b, w->range_ms);
                sbuf_puts(b, " PRECEDING");
            }
            sbuf_putc(b, ')');
        }
        sbuf_puts(b, " -> ");
        put_type(b, g->call.ret_type);
    }
    sbuf_putc(b, ']');
}

static void put_side(sbuf *b, const char *which, const plan_side_window *w) {
    sbuf_printf(b, " %s=", which);
    switch (w->kind) {
    case PLAN_SIDE_NONE: sbuf_puts(b, "current row"); break;
    case PLAN_SIDE_ROWS: sbuf_printf(b, "ROWS %lld PRECEDING", (long long)w->rows); break;
    case PLAN_SIDE_RANGE:
        sbuf_puts(b, "RANGE ");
        put_interval(b, w->range_ms);
        sbuf_puts(b, " PRECEDING");
        break;
    }
}

static void put_delim(sbuf *b, const char *d) {
    put_string(b, d, strlen(d));
}

/* A join input's name for qualifying columns: the stream it scans, else a
 * generic side name. */
static const char *side_name(const plan_node *n, const char *dflt) {
    if (n->kind == PLAN_STREAM_SCAN) return n->u.stream_scan.stream;
    if (n->kind == PLAN_TABLE_SCAN) return n->u.table_scan.table;
    return dflt;
}

static void explain_node(const plan_node *n, sbuf *b, int depth) {
    xctx ix = {n->n_inputs ? n->inputs[0]->out.cols : NULL, n->n_inputs ? n->inputs[0]->out.n_cols : 0,
               0, NULL, NULL};
    indent(b, depth);
    sbuf_puts(b, plan_kind_name(n->kind));
    switch (n->kind) {
    case PLAN_SOURCE:
        sbuf_puts(b, " stream=");
        put_string(b, n->u.source.stream, strlen(n->u.source.stream));
        sbuf_printf(b, " reader=%s start=%s", n->u.source.reader == PLAN_READER_FANOUT ? "fanout" : "classic",
                    n->u.source.start == PLAN_START_TRIM_HORIZON ? "trim_horizon"
                    : n->u.source.start == PLAN_START_AT_TIMESTAMP ? "at_timestamp" : "latest");
        if (n->u.source.start == PLAN_START_AT_TIMESTAMP) {
            char ts[40];
            eddy_ts_format_sql(n->u.source.start_ms, ts);
            sbuf_printf(b, " (%s)", ts);
        }
        if (n->u.source.consumer) sbuf_printf(b, " consumer=%s", n->u.source.consumer);
        if (n->u.source.parts > 1) sbuf_printf(b, " shard_part=%u/%u", n->u.source.part + 1, n->u.source.parts);
        break;
    case PLAN_DECODE:
        if (n->u.decode.format == PLAN_FMT_JSON) {
            sbuf_printf(b, " json row_path=%s mapping=[", n->u.decode.row_path);
            for (uint32_t i = 0; i < n->out.n_cols; i++) {
                if (i) sbuf_puts(b, ", ");
                put_name(b, n->out.cols[i].name);
                sbuf_printf(b, " <- %s", n->u.decode.paths[i]);
            }
            sbuf_putc(b, ']');
        } else {
            sbuf_puts(b, " csv column_delimiter=");
            put_delim(b, n->u.decode.col_delim);
            sbuf_puts(b, " row_delimiter=");
            put_delim(b, n->u.decode.row_delim);
        }
        break;
    case PLAN_STREAM_SCAN:
        sbuf_putc(b, ' ');
        put_name(b, n->u.stream_scan.stream);
        break;
    case PLAN_TABLE_SCAN:
        sbuf_putc(b, ' ');
        put_name(b, n->u.table_scan.table);
        break;
    case PLAN_FILTER:
        sbuf_putc(b, ' ');
        put_expr(b, n->u.filter.pred, &ix);
        break;
    case PLAN_PROJECT: {
        sbuf_putc(b, ' ');
        for (uint32_t i = 0; i < n->out.n_cols; i++) {
            if (i) sbuf_puts(b, ", ");
            const plan_expr *x = n->u.project.exprs[i];
            put_expr(b, x, &ix);
            int same = (x->kind == PX_COLUMN && x->u.col.index < ix.n_cols &&
                        !strcmp(ix.cols[x->u.col.index].name, n->out.cols[i].name)) ||
                       (x->kind == PX_ROWTIME && !strcmp(n->out.cols[i].name, "ROWTIME"));
            if (!same) {
                sbuf_puts(b, " AS ");
                put_name(b, n->out.cols[i].name);
            }
        }
        break;
    }
    case PLAN_TUMBLE_AGG: {
        const plan_time_key *tk = &n->u.tumble.time_key;
        sbuf_puts(b, " window=");
        if (tk->kind == PLAN_TK_STEP) {
            sbuf_puts(b, "STEP ");
            put_interval(b, tk->width_ms);
        } else if (tk->kind == PLAN_TK_FLOOR) {
            sbuf_printf(b, "FLOOR TO %s", tk->unit);
        } else {
            sbuf_puts(b, "MONOTONIC");
        }
        sbuf_printf(b, " on key %u%s%s keys=[", tk->key_index + 1, tk->on_rowtime ? " (ROWTIME)" : "",
                    tk->descending ? " descending" : "");
        put_list(b, n->u.tumble.keys, n->u.tumble.n_keys, &ix);
        sbuf_puts(b, "] ");
        put_aggs(b, n->u.tumble.aggs, n->u.tumble.n_aggs, &ix);
        break;
    }
    case PLAN_SLIDE_AGG:
        sbuf_putc(b, ' ');
        put_aggs(b, n->u.slide.aggs, n->u.slide.n_aggs, &ix);
        break;
    case PLAN_STAGGER_AGG:
        sbuf_puts(b, " range=");
        put_interval(b, n->u.stagger.range_ms);
        sbuf_puts(b, " partition=[");
        put_list(b, n->u.stagger.keys, n->u.stagger.n_keys, &ix);
        sbuf_puts(b, "] ");
        put_aggs(b, n->u.stagger.aggs, n->u.stagger.n_aggs, &ix);
        break;
    case PLAN_STREAM_JOIN:
    case PLAN_TABLE_JOIN: {
        static const char *const kinds[] = {"INNER", "LEFT", "RIGHT", "FULL", "CROSS", "SEMI", "ANTI"};
        sbuf_printf(b, " %s", kinds[n->u.join.kind]);
        if (n->kind == PLAN_TABLE_JOIN) {
            sbuf_puts(b, " table=");
            put_name(b, n->u.join.table);
        } else {
            put_side(b, "left", &n->u.join.left);
            put_side(b, "right", &n->u.join.right);
        }
        sbuf_puts(b, " on=");
        xctx jx = {n->out.cols, n->out.n_cols, n->inputs[0]->out.n_cols, side_name(n->inputs[0], "LEFT"),
                   side_name(n->inputs[1], "RIGHT")};
        /* SEMI/ANTI output only the stream's columns; the condition also
         * reads the table's. */
        plan_col both[256];
        const plan_schema *ls = &n->inputs[0]->out, *rs = &n->inputs[1]->out;
        if ((n->u.join.kind == PLAN_JOIN_SEMI || n->u.join.kind == PLAN_JOIN_ANTI) &&
            ls->n_cols + rs->n_cols <= sizeof both / sizeof both[0]) {
            memcpy(both, ls->cols, ls->n_cols * sizeof *both);
            memcpy(both + ls->n_cols, rs->cols, rs->n_cols * sizeof *both);
            jx.cols = both;
            jx.n_cols = ls->n_cols + rs->n_cols;
        }
        put_expr(b, n->u.join.cond, &jx);
        break;
    }
    case PLAN_UNION: sbuf_printf(b, " inputs=%u", n->n_inputs); break;
    case PLAN_DISTINCT: break;
    case PLAN_ORDER:
        sbuf_puts(b, " BY ");
        for (uint32_t i = 0; i < n->u.order.n_keys; i++) {
            if (i) sbuf_puts(b, ", ");
            put_expr(b, n->u.order.keys[i].expr, &ix);
            if (n->u.order.keys[i].desc) sbuf_puts(b, " DESC");
        }
        break;
    case PLAN_TSORT:
        sbuf_puts(b, " BY ");
        put_expr(b, n->u.tsort.key, &ix);
        sbuf_puts(b, " WITHIN ");
        put_interval(b, n->u.tsort.within_ms);
        break;
    case PLAN_ROWTIME:
        sbuf_puts(b, " := ");
        put_name(b, ix.cols[n->u.rowtime.col].name);
        break;
    case PLAN_TABLE_FUNC:
        sbuf_printf(b, " %s(CURSOR", n->u.table_func.call.fn->name);
        for (uint32_t i = 0; i < n->u.table_func.n_args; i++) {
            sbuf_puts(b, ", ");
            put_expr(b, n->u.table_func.args[i], NULL);
        }
        sbuf_putc(b, ')');
        break;
    case PLAN_PUMP: {
        if (n->u.pump.name) {
            sbuf_putc(b, ' ');
            put_name(b, n->u.pump.name);
        }
        sbuf_puts(b, " INTO ");
        put_name(b, n->u.pump.target);
        sbuf_puts(b, " (");
        for (uint32_t i = 0; i < n->out.n_cols; i++) {
            if (i) sbuf_puts(b, ", ");
            sbuf_printf(b, "%u", n->u.pump.target_cols[i] + 1);
        }
        sbuf_putc(b, ')');
        break;
    }
    case PLAN_SINK:
        sbuf_puts(b, " stream=");
        put_string(b, n->u.sink.stream, strlen(n->u.sink.stream));
        sbuf_printf(b, " format=%s", n->u.sink.format == PLAN_FMT_CSV ? "csv" : "json");
        break;
    }
    sbuf_putc(b, '\n');
    if (n->kind != PLAN_SOURCE) put_schema(b, n, depth);
    for (uint32_t i = 0; i < n->n_inputs; i++) explain_node(n->inputs[i], b, depth + 1);
}

void plan_explain(const plan_node *n, sbuf *out) {
    if (n) explain_node(n, out, 0);
}

void plan_explain_result(const ast_stmt *st, const plan_result *r, sbuf *out) {
    const ast_stmt *s = st->kind == AST_S_EXPLAIN ? st->u.explain.stmt : st;
    sbuf_puts(out, r->message ? r->message : "?");
    switch (s->kind) {
    case AST_S_CREATE_STREAM:
        sbuf_putc(out, ' ');
        ast_print_name(&s->u.create_stream.name, out);
        break;
    case AST_S_CREATE_PUMP:
        sbuf_putc(out, ' ');
        ast_print_name(&s->u.create_pump.name, out);
        break;
    case AST_S_CREATE_FUNCTION:
        sbuf_putc(out, ' ');
        ast_print_name(&s->u.create_function.name, out);
        break;
    case AST_S_DROP:
    case AST_S_DESCRIBE:
        sbuf_putc(out, ' ');
        ast_print_name(s->kind == AST_S_DROP ? &s->u.drop.name : &s->u.describe.name, out);
        break;
    default: break;
    }
    sbuf_putc(out, '\n');
    if (r->kind == PLAN_R_DESCRIBE && r->stream) {
        for (uint32_t i = 0; i < r->stream->n_cols; i++) {
            sbuf_puts(out, "  ");
            put_name(out, r->stream->cols[i].name);
            sbuf_putc(out, ' ');
            put_type(out, r->stream->cols[i].type);
            if (!r->stream->cols[i].nullable) sbuf_puts(out, " NOT NULL");
            sbuf_putc(out, '\n');
        }
    }
    if (r->root) plan_explain(r->root, out);
}

int planner_explain_script(catalog *cat, const char *text, size_t text_len, sbuf *out,
                           eddy_err *err) {
    arena a;
    arena_init(&a, 64 * 1024);
    sql_script *sc = NULL;
    int rc = sql_parse(text, text_len, &a, &sc, err);
    for (uint32_t i = 0; rc == 0 && i < sc->n_stmts; i++) {
        plan_result r;
        rc = planner_plan_stmt(cat, NULL, sc->stmts[i], text, text_len, &a, &r, err);
        if (rc != 0) break;
        if (i) sbuf_putc(out, '\n');
        plan_explain_result(sc->stmts[i], &r, out);
    }
    arena_free(&a);
    return rc;
}
