/*
 * check_common_dtoa.c — unit tests of common/dtoa.c (shortest round-trip
 * double text) and the printf-free timestamp formatters of eddy_time.c,
 * each checked against the C library's formatting it replaced.
 */
#include "check_main.h"

#include "dtoa.h"
#include "eddy_time.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What eddy printed before dtoa.c: the first of %.15g/%.16g/%.17g to read back. */
static void printf_format(double d, char *buf) {
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 64, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) break;
    }
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int is_pow2_mantissa(double d) {
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return (b & ((1ull << 52) - 1)) == 0;
}

START_TEST(test_dtoa_edges) {
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {0.0, "0"},
        {-0.0, "-0"},
        {1.0, "1"},
        {-1.5, "-1.5"},
        {0.1, "0.1"},
        {0.3, "0.3"},
        {0.1 + 0.2, "0.30000000000000004"},
        {100.0, "100"},
        {1e-4, "0.0001"},
        {1e-5, "1e-05"},
        {1e-7, "1e-07"},
        {1.5e-7, "1.5e-07"},
        {1e15, "1e+15"},
        {1e21, "1e+21"},
        {123456789012345.0, "123456789012345"},
        {1234567890123456.0, "1234567890123456"},
        {9007199254740992.0, "9007199254740992"},
        {9007199254740993.0, "9007199254740992"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {5e-324, "5e-324"},
        {-4.9406564584124654e-324, "-5e-324"},
        {1.23e-18, "1.23e-18"},
        {111.684, "111.684"},
        {0x1p-24, "5.960464477539063e-08"},
        {NAN, "NaN"},
        {INFINITY, "Infinity"},
        {-INFINITY, "-Infinity"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[EDDY_DTOA_MAX];
        size_t n = eddy_dtoa(cases[i].v, buf);
        ck_assert_str_eq(buf, cases[i].text);
        ck_assert_uint_eq(n, strlen(cases[i].text));
    }
}
END_TEST

START_TEST(test_dtoa_integers) {
    /* Integers up to 2^53 take the table-free path; their text is printf's
     * (16-digit ones print whole, those with trailing zeros may go to e+15). */
    for (int i = 0; i < 100000; i++) {
        uint64_t v = rng() >> (11 + rng() % 53);
        char buf[EDDY_DTOA_MAX], want[64];
        eddy_dtoa((double)v, buf);
        printf_format((double)v, want);
        ck_assert_str_eq(buf, want);
        ck_assert_double_eq(strtod(buf, NULL), (double)v);
    }
}
END_TEST

/* One million doubles: random bit patterns, decimal-looking values, powers of
 * two. Each must read back exactly and match the printf text, except where
 * printf's fixed 15/16/17 precisions are not the shortest: subnormals, and
 * powers of two whose shorter 16-digit form is not the nearest 16 digits. */
START_TEST(test_dtoa_random_round_trip) {
    long differ = 0;
    for (long i = 0; i < 1000000; i++) {
        double d;
        switch (i % 4) {
        case 0: {
            uint64_t b = rng();
            memcpy(&d, &b, sizeof d);
            break;
        }
        case 1: d = (double)(rng() % 100000000) / (double)(1 + rng() % 10000); break;
        case 2: d = ldexp((rng() & 1) ? -1.0 : 1.0, (int)(rng() % 2098) - 1074); break;
        default: d = (double)(rng() >> 11) * 0.001; break;
        }
        if (!isfinite(d)) continue;
        char got[EDDY_DTOA_MAX], old[64];
        size_t n = eddy_dtoa(d, got);
        ck_assert_uint_eq(n, strlen(got));
        if (strtod(got, NULL) != d) ck_abort_msg("%a printed as %s does not read back", d, got);
        printf_format(d, old);
        if (strcmp(got, old) == 0) continue;
        if (fpclassify(d) != FP_SUBNORMAL && !is_pow2_mantissa(d))
            ck_abort_msg("%a: dtoa %s, printf %s", d, got, old);
        if (strlen(got) >= strlen(old)) ck_abort_msg("%a: dtoa %s not shorter than %s", d, got, old);
        differ++;
    }
    ck_assert_int_gt(differ, 0); /* the exceptions above were exercised */
}
END_TEST

/* The shortest digits that read back as d, by printf at rising precision
 * (round-to-nearest at p digits, so also the nearest of the shortest). */
static void shortest_by_printf(double d, uint64_t *digits, int32_t *exp10) {
    char buf[64];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, d);
        if (strtod(buf, NULL) != d) continue;
        uint64_t m = 0;
        int n = 0;
        char *c = buf + (buf[0] == '-');
        for (; *c && *c != 'e'; c++)
            if (*c >= '0' && *c <= '9') m = m * 10 + (uint64_t)(*c - '0'), n++;
        int32_t e = (int32_t)strtol(c + 1, NULL, 10) - (n - 1);
        while (m && m % 10 == 0) m /= 10, e++;
        *digits = m;
        *exp10 = e;
        return;
    }
    ck_abort_msg("%a has no shortest form", d);
}

/* The fast path for values with at most three decimals below 2^40 gives
 * exactly the shortest digits: values k/1000 on both sides of 2^40, their
 * neighbouring doubles (which it must hand to Ryu), and products like
 * 0.908 * price. */
START_TEST(test_dtoa_three_decimals_shortest) {
    for (long i = 0; i < 300000; i++) {
        double d;
        uint64_t k = rng() >> (14 + (int)(rng() % 40));
        switch (i % 4) {
        case 0: d = (double)k / 1000.0; break;
        case 1: d = nextafter((double)k / 1000.0, INFINITY); break;
        case 2: d = 0.908 * (double)(k % 100000000); break;
        default: d = -(double)(k % 10000000) / 100.0; break;
        }
        if (d == 0) continue;
        uint64_t got_d, want_d;
        int32_t got_e, want_e;
        eddy_dtoa_digits(d, &got_d, &got_e);
        shortest_by_printf(d, &want_d, &want_e);
        if (got_d != want_d || got_e != want_e)
            ck_abort_msg("%a (%.17g): digits %llu e%d, shortest %llu e%d", d, d, (unsigned long long)got_d, got_e,
                         (unsigned long long)want_d, want_e);
    }
}
END_TEST

static void printf_ts(int64_t ms, char *out, int iso) {
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000, y;
    unsigned mo, d;
    eddy_civil_from_days(days, &y, &mo, &d);
    snprintf(out, 40, iso ? "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ" : "%04lld-%02u-%02u %02d:%02d:%02d.%03d",
             (long long)y, mo, d, (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
             (int)(rem % 1000));
}

START_TEST(test_ts_format_matches_printf) {
    static const int64_t fixed[] = {0, -1, 1, 86399999, 86400000, -86400000, 951782400000 /* 2000-02-29 */,
                                    253402300799999 /* 9999-12-31 */, 253402300800000, -62167219200000 /* 0000 */,
                                    -62167219200001, -62198755200000};
    char got[40], want[40];
    for (int i = 0; i < 50000 + (int)(sizeof fixed / sizeof fixed[0]); i++) {
        int64_t ms = i < (int)(sizeof fixed / sizeof fixed[0])
                         ? fixed[i]
                         : (i % 2 ? 1700000000000 + (int64_t)(rng() % 400000000000)
                                  : (int64_t)(rng() % 600000000000000) - 300000000000000);
        for (int iso = 0; iso <= 1; iso++) {
            size_t n = iso ? eddy_ts_format_iso(ms, got) : eddy_ts_format_sql(ms, got);
            printf_ts(ms, want, iso);
            ck_assert_str_eq(got, want);
            ck_assert_uint_eq(n, strlen(want));
        }
    }
}
END_TEST

static Suite *dtoa_suite(void) {
    Suite *s = suite_create("dtoa");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_dtoa_edges);
    tcase_add_test(tc, test_dtoa_integers);
    tcase_add_test(tc, test_dtoa_random_round_trip);
    tcase_add_test(tc, test_dtoa_three_decimals_shortest);
    tcase_add_test(tc, test_ts_format_matches_printf);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(dtoa_suite)
