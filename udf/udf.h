/*
 * udf.h — the function registry: scalar, aggregate and table functions of the
 * dialect (SQL.md §6), their signatures, and the implementation slots the
 * runtime fills in.
 *
 * How it fits: the planner resolves every function call with udf_lookup()
 * (name + argument types, with implicit-cast resolution) and stores the
 * returned udf_func pointer in its expression tree; the runtime later calls
 * the implementation slots. Signatures are registered from one table per
 * function family (fn_string_sigs.c, fn_math_sigs.c, fn_time_sigs.c,
 * agg_sigs.c, tbl_sigs.c); implementations are attached separately with
 * udf_attach_scalar() / udf_attach_aggregate() / udf_attach_table() so that
 * the runtime's files never edit the signature tables. A function whose
 * implementation is not attached yet still plans (udf_has_impl() says so).
 *
 * This module knows nothing about the parser, the planner or operators.
 */
#ifndef EDDY_UDF_H
#define EDDY_UDF_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "eddy_err.h"
#include "eddy_types.h"

/* ---- argument type patterns ------------------------------------------- */

/* A signature's argument is an eddy_type_id (EDDY_T_ANY matches every type)
 * or one of these classes, numbered after the real type ids. */
typedef enum {
    UDF_A_NUMERIC = EDDY_T__COUNT + 1, /* any numeric type, taken as is */
    UDF_A_INTEGER,                     /* TINYINT..BIGINT, taken as is */
    UDF_A_EXACT,                       /* integers and DECIMAL */
    UDF_A_STRING,                      /* CHAR or VARCHAR, taken as is */
    UDF_A_DATETIME,                    /* DATE, TIME or TIMESTAMP */
    UDF_A_INTERVAL,                    /* either interval kind */
    UDF_A_TIMEUNIT,                    /* a time-unit keyword (FLOOR(x TO unit)),
                                          passed as a VARCHAR literal "HOUR" */
    UDF_A_SYMBOL,                      /* another keyword argument (TRIM's BOTH,
                                          EXTRACT's field), a VARCHAR literal */
    UDF_A_CURSOR,                      /* CURSOR(SELECT STREAM ...) of a table function */
    UDF_A_COMPARABLE                   /* any type with an order (MIN/MAX) */
} udf_arg_class;

typedef int udf_argtype; /* an eddy_type_id or a udf_arg_class */

#define UDF_MAX_ARGS 8

/* How the result type is derived from the (resolved) argument types. */
typedef enum {
    UDF_RET_FIXED,     /* ret_type as given */
    UDF_RET_ARG,       /* same as argument ret_arg (type, precision, scale) */
    UDF_RET_COMMON,    /* the common supertype of every argument (COALESCE) */
    UDF_RET_SUM,       /* integers -> BIGINT, DECIMAL(p,s) -> DECIMAL(18,s),
                          REAL/DOUBLE -> DOUBLE */
    UDF_RET_AVG,       /* same as the argument: integer AVG truncates, as KDA
                          does (SQL.md §2.4) */
    UDF_RET_ROW        /* a row of named columns (log parsers); see ret_cols */
} udf_ret_rule;

/* Flags of a signature. */
enum {
    UDF_F_DETERMINISTIC = 1 << 0,  /* same inputs give the same output */
    UDF_F_STRICT = 1 << 1,         /* any NULL argument gives NULL without a call */
    UDF_F_SPECIAL_SYNTAX = 1 << 2, /* called with keywords (FLOOR(x TO u), TRIM(...)) */
    UDF_F_NO_PARENS = 1 << 3,      /* may be written without parentheses (CURRENT_DATE) */
    UDF_F_MONO_KEEP = 1 << 4,      /* monotonic in its first argument, same direction
                                      (FLOOR, CEIL, STEP, MONOTONIC) */
    UDF_F_MONO_ASC = 1 << 5,       /* ascending by itself (LOCALTIMESTAMP) */
    UDF_F_MONO_DECLARE = 1 << 6,   /* MONOTONIC(x): the user's promise */
    UDF_F_OVER_ONLY = 1 << 7,      /* aggregate only valid with OVER (LAG, NTH_VALUE) */
    UDF_F_NO_DISTINCT = 1 << 8,    /* DISTINCT argument refused on streams (COUNT) */
    UDF_F_ROW_RESULT = 1 << 9,     /* returns a row accessed as alias.col.COLUMNn */
    UDF_F_PER_QUERY = 1 << 10      /* constant for the whole query (CURRENT_TIMESTAMP) */
};

typedef enum { UDF_SCALAR, UDF_AGGREGATE, UDF_TABLE } udf_kind;

/* A column of a table function's output (or a row result). */
typedef struct udf_column {
    const char *name; /* exact, case-sensitive name */
    eddy_type type;
} udf_column;

/* ---- implementation slots (filled by the runtime) ---------------------- */

struct udf_func;

/* The resolved call the runtime evaluates: which function, with which
 * argument types and result type. Built by the planner; read-only here. */
typedef struct udf_call {
    const struct udf_func *fn;
    int n_args;
    const eddy_type *arg_types; /* n_args resolved (post-cast) argument types */
    eddy_type ret_type;
} udf_call;

/* Scalar evaluation over value vectors: args[i] points at n_rows values of
 * argument i; writes n_rows results to out. Variable-length results are
 * allocated in `mem` (the batch arena). Returns 0, or a negative EDDY_E_*
 * with err set for a row-level error (the caller routes the row to
 * error_stream); `*bad_row` then holds the failing row's index. */
typedef int (*udf_scalar_eval_fn)(const udf_call *call, size_t n_rows,
                                  const eddy_value *const *args, eddy_value *out,
                                  arena *mem, size_t *bad_row, eddy_err *err);

/* Aggregate slots. `state` points at state_size bytes owned by the caller.
 * step/retract take one row's argument values. retract is NULL when the
 * aggregate cannot remove a row (MIN/MAX), in which case sliding windows
 * recompute. serialize/deserialize are NULL when the state is plain data. */
typedef struct udf_agg_impl {
    size_t state_size;
    void (*init)(const udf_call *call, void *state);
    int (*step)(const udf_call *call, void *state, const eddy_value *args, eddy_err *err);
    int (*retract)(const udf_call *call, void *state, const eddy_value *args, eddy_err *err);
    void (*combine)(const udf_call *call, void *state, const void *other);
    int (*final)(const udf_call *call, const void *state, eddy_value *out, arena *mem,
                 eddy_err *err);
    void (*destroy)(const udf_call *call, void *state); /* NULL if nothing to free */
    int (*serialize)(const udf_call *call, const void *state, sbuf *out);
    int (*deserialize)(const udf_call *call, void *state, const void *p, size_t n);
} udf_agg_impl;

/* Table functions are operators; the runtime registers an opaque factory. */
typedef struct udf_table_impl {
    void *factory; /* runtime-defined operator constructor */
} udf_table_impl;

/* ---- a registered function signature ----------------------------------- */

/* A table function's constant integer argument and the values it takes:
 * the planner checks a literal against it (with a caret), the operator the
 * value it evaluates, so the two cannot disagree. With below_arg >= 0 the
 * value may also not exceed that argument's. */
typedef struct udf_int_range {
    int arg;               /* index in the call, the CURSOR being 0 */
    const char *what;      /* its name in messages: "windowSize (seconds)" */
    int64_t lo, hi;
    int below_arg;         /* -1, or the argument bounding it from above */
} udf_int_range;

typedef struct udf_func {
    const char *name;      /* upper-case SQL name */
    const char *specific;  /* unique name of this overload ("SUBSTRING_FROM_FOR"),
                              the key used to attach an implementation */
    udf_kind kind;
    int n_args;            /* declared arguments */
    int n_optional;        /* trailing arguments that may be omitted */
    int variadic;          /* 1: the last argument may repeat */
    udf_argtype args[UDF_MAX_ARGS];
    udf_ret_rule ret_rule;
    eddy_type ret_type;    /* UDF_RET_FIXED */
    int ret_arg;           /* UDF_RET_ARG */
    unsigned flags;        /* UDF_F_* */
    const udf_column *out_cols; /* table functions / row results: added columns */
    int n_out_cols;
    int passthrough;       /* table functions: input columns come first */
    const udf_int_range *int_ranges; /* table functions: constant integer arguments */
    int n_int_ranges;
    const char *doc;       /* one-line description for SHOW FUNCTIONS */
    /* Implementation slots; NULL until the runtime attaches them. */
    udf_scalar_eval_fn eval;
    const udf_agg_impl *agg;
    const udf_table_impl *table;
} udf_func;

/* ---- the registry ------------------------------------------------------ */

typedef struct udf_registry udf_registry;

/* The process-wide registry of built-in functions, created on first use
 * (thread-safe). Returns NULL only if memory ran out. Borrowed; never freed
 * by callers (udf_registry_shutdown() frees it at exit, for leak checkers). */
udf_registry *udf_registry_default(void);

/* Frees the default registry. Only for tests and the end of main(). */
void udf_registry_shutdown(void);

/* Creates an empty registry (tests, user-defined functions), or frees one.
 * udf_registry_new returns NULL when out of memory. */
udf_registry *udf_registry_new(void);
void udf_registry_free(udf_registry *r);

/* Adds the n signatures of `tab` (borrowed: must outlive the registry; the
 * registry copies the entries so their implementation slots can be set).
 * Returns 0, EDDY_E_NOMEM, or EDDY_E_INVAL if a specific name repeats. */
int udf_register(udf_registry *r, const udf_func *tab, size_t n, eddy_err *err);

/* Attach implementations by specific name. Return 0 or EDDY_E_NOTFOUND. */
int udf_attach_scalar(udf_registry *r, const char *specific, udf_scalar_eval_fn eval);
int udf_attach_aggregate(udf_registry *r, const char *specific, const udf_agg_impl *impl);
int udf_attach_table(udf_registry *r, const char *specific, const udf_table_impl *impl);

/* Whether any function of that name exists (case-insensitive). */
int udf_exists(const udf_registry *r, const char *name);

/* Resolves a call: finds the overload of `name` (case-insensitive) whose
 * signature accepts `arg_types` with the fewest implicit casts. On success
 * stores the function in *out, the type each argument must be cast to in
 * cast_to[0..n_args-1] (equal to arg_types[i] when no cast is needed) and the
 * result type in *ret. `want_kind` restricts the search (-1 = any kind).
 * Errors (EDDY_E_SEMANTIC, message without position; the caller adds it):
 *   function "FOO" does not exist            + hint "Perhaps you meant ..."
 *   function ABS(VARCHAR) does not exist     + hint listing the candidates
 *   function "LAG" is ambiguous for ...      (cannot happen with the built-ins)
 * This function never allocates. */
int udf_lookup(const udf_registry *r, const char *name, int want_kind, int n_args,
               const eddy_type *arg_types, const udf_func **out, eddy_type *cast_to,
               eddy_type *ret, eddy_err *err);

/* Iterates every signature in registration order: index 0.. until NULL. */
const udf_func *udf_at(const udf_registry *r, size_t i);

/* The range of integer argument `arg` of a table function, or NULL. */
const udf_int_range *udf_int_range_of(const udf_func *fn, int arg);

/* The signature with this `specific` name (case-insensitive), or NULL. */
const udf_func *udf_find_specific(const udf_registry *r, const char *specific);

/* The implementation state of a signature: 1 if its slot is filled. */
int udf_has_impl(const udf_func *f);

/* ---- types and casts (shared with the planner) -------------------------- */

/* Cost of an implicit cast from -> to: 0 when identical in kind, a small
 * positive number for an allowed widening (TINYINT->...->DOUBLE, CHAR<->
 * VARCHAR, BINARY<->VARBINARY, DATE->TIMESTAMP, NULL->anything), -1 when the
 * dialect has no implicit cast (TIMESTAMP->BIGINT). This function can't fail. */
int udf_implicit_cast_cost(eddy_type_id from, eddy_type_id to);

/* Whether CAST(from AS to) is allowed (SQL.md §2.7). */
int udf_explicit_cast_ok(eddy_type_id from, eddy_type_id to);

/* The common supertype of two types for comparison, CASE, COALESCE, UNION:
 * numeric widening with DECIMAL precision/scale merged; CHAR/VARCHAR ->
 * VARCHAR of the larger length. Returns 0, or -1 when there is none. */
int udf_common_type(eddy_type a, eddy_type b, eddy_type *out);

/* Whether an argument pattern accepts a type exactly (cost 0). */
int udf_arg_matches(udf_argtype pat, eddy_type_id t);

/* Human form of an argument pattern ("NUMERIC", "VARCHAR"). Never NULL. */
const char *udf_argtype_name(udf_argtype pat);

/* Levenshtein distance of two ASCII strings, case-insensitive, capped at
 * 32 (longer strings compare as 32). Used for "did you mean" hints. */
int udf_edit_distance(const char *a, const char *b);

#endif
