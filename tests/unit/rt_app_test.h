/*
 * rt_app_test.h — running whole applications in runtime tests
 * (check_runtime_live.c, check_runtime_checkpoint.c,
 * check_runtime_replay.c): plan a script, open an application over a
 * store, read an output stream back as lines, compare row multisets.
 * Failures fail the test (Check assertions).
 */
#ifndef EDDY_RT_APP_TEST_H
#define EDDY_RT_APP_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "catalog.h"
#include "eddy_err.h"
#include "planner.h"
#include "sql_parse.h"
#include "store.h"
#include "udf.h"

#define T_APP_MAX_PUMPS 16

/* Plans every statement of `sql` into cat; pumps go to pumps[*n_pumps..],
 * and the last query's root to *query when query is not NULL. */
static inline void t_plan(arena *mem, catalog *cat, const char *sql, plan_node **pumps, size_t *n_pumps,
                          plan_node **query) {
    eddy_err err;
    eddy_err_clear(&err);
    sql_script *script = NULL;
    ck_assert_msg(sql_parse(sql, strlen(sql), mem, &script, &err) == 0, "parse: %s", err.msg);
    for (uint32_t i = 0; i < script->n_stmts; i++) {
        plan_result pr;
        memset(&pr, 0, sizeof pr);
        ck_assert_msg(planner_plan_stmt(cat, udf_registry_default(), script->stmts[i], sql, strlen(sql), mem, &pr,
                                        &err) == 0,
                      "plan: %s", err.msg);
        if (pr.kind == PLAN_R_PUMP) {
            ck_assert_uint_lt(*n_pumps, T_APP_MAX_PUMPS);
            pumps[(*n_pumps)++] = pr.root;
        }
        if (query && pr.kind == PLAN_R_QUERY) *query = pr.root;
    }
}

/* One application of pumps, its rows written to the store's streams. */
typedef struct t_app {
    arena mem;
    catalog *cat;
    plan_node *pumps[T_APP_MAX_PUMPS];
    size_t n_pumps;
    rt_app *app;
    FILE *devnull;   /* printed rows and error_stream go nowhere */
} t_app;

/* Opens the application of `sql` named `name`: o's store, drain, resume,
 * checkpoint and timing fields are the caller's (rt_app_opts_init first);
 * name, output files and pumps are filled in here. */
static inline void t_app_open(t_app *r, const char *sql, const char *name, rt_app_opts *o) {
    memset(r, 0, sizeof *r);
    arena_init(&r->mem, 65536);
    r->cat = catalog_new();
    ck_assert_ptr_nonnull(r->cat);
    t_plan(&r->mem, r->cat, sql, r->pumps, &r->n_pumps, NULL);
    r->devnull = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(r->devnull);
    o->name = name;
    o->out = r->devnull;
    o->err_out = r->devnull;
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(rt_app_new(o, r->cat, r->pumps, r->n_pumps, &r->app, &err) == 0, "rt_app_new: %s", err.msg);
}

static inline void t_app_close(t_app *r) {
    rt_app_free(r->app);
    fclose(r->devnull);
    catalog_free(r->cat);
    arena_free(&r->mem);
}

/* Every record of a stream's shards, as lines (t_free_lines). */
static inline size_t t_read_lines(store *st, const char *stream, char ***out) {
    store_stream_desc desc;
    eddy_err err;
    ck_assert_msg(store_stream_describe(st, stream, &desc, &err) == 0, "describe %s: %s", stream, err.msg);
    char **lines = NULL;
    size_t n = 0, cap = 0;
    for (uint32_t s = 0; s < desc.n_shards; s++) {
        store_position p = {.type = STORE_TRIM_HORIZON};
        store_cursor *c;
        ck_assert_int_eq(store_cursor_open(st, stream, desc.shards[s].shard_id, &p, &c, &err), 0);
        store_batch b;
        store_batch_init(&b);
        for (;;) {
            ck_assert_int_eq(store_cursor_read(c, 1000, &b, &err), 0);
            if (b.n_records == 0) break;
            for (size_t i = 0; i < b.n_records; i++) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 64;
                    lines = realloc(lines, cap * sizeof *lines);
                    ck_assert_ptr_nonnull(lines);
                }
                lines[n] = strndup((const char *)b.records[i].data, b.records[i].data_len);
                ck_assert_ptr_nonnull(lines[n]);
                n++;
            }
        }
        store_batch_free(&b);
        store_cursor_close(c);
    }
    store_stream_desc_free(&desc);
    *out = lines;
    return n;
}

static inline void t_free_lines(char **l, size_t n) {
    for (size_t i = 0; i < n; i++) free(l[i]);
    free(l);
}

/* How many records a stream holds. */
static inline size_t t_count_lines(store *st, const char *stream) {
    char **l;
    size_t n = t_read_lines(st, stream, &l);
    t_free_lines(l, n);
    return n;
}

static inline int t_cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* got[0..n) (sorted here) equal want[0..nw) (sorted here) as multisets;
 * `what` names the output in the failure message. */
static inline void t_assert_same_rows(const char *what, char **got, size_t n, char **want, size_t nw) {
    qsort(got, n, sizeof *got, t_cmp_str);
    qsort(want, nw, sizeof *want, t_cmp_str);
    ck_assert_msg(nw > 0, "%s: the reference wrote rows", what);
    ck_assert_msg(n == nw, "%s: %zu rows over the crashes and the restarts, the reference wrote %zu", what, n, nw);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(strcmp(got[i], want[i]) == 0, "%s row %zu: %s vs the reference's %s", what, i, got[i], want[i]);
}

static inline void t_create_stream(store *st, const char *name, int shards) {
    eddy_err err;
    ck_assert_msg(store_stream_create(st, name, shards, &err) == 0, "create %s: %s", name, err.msg);
}

/* Puts {"k": k, "v": v} into `stream` under key k. */
static inline void t_put_kv(store *st, const char *stream, const char *k, int v) {
    char data[64];
    int len = snprintf(data, sizeof data, "{\"k\":\"%s\",\"v\":%d}", k, v);
    store_put_entry e;
    memset(&e, 0, sizeof e);
    e.data = data;
    e.data_len = (size_t)len;
    e.partition_key = k;
    e.partition_key_len = strlen(k);
    store_put_result res;
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_msg(store_put_record(st, stream, &e, &res, &err) == 0 && res.code == 0, "put: %s", err.msg);
}

#endif
