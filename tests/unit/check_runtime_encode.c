/*
 * check_runtime_encode.c — unit tests of runtime/encode.c: JSON and CSV
 * output records for every value class, quoting, and error_stream rows;
 * plus a decode → encode round trip.
 */
#include "check_main.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "decode.h"
#include "eddy_time.h"
#include "encode.h"

static eddy_type T(eddy_type_id id, int p, int s) { return (eddy_type){id, p, s}; }

static rt_batch *sample(void) {
    eddy_type ts[9] = {T(EDDY_T_INTEGER, 0, 0),  T(EDDY_T_DECIMAL, 5, 2), T(EDDY_T_DOUBLE, 0, 0),
                       T(EDDY_T_VARCHAR, 20, 0), T(EDDY_T_TIMESTAMP, 0, 0), T(EDDY_T_BOOLEAN, 0, 0),
                       T(EDDY_T_DATE, 0, 0),     T(EDDY_T_TIME, 0, 0),     T(EDDY_T_VARBINARY, 4, 0)};
    eddy_err err;
    rt_batch *b = rt_batch_new(ts, 9, &err);
    uint32_t r = rt_batch_begin_row(b, 1096551703000);  /* 2004-09-30 13:41:43 */
    rt_batch_set_i64(b, 0, r, -12);
    rt_batch_set_i64(b, 1, r, 1250);
    rt_batch_set_f64(b, 2, r, 0.1);
    rt_batch_set_str(b, 3, r, "a \"q\",\nb", 8);
    rt_batch_set_i64(b, 4, r, 1096551703123);
    rt_batch_set_i64(b, 5, r, 1);
    rt_batch_set_i64(b, 6, r, 8079);
    rt_batch_set_i64(b, 7, r, 3723004);
    rt_batch_set_str(b, 8, r, "\x01\x02\x03", 3);
    rt_batch_commit_row(b);
    r = rt_batch_begin_row(b, 0);  /* all NULL but a NaN double */
    rt_batch_set_f64(b, 2, r, NAN);
    rt_batch_commit_row(b);
    return b;
}

static const char *names[9] = {"I", "DEC", "D", "S", "TS", "B", "DT", "TM", "BIN"};

START_TEST(test_json) {
    rt_batch *b = sample();
    eddy_err err;
    rt_encode_opts o = {.with_rowtime = 1};
    rt_encoder *e = rt_encoder_new(RT_FMT_JSON, names, 9, &o, &err);
    sbuf out;
    sbuf_init(&out);
    ck_assert_int_eq(rt_encode_row(e, b, 0, &out), 0);
    ck_assert_str_eq(out.data, "{\"ROWTIME\":\"2004-09-30 13:41:43.000\",\"I\":-12,\"DEC\":12.50,\"D\":0.1,"
                               "\"S\":\"a \\\"q\\\",\\nb\",\"TS\":\"2004-09-30 13:41:43.123\",\"B\":true,"
                               "\"DT\":\"1992-02-14\",\"TM\":\"01:02:03.004\",\"BIN\":\"AQID\"}");
    sbuf_clear(&out);
    ck_assert_int_eq(rt_encode_row(e, b, 1, &out), 0);
    ck_assert_str_eq(out.data, "{\"ROWTIME\":\"1970-01-01 00:00:00.000\",\"I\":null,\"DEC\":null,\"D\":null,"
                               "\"S\":null,\"TS\":null,\"B\":null,\"DT\":null,\"TM\":null,\"BIN\":null}");
    rt_encoder_free(e);
    sbuf_free(&out);
    rt_batch_release(b);
}
END_TEST

START_TEST(test_csv) {
    rt_batch *b = sample();
    eddy_err err;
    rt_encoder *e = rt_encoder_new(RT_FMT_CSV, names, 9, NULL, &err);
    sbuf out;
    sbuf_init(&out);
    rt_encode_row(e, b, 0, &out);
    rt_encode_row(e, b, 1, &out);
    ck_assert_str_eq(out.data, "-12,12.50,0.1,\"a \"\"q\"\",\nb\",2004-09-30 13:41:43.123,true,1992-02-14,"
                               "01:02:03.004,AQID\n,,NaN,,,,,,\n");
    rt_encoder_free(e);
    sbuf_free(&out);
    rt_batch_release(b);
}
END_TEST

START_TEST(test_roundtrip) {
    rt_col_spec cols[] = {{"A", T(EDDY_T_BIGINT, 0, 0), "$.a"},
                          {"P", T(EDDY_T_DECIMAL, 10, 3), "$.p"},
                          {"S", T(EDDY_T_VARCHAR, 0, 0), "$.s"},
                          {"T", T(EDDY_T_TIMESTAMP, 0, 0), "$.t"}};
    eddy_err err;
    rt_decoder *d = rt_decoder_new(RT_FMT_JSON, cols, 4, NULL, &err);
    uint32_t n;
    const eddy_type *ts = rt_decoder_types(d, &n);
    rt_batch *b = rt_batch_new(ts, n, &err);
    const char *rec = "{\"a\":-9223372036854775808,\"p\":-0.005,\"s\":\"\\u00e9\\t\\\"\",\"t\":\"2020-02-29 23:59:59.999\"}";
    const char *en = NULL;
    ck_assert_int_eq(rt_decode_record(d, rec, strlen(rec), 0, b, &en, &err), 1);
    const char *nm[4] = {"a", "p", "s", "t"};
    rt_encoder *e = rt_encoder_new(RT_FMT_JSON, nm, 4, NULL, &err);
    sbuf out;
    sbuf_init(&out);
    rt_encode_row(e, b, 0, &out);
    ck_assert_str_eq(out.data, "{\"a\":-9223372036854775808,\"p\":-0.005,\"s\":\"\xc3\xa9\\t\\\"\","
                               "\"t\":\"2020-02-29 23:59:59.999\"}");
    /* What we write, we read back to the same values. */
    rt_batch_reset(b);
    ck_assert_int_eq(rt_decode_record(d, out.data, out.len, 0, b, &en, &err), 1);
    sbuf again;
    sbuf_init(&again);
    rt_encode_row(e, b, 0, &again);
    ck_assert_str_eq(again.data, out.data);
    sbuf_free(&again);
    sbuf_free(&out);
    rt_encoder_free(e);
    rt_batch_release(b);
    rt_decoder_free(d);
}
END_TEST

START_TEST(test_error_stream) {
    eddy_type ts[RT_ERROR_STREAM_COLS];
    rt_error_stream_types(ts);
    eddy_err err;
    rt_batch *b = rt_batch_new(ts, RT_ERROR_STREAM_COLS, &err);
    rt_error_info info = {.error_time = 1000,
                          .level = "ERROR",
                          .name = RT_ERR_NAME_COERCION,
                          .message = "coercion error: value 300 does not fit TINYINT for column HEARTRATE",
                          .data_rowtime = 500,
                          .data = "{\"h\":300}",
                          .data_len = 9,
                          .pump_name = NULL};
    ck_assert_int_eq(rt_error_row_append(b, &info, &err), 0);
    rt_encoder *e = rt_encoder_new(RT_FMT_JSON, rt_error_stream_names, RT_ERROR_STREAM_COLS, NULL, &err);
    sbuf out;
    sbuf_init(&out);
    rt_encode_row(e, b, 0, &out);
    ck_assert_str_eq(out.data, "{\"ERROR_TIME\":\"1970-01-01 00:00:01.000\",\"ERROR_LEVEL\":\"ERROR\","
                               "\"ERROR_NAME\":\"COERCION_ERROR\",\"MESSAGE\":\"coercion error: value 300 does not "
                               "fit TINYINT for column HEARTRATE\",\"DATA_ROWTIME\":\"1970-01-01 00:00:00.500\","
                               "\"DATA_ROW\":\"7b2268223a3330307d\",\"PUMP_NAME\":null}");
    /* A huge record is cut to the column's length. */
    size_t n = 100000;
    char *big = malloc(n);
    memset(big, 'x', n);
    info.data = big;
    info.data_len = n;
    ck_assert_int_eq(rt_error_row_append(b, &info, &err), 0);
    ck_assert_uint_eq(b->cols[5].v.str[1].n, RT_ERROR_DATA_ROW_MAX);
    ck_assert_int_eq(rt_batch_verify(b, &err), 0);
    free(big);
    sbuf_free(&out);
    rt_encoder_free(e);
    rt_batch_release(b);
}
END_TEST

START_TEST(test_empty_string) {
    /* A quoted empty CSV field is an empty string (not NULL) and encodes as "". */
    rt_col_spec cols[] = {{"S", T(EDDY_T_VARCHAR, 5, 0), NULL}, {"N", T(EDDY_T_INTEGER, 0, 0), NULL}};
    eddy_err err;
    rt_decoder *d = rt_decoder_new(RT_FMT_CSV, cols, 2, NULL, &err);
    uint32_t n;
    const eddy_type *ts = rt_decoder_types(d, &n);
    rt_batch *b = rt_batch_new(ts, n, &err);
    const char *en;
    ck_assert_int_eq(rt_decode_record(d, "\"\",", 3, 0, b, &en, &err), 1);
    ck_assert(!rt_col_is_null(&b->cols[0], 0));
    ck_assert_ptr_nonnull(b->cols[0].v.str[0].p);
    ck_assert(rt_col_is_null(&b->cols[1], 0));
    const char *nm[2] = {"S", "N"};
    rt_encoder *e = rt_encoder_new(RT_FMT_JSON, nm, 2, NULL, &err);
    sbuf out;
    sbuf_init(&out);
    rt_encode_row(e, b, 0, &out);
    ck_assert_str_eq(out.data, "{\"S\":\"\",\"N\":null}");
    sbuf_free(&out);
    rt_encoder_free(e);
    rt_batch_release(b);
    rt_decoder_free(d);
}
END_TEST

/* Reference timestamp text, from the civil calendar and printf only. */
static void ref_ts(int64_t ms, char sep, char *out) {
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000, y;
    unsigned mo, d;
    eddy_civil_from_days(days, &y, &mo, &d);
    snprintf(out, 40, "%04lld-%02u-%02u%c%02d:%02d:%02d.%03d", (long long)y, mo, d, sep, (int)(rem / 3600000),
             (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
}

/* Timestamps around day and minute boundaries, before 1970 and outside
 * years 0..9999, in runs from the same minute and day (the cached paths) and
 * alternating (the cache refills), give the same text as printf. */
START_TEST(test_timestamps_byte_identical) {
    static const int64_t base[] = {0, -1, 1, 59999, 60000, -60000, -60001, 86399999, 86400000, -86400000,
                                   -86400001, 951782400000LL /* 2000-02-29 */, 1096551703123LL,
                                   -62135596800000LL /* 0001-01-01 */, -62167219200000LL /* 0000-01-01 */,
                                   -62167219200001LL, 253402300799999LL /* 9999-12-31 23:59:59.999 */,
                                   253402300800000LL, -30610224000000LL /* 1000-01-01 */};
    static const int64_t deltas[] = {0, 1, 999, 1000, 59000, 59999, 60000, -1, -1000, -60000, 3600000, 86399999};
    char got[64], want[64];
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
        for (size_t k = 0; k < sizeof deltas / sizeof deltas[0]; k++) {
            int64_t ms = base[i] + deltas[k];
            ref_ts(ms, ' ', want);
            size_t n = eddy_ts_format_sql(ms, got);
            ck_assert_msg(!strcmp(got, want), "%lld: %s != %s", (long long)ms, got, want);
            ck_assert_uint_eq(n, strlen(want));
            /* Same minute, other separator. */
            ref_ts(ms, 'T', want);
            strcat(want, "Z");
            eddy_ts_format_iso(ms, got);
            ck_assert_msg(!strcmp(got, want), "%lld: %s != %s", (long long)ms, got, want);
        }
    }
    /* Through the encoder: a run of rows crossing midnight before 1970,
     * with NULLs, and ROWTIME alternating with the column. */
    eddy_type ts[2] = {T(EDDY_T_TIMESTAMP, 0, 0), T(EDDY_T_BIGINT, 0, 0)};
    eddy_err err;
    rt_batch *b = rt_batch_new(ts, 2, &err);
    int64_t start = -86400000 - 61000;   /* 1969-12-30 23:58:59.000 */
    for (int i = 0; i < 200; i++) {
        int64_t ms = start + (int64_t)i * 777;
        uint32_t r = rt_batch_begin_row(b, -ms);
        if (i % 7 != 3) rt_batch_set_i64(b, 0, r, ms);
        if (i % 5 != 1) rt_batch_set_i64(b, 1, r, i % 2 ? -ms : ms);
        rt_batch_commit_row(b);
    }
    const char *nm[2] = {"T", "N"};
    rt_encode_opts o = {.with_rowtime = 1};
    rt_encoder *e = rt_encoder_new(RT_FMT_JSON, nm, 2, &o, &err);
    sbuf out;
    sbuf_init(&out);
    for (uint32_t r = 0; r < b->n_rows; r++) {
        sbuf_clear(&out);
        ck_assert_int_eq(rt_encode_row(e, b, r, &out), 0);
        char rt[40], tv[40], nv[40], line[160];
        ref_ts(b->rowtime[r], ' ', rt);
        if (rt_col_is_null(&b->cols[0], r)) strcpy(tv, "null");
        else {
            tv[0] = '"';
            ref_ts(b->cols[0].v.i64[r], ' ', tv + 1);
            strcat(tv, "\"");
        }
        if (rt_col_is_null(&b->cols[1], r)) strcpy(nv, "null");
        else snprintf(nv, sizeof nv, "%lld", (long long)b->cols[1].v.i64[r]);
        snprintf(line, sizeof line, "{\"ROWTIME\":\"%s\",\"T\":%s,\"N\":%s}", rt, tv, nv);
        ck_assert_str_eq(out.data, line);
    }
    sbuf_free(&out);
    rt_encoder_free(e);
    rt_batch_release(b);
}
END_TEST

/* Integers at every digit count and both ends, and strings of every length
 * around the 8-byte words with an escape at each position. */
START_TEST(test_ints_and_escapes_byte_identical) {
    eddy_type ts[2] = {T(EDDY_T_BIGINT, 0, 0), T(EDDY_T_VARCHAR, 60, 0)};
    eddy_err err;
    rt_batch *b = rt_batch_new(ts, 2, &err);
    int64_t vals[80];
    int nv = 0;
    vals[nv++] = INT64_MIN;
    vals[nv++] = INT64_MAX;
    vals[nv++] = 0;
    for (int64_t p = 1; nv + 4 <= 80; p *= 10) {
        vals[nv++] = p;
        vals[nv++] = p - 1;
        vals[nv++] = -p;
        vals[nv++] = -(p + 1);
        if (p > INT64_MAX / 10) break;
    }
    const char *nm[2] = {"N", "S"};
    rt_encoder *e = rt_encoder_new(RT_FMT_JSON, nm, 2, NULL, &err);
    sbuf out, want;
    sbuf_init(&out);
    sbuf_init(&want);
    int checked = 0;
    for (int i = 0; i < nv; i++) {
        for (size_t n = 0; n <= 50; n++) {
            for (size_t at = 0; at <= n; at++) {   /* at == n: no escape */
                char str[64];
                /* Bytes of 0x7F and above (UTF-8) need no escape. */
                for (size_t k = 0; k < n; k++) str[k] = "a\x7f\xc3\xa9 ~"[(k + (size_t)i) % 6];
                if (at < n) str[at] = "\"\\\n\x1f\x01"[(at + n) % 5];
                rt_batch_reset(b);
                uint32_t r = rt_batch_begin_row(b, 0);
                rt_batch_set_i64(b, 0, r, vals[i]);
                rt_batch_set_str(b, 1, r, str, n);
                rt_batch_commit_row(b);
                sbuf_clear(&out);
                ck_assert_int_eq(rt_encode_row(e, b, r, &out), 0);
                sbuf_clear(&want);
                sbuf_printf(&want, "{\"N\":%lld,\"S\":", (long long)vals[i]);
                sbuf_json_str(&want, str, n);
                sbuf_putc(&want, '}');
                ck_assert_str_eq(out.data, want.data);
                checked++;
            }
        }
    }
    ck_assert_int_gt(checked, 10000);
    sbuf_free(&out);
    sbuf_free(&want);
    rt_encoder_free(e);
    rt_batch_release(b);
}
END_TEST

static Suite *suite_runtime_encode(void) {
    Suite *s = suite_create("runtime_encode");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_csv);
    tcase_add_test(tc, test_roundtrip);
    tcase_add_test(tc, test_error_stream);
    tcase_add_test(tc, test_empty_string);
    tcase_add_test(tc, test_timestamps_byte_identical);
    tcase_add_test(tc, test_ints_and_escapes_byte_identical);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_runtime_encode)
