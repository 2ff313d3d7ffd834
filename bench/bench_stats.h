/*
 * bench_stats.h — what every benchmark measures with: the process's CPU
 * time (user + system, every thread), the median of a few runs, the CPU
 * model the figures were taken on, and removing a run's scratch directory.
 * Header-only: each benchmark is one program.
 */
#ifndef EDDY_BENCH_STATS_H
#define EDDY_BENCH_STATS_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define BENCH_MEDIAN_MAX 64   /* values bench_median takes at most */

static inline double bench_cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static inline int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of v[0..n) (n >= 1; at most BENCH_MEDIAN_MAX are read); v is
 * left as it was. */
static inline double bench_median(const double *v, int n) {
    double s[BENCH_MEDIAN_MAX];
    if (n > BENCH_MEDIAN_MAX) n = BENCH_MEDIAN_MAX;
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, bench_cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The "model name" of /proc/cpuinfo's first CPU into out ("unknown" when
 * there is none). */
static inline void bench_cpu_model(char *out, size_t cap) {
    char line[512];
    snprintf(out, cap, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
        char *c = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && c) {
            c += 1 + (c[1] == ' ');
            c[strcspn(c, "\n")] = 0;
            snprintf(out, cap, "%s", c);
            break;
        }
    }
    if (f) fclose(f);
}

static inline int bench_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* Removes dir and everything below it (a benchmark's data directory). */
static inline void bench_rm_rf(const char *dir) { nftw(dir, bench_rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

#endif
