/*
 * check_common.c — unit tests of common/: errors and caret rendering,
 * arenas, buffers, checksums, 128-bit keys and MD5, time text, base64.
 */
#include "check_main.h"

#include <stdint.h>

#include "arena.h"
#include "base64.h"
#include "checksum.h"
#include "eddy_err.h"
#include "eddy_time.h"
#include "sbuf.h"
#include "u128.h"

#include <string.h>

START_TEST(test_err_render_caret) {
    const char *sql = "CREATE PUMP p AS\n  SELECT * FORM trades";
    eddy_err e;
    eddy_err_clear(&e);
    eddy_err_set_at(&e, EDDY_E_SYNTAX, (uint32_t)(strstr(sql, "FORM") - sql), 4,
                    "syntax error at or near \"FORM\"");
    char out[512];
    eddy_err_render(&e, sql, strlen(sql), out, sizeof out);
    ck_assert_str_eq(out,
                     "ERROR: syntax error at or near \"FORM\" (2:12)\n"
                     "LINE 2:   SELECT * FORM trades\n"
                     "                   ^~~~");
}
END_TEST

START_TEST(test_err_render_hint_no_pos) {
    eddy_err e;
    eddy_err_clear(&e);
    eddy_err_set(&e, EDDY_E_NOTFOUND, "stream \"x\" does not exist");
    eddy_err_hint(&e, "Create it first.");
    char out[256];
    eddy_err_render(&e, NULL, 0, out, sizeof out);
    ck_assert_str_eq(out, "ERROR: stream \"x\" does not exist\nHINT:  Create it first.");
}
END_TEST

START_TEST(test_arena) {
    arena a;
    arena_init(&a, 64);
    char *s = arena_strdup(&a, "hello");
    void *big = arena_alloc(&a, 1000);
    ck_assert_ptr_nonnull(big);
    ck_assert_str_eq(s, "hello");
    ck_assert_str_eq(arena_sprintf(&a, "%d-%s", 7, "x"), "7-x");
    ck_assert_uint_eq((uintptr_t)arena_alloc(&a, 3) % 16, 0);
    arena_reset(&a);
    ck_assert_int_eq(a.failed, 0);
    ck_assert_ptr_nonnull(arena_alloc(&a, 10));
    arena_free(&a);
}
END_TEST

START_TEST(test_sbuf_json) {
    sbuf b;
    sbuf_init(&b);
    sbuf_json_str(&b, "a\"b\\c\n\x01", 7);
    ck_assert_str_eq(b.data, "\"a\\\"b\\\\c\\n\\u0001\"");
    sbuf_printf(&b, "%0300d", 1);
    ck_assert_uint_eq(b.len, 17 + 300);
    sbuf_free(&b);
}
END_TEST

START_TEST(test_crc) {
    /* Standard check values for "123456789". */
    ck_assert_uint_eq(eddy_crc32c(0, "123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(eddy_crc32(0, "123456789", 9), 0xCBF43926u);
    /* Incremental equals one-shot. */
    uint32_t c = eddy_crc32c(0, "12345", 5);
    ck_assert_uint_eq(eddy_crc32c(c, "6789", 4), 0xE3069283u);
}
END_TEST

/* Three buffers at once equal one at a time, whatever the lengths (equal,
 * unequal, empty, not whole words) and the alignment. */
START_TEST(test_crc_x3) {
    unsigned char data[700];
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof data; i++) {
        seed = seed * 1103515245u + 12345u;
        data[i] = (unsigned char)(seed >> 16);
    }
    const size_t lens[][3] = {{0, 0, 0}, {9, 9, 9}, {1, 0, 17}, {200, 200, 200}, {215, 231, 190},
                              {7, 64, 65}, {100, 3, 0}, {160, 161, 162}};
    for (size_t t = 0; t < sizeof lens / sizeof lens[0]; t++) {
        for (size_t align = 0; align < 3; align++) {
            const void *bufs[3] = {data + align, data + 230 + align * 2, data + 470 + align};
            uint32_t got[3];
            eddy_crc32c_x3(bufs, lens[t], got);
            for (int i = 0; i < 3; i++) ck_assert_uint_eq(got[i], eddy_crc32c(0, bufs[i], lens[t][i]));
        }
    }
    const void *check[3] = {"123456789", "123456789", "12345"};
    const size_t check_lens[3] = {9, 9, 5};
    uint32_t got[3];
    eddy_crc32c_x3(check, check_lens, got);
    ck_assert_uint_eq(got[0], 0xE3069283u);
    ck_assert_uint_eq(got[1], 0xE3069283u);
    ck_assert_uint_eq(got[2], eddy_crc32c(0, "12345", 5));
}
END_TEST

START_TEST(test_u128) {
    char buf[48];
    eddy_u128 v;
    ck_assert_int_eq(eddy_u128_parse("340282366920938463463374607431768211455", 39, &v), 0);
    ck_assert(v == EDDY_U128_MAX);
    ck_assert_int_ne(eddy_u128_parse("340282366920938463463374607431768211456", 39, &v), 0);
    ck_assert_int_ne(eddy_u128_parse("12a", 3, &v), 0);
    ck_assert_int_ne(eddy_u128_parse("", 0, &v), 0);
    eddy_u128_format(EDDY_U128_MAX, buf);
    ck_assert_str_eq(buf, "340282366920938463463374607431768211455");
    eddy_u128_format(0, buf);
    ck_assert_str_eq(buf, "0");
    /* MD5("") = d41d8cd98f00b204e9800998ecf8427e */
    eddy_u128 h = eddy_md5_u128("", 0);
    ck_assert_uint_eq((uint64_t)(h >> 64), 0xd41d8cd98f00b204ull);
    ck_assert_uint_eq((uint64_t)h, 0xe9800998ecf8427eull);
}
END_TEST

START_TEST(test_time) {
    int64_t ms;
    char buf[32];
    ck_assert_int_eq(eddy_ts_parse("2004-09-30 13:48:23", 19, &ms), 0);
    eddy_ts_format_sql(ms, buf);
    ck_assert_str_eq(buf, "2004-09-30 13:48:23.000");
    ck_assert_int_eq(eddy_ts_parse("1970-01-01T00:00:01.5Z", 22, &ms), 0);
    ck_assert_int_eq(ms, 1500);
    ck_assert_int_eq(eddy_ts_parse("1970-01-01T01:00:00+01:00", 25, &ms), 0);
    ck_assert_int_eq(ms, 0);
    ck_assert_int_ne(eddy_ts_parse("2004-13-01", 10, &ms), 0);
    eddy_ts_format_iso(-1, buf);
    ck_assert_str_eq(buf, "1969-12-31T23:59:59.999Z");
    /* The extremes format (far outside 0..9999, through printf) without
     * overflowing on the way (UBSan checks). */
    ck_assert_uint_gt(eddy_ts_format_sql(INT64_MIN, buf), 20);
    ck_assert_uint_gt(eddy_ts_format_sql(INT64_MAX, buf), 20);
    ck_assert_uint_gt(eddy_ts_format_iso(INT64_MIN + 1, buf), 20);
}
END_TEST

START_TEST(test_base64) {
    char enc[16];
    unsigned char dec[16];
    eddy_b64_encode("hi!", 3, enc);
    ck_assert_str_eq(enc, "aGkh");
    eddy_b64_encode("h", 1, enc);
    ck_assert_str_eq(enc, "aA==");
    ck_assert_uint_eq(eddy_b64_decode("aA==", 4, dec), 1);
    ck_assert_int_eq(dec[0], 'h');
    ck_assert_uint_eq(eddy_b64_decode("a!==", 4, dec), (size_t)-1);
}
END_TEST

/* The decoder's semantics as first written (one character at a time): the
 * fast table decoder must agree with it on every input, valid or not. */
static size_t ref_b64_decode(const char *in, size_t n, unsigned char *out) {
    while (n > 0 && in[n - 1] == '=') n--;
    if (n % 4 == 1) return (size_t)-1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        int v = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+' || c == '-' ? 62
                : c == '/' || c == '_' ? 63
                                       : -1;
        if (v < 0) return (size_t)-1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return o;
}

START_TEST(test_base64_rules) {
    unsigned char dec[64];
    /* Both alphabets, mixed; any number of trailing '='. */
    ck_assert_uint_eq(eddy_b64_decode("-_+/", 4, dec), 3);
    ck_assert_int_eq(dec[0], 0xfb);
    ck_assert_int_eq(dec[1], 0xff);
    ck_assert_int_eq(dec[2], 0xbf);
    ck_assert_uint_eq(eddy_b64_decode("aA", 2, dec), 1);
    ck_assert_uint_eq(eddy_b64_decode("aA=====", 7, dec), 1);
    ck_assert_uint_eq(eddy_b64_decode("aGk=", 4, dec), 2);
    ck_assert_uint_eq(eddy_b64_decode("", 0, dec), 0);
    ck_assert_uint_eq(eddy_b64_decode("====", 4, dec), 0);
    /* One leftover character, inner '=', whitespace, NUL, high bytes. */
    ck_assert_uint_eq(eddy_b64_decode("aGkhY", 5, dec), (size_t)-1);
    ck_assert_uint_eq(eddy_b64_decode("aG=h", 4, dec), (size_t)-1);
    ck_assert_uint_eq(eddy_b64_decode("aGk h", 5, dec), (size_t)-1);
    ck_assert_uint_eq(eddy_b64_decode("aG\0h", 4, dec), (size_t)-1);
    ck_assert_uint_eq(eddy_b64_decode("aGk\xc3", 4, dec), (size_t)-1);
    /* An invalid character in the last partial group, and in a whole group
     * far from the end. */
    ck_assert_uint_eq(eddy_b64_decode("aGkhY!", 6, dec), (size_t)-1);
    ck_assert_uint_eq(eddy_b64_decode("a.khaGkhaGkh", 12, dec), (size_t)-1);
}
END_TEST

START_TEST(test_base64_matches_reference) {
    /* Random round trips, then random texts over an alphabet mixing valid
     * characters with '=' and junk, against the reference decoder. */
    uint32_t x = 12345;
    unsigned char raw[300], dec[420], ref[420];
    char txt[420];
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = (size_t)(iter % 300);
        for (size_t i = 0; i < n; i++) raw[i] = (unsigned char)((x = x * 1103515245u + 12345u) >> 16);
        size_t tl = eddy_b64_encode(raw, n, txt);
        ck_assert_uint_eq(tl, eddy_b64_enc_len(n));
        ck_assert_uint_eq(strlen(txt), tl);
        ck_assert_uint_eq(eddy_b64_decode(txt, tl, dec), n);
        ck_assert(memcmp(dec, raw, n) == 0);
    }
    static const char pool[] = "AZaz09+/-_=!. \x80";
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)(iter % 23);
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            /* Mostly valid characters, so that many texts decode. */
            txt[i] = (x >> 20) % 8 ? "QWxhZGRpbjpvcGVuIHNlc2FtZQ"[(x >> 8) % 26]
                                   : pool[(x >> 8) % (sizeof pool - 1)];
        }
        size_t a = eddy_b64_decode(txt, n, dec), b = ref_b64_decode(txt, n, ref);
        ck_assert_uint_eq(a, b);
        if (b != (size_t)-1) ck_assert(memcmp(dec, ref, b) == 0);
    }
}
END_TEST

static Suite *suite_common(void) {
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_err_render_caret);
    tcase_add_test(tc, test_err_render_hint_no_pos);
    tcase_add_test(tc, test_arena);
    tcase_add_test(tc, test_sbuf_json);
    tcase_add_test(tc, test_crc);
    tcase_add_test(tc, test_crc_x3);
    tcase_add_test(tc, test_u128);
    tcase_add_test(tc, test_time);
    tcase_add_test(tc, test_base64);
    tcase_add_test(tc, test_base64_rules);
    tcase_add_test(tc, test_base64_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_common)
