/*
 * check_planner.c — tests of the planner (planner/): the catalog's rules,
 * the plan structure the runtime relies on, and the golden files
 * tests/sql/plan/NAME.test in the sqllogictest style of STYLE.md §20:
 *
 *   # name: ...                       comment lines start with #
 *   statement ok                      the SQL (up to a blank line) must plan
 *   statement error                   the SQL must fail; after ---- the exact
 *   ----                              rendered error (LINE/caret lines too)
 *   explain                           the SQL's EXPLAIN text follows ----
 *   ----
 *
 * Records are separated by blank lines; each file plans against its own
 * fresh catalog, in order. With EDDY_TEST_REWRITE=1 the runner rewrites the
 * expected parts of every file with what the planner produces now, so
 * changes are reviewed as diffs.
 */
#include "check_main.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "planner.h"
#include "sbuf.h"
#include "sql_parse.h"

/* ---- the golden-file runner ------------------------------------------------ */

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

/* Runs one record's SQL; appends what the record would expect to `got`.
 * Returns 0 when the SQL planned, 1 when it failed. */
static int run_sql(catalog *cat, const char *sql, size_t n, sbuf *got) {
    eddy_err err;
    eddy_err_clear(&err);
    sbuf out;
    sbuf_init(&out);
    int rc = planner_explain_script(cat, sql, n, &out, &err);
    if (rc != 0) {
        char msg[4096];
        eddy_err_render(&err, sql, n, msg, sizeof msg);
        sbuf_puts(got, msg);
    } else {
        sbuf_append(got, out.data, out.len);
        while (got->len && got->data[got->len - 1] == '\n') got->data[--got->len] = '\0';
    }
    sbuf_free(&out);
    return rc != 0;
}

static void put_diff(sbuf *msg, const char *exp, const char *got) {
    sbuf_puts(msg, "--- expected\n+++ actual\n");
    const char *a = exp, *b = got;
    while (*a || *b) {
        const char *ae = strchr(a, '\n'), *be = strchr(b, '\n');
        size_t al = ae ? (size_t)(ae - a) : strlen(a), bl = be ? (size_t)(be - b) : strlen(b);
        if (al == bl && !memcmp(a, b, al)) {
            sbuf_printf(msg, " %.*s\n", (int)al, a);
        } else {
            if (*a) sbuf_printf(msg, "-%.*s\n", (int)al, a);
            if (*b) sbuf_printf(msg, "+%.*s\n", (int)bl, b);
        }
        a = ae ? ae + 1 : a + al;
        b = be ? be + 1 : b + bl;
    }
}

/* Runs one .test file; returns the number of mismatches (details in msg).
 * In rewrite mode, writes the file back with the actual results. */
static int run_test_file(const char *path, sbuf *msg, int rewrite) {
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        sbuf_printf(msg, "%s: cannot read\n", path);
        return 1;
    }
    catalog *cat = catalog_new();
    sbuf outf;
    sbuf_init(&outf);
    int fails = 0;
    char *p = text, *end = text + len;
    int line_no = 1;
    while (p < end) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
        char *next = eol ? eol + 1 : end;
        int kind = 0; /* 1 ok, 2 error, 3 explain */
        if (ll == 12 && !memcmp(p, "statement ok", 12)) kind = 1;
        else if (ll == 15 && !memcmp(p, "statement error", 15)) kind = 2;
        else if (ll == 7 && !memcmp(p, "explain", 7)) kind = 3;
        if (!kind) {
            sbuf_append(&outf, p, (size_t)(next - p));
            p = next;
            line_no++;
            continue;
        }
        int rec_line = line_no;
        sbuf_append(&outf, p, (size_t)(next - p));
        p = next;
        line_no++;
        /* SQL lines up to "----" or a blank line. */
        sbuf sql;
        sbuf_init(&sql);
        while (p < end) {
            eol = memchr(p, '\n', (size_t)(end - p));
            ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
            next = eol ? eol + 1 : end;
            if (ll == 0 || (ll == 4 && !memcmp(p, "----", 4))) break;
            sbuf_append(&sql, p, ll);
            sbuf_putc(&sql, '\n');
            sbuf_append(&outf, p, (size_t)(next - p));
            p = next;
            line_no++;
        }
        if (sql.len) sql.data[--sql.len] = '\0'; /* no trailing newline */
        /* Expected part after "----", up to a blank line. */
        sbuf exp;
        sbuf_init(&exp);
        int has_exp = 0;
        if (p < end && !strncmp(p, "----", 4)) {
            has_exp = 1;
            eol = memchr(p, '\n', (size_t)(end - p));
            p = eol ? eol + 1 : end;
            line_no++;
            while (p < end) {
                eol = memchr(p, '\n', (size_t)(end - p));
                ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
                next = eol ? eol + 1 : end;
                if (ll == 0) break;
                if (exp.len) sbuf_putc(&exp, '\n');
                sbuf_append(&exp, p, ll);
                p = next;
                line_no++;
            }
        }
        sbuf got;
        sbuf_init(&got);
        int failed = run_sql(cat, sql.data, sql.len, &got);
        int bad = 0;
        if (kind == 1 && failed) {
            bad = 1;
            sbuf_printf(msg, "%s:%d: statement ok failed:\n%s\n", path, rec_line, got.data);
        } else if (kind == 2 && !failed) {
            bad = 1;
            sbuf_printf(msg, "%s:%d: statement error succeeded\n", path, rec_line);
        } else if (kind == 3 && failed) {
            bad = 1;
            sbuf_printf(msg, "%s:%d: explain failed:\n%s\n", path, rec_line, got.data);
        } else if (kind != 1 && (!has_exp || strcmp(exp.data, got.data) != 0)) {
            bad = 1;
            sbuf_printf(msg, "%s:%d: output differs\n", path, rec_line);
            put_diff(msg, exp.data, got.data);
        }
        fails += bad;
        if (kind != 1) {
            sbuf_puts(&outf, "----\n");
            sbuf_append(&outf, rewrite ? got.data : exp.data, rewrite ? got.len : exp.len);
            sbuf_putc(&outf, '\n');
        }
        sbuf_free(&sql);
        sbuf_free(&exp);
        sbuf_free(&got);
    }
    if (rewrite && (outf.len != len || memcmp(outf.data, text, len) != 0)) {
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite(outf.data, 1, outf.len, f);
            fclose(f);
        }
    }
    sbuf_free(&outf);
    catalog_free(cat);
    free(text);
    return fails;
}

START_TEST(test_golden_files) {
    const char *src = getenv("EDDY_SOURCE_DIR");
    if (!src || !*src) src = EDDY_SOURCE_DIR;
    char pattern[1024];
    snprintf(pattern, sizeof pattern, "%s/tests/sql/plan/*.test", src);
    glob_t g;
    int grc = glob(pattern, 0, NULL, &g);
    ck_assert_msg(grc == 0 && g.gl_pathc > 0, "no golden files match %s", pattern);
    const char *rw = getenv("EDDY_TEST_REWRITE");
    int rewrite = rw && !strcmp(rw, "1");
    sbuf msg;
    sbuf_init(&msg);
    int fails = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) fails += run_test_file(g.gl_pathv[i], &msg, rewrite);
    size_t files = g.gl_pathc;
    globfree(&g);
    if (fails) fprintf(stderr, "%s", msg.data);
    sbuf_free(&msg);
    ck_assert_msg(fails == 0 || rewrite, "%d golden record(s) differ in %zu file(s); see stderr", fails,
                  files);
}
END_TEST

/* ---- the catalog --------------------------------------------------------------- */

static const plan_col cols2[] = {
    {"TICKER", {EDDY_T_VARCHAR, 4, 0}, 1, 0, 0},
    {"price", {EDDY_T_DOUBLE, 0, 0}, 0, 0, 0},
};

START_TEST(test_catalog_rules) {
    catalog *c = catalog_new();
    eddy_err e;
    ck_assert_ptr_nonnull(catalog_stream(c, "error_stream"));
    ck_assert_int_eq(catalog_stream(c, "error_stream")->n_cols, 7);
    cat_stream s = {.kind = CAT_STREAM, .name = "TRADES", .cols = (plan_col *)cols2, .n_cols = 2};
    ck_assert_int_eq(catalog_add_stream(c, &s, 0, &e), 0);
    ck_assert_int_eq(catalog_add_stream(c, &s, 0, &e), EDDY_E_SEMANTIC);
    ck_assert_str_eq(e.msg, "stream \"TRADES\" already exists");
    ck_assert_int_eq(catalog_add_stream(c, &s, 1, &e), 0);
    cat_stream bad = s;
    bad.name = "error_stream";
    ck_assert_int_eq(catalog_add_stream(c, &bad, 1, &e), EDDY_E_SEMANTIC);
    ck_assert_str_eq(e.msg, "stream name \"error_stream\" is reserved");
    /* Case-only mismatch gets a quoting hint. */
    ck_assert_ptr_null(catalog_stream(c, "trades"));
    catalog_not_found(c, "stream", "trades", &e);
    ck_assert_str_eq(e.hint, "Names are case-sensitive when quoted; write \"TRADES\".");
    catalog_not_found(c, "stream", "TRADE", &e);
    ck_assert_str_eq(e.hint, "Perhaps you meant \"TRADES\".");
    /* A pump that writes a stream pins it. */
    const char *reads[] = {"TRADES"};
    cat_stream out = s;
    out.name = "OUT";
    ck_assert_int_eq(catalog_add_stream(c, &out, 0, &e), 0);
    cat_pump pump = {.name = "P", .target = "OUT", .reads = reads, .n_reads = 1, .sql = "x"};
    ck_assert_int_eq(catalog_add_pump(c, &pump, 0, &e), 0);
    ck_assert_int_eq(catalog_add_pump(c, &pump, 0, &e), EDDY_E_SEMANTIC);
    ck_assert_int_eq(catalog_add_stream(c, &out, 1, &e), EDDY_E_SEMANTIC);
    ck_assert_str_eq(e.msg, "stream \"OUT\" was redefined while pump \"P\" writes to it");
    ck_assert_int_eq(catalog_drop_stream(c, "TRADES", 0, &e), EDDY_E_SEMANTIC);
    ck_assert_str_eq(e.msg, "cannot drop stream \"TRADES\" because pump \"P\" uses it");
    ck_assert_int_eq(catalog_drop_pump(c, "P", 0, &e), 0);
    ck_assert_int_eq(catalog_drop_stream(c, "TRADES", 0, &e), 0);
    ck_assert_int_eq(catalog_drop_stream(c, "TRADES", 1, &e), 0);
    ck_assert_int_eq(catalog_drop_stream(c, "TRADES", 0, &e), EDDY_E_SEMANTIC);
    ck_assert_int_eq(catalog_drop_stream(c, "error_stream", 0, &e), EDDY_E_SEMANTIC);
    /* Sinks and functions. */
    cat_sink sk = {.stream = "out-stream", .format = PLAN_FMT_CSV};
    ck_assert_int_eq(catalog_set_sink(c, "OUT", &sk, &e), 0);
    ck_assert_str_eq(catalog_stream(c, "OUT")->sink.stream, "out-stream");
    ck_assert_int_eq(catalog_set_sink(c, "NOPE", &sk, &e), EDDY_E_SEMANTIC);
    cat_param prm = {"X", {EDDY_T_DOUBLE, 0, 0}};
    cat_function f = {.name = "F", .params = &prm, .n_params = 1, .ret = {EDDY_T_DOUBLE, 0, 0},
                      .sql = "CREATE FUNCTION F(X DOUBLE) RETURNS DOUBLE RETURN X"};
    ck_assert_int_eq(catalog_add_function(c, &f, 0, &e), 0);
    ck_assert_int_eq(catalog_add_function(c, &f, 0, &e), EDDY_E_SEMANTIC);
    eddy_type dt = {EDDY_T_DOUBLE, 0, 0}, it = {EDDY_T_INTEGER, 0, 0};
    ck_assert_ptr_nonnull(catalog_function(c, "F", 1, &dt));
    ck_assert_ptr_null(catalog_function(c, "F", 1, &it));
    ck_assert_int_eq(catalog_drop_function(c, "F", 0, &e), 0);
    ck_assert(!catalog_has_function(c, "F"));
    catalog_free(c);
}
END_TEST

/* ---- plan structure --------------------------------------------------------------- */

static int plan_text(catalog *c, const char *sql, arena *a, plan_result *r, eddy_err *e) {
    sql_script *sc;
    int rc = sql_parse(sql, strlen(sql), a, &sc, e);
    for (uint32_t i = 0; rc == 0 && i < sc->n_stmts; i++)
        rc = planner_plan_stmt(c, NULL, sc->stmts[i], sql, strlen(sql), a, r, e);
    return rc;
}

START_TEST(test_plan_structure) {
    catalog *c = catalog_new();
    arena a;
    arena_init(&a, 0);
    plan_result r;
    eddy_err e;
    int rc = plan_text(c,
                       "CREATE STREAM S (T VARCHAR(4), P INTEGER) WITH (source = 'ticks');"
                       "CREATE STREAM O (T VARCHAR(4), A INTEGER, N BIGINT);"
                       "CREATE PUMP PU AS INSERT INTO O SELECT STREAM T, AVG(P), COUNT(*) FROM S "
                       "GROUP BY T, STEP(S.ROWTIME BY INTERVAL '10' SECOND);",
                       &a, &r, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert_int_eq(r.kind, PLAN_R_PUMP);
    const plan_node *pump = r.root;
    ck_assert_int_eq(pump->kind, PLAN_PUMP);
    ck_assert_str_eq(pump->u.pump.target, "O");
    const plan_node *proj = pump->inputs[0];
    ck_assert_int_eq(proj->kind, PLAN_PROJECT);
    const plan_node *agg = proj->inputs[0];
    ck_assert_int_eq(agg->kind, PLAN_TUMBLE_AGG);
    ck_assert_int_eq(agg->u.tumble.n_keys, 2);
    ck_assert_int_eq(agg->u.tumble.time_key.kind, PLAN_TK_STEP);
    ck_assert_int_eq(agg->u.tumble.time_key.key_index, 1);
    ck_assert_int_eq(agg->u.tumble.time_key.width_ms, 10000);
    ck_assert_int_eq(agg->u.tumble.n_aggs, 2);
    /* Integer AVG stays INTEGER (truncating), as in KDA. */
    ck_assert_int_eq(agg->u.tumble.aggs[0].call.ret_type.id, EDDY_T_INTEGER);
    ck_assert_int_eq(agg->out.rowtime, PLAN_RT_WINDOW_END);
    ck_assert_int_eq(agg->inputs[0]->kind, PLAN_STREAM_SCAN);
    /* The project reads key 0 and the aggregates at 2 and 3. */
    ck_assert_int_eq(proj->u.project.exprs[0]->kind, PX_COLUMN);
    ck_assert_int_eq(proj->u.project.exprs[0]->u.col.index, 0);
    ck_assert_int_eq(proj->u.project.exprs[1]->u.col.index, 2);
    ck_assert_int_eq(proj->u.project.exprs[2]->u.col.index, 3);
    ck_assert_ptr_nonnull(catalog_pump(c, "PU"));
    arena_free(&a);
    catalog_free(c);
}
END_TEST

START_TEST(test_integer_division_and_casts) {
    catalog *c = catalog_new();
    arena a;
    arena_init(&a, 0);
    plan_result r;
    eddy_err e;
    int rc = plan_text(c,
                       "CREATE STREAM S (I INTEGER, D DOUBLE, M DECIMAL(10,2));"
                       "SELECT STREAM I / 2, I / 2.0, I + D, M * M FROM S",
                       &a, &r, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    const plan_node *proj = r.root;
    ck_assert_int_eq(proj->out.cols[0].type.id, EDDY_T_INTEGER);
    ck_assert_int_eq(proj->u.project.exprs[0]->u.op.op, PLAN_OP_DIV);
    ck_assert_int_eq(proj->out.cols[1].type.id, EDDY_T_DECIMAL);
    ck_assert_int_eq(proj->out.cols[2].type.id, EDDY_T_DOUBLE);
    /* The INTEGER operand of I + D got an explicit cast. */
    ck_assert_int_eq(proj->u.project.exprs[2]->u.op.args[0]->kind, PX_CAST);
    ck_assert_int_eq(proj->out.cols[3].type.precision, 18);
    ck_assert_int_eq(proj->out.cols[3].type.scale, 4);
    arena_free(&a);
    catalog_free(c);
}
END_TEST

START_TEST(test_kda_application) {
    static const char *json =
        "{\"ApplicationName\": \"demo\", \"ApplicationCode\": "
        "\"CREATE STREAM \\\"DEST\\\" (\\\"ticker\\\" VARCHAR(4), PRICE DOUBLE);\\n"
        "CREATE PUMP P AS INSERT INTO \\\"DEST\\\" SELECT STREAM \\\"ticker\\\", \\\"price\\\" "
        "FROM \\\"SOURCE_SQL_STREAM_001\\\" WHERE \\\"price\\\" > 10;\","
        "\"Inputs\": [{\"NamePrefix\": \"SOURCE_SQL_STREAM\","
        "  \"KinesisStreamsInput\": {\"ResourceARN\": \"arn:aws:kinesis:us-east-1:1:stream/ticks\"},"
        "  \"InputSchema\": {\"RecordFormat\": {\"RecordFormatType\": \"JSON\","
        "     \"MappingParameters\": {\"JSONMappingParameters\": {\"RecordRowPath\": \"$\"}}},"
        "   \"RecordColumns\": [{\"Name\": \"ticker\", \"SqlType\": \"VARCHAR(4)\", \"Mapping\": \"$.sym\"},"
        "                       {\"Name\": \"price\", \"SqlType\": \"DOUBLE\", \"Mapping\": \"$.px\"}]}}],"
        "\"Outputs\": [{\"Name\": \"DEST\", \"KinesisStreamsOutput\": {\"ResourceARN\": "
        "\"arn:aws:kinesis:us-east-1:1:stream/out\"}, \"DestinationSchema\": {\"RecordFormatType\": \"CSV\"}}]}";
    catalog *c = catalog_new();
    sbuf out;
    sbuf_init(&out);
    char *code = NULL;
    eddy_err e;
    int rc = planner_explain_kda(c, json, strlen(json), &out, &code, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert_ptr_nonnull(code);
    const cat_stream *in = catalog_stream(c, "SOURCE_SQL_STREAM_001");
    ck_assert_ptr_nonnull(in);
    ck_assert_str_eq(in->source.stream, "ticks");
    ck_assert_str_eq(in->source.paths[1], "$.px");
    ck_assert_str_eq(catalog_stream(c, "DEST")->sink.stream, "out");
    ck_assert_ptr_nonnull(strstr(out.data, "SINK stream='out' format=csv"));
    ck_assert_ptr_nonnull(strstr(out.data, "SOURCE stream='ticks'"));
    free(code);
    sbuf_free(&out);
    catalog_free(c);
    /* Bad JSON says which field. */
    c = catalog_new();
    sbuf_init(&out);
    rc = planner_explain_kda(c, "{\"Inputs\": 3}", 13, &out, &code, &e);
    ck_assert_int_eq(rc, EDDY_E_INVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "Inputs"));
    free(code);
    sbuf_free(&out);
    catalog_free(c);
}
END_TEST

static Suite *suite_planner(void) {
    Suite *s = suite_create("planner");
    TCase *tc = tcase_create("planner");
    tcase_add_test(tc, test_catalog_rules);
    tcase_add_test(tc, test_plan_structure);
    tcase_add_test(tc, test_integer_division_and_casts);
    tcase_add_test(tc, test_kda_application);
    tcase_add_test(tc, test_golden_files);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_planner)
