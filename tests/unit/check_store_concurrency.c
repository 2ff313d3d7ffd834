/*
 * check_store_concurrency.c — writers, classic readers, a fan-out
 * subscriber and the background fsync thread all at once on one file-backed
 * store with small segments: every reader sees every record once, in
 * sequence order, and nothing deadlocks. Worth running under TSan too.
 */
#include "store_test_util.h"

#include <pthread.h>
#include <stdatomic.h>

#define WRITERS 2
#define PER_WRITER 4000

typedef struct shared {
    store *s;
    atomic_int writers_done;
} shared;

static void *writer(void *p) {
    shared *sh = p;
    static atomic_int next_id;
    int id = atomic_fetch_add(&next_id, 1);
    for (int i = 0; i < PER_WRITER / 10; i++) {
        store_put_entry e[10];
        store_put_result r[10];
        char d[10][32];
        for (int j = 0; j < 10; j++) {
            snprintf(d[j], sizeof d[j], "w%d-%d", id, i * 10 + j);
            /* Explicit hash keys: exactly half the records go to each shard. */
            e[j] = (store_put_entry){.data = d[j], .data_len = strlen(d[j]), .partition_key = "k",
                                     .partition_key_len = 1,
                                     .explicit_hash_key = j % 2 ? "1" : "340282366920938463463374607431768211455"};
        }
        size_t failed;
        if (store_put_records(sh->s, "s", e, 10, r, &failed, NULL) != 0 || failed) return (void *)1;
    }
    atomic_fetch_add(&sh->writers_done, 1);
    return NULL;
}

typedef struct reader_arg {
    shared *sh;
    const char *shard;
    size_t seen;
    int bad_order;
} reader_arg;

static void *reader(void *p) {
    reader_arg *a = p;
    store_position pos = {.type = STORE_TRIM_HORIZON};
    store_cursor *c;
    if (store_cursor_open(a->sh->s, "s", a->shard, &pos, &c, NULL) != 0) return (void *)1;
    store_batch b;
    store_batch_init(&b);
    store_seq last = 0;
    for (;;) {
        int done = atomic_load(&a->sh->writers_done) == WRITERS;
        if (store_cursor_read(c, 137, &b, NULL) != 0) break;
        for (size_t i = 0; i < b.n_records; i++) {
            if (b.records[i].seq <= last) a->bad_order++;
            last = b.records[i].seq;
        }
        a->seen += b.n_records;
        if (done && b.n_records == 0) break;
    }
    store_batch_free(&b);
    store_cursor_close(c);
    return NULL;
}

static void note(void *ctx, int ended) { atomic_fetch_add((atomic_int *)ctx, 1); }

START_TEST(test_concurrent_everything) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    store_opts o;
    store_opts_init(&o);
    o.data_dir = dir;
    o.fsync = STORE_FSYNC_INTERVAL;
    o.fsync_interval_ms = 2;
    o.segment_bytes = 16 * 1024;
    store *s;
    ck_assert_int_eq(store_open(&o, &s, NULL), 0);
    t_create(s, "s", 2);
    store_consumer_desc cd;
    ck_assert_int_eq(store_consumer_register(s, "s", "c", &cd, NULL), 0);
    atomic_int notes = 0;
    store_sub *sub;
    store_position pos = {.type = STORE_TRIM_HORIZON};
    ck_assert_int_eq(store_subscribe(s, cd.arn, "shardId-000000000000", &pos, note, &notes, &sub, NULL), 0);
    shared sh = {s, 0};
    pthread_t w[WRITERS], r[2];
    reader_arg ra[2] = {{&sh, "shardId-000000000000", 0, 0}, {&sh, "shardId-000000000001", 0, 0}};
    for (int i = 0; i < 2; i++) pthread_create(&r[i], NULL, reader, &ra[i]);
    for (int i = 0; i < WRITERS; i++) pthread_create(&w[i], NULL, writer, &sh);
    size_t sub_seen = 0;
    store_batch b;
    store_batch_init(&b);
    for (;;) {
        int done = atomic_load(&sh.writers_done) == WRITERS;
        ck_assert_int_eq(store_sub_read(sub, 500, &b, NULL), 0);
        sub_seen += b.n_records;
        if (done && b.n_records == 0) break;
    }
    for (int i = 0; i < WRITERS; i++) {
        void *ret;
        pthread_join(w[i], &ret);
        ck_assert_ptr_null(ret);
    }
    for (int i = 0; i < 2; i++) {
        void *ret;
        pthread_join(r[i], &ret);
        ck_assert_ptr_null(ret);
        ck_assert_uint_eq(ra[i].seen, WRITERS * PER_WRITER / 2);
        ck_assert_int_eq(ra[i].bad_order, 0);
    }
    ck_assert_uint_eq(sub_seen, WRITERS * PER_WRITER / 2);
    ck_assert_int_ge(atomic_load(&notes), 1);
    store_batch_free(&b);
    store_sub_close(sub);
    store_close(s);
    s = t_open(dir, STORE_FSYNC_NEVER, 16 * 1024);
    ck_assert_uint_eq(t_read_all(s, "s", "shardId-000000000000", NULL, 0), WRITERS * PER_WRITER / 2);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

Suite *suite_store_concurrency(void) {
    Suite *s = suite_create("store_concurrency");
    TCase *tc = tcase_create("concurrency");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_concurrent_everything);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_store_concurrency)
