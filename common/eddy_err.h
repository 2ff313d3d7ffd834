/*
 * eddy_err.h — the one error type of eddy.
 *
 * Every fallible function returns 0 or a negative EDDY_E_* code and fills an
 * eddy_err the caller owns. The struct also carries an optional source span
 * (byte offset and length into the text being compiled) so that SQL errors
 * can be rendered with line, column and a caret by eddy_err_render().
 */
#ifndef EDDY_ERR_H
#define EDDY_ERR_H

#include <stddef.h>
#include <stdint.h>

/* Error codes. Values are negative so that `rc < 0` tests for failure. */
typedef enum {
    EDDY_OK = 0,
    EDDY_E_NOMEM = -1,          /* allocation failed */
    EDDY_E_INVAL = -2,          /* invalid argument (Kinesis InvalidArgumentException) */
    EDDY_E_NOTFOUND = -3,       /* no such stream, shard, consumer (ResourceNotFoundException) */
    EDDY_E_INUSE = -4,          /* resource busy or in the wrong state (ResourceInUseException) */
    EDDY_E_LIMIT = -5,          /* a count limit was reached (LimitExceededException) */
    EDDY_E_THROTTLED = -6,      /* over the throughput limit (ProvisionedThroughputExceededException) */
    EDDY_E_EXPIRED = -7,        /* iterator expired (ExpiredIteratorException) */
    EDDY_E_IO = -8,             /* an operating-system I/O call failed */
    EDDY_E_CORRUPT = -9,        /* on-disk data failed a check */
    EDDY_E_SYNTAX = -10,        /* SQL syntax error */
    EDDY_E_SEMANTIC = -11,      /* SQL is well-formed but invalid (names, types, rules) */
    EDDY_E_VALIDATION = -12,    /* request shape error (ValidationException) */
    EDDY_E_LOCKED = -13,        /* data directory held by another process */
    EDDY_E_INTERNAL = -14,      /* a bug or an impossible state */
    EDDY_E_EOF = -15,           /* end of input */
    EDDY_E_UNSUPPORTED = -16,   /* recognised but not supported */
    EDDY_E_RUNTIME = -17,       /* a row-level runtime error (division by zero, bad cast) */
    EDDY_E_TIMEOUT = -18,       /* an operation timed out */
    EDDY_E_KMS = -19            /* placeholder for KMS-family API errors */
} eddy_code;

#define EDDY_ERR_MSG_MAX 512
#define EDDY_ERR_HINT_MAX 256

typedef struct eddy_err {
    int code;                        /* 0 or an EDDY_E_* value */
    char msg[EDDY_ERR_MSG_MAX];      /* primary message: short, lower-case, no period */
    char hint[EDDY_ERR_HINT_MAX];    /* optional hint sentence, "" when none */
    char detail[EDDY_ERR_HINT_MAX];  /* optional detail sentence, "" when none */
    uint32_t off, len;               /* source span when has_pos */
    int has_pos;                     /* 1 when off/len point into source text */
} eddy_err;

/* Clears an error to the "no error" state. `e` may be NULL. */
void eddy_err_clear(eddy_err *e);

/* Sets code and printf-style message; returns `code` so callers can write
 * `return eddy_err_set(err, EDDY_E_INVAL, "...")`. The first error wins only
 * if the caller checks e->code; this function always overwrites. `e` may be
 * NULL, in which case only the code is returned. */
int eddy_err_set(eddy_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As eddy_err_set, with a source span for caret rendering. */
int eddy_err_set_at(eddy_err *e, int code, uint32_t off, uint32_t len,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Sets the hint sentence of an error already set. */
void eddy_err_hint(eddy_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Short name of a code ("invalid argument"). Never NULL. */
const char *eddy_strerror(int code);

/* Turns a byte offset into 1-based line and character column (UTF-8 aware).
 * `text` is borrowed and need not be NUL-terminated beyond text_len. */
void eddy_text_linecol(const char *text, size_t text_len, uint32_t off,
                       int *line, int *col);

/* Renders an error PostgreSQL-style into `out` (NUL-terminated, truncated to
 * cap). With a span and text it draws:
 *   ERROR: <msg> (L:C)
 *   LINE L: <source line>
 *                 ^~~~
 *   HINT:  <hint>
 * Returns the number of bytes written, excluding the NUL. */
size_t eddy_err_render(const eddy_err *e, const char *text, size_t text_len,
                       char *out, size_t cap);

#endif
