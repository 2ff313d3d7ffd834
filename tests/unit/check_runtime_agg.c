/*
 * check_runtime_agg.c — unit tests of runtime/agg*.c: each aggregate's
 * init/add/final, NULL rules, integer AVG truncation, SUM overflow at
 * final, string MIN/MAX with owned copies, FIRST/LAST (RESPECT NULLS),
 * Welford statistics with combine and retract, and the vectorised step
 * with a selection and group pointers.
 */
#include "check_main.h"

#include <math.h>
#include <string.h>

#include "agg.h"

static eddy_type T(eddy_type_id id, int p, int s) { return (eddy_type){id, p, s}; }

typedef struct {
    rt_agg a;
    _Alignas(16) uint8_t st[64];
    rt_batch *out;
    eddy_err err;
} A;

static void a_open(A *x, rt_agg_kind k, eddy_type in) {
    eddy_err_clear(&x->err);
    ck_assert_int_eq(rt_agg_resolve(k, in, &x->a, &x->err), 0);
    ck_assert_uint_le(x->a.state_size, sizeof x->st);
    ck_assert_uint_eq(x->a.state_size % 8, 0);
    x->a.init(&x->a, x->st);
    x->out = rt_batch_new(&x->a.out_type, 1, &x->err);
}

static void a_close(A *x) {
    if (x->a.destroy) x->a.destroy(&x->a, x->st);
    rt_batch_release(x->out);
}

static void addi(A *x, int64_t v) {
    rt_datum d = {.i = v};
    ck_assert_int_eq(x->a.add(&x->a, x->st, &d), 0);
}
static void addd(A *x, double v) {
    rt_datum d = {.d = v};
    ck_assert_int_eq(x->a.add(&x->a, x->st, &d), 0);
}
static void adds(A *x, const char *s) {
    rt_datum d = {.s = {s, (uint32_t)strlen(s)}};
    ck_assert_int_eq(x->a.add(&x->a, x->st, &d), 0);
}
static void addnull(A *x) { ck_assert_int_eq(x->a.add(&x->a, x->st, NULL), 0); }

/* Runs final into a fresh row; returns 1 if non-NULL. */
static int fin(A *x, int rc_want) {
    rt_batch_reset(x->out);
    uint32_t r = rt_batch_begin_row(x->out, 0);
    int rc = x->a.final(&x->a, x->st, x->out, 0, r, &x->err);
    ck_assert_int_eq(rc, rc_want);
    rt_batch_commit_row(x->out);
    return !rt_col_is_null(&x->out->cols[0], r);
}
static int64_t fi(A *x) {
    ck_assert(fin(x, 0));
    return x->out->cols[0].v.i64[0];
}
static double fd(A *x) {
    ck_assert(fin(x, 0));
    return x->out->cols[0].v.f64[0];
}

START_TEST(test_count_sum_avg) {
    A x;
    a_open(&x, RT_AGG_COUNT_STAR, T(EDDY_T_NULL, 0, 0));
    addnull(&x);
    addi(&x, 3);
    ck_assert_int_eq(fi(&x), 2);
    a_close(&x);

    a_open(&x, RT_AGG_COUNT, T(EDDY_T_VARCHAR, 5, 0));
    ck_assert_int_eq(fi(&x), 0);  /* COUNT of nothing is 0, not NULL */
    addnull(&x);
    adds(&x, "a");
    ck_assert_int_eq(fi(&x), 1);
    a_close(&x);

    a_open(&x, RT_AGG_SUM, T(EDDY_T_INTEGER, 0, 0));
    ck_assert(!fin(&x, 0));  /* SUM of nothing is NULL */
    addnull(&x);
    ck_assert(!fin(&x, 0));
    addi(&x, 2000000000);
    addi(&x, 2000000000);
    ck_assert(!fin(&x, EDDY_E_RUNTIME));  /* does not fit INTEGER */
    ck_assert(strstr(x.err.msg, "overflow in SUM") != NULL);
    addi(&x, -2000000000);
    ck_assert_int_eq(fi(&x), 2000000000);  /* exact through the overflow */
    a_close(&x);

    /* BIGINT: the 128-bit accumulator catches overflow and survives it. */
    a_open(&x, RT_AGG_SUM, T(EDDY_T_BIGINT, 0, 0));
    addi(&x, INT64_MAX);
    addi(&x, 1);
    ck_assert(!fin(&x, EDDY_E_RUNTIME));
    x.a.retract(&x.a, x.st, &(rt_datum){.i = 1});
    ck_assert_int_eq(fi(&x), INT64_MAX);
    addi(&x, INT64_MIN);
    ck_assert_int_eq(fi(&x), -1);
    addi(&x, INT64_MIN);  /* INT64_MIN - 1 no longer fits */
    ck_assert(!fin(&x, EDDY_E_RUNTIME));
    a_close(&x);

    /* Integer AVG truncates toward zero (38.5 → 38, -6.5 → -6). */
    a_open(&x, RT_AGG_AVG, T(EDDY_T_INTEGER, 0, 0));
    addi(&x, 38);
    addi(&x, 39);
    ck_assert_int_eq(fi(&x), 38);
    a_close(&x);
    a_open(&x, RT_AGG_AVG, T(EDDY_T_INTEGER, 0, 0));
    addi(&x, -6);
    addi(&x, -7);
    ck_assert_int_eq(fi(&x), -6);
    a_close(&x);

    /* DECIMAL(5,2): scaled integers; AVG keeps the scale. */
    a_open(&x, RT_AGG_AVG, T(EDDY_T_DECIMAL, 5, 2));
    addi(&x, 100);
    addi(&x, 125);
    ck_assert_int_eq(fi(&x), 112);
    a_close(&x);

    a_open(&x, RT_AGG_AVG, T(EDDY_T_DOUBLE, 0, 0));
    addd(&x, 1.0);
    addd(&x, 2.0);
    ck_assert(fd(&x) == 1.5);
    x.a.retract(&x.a, x.st, &(rt_datum){.d = 1.0});
    ck_assert(fd(&x) == 2.0);
    a_close(&x);

    rt_agg bad;
    eddy_err err;
    ck_assert_int_eq(rt_agg_resolve(RT_AGG_SUM, T(EDDY_T_VARCHAR, 3, 0), &bad, &err), EDDY_E_SEMANTIC);
    ck_assert_str_eq(err.msg, "cannot apply SUM to type VARCHAR");
}
END_TEST

START_TEST(test_minmax_first_last) {
    A x;
    a_open(&x, RT_AGG_MAX, T(EDDY_T_BIGINT, 0, 0));
    ck_assert(!fin(&x, 0));
    addi(&x, -5);
    addnull(&x);
    addi(&x, -9);
    ck_assert_int_eq(fi(&x), -5);
    a_close(&x);

    a_open(&x, RT_AGG_MIN, T(EDDY_T_DOUBLE, 0, 0));
    addd(&x, 2.5);
    addd(&x, -0.5);
    ck_assert(fd(&x) == -0.5);
    a_close(&x);

    /* Strings: the state owns its copy; the source buffer may change. */
    a_open(&x, RT_AGG_MAX, T(EDDY_T_VARCHAR, 20, 0));
    char buf[32];
    strcpy(buf, "apple");
    adds(&x, buf);
    strcpy(buf, "banana split");
    adds(&x, buf);
    strcpy(buf, "ban");
    adds(&x, buf);
    strcpy(buf, "zzzzzzzzzzzzzzzzzzz");  /* overwrite the source */
    ck_assert(fin(&x, 0));
    ck_assert_uint_eq(x.out->cols[0].v.str[0].n, 12);
    ck_assert(memcmp(x.out->cols[0].v.str[0].p, "banana split", 12) == 0);
    /* combine takes the larger of two partials */
    A y;
    a_open(&y, RT_AGG_MAX, T(EDDY_T_VARCHAR, 20, 0));
    adds(&y, "cherry");
    ck_assert_int_eq(x.a.combine(&x.a, x.st, y.st), 0);
    ck_assert(fin(&x, 0));
    ck_assert(memcmp(x.out->cols[0].v.str[0].p, "cherry", 6) == 0);
    a_close(&y);
    a_close(&x);

    a_open(&x, RT_AGG_MIN, T(EDDY_T_VARCHAR, 20, 0));
    adds(&x, "b");
    adds(&x, "ab");
    adds(&x, "abc");
    ck_assert(fin(&x, 0));
    ck_assert_uint_eq(x.out->cols[0].v.str[0].n, 2);
    a_close(&x);

    /* FIRST_VALUE respects NULLs: a NULL first row gives NULL. */
    a_open(&x, RT_AGG_FIRST_VALUE, T(EDDY_T_INTEGER, 0, 0));
    addnull(&x);
    addi(&x, 4);
    ck_assert(!fin(&x, 0));
    a_close(&x);
    a_open(&x, RT_AGG_LAST_VALUE, T(EDDY_T_VARCHAR, 0, 0));
    adds(&x, "first");
    adds(&x, "a much longer last value");
    ck_assert(fin(&x, 0));
    ck_assert_uint_eq(x.out->cols[0].v.str[0].n, 24);
    addnull(&x);
    ck_assert(!fin(&x, 0));
    a_close(&x);
}
END_TEST

START_TEST(test_stats) {
    /* 2, 4, 4, 4, 5, 5, 7, 9: population variance 4, stddev 2. */
    int64_t v[] = {2, 4, 4, 4, 5, 5, 7, 9};
    A p, s, half;
    a_open(&p, RT_AGG_VAR_POP, T(EDDY_T_INTEGER, 0, 0));
    a_open(&s, RT_AGG_STDDEV_SAMP, T(EDDY_T_INTEGER, 0, 0));
    a_open(&half, RT_AGG_VAR_POP, T(EDDY_T_INTEGER, 0, 0));
    ck_assert(!fin(&s, 0));
    for (int i = 0; i < 8; i++) {
        addi(&p, v[i]);
        addi(&s, v[i]);
        if (i >= 4) addi(&half, v[i]);
    }
    ck_assert(fabs(fd(&p) - 4.0) < 1e-12);
    ck_assert(fabs(fd(&s) - sqrt(32.0 / 7)) < 1e-12);
    /* Retract the last four, then combine them back from `half`. */
    for (int i = 4; i < 8; i++) p.a.retract(&p.a, p.st, &(rt_datum){.i = v[i]});
    ck_assert(fabs(fd(&p) - 0.75) < 1e-12);  /* 2,4,4,4 */
    ck_assert_int_eq(p.a.combine(&p.a, p.st, half.st), 0);
    ck_assert(fabs(fd(&p) - 4.0) < 1e-12);
    a_close(&p);
    a_close(&s);
    a_close(&half);

    A d;
    a_open(&d, RT_AGG_STDDEV_POP, T(EDDY_T_DECIMAL, 6, 2));
    addi(&d, 150);  /* 1.50 */
    addi(&d, 250);  /* 2.50 */
    ck_assert(fabs(fd(&d) - 0.5) < 1e-12);
    a_close(&d);
}
END_TEST

START_TEST(test_step_batch) {
    eddy_type ts[1] = {T(EDDY_T_BIGINT, 0, 0)};
    eddy_err err;
    rt_batch *b = rt_batch_new(ts, 1, &err);
    for (int i = 0; i < 10; i++) {
        uint32_t r = rt_batch_begin_row(b, 0);
        if (i != 3) rt_batch_set_i64(b, 0, r, i);
        rt_batch_commit_row(b);
    }
    /* Select the odd rows; group by i % 4 (odd rows go to groups 1 and 3). */
    b->has_sel = 1;
    b->n_sel = 0;
    for (uint16_t i = 1; i < 10; i += 2) b->sel[b->n_sel++] = i;
    _Alignas(16) uint8_t blocks[4][64];
    uint8_t *states[RT_BATCH_CAP];
    for (uint32_t i = 0; i < b->n_sel; i++) states[i] = blocks[b->sel[i] % 4];
    rt_agg_kind kinds[] = {RT_AGG_COUNT_STAR, RT_AGG_COUNT, RT_AGG_SUM, RT_AGG_MAX, RT_AGG_MIN, RT_AGG_VAR_POP};
    /* Expected for group 1 (rows 1, 5, 9) and group 3 (rows 3=NULL, 7). */
    int64_t want1[] = {3, 3, 15, 9, 1};
    int64_t want3[] = {2, 1, 7, 7, 7};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        rt_agg a;
        ck_assert_int_eq(rt_agg_resolve(kinds[k], ts[0], &a, &err), 0);
        for (int g = 0; g < 4; g++) a.init(&a, blocks[g] + 8);
        ck_assert_int_eq(rt_agg_step_batch(&a, states, 8, b, kinds[k] == RT_AGG_COUNT_STAR ? NULL : &b->cols[0]), 0);
        rt_batch *out = rt_batch_new(&a.out_type, 1, &err);
        for (int g = 1; g <= 3; g += 2) {
            uint32_t r = rt_batch_begin_row(out, 0);
            ck_assert_int_eq(a.final(&a, blocks[g] + 8, out, 0, r, &err), 0);
            rt_batch_commit_row(out);
        }
        if (kinds[k] == RT_AGG_VAR_POP) {
            ck_assert(fabs(out->cols[0].v.f64[0] - 32.0 / 3) < 1e-9);
            ck_assert(fabs(out->cols[0].v.f64[1]) < 1e-12);
        } else {
            ck_assert_int_eq(out->cols[0].v.i64[0], want1[k]);
            ck_assert_int_eq(out->cols[0].v.i64[1], want3[k]);
        }
        rt_batch_release(out);
    }
    rt_batch_release(b);
}
END_TEST

static Suite *suite_runtime_agg(void) {
    Suite *s = suite_create("runtime_agg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_count_sum_avg);
    tcase_add_test(tc, test_minmax_first_last);
    tcase_add_test(tc, test_stats);
    tcase_add_test(tc, test_step_batch);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_runtime_agg)
