/*
 * fn_time.c — the date and time functions of SQL.md §6.5: CURRENT_DATE,
 * CURRENT_TIME, CURRENT_TIMESTAMP, LOCALTIME, LOCALTIMESTAMP,
 * CURRENT_ROW_TIMESTAMP, FLOOR/CEIL(x TO unit) of datetimes and intervals,
 * EXTRACT, TSDIFF,
 * CHAR_TO_TIMESTAMP/DATE/TIME, DATE/TIME/TIMESTAMP_TO_CHAR, TO_TIMESTAMP and
 * UNIX_TIMESTAMP, with a Java SimpleDateFormat pattern engine.
 *
 * How it fits: udf__attach_time() (called by udf_attach_builtins) attaches
 * these to the signatures of fn_time_sigs.c; the runtime calls
 * udf_set_query_start_ms() on the thread that evaluates a query. All
 * arithmetic is UTC on the proleptic Gregorian calendar (no DST, no time
 * zones but explicit offsets in parsed text), matching KDA, whose system
 * clock is UTC.
 *
 * SimpleDateFormat letters supported: G y Y M L d D E u a H k K h m s S z Z X
 * and quoted text ('...', '' for a quote); Y (week year) is taken as y, and
 * the zone letters write UTC and read Z, UTC, GMT[+-hh:mm] or +-hh[:]mm.
 * w, W and F (week-based fields) are rejected. Parsing follows Java's rules: a numeric field directly
 * followed by another numeric field takes exactly as many digits as the
 * pattern has letters; otherwise it takes every digit present; 'yy' with
 * exactly two digits picks the century that puts the year within 80 years
 * before and 20 after now; text after the last pattern element is ignored
 * (DateFormat.parse does the same). Unlike Java's default lenient mode, a
 * field out of range (month 13, 31 February) is an error: SQL.md says such
 * input gives no result.
 */
#include "udf_fns.h"

#include "eddy_time.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MS_SEC 1000LL
#define MS_MIN 60000LL
#define MS_HOUR 3600000LL
#define MS_DAY 86400000LL

static __thread int64_t q_start_ms;
static __thread int q_start_set;

void udf_set_query_start_ms(int64_t ms) {
    q_start_ms = ms;
    q_start_set = 1;
}

static int64_t query_start(void) { return q_start_set ? q_start_ms : eddy_now_ms(); }

static int row_err(eddy_err *err, size_t *bad_row, size_t i, const char *fmt, const char *arg) {
    *bad_row = i;
    return eddy_err_set(err, EDDY_E_RUNTIME, fmt, arg);
}

static void set_null(eddy_value *o, eddy_type_id t) {
    o->type = t;
    o->is_null = 1;
}

static void set_int(eddy_value *o, eddy_type_id t, int64_t v) {
    o->type = t;
    o->is_null = 0;
    o->u.i = v;
}

/* Splits epoch ms into days since the epoch and ms of the day. */
static void split_ms(int64_t ms, int64_t *days, int64_t *msod) {
    *days = eddy_floor_div(ms, MS_DAY);
    *msod = ms - *days * MS_DAY;
}

/* Joins days and ms of day into epoch ms; -1 on overflow. */
static int join_ms(int64_t days, int64_t msod, int64_t *out) {
    int64_t t;
    if (__builtin_mul_overflow(days, MS_DAY, &t) || __builtin_add_overflow(t, msod, out)) return -1;
    return 0;
}

/* ---- current time ------------------------------------------------------ */

typedef enum { NOW_DATE, NOW_TIME, NOW_TS, NOW_ROW } now_kind;

static int now_fn(const udf_call *call, size_t n, eddy_value *out, now_kind k) {
    int64_t t = k == NOW_ROW ? eddy_now_ms() : query_start(), days = 0, msod = 0;
    split_ms(t, &days, &msod);
    for (size_t i = 0; i < n; i++) {
        switch (k) {
        case NOW_DATE: set_int(&out[i], EDDY_T_DATE, days); break;
        case NOW_TIME: set_int(&out[i], EDDY_T_TIME, msod); break;
        case NOW_TS: set_int(&out[i], EDDY_T_TIMESTAMP, t); break;
        case NOW_ROW: set_int(&out[i], EDDY_T_TIMESTAMP, eddy_now_ms()); break;
        }
    }
    return 0;
}

static int fn_current_date(const udf_call *call, size_t n, const eddy_value *const *args,
                           eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return now_fn(call, n, out, NOW_DATE);
}

static int fn_current_time(const udf_call *call, size_t n, const eddy_value *const *args,
                           eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return now_fn(call, n, out, NOW_TIME);
}

static int fn_current_timestamp(const udf_call *call, size_t n, const eddy_value *const *args,
                                eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return now_fn(call, n, out, NOW_TS);
}

static int fn_current_row_timestamp(const udf_call *call, size_t n, const eddy_value *const *args,
                                    eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return now_fn(call, n, out, NOW_ROW);
}

/* ---- FLOOR / CEIL (x TO unit) ------------------------------------------ */

typedef enum { U_YEAR, U_QUARTER, U_MONTH, U_WEEK, U_DAY, U_HOUR, U_MINUTE, U_SECOND,
               U_MILLISECOND, U_BAD } time_unit;

static const char *const unit_names[] = {"YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR",
                                         "MINUTE", "SECOND", "MILLISECOND"};

static time_unit parse_unit(const eddy_value *v) {
    for (int u = 0; u < U_BAD; u++)
        if (strlen(unit_names[u]) == v->u.s.n && strncasecmp(unit_names[u], v->u.s.p, v->u.s.n) == 0)
            return (time_unit)u;
    return U_BAD;
}

static const int64_t unit_ms[] = {0, 0, 0, 7 * MS_DAY, MS_DAY, MS_HOUR, MS_MIN, MS_SEC, 1};

/* Floors a day number to the start of its year, quarter, month or week.
 * Weeks start on Sunday, as in Calcite's FLOOR(x TO WEEK). */
static int64_t floor_days(int64_t days, time_unit u) {
    int64_t y;
    unsigned m, d;
    if (u == U_WEEK) return eddy_floor_div(days + 4, 7) * 7 - 4;
    eddy_civil_from_days(days, &y, &m, &d);
    if (u == U_YEAR) m = 1;
    if (u == U_QUARTER) m = (m - 1) / 3 * 3 + 1;
    return eddy_days_from_civil(y, m, 1);
}

/* The first day of the next unit after the floored day `days`. */
static int64_t next_days(int64_t days, time_unit u) {
    int64_t y;
    unsigned m, d;
    if (u == U_WEEK) return days + 7;
    eddy_civil_from_days(days, &y, &m, &d);
    unsigned add = u == U_YEAR ? 12 : u == U_QUARTER ? 3 : 1;
    m += add;
    if (m > 12) {
        y += (m - 1) / 12;
        m = (m - 1) % 12 + 1;
    }
    return eddy_days_from_civil(y, m, 1);
}

/* Floors (ceil = 0) or ceils (ceil = 1) one value of type t to unit u.
 * Returns 0, or -1 when the result leaves the type's range. */
static int trunc_value(eddy_type_id t, int64_t v, time_unit u, int ceil, int64_t *out) {
    int calendar = u <= U_WEEK;
    if (t == EDDY_T_DATE) {
        if (!calendar) {
            *out = v;
            return 0;
        }
        int64_t f = floor_days(v, u);
        *out = (ceil && f != v) ? next_days(f, u) : f;
        return 0;
    }
    if (t == EDDY_T_TIME) {
        int64_t step = calendar ? MS_DAY : unit_ms[u];
        int64_t f = eddy_floor_div(v, step) * step;
        *out = (ceil && f != v) ? f + step : f;
        return *out >= MS_DAY ? -1 : 0;
    }
    int64_t days = 0, msod = 0, f = 0;
    if (calendar) {
        split_ms(v, &days, &msod);
        int64_t fd = floor_days(days, u);
        if (join_ms(fd, 0, &f) != 0) return -1;
        if (ceil && f != v) return join_ms(next_days(fd, u), 0, out);
        *out = f;
        return 0;
    }
    f = eddy_floor_div(v, unit_ms[u]) * unit_ms[u];
    if (ceil && f != v) return __builtin_add_overflow(f, unit_ms[u], out) ? -1 : 0;
    *out = f;
    return 0;
}

static int floor_ceil_to(const udf_call *call, size_t n, const eddy_value *const *args,
                         eddy_value *out, size_t *bad_row, eddy_err *err, int ceil) {
    eddy_type_id t = call->arg_types[0].id;
    for (size_t i = 0; i < n; i++) {
        if (args[0][i].is_null || args[1][i].is_null) {
            set_null(&out[i], t);
            continue;
        }
        time_unit u = parse_unit(&args[1][i]);
        if (u == U_BAD) return row_err(err, bad_row, i, "invalid time unit for %s", "FLOOR or CEIL");
        int64_t r;
        if (trunc_value(t, args[0][i].u.i, u, ceil, &r) != 0)
            return row_err(err, bad_row, i, "%s out of range", eddy_type_name(t));
        set_int(&out[i], t, r);
    }
    return 0;
}

static int fn_floor_to(const udf_call *call, size_t n, const eddy_value *const *args,
                       eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return floor_ceil_to(call, n, args, out, bad_row, err, 0);
}

static int fn_ceil_to(const udf_call *call, size_t n, const eddy_value *const *args,
                      eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return floor_ceil_to(call, n, args, out, bad_row, err, 1);
}

/* FLOOR(interval TO unit), the bucketing idiom that predates STEP:
 * FLOOR((ts - epoch) SECOND / 10 TO SECOND). A day-time interval (ms) is
 * floored (toward minus infinity, like FLOOR of a number) to a whole number
 * of WEEK..MILLISECOND units; a year-month interval (months) to whole
 * years or quarters, and is unchanged by MONTH or finer units. */
static int fn_floor_interval_to(const udf_call *call, size_t n, const eddy_value *const *args,
                                eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    eddy_type_id t = call->arg_types[0].id;
    int ym = t == EDDY_T_INTERVAL_YM;
    for (size_t i = 0; i < n; i++) {
        if (args[0][i].is_null || args[1][i].is_null) {
            set_null(&out[i], t);
            continue;
        }
        time_unit u = parse_unit(&args[1][i]);
        int64_t v = args[0][i].u.i, step;
        if (u == U_BAD || (!ym && u < U_WEEK))
            return row_err(err, bad_row, i, "invalid time unit for %s",
                           ym ? "a year-month interval" : "a day-time interval");
        step = ym ? (u == U_YEAR ? 12 : u == U_QUARTER ? 3 : 1) : unit_ms[u];
        set_int(&out[i], t, eddy_floor_div(v, step) * step);
    }
    return 0;
}

/* ---- EXTRACT ----------------------------------------------------------- */

typedef enum { F_YEAR, F_QUARTER, F_MONTH, F_WEEK, F_DAY, F_DOW, F_DOY, F_HOUR, F_MINUTE,
               F_SECOND, F_MILLISECOND, F_EPOCH, F_BAD } ext_field;

static const char *const field_names[] = {"YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "DOW",
                                          "DOY", "HOUR", "MINUTE", "SECOND", "MILLISECOND",
                                          "EPOCH"};

static ext_field parse_field(const eddy_value *v) {
    for (int f = 0; f < F_BAD; f++)
        if (strlen(field_names[f]) == v->u.s.n && strncasecmp(field_names[f], v->u.s.p, v->u.s.n) == 0)
            return (ext_field)f;
    return F_BAD;
}

/* ISO-8601 week number (weeks start on Monday; week 1 holds January 4). */
static int64_t iso_week(int64_t days) {
    int64_t dow = eddy_floor_div(days + 3, 7) * 7 - 3; /* Monday of this week */
    int64_t thursday = dow + 3, y;
    unsigned m, d;
    eddy_civil_from_days(thursday, &y, &m, &d);
    return (thursday - eddy_days_from_civil(y, 1, 1)) / 7 + 1;
}

/* EXTRACT from a DATE (days), TIME (ms of day) or TIMESTAMP. DOW counts
 * Sunday = 1 .. Saturday = 7 and MILLISECOND includes the seconds
 * (SECOND * 1000 + ms), both as in Calcite. Returns -1 for a date field of
 * a TIME value. */
static int extract_dt(eddy_type_id t, int64_t v, ext_field f, int64_t *out) {
    int64_t days = 0, msod = 0, y;
    unsigned m, d;
    if (t == EDDY_T_DATE) days = v;
    else if (t == EDDY_T_TIME) msod = v;
    else split_ms(v, &days, &msod);
    if (t == EDDY_T_TIME && f <= F_DOY) return -1;
    eddy_civil_from_days(days, &y, &m, &d);
    switch (f) {
    case F_YEAR: *out = y; break;
    case F_QUARTER: *out = (m - 1) / 3 + 1; break;
    case F_MONTH: *out = m; break;
    case F_WEEK: *out = iso_week(days); break;
    case F_DAY: *out = d; break;
    case F_DOW: *out = eddy_floor_div(days + 4, 7) * -7 + days + 4 + 1; break;
    case F_DOY: *out = days - eddy_days_from_civil(y, 1, 1) + 1; break;
    case F_HOUR: *out = msod / MS_HOUR; break;
    case F_MINUTE: *out = msod / MS_MIN % 60; break;
    case F_SECOND: *out = msod / MS_SEC % 60; break;
    case F_MILLISECOND: *out = msod % MS_MIN; break;
    case F_EPOCH:
        *out = t == EDDY_T_DATE ? days * 86400 : t == EDDY_T_TIME ? msod / MS_SEC : eddy_floor_div(v, MS_SEC);
        break;
    default: return -1;
    }
    return 0;
}

static int fn_extract(const udf_call *call, size_t n, const eddy_value *const *args,
                      eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    eddy_type_id t = call->arg_types[1].id;
    for (size_t i = 0; i < n; i++) {
        if (args[0][i].is_null || args[1][i].is_null) {
            set_null(&out[i], EDDY_T_BIGINT);
            continue;
        }
        ext_field f = parse_field(&args[0][i]);
        int64_t r;
        if (f == F_BAD || extract_dt(t, args[1][i].u.i, f, &r) != 0)
            return row_err(err, bad_row, i, "EXTRACT field is not valid for %s", eddy_type_name(t));
        set_int(&out[i], EDDY_T_BIGINT, r);
    }
    return 0;
}

/* EXTRACT from an interval: a day-time interval (ms) has DAY, HOUR, MINUTE,
 * SECOND and MILLISECOND; a year-month interval (months) YEAR and MONTH.
 * Components keep the interval's sign, so EXTRACT(HOUR FROM INTERVAL
 * '-3 4' DAY TO HOUR) = -4. */
static int fn_extract_interval(const udf_call *call, size_t n, const eddy_value *const *args,
                               eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    int ym = call->arg_types[1].id == EDDY_T_INTERVAL_YM;
    for (size_t i = 0; i < n; i++) {
        if (args[0][i].is_null || args[1][i].is_null) {
            set_null(&out[i], EDDY_T_BIGINT);
            continue;
        }
        ext_field f = parse_field(&args[0][i]);
        int64_t v = args[1][i].u.i, r;
        if (ym && f == F_YEAR) r = v / 12;
        else if (ym && f == F_MONTH) r = v % 12;
        else if (!ym && f == F_DAY) r = v / MS_DAY;
        else if (!ym && f == F_HOUR) r = v / MS_HOUR % 24;
        else if (!ym && f == F_MINUTE) r = v / MS_MIN % 60;
        else if (!ym && f == F_SECOND) r = v / MS_SEC % 60;
        else if (!ym && f == F_MILLISECOND) r = v % MS_MIN;
        else
            return row_err(err, bad_row, i, "EXTRACT field is not valid for %s",
                           ym ? "a year-month interval" : "a day-time interval");
        set_int(&out[i], EDDY_T_BIGINT, r);
    }
    return 0;
}

/* ---- conversions between TIMESTAMP and BIGINT -------------------------- */

/* TSDIFF(start, end) = end - start in ms (SQL.md leaves the sign open; the
 * name reads "difference from start to end", so a later end is positive). */
static int fn_tsdiff(const udf_call *call, size_t n, const eddy_value *const *args,
                     eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    for (size_t i = 0; i < n; i++) {
        int64_t r;
        if (args[0][i].is_null || args[1][i].is_null) {
            set_null(&out[i], EDDY_T_BIGINT);
            continue;
        }
        if (__builtin_sub_overflow(args[1][i].u.i, args[0][i].u.i, &r))
            return row_err(err, bad_row, i, "%s out of range in TSDIFF", "BIGINT");
        set_int(&out[i], EDDY_T_BIGINT, r);
    }
    return 0;
}

/* TO_TIMESTAMP and UNIX_TIMESTAMP share the representation (epoch ms); only
 * the type changes. */
static int retag(const udf_call *call, size_t n, const eddy_value *const *args, eddy_value *out) {
    for (size_t i = 0; i < n; i++) {
        out[i] = args[0][i];
        out[i].type = call->ret_type.id;
    }
    return 0;
}

static int fn_to_timestamp(const udf_call *call, size_t n, const eddy_value *const *args,
                           eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return retag(call, n, args, out);
}

static int fn_unix_timestamp(const udf_call *call, size_t n, const eddy_value *const *args,
                             eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return retag(call, n, args, out);
}

/* ---- SimpleDateFormat patterns ----------------------------------------- */

/* One element of a compiled pattern: a field letter repeated `count` times,
 * or (letter 0) literal text lit[0..n). */
typedef struct fmt_item {
    char letter;
    int count;
    const char *lit;
    size_t n;
} fmt_item;

#define FMT_MAX_ITEMS 128

static const char *const month_long[] = {"January", "February", "March",     "April",
                                         "May",     "June",     "July",      "August",
                                         "September", "October", "November", "December"};
static const char *const day_long[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};

/* Compiles a pattern into items (literal text may point into `pat` or into
 * `mem`). Returns the item count, or -1 with err set. */
static int fmt_compile(const char *pat, size_t n, fmt_item *items, arena *mem, eddy_err *err) {
    int k = 0;
    size_t i = 0;
    while (i < n) {
        if (k == FMT_MAX_ITEMS) {
            eddy_err_set(err, EDDY_E_RUNTIME, "date format pattern is too long");
            return -1;
        }
        char c = pat[i];
        fmt_item *it = &items[k];
        memset(it, 0, sizeof *it);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            if (!strchr("GyYMLdDEuaHkKhmsSzZX", c)) {
                eddy_err_set(err, EDDY_E_RUNTIME, "unsupported date format pattern letter '%c'", c);
                return -1;
            }
            size_t j = i;
            while (j < n && pat[j] == c) j++;
            it->letter = c;
            it->count = (int)(j - i);
            i = j;
        } else if (c == '\'') {
            if (i + 1 < n && pat[i + 1] == '\'') {
                it->lit = "'";
                it->n = 1;
                i += 2;
            } else {
                /* Quoted text up to the closing quote; '' inside is a quote. */
                char *buf = arena_alloc(mem, n - i);
                if (!buf) {
                    eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                    return -1;
                }
                size_t o = 0, j = i + 1;
                for (;;) {
                    if (j >= n) {
                        eddy_err_set(err, EDDY_E_RUNTIME, "unterminated quote in date format pattern");
                        return -1;
                    }
                    if (pat[j] == '\'') {
                        if (j + 1 < n && pat[j + 1] == '\'') {
                            buf[o++] = '\'';
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    buf[o++] = pat[j++];
                }
                it->lit = buf;
                it->n = o;
                i = j + 1;
            }
        } else {
            size_t j = i;
            while (j < n && pat[j] != '\'' && !((pat[j] >= 'a' && pat[j] <= 'z') ||
                                                (pat[j] >= 'A' && pat[j] <= 'Z')))
                j++;
            it->lit = pat + i;
            it->n = j - i;
            i = j;
        }
        k++;
    }
    return k;
}

/* Appends v zero-padded to at least `width` digits. */
static void put_num(sbuf *b, int64_t v, int width) {
    if (width > 20) width = 20;
    sbuf_printf(b, "%0*lld", width, (long long)v);
}

/* Formats a point in time (days since the epoch + ms of day). */
static void fmt_format(const fmt_item *items, int n_items, int64_t days, int64_t msod, sbuf *b) {
    int64_t y;
    unsigned m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    int64_t era_year = y > 0 ? y : 1 - y; /* Java shows 1 BC for year 0 */
    int64_t h = msod / MS_HOUR, mi = msod / MS_MIN % 60, s = msod / MS_SEC % 60, ms = msod % 1000;
    int dow = (int)(days - eddy_floor_div(days + 4, 7) * 7 + 4); /* 0 = Sunday */
    for (int k = 0; k < n_items; k++) {
        const fmt_item *it = &items[k];
        int c = it->count;
        switch (it->letter) {
        case 0: sbuf_append(b, it->lit, it->n); break;
        case 'G': sbuf_puts(b, y > 0 ? "AD" : "BC"); break;
        case 'y':
        case 'Y':
            if (c == 2) put_num(b, era_year % 100, 2);
            else put_num(b, era_year, c);
            break;
        case 'M':
        case 'L':
            if (c >= 4) sbuf_puts(b, month_long[m - 1]);
            else if (c == 3) sbuf_append(b, month_long[m - 1], 3);
            else put_num(b, m, c);
            break;
        case 'd': put_num(b, d, c); break;
        case 'D': put_num(b, days - eddy_days_from_civil(y, 1, 1) + 1, c); break;
        case 'E':
            if (c >= 4) sbuf_puts(b, day_long[dow]);
            else sbuf_append(b, day_long[dow], 3);
            break;
        case 'u': put_num(b, dow == 0 ? 7 : dow, c); break;
        case 'a': sbuf_puts(b, h < 12 ? "AM" : "PM"); break;
        case 'H': put_num(b, h, c); break;
        case 'k': put_num(b, h == 0 ? 24 : h, c); break;
        case 'K': put_num(b, h % 12, c); break;
        case 'h': put_num(b, h % 12 == 0 ? 12 : h % 12, c); break;
        case 'm': put_num(b, mi, c); break;
        case 's': put_num(b, s, c); break;
        case 'S': put_num(b, ms, c); break;
        case 'z': sbuf_puts(b, c >= 4 ? "Coordinated Universal Time" : "UTC"); break;
        case 'Z': sbuf_puts(b, "+0000"); break;
        case 'X': sbuf_puts(b, "Z"); break;
        }
    }
}

static int is_numeric_letter(char c) { return c != 0 && strchr("yYMLdDuHkKhmsS", c) != NULL; }

/* Matches one of `names` (full or 3-letter form, case-insensitive) at
 * s[*pos]; returns its index or -1. Longest match wins (May vs March). */
static int match_name(const char *s, size_t n, size_t *pos, const char *const *names, int count) {
    int best = -1;
    size_t best_len = 0;
    for (int k = 0; k < count; k++) {
        size_t full = strlen(names[k]);
        if (n - *pos >= full && full > best_len && strncasecmp(s + *pos, names[k], full) == 0) {
            best = k;
            best_len = full;
        } else if (n - *pos >= 3 && 3 > best_len && strncasecmp(s + *pos, names[k], 3) == 0) {
            best = k;
            best_len = 3;
        }
    }
    if (best >= 0) *pos += best_len;
    return best;
}

/* Parsed fields; -1 marks "not given". */
typedef struct parsed {
    int64_t year;
    int bc, year2; /* year2: two-digit 'yy' year to place in a century */
    int64_t month, day, doy, hour24, hour12, pm, minute, second, milli;
    int64_t offset_ms;
} parsed;

/* Reads a time-zone designator: Z, UTC, GMT[+-hh[:mm]], +-hh[[:]mm]. */
static int parse_zone(const char *s, size_t n, size_t *pos, int64_t *off) {
    size_t p = *pos;
    *off = 0;
    if (p < n && s[p] == 'Z') {
        *pos = p + 1;
        return 0;
    }
    if (n - p >= 3 && (strncmp(s + p, "UTC", 3) == 0 || strncmp(s + p, "GMT", 3) == 0)) {
        p += 3;
        if (p >= n || (s[p] != '+' && s[p] != '-')) {
            *pos = p;
            return 0;
        }
    }
    if (p >= n || (s[p] != '+' && s[p] != '-')) return -1;
    int sign = s[p] == '-' ? -1 : 1;
    p++;
    int digits[4], nd = 0;
    while (p < n && nd < 4) {
        if (s[p] == ':' && nd == 2) {
            p++;
            continue;
        }
        if (s[p] < '0' || s[p] > '9') break;
        digits[nd++] = s[p++] - '0';
    }
    if (nd != 2 && nd != 4) return -1;
    int64_t hh = digits[0] * 10 + digits[1], mm = nd == 4 ? digits[2] * 10 + digits[3] : 0;
    if (hh > 23 || mm > 59) return -1;
    *off = sign * (hh * MS_HOUR + mm * MS_MIN);
    *pos = p;
    return 0;
}

/* Parses s[0..n) with the compiled pattern into epoch days + ms of day.
 * Returns 0, or EDDY_E_RUNTIME with err set. */
static int fmt_parse(const fmt_item *items, int n_items, const char *s, size_t n, int64_t *out_days,
                     int64_t *out_msod, eddy_err *err) {
    parsed f = {.year = -1, .month = -1, .day = -1, .doy = -1, .hour24 = -1, .hour12 = -1,
                .pm = -1, .minute = -1, .second = -1, .milli = -1};
    size_t pos = 0;
    for (int k = 0; k < n_items; k++) {
        const fmt_item *it = &items[k];
        char c = it->letter;
        if (c == 0) {
            if (n - pos < it->n || memcmp(s + pos, it->lit, it->n) != 0)
                goto mismatch;
            pos += it->n;
            continue;
        }
        if ((c == 'M' || c == 'L') && it->count >= 3) {
            int mk = match_name(s, n, &pos, month_long, 12);
            if (mk < 0) goto mismatch;
            f.month = mk + 1;
            continue;
        }
        if (c == 'E') {
            if (match_name(s, n, &pos, day_long, 7) < 0) goto mismatch;
            continue;
        }
        if (c == 'a') {
            if (n - pos >= 2 && strncasecmp(s + pos, "AM", 2) == 0) f.pm = 0;
            else if (n - pos >= 2 && strncasecmp(s + pos, "PM", 2) == 0) f.pm = 1;
            else goto mismatch;
            pos += 2;
            continue;
        }
        if (c == 'G') {
            if (n - pos >= 2 && strncasecmp(s + pos, "AD", 2) == 0) f.bc = 0;
            else if (n - pos >= 2 && strncasecmp(s + pos, "BC", 2) == 0) f.bc = 1;
            else goto mismatch;
            pos += 2;
            continue;
        }
        if (c == 'z' || c == 'Z' || c == 'X') {
            if (parse_zone(s, n, &pos, &f.offset_ms) != 0) goto mismatch;
            continue;
        }
        /* A numeric field: fixed width when the next item is numeric too. */
        size_t maxd = (k + 1 < n_items && is_numeric_letter(items[k + 1].letter)) ? (size_t)it->count : 9;
        size_t start = pos;
        int64_t v = 0;
        while (pos < n && pos - start < maxd && s[pos] >= '0' && s[pos] <= '9') v = v * 10 + (s[pos++] - '0');
        if (pos == start) goto mismatch;
        switch (c) {
        case 'y':
        case 'Y':
            f.year = v;
            f.year2 = it->count <= 2 && pos - start == 2;
            break;
        case 'M':
        case 'L': f.month = v; break;
        case 'd': f.day = v; break;
        case 'D': f.doy = v; break;
        case 'u': break; /* day of week: implied by the date */
        case 'H':
            if (v > 23) goto range;
            f.hour24 = v;
            break;
        case 'k':
            if (v < 1 || v > 24) goto range;
            f.hour24 = v == 24 ? 0 : v;
            break;
        case 'K':
            if (v > 11) goto range;
            f.hour12 = v;
            break;
        case 'h':
            if (v < 1 || v > 12) goto range;
            f.hour12 = v == 12 ? 0 : v;
            break;
        case 'm': f.minute = v; break;
        case 's': f.second = v; break;
        case 'S': f.milli = v; break;
        }
    }
    int64_t year = f.year < 0 ? 1970 : f.year;
    if (f.year2) {
        /* Java's default century: the 100 years starting 80 years ago. */
        int64_t nowy;
        unsigned nm, nd;
        eddy_civil_from_days(eddy_floor_div(eddy_now_ms(), MS_DAY), &nowy, &nm, &nd);
        int64_t lo = nowy - 80;
        year = lo - ((lo % 100) + 100) % 100 + year;
        if (year < lo) year += 100;
    }
    if (f.bc) year = 1 - year;
    int64_t month = f.month < 0 ? 1 : f.month, day = f.day < 0 ? 1 : f.day;
    if (month < 1 || month > 12) goto range;
    int64_t days;
    if (f.doy >= 0 && f.month < 0 && f.day < 0) {
        int64_t jan1 = eddy_days_from_civil(year, 1, 1);
        if (f.doy < 1 || f.doy > eddy_days_from_civil(year + 1, 1, 1) - jan1) goto range;
        days = jan1 + f.doy - 1;
    } else {
        int64_t first = eddy_days_from_civil(year, (unsigned)month, 1);
        int64_t next = month == 12 ? eddy_days_from_civil(year + 1, 1, 1)
                                   : eddy_days_from_civil(year, (unsigned)month + 1, 1);
        if (day < 1 || day > next - first) goto range;
        days = first + day - 1;
    }
    int64_t hour = 0;
    if (f.hour24 >= 0) hour = f.hour24;
    else if (f.hour12 >= 0) hour = f.hour12 + (f.pm == 1 ? 12 : 0);
    else if (f.pm == 1) hour = 12;
    if (f.minute > 59 || f.second > 59 || f.milli > 999) goto range;
    int64_t msod = hour * MS_HOUR + (f.minute < 0 ? 0 : f.minute) * MS_MIN +
                   (f.second < 0 ? 0 : f.second) * MS_SEC + (f.milli < 0 ? 0 : f.milli);
    msod -= f.offset_ms;
    days += eddy_floor_div(msod, MS_DAY);
    msod -= eddy_floor_div(msod, MS_DAY) * MS_DAY;
    *out_days = days;
    *out_msod = msod;
    return 0;
mismatch:
    return eddy_err_set(err, EDDY_E_RUNTIME, "cannot parse \"%.*s\" with the date format at offset %zu",
                        (int)(n > 64 ? 64 : n), s, pos);
range:
    return eddy_err_set(err, EDDY_E_RUNTIME, "date field out of range in \"%.*s\"",
                        (int)(n > 64 ? 64 : n), s);
}

/* ---- CHAR_TO_* and *_TO_CHAR ------------------------------------------- */

/* The day range a TIMESTAMP can hold in epoch ms (about ±290 million
 * years). The parser accepts 9-digit years, so parsed values are checked
 * against it; DATE and TIME results use the same bound for consistency. */
#define MAX_ABS_DAYS 106000000000LL

static int char_to(const udf_call *call, size_t n, const eddy_value *const *args, eddy_value *out,
                   arena *mem, size_t *bad_row, eddy_err *err, eddy_type_id rt) {
    fmt_item items[FMT_MAX_ITEMS];
    for (size_t i = 0; i < n; i++) {
        const eddy_value *fmt = &args[0][i], *s = &args[1][i];
        if (fmt->is_null || s->is_null) {
            set_null(&out[i], rt);
            continue;
        }
        int ni = fmt_compile(fmt->u.s.p, fmt->u.s.n, items, mem, err);
        int64_t days = 0, msod = 0, ts = 0;
        if (ni < 0) {
            *bad_row = i;
            return err->code;
        }
        int rc = fmt_parse(items, ni, s->u.s.p, s->u.s.n, &days, &msod, err);
        if (rc != 0) {
            *bad_row = i;
            return rc;
        }
        if (days > MAX_ABS_DAYS || days < -MAX_ABS_DAYS || join_ms(days, msod, &ts) != 0)
            return row_err(err, bad_row, i, "%s out of range", eddy_type_name(rt));
        if (rt == EDDY_T_DATE) set_int(&out[i], rt, days);
        else if (rt == EDDY_T_TIME) set_int(&out[i], rt, msod);
        else set_int(&out[i], rt, ts);
    }
    return 0;
}

static int fn_char_to_timestamp(const udf_call *call, size_t n, const eddy_value *const *args,
                                eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return char_to(call, n, args, out, mem, bad_row, err, EDDY_T_TIMESTAMP);
}

static int fn_char_to_date(const udf_call *call, size_t n, const eddy_value *const *args,
                           eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return char_to(call, n, args, out, mem, bad_row, err, EDDY_T_DATE);
}

static int fn_char_to_time(const udf_call *call, size_t n, const eddy_value *const *args,
                           eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return char_to(call, n, args, out, mem, bad_row, err, EDDY_T_TIME);
}

/* Formats args[1] (of type vt) with the pattern args[0]. A NULL value gives
 * the string 'null' (SQL.md §6.5); a NULL pattern gives NULL. */
static int to_char(const udf_call *call, size_t n, const eddy_value *const *args, eddy_value *out,
                   arena *mem, size_t *bad_row, eddy_err *err, eddy_type_id vt) {
    fmt_item items[FMT_MAX_ITEMS];
    sbuf b;
    sbuf_init(&b);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const eddy_value *fmt = &args[0][i], *v = &args[1][i];
        out[i].type = EDDY_T_VARCHAR;
        out[i].is_null = 0;
        if (fmt->is_null) {
            out[i].is_null = 1;
            continue;
        }
        if (v->is_null) {
            out[i].u.s.p = "null";
            out[i].u.s.n = 4;
            continue;
        }
        int ni = fmt_compile(fmt->u.s.p, fmt->u.s.n, items, mem, err);
        if (ni < 0) {
            *bad_row = i;
            rc = err->code;
            break;
        }
        int64_t days = 0, msod = 0;
        if (vt == EDDY_T_DATE) days = v->u.i;
        else if (vt == EDDY_T_TIME) msod = v->u.i;
        else split_ms(v->u.i, &days, &msod);
        sbuf_clear(&b);
        fmt_format(items, ni, days, msod, &b);
        char *p = arena_strndup(mem, b.len ? b.data : "", b.len);
        if (!p) {
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            break;
        }
        out[i].u.s.p = p;
        out[i].u.s.n = (uint32_t)b.len;
    }
    sbuf_free(&b);
    return rc;
}

static int fn_date_to_char(const udf_call *call, size_t n, const eddy_value *const *args,
                           eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return to_char(call, n, args, out, mem, bad_row, err, EDDY_T_DATE);
}

static int fn_time_to_char(const udf_call *call, size_t n, const eddy_value *const *args,
                           eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return to_char(call, n, args, out, mem, bad_row, err, EDDY_T_TIME);
}

static int fn_timestamp_to_char(const udf_call *call, size_t n, const eddy_value *const *args,
                                eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return to_char(call, n, args, out, mem, bad_row, err, EDDY_T_TIMESTAMP);
}

int udf__attach_time(udf_registry *r, eddy_err *err) {
    static const struct {
        const char *specific;
        udf_scalar_eval_fn fn;
    } tab[] = {
        {"CURRENT_DATE", fn_current_date},
        {"CURRENT_TIME", fn_current_time},
        {"CURRENT_TIMESTAMP", fn_current_timestamp},
        {"LOCALTIME", fn_current_time},
        {"LOCALTIMESTAMP", fn_current_timestamp},
        {"CURRENT_ROW_TIMESTAMP", fn_current_row_timestamp},
        {"FLOOR_TO", fn_floor_to},
        {"FLOOR_INTERVAL_TO", fn_floor_interval_to},
        {"CEIL_TO", fn_ceil_to},
        {"CEILING_TO", fn_ceil_to},
        {"EXTRACT", fn_extract},
        {"EXTRACT_INTERVAL", fn_extract_interval},
        {"TSDIFF", fn_tsdiff},
        {"TSDIFF_TS", fn_tsdiff},
        {"CHAR_TO_TIMESTAMP", fn_char_to_timestamp},
        {"CHAR_TO_DATE", fn_char_to_date},
        {"CHAR_TO_TIME", fn_char_to_time},
        {"DATE_TO_CHAR", fn_date_to_char},
        {"TIME_TO_CHAR", fn_time_to_char},
        {"TIMESTAMP_TO_CHAR", fn_timestamp_to_char},
        {"TO_TIMESTAMP", fn_to_timestamp},
        {"UNIX_TIMESTAMP", fn_unix_timestamp},
    };
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (udf_attach_scalar(r, tab[k].specific, tab[k].fn) != 0)
            return eddy_err_set(err, EDDY_E_NOTFOUND, "function %s is not registered",
                                tab[k].specific);
    return 0;
}
