/*
 * catalog.h — what an application has declared: in-application streams
 * (with their columns and, optionally, the stored stream they read from or
 * write to), pumps, reference tables, and SQL functions (CREATE FUNCTION).
 *
 * Names follow the dialect (SQL.md §2.3): the parser already folds unquoted
 * names to upper case, so the catalog compares names exactly; a lookup that
 * only matches ignoring case produces a hint about quoting.
 *
 * The planner reads and updates the catalog while it plans a script; the
 * engine keeps one per running application. Each entry owns its memory (an
 * arena per entry), so dropping an entry frees it. Not thread-safe: the
 * caller serialises access.
 */
#ifndef EDDY_CATALOG_H
#define EDDY_CATALOG_H

#include <stdint.h>

#include "arena.h"
#include "eddy_err.h"
#include "plan.h"

typedef enum {
    CAT_STREAM,      /* an in-application stream */
    CAT_ERROR,       /* the built-in error_stream */
    CAT_TABLE        /* a reference table (finite, loaded at start) */
} cat_stream_kind;

/* Binding of an in-application stream to a stored stream it reads
 * (WITH (source = ...)). */
typedef struct cat_source {
    const char *stream;        /* stored stream name, NULL when unbound */
    plan_format format;
    plan_reader reader;
    plan_start start;
    int64_t start_ms;          /* PLAN_START_AT_TIMESTAMP */
    const char *consumer;      /* fan-out consumer name, or NULL */
    const char *row_path;      /* JSON record root, "$" by default */
    const char **paths;        /* JSON path per column (n_cols), "$.<name>" by default */
    char col_delim[8];         /* CSV, "," by default */
    char row_delim[8];         /* CSV, "\n" by default */
    uint32_t part, parts;      /* read only part `part` (0-based) of `parts` of the shards
                                  (shard_part, KDA InputParallelism); parts 0 = every shard */
} cat_source;

/* Binding of an in-application stream to a stored stream it feeds
 * (WITH (sink = ...)). */
typedef struct cat_sink {
    const char *stream;        /* stored stream name, NULL when none */
    plan_format format;
    char col_delim[8];
} cat_sink;

typedef struct cat_stream {
    cat_stream_kind kind;
    const char *name;          /* exact name */
    plan_col *cols;
    uint32_t n_cols;
    const char *description;   /* DESCRIPTION text or NULL */
    cat_source source;
    cat_sink sink;
    uint32_t off, len;         /* where it was declared in the script */
    arena mem;                 /* private: owns this entry */
} cat_stream;

typedef struct cat_pump {
    const char *name;
    const char *target;        /* in-application stream written */
    const char **reads;        /* in-application streams read */
    uint32_t n_reads;
    const char *sql;           /* the CREATE PUMP text */
    uint32_t off, len;
    arena mem;                 /* private */
} cat_pump;

typedef struct cat_param {
    const char *name;
    eddy_type type;
} cat_param;

/* A SQL function; its body is kept as the text of the whole CREATE FUNCTION
 * statement and re-parsed when a call is planned. */
typedef struct cat_function {
    const char *name;
    cat_param *params;
    uint32_t n_params;
    eddy_type ret;
    uint8_t deterministic;
    uint8_t null_on_null;      /* RETURNS NULL ON NULL INPUT */
    const char *sql;           /* CREATE FUNCTION text */
    uint32_t body_off;         /* offset of the RETURN expression inside sql */
    arena mem;                 /* private */
} cat_function;

typedef struct catalog catalog;

/* Creates a catalog holding only error_stream. Returns NULL when out of memory. */
catalog *catalog_new(void);

/* Frees the catalog and every entry. `c` may be NULL. */
void catalog_free(catalog *c);

/* Adds a stream or reference table. `s` is a template: its strings and
 * arrays are borrowed and copied into the new entry. With or_replace an
 * existing stream of the same name is replaced, unless a pump writes to it
 * ("stream was redefined" in KDA). Errors (EDDY_E_SEMANTIC, no position):
 * stream "X" already exists; "error_stream" is reserved; stream "X" was
 * redefined while pump "P" writes to it. */
int catalog_add_stream(catalog *c, const cat_stream *s, int or_replace, eddy_err *err);

/* Finds a stream or table by exact name; NULL if absent. Borrowed. */
const cat_stream *catalog_stream(const catalog *c, const char *name);

/* Sets a "does not exist" error for `name` with a hint: a case-insensitive
 * match (quoting advice) or the nearest name. Returns EDDY_E_SEMANTIC.
 * `what` is "stream", "pump" or "function". */
int catalog_not_found(const catalog *c, const char *what, const char *name, eddy_err *err);

/* Removes a stream; fails when a pump reads or writes it, or for
 * error_stream. if_exists makes a missing stream a success. */
int catalog_drop_stream(catalog *c, const char *name, int if_exists, eddy_err *err);

/* Binds an existing in-application stream to a stored stream it feeds
 * (KDA Outputs). Errors: stream does not exist; it is a table. */
int catalog_set_sink(catalog *c, const char *name, const cat_sink *sink, eddy_err *err);

/* Adds a pump (all fields copied). Errors: pump "P" already exists (unless
 * or_replace). */
int catalog_add_pump(catalog *c, const cat_pump *p, int or_replace, eddy_err *err);
const cat_pump *catalog_pump(const catalog *c, const char *name);
int catalog_drop_pump(catalog *c, const char *name, int if_exists, eddy_err *err);

/* Adds a SQL function (copied). Overloading by parameter types is allowed;
 * the same name with the same parameter types is an error unless
 * or_replace. */
int catalog_add_function(catalog *c, const cat_function *f, int or_replace, eddy_err *err);
int catalog_drop_function(catalog *c, const char *name, int if_exists, eddy_err *err);
/* Finds the overload of `name` whose parameter types equal `types` exactly
 * (the dialect has no implicit casts for UDF arguments); NULL if none. */
const cat_function *catalog_function(const catalog *c, const char *name, uint32_t n,
                                     const eddy_type *types);
/* 1 when any function of that name exists. */
int catalog_has_function(const catalog *c, const char *name);

/* Iteration in creation order; NULL past the end. */
const cat_stream *catalog_stream_at(const catalog *c, size_t i);
const cat_pump *catalog_pump_at(const catalog *c, size_t i);
const cat_function *catalog_function_at(const catalog *c, size_t i);

#endif
