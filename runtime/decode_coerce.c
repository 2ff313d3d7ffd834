/*
 * decode_coerce.c — the dialect's JSON/CSV → SQL coercion table
 * (SQL.md §1.2), shared by the JSON and CSV decoders.
 *
 * Numbers are parsed exactly (a 64-bit significand and a power of ten) so
 * that "123.0" fits an INTEGER while "123.4" is a precision-loss error, and
 * DECIMAL(p,s) values are scaled without going through a double.
 */
#include "decode_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy_time.h"

/* A parsed decimal number: value = (neg ? -1 : 1) * mant * 10^exp. */
typedef struct num {
    uint64_t mant;
    int32_t exp;
    int neg;
    int inexact;   /* nonzero digits were dropped beyond 19 significant ones */
    int n_sig;     /* significant digits kept in mant */
} num;

/* Parses the JSON number grammar (leading/trailing blanks allowed, as CSV
 * and JSON string values carry them). Returns 0 or -1. */
static int parse_num(const char *s, size_t n, num *out) {
    size_t i = 0;
    memset(out, 0, sizeof *out);
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (i < n && (s[i] == '-' || s[i] == '+')) out->neg = s[i++] == '-';
    size_t digits = 0;
    int32_t exp = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (out->n_sig < 19) {
            if (out->mant || s[i] != '0') {
                out->mant = out->mant * 10 + (uint64_t)(s[i] - '0');
                out->n_sig++;
            }
        } else {
            exp++;
            if (s[i] != '0') out->inexact = 1;
        }
    }
    if (i < n && s[i] == '.') {
        i++;
        size_t fd = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, fd++) {
            if (out->n_sig < 19) {
                if (out->mant || s[i] != '0') {
                    out->mant = out->mant * 10 + (uint64_t)(s[i] - '0');
                    out->n_sig++;
                }
                exp--;
            } else if (s[i] != '0') {
                out->inexact = 1;
            }
        }
        if (fd == 0) return -1;
        digits += fd;
    }
    if (digits == 0) return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
        int32_t e = 0;
        size_t ed = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ed++)
            if (e < 100000) e = e * 10 + (s[i] - '0');
        if (ed == 0) return -1;
        exp += eneg ? -e : e;
    }
    if (i != n) return -1;
    out->exp = exp;
    return 0;
}

/* Converts to an integer scaled by 10^scale. Returns 0, or -1 when digits
 * would be lost or the value exceeds int64. */
static int num_to_scaled(const num *x, int scale, int64_t *out) {
    if (x->mant == 0) {
        *out = 0;
        return 0;
    }
    if (x->inexact) return -1;
    uint64_t m = x->mant;
    int64_t e = (int64_t)x->exp + scale;
    while (e < 0) {
        if (m % 10 != 0) return -1;
        m /= 10;
        e++;
    }
    while (e > 0) {
        if (m > UINT64_MAX / 10) return -1;
        m *= 10;
        e--;
    }
    if (x->neg) {
        if (m > (uint64_t)INT64_MAX + 1) return -1;
        *out = (int64_t)(0 - m);
    } else {
        if (m > (uint64_t)INT64_MAX) return -1;
        *out = (int64_t)m;
    }
    return 0;
}

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Double value of the text in s (already validated by parse_num). Uses the
 * exact fast path when significand and power of ten are both exact doubles. */
static double num_to_double(const num *x, const char *s, size_t n) {
    if (!x->inexact && x->mant < ((uint64_t)1 << 53) && x->exp >= -22 && x->exp <= 22) {
        double v = (double)x->mant;
        v = x->exp < 0 ? v / pow10_tab[-x->exp] : v * pow10_tab[x->exp];
        return x->neg ? -v : v;
    }
    char buf[128];
    char *tmp = n < sizeof buf ? buf : malloc(n + 1);
    if (!tmp) return NAN;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    double v = strtod(tmp, NULL);
    if (tmp != buf) free(tmp);
    return v;
}

static const char *col_name(const rt_decoder *d, uint32_t c) { return d->names[c]; }

static int type_err(rt_decoder *d, uint32_t c, eddy_err *err, const char *what, const char *txt, size_t n,
                    const char *why) {
    char tn[64];
    eddy_type_format(d->types[c], tn, sizeof tn);
    int shown = n > 64 ? 64 : (int)n;
    if (txt)
        return eddy_err_set(err, EDDY_E_RUNTIME, "coercion error: %s %.*s%s %s %s for column %s", what, shown, txt,
                            n > 64 ? "..." : "", why, tn, col_name(d, c));
    return eddy_err_set(err, EDDY_E_RUNTIME, "coercion error: cannot convert %s to %s for column %s", what, tn,
                        col_name(d, c));
}

/* Length in bytes of the first `chars` UTF-8 characters of s (or n). A run
 * of more than three continuation bytes (invalid UTF-8) counts a character
 * every four bytes, so a cut string never exceeds 4 bytes per character. */
static size_t utf8_prefix(const char *s, size_t n, size_t chars) {
    if (n <= chars) return n;  /* fewer bytes than characters wanted: all fit */
    size_t seen = 0, run = 4;  /* the first byte always starts a character */
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 || run == 4) {
            if (seen == chars) return i;
            seen++;
            run = 0;
        }
        run++;
    }
    return n;
}

/* Stores text into a CHAR/VARCHAR column: truncated silently to the declared
 * length (characters); CHAR(n) is padded with blanks as fixed-length. */
static int store_text(const rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, const char *s, size_t n) {
    const eddy_type *t = &b->cols[c].type;
    if (t->precision > 0) n = utf8_prefix(s, n, (size_t)t->precision);
    if (t->id == EDDY_T_CHAR && t->precision > 0) {
        size_t chars = 0, run = 4;
        for (size_t i = 0; i < n; i++) {
            if (((unsigned char)s[i] & 0xC0) != 0x80 || run == 4) {
                chars++;
                run = 0;
            }
            run++;
        }
        if (chars < (size_t)t->precision) {
            size_t pad = (size_t)t->precision - chars;
            char *dst = arena_alloc(&b->strings, n + pad);
            if (!dst) return EDDY_E_NOMEM;
            memcpy(dst, s, n);
            memset(dst + n, ' ', pad);
            b->cols[c].v.str[r].p = dst;
            b->cols[c].v.str[r].n = (uint32_t)(n + pad);
            rt_col_set_valid(&b->cols[c], r);
            return 0;
        }
    }
    if (d->borrow && s >= d->rec_lo && s + n <= d->rec_hi) {
        /* The caller keeps the record alive as long as the batch's rows. */
        b->cols[c].v.str[r].p = n ? s : "";
        b->cols[c].v.str[r].n = (uint32_t)n;
        rt_col_set_valid(&b->cols[c], r);
        return 0;
    }
    return rt_batch_set_str(b, c, r, s, n);
}

static int store_binary_trunc(rt_batch *b, uint32_t c, uint32_t r, const char *s, size_t n) {
    const eddy_type *t = &b->cols[c].type;
    if (t->precision > 0 && n > (size_t)t->precision) n = (size_t)t->precision;
    return rt_batch_set_str(b, c, r, s, n);
}

static int store_exact(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, const num *x, const char *txt,
                       size_t n, eddy_err *err) {
    eddy_type t = d->types[c];
    int64_t v;
    if (t.id == EDDY_T_DECIMAL) {
        int p = t.precision > 0 && t.precision <= 18 ? t.precision : 18;
        int s = t.scale > 0 ? t.scale : 0;
        if (num_to_scaled(x, s, &v) != 0 || v >= eddy_pow10(p) || v <= -eddy_pow10(p))
            return type_err(d, c, err, "value", txt, n, "does not fit");
    } else {
        int64_t lo, hi;
        eddy_int_range(t.id, &lo, &hi);
        if (num_to_scaled(x, 0, &v) != 0 || v < lo || v > hi)
            return type_err(d, c, err, "value", txt, n, "does not fit");
    }
    rt_batch_set_i64(b, c, r, v);
    return 0;
}

static int store_float(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, const num *x, const char *txt,
                       size_t n, eddy_err *err) {
    double v = num_to_double(x, txt, n);
    if (!isfinite(v) || (d->types[c].id == EDDY_T_REAL && fabs(v) > FLT_MAX))
        return type_err(d, c, err, "value", txt, n, "does not fit");
    if (d->types[c].id == EDDY_T_REAL) v = (double)(float)v;
    rt_batch_set_f64(b, c, r, v);
    return 0;
}

int rt__coerce_number(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, const char *txt, size_t n,
                      eddy_err *err) {
    eddy_type_id id = d->types[c].id;
    /* Fast path: a plain integer into an integer column. */
    if (id >= EDDY_T_TINYINT && id <= EDDY_T_BIGINT && n > 0 && n <= 18) {
        size_t i = txt[0] == '-';
        int64_t v = 0;
        size_t j = i;
        for (; j < n && txt[j] >= '0' && txt[j] <= '9'; j++) v = v * 10 + (txt[j] - '0');
        if (j == n && j > i) {
            if (i) v = -v;
            int64_t lo = id == EDDY_T_TINYINT ? -128 : id == EDDY_T_SMALLINT ? -32768 : INT32_MIN;
            int64_t hi = id == EDDY_T_TINYINT ? 127 : id == EDDY_T_SMALLINT ? 32767 : INT32_MAX;
            if (id != EDDY_T_BIGINT && (v < lo || v > hi))
                return type_err(d, c, err, "value", txt, n, "does not fit");
            b->cols[c].v.i64[r] = v;
            rt_col_set_valid(&b->cols[c], r);
            return 0;
        }
    }
    num x;
    if (parse_num(txt, n, &x) != 0)
        return eddy_err_set(err, EDDY_E_RUNTIME, "malformed JSON number %.*s for column %s", n > 64 ? 64 : (int)n,
                            txt, col_name(d, c));
    if (eddy_type_is_exact(id)) return store_exact(d, b, c, r, &x, txt, n, err);
    switch (id) {
    case EDDY_T_REAL:
    case EDDY_T_DOUBLE: return store_float(d, b, c, r, &x, txt, n, err);
    case EDDY_T_BOOLEAN: rt_batch_set_i64(b, c, r, x.mant != 0); return 0;
    case EDDY_T_CHAR:
    case EDDY_T_VARCHAR: return store_text(d, b, c, r, txt, n) ? EDDY_E_NOMEM : 0;
    default: return type_err(d, c, err, "a number", NULL, 0, NULL);
    }
}

int rt__parse_time(const char *s, size_t n, int64_t *out) {
    size_t i = 0;
    int part[3] = {0, 0, 0}, np = 0, ms = 0;
    while (i < n && s[i] == ' ') i++;
    while (np < 3) {
        if (i + 2 > n || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9') return -1;
        part[np++] = (s[i] - '0') * 10 + (s[i + 1] - '0');
        i += 2;
        if (i < n && s[i] == ':' && np < 3) i++;
        else break;
    }
    if (np < 2) return -1;
    if (np == 3 && i < n && s[i] == '.') {
        i++;
        int scale = 100, any = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = 1) {
            ms += (s[i] - '0') * scale;
            scale /= 10;
        }
        if (!any) return -1;
    }
    while (i < n && s[i] == ' ') i++;
    if (i != n || part[0] > 23 || part[1] > 59 || part[2] > 59) return -1;
    *out = (int64_t)part[0] * 3600000 + part[1] * 60000 + part[2] * 1000 + ms;
    return 0;
}

static inline int dig2(const char *p, int *out) {
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return 0;
    *out = (p[0] - '0') * 10 + (p[1] - '0');
    return 1;
}

/* The common exact shapes "YYYY-MM-DD HH:MM:SS" and "... .mmm" without the
 * general parser; returns 0 to defer to eddy_ts_parse. Records mostly come
 * in time order, so the day number of the last date is kept in dec. */
static int fast_ts(rt_decoder *dec, const char *s, size_t n, int64_t *out) {
    int y1, y2, mo, d, h, mi, se, ms = 0, m1, m2;
    if ((n != 19 && n != 23) || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
        return 0;
    if (!dig2(s, &y1) || !dig2(s + 2, &y2) || !dig2(s + 5, &mo) || !dig2(s + 8, &d) || !dig2(s + 11, &h) ||
        !dig2(s + 14, &mi) || !dig2(s + 17, &se))
        return 0;
    if (n == 23) {
        if (s[19] != '.' || !dig2(s + 20, &m1) || s[22] < '0' || s[22] > '9') return 0;
        m2 = s[22] - '0';
        ms = m1 * 10 + m2;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return 0;
    uint32_t ymd = (uint32_t)((y1 * 100 + y2) * 10000 + mo * 100 + d);
    if (ymd != dec->ts_ymd) {
        dec->ts_days = eddy_days_from_civil(y1 * 100 + y2, (unsigned)mo, (unsigned)d);
        dec->ts_ymd = ymd;
    }
    *out = dec->ts_days * 86400000 + (int64_t)h * 3600000 + (int64_t)mi * 60000 + (int64_t)se * 1000 + ms;
    return 1;
}

static int hexval(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

int rt__coerce_string(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, const char *s, size_t n,
                      eddy_err *err) {
    eddy_type_id id = d->types[c].id;
    switch (id) {
    case EDDY_T_CHAR:
    case EDDY_T_VARCHAR: return store_text(d, b, c, r, s, n) ? EDDY_E_NOMEM : 0;
    case EDDY_T_BOOLEAN: {
        size_t i = 0, m = n;
        while (i < m && s[i] == ' ') i++;
        while (m > i && s[m - 1] == ' ') m--;
        rt_batch_set_i64(b, c, r, m - i == 4 && strncasecmp(s + i, "true", 4) == 0);
        return 0;
    }
    case EDDY_T_DATE:
    case EDDY_T_TIMESTAMP: {
        int64_t ms;
        if (id == EDDY_T_TIMESTAMP && fast_ts(d, s, n, &ms)) {
            rt_batch_set_i64(b, c, r, ms);
            return 0;
        }
        if (eddy_ts_parse(s, n, &ms) != 0)
            return type_err(d, c, err, "value", s, n, "is not a valid");
        if (id == EDDY_T_DATE) ms = (ms >= 0 ? ms : ms - 86399999) / 86400000;
        rt_batch_set_i64(b, c, r, ms);
        return 0;
    }
    case EDDY_T_TIME: {
        int64_t ms;
        if (rt__parse_time(s, n, &ms) != 0)
            return type_err(d, c, err, "value", s, n, "is not a valid");
        rt_batch_set_i64(b, c, r, ms);
        return 0;
    }
    case EDDY_T_BINARY:
    case EDDY_T_VARBINARY: {
        /* Only a binary literal X'3F67A23A' with an even digit count. */
        if (n < 3 || (s[0] != 'X' && s[0] != 'x') || s[1] != '\'' || s[n - 1] != '\'' || (n - 3) % 2 != 0)
            return type_err(d, c, err, "value", s, n, "is not a binary literal for");
        size_t bytes = (n - 3) / 2;
        char *tmp = bytes ? arena_alloc(&b->strings, bytes) : NULL;
        if (bytes && !tmp) return EDDY_E_NOMEM;
        for (size_t i = 0; i < bytes; i++) {
            int hi = hexval(s[2 + 2 * i]), lo = hexval(s[3 + 2 * i]);
            if (hi < 0 || lo < 0)
                return type_err(d, c, err, "value", s, n, "is not a binary literal for");
            tmp[i] = (char)(hi << 4 | lo);
        }
        const eddy_type *t = &d->types[c];
        if (t->precision > 0 && bytes > (size_t)t->precision) bytes = (size_t)t->precision;
        b->cols[c].v.str[r].p = tmp ? tmp : "";
        b->cols[c].v.str[r].n = (uint32_t)bytes;
        rt_col_set_valid(&b->cols[c], r);
        return 0;
    }
    default: break;
    }
    /* Numeric targets: the string must parse as a number. */
    num x;
    if (parse_num(s, n, &x) != 0)
        return type_err(d, c, err, "value", s, n, "is not a valid");
    if (eddy_type_is_exact(id)) return store_exact(d, b, c, r, &x, s, n, err);
    if (id == EDDY_T_REAL || id == EDDY_T_DOUBLE) return store_float(d, b, c, r, &x, s, n, err);
    return type_err(d, c, err, "a string", NULL, 0, NULL);
}

int rt__coerce_bool(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, int v, eddy_err *err) {
    eddy_type_id id = d->types[c].id;
    if (eddy_type_is_exact(id) || id == EDDY_T_BOOLEAN) {
        int64_t one = id == EDDY_T_DECIMAL && d->types[c].scale > 0 ? eddy_pow10(d->types[c].scale) : 1;
        rt_batch_set_i64(b, c, r, v ? one : 0);
        return 0;
    }
    switch (id) {
    case EDDY_T_REAL:
    case EDDY_T_DOUBLE: rt_batch_set_f64(b, c, r, v ? 1.0 : 0.0); return 0;
    case EDDY_T_CHAR:
    case EDDY_T_VARCHAR: return store_text(d, b, c, r, v ? "true" : "false", v ? 4 : 5) ? EDDY_E_NOMEM : 0;
    case EDDY_T_BINARY:
    case EDDY_T_VARBINARY: {
        char byte = v ? 1 : 0;
        return store_binary_trunc(b, c, r, &byte, 1) ? EDDY_E_NOMEM : 0;
    }
    default: return type_err(d, c, err, v ? "true" : "false", NULL, 0, NULL);
    }
}

int rt__coerce_composite(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, const char *txt, size_t n,
                         eddy_err *err) {
    eddy_type_id id = d->types[c].id;
    if (id == EDDY_T_CHAR || id == EDDY_T_VARCHAR) return store_text(d, b, c, r, txt, n) ? EDDY_E_NOMEM : 0;
    return type_err(d, c, err, txt[0] == '[' ? "an array" : "an object", NULL, 0, NULL);
}
