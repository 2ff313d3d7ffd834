/*
 * sql_parse.h — the public interface of the SQL parser module (parser/).
 *
 * Turns SQL text in eddy's dialect into the tree of ast.h, and trees back into
 * SQL text. The planner, the engine, the REPL and the server use this header;
 * the lexer, grammar and driver behind it are private (sql_parse_int.h).
 *
 * Errors: the parser stops at the first syntax error and reports it in an
 * eddy_err with code EDDY_E_SYNTAX and the byte span of the offending token,
 * so that eddy_err_render() draws the PostgreSQL-style caret:
 *     ERROR: syntax error at or near "FORM" (2:12)
 *     LINE 2:   SELECT * FORM trades
 *                        ^~~~
 * At the end of the input the message is "syntax error at end of input".
 */
#ifndef SQL_PARSE_H
#define SQL_PARSE_H

#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "eddy_err.h"
#include "sbuf.h"

/* Parses a script of statements separated by ';' (a trailing ';' and empty
 * statements are allowed). `text` is borrowed, need not be NUL-terminated and
 * must outlive nothing: names and literals are copied into `a`. On success
 * returns 0 and sets *out to a script allocated in `a` (possibly with zero
 * statements). On failure returns EDDY_E_SYNTAX (err has the span of the
 * offending token) or EDDY_E_NOMEM, and *out is NULL. Never crashes on any
 * byte sequence; everything it allocates is in `a`. */
int sql_parse(const char *text, size_t len, arena *a, sql_script **out, eddy_err *err);

/* As sql_parse, for text that must hold exactly one statement (an optional
 * trailing ';' is allowed). Zero or several statements are an EDDY_E_SYNTAX
 * error ("expected one statement"). */
int sql_parse_one(const char *text, size_t len, arena *a, ast_stmt **out, eddy_err *err);

/* Appends the SQL text of a statement to `out` (no trailing ';'). Parsing the
 * output gives a tree equal to `s` (ast_stmt_equal). Identifiers that need it
 * are quoted, strings escaped. This function can't fail except through the
 * buffer's sticky `failed` flag. */
void ast_print(const ast_stmt *s, sbuf *out);

/* Appends the SQL text of an expression (same rules as ast_print). */
void ast_print_expr(const ast_expr *e, sbuf *out);

/* Appends the SQL text of a query (same rules as ast_print). */
void ast_print_query(const ast_query *q, sbuf *out);

/* Appends the SQL spelling of a type reference ("VARCHAR(8)",
 * "INTERVAL DAY TO SECOND(3)"). */
void ast_print_type(const ast_type_ref *t, sbuf *out);

/* Appends an identifier, quoted when it was written quoted or when it would
 * not read back as the same name unquoted (lower case, keyword, odd chars). */
void ast_print_name(const ast_name *n, sbuf *out);

/* 1 when `err` reports input that ended too early (end of input inside a
 * statement, an unterminated string, identifier or comment): a REPL should
 * read another line and parse again. */
int sql_error_is_incomplete(const eddy_err *err);

/* 1 when `s` (NUL-terminated, upper case) is a reserved word of the dialect
 * and must therefore be quoted to be used as a name. */
int sql_is_reserved(const char *s);

#endif
