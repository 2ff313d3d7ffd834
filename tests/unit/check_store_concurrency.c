/*
 * check_store_concurrency.c — writers, classic readers, a fan-out
 * subscriber and the background fsync thread all at once on one file-backed
 * store with small segments: every reader sees every record once, in
 * sequence order, and nothing deadlocks. Worth running under TSan too.
 */
#include "store_test_util.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

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

/* An fsync held in flight (or failed) by the injected sync. */
typedef struct held_sync {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int entered, release, fail;
} held_sync;

static int hold_sync(int fd, void *ctx) {
    held_sync *h = ctx;
    pthread_mutex_lock(&h->mu);
    h->entered++;
    pthread_cond_broadcast(&h->cv);
    while (!h->release) pthread_cond_wait(&h->cv, &h->mu);
    int fail = h->fail;
    pthread_mutex_unlock(&h->mu);
    return fail ? -1 : fdatasync(fd);
}

typedef struct put_arg {
    store *s;
    const char *data;
    int rc;
} put_arg;

static void *put_thread(void *p) {
    put_arg *a = p;
    store_put_entry e = {.data = a->data, .data_len = strlen(a->data), .partition_key = "k", .partition_key_len = 1};
    store_put_result r;
    a->rc = store_put_record(a->s, "s", &e, &r, NULL);
    return NULL;
}

static size_t get_all(store *s, const char *iter, store_batch *b) {
    ck_assert_int_eq(store_get_records(s, iter, 0, b, NULL), 0);
    return b->n_records;
}

/* Under fsync=always a record is readable only once it is durable: while
 * its put waits for the fsync, GetRecords, a LATEST iterator taken then and
 * a fan-out subscriber see nothing; they see it when the put returns. A put
 * whose fsync failed is not acknowledged and shows nothing either (its bytes
 * are in the file, so a later successful sync makes it readable, as an
 * unacknowledged Kinesis put may yet have been written). */
START_TEST(test_always_reads_only_durable) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    held_sync h = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    store_opts o;
    store_opts_init(&o);
    o.data_dir = dir;
    o.fsync = STORE_FSYNC_ALWAYS;
    o.sync_fd = hold_sync;
    o.sync_ctx = &h;
    store *s;
    ck_assert_int_eq(store_open(&o, &s, NULL), 0);
    t_create(s, "s", 1);
    store_consumer_desc cd;
    ck_assert_int_eq(store_consumer_register(s, "s", "c", &cd, NULL), 0);
    atomic_int notes = 0;
    store_sub *sub;
    store_position th = {.type = STORE_TRIM_HORIZON};
    ck_assert_int_eq(store_subscribe(s, cd.arn, "shardId-000000000000", &th, note, &notes, &sub, NULL), 0);
    char it0[STORE_ITER_STR_MAX], it_latest[STORE_ITER_STR_MAX];
    t_iter(s, "s", "shardId-000000000000", STORE_TRIM_HORIZON, 0, 0, it0);
    store_batch b;
    store_batch_init(&b);

    for (int round = 0; round < 2; round++) {
        /* round 0: the sync succeeds; round 1: it fails. */
        pthread_mutex_lock(&h.mu);
        h.entered = 0;
        h.release = 0;
        h.fail = round == 1;
        pthread_mutex_unlock(&h.mu);
        put_arg pa = {s, round ? "two" : "one", -1};
        pthread_t t;
        pthread_create(&t, NULL, put_thread, &pa);
        pthread_mutex_lock(&h.mu);
        while (!h.entered) pthread_cond_wait(&h.cv, &h.mu);
        pthread_mutex_unlock(&h.mu);
        /* The record is appended, its fsync in flight: only the earlier
         * rounds' acknowledged record is readable. */
        ck_assert_uint_eq(get_all(s, it0, &b), (size_t)round);
        ck_assert_int_eq(b.millis_behind_latest, 0);
        if (round == 0) t_iter(s, "s", "shardId-000000000000", STORE_LATEST, 0, 0, it_latest);
        ck_assert_int_eq(store_sub_read(sub, 0, &b, NULL), 0);
        ck_assert_uint_eq(b.n_records, 0);
        int notes_before = atomic_load(&notes);
        pthread_mutex_lock(&h.mu);
        h.release = 1;
        pthread_cond_broadcast(&h.cv);
        pthread_mutex_unlock(&h.mu);
        pthread_join(t, NULL);
        if (round == 0) {
            ck_assert_int_eq(pa.rc, 0);
            ck_assert_int_gt(atomic_load(&notes), notes_before);
            ck_assert_uint_eq(get_all(s, it0, &b), 1);
            ck_assert(b.records[0].data_len == 3 && !memcmp(b.records[0].data, "one", 3));
            ck_assert_uint_eq(get_all(s, it_latest, &b), 1);   /* LATEST taken mid-sync still sees it */
            ck_assert_int_eq(store_sub_read(sub, 0, &b, NULL), 0);
            ck_assert_uint_eq(b.n_records, 1);
        } else {
            ck_assert_int_eq(pa.rc, EDDY_E_IO);
            ck_assert_uint_eq(get_all(s, it0, &b), 1);   /* still only "one" */
            ck_assert_int_eq(store_sub_read(sub, 0, &b, NULL), 0);
            ck_assert_uint_eq(b.n_records, 0);
        }
    }
    /* A later put that syncs makes the failed one's bytes readable too. */
    pthread_mutex_lock(&h.mu);
    h.release = 1;
    h.fail = 0;
    pthread_mutex_unlock(&h.mu);
    t_put(s, "s", "k", NULL, "three");
    ck_assert_uint_eq(t_read_all(s, "s", "shardId-000000000000", NULL, 0), 3);
    store_batch_free(&b);
    store_sub_close(sub);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

static atomic_int fail_syncs;   /* the next n injected syncs fail */

static int failing_sync(int fd, void *ctx) {
    (void)ctx;
    if (atomic_load(&fail_syncs) > 0) {
        atomic_fetch_sub(&fail_syncs, 1);
        errno = EIO;
        return -1;
    }
    return fdatasync(fd);
}

static size_t parent_read(store *s, int *end, size_t *children) {
    char it[STORE_ITER_STR_MAX];
    t_iter(s, "s", "shardId-000000000000", STORE_TRIM_HORIZON, 0, 0, it);
    store_batch b;
    store_batch_init(&b);
    ck_assert_int_eq(store_get_records(s, it, 0, &b, NULL), 0);
    size_t n = b.n_records;
    *end = b.end_of_shard;
    *children = b.n_children;
    store_batch_free(&b);
    return n;
}

/* After a put's fsync failed under fsync=always, its records still become
 * readable without another put: the background thread retries the sync;
 * a reshard syncs the shards it closes first, so a reader of the parent
 * reaches its end and children; and a PutRecords over two shards syncs
 * both although the first sync failed. */
START_TEST(test_always_failed_sync_recovers) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    store_opts o;
    store_opts_init(&o);
    o.data_dir = dir;
    o.fsync = STORE_FSYNC_ALWAYS;
    o.sync_fd = failing_sync;
    store *s;
    ck_assert_int_eq(store_open(&o, &s, NULL), 0);
    t_create(s, "s", 1);
    t_put(s, "s", "k", NULL, "one");
    atomic_store(&fail_syncs, 1);
    store_put_entry e = {.data = "two", .data_len = 3, .partition_key = "k", .partition_key_len = 1};
    store_put_result r;
    ck_assert_int_eq(store_put_record(s, "s", &e, &r, NULL), EDDY_E_IO);
    int end;
    size_t children, n = 1;
    /* The background thread syncs dirty shards about once a second. */
    for (int i = 0; i < 60 && n < 2; i++) {
        n = parent_read(s, &end, &children);
        if (n < 2) usleep(100000);
    }
    ck_assert_uint_eq(n, 2);

    /* A failed put, then a split before any retry: the split syncs. */
    atomic_store(&fail_syncs, 1);
    e.data = "three";
    ck_assert_int_eq(store_put_record(s, "s", &e, &r, NULL), EDDY_E_IO);
    ck_assert_int_eq(store_shard_split(s, "s", "shardId-000000000000", (eddy_u128)1 << 127, NULL), 0);
    ck_assert_uint_eq(parent_read(s, &end, &children), 3);
    ck_assert_int_eq(end, 1);
    ck_assert_uint_eq(children, 2);

    /* Two shards in one PutRecords, the first sync failing: both synced. */
    atomic_store(&fail_syncs, 1);
    store_put_entry two[2] = {
        {.data = "a", .data_len = 1, .partition_key = "k", .partition_key_len = 1, .explicit_hash_key = "1"},
        {.data = "b", .data_len = 1, .partition_key = "k", .partition_key_len = 1,
         .explicit_hash_key = "340282366920938463463374607431768211455"}};
    store_put_result res[2];
    size_t failed;
    ck_assert_int_eq(store_put_records(s, "s", two, 2, res, &failed, NULL), EDDY_E_IO);
    /* The shard whose sync succeeded is readable at once; the other once the
     * background retry has synced it. */
    size_t seen = t_read_all(s, "s", "shardId-000000000001", NULL, 0) + t_read_all(s, "s", "shardId-000000000002", NULL, 0);
    ck_assert_uint_ge(seen, 1);
    for (int i = 0; i < 60 && seen < 2; i++) {
        usleep(100000);
        seen = t_read_all(s, "s", "shardId-000000000001", NULL, 0) + t_read_all(s, "s", "shardId-000000000002", NULL, 0);
    }
    ck_assert_uint_eq(seen, 2);
    store_close(s);
    t_rmdir(dir);

    /* A segment that cannot be synced is not left: the put that would roll
     * to a new file fails, and none of its records is written. */
    o.segment_bytes = 4096;
    ck_assert_int_eq(store_open(&o, &s, NULL), 0);
    t_create(s, "r", 1);
    char big[1000];
    memset(big, 'x', sizeof big);
    store_put_entry be = {.data = big, .data_len = sizeof big, .partition_key = "k", .partition_key_len = 1};
    for (int i = 0; i < 3; i++) ck_assert_int_eq(store_put_record(s, "r", &be, &r, NULL), 0);
    atomic_store(&fail_syncs, 1);
    ck_assert_int_ne(store_put_record(s, "r", &be, &r, NULL), 0);
    ck_assert_uint_eq(t_read_all(s, "r", "shardId-000000000000", NULL, 0), 3);
    ck_assert_int_eq(store_put_record(s, "r", &be, &r, NULL), 0);
    ck_assert_uint_eq(t_read_all(s, "r", "shardId-000000000000", NULL, 0), 4);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

Suite *suite_store_concurrency(void) {
    Suite *s = suite_create("store_concurrency");
    TCase *tc = tcase_create("concurrency");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_concurrent_everything);
    tcase_add_test(tc, test_always_reads_only_durable);
    tcase_add_test(tc, test_always_failed_sync_recovers);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_store_concurrency)
