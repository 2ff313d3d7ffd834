/*
 * encode.c — rows to JSON/CSV records and error_stream rows (see encode.h).
 *
 * JSON keys are pre-rendered (quoted, escaped, with the colon) when the
 * encoder is made, so writing a row is appends and number formatting only.
 */
#include "encode.h"

#include <math.h>
#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "dtoa.h"
#include "eddy_time.h"

struct rt_encoder {
    rt_format fmt;
    uint32_t n_cols;
    char **keys;         /* JSON: "\"NAME\":" per column */
    size_t *key_lens;
    size_t keys_total;   /* sum of key_lens */
    char *row_delim, *col_delim;
    int with_rowtime;
};

void rt_encoder_free(rt_encoder *e) {
    if (!e) return;
    if (e->keys)
        for (uint32_t i = 0; i < e->n_cols; i++) free(e->keys[i]);
    free(e->keys);
    free(e->key_lens);
    free(e->row_delim);
    free(e->col_delim);
    free(e);
}

rt_encoder *rt_encoder_new(rt_format fmt, const char *const *names, uint32_t n_cols, const rt_encode_opts *opts,
                           eddy_err *err) {
    rt_encoder *e = calloc(1, sizeof *e);
    if (!e) goto nomem;
    e->fmt = fmt;
    e->n_cols = n_cols;
    e->with_rowtime = opts ? opts->with_rowtime : 0;
    e->keys = calloc(n_cols ? n_cols : 1, sizeof *e->keys);
    e->key_lens = calloc(n_cols ? n_cols : 1, sizeof *e->key_lens);
    e->row_delim = strdup(opts && opts->row_delim ? opts->row_delim : "\n");
    e->col_delim = strdup(opts && opts->col_delim ? opts->col_delim : ",");
    if (!e->keys || !e->key_lens || !e->row_delim || !e->col_delim) goto nomem;
    if (fmt == RT_FMT_CSV && !*e->col_delim) {
        eddy_err_set(err, EDDY_E_INVAL, "CSV column delimiter must be non-empty");
        rt_encoder_free(e);
        return NULL;
    }
    for (uint32_t i = 0; i < n_cols; i++) {
        sbuf k;
        sbuf_init(&k);
        sbuf_json_str(&k, names[i], strlen(names[i]));
        sbuf_putc(&k, ':');
        if (k.failed) {
            sbuf_free(&k);
            goto nomem;
        }
        /* Keys are padded with zeros to whole 16-byte blocks, which the row
         * writer copies without a length-dependent memcpy call. */
        size_t kl = k.len, padded = (kl + 15) & ~(size_t)15;
        if (sbuf_reserve(&k, padded - kl) != 0) {
            sbuf_free(&k);
            goto nomem;
        }
        memset(k.data + kl, 0, padded - kl + 1);
        e->keys[i] = sbuf_detach(&k, &e->key_lens[i]);
        e->keys_total += padded;
    }
    return e;
nomem:
    eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    rt_encoder_free(e);
    return NULL;
}

static void put_i64(sbuf *out, int64_t v) {
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    sbuf_append(out, p, (size_t)(buf + sizeof buf - p));
}

static void put_date(sbuf *out, int64_t days) {
    int64_t y;
    unsigned m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    sbuf_printf(out, "%04lld-%02u-%02u", (long long)y, m, d);
}

static void put_time(sbuf *out, int64_t ms) {
    sbuf_printf(out, "%02d:%02d:%02d.%03d", (int)(ms / 3600000), (int)(ms / 60000 % 60), (int)(ms / 1000 % 60),
                (int)(ms % 1000));
}

/* Formats straight into the buffer: timestamps are most of what q0-style
 * queries write. */
static void put_ts(sbuf *out, int64_t ms) {
    if (sbuf_reserve(out, 40) != 0) return;
    out->len += eddy_ts_format_sql(ms, out->data + out->len);
}

/* Nonzero when some byte of the 8 at p is a control character, '"' or '\\'. */
static inline int word_needs_escape(const char *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t ctl = (w - ones * 0x20) & ~w;                 /* bytes < 0x20 */
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
    uint64_t eq = ((q - ones) & ~q) | ((bs - ones) & ~bs); /* bytes equal to either */
    return ((ctl | eq) & highs) != 0;
}

/* Whether a string needs JSON escapes; nearly none do, and those that
 * don't are checked 16 (or 8) bytes at a time and copied in one piece.
 * Strings of a block or more end with one block that overlaps the last
 * full one. */
static int str_needs_escape(const char *s, size_t n) {
    size_t i = 0;
#ifdef __SSE2__
    if (n >= 16) {
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1F);
        for (;; i += 16) {
            if (i + 16 > n) i = n - 16;   /* the overlapping last block */
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            /* max(v, 0x1F) == 0x1F exactly for the bytes below 0x20 (unsigned). */
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                       _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
            if (_mm_movemask_epi8(hit)) return 1;
            if (i + 16 >= n) return 0;
        }
    }
#endif
    if (n >= 8) {
        for (; i + 8 <= n; i += 8)
            if (word_needs_escape(s + i)) return 1;
        return i < n && word_needs_escape(s + n - 8);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\') return 1;
    }
    return 0;
}

void rt_format_value(const rt_column *c, uint32_t r, sbuf *out) {
    eddy_value v;
    switch (c->type.id) {
    case EDDY_T_BOOLEAN: sbuf_puts(out, c->v.i64[r] ? "true" : "false"); return;
    case EDDY_T_TINYINT:
    case EDDY_T_SMALLINT:
    case EDDY_T_INTEGER:
    case EDDY_T_BIGINT:
    case EDDY_T_INTERVAL_DS:
    case EDDY_T_INTERVAL_YM: put_i64(out, c->v.i64[r]); return;
    case EDDY_T_DATE: put_date(out, c->v.i64[r]); return;
    case EDDY_T_TIME: put_time(out, c->v.i64[r]); return;
    case EDDY_T_TIMESTAMP: put_ts(out, c->v.i64[r]); return;
    case EDDY_T_DOUBLE:
        if (c->phys != RT_PHYS_F64) break;
        if (sbuf_reserve(out, EDDY_DTOA_MAX) != 0) return;
        out->len += eddy_dtoa(c->v.f64[r], out->data + out->len);
        return;
    case EDDY_T_BINARY:
    case EDDY_T_VARBINARY: {
        size_t need = eddy_b64_enc_len(c->v.str[r].n) + 1;
        if (sbuf_reserve(out, need) != 0) return;
        out->len += eddy_b64_encode(c->v.str[r].p, c->v.str[r].n, out->data + out->len);
        out->data[out->len] = '\0';
        return;
    }
    case EDDY_T_CHAR:
    case EDDY_T_VARCHAR: sbuf_append(out, c->v.str[r].p, c->v.str[r].n); return;
    default: break;
    }
    /* DECIMAL and REAL share the common formatter. */
    v.type = c->type.id;
        v.is_null = 0;
        if (c->phys == RT_PHYS_F64) v.u.d = c->v.f64[r];
        else v.u.i = c->v.i64[r];
    eddy_value_format(&v, c->type.scale, out);
}

static int needs_quotes(const rt_encoder *e, const char *p, size_t n) {
    size_t cl = strlen(e->col_delim), rl = strlen(e->row_delim);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\n' || p[i] == '\r') return 1;
        if (n - i >= cl && memcmp(p + i, e->col_delim, cl) == 0) return 1;
        if (rl && n - i >= rl && memcmp(p + i, e->row_delim, rl) == 0) return 1;
    }
    return 0;
}

static void csv_field(const rt_encoder *e, const rt_column *c, uint32_t r, sbuf *out) {
    if (rt_col_is_null(c, r)) return;
    size_t start = out->len;
    rt_format_value(c, r, out);
    if (out->failed || c->phys != RT_PHYS_STR) return;
    size_t n = out->len - start;
    if (!needs_quotes(e, out->data + start, n)) return;
    /* Re-write the field quoted, doubling its quotes. */
    char *copy = malloc(n ? n : 1);
    if (!copy) {
        out->failed = 1;
        return;
    }
    memcpy(copy, out->data + start, n);
    out->len = start;
    sbuf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (copy[i] == '"') sbuf_putc(out, '"');
        sbuf_putc(out, copy[i]);
    }
    sbuf_putc(out, '"');
    free(copy);
}


static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Number of decimal digits of u (1..20). */
static inline unsigned n_digits(uint64_t u) {
    unsigned n = 1;
    for (;;) {
        if (u < 10) return n;
        if (u < 100) return n + 1;
        if (u < 1000) return n + 2;
        if (u < 10000) return n + 3;
        u /= 10000;
        n += 4;
    }
}

/* Writes v in decimal at w (two digits per step, straight into place);
 * returns the end. */
static char *write_i64(char *w, int64_t v) {
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (v < 0) *w++ = '-';
    unsigned n = n_digits(u);
    char *p = w + n;
    while (u >= 100) {
        unsigned k = (unsigned)(u % 100);
        u /= 100;
        p -= 2;
        memcpy(p, digit_pairs + 2 * k, 2);
    }
    if (u >= 10) memcpy(p - 2, digit_pairs + 2 * u, 2);
    else p[-1] = (char)('0' + u);
    return w + n;
}

/* Room one row needs when no string needs escapes: strings count their
 * bytes, every other value at most RT_JSON_SCALAR_MAX (a quoted timestamp). */
#define RT_JSON_SCALAR_MAX 48

/* One JSON object. The row's size is bounded up front so the common values
 * (numbers, timestamps, strings without escapes) are written through a bare
 * pointer; the rare ones (escaped strings, DATE, TIME, DECIMAL, REAL,
 * binary) go through the sbuf formatters and the bound is taken again. */
static int encode_json_row(rt_encoder *e, const rt_batch *b, uint32_t r, sbuf *out) {
    size_t need = 2 + e->keys_total + e->n_cols + (e->with_rowtime ? 12 + RT_JSON_SCALAR_MAX : 0);
    for (uint32_t c = 0; c < e->n_cols; c++)
        need += b->cols[c].phys == RT_PHYS_STR ? b->cols[c].v.str[r].n + 2 : RT_JSON_SCALAR_MAX;
    if (sbuf_reserve(out, need) != 0) return EDDY_E_NOMEM;
    char *w = out->data + out->len;
    *w++ = '{';
    if (e->with_rowtime) {
        memcpy(w, "\"ROWTIME\":\"", 11);
        w += 11;
        w += eddy_ts_format_sql(b->rowtime[r], w);
        *w++ = '"';
        if (e->n_cols) *w++ = ',';
    }
    for (uint32_t c = 0; c < e->n_cols; c++) {
        const rt_column *col = &b->cols[c];
        if (c) *w++ = ',';
        for (size_t o = 0; o < e->key_lens[c]; o += 16) memcpy(w + o, e->keys[c] + o, 16);
        w += e->key_lens[c];
        if (rt_col_is_null(col, r) || (col->phys == RT_PHYS_F64 && !isfinite(col->v.f64[r]))) {
            memcpy(w, "null", 4);
            w += 4;
            continue;
        }
        switch (col->type.id) {
        case EDDY_T_BOOLEAN:
            if (col->v.i64[r]) {
                memcpy(w, "true", 4);
                w += 4;
            } else {
                memcpy(w, "false", 5);
                w += 5;
            }
            continue;
        case EDDY_T_TINYINT:
        case EDDY_T_SMALLINT:
        case EDDY_T_INTEGER:
        case EDDY_T_BIGINT:
        case EDDY_T_INTERVAL_DS:
        case EDDY_T_INTERVAL_YM: w = write_i64(w, col->v.i64[r]); continue;
        case EDDY_T_TIMESTAMP:
            *w++ = '"';
            w += eddy_ts_format_sql(col->v.i64[r], w);
            *w++ = '"';
            continue;
        case EDDY_T_DOUBLE:
            if (col->phys != RT_PHYS_F64) break;
            w += eddy_dtoa(col->v.f64[r], w);
            continue;
        case EDDY_T_CHAR:
        case EDDY_T_VARCHAR: {
            const rt_str *sv = &col->v.str[r];
            if (!str_needs_escape(sv->p, sv->n)) {
                *w++ = '"';
                memcpy(w, sv->p, sv->n);
                w += sv->n;
                *w++ = '"';
                continue;
            }
            break;
        }
        default: break;
        }
        /* The slow formatters work on the sbuf: sync it, write, re-bound. */
        out->len = (size_t)(w - out->data);
        switch (col->type.id) {
        case EDDY_T_CHAR:
        case EDDY_T_VARCHAR: sbuf_json_str(out, col->v.str[r].p, col->v.str[r].n); break;
        case EDDY_T_DATE:
        case EDDY_T_TIME:
        case EDDY_T_BINARY:
        case EDDY_T_VARBINARY:
            /* These texts never need JSON escapes. */
            sbuf_putc(out, '"');
            rt_format_value(col, r, out);
            sbuf_putc(out, '"');
            break;
        default: rt_format_value(col, r, out); break;
        }
        if (sbuf_reserve(out, need) != 0) return EDDY_E_NOMEM;
        w = out->data + out->len;
    }
    *w++ = '}';
    *w = '\0';
    out->len = (size_t)(w - out->data);
    return 0;
}

int rt_encode_row(rt_encoder *e, const rt_batch *b, uint32_t r, sbuf *out) {
    if (e->fmt == RT_FMT_CSV) {
        if (e->with_rowtime) {
            put_ts(out, b->rowtime[r]);
            if (e->n_cols) sbuf_puts(out, e->col_delim);
        }
        for (uint32_t c = 0; c < e->n_cols; c++) {
            if (c) sbuf_puts(out, e->col_delim);
            csv_field(e, &b->cols[c], r, out);
        }
        sbuf_puts(out, e->row_delim);
        return out->failed ? EDDY_E_NOMEM : 0;
    }
    return encode_json_row(e, b, r, out);
}

/* ---------------------------------------------------------------- error_stream */

const char *const rt_error_stream_names[RT_ERROR_STREAM_COLS] = {
    "ERROR_TIME", "ERROR_LEVEL", "ERROR_NAME", "MESSAGE", "DATA_ROWTIME", "DATA_ROW", "PUMP_NAME",
};

void rt_error_stream_types(eddy_type out[RT_ERROR_STREAM_COLS]) {
    out[0] = (eddy_type){EDDY_T_TIMESTAMP, 0, 0};
    out[1] = (eddy_type){EDDY_T_VARCHAR, 10, 0};
    out[2] = (eddy_type){EDDY_T_VARCHAR, 32, 0};
    out[3] = (eddy_type){EDDY_T_VARCHAR, 4096, 0};
    out[4] = (eddy_type){EDDY_T_TIMESTAMP, 0, 0};
    out[5] = (eddy_type){EDDY_T_VARCHAR, RT_ERROR_DATA_ROW_MAX, 0};
    out[6] = (eddy_type){EDDY_T_VARCHAR, 128, 0};
}

static int put_str(rt_batch *b, uint32_t c, uint32_t r, const char *s) {
    if (!s) return 0;
    size_t n = strlen(s), max = (size_t)b->cols[c].type.precision;
    if (max && n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;  /* whole UTF-8 characters */
    }
    return rt_batch_set_str(b, c, r, s, n);
}

int rt_error_row_append(rt_batch *b, const rt_error_info *info, eddy_err *err) {
    if (b->n_cols != RT_ERROR_STREAM_COLS) return eddy_err_set(err, EDDY_E_INTERNAL, "not an error_stream batch");
    if (rt_batch_room(b) == 0) return eddy_err_set(err, EDDY_E_LIMIT, "batch is full");
    uint32_t r = rt_batch_begin_row(b, info->error_time);
    rt_batch_set_i64(b, 0, r, info->error_time);
    rt_batch_set_i64(b, 4, r, info->data_rowtime);
    if (put_str(b, 1, r, info->level) || put_str(b, 2, r, info->name) || put_str(b, 3, r, info->message) ||
        put_str(b, 6, r, info->pump_name))
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    if (info->data) {
        size_t n = info->data_len;
        if (n > RT_ERROR_DATA_ROW_MAX / 2) n = RT_ERROR_DATA_ROW_MAX / 2;
        char *hex = arena_alloc(&b->strings, 2 * n + 1);
        if (!hex) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        static const char digits[] = "0123456789abcdef";
        const unsigned char *p = info->data;
        for (size_t i = 0; i < n; i++) {
            hex[2 * i] = digits[p[i] >> 4];
            hex[2 * i + 1] = digits[p[i] & 15];
        }
        b->cols[5].v.str[r].p = hex;
        b->cols[5].v.str[r].n = (uint32_t)(2 * n);
        rt_col_set_valid(&b->cols[5], r);
    }
    rt_batch_commit_row(b);
    return 0;
}
