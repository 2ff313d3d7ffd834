/*
 * op_join.c — joins: stream-to-stream with windows (PLAN_STREAM_JOIN,
 * SQL.md §5.2) and stream-to-table with reference data (PLAN_TABLE_JOIN,
 * §5.1).
 *
 * Stream-to-stream semantics implemented (KDA/SQLstream: at any time T each
 * side is the relation of its rows inside its window at T, and a row
 * arriving at T joins the other side's relation at T):
 *   - a row x of side S is in S's window at time T when
 *       RANGE d:  T - d <= x.ROWTIME <= T (bounds inclusive, Appendix A #1);
 *       NONE (no OVER: "only its current row"): x.ROWTIME = T;
 *       ROWS n:   x is one of the n+1 latest rows of S processed by T;
 *   - a pair (l, r) is joined when, at T = max(l.ROWTIME, r.ROWTIME), both
 *     are in their windows and the condition is TRUE. Output ROWTIME = T.
 *     Because matching depends only on ROWTIMEs (for RANGE/NONE), rows that
 *     arrive in either order give the same result;
 *   - rows are processed in ROWTIME order across both inputs (ties: left
 *     first), up to the minimum of the inputs' watermarks, so the output is
 *     in ascending ROWTIME whatever the relative pace of the inputs;
 *   - outer joins: a preserved row that leaves its own window without ever
 *     matching is emitted with NULLs for the other side, at the moment no
 *     later row could still match it: ROWTIME = its ROWTIME + its side's
 *     RANGE (NONE: its own ROWTIME; ROWS: the ROWTIME of the row that pushed
 *     it out, or of the last row at end of input). SQL.md §5.2 words this
 *     as "the upper bound of the other side's window"; the examples it
 *     summarises (a side with no window emits unmatched rows at once) are
 *     only consistent with the row's own window, which is what decides
 *     whether a future row can match, so that is what eddy does. The AWS
 *     tables that also list a matched order as unmatched (Appendix A #6)
 *     are not reproduced: a row that matched is never emitted with NULLs.
 *
 * Equality conjuncts of the condition between a left-only and a right-only
 * expression of the same type become hash keys: each side's window is
 * indexed on them and a probe walks one bucket; other joins scan the window.
 * The full condition is always evaluated on candidates, a batch of pairs at
 * a time. Memory is bounded by the windows (plus rows waiting for the other
 * input's watermark).
 *
 * Stream-to-table: push_side(1) loads the table (the application pushes the
 * reference rows once, before running, then finishes input 1); each stream
 * row then probes it and is emitted at once, keeping its ROWTIME (INNER or
 * LEFT). SEMI and ANTI (IN / EXISTS sub-queries) emit the stream row alone,
 * at its end marker, when some candidate matched (SEMI) or none did (ANTI).
 * NOT IN's ANTI condition hides its equalities under IS NOT FALSE; they are
 * hashed all the same (see table_push_side for the NULLs).
 */
#include <stdlib.h>
#include <string.h>

#include "op.h"

typedef struct jchunk {
    rt_batch *b;
    uint32_t refs;          /* rows stored in it not yet evicted */
} jchunk;

typedef struct jrow {
    int64_t rt;
    uint64_t hash;
    uint64_t next;          /* seq+1 of the previous row in its bucket; 0 = none */
    jchunk *chunk;
    uint16_t r;
    uint8_t matched;
    uint8_t has_key;        /* every key non-NULL: can match through the index */
    uint8_t key_failed;     /* a key failed to evaluate (reported when it came) */
} jrow;

typedef struct jside {
    plan_side_window w;
    const eddy_type *types;
    uint32_t n_cols;
    uint32_t off;           /* first column in the joined row */
    int outer;              /* unmatched rows are emitted with NULLs */
    jrow *rows;
    size_t cap;
    size_t head, proc, tail; /* [head,proc): in the window; [proc,tail): pending */
    uint64_t base;          /* seq of rows[0] */
    jchunk *cur;            /* chunk rows are appended to */
    rt_expr **keys;         /* n_keys_alloc expressions over this side's row */
    uint64_t *buckets;      /* seq+1 of the newest indexed row per bucket */
    uint32_t n_buckets;
    size_t n_indexed;       /* rows linked since the last rehash */
} jside;

typedef struct join_state {
    int table;              /* TABLE_JOIN */
    int out_rt;             /* the output ends with the inputs' ROWTIMEs (LEFT$ROWTIME, RIGHT$ROWTIME) */
    plan_join_kind kind;
    jside s[2];
    uint32_t n_keys;        /* 0 = no index: scan the window */
    int not_in;             /* ANTI on `where AND (keys) IS NOT FALSE` (NOT IN): see table_push_side */
    size_t *null_rows;      /* not_in: the table rows with a NULL key (not indexed) */
    size_t n_null_rows;
    uint32_t n_keys_alloc;
    rt_expr *cond;          /* over the pair row; NULL = TRUE */
    eddy_type *pair_types;
    uint32_t n_pair;        /* nl + nr + 2 (the sides' ROWTIMEs, for s.ROWTIME) */
    rt_batch *pairs;
    uint64_t *pa, *pb;      /* per pair row: left and right seq (table: stream ordinal) */
    uint8_t *pk;            /* 1 = outer marker (table join: emit if the row had no match) */
    uint16_t *sel;
    rt_batch *out;
    int64_t last_t;         /* ROWTIME of the last processed row */
    uint64_t ord;           /* table join: stream row ordinal */
    uint64_t cur_ord;
    int cur_matched;
    int table_dirty;        /* table rows were loaded since it was indexed */
    uint64_t *cand;         /* probe candidates (seqs) */
    size_t cap_cand;
} join_state;

/* ---------------------------------------------------------------- expressions */

/* Copies `e`, shifting column references by `shift` and, with rt_cols,
 * turning a side's ROWTIME (index 0/1) into the hidden column rt_cols+index. */
static plan_expr *xcopy(const plan_expr *e, arena *a, int64_t shift, int64_t rt_cols) {
    if (!e) return NULL;
    plan_expr *c = arena_alloc(a, sizeof *c);
    if (!c) return NULL;
    *c = *e;
    switch (e->kind) {
    case PX_LITERAL: break;
    case PX_COLUMN: c->u.col.index = (uint32_t)((int64_t)e->u.col.index + shift); break;
    case PX_ROWTIME:
        if (rt_cols >= 0 && e->u.col.index < 2) {
            c->kind = PX_COLUMN;
            c->u.col.index = (uint32_t)(rt_cols + e->u.col.index);
        }
        break;
    case PX_OP:
        for (uint32_t i = 0; i < e->u.op.n_args; i++)
            if (!(c->u.op.args[i] = xcopy(e->u.op.args[i], a, shift, rt_cols))) return NULL;
        break;
    case PX_CALL:
        c->u.call.args = arena_alloc(a, sizeof(plan_expr *) * (e->u.call.n_args ? e->u.call.n_args : 1));
        if (!c->u.call.args) return NULL;
        for (uint32_t i = 0; i < e->u.call.n_args; i++)
            if (!(c->u.call.args[i] = xcopy(e->u.call.args[i], a, shift, rt_cols))) return NULL;
        break;
    case PX_CAST:
        if (!(c->u.cast.arg = xcopy(e->u.cast.arg, a, shift, rt_cols))) return NULL;
        break;
    case PX_CASE: {
        uint32_t n = e->u.case_.n_whens;
        c->u.case_.whens = arena_alloc(a, sizeof(plan_expr *) * (n ? n : 1));
        c->u.case_.thens = arena_alloc(a, sizeof(plan_expr *) * (n ? n : 1));
        if (!c->u.case_.whens || !c->u.case_.thens) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            if (!(c->u.case_.whens[i] = xcopy(e->u.case_.whens[i], a, shift, rt_cols))) return NULL;
            if (!(c->u.case_.thens[i] = xcopy(e->u.case_.thens[i], a, shift, rt_cols))) return NULL;
        }
        if (e->u.case_.else_ && !(c->u.case_.else_ = xcopy(e->u.case_.else_, a, shift, rt_cols))) return NULL;
        break;
    }
    case PX_LIKE:
        if (!(c->u.like.arg = xcopy(e->u.like.arg, a, shift, rt_cols))) return NULL;
        if (!(c->u.like.pattern = xcopy(e->u.like.pattern, a, shift, rt_cols))) return NULL;
        if (e->u.like.escape && !(c->u.like.escape = xcopy(e->u.like.escape, a, shift, rt_cols))) return NULL;
        break;
    case PX_IN_LIST:
        if (!(c->u.in.arg = xcopy(e->u.in.arg, a, shift, rt_cols))) return NULL;
        c->u.in.list = arena_alloc(a, sizeof(plan_expr *) * (e->u.in.n_list ? e->u.in.n_list : 1));
        if (!c->u.in.list) return NULL;
        for (uint32_t i = 0; i < e->u.in.n_list; i++)
            if (!(c->u.in.list[i] = xcopy(e->u.in.list[i], a, shift, rt_cols))) return NULL;
        break;
    }
    return c;
}

/* Which side's columns `e` reads: bit 0 left, bit 1 right, bit 2 ROWTIME. */
static unsigned xsides(const plan_expr *e, uint32_t nl) {
    if (!e) return 0;
    unsigned m = 0;
    switch (e->kind) {
    case PX_LITERAL: return 0;
    case PX_COLUMN: return e->u.col.index < nl ? 1u : 2u;
    case PX_ROWTIME: return 4u;
    case PX_OP:
        for (uint32_t i = 0; i < e->u.op.n_args; i++) m |= xsides(e->u.op.args[i], nl);
        return m;
    case PX_CALL:
        for (uint32_t i = 0; i < e->u.call.n_args; i++) m |= xsides(e->u.call.args[i], nl);
        return m;
    case PX_CAST: return xsides(e->u.cast.arg, nl);
    case PX_CASE:
        for (uint32_t i = 0; i < e->u.case_.n_whens; i++)
            m |= xsides(e->u.case_.whens[i], nl) | xsides(e->u.case_.thens[i], nl);
        return m | xsides(e->u.case_.else_, nl);
    case PX_LIKE:
        return xsides(e->u.like.arg, nl) | xsides(e->u.like.pattern, nl) | xsides(e->u.like.escape, nl);
    case PX_IN_LIST:
        m = xsides(e->u.in.arg, nl);
        for (uint32_t i = 0; i < e->u.in.n_list; i++) m |= xsides(e->u.in.list[i], nl);
        return m;
    }
    return 4u;
}

#define MAX_KEYS 8

/* Collects equality conjuncts usable as hash keys: kl[i] over the left row,
 * kr[i] over the right row (unshifted). */
static void find_keys(const plan_expr *e, uint32_t nl, const plan_expr **kl, const plan_expr **kr,
                      uint32_t *n) {
    if (!e || e->kind != PX_OP) return;
    if (e->u.op.op == PLAN_OP_AND) {
        find_keys(e->u.op.args[0], nl, kl, kr, n);
        find_keys(e->u.op.args[1], nl, kl, kr, n);
        return;
    }
    if (e->u.op.op != PLAN_OP_EQ || *n == MAX_KEYS) return;
    const plan_expr *a = e->u.op.args[0], *b = e->u.op.args[1];
    unsigned sa = xsides(a, nl), sb = xsides(b, nl);
    if (sa == 2u && sb == 1u) {
        const plan_expr *t = a;
        a = b, b = t;
        sa = 1u, sb = 2u;
    }
    if (sa != 1u || sb != 2u) return;
    /* Equal values must hash alike: same type, so same representation. */
    if (a->type.id != b->type.id || a->type.scale != b->type.scale) return;
    kl[*n] = a;
    kr[*n] = b;
    (*n)++;
}

/* The `e IS NOT FALSE` among cond's AND-ed conjuncts, or NULL. */
static const plan_expr *find_is_not_false(const plan_expr *e) {
    if (!e || e->kind != PX_OP) return NULL;
    if (e->u.op.op == PLAN_OP_IS_NOT_FALSE) return e;
    if (e->u.op.op != PLAN_OP_AND) return NULL;
    const plan_expr *f = find_is_not_false(e->u.op.args[0]);
    return f ? f : find_is_not_false(e->u.op.args[1]);
}

/* ---------------------------------------------------------------- rows */

static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 29);
}

static uint64_t hash_bytes(const char *p, uint32_t n) {
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
    return h;
}

/* Computes each live row's key hash into hashes[row] / ok[row]: 1 = every
 * key has a value, 0 = some key is NULL, 2 = some key failed to evaluate
 * (reported here, once). */
static int eval_keys(rt_op *op, jside *sd, uint32_t n_keys, const rt_batch *b, uint64_t *hashes,
                     uint8_t *ok, eddy_err *err) {
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        hashes[r] = 0x12345;
        ok[r] = 1;
    }
    for (uint32_t k = 0; k < n_keys; k++) {
        const rt_vec *v;
        const rt_row_error *errs;
        uint32_t n_errs;
        int rc = rt_expr_eval(sd->keys[k], b, NULL, 0, &v, &errs, &n_errs, err);
        if (rc != 0) return rc;
        for (uint32_t e = 0; e < n_errs; e++) {
            if (ok[errs[e].row] != 2) rt_op_row_error(op, b, errs[e].row, errs[e].name, errs[e].msg);
            ok[errs[e].row] = 2;
        }
        for (uint32_t i = 0; i < live; i++) {
            uint32_t r = rt_batch_row(b, i);
            if (ok[r] != 1 || v->null[r]) {
                if (ok[r] == 1) ok[r] = 0;
                continue;
            }
            uint64_t x;
            switch (v->phys) {
            case RT_PHYS_I64: x = (uint64_t)v->v.i64[r]; break;
            case RT_PHYS_F64: {
                double d = v->v.f64[r] == 0 ? 0.0 : v->v.f64[r];   /* -0.0 = 0.0 */
                memcpy(&x, &d, sizeof x);
                break;
            }
            default: x = hash_bytes(v->v.str[r].p, v->v.str[r].n); break;
            }
            hashes[r] = mix(hashes[r], x);
        }
    }
    return 0;
}

static jrow *row_at(jside *sd, uint64_t seq) { return &sd->rows[seq - sd->base]; }

/* Appends the live rows of `b` (with their key hashes) as pending rows. */
static int side_append(rt_op *op, join_state *st, jside *sd, const rt_batch *b, eddy_err *err) {
    uint64_t hashes[RT_BATCH_CAP];
    uint8_t ok[RT_BATCH_CAP];
    if (st->n_keys) {
        int rc = eval_keys(op, sd, st->n_keys, b, hashes, ok, err);
        if (rc != 0) return rc;
    }
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (sd->tail == sd->cap) {
            if (sd->head > sd->cap / 2) {
                /* Reclaim evicted slots; seqs stay the same. */
                memmove(sd->rows, sd->rows + sd->head, sizeof(jrow) * (sd->tail - sd->head));
                sd->base += sd->head;
                sd->proc -= sd->head;
                sd->tail -= sd->head;
                sd->head = 0;
            } else {
                size_t nc = sd->cap ? sd->cap * 2 : 256;
                jrow *nr = realloc(sd->rows, sizeof(jrow) * nc);
                if (!nr) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                sd->rows = nr;
                sd->cap = nc;
            }
        }
        if (!sd->cur || rt_batch_room(sd->cur->b) == 0) {
            if (sd->cur && sd->cur->refs == 0) {
                rt_batch_release(sd->cur->b);
                free(sd->cur);
            }
            sd->cur = calloc(1, sizeof *sd->cur);
            if (!sd->cur) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            sd->cur->b = rt_batch_new(sd->types, sd->n_cols, err);
            if (!sd->cur->b) return err->code ? err->code : EDDY_E_NOMEM;
        }
        jrow *jr = &sd->rows[sd->tail];
        memset(jr, 0, sizeof *jr);
        jr->chunk = sd->cur;
        jr->r = (uint16_t)sd->cur->b->n_rows;
        jr->rt = b->rowtime[r];
        if (st->n_keys) {
            jr->hash = hashes[r];
            jr->has_key = ok[r] == 1;
            jr->key_failed = ok[r] == 2;
        }
        if (rt_batch_copy_row(sd->cur->b, b, r) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        sd->cur->refs++;
        sd->tail++;
    }
    return 0;
}

static int index_link(jside *sd, size_t idx, eddy_err *err);

static int rehash(jside *sd, eddy_err *err) {
    size_t live = sd->proc - sd->head;
    uint32_t nb = 64;
    while (nb < live * 2 && nb < (1u << 30)) nb *= 2;
    uint64_t *b = calloc(nb, sizeof *b);
    if (!b) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    free(sd->buckets);
    sd->buckets = b;
    sd->n_buckets = nb;
    sd->n_indexed = 0;
    for (size_t i = sd->head; i < sd->proc; i++) {
        int rc = index_link(sd, i, err);
        if (rc != 0) return rc;
    }
    return 0;
}

/* Links processed row `idx` into its bucket (newest first). */
static int index_link(jside *sd, size_t idx, eddy_err *err) {
    jrow *jr = &sd->rows[idx];
    if (!jr->has_key) return 0;
    /* Links are never removed (a walk stops at the first evicted row), so
     * the count includes evicted rows; rehashing sizes for the live ones. */
    if (!sd->buckets || sd->n_indexed >= (size_t)sd->n_buckets * 2) {
        size_t keep = sd->proc;
        sd->proc = idx;   /* rehash links [head, idx) */
        int rc = rehash(sd, err);
        sd->proc = keep;
        if (rc != 0) return rc;
    }
    uint64_t *bk = &sd->buckets[jr->hash & (sd->n_buckets - 1)];
    jr->next = *bk;
    *bk = sd->base + idx + 1;
    sd->n_indexed++;
    return 0;
}

/* ---------------------------------------------------------------- output */

static int copy_cols(rt_batch *dst, uint32_t d, uint32_t dc0, const rt_batch *src, uint32_t r, uint32_t n) {
    for (uint32_t c = 0; c < n; c++) {
        const rt_column *col = &src->cols[c];
        if (rt_col_is_null(col, r)) continue;
        switch (col->phys) {
        case RT_PHYS_I64: rt_batch_set_i64(dst, dc0 + c, d, col->v.i64[r]); break;
        case RT_PHYS_F64: rt_batch_set_f64(dst, dc0 + c, d, col->v.f64[r]); break;
        case RT_PHYS_STR:
            if (rt_batch_set_str(dst, dc0 + c, d, col->v.str[r].p, col->v.str[r].n) != 0) return EDDY_E_NOMEM;
            break;
        }
    }
    return 0;
}

static int emit_out(rt_op *op, join_state *st, eddy_err *err) {
    if (st->out->n_rows == 0) return 0;
    int rc = rt_op_emit(op, st->out, err);
    rt_batch_reset(st->out);
    return rc;
}

static int out_room(rt_op *op, join_state *st, eddy_err *err) {
    if (rt_batch_room(st->out) > 0) return 0;
    return emit_out(op, st, err);
}

/* A row joined with NULLs for the other side. */
static int emit_null_row(rt_op *op, join_state *st, const jside *sd, const rt_batch *b, uint32_t r,
                         int64_t rowtime, eddy_err *err) {
    int rc = out_room(op, st, err);
    if (rc != 0) return rc;
    uint32_t d = rt_batch_begin_row(st->out, rowtime);
    if (copy_cols(st->out, d, sd->off, b, r, sd->n_cols) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    if (st->out_rt) rt_batch_set_i64(st->out, st->s[0].n_cols + st->s[1].n_cols + (sd == &st->s[0] ? 0 : 1), d, b->rowtime[r]);
    rt_batch_commit_row(st->out);
    return 0;
}

/* Evaluates the condition over the pending pairs and emits the TRUE ones. */
static int flush_pairs(rt_op *op, join_state *st, eddy_err *err) {
    rt_batch *pb = st->pairs;
    if (pb->n_rows == 0) return 0;
    uint32_t n_eval = 0;
    for (uint32_t i = 0; i < pb->n_rows; i++)
        if (!st->pk[i]) st->sel[n_eval++] = (uint16_t)i;
    const rt_vec *v = NULL;
    if (st->cond && n_eval) {
        const rt_row_error *errs;
        uint32_t n_errs;
        int rc = rt_expr_eval(st->cond, pb, st->sel, n_eval, &v, &errs, &n_errs, err);
        if (rc != 0) return rc;
        /* Report without the hidden ROWTIME columns. */
        uint32_t keep = pb->n_cols;
        pb->n_cols = st->s[0].n_cols + st->s[1].n_cols;
        for (uint32_t e = 0; e < n_errs; e++) rt_op_row_error(op, pb, errs[e].row, errs[e].name, errs[e].msg);
        pb->n_cols = keep;
    }
    uint32_t nj = st->s[0].n_cols + st->s[1].n_cols;
    for (uint32_t i = 0; i < pb->n_rows; i++) {
        if (st->table && st->pa[i] != st->cur_ord) {
            st->cur_ord = st->pa[i];
            st->cur_matched = 0;
        }
        if (st->pk[i]) {
            /* Table join: the stream row's end; NULLs when nothing matched
             * (LEFT), the row alone when something did (SEMI) or nothing
             * did (ANTI). */
            if (st->kind == PLAN_JOIN_SEMI ? st->cur_matched : !st->cur_matched) {
                int rc = out_room(op, st, err);
                if (rc != 0) return rc;
                uint32_t d = rt_batch_begin_row(st->out, pb->rowtime[i]);
                if (copy_cols(st->out, d, 0, pb, i, st->s[0].n_cols) != 0)
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                if (st->out_rt && !rt_col_is_null(&pb->cols[nj], i))
                    rt_batch_set_i64(st->out, nj, d, pb->cols[nj].v.i64[i]);
                rt_batch_commit_row(st->out);
            }
            continue;
        }
        if (v && (v->null[i] || !v->v.i64[i])) continue;
        if (st->table) {
            st->cur_matched = 1;
            if (st->kind == PLAN_JOIN_SEMI || st->kind == PLAN_JOIN_ANTI) continue;
        } else {
            for (int s = 0; s < 2; s++) {
                jside *sd = &st->s[s];
                uint64_t seq = s == 0 ? st->pa[i] : st->pb[i];
                if (seq >= sd->base + sd->head && seq < sd->base + sd->tail) row_at(sd, seq)->matched = 1;
            }
        }
        int rc = out_room(op, st, err);
        if (rc != 0) return rc;
        uint32_t d = rt_batch_begin_row(st->out, pb->rowtime[i]);
        /* With the two inputs' ROWTIMEs (a table row has none). */
        if (copy_cols(st->out, d, 0, pb, i, st->out_rt && !st->table ? nj + 2 : st->out_rt ? nj + 1 : nj) != 0)
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        rt_batch_commit_row(st->out);
    }
    rt_batch_reset(pb);
    return 0;
}

/* Adds a candidate pair (left row lb/lr, right row rb/rr; rb NULL for a
 * table join's outer marker). */
static int add_pair(rt_op *op, join_state *st, const rt_batch *lb, uint32_t lr, int64_t lrt,
                    const rt_batch *rb, uint32_t rr, int64_t rrt, uint64_t a, uint64_t b, int64_t rowtime,
                    eddy_err *err) {
    rt_batch *pb = st->pairs;
    if (rt_batch_room(pb) == 0) {
        int rc = flush_pairs(op, st, err);
        if (rc != 0) return rc;
    }
    uint32_t d = rt_batch_begin_row(pb, rowtime);
    uint32_t nl = st->s[0].n_cols, nr = st->s[1].n_cols;
    if (copy_cols(pb, d, 0, lb, lr, nl) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    rt_batch_set_i64(pb, nl + nr, d, lrt);
    if (rb) {
        if (copy_cols(pb, d, nl, rb, rr, nr) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        rt_batch_set_i64(pb, nl + nr + 1, d, rrt);
    }
    st->pa[d] = a;
    st->pb[d] = b;
    st->pk[d] = rb == NULL;
    rt_batch_commit_row(pb);
    return 0;
}

/* ---------------------------------------------------------------- stream-stream */

/* Whether a row with ROWTIME rt is in its side's window at time T >= rt. */
static int in_window(const jside *sd, int64_t rt, int64_t T) {
    switch (sd->w.kind) {
    case PLAN_SIDE_RANGE: return rt >= T - sd->w.range_ms;
    case PLAN_SIDE_NONE: return rt == T;
    case PLAN_SIDE_ROWS: return 1;   /* the buffer holds the last n+1 rows */
    }
    return 0;
}

/* When the oldest windowed row of `sd` stops being able to match anything
 * if time reaches t; returns 1 and its emission ROWTIME. */
static int oldest_dead(const jside *sd, int64_t t, int all, int64_t *emit_rt) {
    if (sd->head == sd->proc) return 0;
    const jrow *o = &sd->rows[sd->head];
    int64_t until;   /* the last time it is still in its window */
    switch (sd->w.kind) {
    case PLAN_SIDE_RANGE: until = o->rt > INT64_MAX - sd->w.range_ms ? INT64_MAX : o->rt + sd->w.range_ms; break;
    case PLAN_SIDE_NONE: until = o->rt; break;
    default:
        /* ROWS: trimmed by count when rows arrive; at the end, now. */
        if (sd->proc - sd->head > (size_t)sd->w.rows + 1) {
            *emit_rt = t;
            return 1;
        }
        if (!all) return 0;
        *emit_rt = o->rt > t ? o->rt : t;
        return 1;
    }
    if (!all && until >= t) return 0;
    *emit_rt = until;
    return 1;
}

static void evict_front(jside *sd) {
    jrow *o = &sd->rows[sd->head++];
    jchunk *c = o->chunk;
    if (--c->refs == 0 && c != sd->cur) {
        rt_batch_release(c->b);
        free(c);
    }
}

/* Evicts rows that time t (or, with all, the end of input) has pushed out
 * of their windows, emitting unmatched outer rows in ROWTIME order. */
static int evict(rt_op *op, join_state *st, int64_t t, int all, eddy_err *err) {
    int flushed = 0;
    for (;;) {
        int64_t e0 = 0, e1 = 0;
        int d0 = oldest_dead(&st->s[0], t, all, &e0), d1 = oldest_dead(&st->s[1], t, all, &e1);
        if (!d0 && !d1) return 0;
        if (!flushed) {
            /* Matched flags and output order need the pending pairs first. */
            int rc = flush_pairs(op, st, err);
            if (rc != 0) return rc;
            flushed = 1;
        }
        int s = d0 && (!d1 || e0 <= e1) ? 0 : 1;
        jside *sd = &st->s[s];
        jrow *o = &sd->rows[sd->head];
        if (sd->outer && !o->matched) {
            int rc = emit_null_row(op, st, sd, o->chunk->b, o->r, s == 0 ? e0 : e1, err);
            if (rc != 0) return rc;
        }
        evict_front(sd);
    }
}

/* Processes pending row `idx` of side s: probe the other window, then
 * join its own. */
static int process_row(rt_op *op, join_state *st, int s, eddy_err *err) {
    jside *sd = &st->s[s], *od = &st->s[1 - s];
    size_t idx = sd->proc;
    int64_t t = sd->rows[idx].rt;
    if (t > st->last_t) st->last_t = t;
    int rc = evict(op, st, t, 0, err);
    if (rc != 0) return rc;
    jrow *x = &sd->rows[idx];
    uint64_t xseq = sd->base + idx;
    if (!st->n_keys || x->has_key) {
        /* Candidates oldest first: a bucket's chain runs newest first, so
         * collect it and walk it backwards. */
        size_t n_cand = 0;
        if (st->n_keys && od->buckets) {
            for (uint64_t cseq = od->buckets[x->hash & (od->n_buckets - 1)];
                 cseq && cseq - 1 >= od->base + od->head;) {
                jrow *o = row_at(od, cseq - 1);
                if (o->hash == x->hash) {
                    if (n_cand == st->cap_cand) {
                        size_t nc = st->cap_cand ? st->cap_cand * 2 : 64;
                        uint64_t *ncd = realloc(st->cand, sizeof *ncd * nc);
                        if (!ncd) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                        st->cand = ncd;
                        st->cap_cand = nc;
                    }
                    st->cand[n_cand++] = cseq - 1;
                }
                cseq = o->next;
            }
        }
        size_t ci = od->head;
        for (;;) {
            jrow *o;
            uint64_t oseq;
            if (st->n_keys) {
                if (n_cand == 0) break;
                oseq = st->cand[--n_cand];
                o = row_at(od, oseq);
            } else {
                if (ci >= od->proc) break;
                oseq = od->base + ci;
                o = &od->rows[ci++];
            }
            /* Both rows must be in their windows at the later one's time
             * (checking both keeps a late row from matching wrongly). */
            int64_t T = o->rt > t ? o->rt : t;
            if (!in_window(od, o->rt, T) || !in_window(sd, t, T)) continue;
            x = &sd->rows[idx];
            if (s == 0) rc = add_pair(op, st, x->chunk->b, x->r, x->rt, o->chunk->b, o->r, o->rt, xseq, oseq, T, err);
            else rc = add_pair(op, st, o->chunk->b, o->r, o->rt, x->chunk->b, x->r, x->rt, oseq, xseq, T, err);
            if (rc != 0) return rc;
        }
    }
    sd->proc++;
    if (st->n_keys) {
        rc = index_link(sd, idx, err);
        if (rc != 0) return rc;
    }
    /* ROWS windows shrink by count. */
    if (sd->w.kind == PLAN_SIDE_ROWS && sd->proc - sd->head > (size_t)sd->w.rows + 1) return evict(op, st, t, 0, err);
    return 0;
}

/* Processes pending rows of both sides with ROWTIME <= limit, in order. */
static int process(rt_op *op, join_state *st, int64_t limit, eddy_err *err) {
    for (;;) {
        jside *l = &st->s[0], *r = &st->s[1];
        int hl = l->proc < l->tail && l->rows[l->proc].rt <= limit;
        int hr = r->proc < r->tail && r->rows[r->proc].rt <= limit;
        if (!hl && !hr) break;
        int s = hl && (!hr || l->rows[l->proc].rt <= r->rows[r->proc].rt) ? 0 : 1;
        int rc = process_row(op, st, s, err);
        if (rc != 0) return rc;
    }
    return 0;
}

static int64_t sides_min_wm(const rt_op *op) {
    int64_t m = INT64_MAX;
    for (uint32_t i = 0; i < op->n_sides; i++)
        if (op->side_wm[i] < m) m = op->side_wm[i];
    return m;
}

static int finish_call(rt_op *op, join_state *st, int rc, eddy_err *err) {
    if (rc == 0) rc = flush_pairs(op, st, err);
    if (rc == 0) rc = emit_out(op, st, err);
    return rc;
}

static int join_push_side(rt_op *op, uint32_t side, const rt_batch *b, eddy_err *err) {
    join_state *st = op->state;
    int rc = side_append(op, st, &st->s[side], b, err);
    if (rc == 0) rc = process(op, st, sides_min_wm(op), err);
    return finish_call(op, st, rc, err);
}

static int join_watermark(rt_op *op, int64_t wm, eddy_err *err) {
    join_state *st = op->state;
    int rc = process(op, st, wm, err);
    if (rc == 0) rc = evict(op, st, wm, 0, err);
    return finish_call(op, st, rc, err);
}

static int join_finish(rt_op *op, eddy_err *err) {
    join_state *st = op->state;
    int rc = process(op, st, INT64_MAX, err);
    if (rc == 0) rc = evict(op, st, st->last_t, 1, err);
    return finish_call(op, st, rc, err);
}

/* ---------------------------------------------------------------- stream-table */

/* Indexes the whole table with every bucket's chain in load order, so
 * duplicate keys match in the order the reference data lists them. */
static int index_table(join_state *st, jside *td, eddy_err *err) {
    size_t n = td->proc - td->head;
    if (st->not_in) {
        free(st->null_rows);
        st->null_rows = NULL;
        st->n_null_rows = 0;
        size_t nn = 0;
        /* A table row whose key failed went to error_stream at load. */
        for (size_t i = td->head; i < td->proc; i++) nn += !td->rows[i].has_key && !td->rows[i].key_failed;
        if (nn && !(st->null_rows = malloc(nn * sizeof *st->null_rows)))
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        for (size_t i = td->head; i < td->proc; i++)
            if (!td->rows[i].has_key && !td->rows[i].key_failed) st->null_rows[st->n_null_rows++] = i;
    }
    uint32_t nb = 64;
    while (nb < n && nb < (1u << 30)) nb *= 2;
    uint64_t *b = calloc(nb, sizeof *b);
    if (!b) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    free(td->buckets);
    td->buckets = b;
    td->n_buckets = nb;
    for (size_t i = td->proc; i-- > td->head;) {
        jrow *jr = &td->rows[i];
        if (!jr->has_key) continue;
        uint64_t *bk = &b[jr->hash & (nb - 1)];
        jr->next = *bk;
        *bk = td->base + i + 1;
    }
    return 0;
}

static int table_push_side(rt_op *op, uint32_t side, const rt_batch *b, eddy_err *err) {
    join_state *st = op->state;
    jside *sd = &st->s[0], *td = &st->s[1];
    if (side == 1) {
        /* Loading the table; it is indexed at the first probe. */
        int rc = side_append(op, st, td, b, err);
        td->proc = td->tail;
        st->table_dirty = 1;
        return rc;
    }
    uint64_t hashes[RT_BATCH_CAP];
    uint8_t ok[RT_BATCH_CAP];
    int rc = 0;
    if (st->table_dirty && st->n_keys) {
        rc = index_table(st, td, err);
        if (rc != 0) return rc;
    }
    st->table_dirty = 0;
    if (st->n_keys) rc = eval_keys(op, sd, st->n_keys, b, hashes, ok, err);
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live && rc == 0; i++) {
        uint32_t r = rt_batch_row(b, i);
        /* IN / EXISTS / NOT IN are WHERE conditions: a row whose key failed
         * to evaluate went to error_stream, and goes no further. */
        if (st->n_keys && ok[r] == 2 && (st->kind == PLAN_JOIN_SEMI || st->kind == PLAN_JOIN_ANTI)) continue;
        uint64_t ord = ++st->ord;
        /* NOT IN: a NULL compares neither equal nor unequal, so it may stop
         * a row that no key equals. A stream row with a NULL key is held
         * against the whole table; any other against its bucket and the
         * table rows with a NULL key (every other row differs from it in
         * some key, which makes its condition FALSE). */
        if (!st->n_keys || (st->not_in && ok[r] == 0)) {
            /* An uncorrelated EXISTS (no condition) is settled by any one row. */
            int one = !st->cond && (st->kind == PLAN_JOIN_SEMI || st->kind == PLAN_JOIN_ANTI);
            for (size_t k = td->head; k < td->proc && rc == 0; k++) {
                jrow *o = &td->rows[k];
                rc = add_pair(op, st, b, r, b->rowtime[r], o->chunk->b, o->r, o->rt, ord, 0, b->rowtime[r], err);
                if (one) break;
            }
        } else if (ok[r] == 1 && td->buckets) {
            for (uint64_t cseq = td->buckets[hashes[r] & (td->n_buckets - 1)]; cseq && rc == 0;) {
                jrow *o = row_at(td, cseq - 1);
                cseq = o->next;
                if (o->hash != hashes[r]) continue;
                rc = add_pair(op, st, b, r, b->rowtime[r], o->chunk->b, o->r, o->rt, ord, 0, b->rowtime[r], err);
            }
            for (size_t k = 0; st->not_in && k < st->n_null_rows && rc == 0; k++) {
                jrow *o = &td->rows[st->null_rows[k]];
                rc = add_pair(op, st, b, r, b->rowtime[r], o->chunk->b, o->r, o->rt, ord, 0, b->rowtime[r], err);
            }
        }
        if (rc == 0 && (st->kind == PLAN_JOIN_LEFT || st->kind == PLAN_JOIN_SEMI || st->kind == PLAN_JOIN_ANTI))
            rc = add_pair(op, st, b, r, b->rowtime[r], NULL, 0, 0, ord, 0, b->rowtime[r], err);
    }
    return finish_call(op, st, rc, err);
}

static int table_finish(rt_op *op, eddy_err *err) { return finish_call(op, op->state, 0, err); }

/* ---------------------------------------------------------------- setup */

static void join_end(rt_op *op) {
    join_state *st = op->state;
    if (!st) return;
    for (int s = 0; s < 2; s++) {
        jside *sd = &st->s[s];
        while (sd->head < sd->tail) evict_front(sd);
        if (sd->cur) {
            rt_batch_release(sd->cur->b);
            free(sd->cur);
        }
        free(sd->rows);
        free(sd->buckets);
        for (uint32_t k = 0; sd->keys && k < st->n_keys_alloc; k++) rt_expr_free(sd->keys[k]);
    }
    rt_expr_free(st->cond);
    free(st->cand);
    free(st->null_rows);
    rt_batch_release(st->pairs);
    rt_batch_release(st->out);
    op->state = NULL;
}

static const rt_op_vt join_vt = {
    .name = "STREAM_JOIN",
    .watermark = join_watermark,
    .finish = join_finish,
    .end = join_end,
};

static const rt_op_vt table_join_vt = {
    .name = "TABLE_JOIN",
    .finish = table_finish,
    .end = join_end,
};

static int join_setup(rt_op *op, arena *a, int table, eddy_err *err) {
    const plan_node *n = op->node;
    if (n->n_inputs != 2 || op->n_sides != 2)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "a join needs two inputs");
    uint32_t nl = n->inputs[0]->out.n_cols, nr = n->inputs[1]->out.n_cols;
    int semi = n->u.join.kind == PLAN_JOIN_SEMI || n->u.join.kind == PLAN_JOIN_ANTI;
    if (nl + nr != op->n_in || (semi ? op->n_out != nl : nl + nr != op->n_out && nl + nr + 2 != op->n_out))
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "join input columns do not add up");
    if (semi && !table)
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "a sub-query over a stream is not supported");
    join_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    op->state = st;
    op->vt = table ? &table_join_vt : &join_vt;
    op->push_side = table ? table_push_side : join_push_side;
    st->table = table;
    st->out_rt = !semi && op->n_out == nl + nr + 2;
    st->kind = n->u.join.kind;
    st->last_t = INT64_MIN;
    for (int s = 0; s < 2; s++) {
        jside *sd = &st->s[s];
        sd->w = s == 0 ? n->u.join.left : n->u.join.right;
        sd->types = op->in_types + (s == 0 ? 0 : nl);
        sd->n_cols = s == 0 ? nl : nr;
        sd->off = s == 0 ? 0 : nl;
        sd->outer = st->kind == PLAN_JOIN_FULL || (s == 0 && st->kind == PLAN_JOIN_LEFT) ||
                    (s == 1 && st->kind == PLAN_JOIN_RIGHT);
        if (sd->w.kind == PLAN_SIDE_ROWS && sd->w.rows < 0) sd->w.rows = 0;
        if (sd->w.kind == PLAN_SIDE_RANGE && sd->w.range_ms < 0) sd->w.range_ms = 0;
    }
    if (table && (st->kind != PLAN_JOIN_INNER && st->kind != PLAN_JOIN_LEFT && st->kind != PLAN_JOIN_CROSS && !semi))
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len,
                               "a RIGHT or FULL join of a stream with a table is not supported");
    st->n_pair = nl + nr + 2;
    st->pair_types = arena_alloc(a, sizeof(eddy_type) * st->n_pair);
    if (!st->pair_types) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    memcpy(st->pair_types, op->in_types, sizeof(eddy_type) * (nl + nr));
    st->pair_types[nl + nr] = st->pair_types[nl + nr + 1] = (eddy_type){EDDY_T_TIMESTAMP, 0, 0};
    st->pairs = rt_batch_new(st->pair_types, st->n_pair, err);
    st->out = st->pairs ? rt_batch_new(op->out_types, op->n_out, err) : NULL;
    if (!st->out) return err->code ? err->code : EDDY_E_NOMEM;
    st->pa = arena_alloc(a, sizeof(uint64_t) * RT_BATCH_CAP);
    st->pb = arena_alloc(a, sizeof(uint64_t) * RT_BATCH_CAP);
    st->pk = arena_alloc(a, RT_BATCH_CAP);
    st->sel = arena_alloc(a, sizeof(uint16_t) * RT_BATCH_CAP);
    if (!st->pa || !st->pb || !st->pk || !st->sel) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    const plan_expr *cond = n->u.join.cond;
    if (cond) {
        plan_expr *c = xcopy(cond, a, 0, (int64_t)(nl + nr));
        if (!c) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        int rc = rt_expr_compile(c, st->pair_types, st->n_pair, &op->env, a, &st->cond, err);
        if (rc != 0) return rc;
        const plan_expr *kl[MAX_KEYS], *kr[MAX_KEYS];
        uint32_t nk = 0;
        find_keys(cond, nl, kl, kr, &nk);
        if (nk == 0 && st->kind == PLAN_JOIN_ANTI) {
            /* NOT IN's `(x = c ...) IS NOT FALSE`: with no NULL key on
             * either side it is x = c, so those equalities index the table
             * too (table_push_side scans when a key is NULL). */
            const plan_expr *nf = find_is_not_false(cond);
            if (nf) find_keys(nf->u.op.args[0], nl, kl, kr, &nk);
            st->not_in = nk > 0;
        }
        for (int s = 0; s < 2; s++) {
            st->s[s].keys = arena_calloc(a, sizeof(rt_expr *) * (nk ? nk : 1));
            if (!st->s[s].keys) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        }
        st->n_keys_alloc = nk;
        for (uint32_t k = 0; k < nk; k++) {
            plan_expr *el = xcopy(kl[k], a, 0, -1), *er = xcopy(kr[k], a, -(int64_t)nl, -1);
            if (!el || !er) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            rc = rt_expr_compile(el, st->s[0].types, nl, &op->env, a, &st->s[0].keys[k], err);
            if (rc == 0) rc = rt_expr_compile(er, st->s[1].types, nr, &op->env, a, &st->s[1].keys[k], err);
            if (rc != 0) return rc;
        }
        st->n_keys = nk;
    }
    return 0;
}

size_t rt_op_join_buffered(const rt_op *op, uint32_t side) {
    const join_state *st = op->state;
    if (!st || side > 1 || (op->vt != &join_vt && op->vt != &table_join_vt)) return 0;
    return st->s[side].tail - st->s[side].head;
}

int rt_op_join_init(rt_op *op, arena *a, eddy_err *err) {
    int rc = join_setup(op, a, 0, err);
    if (rc != 0) join_end(op);
    return rc;
}

int rt_op_table_join_init(rt_op *op, arena *a, eddy_err *err) {
    int rc = join_setup(op, a, 1, err);
    if (rc != 0) join_end(op);
    return rc;
}
