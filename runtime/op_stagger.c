/*
 * op_stagger.c — STAGGER_AGG: WINDOWED BY STAGGER (PARTITION BY keys RANGE
 * INTERVAL len), SQL.md §4.4.
 *
 * A window per partition key opens at the ROWTIME t0 of its key's first row
 * and covers [t0, t0 + len); a row of that key at or after t0 + len opens
 * the next window. A window is emitted once time passes its end: a later
 * row (of any key) with ROWTIME >= t0 + len, or a watermark >= t0 + len
 * (no row that could still join it can come), or finish. Output rows are
 * the partition keys then the aggregate results, with ROWTIME = t0 + len,
 * in order of end time (ties: first opened first) — rt_stagger keeps the
 * open windows as one FIFO, since equal lengths make end order = open order.
 *
 * The window state is rt_stagger (window_state.h); this file evaluates the
 * key and argument expressions into a scratch batch, drives time and
 * converts results to the plan's output types.
 *
 * Checkpoints (app.c): the horizon is the oldest open window's start, and
 * the open windows are saved as "<key hash> <open time>" lines. After a
 * restart, of the records read again (op->replaying) a row is taken only
 * when its key had a window open at the checkpoint and the row is not
 * older than that window: rows of windows already written, or of a key's
 * earlier window, would otherwise open windows a second time.
 *
 * INTERFACE: rt_op_stagger_init (through rt_op_new).
 */
#include "op.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agg.h"
#include "keymap_int.h"
#include "window_state.h"

typedef struct stagger_state {
    rt_stagger *win;
    uint32_t n_keys, n_aggs;
    rt_expr **exprs;          /* keys then aggregate arguments (NULL for COUNT(*)) */
    uint32_t *key_cols;       /* 0..n_keys-1: the keys' columns in `scratch` */
    const rt_vec **vals;
    rt_batch *scratch;        /* evaluated keys and arguments of good rows */
    rt_batch *res;            /* closed windows: keys then kernel results */
    rt_batch *out;            /* the same in the plan's output types */
    uint8_t *bad;
    int64_t last_t;
    int any;
    /* Windows open at the checkpoint this run restarted from: key hash ->
     * open time, open addressing (hash 0 stands for 1); NULL = none. */
    uint64_t *rk;
    int64_t *ropen;
    uint32_t rmask, rn;
} stagger_state;

static uint32_t replay_slot(const stagger_state *st, uint64_t h) {
    uint32_t i = (uint32_t)(h ^ (h >> 32)) & st->rmask;
    while (st->rk[i] && st->rk[i] != h) i = (i + 1) & st->rmask;
    return i;
}

static int replay_add(stagger_state *st, uint64_t h, int64_t open) {
    h = h ? h : 1;
    if (!st->rk || 2 * (st->rn + 1) > st->rmask + 1) {
        uint32_t cap = st->rk ? 2 * (st->rmask + 1) : 64;
        uint64_t *rk = calloc(cap, sizeof *rk);
        int64_t *ro = calloc(cap, sizeof *ro);
        if (!rk || !ro) {
            free(rk);
            free(ro);
            return EDDY_E_NOMEM;
        }
        stagger_state old = *st;
        st->rk = rk;
        st->ropen = ro;
        st->rmask = cap - 1;
        for (uint32_t i = 0; old.rk && i <= old.rmask; i++)
            if (old.rk[i]) {
                uint32_t j = replay_slot(st, old.rk[i]);
                st->rk[j] = old.rk[i];
                st->ropen[j] = old.ropen[i];
            }
        free(old.rk);
        free(old.ropen);
    }
    uint32_t i = replay_slot(st, h);
    if (!st->rk[i]) {
        st->rn++;
        st->rk[i] = h;
        st->ropen[i] = open;
    } else if (open < st->ropen[i]) {
        st->ropen[i] = open;   /* a key's windows are taken from its oldest on */
    }
    return 0;
}

/* Whether a row read again (key hash h, ROWTIME t) rebuilds a window that
 * was open at the checkpoint. */
static int replay_takes(const stagger_state *st, uint64_t h, int64_t t) {
    if (!st->rk) return 0;
    uint32_t i = replay_slot(st, h ? h : 1);
    return st->rk[i] != 0 && t >= st->ropen[i];
}

/* A window whose result does not fit its type: rt_stagger has begun its row
 * in `res` with the keys filled; report that row. */
static void on_stagger_error(void *ud, uint32_t key_id, const eddy_err *e) {
    rt_op *op = ud;
    stagger_state *st = op->state;
    rt_batch_commit_row(st->res);
    rt_op_row_error(op, st->res, st->res->n_rows - 1, "AGGREGATE_OVERFLOW", e->msg);
    st->res->n_rows--;
}

/* Converts `res` into the plan's types in `out` and emits it. */
static int emit_res(rt_op *op, eddy_err *err) {
    stagger_state *st = op->state;
    rt_batch_reset(st->out);
    for (uint32_t r = 0; r < st->res->n_rows; r++) {
        uint32_t d = rt_batch_begin_row(st->out, st->res->rowtime[r]);
        int ok = 1;
        for (uint32_t c = 0; c < st->res->n_cols && ok; c++) {
            eddy_value v = {0}, cv = {0};
            rt_batch_get(st->res, c, r, &v);
            if (v.is_null) continue;
            eddy_type from = st->res->cols[c].type, to = op->out_types[c];
            cv = v;
            if (from.id != to.id || from.scale != to.scale) {
                eddy_err cerr;
                eddy_err_clear(&cerr);
                if (rt_cast_value(&v, from, to, &cv, &st->out->strings, &cerr) != 0) {
                    rt_op_row_error(op, st->res, r, "CAST_ERROR", cerr.msg);
                    ok = 0;
                    break;
                }
            }
            switch (rt_phys_of(to.id)) {
            case RT_PHYS_STR:
                if (rt_batch_set_str(st->out, c, d, cv.u.s.p, cv.u.s.n) != 0)
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                break;
            case RT_PHYS_F64: rt_batch_set_f64(st->out, c, d, cv.u.d); break;
            case RT_PHYS_I64: rt_batch_set_i64(st->out, c, d, cv.u.i); break;
            }
        }
        if (ok) rt_batch_commit_row(st->out);
    }
    return rt_op_emit(op, st->out, err);
}

/* Emits every window that ends at or before `t`. */
static int advance(rt_op *op, int64_t t, eddy_err *err) {
    stagger_state *st = op->state;
    do {
        rt_batch_reset(st->res);
        int rc = rt_stagger_advance(st->win, t, st->res, on_stagger_error, op, err);
        if (rc < 0) return rc;
        if (st->res->n_rows && (rc = emit_res(op, err)) != 0) return rc;
    } while (rt_batch_room(st->res) == 0);
    return 0;
}

static int stagger_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    stagger_state *st = op->state;
    memset(st->bad, 0, RT_BATCH_CAP);
    uint32_t n_ex = st->n_keys + st->n_aggs;
    for (uint32_t x = 0; x < n_ex; x++) {
        st->vals[x] = NULL;
        if (!st->exprs[x]) continue;
        const rt_row_error *errs;
        uint32_t n_errs;
        int rc = rt_expr_eval(st->exprs[x], b, NULL, 0, &st->vals[x], &errs, &n_errs, err);
        if (rc != 0) return rc;
        for (uint32_t i = 0; i < n_errs; i++)
            if (!st->bad[errs[i].row]++) rt_op_row_error(op, b, errs[i].row, errs[i].name, errs[i].msg);
    }
    rt_batch_reset(st->scratch);
    uint32_t live = rt_batch_live(b);
    int replaying = op->replaying && *op->replaying;
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (st->bad[r]) continue;
        int64_t t = b->rowtime[r];
        if (st->any && t < st->last_t) {
            rt_op_row_error(op, b, r, "OUT_OF_ORDER", "ROWTIME went backwards in a stagger window");
            continue;
        }
        uint32_t d = rt_batch_begin_row(st->scratch, t);
        for (uint32_t x = 0; x < n_ex; x++)
            if (st->vals[x] && rt_vec_to_batch(st->vals[x], r, st->scratch, x, d) != 0)
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        if (replaying && op->replay_floor != INT64_MIN &&
            !replay_takes(st, rt_keymap_row_hash64(rt_stagger_keymap(st->win), st->scratch, st->key_cols, d), t))
            continue;   /* the row stays uncommitted: the next one overwrites it */
        st->any = 1;
        st->last_t = t;
        rt_batch_commit_row(st->scratch);
    }
    if (st->scratch->n_rows == 0) return 0;
    if (rt_stagger_step(st->win, st->scratch, err) != 0) return err->code;
    /* Windows that end at or before the last row are complete: no later row
     * can join them (a row at their end opens a new window). rt_stagger
     * closes in end order whatever the batch boundaries. */
    return advance(op, st->last_t, err);
}

static int stagger_watermark(rt_op *op, int64_t wm, eddy_err *err) { return advance(op, wm, err); }

static int stagger_finish(rt_op *op, eddy_err *err) { return advance(op, INT64_MAX, err); }

static int stagger_horizon(rt_op *op, int64_t *from) {
    const stagger_state *st = op->state;
    return rt_stagger_oldest(st->win, from);
}

typedef struct save_ctx {
    sbuf *out;
    int64_t oldest;
} save_ctx;

static int save_line(void *ctx, uint64_t key_hash, int64_t open) {
    save_ctx *c = ctx;
    sbuf_printf(c->out, "%016llx %lld\n", (unsigned long long)key_hash, (long long)open);
    if (open < c->oldest) c->oldest = open;
    return c->out->failed ? EDDY_E_NOMEM : 0;
}

/* A key both open now and carried is listed twice; loading keeps the
 * older time. */
static int stagger_replay_save(rt_op *op, int open_too, int carried, sbuf *out, int64_t *oldest) {
    const stagger_state *st = op->state;
    save_ctx c = {out, INT64_MAX};
    int rc = open_too ? rt_stagger_each_open(st->win, save_line, &c) : 0;
    for (uint32_t i = 0; rc == 0 && carried && st->rk && i <= st->rmask; i++)
        if (st->rk[i]) rc = save_line(&c, st->rk[i], st->ropen[i]);
    *oldest = c.oldest;
    return rc;
}

static int stagger_replay_load(rt_op *op, const char *line, eddy_err *err) {
    unsigned long long h;
    long long open;
    int n = 0;
    if (sscanf(line, "%16llx %lld%n", &h, &open, &n) != 2 || line[n] != '\0')
        return eddy_err_set(err, EDDY_E_INVAL, "bad stagger window line \"%s\"", line);
    if (replay_add(op->state, (uint64_t)h, (int64_t)open) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    return 0;
}

static void stagger_end(rt_op *op) {
    stagger_state *st = op->state;
    free(st->rk);
    free(st->ropen);
    rt_stagger_free(st->win);
    for (uint32_t x = 0; st->exprs && x < st->n_keys + st->n_aggs; x++) rt_expr_free(st->exprs[x]);
    rt_batch_release(st->scratch);
    rt_batch_release(st->res);
    rt_batch_release(st->out);
    free(st->bad);
}

/* Memory of the open windows, for /metrics. */
static int stagger_push_accounted(rt_op *op, const rt_batch *b, eddy_err *err) {
    int rc = stagger_push(op, b, err);
    op->state_bytes = rt_stagger_bytes(((stagger_state *)op->state)->win);
    return rc;
}

static int stagger_watermark_accounted(rt_op *op, int64_t wm, eddy_err *err) {
    int rc = stagger_watermark(op, wm, err);
    op->state_bytes = rt_stagger_bytes(((stagger_state *)op->state)->win);
    return rc;
}

static const rt_op_vt stagger_vt = {"STAGGER_AGG", stagger_push_accounted, stagger_watermark_accounted, stagger_finish,
                                    stagger_end, NULL, stagger_horizon};

static int stagger_setup(rt_op *op, stagger_state *st, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    uint32_t n_ex = st->n_keys + st->n_aggs;
    st->exprs = arena_calloc(a, sizeof(rt_expr *) * n_ex);
    st->vals = arena_calloc(a, sizeof(rt_vec *) * n_ex);
    eddy_type *sc_types = arena_calloc(a, sizeof(eddy_type) * n_ex);
    eddy_type *res_types = arena_calloc(a, sizeof(eddy_type) * n_ex);
    uint32_t *key_cols = arena_calloc(a, sizeof(uint32_t) * n_ex);
    rt_agg *aggs = arena_calloc(a, sizeof(rt_agg) * n_ex);
    int32_t *agg_cols = arena_calloc(a, sizeof(int32_t) * n_ex);
    if (!st->exprs || !st->vals || !sc_types || !res_types || !key_cols || !aggs || !agg_cols)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (uint32_t k = 0; k < st->n_keys; k++) {
        int rc = rt_expr_compile(n->u.stagger.keys[k], op->in_types, op->n_in, &op->env, a, &st->exprs[k], err);
        if (rc != 0) return rc;
        sc_types[k] = res_types[k] = n->u.stagger.keys[k]->type;
        key_cols[k] = k;
    }
    for (uint32_t j = 0; j < st->n_aggs; j++) {
        const plan_agg *pa = &n->u.stagger.aggs[j];
        const char *fname = pa->call.fn ? pa->call.fn->name : "?";
        rt_agg_kind kind;
        if (!pa->call.fn || rt_agg_kind_lookup(fname, pa->n_args, &kind) != 0 || pa->n_args > 1 ||
            kind == RT_AGG_EXP_AVG)
            return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len,
                                   "aggregate %s is not supported in a stagger window yet", fname);
        eddy_type in = pa->n_args ? pa->args[0]->type : (eddy_type){EDDY_T_BIGINT, 0, 0};
        int rc = rt_agg_resolve(kind, in, &aggs[j], err);
        if (rc != 0) return rc;
        aggs[j].ignore_nulls = pa->ignore_nulls;
        uint32_t x = st->n_keys + j;
        sc_types[x] = in;
        res_types[x] = aggs[j].out_type;
        agg_cols[j] = pa->n_args ? (int32_t)x : -1;
        if (pa->n_args) {
            rc = rt_expr_compile(pa->args[0], op->in_types, op->n_in, &op->env, a, &st->exprs[x], err);
            if (rc != 0) return rc;
        }
    }
    st->key_cols = key_cols;
    rt_window_spec spec = {sc_types, key_cols, st->n_keys, aggs, agg_cols, st->n_aggs};
    st->win = rt_stagger_new(&spec, n->u.stagger.range_ms, err);
    if (!st->win) {
        if (err) {
            err->off = n->off;
            err->len = n->len;
        }
        return err ? err->code : EDDY_E_NOMEM;
    }
    st->scratch = rt_batch_new(sc_types, n_ex, err);
    st->res = rt_batch_new(res_types, n_ex, err);
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    st->bad = calloc(RT_BATCH_CAP, 1);
    if (!st->scratch || !st->res || !st->out || !st->bad) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    return 0;
}

int rt_op_stagger_init(rt_op *op, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    stagger_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    st->n_keys = n->u.stagger.n_keys;
    st->n_aggs = n->u.stagger.n_aggs;
    if (st->n_keys > RT_BATCH_CAP || st->n_aggs > RT_BATCH_CAP || op->n_out != st->n_keys + st->n_aggs)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len,
                               "STAGGER_AGG output has %u columns, expected %u keys + %u aggregates", op->n_out,
                               st->n_keys, st->n_aggs);
    if (st->n_keys + st->n_aggs == 0)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "STAGGER_AGG without keys or aggregates");
    op->state = st;
    op->vt = &stagger_vt;
    op->replay_save = stagger_replay_save;
    op->replay_load = stagger_replay_load;
    int rc = stagger_setup(op, st, a, err);
    if (rc != 0) {
        /* rt_op_new drops a failed operator: free what is already held. */
        stagger_end(op);
        return rc;
    }
    return 0;
}
