/*
 * bench_runtime.c — micro-benchmarks of the runtime kernels, without the
 * store or a pipeline around them: schema-driven JSON decode of Nexmark
 * bids, tumbling COUNT/MAX per key over 10 K keys (with and without the
 * decode), and the KDA per-row sliding window (RANGE 1 minute MIN/MAX/AVG
 * per row). Prints one line per figure: the median over several runs of
 * records per wall-clock second and per CPU second, plus state sizes.
 *
 *   bench_runtime [records]      (default 1,000,000; EDDY_BENCH_RUNS=5)
 * EDDY_BENCH_ONLY=decode stops after the decode figures (for profiling).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "decode.h"
#include "nexmark.h"
#include "window_state.h"

static double now_s(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double wall, cpu;
} timing;

static timing t_start(void) { return (timing){now_s(CLOCK_MONOTONIC), now_s(CLOCK_PROCESS_CPUTIME_ID)}; }
static timing t_stop(timing s) {
    return (timing){now_s(CLOCK_MONOTONIC) - s.wall, now_s(CLOCK_PROCESS_CPUTIME_ID) - s.cpu};
}

static void report(const char *name, size_t n, timing *runs, int n_runs, const char *extra) {
    double w[16], c[16];
    for (int i = 0; i < n_runs; i++) {
        w[i] = (double)n / runs[i].wall;
        c[i] = (double)n / runs[i].cpu;
    }
    qsort(w, (size_t)n_runs, sizeof *w, cmp_d);
    qsort(c, (size_t)n_runs, sizeof *c, cmp_d);
    printf("%-40s %8.2f M rec/s wall  %8.2f M rec/s cpu  (median of %d)%s%s\n", name, w[n_runs / 2] / 1e6,
           c[n_runs / 2] / 1e6, n_runs, extra ? "  " : "", extra ? extra : "");
}

static void die(const char *what, const eddy_err *e) {
    fprintf(stderr, "bench_runtime: %s: %s\n", what, e->msg);
    exit(1);
}

/* The Nexmark bid schema as a KDA input schema. */
static const rt_col_spec bid_cols[] = {
    {"AUCTION", {EDDY_T_BIGINT, 0, 0}, "$.auction"},     {"BIDDER", {EDDY_T_BIGINT, 0, 0}, "$.bidder"},
    {"PRICE", {EDDY_T_BIGINT, 0, 0}, "$.price"},         {"CHANNEL", {EDDY_T_VARCHAR, 16, 0}, "$.channel"},
    {"URL", {EDDY_T_VARCHAR, 128, 0}, "$.url"},          {"DATETIME", {EDDY_T_TIMESTAMP, 0, 0}, "$.dateTime"},
    {"EXTRA", {EDDY_T_VARCHAR, 64, 0}, "$.extra"},
};
#define N_BID_COLS 7

typedef struct {
    char *data;
    size_t *off;      /* n + 1 offsets */
    int64_t *rowtime;
    size_t n;
} corpus;

static void make_corpus(corpus *c, size_t n, uint64_t keys) {
    nexmark_gen g;
    nexmark_init(&g, 42, 1767225600000LL, 10000);  /* 2026-01-01, 10 K events/s */
    g.n_auction_keys = keys;
    c->n = n;
    c->off = malloc((n + 1) * sizeof *c->off);
    c->rowtime = malloc(n * sizeof *c->rowtime);
    size_t cap = n * 200 + 256, len = 0;
    c->data = malloc(cap);
    if (!c->off || !c->rowtime || !c->data) exit(1);
    for (size_t i = 0; i < n; i++) {
        nexmark_bid b;
        nexmark_next_bid(&g, &b);
        c->off[i] = len;
        len += (size_t)nexmark_bid_json(&b, c->data + len, cap - len);
        c->rowtime[i] = b.date_time;
    }
    c->off[n] = len;
}

/* Decodes the corpus batch by batch; calls fn on every full batch. */
typedef void (*batch_fn)(void *ud, rt_batch *b);

static void decode_all(const corpus *c, rt_decoder *d, rt_batch *b, batch_fn fn, void *ud) {
    eddy_err err;
    eddy_err_clear(&err);
    rt_batch_reset(b);
    for (size_t i = 0; i < c->n; i++) {
        if (rt_batch_room(b) == 0) {
            if (fn) fn(ud, b);
            rt_batch_reset(b);
        }
        const char *en;
        if (rt_decode_record(d, c->data + c->off[i], c->off[i + 1] - c->off[i], c->rowtime[i], b, &en, &err) != 1)
            die("decode", &err);
    }
    if (b->n_rows && fn) fn(ud, b);
}

typedef struct {
    rt_group_table *t;
    uint64_t rows_in_window;
    uint64_t window_rows;
    rt_batch *out;
    size_t peak_bytes;
    uint32_t peak_groups;
} tumble_ctx;

static void emit_window(tumble_ctx *x) {
    eddy_err err;
    size_t bytes = rt_group_table_bytes(x->t);
    if (rt_group_table_size(x->t) > x->peak_groups) {
        x->peak_groups = rt_group_table_size(x->t);
        x->peak_bytes = bytes;
    }
    uint32_t cur = 0;
    while (cur < rt_group_table_size(x->t)) {
        rt_batch_reset(x->out);
        if (rt_group_table_emit(x->t, x->out, 0, &cur, NULL, NULL, &err) < 0) die("emit", &err);
    }
    rt_group_table_clear(x->t);
    x->rows_in_window = 0;
}

static void tumble_step(void *ud, rt_batch *b) {
    tumble_ctx *x = ud;
    eddy_err err;
    if (rt_group_table_step(x->t, b, &err) != 0) die("group step", &err);
    x->rows_in_window += b->n_rows;
    if (x->rows_in_window >= x->window_rows) emit_window(x);
}

typedef struct {
    rt_slide *s;
    rt_batch *out;
} slide_ctx;

static void slide_step(void *ud, rt_batch *b) {
    slide_ctx *x = ud;
    eddy_err err;
    rt_batch_reset(x->out);
    if (rt_slide_step(x->s, b, x->out, 0, NULL, NULL, &err) < 0) die("slide step", &err);
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    int runs = getenv("EDDY_BENCH_RUNS") ? atoi(getenv("EDDY_BENCH_RUNS")) : 5;
    if (runs < 1) runs = 1;
    if (runs > 15) runs = 15;
    if (n < 1024) n = 1024;
    eddy_err err;
    eddy_err_clear(&err);
    corpus c;
    make_corpus(&c, n, 10000);
    printf("bench_runtime: %zu Nexmark bids, %.1f B average, %ld cores online\n", n,
           (double)c.off[n] / (double)n, sysconf(_SC_NPROCESSORS_ONLN));

    rt_decoder *d = rt_decoder_new(RT_FMT_JSON, bid_cols, N_BID_COLS, NULL, &err);
    if (!d) die("decoder", &err);
    uint32_t nc;
    const eddy_type *ts = rt_decoder_types(d, &nc);
    rt_batch *b = rt_batch_new(ts, nc, &err);
    timing tr[16];

    /* 1. JSON decode alone. */
    for (int r = 0; r < runs; r++) {
        timing s = t_start();
        decode_all(&c, d, b, NULL, NULL);
        tr[r] = t_stop(s);
    }
    char extra[160];
    snprintf(extra, sizeof extra, "%.0f MB/s", (double)c.off[n] / tr[runs / 2].wall / 1e6);
    report("json decode (7 columns)", n, tr, runs, extra);

    /* 1b. As the engine decodes: strings borrowed from the record; then
     * only the two columns q2 (bench_engine) reads, and none at all (the
     * grammar check alone). */
    rt_decoder_set_borrow(d, 1);
    static const uint8_t q2_cols[N_BID_COLS] = {1, 0, 1, 0, 0, 0, 0}, no_cols[N_BID_COLS] = {0};
    const struct {
        const char *label;
        const uint8_t *needed;
    } variants[] = {{"json decode (7 columns, borrowed)", NULL},
                    {"json decode (2 of 7 columns, as q2)", q2_cols},
                    {"json decode (0 of 7: grammar check)", no_cols}};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        if (rt_decoder_set_needed(d, variants[v].needed, &err) != 0) die("needed", &err);
        for (int r = 0; r < runs; r++) {
            timing s = t_start();
            decode_all(&c, d, b, NULL, NULL);
            tr[r] = t_stop(s);
        }
        report(variants[v].label, n, tr, runs, NULL);
    }
    if (rt_decoder_set_needed(d, NULL, &err) != 0) die("needed", &err);
    rt_decoder_set_borrow(d, 0);
    const char *only = getenv("EDDY_BENCH_ONLY");
    if (only && strcmp(only, "decode") == 0) {
        rt_batch_release(b);
        rt_decoder_free(d);
        free(c.data);
        free(c.off);
        free(c.rowtime);
        return 0;
    }

    /* Pre-decoded batches for the aggregate-only figures. */
    size_t n_batches = (n + RT_BATCH_CAP - 1) / RT_BATCH_CAP;
    rt_batch **pre = calloc(n_batches, sizeof *pre);
    for (size_t i = 0; i < n_batches; i++) {
        pre[i] = rt_batch_new(ts, nc, &err);
        for (size_t j = i * RT_BATCH_CAP; j < n && j < (i + 1) * RT_BATCH_CAP; j++) {
            const char *en;
            rt_decode_record(d, c.data + c.off[j], c.off[j + 1] - c.off[j], c.rowtime[j], pre[i], &en, &err);
        }
    }

    /* 2. Tumbling COUNT(*), MAX(price) GROUP BY auction (10 K keys). */
    eddy_type kt[1] = {{EDDY_T_BIGINT, 0, 0}};
    uint32_t kc[1] = {0};
    rt_agg aggs[3];
    rt_agg_resolve(RT_AGG_COUNT_STAR, kt[0], &aggs[0], &err);
    rt_agg_resolve(RT_AGG_MAX, kt[0], &aggs[1], &err);
    int32_t ac[2] = {-1, 2};
    rt_window_spec tspec = {kt, kc, 1, aggs, ac, 2};
    eddy_type ot[3] = {kt[0], aggs[0].out_type, aggs[1].out_type};
    tumble_ctx tx = {.window_rows = 200000};
    tx.t = rt_group_table_new(&tspec, &err);
    tx.out = rt_batch_new(ot, 3, &err);
    if (!tx.t || !tx.out) die("group table", &err);
    for (int r = 0; r < runs; r++) {
        timing s = t_start();
        for (size_t i = 0; i < n_batches; i++) tumble_step(&tx, pre[i]);
        emit_window(&tx);
        tr[r] = t_stop(s);
    }
    snprintf(extra, sizeof extra, "%u groups, %.1f B per open group (slots + keys + states)", tx.peak_groups,
             tx.peak_groups ? (double)tx.peak_bytes / tx.peak_groups : 0.0);
    report("tumbling count/max per key, no decode", n, tr, runs, extra);
    for (int r = 0; r < runs; r++) {
        timing s = t_start();
        decode_all(&c, d, b, tumble_step, &tx);
        emit_window(&tx);
        tr[r] = t_stop(s);
    }
    report("tumbling count/max per key, with decode", n, tr, runs, NULL);

    /* 3. Sliding RANGE 1 minute MIN/MAX/AVG(price) PARTITION BY auction. */
    rt_agg_resolve(RT_AGG_MIN, kt[0], &aggs[0], &err);
    rt_agg_resolve(RT_AGG_MAX, kt[0], &aggs[1], &err);
    rt_agg_resolve(RT_AGG_AVG, kt[0], &aggs[2], &err);
    int32_t sc[3] = {2, 2, 2};
    rt_window_spec sspec = {kt, kc, 1, aggs, sc, 3};
    eddy_type so[3] = {aggs[0].out_type, aggs[1].out_type, aggs[2].out_type};
    slide_ctx sx = {0};
    sx.out = rt_batch_new(so, 3, &err);
    uint32_t parts = 0;
    uint64_t rows = 0;
    size_t bytes = 0;
    for (int r = 0; r < runs; r++) {
        sx.s = rt_slide_new(&sspec, (rt_slide_frame){.rows = 0, .range_ms = 60000}, &err);
        if (!sx.s) die("slide", &err);
        timing s = t_start();
        for (size_t i = 0; i < n_batches; i++) slide_step(&sx, pre[i]);
        tr[r] = t_stop(s);
        rt_slide_stats(sx.s, &parts, &rows, &bytes);
        rt_slide_free(sx.s);
    }
    snprintf(extra, sizeof extra, "%u partitions, %llu rows in window, %.1f B per buffered row (all state)", parts,
             (unsigned long long)rows, rows ? (double)bytes / (double)rows : 0.0);
    report("sliding 1 min MIN/MAX/AVG per row, no decode", n, tr, runs, extra);

    for (size_t i = 0; i < n_batches; i++) rt_batch_release(pre[i]);
    free(pre);
    rt_group_table_free(tx.t);
    rt_batch_release(tx.out);
    rt_batch_release(sx.out);
    rt_batch_release(b);
    rt_decoder_free(d);
    free(c.data);
    free(c.off);
    free(c.rowtime);
    return 0;
}
