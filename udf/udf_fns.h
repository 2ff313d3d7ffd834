/*
 * udf_fns.h — the implementations of the built-in scalar functions
 * (SQL.md §6.5–§6.7, §6.9, §6.10): string, regex, numeric, null-handling and
 * date/time functions.
 *
 * How it fits: udf.h registers the signatures; this module supplies the
 * evaluation functions and attaches them by specific name. The engine calls
 * udf_attach_builtins() once after udf_registry_default(); the runtime sets
 * the query start time on each thread that evaluates a query, so that
 * CURRENT_TIMESTAMP and friends are constant for the whole query.
 *
 * The implementation files are fn_string.c (case, length, SUBSTRING, TRIM,
 * OVERLAY, POSITION), fn_regex.c (SUBSTRING FROM regex / SIMILAR,
 * REGEX_REPLACE, Java-to-POSIX regex translation), fn_math.c, fn_time.c and
 * fn_misc.c (COALESCE, NULLIF, MONOTONIC and udf_attach_builtins).
 */
#ifndef EDDY_UDF_FNS_H
#define EDDY_UDF_FNS_H

#include <stdint.h>

#include "udf.h"

/* Attaches every built-in scalar implementation to the registry `r`
 * (borrowed). Signatures without an implementation here (the log parsers)
 * are skipped. Returns 0, or EDDY_E_NOTFOUND with err set if a signature this
 * module implements is missing from `r` (a registry built without the
 * default tables). Calling it twice is harmless. */
int udf_attach_builtins(udf_registry *r, eddy_err *err);

/* Sets the query start time (epoch ms, UTC) seen by CURRENT_DATE,
 * CURRENT_TIME, CURRENT_TIMESTAMP, LOCALTIME and LOCALTIMESTAMP on the
 * calling thread. Until it is called on a thread those functions use the
 * wall clock at the time of each call. This function can't fail. */
void udf_set_query_start_ms(int64_t ms);

/* Translates a Java regular expression into POSIX extended syntax for
 * regcomp(REG_EXTENDED). Writes a NUL-terminated pattern allocated in `mem`
 * to *out. Java's non-capturing groups (?:...) become plain groups;
 * group_map[j] (j = 1..9) receives the POSIX group number of Java group j, or
 * 0 if the pattern has fewer groups (group_map may be NULL, else it has 10
 * entries). Supported: \d \w \s (also inside brackets) and \D \W \S,
 * \t \n \r \f \a \e, \0ooo \xhh \uhhhh, \A and \z anchors, \Q...\E quoting,
 * escaped metacharacters, back-references \1..\9. '.' excludes \n and \r
 * as in Java. Rejected with EDDY_E_INVAL (err set): lazy and possessive
 * quantifiers, look-around, inline flags, named groups, nested or
 * intersected classes, \b \B \Z \G and \p{...}. Matching is bytewise (a
 * multi-byte character inside brackets stands for its separate bytes) and
 * leftmost-longest, where Java is leftmost-first.
 * Returns 0, EDDY_E_INVAL or EDDY_E_NOMEM. */
int udf_regex_from_java(const char *pat, size_t n, arena *mem, char **out, int *group_map,
                        eddy_err *err);

/* Reads a \x, \0 or \u escape's code point at p[*i] (just after the
 * letter), advancing *i; the value or -1. Shared by the translator and the
 * log parsers' pattern scanner. */
long udf__regex_num_escape(const char *p, size_t n, size_t *i, char kind);

/* ---- private to udf/: per-family attach functions ---------------------- */

int udf__attach_string(udf_registry *r, eddy_err *err);
int udf__attach_regex(udf_registry *r, eddy_err *err);
int udf__attach_math(udf_registry *r, eddy_err *err);
int udf__attach_time(udf_registry *r, eddy_err *err);

#endif
