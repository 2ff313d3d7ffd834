/*
 * eddy_app.c — compiling an application: parse every statement, plan it
 * against the application's catalog, keep the pumps (see include/eddy.h).
 */
#include "eddy.h"
#include "engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "planner.h"
#include "sql_parse.h"
#include "udf.h"

static int is_json(const char *t, size_t n) {
    size_t i = 0;
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) i++;
    return i < n && t[i] == '{';
}

static int compile_sql(eddy_app_spec *app, eddy_err *err) {
    const udf_registry *reg = udf_registry_default();
    if (!reg) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    sql_script *script;
    int rc = sql_parse(app->code, app->code_len, &app->mem, &script, err);
    if (rc != 0) return rc;
    app->pumps = arena_alloc(&app->mem, sizeof(plan_node *) * (script->n_stmts ? script->n_stmts : 1));
    if (!app->pumps) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < script->n_stmts; i++) {
        plan_result r;
        memset(&r, 0, sizeof r);
        rc = planner_plan_stmt(app->cat, reg, script->stmts[i], app->code, app->code_len, &app->mem, &r, err);
        if (rc != 0) return rc;
        if (r.kind == PLAN_R_PUMP && r.root) app->pumps[app->n_pumps++] = r.root;
    }
    if (app->mem.failed) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    return 0;
}

int eddy_app_compile(const char *text, size_t len, const char *name, eddy_app_spec **out, eddy_err *err) {
    eddy_app_spec *app = calloc(1, sizeof *app);
    if (!app) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    arena_init(&app->mem, 65536);
    *out = app;
    app->cat = catalog_new();
    app->name = strdup(name ? name : "app");
    if (!app->cat || !app->name) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    if (is_json(text, len)) {
        /* The KDA document binds inputs and outputs in the catalog and hands
         * back its ApplicationCode. */
        char *code = NULL;
        kda_outputs outs;
        int rc = eddy_kda_load(app->cat, text, len, &code, &app->name, &outs, err);
        if (rc != 0) {
            free(code);
            return rc;
        }
        app->code = code;
        app->code_len = strlen(code);
        rc = compile_sql(app, err);
        if (rc != 0) return rc;
        return eddy_kda_bind_outputs(app->cat, &outs, err);
    } else {
        app->code = malloc(len + 1);
        if (!app->code) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        memcpy(app->code, text, len);
        app->code[len] = '\0';
        app->code_len = len;
    }
    return compile_sql(app, err);
}

void eddy_app_free(eddy_app_spec *app) {
    if (!app) return;
    catalog_free(app->cat);
    arena_free(&app->mem);
    free(app->code);
    free(app->name);
    free(app);
}

char *eddy_err_string(const eddy_err *err, const eddy_app_spec *app) {
    size_t cap = 4096;
    char *s = malloc(cap);
    if (!s) return NULL;
    eddy_err_render(err, app ? app->code : NULL, app ? app->code_len : 0, s, cap);
    return s;
}
