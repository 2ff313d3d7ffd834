/*
 * op_order.c — ORDER: streaming ORDER BY with a leading monotonic key
 * (SQL.md §3.4), as in `ORDER BY FLOOR(s.ROWTIME TO MINUTE), total DESC`.
 *
 * Rows are buffered while the leading key keeps its value. When a row with
 * another leading value arrives (or at finish), the buffered group is
 * sorted by the remaining keys — ASC/DESC, NULLs sorting as the largest
 * value, ties in arrival order — and emitted. Every row of a group leaves
 * with the group's latest ROWTIME, so the output stays in ROWTIME order.
 *
 * A group is also complete, and emitted on the watermark, when
 *  - the leading key is a tumbling window's time key (ORDER BY after
 *    GROUP BY STEP/FLOOR): all of a window's rows carry the window's end as
 *    ROWTIME, so once the watermark passes it no row of the group can come;
 *  - or the leading key reads only the row's time, and computed at the
 *    watermark's time (a probe row) it differs: rows still to come have
 *    ROWTIME >= the watermark and the key is monotonic in it.
 * Otherwise a group waits for the next group's first row, as the dialect
 * says ("the monotonic expression has to change").
 *
 * Each buffered row is one heap block: header, sort-key values, row values,
 * then copies of their string bytes.
 *
 * INTERFACE: rt_op_order_init (through rt_op_new).
 */
#include "op.h"

#include <stdlib.h>
#include <string.h>

typedef struct orow {
    int64_t rowtime;
    uint64_t seq;
    eddy_value v[];      /* n_keys sort values, then n_in row values */
} orow;

typedef struct order_state {
    uint32_t n_keys;
    rt_expr **keys;
    uint8_t *desc;
    int lead_window;     /* keys[0] is the input's tumbling window key */
    int lead_probe;      /* keys[0] reads only the row's time: it can be probed */
    rt_batch *probe;     /* one row at the watermark's time */
    orow **rows;
    size_t n, cap;
    uint64_t seq;
    int64_t max_rt;      /* latest ROWTIME of the buffered group */
    eddy_value cur;      /* leading value of the buffered group (strings in cur_buf) */
    char *cur_buf;
    size_t cur_cap;
    rt_batch *out;
    uint8_t *bad;
} order_state;

/* Copies a value's string bytes to *p and points the value at them. */
static void own_str(eddy_value *v, char **p) {
    if (v->is_null || (v->type != EDDY_T_CHAR && v->type != EDDY_T_VARCHAR && v->type != EDDY_T_BINARY &&
                       v->type != EDDY_T_VARBINARY))
        return;
    if (v->u.s.n) memcpy(*p, v->u.s.p, v->u.s.n);
    v->u.s.p = *p;
    *p += v->u.s.n;
}

static size_t str_bytes(const eddy_value *v) {
    if (v->is_null) return 0;
    return (v->type == EDDY_T_CHAR || v->type == EDDY_T_VARCHAR || v->type == EDDY_T_BINARY ||
            v->type == EDDY_T_VARBINARY)
               ? v->u.s.n
               : 0;
}

/* NULL is the largest value; otherwise the type's order. */
static int cmp_nullable(const eddy_value *a, const eddy_value *b) {
    if (a->is_null || b->is_null) return a->is_null == b->is_null ? 0 : a->is_null ? 1 : -1;
    return rt_value_cmp(a, b);
}

static int cmp_rows(const void *pa, const void *pb, void *ctx) {
    const order_state *st = ctx;
    const orow *a = *(orow *const *)pa, *b = *(orow *const *)pb;
    for (uint32_t k = 1; k < st->n_keys; k++) {
        int c = cmp_nullable(&a->v[k], &b->v[k]);
        if (c) return st->desc[k] ? -c : c;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sorts and emits the buffered group. */
static int flush(rt_op *op, eddy_err *err) {
    order_state *st = op->state;
    if (st->n == 0) return 0;
    qsort_r(st->rows, st->n, sizeof *st->rows, cmp_rows, st);
    int rc = 0;
    rt_batch_reset(st->out);
    for (size_t i = 0; i < st->n && rc == 0; i++) {
        if (rt_batch_room(st->out) == 0) {
            rc = rt_op_emit(op, st->out, err);
            rt_batch_reset(st->out);
            if (rc != 0) break;
        }
        const eddy_value *vals = st->rows[i]->v + st->n_keys;
        uint32_t d = rt_batch_begin_row(st->out, st->max_rt);
        for (uint32_t c = 0; c < op->n_out; c++) {
            const eddy_value *v = &vals[c];
            if (v->is_null) continue;
            switch (st->out->cols[c].phys) {
            case RT_PHYS_I64: rt_batch_set_i64(st->out, c, d, v->u.i); break;
            case RT_PHYS_F64: rt_batch_set_f64(st->out, c, d, v->u.d); break;
            case RT_PHYS_STR:
                if (rt_batch_set_str(st->out, c, d, v->u.s.p, v->u.s.n) != 0)
                    rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                break;
            }
        }
        rt_batch_commit_row(st->out);
    }
    if (rc == 0 && st->out->n_rows) rc = rt_op_emit(op, st->out, err);
    rt_batch_reset(st->out);
    for (size_t i = 0; i < st->n; i++) free(st->rows[i]);
    st->n = 0;
    return rc;
}

/* Remembers the leading value of a new group. */
static int set_cur(order_state *st, const eddy_value *v, eddy_err *err) {
    st->cur = *v;
    size_t need = str_bytes(v);
    if (need > st->cur_cap) {
        char *nb = realloc(st->cur_buf, need);
        if (!nb) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        st->cur_buf = nb;
        st->cur_cap = need;
    }
    char *p = st->cur_buf;
    own_str(&st->cur, &p);
    return 0;
}

static int order_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    order_state *st = op->state;
    const rt_vec *kv[64];
    memset(st->bad, 0, RT_BATCH_CAP);
    for (uint32_t k = 0; k < st->n_keys; k++) {
        const rt_row_error *errs;
        uint32_t n_errs;
        int rc = rt_expr_eval(st->keys[k], b, NULL, 0, &kv[k], &errs, &n_errs, err);
        if (rc != 0) return rc;
        for (uint32_t i = 0; i < n_errs; i++)
            if (!st->bad[errs[i].row]++) rt_op_row_error(op, b, errs[i].row, errs[i].name, errs[i].msg);
    }
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (st->bad[r]) continue;
        eddy_value keys[64];
        size_t bytes = 0;
        for (uint32_t k = 0; k < st->n_keys; k++) {
            rt_vec_get(kv[k], r, &keys[k]);
            bytes += str_bytes(&keys[k]);
        }
        if (st->n && cmp_nullable(&keys[0], &st->cur) != 0) {
            int rc = flush(op, err);
            if (rc != 0) return rc;
        }
        if (st->n == 0) {
            int rc = set_cur(st, &keys[0], err);
            if (rc != 0) return rc;
            st->max_rt = b->rowtime[r];
        }
        eddy_value vals[256];
        for (uint32_t c = 0; c < b->n_cols; c++) {
            rt_batch_get(b, c, r, &vals[c]);
            bytes += str_bytes(&vals[c]);
        }
        orow *o = malloc(sizeof *o + sizeof(eddy_value) * (st->n_keys + b->n_cols) + bytes);
        if (!o) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        o->rowtime = b->rowtime[r];
        o->seq = st->seq++;
        char *p = (char *)(o->v + st->n_keys + b->n_cols);
        for (uint32_t k = 0; k < st->n_keys; k++) {
            o->v[k] = keys[k];
            own_str(&o->v[k], &p);
        }
        for (uint32_t c = 0; c < b->n_cols; c++) {
            o->v[st->n_keys + c] = vals[c];
            own_str(&o->v[st->n_keys + c], &p);
        }
        if (st->n == st->cap) {
            size_t cap = st->cap ? st->cap * 2 : 256;
            orow **nr = realloc(st->rows, cap * sizeof *nr);
            if (!nr) {
                free(o);
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            }
            st->rows = nr;
            st->cap = cap;
        }
        st->rows[st->n++] = o;
        if (o->rowtime > st->max_rt) st->max_rt = o->rowtime;
    }
    return 0;
}

static int order_watermark(rt_op *op, int64_t wm, eddy_err *err) {
    order_state *st = op->state;
    if (st->n == 0 || wm <= st->max_rt) return 0;
    if (st->lead_window) return flush(op, err);
    if (!st->lead_probe) return 0;
    /* Probe the leading key at the watermark's time. */
    eddy_value at;
    if (rt_op_probe(st->keys[0], st->probe, wm, &at) != 0) return 0;
    return cmp_nullable(&at, &st->cur) != 0 ? flush(op, err) : 0;
}

static int order_finish(rt_op *op, eddy_err *err) { return flush(op, err); }

/* Buffered rows leave with at least the group's current latest ROWTIME. */
static int64_t order_map_wm(rt_op *op, int64_t wm) {
    const order_state *st = op->state;
    return st->n && st->max_rt < wm ? st->max_rt : wm;
}

static void order_end(rt_op *op) {
    order_state *st = op->state;
    for (size_t i = 0; i < st->n; i++) free(st->rows[i]);
    free(st->rows);
    for (uint32_t k = 0; k < st->n_keys; k++) rt_expr_free(st->keys[k]);
    rt_batch_release(st->out);
    rt_batch_release(st->probe);
    free(st->cur_buf);
    free(st->bad);
}

static const rt_op_vt order_vt = {"ORDER", order_push, order_watermark, order_finish, order_end, order_map_wm, NULL};

/* Whether a leading key over the node's input is that input's tumbling
 * window key, looking through projections and filters. */
static int is_window_key(const plan_expr *e, const plan_node *in) {
    while (e && e->kind == PX_COLUMN && in) {
        uint32_t i = e->u.col.index;
        if (in->kind == PLAN_PROJECT) {
            e = in->u.project.exprs[i];
        } else if (in->kind == PLAN_TUMBLE_AGG) {
            return i < in->u.tumble.n_keys && i == in->u.tumble.time_key.key_index;
        } else if (in->kind != PLAN_FILTER && in->kind != PLAN_DISTINCT) {
            return 0;
        }
        in = in->n_inputs ? in->inputs[0] : NULL;
    }
    return 0;
}

int rt_op_order_init(rt_op *op, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    if (op->n_out != op->n_in || op->n_in > 256 || n->u.order.n_keys == 0 || n->u.order.n_keys > 64)
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "unsupported ORDER BY shape");
    order_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    op->state = st;
    op->vt = &order_vt;
    st->n_keys = n->u.order.n_keys;
    st->keys = arena_calloc(a, sizeof(rt_expr *) * st->n_keys);
    st->desc = arena_calloc(a, st->n_keys);
    st->bad = calloc(RT_BATCH_CAP, 1);
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    st->probe = rt_batch_new(op->in_types, op->n_in, err);
    if (!st->keys || !st->desc || !st->bad || !st->out || !st->probe)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (uint32_t k = 0; k < st->n_keys; k++) {
        st->desc[k] = n->u.order.keys[k].desc;
        int rc = rt_expr_compile(n->u.order.keys[k].expr, op->in_types, op->n_in, &op->env, a, &st->keys[k], err);
        if (rc != 0) return rc;
    }
    st->lead_window = is_window_key(n->u.order.keys[0].expr, n->n_inputs ? n->inputs[0] : NULL);
    st->lead_probe = rt_plan_expr_time_only(n->u.order.keys[0].expr);
    return 0;
}
