/*
 * check_runtime_checkpoint.c — crash recovery of a running application
 * (rt_app_opts.checkpoint_path): what a crash right after a checkpoint
 * leaves in the output streams, plus what the application writes once
 * restarted from that checkpoint, must equal what one uninterrupted run
 * writes.
 *
 * The application has a stateless pump, a RANGE sliding window, a
 * tumbling window, a stagger window and TOP_K_ITEMS_TUMBLING over one
 * 2-shard input. Phase 1 runs it live while
 * records arrive in bursts; on its thread, right after a checkpoint that
 * covers every record so far, the test copies the positions file and counts
 * the rows in the output streams (the "crash": anything written later is
 * ignored). Phase 2 puts more records and runs the application from the
 * copied positions, draining, into fresh output streams. A reference run
 * drains every record into a third set of streams. Per output: phase 1's
 * rows up to the crash plus phase 2's rows = the reference's, as multisets.
 *
 * Two crash points: at once (the last tumbling and stagger windows are
 * usually still open, so they are rebuilt from records read again), and
 * after a quiet spell (they have closed: records read again for the sliding
 * window must not open them a second time).
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "eddy_time.h"
#include "rt_app_test.h"

static const char APP_FMT[] =
    "CREATE STREAM \"SRC\" (k VARCHAR(4), v INTEGER)\n"
    "  WITH (source = 'in', format = 'json', start = 'trim_horizon');\n"
    "CREATE STREAM \"PASS\" (k VARCHAR(4), v INTEGER) WITH (sink = '%s_pass');\n"
    "CREATE STREAM \"SLIDE\" (k VARCHAR(4), v INTEGER, s INTEGER, n INTEGER) WITH (sink = '%s_slide');\n"
    "CREATE STREAM \"TUMBLE\" (k VARCHAR(4), n INTEGER, total INTEGER) WITH (sink = '%s_tumble');\n"
    "CREATE STREAM \"STAG\" (k VARCHAR(4), n INTEGER, mx INTEGER) WITH (sink = '%s_stagger');\n"
    "CREATE PUMP \"P1\" AS INSERT INTO \"PASS\" SELECT STREAM k, v FROM \"SRC\" WHERE MOD(v, 3) = 0;\n"
    "CREATE PUMP \"P2\" AS INSERT INTO \"SLIDE\"\n"
    "  SELECT STREAM k, v, SUM(v) OVER (PARTITION BY k RANGE INTERVAL '0.3' SECOND PRECEDING),\n"
    "         COUNT(*) OVER (PARTITION BY k RANGE INTERVAL '0.3' SECOND PRECEDING) FROM \"SRC\";\n"
    "CREATE PUMP \"P3\" AS INSERT INTO \"TUMBLE\"\n"
    "  SELECT STREAM k, COUNT(*), SUM(v) FROM \"SRC\"\n"
    "  GROUP BY k, STEP(\"SRC\".ROWTIME BY INTERVAL '0.5' SECOND);\n"
    "CREATE PUMP \"P4\" AS INSERT INTO \"STAG\"\n"
    "  SELECT STREAM k, COUNT(*), MAX(v) FROM \"SRC\"\n"
    "  WINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '0.4' SECOND);\n"
    "CREATE STREAM \"TOPK\" (item VARCHAR(1024), item_count BIGINT) WITH (sink = '%s_topk');\n"
    "CREATE PUMP \"P5\" AS INSERT INTO \"TOPK\"\n"
    "  SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM \"SRC\"), 'K', 2, 1));\n";

static const char *const OUTS[] = {"pass", "slide", "tumble", "stagger", "topk"};
#define N_OUTS 5

/* An application running on its own thread. */
typedef struct app_run {
    t_app a;
    volatile sig_atomic_t stop;
    int rc;
    eddy_err err;
} app_run;

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void app_open(app_run *r, store *st, const char *prefix, int drain, const rt_app_resume *resume,
                     const char *ckpt, void (*on_ckpt)(void *), void *ctx) {
    memset(r, 0, sizeof *r);
    char sql[sizeof APP_FMT + 64];
    snprintf(sql, sizeof sql, APP_FMT, prefix, prefix, prefix, prefix, prefix);
    rt_app_opts o;
    rt_app_opts_init(&o);
    o.store = st;
    o.drain = drain;
    o.idle_timeout_ms = 100;
    o.poll_interval_ms = 10;
    o.resume = resume;
    o.checkpoint_path = ckpt;
    o.checkpoint_interval_ms = 20;
    o.on_checkpoint = on_ckpt;
    o.checkpoint_ctx = ctx;
    t_app_open(&r->a, sql, prefix, &o);
}

static void *app_thread(void *arg) {
    app_run *r = arg;
    r->rc = rt_app_run(r->a.app, &r->stop, &r->err);
    return NULL;
}

static void put_burst(store *st, int from, int count) {
    static const char *const keys[] = {"a", "b", "c"};
    for (int i = from; i < from + count; i++) {
        t_put_kv(st, "in", keys[i % 3], i);
        sleep_ms(2);
    }
}

/* The crash: on the application's thread, right after a checkpoint that
 * covers every record put so far (and, with quiet_ms, made that long after
 * the last one was read). */
typedef struct crash {
    store *st;
    app_run *run;
    const char *ckpt, *snap;
    uint64_t want_records;
    int quiet_ms;
    int64_t all_read_at;     /* eddy_mono_ns()/1e6 when records_in reached want_records */
    size_t counts[N_OUTS];   /* rows in phase 1's outputs at the crash */
    volatile int taken;
} crash;

static void on_checkpoint(void *ctx) {
    crash *c = ctx;
    if (c->taken) return;
    rt_app_stats s;
    rt_app_get_stats(c->run->a.app, &s);
    if (s.records_in < c->want_records) return;
    int64_t now = (int64_t)(eddy_mono_ns() / 1000000);
    if (c->all_read_at == 0) c->all_read_at = now;
    if (now - c->all_read_at < c->quiet_ms) return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp %s %s", c->ckpt, c->snap);
    ck_assert_int_eq(system(cmd), 0);
    for (int i = 0; i < N_OUTS; i++) {
        char name[32];
        snprintf(name, sizeof name, "p1_%s", OUTS[i]);
        c->counts[i] = t_count_lines(c->st, name);
    }
    c->taken = 1;
}

static void crash_and_resume(int quiet_ms) {
    store_opts so;
    store_opts_init(&so);   /* in memory, real clock */
    store *st = NULL;
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(store_open(&so, &st, &err) == 0, "store_open: %s", err.msg);
    t_create_stream(st, "in", 2);
    for (int p = 1; p <= 3; p++)
        for (int i = 0; i < N_OUTS; i++) {
            char name[32];
            snprintf(name, sizeof name, "p%d_%s", p, OUTS[i]);
            t_create_stream(st, name, 1);
        }
    const char *dir = eddy_test_tmpdir();
    ck_assert_ptr_nonnull(dir);
    char ckpt[300], snap[300];
    snprintf(ckpt, sizeof ckpt, "%s/app.pos", dir);
    snprintf(snap, sizeof snap, "%s/crash.pos", dir);

    /* Phase 1: live, records arriving in bursts, crash after a checkpoint. */
    app_run *r1 = calloc(1, sizeof *r1);
    crash c = {.st = st, .run = r1, .ckpt = ckpt, .snap = snap, .want_records = 120, .quiet_ms = quiet_ms};
    app_open(r1, st, "p1", 0, NULL, ckpt, on_checkpoint, &c);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, app_thread, r1), 0);
    for (int b = 0; b < 3; b++) {
        put_burst(st, b * 40, 40);
        sleep_ms(300);
    }
    for (int i = 0; i < 500 && !c.taken; i++) sleep_ms(10);
    r1->stop = 1;
    pthread_join(th, NULL);
    ck_assert_msg(r1->rc == 0, "phase 1: %s", r1->err.msg);
    ck_assert_msg(c.taken, "no checkpoint covered the 120 records");
    t_app_close(&r1->a);
    free(r1);

    rt_app_resume saved;
    ck_assert_msg(rt_app_resume_read(snap, &saved, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(saved.n, 1);
    ck_assert_msg(saved.n_windows == 3, "the tumbling and stagger windows and TOP_K saved, not %zu", saved.n_windows);
    /* Pumps P3 and P4; kind / time key kind, width, keys, aggregates. */
    ck_assert_str_eq(saved.windows[0].id, "5033 TUMBLE_AGG/0.500.2.2 0");
    ck_assert_str_eq(saved.windows[1].id, "5034 STAGGER_AGG/400.1.2 0");
    int marks = 0;
    for (size_t k = 0; k < saved.inputs[0].n_pos; k++) marks += saved.inputs[0].pos[k].has_replay;
    ck_assert_msg(marks == 2, "both shards carry a replay mark, not %d", marks);

    /* Phase 2: more records, then the application from the crash's
     * positions, draining into fresh streams. */
    put_burst(st, 120, 40);
    sleep_ms(200);
    put_burst(st, 160, 40);
    app_run r2;
    app_open(&r2, st, "p2", 1, &saved, NULL, NULL, NULL);
    ck_assert_msg(rt_app_run(r2.a.app, NULL, &err) == 0, "phase 2: %s", err.msg);
    rt_app_stats s2;
    rt_app_get_stats(r2.a.app, &s2);
    ck_assert_msg(s2.records_in > 80, "phase 2 read records again for the windows: %llu",
                  (unsigned long long)s2.records_in);
    t_app_close(&r2.a);
    rt_app_resume_free(&saved);

    /* The reference: every record in one run. */
    app_run r3;
    app_open(&r3, st, "p3", 1, NULL, NULL, NULL, NULL);
    ck_assert_msg(rt_app_run(r3.a.app, NULL, &err) == 0, "reference: %s", err.msg);
    t_app_close(&r3.a);

    for (int i = 0; i < N_OUTS; i++) {
        char n1[32], n2[32], n3[32];
        snprintf(n1, sizeof n1, "p1_%s", OUTS[i]);
        snprintf(n2, sizeof n2, "p2_%s", OUTS[i]);
        snprintf(n3, sizeof n3, "p3_%s", OUTS[i]);
        char **l1, **l2, **l3;
        size_t c1 = t_read_lines(st, n1, &l1), c2 = t_read_lines(st, n2, &l2), c3 = t_read_lines(st, n3, &l3);
        ck_assert_msg(c1 >= c.counts[i], "%s shrank", n1);
        /* Phase 1's rows up to the crash, then phase 2's. */
        size_t nc = c.counts[i] + c2;
        char **both = malloc((nc ? nc : 1) * sizeof *both);
        ck_assert_ptr_nonnull(both);
        if (c.counts[i]) memcpy(both, l1, c.counts[i] * sizeof *both);
        if (c2) memcpy(both + c.counts[i], l2, c2 * sizeof *both);
        t_assert_same_rows(OUTS[i], both, nc, l3, c3);
        free(both);
        t_free_lines(l1, c1);
        t_free_lines(l2, c2);
        t_free_lines(l3, c3);
    }
    store_close(st);
    unlink(ckpt);
    unlink(snap);
    rmdir(dir);
}

START_TEST(test_crash_with_window_open) { crash_and_resume(0); }
END_TEST

START_TEST(test_crash_after_window_closed) { crash_and_resume(1500); }
END_TEST

/* The positions file keeps replay marks and windows with their lines. */
START_TEST(test_positions_file_v3) {
    const char *dir = eddy_test_tmpdir();
    ck_assert_ptr_nonnull(dir);
    char path[300];
    snprintf(path, sizeof path, "%s/p.pos", dir);
    rt_shard_pos pos[2];
    memset(pos, 0, sizeof pos);
    strcpy(pos[0].shard_id, "shardId-000000000000");
    pos[0].has_at = 1;
    pos[0].at_ms = 1767225600000LL;
    pos[0].has_replay = 1;
    pos[0].replay_seq = (store_seq)123456789 << 64 | 42;
    strcpy(pos[1].shard_id, "shardId-000000000001");
    pos[1].has_seq = 1;
    pos[1].seq = 77;
    rt_app_resume_input in = {"SRC", "in", pos, 2};
    rt_app_resume r = {&in, 1, NULL, 0};
    ck_assert_ptr_nonnull(rt_app_resume_add_window(&r, "5033 TUMBLE_AGG 0", INT64_MAX));
    rt_app_window *w = rt_app_resume_add_window(&r, "- STAGGER_AGG 2", -1234);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(rt_app_window_add_line(w, "00000000deadbeef 1767225600123xyz", 30), 0);
    ck_assert_int_eq(rt_app_window_add_line(w, "0000000000000001 5", 18), 0);
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(rt_app_resume_write(&r, path, &err) == 0, "%s", err.msg);
    rt_app_resume back;
    ck_assert_msg(rt_app_resume_read(path, &back, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(back.n, 1);
    ck_assert_int_eq(back.inputs[0].n_pos, 2);
    ck_assert(back.inputs[0].pos[0].has_replay && back.inputs[0].pos[0].replay_seq == pos[0].replay_seq);
    ck_assert(back.inputs[0].pos[0].has_at && back.inputs[0].pos[0].at_ms == pos[0].at_ms);
    ck_assert(!back.inputs[0].pos[1].has_replay && back.inputs[0].pos[1].has_seq && back.inputs[0].pos[1].seq == 77);
    ck_assert_int_eq(back.n_windows, 2);
    ck_assert_str_eq(back.windows[0].id, "5033 TUMBLE_AGG 0");
    ck_assert(back.windows[0].from == INT64_MAX && back.windows[0].n_lines == 0);
    ck_assert_str_eq(back.windows[1].id, "- STAGGER_AGG 2");
    ck_assert(back.windows[1].from == -1234 && back.windows[1].n_lines == 2);
    ck_assert_str_eq(back.windows[1].lines[0], "00000000deadbeef 1767225600123");
    ck_assert_str_eq(back.windows[1].lines[1], "0000000000000001 5");
    rt_app_resume_free(&back);
    r.inputs = NULL;   /* borrowed */
    r.n = 0;
    rt_app_resume_free(&r);
    /* A bad mark or window makes the file unreadable, not half read. */
    static const char *const bad[] = {
        "eddy-positions 3\ninput 53 6e\nshard shardId-000000000000 5 0 x9\nend\n",
        "eddy-positions 3\nwindow - TUMBLE_AGG 0 12ab\nend\n",
        "eddy-positions 3\nline 1 2\nend\n",
        "eddy-positions 3\nwindow - TUMBLE_AGG\nend\n",
        "eddy-positions 4\nend\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(bad[i], f);
        fclose(f);
        ck_assert_msg(rt_app_resume_read(path, &back, &err) == EDDY_E_INVAL, "bad file %zu was read", i);
    }
    unlink(path);
    rmdir(dir);
}
END_TEST

/* Once per process: both tests share the registry when not forked. */
static void teardown_registry(void) { udf_registry_shutdown(); }

static Suite *checkpoint_suite(void) {
    Suite *s = suite_create("runtime_checkpoint");
    TCase *tc = tcase_create("crash");
    tcase_add_unchecked_fixture(tc, NULL, teardown_registry);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_crash_with_window_open);
    tcase_add_test(tc, test_crash_after_window_closed);
    tcase_add_test(tc, test_positions_file_v3);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(checkpoint_suite)
