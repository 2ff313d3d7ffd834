/*
 * check_udf_logparse.c — unit tests of the log parsers (udf/fn_logparse.c,
 * udf/fn_logparse_w3c.c): the fields udf_row_fields() reports for each
 * function and its errors, and the evaluators, called the way the planner
 * plans them (one call per field, the field index as an extra last
 * argument) over batches of rows.
 *
 * Test vectors are the examples of the KDA SQL reference and developer
 * guide (REGEX_LOG_PARSE, FAST_REGEX_LOG_PARSER, W3C_LOG_PARSE 'COMMON',
 * VARIABLE_COLUMN_LOG_PARSE) and of SQLstream's FIXED_COLUMN_LOG_PARSE
 * page. The cache tests reuse one buffer for two batches, as the runtime's
 * batch arena does, and interleave two patterns.
 */
#include "check_main.h"

#include "eddy_time.h"
#include "udf.h"
#include "udf_fns.h"
#include "udf_rowfn.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static arena mem;

static void setup(void) {
    arena_init(&mem, 0);
    udf_registry *r = udf_registry_default();
    ck_assert_ptr_nonnull(r);
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_int_eq(udf_attach_builtins(r, &e), 0);
}

static void teardown(void) { arena_free(&mem); }

static const udf_func *by_specific(const char *spec) {
    const udf_func *f = udf_find_specific(udf_registry_default(), spec);
    if (!f) ck_abort_msg("no function %s", spec);
    return f;
}

/* A constant argument. */
static eddy_value S(const char *s) {
    eddy_value v = {.type = EDDY_T_VARCHAR};
    v.u.s.p = s;
    v.u.s.n = (uint32_t)strlen(s);
    return v;
}
static eddy_value I(int64_t x) {
    eddy_value v = {.type = EDDY_T_INTEGER};
    v.u.i = x;
    return v;
}
static eddy_value NUL(void) { return (eddy_value){.type = EDDY_T_NULL, .is_null = 1}; }

#define MAXROWS 1024

/* Evaluates field k of `spec` over rows[0..n) (NULL entries are NULL
 * inputs) with the constant arguments c[0..nc). out[i] receives the value
 * as text, "NULL", or "ERR@<row>: <message>". Returns the eval's result. */
static int eval_field(const char *spec, const eddy_value *c, int nc, const char *const *rows, size_t n, int k,
                      char out[][256]) {
    const udf_func *f = by_specific(spec);
    ck_assert_ptr_nonnull(f->eval);
    static eddy_value in[MAXROWS], cargs[UDF_MAX_ARGS][MAXROWS], idx[MAXROWS], res[MAXROWS];
    ck_assert_uint_le(n, MAXROWS);
    eddy_type types[UDF_MAX_ARGS + 1];
    const eddy_value *argv[UDF_MAX_ARGS + 1];
    types[0] = (eddy_type){EDDY_T_VARCHAR, 1024, 0};
    argv[0] = in;
    for (size_t i = 0; i < n; i++) {
        in[i] = rows[i] ? S(rows[i]) : NUL();
        idx[i] = I(k);
        for (int a = 0; a < nc; a++) cargs[a][i] = c[a];
    }
    for (int a = 0; a < nc; a++) {
        types[a + 1] = (eddy_type){c[a].type, 0, 0};
        argv[a + 1] = cargs[a];
    }
    types[nc + 1] = (eddy_type){EDDY_T_INTEGER, 0, 0};
    argv[nc + 1] = idx;
    udf_call call = {.fn = f, .n_args = nc + 2, .arg_types = types, .ret_type = {EDDY_T_VARCHAR, 1024, 0}};
    size_t bad = 99999;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = f->eval(&call, n, argv, res, &mem, &bad, &e);
    for (size_t i = 0; i < n; i++) {
        if (rc != 0) snprintf(out[i], 256, "ERR@%zu: %.200s", bad, e.msg);
        else if (res[i].is_null) snprintf(out[i], 256, "NULL");
        else {
            ck_assert_int_eq(res[i].type, EDDY_T_VARCHAR);
            snprintf(out[i], 256, "%.*s", (int)res[i].u.s.n, res[i].u.s.p);
        }
    }
    return rc;
}

/* Field k of one row. */
static char one_out[8][256];
static int one_next;
static const char *F1(const char *spec, const eddy_value *c, int nc, const char *row, int k) {
    char(*o)[256] = &one_out[one_next++ % 8];
    eval_field(spec, c, nc, &row, 1, k, o);
    return *o;
}
#define ARGS(...) ((eddy_value[]){__VA_ARGS__})
#define NA(...) (int)(sizeof((eddy_value[]){__VA_ARGS__}) / sizeof(eddy_value))
#define FLD(spec, row, k, ...) F1(spec, ARGS(__VA_ARGS__), NA(__VA_ARGS__), row, k)

/* The fields of a call; returns the error message or "" and renders the
 * fields as "NAME TYPE, ..." into desc. */
static char desc[1024];
static char ferr[512];
static int fbad;
static const char *fields_of(const char *spec, const eddy_value *const *a, int na) {
    udf_row_field *fl = NULL;
    uint32_t n = 0;
    eddy_err e;
    eddy_err_clear(&e);
    fbad = -7;
    desc[0] = ferr[0] = '\0';
    int rc = udf_row_fields(by_specific(spec), a, na, &mem, &fl, &n, &fbad, &e);
    if (rc != 0) {
        ck_assert_int_eq(rc, EDDY_E_SEMANTIC);
        snprintf(ferr, sizeof ferr, "%s", e.msg);
        return ferr;
    }
    ck_assert_uint_ge(n, 1);
    size_t o = 0;
    for (uint32_t k = 0; k < n; k++) {
        char tn[48];
        eddy_type_format(fl[k].type, tn, sizeof tn);
        o += (size_t)snprintf(desc + o, sizeof desc - o, "%s%s %s", k ? ", " : "", fl[k].name, tn);
    }
    return "";
}
#define CP(...) ((const eddy_value *[]){NULL, __VA_ARGS__})
#define NCP(...) (int)(1 + sizeof((const eddy_value *[]){__VA_ARGS__}) / sizeof(const eddy_value *))

/* ---- REGEX_LOG_PARSE ---------------------------------------------------- */

START_TEST(test_regex_doc_examples) {
    /* Developer guide, "Parsing Log Strings Based on Regular Expressions". */
    const char *line = "203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] \"GET /index.php HTTP/1.1\" 200 125 "
                       "\"-\" \"Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0\"";
    eddy_value pat = S("(\\w.+) (\\d.+) (\\w.+) (\\w.+)");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", line, 1, pat),
                     "203.0.113.24 - - [25/Mar/2018:15:25:37 -0700] \"GET /index.php HTTP/1.1\" 200");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", line, 2, pat), "125 \"-\" \"Mozilla/5.0 [en]");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", line, 3, pat), "Gecko/20100101");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", line, 4, pat), "Firefox/52.0\"");
    /* SQL reference examples over the stock ticker's sectors. */
    eddy_value sec = S(".*([E].).*([R].*)");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "HEALTHCARE", 1, sec), "EA");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "HEALTHCARE", 2, sec), "RE");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "ENERGY", 1, sec), "EN");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "ENERGY", 2, sec), "RGY");
    /* No match: every field NULL. */
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "TECHNOLOGY", 1, sec), "NULL");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "TECHNOLOGY", 2, sec), "NULL");
}
END_TEST

START_TEST(test_regex_semantics) {
    /* The whole string must match (Matcher.matches()), not a part of it. */
    eddy_value p = S("(\\d+)-(\\d+)");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "12-34", 1, p), "12");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "12-34", 2, p), "34");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "x12-34", 1, p), "NULL");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "12-34x", 2, p), "NULL");
    /* Greedy: the first group takes as much as it can. */
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "a,b,c", 1, S("(.*),(.*)")), "a,b");
    /* An optional group that takes no part is NULL; nested groups count. */
    eddy_value q = S("(a)(x)?((b)c)");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "abc", 2, q), "NULL");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "abc", 3, q), "bc");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "abc", 4, q), "b");
    /* Non-capturing groups and alternation at the top. */
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "k=v", 1, S("(?:key|k)=(v)|(w)")), "v");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "k=v", 2, S("(?:key|k)=(v)|(w)")), "NULL");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "w", 2, S("(?:key|k)=(v)|(w)")), "w");
    /* Anchors written in the pattern. */
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "ab", 1, S("^a(b)$")), "b");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "abc", 1, S("\\Aab(c)\\z")), "c");
    /* More than nine groups. */
    eddy_value many = S("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "abcdefghijk", 11, many), "k");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "abcdefghijk", 10, many), "j");
    /* A non-ASCII escape adds a POSIX group the numbering must skip. */
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "caf\xc3\xa9 bar", 1, S("caf\\u00e9 (\\w+)")), "bar");
    /* The optional columns name and type the groups. */
    eddy_value cols = S("NUM INTEGER, \"Name\" VARCHAR(10)");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", " 42 -bob", 1, S("(.*)-(\\w+)"), cols), "42");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", " 42 -bob", 2, S("(.*)-(\\w+)"), cols), "bob");
}
END_TEST

/* ---- FAST_REGEX_LOG_PARSE ------------------------------------------------- */

START_TEST(test_fast_regex_doc_examples) {
    const char *mary = "Mary_had_a_little_lamb";
    /* Example A: the lazy first part takes "Mary", and "._" cannot follow
     * "_had", with no backtracking: no fields. */
    eddy_value a = S("(.*)_+(._.*)");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", mary, 1, a), "NULL");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", mary, 2, a), "NULL");
    /* ... where REGEX_LOG_PARSE backtracks and matches. */
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", mary, 1, a), "Mary_had");
    /* Example B: "_+" takes all the underscores. */
    eddy_value b = S("(.*)_+(.*)");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "Mary____had_a_little_lamb", 1, b), "Mary");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "Mary____had_a_little_lamb", 2, b), "had_a_little_lamb");
    /* The reference's own name for it. */
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSER", "Mary____had_a_little_lamb", 2, b), "had_a_little_lamb");
    /* Example C, with a named class. */
    eddy_value c = S("(.*)_+(<Alpha>.*)");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "Mary____had_a_little_lamb", 1, c), "Mary");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "Mary____had_a_little_lamb", 2, c), "had_a_little_lamb");
    /* The first example: the reference prints 'a_little_lamb' for COLUMN2,
     * but "_.*" must still match after the group; its own walk-through
     * gives 'a_little'. Without the final '*' nothing matches. */
    eddy_value d = S("(.*)_(._.*)_.*");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", mary, 1, d), "Mary_had");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", mary, 2, d), "a_little");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", mary, 1, S("(.*)_(._.*)_.")), "NULL");
}
END_TEST

START_TEST(test_fast_regex_more) {
    /* Lazy: the first group stops at the first delimiter (REGEX_LOG_PARSE
     * would stop at the last). */
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "a b c", 1, S("(.*) (.*)")), "a");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "a b c", 2, S("(.*) (.*)")), "b c");
    ck_assert_str_eq(FLD("REGEX_LOG_PARSE", "a b c", 1, S("(.*) (.*)")), "a b");
    /* A common-log line. */
    const char *line = "192.168.254.30 - John [24/May/2004:22:01:02 -0700] \"GET /a.gif HTTP/1.1\" 304 0";
    eddy_value w = S("([^ ]*) ([^ ]*) ([^ ]*) \\[(.*)\\] \"(.*)\" (\\d+) (\\d+|-)");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", line, 1, w), "192.168.254.30");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", line, 3, w), "John");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", line, 4, w), "24/May/2004:22:01:02 -0700");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", line, 5, w), "GET /a.gif HTTP/1.1");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", line, 6, w), "304");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", line, 7, w), "0");
    /* Fixed text at both ends, an anchored pattern, nested groups. */
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "id=17;", 1, S("^id=(\\d+);$")), "17");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "k:ab-cd", 2, S("k:((\\w+)-\\w+)")), "ab");
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "k:ab-cd", 1, S("k:((\\w+)-\\w+)")), "ab-cd");
    /* Every character must be accounted for. */
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "id=17;x", 1, S("id=(\\d+);")), "NULL");
    /* A top-level alternation is matched whole. */
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "b2", 2, S("a(1)|b(2)")), "2");
    /* An empty group. */
    ck_assert_str_eq(FLD("FAST_REGEX_LOG_PARSE", "xy", 1, S("x()y")), "");
}
END_TEST

/* ---- W3C_LOG_PARSE -------------------------------------------------------- */

START_TEST(test_w3c_common_doc) {
    /* SQL reference, W3C_LOG_PARSE Example 1 (the output keeps %t's
     * brackets and drops the quotes around %r). */
    const char *rows[] = {
        "192.168.254.30 - John [24/May/2004:22:01:02 -0700] \"GET /icons/apache_pb.gif HTTP/1.1\" 304 0",
        "192.168.254.30 - Jane [24/May/2004:22:01:02 -0700] \"GET /icons/small/dir.gif HTTP/1.1\" 304 0",
    };
    const char *want[2][7] = {
        {"192.168.254.30", "-", "John", "[24/May/2004:22:01:02 -0700]", "GET /icons/apache_pb.gif HTTP/1.1", "304",
         "0"},
        {"192.168.254.30", "-", "Jane", "[24/May/2004:22:01:02 -0700]", "GET /icons/small/dir.gif HTTP/1.1", "304",
         "0"},
    };
    eddy_value fmt = S("COMMON");
    char out[2][256];
    for (int k = 1; k <= 7; k++) {
        ck_assert_int_eq(eval_field("W3C_LOG_PARSE", &fmt, 1, rows, 2, k, out), 0);
        ck_assert_str_eq(out[0], want[0][k - 1]);
        ck_assert_str_eq(out[1], want[1][k - 1]);
    }
    /* The same with the specifiers written out, with the reference's \"
     * escapes; and [%t] takes the brackets out of the field. */
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", rows[0], 5, S("%h %l %u %t \\\"%r\\\" %>s %b")),
                     "GET /icons/apache_pb.gif HTTP/1.1");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", rows[0], 4, S("%h %l %u [%t] \"%r\" %>s %b")),
                     "24/May/2004:22:01:02 -0700");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", rows[0], 6, S("%h %l %u [%t] \"%r\" %>s %b")), "304");
}
END_TEST

START_TEST(test_w3c_formats) {
    const char *comb = "10.0.0.1 - - [25/Mar/2018:15:25:37 -0700] \"GET /index.php?q=\\\"x\\\" HTTP/1.1\" 200 125 "
                       "\"http://a.example/\" \"Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0\"";
    eddy_value ncsa = S("ncsa  extended");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", comb, 5, ncsa), "GET /index.php?q=\\\"x\\\" HTTP/1.1");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", comb, 7, ncsa), "125");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", comb, 8, ncsa), "http://a.example/");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", comb, 9, ncsa), "Mozilla/5.0 [en] Gecko/20100101 Firefox/52.0");
    /* COMMON reads a combined line too: its last field is one token. */
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", comb, 7, S("COMMON")), "125");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", "www.example.com 10.0.0.1 - bob [01/Jan/2020:00:00:00 +0000] \"GET / HTTP/1.0\" 200 -",
                         1, S("COMMON WITH VHOST")),
                     "www.example.com");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", "http://ref.example/x ---> /index.html", 2, S("REFERER")), "/index.html");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", "Mozilla/4.08 [en] (Win98; I ;Nav)", 1, S("AGENT")),
                     "Mozilla/4.08 [en] (Win98; I ;Nav)");
    const char *iis = "192.168.114.201, -, 03/20/98, 7:55:20, W3SVC2, SALES1, 172.21.13.45, 4502, 163, 3223, 200, 0, "
                      "GET, /DeptLogo.gif, -,";
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", iis, 3, S("IIS")), "03/20/98");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", iis, 14, S("IIS")), "/DeptLogo.gif");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", iis, 15, S("IIS")), "-");
    /* An unbracketed CLF time keeps its inner space. */
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", "h 24/May/2004:22:01:02 -0700 x", 2, S("%h %t %u")),
                     "24/May/2004:22:01:02 -0700");
    /* A line that does not fit the format: every field NULL. A trailing
     * newline goes. */
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", "1.2.3.4 - -", 1, S("COMMON")), "NULL");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", "1.2.3.4 - -", 4, S("COMMON")), "NULL");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", "not a web log line", 1, S("COMMON")), "NULL");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", "", 1, S("COMMON")), "NULL");
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", "a - b [t] \"r\" 1 2\r\n", 7, S("COMMON")), "2");
    /* Conditions and %% in a custom format. */
    ck_assert_str_eq(FLD("W3C_LOG_PARSE", "50% ok", 2, S("%!200,304D%% %{X}i")), "ok");
}
END_TEST

/* ---- VARIABLE_COLUMN_LOG_PARSE -------------------------------------------- */

START_TEST(test_variable_doc) {
    /* Developer guide, "Splitting Strings into Multiple Fields". */
    eddy_value spec = S("COL_1 TYPE VARCHAR(16), COL_2 TYPE VARCHAR(16), COL_3 TYPE VARCHAR(16)");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "x,y,z", 1, spec, S(",")), "x");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "x,y,z", 2, spec, S(",")), "y");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "x,y,z", 3, spec, S(",")), "z");
    /* SQL reference: an escape keeps the delimiter in the field. */
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "a\\,b,c", 1, I(2), S(","), S("\\")), "a,b");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "a\\,b,c", 2, I(2), S(","), S("\\")), "c");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "a,b", 1, I(2), S(",")), "a");
    /* SQLstream's example: a quoted field holds delimiters. */
    const char *addr = "John Doe,\"514 West Bay, Newport Beach, CA, 92661-1122\",$32.16";
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", addr, 2, I(3), S(","), S(""), S("\"")),
                     "514 West Bay, Newport Beach, CA, 92661-1122");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", addr, 3, I(3), S(","), S(""), S("\"")), "$32.16");
    /* Two quote characters; a doubled closing quote stands for itself. */
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "[a|b]|c", 1, I(2), S("|"), S(""), S("[]")), "a|b");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "'it''s',x", 1, I(2), S(","), S(""), S("'")), "it's");
}
END_TEST

START_TEST(test_variable_more) {
    /* A delimiter of several characters; tabs. */
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "a||b||c", 2, I(3), S("||")), "b");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "a\tb", 2, I(2), S("\t")), "b");
    /* Missing fields are NULL; an empty field is ''; extra fields are ignored. */
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "a,b", 3, I(3), S(",")), "NULL");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "a,,c", 2, I(3), S(",")), "");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "a,b,", 3, I(3), S(",")), "");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "a,b,c,d", 2, I(2), S(",")), "b");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", "", 1, I(2), S(",")), "NULL");
    /* Typed columns: numbers are trimmed, an empty number is NULL, a
     * formatted timestamp comes back in canonical form. */
    eddy_value spec = S("n INTEGER, t TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss', s VARCHAR(4)");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", " 7 ;24/May/2004:22:01:02; x ", 1, spec, S(";")), "7");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", " 7 ;24/May/2004:22:01:02; x ", 2, spec, S(";")),
                     "2004-05-24 22:01:02.000");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", " 7 ;24/May/2004:22:01:02; x ", 3, spec, S(";")), " x ");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", " ;junk;x", 1, spec, S(";")), "NULL");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", " ;junk;x", 2, spec, S(";")), "NULL");
}
END_TEST

/* ---- FIXED_COLUMN_LOG_PARSE and SYS_LOG_PARSE ------------------------------ */

START_TEST(test_fixed) {
    /* SQLstream's examples. */
    eddy_value s1 = S("a TYPE Integer START 0 FOR 3, b TYPE boolean START 4");
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", "  1   true", 1, s1), "1");
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", "  1   true", 2, s1), "true");
    eddy_value s2 = S("a TYPE Integer START 0 FOR 3, b TYPE boolean START 4 FOR 6, c TYPE numeric(5,2) START 10");
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", "  1   true 423.345 ", 3, s2), "423.345");
    /* A TIMESTAMP, a DATE and a TIME with formats (the KDA reference's
     * example format), text kept as is, a field past the end. */
    eddy_value s3 = S("\"ts\" TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss' START 0 FOR 20, "
                      "d DATE 'yyyyMMdd' START 21 FOR 8, tm TIME 'HHmm' START 30 FOR 4, "
                      "code TYPE INTEGER NOT NULL START 35 FOR 3, msg TYPE VARCHAR(20) START 39, "
                      "gone TYPE VARCHAR(5) START 200");
    const char *line = "24/May/2004:22:01:02 20040525 0930 200 hello world";
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", line, 1, s3), "2004-05-24 22:01:02.000");
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", line, 2, s3), "2004-05-25");
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", line, 3, s3), "09:30:00.000");
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", line, 4, s3), "200");
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", line, 5, s3), "hello world");
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", line, 6, s3), "NULL");
    /* A date that does not parse is NULL; a NOT NULL column without a
     * value is a row error. */
    const char *bad = "31/Foo/2004:22:01:02 20040525 0930 200 x";
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", bad, 1, s3), "NULL");
    const char *nocode = "24/May/2004:22:01:02 20040525 0930";
    const char *r = FLD("FIXED_COLUMN_LOG_PARSE", nocode, 1, s3);
    ck_assert_msg(strstr(r, "ERR@0: ") && strstr(r, "NOT NULL column CODE"), "%s", r);
    /* Positions count characters, not bytes. */
    ck_assert_str_eq(FLD("FIXED_COLUMN_LOG_PARSE", "\xc3\xa9t\xc3\xa9 ok", 1, S("w START 4 FOR 2")), "ok");
}
END_TEST

START_TEST(test_syslog) {
    const char *line = "Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8";
    ck_assert_str_eq(FLD("SYS_LOG_PARSE", line, 1, ), "1970-10-11 22:14:15");
    ck_assert_str_eq(FLD("SYS_LOG_PARSE", line, 2, ), "mymachine su: 'su root' failed for lonvick on /dev/pts/8");
    /* A one-digit day padded with a space, and RFC 3164's <PRI>. */
    ck_assert_str_eq(FLD("SYS_LOG_PARSE", "<34>Feb  5 01:02:03 host msg", 1, ), "1970-02-05 01:02:03");
    ck_assert_str_eq(FLD("SYS_LOG_PARSE", "<34>Feb  5 01:02:03 host msg", 2, ), "host msg");
    /* Not a syslog line, or a day 1970 does not have: NULL. */
    ck_assert_str_eq(FLD("SYS_LOG_PARSE", "hello world", 1, ), "NULL");
    ck_assert_str_eq(FLD("SYS_LOG_PARSE", "hello world", 2, ), "NULL");
    ck_assert_str_eq(FLD("SYS_LOG_PARSE", "Feb 29 00:00:00 h m", 1, ), "NULL");
}
END_TEST

/* ---- NULLs, batches and caches --------------------------------------------- */

START_TEST(test_null_input) {
    const char *rows[] = {NULL, "a,b", NULL, NULL, "c,d", NULL};
    char out[6][256];
    eddy_value c[] = {I(2), S(",")};
    ck_assert_int_eq(eval_field("VARIABLE_COLUMN_LOG_PARSE", c, 2, rows, 6, 2, out), 0);
    ck_assert_str_eq(out[0], "NULL");
    ck_assert_str_eq(out[1], "b");
    ck_assert_str_eq(out[2], "NULL");
    ck_assert_str_eq(out[4], "d");
    ck_assert_str_eq(out[5], "NULL");
    /* A NULL constant argument gives NULL too. */
    eddy_value cn[] = {S("COMMON")};
    cn[0] = NUL();
    ck_assert_int_eq(eval_field("W3C_LOG_PARSE", cn, 1, rows, 6, 1, out), 0);
    ck_assert_str_eq(out[1], "NULL");
}
END_TEST

START_TEST(test_unterminated_input) {
    /* Rows in heap blocks of exactly their length, with no NUL after them:
     * AddressSanitizer catches any parser reading past a value. */
    static const char *lines[] = {
        "192.168.254.30 - John [24/May/2004:22:01:02 -0700] \"GET /a.gif HTTP/1.1\" 304 0",
        "Oct 11 22:14:15 host message",
        "a,\"b,c\",d\\",
        "  1   true",
        "",
        "x",
        "\"unclosed",
        "a\\",
    };
    enum { N = sizeof lines / sizeof lines[0] };
    char *heap[N];
    const char *rows[N];
    for (int i = 0; i < N; i++) {
        size_t n = strlen(lines[i]);
        heap[i] = malloc(n ? n : 1);
        memcpy(heap[i], lines[i], n);
        rows[i] = heap[i];
    }
    /* eval_field measures rows with strlen, so give it lengths itself. */
    static const struct {
        const char *spec;
        eddy_value c[4];
        int nc, nf;
    } calls[] = {
        {"W3C_LOG_PARSE", {{.type = EDDY_T_VARCHAR, .u.s = {"COMMON", 6}}}, 1, 7},
        {"SYS_LOG_PARSE", {{0}}, 0, 2},
        {"VARIABLE_COLUMN_LOG_PARSE",
         {{.type = EDDY_T_INTEGER, .u.i = 3}, {.type = EDDY_T_VARCHAR, .u.s = {",", 1}},
          {.type = EDDY_T_VARCHAR, .u.s = {"\\", 1}}, {.type = EDDY_T_VARCHAR, .u.s = {"\"", 1}}},
         4, 3},
        {"FIXED_COLUMN_LOG_PARSE", {{.type = EDDY_T_VARCHAR, .u.s = {"a INTEGER START 0 FOR 3, b START 4", 34}}}, 1, 2},
        {"REGEX_LOG_PARSE", {{.type = EDDY_T_VARCHAR, .u.s = {"(.*) (\\d+)", 10}}}, 1, 2},
        {"FAST_REGEX_LOG_PARSE", {{.type = EDDY_T_VARCHAR, .u.s = {"(.*) (\\d+)", 10}}}, 1, 2},
    };
    for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
        const udf_func *f = by_specific(calls[c].spec);
        for (int k = 1; k <= calls[c].nf; k++) {
            eddy_value in[N], a[4][N], res[N];
            const eddy_value *argv[6];
            eddy_type types[6] = {{EDDY_T_VARCHAR, 0, 0}};
            argv[0] = in;
            int nc = calls[c].nc;
            for (int i = 0; i < N; i++) {
                in[i] = S(lines[i]);
                in[i].u.s.p = rows[i];
                for (int j = 0; j < nc; j++) a[j][i] = calls[c].c[j];
            }
            for (int j = 0; j < nc; j++) {
                argv[j + 1] = a[j];
                types[j + 1] = (eddy_type){a[j][0].type, 0, 0};
            }
            eddy_value idx[N];
            for (int i = 0; i < N; i++) idx[i] = I(k);
            argv[nc + 1] = idx;
            types[nc + 1] = (eddy_type){EDDY_T_INTEGER, 0, 0};
            udf_call call = {.fn = f, .n_args = nc + 2, .arg_types = types, .ret_type = {EDDY_T_VARCHAR, 1024, 0}};
            size_t bad;
            eddy_err e;
            eddy_err_clear(&e);
            ck_assert_msg(f->eval(&call, N, argv, res, &mem, &bad, &e) == 0, "%s: %s", calls[c].spec, e.msg);
            for (int i = 0; i < N; i++)
                if (!res[i].is_null) {
                    volatile char sink = 0;
                    for (uint32_t q = 0; q < res[i].u.s.n; q++) sink ^= res[i].u.s.p[q];
                    (void)sink;
                }
        }
    }
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", lines[2], 2, I(3), S(","), S("\\"), S("\"")), "b,c");
    ck_assert_str_eq(FLD("VARIABLE_COLUMN_LOG_PARSE", lines[2], 3, I(3), S(","), S("\\"), S("\"")), "d\\");
    for (int i = 0; i < N; i++) free(heap[i]);
}
END_TEST

START_TEST(test_cache_same_addresses) {
    /* Two batches in the same buffers, as the batch arena reuses memory:
     * the second must not be served the first one's parse. */
    static char buf[4][64];
    const char *rows[4] = {buf[0], buf[1], buf[2], buf[3]};
    char out[4][256];
    eddy_value c[] = {S("(\\w+)=(\\w+)")};
    for (int k = 0; k < 4; k++) snprintf(buf[k], sizeof buf[k], "key%d=val%d", k, k);
    ck_assert_int_eq(eval_field("REGEX_LOG_PARSE", c, 1, rows, 4, 1, out), 0);
    ck_assert_str_eq(out[3], "key3");
    ck_assert_int_eq(eval_field("REGEX_LOG_PARSE", c, 1, rows, 4, 2, out), 0);
    ck_assert_str_eq(out[3], "val3");
    for (int k = 0; k < 4; k++) snprintf(buf[k], sizeof buf[k], "new%d=xyz%d", k, k);
    ck_assert_int_eq(eval_field("REGEX_LOG_PARSE", c, 1, rows, 4, 2, out), 0);
    ck_assert_str_eq(out[0], "xyz0");
    ck_assert_str_eq(out[3], "xyz3");
    /* Same length, one byte different. */
    buf[2][0] = 'N';
    ck_assert_int_eq(eval_field("REGEX_LOG_PARSE", c, 1, rows, 4, 1, out), 0);
    ck_assert_str_eq(out[2], "New2");
    ck_assert_str_eq(out[1], "new1");
}
END_TEST

START_TEST(test_cache_interleaved) {
    /* Fields of two patterns over the same batch, in turn; then a
     * derived-text parser in between. */
    const char *rows[] = {"a-1", "b-2", "c-3"};
    char o1[3][256], o2[3][256];
    eddy_value p1[] = {S("(\\w)-(\\d)")}, p2[] = {S("(\\w)(-)(\\d)")}, v[] = {I(2), S("-"), S("\\")};
    for (int round = 0; round < 2; round++) {
        ck_assert_int_eq(eval_field("REGEX_LOG_PARSE", p1, 1, rows, 3, 1, o1), 0);
        ck_assert_int_eq(eval_field("REGEX_LOG_PARSE", p2, 1, rows, 3, 3, o2), 0);
        ck_assert_str_eq(o1[1], "b");
        ck_assert_str_eq(o2[1], "2");
        ck_assert_int_eq(eval_field("REGEX_LOG_PARSE", p1, 1, rows, 3, 2, o1), 0);
        ck_assert_int_eq(eval_field("VARIABLE_COLUMN_LOG_PARSE", v, 3, rows, 3, 2, o2), 0);
        ck_assert_str_eq(o1[2], "3");
        ck_assert_str_eq(o2[2], "3");
        ck_assert_int_eq(eval_field("REGEX_LOG_PARSE", p2, 1, rows, 3, 2, o2), 0);
        ck_assert_str_eq(o2[0], "-");
    }
    /* Many distinct patterns: more than the parser cache holds. */
    for (int k = 0; k < 40; k++) {
        char pat[32];
        snprintf(pat, sizeof pat, "(\\w)-(\\d{%d})", 1 + k % 3);
        eddy_value pk[] = {S(pat)};
        ck_assert_int_eq(eval_field("REGEX_LOG_PARSE", pk, 1, rows, 3, 2, o1), 0);
        ck_assert_str_eq(o1[0], k % 3 == 0 ? "1" : "NULL");
    }
}
END_TEST

START_TEST(test_large_batches) {
    /* Full batches with NULLs sprinkled in (the runtime hands strict
     * functions the runs between NULLs), checked field by field. */
    static char text[MAXROWS][96];
    static const char *rows[MAXROWS];
    static char out[MAXROWS][256];
    eddy_value fmt = S("COMMON");
    for (int batch = 0; batch < 3; batch++) {
        for (int i = 0; i < MAXROWS; i++) {
            snprintf(text[i], sizeof text[i], "10.0.%d.%d - u%d [01/Jan/2020:00:00:%02d +0000] \"GET /p%d HTTP/1.1\" %d %d",
                     batch, i % 256, i, i % 60, i, 200 + batch, i * 10);
            rows[i] = (i % 97 == 5) ? NULL : text[i];
        }
        for (int k = 1; k <= 7; k++) {
            ck_assert_int_eq(eval_field("W3C_LOG_PARSE", &fmt, 1, rows, MAXROWS, k, out), 0);
            for (int i = 0; i < MAXROWS; i++) {
                char want[64];
                if (!rows[i]) snprintf(want, sizeof want, "NULL");
                else if (k == 3) snprintf(want, sizeof want, "u%d", i);
                else if (k == 5) snprintf(want, sizeof want, "GET /p%d HTTP/1.1", i);
                else if (k == 6) snprintf(want, sizeof want, "%d", 200 + batch);
                else if (k == 7) snprintf(want, sizeof want, "%d", i * 10);
                else continue;
                ck_assert_str_eq(out[i], want);
            }
        }
    }
}
END_TEST

static void *thread_body(void *arg) {
    (void)arg;
    arena a;
    arena_init(&a, 0);
    const udf_func *f = by_specific("VARIABLE_COLUMN_LOG_PARSE");
    eddy_value in[2], c1[2], c2[2], idx[2], res[2];
    const eddy_value *argv[4] = {in, c1, c2, idx};
    eddy_type types[4] = {{EDDY_T_VARCHAR, 0, 0}, {EDDY_T_INTEGER, 0, 0}, {EDDY_T_VARCHAR, 0, 0}, {EDDY_T_INTEGER, 0, 0}};
    udf_call call = {.fn = f, .n_args = 4, .arg_types = types, .ret_type = {EDDY_T_VARCHAR, 1024, 0}};
    void *fail = NULL;
    for (int it = 0; it < 2000 && !fail; it++) {
        char l0[32], l1[32];
        snprintf(l0, sizeof l0, "%d;x%d", it, it);
        snprintf(l1, sizeof l1, "y;%d", it);
        in[0] = S(l0);
        in[1] = S(l1);
        for (int r = 0; r < 2; r++) c1[r] = I(2), c2[r] = S(";"), idx[r] = I(1 + it % 2);
        size_t bad;
        eddy_err e;
        if (f->eval(&call, 2, argv, res, &a, &bad, &e) != 0) fail = (void *)1;
        char want[32];
        snprintf(want, sizeof want, it % 2 ? "x%d" : "%d", it);
        if (res[0].u.s.n != strlen(want) || memcmp(res[0].u.s.p, want, res[0].u.s.n) != 0) fail = (void *)2;
        arena_reset(&a);
    }
    arena_free(&a);
    return fail;
}

START_TEST(test_threads) {
    pthread_t th[3];
    for (int k = 0; k < 3; k++) ck_assert_int_eq(pthread_create(&th[k], NULL, thread_body, NULL), 0);
    for (int k = 0; k < 3; k++) {
        void *rv = (void *)9;
        ck_assert_int_eq(pthread_join(th[k], &rv), 0);
        ck_assert_ptr_null(rv);
    }
}
END_TEST

/* ---- udf_row_fields --------------------------------------------------------- */

START_TEST(test_row_fields) {
    eddy_value pat = S("(\\w+) (\\d+)"), cols = S("word, \"Num\" TYPE INTEGER NOT NULL");
    ck_assert_str_eq(fields_of("REGEX_LOG_PARSE", CP(&pat), NCP(&pat)), "");
    ck_assert_str_eq(desc, "COLUMN1 VARCHAR(1024), COLUMN2 VARCHAR(1024)");
    ck_assert_str_eq(fields_of("REGEX_LOG_PARSE", CP(&pat, &cols), NCP(&pat, &cols)), "");
    ck_assert_str_eq(desc, "WORD VARCHAR(1024), Num INTEGER");
    ck_assert_str_eq(fields_of("FAST_REGEX_LOG_PARSE", CP(&pat), NCP(&pat)), "");
    ck_assert_str_eq(desc, "COLUMN1 VARCHAR(1024), COLUMN2 VARCHAR(1024)");
    ck_assert_str_eq(fields_of("SYS_LOG_PARSE", CP(NULL), 1), "");
    ck_assert_str_eq(desc, "COLUMN1 TIMESTAMP, COLUMN2 VARCHAR(1024)");
    eddy_value w = S("COMMON");
    ck_assert_str_eq(fields_of("W3C_LOG_PARSE", CP(&w), NCP(&w)), "");
    ck_assert_str_eq(desc, "COLUMN1 VARCHAR(1024), COLUMN2 VARCHAR(1024), COLUMN3 VARCHAR(1024), COLUMN4 "
                           "VARCHAR(1024), COLUMN5 VARCHAR(1024), COLUMN6 VARCHAR(1024), COLUMN7 VARCHAR(1024)");
    eddy_value ncsa = S("NCSA EXTENDED");
    ck_assert_str_eq(fields_of("W3C_LOG_PARSE", CP(&ncsa), NCP(&ncsa)), "");
    ck_assert_ptr_nonnull(strstr(desc, "COLUMN9 VARCHAR(1024)"));
    eddy_value three = I(3), comma = S(",");
    ck_assert_str_eq(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&three, &comma), NCP(&three, &comma)), "");
    ck_assert_str_eq(desc, "COLUMN1 VARCHAR(1024), COLUMN2 VARCHAR(1024), COLUMN3 VARCHAR(1024)");
    /* A non-constant delimiter is fine: it does not decide the fields. */
    eddy_value vspec = S("COL_1 TYPE VARCHAR(40), col_2 TYPE INTEGER, c3 TYPE DECIMAL(8,2), c4 DOUBLE PRECISION, "
                         "c5 CHAR, c6 TYPE CHARACTER VARYING(7), c7 TYPE TIMESTAMP 'yyyy', c8 bigint, c9 smallint, "
                         "c10 tinyint, c11 real, c12 float, c13 boolean, c14 date, c15 time, c16 int");
    ck_assert_str_eq(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&vspec, NULL), 3), "");
    ck_assert_str_eq(desc, "COL_1 VARCHAR(40), COL_2 INTEGER, C3 DECIMAL(8,2), C4 DOUBLE, C5 CHAR(1), C6 VARCHAR(7), "
                           "C7 TIMESTAMP, C8 BIGINT, C9 SMALLINT, C10 TINYINT, C11 REAL, C12 DOUBLE, C13 BOOLEAN, "
                           "C14 DATE, C15 TIME, C16 INTEGER");
    eddy_value fspec = S("\"ts\" TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss' START 0 FOR 20, code TYPE INTEGER START 21");
    ck_assert_str_eq(fields_of("FIXED_COLUMN_LOG_PARSE", CP(&fspec), NCP(&fspec)), "");
    ck_assert_str_eq(desc, "ts TIMESTAMP, CODE INTEGER");
}
END_TEST

START_TEST(test_row_fields_errors) {
    /* Arguments that decide the fields must be constants. */
    ck_assert_str_eq(fields_of("REGEX_LOG_PARSE", CP(NULL), 2), "the pattern of REGEX_LOG_PARSE must be a constant");
    ck_assert_int_eq(fbad, 1);
    ck_assert_str_eq(fields_of("FAST_REGEX_LOG_PARSE", CP(NULL), 2),
                     "the pattern of FAST_REGEX_LOG_PARSE must be a constant");
    ck_assert_str_eq(fields_of("W3C_LOG_PARSE", CP(NULL), 2), "the format of W3C_LOG_PARSE must be a constant");
    ck_assert_str_eq(fields_of("FIXED_COLUMN_LOG_PARSE", CP(NULL), 2),
                     "the column spec of FIXED_COLUMN_LOG_PARSE must be a constant");
    eddy_value comma = S(","), nul = NUL(), num = I(5);
    ck_assert_str_eq(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(NULL, &comma), 3),
                     "the columns of VARIABLE_COLUMN_LOG_PARSE must be a constant");
    ck_assert_int_eq(fbad, 1);
    ck_assert_str_eq(fields_of("REGEX_LOG_PARSE", CP(&nul), 2), "the pattern of REGEX_LOG_PARSE must not be NULL");
    ck_assert_str_eq(fields_of("REGEX_LOG_PARSE", CP(&num), 2), "the pattern of REGEX_LOG_PARSE must be a string");
    /* Patterns. */
    eddy_value nogroup = S("\\d+ \\w+"), lazy = S("(a+?)"), unclosed = S("(a"), pat = S("(a)(b)");
    ck_assert_str_eq(fields_of("REGEX_LOG_PARSE", CP(&nogroup), 2), "the pattern of REGEX_LOG_PARSE has no capture group");
    ck_assert_int_eq(fbad, 1);
    ck_assert_str_eq(fields_of("REGEX_LOG_PARSE", CP(&lazy), 2),
                     "the pattern of REGEX_LOG_PARSE: unsupported regular expression: lazy quantifier");
    ck_assert_msg(strstr(fields_of("REGEX_LOG_PARSE", CP(&unclosed), 2), "the pattern of REGEX_LOG_PARSE is invalid"),
                  "%s", ferr);
    eddy_value toomany = S("a, b, c");
    ck_assert_str_eq(fields_of("REGEX_LOG_PARSE", CP(&pat, &toomany), 3),
                     "the columns of REGEX_LOG_PARSE name 3 fields but the pattern has 2 capture groups");
    ck_assert_int_eq(fbad, 2);
    eddy_value backref = S("(a)\\1");
    ck_assert_str_eq(fields_of("FAST_REGEX_LOG_PARSE", CP(&backref), 2),
                     "the pattern of FAST_REGEX_LOG_PARSE: back-references are not supported");
    /* Column specs. */
    eddy_value s1 = S("COL_1 TYPE VARCHAR(40), COL_2 TYPE VARCHR(40)");
    ck_assert_str_eq(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&s1, &comma), 3),
                     "column spec of VARIABLE_COLUMN_LOG_PARSE: unknown type 'VARCHR' at 'COL_2 TYPE VARCH...'");
    ck_assert_int_eq(fbad, 1);
    eddy_value s2 = S("a TYPE INTEGER FOR 3");
    ck_assert_str_eq(fields_of("FIXED_COLUMN_LOG_PARSE", CP(&s2), 2),
                     "column spec of FIXED_COLUMN_LOG_PARSE: expected START at 'a TYPE INTEGER F...'");
    eddy_value s3 = S("a INTEGER START 0, A VARCHAR(3) START 2");
    ck_assert_str_eq(fields_of("FIXED_COLUMN_LOG_PARSE", CP(&s3), 2),
                     "column spec of FIXED_COLUMN_LOG_PARSE: duplicate column name \"A\" at 'A VARCHAR(3) STA...'");
    eddy_value s4 = S("a INTEGER 'yyyy'");
    ck_assert_str_eq(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&s4, &comma), 3),
                     "column spec of VARIABLE_COLUMN_LOG_PARSE: a date format is only allowed for DATE, TIME and "
                     "TIMESTAMP at 'a INTEGER 'yyyy''");
    eddy_value s5 = S("a VARBINARY(3)"), s6 = S("a DECIMAL(30,2)"), s7 = S("a INTEGER START 1"), s8 = S("");
    ck_assert_msg(strstr(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&s5, &comma), 3), "binary type"), "%s", ferr);
    ck_assert_msg(strstr(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&s6, &comma), 3), "DECIMAL(30,2) is out of range"),
                  "%s", ferr);
    ck_assert_msg(strstr(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&s7, &comma), 3),
                         "START is only allowed in FIXED_COLUMN_LOG_PARSE"),
                  "%s", ferr);
    ck_assert_str_eq(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&s8, &comma), 3),
                     "column spec of VARIABLE_COLUMN_LOG_PARSE: no columns at the end");
    /* VARIABLE_COLUMN_LOG_PARSE's other arguments. */
    eddy_value zero = I(0), empty = S(""), three = I(3), q3 = S("abc"), e2 = S("\\\\");
    ck_assert_str_eq(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&zero, &comma), 3),
                     "the column count of VARIABLE_COLUMN_LOG_PARSE must be between 1 and 1024");
    ck_assert_str_eq(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&three, &empty), 3),
                     "the delimiter of VARIABLE_COLUMN_LOG_PARSE must be a non-empty string");
    ck_assert_int_eq(fbad, 2);
    ck_assert_str_eq(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&three, &comma, &e2), 4),
                     "the escape of VARIABLE_COLUMN_LOG_PARSE must be one ASCII character");
    ck_assert_int_eq(fbad, 3);
    ck_assert_str_eq(fields_of("VARIABLE_COLUMN_LOG_PARSE", CP(&three, &comma, &empty, &q3), 5),
                     "the quote string of VARIABLE_COLUMN_LOG_PARSE must be one or two ASCII characters");
    ck_assert_int_eq(fbad, 4);
    /* W3C formats. */
    eddy_value f1 = S("%h %Z"), f2 = S("%h%l"), f3 = S("no fields"), f4 = S("%{Referer i");
    ck_assert_str_eq(fields_of("W3C_LOG_PARSE", CP(&f1), 2), "W3C_LOG_PARSE: unknown format specifier '%Z'");
    ck_assert_int_eq(fbad, 1);
    ck_assert_msg(strstr(fields_of("W3C_LOG_PARSE", CP(&f2), 2), "not separated"), "%s", ferr);
    ck_assert_str_eq(fields_of("W3C_LOG_PARSE", CP(&f3), 2), "W3C_LOG_PARSE: the format has no field specifiers");
    ck_assert_msg(strstr(fields_of("W3C_LOG_PARSE", CP(&f4), 2), "unclosed '{'"), "%s", ferr);
}
END_TEST

START_TEST(test_eval_errors) {
    /* A pattern that is not a constant and cannot be compiled is a row
     * error at the first row that has it. */
    const char *rows[] = {"a", "b"};
    char out[2][256];
    eddy_value c[] = {S("(a+?)")};
    ck_assert_int_ne(eval_field("REGEX_LOG_PARSE", c, 1, rows, 2, 1, out), 0);
    ck_assert_str_eq(out[0], "ERR@0: the pattern of REGEX_LOG_PARSE: unsupported regular expression: lazy quantifier");
    /* A field index beyond the row. */
    eddy_value p[] = {S("(a)")};
    ck_assert_int_ne(eval_field("REGEX_LOG_PARSE", p, 1, rows, 2, 2, out), 0);
    ck_assert_str_eq(out[0], "ERR@0: REGEX_LOG_PARSE has no field 2");
}
END_TEST

/* ---- speed ------------------------------------------------------------------ */

START_TEST(test_speed_w3c_common) {
    /* W3C 'COMMON', 7 fields, 1024-row batches whose text changes every
     * batch (in the same buffers, as the batch arena does). */
    static char text[MAXROWS][128];
    const udf_func *f = by_specific("W3C_LOG_PARSE");
    static eddy_value in[MAXROWS], fmt[MAXROWS], idx[7][MAXROWS], res[MAXROWS];
    for (int i = 0; i < MAXROWS; i++) {
        fmt[i] = S("COMMON");
        for (int k = 0; k < 7; k++) idx[k][i] = I(k + 1);
    }
    eddy_type types[3] = {{EDDY_T_VARCHAR, 1024, 0}, {EDDY_T_VARCHAR, 6, 0}, {EDDY_T_INTEGER, 0, 0}};
    udf_call call = {.fn = f, .n_args = 3, .arg_types = types, .ret_type = {EDDY_T_VARCHAR, 1024, 0}};
    int batches = 200;
    uint64_t spent = 0;
    for (int b = 0; b < batches; b++) {
        for (int i = 0; i < MAXROWS; i++) {
            snprintf(text[i], sizeof text[i],
                     "192.168.%d.%d - user%d [24/May/2004:22:01:%02d -0700] \"GET /icons/img%d.gif HTTP/1.1\" %d %d",
                     b % 256, i % 256, i, i % 60, b * MAXROWS + i, i % 2 ? 200 : 304, i * 7);
            in[i] = S(text[i]);
        }
        uint64_t t0 = eddy_mono_ns();
        for (int k = 0; k < 7; k++) {
            const eddy_value *argv[3] = {in, fmt, idx[k]};
            size_t bad;
            eddy_err e;
            ck_assert_int_eq(f->eval(&call, MAXROWS, argv, res, &mem, &bad, &e), 0);
        }
        spent += eddy_mono_ns() - t0;
        arena_reset(&mem);
    }
    double secs = (double)spent / 1e9;
    fprintf(stderr, "W3C_LOG_PARSE COMMON: %d x %d rows, 7 fields: %.3f s, %.0f rows/s (all 7 fields)\n", batches,
            MAXROWS, secs, (double)batches * MAXROWS / secs);
}
END_TEST

static Suite *suite_logparse(void) {
    Suite *s = suite_create("udf_logparse");
    TCase *tc = tcase_create("parsers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_regex_doc_examples);
    tcase_add_test(tc, test_regex_semantics);
    tcase_add_test(tc, test_fast_regex_doc_examples);
    tcase_add_test(tc, test_fast_regex_more);
    tcase_add_test(tc, test_w3c_common_doc);
    tcase_add_test(tc, test_w3c_formats);
    tcase_add_test(tc, test_variable_doc);
    tcase_add_test(tc, test_variable_more);
    tcase_add_test(tc, test_fixed);
    tcase_add_test(tc, test_syslog);
    suite_add_tcase(s, tc);
    TCase *tb = tcase_create("batches");
    tcase_add_checked_fixture(tb, setup, teardown);
    tcase_add_test(tb, test_null_input);
    tcase_add_test(tb, test_unterminated_input);
    tcase_add_test(tb, test_cache_same_addresses);
    tcase_add_test(tb, test_cache_interleaved);
    tcase_add_test(tb, test_large_batches);
    tcase_add_test(tb, test_threads);
    tcase_add_test(tb, test_eval_errors);
    tcase_add_test(tb, test_speed_w3c_common);
    suite_add_tcase(s, tb);
    TCase *tf = tcase_create("fields");
    tcase_add_checked_fixture(tf, setup, teardown);
    tcase_add_test(tf, test_row_fields);
    tcase_add_test(tf, test_row_fields_errors);
    suite_add_tcase(s, tf);
    return s;
}

EDDY_CHECK_MAIN(suite_logparse)
