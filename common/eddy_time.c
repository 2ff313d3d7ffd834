/*
 * eddy_time.c — clocks and UTC timestamp text without the C library's
 * locale- and timezone-dependent calls (Howard Hinnant's civil algorithms).
 */
#include "eddy_time.h"
#include "eddy_err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t eddy_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t eddy_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t eddy_days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void eddy_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static const char pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Output rows carry runs of timestamps from the same day, so each thread keeps
 * the last day's "YYYY-MM-DD" and only the time of day is formatted per call.
 * Runs from the same minute are commoner still: the last minute's
 * "YYYY-MM-DD?HH:MM:" is kept too (with any separator at 10), and then only
 * "SS.mmm" is formatted. */
static __thread int64_t cached_day = INT64_MIN;
static __thread char cached_date[10];
static __thread int cached_ok;
static __thread int64_t cached_min = INT64_MIN;   /* minutes since the epoch */
static __thread char cached_hm[17];                /* valid when cached_min is */

/* Writes "YYYY-MM-DD?HH:MM:SS.mmm" (23 bytes, sep at 10) without printf.
 * Years outside 0..9999 need printf's widths and signs; returns 0 for them. */
static size_t format_ts(int64_t ms, char sep, char *out) {
    int64_t mins = ms / 60000 - (ms % 60000 < 0);   /* floor, without negating INT64_MIN */
    if (mins == cached_min) {
        unsigned sm = (unsigned)(ms % 60000 + (ms % 60000 < 0 ? 60000 : 0)), s = sm / 1000, f = sm % 1000;
        memcpy(out, cached_hm, 17);
        out[10] = sep;
        memcpy(out + 17, pairs + 2 * s, 2);
        out[19] = '.';
        out[20] = (char)('0' + f / 100);
        memcpy(out + 21, pairs + 2 * (f % 100), 2);
        return 23;
    }
    int64_t days = ms / 86400000 - (ms % 86400000 < 0);
    unsigned rem = (unsigned)(ms % 86400000 + (ms % 86400000 < 0 ? 86400000 : 0));
    if (days != cached_day) {
        int64_t y;
        unsigned mo, d;
        eddy_civil_from_days(days, &y, &mo, &d);
        cached_day = days;
        cached_ok = y >= 0 && y <= 9999;
        if (cached_ok) {
            memcpy(cached_date, pairs + 2 * (y / 100), 2);
            memcpy(cached_date + 2, pairs + 2 * (y % 100), 2);
            cached_date[4] = '-';
            memcpy(cached_date + 5, pairs + 2 * mo, 2);
            cached_date[7] = '-';
            memcpy(cached_date + 8, pairs + 2 * d, 2);
        }
    }
    if (!cached_ok) return 0;
    unsigned h = rem / 3600000, mi = rem / 60000 % 60, s = rem / 1000 % 60, f = rem % 1000;
    memcpy(out, cached_date, 10);
    out[10] = sep;
    memcpy(out + 11, pairs + 2 * h, 2);
    out[13] = ':';
    memcpy(out + 14, pairs + 2 * mi, 2);
    out[16] = ':';
    memcpy(out + 17, pairs + 2 * s, 2);
    out[19] = '.';
    out[20] = (char)('0' + f / 100);
    memcpy(out + 21, pairs + 2 * (f % 100), 2);
    memcpy(cached_hm, out, 17);
    cached_min = mins;
    return 23;
}

static void split(int64_t ms, int64_t *y, unsigned *mo, unsigned *d, int *h,
                  int *mi, int *s, int *frac) {
    int64_t days = ms / 86400000 - (ms % 86400000 < 0);
    int64_t rem = ms % 86400000 + (ms % 86400000 < 0 ? 86400000 : 0);
    eddy_civil_from_days(days, y, mo, d);
    *h = (int)(rem / 3600000);
    *mi = (int)(rem / 60000 % 60);
    *s = (int)(rem / 1000 % 60);
    *frac = (int)(rem % 1000);
}

size_t eddy_ts_format_sql(int64_t ms, char *out) {
    size_t n = format_ts(ms, ' ', out);
    if (n) {
        out[n] = '\0';
        return n;
    }
    int64_t y;
    unsigned mo, d;
    int h, mi, s, f;
    split(ms, &y, &mo, &d, &h, &mi, &s, &f);
    return (size_t)snprintf(out, 32, "%04lld-%02u-%02u %02d:%02d:%02d.%03d",
                            (long long)y, mo, d, h, mi, s, f);
}

size_t eddy_ts_format_iso(int64_t ms, char *out) {
    size_t n = format_ts(ms, 'T', out);
    if (n) {
        out[n++] = 'Z';
        out[n] = '\0';
        return n;
    }
    int64_t y;
    unsigned mo, d;
    int h, mi, s, f;
    split(ms, &y, &mo, &d, &h, &mi, &s, &f);
    return (size_t)snprintf(out, 32, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                            (long long)y, mo, d, h, mi, s, f);
}

static int digits(const char *s, size_t n, size_t *i, int count, int *out) {
    int v = 0;
    for (int k = 0; k < count; k++) {
        if (*i >= n || s[*i] < '0' || s[*i] > '9') return -1;
        v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    *out = v;
    return 0;
}

int eddy_ts_parse(const char *s, size_t n, int64_t *out_ms) {
    size_t i = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    if (digits(s, n, &i, 4, &y) || i >= n || s[i++] != '-' ||
        digits(s, n, &i, 2, &mo) || i >= n || s[i++] != '-' ||
        digits(s, n, &i, 2, &d))
        return EDDY_E_INVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return EDDY_E_INVAL;
    int64_t tz_ms = 0;
    if (i < n && (s[i] == ' ' || s[i] == 'T' || s[i] == 't')) {
        i++;
        if (digits(s, n, &i, 2, &h) || i >= n || s[i++] != ':' ||
            digits(s, n, &i, 2, &mi))
            return EDDY_E_INVAL;
        if (i < n && s[i] == ':') {
            i++;
            if (digits(s, n, &i, 2, &sec)) return EDDY_E_INVAL;
            if (i < n && (s[i] == '.' || s[i] == ',')) {
                i++;
                int scale = 100, any = 0;
                while (i < n && s[i] >= '0' && s[i] <= '9') {
                    ms += (s[i] - '0') * scale;
                    scale /= 10;
                    i++;
                    any = 1;
                }
                if (!any) return EDDY_E_INVAL;
            }
        }
        if (h > 23 || mi > 59 || sec > 60) return EDDY_E_INVAL;
        if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i] == '-' ? -1 : 1, th, tm = 0;
            i++;
            if (digits(s, n, &i, 2, &th)) return EDDY_E_INVAL;
            if (i < n && s[i] == ':') i++;
            if (i < n && s[i] >= '0' && s[i] <= '9' && digits(s, n, &i, 2, &tm))
                return EDDY_E_INVAL;
            tz_ms = sign * ((int64_t)th * 3600000 + (int64_t)tm * 60000);
        }
    }
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i != n) return EDDY_E_INVAL;
    int64_t days = eddy_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out_ms = days * 86400000 + (int64_t)h * 3600000 + (int64_t)mi * 60000 +
              (int64_t)sec * 1000 + ms - tz_ms;
    return 0;
}
