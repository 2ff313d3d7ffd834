/*
 * check_runtime_replay.c — restarts while records are still being read
 * again after a crash (rt_app_opts.checkpoint_path; see
 * check_runtime_checkpoint.c for the crash itself). Deterministic: the
 * store's clock is set by each put, and the "crash" is chosen by how many
 * records the application has read when a checkpoint is written: on the
 * application's thread, the positions file is copied, the rows in the
 * output streams are counted (anything written later is what a crash
 * would lose), and the application is told to stop.
 *
 *   - A second crash right after a checkpoint taken while records up to
 *     the first crash's marks are still being read again (before they
 *     reach the tumbling and stagger windows that were open): those
 *     windows must still be rebuilt after the second restart.
 *   - A graceful stop at that point (a server shutdown or a pump change):
 *     likewise, no window row may be lost.
 *   - The application's pumps reordered between the crash and the
 *     restart: each window keeps its own saved state (windows are named by
 *     pump, not by position).
 *
 * Every case compares the rows up to each crash plus the last run's rows
 * with one uninterrupted run, per output, as multisets.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "rt_app_test.h"

static int64_t g_clock = 1000;
static int64_t clock_fn(void *ctx) {
    (void)ctx;
    return g_clock;
}

static const char *g_fmt;   /* the application, %s (up to 8) for the sink prefix */
static char g_dir[256];     /* positions files */

typedef t_app app_run;

static void app_open(app_run *r, store *st, const char *prefix, int drain, const rt_app_resume *resume,
                     const char *ckpt, void (*on_ckpt)(void *), void *ctx) {
    char sql[8192];
    snprintf(sql, sizeof sql, g_fmt, prefix, prefix, prefix, prefix, prefix, prefix, prefix, prefix);
    rt_app_opts o;
    rt_app_opts_init(&o);
    o.store = st;
    o.drain = drain;
    o.idle_timeout_ms = 100;
    o.poll_interval_ms = 1;
    o.resume = resume;
    o.checkpoint_path = ckpt;
    o.checkpoint_interval_ms = 1;
    o.on_checkpoint = on_ckpt;
    o.checkpoint_ctx = ctx;
    t_app_open(r, sql, prefix, &o);
}

/* Puts {"k": k, "v": v} arriving at `at`. */
static void put_one(store *st, const char *k, int v, int64_t at) {
    g_clock = at;
    t_put_kv(st, "in", k, v);
}

/* Records {"k": "a"|"b", "v": i} for i in [from, to), arriving at 1000 + i. */
static void put_range(store *st, int from, int to) {
    for (int i = from; i < to; i++) put_one(st, i % 2 ? "b" : "a", i, 1000 + i);
}

/* A crash right after the first checkpoint written with min <= records
 * read < max. */
typedef struct crash {
    store *st;
    app_run *run;
    volatile sig_atomic_t *stop;
    const char *prefix;
    const char *const *outs;
    int n_outs;
    uint64_t min_records, max_records;
    size_t counts[8];
    char snap[300];
    int taken;
} crash;

static void on_checkpoint(void *ctx) {
    crash *c = ctx;
    if (c->taken) return;
    rt_app_stats s;
    rt_app_get_stats(c->run->app, &s);
    if (s.records_in < c->min_records || s.records_in >= c->max_records) return;
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cp %s/app.pos %s", g_dir, c->snap);
    ck_assert_int_eq(system(cmd), 0);
    for (int i = 0; i < c->n_outs; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s_%s", c->prefix, c->outs[i]);
        c->counts[i] = t_count_lines(c->st, name);
    }
    c->taken = 1;
    *c->stop = 1;
}

static void run_until_crash(store *st, const char *prefix, const rt_app_resume *resume, crash *c) {
    app_run r;
    volatile sig_atomic_t stop = 0;
    c->st = st;
    c->run = &r;
    c->stop = &stop;
    c->prefix = prefix;
    snprintf(c->snap, sizeof c->snap, "%s/%s.pos", g_dir, prefix);
    char ckpt[300];
    snprintf(ckpt, sizeof ckpt, "%s/app.pos", g_dir);
    unlink(ckpt);
    app_open(&r, st, prefix, 0, resume, ckpt, on_checkpoint, c);
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(rt_app_run(r.app, &stop, &err) == 0, "%s: %s", prefix, err.msg);
    ck_assert_msg(c->taken, "%s: no checkpoint with %llu <= records read < %llu", prefix,
                  (unsigned long long)c->min_records, (unsigned long long)c->max_records);
    t_app_close(&r);
}

static void run_drain(store *st, const char *prefix, const rt_app_resume *resume) {
    app_run r;
    app_open(&r, st, prefix, 1, resume, NULL, NULL, NULL);
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(rt_app_run(r.app, NULL, &err) == 0, "%s: %s", prefix, err.msg);
    t_app_close(&r);
}

/* Per output: the rows of runs prefixes[0..n) (each cut at its crash's
 * count when crashes[p] is set) equal the reference's, as multisets. */
static void compare(store *st, const char *const *prefixes, const crash *const *crashes, int n, const char *ref,
                    const char *const *outs, int n_outs) {
    for (int o = 0; o < n_outs; o++) {
        char **all = NULL, **keep_all[8];
        size_t na = 0, counts[8];
        for (int p = 0; p < n; p++) {
            char name[64];
            snprintf(name, sizeof name, "%s_%s", prefixes[p], outs[o]);
            counts[p] = t_read_lines(st, name, &keep_all[p]);
            size_t keep = crashes[p] ? crashes[p]->counts[o] : counts[p];
            all = realloc(all, (na + keep + 1) * sizeof *all);
            ck_assert_ptr_nonnull(all);
            if (keep) memcpy(all + na, keep_all[p], keep * sizeof *all);
            na += keep;
        }
        char name[64], **rl;
        snprintf(name, sizeof name, "%s_%s", ref, outs[o]);
        size_t nr = t_read_lines(st, name, &rl);
        t_assert_same_rows(outs[o], all, na, rl, nr);
        free(all);
        for (int p = 0; p < n; p++) t_free_lines(keep_all[p], counts[p]);
        t_free_lines(rl, nr);
    }
}

static store *open_store(const char *const *prefixes, int n, const char *const *outs, int n_outs) {
    store_opts so;
    store_opts_init(&so);
    so.clock_ms = clock_fn;
    store *st = NULL;
    eddy_err err;
    ck_assert_msg(store_open(&so, &st, &err) == 0, "store_open: %s", err.msg);
    /* One shard: with the clock standing still between puts, a second
     * shard's next fetch would never come due. check_runtime_checkpoint.c
     * covers two shards on the real clock. */
    t_create_stream(st, "in", 1);
    for (int p = 0; p < n; p++)
        for (int o = 0; o < n_outs; o++) {
            char name[64];
            snprintf(name, sizeof name, "%s_%s", prefixes[p], outs[o]);
            t_create_stream(st, name, 1);
        }
    const char *dir = eddy_test_tmpdir();
    ck_assert_ptr_nonnull(dir);
    snprintf(g_dir, sizeof g_dir, "%s", dir);
    return st;
}

static void close_store(store *st) {
    store_close(st);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    ck_assert_int_eq(system(cmd), 0);
}

static rt_app_resume read_snap(const crash *c) {
    rt_app_resume r;
    eddy_err err;
    ck_assert_msg(rt_app_resume_read(c->snap, &r, &err) == 0, "%s", err.msg);
    return r;
}

/* The cases below share two shapes. crash_once: g_fmt runs over what the
 * store holds until a checkpoint with at least `min_records` read, and
 * crashes; `more` puts the records after the crash; the application (as
 * `after`, NULL for the same) resumes from the crash's positions, draining;
 * its rows plus the crashed run's equal a reference run's. crash_twice: the
 * same with a second crash while records up to the first crash's marks are
 * still being read again (fewer than half read), and `more` puts `extra`
 * records; returns the number of windows the first crash saved. Streams
 * are prefixed p1, p2 (and p3), ref. */
static void crash_once(store *st, const char *const *outs, int n_outs, uint64_t min_records, void (*more)(store *),
                       const char *after) {
    crash c1 = {.outs = outs, .n_outs = n_outs, .min_records = min_records, .max_records = UINT64_MAX};
    run_until_crash(st, "p1", NULL, &c1);
    rt_app_resume r1 = read_snap(&c1);
    more(st);
    if (after) g_fmt = after;
    run_drain(st, "p2", &r1);
    run_drain(st, "ref", NULL);
    const char *const pre[] = {"p1", "p2"};
    const crash *cr[] = {&c1, NULL};
    compare(st, pre, cr, 2, "ref", outs, n_outs);
    rt_app_resume_free(&r1);
}

static size_t crash_twice(store *st, const char *const *outs, int n_outs, uint64_t records, int extra) {
    crash c1 = {.outs = outs, .n_outs = n_outs, .min_records = records, .max_records = UINT64_MAX};
    run_until_crash(st, "p1", NULL, &c1);
    rt_app_resume r1 = read_snap(&c1);
    crash c2 = {.outs = outs, .n_outs = n_outs, .min_records = 1, .max_records = records / 2};
    run_until_crash(st, "p2", &r1, &c2);
    rt_app_resume r2 = read_snap(&c2);
    put_range(st, (int)records, (int)records + extra);
    run_drain(st, "p3", &r2);
    run_drain(st, "ref", NULL);
    const char *const pre[] = {"p1", "p2", "p3"};
    const crash *cr[] = {&c1, &c2, NULL};
    compare(st, pre, cr, 3, "ref", outs, n_outs);
    size_t n_windows = r1.n_windows;
    rt_app_resume_free(&r1);
    rt_app_resume_free(&r2);
    return n_windows;
}

/* A 1-hour sliding window keeps every record in its horizon, so the first
 * restart reads all 20,000 again; the tumbling (1 s) and stagger (1.5 s)
 * windows open at the crash sit at its end. */
static const char APP_WINDOWS[] =
    "CREATE STREAM \"SRC\" (k VARCHAR(4), v INTEGER)\n"
    "  WITH (source = 'in', format = 'json', start = 'trim_horizon');\n"
    "CREATE STREAM \"SLIDE\" (k VARCHAR(4), v INTEGER, s INTEGER) WITH (sink = '%s_slide');\n"
    "CREATE STREAM \"TUMBLE\" (k VARCHAR(4), n INTEGER, total INTEGER) WITH (sink = '%s_tumble');\n"
    "CREATE STREAM \"STAG\" (k VARCHAR(4), n INTEGER, total INTEGER) WITH (sink = '%s_stagger');\n"
    "CREATE PUMP \"P2\" AS INSERT INTO \"SLIDE\"\n"
    "  SELECT STREAM k, v, SUM(v) OVER (PARTITION BY k RANGE INTERVAL '1' HOUR PRECEDING) FROM \"SRC\";\n"
    "CREATE PUMP \"P3\" AS INSERT INTO \"TUMBLE\"\n"
    "  SELECT STREAM k, COUNT(*), SUM(v) FROM \"SRC\"\n"
    "  GROUP BY k, STEP(\"SRC\".ROWTIME BY INTERVAL '1' SECOND);\n"
    "CREATE PUMP \"P4\" AS INSERT INTO \"STAG\"\n"
    "  SELECT STREAM k, COUNT(*), SUM(v) FROM \"SRC\"\n"
    "  WINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '1.5' SECOND);\n"
    "CREATE STREAM \"DIST\" (s TIMESTAMP, k VARCHAR(4), m INTEGER) WITH (sink = '%s_distinct');\n"
    "CREATE PUMP \"P5\" AS INSERT INTO \"DIST\"\n"
    "  SELECT STREAM DISTINCT FLOOR(\"SRC\".ROWTIME TO SECOND) AS s, k, MOD(v, 7) AS m FROM \"SRC\";\n"
    "CREATE STREAM \"DTUMBLE\" (k VARCHAR(4), n INTEGER) WITH (sink = '%s_dtumble');\n"
    "CREATE PUMP \"P6\" AS INSERT INTO \"DTUMBLE\"\n"
    "  SELECT STREAM d.k, COUNT(*) FROM (SELECT STREAM DISTINCT FLOOR(\"SRC\".ROWTIME TO SECOND) AS s, k,\n"
    "    MOD(v, 7) AS m FROM \"SRC\") AS d GROUP BY d.k, STEP(d.ROWTIME BY INTERVAL '1' SECOND);\n";
/* The DISTINCTs (500 records per key and second, 7 values of m) are
 * compared in the crash case only: a graceful stop forgets what the current
 * second has seen, as it closes windows. */
static const char *const WIN_OUTS[] = {"slide", "tumble", "stagger", "distinct", "dtumble"};
enum { N = 20000 };

START_TEST(test_crash_while_reading_again) {
    g_fmt = APP_WINDOWS;
    const char *const pre[] = {"p1", "p2", "p3", "ref"};
    store *st = open_store(pre, 4, WIN_OUTS, 5);
    put_range(st, 0, N);
    /* The second crash comes before the records read again reach the open
     * windows (1,000 of 20,000). */
    crash_twice(st, WIN_OUTS, 5, N, 50);
    close_store(st);
}
END_TEST

/* A graceful stop at the first checkpoint with min <= records read < max. */
static void stop_at(void *ctx) {
    crash *c = ctx;
    rt_app_stats s;
    rt_app_get_stats(c->run->app, &s);
    if (!c->taken && s.records_in >= c->min_records && s.records_in < c->max_records) {
        c->taken = 1;
        *c->stop = 1;
    }
}

/* Rows per key and window may come in two parts after a graceful stop (the
 * window open then is written), so this compares the sums of COUNT(*) and
 * of SUM(v) per key: nothing lost, nothing counted twice. */
static void sums(store *st, const char *stream, size_t upto, long long *n, long long *total) {
    char **l;
    size_t c = t_read_lines(st, stream, &l);
    for (size_t i = 0; i < c && i < upto; i++) {
        char k[8];
        int cn;
        long long t;
        ck_assert_msg(sscanf(l[i], "{\"K\":\"%1[ab]\",\"N\":%d,\"TOTAL\":%lld}", k, &cn, &t) == 3, "row %s", l[i]);
        *n += cn;
        *total += t;
    }
    t_free_lines(l, c);
}

/* N records, a crash after all of them, then a restart stopped gracefully
 * (positions saved as the server saves them) at the first checkpoint with
 * stop_min <= records read < stop_max, then 50 more records and a drain:
 * per key, the windowed outputs outs[1..n_summed) (the others are not
 * compared: a graceful stop forgets what a DISTINCT has seen) count every
 * record once, as a reference run does. */
static void crash_then_stop(const char *const *outs, int n_outs, int n_summed, uint64_t stop_min,
                            uint64_t stop_max) {
    const char *const pre[] = {"p1", "p2", "p3", "ref"};
    store *st = open_store(pre, 4, outs, n_outs);
    put_range(st, 0, N);
    crash c1 = {.outs = outs, .n_outs = n_outs, .min_records = N, .max_records = UINT64_MAX};
    run_until_crash(st, "p1", NULL, &c1);
    rt_app_resume r1 = read_snap(&c1), r2;
    app_run r;
    volatile sig_atomic_t stop = 0;
    crash c2 = {.st = st, .run = &r, .stop = &stop, .min_records = stop_min, .max_records = stop_max};
    char scratch[300];
    snprintf(scratch, sizeof scratch, "%s/scratch.pos", g_dir);
    app_open(&r, st, "p2", 0, &r1, scratch, stop_at, &c2);
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(rt_app_run(r.app, &stop, &err) == 0, "p2: %s", err.msg);
    ck_assert_msg(c2.taken, "no checkpoint with %llu <= records read < %llu", (unsigned long long)stop_min,
                  (unsigned long long)stop_max);
    ck_assert_msg(rt_app_resume_save(r.app, &r2, &err) == 0, "%s", err.msg);
    t_app_close(&r);
    put_range(st, N, N + 50);
    run_drain(st, "p3", &r2);
    run_drain(st, "ref", NULL);
    for (int o = 1; o < n_summed; o++) {
        long long n = 0, total = 0, rn = 0, rtotal = 0;
        char name[64];
        snprintf(name, sizeof name, "p1_%s", outs[o]);
        sums(st, name, c1.counts[o], &n, &total);
        snprintf(name, sizeof name, "p2_%s", outs[o]);
        sums(st, name, (size_t)-1, &n, &total);
        snprintf(name, sizeof name, "p3_%s", outs[o]);
        sums(st, name, (size_t)-1, &n, &total);
        snprintf(name, sizeof name, "ref_%s", outs[o]);
        sums(st, name, (size_t)-1, &rn, &rtotal);
        ck_assert_msg(rn == N + 50, "%s: the reference counted %lld records", outs[o], rn);
        ck_assert_msg(n == rn && total == rtotal, "%s: crash + stop + restart counted %lld records (sum %lld), the "
                      "reference %lld (sum %lld)", outs[o], n, total, rn, rtotal);
    }
    rt_app_resume_free(&r1);
    rt_app_resume_free(&r2);
    close_store(st);
}

/* Stopped before the records read again reach the open windows. */
START_TEST(test_stop_while_reading_again) {
    g_fmt = APP_WINDOWS;
    crash_then_stop(WIN_OUTS, 5, 3, 1, N / 2);   /* tumble and stagger summed */
}
END_TEST

/* A graceful stop after the records read again have reached the tumbling
 * window that was open at the crash (8 s windows: it opened at record
 * 15000), so it is part rebuilt: it must not be written part-way, and the
 * next start rebuilds it whole. */
static const char APP_STOP8[] =
    "CREATE STREAM \"SRC\" (k VARCHAR(4), v INTEGER)\n"
    "  WITH (source = 'in', format = 'json', start = 'trim_horizon');\n"
    "CREATE STREAM \"SLIDE\" (k VARCHAR(4), v INTEGER, s INTEGER) WITH (sink = '%s_slide');\n"
    "CREATE STREAM \"TUMBLE\" (k VARCHAR(4), n INTEGER, total INTEGER) WITH (sink = '%s_tumble');\n"
    "CREATE PUMP \"P2\" AS INSERT INTO \"SLIDE\"\n"
    "  SELECT STREAM k, v, SUM(v) OVER (PARTITION BY k RANGE INTERVAL '1' HOUR PRECEDING) FROM \"SRC\";\n"
    "CREATE PUMP \"P3\" AS INSERT INTO \"TUMBLE\"\n"
    "  SELECT STREAM k, COUNT(*), SUM(v) FROM \"SRC\"\n"
    "  GROUP BY k, STEP(\"SRC\".ROWTIME BY INTERVAL '8' SECOND);\n";

START_TEST(test_stop_inside_rebuilt_window) {
    g_fmt = APP_STOP8;
    const char *const outs[] = {"slide", "tumble"};
    crash_then_stop(outs, 2, 2, 15001, N);
}
END_TEST

static const char APP_A[] =
    "CREATE STREAM \"SRC\" (k VARCHAR(4), v INTEGER)\n"
    "  WITH (source = 'in', format = 'json', start = 'trim_horizon');\n"
    "CREATE STREAM \"T1\" (n INTEGER, total INTEGER) WITH (sink = '%s_t1');\n"
    "CREATE STREAM \"T2\" (n INTEGER, total INTEGER) WITH (sink = '%s_t2');\n"
    "CREATE PUMP \"P1\" AS INSERT INTO \"T1\" SELECT STREAM COUNT(*), SUM(v) FROM \"SRC\"\n"
    "  GROUP BY STEP(\"SRC\".ROWTIME BY INTERVAL '1' SECOND);\n"
    "CREATE PUMP \"P2\" AS INSERT INTO \"T2\" SELECT STREAM COUNT(*), SUM(v) FROM \"SRC\"\n"
    "  GROUP BY STEP(\"SRC\".ROWTIME BY INTERVAL '2' SECOND);\n";
static const char APP_B[] =   /* the same pumps, in the other order */
    "CREATE STREAM \"SRC\" (k VARCHAR(4), v INTEGER)\n"
    "  WITH (source = 'in', format = 'json', start = 'trim_horizon');\n"
    "CREATE STREAM \"T1\" (n INTEGER, total INTEGER) WITH (sink = '%s_t1');\n"
    "CREATE STREAM \"T2\" (n INTEGER, total INTEGER) WITH (sink = '%s_t2');\n"
    "CREATE PUMP \"P2\" AS INSERT INTO \"T2\" SELECT STREAM COUNT(*), SUM(v) FROM \"SRC\"\n"
    "  GROUP BY STEP(\"SRC\".ROWTIME BY INTERVAL '2' SECOND);\n"
    "CREATE PUMP \"P1\" AS INSERT INTO \"T1\" SELECT STREAM COUNT(*), SUM(v) FROM \"SRC\"\n"
    "  GROUP BY STEP(\"SRC\".ROWTIME BY INTERVAL '1' SECOND);\n";
static const char *const T_OUTS[] = {"t1", "t2"};

static void more_9100(store *st) { put_range(st, 9000, 9100); }

START_TEST(test_pumps_reordered) {
    const char *const pre[] = {"p1", "p2", "ref"};
    store *st = open_store(pre, 3, T_OUTS, 2);
    put_range(st, 0, 9000);   /* the 1 s window opens at 9000, the 2 s one at 8000 */
    g_fmt = APP_A;
    crash_once(st, T_OUTS, 2, 9000, more_9100, APP_B);
    close_store(st);
}
END_TEST

/* A DISTINCT alone: its horizon (the first row of the current second)
 * decides where records are read again from. The crash comes half way
 * through a second, whose other half arrives after the restart. */
static const char APP_DISTINCT[] =
    "CREATE STREAM \"SRC\" (k VARCHAR(4), v INTEGER)\n"
    "  WITH (source = 'in', format = 'json', start = 'trim_horizon');\n"
    "CREATE STREAM \"DIST\" (s TIMESTAMP, k VARCHAR(4), m INTEGER) WITH (sink = '%s_distinct');\n"
    "CREATE PUMP \"P5\" AS INSERT INTO \"DIST\"\n"
    "  SELECT STREAM DISTINCT FLOOR(\"SRC\".ROWTIME TO SECOND) AS s, k, MOD(v, 7) AS m FROM \"SRC\";\n";
static const char *const D_OUTS[] = {"distinct"};

static void more_20050(store *st) { put_range(st, 19500, 20050); }

START_TEST(test_distinct_alone) {
    g_fmt = APP_DISTINCT;
    const char *const pre[] = {"p1", "p2", "ref"};
    store *st = open_store(pre, 3, D_OUTS, 1);
    put_range(st, 0, 19500);   /* second 20 begins at record 19000 */
    crash_once(st, D_OUTS, 1, 19500, more_20050, NULL);
    close_store(st);
}
END_TEST

/* A ROWS window alone: its horizon is the oldest row any partition's frame
 * holds, here that of key "c", which went quiet long before the crash and
 * comes back after the restart: its frame must still be there. */
static const char APP_ROWS[] =
    "CREATE STREAM \"SRC\" (k VARCHAR(4), v INTEGER)\n"
    "  WITH (source = 'in', format = 'json', start = 'trim_horizon');\n"
    "CREATE STREAM \"LAST5\" (k VARCHAR(4), v INTEGER, s INTEGER, p INTEGER) WITH (sink = '%s_rows');\n"
    "CREATE PUMP \"P7\" AS INSERT INTO \"LAST5\"\n"
    "  SELECT STREAM k, v, SUM(v) OVER w, LAG(v, 2, -1) OVER w FROM \"SRC\"\n"
    "  WINDOW w AS (PARTITION BY k ROWS 5 PRECEDING);\n";
static const char *const R_OUTS[] = {"rows"};

static void more_rows(store *st) {
    put_range(st, 5000, 5050);
    put_one(st, "c", 5000, 1000 + 5050);
}

START_TEST(test_rows_window) {
    g_fmt = APP_ROWS;
    const char *const pre[] = {"p1", "p2", "ref"};
    store *st = open_store(pre, 3, R_OUTS, 1);
    for (int i = 0; i < 4; i++) put_one(st, "c", 1000 * (i + 1), 500 + i);
    put_range(st, 0, 5000);
    crash_once(st, R_OUTS, 1, 5004, more_rows, NULL);
    close_store(st);
}
END_TEST

/* Windows behind an in-application stream that a pump writes (source ->
 * pump -> stream -> windows, the usual KDA shape), with the tumbling table
 * functions among them; crashed twice as in test_crash_while_reading_again. */
static const char APP_CHAIN[] =
    "CREATE STREAM \"SRC\" (k VARCHAR(4), v INTEGER)\n"
    "  WITH (source = 'in', format = 'json', start = 'trim_horizon');\n"
    "CREATE STREAM \"MID\" (k VARCHAR(4), v INTEGER, m INTEGER);\n"
    "CREATE PUMP \"P0\" AS INSERT INTO \"MID\" SELECT STREAM k, v, MOD(v, 13) FROM \"SRC\" WHERE MOD(v, 5) <> 0;\n"
    "CREATE STREAM \"SLIDE\" (k VARCHAR(4), v INTEGER, s INTEGER) WITH (sink = '%s_slide');\n"
    "CREATE PUMP \"P2\" AS INSERT INTO \"SLIDE\"\n"
    "  SELECT STREAM k, v, SUM(v) OVER (PARTITION BY k RANGE INTERVAL '1' HOUR PRECEDING) FROM \"MID\";\n"
    "CREATE STREAM \"TUMBLE\" (k VARCHAR(4), n INTEGER, total INTEGER) WITH (sink = '%s_tumble');\n"
    "CREATE PUMP \"P3\" AS INSERT INTO \"TUMBLE\"\n"
    "  SELECT STREAM k, COUNT(*), SUM(v) FROM \"MID\" GROUP BY k, STEP(\"MID\".ROWTIME BY INTERVAL '1' SECOND);\n"
    "CREATE STREAM \"TOPK\" (item VARCHAR(1024), item_count BIGINT) WITH (sink = '%s_topk');\n"
    "CREATE PUMP \"P8\" AS INSERT INTO \"TOPK\"\n"
    "  SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM \"MID\"), 'M', 3, 2));\n"
    "CREATE STREAM \"NDIST\" (n BIGINT) WITH (sink = '%s_ndist');\n"
    "CREATE PUMP \"P9\" AS INSERT INTO \"NDIST\"\n"
    "  SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM \"MID\"), 'V', 3));\n";
static const char *const CHAIN_OUTS[] = {"slide", "tumble", "topk", "ndist"};

START_TEST(test_windows_behind_a_pump) {
    g_fmt = APP_CHAIN;
    const char *const pre[] = {"p1", "p2", "p3", "ref"};
    store *st = open_store(pre, 4, CHAIN_OUTS, 4);
    put_range(st, 0, N);
    size_t saved = crash_twice(st, CHAIN_OUTS, 4, N, 2500);
    ck_assert_msg(saved == 3, "the tumbling window and both table functions saved, not %zu", saved);
    close_store(st);
}
END_TEST

static void teardown_registry(void) { udf_registry_shutdown(); }

static Suite *replay_suite(void) {
    Suite *s = suite_create("runtime_replay");
    TCase *tc = tcase_create("restarts");
    tcase_add_unchecked_fixture(tc, NULL, teardown_registry);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_crash_while_reading_again);
    tcase_add_test(tc, test_stop_while_reading_again);
    tcase_add_test(tc, test_stop_inside_rebuilt_window);
    tcase_add_test(tc, test_pumps_reordered);
    tcase_add_test(tc, test_distinct_alone);
    tcase_add_test(tc, test_rows_window);
    tcase_add_test(tc, test_windows_behind_a_pump);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(replay_suite)
