/*
 * rcf.c — Random Cut Forest anomaly scoring (rcf.h), after AWS's
 * open-source random-cut-forest-by-aws library, whose rules it follows:
 *
 *   sample   per tree, a reservoir of sample_size points; a point gets the
 *            weight -seq*lambda + log(-log(u)), u uniform in (0,1), and the
 *            sample keeps the smallest weights (CompactSampler). While a
 *            sample is not full every point enters it (the library's
 *            initialAcceptFraction = 1, its behaviour before 3.0), so every
 *            tree holds exactly min(points added, sample_size) points.
 *   insert   from the root down, a cut drawn uniformly in the box of the node
 *            merged with the point (dimension chosen proportionally to its
 *            side) that separates the point from the node's box splits the
 *            edge above the node; otherwise the point follows the node's own
 *            cut (x[dim] <= cut goes left). An equal point adds mass to its
 *            leaf.
 *   delete   when the sample evicts a point its leaf loses one unit of mass;
 *            an empty leaf is replaced by its sibling and the boxes above it
 *            are rebuilt until one does not change.
 *   score    AnomalyScoreVisitor: at the leaf, scoreSeen damped if the point
 *            is the leaf's, else scoreUnseen; then up the path, mixing in
 *            scoreUnseen of each node with the probability that a random cut
 *            of the node's box merged with the point separates the point;
 *            times log2(tree mass + 1); averaged over the trees.
 *   explain  AnomalyAttributionVisitor: the same sums split per dimension and
 *            direction, so they add up to the score.
 *
 * Memory is one block allocated by rt_rcf_new: per tree, sample_size
 * internal nodes (a tree of n leaves has n-1) each with a bounding box of
 * 2*D doubles and its range sum, sample_size leaves of D doubles and the
 * sample's heap. A tree refers to its nodes by index; a child reference
 * with the LEAF bit set names a leaf. Free nodes and leaves are chained
 * through their parent fields.
 */
#include "rcf.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "udf.h"

#define NIL UINT32_MAX
#define LEAF 0x80000000u

/* What a walk down the tree reads, kept small: scoring is bound by the
 * latency of these loads. */
typedef struct rcf_node {
    uint32_t child[2];   /* left (x[dim] <= cut), right; LEAF|i for leaf i */
    uint32_t dim;        /* cut dimension */
    uint32_t mass;       /* points below, with multiplicity */
    double cut;          /* cut value */
} rcf_node;

typedef struct rcf_tree {
    rcf_node *node;         /* sample_size internal nodes */
    uint32_t *parent;       /* per node: internal node, NIL at the root; next free node while free */
    double *box;            /* per node: the sum of its sides (the denominator of every cut
                               probability), min[D], max[D] */
    double *pt;             /* per leaf: its point */
    uint32_t *leaf_parent;  /* per leaf: internal node, NIL at the root; next free leaf while free */
    uint32_t *leaf_mass;    /* per leaf: copies of its point in the sample */
    double *heap_w;         /* the sample: a max-heap on weight */
    uint32_t *heap_leaf;    /* the leaf holding each sampled point */
    uint32_t heap_n;        /* points in the sample (= tree mass) */
    uint32_t root;          /* child reference, NIL when empty */
    uint32_t free_node, free_leaf;
    uint64_t rng[4];        /* xoshiro256** state, for the sample and the cuts */
} rcf_tree;

struct rt_rcf {
    rt_rcf_opts o;
    uint32_t D;          /* dims * shingle_size: dimension of the forest's points */
    double lambda;       /* 1 / time_decay */
    uint64_t n_rows;     /* finite rows seen; the shingle is full from shingle_size on */
    uint64_t n_added;    /* points added to the forest */
    double *shingle;     /* D: the last shingle_size rows, oldest first */
    double *attr;        /* 2D: one tree's attribution, [2i] low, [2i+1] high */
    double *attr_sum;    /* 2D: the forest's */
    double *shadow;      /* 2D: scratch box for attributing a duplicate */
    rcf_tree *tree;
    void *block;         /* everything above that is an array */
    size_t bytes;
};

/* ---- random numbers: splitmix64 seeds one xoshiro256** per tree ---- */

static uint64_t splitmix64(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t xo_next(uint64_t *s) {
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double uniform(uint64_t *s) { return (double)(xo_next(s) >> 11) * 0x1.0p-53; }

/* ---- node access ---- */

static inline int is_leaf(uint32_t ref) { return (ref & LEAF) != 0; }

/* Node n's box: min[D] then max[D], with the range sum at index -1. */
static inline double *node_box(const rt_rcf *f, const rcf_tree *t, uint32_t n) {
    return t->box + (size_t)n * (2 * f->D + 1) + 1;
}

static inline double *leaf_pt(const rt_rcf *f, const rcf_tree *t, uint32_t l) {
    return t->pt + (size_t)l * f->D;
}

/* The box of a child reference; a leaf's box is its point. */
static inline void ref_box(const rt_rcf *f, const rcf_tree *t, uint32_t ref, const double **lo,
                           const double **hi) {
    if (is_leaf(ref)) {
        *lo = *hi = leaf_pt(f, t, ref & ~LEAF);
    } else {
        *lo = node_box(f, t, ref);
        *hi = *lo + f->D;
    }
}

static inline uint32_t ref_mass(const rcf_tree *t, uint32_t ref) {
    return is_leaf(ref) ? t->leaf_mass[ref & ~LEAF] : t->node[ref].mass;
}

static inline uint32_t ref_parent(const rcf_tree *t, uint32_t ref) {
    return is_leaf(ref) ? t->leaf_parent[ref & ~LEAF] : t->parent[ref];
}

static inline void set_parent(rcf_tree *t, uint32_t ref, uint32_t p) {
    if (is_leaf(ref)) t->leaf_parent[ref & ~LEAF] = p;
    else t->parent[ref] = p;
}

static inline int points_equal(const double *a, const double *b, uint32_t D) {
    for (uint32_t d = 0; d < D; d++)
        if (a[d] != b[d]) return 0;
    return 1;
}

/* ---- insertion ---- */

/* Turns r, uniform in [0, range sum of the box lo..hi merged with x), into
 * a random cut of that merged box: laying its sides end to end, the side r
 * falls in gives the dimension and the rest of r the value, kept inside
 * [min, max) as the library does. Returns 0 when the merged box is a single
 * point. */
static int pick_cut(const double *x, const double *lo, const double *hi, uint32_t D, double r,
                    uint32_t *dim, double *cut) {
    uint32_t last = NIL;
    for (uint32_t d = 0; d < D; d++) {
        double a = x[d] < lo[d] ? x[d] : lo[d], b = x[d] > hi[d] ? x[d] : hi[d], side = b - a;
        if (!(side > 0)) continue;
        last = d;
        if (r <= side) {
            double v = a + r;
            *dim = d;
            *cut = v < b ? v : nextafter(b, a);
            return 1;
        }
        r -= side;
    }
    if (last == NIL) return 0;
    /* Rounding left r past the last side: cut just below its top. */
    double a = x[last] < lo[last] ? x[last] : lo[last], b = x[last] > hi[last] ? x[last] : hi[last];
    *dim = last;
    *cut = nextafter(b, a);
    return 1;
}

static uint32_t new_leaf(const rt_rcf *f, rcf_tree *t, const double *x, uint32_t parent) {
    uint32_t l = t->free_leaf;
    assert(l != NIL);   /* a sample of sample_size points never needs more leaves */
    t->free_leaf = t->leaf_parent[l];
    t->leaf_parent[l] = parent;
    t->leaf_mass[l] = 1;
    memcpy(leaf_pt(f, t, l), x, f->D * sizeof(double));
    return l;
}

/* Puts a new internal node with cut (dim, cut) on the edge above `ref`
 * (child `side` of `parent`), with x's new leaf as its other child. lo/hi is
 * ref's box and rs the range sum of that box merged with x. */
static uint32_t split(const rt_rcf *f, rcf_tree *t, uint32_t ref, uint32_t parent, uint32_t side,
                      const double *x, const double *lo, const double *hi, uint32_t dim, double cut,
                      double rs) {
    uint32_t nn = t->free_node;
    assert(nn != NIL);
    t->free_node = t->parent[nn];
    uint32_t l = new_leaf(f, t, x, nn);
    rcf_node *n = &t->node[nn];
    int x_right = x[dim] > cut;
    n->child[x_right] = l | LEAF;
    n->child[!x_right] = ref;
    t->parent[nn] = parent;
    n->mass = ref_mass(t, ref) + 1;
    n->dim = dim;
    n->cut = cut;
    double *blo = node_box(f, t, nn), *bhi = blo + f->D;
    blo[-1] = rs;
    for (uint32_t d = 0; d < f->D; d++) {
        blo[d] = x[d] < lo[d] ? x[d] : lo[d];
        bhi[d] = x[d] > hi[d] ? x[d] : hi[d];
    }
    set_parent(t, ref, nn);
    if (parent == NIL) t->root = nn;
    else t->node[parent].child[side] = nn;
    return l;
}

/* Adds x to the tree; returns the leaf that holds it (an existing one when x
 * is already in the tree). */
static uint32_t tree_insert(const rt_rcf *f, rcf_tree *t, const double *x) {
    uint32_t D = f->D;
    if (t->root == NIL) {
        uint32_t l = new_leaf(f, t, x, NIL);
        t->root = l | LEAF;
        return l;
    }
    uint32_t ref = t->root, parent = NIL, side = 0;
    for (;;) {
        const double *lo, *hi;
        ref_box(f, t, ref, &lo, &hi);
        double rs = 0;
        int inside = 1;
        for (uint32_t d = 0; d < D; d++) {
            double a = x[d] < lo[d] ? x[d] : lo[d], b = x[d] > hi[d] ? x[d] : hi[d];
            rs += b - a;
            inside &= x[d] >= lo[d] && x[d] <= hi[d];
        }
        if (!inside) {
            /* No cut can separate a point inside the box, so draw only outside. */
            uint32_t dim = 0;
            double cut = 0;
            int ok = pick_cut(x, lo, hi, D, uniform(t->rng) * rs, &dim, &cut);
            if (ok && ((x[dim] <= cut && cut < lo[dim]) || (x[dim] > cut && cut >= hi[dim])))
                return split(f, t, ref, parent, side, x, lo, hi, dim, cut, rs);
            if (is_leaf(ref)) {
                /* A cut in the box of two distinct points always separates
                 * them unless rounding (sides near overflow) got in the way:
                 * then cut at the smaller value of a differing dimension. */
                for (dim = 0; x[dim] == lo[dim]; dim++) {}
                cut = x[dim] < lo[dim] ? x[dim] : lo[dim];
                return split(f, t, ref, parent, side, x, lo, hi, dim, cut, rs);
            }
        }
        if (is_leaf(ref)) {
            uint32_t l = ref & ~LEAF;
            t->leaf_mass[l]++;
            return l;
        }
        rcf_node *n = &t->node[ref];
        n->mass++;
        if (!inside) {
            double *blo = node_box(f, t, ref), *bhi = blo + D;
            for (uint32_t d = 0; d < D; d++) {
                if (x[d] < blo[d]) blo[d] = x[d];
                if (x[d] > bhi[d]) bhi[d] = x[d];
            }
            blo[-1] = rs;
        }
        parent = ref;
        side = x[n->dim] > n->cut;
        ref = n->child[side];
    }
}

/* ---- deletion ---- */

/* Makes node q's box the union of its children's after a point x left the
 * subtree. Returns 1 if the box changed (so its parent's may have too). */
static int rebuild_box(const rt_rcf *f, rcf_tree *t, uint32_t q, const double *x) {
    uint32_t D = f->D;
    double *lo = node_box(f, t, q), *hi = lo + D;
    uint32_t d = 0;
    while (d < D && x[d] > lo[d] && x[d] < hi[d]) d++;
    if (d == D) return 0;   /* strictly inside: x set no side */
    const double *alo, *ahi, *blo, *bhi;
    ref_box(f, t, t->node[q].child[0], &alo, &ahi);
    ref_box(f, t, t->node[q].child[1], &blo, &bhi);
    int changed = 0;
    double rs = 0;
    for (d = 0; d < D; d++) {
        double a = alo[d] < blo[d] ? alo[d] : blo[d], b = ahi[d] > bhi[d] ? ahi[d] : bhi[d];
        changed |= a != lo[d] || b != hi[d];
        lo[d] = a;
        hi[d] = b;
        rs += b - a;
    }
    lo[-1] = rs;
    return changed;
}

/* Removes one copy of leaf l's point from the tree. */
static void tree_delete(const rt_rcf *f, rcf_tree *t, uint32_t l) {
    uint32_t p = t->leaf_parent[l];
    if (--t->leaf_mass[l] > 0) {
        for (uint32_t q = p; q != NIL; q = t->parent[q]) t->node[q].mass--;
        return;
    }
    /* Freeing only relinks leaf_parent, so the point stays readable below. */
    const double *x = leaf_pt(f, t, l);
    t->leaf_parent[l] = t->free_leaf;
    t->free_leaf = l;
    if (p == NIL) {
        t->root = NIL;
        return;
    }
    rcf_node *pn = &t->node[p];
    uint32_t sib = pn->child[0] == (l | LEAF) ? pn->child[1] : pn->child[0], g = t->parent[p];
    set_parent(t, sib, g);
    if (g == NIL) t->root = sib;
    else t->node[g].child[t->node[g].child[0] == p ? 0 : 1] = sib;
    t->parent[p] = t->free_node;
    t->free_node = p;
    int settled = 0;
    for (uint32_t q = g; q != NIL; q = t->parent[q]) {
        t->node[q].mass--;
        if (!settled) settled = !rebuild_box(f, t, q, x);
    }
}

/* ---- the sample ---- */

static void heap_swap(rcf_tree *t, uint32_t i, uint32_t j) {
    double w = t->heap_w[i];
    uint32_t l = t->heap_leaf[i];
    t->heap_w[i] = t->heap_w[j];
    t->heap_leaf[i] = t->heap_leaf[j];
    t->heap_w[j] = w;
    t->heap_leaf[j] = l;
}

/* Offers the point x, the forest's seq-th, to tree t's sample and updates
 * the tree with what enters and leaves. seq_decay is seq * lambda. */
static void tree_update(const rt_rcf *f, rcf_tree *t, const double *x, double seq_decay) {
    double u;
    do u = uniform(t->rng);
    while (u == 0);
    double w = -seq_decay + log(-log(u));
    if (t->heap_n == f->o.sample_size) {
        if (!(w < t->heap_w[0])) return;
        uint32_t evicted = t->heap_leaf[0];
        uint32_t n = --t->heap_n, i = 0;
        t->heap_w[0] = t->heap_w[n];
        t->heap_leaf[0] = t->heap_leaf[n];
        for (;;) {
            uint32_t c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && t->heap_w[c + 1] > t->heap_w[c]) c++;
            if (!(t->heap_w[c] > t->heap_w[i])) break;
            heap_swap(t, i, c);
            i = c;
        }
        /* Evict before inserting, as the library does: the tree never
         * holds more than sample_size points. */
        tree_delete(f, t, evicted);
    }
    uint32_t i = t->heap_n++;
    t->heap_w[i] = w;
    t->heap_leaf[i] = tree_insert(f, t, x);
    while (i > 0 && t->heap_w[(i - 1) / 2] < t->heap_w[i]) {
        heap_swap(t, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

/* ---- scoring ---- */

/* Attribution of a point equal to the leaf `ref` at `depth`, whose score is
 * s: as if the point were not in the tree, the boxes are those of the
 * siblings along the path, merged as the walk goes up; the result is scaled
 * to add up to s (AbstractAttributionVisitor's hitDuplicates case). */
static void dup_attribution(const rt_rcf *f, const rcf_tree *t, const double *x, uint32_t ref,
                            uint32_t depth, double s, double *a) {
    uint32_t D = f->D;
    for (uint32_t i = 0; i < 2 * D; i++) a[i] = s / (2.0 * D);
    double *slo = f->shadow, *shi = slo + D;
    uint32_t k = depth;
    for (uint32_t c = ref, q = ref_parent(t, ref); q != NIL; c = q, q = t->parent[q]) {
        k--;
        const rcf_node *n = &t->node[q];
        const double *lo, *hi;
        ref_box(f, t, n->child[0] == c ? n->child[1] : n->child[0], &lo, &hi);
        double range = 0, gap = 0;
        for (uint32_t d = 0; d < D; d++) {
            if (c == ref || lo[d] < slo[d]) slo[d] = lo[d];
            if (c == ref || hi[d] > shi[d]) shi[d] = hi[d];
            range += shi[d] - slo[d];
            gap += (slo[d] > x[d] ? slo[d] - x[d] : 0) + (x[d] > shi[d] ? x[d] - shi[d] : 0);
        }
        if (!(gap > 0)) break;
        double tot = range + gap, keep = 1 - gap / tot, su = 1.0 / (k + 1);
        for (uint32_t d = 0; d < D; d++) {
            a[2 * d] = (slo[d] > x[d] ? slo[d] - x[d] : 0) / tot * su + keep * a[2 * d];
            a[2 * d + 1] = (x[d] > shi[d] ? x[d] - shi[d] : 0) / tot * su + keep * a[2 * d + 1];
        }
    }
    double sum = 0;
    for (uint32_t i = 0; i < 2 * D; i++) sum += a[i];
    if (sum > 0)
        for (uint32_t i = 0; i < 2 * D; i++) a[i] *= s / sum;
}

/* One tree's score of x before the log2(mass + 1) scaling, from the leaf
 * `ref` at `depth` where x's walk down ends; with `a` (2D) also its
 * attribution, adding up to the score. */
static double tree_score(const rt_rcf *f, const rcf_tree *t, const double *x, uint32_t ref, uint32_t depth,
                         double *a) {
    uint32_t D = f->D;
    uint32_t l = ref & ~LEAF, m = t->leaf_mass[l];
    const double *p = leaf_pt(f, t, l);
    if (points_equal(p, x, D)) {
        /* scoreSeen, damped by how much of the tree the point already is. */
        double s = (1.0 - m / (2.0 * t->heap_n)) / (depth + log2(m + 1.0));
        if (a) dup_attribution(f, t, x, ref, depth, s, a);
        return s;
    }
    double s = 1.0 / (depth + 1);   /* scoreUnseen */
    if (a) {
        double sum = 0;
        for (uint32_t d = 0; d < D; d++) sum += fabs(x[d] - p[d]);
        for (uint32_t d = 0; d < D; d++) {
            a[2 * d] = p[d] > x[d] ? s * ((p[d] - x[d]) / sum) : 0;
            a[2 * d + 1] = x[d] > p[d] ? s * ((x[d] - p[d]) / sum) : 0;
        }
    }
    uint32_t k = depth;
    for (uint32_t q = t->leaf_parent[l]; q != NIL; q = t->parent[q]) {
        k--;
        const double *lo = node_box(f, t, q), *hi = lo + D;
        double gap = 0;
        for (uint32_t d = 0; d < D; d++)
            gap += (lo[d] > x[d] ? lo[d] - x[d] : 0) + (x[d] > hi[d] ? x[d] - hi[d] : 0);
        /* Inside this box, inside every box above: no cut separates x. */
        if (!(gap > 0)) break;
        double tot = lo[-1] + gap, prob = gap / tot, su = 1.0 / (k + 1);
        s = prob * su + (1 - prob) * s;
        if (a) {
            for (uint32_t d = 0; d < D; d++) {
                a[2 * d] = (lo[d] > x[d] ? lo[d] - x[d] : 0) / tot * su + (1 - prob) * a[2 * d];
                a[2 * d + 1] = (x[d] > hi[d] ? x[d] - hi[d] : 0) / tot * su + (1 - prob) * a[2 * d + 1];
            }
        }
    }
    return s;
}

/* Trees walked down side by side: each step of a walk waits on a load from
 * a different place in memory, and interleaving walks lets those misses
 * overlap (about twice the speed of one walk at a time). */
#define RCF_WALKS 8

/* The forest's score of its current shingle; fills `out` (2*dims) when not
 * NULL. Every tree is full here. */
static double forest_score(rt_rcf *f, double *out) {
    uint32_t D = f->D, dims = f->o.dims, n_trees = f->o.n_trees;
    const double *x = f->shingle;
    double total = 0, norm_full = log2(f->o.sample_size + 1.0);
    if (out) memset(f->attr_sum, 0, 2 * D * sizeof(double));
    for (uint32_t i0 = 0; i0 < n_trees; i0 += RCF_WALKS) {
        uint32_t m = n_trees - i0 < RCF_WALKS ? n_trees - i0 : RCF_WALKS, ref[RCF_WALKS], depth[RCF_WALKS];
        int busy = 0;
        for (uint32_t j = 0; j < m; j++) {
            ref[j] = f->tree[i0 + j].root;
            depth[j] = 0;
            busy |= !is_leaf(ref[j]);
        }
        while (busy) {
            busy = 0;
            for (uint32_t j = 0; j < m; j++) {
                if (is_leaf(ref[j])) continue;
                const rcf_node *n = &f->tree[i0 + j].node[ref[j]];
                ref[j] = n->child[x[n->dim] > n->cut];
                depth[j]++;
                busy = 1;
            }
        }
        for (uint32_t j = 0; j < m; j++) {
            const rcf_tree *t = &f->tree[i0 + j];
            double norm = t->heap_n == f->o.sample_size ? norm_full : log2(t->heap_n + 1.0);
            total += tree_score(f, t, x, ref[j], depth[j], out ? f->attr : NULL) * norm;
            if (out)
                for (uint32_t k = 0; k < 2 * D; k++) f->attr_sum[k] += f->attr[k] * norm;
        }
    }
    if (out) {
        /* Forest dimension pos*dims + c is column c, pos rows back from the oldest. */
        for (uint32_t j = 0; j < 2 * D; j++) out[j % (2 * dims)] += f->attr_sum[j] / f->o.n_trees;
    }
    return total / f->o.n_trees;
}

/* ---- the interface ---- */

void rt_rcf_opts_init(rt_rcf_opts *o) {
    *o = (rt_rcf_opts){.dims = 1, .n_trees = 100, .sample_size = 256, .time_decay = 100000,
                       .shingle_size = 1, .seed = 42};
}

static int check_opt(eddy_err *err, const char *name, uint32_t v, int64_t lo, int64_t hi) {
    if (v >= lo && v <= hi) return 0;
    return eddy_err_set(err, EDDY_E_INVAL, "%s must be from %lld to %lld (got %u)", name, (long long)lo,
                        (long long)hi, v);
}

/* The forest's sizes take the ranges RANDOM_CUT_FOREST's signature states
 * (udf_int_range: argument 1 numberOfTrees ... 4 shingleSize), the ones
 * the planner and the operator check, so the three cannot drift apart. */
static int check_size(eddy_err *err, int arg, uint32_t v) {
    const udf_func *fn = udf_find_specific(udf_registry_default(), "RANDOM_CUT_FOREST");
    const udf_int_range *r = udf_int_range_of(fn, arg);
    if (!r) return eddy_err_set(err, EDDY_E_INTERNAL, "RANDOM_CUT_FOREST declares no range for argument %d", arg);
    return check_opt(err, r->what, v, r->lo, r->hi);
}

/* Reserves n items of sz bytes at *off, 8-aligned; 0 on size overflow. */
static int reserve(size_t *off, size_t *at, size_t n, size_t sz) {
    size_t bytes;
    if (__builtin_mul_overflow(n, sz, &bytes) || __builtin_add_overflow(bytes, 7, &bytes)) return 0;
    *at = *off;
    return !__builtin_add_overflow(*off, bytes & ~(size_t)7, off);
}

rt_rcf *rt_rcf_new(const rt_rcf_opts *o, eddy_err *err) {
    if (check_opt(err, "the number of numeric columns", o->dims, 1, 1000) || check_size(err, 1, o->n_trees) ||
        check_size(err, 2, o->sample_size) || check_size(err, 3, o->time_decay) || check_size(err, 4, o->shingle_size))
        return NULL;
    rt_rcf *f = calloc(1, sizeof *f);
    if (!f) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory for a random cut forest");
        return NULL;
    }
    f->o = *o;
    f->D = o->dims * o->shingle_size;
    f->lambda = 1.0 / o->time_decay;
    size_t D = f->D, S = o->sample_size, N = (size_t)o->n_trees * S, off = 0;
    size_t at_tree, at_node, at_box, at_pt, at_w, at_scratch, at_lp, at_np, at_lm, at_hl;
    /* 8-byte arrays first, then 4-byte ones, so every array is aligned. */
    int ok = reserve(&off, &at_tree, o->n_trees, sizeof(rcf_tree)) && reserve(&off, &at_node, N, sizeof(rcf_node)) &&
             reserve(&off, &at_box, N, (2 * D + 1) * sizeof(double)) && reserve(&off, &at_pt, N, D * sizeof(double)) &&
             reserve(&off, &at_w, N, sizeof(double)) && reserve(&off, &at_scratch, 7 * D, sizeof(double)) &&
             reserve(&off, &at_np, N, sizeof(uint32_t)) && reserve(&off, &at_lp, N, sizeof(uint32_t)) &&
             reserve(&off, &at_lm, N, sizeof(uint32_t)) && reserve(&off, &at_hl, N, sizeof(uint32_t));
    char *b = ok ? calloc(1, off) : NULL;
    if (!b) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory for a random cut forest (%u trees of %u points of %zu values)",
                     o->n_trees, o->sample_size, D);
        free(f);
        return NULL;
    }
    f->block = b;
    f->bytes = sizeof *f + off;
    f->tree = (rcf_tree *)(b + at_tree);
    f->shingle = (double *)(b + at_scratch);
    f->attr = f->shingle + D;
    f->attr_sum = f->attr + 2 * D;
    f->shadow = f->attr_sum + 2 * D;
    uint64_t seed = o->seed;
    for (uint32_t i = 0; i < o->n_trees; i++) {
        rcf_tree *t = &f->tree[i];
        size_t base = (size_t)i * S;
        t->node = (rcf_node *)(b + at_node) + base;
        t->parent = (uint32_t *)(b + at_np) + base;
        t->box = (double *)(b + at_box) + base * (2 * D + 1);
        t->pt = (double *)(b + at_pt) + base * D;
        t->heap_w = (double *)(b + at_w) + base;
        t->leaf_parent = (uint32_t *)(b + at_lp) + base;
        t->leaf_mass = (uint32_t *)(b + at_lm) + base;
        t->heap_leaf = (uint32_t *)(b + at_hl) + base;
        t->root = NIL;
        for (uint32_t j = 0; j < S; j++) {
            t->parent[j] = j + 1 < S ? j + 1 : NIL;
            t->leaf_parent[j] = j + 1 < S ? j + 1 : NIL;
        }
        t->free_node = t->free_leaf = 0;
        for (int j = 0; j < 4; j++) t->rng[j] = splitmix64(&seed);
    }
    return f;
}

void rt_rcf_free(rt_rcf *f) {
    if (!f) return;
    free(f->block);
    free(f);
}

double rt_rcf_update(rt_rcf *f, const double *row, double *attribution) {
    uint32_t dims = f->o.dims, D = f->D;
    if (attribution) memset(attribution, 0, 2 * dims * sizeof(double));
    for (uint32_t c = 0; c < dims; c++)
        if (!isfinite(row[c])) return 0;
    memmove(f->shingle, f->shingle + dims, (D - dims) * sizeof(double));
    memcpy(f->shingle + D - dims, row, dims * sizeof(double));
    if (++f->n_rows < f->o.shingle_size) return 0;
    double score = f->n_added >= f->o.sample_size ? forest_score(f, attribution) : 0;
    double seq_decay = (double)f->n_added * f->lambda;
    for (uint32_t i = 0; i < f->o.n_trees; i++) tree_update(f, &f->tree[i], f->shingle, seq_decay);
    f->n_added++;
    return score;
}

size_t rt_rcf_bytes(const rt_rcf *f) { return f->bytes; }

/* ---- invariants (tests) ---- */

static int check_tree(const rt_rcf *f, const rcf_tree *t, uint32_t ti, uint32_t *seen_n, uint32_t *seen_l,
                      uint32_t *stack, eddy_err *err) {
    uint32_t D = f->D, S = f->o.sample_size, n_int = 0, n_leaf = 0;
#define BAD(...) return eddy_err_set(err, EDDY_E_INTERNAL, __VA_ARGS__)
    uint64_t want = f->n_added < S ? f->n_added : S;
    if (t->heap_n != want)
        BAD("tree %u: sample holds %u points, expected %llu", ti, t->heap_n, (unsigned long long)want);
    if (t->root == NIL ? t->heap_n != 0 : ref_mass(t, t->root) != t->heap_n || ref_parent(t, t->root) != NIL)
        BAD("tree %u: root mass or parent disagrees with the sample", ti);
    for (uint32_t i = 1; i < t->heap_n; i++)
        if (t->heap_w[(i - 1) / 2] < t->heap_w[i]) BAD("tree %u: sample heap out of order at %u", ti, i);
    for (uint32_t i = 0; i < t->heap_n; i++) {
        if (t->heap_leaf[i] >= S) BAD("tree %u: sample entry %u names leaf %u", ti, i, t->heap_leaf[i]);
        seen_l[t->heap_leaf[i]]++;
    }
    uint32_t sp = 0;
    if (t->root != NIL) stack[sp++] = t->root;
    while (sp > 0) {
        uint32_t ref = stack[--sp];
        if (is_leaf(ref)) {
            uint32_t l = ref & ~LEAF;
            if (l >= S) BAD("tree %u: leaf %u out of range", ti, l);
            if (seen_l[l] != t->leaf_mass[l] || seen_n[S + l]++)
                BAD("tree %u: leaf %u has mass %u, the sample holds it %u times (or it is shared)", ti, l,
                    t->leaf_mass[l], seen_l[l]);
            n_leaf++;
            continue;
        }
        if (ref >= S || seen_n[ref]++) BAD("tree %u: node %u out of range or shared", ti, ref);
        const rcf_node *n = &t->node[ref];
        n_int++;
        uint32_t a = n->child[0], b = n->child[1];
        if (ref_parent(t, a) != ref || ref_parent(t, b) != ref) BAD("tree %u: node %u's children disown it", ti, ref);
        if (n->mass != ref_mass(t, a) + ref_mass(t, b)) BAD("tree %u: node %u mass %u != children's", ti, ref, n->mass);
        const double *alo, *ahi, *blo, *bhi, *lo = node_box(f, t, ref), *hi = lo + D;
        ref_box(f, t, a, &alo, &ahi);
        ref_box(f, t, b, &blo, &bhi);
        if (n->dim >= D || !(ahi[n->dim] <= n->cut) || !(blo[n->dim] > n->cut))
            BAD("tree %u: node %u cut does not separate its children", ti, ref);
        double rs = 0;
        for (uint32_t d = 0; d < D; d++) {
            if (lo[d] != (alo[d] < blo[d] ? alo[d] : blo[d]) || hi[d] != (ahi[d] > bhi[d] ? ahi[d] : bhi[d]))
                BAD("tree %u: node %u box is not its children's union in dimension %u", ti, ref, d);
            rs += hi[d] - lo[d];
        }
        if (fabs(rs - lo[-1]) > 1e-9 * (rs > 1 ? rs : 1)) BAD("tree %u: node %u range sum is stale", ti, ref);
        stack[sp++] = a;
        stack[sp++] = b;
    }
    uint32_t free_n = 0, free_l = 0;
    for (uint32_t q = t->free_node; q < S && free_n <= S; q = t->parent[q]) free_n++;
    for (uint32_t q = t->free_leaf; q < S && free_l <= S; q = t->leaf_parent[q]) free_l++;
    if (n_int + free_n != S || n_leaf + free_l != S)
        BAD("tree %u: %u+%u nodes and %u+%u leaves in use+free, expected %u each", ti, n_int, free_n, n_leaf,
            free_l, S);
#undef BAD
    return 0;
}

int rt_rcf_check_invariants(const rt_rcf *f, eddy_err *err) {
    uint32_t S = f->o.sample_size;
    uint32_t *scratch = malloc((size_t)5 * S * sizeof *scratch);
    if (!scratch) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory checking a forest");
    int rc = 0;
    for (uint32_t i = 0; i < f->o.n_trees && rc == 0; i++) {
        /* seen_n: S nodes then S leaves; seen_l: sample copies per leaf. */
        memset(scratch, 0, (size_t)3 * S * sizeof *scratch);
        rc = check_tree(f, &f->tree[i], i, scratch, scratch + 2 * S, scratch + 3 * S, err);
    }
    free(scratch);
    return rc;
}
