/*
 * window_slide.c — sliding (OVER) window state (see window_state.h).
 *
 * Per partition, a FIFO ring holds the rows inside the window: their
 * ROWTIME, a NULL mask and one 8-byte value per distinct input column (the
 * three aggregates of MIN(price), MAX(price), AVG(price) share one value).
 * Every row is pushed once and evicted once, and each aggregate does O(1)
 * amortised work per push and evict:
 *  - invertible ones (COUNT, SUM, AVG, VAR/STDDEV) keep a running state,
 *    add on push and retract on evict;
 *  - MIN and MAX keep a monotonic deque of FIFO sequence numbers whose
 *    values only improve from back to front, so the front is the answer.
 *    Chosen over two-stacks because it stores 4 bytes per row at worst
 *    (often far fewer), needs no flips and has no latency spikes;
 *  - FIRST_VALUE is the FIFO's front, LAST_VALUE the current row.
 * RANGE frames keep rows with ROWTIME >= t - range (a row exactly `range`
 * older is still in, SQL.md §4.2); ROWS n frames keep the last n+1 rows.
 */
#include "agg_int.h"
#include "window_int.h"

#include <stdlib.h>
#include <string.h>

/* A power-of-two ring; len and lg share a word to keep partitions small. */
typedef struct ring {
    void *buf;
    uint32_t head;
    uint32_t len : 27;
    uint32_t lg : 5;     /* capacity = 1 << lg once buf is set */
} ring;

typedef struct part {
    ring fifo;           /* entries of s->words uint64 words */
    uint64_t front_seq;  /* sequence number of the FIFO's front entry */
    /* followed by: ring deque[n_mm]; then the invertible states */
} part;

enum { K_INV, K_MM, K_FIRST, K_LAST };

struct rt_slide {
    rt_wspec spec;
    rt_slide_frame frame;
    rt_keymap map;
    uint32_t n_vals;          /* distinct input columns */
    int32_t val_col[RT_KEYMAP_MAX_KEYS * 2];
    uint32_t words;           /* FIFO entry size: rowtime, null mask, values */
    uint8_t *kind;            /* per aggregate: K_* */
    uint32_t *val_of;         /* per aggregate: its value slot */
    uint32_t *mm_of;          /* per aggregate: its deque index (K_MM) */
    uint32_t n_mm;
    uint32_t inv_off;         /* offset of the invertible states in a partition */
    uint64_t rows;            /* buffered rows, all partitions */
    size_t ring_bytes;        /* bytes of FIFO and deque buffers */
};

#define MAX_VALS (RT_KEYMAP_MAX_KEYS * 2)

static ring *deques(const rt_slide *s, part *p) { return (ring *)(p + 1); }

static uint64_t *fifo_at(const rt_slide *s, part *p, uint64_t seq) {
    uint32_t i = (p->fifo.head + (uint32_t)(seq - p->front_seq)) & ((1u << p->fifo.lg) - 1);
    return (uint64_t *)p->fifo.buf + (size_t)i * s->words;
}

/* Makes room for one more element of `esize` bytes. */
static int ring_reserve(rt_slide *s, ring *r, size_t esize) {
    if (r->buf && r->len < (1u << r->lg)) return 0;
    if (r->len >= (1u << 26)) return EDDY_E_LIMIT;
    uint32_t lg = r->buf ? r->lg + 1 : 2;
    uint8_t *nb = malloc(((size_t)1 << lg) * esize);
    if (!nb) return EDDY_E_NOMEM;
    if (r->buf) {
        uint32_t cap = 1u << r->lg;
        for (uint32_t i = 0; i < r->len; i++)
            memcpy(nb + i * esize, (uint8_t *)r->buf + ((r->head + i) & (cap - 1)) * esize, esize);
        free(r->buf);
        s->ring_bytes -= (size_t)cap * esize;
    }
    s->ring_bytes += ((size_t)1 << lg) * esize;
    r->buf = nb;
    r->head = 0;
    r->lg = lg;
    return 0;
}

rt_slide *rt_slide_new(const rt_window_spec *spec, rt_slide_frame frame, eddy_err *err) {
    rt_slide *s = calloc(1, sizeof *s);
    if (!s) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    if (rt__wspec_init(&s->spec, spec, err) != 0) {
        free(s);
        return NULL;
    }
    s->frame = frame;
    uint32_t na = spec->n_aggs ? spec->n_aggs : 1;
    s->kind = calloc(na, 1);
    s->val_of = calloc(na, sizeof *s->val_of);
    s->mm_of = calloc(na, sizeof *s->mm_of);
    if (!s->kind || !s->val_of || !s->mm_of) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        goto fail;
    }
    if (frame.rows == 0 && frame.range_ms < 0) {
        eddy_err_set(err, EDDY_E_INVAL, "a RANGE window cannot be negative");
        goto fail;
    }
    uint32_t inv_size = 0;
    for (uint32_t a = 0; a < spec->n_aggs; a++) {
        const rt_agg *g = &spec->aggs[a];
        int32_t c = spec->agg_cols[a];
        if (c >= 0 && rt_phys_of(g->in_type.id) == RT_PHYS_STR) {
            eddy_err_set(err, EDDY_E_UNSUPPORTED, "%s of a string over a sliding window is not supported yet",
                         rt_agg_name(g->kind));
            goto fail;
        }
        if (c >= 0) {
            uint32_t v = 0;
            while (v < s->n_vals && s->val_col[v] != c) v++;
            if (v == s->n_vals) {
                if (s->n_vals == MAX_VALS) {
                    eddy_err_set(err, EDDY_E_LIMIT, "too many input columns in one sliding window");
                    goto fail;
                }
                s->val_col[s->n_vals++] = c;
            }
            s->val_of[a] = v;
        }
        if (g->kind == RT_AGG_MIN || g->kind == RT_AGG_MAX) {
            s->kind[a] = K_MM;
            s->mm_of[a] = s->n_mm++;
        } else if (g->kind == RT_AGG_FIRST_VALUE) {
            s->kind[a] = K_FIRST;
        } else if (g->kind == RT_AGG_LAST_VALUE) {
            s->kind[a] = K_LAST;
        } else if (g->invertible) {
            s->kind[a] = K_INV;
            inv_size += g->state_size;
        } else {
            eddy_err_set(err, EDDY_E_UNSUPPORTED, "%s over a sliding window is not supported", rt_agg_name(g->kind));
            goto fail;
        }
    }
    s->words = 2 + s->n_vals;
    s->inv_off = (uint32_t)(sizeof(part) + s->n_mm * sizeof(ring));
    /* Invertible states are laid out in agg order after the deques; reuse
     * agg_off for their offsets within that area. */
    uint32_t off = 0;
    for (uint32_t a = 0; a < spec->n_aggs; a++) {
        if (s->kind[a] != K_INV) continue;
        s->spec.agg_off[a] = off;
        off += spec->aggs[a].state_size;
    }
    if (rt_keymap_init(&s->map, spec->key_types, spec->n_keys, s->inv_off + inv_size, err) != 0) goto fail;
    return s;
fail:
    free(s->kind);
    free(s->val_of);
    free(s->mm_of);
    rt__wspec_free(&s->spec);
    free(s);
    return NULL;
}

void rt_slide_free(rt_slide *s) {
    if (!s) return;
    for (uint32_t id = 0; id < s->map.n; id++) {
        part *p = (part *)rt_keymap_payload(&s->map, id);
        free(p->fifo.buf);
        for (uint32_t m = 0; m < s->n_mm; m++) free(deques(s, p)[m].buf);
    }
    rt_keymap_free(&s->map);
    free(s->kind);
    free(s->val_of);
    free(s->mm_of);
    rt__wspec_free(&s->spec);
    free(s);
}

static const rt_datum *entry_val(const rt_slide *s, const uint64_t *e, uint32_t v, rt_datum *tmp) {
    if (e[1] & ((uint64_t)1 << v)) return NULL;
    memcpy(tmp, &e[2 + v], 8);
    return tmp;
}

static int better(const rt_agg *g, const rt_datum *x, const rt_datum *y) {
    int max = g->kind == RT_AGG_MAX;
    if (rt_phys_of(g->in_type.id) == RT_PHYS_F64) return max ? x->d >= y->d : x->d <= y->d;
    return max ? x->i >= y->i : x->i <= y->i;
}

static void evict_front(rt_slide *s, part *p) {
    uint64_t *e = fifo_at(s, p, p->front_seq);
    uint8_t *inv = (uint8_t *)p + s->inv_off;
    for (uint32_t a = 0; a < s->spec.n_aggs; a++) {
        rt_datum tmp;
        const rt_datum *v = s->spec.agg_cols[a] >= 0 ? entry_val(s, e, s->val_of[a], &tmp) : &tmp;
        if (s->kind[a] == K_INV) {
            s->spec.aggs[a].retract(&s->spec.aggs[a], inv + s->spec.agg_off[a], v);
        } else if (s->kind[a] == K_MM) {
            ring *d = &deques(s, p)[s->mm_of[a]];
            if (d->len && ((uint32_t *)d->buf)[d->head] == (uint32_t)p->front_seq) {
                d->head = (d->head + 1) & ((1u << d->lg) - 1);
                d->len--;
            }
        }
    }
    p->fifo.head = (p->fifo.head + 1) & ((1u << p->fifo.lg) - 1);
    p->fifo.len--;
    p->front_seq++;
    s->rows--;
}

/* Pushes row r of `in` into partition p. */
static int push(rt_slide *s, part *p, const rt_batch *in, uint32_t r) {
    int rc = ring_reserve(s, &p->fifo, s->words * 8);
    if (rc) return rc;
    uint64_t seq = p->front_seq + p->fifo.len;
    p->fifo.len++;
    s->rows++;
    uint64_t *e = fifo_at(s, p, seq);
    e[0] = (uint64_t)in->rowtime[r];
    e[1] = 0;
    for (uint32_t v = 0; v < s->n_vals; v++) {
        const rt_column *c = &in->cols[s->val_col[v]];
        if (rt_col_is_null(c, r)) {
            e[1] |= (uint64_t)1 << v;
            e[2 + v] = 0;
        } else if (c->phys == RT_PHYS_F64) {
            memcpy(&e[2 + v], &c->v.f64[r], 8);
        } else {
            e[2 + v] = (uint64_t)c->v.i64[r];
        }
    }
    uint8_t *inv = (uint8_t *)p + s->inv_off;
    for (uint32_t a = 0; a < s->spec.n_aggs; a++) {
        rt_datum tmp, bt;
        const rt_datum *v = s->spec.agg_cols[a] >= 0 ? entry_val(s, e, s->val_of[a], &tmp) : &tmp;
        if (s->kind[a] == K_INV) {
            s->spec.aggs[a].add(&s->spec.aggs[a], inv + s->spec.agg_off[a], v);
        } else if (s->kind[a] == K_MM && v) {
            ring *d = &deques(s, p)[s->mm_of[a]];
            /* Drop entries the new value beats; they can never be the answer again. */
            while (d->len) {
                uint32_t back = ((uint32_t *)d->buf)[(d->head + d->len - 1) & ((1u << d->lg) - 1)];
                uint64_t bseq = seq - (uint32_t)((uint32_t)seq - back);
                if (!better(&s->spec.aggs[a], v, entry_val(s, fifo_at(s, p, bseq), s->val_of[a], &bt))) break;
                d->len--;
            }
            if ((rc = ring_reserve(s, d, 4)) != 0) return rc;
            ((uint32_t *)d->buf)[(d->head + d->len) & ((1u << d->lg) - 1)] = (uint32_t)seq;
            d->len++;
        }
    }
    return 0;
}

static int emit(rt_slide *s, part *p, const rt_batch *in, uint32_t r, rt_batch *out, uint32_t col0, uint32_t o,
                rt_row_error_fn on_err, void *ud, uint32_t pid) {
    uint8_t *inv = (uint8_t *)p + s->inv_off;
    uint64_t last_seq = p->front_seq + p->fifo.len - 1;
    for (uint32_t a = 0; a < s->spec.n_aggs; a++) {
        const rt_agg *g = &s->spec.aggs[a];
        uint32_t c = col0 + a;
        rt_datum tmp;
        const rt_datum *v = NULL;
        switch (s->kind[a]) {
        case K_INV: {
            eddy_err e;
            eddy_err_clear(&e);
            int rc = g->final(g, inv + s->spec.agg_off[a], out, c, o, &e);
            if (rc == EDDY_E_RUNTIME) {
                if (on_err) on_err(ud, pid, &e);
            } else if (rc) {
                return rc;
            }
            continue;
        }
        case K_MM: {
            ring *d = &deques(s, p)[s->mm_of[a]];
            if (!d->len) continue;
            uint32_t front = ((uint32_t *)d->buf)[d->head];
            uint64_t fseq = last_seq - (uint32_t)((uint32_t)last_seq - front);
            v = entry_val(s, fifo_at(s, p, fseq), s->val_of[a], &tmp);
            break;
        }
        case K_FIRST: v = entry_val(s, fifo_at(s, p, p->front_seq), s->val_of[a], &tmp); break;
        case K_LAST: v = entry_val(s, fifo_at(s, p, last_seq), s->val_of[a], &tmp); break;
        }
        if (v) rt__agg_put(g, out, c, o, v);
    }
    return 0;
}

int rt_slide_step(rt_slide *s, const rt_batch *in, rt_batch *out, uint32_t out_col0, rt_row_error_fn on_err,
                  void *ud, eddy_err *err) {
    uint32_t live = rt_batch_live(in);
    if (rt_batch_room(out) < live) return eddy_err_set(err, EDDY_E_LIMIT, "output batch has no room");
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(in, i), id;
        uint32_t before = s->map.n;
        int rc = rt_keymap_find_row(&s->map, in, s->spec.key_cols, r, &id, err);
        if (rc) return rc;
        part *p = (part *)rt_keymap_payload(&s->map, id);
        if (id >= before) {
            /* A new partition: zeroed rings; fresh invertible states. */
            uint8_t *inv = (uint8_t *)p + s->inv_off;
            for (uint32_t a = 0; a < s->spec.n_aggs; a++)
                if (s->kind[a] == K_INV) s->spec.aggs[a].init(&s->spec.aggs[a], inv + s->spec.agg_off[a]);
        }
        int64_t t = in->rowtime[r];
        if (p->fifo.len && t < (int64_t)fifo_at(s, p, p->front_seq + p->fifo.len - 1)[0])
            return eddy_err_set(err, EDDY_E_INVAL, "ROWTIME went backwards in a sliding window");
        if (!s->frame.rows)
            while (p->fifo.len && (int64_t)fifo_at(s, p, p->front_seq)[0] < t - s->frame.range_ms)
                evict_front(s, p);
        if ((rc = push(s, p, in, r)) != 0)
            return eddy_err_set(err, rc, rc == EDDY_E_LIMIT ? "sliding window holds too many rows"
                                                             : "out of memory in a sliding window");
        if (s->frame.rows)
            while ((uint64_t)p->fifo.len > (uint64_t)s->frame.n_rows + 1) evict_front(s, p);
        uint32_t o = rt_batch_begin_row(out, t);
        if ((rc = emit(s, p, in, r, out, out_col0, o, on_err, ud, id)) != 0)
            return eddy_err_set(err, rc, "out of memory");
        rt_batch_commit_row(out);
    }
    return (int)live;
}

void rt_slide_stats(const rt_slide *s, uint32_t *n_parts, uint64_t *n_rows, size_t *bytes) {
    *n_parts = s->map.n;
    *n_rows = s->rows;
    *bytes = rt_keymap_bytes(&s->map) + s->ring_bytes;
}
