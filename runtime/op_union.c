/*
 * op_union.c — UNION ALL of N streams, merged in ROWTIME order
 * (SQL.md §2.6).
 *
 * Each input's rows are queued as they arrive. A row is released once no
 * input can still deliver an earlier one: its ROWTIME is <= the minimum of
 * the inputs' watermarks (a finished input counts as +infinity). Released
 * rows are merged by ROWTIME, ties going to the lower input number, so the
 * output is ordered whatever the relative pace of the inputs. finish()
 * releases everything. Memory grows with how far the fastest input runs
 * ahead of the slowest one's watermark; that is inherent to an ordered merge.
 */
#include <stdlib.h>
#include <string.h>

#include "op.h"

/* One input's queue: batches of copied rows, consumed from the front. */
typedef struct uq {
    rt_batch **b;
    size_t n, cap, head;   /* batches b[head..n) are live */
    uint32_t pos;          /* next row of b[head] */
} uq;

typedef struct union_state {
    uq *q;                 /* one per input */
    rt_batch *out;
} union_state;

static int uq_push(rt_op *op, uq *q, const rt_batch *src, eddy_err *err) {
    uint32_t live = rt_batch_live(src);
    for (uint32_t i = 0; i < live; i++) {
        if (q->n == q->head || rt_batch_room(q->b[q->n - 1]) == 0) {
            if (q->head > 0 && q->head == q->n) {
                /* Everything consumed: start over at the front. */
                q->n = q->head = 0;
            }
            if (q->n == q->cap) {
                if (q->head > 0) {
                    memmove(q->b, q->b + q->head, sizeof(rt_batch *) * (q->n - q->head));
                    q->n -= q->head;
                    q->head = 0;
                } else {
                    size_t nc = q->cap ? q->cap * 2 : 4;
                    rt_batch **nb = realloc(q->b, sizeof(rt_batch *) * nc);
                    if (!nb) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                    q->b = nb;
                    q->cap = nc;
                }
            }
            rt_batch *nb = rt_batch_new(op->out_types, op->n_out, err);
            if (!nb) return err->code ? err->code : EDDY_E_NOMEM;
            q->b[q->n++] = nb;
        }
        if (rt_batch_copy_row(q->b[q->n - 1], src, rt_batch_row(src, i)) != 0)
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}

/* The queue's first row, or NULL (with *r unset) when it is empty. */
static rt_batch *uq_front(uq *q, uint32_t *r) {
    while (q->head < q->n) {
        rt_batch *b = q->b[q->head];
        if (q->pos < b->n_rows) {
            *r = q->pos;
            return b;
        }
        if (q->head + 1 == q->n) {
            if (rt_batch_room(b) > 0) return NULL;   /* the tail batch can still grow */
        }
        rt_batch_release(b);
        q->b[q->head++] = NULL;
        q->pos = 0;
    }
    return NULL;
}

static int emit_out(rt_op *op, union_state *s, eddy_err *err) {
    if (s->out->n_rows == 0) return 0;
    int rc = rt_op_emit(op, s->out, err);
    rt_batch_reset(s->out);
    return rc;
}

/* Releases queued rows with ROWTIME <= limit in merged order. */
static int release(rt_op *op, int64_t limit, eddy_err *err) {
    union_state *s = op->state;
    for (;;) {
        int best = -1;
        rt_batch *bb = NULL;
        uint32_t br = 0;
        for (uint32_t i = 0; i < op->n_sides; i++) {
            uint32_t r;
            rt_batch *b = uq_front(&s->q[i], &r);
            if (!b || b->rowtime[r] > limit) continue;
            if (best < 0 || b->rowtime[r] < bb->rowtime[br]) best = (int)i, bb = b, br = r;
        }
        if (best < 0) break;
        if (rt_batch_room(s->out) == 0) {
            int rc = emit_out(op, s, err);
            if (rc != 0) return rc;
        }
        if (rt_batch_copy_row(s->out, bb, br) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        s->q[best].pos++;
    }
    return emit_out(op, s, err);
}

static int64_t min_side_wm(const rt_op *op) {
    int64_t m = INT64_MAX;
    for (uint32_t i = 0; i < op->n_sides; i++)
        if (op->side_wm[i] < m) m = op->side_wm[i];
    return m;
}

static int union_push_side(rt_op *op, uint32_t side, const rt_batch *b, eddy_err *err) {
    union_state *s = op->state;
    int rc = uq_push(op, &s->q[side], b, err);
    if (rc != 0) return rc;
    return release(op, min_side_wm(op), err);
}

static int union_watermark(rt_op *op, int64_t wm, eddy_err *err) { return release(op, wm, err); }

static int union_finish(rt_op *op, eddy_err *err) { return release(op, INT64_MAX, err); }

static void union_end(rt_op *op) {
    union_state *s = op->state;
    if (!s) return;
    for (uint32_t i = 0; i < op->n_sides; i++) {
        for (size_t k = s->q[i].head; k < s->q[i].n; k++) rt_batch_release(s->q[i].b[k]);
        free(s->q[i].b);
    }
    rt_batch_release(s->out);
    op->state = NULL;
}

static const rt_op_vt union_vt = {
    .name = "UNION_ALL",
    .watermark = union_watermark,
    .finish = union_finish,
    .end = union_end,
};

int rt_op_union_init(rt_op *op, arena *a, eddy_err *err) {
    union_state *s = arena_calloc(a, sizeof *s);
    if (!s || op->n_sides == 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    s->q = arena_calloc(a, sizeof(uq) * op->n_sides);
    if (!s->q) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    s->out = rt_batch_new(op->out_types, op->n_out, err);
    if (!s->out) return err->code ? err->code : EDDY_E_NOMEM;
    op->state = s;
    op->vt = &union_vt;
    op->push_side = union_push_side;
    return 0;
}
