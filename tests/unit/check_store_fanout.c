/*
 * check_store_fanout.c — enhanced fan-out: consumer registration (ARNs,
 * limits, duplicates, persistence), subscriptions (notifications, reads in
 * order with a continuation number, replacement, ending by deregistration
 * and stream deletion), and a slow subscriber that never holds writers up.
 */
#include "store_test_util.h"

#include <pthread.h>

typedef struct notes {
    int wakeups, ended;
} notes;

static void on_note(void *ctx, int ended) {
    notes *n = ctx;
    if (ended)
        n->ended++;
    else
        n->wakeups++;
}

START_TEST(test_consumers) {
    store *s = t_mem();
    t_create(s, "s", 1);
    eddy_err err;
    store_consumer_desc c;
    ck_assert_int_eq(store_consumer_register(s, "s", "c1", &c, &err), 0);
    char arn[256];
    snprintf(arn, sizeof arn, "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c1:%lld",
             (long long)(t_now / 1000));
    ck_assert_str_eq(c.arn, arn);
    ck_assert_str_eq(c.stream_arn, "arn:aws:kinesis:us-east-1:000000000000:stream/s");
    ck_assert_str_eq(c.status, "ACTIVE");
    ck_assert_int_eq(store_consumer_register(s, "s", "c1", &c, &err), EDDY_E_INUSE);
    ck_assert_int_eq(store_consumer_register(s, "s", "bad name", &c, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_consumer_register(s, "nope", "c1", &c, &err), EDDY_E_NOTFOUND);
    for (int i = 2; i <= 20; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "c%d", i);
        ck_assert_int_eq(store_consumer_register(s, "s", nm, NULL, &err), 0);
    }
    ck_assert_int_eq(store_consumer_register(s, "s", "c21", &c, &err), EDDY_E_LIMIT);
    store_consumer_desc *list;
    size_t n;
    ck_assert_int_eq(store_consumer_list(s, "s", &list, &n, &err), 0);
    ck_assert_uint_eq(n, 20);
    free(list);
    ck_assert_int_eq(store_consumer_describe(s, NULL, NULL, arn, &c, &err), 0);
    ck_assert_str_eq(c.name, "c1");
    ck_assert_int_eq(store_consumer_describe(s, "s", "c2", NULL, &c, &err), 0);
    ck_assert_int_eq(store_consumer_describe(s, "s", "c2", arn, &c, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_consumer_describe(s, NULL, NULL, "arn:aws:kinesis:x", &c, &err), EDDY_E_INVAL);
    /* The creation second in the ARN must match. */
    snprintf(arn, sizeof arn, "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c1:%lld",
             (long long)(t_now / 1000) + 1);
    ck_assert_int_eq(store_consumer_describe(s, NULL, NULL, arn, &c, &err), EDDY_E_NOTFOUND);
    ck_assert_int_eq(store_consumer_deregister(s, "s", "c3", NULL, &err), 0);
    ck_assert_int_eq(store_consumer_deregister(s, "s", "c3", NULL, &err), EDDY_E_NOTFOUND);
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(s, "s", &d, NULL), 0);
    ck_assert_int_eq(d.consumer_count, 19);
    store_stream_desc_free(&d);
    ck_assert_int_eq(store_stream_delete(s, "s", 0, &err), EDDY_E_INUSE);
    ck_assert_int_eq(store_stream_delete(s, "s", 1, &err), 0);
    store_close(s);
}
END_TEST

START_TEST(test_consumers_persist) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    store *s = t_open(dir, STORE_FSYNC_NEVER, 0);
    t_create(s, "s", 1);
    store_consumer_desc a, b;
    ck_assert_int_eq(store_consumer_register(s, "s", "c1", &a, NULL), 0);
    store_close(s);
    s = t_open(dir, STORE_FSYNC_NEVER, 0);
    ck_assert_int_eq(store_consumer_describe(s, NULL, NULL, a.arn, &b, NULL), 0);
    ck_assert_int_eq(b.created_ms, a.created_ms);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

START_TEST(test_subscribe_read_replace) {
    store *s = t_mem();
    t_create(s, "s", 2);
    store_consumer_desc c;
    ck_assert_int_eq(store_consumer_register(s, "s", "c", &c, NULL), 0);
    store_put_result first = t_put(s, "s", "k", "0", "old");
    notes n1 = {0}, n2 = {0};
    store_sub *sub1, *sub2;
    eddy_err err;
    store_position p = {.type = STORE_LATEST};
    ck_assert_int_eq(store_subscribe(s, c.arn, "shardId-000000000000", &p, on_note, &n1, &sub1, &err), 0);
    ck_assert_int_eq(store_subscribe(s, c.arn, "shardId-000000000007", &p, on_note, &n1, &sub2, &err),
                     EDDY_E_NOTFOUND);
    ck_assert_int_eq(store_subscribe(s, "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/zz:1",
                                     "shardId-000000000000", &p, on_note, &n1, &sub2, &err), EDDY_E_NOTFOUND);
    store_batch b;
    store_batch_init(&b);
    ck_assert_int_eq(store_sub_read(sub1, 0, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 0);
    t_put(s, "s", "k", "0", "a");
    t_put(s, "s", "k", "0", "b");
    t_put(s, "s", "k", "340282366920938463463374607431768211455", "other shard");
    ck_assert_int_eq(n1.wakeups, 2);
    ck_assert_int_eq(store_sub_read(sub1, 1, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 1);
    ck_assert_int_eq(memcmp(b.records[0].data, "a", 1), 0);
    ck_assert(b.next_seq == b.records[0].seq);   /* the continuation is the last record read */
    ck_assert_int_eq(store_sub_read(sub1, 0, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 1);
    ck_assert_int_eq(memcmp(b.records[0].data, "b", 1), 0);
    store_seq cont = b.next_seq;
    /* Re-subscribing (AFTER the continuation) replaces the first subscription. */
    p = (store_position){.type = STORE_AFTER_SEQUENCE_NUMBER, .seq = cont};
    ck_assert_int_eq(store_subscribe(s, c.arn, "shardId-000000000000", &p, on_note, &n2, &sub2, &err), 0);
    ck_assert_int_eq(n1.ended, 1);
    ck_assert_int_eq(store_sub_read(sub1, 0, &b, &err), EDDY_E_INUSE);
    t_put(s, "s", "k", "0", "c");
    ck_assert_int_eq(n1.wakeups, 2);
    ck_assert_int_eq(n2.wakeups, 1);
    ck_assert_int_eq(store_sub_read(sub2, 0, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 1);
    ck_assert_int_eq(memcmp(b.records[0].data, "c", 1), 0);
    store_sub_close(sub1);
    /* TRIM_HORIZON from another consumer sees everything. */
    store_consumer_desc c2;
    ck_assert_int_eq(store_consumer_register(s, "s", "c2", &c2, NULL), 0);
    store_sub *sub3;
    notes n3 = {0};
    p = (store_position){.type = STORE_AT_SEQUENCE_NUMBER, .seq = first.seq};
    ck_assert_int_eq(store_subscribe(s, c2.arn, "shardId-000000000000", &p, on_note, &n3, &sub3, &err), 0);
    ck_assert_int_eq(store_sub_read(sub3, 0, &b, &err), 0);
    ck_assert_uint_eq(b.n_records, 4);
    /* Deregistering ends only that consumer's subscriptions. */
    ck_assert_int_eq(store_consumer_deregister(s, NULL, NULL, c.arn, &err), 0);
    ck_assert_int_eq(n2.ended, 1);
    ck_assert_int_eq(n3.ended, 0);
    ck_assert_int_eq(store_sub_read(sub2, 0, &b, &err), EDDY_E_INUSE);
    store_sub_close(sub2);
    /* Deleting the stream ends the rest. */
    ck_assert_int_eq(store_stream_delete(s, "s", 1, &err), 0);
    ck_assert_int_eq(n3.ended, 1);
    ck_assert_int_eq(store_sub_read(sub3, 0, &b, &err), EDDY_E_INUSE);
    store_sub_close(sub3);
    store_batch_free(&b);
    store_close(s);
}
END_TEST

START_TEST(test_subscribe_closed_shard_children) {
    store *s = t_mem();
    t_create(s, "s", 1);
    store_consumer_desc c;
    ck_assert_int_eq(store_consumer_register(s, "s", "c", &c, NULL), 0);
    t_put(s, "s", "k", NULL, "x");
    ck_assert_int_eq(store_shard_split(s, "s", "shardId-000000000000", (eddy_u128)1 << 100, NULL), 0);
    notes n = {0};
    store_sub *sub;
    store_position p = {.type = STORE_TRIM_HORIZON};
    ck_assert_int_eq(store_subscribe(s, c.arn, "shardId-000000000000", &p, on_note, &n, &sub, NULL), 0);
    store_batch b;
    store_batch_init(&b);
    ck_assert_int_eq(store_sub_read(sub, 0, &b, NULL), 0);
    ck_assert_uint_eq(b.n_records, 1);
    ck_assert_int_eq(b.end_of_shard, 1);
    ck_assert_uint_eq(b.n_children, 2);
    store_sub_close(sub);
    store_batch_free(&b);
    store_close(s);
}
END_TEST

/* A subscriber that never reads does not slow writers: puts keep going and
 * the subscriber later catches up from the log. */
typedef struct writer_arg {
    store *s;
    int n;
} writer_arg;

static void *writer(void *arg) {
    writer_arg *w = arg;
    for (int i = 0; i < w->n; i++) {
        char d[16];
        snprintf(d, sizeof d, "%d", i);
        store_put_entry e = {.data = d, .data_len = strlen(d), .partition_key = "k", .partition_key_len = 1};
        store_put_result r;
        if (store_put_record(w->s, "s", &e, &r, NULL) != 0) return (void *)1;
    }
    return NULL;
}

START_TEST(test_slow_subscriber_catches_up) {
    store *s = t_mem();
    t_create(s, "s", 1);
    store_consumer_desc c;
    ck_assert_int_eq(store_consumer_register(s, "s", "c", &c, NULL), 0);
    notes n = {0};
    store_sub *sub;
    store_position p = {.type = STORE_TRIM_HORIZON};
    ck_assert_int_eq(store_subscribe(s, c.arn, "shardId-000000000000", &p, on_note, &n, &sub, NULL), 0);
    writer_arg w = {s, 20000};
    pthread_t th;
    pthread_create(&th, NULL, writer, &w);
    void *ret;
    pthread_join(th, &ret);
    ck_assert_ptr_null(ret);
    ck_assert_int_eq(n.wakeups, 20000);
    store_batch b;
    store_batch_init(&b);
    int total = 0, expect = 0;
    do {
        ck_assert_int_eq(store_sub_read(sub, 3000, &b, NULL), 0);
        for (size_t i = 0; i < b.n_records; i++) {
            char d[16];
            snprintf(d, sizeof d, "%d", expect++);
            ck_assert_int_eq(memcmp(b.records[i].data, d, strlen(d)), 0);
        }
        total += (int)b.n_records;
    } while (b.n_records);
    ck_assert_int_eq(total, 20000);
    store_sub_close(sub);
    store_batch_free(&b);
    store_close(s);
}
END_TEST

Suite *suite_store_fanout(void) {
    Suite *s = suite_create("store_fanout");
    TCase *tc = tcase_create("fanout");
    tcase_add_test(tc, test_consumers);
    tcase_add_test(tc, test_consumers_persist);
    tcase_add_test(tc, test_subscribe_read_replace);
    tcase_add_test(tc, test_subscribe_closed_shard_children);
    tcase_add_test(tc, test_slow_subscriber_catches_up);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_store_fanout)
