/*
 * check_store_limits.c — retention (whole old segments trimmed by write
 * time, iterators before the horizon start at it, imported arrival times do
 * not count, decreases apply at once) and the optional Kinesis throughput
 * limits (writes per record in a batch, classic reads, fan-out reads).
 */
#include "store_test_util.h"

#include <dirent.h>

#define HOUR (3600LL * 1000)
static const char *SH0 = "shardId-000000000000";

static int count_segs(const char *dir) {
    char p[400];
    snprintf(p, sizeof p, "%s/streams/s/%s", dir, SH0);
    DIR *d = opendir(p);
    if (!d) return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) n += strstr(de->d_name, ".seg") != NULL;
    closedir(d);
    return n;
}

static void retention_case(const char *dir) {
    store *s = t_open(dir, STORE_FSYNC_NEVER, 1000);
    t_create(s, "s", 1);
    store_put_result first = {0};
    for (int i = 0; i < 100; i++) {
        char d[16];
        snprintf(d, sizeof d, "old%03d", i);
        store_put_result r = t_put(s, "s", "k", NULL, d);
        if (i == 0) first = r;
    }
    if (dir) ck_assert_int_eq(count_segs(dir), 5);
    t_now += 24 * HOUR - 1;
    for (int i = 0; i < 10; i++) {
        char d[16];
        snprintf(d, sizeof d, "new%03d", i);
        t_put(s, "s", "k", NULL, d);
    }
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 110);
    char it[STORE_ITER_STR_MAX];
    t_iter(s, "s", SH0, STORE_AT_SEQUENCE_NUMBER, first.seq, 0, it);
    t_now += 2;   /* the first four segments are now older than 24 h */
    char data[4096] = "";
    ck_assert_uint_eq(t_read_all(s, "s", SH0, data, sizeof data), 26);
    ck_assert(strncmp(data, "old084|", 7) == 0);
    if (dir) ck_assert_int_eq(count_segs(dir), 2);
    /* An iterator from before the horizon starts at it. */
    store_batch b;
    store_batch_init(&b);
    ck_assert_int_eq(store_get_records(s, it, 1, &b, NULL), 0);
    ck_assert_uint_eq(b.n_records, 1);
    ck_assert_int_eq(memcmp(b.records[0].data, "old084", 6), 0);
    /* So does a new AT_SEQUENCE_NUMBER or AT_TIMESTAMP iterator. */
    t_iter(s, "s", SH0, STORE_AT_SEQUENCE_NUMBER, first.seq, 0, it);
    ck_assert_int_eq(store_get_records(s, it, 1, &b, NULL), 0);
    ck_assert_int_eq(memcmp(b.records[0].data, "old084", 6), 0);
    t_iter(s, "s", SH0, STORE_AT_TIMESTAMP, 0, 1, it);
    ck_assert_int_eq(store_get_records(s, it, 1, &b, NULL), 0);
    ck_assert_int_eq(memcmp(b.records[0].data, "old084", 6), 0);
    /* Imported history is kept: retention counts from the write. */
    store_put_entry e = {.data = "imported", .data_len = 8, .partition_key = "k", .partition_key_len = 1,
                         .arrival_ms = t_now - 1000 * HOUR};
    store_put_result r;
    ck_assert_int_eq(store_put_record(s, "s", &e, &r, NULL), 0);
    ck_assert_int_eq(r.arrival_adjusted, 1);   /* older than the shard's newest arrival */
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 27);
    /* Raising retention does not bring data back; lowering applies at once. */
    ck_assert_int_eq(store_retention_increase(s, "s", 48, NULL), 0);
    t_now += 30 * HOUR;
    t_put(s, "s", "k", NULL, "fresh");
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 28);
    ck_assert_int_eq(store_retention_decrease(s, "s", 24, NULL), 0);
    data[0] = '\0';
    /* Whole segments only: the one holding new000..004 goes; the next one
     * also holds "fresh", so it stays. */
    ck_assert_uint_eq(t_read_all(s, "s", SH0, data, sizeof data), 7);
    ck_assert_str_eq(data, "new005|new006|new007|new008|new009|imported|fresh|");
    /* Sequence numbers keep increasing after trimming. */
    store_put_result r2 = t_put(s, "s", "k", NULL, "later");
    ck_assert(r2.seq > r.seq);
    store_batch_free(&b);
    store_close(s);
}

START_TEST(test_retention_memory) { retention_case(NULL); }
END_TEST

START_TEST(test_retention_files) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    retention_case(dir);
    /* Trimmed state survives a reopen. */
    store *s = t_open(dir, STORE_FSYNC_NEVER, 1000);
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 8);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

/* When every record of a shard has expired, a restart must still number new
 * records above the old ones (the newest segment file is kept for that). */
START_TEST(test_retention_all_expired_restart) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    store *s = t_open(dir, STORE_FSYNC_NEVER, 1000);
    t_create(s, "s", 1);
    store_put_result last = {0};
    for (int i = 0; i < 50; i++) last = t_put(s, "s", "k", NULL, "some record");
    t_now += 25 * HOUR;
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 0);
    ck_assert_int_eq(count_segs(dir), 1);
    store_close(s);
    s = t_open(dir, STORE_FSYNC_NEVER, 1000);
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 0);
    store_put_result r = t_put(s, "s", "k", NULL, "new");
    ck_assert(r.seq > last.seq);
    char data[64] = "";
    ck_assert_uint_eq(t_read_all(s, "s", SH0, data, sizeof data), 1);
    ck_assert_str_eq(data, "new|");
    store_close(s);
    t_rmdir(dir);
}
END_TEST

static size_t put_n(store *s, const char *stream, int n, size_t data_len, store_put_result *r) {
    static char buf[200 * 1024];
    store_put_entry e[500];
    for (int i = 0; i < n; i++)
        e[i] = (store_put_entry){.data = buf, .data_len = data_len, .partition_key = "k",
                                 .partition_key_len = 1};
    size_t failed;
    ck_assert_int_eq(store_put_records(s, stream, e, (size_t)n, r, &failed, NULL), 0);
    return failed;
}

START_TEST(test_throttle_writes) {
    store *s = t_mem();
    t_create(s, "s", 1);
    static store_put_result r[500];
    eddy_err err;
    ck_assert_int_eq(store_stream_set_throttling(s, "nope", 1, &err), EDDY_E_NOTFOUND);
    ck_assert_int_eq(store_stream_set_throttling(s, "s", 1, &err), 0);
    ck_assert_uint_eq(put_n(s, "s", 500, 10, r), 0);
    ck_assert_uint_eq(put_n(s, "s", 500, 10, r), 0);
    ck_assert_uint_eq(put_n(s, "s", 3, 10, r), 3);
    ck_assert_int_eq(r[0].code, EDDY_E_THROTTLED);
    ck_assert_str_eq(r[0].message, "Rate exceeded for shard shardId-000000000000 in stream s under account "
                                   "000000000000.");
    store_put_entry e = {.data = "x", .data_len = 1, .partition_key = "k", .partition_key_len = 1};
    store_put_result one;
    ck_assert_int_eq(store_put_record(s, "s", &e, &one, &err), EDDY_E_THROTTLED);
    ck_assert(strstr(err.msg, "Rate exceeded for shard") != NULL);
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 1000);   /* nothing throttled was written */
    t_now += 500;   /* half a second refills half the records */
    ck_assert_uint_eq(put_n(s, "s", 500, 10, r), 0);
    ck_assert_uint_eq(put_n(s, "s", 1, 10, r), 1);
    /* Bytes: 1 MiB per second, counted per record inside one batch. */
    t_create(s, "b", 1);
    ck_assert_int_eq(store_stream_set_throttling(s, "b", 1, &err), 0);
    ck_assert_uint_eq(put_n(s, "b", 11, 100 * 1024, r), 1);
    for (int i = 0; i < 10; i++) ck_assert_int_eq(r[i].code, 0);
    ck_assert_int_eq(r[10].code, EDDY_E_THROTTLED);
    ck_assert_uint_eq(t_read_all(s, "b", SH0, NULL, 0), 10);
    /* Off again: no limits. */
    ck_assert_int_eq(store_stream_set_throttling(s, "b", 0, &err), 0);
    ck_assert_uint_eq(put_n(s, "b", 20, 100 * 1024, r), 0);
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(s, "s", &d, NULL), 0);
    ck_assert_int_eq(d.throttling, 1);
    store_stream_desc_free(&d);
    store_close(s);
}
END_TEST

START_TEST(test_throttle_reads) {
    store *s = t_mem();
    t_create(s, "s", 1);
    static store_put_result r[500];
    for (int i = 0; i < 3; i++) ck_assert_uint_eq(put_n(s, "s", 10, 100 * 1024, r), 0);   /* ~3 MiB */
    eddy_err err;
    ck_assert_int_eq(store_stream_set_throttling(s, "s", 1, &err), 0);
    char it[STORE_ITER_STR_MAX];
    t_iter(s, "s", SH0, STORE_LATEST, 0, 0, it);
    store_batch b;
    store_batch_init(&b);
    for (int i = 0; i < 5; i++) ck_assert_int_eq(store_get_records(s, it, 0, &b, &err), 0);
    ck_assert_int_eq(store_get_records(s, it, 0, &b, &err), EDDY_E_THROTTLED);
    ck_assert_str_eq(err.msg, "Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.");
    t_now += 200;
    ck_assert_int_eq(store_get_records(s, it, 0, &b, &err), 0);
    /* 2 MiB/s: one read of 3 MiB leaves a debt that blocks the next second. */
    t_now += 1000;
    t_iter(s, "s", SH0, STORE_TRIM_HORIZON, 0, 0, it);
    ck_assert_int_eq(store_get_records(s, it, 0, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 30);
    t_now += 300;
    ck_assert_int_eq(store_get_records(s, it, 0, &b, &err), EDDY_E_THROTTLED);
    t_now += 1000;
    ck_assert_int_eq(store_get_records(s, it, 0, &b, &err), 0);
    /* A subscription needs a callback. */
    store_consumer_desc c;
    ck_assert_int_eq(store_consumer_register(s, "s", "c", &c, NULL), 0);
    store_sub *sub;
    store_position p = {.type = STORE_TRIM_HORIZON};
    ck_assert_int_eq(store_subscribe(s, c.arn, SH0, &p, NULL, NULL, &sub, &err), EDDY_E_INVAL);
    store_batch_free(&b);
    store_close(s);
}
END_TEST

static void nop_note(void *ctx, int ended) { (void)ctx, (void)ended; }

START_TEST(test_throttle_fanout) {
    store *s = t_mem();
    t_create(s, "s", 1);
    static store_put_result r[500];
    for (int i = 0; i < 3; i++) ck_assert_uint_eq(put_n(s, "s", 10, 100 * 1024, r), 0);
    eddy_err err;
    ck_assert_int_eq(store_stream_set_throttling(s, "s", 1, &err), 0);
    store_consumer_desc c1, c2;
    ck_assert_int_eq(store_consumer_register(s, "s", "c1", &c1, NULL), 0);
    ck_assert_int_eq(store_consumer_register(s, "s", "c2", &c2, NULL), 0);
    store_sub *a, *b2;
    store_position p = {.type = STORE_TRIM_HORIZON};
    ck_assert_int_eq(store_subscribe(s, c1.arn, SH0, &p, nop_note, NULL, &a, &err), 0);
    ck_assert_int_eq(store_subscribe(s, c2.arn, SH0, &p, nop_note, NULL, &b2, &err), 0);
    store_batch b;
    store_batch_init(&b);
    ck_assert_int_eq(store_sub_read(a, 0, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 30);
    ck_assert_int_eq(store_sub_read(a, 0, &b, &err), EDDY_E_THROTTLED);
    /* The other consumer has its own budget. */
    ck_assert_int_eq(store_sub_read(b2, 5, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 5);
    t_now += 1000;
    ck_assert_int_eq(store_sub_read(a, 0, &b, &err), 0);
    store_sub_close(a);
    store_sub_close(b2);
    store_batch_free(&b);
    store_close(s);
}
END_TEST

Suite *suite_store_limits(void) {
    Suite *s = suite_create("store_limits");
    TCase *tc = tcase_create("limits");
    tcase_add_test(tc, test_retention_memory);
    tcase_add_test(tc, test_retention_files);
    tcase_add_test(tc, test_retention_all_expired_restart);
    tcase_add_test(tc, test_throttle_writes);
    tcase_add_test(tc, test_throttle_reads);
    tcase_add_test(tc, test_throttle_fanout);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_store_limits)
