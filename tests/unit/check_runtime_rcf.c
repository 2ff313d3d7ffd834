/*
 * check_runtime_rcf.c — unit tests of runtime/rcf.c, the Random Cut Forest
 * behind RANDOM_CUT_FOREST(_WITH_EXPLANATION): option errors, zero scores
 * while learning, determinism, the score scale on Gaussian data with
 * outliers, a broken periodic pattern found through shingling, attribution
 * adding up to the score and pointing at the right column and direction,
 * and tree invariants under heavy sample churn with duplicates and NaN.
 */
#include "check_main.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rcf.h"

/* The tests' own generator, so data never depends on libc's rand(). */
typedef struct {
    uint64_t s;
} gen;

static uint64_t gen_next(gen *g) {
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double gen_unif(gen *g) { return ((double)(gen_next(g) >> 11) + 0.5) * 0x1.0p-53; }

static double gen_normal(gen *g) {
    return sqrt(-2 * log(gen_unif(g))) * cos(6.283185307179586 * gen_unif(g));
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static rt_rcf *forest(uint32_t dims, uint32_t trees, uint32_t samples, uint32_t decay, uint32_t shingle,
                      uint64_t seed) {
    rt_rcf_opts o;
    rt_rcf_opts_init(&o);
    o.dims = dims;
    o.n_trees = trees;
    o.sample_size = samples;
    o.time_decay = decay;
    o.shingle_size = shingle;
    o.seed = seed;
    eddy_err err;
    rt_rcf *f = rt_rcf_new(&o, &err);
    ck_assert_msg(f != NULL, "%s", err.msg);
    return f;
}

static void assert_invariants(const rt_rcf *f) {
    eddy_err err;
    err.msg[0] = 0;
    ck_assert_msg(rt_rcf_check_invariants(f, &err) == 0, "%s", err.msg);
}

START_TEST(test_options) {
    rt_rcf_opts o;
    rt_rcf_opts_init(&o);
    ck_assert_uint_eq(o.dims, 1);
    ck_assert_uint_eq(o.n_trees, 100);
    ck_assert_uint_eq(o.sample_size, 256);
    ck_assert_uint_eq(o.time_decay, 100000);
    ck_assert_uint_eq(o.shingle_size, 1);
    ck_assert_uint_eq(o.seed, 42);
    static const struct {
        size_t field;
        uint32_t value;
        const char *says;
    } bad[] = {
        {offsetof(rt_rcf_opts, dims), 0, "numeric columns must be from 1 to 1000 (got 0)"},
        {offsetof(rt_rcf_opts, dims), 1001, "numeric columns"},
        {offsetof(rt_rcf_opts, n_trees), 0, "numberOfTrees must be from 1 to 1000 (got 0)"},
        {offsetof(rt_rcf_opts, n_trees), 1001, "numberOfTrees"},
        {offsetof(rt_rcf_opts, sample_size), 9, "subSampleSize must be from 10 to 1000 (got 9)"},
        {offsetof(rt_rcf_opts, sample_size), 1001, "subSampleSize"},
        {offsetof(rt_rcf_opts, time_decay), 0, "timeDecay must be from 1 to 2147483647 (got 0)"},
        {offsetof(rt_rcf_opts, time_decay), 2147483648u, "timeDecay"},
        {offsetof(rt_rcf_opts, shingle_size), 0, "shingleSize must be from 1 to 30 (got 0)"},
        {offsetof(rt_rcf_opts, shingle_size), 31, "shingleSize"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rt_rcf_opts_init(&o);
        memcpy((char *)&o + bad[i].field, &bad[i].value, sizeof(uint32_t));
        eddy_err err;
        memset(&err, 0, sizeof err);
        ck_assert_ptr_null(rt_rcf_new(&o, &err));
        ck_assert_int_eq(err.code, EDDY_E_INVAL);
        ck_assert_msg(strstr(err.msg, bad[i].says) != NULL, "case %zu: %s", i, err.msg);
    }
    /* The edges of every range are accepted. */
    rt_rcf_free(forest(1, 1, 10, 1, 30, 0));
    rt_rcf_free(NULL);
}
END_TEST

START_TEST(test_learning) {
    /* 16 samples, shingle 3: the first 2 rows fill the shingle, the next 16
     * fill the samples; row 19 is the first scored. */
    rt_rcf *f = forest(2, 5, 16, 1000, 3, 1);
    gen g = {1};
    double attr[4];
    for (int i = 0; i < 18; i++) {
        double row[2] = {gen_normal(&g), gen_normal(&g)};
        ck_assert_double_eq(rt_rcf_update(f, row, attr), 0);
        for (int j = 0; j < 4; j++) ck_assert_double_eq(attr[j], 0);
    }
    assert_invariants(f);
    double row[2] = {50, 50};
    ck_assert_double_gt(rt_rcf_update(f, row, attr), 1);
    assert_invariants(f);
    /* Memory: at least boxes, points and nodes for every tree. */
    size_t D = 6;
    ck_assert_uint_ge(rt_rcf_bytes(f), 5 * 16 * (3 * D * sizeof(double) + 16));
    ck_assert_uint_le(rt_rcf_bytes(f), 5 * 16 * (3 * D * sizeof(double) + 128) + 4096);
    rt_rcf_free(f);
}
END_TEST

/* Scores `probe` with a forest of 10-point trees that each hold 0 and 1 five
 * times: a root cutting between 0 and 1 and two leaves of mass 5 at depth
 * 1, whatever the random cuts. */
static double probe_two_leaves(double probe, double *attr) {
    rt_rcf *f = forest(1, 3, 10, 100000, 1, 5);
    for (int i = 0; i < 10; i++) {
        double v = i % 2;
        ck_assert_double_eq(rt_rcf_update(f, &v, NULL), 0);
    }
    double s = rt_rcf_update(f, &probe, attr);
    rt_rcf_free(f);
    return s;
}

START_TEST(test_exact_scores) {
    double attr[2], norm = log2(11);
    /* Seen: damp(5, 10) * scoreSeen(1, 5) = (1 - 5/20) / (1 + log2(6)). */
    ck_assert_double_eq_tol(probe_two_leaves(0, attr), 0.75 / (1 + log2(6)) * norm, 1e-12);
    ck_assert_double_eq_tol(attr[0] + attr[1], 0.75 / (1 + log2(6)) * norm, 1e-12);
    /* Unseen inside the root's box: scoreUnseen(1) = 1/2, and no cut of the
     * root's box separates 0.5. */
    ck_assert_double_eq_tol(probe_two_leaves(0.5, attr), 0.5 * norm, 1e-12);
    /* 2: the root's box [0, 1] merged with 2 is cut off with probability
     * 1/2, mixing in scoreUnseen(0) = 1: 1/2 * 1 + 1/2 * 1/2. */
    ck_assert_double_eq_tol(probe_two_leaves(2, attr), 0.75 * norm, 1e-12);
    ck_assert_double_eq(attr[0], 0);
    ck_assert_double_eq_tol(attr[1], 0.75 * norm, 1e-12);
    ck_assert_double_eq_tol(probe_two_leaves(-1, attr), 0.75 * norm, 1e-12);
    ck_assert_double_eq_tol(attr[0], 0.75 * norm, 1e-12);
    ck_assert_double_eq(attr[1], 0);
    /* -3: cut off with probability 3/4: 3/4 * 1 + 1/4 * 1/2. */
    ck_assert_double_eq_tol(probe_two_leaves(-3, attr), 0.875 * norm, 1e-12);
}
END_TEST

START_TEST(test_determinism) {
    rt_rcf *a = forest(2, 20, 64, 500, 2, 7), *b = forest(2, 20, 64, 500, 2, 7), *c = forest(2, 20, 64, 500, 2, 8);
    gen g = {99};
    int differs = 0;
    for (int i = 0; i < 1500; i++) {
        double row[2] = {gen_normal(&g), i % 97 == 0 ? 30 : gen_normal(&g)};
        double xa[4], xb[4], xc[4];
        double sa = rt_rcf_update(a, row, xa), sb = rt_rcf_update(b, row, xb), sc = rt_rcf_update(c, row, xc);
        ck_assert_msg(sa == sb, "row %d: %.17g vs %.17g", i, sa, sb);
        ck_assert(memcmp(xa, xb, sizeof xa) == 0);
        differs |= sa != sc;
    }
    ck_assert_msg(differs, "another seed should give other scores");
    rt_rcf_free(a);
    rt_rcf_free(b);
    rt_rcf_free(c);
}
END_TEST

START_TEST(test_outliers) {
    rt_rcf *f = forest(1, 50, 256, 100000, 1, 42);
    gen g = {5};
    double normal[3000], outlier[20];
    size_t n_normal = 0, n_outlier = 0;
    double lo = INFINITY, hi = 0;
    for (int i = 0; i < 3000; i++) {
        int out = i >= 600 && i % 150 == 0;
        double row = out ? 100 : 10 + gen_normal(&g);
        double s = rt_rcf_update(f, &row, NULL);
        ck_assert(s >= 0);
        if (i < 600) continue;
        if (out) {
            outlier[n_outlier++] = s;
        } else {
            normal[n_normal++] = s;
            lo = s < lo ? s : lo;
            hi = s > hi ? s : hi;
        }
    }
    double med = median(normal, n_normal), min_out = INFINITY, max_out = 0;
    for (size_t i = 0; i < n_outlier; i++) {
        min_out = outlier[i] < min_out ? outlier[i] : min_out;
        max_out = outlier[i] > max_out ? outlier[i] : max_out;
    }
    printf("rcf gaussian: normal median %.3f (%.3f..%.3f, p99 %.3f), outliers %.3f..%.3f\n", med, lo, hi,
           normal[n_normal * 99 / 100], min_out, max_out);
    ck_assert_double_ge(med, 0.3);
    ck_assert_double_le(med, 1.5);
    ck_assert_msg(min_out > 2 * med, "weakest outlier %.3f vs median %.3f", min_out, med);
    assert_invariants(f);
    rt_rcf_free(f);
}
END_TEST

/* Scores of a sine of period 10 with a little noise, one period of which
 * is flat (zero): fills the median, p99 and max of the normal rows after
 * warm-up and returns the largest score over the flat period. */
static double sine_break(uint32_t shingle, double *med, double *p99, double *max) {
    rt_rcf *f = forest(1, 50, 256, 100000, shingle, 3);
    gen g = {11};
    double normal[1600], flat_max = 0;
    size_t n = 0;
    for (int i = 0; i < 2000; i++) {
        int flat = i >= 1800 && i < 1810;
        double row = flat ? 0 : sin(6.283185307179586 * (i % 10) / 10) + 0.02 * gen_normal(&g);
        double s = rt_rcf_update(f, &row, NULL);
        if (i >= 300 && i < 1800) normal[n++] = s;
        if (i >= 1800 && i < 1810 + (int)shingle && s > flat_max) flat_max = s;
    }
    rt_rcf_free(f);
    *med = median(normal, n);
    *p99 = normal[n * 99 / 100];
    *max = normal[n - 1];
    return flat_max;
}

START_TEST(test_shingle_break) {
    /* Every value of the flat period is an ordinary one (the sine crosses
     * zero each period); only the sequence is new. With shingles of 4 the
     * flat stretch stands out above every normal row... */
    double med, p99, max, flat = sine_break(4, &med, &p99, &max);
    printf("rcf shingle 4: normal median %.3f p99 %.3f max %.3f, flat period max %.3f\n", med, p99, max, flat);
    ck_assert_msg(flat > 1.5 * med && flat > max, "flat period %.3f vs median %.3f, max %.3f", flat, med, max);
    /* ... while row by row it looks normal. */
    flat = sine_break(1, &med, &p99, &max);
    printf("rcf shingle 1: normal median %.3f p99 %.3f max %.3f, flat period max %.3f\n", med, p99, max, flat);
    ck_assert_msg(flat < p99, "unshingled flat period %.3f vs p99 %.3f", flat, p99);
}
END_TEST

static void assert_sums(double score, const double *attr, int n, int row) {
    double sum = 0;
    for (int j = 0; j < n; j++) {
        ck_assert(attr[j] >= 0);
        sum += attr[j];
    }
    ck_assert_msg(fabs(sum - score) <= 1e-9 * score, "row %d: attribution %.17g, score %.17g", row, sum, score);
}

START_TEST(test_attribution) {
    rt_rcf *f = forest(2, 50, 256, 100000, 1, 42);
    gen g = {21};
    double attr[4];
    for (int i = 0; i < 1200; i++) {
        /* Some exact repeats exercise the attribution of duplicates. */
        double row[2] = {10 + gen_normal(&g), i % 10 == 0 ? 10 : 10 + gen_normal(&g)};
        if (i % 10 == 0) row[0] = 10;
        double s = rt_rcf_update(f, row, attr);
        assert_sums(s, attr, 4, i);
    }
    double row[2] = {10, 100};
    double s = rt_rcf_update(f, row, attr);
    printf("rcf attribution: score %.3f col0 low %.3f high %.3f, col1 low %.3f high %.3f\n", s, attr[0], attr[1],
           attr[2], attr[3]);
    assert_sums(s, attr, 4, -1);
    ck_assert_double_gt(s, 2);
    ck_assert_msg(attr[3] > 0.8 * s, "column 1 HIGH gets %.3f of %.3f", attr[3], s);
    /* The same outlier again is a duplicate now, and still explained. */
    s = rt_rcf_update(f, row, attr);
    assert_sums(s, attr, 4, -2);
    row[1] = -80;
    s = rt_rcf_update(f, row, attr);
    assert_sums(s, attr, 4, -3);
    ck_assert_msg(attr[2] > 0.8 * s, "column 1 LOW gets %.3f of %.3f", attr[2], s);
    rt_rcf_free(f);

    /* With shingling, a column's positions add up into its two entries. */
    f = forest(2, 20, 64, 1000, 3, 4);
    for (int i = 0; i < 400; i++) {
        double r[2] = {gen_normal(&g), i == 300 ? -40 : gen_normal(&g)};
        double sc = rt_rcf_update(f, r, attr);
        assert_sums(sc, attr, 4, i);
        if (i == 300) ck_assert_msg(attr[2] > 0.8 * sc, "shingled column 1 LOW gets %.3f of %.3f", attr[2], sc);
    }
    rt_rcf_free(f);
}
END_TEST

START_TEST(test_invariants) {
    /* A fast decay churns the samples; a small grid of values makes many
     * duplicates; NaN rows are ignored. */
    rt_rcf *f = forest(2, 8, 32, 20, 1, 9);
    gen g = {33};
    for (int i = 0; i < 5000; i++) {
        double row[2];
        if (i % 3 == 0) {
            row[0] = (double)(gen_next(&g) % 3);
            row[1] = (double)(gen_next(&g) % 2);
        } else {
            row[0] = gen_normal(&g);
            row[1] = i % 500 == 0 ? 1e6 : gen_normal(&g);
        }
        if (i % 777 == 0) row[i % 2] = NAN;
        double s = rt_rcf_update(f, row, NULL);
        ck_assert(s >= 0 && isfinite(s));
        if (i < 40 || i % 250 == 0) assert_invariants(f);
    }
    assert_invariants(f);
    rt_rcf_free(f);

    /* A constant stream: every tree is one leaf of mass sample_size, and the
     * seen point scores damp * scoreSeen * log2(33) = 1/2. */
    f = forest(1, 4, 32, 100000, 1, 2);
    double one = 1, two = 2, nan = NAN, attr[2];
    for (int i = 0; i < 100; i++) rt_rcf_update(f, &one, NULL);
    assert_invariants(f);
    ck_assert_double_eq_tol(rt_rcf_update(f, &one, attr), 0.5, 1e-12);
    assert_sums(0.5, attr, 2, 0);
    ck_assert_double_eq(rt_rcf_update(f, &nan, attr), 0);
    ck_assert_double_eq(attr[0] + attr[1], 0);
    double s = rt_rcf_update(f, &two, attr);
    ck_assert_double_gt(s, 4);
    ck_assert_double_gt(attr[1], 0.999 * s);
    assert_invariants(f);
    rt_rcf_free(f);
}
END_TEST

static Suite *suite_runtime_rcf(void) {
    Suite *s = suite_create("runtime_rcf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_options);
    tcase_add_test(tc, test_learning);
    tcase_add_test(tc, test_exact_scores);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_outliers);
    tcase_add_test(tc, test_shingle_break);
    tcase_add_test(tc, test_attribution);
    tcase_add_test(tc, test_invariants);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_runtime_rcf)
