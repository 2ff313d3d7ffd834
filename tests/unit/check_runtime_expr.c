/*
 * check_runtime_expr.c — unit tests of the expression compiler/evaluator
 * (runtime/expr.c) and value semantics (runtime/expr_value.c): integer and
 * DECIMAL arithmetic, row errors, CASE and AND/OR guarding, three-valued
 * logic, LIKE, IN, casts, datetime arithmetic.
 */
#include "check_main.h"

#include <string.h>

#include "arena.h"
#include "batch.h"
#include "expr.h"
#include "plan.h"

static arena A;

static eddy_type T(eddy_type_id id) { return (eddy_type){id, 0, 0}; }
static eddy_type DEC(int p, int s) { return (eddy_type){EDDY_T_DECIMAL, p, s}; }

static plan_expr *col(uint32_t i, eddy_type t) {
    plan_expr *e = arena_calloc(&A, sizeof *e);
    e->kind = PX_COLUMN;
    e->type = t;
    e->nullable = 1;
    e->u.col.index = i;
    return e;
}

static plan_expr *lit_i(int64_t v, eddy_type t) {
    plan_expr *e = arena_calloc(&A, sizeof *e);
    e->kind = PX_LITERAL;
    e->type = t;
    e->u.lit.type = t.id;
    e->u.lit.u.i = v;
    return e;
}

static plan_expr *lit_s(const char *s) {
    plan_expr *e = arena_calloc(&A, sizeof *e);
    e->kind = PX_LITERAL;
    e->type = (eddy_type){EDDY_T_VARCHAR, (int32_t)strlen(s), 0};
    e->u.lit.type = EDDY_T_VARCHAR;
    e->u.lit.u.s.p = s;
    e->u.lit.u.s.n = (uint32_t)strlen(s);
    return e;
}

static plan_expr *lit_null(eddy_type t) {
    plan_expr *e = lit_i(0, t);
    e->u.lit.is_null = 1;
    return e;
}

static plan_expr *op2(plan_op op, plan_expr *a, plan_expr *b, eddy_type t) {
    plan_expr *e = arena_calloc(&A, sizeof *e);
    e->kind = PX_OP;
    e->type = t;
    e->u.op.op = op;
    e->u.op.n_args = b ? 2 : 1;
    e->u.op.args[0] = a;
    e->u.op.args[1] = b;
    return e;
}

static plan_expr *cast(plan_expr *a, eddy_type t) {
    plan_expr *e = arena_calloc(&A, sizeof *e);
    e->kind = PX_CAST;
    e->type = t;
    e->u.cast.arg = a;
    return e;
}

/* A batch of two columns: a BIGINT and a VARCHAR. NULL where isnull[i]. */
static rt_batch *batch2(const int64_t *ints, const char *const *strs, const int *isnull, uint32_t n) {
    eddy_type types[2] = {T(EDDY_T_BIGINT), (eddy_type){EDDY_T_VARCHAR, 32, 0}};
    eddy_err err;
    rt_batch *b = rt_batch_new(types, 2, &err);
    ck_assert_ptr_nonnull(b);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = rt_batch_begin_row(b, 1000 + i);
        if (!isnull || !isnull[i]) rt_batch_set_i64(b, 0, r, ints[i]);
        if (strs && strs[i]) rt_batch_set_str(b, 1, r, strs[i], strlen(strs[i]));
        rt_batch_commit_row(b);
    }
    return b;
}

static const eddy_type in_types[2] = {{EDDY_T_BIGINT, 0, 0}, {EDDY_T_VARCHAR, 32, 0}};

/* Evaluates e over b; fills out[] with values (or INT64_MIN for NULL) and
 * returns the number of row errors. */
static uint32_t run_i(plan_expr *e, rt_batch *b, int64_t *out) {
    rt_expr *x;
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_int_eq(rt_expr_compile(e, in_types, 2, NULL, &A, &x, &err), 0);
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs;
    ck_assert_int_eq(rt_expr_eval(x, b, NULL, 0, &v, &errs, &n_errs, &err), 0);
    for (uint32_t r = 0; r < b->n_rows; r++) out[r] = v->null[r] ? INT64_MIN : v->v.i64[r];
    rt_expr_free(x);
    return n_errs;
}

static void setup(void) { arena_init(&A, 4096); }
static void teardown(void) { arena_free(&A); }

START_TEST(test_integer_division_truncates_and_errors) {
    int64_t xs[] = {7, -7, 5, 9};
    rt_batch *b = batch2(xs, NULL, NULL, 4);
    int64_t out[4];
    /* x / 2 */
    ck_assert_uint_eq(run_i(op2(PLAN_OP_DIV, col(0, T(EDDY_T_BIGINT)), lit_i(2, T(EDDY_T_BIGINT)), T(EDDY_T_BIGINT)), b, out), 0);
    ck_assert_int_eq(out[0], 3);
    ck_assert_int_eq(out[1], -3);
    ck_assert_int_eq(out[2], 2);
    /* 10 / (x - 5): row 2 divides by zero, only that row errs. */
    plan_expr *den = op2(PLAN_OP_SUB, col(0, T(EDDY_T_BIGINT)), lit_i(5, T(EDDY_T_BIGINT)), T(EDDY_T_BIGINT));
    ck_assert_uint_eq(run_i(op2(PLAN_OP_DIV, lit_i(10, T(EDDY_T_BIGINT)), den, T(EDDY_T_BIGINT)), b, out), 1);
    ck_assert_int_eq(out[0], 5);
    ck_assert_int_eq(out[3], 2);
    rt_batch_release(b);
}
END_TEST

START_TEST(test_case_guards_division) {
    int64_t xs[] = {0, 4, 0};
    rt_batch *b = batch2(xs, NULL, NULL, 3);
    int64_t out[3];
    /* CASE WHEN x = 0 THEN -1 ELSE 100 / x END */
    plan_expr *e = arena_calloc(&A, sizeof *e);
    e->kind = PX_CASE;
    e->type = T(EDDY_T_BIGINT);
    e->u.case_.n_whens = 1;
    e->u.case_.whens = arena_alloc(&A, sizeof(plan_expr *));
    e->u.case_.thens = arena_alloc(&A, sizeof(plan_expr *));
    e->u.case_.whens[0] = op2(PLAN_OP_EQ, col(0, T(EDDY_T_BIGINT)), lit_i(0, T(EDDY_T_BIGINT)), T(EDDY_T_BOOLEAN));
    e->u.case_.thens[0] = lit_i(-1, T(EDDY_T_BIGINT));
    e->u.case_.else_ = op2(PLAN_OP_DIV, lit_i(100, T(EDDY_T_BIGINT)), col(0, T(EDDY_T_BIGINT)), T(EDDY_T_BIGINT));
    ck_assert_uint_eq(run_i(e, b, out), 0);
    ck_assert_int_eq(out[0], -1);
    ck_assert_int_eq(out[1], 25);
    ck_assert_int_eq(out[2], -1);
    /* x <> 0 AND 100 / x > 10: no error for x = 0 either. */
    plan_expr *g = op2(PLAN_OP_AND,
                       op2(PLAN_OP_NE, col(0, T(EDDY_T_BIGINT)), lit_i(0, T(EDDY_T_BIGINT)), T(EDDY_T_BOOLEAN)),
                       op2(PLAN_OP_GT, op2(PLAN_OP_DIV, lit_i(100, T(EDDY_T_BIGINT)), col(0, T(EDDY_T_BIGINT)), T(EDDY_T_BIGINT)),
                           lit_i(10, T(EDDY_T_BIGINT)), T(EDDY_T_BOOLEAN)),
                       T(EDDY_T_BOOLEAN));
    ck_assert_uint_eq(run_i(g, b, out), 0);
    ck_assert_int_eq(out[0], 0);
    ck_assert_int_eq(out[1], 1);
    rt_batch_release(b);
}
END_TEST

START_TEST(test_three_valued_logic) {
    int64_t xs[] = {1, 0, 0};
    int nulls[] = {0, 0, 1};
    rt_batch *b = batch2(xs, NULL, nulls, 3);
    int64_t out[3];
    plan_expr *c0 = col(0, T(EDDY_T_BOOLEAN));
    /* x OR NULL: TRUE, NULL, NULL */
    ck_assert_uint_eq(run_i(op2(PLAN_OP_OR, c0, lit_null(T(EDDY_T_BOOLEAN)), T(EDDY_T_BOOLEAN)), b, out), 0);
    ck_assert_int_eq(out[0], 1);
    ck_assert_int_eq(out[1], INT64_MIN);
    ck_assert_int_eq(out[2], INT64_MIN);
    /* x AND NULL: NULL, FALSE, NULL */
    ck_assert_uint_eq(run_i(op2(PLAN_OP_AND, c0, lit_null(T(EDDY_T_BOOLEAN)), T(EDDY_T_BOOLEAN)), b, out), 0);
    ck_assert_int_eq(out[0], INT64_MIN);
    ck_assert_int_eq(out[1], 0);
    ck_assert_int_eq(out[2], INT64_MIN);
    /* IS NULL never returns NULL */
    ck_assert_uint_eq(run_i(op2(PLAN_OP_IS_NULL, c0, NULL, T(EDDY_T_BOOLEAN)), b, out), 0);
    ck_assert_int_eq(out[0], 0);
    ck_assert_int_eq(out[2], 1);
    rt_batch_release(b);
}
END_TEST

START_TEST(test_like_in_and_concat) {
    const char *ss[] = {"AMZN", "MSFT", NULL, "a_b"};
    int64_t xs[] = {1, 2, 3, 4};
    rt_batch *b = batch2(xs, ss, NULL, 4);
    int64_t out[4];
    plan_expr *lk = arena_calloc(&A, sizeof *lk);
    lk->kind = PX_LIKE;
    lk->type = T(EDDY_T_BOOLEAN);
    lk->u.like.arg = col(1, in_types[1]);
    lk->u.like.pattern = lit_s("%M%");
    ck_assert_uint_eq(run_i(lk, b, out), 0);
    ck_assert_int_eq(out[0], 1);
    ck_assert_int_eq(out[1], 1);
    ck_assert_int_eq(out[2], INT64_MIN);
    ck_assert_int_eq(out[3], 0);
    ck_assert(rt_like_match("a_b", 3, "a!_b", 4, '!'));
    ck_assert(!rt_like_match("axb", 3, "a!_b", 4, '!'));
    ck_assert(rt_like_match("", 0, "%", 1, -1));
    ck_assert(!rt_like_match("abc", 3, "ab", 2, -1));
    /* x IN (2, NULL): NULL, TRUE, NULL, NULL */
    plan_expr *in = arena_calloc(&A, sizeof *in);
    in->kind = PX_IN_LIST;
    in->type = T(EDDY_T_BOOLEAN);
    in->u.in.arg = col(0, T(EDDY_T_BIGINT));
    in->u.in.n_list = 2;
    in->u.in.list = arena_alloc(&A, 2 * sizeof(plan_expr *));
    in->u.in.list[0] = lit_i(2, T(EDDY_T_BIGINT));
    in->u.in.list[1] = lit_null(T(EDDY_T_BIGINT));
    ck_assert_uint_eq(run_i(in, b, out), 0);
    ck_assert_int_eq(out[0], INT64_MIN);
    ck_assert_int_eq(out[1], 1);
    /* s || '!' */
    rt_expr *x;
    eddy_err err;
    plan_expr *cc = op2(PLAN_OP_CONCAT, col(1, in_types[1]), lit_s("!"), (eddy_type){EDDY_T_VARCHAR, 33, 0});
    ck_assert_int_eq(rt_expr_compile(cc, in_types, 2, NULL, &A, &x, &err), 0);
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs;
    ck_assert_int_eq(rt_expr_eval(x, b, NULL, 0, &v, &errs, &n_errs, &err), 0);
    ck_assert_int_eq(v->v.str[0].n, 5);
    ck_assert(memcmp(v->v.str[0].p, "AMZN!", 5) == 0);
    ck_assert(v->null[2]);
    rt_expr_free(x);
    rt_batch_release(b);
}
END_TEST

START_TEST(test_casts) {
    const char *ss[] = {"42", "4x", "300", " 7 "};
    int64_t xs[] = {0, 0, 0, 0};
    rt_batch *b = batch2(xs, ss, NULL, 4);
    int64_t out[4];
    /* CAST(s AS SMALLINT): "4x" fails; "300" fits. */
    ck_assert_uint_eq(run_i(cast(col(1, in_types[1]), T(EDDY_T_SMALLINT)), b, out), 1);
    ck_assert_int_eq(out[0], 42);
    ck_assert_int_eq(out[2], 300);
    ck_assert_int_eq(out[3], 7);
    /* CAST(s AS TINYINT): "4x" and "300" fail. */
    ck_assert_uint_eq(run_i(cast(col(1, in_types[1]), T(EDDY_T_TINYINT)), b, out), 2);
    rt_batch_release(b);

    eddy_value in = {EDDY_T_DECIMAL, 0, {.i = 12345}}, o;
    eddy_err err;
    ck_assert_int_eq(rt_cast_value(&in, DEC(7, 2), T(EDDY_T_INTEGER), &o, &A, &err), 0);
    ck_assert_int_eq(o.u.i, 123); /* truncates toward zero */
    ck_assert_int_eq(rt_cast_value(&in, DEC(7, 2), DEC(7, 1), &o, &A, &err), 0);
    ck_assert_int_eq(o.u.i, 1235); /* rounds half away from zero */
    ck_assert_int_eq(rt_cast_value(&in, DEC(7, 2), T(EDDY_T_VARCHAR), &o, &A, &err), 0);
    ck_assert_int_eq(o.u.s.n, 6);
    ck_assert(memcmp(o.u.s.p, "123.45", 6) == 0);
    eddy_value ts = {EDDY_T_VARCHAR, 0, {.s = {"2004-09-30 13:48:23", 19}}};
    ck_assert_int_eq(rt_cast_value(&ts, (eddy_type){EDDY_T_VARCHAR, 19, 0}, T(EDDY_T_TIMESTAMP), &o, &A, &err), 0);
    ck_assert_int_eq(o.u.i, 1096552103000LL);
    ck_assert_int_eq(rt_cast_value(&o, T(EDDY_T_TIMESTAMP), T(EDDY_T_DATE), &o, &A, &err), 0);
    ck_assert_int_eq(o.u.i, 12691);
}
END_TEST

START_TEST(test_decimal_and_datetime_arithmetic) {
    int64_t xs[] = {1050, -250}; /* DECIMAL(6,2): 10.50, -2.50 */
    eddy_type types[1] = {DEC(6, 2)};
    eddy_err err;
    rt_batch *b = rt_batch_new(types, 1, &err);
    for (int i = 0; i < 2; i++) {
        uint32_t r = rt_batch_begin_row(b, 0);
        rt_batch_set_i64(b, 0, r, xs[i]);
        rt_batch_commit_row(b);
    }
    rt_expr *x;
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs;
    /* d * d -> DECIMAL(12,4) */
    plan_expr *m = op2(PLAN_OP_MUL, col(0, DEC(6, 2)), col(0, DEC(6, 2)), DEC(12, 4));
    ck_assert_int_eq(rt_expr_compile(m, types, 1, NULL, &A, &x, &err), 0);
    ck_assert_int_eq(rt_expr_eval(x, b, NULL, 0, &v, &errs, &n_errs, &err), 0);
    ck_assert_int_eq(v->v.i64[0], 1102500); /* 110.2500 */
    ck_assert_int_eq(v->v.i64[1], 62500);   /* 6.2500 */
    rt_expr_free(x);
    /* d + 1 (an INTEGER) -> DECIMAL(7,2) */
    plan_expr *p = op2(PLAN_OP_ADD, col(0, DEC(6, 2)), lit_i(1, T(EDDY_T_INTEGER)), DEC(7, 2));
    ck_assert_int_eq(rt_expr_compile(p, types, 1, NULL, &A, &x, &err), 0);
    ck_assert_int_eq(rt_expr_eval(x, b, NULL, 0, &v, &errs, &n_errs, &err), 0);
    ck_assert_int_eq(v->v.i64[0], 1150);
    rt_expr_free(x);
    rt_batch_release(b);

    /* ROWTIME + INTERVAL '1' MINUTE, and TIMESTAMP + INTERVAL '1' MONTH at month end. */
    int64_t zero[] = {0};
    rt_batch *bt = batch2(zero, NULL, NULL, 1);
    plan_expr *rt = arena_calloc(&A, sizeof *rt);
    rt->kind = PX_ROWTIME;
    rt->type = T(EDDY_T_TIMESTAMP);
    int64_t out[1];
    ck_assert_uint_eq(run_i(op2(PLAN_OP_ADD, rt, lit_i(60000, T(EDDY_T_INTERVAL_DS)), T(EDDY_T_TIMESTAMP)), bt, out), 0);
    ck_assert_int_eq(out[0], 1000 + 60000);
    /* 2004-01-31 + 1 month = 2004-02-29 */
    int64_t jan31 = 12448LL * 86400000; /* days(2004-01-31) */
    ck_assert_uint_eq(run_i(op2(PLAN_OP_ADD, lit_i(jan31, T(EDDY_T_TIMESTAMP)), lit_i(1, T(EDDY_T_INTERVAL_YM)),
                                T(EDDY_T_TIMESTAMP)), bt, out), 0);
    ck_assert_int_eq(out[0], 12477LL * 86400000);
    /* overflow is a row error */
    ck_assert_uint_eq(run_i(op2(PLAN_OP_ADD, lit_i(INT64_MAX, T(EDDY_T_BIGINT)), lit_i(1, T(EDDY_T_BIGINT)),
                                T(EDDY_T_BIGINT)), bt, out), 1);
    ck_assert_uint_eq(run_i(op2(PLAN_OP_MUL, lit_i(100000, T(EDDY_T_INTEGER)), lit_i(100000, T(EDDY_T_INTEGER)),
                                T(EDDY_T_INTEGER)), bt, out), 1);
    rt_batch_release(bt);
}
END_TEST

static Suite *suite_expr(void) {
    Suite *s = suite_create("runtime_expr");
    TCase *tc = tcase_create("eval");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_integer_division_truncates_and_errors);
    tcase_add_test(tc, test_case_guards_division);
    tcase_add_test(tc, test_three_valued_logic);
    tcase_add_test(tc, test_like_in_and_concat);
    tcase_add_test(tc, test_casts);
    tcase_add_test(tc, test_decimal_and_datetime_arithmetic);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_expr)
