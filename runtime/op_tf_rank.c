/*
 * op_tf_rank.c — GROUP_RANK(cursor, 'rankBy', 'rankOut', sortOrder,
 * outputOrder, maxIdle, outputMax) (SQL.md §6.2, "Sorting").
 *
 * Gathers the rows that share a ROWTIME, ranks them by one column (RANK:
 * equal values share a rank, the next rank skips; NULLs last), and emits
 * them with the rank appended: the first outputMax rows in rank order (0 =
 * all), in ascending or descending rank order. A group is complete when a
 * row with a later ROWTIME arrives or the watermark passes its ROWTIME
 * (which the sources' idle timeout also drives, so maxIdle needs no timer
 * of its own), or at the end of the input.
 *
 * INTERFACE: rt_tf_rank_init (through op_tablefn.c).
 */
#include "tablefn_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct rank_ref {
    eddy_value v;        /* the rank column (strings borrowed from the chunk) */
    uint32_t chunk, row;
    uint32_t seq;        /* arrival order: ties keep it */
} rank_ref;

typedef struct rank_state {
    int32_t col;
    int sort_desc, out_desc;
    int64_t out_max;
    rt_batch **chunks;   /* the group's rows, RT_BATCH_CAP per chunk */
    uint32_t n_chunks, cap_chunks;
    uint32_t n_rows;
    int64_t cur_rt;
    rank_ref *refs;
    uint32_t cap_refs;
    rt_batch *out;
} rank_state;

static int cmp_null_last(const eddy_value *a, const eddy_value *b, int desc) {
    if (a->is_null || b->is_null) return (int)a->is_null - (int)b->is_null;   /* NULLs last either way */
    return desc ? rt_value_cmp(b, a) : rt_value_cmp(a, b);
}

/* By the rank column; ties by the other columns in order, so that the
 * output does not depend on which shard's rows arrived first. */
static int cmp_rank(const void *pa, const void *pb, void *ctx) {
    const rank_ref *a = pa, *b = pb;
    const rank_state *st = ctx;
    int c = cmp_null_last(&a->v, &b->v, st->sort_desc);
    const rt_batch *ba = st->chunks[a->chunk], *bb = st->chunks[b->chunk];
    for (uint32_t col = 0; !c && col < ba->n_cols; col++) {
        if ((int32_t)col == st->col) continue;
        eddy_value x, y;
        rt_batch_get(ba, col, a->row, &x);
        rt_batch_get(bb, col, b->row, &y);
        c = cmp_null_last(&x, &y, 0);
    }
    if (c) return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int rank_equal(const rank_ref *a, const rank_ref *b) {
    if (a->v.is_null || b->v.is_null) return a->v.is_null && b->v.is_null;
    return rt_value_cmp(&a->v, &b->v) == 0;
}

static int rank_flush(rt_op *op, eddy_err *err) {
    rank_state *st = op->state;
    uint32_t n = st->n_rows;
    if (n == 0) return 0;
    if (n > st->cap_refs) {
        rank_ref *nr = realloc(st->refs, sizeof *nr * n);
        if (!nr) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        st->refs = nr;
        st->cap_refs = n;
    }
    for (uint32_t i = 0; i < n; i++) {
        rank_ref *r = &st->refs[i];
        r->chunk = i / RT_BATCH_CAP;
        r->row = i % RT_BATCH_CAP;
        r->seq = i;
        rt_batch_get(st->chunks[r->chunk], (uint32_t)st->col, r->row, &r->v);
    }
    qsort_r(st->refs, n, sizeof *st->refs, cmp_rank, st);
    uint32_t keep = st->out_max > 0 && (uint64_t)st->out_max < n ? (uint32_t)st->out_max : n;
    /* RANK of each kept row, in sorted order. */
    int64_t rank = 1;
    for (uint32_t i = 0; i < keep; i++) {
        if (i && !rank_equal(&st->refs[i], &st->refs[i - 1])) rank = i + 1;
        st->refs[i].seq = (uint32_t)rank;
    }
    int rc = 0;
    rt_batch_reset(st->out);
    for (uint32_t j = 0; j < keep && rc == 0; j++) {
        const rank_ref *r = &st->refs[st->out_desc ? keep - 1 - j : j];
        if (rt_batch_room(st->out) == 0) {
            rc = rt_op_emit(op, st->out, err);
            rt_batch_reset(st->out);
            if (rc != 0) break;
        }
        if (rt_batch_copy_row(st->out, st->chunks[r->chunk], r->row) != 0) {
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            break;
        }
        rt_batch_set_i64(st->out, op->n_in, st->out->n_rows - 1, r->seq);
    }
    if (rc == 0) rc = rt_op_emit(op, st->out, err);
    rt_batch_reset(st->out);
    for (uint32_t c = 0; c < st->n_chunks; c++) rt_batch_reset(st->chunks[c]);
    st->n_rows = 0;
    return rc;
}

static int rank_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    rank_state *st = op->state;
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (st->n_rows && b->rowtime[r] != st->cur_rt) {
            int rc = rank_flush(op, err);
            if (rc != 0) return rc;
        }
        st->cur_rt = b->rowtime[r];
        uint32_t c = st->n_rows / RT_BATCH_CAP;
        if (c == st->n_chunks) {
            if (st->n_chunks == st->cap_chunks) {
                uint32_t nc = st->cap_chunks ? 2 * st->cap_chunks : 4;
                rt_batch **ch = realloc(st->chunks, sizeof *ch * nc);
                if (!ch) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                st->chunks = ch;
                st->cap_chunks = nc;
            }
            if (!(st->chunks[st->n_chunks] = rt_batch_new(op->in_types, op->n_in, err)))
                return err->code ? err->code : EDDY_E_NOMEM;
            st->n_chunks++;
        }
        if (rt_batch_copy_row(st->chunks[c], b, r) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        st->n_rows++;
    }
    return 0;
}

static int rank_watermark(rt_op *op, int64_t wm, eddy_err *err) {
    rank_state *st = op->state;
    return st->n_rows && st->cur_rt < wm ? rank_flush(op, err) : 0;
}

static int rank_finish(rt_op *op, eddy_err *err) { return rank_flush(op, err); }

static void rank_end(rt_op *op) {
    rank_state *st = op->state;
    for (uint32_t c = 0; c < st->n_chunks; c++) rt_batch_release(st->chunks[c]);
    free(st->chunks);
    free(st->refs);
    rt_batch_release(st->out);
}

static const rt_op_vt rank_vt = {"GROUP_RANK", rank_push, rank_watermark, rank_finish, rank_end, NULL, NULL};

static int order_arg(rt_op *op, arena *a, uint32_t k, int *desc, eddy_err *err) {
    const char *s;
    int rc = rt_tf_arg_str(op, a, k, &s, err);
    if (rc != 0) return rc;
    if (s && (!strcasecmp(s, "asc") || !strcasecmp(s, "desc"))) {
        *desc = !strcasecmp(s, "desc");
        return 0;
    }
    const plan_expr *e = rt_tf_arg_expr(op, k);
    return eddy_err_set_at(err, EDDY_E_SEMANTIC, e ? e->off : op->node->off, e ? e->len : op->node->len,
                           "%s of GROUP_RANK must be 'asc' or 'desc'", k == 3 ? "sortOrder" : "outputOrder");
}

int rt_tf_rank_init(rt_op *op, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    rank_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    st->col = n->u.table_func.col;
    if (st->col < 0 || (uint32_t)st->col >= op->n_in || op->n_out != op->n_in + 1)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "GROUP_RANK was planned without its column");
    int64_t idle;
    int rc;
    if ((rc = order_arg(op, a, 3, &st->sort_desc, err)) || (rc = order_arg(op, a, 4, &st->out_desc, err)) ||
        (rc = rt_tf_arg_int(op, a, 5, 0, &idle, err)) || (rc = rt_tf_arg_int(op, a, 6, 0, &st->out_max, err)))
        return rc;
    if (!(st->out = rt_batch_new(op->out_types, op->n_out, err))) return err->code ? err->code : EDDY_E_NOMEM;
    op->state = st;
    op->vt = &rank_vt;
    return 0;
}
