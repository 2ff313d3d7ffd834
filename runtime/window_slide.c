/*
 * window_slide.c — sliding (OVER) window state (see window_state.h).
 *
 * Per partition, a FIFO ring holds the rows inside the window: their
 * ROWTIME, a NULL mask and one 8-byte value per distinct input column (the
 * three aggregates of MIN(price), MAX(price), AVG(price) share one value).
 * Every row is pushed once and evicted once, and each aggregate does O(1)
 * amortised work per push and evict:
 *  - invertible ones (COUNT, SUM, AVG, VAR/STDDEV, ANY/EVERY, EXP_AVG) keep
 *    a running state, add on push and retract on evict;
 *  - MIN and MAX keep a monotonic deque of FIFO slot indices whose
 *    values only improve from back to front, so the front is the answer.
 *    Chosen over two-stacks because it stores 4 bytes per row at worst
 *    (often far fewer), needs no flips and has no latency spikes;
 *  - FIRST_VALUE is the FIFO's front, LAST_VALUE the current row; with
 *    IGNORE NULLS they are deques too (of every non-NULL entry, or of the
 *    newest one).
 * A string value (MIN/MAX/FIRST_VALUE/LAST_VALUE of a VARCHAR) is kept as a
 * pointer to its own heap copy (length, then bytes), made on push and freed
 * on eviction: the input batch's strings die with the batch.
 * RANGE frames keep rows with ROWTIME >= t - range (a row exactly `range`
 * older is still in, SQL.md §4.2); ROWS n frames keep the last n+1 rows.
 *
 * Memory: a partition is its keymap entry (ring header, deque heads,
 * invertible states) plus one heap block holding the FIFO ring (entries of
 * ROWTIME and values), one ring of 4-byte slot indices per MIN/MAX deque,
 * and the entries' NULL masks (ceil(values / 8) bytes each). A deque never
 * holds more entries than the FIFO, so all rings share the FIFO's power of
 * two capacity and grow together: one allocation per partition, and the
 * entries a row touches sit close together (with thousands of partitions
 * the row loop is bound by cache misses, so the loop also prefetches a few
 * rows ahead).
 */
#include "agg_int.h"
#include "window_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Keymap payload of a partition; len and lg share a word to keep it small. */
typedef struct part {
    uint8_t *buf;        /* FIFO ring, then the deque rings; NULL until the first row */
    uint32_t head;       /* slot of the FIFO's front entry */
    uint32_t len : 27;   /* FIFO entries */
    uint32_t lg : 5;     /* capacity = 1 << lg once buf is set */
    /* followed by: dq deque[n_mm]; then the invertible states */
} part;

/* A MIN/MAX deque: a ring of FIFO slot indices of the partition's capacity. */
typedef struct dq {
    uint32_t head, len;
} dq;

/* What an aggregate does per row, decided once at rt_slide_new so the row
 * loop switches on a byte instead of calling kernels through pointers.
 * Invertible kinds come first (op < O_MIN_I). */
enum {
    O_CNT_STAR, O_CNT, O_SUM_I, O_AVG_I, O_SUM_D, O_AVG_D,
    O_GEN,        /* another invertible kernel (VAR/STDDEV), called through rt_agg */
    O_EXP,        /* EXP_AVG: weighted by the entry's ROWTIME, see exp_state */
    O_MIN_I, O_MAX_I, O_MIN_D, O_MAX_D, O_MIN_S, O_MAX_S,
    O_FIRST_NN, O_LAST_NN,   /* FIRST/LAST_VALUE IGNORE NULLS: deques of the non-NULL values */
    O_FIRST, O_LAST
};

/* Exact SUM/AVG state, 16 bytes instead of agg_sum.c's 24: a window holds
 * at most 2^26 rows (grow), so a sum of int64 values needs under 90 bits
 * and the high word and the count fit 32 bits each. */
typedef struct {
    uint64_t lo;
    int32_t hi;
    uint32_t n;
} sum_i;
/* agg_sum.c's layouts: sum_k is rebuilt from sum_i to let its final word an
 * overflow error; sum_d is used as is. */
typedef struct {
    uint64_t lo;
    int64_t hi;
    int64_t n;
} sum_k;
typedef struct {
    double s;
    int64_t n;
} sum_d;

/* EXP_AVG(x, h): the average of the window's values weighted by
 * 2^((t - now) / h), so a value h older weighs half as much. Kept as sums
 * weighted by 2^((t - ref) / h) for a reference time `ref`, which the
 * ratio does not depend on, so rows are added and retracted like SUM's;
 * when the newest row is more than EXP_REBASE half-lives past `ref`, both
 * sums are scaled to a new reference (retracting an old row then subtracts
 * its weight as seen from the new one, which is what was scaled in). */
typedef struct {
    double s, w;
    int64_t ref;
    int64_t n;
} exp_state;

#define EXP_REBASE 256.0

typedef struct sagg {
    uint8_t op;
    uint8_t real;       /* result is REAL: round through float */
    int32_t val;        /* value slot in a FIFO entry, -1 for COUNT(*) */
    uint32_t mm;        /* deque index (MIN/MAX) */
    uint32_t off;       /* state offset in the invertible area */
    int64_t lo, hi;     /* exact SUM/AVG: the result type's range */
    double half_life;   /* EXP_AVG, in ms */
} sagg;

struct rt_slide {
    rt_wspec spec;
    rt_slide_frame frame;
    rt_keymap map;
    uint32_t n_vals;          /* distinct input columns */
    int32_t val_col[RT_KEYMAP_MAX_KEYS * 2];
    uint8_t val_str[RT_KEYMAP_MAX_KEYS * 2];  /* the value is a string: a heap copy */
    int any_str;
    uint32_t words;           /* FIFO entry size: rowtime, values */
    uint32_t nmb;             /* bytes of an entry's NULL mask */
    sagg *ag;                 /* per aggregate */
    uint32_t *mm_agg;         /* per deque: its aggregate */
    uint32_t n_mm;
    uint32_t n_inv;           /* invertible aggregates */
    uint32_t n_kernel_init;   /* O_GEN aggregates, whose states need init */
    uint32_t inv_off;         /* offset of the invertible states in a partition */
    uint64_t rows;            /* buffered rows, all partitions */
    uint32_t esize;           /* bytes of a FIFO entry (words * 8) */
    size_t ring_bytes;        /* bytes of FIFO and deque buffers */
    uint32_t ids[RT_BATCH_CAP];  /* partition of each live row of the batch */
};

#define MAX_VALS (RT_KEYMAP_MAX_KEYS * 2)

/* Prefetch distances of the row loop, in rows: partitions, then their rings. */
#define PF_FAR 12
#define PF_NEAR 6
#define PF_SLOTS 3

static inline dq *deques(const rt_slide *s, const part *p) { return (dq *)(uintptr_t)(p + 1); }

static inline uint32_t cap_mask(const part *p) { return (1u << p->lg) - 1; }

/* FIFO entry in slot i. */
static inline uint64_t *slot(const rt_slide *s, const part *p, uint32_t i) {
    return (uint64_t *)(p->buf + (size_t)i * s->esize);
}

/* The ring of deque m. */
static inline uint32_t *dq_ring(const rt_slide *s, const part *p, uint32_t m) {
    return (uint32_t *)(p->buf + ((size_t)s->esize << p->lg)) + ((size_t)m << p->lg);
}

static inline uint32_t back_slot(const part *p) { return (p->head + p->len - 1) & cap_mask(p); }

/* NULL masks of the slots: after the FIFO and deque rings. */
static inline uint8_t *null_ring(const rt_slide *s, const part *p) {
    return p->buf + (((size_t)s->esize + 4 * s->n_mm) << p->lg);
}

static inline uint64_t nulls_at(const rt_slide *s, const part *p, uint32_t i) {
    const uint8_t *b = null_ring(s, p) + (size_t)i * s->nmb;
    if (s->nmb == 1) return b[0];
    uint64_t m = 0;
    for (uint32_t k = 0; k < s->nmb; k++) m |= (uint64_t)b[k] << (8 * k);
    return m;
}

static inline void set_nulls(const rt_slide *s, const part *p, uint32_t i, uint64_t m) {
    uint8_t *b = null_ring(s, p) + (size_t)i * s->nmb;
    for (uint32_t k = 0; k < s->nmb; k++) b[k] = (uint8_t)(m >> (8 * k));
}

static size_t block_bytes(const rt_slide *s, uint32_t lg) {
    return ((size_t)s->esize + 4 * s->n_mm + s->nmb) << lg;
}

/* Makes room for one more FIFO entry: doubles the block, moving the FIFO
 * and every deque to the front of their new rings (deque entries are slot
 * numbers, so they are renumbered to match). */
static int grow(rt_slide *s, part *p) {
    if (p->buf && p->len < (1u << p->lg)) return 0;
    if (p->len >= (1u << 26)) return EDDY_E_LIMIT;
    uint32_t lg = p->buf ? p->lg + 1 : 0;  /* a single-row partition holds one slot */
    uint8_t *nb = malloc(block_bytes(s, lg));
    if (!nb) return EDDY_E_NOMEM;
    if (p->buf) {
        uint32_t mask = cap_mask(p);
        uint8_t *nn = nb + (((size_t)s->esize + 4 * s->n_mm) << lg);
        for (uint32_t i = 0; i < p->len; i++) {
            uint32_t o = (p->head + i) & mask;
            memcpy(nb + (size_t)i * s->esize, slot(s, p, o), s->esize);
            memcpy(nn + (size_t)i * s->nmb, null_ring(s, p) + (size_t)o * s->nmb, s->nmb);
        }
        for (uint32_t m = 0; m < s->n_mm; m++) {
            dq *d = &deques(s, p)[m];
            const uint32_t *od = dq_ring(s, p, m);
            uint32_t *nd = (uint32_t *)(nb + ((size_t)s->esize << lg)) + ((size_t)m << lg);
            for (uint32_t k = 0; k < d->len; k++) nd[k] = (od[(d->head + k) & mask] - p->head) & mask;
            d->head = 0;
        }
        free(p->buf);
        s->ring_bytes -= block_bytes(s, p->lg);
    }
    s->ring_bytes += block_bytes(s, lg);
    p->buf = nb;
    p->head = 0;
    p->lg = lg;
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
    s->ag = calloc(na, sizeof *s->ag);
    s->mm_agg = calloc(na, sizeof *s->mm_agg);
    if (!s->ag || !s->mm_agg) {
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
        sagg *sg = &s->ag[a];
        int32_t c = spec->agg_cols[a];
        sg->val = -1;
        int str = c >= 0 && rt_phys_of(g->in_type.id) == RT_PHYS_STR;
        if (str && g->kind != RT_AGG_MIN && g->kind != RT_AGG_MAX && g->kind != RT_AGG_FIRST_VALUE &&
            g->kind != RT_AGG_LAST_VALUE && g->kind != RT_AGG_COUNT) {
            eddy_err_set(err, EDDY_E_UNSUPPORTED, "%s of a string over a sliding window is not supported",
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
                s->val_str[s->n_vals] = (uint8_t)str;
                s->any_str |= str;
                s->val_col[s->n_vals++] = c;
            }
            sg->val = (int32_t)v;
        }
        int f64 = rt_phys_of(g->in_type.id) == RT_PHYS_F64;
        if (g->kind == RT_AGG_MIN || g->kind == RT_AGG_MAX) {
            sg->op = g->kind == RT_AGG_MIN ? (str ? O_MIN_S : f64 ? O_MIN_D : O_MIN_I)
                                           : (str ? O_MAX_S : f64 ? O_MAX_D : O_MAX_I);
            sg->mm = s->n_mm;
            s->mm_agg[s->n_mm++] = a;
            continue;
        }
        if ((g->kind == RT_AGG_FIRST_VALUE || g->kind == RT_AGG_LAST_VALUE) && g->ignore_nulls) {
            /* The deque machinery with a fixed verdict: FIRST keeps every
             * non-NULL entry (its front is the oldest), LAST only the
             * newest. */
            sg->op = g->kind == RT_AGG_FIRST_VALUE ? O_FIRST_NN : O_LAST_NN;
            sg->mm = s->n_mm;
            s->mm_agg[s->n_mm++] = a;
            continue;
        }
        if (g->kind == RT_AGG_FIRST_VALUE || g->kind == RT_AGG_LAST_VALUE) {
            sg->op = g->kind == RT_AGG_FIRST_VALUE ? O_FIRST : O_LAST;
            continue;
        }
        if (!g->invertible) {
            eddy_err_set(err, EDDY_E_UNSUPPORTED, "%s over a sliding window is not supported", rt_agg_name(g->kind));
            goto fail;
        }
        switch (g->kind) {
        case RT_AGG_COUNT_STAR: sg->op = O_CNT_STAR; break;
        case RT_AGG_COUNT: sg->op = c >= 0 ? O_CNT : O_CNT_STAR; break;
        case RT_AGG_SUM:
        case RT_AGG_AVG:
            if (f64) {
                sg->op = g->kind == RT_AGG_SUM ? O_SUM_D : O_AVG_D;
                sg->real = g->out_type.id == EDDY_T_REAL;
            } else {
                sg->op = g->kind == RT_AGG_SUM ? O_SUM_I : O_AVG_I;
                /* The range agg_sum.c's final checks. */
                if (g->out_type.id == EDDY_T_DECIMAL) {
                    int pr = g->out_type.precision > 0 && g->out_type.precision <= 18 ? g->out_type.precision : 18;
                    sg->hi = eddy_pow10(pr) - 1;
                    sg->lo = -sg->hi;
                } else {
                    eddy_int_range(g->out_type.id, &sg->lo, &sg->hi);
                }
            }
            break;
        case RT_AGG_EXP_AVG:
            if (g->half_life_ms <= 0) {
                eddy_err_set(err, EDDY_E_INVAL, "the half-life of EXP_AVG must be positive");
                goto fail;
            }
            sg->op = O_EXP;
            sg->half_life = (double)g->half_life_ms;
            break;
        default: sg->op = O_GEN; s->n_kernel_init++; break;
        }
        if (sg->op == O_CNT_STAR && c >= 0) sg->val = -1;
        sg->off = inv_size;
        inv_size += sg->op == O_SUM_I || sg->op == O_AVG_I ? (uint32_t)sizeof(sum_i)
                    : sg->op == O_EXP                     ? (uint32_t)sizeof(exp_state)
                                                          : g->state_size;
        s->n_inv++;
    }
    s->words = 1 + s->n_vals;
    s->esize = s->words * 8;
    s->nmb = (s->n_vals + 7) / 8;
    s->inv_off = (uint32_t)(sizeof(part) + s->n_mm * sizeof(dq));
    if (rt_keymap_init(&s->map, spec->key_types, spec->n_keys, s->inv_off + inv_size, err) != 0) goto fail;
    return s;
fail:
    free(s->ag);
    free(s->mm_agg);
    rt__wspec_free(&s->spec);
    free(s);
    return NULL;
}

static void free_strs(const rt_slide *s, const part *p, uint32_t i);

void rt_slide_free(rt_slide *s) {
    if (!s) return;
    for (uint32_t id = 0; id < s->map.n; id++) {
        part *p = (part *)rt_keymap_payload(&s->map, id);
        if (s->any_str && p->buf)
            for (uint32_t k = 0; k < p->len; k++) free_strs(s, p, (p->head + k) & cap_mask(p));
        free(p->buf);
    }
    rt_keymap_free(&s->map);
    free(s->ag);
    free(s->mm_agg);
    rt__wspec_free(&s->spec);
    free(s);
}

static const rt_datum *entry_val(const uint64_t *e, uint64_t nulls, uint32_t v, rt_datum *tmp) {
    if (nulls & ((uint64_t)1 << v)) return NULL;
    memcpy(tmp, &e[1 + v], 8);
    return tmp;
}

static inline double word_f64(uint64_t w) {
    double d;
    memcpy(&d, &w, 8);
    return d;
}

static int str_cmp(uint64_t x, uint64_t y) {
    rt_str a = rt_str_kept(x), b = rt_str_kept(y);
    int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

/* Frees the string copies of FIFO entry i. */
static void free_strs(const rt_slide *s, const part *p, uint32_t i) {
    const uint64_t *e = slot(s, p, i);
    uint64_t nulls = nulls_at(s, p, i);
    for (uint32_t v = 0; v < s->n_vals; v++)
        if (s->val_str[v] && !((nulls >> v) & 1)) rt_str_drop(e[1 + v]);
}

/* Whether value x may replace the deque's back entry y: ties replace too,
 * so the deque keeps the newest of equal values (it leaves last). */
static inline int better(uint8_t op, uint64_t x, uint64_t y) {
    switch (op) {
    case O_MIN_I: return (int64_t)x <= (int64_t)y;
    case O_MAX_I: return (int64_t)x >= (int64_t)y;
    case O_MIN_D: return word_f64(x) <= word_f64(y);
    case O_MIN_S: return str_cmp(x, y) <= 0;
    case O_MAX_S: return str_cmp(x, y) >= 0;
    case O_FIRST_NN: return 0;
    case O_LAST_NN: return 1;
    default: return word_f64(x) >= word_f64(y);
    }
}

static inline __int128 sum_get(const sum_i *st) {
    return (__int128)(((unsigned __int128)(uint64_t)st->hi << 64) | st->lo);
}

static inline void sum_set(sum_i *st, __int128 v) {
    st->lo = (uint64_t)v;
    st->hi = (int32_t)(v >> 64);
}

/* An integer or DECIMAL value of aggregate a as a double. */
static double exp_value_i(const rt_slide *s, uint32_t a, uint64_t w) {
    const rt_agg *g = &s->spec.aggs[a];
    double v = (double)(int64_t)w;
    if (g->in_type.id == EDDY_T_DECIMAL && g->in_type.scale > 0) v /= (double)eddy_pow10(g->in_type.scale);
    return v;
}

/* Adds (sign 1) or retracts (sign -1) FIFO entry e into the invertible
 * states of partition p. The inline cases reproduce agg_sum.c exactly;
 * the rest go through the kernel. */
static inline void inv_update(const rt_slide *s, part *p, const uint64_t *e, uint64_t nulls, int add) {
    uint8_t *inv = (uint8_t *)p + s->inv_off;
    for (uint32_t a = 0; a < s->spec.n_aggs; a++) {
        const sagg *g = &s->ag[a];
        if (g->op >= O_MIN_I) continue;
        uint8_t *st = inv + g->off;
        int null = g->val >= 0 && ((nulls >> g->val) & 1);
        switch (g->op) {
        case O_CNT_STAR: *(int64_t *)st += add ? 1 : -1; break;
        case O_CNT: *(int64_t *)st += null ? 0 : add ? 1 : -1; break;
        case O_SUM_I:
        case O_AVG_I:
            if (null) break;
            sum_set((sum_i *)st, add ? sum_get((sum_i *)st) + (int64_t)e[1 + g->val]
                                     : sum_get((sum_i *)st) - (int64_t)e[1 + g->val]);
            if (add) ((sum_i *)st)->n++;
            else ((sum_i *)st)->n--;
            break;
        case O_SUM_D:
        case O_AVG_D: {
            if (null) break;
            sum_d *sd = (sum_d *)st;
            if (add) {
                sd->s += word_f64(e[1 + g->val]);
                sd->n++;
            } else {
                sd->s -= word_f64(e[1 + g->val]);
                if (--sd->n == 0) sd->s = 0;  /* drop accumulated rounding once empty */
            }
            break;
        }
        case O_EXP: {
            if (null) break;
            exp_state *x = (exp_state *)st;
            int64_t t = (int64_t)e[0];
            double v = rt_phys_of(s->spec.aggs[a].in_type.id) == RT_PHYS_F64 ? word_f64(e[1 + g->val])
                                                                               : exp_value_i(s, a, e[1 + g->val]);
            if (add) {
                if (x->n == 0) {
                    x->s = x->w = 0;
                    x->ref = t;
                } else if ((double)(t - x->ref) > EXP_REBASE * g->half_life) {
                    double f = exp2((double)(x->ref - t) / g->half_life);
                    x->s *= f;
                    x->w *= f;
                    x->ref = t;
                }
                double wt = exp2((double)(t - x->ref) / g->half_life);
                x->s += wt * v;
                x->w += wt;
                x->n++;
            } else {
                double wt = exp2((double)(t - x->ref) / g->half_life);
                x->s -= wt * v;
                x->w -= wt;
                if (--x->n == 0) x->s = x->w = 0;
            }
            break;
        }
        default: {
            const rt_agg *k = &s->spec.aggs[a];
            rt_datum tmp;
            const rt_datum *v = g->val >= 0 ? entry_val(e, nulls, (uint32_t)g->val, &tmp) : &tmp;
            if (add) k->add(k, st, v);
            else k->retract(k, st, v);
        }
        }
    }
}

static inline void evict_front(rt_slide *s, part *p) {
    const uint64_t *e = slot(s, p, p->head);
    if (s->any_str) free_strs(s, p, p->head);
    if (s->n_inv) inv_update(s, p, e, nulls_at(s, p, p->head), 0);
    uint32_t mask = cap_mask(p);
    for (uint32_t m = 0; m < s->n_mm; m++) {
        dq *d = &deques(s, p)[m];
        /* Deque entries are live FIFO slots, so the front row is in the
         * deque only at its front. */
        if (d->len && dq_ring(s, p, m)[d->head] == p->head) {
            d->head = (d->head + 1) & mask;
            d->len--;
        }
    }
    p->head = (p->head + 1) & mask;
    p->len--;
    s->rows--;
}

/* Pushes row r of `in` (value columns vc) into partition p. */
static inline int push(rt_slide *s, part *p, const rt_column *const *vc, int64_t t, uint32_t r) {
    int rc = grow(s, p);
    if (rc) return rc;
    uint32_t mask = cap_mask(p);
    uint32_t i = (p->head + p->len) & mask;
    p->len++;
    s->rows++;
    uint64_t *e = slot(s, p, i);
    e[0] = (uint64_t)t;
    uint64_t nulls = 0;
    int oom = 0;
    for (uint32_t v = 0; v < s->n_vals; v++) {
        const rt_column *c = vc[v];
        uint64_t w;
        if (rt_col_is_null(c, r) || oom) {
            nulls |= (uint64_t)1 << v;
            e[1 + v] = 0;
            continue;
        }
        if (s->val_str[v]) {
            if (!(w = rt_str_keep(c->v.str[r]))) {
                oom = 1;   /* stored as NULL; the caller fails the pipeline */
                nulls |= (uint64_t)1 << v;
                e[1 + v] = 0;
                continue;
            }
        } else {
            memcpy(&w, &c->v.i64[r], 8);  /* int64 or double bits alike */
        }
        e[1 + v] = w;
    }
    set_nulls(s, p, i, nulls);
    if (s->n_inv) inv_update(s, p, e, nulls, 1);
    for (uint32_t m = 0; m < s->n_mm; m++) {
        const sagg *g = &s->ag[s->mm_agg[m]];
        if ((nulls >> g->val) & 1) continue;
        uint64_t x = e[1 + g->val];
        dq *d = &deques(s, p)[m];
        uint32_t *ring = dq_ring(s, p, m);
        /* Drop entries the new value beats; they can never be the answer again. */
        while (d->len && better(g->op, x, slot(s, p, ring[(d->head + d->len - 1) & mask])[1 + g->val])) d->len--;
        ring[(d->head + d->len) & mask] = i;
        d->len++;
    }
    return oom ? EDDY_E_NOMEM : 0;
}

static inline void put_word(rt_batch *out, uint32_t c, uint32_t o, uint64_t w) {
    memcpy(&out->cols[c].v.i64[o], &w, 8);
    rt_col_set_valid(&out->cols[c], o);
}

/* Reports a result that does not fit its type; the kernel's final writes
 * the message. */
static int final_kernel(const rt_slide *s, uint32_t a, const uint8_t *st, rt_batch *out, uint32_t c, uint32_t o,
                        rt_row_error_fn on_err, void *ud, uint32_t pid) {
    const rt_agg *k = &s->spec.aggs[a];
    eddy_err e;
    eddy_err_clear(&e);
    int rc = k->final(k, st, out, c, o, &e);
    if (rc == EDDY_E_RUNTIME) {
        if (on_err) on_err(ud, pid, &e);
        return 0;
    }
    return rc;
}

/* Writes the results of partition p to row o of `out`. */
static inline int emit(const rt_slide *s, part *p, rt_batch *out, uint32_t col0, uint32_t o, rt_row_error_fn on_err,
                       void *ud, uint32_t pid) {
    const uint8_t *inv = (const uint8_t *)p + s->inv_off;
    for (uint32_t a = 0; a < s->spec.n_aggs; a++) {
        const sagg *g = &s->ag[a];
        uint32_t c = col0 + a;
        const uint8_t *st = inv + g->off;
        uint32_t i;
        switch (g->op) {
        case O_CNT_STAR:
        case O_CNT: put_word(out, c, o, (uint64_t) * (const int64_t *)st); continue;
        case O_SUM_I:
        case O_AVG_I: {
            const sum_i *si = (const sum_i *)st;
            if (si->n == 0) continue;  /* no values: NULL */
            __int128 v = sum_get(si);
            if (g->op == O_AVG_I) v /= (int64_t)si->n;  /* truncates toward zero, as agg_sum.c */
            if (v < g->lo || v > g->hi) {
                sum_k k = {si->lo, si->hi, si->n};
                int rc = final_kernel(s, a, (const uint8_t *)&k, out, c, o, on_err, ud, pid);
                if (rc) return rc;
                continue;
            }
            put_word(out, c, o, (uint64_t)(int64_t)v);
            continue;
        }
        case O_SUM_D:
        case O_AVG_D: {
            const sum_d *sd = (const sum_d *)st;
            if (sd->n == 0) continue;
            double v = g->op == O_AVG_D ? sd->s / (double)sd->n : sd->s;
            if (g->real) v = (double)(float)v;
            out->cols[c].v.f64[o] = v;
            rt_col_set_valid(&out->cols[c], o);
            continue;
        }
        case O_EXP: {
            const exp_state *x = (const exp_state *)st;
            if (x->n == 0 || !(x->w > 0)) continue;
            out->cols[c].v.f64[o] = x->s / x->w;
            rt_col_set_valid(&out->cols[c], o);
            continue;
        }
        case O_MIN_I:
        case O_MAX_I:
        case O_MIN_D:
        case O_MAX_D:
        case O_MIN_S:
        case O_MAX_S:
        case O_FIRST_NN:
        case O_LAST_NN: {
            const dq *d = &deques(s, p)[g->mm];
            if (!d->len) continue;
            i = dq_ring(s, p, g->mm)[d->head];
            break;
        }
        case O_FIRST: i = p->head; break;
        case O_LAST: i = back_slot(p); break;
        default: {
            int rc = final_kernel(s, a, st, out, c, o, on_err, ud, pid);
            if (rc) return rc;
            continue;
        }
        }
        if ((nulls_at(s, p, i) >> g->val) & 1) continue;
        uint64_t w = slot(s, p, i)[1 + g->val];
        if (s->val_str[g->val]) {
            rt_str sv = rt_str_kept(w);
            if (rt_batch_set_str(out, c, o, sv.p, sv.n) != 0) return EDDY_E_NOMEM;
        } else {
            put_word(out, c, o, w);
        }
    }
    return 0;
}

/* Prefetches what a row of partition p will touch first: the FIFO's back
 * (the ROWTIME check) and front (eviction), the slot the row goes to, and
 * the back of each deque. */
static inline void prefetch_part(const rt_slide *s, const part *p) {
    if (!p->len) return;
    uint32_t mask = cap_mask(p), back = back_slot(p);
    __builtin_prefetch(slot(s, p, back));
    __builtin_prefetch(slot(s, p, (back + 1) & mask));
    __builtin_prefetch(slot(s, p, p->head));
    for (uint32_t m = 0; m < s->n_mm; m++) {
        const dq *d = &deques(s, p)[m];
        if (!d->len) continue;
        __builtin_prefetch(dq_ring(s, p, m) + ((d->head + d->len - 1) & mask));
        __builtin_prefetch(dq_ring(s, p, m) + d->head);
    }
}

/* The third stage: the FIFO entries the deques' ends point at, which the
 * new value is compared with and the result is read from (their ring
 * positions were fetched by prefetch_part). */
static inline void prefetch_deque_slots(const rt_slide *s, const part *p) {
    uint32_t mask = cap_mask(p);
    for (uint32_t m = 0; m < s->n_mm; m++) {
        const dq *d = &deques(s, p)[m];
        if (!d->len) continue;
        const uint32_t *ring = dq_ring(s, p, m);
        __builtin_prefetch(slot(s, p, ring[(d->head + d->len - 1) & mask]));
        __builtin_prefetch(slot(s, p, ring[d->head]));
    }
}

int rt_slide_step(rt_slide *s, const rt_batch *in, rt_batch *out, uint32_t out_col0, rt_row_error_fn on_err,
                  void *ud, eddy_err *err) {
    uint32_t live = rt_batch_live(in);
    if (rt_batch_room(out) < live) return eddy_err_set(err, EDDY_E_LIMIT, "output batch has no room");
    if (out_col0 + s->spec.n_aggs > out->n_cols)
        return eddy_err_set(err, EDDY_E_INVAL, "output batch has too few columns");
    if (live == 0) return 0;
    uint32_t before = s->map.n;
    uint32_t *ids = s->ids;
    int rc = rt_keymap_find_batch(&s->map, in, s->spec.key_cols, ids, err);
    if (rc) return rc;
    if (s->n_kernel_init) {
        /* New partitions: the keymap zeroes payloads (fresh rings and inline
         * states); kernel-driven states get their own init. */
        for (uint32_t id = before; id < s->map.n; id++) {
            uint8_t *inv = rt_keymap_payload(&s->map, id) + s->inv_off;
            for (uint32_t a = 0; a < s->spec.n_aggs; a++)
                if (s->ag[a].op == O_GEN) s->spec.aggs[a].init(&s->spec.aggs[a], inv + s->ag[a].off);
        }
    }
    const rt_column *vc[MAX_VALS];
    for (uint32_t v = 0; v < s->n_vals; v++) vc[v] = &in->cols[s->val_col[v]];
    uint64_t max_rows = (uint64_t)s->frame.n_rows + 1;
    for (uint32_t i = 0; i < live; i++) {
        /* Three-stage prefetch: the partition PF_FAR rows ahead, then
         * PF_NEAR rows ahead (its partition now cached) the FIFO and deque
         * ring entries the row will touch first, then PF_SLOTS rows ahead
         * the FIFO entries the deques point at. With thousands of
         * partitions these are cache misses otherwise, and they dominate
         * the row's cost. */
        if (i + PF_FAR < live) {
            /* Entries are 16-byte aligned: the payload may span two lines. */
            const uint8_t *pp = rt_keymap_payload(&s->map, ids[i + PF_FAR]);
            __builtin_prefetch(pp);
            __builtin_prefetch(pp + s->map.payload_size - 1);
        }
        if (i + PF_NEAR < live) prefetch_part(s, (part *)rt_keymap_payload(&s->map, ids[i + PF_NEAR]));
        if (s->n_mm && i + PF_SLOTS < live)
            prefetch_deque_slots(s, (part *)rt_keymap_payload(&s->map, ids[i + PF_SLOTS]));
        uint32_t r = rt_batch_row(in, i);
        part *p = (part *)rt_keymap_payload(&s->map, ids[i]);
        int64_t t = in->rowtime[r];
        if (p->len && t < (int64_t)slot(s, p, back_slot(p))[0])
            return eddy_err_set(err, EDDY_E_INVAL, "ROWTIME went backwards in a sliding window");
        if (!s->frame.rows) {
            int64_t lim = t - s->frame.range_ms;
            while (p->len && (int64_t)slot(s, p, p->head)[0] < lim) evict_front(s, p);
        }
        if ((rc = push(s, p, vc, t, r)) != 0)
            return eddy_err_set(err, rc, rc == EDDY_E_LIMIT ? "sliding window holds too many rows"
                                                             : "out of memory in a sliding window");
        if (s->frame.rows)
            while ((uint64_t)p->len > max_rows) evict_front(s, p);
        /* The row is begun in `out` (every column NULL) while its results
         * are written, so on_err sees it as out->n_rows. */
        uint32_t o = out->n_rows;
        out->rowtime[o] = t;
        for (uint32_t c = 0; c < out->n_cols; c++) rt_col_set_null(&out->cols[c], o);
        if ((rc = emit(s, p, out, out_col0, o, on_err, ud, ids[i])) != 0)
            return eddy_err_set(err, rc, "out of memory");
        out->n_rows++;
    }
    return (int)live;
}

void rt_slide_stats(const rt_slide *s, uint32_t *n_parts, uint64_t *n_rows, size_t *bytes) {
    *n_parts = s->map.n;
    *n_rows = s->rows;
    *bytes = rt_keymap_bytes(&s->map) + s->ring_bytes;
}

int rt_slide_oldest(const rt_slide *s, int64_t *t) {
    int64_t m = INT64_MAX;
    for (uint32_t id = 0; id < s->map.n; id++) {
        const part *p = (const part *)rt_keymap_payload(&s->map, id);
        if (!p->len) continue;
        int64_t ft = (int64_t)slot(s, p, p->head)[0];
        if (ft < m) m = ft;
    }
    if (m == INT64_MAX) return 0;
    *t = m;
    return 1;
}
