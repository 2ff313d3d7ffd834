/*
 * catalog.c — streams, pumps, reference tables and SQL functions of an
 * application (see catalog.h). Entries live in small pointer arrays in
 * creation order; each entry owns an arena with its copied strings, so a
 * drop or a replace frees exactly that entry.
 */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "udf.h"

typedef struct ptr_vec {
    void **v;
    size_t n, cap;
} ptr_vec;

struct catalog {
    ptr_vec streams, pumps, funcs;
};

static int vec_push(ptr_vec *v, void *p) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void **nv = realloc(v->v, cap * sizeof *nv);
        if (!nv) return EDDY_E_NOMEM;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = p;
    return 0;
}

static void vec_remove(ptr_vec *v, size_t i) {
    memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof v->v[0]);
    v->n--;
}

static void stream_free(cat_stream *s) {
    if (!s) return;
    arena_free(&s->mem);
    free(s);
}

static void pump_free(cat_pump *p) {
    if (!p) return;
    arena_free(&p->mem);
    free(p);
}

static void func_free(cat_function *f) {
    if (!f) return;
    arena_free(&f->mem);
    free(f);
}

static const char *dup_or_null(arena *a, const char *s) {
    return s ? arena_strdup(a, s) : NULL;
}

/* Deep copy of a stream template into a fresh entry. */
static cat_stream *stream_copy(const cat_stream *t) {
    cat_stream *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    *s = *t;
    arena_init(&s->mem, 1024);
    arena *a = &s->mem;
    s->name = arena_strdup(a, t->name);
    s->description = dup_or_null(a, t->description);
    s->cols = arena_calloc(a, (t->n_cols ? t->n_cols : 1) * sizeof(plan_col));
    if (s->cols) {
        for (uint32_t i = 0; i < t->n_cols; i++) {
            s->cols[i] = t->cols[i];
            s->cols[i].name = arena_strdup(a, t->cols[i].name);
        }
    }
    s->source.stream = dup_or_null(a, t->source.stream);
    s->source.consumer = dup_or_null(a, t->source.consumer);
    s->source.row_path = dup_or_null(a, t->source.row_path);
    if (t->source.paths) {
        const char **p = arena_calloc(a, (t->n_cols ? t->n_cols : 1) * sizeof(char *));
        if (p)
            for (uint32_t i = 0; i < t->n_cols; i++) p[i] = dup_or_null(a, t->source.paths[i]);
        s->source.paths = p;
    }
    s->sink.stream = dup_or_null(a, t->sink.stream);
    if (a->failed) {
        stream_free(s);
        return NULL;
    }
    return s;
}

static const plan_col error_cols[] = {
    {"ERROR_TIME", {EDDY_T_TIMESTAMP, 0, 0}, 1, 0, 0},
    {"ERROR_LEVEL", {EDDY_T_VARCHAR, 10, 0}, 1, 0, 0},
    {"ERROR_NAME", {EDDY_T_VARCHAR, 32, 0}, 1, 0, 0},
    {"MESSAGE", {EDDY_T_VARCHAR, 4096, 0}, 1, 0, 0},
    {"DATA_ROWTIME", {EDDY_T_TIMESTAMP, 0, 0}, 1, 0, 0},
    {"DATA_ROW", {EDDY_T_VARCHAR, 49152, 0}, 1, 0, 0},
    {"PUMP_NAME", {EDDY_T_VARCHAR, 128, 0}, 1, 0, 0},
};

catalog *catalog_new(void) {
    catalog *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    cat_stream t = {.kind = CAT_ERROR,
                    .name = "error_stream",
                    .cols = (plan_col *)error_cols,
                    .n_cols = sizeof error_cols / sizeof error_cols[0]};
    cat_stream *s = stream_copy(&t);
    if (!s || vec_push(&c->streams, s) != 0) {
        stream_free(s);
        catalog_free(c);
        return NULL;
    }
    return c;
}

void catalog_free(catalog *c) {
    if (!c) return;
    for (size_t i = 0; i < c->streams.n; i++) stream_free(c->streams.v[i]);
    for (size_t i = 0; i < c->pumps.n; i++) pump_free(c->pumps.v[i]);
    for (size_t i = 0; i < c->funcs.n; i++) func_free(c->funcs.v[i]);
    free(c->streams.v);
    free(c->pumps.v);
    free(c->funcs.v);
    free(c);
}

static long stream_index(const catalog *c, const char *name) {
    for (size_t i = 0; i < c->streams.n; i++)
        if (strcmp(((cat_stream *)c->streams.v[i])->name, name) == 0) return (long)i;
    return -1;
}

static long pump_index(const catalog *c, const char *name) {
    for (size_t i = 0; i < c->pumps.n; i++)
        if (strcmp(((cat_pump *)c->pumps.v[i])->name, name) == 0) return (long)i;
    return -1;
}

const cat_stream *catalog_stream(const catalog *c, const char *name) {
    long i = stream_index(c, name);
    return i < 0 ? NULL : c->streams.v[i];
}

const cat_pump *catalog_pump(const catalog *c, const char *name) {
    long i = pump_index(c, name);
    return i < 0 ? NULL : c->pumps.v[i];
}

/* The pump that writes (or, with reads=1, reads) a stream, or NULL. */
static const cat_pump *pump_using(const catalog *c, const char *stream, int reads) {
    for (size_t i = 0; i < c->pumps.n; i++) {
        const cat_pump *p = c->pumps.v[i];
        if (strcmp(p->target, stream) == 0) return p;
        if (reads)
            for (uint32_t k = 0; k < p->n_reads; k++)
                if (strcmp(p->reads[k], stream) == 0) return p;
    }
    return NULL;
}

int catalog_add_stream(catalog *c, const cat_stream *t, int or_replace, eddy_err *err) {
    if (strcasecmp(t->name, "error_stream") == 0)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "stream name \"%s\" is reserved", t->name);
    long at = stream_index(c, t->name);
    if (at >= 0) {
        if (!or_replace)
            return eddy_err_set(err, EDDY_E_SEMANTIC, "%s \"%s\" already exists",
                                t->kind == CAT_TABLE ? "table" : "stream", t->name);
        const cat_pump *p = pump_using(c, t->name, 0);
        if (p) {
            eddy_err_set(err, EDDY_E_SEMANTIC, "stream \"%s\" was redefined while pump \"%s\" writes to it",
                         t->name, p->name);
            eddy_err_hint(err, "Drop the pump first, or replace the stream before creating the pump.");
            return EDDY_E_SEMANTIC;
        }
    }
    cat_stream *s = stream_copy(t);
    if (!s) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    if (at >= 0) {
        stream_free(c->streams.v[at]);
        c->streams.v[at] = s;
        return 0;
    }
    if (vec_push(&c->streams, s) != 0) {
        stream_free(s);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}

int catalog_not_found(const catalog *c, const char *what, const char *name, eddy_err *err) {
    eddy_err_set(err, EDDY_E_SEMANTIC, "%s \"%s\" does not exist", what, name);
    const ptr_vec *v = !strcmp(what, "pump") ? &c->pumps
                       : !strcmp(what, "function") ? &c->funcs : &c->streams;
    const char *near = NULL;
    int best = 1000;
    for (size_t i = 0; i < v->n; i++) {
        const char *nm = !strcmp(what, "pump")       ? ((cat_pump *)v->v[i])->name
                         : !strcmp(what, "function") ? ((cat_function *)v->v[i])->name
                                                     : ((cat_stream *)v->v[i])->name;
        if (strcasecmp(nm, name) == 0) {
            eddy_err_hint(err, "Names are case-sensitive when quoted; write \"%s\".", nm);
            return EDDY_E_SEMANTIC;
        }
        int d = udf_edit_distance(nm, name);
        if (d < best) {
            best = d;
            near = nm;
        }
    }
    size_t n = strlen(name);
    if (near && best <= (n < 6 ? 1 : n < 10 ? 2 : 3))
        eddy_err_hint(err, "Perhaps you meant \"%s\".", near);
    return EDDY_E_SEMANTIC;
}

int catalog_drop_stream(catalog *c, const char *name, int if_exists, eddy_err *err) {
    long at = stream_index(c, name);
    if (at < 0) return if_exists ? 0 : catalog_not_found(c, "stream", name, err);
    cat_stream *s = c->streams.v[at];
    if (s->kind == CAT_ERROR)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "cannot drop the built-in \"%s\"", s->name);
    const cat_pump *p = pump_using(c, name, 1);
    if (p) {
        eddy_err_set(err, EDDY_E_SEMANTIC, "cannot drop stream \"%s\" because pump \"%s\" uses it",
                     name, p->name);
        eddy_err_hint(err, "Drop the pump first.");
        return EDDY_E_SEMANTIC;
    }
    stream_free(s);
    vec_remove(&c->streams, (size_t)at);
    return 0;
}

int catalog_set_sink(catalog *c, const char *name, const cat_sink *sink, eddy_err *err) {
    long at = stream_index(c, name);
    if (at < 0) return catalog_not_found(c, "stream", name, err);
    cat_stream *s = c->streams.v[at];
    if (s->kind == CAT_TABLE)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "table \"%s\" cannot be bound to an output", name);
    s->sink = *sink;
    s->sink.stream = dup_or_null(&s->mem, sink->stream);
    if (s->mem.failed) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    return 0;
}

int catalog_add_pump(catalog *c, const cat_pump *t, int or_replace, eddy_err *err) {
    long at = pump_index(c, t->name);
    if (at >= 0 && !or_replace)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "pump \"%s\" already exists", t->name);
    cat_pump *p = calloc(1, sizeof *p);
    if (!p) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    *p = *t;
    arena_init(&p->mem, 1024);
    p->name = arena_strdup(&p->mem, t->name);
    p->target = arena_strdup(&p->mem, t->target);
    p->sql = dup_or_null(&p->mem, t->sql);
    p->reads = arena_calloc(&p->mem, (t->n_reads ? t->n_reads : 1) * sizeof(char *));
    if (p->reads)
        for (uint32_t i = 0; i < t->n_reads; i++) p->reads[i] = arena_strdup(&p->mem, t->reads[i]);
    if (p->mem.failed) {
        pump_free(p);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    if (at >= 0) {
        pump_free(c->pumps.v[at]);
        c->pumps.v[at] = p;
        return 0;
    }
    if (vec_push(&c->pumps, p) != 0) {
        pump_free(p);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}

int catalog_drop_pump(catalog *c, const char *name, int if_exists, eddy_err *err) {
    long at = pump_index(c, name);
    if (at < 0) return if_exists ? 0 : catalog_not_found(c, "pump", name, err);
    pump_free(c->pumps.v[at]);
    vec_remove(&c->pumps, (size_t)at);
    return 0;
}

static int same_types(const cat_function *f, uint32_t n, const eddy_type *types) {
    if (f->n_params != n) return 0;
    for (uint32_t i = 0; i < n; i++)
        if (f->params[i].type.id != types[i].id) return 0;
    return 1;
}

const cat_function *catalog_function(const catalog *c, const char *name, uint32_t n,
                                     const eddy_type *types) {
    for (size_t i = 0; i < c->funcs.n; i++) {
        const cat_function *f = c->funcs.v[i];
        if (strcmp(f->name, name) == 0 && same_types(f, n, types)) return f;
    }
    return NULL;
}

int catalog_has_function(const catalog *c, const char *name) {
    for (size_t i = 0; i < c->funcs.n; i++)
        if (strcmp(((cat_function *)c->funcs.v[i])->name, name) == 0) return 1;
    return 0;
}

int catalog_add_function(catalog *c, const cat_function *t, int or_replace, eddy_err *err) {
    eddy_type types[64];
    if (t->n_params > 64)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "function \"%s\" has too many parameters", t->name);
    for (uint32_t i = 0; i < t->n_params; i++) types[i] = t->params[i].type;
    long at = -1;
    for (size_t i = 0; i < c->funcs.n; i++) {
        const cat_function *f = c->funcs.v[i];
        if (strcmp(f->name, t->name) == 0 && same_types(f, t->n_params, types)) at = (long)i;
    }
    if (at >= 0 && !or_replace)
        return eddy_err_set(err, EDDY_E_SEMANTIC,
                            "function \"%s\" already exists with the same parameter types", t->name);
    cat_function *f = calloc(1, sizeof *f);
    if (!f) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    *f = *t;
    arena_init(&f->mem, 1024);
    f->name = arena_strdup(&f->mem, t->name);
    f->sql = dup_or_null(&f->mem, t->sql);
    f->params = arena_calloc(&f->mem, (t->n_params ? t->n_params : 1) * sizeof(cat_param));
    if (f->params)
        for (uint32_t i = 0; i < t->n_params; i++) {
            f->params[i] = t->params[i];
            f->params[i].name = arena_strdup(&f->mem, t->params[i].name);
        }
    if (f->mem.failed) {
        func_free(f);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    if (at >= 0) {
        func_free(c->funcs.v[at]);
        c->funcs.v[at] = f;
        return 0;
    }
    if (vec_push(&c->funcs, f) != 0) {
        func_free(f);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}

int catalog_drop_function(catalog *c, const char *name, int if_exists, eddy_err *err) {
    int found = 0;
    for (size_t i = 0; i < c->funcs.n;) {
        cat_function *f = c->funcs.v[i];
        if (strcmp(f->name, name) == 0) {
            func_free(f);
            vec_remove(&c->funcs, i);
            found = 1;
        } else {
            i++;
        }
    }
    if (!found && !if_exists) return catalog_not_found(c, "function", name, err);
    return 0;
}

const cat_stream *catalog_stream_at(const catalog *c, size_t i) {
    return i < c->streams.n ? c->streams.v[i] : NULL;
}

const cat_pump *catalog_pump_at(const catalog *c, size_t i) {
    return i < c->pumps.n ? c->pumps.v[i] : NULL;
}

const cat_function *catalog_function_at(const catalog *c, size_t i) {
    return i < c->funcs.n ? c->funcs.v[i] : NULL;
}
