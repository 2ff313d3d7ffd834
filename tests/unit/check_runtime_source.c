/*
 * check_runtime_source.c — unit tests of the runtime's shard readers: the
 * time-ordered merge on its own (source_merge.h), then readers over an
 * in-memory store with an injected clock (reader.h, shard_source.h): every
 * shard read, ROWTIME order, determinism (1 vs 8 shards, live vs replay,
 * classic vs fan-out), splits and merges, idle shards, LATEST and
 * AT_TIMESTAMP starts, throttling back-off, positions for checkpoints.
 */
#include "check_main.h"

#include "reader.h"
#include "shard_source.h"
#include "source_merge.h"
#include "store.h"
#include "eddy_time.h"
#include "u128.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T0 1700000000000LL

/* ------------------------------------------------------------ merge alone */

static store_record rec(int64_t arrival, unsigned seq, const char *data) {
    store_record r = {.seq = seq, .arrival_ms = arrival, .partition_key = "k",
                      .partition_key_len = 1, .data = data, .data_len = (uint32_t)strlen(data)};
    return r;
}

START_TEST(test_merge_ties_and_frontiers) {
    rt_merge *m;
    ck_assert_int_eq(rt_merge_new(1000, &m, NULL), 0);
    int a = rt_merge_lane_add(m, 5, INT64_MIN, NULL);
    int b = rt_merge_lane_add(m, 2, INT64_MIN, NULL);
    store_record ra[] = {rec(10, 1, "a1"), rec(20, 2, "a2"), rec(30, 3, "a3")};
    store_record rb[] = {rec(20, 7, "b1"), rec(25, 8, "b2")};
    rt_merge_feed(m, a, ra, 3, 1, 100);
    rt_merge_feed(m, b, rb, 2, 1, 100);
    rt_record out[8];
    size_t n;
    int dl;
    /* b runs out at 25: a3 (30) must wait for b's next record or idleness. */
    ck_assert_int_eq(rt_merge_run(m, 100, out, 8, &n, &dl), RT_MERGE_NEED_DATA);
    ck_assert_uint_eq(n, 4);
    const char *want[] = {"a1", "b1", "a2", "b2"};   /* tie at 20: lane tie 2 < 5 */
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(memcmp(out[i].data, want[i], 2), 0);
    ck_assert_int_eq(out[1].lane, b);
    ck_assert_int_eq(rt_merge_watermark(m, 100), 25);
    /* b is at its tip and empty; after the idle timeout it stops holding a3. */
    rt_merge_feed(m, b, NULL, 0, 1, 200);
    ck_assert_int_eq(rt_merge_run(m, 1099, out, 8, &n, &dl), RT_MERGE_NEED_DATA);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(rt_merge_run(m, 1100, out, 8, &n, &dl), RT_MERGE_NEED_DATA);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(out[0].rowtime, 30);
    /* a is empty and idle too (its fetch at 100 reached the tip): it is
     * complete up to 100, the time of that fetch, which now holds time. */
    int64_t w = rt_merge_watermark(m, 1100);
    ck_assert_int_eq(w, 100);
    rt_merge_finish(m, a);
    ck_assert_int_eq(rt_merge_lane_done(m, a), 1);
    ck_assert_uint_eq(rt_merge_live(m), 1);
    store_seq s;
    int64_t t;
    ck_assert_int_eq(rt_merge_lane_last(m, b, &s, &t), 1);
    ck_assert(s == 8);
    ck_assert_int_eq(t, 25);
    rt_merge_free(m);
}
END_TEST

START_TEST(test_merge_lane_done_and_full) {
    rt_merge *m;
    ck_assert_int_eq(rt_merge_new(-1, &m, NULL), 0);
    int a = rt_merge_lane_add(m, 0, INT64_MIN, NULL);
    int b = rt_merge_lane_add(m, 1, INT64_MIN, NULL);
    store_record ra[] = {rec(1, 1, "a1"), rec(2, 2, "a2")};
    store_record rb[] = {rec(3, 1, "b1"), rec(4, 2, "b2"), rec(5, 3, "b3")};
    rt_merge_feed(m, a, ra, 2, 0, 0);
    rt_merge_finish(m, a);
    rt_merge_feed(m, b, rb, 3, 0, 0);
    rt_record out[2];
    size_t n;
    int dl = -1;
    ck_assert_int_eq(rt_merge_run(m, 0, out, 2, &n, &dl), RT_MERGE_LANE_DONE);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(dl, a);
    ck_assert_int_eq(rt_merge_run(m, 0, out, 2, &n, &dl), RT_MERGE_FULL);
    ck_assert_uint_eq(n, 2);
    /* Never idle (timeout < 0): b's last record waits for b's next fetch. */
    ck_assert_int_eq(rt_merge_run(m, 1000000, out, 2, &n, &dl), RT_MERGE_NEED_DATA);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(out[0].rowtime, 5);
    rt_merge_finish(m, b);
    ck_assert_int_eq(rt_merge_run(m, 0, out, 2, &n, &dl), RT_MERGE_IDLE);
    ck_assert_int_eq(rt_merge_watermark(m, 0), 5);
    rt_merge_free(m);
}
END_TEST

/* ------------------------------------------------------------ store fixture */

static int64_t g_now;
static int64_t test_clock(void *ctx) { return g_now; }

typedef struct fx {
    store *s;
    shard_source *src;
} fx;

static void fx_open(fx *f) {
    g_now = T0;
    store_opts so;
    store_opts_init(&so);
    so.data_dir = NULL;
    so.clock_ms = test_clock;
    eddy_err e;
    ck_assert_msg(store_open(&so, &f->s, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(shard_source_local_new(f->s, &f->src, &e), 0);
}

static void fx_close(fx *f) {
    shard_source_free(f->src);
    store_close(f->s);
}

static void create(fx *f, const char *name, int shards) {
    eddy_err e;
    ck_assert_msg(store_stream_create(f->s, name, shards, &e) == 0, "%s", e.msg);
}

/* The start hash of a stream's shard `i` (listing order), as decimal text. */
static void shard_hash(fx *f, const char *stream, const char *shard_id, char out[48]) {
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(f->s, stream, &d, NULL), 0);
    for (size_t i = 0; i < d.n_shards; i++)
        if (strcmp(d.shards[i].shard_id, shard_id) == 0)
            eddy_u128_format(d.shards[i].start_hash, out);
    store_stream_desc_free(&d);
}

/* Puts one record; arrival 0 = the store clock. shard_id NULL = by key. */
static void put(fx *f, const char *stream, const char *shard_id, const char *pkey,
                const char *data, int64_t arrival) {
    char hk[48];
    store_put_entry pe = {.data = data, .data_len = strlen(data), .partition_key = pkey,
                          .partition_key_len = strlen(pkey), .arrival_ms = arrival};
    if (shard_id) {
        shard_hash(f, stream, shard_id, hk);
        pe.explicit_hash_key = hk;
    }
    store_put_result res;
    eddy_err e;
    ck_assert_msg(store_put_record(f->s, stream, &pe, &res, &e) == 0, "%s", e.msg);
}

/* One delivered record, copied. */
typedef struct got {
    int64_t rowtime;
    char shard[STORE_SHARD_ID_MAX];
    store_seq seq;
    char data[32];
} got;

typedef struct run {
    got *g;
    size_t n, cap;
    int64_t last_watermark;
    rt_reader_stats stats;
} run;

static void collect(run *ru, rt_reader *r, const rt_reader_out *o) {
    for (size_t i = 0; i < o->n_records; i++) {
        if (ru->n == ru->cap) {
            ru->cap = ru->cap ? ru->cap * 2 : 256;
            ru->g = realloc(ru->g, ru->cap * sizeof *ru->g);
        }
        got *g = &ru->g[ru->n++];
        const rt_record *x = &o->records[i];
        g->rowtime = x->rowtime;
        snprintf(g->shard, sizeof g->shard, "%s", rt_reader_shard_id(r, x->lane));
        g->seq = x->seq;
        size_t len = x->data_len < sizeof g->data - 1 ? x->data_len : sizeof g->data - 1;
        memcpy(g->data, x->data, len);
        g->data[len] = '\0';
        /* Every record already delivered is at or below the watermark, and
         * the watermark never goes back. */
    }
    ck_assert(o->watermark >= ru->last_watermark);
    if (o->n_records)
        ck_assert(o->records[o->n_records - 1].rowtime <= o->watermark);
    ru->last_watermark = o->watermark;
}

/* Polls a reader, advancing the clock by step_ms each time, until it reports
 * done (drain) or until `expect` records came and `extra` more polls ran. */
static void pump(rt_reader *r, run *ru, int64_t step_ms, size_t max, size_t expect, int extra) {
    eddy_err e;
    for (int it = 0; it < 20000; it++) {
        rt_reader_out o;
        ck_assert_msg(rt_reader_poll(r, max, &o, &e) == 0, "%s", e.msg);
        collect(ru, r, &o);
        if (o.done)
            break;
        if (expect && ru->n >= expect && extra-- <= 0)
            break;
        g_now += step_ms;
    }
    rt_reader_get_stats(r, &ru->stats);
}

static void run_init(run *ru) {
    memset(ru, 0, sizeof *ru);
    ru->last_watermark = INT64_MIN;
}

static rt_reader *open_reader(fx *f, const char *stream, rt_reader_opts *o) {
    rt_reader *r = NULL;
    eddy_err e;
    ck_assert_msg(rt_reader_open(o, f->src, stream, &r, &e) == 0, "%s", e.msg);
    return r;
}

/* Reads a whole stream in drain mode. */
static void drain_all(fx *f, const char *stream, rt_reader_kind kind, size_t max, run *ru) {
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.kind = kind;
    o.consumer_name = "eddy-test";
    o.drain = 1;
    run_init(ru);
    rt_reader *r = open_reader(f, stream, &o);
    pump(r, ru, 10, max, 0, 0);
    rt_reader_close(r);
}

static void assert_rowtime_order(const run *ru) {
    for (size_t i = 1; i < ru->n; i++)
        ck_assert_msg(ru->g[i - 1].rowtime <= ru->g[i].rowtime, "rowtime goes back at %zu", i);
}

static void assert_same(const run *a, const run *b, int with_shards) {
    ck_assert_uint_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        ck_assert_msg(strcmp(a->g[i].data, b->g[i].data) == 0, "record %zu: %s vs %s", i,
                      a->g[i].data, b->g[i].data);
        ck_assert_int_eq(a->g[i].rowtime, b->g[i].rowtime);
        if (with_shards) {
            ck_assert_str_eq(a->g[i].shard, b->g[i].shard);
            ck_assert(a->g[i].seq == b->g[i].seq);
        }
    }
}

/* Each of data "r0".."r<n-1>" exactly once. */
static void assert_each_once(const run *ru, size_t n) {
    ck_assert_uint_eq(ru->n, n);
    char *seen = calloc(n, 1);
    for (size_t i = 0; i < ru->n; i++) {
        int k = atoi(ru->g[i].data + 1);
        ck_assert(k >= 0 && (size_t)k < n);
        ck_assert_msg(!seen[k], "%s delivered twice", ru->g[i].data);
        seen[k] = 1;
    }
    free(seen);
}

/* ------------------------------------------------------------ readers */

START_TEST(test_all_shards_rowtime_order) {
    fx f;
    fx_open(&f);
    create(&f, "s", 4);
    char key[16], data[16];
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key, "k%d", i * 7919 % 97);
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "s", NULL, key, data, T0 - 100000 + i / 3);   /* ties of 3 */
    }
    run ru;
    drain_all(&f, "s", RT_READER_CLASSIC, 64, &ru);
    assert_each_once(&ru, 300);
    assert_rowtime_order(&ru);
    int shards_seen[4] = {0};
    for (size_t i = 0; i < ru.n; i++) {
        ck_assert_int_eq(ru.g[i].rowtime, T0 - 100000 + atoi(ru.g[i].data + 1) / 3);
        shards_seen[shard_id_number(ru.g[i].shard)] = 1;
        /* Ties broken by shard index, then sequence number. */
        if (i > 0 && ru.g[i - 1].rowtime == ru.g[i].rowtime) {
            int c = strcmp(ru.g[i - 1].shard, ru.g[i].shard);
            ck_assert(c < 0 || (c == 0 && ru.g[i - 1].seq < ru.g[i].seq));
        }
    }
    for (int i = 0; i < 4; i++)
        ck_assert(shards_seen[i]);
    ck_assert_uint_eq(ru.stats.shards_finished, 4);
    free(ru.g);
    fx_close(&f);
}
END_TEST

START_TEST(test_one_vs_eight_shards) {
    fx f;
    fx_open(&f);
    create(&f, "one", 1);
    create(&f, "eight", 8);
    char key[16], data[16];
    for (int i = 0; i < 400; i++) {
        snprintf(key, sizeof key, "user-%d", i % 53);
        snprintf(data, sizeof data, "r%d", i);
        int64_t at = T0 - 50000 + i * 3;   /* distinct arrivals: one order */
        put(&f, "one", NULL, key, data, at);
        put(&f, "eight", NULL, key, data, at);
    }
    run a, b;
    drain_all(&f, "one", RT_READER_CLASSIC, 100, &a);
    drain_all(&f, "eight", RT_READER_CLASSIC, 37, &b);
    assert_each_once(&a, 400);
    assert_same(&a, &b, 0);
    for (size_t i = 0; i < a.n; i++)
        ck_assert_int_eq(atoi(a.g[i].data + 1), (int)i);
    free(a.g);
    free(b.g);
    fx_close(&f);
}
END_TEST

/* Writes records while a non-drain reader runs, with real arrival times from
 * the store clock and many ties; then replays from TRIM_HORIZON in drain
 * mode. Both must give the same records in the same order. */
static void live_vs_replay(int shards, rt_reader_kind live_kind, rt_reader_kind replay_kind,
                           unsigned seed) {
    fx f;
    fx_open(&f);
    create(&f, "live", shards);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.kind = live_kind;
    o.consumer_name = "eddy-live";
    o.poll_interval_ms = 50;
    o.idle_timeout_ms = 300;
    run live;
    run_init(&live);
    rt_reader *r = open_reader(&f, "live", &o);
    unsigned rnd = seed;
    char key[16], data[16];
    int n = 0;
    for (int step = 0; step < 120; step++) {
        int burst = (int)((rnd = rnd * 1103515245u + 12345u) >> 16) % 6;
        for (int j = 0; j < burst; j++, n++) {
            snprintf(key, sizeof key, "p%u", (rnd = rnd * 1103515245u + 12345u) >> 20);
            snprintf(data, sizeof data, "r%d", n);
            put(&f, "live", NULL, key, data, 0);
        }
        rt_reader_out out;
        eddy_err e;
        ck_assert_msg(rt_reader_poll(r, 16, &out, &e) == 0, "%s", e.msg);
        collect(&live, r, &out);
        g_now += (rnd >> 16) % 40;   /* 0..39 ms: many records share a ms */
    }
    pump(r, &live, 25, 16, (size_t)n, 40);
    rt_reader_close(r);
    assert_each_once(&live, (size_t)n);
    assert_rowtime_order(&live);
    run replay;
    drain_all(&f, "live", replay_kind, 50, &replay);
    assert_same(&live, &replay, 1);
    free(live.g);
    free(replay.g);
    fx_close(&f);
}

START_TEST(test_live_equals_replay_1_shard) {
    live_vs_replay(1, RT_READER_CLASSIC, RT_READER_CLASSIC, 12345);
}
END_TEST

START_TEST(test_live_equals_replay_8_shards) {
    for (unsigned seed = 1; seed <= 8; seed++)
        live_vs_replay(8, RT_READER_CLASSIC, RT_READER_CLASSIC, seed * 7919);
}
END_TEST

START_TEST(test_fanout_live_equals_classic_replay) {
    for (unsigned seed = 1; seed <= 4; seed++)
        live_vs_replay(8, RT_READER_FANOUT, RT_READER_CLASSIC, seed * 104729);
}
END_TEST

START_TEST(test_classic_and_fanout_same) {
    fx f;
    fx_open(&f);
    create(&f, "s", 3);
    char key[16], data[16];
    for (int i = 0; i < 250; i++) {
        snprintf(key, sizeof key, "k%d", i % 11);
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "s", NULL, key, data, T0 - 9000 + i / 4);
    }
    run a, b;
    drain_all(&f, "s", RT_READER_CLASSIC, 20, &a);
    drain_all(&f, "s", RT_READER_FANOUT, 33, &b);
    assert_each_once(&a, 250);
    assert_same(&a, &b, 1);
    /* The fan-out reader registered its consumer, and left it registered. */
    store_consumer_desc cd;
    ck_assert_int_eq(store_consumer_describe(f.s, "s", "eddy-test", NULL, &cd, NULL), 0);
    free(a.g);
    free(b.g);
    fx_close(&f);
}
END_TEST

/* Checks that every record of a parent shard precedes the first record of each
 * of its children in the merged output. */
static void assert_lineage_order(fx *f, const char *stream, const run *ru) {
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(f->s, stream, &d, NULL), 0);
    for (size_t c = 0; c < d.n_shards; c++) {
        const store_shard_desc *ch = &d.shards[c];
        size_t first = ru->n;
        for (size_t i = 0; i < ru->n && first == ru->n; i++)
            if (strcmp(ru->g[i].shard, ch->shard_id) == 0)
                first = i;
        for (size_t i = first; i < ru->n; i++) {
            ck_assert_msg(strcmp(ru->g[i].shard, ch->parent_shard_id) != 0 &&
                              strcmp(ru->g[i].shard, ch->adjacent_parent_shard_id) != 0,
                          "record of parent after child %s", ch->shard_id);
        }
    }
    store_stream_desc_free(&d);
}

static void reshard_test(rt_reader_kind kind) {
    fx f;
    fx_open(&f);
    create(&f, "rs", 2);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.kind = kind;
    o.consumer_name = "eddy-rs";
    o.poll_interval_ms = 20;
    o.idle_timeout_ms = 200;
    run live;
    run_init(&live);
    rt_reader *r = open_reader(&f, "rs", &o);
    char key[16], data[16];
    int n = 0;
    eddy_err e;
    for (int phase = 0; phase < 3; phase++) {
        for (int i = 0; i < 60; i++, n++) {
            snprintf(key, sizeof key, "k%d", (n * 31) % 101);
            snprintf(data, sizeof data, "r%d", n);
            put(&f, "rs", NULL, key, data, 0);
            if (i % 7 == 0) {
                rt_reader_out out;
                ck_assert_msg(rt_reader_poll(r, 8, &out, &e) == 0, "%s", e.msg);
                collect(&live, r, &out);
            }
            g_now += 3;
        }
        if (phase == 0) {
            /* Split shard 0 in the middle of its range. */
            store_stream_desc d;
            ck_assert_int_eq(store_stream_describe(f.s, "rs", &d, NULL), 0);
            eddy_u128 mid = d.shards[0].start_hash + (d.shards[0].end_hash - d.shards[0].start_hash) / 2;
            store_stream_desc_free(&d);
            ck_assert_msg(store_shard_split(f.s, "rs", "shardId-000000000000", mid, &e) == 0, "%s", e.msg);
        } else if (phase == 1) {
            /* Merge the upper child of the split with the old shard 1. */
            ck_assert_msg(store_shard_merge(f.s, "rs", "shardId-000000000003",
                                            "shardId-000000000001", &e) == 0, "%s", e.msg);
        }
    }
    pump(r, &live, 20, 8, (size_t)n, 30);
    rt_reader_stats st;
    rt_reader_get_stats(r, &st);
    rt_reader_close(r);
    assert_each_once(&live, (size_t)n);
    assert_rowtime_order(&live);
    assert_lineage_order(&f, "rs", &live);
    ck_assert_uint_eq(st.shards_total, 5);
    run replay;
    drain_all(&f, "rs", RT_READER_CLASSIC, 13, &replay);
    assert_same(&live, &replay, 1);
    ck_assert_uint_eq(replay.stats.shards_finished, 5);
    free(live.g);
    free(replay.g);
    fx_close(&f);
}

START_TEST(test_split_merge_classic) { reshard_test(RT_READER_CLASSIC); }
END_TEST

START_TEST(test_split_merge_fanout) { reshard_test(RT_READER_FANOUT); }
END_TEST

/* InputParallelism: three readers share a stream's shards by shard number
 * (mod 3) through a split and a merge. Every record is delivered once, by
 * the reader of its shard's part; no reader lets time pass a record of its
 * part before delivering it (a shard of its part born of another part's
 * shard is found in time); the reader with no shard at first follows the
 * clock; each part's live run equals its replay; and positions name only
 * the reader's own shards. */
static void parts_poll(rt_reader *r, run *ru, size_t *late) {
    eddy_err e;
    rt_reader_out o;
    ck_assert_msg(rt_reader_poll(r, 8, &o, &e) == 0, "%s", e.msg);
    ck_assert(!o.done);   /* live: a share is never done, even with no shard yet */
    for (size_t i = 0; i < o.n_records; i++)
        if (o.records[i].rowtime < ru->last_watermark) (*late)++;
    collect(ru, r, &o);
}

START_TEST(test_shard_parts) {
    fx f;
    fx_open(&f);
    create(&f, "pp", 2);
    rt_reader_opts o;
    rt_reader *r[3];
    run live[3];
    size_t late = 0;
    for (int k = 0; k < 3; k++) {
        rt_reader_opts_init(&o);
        o.poll_interval_ms = 20;
        o.idle_timeout_ms = 200;
        o.part = (uint32_t)k;
        o.parts = 3;
        run_init(&live[k]);
        r[k] = open_reader(&f, "pp", &o);
    }
    char key[16], data[16];
    int n = 0;
    eddy_err e;
    for (int phase = 0; phase < 3; phase++) {
        for (int i = 0; i < 60; i++, n++) {
            snprintf(key, sizeof key, "k%d", (n * 31) % 101);
            snprintf(data, sizeof data, "r%d", n);
            put(&f, "pp", NULL, key, data, 0);
            if (i % 5 == 0)
                for (int k = 0; k < 3; k++) parts_poll(r[k], &live[k], &late);
            g_now += 3;
        }
        if (phase == 0) {
            /* Part 2 has no shard yet: its time follows the clock. */
            ck_assert_int_eq(live[2].n, 0);
            ck_assert(live[2].last_watermark > T0);
            store_stream_desc d;
            ck_assert_int_eq(store_stream_describe(f.s, "pp", &d, NULL), 0);
            eddy_u128 mid = d.shards[0].start_hash + (d.shards[0].end_hash - d.shards[0].start_hash) / 2;
            store_stream_desc_free(&d);
            /* Shard 0 (part 0) -> 2 (part 2) and 3 (part 0). */
            ck_assert_msg(store_shard_split(f.s, "pp", "shardId-000000000000", mid, &e) == 0, "%s", e.msg);
        } else if (phase == 1) {
            /* Shards 3 (part 0) and 1 (part 1) -> 4 (part 1). */
            ck_assert_msg(store_shard_merge(f.s, "pp", "shardId-000000000003", "shardId-000000000001", &e) == 0,
                          "%s", e.msg);
        }
    }
    for (int it = 0; it < 40; it++) {
        for (int k = 0; k < 3; k++) parts_poll(r[k], &live[k], &late);
        g_now += 20;
    }
    ck_assert_uint_eq(late, 0);
    run all;
    run_init(&all);
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < live[k].n; i++) {
            ck_assert_int_eq(shard_id_number(live[k].g[i].shard) % 3, k);
            if (all.n == all.cap) {
                all.cap = all.cap ? all.cap * 2 : 256;
                all.g = realloc(all.g, all.cap * sizeof *all.g);
            }
            all.g[all.n++] = live[k].g[i];
        }
        ck_assert_uint_gt(live[k].n, 0);
        rt_shard_pos *pos = NULL;
        size_t np = 0;
        ck_assert_int_eq(rt_reader_positions_get(r[k], &pos, &np, &e), 0);
        for (size_t i = 0; i < np; i++) ck_assert_int_eq(shard_id_number(pos[i].shard_id) % 3, k);
        ck_assert_uint_gt(np, 0);
        free(pos);
        rt_reader_close(r[k]);
        /* The same part replayed. */
        rt_reader_opts_init(&o);
        o.drain = 1;
        o.part = (uint32_t)k;
        o.parts = 3;
        run replay;
        run_init(&replay);
        rt_reader *rr = open_reader(&f, "pp", &o);
        pump(rr, &replay, 10, 13, 0, 0);
        rt_reader_close(rr);
        assert_same(&live[k], &replay, 1);
        free(replay.g);
        free(live[k].g);
    }
    assert_each_once(&all, (size_t)n);
    free(all.g);
    /* Draining, a share with no shard is done at once and lets time pass. */
    rt_reader_opts_init(&o);
    o.drain = 1;
    o.parts = 9;
    o.part = 8;   /* shards 0..4: none is 8 mod 9 */
    rt_reader *empty = open_reader(&f, "pp", &o);
    rt_reader_out eo;
    ck_assert_int_eq(rt_reader_poll(empty, 8, &eo, &e), 0);
    ck_assert(eo.done && eo.n_records == 0 && eo.watermark > T0);
    rt_reader_close(empty);
    fx_close(&f);
}
END_TEST

/* Uniform scaling 2 -> 3 -> 2 shards between writes: the merged stream is
 * exactly the write order (distinct arrival times), every shard read. */
START_TEST(test_shard_count_update) {
    fx f;
    fx_open(&f);
    create(&f, "sc", 2);
    char key[16], data[16];
    eddy_err e;
    int n = 0;
    for (int phase = 0; phase < 3; phase++) {
        for (int i = 0; i < 50; i++, n++) {
            snprintf(key, sizeof key, "k%d", n * 13);
            snprintf(data, sizeof data, "r%d", n);
            put(&f, "sc", NULL, key, data, T0 - 10000 + n * 5);
        }
        if (phase < 2)
            ck_assert_msg(store_shard_count_update(f.s, "sc", phase == 0 ? 3 : 2, &e) == 0, "%s",
                          e.msg);
    }
    run ru;
    drain_all(&f, "sc", RT_READER_FANOUT, 16, &ru);
    assert_each_once(&ru, (size_t)n);
    for (size_t i = 0; i < ru.n; i++)
        ck_assert_int_eq(atoi(ru.g[i].data + 1), (int)i);
    assert_lineage_order(&f, "sc", &ru);
    /* The store scales by a series of splits and merges: every shard it made
     * was read to its end. */
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(f.s, "sc", &d, NULL), 0);
    ck_assert_uint_ge(d.n_shards, 7);
    ck_assert_uint_eq(ru.stats.shards_finished, d.n_shards);
    store_stream_desc_free(&d);
    free(ru.g);
    fx_close(&f);
}
END_TEST

/* Children whose imported arrival times are earlier than their parent's
 * records are still read only after the parent, and ROWTIME never goes back. */
START_TEST(test_lineage_with_imported_arrivals) {
    fx f;
    fx_open(&f);
    create(&f, "imp", 1);
    char key[16], data[16];
    for (int i = 0; i < 20; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "imp", NULL, key, data, T0 - 1000 + i * 10);
    }
    eddy_err e;
    ck_assert_msg(store_shard_split(f.s, "imp", "shardId-000000000000", (eddy_u128)1 << 127, &e) == 0,
                  "%s", e.msg);
    for (int i = 20; i < 60; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "imp", NULL, key, data, T0 - 5000 + i);
    }
    run ru;
    drain_all(&f, "imp", RT_READER_CLASSIC, 9, &ru);
    assert_each_once(&ru, 60);
    assert_rowtime_order(&ru);
    assert_lineage_order(&f, "imp", &ru);
    for (size_t i = 0; i < 20; i++)
        ck_assert_int_eq(atoi(ru.g[i].data + 1), (int)i);
    for (size_t i = 20; i < 60; i++)
        ck_assert_int_eq(ru.g[i].rowtime, T0 - 1000 + 190);   /* clamped to the parent's last */
    ck_assert_uint_eq(ru.stats.shards_finished, 3);
    free(ru.g);
    fx_close(&f);
}
END_TEST

START_TEST(test_idle_shard_advances_watermark) {
    fx f;
    fx_open(&f);
    create(&f, "idle", 2);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.poll_interval_ms = 100;
    o.idle_timeout_ms = 1000;
    rt_reader *r = open_reader(&f, "idle", &o);
    put(&f, "idle", "shardId-000000000000", "a", "r0", 0);
    g_now += 10;
    put(&f, "idle", "shardId-000000000000", "a", "r1", 0);
    run ru;
    run_init(&ru);
    eddy_err e;
    rt_reader_out out;
    /* The silent shard holds everything back until it has been idle 1 s. */
    for (int i = 0; i < 9; i++) {
        ck_assert_msg(rt_reader_poll(r, 0, &out, &e) == 0, "%s", e.msg);
        collect(&ru, r, &out);
        ck_assert_uint_eq(out.n_records, 0);
        ck_assert(out.watermark < T0);
        g_now += 100;
    }
    g_now += 100;   /* 1000 ms past the first fetch, at T0 + 10 */
    ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
    collect(&ru, r, &out);
    ck_assert_uint_eq(ru.n, 2);
    ck_assert_int_eq(ru.g[1].rowtime, T0 + 10);
    ck_assert(out.watermark >= T0 + 10);
    /* With no records at all, time keeps advancing with the clock. */
    int64_t w0 = out.watermark;
    for (int i = 0; i < 30; i++) {
        g_now += 100;
        ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
        ck_assert_uint_eq(out.n_records, 0);
    }
    ck_assert(out.watermark >= w0 + 2000);
    ck_assert(out.watermark <= g_now);
    /* A record arriving now is still delivered, not behind the watermark. */
    put(&f, "idle", "shardId-000000000001", "b", "r2", 0);
    ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
    for (int i = 0; i < 40 && out.n_records == 0; i++) {
        g_now += 50;
        ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
    }
    ck_assert_uint_eq(out.n_records, 1);
    ck_assert(out.records[0].rowtime >= w0 + 2000);
    rt_reader_close(r);
    free(ru.g);
    fx_close(&f);
}
END_TEST

/* With an arrival skew, idle shards are complete only up to clock - skew. */
START_TEST(test_idle_with_arrival_skew) {
    fx f;
    fx_open(&f);
    create(&f, "sk", 2);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.poll_interval_ms = 50;
    o.idle_timeout_ms = 100;
    o.arrival_skew_ms = 500;
    rt_reader *r = open_reader(&f, "sk", &o);
    run ru;
    run_init(&ru);
    eddy_err e;
    for (int i = 0; i < 40; i++) {
        rt_reader_out out;
        ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
        collect(&ru, r, &out);
        g_now += 50;
    }
    g_now -= 50;   /* back to the clock of the last poll */
    ck_assert_uint_eq(ru.n, 0);
    ck_assert(ru.last_watermark <= g_now - 500);
    ck_assert(ru.last_watermark >= g_now - 600);
    rt_reader_close(r);
    fx_close(&f);
}
END_TEST

START_TEST(test_latest_start) {
    fx f;
    fx_open(&f);
    create(&f, "lt", 2);
    char data[16];
    for (int i = 0; i < 10; i++) {
        snprintf(data, sizeof data, "old%d", i);
        put(&f, "lt", NULL, data, data, 0);
    }
    g_now += 5;
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.start = RT_START_LATEST;
    o.idle_timeout_ms = 300;
    rt_reader *r = open_reader(&f, "lt", &o);
    run ru;
    run_init(&ru);
    eddy_err e;
    for (int i = 0; i < 5; i++) {
        rt_reader_out out;
        ck_assert_msg(rt_reader_poll(r, 0, &out, &e) == 0, "%s", e.msg);
        collect(&ru, r, &out);
        g_now += 100;
    }
    ck_assert_uint_eq(ru.n, 0);   /* what was there before the open is skipped */
    for (int i = 0; i < 5; i++) {
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "lt", NULL, data, data, 0);
        g_now += 1;
    }
    pump(r, &ru, 50, 0, 5, 5);
    assert_each_once(&ru, 5);
    rt_reader_close(r);
    free(ru.g);
    fx_close(&f);
}
END_TEST

START_TEST(test_at_timestamp_start) {
    fx f;
    fx_open(&f);
    create(&f, "ts", 3);
    char data[16];
    for (int i = 0; i < 90; i++) {
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "ts", NULL, data, data, T0 - 1000 + i * 10);
    }
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.start = RT_START_AT_TIMESTAMP;
    o.start_timestamp_ms = T0 - 1000 + 400;   /* r40 and later */
    o.drain = 1;
    rt_reader *r = open_reader(&f, "ts", &o);
    run ru;
    run_init(&ru);
    pump(r, &ru, 10, 0, 0, 0);
    rt_reader_close(r);
    ck_assert_uint_eq(ru.n, 50);
    for (size_t i = 0; i < ru.n; i++)
        ck_assert_int_eq(atoi(ru.g[i].data + 1), (int)(40 + i));
    free(ru.g);
    fx_close(&f);
}
END_TEST

START_TEST(test_throttling_backoff) {
    fx f;
    fx_open(&f);
    create(&f, "th", 1);
    char data[16];
    for (int i = 0; i < 100; i++) {
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "th", NULL, "k", data, T0 - 5000 + i);
    }
    eddy_err e;
    ck_assert_int_eq(store_stream_set_throttling(f.s, "th", 1, &e), 0);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.fetch_limit = 5;   /* 20+ fetches, far over 5 calls/s */
    o.drain = 1;
    rt_reader *r = open_reader(&f, "th", &o);
    run ru;
    run_init(&ru);
    int64_t t_start = g_now;
    pump(r, &ru, 20, 0, 0, 0);
    rt_reader_close(r);
    assert_each_once(&ru, 100);
    for (size_t i = 0; i < ru.n; i++)
        ck_assert_int_eq(atoi(ru.g[i].data + 1), (int)i);
    ck_assert_uint_gt(ru.stats.throttled, 0);
    /* Back-off kept the reader near the limit of 5 calls/s instead of
     * fetching at every 20 ms poll (50 calls/s). */
    double secs = (double)(g_now - t_start) / 1000.0;
    ck_assert_msg((double)ru.stats.fetches <= 6 + secs * 16, "%llu fetches in %.1f s",
                  (unsigned long long)ru.stats.fetches, secs);
    free(ru.g);
    fx_close(&f);
}
END_TEST

/* Reads `stream` 7 records a poll until `n` came (into *part), then takes
 * its positions for `horizon` (INT64_MAX: after what was read). */
static void read_part(fx *f, const char *stream, rt_reader_opts *o, size_t n, int64_t horizon, run *part,
                      rt_shard_pos **pos, size_t *np) {
    run_init(part);
    rt_reader *r = open_reader(f, stream, o);
    eddy_err e;
    while (part->n < n) {
        rt_reader_out out;
        ck_assert_int_eq(rt_reader_poll(r, 7, &out, &e), 0);
        collect(part, r, &out);
        g_now += 10;
    }
    ck_assert_int_eq(rt_reader_positions_get_from(r, horizon, pos, np, &e), 0);
    rt_reader_close(r);
}

/* Positions for a horizon (an open window's start, checkpoints): a reader
 * restored from them delivers every record from the horizon on (those it
 * had delivered, then the rest) and none before; a horizon before all it
 * delivered replays from its first records. */
static void horizon_case(fx *f, const run *full, int64_t horizon, size_t first_kept) {
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.drain = 1;
    run part;
    rt_shard_pos *pos;
    size_t np;
    read_part(f, "cp", &o, 150, horizon, &part, &pos, &np);
    eddy_err e;
    rt_reader *r;
    run again;
    run_init(&again);
    r = open_reader(f, "cp", &o);
    ck_assert_int_eq(rt_reader_positions_set(r, pos, np, &e), 0);
    free(pos);
    pump(r, &again, 10, 0, 0, 0);
    rt_reader_close(r);
    if (first_kept == SIZE_MAX) first_kept = part.n;   /* after what was read */
    ck_assert_uint_eq(again.n, full->n - first_kept);
    for (size_t i = 0; i < again.n; i++) ck_assert_str_eq(again.g[i].data, full->g[first_kept + i].data);
    free(part.g);
    free(again.g);
}

START_TEST(test_positions_checkpoint_restore) {
    fx f;
    fx_open(&f);
    create(&f, "cp", 4);
    char key[16], data[16];
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "cp", NULL, key, data, T0 - 8000 + i * 2);
    }
    run full;
    drain_all(&f, "cp", RT_READER_CLASSIC, 0, &full);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.drain = 1;
    run part;
    rt_shard_pos *pos;
    size_t np;
    read_part(&f, "cp", &o, 77, INT64_MAX, &part, &pos, &np);
    ck_assert_uint_ge(np, 1);
    eddy_err e;
    rt_reader *r;

    r = open_reader(&f, "cp", &o);
    ck_assert_int_eq(rt_reader_positions_set(r, pos, np, &e), 0);
    free(pos);
    pump(r, &part, 10, 0, 0, 0);
    /* Setting positions after reading started is refused. */
    ck_assert_int_eq(rt_reader_positions_set(r, NULL, 0, &e), EDDY_E_INUSE);
    rt_reader_close(r);
    assert_same(&full, &part, 1);
    ck_assert_uint_eq(full.n, 200);
    horizon_case(&f, &full, T0 - 8000 + 100 * 2, 100);   /* inside what was read */
    horizon_case(&f, &full, T0 - 9000, 0);               /* before all of it */
    horizon_case(&f, &full, INT64_MAX, SIZE_MAX);        /* no window open */
    free(full.g);
    free(part.g);
    fx_close(&f);
}
END_TEST

/* A shard that started at LATEST and delivered nothing resumes at the time
 * it started, so records that arrive while the reader is gone are read. */
START_TEST(test_positions_latest_nothing_read) {
    fx f;
    fx_open(&f);
    create(&f, "lt", 1);
    put(&f, "lt", NULL, "k", "old", 0);
    g_now += 1;   /* a record of the very millisecond it starts may be read again */
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.start = RT_START_LATEST;
    rt_reader *r = open_reader(&f, "lt", &o);
    eddy_err e;
    ck_assert_int_eq(rt_reader_start(r, &e), 0);
    rt_reader_out out;
    ck_assert_int_eq(rt_reader_poll(r, 8, &out, &e), 0);
    ck_assert_uint_eq(out.n_records, 0);
    rt_shard_pos *pos;
    size_t np;
    ck_assert_int_eq(rt_reader_positions_get(r, &pos, &np, &e), 0);
    rt_reader_close(r);
    ck_assert_uint_eq(np, 1);
    ck_assert(pos[0].has_at && !pos[0].has_seq);
    g_now += 1000;
    put(&f, "lt", NULL, "k", "while-away", 0);
    o.drain = 1;
    run ru;
    run_init(&ru);
    r = open_reader(&f, "lt", &o);
    ck_assert_int_eq(rt_reader_positions_set(r, pos, np, &e), 0);
    free(pos);
    pump(r, &ru, 10, 0, 0, 0);
    rt_reader_close(r);
    ck_assert_uint_eq(ru.n, 1);
    ck_assert_str_eq(ru.g[0].data, "while-away");
    free(ru.g);
    fx_close(&f);
}
END_TEST

/* Replay marks (rt_shard_pos.replay_seq): records up to the mark are
 * "read again" (rt_reader_is_replay) and the mark clears on the marked
 * record itself; a mark behind the resume position, or on a finished
 * shard, is not set at all; and one whose records are gone (nothing left to
 * read below it) clears once the shard is read to its tip. */
START_TEST(test_positions_replay_marks) {
    fx f;
    fx_open(&f);
    create(&f, "rm", 1);
    for (int i = 0; i < 6; i++) put(&f, "rm", NULL, "k", i < 3 ? "old" : "new", 0);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.start = RT_START_TRIM_HORIZON;
    o.drain = 1;
    rt_reader *r = open_reader(&f, "rm", &o);
    run ru;
    run_init(&ru);
    pump(r, &ru, 10, 0, 0, 0);
    rt_reader_close(r);
    ck_assert_uint_eq(ru.n, 6);
    eddy_err e;
    /* From the start again, marked at the third record. */
    rt_shard_pos p;
    memset(&p, 0, sizeof p);
    snprintf(p.shard_id, sizeof p.shard_id, "%s", ru.g[0].shard);
    p.has_seq = 1;
    p.seq = ru.g[0].seq;
    p.seq_at = 1;
    p.has_replay = 1;
    p.replay_seq = ru.g[2].seq;
    r = open_reader(&f, "rm", &o);
    ck_assert_int_eq(rt_reader_positions_set(r, &p, 1, &e), 0);
    ck_assert(rt_reader_replaying(r));
    int replayed = 0, n = 0;
    for (int it = 0; it < 100 && n < 6; it++) {
        rt_reader_out out;
        ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
        for (size_t i = 0; i < out.n_records; i++, n++) {
            int rep = rt_reader_is_replay(r, &out.records[i]);
            ck_assert_int_eq(rep, n < 3);
            replayed += rep;
            if (n == 2) ck_assert(!rt_reader_replaying(r));   /* the marked record clears it */
        }
        g_now += 10;
    }
    rt_reader_close(r);
    ck_assert_int_eq(n, 6);
    ck_assert_int_eq(replayed, 3);
    /* Resumed after the mark: nothing will be read again. */
    p.seq = ru.g[4].seq;
    p.seq_at = 0;
    r = open_reader(&f, "rm", &o);
    ck_assert_int_eq(rt_reader_positions_set(r, &p, 1, &e), 0);
    ck_assert(!rt_reader_replaying(r));
    rt_reader_close(r);
    /* A mark past every record left (as if retention took them): cleared
     * once the shard is read to its tip with nothing below the mark. */
    p.seq = ru.g[5].seq;
    p.replay_seq = ru.g[5].seq + 1000;
    o.drain = 0;
    r = open_reader(&f, "rm", &o);
    ck_assert_int_eq(rt_reader_positions_set(r, &p, 1, &e), 0);
    ck_assert(rt_reader_replaying(r));
    for (int it = 0; it < 20 && rt_reader_replaying(r); it++) {
        rt_reader_out out;
        ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
        ck_assert_uint_eq(out.n_records, 0);
        g_now += 300;
    }
    ck_assert(!rt_reader_replaying(r));
    rt_reader_close(r);
    free(ru.g);
    fx_close(&f);
}
END_TEST

/* Restored at LATEST after a split that came after the positions were
 * saved: the children follow their parent from their start, they do not
 * skip to their tips. */
START_TEST(test_positions_latest_split_after_save) {
    fx f;
    fx_open(&f);
    create(&f, "ls", 1);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.start = RT_START_LATEST;
    rt_reader *r = open_reader(&f, "ls", &o);
    eddy_err e;
    run first;
    run_init(&first);
    rt_reader_out out0;
    ck_assert_int_eq(rt_reader_poll(r, 8, &out0, &e), 0);   /* opens the shard at its tip */
    g_now += 1;
    put(&f, "ls", NULL, "k", "r0", 0);
    pump(r, &first, 10, 8, 1, 0);
    ck_assert_uint_eq(first.n, 1);
    rt_shard_pos *pos;
    size_t np;
    ck_assert_int_eq(rt_reader_positions_get(r, &pos, &np, &e), 0);
    rt_reader_close(r);
    put(&f, "ls", NULL, "k", "r1", 0);
    store_stream_desc d;
    ck_assert_int_eq(store_stream_describe(f.s, "ls", &d, NULL), 0);
    eddy_u128 mid = d.shards[0].start_hash + (d.shards[0].end_hash - d.shards[0].start_hash) / 2;
    store_stream_desc_free(&d);
    ck_assert_msg(store_shard_split(f.s, "ls", "shardId-000000000000", mid, &e) == 0, "%s", e.msg);
    char key[16], data[16];
    for (int i = 2; i < 12; i++) {
        g_now += 1;
        snprintf(key, sizeof key, "k%d", i * 7);
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "ls", NULL, key, data, 0);
    }
    o.drain = 1;
    run ru;
    run_init(&ru);
    r = open_reader(&f, "ls", &o);
    ck_assert_int_eq(rt_reader_positions_set(r, pos, np, &e), 0);
    free(pos);
    pump(r, &ru, 10, 0, 0, 0);
    rt_reader_close(r);
    ck_assert_uint_eq(ru.n, 11);   /* r1 .. r11 */
    free(first.g);
    free(ru.g);
    fx_close(&f);
}
END_TEST

static void noop_notify(void *ctx, int ended) {}

/* Another subscriber of the same consumer replaces the reader's subscription;
 * the reader subscribes again after its last record: nothing lost or doubled. */
START_TEST(test_fanout_resubscribe) {
    fx f;
    fx_open(&f);
    create(&f, "fo", 1);
    char data[16];
    for (int i = 0; i < 30; i++) {
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "fo", NULL, "k", data, T0 - 3000 + i);
    }
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.kind = RT_READER_FANOUT;
    o.consumer_name = "eddy-fo";
    o.fetch_limit = 10;
    o.drain = 1;
    rt_reader *r = open_reader(&f, "fo", &o);
    run ru;
    run_init(&ru);
    eddy_err e;
    rt_reader_out out;
    ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
    collect(&ru, r, &out);
    ck_assert_uint_eq(ru.n, 10);
    store_consumer_desc cd;
    ck_assert_int_eq(store_consumer_describe(f.s, "fo", "eddy-fo", NULL, &cd, &e), 0);
    store_position p = {.type = STORE_TRIM_HORIZON};
    store_sub *other;
    ck_assert_msg(store_subscribe(f.s, cd.arn, "shardId-000000000000", &p, noop_notify, NULL, &other,
                                  &e) == 0, "%s", e.msg);
    store_sub_close(other);
    pump(r, &ru, 10, 0, 0, 0);
    rt_reader_close(r);
    assert_each_once(&ru, 30);
    for (size_t i = 0; i < ru.n; i++)
        ck_assert_int_eq(atoi(ru.g[i].data + 1), (int)i);
    ck_assert_uint_ge(ru.stats.resubscribes, 1);
    free(ru.g);
    fx_close(&f);
}
END_TEST

typedef struct writer_arg {
    store *s;
    int delay_ms;
} writer_arg;

static void *writer_main(void *p) {
    writer_arg *w = p;
    struct timespec ts = {0, (long)w->delay_ms * 1000000L};
    nanosleep(&ts, NULL);
    /* An explicit hash key: common/u128.c caches an OpenSSL MD5 context per
     * thread that is never freed, which LeakSanitizer reports when a thread
     * that hashed a key exits. */
    store_put_entry pe = {.data = "pushed", .data_len = 6, .partition_key = "k",
                          .partition_key_len = 1, .explicit_hash_key = "7"};
    store_put_result res;
    store_put_record(w->s, "push", &pe, &res, NULL);
    return NULL;
}

static atomic_int g_wakes;
static void count_wake(void *ctx) { atomic_fetch_add(&g_wakes, 1); }

/* A push from another thread wakes a reader sleeping in rt_reader_wait long
 * before its next scheduled fetch. */
START_TEST(test_fanout_push_wakes_reader) {
    fx f;
    fx_open(&f);
    create(&f, "push", 1);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.kind = RT_READER_FANOUT;
    o.consumer_name = "eddy-push";
    o.poll_interval_ms = 60000;
    o.wake = count_wake;
    rt_reader *r = open_reader(&f, "push", &o);
    eddy_err e;
    rt_reader_out out;
    ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
    ck_assert_uint_eq(out.n_records, 0);
    atomic_store(&g_wakes, 0);
    pthread_t th;
    writer_arg w = {f.s, 50};
    ck_assert_int_eq(pthread_create(&th, NULL, writer_main, &w), 0);
    uint64_t t0 = eddy_mono_ns();
    rt_reader_wait(r, 20000);
    double waited_ms = (double)(eddy_mono_ns() - t0) / 1e6;
    pthread_join(th, NULL);
    ck_assert_msg(waited_ms < 5000, "waited %.0f ms", waited_ms);
    ck_assert_int_ge(atomic_load(&g_wakes), 1);
    ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
    ck_assert_uint_eq(out.n_records, 1);
    ck_assert_int_eq(memcmp(out.records[0].data, "pushed", 6), 0);
    rt_reader_close(r);
    fx_close(&f);
}
END_TEST

/* A classic reader at its tip sleeps until its next fetch is due (here 100 ms
 * of the frozen source clock, slept as wall-clock time), not the full max. */
START_TEST(test_classic_wait_until_due) {
    fx f;
    fx_open(&f);
    create(&f, "w", 1);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.poll_interval_ms = 100;
    rt_reader *r = open_reader(&f, "w", &o);
    eddy_err e;
    rt_reader_out out;
    rt_reader_wait(r, 10000);   /* not started: returns at once */
    ck_assert_int_eq(rt_reader_poll(r, 0, &out, &e), 0);
    uint64_t t0 = eddy_mono_ns();
    rt_reader_wait(r, 10000);
    double waited_ms = (double)(eddy_mono_ns() - t0) / 1e6;
    ck_assert_msg(waited_ms >= 50 && waited_ms < 3000, "waited %.0f ms", waited_ms);
    g_now += 100;
    t0 = eddy_mono_ns();
    rt_reader_wait(r, 10000);   /* due now */
    ck_assert((double)(eddy_mono_ns() - t0) / 1e6 < 50);
    rt_reader_close(r);
    fx_close(&f);
}
END_TEST

START_TEST(test_bad_input) {
    fx f;
    fx_open(&f);
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    rt_reader *r = NULL;
    eddy_err e;
    ck_assert_int_eq(rt_reader_open(&o, f.src, "nope", &r, &e), EDDY_E_NOTFOUND);
    ck_assert_ptr_null(r);
    create(&f, "s", 1);
    o.kind = RT_READER_FANOUT;
    ck_assert_int_eq(rt_reader_open(&o, f.src, "s", &r, &e), EDDY_E_INVAL);
    o.consumer_name = "bad name!";
    ck_assert_int_eq(rt_reader_open(&o, f.src, "s", &r, &e), EDDY_E_INVAL);
    o.kind = RT_READER_CLASSIC;
    o.backoff_base_ms = 0;
    ck_assert_int_eq(rt_reader_open(&o, f.src, "s", &r, &e), EDDY_E_INVAL);
    ck_assert_int_eq(shard_id_number("shardId-000000000042"), 42);
    ck_assert_int_eq(shard_id_number("shardId-"), -1);
    ck_assert_int_eq(shard_id_number("other-1"), -1);
    fx_close(&f);
}
END_TEST

/* Draining several shards must not depend on the clock moving: a shard whose
 * last batch reached the tip is read again at once (an empty read ends it),
 * not a poll interval later, and the reader never asks to wait meanwhile. */
START_TEST(test_drain_shards_without_poll_sleep) {
    fx f;
    fx_open(&f);
    create(&f, "s4", 4);
    char key[16], data[16];
    for (int i = 0; i < 400; i++) {
        snprintf(key, sizeof key, "k%d", i % 37);
        snprintf(data, sizeof data, "r%d", i);
        put(&f, "s4", NULL, key, data, T0 - 1000 + i);
    }
    rt_reader_opts o;
    rt_reader_opts_init(&o);
    o.drain = 1;
    o.fetch_limit = 30;
    run ru;
    run_init(&ru);
    rt_reader *r = open_reader(&f, "s4", &o);
    int polls = 0, done = 0;
    eddy_err e;
    while (!done && polls < 1000) {
        rt_reader_out out;
        ck_assert_msg(rt_reader_poll(r, 64, &out, &e) == 0, "%s", e.msg);
        collect(&ru, r, &out);
        done = out.done;
        polls++;
        if (!done && out.n_records == 0) {
            /* Nothing delivered: the reader must have a shard due right now. */
            uint64_t t0 = eddy_mono_ns();
            rt_reader_wait(r, 1000);
            ck_assert_msg(eddy_mono_ns() - t0 < 500000000ull, "reader slept at poll %d", polls);
        }
    }
    ck_assert_msg(done, "drain did not finish with the clock stopped (%d polls)", polls);
    ck_assert_int_eq(g_now, T0);
    assert_each_once(&ru, 400);
    assert_rowtime_order(&ru);
    free(ru.g);
    rt_reader_close(r);
    fx_close(&f);
}
END_TEST

static Suite *suite_merge(void) {
    Suite *s = suite_create("source_merge");
    TCase *tc = tcase_create("merge");
    tcase_add_test(tc, test_merge_ties_and_frontiers);
    tcase_add_test(tc, test_merge_lane_done_and_full);
    suite_add_tcase(s, tc);
    return s;
}

static Suite *suite_reader(void) {
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("reader");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_all_shards_rowtime_order);
    tcase_add_test(tc, test_one_vs_eight_shards);
    tcase_add_test(tc, test_live_equals_replay_1_shard);
    tcase_add_test(tc, test_live_equals_replay_8_shards);
    tcase_add_test(tc, test_fanout_live_equals_classic_replay);
    tcase_add_test(tc, test_classic_and_fanout_same);
    tcase_add_test(tc, test_split_merge_classic);
    tcase_add_test(tc, test_split_merge_fanout);
    tcase_add_test(tc, test_shard_count_update);
    tcase_add_test(tc, test_shard_parts);
    tcase_add_test(tc, test_lineage_with_imported_arrivals);
    tcase_add_test(tc, test_idle_shard_advances_watermark);
    tcase_add_test(tc, test_idle_with_arrival_skew);
    tcase_add_test(tc, test_latest_start);
    tcase_add_test(tc, test_at_timestamp_start);
    tcase_add_test(tc, test_throttling_backoff);
    tcase_add_test(tc, test_positions_checkpoint_restore);
    tcase_add_test(tc, test_positions_latest_nothing_read);
    tcase_add_test(tc, test_positions_replay_marks);
    tcase_add_test(tc, test_positions_latest_split_after_save);
    tcase_add_test(tc, test_fanout_resubscribe);
    tcase_add_test(tc, test_fanout_push_wakes_reader);
    tcase_add_test(tc, test_classic_wait_until_due);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_drain_shards_without_poll_sleep);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_merge, suite_reader)
