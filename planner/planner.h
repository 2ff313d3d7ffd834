/*
 * planner.h — the public interface of the planner (planner/): turns parsed
 * statements into checked physical plans (plan.h) against a catalog
 * (catalog.h), and prints plans (EXPLAIN).
 *
 * The engine calls planner_plan_stmt() for each statement of an application
 * or REPL line; DDL statements update the catalog, queries and pumps return
 * a plan tree. Errors are EDDY_E_SEMANTIC (or EDDY_E_UNSUPPORTED) with the
 * span of the offending text, ready for eddy_err_render().
 */
#ifndef EDDY_PLANNER_H
#define EDDY_PLANNER_H

#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "catalog.h"
#include "eddy_err.h"
#include "plan.h"
#include "sbuf.h"
#include "udf.h"

typedef enum {
    PLAN_R_DDL,       /* catalog changed (message says what); root may hold the
                         ingest (source -> decode -> stream) or sink pipeline */
    PLAN_R_QUERY,     /* root is an interactive query; the caller prints it */
    PLAN_R_PUMP,      /* root is a PLAN_PUMP node */
    PLAN_R_SHOW,      /* SHOW ...: nothing planned; the engine lists the catalog */
    PLAN_R_DESCRIBE,  /* DESCRIBE name: `stream` is set */
    PLAN_R_EXPLAIN    /* EXPLAIN stmt: root/inner result of the statement */
} plan_result_kind;

typedef struct plan_result {
    plan_result_kind kind;
    plan_node *root;              /* in the arena given to the planner, or NULL */
    const char *message;          /* "CREATE STREAM", "CREATE PUMP", ... */
    const cat_stream *stream;     /* DESCRIBE: borrowed from the catalog */
    int explain_inner;            /* EXPLAIN: kind of the explained statement */
} plan_result;

/* Plans one statement. `text`/`text_len` is the source the statement was
 * parsed from (stored with pumps and functions; borrowed). Plan nodes go to
 * `a` (owned by the caller, outlives the plan). `reg` may be NULL for the
 * default registry. DDL statements change `cat`; nothing else does. On
 * error returns a negative EDDY_E_* with err set (with a span into `text`
 * when the error is about specific text); the catalog is left unchanged. */
int planner_plan_stmt(catalog *cat, const udf_registry *reg, const ast_stmt *st,
                      const char *text, size_t text_len, arena *a, plan_result *out,
                      eddy_err *err);

/* Appends the plan tree rooted at `n` as an indented tree, one node per
 * line with its details, each followed by its output schema and time
 * properties. This function can't fail except through out->failed. */
void plan_explain(const plan_node *n, sbuf *out);

/* Appends the EXPLAIN text of one planned statement: a header line
 * ("CREATE STREAM "X"", "PUMP ...", "QUERY") and the plan tree if any. */
void plan_explain_result(const ast_stmt *st, const plan_result *r, sbuf *out);

/* Parses `text` (a whole application script), plans every statement against
 * `cat` (which the script's DDL updates; pass a fresh catalog_new() to plan a
 * file on its own), and appends each statement's EXPLAIN text, separated by
 * blank lines. Stops at the first error: returns it (err has the span into
 * `text`) with what was explained so far left in `out`. */
int planner_explain_script(catalog *cat, const char *text, size_t text_len, sbuf *out,
                           eddy_err *err);

/* Explains a KDA application description (the JSON CreateApplication
 * takes, optionally wrapped in {"ApplicationDetail": ...}): each input of
 * `Inputs` becomes an in-application stream <NamePrefix>_001 with the
 * columns of InputSchema.RecordColumns, bound to the stored stream named by
 * the last part of its ResourceARN with the RecordFormat's mapping; then the
 * ApplicationCode is planned and explained like planner_explain_script();
 * then each of `Outputs` binds its in-application stream (which the code
 * must create) to its destination stream as a sink. *code receives a
 * malloc'ed copy of the ApplicationCode (caller frees; NULL if the JSON had
 * none) so that an error with a span can be rendered against it. Errors in
 * the JSON are EDDY_E_INVAL naming the field, without a span. */
int planner_explain_kda(catalog *cat, const char *json, size_t len, sbuf *out, char **code,
                        eddy_err *err);

#endif
