/*
 * check_runtime_join.c — unit tests of the multi-input operators: the
 * stream-to-stream join (window bounds, rows arriving in either order,
 * equal ROWTIMEs, outer-join NULL rows, eviction), the stream-to-table join
 * (hit, miss, duplicate keys) and UNION ALL (ordering across inputs of
 * different rates), on hand-built plans; then a whole application (rt_app
 * over an in-memory store) whose pumps are trees: a join fed by two stored
 * streams, a reference table loaded at start, and a UNION ALL.
 */
#include "check_main.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "catalog.h"
#include "op.h"
#include "plan.h"
#include "rt_test_rows.h"
#include "store.h"

static const eddy_type T_BIG = {EDDY_T_BIGINT, 0, 0};
static const eddy_type T_STR = {EDDY_T_VARCHAR, 16, 0};
static const eddy_type T_BOOL = {EDDY_T_BOOLEAN, 0, 0};

/* ---------------------------------------------------------------- harness */

#define MAX_OUT 4096

typedef struct collect {
    char rows[MAX_OUT][96];
    int n;
    int n_errs;
    int64_t last_rt;
    int64_t wm;
} collect;

static collect *C;
static arena A;

static void setup(void) {
    C = calloc(1, sizeof *C);
    C->last_rt = INT64_MIN;
    C->wm = INT64_MIN;
    arena_init(&A, 65536);
}

static void teardown(void) {
    free(C);
    arena_free(&A);
}

/* Collects rows, checking ROWTIME order and that no row is older than a
 * watermark already forwarded. */
static int sink_fn(void *ctx, const rt_batch *b, eddy_err *err) {
    collect *c = ctx;
    ck_assert_int_eq(rt_batch_verify(b, err), 0);
    for (uint32_t i = 0; i < rt_batch_live(b); i++) {
        uint32_t r = rt_batch_row(b, i);
        ck_assert_int_ge(b->rowtime[r], c->last_rt);
        ck_assert_int_ge(b->rowtime[r], c->wm);
        c->last_rt = b->rowtime[r];
        if (c->n < MAX_OUT) fmt_row(b, r, c->rows[c->n], sizeof c->rows[0]);
        c->n++;
    }
    return 0;
}

static int sink_wm_fn(void *ctx, int64_t wm, eddy_err *err) {
    collect *c = ctx;
    ck_assert_int_ge(wm, c->wm);
    c->wm = wm;
    return 0;
}

static void err_fn(void *ctx, const rt_batch *b, uint32_t r, const char *name, const char *msg, const char *pump) {
    C->n_errs++;
}

static rt_error_sink ERRS = {err_fn, NULL};

static void expect_rows(const char *const *want, int n) {
    for (int i = 0; i < n && i < C->n; i++) ck_assert_str_eq(C->rows[i], want[i]);
    ck_assert_int_eq(C->n, n);
}
#define EXPECT(...)                                                  \
    do {                                                             \
        const char *const w_[] = {__VA_ARGS__};                      \
        expect_rows(w_, (int)(sizeof w_ / sizeof w_[0]));            \
    } while (0)

/* ---------------------------------------------------------------- plans */

static plan_expr *x_col(uint32_t i, eddy_type t) {
    plan_expr *e = arena_calloc(&A, sizeof *e);
    e->kind = PX_COLUMN;
    e->type = t;
    e->nullable = 1;
    e->u.col.index = i;
    return e;
}

static plan_expr *x_op(plan_op op, plan_expr *a, plan_expr *b) {
    plan_expr *e = arena_calloc(&A, sizeof *e);
    e->kind = PX_OP;
    e->type = T_BOOL;
    e->nullable = 1;
    e->u.op.op = op;
    e->u.op.n_args = 2;
    e->u.op.args[0] = a;
    e->u.op.args[1] = b;
    return e;
}

static plan_expr *x_side_rowtime(uint32_t side) {
    plan_expr *e = arena_calloc(&A, sizeof *e);
    e->kind = PX_ROWTIME;
    e->type = (eddy_type){EDDY_T_TIMESTAMP, 0, 0};
    e->u.col.index = side;
    return e;
}

/* A scan of (id BIGINT, name VARCHAR). */
static plan_node *scan(void) {
    plan_node *n = arena_calloc(&A, sizeof *n);
    n->kind = PLAN_STREAM_SCAN;
    plan_col *cols = arena_calloc(&A, sizeof *cols * 2);
    cols[0] = (plan_col){"ID", T_BIG, 1, 0, 0};
    cols[1] = (plan_col){"NAME", T_STR, 1, 0, 0};
    n->out.cols = cols;
    n->out.n_cols = 2;
    n->out.ordered = 1;
    n->u.stream_scan.stream = "S";
    return n;
}

/* Input rows: (id, name) of the left scan, then of the right. */
static const eddy_type JOIN_IN[4] = {{EDDY_T_BIGINT, 0, 0}, {EDDY_T_VARCHAR, 16, 0}, {EDDY_T_BIGINT, 0, 0},
                                     {EDDY_T_VARCHAR, 16, 0}};

/* Builds the operator of plan node n over the first n_in of JOIN_IN,
 * wired to the collecting sink. */
static rt_op *new_op(plan_node *n, const eddy_type *in, uint32_t n_in) {
    rt_op *op;
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_msg(rt_op_new(n, in, n_in, NULL, &ERRS, "P", &A, &op, &e) == 0, "%s", e.msg);
    op->sink = sink_fn;
    op->sink_wm = sink_wm_fn;
    op->sink_ctx = C;
    return op;
}

static plan_side_window W_NONE = {PLAN_SIDE_NONE, 0, 0};
static plan_side_window w_range(int64_t ms) { return (plan_side_window){PLAN_SIDE_RANGE, 0, ms}; }
static plan_side_window w_rows(int64_t n) { return (plan_side_window){PLAN_SIDE_ROWS, n, 0}; }

/* A join of two scans; cond NULL means ON l.id = r.id. */
static rt_op *join_op(plan_kind kind, plan_join_kind jk, plan_side_window lw, plan_side_window rw,
                      plan_expr *cond) {
    plan_node *n = arena_calloc(&A, sizeof *n);
    n->kind = kind;
    n->n_inputs = 2;
    n->inputs = arena_calloc(&A, sizeof(plan_node *) * 2);
    n->inputs[0] = scan();
    n->inputs[1] = scan();
    if (kind == PLAN_TABLE_JOIN) n->inputs[1]->kind = PLAN_TABLE_SCAN;
    plan_col *cols = arena_calloc(&A, sizeof *cols * 4);
    memcpy(cols, n->inputs[0]->out.cols, sizeof *cols * 2);
    memcpy(cols + 2, n->inputs[1]->out.cols, sizeof *cols * 2);
    n->out.cols = cols;
    n->out.n_cols = 4;
    n->out.rowtime = kind == PLAN_STREAM_JOIN ? PLAN_RT_JOIN_LATER : PLAN_RT_INPUT;
    n->out.ordered = 1;
    n->u.join.kind = jk;
    n->u.join.left = lw;
    n->u.join.right = rw;
    n->u.join.cond = cond ? cond : x_op(PLAN_OP_EQ, x_col(0, T_BIG), x_col(2, T_BIG));
    return new_op(n, JOIN_IN, 4);
}

/* Pushes rows "rowtime:id:name" (id "-" = NULL) into one side. */
static void push(rt_op *op, uint32_t side, const char *const *rows, int n) {
    eddy_type t[2] = {T_BIG, T_STR};
    eddy_err e;
    rt_batch *b = rt_batch_new(t, 2, &e);
    for (int i = 0; i < n; i++) {
        long long rt;
        char id[16], name[16];
        ck_assert_int_eq(sscanf(rows[i], "%lld:%15[^:]:%15s", &rt, id, name), 3);
        uint32_t r = rt_batch_begin_row(b, rt);
        if (strcmp(id, "-") != 0) rt_batch_set_i64(b, 0, r, atoll(id));
        rt_batch_set_str(b, 1, r, name, strlen(name));
        rt_batch_commit_row(b);
    }
    eddy_err_clear(&e);
    ck_assert_msg(rt_op_push_side(op, side, b, &e) == 0, "%s", e.msg);
    rt_batch_release(b);
}
#define PUSH(op, side, ...)                                          \
    do {                                                             \
        const char *const r_[] = {__VA_ARGS__};                      \
        push(op, side, r_, (int)(sizeof r_ / sizeof r_[0]));         \
    } while (0)

static void wm(rt_op *op, uint32_t side, int64_t w) {
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_msg(rt_op_watermark_side(op, side, w, &e) == 0, "%s", e.msg);
}

static void finish(rt_op *op) {
    eddy_err e;
    eddy_err_clear(&e);
    for (uint32_t s = 0; s < op->n_sides; s++) ck_assert_msg(rt_op_finish_side(op, s, &e) == 0, "%s", e.msg);
}

/* ---------------------------------------------------------------- stream joins */

/* RANGE bounds are inclusive; the side without a window joins only its
 * current row. */
START_TEST(test_join_range_bounds) {
    rt_op *op = join_op(PLAN_STREAM_JOIN, PLAN_JOIN_INNER, w_range(10000), W_NONE, NULL);
    PUSH(op, 0, "0:1:a", "1000:1:b", "2000:2:c");
    PUSH(op, 1, "10000:1:x", "11000:1:y", "11001:1:z", "12000:2:w");
    finish(op);
    EXPECT("10000|1|a|1|x", "10000|1|b|1|x", "11000|1|b|1|y", "12000|2|c|2|w");
    op->vt->end(op);
}
END_TEST

/* With windows on both sides, rows match whichever arrives first, and the
 * result does not depend on the inputs' relative pace. */
START_TEST(test_join_either_order) {
    const char *want[] = {"3000|1|a|1|x", "10000|2|b|2|y"};
    for (int pace = 0; pace < 2; pace++) {
        C->n = 0;
        C->last_rt = C->wm = INT64_MIN;
        rt_op *op = join_op(PLAN_STREAM_JOIN, PLAN_JOIN_INNER, w_range(5000), w_range(5000), NULL);
        if (pace == 0) {
            PUSH(op, 0, "0:1:a", "10000:2:b");
            wm(op, 0, 10000);
            PUSH(op, 1, "3000:1:x", "6000:2:y", "20000:3:z");
            wm(op, 1, 20000);
        } else {
            PUSH(op, 1, "3000:1:x", "6000:2:y", "20000:3:z");
            wm(op, 1, 20000);
            PUSH(op, 0, "0:1:a", "10000:2:b");
            wm(op, 0, 10001);
        }
        /* Everything up to the watermark is out before the end. */
        expect_rows(want, 2);
        finish(op);
        expect_rows(want, 2);
        op->vt->end(op);
    }
}
END_TEST

/* Equal ROWTIMEs are each other's current row; ties come out left first. */
START_TEST(test_join_equal_rowtimes) {
    rt_op *op = join_op(PLAN_STREAM_JOIN, PLAN_JOIN_INNER, W_NONE, W_NONE, NULL);
    PUSH(op, 1, "100:1:x", "101:1:y");
    PUSH(op, 0, "100:1:a", "100:1:b", "102:1:c");
    finish(op);
    EXPECT("100|1|a|1|x", "100|1|b|1|x");
    op->vt->end(op);
}
END_TEST

/* ROWS n keeps the n+1 latest rows of its side. */
START_TEST(test_join_rows_window) {
    rt_op *op = join_op(PLAN_STREAM_JOIN, PLAN_JOIN_INNER, w_rows(1), W_NONE, NULL);
    PUSH(op, 0, "0:1:a", "10:1:b", "20:1:c");
    PUSH(op, 1, "30:1:x");
    finish(op);
    EXPECT("30|1|b|1|x", "30|1|c|1|x");
    op->vt->end(op);
}
END_TEST

/* LEFT: an unmatched row comes out with NULLs when it leaves its window,
 * at its ROWTIME + the window (as soon as the watermark passes it), and a
 * matched row never does. */
START_TEST(test_join_left_outer) {
    rt_op *op = join_op(PLAN_STREAM_JOIN, PLAN_JOIN_LEFT, w_range(1000), W_NONE, NULL);
    PUSH(op, 0, "0:1:a", "0:2:b", "0:-:n");
    PUSH(op, 1, "500:2:x");
    wm(op, 0, 5000);
    wm(op, 1, 1000);
    EXPECT("500|2|b|2|x");
    wm(op, 1, 1001);
    EXPECT("500|2|b|2|x", "1000|1|a|NULL|NULL", "1000|NULL|n|NULL|NULL");
    ck_assert_uint_eq(rt_op_join_buffered(op, 0), 0);
    finish(op);
    ck_assert_int_eq(C->n, 3);
    op->vt->end(op);
}
END_TEST

/* RIGHT with no window on the right: unmatched right rows come out at
 * their own ROWTIME; FULL emits both kinds, in ROWTIME order. */
START_TEST(test_join_right_full_outer) {
    rt_op *op = join_op(PLAN_STREAM_JOIN, PLAN_JOIN_RIGHT, w_range(1000), W_NONE, NULL);
    PUSH(op, 0, "0:1:a");
    PUSH(op, 1, "500:1:x", "700:9:y", "3000:1:z");
    finish(op);
    EXPECT("500|1|a|1|x", "700|NULL|NULL|9|y", "3000|NULL|NULL|1|z");
    op->vt->end(op);

    C->n = 0;
    C->last_rt = C->wm = INT64_MIN;
    op = join_op(PLAN_STREAM_JOIN, PLAN_JOIN_FULL, w_range(1000), w_range(100), NULL);
    PUSH(op, 0, "0:1:a", "0:5:b", "2000:7:c");
    PUSH(op, 1, "50:6:x", "900:1:y", "2050:7:z");
    finish(op);
    EXPECT("150|NULL|NULL|6|x", "900|1|a|1|y", "1000|5|b|NULL|NULL", "2050|7|c|7|z");
    op->vt->end(op);
}
END_TEST

/* Old rows are evicted as time advances: memory stays bounded by the
 * window, whatever the length of the streams. */
START_TEST(test_join_eviction) {
    rt_op *op = join_op(PLAN_STREAM_JOIN, PLAN_JOIN_INNER, w_range(1000), w_range(1000), NULL);
    char rows[100][32];
    const char *rp[100];
    size_t max_buf = 0;
    for (int k = 0; k < 100; k++) {
        for (int i = 0; i < 100; i++) {
            int64_t t = (int64_t)k * 1000 + i * 10;
            snprintf(rows[i], sizeof rows[i], "%lld:%d:r", (long long)t, (int)(t % 61));
            rp[i] = rows[i];
        }
        push(op, 0, rp, 100);
        push(op, 1, rp, 100);
        wm(op, 0, (int64_t)k * 1000 + 999);
        wm(op, 1, (int64_t)k * 1000 + 999);
        size_t b = rt_op_join_buffered(op, 0) + rt_op_join_buffered(op, 1);
        if (b > max_buf) max_buf = b;
    }
    /* 1 s windows of 100 rows/s each side (+ the rows pushed at once). */
    ck_assert_uint_le(max_buf, 2 * 220);
    ck_assert_int_gt(C->n, 10000);
    finish(op);
    op->vt->end(op);
}
END_TEST

/* A condition without equality joins by scanning the window; s.ROWTIME
 * in the condition reads each side's own ROWTIME. */
START_TEST(test_join_nested_loop_side_rowtime) {
    /* ON l.id < r.id AND l.ROWTIME < r.ROWTIME */
    plan_expr *cond = x_op(PLAN_OP_AND, x_op(PLAN_OP_LT, x_col(0, T_BIG), x_col(2, T_BIG)),
                           x_op(PLAN_OP_LT, x_side_rowtime(0), x_side_rowtime(1)));
    rt_op *op = join_op(PLAN_STREAM_JOIN, PLAN_JOIN_INNER, w_range(100), w_range(100), cond);
    PUSH(op, 0, "0:1:a", "50:5:b", "60:2:c");
    PUSH(op, 1, "50:3:x", "60:9:y");
    finish(op);
    EXPECT("50|1|a|3|x", "60|1|a|9|y", "60|5|b|9|y");
    op->vt->end(op);
}
END_TEST

/* ---------------------------------------------------------------- table joins */

START_TEST(test_table_join_hit_miss) {
    for (int left = 0; left < 2; left++) {
        C->n = 0;
        C->last_rt = C->wm = INT64_MIN;
        rt_op *op = join_op(PLAN_TABLE_JOIN, left ? PLAN_JOIN_LEFT : PLAN_JOIN_INNER, W_NONE, W_NONE, NULL);
        PUSH(op, 1, "1:1:one", "2:2:two", "3:2:deux", "4:-:nokey");
        eddy_err e;
        eddy_err_clear(&e);
        ck_assert_int_eq(rt_op_finish_side(op, 1, &e), 0);
        PUSH(op, 0, "100:2:a", "200:3:b", "300:-:c", "400:1:d");
        /* Stream rows are emitted at once, keeping their ROWTIME. */
        if (left)
            EXPECT("100|2|a|2|two", "100|2|a|2|deux", "200|3|b|NULL|NULL", "300|NULL|c|NULL|NULL", "400|1|d|1|one");
        else
            EXPECT("100|2|a|2|two", "100|2|a|2|deux", "400|1|d|1|one");
        wm(op, 0, 500);
        ck_assert_int_eq(C->wm, 500);
        ck_assert_int_eq(rt_op_finish_side(op, 0, &e), 0);
        op->vt->end(op);
    }
}
END_TEST

/* Many table rows sharing few keys: every match, in table order. */
START_TEST(test_table_join_large) {
    rt_op *op = join_op(PLAN_TABLE_JOIN, PLAN_JOIN_INNER, W_NONE, W_NONE, NULL);
    char rows[1000][32];
    const char *rp[1000];
    for (int i = 0; i < 1000; i++) {
        snprintf(rows[i], sizeof rows[i], "%d:%d:t%d", i, i % 10, i);
        rp[i] = rows[i];
    }
    for (int k = 0; k < 5; k++) push(op, 1, rp, 1000);
    ck_assert_uint_eq(rt_op_join_buffered(op, 1), 5000);
    PUSH(op, 0, "7:3:s");
    ck_assert_int_eq(C->n, 500);
    ck_assert_str_eq(C->rows[0], "7|3|s|3|t3");
    ck_assert_str_eq(C->rows[1], "7|3|s|3|t13");
    finish(op);
    op->vt->end(op);
}
END_TEST

/* NOT IN as the planner writes it: ANTI on `where AND (l.id = r.id) IS NOT
 * FALSE`, here with a correlated where (r.name <> l.name). The operator
 * probes a hash index when no key is NULL; a brute-force reading of SQL's
 * three-valued NOT IN must agree on random tables with NULL keys. */
static rt_op *not_in_op_key(plan_expr *lkey) {
    plan_expr *eq = x_op(PLAN_OP_EQ, lkey, x_col(2, T_BIG));
    plan_expr *nf = x_op(PLAN_OP_IS_NOT_FALSE, eq, NULL);
    nf->u.op.n_args = 1;
    nf->nullable = 0;
    plan_expr *where = x_op(PLAN_OP_NE, x_col(3, T_STR), x_col(1, T_STR));
    plan_node *n = arena_calloc(&A, sizeof *n);
    n->kind = PLAN_TABLE_JOIN;
    n->n_inputs = 2;
    n->inputs = arena_calloc(&A, sizeof(plan_node *) * 2);
    n->inputs[0] = scan();
    n->inputs[1] = scan();
    n->inputs[1]->kind = PLAN_TABLE_SCAN;
    n->out = n->inputs[0]->out;
    n->u.join.kind = PLAN_JOIN_ANTI;
    n->u.join.cond = x_op(PLAN_OP_AND, where, nf);
    return new_op(n, JOIN_IN, 4);
}

static rt_op *not_in_op(void) { return not_in_op_key(x_col(0, T_BIG)); }

START_TEST(test_table_not_in_nulls) {
    uint64_t seed = 12345;
    for (int round = 0; round < 60; round++) {
        C->n = 0;
        C->last_rt = C->wm = INT64_MIN;
        rt_op *op = not_in_op();
        int nt = (int)(seed % 40), ns = 200;
        int t_id[40], t_null[40], t_name[40];
        char rows[200][32];
        const char *rp[200];
        for (int i = 0; i < nt; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            t_id[i] = (int)((seed >> 33) % 30);
            /* Most rounds have no NULL key; some have one or several. */
            t_null[i] = round % 3 == 0 && (seed >> 20) % 7 == 0;
            t_name[i] = (int)((seed >> 40) % 2);
            if (t_null[i]) snprintf(rows[i], sizeof rows[i], "%d:-:%c", i, "ab"[t_name[i]]);
            else snprintf(rows[i], sizeof rows[i], "%d:%d:%c", i, t_id[i], "ab"[t_name[i]]);
            rp[i] = rows[i];
        }
        if (nt) push(op, 1, rp, nt);
        eddy_err e;
        eddy_err_clear(&e);
        ck_assert_int_eq(rt_op_finish_side(op, 1, &e), 0);
        char want[200][48];
        int n_want = 0;
        for (int j = 0; j < ns; j++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            int x = (int)((seed >> 33) % 30), xnull = (seed >> 25) % 11 == 0, name = (int)((seed >> 45) % 2);
            if (xnull) snprintf(rows[j], sizeof rows[j], "%d:-:%c", 1000 + j, "ab"[name]);
            else snprintf(rows[j], sizeof rows[j], "%d:%d:%c", 1000 + j, x, "ab"[name]);
            rp[j] = rows[j];
            int dropped = 0;
            for (int i = 0; i < nt && !dropped; i++)
                if (t_name[i] != name && (xnull || t_null[i] || t_id[i] == x)) dropped = 1;
            if (dropped) continue;
            if (xnull) snprintf(want[n_want++], sizeof want[0], "%d|NULL|%c", 1000 + j, "ab"[name]);
            else snprintf(want[n_want++], sizeof want[0], "%d|%d|%c", 1000 + j, x, "ab"[name]);
        }
        push(op, 0, rp, ns);
        ck_assert_int_eq(rt_op_finish_side(op, 0, &e), 0);
        ck_assert_int_eq(C->n, n_want);
        for (int k = 0; k < n_want; k++) ck_assert_str_eq(C->rows[k], want[k]);
        op->vt->end(op);
    }
}
END_TEST

/* NOT IN whose value fails for a row (l.id / l.id at id 0): the row goes to
 * error_stream once and no further; a NULL value still meets the table. */
START_TEST(test_table_not_in_key_error) {
    plan_expr *div = x_op(PLAN_OP_DIV, x_col(0, T_BIG), x_col(0, T_BIG));
    div->type = T_BIG;
    rt_op *op = not_in_op_key(div);
    PUSH(op, 1, "1:5:a");
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_int_eq(rt_op_finish_side(op, 1, &e), 0);
    /* 0: fails; 3: 1 NOT IN (5) with a different name; -: NULL, dropped. */
    PUSH(op, 0, "10:0:b", "20:3:b", "30:-:b");
    EXPECT("20|3|b");
    ck_assert_int_eq(C->n_errs, 1);
    ck_assert_int_eq(rt_op_finish_side(op, 0, &e), 0);
    op->vt->end(op);
}
END_TEST

/* ---------------------------------------------------------------- union */

static rt_op *union_op(uint32_t n_in) {
    plan_node *n = arena_calloc(&A, sizeof *n);
    n->kind = PLAN_UNION;
    n->n_inputs = n_in;
    n->inputs = arena_calloc(&A, sizeof(plan_node *) * n_in);
    for (uint32_t i = 0; i < n_in; i++) n->inputs[i] = scan();
    n->out = n->inputs[0]->out;
    return new_op(n, JOIN_IN, 2);
}

START_TEST(test_union_order) {
    rt_op *op = union_op(3);
    PUSH(op, 0, "10:1:a", "20:2:a", "30:3:a", "40:4:a");
    PUSH(op, 1, "15:1:b");
    ck_assert_int_eq(C->n, 0);   /* input 2 may still send earlier rows */
    PUSH(op, 2, "5:1:c", "20:2:c");
    wm(op, 0, 40);
    wm(op, 1, 15);
    wm(op, 2, 20);
    EXPECT("5|1|c", "10|1|a", "15|1|b");
    wm(op, 1, 100);
    EXPECT("5|1|c", "10|1|a", "15|1|b", "20|2|a", "20|2|c");
    ck_assert_int_eq(C->wm, 20);
    finish(op);
    EXPECT("5|1|c", "10|1|a", "15|1|b", "20|2|a", "20|2|c", "30|3|a", "40|4|a");
    op->vt->end(op);
}
END_TEST

/* A fast input and a slow one: rows come out merged, none lost. */
START_TEST(test_union_rates) {
    rt_op *op = union_op(2);
    char rows[500][32];
    const char *rp[500];
    int64_t slow = 0;
    for (int k = 0; k < 20; k++) {
        for (int i = 0; i < 500; i++) {
            snprintf(rows[i], sizeof rows[i], "%d:%d:f", k * 1000 + i * 2, i);
            rp[i] = rows[i];
        }
        push(op, 0, rp, 500);
        wm(op, 0, (int64_t)k * 1000 + 998);
        if (k % 3 == 2) {
            for (int i = 0; i < 30; i++) {
                snprintf(rows[i], sizeof rows[i], "%lld:%d:s", (long long)(slow + i * 100), i);
                rp[i] = rows[i];
            }
            push(op, 1, rp, 30);
            slow += 3000;
            wm(op, 1, slow);
        }
    }
    finish(op);
    ck_assert_int_eq(C->n, 20 * 500 + 6 * 30);
    op->vt->end(op);
}
END_TEST

/* ---------------------------------------------------------------- application */

static plan_node *node(plan_kind k, uint32_t n_in, const plan_node *like) {
    plan_node *n = arena_calloc(&A, sizeof *n);
    n->kind = k;
    n->n_inputs = n_in;
    if (n_in) n->inputs = arena_calloc(&A, sizeof(plan_node *) * n_in);
    if (like) n->out = like->out;
    return n;
}

static void add_stream(catalog *cat, const char *name, cat_stream_kind kind, const char *stored) {
    static const char *paths[2] = {"$.id", "$.name"};
    plan_col cols[2] = {{"ID", T_BIG, 1, 0, 0}, {"NAME", T_STR, 1, 0, 0}};
    cat_stream s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.name = name;
    s.cols = cols;
    s.n_cols = 2;
    s.source.stream = stored;
    s.source.format = PLAN_FMT_JSON;
    s.source.start = PLAN_START_TRIM_HORIZON;
    s.source.row_path = "$";
    s.source.paths = stored ? paths : NULL;
    eddy_err e;
    ck_assert_msg(catalog_add_stream(cat, &s, 0, &e) == 0, "%s", e.msg);
}

static void put(store *st, const char *stream, const char *const *recs, int n) {
    for (int i = 0; i < n; i++) {
        long long t;
        const char *json = strchr(recs[i], ' ') + 1;
        sscanf(recs[i], "%lld", &t);
        store_put_entry pe = {json, strlen(json), "k", 1, NULL, NULL, t};
        store_put_result res;
        size_t failed = 0;
        eddy_err e;
        ck_assert_msg(store_put_records(st, stream, &pe, 1, &res, &failed, &e) == 0, "%s", e.msg);
        ck_assert_int_eq(failed, 0);
    }
}

/* Pumps that are trees: J = A LEFT JOIN B OVER (RANGE 1 s) ON id, then
 * T = J's left columns LEFT JOIN reference table R, and U = A UNION ALL B. */
START_TEST(test_app_trees) {
    store_opts so;
    store_opts_init(&so);
    so.data_dir = NULL;
    store *st;
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_msg(store_open(&so, &st, &e) == 0, "%s", e.msg);
    const char *names[] = {"a", "b", "r"};
    for (int i = 0; i < 3; i++) ck_assert_int_eq(store_stream_create(st, names[i], 2, &e), 0);
    const char *ra[] = {"1000 {\"id\":1,\"name\":\"a1\"}", "2000 {\"id\":2,\"name\":\"a2\"}",
                        "9000 {\"id\":3,\"name\":\"a3\"}"};
    const char *rb[] = {"1500 {\"id\":1,\"name\":\"b1\"}", "2000 {\"id\":2,\"name\":\"b2\"}",
                        "5000 {\"id\":2,\"name\":\"b2late\"}"};
    const char *rr[] = {"1 {\"id\":1,\"name\":\"one\"}", "2 {\"id\":2,\"name\":\"two\"}", "3 not json"};
    put(st, "a", ra, 3);
    put(st, "b", rb, 3);
    put(st, "r", rr, 3);

    catalog *cat = catalog_new();
    add_stream(cat, "A", CAT_STREAM, "a");
    add_stream(cat, "B", CAT_STREAM, "b");
    add_stream(cat, "R", CAT_TABLE, "r");
    add_stream(cat, "U", CAT_STREAM, NULL);
    add_stream(cat, "T", CAT_STREAM, NULL);

    /* P1: INSERT INTO U SELECT * FROM A UNION ALL SELECT * FROM B */
    plan_node *sa = scan(), *sb = scan();
    sa->u.stream_scan.stream = "A";
    sb->u.stream_scan.stream = "B";
    plan_node *un = node(PLAN_UNION, 2, sa);
    un->inputs[0] = sa;
    un->inputs[1] = sb;
    plan_node *p1 = node(PLAN_PUMP, 1, sa);
    p1->inputs[0] = un;
    p1->u.pump.name = "P1";
    p1->u.pump.target = "U";

    /* P2: INSERT INTO T SELECT a.id, r.name FROM A LEFT JOIN B OVER
     * (RANGE 1 s) ON a.id = b.id LEFT JOIN R ON b.id = r.id. */
    plan_node *sa2 = scan(), *sb2 = scan();
    sa2->u.stream_scan.stream = "A";
    sb2->u.stream_scan.stream = "B";
    plan_node *j1 = node(PLAN_STREAM_JOIN, 2, NULL);
    j1->inputs[0] = sa2;
    j1->inputs[1] = sb2;
    plan_col *c4 = arena_calloc(&A, sizeof *c4 * 6);
    c4[0] = (plan_col){"ID", T_BIG, 1, 0, 0};
    c4[1] = (plan_col){"NAME", T_STR, 1, 0, 0};
    c4[2] = c4[0], c4[3] = c4[1], c4[4] = c4[0], c4[5] = c4[1];
    j1->out.cols = c4;
    j1->out.n_cols = 4;
    j1->u.join.kind = PLAN_JOIN_LEFT;
    j1->u.join.left = W_NONE;
    j1->u.join.right = w_range(1000);
    j1->u.join.cond = x_op(PLAN_OP_EQ, x_col(0, T_BIG), x_col(2, T_BIG));
    plan_node *tr = scan();
    tr->kind = PLAN_TABLE_SCAN;
    tr->u.table_scan.table = "R";
    plan_node *j2 = node(PLAN_TABLE_JOIN, 2, NULL);
    j2->inputs[0] = j1;
    j2->inputs[1] = tr;
    j2->out.cols = c4;
    j2->out.n_cols = 6;
    j2->u.join.kind = PLAN_JOIN_LEFT;
    j2->u.join.cond = x_op(PLAN_OP_EQ, x_col(2, T_BIG), x_col(4, T_BIG));
    j2->u.join.table = "R";
    plan_node *pj = node(PLAN_PROJECT, 1, sa);
    pj->inputs[0] = j2;
    pj->u.project.exprs = arena_calloc(&A, sizeof(plan_expr *) * 2);
    pj->u.project.exprs[0] = x_col(0, T_BIG);
    pj->u.project.exprs[1] = x_col(5, T_STR);
    plan_node *p2 = node(PLAN_PUMP, 1, sa);
    p2->inputs[0] = pj;
    p2->u.pump.name = "P2";
    p2->u.pump.target = "T";

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    rt_app_opts o;
    rt_app_opts_init(&o);
    o.store = st;
    o.drain = 1;
    const char *print[] = {"U", "T"};
    o.print = print;
    o.n_print = 2;
    o.out = out;
    FILE *errs = tmpfile();
    o.err_out = errs;
    o.idle_timeout_ms = 50;
    plan_node *pumps[] = {p1, p2};
    rt_app *app;
    ck_assert_msg(rt_app_new(&o, cat, pumps, 2, &app, &e) == 0, "%s", e.msg);
    ck_assert_msg(rt_app_run(app, NULL, &e) == 0, "%s", e.msg);
    rt_app_stats stats;
    rt_app_get_stats(app, &stats);
    ck_assert_uint_eq(stats.errors, 1);   /* the reference record that is not JSON */
    rt_app_free(app);
    fclose(out);
    fclose(errs);
    /* U: both inputs merged in ROWTIME order. */
    const char *u = "{\"ROWTIME\":\"1970-01-01 00:00:01.000\",\"ID\":1,\"NAME\":\"a1\"}\n"
                    "{\"ROWTIME\":\"1970-01-01 00:00:01.500\",\"ID\":1,\"NAME\":\"b1\"}\n"
                    "{\"ROWTIME\":\"1970-01-01 00:00:02.000\",\"ID\":2,\"NAME\":\"a2\"}\n"
                    "{\"ROWTIME\":\"1970-01-01 00:00:02.000\",\"ID\":2,\"NAME\":\"b2\"}\n"
                    "{\"ROWTIME\":\"1970-01-01 00:00:05.000\",\"ID\":2,\"NAME\":\"b2late\"}\n"
                    "{\"ROWTIME\":\"1970-01-01 00:00:09.000\",\"ID\":3,\"NAME\":\"a3\"}\n";
    /* T: A has no window, so a1 (1 s) cannot match b1 (1.5 s): it comes
     * out with NULLs, and so finds no name; a2 meets b2 at the same instant
     * and b2's id finds "two"; a3 matches nothing. */
    const char *t = "{\"ROWTIME\":\"1970-01-01 00:00:01.000\",\"ID\":1,\"NAME\":null}\n"
                    "{\"ROWTIME\":\"1970-01-01 00:00:02.000\",\"ID\":2,\"NAME\":\"two\"}\n"
                    "{\"ROWTIME\":\"1970-01-01 00:00:09.000\",\"ID\":3,\"NAME\":null}\n";
    char *got_u = calloc(1, len + 1), *got_t = calloc(1, len + 1);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char *dst = strstr(line, "\"a") || strstr(line, "\"b") ? got_u : got_t;
        strcat(dst, line);
        strcat(dst, "\n");
    }
    ck_assert_str_eq(got_u, u);
    ck_assert_str_eq(got_t, t);
    free(got_u);
    free(got_t);
    free(buf);
    catalog_free(cat);
    store_close(st);
}
END_TEST

/* A reference table whose stored stream does not exist is an error. */
START_TEST(test_app_missing_reference) {
    store_opts so;
    store_opts_init(&so);
    so.data_dir = NULL;
    store *st;
    eddy_err e;
    eddy_err_clear(&e);
    ck_assert_int_eq(store_open(&so, &st, &e), 0);
    ck_assert_int_eq(store_stream_create(st, "a", 1, &e), 0);
    catalog *cat = catalog_new();
    add_stream(cat, "A", CAT_STREAM, "a");
    add_stream(cat, "R", CAT_TABLE, "nosuch");
    add_stream(cat, "T", CAT_STREAM, NULL);
    plan_node *sa = scan();
    sa->u.stream_scan.stream = "A";
    plan_node *tr = scan();
    tr->kind = PLAN_TABLE_SCAN;
    tr->u.table_scan.table = "R";
    plan_node *j = node(PLAN_TABLE_JOIN, 2, NULL);
    j->inputs[0] = sa;
    j->inputs[1] = tr;
    plan_col *c4 = arena_calloc(&A, sizeof *c4 * 4);
    c4[0] = (plan_col){"ID", T_BIG, 1, 0, 0};
    c4[1] = (plan_col){"NAME", T_STR, 1, 0, 0};
    c4[2] = c4[0], c4[3] = c4[1];
    j->out.cols = c4;
    j->out.n_cols = 4;
    j->u.join.kind = PLAN_JOIN_INNER;
    j->u.join.cond = x_op(PLAN_OP_EQ, x_col(0, T_BIG), x_col(2, T_BIG));
    plan_node *pj = node(PLAN_PROJECT, 1, sa);
    pj->inputs[0] = j;
    pj->u.project.exprs = arena_calloc(&A, sizeof(plan_expr *) * 2);
    pj->u.project.exprs[0] = x_col(0, T_BIG);
    pj->u.project.exprs[1] = x_col(3, T_STR);
    plan_node *p = node(PLAN_PUMP, 1, sa);
    p->inputs[0] = pj;
    p->u.pump.name = "P";
    p->u.pump.target = "T";
    rt_app_opts o;
    rt_app_opts_init(&o);
    o.store = st;
    o.drain = 1;
    FILE *devnull = fopen("/dev/null", "w");
    o.out = devnull;
    o.err_out = devnull;
    plan_node *pumps[] = {p};
    rt_app *app;
    ck_assert_msg(rt_app_new(&o, cat, pumps, 1, &app, &e) == 0, "%s", e.msg);
    eddy_err_clear(&e);
    ck_assert_int_ne(rt_app_run(app, NULL, &e), 0);
    ck_assert_ptr_nonnull(strstr(e.msg, "nosuch"));
    rt_app_free(app);
    fclose(devnull);
    catalog_free(cat);
    store_close(st);
}
END_TEST

static Suite *join_suite(void) {
    Suite *s = suite_create("stream_join");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_join_range_bounds);
    tcase_add_test(tc, test_join_either_order);
    tcase_add_test(tc, test_join_equal_rowtimes);
    tcase_add_test(tc, test_join_rows_window);
    tcase_add_test(tc, test_join_left_outer);
    tcase_add_test(tc, test_join_right_full_outer);
    tcase_add_test(tc, test_join_eviction);
    tcase_add_test(tc, test_join_nested_loop_side_rowtime);
    suite_add_tcase(s, tc);
    return s;
}

static Suite *table_union_suite(void) {
    Suite *s = suite_create("table_join_union");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_table_join_hit_miss);
    tcase_add_test(tc, test_table_join_large);
    tcase_add_test(tc, test_table_not_in_nulls);
    tcase_add_test(tc, test_table_not_in_key_error);
    tcase_add_test(tc, test_union_order);
    tcase_add_test(tc, test_union_rates);
    suite_add_tcase(s, tc);
    return s;
}

static Suite *app_suite(void) {
    Suite *s = suite_create("app_trees");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_app_trees);
    tcase_add_test(tc, test_app_missing_reference);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(join_suite, table_union_suite, app_suite)
