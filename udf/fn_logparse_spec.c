/*
 * fn_logparse_spec.c — what a log parser's constant arguments mean
 * (SQL.md §6.11): reading column specs, checking a call's arguments and
 * compiling them into a parser (udf__lp_compile), and udf_row_fields(), the
 * fields a call returns.
 *
 * How it fits: the planner calls udf_row_fields() to plan `f(...) AS r`
 * (udf_row_fields compiles the arguments and keeps only the fields);
 * fn_logparse.c calls udf__lp_compile() for each distinct set of constant
 * arguments it evaluates and caches the result per thread. Patterns are
 * compiled by fn_logparse_regex.c, W3C formats by fn_logparse_w3c.c.
 *
 * Column specs, where the reference is silent: the TYPE keyword and the
 * type may be omitted (VARCHAR(1024)); CHAR without a length is CHAR(1);
 * NOT NULL makes a missing value a row error; values of non-character types
 * are trimmed and an empty value is NULL, so CAST sees '' only for text
 * (fn_logparse_line.c finishes the values).
 */
#include "logparse_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- column specs -------------------------------------------------------- */

typedef struct spec_rd {
    const char *s;
    size_t n, i;
    const char *fname;
    eddy_err *err;
} spec_rd;

static void sp_ws(spec_rd *r) {
    while (r->i < r->n && isspace((unsigned char)r->s[r->i])) r->i++;
}

static int is_word_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static int is_word_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '$'; }

/* The length of the bare word at the read position (0 if none). */
static size_t sp_peek_word(const spec_rd *r) {
    if (r->i >= r->n || !is_word_start(r->s[r->i])) return 0;
    size_t j = r->i;
    while (j < r->n && is_word_char(r->s[j])) j++;
    return j - r->i;
}

/* Consumes the word `w` (case-insensitive) if it is next. */
static int sp_accept(spec_rd *r, const char *w) {
    sp_ws(r);
    size_t n = sp_peek_word(r);
    if (n == 0 || n != strlen(w) || strncasecmp(r->s + r->i, w, n) != 0) return 0;
    r->i += n;
    return 1;
}

/* Sets "column spec of F: <msg> at '<the column's text>'". */
__attribute__((format(printf, 3, 4))) static int sp_fail(spec_rd *r, size_t at, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at >= r->n) return eddy_err_set(r->err, EDDY_E_SEMANTIC, "column spec of %s: %s at the end", r->fname, msg);
    size_t show = r->n - at > 16 ? 16 : r->n - at;
    return eddy_err_set(r->err, EDDY_E_SEMANTIC, "column spec of %s: %s at '%.*s%s'", r->fname, msg, (int)show,
                        r->s + at, r->n - at > show ? "..." : "");
}

/* Reads an unsigned number; -1 if there is none or it exceeds 10^9. */
static int64_t sp_number(spec_rd *r) {
    sp_ws(r);
    int64_t v = 0;
    size_t j = r->i;
    while (j < r->n && isdigit((unsigned char)r->s[j]) && v <= 1000000000) v = v * 10 + (r->s[j++] - '0');
    if (j == r->i || v > 1000000000) return -1;
    r->i = j;
    return v;
}

/* Reads a data type at the read position into *t. */
static int sp_type(spec_rd *r, size_t at, eddy_type *t) {
    sp_ws(r);
    size_t w = sp_peek_word(r);
    if (w == 0) return sp_fail(r, at, "expected a type");
    char name[64];
    size_t nn = 0;
    const char *word = r->s + r->i;
    r->i += w;
    if (w >= 32) return sp_fail(r, at, "unknown type '%.*s'", (int)(w > 40 ? 40 : w), word);
    memcpy(name, word, w);
    nn = w;
    /* Two-word spellings: DOUBLE PRECISION, CHAR[ACTER] VARYING. */
    size_t save = r->i;
    if ((w == 6 && !strncasecmp(word, "DOUBLE", 6) && sp_accept(r, "PRECISION")) ||
        (((w == 4 && !strncasecmp(word, "CHAR", 4)) || (w == 9 && !strncasecmp(word, "CHARACTER", 9))) &&
         sp_accept(r, "VARYING"))) {
        const char *second = !strncasecmp(word, "DOUBLE", 6) ? " PRECISION" : " VARYING";
        memcpy(name + nn, second, strlen(second));
        nn += strlen(second);
    } else {
        r->i = save;
    }
    eddy_type_id id;
    if (eddy_type_lookup(name, nn, &id) != 0) return sp_fail(r, at, "unknown type '%.*s'", (int)w, word);
    if (eddy_type_is_binary(id)) return sp_fail(r, at, "binary type '%.*s' is not supported", (int)w, word);
    *t = (eddy_type){id, 0, 0};
    if (id == EDDY_T_VARCHAR) t->precision = 1024;
    if (id == EDDY_T_CHAR) t->precision = 1;
    if (id == EDDY_T_DECIMAL) t->precision = 18;
    sp_ws(r);
    if (r->i < r->n && r->s[r->i] == '(') {
        if (!eddy_type_is_string(id) && id != EDDY_T_DECIMAL)
            return sp_fail(r, at, "type %s takes no length", eddy_type_name(id));
        r->i++;
        int64_t p = sp_number(r), s = 0;
        sp_ws(r);
        if (p >= 0 && id == EDDY_T_DECIMAL && r->i < r->n && r->s[r->i] == ',') {
            r->i++;
            s = sp_number(r);
            sp_ws(r);
        }
        if (p < 0 || s < 0 || r->i >= r->n || r->s[r->i] != ')')
            return sp_fail(r, at, "bad length of type %s", eddy_type_name(id));
        r->i++;
        if (id == EDDY_T_DECIMAL && (p < 1 || p > 18 || s > p))
            return sp_fail(r, at, "DECIMAL(%lld,%lld) is out of range (precision 1..18)", (long long)p,
                           (long long)s);
        if (id != EDDY_T_DECIMAL && (p < 1 || p > 1048576))
            return sp_fail(r, at, "length %lld of %s is out of range", (long long)p, eddy_type_name(id));
        t->precision = (int32_t)p;
        t->scale = (int32_t)s;
    }
    return 0;
}

/* Parses a column spec: '<name> [TYPE] [<type> ['<date format>']] [NOT NULL]
 * [START n [FOR len]], ...' (START is required by FIXED_COLUMN_LOG_PARSE and
 * refused elsewhere). Names and formats are copied into `mem`. */
static int parse_spec(const char *fname, const char *s, size_t n, int fixed, arena *mem, lp_field **out,
                      uint32_t *n_out, eddy_err *err) {
    spec_rd r = {s, n, 0, fname, err};
    size_t cap = 1;
    for (size_t i = 0; i < n; i++) cap += s[i] == ',';
    if (cap > LP_MAX_FIELDS) cap = LP_MAX_FIELDS + 1;
    lp_field *f = arena_calloc(mem, cap * sizeof *f);
    if (!f) return lp_nomem(err);
    uint32_t k = 0;
    for (;;) {
        sp_ws(&r);
        size_t at = r.i;
        if (r.i >= n) return sp_fail(&r, at, k == 0 ? "no columns" : "expected a column after ','");
        if (k >= LP_MAX_FIELDS || k >= cap) return sp_fail(&r, at, "more than %d columns", LP_MAX_FIELDS);
        lp_field *c = &f[k];
        char *name;
        if (s[r.i] == '"') {
            name = arena_alloc(mem, n - r.i);
            if (!name) return lp_nomem(err);
            size_t o = 0, j = r.i + 1;
            for (;;) {
                if (j >= n) return sp_fail(&r, at, "unterminated quoted name");
                if (s[j] == '"') {
                    if (j + 1 < n && s[j + 1] == '"') {
                        name[o++] = '"';
                        j += 2;
                        continue;
                    }
                    break;
                }
                name[o++] = s[j++];
            }
            name[o] = '\0';
            r.i = j + 1;
            if (o == 0) return sp_fail(&r, at, "empty column name");
        } else {
            size_t w = sp_peek_word(&r);
            if (w == 0) return sp_fail(&r, at, "expected a column name");
            name = arena_strndup(mem, s + r.i, w);
            if (!name) return lp_nomem(err);
            /* Unquoted names fold to upper case, as identifiers do in SQL. */
            for (char *q = name; *q; q++) *q = (char)toupper((unsigned char)*q);
            r.i += w;
        }
        for (uint32_t j = 0; j < k; j++)
            if (strcmp(f[j].f.name, name) == 0) return sp_fail(&r, at, "duplicate column name \"%s\"", name);
        c->f.name = name;
        c->f.type = (eddy_type){EDDY_T_VARCHAR, 1024, 0};
        c->start = -1;
        c->len = -1;
        int has_type = sp_accept(&r, "TYPE");
        sp_ws(&r);
        size_t w = sp_peek_word(&r);
        int next_kw = w && ((w == 3 && !strncasecmp(s + r.i, "NOT", 3)) ||
                            (w == 5 && !strncasecmp(s + r.i, "START", 5)));
        if (has_type || (w && !next_kw)) {
            int rc = sp_type(&r, at, &c->f.type);
            if (rc != 0) return rc;
        }
        sp_ws(&r);
        if (r.i < n && s[r.i] == '\'') {
            if (!eddy_type_is_datetime(c->f.type.id))
                return sp_fail(&r, at, "a date format is only allowed for DATE, TIME and TIMESTAMP");
            /* The format runs to the next lone quote; '' stays '' for
             * SimpleDateFormat, where it stands for a quote. */
            size_t j = r.i + 1;
            for (;;) {
                if (j >= n) return sp_fail(&r, at, "unterminated date format");
                if (s[j] == '\'') {
                    if (j + 1 < n && s[j + 1] == '\'') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j++;
            }
            c->fmt = arena_strndup(mem, s + r.i + 1, j - r.i - 1);
            if (!c->fmt) return lp_nomem(err);
            c->fmt_n = (uint32_t)(j - r.i - 1);
            r.i = j + 1;
        }
        if (sp_accept(&r, "NOT")) {
            if (!sp_accept(&r, "NULL")) return sp_fail(&r, at, "expected NULL after NOT");
            c->not_null = 1;
        }
        if (sp_accept(&r, "START")) {
            if (!fixed) return sp_fail(&r, at, "START is only allowed in FIXED_COLUMN_LOG_PARSE");
            if ((c->start = sp_number(&r)) < 0) return sp_fail(&r, at, "expected a number after START");
            if (sp_accept(&r, "FOR")) {
                if ((c->len = sp_number(&r)) < 1) return sp_fail(&r, at, "expected a positive number after FOR");
            }
        } else if (fixed) {
            sp_ws(&r);
            return sp_fail(&r, at, "expected START");
        }
        sp_ws(&r);
        k++;
        if (r.i >= n) break;
        if (s[r.i] != ',') return sp_fail(&r, at, "unexpected '%c'", s[r.i]);
        r.i++;
    }
    *out = f;
    *n_out = k;
    return 0;
}

/* ---- compiling a call's constant arguments -------------------------------- */

static int is_str(const eddy_value *v) { return v && !v->is_null && eddy_type_is_string(v->type); }

/* Checks that argument `k` is a constant string. */
static int need_str(lp_kind kind, const eddy_value *const *a, int na, int k, const char *what, int *bad_arg,
                    eddy_err *err) {
    *bad_arg = k;
    const char *f = udf__lp_kind_name[kind];
    if (k >= na) return eddy_err_set(err, EDDY_E_SEMANTIC, "%s needs %s", f, what);
    if (!a[k]) return eddy_err_set(err, EDDY_E_SEMANTIC, "the %s of %s must be a constant", what, f);
    if (a[k]->is_null || a[k]->type == EDDY_T_NULL)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "the %s of %s must not be NULL", what, f);
    if (!is_str(a[k])) return eddy_err_set(err, EDDY_E_SEMANTIC, "the %s of %s must be a string", what, f);
    return 0;
}

/* Names fields COLUMN1..n. */
static int default_fields(lp_parser *p, uint32_t n, eddy_err *err) {
    p->fields = arena_calloc(&p->mem, n * sizeof *p->fields);
    if (!p->fields) return lp_nomem(err);
    for (uint32_t k = 0; k < n; k++) {
        p->fields[k].f.name = arena_sprintf(&p->mem, "COLUMN%u", k + 1);
        if (!p->fields[k].f.name) return lp_nomem(err);
        p->fields[k].f.type = (eddy_type){EDDY_T_VARCHAR, 1024, 0};
        p->fields[k].len = -1;
    }
    p->n_fields = n;
    return 0;
}

/* Compiles REGEX_LOG_PARSE's or FAST_REGEX_LOG_PARSE's arguments: the
 * pattern (fn_logparse_regex.c) and REGEX_LOG_PARSE's optional columns. */
static int compile_regex_args(lp_parser *p, const eddy_value *const *a, int na, int *bad_arg, eddy_err *err) {
    const char *f = udf__lp_kind_name[p->kind];
    int rc = need_str(p->kind, a, na, 1, "pattern", bad_arg, err);
    if (rc != 0) return rc;
    uint32_t n_groups;
    if ((rc = udf__lp_regex_compile(p, a[1]->u.s.p, a[1]->u.s.n, &n_groups, err)) != 0) return rc;
    if ((rc = default_fields(p, n_groups, err)) != 0) return rc;
    /* REGEX_LOG_PARSE's optional columns name and type the groups. */
    if (p->kind == LP_REGEX && na > 2) {
        *bad_arg = 2;
        if (!a[2]) return eddy_err_set(err, EDDY_E_SEMANTIC, "the columns of %s must be a constant", f);
        if (a[2]->is_null || a[2]->type == EDDY_T_NULL) return 0;
        if (!is_str(a[2])) return eddy_err_set(err, EDDY_E_SEMANTIC, "the columns of %s must be a string", f);
        lp_field *cols;
        uint32_t nc;
        if ((rc = parse_spec(f, a[2]->u.s.p, a[2]->u.s.n, 0, &p->mem, &cols, &nc, err)) != 0) return rc;
        if (nc > p->n_fields)
            return eddy_err_set(err, EDDY_E_SEMANTIC, "the columns of %s name %u fields but the pattern has %u capture groups",
                                f, nc, p->n_fields);
        p->fields = cols;
        p->n_fields = nc;
    }
    return 0;
}

/* Reads VARIABLE_COLUMN_LOG_PARSE's delimiter, escape and quote arguments
 * when they are constants. */
static int compile_variable_chars(lp_parser *p, const eddy_value *const *a, int na, int *bad_arg, eddy_err *err) {
    const char *f = udf__lp_kind_name[p->kind];
    p->esc = p->qb = p->qe = -1;
    if (na < 3) return need_str(p->kind, a, na, 2, "delimiter", bad_arg, err);
    *bad_arg = 2;
    if (a[2]) {
        if (!is_str(a[2]) || a[2]->u.s.n == 0)
            return eddy_err_set(err, EDDY_E_SEMANTIC, "the delimiter of %s must be a non-empty string", f);
        p->delim = a[2]->u.s.p;
        p->delim_n = a[2]->u.s.n;
    }
    if (na > 3 && a[3] && !a[3]->is_null) {
        *bad_arg = 3;
        if (!is_str(a[3]) || a[3]->u.s.n > 1 || (a[3]->u.s.n == 1 && (unsigned char)a[3]->u.s.p[0] >= 0x80))
            return eddy_err_set(err, EDDY_E_SEMANTIC, "the escape of %s must be one ASCII character", f);
        if (a[3]->u.s.n == 1) p->esc = (unsigned char)a[3]->u.s.p[0];
    }
    if (na > 4 && a[4] && !a[4]->is_null) {
        *bad_arg = 4;
        const eddy_value *q = a[4];
        int ok = is_str(q) && q->u.s.n <= 2;
        for (uint32_t k = 0; ok && k < q->u.s.n; k++) ok = (unsigned char)q->u.s.p[k] < 0x80;
        if (!ok) return eddy_err_set(err, EDDY_E_SEMANTIC, "the quote string of %s must be one or two ASCII characters", f);
        if (q->u.s.n >= 1) p->qb = p->qe = (unsigned char)q->u.s.p[0];
        if (q->u.s.n == 2) p->qe = (unsigned char)q->u.s.p[1];
    }
    return 0;
}

int udf__lp_compile(lp_kind kind, const eddy_value *const *a, int na, lp_parser **out, int *bad_arg,
                    eddy_err *err) {
    lp_parser *p = calloc(1, sizeof *p);
    if (!p) return lp_nomem(err);
    arena_init(&p->mem, 4096);
    p->kind = kind;
    p->esc = p->qb = p->qe = -1;
    const char *f = udf__lp_kind_name[kind];
    int rc = 0;
    *bad_arg = -1;
    switch (kind) {
    case LP_FAST_REGEX:
    case LP_REGEX: rc = compile_regex_args(p, a, na, bad_arg, err); break;
    case LP_FIXED:
        if ((rc = need_str(kind, a, na, 1, "column spec", bad_arg, err)) == 0)
            rc = parse_spec(f, a[1]->u.s.p, a[1]->u.s.n, 1, &p->mem, &p->fields, &p->n_fields, err);
        break;
    case LP_SYSLOG:
        if ((rc = default_fields(p, 2, err)) == 0) p->fields[0].f.type = (eddy_type){EDDY_T_TIMESTAMP, 0, 0};
        break;
    case LP_VARIABLE:
        *bad_arg = 1;
        if (na < 2 || !a[1]) {
            rc = eddy_err_set(err, EDDY_E_SEMANTIC, "the columns of %s must be a constant", f);
        } else if (a[1]->is_null || a[1]->type == EDDY_T_NULL) {
            rc = eddy_err_set(err, EDDY_E_SEMANTIC, "the columns of %s must not be NULL", f);
        } else if (eddy_type_is_integer(a[1]->type)) {
            if (a[1]->u.i < 1 || a[1]->u.i > LP_MAX_FIELDS)
                rc = eddy_err_set(err, EDDY_E_SEMANTIC, "the column count of %s must be between 1 and %d", f,
                                  LP_MAX_FIELDS);
            else rc = default_fields(p, (uint32_t)a[1]->u.i, err);
        } else if (is_str(a[1])) {
            rc = parse_spec(f, a[1]->u.s.p, a[1]->u.s.n, 0, &p->mem, &p->fields, &p->n_fields, err);
        } else {
            rc = eddy_err_set(err, EDDY_E_SEMANTIC, "the columns of %s must be a count or a column spec", f);
        }
        if (rc == 0) rc = compile_variable_chars(p, a, na, bad_arg, err);
        break;
    case LP_W3C:
        if ((rc = need_str(kind, a, na, 1, "format", bad_arg, err)) == 0)
            rc = udf__w3c_compile(a[1]->u.s.p, a[1]->u.s.n, &p->mem, &p->w3c, err);
        if (rc == 0) rc = default_fields(p, udf__w3c_n_fields(p->w3c), err);
        break;
    default: rc = eddy_err_set(err, EDDY_E_INTERNAL, "not a log parser");
    }
    if (rc == 0 && p->mem.failed) rc = lp_nomem(err);
    if (rc != 0) {
        udf__lp_parser_free(p);
        return rc;
    }
    for (uint32_t k = 0; k < p->n_fields; k++) {
        const lp_field *fd = &p->fields[k];
        p->post |= fd->fmt || fd->not_null || !eddy_type_is_string(fd->f.type.id);
    }
    *out = p;
    return 0;
}

void udf__lp_parser_free(lp_parser *p) {
    if (!p) return;
    for (int k = 0; k < p->n_res; k++) regfree(p->res[k]);
    free(p->res);
    free(p->line);
    free(p->key);
    arena_free(&p->mem);
    free(p);
}

static int kind_of(const udf_func *fn, lp_kind *k) {
    for (int i = 0; i < LP__COUNT; i++)
        if (fn && fn->specific && strcmp(fn->specific, udf__lp_kind_name[i]) == 0) {
            *k = (lp_kind)i;
            return 0;
        }
    return -1;
}

int udf_row_fields(const udf_func *fn, const eddy_value *const *args, int n_args, arena *mem,
                   udf_row_field **fields, uint32_t *n, int *bad_arg, eddy_err *err) {
    lp_kind kind;
    *bad_arg = -1;
    if (kind_of(fn, &kind) != 0)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "function %s does not return a row", fn ? fn->name : "?");
    lp_parser *p;
    int rc = udf__lp_compile(kind, args, n_args, &p, bad_arg, err);
    if (rc != 0) return rc;
    udf_row_field *out = arena_alloc(mem, p->n_fields * sizeof *out);
    for (uint32_t k = 0; out && k < p->n_fields; k++) {
        out[k].type = p->fields[k].f.type;
        if (!(out[k].name = arena_strdup(mem, p->fields[k].f.name))) out = NULL;
    }
    uint32_t nf = p->n_fields;
    udf__lp_parser_free(p);
    if (!out) return lp_nomem(err);
    *bad_arg = -1;
    *fields = out;
    *n = nf;
    return 0;
}
