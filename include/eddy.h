/*
 * eddy.h — the engine's public facade: compile an application (SQL text or
 * a Kinesis Data Analytics application JSON) against a fresh catalog, ready
 * for the runtime; render errors with their caret.
 *
 * Used by cli/ (eddy run, eddy explain) and, later, by the server and the
 * REPL. Implemented in engine/.
 */
#ifndef EDDY_H
#define EDDY_H

#include <stddef.h>

#include "arena.h"
#include "catalog.h"
#include "eddy_err.h"
#include "plan.h"

#define EDDY_VERSION "0.1.0"

/* A compiled application. Owned by the caller; free with eddy_app_free. */
typedef struct eddy_app_spec {
    catalog *cat;            /* streams (with their bindings), pumps, functions */
    plan_node **pumps;       /* PLAN_PUMP roots, in statement order */
    size_t n_pumps;
    char *code;              /* the SQL text the spans of errors refer to */
    size_t code_len;
    char *name;              /* application name (KDA ApplicationName, or the file stem) */
    arena mem;               /* owns the plans */
} eddy_app_spec;

/* Compiles `len` bytes of application source: SQL statements, or (when the
 * text is a JSON object) a KDA CreateApplication document whose
 * ApplicationCode is compiled with its Inputs bound as `<NamePrefix>_001`
 * streams and its Outputs bound to their destination streams. `name` is a
 * default application name (borrowed). On error `*out` is still set when the
 * code was found, so the caller can render err against (*out)->code; free it
 * either way. */
int eddy_app_compile(const char *text, size_t len, const char *name, eddy_app_spec **out,
                     eddy_err *err);

void eddy_app_free(eddy_app_spec *app);

/* Renders err against the application's code (or without source when app is
 * NULL) into a malloc'd string the caller frees. */
char *eddy_err_string(const eddy_err *err, const eddy_app_spec *app);

/* ------------------------------------------------------------------ sessions
 *
 * A session is what the REPL and SQL-over-HTTP talk to: a catalog built up
 * statement by statement over a store, whose statements can be replayed
 * (eddy_session_script) so that a server can persist them. Statements:
 *   DDL (CREATE/DROP STREAM, PUMP, FUNCTION)   -> a message
 *   SHOW STREAMS / SHOW PUMPS / DESCRIBE name  -> a table
 *   EXPLAIN stmt                               -> a table of plan lines
 *   SELECT STREAM ...                          -> a push query: rows as they come,
 *                                                  until LIMIT, *stop, or the callback says so
 */

#include <signal.h>
#include <stdint.h>

#include "store.h"

typedef struct eddy_session eddy_session;

typedef struct eddy_column_info {
    const char *name;
    eddy_type type;
} eddy_column_info;

/* Callbacks of eddy_session_exec; any may be NULL. Values are SQL text
 * (NULL pointer for SQL NULL). A non-zero return from on_row stops a push
 * query. */
typedef struct eddy_exec_cb {
    void (*on_message)(void *ctx, const char *msg);
    void (*on_header)(void *ctx, const eddy_column_info *cols, uint32_t n, int push);
    int (*on_row)(void *ctx, int64_t rowtime, const char *const *vals, uint32_t n);
    void (*on_notice)(void *ctx, const char *msg);   /* e.g. "reading from LATEST" */
    void *ctx;
} eddy_exec_cb;

typedef struct eddy_session_opts {
    store *store;            /* borrowed */
    int from_beginning;      /* push queries read inputs from TRIM_HORIZON (else LATEST) */
    int64_t idle_timeout_ms; /* reader idle timeout for push queries; 0 = default */
} eddy_session_opts;

int eddy_session_open(const eddy_session_opts *o, eddy_session **out, eddy_err *err);
void eddy_session_close(eddy_session *s);

/* Changes where push queries start: 1 = TRIM_HORIZON, 0 = LATEST. */
void eddy_session_set_from_beginning(eddy_session *s, int on);

/* Executes every statement of `sql`. Stops at the first error, which is
 * rendered against `sql` by eddy_err_render (the spans refer to it). */
int eddy_session_exec(eddy_session *s, const char *sql, size_t len, const eddy_exec_cb *cb,
                      volatile sig_atomic_t *stop, eddy_err *err);

/* The catalog as it stands (borrowed). */
const catalog *eddy_session_catalog(const eddy_session *s);

/* The DDL statements accepted so far, in order, as one script (borrowed;
 * valid until the next exec). Replaying it in a new session rebuilds the
 * catalog. */
const char *eddy_session_script(const eddy_session *s);

#endif
