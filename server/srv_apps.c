/*
 * srv_apps.c — hosted applications (see srv_apps.h). Each application owns
 * its compiled spec, its rt_app and a thread; its stop flag is the only
 * state another thread writes. Printed rows and error_stream rows go to
 * /dev/null: a server's stdout and stderr are often a pipe nobody drains,
 * and the counts are in /v1/apps and /metrics.
 */
#include "srv_apps.h"

#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "eddy.h"
#include "eddy_log.h"
#include "srv_metrics.h"

typedef enum { APP_RUNNING, APP_STOPPED, APP_FAILED } app_state;

typedef struct hosted {
    char *name, *file;
    char *pos_path;         /* where its input positions are saved, or NULL */
    eddy_app_spec *spec;
    rt_app *app;
    FILE *devnull;
    pthread_t thread;
    volatile sig_atomic_t stop;
    pthread_mutex_t mu;     /* guards state and error */
    app_state state;
    char error[EDDY_ERR_MSG_MAX];
    rt_app_stats last;      /* stats kept after the app is freed */
    int joined;
} hosted;

struct srv_apps {
    store *st;
    char *pos_dir;          /* data_dir/positions, or NULL */
    hosted **items;
    size_t n, cap;
    hosted *session;        /* also in items while running */
    char *session_sig;      /* what the running session app computes (see shape_sig) */
    int checkpoint_ms;      /* 0 = RT_APP_CHECKPOINT_MS */
};

int srv_apps_new(store *st, const char *data_dir, srv_apps **out, eddy_err *err) {
    srv_apps *a = calloc(1, sizeof *a);
    if (!a) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    a->st = st;
    if (data_dir) {
        sbuf b;
        sbuf_init(&b);
        sbuf_printf(&b, "%s/positions", data_dir);
        if (!(a->pos_dir = sbuf_detach(&b, NULL))) {
            free(a);
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        }
    }
    *out = a;
    return 0;
}

void srv_apps_set_checkpoint_ms(srv_apps *a, int ms) { a->checkpoint_ms = ms; }

/* data_dir/positions/NAME.pos. A name with bytes unsafe in a file name
 * has them replaced and a hash of the whole name appended (NAME_.HASH.pos),
 * so that "a.b" and "a_b" do not share a file. */
static char *pos_path_of(const srv_apps *a, const char *name) {
    if (!a->pos_dir) return NULL;
    sbuf b;
    sbuf_init(&b);
    sbuf_printf(&b, "%s/", a->pos_dir);
    int changed = 0;
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (const char *p = name; *p; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        changed |= !ok;
        sbuf_putc(&b, ok ? c : '_');
        h = (h ^ (unsigned char)c) * 16777619u;
    }
    if (changed) sbuf_printf(&b, ".%08x", h);   /* '.' never survives in a safe name */
    sbuf_puts(&b, ".pos");
    return sbuf_detach(&b, NULL);
}

/* Saves a stopped application's input positions to its file. Not after a
 * failure: records its readers delivered may not have been processed. */
static int save_positions(const srv_apps *a, hosted *h, rt_app_resume *keep) {
    if (!h->app || !h->joined) return 0;
    pthread_mutex_lock(&h->mu);
    app_state state = h->state;
    pthread_mutex_unlock(&h->mu);
    if (state == APP_FAILED) return 0;
    rt_app_resume r;
    eddy_err err;
    eddy_err_clear(&err);
    if (rt_app_resume_save(h->app, &r, &err) != 0) {
        eddy_log(EDDY_LOG_WARN, "application %s: cannot save its positions: %s", h->name, err.msg);
        return 0;
    }
    if (h->pos_path) {
        mkdir(a->pos_dir, 0755);
        if (rt_app_resume_write(&r, h->pos_path, &err) != 0)
            eddy_log(EDDY_LOG_WARN, "application %s: %s", h->name, err.msg);
    }
    if (keep) *keep = r;
    else rt_app_resume_free(&r);
    return 1;
}

static void *app_main(void *arg) {
    hosted *h = arg;
    eddy_err err;
    eddy_err_clear(&err);
    int rc = rt_app_run(h->app, &h->stop, &err);
    pthread_mutex_lock(&h->mu);
    h->state = rc == 0 ? APP_STOPPED : APP_FAILED;
    if (rc != 0) snprintf(h->error, sizeof h->error, "%s", err.msg);
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Stops an application's thread and waits for it; returns 1 when this
 * call did the joining. */
static int hosted_join(hosted *h) {
    if (!h->app || h->joined) return 0;
    h->stop = 1;
    pthread_join(h->thread, NULL);
    h->joined = 1;
    return 1;
}

static void hosted_free(hosted *h) {
    if (!h) return;
    hosted_join(h);
    if (h->app) rt_app_get_stats(h->app, &h->last);
    rt_app_free(h->app);
    eddy_app_free(h->spec);
    if (h->devnull) fclose(h->devnull);
    pthread_mutex_destroy(&h->mu);
    free(h->name);
    free(h->file);
    free(h->pos_path);
    free(h);
}

/* Compiles `text` and starts it; on success *out is running. Its inputs
 * resume at `resume` when given, else at the positions saved under its
 * name, else at their start. */
static int name_taken(const srv_apps *a, const char *name) {
    for (size_t i = 0; i < a->n; i++)
        if (a->items[i]->name && !strcmp(a->items[i]->name, name)) return 1;
    return !strcmp(name, "sql");   /* the SQL session's application */
}

/* A name no hosted application has: `name`, else name-2, name-3, ... Two
 * files with one stem (web/app.sql, ticker/app.sql) would otherwise share
 * /metrics series and, worse, a positions file, so one would resume at the
 * other's positions. The suffixes follow the order of --app, so a restart
 * with the same command line gives each file its name back. */
static char *unique_name(const srv_apps *a, const char *name) {
    if (!name_taken(a, name)) return strdup(name);
    for (int k = 2;; k++) {
        char *c = NULL;
        if (asprintf(&c, "%s-%d", name, k) < 0) return NULL;
        if (!name_taken(a, c)) return c;
        free(c);
    }
}

static int hosted_start(const srv_apps *a, const char *text, size_t len, const char *name, const char *file,
                        const rt_app_resume *resume, int uniquify, hosted **out, eddy_err *err) {
    store *st = a->st;
    hosted *h = calloc(1, sizeof *h);
    if (!h) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    pthread_mutex_init(&h->mu, NULL);
    h->name = strdup(name);
    h->file = strdup(file ? file : "");
    h->joined = 1;
    if (!h->name || !h->file) {
        hosted_free(h);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    int rc = eddy_app_compile(text, len, name, &h->spec, err);
    if (rc != 0) {
        /* Render the caret now: the caller only sees err. */
        char *s = eddy_err_string(err, h->spec);
        if (s) {
            int code = err->code;
            eddy_err_set(err, code, "%s: %s", file ? file : name, s);
            free(s);
        }
        hosted_free(h);
        return rc;
    }
    free(h->name);   /* a KDA document names itself */
    const char *own = h->spec->name ? h->spec->name : name;
    h->name = uniquify ? unique_name(a, own) : strdup(own);
    if (h->name && strcmp(h->name, own) != 0)
        eddy_log(EDDY_LOG_WARN, "%s: another application is named %s; this one is %s", file ? file : own, own,
                 h->name);
    h->devnull = fopen("/dev/null", "w");
    h->pos_path = h->name ? pos_path_of(a, h->name) : NULL;
    if (!h->name || !h->devnull || (a->pos_dir && !h->pos_path)) {
        hosted_free(h);
        return eddy_err_set(err, EDDY_E_IO, "cannot open /dev/null");
    }
    rt_app_opts ao;
    rt_app_opts_init(&ao);
    ao.store = st;
    ao.name = h->name;
    ao.out = h->devnull;
    ao.err_out = h->devnull;
    if (h->pos_path) {
        /* Applications that can also save their positions as they run. */
        mkdir(a->pos_dir, 0755);
        ao.checkpoint_path = h->pos_path;
        ao.checkpoint_interval_ms = a->checkpoint_ms;
    }
    rt_app_resume saved = {0};
    if (!resume && h->pos_path) {
        eddy_err rerr;
        eddy_err_clear(&rerr);
        if (rt_app_resume_read(h->pos_path, &saved, &rerr) != 0)
            eddy_log(EDDY_LOG_WARN, "application %s: %s; its inputs start afresh", h->name, rerr.msg);
        resume = &saved;
    }
    ao.resume = resume;
    rc = rt_app_new(&ao, h->spec->cat, h->spec->pumps, h->spec->n_pumps, &h->app, err);
    rt_app_resume_free(&saved);
    if (rc != 0) {
        hosted_free(h);
        return rc;
    }
    h->state = APP_RUNNING;
    if (pthread_create(&h->thread, NULL, app_main, h) != 0) {
        hosted_free(h);
        return eddy_err_set(err, EDDY_E_INTERNAL, "cannot start a thread: %s", strerror(errno));
    }
    h->joined = 0;
    *out = h;
    return 0;
}

static int add(srv_apps *a, hosted *h, eddy_err *err) {
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        hosted **p = realloc(a->items, cap * sizeof *p);
        if (!p) {
            hosted_free(h);
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        }
        a->items = p;
        a->cap = cap;
    }
    a->items[a->n++] = h;
    return 0;
}

static char *read_file(const char *path, size_t *len, eddy_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        eddy_err_set(err, EDDY_E_IO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    sbuf b;
    sbuf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sbuf_append(&b, chunk, n);
    int bad = ferror(f) || b.failed;
    fclose(f);
    if (bad) {
        sbuf_free(&b);
        eddy_err_set(err, EDDY_E_IO, "cannot read %s", path);
        return NULL;
    }
    return sbuf_detach(&b, len);
}

int srv_apps_start(srv_apps *a, const char *file, eddy_err *err) {
    size_t len;
    char *text = read_file(file, &len, err);
    if (!text) return err->code ? err->code : EDDY_E_IO;
    /* The default name is the file stem, as `eddy run` names applications. */
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    char stem[256];
    snprintf(stem, sizeof stem, "%s", base);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem) *dot = '\0';
    hosted *h = NULL;
    int rc = hosted_start(a, text, len, stem, file, NULL, 1, &h, err);
    free(text);
    if (rc != 0) return rc;
    return add(a, h, err);
}

static void remove_item(srv_apps *a, hosted *h) {
    for (size_t i = 0; i < a->n; i++) {
        if (a->items[i] == h) {
            memmove(&a->items[i], &a->items[i + 1], (a->n - i - 1) * sizeof *a->items);
            a->n--;
            return;
        }
    }
}

/* What an application computes, as text: its pumps' statements and every
 * stream's source and sink binding. Statements that change none of these
 * (a new unbound stream, a function, a dropped unused stream) leave the
 * running application alone, so it neither re-reads its inputs nor loses
 * its open windows. Returns a malloc'd string or NULL. */
static char *shape_sig(const eddy_app_spec *spec) {
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0;; i++) {
        const cat_pump *p = catalog_pump_at(spec->cat, i);
        if (!p) break;
        sbuf_printf(&b, "pump %s\n%s\n", p->name, p->sql ? p->sql : "");
    }
    for (size_t i = 0;; i++) {
        const cat_stream *cs = catalog_stream_at(spec->cat, i);
        if (!cs) break;
        if (!cs->source.stream && !cs->sink.stream) continue;
        sbuf_printf(&b, "stream %s source=%s/%d/%d/%d/%lld sink=%s/%d cols=%u\n", cs->name,
                    cs->source.stream ? cs->source.stream : "", (int)cs->source.format, (int)cs->source.reader,
                    (int)cs->source.start, (long long)cs->source.start_ms, cs->sink.stream ? cs->sink.stream : "",
                    (int)cs->sink.format, cs->n_cols);
        for (uint32_t c = 0; c < cs->n_cols; c++) {
            char t[48];
            eddy_type_format(cs->cols[c].type, t, sizeof t);
            sbuf_printf(&b, " %s %s %s\n", cs->cols[c].name, t, cs->source.paths ? cs->source.paths[c] : "");
        }
    }
    if (b.failed) {
        sbuf_free(&b);
        return NULL;
    }
    return sbuf_detach(&b, NULL);
}

int srv_apps_set_session(srv_apps *a, const char *script, eddy_err *err) {
    /* Compile once to see whether there is anything to run, and whether it
     * differs from what runs now. */
    eddy_app_spec *probe = NULL;
    int rc = script && *script ? eddy_app_compile(script, strlen(script), "sql", &probe, err) : 0;
    size_t n_pumps = probe ? probe->n_pumps : 0;
    char *sig = probe && rc == 0 ? shape_sig(probe) : NULL;
    eddy_app_free(probe);
    if (rc != 0) {
        free(sig);
        return rc;
    }
    if (sig && a->session && a->session_sig && !strcmp(sig, a->session_sig)) {
        app_state st;
        pthread_mutex_lock(&a->session->mu);
        st = a->session->state;
        pthread_mutex_unlock(&a->session->mu);
        if (st == APP_RUNNING) {
            free(sig);
            return 0;
        }
    }
    /* The replacement continues where the old application stopped. */
    rt_app_resume handoff = {0};
    int have_handoff = 0;
    if (a->session) {
        hosted *old = a->session;
        hosted_join(old);
        if (old->app) have_handoff = save_positions(a, old, &handoff);
        remove_item(a, old);
        hosted_free(old);
        a->session = NULL;
    }
    free(a->session_sig);
    a->session_sig = sig;
    if (!script || !*script || n_pumps == 0) {
        rt_app_resume_free(&handoff);
        return 0;
    }
    hosted *h = NULL;
    rc = hosted_start(a, script, strlen(script), "sql", NULL, have_handoff ? &handoff : NULL, 0, &h, err);
    rt_app_resume_free(&handoff);
    if (rc != 0) {
        /* Keep a failed entry so /v1/apps says why the pumps do not run. */
        hosted *f = calloc(1, sizeof *f);
        if (f && (f->name = strdup("sql")) && (f->file = strdup(""))) {
            pthread_mutex_init(&f->mu, NULL);
            f->joined = 1;
            f->state = APP_FAILED;
            snprintf(f->error, sizeof f->error, "%s", err->msg);
            if (add(a, f, NULL) == 0) a->session = f;
        } else if (f) {
            free(f->name);
            free(f);
        }
        return rc;
    }
    if ((rc = add(a, h, err)) != 0) return rc;
    a->session = h;
    return 0;
}

static const char *state_name(app_state s) {
    return s == APP_RUNNING ? "running" : s == APP_FAILED ? "failed" : "stopped";
}

static void snapshot(hosted *h, app_state *state, rt_app_stats *st, char *error, size_t cap) {
    pthread_mutex_lock(&h->mu);
    *state = h->state;
    snprintf(error, cap, "%s", h->error);
    pthread_mutex_unlock(&h->mu);
    /* The counters are plain words written by the app thread; a slightly
     * stale read is fine for a status page. */
    if (h->app) rt_app_get_stats(h->app, st);
    else *st = h->last;
}

void srv_apps_json(srv_apps *a, sbuf *out) {
    sbuf_puts(out, "{\"apps\":[");
    for (size_t i = 0; i < a->n; i++) {
        hosted *h = a->items[i];
        app_state state;
        rt_app_stats st;
        char error[EDDY_ERR_MSG_MAX];
        snapshot(h, &state, &st, error, sizeof error);
        if (i) sbuf_putc(out, ',');
        sbuf_puts(out, "{\"name\":");
        sbuf_json_str(out, h->name, strlen(h->name));
        sbuf_puts(out, ",\"file\":");
        if (h->file[0]) sbuf_json_str(out, h->file, strlen(h->file));
        else sbuf_puts(out, "null");
        sbuf_printf(out, ",\"source\":\"%s\",\"state\":\"%s\",\"pumps\":%zu", h == a->session ? "sql" : "file",
                    state_name(state), h->spec ? h->spec->n_pumps : 0);
        sbuf_printf(out, ",\"records_in\":%llu,\"rows_out\":%llu,\"errors\":%llu,\"millis_behind_latest\":%lld",
                    (unsigned long long)st.records_in, (unsigned long long)st.rows_out,
                    (unsigned long long)st.errors, (long long)st.millis_behind_latest);
        if (error[0]) {
            sbuf_puts(out, ",\"error\":");
            sbuf_json_str(out, error, strlen(error));
        }
        sbuf_putc(out, '}');
    }
    sbuf_puts(out, "]}");
}

static void metric_family(srv_apps *a, sbuf *out, const char *metric, const char *type, const char *help,
                          int which) {
    sbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", metric, help, metric, type);
    for (size_t i = 0; i < a->n; i++) {
        hosted *h = a->items[i];
        app_state state;
        rt_app_stats st;
        char error[EDDY_ERR_MSG_MAX];
        snapshot(h, &state, &st, error, sizeof error);
        long long v = which == 0   ? (long long)st.records_in
                      : which == 1 ? (long long)st.rows_out
                      : which == 2 ? (long long)st.errors
                      : which == 3 ? (long long)st.millis_behind_latest
                      : which == 5 ? (long long)st.late_rows
                      : which == 6 ? (long long)st.state_bytes
                                   : (state == APP_RUNNING);
        sbuf_printf(out, "%s{app=\"", metric);
        srv_metrics_label(out, h->name);
        sbuf_printf(out, "\"} %lld\n", v);
    }
}

void srv_apps_metrics(srv_apps *a, sbuf *out) {
    metric_family(a, out, "eddy_app_records_in_total", "counter", "Records an application read from its inputs.", 0);
    metric_family(a, out, "eddy_app_rows_out_total", "counter", "Rows an application wrote to its outputs.", 1);
    metric_family(a, out, "eddy_app_error_stream_rows_total", "counter", "Rows an application sent to error_stream.",
                  2);
    metric_family(a, out, "eddy_app_millis_behind_latest", "gauge",
                  "MillisBehindLatest of the application's input that lags most.", 3);
    metric_family(a, out, "eddy_app_running", "gauge", "1 while the application's thread runs.", 4);
    metric_family(a, out, "eddy_app_late_rows_total", "counter", "Rows an application dropped as late.", 5);
    metric_family(a, out, "eddy_app_window_state_bytes", "gauge", "Memory held by the application's open windows.",
                  6);
    sbuf_puts(out, "# HELP eddy_app_input_millis_behind_latest MillisBehindLatest of each input of an application.\n"
                   "# TYPE eddy_app_input_millis_behind_latest gauge\n");
    for (size_t i = 0; i < a->n; i++) {
        hosted *h = a->items[i];
        if (!h->app) continue;
        rt_app_input in[16];
        size_t n = rt_app_inputs(h->app, in, 16);
        for (size_t k = 0; k < n; k++) {
            sbuf_puts(out, "eddy_app_input_millis_behind_latest{app=\"");
            srv_metrics_label(out, h->name);
            sbuf_puts(out, "\",input=\"");
            srv_metrics_label(out, in[k].stream);
            sbuf_printf(out, "\"} %lld\n", (long long)in[k].millis_behind_latest);
        }
    }
}

void srv_apps_stop(srv_apps *a) {
    for (size_t i = 0; i < a->n; i++) a->items[i]->stop = 1;
    for (size_t i = 0; i < a->n; i++) {
        hosted *h = a->items[i];
        if (hosted_join(h)) save_positions(a, h, NULL);
    }
}

void srv_apps_free(srv_apps *a) {
    if (!a) return;
    srv_apps_stop(a);
    for (size_t i = 0; i < a->n; i++) hosted_free(a->items[i]);
    free(a->items);
    free(a->session_sig);
    free(a->pos_dir);
    free(a);
}
