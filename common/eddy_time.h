/*
 * eddy_time.h — clocks and timestamp text. eddy's timestamps are epoch
 * milliseconds (int64), UTC.
 */
#ifndef EDDY_TIME_H
#define EDDY_TIME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Wall-clock epoch milliseconds. */
int64_t eddy_now_ms(void);

/* Monotonic nanoseconds, for durations and latency. */
uint64_t eddy_mono_ns(void);

/* The time `ms` milliseconds from now on clock `clk`, as the absolute
 * deadline pthread_cond_timedwait and clock_nanosleep take. */
static inline struct timespec eddy_deadline_ms(clockid_t clk, int64_t ms) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Formats epoch ms as "YYYY-MM-DD HH:MM:SS.mmm" (SQL style, UTC) into out
 * (>= 32 bytes). Returns the length. */
size_t eddy_ts_format_sql(int64_t ms, char *out);

/* Formats epoch ms as ISO-8601 "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (>= 32). */
size_t eddy_ts_format_iso(int64_t ms, char *out);

/* Parses "YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z|±HH:MM]" or "YYYY-MM-DD" (UTC
 * unless an offset is given). Returns 0 or EDDY_E_INVAL. */
int eddy_ts_parse(const char *s, size_t n, int64_t *out_ms);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t eddy_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Inverse of eddy_days_from_civil. */
void eddy_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* a / b rounded toward negative infinity (b != 0): the window or day a
 * time before 1970 falls in. */
static inline int64_t eddy_floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

#endif
