/*
 * check_runtime_window.c — unit tests of runtime/window_*.c and keymap.c:
 * tumbling group tables (multi-column keys with strings and NULLs, emit
 * order, cursor over several output batches, errors at final, clear and
 * reuse), sliding windows (the SQL reference's worked example, the
 * inclusive RANGE bound, ROWS n, and a randomised comparison against brute
 * force), and stagger windows.
 */
#include "check_main.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "keymap_int.h"
#include "window_state.h"

static eddy_type T(eddy_type_id id, int p, int s) { return (eddy_type){id, p, s}; }

static rt_agg AG(rt_agg_kind k, eddy_type in) {
    rt_agg a;
    eddy_err err;
    ck_assert_int_eq(rt_agg_resolve(k, in, &a, &err), 0);
    return a;
}

/* Input rows: (SYM VARCHAR, K BIGINT, V INTEGER). */
static rt_batch *in_batch(void) {
    eddy_type ts[3] = {T(EDDY_T_VARCHAR, 8, 0), T(EDDY_T_BIGINT, 0, 0), T(EDDY_T_INTEGER, 0, 0)};
    eddy_err err;
    return rt_batch_new(ts, 3, &err);
}

static void add_row(rt_batch *b, int64_t t, const char *sym, const int64_t *k, const int64_t *v) {
    uint32_t r = rt_batch_begin_row(b, t);
    if (sym) rt_batch_set_str(b, 0, r, sym, strlen(sym));
    if (k) rt_batch_set_i64(b, 1, r, *k);
    if (v) rt_batch_set_i64(b, 2, r, *v);
    rt_batch_commit_row(b);
}

#define P(x) (&(int64_t){x})

typedef struct {
    int calls;
    char msg[EDDY_ERR_MSG_MAX];
} errs;

static void on_err(void *ud, uint32_t id, const eddy_err *e) {
    errs *x = ud;
    x->calls++;
    snprintf(x->msg, sizeof x->msg, "%s", e->msg);
}

START_TEST(test_group_table) {
    eddy_type kt[2] = {T(EDDY_T_VARCHAR, 8, 0), T(EDDY_T_BIGINT, 0, 0)};
    uint32_t kc[2] = {0, 1};
    rt_agg aggs[3] = {AG(RT_AGG_COUNT_STAR, T(EDDY_T_NULL, 0, 0)), AG(RT_AGG_SUM, T(EDDY_T_INTEGER, 0, 0)),
                      AG(RT_AGG_MAX, T(EDDY_T_VARCHAR, 8, 0))};
    int32_t ac[3] = {-1, 2, 0};
    rt_window_spec spec = {kt, kc, 2, aggs, ac, 3};
    eddy_err err;
    rt_group_table *t = rt_group_table_new(&spec, &err);
    ck_assert_ptr_nonnull(t);
    rt_batch *b = in_batch();
    add_row(b, 1, "IBM", P(1), P(10));
    add_row(b, 2, "ORCL", P(1), P(5));
    add_row(b, 3, "IBM", P(1), NULL);
    add_row(b, 4, NULL, NULL, P(7));
    add_row(b, 5, "IBM", P(2), P(1));
    add_row(b, 6, NULL, NULL, P(8));    /* NULL keys group together */
    ck_assert_int_eq(rt_group_table_step(t, b, &err), 0);
    rt_batch_reset(b);
    add_row(b, 7, "ORCL", P(1), P(6));
    /* A selection hides row 1. */
    add_row(b, 8, "HIDDEN", P(9), P(9));
    b->has_sel = 1;
    b->sel[0] = 0;
    b->n_sel = 1;
    ck_assert_int_eq(rt_group_table_step(t, b, &err), 0);
    ck_assert_uint_eq(rt_group_table_size(t), 4);

    eddy_type ot[5] = {kt[0], kt[1], aggs[0].out_type, aggs[1].out_type, aggs[2].out_type};
    rt_batch *out = rt_batch_new(ot, 5, &err);
    uint32_t cur = 0;
    ck_assert_int_eq(rt_group_table_emit(t, out, 60000, &cur, NULL, NULL, &err), 4);
    ck_assert_uint_eq(cur, 4);
    /* Order of first appearance: IBM/1, ORCL/1, NULL/NULL, IBM/2. */
    const char *syms[4] = {"IBM", "ORCL", NULL, "IBM"};
    int64_t cnt[4] = {2, 2, 2, 1}, sum[4] = {10, 11, 15, 1};
    for (uint32_t r = 0; r < 4; r++) {
        ck_assert_int_eq(out->rowtime[r], 60000);
        if (syms[r]) {
            ck_assert_uint_eq(out->cols[0].v.str[r].n, strlen(syms[r]));
            ck_assert(memcmp(out->cols[0].v.str[r].p, syms[r], strlen(syms[r])) == 0);
        } else {
            ck_assert(rt_col_is_null(&out->cols[0], r));
            ck_assert(rt_col_is_null(&out->cols[1], r));
            ck_assert(rt_col_is_null(&out->cols[4], r));  /* MAX of only NULL strings */
        }
        ck_assert_int_eq(out->cols[2].v.i64[r], cnt[r]);
        ck_assert_int_eq(out->cols[3].v.i64[r], sum[r]);
    }
    ck_assert_int_eq(rt_batch_verify(out, &err), 0);

    /* Clear and reuse: more groups than one output batch holds. */
    rt_group_table_clear(t);
    ck_assert_uint_eq(rt_group_table_size(t), 0);
    char sym[16];
    for (int round = 0; round < 2; round++) {
        rt_batch_reset(b);
        for (int i = 0; i < 1000; i++) {
            snprintf(sym, sizeof sym, "S%d", i % 750);
            add_row(b, 100, sym, P(round), P(i));
        }
        ck_assert_int_eq(rt_group_table_step(t, b, &err), 0);
    }
    ck_assert_uint_eq(rt_group_table_size(t), 1500);
    rt_batch_reset(out);
    cur = 0;
    ck_assert_int_eq(rt_group_table_emit(t, out, 1, &cur, NULL, NULL, &err), (int)RT_BATCH_CAP);
    ck_assert_uint_eq(out->cols[2].v.i64[0], 2);  /* S0 round 0: rows 0 and 750 */
    ck_assert_int_eq(out->cols[3].v.i64[0], 750);
    rt_batch_reset(out);
    ck_assert_int_eq(rt_group_table_emit(t, out, 1, &cur, NULL, NULL, &err), 1500 - (int)RT_BATCH_CAP);
    ck_assert_uint_eq(cur, 1500);
    ck_assert_uint_gt(rt_group_table_bytes(t), 1500 * 40);
    rt_group_table_free(t);
    rt_batch_release(b);
    rt_batch_release(out);
}
END_TEST

START_TEST(test_group_overflow_and_global) {
    /* No keys: one global group. SUM over INTEGER that overflows at final. */
    rt_agg aggs[1] = {AG(RT_AGG_SUM, T(EDDY_T_INTEGER, 0, 0))};
    int32_t ac[1] = {2};
    rt_window_spec spec = {NULL, NULL, 0, aggs, ac, 1};
    eddy_err err;
    rt_group_table *t = rt_group_table_new(&spec, &err);
    rt_batch *b = in_batch();
    add_row(b, 1, "A", P(1), P(2000000000));
    add_row(b, 2, "B", P(2), P(2000000000));
    ck_assert_int_eq(rt_group_table_step(t, b, &err), 0);
    ck_assert_uint_eq(rt_group_table_size(t), 1);
    rt_batch *out = rt_batch_new(&aggs[0].out_type, 1, &err);
    errs e = {0};
    uint32_t cur = 0;
    ck_assert_int_eq(rt_group_table_emit(t, out, 1, &cur, on_err, &e, &err), 0);
    ck_assert_int_eq(e.calls, 1);
    ck_assert_str_eq(e.msg, "numeric overflow in SUM: result does not fit INTEGER");
    ck_assert_uint_eq(out->n_rows, 0);
    rt_group_table_free(t);
    rt_batch_release(b);
    rt_batch_release(out);

    rt_agg cnt = AG(RT_AGG_COUNT, T(EDDY_T_INTEGER, 0, 0));
    int32_t bad_col[1] = {-1};
    rt_window_spec bad = {NULL, NULL, 0, &cnt, bad_col, 1};
    ck_assert_ptr_null(rt_group_table_new(&bad, &err));
    ck_assert_int_eq(err.code, EDDY_E_INVAL);
}
END_TEST

/* The SQL reference's example: SUM(amount) OVER (PARTITION BY ticker RANGE
 * INTERVAL '1' HOUR PRECEDING) gives 10, 20, 35, 30. */
START_TEST(test_slide_reference_example) {
    eddy_type kt[1] = {T(EDDY_T_VARCHAR, 8, 0)};
    uint32_t kc[1] = {0};
    rt_agg aggs[1] = {AG(RT_AGG_SUM, T(EDDY_T_INTEGER, 0, 0))};
    int32_t ac[1] = {2};
    rt_window_spec spec = {kt, kc, 1, aggs, ac, 1};
    eddy_err err;
    rt_slide *s = rt_slide_new(&spec, (rt_slide_frame){.rows = 0, .range_ms = 3600000}, &err);
    ck_assert_ptr_nonnull(s);
    rt_batch *b = in_batch();
    int64_t m = 60000;
    add_row(b, 600 * m, "IBM", NULL, P(10));
    add_row(b, 610 * m, "ORCL", NULL, P(20));
    add_row(b, 625 * m, "ORCL", NULL, P(15));
    add_row(b, 665 * m, "IBM", NULL, P(30));
    rt_batch *out = rt_batch_new(&aggs[0].out_type, 1, &err);
    ck_assert_int_eq(rt_slide_step(s, b, out, 0, NULL, NULL, &err), 4);
    int64_t want[4] = {10, 20, 35, 30};
    for (int i = 0; i < 4; i++) ck_assert_int_eq(out->cols[0].v.i64[i], want[i]);
    ck_assert_int_eq(out->rowtime[3], 665 * m);
    /* The bound is inclusive: a row exactly one hour after 10:10 still sees it. */
    rt_batch_reset(b);
    rt_batch_reset(out);
    add_row(b, 670 * m, "ORCL", NULL, P(1));
    ck_assert_int_eq(rt_slide_step(s, b, out, 0, NULL, NULL, &err), 1);
    ck_assert_int_eq(out->cols[0].v.i64[0], 36);
    rt_batch_reset(b);
    rt_batch_reset(out);
    add_row(b, 670 * m + 1, "ORCL", NULL, P(1));
    rt_slide_step(s, b, out, 0, NULL, NULL, &err);
    ck_assert_int_eq(out->cols[0].v.i64[0], 17);  /* 10:10 gone: 15 + 1 + 1 */
    /* Time going backwards is refused. */
    rt_batch_reset(b);
    rt_batch_reset(out);
    add_row(b, 600 * m, "ORCL", NULL, P(1));
    ck_assert_int_eq(rt_slide_step(s, b, out, 0, NULL, NULL, &err), EDDY_E_INVAL);
    rt_slide_free(s);
    rt_batch_release(b);
    rt_batch_release(out);
}
END_TEST

/* Randomised: every aggregate against a brute-force rescan. */
static void slide_vs_brute(rt_slide_frame frame, unsigned seed) {
    eddy_type ts[3] = {T(EDDY_T_BIGINT, 0, 0), T(EDDY_T_INTEGER, 0, 0), T(EDDY_T_DOUBLE, 0, 0)};
    uint32_t kc[1] = {0};
    rt_agg_kind kinds[] = {RT_AGG_COUNT_STAR, RT_AGG_COUNT, RT_AGG_SUM, RT_AGG_AVG,         RT_AGG_MIN,
                           RT_AGG_MAX,        RT_AGG_MIN,   RT_AGG_MAX, RT_AGG_FIRST_VALUE, RT_AGG_LAST_VALUE,
                           RT_AGG_VAR_POP};
    int32_t ac[] = {-1, 1, 1, 1, 1, 1, 2, 2, 1, 2, 2};
    enum { NA = sizeof kinds / sizeof kinds[0] };
    rt_agg aggs[NA];
    eddy_type ot[NA];
    for (int a = 0; a < NA; a++) {
        aggs[a] = AG(kinds[a], ac[a] >= 0 ? ts[ac[a]] : T(EDDY_T_NULL, 0, 0));
        ot[a] = aggs[a].out_type;
    }
    rt_window_spec spec = {ts, kc, 1, aggs, ac, NA};
    eddy_err err;
    rt_slide *s = rt_slide_new(&spec, frame, &err);
    ck_assert_ptr_nonnull(s);
    enum { N = 3000 };
    static int64_t key[N], t[N], iv[N];
    static double dv[N];
    static int inull[N], dnull[N];
    srand(seed);
    int64_t now = 0;
    rt_batch *in = rt_batch_new(ts, 3, &err), *out = rt_batch_new(ot, NA, &err);
    for (int i = 0; i < N; i++) {
        now += rand() % 7;  /* ties included */
        key[i] = rand() % 5;
        t[i] = now;
        inull[i] = rand() % 6 == 0;
        dnull[i] = rand() % 9 == 0;
        iv[i] = rand() % 2001 - 1000;
        dv[i] = (rand() % 1000) / 8.0;
    }
    for (int start = 0; start < N; start += 700) {
        rt_batch_reset(in);
        rt_batch_reset(out);
        int end = start + 700 < N ? start + 700 : N;
        for (int i = start; i < end; i++) {
            uint32_t r = rt_batch_begin_row(in, t[i]);
            rt_batch_set_i64(in, 0, r, key[i]);
            if (!inull[i]) rt_batch_set_i64(in, 1, r, iv[i]);
            if (!dnull[i]) rt_batch_set_f64(in, 2, r, dv[i]);
            rt_batch_commit_row(in);
        }
        ck_assert_int_eq(rt_slide_step(s, in, out, 0, NULL, NULL, &err), end - start);
        for (int i = start; i < end; i++) {
            uint32_t o = (uint32_t)(i - start);
            /* Brute force: the window of row i within its partition. */
            int64_t cnt = 0, cntv = 0, sum = 0, mn = INT64_MAX, mx = INT64_MIN;
            double dmn = INFINITY, dmx = -INFINITY, dsum = 0, dsq = 0;
            int dn = 0, first = -1, taken = 0;
            for (int j = i; j >= 0; j--) {
                if (key[j] != key[i]) continue;
                if (frame.rows ? taken > (int)frame.n_rows : t[j] < t[i] - frame.range_ms) break;
                taken++;
                first = j;
                cnt++;
                if (!inull[j]) {
                    cntv++;
                    sum += iv[j];
                    mn = iv[j] < mn ? iv[j] : mn;
                    mx = iv[j] > mx ? iv[j] : mx;
                }
                if (!dnull[j]) {
                    dn++;
                    dmn = dv[j] < dmn ? dv[j] : dmn;
                    dmx = dv[j] > dmx ? dv[j] : dmx;
                    dsum += dv[j];
                    dsq += dv[j] * dv[j];
                }
            }
            const rt_column *c = out->cols;
            ck_assert_int_eq(c[0].v.i64[o], cnt);
            ck_assert_int_eq(c[1].v.i64[o], cntv);
            if (cntv) {
                ck_assert_int_eq(c[2].v.i64[o], sum);
                ck_assert_int_eq(c[3].v.i64[o], sum / cntv);
                ck_assert_int_eq(c[4].v.i64[o], mn);
                ck_assert_int_eq(c[5].v.i64[o], mx);
            } else {
                for (int a = 2; a <= 5; a++) ck_assert(rt_col_is_null(&c[a], o));
            }
            if (dn) {
                ck_assert(c[6].v.f64[o] == dmn);
                ck_assert(c[7].v.f64[o] == dmx);
                double mean = dsum / dn, var = dsq / dn - mean * mean;
                ck_assert_msg(fabs(c[10].v.f64[o] - var) < 1e-6 * (1 + var), "var %g vs %g", c[10].v.f64[o], var);
            } else {
                ck_assert(rt_col_is_null(&c[6], o));
                ck_assert(rt_col_is_null(&c[10], o));
            }
            ck_assert_int_eq(rt_col_is_null(&c[8], o), inull[first]);
            if (!inull[first]) ck_assert_int_eq(c[8].v.i64[o], iv[first]);
            ck_assert_int_eq(rt_col_is_null(&c[9], o), dnull[i]);
            if (!dnull[i]) ck_assert(c[9].v.f64[o] == dv[i]);
        }
    }
    uint32_t parts;
    uint64_t rows;
    size_t bytes;
    rt_slide_stats(s, &parts, &rows, &bytes);
    ck_assert_uint_eq(parts, 5);
    ck_assert_uint_gt(bytes, 0);
    rt_slide_free(s);
    rt_batch_release(in);
    rt_batch_release(out);
}

/* Strings: MIN/MAX/FIRST_VALUE/LAST_VALUE/COUNT of a VARCHAR against brute
 * force. The input batch (and its strings) is reset between chunks, so the
 * window must answer from its own copies (ASan would see a stale read). */
static int bcmp_str(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

static void check_str(const rt_column *c, uint32_t o, const char *want) {
    if (!want) {
        ck_assert(rt_col_is_null(c, o));
        return;
    }
    ck_assert(!rt_col_is_null(c, o));
    ck_assert_msg(c->v.str[o].n == strlen(want) && memcmp(c->v.str[o].p, want, c->v.str[o].n) == 0,
                  "got '%.*s' want '%s'", (int)c->v.str[o].n, c->v.str[o].p, want);
}

static void slide_strings_vs_brute(rt_slide_frame frame, unsigned seed) {
    eddy_type ts[2] = {T(EDDY_T_BIGINT, 0, 0), T(EDDY_T_VARCHAR, 8, 0)};
    uint32_t kc[1] = {0};
    rt_agg_kind kinds[] = {RT_AGG_MIN, RT_AGG_MAX, RT_AGG_FIRST_VALUE, RT_AGG_LAST_VALUE, RT_AGG_COUNT};
    int32_t ac[] = {1, 1, 1, 1, 1};
    enum { NA = sizeof kinds / sizeof kinds[0] };
    rt_agg aggs[NA];
    eddy_type ot[NA];
    for (int a = 0; a < NA; a++) {
        aggs[a] = AG(kinds[a], ts[1]);
        ot[a] = aggs[a].out_type;
    }
    rt_window_spec spec = {ts, kc, 1, aggs, ac, NA};
    eddy_err err;
    rt_slide *s = rt_slide_new(&spec, frame, &err);
    ck_assert_ptr_nonnull(s);
    enum { N = 2000 };
    static int64_t key[N], t[N];
    static char val[N][6];
    static int vnull[N];
    srand(seed);
    int64_t now = 0;
    for (int i = 0; i < N; i++) {
        now += rand() % 5;
        key[i] = rand() % 4;
        t[i] = now;
        vnull[i] = rand() % 7 == 0;
        int len = rand() % 5;   /* "" included; short strings share prefixes */
        for (int k = 0; k < len; k++) val[i][k] = (char)('a' + rand() % 3);
        val[i][len] = '\0';
    }
    rt_batch *in = rt_batch_new(ts, 2, &err), *out = rt_batch_new(ot, NA, &err);
    for (int start = 0; start < N; start += 300) {
        rt_batch_reset(in);
        rt_batch_reset(out);
        int end = start + 300 < N ? start + 300 : N;
        for (int i = start; i < end; i++) {
            uint32_t r = rt_batch_begin_row(in, t[i]);
            rt_batch_set_i64(in, 0, r, key[i]);
            if (!vnull[i]) ck_assert_int_eq(rt_batch_set_str(in, 1, r, val[i], strlen(val[i])), 0);
            rt_batch_commit_row(in);
        }
        ck_assert_int_eq(rt_slide_step(s, in, out, 0, NULL, NULL, &err), end - start);
        for (int i = start; i < end; i++) {
            uint32_t o = (uint32_t)(i - start);
            const char *mn = NULL, *mx = NULL;
            int first = -1, taken = 0;
            int64_t cnt = 0;
            for (int j = i; j >= 0; j--) {
                if (key[j] != key[i]) continue;
                if (frame.rows ? taken > (int)frame.n_rows : t[j] < t[i] - frame.range_ms) break;
                taken++;
                first = j;
                if (vnull[j]) continue;
                cnt++;
                if (!mn || bcmp_str(val[j], mn) < 0) mn = val[j];
                if (!mx || bcmp_str(val[j], mx) > 0) mx = val[j];
            }
            check_str(&out->cols[0], o, mn);
            check_str(&out->cols[1], o, mx);
            check_str(&out->cols[2], o, vnull[first] ? NULL : val[first]);
            check_str(&out->cols[3], o, vnull[i] ? NULL : val[i]);
            ck_assert_int_eq(out->cols[4].v.i64[o], cnt);
        }
    }
    rt_slide_free(s);
    rt_batch_release(in);
    rt_batch_release(out);
}

START_TEST(test_slide_random_strings) {
    slide_strings_vs_brute((rt_slide_frame){.rows = 0, .range_ms = 20}, 23);
    slide_strings_vs_brute((rt_slide_frame){.rows = 1, .n_rows = 4}, 29);
}
END_TEST

START_TEST(test_slide_random_range) { slide_vs_brute((rt_slide_frame){.rows = 0, .range_ms = 50}, 7); }
END_TEST
START_TEST(test_slide_random_rows) { slide_vs_brute((rt_slide_frame){.rows = 1, .n_rows = 3}, 11); }
END_TEST
START_TEST(test_slide_random_current_row) { slide_vs_brute((rt_slide_frame){.rows = 0, .range_ms = 0}, 13); }
END_TEST

/* Wide windows: partitions of a hundred rows and more, so the rings grow
 * (FIFO and deques renumbered together) while rows are being evicted and
 * the ring has wrapped. */
START_TEST(test_slide_random_wide) { slide_vs_brute((rt_slide_frame){.rows = 0, .range_ms = 2000}, 17); }
END_TEST
START_TEST(test_slide_random_rows_wide) { slide_vs_brute((rt_slide_frame){.rows = 1, .n_rows = 150}, 19); }
END_TEST

/* The batch lookup of a single fixed-width key agrees with the row lookup:
 * same ids in the same order of first appearance, across slot growth and
 * chunks, with NULL keys (one entry, apart from 0) and -0.0 equal to 0.0. */
START_TEST(test_keymap_batch_vs_row) {
    for (int dbl = 0; dbl < 2; dbl++) {
        eddy_type kt[1] = {dbl ? T(EDDY_T_DOUBLE, 0, 0) : T(EDDY_T_BIGINT, 0, 0)};
        uint32_t kc[1] = {0};
        rt_keymap mb, mr;
        eddy_err err;
        ck_assert_int_eq(rt_keymap_init(&mb, kt, 1, 8, &err), 0);
        ck_assert_int_eq(rt_keymap_init(&mr, kt, 1, 8, &err), 0);
        rt_batch *b = rt_batch_new(kt, 1, &err);
        uint32_t ids[RT_BATCH_CAP];
        srand(23);
        for (int batch = 0; batch < 8; batch++) {
            rt_batch_reset(b);
            for (uint32_t i = 0; i < RT_BATCH_CAP; i++) {
                uint32_t r = rt_batch_begin_row(b, 0);
                int k = rand() % 3000;
                if (k == 0) {
                    /* NULL */
                } else if (dbl) {
                    rt_batch_set_f64(b, 0, r, k == 1 ? -0.0 : k == 2 ? 0.0 : k * 0.5);
                } else {
                    rt_batch_set_i64(b, 0, r, k == 1 ? 0 : (int64_t)k * 7919);
                }
                rt_batch_commit_row(b);
            }
            if (batch % 2) {
                /* Every third row selected. */
                b->has_sel = 1;
                b->n_sel = 0;
                for (uint32_t i = 0; i < RT_BATCH_CAP; i += 3) b->sel[b->n_sel++] = (uint16_t)i;
            }
            ck_assert_int_eq(rt_keymap_find_batch(&mb, b, kc, ids, &err), 0);
            for (uint32_t i = 0; i < rt_batch_live(b); i++) {
                uint32_t id;
                ck_assert_int_eq(rt_keymap_find_row(&mr, b, kc, rt_batch_row(b, i), &id, &err), 0);
                ck_assert_uint_eq(ids[i], id);
            }
        }
        ck_assert_uint_eq(mb.n, mr.n);
        ck_assert_uint_gt(mb.n, RT_KEYMAP_CHUNK);  /* several chunks */
        ck_assert_uint_le(mb.n, 2999);            /* NULL once; -0.0 and 0.0 (or 0) once */
        /* NULL and zero are different keys. */
        rt_batch_reset(b);
        rt_batch_begin_row(b, 0);
        rt_batch_commit_row(b);
        uint32_t r = rt_batch_begin_row(b, 0);
        if (dbl) rt_batch_set_f64(b, 0, r, -0.0);
        else rt_batch_set_i64(b, 0, r, 0);
        rt_batch_commit_row(b);
        r = rt_batch_begin_row(b, 0);
        if (dbl) rt_batch_set_f64(b, 0, r, 0.0);
        else rt_batch_set_i64(b, 0, r, 0);
        rt_batch_commit_row(b);
        ck_assert_int_eq(rt_keymap_find_batch(&mb, b, kc, ids, &err), 0);
        ck_assert_uint_ne(ids[0], ids[1]);
        ck_assert_uint_eq(ids[1], ids[2]);
        rt_keymap_free(&mb);
        rt_keymap_free(&mr);
        rt_batch_release(b);
    }
}
END_TEST

/* The inline SUM/AVG kinds: an exact result outside its type is reported
 * with the kernel's message and left NULL, and is fine again once the big
 * rows leave; DECIMAL's range is its precision; REAL sums round through
 * float. Results land at out_col0 with the other columns NULL, and a
 * selection vector on the input is honoured. */
START_TEST(test_slide_inline_results) {
    eddy_type ts[4] = {T(EDDY_T_BIGINT, 0, 0), T(EDDY_T_INTEGER, 0, 0), T(EDDY_T_DECIMAL, 4, 1),
                       T(EDDY_T_REAL, 0, 0)};
    uint32_t kc[1] = {0};
    rt_agg aggs[4] = {AG(RT_AGG_SUM, ts[1]), AG(RT_AGG_AVG, ts[1]), AG(RT_AGG_SUM, ts[2]), AG(RT_AGG_SUM, ts[3])};
    int32_t ac[4] = {1, 1, 2, 3};
    rt_window_spec spec = {ts, kc, 1, aggs, ac, 4};
    eddy_err err;
    rt_slide *s = rt_slide_new(&spec, (rt_slide_frame){.rows = 0, .range_ms = 10}, &err);
    ck_assert_ptr_nonnull(s);
    eddy_type ot[6] = {T(EDDY_T_BIGINT, 0, 0), aggs[0].out_type, aggs[1].out_type, aggs[2].out_type,
                       aggs[3].out_type, T(EDDY_T_BIGINT, 0, 0)};
    rt_batch *in = rt_batch_new(ts, 4, &err), *out = rt_batch_new(ot, 6, &err);
    /* Rows (t, v, d): the second is dropped by the selection. */
    struct { int64_t t, v, d; } rows[] = {{0, 2000000000, 9999}, {1, 5, 5}, {2, 2000000000, 9999}, {20, 3, 10}};
    for (int i = 0; i < 4; i++) {
        uint32_t r = rt_batch_begin_row(in, rows[i].t);
        rt_batch_set_i64(in, 0, r, 42);
        rt_batch_set_i64(in, 1, r, rows[i].v);
        rt_batch_set_i64(in, 2, r, rows[i].d);
        rt_batch_set_f64(in, 3, r, (double)0.1f);
        rt_batch_commit_row(in);
    }
    in->has_sel = 1;
    in->n_sel = 3;
    in->sel[0] = 0;
    in->sel[1] = 2;
    in->sel[2] = 3;
    errs x = {0};
    ck_assert_int_eq(rt_slide_step(s, in, out, 1, on_err, &x, &err), 3);
    ck_assert_int_eq(out->n_rows, 3);
    const rt_column *c = out->cols;
    for (uint32_t o = 0; o < 3; o++) {
        ck_assert(rt_col_is_null(&c[0], o));
        ck_assert(rt_col_is_null(&c[5], o));
    }
    ck_assert_int_eq(c[1].v.i64[0], 2000000000);
    ck_assert_int_eq(c[2].v.i64[0], 2000000000);
    ck_assert_int_eq(c[3].v.i64[0], 9999);
    /* Row 2: SUM(v) and SUM(d) overflow; AVG(v) fits. */
    ck_assert(rt_col_is_null(&c[1], 1));
    ck_assert_int_eq(c[2].v.i64[1], 2000000000);
    ck_assert(rt_col_is_null(&c[3], 1));
    ck_assert_int_eq(x.calls, 2);
    ck_assert_str_eq(x.msg, "numeric overflow in SUM: result does not fit DECIMAL(4,1)");
    ck_assert(c[4].v.f64[1] == (double)(float)((double)0.1f + (double)0.1f));
    /* Row 3 (t = 20): the big rows have left. */
    ck_assert_int_eq(c[1].v.i64[2], 3);
    ck_assert_int_eq(c[2].v.i64[2], 3);
    ck_assert_int_eq(c[3].v.i64[2], 10);
    ck_assert_int_eq(out->rowtime[2], 20);
    /* AVG truncates toward zero on negative sums too. */
    rt_batch_reset(in);
    rt_batch_reset(out);
    int64_t neg[2] = {-7, -8};
    for (int i = 0; i < 2; i++) {
        uint32_t r = rt_batch_begin_row(in, 100);
        rt_batch_set_i64(in, 0, r, 43);
        rt_batch_set_i64(in, 1, r, neg[i]);
        rt_batch_commit_row(in);
    }
    ck_assert_int_eq(rt_slide_step(s, in, out, 0, on_err, &x, &err), 2);
    ck_assert_int_eq(out->cols[1].v.i64[1], -7);  /* -15 / 2 */
    ck_assert(rt_col_is_null(&out->cols[2], 1));   /* SUM(d) of NULLs */
    /* Too few columns for the results. */
    ck_assert_int_eq(rt_slide_step(s, in, out, 4, on_err, &x, &err), EDDY_E_INVAL);
    rt_slide_free(s);
    rt_batch_release(in);
    rt_batch_release(out);
}
END_TEST

/* EXP_AVG (with the reference time rebased many times: the stream spans
 * thousands of half-lives), ANY, EVERY and FIRST/LAST_VALUE IGNORE NULLS
 * against brute force. */
START_TEST(test_slide_exp_avg_bool) {
    eddy_type ts[3] = {T(EDDY_T_BIGINT, 0, 0), T(EDDY_T_DOUBLE, 0, 0), T(EDDY_T_BOOLEAN, 0, 0)};
    uint32_t kc[1] = {0};
    rt_agg aggs[5] = {AG(RT_AGG_EXP_AVG, ts[1]), AG(RT_AGG_ANY, ts[2]), AG(RT_AGG_EVERY, ts[2]),
                      AG(RT_AGG_FIRST_VALUE, ts[1]), AG(RT_AGG_LAST_VALUE, ts[1])};
    aggs[0].half_life_ms = 3;
    aggs[3].ignore_nulls = aggs[4].ignore_nulls = 1;
    int32_t ac[5] = {1, 2, 2, 1, 1};
    eddy_type ot[5] = {aggs[0].out_type, aggs[1].out_type, aggs[2].out_type, aggs[3].out_type, aggs[4].out_type};
    rt_window_spec spec = {ts, kc, 1, aggs, ac, 5};
    eddy_err err;
    rt_slide *s = rt_slide_new(&spec, (rt_slide_frame){.rows = 0, .range_ms = 20}, &err);
    ck_assert_ptr_nonnull(s);
    enum { N = 4000 };
    static int64_t key[N], t[N];
    static double dv[N];
    static int dnull[N], bv[N], bnull[N];
    srand(41);
    int64_t now = 0;
    for (int i = 0; i < N; i++) {
        now += rand() % 7;
        t[i] = now;
        key[i] = rand() % 3;
        dnull[i] = rand() % 8 == 0;
        dv[i] = (rand() % 2000 - 1000) / 4.0;
        bnull[i] = rand() % 5 == 0;
        bv[i] = rand() % 4 != 0;
    }
    rt_batch *in = rt_batch_new(ts, 3, &err), *out = rt_batch_new(ot, 5, &err);
    for (int start = 0; start < N; start += 900) {
        rt_batch_reset(in);
        rt_batch_reset(out);
        int end = start + 900 < N ? start + 900 : N;
        for (int i = start; i < end; i++) {
            uint32_t r = rt_batch_begin_row(in, t[i]);
            rt_batch_set_i64(in, 0, r, key[i]);
            if (!dnull[i]) rt_batch_set_f64(in, 1, r, dv[i]);
            if (!bnull[i]) rt_batch_set_i64(in, 2, r, bv[i]);
            rt_batch_commit_row(in);
        }
        ck_assert_int_eq(rt_slide_step(s, in, out, 0, NULL, NULL, &err), end - start);
        for (int i = start; i < end; i++) {
            uint32_t o = (uint32_t)(i - start);
            double sw = 0, sx = 0;
            int nb = 0, nt = 0, nd = 0, first_nn = -1, last_nn = -1;
            for (int j = i; j >= 0 && t[j] >= t[i] - 20; j--) {
                if (key[j] != key[i]) continue;
                if (!dnull[j]) {
                    first_nn = j;
                    if (last_nn < 0) last_nn = j;
                    double w = exp2((double)(t[j] - t[i]) / 3.0);
                    sw += w;
                    sx += w * dv[j];
                    nd++;
                }
                if (!bnull[j]) {
                    nb++;
                    nt += bv[j];
                }
            }
            const rt_column *c = out->cols;
            if (nd) {
                double want = sx / sw;
                ck_assert_msg(fabs(c[0].v.f64[o] - want) <= 1e-9 * (1 + fabs(want)), "row %d: %.17g vs %.17g", i,
                              c[0].v.f64[o], want);
            } else {
                ck_assert(rt_col_is_null(&c[0], o));
            }
            ck_assert_int_eq(rt_col_is_null(&c[1], o), nb == 0);
            ck_assert_int_eq(rt_col_is_null(&c[2], o), nb == 0);
            if (nb) {
                ck_assert_int_eq(c[1].v.i64[o], nt > 0);
                ck_assert_int_eq(c[2].v.i64[o], nt == nb);
            }
            ck_assert_int_eq(rt_col_is_null(&c[3], o), first_nn < 0);
            ck_assert_int_eq(rt_col_is_null(&c[4], o), last_nn < 0);
            if (first_nn >= 0) {
                ck_assert(c[3].v.f64[o] == dv[first_nn]);
                ck_assert(c[4].v.f64[o] == dv[last_nn]);
            }
        }
    }
    rt_slide_free(s);
    rt_batch_release(in);
    rt_batch_release(out);
}
END_TEST

START_TEST(test_slide_unsupported) {
    eddy_type kt[1] = {T(EDDY_T_VARCHAR, 8, 0)};
    rt_agg aggs[1] = {AG(RT_AGG_MAX, T(EDDY_T_VARCHAR, 8, 0))};
    int32_t ac[1] = {0};
    rt_window_spec spec = {kt, (uint32_t[]){0}, 1, aggs, ac, 1};
    eddy_err err;
    /* MAX of a string is kept (as copies); a string a kernel cannot take
     * in a window is refused clearly. */
    rt_slide *ok = rt_slide_new(&spec, (rt_slide_frame){.range_ms = 10}, &err);
    ck_assert_ptr_nonnull(ok);
    rt_slide_free(ok);
    rt_agg bad;
    if (rt_agg_resolve(RT_AGG_SUM, T(EDDY_T_VARCHAR, 8, 0), &bad, &err) == 0) {
        rt_agg aggs2[1] = {bad};
        rt_window_spec spec2 = {kt, (uint32_t[]){0}, 1, aggs2, ac, 1};
        ck_assert_ptr_null(rt_slide_new(&spec2, (rt_slide_frame){.range_ms = 10}, &err));
        ck_assert_int_eq(err.code, EDDY_E_UNSUPPORTED);
    }
}
END_TEST

START_TEST(test_stagger) {
    eddy_type kt[1] = {T(EDDY_T_VARCHAR, 8, 0)};
    uint32_t kc[1] = {0};
    rt_agg aggs[2] = {AG(RT_AGG_COUNT_STAR, T(EDDY_T_NULL, 0, 0)), AG(RT_AGG_MAX, T(EDDY_T_INTEGER, 0, 0))};
    int32_t ac[2] = {-1, 2};
    rt_window_spec spec = {kt, kc, 1, aggs, ac, 2};
    eddy_err err;
    int64_t sec = 1000;
    rt_stagger *s = rt_stagger_new(&spec, 60 * sec, &err);
    ck_assert_ptr_nonnull(s);
    rt_batch *b = in_batch();
    add_row(b, 20 * sec, "AMZN", NULL, P(1));
    add_row(b, 30 * sec, "AMZN", NULL, P(5));
    add_row(b, 50 * sec, "MSFT", NULL, P(2));
    add_row(b, 80 * sec, "AMZN", NULL, P(9));  /* AMZN's window [20 s, 80 s) has ended: a new one */
    ck_assert_int_eq(rt_stagger_step(s, b, &err), 0);
    ck_assert_uint_eq(rt_stagger_open(s), 3);
    eddy_type ot[3] = {kt[0], aggs[0].out_type, aggs[1].out_type};
    rt_batch *out = rt_batch_new(ot, 3, &err);
    ck_assert_int_eq(rt_stagger_advance(s, 79 * sec, out, NULL, NULL, &err), 0);
    ck_assert_int_eq(rt_stagger_advance(s, 110 * sec, out, NULL, NULL, &err), 2);
    ck_assert_int_eq(out->rowtime[0], 80 * sec);
    ck_assert(memcmp(out->cols[0].v.str[0].p, "AMZN", 4) == 0);
    ck_assert_int_eq(out->cols[1].v.i64[0], 2);
    ck_assert_int_eq(out->cols[2].v.i64[0], 5);
    ck_assert_int_eq(out->rowtime[1], 110 * sec);
    ck_assert(memcmp(out->cols[0].v.str[1].p, "MSFT", 4) == 0);
    /* A row joining AMZN's second window, then everything closes. */
    rt_batch_reset(b);
    add_row(b, 120 * sec, "AMZN", NULL, P(3));
    ck_assert_int_eq(rt_stagger_step(s, b, &err), 0);
    rt_batch_reset(out);
    ck_assert_int_eq(rt_stagger_advance(s, 1000 * sec, out, NULL, NULL, &err), 1);
    ck_assert_int_eq(out->rowtime[0], 140 * sec);
    ck_assert_int_eq(out->cols[1].v.i64[0], 2);
    ck_assert_int_eq(out->cols[2].v.i64[0], 9);
    ck_assert_uint_eq(rt_stagger_open(s), 0);
    /* Many keys: windows close in opening order across a ring growth. */
    rt_batch_reset(b);
    char sym[16];
    for (int i = 0; i < 500; i++) {
        snprintf(sym, sizeof sym, "K%d", i);
        add_row(b, 2000 * sec + i, sym, NULL, P(i));
    }
    ck_assert_int_eq(rt_stagger_step(s, b, &err), 0);
    rt_batch_reset(out);
    ck_assert_int_eq(rt_stagger_advance(s, 2060 * sec + 249, out, NULL, NULL, &err), 250);
    for (int i = 0; i < 250; i++) ck_assert_int_eq(out->cols[2].v.i64[i], i);
    rt_batch_reset(b);
    add_row(b, 1999 * sec, "K0", NULL, P(1));  /* earlier ROWTIME than the last row: refused */
    ck_assert_int_eq(rt_stagger_step(s, b, &err), EDDY_E_INVAL);
    rt_stagger_free(s);  /* frees the 250 windows still open */
    rt_batch_release(b);
    rt_batch_release(out);
}
END_TEST

/* Keys that come and go: the key map is rebuilt from the open windows, and
 * windows that span a rebuild keep collecting their key's rows. */
START_TEST(test_stagger_key_churn) {
    eddy_type kt[1] = {T(EDDY_T_VARCHAR, 8, 0)};
    uint32_t kc[1] = {0};
    rt_agg aggs[1] = {AG(RT_AGG_COUNT_STAR, T(EDDY_T_NULL, 0, 0))};
    int32_t ac[1] = {-1};
    rt_window_spec spec = {kt, kc, 1, aggs, ac, 1};
    eddy_err err;
    rt_stagger *s = rt_stagger_new(&spec, 100, &err);
    rt_batch *b = in_batch();
    eddy_type ot[2] = {kt[0], aggs[0].out_type};
    rt_batch *out = rt_batch_new(ot, 2, &err);
    char sym[16];
    int p_windows = 0, k_windows = 0;
    uint32_t max_keys = 0;
    for (int i = 0; i < 6000; i++) {
        rt_batch_reset(b);
        snprintf(sym, sizeof sym, "K%d", i);
        add_row(b, i * 10, sym, NULL, NULL);
        add_row(b, i * 10, "P", NULL, NULL);
        ck_assert_int_eq(rt_stagger_step(s, b, &err), 0);
        rt_batch_reset(out);
        int n = rt_stagger_advance(s, i * 10, out, NULL, NULL, &err);
        ck_assert_int_ge(n, 0);
        for (int r = 0; r < n; r++) {
            if (out->cols[0].v.str[r].n == 1) {
                ck_assert_int_eq(out->cols[1].v.i64[r], 10);  /* P: rows at 10 ms steps in a 100 ms window */
                p_windows++;
            } else {
                ck_assert_int_eq(out->cols[1].v.i64[r], 1);
                k_windows++;
            }
        }
        if (rt_stagger_keys(s) > max_keys) max_keys = rt_stagger_keys(s);
    }
    ck_assert_int_ge(p_windows, 590);
    ck_assert_int_ge(k_windows, 5980);
    ck_assert_uint_le(max_keys, 2 * 12 + 1024 + 2);
    rt_stagger_free(s);
    rt_batch_release(b);
    rt_batch_release(out);
}
END_TEST

static Suite *suite_runtime_window(void) {
    Suite *s = suite_create("runtime_window");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_group_table);
    tcase_add_test(tc, test_group_overflow_and_global);
    tcase_add_test(tc, test_slide_reference_example);
    tcase_add_test(tc, test_slide_exp_avg_bool);
    tcase_add_test(tc, test_slide_random_range);
    tcase_add_test(tc, test_slide_random_strings);
    tcase_add_test(tc, test_slide_random_rows);
    tcase_add_test(tc, test_slide_random_current_row);
    tcase_add_test(tc, test_slide_random_wide);
    tcase_add_test(tc, test_slide_random_rows_wide);
    tcase_add_test(tc, test_keymap_batch_vs_row);
    tcase_add_test(tc, test_slide_inline_results);
    tcase_add_test(tc, test_slide_unsupported);
    tcase_add_test(tc, test_stagger);
    tcase_add_test(tc, test_stagger_key_churn);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_runtime_window)
