/*
 * op_distinct.c — DISTINCT: SELECT STREAM DISTINCT (SQL.md §3.4).
 *
 * A streaming DISTINCT is over a monotonic key (the plan names the select
 * item, e.g. FLOOR(s.ROWTIME TO MINUTE), or ROWTIME for the rows of one
 * window): two rows can only be duplicates if they share its value, so the
 * operator remembers the rows of the current key value only (a keymap over
 * every column, NULL equal to NULL) and forgets them when the key moves on.
 * Memory is bounded by the rows of one key value. The first of a set of
 * duplicates is kept. For checkpoints the horizon is the ROWTIME of the
 * current key value's first row: reading again from there rebuilds what it
 * remembers.
 *
 * INTERFACE: rt_op_distinct_init (through rt_op_new).
 */
#include "op.h"

#include <stdlib.h>

#include "keymap_int.h"

typedef struct distinct_state {
    rt_keymap seen;
    uint32_t *cols;      /* 0..n_in-1: every column is a key */
    int64_t cur;          /* current value of the monotonic key */
    int64_t first_t;      /* ROWTIME of its first row */
    int any;
    int32_t mono_col;     /* column holding the key, or -1 for ROWTIME */
    rt_batch *out;
} distinct_state;

static int distinct_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    distinct_state *st = op->state;
    rt_batch_reset(st->out);
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        int64_t key = b->rowtime[r];
        if (st->mono_col >= 0) {
            const rt_column *mc = &b->cols[st->mono_col];
            key = rt_col_is_null(mc, r) ? INT64_MIN : mc->v.i64[r];
        }
        if (!st->any || key != st->cur) {
            rt_keymap_clear(&st->seen);
            st->cur = key;
            st->first_t = b->rowtime[r];
            st->any = 1;
        }
        uint32_t before = st->seen.n, id;
        int rc = rt_keymap_find_row(&st->seen, b, st->cols, r, &id, err);
        if (rc != 0) return rc;
        if (id < before) continue;
        if (rt_batch_copy_row(st->out, b, r) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return rt_op_emit(op, st->out, err);
}

static void distinct_end(rt_op *op) {
    distinct_state *st = op->state;
    rt_keymap_free(&st->seen);
    rt_batch_release(st->out);
}

static int distinct_horizon(rt_op *op, int64_t *from) {
    const distinct_state *st = op->state;
    if (!st->any) return 0;
    *from = st->first_t;
    return 1;
}

static const rt_op_vt distinct_vt = {"DISTINCT", distinct_push, NULL, NULL, distinct_end, NULL, distinct_horizon};

int rt_op_distinct_init(rt_op *op, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    if (op->n_out != op->n_in)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "DISTINCT output has %u columns, input %u",
                               op->n_out, op->n_in);
    if (op->n_in > RT_KEYMAP_MAX_KEYS)
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len,
                               "SELECT STREAM DISTINCT supports up to %u columns", RT_KEYMAP_MAX_KEYS);
    for (uint32_t c = 0; c < op->n_in; c++)
        if (rt_phys_of(op->in_types[c].id) != rt_phys_of(op->out_types[c].id))
            return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "DISTINCT changes column %u's storage", c);
    distinct_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    st->cols = arena_alloc(a, sizeof(uint32_t) * (op->n_in ? op->n_in : 1));
    if (!st->cols) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (uint32_t c = 0; c < op->n_in; c++) st->cols[c] = c;
    st->mono_col = n->u.distinct.mono_col;
    /* Monotonic keys of other storage (rare: a monotonic string) fall back
     * to ROWTIME, which is finer and so still correct per key value. */
    if (st->mono_col >= (int32_t)op->n_in || (st->mono_col >= 0 && rt_phys_of(op->in_types[st->mono_col].id) != RT_PHYS_I64))
        st->mono_col = -1;
    if (rt_keymap_init(&st->seen, op->in_types, op->n_in, 0, err) != 0) return err ? err->code : EDDY_E_NOMEM;
    st->out = rt_batch_new(op->in_types, op->n_in, err);
    if (!st->out) {
        rt_keymap_free(&st->seen);
        return err ? err->code : EDDY_E_NOMEM;
    }
    op->state = st;
    op->vt = &distinct_vt;
    return 0;
}
