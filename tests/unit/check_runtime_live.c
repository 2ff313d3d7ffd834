/*
 * check_runtime_live.c — determinism of an application live vs replayed
 * (issue 5, "Proof"): an application started at LATEST on its own thread
 * sees records written while it runs, in small batches with pauses, on a
 * 2-shard stream whose second shard goes idle after the first batch; a
 * second run of the same application in drain mode from TRIM_HORIZON over
 * the same store must produce exactly the same rows, for a pump and for
 * tumbling, sliding and stagger queries.
 *
 * Live, windows must close while the application runs although one shard
 * is idle: the test waits for the last tumbling window to come out before
 * it stops the application.
 *
 * Arrival times are stamped by the store (arrival_ms = 0): imported past
 * times could legitimately be late for a shard that has been idle longer
 * than the idle timeout (runtime/README_readers.md), which is not what this
 * test is about.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "arena.h"
#include "catalog.h"
#include "check_main.h"
#include "rt_app_test.h"
#include "eddy_err.h"
#include "eddy_time.h"
#include "planner.h"
#include "sbuf.h"
#include "sql_parse.h"
#include "store.h"
#include "udf.h"

/* Windows are short so that the test runs in about two seconds; the keys
 * "a" and "b" hash to shards 0 and 1 of a 2-shard stream. */
static const char APP_SQL[] =
    "CREATE STREAM \"SOURCE_SQL_STREAM_001\" (k VARCHAR(4), v INTEGER)\n"
    "  WITH (source = 'live', format = 'json', start = 'trim_horizon');\n"
    "CREATE STREAM \"TUMBLING\" (k VARCHAR(4), n INTEGER, total INTEGER);\n"
    "CREATE PUMP \"TUMBLE_PUMP\" AS INSERT INTO \"TUMBLING\"\n"
    "  SELECT STREAM k, COUNT(*), SUM(v) FROM \"SOURCE_SQL_STREAM_001\"\n"
    "  GROUP BY k, STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '0.1' SECOND);\n";

static const char *const QUERIES[] = {
    "SELECT STREAM * FROM \"TUMBLING\";",
    "SELECT STREAM k, v, SUM(v) OVER (PARTITION BY k RANGE INTERVAL '0.25' SECOND PRECEDING),"
    " COUNT(*) OVER (ROWS 3 PRECEDING) FROM \"SOURCE_SQL_STREAM_001\";",
    "SELECT STREAM k, COUNT(*), MAX(v) FROM \"SOURCE_SQL_STREAM_001\""
    " WINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '0.15' SECOND);",
};
#define N_QUERIES (sizeof QUERIES / sizeof QUERIES[0])

/* Rows of one query as text lines; `n` and `max_rowtime` are read by the
 * main thread while the application thread appends. */
typedef struct collected {
    const plan_node *root;
    pthread_mutex_t mu;
    sbuf text;
    atomic_long n;
    atomic_llong max_rowtime;
} collected;

static int collect_rows(void *ctx, const rt_batch *b) {
    collected *c = ctx;
    pthread_mutex_lock(&c->mu);
    for (uint32_t i = 0; i < rt_batch_live(b); i++) {
        uint32_t r = rt_batch_row(b, i);
        sbuf_printf(&c->text, "%lld", (long long)b->rowtime[r]);
        for (uint32_t col = 0; col < b->n_cols; col++) {
            eddy_value v;
            rt_batch_get(b, col, r, &v);
            sbuf_putc(&c->text, '|');
            eddy_value_format(&v, c->root->out.cols[col].type.scale, &c->text);
        }
        sbuf_putc(&c->text, '\n');
        if (b->rowtime[r] > atomic_load(&c->max_rowtime)) atomic_store(&c->max_rowtime, b->rowtime[r]);
        atomic_fetch_add(&c->n, 1);
    }
    pthread_mutex_unlock(&c->mu);
    return 0;
}

/* One compiled application with its queries attached, ready to run. */
typedef struct run {
    arena mem;
    catalog *cat;
    plan_node *pumps[T_APP_MAX_PUMPS];
    size_t n_pumps;
    collected q[N_QUERIES];
    rt_app *app;
    FILE *devnull;
    volatile sig_atomic_t stop;
    int rc;
    eddy_err err;
} run;

static void plan_text(run *r, const char *sql, int want_query, plan_node **query) {
    t_plan(&r->mem, r->cat, sql, r->pumps, &r->n_pumps, want_query ? query : NULL);
}

static void run_open(run *r, store *st, int live, const rt_app_resume *resume) {
    memset(r, 0, sizeof *r);
    arena_init(&r->mem, 65536);
    eddy_err_clear(&r->err);
    r->cat = catalog_new();
    ck_assert_ptr_nonnull(r->cat);
    plan_text(r, APP_SQL, 0, NULL);
    rt_app_opts o;
    rt_app_opts_init(&o);
    o.store = st;
    o.name = live ? "live" : "replay";
    o.drain = !live;
    o.start_override = live ? PLAN_START_LATEST : PLAN_START_TRIM_HORIZON;
    o.idle_timeout_ms = 100;
    o.poll_interval_ms = 10;
    o.resume = resume;
    /* Rows come through the queries; the default printed stream and
     * error_stream go nowhere. */
    r->devnull = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(r->devnull);
    o.out = r->devnull;
    o.err_out = r->devnull;
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(rt_app_new(&o, r->cat, r->pumps, r->n_pumps, &r->app, &err) == 0, "rt_app_new: %s", err.msg);
    for (size_t i = 0; i < N_QUERIES; i++) {
        plan_node *root = NULL;
        plan_text(r, QUERIES[i], 1, &root);
        ck_assert_ptr_nonnull(root);
        r->q[i].root = root;
        pthread_mutex_init(&r->q[i].mu, NULL);
        sbuf_init(&r->q[i].text);
        atomic_init(&r->q[i].n, 0);
        atomic_init(&r->q[i].max_rowtime, INT64_MIN);
        ck_assert_msg(rt_app_add_query(r->app, root, collect_rows, &r->q[i], &err) == 0, "add_query: %s", err.msg);
    }
}

static void run_free(run *r) {
    rt_app_free(r->app);
    fclose(r->devnull);
    for (size_t i = 0; i < N_QUERIES; i++) {
        sbuf_free(&r->q[i].text);
        pthread_mutex_destroy(&r->q[i].mu);
    }
    catalog_free(r->cat);
    arena_free(&r->mem);
}

static void *run_thread(void *arg) {
    run *r = arg;
    r->rc = rt_app_run(r->app, &r->stop, &r->err);
    return NULL;
}


static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void put(store *st, const char *key, int v) { t_put_kv(st, "live", key, v); }

START_TEST(test_live_equals_replay) {
    store_opts so;
    store_opts_init(&so);   /* data_dir NULL: in memory */
    store *st = NULL;
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_int_eq(store_open(&so, &st, &err), 0);
    ck_assert_int_eq(store_stream_create(st, "live", 2, &err), 0);

    run *live = calloc(1, sizeof *live);
    run_open(live, st, 1, NULL);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, run_thread, live), 0);
    /* LATEST is taken at the reader's first poll inside rt_app_run, not at
     * rt_app_new: give the thread time to get there before writing (its
     * first poll is immediate; the margin is for loaded machines). */
    sleep_ms(300);

    /* Both shards in the first batch, then shard 0 ("a") alone: shard 1
     * ("b") is idle from then on. Pauses straddle the window lengths so
     * that windows close between batches. */
    int v = 0;
    for (int i = 0; i < 3; i++) {
        put(st, "a", v++);
        put(st, "b", v++);
    }
    int64_t last_arrival = 0;
    for (int batch = 0; batch < 12; batch++) {
        sleep_ms(batch % 3 == 0 ? 130 : 40);
        for (int i = 0; i <= batch % 4; i++) put(st, "a", v++);
        last_arrival = eddy_now_ms();
    }
    /* Live, the last tumbling window (ending at most 100 ms after the last
     * arrival) must be emitted although shard 1 has been idle all along. */
    int64_t deadline = eddy_now_ms() + 5000;
    while (atomic_load(&live->q[0].max_rowtime) < last_arrival && eddy_now_ms() < deadline) sleep_ms(10);
    ck_assert_msg(atomic_load(&live->q[0].max_rowtime) >= last_arrival,
                  "the last tumbling window was not emitted live (idle shard held time back?)");
    live->stop = 1;
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_msg(live->rc == 0, "live run: %s", live->err.msg);

    run *replay = calloc(1, sizeof *replay);
    run_open(replay, st, 0, NULL);
    ck_assert_msg(rt_app_run(replay->app, &replay->stop, &err) == 0, "replay: %s", err.msg);

    long min_rows[N_QUERIES] = {2, (long)v, 2};   /* sliding: one row per record */
    for (size_t i = 0; i < N_QUERIES; i++) {
        ck_assert_msg(atomic_load(&replay->q[i].n) >= min_rows[i], "query %zu: only %ld rows", i,
                      (long)atomic_load(&replay->q[i].n));
        ck_assert_msg(strcmp(live->q[i].text.data, replay->q[i].text.data) == 0,
                      "query %zu differs live vs replayed:\n--- live\n%s--- replayed\n%s", i,
                      live->q[i].text.data, replay->q[i].text.data);
    }
    run_free(replay);
    run_free(live);
    free(replay);
    free(live);
    store_close(st);
    udf_registry_shutdown();
}
END_TEST

/* A second application given the first one's saved positions (through a
 * positions file) reads only what arrived after the first one stopped. */
START_TEST(test_resume) {
    store_opts so;
    store_opts_init(&so);
    store *st = NULL;
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_int_eq(store_open(&so, &st, &err), 0);
    ck_assert_int_eq(store_stream_create(st, "live", 2, &err), 0);
    for (int v = 0; v < 10; v++) put(st, v % 2 ? "b" : "a", v);

    run *first = calloc(1, sizeof *first);
    run_open(first, st, 0, NULL);
    ck_assert_msg(rt_app_run(first->app, &first->stop, &err) == 0, "first run: %s", err.msg);
    ck_assert_int_eq(atomic_load(&first->q[1].n), 10);   /* sliding: a row per record */
    rt_app_resume saved;
    ck_assert_msg(rt_app_resume_save(first->app, &saved, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(saved.n, 1);
    ck_assert_str_eq(saved.inputs[0].stream, "SOURCE_SQL_STREAM_001");
    ck_assert_str_eq(saved.inputs[0].source, "live");
    ck_assert_uint_eq(saved.inputs[0].n_pos, 2);

    char path[] = "/tmp/eddy-resume-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_msg(rt_app_resume_write(&saved, path, &err) == 0, "%s", err.msg);
    rt_app_resume back;
    ck_assert_msg(rt_app_resume_read(path, &back, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(back.n, 1);
    ck_assert_uint_eq(back.inputs[0].n_pos, 2);
    for (size_t k = 0; k < 2; k++) {
        ck_assert_str_eq(back.inputs[0].pos[k].shard_id, saved.inputs[0].pos[k].shard_id);
        ck_assert(back.inputs[0].pos[k].has_seq && back.inputs[0].pos[k].seq == saved.inputs[0].pos[k].seq);
    }
    /* Garbage and a missing file. */
    FILE *f = fopen(path, "w");
    fputs("eddy-positions 1\nshard x\n", f);
    fclose(f);
    rt_app_resume bad;
    ck_assert_int_eq(rt_app_resume_read(path, &bad, &err), EDDY_E_INVAL);
    /* Names of 128 three-byte characters survive the round trip. */
    char longname[128 * 3 + 1];
    for (int i = 0; i < 128; i++) memcpy(longname + 3 * i, "\xe2\x82\xac", 3);
    longname[128 * 3] = '\0';
    rt_shard_pos one = {.shard_id = "shardId-000000000000", .has_seq = 1, .seq = 42};
    rt_app_resume_input li = {longname, longname, &one, 1};
    rt_app_resume lr = {&li, 1, NULL, 0}, lback;
    ck_assert_int_eq(rt_app_resume_write(&lr, path, &err), 0);
    ck_assert_msg(rt_app_resume_read(path, &lback, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(lback.inputs[0].stream, longname);
    ck_assert(lback.inputs[0].pos[0].seq == 42);
    rt_app_resume_free(&lback);
    /* Positions at a sequence number and at an arrival time (version 2). */
    rt_shard_pos two[3] = {{.shard_id = "shardId-000000000000", .has_seq = 1, .seq = 7, .seq_at = 1},
                           {.shard_id = "shardId-000000000001", .has_at = 1, .at_ms = 1767225600123LL},
                           {.shard_id = "shardId-000000000002", .finished = 1}};
    rt_app_resume_input ti = {"S", "s", two, 3};
    rt_app_resume tr = {&ti, 1, NULL, 0}, tback;
    ck_assert_int_eq(rt_app_resume_write(&tr, path, &err), 0);
    ck_assert_msg(rt_app_resume_read(path, &tback, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(tback.inputs[0].n_pos, 3);
    const rt_shard_pos *tp = tback.inputs[0].pos;
    ck_assert(tp[0].has_seq && tp[0].seq_at && tp[0].seq == 7 && !tp[0].has_at);
    ck_assert(!tp[1].has_seq && tp[1].has_at && tp[1].at_ms == 1767225600123LL && !tp[1].finished);
    ck_assert(!tp[2].has_seq && !tp[2].has_at && tp[2].finished);
    rt_app_resume_free(&tback);
    unlink(path);
    rt_app_resume none;
    ck_assert_int_eq(rt_app_resume_read(path, &none, &err), 0);
    ck_assert_uint_eq(none.n, 0);

    for (int v = 10; v < 16; v++) put(st, v % 2 ? "b" : "a", v);
    run *second = calloc(1, sizeof *second);
    run_open(second, st, 0, &back);
    ck_assert_msg(rt_app_run(second->app, &second->stop, &err) == 0, "second run: %s", err.msg);
    ck_assert_int_eq(atomic_load(&second->q[1].n), 6);
    /* Its rows are those of the new records: v 10..15, in order. */
    const char *t = second->q[1].text.data;
    for (int v = 10; v < 16; v++) {
        char needle[16];
        snprintf(needle, sizeof needle, "|%d|", v);
        ck_assert_msg(strstr(t, needle) != NULL, "v %d missing from:\n%s", v, t);
    }
    ck_assert_msg(strstr(t, "|9|") == NULL, "an old record was read again:\n%s", t);
    rt_app_resume_free(&saved);
    rt_app_resume_free(&back);
    run_free(first);
    run_free(second);
    free(first);
    free(second);
    store_close(st);
    udf_registry_shutdown();
}
END_TEST

static Suite *live_suite(void) {
    Suite *s = suite_create("runtime_live");
    TCase *tc = tcase_create("live_vs_replay");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_live_equals_replay);
    tcase_add_test(tc, test_resume);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(live_suite)
