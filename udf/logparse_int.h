/*
 * logparse_int.h — private to the log parsers of udf/ (SQL.md §6.11): the
 * compiled parser of a call's constant arguments, the per-thread buffer of
 * derived field text, and the functions the fn_logparse*.c files call in
 * each other.
 *
 * The files, in reading order:
 *  - fn_logparse_spec.c compiles a call's constant arguments into an
 *    lp_parser (column specs itself, patterns through fn_logparse_regex.c,
 *    W3C formats through fn_logparse_w3c.c) and answers udf_row_fields();
 *  - fn_logparse_regex.c compiles and matches REGEX_LOG_PARSE's and
 *    FAST_REGEX_LOG_PARSE's patterns;
 *  - fn_logparse_line.c splits one line into field spans with a parser;
 *  - fn_logparse.c keeps the per-thread caches (parsers, and the parse of
 *    the last batches) and holds the evaluators and udf__attach_logparse().
 * What the planner and fn_logparse_w3c.c also see (udf_row_field,
 * udf_lp_span, udf_w3c) is in udf_rowfn.h.
 */
#ifndef EDDY_UDF_LOGPARSE_INT_H
#define EDDY_UDF_LOGPARSE_INT_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "udf_rowfn.h"

#define LP_MAX_FIELDS 1024 /* fields of one call, and capture groups of one pattern */

/* The log parsers; the order of udf__lp_kind_name. */
typedef enum { LP_FAST_REGEX, LP_REGEX, LP_FIXED, LP_SYSLOG, LP_VARIABLE, LP_W3C, LP__COUNT } lp_kind;

/* The function name of each kind, "FAST_REGEX_LOG_PARSE"..; also the
 * specific name of its signature (fn_logparse.c). */
extern const char *const udf__lp_kind_name[LP__COUNT];

/* CHAR_TO_TIMESTAMP's evaluator, found in the registry by
 * udf__attach_logparse() (fn_logparse.c), which stores it with release
 * order; fn_logparse_line.c loads it with acquire order and reuses its
 * SimpleDateFormat engine (fn_time.c) for formatted columns. NULL until the
 * parsers are attached. */
extern udf_scalar_eval_fn udf__lp_char_to_ts;

/* ---- compiled parsers ---------------------------------------------------- */

/* One output field and how to finish its text. */
typedef struct lp_field {
    udf_row_field f;
    const char *fmt;   /* SimpleDateFormat of a DATE/TIME/TIMESTAMP column, or NULL */
    uint32_t fmt_n;
    uint8_t not_null;  /* NOT NULL: a missing value is a row error */
    int64_t start;     /* FIXED: first character, 0-based */
    int64_t len;       /* FIXED: characters, -1 = to the end of the line */
} lp_field;

/* A regex matched as a whole (REGEX_LOG_PARSE, and FAST_REGEX_LOG_PARSE
 * patterns it cannot cut into parts). */
typedef struct lp_whole {
    regex_t *re;
    int *posix_of;     /* Java group j (1..n_java) -> POSIX group */
    int n_java;
} lp_whole;

/* FAST_REGEX_LOG_PARSE's pattern cut into parts (fn_logparse_regex.c). */
typedef struct fr_prog fr_prog;

/* The compiled constant arguments of a call: made by udf__lp_compile(),
 * freed by udf__lp_parser_free(). */
typedef struct lp_parser {
    lp_kind kind;
    uint64_t gen;         /* unique per thread: tells apart parsers at a reused address */
    char *key;            /* kind + constant arguments, malloc'd */
    size_t key_n;
    arena mem;            /* everything below */
    uint32_t n_fields;
    lp_field *fields;
    int post;             /* some field needs trimming, a date format or a NOT NULL check */
    regex_t **res;        /* compiled regexes, for regfree */
    int n_res, cap_res;
    regmatch_t *m;        /* scratch for regexec */
    size_t nm;
    char *line;           /* scratch: the line NUL-terminated for regexec, malloc'd */
    size_t line_cap;
    lp_whole whole;       /* REGEX, and FAST_REGEX when fr is NULL */
    fr_prog *fr;          /* FAST_REGEX cut into parts */
    const char *delim;    /* VARIABLE: the delimiter */
    uint32_t delim_n;
    int esc, qb, qe;      /* VARIABLE: escape, begin and end quote bytes, -1 = none */
    udf_w3c *w3c;         /* W3C */
} lp_parser;

/* ---- the batch memo -------------------------------------------------------- */

/* The parse of one run of rows (fn_logparse.c). */
typedef struct lp_run lp_run;

/* The parse of a thread's last batches, owned by fn_logparse.c. The line
 * parsers only append to `text`: spans with off < 0 point into it. */
typedef struct lp_memo {
    lp_run *runs;
    size_t n_runs, cap_runs;
    udf_lp_span *spans;
    size_t n_spans, cap_spans;
    char *key;
    size_t key_len, key_cap;
    char *text;          /* derived field text */
    size_t text_len, text_cap;
    uint32_t *slots;     /* runs by (parser, first string, rows): index + 1, 0 = free;
                            LP_MEMO_SLOTS entries, linear probing */
} lp_memo;

/* ---- shared helpers -------------------------------------------------------- */

/* Sets err to EDDY_E_NOMEM and returns it. */
static inline int lp_nomem(eddy_err *err) { return eddy_err_set(err, EDDY_E_NOMEM, "out of memory"); }

/* Grows the malloc'd array *p (owned by the caller) to hold at least `need`
 * elements of `size` bytes, updating *cap. Returns 0, or -1 when out of
 * memory (*p and *cap unchanged). (fn_logparse.c) */
int udf__lp_grow(void **p, size_t *cap, size_t need, size_t size);

/* ---- fn_logparse_spec.c ---------------------------------------------------- */

/* Compiles the arguments of a call of `kind`: a[k] is argument k's value
 * (borrowed), or NULL for a non-constant argument (a[0] is never read); na
 * counts the user's arguments. Returns 0 with *out (owned by the caller,
 * free with udf__lp_parser_free), or an error (EDDY_E_SEMANTIC for the
 * user's mistakes, EDDY_E_NOMEM) with err set and *bad_arg the argument at
 * fault (-1 for none). */
int udf__lp_compile(lp_kind kind, const eddy_value *const *a, int na, lp_parser **out, int *bad_arg,
                    eddy_err *err);

/* Frees a parser and everything it owns; NULL is ignored. */
void udf__lp_parser_free(lp_parser *p);

/* ---- fn_logparse_regex.c --------------------------------------------------- */

/* Compiles the Java pattern pat[0..n) (borrowed) of p, a REGEX_LOG_PARSE or
 * FAST_REGEX_LOG_PARSE parser, into p (p->whole, or p->fr), allocating in
 * p->mem. Returns 0 with *n_groups the pattern's capture groups (>= 1);
 * EDDY_E_SEMANTIC with err set ("the pattern of F ...") for a pattern it
 * cannot use; or EDDY_E_NOMEM. Does not set p->fields. */
int udf__lp_regex_compile(lp_parser *p, const char *pat, size_t n, uint32_t *n_groups, eddy_err *err);

/* Matches the line s[0..n) (borrowed; need not be NUL-terminated) with the
 * pattern of p, writing p->n_fields spans (offsets into s; all NULL when the
 * line does not match). Uses p's scratch, so p is not thread-safe. Returns
 * 0, or EDDY_E_NOMEM with err set. */
int udf__lp_regex_match(lp_parser *p, const char *s, size_t n, udf_lp_span *sp, eddy_err *err);

/* ---- fn_logparse_line.c ---------------------------------------------------- */

/* Parses the line s[0..n) (borrowed) with p into p->n_fields spans at sp,
 * appending any derived text to m->text, and finishes typed fields
 * (trimming, date formats, NOT NULL). Returns 0; EDDY_E_RUNTIME with err set
 * for a NOT NULL column without a value; or EDDY_E_NOMEM. On error, text
 * already appended to m->text stays there (the caller rolls it back). */
int udf__lp_parse_line(lp_parser *p, lp_memo *m, const char *s, size_t n, udf_lp_span *sp, arena *mem,
                       eddy_err *err);

#endif
