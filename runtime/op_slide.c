/*
 * op_slide.c — SLIDE_AGG: KDA per-row sliding windows (OVER ... RANGE /
 * ROWS ... PRECEDING, SQL.md §4.2).
 *
 * One output row per input row: the input columns, then one column per
 * aggregate computed over that row's window in its partition, the current
 * row included; the row keeps its ROWTIME. The window state is rt_slide
 * (window_state.h): one instance per distinct window of the node, so
 * aggregates sharing a window share one FIFO per partition, and each row
 * costs constant amortised work (retract on evict for COUNT/SUM/AVG/VAR,
 * monotonic deques for MIN/MAX).
 *
 * Equal ROWTIMEs: with RANGE, a row sees every row with ROWTIME >= t - range
 * that has arrived so far, i.e. itself and earlier rows with the same
 * ROWTIME, but not those that arrive after it (they are not known yet and
 * the operator emits immediately, as KDA does). With ROWS, arrival order
 * decides.
 *
 * Per batch: evaluate the partition keys and aggregate arguments of every
 * window into a scratch batch per window (keys then arguments), step the
 * window state into a result batch per window, then assemble the output
 * rows. A window whose keys and arguments are all plain columns (the usual
 * case) is "direct": its state reads the input batch itself (or a copy of
 * its good rows when some rows were dropped), with no evaluation or copy.
 * A row whose expressions raise an error, or whose ROWTIME is older than an
 * earlier row's, goes to error_stream and produces no output. The output
 * batch is assembled column by column (input columns, then results) when
 * every good row comes out and no column changes type, the usual case;
 * otherwise cell by cell, skipping the rows whose results failed.
 *
 * LAG(x, n, default) and NTH_VALUE(x, n) [FROM LAST] need rows by position,
 * which rt_slide does not expose, so a window with such calls also keeps a
 * "positional" FIFO per partition here: ROWTIME, NULL mask and one 8-byte
 * value per positional call. It holds the rows of the frame; the frame's
 * first entry is tracked by an index that only moves forward, so each row
 * costs O(1) amortised work. LAG reads inside the frame only: the row n
 * back must be in the window, else LAG gives its default (the KDA
 * reference: the default is "returned if the record queried falls outside
 * the window").
 *
 * With IGNORE NULLS a call also keeps, per partition, a ring of its own
 * non-NULL values (value and row number): LAG's holds the last n before the
 * current row, however many NULLs lie between (the n-th back must still be
 * in the frame); NTH_VALUE's holds those of the frame, so the n-th from
 * either end is read off directly.
 *
 * INTERFACE: rt_op_slide_init (through rt_op_new).
 */
#include "op.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agg.h"
#include "keymap_int.h"
#include "window_state.h"

/* A LAG or NTH_VALUE call of a window. */
typedef struct pos_agg {
    int lag;                 /* 1: LAG; 0: NTH_VALUE */
    int from_last;           /* NTH_VALUE ... FROM LAST */
    int ignore_nulls;
    int64_t n;               /* offset (LAG) or position (NTH_VALUE, 1-based) */
    rt_expr *arg, *dflt;     /* dflt: LAG's default, may be NULL */
    const rt_vec *av, *dv;
    eddy_type type;          /* argument type = result type */
} pos_agg;

/* The non-NULL values of one IGNORE NULLS call in one partition. */
typedef struct nn_ring {
    uint64_t *v, *rowno;     /* value word (a kept string for strings); row number */
    uint32_t head, len, cap; /* cap is a power of two */
} nn_ring;

/* Positional FIFO of one partition (keymap payload). */
typedef struct pos_part {
    uint64_t *buf;           /* entries of pos_words words */
    uint32_t head, len, cap; /* cap is a power of two */
    uint32_t fstart;         /* index (from head) of the frame's first row */
    uint64_t rows;           /* rows ever pushed: the next row's number */
    nn_ring *nn;             /* per call, when the window has IGNORE NULLS calls */
} pos_part;

typedef struct slide_win {
    const plan_window *pw;
    rt_slide *state;         /* NULL when the window has only positional calls */
    pos_agg *pos;            /* positional calls, in node order */
    uint32_t n_pos;
    rt_keymap pos_map;       /* partitions of the positional FIFO */
    int pos_map_init;
    uint32_t pos_words;
    int any_nn;              /* some call has IGNORE NULLS */
    uint32_t *key_cols;
    rt_window_spec spec;     /* of `state`, to rebuild it empty */
    rt_slide_frame frame;
    rt_batch *pres;          /* one column per positional call */
    uint32_t n_keys, n_aggs; /* n_aggs: calls kept by rt_slide */
    rt_expr **keys;          /* partition expressions */
    rt_expr **args;          /* per rt_slide call; NULL for COUNT(*) */
    eddy_type *scratch_types;
    eddy_type *key_types;
    int direct;              /* keys and arguments are input columns */
    rt_batch *scratch;       /* keys then rt_slide arguments of the good rows */
    rt_batch *res;           /* one column per rt_slide call */
    const rt_vec **kv, **av; /* evaluation results of the current batch */
} slide_win;

typedef struct slide_state {
    slide_win *wins;
    uint32_t n_wins;
    uint32_t *win_of, *col_of;   /* per node aggregate: window and result column */
    uint8_t *is_pos;             /* per node aggregate: positional (result in pres) */
    rt_batch *out;
    uint8_t *bad;                /* per input row index: dropped */
    uint8_t *res_bad;            /* per scratch row: a result could not be produced */
    uint16_t *src;               /* scratch row -> input row */
    rt_batch *good;              /* good input rows, for direct windows */
    int64_t last_t;
    int any;
    int same_types;              /* every output column has its source's type */
    uint32_t n_res_bad;          /* rows of this batch with res_bad set */
    /* Context of the current rt_slide_step for on_err. */
    const rt_batch *cur_in;
    uint32_t cur_row;            /* input row being assembled */
    slide_win *cur_win;
} slide_state;

/* Whether `name` is a positional call; *lag says which. */
static int positional(const char *name, int *lag) {
    if (strcasecmp(name, "LAG") == 0) return *lag = 1, 1;
    if (strcasecmp(name, "NTH_VALUE") == 0) return *lag = 0, 1;
    return 0;
}

/* Writes value v (of type `from`) into row r column c of `dst` as type `to`.
 * Returns 0, EDDY_E_RUNTIME (cast failed; msg in cerr) or EDDY_E_NOMEM. */
static int put_converted(rt_batch *dst, uint32_t c, uint32_t r, const eddy_value *v, eddy_type from, eddy_type to,
                         eddy_err *cerr) {
    if (v->is_null) return 0;
    eddy_value cv = *v;
    if (from.id != to.id || from.scale != to.scale) {
        if (rt_cast_value(v, from, to, &cv, &dst->strings, cerr) != 0) return EDDY_E_RUNTIME;
    }
    switch (rt_phys_of(to.id)) {
    case RT_PHYS_STR: return rt_batch_set_str(dst, c, r, cv.u.s.p, cv.u.s.n) != 0 ? EDDY_E_NOMEM : 0;
    case RT_PHYS_F64: rt_batch_set_f64(dst, c, r, cv.u.d); return 0;
    case RT_PHYS_I64: rt_batch_set_i64(dst, c, r, cv.u.i); return 0;
    }
    return 0;
}

/* Copies cell (sr, sc) of `src` to (o, c) of `out`, converting to the
 * output column's type when it differs. A failed conversion is reported
 * against the current input row and returns EDDY_E_RUNTIME; EDDY_E_NOMEM
 * sets err. */
static int put_cell(rt_op *op, rt_batch *out, uint32_t c, uint32_t o, const rt_batch *src, uint32_t sc, uint32_t sr,
                    eddy_err *err) {
    const rt_column *col = &src->cols[sc];
    if (rt_col_is_null(col, sr)) return 0;
    eddy_type from = col->type, to = out->cols[c].type;
    if (from.id == to.id && from.scale == to.scale) {
        /* Same type: a plain copy (the common case, kept cheap). */
        switch (col->phys) {
        case RT_PHYS_I64: rt_batch_set_i64(out, c, o, col->v.i64[sr]); return 0;
        case RT_PHYS_F64: rt_batch_set_f64(out, c, o, col->v.f64[sr]); return 0;
        case RT_PHYS_STR:
            if (rt_batch_set_str(out, c, o, col->v.str[sr].p, col->v.str[sr].n) != 0)
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            return 0;
        }
    }
    slide_state *st = op->state;
    eddy_value v = {0};
    rt_batch_get(src, sc, sr, &v);
    eddy_err cerr;
    eddy_err_clear(&cerr);
    int rc = put_converted(out, c, o, &v, from, to, &cerr);
    if (rc == EDDY_E_NOMEM) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    if (rc != 0) rt_op_row_error(op, st->cur_in, st->cur_row, "CAST_ERROR", cerr.msg);
    return rc;
}

/* rt_slide reports a result it could not produce while the row is begun in
 * the result batch: that row is res->n_rows. */
static void on_slide_error(void *ud, uint32_t part, const eddy_err *e) {
    rt_op *op = ud;
    slide_state *st = op->state;
    uint32_t d = st->cur_win->res->n_rows;
    if (st->res_bad[d]) return;
    st->res_bad[d] = 1;
    st->n_res_bad++;
    rt_op_row_error(op, st->cur_in, st->src[d], "AGGREGATE_OVERFLOW", e->msg);
}

static int report_errs(rt_op *op, const rt_batch *b, const rt_row_error *errs, uint32_t n) {
    slide_state *st = op->state;
    for (uint32_t i = 0; i < n; i++)
        if (!st->bad[errs[i].row]++) rt_op_row_error(op, b, errs[i].row, errs[i].name, errs[i].msg);
    return 0;
}

static uint64_t *pos_at(const slide_win *sw, const pos_part *p, uint32_t i) {
    return p->buf + (size_t)((p->head + i) & (p->cap - 1)) * sw->pos_words;
}

/* A string argument is kept as its own heap copy (rt_str_keep): the input
 * batch is gone by the time LAG reads it. */
static void pos_free_entry(const slide_win *sw, const uint64_t *e) {
    for (uint32_t k = 0; k < sw->n_pos; k++)
        if (rt_phys_of(sw->pos[k].type.id) == RT_PHYS_STR && !((e[1] >> k) & 1)) rt_str_drop(e[2 + k]);
}

static inline uint32_t nn_idx(const nn_ring *q, uint32_t i) { return (q->head + i) & (q->cap - 1); }

static void nn_pop_front(const pos_agg *pa, nn_ring *q) {
    if (rt_phys_of(pa->type.id) == RT_PHYS_STR) rt_str_drop(q->v[q->head]);
    q->head = (q->head + 1) & (q->cap - 1);
    q->len--;
}

static int nn_push(nn_ring *q, uint64_t v, uint64_t rowno) {
    if (q->len == q->cap) {
        if (q->cap >= (1u << 30)) return EDDY_E_LIMIT;
        uint32_t cap = q->cap ? q->cap * 2 : 4;
        uint64_t *nv = malloc((size_t)cap * 8), *nr = malloc((size_t)cap * 8);
        if (!nv || !nr) {
            free(nv);
            free(nr);
            return EDDY_E_NOMEM;
        }
        for (uint32_t i = 0; i < q->len; i++) {
            nv[i] = q->v[nn_idx(q, i)];
            nr[i] = q->rowno[nn_idx(q, i)];
        }
        free(q->v);
        free(q->rowno);
        q->v = nv;
        q->rowno = nr;
        q->cap = cap;
        q->head = 0;
    }
    uint32_t at = nn_idx(q, q->len++);
    q->v[at] = v;
    q->rowno[at] = rowno;
    return 0;
}

/* Frees a partition's FIFO, its rings and the strings in them. */
static void pos_free_part(const slide_win *sw, pos_part *p) {
    for (uint32_t i = 0; i < p->len; i++) pos_free_entry(sw, pos_at(sw, p, i));
    free(p->buf);
    p->buf = NULL;
    if (p->nn) {
        for (uint32_t k = 0; k < sw->n_pos; k++) {
            nn_ring *q = &p->nn[k];
            while (q->len) nn_pop_front(&sw->pos[k], q);
            free(q->v);
            free(q->rowno);
        }
        free(p->nn);
        p->nn = NULL;
    }
}

static int pos_reserve(slide_win *sw, pos_part *p) {
    if (p->len < p->cap) return 0;
    if (p->cap >= (1u << 30)) return EDDY_E_LIMIT;
    uint32_t cap = p->cap ? p->cap * 2 : 4;
    uint64_t *nb = malloc((size_t)cap * sw->pos_words * 8);
    if (!nb) return EDDY_E_NOMEM;
    for (uint32_t i = 0; i < p->len; i++) memcpy(nb + (size_t)i * sw->pos_words, pos_at(sw, p, i), sw->pos_words * 8);
    free(p->buf);
    p->buf = nb;
    p->cap = cap;
    p->head = 0;
    return 0;
}

/* Writes a stored value word as call k's result in row o of sw->pres. */
static int pos_put(slide_win *sw, uint32_t k, uint32_t o, uint64_t w) {
    switch (rt_phys_of(sw->pos[k].type.id)) {
    case RT_PHYS_STR: {
        rt_str sv = rt_str_kept(w);
        return rt_batch_set_str(sw->pres, k, o, sv.p, sv.n) != 0 ? EDDY_E_NOMEM : 0;
    }
    case RT_PHYS_F64: {
        double dv;
        memcpy(&dv, &w, 8);
        rt_batch_set_f64(sw->pres, k, o, dv);
        return 0;
    }
    default: rt_batch_set_i64(sw->pres, k, o, (int64_t)w); return 0;
    }
}

/* IGNORE NULLS call k for the row just pushed to partition p (entry e, row
 * number rowno); frame0 is the number of the frame's first row. Writes the
 * result (NULL when there is none). Returns 0, 1 when LAG has fewer than n
 * earlier values (its default applies), or a negated error code. */
static int nn_step(slide_win *sw, pos_part *p, uint32_t k, const uint64_t *e, uint64_t rowno, uint64_t frame0,
                   uint32_t o) {
    const pos_agg *pa = &sw->pos[k];
    nn_ring *q = &p->nn[k];
    int is_str = rt_phys_of(pa->type.id) == RT_PHYS_STR, have = 1;
    if (pa->lag) {
        /* The n-th value back, if it is still in the frame. */
        have = q->len >= pa->n && q->rowno[nn_idx(q, q->len - (uint32_t)pa->n)] >= frame0;
        if (have && pos_put(sw, k, o, q->v[nn_idx(q, q->len - (uint32_t)pa->n)]) != 0) return -EDDY_E_NOMEM;
    }
    if (!((e[1] >> k) & 1)) {
        /* The FIFO entry owns its string; the ring keeps its own copy. */
        uint64_t w = is_str ? rt_str_keep(rt_str_kept(e[2 + k])) : e[2 + k];
        if (is_str && !w) return -EDDY_E_NOMEM;
        int rc = nn_push(q, w, rowno);
        if (rc != 0) {
            if (is_str) rt_str_drop(w);
            return -rc;
        }
    }
    if (pa->lag) {
        /* Only the last n, and only those still in the frame, can be read. */
        while (q->len > pa->n || (q->len && q->rowno[q->head] < frame0)) nn_pop_front(pa, q);
        return have ? 0 : 1;
    }
    while (q->len && q->rowno[q->head] < frame0) nn_pop_front(pa, q);
    if (pa->n > (int64_t)q->len) return 0;
    uint32_t i = pa->from_last ? q->len - (uint32_t)pa->n : (uint32_t)pa->n - 1;
    return pos_put(sw, k, o, q->v[nn_idx(q, i)]) != 0 ? -EDDY_E_NOMEM : 0;
}

/* Adds the good rows to the positional FIFOs and writes the LAG / NTH_VALUE
 * results of each to sw->pres. */
static int pos_step(rt_op *op, slide_win *sw, const rt_batch *b, const rt_batch *kb, uint32_t n_good,
                    eddy_err *err) {
    slide_state *st = op->state;
    const plan_window *pw = sw->pw;
    rt_batch_reset(sw->pres);
    for (uint32_t d = 0; d < n_good; d++) {
        uint32_t r = st->src[d], id;
        int64_t t = b->rowtime[r];
        /* Keys are in kb: the input itself (row r) or a batch of good rows. */
        if (rt_keymap_find_row(&sw->pos_map, kb, sw->key_cols, kb == b ? r : d, &id, err) != 0) return err->code;
        pos_part *p = (pos_part *)rt_keymap_payload(&sw->pos_map, id);
        int rc = pos_reserve(sw, p);
        if (rc != 0)
            return eddy_err_set(err, rc, rc == EDDY_E_LIMIT ? "sliding window holds too many rows" : "out of memory");
        if (sw->any_nn && !p->nn && !(p->nn = calloc(sw->n_pos, sizeof *p->nn)))
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        uint64_t rowno = p->rows++;
        uint64_t *e = pos_at(sw, p, p->len++);
        e[0] = (uint64_t)t;
        e[1] = 0;
        /* Every value NULL until set, so that a failure half way leaves an
         * entry that frees cleanly. */
        for (uint32_t k = 0; k < sw->n_pos; k++) {
            e[1] |= (uint64_t)1 << k;
            e[2 + k] = 0;
        }
        for (uint32_t k = 0; k < sw->n_pos; k++) {
            const rt_vec *v = sw->pos[k].av;
            if (v->null[r]) continue;
            e[1] &= ~((uint64_t)1 << k);
            if (v->phys == RT_PHYS_STR) {
                if (!(e[2 + k] = rt_str_keep(v->v.str[r]))) {
                    e[1] |= (uint64_t)1 << k;
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                }
            } else if (v->phys == RT_PHYS_F64) {
                memcpy(&e[2 + k], &v->v.f64[r], 8);
            } else {
                e[2 + k] = (uint64_t)v->v.i64[r];
            }
        }
        if (pw->frame == PLAN_FRAME_ROWS) {
            uint64_t fl = (uint64_t)pw->rows_preceding + 1;
            p->fstart = p->len > fl ? (uint32_t)(p->len - fl) : 0;
        } else {
            while (p->fstart + 1 < p->len && (int64_t)pos_at(sw, p, p->fstart)[0] < t - pw->range_ms) p->fstart++;
        }
        /* Drop the rows that left the frame. */
        while (p->fstart > 0) {
            pos_free_entry(sw, pos_at(sw, p, 0));
            p->head = (p->head + 1) & (p->cap - 1);
            p->len--;
            p->fstart--;
        }
        uint32_t o = rt_batch_begin_row(sw->pres, t);
        for (uint32_t k = 0; k < sw->n_pos; k++) {
            const pos_agg *pa = &sw->pos[k];
            int64_t idx = -1;
            if (pa->ignore_nulls) {
                /* The frame's first row number: rows - len + fstart. */
                rc = nn_step(sw, p, k, e, rowno, p->rows - p->len + p->fstart, o);
                if (rc == 0) continue;
                if (rc > 0) goto lag_default;
                return eddy_err_set(err, -rc, -rc == EDDY_E_LIMIT ? "sliding window holds too many rows" : "out of memory");
            }
            if (pa->lag) {
                if ((int64_t)p->len - 1 - pa->n >= (int64_t)p->fstart) idx = (int64_t)p->len - 1 - pa->n;
            } else if (pa->n <= (int64_t)(p->len - p->fstart)) {
                idx = pa->from_last ? (int64_t)p->len - pa->n : (int64_t)p->fstart + pa->n - 1;
            }
            if (idx >= 0) {
                const uint64_t *ev = pos_at(sw, p, (uint32_t)idx);
                if (!((ev[1] >> k) & 1) && pos_put(sw, k, o, ev[2 + k]) != 0)
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                continue;
            }
        lag_default:
            if (pa->lag && pa->dv && !pa->dv->null[r]) {
                eddy_value v = {0};
                rt_vec_get(pa->dv, r, &v);
                eddy_err cerr;
                eddy_err_clear(&cerr);
                rc = put_converted(sw->pres, k, o, &v, pa->dv->type, pa->type, &cerr);
                if (rc == EDDY_E_NOMEM) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                if (rc != 0 && !st->res_bad[d]) {
                    st->res_bad[d] = 1;
                    st->n_res_bad++;
                    rt_op_row_error(op, b, r, "CAST_ERROR", cerr.msg);
                }
            }
        }
        rt_batch_commit_row(sw->pres);
    }
    return 0;
}

static int eval_into(rt_op *op, rt_expr *x, const rt_batch *b, const rt_vec **out, eddy_err *err) {
    const rt_row_error *errs;
    uint32_t n_errs;
    int rc = rt_expr_eval(x, b, NULL, 0, out, &errs, &n_errs, err);
    if (rc != 0) return rc;
    return report_errs(op, b, errs, n_errs);
}

/* Copies rows idx[0..n) (rows 0..n when idx is NULL) of column sc of `src`
 * to rows 0..n of column c of `out`, same type. Strings are copied into
 * out's arena in one allocation. Returns 0 or EDDY_E_NOMEM. */
static int copy_column(rt_batch *out, uint32_t c, const rt_batch *src, uint32_t sc, const uint16_t *idx, uint32_t n) {
    rt_column *oc = &out->cols[c];
    const rt_column *ic = &src->cols[sc];
    uint32_t words = (n + 63) / 64;
    if (!idx) {
        memcpy(oc->valid, ic->valid, words * sizeof(uint64_t));
    } else {
        memset(oc->valid, 0, words * sizeof(uint64_t));
        for (uint32_t d = 0; d < n; d++)
            if (!rt_col_is_null(ic, idx[d])) rt_col_set_valid(oc, d);
    }
    if (ic->phys != RT_PHYS_STR) {
        /* Values under NULL are undefined either way, so copy them all. */
        if (!idx) {
            memcpy(oc->v.i64, ic->v.i64, n * sizeof(int64_t));
        } else {
            for (uint32_t d = 0; d < n; d++) oc->v.i64[d] = ic->v.i64[idx[d]];
        }
        return 0;
    }
    size_t total = 0;
    for (uint32_t w = 0; w < words; w++) {
        for (uint64_t m = oc->valid[w]; m; m &= m - 1) {
            uint32_t d = w * 64 + (uint32_t)__builtin_ctzll(m);
            if (d < n) total += ic->v.str[idx ? idx[d] : d].n;
        }
    }
    char *buf = total ? arena_alloc(&out->strings, total) : NULL;
    if (total && !buf) return EDDY_E_NOMEM;
    for (uint32_t w = 0; w < words; w++) {
        for (uint64_t m = oc->valid[w]; m; m &= m - 1) {
            uint32_t d = w * 64 + (uint32_t)__builtin_ctzll(m);
            if (d >= n) break;
            rt_str v = ic->v.str[idx ? idx[d] : d];
            /* An empty string still points somewhere, as rt_batch_set_str does. */
            oc->v.str[d].p = v.n ? buf : "";
            oc->v.str[d].n = v.n;
            if (v.n) memcpy(buf, v.p, v.n);
            buf += v.n;
        }
    }
    return 0;
}

static int slide_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    slide_state *st = op->state;
    memset(st->bad, 0, RT_BATCH_CAP);
    memset(st->res_bad, 0, RT_BATCH_CAP);
    st->n_res_bad = 0;
    for (uint32_t w = 0; w < st->n_wins; w++) {
        slide_win *sw = &st->wins[w];
        int rc = 0;
        for (uint32_t k = 0; k < sw->n_keys && rc == 0; k++)
            if (sw->keys[k]) rc = eval_into(op, sw->keys[k], b, &sw->kv[k], err);
        for (uint32_t j = 0; j < sw->n_aggs && rc == 0; j++) {
            sw->av[j] = NULL;
            if (sw->args[j]) rc = eval_into(op, sw->args[j], b, &sw->av[j], err);
        }
        for (uint32_t k = 0; k < sw->n_pos && rc == 0; k++) {
            rc = eval_into(op, sw->pos[k].arg, b, &sw->pos[k].av, err);
            if (rc == 0 && sw->pos[k].dflt) rc = eval_into(op, sw->pos[k].dflt, b, &sw->pos[k].dv, err);
        }
        if (rc != 0) return rc;
    }
    /* Rows must arrive in ROWTIME order; an older row cannot join windows
     * whose later rows have already been emitted. */
    uint32_t live = rt_batch_live(b), n_good = 0;
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (st->bad[r]) continue;
        if (st->any && b->rowtime[r] < st->last_t) {
            st->bad[r] = 1;
            rt_op_row_error(op, b, r, "OUT_OF_ORDER", "ROWTIME went backwards in a sliding window");
            continue;
        }
        st->any = 1;
        st->last_t = b->rowtime[r];
        st->src[n_good++] = (uint16_t)r;
    }
    if (n_good == 0) return 0;
    st->cur_in = b;
    const rt_batch *good = b;
    if (n_good != live && st->good) {
        rt_batch_reset(st->good);
        for (uint32_t d = 0; d < n_good; d++)
            if (rt_batch_copy_row(st->good, b, st->src[d]) != 0)
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        good = st->good;
    }
    for (uint32_t w = 0; w < st->n_wins; w++) {
        slide_win *sw = &st->wins[w];
        rt_batch_reset(sw->res);
        st->cur_win = sw;
        if (sw->direct) {
            if (sw->state) {
                int rc = rt_slide_step(sw->state, good, sw->res, 0, on_slide_error, op, err);
                if (rc < 0) return rc;
            }
            if (sw->n_pos) {
                int rc = pos_step(op, sw, b, good, n_good, err);
                if (rc != 0) return rc;
            }
            continue;
        }
        rt_batch_reset(sw->scratch);
        for (uint32_t d = 0; d < n_good; d++) {
            uint32_t r = st->src[d];
            uint32_t o = rt_batch_begin_row(sw->scratch, b->rowtime[r]);
            for (uint32_t k = 0; k < sw->n_keys; k++)
                if (rt_vec_to_batch(sw->kv[k], r, sw->scratch, k, o) != 0)
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            for (uint32_t j = 0; j < sw->n_aggs; j++)
                if (sw->av[j] && rt_vec_to_batch(sw->av[j], r, sw->scratch, sw->n_keys + j, o) != 0)
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            rt_batch_commit_row(sw->scratch);
        }
        if (sw->state) {
            int rc = rt_slide_step(sw->state, sw->scratch, sw->res, 0, on_slide_error, op, err);
            if (rc < 0) return rc;
        }
        if (sw->n_pos) {
            int rc = pos_step(op, sw, b, sw->scratch, n_good, err);
            if (rc != 0) return rc;
        }
    }
    rt_batch_reset(st->out);
    const plan_node *n = op->node;
    if (st->same_types && st->n_res_bad == 0) {
        /* Every good row is output, no cell needs a conversion: copy column
         * by column instead of cell by cell. */
        int ident = n_good == b->n_rows;  /* src[d] == d */
        for (uint32_t d = 0; d < n_good; d++) st->out->rowtime[d] = b->rowtime[st->src[d]];
        for (uint32_t c = 0; c < op->n_in; c++)
            if (copy_column(st->out, c, b, c, ident ? NULL : st->src, n_good) != 0)
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        for (uint32_t a = 0; a < n->u.slide.n_aggs; a++) {
            const slide_win *sw = &st->wins[st->win_of[a]];
            const rt_batch *res = st->is_pos[a] ? sw->pres : sw->res;
            if (copy_column(st->out, op->n_in + a, res, st->col_of[a], NULL, n_good) != 0)
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        }
        st->out->n_rows = n_good;
        return rt_op_emit(op, st->out, err);
    }
    for (uint32_t d = 0; d < n_good; d++) {
        if (st->res_bad[d]) continue;
        uint32_t r = st->src[d];
        uint32_t o = rt_batch_begin_row(st->out, b->rowtime[r]);
        int ok = 1;
        st->cur_row = r;
        for (uint32_t c = 0; c < op->n_in && ok; c++) {
            int rc = put_cell(op, st->out, c, o, b, c, r, err);
            if (rc == EDDY_E_NOMEM) return rc;
            ok = rc == 0;
        }
        for (uint32_t a = 0; a < n->u.slide.n_aggs && ok; a++) {
            const slide_win *sw = &st->wins[st->win_of[a]];
            const rt_batch *res = st->is_pos[a] ? sw->pres : sw->res;
            int rc = put_cell(op, st->out, op->n_in + a, o, res, st->col_of[a], d, err);
            if (rc == EDDY_E_NOMEM) return rc;
            ok = rc == 0;
        }
        if (ok) rt_batch_commit_row(st->out);
    }
    return rt_op_emit(op, st->out, err);
}

static void slide_end(rt_op *op) {
    slide_state *st = op->state;
    for (uint32_t w = 0; w < st->n_wins; w++) {
        slide_win *sw = &st->wins[w];
        rt_slide_free(sw->state);
        for (uint32_t k = 0; sw->keys && k < sw->n_keys; k++) rt_expr_free(sw->keys[k]);
        for (uint32_t j = 0; sw->args && j < sw->n_aggs; j++) rt_expr_free(sw->args[j]);
        for (uint32_t k = 0; sw->pos && k < sw->n_pos; k++) {
            rt_expr_free(sw->pos[k].arg);
            rt_expr_free(sw->pos[k].dflt);
        }
        if (sw->pos_map_init) {
            for (uint32_t id = 0; id < sw->pos_map.n; id++)
                pos_free_part(sw, (pos_part *)rt_keymap_payload(&sw->pos_map, id));
            rt_keymap_free(&sw->pos_map);
        }
        rt_batch_release(sw->scratch);
        rt_batch_release(sw->res);
        rt_batch_release(sw->pres);
    }
    rt_batch_release(st->out);
    rt_batch_release(st->good);
    free(st->bad);
    free(st->res_bad);
    free(st->src);
}

/* Every row seen has left every RANGE window for good once the watermark
 * is more than `range` past the newest row: then the window's partitions are
 * all empty and its state is rebuilt empty, releasing partitions of keys
 * that stopped coming. (Partitions cannot be dropped one by one: neither
 * rt_slide nor the keymap has a delete.) ROWS windows never expire rows by
 * time. */
static int slide_watermark(rt_op *op, int64_t wm, eddy_err *err) {
    slide_state *st = op->state;
    if (!st->any) return 0;
    for (uint32_t w = 0; w < st->n_wins; w++) {
        slide_win *sw = &st->wins[w];
        const plan_window *pw = sw->pw;
        if (pw->frame != PLAN_FRAME_RANGE || wm <= INT64_MIN + pw->range_ms || st->last_t >= wm - pw->range_ms)
            continue;
        if (sw->state) {
            rt_slide *fresh = rt_slide_new(&sw->spec, sw->frame, err);
            if (!fresh) return err ? err->code : EDDY_E_NOMEM;
            rt_slide_free(sw->state);
            sw->state = fresh;
        }
        if (sw->pos_map_init) {
            for (uint32_t id = 0; id < sw->pos_map.n; id++)
                pos_free_part(sw, (pos_part *)rt_keymap_payload(&sw->pos_map, id));
            rt_keymap_clear(&sw->pos_map);
        }
    }
    return 0;
}

/* Memory of the windows' partitions and buffered rows, for /metrics (the
 * positional FIFOs count by their partition table only). */
static void slide_account(rt_op *op) {
    slide_state *st = op->state;
    size_t total = 0;
    for (uint32_t w = 0; w < st->n_wins; w++) {
        slide_win *sw = &st->wins[w];
        if (sw->state) {
            uint32_t parts;
            uint64_t rows;
            size_t bytes;
            rt_slide_stats(sw->state, &parts, &rows, &bytes);
            total += bytes;
        }
        if (sw->pos_map_init) total += rt_keymap_bytes(&sw->pos_map);
    }
    op->state_bytes = total;
}

static int slide_push_accounted(rt_op *op, const rt_batch *b, eddy_err *err) {
    int rc = slide_push(op, b, err);
    slide_account(op);
    return rc;
}

static int slide_watermark_accounted(rt_op *op, int64_t wm, eddy_err *err) {
    int rc = slide_watermark(op, wm, err);
    slide_account(op);
    return rc;
}

/* Rows the windows may still need. A RANGE window: the next row has
 * ROWTIME >= the last one's and its window (LAG's and NTH_VALUE's rows
 * included) reaches `range` back from it. A ROWS window reaches back by row
 * count, so its horizon is the oldest row any partition's frame holds
 * (rt_slide_oldest, and the positional FIFOs' frame starts): a partition
 * that went quiet keeps it far back, and a restart reads again from there
 * (as far as the input's retention still has it). */
static int slide_horizon(rt_op *op, int64_t *from) {
    const slide_state *st = op->state;
    if (!st->any) return 0;
    int64_t h = INT64_MAX;
    for (uint32_t w = 0; w < st->n_wins; w++) {
        const slide_win *sw = &st->wins[w];
        int64_t f;
        if (sw->pw->frame == PLAN_FRAME_RANGE) {
            f = st->last_t > INT64_MIN + sw->pw->range_ms ? st->last_t - sw->pw->range_ms : INT64_MIN;
            if (f < h) h = f;
            continue;
        }
        if (sw->state && rt_slide_oldest(sw->state, &f) && f < h) h = f;
        for (uint32_t id = 0; sw->pos_map_init && id < sw->pos_map.n; id++) {
            const pos_part *p = (const pos_part *)rt_keymap_payload(&sw->pos_map, id);
            if (p->len && (f = (int64_t)pos_at(sw, p, p->fstart)[0]) < h) h = f;
        }
    }
    if (h == INT64_MAX) return 0;
    *from = h;
    return 1;
}

static const rt_op_vt slide_vt = {"SLIDE_AGG", slide_push_accounted, slide_watermark_accounted, NULL, slide_end, NULL,
                                  slide_horizon};

/* A constant integer argument (a literal, possibly under a cast). */
static int const_int(const plan_expr *e, int64_t *out) {
    while (e && e->kind == PX_CAST && eddy_type_is_integer(e->type.id)) e = e->u.cast.arg;
    if (!e || e->kind != PX_LITERAL || e->u.lit.is_null || !eddy_type_is_integer(e->type.id)) return -1;
    *out = e->u.lit.u.i;
    return 0;
}

/* Sets up a LAG / NTH_VALUE call. */
static int pos_init(rt_op *op, const plan_agg *pa, int lag, pos_agg *pg, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    const char *fname = lag ? "LAG" : "NTH_VALUE";
    if (pa->n_args < 1 || (!lag && pa->n_args != 2) || pa->n_args > 3)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "%s with %u arguments", fname, pa->n_args);
    pg->lag = lag;
    pg->from_last = pa->from_last;
    pg->type = pa->args[0]->type;
    pg->n = 1;
    if (pa->n_args >= 2 && const_int(pa->args[1], &pg->n) != 0)
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "the offset of %s must be an integer literal",
                               fname);
    if (pg->n < (lag ? 0 : 1) || pg->n > (1 << 24))
        return eddy_err_set_at(err, EDDY_E_SEMANTIC, n->off, n->len, "the offset %lld of %s is out of range",
                               (long long)pg->n, fname);
    int rc = rt_expr_compile(pa->args[0], op->in_types, op->n_in, &op->env, a, &pg->arg, err);
    if (rc == 0 && lag && pa->n_args == 3)
        rc = rt_expr_compile(pa->args[2], op->in_types, op->n_in, &op->env, a, &pg->dflt, err);
    return rc;
}

/* Sets up window sw for the node aggregates whose window is sw->pw. */
static int win_init(rt_op *op, slide_state *st, slide_win *sw, uint32_t w, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    const plan_window *pw = sw->pw;
    sw->n_keys = pw->n_partition;
    if (sw->n_keys > RT_KEYMAP_MAX_KEYS)
        return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "too many PARTITION BY expressions");
    uint32_t n_all = 0;
    for (uint32_t j = 0; j < n->u.slide.n_aggs; j++) {
        if (st->win_of[j] != w) continue;
        n_all++;
        const plan_agg *pa = &n->u.slide.aggs[j];
        int lag;
        if (pa->call.fn && positional(pa->call.fn->name, &lag)) st->is_pos[j] = 1;
    }
    uint32_t nk = sw->n_keys ? sw->n_keys : 1, na = n_all ? n_all : 1;
    sw->keys = arena_calloc(a, sizeof(rt_expr *) * nk);
    sw->args = arena_calloc(a, sizeof(rt_expr *) * na);
    sw->pos = arena_calloc(a, sizeof(pos_agg) * na);
    sw->kv = arena_calloc(a, sizeof(rt_vec *) * nk);
    sw->av = arena_calloc(a, sizeof(rt_vec *) * na);
    sw->scratch_types = arena_calloc(a, sizeof(eddy_type) * (sw->n_keys + na));
    sw->key_cols = arena_calloc(a, sizeof(uint32_t) * nk);
    sw->key_types = arena_calloc(a, sizeof(eddy_type) * nk);
    rt_agg *aggs = arena_calloc(a, sizeof(rt_agg) * na);
    int32_t *agg_cols = arena_calloc(a, sizeof(int32_t) * na);
    eddy_type *res_types = arena_calloc(a, sizeof(eddy_type) * na);
    eddy_type *pos_types = arena_calloc(a, sizeof(eddy_type) * na);
    if (!sw->keys || !sw->args || !sw->pos || !sw->kv || !sw->av || !sw->scratch_types || !sw->key_cols ||
        !sw->key_types || !aggs || !agg_cols || !res_types || !pos_types)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    sw->direct = 1;
    for (uint32_t k = 0; k < sw->n_keys; k++)
        if (pw->partition[k]->kind != PX_COLUMN || pw->partition[k]->u.col.index >= op->n_in) sw->direct = 0;
    for (uint32_t j = 0; j < n->u.slide.n_aggs; j++) {
        const plan_agg *pa = &n->u.slide.aggs[j];
        if (st->win_of[j] == w && !st->is_pos[j] && pa->n_args &&
            (pa->args[0]->kind != PX_COLUMN || pa->args[0]->u.col.index >= op->n_in))
            sw->direct = 0;
    }
    for (uint32_t k = 0; k < sw->n_keys; k++) {
        sw->key_types[k] = sw->scratch_types[k] = pw->partition[k]->type;
        if (sw->direct) {
            sw->key_cols[k] = pw->partition[k]->u.col.index;
            continue;
        }
        int rc = rt_expr_compile(pw->partition[k], op->in_types, op->n_in, &op->env, a, &sw->keys[k], err);
        if (rc != 0) return rc;
        sw->key_cols[k] = k;
    }
    for (uint32_t j = 0; j < n->u.slide.n_aggs; j++) {
        if (st->win_of[j] != w) continue;
        const plan_agg *pa = &n->u.slide.aggs[j];
        const char *fname = pa->call.fn ? pa->call.fn->name : "?";
        if (st->is_pos[j]) {
            int lag = 0;
            positional(fname, &lag);
            if (sw->n_pos == 64)   /* an entry's NULL mask is one word */
                return eddy_err_set_at(err, EDDY_E_LIMIT, n->off, n->len,
                                       "more than 64 LAG/NTH_VALUE calls over one window");
            uint32_t k = sw->n_pos++;
            int rc = pos_init(op, pa, lag, &sw->pos[k], a, err);
            if (rc != 0) return rc;
            sw->pos[k].ignore_nulls = pa->ignore_nulls && !(lag && sw->pos[k].n == 0);
            sw->any_nn |= sw->pos[k].ignore_nulls;
            pos_types[k] = sw->pos[k].type;
            st->col_of[j] = k;
            continue;
        }
        rt_agg_kind kind;
        if (!pa->call.fn || rt_agg_kind_lookup(fname, pa->n_args, &kind) != 0 ||
            pa->n_args > (kind == RT_AGG_EXP_AVG ? 2u : 1u))
            return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len,
                                   "%s over a sliding window is not supported yet", fname);
        int64_t half_life = 0;
        if (kind == RT_AGG_EXP_AVG) {
            const plan_expr *h = pa->n_args == 2 ? pa->args[1] : NULL;
            if (!h || h->kind != PX_LITERAL || h->u.lit.is_null || h->type.id != EDDY_T_INTERVAL_DS ||
                h->u.lit.u.i <= 0)
                return eddy_err_set_at(err, EDDY_E_SEMANTIC, h ? h->off : n->off, h ? h->len : n->len,
                                       "the half-life of EXP_AVG must be a positive constant interval, as in "
                                       "INTERVAL '10' SECOND");
            half_life = h->u.lit.u.i;
        }
        uint32_t i = sw->n_aggs++;
        eddy_type in = pa->n_args ? pa->args[0]->type : (eddy_type){EDDY_T_BIGINT, 0, 0};
        int rc = rt_agg_resolve(kind, in, &aggs[i], err);
        if (rc != 0) return rc;
        aggs[i].half_life_ms = half_life;
        aggs[i].ignore_nulls = pa->ignore_nulls;
        sw->scratch_types[sw->n_keys + i] = in;
        agg_cols[i] = pa->n_args ? (int32_t)(sw->n_keys + i) : -1;
        if (sw->direct) {
            if (pa->n_args) agg_cols[i] = (int32_t)pa->args[0]->u.col.index;
        } else if (pa->n_args) {
            rc = rt_expr_compile(pa->args[0], op->in_types, op->n_in, &op->env, a, &sw->args[i], err);
            if (rc != 0) return rc;
        }
        res_types[i] = aggs[i].out_type;
        st->col_of[j] = i;
    }
    if (sw->n_aggs) {
        rt_slide_frame fr = {0};
        if (pw->frame == PLAN_FRAME_ROWS) {
            if (pw->rows_preceding < 0 || pw->rows_preceding > (int64_t)UINT32_MAX - 1)
                return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len, "ROWS %lld PRECEDING is out of range",
                                       (long long)pw->rows_preceding);
            fr.rows = 1;
            fr.n_rows = (uint32_t)pw->rows_preceding;
        } else {
            fr.range_ms = pw->range_ms;
        }
        sw->spec = (rt_window_spec){sw->key_types, sw->key_cols, sw->n_keys, aggs, agg_cols, sw->n_aggs};
        sw->frame = fr;
        sw->state = rt_slide_new(&sw->spec, fr, err);
        if (!sw->state) {
            if (err) {
                err->off = n->off;
                err->len = n->len;
            }
            return err ? err->code : EDDY_E_NOMEM;
        }
    }
    if (sw->n_pos) {
        if (pw->frame == PLAN_FRAME_ROWS ? pw->rows_preceding < 0 : pw->range_ms < 0)
            return eddy_err_set_at(err, EDDY_E_SEMANTIC, n->off, n->len, "a window cannot have a negative size");
        if (sw->n_pos > 62)
            return eddy_err_set_at(err, EDDY_E_UNSUPPORTED, n->off, n->len,
                                   "too many LAG / NTH_VALUE calls in a window");
        sw->pos_words = 2 + sw->n_pos;
        if (rt_keymap_init(&sw->pos_map, sw->key_types, sw->n_keys, sizeof(pos_part), err) != 0)
            return err ? err->code : EDDY_E_NOMEM;
        sw->pos_map_init = 1;
        sw->pres = rt_batch_new(pos_types, sw->n_pos, err);
        if (!sw->pres) return err ? err->code : EDDY_E_NOMEM;
    }
    if (sw->direct && !st->good) {
        st->good = rt_batch_new(op->in_types, op->n_in, err);
        if (!st->good) return err ? err->code : EDDY_E_NOMEM;
    } else if (!sw->direct) {
        sw->scratch = rt_batch_new(sw->scratch_types, sw->n_keys + sw->n_aggs, err);
        if (!sw->scratch) return err ? err->code : EDDY_E_NOMEM;
    }
    sw->res = rt_batch_new(res_types, sw->n_aggs, err);
    if (!sw->res) return err ? err->code : EDDY_E_NOMEM;
    return 0;
}

int rt_op_slide_init(rt_op *op, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    uint32_t n_aggs = n->u.slide.n_aggs;
    if (op->n_out != op->n_in + n_aggs)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len,
                               "SLIDE_AGG output has %u columns, expected %u input + %u aggregates", op->n_out,
                               op->n_in, n_aggs);
    slide_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    uint32_t na = n_aggs ? n_aggs : 1;
    st->win_of = arena_calloc(a, sizeof(uint32_t) * na);
    st->col_of = arena_calloc(a, sizeof(uint32_t) * na);
    st->is_pos = arena_calloc(a, na);
    st->wins = arena_calloc(a, sizeof(slide_win) * na);
    if (!st->win_of || !st->col_of || !st->is_pos || !st->wins)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    /* Group aggregates by window; the plan shares plan_window objects
     * between aggregates of the same window. */
    for (uint32_t j = 0; j < n_aggs; j++) {
        const plan_window *pw = n->u.slide.aggs[j].window;
        if (!pw)
            return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "sliding aggregate without a window");
        uint32_t w = 0;
        while (w < st->n_wins && st->wins[w].pw != pw) w++;
        if (w == st->n_wins) st->wins[st->n_wins++].pw = pw;
        st->win_of[j] = w;
    }
    op->state = st;
    op->vt = &slide_vt;
    st->bad = calloc(RT_BATCH_CAP, 1);
    st->res_bad = calloc(RT_BATCH_CAP, 1);
    st->src = calloc(RT_BATCH_CAP, sizeof *st->src);
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    if (!st->bad || !st->res_bad || !st->src || !st->out) {
        slide_end(op);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    for (uint32_t w = 0; w < st->n_wins; w++) {
        int rc = win_init(op, st, &st->wins[w], w, a, err);
        if (rc != 0) {
            /* rt_op_new drops a failed operator: free what is already held. */
            slide_end(op);
            return rc;
        }
    }
    st->same_types = 1;
    for (uint32_t c = 0; c < op->n_out; c++) {
        eddy_type from;
        if (c < op->n_in) {
            from = op->in_types[c];
        } else {
            const slide_win *sw = &st->wins[st->win_of[c - op->n_in]];
            const rt_batch *res = st->is_pos[c - op->n_in] ? sw->pres : sw->res;
            from = res->cols[st->col_of[c - op->n_in]].type;
        }
        eddy_type to = st->out->cols[c].type;
        if (from.id != to.id || from.scale != to.scale) st->same_types = 0;
    }
    return 0;
}
