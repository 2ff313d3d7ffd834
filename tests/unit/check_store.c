/*
 * check_store.c — unit tests of the store's core: sequence numbers, hash
 * ranges and routing, stream life cycle and validation, puts (single and
 * batch, per-record rules), every iterator type, iterator expiry and
 * tampering, cursors, attributes, and persistence across reopen.
 */
#include "store_test_util.h"

#include "md5.h"
#include "u128.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- sequence numbers */

START_TEST(test_seq_text) {
    char a[STORE_SEQ_STR_MAX], b[STORE_SEQ_STR_MAX];
    store_seq x = ((store_seq)5 << 32) | 3, y = ((store_seq)6 << 32) | 0, back;
    ck_assert_uint_eq(store_seq_format(x, a), 56);
    ck_assert_uint_eq(store_seq_format(y, b), 56);
    ck_assert(strncmp(a, "49", 2) == 0);
    ck_assert_int_lt(strcmp(a, b), 0);   /* text order is numeric order */
    ck_assert_int_eq(store_seq_parse(a, strlen(a), &back), 0);
    ck_assert(back == x);
    store_seq big = ((store_seq)UINT64_MAX << 32) | UINT32_MAX;
    store_seq_format(big, a);
    ck_assert_int_eq(store_seq_parse(a, strlen(a), &back), 0);
    ck_assert(back == big);
    /* Wrong shapes. */
    ck_assert_int_eq(store_seq_parse("123", 3, &back), EDDY_E_INVAL);
    store_seq_format(x, a);
    a[0] = '5';
    ck_assert_int_eq(store_seq_parse(a, 56, &back), EDDY_E_INVAL);
    store_seq_format(x, a);
    a[30] = 'x';
    ck_assert_int_eq(store_seq_parse(a, 56, &back), EDDY_E_INVAL);
    /* 2^96 does not fit a 64-bit counter and 32-bit index. */
    char over[] = "49000000000000000000000000079228162514264337593543950336";
    ck_assert_uint_eq(strlen(over), 56);
    ck_assert_int_eq(store_seq_parse(over, 56, &back), EDDY_E_INVAL);
}
END_TEST

/* The store's MD5 (common/md5.c) must agree with OpenSSL's on every length,
 * including the padding edge cases around 55/56/64 bytes. */
START_TEST(test_md5_fast_matches_openssl) {
    static unsigned char buf[5000];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 131 + 7);
    for (size_t n = 0; n <= 300; n++) {
        unsigned char a[16], b[16];
        eddy_md5_fast(buf, n, a);
        eddy_md5(buf, n, b);
        ck_assert_msg(memcmp(a, b, 16) == 0, "md5 differs at length %zu", n);
        ck_assert(eddy_md5_fast_u128(buf, n) == eddy_md5_u128(buf, n));
    }
    unsigned char a[16], b[16];
    eddy_md5_fast(buf, sizeof buf, a);
    eddy_md5(buf, sizeof buf, b);
    ck_assert_int_eq(memcmp(a, b, 16), 0);
    /* RFC 1321 test vector. */
    char hex[33];
    eddy_md5_fast("abc", 3, a);
    for (int i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", a[i]);
    ck_assert_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");
}
END_TEST

/* ---------------------------------------------------------------- hash ranges */

START_TEST(test_hash_ranges_even) {
    store *s = t_mem();
    static const int counts[] = {1, 2, 3, 4, 5, 7, 16, 100, 1000};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        char name[32];
        snprintf(name, sizeof name, "r%d", counts[c]);
        t_create(s, name, counts[c]);
        store_stream_desc d;
        ck_assert_int_eq(store_stream_describe(s, name, &d, NULL), 0);
        ck_assert_uint_eq(d.n_shards, (size_t)counts[c]);
        ck_assert_int_eq(d.open_shard_count, counts[c]);
        eddy_u128 n = (eddy_u128)counts[c];
        /* floor(2^128 / n) computed independently: 2^128 = 2 * 2^127. */
        eddy_u128 half = (eddy_u128)1 << 127;
        eddy_u128 w = (half / n) * 2 + ((half % n) * 2) / n;
        ck_assert(d.shards[0].start_hash == 0);
        ck_assert(d.shards[d.n_shards - 1].end_hash == EDDY_U128_MAX);
        for (size_t i = 0; i < d.n_shards; i++) {
            char id[32];
            snprintf(id, sizeof id, "shardId-%012zu", i);
            ck_assert_str_eq(d.shards[i].shard_id, id);
            ck_assert(d.shards[i].start_hash == (eddy_u128)i * w);
            if (i + 1 < d.n_shards) {
                ck_assert(d.shards[i].end_hash + 1 == d.shards[i + 1].start_hash);
                ck_assert(d.shards[i].end_hash - d.shards[i].start_hash + 1 == w);
            }
            ck_assert_str_eq(d.shards[i].parent_shard_id, "");
            ck_assert_int_eq(d.shards[i].closed, 0);
        }
        store_stream_desc_free(&d);
    }
    store_close(s);
}
END_TEST

START_TEST(test_hash_ranges_kinesis_values) {
    store *s = t_mem();
    t_create(s, "two", 2);
    t_create(s, "three", 3);
    store_stream_desc d;
    char buf[48];
    ck_assert_int_eq(store_stream_describe(s, "two", &d, NULL), 0);
    eddy_u128_format(d.shards[0].end_hash, buf);
    ck_assert_str_eq(buf, "170141183460469231731687303715884105727");
    eddy_u128_format(d.shards[1].start_hash, buf);
    ck_assert_str_eq(buf, "170141183460469231731687303715884105728");
    store_stream_desc_free(&d);
    ck_assert_int_eq(store_stream_describe(s, "three", &d, NULL), 0);
    eddy_u128_format(d.shards[0].end_hash, buf);
    ck_assert_str_eq(buf, "113427455640312821154458202477256070484");
    eddy_u128_format(d.shards[1].end_hash, buf);
    ck_assert_str_eq(buf, "226854911280625642308916404954512140969");
    store_stream_desc_free(&d);
    store_close(s);
}
END_TEST

START_TEST(test_routing) {
    store *s = t_mem();
    t_create(s, "s", 3);
    ck_assert_str_eq(t_put(s, "s", "k", "0", "a").shard_id, "shardId-000000000000");
    ck_assert_str_eq(t_put(s, "s", "k", "340282366920938463463374607431768211455", "b").shard_id,
                     "shardId-000000000002");
    ck_assert_str_eq(t_put(s, "s", "k", "113427455640312821154458202477256070484", "c").shard_id,
                     "shardId-000000000000");
    ck_assert_str_eq(t_put(s, "s", "k", "113427455640312821154458202477256070485", "d").shard_id,
                     "shardId-000000000001");
    /* MD5 routing: the key lands in the shard whose range holds its digest. */
    for (int i = 0; i < 50; i++) {
        char pk[16];
        snprintf(pk, sizeof pk, "key-%d", i);
        eddy_u128 h = eddy_md5_u128(pk, strlen(pk));
        eddy_u128 w = EDDY_U128_MAX / 3;   /* = floor(2^128 / 3): 3 divides 2^128 - 1 */
        int expect = h < w ? 0 : h < 2 * w ? 1 : 2;
        char id[32];
        snprintf(id, sizeof id, "shardId-%012d", expect);
        ck_assert_str_eq(t_put(s, "s", pk, NULL, "x").shard_id, id);
    }
    /* Explicit hash keys outside [0, 2^128-1] or malformed fail the call. */
    store_put_entry e = {.data = "x", .data_len = 1, .partition_key = "k", .partition_key_len = 1,
                         .explicit_hash_key = "340282366920938463463374607431768211456"};
    store_put_result r;
    eddy_err err;
    ck_assert_int_eq(store_put_record(s, "s", &e, &r, &err), EDDY_E_INVAL);
    ck_assert(strstr(err.msg, "Invalid ExplicitHashKey") != NULL);
    e.explicit_hash_key = "-1";
    ck_assert_int_eq(store_put_record(s, "s", &e, &r, &err), EDDY_E_INVAL);
    e.explicit_hash_key = "007";
    ck_assert_int_eq(store_put_record(s, "s", &e, &r, &err), EDDY_E_INVAL);
    store_close(s);
}
END_TEST

/* ---------------------------------------------------------------- streams */

START_TEST(test_stream_lifecycle) {
    store *s = t_mem();
    eddy_err err;
    ck_assert_int_eq(store_stream_create(s, "bad name", 1, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_stream_create(s, "", 1, &err), EDDY_E_INVAL);
    char longname[200];
    memset(longname, 'a', 129);
    longname[129] = '\0';
    ck_assert_int_eq(store_stream_create(s, longname, 1, &err), EDDY_E_INVAL);
    longname[128] = '\0';
    ck_assert_int_eq(store_stream_create(s, longname, 1, &err), 0);
    ck_assert_int_eq(store_stream_create(s, "x", 0, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_stream_create(s, "x", 10001, &err), EDDY_E_INVAL);
    t_create(s, "b.stream-1_", 2);
    ck_assert_int_eq(store_stream_create(s, "b.stream-1_", 2, &err), EDDY_E_INUSE);
    ck_assert_str_eq(err.msg, "Stream b.stream-1_ under account 000000000000 already exists.");
    t_create(s, "a", 1);
    t_create(s, "c", 1);
    char **names;
    size_t n;
    int more;
    ck_assert_int_eq(store_stream_list(s, NULL, 2, &names, &n, &more, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(more, 1);
    ck_assert_str_eq(names[0], "a");
    ck_assert_str_eq(names[1], longname);
    store_names_free(names, n);
    ck_assert_int_eq(store_stream_list(s, longname, 0, &names, &n, &more, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(more, 0);
    ck_assert_str_eq(names[0], "b.stream-1_");
    store_names_free(names, n);
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(s, "nope", &d, &err), EDDY_E_NOTFOUND);
    ck_assert_str_eq(err.msg, "Stream nope under account 000000000000 not found.");
    ck_assert_int_eq(store_stream_describe(s, "a", &d, &err), 0);
    ck_assert_str_eq(d.arn, "arn:aws:kinesis:us-east-1:000000000000:stream/a");
    ck_assert_str_eq(store_status_name(d.status), "ACTIVE");
    ck_assert_int_eq(d.retention_hours, 24);
    ck_assert_int_eq(d.created_ms, t_now);
    store_stream_desc_free(&d);
    char nm[STORE_NAME_MAX + 1];
    ck_assert_int_eq(store_stream_name_from("arn:aws:kinesis:us-east-1:000000000000:stream/abc", nm, &err), 0);
    ck_assert_str_eq(nm, "abc");
    ck_assert_int_eq(store_stream_name_from("plain", nm, &err), 0);
    ck_assert_str_eq(nm, "plain");
    ck_assert_int_eq(store_stream_name_from("arn:aws:s3:::bucket", nm, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_stream_delete(s, "a", 0, &err), 0);
    ck_assert_int_eq(store_stream_delete(s, "a", 0, &err), EDDY_E_NOTFOUND);
    /* Retention rules. */
    ck_assert_int_eq(store_retention_increase(s, "c", 23, &err), EDDY_E_INVAL);
    ck_assert(strstr(err.msg, "Minimum allowed retention period is 24 hours") != NULL);
    ck_assert_int_eq(store_retention_increase(s, "c", 8761, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_retention_increase(s, "c", 48, &err), 0);
    ck_assert_int_eq(store_retention_increase(s, "c", 30, &err), EDDY_E_INVAL);
    ck_assert(strstr(err.msg, "Use DecreaseRetentionPeriod API") != NULL);
    ck_assert_int_eq(store_retention_decrease(s, "c", 72, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_retention_decrease(s, "c", 30, &err), 0);
    store_close(s);
}
END_TEST

START_TEST(test_attrs) {
    store *s = t_mem();
    t_create(s, "s", 1);
    eddy_err err;
    char v[64];
    ck_assert_int_eq(store_stream_attr_set(s, "s", "tag:b", "2", &err), 0);
    ck_assert_int_eq(store_stream_attr_set(s, "s", "tag:a", "1", &err), 0);
    ck_assert_int_eq(store_stream_attr_set(s, "s", "tag:a", "one", &err), 0);
    ck_assert_int_eq(store_stream_attr_get(s, "s", "tag:a", v, sizeof v, &err), 0);
    ck_assert_str_eq(v, "one");
    char **k, **vals;
    size_t n;
    ck_assert_int_eq(store_stream_attrs(s, "s", &k, &vals, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(k[0], "tag:a");
    ck_assert_str_eq(vals[1], "2");
    store_names_free(k, n);
    store_names_free(vals, n);
    ck_assert_int_eq(store_stream_attr_set(s, "s", "tag:a", NULL, &err), 0);
    ck_assert_int_eq(store_stream_attr_get(s, "s", "tag:a", v, sizeof v, &err), EDDY_E_NOTFOUND);
    ck_assert_int_eq(store_stream_attr_set(s, "nope", "k", "v", &err), EDDY_E_NOTFOUND);
    store_close(s);
}
END_TEST

/* ---------------------------------------------------------------- puts */

START_TEST(test_put_get_basic) {
    store *s = t_mem();
    t_create(s, "s", 1);
    store_seq prev = 0;
    for (int i = 0; i < 10; i++) {
        char d[16];
        snprintf(d, sizeof d, "rec%d", i);
        store_put_result r = t_put(s, "s", "pk", NULL, d);
        ck_assert_int_eq(r.code, 0);
        ck_assert(r.seq > prev);
        prev = r.seq;
    }
    char it[STORE_ITER_STR_MAX];
    t_iter(s, "s", "shardId-000000000000", STORE_TRIM_HORIZON, 0, 0, it);
    ck_assert_uint_le(strlen(it), 511);
    store_batch b;
    store_batch_init(&b);
    eddy_err err;
    ck_assert_int_eq(store_get_records(s, it, 3, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 3);
    ck_assert_int_eq(memcmp(b.records[0].data, "rec0", 4), 0);
    ck_assert_int_eq(memcmp(b.records[0].partition_key, "pk", 2), 0);
    ck_assert_int_eq(b.records[0].arrival_ms, t_now);
    ck_assert_int_eq(b.end_of_shard, 0);
    ck_assert_int_gt(strlen(b.next_iterator), 0);
    char it2[STORE_ITER_STR_MAX];
    strcpy(it2, b.next_iterator);
    t_now += 1000;
    ck_assert_int_eq(store_get_records(s, it2, 0, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 7);
    ck_assert_int_eq(memcmp(b.records[6].data, "rec9", 4), 0);
    ck_assert(b.records[6].seq == prev);
    ck_assert_int_eq(b.millis_behind_latest, 0);
    strcpy(it2, b.next_iterator);
    ck_assert_int_eq(store_get_records(s, it2, 0, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 0);
    ck_assert_int_gt(strlen(b.next_iterator), 0);   /* an open shard never ends */
    /* Behind the tip: millis_behind_latest is how old the position is. */
    ck_assert_int_eq(store_get_records(s, it, 2, &b, &err), 0);
    ck_assert_int_eq(b.millis_behind_latest, 1000);
    ck_assert_int_eq(store_get_records(s, it, 10001, &b, &err), EDDY_E_INVAL);
    store_batch_free(&b);
    store_close(s);
}
END_TEST

START_TEST(test_put_validation) {
    store *s = t_mem();
    t_create(s, "s", 2);
    eddy_err err;
    store_put_entry *e = calloc(501, sizeof *e);
    store_put_result *r = calloc(501, sizeof *r);
    size_t failed;
    for (int i = 0; i < 501; i++) e[i] = (store_put_entry){.data = "d", .data_len = 1,
                                                           .partition_key = "k", .partition_key_len = 1};
    ck_assert_int_eq(store_put_records(s, "s", e, 501, r, &failed, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_put_records(s, "s", e, 0, r, &failed, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_put_records(s, "nope", e, 1, r, &failed, &err), EDDY_E_NOTFOUND);
    /* Partition key: 1..256 characters (UTF-8 characters, not bytes). */
    char pk[600];
    memset(pk, 'k', 257);
    e[1].partition_key = pk;
    e[1].partition_key_len = 257;
    ck_assert_int_eq(store_put_records(s, "s", e, 3, r, &failed, &err), EDDY_E_INVAL);
    e[1].partition_key_len = 0;
    ck_assert_int_eq(store_put_records(s, "s", e, 3, r, &failed, &err), EDDY_E_INVAL);
    for (int i = 0; i < 256; i++) memcpy(pk + 2 * i, "\xc3\xa9", 2);   /* 256 x 'é' */
    e[1].partition_key_len = 512;
    ck_assert_int_eq(store_put_records(s, "s", e, 3, r, &failed, &err), 0);
    ck_assert_uint_eq(failed, 0);
    /* Record size: key + data <= 1 MiB; batch <= 5 MiB. */
    char *big = calloc(1, STORE_RECORD_MAX + 1);
    e[1] = (store_put_entry){.data = big, .data_len = STORE_RECORD_MAX, .partition_key = "k",
                             .partition_key_len = 1};
    ck_assert_int_eq(store_put_records(s, "s", e, 2, r, &failed, &err), EDDY_E_INVAL);
    for (int i = 0; i < 6; i++)
        e[i] = (store_put_entry){.data = big, .data_len = STORE_RECORD_MAX - 1, .partition_key = "k",
                                 .partition_key_len = 1};
    ck_assert_int_eq(store_put_records(s, "s", e, 6, r, &failed, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_put_records(s, "s", e, 5, r, &failed, &err), 0);
    /* An invalid explicit hash key anywhere fails the whole call: nothing written. */
    size_t before = t_read_all(s, "s", "shardId-000000000000", NULL, 0) +
                    t_read_all(s, "s", "shardId-000000000001", NULL, 0);
    for (int i = 0; i < 10; i++) e[i] = (store_put_entry){.data = "d", .data_len = 1,
                                                          .partition_key = "k", .partition_key_len = 1};
    e[7].explicit_hash_key = "abc";
    ck_assert_int_eq(store_put_records(s, "s", e, 10, r, &failed, &err), EDDY_E_INVAL);
    size_t after = t_read_all(s, "s", "shardId-000000000000", NULL, 0) +
                   t_read_all(s, "s", "shardId-000000000001", NULL, 0);
    ck_assert_uint_eq(before, after);
    free(big);
    free(e);
    free(r);
    store_close(s);
}
END_TEST

START_TEST(test_put_batch_uniqueness_and_order) {
    store *s = t_mem();
    t_create(s, "s", 4);
    store_put_entry e[500];
    store_put_result r[500];
    char keys[500][8];
    for (int i = 0; i < 500; i++) {
        snprintf(keys[i], sizeof keys[i], "%d", i);
        e[i] = (store_put_entry){.data = keys[i], .data_len = strlen(keys[i]), .partition_key = keys[i],
                                 .partition_key_len = strlen(keys[i])};
    }
    size_t failed;
    ck_assert_int_eq(store_put_records(s, "s", e, 500, r, &failed, NULL), 0);
    ck_assert_uint_eq(failed, 0);
    for (int i = 0; i < 500; i++)
        for (int j = i + 1; j < 500; j++) ck_assert(r[i].seq != r[j].seq);
    /* Within a shard, numbers follow the batch order. */
    for (int i = 0; i < 500; i++)
        for (int j = i + 1; j < 500; j++)
            if (!strcmp(r[i].shard_id, r[j].shard_id)) ck_assert(r[i].seq < r[j].seq);
    size_t total = 0;
    for (int k = 0; k < 4; k++) {
        char id[32];
        snprintf(id, sizeof id, "shardId-%012d", k);
        total += t_read_all(s, "s", id, NULL, 0);
    }
    ck_assert_uint_eq(total, 500);
    store_close(s);
}
END_TEST

START_TEST(test_seq_for_ordering) {
    store *s = t_mem();
    t_create(s, "s", 2);
    store_put_result r1 = t_put(s, "s", "a", "0", "1");
    char txt[STORE_SEQ_STR_MAX];
    store_seq_format(r1.seq, txt);
    store_put_entry e = {.data = "2", .data_len = 1, .partition_key = "b", .partition_key_len = 1,
                         .explicit_hash_key = "340282366920938463463374607431768211455",
                         .seq_for_ordering = txt};
    store_put_result r2;
    eddy_err err;
    ck_assert_int_eq(store_put_record(s, "s", &e, &r2, &err), 0);
    ck_assert(r2.seq > r1.seq);
    e.seq_for_ordering = "12x";
    ck_assert_int_eq(store_put_record(s, "s", &e, &r2, &err), EDDY_E_INVAL);
    ck_assert(strstr(err.msg, "ExclusiveMinimumSequenceNumber 12x used in PutRecord on stream s") != NULL);
    store_seq future = r2.seq + ((store_seq)1000 << 32);
    store_seq_format(future, txt);
    e.seq_for_ordering = txt;
    ck_assert_int_eq(store_put_record(s, "s", &e, &r2, &err), EDDY_E_INVAL);
    store_close(s);
}
END_TEST

START_TEST(test_arrival_import_clamped) {
    store *s = t_mem();
    t_create(s, "s", 1);
    store_put_entry e[3] = {
        {.data = "a", .data_len = 1, .partition_key = "k", .partition_key_len = 1, .arrival_ms = 5000},
        {.data = "b", .data_len = 1, .partition_key = "k", .partition_key_len = 1, .arrival_ms = 4000},
        {.data = "c", .data_len = 1, .partition_key = "k", .partition_key_len = 1, .arrival_ms = 6000}};
    store_put_result r[3];
    size_t failed;
    ck_assert_int_eq(store_put_records(s, "s", e, 3, r, &failed, NULL), 0);
    ck_assert_int_eq(r[0].arrival_adjusted, 0);
    ck_assert_int_eq(r[1].arrival_adjusted, 1);
    ck_assert_int_eq(r[2].arrival_adjusted, 0);
    store_cursor *c;
    store_position p = {.type = STORE_TRIM_HORIZON};
    ck_assert_int_eq(store_cursor_open(s, "s", "shardId-000000000000", &p, &c, NULL), 0);
    store_batch b;
    store_batch_init(&b);
    ck_assert_int_eq(store_cursor_read(c, 0, &b, NULL), 0);
    ck_assert_uint_eq(b.n_records, 3);
    ck_assert_int_eq(b.records[0].arrival_ms, 5000);
    ck_assert_int_eq(b.records[1].arrival_ms, 5000);
    ck_assert_int_eq(b.records[2].arrival_ms, 6000);
    store_batch_free(&b);
    store_cursor_close(c);
    store_close(s);
}
END_TEST

/* ---------------------------------------------------------------- iterators */

static size_t read_from(store *s, const char *it, char *first, size_t cap) {
    store_batch b;
    store_batch_init(&b);
    eddy_err err;
    ck_assert_msg(store_get_records(s, it, 0, &b, &err) == 0, "%s", err.msg);
    size_t n = b.n_records;
    if (first && n) snprintf(first, cap, "%.*s", (int)b.records[0].data_len, (const char *)b.records[0].data);
    store_batch_free(&b);
    return n;
}

START_TEST(test_iterator_types) {
    store *s = t_mem();
    t_create(s, "s", 2);
    const char *sh = "shardId-000000000000";
    store_put_result r[5];
    for (int i = 0; i < 5; i++) {
        char d[8];
        snprintf(d, sizeof d, "r%d", i);
        t_now += 1000;
        r[i] = t_put(s, "s", "k", "1", d);
    }
    char it[STORE_ITER_STR_MAX], first[16];
    t_iter(s, "s", sh, STORE_AT_SEQUENCE_NUMBER, r[2].seq, 0, it);
    ck_assert_uint_eq(read_from(s, it, first, sizeof first), 3);
    ck_assert_str_eq(first, "r2");
    t_iter(s, "s", sh, STORE_AFTER_SEQUENCE_NUMBER, r[2].seq, 0, it);
    ck_assert_uint_eq(read_from(s, it, first, sizeof first), 2);
    ck_assert_str_eq(first, "r3");
    t_iter(s, "s", sh, STORE_AT_TIMESTAMP, 0, t_now - 2500, it);
    ck_assert_uint_eq(read_from(s, it, first, sizeof first), 3);
    ck_assert_str_eq(first, "r2");
    t_iter(s, "s", sh, STORE_AT_TIMESTAMP, 0, t_now - 1500, it);
    ck_assert_uint_eq(read_from(s, it, first, sizeof first), 2);
    ck_assert_str_eq(first, "r3");
    t_iter(s, "s", sh, STORE_AT_TIMESTAMP, 0, 0, it);   /* before everything: trim horizon */
    ck_assert_uint_eq(read_from(s, it, first, sizeof first), 5);
    /* LATEST returns what is written after it. */
    t_iter(s, "s", sh, STORE_LATEST, 0, 0, it);
    ck_assert_uint_eq(read_from(s, it, NULL, 0), 0);
    t_put(s, "s", "k", "1", "new");
    ck_assert_uint_eq(read_from(s, it, first, sizeof first), 1);
    ck_assert_str_eq(first, "new");
    /* The shard's starting sequence number is accepted with no record at it. */
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(s, "s", &d, NULL), 0);
    t_iter(s, "s", "shardId-000000000001", STORE_AT_SEQUENCE_NUMBER, d.shards[1].starting_seq, 0, it);
    ck_assert_uint_eq(read_from(s, it, NULL, 0), 0);
    store_stream_desc_free(&d);
    /* Errors. */
    eddy_err err;
    store_position p = {.type = STORE_AT_SEQUENCE_NUMBER, .seq = r[0].seq};
    ck_assert_int_eq(store_iterator_get(s, "s", "shardId-000000000001", &p, it, &err), EDDY_E_INVAL);
    ck_assert_str_eq(err.msg, "Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it "
                              "was used in a call to a shard with shardId-000000000001");
    p = (store_position){.type = STORE_AT_TIMESTAMP, .timestamp_ms = t_now + 1};
    ck_assert_int_eq(store_iterator_get(s, "s", sh, &p, it, &err), EDDY_E_INVAL);
    p.type = STORE_TRIM_HORIZON;
    ck_assert_int_eq(store_iterator_get(s, "s", "shardId-000000000002", &p, it, &err), EDDY_E_NOTFOUND);
    ck_assert_str_eq(err.msg, "Shard shardId-000000000002 in stream s under account 000000000000 does not exist");
    ck_assert_int_eq(store_iterator_get(s, "s", "shardId-0", &p, it, &err), EDDY_E_NOTFOUND);
    ck_assert_int_eq(store_iterator_get(s, "x", sh, &p, it, &err), EDDY_E_NOTFOUND);
    store_iter_type ty;
    ck_assert_int_eq(store_iter_type_parse("AT_TIMESTAMP", &ty), 0);
    ck_assert_int_eq(ty, STORE_AT_TIMESTAMP);
    ck_assert_int_eq(store_iter_type_parse("at_timestamp", &ty), EDDY_E_INVAL);
    store_close(s);
}
END_TEST

START_TEST(test_iterator_expiry_and_tamper) {
    store *s = t_mem();
    t_create(s, "s", 1);
    t_put(s, "s", "k", NULL, "x");
    char it[STORE_ITER_STR_MAX];
    t_iter(s, "s", "shardId-000000000000", STORE_TRIM_HORIZON, 0, 0, it);
    store_batch b;
    store_batch_init(&b);
    eddy_err err;
    /* Every byte flipped anywhere makes the token invalid. */
    size_t n = strlen(it);
    for (size_t i = 0; i < n; i++) {
        char bad[STORE_ITER_STR_MAX];
        strcpy(bad, it);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        int rc = store_get_records(s, bad, 0, &b, &err);
        ck_assert_int_eq(rc, EDDY_E_INVAL);
        ck_assert_str_eq(err.msg, "Invalid ShardIterator.");
    }
    ck_assert_int_eq(store_get_records(s, "", 0, &b, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_get_records(s, "not base64 !!", 0, &b, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_get_records(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, &b, &err), EDDY_E_INVAL);
    /* A token is good for 5 minutes. */
    t_now += STORE_ITERATOR_TTL_MS;
    ck_assert_int_eq(store_get_records(s, it, 0, &b, &err), 0);
    char next[STORE_ITER_STR_MAX];
    strcpy(next, b.next_iterator);
    t_now += 1;
    ck_assert_int_eq(store_get_records(s, it, 0, &b, &err), EDDY_E_EXPIRED);
    ck_assert(strncmp(err.msg, "Iterator expired. The iterator was created at time ", 51) == 0);
    ck_assert(strstr(err.msg, "UTC 2023 while right now it is") != NULL);
    ck_assert_int_eq(store_get_records(s, next, 0, &b, &err), 0);   /* the fresh one still works */
    /* A deleted and re-created stream does not accept old tokens. */
    ck_assert_int_eq(store_stream_delete(s, "s", 0, NULL), 0);
    t_create(s, "s", 1);
    ck_assert_int_eq(store_get_records(s, next, 0, &b, &err), EDDY_E_NOTFOUND);
    /* Another store (another secret) rejects our tokens. */
    store *s2 = t_mem();
    t_create(s2, "s", 1);
    t_iter(s2, "s", "shardId-000000000000", STORE_TRIM_HORIZON, 0, 0, it);
    ck_assert_int_eq(store_get_records(s, it, 0, &b, &err), EDDY_E_INVAL);
    store_close(s2);
    store_batch_free(&b);
    store_close(s);
}
END_TEST

/* ---------------------------------------------------------------- persistence */

START_TEST(test_persist_reopen) {
    const char *dir = eddy_test_tmpdir();
    char path[300];
    snprintf(path, sizeof path, "%s", dir);
    store *s = t_open(path, STORE_FSYNC_INTERVAL, 4096);
    t_create(s, "s", 2);
    ck_assert_int_eq(store_stream_attr_set(s, "s", "tag:x", "y z", NULL), 0);
    ck_assert_int_eq(store_retention_increase(s, "s", 100, NULL), 0);
    store_seq last[2] = {0, 0};
    for (int i = 0; i < 300; i++) {
        char pk[16], d[64];
        snprintf(pk, sizeof pk, "k%d", i);
        snprintf(d, sizeof d, "record number %d with some padding", i);
        store_put_result r = t_put(s, "s", pk, NULL, d);
        last[r.shard_id[19] - '0'] = r.seq;
    }
    store_close(s);
    s = t_open(path, STORE_FSYNC_INTERVAL, 4096);
    size_t n0 = t_read_all(s, "s", "shardId-000000000000", NULL, 0);
    size_t n1 = t_read_all(s, "s", "shardId-000000000001", NULL, 0);
    ck_assert_uint_eq(n0 + n1, 300);
    char v[32];
    ck_assert_int_eq(store_stream_attr_get(s, "s", "tag:x", v, sizeof v, NULL), 0);
    ck_assert_str_eq(v, "y z");
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(s, "s", &d, NULL), 0);
    ck_assert_int_eq(d.retention_hours, 100);
    store_stream_desc_free(&d);
    /* New numbers continue above the old ones, in both shards. */
    store_put_result r = t_put(s, "s", "k", "0", "after");
    ck_assert(r.seq > last[0] && r.seq > last[1]);
    /* Tokens survive a restart (the secret is persisted). */
    char it[STORE_ITER_STR_MAX];
    t_iter(s, "s", "shardId-000000000000", STORE_TRIM_HORIZON, 0, 0, it);
    store_close(s);
    s = t_open(path, STORE_FSYNC_INTERVAL, 4096);
    ck_assert_uint_eq(read_from(s, it, NULL, 0), n0 + 1);
    ck_assert_int_eq(store_stream_delete(s, "s", 0, NULL), 0);
    store_close(s);
    s = t_open(path, STORE_FSYNC_INTERVAL, 4096);
    char **names;
    size_t n;
    ck_assert_int_eq(store_stream_list(s, NULL, 0, &names, &n, NULL, NULL), 0);
    ck_assert_uint_eq(n, 0);
    store_names_free(names, n);
    store_close(s);
    t_rmdir(path);
}
END_TEST

/* Segment files are allocated ahead of their records (fallocate with
 * KEEP_SIZE), so a file's size stays exactly its records; the blocks past
 * the end are given back when the store closes, and a reservation left by a
 * crash is given back when the store opens. */
/* The path of the shard's one segment file. */
static void first_seg(const char *dir, char *out, size_t cap) {
    char sdir[400];
    snprintf(sdir, sizeof sdir, "%s/streams/s/shardId-000000000000", dir);
    DIR *d = opendir(sdir);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    out[0] = '\0';
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".seg")) snprintf(out, cap, "%s/%s", sdir, de->d_name);
    closedir(d);
    ck_assert(out[0]);
}

static uint64_t seg_blocks_bytes(const char *dir, uint64_t *size) {
    char path[700];
    first_seg(dir, path, sizeof path);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    *size = (uint64_t)sb.st_size;
    return (uint64_t)sb.st_blocks * 512;
}

START_TEST(test_segment_reservation) {
    const char *dir = eddy_test_tmpdir();
    char path[300];
    snprintf(path, sizeof path, "%s", dir);
    store *s = t_open(path, STORE_FSYNC_INTERVAL, 0);
    t_create(s, "s", 1);
    for (int i = 0; i < 100; i++) t_put(s, "s", "k", NULL, "a record of some thirty bytes..");
    uint64_t size, held = seg_blocks_bytes(path, &size);
    ck_assert_uint_gt(size, 0);
    /* Where the filesystem preallocates (ext4, xfs, tmpfs), 4 MiB are held. */
    int reserves = held >= ((uint64_t)4 << 20);
    store_close(s);
    held = seg_blocks_bytes(path, &size);
    ck_assert_uint_le(held, ((size + 4095) & ~(uint64_t)4095) + 4096);
    if (reserves) {
        /* A crash leaves the reservation; opening gives it back, and every
         * record is still there. */
        char seg[700];
        first_seg(path, seg, sizeof seg);
        int fd = open(seg, O_RDWR);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)4 << 20), 0);
        close(fd);
        ck_assert_uint_ge(seg_blocks_bytes(path, &size), (uint64_t)4 << 20);
        s = t_open(path, STORE_FSYNC_INTERVAL, 0);
        ck_assert_uint_le(seg_blocks_bytes(path, &size), ((size + 4095) & ~(uint64_t)4095) + 4096);
        ck_assert_uint_eq(t_read_all(s, "s", "shardId-000000000000", NULL, 0), 100);
        store_close(s);
    }
    t_rmdir(path);
}
END_TEST

START_TEST(test_persist_corrupt_catalog) {
    const char *dir = eddy_test_tmpdir();
    char path[300], cat[400];
    snprintf(path, sizeof path, "%s", dir);
    store *s = t_open(path, STORE_FSYNC_NEVER, 0);
    t_create(s, "s", 1);
    store_close(s);
    snprintf(cat, sizeof cat, "%s/CATALOG", path);
    FILE *f = fopen(cat, "w");
    fputs("eddy-catalog 1\nstream ???\n", f);
    fclose(f);
    store_opts o;
    store_opts_init(&o);
    o.data_dir = path;
    eddy_err err;
    store *s2 = NULL;
    ck_assert_int_eq(store_open(&o, &s2, &err), EDDY_E_CORRUPT);
    ck_assert_ptr_null(s2);
    t_rmdir(path);
}
END_TEST

Suite *suite_store(void) {
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_seq_text);
    tcase_add_test(tc, test_md5_fast_matches_openssl);
    tcase_add_test(tc, test_hash_ranges_even);
    tcase_add_test(tc, test_hash_ranges_kinesis_values);
    tcase_add_test(tc, test_routing);
    tcase_add_test(tc, test_stream_lifecycle);
    tcase_add_test(tc, test_attrs);
    tcase_add_test(tc, test_put_get_basic);
    tcase_add_test(tc, test_put_validation);
    tcase_add_test(tc, test_put_batch_uniqueness_and_order);
    tcase_add_test(tc, test_seq_for_ordering);
    tcase_add_test(tc, test_arrival_import_clamped);
    tcase_add_test(tc, test_iterator_types);
    tcase_add_test(tc, test_iterator_expiry_and_tamper);
    tcase_add_test(tc, test_persist_reopen);
    tcase_add_test(tc, test_segment_reservation);
    tcase_add_test(tc, test_persist_corrupt_catalog);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_store)
