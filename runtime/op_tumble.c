/*
 * op_tumble.c — TUMBLE_AGG: streaming GROUP BY with a monotonic time key
 * (STEP(ROWTIME BY ...), FLOOR(ROWTIME TO unit), or any monotonic key).
 *
 * Rows arrive in ROWTIME order, so only one window is open at a time: the
 * groups of the current window live in a keymap (entries in order of first
 * appearance, aggregate states as payload). The window is emitted when a row
 * of a later window arrives, when the watermark passes the window's end, or at
 * finish. Output rows are the group keys then the aggregate results; their
 * ROWTIME is the window's end (SQL.md §4.1). For STEP and fixed-unit FLOOR
 * of ROWTIME itself that is start + width, and the operator computes the
 * key without evaluating it. For any other key computed from the row's
 * time alone (FLOOR TO MONTH, the `(ROWTIME - epoch) SECOND / 10` idiom,
 * STEP(ROWTIME + INTERVAL ...)) the end is the first instant whose key
 * differs, found by evaluating the key at probe times: it is monotonic in
 * ROWTIME, so a binary search finds the boundary, once per window. A key on
 * other columns (MONOTONIC(col)) has no knowable end; its rows get the
 * window's latest ROWTIME, so output stays ordered, and the watermark passed
 * on is held back to it while such a window is open. A descending key
 * (-FLOOR(...)) opens a new window when it goes down.
 *
 * INTERFACE: rt_op_tumble_init (through rt_op_new).
 */
#include "op.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agg.h"
#include "eddy_time.h"
#include "keymap_int.h"

typedef struct tumble_agg {
    rt_agg k;            /* kernel */
    rt_expr *arg;        /* NULL for COUNT(*) */
    uint32_t off;        /* state offset in the payload */
    eddy_type plan_type; /* type the plan expects for the result */
} tumble_agg;

typedef struct tumble_state {
    uint32_t n_keys, n_aggs;
    rt_expr **keys;
    tumble_agg *aggs;
    rt_keymap map;
    rt_batch *keyb;          /* evaluated keys of the current input batch */
    rt_batch *out;           /* emitted rows (kernel result types) */
    rt_batch *conv;          /* emitted rows in the plan's types, when they differ */
    eddy_type *key_types;
    /* Keys the map holds: key columns (of keyb and of the output). A time
     * key computed from ROWTIME is left out: every group of the open window
     * shares its value `cur`, and a map of the remaining key alone takes
     * the keymap's fast batch lookup when that key is one fixed-width
     * column. */
    uint32_t *key_cols;
    uint32_t n_map_keys;
    int open;                /* a window is open (has groups not yet emitted) */
    int has_cur;             /* cur is set: a window was opened at least once */
    int64_t cur;             /* time-key value of the latest window opened */
    int64_t width;           /* window width in ms, 0 = a window per key value */
    int computed_key;        /* time key computed from ROWTIME by the operator */
    int probe_end;           /* the time key is a function of the row's time alone */
    int desc;                /* the time key decreases */
    int64_t win_max_rt;      /* latest ROWTIME among the open window's rows */
    rt_batch *probe;         /* one row: evaluates the time key at a probe time */
    uint32_t tk;             /* which key is the time key */
    int needs_conv;
    uint8_t *bad;
} tumble_state;

/* Upper bound of probe times: the end of year 9999. */
#define PROBE_MAX 253402300799999LL

/* The time key at ROWTIME t; -1 when it is NULL or fails there. */
static int probe_key(tumble_state *st, int64_t t, int64_t *out) {
    eddy_value v;
    if (rt_op_probe(st->keys[st->tk], st->probe, t, &v) != 0) return -1;
    *out = v.u.i;
    return 0;
}

/* End of the open window whose key is computed from ROWTIME without a fixed
 * width: the least t > win_max_rt whose key is not `cur`. `hi` is a time
 * known to be past the window (the row or watermark closing it), or
 * INT64_MIN to search upwards. Falls back to win_max_rt when the key cannot
 * be probed. */
static int64_t window_end(tumble_state *st, int64_t hi) {
    int64_t lo = st->win_max_rt, k;
    if (hi == INT64_MIN || hi <= lo) {
        for (int64_t step = 1;; step *= 2) {
            if (lo > PROBE_MAX - step) return st->win_max_rt;
            hi = lo + step;
            if (probe_key(st, hi, &k) != 0) return st->win_max_rt;
            if (k != st->cur) break;
        }
    }
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (probe_key(st, mid, &k) != 0) return st->win_max_rt;
        if (k == st->cur) lo = mid;
        else hi = mid;
    }
    return hi;
}

/* Emits the open window's groups. `hi` as for window_end. */
static int emit_window(rt_op *op, int64_t hi, eddy_err *err) {
    tumble_state *st = op->state;
    if (!st->open) return 0;
    uint32_t n = st->map.n;
    int64_t rt = st->computed_key ? st->cur + st->width : st->probe_end ? window_end(st, hi) : st->win_max_rt;
    for (uint32_t id = 0; id < n;) {
        rt_batch_reset(st->out);
        uint32_t upto = id + RT_BATCH_CAP < n ? id + RT_BATCH_CAP : n;
        for (; id < upto; id++) {
            uint8_t *pl = rt_keymap_payload(&st->map, id);
            uint32_t r = rt_batch_begin_row(st->out, rt);
            for (uint32_t k = 0; k < st->n_map_keys; k++)
                if (rt_keymap_put_key(&st->map, id, k, st->out, st->key_cols[k], r) != 0)
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            if (st->computed_key) rt_batch_set_i64(st->out, st->tk, r, st->cur);
            int failed = 0;
            for (uint32_t j = 0; j < st->n_aggs; j++) {
                tumble_agg *ag = &st->aggs[j];
                eddy_err ferr;
                eddy_err_clear(&ferr);
                if (ag->k.final(&ag->k, pl + ag->off, st->out, st->n_keys + j, r, &ferr) != 0) {
                    if (ferr.code == EDDY_E_NOMEM) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                    failed = 1;
                    /* The group's result cannot be represented: report it
                     * against the emitted row (keys filled so far). */
                    rt_batch_commit_row(st->out);
                    rt_op_row_error(op, st->out, r, "AGGREGATE_OVERFLOW", ferr.msg);
                    st->out->n_rows--;
                    break;
                }
            }
            if (!failed) rt_batch_commit_row(st->out);
        }
        const rt_batch *emit = st->out;
        if (st->needs_conv) {
            rt_batch_reset(st->conv);
            for (uint32_t r = 0; r < st->out->n_rows; r++) {
                uint32_t d = rt_batch_begin_row(st->conv, st->out->rowtime[r]);
                int ok = 1;
                for (uint32_t c = 0; c < st->out->n_cols && ok; c++) {
                    eddy_value v = {0}, cv = {0};
                    rt_batch_get(st->out, c, r, &v);
                    if (v.is_null) continue;
                    eddy_type from = st->out->cols[c].type, to = op->out_types[c];
                    if (from.id == to.id && from.scale == to.scale) {
                        cv = v;
                    } else {
                        eddy_err cerr;
                        eddy_err_clear(&cerr);
                        if (rt_cast_value(&v, from, to, &cv, &st->conv->strings, &cerr) != 0) {
                            rt_op_row_error(op, st->out, r, "CAST_ERROR", cerr.msg);
                            ok = 0;
                            break;
                        }
                    }
                    if (rt_phys_of(to.id) == RT_PHYS_STR) {
                        if (rt_batch_set_str(st->conv, c, d, cv.u.s.p, cv.u.s.n) != 0)
                            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                    } else if (rt_phys_of(to.id) == RT_PHYS_F64) {
                        rt_batch_set_f64(st->conv, c, d, cv.u.d);
                    } else {
                        rt_batch_set_i64(st->conv, c, d, cv.u.i);
                    }
                }
                if (ok) rt_batch_commit_row(st->conv);
            }
            emit = st->conv;
        }
        int rc = rt_op_emit(op, emit, err);
        if (rc != 0) return rc;
    }
    /* Free what states own before the map forgets them. */
    for (uint32_t j = 0; j < st->n_aggs; j++) {
        tumble_agg *ag = &st->aggs[j];
        if (!ag->k.owns_memory || !ag->k.destroy) continue;
        for (uint32_t id = 0; id < n; id++) ag->k.destroy(&ag->k, rt_keymap_payload(&st->map, id) + ag->off);
    }
    rt_keymap_clear(&st->map);
    st->open = 0;
    return 0;
}

/* Adds the key-batch rows in keyb's selection (all of the open window) to
 * their groups: one keymap lookup for the run, then each aggregate over the
 * run in input order. src maps a key-batch row to its input row; av holds
 * the evaluated aggregate arguments. Empties the selection. */
static int add_run(rt_op *op, const rt_batch *b, const uint16_t *src, const rt_vec *const *av, eddy_err *err) {
    tumble_state *st = op->state;
    rt_batch *kb = st->keyb;
    uint32_t n = kb->n_sel;
    if (n == 0) return 0;
    uint32_t ids[RT_BATCH_CAP];
    uint8_t *pls[RT_BATCH_CAP];
    uint32_t n_before = st->map.n;
    int rc = rt_keymap_find_batch(&st->map, kb, st->key_cols, ids, err);
    kb->n_sel = 0;
    /* New groups get initialised states even when the lookup stopped early,
     * so emit and destroy always see valid states. */
    for (uint32_t g = n_before; g < st->map.n; g++) {
        uint8_t *pl = rt_keymap_payload(&st->map, g);
        for (uint32_t j = 0; j < st->n_aggs; j++) st->aggs[j].k.init(&st->aggs[j].k, pl + st->aggs[j].off);
    }
    if (rc != 0) return rc;
    for (uint32_t i = 0; i < n; i++) pls[i] = rt_keymap_payload(&st->map, ids[i]);
    for (uint32_t j = 0; j < st->n_aggs; j++) {
        tumble_agg *ag = &st->aggs[j];
        const rt_vec *v = av[j];
        rt_datum dv;
        dv.i = 1;
        for (uint32_t i = 0; i < n; i++) {
            const rt_datum *pv = &dv;
            if (v) {
                uint32_t r = src[kb->sel[i]];
                if (v->null[r]) pv = NULL;
                else if (v->phys == RT_PHYS_STR) dv.s = v->v.str[r];
                else if (v->phys == RT_PHYS_F64) dv.d = v->v.f64[r];
                else dv.i = v->v.i64[r];
            }
            if (ag->k.add(&ag->k, pls[i] + ag->off, pv) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        }
    }
    return 0;
}

static int tumble_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    tumble_state *st = op->state;
    const rt_vec *kv[RT_KEYMAP_MAX_KEYS];
    const rt_vec *av[64];
    memset(st->bad, 0, RT_BATCH_CAP);
    for (uint32_t k = 0; k < st->n_keys; k++) {
        kv[k] = NULL;
        if (st->computed_key && k == st->tk) continue;
        const rt_row_error *errs;
        uint32_t n_errs;
        int rc = rt_expr_eval(st->keys[k], b, NULL, 0, &kv[k], &errs, &n_errs, err);
        if (rc != 0) return rc;
        for (uint32_t i = 0; i < n_errs; i++)
            if (!st->bad[errs[i].row]++) rt_op_row_error(op, b, errs[i].row, errs[i].name, errs[i].msg);
    }
    for (uint32_t j = 0; j < st->n_aggs; j++) {
        av[j] = NULL;
        if (!st->aggs[j].arg) continue;
        const rt_row_error *errs;
        uint32_t n_errs;
        int rc = rt_expr_eval(st->aggs[j].arg, b, NULL, 0, &av[j], &errs, &n_errs, err);
        if (rc != 0) return rc;
        for (uint32_t i = 0; i < n_errs; i++)
            if (!st->bad[errs[i].row]++) rt_op_row_error(op, b, errs[i].row, errs[i].name, errs[i].msg);
    }
    /* Keys of every good row into the key batch, rows in input order. */
    rt_batch_reset(st->keyb);
    uint16_t src[RT_BATCH_CAP];
    uint32_t live = rt_batch_live(b);
    int64_t floor = op->replaying && *op->replaying ? op->replay_floor : INT64_MIN;
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (st->bad[r] || b->rowtime[r] < floor) continue;
        uint32_t d = rt_batch_begin_row(st->keyb, b->rowtime[r]);
        for (uint32_t k = 0; k < st->n_keys; k++) {
            if (!kv[k]) {
                rt_batch_set_i64(st->keyb, k, d, eddy_floor_div(b->rowtime[r], st->width) * st->width);
            } else if (rt_vec_to_batch(kv[k], r, st->keyb, k, d) != 0) {
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            }
        }
        rt_batch_commit_row(st->keyb);
        src[d] = (uint16_t)r;
    }
    /* Rows of the open window are gathered in keyb's selection and added
     * in one batch lookup; the run is flushed before the window switches,
     * so a batch that spans windows is split at each boundary. */
    uint32_t nk = st->keyb->n_rows;
    st->keyb->has_sel = 1;
    st->keyb->n_sel = 0;
    for (uint32_t d = 0; d < nk; d++) {
        const rt_column *tc = &st->keyb->cols[st->tk];
        int64_t tv = rt_col_is_null(tc, d) ? INT64_MIN : tc->v.i64[d];
        if (!st->has_cur || (st->desc ? tv < st->cur : tv > st->cur)) {
            int rc = add_run(op, b, src, av, err);
            if (rc == 0) rc = emit_window(op, b->rowtime[src[d]], err);
            if (rc != 0) return rc;
            st->open = 1;
            st->has_cur = 1;
            st->cur = tv;
            st->win_max_rt = b->rowtime[src[d]];
        } else if (tv != st->cur || !st->open) {
            /* A row for a window already emitted (by a later row or by the
             * watermark): late. */
            rt_op_row_error(op, b, src[d], "LATE_ROW", "row arrived after its window was emitted");
            continue;
        }
        st->keyb->sel[st->keyb->n_sel++] = (uint16_t)d;
        if (b->rowtime[src[d]] > st->win_max_rt) st->win_max_rt = b->rowtime[src[d]];
    }
    return add_run(op, b, src, av, err);
}

/* Memory of the open window, for /metrics. */
static void tumble_account(rt_op *op) {
    tumble_state *st = op->state;
    op->state_bytes = rt_keymap_bytes(&st->map);
}

static int tumble_watermark(rt_op *op, int64_t wm, eddy_err *err) {
    tumble_state *st = op->state;
    if (!st->open) return 0;
    if (st->computed_key) return wm >= st->cur + st->width ? emit_window(op, INT64_MIN, err) : 0;
    /* Rows still to come have ROWTIME >= wm, so their key is at least (at
     * most, descending) the key at wm: when that differs, the window is
     * complete. */
    int64_t k;
    if (st->probe_end && wm > st->win_max_rt && probe_key(st, wm, &k) == 0 && k != st->cur)
        return emit_window(op, wm, err);
    return 0;
}

/* A window on another column's key leaves with its latest ROWTIME, which
 * the watermark passed downstream must not overtake while it is open. */
static int64_t tumble_map_wm(rt_op *op, int64_t wm) {
    const tumble_state *st = op->state;
    if (st->open && !st->computed_key && !st->probe_end && st->win_max_rt < wm) return st->win_max_rt;
    return wm;
}

/* The open window's start, when the operator computes the window from
 * ROWTIME: every row of the window has a ROWTIME at or after it. */
static int tumble_horizon(rt_op *op, int64_t *from) {
    const tumble_state *st = op->state;
    if (!st->open) return 0;
    if (!st->computed_key || st->width <= 0) return -1;
    *from = st->cur;
    return 1;
}

static int tumble_finish(rt_op *op, eddy_err *err) { return emit_window(op, INT64_MIN, err); }

static void tumble_end(rt_op *op) {
    tumble_state *st = op->state;
    for (uint32_t j = 0; j < st->n_aggs; j++) {
        tumble_agg *ag = &st->aggs[j];
        if (ag->k.owns_memory && ag->k.destroy)
            for (uint32_t id = 0; id < st->map.n; id++) ag->k.destroy(&ag->k, rt_keymap_payload(&st->map, id) + ag->off);
        rt_expr_free(ag->arg);
    }
    for (uint32_t k = 0; k < st->n_keys; k++) rt_expr_free(st->keys[k]);
    rt_keymap_free(&st->map);
    rt_batch_release(st->keyb);
    rt_batch_release(st->out);
    rt_batch_release(st->conv);
    rt_batch_release(st->probe);
    free(st->bad);
}

static int tumble_push_accounted(rt_op *op, const rt_batch *b, eddy_err *err) {
    int rc = tumble_push(op, b, err);
    tumble_account(op);
    return rc;
}

static const rt_op_vt tumble_vt = {"TUMBLE_AGG", tumble_push_accounted, tumble_watermark, tumble_finish, tumble_end,
                                   tumble_map_wm, tumble_horizon};

int rt_op_tumble_init(rt_op *op, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    tumble_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    st->n_keys = n->u.tumble.n_keys;
    st->n_aggs = n->u.tumble.n_aggs;
    if (st->n_keys == 0 || st->n_keys > RT_KEYMAP_MAX_KEYS || st->n_aggs > 64)
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "unsupported GROUP BY shape");
    st->keys = arena_calloc(a, sizeof(rt_expr *) * st->n_keys);
    st->aggs = arena_calloc(a, sizeof(tumble_agg) * (st->n_aggs ? st->n_aggs : 1));
    st->key_types = arena_alloc(a, sizeof(eddy_type) * st->n_keys);
    st->key_cols = arena_alloc(a, sizeof(uint32_t) * st->n_keys);
    if (!st->keys || !st->aggs || !st->key_types || !st->key_cols)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    op->state = st;
    op->vt = &tumble_vt;
    const plan_time_key *tk = &n->u.tumble.time_key;
    st->tk = tk->key_index;
    st->width = tk->width_ms;
    st->desc = tk->descending;
    /* Computed only for STEP/FLOOR of ROWTIME itself: an argument such as
     * ROWTIME + INTERVAL '5' SECOND shifts the windows. */
    const plan_expr *tke = n->u.tumble.keys[tk->key_index];
    st->computed_key = tk->on_rowtime && tk->width_ms > 0 && !tk->descending &&
                       (tk->kind == PLAN_TK_STEP || tk->kind == PLAN_TK_FLOOR) && tke->kind == PX_CALL &&
                       tke->u.call.n_args >= 1 && tke->u.call.args[0]->kind == PX_ROWTIME &&
                       !tke->u.call.args[0]->u.col.arrival;
    st->probe_end = !st->computed_key && rt_plan_expr_time_only(tke);
    for (uint32_t k = 0; k < st->n_keys; k++) {
        st->key_types[k] = op->out_types[k];
        if (st->computed_key && k == st->tk) continue;
        st->key_cols[st->n_map_keys++] = k;
        int rc = rt_expr_compile(n->u.tumble.keys[k], op->in_types, op->n_in, &op->env, a, &st->keys[k], err);
        if (rc != 0) return rc;
    }
    uint32_t off = 0;
    eddy_type *res_types = arena_alloc(a, sizeof(eddy_type) * (st->n_keys + st->n_aggs));
    if (!res_types) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    memcpy(res_types, st->key_types, sizeof(eddy_type) * st->n_keys);
    for (uint32_t j = 0; j < st->n_aggs; j++) {
        const plan_agg *pa = &n->u.tumble.aggs[j];
        tumble_agg *ag = &st->aggs[j];
        rt_agg_kind kind;
        if (!pa->call.fn || rt_agg_kind_lookup(pa->call.fn->name, pa->n_args, &kind) != 0 ||
            kind == RT_AGG_EXP_AVG)
            return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "aggregate %s is not supported in GROUP BY yet",
                                   pa->call.fn ? pa->call.fn->name : "?");
        eddy_type in = pa->n_args ? pa->args[0]->type : (eddy_type){EDDY_T_BIGINT, 0, 0};
        int rc = rt_agg_resolve(kind, in, &ag->k, err);
        if (rc != 0) return rc;
        ag->k.ignore_nulls = pa->ignore_nulls;
        if (pa->n_args) {
            rc = rt_expr_compile(pa->args[0], op->in_types, op->n_in, &op->env, a, &ag->arg, err);
            if (rc != 0) return rc;
        }
        ag->off = off;
        off += (ag->k.state_size + 7) & ~7u;
        ag->plan_type = op->out_types[st->n_keys + j];
        res_types[st->n_keys + j] = ag->k.out_type;
        if (ag->k.out_type.id != ag->plan_type.id || ag->k.out_type.scale != ag->plan_type.scale) st->needs_conv = 1;
    }
    eddy_type *map_types = arena_alloc(a, sizeof(eddy_type) * st->n_keys);
    if (!map_types) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (uint32_t k = 0; k < st->n_map_keys; k++) map_types[k] = st->key_types[st->key_cols[k]];
    if (rt_keymap_init(&st->map, map_types, st->n_map_keys, off, err) != 0) return err->code;
    st->keyb = rt_batch_new(st->key_types, st->n_keys, err);
    st->out = rt_batch_new(res_types, st->n_keys + st->n_aggs, err);
    st->conv = rt_batch_new(op->out_types, op->n_out, err);
    st->bad = calloc(RT_BATCH_CAP, 1);
    if (st->probe_end) {
        st->probe = rt_batch_new(op->in_types, op->n_in, err);
        if (!st->probe) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    if (!st->keyb || !st->out || !st->conv || !st->bad) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    return 0;
}
