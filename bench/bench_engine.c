/*
 * bench_engine.c — the engine benchmark (`make bench`, or
 * build/bench/bench_engine): real SQL applications, compiled with
 * eddy_app_compile and run by the runtime (rt_app_run, drain mode, from
 * TRIM_HORIZON) over a store pre-loaded with Nexmark-shaped JSON bids,
 * writing their rows to an output stream in the same store:
 *   q0  passthrough           SELECT STREAM *
 *   q1  project               auction, bidder, 0.908 * price, dateTime
 *   q2  selective filter      WHERE MOD(auction, 123) = 0   (~0.8 % kept)
 *   tumble                    COUNT(*), MAX(price) per auction (10 K keys)
 *                             and 10-second STEP window
 *   slide                     the KDA per-row sliding window: AVG/MIN/MAX
 *                             OVER (PARTITION BY auction RANGE 1 MINUTE)
 *   copy                      no SQL: the records read and put unchanged
 *                             into the output stream, the floor under q0
 * plus the heap per open tumbling group (a differential measure: two
 * one-window runs with 10 K and ~600 K groups), and DuckDB (npm
 * @duckdb/node-api, bench/peers/duckdb_tumble.mjs) computing the same
 * tumbling aggregate over the same records as the batch ceiling, with
 * eddy/DuckDB ratios.
 *
 * Rates are input records per CPU-second of this process (every thread:
 * the store's background threads count) and per wall-clock second; the
 * first pass of each query is reported as "cold", the median of the
 * following BENCH_RUNS passes as steady. Every run is checked: all records
 * read, the expected number of rows out, and for the tumbling query the
 * sum of counts and of maxima read back from the output stream.
 *
 * Env: BENCH_RECORDS (default 1,000,000 bids), BENCH_RUNS (steady runs,
 * default 3), BENCH_SHARDS (input shards, default 1), BENCH_NO_PEERS=1
 * (skip DuckDB), BENCH_PEERS_DIR (where npm installs @duckdb/node-api;
 * default BUILD/bench-peers), BENCH_ONLY=q0|q1|q2|tumble|slide|memory (one
 * figure, for profiling; copy = the store-to-store floor), BENCH_POLL_MS (the classic reader's poll interval;
 * default the runtime's).
 */
#include "bench_stats.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "eddy.h"
#include "eddy_time.h"
#include "nexmark.h"
#include "store.h"

#define PUT_BATCH 500
#define N_KEYS 10000
#define EVENTS_PER_SEC 10000.0
#define MAX_RUNS 9
#define TUMBLE_MS 10000

static size_t n_records = 1000000;
static int n_runs = 3;
static int n_shards = 1;
static int poll_ms;
static char work_dir[PATH_MAX];   /* mkdtemp'd: the store and the JSON file */
static char exe_dir[PATH_MAX];
static store *st;

static void cleanup(void) {
    if (st) store_close(st);
    st = NULL;
    if (work_dir[0]) bench_rm_rf(work_dir);
    work_dir[0] = 0;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_engine: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    cleanup();
    exit(1);
}

static double now_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ the input */

/* What the runs must produce, computed while generating the input. */
typedef struct expect {
    uint64_t q2_rows;          /* bids with MOD(auction, 123) = 0 */
    uint64_t tumble_groups;    /* distinct (auction, 10 s window) */
    long long tumble_sum_max;  /* sum over groups of MAX(price) */
    double avg_bytes;
} expect;

static expect ex;
static int64_t first_ms;

/* Event times: the previous full hour (so that a 1-hour window holds the
 * whole input for the memory figure, and the store's retention keeps it). */
static void pick_first_ms(void) {
    int64_t now = eddy_now_ms();
    first_ms = now / 3600000 * 3600000 - 3600000;
    double span_ms = (double)n_records * 50.0 / 46.0 * 1000.0 / EVENTS_PER_SEC;
    if (span_ms >= 3600000.0) die("BENCH_RECORDS too large: the input must span less than an hour");
}

/* Generates the bids, puts them into stream "bids" in 500-record batches
 * (partition key = auction, arrival time = the bid's dateTime) and, when
 * json_path is set, writes them as JSON lines for the peer. */
static void load_input(const char *json_path) {
    eddy_err err;
    eddy_err_clear(&err);
    if (store_stream_create(st, "bids", n_shards, &err) != 0) die("create bids: %s", err.msg);
    FILE *jf = NULL;
    if (json_path && !(jf = fopen(json_path, "w"))) die("%s: %s", json_path, strerror(errno));
    nexmark_gen g;
    nexmark_init(&g, 42, first_ms, EVENTS_PER_SEC);
    g.n_auction_keys = N_KEYS;

    char *buf = malloc((size_t)PUT_BATCH * 256);
    char keys[PUT_BATCH][24];
    store_put_entry ent[PUT_BATCH];
    store_put_result res[PUT_BATCH];
    int64_t *win = malloc(N_KEYS * sizeof *win);
    int64_t *mx = malloc(N_KEYS * sizeof *mx);
    if (!buf || !win || !mx) die("out of memory");
    for (int k = 0; k < N_KEYS; k++) win[k] = -1;
    uint64_t bytes = 0;
    double w0 = now_wall(), c0 = bench_cpu_seconds();
    for (size_t done = 0; done < n_records;) {
        size_t n = n_records - done < PUT_BATCH ? n_records - done : PUT_BATCH, off = 0;
        for (size_t i = 0; i < n; i++) {
            nexmark_bid b;
            nexmark_next_bid(&g, &b);
            int len = nexmark_bid_json(&b, buf + off, 256);
            memset(&ent[i], 0, sizeof ent[i]);
            ent[i].data = buf + off;
            ent[i].data_len = (size_t)len;
            ent[i].partition_key = keys[i];
            ent[i].partition_key_len = (size_t)snprintf(keys[i], sizeof keys[i], "%lld", (long long)b.auction);
            ent[i].arrival_ms = b.date_time;
            if (jf) {
                fwrite(buf + off, 1, (size_t)len, jf);
                fputc('\n', jf);
            }
            off += (size_t)len;
            bytes += (uint64_t)len;
            if (b.auction % 123 == 0) ex.q2_rows++;
            int k = (int)(b.auction - 1000);
            int64_t w = b.date_time / TUMBLE_MS;
            if (win[k] != w) {
                if (win[k] >= 0) ex.tumble_sum_max += mx[k];
                win[k] = w;
                mx[k] = b.price;
                ex.tumble_groups++;
            } else if (b.price > mx[k]) {
                mx[k] = b.price;
            }
        }
        size_t failed = 0;
        if (store_put_records(st, "bids", ent, n, res, &failed, &err) != 0) die("put: %s", err.msg);
        if (failed) die("put: %zu records failed: %s", failed, res[0].message);
        for (size_t i = 0; i < n; i++)
            if (res[i].arrival_adjusted) die("put: arrival time of record %zu was adjusted", done + i);
        done += n;
    }
    double wall = now_wall() - w0, cpu = bench_cpu_seconds() - c0;
    for (int k = 0; k < N_KEYS; k++)
        if (win[k] >= 0) ex.tumble_sum_max += mx[k];
    ex.avg_bytes = (double)bytes / (double)n_records;
    if (jf && fclose(jf) != 0) die("%s: %s", json_path, strerror(errno));
    free(buf);
    free(win);
    free(mx);
    printf("bench_engine: input: %zu bids, %.1f B average, %d shard%s, %d keys; "
           "generate+put %.2f M rec/s wall, %.2f M rec/cpu-s\n",
           n_records, ex.avg_bytes, n_shards, n_shards == 1 ? "" : "s", N_KEYS, (double)n_records / wall / 1e6,
           (double)n_records / cpu / 1e6);
}

/* ------------------------------------------------------------ applications */

/* Every application reads the whole bid record, as a KDA input schema
 * would declare it. */
#define INPUT_DDL                                                                                        \
    "CREATE STREAM \"BIDS\" (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR(16),\n"        \
    "    url VARCHAR(128), \"dateTime\" TIMESTAMP, extra VARCHAR(64))\n"                                 \
    "  WITH (source = 'bids', format = 'json', start = 'trim_horizon');\n"

typedef struct query {
    const char *key;       /* BENCH_ONLY name */
    const char *label;     /* summary line label */
    double target;         /* M events per CPU-second (PERFORMANCE.md), 0 = none */
    const char *sql;
} query;

static const query q_passthrough = {
    "q0", "q0 passthrough", 4.0,
    INPUT_DDL "CREATE STREAM \"OUT\" (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR(16),\n"
              "    url VARCHAR(128), \"dateTime\" TIMESTAMP, extra VARCHAR(64)) WITH (sink = 'out');\n"
              "CREATE PUMP \"P\" AS INSERT INTO \"OUT\" SELECT STREAM * FROM \"BIDS\";\n"};

static const query q_project = {
    "q1", "q1 project", 4.0,
    INPUT_DDL "CREATE STREAM \"OUT\" (auction BIGINT, bidder BIGINT, price DOUBLE, \"dateTime\" TIMESTAMP)\n"
              "  WITH (sink = 'out');\n"
              "CREATE PUMP \"P\" AS INSERT INTO \"OUT\"\n"
              "  SELECT STREAM auction, bidder, 0.908 * CAST(price AS DOUBLE), \"dateTime\" FROM \"BIDS\";\n"};

static const query q_filter = {
    "q2", "q2 filter", 8.0,
    INPUT_DDL "CREATE STREAM \"OUT\" (auction BIGINT, price BIGINT) WITH (sink = 'out');\n"
              "CREATE PUMP \"P\" AS INSERT INTO \"OUT\"\n"
              "  SELECT STREAM auction, price FROM \"BIDS\" WHERE MOD(auction, 123) = 0;\n"};

static const query q_tumble = {
    "tumble", "tumble count/max 10K keys", 2.0,
    INPUT_DDL "CREATE STREAM \"OUT\" (auction BIGINT, bids BIGINT, max_price BIGINT) WITH (sink = 'out');\n"
              "CREATE PUMP \"P\" AS INSERT INTO \"OUT\"\n"
              "  SELECT STREAM auction, COUNT(*), MAX(price) FROM \"BIDS\"\n"
              "  GROUP BY auction, STEP(\"BIDS\".ROWTIME BY INTERVAL '10' SECOND);\n"};

static const query q_slide = {
    "slide", "slide 1min avg/min/max", 1.5,
    INPUT_DDL "CREATE STREAM \"OUT\" (auction BIGINT, price BIGINT, avg_price BIGINT, min_price BIGINT,\n"
              "    max_price BIGINT) WITH (sink = 'out');\n"
              "CREATE PUMP \"P\" AS INSERT INTO \"OUT\"\n"
              "  SELECT STREAM auction, price, AVG(price) OVER w, MIN(price) OVER w, MAX(price) OVER w\n"
              "  FROM \"BIDS\"\n"
              "  WINDOW w AS (PARTITION BY auction RANGE INTERVAL '1' MINUTE PRECEDING);\n"};

/* One-window tumbling aggregates for the memory figure: every group stays
 * open until the drain closes the hour. The second keys on
 * auction * 100 + MOD(bidder, 100): still one BIGINT key, ~60 x the groups.
 * Their rows are printed to /dev/null, not written to an output stream,
 * so that the store's memory for the emitted rows does not count as
 * memory of the groups. */
static const char *const mem_sql[2] = {
    INPUT_DDL "CREATE STREAM \"OUT\" (k BIGINT, bids BIGINT, max_price BIGINT);\n"
              "CREATE PUMP \"P\" AS INSERT INTO \"OUT\"\n"
              "  SELECT STREAM auction, COUNT(*), MAX(price) FROM \"BIDS\"\n"
              "  GROUP BY auction, STEP(\"BIDS\".ROWTIME BY INTERVAL '1' HOUR);\n",
    INPUT_DDL "CREATE STREAM \"OUT\" (k BIGINT, bids BIGINT, max_price BIGINT);\n"
              "CREATE PUMP \"P\" AS INSERT INTO \"OUT\"\n"
              "  SELECT STREAM auction * 100 + MOD(bidder, 100), COUNT(*), MAX(price) FROM \"BIDS\"\n"
              "  GROUP BY auction * 100 + MOD(bidder, 100), STEP(\"BIDS\".ROWTIME BY INTERVAL '1' HOUR);\n"};

typedef struct run_result {
    double wall, cpu;
    rt_app_stats stats;
} run_result;

/* Heap in use (malloc'd chunks, mmapped ones included), sampled by a thread
 * during the memory runs; its peak is taken just before the windows close.
 * Under an allocator that keeps mallinfo2 at zero (ASan's), the resident
 * set size stands in, coarser but still differential. */
static atomic_int sampling;
static size_t heap_peak;
static int use_rss;   /* decided once in main, before any sampler runs */

static size_t mallinfo_bytes(void) {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static size_t heap_in_use(void) {
    if (!use_rss) return mallinfo_bytes();
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static void *sampler(void *arg) {
    while (atomic_load(&sampling)) {
        size_t h = heap_in_use();
        if (h > heap_peak) heap_peak = h;
        usleep(1000);
    }
    return NULL;
}

/* Compiles and runs one application over the whole input into a fresh
 * output stream "out". Only rt_app_run is timed. */
static void run_app(const char *sql, int sample_heap, run_result *r) {
    eddy_err err;
    eddy_err_clear(&err);
    eddy_app_spec *spec = NULL;
    if (eddy_app_compile(sql, strlen(sql), "bench", &spec, &err) != 0) {
        char *msg = eddy_err_string(&err, spec);
        fprintf(stderr, "%s\n", msg ? msg : err.msg);
        free(msg);
        eddy_app_free(spec);
        die("the application does not compile");
    }
    store_stream_delete(st, "out", 1, NULL);
    if (store_stream_create(st, "out", 1, &err) != 0) die("create out: %s", err.msg);

    rt_app_opts ao;
    rt_app_opts_init(&ao);
    ao.store = st;
    ao.name = "bench";
    ao.drain = 1;
    ao.start_override = PLAN_START_TRIM_HORIZON;
    ao.poll_interval_ms = poll_ms;
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull) die("/dev/null: %s", strerror(errno));
    ao.out = devnull;
    ao.err_out = stderr;
    rt_app *app = NULL;
    if (rt_app_new(&ao, spec->cat, spec->pumps, spec->n_pumps, &app, &err) != 0) {
        char *msg = eddy_err_string(&err, spec);
        fprintf(stderr, "%s\n", msg ? msg : err.msg);
        free(msg);
        die("rt_app_new failed");
    }
    pthread_t th;
    if (sample_heap) {
        heap_peak = heap_in_use();
        atomic_store(&sampling, 1);
        if (pthread_create(&th, NULL, sampler, NULL) != 0) die("pthread_create");
    }
    static volatile sig_atomic_t never;
    double w0 = now_wall(), c0 = bench_cpu_seconds();
    int rc = rt_app_run(app, &never, &err);
    r->wall = now_wall() - w0;
    r->cpu = bench_cpu_seconds() - c0;
    if (sample_heap) {
        atomic_store(&sampling, 0);
        pthread_join(th, NULL);
    }
    if (rc != 0) die("rt_app_run: %s", err.msg);
    rt_app_get_stats(app, &r->stats);
    rt_app_free(app);
    eddy_app_free(spec);
    fclose(devnull);
    if (r->stats.records_in != n_records)
        die("read %llu records of %zu", (unsigned long long)r->stats.records_in, n_records);
    if (r->stats.errors) die("%llu rows went to error_stream", (unsigned long long)r->stats.errors);
}

/* Reads the tumbling output back from "out" and checks the sum of BIDS
 * (must be every input record) and of MAX_PRICE against the generator's. */
static void check_tumble_output(void) {
    eddy_err err;
    eddy_err_clear(&err);
    store_position pos = {.type = STORE_TRIM_HORIZON};
    store_cursor *cur = NULL;
    if (store_cursor_open(st, "out", "shardId-000000000000", &pos, &cur, &err) != 0) die("cursor: %s", err.msg);
    store_batch b;
    store_batch_init(&b);
    unsigned long long rows = 0, sum_count = 0;
    long long sum_max = 0;
    for (;;) {
        if (store_cursor_read(cur, 0, &b, &err) != 0) die("cursor read: %s", err.msg);
        if (b.n_records == 0) break;
        for (size_t i = 0; i < b.n_records; i++) {
            char rec[256];
            size_t n = b.records[i].data_len < sizeof rec - 1 ? b.records[i].data_len : sizeof rec - 1;
            memcpy(rec, b.records[i].data, n);
            rec[n] = 0;
            const char *c = strstr(rec, "\"BIDS\":"), *m = strstr(rec, "\"MAX_PRICE\":");
            if (!c || !m) die("unexpected tumbling output record: %s", rec);
            sum_count += strtoull(c + 7, NULL, 10);
            sum_max += strtoll(m + 12, NULL, 10);
            rows++;
        }
    }
    store_batch_free(&b);
    store_cursor_close(cur);
    if (rows != ex.tumble_groups || sum_count != n_records || sum_max != ex.tumble_sum_max)
        die("tumbling output is wrong: %llu groups, sum(count) %llu, sum(max) %lld; expected %llu, %zu, %lld", rows,
            sum_count, sum_max, (unsigned long long)ex.tumble_groups, n_records, ex.tumble_sum_max);
}

typedef struct figure {
    double cold_wall, cold_cpu;   /* records/s of the first pass */
    double wall, cpu;             /* medians of the steady passes */
} figure;

static figure fig_tumble;

static figure measure(const query *q, uint64_t expect_rows) {
    double wall[MAX_RUNS], cpu[MAX_RUNS];
    figure f = {0};
    for (int r = 0; r <= n_runs; r++) {
        run_result rr;
        run_app(q->sql, 0, &rr);
        if (rr.stats.rows_out != expect_rows)
            die("%s: %llu rows out, expected %llu", q->key, (unsigned long long)rr.stats.rows_out,
                (unsigned long long)expect_rows);
        double w = (double)n_records / rr.wall, c = (double)n_records / rr.cpu;
        if (r == 0) {
            f.cold_wall = w;
            f.cold_cpu = c;
        } else {
            wall[r - 1] = w;
            cpu[r - 1] = c;
        }
    }
    f.wall = bench_median(wall, n_runs);
    f.cpu = bench_median(cpu, n_runs);
    printf("engine %-26s %7.2f M rec/cpu-s  %7.2f M rec/s wall | cold %6.2f M rec/cpu-s %6.2f M rec/s wall | "
           "target %.1f M/cpu-s (%.2fx) | %llu rows out\n",
           q->label, f.cpu / 1e6, f.wall / 1e6, f.cold_cpu / 1e6, f.cold_wall / 1e6, q->target,
           f.cpu / 1e6 / q->target, (unsigned long long)expect_rows);
    fflush(stdout);
    return f;
}

/* The store-to-store floor under q0: the same input read with a cursor
 * and put unchanged into a fresh "out" in batches of 500 with the sink's
 * cycling explicit hash keys, no SQL, no decode, no encode. q0 can never
 * beat it; q0/copy says how much of q0's time is the engine's. */
static void measure_copy(double q0_cpu) {
    static const char *const ehk[4] = {"42535295865117307932921825928971026431",
                                       "127605887595351923798765477786913079295",
                                       "212676479325586539664609129644855132159",
                                       "297747071055821155530452781502797185023"};
    double wall[MAX_RUNS], cpu[MAX_RUNS], cold_w = 0, cold_c = 0;
    eddy_err err;
    eddy_err_clear(&err);
    store_put_entry *ent = calloc(STORE_BATCH_RECORDS_MAX, sizeof *ent);
    store_put_result *res = calloc(STORE_BATCH_RECORDS_MAX, sizeof *res);
    if (!ent || !res) die("out of memory");
    for (int r = 0; r <= n_runs; r++) {
        store_stream_delete(st, "out", 1, NULL);
        if (store_stream_create(st, "out", 1, &err) != 0) die("create out: %s", err.msg);
        size_t copied = 0, k = 0;
        double w0 = now_wall(), c0 = bench_cpu_seconds();
        for (int s = 0; s < n_shards; s++) {
            char shard[STORE_SHARD_ID_MAX];
            snprintf(shard, sizeof shard, "shardId-%012d", s);
            store_position pos = {.type = STORE_TRIM_HORIZON};
            store_cursor *cur = NULL;
            if (store_cursor_open(st, "bids", shard, &pos, &cur, &err) != 0) die("cursor: %s", err.msg);
            store_batch b;
            store_batch_init(&b);
            for (;;) {
                if (store_cursor_read(cur, STORE_BATCH_RECORDS_MAX, &b, &err) != 0) die("cursor read: %s", err.msg);
                if (b.n_records == 0) break;
                for (size_t i = 0; i < b.n_records; i++) {
                    ent[i] = (store_put_entry){.data = b.records[i].data,
                                               .data_len = b.records[i].data_len,
                                               .partition_key = "eddy",
                                               .partition_key_len = 4,
                                               .explicit_hash_key = ehk[k++ % 4]};
                }
                size_t failed = 0;
                if (store_put_records(st, "out", ent, b.n_records, res, &failed, &err) != 0) die("put: %s", err.msg);
                if (failed) die("copy: %zu records failed: %s", failed, res[0].message);
                copied += b.n_records;
            }
            store_batch_free(&b);
            store_cursor_close(cur);
        }
        double w = (double)n_records / (now_wall() - w0), c = (double)n_records / (bench_cpu_seconds() - c0);
        if (copied != n_records) die("copy: %zu records of %zu", copied, n_records);
        if (r == 0) {
            cold_w = w;
            cold_c = c;
        } else {
            wall[r - 1] = w;
            cpu[r - 1] = c;
        }
    }
    free(ent);
    free(res);
    double c = bench_median(cpu, n_runs), w = bench_median(wall, n_runs);
    printf("engine %-26s %7.2f M rec/cpu-s  %7.2f M rec/s wall | cold %6.2f M rec/cpu-s %6.2f M rec/s wall | "
           "no SQL: the floor under q0",
           "store copy (read + put)", c / 1e6, w / 1e6, cold_c / 1e6, cold_w / 1e6);
    if (q0_cpu > 0) printf(" | q0/copy %.2fx per cpu-s", q0_cpu / c);
    printf("\n");
    fflush(stdout);
}

/* Heap per open group: (peak heap with many groups - peak with 10 K) /
 * (difference in groups); fixed costs (readers, batches, sink buffers)
 * cancel out. */
static void measure_memory(void) {
    run_result small, big;
    size_t peak[2];
    run_app(mem_sql[0], 1, &small);
    peak[0] = heap_peak;
    run_app(mem_sql[1], 1, &big);
    peak[1] = heap_peak;
    uint64_t g0 = small.stats.rows_out, g1 = big.stats.rows_out;
    if (g1 <= g0) die("memory runs: %llu and %llu groups", (unsigned long long)g0, (unsigned long long)g1);
    if (peak[1] <= peak[0]) {
        printf("engine %-26s not measurable (%s peak %.1f MB at %llu groups, %.1f MB at %llu)\n", "tumble memory",
               use_rss ? "RSS" : "heap", (double)peak[1] / 1e6, (unsigned long long)g1, (double)peak[0] / 1e6,
               (unsigned long long)g0);
        return;
    }
    double per = (double)(peak[1] - peak[0]) / (double)(g1 - g0);
    printf("engine %-26s %7.1f B per open group (%s %.1f MB at %llu groups, %.1f MB at %llu) | "
           "target 64 B (%.2fx)\n",
           "tumble memory", per, use_rss ? "RSS" : "heap", (double)peak[1] / 1e6, (unsigned long long)g1,
           (double)peak[0] / 1e6, (unsigned long long)g0, per / 64.0);
    fflush(stdout);
}

/* ------------------------------------------------------------ DuckDB */

static char peers_dir[PATH_MAX];

static int in_path(const char *prog) {
    const char *path = getenv("PATH");
    if (!path) return 0;
    char *dirs = strdup(path), *save = NULL;
    int found = 0;
    for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char p[PATH_MAX + 64];
        snprintf(p, sizeof p, "%s/%s", d, prog);
        found = access(p, X_OK) == 0;
    }
    free(dirs);
    return found;
}

/* Runs argv with stdout to out_path (or a log), stderr to log_path; returns
 * the exit status, or -1 when it did not exit normally. */
static int run_child(char *const argv[], const char *out_path, const char *log_path) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int lfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int ofd = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : lfd;
        if (lfd >= 0) dup2(lfd, 2);
        if (ofd >= 0) dup2(ofd, 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    int stt;
    while (waitpid(pid, &stt, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(stt) ? WEXITSTATUS(stt) : -1;
}

/* Returns NULL when @duckdb/node-api is ready in peers_dir (installing it
 * with npm on first use), else why not. */
static const char *prepare_duckdb(void) {
    static char why[PATH_MAX + 128];
    const char *env = getenv("BENCH_PEERS_DIR");
    if (env && *env) snprintf(peers_dir, sizeof peers_dir, "%s", env);
    else snprintf(peers_dir, sizeof peers_dir, "%.*s/../bench-peers", PATH_MAX - 32, exe_dir);
    if (!in_path("node")) return "node not found in PATH";
    char pkg[PATH_MAX + 64];
    snprintf(pkg, sizeof pkg, "%s/node_modules/@duckdb/node-api/package.json", peers_dir);
    if (access(pkg, R_OK) == 0) return NULL;
    if (!in_path("npm")) return "npm not found in PATH (@duckdb/node-api is not installed)";
    mkdir(peers_dir, 0755);
    printf("bench_engine: installing @duckdb/node-api with npm into %s\n", peers_dir);
    char log[PATH_MAX + 32];
    snprintf(log, sizeof log, "%s/npm-install-duckdb.log", peers_dir);
    char *argv[] = {"npm", "install", "--no-audit", "--no-fund", "--prefix", peers_dir, "@duckdb/node-api", NULL};
    if (run_child(argv, NULL, log) != 0 || access(pkg, R_OK) != 0) {
        snprintf(why, sizeof why, "npm install @duckdb/node-api failed (see %s)", log);
        return why;
    }
    return NULL;
}

/* The script sits next to this source file (bench/peers/), unless
 * BENCH_PEERS_SCRIPT says otherwise. */
static void script_path(char *out, size_t cap) {
    const char *env = getenv("BENCH_PEERS_SCRIPT");
    if (env && *env) {
        snprintf(out, cap, "%s", env);
        return;
    }
    const char *src = __FILE__, *slash = strrchr(src, '/');
    snprintf(out, cap, "%.*s/peers/duckdb_tumble.mjs", slash ? (int)(slash - src) : 1, slash ? src : ".");
}

/* Pulls "key": number (or "key": "number") out of the script's JSON line. */
static double json_num(const char *js, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(js, pat);
    if (!p) die("DuckDB output has no %s: %s", key, js);
    p += strlen(pat);
    if (*p == '"') p++;
    return strtod(p, NULL);
}

/* The median of the array "key":[a,b,...]. */
static double json_median(const char *js, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":[", key);
    const char *p = strstr(js, pat);
    if (!p) die("DuckDB output has no %s: %s", key, js);
    p += strlen(pat);
    double v[MAX_RUNS * 4];
    int n = 0;
    while (*p && *p != ']' && n < MAX_RUNS * 4) {
        char *end;
        v[n++] = strtod(p, &end);
        p = *end == ',' ? end + 1 : end;
        if (end == p && *p != ']') break;
    }
    if (n == 0) die("DuckDB output: empty %s", key);
    return bench_median(v, n);
}

static void run_duckdb(const char *json_path, int threads) {
    char script[PATH_MAX + 64], out[PATH_MAX + 32], log[PATH_MAX + 32], runs[16], thr[16];
    script_path(script, sizeof script);
    snprintf(out, sizeof out, "%s/duckdb-%d.json", work_dir, threads);
    snprintf(log, sizeof log, "%s/duckdb-%d.log", work_dir, threads);
    snprintf(runs, sizeof runs, "%d", n_runs);
    snprintf(thr, sizeof thr, "%d", threads);
    setenv("BENCH_PEERS_DIR", peers_dir, 1);
    char *argv[] = {"node", script, (char *)json_path, runs, thr, NULL};
    int rc = run_child(argv, out, log);
    char js[4096] = "";
    FILE *f = fopen(out, "r");
    if (f) {
        size_t n = fread(js, 1, sizeof js - 1, f);
        js[n] = 0;
        fclose(f);
    }
    if (rc != 0 || !js[0]) {
        char msg[512] = "";
        FILE *lf = fopen(log, "r");
        if (lf) {
            size_t n = fread(msg, 1, sizeof msg - 1, lf);
            msg[n] = 0;
            fclose(lf);
        }
        printf("duckdb: failed (exit %d): %s\n", rc, msg);
        return;
    }
    double groups = json_num(js, "groups"), sum_count = json_num(js, "sum_count"),
           sum_max = json_num(js, "sum_max");
    if (groups != (double)ex.tumble_groups || sum_count != (double)n_records ||
        sum_max != (double)ex.tumble_sum_max)
        die("DuckDB computed a different aggregate: %.0f groups, sum(count) %.0f, sum(max) %.0f", groups,
            sum_count, sum_max);
    double load_wall = json_num(js, "load_wall_s"), load_cpu = json_num(js, "load_cpu_s");
    double qw = json_median(js, "query_wall_s"), qc = json_median(js, "query_cpu_s");
    double n = (double)n_records;
    printf("duckdb %d thread%s %-17s %7.2f M rec/cpu-s  %7.2f M rec/s wall | load (read_json) %.2f s wall, "
           "%.2f cpu-s\n",
           threads, threads == 1 ? " " : "s", "tumble query", n / qc / 1e6, n / qw / 1e6, load_wall, load_cpu);
    printf("ratio eddy/duckdb-%d tumble %-11s %6.3fx per cpu-s  %6.3fx wall | with DuckDB's JSON load: "
           "%6.3fx per cpu-s  %6.3fx wall\n",
           threads, "", fig_tumble.cpu / (n / qc), fig_tumble.wall / (n / qw), fig_tumble.cpu / (n / (qc + load_cpu)),
           fig_tumble.wall / (n / (qw + load_wall)));
    fflush(stdout);
}

/* ------------------------------------------------------------ main */

static void machine_line(void) {
    char model[256];
    bench_cpu_model(model, sizeof model);
    printf("bench_engine: machine: %ld cores online, %s; %d steady runs after a cold one\n",
           sysconf(_SC_NPROCESSORS_ONLN), model, n_runs);
}

static int wants(const char *only, const char *key) { return !only || strcmp(only, key) == 0; }

int main(void) {
    const char *v;
    if ((v = getenv("BENCH_RECORDS")) && *v) n_records = (size_t)strtoull(v, NULL, 10);
    if ((v = getenv("BENCH_RUNS")) && *v) n_runs = atoi(v);
    if ((v = getenv("BENCH_SHARDS")) && *v) n_shards = atoi(v);
    if ((v = getenv("BENCH_POLL_MS")) && *v) poll_ms = atoi(v);
    if (n_records < 1000) n_records = 1000;
    if (n_runs < 1) n_runs = 1;
    if (n_runs > MAX_RUNS) n_runs = MAX_RUNS;
    if (n_shards < 1 || n_shards > 64) die("BENCH_SHARDS must be 1..64");
    const char *only = getenv("BENCH_ONLY");
    if (only && !*only) only = NULL;
    int peers = !(getenv("BENCH_NO_PEERS") && strcmp(getenv("BENCH_NO_PEERS"), "0") != 0) && wants(only, "tumble");
    /* The runtime logs at info per application; the figures are the output. */
    if (!getenv("EDDY_LOG")) setenv("EDDY_LOG", "warn", 1);

    ssize_t n = readlink("/proc/self/exe", exe_dir, sizeof exe_dir - 1);
    if (n <= 0) die("readlink /proc/self/exe: %s", strerror(errno));
    exe_dir[n] = 0;
    char *slash = strrchr(exe_dir, '/');
    if (slash) *slash = 0;

    machine_line();
    use_rss = mallinfo_bytes() == 0;
    const char *why_no_peer = NULL;
    if (peers) why_no_peer = prepare_duckdb();

    snprintf(work_dir, sizeof work_dir, "/tmp/eddy-bench-engine-XXXXXX");
    if (!mkdtemp(work_dir)) die("mkdtemp: %s", strerror(errno));
    char data_dir[PATH_MAX + 16], json_path[PATH_MAX + 16];
    snprintf(data_dir, sizeof data_dir, "%s/data", work_dir);
    snprintf(json_path, sizeof json_path, "%s/bids.jsonl", work_dir);
    eddy_err err;
    eddy_err_clear(&err);
    store_opts so;
    store_opts_init(&so);
    so.data_dir = data_dir;
    if (store_open(&so, &st, &err) != 0) die("store_open: %s", err.msg);
    pick_first_ms();
    load_input(peers && !why_no_peer ? json_path : NULL);

    double q0_cpu = 0;
    if (wants(only, "q0")) q0_cpu = measure(&q_passthrough, n_records).cpu;
    if (wants(only, "q0") || wants(only, "copy")) measure_copy(q0_cpu);
    if (wants(only, "q1")) measure(&q_project, n_records);
    if (wants(only, "q2")) measure(&q_filter, ex.q2_rows);
    if (wants(only, "tumble")) {
        fig_tumble = measure(&q_tumble, ex.tumble_groups);
        check_tumble_output();
    }
    if (wants(only, "slide")) measure(&q_slide, n_records);
    if (wants(only, "memory")) measure_memory();

    if (!peers) {
        if (wants(only, "tumble")) printf("duckdb: skipped (BENCH_NO_PEERS=1)\n");
    } else if (why_no_peer) {
        printf("duckdb: skipped (%s)\n", why_no_peer);
    } else {
        /* One thread compares per core with eddy's single-threaded run; all
         * threads is DuckDB's wall-clock ceiling on this machine. */
        run_duckdb(json_path, 1);
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        if (cores > 1) run_duckdb(json_path, (int)cores);
    }
    cleanup();
    return 0;
}
