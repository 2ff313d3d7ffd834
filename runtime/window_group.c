/*
 * window_group.c — the group table of a tumbling window (see
 * window_state.h), and the spec helpers the other window files share.
 *
 * A group is one keymap entry whose payload is the block of aggregate
 * states, so a group costs its key bytes, 8 bytes of hash and NULL mask,
 * its states, and about 5 bytes of hash slots. A batch is added in two
 * passes, DuckDB-style: resolve every row's group (creating new ones), then
 * run each aggregate's vectorised step over the vector of state pointers.
 */
#include "window_int.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- spec */

int rt__wspec_init(rt_wspec *w, const rt_window_spec *in, eddy_err *err) {
    memset(w, 0, sizeof *w);
    w->n_keys = in->n_keys;
    w->n_aggs = in->n_aggs;
    size_t nk = in->n_keys ? in->n_keys : 1, na = in->n_aggs ? in->n_aggs : 1;
    w->key_types = malloc(nk * sizeof *w->key_types);
    w->key_cols = malloc(nk * sizeof *w->key_cols);
    w->aggs = malloc(na * sizeof *w->aggs);
    w->agg_cols = malloc(na * sizeof *w->agg_cols);
    w->agg_off = malloc(na * sizeof *w->agg_off);
    if (!w->key_types || !w->key_cols || !w->aggs || !w->agg_cols || !w->agg_off) {
        rt__wspec_free(w);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    if (in->n_keys) {
        memcpy(w->key_types, in->key_types, in->n_keys * sizeof *w->key_types);
        memcpy(w->key_cols, in->key_cols, in->n_keys * sizeof *w->key_cols);
    }
    uint32_t off = 0;
    for (uint32_t a = 0; a < in->n_aggs; a++) {
        w->aggs[a] = in->aggs[a];
        w->agg_cols[a] = in->agg_cols[a];
        w->agg_off[a] = off;
        off += in->aggs[a].state_size;
        w->owns_memory |= in->aggs[a].owns_memory;
        if (in->agg_cols[a] < 0 && in->aggs[a].kind != RT_AGG_COUNT_STAR) {
            rt__wspec_free(w);
            return eddy_err_set(err, EDDY_E_INVAL, "%s needs an input column", rt_agg_name(in->aggs[a].kind));
        }
    }
    w->states_size = off;
    return 0;
}

void rt__wspec_free(rt_wspec *w) {
    free(w->key_types);
    free(w->key_cols);
    free(w->aggs);
    free(w->agg_cols);
    free(w->agg_off);
    memset(w, 0, sizeof *w);
}

void rt__wspec_init_states(const rt_wspec *w, uint8_t *block) {
    for (uint32_t a = 0; a < w->n_aggs; a++) w->aggs[a].init(&w->aggs[a], block + w->agg_off[a]);
}

void rt__wspec_destroy_states(const rt_wspec *w, uint8_t *block) {
    if (!w->owns_memory) return;
    for (uint32_t a = 0; a < w->n_aggs; a++)
        if (w->aggs[a].destroy) w->aggs[a].destroy(&w->aggs[a], block + w->agg_off[a]);
}

int rt__wspec_emit_row(const rt_wspec *w, const rt_keymap *m, uint32_t id, const uint8_t *block, rt_batch *out,
                       uint32_t r, eddy_err *err) {
    for (uint32_t k = 0; k < w->n_keys; k++)
        if (rt_keymap_put_key(m, id, k, out, k, r) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (uint32_t a = 0; a < w->n_aggs; a++) {
        int rc = w->aggs[a].final(&w->aggs[a], block + w->agg_off[a], out, w->n_keys + a, r, err);
        if (rc) return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- group table */

struct rt_group_table {
    rt_wspec spec;
    rt_keymap map;
};

rt_group_table *rt_group_table_new(const rt_window_spec *spec, eddy_err *err) {
    rt_group_table *t = calloc(1, sizeof *t);
    if (!t) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    if (rt__wspec_init(&t->spec, spec, err) != 0) {
        free(t);
        return NULL;
    }
    if (rt_keymap_init(&t->map, spec->key_types, spec->n_keys, t->spec.states_size, err) != 0) {
        rt__wspec_free(&t->spec);
        free(t);
        return NULL;
    }
    return t;
}

static void destroy_all(rt_group_table *t) {
    if (!t->spec.owns_memory) return;
    for (uint32_t g = 0; g < t->map.n; g++) rt__wspec_destroy_states(&t->spec, rt_keymap_payload(&t->map, g));
}

void rt_group_table_free(rt_group_table *t) {
    if (!t) return;
    destroy_all(t);
    rt_keymap_free(&t->map);
    rt__wspec_free(&t->spec);
    free(t);
}

int rt_group_table_step(rt_group_table *t, const rt_batch *b, eddy_err *err) {
    uint32_t ids[RT_BATCH_CAP];
    uint8_t *states[RT_BATCH_CAP];
    uint32_t before = t->map.n, live = rt_batch_live(b);
    int rc = rt_keymap_find_batch(&t->map, b, t->spec.key_cols, ids, err);
    /* New groups get fresh states even when the lookup stopped early. */
    for (uint32_t g = before; g < t->map.n; g++) rt__wspec_init_states(&t->spec, rt_keymap_payload(&t->map, g));
    if (rc) return rc;
    for (uint32_t i = 0; i < live; i++) states[i] = rt_keymap_payload(&t->map, ids[i]);
    for (uint32_t a = 0; a < t->spec.n_aggs; a++) {
        int32_t c = t->spec.agg_cols[a];
        rc = rt_agg_step_batch(&t->spec.aggs[a], states, t->spec.agg_off[a], b, c >= 0 ? &b->cols[c] : NULL);
        if (rc) return eddy_err_set(err, rc, "out of memory in %s", rt_agg_name(t->spec.aggs[a].kind));
    }
    return 0;
}

uint32_t rt_group_table_size(const rt_group_table *t) { return t->map.n; }

int rt_group_table_emit(rt_group_table *t, rt_batch *out, int64_t rowtime, uint32_t *cursor, rt_row_error_fn on_err,
                        void *ud, eddy_err *err) {
    int written = 0;
    while (*cursor < t->map.n && rt_batch_room(out) > 0) {
        uint32_t g = (*cursor)++;
        uint32_t r = rt_batch_begin_row(out, rowtime);
        eddy_err e;
        eddy_err_clear(&e);
        int rc = rt__wspec_emit_row(&t->spec, &t->map, g, rt_keymap_payload(&t->map, g), out, r, &e);
        if (rc == EDDY_E_RUNTIME) {
            if (on_err) on_err(ud, g, &e);
            continue;  /* the row was begun but not committed */
        }
        if (rc) {
            if (err) *err = e;
            return rc;
        }
        rt_batch_commit_row(out);
        written++;
    }
    return written;
}

void rt_group_table_clear(rt_group_table *t) {
    destroy_all(t);
    rt_keymap_clear(&t->map);
}

size_t rt_group_table_bytes(const rt_group_table *t) { return sizeof *t + rt_keymap_bytes(&t->map); }
