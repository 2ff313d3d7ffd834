/*
 * hotspots.c — HOTSPOTS: DBSCAN over a sliding window of rows (hotspots.h).
 *
 * The window is a ring of slots, and the neighbour relation is kept as a
 * bit matrix (one row of bits per slot; 1000 x 1000 bits is 125 KB) with a
 * neighbour count per slot. A new row costs one distance test against each
 * row in the window, the row it replaces costs one bit walk; after that a
 * distance is measured again only for a border row that touches two
 * clusters. Clustering is redone from the bits after every row: the core
 * rows fall out of the counts, and a breadth-first walk over the bit rows,
 * masked by the core set, labels the connected components a machine word
 * (64 slots) at a time. For KDA's example (1000 rows, a fifth of them in a
 * hotspot) that is a few thousand word operations per row, so redoing it is
 * cheaper and far simpler than repairing clusters incrementally when rows
 * leave (which can split a cluster anywhere).
 */
#include "hotspots.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtoa.h"

struct rt_hotspots {
    uint32_t dims, window, min_points;
    double radius, r2;
    uint32_t words;        /* 64-bit words per bit row */
    uint32_t n;            /* rows in the window */
    uint64_t added;        /* rows accepted so far; slot of row i is i % window */
    size_t bytes;

    double *pts;           /* window x dims */
    uint64_t *seq;         /* arrival number of each slot's row */
    uint64_t *adj;         /* window x words: neighbour bits, self excluded */
    uint32_t *nn;          /* neighbours, self included */
    uint64_t *live, *core, *seen;  /* words each */
    uint64_t *reach;       /* words: rows next to some core row */

    /* Scratch of one clustering, sized once. */
    int32_t *label;        /* cluster of each slot, -1 for noise */
    uint32_t *queue;       /* breadth-first walk */
    uint32_t *size;        /* rows per cluster */
    int32_t *hot;          /* cluster -> hotspot, -1 when too small */
    uint32_t max_hot;      /* window / min_points: no more hotspots fit */
    double *lo, *hi;       /* max_hot x dims bounds */
    double *density;       /* max_hot */
    uint32_t *order;       /* max_hot, output order */
};

#define BIT(s) (1ULL << ((s) & 63))
#define WORD(s) ((s) >> 6)

static int bounded(eddy_err *err, const char *name, uint32_t v, uint32_t lo, uint32_t hi) {
    if (v >= lo && v <= hi) return 0;
    return eddy_err_set(err, EDDY_E_INVAL, "%s must be from %u to %u (got %u)", name, lo, hi, v);
}

static void *take(rt_hotspots *h, size_t n, size_t each, int *failed) {
    void *p = calloc(n ? n : 1, each);
    if (!p) *failed = 1;
    h->bytes += n * each;
    return p;
}

rt_hotspots *rt_hotspots_new(uint32_t dims, uint32_t window, double radius, uint32_t min_points,
                             eddy_err *err) {
    if (bounded(err, "windowSize", window, RT_HOTSPOTS_MIN_WINDOW, RT_HOTSPOTS_MAX_WINDOW) != 0) return NULL;
    /* !(radius > 0) also catches NaN; an infinite radius makes every row a
     * neighbour of every other and the hotspot size infinite. */
    if (!(radius > 0) || !isfinite(radius)) {
        eddy_err_set(err, EDDY_E_INVAL, "scanRadius must be a finite double greater than 0 (got %g)", radius);
        return NULL;
    }
    if (bounded(err, "minimumNumberOfPointsInAHotspot", min_points, 2, window) != 0) return NULL;
    if (dims == 0) {
        eddy_err_set(err, EDDY_E_INVAL, "HOTSPOTS needs at least one numeric input column");
        return NULL;
    }
    if (bounded(err, "the number of numeric input columns", dims, 1, RT_HOTSPOTS_MAX_DIMS) != 0) return NULL;

    rt_hotspots *h = calloc(1, sizeof *h);
    if (!h) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    h->dims = dims;
    h->window = window;
    h->min_points = min_points;
    h->radius = radius;
    h->r2 = radius * radius;
    h->words = (window + 63) / 64;
    h->max_hot = window / min_points;
    h->bytes = sizeof *h;

    int failed = 0;
    size_t w = window, d = dims;
    h->pts = take(h, w * d, sizeof *h->pts, &failed);
    h->seq = take(h, w, sizeof *h->seq, &failed);
    h->adj = take(h, w * h->words, sizeof *h->adj, &failed);
    h->nn = take(h, w, sizeof *h->nn, &failed);
    h->live = take(h, h->words, sizeof *h->live, &failed);
    h->core = take(h, h->words, sizeof *h->core, &failed);
    h->seen = take(h, h->words, sizeof *h->seen, &failed);
    h->reach = take(h, h->words, sizeof *h->reach, &failed);
    h->label = take(h, w, sizeof *h->label, &failed);
    h->queue = take(h, w, sizeof *h->queue, &failed);
    h->size = take(h, w, sizeof *h->size, &failed);
    h->hot = take(h, w, sizeof *h->hot, &failed);
    h->lo = take(h, (size_t)h->max_hot * d, sizeof *h->lo, &failed);
    h->hi = take(h, (size_t)h->max_hot * d, sizeof *h->hi, &failed);
    h->density = take(h, h->max_hot, sizeof *h->density, &failed);
    h->order = take(h, h->max_hot, sizeof *h->order, &failed);
    if (failed) {
        rt_hotspots_free(h);
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    return h;
}

void rt_hotspots_free(rt_hotspots *h) {
    if (!h) return;
    free(h->pts);
    free(h->seq);
    free(h->adj);
    free(h->nn);
    free(h->live);
    free(h->core);
    free(h->seen);
    free(h->reach);
    free(h->label);
    free(h->queue);
    free(h->size);
    free(h->hot);
    free(h->lo);
    free(h->hi);
    free(h->density);
    free(h->order);
    free(h);
}

size_t rt_hotspots_bytes(const rt_hotspots *h) { return h ? h->bytes : 0; }

static double dist2(const rt_hotspots *h, uint32_t a, uint32_t b) {
    const double *p = h->pts + (size_t)a * h->dims, *q = h->pts + (size_t)b * h->dims;
    double s = 0;
    for (uint32_t d = 0; d < h->dims; d++) {
        double t = p[d] - q[d];
        s += t * t;
    }
    return s;
}

/* Stops as soon as the partial sum is out of range: with many columns most
 * pairs are rejected after a few. */
static int near(const double *p, const double *q, uint32_t dims, double r2) {
    double s = 0;
    for (uint32_t d = 0; d < dims; d++) {
        double t = p[d] - q[d];
        s += t * t;
        if (s > r2) return 0;
    }
    return 1;
}

static void remove_slot(rt_hotspots *h, uint32_t s) {
    uint64_t *row = h->adj + (size_t)s * h->words;
    for (uint32_t k = 0; k < h->words; k++) {
        for (uint64_t w = row[k]; w; w &= w - 1) {
            uint32_t j = k * 64 + (uint32_t)__builtin_ctzll(w);
            h->adj[(size_t)j * h->words + WORD(s)] &= ~BIT(s);
            h->nn[j]--;
        }
        row[k] = 0;
    }
    h->live[WORD(s)] &= ~BIT(s);
    h->nn[s] = 0;
    h->n--;
}

static void insert_slot(rt_hotspots *h, uint32_t s, const double *v) {
    uint32_t dims = h->dims;
    double *p = h->pts + (size_t)s * dims;
    memcpy(p, v, sizeof *p * dims);
    uint64_t *row = h->adj + (size_t)s * h->words;
    uint32_t count = 1;
    if (dims == 2) {
        /* KDA's typical case, unrolled: the whole per-row distance work. */
        double x = p[0], y = p[1], r2 = h->r2;
        for (uint32_t k = 0; k < h->words; k++) {
            for (uint64_t w = h->live[k]; w; w &= w - 1) {
                uint32_t j = k * 64 + (uint32_t)__builtin_ctzll(w);
                const double *q = h->pts + (size_t)j * 2;
                double dx = x - q[0], dy = y - q[1];
                if (dx * dx + dy * dy > r2) continue;
                row[k] |= BIT(j);
                h->adj[(size_t)j * h->words + WORD(s)] |= BIT(s);
                h->nn[j]++;
                count++;
            }
        }
    } else {
        for (uint32_t k = 0; k < h->words; k++) {
            for (uint64_t w = h->live[k]; w; w &= w - 1) {
                uint32_t j = k * 64 + (uint32_t)__builtin_ctzll(w);
                if (!near(p, h->pts + (size_t)j * dims, dims, h->r2)) continue;
                row[k] |= BIT(j);
                h->adj[(size_t)j * h->words + WORD(s)] |= BIT(s);
                h->nn[j]++;
                count++;
            }
        }
    }
    h->nn[s] = count;
    h->seq[s] = h->added;
    h->live[WORD(s)] |= BIT(s);
    h->n++;
}

/* Labels the core rows connected to core slot s as cluster c. */
static void walk(rt_hotspots *h, uint32_t s, int32_t c) {
    uint32_t head = 0, tail = 0;
    h->queue[tail++] = s;
    h->seen[WORD(s)] |= BIT(s);
    h->label[s] = c;
    while (head < tail) {
        const uint64_t *row = h->adj + (size_t)h->queue[head++] * h->words;
        for (uint32_t k = 0; k < h->words; k++) {
            h->reach[k] |= row[k];
            uint64_t fresh = row[k] & h->core[k] & ~h->seen[k];
            h->seen[k] |= fresh;
            for (; fresh; fresh &= fresh - 1) {
                uint32_t j = k * 64 + (uint32_t)__builtin_ctzll(fresh);
                h->label[j] = c;
                h->queue[tail++] = j;
            }
        }
    }
}

/* A non-core row next to core rows joins their cluster. When they belong
 * to several, it joins the nearest core row's, and on equal distance the
 * core row that arrived first: only then is a distance measured. */
static void assign_border(rt_hotspots *h, uint32_t j) {
    const uint64_t *row = h->adj + (size_t)j * h->words;
    int32_t c = -1;
    int mixed = 0;
    for (uint32_t k = 0; k < h->words && !mixed; k++)
        for (uint64_t w = row[k] & h->core[k]; w; w &= w - 1) {
            int32_t l = h->label[k * 64 + (uint32_t)__builtin_ctzll(w)];
            if (c >= 0 && l != c) {
                mixed = 1;
                break;
            }
            c = l;
        }
    if (mixed) {
        double best = INFINITY;
        uint32_t from = 0;
        for (uint32_t k = 0; k < h->words; k++)
            for (uint64_t w = row[k] & h->core[k]; w; w &= w - 1) {
                uint32_t u = k * 64 + (uint32_t)__builtin_ctzll(w);
                double d = dist2(h, j, u);
                if (d < best || (d == best && h->seq[u] < h->seq[from])) {
                    best = d;
                    from = u;
                }
            }
        c = h->label[from];
    }
    h->label[j] = c;
}

/* Orders hotspots a before b: denser first, then lower minValues, then
 * lower maxValues. */
static int before(const rt_hotspots *h, uint32_t a, uint32_t b) {
    if (h->density[a] != h->density[b]) return h->density[a] > h->density[b];
    const double *la = h->lo + (size_t)a * h->dims, *lb = h->lo + (size_t)b * h->dims;
    const double *ha = h->hi + (size_t)a * h->dims, *hb = h->hi + (size_t)b * h->dims;
    for (uint32_t d = 0; d < h->dims; d++)
        if (la[d] != lb[d]) return la[d] < lb[d];
    for (uint32_t d = 0; d < h->dims; d++)
        if (ha[d] != hb[d]) return ha[d] < hb[d];
    return 0;
}

/* Clusters the window and fills lo/hi/density/order; returns the number of
 * hotspots. */
static uint32_t cluster(rt_hotspots *h) {
    uint32_t W = h->window, dims = h->dims;
    for (uint32_t k = 0; k < h->words; k++) {
        h->core[k] = 0;
        h->seen[k] = 0;
        h->reach[k] = 0;
    }
    for (uint32_t s = 0; s < W; s++) {
        h->label[s] = -1;
        if (h->nn[s] >= h->min_points) h->core[WORD(s)] |= BIT(s);   /* nn is 0 for empty slots */
    }
    /* Seeds are taken oldest first so that cluster numbers, and with them
     * the order of equal hotspots, follow arrival rather than slot. */
    uint32_t seed = h->n == W ? (uint32_t)(h->added % W) : 0;
    int32_t n_clusters = 0;
    for (uint32_t i = 0; i < h->n; i++, seed = seed + 1 == W ? 0 : seed + 1)
        if ((h->core[WORD(seed)] & BIT(seed)) && !(h->seen[WORD(seed)] & BIT(seed)))
            walk(h, seed, n_clusters++);
    if (n_clusters == 0) return 0;
    for (uint32_t k = 0; k < h->words; k++)
        for (uint64_t w = h->reach[k] & ~h->core[k]; w; w &= w - 1)
            assign_border(h, k * 64 + (uint32_t)__builtin_ctzll(w));

    for (int32_t c = 0; c < n_clusters; c++) h->size[c] = 0;
    for (uint32_t s = 0; s < W; s++)
        if (h->label[s] >= 0) h->size[h->label[s]]++;
    uint32_t n_hot = 0;
    for (int32_t c = 0; c < n_clusters; c++) {
        if (h->size[c] < h->min_points || n_hot == h->max_hot) {
            h->hot[c] = -1;
            continue;
        }
        for (uint32_t d = 0; d < dims; d++) {
            h->lo[(size_t)n_hot * dims + d] = INFINITY;
            h->hi[(size_t)n_hot * dims + d] = -INFINITY;
        }
        h->density[n_hot] = h->size[c];
        h->hot[c] = (int32_t)n_hot++;
    }
    for (uint32_t s = 0; s < W; s++) {
        if (h->label[s] < 0 || h->hot[h->label[s]] < 0) continue;
        size_t o = (size_t)h->hot[h->label[s]] * dims;
        const double *p = h->pts + (size_t)s * dims;
        for (uint32_t d = 0; d < dims; d++) {
            if (p[d] < h->lo[o + d]) h->lo[o + d] = p[d];
            if (p[d] > h->hi[o + d]) h->hi[o + d] = p[d];
        }
    }
    for (uint32_t i = 0; i < n_hot; i++) {
        double vol = 1;
        for (uint32_t d = 0; d < dims; d++) {
            double side = h->hi[(size_t)i * dims + d] - h->lo[(size_t)i * dims + d];
            vol *= side > h->radius ? side : h->radius;
        }
        double dens = h->density[i] / vol;
        /* Only reachable with many columns and a tiny radius; JSON has no
         * infinity. */
        h->density[i] = dens <= DBL_MAX ? dens : DBL_MAX;
    }
    /* Insertion sort: there are rarely more than a handful of hotspots, and
     * qsort may allocate. */
    for (uint32_t i = 0; i < n_hot; i++) {
        uint32_t j = i;
        while (j > 0 && before(h, i, h->order[j - 1])) {
            h->order[j] = h->order[j - 1];
            j--;
        }
        h->order[j] = i;
    }
    return n_hot;
}

static void put_num(sbuf *b, double v) {
    if (sbuf_reserve(b, EDDY_DTOA_MAX) != 0) return;
    b->len += eddy_dtoa(v, b->data + b->len);
}

static void put_values(sbuf *b, const double *v, uint32_t dims) {
    sbuf_putc(b, '[');
    for (uint32_t d = 0; d < dims; d++) {
        if (d) sbuf_putc(b, ',');
        put_num(b, v[d]);
    }
    sbuf_putc(b, ']');
}

int rt_hotspots_update(rt_hotspots *h, const double *row, sbuf *out) {
    int finite = 1;
    for (uint32_t d = 0; d < h->dims; d++)
        if (!isfinite(row[d])) finite = 0;
    if (finite) {
        uint32_t s = (uint32_t)(h->added % h->window);
        if (h->n == h->window) remove_slot(h, s);   /* the oldest row lives in the slot to fill */
        insert_slot(h, s, row);
        h->added++;
    }

    uint32_t n_hot = cluster(h);
    sbuf_clear(out);
    sbuf_puts(out, "{\"hotspots\":[");
    for (uint32_t i = 0; i < n_hot; i++) {
        uint32_t k = h->order[i];
        if (i) sbuf_putc(out, ',');
        sbuf_puts(out, "{\"density\":");
        put_num(out, h->density[k]);
        sbuf_puts(out, ",\"minValues\":");
        put_values(out, h->lo + (size_t)k * h->dims, h->dims);
        sbuf_puts(out, ",\"maxValues\":");
        put_values(out, h->hi + (size_t)k * h->dims, h->dims);
        sbuf_putc(out, '}');
    }
    sbuf_puts(out, "]}");
    return out->failed ? EDDY_E_NOMEM : 0;
}
