/*
 * check_server_api.c — unit tests of the Kinesis API's pure parts in
 * server/: event-stream frames (golden bytes from KINESIS-API.md §1.6),
 * the CBOR codec (golden vectors incl. the SDK v2 AT_TIMESTAMP capture of
 * §1.3), SigV4 (AWS's published suite vectors and a botocore-signed Kinesis
 * request) and Coral-style validation messages. No sockets.
 */
#include "check_main.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "sbuf.h"
#include "srv_cbor.h"
#include "srv_eventstream.h"
#include "srv_kinesis_int.h"
#include "srv_sigv4.h"

static size_t unhex(const char *h, uint8_t *out) {
    size_t n = 0;
    for (; *h; h++) {
        if (*h == ' ' || *h == '\n') continue;
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h++;
    }
    return n;
}

/* ------------------------------------------------------------ event stream */

static const char initial_response_hex[] =
    "00000068 00000056 4e681724 0d3a6d6573736167652d74797065 07 0005 6576656e74"
    "0b3a6576656e742d74797065 07 0010 696e697469616c2d726573706f6e7365"
    "0d3a636f6e74656e742d74797065 07 0010 6170706c69636174696f6e2f6a736f6e 7b7d fe942c1d";

START_TEST(test_es_golden_initial_response) {
    uint8_t want[256];
    size_t wn = unhex(initial_response_hex, want);
    ck_assert_uint_eq(wn, 104);
    srv_es_header h[3] = {{":message-type", "event"}, {":event-type", "initial-response"},
                          {":content-type", "application/json"}};
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(srv_es_encode(&b, h, 3, "{}", 2), 0);
    ck_assert_uint_eq(b.len, wn);
    ck_assert(memcmp(b.data, want, wn) == 0);
    sbuf_free(&b);
}
END_TEST

START_TEST(test_es_decode_roundtrip) {
    srv_es_header h[3] = {{":message-type", "event"}, {":event-type", "SubscribeToShardEvent"},
                          {":content-type", "application/x-amz-json-1.1"}};
    sbuf b;
    sbuf_init(&b);
    const char *payload = "{\"Records\":[],\"MillisBehindLatest\":0}";
    ck_assert_int_eq(srv_es_encode(&b, h, 3, payload, strlen(payload)), 0);
    ck_assert_int_eq(srv_es_encode(&b, h, 1, "", 0), 0);   /* a second frame follows */
    srv_es_message m;
    eddy_err e;
    eddy_err_clear(&e);
    long n = srv_es_decode((const uint8_t *)b.data, b.len, &m, &e);
    ck_assert_int_gt(n, 0);
    ck_assert_uint_eq(m.n_headers, 3);
    size_t len;
    const char *et = srv_es_header_get(&m, ":event-type", &len);
    ck_assert_ptr_nonnull(et);
    ck_assert_int_eq((int)len, 21);
    ck_assert(memcmp(et, "SubscribeToShardEvent", len) == 0);
    ck_assert_uint_eq(m.payload_len, strlen(payload));
    ck_assert(memcmp(m.payload, payload, m.payload_len) == 0);
    /* headers of a SubscribeToShardEvent: 22 + 36 + 43 bytes with the 1.1 content type
     * (91 with application/json, as KINESIS-API.md §1.6 measured on kinesis-mock) */
    ck_assert_uint_eq((size_t)n, 12 + 101 + strlen(payload) + 4);
    long n2 = srv_es_decode((const uint8_t *)b.data + n, b.len - (size_t)n, &m, &e);
    ck_assert_int_eq(n2, 16 + 22);
    ck_assert_uint_eq(m.payload_len, 0);
    /* partial input asks for more */
    ck_assert_int_eq(srv_es_decode((const uint8_t *)b.data, 11, &m, &e), 0);
    ck_assert_int_eq(srv_es_decode((const uint8_t *)b.data, (size_t)n - 1, &m, &e), 0);
    sbuf_free(&b);
}
END_TEST

START_TEST(test_es_decode_rejects_corruption) {
    uint8_t f[256];
    size_t n = unhex(initial_response_hex, f);
    srv_es_message m;
    eddy_err e;
    eddy_err_clear(&e);
    f[n - 5] ^= 1;   /* payload byte: message CRC fails */
    ck_assert_int_eq(srv_es_decode(f, n, &m, &e), EDDY_E_CORRUPT);
    f[n - 5] ^= 1;
    f[2] ^= 1;       /* length byte: prelude CRC fails */
    ck_assert_int_eq(srv_es_decode(f, n, &m, &e), EDDY_E_CORRUPT);
    f[2] ^= 1;
    ck_assert_int_eq(srv_es_decode(f, n, &m, &e), (long)n);
}
END_TEST

START_TEST(test_es_encode_limits) {
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    srv_es_header h[1] = {{big, "v"}};
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(srv_es_encode(&b, h, 1, "", 0), EDDY_E_INVAL);
    ck_assert_uint_eq(b.len, 0);
    sbuf_free(&b);
}
END_TEST

static Suite *suite_eventstream(void) {
    Suite *s = suite_create("eventstream");
    TCase *tc = tcase_create("frames");
    tcase_add_test(tc, test_es_golden_initial_response);
    tcase_add_test(tc, test_es_decode_roundtrip);
    tcase_add_test(tc, test_es_decode_rejects_corruption);
    tcase_add_test(tc, test_es_encode_limits);
    suite_add_tcase(s, tc);
    return s;
}

/* ------------------------------------------------------------ CBOR */

/* A GetShardIterator request as the Java SDK v2 sends it, with the captured
 * AT_TIMESTAMP value c1 1b 000001a013accc38 (= 1787036486712 ms), in an
 * indefinite-length map as Jackson's CBOR generator writes it. */
START_TEST(test_cbor_at_timestamp_capture) {
    uint8_t buf[256];
    size_t n = 0;
    buf[n++] = 0xbf;   /* indefinite map */
    const char *k1 = "ShardIteratorType", *v1 = "AT_TIMESTAMP", *k2 = "Timestamp";
    buf[n++] = (uint8_t)(0x60 + strlen(k1));
    memcpy(buf + n, k1, strlen(k1));
    n += strlen(k1);
    buf[n++] = (uint8_t)(0x60 + strlen(v1));
    memcpy(buf + n, v1, strlen(v1));
    n += strlen(v1);
    buf[n++] = (uint8_t)(0x60 + strlen(k2));
    memcpy(buf + n, k2, strlen(k2));
    n += strlen(k2);
    n += unhex("c1 1b 000001a013accc38", buf + n);
    buf[n++] = 0xff;
    cJSON *v = NULL;
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_int_eq(srv_cbor_decode(buf, n, &v, &e), 0);
    ck_assert_str_eq(srv_kx_str(v, "ShardIteratorType"), "AT_TIMESTAMP");
    ck_assert_int_eq(srv_kx_time_ms(v, "Timestamp"), 1787036486712LL);
    /* and back: tag 1 + the same 8-byte integer of milliseconds */
    sbuf out;
    sbuf_init(&out);
    ck_assert_int_eq(srv_cbor_encode(v, &out), 0);
    uint8_t ts[32];
    size_t tn = unhex("69 54696d657374616d70 c1 1b 000001a013accc38", ts);
    ck_assert_ptr_nonnull(memmem(out.data, out.len, ts, tn));
    ck_assert_uint_eq((uint8_t)out.data[0], 0xa2);   /* definite map of 2 */
    sbuf_free(&out);
    cJSON_Delete(v);
}
END_TEST

START_TEST(test_cbor_golden_encode) {
    /* {"Data": <bytes "hi">, "N": -2, "OK": true, "F": 1.5, "Z": null} */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Data", "aGk=");
    cJSON_AddNumberToObject(o, "N", -2);
    cJSON_AddBoolToObject(o, "OK", 1);
    cJSON_AddNumberToObject(o, "F", 1.5);
    cJSON_AddNullToObject(o, "Z");
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(srv_cbor_encode(o, &b), 0);
    uint8_t want[64];
    size_t wn = unhex("a5 6444617461 426869 614e 21 624f4b f5 6146 fb3ff8000000000000 615a f6", want);
    ck_assert_uint_eq(b.len, wn);
    ck_assert(memcmp(b.data, want, wn) == 0);
    sbuf_free(&b);
    cJSON_Delete(o);
}
END_TEST

START_TEST(test_cbor_roundtrip_records) {
    const char *json =
        "{\"Records\":[{\"SequenceNumber\":\"49590338271490256608559692538361571095921575989136588898\","
        "\"ApproximateArrivalTimestamp\":1441215410.867,\"Data\":\"AAECAwQ=\",\"PartitionKey\":\"k\"}],"
        "\"NextShardIterator\":\"AAAAAAAAAAE=\",\"MillisBehindLatest\":0,\"Big\":4294967296}";
    cJSON *v = cJSON_Parse(json);
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(srv_cbor_encode(v, &b), 0);
    /* the arrival time goes out as tag 1 of 1441215410867 ms */
    uint8_t ts[16];
    size_t tn = unhex("c1 1b 0000014f8f21f2b3", ts);
    ck_assert_ptr_nonnull(memmem(b.data, b.len, ts, tn));
    /* Data goes out as the 5-byte string 00..04 */
    uint8_t data[8];
    size_t dn = unhex("45 0001020304", data);
    ck_assert_ptr_nonnull(memmem(b.data, b.len, data, dn));
    cJSON *back = NULL;
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_int_eq(srv_cbor_decode(b.data, b.len, &back, &e), 0);
    char *a = cJSON_PrintUnformatted(v), *c = cJSON_PrintUnformatted(back);
    ck_assert_str_eq(a, c);
    free(a);
    free(c);
    cJSON_Delete(back);
    cJSON_Delete(v);
    sbuf_free(&b);
}
END_TEST

START_TEST(test_cbor_decode_forms) {
    eddy_err e;
    eddy_err_clear(&e);
    cJSON *v = NULL;
    /* [half 1.0, float 0.5, -500, chunked text "ab"+"c", chunked bytes, false, undefined, tag 55 "x"] */
    uint8_t in[64];
    size_t n = unhex("88 f93c00 fa3f000000 3901f3 7f 626162 6163 ff 5f 4101 4102 ff f4 f7 d8 37 6178", in);
    ck_assert_int_eq(srv_cbor_decode(in, n, &v, &e), 0);
    char *txt = cJSON_PrintUnformatted(v);
    ck_assert_str_eq(txt, "[1,0.5,-500,\"abc\",\"AQI=\",false,null,\"x\"]");
    free(txt);
    cJSON_Delete(v);
}
END_TEST

START_TEST(test_cbor_decode_rejects) {
    eddy_err e;
    eddy_err_clear(&e);
    cJSON *v = NULL;
    uint8_t in[256];
    const char *bad[] = {
        "",                   /* empty */
        "a1 61",              /* truncated key */
        "a1 01 02",           /* integer key */
        "62 61",              /* short string */
        "01 02",              /* trailing bytes */
        "9b ffffffffffffffff",/* absurd array length */
        "7f 01 ff",           /* bad chunk */
        "1c",                 /* reserved info */
        "ff",                 /* stray break */
        "c1 61 61",           /* tag 1 over text */
        "62 6100",            /* NUL in text */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = unhex(bad[i], in);
        ck_assert_msg(srv_cbor_decode(in, n, &v, &e) == EDDY_E_INVAL, "accepted %s", bad[i]);
        ck_assert_ptr_null(v);
    }
    /* nesting beyond 64 levels */
    memset(in, 0x81, 100);
    in[100] = 0x01;
    ck_assert_int_eq(srv_cbor_decode(in, 101, &v, &e), EDDY_E_INVAL);
    ck_assert_ptr_null(v);
}
END_TEST

static Suite *suite_cbor(void) {
    Suite *s = suite_create("cbor");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_cbor_at_timestamp_capture);
    tcase_add_test(tc, test_cbor_golden_encode);
    tcase_add_test(tc, test_cbor_roundtrip_records);
    tcase_add_test(tc, test_cbor_decode_forms);
    tcase_add_test(tc, test_cbor_decode_rejects);
    suite_add_tcase(s, tc);
    return s;
}

/* ------------------------------------------------------------ SigV4 */

/* AWS SigV4 test suite "get-vanilla" and "post-vanilla". */
START_TEST(test_sigv4_aws_suite) {
    srv_header h[2] = {{"host", "example.amazonaws.com"}, {"x-amz-date", "20150830T123600Z"}};
    srv_request req = {.method = "GET", .path = "/", .query = "", .headers = h, .n_headers = 2,
                       .body = "", .body_len = 0};
    char sig[65];
    ck_assert_int_eq(srv_sigv4_sign(&req, "host;x-amz-date", "20150830T123600Z", "us-east-1", "service",
                                    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sig), 0);
    ck_assert_str_eq(sig, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    req.method = "POST";
    ck_assert_int_eq(srv_sigv4_sign(&req, "host;x-amz-date", "20150830T123600Z", "us-east-1", "service",
                                    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sig), 0);
    ck_assert_str_eq(sig, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    /* a signed header that is absent is an error */
    ck_assert_int_eq(srv_sigv4_sign(&req, "host;x-amz-date;x-amz-target", "20150830T123600Z", "us-east-1",
                                    "service", "k", sig), EDDY_E_INVAL);
}
END_TEST

/* A DescribeStream request signed by botocore (SigV4Auth) for AKIDTEST. */
static const char boto_body[] = "{\"StreamName\":\"s1\",\"Limit\":1}";
static const char boto_auth[] =
    "AWS4-HMAC-SHA256 Credential=AKIDTEST/20261126/us-east-1/kinesis/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=55d8fd897a9cd8cce0a0e770e65437c68a14e0e71d564ac50a3b0e6fbbfc7a60";
static const int64_t boto_now = 1795657063000LL;   /* 2026-11-26T01:37:43Z */

static void boto_request(srv_request *req, srv_header *h, const char *auth, const char *body) {
    h[0] = (srv_header){"content-type", "application/x-amz-json-1.1"};
    h[1] = (srv_header){"x-amz-target", "Kinesis_20131202.DescribeStream"};
    h[2] = (srv_header){"x-amz-date", "20261126T013743Z"};
    h[3] = (srv_header){"host", "127.0.0.1:4567"};
    h[4] = (srv_header){"authorization", auth};
    *req = (srv_request){.method = "POST", .path = "/", .query = "", .headers = h, .n_headers = auth ? 5 : 4,
                         .body = body, .body_len = strlen(body)};
}

START_TEST(test_sigv4_strict) {
    srv_sigv4_keys *keys = NULL;
    ck_assert_int_eq(srv_sigv4_keys_add(&keys, "AKIDTEST", "secretTEST/xyz"), 0);
    srv_header h[5];
    srv_request req;
    srv_sigv4_result r;
    boto_request(&req, h, boto_auth, boto_body);
    srv_sigv4_check(&req, keys, "us-east-1", boto_now, &r);
    ck_assert_msg(r.type == NULL, "%s: %s", r.type, r.message);
    /* tampered body */
    boto_request(&req, h, boto_auth, "{\"StreamName\":\"s2\",\"Limit\":1}");
    srv_sigv4_check(&req, keys, "us-east-1", boto_now, &r);
    ck_assert_str_eq(r.type, "InvalidSignatureException");
    ck_assert_msg(strstr(r.message, "The request signature we calculated does not match") == r.message, "%s",
                  r.message);
    /* wrong secret */
    srv_sigv4_keys *other = NULL;
    srv_sigv4_keys_add(&other, "AKIDTEST", "nope");
    boto_request(&req, h, boto_auth, boto_body);
    srv_sigv4_check(&req, other, "us-east-1", boto_now, &r);
    ck_assert_str_eq(r.type, "InvalidSignatureException");
    srv_sigv4_keys_free(other);
    /* clock skew beyond 5 minutes */
    srv_sigv4_check(&req, keys, "us-east-1", boto_now + 6 * 60 * 1000, &r);
    ck_assert_str_eq(r.type, "InvalidSignatureException");
    ck_assert_str_eq(r.message, "Signature expired: 20261126T013743Z is now earlier than 20261126T013843Z (now - 5 min.)");
    /* another region */
    srv_sigv4_check(&req, keys, "eu-west-1", boto_now, &r);
    ck_assert_str_eq(r.type, "InvalidSignatureException");
    /* unknown key */
    srv_sigv4_keys *none = NULL;
    srv_sigv4_keys_add(&none, "SOMEONE", "x");
    srv_sigv4_check(&req, none, "us-east-1", boto_now, &r);
    ck_assert_str_eq(r.type, "UnrecognizedClientException");
    ck_assert_str_eq(r.message, "The security token included in the request is invalid.");
    srv_sigv4_keys_free(none);
    srv_sigv4_keys_free(keys);
}
END_TEST

START_TEST(test_sigv4_presence) {
    srv_header h[5];
    srv_request req;
    srv_sigv4_result r;
    boto_request(&req, h, NULL, boto_body);
    srv_sigv4_check(&req, NULL, "us-east-1", boto_now, &r);
    ck_assert_str_eq(r.type, "MissingAuthenticationTokenException");
    ck_assert_str_eq(r.message, "Missing Authentication Token");
    boto_request(&req, h, "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request", boto_body);
    srv_sigv4_check(&req, NULL, "us-east-1", boto_now, &r);
    ck_assert_str_eq(r.type, "IncompleteSignatureException");
    ck_assert_str_eq(r.message,
                     "Authorization header requires 'Signature' parameter. Authorization header requires "
                     "'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request");
    /* any well-formed credentials pass without keys */
    boto_request(&req, h, boto_auth, "{}");
    srv_sigv4_check(&req, NULL, "us-east-1", 0, &r);
    ck_assert_ptr_null(r.type);
    /* header and query string together */
    req.query = "X-Amz-Algorithm=AWS4-HMAC-SHA256";
    srv_sigv4_check(&req, NULL, "us-east-1", 0, &r);
    ck_assert_str_eq(r.type, "InvalidSignatureException");
}
END_TEST

START_TEST(test_sigv4_keyfile) {
    const char *dir = eddy_test_tmpdir();
    char path[300];
    snprintf(path, sizeof path, "%s/keys", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "# comment\n\nAKIDTEST secretTEST/xyz\n");
    fclose(f);
    srv_sigv4_keys *k = NULL;
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_int_eq(srv_sigv4_keys_load(path, &k, &e), 0);
    srv_header h[5];
    srv_request req;
    srv_sigv4_result r;
    boto_request(&req, h, boto_auth, boto_body);
    srv_sigv4_check(&req, k, "us-east-1", boto_now, &r);
    ck_assert_ptr_null(r.type);
    srv_sigv4_keys_free(k);
    f = fopen(path, "w");
    fprintf(f, "only-one-field\n");
    fclose(f);
    ck_assert_int_eq(srv_sigv4_keys_load(path, &k, &e), EDDY_E_INVAL);
    ck_assert_ptr_null(k);
    unlink(path);
    rmdir(dir);
}
END_TEST

static Suite *suite_sigv4(void) {
    Suite *s = suite_create("sigv4");
    TCase *tc = tcase_create("sigv4");
    tcase_add_test(tc, test_sigv4_aws_suite);
    tcase_add_test(tc, test_sigv4_strict);
    tcase_add_test(tc, test_sigv4_presence);
    tcase_add_test(tc, test_sigv4_keyfile);
    suite_add_tcase(s, tc);
    return s;
}

/* ------------------------------------------------------------ validation */

static void check(const char *op, const char *json, const char *type, const char *msg) {
    size_t n;
    const srv_kx_field *f = srv_kx_op_fields(op, &n);
    ck_assert_ptr_nonnull(f);
    cJSON *in = cJSON_Parse(json);
    const char *t = NULL;
    char out[4096];
    int rc = srv_kx_check_fields(in, f, n, &t, out, sizeof out);
    cJSON_Delete(in);
    if (!type) {
        ck_assert_msg(rc == 0, "%s rejected: %s", json, out);
        return;
    }
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(t, type);
    ck_assert_str_eq(out, msg);
}

START_TEST(test_validation_messages) {
    check("CreateStream", "{\"StreamName\":\"bad name!\",\"ShardCount\":0}", "ValidationException",
          "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must "
          "have value greater than or equal to 1; Value 'bad name!' at 'streamName' failed to satisfy "
          "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    check("CreateStream", "{}", "ValidationException",
          "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member "
          "must not be null");
    check("CreateStream", "{\"StreamName\":\"ok\",\"ShardCount\":2}", NULL, NULL);
    check("CreateStream", "{\"StreamName\":123}", "SerializationException",
          "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
    check("CreateStream", "{\"StreamName\":{}}", "SerializationException",
          "Start of structure or map found where not expected.");
    check("GetShardIterator", "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"OLDEST\"}",
          "ValidationException",
          "1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: "
          "Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, "
          "LATEST, AT_TIMESTAMP]");
    check("GetRecords", "{\"ShardIterator\":\"x\",\"Limit\":10001}", "ValidationException",
          "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must "
          "have value less than or equal to 10000");
    check("PutRecord", "{\"StreamName\":\"s\",\"Data\":\"AA==\",\"PartitionKey\":\"\"}", "ValidationException",
          "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must "
          "have length greater than or equal to 1");
    check("DescribeStream", "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\"}", NULL, NULL);
    check("DescribeStream", "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:123:stream/s\"}", "ValidationException",
          "1 validation error detected: Value 'arn:aws:kinesis:us-east-1:123:stream/s' at 'streamARN' failed "
          "to satisfy constraint: Member must satisfy regular expression pattern: "
          "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
    check("PutRecords", "{\"StreamName\":\"s\",\"Records\":[]}", "ValidationException",
          "1 validation error detected: Value '[...]' at 'records' failed to satisfy constraint: Member must "
          "have length greater than or equal to 1");
    check("SplitShard", "{\"StreamName\":\"s\",\"ShardToSplit\":\"shardId-000000000000\",\"NewStartingHashKey\":\"01\"}",
          "ValidationException",
          "1 validation error detected: Value '01' at 'newStartingHashKey' failed to satisfy constraint: "
          "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
}
END_TEST

START_TEST(test_validation_message_join) {
    const char *f[] = {"A", "B", "C"};
    char out[128];
    srv_kx_validation_message(f, 1, out, sizeof out);
    ck_assert_str_eq(out, "1 validation error detected: A");
    srv_kx_validation_message(f, 3, out, sizeof out);
    ck_assert_str_eq(out, "3 validation errors detected: A; B; C");
    ck_assert_str_eq(srv_kx_error_type(EDDY_E_NOTFOUND), "ResourceNotFoundException");
    ck_assert_str_eq(srv_kx_error_type(EDDY_E_EXPIRED), "ExpiredIteratorException");
    ck_assert_str_eq(srv_kx_error_type(EDDY_E_IO), "InternalFailure");
}
END_TEST

static Suite *suite_validation(void) {
    Suite *s = suite_create("validation");
    TCase *tc = tcase_create("coral");
    tcase_add_test(tc, test_validation_messages);
    tcase_add_test(tc, test_validation_message_join);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_eventstream, suite_cbor, suite_sigv4, suite_validation)
