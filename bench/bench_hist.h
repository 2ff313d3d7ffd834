/*
 * bench_hist.h — the log-linear latency histogram the benchmarks share
 * (bench_store.c, bench_api.c): add nanosecond samples, read percentiles.
 * Header-only: each benchmark is one program.
 */
#ifndef EDDY_BENCH_HIST_H
#define EDDY_BENCH_HIST_H

#include <stdint.h>

/* Log-linear histogram of nanoseconds: 64 sub-buckets per power of two, so
 * a percentile is off by at most 1/64 of its value. */
#define H_SUB 64
#define H_BUCKETS (64 * H_SUB)

typedef struct hist {
    uint64_t counts[H_BUCKETS];
    uint64_t total, max;
} hist;

static inline int h_index(uint64_t v) {
    if (v < H_SUB) return (int)v;
    int msb = 63 - __builtin_clzll(v);
    int sub = (int)((v >> (msb - 6)) & (H_SUB - 1));
    return (msb - 5) * H_SUB + sub;
}

static inline uint64_t h_upper(int idx) {
    if (idx < H_SUB) return (uint64_t)idx;
    int msb = idx / H_SUB + 5, sub = idx % H_SUB;
    return ((uint64_t)(H_SUB + sub + 1) << (msb - 6)) - 1;
}

static inline void h_add(hist *h, uint64_t v) {
    h->counts[h_index(v)]++;
    h->total++;
    if (v > h->max) h->max = v;
}

static inline uint64_t h_pct(const hist *h, double p) {
    uint64_t want = (uint64_t)(p / 100.0 * (double)h->total + 0.5), acc = 0;
    if (want == 0) want = 1;
    for (int i = 0; i < H_BUCKETS; i++) {
        acc += h->counts[i];
        if (acc >= want) return h_upper(i) < h->max ? h_upper(i) : h->max;
    }
    return h->max;
}

#endif
