/*
 * check_runtime_expr.c — unit tests of the expression compiler/evaluator
 * (runtime/expr.c) and value semantics (runtime/expr_value.c): integer and
 * DECIMAL arithmetic, row errors, CASE and AND/OR guarding, three-valued
 * logic, LIKE, IN, casts, datetime arithmetic.
 */
#include "check_main.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "batch.h"
#include "expr.h"
#include "plan.h"
#include "udf.h"

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

/* ---- constant folding, call runs, kernels ---------------------------- */

static plan_expr *call_e(const udf_func *fn, plan_expr **args, uint32_t n, eddy_type t) {
    plan_expr *e = arena_calloc(&A, sizeof *e);
    eddy_type *ats = arena_calloc(&A, sizeof(eddy_type) * (n + 1));
    plan_expr **as = arena_calloc(&A, sizeof(plan_expr *) * (n + 1));
    for (uint32_t i = 0; i < n; i++) {
        ats[i] = args[i]->type;
        as[i] = args[i];
    }
    e->kind = PX_CALL;
    e->type = t;
    e->u.call.call.fn = fn;
    e->u.call.call.n_args = (int)n;
    e->u.call.call.arg_types = ats;
    e->u.call.call.ret_type = t;
    e->u.call.args = as;
    e->u.call.n_args = n;
    return e;
}

/* A test function: x * 10, an error for x = 13; counts calls and rows. */
static int n_calls, n_rows_seen;
static int fn_times10(const udf_call *call, size_t n, const eddy_value *const *args, eddy_value *out,
                      arena *mem, size_t *bad_row, eddy_err *err) {
    (void)call;
    (void)mem;
    n_calls++;
    for (size_t i = 0; i < n; i++) {
        n_rows_seen++;
        out[i].type = EDDY_T_BIGINT;
        out[i].is_null = args[0][i].is_null;
        if (args[0][i].is_null) continue;
        if (args[0][i].u.i == 13) {
            *bad_row = i;
            return eddy_err_set(err, EDDY_E_RUNTIME, "unlucky %d", 13);
        }
        out[i].u.i = args[0][i].u.i * 10;
    }
    return 0;
}

static const udf_func f_det = {.name = "TIMES10", .kind = UDF_SCALAR, .n_args = 1,
                               .flags = UDF_F_DETERMINISTIC | UDF_F_STRICT, .eval = fn_times10};
static const udf_func f_nondet = {.name = "TIMES10_ND", .kind = UDF_SCALAR, .n_args = 1,
                                  .flags = UDF_F_STRICT, .eval = fn_times10};

/* Compiles e, evaluates it over b and copies out values/errors. */
typedef struct res_i {
    int64_t v[8];
    uint32_t n_errs;
    char msg[8][128];
    uint32_t err_row[8];
} res_i;

static void run_full(plan_expr *e, rt_batch *b, const uint16_t *rows, uint32_t n_rows, res_i *o) {
    rt_expr *x;
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_int_eq(rt_expr_compile(e, in_types, 2, NULL, &A, &x, &err), 0);
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs;
    ck_assert_int_eq(rt_expr_eval(x, b, rows, n_rows, &v, &errs, &n_errs, &err), 0);
    for (uint32_t r = 0; r < b->n_rows && r < 8; r++) o->v[r] = v->null[r] ? INT64_MIN : v->v.i64[r];
    o->n_errs = n_errs;
    for (uint32_t i = 0; i < n_errs && i < 8; i++) {
        snprintf(o->msg[i], sizeof o->msg[i], "%s: %s", errs[i].name, errs[i].msg);
        o->err_row[i] = errs[i].row;
    }
    rt_expr_free(x);
}

START_TEST(test_constant_folding) {
    int64_t xs[] = {1, 0, 3, 13};
    int nul[] = {0, 0, 1, 0};
    rt_batch *b = batch2(xs, NULL, nul, 4);
    eddy_type bi = T(EDDY_T_BIGINT);
    res_i o;
    /* x + CAST(2 AS BIGINT) * 3: folded to x + 6. */
    run_full(op2(PLAN_OP_ADD, col(0, bi),
                 op2(PLAN_OP_MUL, cast(lit_i(2, T(EDDY_T_INTEGER)), bi), lit_i(3, bi), bi), bi),
             b, NULL, 0, &o);
    ck_assert_uint_eq(o.n_errs, 0);
    ck_assert_int_eq(o.v[0], 7);
    ck_assert_int_eq(o.v[1], 6);
    ck_assert_int_eq(o.v[2], INT64_MIN);
    ck_assert_int_eq(o.v[3], 19);
    /* A whole constant, over a subset of rows. */
    static const uint16_t some[] = {1, 3};
    run_full(op2(PLAN_OP_ADD, lit_i(1, bi), lit_i(2, bi), bi), b, some, 2, &o);
    ck_assert_uint_eq(o.n_errs, 0);
    ck_assert_int_eq(o.v[1], 3);
    ck_assert_int_eq(o.v[3], 3);
    /* A NULL constant: x + CAST(NULL AS BIGINT) is NULL everywhere, no error. */
    run_full(op2(PLAN_OP_ADD, col(0, bi), cast(lit_null(T(EDDY_T_INTEGER)), bi), bi), b, NULL, 0, &o);
    ck_assert_uint_eq(o.n_errs, 0);
    for (int r = 0; r < 4; r++) ck_assert_int_eq(o.v[r], INT64_MIN);
    /* A constant that fails is not folded: every row gets the error, as before. */
    run_full(op2(PLAN_OP_ADD, col(0, bi), op2(PLAN_OP_DIV, lit_i(1, bi), lit_i(0, bi), bi), bi), b, NULL, 0, &o);
    ck_assert_uint_eq(o.n_errs, 4);
    ck_assert_str_eq(o.msg[0], "DIVISION_BY_ZERO: division by zero");
    for (int r = 0; r < 4; r++) ck_assert_int_eq(o.v[r], INT64_MIN);
    /* ... and only on the rows that evaluate it: CASE WHEN x = 0 THEN 1/0 ELSE x END. */
    plan_expr *c = arena_calloc(&A, sizeof *c);
    plan_expr **w = arena_calloc(&A, sizeof *w), **t = arena_calloc(&A, sizeof *t);
    w[0] = op2(PLAN_OP_EQ, col(0, bi), lit_i(0, bi), T(EDDY_T_BOOLEAN));
    t[0] = op2(PLAN_OP_DIV, lit_i(1, bi), lit_i(0, bi), bi);
    c->kind = PX_CASE;
    c->type = bi;
    c->u.case_.whens = w;
    c->u.case_.thens = t;
    c->u.case_.n_whens = 1;
    c->u.case_.else_ = col(0, bi);
    run_full(c, b, NULL, 0, &o);
    ck_assert_uint_eq(o.n_errs, 1);
    ck_assert_uint_eq(o.err_row[0], 1);
    ck_assert_int_eq(o.v[0], 1);
    ck_assert_int_eq(o.v[3], 13);
    /* A failing constant cast keeps its per-row message. */
    run_full(op2(PLAN_OP_ADD, col(0, bi), cast(lit_s("abc"), bi), bi), b, NULL, 0, &o);
    ck_assert_uint_eq(o.n_errs, 4);
    ck_assert_str_eq(o.msg[0], "CAST_ERROR: cannot convert 'abc' to BIGINT");
    /* Deterministic calls on constants run once, at compile time. */
    plan_expr *a13[1] = {lit_i(4, bi)};
    n_calls = n_rows_seen = 0;
    run_full(op2(PLAN_OP_ADD, col(0, bi), call_e(&f_det, a13, 1, bi), bi), b, NULL, 0, &o);
    ck_assert_int_eq(n_calls, 1);
    ck_assert_int_eq(o.v[0], 41);
    ck_assert_int_eq(o.v[3], 53);
    /* ... but not when they fail (the error is per row) ... */
    a13[0] = lit_i(13, bi);
    run_full(call_e(&f_det, a13, 1, bi), b, NULL, 0, &o);
    ck_assert_uint_eq(o.n_errs, 4);
    ck_assert_str_eq(o.msg[2], "FUNCTION_ERROR: unlucky 13");
    /* ... and never when not deterministic. */
    a13[0] = lit_i(4, bi);
    n_calls = n_rows_seen = 0;
    run_full(call_e(&f_nondet, a13, 1, bi), b, NULL, 0, &o);
    ck_assert_int_eq(n_rows_seen, 4);
    ck_assert_int_eq(o.v[2], 40);
    /* Constant strings: x_str || ('a' || 'b'). */
    plan_expr *ab = op2(PLAN_OP_CONCAT, lit_s("a"), lit_s("b"), (eddy_type){EDDY_T_VARCHAR, 2, 0});
    const char *ss[] = {"x", "yy", NULL, ""};
    rt_batch *bs = batch2(xs, ss, NULL, 4);
    rt_expr *x;
    eddy_err err;
    ck_assert_int_eq(rt_expr_compile(op2(PLAN_OP_CONCAT, col(1, in_types[1]), ab, (eddy_type){EDDY_T_VARCHAR, 40, 0}),
                                     in_types, 2, NULL, &A, &x, &err), 0);
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs;
    ck_assert_int_eq(rt_expr_eval(x, bs, NULL, 0, &v, &errs, &n_errs, &err), 0);
    ck_assert_uint_eq(n_errs, 0);
    ck_assert(v->v.str[0].n == 3 && memcmp(v->v.str[0].p, "xab", 3) == 0);
    ck_assert(v->v.str[1].n == 4 && memcmp(v->v.str[1].p, "yyab", 4) == 0);
    ck_assert(v->null[2]);
    ck_assert(v->v.str[3].n == 2 && memcmp(v->v.str[3].p, "ab", 2) == 0);
    rt_expr_free(x);
    rt_batch_release(bs);
    rt_batch_release(b);
}
END_TEST

START_TEST(test_strict_call_runs) {
    /* Rows 1, NULL, 13, 4, 5, NULL, 13, 6: NULLs skip the call, each 13 is
     * an error of its own row only, and the rest are evaluated in runs. */
    int64_t xs[] = {1, 0, 13, 4, 5, 0, 13, 6};
    int nul[] = {0, 1, 0, 0, 0, 1, 0, 0};
    rt_batch *b = batch2(xs, NULL, nul, 8);
    eddy_type bi = T(EDDY_T_BIGINT);
    plan_expr *a[1] = {col(0, bi)};
    res_i o;
    n_calls = n_rows_seen = 0;
    run_full(call_e(&f_det, a, 1, bi), b, NULL, 0, &o);
    static const int64_t want[] = {10, INT64_MIN, INT64_MIN, 40, 50, INT64_MIN, INT64_MIN, 60};
    for (int r = 0; r < 8; r++) ck_assert_int_eq(o.v[r], want[r]);
    ck_assert_uint_eq(o.n_errs, 2);
    ck_assert_uint_eq(o.err_row[0], 2);
    ck_assert_uint_eq(o.err_row[1], 6);
    ck_assert_str_eq(o.msg[0], "FUNCTION_ERROR: unlucky 13");
    ck_assert_int_lt(n_calls, 8);
    /* Over a subset of rows. */
    static const uint16_t some[] = {0, 2, 3};
    run_full(call_e(&f_det, a, 1, bi), b, some, 3, &o);
    ck_assert_uint_eq(o.n_errs, 1);
    ck_assert_uint_eq(o.err_row[0], 2);
    ck_assert_int_eq(o.v[0], 10);
    ck_assert_int_eq(o.v[3], 40);
    rt_batch_release(b);
}
END_TEST

/* Column types of the cast tests, one column each. */
static const eddy_type cast_types[] = {
    {EDDY_T_TINYINT, 0, 0}, {EDDY_T_SMALLINT, 0, 0}, {EDDY_T_INTEGER, 0, 0}, {EDDY_T_BIGINT, 0, 0},
    {EDDY_T_DECIMAL, 10, 2}, {EDDY_T_DECIMAL, 18, 4}, {EDDY_T_REAL, 0, 0},  {EDDY_T_DOUBLE, 0, 0},
};
#define N_CAST_TYPES (sizeof cast_types / sizeof cast_types[0])

/* Every CAST between the numeric types above, over values at the edges of
 * each range, gives exactly what rt_cast_value gives: value, NULL, message. */
START_TEST(test_cast_kernels_match_cast_value) {
    static const int64_t ints[] = {INT64_MIN, INT64_MIN + 1, -2147483649LL, -2147483648LL, -32769, -32768,
                                   -129, -128, -1, 0, 1, 127, 128, 32767, 32768, 2147483647LL,
                                   2147483648LL, INT64_MAX - 1, INT64_MAX, 12345, -99999};
    static const double dbls[] = {0.0, -0.0, 0.5, -0.5, 127.9, 128.0, -128.9, -129.0, 32767.99, 32768.0,
                                  2147483647.5, 2147483648.0, -2147483648.9, -2147483649.0, 9.2e18,
                                  -9.2e18, 9.19e18, -9.19e18, 9.3e18, 1e300, -1e300, 3.4e38, 3.5e38,
                                  1e-310, 0.1, 1.0 / 3.0, NAN, INFINITY, -INFINITY, 123.456};
    size_t n_vals = sizeof ints / sizeof ints[0] > sizeof dbls / sizeof dbls[0] ? sizeof ints / sizeof ints[0]
                                                                                : sizeof dbls / sizeof dbls[0];
    eddy_err err;
    rt_batch *b = rt_batch_new(cast_types, N_CAST_TYPES, &err);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < n_vals + 1; i++) {
        uint32_t r = rt_batch_begin_row(b, 0);
        if (i < n_vals) {   /* the last row stays NULL */
            for (uint32_t c = 0; c < N_CAST_TYPES; c++) {
                eddy_type_id t = cast_types[c].id;
                if (t == EDDY_T_REAL || t == EDDY_T_DOUBLE) {
                    double d = dbls[i % (sizeof dbls / sizeof dbls[0])];
                    rt_batch_set_f64(b, c, r, t == EDDY_T_REAL ? (float)d : d);
                } else {
                    int64_t v = ints[i % (sizeof ints / sizeof ints[0])], lo = INT64_MIN, hi = INT64_MAX;
                    if (t != EDDY_T_DECIMAL) eddy_int_range(t, &lo, &hi);
                    else if (cast_types[c].precision < 18) lo = -(hi = eddy_pow10(cast_types[c].precision) - 1);
                    if (v >= lo && v <= hi) rt_batch_set_i64(b, c, r, v);
                }
            }
        }
        rt_batch_commit_row(b);
    }
    arena mem;
    arena_init(&mem, 4096);
    int checked = 0;
    for (uint32_t from = 0; from < N_CAST_TYPES; from++) {
        for (uint32_t to = 0; to < N_CAST_TYPES; to++) {
            plan_expr *e = cast(col(from, cast_types[from]), cast_types[to]);
            rt_expr *x;
            ck_assert_int_eq(rt_expr_compile(e, cast_types, N_CAST_TYPES, NULL, &A, &x, &err), 0);
            const rt_vec *v;
            const rt_row_error *errs;
            uint32_t n_errs, k = 0;
            ck_assert_int_eq(rt_expr_eval(x, b, NULL, 0, &v, &errs, &n_errs, &err), 0);
            for (uint32_t r = 0; r < b->n_rows; r++) {
                const rt_column *c = &b->cols[from];
                eddy_value in = {cast_types[from].id, rt_col_is_null(c, r), {0}}, want;
                if (c->phys == RT_PHYS_F64) in.u.d = c->v.f64[r];
                else in.u.i = c->v.i64[r];
                eddy_err cerr;
                eddy_err_clear(&cerr);
                int rc = rt_cast_value(&in, cast_types[from], cast_types[to], &want, &mem, &cerr);
                if (rc != 0) {
                    ck_assert_msg(v->null[r], "cast %u->%u row %u: want an error", from, to, r);
                    ck_assert_uint_lt(k, n_errs);
                    ck_assert_uint_eq(errs[k].row, r);
                    ck_assert_str_eq(errs[k].msg, cerr.msg);
                    k++;
                    continue;
                }
                ck_assert_msg(!!v->null[r] == !!want.is_null, "cast %u->%u row %u: NULL differs", from, to, r);
                if (want.is_null) continue;
                if (v->phys == RT_PHYS_F64)
                    ck_assert_msg(memcmp(&v->v.f64[r], &want.u.d, sizeof(double)) == 0 ||
                                      (isnan(v->v.f64[r]) && isnan(want.u.d)),
                                  "cast %u->%u row %u: %.17g != %.17g", from, to, r, v->v.f64[r], want.u.d);
                else
                    ck_assert_msg(v->v.i64[r] == want.u.i, "cast %u->%u row %u: %lld != %lld", from, to, r,
                                  (long long)v->v.i64[r], (long long)want.u.i);
                checked++;
            }
            ck_assert_uint_eq(k, n_errs);
            rt_expr_free(x);
        }
    }
    ck_assert_int_gt(checked, 500);
    arena_free(&mem);
    rt_batch_release(b);
}
END_TEST

START_TEST(test_op_kernels) {
    eddy_type it = T(EDDY_T_INTEGER), bi = T(EDDY_T_BIGINT), db = T(EDDY_T_DOUBLE), bo = T(EDDY_T_BOOLEAN);
    eddy_type ts[4] = {it, it, db, db};
    eddy_err err;
    rt_batch *b = rt_batch_new(ts, 4, &err);
    static const int64_t ia[] = {2147483647, -2147483648LL, 7, -7, 5, 0};
    static const int64_t ib[] = {1, -1, 0, 2, -1, 0};
    static const double da[] = {1.5, NAN, 2.0, -0.0, 1e308, 0};
    static const double dbv[] = {1.5, 1.0, 0.0, 0.0, 1e308, 0};
    for (int i = 0; i < 6; i++) {
        uint32_t r = rt_batch_begin_row(b, 0);
        if (i < 5) {   /* the last row stays NULL */
            rt_batch_set_i64(b, 0, r, ia[i]);
            rt_batch_set_i64(b, 1, r, ib[i]);
            rt_batch_set_f64(b, 2, r, da[i]);
            rt_batch_set_f64(b, 3, r, dbv[i]);
        }
        rt_batch_commit_row(b);
    }
    struct {
        plan_op op;
        int dbl;
        eddy_type t;
        int64_t want[6];      /* INT64_MIN = NULL */
        uint32_t n_errs;
    } cases[] = {
        {PLAN_OP_ADD, 0, it, {INT64_MIN, INT64_MIN, 7, -5, 4, INT64_MIN}, 2},
        {PLAN_OP_ADD, 0, bi, {2147483648LL, -2147483649LL, 7, -5, 4, INT64_MIN}, 0},
        {PLAN_OP_SUB, 0, it, {2147483646, -2147483647LL, 7, -9, 6, INT64_MIN}, 0},
        {PLAN_OP_MUL, 0, it, {2147483647, INT64_MIN, 0, -14, -5, INT64_MIN}, 1},
        {PLAN_OP_DIV, 0, it, {2147483647, INT64_MIN, INT64_MIN, -3, -5, INT64_MIN}, 2},
        {PLAN_OP_MOD, 0, it, {0, 0, INT64_MIN, -1, 0, INT64_MIN}, 1},
        {PLAN_OP_EQ, 0, bo, {0, 0, 0, 0, 0, INT64_MIN}, 0},
        {PLAN_OP_LT, 0, bo, {0, 1, 0, 1, 0, INT64_MIN}, 0},
        {PLAN_OP_GE, 0, bo, {1, 0, 1, 0, 1, INT64_MIN}, 0},
        {PLAN_OP_EQ, 1, bo, {1, 1, 0, 1, 1, INT64_MIN}, 0},   /* NaN compares equal, as cmp_rows */
        {PLAN_OP_NE, 1, bo, {0, 0, 1, 0, 0, INT64_MIN}, 0},
        {PLAN_OP_GT, 1, bo, {0, 0, 1, 0, 0, INT64_MIN}, 0},
        {PLAN_OP_LE, 1, bo, {1, 1, 0, 1, 1, INT64_MIN}, 0},
        {PLAN_OP_DIV, 1, db, {1, 0, INT64_MIN, INT64_MIN, 1, INT64_MIN}, 2},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int c0 = cases[k].dbl ? 2 : 0;
        plan_expr *e = op2(cases[k].op, col(c0, ts[c0]), col(c0 + 1, ts[c0 + 1]), cases[k].t);
        rt_expr *x;
        ck_assert_int_eq(rt_expr_compile(e, ts, 4, NULL, &A, &x, &err), 0);
        const rt_vec *v;
        const rt_row_error *errs;
        uint32_t n_errs;
        ck_assert_int_eq(rt_expr_eval(x, b, NULL, 0, &v, &errs, &n_errs, &err), 0);
        ck_assert_msg(n_errs == cases[k].n_errs, "case %zu: %u errors", k, n_errs);
        for (uint32_t r = 0; r < 6; r++) {
            int64_t got = v->null[r] ? INT64_MIN
                          : v->phys == RT_PHYS_F64 ? (isnan(v->v.f64[r]) ? 0 : (int64_t)v->v.f64[r])
                                                   : v->v.i64[r];
            ck_assert_msg(got == cases[k].want[r], "case %zu row %u: %lld", k, r, (long long)got);
        }
        for (uint32_t i = 0; i < n_errs; i++)
            ck_assert(!strcmp(errs[i].msg, "division by zero") ||
                      !strcmp(errs[i].msg, "numeric overflow in INTEGER arithmetic"));
        rt_expr_free(x);
    }
    rt_batch_release(b);
}
END_TEST

/* MOD(a, b) of integers runs as the % operator's kernel: the same values
 * (sign of a, MOD(x, -1) = 0 even for the most negative x), NULLs, and
 * DIVISION_BY_ZERO for b = 0; MOD of DECIMALs still goes through the
 * function (MOD(7.5, 2) = 1.5). */
START_TEST(test_mod_call_of_integers) {
    const udf_func *mod = udf_find_specific(udf_registry_default(), "MOD");
    ck_assert_ptr_nonnull(mod);
    eddy_type bi = T(EDDY_T_BIGINT);
    eddy_type ts[2] = {bi, bi};
    eddy_err err;
    rt_batch *b = rt_batch_new(ts, 2, &err);
    static const int64_t xa[] = {7, -7, 7, INT64_MIN, 5, 0};
    static const int64_t xb[] = {3, 3, -3, -1, 0, 0};
    for (int i = 0; i < 6; i++) {
        uint32_t r = rt_batch_begin_row(b, 0);
        if (i < 5) {
            rt_batch_set_i64(b, 0, r, xa[i]);
            rt_batch_set_i64(b, 1, r, xb[i]);
        }
        rt_batch_commit_row(b);
    }
    plan_expr *args[2] = {col(0, bi), col(1, bi)};
    rt_expr *x;
    ck_assert_int_eq(rt_expr_compile(call_e(mod, args, 2, bi), ts, 2, NULL, &A, &x, &err), 0);
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs;
    ck_assert_int_eq(rt_expr_eval(x, b, NULL, 0, &v, &errs, &n_errs, &err), 0);
    static const int64_t want[] = {1, -1, 1, 0};
    for (int r = 0; r < 4; r++) {
        ck_assert(!v->null[r]);
        ck_assert_int_eq(v->v.i64[r], want[r]);
    }
    ck_assert(v->null[4] && v->null[5]);
    ck_assert_uint_eq(n_errs, 1);
    ck_assert_uint_eq(errs[0].row, 4);
    ck_assert_str_eq(errs[0].name, "DIVISION_BY_ZERO");
    rt_expr_free(x);
    rt_batch_release(b);

    eddy_type d = DEC(3, 1);
    plan_expr *dargs[2] = {lit_i(75, d), lit_i(2, bi)};
    ck_assert_int_eq(rt_expr_compile(call_e(mod, dargs, 2, d), in_types, 2, NULL, &A, &x, &err), 0);
    rt_batch *one = batch2((const int64_t[]){0}, NULL, NULL, 1);
    ck_assert_int_eq(rt_expr_eval(x, one, NULL, 0, &v, &errs, &n_errs, &err), 0);
    ck_assert_uint_eq(n_errs, 0);
    ck_assert_int_eq(v->v.i64[0], 15);   /* 1.5 at scale 1 */
    rt_expr_free(x);
    rt_batch_release(one);
}
END_TEST

static Suite *suite_expr(void) {
    Suite *s = suite_create("runtime_expr");
    TCase *tc = tcase_create("eval");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_integer_division_truncates_and_errors);
    tcase_add_test(tc, test_mod_call_of_integers);
    tcase_add_test(tc, test_case_guards_division);
    tcase_add_test(tc, test_three_valued_logic);
    tcase_add_test(tc, test_like_in_and_concat);
    tcase_add_test(tc, test_casts);
    tcase_add_test(tc, test_decimal_and_datetime_arithmetic);
    tcase_add_test(tc, test_constant_folding);
    tcase_add_test(tc, test_strict_call_runs);
    tcase_add_test(tc, test_cast_kernels_match_cast_value);
    tcase_add_test(tc, test_op_kernels);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_expr)
