/*
 * check_runtime_hotspots.c — unit tests of runtime/hotspots.c: parameter
 * ranges, the empty result, two dense clusters in uniform noise (KDA's
 * example shape), the window sliding a hotspot out at the exact row,
 * repeated values, skipped non-finite rows, determinism, and a randomised
 * comparison of every row's result against a brute-force DBSCAN.
 */
#include "check_main.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hotspots.h"

#define MAX_D 3
#define MAX_HOT 64

typedef struct {
    double density, lo[MAX_D], hi[MAX_D];
} hot;

static double urand(uint64_t *s) {   /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

/* Parses a HOTSPOTS_RESULT, checking its shape member by member; returns the
 * number of hotspots. */
static int parse(const char *json, uint32_t dims, hot *out) {
    cJSON *root = cJSON_Parse(json);
    ck_assert_msg(root != NULL, "not JSON: %s", json);
    ck_assert(cJSON_IsObject(root));
    cJSON *arr = root->child;
    ck_assert_ptr_nonnull(arr);
    ck_assert_str_eq(arr->string, "hotspots");
    ck_assert_ptr_null(arr->next);
    ck_assert(cJSON_IsArray(arr));
    int n = 0;
    for (cJSON *o = arr->child; o; o = o->next, n++) {
        ck_assert_int_lt(n, MAX_HOT);
        ck_assert(cJSON_IsObject(o));
        cJSON *d = o->child, *lo = d ? d->next : NULL, *hi = lo ? lo->next : NULL;
        ck_assert_ptr_nonnull(hi);
        ck_assert_ptr_null(hi->next);
        ck_assert_str_eq(d->string, "density");
        ck_assert_str_eq(lo->string, "minValues");
        ck_assert_str_eq(hi->string, "maxValues");
        ck_assert(cJSON_IsNumber(d));
        out[n].density = d->valuedouble;
        ck_assert_int_eq(cJSON_GetArraySize(lo), (int)dims);
        ck_assert_int_eq(cJSON_GetArraySize(hi), (int)dims);
        for (uint32_t k = 0; k < dims; k++) {
            out[n].lo[k] = cJSON_GetArrayItem(lo, (int)k)->valuedouble;
            out[n].hi[k] = cJSON_GetArrayItem(hi, (int)k)->valuedouble;
        }
    }
    cJSON_Delete(root);
    return n;
}

static rt_hotspots *make(uint32_t dims, uint32_t window, double radius, uint32_t min_points) {
    eddy_err err;
    rt_hotspots *h = rt_hotspots_new(dims, window, radius, min_points, &err);
    ck_assert_msg(h != NULL, "%s", err.msg);
    return h;
}

static void bad(uint32_t dims, uint32_t window, double radius, uint32_t min_points, const char *name,
                const char *range) {
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_ptr_null(rt_hotspots_new(dims, window, radius, min_points, &err));
    ck_assert_int_eq(err.code, EDDY_E_INVAL);
    ck_assert_msg(strstr(err.msg, name) != NULL, "%s lacks %s", err.msg, name);
    ck_assert_msg(strstr(err.msg, range) != NULL, "%s lacks %s", err.msg, range);
}

START_TEST(test_params) {
    bad(2, 99, 0.2, 17, "windowSize", "from 100 to 1000");
    bad(2, 1001, 0.2, 17, "windowSize", "from 100 to 1000");
    bad(2, 0, 0.2, 17, "windowSize", "(got 0)");
    bad(2, 1000, 0, 17, "scanRadius", "greater than 0");
    bad(2, 1000, -0.5, 17, "scanRadius", "greater than 0");
    bad(2, 1000, NAN, 17, "scanRadius", "greater than 0");
    bad(2, 1000, INFINITY, 17, "scanRadius", "finite");
    bad(2, 1000, 0.2, 1, "minimumNumberOfPointsInAHotspot", "from 2 to 1000");
    bad(2, 500, 0.2, 501, "minimumNumberOfPointsInAHotspot", "from 2 to 500");
    bad(0, 1000, 0.2, 17, "numeric input column", "at least one");
    bad(RT_HOTSPOTS_MAX_DIMS + 1, 1000, 0.2, 17, "numeric input columns", "from 1 to 1000");
    /* The edges of every range are allowed. */
    rt_hotspots *h = make(1, 100, 1e-300, 2);
    ck_assert_uint_gt(rt_hotspots_bytes(h), 0);
    rt_hotspots_free(h);
    h = make(RT_HOTSPOTS_MAX_DIMS, 1000, 1e300, 1000);
    rt_hotspots_free(h);
    rt_hotspots_free(NULL);
    ck_assert_uint_eq(rt_hotspots_bytes(NULL), 0);
}
END_TEST

START_TEST(test_empty) {
    rt_hotspots *h = make(2, 100, 0.5, 3);
    sbuf out;
    sbuf_init(&out);
    /* Rows on a grid of pitch 1 are never neighbours at radius 0.5. */
    for (int i = 0; i < 250; i++) {
        double row[2] = {i % 10, i / 10};
        ck_assert_int_eq(rt_hotspots_update(h, row, &out), 0);
        ck_assert_str_eq(out.data, "{\"hotspots\":[]}");
    }
    /* Two close rows are a cluster of 2 < 3 rows: still none. */
    double a[2] = {100, 100}, b[2] = {100.1, 100};
    rt_hotspots_update(h, a, &out);
    rt_hotspots_update(h, b, &out);
    ck_assert_str_eq(out.data, "{\"hotspots\":[]}");
    sbuf_free(&out);
    rt_hotspots_free(h);
}
END_TEST

/* KDA's example: 1000 rows, scanRadius 0.2, 17 points; uniform noise in
 * [0,10]^2 and two dense squares. */
START_TEST(test_two_clusters) {
    rt_hotspots *h = make(2, 1000, 0.2, 17);
    const double box[2][4] = {{1.8, 1.8, 0.4, 150}, {6.75, 6.75, 0.5, 100}};   /* x, y, side, rows */
    double clo[2][2] = {{INFINITY, INFINITY}, {INFINITY, INFINITY}};
    double chi[2][2] = {{-INFINITY, -INFINITY}, {-INFINITY, -INFINITY}};
    uint64_t rng = 7;
    sbuf out;
    sbuf_init(&out);
    int left[2] = {150, 100};
    for (int i = 0; i < 1000; i++) {
        double row[2];
        int c = i % 4 == 1 && left[0] ? 0 : i % 4 == 3 && left[1] ? 1 : -1;
        if (c >= 0) {
            left[c]--;
            for (int d = 0; d < 2; d++) {
                row[d] = box[c][d] + urand(&rng) * box[c][2];
                clo[c][d] = fmin(clo[c][d], row[d]);
                chi[c][d] = fmax(chi[c][d], row[d]);
            }
        } else {
            row[0] = urand(&rng) * 10;
            row[1] = urand(&rng) * 10;
        }
        ck_assert_int_eq(rt_hotspots_update(h, row, &out), 0);
    }
    ck_assert_int_eq(left[0] + left[1], 0);
    ck_assert_msg(strncmp(out.data, "{\"hotspots\":[{\"density\":", 24) == 0, "%s", out.data);
    ck_assert_ptr_nonnull(strstr(out.data, ",\"minValues\":["));
    ck_assert_ptr_nonnull(strstr(out.data, "],\"maxValues\":["));
    hot hs[MAX_HOT];
    ck_assert_int_eq(parse(out.data, 2, hs), 2);
    /* Listed densest first. Each hotspot holds all of its square's rows and
     * reaches at most two scanRadius beyond them: a noise row just outside
     * a square can be a core row, and its own neighbours border rows. */
    ck_assert(hs[0].density >= hs[1].density);
    int seen[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        int c = hs[k].lo[0] < 5 ? 0 : 1;
        seen[c]++;
        for (int d = 0; d < 2; d++) {
            ck_assert(hs[k].lo[d] <= clo[c][d] && hs[k].lo[d] >= clo[c][d] - 0.4);
            ck_assert(hs[k].hi[d] >= chi[c][d] && hs[k].hi[d] <= chi[c][d] + 0.4);
        }
        double side = box[c][2] + 0.8;
        ck_assert(hs[k].density >= box[c][3] / (side * side));
        ck_assert(hs[k].density <= 1000 / (box[c][2] * box[c][2]));
    }
    ck_assert(seen[0] == 1 && seen[1] == 1);
    sbuf_free(&out);
    rt_hotspots_free(h);
}
END_TEST

START_TEST(test_slide_out) {
    rt_hotspots *h = make(2, 100, 0.5, 10);
    uint64_t rng = 11;
    sbuf out;
    sbuf_init(&out);
    for (int i = 0; i < 100; i++) {   /* 70 far-apart rows, then 30 within 0.1 of (5,5) */
        double row[2] = {i < 70 ? 20.0 + i : 5 + urand(&rng) * 0.1, i < 70 ? 20.0 : 5 + urand(&rng) * 0.1};
        rt_hotspots_update(h, row, &out);
    }
    hot hs[MAX_HOT];
    ck_assert_int_eq(parse(out.data, 2, hs), 1);
    ck_assert(hs[0].lo[0] >= 5 && hs[0].hi[0] <= 5.1);
    /* Rows from elsewhere push the cluster's rows out from the 71st on;
     * with 9 left there is no core row. */
    for (int k = 1; k <= 100; k++) {
        double row[2] = {20.0 + k, 40.0};
        rt_hotspots_update(h, row, &out);
        int left = k <= 70 ? 30 : 100 - k;
        if (left >= 10) {
            ck_assert_msg(parse(out.data, 2, hs) == 1, "k=%d: %s", k, out.data);
            /* All within 0.5 of each other: side floored at the radius. */
            ck_assert_double_eq_tol(hs[0].density, left / 0.25, 1e-9);
        } else {
            ck_assert_msg(strcmp(out.data, "{\"hotspots\":[]}") == 0, "k=%d: %s", k, out.data);
        }
    }
    sbuf_free(&out);
    rt_hotspots_free(h);
}
END_TEST

START_TEST(test_repeated_values) {
    rt_hotspots *h = make(2, 100, 0.5, 5);
    sbuf out;
    sbuf_init(&out);
    double row[2] = {1.25, -3};
    for (int i = 0; i < 20; i++) rt_hotspots_update(h, row, &out);
    ck_assert_str_eq(out.data, "{\"hotspots\":[{\"density\":80,\"minValues\":[1.25,-3],\"maxValues\":[1.25,-3]}]}");
    sbuf_free(&out);
    rt_hotspots_free(h);
}
END_TEST

START_TEST(test_non_finite) {
    rt_hotspots *h = make(1, 100, 1, 3);
    sbuf out;
    sbuf_init(&out);
    double v[1] = {0};
    for (int i = 0; i < 4; i++) rt_hotspots_update(h, v, &out);
    char before[256];
    snprintf(before, sizeof before, "%s", out.data);
    ck_assert_str_eq(before, "{\"hotspots\":[{\"density\":4,\"minValues\":[0],\"maxValues\":[0]}]}");
    double bad_rows[3] = {NAN, INFINITY, -INFINITY};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(rt_hotspots_update(h, &bad_rows[i], &out), 0);
        ck_assert_str_eq(out.data, before);
    }
    sbuf_free(&out);
    rt_hotspots_free(h);
}
END_TEST

/* A row next to core rows of two clusters (and core itself in neither)
 * joins the nearer one, or on equal distance the one whose core row came
 * first; DBSCAN itself would leave that to the traversal order. */
static void border_case(double right_core, int right_first, const char *want) {
    static const double left[4] = {-1, -1.5, -1.9, -2.4};   /* -2.4 is a border row itself */
    rt_hotspots *h = make(2, 100, 1, 4);
    sbuf out;
    sbuf_init(&out);
    for (int side = 0; side < 2; side++) {
        int is_right = side == 0 ? right_first : !right_first;
        for (int i = 0; i < 4; i++) {
            double row[2] = {is_right ? (i ? -left[i] : right_core) : left[i], 0};
            rt_hotspots_update(h, row, &out);
        }
    }
    double origin[2] = {0, 0};
    rt_hotspots_update(h, origin, &out);
    ck_assert_str_eq(out.data, want);
    sbuf_free(&out);
    rt_hotspots_free(h);
}

START_TEST(test_border_choice) {
    /* Equal distances (1 and 1): the cluster whose core came first. */
    border_case(1, 0,
                "{\"hotspots\":[{\"density\":2.857142857142857,\"minValues\":[1,0],\"maxValues\":[2.4,0]},"
                "{\"density\":2.0833333333333335,\"minValues\":[-2.4,0],\"maxValues\":[0,0]}]}");
    border_case(1, 1,
                "{\"hotspots\":[{\"density\":2.857142857142857,\"minValues\":[-2.4,0],\"maxValues\":[-1,0]},"
                "{\"density\":2.0833333333333335,\"minValues\":[0,0],\"maxValues\":[2.4,0]}]}");
    /* Nearer on the right (0.9 against 1): the right, whatever came first. */
    border_case(0.9, 0,
                "{\"hotspots\":[{\"density\":2.857142857142857,\"minValues\":[-2.4,0],\"maxValues\":[-1,0]},"
                "{\"density\":2.0833333333333335,\"minValues\":[0,0],\"maxValues\":[2.4,0]}]}");
}
END_TEST

/* Row i of a stream whose hotspot moves every 150 rows, with a NaN now and
 * then and some exact repeats. */
static void stream_row(uint64_t *rng, int i, uint32_t dims, double *row) {
    double centre = 1 + (i / 150 % 4);   /* the hotspot moves every 150 rows */
    int in_hot = urand(rng) < 0.3;
    for (uint32_t d = 0; d < dims; d++)
        row[d] = in_hot ? centre + urand(rng) * 0.6 : urand(rng) * 5;
    if (i % 97 == 96) row[i % dims] = NAN;
    if (i % 211 == 5) memcpy(row, (double[MAX_D]){2, 2, 2}, sizeof *row * dims);   /* exact repeats */
}

START_TEST(test_deterministic) {
    rt_hotspots *a = make(2, 100, 0.3, 6), *b = make(2, 100, 0.3, 6);
    sbuf oa, ob;
    sbuf_init(&oa);
    sbuf_init(&ob);
    uint64_t r1 = 99, r2 = 99;
    int nonempty = 0;
    for (int i = 0; i < 1500; i++) {
        double x[2], y[2];
        stream_row(&r1, i, 2, x);
        stream_row(&r2, i, 2, y);
        rt_hotspots_update(a, x, &oa);
        rt_hotspots_update(b, y, &ob);
        ck_assert_str_eq(oa.data, ob.data);
        nonempty += strcmp(oa.data, "{\"hotspots\":[]}") != 0;
    }
    ck_assert_int_gt(nonempty, 1000);
    sbuf_free(&oa);
    sbuf_free(&ob);
    rt_hotspots_free(a);
    rt_hotspots_free(b);
}
END_TEST

/* Brute-force DBSCAN of n rows (oldest first) with the header's rules;
 * returns the hotspots in the header's order. */
static int reference(const double *p, int n, uint32_t dims, double r, uint32_t minp, hot *out) {
    static int nn[1000], label[1000], queue[1000], size[1000];
    static double best[1000];
    double r2 = r * r;
#define D2(i, j)                                                                              \
    ({                                                                                        \
        double s_ = 0;                                                                        \
        for (uint32_t d_ = 0; d_ < dims; d_++) s_ += (p[(i) * dims + d_] - p[(j) * dims + d_]) * \
                                                     (p[(i) * dims + d_] - p[(j) * dims + d_]); \
        s_;                                                                                   \
    })
    for (int i = 0; i < n; i++) {
        nn[i] = 0;
        label[i] = -1;
        for (int j = 0; j < n; j++) nn[i] += D2(i, j) <= r2;
    }
    int nc = 0;
    for (int i = 0; i < n; i++) {
        if (nn[i] < (int)minp || label[i] >= 0) continue;
        int qh = 0, qt = 0;
        queue[qt++] = i;
        label[i] = nc;
        while (qh < qt) {
            int u = queue[qh++];
            for (int j = 0; j < n; j++)
                if (nn[j] >= (int)minp && label[j] < 0 && D2(u, j) <= r2) {
                    label[j] = nc;
                    queue[qt++] = j;
                }
        }
        nc++;
    }
    for (int i = 0; i < n; i++) {   /* borders: nearest core, older on ties */
        if (nn[i] >= (int)minp) continue;
        best[i] = INFINITY;
        for (int j = 0; j < n; j++) {
            double d = D2(i, j);
            if (nn[j] >= (int)minp && d <= r2 && d < best[i]) {
                best[i] = d;
                label[i] = label[j];
            }
        }
    }
#undef D2
    int nh = 0;
    for (int c = 0; c < nc; c++) {
        size[c] = 0;
        for (int i = 0; i < n; i++) size[c] += label[i] == c;
        if (size[c] < (int)minp) continue;
        hot *h = &out[nh++];
        for (uint32_t d = 0; d < dims; d++) {
            h->lo[d] = INFINITY;
            h->hi[d] = -INFINITY;
        }
        for (int i = 0; i < n; i++)
            if (label[i] == c)
                for (uint32_t d = 0; d < dims; d++) {
                    h->lo[d] = fmin(h->lo[d], p[i * dims + d]);
                    h->hi[d] = fmax(h->hi[d], p[i * dims + d]);
                }
        double vol = 1;
        for (uint32_t d = 0; d < dims; d++) vol *= fmax(h->hi[d] - h->lo[d], r);
        h->density = size[c] / vol;
    }
    for (int i = 1; i < nh; i++)   /* density desc, then minValues, maxValues */
        for (int j = i; j > 0; j--) {
            hot *x = &out[j - 1], *y = &out[j];
            int swap = y->density > x->density;
            if (y->density == x->density) {
                int cmp = 0;
                for (uint32_t d = 0; d < dims && !cmp; d++) cmp = (y->lo[d] > x->lo[d]) - (y->lo[d] < x->lo[d]);
                for (uint32_t d = 0; d < dims && !cmp; d++) cmp = (y->hi[d] > x->hi[d]) - (y->hi[d] < x->hi[d]);
                swap = cmp < 0;
            }
            if (!swap) break;
            hot t = *x;
            *x = *y;
            *y = t;
        }
    return nh;
}

/* Returns the number of rows whose window held two or more hotspots. */
static int against_reference(uint32_t dims, uint32_t window, double r, uint32_t minp, int rows) {
    rt_hotspots *h = make(dims, window, r, minp);
    static double win[1000 * MAX_D];
    int n = 0, multi = 0;
    uint64_t rng = 1234 + dims;
    sbuf out;
    sbuf_init(&out);
    for (int i = 0; i < rows; i++) {
        double row[MAX_D];
        stream_row(&rng, i, dims, row);
        ck_assert_int_eq(rt_hotspots_update(h, row, &out), 0);
        int finite = 1;
        for (uint32_t d = 0; d < dims; d++) finite &= isfinite(row[d]) != 0;
        if (finite) {
            if (n == (int)window) {
                memmove(win, win + dims, sizeof *win * dims * (window - 1));
                n--;
            }
            memcpy(win + (size_t)n * dims, row, sizeof *row * dims);
            n++;
        }
        hot got[MAX_HOT], want[MAX_HOT];
        int ng = parse(out.data, dims, got), nw = reference(win, n, dims, r, minp, want);
        ck_assert_msg(ng == nw, "row %d: %d hotspots, want %d: %s", i, ng, nw, out.data);
        multi += ng >= 2;
        for (int k = 0; k < ng; k++) {
            ck_assert_double_eq_tol(got[k].density, want[k].density, 1e-9 * want[k].density);
            for (uint32_t d = 0; d < dims; d++) {
                ck_assert_double_eq(got[k].lo[d], want[k].lo[d]);
                ck_assert_double_eq(got[k].hi[d], want[k].hi[d]);
            }
        }
    }
    sbuf_free(&out);
    rt_hotspots_free(h);
    return multi;
}

/* The parameters are loose enough that noise forms hotspots too, so most
 * windows hold several and border rows are contested. */
START_TEST(test_reference_2d) { ck_assert_int_gt(against_reference(2, 100, 0.3, 6, 1200), 300); }
END_TEST

START_TEST(test_reference_3d) { ck_assert_int_gt(against_reference(3, 120, 0.5, 5, 900), 300); }
END_TEST

START_TEST(test_reference_1d) { ck_assert_int_gt(against_reference(1, 100, 0.05, 4, 600), 300); }
END_TEST

static Suite *suite_runtime_hotspots(void) {
    Suite *s = suite_create("runtime_hotspots");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_params);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_two_clusters);
    tcase_add_test(tc, test_slide_out);
    tcase_add_test(tc, test_repeated_values);
    tcase_add_test(tc, test_non_finite);
    tcase_add_test(tc, test_border_choice);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_reference_2d);
    tcase_add_test(tc, test_reference_3d);
    tcase_add_test(tc, test_reference_1d);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_runtime_hotspots)
