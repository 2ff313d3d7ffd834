/*
 * bench_latency.c — the end-to-end latency benchmark (`make bench`, or
 * build/bench/bench_latency): two targets of PERFORMANCE.md, measured in
 * this process with a real SQL application compiled by eddy_app_compile and
 * run LIVE by the runtime (rt_app_run on its own thread until a stop flag)
 * against an embedded store in a temporary directory:
 *
 *   put -> output, stateless  (target p99 <= 1 ms ack before fsync, <= 2 ms
 *       group commit) — a pump `SELECT STREAM id, due, v ... WHERE v >= 0`
 *       from stream lat_in to lat_out. An open-loop producer puts JSON
 *       records {"id":N,"due":NS,"v":N} at a constant rate: record i is due
 *       at start + i / rate (CLOCK_MONOTONIC ns, written into the record)
 *       whatever the store does, the records due are put in one
 *       store_put_records call (at most 500), and the producer sleeps until
 *       the next is due. A consumer subscribed to lat_out with the store's
 *       fan-out API takes, per output record, (when store_sub_read returned
 *       it) - due. So a stall anywhere (producer wake-up, put, the
 *       application's wake-up, decode, filter, encode, its put to lat_out,
 *       the consumer's wake-up) is charged to every record it delays: no
 *       coordinated omission. Run under fsync=interval (the default: a put
 *       is acknowledged before fsync) and fsync=always (group commit: a put
 *       returns after fdatasync). Under `always` a record is readable only
 *       once it is durable, so the path holds two fsyncs: the input put's
 *       before the application can read it, and the output put's before
 *       the consumer can.
 *       A third run (fsync=interval, "2 inputs") declares a second fan-out
 *       input first that no record is put to: pushes to any input must
 *       wake the application as quickly as pushes to the first.
 *
 *   window close -> output (target p99 <= 1 ms) — the same input, a
 *       tumbling COUNT(*) per 10 ms window (GROUP BY STEP(ROWTIME BY
 *       INTERVAL '0.01' SECOND)) to lat_wout. ROWTIME is the store's arrival
 *       time (epoch ms of CLOCK_REALTIME). With one input shard the window
 *       [S, E) closes when the first record with arrival >= E is read (the
 *       watermark is then that arrival). Sink records carry no ROWTIME, so
 *       the window start is an output column (W_START, "YYYY-MM-DD
 *       HH:MM:SS.mmm") and E = W_START + 10 ms. Two figures per window:
 *         close: (CLOCK_REALTIME when the consumer read the window's row) -
 *                (CLOCK_REALTIME just before the store_put_records call
 *                that put the first record with arrival >= E). That record
 *                is what moves the watermark past E, so this is the
 *                engine's close -> output latency plus the put itself. The
 *                record is found afterwards by reading lat_in back with a
 *                cursor (exact arrival times, no guessing from ms rounding).
 *         end:   (the same read time) - E. An upper bound: it also holds
 *                the wait for the first record stamped >= E (stamps are
 *                whole ms, so the wall clock passes E first; at 100 K rec/s
 *                that wait is the producer's put spacing, tens of us).
 *       Only windows closed by a record of the open-loop load are counted:
 *       the load's last window is closed by one extra record put at the
 *       next window boundary (so it is emitted and checked, not left to the
 *       stop), and that window and the extra record's own give no sample.
 *
 * One input shard, on purpose: the merge of several shards holds records
 * back until every shard's frontier passes them, and an idle shard stops
 * holding time back only after the idle timeout (rt_app_opts.idle_timeout_ms,
 * default 1 s); one shard makes the latency the engine's, not the idle
 * timeout's, so the default idle timeout is kept. The input is read with the
 * enhanced fan-out reader (reader = 'fanout') so the application is woken by
 * the store's pushes rather than by the classic reader's 200 ms poll. Its
 * start is 'trim_horizon': the streams are created empty just before the
 * application, so nothing is skipped and no record races a LATEST position.
 *
 * Checked: phase 1 every record put comes out exactly once; phase 2 the
 * windows read back are exactly the 10 ms buckets of the input's arrival
 * times, with the right counts; the application read every record, sent
 * nothing to error_stream and dropped nothing as late.
 *
 * Rate: BENCH_RATE records/s (default 100000). PERFORMANCE.md asks for half
 * of max load; the q0 passthrough's max on the 2-core reference machine is
 * ~1.9 M rec/cpu-s (docs/benchmarks.md), so the default is well below half
 * of it — set BENCH_RATE to probe higher loads. Env: BENCH_RATE,
 * BENCH_SECONDS (per run, default 3). The first 0.5 s of each run (less for
 * runs under 1 s: half the run) is warm-up and not counted. Records are
 * ~45 B, below PERFORMANCE.md's 100-170 B; at these rates size is not what
 * latency depends on. The load generator shares the machine: at 100 K rec/s
 * its wake-ups (one clock_nanosleep per due time, as in bench_store) cost
 * most of a core on the 2-core VM, so the application and the consumer run
 * on what is left, and the tails move with the machine's other load.
 */
#include "bench_hist.h"
#include "bench_stats.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "eddy.h"
#include "eddy_time.h"
#include "store.h"

#define PUT_BATCH 500
#define WINDOW_MS 10
#define DRAIN_TIMEOUT_NS (10 * 1000000000ull)

#define IN_DDL                                                                                   \
    "CREATE STREAM \"IN_S\" (id BIGINT, due BIGINT, v BIGINT)\n"                                 \
    "  WITH (source = 'lat_in', format = 'json', reader = 'fanout', start = 'trim_horizon');\n"

static const char sql_stateless[] =
    IN_DDL "CREATE STREAM \"OUT_S\" (id BIGINT, due BIGINT, v BIGINT) WITH (sink = 'lat_out');\n"
           "CREATE PUMP \"P\" AS INSERT INTO \"OUT_S\" SELECT STREAM id, due, v FROM \"IN_S\" WHERE v >= 0;\n";

/* The same pump, with a second fan-out input that no record is put to,
 * declared first: a push to any input must wake the application, not only
 * a push to the first one (which once left the others waiting for a 50 ms
 * timeout). */
static const char sql_two_inputs[] =
    "CREATE STREAM \"QUIET\" (id BIGINT)\n"
    "  WITH (source = 'lat_quiet', format = 'json', reader = 'fanout', start = 'trim_horizon');\n" IN_DDL
    "CREATE STREAM \"OUT_S\" (id BIGINT, due BIGINT, v BIGINT) WITH (sink = 'lat_out');\n"
    "CREATE PUMP \"P\" AS INSERT INTO \"OUT_S\" SELECT STREAM id, due, v FROM \"IN_S\" WHERE v >= 0;\n";

static const char sql_window[] =
    IN_DDL "CREATE STREAM \"OUT_W\" (w_start TIMESTAMP, n BIGINT) WITH (sink = 'lat_wout');\n"
           "CREATE PUMP \"PW\" AS INSERT INTO \"OUT_W\"\n"
           "  SELECT STREAM STEP(\"IN_S\".ROWTIME BY INTERVAL '0.01' SECOND), COUNT(*) FROM \"IN_S\"\n"
           "  GROUP BY STEP(\"IN_S\".ROWTIME BY INTERVAL '0.01' SECOND);\n";

static long rate = 100000;
static double seconds = 3.0, warm_s = 0.5;
static char work_dir[PATH_MAX];

/* Stores are not closed here: die() may run on any thread while others
 * still use the store, and the process is about to exit anyway. */
static void cleanup(void) {
    if (work_dir[0]) bench_rm_rf(work_dir);
    work_dir[0] = 0;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_latency: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    cleanup();
    exit(1);
}

static uint64_t rt_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *policy_name(store_fsync_policy p) {
    return p == STORE_FSYNC_ALWAYS ? "always" : p == STORE_FSYNC_NEVER ? "never" : "interval";
}

/* The unsigned integer after `key` in a record that is not NUL-terminated;
 * -1 when the key is missing. */
static long long field_num(const char *data, size_t len, const char *key) {
    size_t kl = strlen(key);
    const char *p = memmem(data, len, key, kl);
    if (!p) return -1;
    const char *end = data + len;
    p += kl;
    long long v = 0;
    if (p >= end || *p < '0' || *p > '9') return -1;
    while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    return v;
}

/* ------------------------------------------------------------ one run */

typedef struct window_row {
    int64_t start_ms;          /* W_START */
    long long n;               /* COUNT(*) */
    uint64_t read_rt;          /* CLOCK_REALTIME ns when the consumer read it */
} window_row;

typedef struct run {
    store_fsync_policy pol;
    int windowed;              /* phase 2 */
    char dir[PATH_MAX + 32];
    store *st;
    eddy_app_spec *spec;
    rt_app *app;
    FILE *devnull;
    pthread_t app_th;
    volatile sig_atomic_t stop;
    atomic_int app_done;
    int app_rc;
    eddy_err app_err;
    /* producer */
    long n;                    /* records of the open-loop load */
    uint64_t start;            /* CLOCK_MONOTONIC ns when record 0 is due */
    uint64_t *put_rt;          /* per record: CLOCK_REALTIME ns before its put call */
    /* consumer */
    store_sub *sub;
    pthread_t cons_th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned long notified;
    atomic_int quit;
    int cons_joined;
    atomic_long received;      /* phase 1: records; phase 2: sum of the window counts */
    unsigned char *seen;       /* phase 1: per id */
    hist *h;                   /* phase 1 */
    window_row *wins;          /* phase 2, in read order */
    size_t n_wins, cap_wins;
} run;

static void on_notify(void *ctx, int ended) {
    run *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->notified++;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void take_record(run *r, const store_record *rec, uint64_t mono, uint64_t real) {
    const char *d = rec->data;
    if (!r->windowed) {
        long long id = field_num(d, rec->data_len, "\"ID\":"), due = field_num(d, rec->data_len, "\"DUE\":");
        if (id < 0 || id >= r->n || due < 0) die("unexpected output record: %.*s", (int)rec->data_len, d);
        if (r->seen[id]++) die("record %lld came out twice", id);
        if ((uint64_t)due >= r->start + (uint64_t)(warm_s * 1e9)) h_add(r->h, mono > (uint64_t)due ? mono - (uint64_t)due : 0);
        atomic_fetch_add(&r->received, 1);
        return;
    }
    const char *ws = memmem(d, rec->data_len, "\"W_START\":\"", 11);
    long long n = field_num(d, rec->data_len, "\"N\":");
    int64_t s_ms;
    if (!ws || n <= 0 || (size_t)(ws + 11 + 23 - d) > rec->data_len || eddy_ts_parse(ws + 11, 23, &s_ms) != 0)
        die("unexpected window record: %.*s", (int)rec->data_len, d);
    if (r->n_wins == r->cap_wins) {
        r->cap_wins = r->cap_wins ? r->cap_wins * 2 : 1024;
        r->wins = realloc(r->wins, r->cap_wins * sizeof *r->wins);
        if (!r->wins) die("out of memory");
    }
    r->wins[r->n_wins++] = (window_row){s_ms, n, real};
    atomic_fetch_add(&r->received, n);
}

/* Reads lat_out as pushes arrive (and every 10 ms regardless, in case a
 * notify fell between a read and the wait), until told to quit. */
static void *consumer(void *arg) {
    run *r = arg;
    store_batch b;
    store_batch_init(&b);
    eddy_err e;
    unsigned long handled = 0;   /* notifies already answered by a read */
    for (;;) {
        int quit = atomic_load(&r->quit);
        pthread_mutex_lock(&r->mu);
        while (r->notified == handled && !quit) {
            struct timespec ts = eddy_deadline_ms(CLOCK_REALTIME, 10);
            if (pthread_cond_timedwait(&r->cv, &r->mu, &ts) == ETIMEDOUT) break;
        }
        handled = r->notified;
        pthread_mutex_unlock(&r->mu);
        for (;;) {
            if (store_sub_read(r->sub, 0, &b, &e) != 0) die("store_sub_read: %s", e.msg);
            uint64_t mono = eddy_mono_ns(), real = rt_ns();
            for (size_t i = 0; i < b.n_records; i++) take_record(r, &b.records[i], mono, real);
            if (b.n_records == 0) break;
        }
        if (quit) break;
    }
    store_batch_free(&b);
    return NULL;
}

static void *app_thread(void *arg) {
    run *r = arg;
    r->app_rc = rt_app_run(r->app, &r->stop, &r->app_err);
    atomic_store(&r->app_done, 1);
    return NULL;
}

enum { APP_STATELESS, APP_WINDOW, APP_TWO_INPUTS };

static void run_open(run *r, store_fsync_policy pol, int kind, int idx) {
    int windowed = kind == APP_WINDOW;
    memset(r, 0, sizeof *r);
    r->pol = pol;
    r->windowed = windowed;
    r->n = (long)((double)rate * seconds);
    if (r->n < 1) r->n = 1;
    snprintf(r->dir, sizeof r->dir, "%s/run-%d", work_dir, idx);
    eddy_err err;
    eddy_err_clear(&err);
    store_opts so;
    store_opts_init(&so);
    so.data_dir = r->dir;
    so.fsync = pol;
    if (store_open(&so, &r->st, &err) != 0) die("store_open: %s", err.msg);
    const char *out = windowed ? "lat_wout" : "lat_out";
    if (store_stream_create(r->st, "lat_in", 1, &err) != 0 || store_stream_create(r->st, out, 1, &err) != 0 ||
        (kind == APP_TWO_INPUTS && store_stream_create(r->st, "lat_quiet", 1, &err) != 0))
        die("create streams: %s", err.msg);

    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->put_rt = calloc((size_t)r->n + 1, sizeof *r->put_rt);
    r->seen = calloc((size_t)r->n + 1, 1);
    r->h = calloc(1, sizeof *r->h);
    if (!r->put_rt || !r->seen || !r->h) die("out of memory");
    store_consumer_desc cd;
    store_position pos = {.type = STORE_TRIM_HORIZON};
    if (store_consumer_register(r->st, out, "bench", &cd, &err) != 0 ||
        store_subscribe(r->st, cd.arn, "shardId-000000000000", &pos, on_notify, r, &r->sub, &err) != 0)
        die("subscribe to %s: %s", out, err.msg);

    const char *sql = windowed ? sql_window : kind == APP_TWO_INPUTS ? sql_two_inputs : sql_stateless;
    if (eddy_app_compile(sql, strlen(sql), "lat", &r->spec, &err) != 0) {
        char *msg = eddy_err_string(&err, r->spec);
        die("the application does not compile:\n%s", msg ? msg : err.msg);
    }
    rt_app_opts ao;
    rt_app_opts_init(&ao);
    ao.store = r->st;
    ao.name = "lat";
    r->devnull = fopen("/dev/null", "w");
    if (!r->devnull) die("/dev/null: %s", strerror(errno));
    ao.out = r->devnull;
    ao.err_out = stderr;
    if (rt_app_new(&ao, r->spec->cat, r->spec->pumps, r->spec->n_pumps, &r->app, &err) != 0) {
        char *msg = eddy_err_string(&err, r->spec);
        die("rt_app_new: %s", msg ? msg : err.msg);
    }
    /* Record 0 is due 100 ms from now: time for both threads to start and
     * the application to subscribe before the load begins. */
    r->start = eddy_mono_ns() + 100000000ull;
    if (pthread_create(&r->cons_th, NULL, consumer, r) != 0 || pthread_create(&r->app_th, NULL, app_thread, r) != 0)
        die("pthread_create failed");
}

static void put_one_batch(run *r, store_put_entry *ents, size_t m, long first) {
    store_put_result res[PUT_BATCH];
    size_t failed = 0;
    eddy_err err;
    eddy_err_clear(&err);
    uint64_t t = rt_ns();
    if (store_put_records(r->st, "lat_in", ents, m, res, &failed, &err) != 0) die("put: %s", err.msg);
    if (failed) die("put: %zu records failed: %s", failed, res[0].message);
    for (size_t i = 0; i < m; i++) r->put_rt[first + (long)i] = t;
}

static uint64_t due_of(const run *r, long i) { return r->start + (uint64_t)i * 1000000000ull / (uint64_t)rate; }

/* The open-loop load: records 0..n-1, each put once it is due. */
static void produce(run *r) {
    static char bufs[PUT_BATCH][96];
    store_put_entry ents[PUT_BATCH];
    memset(ents, 0, sizeof ents);
    long sent = 0;
    while (sent < r->n) {
        if (atomic_load(&r->app_done)) die("the application stopped early: %s", r->app_err.msg);
        uint64_t now = eddy_mono_ns();
        size_t m = 0;
        while (sent + (long)m < r->n && m < PUT_BATCH && due_of(r, sent + (long)m) <= now) m++;
        if (m == 0) {
            /* Sleep until the next record is due rather than spin: on two
             * cores a spinning producer starves the application and the
             * consumer. Any oversleep is charged to the records it delays. */
            uint64_t next = due_of(r, sent);
            struct timespec ts = {(time_t)(next / 1000000000ull), (long)(next % 1000000000ull)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
            continue;
        }
        for (size_t i = 0; i < m; i++) {
            long id = sent + (long)i;
            int len = snprintf(bufs[i], sizeof bufs[i], "{\"id\":%ld,\"due\":%llu,\"v\":%ld}", id,
                               (unsigned long long)due_of(r, id), id);
            ents[i].data = bufs[i];
            ents[i].data_len = (size_t)len;
            ents[i].partition_key = "k";
            ents[i].partition_key_len = 1;
        }
        put_one_batch(r, ents, m, sent);
        sent += (long)m;
    }
}

/* Waits until the consumer has `want` (records, or counted rows); dies
 * after DRAIN_TIMEOUT_NS. */
static void wait_received(run *r, long want, const char *what) {
    uint64_t deadline = eddy_mono_ns() + DRAIN_TIMEOUT_NS;
    while (atomic_load(&r->received) < want) {
        if (atomic_load(&r->app_done) && r->app_rc != 0) die("rt_app_run: %s", r->app_err.msg);
        if (eddy_mono_ns() > deadline)
            die("%s: %ld of %ld came out within 10 s", what, atomic_load(&r->received), want);
        usleep(1000);
    }
}

static void stop_app(run *r, long expect_in) {
    r->stop = 1;
    pthread_join(r->app_th, NULL);
    if (r->app_rc != 0) die("rt_app_run: %s", r->app_err.msg);
    rt_app_stats s;
    rt_app_get_stats(r->app, &s);
    if ((long)s.records_in != expect_in)
        die("the application read %llu records of %ld", (unsigned long long)s.records_in, expect_in);
    if (s.errors || s.late_rows)
        die("%llu rows went to error_stream (%llu late)", (unsigned long long)s.errors,
            (unsigned long long)s.late_rows);
}

static void stop_consumer(run *r) {
    if (r->cons_joined) return;
    atomic_store(&r->quit, 1);
    pthread_mutex_lock(&r->mu);
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->cons_th, NULL);
    r->cons_joined = 1;
}

static void run_close(run *r) {
    stop_consumer(r);
    store_sub_close(r->sub);
    rt_app_free(r->app);
    eddy_app_free(r->spec);
    fclose(r->devnull);
    store_close(r->st);
    bench_rm_rf(r->dir);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r->put_rt);
    free(r->seen);
    free(r->h);
    free(r->wins);
}

static void print_hist(const char *label, const run *r, const char *what, const hist *h, double target_us,
                       const char *note) {
    double p99 = (double)h_pct(h, 99) / 1e3;
    printf("latency %-30s fsync=%-8s %ld rec/s open loop, %s: p50 %.1f us  p99 %.1f us  p99.9 %.1f us  "
           "max %.1f us | %starget p99 %.0f us (%.2fx)\n",
           label, policy_name(r->pol), rate, what, (double)h_pct(h, 50) / 1e3, p99, (double)h_pct(h, 99.9) / 1e3,
           (double)h->max / 1e3, note, target_us, p99 / target_us);
    fflush(stdout);
}

/* ------------------------------------------------------------ phase 1 */

static void phase_stateless(store_fsync_policy pol, int kind, int idx) {
    run *r = calloc(1, sizeof *r);
    if (!r) die("out of memory");
    run_open(r, pol, kind, idx);
    produce(r);
    wait_received(r, r->n, "put->output");
    stop_app(r, r->n);
    for (long i = 0; i < r->n; i++)
        if (!r->seen[i]) die("record %ld never came out", i);
    char what[96];
    snprintf(what, sizeof what, "%ld records (%llu counted)", r->n, (unsigned long long)r->h->total);
    if (r->h->total == 0) die("no sample after the warm-up");
    print_hist(kind == APP_TWO_INPUTS ? "put->output 2 inputs" : "put->output stateless", r, what, r->h,
               pol == STORE_FSYNC_ALWAYS ? 2000.0 : 1000.0, "");
    run_close(r);
    free(r);
}

/* ------------------------------------------------------------ phase 2 */

/* Arrival time of every input record (by id), read back from lat_in. */
static int64_t *read_arrivals(run *r, long n) {
    int64_t *arr = malloc((size_t)n * sizeof *arr);
    if (!arr) die("out of memory");
    eddy_err err;
    eddy_err_clear(&err);
    store_position pos = {.type = STORE_TRIM_HORIZON};
    store_cursor *cur = NULL;
    if (store_cursor_open(r->st, "lat_in", "shardId-000000000000", &pos, &cur, &err) != 0)
        die("cursor: %s", err.msg);
    store_batch b;
    store_batch_init(&b);
    long got = 0;
    for (;;) {
        if (store_cursor_read(cur, 0, &b, &err) != 0) die("cursor read: %s", err.msg);
        if (b.n_records == 0) break;
        for (size_t i = 0; i < b.n_records; i++, got++) {
            long long id = field_num(b.records[i].data, b.records[i].data_len, "\"id\":");
            if (id != got || got >= n) die("lat_in: record %ld has id %lld", got, id);
            arr[got] = b.records[i].arrival_ms;
        }
    }
    store_batch_free(&b);
    store_cursor_close(cur);
    if (got != n) die("lat_in holds %ld records of %ld", got, n);
    return arr;
}

static void phase_window(int idx) {
    run *r = calloc(1, sizeof *r);
    if (!r) die("out of memory");
    run_open(r, STORE_FSYNC_INTERVAL, APP_WINDOW, idx);
    produce(r);
    /* One more record, stamped in a later window than every record of the
     * load (the store stamps whole ms of the same CLOCK_REALTIME), so that
     * the load's last window is closed by a record rather than by the stop
     * and checked like the others. It is not part of the open-loop load, so
     * the window it closes gives no sample. */
    uint64_t t = rt_ns();
    uint64_t next = ((t / 1000000ull) / WINDOW_MS + 1) * WINDOW_MS * 1000000ull;
    struct timespec ts = {(time_t)(next / 1000000000ull), (long)(next % 1000000000ull)};
    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
    char last[96];
    int len = snprintf(last, sizeof last, "{\"id\":%ld,\"due\":0,\"v\":%ld}", r->n, r->n);
    store_put_entry e = {.data = last, .data_len = (size_t)len, .partition_key = "k", .partition_key_len = 1};
    put_one_batch(r, &e, 1, r->n);
    long total = r->n + 1;
    wait_received(r, r->n, "window-close->output");
    stop_app(r, total);   /* closes the extra record's window */
    wait_received(r, total, "window-close->output (final window)");
    stop_consumer(r);

    /* The windows read must be exactly the non-empty 10 ms buckets of the
     * input's arrival times, with their counts; window k is closed by the
     * first record of window k + 1, whose put time is known. */
    int64_t *arr = read_arrivals(r, total);
    hist *close_h = calloc(1, sizeof *close_h), *end_h = calloc(1, sizeof *end_h);
    if (!close_h || !end_h) die("out of memory");
    uint64_t warm_until = r->put_rt[0] + (uint64_t)(warm_s * 1e9);
    size_t k = 0;
    for (long i = 0; i < total; k++) {
        int64_t s = eddy_floor_div(arr[i], WINDOW_MS) * WINDOW_MS;
        long j = i;
        while (j < total && arr[j] < s + WINDOW_MS) j++;
        if (k >= r->n_wins) die("window %lld..%lld (%ld records) never came out", (long long)s,
                                (long long)(s + WINDOW_MS), j - i);
        const window_row *w = &r->wins[k];
        if (w->start_ms != s || w->n != j - i)
            die("window %zu: start %lld count %lld, expected start %lld count %ld", k, (long long)w->start_ms,
                w->n, (long long)s, j - i);
        if (j < r->n && r->put_rt[j] >= warm_until) {
            uint64_t end_ns = (uint64_t)(s + WINDOW_MS) * 1000000ull;
            h_add(close_h, w->read_rt > r->put_rt[j] ? w->read_rt - r->put_rt[j] : 0);
            h_add(end_h, w->read_rt > end_ns ? w->read_rt - end_ns : 0);
        }
        i = j;
    }
    if (k != r->n_wins) die("%zu windows came out, the input has %zu", r->n_wins, k);
    if (close_h->total == 0) die("no window closed after the warm-up");
    char what[96];
    snprintf(what, sizeof what, "%d ms windows, %llu windows", WINDOW_MS, (unsigned long long)close_h->total);
    print_hist("window-close->output", r, what, close_h, 1000.0, "from the put of the closing record | ");
    print_hist("window-end->output", r, what, end_h, 1000.0, "from the wall-clock window end (upper bound) | ");
    free(arr);
    free(close_h);
    free(end_h);
    run_close(r);
    free(r);
}

/* ------------------------------------------------------------ main */

static void machine_line(void) {
    char model[256];
    bench_cpu_model(model, sizeof model);
    printf("bench_latency: machine: %ld cores online, %s\n", sysconf(_SC_NPROCESSORS_ONLN), model);
}

int main(void) {
    const char *v;
    if ((v = getenv("BENCH_RATE")) && *v) rate = atol(v);
    if ((v = getenv("BENCH_SECONDS")) && *v) seconds = atof(v);
    if (rate < 1 || rate > 10000000) die("BENCH_RATE must be 1..10000000");
    if (!(seconds > 0 && seconds <= 3600)) die("BENCH_SECONDS must be > 0 and <= 3600");
    if (seconds < 1) warm_s = seconds / 2;
    /* The runtime logs at info per application; the figures are the output. */
    if (!getenv("EDDY_LOG")) setenv("EDDY_LOG", "warn", 1);
    /* The default 50 us timer slack would show in every figure: threads
     * inherit this, so it is set before any is created. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

    machine_line();
    printf("bench_latency: %ld rec/s for %.1f s per run, ~%zu B JSON records, 1 input shard, fan-out reader, "
           "live application; the first %.2f s of each run is warm-up and not counted\n",
           rate, seconds, strlen("{\"id\":100000,\"due\":1000000000000,\"v\":100000}"), warm_s);
    fflush(stdout);

    snprintf(work_dir, sizeof work_dir, "/tmp/eddy-bench-latency-XXXXXX");
    if (!mkdtemp(work_dir)) die("mkdtemp: %s", strerror(errno));
    phase_stateless(STORE_FSYNC_INTERVAL, APP_STATELESS, 0);
    phase_stateless(STORE_FSYNC_ALWAYS, APP_STATELESS, 1);
    phase_stateless(STORE_FSYNC_INTERVAL, APP_TWO_INPUTS, 3);
    phase_window(2);
    cleanup();
    return 0;
}
