/*
 * sql_parse_int.h — shared only inside parser/: the token type, the parse
 * context passed to the lemon grammar as its extra argument, the lexer entry
 * point and the lemon-generated parser functions.
 *
 * Flow: parse_driver.c copies the text into the arena (NUL sentinel for the
 * re2c scanner), calls sql__lex() for each token, skips whitespace and
 * comments, and feeds the rest to the lemon parser (grammar.y), whose actions
 * call the constructors of ast.c. The first error stops everything.
 */
#ifndef SQL_PARSE_INT_H
#define SQL_PARSE_INT_H

#include <stdint.h>

#include "ast.h"
#include "eddy_err.h"

/* Lexer results that are not grammar tokens (lemon's codes are > 0). */
#define SQL_LEX_EOF 0
#define SQL_LEX_SPACE (-1)          /* whitespace or a comment */
#define SQL_LEX_ERR_STRING (-2)     /* unterminated '...' */
#define SQL_LEX_ERR_IDENT (-3)      /* unterminated "..." */
#define SQL_LEX_ERR_COMMENT (-4)    /* unterminated comment */
#define SQL_LEX_ERR_CHAR (-5)       /* a character that starts no token */

/* The parse context: everything a grammar action may touch. */
typedef struct sql_pctx {
    const char *text;        /* borrowed: the NUL-terminated copy of the input */
    uint32_t len;            /* bytes of text, excluding the sentinel */
    arena *a;                /* borrowed: where every node goes */
    eddy_err *err;           /* borrowed: first error wins */
    uint32_t prev_end;       /* end offset of the last token shifted */
    ast_list *stmts;         /* statements parsed so far */
    int at_end;
    char tokbuf[80];         /* sql__token_text's buffer */              /* the parser is being fed the synthetic end of input */
} sql_pctx;

/* Scans one token starting at byte `pos` of `text` (NUL-terminated at
 * text[len]). Sets *tok to its span and returns a lemon TK_* code or one of
 * the SQL_LEX_* values above. Keywords are recognised case-insensitively;
 * identifiers (quoted or not) come back as TK_ID. Never reads past text[len]. */
int sql__lex(const char *text, uint32_t len, uint32_t pos, sql_span *tok);

/* Looks up a keyword (case-insensitive, `n` bytes). Returns its TK_* code or
 * 0 when the word is not a keyword. */
int sql__keyword(const char *s, uint32_t n);

/* 1 when keyword token `code` is non-reserved (%fallback ID in grammar.y). */
int sql__is_fallback(int code);

/* Records a syntax-class error at `sp` unless an error is already recorded
 * (the first error wins). */
void sql__error_at(sql_pctx *pc, sql_span sp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The text of a token for messages, NUL-terminated in a per-context buffer
 * (truncated to a whole character). */
const char *sql__token_text(sql_pctx *pc, sql_span tok);

/* Decodes the body of a string token ('...' with '' escapes, or U&'...'
 * with the Unicode escape character `uesc`) into the arena. Sets *n to the
 * decoded length. Returns NULL and records an error for a bad escape. */
const char *sql__decode_string(sql_pctx *pc, sql_span tok, int uesc, uint32_t *n);

/* lemon's generated parser (grammar.c). */
void *sql__ParseAlloc(void *(*malloc_fn)(size_t));
void sql__Parse(void *p, int major, sql_span minor, sql_pctx *pc);
void sql__ParseFree(void *p, void (*free_fn)(void *));

#endif
