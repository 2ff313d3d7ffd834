/*
 * fuzz_plan.c — libFuzzer entry point for the SQL front end and the planner:
 * lexer, grammar, name resolution, type checking, validity rules, EXPLAIN
 * printing, error rendering, and the KDA application JSON reader.
 *
 * Each input plans against a fresh catalog that first holds a fixed
 * preamble (streams with a column of every SQL type, bound to sources in
 * JSON and CSV, unbound, a sink, a reference table, a pump and a SQL
 * function), so that a lone SELECT or CREATE PUMP has names to resolve; the
 * input's own CREATE statements then extend it. Every statement is planned
 * even after an earlier one failed (the planner leaves the catalog unchanged
 * on error), which reaches more of the planner per input than stopping.
 * An input starting with '{' is also explained as a KDA application.
 *
 * Any input must plan or fail cleanly: a failure must carry an SQL error
 * code and, when it has a position, a span inside the input. A violation
 * aborts, which the fuzzer reports; ASan/UBSan catch the rest.
 *
 * Built as the libFuzzer target fuzz_plan (EDDY_FUZZ=ON with clang) and,
 * always, into fuzz_replay_plan with replay_main.c, which CTest runs over
 * the saved corpus in tests/fuzz/corpus/plan/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "planner.h"
#include "sbuf.h"
#include "sql_parse.h"

/* As SQLite's ossfuzz harness does: longer inputs cost time per run without
 * reaching code that shorter ones don't. */
#define MAX_INPUT (64 * 1024)

/* Names are short so that mutations find them. */
static const char PREAMBLE[] =
    "CREATE STREAM \"SOURCE_SQL_STREAM_001\" (b BOOLEAN, ti TINYINT, si SMALLINT, i INTEGER,"
    " bi BIGINT, d DECIMAL(10,2), r REAL, f DOUBLE, c CHAR(4), v VARCHAR(16),"
    " bin BINARY(4), vb VARBINARY(8), dt DATE, tm TIME, ts TIMESTAMP,"
    " \"mixedCase\" INTEGER NOT NULL)"
    " WITH (source = 'in', format = 'json', start = 'trim_horizon', mapping.f = '$.q.f');\n"
    "CREATE STREAM s (ticker_symbol VARCHAR(4), sector VARCHAR(16), change REAL, price REAL,"
    " ts TIMESTAMP, n INTEGER) WITH (source = 'ticker', format = 'csv', column_delimiter = '|');\n"
    "CREATE STREAM t (ticker_symbol VARCHAR(4), price REAL, n BIGINT);\n"
    "CREATE STREAM \"DESTINATION_SQL_STREAM\" (ticker_symbol VARCHAR(4), avg_price DOUBLE,"
    " n BIGINT) WITH (sink = 'out', format = 'json');\n"
    "CREATE STREAM ref (ticker_symbol VARCHAR(4), name VARCHAR(64))"
    " WITH (reference = 'ref.csv', format = 'csv');\n"
    "CREATE FUNCTION twice(x INTEGER) RETURNS INTEGER RETURN x * 2;\n"
    "CREATE PUMP p AS INSERT INTO t SELECT STREAM ticker_symbol, price, CAST(n AS BIGINT)"
    " FROM s WHERE price > 0;\n";

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_plan: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void check_error(int rc, const eddy_err *e, const char *text, size_t size) {
    if (rc != EDDY_E_SYNTAX && rc != EDDY_E_SEMANTIC && rc != EDDY_E_UNSUPPORTED &&
        rc != EDDY_E_INVAL)
        fail("unexpected error code", e->msg);
    if (e->code != rc) fail("err->code differs from the returned code", e->msg);
    if (e->has_pos && (e->off > size || e->len > size - e->off))
        fail("error span outside the input", e->msg);
    char out[2048];
    eddy_err_render(e, text, size, out, sizeof out);
}

/* Plans the preamble into `cat`; a preamble that does not plan is a bug of
 * this harness or a planner regression, so it aborts. */
static void load_preamble(catalog *cat) {
    sbuf out;
    sbuf_init(&out);
    eddy_err e;
    eddy_err_clear(&e);
    if (planner_explain_script(cat, PREAMBLE, sizeof PREAMBLE - 1, &out, &e) != 0)
        fail("preamble does not plan", e.msg);
    sbuf_free(&out);
}

static void plan_sql(const char *text, size_t size) {
    catalog *cat = catalog_new();
    if (!cat) fail("out of memory", NULL);
    load_preamble(cat);
    arena a;
    arena_init(&a, 0);
    sql_script *s = NULL;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = sql_parse(text, size, &a, &s, &e);
    if (rc != 0) {
        check_error(rc, &e, text, size);
    } else {
        sbuf out;
        sbuf_init(&out);
        for (uint32_t i = 0; i < s->n_stmts; i++) {
            plan_result r;
            eddy_err_clear(&e);
            rc = planner_plan_stmt(cat, NULL, s->stmts[i], text, size, &a, &r, &e);
            if (rc != 0) {
                check_error(rc, &e, text, size);
                continue;
            }
            plan_explain_result(s->stmts[i], &r, &out);
            if (out.failed) fail("out of memory", NULL);
            out.len = 0; /* keep the buffer, drop the text: memory stays bounded */
        }
        sbuf_free(&out);
    }
    arena_free(&a);
    catalog_free(cat);
}

static void plan_kda(const char *text, size_t size) {
    catalog *cat = catalog_new();
    if (!cat) fail("out of memory", NULL);
    sbuf out;
    sbuf_init(&out);
    eddy_err e;
    eddy_err_clear(&e);
    char *code = NULL;
    int rc = planner_explain_kda(cat, text, size, &out, &code, &e);
    if (rc != 0) {
        /* A span points into the ApplicationCode, not into the JSON. */
        size_t n = code ? strlen(code) : 0;
        check_error(rc, &e, code ? code : "", n);
    }
    free(code);
    sbuf_free(&out);
    catalog_free(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > MAX_INPUT) return 0;
    const char *text = (const char *)data;
    plan_sql(text, size);
    size_t i = 0;
    while (i < size && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) i++;
    if (i < size && text[i] == '{') plan_kda(text, size);
    return 0;
}
