/*
 * parse_driver.c — the parse loop behind sql_parse(): scans tokens with
 * sql__lex() (lexer.re), skips whitespace and comments, rewrites the two
 * constructs that need more than one token of lookahead, and feeds the rest
 * to the lemon parser (grammar.y). The first error, lexical or syntactic,
 * stops everything.
 *
 * Also here: string-literal decoding and the error helpers shared with the
 * grammar's actions.
 */
#include "sql_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grammar.h"
#include "sql_parse_int.h"

/* The dialect's identifier length limit, in characters. */
#define SQL_MAX_IDENT 128
/* How deeply POSITION( calls may nest and still have their IN rewritten. */
#define POS_STACK 32

void sql__error_at(sql_pctx *pc, sql_span sp, const char *fmt, ...) {
    if (pc->err->code != 0) return;
    char msg[EDDY_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    eddy_err_set_at(pc->err, EDDY_E_SYNTAX, sp.off, sp.len, "%s", msg);
}

const char *sql__token_text(sql_pctx *pc, sql_span tok) {
    uint32_t n = tok.len;
    if (n > 60) {
        /* Cut on a character boundary so that the message stays UTF-8. */
        n = 60;
        while (n > 0 && ((unsigned char)pc->text[tok.off + n] & 0xC0) == 0x80) n--;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && k + 5 < sizeof pc->tokbuf; i++) {
        unsigned char c = (unsigned char)pc->text[tok.off + i];
        if (c < 0x20 && c != '\t') {
            /* Control characters would garble the one-line message. */
            k += (uint32_t)snprintf(pc->tokbuf + k, sizeof pc->tokbuf - k, "\\x%02x", c);
        } else {
            pc->tokbuf[k++] = (char)c;
        }
    }
    pc->tokbuf[k] = '\0';
    return pc->tokbuf;
}

/* Appends code point `cp` as UTF-8. */
static uint32_t put_utf8(char *out, uint32_t cp) {
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

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

const char *sql__decode_string(sql_pctx *pc, sql_span tok, int uesc, uint32_t *n) {
    const char *t = pc->text + tok.off;
    uint32_t b = 0, e = tok.len;
    while (b < e && t[b] != '\'') b++; /* skip U& */
    b++;
    e--; /* closing quote */
    /* Decoding never grows the text: \XXXX (5 bytes) becomes at most 3. */
    char *out = arena_alloc(pc->a, (e > b ? e - b : 0) + 1);
    if (!out) return NULL;
    uint32_t k = 0;
    for (uint32_t i = b; i < e; i++) {
        char c = t[i];
        if (c == '\'') {
            out[k++] = '\'';
            i++; /* '' */
            continue;
        }
        if (uesc && (unsigned char)c == (unsigned)uesc) {
            if (i + 1 < e && (unsigned char)t[i + 1] == (unsigned)uesc) {
                out[k++] = c;
                i++;
                continue;
            }
            int digits = 4;
            uint32_t j = i + 1;
            if (j < e && t[j] == '+') {
                digits = 6;
                j++;
            }
            uint32_t cp = 0;
            int ok = j + (uint32_t)digits <= e;
            for (int d = 0; ok && d < digits; d++) {
                int h = hexval(t[j + (uint32_t)d]);
                if (h < 0) ok = 0;
                cp = cp * 16 + (uint32_t)(ok ? h : 0);
            }
            if (!ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) {
                sql__error_at(pc, (sql_span){tok.off + i, 1}, "invalid Unicode escape");
                return NULL;
            }
            k += put_utf8(out + k, cp);
            i = j + (uint32_t)digits - 1;
            continue;
        }
        out[k++] = c;
    }
    out[k] = '\0';
    *n = k;
    return out;
}

int sql_error_is_incomplete(const eddy_err *err) {
    if (!err || err->code != EDDY_E_SYNTAX) return 0;
    return strcmp(err->msg, "syntax error at end of input") == 0 ||
           strncmp(err->msg, "unterminated ", 13) == 0;
}

/* A scanned token. */
typedef struct sql_tok {
    int code;
    sql_span sp;
} sql_tok;

/* The scanner state of one parse: position and a 2-token lookahead queue. */
typedef struct scan {
    sql_pctx *pc;
    uint32_t pos;
    sql_tok q[3];
    int nq;
} scan;

/* Next token that is not whitespace or a comment; lexical errors are
 * returned as their negative SQL_LEX_ERR_* codes. */
static sql_tok lex_sig(scan *s) {
    sql_tok t;
    for (;;) {
        t.code = sql__lex(s->pc->text, s->pc->len, s->pos, &t.sp);
        if (t.code == SQL_LEX_EOF) {
            t.sp.off = s->pc->len;
            t.sp.len = 0;
            return t;
        }
        s->pos = t.sp.off + t.sp.len;
        if (t.code != SQL_LEX_SPACE) return t;
    }
}

static sql_tok peek(scan *s, int i) {
    while (s->nq <= i) s->q[s->nq++] = lex_sig(s);
    return s->q[i];
}

static sql_tok take(scan *s) {
    sql_tok t = peek(s, 0);
    memmove(s->q, s->q + 1, (size_t)(s->nq - 1) * sizeof s->q[0]);
    s->nq--;
    return t;
}

static void lex_error(sql_pctx *pc, sql_tok t) {
    switch (t.code) {
    case SQL_LEX_ERR_STRING:
        sql__error_at(pc, t.sp, "unterminated quoted string at or near \"%s\"",
                      sql__token_text(pc, t.sp));
        break;
    case SQL_LEX_ERR_IDENT:
        if (t.sp.len == 2)
            sql__error_at(pc, t.sp, "zero-length delimited identifier at or near \"\"\"\"");
        else
            sql__error_at(pc, t.sp, "unterminated quoted identifier at or near \"%s\"",
                          sql__token_text(pc, t.sp));
        break;
    case SQL_LEX_ERR_COMMENT:
        sql__error_at(pc, (sql_span){t.sp.off, 2}, "unterminated /* comment");
        break;
    default:
        sql__error_at(pc, t.sp, "syntax error at or near \"%s\"", sql__token_text(pc, t.sp));
        break;
    }
}

/* Characters of an identifier token after unquoting. */
static uint32_t ident_chars(const char *t, uint32_t len) {
    uint32_t b = 0, e = len, n = 0;
    if (len >= 2 && t[0] == '"') {
        b = 1;
        e = len - 1;
    }
    for (uint32_t i = b; i < e; i++) {
        if (((unsigned char)t[i] & 0xC0) == 0x80) continue;
        if (t[i] == '"' && b == 1) i++;
        n++;
    }
    return n;
}

/* Offset of the first control character in a token, or 0 when none. */
static uint32_t control_char_at(const char *t, uint32_t len) {
    for (uint32_t i = 1; i < len; i++)
        if ((unsigned char)t[i] < 0x20) return i;
    return 0;
}

static int word_is(const sql_pctx *pc, sql_tok t, const char *w) {
    size_t n = strlen(w);
    return t.code == TK_ID && t.sp.len == n && strncasecmp(pc->text + t.sp.off, w, n) == 0;
}

int sql_parse(const char *text, size_t len, arena *a, sql_script **out, eddy_err *err) {
    *out = NULL;
    eddy_err_clear(err);
    eddy_err local;
    if (!err) err = &local;
    eddy_err_clear(err);
    if (len > UINT32_MAX - 1)
        return eddy_err_set(err, EDDY_E_INVAL, "SQL text is too long (%zu bytes)", len);

    sql_pctx pc;
    memset(&pc, 0, sizeof pc);
    /* The scanner needs a NUL sentinel after the text. */
    char *copy = arena_alloc(a, len + 1);
    if (!copy) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    if (len) memcpy(copy, text, len);
    copy[len] = '\0';
    pc.text = copy;
    pc.len = (uint32_t)len;
    pc.a = a;
    pc.err = err;

    void *parser = sql__ParseAlloc(malloc);
    if (!parser) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");

    scan sc = {&pc, 0, {{0, {0, 0}}}, 0};
    /* Editors on Windows save UTF-8 with a byte-order mark; it is not SQL. */
    if (len >= 3 && memcmp(copy, "\xEF\xBB\xBF", 3) == 0) sc.pos = 3;
    int depth = 0, last = 0;
    int pos_depth[POS_STACK];
    int n_pos = 0;
    for (;;) {
        sql_tok t = take(&sc);
        if (t.code < 0) {
            lex_error(&pc, t);
            break;
        }
        if (t.code == SQL_LEX_EOF) break;
        if (t.code == TK_ID && ident_chars(pc.text + t.sp.off, t.sp.len) > SQL_MAX_IDENT) {
            sql__error_at(&pc, t.sp, "identifier is longer than %d characters", SQL_MAX_IDENT);
            break;
        }
        if (t.code == TK_ID && pc.text[t.sp.off] == '"') {
            /* The dialect forbids U+0000..U+001F in names; a NUL would also
             * cut the name short as a C string. */
            uint32_t bad = control_char_at(pc.text + t.sp.off, t.sp.len);
            if (bad) {
                sql__error_at(&pc, (sql_span){t.sp.off + bad, 1},
                              "control character in quoted identifier");
                break;
            }
        }
        /* POSITION(a IN b): the IN directly inside the call is not the IN
         * predicate; telling them apart needs unbounded lookahead in LALR. */
        if (t.code == TK_LP) {
            depth++;
        } else if (t.code == TK_RP) {
            if (n_pos > 0 && pos_depth[n_pos - 1] == depth) n_pos--;
            depth--;
        } else if (t.code == TK_IN && n_pos > 0 && pos_depth[n_pos - 1] == depth) {
            t.code = TK_POSIN;
            n_pos--;
        } else if (word_is(&pc, t, "POSITION") && peek(&sc, 0).code == TK_LP &&
                   n_pos < POS_STACK) {
            pos_depth[n_pos++] = depth + 1;
        } else if (t.code == TK_FROM) {
            /* NTH_VALUE(x, n) FROM FIRST|LAST [IGNORE|RESPECT NULLS] OVER w,
             * told apart from a FROM clause by the token after FIRST/LAST. */
            sql_tok n1 = peek(&sc, 0);
            if (n1.code == TK_FIRST || n1.code == TK_LAST) {
                int n2 = peek(&sc, 1).code;
                if (n2 == TK_OVER || n2 == TK_IGNORE || n2 == TK_RESPECT) {
                    take(&sc);
                    t.code = n1.code == TK_FIRST ? TK_FROM_FIRST : TK_FROM_LAST;
                    t.sp = sql_span_join(t.sp, n1.sp);
                }
            }
        }
        if (t.code == TK_SEMI) {
            depth = 0;
            n_pos = 0;
        }
        sql__Parse(parser, t.code, t.sp, &pc);
        pc.prev_end = t.sp.off + t.sp.len;
        last = t.code;
        if (err->code != 0 || a->failed) break;
    }
    if (err->code == 0 && !a->failed) {
        pc.at_end = 1;
        sql_span end = {pc.len, 0};
        if (last != TK_SEMI) sql__Parse(parser, TK_SEMI, end, &pc);
        if (err->code == 0 && !a->failed) sql__Parse(parser, 0, end, &pc);
    }
    sql__ParseFree(parser, free);

    if (a->failed) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    if (err->code != 0) return err->code;
    sql_script *s = arena_calloc(a, sizeof *s);
    if (!s) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    s->stmts = pc.stmts ? (ast_stmt **)(void *)pc.stmts->v : NULL;
    s->n_stmts = pc.stmts ? pc.stmts->n : 0;
    *out = s;
    return 0;
}

int sql_parse_one(const char *text, size_t len, arena *a, ast_stmt **out, eddy_err *err) {
    sql_script *s = NULL;
    *out = NULL;
    int rc = sql_parse(text, len, a, &s, err);
    if (rc != 0) return rc;
    if (s->n_stmts != 1) {
        uint32_t off = s->n_stmts > 1 ? s->stmts[1]->off : 0;
        uint32_t l = s->n_stmts > 1 ? s->stmts[1]->len : 0;
        return eddy_err_set_at(err, EDDY_E_SYNTAX, off, l, "expected one statement, found %u",
                               s->n_stmts);
    }
    *out = s->stmts[0];
    return 0;
}
