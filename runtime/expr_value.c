/*
 * expr_value.c — value-level SQL semantics shared by the expression
 * evaluator, aggregates and sinks: CAST between every pair of types the
 * dialect allows, comparison, and LIKE matching.
 */
#include "expr.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eddy_time.h"
#include "sbuf.h"

static int scale_of(eddy_type t) { return t.id == EDDY_T_DECIMAL ? t.scale : 0; }

/* Rescales a scaled integer from scale `from` to `to`, rounding half away
 * from zero when digits are dropped. Returns -1 on overflow. */
static int rescale(int64_t v, int from, int to, int64_t *out) {
    if (to == from) {
        *out = v;
        return 0;
    }
    if (to > from) {
        int64_t p = eddy_pow10(to - from);
        if (p == 0 || __builtin_mul_overflow(v, p, out)) return -1;
        return 0;
    }
    int64_t p = eddy_pow10(from - to);
    if (p == 0) {
        *out = 0;
        return 0;
    }
    int64_t q = v / p, r = v % p;
    if (r * 2 >= p) q++;
    else if (r * 2 <= -p) q--;
    *out = q;
    return 0;
}

static int fits(eddy_type t, int64_t v) {
    if (eddy_type_is_integer(t.id) || t.id == EDDY_T_BOOLEAN) {
        int64_t lo, hi;
        eddy_int_range(t.id, &lo, &hi);
        return v >= lo && v <= hi;
    }
    if (t.id == EDDY_T_DECIMAL && t.precision > 0 && t.precision <= 18) {
        int64_t lim = eddy_pow10(t.precision);
        return v > -lim && v < lim;
    }
    return 1;
}

static int range_err(eddy_err *err, const eddy_value *in, eddy_type from, eddy_type to) {
    char tn[48];
    sbuf b;
    sbuf_init(&b);
    eddy_value_format(in, scale_of(from), &b);
    eddy_type_format(to, tn, sizeof tn);
    eddy_err_set(err, EDDY_E_RUNTIME, "value %s out of range for type %s", b.data, tn);
    sbuf_free(&b);
    return EDDY_E_RUNTIME;
}

static int text_err(eddy_err *err, const char *p, size_t n, eddy_type to) {
    char tn[48];
    eddy_type_format(to, tn, sizeof tn);
    eddy_err_set(err, EDDY_E_RUNTIME, "cannot convert '%.*s' to %s", (int)(n > 64 ? 64 : n), p, tn);
    return EDDY_E_RUNTIME;
}

/* Parses decimal text into a scaled integer with `scale` digits. */
static int parse_scaled(const char *p, size_t n, int scale, int64_t *out) {
    size_t i = 0;
    while (i < n && isspace((unsigned char)p[i])) i++;
    while (n > i && isspace((unsigned char)p[n - 1])) n--;
    int neg = 0;
    if (i < n && (p[i] == '+' || p[i] == '-')) neg = p[i++] == '-';
    int64_t v = 0;
    int digits = 0, frac = 0, seen_dot = 0, round_up = 0;
    for (; i < n; i++) {
        char c = p[i];
        if (c == '.' && !seen_dot) {
            seen_dot = 1;
            continue;
        }
        if (c == 'e' || c == 'E') {
            /* Exponent form: fall back to double parsing. */
            char buf[64];
            if (n >= sizeof buf) return -1;
            memcpy(buf, p, n);
            buf[n] = '\0';
            char *end;
            errno = 0;
            double d = strtod(buf, &end);
            while (*end && isspace((unsigned char)*end)) end++;
            if (*end || errno || !isfinite(d)) return -1;
            double s = d * (double)eddy_pow10(scale);
            if (fabs(s) >= 9.2e18) return -1;
            *out = (int64_t)llround(s);
            return 0;
        }
        if (c < '0' || c > '9') return -1;
        digits++;
        if (seen_dot) {
            if (frac == scale) {
                if (frac == scale && !round_up && c >= '5') round_up = 1;
                continue;
            }
            frac++;
        }
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) return -1;
    }
    if (!digits) return -1;
    for (; frac < scale; frac++)
        if (__builtin_mul_overflow(v, 10, &v)) return -1;
    if (round_up && __builtin_add_overflow(v, 1, &v)) return -1;
    *out = neg ? -v : v;
    return 0;
}

static int parse_double(const char *p, size_t n, double *out) {
    char buf[128];
    while (n && isspace((unsigned char)*p)) p++, n--;
    while (n && isspace((unsigned char)p[n - 1])) n--;
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    if (*end || errno == ERANGE) return -1;
    *out = d;
    return 0;
}

static int parse_time_of_day(const char *p, size_t n, int64_t *ms) {
    int h, m, s = 0, f = 0;
    char buf[32];
    if (n >= sizeof buf) return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    int k = sscanf(buf, " %2d:%2d:%2d.%3d", &h, &m, &s, &f);
    if (k < 2 || h > 23 || m > 59 || s > 59) return -1;
    *ms = (int64_t)h * 3600000 + m * 60000 + s * 1000 + f;
    return 0;
}

static int str_result(const char *p, size_t n, eddy_type to, eddy_value *out, arena *mem) {
    if ((to.id == EDDY_T_VARCHAR || to.id == EDDY_T_CHAR || to.id == EDDY_T_VARBINARY ||
         to.id == EDDY_T_BINARY) && to.precision > 0 && n > (size_t)to.precision)
        n = (size_t)to.precision;   /* explicit casts truncate, as SQL allows */
    char *c = arena_strndup(mem, p, n);
    if (!c) return EDDY_E_NOMEM;
    out->type = to.id;
    out->is_null = 0;
    out->u.s.p = c;
    out->u.s.n = (uint32_t)n;
    return 0;
}

int rt_cast_value(const eddy_value *in, eddy_type from, eddy_type to, eddy_value *out,
                  arena *mem, eddy_err *err) {
    out->type = to.id;
    out->is_null = 0;
    if (in->is_null || from.id == EDDY_T_NULL) {
        out->is_null = 1;
        out->u.i = 0;
        return 0;
    }
    eddy_type_id f = from.id, t = to.id;
    rt_phys fp = rt_phys_of(f), tp = rt_phys_of(t);

    /* To text. */
    if (eddy_type_is_string(t)) {
        if (eddy_type_is_string(f) || eddy_type_is_binary(f))
            return str_result(in->u.s.p, in->u.s.n, to, out, mem);
        sbuf b;
        sbuf_init(&b);
        if (f == EDDY_T_BOOLEAN) sbuf_puts(&b, in->u.i ? "TRUE" : "FALSE");
        else eddy_value_format(in, scale_of(from), &b);
        int rc = b.failed ? EDDY_E_NOMEM : str_result(b.data, b.len, to, out, mem);
        sbuf_free(&b);
        return rc;
    }
    if (eddy_type_is_binary(t)) {
        if (fp == RT_PHYS_STR) return str_result(in->u.s.p, in->u.s.n, to, out, mem);
        goto bad;
    }
    /* From text. */
    if (fp == RT_PHYS_STR) {
        const char *p = in->u.s.p;
        size_t n = in->u.s.n;
        if (t == EDDY_T_BOOLEAN) {
            while (n && isspace((unsigned char)*p)) p++, n--;
            while (n && isspace((unsigned char)p[n - 1])) n--;
            if (n == 4 && !strncasecmp(p, "true", 4)) out->u.i = 1;
            else if (n == 5 && !strncasecmp(p, "false", 5)) out->u.i = 0;
            else return text_err(err, in->u.s.p, in->u.s.n, to);
            return 0;
        }
        if (eddy_type_is_exact(t)) {
            if (parse_scaled(p, n, scale_of(to), &out->u.i) != 0 || !fits(to, out->u.i))
                return text_err(err, p, n, to);
            return 0;
        }
        if (tp == RT_PHYS_F64) {
            if (parse_double(p, n, &out->u.d) != 0) return text_err(err, p, n, to);
            if (t == EDDY_T_REAL) out->u.d = (float)out->u.d;
            return 0;
        }
        if (t == EDDY_T_TIMESTAMP || t == EDDY_T_DATE) {
            int64_t ms;
            if (eddy_ts_parse(p, n, &ms) != 0) return text_err(err, p, n, to);
            out->u.i = t == EDDY_T_DATE ? (ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000)) : ms;
            return 0;
        }
        if (t == EDDY_T_TIME) {
            if (parse_time_of_day(p, n, &out->u.i) != 0) return text_err(err, p, n, to);
            return 0;
        }
        goto bad;
    }
    /* Numbers and booleans. */
    if (t == EDDY_T_BOOLEAN) {
        if (fp == RT_PHYS_F64) out->u.i = in->u.d != 0;
        else if (eddy_type_is_numeric(f) || f == EDDY_T_BOOLEAN) out->u.i = in->u.i != 0;
        else goto bad;
        return 0;
    }
    if (eddy_type_is_numeric(t)) {
        if (fp == RT_PHYS_F64) {
            double d = in->u.d;
            if (tp == RT_PHYS_F64) {
                out->u.d = t == EDDY_T_REAL ? (float)d : d;
                return 0;
            }
            double s = eddy_type_is_integer(t) ? trunc(d) : d * (double)eddy_pow10(scale_of(to));
            if (!isfinite(s) || fabs(s) >= 9.2e18) return range_err(err, in, from, to);
            out->u.i = eddy_type_is_integer(t) ? (int64_t)s : (int64_t)llround(s);
            if (!fits(to, out->u.i)) return range_err(err, in, from, to);
            return 0;
        }
        if (!eddy_type_is_exact(f) && f != EDDY_T_BOOLEAN) {
            /* TIMESTAMP -> BIGINT (epoch ms) and intervals -> integers are allowed
             * explicitly; the planner refuses them implicitly. */
            if (!(eddy_type_is_datetime(f) || eddy_type_is_interval(f))) goto bad;
        }
        if (tp == RT_PHYS_F64) {
            double d = (double)in->u.i / (double)eddy_pow10(scale_of(from));
            out->u.d = t == EDDY_T_REAL ? (float)d : d;
            return 0;
        }
        int64_t v;
        if (eddy_type_is_integer(t)) {
            int s = scale_of(from);
            v = s ? in->u.i / eddy_pow10(s) : in->u.i; /* truncates toward zero */
        } else if (rescale(in->u.i, scale_of(from), scale_of(to), &v) != 0) {
            return range_err(err, in, from, to);
        }
        if (!fits(to, v)) return range_err(err, in, from, to);
        out->u.i = v;
        return 0;
    }
    /* Date and time. */
    if (eddy_type_is_datetime(t)) {
        int64_t v = in->u.i;
        if (f == t) {
            out->u.i = v;
            return 0;
        }
        if (f == EDDY_T_DATE && t == EDDY_T_TIMESTAMP) out->u.i = v * 86400000;
        else if (f == EDDY_T_TIMESTAMP && t == EDDY_T_DATE)
            out->u.i = v >= 0 ? v / 86400000 : -((-v + 86399999) / 86400000);
        else if (f == EDDY_T_TIMESTAMP && t == EDDY_T_TIME)
            out->u.i = ((v % 86400000) + 86400000) % 86400000;
        else if (f == EDDY_T_TIME && t == EDDY_T_TIMESTAMP) out->u.i = v;
        else if (eddy_type_is_integer(f) && t == EDDY_T_TIMESTAMP) out->u.i = v;
        else goto bad;
        return 0;
    }
    if (eddy_type_is_interval(t)) {
        if (f == t || eddy_type_is_integer(f)) {
            out->u.i = in->u.i;
            return 0;
        }
        goto bad;
    }
bad:
    eddy_err_set(err, EDDY_E_RUNTIME, "cannot cast %s to %s", eddy_type_name(f), eddy_type_name(t));
    return EDDY_E_RUNTIME;
}

int rt_value_cmp(const eddy_value *a, const eddy_value *b) {
    rt_phys pa = rt_phys_of(a->type), pb = rt_phys_of(b->type);
    if (pa == RT_PHYS_STR && pb == RT_PHYS_STR) {
        uint32_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
        int c = n ? memcmp(a->u.s.p, b->u.s.p, n) : 0;
        if (c) return c;
        return a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
    }
    if (pa == RT_PHYS_F64 || pb == RT_PHYS_F64) {
        double x = pa == RT_PHYS_F64 ? a->u.d : (double)a->u.i;
        double y = pb == RT_PHYS_F64 ? b->u.d : (double)b->u.i;
        return x < y ? -1 : x > y;
    }
    return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
}

int rt_like_match(const char *s, size_t n, const char *p, size_t pn, int esc) {
    /* Iterative matcher with single-star backtracking: linear in practice and
     * never recursive, so hostile patterns cannot blow the stack. */
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
    while (si < n) {
        if (pi < pn) {
            char pc = p[pi];
            if (esc >= 0 && pc == (char)esc && pi + 1 < pn) {
                if (p[pi + 1] == s[si]) {
                    si++;
                    pi += 2;
                    continue;
                }
            } else if (pc == '%') {
                star_p = pi++;
                star_s = si;
                continue;
            } else if (pc == '_' || pc == s[si]) {
                si++;
                pi++;
                continue;
            }
        }
        if (star_p != (size_t)-1) {
            pi = star_p + 1;
            si = ++star_s;
            continue;
        }
        return 0;
    }
    while (pi < pn && p[pi] == '%') pi++;
    return pi == pn;
}
