/*
 * repl_scan.c — the REPL's statement scanner: where a statement typed over
 * several lines ends (a ';' outside strings, quoted identifiers and
 * comments), and the few statements the REPL answers itself because they
 * are not SQL (PRINT, SET 'from'), or need more than the session gives
 * (DESCRIBE EXTENDED).
 *
 * It only finds token boundaries, the same way parser/lexer.re does ('' and
 * "" escape a quote, block comments do not nest), so that the REPL and the
 * parser agree on where strings and comments end. libc only: the unit test
 * compiles this file in directly.
 */
#include "repl_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Advances over text starting in state st; stops after a top-level ';'
 * (returning its offset + 1) or at len (returning 0). */
static size_t scan(const char *t, size_t len, repl_scan_state *io) {
    repl_scan_state st = *io;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        switch (st) {
        case REPL_SCAN_NORMAL:
            if (c == '\'') st = REPL_SCAN_STRING;
            else if (c == '"') st = REPL_SCAN_IDENT;
            else if (c == '-' && i + 1 < len && t[i + 1] == '-') st = REPL_SCAN_LINE_COMMENT, i++;
            else if (c == '/' && i + 1 < len && t[i + 1] == '*') st = REPL_SCAN_BLOCK_COMMENT, i++;
            else if (c == ';') {
                *io = st;
                return i + 1;
            }
            break;
        case REPL_SCAN_STRING:
            /* '' inside a string is a quote: leaving and re-entering at once
             * is the same thing, so no lookahead is needed. */
            if (c == '\'') st = REPL_SCAN_NORMAL;
            break;
        case REPL_SCAN_IDENT:
            if (c == '"') st = REPL_SCAN_NORMAL;
            break;
        case REPL_SCAN_LINE_COMMENT:
            if (c == '\n') st = REPL_SCAN_NORMAL;
            break;
        case REPL_SCAN_BLOCK_COMMENT:
            if (c == '*' && i + 1 < len && t[i + 1] == '/') st = REPL_SCAN_NORMAL, i++;
            break;
        }
    }
    *io = st;
    return 0;
}

size_t repl_stmt_end(const char *text, size_t len, repl_scan_state *state) {
    repl_scan_state st = REPL_SCAN_NORMAL;
    size_t end = scan(text, len, &st);
    if (state) *state = st;
    return end;
}

size_t repl_skip_space(const char *t, size_t len, size_t i) {
    while (i < len) {
        if (isspace((unsigned char)t[i]) || t[i] == ';') {
            i++;
        } else if (t[i] == '-' && i + 1 < len && t[i + 1] == '-') {
            while (i < len && t[i] != '\n') i++;
        } else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
            const char *e = NULL;
            for (size_t k = i + 2; k + 1 < len; k++)
                if (t[k] == '*' && t[k + 1] == '/') {
                    e = t + k;
                    break;
                }
            /* An unterminated comment is not blank: the parser reports it. */
            if (!e) return i;
            i = (size_t)(e - t) + 2;
        } else {
            break;
        }
    }
    return i;
}

int repl_stmt_blank(const char *text, size_t len) { return repl_skip_space(text, len, 0) >= len; }

static int ident_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '$' || (c & 0x80); }

int repl_next_word(const char *t, size_t len, size_t *off, repl_word *w) {
    size_t i = *off;
    /* ';' ends statements, it is not a word of one: skip it like space. */
    i = repl_skip_space(t, len, i);
    memset(w, 0, sizeof *w);
    if (i >= len) {
        *off = len;
        return -1;
    }
    char c = t[i];
    if (c == '"' || c == '\'') {
        size_t k = i + 1;
        while (k < len) {
            if (t[k] == c) {
                if (k + 1 < len && t[k + 1] == c) {
                    k += 2;
                    continue;
                }
                break;
            }
            k++;
        }
        w->p = t + i + 1;
        w->n = (k < len ? k : len) - (i + 1);
        w->quoted = 1;
        w->quote = c;
        *off = k < len ? k + 1 : len;
        return 0;
    }
    size_t k = i;
    if (ident_char(c)) {
        while (k < len && (ident_char(t[k]) || t[k] == '.' || t[k] == '-')) k++;
    } else {
        k = i + 1;
    }
    w->p = t + i;
    w->n = k - i;
    *off = k;
    return 0;
}

int repl_word_is(const repl_word *w, const char *kw) {
    return w->p && !w->quoted && strlen(kw) == w->n && !strncasecmp(w->p, kw, w->n);
}

int repl_word_name(const repl_word *w, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < w->n; i++) {
        char c = w->p[i];
        if (w->quoted && c == w->quote && i + 1 < w->n && w->p[i + 1] == w->quote) i++;
        if (o + 1 >= cap) return -1;
        out[o++] = w->quoted ? c : (char)toupper((unsigned char)c);
    }
    if (o >= cap) return -1;
    out[o] = '\0';
    return 0;
}

/* Copies a word exactly (case kept, doubled quotes undone). */
static int word_exact(const repl_word *w, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < w->n; i++) {
        char c = w->p[i];
        if (w->quoted && c == w->quote && i + 1 < w->n && w->p[i + 1] == w->quote) i++;
        if (o + 1 >= cap) return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

static int scan_fail(char *msg, size_t cap, const char *text) {
    snprintf(msg, cap, "%s", text);
    return -1;
}

int repl_parse_print(const char *t, size_t len, repl_print_cmd *out, char *msg, size_t cap) {
    size_t off = 0;
    repl_word w;
    if (repl_next_word(t, len, &off, &w) != 0 || !repl_word_is(&w, "PRINT")) return 0;
    memset(out, 0, sizeof *out);
    out->limit = -1;
    if (repl_next_word(t, len, &off, &w) != 0 || (!w.quoted && !ident_char(w.p[0])) ||
        w.quote == '\'')
        return scan_fail(msg, cap, "PRINT needs a stream name: PRINT NAME [FROM BEGINNING] [LIMIT n]");
    if (word_exact(&w, out->name, sizeof out->name) != 0 ||
        repl_word_name(&w, out->folded, sizeof out->folded) != 0)
        return scan_fail(msg, cap, "stream name too long");
    if (w.quoted) snprintf(out->folded, sizeof out->folded, "%s", out->name);
    while (repl_next_word(t, len, &off, &w) == 0) {
        if (repl_word_is(&w, "FROM")) {
            if (repl_next_word(t, len, &off, &w) != 0 || !repl_word_is(&w, "BEGINNING"))
                return scan_fail(msg, cap, "expected BEGINNING after FROM");
            out->from_beginning = 1;
        } else if (repl_word_is(&w, "LIMIT")) {
            if (repl_next_word(t, len, &off, &w) != 0 || w.quoted)
                return scan_fail(msg, cap, "LIMIT needs a number");
            char num[32];
            if (w.n >= sizeof num) return scan_fail(msg, cap, "LIMIT is out of range");
            memcpy(num, w.p, w.n);
            num[w.n] = '\0';
            char *e;
            long long v = strtoll(num, &e, 10);
            if (*e || v < 0) return scan_fail(msg, cap, "LIMIT needs a non-negative integer");
            out->limit = v;
        } else {
            snprintf(msg, cap, "unexpected \"%.*s\" in PRINT: PRINT NAME [FROM BEGINNING] [LIMIT n]",
                     (int)w.n, w.p);
            return -1;
        }
    }
    return 1;
}

int repl_parse_set(const char *t, size_t len, int *from_beginning, char *msg, size_t cap) {
    size_t off = 0;
    repl_word w, k, v;
    if (repl_next_word(t, len, &off, &w) != 0 || !repl_word_is(&w, "SET")) return 0;
    if (repl_next_word(t, len, &off, &k) != 0 || k.quote != '\'')
        return scan_fail(msg, cap, "SET needs a quoted property: SET 'from' = 'beginning'|'latest'");
    if (repl_next_word(t, len, &off, &w) != 0 || w.n != 1 || w.p[0] != '=')
        return scan_fail(msg, cap, "expected = after the property name");
    if (repl_next_word(t, len, &off, &v) != 0 || v.quote != '\'')
        return scan_fail(msg, cap, "SET needs a quoted value");
    if (repl_next_word(t, len, &off, &w) == 0) return scan_fail(msg, cap, "unexpected text after SET");
    int ksql = k.n == 17 && !strncasecmp(k.p, "auto.offset.reset", 17);
    if (!(k.n == 4 && !strncasecmp(k.p, "from", 4)) && !ksql) {
        snprintf(msg, cap, "unknown property '%.*s' (known: 'from', 'auto.offset.reset')", (int)k.n,
                 k.p);
        return -1;
    }
    if ((v.n == 9 && !strncasecmp(v.p, "beginning", 9)) || (v.n == 8 && !strncasecmp(v.p, "earliest", 8)) ||
        (v.n == 12 && !strncasecmp(v.p, "trim_horizon", 12)))
        *from_beginning = 1;
    else if (v.n == 6 && !strncasecmp(v.p, "latest", 6))
        *from_beginning = 0;
    else {
        snprintf(msg, cap, "'%.*s' is not a position: use 'beginning' or 'latest'", (int)v.n, v.p);
        return -1;
    }
    return 1;
}

int repl_parse_describe_extended(const char *t, size_t len, char *name, size_t cap) {
    size_t off = 0;
    repl_word w;
    if (repl_next_word(t, len, &off, &w) != 0 || !repl_word_is(&w, "DESCRIBE")) return 0;
    if (repl_next_word(t, len, &off, &w) != 0 || !repl_word_is(&w, "EXTENDED")) return 0;
    if (repl_next_word(t, len, &off, &w) != 0) return 0;
    return repl_word_name(&w, name, cap) == 0;
}

static int first_word_is(const char *t, size_t len, const char *kw) {
    size_t off = 0;
    repl_word w;
    /* A query may open with parentheses: ( SELECT ... ). */
    while (repl_next_word(t, len, &off, &w) == 0)
        if (!(w.n == 1 && w.p[0] == '(' && !w.quoted)) return repl_word_is(&w, kw);
    return 0;
}

int repl_is_query(const char *t, size_t len) { return first_word_is(t, len, "SELECT"); }

int repl_is_ddl(const char *t, size_t len) {
    return first_word_is(t, len, "CREATE") || first_word_is(t, len, "DROP");
}
