/*
 * check_udf.c — unit tests of the function registry (udf/): lookup by name
 * and argument types, implicit-cast resolution, result-type rules, errors
 * with "did you mean" hints, implementation attachment and cast rules.
 */
#include "check_main.h"

#include "udf.h"

#include <string.h>

#define T(id) ((eddy_type){(id), 0, 0})

static udf_registry *reg(void) {
    udf_registry *r = udf_registry_default();
    ck_assert_ptr_nonnull(r);
    return r;
}

START_TEST(test_lookup_case_insensitive) {
    const udf_func *f;
    eddy_type args[1] = {T(EDDY_T_VARCHAR)}, cast[1], ret;
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_int_eq(udf_lookup(reg(), "upper", -1, 1, args, &f, cast, &ret, &e), 0);
    ck_assert_str_eq(f->name, "UPPER");
    ck_assert_int_eq(ret.id, EDDY_T_VARCHAR);
    /* The default registry comes with the built-in implementations. */
    ck_assert_int_eq(udf_has_impl(f), 1);
}
END_TEST

START_TEST(test_overloads_and_casts) {
    const udf_func *f;
    eddy_type cast[3], ret;
    eddy_err e;
    /* STEP(ts BY interval) picks the timestamp overload. */
    eddy_type a1[2] = {T(EDDY_T_TIMESTAMP), T(EDDY_T_INTERVAL_DS)};
    ck_assert_int_eq(udf_lookup(reg(), "STEP", -1, 2, a1, &f, cast, &ret, &e), 0);
    ck_assert_str_eq(f->specific, "STEP_TS");
    ck_assert_int_eq(ret.id, EDDY_T_TIMESTAMP);
    /* STEP(int BY int) keeps the integer type. */
    eddy_type a2[2] = {T(EDDY_T_BIGINT), T(EDDY_T_INTEGER)};
    ck_assert_int_eq(udf_lookup(reg(), "step", -1, 2, a2, &f, cast, &ret, &e), 0);
    ck_assert_str_eq(f->specific, "STEP_INT");
    ck_assert_int_eq(ret.id, EDDY_T_BIGINT);
    /* DATE widens to TIMESTAMP for UNIX_TIMESTAMP. */
    eddy_type a3[1] = {T(EDDY_T_DATE)};
    ck_assert_int_eq(udf_lookup(reg(), "UNIX_TIMESTAMP", -1, 1, a3, &f, cast, &ret, &e), 0);
    ck_assert_int_eq(cast[0].id, EDDY_T_TIMESTAMP);
    ck_assert_int_eq(ret.id, EDDY_T_BIGINT);
    /* INTEGER widens to DOUBLE for POWER. */
    eddy_type a4[2] = {T(EDDY_T_INTEGER), T(EDDY_T_DOUBLE)};
    ck_assert_int_eq(udf_lookup(reg(), "POWER", -1, 2, a4, &f, cast, &ret, &e), 0);
    ck_assert_int_eq(cast[0].id, EDDY_T_DOUBLE);
    ck_assert_int_eq(cast[1].id, EDDY_T_DOUBLE);
    /* SUBSTRING with two strings is the regex form; with an integer the plain one. */
    eddy_type a5[2] = {T(EDDY_T_VARCHAR), T(EDDY_T_CHAR)};
    ck_assert_int_eq(udf_lookup(reg(), "SUBSTRING", -1, 2, a5, &f, cast, &ret, &e), 0);
    ck_assert_str_eq(f->specific, "SUBSTRING_REGEX");
    eddy_type a6[3] = {T(EDDY_T_VARCHAR), T(EDDY_T_INTEGER), T(EDDY_T_SMALLINT)};
    ck_assert_int_eq(udf_lookup(reg(), "SUBSTRING", -1, 3, a6, &f, cast, &ret, &e), 0);
    ck_assert_str_eq(f->specific, "SUBSTRING");
    /* Optional arguments: LAG(x), LAG(x, 2), LAG(x, 2, 0). */
    eddy_type a7[3] = {T(EDDY_T_DOUBLE), T(EDDY_T_INTEGER), T(EDDY_T_DOUBLE)};
    for (int n = 1; n <= 3; n++)
        ck_assert_int_eq(udf_lookup(reg(), "LAG", UDF_AGGREGATE, n, a7, &f, cast, &ret, &e), 0);
    ck_assert(f->flags & UDF_F_OVER_ONLY);
}
END_TEST

START_TEST(test_result_rules) {
    const udf_func *f;
    eddy_type cast[4], ret;
    eddy_err e;
    eddy_type i1[1] = {T(EDDY_T_INTEGER)};
    /* Integer AVG stays INTEGER (truncating), SUM widens to BIGINT. */
    ck_assert_int_eq(udf_lookup(reg(), "AVG", UDF_AGGREGATE, 1, i1, &f, cast, &ret, &e), 0);
    ck_assert_int_eq(ret.id, EDDY_T_INTEGER);
    ck_assert_int_eq(udf_lookup(reg(), "SUM", UDF_AGGREGATE, 1, i1, &f, cast, &ret, &e), 0);
    ck_assert_int_eq(ret.id, EDDY_T_BIGINT);
    eddy_type d1[1] = {{EDDY_T_DECIMAL, 8, 2}};
    ck_assert_int_eq(udf_lookup(reg(), "SUM", UDF_AGGREGATE, 1, d1, &f, cast, &ret, &e), 0);
    ck_assert_int_eq(ret.id, EDDY_T_DECIMAL);
    ck_assert_int_eq(ret.precision, 18);
    ck_assert_int_eq(ret.scale, 2);
    /* COUNT(*) has no arguments. */
    ck_assert_int_eq(udf_lookup(reg(), "COUNT", UDF_AGGREGATE, 0, NULL, &f, cast, &ret, &e), 0);
    ck_assert_str_eq(f->specific, "COUNT_STAR");
    ck_assert_int_eq(ret.id, EDDY_T_BIGINT);
    /* COALESCE is variadic with the common type. */
    eddy_type c[4] = {T(EDDY_T_NULL), T(EDDY_T_SMALLINT), T(EDDY_T_INTEGER), {EDDY_T_DECIMAL, 5, 2}};
    ck_assert_int_eq(udf_lookup(reg(), "COALESCE", -1, 4, c, &f, cast, &ret, &e), 0);
    ck_assert_int_eq(ret.id, EDDY_T_DECIMAL);
    ck_assert_int_eq(ret.precision, 12);
    ck_assert_int_eq(ret.scale, 2);
    eddy_type bad[2] = {T(EDDY_T_VARCHAR), T(EDDY_T_INTEGER)};
    ck_assert_int_eq(udf_lookup(reg(), "COALESCE", -1, 2, bad, &f, cast, &ret, &e),
                     EDDY_E_SEMANTIC);
}
END_TEST

START_TEST(test_errors) {
    const udf_func *f;
    eddy_type cast[2], ret;
    eddy_err e;
    eddy_type s1[1] = {T(EDDY_T_VARCHAR)};
    ck_assert_int_eq(udf_lookup(reg(), "UPPR", -1, 1, s1, &f, cast, &ret, &e), EDDY_E_SEMANTIC);
    ck_assert_str_eq(e.msg, "function \"UPPR\" does not exist");
    ck_assert_str_eq(e.hint, "Perhaps you meant UPPER.");
    ck_assert_int_eq(udf_lookup(reg(), "ABS", -1, 1, s1, &f, cast, &ret, &e), EDDY_E_SEMANTIC);
    ck_assert_str_eq(e.msg, "function ABS(VARCHAR) does not exist");
    ck_assert_str_eq(e.hint,
                     "No function matches the given argument types; candidates are ABS(NUMERIC).");
    ck_assert_int_eq(udf_lookup(reg(), "XYZZY_QUUX", -1, 1, s1, &f, cast, &ret, &e),
                     EDDY_E_SEMANTIC);
    ck_assert_str_eq(e.hint, "");
    /* TIMESTAMP does not cast implicitly to BIGINT. */
    eddy_type ts[1] = {T(EDDY_T_TIMESTAMP)};
    ck_assert_int_eq(udf_lookup(reg(), "TO_TIMESTAMP", -1, 1, ts, &f, cast, &ret, &e),
                     EDDY_E_SEMANTIC);
    /* Asking for an aggregate by a scalar's name. */
    ck_assert_int_eq(udf_lookup(reg(), "UPPER", UDF_AGGREGATE, 1, s1, &f, cast, &ret, &e),
                     EDDY_E_SEMANTIC);
    ck_assert_str_eq(e.msg, "function UPPER is not an aggregate");
}
END_TEST

static int fake_eval(const udf_call *call, size_t n_rows, const eddy_value *const *args,
                     eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return 0;
}

START_TEST(test_attach_and_register) {
    udf_registry *r = udf_registry_new();
    static const udf_func tab[] = {
        {.name = "TWICE", .specific = "TWICE_INT", .kind = UDF_SCALAR, .n_args = 1,
         .args = {UDF_A_INTEGER}, .ret_rule = UDF_RET_ARG, .ret_arg = 0},
    };
    eddy_err e;
    ck_assert_int_eq(udf_register(r, tab, 1, &e), 0);
    ck_assert_int_eq(udf_register(r, tab, 1, &e), EDDY_E_INVAL);
    ck_assert_int_eq(udf_attach_scalar(r, "NOPE", fake_eval), EDDY_E_NOTFOUND);
    ck_assert_int_eq(udf_attach_aggregate(r, "TWICE_INT", NULL), EDDY_E_NOTFOUND);
    ck_assert_int_eq(udf_attach_scalar(r, "twice_int", fake_eval), 0);
    const udf_func *f;
    eddy_type a[1] = {T(EDDY_T_TINYINT)}, cast[1], ret;
    ck_assert_int_eq(udf_lookup(r, "twice", -1, 1, a, &f, cast, &ret, &e), 0);
    ck_assert(udf_has_impl(f));
    ck_assert_int_eq(ret.id, EDDY_T_TINYINT);
    ck_assert(udf_exists(r, "Twice"));
    ck_assert(!udf_exists(r, "thrice"));
    udf_registry_free(r);
}
END_TEST

START_TEST(test_every_sig_well_formed) {
    /* Every family table entry has names, sane counts, and the functions
     * SQL.md §6 lists are all present. */
    udf_registry *r = reg();
    size_t n = 0;
    for (const udf_func *f; (f = udf_at(r, n)) != NULL; n++) {
        ck_assert_ptr_nonnull(f->name);
        ck_assert_ptr_nonnull(f->specific);
        ck_assert_int_le(f->n_args, UDF_MAX_ARGS);
        ck_assert_int_le(f->n_optional, f->n_args);
        ck_assert_ptr_nonnull(f->doc);
    }
    ck_assert_int_gt(n, 60);
    static const char *const must[] = {
        "AVG", "COUNT", "MAX", "MIN", "SUM", "FIRST_VALUE", "LAST_VALUE", "EXP_AVG",
        "TOP_K_ITEMS_TUMBLING", "COUNT_DISTINCT_ITEMS_TUMBLING", "RANDOM_CUT_FOREST",
        "RANDOM_CUT_FOREST_WITH_EXPLANATION", "HOTSPOTS", "GROUP_RANK", "ANY", "EVERY",
        "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP",
        "CURRENT_ROW_TIMESTAMP", "EXTRACT", "FLOOR", "CEIL", "CEILING", "STEP", "TSDIFF",
        "CHAR_TO_TIMESTAMP", "CHAR_TO_DATE", "CHAR_TO_TIME", "DATE_TO_CHAR", "TIME_TO_CHAR",
        "TIMESTAMP_TO_CHAR", "TO_TIMESTAMP", "UNIX_TIMESTAMP", "COALESCE", "NULLIF", "ABS",
        "EXP", "LN", "LOG10", "MOD", "POWER", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP",
        "VAR_SAMP", "LAG", "MONOTONIC", "NTH_VALUE", "CHAR_LENGTH", "CHARACTER_LENGTH",
        "INITCAP", "LOWER", "UPPER", "OVERLAY", "POSITION", "SUBSTRING", "TRIM",
        "REGEX_REPLACE", "FAST_REGEX_LOG_PARSE", "FIXED_COLUMN_LOG_PARSE", "REGEX_LOG_PARSE",
        "SYS_LOG_PARSE", "VARIABLE_COLUMN_LOG_PARSE", "W3C_LOG_PARSE",
    };
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        ck_assert_msg(udf_exists(r, must[i]), "missing %s", must[i]);
}
END_TEST

START_TEST(test_casts_and_common_types) {
    ck_assert_int_eq(udf_implicit_cast_cost(EDDY_T_INTEGER, EDDY_T_INTEGER), 0);
    ck_assert_int_gt(udf_implicit_cast_cost(EDDY_T_TINYINT, EDDY_T_DOUBLE), 0);
    ck_assert_int_eq(udf_implicit_cast_cost(EDDY_T_DOUBLE, EDDY_T_INTEGER), -1);
    ck_assert_int_eq(udf_implicit_cast_cost(EDDY_T_TIMESTAMP, EDDY_T_BIGINT), -1);
    ck_assert_int_eq(udf_implicit_cast_cost(EDDY_T_VARCHAR, EDDY_T_INTEGER), -1);
    ck_assert(udf_explicit_cast_ok(EDDY_T_VARCHAR, EDDY_T_TIMESTAMP));
    ck_assert(udf_explicit_cast_ok(EDDY_T_TIMESTAMP, EDDY_T_DATE));
    ck_assert(!udf_explicit_cast_ok(EDDY_T_TIMESTAMP, EDDY_T_BIGINT));
    ck_assert(!udf_explicit_cast_ok(EDDY_T_BOOLEAN, EDDY_T_INTEGER));
    ck_assert(udf_explicit_cast_ok(EDDY_T_INTERVAL_DS, EDDY_T_BIGINT));
    eddy_type out;
    ck_assert_int_eq(udf_common_type((eddy_type){EDDY_T_DECIMAL, 10, 1},
                                     (eddy_type){EDDY_T_DECIMAL, 10, 3}, &out), 0);
    ck_assert_int_eq(out.precision, 12);
    ck_assert_int_eq(out.scale, 3);
    ck_assert_int_eq(udf_common_type(T(EDDY_T_INTEGER), T(EDDY_T_REAL), &out), 0);
    ck_assert_int_eq(out.id, EDDY_T_REAL);
    ck_assert_int_eq(udf_common_type((eddy_type){EDDY_T_CHAR, 3, 0},
                                     (eddy_type){EDDY_T_VARCHAR, 8, 0}, &out), 0);
    ck_assert_int_eq(out.id, EDDY_T_VARCHAR);
    ck_assert_int_eq(out.precision, 8);
    ck_assert_int_eq(udf_common_type(T(EDDY_T_BOOLEAN), T(EDDY_T_INTEGER), &out), -1);
    ck_assert_int_eq(udf_edit_distance("price", "PRCE"), 1);
    ck_assert_int_eq(udf_edit_distance("", "abc"), 3);
}
END_TEST

static Suite *suite_udf(void) {
    Suite *s = suite_create("udf");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, test_lookup_case_insensitive);
    tcase_add_test(tc, test_overloads_and_casts);
    tcase_add_test(tc, test_result_rules);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_attach_and_register);
    tcase_add_test(tc, test_every_sig_well_formed);
    tcase_add_test(tc, test_casts_and_common_types);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_udf)
