/*
 * check_store_reshard.c — split, merge and uniform rescaling: validation
 * messages, lineage in descriptions and in the end-of-shard child lists,
 * sequence bounds across parents and children, reads across lineage, and
 * persistence of the new shape.
 */
#include "store_test_util.h"

#include "u128.h"

static const eddy_u128 HALF = (eddy_u128)1 << 127;

/* Reads a shard from TRIM_HORIZON through GetRecords to its end. */
static size_t drain(store *s, const char *stream, const char *shard, store_batch *b, store_seq *last) {
    char it[STORE_ITER_STR_MAX];
    t_iter(s, stream, shard, STORE_TRIM_HORIZON, 0, 0, it);
    size_t n = 0;
    eddy_err err;
    for (int guard = 0; guard < 1000; guard++) {
        ck_assert_msg(store_get_records(s, it, 0, b, &err) == 0, "%s", err.msg);
        n += b->n_records;
        if (b->n_records && last) *last = b->records[b->n_records - 1].seq;
        if (!b->next_iterator[0] || b->n_records == 0) break;
        strcpy(it, b->next_iterator);
    }
    return n;
}

START_TEST(test_split) {
    store *s = t_mem();
    t_create(s, "s", 1);
    for (int i = 0; i < 10; i++) t_put(s, "s", "k", i % 2 ? "0" : "340282366920938463463374607431768211455", "p");
    eddy_err err;
    ck_assert_int_eq(store_shard_split(s, "s", "shardId-000000000000", 1, &err), EDDY_E_INVAL);
    ck_assert(strstr(err.msg, "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in "
                              "stream s under account 000000000000 is not both greater than one plus") != NULL);
    ck_assert_int_eq(store_shard_split(s, "s", "shardId-000000000000", EDDY_U128_MAX, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_shard_split(s, "s", "shardId-000000000009", HALF, &err), EDDY_E_NOTFOUND);
    ck_assert_int_eq(store_shard_split(s, "nope", "shardId-000000000000", HALF, &err), EDDY_E_NOTFOUND);
    ck_assert_int_eq(store_shard_split(s, "s", "shardId-000000000000", HALF, &err), 0);
    ck_assert_int_eq(store_shard_split(s, "s", "shardId-000000000000", HALF, &err), EDDY_E_INVAL);
    ck_assert_str_eq(err.msg, "Shard shardId-000000000000 in stream s under account 000000000000 has already "
                              "been merged or split, and thus is not eligible for merging or splitting.");
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(s, "s", &d, NULL), 0);
    ck_assert_uint_eq(d.n_shards, 3);
    ck_assert_int_eq(d.open_shard_count, 2);
    ck_assert_int_eq(d.shards[0].closed, 1);
    ck_assert_str_eq(d.shards[1].parent_shard_id, "shardId-000000000000");
    ck_assert_str_eq(d.shards[2].parent_shard_id, "shardId-000000000000");
    ck_assert_str_eq(d.shards[1].adjacent_parent_shard_id, "");
    ck_assert(d.shards[1].start_hash == 0 && d.shards[1].end_hash == HALF - 1);
    ck_assert(d.shards[2].start_hash == HALF && d.shards[2].end_hash == EDDY_U128_MAX);
    /* Children start above every record (and the end) of the parent. */
    store_batch b;
    store_batch_init(&b);
    store_seq last = 0;
    ck_assert_uint_eq(drain(s, "s", "shardId-000000000000", &b, &last), 10);
    ck_assert_int_eq(b.end_of_shard, 1);
    ck_assert_str_eq(b.next_iterator, "");
    ck_assert_uint_eq(b.n_children, 2);
    ck_assert_str_eq(b.children[0].shard_id, "shardId-000000000001");
    ck_assert_str_eq(b.children[0].parent_shard_ids[0], "shardId-000000000000");
    ck_assert_str_eq(b.children[0].parent_shard_ids[1], "");
    ck_assert(b.children[1].start_hash == HALF);
    ck_assert(d.shards[0].ending_seq >= last);
    ck_assert(d.shards[1].starting_seq > d.shards[0].ending_seq);
    ck_assert(d.shards[2].starting_seq > d.shards[0].ending_seq);
    /* New records go to the children by hash and number above the parent. */
    store_put_result r = t_put(s, "s", "k", "0", "c1");
    ck_assert_str_eq(r.shard_id, "shardId-000000000001");
    ck_assert(r.seq > last);
    r = t_put(s, "s", "k", "340282366920938463463374607431768211455", "c2");
    ck_assert_str_eq(r.shard_id, "shardId-000000000002");
    ck_assert_uint_eq(drain(s, "s", "shardId-000000000001", &b, NULL), 1);
    ck_assert_int_eq(b.end_of_shard, 0);
    /* LATEST on a closed shard: a valid iterator that reports the end. */
    char it[STORE_ITER_STR_MAX];
    t_iter(s, "s", "shardId-000000000000", STORE_LATEST, 0, 0, it);
    ck_assert_int_eq(store_get_records(s, it, 0, &b, NULL), 0);
    ck_assert_int_eq(b.end_of_shard, 1);
    store_batch_free(&b);
    store_stream_desc_free(&d);
    store_close(s);
}
END_TEST

/* A closed parent is EXPIRED once all its data is past retention (24 h after
 * it closed): no longer listed; its children still name it as parent. */
START_TEST(test_expired_parent_unlisted) {
    store *s = t_mem();
    t_create(s, "s", 1);
    t_put(s, "s", "k", NULL, "p");
    eddy_err err;
    ck_assert_int_eq(store_shard_split(s, "s", "shardId-000000000000", HALF, &err), 0);
    store_stream_desc d;
    t_now += 24LL * 3600000 - 1;
    ck_assert_int_eq(store_stream_describe(s, "s", &d, NULL), 0);
    ck_assert_uint_eq(d.n_shards, 3);
    store_stream_desc_free(&d);
    t_now += 1;
    ck_assert_int_eq(store_stream_describe(s, "s", &d, NULL), 0);
    ck_assert_uint_eq(d.n_shards, 2);
    ck_assert_str_eq(d.shards[0].shard_id, "shardId-000000000001");
    ck_assert_str_eq(d.shards[0].parent_shard_id, "shardId-000000000000");
    ck_assert_int_eq(d.open_shard_count, 2);
    store_stream_desc_free(&d);
    /* A longer retention keeps it listed. */
    ck_assert_int_eq(store_retention_increase(s, "s", 48, &err), 0);
    ck_assert_int_eq(store_stream_describe(s, "s", &d, NULL), 0);
    ck_assert_uint_eq(d.n_shards, 3);
    store_stream_desc_free(&d);
    store_close(s);
}
END_TEST

START_TEST(test_merge) {
    store *s = t_mem();
    t_create(s, "s", 3);
    eddy_err err;
    ck_assert_int_eq(store_shard_merge(s, "s", "shardId-000000000000", "shardId-000000000002", &err), EDDY_E_INVAL);
    ck_assert_str_eq(err.msg, "Shards shardId-000000000000 and shardId-000000000002 in stream s under account "
                              "000000000000 are not an adjacent pair of shards eligible for merging");
    ck_assert_int_eq(store_shard_merge(s, "s", "shardId-000000000001", "shardId-000000000001", &err), EDDY_E_INVAL);
    t_put(s, "s", "k", "0", "a");
    t_put(s, "s", "k", "340282366920938463463374607431768211455", "b");
    ck_assert_int_eq(store_shard_merge(s, "s", "shardId-000000000002", "shardId-000000000001", &err), 0);
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(s, "s", &d, NULL), 0);
    ck_assert_uint_eq(d.n_shards, 4);
    ck_assert_str_eq(d.shards[3].parent_shard_id, "shardId-000000000002");
    ck_assert_str_eq(d.shards[3].adjacent_parent_shard_id, "shardId-000000000001");
    ck_assert(d.shards[3].start_hash == d.shards[1].start_hash);
    ck_assert(d.shards[3].end_hash == EDDY_U128_MAX);
    ck_assert(d.shards[3].starting_seq > d.shards[2].ending_seq);
    store_stream_desc_free(&d);
    ck_assert_int_eq(store_shard_merge(s, "s", "shardId-000000000001", "shardId-000000000000", &err), EDDY_E_INVAL);
    ck_assert(strstr(err.msg, "has already been merged or split") != NULL);
    store_batch b;
    store_batch_init(&b);
    ck_assert_uint_eq(drain(s, "s", "shardId-000000000002", &b, NULL), 1);
    ck_assert_int_eq(b.end_of_shard, 1);
    ck_assert_uint_eq(b.n_children, 1);
    ck_assert_str_eq(b.children[0].shard_id, "shardId-000000000003");
    ck_assert_str_eq(b.children[0].parent_shard_ids[0], "shardId-000000000002");
    ck_assert_str_eq(b.children[0].parent_shard_ids[1], "shardId-000000000001");
    ck_assert_str_eq(t_put(s, "s", "k", "340282366920938463463374607431768211455", "c").shard_id,
                     "shardId-000000000003");
    store_batch_free(&b);
    store_close(s);
}
END_TEST

/* Checks the open shards are `target` uniform ranges and that every shard
 * has at most two parents and two children. */
static void check_uniform(store *s, const char *name, int target) {
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(s, name, &d, NULL), 0);
    ck_assert_int_eq(d.open_shard_count, target);
    eddy_u128 n = (eddy_u128)target;
    eddy_u128 w = EDDY_U128_MAX / n + (EDDY_U128_MAX % n == n - 1 ? 1 : 0);
    int k = 0;
    eddy_u128 expect_start = 0;
    /* Walk the open shards in hash order. */
    for (int found = 1; found && k < target;) {
        found = 0;
        for (size_t i = 0; i < d.n_shards; i++) {
            if (d.shards[i].closed || d.shards[i].start_hash != expect_start) continue;
            eddy_u128 end = k == target - 1 ? EDDY_U128_MAX : (eddy_u128)(k + 1) * w - 1;
            ck_assert(d.shards[i].end_hash == end);
            expect_start = end + 1;
            k++;
            found = 1;
            break;
        }
    }
    ck_assert_int_eq(k, target);
    store_stream_desc_free(&d);
}

START_TEST(test_update_count) {
    static const int pairs[][2] = {{1, 2}, {2, 1}, {3, 5}, {5, 3}, {4, 8}, {8, 4}, {3, 3}, {7, 13}};
    store *s = t_mem();
    eddy_err err;
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        char name[16];
        snprintf(name, sizeof name, "u%zu", p);
        t_create(s, name, pairs[p][0]);
        for (int i = 0; i < 40; i++) {
            char pk[8];
            snprintf(pk, sizeof pk, "%d", i);
            t_put(s, name, pk, NULL, "before");
        }
        ck_assert_msg(store_shard_count_update(s, name, pairs[p][1], &err) == 0, "%s", err.msg);
        check_uniform(s, name, pairs[p][1]);
        for (int i = 0; i < 40; i++) {
            char pk[8];
            snprintf(pk, sizeof pk, "%d", i);
            t_put(s, name, pk, NULL, "after");
        }
        /* Every record is still readable, across the whole lineage. */
        store_stream_desc d;
        ck_assert_int_eq(store_stream_describe(s, name, &d, NULL), 0);
        size_t total = 0;
        store_batch b;
        store_batch_init(&b);
        for (size_t i = 0; i < d.n_shards; i++) {
            total += drain(s, name, d.shards[i].shard_id, &b, NULL);
            ck_assert_int_eq(b.end_of_shard, d.shards[i].closed);
            ck_assert_uint_le(b.n_children, 2);
            if (d.shards[i].parent_shard_id[0]) {
                /* A child starts above its parents' ends. */
                unsigned pi = (unsigned)atoi(d.shards[i].parent_shard_id + 8);
                ck_assert(d.shards[i].starting_seq >> 32 > d.shards[pi].ending_seq >> 32);
            }
        }
        ck_assert_uint_eq(total, 80);
        store_batch_free(&b);
        store_stream_desc_free(&d);
    }
    t_create(s, "v", 4);
    ck_assert_int_eq(store_shard_count_update(s, "v", 9, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_shard_count_update(s, "v", 1, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_shard_count_update(s, "v", 0, &err), EDDY_E_INVAL);
    ck_assert_int_eq(store_shard_count_update(s, "nope", 2, &err), EDDY_E_NOTFOUND);
    store_close(s);
}
END_TEST

START_TEST(test_shard_limit) {
    store *s = t_mem();
    eddy_err err;
    t_create(s, "a", 9999);
    ck_assert_int_eq(store_stream_create(s, "b", 2, &err), EDDY_E_LIMIT);
    ck_assert(strstr(err.msg, "would exceed the shard limit") != NULL);
    t_create(s, "b", 1);
    ck_assert_int_eq(store_shard_split(s, "b", "shardId-000000000000", HALF, &err), EDDY_E_LIMIT);
    store_close(s);
}
END_TEST

START_TEST(test_reshard_persists) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    store *s = t_open(dir, STORE_FSYNC_NEVER, 0);
    t_create(s, "s", 2);
    t_put(s, "s", "k", "0", "x");
    ck_assert_int_eq(store_shard_split(s, "s", "shardId-000000000000", HALF / 2, NULL), 0);
    ck_assert_int_eq(store_shard_merge(s, "s", "shardId-000000000003", "shardId-000000000001", NULL), 0);
    store_stream_desc a, b;
    ck_assert_int_eq(store_stream_describe(s, "s", &a, NULL), 0);
    store_close(s);
    s = t_open(dir, STORE_FSYNC_NEVER, 0);
    ck_assert_int_eq(store_stream_describe(s, "s", &b, NULL), 0);
    ck_assert_uint_eq(a.n_shards, b.n_shards);
    ck_assert_int_eq(memcmp(a.shards, b.shards, a.n_shards * sizeof *a.shards), 0);
    store_batch bt;
    store_batch_init(&bt);
    ck_assert_uint_eq(drain(s, "s", "shardId-000000000000", &bt, NULL), 1);
    ck_assert_uint_eq(bt.n_children, 2);
    store_batch_free(&bt);
    /* A new record's number is above the children's starting numbers. */
    store_put_result r = t_put(s, "s", "k", "0", "y");
    ck_assert(r.seq > b.shards[4].starting_seq);
    store_stream_desc_free(&a);
    store_stream_desc_free(&b);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

Suite *suite_store_reshard(void) {
    Suite *s = suite_create("store_reshard");
    TCase *tc = tcase_create("reshard");
    tcase_add_test(tc, test_split);
    tcase_add_test(tc, test_expired_parent_unlisted);
    tcase_add_test(tc, test_merge);
    tcase_add_test(tc, test_update_count);
    tcase_add_test(tc, test_shard_limit);
    tcase_add_test(tc, test_reshard_persists);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_store_reshard)
