/*
 * session.c — statement-at-a-time SQL over a store, for the REPL and SQL
 * over HTTP (see include/eddy.h).
 *
 * The session keeps the text of every DDL statement it accepted. A push
 * query compiles that script afresh into a private application (its input
 * streams, its pumps) plus the query, and runs it until LIMIT, *stop or the
 * callback ends it: the pumps' in-application streams are recomputed from
 * the stored streams, which gives the same rows as any other run because
 * ROWTIME is the arrival time in the store.
 */
#include "eddy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "encode.h"
#include "planner.h"
#include "sbuf.h"
#include "sql_parse.h"
#include "udf.h"

struct eddy_session {
    eddy_session_opts o;
    catalog *cat;
    sbuf script;       /* accepted DDL, ';'-terminated */
    arena mem;         /* plans of accepted statements */
};

int eddy_session_open(const eddy_session_opts *o, eddy_session **out, eddy_err *err) {
    eddy_session *s = calloc(1, sizeof *s);
    if (!s) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    s->o = *o;
    s->cat = catalog_new();
    sbuf_init(&s->script);
    arena_init(&s->mem, 65536);
    if (!s->cat || !udf_registry_default()) {
        eddy_session_close(s);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    *out = s;
    return 0;
}

void eddy_session_close(eddy_session *s) {
    if (!s) return;
    catalog_free(s->cat);
    sbuf_free(&s->script);
    arena_free(&s->mem);
    free(s);
}

void eddy_session_set_from_beginning(eddy_session *s, int on) { s->o.from_beginning = on; }

const catalog *eddy_session_catalog(const eddy_session *s) { return s->cat; }

const char *eddy_session_script(const eddy_session *s) { return s->script.data; }

/* ---------------------------------------------------------------- results */

/* Result tables of SHOW/DESCRIBE/EXPLAIN: every column is text. */
#define MAX_RESULT_COLS 8

static void header(const eddy_exec_cb *cb, const char *const *names, uint32_t n) {
    if (!cb || !cb->on_header) return;
    eddy_column_info cols[MAX_RESULT_COLS];
    if (n > MAX_RESULT_COLS) n = MAX_RESULT_COLS;
    for (uint32_t i = 0; i < n; i++) {
        cols[i].name = names[i];
        cols[i].type = (eddy_type){EDDY_T_VARCHAR, 0, 0};
    }
    cb->on_header(cb->ctx, cols, n, 0);
}

static void row(const eddy_exec_cb *cb, const char *const *vals, uint32_t n) {
    if (cb && cb->on_row) cb->on_row(cb->ctx, 0, vals, n);
}

static void show_streams(eddy_session *s, const eddy_exec_cb *cb) {
    static const char *const names[] = {"NAME", "KIND", "COLUMNS", "SOURCE", "SINK"};
    header(cb, names, 5);
    for (size_t i = 0;; i++) {
        const cat_stream *cs = catalog_stream_at(s->cat, i);
        if (!cs) break;
        char ncols[16];
        snprintf(ncols, sizeof ncols, "%u", cs->n_cols);
        const char *kind = cs->kind == CAT_ERROR ? "error_stream" : cs->kind == CAT_TABLE ? "table" : "stream";
        const char *vals[] = {cs->name, kind, ncols, cs->source.stream, cs->sink.stream};
        row(cb, vals, 5);
    }
}

static void show_pumps(eddy_session *s, const eddy_exec_cb *cb) {
    static const char *const names[] = {"NAME", "TARGET", "READS"};
    header(cb, names, 3);
    for (size_t i = 0;; i++) {
        const cat_pump *p = catalog_pump_at(s->cat, i);
        if (!p) break;
        sbuf r;
        sbuf_init(&r);
        for (uint32_t k = 0; k < p->n_reads; k++) {
            if (k) sbuf_puts(&r, ", ");
            sbuf_puts(&r, p->reads[k]);
        }
        const char *vals[] = {p->name, p->target, r.data};
        row(cb, vals, 3);
        sbuf_free(&r);
    }
}

static void show_functions(const eddy_exec_cb *cb) {
    static const char *const names[] = {"NAME", "KIND", "DESCRIPTION"};
    header(cb, names, 3);
    const udf_registry *reg = udf_registry_default();
    const char *last = NULL;
    for (size_t i = 0;; i++) {
        const udf_func *f = udf_at(reg, i);
        if (!f) break;
        if (last && !strcmp(last, f->name)) continue;   /* one line per name */
        last = f->name;
        const char *vals[] = {f->name, f->kind == UDF_AGGREGATE ? "aggregate" : f->kind == UDF_TABLE ? "table" : "scalar",
                              f->doc};
        row(cb, vals, 3);
    }
}

static void describe(const cat_stream *cs, const eddy_exec_cb *cb) {
    static const char *const names[] = {"COLUMN", "TYPE", "NULLABLE", "MAPPING"};
    header(cb, names, 4);
    for (uint32_t c = 0; c < cs->n_cols; c++) {
        char t[64];
        eddy_type_format(cs->cols[c].type, t, sizeof t);
        const char *vals[] = {cs->cols[c].name, t, cs->cols[c].nullable ? "YES" : "NO",
                              cs->source.paths ? cs->source.paths[c] : NULL};
        row(cb, vals, 4);
    }
}

/* ---------------------------------------------------------------- push queries */

typedef struct query_ctx {
    const eddy_exec_cb *cb;
    int64_t limit;       /* -1 = none */
    int64_t seen;
    sbuf *vals;          /* one buffer per column */
    const char **ptrs;   /* one value pointer per column */
    uint32_t n_cols;
} query_ctx;

static int query_rows(void *ctx, const rt_batch *b) {
    query_ctx *q = ctx;
    uint32_t live = rt_batch_live(b);
    const char **ptrs = q->ptrs;
    for (uint32_t i = 0; i < live; i++) {
        if (q->limit >= 0 && q->seen >= q->limit) return 1;
        uint32_t r = rt_batch_row(b, i);
        for (uint32_t c = 0; c < q->n_cols; c++) {
            sbuf_clear(&q->vals[c]);
            if (rt_col_is_null(&b->cols[c], r)) {
                ptrs[c] = NULL;
                continue;
            }
            rt_format_value(&b->cols[c], r, &q->vals[c]);
            ptrs[c] = q->vals[c].data;
        }
        q->seen++;
        if (q->cb && q->cb->on_row && q->cb->on_row(q->cb->ctx, b->rowtime[r], ptrs, q->n_cols) != 0) return 1;
    }
    return q->limit >= 0 && q->seen >= q->limit;
}

static int64_t limit_of(const ast_stmt *st) {
    const ast_query *q = st->u.query;
    if (!q || !q->limit || q->limit->kind != AST_E_LITERAL) return -1;
    return atoll(q->limit->u.lit.text);
}

static int run_query(eddy_session *s, const ast_stmt *st, const char *sql, size_t len,
                     const eddy_exec_cb *cb, volatile sig_atomic_t *stop, eddy_err *err) {
    /* A private application: the session's script, then the query. */
    eddy_app_spec *spec = NULL;
    int rc = eddy_app_compile(s->script.data, s->script.len, "query", &spec, err);
    if (rc != 0) {
        eddy_app_free(spec);
        return rc;
    }
    plan_result r;
    memset(&r, 0, sizeof r);
    rc = planner_plan_stmt(spec->cat, udf_registry_default(), st, sql, len, &spec->mem, &r, err);
    if (rc != 0) {
        eddy_app_free(spec);
        return rc;
    }
    if (r.kind != PLAN_R_QUERY || !r.root) {
        eddy_app_free(spec);
        return eddy_err_set_at(err, EDDY_E_SEMANTIC, st->off, st->len, "only SELECT STREAM queries run here");
    }
    if (cb && cb->on_notice)
        cb->on_notice(cb->ctx, s->o.from_beginning ? "reading inputs from the beginning (TRIM_HORIZON)"
                                                   : "reading inputs from now on (LATEST); rows appear as records arrive");
    const plan_schema *os = &r.root->out;
    query_ctx q = {cb, limit_of(st), 0, NULL, NULL, os->n_cols};
    q.vals = calloc(os->n_cols ? os->n_cols : 1, sizeof(sbuf));
    q.ptrs = calloc(os->n_cols ? os->n_cols : 1, sizeof(char *));
    if (!q.vals || !q.ptrs) {
        free(q.vals);
        free(q.ptrs);
        eddy_app_free(spec);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    for (uint32_t c = 0; c < os->n_cols; c++) sbuf_init(&q.vals[c]);
    if (cb && cb->on_header) {
        eddy_column_info *cols = calloc(os->n_cols ? os->n_cols : 1, sizeof *cols);
        if (cols) {
            for (uint32_t c = 0; c < os->n_cols; c++) {
                cols[c].name = os->cols[c].name;
                cols[c].type = os->cols[c].type;
            }
            cb->on_header(cb->ctx, cols, os->n_cols, 1);
            free(cols);
        }
    }
    rt_app_opts ao;
    rt_app_opts_init(&ao);
    ao.store = s->o.store;
    ao.name = "query";
    ao.start_override = s->o.from_beginning ? PLAN_START_TRIM_HORIZON : PLAN_START_LATEST;
    static const char *const none[1] = {NULL};
    ao.print = none;   /* print nothing: rows go to the callback */
    ao.n_print = 0;
    ao.idle_timeout_ms = s->o.idle_timeout_ms;
    ao.no_sinks = 1;
    FILE *devnull = fopen("/dev/null", "w");
    ao.err_out = devnull;
    rt_app *app = NULL;
    rc = rt_app_new(&ao, spec->cat, spec->pumps, spec->n_pumps, &app, err);
    if (rc == 0) rc = rt_app_add_query(app, r.root, query_rows, &q, err);
    if (rc == 0 && q.limit != 0) rc = rt_app_run(app, stop, err);
    rt_app_free(app);
    if (devnull) fclose(devnull);
    for (uint32_t c = 0; c < os->n_cols; c++) sbuf_free(&q.vals[c]);
    free(q.vals);
    free(q.ptrs);
    eddy_app_free(spec);
    return rc;
}

/* ---------------------------------------------------------------- exec */

int eddy_session_exec(eddy_session *s, const char *sql, size_t len, const eddy_exec_cb *cb,
                      volatile sig_atomic_t *stop, eddy_err *err) {
    arena a;
    arena_init(&a, 16384);
    sql_script *script;
    int rc = sql_parse(sql, len, &a, &script, err);
    for (uint32_t i = 0; rc == 0 && i < script->n_stmts; i++) {
        const ast_stmt *st = script->stmts[i];
        if (st->kind == AST_S_QUERY) {
            rc = run_query(s, st, sql, len, cb, stop, err);
            continue;
        }
        plan_result r;
        memset(&r, 0, sizeof r);
        rc = planner_plan_stmt(s->cat, udf_registry_default(), st, sql, len, &s->mem, &r, err);
        if (rc != 0) break;
        switch (r.kind) {
        case PLAN_R_SHOW:
            if (st->u.show.what == AST_SHOW_PUMPS) show_pumps(s, cb);
            else if (st->u.show.what == AST_SHOW_FUNCTIONS) show_functions(cb);
            else show_streams(s, cb);
            break;
        case PLAN_R_DESCRIBE:
            if (r.stream) describe(r.stream, cb);
            break;
        case PLAN_R_EXPLAIN: {
            sbuf out;
            sbuf_init(&out);
            plan_explain_result(st, &r, &out);
            static const char *const names[] = {"PLAN"};
            header(cb, names, 1);
            char *p = out.data;
            while (p && *p) {
                char *nl = strchr(p, '\n');
                if (nl) *nl = '\0';
                const char *v[] = {p};
                row(cb, v, 1);
                p = nl ? nl + 1 : NULL;
            }
            sbuf_free(&out);
            break;
        }
        default:
            /* DDL, pumps, INSERT: remember the statement for replay. */
            sbuf_append(&s->script, sql + st->off, st->len);
            sbuf_puts(&s->script, ";\n");
            if (cb && cb->on_message) cb->on_message(cb->ctx, r.message ? r.message : "OK");
            break;
        }
    }
    arena_free(&a);
    return rc;
}
