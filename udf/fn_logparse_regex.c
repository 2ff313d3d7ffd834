/*
 * fn_logparse_regex.c — the patterns of REGEX_LOG_PARSE and
 * FAST_REGEX_LOG_PARSE (SQL.md §6.11): scanning a Java pattern's elements
 * and groups, compiling it (through udf_regex_from_java and regcomp) into a
 * parser, and matching a line against it.
 *
 * How it fits: fn_logparse_spec.c calls udf__lp_regex_compile() while it
 * compiles a call's arguments, and fn_logparse_line.c calls
 * udf__lp_regex_match() for every line (logparse_int.h).
 *
 * Semantics chosen where the reference is silent:
 *  - REGEX_LOG_PARSE matches the whole string (Java's Matcher.matches()):
 *    the reference examples start their patterns with ".*", which only a
 *    whole-string match needs. POSIX picks the leftmost-longest match where
 *    Java backtracks greedily; with the match pinned to the whole string
 *    the groups agree for the usual sequences of greedy groups, but an
 *    alternation prefers its longest branch, not its first.
 *  - FAST_REGEX_LOG_PARSE follows the reference's description: the pattern
 *    is cut at its top-level groups, fixed-width text at the start of a
 *    part is moved to the end of the part before, and the parts are matched
 *    in turn without backtracking: a part that ends in fixed text takes the
 *    shortest prefix that matches (lazy), a part with no fixed text after
 *    it takes the longest, and the last part must reach the end of the
 *    string. This reproduces the reference's examples A, B and C; its
 *    first example prints COLUMN2 'a_little_lamb', which its own
 *    description (and this code) gives as 'a_little'. Patterns whose
 *    top level alternates or repeats a group are matched whole, as
 *    REGEX_LOG_PARSE does. The named classes <Digit>, <Alpha>, ... of the
 *    reference are accepted; the rest of its automaton syntax (@, #, <n-m>,
 *    "...") is not.
 *  - Neither drops a trailing CR/LF: the pattern sees the whole string.
 */
#include "logparse_int.h"
#include "udf_fns.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LP_MAX_NESTING 200         /* parentheses deep in a pattern */

/* ---- compiled patterns --------------------------------------------------- */

/* FAST_REGEX_LOG_PARSE: a segment is the part of the pattern between two
 * cuts; an expression is matched in one step and holds at most one segment
 * of variable width, with the fixed-width segments around it. */
enum { FR_LAZY, FR_GREEDY, FR_LAST };

typedef struct fr_seg {
    int owner;         /* the top-level Java group the text belongs to, 0 for none */
    int wrap;          /* the POSIX group wrapping it in its expression, 0 when empty */
    int fixed;         /* 1: fixed width */
    size_t width;      /* fixed: bytes (exact when its expression is `simple`) */
} fr_seg;

typedef struct fr_nested {
    int java;          /* a group inside a segment */
    int posix;         /* its POSIX group in the expression */
} fr_nested;

typedef struct fr_expr {
    regex_t *re;
    int mode;          /* FR_LAZY, FR_GREEDY or FR_LAST */
    int seg0, n_seg;   /* its segments in fr_prog.segs */
    int nest0, n_nest; /* its inner groups in fr_prog.nested */
    size_t min_suffix; /* FR_LAZY: bytes the fixed text at the end needs at least */
    int suffix_lit;    /* FR_LAZY: the byte that starts the fixed text when its
                          width is exact, else -1 */
    size_t suffix_w;   /* the exact width, when suffix_lit >= 0 */
    int simple;        /* no inner groups and fixed segments of exact width: the
                          segments follow from the match's length, so regexec
                          need not resolve groups (glibc's costly part) */
    size_t suffix_total; /* bytes of the fixed segments after the variable one */
} fr_expr;

struct fr_prog {
    fr_seg *segs;
    int n_segs;
    fr_expr *exprs;
    int n_exprs;
    fr_nested *nested;
    int n_nested;
    int n_java;
    int32_t *seg_so, *seg_eo; /* scratch: each segment's span in the row */
};

/* Compiles POSIX text into a regex the parser owns. */
static int parser_regcomp(lp_parser *p, const char *src, regex_t **out, const char *what, eddy_err *err) {
    if (p->n_res == p->cap_res) {
        int cap = p->cap_res ? p->cap_res * 2 : 4;
        regex_t **nr = realloc(p->res, (size_t)cap * sizeof *nr);
        if (!nr) return lp_nomem(err);
        p->res = nr;
        p->cap_res = cap;
    }
    regex_t *re = arena_alloc(&p->mem, sizeof *re);
    if (!re) return lp_nomem(err);
    int rc = regcomp(re, src, REG_EXTENDED);
    if (rc != 0) {
        char msg[160];
        regerror(rc, re, msg, sizeof msg);
        return eddy_err_set(err, EDDY_E_SEMANTIC, "the pattern of %s is invalid: %s", what, msg);
    }
    p->res[p->n_res++] = re;
    *out = re;
    return 0;
}

/* Makes sure p->m holds at least `n` entries. */
static int parser_need_match(lp_parser *p, size_t n, eddy_err *err) {
    if (n <= p->nm) return 0;
    regmatch_t *m = arena_alloc(&p->mem, n * sizeof *m);
    if (!m) return lp_nomem(err);
    p->m = m;
    p->nm = n;
    return 0;
}

/* ---- scanning Java patterns ---------------------------------------------- */

/* The kinds of a pattern's top-level elements. */
enum { JA_LIT, JA_CLASS, JA_GROUP, JA_NCGROUP, JA_ANCHOR, JA_ALT, JA_OTHER };

/* One element of a Java pattern at some nesting level, with its quantifier. */
typedef struct jatom {
    size_t off, len;   /* the element's text */
    size_t qlen;       /* its quantifier's text, right after it */
    int kind;          /* JA_* */
    size_t width;      /* bytes one repetition matches: exact for JA_LIT, at least for JA_CLASS */
    int lit;           /* the byte of a one-byte JA_LIT, else -1 */
    int posix_extra;   /* POSIX groups its translation adds (a non-ASCII escape) */
    long qmin, qmax;   /* repetitions: 1,1 without a quantifier; qmax -1 = unbounded */
} jatom;

/* The index after the bracket expression that opens at p[i]. Java classes
 * nest ([a-z&&[^b]]); the translator refuses those, but the scan must still
 * find the end. */
static size_t skip_bracket(const char *p, size_t n, size_t i) {
    int depth = 0;
    size_t k = i;
    while (k < n) {
        if (p[k] == '[') {
            depth++;
            k++;
            if (k < n && p[k] == '^') k++;
            if (k < n && p[k] == ']') k++; /* a ']' first is literal */
            continue;
        }
        if (p[k] == '\\') {
            k += 2;
            continue;
        }
        if (p[k] == ']' && --depth == 0) return k + 1;
        k++;
    }
    return n;
}

/* The index after the group that opens at p[i] (n when unclosed). */
static size_t skip_group(const char *p, size_t n, size_t i) {
    int depth = 0;
    size_t k = i;
    while (k < n) {
        char c = p[k];
        if (c == '\\') {
            if (k + 1 < n && p[k + 1] == 'Q') {
                const char *e = memmem(p + k + 2, n - k - 2, "\\E", 2);
                k = e ? (size_t)(e - p) + 2 : n;
            } else {
                k += 2;
            }
            continue;
        }
        if (c == '[') {
            k = skip_bracket(p, n, k);
            continue;
        }
        if (c == '(') depth++;
        else if (c == ')' && --depth == 0) return k + 1;
        k++;
    }
    return n;
}

/* Reads the element at p[i] (i < to) and its quantifier. */
static void next_atom(const char *p, size_t to, size_t i, jatom *a) {
    memset(a, 0, sizeof *a);
    a->off = i;
    a->lit = -1;
    a->qmin = a->qmax = 1;
    unsigned char c = (unsigned char)p[i];
    a->kind = JA_LIT;
    a->len = 1;
    a->width = 1;
    if (c == '\\') {
        if (i + 1 >= to) {
            a->kind = JA_OTHER;
        } else {
            char e = p[i + 1];
            a->len = 2;
            if (e == 'Q') {
                const char *end = memmem(p + i + 2, to - i - 2, "\\E", 2);
                size_t stop = end ? (size_t)(end - p) : to;
                a->width = stop - (i + 2);
                if (a->width == 1) a->lit = (unsigned char)p[i + 2];
                a->len = (end ? stop + 2 : to) - i;
            } else if (e == 'x' || e == 'u' || e == '0') {
                size_t k = i + 2;
                long v = udf__regex_num_escape(p, to, &k, e);
                a->len = k - i;
                if (v < 1) a->kind = JA_OTHER;
                else {
                    a->width = v < 0x80 ? 1 : v < 0x800 ? 2 : 3;
                    a->lit = v < 0x80 ? (int)v : -1;
                    a->posix_extra = v >= 0x80;
                }
            } else if (strchr("dDwWsS", e)) {
                a->kind = JA_CLASS;
            } else if (e == 'A' || e == 'z') {
                a->kind = JA_ANCHOR;
                a->width = 0;
            } else if (strchr("tnrfae", e)) {
                a->lit = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 'f' ? '\f' : e == 'a' ? 7 : 27;
            } else if (isalnum((unsigned char)e)) {
                a->kind = JA_OTHER; /* back-references, \b, \p{..}: left to the translator */
            } else {
                a->lit = (unsigned char)e;
            }
        }
    } else if (c == '(') {
        a->len = skip_group(p, to, i) - i;
        a->kind = i + 1 < to && p[i + 1] == '?' ? JA_NCGROUP : JA_GROUP;
    } else if (c == '[') {
        a->len = skip_bracket(p, to, i) - i;
        a->kind = JA_CLASS;
    } else if (c == '.') {
        a->kind = JA_CLASS;
    } else if (c == '^' || c == '$') {
        a->kind = JA_ANCHOR;
        a->width = 0;
    } else if (c == '|') {
        a->kind = JA_ALT;
    } else if (strchr(")*+?{", c)) {
        a->kind = JA_OTHER;
    } else if (c >= 0x80) {
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        if (len > to - i) len = to - i;
        a->len = a->width = len;
    } else {
        a->lit = c;
    }
    /* The quantifier. */
    size_t q = i + a->len;
    if (q >= to || a->kind == JA_ALT || a->kind == JA_OTHER) return;
    size_t qe = q;
    if (p[q] == '*' || p[q] == '+' || p[q] == '?') {
        a->qmin = p[q] == '+' ? 1 : 0;
        a->qmax = p[q] == '?' ? 1 : -1;
        qe = q + 1;
    } else if (p[q] == '{') {
        size_t k = q + 1;
        long lo = 0, hi;
        int d = 0;
        while (k < to && isdigit((unsigned char)p[k]) && lo < 100000) lo = lo * 10 + (p[k++] - '0'), d++;
        hi = lo;
        if (k < to && p[k] == ',') {
            k++;
            hi = -1;
            if (k < to && isdigit((unsigned char)p[k])) {
                hi = 0;
                while (k < to && isdigit((unsigned char)p[k]) && hi < 100000) hi = hi * 10 + (p[k++] - '0');
            }
        }
        if (!d || k >= to || p[k] != '}') return; /* not a quantifier: the translator decides */
        a->qmin = lo;
        a->qmax = hi;
        qe = k + 1;
    } else {
        return;
    }
    if (qe < to && (p[qe] == '?' || p[qe] == '+')) qe++; /* lazy, possessive */
    a->qlen = qe - q;
}

/* The capture groups of a pattern, numbered as Java and as the POSIX
 * translation (udf_regex_from_java) numbers them. */
typedef struct jgroups {
    int n_java, n_posix;
    int posix_of[LP_MAX_FIELDS + 1]; /* Java group -> POSIX group */
    size_t open_at[LP_MAX_FIELDS + 1]; /* Java group -> offset of its '(' */
} jgroups;

/* Walks p[from..to) in order, counting groups. Returns 0, or -1 when the
 * pattern nests too deeply or has too many groups. */
static int count_groups(const char *p, size_t from, size_t to, jgroups *g, int depth) {
    if (depth > LP_MAX_NESTING) return -1;
    size_t i = from;
    while (i < to) {
        jatom a;
        next_atom(p, to, i, &a);
        g->n_posix += a.posix_extra;
        if (a.kind == JA_GROUP || a.kind == JA_NCGROUP) {
            g->n_posix++;
            size_t in = a.off + 1, out = a.off + a.len;
            if (a.kind == JA_GROUP) {
                if (g->n_java >= LP_MAX_FIELDS) return -1;
                g->n_java++;
                g->posix_of[g->n_java] = g->n_posix;
                g->open_at[g->n_java] = a.off;
            } else {
                in = a.off + 3 <= out ? a.off + 3 : out; /* past "(?:" */
            }
            if (out > in && p[out - 1] == ')') out--;
            if (count_groups(p, in, out, g, depth + 1) != 0) return -1;
        }
        i = a.off + a.len + a.qlen;
    }
    return 0;
}

/* Translates a Java pattern with udf_regex_from_java, reporting its error
 * as the function's. */
static int xlate(lp_parser *p, const char *fname, const char *pat, size_t n, char **out, eddy_err *err) {
    int rc = udf_regex_from_java(pat, n, &p->mem, out, NULL, err);
    if (rc == EDDY_E_NOMEM) return rc;
    if (rc != 0) {
        char msg[EDDY_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return eddy_err_set(err, EDDY_E_SEMANTIC, "the pattern of %s: %s", fname, msg);
    }
    return 0;
}

/* ---- REGEX_LOG_PARSE: the whole pattern ---------------------------------- */

static int compile_whole(lp_parser *p, const char *fname, const char *pat, size_t n, const jgroups *g,
                         eddy_err *err) {
    char *tr;
    int rc = xlate(p, fname, pat, n, &tr, err);
    if (rc != 0) return rc;
    /* Anchoring at the start lets a failing line fail at once; a top-level
     * alternation would bind the anchor to its first branch only, so such
     * patterns rely on the whole-match check alone. */
    int alt = 0;
    for (size_t i = 0; i < n;) {
        jatom a;
        next_atom(pat, n, i, &a);
        alt |= a.kind == JA_ALT;
        i = a.off + a.len + a.qlen;
    }
    char *src = alt ? tr : arena_sprintf(&p->mem, "^%s", tr);
    if (!src) return lp_nomem(err);
    if ((rc = parser_regcomp(p, src, &p->whole.re, fname, err)) != 0) return rc;
    if ((int)p->whole.re->re_nsub != g->n_posix)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "the pattern of %s is not supported (its groups cannot be numbered)",
                            fname);
    p->whole.n_java = g->n_java;
    p->whole.posix_of = arena_alloc(&p->mem, (size_t)(g->n_java + 1) * sizeof(int));
    if (!p->whole.posix_of) return lp_nomem(err);
    memcpy(p->whole.posix_of, g->posix_of, (size_t)(g->n_java + 1) * sizeof(int));
    return parser_need_match(p, (size_t)g->n_posix + 1, err);
}

/* Matches the whole line; one span per Java group (NULL when the line does
 * not match or the group did not take part). */
static void match_whole(lp_parser *p, const char *s, size_t n, udf_lp_span *g) {
    const lp_whole *w = &p->whole;
    regmatch_t *m = p->m;
    m[0].rm_so = 0;
    m[0].rm_eo = (regoff_t)n;
    int ok = regexec(w->re, s, p->nm, m, REG_STARTEND) == 0 && m[0].rm_so == 0 && (size_t)m[0].rm_eo == n;
    for (int j = 1; j <= w->n_java; j++) {
        const regmatch_t *mj = &m[w->posix_of[j]];
        if (ok && mj->rm_so >= 0) g[j - 1] = (udf_lp_span){(int32_t)mj->rm_so, (int32_t)(mj->rm_eo - mj->rm_so)};
        else g[j - 1] = (udf_lp_span){0, -1};
    }
}

/* ---- FAST_REGEX_LOG_PARSE: the pattern in parts -------------------------- */

/* The reference's named classes, as Java brackets. <ASCII> and <Cntrl> are
 * written with raw bytes: the translator takes no escapes as range ends. */
static const struct {
    const char *name;
    const char *cls;
} named_classes[] = {
    {"Digit", "[0-9]"},
    {"Upper", "[A-Z]"},
    {"Lower", "[a-z]"},
    {"ASCII", "[\001-\177]"},
    {"Alpha", "[a-zA-Z]"},
    {"Alnum", "[a-zA-Z0-9]"},
    {"Punct", "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]"},
    {"Blank", "[ \\t]"},
    {"Space", "[ \\t\\n\\f\\r\\x0B]"},
    {"Cntrl", "[\001-\037\177]"},
    {"XDigit", "[0-9a-fA-F]"},
    {"Print", "[a-zA-Z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]"},
    {"Graph", "[a-zA-Z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]"},
};

/* Replaces the named classes outside brackets. */
static int expand_named(const char *pat, size_t n, arena *mem, char **out, size_t *out_n) {
    sbuf b;
    sbuf_init(&b);
    size_t i = 0;
    while (i < n) {
        if (pat[i] == '\\') {
            size_t k = i + 2 <= n ? i + 2 : n;
            sbuf_append(&b, pat + i, k - i);
            i = k;
            continue;
        }
        if (pat[i] == '[') {
            size_t k = skip_bracket(pat, n, i);
            sbuf_append(&b, pat + i, k - i);
            i = k;
            continue;
        }
        if (pat[i] == '<') {
            size_t k = 0;
            for (; k < sizeof named_classes / sizeof named_classes[0]; k++) {
                size_t ln = strlen(named_classes[k].name);
                if (n - i >= ln + 2 && !memcmp(pat + i + 1, named_classes[k].name, ln) && pat[i + 1 + ln] == '>') {
                    sbuf_puts(&b, named_classes[k].cls);
                    i += ln + 2;
                    break;
                }
            }
            if (k < sizeof named_classes / sizeof named_classes[0]) continue;
        }
        sbuf_putc(&b, pat[i++]);
    }
    int rc = 0;
    if (b.failed || !(*out = arena_strndup(mem, b.data, b.len))) rc = EDDY_E_NOMEM;
    *out_n = b.len;
    sbuf_free(&b);
    return rc;
}

/* A segment while the program is built. */
typedef struct seg_src {
    int owner;          /* top-level Java group, 0 for none */
    int fixed;          /* 1: fixed width (moved to the end of the previous part) */
    size_t width;       /* fixed: bytes, at least */
    int exact;          /* fixed, and its width is exact */
    int first_lit;      /* its first byte when it starts with a literal, else -1 */
    const char *pre;    /* text before the pattern text ("x*" of a cut "x+") */
    size_t off, end;    /* the pattern text */
} seg_src;

/* Cuts one part (a top-level group's inside, or the text between groups)
 * into its fixed-width head and the rest. */
static int cut_piece(const char *pat, size_t from, size_t to, int owner, int bytewise, arena *mem, seg_src *segs,
                     int *n) {
    size_t i = from, width = 0;
    int exact = 1, first_lit = -1, k = 0;
    const char *pre = NULL;
    size_t head_end = from, tail_from = from;
    while (i < to) {
        jatom a;
        next_atom(pat, to, i, &a);
        int fixed_kind = a.kind == JA_LIT || a.kind == JA_CLASS;
        int is_plus = a.qlen == 1 && pat[a.off + a.len] == '+';
        if (!fixed_kind || !(a.qlen == 0 || (a.qmin == a.qmax && pat[a.off + a.len] == '{') || is_plus)) break;
        if (a.qlen == 0 || is_plus) width += a.width;
        else width += a.width * (size_t)a.qmin;
        exact &= a.kind == JA_LIT || bytewise;
        if (k == 0 && a.kind == JA_LIT && a.qmin > 0) first_lit = a.lit;
        k++;
        if (is_plus) {
            /* x+ is x then x*: the first x joins the head. */
            head_end = a.off + a.len;
            char *t = arena_alloc(mem, a.len + 2);
            if (!t) return EDDY_E_NOMEM;
            memcpy(t, pat + a.off, a.len);
            t[a.len] = '*';
            t[a.len + 1] = '\0';
            pre = t;
            tail_from = a.off + a.len + a.qlen;
            break;
        }
        head_end = tail_from = a.off + a.len + a.qlen;
        i = head_end;
    }
    if (head_end > from)
        segs[(*n)++] = (seg_src){owner, 1, width, exact, first_lit, NULL, from, head_end};
    if (pre || tail_from < to)
        segs[(*n)++] = (seg_src){owner, 0, 0, 0, -1, pre, tail_from, to};
    if (head_end == from && !pre && tail_from >= to && owner)
        segs[(*n)++] = (seg_src){owner, 1, 0, 1, -1, NULL, from, from}; /* an empty group */
    return 0;
}

/* Builds the parts program of a FAST_REGEX pattern. Returns 0 with *out set,
 * 0 with *out NULL when the pattern cannot be cut (it is then matched
 * whole), or an error. */
static int compile_fast(lp_parser *p, const char *fname, const char *pat, size_t n, const jgroups *g,
                        jgroups *scratch, fr_prog **out, eddy_err *err) {
    *out = NULL;
    /* The top level: groups and the text between them. */
    size_t n_top = 0;
    for (size_t i = 0; i < n; n_top++) {
        jatom a;
        next_atom(pat, n, i, &a);
        if (a.kind == JA_ALT) return 0;
        if (a.kind == JA_GROUP && (a.qlen > 0 || pat[a.off + a.len - 1] != ')')) return 0;
        i = a.off + a.len + a.qlen;
    }
    /* Each top-level element gives at most two segments, plus one per group. */
    /* In a single-byte locale (eddy never sets one) a class or '.' matches
     * exactly one byte, so such text has an exact width too. */
    int bytewise = MB_CUR_MAX == 1;
    seg_src *src = arena_calloc(&p->mem, (2 * n_top + 2) * sizeof *src);
    if (!src) return lp_nomem(err);
    int ns = 0;
    size_t i = 0, piece = 0;
    int java = 0; /* Java groups seen so far, to number top-level groups */
    while (i <= n) {
        jatom a = {0};
        if (i < n) next_atom(pat, n, i, &a);
        if (i == n || a.kind == JA_GROUP) {
            /* Close the text between groups; '^' at the very start and '$'
             * at the very end are implied by the way parts are matched. */
            size_t from = piece, to = i;
            if (from == 0 && to > 0 && (pat[0] == '^' || (to >= 2 && pat[0] == '\\' && pat[1] == 'A')))
                from = pat[0] == '^' ? 1 : 2;
            if (i == n && to > from && pat[to - 1] == '$' && (to < 2 || pat[to - 2] != '\\')) to--;
            else if (i == n && to >= from + 2 && pat[to - 2] == '\\' && pat[to - 1] == 'z' &&
                     (to < 3 || pat[to - 3] != '\\'))
                to -= 2;
            if (to > from && cut_piece(pat, from, to, 0, bytewise, &p->mem, src, &ns) != 0) return lp_nomem(err);
            if (i == n) break;
            /* The group's number: Java counts every '(' before it. */
            while (java < g->n_java && g->open_at[java + 1] < a.off) java++;
            int owner = ++java;
            if (cut_piece(pat, a.off + 1, a.off + a.len - 1, owner, bytewise, &p->mem, src, &ns) != 0)
                return lp_nomem(err);
            while (java < g->n_java && g->open_at[java + 1] < a.off + a.len) java++;
            i = piece = a.off + a.len;
            continue;
        }
        i = a.off + a.len + a.qlen;
    }
    fr_prog *fr = arena_calloc(&p->mem, sizeof *fr);
    if (!fr) return lp_nomem(err);
    fr->segs = arena_calloc(&p->mem, (size_t)(ns + 1) * sizeof *fr->segs);
    fr->exprs = arena_calloc(&p->mem, (size_t)(ns + 1) * sizeof *fr->exprs);
    fr->nested = arena_calloc(&p->mem, (size_t)(g->n_java + 1) * sizeof *fr->nested);
    fr->seg_so = arena_alloc(&p->mem, (size_t)(ns + 1) * sizeof(int32_t));
    fr->seg_eo = arena_alloc(&p->mem, (size_t)(ns + 1) * sizeof(int32_t));
    if (!fr->segs || !fr->exprs || !fr->nested || !fr->seg_so || !fr->seg_eo) return lp_nomem(err);
    fr->n_segs = ns;
    fr->n_java = g->n_java;
    /* Expressions: one per variable-width segment, with the fixed segments
     * before it (only the first expression has any) and after it. */
    int s0 = 0;
    while (s0 < ns) {
        int e = s0, has_var = 0;
        while (e < ns && (src[e].fixed || !has_var)) has_var |= !src[e++].fixed;
        fr_expr *x = &fr->exprs[fr->n_exprs++];
        x->seg0 = s0;
        x->n_seg = e - s0;
        x->suffix_lit = -1;
        s0 = e;
    }
    size_t max_nsub = 0;
    for (int k = 0; k < fr->n_exprs; k++) {
        fr_expr *x = &fr->exprs[k];
        int var_at = -1;
        for (int s = x->seg0; s < x->seg0 + x->n_seg; s++)
            if (!src[s].fixed) var_at = s;
        x->simple = 1;
        for (int s = x->seg0; s < x->seg0 + x->n_seg; s++) {
            x->simple &= !src[s].fixed || src[s].exact;
            if (s > var_at && var_at >= 0) x->suffix_total += src[s].width;
        }
        if (k == fr->n_exprs - 1) x->mode = FR_LAST;
        else {
            size_t w = 0;
            int exact = 1, lit = -1;
            for (int s = var_at + 1; s < x->seg0 + x->n_seg; s++) {
                if (w == 0 && src[s].width > 0) lit = src[s].first_lit;
                w += src[s].width;
                exact &= src[s].exact;
            }
            x->mode = var_at >= 0 && w > 0 ? FR_LAZY : FR_GREEDY;
            x->min_suffix = w;
            if (exact && lit >= 0) {
                x->suffix_lit = lit;
                x->suffix_w = w;
            }
        }
        sbuf b;
        sbuf_init(&b);
        sbuf_putc(&b, '^');
        int posix = 0, rc = 0;
        x->nest0 = fr->n_nested;
        for (int s = x->seg0; s < x->seg0 + x->n_seg && rc == 0; s++) {
            fr->segs[s].owner = src[s].owner;
            fr->segs[s].fixed = src[s].fixed;
            fr->segs[s].width = src[s].width;
            size_t pre_n = src[s].pre ? strlen(src[s].pre) : 0;
            if (pre_n == 0 && src[s].end == src[s].off) continue;
            char *java_text = arena_alloc(&p->mem, pre_n + (src[s].end - src[s].off) + 1);
            if (!java_text) {
                rc = lp_nomem(err);
                break;
            }
            memcpy(java_text, src[s].pre ? src[s].pre : "", pre_n);
            memcpy(java_text + pre_n, pat + src[s].off, src[s].end - src[s].off);
            size_t jn = pre_n + (src[s].end - src[s].off);
            java_text[jn] = '\0';
            char *tr;
            if ((rc = xlate(p, fname, java_text, jn, &tr, err)) != 0) break;
            jgroups *lg = scratch;
            memset(lg, 0, offsetof(jgroups, posix_of));
            if (count_groups(java_text, 0, jn, lg, 0) != 0) {
                rc = eddy_err_set(err, EDDY_E_SEMANTIC, "the pattern of %s is too complex", fname);
                break;
            }
            fr->segs[s].wrap = ++posix;
            /* Inner groups: the Java groups that open inside this text, in order. */
            int local = 0;
            for (int j = 1; j <= g->n_java && local < lg->n_java; j++) {
                if (g->open_at[j] < src[s].off || g->open_at[j] >= src[s].end) continue;
                local++;
                fr->nested[fr->n_nested++] = (fr_nested){j, posix + lg->posix_of[local]};
            }
            posix += lg->n_posix;
            sbuf_printf(&b, "(%s)", tr);
        }
        if (x->mode != FR_GREEDY) sbuf_putc(&b, '$');
        x->n_nest = fr->n_nested - x->nest0;
        x->simple &= x->n_nest == 0;
        if (rc == 0 && b.failed) rc = lp_nomem(err);
        if (rc == 0) rc = parser_regcomp(p, b.data, &x->re, fname, err);
        sbuf_free(&b);
        if (rc != 0) return rc;
        if ((int)x->re->re_nsub != posix)
            return eddy_err_set(err, EDDY_E_SEMANTIC, "the pattern of %s is not supported (its groups cannot be numbered)",
                                fname);
        if (x->re->re_nsub + 1 > max_nsub) max_nsub = x->re->re_nsub + 1;
    }
    int rc = parser_need_match(p, max_nsub, err);
    if (rc != 0) return rc;
    *out = fr;
    return 0;
}

/* Matches the parts in turn; one span per Java group. */
static void match_fast(lp_parser *p, const char *s, size_t n, udf_lp_span *g) {
    fr_prog *fr = p->fr;
    regmatch_t *m = p->m;
    for (int j = 0; j < fr->n_java; j++) g[j] = (udf_lp_span){0, -1};
    size_t pos = 0;
    for (int k = 0; k < fr->n_exprs; k++) {
        const fr_expr *x = &fr->exprs[k];
        const char *b = s + pos;
        size_t rem = n - pos, end = 0;
        int ok = 0;
        /* Where the expression ends, asking regexec for the whole match only
         * (one entry: no group resolution). */
        if (x->mode == FR_LAZY) {
            for (size_t e = x->min_suffix; e <= rem && !ok; e++) {
                if (x->suffix_lit >= 0 && (unsigned char)b[e - x->suffix_w] != (unsigned)x->suffix_lit) continue;
                m[0].rm_so = 0;
                m[0].rm_eo = (regoff_t)e;
                ok = regexec(x->re, b, 1, m, REG_STARTEND) == 0;
                end = e;
            }
        } else {
            m[0].rm_so = 0;
            m[0].rm_eo = (regoff_t)rem;
            ok = regexec(x->re, b, 1, m, REG_STARTEND) == 0 && m[0].rm_so == 0;
            end = ok ? (size_t)m[0].rm_eo : 0;
            if (x->mode == FR_LAST && end != rem) ok = 0;
        }
        if (ok && !x->simple) {
            m[0].rm_so = 0;
            m[0].rm_eo = (regoff_t)end;
            ok = regexec(x->re, b, p->nm, m, REG_STARTEND) == 0 && (size_t)m[0].rm_eo == end;
        }
        if (!ok) {
            for (int j = 0; j < fr->n_java; j++) g[j] = (udf_lp_span){0, -1};
            return;
        }
        int32_t at = (int32_t)pos;
        for (int sgi = x->seg0; sgi < x->seg0 + x->n_seg; sgi++) {
            const fr_seg *sg = &fr->segs[sgi];
            if (x->simple) {
                /* Fixed segments take their widths; the variable one the rest. */
                size_t w = sg->fixed ? sg->width : end - (size_t)(at - (int32_t)pos) - x->suffix_total;
                fr->seg_so[sgi] = at;
                fr->seg_eo[sgi] = at = (int32_t)(at + (int32_t)w);
            } else if (sg->wrap) {
                fr->seg_so[sgi] = (int32_t)(pos + (size_t)m[sg->wrap].rm_so);
                fr->seg_eo[sgi] = at = (int32_t)(pos + (size_t)m[sg->wrap].rm_eo);
            } else {
                fr->seg_so[sgi] = fr->seg_eo[sgi] = at;
            }
        }
        for (int q = x->nest0; q < x->nest0 + x->n_nest; q++) {
            const regmatch_t *mq = &m[fr->nested[q].posix];
            if (mq->rm_so >= 0)
                g[fr->nested[q].java - 1] = (udf_lp_span){(int32_t)(pos + (size_t)mq->rm_so),
                                                          (int32_t)(mq->rm_eo - mq->rm_so)};
        }
        pos += end;
    }
    /* A top-level group spans its segments, which are adjacent. */
    for (int sgi = 0; sgi < fr->n_segs; sgi++) {
        int o = fr->segs[sgi].owner;
        if (!o) continue;
        udf_lp_span *t = &g[o - 1];
        if (t->len < 0) *t = (udf_lp_span){fr->seg_so[sgi], fr->seg_eo[sgi] - fr->seg_so[sgi]};
        else t->len = fr->seg_eo[sgi] - t->off;
    }
}

/* ---- the entry points ------------------------------------------------------ */

/* Compiles pat[0..pn) into p; g[0] and g[1] are scratch group tables, and
 * g[0] ends up holding the pattern's groups. */
static int compile_pattern(lp_parser *p, const char *pat, size_t pn, jgroups *g, eddy_err *err) {
    const char *f = udf__lp_kind_name[p->kind];
    int rc;
    if (p->kind == LP_FAST_REGEX) {
        char *x;
        if (expand_named(pat, pn, &p->mem, &x, &pn) != 0) return lp_nomem(err);
        pat = x;
    }
    if (count_groups(pat, 0, pn, g, 0) != 0)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "the pattern of %s nests too deeply or has more than %d groups", f,
                            LP_MAX_FIELDS);
    if (g->n_java == 0) {
        /* Say first what is wrong with a pattern that is not one at all
         * ('['), then that it captures nothing. */
        if ((rc = compile_whole(p, f, pat, pn, g, err)) != 0) return rc;
        return eddy_err_set(err, EDDY_E_SEMANTIC, "the pattern of %s has no capture group", f);
    }
    if (p->kind == LP_FAST_REGEX) {
        for (size_t i = 0; i + 1 < pn; i++) {
            if (pat[i] == '\\' && pat[i + 1] >= '1' && pat[i + 1] <= '9')
                return eddy_err_set(err, EDDY_E_SEMANTIC, "the pattern of %s: back-references are not supported", f);
            if (pat[i] == '\\') i++;
        }
        if ((rc = compile_fast(p, f, pat, pn, g, g + 1, &p->fr, err)) != 0) return rc;
    }
    if (!p->fr && (rc = compile_whole(p, f, pat, pn, g, err)) != 0) return rc;
    return 0;
}

int udf__lp_regex_compile(lp_parser *p, const char *pat, size_t n, uint32_t *n_groups, eddy_err *err) {
    /* Two tables of 12 KB: on the heap, as compiling is rare. */
    jgroups *g = calloc(2, sizeof *g);
    if (!g) return lp_nomem(err);
    int rc = compile_pattern(p, pat, n, g, err);
    if (rc == 0) *n_groups = (uint32_t)g->n_java;
    free(g);
    return rc;
}

int udf__lp_regex_match(lp_parser *p, const char *s, size_t n, udf_lp_span *sp, eddy_err *err) {
    /* regexec gets a NUL-terminated copy: REG_STARTEND bounds glibc's
     * matching, but not every interceptor or libc honours it. Spans are
     * offsets, so they hold for the original. */
    if (udf__lp_grow((void **)&p->line, &p->line_cap, n + 1, 1) != 0) return lp_nomem(err);
    if (n) memcpy(p->line, s, n);
    p->line[n] = '\0';
    s = p->line;
    if (p->n_fields == (uint32_t)p->whole.n_java || p->fr) {
        if (p->fr) match_fast(p, s, n, sp);
        else match_whole(p, s, n, sp);
        return 0;
    }
    /* Fewer named columns than groups: match into scratch. */
    udf_lp_span tmp[64], *g = p->whole.n_java <= 64 ? tmp : malloc((size_t)p->whole.n_java * sizeof *g);
    if (!g) return lp_nomem(err);
    match_whole(p, s, n, g);
    memcpy(sp, g, p->n_fields * sizeof *sp);
    if (g != tmp) free(g);
    return 0;
}
