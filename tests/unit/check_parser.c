/*
 * check_parser.c — unit tests of parser/: the lexer's tokens, every statement
 * family, operator precedence, error messages with their carets, golden
 * error files (tests/sql/parse/NAME.test) and the parse → print → parse round
 * trip over every .sql file under tests/sql/ and examples/.
 */
#include "check_main.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "grammar.h"
#include "sql_parse.h"
#include "sql_parse_int.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

/* Lexes `text` and returns the codes of its significant tokens. */
static int lex_all(const char *text, int *codes, sql_span *spans, int max) {
    uint32_t len = (uint32_t)strlen(text), pos = 0;
    int n = 0;
    for (;;) {
        sql_span sp;
        int c = sql__lex(text, len, pos, &sp);
        if (c == SQL_LEX_EOF || n == max) break;
        pos = sp.off + sp.len;
        if (c == SQL_LEX_SPACE) continue;
        if (spans) spans[n] = sp;
        codes[n++] = c;
        if (c < 0) break;
    }
    return n;
}

static ast_stmt *parse1(arena *a, const char *sql) {
    ast_stmt *s = NULL;
    eddy_err e;
    int rc = sql_parse_one(sql, strlen(sql), a, &s, &e);
    ck_assert_msg(rc == 0, "parse failed: %s\n  in: %s", e.msg, sql);
    return s;
}

/* Renders the error of parsing `sql` (which must fail). */
static const char *parse_error(const char *sql) {
    static char out[2048];
    arena a;
    arena_init(&a, 0);
    sql_script *s = NULL;
    eddy_err e;
    int rc = sql_parse(sql, strlen(sql), &a, &s, &e);
    ck_assert_msg(rc != 0, "expected an error for: %s", sql);
    ck_assert_ptr_null(s);
    eddy_err_render(&e, sql, strlen(sql), out, sizeof out);
    arena_free(&a);
    return out;
}

/* A fully parenthesised prefix form of an expression, to check the tree's
 * shape independently of the printer. */
static void sx(const ast_expr *e, sbuf *b) {
    if (!e) {
        sbuf_puts(b, "<null>");
        return;
    }
    switch (e->kind) {
    case AST_E_COLUMN:
        for (uint32_t i = 0; i < e->u.col.n_parts; i++) {
            if (i) sbuf_putc(b, '.');
            sbuf_puts(b, e->u.col.parts[i].s);
        }
        break;
    case AST_E_LITERAL: sbuf_puts(b, e->u.lit.text); break;
    case AST_E_UNARY:
        sbuf_printf(b, "(%s ", ast_op_name(e->u.unary.op));
        sx(e->u.unary.arg, b);
        sbuf_putc(b, ')');
        break;
    case AST_E_BINARY:
        sbuf_printf(b, "(%s ", ast_op_name(e->u.binary.op));
        sx(e->u.binary.left, b);
        sbuf_putc(b, ' ');
        sx(e->u.binary.right, b);
        sbuf_putc(b, ')');
        break;
    case AST_E_BETWEEN:
        sbuf_puts(b, e->u.between.negated ? "(NOT-BETWEEN " : "(BETWEEN ");
        sx(e->u.between.arg, b);
        sbuf_putc(b, ' ');
        sx(e->u.between.lo, b);
        sbuf_putc(b, ' ');
        sx(e->u.between.hi, b);
        sbuf_putc(b, ')');
        break;
    case AST_E_IS:
        sbuf_puts(b, e->u.is.negated ? "(IS-NOT " : "(IS ");
        sx(e->u.is.arg, b);
        sbuf_putc(b, ')');
        break;
    case AST_E_LIKE:
        sbuf_puts(b, e->u.like.similar ? "(SIMILAR " : "(LIKE ");
        sx(e->u.like.arg, b);
        sbuf_putc(b, ' ');
        sx(e->u.like.pattern, b);
        if (e->u.like.escape) {
            sbuf_putc(b, ' ');
            sx(e->u.like.escape, b);
        }
        sbuf_putc(b, ')');
        break;
    case AST_E_IN_LIST:
        sbuf_puts(b, "(IN ");
        sx(e->u.in.arg, b);
        sbuf_printf(b, " %u)", e->u.in.n_list);
        break;
    default: sbuf_printf(b, "<kind %d>", (int)e->kind); break;
    }
}

/* The prefix form of the WHERE clause of "SELECT x FROM s WHERE <cond>". */
static void check_where(const char *cond, const char *want) {
    arena a;
    arena_init(&a, 0);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT x FROM s WHERE %s", cond);
    ast_stmt *s = parse1(&a, sql);
    ck_assert_int_eq(s->kind, AST_S_QUERY);
    sbuf b;
    sbuf_init(&b);
    sx(s->u.query->u.select->where, &b);
    ck_assert_msg(strcmp(b.data, want) == 0, "%s\n  got:  %s\n  want: %s", cond, b.data, want);
    sbuf_free(&b);
    arena_free(&a);
}

/* ---------------------------------------------------------------------- */
/* Lexer                                                                  */

START_TEST(test_lex_keywords_and_identifiers) {
    int c[16];
    sql_span sp[16];
    int n = lex_all("select Stream \"my \"\"col\"\" \" x_1 rowtime", c, sp, 16);
    ck_assert_int_eq(n, 5);
    ck_assert_int_eq(c[0], TK_SELECT);
    ck_assert_int_eq(c[1], TK_STREAM);
    ck_assert_int_eq(c[2], TK_ID);
    ck_assert_int_eq(c[3], TK_ID);
    ck_assert_int_eq(c[4], TK_ID);
    ck_assert_uint_eq(sp[2].off, 14);
    ck_assert_uint_eq(sp[2].len, 13);
    arena a;
    arena_init(&a, 0);
    const char *t = "select Stream \"my \"\"col\"\" \" x_1";
    ast_name q = ast_name_from_text(&a, t, sp[2].off, sp[2].len);
    ck_assert_str_eq(q.s, "my \"col\" ");
    ck_assert_int_eq(q.quoted, 1);
    ast_name u = ast_name_from_text(&a, t, sp[3].off, sp[3].len);
    ck_assert_str_eq(u.s, "X_1");
    ck_assert_int_eq(u.quoted, 0);
    arena_free(&a);
}
END_TEST

START_TEST(test_lex_numbers_strings_operators) {
    int c[32];
    int n = lex_all("12 1.5 .5 3. 1e2 -1.5E-6 'it''s' u&'\\0041' X'3F' <> != <= >= || %", c,
                    NULL, 32);
    int want[] = {TK_INTEGER, TK_DECIMAL, TK_DECIMAL, TK_DECIMAL, TK_APPROX, TK_MINUS,
                  TK_APPROX,  TK_STRING,  TK_USTRING, TK_BINSTRING, TK_NE, TK_NE,
                  TK_LE,      TK_GE,      TK_CONCAT, TK_PERCENT};
    ck_assert_int_eq(n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < n; i++) ck_assert_int_eq(c[i], want[i]);
}
END_TEST

START_TEST(test_lex_intervals_and_comments) {
    int c[32];
    sql_span sp[32];
    const char *t = "INTERVAL '3 4' day TO hour -- trailing\n/* block\n comment */ "
                    "interval '59:59.999' MINUTE to SECOND(3)";
    int n = lex_all(t, c, sp, 32);
    int want[] = {TK_INTERVAL, TK_STRING, TK_DAY,    TK_TO,     TK_HOUR,    TK_INTERVAL,
                  TK_STRING,   TK_MINUTE, TK_TO,     TK_SECOND, TK_LP,      TK_INTEGER,
                  TK_RP};
    ck_assert_int_eq(n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < n; i++) ck_assert_int_eq(c[i], want[i]);
    ck_assert_int_eq(memcmp(t + sp[6].off, "'59:59.999'", sp[6].len), 0);
}
END_TEST

START_TEST(test_lex_errors) {
    int c[8];
    ck_assert_int_eq(lex_all("'abc", c, NULL, 8), 1);
    ck_assert_int_eq(c[0], SQL_LEX_ERR_STRING);
    ck_assert_int_eq(lex_all("\"abc", c, NULL, 8), 1);
    ck_assert_int_eq(c[0], SQL_LEX_ERR_IDENT);
    ck_assert_int_eq(lex_all("/* abc", c, NULL, 8), 1);
    ck_assert_int_eq(c[0], SQL_LEX_ERR_COMMENT);
    ck_assert_int_eq(lex_all("a # b", c, NULL, 8), 2);
    ck_assert_int_eq(c[1], SQL_LEX_ERR_CHAR);
}
END_TEST

START_TEST(test_strings_decoded) {
    arena a;
    arena_init(&a, 0);
    ast_stmt *s = parse1(&a, "SELECT 'it''s', U&'\\0041\\+01F600\\\\', u&'!0009!!' UESCAPE '!', "
                             "X'3f67', DATE '2008-08-23'");
    ast_select *sel = s->u.query->u.select;
    ck_assert_uint_eq(sel->n_items, 5);
    ck_assert_str_eq(sel->items[0]->expr->u.lit.text, "it's");
    ck_assert_str_eq(sel->items[1]->expr->u.lit.text, "A\xF0\x9F\x98\x80\\");
    ck_assert_str_eq(sel->items[2]->expr->u.lit.text, "\t!");
    ck_assert_int_eq(sel->items[3]->expr->u.lit.kind, AST_LIT_BINARY);
    ck_assert_str_eq(sel->items[3]->expr->u.lit.text, "3f67");
    ck_assert_int_eq(sel->items[4]->expr->u.lit.kind, AST_LIT_DATE);
    ck_assert_str_eq(sel->items[4]->expr->u.lit.text, "2008-08-23");
    arena_free(&a);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Statements                                                             */

START_TEST(test_create_stream) {
    arena a;
    arena_init(&a, 0);
    const char *sql = "CREATE OR REPLACE STREAM \"Out\" (ticker VARCHAR(4) NOT NULL, "
                      "price DECIMAL(8,2), q DOUBLE PRECISION, t TIMESTAMP) "
                      "DESCRIPTION 'prices' WITH (source = 'store', 'stream' = 'x', shards = 4)";
    ast_stmt *s = parse1(&a, sql);
    ck_assert_int_eq(s->kind, AST_S_CREATE_STREAM);
    ck_assert_uint_eq(s->off, 0);
    ck_assert_uint_eq(s->len, strlen(sql));
    ck_assert_int_eq(s->u.create_stream.or_replace, 1);
    ck_assert_str_eq(s->u.create_stream.name.s, "Out");
    ck_assert_uint_eq(s->u.create_stream.n_columns, 4);
    ast_column_def *c0 = s->u.create_stream.columns[0];
    ck_assert_str_eq(c0->name.s, "TICKER");
    ck_assert_int_eq(c0->type.type.id, EDDY_T_VARCHAR);
    ck_assert_int_eq(c0->type.type.precision, 4);
    ck_assert_int_eq(c0->not_null, 1);
    ck_assert_uint_eq(c0->off, (uint32_t)(strstr(sql, "ticker") - sql));
    ast_column_def *c1 = s->u.create_stream.columns[1];
    ck_assert_int_eq(c1->type.type.id, EDDY_T_DECIMAL);
    ck_assert_int_eq(c1->type.type.precision, 8);
    ck_assert_int_eq(c1->type.type.scale, 2);
    ck_assert_int_eq(s->u.create_stream.columns[2]->type.type.id, EDDY_T_DOUBLE);
    ck_assert_int_eq(s->u.create_stream.columns[3]->type.type.id, EDDY_T_TIMESTAMP);
    ck_assert_str_eq(s->u.create_stream.description->u.lit.text, "prices");
    ck_assert_uint_eq(s->u.create_stream.n_options, 3);
    ck_assert_str_eq(s->u.create_stream.options[0]->key.s, "SOURCE");
    ck_assert_str_eq(s->u.create_stream.options[0]->value->u.lit.text, "store");
    ck_assert_int_eq(s->u.create_stream.options[1]->key_is_string, 1);
    ck_assert_str_eq(s->u.create_stream.options[1]->key.s, "stream");
    ck_assert_str_eq(s->u.create_stream.options[2]->value->u.lit.text, "4");
    s = parse1(&a, "CREATE STREAM s (a INTEGER) WITH (mapping.\"heartRate\" = '$.hr')");
    ast_option *o = s->u.create_stream.options[0];
    ck_assert_uint_eq(o->n_parts, 2);
    ck_assert_str_eq(o->parts[1].s, "heartRate");
    ck_assert_str_eq(o->key.s, "MAPPING.heartRate");
    arena_free(&a);
}
END_TEST

START_TEST(test_create_pump_insert) {
    arena a;
    arena_init(&a, 0);
    ast_stmt *s = parse1(&a, "CREATE OR REPLACE PUMP \"200-Pump\" STARTED AS INSERT INTO out "
                             "(a, b) SELECT STREAM a, b FROM s");
    ck_assert_int_eq(s->kind, AST_S_CREATE_PUMP);
    ck_assert_str_eq(s->u.create_pump.name.s, "200-Pump");
    ck_assert_int_eq(s->u.create_pump.started, 1);
    ast_insert *ins = s->u.create_pump.insert;
    ck_assert_str_eq(ins->stream.s, "OUT");
    ck_assert_uint_eq(ins->n_columns, 2);
    ck_assert_str_eq(ins->columns[1].s, "B");
    ck_assert_int_eq(ins->query->u.select->stream, 1);

    s = parse1(&a, "INSERT EXPEDITED INTO o SELECT STREAM * FROM s");
    ck_assert_int_eq(s->kind, AST_S_INSERT);
    ck_assert_int_eq(s->u.insert->expedited, 1);
    ck_assert_int_eq(s->u.insert->query->u.select->items[0]->expr->kind, AST_E_STAR);
    arena_free(&a);
}
END_TEST

START_TEST(test_create_function) {
    arena a;
    arena_init(&a, 0);
    ast_stmt *s = parse1(&a, "CREATE FUNCTION get_fraction(degrees DOUBLE) RETURNS DOUBLE "
                             "LANGUAGE SQL NOT DETERMINISTIC CONTAINS SQL RETURNS NULL ON NULL "
                             "INPUT RETURN degrees - FLOOR(degrees)");
    ck_assert_int_eq(s->kind, AST_S_CREATE_FUNCTION);
    ck_assert_str_eq(s->u.create_function.name.s, "GET_FRACTION");
    ck_assert_uint_eq(s->u.create_function.n_params, 1);
    ck_assert_int_eq(s->u.create_function.params[0]->type.type.id, EDDY_T_DOUBLE);
    ck_assert_int_eq(s->u.create_function.returns.type.id, EDDY_T_DOUBLE);
    ck_assert_int_eq(s->u.create_function.language_sql, 1);
    ck_assert_int_eq(s->u.create_function.deterministic, 0);
    ck_assert_int_eq(s->u.create_function.data_access, AST_DATA_CONTAINS_SQL);
    ck_assert_int_eq(s->u.create_function.on_null, AST_ONNULL_RETURNS_NULL);
    ck_assert_int_eq(s->u.create_function.body->kind, AST_E_BINARY);
    s = parse1(&a, "CREATE FUNCTION f() RETURNS INTEGER RETURN 1");
    ck_assert_int_eq(s->u.create_function.deterministic, -1);
    ck_assert_uint_eq(s->u.create_function.n_params, 0);
    arena_free(&a);
}
END_TEST

START_TEST(test_small_statements) {
    arena a;
    arena_init(&a, 0);
    sql_script *sc = NULL;
    eddy_err e;
    const char *sql = "DROP STREAM IF EXISTS s; DROP PUMP p;; DROP FUNCTION f; SHOW STREAMS; "
                      "SHOW PUMPS; DESCRIBE EXTENDED s; describe t; EXPLAIN SELECT STREAM * "
                      "FROM s;";
    ck_assert_int_eq(sql_parse(sql, strlen(sql), &a, &sc, &e), 0);
    ck_assert_uint_eq(sc->n_stmts, 8);
    ck_assert_int_eq(sc->stmts[0]->kind, AST_S_DROP);
    ck_assert_int_eq(sc->stmts[0]->u.drop.if_exists, 1);
    ck_assert_int_eq(sc->stmts[1]->u.drop.what, AST_OBJ_PUMP);
    ck_assert_int_eq(sc->stmts[2]->u.drop.what, AST_OBJ_FUNCTION);
    ck_assert_int_eq(sc->stmts[3]->u.show.what, AST_SHOW_STREAMS);
    ck_assert_int_eq(sc->stmts[4]->u.show.what, AST_SHOW_PUMPS);
    ck_assert_int_eq(sc->stmts[5]->u.describe.extended, 1);
    ck_assert_str_eq(sc->stmts[6]->u.describe.name.s, "T");
    ck_assert_int_eq(sc->stmts[7]->kind, AST_S_EXPLAIN);
    ck_assert_int_eq(sc->stmts[7]->u.explain.stmt->kind, AST_S_QUERY);
    /* Spans exclude the separator. */
    ck_assert_uint_eq(sc->stmts[1]->len, strlen("DROP PUMP p"));
    ck_assert_int_eq(memcmp(sql + sc->stmts[1]->off, "DROP PUMP p", 11), 0);
    /* A UTF-8 byte-order mark is skipped; offsets still count it. */
    ck_assert_int_eq(sql_parse("\xEF\xBB\xBFSHOW STREAMS", 15, &a, &sc, &e), 0);
    ck_assert_uint_eq(sc->n_stmts, 1);
    ck_assert_uint_eq(sc->stmts[0]->off, 3);
    /* Empty scripts are fine. */
    ck_assert_int_eq(sql_parse(" -- nothing\n ;", 14, &a, &sc, &e), 0);
    ck_assert_uint_eq(sc->n_stmts, 0);
    arena_free(&a);
}
END_TEST

START_TEST(test_select_clauses) {
    arena a;
    arena_init(&a, 0);
    ast_stmt *s = parse1(
        &a, "SELECT STREAM DISTINCT s.ROWTIME, ts AS ROWTIME, s.*, COUNT(*) AS n "
            "FROM trades AS s WHERE price > 1 "
            "GROUP BY ticker, STEP(s.ROWTIME BY INTERVAL '60' SECOND), FLOOR(s.ROWTIME TO HOUR), "
            "MONOTONIC(x) HAVING COUNT(*) > 2 "
            "WINDOW w AS (PARTITION BY ticker RANGE INTERVAL '1' MINUTE PRECEDING) "
            "ORDER BY FLOOR(s.ROWTIME TO MINUTE), n DESC WITHIN INTERVAL '2' SECOND LIMIT 5");
    ast_query *q = s->u.query;
    ast_select *sel = q->u.select;
    ck_assert_int_eq(sel->stream, 1);
    ck_assert_int_eq(sel->quant, AST_SETQ_DISTINCT);
    ck_assert_uint_eq(sel->n_items, 4);
    ck_assert_uint_eq(sel->items[0]->expr->u.col.n_parts, 2);
    ck_assert_str_eq(sel->items[0]->expr->u.col.parts[1].s, "ROWTIME");
    ck_assert_str_eq(sel->items[1]->alias.s, "ROWTIME");
    ck_assert_int_eq(sel->items[2]->expr->kind, AST_E_STAR);
    ck_assert_uint_eq(sel->items[2]->expr->u.col.n_parts, 1);
    ck_assert_int_eq(sel->items[3]->expr->u.call.star, 1);
    ck_assert_str_eq(sel->from->alias.s, "S");
    ck_assert_uint_eq(sel->n_group_by, 4);
    ck_assert_int_eq(sel->group_by[1]->u.call.form, AST_CALL_STEP);
    ck_assert_int_eq(sel->group_by[1]->u.call.args[1]->u.lit.kind, AST_LIT_INTERVAL);
    ck_assert_int_eq(sel->group_by[2]->u.call.form, AST_CALL_FLOOR_TO);
    ck_assert_int_eq(sel->group_by[2]->u.call.unit, AST_TU_HOUR);
    ck_assert_str_eq(sel->group_by[3]->u.call.name.s, "MONOTONIC");
    ck_assert_ptr_nonnull(sel->having);
    ck_assert_uint_eq(sel->n_windows, 1);
    ast_window *w = sel->windows[0]->spec;
    ck_assert_uint_eq(w->n_partition, 1);
    ck_assert_int_eq(w->frame, AST_FRAME_RANGE);
    ck_assert_int_eq(w->start.kind, AST_BOUND_PRECEDING);
    ck_assert_int_eq(w->start.offset->u.lit.iq.start, AST_TU_MINUTE);
    ck_assert_uint_eq(q->n_order_by, 2);
    ck_assert_int_eq(q->order_by[1]->desc, 1);
    ck_assert_ptr_nonnull(q->within);
    ck_assert_str_eq(q->limit->u.lit.text, "5");
    arena_free(&a);
}
END_TEST

START_TEST(test_stagger_and_joins) {
    arena a;
    arena_init(&a, 0);
    ast_stmt *s = parse1(&a, "SELECT STREAM k, COUNT(*) FROM s WINDOWED BY STAGGER (PARTITION BY "
                             "FLOOR(t TO MINUTE), k RANGE INTERVAL '1' MINUTE)");
    ast_stagger *st = s->u.query->u.select->stagger;
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->n_partition, 2);
    ck_assert_int_eq(st->range->u.lit.kind, AST_LIT_INTERVAL);

    s = parse1(&a, "SELECT STREAM * FROM o OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS x "
                   "LEFT OUTER JOIN sh OVER w AS y ON x.id = y.id, r CROSS JOIN "
                   "TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM s))) AS t "
                   "JOIN (SELECT STREAM * FROM u) AS v(c1, c2) USING (c1)");
    /* The comma binds loosest: (o LEFT JOIN sh), ((r CROSS JOIN TABLE(...)) JOIN (...)). */
    ast_from *f = s->u.query->u.select->from;
    ck_assert_int_eq(f->kind, AST_F_JOIN);
    ck_assert_int_eq(f->u.join.kind, AST_JOIN_CROSS);
    ck_assert_int_eq(f->u.join.comma, 1);
    ast_from *inner = f->u.join.right;
    ck_assert_int_eq(inner->u.join.kind, AST_JOIN_INNER);
    ck_assert_uint_eq(inner->u.join.n_using, 1);
    ck_assert_int_eq(inner->u.join.right->kind, AST_F_SUBQUERY);
    ck_assert_uint_eq(inner->u.join.right->n_col_aliases, 2);
    ck_assert_str_eq(inner->u.join.right->col_aliases[1].s, "C2");
    ast_from *cross = inner->u.join.left;
    ck_assert_int_eq(cross->u.join.kind, AST_JOIN_CROSS);
    ck_assert_int_eq(cross->u.join.comma, 0);
    ck_assert_int_eq(cross->u.join.right->kind, AST_F_TABLE_FUNC);
    ast_expr *call = cross->u.join.right->u.func.call;
    ck_assert_int_eq(call->u.call.args[0]->kind, AST_E_CURSOR);
    ast_from *left = f->u.join.left;
    ck_assert_int_eq(left->u.join.kind, AST_JOIN_LEFT);
    ck_assert_int_eq(left->u.join.outer, 1);
    ck_assert_ptr_nonnull(left->u.join.on);
    ck_assert_int_eq(left->u.join.left->over->frame, AST_FRAME_RANGE);
    ck_assert_int_eq(left->u.join.right->over->name_only, 1);
    ck_assert_str_eq(left->u.join.right->over->ref.s, "W");
    arena_free(&a);
}
END_TEST

START_TEST(test_special_calls) {
    arena a;
    arena_init(&a, 0);
    ast_stmt *s = parse1(
        &a, "SELECT SUBSTRING(x FROM 2 FOR 3), POSITION('b' IN x), TRIM(LEADING 'x' FROM s), "
            "TRIM('y' FROM s), OVERLAY(s PLACING 'r' FROM 2), EXTRACT(DAY FROM t), CEIL(t TO DAY), "
            "CURRENT_TIMESTAMP, NTH_VALUE(x, 2) FROM LAST IGNORE NULLS OVER w, "
            "LAG(x) RESPECT NULLS OVER (ROWS 3 PRECEDING), COUNT(DISTINCT x), "
            "POSITION(a IN b) IN (1), CAST(x AS INTERVAL DAY TO SECOND(3)) FROM first");
    ast_select *sel = s->u.query->u.select;
    ast_expr *e;
    e = sel->items[0]->expr;
    ck_assert_int_eq(e->u.call.form, AST_CALL_SUBSTRING);
    ck_assert_uint_eq(e->u.call.n_args, 3);
    e = sel->items[1]->expr;
    ck_assert_int_eq(e->u.call.form, AST_CALL_POSITION);
    e = sel->items[2]->expr;
    ck_assert_int_eq(e->u.call.form, AST_CALL_TRIM);
    ck_assert_int_eq(e->u.call.trim, AST_TRIM_LEADING);
    ck_assert_str_eq(e->u.call.args[0]->u.col.parts[0].s, "S");
    ck_assert_str_eq(e->u.call.args[1]->u.lit.text, "x");
    e = sel->items[3]->expr;
    ck_assert_int_eq(e->u.call.form, AST_CALL_TRIM);
    ck_assert_str_eq(e->u.call.args[1]->u.lit.text, "y");
    ck_assert_int_eq(sel->items[4]->expr->u.call.form, AST_CALL_OVERLAY);
    ck_assert_int_eq(sel->items[5]->expr->u.call.form, AST_CALL_EXTRACT);
    ck_assert_int_eq(sel->items[5]->expr->u.call.unit, AST_TU_DAY);
    ck_assert_int_eq(sel->items[6]->expr->u.call.form, AST_CALL_FLOOR_TO);
    ck_assert_str_eq(sel->items[6]->expr->u.call.name.s, "CEIL");
    ck_assert_int_eq(sel->items[7]->expr->u.call.form, AST_CALL_NILADIC);
    ck_assert_str_eq(sel->items[7]->expr->u.call.name.s, "CURRENT_TIMESTAMP");
    e = sel->items[8]->expr;
    ck_assert_int_eq(e->u.call.from_pos, AST_FROM_LAST);
    ck_assert_int_eq(e->u.call.nulls, AST_NULLS_IGNORE);
    ck_assert(e->u.call.over->name_only);
    e = sel->items[9]->expr;
    ck_assert_int_eq(e->u.call.nulls, AST_NULLS_RESPECT);
    ck_assert_int_eq(e->u.call.over->frame, AST_FRAME_ROWS);
    ck_assert_int_eq(sel->items[10]->expr->u.call.quant, AST_SETQ_DISTINCT);
    ck_assert_int_eq(sel->items[11]->expr->kind, AST_E_IN_LIST);
    ast_type_ref *t = &sel->items[12]->expr->u.cast.type;
    ck_assert_int_eq(t->type.id, EDDY_T_INTERVAL_DS);
    ck_assert_int_eq(t->iq.start, AST_TU_DAY);
    ck_assert_int_eq(t->iq.end, AST_TU_SECOND);
    ck_assert_int_eq(t->iq.frac_prec, 3);
    /* FROM FIRST not followed by OVER/IGNORE/RESPECT is a FROM clause. */
    ck_assert_str_eq(sel->from->u.named.name.s, "FIRST");
    arena_free(&a);
}
END_TEST

START_TEST(test_interval_forms) {
    arena a;
    arena_init(&a, 0);
    ast_stmt *s = parse1(&a, "SELECT INTERVAL '3-4' YEAR TO MONTH, INTERVAL -'5' MINUTE, "
                             "INTERVAL '10' HOUR(3), INTERVAL '1.5' SECOND(2, 3), "
                             "(a - b) MINUTE TO SECOND, INTERVAL '1' DAY TO SECOND(6)");
    ast_select *sel = s->u.query->u.select;
    ast_interval_qual q = sel->items[0]->expr->u.lit.iq;
    ck_assert_int_eq(q.start, AST_TU_YEAR);
    ck_assert_int_eq(q.end, AST_TU_MONTH);
    ck_assert_int_eq(sel->items[1]->expr->u.lit.sign, '-');
    ck_assert_int_eq(sel->items[2]->expr->u.lit.iq.start_prec, 3);
    q = sel->items[3]->expr->u.lit.iq;
    ck_assert_int_eq(q.start_prec, 2);
    ck_assert_int_eq(q.frac_prec, 3);
    ck_assert_int_eq(sel->items[4]->expr->kind, AST_E_INTERVAL_OF);
    ck_assert_int_eq(sel->items[4]->expr->u.ivof.iq.end, AST_TU_SECOND);
    ck_assert_int_eq(sel->items[5]->expr->u.lit.iq.frac_prec, 6);
    arena_free(&a);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Precedence                                                             */

START_TEST(test_precedence) {
    check_where("a OR b AND NOT c = d + e * f || g",
                "(OR A (AND B (NOT (= C (+ D (|| (* E F) G))))))");
    check_where("a - b - c", "(- (- A B) C)");
    check_where("-a * b", "(* (- A) B)");
    check_where("a = b < c", "(= A (< B C))");
    check_where("a BETWEEN b AND c AND d", "(AND (BETWEEN A B C) D)");
    check_where("a NOT BETWEEN b + 1 AND c * 2", "(NOT-BETWEEN A (+ B 1) (* C 2))");
    check_where("a LIKE b || 'x' ESCAPE '!' OR c", "(OR (LIKE A (|| B x) !) C)");
    check_where("a = b IS NOT NULL", "(IS-NOT (= A B))");
    check_where("NOT a IS NULL", "(NOT (IS A))");
    check_where("a IN (1, 2) AND b", "(AND (IN A 2) B)");
    check_where("(a OR b) AND c", "(AND (OR A B) C)");
    check_where("a / b % c", "(% (/ A B) C)");
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */

START_TEST(test_error_rendering) {
    ck_assert_str_eq(parse_error("CREATE STREAM s (a INTEGER);\n  SELECT * FORM trades"),
                     "ERROR: syntax error at or near \"FORM\" (2:12)\n"
                     "LINE 2:   SELECT * FORM trades\n"
                     "                   ^~~~");
    ck_assert_str_eq(parse_error("SELECT STREAM a\nFROM"),
                     "ERROR: syntax error at end of input (2:5)\n"
                     "LINE 2: FROM\n"
                     "            ^");
    ck_assert_str_eq(parse_error("SELECT 'abc FROM s"),
                     "ERROR: unterminated quoted string at or near \"'abc FROM s\" (1:8)\n"
                     "LINE 1: SELECT 'abc FROM s\n"
                     "               ^~~~~~~~~~~");
    ck_assert_str_eq(parse_error("SELECT a FROM s WHERE (a = 1;"),
                     "ERROR: syntax error at or near \";\" (1:29)\n"
                     "LINE 1: SELECT a FROM s WHERE (a = 1;\n"
                     "                                    ^");
    ck_assert_str_eq(parse_error("SELECT CAST(a AS VARCHAR2(3)) FROM s"),
                     "ERROR: type \"VARCHAR2\" does not exist (1:18)\n"
                     "LINE 1: SELECT CAST(a AS VARCHAR2(3)) FROM s\n"
                     "                         ^~~~~~~~");
    ck_assert_str_eq(parse_error("SELECT INTERVAL '1' SECOND TO MINUTE"),
                     "ERROR: invalid interval qualifier (1:21)\n"
                     "LINE 1: SELECT INTERVAL '1' SECOND TO MINUTE\n"
                     "                            ^~~~~~~~~~~~~~~~");
    ck_assert_str_eq(parse_error("SELECT a FROM s # b"),
                     "ERROR: syntax error at or near \"#\" (1:17)\n"
                     "LINE 1: SELECT a FROM s # b\n"
                     "                        ^");
    ck_assert_str_eq(parse_error("SELECT \"\" FROM s"),
                     "ERROR: zero-length delimited identifier at or near \"\"\"\" (1:8)\n"
                     "LINE 1: SELECT \"\" FROM s\n"
                     "               ^~");
}
END_TEST

START_TEST(test_error_kinds) {
    arena a;
    arena_init(&a, 0);
    sql_script *s;
    eddy_err e;
    const char *inc = "SELECT STREAM * FROM s WHERE";
    ck_assert_int_eq(sql_parse(inc, strlen(inc), &a, &s, &e), EDDY_E_SYNTAX);
    ck_assert(sql_error_is_incomplete(&e));
    const char *unt = "SELECT 'abc";
    ck_assert_int_eq(sql_parse(unt, strlen(unt), &a, &s, &e), EDDY_E_SYNTAX);
    ck_assert(sql_error_is_incomplete(&e));
    const char *bad = "SELECT a FROM s WHERE WHERE";
    ck_assert_int_eq(sql_parse(bad, strlen(bad), &a, &s, &e), EDDY_E_SYNTAX);
    ck_assert(!sql_error_is_incomplete(&e));
    ck_assert_uint_eq(e.off, 22);
    ck_assert_uint_eq(e.len, 5);
    /* sql_parse_one wants exactly one statement. */
    ast_stmt *one;
    const char *two = "SHOW STREAMS; SHOW PUMPS";
    ck_assert_int_eq(sql_parse_one(two, strlen(two), &a, &one, &e), EDDY_E_SYNTAX);
    ck_assert_uint_eq(e.off, 14);
    /* Text with NUL bytes is scanned to its length, not to the first NUL. */
    const char nul[] = "SELECT 1\0 FROM s";
    ck_assert_int_eq(sql_parse(nul, sizeof nul - 1, &a, &s, &e), EDDY_E_SYNTAX);
    ck_assert_uint_eq(e.off, 8);
    /* Identifier length limit. */
    char longid[300];
    memset(longid, 'a', sizeof longid);
    memcpy(longid, "SELECT ", 7);
    longid[7 + 129] = '\0';
    ck_assert_int_eq(sql_parse(longid, strlen(longid), &a, &s, &e), EDDY_E_SYNTAX);
    ck_assert_str_eq(e.msg, "identifier is longer than 128 characters");
    longid[7 + 128] = '\0';
    ck_assert_int_eq(sql_parse(longid, strlen(longid), &a, &s, &e), 0);
    arena_free(&a);
}
END_TEST

START_TEST(test_deep_nesting_refused) {
    /* Long chains and deep parentheses must fail cleanly, not blow the stack
     * of the parser or of the recursive walkers downstream. */
    size_t n = 200000;
    char *sql = malloc(n + 16);
    ck_assert_ptr_nonnull(sql);
    strcpy(sql, "SELECT 1");
    size_t k = strlen(sql);
    while (k + 2 < n) {
        sql[k++] = '+';
        sql[k++] = '1';
    }
    sql[k] = '\0';
    arena a;
    arena_init(&a, 0);
    sql_script *s;
    eddy_err e;
    ck_assert_int_eq(sql_parse(sql, k, &a, &s, &e), EDDY_E_SYNTAX);
    ck_assert_str_eq(e.msg, "expression is too deeply nested");
    k = 0;
    memcpy(sql, "SELECT ", 7);
    k = 7;
    while (k < n) sql[k++] = '(';
    ck_assert_int_eq(sql_parse(sql, k, &a, &s, &e), EDDY_E_SYNTAX);
    ck_assert_str_eq(e.msg, "statement is too deeply nested");
    /* Just under the limit, every shape must survive the round trip, even
     * where printing adds parentheses the input did not have. */
    static const char *const shapes[][3] = {
        {"f(1, ", "1", ")"},
        {"SUBSTRING(a = ", "1", " FROM 1)"},
        {"- ", "1", ""},
        {"CAST(", "1", " AS INTEGER)"},
        {"(SELECT ", "1", ")"},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        sbuf b;
        sbuf_init(&b);
        ast_stmt *st = NULL;
        /* The deepest nesting of this shape that is still accepted. */
        for (int depth = SQL_MAX_HEIGHT; depth > 0 && !st; depth--) {
            sbuf_clear(&b);
            sbuf_puts(&b, "SELECT ");
            for (int d = 0; d < depth; d++) sbuf_puts(&b, shapes[i][0]);
            sbuf_puts(&b, shapes[i][1]);
            for (int d = 0; d < depth; d++) sbuf_puts(&b, shapes[i][2]);
            if (sql_parse_one(b.data, b.len, &a, &st, &e) != 0) st = NULL;
        }
        ck_assert_ptr_nonnull(st);
        sbuf p;
        sbuf_init(&p);
        ast_print(st, &p);
        ast_stmt *again = parse1(&a, p.data);
        ck_assert(ast_stmt_equal(st, again));
        sbuf_free(&p);
        sbuf_free(&b);
    }
    arena_free(&a);
    free(sql);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Golden error files: tests/sql/parse/NAME.test                          */

/* Runs one sqllogictest-style file. Records:
 *   statement ok            SQL up to a blank line must parse
 *   statement error         SQL up to "----", then the rendered error up
 *                           to a blank line
 * Returns the number of records run. */
static int run_test_file(const char *path) {
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char line[4096];
    int records = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n') continue;
        int want_error;
        if (strncmp(line, "statement ok", 12) == 0)
            want_error = 0;
        else if (strncmp(line, "statement error", 15) == 0)
            want_error = 1;
        else
            ck_abort_msg("%s:%d: unknown record: %s", path, lineno, line);
        int start = lineno;
        sbuf sql, want;
        sbuf_init(&sql);
        sbuf_init(&want);
        int in_want = 0;
        while (fgets(line, sizeof line, f)) {
            lineno++;
            if (line[0] == '\n') break;
            if (want_error && !in_want && strcmp(line, "----\n") == 0) {
                in_want = 1;
                continue;
            }
            sbuf_puts(in_want ? &want : &sql, line);
        }
        if (sql.len && sql.data[sql.len - 1] == '\n') sql.data[--sql.len] = '\0';
        if (want.len && want.data[want.len - 1] == '\n') want.data[--want.len] = '\0';
        arena a;
        arena_init(&a, 0);
        sql_script *s;
        eddy_err e;
        int rc = sql_parse(sql.data, sql.len, &a, &s, &e);
        if (!want_error) {
            ck_assert_msg(rc == 0, "%s:%d: expected success, got: %s", path, start, e.msg);
        } else {
            ck_assert_msg(rc != 0, "%s:%d: expected an error", path, start);
            char out[4096];
            eddy_err_render(&e, sql.data, sql.len, out, sizeof out);
            ck_assert_msg(strcmp(out, want.data) == 0, "%s:%d:\n--- got\n%s\n--- want\n%s", path,
                          start, out, want.data);
        }
        arena_free(&a);
        sbuf_free(&sql);
        sbuf_free(&want);
        records++;
    }
    fclose(f);
    return records;
}

/* Calls fn on every regular file under dir whose name ends in `ext`. */
static int walk(const char *dir, const char *ext, int (*fn)(const char *)) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            n += walk(path, ext, fn);
        } else {
            size_t l = strlen(de->d_name), el = strlen(ext);
            if (l > el && strcmp(de->d_name + l - el, ext) == 0) n += fn(path);
        }
    }
    closedir(d);
    return n;
}

START_TEST(test_golden_errors) {
    int n = walk(EDDY_SOURCE_DIR "/tests/sql/parse", ".test", run_test_file);
    ck_assert_int_ge(n, 10);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Round trip                                                             */

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    sbuf b;
    sbuf_init(&b);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) sbuf_append(&b, buf, n);
    fclose(f);
    return sbuf_detach(&b, len);
}

/* parse → print → parse gives an equal tree, and printing is idempotent. */
static int round_trip_file(const char *path) {
    size_t len;
    char *text = read_file(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    arena a;
    arena_init(&a, 0);
    sql_script *s;
    eddy_err e;
    int rc = sql_parse(text, len, &a, &s, &e);
    if (rc != 0) {
        char out[2048];
        eddy_err_render(&e, text, len, out, sizeof out);
        ck_abort_msg("%s does not parse:\n%s", path, out);
    }
    for (uint32_t i = 0; i < s->n_stmts; i++) {
        ast_stmt *st = s->stmts[i];
        ck_assert(st->off + st->len <= len);
        sbuf p1, p2;
        sbuf_init(&p1);
        sbuf_init(&p2);
        ast_print(st, &p1);
        ast_stmt *again = NULL;
        rc = sql_parse_one(p1.data, p1.len, &a, &again, &e);
        ck_assert_msg(rc == 0, "%s: statement %u reprinted does not parse (%s):\n%s", path, i + 1,
                      e.msg, p1.data);
        ck_assert_msg(ast_stmt_equal(st, again), "%s: statement %u differs after round trip:\n%s",
                      path, i + 1, p1.data);
        ast_print(again, &p2);
        ck_assert_str_eq(p1.data, p2.data);
        sbuf_free(&p1);
        sbuf_free(&p2);
    }
    arena_free(&a);
    free(text);
    return 1;
}

START_TEST(test_round_trip_files) {
    int n = walk(EDDY_SOURCE_DIR "/tests/sql", ".sql", round_trip_file);
    n += walk(EDDY_SOURCE_DIR "/examples", ".sql", round_trip_file);
    ck_assert_int_ge(n, 15);
}
END_TEST

START_TEST(test_round_trip_tricky) {
    static const char *cases[] = {
        "SELECT - -a, -(-1), +a, NOT NOT b, a - -b, -(a * b), (-a) * b FROM s",
        "SELECT FLOOR(INTERVAL '1' DAY TO HOUR), FLOOR((INTERVAL '1' DAY) TO HOUR)",
        "SELECT POSITION((a IN (1)) IN b), SUBSTRING((a = b) FROM 1)",
        "SELECT a BETWEEN (b AND c) AND d, (a BETWEEN b AND c) = TRUE",
        "SELECT \"select\", \"lower\", \"A\"\"B\", \"STREAM\", stream.x FROM \"from\"",
        "SELECT 'it''s', U&'\\00e9', X'', '' FROM s",
        "SELECT a FROM s UNION SELECT b FROM t INTERSECT SELECT c FROM u EXCEPT ALL SELECT d "
        "FROM v",
        "VALUES (1, 'a'), (2, NULL)",
        "SELECT CASE WHEN a IS NULL THEN 1 END, CASE a WHEN 1 THEN 2 ELSE 3 END FROM s",
        "SELECT x FROM s WHERE (a OR b) AND (c OR d) AND NOT (e AND f)",
        "SELECT a || b || c, (a || b) || c, a || (b || c), a * (b / c) FROM s",
        "SELECT COUNT(ALL x), f(), g(*), h(DISTINCT a, b) FROM s",
        "EXPLAIN EXPLAIN SHOW STREAMS",
        "SELECT STREAM * FROM s AS t(a, b) NATURAL LEFT JOIN u",
        "SELECT x FROM s WHERE a LIKE (b LIKE c)",
        "CREATE STREAM s (a INTERVAL SECOND(2, 3), b INTERVAL YEAR(2) TO MONTH, c BINARY(4), "
        "d VARBINARY(8), e CHAR(1), f REAL, g SMALLINT, h TINYINT, i BOOLEAN, j DATE, k TIME)",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        arena a;
        arena_init(&a, 0);
        ast_stmt *s = parse1(&a, cases[i]);
        sbuf b;
        sbuf_init(&b);
        ast_print(s, &b);
        ast_stmt *t = parse1(&a, b.data);
        ck_assert_msg(ast_stmt_equal(s, t), "round trip differs:\n  in:  %s\n  out: %s", cases[i],
                      b.data);
        sbuf_free(&b);
        arena_free(&a);
    }
}
END_TEST

START_TEST(test_equal_detects_differences) {
    /* The comparison used by the round trip must itself see differences. */
    static const char *pairs[][2] = {
        {"SELECT a FROM s", "SELECT b FROM s"},
        {"SELECT a + b FROM s", "SELECT a - b FROM s"},
        {"SELECT STREAM a FROM s", "SELECT a FROM s"},
        {"SELECT 'x' FROM s", "SELECT 'y' FROM s"},
        {"SELECT INTERVAL '1' DAY", "SELECT INTERVAL '1' HOUR"},
        {"SELECT f(x) OVER w FROM s", "SELECT f(x) OVER v FROM s"},
        {"SELECT \"a\" FROM s", "SELECT a FROM s"},
        {"CREATE STREAM s (a INTEGER)", "CREATE STREAM s (a INTEGER NOT NULL)"},
        {"SELECT a FROM s ORDER BY a", "SELECT a FROM s ORDER BY a DESC"},
        {"SELECT a FROM s LEFT JOIN t ON TRUE", "SELECT a FROM s RIGHT JOIN t ON TRUE"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        arena a;
        arena_init(&a, 0);
        ast_stmt *x = parse1(&a, pairs[i][0]), *y = parse1(&a, pairs[i][1]);
        ck_assert_msg(!ast_stmt_equal(x, y), "equal: %s | %s", pairs[i][0], pairs[i][1]);
        ck_assert(ast_stmt_equal(x, x));
        arena_free(&a);
    }
}
END_TEST

START_TEST(test_reserved_words) {
    ck_assert(sql_is_reserved("SELECT"));
    ck_assert(sql_is_reserved("YEAR"));
    ck_assert(!sql_is_reserved("STREAM"));
    ck_assert(!sql_is_reserved("TICKER"));
    /* Non-reserved keywords work as names where the keyword cannot appear. */
    arena a;
    arena_init(&a, 0);
    ast_stmt *s = parse1(&a, "SELECT data, streams AS last, first FROM pump");
    ck_assert_str_eq(s->u.query->u.select->items[0]->expr->u.col.parts[0].s, "DATA");
    ck_assert_str_eq(s->u.query->u.select->items[1]->alias.s, "LAST");
    ck_assert_str_eq(s->u.query->u.select->from->u.named.name.s, "PUMP");
    arena_free(&a);
}
END_TEST

/* ---------------------------------------------------------------------- */

static Suite *suite_lexer(void) {
    Suite *s = suite_create("lexer");
    TCase *tc = tcase_create("tokens");
    tcase_add_test(tc, test_lex_keywords_and_identifiers);
    tcase_add_test(tc, test_lex_numbers_strings_operators);
    tcase_add_test(tc, test_lex_intervals_and_comments);
    tcase_add_test(tc, test_lex_errors);
    tcase_add_test(tc, test_strings_decoded);
    suite_add_tcase(s, tc);
    return s;
}

static Suite *suite_grammar(void) {
    Suite *s = suite_create("grammar");
    TCase *tc = tcase_create("statements");
    tcase_add_test(tc, test_create_stream);
    tcase_add_test(tc, test_create_pump_insert);
    tcase_add_test(tc, test_create_function);
    tcase_add_test(tc, test_small_statements);
    tcase_add_test(tc, test_select_clauses);
    tcase_add_test(tc, test_stagger_and_joins);
    tcase_add_test(tc, test_special_calls);
    tcase_add_test(tc, test_interval_forms);
    tcase_add_test(tc, test_precedence);
    tcase_add_test(tc, test_reserved_words);
    suite_add_tcase(s, tc);
    return s;
}

static Suite *suite_errors(void) {
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, test_error_rendering);
    tcase_add_test(tc, test_error_kinds);
    tcase_add_test(tc, test_deep_nesting_refused);
    tcase_add_test(tc, test_golden_errors);
    suite_add_tcase(s, tc);
    return s;
}

static Suite *suite_round_trip(void) {
    Suite *s = suite_create("round_trip");
    TCase *tc = tcase_create("round_trip");
    tcase_add_test(tc, test_round_trip_files);
    tcase_add_test(tc, test_round_trip_tricky);
    tcase_add_test(tc, test_equal_detects_differences);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_lexer, suite_grammar, suite_errors, suite_round_trip)
