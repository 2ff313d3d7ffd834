/*
 * json_field.c — finds top-level members of a JSON object text in one pass,
 * without allocating (see json_field.h). Used by `eddy put` for every input
 * line, so it is a plain byte loop: no tree, no number conversion unless
 * asked for.
 */
#include "json_field.h"

#include "eddy_err.h"

#include <string.h>

/* Nested values deeper than this are refused: the bracket stack is a bitset. */
#define JF_MAX_DEPTH 1024

typedef struct jf_scan {
    const char *p;     /* next byte */
    const char *end;   /* one past the text */
} jf_scan;

static void skip_ws(jf_scan *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* s->p is at an opening quote. Moves past the closing quote; sets *esc when a
 * backslash was seen. Raw control characters are invalid, as in RFC 8259. */
static int scan_string(jf_scan *s, int *esc) {
    const char *p = s->p + 1;
    *esc = 0;
    while (p < s->end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            s->p = p + 1;
            return 0;
        }
        if (c < 0x20) return EDDY_E_INVAL;
        if (c == '\\') {
            *esc = 1;
            if (p + 1 >= s->end) return EDDY_E_INVAL;
            char e = p[1];
            if (e == 'u') {
                if (s->end - p < 6) return EDDY_E_INVAL;
                for (int k = 2; k < 6; k++)
                    if (hexval(p[k]) < 0) return EDDY_E_INVAL;
                p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0') return EDDY_E_INVAL;
            p += 2;
            continue;
        }
        p++;
    }
    return EDDY_E_INVAL;
}

static int is_digit(const jf_scan *s) { return s->p < s->end && *s->p >= '0' && *s->p <= '9'; }

/* JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scan_number(jf_scan *s) {
    if (s->p < s->end && *s->p == '-') s->p++;
    if (!is_digit(s)) return EDDY_E_INVAL;
    if (*s->p == '0') {
        s->p++;
    } else {
        while (is_digit(s)) s->p++;
    }
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!is_digit(s)) return EDDY_E_INVAL;
        while (is_digit(s)) s->p++;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-')) s->p++;
        if (!is_digit(s)) return EDDY_E_INVAL;
        while (is_digit(s)) s->p++;
    }
    return 0;
}

static int scan_literal(jf_scan *s, const char *lit) {
    size_t n = strlen(lit);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0) return EDDY_E_INVAL;
    s->p += n;
    return 0;
}

/* s->p is at '{' or '['. Skips to past the matching bracket. Strings are
 * scanned properly (a bracket inside one does not count); other tokens of
 * the nested value are not checked, which is what keeps this fast. */
static int skip_nested(jf_scan *s) {
    unsigned char stack[JF_MAX_DEPTH / 8];
    int depth = 0;
    while (s->p < s->end) {
        char c = *s->p;
        if (c == '"') {
            int esc;
            if (scan_string(s, &esc) != 0) return EDDY_E_INVAL;
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth >= JF_MAX_DEPTH) return EDDY_E_INVAL;
            if (c == '{')
                stack[depth / 8] |= (unsigned char)(1u << (depth % 8));
            else
                stack[depth / 8] &= (unsigned char)~(1u << (depth % 8));
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) return EDDY_E_INVAL;
            depth--;
            int is_obj = (stack[depth / 8] >> (depth % 8)) & 1;
            if (is_obj != (c == '}')) return EDDY_E_INVAL;
            if (depth == 0) {
                s->p++;
                return 0;
            }
        }
        s->p++;
    }
    return EDDY_E_INVAL;
}

/* Scans one value at s->p and describes it in *f. */
static int scan_value(jf_scan *s, json_field *f) {
    if (s->p >= s->end) return EDDY_E_INVAL;
    const char *start = s->p;
    int rc;
    f->has_escapes = 0;
    switch (*s->p) {
    case '"':
        f->kind = JSON_FIELD_STRING;
        rc = scan_string(s, &f->has_escapes);
        break;
    case '{':
        f->kind = JSON_FIELD_OBJECT;
        rc = skip_nested(s);
        break;
    case '[':
        f->kind = JSON_FIELD_ARRAY;
        rc = skip_nested(s);
        break;
    case 't':
        f->kind = JSON_FIELD_BOOL;
        rc = scan_literal(s, "true");
        break;
    case 'f':
        f->kind = JSON_FIELD_BOOL;
        rc = scan_literal(s, "false");
        break;
    case 'n':
        f->kind = JSON_FIELD_NULL;
        rc = scan_literal(s, "null");
        break;
    default:
        f->kind = JSON_FIELD_NUMBER;
        rc = scan_number(s);
        break;
    }
    if (rc != 0) return rc;
    f->raw = start;
    f->raw_len = (size_t)(s->p - start);
    return 0;
}

/* Decodes the escape at s[*i] (s[*i] == '\\') into UTF-8 bytes in out[4].
 * Returns the number of bytes, or -1 for an invalid escape or lone
 * surrogate. The text was already checked by scan_string. */
static int decode_escape(const char *s, size_t n, size_t *i, char out[4]) {
    char e = s[*i + 1];
    if (e != 'u') {
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = strchr(from, e);
        if (!k || !*k) return -1;
        out[0] = to[k - from];
        *i += 2;
        return 1;
    }
    if (*i + 6 > n) return -1;
    unsigned cp = 0;
    for (int k = 2; k < 6; k++) cp = cp * 16 + (unsigned)hexval(s[*i + k]);
    *i += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return -1;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (*i + 6 > n || s[*i] != '\\' || s[*i + 1] != 'u') return -1;
        unsigned lo = 0;
        for (int k = 2; k < 6; k++) {
            int h = hexval(s[*i + k]);
            if (h < 0) return -1;
            lo = lo * 16 + (unsigned)h;
        }
        if (lo < 0xDC00 || lo > 0xDFFF) return -1;
        *i += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Compares a member name (the text between its quotes) with `key`. */
static int name_eq(const char *s, size_t n, int esc, const char *key, size_t key_len) {
    if (!esc) return n == key_len && memcmp(s, key, n) == 0;
    size_t i = 0, k = 0;
    while (i < n) {
        if (s[i] != '\\') {
            if (k >= key_len || s[i] != key[k]) return 0;
            i++, k++;
            continue;
        }
        char u[4];
        int m = decode_escape(s, n, &i, u);
        if (m < 0 || k + (size_t)m > key_len || memcmp(key + k, u, (size_t)m) != 0) return 0;
        k += (size_t)m;
    }
    return k == key_len;
}

/* The one walk behind both entry points. With stop_at_first, returns as
 * soon as keys[0] is found. */
static int walk(const char *text, size_t n, const char *const *keys, const size_t *key_lens,
                size_t n_keys, json_field *out, int stop_at_first) {
    for (size_t k = 0; k < n_keys; k++) memset(&out[k], 0, sizeof out[k]);
    jf_scan s = {text, text + n};
    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{') return EDDY_E_INVAL;
    s.p++;
    skip_ws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
    } else {
        for (;;) {
            skip_ws(&s);
            if (s.p >= s.end || *s.p != '"') return EDDY_E_INVAL;
            const char *name = s.p + 1;
            int esc;
            if (scan_string(&s, &esc) != 0) return EDDY_E_INVAL;
            size_t name_len = (size_t)(s.p - 1 - name);
            skip_ws(&s);
            if (s.p >= s.end || *s.p != ':') return EDDY_E_INVAL;
            s.p++;
            skip_ws(&s);
            json_field v;
            if (scan_value(&s, &v) != 0) return EDDY_E_INVAL;
            for (size_t k = 0; k < n_keys; k++) {
                if (out[k].found || !name_eq(name, name_len, esc, keys[k], key_lens[k]))
                    continue;
                out[k] = v;
                out[k].found = 1;
                if (stop_at_first) return 0;
            }
            skip_ws(&s);
            if (s.p < s.end && *s.p == ',') {
                s.p++;
                continue;
            }
            if (s.p < s.end && *s.p == '}') {
                s.p++;
                break;
            }
            return EDDY_E_INVAL;
        }
    }
    if (stop_at_first) return EDDY_E_NOTFOUND;
    skip_ws(&s);
    return s.p == s.end ? 0 : EDDY_E_INVAL;
}

int json_field_find(const char *text, size_t n, const char *key, size_t key_len,
                    json_field *out) {
    const char *keys[1] = {key};
    size_t lens[1] = {key_len};
    return walk(text, n, keys, lens, 1, out, 1);
}

int json_field_scan(const char *text, size_t n, const char *const *keys, size_t n_keys,
                    json_field *out) {
    size_t lens[16];
    if (n_keys > sizeof lens / sizeof lens[0]) return EDDY_E_INVAL;
    for (size_t k = 0; k < n_keys; k++) lens[k] = strlen(keys[k]);
    return walk(text, n, keys, lens, n_keys, out, 0);
}

int json_field_string(const json_field *f, sbuf *b) {
    if (!f->found || f->kind != JSON_FIELD_STRING || f->raw_len < 2) return EDDY_E_INVAL;
    const char *s = f->raw + 1;
    size_t n = f->raw_len - 2;
    if (!f->has_escapes) {
        sbuf_append(b, s, n);
        return b->failed ? EDDY_E_NOMEM : 0;
    }
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && s[run] != '\\') run++;
        sbuf_append(b, s + i, run - i);
        i = run;
        if (i >= n) break;
        char u[4];
        int m = decode_escape(s, n, &i, u);
        if (m < 0) return EDDY_E_INVAL;
        sbuf_append(b, u, (size_t)m);
    }
    return b->failed ? EDDY_E_NOMEM : 0;
}

int json_field_int64(const json_field *f, int64_t *out) {
    if (!f->found || f->kind != JSON_FIELD_NUMBER || f->raw_len == 0) return EDDY_E_INVAL;
    const char *p = f->raw, *e = f->raw + f->raw_len;
    int neg = 0;
    if (*p == '-') neg = 1, p++;
    if (p == e) return EDDY_E_INVAL;
    uint64_t v = 0;
    /* Magnitude limit: 2^63 - 1, or 2^63 for a negative number. */
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; p < e; p++) {
        if (*p < '0' || *p > '9') return EDDY_E_INVAL;
        unsigned d = (unsigned)(*p - '0');
        if (v > (lim - d) / 10) return EDDY_E_INVAL;
        v = v * 10 + d;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 0;
}
