/*
 * srv_apps.h — applications hosted by `eddy serve`: each one (SQL or a KDA
 * application JSON, compiled by eddy_app_compile) runs on its own thread
 * with rt_app_run until the server stops. One more slot, the "session"
 * application, runs the pumps created over `POST /v1/sql`; it is replaced
 * whenever that catalog changes.
 *
 * Threading: call everything from one thread (the loop thread, or main
 * before the loop runs); the applications run on their own threads.
 */
#ifndef EDDY_SRV_APPS_H
#define EDDY_SRV_APPS_H

#include "eddy_err.h"
#include "sbuf.h"
#include "store.h"

typedef struct srv_apps srv_apps;   /* opaque */

/* Creates an empty set over `st` (borrowed; must outlive the set). With a
 * data_dir (borrowed; NULL for an in-memory store) each application's input
 * positions are saved to data_dir/positions/NAME.pos when it stops (not
 * when it failed), and an application of that name started later resumes
 * its inputs there (KDA's LAST_STOPPED_POINT): a restarted server neither
 * reprocesses nor skips records. Windows open at the stop are emitted then
 * with the rows they had; their later rows make a second row. Stateless
 * applications and tumbling windows over source rows also save them every
 * RT_APP_CHECKPOINT_MS while they run (rt_app_run), so after a crash they
 * rebuild their open window and repeat at most that much other output; any
 * other resumes at its last stop. */
int srv_apps_new(store *st, const char *data_dir, srv_apps **out, eddy_err *err);

/* How often applications started from now on save their positions while
 * they run (0 = RT_APP_CHECKPOINT_MS). */
void srv_apps_set_checkpoint_ms(srv_apps *a, int ms);

/* Reads `file` (SQL, or KDA JSON when it holds a JSON object), compiles it
 * and starts it on its own thread. Errors (unreadable file, compile error
 * rendered with its caret into err->msg, an input stream that does not
 * exist) leave nothing running. */
int srv_apps_start(srv_apps *a, const char *file, eddy_err *err);

/* Replaces the session application by one compiled from `script` (the DDL
 * of the server's SQL session; borrowed). A script without pumps runs
 * nothing. The replacement continues each input the old one read where the
 * old one stopped. */
int srv_apps_set_session(srv_apps *a, const char *script, eddy_err *err);

/* Appends {"apps":[{"name","file","state","records_in","rows_out","errors",
 * "millis_behind_latest"[,"error"]}...]} to out. */
void srv_apps_json(srv_apps *a, sbuf *out);

/* Appends the per-application Prometheus metrics to out. */
void srv_apps_metrics(srv_apps *a, sbuf *out);

/* Stops every application and waits for its thread (rt_app_run returns
 * after closing its windows and flushing). */
void srv_apps_stop(srv_apps *a);

/* Stops (if needed) and frees everything. NULL is a no-op. */
void srv_apps_free(srv_apps *a);

#endif
