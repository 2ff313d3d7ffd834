/*
 * check_common_json.c — unit tests of common/json_field: finding top-level
 * members, value kinds and spans, escapes in names and values, malformed
 * objects, integer fields.
 */
#include "check_main.h"

#include "eddy_err.h"
#include "json_field.h"
#include "sbuf.h"

#include <string.h>

static int find(const char *text, const char *key, json_field *f) {
    return json_field_find(text, strlen(text), key, strlen(key), f);
}

static void assert_raw(const json_field *f, const char *want) {
    ck_assert_int_eq(f->found, 1);
    ck_assert_uint_eq(f->raw_len, strlen(want));
    ck_assert(memcmp(f->raw, want, f->raw_len) == 0);
}

START_TEST(test_find_kinds) {
    const char *t = " { \"sym\" : \"AMZN\", \"price\":-12.5e3, \"ok\":true, \"no\":false,"
                    "\"n\":null, \"o\":{\"sym\":\"inner\",\"a\":[1,{\"b\":\"}\"}]}, \"a\":[\"]\",2] } ";
    json_field f;
    ck_assert_int_eq(find(t, "sym", &f), 0);
    ck_assert_int_eq(f.kind, JSON_FIELD_STRING);
    assert_raw(&f, "\"AMZN\"");
    ck_assert_int_eq(find(t, "price", &f), 0);
    ck_assert_int_eq(f.kind, JSON_FIELD_NUMBER);
    assert_raw(&f, "-12.5e3");
    ck_assert_int_eq(find(t, "ok", &f), 0);
    ck_assert_int_eq(f.kind, JSON_FIELD_BOOL);
    ck_assert_int_eq(find(t, "no", &f), 0);
    assert_raw(&f, "false");
    ck_assert_int_eq(find(t, "n", &f), 0);
    ck_assert_int_eq(f.kind, JSON_FIELD_NULL);
    ck_assert_int_eq(find(t, "o", &f), 0);
    ck_assert_int_eq(f.kind, JSON_FIELD_OBJECT);
    assert_raw(&f, "{\"sym\":\"inner\",\"a\":[1,{\"b\":\"}\"}]}");
    ck_assert_int_eq(find(t, "a", &f), 0);
    ck_assert_int_eq(f.kind, JSON_FIELD_ARRAY);
    assert_raw(&f, "[\"]\",2]");
    /* Nested names are not top-level members. */
    ck_assert_int_eq(find(t, "b", &f), EDDY_E_NOTFOUND);
    ck_assert_int_eq(f.found, 0);
    ck_assert_int_eq(find("{}", "x", &f), EDDY_E_NOTFOUND);
    ck_assert_int_eq(find(t, "", &f), EDDY_E_NOTFOUND);
    ck_assert_int_eq(find("{\"\":1}", "", &f), 0);
}
END_TEST

START_TEST(test_first_wins_and_prefix) {
    json_field f;
    ck_assert_int_eq(find("{\"k\":1,\"k\":2}", "k", &f), 0);
    assert_raw(&f, "1");
    /* A key that is a prefix of a member name is not that member. */
    ck_assert_int_eq(find("{\"key\":1}", "ke", &f), EDDY_E_NOTFOUND);
    ck_assert_int_eq(find("{\"ke\":1}", "key", &f), EDDY_E_NOTFOUND);
}
END_TEST

START_TEST(test_escaped_names_and_values) {
    json_field f;
    /* \u0073ym is "sym" once unescaped. */
    ck_assert_int_eq(find("{\"\\u0073ym\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\"}", "sym", &f), 0);
    ck_assert_int_eq(f.has_escapes, 1);
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(json_field_string(&f, &b), 0);
    ck_assert_str_eq(b.data, "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
    sbuf_clear(&b);
    ck_assert_int_eq(find("{\"k\":\"plain\"}", "k", &f), 0);
    ck_assert_int_eq(f.has_escapes, 0);
    ck_assert_int_eq(json_field_string(&f, &b), 0);
    ck_assert_str_eq(b.data, "plain");
    sbuf_clear(&b);
    /* A lone surrogate is well-formed JSON text but no valid string. */
    ck_assert_int_eq(find("{\"k\":\"x\\ud800y\"}", "k", &f), 0);
    ck_assert_int_eq(json_field_string(&f, &b), EDDY_E_INVAL);
    ck_assert_int_eq(find("{\"k\":\"\\udc00\"}", "k", &f), 0);
    ck_assert_int_eq(json_field_string(&f, &b), EDDY_E_INVAL);
    /* Not a string. */
    ck_assert_int_eq(find("{\"k\":5}", "k", &f), 0);
    ck_assert_int_eq(json_field_string(&f, &b), EDDY_E_INVAL);
    sbuf_free(&b);
}
END_TEST

START_TEST(test_malformed) {
    static const char *bad[] = {
        "",
        "   ",
        "[1,2]",
        "\"k\"",
        "{",
        "{\"k\"",
        "{\"k\":",
        "{\"k\" 1}",
        "{k:1}",
        "{\"k\":1,}",
        "{\"k\":1 \"j\":2}",
        "{\"k\":01}",
        "{\"k\":1.}",
        "{\"k\":-}",
        "{\"k\":1e}",
        "{\"k\":tru}",
        "{\"k\":nul}",
        "{\"k\":\"unterminated}",
        "{\"k\":\"bad \\x escape\"}",
        "{\"k\":\"short \\u12\"}",
        "{\"k\":\"raw\ttab\"}",
        "{\"k\":[1,2}",
        "{\"k\":{\"a\":1]}",
        "{\"k\":[[[",
        "{\"k\":\"\\",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_field f;
        const char *keys[] = {"zz"};
        ck_assert_msg(json_field_scan(bad[i], strlen(bad[i]), keys, 1, &f) == EDDY_E_INVAL,
                      "scan accepted: %s", bad[i]);
        ck_assert_msg(find(bad[i], "zz", &f) == EDDY_E_INVAL, "find accepted: %s", bad[i]);
    }
}
END_TEST

START_TEST(test_scan_many_and_trailing) {
    const char *keys[] = {"b", "a", "missing"};
    json_field f[3];
    const char *t = "{\"a\":\"x\",\"b\":1700000000000,\"c\":[]}";
    ck_assert_int_eq(json_field_scan(t, strlen(t), keys, 3, f), 0);
    assert_raw(&f[0], "1700000000000");
    assert_raw(&f[1], "\"x\"");
    ck_assert_int_eq(f[2].found, 0);
    /* find stops at the match; scan checks the whole text. */
    const char *trailing = "{\"a\":1} x";
    json_field one;
    ck_assert_int_eq(find(trailing, "a", &one), 0);
    ck_assert_int_eq(json_field_scan(trailing, strlen(trailing), keys, 3, f), EDDY_E_INVAL);
    /* The scanner honours the length, not a NUL: a cut object is invalid. */
    ck_assert_int_eq(json_field_scan(t, 10, keys, 3, f), EDDY_E_INVAL);
    /* Deep nesting beyond the limit is refused rather than overflowing. */
    char deep[3000];
    size_t n = 0;
    n += (size_t)sprintf(deep, "{\"k\":");
    for (int i = 0; i < 1100; i++) deep[n++] = '[';
    for (int i = 0; i < 1100; i++) deep[n++] = ']';
    deep[n++] = '}';
    ck_assert_int_eq(json_field_scan(deep, n, keys, 1, f), EDDY_E_INVAL);
}
END_TEST

START_TEST(test_int64) {
    json_field f;
    int64_t v;
    ck_assert_int_eq(find("{\"t\":1700000000123}", "t", &f), 0);
    ck_assert_int_eq(json_field_int64(&f, &v), 0);
    ck_assert(v == 1700000000123LL);
    ck_assert_int_eq(find("{\"t\":-9223372036854775808}", "t", &f), 0);
    ck_assert_int_eq(json_field_int64(&f, &v), 0);
    ck_assert(v == INT64_MIN);
    ck_assert_int_eq(find("{\"t\":9223372036854775807}", "t", &f), 0);
    ck_assert_int_eq(json_field_int64(&f, &v), 0);
    ck_assert(v == INT64_MAX);
    ck_assert_int_eq(find("{\"t\":9223372036854775808}", "t", &f), 0);
    ck_assert_int_eq(json_field_int64(&f, &v), EDDY_E_INVAL);
    ck_assert_int_eq(find("{\"t\":1.5}", "t", &f), 0);
    ck_assert_int_eq(json_field_int64(&f, &v), EDDY_E_INVAL);
    ck_assert_int_eq(find("{\"t\":\"12\"}", "t", &f), 0);
    ck_assert_int_eq(json_field_int64(&f, &v), EDDY_E_INVAL);
}
END_TEST

static Suite *suite_json_field(void) {
    Suite *s = suite_create("json_field");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_find_kinds);
    tcase_add_test(tc, test_first_wins_and_prefix);
    tcase_add_test(tc, test_escaped_names_and_values);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_scan_many_and_trailing);
    tcase_add_test(tc, test_int64);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_json_field)
