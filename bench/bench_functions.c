/*
 * bench_functions.c — the per-row cost of the heavy functions of the
 * dialect, measured on their own (no store, no decoding), so their figures
 * in docs/sql.md and docs/benchmarks.md come from a program anyone can run:
 *
 *   rcf        RANDOM_CUT_FOREST's model (rcf.h) with KDA's defaults (100
 *              trees, 256 samples), 1 and 4 columns, score only and with
 *              the explanation's attribution
 *   hotspots   HOTSPOTS' model (hotspots.h) with the AWS example's
 *              parameters (window 1000, radius 0.2, 17 points) on its kind
 *              of data: uniform points with 20 % drawn near a moving centre
 *   w3c        W3C_LOG_PARSE('COMMON'), all 7 fields read, 1,024-row batches
 *              through the registry's evaluator, as a pipeline calls it
 *   regex      REGEX_LOG_PARSE with a 4-group pattern over the same lines
 *
 * Rows per CPU-second of this process (single-threaded), median of
 * BENCH_RUNS runs (default 3). Env: BENCH_ROWS (rows per model run,
 * default 200000; the log parsers use 5x that), BENCH_ONLY=rcf|hotspots|
 * w3c|regex.
 */
#include "bench_stats.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "arena.h"
#include "hotspots.h"
#include "rcf.h"
#include "sbuf.h"
#include "udf.h"
#include "udf_fns.h"

#define MAX_RUNS 9
#define BATCH 1024

static long n_rows = 200000;
static int n_runs = 3;

/* splitmix64: the benchmark's own deterministic numbers. */
static uint64_t rng_state = 42;
static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double uniform(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }
static double gauss(void) { return sqrt(-2 * log(uniform() + 1e-300)) * cos(6.283185307179586 * uniform()); }

static void report(const char *what, const char *detail, double *rates, int n, const char *extra) {
    printf("functions %-10s %-44s %10.0f rows/cpu-s%s\n", what, detail, bench_median(rates, n), extra ? extra : "");
    fflush(stdout);
}

/* ------------------------------------------------------------ RCF */

static void bench_rcf(uint32_t dims, int explain) {
    double rates[MAX_RUNS], *rows = malloc(sizeof(double) * (size_t)n_rows * dims);
    double attr[2 * 4];
    size_t bytes = 0;
    for (long i = 0; i < n_rows * (long)dims; i++) rows[i] = 10 + gauss();
    for (int r = 0; r < n_runs; r++) {
        rt_rcf_opts o;
        rt_rcf_opts_init(&o);
        o.dims = dims;
        eddy_err err;
        eddy_err_clear(&err);
        rt_rcf *f = rt_rcf_new(&o, &err);
        if (!f) {
            fprintf(stderr, "bench_functions: rt_rcf_new: %s\n", err.msg);
            exit(1);
        }
        double sum = 0, c0 = bench_cpu_seconds();
        for (long i = 0; i < n_rows; i++) sum += rt_rcf_update(f, rows + i * dims, explain ? attr : NULL);
        double cpu = bench_cpu_seconds() - c0;
        if (!(sum > 0)) {
            fprintf(stderr, "bench_functions: the forest scored nothing\n");
            exit(1);
        }
        rates[r] = (double)n_rows / cpu;
        bytes = rt_rcf_bytes(f);
        rt_rcf_free(f);
    }
    char detail[64], extra[64];
    snprintf(detail, sizeof detail, "100 trees x 256, %u column%s%s", dims, dims == 1 ? "" : "s",
             explain ? ", with attribution" : "");
    snprintf(extra, sizeof extra, " | %.1f MB per forest", (double)bytes / 1e6);
    report("rcf", detail, rates, n_runs, extra);
    free(rows);
}

/* ------------------------------------------------------------ HOTSPOTS */

static void bench_hotspots(void) {
    double rates[MAX_RUNS], *rows = malloc(sizeof(double) * (size_t)n_rows * 2);
    double cx = 5, cy = 5;
    for (long i = 0; i < n_rows; i++) {
        if (i % 1000 == 0) cx = 1 + 8 * uniform(), cy = 1 + 8 * uniform();
        int hot = uniform() < 0.2;
        rows[2 * i] = hot ? cx + uniform() - 0.5 : 10 * uniform();
        rows[2 * i + 1] = hot ? cy + uniform() - 0.5 : 10 * uniform();
    }
    long found = 0;
    for (int r = 0; r < n_runs; r++) {
        eddy_err err;
        eddy_err_clear(&err);
        rt_hotspots *h = rt_hotspots_new(2, 1000, 0.2, 17, &err);
        if (!h) {
            fprintf(stderr, "bench_functions: rt_hotspots_new: %s\n", err.msg);
            exit(1);
        }
        sbuf out;
        sbuf_init(&out);
        found = 0;
        double c0 = bench_cpu_seconds();
        for (long i = 0; i < n_rows; i++) {
            rt_hotspots_update(h, rows + 2 * i, &out);
            found += out.len > 20;   /* more than {"hotspots":[]} */
        }
        rates[r] = (double)n_rows / (bench_cpu_seconds() - c0);
        sbuf_free(&out);
        rt_hotspots_free(h);
    }
    char extra[64];
    snprintf(extra, sizeof extra, " | %.0f %% of rows see a hotspot", 100.0 * (double)found / (double)n_rows);
    report("hotspots", "window 1000, radius 0.2, 17 points, 2 columns", rates, n_runs, extra);
    free(rows);
}

/* ------------------------------------------------------------ log parsers */

static const udf_func *by_specific(const char *spec) {
    const udf_func *f = udf_find_specific(udf_registry_default(), spec);
    if (!f) {
        fprintf(stderr, "bench_functions: no function %s\n", spec);
        exit(1);
    }
    return f;
}

/* Runs every field 1..n_fields of `spec` over the lines in batches, as a
 * pipeline's projection does; reports rows per CPU-second. */
static void bench_parser(const char *what, const char *spec, const char *arg, int n_fields, char **lines,
                         long n) {
    const udf_func *f = by_specific(spec);
    static eddy_value in[BATCH], pat[BATCH], idx[BATCH], res[BATCH];
    eddy_type types[3] = {{EDDY_T_VARCHAR, 1024, 0}, {EDDY_T_VARCHAR, 1024, 0}, {EDDY_T_INTEGER, 0, 0}};
    const eddy_value *argv[3] = {in, pat, idx};
    udf_call call = {.fn = f, .n_args = 3, .arg_types = types, .ret_type = {EDDY_T_VARCHAR, 1024, 0}};
    double rates[MAX_RUNS];
    long nulls = 0;
    for (int r = 0; r < n_runs; r++) {
        arena mem;
        arena_init(&mem, 0);
        nulls = 0;
        double c0 = bench_cpu_seconds();
        for (long start = 0; start < n; start += BATCH) {
            size_t m = (size_t)(n - start < BATCH ? n - start : BATCH);
            for (size_t i = 0; i < m; i++) {
                in[i] = (eddy_value){.type = EDDY_T_VARCHAR};
                in[i].u.s.p = lines[start + (long)i];
                in[i].u.s.n = (uint32_t)strlen(lines[start + (long)i]);
                pat[i] = (eddy_value){.type = EDDY_T_VARCHAR};
                pat[i].u.s.p = arg;
                pat[i].u.s.n = (uint32_t)strlen(arg);
            }
            for (int k = 1; k <= n_fields; k++) {
                for (size_t i = 0; i < m; i++) idx[i] = (eddy_value){.type = EDDY_T_INTEGER, .u.i = k};
                size_t bad = 0;
                eddy_err err;
                eddy_err_clear(&err);
                if (f->eval(&call, m, argv, res, &mem, &bad, &err) != 0) {
                    fprintf(stderr, "bench_functions: %s: %s\n", spec, err.msg);
                    exit(1);
                }
                for (size_t i = 0; i < m; i++) nulls += res[i].is_null;
            }
            arena_reset(&mem);
        }
        rates[r] = (double)n / (bench_cpu_seconds() - c0);
        arena_free(&mem);
    }
    if (nulls) {
        fprintf(stderr, "bench_functions: %s gave %ld NULL fields\n", spec, nulls);
        exit(1);
    }
    char detail[64];
    snprintf(detail, sizeof detail, "%d fields read per row, %d-row batches", n_fields, BATCH);
    report(what, detail, rates, n_runs, NULL);
}

static char **make_lines(long n) {
    static const char *const paths[] = {"/index.html", "/products/widget-42.html", "/cart", "/checkout?step=2",
                                        "/images/logo.png"};
    char **lines = malloc(sizeof *lines * (size_t)n);
    for (long i = 0; i < n; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "192.0.2.%u - user%u [24/May/2004:22:%02u:%02u -0700] \"GET %s HTTP/1.1\" %u %u",
                 (unsigned)(rnd() % 250), (unsigned)(rnd() % 100), (unsigned)(rnd() % 60), (unsigned)(rnd() % 60),
                 paths[rnd() % 5], rnd() % 10 ? 200u : 404u, (unsigned)(rnd() % 90000));
        lines[i] = strdup(buf);
    }
    return lines;
}

static int wants(const char *only, const char *key) { return !only || !strcmp(only, key); }

int main(void) {
    const char *v;
    if ((v = getenv("BENCH_ROWS")) && *v) n_rows = atol(v);
    if ((v = getenv("BENCH_RUNS")) && *v) n_runs = atoi(v);
    if (n_rows < 2000) n_rows = 2000;
    if (n_runs < 1) n_runs = 1;
    if (n_runs > MAX_RUNS) n_runs = MAX_RUNS;
    const char *only = getenv("BENCH_ONLY");
    if (only && !*only) only = NULL;
    printf("bench_functions: %ld rows per model run, median of %d runs, one thread\n", n_rows, n_runs);
    if (wants(only, "rcf")) {
        bench_rcf(1, 0);
        bench_rcf(1, 1);
        bench_rcf(4, 0);
    }
    if (wants(only, "hotspots")) bench_hotspots();
    if (wants(only, "w3c") || wants(only, "regex")) {
        eddy_err err;
        eddy_err_clear(&err);
        if (udf_attach_builtins(udf_registry_default(), &err) != 0) {
            fprintf(stderr, "bench_functions: %s\n", err.msg);
            return 1;
        }
        long n = n_rows * 5;
        char **lines = make_lines(n);
        if (wants(only, "w3c")) bench_parser("w3c", "W3C_LOG_PARSE", "COMMON", 7, lines, n);
        if (wants(only, "regex"))
            bench_parser("regex", "REGEX_LOG_PARSE", "^(\\S+) \\S+ (\\S+) \\[([^]]+)\\] .*", 3, lines, n / 10);
        for (long i = 0; i < n; i++) free(lines[i]);
        free(lines);
        udf_registry_shutdown();
    }
    return 0;
}
