/*
 * op_tsort.c — TSORT: ORDER BY ts WITHIN INTERVAL (SQL.md §3.5).
 *
 * Re-orders slightly unordered input by a TIMESTAMP expression. Rows wait in
 * a min-heap ordered by (ts, arrival), so equal timestamps keep their
 * arrival order. The operator's own watermark is the largest ts seen minus
 * `within`: rows with ts <= it are released in ts order, with ROWTIME = ts;
 * a row arriving with ts below it can no longer be placed and goes to
 * error_stream as LATE_ROW. Rows whose ts is NULL are discarded, as the
 * dialect says. Incoming watermarks are ignored (they speak of the old
 * ROWTIME); finish releases everything still buffered.
 *
 * Each buffered row is one heap block: a header, the values, then copies of
 * its string bytes.
 *
 * INTERFACE: rt_op_tsort_init (through rt_op_new).
 */
#include "op.h"

#include <stdlib.h>
#include <string.h>

typedef struct trow {
    int64_t ts;
    uint64_t seq;
    eddy_value vals[];   /* n_in values; strings point after them */
} trow;

typedef struct tsort_state {
    rt_expr *key;
    int64_t within;
    trow **heap;
    size_t n, cap;
    uint64_t seq;
    int64_t max_ts;
    int any;
    rt_batch *out;
    uint8_t *bad;        /* per batch row: its key raised an error */
} tsort_state;

/* max_ts - within without wrapping below INT64_MIN. */
static int64_t horizon(const tsort_state *st) {
    return st->max_ts < INT64_MIN + st->within ? INT64_MIN : st->max_ts - st->within;
}

static int before(const trow *a, const trow *b) { return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq); }

static void sift_up(trow **h, size_t i) {
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(h[i], h[p])) break;
        trow *t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static void sift_down(trow **h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && before(h[l], h[m])) m = l;
        if (l + 1 < n && before(h[l + 1], h[m])) m = l + 1;
        if (m == i) return;
        trow *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Copies row r of b (ts already known) into a heap block. */
static trow *row_copy(const rt_op *op, const rt_batch *b, uint32_t r, int64_t ts, uint64_t seq) {
    size_t bytes = 0;
    for (uint32_t c = 0; c < b->n_cols; c++)
        if (b->cols[c].phys == RT_PHYS_STR && !rt_col_is_null(&b->cols[c], r)) bytes += b->cols[c].v.str[r].n;
    trow *t = malloc(sizeof *t + sizeof(eddy_value) * b->n_cols + bytes);
    if (!t) return NULL;
    t->ts = ts;
    t->seq = seq;
    char *p = (char *)(t->vals + b->n_cols);
    for (uint32_t c = 0; c < b->n_cols; c++) {
        rt_batch_get(b, c, r, &t->vals[c]);
        if (!t->vals[c].is_null && b->cols[c].phys == RT_PHYS_STR) {
            if (t->vals[c].u.s.n) memcpy(p, t->vals[c].u.s.p, t->vals[c].u.s.n);
            t->vals[c].u.s.p = p;
            p += t->vals[c].u.s.n;
        }
    }
    return t;
}

static int flush(rt_op *op, eddy_err *err) {
    tsort_state *st = op->state;
    int rc = rt_op_emit(op, st->out, err);
    rt_batch_reset(st->out);
    return rc;
}

/* Releases buffered rows with ts <= upto, in order. */
static int release(rt_op *op, int64_t upto, eddy_err *err) {
    tsort_state *st = op->state;
    rt_batch_reset(st->out);
    while (st->n && st->heap[0]->ts <= upto) {
        trow *t = st->heap[0];
        st->heap[0] = st->heap[--st->n];
        sift_down(st->heap, st->n, 0);
        if (rt_batch_room(st->out) == 0) {
            int rc = flush(op, err);
            if (rc != 0) {
                free(t);
                return rc;
            }
        }
        uint32_t d = rt_batch_begin_row(st->out, t->ts);
        for (uint32_t c = 0; c < op->n_out; c++) {
            const eddy_value *v = &t->vals[c];
            if (v->is_null) continue;
            switch (st->out->cols[c].phys) {
            case RT_PHYS_I64: rt_batch_set_i64(st->out, c, d, v->u.i); break;
            case RT_PHYS_F64: rt_batch_set_f64(st->out, c, d, v->u.d); break;
            case RT_PHYS_STR:
                if (rt_batch_set_str(st->out, c, d, v->u.s.p, v->u.s.n) != 0) {
                    free(t);
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                }
                break;
            }
        }
        rt_batch_commit_row(st->out);
        free(t);
    }
    return st->out->n_rows ? flush(op, err) : 0;
}

static int tsort_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    tsort_state *st = op->state;
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs;
    int rc = rt_expr_eval(st->key, b, NULL, 0, &v, &errs, &n_errs, err);
    if (rc != 0) return rc;
    memset(st->bad, 0, RT_BATCH_CAP);
    for (uint32_t i = 0; i < n_errs; i++)
        if (!st->bad[errs[i].row]++) rt_op_row_error(op, b, errs[i].row, errs[i].name, errs[i].msg);
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (st->bad[r] || v->null[r]) continue;
        int64_t ts = v->v.i64[r];
        if (st->any && ts < horizon(st)) {
            rt_op_row_error(op, b, r, "LATE_ROW", "row is older than the ORDER BY ... WITHIN interval allows");
            continue;
        }
        if (!st->any || ts > st->max_ts) st->max_ts = ts;
        st->any = 1;
        if (st->n == st->cap) {
            size_t cap = st->cap ? st->cap * 2 : 256;
            trow **nh = realloc(st->heap, cap * sizeof *nh);
            if (!nh) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            st->heap = nh;
            st->cap = cap;
        }
        trow *t = row_copy(op, b, r, ts, st->seq++);
        if (!t) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        st->heap[st->n] = t;
        sift_up(st->heap, st->n++);
    }
    if (!st->any) return 0;
    return release(op, horizon(st), err);
}

static int tsort_watermark(rt_op *op, int64_t wm, eddy_err *err) { return 0; }

static int tsort_finish(rt_op *op, eddy_err *err) { return release(op, INT64_MAX, err); }

static void tsort_end(rt_op *op) {
    tsort_state *st = op->state;
    for (size_t i = 0; i < st->n; i++) free(st->heap[i]);
    free(st->heap);
    rt_expr_free(st->key);
    rt_batch_release(st->out);
    free(st->bad);
}

/* Rows at or below the horizon have been released; nothing older will
 * come out, whatever the upstream watermark says. */
static int64_t tsort_map_wm(rt_op *op, int64_t wm) {
    const tsort_state *st = op->state;
    (void)wm;
    return st->any ? horizon(st) : INT64_MIN;
}

static const rt_op_vt tsort_vt = {"TSORT", tsort_push, tsort_watermark, tsort_finish, tsort_end, tsort_map_wm, NULL};

int rt_op_tsort_init(rt_op *op, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    if (op->n_out != op->n_in)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "TSORT output has %u columns, input %u",
                               op->n_out, op->n_in);
    for (uint32_t c = 0; c < op->n_in; c++)
        if (rt_phys_of(op->in_types[c].id) != rt_phys_of(op->out_types[c].id))
            return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "TSORT changes column %u's storage", c);
    if (!n->u.tsort.key || n->u.tsort.key->type.id != EDDY_T_TIMESTAMP)
        return eddy_err_set_at(err, EDDY_E_SEMANTIC, n->off, n->len, "ORDER BY ... WITHIN needs a TIMESTAMP");
    if (n->u.tsort.within_ms < 0)
        return eddy_err_set_at(err, EDDY_E_SEMANTIC, n->off, n->len, "the WITHIN interval cannot be negative");
    tsort_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    st->within = n->u.tsort.within_ms;
    int rc = rt_expr_compile(n->u.tsort.key, op->in_types, op->n_in, &op->env, a, &st->key, err);
    if (rc != 0) return rc;
    op->state = st;
    op->vt = &tsort_vt;
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    st->bad = calloc(RT_BATCH_CAP, 1);
    if (!st->out || !st->bad) {
        tsort_end(op);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}
