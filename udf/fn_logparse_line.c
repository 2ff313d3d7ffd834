/*
 * fn_logparse_line.c — splitting one line into field spans with a compiled
 * log parser (SQL.md §6.11): FIXED_COLUMN_LOG_PARSE's columns,
 * VARIABLE_COLUMN_LOG_PARSE's delimited fields, SYS_LOG_PARSE's timestamp
 * and message, and the finishing of typed fields; REGEX and FAST_REGEX
 * lines go to fn_logparse_regex.c, W3C lines to fn_logparse_w3c.c.
 *
 * How it fits: fn_logparse.c calls udf__lp_parse_line() for each row it has
 * not parsed yet and keeps the spans in its per-thread memo; spans point
 * into the line, or into the memo's derived text when the text changed
 * (unescaped fields, canonical timestamps).
 *
 * Semantics chosen where the reference is silent:
 *  - VARIABLE_COLUMN_LOG_PARSE ignores fields beyond the declared count, a
 *    line with fewer fields gives NULL for the missing ones, the escape
 *    character keeps the character after it (a delimiter, a quote or
 *    itself), and quotes open a quoted field only at the start of a field
 *    (a doubled closing quote inside stands for itself).
 *  - Values of non-character types are trimmed and an empty value is NULL;
 *    DATE/TIME/TIMESTAMP values with a SimpleDateFormat, and SYS_LOG_PARSE's
 *    timestamp, become the canonical 'YYYY-MM-DD HH:MM:SS[.fff]' text that
 *    CAST reads; a NOT NULL column without a value is a row error.
 *  - A trailing CR/LF is dropped before the line-oriented parsers (all
 *    but the regex ones) see the line.
 */
#include "logparse_int.h"

#include "eddy_time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Appends derived text; returns its span. */
static int text_add(lp_memo *m, const char *p, size_t n, udf_lp_span *out) {
    if (udf__lp_grow((void **)&m->text, &m->text_cap, m->text_len + n + 1, 1) != 0) return EDDY_E_NOMEM;
    if (n) memcpy(m->text + m->text_len, p, n);
    *out = (udf_lp_span){(int32_t)(-(int64_t)m->text_len - 1), (int32_t)n};
    m->text_len += n;
    return 0;
}

/* The byte offset of character `ch` of a UTF-8 line (n if beyond). */
static size_t char_offset(const char *s, size_t n, int64_t ch) {
    size_t i = 0;
    for (int64_t c = 0; c < ch && i < n; c++) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

static void parse_fixed(const lp_parser *p, const char *s, size_t n, udf_lp_span *out) {
    for (uint32_t k = 0; k < p->n_fields; k++) {
        const lp_field *f = &p->fields[k];
        size_t a = char_offset(s, n, f->start);
        if (a >= n) {
            out[k] = (udf_lp_span){0, -1};
            continue;
        }
        size_t b = f->len < 0 ? n : a + char_offset(s + a, n - a, f->len);
        out[k] = (udf_lp_span){(int32_t)a, (int32_t)(b - a)};
    }
}

static int parse_variable(const lp_parser *p, lp_memo *m, const char *s, size_t n, udf_lp_span *out) {
    size_t pos = 0;
    int more = n > 0; /* whether another field follows */
    const char *d = p->delim;
    size_t dn = p->delim_n;
    for (uint32_t k = 0; k < p->n_fields; k++) {
        if (!more) {
            out[k] = (udf_lp_span){0, -1};
            continue;
        }
        more = 0;
        size_t start = pos, fend = n;
        int derived = 0;
        size_t t0 = m->text_len;
        /* Copies the field so far into the derived text, once. */
#define LP_DERIVE()                                                                          \
    do {                                                                                     \
        if (!derived) {                                                                      \
            udf_lp_span tmp_;                                                                \
            if (text_add(m, s + start, pos - start, &tmp_) != 0) return EDDY_E_NOMEM;        \
            derived = 1;                                                                     \
        }                                                                                    \
    } while (0)
#define LP_PUT(c)                                                                            \
    do {                                                                                     \
        udf_lp_span tmp_;                                                                    \
        char ch_ = (c);                                                                      \
        if (text_add(m, &ch_, 1, &tmp_) != 0) return EDDY_E_NOMEM;                           \
    } while (0)
        if (p->qb >= 0 && pos < n && (unsigned char)s[pos] == p->qb) {
            LP_DERIVE();
            pos++;
            while (pos < n) {
                unsigned char c = (unsigned char)s[pos];
                if ((int)c == p->esc && pos + 1 < n) {
                    LP_PUT(s[pos + 1]);
                    pos += 2;
                    continue;
                }
                if ((int)c == p->qe) {
                    if (p->qe == p->qb && pos + 1 < n && (unsigned char)s[pos + 1] == c) {
                        LP_PUT((char)c);
                        pos += 2;
                        continue;
                    }
                    pos++;
                    break;
                }
                LP_PUT((char)c);
                pos++;
            }
        }
        while (pos < n) {
            unsigned char c = (unsigned char)s[pos];
            if ((int)c == p->esc && pos + 1 < n) {
                LP_DERIVE();
                LP_PUT(s[pos + 1]);
                pos += 2;
                continue;
            }
            if (n - pos >= dn && memcmp(s + pos, d, dn) == 0) {
                fend = pos;
                pos += dn;
                more = 1;
                break;
            }
            if (derived) LP_PUT((char)c);
            pos++;
        }
        if (!more) fend = n;
        if (derived) out[k] = (udf_lp_span){(int32_t)(-(int64_t)t0 - 1), (int32_t)(m->text_len - t0)};
        else out[k] = (udf_lp_span){(int32_t)start, (int32_t)(fend - start)};
#undef LP_DERIVE
#undef LP_PUT
    }
    return 0;
}

static const char *const month_abbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Reads exactly `digits` digits (1..2 when digits is 0: a day). */
static int read_num(const char *s, size_t n, size_t *i, int digits, int *v) {
    int got = 0, max = digits ? digits : 2;
    *v = 0;
    while (*i < n && got < max && isdigit((unsigned char)s[*i])) *v = *v * 10 + (s[(*i)++] - '0'), got++;
    return digits ? got == digits : got >= 1;
}

/* "Mmm dd HH:MM:SS rest" (RFC 3164, optionally after a "<pri>"): the time
 * in 1970, as Java's SimpleDateFormat gives a pattern without a year, and
 * the rest of the line. */
static int parse_syslog(lp_memo *m, const char *s, size_t n, udf_lp_span *out) {
    out[0] = out[1] = (udf_lp_span){0, -1};
    size_t i = 0;
    if (n > 0 && s[0] == '<') {
        size_t j = 1;
        while (j < n && isdigit((unsigned char)s[j])) j++;
        if (j > 1 && j < n && s[j] == '>') i = j + 1;
    }
    if (n - i < 3) return 0;
    int mon = -1;
    for (int k = 0; k < 12; k++)
        if (!strncasecmp(s + i, month_abbr[k], 3)) mon = k + 1;
    if (mon < 0) return 0;
    i += 3;
    if (i >= n || s[i] != ' ') return 0;
    while (i < n && s[i] == ' ') i++;
    int d, hh, mi, ss;
    if (!read_num(s, n, &i, 0, &d) || i >= n || s[i++] != ' ' || !read_num(s, n, &i, 2, &hh) || i >= n ||
        s[i++] != ':' || !read_num(s, n, &i, 2, &mi) || i >= n || s[i++] != ':' || !read_num(s, n, &i, 2, &ss))
        return 0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d < 1 || d > mdays[mon - 1] || hh > 23 || mi > 59 || ss > 59) return 0;
    if (i < n && s[i] != ' ') return 0;
    while (i < n && s[i] == ' ') i++;
    char buf[32];
    int bn = snprintf(buf, sizeof buf, "1970-%02d-%02d %02d:%02d:%02d", mon, d, hh, mi, ss);
    if (text_add(m, buf, (size_t)bn, &out[0]) != 0) return EDDY_E_NOMEM;
    out[1] = (udf_lp_span){(int32_t)i, (int32_t)(n - i)};
    return 0;
}

/* Parses `txt` with a column's SimpleDateFormat into the canonical text of
 * its type; NULL when it does not parse. */
static int format_datetime(const lp_field *f, const char *txt, size_t n, arena *mem, lp_memo *m, udf_lp_span *out) {
    udf_scalar_eval_fn parse = __atomic_load_n(&udf__lp_char_to_ts, __ATOMIC_ACQUIRE);
    *out = (udf_lp_span){0, -1};
    if (!parse) return 0;
    eddy_value fv = {.type = EDDY_T_VARCHAR}, tv = {.type = EDDY_T_VARCHAR}, r = {.type = EDDY_T_TIMESTAMP};
    fv.u.s.p = f->fmt;
    fv.u.s.n = f->fmt_n;
    tv.u.s.p = txt;
    tv.u.s.n = (uint32_t)n;
    const eddy_value *argv[2] = {&fv, &tv};
    eddy_type types[2] = {{EDDY_T_VARCHAR, 0, 0}, {EDDY_T_VARCHAR, 0, 0}};
    udf_call call = {.fn = NULL, .n_args = 2, .arg_types = types, .ret_type = {EDDY_T_TIMESTAMP, 0, 0}};
    size_t bad = 0;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = parse(&call, 1, argv, &r, mem, &bad, &e);
    if (rc == EDDY_E_NOMEM) return rc;
    if (rc != 0 || r.is_null) return 0;
    char buf[40];
    size_t bn = eddy_ts_format_sql(r.u.i, buf);
    const char *t = buf;
    /* CAST reads four-digit years only: others give NULL here rather than a
     * row error there. */
    if (bn != 23 || buf[0] == '-') return 0;
    if (f->f.type.id == EDDY_T_DATE) bn = bn - 13;
    else if (f->f.type.id == EDDY_T_TIME) t = buf + bn - 12, bn = 12;
    return text_add(m, t, bn, out);
}

/* Finishes the fields of a typed spec: trims values of non-character types
 * (empty -> NULL), applies date formats, checks NOT NULL. */
static int post_fields(const lp_parser *p, lp_memo *m, const char *s, udf_lp_span *sp, arena *mem, eddy_err *err) {
    for (uint32_t k = 0; k < p->n_fields; k++) {
        const lp_field *f = &p->fields[k];
        udf_lp_span *x = &sp[k];
        if (x->len >= 0 && !eddy_type_is_string(f->f.type.id)) {
            const char *b = x->off >= 0 ? s + x->off : m->text + (-(int64_t)x->off - 1);
            int32_t lo = 0, hi = x->len;
            while (lo < hi && isspace((unsigned char)b[lo])) lo++;
            while (hi > lo && isspace((unsigned char)b[hi - 1])) hi--;
            x->off = x->off >= 0 ? x->off + lo : x->off - lo;
            x->len = hi - lo;
            if (x->len == 0) x->len = -1;
            else if (f->fmt) {
                const char *t = x->off >= 0 ? s + x->off : m->text + (-(int64_t)x->off - 1);
                /* The derived buffer may move while it grows: copy first. */
                char small[256];
                size_t tn = (size_t)x->len < sizeof small ? (size_t)x->len : sizeof small - 1;
                memcpy(small, t, tn);
                if (format_datetime(f, small, tn, mem, m, x) != 0) return lp_nomem(err);
            }
        }
        if (x->len < 0 && f->not_null)
            return eddy_err_set(err, EDDY_E_RUNTIME, "%s: NOT NULL column %s has no value", udf__lp_kind_name[p->kind],
                                f->f.name);
    }
    return 0;
}

int udf__lp_parse_line(lp_parser *p, lp_memo *m, const char *s, size_t n, udf_lp_span *sp, arena *mem,
                       eddy_err *err) {
    if (p->kind != LP_REGEX && p->kind != LP_FAST_REGEX) {
        if (n > 0 && s[n - 1] == '\n') n--;
        if (n > 0 && s[n - 1] == '\r') n--;
    }
    switch (p->kind) {
    case LP_REGEX:
    case LP_FAST_REGEX: {
        int rc = udf__lp_regex_match(p, s, n, sp, err);
        if (rc != 0) return rc;
        break;
    }
    case LP_FIXED: parse_fixed(p, s, n, sp); break;
    case LP_SYSLOG:
        if (parse_syslog(m, s, n, sp) != 0) return lp_nomem(err);
        break;
    case LP_VARIABLE:
        if (parse_variable(p, m, s, n, sp) != 0) return lp_nomem(err);
        break;
    case LP_W3C:
        if (n == 0) {
            for (uint32_t k = 0; k < p->n_fields; k++) sp[k] = (udf_lp_span){0, -1};
        } else {
            udf__w3c_parse(p->w3c, s, n, sp);
        }
        break;
    default: return eddy_err_set(err, EDDY_E_INTERNAL, "not a log parser");
    }
    return p->post ? post_fields(p, m, s, sp, mem, err) : 0;
}
