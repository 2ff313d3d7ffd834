/*
 * app.h — a running application: the in-application streams of a catalog,
 * the readers and decoders feeding its input streams, the pumps' operator
 * chains between streams, and the sinks that write output streams to the
 * store or print them.
 *
 * One application runs on one thread (rt_app_run): records are read from
 * every input's shards in ROWTIME order, decoded into batches, pushed through
 * the pumps, and written out; watermarks from the readers close windows.
 * Bad records and rows that fail at run time go to error_stream.
 *
 * Used by the engine (engine/) for `eddy run`, the REPL and the server.
 */
#ifndef RT_APP_H
#define RT_APP_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "batch.h"
#include "catalog.h"
#include "eddy_err.h"
#include "plan.h"
#include "reader.h"
#include "store.h"

typedef enum { RT_PRINT_JSONL = 0, RT_PRINT_CSV, RT_PRINT_TABLE } rt_print_format;

/* Where an application's inputs stopped reading: per input, the
 * in-application stream, the stored stream it reads and its shards'
 * positions (reader.h). A replaced or restarted application given these
 * resumes each matching input after them instead of at its start. */
typedef struct rt_app_resume_input {
    char *stream;                 /* in-application stream */
    char *source;                 /* stored stream it reads */
    rt_shard_pos *pos;
    size_t n_pos;
} rt_app_resume_input;

/* What a window operator needs after a restart from a checkpoint: records
 * up to each shard's replay mark are read again (rt_shard_pos.replay_seq)
 * to rebuild windows; a tumbling window takes those with ROWTIME >= from
 * (INT64_MAX: none), a stagger window those its lines name (its open
 * windows: key hash and open time). `id` names the operator the same way
 * in every run of the application: its pump (hex), kind and ordinal among
 * the pump's operators of that kind. */
typedef struct rt_app_window {
    char *id;
    int64_t from;
    char **lines;
    size_t n_lines;
} rt_app_window;

typedef struct rt_app_resume {
    rt_app_resume_input *inputs;
    size_t n;
    rt_app_window *windows;
    size_t n_windows;
} rt_app_resume;

typedef struct rt_app_opts {
    store *store;                 /* borrowed: where inputs are read and outputs written */
    const char *name;             /* application name (fan-out consumer names) */
    int drain;                    /* stop once every input shard is read to its end */
    int start_override;           /* -1: each input's own start; else a plan_start */
    const char *const *print;     /* in-application streams to print; NULL = default:
                                     streams no pump reads and no sink writes */
    size_t n_print;
    rt_print_format format;
    FILE *out;                    /* where printed rows go (stdout when NULL) */
    FILE *err_out;                /* where error_stream rows go when not printed (stderr when NULL) */
    int64_t idle_timeout_ms;      /* reader idle timeout; 0 = default */
    int poll_interval_ms;         /* classic reader poll interval; 0 = default 200 */
    int progress;                 /* print a progress line on stderr while catching up */
    int no_sinks;                 /* do not write output streams (push queries: the
                                     hosted application writes them, once) */
    const rt_app_resume *resume;  /* borrowed, may be NULL: inputs found here (same
                                     in-application stream, same stored stream)
                                     continue after these positions */
    const char *checkpoint_path;  /* borrowed, may be NULL: where a stateless application
                                     saves its inputs' positions while it runs (see
                                     rt_app_run), in rt_app_resume_write's format */
    int checkpoint_interval_ms;   /* how often; 0 = RT_APP_CHECKPOINT_MS */
    void (*on_checkpoint)(void *ctx);  /* may be NULL: called on the application's
                                     thread once a checkpoint is written, its rows
                                     synced (tests, monitoring) */
    void *checkpoint_ctx;
} rt_app_opts;

#define RT_APP_CHECKPOINT_MS 5000

void rt_app_opts_init(rt_app_opts *o);

typedef struct rt_app rt_app;

/* Builds an application from the catalog (borrowed; must outlive the app)
 * and the planned pumps (PLAN_PUMP roots, borrowed likewise). Opens readers
 * for every bound input stream. Errors: an operator the runtime does not
 * support (with the plan node's source span), an unknown stored stream. */
int rt_app_new(const rt_app_opts *opts, const catalog *cat, plan_node *const *pumps,
               size_t n_pumps, rt_app **out, eddy_err *err);

/* Rows of a query (SELECT STREAM ...) as they come out: a borrowed batch of
 * the query's output schema (ROWTIME in b->rowtime). Return non-zero to stop
 * the application (a LIMIT was reached, the client went away). */
typedef int (*rt_query_rows_fn)(void *ctx, const rt_batch *b);

/* Adds a query pipeline to an application before it runs: `root` (borrowed;
 * a PLAN_R_QUERY root) reads in-application streams of the catalog; its
 * output rows go to `fn`. The schema of the rows is root->out. */
int rt_app_add_query(rt_app *app, const plan_node *root, rt_query_rows_fn fn, void *ctx,
                     eddy_err *err);

/* Runs until *stop becomes non-zero or, with drain, until every input is read
 * to its end; then closes every open window, flushes outputs and returns 0.
 * With opts.checkpoint_path, an application of filters, projections,
 * reference joins, tumbling, sliding and stagger windows and DISTINCT over
 * source rows (no stream join, ORDER BY, table function, or stream several
 * pumps write) saves its inputs' positions
 * there every checkpoint_interval_ms, after writing (and syncing) the rows
 * of every record read so far. Positions point back to the first records
 * a window still needs and mark the last record read: restarted from them,
 * the application reads those records again to rebuild its windows without
 * writing anything they produce again, so a crash repeats at most the rows
 * written after the last checkpoint. Others keep whatever positions the
 * caller saved. */
int rt_app_run(rt_app *app, volatile sig_atomic_t *stop, eddy_err *err);

typedef struct rt_app_stats {
    uint64_t records_in;          /* records read from input streams */
    uint64_t rows_out;            /* rows written to output streams or printed */
    uint64_t errors;              /* rows sent to error_stream */
    int64_t millis_behind_latest; /* the largest over inputs */
    uint64_t late_rows;           /* rows dropped as late (LATE_ROW in error_stream) */
    uint64_t state_bytes;         /* memory held by open windows (tumbling, sliding, stagger) */
} rt_app_stats;

void rt_app_get_stats(const rt_app *app, rt_app_stats *out);

/* One input stream of an application and how far its reader is behind the
 * tip of its shards (MillisBehindLatest of the last read). */
typedef struct rt_app_input {
    const char *stream;           /* in-application stream name; borrowed from the catalog */
    int64_t millis_behind_latest;
} rt_app_input;

/* Fills up to cap inputs; returns how many. A snapshot, read while the
 * application runs on its own thread. */
size_t rt_app_inputs(const rt_app *app, rt_app_input *out, size_t cap);

/* Positions of every input, for rt_app_opts.resume: call once rt_app_run
 * has returned (every record the readers delivered has then been
 * processed). *out is the caller's (rt_app_resume_free). */
int rt_app_resume_save(const rt_app *app, rt_app_resume *out, eddy_err *err);

/* Frees what rt_app_resume_save or rt_app_resume_read filled; the struct
 * itself is the caller's. */
void rt_app_resume_free(rt_app_resume *r);

/* Writes positions to a file (through a temporary file and rename, so a
 * crash leaves the old or the new one), and reads them back; a missing file
 * reads as no positions. Return 0 or an error (EDDY_E_IO, EDDY_E_INVAL for
 * a file that is not one of these). */
int rt_app_resume_write(const rt_app_resume *r, const char *path, eddy_err *err);

/* Appends a window (id copied) and returns it, or NULL when out of memory;
 * then appends a line (text[0..len), copied) to it: 0 or EDDY_E_NOMEM. */
rt_app_window *rt_app_resume_add_window(rt_app_resume *r, const char *id, int64_t from);
int rt_app_window_add_line(rt_app_window *w, const char *text, size_t len);
int rt_app_resume_read(const char *path, rt_app_resume *out, eddy_err *err);

/* Frees the application (readers, operators, sinks). NULL is a no-op. */
void rt_app_free(rt_app *app);

#endif
