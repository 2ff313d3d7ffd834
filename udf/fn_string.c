/*
 * fn_string.c — the string functions of SQL.md §6.10 that need no regular
 * expression: CHAR_LENGTH/CHARACTER_LENGTH, INITCAP, LOWER, UPPER, OVERLAY,
 * POSITION, SUBSTRING (character and binary forms) and TRIM.
 *
 * How it fits: udf__attach_string() (called by udf_attach_builtins) attaches
 * these to the signatures of fn_string_sigs.c; the regex forms live in
 * fn_regex.c. Strings are UTF-8 (pointer, length) views; lengths and
 * positions count code points, so a multi-byte character is one position.
 * Case mapping is ASCII-only: other characters are copied unchanged (the
 * engine has no locale tables). Results are allocated in the batch arena,
 * or point into an argument when they are a slice of it.
 */
#include "udf_fns.h"

#include <string.h>
#include <strings.h>

static int row_err(eddy_err *err, size_t *bad_row, size_t i, const char *msg) {
    *bad_row = i;
    return eddy_err_set(err, EDDY_E_RUNTIME, "%s", msg);
}

static int nomem(eddy_err *err) { return eddy_err_set(err, EDDY_E_NOMEM, "out of memory"); }

static void set_null(eddy_value *o, eddy_type_id t) {
    o->type = t;
    o->is_null = 1;
}

static void set_str(eddy_value *o, eddy_type_id t, const char *p, size_t n) {
    o->type = t;
    o->is_null = 0;
    o->u.s.p = p;
    o->u.s.n = (uint32_t)n;
}

static void set_int(eddy_value *o, eddy_type_id t, int64_t v) {
    o->type = t;
    o->is_null = 0;
    o->u.i = v;
}

/* Number of code points: every byte that is not a UTF-8 continuation byte
 * starts one, so malformed input still gets a length instead of an error. */
static size_t utf8_len(const char *p, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offset of code point `k` (0-based) in p[0..n), or n past the end. */
static size_t utf8_off(const char *p, size_t n, size_t k) {
    size_t i = 0;
    while (i < n && k > 0) {
        i++;
        while (i < n && ((unsigned char)p[i] & 0xC0) == 0x80) i++;
        k--;
    }
    return i;
}

static int fn_char_length(const udf_call *call, size_t n, const eddy_value *const *args,
                          eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    for (size_t i = 0; i < n; i++) {
        if (args[0][i].is_null) {
            set_null(&out[i], EDDY_T_INTEGER);
            continue;
        }
        set_int(&out[i], EDDY_T_INTEGER, (int64_t)utf8_len(args[0][i].u.s.p, args[0][i].u.s.n));
    }
    return 0;
}

typedef enum { C_LOWER, C_UPPER, C_INITCAP } case_op;

static int is_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int map_case(const udf_call *call, size_t n, const eddy_value *const *args,
                    eddy_value *out, arena *mem, eddy_err *err, case_op op) {
    eddy_type_id rt = call->ret_type.id;
    for (size_t i = 0; i < n; i++) {
        const eddy_value *a = &args[0][i];
        if (a->is_null) {
            set_null(&out[i], rt);
            continue;
        }
        char *d = arena_alloc(mem, a->u.s.n ? a->u.s.n : 1);
        if (!d) return nomem(err);
        int word_start = 1;
        for (uint32_t k = 0; k < a->u.s.n; k++) {
            unsigned char c = (unsigned char)a->u.s.p[k];
            int up = op == C_UPPER || (op == C_INITCAP && word_start);
            if (up && c >= 'a' && c <= 'z') c = (unsigned char)(c - 32);
            else if (!up && c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
            d[k] = (char)c;
            /* A continuation byte belongs to the letter before it. */
            if ((c & 0xC0) != 0x80) word_start = !is_alnum(c);
        }
        set_str(&out[i], rt, d, a->u.s.n);
    }
    return 0;
}

static int fn_lower(const udf_call *call, size_t n, const eddy_value *const *args,
                    eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return map_case(call, n, args, out, mem, err, C_LOWER);
}

static int fn_upper(const udf_call *call, size_t n, const eddy_value *const *args,
                    eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return map_case(call, n, args, out, mem, err, C_UPPER);
}

static int fn_initcap(const udf_call *call, size_t n, const eddy_value *const *args,
                      eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return map_case(call, n, args, out, mem, err, C_INITCAP);
}

/* The 0-based half-open position range [*b, *e) that SUBSTRING(FROM start
 * [FOR len]) selects in a value of `total` positions. Returns -1 for a
 * negative length (an error in standard SQL). A start below 1 shortens the
 * length by the positions before 1, as the dialect's examples show:
 * FROM -1 FOR 4 selects positions 1..2. */
static int substr_range(int64_t start, int has_len, int64_t len, size_t total, size_t *b,
                        size_t *e) {
    if (has_len && len < 0) return -1;
    __int128 lo = start, hi = has_len ? (__int128)start + len : (__int128)total + 1;
    if (lo < 1) lo = 1;
    if (hi > (__int128)total + 1) hi = (__int128)total + 1;
    if (hi <= lo) {
        *b = *e = 0;
        return 0;
    }
    *b = (size_t)(lo - 1);
    *e = (size_t)(hi - 1);
    return 0;
}

/* SUBSTRING over characters (binary = 0) or bytes (binary = 1). */
static int substring(const udf_call *call, size_t n, const eddy_value *const *args,
                     eddy_value *out, size_t *bad_row, eddy_err *err, int binary) {
    eddy_type_id rt = call->ret_type.id;
    int has_len = call->n_args >= 3;
    for (size_t i = 0; i < n; i++) {
        const eddy_value *s = &args[0][i];
        if (s->is_null || args[1][i].is_null || (has_len && args[2][i].is_null)) {
            set_null(&out[i], rt);
            continue;
        }
        size_t total = binary ? s->u.s.n : utf8_len(s->u.s.p, s->u.s.n), b, e;
        if (substr_range(args[1][i].u.i, has_len, has_len ? args[2][i].u.i : 0, total, &b, &e) != 0)
            return row_err(err, bad_row, i, "negative substring length not allowed");
        if (!binary) {
            size_t bb = utf8_off(s->u.s.p, s->u.s.n, b);
            e = bb + utf8_off(s->u.s.p + bb, s->u.s.n - bb, e - b);
            b = bb;
        }
        set_str(&out[i], rt, s->u.s.p + b, e - b);
    }
    return 0;
}

static int fn_substring(const udf_call *call, size_t n, const eddy_value *const *args,
                        eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return substring(call, n, args, out, bad_row, err, 0);
}

static int fn_substring_binary(const udf_call *call, size_t n, const eddy_value *const *args,
                               eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return substring(call, n, args, out, bad_row, err, 1);
}

/* POSITION(sub IN s): the 1-based character position of the first
 * occurrence, 0 when absent; an empty sub is found at position 1. */
static int fn_position(const udf_call *call, size_t n, const eddy_value *const *args,
                       eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    for (size_t i = 0; i < n; i++) {
        const eddy_value *sub = &args[0][i], *s = &args[1][i];
        if (sub->is_null || s->is_null) {
            set_null(&out[i], EDDY_T_INTEGER);
            continue;
        }
        const char *hit = sub->u.s.n == 0 ? s->u.s.p
                                          : memmem(s->u.s.p, s->u.s.n, sub->u.s.p, sub->u.s.n);
        set_int(&out[i], EDDY_T_INTEGER,
                hit ? (int64_t)utf8_len(s->u.s.p, (size_t)(hit - s->u.s.p)) + 1 : 0);
    }
    return 0;
}

/* OVERLAY(s PLACING r FROM start [FOR len]) is, by the standard's definition,
 * SUBSTRING(s FROM 1 FOR start - 1) || r || SUBSTRING(s FROM start + len),
 * with len defaulting to CHAR_LENGTH(r). A start below 1 would make the
 * first length negative, which the standard makes an error. */
static int fn_overlay(const udf_call *call, size_t n, const eddy_value *const *args,
                      eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    int has_len = call->n_args >= 4;
    for (size_t i = 0; i < n; i++) {
        const eddy_value *s = &args[0][i], *r = &args[1][i];
        if (s->is_null || r->is_null || args[2][i].is_null || (has_len && args[3][i].is_null)) {
            set_null(&out[i], EDDY_T_VARCHAR);
            continue;
        }
        int64_t start = args[2][i].u.i;
        int64_t len = has_len ? args[3][i].u.i : (int64_t)utf8_len(r->u.s.p, r->u.s.n);
        if (start < 1) return row_err(err, bad_row, i, "OVERLAY start position must be at least 1");
        size_t total = utf8_len(s->u.s.p, s->u.s.n), b1, e1, b2, e2;
        substr_range(1, 1, start - 1, total, &b1, &e1);
        __int128 tail = (__int128)start + len;
        substr_range(tail > INT64_MAX ? INT64_MAX : tail < INT64_MIN ? INT64_MIN : (int64_t)tail, 0,
                     0, total, &b2, &e2);
        size_t head_bytes = utf8_off(s->u.s.p, s->u.s.n, e1);
        size_t tail_off = utf8_off(s->u.s.p, s->u.s.n, b2);
        if (b2 == e2) tail_off = s->u.s.n;
        size_t tot = head_bytes + r->u.s.n + (s->u.s.n - tail_off);
        char *d = arena_alloc(mem, tot ? tot : 1);
        if (!d) return nomem(err);
        memcpy(d, s->u.s.p, head_bytes);
        if (r->u.s.n) memcpy(d + head_bytes, r->u.s.p, r->u.s.n);
        if (s->u.s.n > tail_off) memcpy(d + head_bytes + r->u.s.n, s->u.s.p + tail_off, s->u.s.n - tail_off);
        set_str(&out[i], EDDY_T_VARCHAR, d, tot);
    }
    return 0;
}

/* TRIM(mode chars FROM s): the planner passes 'BOTH', 'LEADING' or
 * 'TRAILING' and the trim character (' ' by default). As in standard SQL
 * (and Calcite, KDA's ancestor) the trim character must be exactly one
 * character. */
static int fn_trim(const udf_call *call, size_t n, const eddy_value *const *args,
                   eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    eddy_type_id rt = call->ret_type.id;
    for (size_t i = 0; i < n; i++) {
        const eddy_value *m = &args[0][i], *c = &args[1][i], *s = &args[2][i];
        if (m->is_null || c->is_null || s->is_null) {
            set_null(&out[i], rt);
            continue;
        }
        int lead, trail;
        if (m->u.s.n == 4 && strncasecmp(m->u.s.p, "BOTH", 4) == 0) lead = trail = 1;
        else if (m->u.s.n == 7 && strncasecmp(m->u.s.p, "LEADING", 7) == 0) lead = 1, trail = 0;
        else if (m->u.s.n == 8 && strncasecmp(m->u.s.p, "TRAILING", 8) == 0) lead = 0, trail = 1;
        else return row_err(err, bad_row, i, "TRIM mode must be BOTH, LEADING or TRAILING");
        if (utf8_len(c->u.s.p, c->u.s.n) != 1)
            return row_err(err, bad_row, i, "trim character must be exactly one character");
        size_t cn = c->u.s.n, b = 0, e = s->u.s.n;
        while (lead && e - b >= cn && memcmp(s->u.s.p + b, c->u.s.p, cn) == 0) b += cn;
        while (trail && e - b >= cn && memcmp(s->u.s.p + e - cn, c->u.s.p, cn) == 0) e -= cn;
        set_str(&out[i], rt, s->u.s.p + b, e - b);
    }
    return 0;
}

int udf__attach_string(udf_registry *r, eddy_err *err) {
    static const struct {
        const char *specific;
        udf_scalar_eval_fn fn;
    } tab[] = {
        {"CHAR_LENGTH", fn_char_length},
        {"CHARACTER_LENGTH", fn_char_length},
        {"INITCAP", fn_initcap},
        {"LOWER", fn_lower},
        {"UPPER", fn_upper},
        {"OVERLAY", fn_overlay},
        {"POSITION", fn_position},
        {"SUBSTRING", fn_substring},
        {"SUBSTRING_BINARY", fn_substring_binary},
        {"TRIM", fn_trim},
    };
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (udf_attach_scalar(r, tab[k].specific, tab[k].fn) != 0)
            return eddy_err_set(err, EDDY_E_NOTFOUND, "function %s is not registered",
                                tab[k].specific);
    return 0;
}
