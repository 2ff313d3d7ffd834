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

#include "app.h"
#include "arena.h"
#include "catalog.h"
#include "check_main.h"
#include "eddy_err.h"
#include "planner.h"
#include "sql_parse.h"
#include "store.h"
#include "udf.h"

static int64_t g_clock = 1000;
static int64_t clock_fn(void *ctx) {
    (void)ctx;
    return g_clock;
}

static const char *g_fmt;   /* the application, %s (up to 8) for the sink prefix */
static char g_dir[256];     /* positions files */

typedef struct app_run {
    arena mem;
    catalog *cat;
    plan_node *pumps[16];
    size_t n_pumps;
    rt_app *app;
    FILE *devnull;
} app_run;

static void app_open(app_run *r, store *st, const char *prefix, int drain, const rt_app_resume *resume,
                     const char *ckpt, void (*on_ckpt)(void *), void *ctx) {
    memset(r, 0, sizeof *r);
    arena_init(&r->mem, 65536);
    r->cat = catalog_new();
    ck_assert_ptr_nonnull(r->cat);
    char sql[8192];
    snprintf(sql, sizeof sql, g_fmt, prefix, prefix, prefix, prefix, prefix, prefix, prefix, prefix);
    eddy_err err;
    eddy_err_clear(&err);
    sql_script *script = NULL;
    ck_assert_msg(sql_parse(sql, strlen(sql), &r->mem, &script, &err) == 0, "parse: %s", err.msg);
    for (uint32_t i = 0; i < script->n_stmts; i++) {
        plan_result pr;
        memset(&pr, 0, sizeof pr);
        ck_assert_msg(planner_plan_stmt(r->cat, udf_registry_default(), script->stmts[i], sql, strlen(sql), &r->mem,
                                        &pr, &err) == 0,
                      "plan: %s", err.msg);
        if (pr.kind == PLAN_R_PUMP) r->pumps[r->n_pumps++] = pr.root;
    }
    rt_app_opts o;
    rt_app_opts_init(&o);
    o.store = st;
    o.name = prefix;
    o.drain = drain;
    o.idle_timeout_ms = 100;
    o.poll_interval_ms = 1;
    o.resume = resume;
    o.checkpoint_path = ckpt;
    o.checkpoint_interval_ms = 1;
    o.on_checkpoint = on_ckpt;
    o.checkpoint_ctx = ctx;
    r->devnull = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(r->devnull);
    o.out = r->devnull;
    o.err_out = r->devnull;
    ck_assert_msg(rt_app_new(&o, r->cat, r->pumps, r->n_pumps, &r->app, &err) == 0, "rt_app_new: %s", err.msg);
}

static void app_close(app_run *r) {
    rt_app_free(r->app);
    fclose(r->devnull);
    catalog_free(r->cat);
    arena_free(&r->mem);
}

static size_t read_lines(store *st, const char *stream, char ***out) {
    store_stream_desc desc;
    eddy_err err;
    ck_assert_msg(store_stream_describe(st, stream, &desc, &err) == 0, "describe %s: %s", stream, err.msg);
    char **lines = NULL;
    size_t n = 0, cap = 0;
    for (uint32_t s = 0; s < desc.n_shards; s++) {
        store_position p = {.type = STORE_TRIM_HORIZON};
        store_cursor *c;
        ck_assert_int_eq(store_cursor_open(st, stream, desc.shards[s].shard_id, &p, &c, &err), 0);
        store_batch b;
        store_batch_init(&b);
        for (;;) {
            ck_assert_int_eq(store_cursor_read(c, 1000, &b, &err), 0);
            if (b.n_records == 0) break;
            for (size_t i = 0; i < b.n_records; i++) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 64;
                    lines = realloc(lines, cap * sizeof *lines);
                    ck_assert_ptr_nonnull(lines);
                }
                lines[n++] = strndup((const char *)b.records[i].data, b.records[i].data_len);
            }
        }
        store_batch_free(&b);
        store_cursor_close(c);
    }
    store_stream_desc_free(&desc);
    *out = lines;
    return n;
}

static void free_lines(char **l, size_t n) {
    for (size_t i = 0; i < n; i++) free(l[i]);
    free(l);
}

static void create(store *st, const char *name, int shards) {
    eddy_err err;
    ck_assert_msg(store_stream_create(st, name, shards, &err) == 0, "create %s: %s", name, err.msg);
}

/* Records {"k": "a"|"b", "v": i} for i in [from, to), arriving at 1000 + i. */
static void put_range(store *st, int from, int to) {
    for (int i = from; i < to; i++) {
        char data[64];
        const char *k = i % 2 ? "b" : "a";
        snprintf(data, sizeof data, "{\"k\":\"%s\",\"v\":%d}", k, i);
        g_clock = 1000 + i;
        store_put_entry e;
        memset(&e, 0, sizeof e);
        e.data = data;
        e.data_len = strlen(data);
        e.partition_key = k;
        e.partition_key_len = 1;
        store_put_result res;
        eddy_err err;
        eddy_err_clear(&err);
        ck_assert_msg(store_put_record(st, "in", &e, &res, &err) == 0 && res.code == 0, "put: %s", err.msg);
    }
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
        char name[64], **l;
        snprintf(name, sizeof name, "%s_%s", c->prefix, c->outs[i]);
        c->counts[i] = read_lines(c->st, name, &l);
        free_lines(l, c->counts[i]);
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
    app_close(&r);
}

static void run_drain(store *st, const char *prefix, const rt_app_resume *resume) {
    app_run r;
    app_open(&r, st, prefix, 1, resume, NULL, NULL, NULL);
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(rt_app_run(r.app, NULL, &err) == 0, "%s: %s", prefix, err.msg);
    app_close(&r);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

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
            counts[p] = read_lines(st, name, &keep_all[p]);
            size_t keep = crashes[p] ? crashes[p]->counts[o] : counts[p];
            all = realloc(all, (na + keep + 1) * sizeof *all);
            ck_assert_ptr_nonnull(all);
            if (keep) memcpy(all + na, keep_all[p], keep * sizeof *all);
            na += keep;
        }
        char name[64], **rl;
        snprintf(name, sizeof name, "%s_%s", ref, outs[o]);
        size_t nr = read_lines(st, name, &rl);
        qsort(all, na, sizeof *all, cmp_str);
        qsort(rl, nr, sizeof *rl, cmp_str);
        ck_assert_msg(nr > 0, "%s: the reference wrote rows", outs[o]);
        ck_assert_msg(na == nr, "%s: %zu rows over the crashes and the restarts, the reference wrote %zu", outs[o], na,
                      nr);
        for (size_t i = 0; i < na; i++)
            ck_assert_msg(strcmp(all[i], rl[i]) == 0, "%s row %zu: %s vs the reference's %s", outs[o], i, all[i],
                          rl[i]);
        free(all);
        for (int p = 0; p < n; p++) free_lines(keep_all[p], counts[p]);
        free_lines(rl, nr);
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
    create(st, "in", 1);
    for (int p = 0; p < n; p++)
        for (int o = 0; o < n_outs; o++) {
            char name[64];
            snprintf(name, sizeof name, "%s_%s", prefixes[p], outs[o]);
            create(st, name, 1);
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
    crash c1 = {.outs = WIN_OUTS, .n_outs = 5, .min_records = N, .max_records = UINT64_MAX};
    run_until_crash(st, "p1", NULL, &c1);
    rt_app_resume r1 = read_snap(&c1);
    /* The second crash comes before the records read again reach the open
     * windows (1,000 of 20,000). */
    crash c2 = {.outs = WIN_OUTS, .n_outs = 5, .min_records = 1, .max_records = N / 2};
    run_until_crash(st, "p2", &r1, &c2);
    rt_app_resume r2 = read_snap(&c2);
    put_range(st, N, N + 50);
    run_drain(st, "p3", &r2);
    run_drain(st, "ref", NULL);
    const crash *cr[] = {&c1, &c2, NULL};
    compare(st, pre, cr, 3, "ref", WIN_OUTS, 5);
    rt_app_resume_free(&r1);
    rt_app_resume_free(&r2);
    close_store(st);
}
END_TEST

static void stop_early(void *ctx) {
    crash *c = ctx;
    rt_app_stats s;
    rt_app_get_stats(c->run->app, &s);
    if (!c->taken && s.records_in > 0 && s.records_in < c->max_records) {
        c->taken = 1;
        *c->stop = 1;
    }
}

static void stop_inside(void *ctx) {
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
    size_t c = read_lines(st, stream, &l);
    for (size_t i = 0; i < c && i < upto; i++) {
        char k[8];
        int cn;
        long long t;
        ck_assert_msg(sscanf(l[i], "{\"K\":\"%1[ab]\",\"N\":%d,\"TOTAL\":%lld}", k, &cn, &t) == 3, "row %s", l[i]);
        *n += cn;
        *total += t;
    }
    free_lines(l, c);
}

START_TEST(test_stop_while_reading_again) {
    g_fmt = APP_WINDOWS;
    const char *const pre[] = {"p1", "p2", "p3", "ref"};
    store *st = open_store(pre, 4, WIN_OUTS, 5);
    put_range(st, 0, N);
    crash c1 = {.outs = WIN_OUTS, .n_outs = 5, .min_records = N, .max_records = UINT64_MAX};
    run_until_crash(st, "p1", NULL, &c1);
    rt_app_resume r1 = read_snap(&c1), r2;

    /* Run 2: stopped gracefully while reading again, positions saved as
     * the server saves them. */
    app_run r;
    volatile sig_atomic_t stop = 0;
    crash c2 = {.st = st, .run = &r, .stop = &stop, .max_records = N / 2};
    char scratch[300];
    snprintf(scratch, sizeof scratch, "%s/scratch.pos", g_dir);
    app_open(&r, st, "p2", 0, &r1, scratch, stop_early, &c2);
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(rt_app_run(r.app, &stop, &err) == 0, "p2: %s", err.msg);
    ck_assert(c2.taken);
    ck_assert_msg(rt_app_resume_save(r.app, &r2, &err) == 0, "%s", err.msg);
    app_close(&r);

    put_range(st, N, N + 50);
    run_drain(st, "p3", &r2);
    run_drain(st, "ref", NULL);
    for (int o = 1; o < 3; o++) {
        long long n = 0, total = 0, rn = 0, rtotal = 0;
        char name[64];
        snprintf(name, sizeof name, "p1_%s", WIN_OUTS[o]);
        sums(st, name, c1.counts[o], &n, &total);
        snprintf(name, sizeof name, "p2_%s", WIN_OUTS[o]);
        sums(st, name, (size_t)-1, &n, &total);
        snprintf(name, sizeof name, "p3_%s", WIN_OUTS[o]);
        sums(st, name, (size_t)-1, &n, &total);
        snprintf(name, sizeof name, "ref_%s", WIN_OUTS[o]);
        sums(st, name, (size_t)-1, &rn, &rtotal);
        ck_assert_msg(rn == N + 50, "%s: the reference counted %lld records", WIN_OUTS[o], rn);
        ck_assert_msg(n == rn && total == rtotal, "%s: crash + stop + restart counted %lld records (sum %lld), the "
                      "reference %lld (sum %lld)", WIN_OUTS[o], n, total, rn, rtotal);
    }
    rt_app_resume_free(&r1);
    rt_app_resume_free(&r2);
    close_store(st);
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
    const char *const pre[] = {"p1", "p2", "p3", "ref"};
    const char *const outs[] = {"slide", "tumble"};
    store *st = open_store(pre, 4, outs, 2);
    put_range(st, 0, N);
    crash c1 = {.outs = outs, .n_outs = 2, .min_records = N, .max_records = UINT64_MAX};
    run_until_crash(st, "p1", NULL, &c1);
    rt_app_resume r1 = read_snap(&c1), r2;
    app_run r;
    volatile sig_atomic_t stop = 0;
    crash c2 = {.st = st, .run = &r, .stop = &stop, .min_records = 15001, .max_records = N};
    char scratch[300];
    snprintf(scratch, sizeof scratch, "%s/scratch.pos", g_dir);
    app_open(&r, st, "p2", 0, &r1, scratch, stop_inside, &c2);
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(rt_app_run(r.app, &stop, &err) == 0, "p2: %s", err.msg);
    ck_assert_msg(c2.taken, "no checkpoint while the open window was being rebuilt");
    ck_assert_msg(rt_app_resume_save(r.app, &r2, &err) == 0, "%s", err.msg);
    app_close(&r);
    put_range(st, N, N + 50);
    run_drain(st, "p3", &r2);
    run_drain(st, "ref", NULL);
    long long n = 0, total = 0, rn = 0, rtotal = 0;
    sums(st, "p1_tumble", c1.counts[1], &n, &total);
    sums(st, "p2_tumble", (size_t)-1, &n, &total);
    sums(st, "p3_tumble", (size_t)-1, &n, &total);
    sums(st, "ref_tumble", (size_t)-1, &rn, &rtotal);
    ck_assert_msg(n == rn && total == rtotal, "crash + stop + restart counted %lld records (sum %lld), the reference "
                  "%lld (sum %lld)", n, total, rn, rtotal);
    rt_app_resume_free(&r1);
    rt_app_resume_free(&r2);
    close_store(st);
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

START_TEST(test_pumps_reordered) {
    const char *const pre[] = {"p1", "p2", "ref"};
    store *st = open_store(pre, 3, T_OUTS, 2);
    put_range(st, 0, 9000);   /* the 1 s window opens at 9000, the 2 s one at 8000 */
    g_fmt = APP_A;
    crash c1 = {.outs = T_OUTS, .n_outs = 2, .min_records = 9000, .max_records = UINT64_MAX};
    run_until_crash(st, "p1", NULL, &c1);
    rt_app_resume r1 = read_snap(&c1);
    put_range(st, 9000, 9100);
    g_fmt = APP_B;
    run_drain(st, "p2", &r1);
    run_drain(st, "ref", NULL);
    const crash *cr[] = {&c1, NULL};
    compare(st, pre, cr, 2, "ref", T_OUTS, 2);
    rt_app_resume_free(&r1);
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

START_TEST(test_distinct_alone) {
    g_fmt = APP_DISTINCT;
    const char *const pre[] = {"p1", "p2", "ref"};
    store *st = open_store(pre, 3, D_OUTS, 1);
    put_range(st, 0, 19500);   /* second 20 begins at record 19000 */
    crash c1 = {.outs = D_OUTS, .n_outs = 1, .min_records = 19500, .max_records = UINT64_MAX};
    run_until_crash(st, "p1", NULL, &c1);
    rt_app_resume r1 = read_snap(&c1);
    put_range(st, 19500, 20050);
    run_drain(st, "p2", &r1);
    run_drain(st, "ref", NULL);
    const crash *cr[] = {&c1, NULL};
    compare(st, pre, cr, 2, "ref", D_OUTS, 1);
    rt_app_resume_free(&r1);
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

static void put_one(store *st, const char *k, int v, int64_t at) {
    char data[64];
    snprintf(data, sizeof data, "{\"k\":\"%s\",\"v\":%d}", k, v);
    g_clock = at;
    store_put_entry e;
    memset(&e, 0, sizeof e);
    e.data = data;
    e.data_len = strlen(data);
    e.partition_key = k;
    e.partition_key_len = strlen(k);
    store_put_result res;
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(store_put_record(st, "in", &e, &res, &err) == 0 && res.code == 0, "put: %s", err.msg);
}

START_TEST(test_rows_window) {
    g_fmt = APP_ROWS;
    const char *const pre[] = {"p1", "p2", "ref"};
    store *st = open_store(pre, 3, R_OUTS, 1);
    for (int i = 0; i < 4; i++) put_one(st, "c", 1000 * (i + 1), 500 + i);
    put_range(st, 0, 5000);
    crash c1 = {.outs = R_OUTS, .n_outs = 1, .min_records = 5004, .max_records = UINT64_MAX};
    run_until_crash(st, "p1", NULL, &c1);
    rt_app_resume r1 = read_snap(&c1);
    put_range(st, 5000, 5050);
    put_one(st, "c", 5000, 1000 + 5050);
    run_drain(st, "p2", &r1);
    run_drain(st, "ref", NULL);
    const crash *cr[] = {&c1, NULL};
    compare(st, pre, cr, 2, "ref", R_OUTS, 1);
    rt_app_resume_free(&r1);
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
    crash c1 = {.outs = CHAIN_OUTS, .n_outs = 4, .min_records = N, .max_records = UINT64_MAX};
    run_until_crash(st, "p1", NULL, &c1);
    rt_app_resume r1 = read_snap(&c1);
    ck_assert_msg(r1.n_windows == 3, "the tumbling window and both table functions saved, not %zu", r1.n_windows);
    crash c2 = {.outs = CHAIN_OUTS, .n_outs = 4, .min_records = 1, .max_records = N / 2};
    run_until_crash(st, "p2", &r1, &c2);
    rt_app_resume r2 = read_snap(&c2);
    put_range(st, N, N + 2500);
    run_drain(st, "p3", &r2);
    run_drain(st, "ref", NULL);
    const crash *cr[] = {&c1, &c2, NULL};
    compare(st, pre, cr, 3, "ref", CHAIN_OUTS, 4);
    rt_app_resume_free(&r1);
    rt_app_resume_free(&r2);
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
