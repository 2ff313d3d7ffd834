/*
 * udf_rowfn.h — the row-returning log parsers (SQL.md §6.11):
 * FAST_REGEX_LOG_PARSE, REGEX_LOG_PARSE, FIXED_COLUMN_LOG_PARSE,
 * SYS_LOG_PARSE, VARIABLE_COLUMN_LOG_PARSE and W3C_LOG_PARSE.
 *
 * How it fits: the planner has no row type. It asks udf_row_fields() which
 * fields a call returns (they depend on constant arguments: the regex, the
 * column spec, the W3C format) and turns `f(...) AS r` into one column per
 * field, each a call of the same registered function with one extra trailing
 * INTEGER argument, the 1-based field index, cast from VARCHAR to the field's
 * type. The evaluators (fn_logparse.c, attached by udf_attach_builtins)
 * therefore return the text of one field; they keep the parse of the last
 * batches per thread, so the n field calls over a batch parse each row once.
 *
 * The second half of this header is private to udf/ (the log parsers,
 * fn_logparse*.c; what only they share beyond it is in logparse_int.h).
 */
#ifndef EDDY_UDF_ROWFN_H
#define EDDY_UDF_ROWFN_H

#include <stddef.h>
#include <stdint.h>

#include "udf.h"

/* One field of a row result. */
typedef struct udf_row_field {
    const char *name; /* "COLUMN1".., or the name a column spec gives: unquoted
                         names folded to upper case as the SQL parser folds
                         identifiers, "quoted" names as written without quotes */
    eddy_type type;   /* VARCHAR(1024) unless a column spec says otherwise */
} udf_row_field;

/* The fields the row function `fn` (UDF_F_ROW_RESULT) returns for these
 * arguments as the user wrote them: args[i] is the constant value of
 * argument i, or NULL when that argument is not a constant (args[0], the
 * parsed string, is always NULL here); n_args counts the user's arguments.
 * Arguments that decide the fields (the regex, the column spec or count, the
 * W3C format) must be constants; other constant arguments (a delimiter, a
 * quote string) are checked too.
 * Returns 0 with *fields (allocated in `mem`, owned by its owner) and *n >= 1;
 * or EDDY_E_SEMANTIC with err set (the message names the function and the
 * problem, e.g. "the pattern of REGEX_LOG_PARSE must be a constant") and
 * *bad_arg = the index of the argument at fault; or EDDY_E_NOMEM. */
int udf_row_fields(const udf_func *fn, const eddy_value *const *args, int n_args, arena *mem,
                   udf_row_field **fields, uint32_t *n, int *bad_arg, eddy_err *err);

/* ---- private to udf/ ------------------------------------------------------ */

/* Where a parsed field lies: off >= 0 is a byte offset into the parsed line;
 * off < 0 is byte -off - 1 of the thread's derived-text buffer (text made by
 * the parser, such as a canonical timestamp); len < 0 means NULL. */
typedef struct udf_lp_span {
    int32_t off;
    int32_t len;
} udf_lp_span;

/* A compiled W3C_LOG_PARSE format (fn_logparse_w3c.c). */
typedef struct udf_w3c udf_w3c;

/* Compiles a W3C format: a predefined name (COMMON, COMMON WITH VHOST,
 * NCSA EXTENDED, REFERER, AGENT, IIS; case-insensitive) or an Apache
 * LogFormat string. Allocates in `mem`. Returns 0, or EDDY_E_SEMANTIC with
 * err set ("W3C_LOG_PARSE: ...") for a format it cannot use, or
 * EDDY_E_NOMEM. */
int udf__w3c_compile(const char *fmt, size_t n, arena *mem, udf_w3c **out, eddy_err *err);

/* The number of fields (one per specifier) of a compiled format. */
uint32_t udf__w3c_n_fields(const udf_w3c *w);

/* Splits the line s[0..n) into the format's fields, writing one span per
 * field to out (offsets into s; all NULL when the line does not fit the
 * format). This function can't fail. */
void udf__w3c_parse(const udf_w3c *w, const char *s, size_t n, udf_lp_span *out);

#endif
