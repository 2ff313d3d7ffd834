/*
 * check_server_kinesis_fast.c — the data-plane fast path of the Kinesis API
 * (server/srv_kinesis_fast.c): the body scanner must accept only what cJSON
 * reads the same way, and the hand-rolled number formatting must give the
 * bytes cJSON_PrintUnformatted gives. No sockets.
 */
#include "check_main.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "srv_kinesis_int.h"

/* What cJSON prints for one number. */
static char *cjson_number(double d) {
    cJSON *n = cJSON_CreateNumber(d);
    char *s = cJSON_PrintUnformatted(n);
    cJSON_Delete(n);
    return s;
}

static void check_time(int64_t ms) {
    sbuf b;
    sbuf_init(&b);
    srv_kx_put_time(&b, ms);
    char *want = cjson_number((double)ms / 1000.0);
    ck_assert_msg(!strcmp(b.data, want), "ms %lld: got %s, cJSON %s", (long long)ms, b.data, want);
    free(want);
    sbuf_free(&b);
}

static void check_int(int64_t v) {
    sbuf b;
    sbuf_init(&b);
    srv_kx_put_int(&b, v);
    char *want = cjson_number((double)v);
    ck_assert_msg(!strcmp(b.data, want), "v %lld: got %s, cJSON %s", (long long)v, b.data, want);
    free(want);
    sbuf_free(&b);
}

START_TEST(test_numbers_match_cjson) {
    static const int64_t fixed[] = {0, 1, -1, 999, 1000, 1001, 1010, 1100, 1500, -1500, 2147483647,
                                    2147483648LL, 2147483647000LL, 2147483648000LL, 1764123456789LL,
                                    1764123456000LL, 1764123456780LL, 999999999999999LL,
                                    1000000000000000LL, 1234567890123456789LL, -1234567890123456LL,
                                    INT64_MAX, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        check_time(fixed[i]);
        check_int(fixed[i]);
    }
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        /* Arrival times around now, then any magnitude. */
        check_time((int64_t)(1700000000000LL + (int64_t)(x % 100000000000LL)));
        int64_t v = (int64_t)(x >> (x % 50));
        check_time(i % 2 ? v : -v);
        check_int(i % 2 ? v : -v);
    }
}
END_TEST

static int fast(const char *body, int records, srv_call *c) {
    memset(c, 0, sizeof *c);
    return srv_kx_fast_parse(c, body, strlen(body), records);
}

START_TEST(test_parse_put_records) {
    srv_call c;
    const char *body =
        " {\"StreamName\" : \"s1\",\"Records\":[{\"Data\":\"aGk=\",\"PartitionKey\":\"k\"},\n"
        "{\"PartitionKey\":\"\xc3\xa9t\xc3\xa9\",\"ExplicitHashKey\":\"12\",\"Data\":\"\"}] } ";
    ck_assert_int_eq(fast(body, 1, &c), 0);
    ck_assert_str_eq(srv_kx_str(c.in, "StreamName"), "s1");
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(c.in, "Records"));
    ck_assert_uint_eq(c.n_recs, 2);
    ck_assert_str_eq(c.recs[0].data, "aGk=");
    ck_assert_uint_eq(c.recs[0].data_len, 4);
    ck_assert_str_eq(c.recs[0].pk, "k");
    ck_assert_ptr_null(c.recs[0].ehk);
    ck_assert_str_eq(c.recs[1].pk, "\xc3\xa9t\xc3\xa9");
    ck_assert_uint_eq(c.recs[1].pk_len, 5);
    ck_assert_str_eq(c.recs[1].ehk, "12");
    ck_assert_uint_eq(c.recs[1].data_len, 0);
    srv_kx_fast_drop(&c);
}
END_TEST

START_TEST(test_parse_scalars_match_cjson) {
    /* What the scanner accepts, cJSON reads to the same members. */
    static const char *const ok[] = {
        "{}",
        "{\"ShardIterator\":\"AAAA\",\"Limit\":10000}",
        "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"AT_TIMESTAMP\","
        "\"Timestamp\":1764123456.789}",
        "{\"Limit\":-1.5e3,\"X\":\"\"}",
        "{\"StreamName\":\"s\",\"Data\":\"QQ==\",\"PartitionKey\":\"p\"}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        srv_call c;
        ck_assert_msg(fast(ok[i], 0, &c) == 0, "%s", ok[i]);
        cJSON *ref = cJSON_Parse(ok[i]);
        char *a = cJSON_PrintUnformatted(c.in), *b = cJSON_PrintUnformatted(ref);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
        cJSON_Delete(ref);
        srv_kx_fast_drop(&c);
    }
}
END_TEST

START_TEST(test_parse_leaves_the_rest_to_cjson) {
    /* Each of these must go the cJSON way (which words every error). */
    static const struct {
        const char *body;
        int records;
    } no[] = {
        {"", 0},
        {"[]", 0},
        {"{\"StreamName\":\"a\\\"b\"}", 0},                      /* escape */
        {"{\"StreamName\":\"a\",\"StreamName\":\"b\"}", 0},      /* duplicate */
        {"{\"StreamName\":null}", 0},
        {"{\"StreamName\":true}", 0},
        {"{\"StartingPosition\":{\"Type\":\"LATEST\"}}", 0},     /* nested */
        {"{\"StreamName\":\"a\"} x", 0},                         /* trailing text */
        {"{\"StreamName\":\"a\",}", 0},
        {"{\"StreamName\":\"a\"", 0},
        {"{\"StreamName\":\"a\tb\"}", 0},                        /* control character */
        {"{\"Limit\":1e}", 0},
        {"{\"Limit\":--1}", 0},
        {"{\"Records\":[{\"Data\":\"QQ==\",\"PartitionKey\":\"k\"}]}", 0},  /* no array wanted */
        {"{\"StreamName\":\"s\"}", 1},                           /* no Records */
        {"{\"Records\":[]}", 1},
        {"{\"Records\":[{}]}", 1},
        {"{\"Records\":[{\"Data\":\"QQ==\"}]}", 1},
        {"{\"Records\":[{\"PartitionKey\":\"k\"}]}", 1},
        {"{\"Records\":[{\"Data\":\"QQ==\",\"PartitionKey\":\"\"}]}", 1},
        {"{\"Records\":[{\"Data\":\"QQ==\",\"PartitionKey\":\"k\",\"Other\":\"x\"}]}", 1},
        {"{\"Records\":[{\"Data\":\"QQ==\",\"PartitionKey\":\"k\",\"Data\":\"QQ==\"}]}", 1},
        {"{\"Records\":[{\"Data\":null,\"PartitionKey\":\"k\"}]}", 1},
        {"{\"Records\":[{\"Data\":1,\"PartitionKey\":\"k\"}]}", 1},
        {"{\"Records\":[\"x\"]}", 1},
        {"{\"Records\":[{\"Data\":\"QQ==\",\"PartitionKey\":\"k\"}],\"Records\":[]}", 1},
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        srv_call c;
        ck_assert_msg(fast(no[i].body, no[i].records, &c) == -1, "accepted: %s", no[i].body);
        ck_assert_ptr_null(c.in);
        ck_assert_ptr_null(c.recs);
    }
}
END_TEST

START_TEST(test_parse_record_limits) {
    sbuf b;
    sbuf_init(&b);
    char pk[258];
    memset(pk, 'k', sizeof pk);
    pk[257] = 0;
    for (int n = 499; n <= 501; n++) {
        sbuf_clear(&b);
        sbuf_puts(&b, "{\"StreamName\":\"s\",\"Records\":[");
        for (int i = 0; i < n; i++) sbuf_printf(&b, "%s{\"Data\":\"QQ==\",\"PartitionKey\":\"%d\"}", i ? "," : "", i);
        sbuf_puts(&b, "]}");
        srv_call c;
        memset(&c, 0, sizeof c);
        int rc = srv_kx_fast_parse(&c, b.data, b.len, 1);
        ck_assert_int_eq(rc, n <= 500 ? 0 : -1);
        if (rc == 0) {
            ck_assert_uint_eq(c.n_recs, (size_t)n);
            ck_assert_str_eq(c.recs[n - 1].pk, n == 499 ? "498" : "499");
        }
        srv_kx_fast_drop(&c);
    }
    /* Partition keys of 256 bytes pass, 257 go to the validation path. */
    for (int len = 256; len <= 257; len++) {
        sbuf_clear(&b);
        sbuf_printf(&b, "{\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"%.*s\"}]}", len, pk);
        srv_call c;
        memset(&c, 0, sizeof c);
        ck_assert_int_eq(srv_kx_fast_parse(&c, b.data, b.len, 1), len == 256 ? 0 : -1);
        srv_kx_fast_drop(&c);
    }
    sbuf_free(&b);
}
END_TEST

static Suite *suite_fast(void) {
    Suite *s = suite_create("server_kinesis_fast");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_numbers_match_cjson);
    tcase_add_test(tc, test_parse_put_records);
    tcase_add_test(tc, test_parse_scalars_match_cjson);
    tcase_add_test(tc, test_parse_leaves_the_rest_to_cjson);
    tcase_add_test(tc, test_parse_record_limits);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_fast)
