/*
 * expr.h — compiled scalar expressions, evaluated a batch at a time.
 *
 * rt_expr_compile turns a resolved plan_expr tree (planner/plan.h) into a
 * flat array of steps, once, when an operator is created. rt_expr_eval runs
 * the steps over the live rows of a batch: every step computes a whole vector
 * (indexed by the batch's row index) for a selection of rows. CASE branches
 * and the right operands of AND/OR run only over the rows that need them, so
 * `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` raises no error for x = 0.
 *
 * Row-level errors (division by zero, overflow, a failed cast, a function's
 * argument error) never abort: the row is marked in the result's error list
 * with a message, and the operator routes it to error_stream.
 *
 * Used by the operators (filter, project, aggregates' arguments, window
 * partition keys). Knows nothing of SQL text.
 */
#ifndef RT_EXPR_H
#define RT_EXPR_H

#include <stdint.h>

#include "arena.h"
#include "batch.h"
#include "eddy_err.h"
#include "plan.h"

typedef struct rt_expr rt_expr;   /* opaque compiled program */

/* The result vector of an evaluation, indexed by batch row index. Valid until
 * the next rt_expr_eval on the same program. Strings point into the
 * program's scratch arena or into the input batch. */
typedef struct rt_vec {
    eddy_type type;
    rt_phys phys;
    uint8_t *null;       /* null[r] != 0: row r is NULL */
    union {
        int64_t *i64;
        double *f64;
        rt_str *str;
    } v;
} rt_vec;

/* Rows of the last evaluation that raised an error, with their messages. */
typedef struct rt_row_error {
    uint32_t row;        /* batch row index */
    int code;            /* EDDY_E_RUNTIME family */
    const char *name;    /* short error name for error_stream ("DIVISION_BY_ZERO") */
    const char *msg;     /* message (in the program's scratch arena) */
} rt_row_error;

/* Per-query constants an expression may read (CURRENT_TIMESTAMP etc.). */
typedef struct rt_expr_env {
    int64_t query_start_ms;   /* value of CURRENT_TIMESTAMP and friends */
} rt_expr_env;

/* Compiles `e`, whose column references index a row of `n_in` columns of
 * types `in_types` (borrowed). The program lives in `a` (and is freed with
 * it) except for scratch memory released by rt_expr_free. */
int rt_expr_compile(const plan_expr *e, const eddy_type *in_types, uint32_t n_in,
                    const rt_expr_env *env, arena *a, rt_expr **out, eddy_err *err);

/* Evaluates over the live rows of `b` (or, when rows != NULL, over the
 * n_rows listed row indices, ascending). Returns 0 (check *errors for
 * row-level errors) or a negative code for a failure of the whole call
 * (out of memory). `*res` and `*errors` stay valid until the next call. */
int rt_expr_eval(rt_expr *x, const rt_batch *b, const uint16_t *rows, uint32_t n_rows,
                 const rt_vec **res, const rt_row_error **errors, uint32_t *n_errors,
                 eddy_err *err);

/* Releases scratch memory (vectors, arena). The program itself is in the
 * compile arena. NULL is a no-op. */
void rt_expr_free(rt_expr *x);

/* Reads row r of a result vector as an eddy_value (strings borrowed). */
void rt_vec_get(const rt_vec *v, uint32_t r, eddy_value *out);

/* Converts one value to `to` as CAST does (also used by implicit casts, decode
 * defaults and sinks). Strings of the result go into `mem`. Returns 0, or
 * EDDY_E_RUNTIME with a message (value out of range, unparsable text). */
int rt_cast_value(const eddy_value *in, eddy_type from, eddy_type to, eddy_value *out,
                  arena *mem, eddy_err *err);

/* Three-way comparison of two non-NULL values of the same type class
 * (numbers of one type, strings, datetimes): <0, 0, >0. */
int rt_value_cmp(const eddy_value *a, const eddy_value *b);

/* SQL LIKE with '%' and '_' and an optional escape character (-1 = none). */
int rt_like_match(const char *s, size_t n, const char *pat, size_t pn, int esc);

#endif
