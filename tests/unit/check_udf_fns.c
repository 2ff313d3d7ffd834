/*
 * check_udf_fns.c — unit tests of the built-in scalar function
 * implementations (udf/fn_*.c): one test per family, with the dialect's
 * documented examples (SQL.md §6) and edge cases — NULLs, empty strings,
 * negative starts, overflow errors, UTC calendar arithmetic, leap years and
 * SimpleDateFormat round trips.
 *
 * Each call goes through the registry entry found by specific name, the way
 * the runtime evaluates it: strict functions are not called with NULLs, the
 * result is rendered as SQL text (eddy_value_format), and a row error
 * renders as "ERR: <message>".
 */
#include "check_main.h"

#include "eddy_time.h"
#include "udf.h"
#include "udf_fns.h"

#include <pthread.h>
#include <string.h>

typedef struct tv {
    eddy_type t;
    eddy_value v;
} tv;

static tv mk_int(eddy_type_id id, int64_t x) {
    tv r = {{id, 0, 0}, {.type = id}};
    r.v.u.i = x;
    return r;
}
static tv I(int64_t x) { return mk_int(EDDY_T_INTEGER, x); }
static tv BI(int64_t x) { return mk_int(EDDY_T_BIGINT, x); }
static tv DEC(int64_t scaled, int p, int s) {
    tv r = mk_int(EDDY_T_DECIMAL, scaled);
    r.t.precision = p;
    r.t.scale = s;
    return r;
}
static tv DBL(double d) {
    tv r = {{EDDY_T_DOUBLE, 0, 0}, {.type = EDDY_T_DOUBLE}};
    r.v.u.d = d;
    return r;
}
static tv STR_T(eddy_type_id id, const char *s) {
    tv r = {{id, 0, 0}, {.type = id}};
    r.v.u.s.p = s;
    r.v.u.s.n = (uint32_t)strlen(s);
    return r;
}
static tv S(const char *s) { return STR_T(EDDY_T_VARCHAR, s); }
static tv NUL(eddy_type_id id) {
    tv r = {{id, 0, 0}, {.type = id, .is_null = 1}};
    return r;
}
static tv TS(const char *s) {
    int64_t ms = 0;
    ck_assert_int_eq(eddy_ts_parse(s, strlen(s), &ms), 0);
    return mk_int(EDDY_T_TIMESTAMP, ms);
}
static tv DT(const char *s) {
    tv r = TS(s);
    r.t.id = r.v.type = EDDY_T_DATE;
    r.v.u.i /= 86400000;
    return r;
}
static tv TM(int h, int m, int s, int ms) {
    return mk_int(EDDY_T_TIME, ((h * 60 + m) * 60 + s) * 1000LL + ms);
}

static eddy_type TY(eddy_type_id id, int p, int s) { return (eddy_type){id, p, s}; }

/* Per thread: test_regex_threads evaluates from two threads at once, and an
 * arena is not thread-safe. */
static _Thread_local arena mem;
static char outbuf[8][1024];
static int outnext;

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

/* Evaluates one row of `spec` and renders the result; `ret` overrides the
 * result type (needed for UDF_RET_COMMON), else it follows the signature. */
static const char *run(const char *spec, const eddy_type *ret, const tv *a, int n) {
    const udf_func *f = by_specific(spec);
    ck_assert_ptr_nonnull(f->eval);
    eddy_type types[UDF_MAX_ARGS];
    const eddy_value *argv[UDF_MAX_ARGS];
    int anynull = 0;
    for (int k = 0; k < n; k++) {
        types[k] = a[k].t;
        argv[k] = &a[k].v;
        anynull |= a[k].v.is_null;
    }
    udf_call call = {.fn = f, .n_args = n, .arg_types = types};
    if (ret) call.ret_type = *ret;
    else if (f->ret_rule == UDF_RET_ARG) call.ret_type = types[f->ret_arg];
    else if (f->ret_rule == UDF_RET_FIXED) call.ret_type = f->ret_type;
    else call.ret_type = types[0];
    char *o = outbuf[outnext++ % 8];
    if ((f->flags & UDF_F_STRICT) && anynull) return strcpy(o, "NULL");
    eddy_value out = {.type = EDDY_T_NULL};
    size_t bad = 99;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = f->eval(&call, 1, argv, &out, &mem, &bad, &e);
    if (rc != 0) {
        ck_assert_int_eq(bad, 0);
        ck_assert_int_eq(rc, EDDY_E_RUNTIME);
        snprintf(o, 1024, "ERR: %s", e.msg);
        return o;
    }
    ck_assert_int_eq(out.type, call.ret_type.id);
    sbuf b;
    sbuf_init(&b);
    eddy_value_format(&out, call.ret_type.scale, &b);
    snprintf(o, 1024, "%.*s", (int)b.len, b.len ? b.data : "");
    sbuf_free(&b);
    return o;
}

#define NARGS(...) (int)(sizeof((tv[]){__VA_ARGS__}) / sizeof(tv))
#define R(spec, ...) run(spec, NULL, (tv[]){__VA_ARGS__}, NARGS(__VA_ARGS__))
#define RT(spec, rt, ...) run(spec, (eddy_type[]){rt}, (tv[]){__VA_ARGS__}, NARGS(__VA_ARGS__))
#define R0(spec) run(spec, NULL, NULL, 0)
#define ISERR(s) (strncmp((s), "ERR: ", 5) == 0)

/* ---- attach ------------------------------------------------------------ */

START_TEST(test_attach_all_scalars) {
    udf_registry *r = udf_registry_default();
    int n = 0;
    for (size_t i = 0;; i++) {
        const udf_func *f = udf_at(r, i);
        if (!f) break;
        if (f->kind != UDF_SCALAR || (f->flags & UDF_F_ROW_RESULT)) continue;
        ck_assert_msg(udf_has_impl(f), "%s has no implementation", f->specific);
        n++;
    }
    ck_assert_int_ge(n, 45);
    eddy_err e;
    ck_assert_int_eq(udf_attach_builtins(r, &e), 0); /* twice is harmless */
    udf_registry *empty = udf_registry_new();
    ck_assert_int_eq(udf_attach_builtins(empty, &e), EDDY_E_NOTFOUND);
    udf_registry_free(empty);
}
END_TEST

/* ---- strings ----------------------------------------------------------- */

START_TEST(test_substring) {
    /* The dialect's documented examples. */
    ck_assert_str_eq(R("SUBSTRING", S("123456789"), I(3), I(4)), "3456");
    ck_assert_str_eq(R("SUBSTRING", S("123456789"), I(17), I(4)), "");
    ck_assert_str_eq(R("SUBSTRING", S("123456789"), I(-1), I(4)), "12");
    ck_assert_str_eq(R("SUBSTRING", S("123456789"), I(6), I(0)), "");
    ck_assert_str_eq(R("SUBSTRING", S("123456789"), I(8), I(4)), "89");
    ck_assert_str_eq(R("SUBSTRING", S("abc"), I(2)), "bc");
    ck_assert_str_eq(R("SUBSTRING", S("abc"), I(-5)), "abc");
    ck_assert_str_eq(R("SUBSTRING", S("abc"), I(-5), I(5)), "");
    ck_assert_str_eq(R("SUBSTRING", S(""), I(1), I(3)), "");
    ck_assert_str_eq(R("SUBSTRING", S("abc"), I(2), BI(INT64_MAX)), "bc");
    ck_assert(ISERR(R("SUBSTRING", S("abc"), I(1), I(-1))));
    ck_assert_str_eq(R("SUBSTRING", NUL(EDDY_T_VARCHAR), I(1), I(1)), "NULL");
    /* Positions count characters, not bytes. */
    ck_assert_str_eq(R("SUBSTRING", S("h\xc3\xa9llo"), I(2), I(3)), "\xc3\xa9ll");
    tv bin = STR_T(EDDY_T_VARBINARY, "\x01\x02\x03\x04");
    ck_assert_str_eq(R("SUBSTRING_BINARY", bin, I(2), I(2)), "0203");
    ck_assert_str_eq(R("SUBSTRING_BINARY", bin, I(0), I(2)), "01");
}
END_TEST

START_TEST(test_length_and_case) {
    ck_assert_str_eq(R("CHAR_LENGTH", S("hello")), "5");
    ck_assert_str_eq(R("CHARACTER_LENGTH", S("h\xc3\xa9llo")), "5");
    ck_assert_str_eq(R("CHAR_LENGTH", S("")), "0");
    ck_assert_str_eq(R("UPPER", S("Hello, World 1")), "HELLO, WORLD 1");
    ck_assert_str_eq(R("LOWER", S("Hello, World \xc3\x89")), "hello, world \xc3\x89");
    ck_assert_str_eq(R("INITCAP", S("hello wORLD-foo bar_baz 9lives")), "Hello World-Foo Bar_Baz 9lives");
    ck_assert_str_eq(R("INITCAP", S("")), "");
    ck_assert_str_eq(R("UPPER", NUL(EDDY_T_VARCHAR)), "NULL");
}
END_TEST

START_TEST(test_position_overlay_trim) {
    ck_assert_str_eq(R("POSITION", S("lo"), S("hello")), "4");
    ck_assert_str_eq(R("POSITION", S("z"), S("hello")), "0");
    ck_assert_str_eq(R("POSITION", S(""), S("abc")), "1");
    ck_assert_str_eq(R("POSITION", S("l"), S("h\xc3\xa9llo")), "3");
    ck_assert_str_eq(R("OVERLAY", S("abcdef"), S("XY"), I(3)), "abXYef");
    ck_assert_str_eq(R("OVERLAY", S("abcdef"), S("XY"), I(3), I(0)), "abXYcdef");
    ck_assert_str_eq(R("OVERLAY", S("abcdef"), S("XY"), I(5), I(10)), "abcdXY");
    ck_assert_str_eq(R("OVERLAY", S("abcdef"), S("XY"), I(10)), "abcdefXY");
    ck_assert_str_eq(R("OVERLAY", S("abcdef"), S(""), I(2), I(2)), "adef");
    ck_assert(ISERR(R("OVERLAY", S("abcdef"), S("XY"), I(0))));
    ck_assert_str_eq(R("TRIM", S("BOTH"), S(" "), S("  ab c  ")), "ab c");
    ck_assert_str_eq(R("TRIM", S("LEADING"), S("x"), S("xxabxx")), "abxx");
    ck_assert_str_eq(R("TRIM", S("trailing"), S("x"), S("xxabxx")), "xxab");
    ck_assert_str_eq(R("TRIM", S("BOTH"), S("x"), S("xxxx")), "");
    ck_assert_str_eq(R("TRIM", S("BOTH"), S("\xc3\xa9"), S("\xc3\xa9" "a\xc3\xa9")), "a");
    ck_assert(ISERR(R("TRIM", S("BOTH"), S("xy"), S("xyabc"))));
    ck_assert(ISERR(R("TRIM", S("MIDDLE"), S(" "), S(" a "))));
}
END_TEST

START_TEST(test_regex) {
    ck_assert_str_eq(R("SUBSTRING_REGEX", S("abc123def456"), S("\\d+")), "123");
    ck_assert_str_eq(R("SUBSTRING_REGEX", S("abc"), S("\\d+")), "NULL");
    ck_assert_str_eq(R("SUBSTRING_REGEX", S("key=va lue;"), S("=[\\w ]+")), "=va lue");
    ck_assert_str_eq(R("SUBSTRING_REGEX", S("a.b"), S("\\.")), ".");
    ck_assert_str_eq(R("SUBSTRING_REGEX", S("x]y-z^"), S("[]^-]+")), "]");
    ck_assert_str_eq(R("SUBSTRING_REGEX", S("ab-^"), S("[\\^-]+")), "-^");
    ck_assert_str_eq(R("SUBSTRING_REGEX", S("a(b)c"), S("\\Q(b)\\E")), "(b)");
    ck_assert_str_eq(R("SUBSTRING_REGEX", S("line1\nline2"), S("l.*")), "line1");
    ck_assert(ISERR(R("SUBSTRING_REGEX", S("abc"), S("("))));
    ck_assert(ISERR(R("SUBSTRING_REGEX", S("abc"), S("a+?"))));
    ck_assert(ISERR(R("SUBSTRING_REGEX", S("abc"), S("(?=a)"))));
    ck_assert(ISERR(R("SUBSTRING_REGEX", S("abc"), S("\\bx"))));
    /* SIMILAR: the part between the escape-quote markers. */
    ck_assert_str_eq(R("SUBSTRING_SIMILAR", S("foobar"), S("%#\"o_b#\"%"), S("#")), "oob");
    ck_assert_str_eq(R("SUBSTRING_SIMILAR", S("foobar"), S("%#\"o%#\""), S("#")), "oobar");
    ck_assert_str_eq(R("SUBSTRING_SIMILAR", S("abc"), S("a%"), S("#")), "abc");
    ck_assert_str_eq(R("SUBSTRING_SIMILAR", S("abc"), S("b%"), S("#")), "NULL");
    ck_assert_str_eq(R("SUBSTRING_SIMILAR", S("a.c"), S("a#\".#\"c"), S("#")), ".");
    ck_assert(ISERR(R("SUBSTRING_SIMILAR", S("abc"), S("a#\"b"), S("#"))));
    ck_assert(ISERR(R("SUBSTRING_SIMILAR", S("abc"), S("a"), S("##"))));
    ck_assert_str_eq(R("SUBSTRING_SIMILAR", S("xyabcb"), S("(x|y)+#\"(ab|c)+#\"b"), S("#")), "abc");
    ck_assert_str_eq(R("SUBSTRING_SIMILAR", S("xyz"), S("%#\"q#\"%"), S("#")), "NULL");
    ck_assert_str_eq(R("SUBSTRING_SIMILAR", S("a%c"), S("a!%c"), S("!")), "a%c");
    ck_assert_str_eq(R("SUBSTRING_SIMILAR", S("abc"), S("a!%c"), S("!")), "NULL");
}
END_TEST

START_TEST(test_regex_replace) {
    ck_assert_str_eq(R("REGEX_REPLACE", S("TECHNOLOGY and TECHNOLOGY"), S("TECHNOLOGY"),
                       S("INFORMATION TECHNOLOGY"), I(1), I(0)),
                     "INFORMATION TECHNOLOGY and INFORMATION TECHNOLOGY");
    ck_assert_str_eq(R("REGEX_REPLACE", S("2004-09-30"), S("(\\d+)-(\\d+)-(\\d+)"), S("$3/$2/$1"),
                       I(1), I(0)),
                     "30/09/2004");
    ck_assert_str_eq(R("REGEX_REPLACE", S("a1b2c3"), S("\\d"), S("#"), I(1), I(2)), "a1b#c3");
    ck_assert_str_eq(R("REGEX_REPLACE", S("a1b2c3"), S("\\d"), S("#"), I(4), I(0)), "a1b#c#");
    ck_assert_str_eq(R("REGEX_REPLACE", S("a1b2c3"), S("\\d"), S("#"), I(7), I(0)), "a1b2c3");
    ck_assert_str_eq(R("REGEX_REPLACE", S("a1b2c3"), S("\\d"), S("#"), I(1), I(9)), "a1b2c3");
    ck_assert_str_eq(R("REGEX_REPLACE", S("abc"), S("x*"), S("-"), I(1), I(0)), "-a-b-c-");
    ck_assert_str_eq(R("REGEX_REPLACE", S("aaa"), S("a*"), S("-"), I(1), I(0)), "--");
    ck_assert_str_eq(R("REGEX_REPLACE", S("ab"), S("(?:a)(b)"), S("<$1>"), I(1), I(0)), "<b>");
    ck_assert_str_eq(R("REGEX_REPLACE", S("ab"), S("b"), S("\\$"), I(1), I(0)), "a$");
    ck_assert_str_eq(R("REGEX_REPLACE", S("abab"), S("^a"), S("X"), I(1), I(0)), "Xbab");
    ck_assert_str_eq(R("REGEX_REPLACE", S("abab"), S("^a"), S("X"), I(2), I(0)), "abab");
    ck_assert_str_eq(R("REGEX_REPLACE", S(""), S("x"), S("y"), I(1), I(0)), "");
    ck_assert(ISERR(R("REGEX_REPLACE", S("abc"), S("b"), S("x"), I(0), I(0))));
    ck_assert(ISERR(R("REGEX_REPLACE", S("abc"), S("b"), S("x"), I(1), I(-1))));
    ck_assert(ISERR(R("REGEX_REPLACE", S("abc"), S("b"), S("$x"), I(1), I(0))));
    ck_assert(ISERR(R("REGEX_REPLACE", S("abc"), S("(b)"), S("$2"), I(1), I(0))));
    ck_assert(ISERR(R("REGEX_REPLACE", S("abc"), S("b"), S("x\\"), I(1), I(0))));
    ck_assert_str_eq(R("REGEX_REPLACE", NUL(EDDY_T_VARCHAR), S("b"), S("x"), I(1), I(0)), "NULL");
}
END_TEST

START_TEST(test_regex_translation) {
    char *out = NULL;
    int map[10];
    eddy_err e;
    ck_assert_int_eq(udf_regex_from_java("(?:a)(\\d)\\1", 12, &mem, &out, map, &e), 0);
    ck_assert_str_eq(out, "(a)([0-9])\\2");
    ck_assert_int_eq(map[1], 2);
    ck_assert_int_eq(udf_regex_from_java("[\\w.]", 5, &mem, &out, NULL, &e), 0);
    ck_assert_str_eq(out, "[A-Za-z0-9_.]");
    ck_assert_int_eq(udf_regex_from_java("a{2}?", 5, &mem, &out, NULL, &e), EDDY_E_INVAL);
    ck_assert_int_eq(udf_regex_from_java("[a", 2, &mem, &out, NULL, &e), EDDY_E_INVAL);
    ck_assert_int_eq(udf_regex_from_java("\\", 1, &mem, &out, NULL, &e), EDDY_E_INVAL);
}
END_TEST

/* ---- numbers ------------------------------------------------------------- */

START_TEST(test_floor_ceil_abs) {
    /* The dialect's FLOOR examples on DECIMAL literals. */
    ck_assert_str_eq(R("FLOOR", DEC(20, 2, 1)), "2.0");
    ck_assert_str_eq(R("FLOOR", DEC(-10, 2, 1)), "-1.0");
    ck_assert_str_eq(R("FLOOR", DEC(52, 2, 1)), "5.0");
    ck_assert_str_eq(R("FLOOR", DEC(-33, 2, 1)), "-4.0");
    ck_assert_str_eq(R("FLOOR", DEC(-93, 3, 1)), "-10.0");
    ck_assert_str_eq(R("CEIL", DEC(-33, 2, 1)), "-3.0");
    ck_assert_str_eq(R("CEILING", DEC(33, 2, 1)), "4.0");
    ck_assert(ISERR(R("CEIL", DEC(95, 2, 1))));
    ck_assert_str_eq(R("FLOOR", DBL(-3.3)), "-4");
    ck_assert_str_eq(R("CEIL", DBL(3.3)), "4");
    ck_assert_str_eq(R("FLOOR", I(7)), "7");
    ck_assert_str_eq(R("FLOOR", NUL(EDDY_T_DOUBLE)), "NULL");
    ck_assert_str_eq(R("ABS", I(-5)), "5");
    ck_assert_str_eq(R("ABS", DEC(-150, 3, 2)), "1.50");
    ck_assert_str_eq(R("ABS", DBL(-2.5)), "2.5");
    ck_assert_str_eq(R("ROUND_DOUBLE", DBL(2.5)), "3");
    ck_assert_str_eq(R("ROUND_DOUBLE", DBL(-2.5)), "-3");
    ck_assert_str_eq(R("ROUND_DOUBLE", DBL(3.14159), I(2)), "3.14");
    ck_assert_str_eq(R("ROUND_EXACT", DEC(-1255, 5, 3), I(2)), "-1.260");
    ck_assert_str_eq(R("ROUND_EXACT", I(1234), I(-2)), "1200");
    ck_assert(ISERR(R("ABS", I(INT32_MIN))));
    ck_assert(ISERR(R("ABS", BI(INT64_MIN))));
    ck_assert_str_eq(R("ABS", BI(-(int64_t)INT32_MIN)), "2147483648");
}
END_TEST

START_TEST(test_math) {
    ck_assert_str_eq(R("EXP", DBL(0)), "1");
    ck_assert_str_eq(R("LN", DBL(1)), "0");
    ck_assert_str_eq(R("LOG10", DBL(1000)), "3");
    ck_assert_str_eq(R("POWER", DBL(2), DBL(10)), "1024");
    ck_assert_str_eq(R("POWER", DBL(-2), DBL(3)), "-8");
    ck_assert(ISERR(R("LN", DBL(0))));
    ck_assert(ISERR(R("LOG10", DBL(-1))));
    ck_assert(ISERR(R("POWER", DBL(0), DBL(-1))));
    ck_assert(ISERR(R("POWER", DBL(10), DBL(400))));
    ck_assert(ISERR(R("POWER", DBL(-8), DBL(0.5))));
    ck_assert(ISERR(R("EXP", DBL(1000))));
    ck_assert_str_eq(R("MOD", I(7), I(3)), "1");
    ck_assert_str_eq(R("MOD", I(-7), I(3)), "-1");
    ck_assert_str_eq(R("MOD", I(7), I(-3)), "1");
    ck_assert_str_eq(R("MOD", BI(INT64_MIN), BI(-1)), "0");
    ck_assert(ISERR(R("MOD", I(7), I(0))));
    ck_assert_str_eq(RT("MOD", TY(EDDY_T_DECIMAL, 12, 1), DEC(75, 2, 1), I(2)), "1.5");
    ck_assert_str_eq(R("STEP_INT", I(23), I(5)), "20");
    ck_assert_str_eq(R("STEP_INT", I(30), I(10)), "30");
    ck_assert_str_eq(R("STEP_INT", I(-1), I(5)), "-5");
    ck_assert(ISERR(R("STEP_INT", I(1), I(0))));
    ck_assert(ISERR(R("STEP_INT", BI(INT64_MIN), BI(7))));
    ck_assert_str_eq(R("STEP_INT", NUL(EDDY_T_INTEGER), I(5)), "NULL");
    ck_assert_str_eq(R("STEP_TS", TS("2004-09-30 13:48:23"), mk_int(EDDY_T_INTERVAL_DS, 10000)),
                     "2004-09-30 13:48:20.000");
    ck_assert_str_eq(R("STEP_TS", TS("1969-12-31 23:59:59"), mk_int(EDDY_T_INTERVAL_DS, 60000)),
                     "1969-12-31 23:59:00.000");
    ck_assert(ISERR(R("STEP_TS", TS("2004-09-30 13:48:23"), mk_int(EDDY_T_INTERVAL_DS, 0))));
}
END_TEST

START_TEST(test_null_functions) {
    ck_assert_str_eq(R("COALESCE", NUL(EDDY_T_INTEGER), I(2), I(3)), "2");
    ck_assert_str_eq(R("COALESCE", NUL(EDDY_T_INTEGER), NUL(EDDY_T_INTEGER)), "NULL");
    ck_assert_str_eq(RT("COALESCE", TY(EDDY_T_DECIMAL, 7, 2), NUL(EDDY_T_DECIMAL), I(2)), "2.00");
    ck_assert_str_eq(RT("COALESCE", TY(EDDY_T_DOUBLE, 0, 0), DEC(15, 2, 1), DBL(2)), "1.5");
    ck_assert_str_eq(R("COALESCE", S("a"), S("b")), "a");
    ck_assert_str_eq(R("NULLIF", I(1), I(1)), "NULL");
    ck_assert_str_eq(R("NULLIF", I(1), I(2)), "1");
    ck_assert_str_eq(R("NULLIF", I(1), NUL(EDDY_T_INTEGER)), "1");
    ck_assert_str_eq(R("NULLIF", NUL(EDDY_T_INTEGER), I(1)), "NULL");
    ck_assert_str_eq(R("NULLIF", S("a"), S("a")), "NULL");
    ck_assert_str_eq(R("NULLIF", S("a"), S("ab")), "a");
    ck_assert_str_eq(R("NULLIF", DEC(150, 3, 2), DEC(15, 2, 1)), "NULL");
    ck_assert_str_eq(R("NULLIF", DBL(1.5), DEC(15, 2, 1)), "NULL");
    ck_assert_str_eq(R("MONOTONIC", I(5)), "5");
    ck_assert_str_eq(R("MONOTONIC", NUL(EDDY_T_INTEGER)), "NULL");
}
END_TEST

/* ---- dates and times ------------------------------------------------------ */

START_TEST(test_floor_ceil_to) {
    tv t = TS("2004-09-30 13:48:23.456");
    /* The dialect's documented examples. */
    ck_assert_str_eq(R("FLOOR_TO", t, S("HOUR")), "2004-09-30 13:00:00.000");
    ck_assert_str_eq(R("FLOOR_TO", t, S("MINUTE")), "2004-09-30 13:48:00.000");
    ck_assert_str_eq(R("FLOOR_TO", t, S("DAY")), "2004-09-30 00:00:00.000");
    ck_assert_str_eq(R("FLOOR_TO", t, S("YEAR")), "2004-01-01 00:00:00.000");
    ck_assert_str_eq(R("FLOOR_TO", t, S("second")), "2004-09-30 13:48:23.000");
    ck_assert_str_eq(R("FLOOR_TO", t, S("MONTH")), "2004-09-01 00:00:00.000");
    ck_assert_str_eq(R("FLOOR_TO", t, S("QUARTER")), "2004-07-01 00:00:00.000");
    ck_assert_str_eq(R("FLOOR_TO", t, S("WEEK")), "2004-09-26 00:00:00.000");
    ck_assert_str_eq(R("CEIL_TO", t, S("HOUR")), "2004-09-30 14:00:00.000");
    ck_assert_str_eq(R("CEIL_TO", t, S("MONTH")), "2004-10-01 00:00:00.000");
    ck_assert_str_eq(R("CEILING_TO", TS("2004-12-15 00:00:00"), S("MONTH")), "2005-01-01 00:00:00.000");
    ck_assert_str_eq(R("CEIL_TO", TS("2004-02-01 00:00:00"), S("MONTH")), "2004-02-01 00:00:00.000");
    ck_assert_str_eq(R("CEIL_TO", TS("2004-01-01 00:00:00.001"), S("YEAR")), "2005-01-01 00:00:00.000");
    /* Before the epoch, floors go down, not toward zero. */
    ck_assert_str_eq(R("FLOOR_TO", TS("1969-12-31 23:59:59.999"), S("DAY")), "1969-12-31 00:00:00.000");
    ck_assert_str_eq(R("FLOOR_TO", TS("1969-12-31 23:59:59.999"), S("YEAR")), "1969-01-01 00:00:00.000");
    /* Leap years on DATE values. */
    ck_assert_str_eq(R("FLOOR_TO", DT("2004-02-29"), S("MONTH")), "2004-02-01");
    ck_assert_str_eq(R("CEIL_TO", DT("2004-02-29"), S("MONTH")), "2004-03-01");
    ck_assert_str_eq(R("CEIL_TO", DT("2004-02-29"), S("YEAR")), "2005-01-01");
    ck_assert_str_eq(R("FLOOR_TO", DT("2004-02-29"), S("HOUR")), "2004-02-29");
    ck_assert_str_eq(R("FLOOR_TO", TM(13, 48, 23, 5), S("MINUTE")), "13:48:00");
    ck_assert(ISERR(R("CEIL_TO", TM(23, 30, 0, 0), S("HOUR"))));
    ck_assert(ISERR(R("FLOOR_TO", t, S("FORTNIGHT"))));
    ck_assert(ISERR(R("CEIL_TO", mk_int(EDDY_T_TIMESTAMP, INT64_MAX - 5), S("SECOND"))));
    /* FLOOR(interval TO unit): FLOOR((ts - epoch) SECOND / 10 TO SECOND). */
    ck_assert_str_eq(R("FLOOR_INTERVAL_TO", mk_int(EDDY_T_INTERVAL_DS, 2304), S("SECOND")), "2000");
    ck_assert_str_eq(R("FLOOR_INTERVAL_TO", mk_int(EDDY_T_INTERVAL_DS, -2304), S("SECOND")), "-3000");
    ck_assert_str_eq(R("FLOOR_INTERVAL_TO", mk_int(EDDY_T_INTERVAL_DS, 90061001), S("DAY")), "86400000");
    ck_assert_str_eq(R("FLOOR_INTERVAL_TO", mk_int(EDDY_T_INTERVAL_YM, 40), S("YEAR")), "36");
    ck_assert_str_eq(R("FLOOR_INTERVAL_TO", mk_int(EDDY_T_INTERVAL_YM, 40), S("MONTH")), "40");
    ck_assert(ISERR(R("FLOOR_INTERVAL_TO", mk_int(EDDY_T_INTERVAL_DS, 5), S("MONTH"))));
}
END_TEST

START_TEST(test_extract) {
    tv t = TS("2004-09-30 13:48:23.456");
    ck_assert_str_eq(R("EXTRACT", S("YEAR"), t), "2004");
    ck_assert_str_eq(R("EXTRACT", S("MONTH"), t), "9");
    ck_assert_str_eq(R("EXTRACT", S("DAY"), t), "30");
    ck_assert_str_eq(R("EXTRACT", S("HOUR"), t), "13");
    ck_assert_str_eq(R("EXTRACT", S("MINUTE"), t), "48");
    ck_assert_str_eq(R("EXTRACT", S("SECOND"), t), "23");
    ck_assert_str_eq(R("EXTRACT", S("MILLISECOND"), t), "23456");
    ck_assert_str_eq(R("EXTRACT", S("QUARTER"), t), "3");
    ck_assert_str_eq(R("EXTRACT", S("DOW"), t), "5");
    ck_assert_str_eq(R("EXTRACT", S("WEEK"), t), "40");
    ck_assert_str_eq(R("EXTRACT", S("DOY"), DT("2004-12-31")), "366");
    ck_assert_str_eq(R("EXTRACT", S("WEEK"), DT("2005-01-01")), "53");
    ck_assert_str_eq(R("EXTRACT", S("EPOCH"), TS("1970-01-02 00:00:01")), "86401");
    ck_assert_str_eq(R("EXTRACT", S("HOUR"), DT("2004-09-30")), "0");
    ck_assert_str_eq(R("EXTRACT", S("SECOND"), TM(1, 2, 3, 0)), "3");
    ck_assert(ISERR(R("EXTRACT", S("YEAR"), TM(1, 2, 3, 0))));
    ck_assert(ISERR(R("EXTRACT", S("CENTURYX"), t)));
    int64_t ds = 3 * 86400000LL + 4 * 3600000LL;
    ck_assert_str_eq(R("EXTRACT_INTERVAL", S("DAY"), mk_int(EDDY_T_INTERVAL_DS, ds)), "3");
    ck_assert_str_eq(R("EXTRACT_INTERVAL", S("HOUR"), mk_int(EDDY_T_INTERVAL_DS, ds)), "4");
    ck_assert_str_eq(R("EXTRACT_INTERVAL", S("HOUR"), mk_int(EDDY_T_INTERVAL_DS, -ds)), "-4");
    ck_assert_str_eq(R("EXTRACT_INTERVAL", S("YEAR"), mk_int(EDDY_T_INTERVAL_YM, 40)), "3");
    ck_assert_str_eq(R("EXTRACT_INTERVAL", S("MONTH"), mk_int(EDDY_T_INTERVAL_YM, 40)), "4");
    ck_assert(ISERR(R("EXTRACT_INTERVAL", S("YEAR"), mk_int(EDDY_T_INTERVAL_DS, ds))));
}
END_TEST

START_TEST(test_now_and_conversions) {
    int64_t start;
    ck_assert_int_eq(eddy_ts_parse("2004-09-30 13:48:23.500", 23, &start), 0);
    udf_set_query_start_ms(start);
    ck_assert_str_eq(R0("CURRENT_DATE"), "2004-09-30");
    ck_assert_str_eq(R0("CURRENT_TIME"), "13:48:23");
    ck_assert_str_eq(R0("LOCALTIME"), "13:48:23");
    ck_assert_str_eq(R0("CURRENT_TIMESTAMP"), "2004-09-30 13:48:23.500");
    ck_assert_str_eq(R0("LOCALTIMESTAMP"), "2004-09-30 13:48:23.500");
    /* CURRENT_ROW_TIMESTAMP reads the clock, whatever the query start. */
    int64_t before = eddy_now_ms();
    const udf_func *f = by_specific("CURRENT_ROW_TIMESTAMP");
    udf_call call = {.fn = f, .ret_type = f->ret_type};
    eddy_value out[3];
    size_t bad;
    eddy_err e;
    ck_assert_int_eq(f->eval(&call, 3, NULL, out, &mem, &bad, &e), 0);
    ck_assert_int_ge(out[2].u.i, before);
    ck_assert_int_le(out[2].u.i, eddy_now_ms());
    ck_assert_str_eq(R("TSDIFF", BI(1000), BI(3500)), "2500");
    ck_assert_str_eq(R("TSDIFF", BI(3500), BI(1000)), "-2500");
    ck_assert(ISERR(R("TSDIFF", BI(INT64_MIN), BI(1))));
    /* Timestamps are taken too (endTime - startTime, in ms). */
    ck_assert_str_eq(R("TSDIFF", TS("2026-01-01 00:00:00"), TS("2026-01-01 00:00:01.250")), "1250");
    ck_assert_str_eq(R("TO_TIMESTAMP", BI(0)), "1970-01-01 00:00:00.000");
    ck_assert_str_eq(R("TO_TIMESTAMP", BI(1096552103000)), "2004-09-30 13:48:23.000");
    ck_assert_str_eq(R("UNIX_TIMESTAMP", TS("2004-09-30 13:48:23")), "1096552103000");
}
END_TEST

START_TEST(test_char_to_timestamp) {
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("yyyy-MM-dd HH:mm:ss"), S("2004-09-30 13:48:23")),
                     "2004-09-30 13:48:23.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("dd/MMM/yyyy:HH:mm:ss"), S("30/Sep/2004:13:48:23")),
                     "2004-09-30 13:48:23.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("MMMM d, yyyy"), S("September 5, 2004")),
                     "2004-09-05 00:00:00.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("yyyyMMddHHmmssSSS"), S("20040930134823045")),
                     "2004-09-30 13:48:23.045");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("hh:mm a"), S("01:48 PM")), "1970-01-01 13:48:00.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("hh:mm a"), S("12:05 am")), "1970-01-01 00:05:00.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("HH:mm"), S("13:48")), "1970-01-01 13:48:00.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("yyyy"), S("2004")), "2004-01-01 00:00:00.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("yyyy-MM-dd'T'HH:mm:ss.SSSX"), S("2004-09-30T13:48:23.5Z")),
                     "2004-09-30 13:48:23.005");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("yyyy-MM-dd HH:mm Z"), S("2004-09-30 01:48 +0200")),
                     "2004-09-29 23:48:00.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("yy-MM-dd"), S("04-09-30")), "2004-09-30 00:00:00.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("yy-MM-dd"), S("50-09-30")), "1950-09-30 00:00:00.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("EEE, d MMM yyyy"), S("Thu, 30 Sep 2004")),
                     "2004-09-30 00:00:00.000");
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("yyyy-MM-dd"), S("2004-02-29")), "2004-02-29 00:00:00.000");
    /* Out-of-range fields give no result (an error row), unlike lenient Java. */
    ck_assert(ISERR(R("CHAR_TO_TIMESTAMP", S("yyyy-MM-dd"), S("2003-02-29"))));
    ck_assert(ISERR(R("CHAR_TO_TIMESTAMP", S("yyyy-MM-dd"), S("2004-13-01"))));
    ck_assert(ISERR(R("CHAR_TO_TIMESTAMP", S("HH:mm"), S("24:00"))));
    ck_assert(ISERR(R("CHAR_TO_TIMESTAMP", S("HH:mm"), S("12:60"))));
    ck_assert(ISERR(R("CHAR_TO_TIMESTAMP", S("yyyy-MM-dd"), S("2004/09/30"))));
    ck_assert(ISERR(R("CHAR_TO_TIMESTAMP", S("yyyy-MM-dd"), S(""))));
    ck_assert(ISERR(R("CHAR_TO_TIMESTAMP", S("yyyy-ww"), S("2004-01"))));
    ck_assert(ISERR(R("CHAR_TO_TIMESTAMP", S("yyyy-'MM"), S("2004-MM"))));
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", NUL(EDDY_T_VARCHAR), S("2004")), "NULL");
    ck_assert(ISERR(R("CHAR_TO_TIMESTAMP", S("yyyy"), S("999999999"))));
    /* As Java's DateFormat.parse, text after the pattern is ignored. */
    ck_assert_str_eq(R("CHAR_TO_TIMESTAMP", S("yyyy-MM-dd"), S("2004-09-30 13:48")),
                     "2004-09-30 00:00:00.000");
    ck_assert_str_eq(R("CHAR_TO_DATE", S("dd.MM.yyyy"), S("30.09.2004")), "2004-09-30");
    ck_assert_str_eq(R("CHAR_TO_TIME", S("HH:mm:ss"), S("13:48:23")), "13:48:23");
}
END_TEST

START_TEST(test_to_char) {
    tv t = TS("2004-09-30 13:48:23.045");
    ck_assert_str_eq(R("TIMESTAMP_TO_CHAR", S("yyyy-MM-dd HH:mm:ss.SSS"), t), "2004-09-30 13:48:23.045");
    ck_assert_str_eq(R("TIMESTAMP_TO_CHAR", S("EEE, d MMM yyyy hh:mm a"), t), "Thu, 30 Sep 2004 01:48 PM");
    ck_assert_str_eq(R("TIMESTAMP_TO_CHAR", S("EEEE MMMM yy D"), t), "Thursday September 04 274");
    ck_assert_str_eq(R("TIMESTAMP_TO_CHAR", S("yyyy-MM-dd'T'HH:mm:ss'Z' '''x'''"), t),
                     "2004-09-30T13:48:23Z 'x'");
    ck_assert_str_eq(R("TIMESTAMP_TO_CHAR", S("k K h H"), TS("2004-09-30 00:05:00")), "24 0 12 0");
    ck_assert_str_eq(R("TIMESTAMP_TO_CHAR", S("yyyy-MM-dd"), NUL(EDDY_T_TIMESTAMP)), "null");
    ck_assert_str_eq(R("TIMESTAMP_TO_CHAR", NUL(EDDY_T_VARCHAR), t), "NULL");
    ck_assert_str_eq(R("TIMESTAMP_TO_CHAR", S(""), t), "");
    ck_assert_str_eq(R("TIMESTAMP_TO_CHAR", S("yyyy-MM-dd HH:mm"), TS("1969-12-31 23:59:59")),
                     "1969-12-31 23:59");
    ck_assert(ISERR(R("TIMESTAMP_TO_CHAR", S("yyyy 'unterminated"), t)));
    ck_assert(ISERR(R("TIMESTAMP_TO_CHAR", S("yyyy W"), t)));
    ck_assert_str_eq(R("DATE_TO_CHAR", S("dd/MM/yyyy"), DT("2004-02-29")), "29/02/2004");
    ck_assert_str_eq(R("DATE_TO_CHAR", S("dd/MM/yyyy"), NUL(EDDY_T_DATE)), "null");
    ck_assert_str_eq(R("TIME_TO_CHAR", S("HH:mm:ss.SSS"), TM(13, 48, 23, 7)), "13:48:23.007");
    /* Round trips through format and parse. */
    static const char *const pats[] = {"yyyy-MM-dd HH:mm:ss.SSS", "dd/MMM/yyyy:HH:mm:ss.SSS",
                                       "yyyyMMddHHmmssSSS", "EEEE, MMMM d, yyyy h:mm:ss.SSS a"};
    static const char *const vals[] = {"2004-02-29 23:59:59.999", "1970-01-01 00:00:00",
                                       "2024-12-31 12:00:00.5", "1999-07-04 00:30:01.25"};
    for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++)
        for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
            tv ts = TS(vals[v]);
            const char *txt = R("TIMESTAMP_TO_CHAR", S(pats[p]), ts);
            char copy[256];
            snprintf(copy, sizeof copy, "%s", txt);
            const char *back = R("CHAR_TO_TIMESTAMP", S(pats[p]), S(copy));
            const char *want = R("TIMESTAMP_TO_CHAR", S("yyyy-MM-dd HH:mm:ss.SSS"), ts);
            ck_assert_msg(strcmp(back, want) == 0, "%s: %s -> %s, want %s", pats[p], copy, back, want);
        }
}
END_TEST

/* A batch call reports the failing row's index. */
START_TEST(test_batch_bad_row) {
    const udf_func *f = by_specific("MOD");
    eddy_type ty[2] = {{EDDY_T_INTEGER, 0, 0}, {EDDY_T_INTEGER, 0, 0}};
    udf_call call = {.fn = f, .n_args = 2, .arg_types = ty, .ret_type = ty[0]};
    eddy_value a[3], b[3], out[3];
    for (int i = 0; i < 3; i++) {
        a[i] = I(10 + i).v;
        b[i] = I(i == 2 ? 0 : 3).v;
    }
    const eddy_value *argv[2] = {a, b};
    size_t bad = 99;
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_int_eq(f->eval(&call, 3, argv, out, &mem, &bad, &e), EDDY_E_RUNTIME);
    ck_assert_uint_eq(bad, 2);
    ck_assert_str_eq(e.msg, "division by zero");
    ck_assert_int_eq(out[1].u.i, 2);
}
END_TEST

/* Each thread's compiled-regex cache is freed when the thread exits (the
 * ASan build's leak checker would report it otherwise). */
static void *regex_thread(void *arg) {
    char buf[32];
    void *ret = NULL;
    arena_init(&mem, 4096);
    for (int k = 0; k < 40 && !ret; k++) {
        snprintf(buf, sizeof buf, "a{%d}", k % 20 + 1);
        const char *r = R("REGEX_REPLACE", S("aaaaaaaaaaaaaaaaaaaaaaaa"), S(buf), S("x"), I(1), I(0));
        if (ISERR(r)) ret = (void *)1;
    }
    arena_free(&mem);
    return ret;
}

START_TEST(test_regex_threads) {
    pthread_t th[2];
    for (int k = 0; k < 2; k++) ck_assert_int_eq(pthread_create(&th[k], NULL, regex_thread, NULL), 0);
    for (int k = 0; k < 2; k++) {
        void *rv = (void *)1;
        ck_assert_int_eq(pthread_join(th[k], &rv), 0);
        ck_assert_ptr_null(rv);
    }
}
END_TEST

/* Random patterns and inputs never crash: every call gives a value or a
 * row error (run under ASan/UBSan by `make test`). */
START_TEST(test_random_inputs) {
    static const char alpha[] = "ab()[]{}|*+?.^$\\dws-:'%_#\"yMdHhmsSaEz0129 ";
    uint32_t seed = 12345;
    char pat[24], txt[24];
    int ok[5] = {0};
    for (int it = 0; it < 2000; it++) {
        for (int k = 0; k < 2; k++) {
            char *dst = k ? txt : pat;
            seed = seed * 1103515245u + 12345u;
            int n = (int)(seed >> 16) % 20;
            for (int j = 0; j < n; j++) {
                seed = seed * 1103515245u + 12345u;
                dst[j] = alpha[(seed >> 16) % (sizeof alpha - 1)];
            }
            dst[n] = 0;
        }
        const char *r[5] = {
            R("SUBSTRING_REGEX", S(txt), S(pat)),
            R("REGEX_REPLACE", S(txt), S(pat), S("<$0>"), I(1 + it % 3), I(it % 2)),
            R("SUBSTRING_SIMILAR", S(txt), S(pat), S("#")),
            R("CHAR_TO_TIMESTAMP", S(pat), S(txt)),
            R("TIMESTAMP_TO_CHAR", S(pat), TS("2004-09-30 13:48:23")),
        };
        for (int k = 0; k < 5; k++) ok[k] += !ISERR(r[k]);
        arena_reset(&mem);
    }
    /* The inputs reach the matching and formatting code, not just the
     * error paths. */
    for (int k = 0; k < 5; k++) ck_assert_msg(ok[k] >= 20, "function %d: only %d results", k, ok[k]);
}
END_TEST

static Suite *suite_fns_string(void) {
    Suite *s = suite_create("udf_fns_string");
    TCase *tc = tcase_create("string");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_attach_all_scalars);
    tcase_add_test(tc, test_substring);
    tcase_add_test(tc, test_length_and_case);
    tcase_add_test(tc, test_position_overlay_trim);
    tcase_add_test(tc, test_regex);
    tcase_add_test(tc, test_regex_replace);
    tcase_add_test(tc, test_regex_translation);
    tcase_add_test(tc, test_regex_threads);
    tcase_add_test(tc, test_random_inputs);
    suite_add_tcase(s, tc);
    return s;
}

static Suite *suite_fns_math(void) {
    Suite *s = suite_create("udf_fns_math");
    TCase *tc = tcase_create("math");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_floor_ceil_abs);
    tcase_add_test(tc, test_math);
    tcase_add_test(tc, test_null_functions);
    tcase_add_test(tc, test_batch_bad_row);
    suite_add_tcase(s, tc);
    return s;
}

static Suite *suite_fns_time(void) {
    Suite *s = suite_create("udf_fns_time");
    TCase *tc = tcase_create("time");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_floor_ceil_to);
    tcase_add_test(tc, test_extract);
    tcase_add_test(tc, test_now_and_conversions);
    tcase_add_test(tc, test_char_to_timestamp);
    tcase_add_test(tc, test_to_char);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_fns_string, suite_fns_math, suite_fns_time)
