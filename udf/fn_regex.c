/*
 * fn_regex.c — the regular-expression functions of SQL.md §6.10:
 * SUBSTRING(s FROM regex), SUBSTRING(s SIMILAR pattern ESCAPE c) and
 * REGEX_REPLACE, on top of POSIX regcomp(REG_EXTENDED) with a translation
 * from Java's regex syntax (udf_regex_from_java) and from SQL SIMILAR TO
 * patterns.
 *
 * How it fits: udf__attach_regex() (called by udf_attach_builtins) attaches
 * these to the signatures of fn_string_sigs.c. Patterns are usually
 * literals, so every evaluating thread keeps a small cache of compiled
 * expressions, freed when the thread exits.
 *
 * Limits (POSIX ERE is leftmost-longest, Java is leftmost-first): an
 * alternation whose branches match at the same place picks the longest
 * branch, not the first; lazy and possessive quantifiers, look-around,
 * inline flags, named groups and word boundaries are rejected with an error
 * rather than silently changing meaning. Java's '.' excludes \n and \r, and
 * so does the translation.
 */
#include "udf_fns.h"

#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define RE_MAX_GROUPS 32   /* Java groups addressable by $n and \n */
#define RE_CACHE_SIZE 16

/* ---- Java -> POSIX translation ----------------------------------------- */

static int bad(eddy_err *err, const char *what) {
    return eddy_err_set(err, EDDY_E_INVAL, "unsupported regular expression: %s", what);
}

/* Appends one literal byte outside a bracket expression, escaped when it is
 * an ERE metacharacter. */
static void put_lit(sbuf *b, unsigned char c) {
    if (strchr(".[]()*+?{}|^$\\", c) && c != 0) sbuf_putc(b, '\\');
    sbuf_putc(b, (char)c);
}

long udf__regex_num_escape(const char *p, size_t n, size_t *i, char kind) {
    long v = 0;
    int digits = 0, max = kind == 'x' ? 2 : kind == 'u' ? 4 : 3, base = kind == '0' ? 8 : 16;
    while (*i < n && digits < max) {
        char c = p[*i];
        int d = c >= '0' && c <= '9' ? c - '0'
              : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0 || d >= base) break;
        v = v * base + d;
        (*i)++;
        digits++;
    }
    return digits == 0 ? -1 : v;
}

/* The character a simple escape letter stands for, or -1. */
static int simple_escape(char c) {
    switch (c) {
    case 't': return '\t';
    case 'n': return '\n';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'a': return 7;
    case 'e': return 27;
    default: return -1;
    }
}

/* Translates a Java bracket expression starting at p[*i] == '['. POSIX
 * brackets have no escapes, so the members are collected and re-emitted
 * with ']' first, '^' and '-' last. */
static int xlate_bracket(const char *p, size_t n, size_t *i, sbuf *b, eddy_err *err) {
    size_t k = *i + 1;
    int neg = 0, has_rb = 0, has_caret = 0, has_dash = 0;
    sbuf body;
    sbuf_init(&body);
    if (k < n && p[k] == '^') {
        neg = 1;
        k++;
    }
    int first = 1, rc = 0;
    for (;;) {
        if (k >= n) {
            rc = eddy_err_set(err, EDDY_E_INVAL, "unclosed character class in regular expression");
            goto out;
        }
        char c = p[k];
        if (c == ']' && !first) {
            k++;
            break;
        }
        first = 0;
        int lit = -1;
        if (c == '[' || (c == '&' && k + 1 < n && p[k + 1] == '&')) {
            rc = bad(err, "nested or intersected character classes");
            goto out;
        }
        if (c == '\\') {
            if (k + 1 >= n) {
                rc = eddy_err_set(err, EDDY_E_INVAL, "trailing backslash in regular expression");
                goto out;
            }
            char e = p[k + 1];
            k += 2;
            if (e == 'd') sbuf_puts(&body, "0-9");
            else if (e == 'w') sbuf_puts(&body, "A-Za-z0-9_");
            else if (e == 's') sbuf_puts(&body, " \t\n\r\f\v");
            else if (e == 'D' || e == 'W' || e == 'S' || e == 'p' || e == 'P') {
                rc = bad(err, "negated or property class inside brackets");
                goto out;
            } else if (e == 'x' || e == '0' || e == 'u') {
                long v = udf__regex_num_escape(p, n, &k, e);
                if (v < 1 || v > 127) {
                    rc = bad(err, "non-ASCII escape inside brackets");
                    goto out;
                }
                lit = (int)v;
            } else if (simple_escape(e) >= 0) lit = simple_escape(e);
            else if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
                rc = bad(err, "escape inside brackets");
                goto out;
            } else lit = (unsigned char)e;
        } else {
            lit = (unsigned char)c;
            k++;
        }
        if (lit < 0) continue;
        /* A range a-z (the '-' is literal at the end or before ']'). */
        if (k + 1 < n && p[k] == '-' && p[k + 1] != ']') {
            char hi = p[k + 1];
            if (hi == '\\' || hi == '[' || lit == ']' || lit == '^' || lit == '-') {
                rc = bad(err, "escaped or special range bound in brackets");
                goto out;
            }
            sbuf_putc(&body, (char)lit);
            sbuf_putc(&body, '-');
            sbuf_putc(&body, hi);
            k += 2;
            continue;
        }
        if (lit == ']') has_rb = 1;
        else if (lit == '^') has_caret = 1;
        else if (lit == '-') has_dash = 1;
        else sbuf_putc(&body, (char)lit);
    }
    if (body.len == 0 && !has_rb && !has_caret && !has_dash) {
        rc = bad(err, "empty character class");
        goto out;
    }
    *i = k;
    if (!neg && !has_rb && body.len == 0 && has_caret) {
        /* '^' cannot come first in a POSIX bracket ([^] and [^-] negate):
         * put '-' first, or write a lone '^' as an escaped literal. */
        sbuf_puts(b, has_dash ? "[-^]" : "\\^");
        goto out;
    }
    sbuf_putc(b, '[');
    if (neg) sbuf_putc(b, '^');
    if (has_rb) sbuf_putc(b, ']');
    if (body.len) sbuf_append(b, body.data, body.len);
    if (has_caret) sbuf_putc(b, '^');
    if (has_dash) sbuf_putc(b, '-');
    sbuf_putc(b, ']');
out:
    sbuf_free(&body);
    return rc;
}

/* Translates into `b`; fills map[1..] with the POSIX group of each Java group
 * and *n_java with the number of Java groups. */
static int xlate_java(const char *p, size_t n, sbuf *b, int *map, int *n_java, eddy_err *err) {
    int java = 0, posix = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\\') {
            if (i + 1 >= n) return eddy_err_set(err, EDDY_E_INVAL, "trailing backslash in regular expression");
            char e = p[i + 1];
            i += 2;
            switch (e) {
            case 'd': sbuf_puts(b, "[0-9]"); continue;
            case 'D': sbuf_puts(b, "[^0-9]"); continue;
            case 'w': sbuf_puts(b, "[A-Za-z0-9_]"); continue;
            case 'W': sbuf_puts(b, "[^A-Za-z0-9_]"); continue;
            case 's': sbuf_puts(b, "[ \t\n\r\f\v]"); continue;
            case 'S': sbuf_puts(b, "[^ \t\n\r\f\v]"); continue;
            case 'A': sbuf_putc(b, '^'); continue;
            case 'z': sbuf_putc(b, '$'); continue;
            case 'Q': {
                const char *end = memmem(p + i, n - i, "\\E", 2);
                size_t stop = end ? (size_t)(end - p) : n;
                for (; i < stop; i++) put_lit(b, (unsigned char)p[i]);
                if (end) i += 2;
                continue;
            }
            case 'x':
            case '0':
            case 'u': {
                long v = udf__regex_num_escape(p, n, &i, e);
                if (v < 1) return eddy_err_set(err, EDDY_E_INVAL, "invalid escape in regular expression");
                /* Code points above ASCII become their UTF-8 bytes, grouped so
                 * a following quantifier applies to the whole character. */
                if (v < 0x80) put_lit(b, (unsigned char)v);
                else {
                    char u[4];
                    int un = v < 0x800 ? 2 : 3;
                    if (un == 2) {
                        u[0] = (char)(0xC0 | (v >> 6));
                        u[1] = (char)(0x80 | (v & 0x3F));
                    } else {
                        u[0] = (char)(0xE0 | (v >> 12));
                        u[1] = (char)(0x80 | ((v >> 6) & 0x3F));
                        u[2] = (char)(0x80 | (v & 0x3F));
                    }
                    sbuf_putc(b, '(');
                    sbuf_append(b, u, (size_t)un);
                    sbuf_putc(b, ')');
                    posix++;
                }
                continue;
            }
            default: break;
            }
            if (e >= '1' && e <= '9') {
                int g = e - '0';
                if (g > java || g >= RE_MAX_GROUPS) return bad(err, "back-reference to a later group");
                sbuf_printf(b, "\\%d", map[g]);
                if (map[g] > 9) return bad(err, "back-reference beyond group 9");
                continue;
            }
            if (simple_escape(e) >= 0) {
                sbuf_putc(b, (char)simple_escape(e));
                continue;
            }
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z'))
                return bad(err, "escape sequence (\\b, \\B, \\Z, \\p and similar)");
            put_lit(b, (unsigned char)e);
            continue;
        }
        if (c == '[') {
            int rc = xlate_bracket(p, n, &i, b, err);
            if (rc != 0) return rc;
            continue;
        }
        if (c == '(') {
            i++;
            if (i < n && p[i] == '?') {
                if (i + 1 < n && p[i + 1] == ':') {
                    i += 2;
                    posix++;
                    sbuf_putc(b, '(');
                    continue;
                }
                return bad(err, "look-around, inline flags or named groups");
            }
            java++;
            posix++;
            if (java < RE_MAX_GROUPS) map[java] = posix;
            sbuf_putc(b, '(');
            continue;
        }
        if (c == '.') {
            sbuf_puts(b, "[^\n\r]");
            i++;
            continue;
        }
        if (c == '*' || c == '+' || c == '?' || c == '}') {
            sbuf_putc(b, (char)c);
            i++;
            if (i < n && (p[i] == '?' || p[i] == '+'))
                return bad(err, p[i] == '?' ? "lazy quantifier" : "possessive quantifier");
            continue;
        }
        sbuf_putc(b, (char)c);
        i++;
    }
    *n_java = java;
    return 0;
}

int udf_regex_from_java(const char *pat, size_t n, arena *mem, char **out, int *group_map,
                        eddy_err *err) {
    int map[RE_MAX_GROUPS] = {0}, nj = 0;
    sbuf b;
    sbuf_init(&b);
    int rc = xlate_java(pat, n, &b, map, &nj, err);
    if (rc == 0) {
        *out = arena_strndup(mem, b.len ? b.data : "", b.len);
        if (!*out) rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    if (group_map)
        for (int j = 0; j < 10; j++) group_map[j] = map[j];
    sbuf_free(&b);
    return rc;
}

/* ---- SIMILAR TO -> POSIX ------------------------------------------------- */

/* Translates one part of a SIMILAR pattern (between escape-quote markers);
 * counts the groups it opens in *groups. */
static int xlate_similar_part(const char *p, size_t n, int esc, sbuf *b, int *groups,
                              eddy_err *err) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (esc >= 0 && c == esc) {
            if (i + 1 >= n) return eddy_err_set(err, EDDY_E_INVAL, "SIMILAR pattern ends with the escape character");
            put_lit(b, (unsigned char)p[++i]);
        } else if (c == '%') sbuf_puts(b, ".*");
        else if (c == '_') sbuf_putc(b, '.');
        else if (c == '[') {
            /* Bracket expressions have the same shape in SIMILAR and ERE. */
            size_t j = i + 1;
            if (j < n && p[j] == '^') j++;
            if (j < n && p[j] == ']') j++;
            while (j < n && p[j] != ']') j++;
            if (j >= n) return eddy_err_set(err, EDDY_E_INVAL, "unclosed bracket in SIMILAR pattern");
            sbuf_append(b, p + i, j - i + 1);
            i = j;
        } else if (c == '(') {
            (*groups)++;
            sbuf_putc(b, '(');
        } else if (strchr("|*+?{})", c) && c != 0) sbuf_putc(b, (char)c);
        else put_lit(b, c);
    }
    return 0;
}

/* ---- the compiled-expression cache ------------------------------------- */

typedef struct re_entry {
    char *key;          /* kind byte + pattern (+ escape), malloc'd; NULL = free slot */
    size_t key_n;
    int n_re;           /* 1, or 3 for a SIMILAR pattern with a lazy prefix */
    regex_t re[3];
    int map[RE_MAX_GROUPS]; /* Java group -> POSIX group */
    int n_java;         /* Java groups, or the POSIX group of the SIMILAR result */
} re_entry;

typedef struct re_cache {
    re_entry e[RE_CACHE_SIZE];
    unsigned next;      /* round-robin victim */
} re_cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_key_ok;

static void entry_clear(re_entry *e) {
    if (!e->key) return;
    for (int k = 0; k < e->n_re; k++) regfree(&e->re[k]);
    free(e->key);
    e->key = NULL;
}

static void cache_destroy(void *p) {
    re_cache *c = p;
    for (int k = 0; k < RE_CACHE_SIZE; k++) entry_clear(&c->e[k]);
    free(c);
}

static void cache_init_key(void) { cache_key_ok = pthread_key_create(&cache_key, cache_destroy) == 0; }

static re_cache *cache_get(void) {
    pthread_once(&cache_once, cache_init_key);
    if (!cache_key_ok) return NULL;
    re_cache *c = pthread_getspecific(cache_key);
    if (!c) {
        c = calloc(1, sizeof *c);
        if (c && pthread_setspecific(cache_key, c) != 0) {
            free(c);
            c = NULL;
        }
    }
    return c;
}

static int compile_one(regex_t *re, const sbuf *src, eddy_err *err) {
    int rc = regcomp(re, src->len ? src->data : "", REG_EXTENDED);
    if (rc != 0) {
        char msg[160];
        regerror(rc, re, msg, sizeof msg);
        return eddy_err_set(err, EDDY_E_INVAL, "invalid regular expression: %s", msg);
    }
    return 0;
}

/* Compiles a Java regex (kind 'J') or a SIMILAR pattern (kind 'S', with
 * escape `esc`, -1 for none) into entry `e`. */
static int compile_entry(re_entry *e, char kind, const char *p, size_t n, int esc, eddy_err *err) {
    sbuf a, b;
    sbuf_init(&a);
    sbuf_init(&b);
    int rc = 0;
    memset(e->map, 0, sizeof e->map);
    e->n_re = 0;
    if (kind == 'J') {
        rc = xlate_java(p, n, &a, e->map, &e->n_java, err);
        if (rc == 0 && (rc = compile_one(&e->re[0], &a, err)) == 0) e->n_re = 1;
        goto out;
    }
    /* SIMILAR: split at the escape-quote markers. */
    size_t cut[2];
    int ncut = 0;
    for (size_t i = 0; esc >= 0 && i + 1 < n; i++) {
        if ((unsigned char)p[i] != esc) continue;
        if (p[i + 1] == '"') {
            if (ncut == 2) {
                rc = eddy_err_set(err, EDDY_E_INVAL, "SIMILAR pattern has more than two escape-quote separators");
                goto out;
            }
            cut[ncut++] = i;
        }
        i++;
    }
    if (ncut == 1) {
        rc = eddy_err_set(err, EDDY_E_INVAL, "SIMILAR pattern must contain two escape-quote separators");
        goto out;
    }
    int g = 0;
    if (ncut == 0) {
        sbuf_puts(&a, "^(");
        rc = xlate_similar_part(p, n, esc, &a, &g, err);
        sbuf_puts(&a, ")$");
        if (rc == 0 && (rc = compile_one(&e->re[0], &a, err)) == 0) e->n_re = 1;
        e->n_java = 1;
        goto out;
    }
    /* The prefix is matched lazily (shortest first), as the standard
     * requires, by trying each split point against two anchored parts:
     * re[0] = ^(prefix)$ and re[1] = ^(middle)(suffix)$; re[2], the whole
     * pattern, first rules out strings that cannot match at all, so the
     * quadratic split search only runs when it will succeed. */
    sbuf_puts(&a, "^(");
    rc = xlate_similar_part(p, cut[0], esc, &a, &g, err);
    sbuf_puts(&a, ")$");
    g = 0;
    sbuf_puts(&b, "^(");
    if (rc == 0) rc = xlate_similar_part(p + cut[0] + 2, cut[1] - cut[0] - 2, esc, &b, &g, err);
    sbuf_puts(&b, ")(");
    if (rc == 0) rc = xlate_similar_part(p + cut[1] + 2, n - cut[1] - 2, esc, &b, &g, err);
    sbuf_puts(&b, ")$");
    if (rc != 0) goto out;
    sbuf whole;
    sbuf_init(&whole);
    sbuf_append(&whole, a.data, a.len - 1); /* without the '$' */
    sbuf_append(&whole, b.data + 1, b.len - 1); /* without the '^' */
    rc = compile_one(&e->re[2], &whole, err);
    sbuf_free(&whole);
    if (rc != 0) goto out;
    if ((rc = compile_one(&e->re[0], &a, err)) != 0) {
        regfree(&e->re[2]);
        goto out;
    }
    if ((rc = compile_one(&e->re[1], &b, err)) != 0) {
        regfree(&e->re[0]);
        regfree(&e->re[2]);
        goto out;
    }
    e->n_re = 3;
    e->n_java = 1;
out:
    sbuf_free(&a);
    sbuf_free(&b);
    return rc;
}

/* Returns the cached compiled pattern, compiling it on a miss. The entry
 * stays valid until the next lookup on this thread. */
static re_entry *regex_get(char kind, const char *p, size_t n, int esc, eddy_err *err) {
    re_cache *c = cache_get();
    if (!c) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    size_t kn = n + 2;
    for (int k = 0; k < RE_CACHE_SIZE; k++) {
        re_entry *e = &c->e[k];
        if (e->key && e->key_n == kn && e->key[0] == kind && (unsigned char)e->key[1] == (unsigned char)(esc + 1) &&
            memcmp(e->key + 2, p, n) == 0)
            return e;
    }
    re_entry *e = &c->e[c->next++ % RE_CACHE_SIZE];
    entry_clear(e);
    char *key = malloc(kn);
    if (!key) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    if (compile_entry(e, kind, p, n, esc, err) != 0) {
        free(key);
        return NULL;
    }
    key[0] = kind;
    key[1] = (char)(esc + 1);
    if (n) memcpy(key + 2, p, n);
    e->key = key;
    e->key_n = kn;
    return e;
}

/* regexec over s[from..to) without a NUL terminator (glibc's REG_STARTEND);
 * '^' still anchors at s[0] only, as with Java's Matcher.find(from). */
static int match_at(const regex_t *re, const char *s, size_t from, size_t to, regmatch_t *m,
                    size_t nm, int flags) {
    m[0].rm_so = (regoff_t)from;
    m[0].rm_eo = (regoff_t)to;
    return regexec(re, s, nm, m, flags | REG_STARTEND);
}

/* ---- the functions ------------------------------------------------------- */

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

static int fail_row(size_t *bad_row, size_t i, eddy_err *err) {
    *bad_row = i;
    if (err->code == EDDY_E_INVAL) err->code = EDDY_E_RUNTIME;
    return err->code == EDDY_E_NOMEM ? EDDY_E_NOMEM : EDDY_E_RUNTIME;
}

/* SUBSTRING(s FROM regex): the first match, or NULL when nothing matches. */
static int fn_substring_regex(const udf_call *call, size_t n, const eddy_value *const *args,
                              eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    eddy_type_id rt = call->ret_type.id;
    for (size_t i = 0; i < n; i++) {
        const eddy_value *s = &args[0][i], *re = &args[1][i];
        if (s->is_null || re->is_null) {
            set_null(&out[i], rt);
            continue;
        }
        re_entry *e = regex_get('J', re->u.s.p, re->u.s.n, -1, err);
        if (!e) return fail_row(bad_row, i, err);
        regmatch_t m[1];
        if (match_at(&e->re[0], s->u.s.p, 0, s->u.s.n, m, 1, 0) != 0) set_null(&out[i], rt);
        else set_str(&out[i], rt, s->u.s.p + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
    }
    return 0;
}

/* SUBSTRING(s SIMILAR pattern ESCAPE c): the part of s matched between the
 * escape-quote markers (the whole of s when there are none), NULL when the
 * pattern does not match all of s. */
static int fn_substring_similar(const udf_call *call, size_t n, const eddy_value *const *args,
                                eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    eddy_type_id rt = call->ret_type.id;
    for (size_t i = 0; i < n; i++) {
        const eddy_value *s = &args[0][i], *pat = &args[1][i], *esc = &args[2][i];
        if (s->is_null || pat->is_null || esc->is_null) {
            set_null(&out[i], rt);
            continue;
        }
        /* Multi-byte escapes are refused: the pattern is scanned bytewise. */
        if (esc->u.s.n > 1 || (esc->u.s.n == 1 && (unsigned char)esc->u.s.p[0] >= 0x80)) {
            *bad_row = i;
            return eddy_err_set(err, EDDY_E_RUNTIME, "ESCAPE must be a single ASCII character");
        }
        int ec = esc->u.s.n ? (unsigned char)esc->u.s.p[0] : -1;
        re_entry *e = regex_get('S', pat->u.s.p, pat->u.s.n, ec, err);
        if (!e) return fail_row(bad_row, i, err);
        regmatch_t m[RE_MAX_GROUPS];
        size_t len = s->u.s.n;
        set_null(&out[i], rt);
        if (e->n_re == 1) {
            if (match_at(&e->re[0], s->u.s.p, 0, len, m, 2, 0) == 0)
                set_str(&out[i], rt, s->u.s.p, len);
            continue;
        }
        if (match_at(&e->re[2], s->u.s.p, 0, len, m, 1, 0) != 0) continue;
        for (size_t cut = 0; cut <= len; cut++) {
            /* Split points inside a UTF-8 sequence cannot separate characters. */
            if (cut < len && ((unsigned char)s->u.s.p[cut] & 0xC0) == 0x80) continue;
            if (match_at(&e->re[0], s->u.s.p, 0, cut, m, 1, 0) != 0) continue;
            /* The second part must start at `cut` as if it were the start. */
            if (match_at(&e->re[1], s->u.s.p + cut, 0, len - cut, m, 2, 0) != 0) continue;
            set_str(&out[i], rt, s->u.s.p + cut + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
            break;
        }
    }
    return 0;
}

/* Appends Java replacement text for one match: $n inserts group n (digits
 * are taken while they still name an existing group), \c inserts c. */
static int append_replacement(sbuf *b, const char *r, size_t rn, const char *s, const regmatch_t *m,
                              size_t nm, const re_entry *e, eddy_err *err) {
    for (size_t i = 0; i < rn; i++) {
        char c = r[i];
        if (c == '\\') {
            if (++i >= rn) return eddy_err_set(err, EDDY_E_RUNTIME, "character to be escaped is missing in the replacement");
            sbuf_putc(b, r[i]);
        } else if (c == '$') {
            if (i + 1 >= rn || r[i + 1] < '0' || r[i + 1] > '9')
                return eddy_err_set(err, EDDY_E_RUNTIME, "illegal group reference in the replacement");
            int g = r[++i] - '0';
            while (i + 1 < rn && r[i + 1] >= '0' && r[i + 1] <= '9' && g * 10 + (r[i + 1] - '0') <= e->n_java) {
                g = g * 10 + (r[++i] - '0');
            }
            if (g > e->n_java) return eddy_err_set(err, EDDY_E_RUNTIME, "no group %d in the regular expression", g);
            if (g >= RE_MAX_GROUPS)
                return eddy_err_set(err, EDDY_E_RUNTIME, "group %d is beyond the supported %d", g,
                                    RE_MAX_GROUPS - 1);
            int pg = g == 0 ? 0 : e->map[g];
            if ((size_t)pg >= nm)
                return eddy_err_set(err, EDDY_E_RUNTIME, "group %d is beyond the supported %d", g,
                                    RE_MAX_GROUPS - 1);
            if (m[pg].rm_so >= 0) sbuf_append(b, s + m[pg].rm_so, (size_t)(m[pg].rm_eo - m[pg].rm_so));
        } else {
            sbuf_putc(b, c);
        }
    }
    return 0;
}

/* REGEX_REPLACE(original, regex, replacement, startPosition, occurrence):
 * Java's replaceAll from character startPosition on (occurrence 0), or only
 * the occurrence-th match. */
static int fn_regex_replace(const udf_call *call, size_t n, const eddy_value *const *args,
                            eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    sbuf b;
    sbuf_init(&b);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const eddy_value *s = &args[0][i], *re = &args[1][i], *rep = &args[2][i];
        const eddy_value *sp = &args[3][i], *occ = &args[4][i];
        if (s->is_null || re->is_null || rep->is_null || sp->is_null || occ->is_null) {
            set_null(&out[i], EDDY_T_VARCHAR);
            continue;
        }
        if (sp->u.i < 1) {
            *bad_row = i;
            rc = eddy_err_set(err, EDDY_E_RUNTIME, "REGEX_REPLACE start position must be at least 1");
            break;
        }
        if (occ->u.i < 0) {
            *bad_row = i;
            rc = eddy_err_set(err, EDDY_E_RUNTIME, "REGEX_REPLACE occurrence must not be negative");
            break;
        }
        const char *p = s->u.s.p;
        size_t len = s->u.s.n, from = 0;
        /* Character position -> byte offset. */
        for (int64_t k = 1; k < sp->u.i && from < len; k++) {
            from++;
            while (from < len && ((unsigned char)p[from] & 0xC0) == 0x80) from++;
        }
        if (from >= len && sp->u.i > 1) {
            set_str(&out[i], EDDY_T_VARCHAR, p, len);
            continue;
        }
        re_entry *e = regex_get('J', re->u.s.p, re->u.s.n, -1, err);
        if (!e) {
            rc = fail_row(bad_row, i, err);
            break;
        }
        regmatch_t m[RE_MAX_GROUPS];
        size_t nm = (size_t)e->re[0].re_nsub + 1 < RE_MAX_GROUPS ? (size_t)e->re[0].re_nsub + 1 : RE_MAX_GROUPS;
        sbuf_clear(&b);
        sbuf_append(&b, p, from);
        size_t copied = from, search = from;
        int64_t count = 0;
        while (search <= len) {
            if (match_at(&e->re[0], p, search, len, m, nm, 0) != 0) break;
            size_t ms = (size_t)m[0].rm_so, me = (size_t)m[0].rm_eo;
            count++;
            if (occ->u.i == 0 || count == occ->u.i) {
                sbuf_append(&b, p + copied, ms - copied);
                if (append_replacement(&b, rep->u.s.p, rep->u.s.n, p, m, nm, e, err) != 0) {
                    *bad_row = i;
                    rc = EDDY_E_RUNTIME;
                    break;
                }
                copied = me;
                if (occ->u.i != 0) break;
            }
            /* After an empty match the search moves on one character. */
            if (me == ms) {
                if (me >= len) break;
                me++;
                while (me < len && ((unsigned char)p[me] & 0xC0) == 0x80) me++;
            }
            search = me;
        }
        if (rc != 0) break;
        sbuf_append(&b, p + copied, len - copied);
        char *d = arena_strndup(mem, b.len ? b.data : "", b.len);
        if (!d) {
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            break;
        }
        set_str(&out[i], EDDY_T_VARCHAR, d, b.len);
    }
    sbuf_free(&b);
    return rc;
}

int udf__attach_regex(udf_registry *r, eddy_err *err) {
    static const struct {
        const char *specific;
        udf_scalar_eval_fn fn;
    } tab[] = {
        {"SUBSTRING_REGEX", fn_substring_regex},
        {"SUBSTRING_SIMILAR", fn_substring_similar},
        {"REGEX_REPLACE", fn_regex_replace},
    };
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (udf_attach_scalar(r, tab[k].specific, tab[k].fn) != 0)
            return eddy_err_set(err, EDDY_E_NOTFOUND, "function %s is not registered",
                                tab[k].specific);
    return 0;
}
