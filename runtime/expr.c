/*
 * expr.c — compiles plan expressions into a flat step array and evaluates
 * it a batch at a time (see expr.h).
 *
 * Registers are vectors of RT_BATCH_CAP values indexed by batch row index;
 * selections are ascending lists of row indices. Every step runs over one
 * selection. CASE and AND/OR split selections so that branches run only where
 * they are needed (and so raise errors only where SQL would).
 */
#include "expr.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy_time.h"
#include "sbuf.h"

typedef enum {
    S_COL,        /* out = column a of the batch */
    S_ROWTIME,    /* out = ROWTIME */
    S_CONST,      /* out = lit */
    S_OP,         /* out = op(a[, b]) */
    S_SPLIT,      /* sel_t = rows of sel where a is TRUE (mode 0) / not FALSE (1) / not TRUE (2);
                     sel_f = the rest */
    S_AND,        /* out = a AND b; b valid only on rows where a is not FALSE */
    S_OR,         /* out = a OR b; b valid only on rows where a is not TRUE */
    S_CAST,       /* out = CAST(a AS type) */
    S_CALL,       /* out = fn(args...) */
    S_MERGE,      /* out = args[i] on the rows of sels[i] (CASE) */
    S_NULL,       /* out = NULL */
    S_LIKE,       /* out = a LIKE b [ESCAPE c] / SIMILAR TO */
    S_IN          /* out = a IN (args...) */
} step_kind;

/* Specialised per-row kernels chosen at compile time for the common operand
 * types; K_GENERIC runs the general code. Each kernel gives exactly the
 * values and row errors of the general code. */
typedef enum {
    K_GENERIC,
    K_CMP_I64,     /* S_OP comparison of two I64 operands of one scale */
    K_CMP_F64,     /* S_OP comparison of two F64 operands */
    K_ARITH_INT,   /* S_OP + - * / % on integer types only */
    K_ARITH_F64,   /* S_OP + - * / % on two F64 operands, F64 result */
    K_CAST_INT,    /* S_CAST integer -> integer (range [lo, hi]) */
    K_CAST_EXACT_F64, /* S_CAST integer or DECIMAL -> REAL/DOUBLE (divisor dv) */
    K_CAST_F64_F64,   /* S_CAST REAL/DOUBLE -> REAL/DOUBLE */
    K_CAST_F64_INT    /* S_CAST REAL/DOUBLE -> integer (range [lo, hi]) */
} kernel;

typedef struct step {
    step_kind kind;
    kernel kern;            /* K_GENERIC unless a fast kernel applies */
    plan_op op;             /* S_OP: the operator (MOD(a, b) of integers is PLAN_OP_MOD) */
    int out, a, b, c;       /* value registers (-1 = none) */
    int sel;                /* selection it runs over */
    int sel_t, sel_f, mode; /* S_SPLIT */
    const plan_expr *px;    /* source node */
    eddy_type type;         /* result type */
    eddy_type ta, tb;       /* operand types */
    int *args, *sels;       /* S_CALL / S_IN / S_MERGE */
    uint32_t n_args;
    eddy_value lit;         /* S_CONST */
    regex_t *re;            /* SIMILAR TO with a constant pattern */
    int64_t lo, hi;         /* kernels: result range */
    double dv;              /* K_CAST_EXACT_F64: 10^scale of the operand */
} step;

typedef struct reg {
    eddy_type type;
    rt_vec vec;
} reg;

typedef struct selreg {
    uint16_t *rows;
    uint32_t n;
} selreg;

struct rt_expr {
    step *steps;
    uint32_t n_steps, cap_steps;
    reg *regs;
    uint32_t n_regs, cap_regs;
    selreg *sels;
    uint32_t n_sels, cap_sels;
    int result;                 /* register of the result */
    const eddy_type *in_types;
    uint32_t n_in;
    rt_expr_env env;
    arena *a;                   /* compile arena */
    arena scratch;              /* per-evaluation strings and messages */
    uint8_t *row_err;           /* row has an error already */
    rt_row_error *errs;
    uint32_t n_errs;
    eddy_value *argv_buf;       /* S_CALL argument staging */
    size_t argv_cap;
    regex_t **regexes;          /* to free */
    uint32_t n_regexes, cap_regexes;
    int allocated;
    int no_fold;                /* 1: a constant-folding helper program */
};

/* ---------------------------------------------------------------- compile */

static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem) {
    if (need <= *cap) return 0;
    uint32_t nc = *cap ? *cap * 2 : 16;
    while (nc < need) nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np) return EDDY_E_NOMEM;
    memset((char *)np + *cap * elem, 0, (nc - *cap) * elem);
    *p = np;
    *cap = nc;
    return 0;
}

static int new_reg(rt_expr *x, eddy_type t) {
    if (grow((void **)&x->regs, &x->cap_regs, x->n_regs + 1, sizeof(reg))) return -1;
    x->regs[x->n_regs].type = t;
    return (int)x->n_regs++;
}

static int new_sel(rt_expr *x) {
    if (grow((void **)&x->sels, &x->cap_sels, x->n_sels + 1, sizeof(selreg))) return -1;
    return (int)x->n_sels++;
}

static step *new_step(rt_expr *x, step_kind k, int sel) {
    if (grow((void **)&x->steps, &x->cap_steps, x->n_steps + 1, sizeof(step))) return NULL;
    step *s = &x->steps[x->n_steps++];
    memset(s, 0, sizeof *s);
    s->kind = k;
    s->out = s->a = s->b = s->c = -1;
    s->sel = sel;
    return s;
}

static int comp(rt_expr *x, const plan_expr *e, int sel, eddy_err *err);
static int scale_of(eddy_type t);

#define NEED(cond)                                                                   \
    do {                                                                             \
        if (!(cond)) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory"), -1;    \
    } while (0)

static int comp_regex(rt_expr *x, step *s, const plan_expr *pat, eddy_err *err) {
    /* SIMILAR TO: translate SQL regex (% _ | * + ? () [] {}) into POSIX ERE,
     * anchored, when the pattern is a constant. */
    if (pat->kind != PX_LITERAL || pat->u.lit.is_null) return 0;
    sbuf b;
    sbuf_init(&b);
    sbuf_putc(&b, '^');
    sbuf_putc(&b, '(');
    for (uint32_t i = 0; i < pat->u.lit.u.s.n; i++) {
        char c = pat->u.lit.u.s.p[i];
        if (c == '%') sbuf_puts(&b, ".*");
        else if (c == '_') sbuf_putc(&b, '.');
        else if (c == '.' || c == '^' || c == '$' || c == '\\') {
            sbuf_putc(&b, '\\');
            sbuf_putc(&b, c);
        } else sbuf_putc(&b, c);
    }
    sbuf_puts(&b, ")$");
    regex_t *re = arena_alloc(x->a, sizeof *re);
    if (!re || b.failed) {
        sbuf_free(&b);
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return -1;
    }
    int rc = regcomp(re, b.data, REG_EXTENDED | REG_NOSUB);
    sbuf_free(&b);
    if (rc != 0) {
        eddy_err_set_at(err, EDDY_E_SEMANTIC, pat->off, pat->len, "invalid SIMILAR TO pattern");
        return -1;
    }
    if (grow((void **)&x->regexes, &x->cap_regexes, x->n_regexes + 1, sizeof(regex_t *))) {
        regfree(re);
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return -1;
    }
    x->regexes[x->n_regexes++] = re;
    s->re = re;
    return 0;
}

/* Whether e reads no column or ROWTIME and calls only deterministic
 * functions, so that its value is the same for every row. */
static int is_const_expr(const plan_expr *e) {
    switch (e->kind) {
    case PX_LITERAL: return 1;
    case PX_COLUMN:
    case PX_ROWTIME: return 0;
    case PX_OP:
        for (uint32_t i = 0; i < e->u.op.n_args; i++)
            if (!is_const_expr(e->u.op.args[i])) return 0;
        return 1;
    case PX_CAST: return is_const_expr(e->u.cast.arg);
    case PX_CALL: {
        const udf_func *fn = e->u.call.call.fn;
        if (!fn || !fn->eval || !(fn->flags & UDF_F_DETERMINISTIC) ||
            (fn->flags & (UDF_F_PER_QUERY | UDF_F_ROW_RESULT)))
            return 0;
        for (uint32_t i = 0; i < e->u.call.n_args; i++)
            if (!is_const_expr(e->u.call.args[i])) return 0;
        return 1;
    }
    case PX_CASE:
        for (uint32_t i = 0; i < e->u.case_.n_whens; i++)
            if (!is_const_expr(e->u.case_.whens[i]) || !is_const_expr(e->u.case_.thens[i])) return 0;
        return !e->u.case_.else_ || is_const_expr(e->u.case_.else_);
    case PX_LIKE:
        return is_const_expr(e->u.like.arg) && is_const_expr(e->u.like.pattern) &&
               (!e->u.like.escape || is_const_expr(e->u.like.escape));
    case PX_IN_LIST:
        if (!is_const_expr(e->u.in.arg)) return 0;
        for (uint32_t i = 0; i < e->u.in.n_list; i++)
            if (!is_const_expr(e->u.in.list[i])) return 0;
        return 1;
    }
    return 0;
}

static int compile_prog(const plan_expr *e, const eddy_type *in_types, uint32_t n_in,
                        const rt_expr_env *env, arena *a, int no_fold, rt_expr **out,
                        eddy_err *err);

/* Constant folding: evaluates the constant expression e once, now, with a
 * helper program over one row, and emits an S_CONST of its value. Returns the
 * register, -1 on failure (out of memory, err set), or -2 when e is left to
 * the normal compilation: its evaluation raised a row error (which then
 * happens per row, as without folding) or compiling it failed (the normal
 * compilation reports the same error). */
static int comp_fold(rt_expr *x, const plan_expr *e, int sel, eddy_err *err) {
    rt_expr *t = NULL;
    eddy_err terr;
    eddy_err_clear(&terr);
    if (compile_prog(e, x->in_types, x->n_in, &x->env, x->a, 1, &t, &terr) != 0) {
        if (terr.code != EDDY_E_NOMEM) return -2;
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return -1;
    }
    static const uint16_t row0 = 0;
    const rt_vec *v;
    const rt_row_error *errs;
    uint32_t n_errs = 0;
    eddy_value val = {0};
    int rc = rt_expr_eval(t, NULL, &row0, 1, &v, &errs, &n_errs, &terr);
    int folded = rc == 0 && n_errs == 0;
    if (folded) {
        rt_vec_get(v, 0, &val);
        if (!val.is_null && v->phys == RT_PHYS_STR) {
            /* The value lives in the helper's scratch arena: keep a copy. */
            char *c = arena_alloc(x->a, (size_t)val.u.s.n + 1);
            if (c) {
                if (val.u.s.n) memcpy(c, val.u.s.p, val.u.s.n);
                c[val.u.s.n] = '\0';
            }
            val.u.s.p = c;
            if (!c) rc = EDDY_E_NOMEM;
        }
    }
    rt_expr_free(t);
    if (rc == EDDY_E_NOMEM) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return -1;
    }
    if (!folded) return -2;
    int out = new_reg(x, e->type);
    step *s;
    NEED(out >= 0 && (s = new_step(x, S_CONST, sel)));
    s->out = out;
    s->lit = val;
    s->lit.type = e->type.id;
    s->type = e->type;
    return out;
}

static int is_int_type(eddy_type_id id) {
    return id == EDDY_T_TINYINT || id == EDDY_T_SMALLINT || id == EDDY_T_INTEGER || id == EDDY_T_BIGINT;
}

static int is_float_type(eddy_type_id id) { return id == EDDY_T_REAL || id == EDDY_T_DOUBLE; }

/* Picks the kernel of an S_OP step whose fields are set. */
static void choose_op_kernel(step *s) {
    plan_op op = s->op;
    if (s->b < 0) return;
    eddy_type_id a = s->ta.id, b = s->tb.id, t = s->type.id;
    rt_phys pa = rt_phys_of(a), pb = rt_phys_of(b);
    if (op >= PLAN_OP_EQ && op <= PLAN_OP_GE) {
        /* Exactly the cases where cmp_rows compares the raw values. */
        if (pa == RT_PHYS_I64 && pb == RT_PHYS_I64 && scale_of(s->ta) == scale_of(s->tb))
            s->kern = K_CMP_I64;
        else if (pa == RT_PHYS_F64 && pb == RT_PHYS_F64)
            s->kern = K_CMP_F64;
        return;
    }
    if (op < PLAN_OP_ADD || op > PLAN_OP_MOD) return;
    if (is_int_type(a) && is_int_type(b) && is_int_type(t)) {
        s->kern = K_ARITH_INT;
        eddy_int_range(t, &s->lo, &s->hi);
    } else if (is_float_type(a) && is_float_type(b) && is_float_type(t)) {
        s->kern = K_ARITH_F64;
    }
}

/* Picks the kernel of an S_CAST step whose fields are set. */
static void choose_cast_kernel(step *s) {
    eddy_type_id f = s->ta.id, t = s->type.id;
    if (is_int_type(f) && is_int_type(t)) {
        s->kern = K_CAST_INT;
        eddy_int_range(t, &s->lo, &s->hi);
    } else if ((is_int_type(f) || f == EDDY_T_DECIMAL) && is_float_type(t)) {
        s->kern = K_CAST_EXACT_F64;
        s->dv = (double)eddy_pow10(scale_of(s->ta));
    } else if (is_float_type(f) && is_float_type(t)) {
        s->kern = K_CAST_F64_F64;
    } else if (is_float_type(f) && is_int_type(t)) {
        s->kern = K_CAST_F64_INT;
        eddy_int_range(t, &s->lo, &s->hi);
    }
}

/* An S_OP step of operator op over l and r (r NULL: unary), for node e. */
static int comp_op(rt_expr *x, const plan_expr *e, plan_op op, const plan_expr *l, const plan_expr *r, int sel,
                   eddy_err *err) {
    int a = comp(x, l, sel, err);
    if (a < 0) return -1;
    int b = r ? comp(x, r, sel, err) : -1;
    if (r && b < 0) return -1;
    int out = new_reg(x, e->type);
    step *s;
    NEED(out >= 0 && (s = new_step(x, S_OP, sel)));
    s->out = out;
    s->a = a;
    s->b = b;
    s->px = e;
    s->op = op;
    s->type = e->type;
    s->ta = l->type;
    if (r) s->tb = r->type;
    choose_op_kernel(s);
    return out;
}

static int comp(rt_expr *x, const plan_expr *e, int sel, eddy_err *err) {
    step *s;
    int out;
    if (!x->no_fold && e->kind != PX_LITERAL && is_const_expr(e)) {
        out = comp_fold(x, e, sel, err);
        if (out != -2) return out;
    }
    switch (e->kind) {
    case PX_LITERAL:
        out = new_reg(x, e->type);
        NEED(out >= 0 && (s = new_step(x, S_CONST, sel)));
        s->out = out;
        s->lit = e->u.lit;
        s->type = e->type;
        return out;
    case PX_COLUMN:
        if (e->u.col.index >= x->n_in) {
            eddy_err_set(err, EDDY_E_INTERNAL, "column index %u out of range", e->u.col.index);
            return -1;
        }
        out = new_reg(x, x->in_types[e->u.col.index]);
        NEED(out >= 0 && (s = new_step(x, S_COL, sel)));
        s->out = out;
        s->a = (int)e->u.col.index;
        s->type = x->in_types[e->u.col.index];
        return out;
    case PX_ROWTIME:
        out = new_reg(x, (eddy_type){EDDY_T_TIMESTAMP, 0, 0});
        NEED(out >= 0 && (s = new_step(x, S_ROWTIME, sel)));
        s->out = out;
        s->type = (eddy_type){EDDY_T_TIMESTAMP, 0, 0};
        return out;
    case PX_OP: {
        plan_op op = e->u.op.op;
        if (op == PLAN_OP_AND || op == PLAN_OP_OR) {
            int l = comp(x, e->u.op.args[0], sel, err);
            if (l < 0) return -1;
            int st = new_sel(x), sf = new_sel(x);
            NEED(st >= 0 && sf >= 0 && (s = new_step(x, S_SPLIT, sel)));
            s->a = l;
            s->sel_t = st;
            s->sel_f = sf;
            s->mode = op == PLAN_OP_AND ? 1 : 2;
            int r = comp(x, e->u.op.args[1], st, err);
            if (r < 0) return -1;
            out = new_reg(x, e->type);
            NEED(out >= 0 && (s = new_step(x, op == PLAN_OP_AND ? S_AND : S_OR, sel)));
            s->out = out;
            s->a = l;
            s->b = r;
            s->type = e->type;
            return out;
        }
        return comp_op(x, e, op, e->u.op.args[0], e->u.op.n_args > 1 ? e->u.op.args[1] : NULL, sel, err);
    }
    case PX_CAST: {
        int a = comp(x, e->u.cast.arg, sel, err);
        if (a < 0) return -1;
        out = new_reg(x, e->type);
        NEED(out >= 0 && (s = new_step(x, S_CAST, sel)));
        s->out = out;
        s->a = a;
        s->type = e->type;
        s->ta = e->u.cast.arg->type;
        choose_cast_kernel(s);
        return out;
    }
    case PX_CALL: {
        const udf_func *fn = e->u.call.call.fn;
        if (!fn || !fn->eval) {
            eddy_err_set_at(err, EDDY_E_UNSUPPORTED, e->off, e->len,
                            "function %s is not implemented yet", fn ? fn->name : "?");
            return -1;
        }
        /* MOD of two integers is the % operator (the same value, with the
         * operator's DIVISION_BY_ZERO for b = 0): its kernel runs a tight
         * loop where the function call boxes every argument. */
        if (e->u.call.n_args == 2 && !strcmp(fn->name, "MOD") && is_int_type(e->u.call.args[0]->type.id) &&
            is_int_type(e->u.call.args[1]->type.id) && is_int_type(e->type.id))
            return comp_op(x, e, PLAN_OP_MOD, e->u.call.args[0], e->u.call.args[1], sel, err);
        int *args = arena_alloc(x->a, sizeof(int) * (e->u.call.n_args + 1));
        NEED(args);
        for (uint32_t i = 0; i < e->u.call.n_args; i++) {
            args[i] = comp(x, e->u.call.args[i], sel, err);
            if (args[i] < 0) return -1;
        }
        out = new_reg(x, e->type);
        NEED(out >= 0 && (s = new_step(x, S_CALL, sel)));
        s->out = out;
        s->args = args;
        s->n_args = e->u.call.n_args;
        s->px = e;
        s->type = e->type;
        return out;
    }
    case PX_CASE: {
        uint32_t n = e->u.case_.n_whens;
        int *vals = arena_alloc(x->a, sizeof(int) * (n + 1));
        int *sels = arena_alloc(x->a, sizeof(int) * (n + 1));
        NEED(vals && sels);
        int cur = sel;
        for (uint32_t i = 0; i < n; i++) {
            int w = comp(x, e->u.case_.whens[i], cur, err);
            if (w < 0) return -1;
            int st = new_sel(x), sf = new_sel(x);
            NEED(st >= 0 && sf >= 0 && (s = new_step(x, S_SPLIT, cur)));
            s->a = w;
            s->sel_t = st;
            s->sel_f = sf;
            s->mode = 0;
            vals[i] = comp(x, e->u.case_.thens[i], st, err);
            if (vals[i] < 0) return -1;
            sels[i] = st;
            cur = sf;
        }
        if (e->u.case_.else_) {
            vals[n] = comp(x, e->u.case_.else_, cur, err);
            if (vals[n] < 0) return -1;
        } else {
            vals[n] = new_reg(x, e->type);
            NEED(vals[n] >= 0 && (s = new_step(x, S_NULL, cur)));
            s->out = vals[n];
            s->type = e->type;
        }
        sels[n] = cur;
        out = new_reg(x, e->type);
        NEED(out >= 0 && (s = new_step(x, S_MERGE, sel)));
        s->out = out;
        s->args = vals;
        s->sels = sels;
        s->n_args = n + 1;
        s->type = e->type;
        return out;
    }
    case PX_LIKE: {
        int a = comp(x, e->u.like.arg, sel, err);
        if (a < 0) return -1;
        int b = comp(x, e->u.like.pattern, sel, err);
        if (b < 0) return -1;
        int c = -1;
        if (e->u.like.escape) {
            c = comp(x, e->u.like.escape, sel, err);
            if (c < 0) return -1;
        }
        out = new_reg(x, e->type);
        NEED(out >= 0 && (s = new_step(x, S_LIKE, sel)));
        s->out = out;
        s->a = a;
        s->b = b;
        s->c = c;
        s->px = e;
        s->type = e->type;
        if (e->u.like.similar && comp_regex(x, s, e->u.like.pattern, err) != 0) return -1;
        return out;
    }
    case PX_IN_LIST: {
        int a = comp(x, e->u.in.arg, sel, err);
        if (a < 0) return -1;
        int *args = arena_alloc(x->a, sizeof(int) * (e->u.in.n_list + 1));
        NEED(args);
        for (uint32_t i = 0; i < e->u.in.n_list; i++) {
            args[i] = comp(x, e->u.in.list[i], sel, err);
            if (args[i] < 0) return -1;
        }
        out = new_reg(x, e->type);
        NEED(out >= 0 && (s = new_step(x, S_IN, sel)));
        s->out = out;
        s->a = a;
        s->args = args;
        s->n_args = e->u.in.n_list;
        s->px = e;
        s->type = e->type;
        s->ta = e->u.in.arg->type;
        return out;
    }
    }
    eddy_err_set(err, EDDY_E_INTERNAL, "unknown expression kind %d", (int)e->kind);
    return -1;
}

/* Fills register r for every row with v. */
static void fill_reg(reg *r, const eddy_value *v) {
    memset(r->vec.null, v->is_null ? 1 : 0, RT_BATCH_CAP);
    if (v->is_null) return;
    for (uint32_t i = 0; i < RT_BATCH_CAP; i++) {
        switch (r->vec.phys) {
        case RT_PHYS_I64: r->vec.v.i64[i] = v->u.i; break;
        case RT_PHYS_F64: r->vec.v.f64[i] = v->u.d; break;
        case RT_PHYS_STR:
            r->vec.v.str[i].p = v->u.s.p;
            r->vec.v.str[i].n = v->u.s.n;
            break;
        }
    }
}

int rt_expr_compile(const plan_expr *e, const eddy_type *in_types, uint32_t n_in,
                    const rt_expr_env *env, arena *a, rt_expr **out, eddy_err *err) {
    return compile_prog(e, in_types, n_in, env, a, 0, out, err);
}

static int compile_prog(const plan_expr *e, const eddy_type *in_types, uint32_t n_in,
                        const rt_expr_env *env, arena *a, int no_fold, rt_expr **out,
                        eddy_err *err) {
    rt_expr *x = arena_calloc(a, sizeof *x);
    if (!x) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    x->a = a;
    x->no_fold = no_fold;
    x->in_types = in_types;
    x->n_in = n_in;
    if (env) x->env = *env;
    arena_init(&x->scratch, 16384);
    if (new_sel(x) != 0) {  /* selection 0: the rows asked for */
        rt_expr_free(x);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    x->result = comp(x, e, 0, err);
    if (x->result < 0) {
        rt_expr_free(x);
        return err && err->code ? err->code : EDDY_E_INTERNAL;
    }
    /* Vectors and selections are allocated once, here. */
    for (uint32_t i = 0; i < x->n_regs; i++) {
        reg *r = &x->regs[i];
        r->vec.type = r->type;
        r->vec.phys = rt_phys_of(r->type.id);
        r->vec.null = calloc(RT_BATCH_CAP, 1);
        r->vec.v.i64 = calloc(RT_BATCH_CAP, sizeof(int64_t) > sizeof(rt_str) ? sizeof(int64_t) : sizeof(rt_str));
        if (!r->vec.null || !r->vec.v.i64) goto nomem;
    }
    for (uint32_t i = 0; i < x->n_sels; i++) {
        x->sels[i].rows = malloc(RT_BATCH_CAP * sizeof(uint16_t));
        if (!x->sels[i].rows) goto nomem;
    }
    x->row_err = calloc(RT_BATCH_CAP, 1);
    x->errs = malloc(RT_BATCH_CAP * sizeof(rt_row_error));
    if (!x->row_err || !x->errs) goto nomem;
    /* A register of an S_CONST or S_NULL step has no other writer and holds
     * the same value on every row: fill it once here and drop the step, so
     * constants cost nothing per row. */
    uint32_t n_keep = 0;
    for (uint32_t k = 0; k < x->n_steps; k++) {
        step *st = &x->steps[k];
        if (st->kind == S_CONST || st->kind == S_NULL) {
            eddy_value nul = {.is_null = 1};
            fill_reg(&x->regs[st->out], st->kind == S_CONST ? &st->lit : &nul);
            continue;
        }
        x->steps[n_keep++] = *st;
    }
    x->n_steps = n_keep;
    x->allocated = 1;
    *out = x;
    return 0;
nomem:
    rt_expr_free(x);
    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
}

void rt_expr_free(rt_expr *x) {
    if (!x) return;
    for (uint32_t i = 0; i < x->n_regs; i++) {
        free(x->regs[i].vec.null);
        free(x->regs[i].vec.v.i64);
    }
    for (uint32_t i = 0; i < x->n_sels; i++) free(x->sels[i].rows);
    for (uint32_t i = 0; i < x->n_regexes; i++) regfree(x->regexes[i]);
    free(x->regexes);
    free(x->regs);
    free(x->sels);
    free(x->steps);
    free(x->row_err);
    free(x->errs);
    free(x->argv_buf);
    arena_free(&x->scratch);
    x->regs = NULL;
    x->sels = NULL;
    x->steps = NULL;
    x->n_regs = x->n_sels = x->n_steps = 0;
    x->row_err = NULL;
    x->errs = NULL;
    x->argv_buf = NULL;
    x->regexes = NULL;
    x->n_regexes = 0;
}

/* ---------------------------------------------------------------- evaluate */

void rt_vec_get(const rt_vec *v, uint32_t r, eddy_value *out) {
    out->type = v->type.id;
    out->is_null = v->null[r] != 0;
    switch (v->phys) {
    case RT_PHYS_I64: out->u.i = v->v.i64[r]; break;
    case RT_PHYS_F64: out->u.d = v->v.f64[r]; break;
    case RT_PHYS_STR:
        out->u.s.p = v->v.str[r].p;
        out->u.s.n = v->v.str[r].n;
        break;
    }
}

static void vec_set(rt_vec *v, uint32_t r, const eddy_value *val) {
    v->null[r] = val->is_null;
    if (val->is_null) return;
    switch (v->phys) {
    case RT_PHYS_I64: v->v.i64[r] = val->u.i; break;
    case RT_PHYS_F64: v->v.f64[r] = val->u.d; break;
    case RT_PHYS_STR:
        v->v.str[r].p = val->u.s.p;
        v->v.str[r].n = val->u.s.n;
        break;
    }
}

static void row_error(rt_expr *x, uint32_t r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void row_error(rt_expr *x, uint32_t r, const char *name, const char *fmt, ...) {
    if (x->row_err[r]) return;
    x->row_err[r] = 1;
    char msg[EDDY_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rt_row_error *e = &x->errs[x->n_errs++];
    e->row = r;
    e->code = EDDY_E_RUNTIME;
    e->name = name;
    e->msg = arena_strdup(&x->scratch, msg);
    if (!e->msg) e->msg = "out of memory";
}

static int scale_of(eddy_type t) { return t.id == EDDY_T_DECIMAL ? t.scale : 0; }

/* Operand as a scaled integer at scale `to`; 0 on overflow. */
static int as_scaled(const rt_vec *v, eddy_type t, uint32_t r, int to, int64_t *out) {
    int64_t x = v->v.i64[r];
    int from = scale_of(t);
    if (from == to) {
        *out = x;
        return 1;
    }
    if (to > from) return !__builtin_mul_overflow(x, eddy_pow10(to - from), out);
    *out = x / eddy_pow10(from - to);
    return 1;
}

static double as_double(const rt_vec *v, eddy_type t, uint32_t r) {
    if (v->phys == RT_PHYS_F64) return v->v.f64[r];
    return (double)v->v.i64[r] / (double)eddy_pow10(scale_of(t));
}

static int fits_type(eddy_type t, int64_t v) {
    if (eddy_type_is_integer(t.id)) {
        int64_t lo, hi;
        eddy_int_range(t.id, &lo, &hi);
        return v >= lo && v <= hi;
    }
    if (t.id == EDDY_T_DECIMAL && t.precision > 0 && t.precision <= 18) {
        int64_t lim = eddy_pow10(t.precision);
        return v > -lim && v < lim;
    }
    return 1;
}

static int64_t add_months(int64_t ms, int64_t months) {
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months;
    y = total >= 0 ? total / 12 : -((-total + 11) / 12);
    m = (unsigned)(total - y * 12) + 1;
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned lim = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (d > lim) d = lim;
    return eddy_days_from_civil(y, m, d) * 86400000 + rem;
}

/* Three-way comparison of row r of a and b, operands of types ta and tb. */
static int cmp_rows(const rt_vec *a, eddy_type ta, const rt_vec *b, eddy_type tb, uint32_t r) {
    if (a->phys == RT_PHYS_STR && b->phys == RT_PHYS_STR) {
        rt_str x = a->v.str[r], y = b->v.str[r];
        uint32_t n = x.n < y.n ? x.n : y.n;
        int c = n ? memcmp(x.p, y.p, n) : 0;
        if (c) return c < 0 ? -1 : 1;
        return x.n < y.n ? -1 : x.n > y.n;
    }
    if (a->phys == RT_PHYS_F64 || b->phys == RT_PHYS_F64) {
        double x = as_double(a, ta, r), y = as_double(b, tb, r);
        return x < y ? -1 : x > y;
    }
    int sa = scale_of(ta), sb = scale_of(tb);
    if (sa == sb) {
        int64_t x = a->v.i64[r], y = b->v.i64[r];
        return x < y ? -1 : x > y;
    }
    int s = sa > sb ? sa : sb;
    int64_t x, y;
    if (!as_scaled(a, ta, r, s, &x) || !as_scaled(b, tb, r, s, &y)) {
        double dx = as_double(a, ta, r), dy = as_double(b, tb, r);
        return dx < dy ? -1 : dx > dy;
    }
    return x < y ? -1 : x > y;
}

/* The kernels of S_OP (see choose_op_kernel): the operator is switched on
 * once per batch instead of once per row. */
#define OP_LOOP(...)                                       \
    for (uint32_t i = 0; i < n; i++) {                     \
        uint32_t r = rs[i];                                \
        if (a->null[r] | b->null[r]) {                     \
            o->null[r] = 1;                                \
            continue;                                      \
        }                                                  \
        o->null[r] = 0;                                    \
        __VA_ARGS__                                        \
    }

#define CMP_CASES(P, Q)                                                                  \
    case PLAN_OP_EQ: OP_LOOP(o->v.i64[r] = CMP3(P, Q) == 0;) break;                      \
    case PLAN_OP_NE: OP_LOOP(o->v.i64[r] = CMP3(P, Q) != 0;) break;                      \
    case PLAN_OP_LT: OP_LOOP(o->v.i64[r] = CMP3(P, Q) < 0;) break;                       \
    case PLAN_OP_LE: OP_LOOP(o->v.i64[r] = CMP3(P, Q) <= 0;) break;                      \
    case PLAN_OP_GT: OP_LOOP(o->v.i64[r] = CMP3(P, Q) > 0;) break;                       \
    case PLAN_OP_GE: OP_LOOP(o->v.i64[r] = CMP3(P, Q) >= 0;) break;                      \
    default: break;

/* cmp_rows' three-way result (NaN compares equal to everything, as there). */
#define CMP3(P, Q) ((P) < (Q) ? -1 : (P) > (Q))

static void eval_op_kernel(rt_expr *x, const step *s, const selreg *sel) {
    rt_vec *o = &x->regs[s->out].vec;
    const rt_vec *a = &x->regs[s->a].vec, *b = &x->regs[s->b].vec;
    const uint16_t *rs = sel->rows;
    uint32_t n = sel->n;
    plan_op op = s->op;
    switch (s->kern) {
    case K_CMP_I64:
        switch (op) { CMP_CASES(a->v.i64[r], b->v.i64[r]) }
        return;
    case K_CMP_F64:
        switch (op) { CMP_CASES(a->v.f64[r], b->v.f64[r]) }
        return;
    case K_ARITH_F64: {
        int to_real = s->type.id == EDDY_T_REAL;
        OP_LOOP({
            double p = a->v.f64[r], q = b->v.f64[r], v;
            switch (op) {
            case PLAN_OP_ADD: v = p + q; break;
            case PLAN_OP_SUB: v = p - q; break;
            case PLAN_OP_MUL: v = p * q; break;
            default:
                if (q == 0) {
                    row_error(x, r, "DIVISION_BY_ZERO", "division by zero");
                    o->null[r] = 1;
                    continue;
                }
                v = op == PLAN_OP_DIV ? p / q : fmod(p, q);
                break;
            }
            o->v.f64[r] = to_real ? (float)v : v;
        })
        return;
    }
    case K_ARITH_INT:
        OP_LOOP({
            int64_t p = a->v.i64[r], q = b->v.i64[r], v = 0;
            int ok = 1;
            switch (op) {
            case PLAN_OP_ADD: ok = !__builtin_add_overflow(p, q, &v); break;
            case PLAN_OP_SUB: ok = !__builtin_sub_overflow(p, q, &v); break;
            case PLAN_OP_MUL: ok = !__builtin_mul_overflow(p, q, &v); break;
            default:
                if (q == 0) {
                    row_error(x, r, "DIVISION_BY_ZERO", "division by zero");
                    o->null[r] = 1;
                    continue;
                }
                if (op == PLAN_OP_MOD) v = q == -1 ? 0 : p % q;
                else if (p == INT64_MIN && q == -1) ok = 0;
                else v = p / q;
                break;
            }
            if (!ok || v < s->lo || v > s->hi) {
                row_error(x, r, "NUMERIC_OVERFLOW", "numeric overflow in %s arithmetic",
                          eddy_type_name(s->type.id));
                o->null[r] = 1;
                continue;
            }
            o->v.i64[r] = v;
        })
        return;
    default: return;
    }
}

#undef CMP3
#undef CMP_CASES
#undef OP_LOOP

static void eval_op(rt_expr *x, const step *s, const selreg *sel) {
    if (s->kern != K_GENERIC) {
        eval_op_kernel(x, s, sel);
        return;
    }
    rt_vec *o = &x->regs[s->out].vec;
    const rt_vec *a = &x->regs[s->a].vec;
    const rt_vec *b = s->b >= 0 ? &x->regs[s->b].vec : NULL;
    plan_op op = s->op;
    eddy_type t = s->type, ta = s->ta, tb = s->tb;
    for (uint32_t i = 0; i < sel->n; i++) {
        uint32_t r = sel->rows[i];
        int an = a->null[r], bn = b ? b->null[r] : 0;
        o->null[r] = 0;
        switch (op) {
        case PLAN_OP_IS_NULL: o->v.i64[r] = an; continue;
        case PLAN_OP_IS_NOT_NULL: o->v.i64[r] = !an; continue;
        case PLAN_OP_IS_TRUE: o->v.i64[r] = !an && a->v.i64[r]; continue;
        case PLAN_OP_IS_NOT_TRUE: o->v.i64[r] = an || !a->v.i64[r]; continue;
        case PLAN_OP_IS_FALSE: o->v.i64[r] = !an && !a->v.i64[r]; continue;
        case PLAN_OP_IS_NOT_FALSE: o->v.i64[r] = an || a->v.i64[r]; continue;
        case PLAN_OP_IS_DISTINCT:
        case PLAN_OP_IS_NOT_DISTINCT: {
            int distinct = (an || bn) ? an != bn : cmp_rows(a, ta, b, tb, r) != 0;
            o->v.i64[r] = op == PLAN_OP_IS_DISTINCT ? distinct : !distinct;
            continue;
        }
        default: break;
        }
        if (an || bn) {
            o->null[r] = 1;
            continue;
        }
        switch (op) {
        case PLAN_OP_NOT: o->v.i64[r] = !a->v.i64[r]; break;
        case PLAN_OP_EQ: o->v.i64[r] = cmp_rows(a, ta, b, tb, r) == 0; break;
        case PLAN_OP_NE: o->v.i64[r] = cmp_rows(a, ta, b, tb, r) != 0; break;
        case PLAN_OP_LT: o->v.i64[r] = cmp_rows(a, ta, b, tb, r) < 0; break;
        case PLAN_OP_LE: o->v.i64[r] = cmp_rows(a, ta, b, tb, r) <= 0; break;
        case PLAN_OP_GT: o->v.i64[r] = cmp_rows(a, ta, b, tb, r) > 0; break;
        case PLAN_OP_GE: o->v.i64[r] = cmp_rows(a, ta, b, tb, r) >= 0; break;
        case PLAN_OP_CONCAT: {
            rt_str p = a->v.str[r], q = b->v.str[r];
            char *m = arena_alloc(&x->scratch, (size_t)p.n + q.n + 1);
            if (!m) {
                row_error(x, r, "OUT_OF_MEMORY", "out of memory");
                o->null[r] = 1;
                break;
            }
            if (p.n) memcpy(m, p.p, p.n);
            if (q.n) memcpy(m + p.n, q.p, q.n);
            o->v.str[r].p = m;
            o->v.str[r].n = p.n + q.n;
            break;
        }
        case PLAN_OP_NEG:
            if (o->phys == RT_PHYS_F64) o->v.f64[r] = -as_double(a, ta, r);
            else if (a->v.i64[r] == INT64_MIN || !fits_type(t, -a->v.i64[r])) {
                row_error(x, r, "NUMERIC_OVERFLOW", "numeric overflow negating a %s", eddy_type_name(t.id));
                o->null[r] = 1;
            } else o->v.i64[r] = -a->v.i64[r];
            break;
        case PLAN_OP_ADD:
        case PLAN_OP_SUB:
        case PLAN_OP_MUL:
        case PLAN_OP_DIV:
        case PLAN_OP_MOD: {
            int sub = op == PLAN_OP_SUB;
            /* Datetime arithmetic. */
            if (eddy_type_is_datetime(ta.id) || eddy_type_is_datetime(tb.id) ||
                (eddy_type_is_interval(ta.id) && eddy_type_is_interval(tb.id))) {
                int64_t va = a->v.i64[r], vb = b->v.i64[r];
                if (eddy_type_is_datetime(ta.id) && eddy_type_is_datetime(tb.id)) {
                    int64_t ma = ta.id == EDDY_T_DATE ? va * 86400000 : va;
                    int64_t mb = tb.id == EDDY_T_DATE ? vb * 86400000 : vb;
                    o->v.i64[r] = t.id == EDDY_T_INTERVAL_YM ? (ma - mb) / (86400000LL * 30) : ma - mb;
                    break;
                }
                if (eddy_type_is_interval(ta.id) && eddy_type_is_interval(tb.id)) {
                    o->v.i64[r] = sub ? va - vb : va + vb;
                    break;
                }
                /* datetime +/- interval (either order for +). */
                int64_t dt = eddy_type_is_datetime(ta.id) ? va : vb;
                int64_t iv = eddy_type_is_datetime(ta.id) ? vb : va;
                eddy_type_id dtt = eddy_type_is_datetime(ta.id) ? ta.id : tb.id;
                eddy_type_id ivt = eddy_type_is_datetime(ta.id) ? tb.id : ta.id;
                if (sub) iv = -iv;
                int64_t ms = dtt == EDDY_T_DATE ? dt * 86400000 : dt;
                ms = ivt == EDDY_T_INTERVAL_YM ? add_months(ms, iv) : ms + iv;
                if (dtt == EDDY_T_DATE) o->v.i64[r] = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
                else if (dtt == EDDY_T_TIME) o->v.i64[r] = ((ms % 86400000) + 86400000) % 86400000;
                else o->v.i64[r] = ms;
                break;
            }
            if (o->phys == RT_PHYS_F64) {
                double p = as_double(a, ta, r), q = as_double(b, tb, r), v;
                if ((op == PLAN_OP_DIV || op == PLAN_OP_MOD) && q == 0) {
                    row_error(x, r, "DIVISION_BY_ZERO", "division by zero");
                    o->null[r] = 1;
                    break;
                }
                v = op == PLAN_OP_ADD ? p + q : op == PLAN_OP_SUB ? p - q : op == PLAN_OP_MUL ? p * q
                    : op == PLAN_OP_DIV ? p / q : fmod(p, q);
                o->v.f64[r] = t.id == EDDY_T_REAL ? (float)v : v;
                break;
            }
            int rs = scale_of(t), ok = 1;
            int64_t p, q, v = 0;
            if (op == PLAN_OP_ADD || op == PLAN_OP_SUB || op == PLAN_OP_MOD) {
                ok = as_scaled(a, ta, r, rs, &p) && as_scaled(b, tb, r, rs, &q);
                if (ok && op == PLAN_OP_MOD) {
                    if (q == 0) {
                        row_error(x, r, "DIVISION_BY_ZERO", "division by zero");
                        o->null[r] = 1;
                        break;
                    }
                    v = (q == -1) ? 0 : p % q;
                } else if (ok) {
                    ok = !(sub ? __builtin_sub_overflow(p, q, &v) : __builtin_add_overflow(p, q, &v));
                }
            } else if (op == PLAN_OP_MUL) {
                p = a->v.i64[r];
                q = b->v.i64[r];
                ok = !__builtin_mul_overflow(p, q, &v);
                int s = scale_of(ta) + scale_of(tb);
                if (ok && s != rs) {
                    if (s > rs) v /= eddy_pow10(s - rs);
                    else ok = !__builtin_mul_overflow(v, eddy_pow10(rs - s), &v);
                }
            } else { /* DIV */
                q = b->v.i64[r];
                if (q == 0) {
                    row_error(x, r, "DIVISION_BY_ZERO", "division by zero");
                    o->null[r] = 1;
                    break;
                }
                /* a / b at result scale rs: a * 10^(rs - sa + sb) / b; integer
                 * operands give rs = 0 and truncate, as the dialect says. */
                int shift = rs - scale_of(ta) + scale_of(tb);
                p = a->v.i64[r];
                if (shift > 0) ok = !__builtin_mul_overflow(p, eddy_pow10(shift), &p);
                else if (shift < 0) q = q * eddy_pow10(-shift);
                if (ok) {
                    if (p == INT64_MIN && q == -1) ok = 0;
                    else v = p / q;
                }
            }
            if (!ok || !fits_type(t, v)) {
                row_error(x, r, "NUMERIC_OVERFLOW", "numeric overflow in %s arithmetic",
                          eddy_type_name(t.id));
                o->null[r] = 1;
                break;
            }
            o->v.i64[r] = v;
            break;
        }
        default: o->null[r] = 1; break;
        }
    }
}

/* Row r of S_CAST through rt_cast_value: every cast the kernels do not
 * cover, and the rows a kernel finds out of range (for the same message). */
static void cast_row(rt_expr *x, const step *s, const rt_vec *a, rt_vec *o, uint32_t r) {
    eddy_value in, outv = {0};
    eddy_err cerr;
    rt_vec_get(a, r, &in);
    in.type = s->ta.id;
    eddy_err_clear(&cerr);
    if (rt_cast_value(&in, s->ta, s->type, &outv, &x->scratch, &cerr) != 0) {
        row_error(x, r, "CAST_ERROR", "%s", cerr.msg);
        o->null[r] = 1;
        return;
    }
    vec_set(o, r, &outv);
}

static void eval_cast(rt_expr *x, const step *s, const selreg *sel) {
    const rt_vec *a = &x->regs[s->a].vec;
    rt_vec *o = &x->regs[s->out].vec;
    const uint16_t *rs = sel->rows;
    uint32_t n = sel->n;
    int to_real = s->type.id == EDDY_T_REAL;
    switch (s->kern) {
    case K_CAST_INT:
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = rs[i];
            int64_t v = a->v.i64[r];
            if (a->null[r]) o->null[r] = 1;
            else if (v >= s->lo && v <= s->hi) {
                o->null[r] = 0;
                o->v.i64[r] = v;
            } else cast_row(x, s, a, o, r);
        }
        return;
    case K_CAST_EXACT_F64:
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = rs[i];
            o->null[r] = a->null[r];
            double d = (double)a->v.i64[r] / s->dv;
            o->v.f64[r] = to_real ? (float)d : d;
        }
        return;
    case K_CAST_F64_F64:
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = rs[i];
            o->null[r] = a->null[r];
            double d = a->v.f64[r];
            o->v.f64[r] = to_real ? (float)d : d;
        }
        return;
    case K_CAST_F64_INT:
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = rs[i];
            if (a->null[r]) {
                o->null[r] = 1;
                continue;
            }
            double t = trunc(a->v.f64[r]);
            if (isfinite(t) && fabs(t) < 9.2e18 && (int64_t)t >= s->lo && (int64_t)t <= s->hi) {
                o->null[r] = 0;
                o->v.i64[r] = (int64_t)t;
            } else cast_row(x, s, a, o, r);
        }
        return;
    default:
        for (uint32_t i = 0; i < n; i++) cast_row(x, s, a, o, rs[i]);
        return;
    }
}

static int eval_call(rt_expr *x, const step *s, const selreg *sel, eddy_err *err) {
    const udf_call *call = &s->px->u.call.call;
    size_t need = (size_t)s->n_args * sel->n + sel->n;
    if (need > x->argv_cap) {
        eddy_value *nb = realloc(x->argv_buf, need * sizeof(eddy_value));
        if (!nb) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        x->argv_buf = nb;
        x->argv_cap = need;
    }
    const eddy_value *argp[UDF_MAX_ARGS * 4];
    if (s->n_args > sizeof argp / sizeof argp[0]) return eddy_err_set(err, EDDY_E_INTERNAL, "too many arguments");
    eddy_value *res = x->argv_buf + (size_t)s->n_args * sel->n;
    for (uint32_t k = 0; k < s->n_args; k++) {
        eddy_value *col = x->argv_buf + (size_t)k * sel->n;
        const rt_vec *v = &x->regs[s->args[k]].vec;
        const uint16_t *rs = sel->rows;
        eddy_type_id tid = v->type.id;
        switch (v->phys) {   /* rt_vec_get, with the switch out of the loop */
        case RT_PHYS_I64:
            for (uint32_t i = 0; i < sel->n; i++) {
                col[i].type = tid;
                col[i].is_null = v->null[rs[i]] != 0;
                col[i].u.i = v->v.i64[rs[i]];
            }
            break;
        case RT_PHYS_F64:
            for (uint32_t i = 0; i < sel->n; i++) {
                col[i].type = tid;
                col[i].is_null = v->null[rs[i]] != 0;
                col[i].u.d = v->v.f64[rs[i]];
            }
            break;
        case RT_PHYS_STR:
            for (uint32_t i = 0; i < sel->n; i++) rt_vec_get(v, rs[i], &col[i]);
            break;
        }
        argp[k] = col;
    }
    rt_vec *o = &x->regs[s->out].vec;
    int strict = (call->fn->flags & UDF_F_STRICT) != 0;
    /* Rows are evaluated in runs that stop at a failing row, so one bad row
     * does not cost its neighbours their results. */
    size_t start = 0;
    while (start < sel->n) {
        size_t n = sel->n - start;
        const eddy_value *ap[UDF_MAX_ARGS * 4];
        for (uint32_t k = 0; k < s->n_args; k++) ap[k] = argp[k] + start;
        size_t bad = (size_t)-1;
        eddy_err ferr;
        eddy_err_clear(&ferr);
        int rc = 0;
        if (strict) {
            /* NULL arguments give NULL without calling. The rows between
             * NULLs go to the function in one call; should that call fail,
             * the run is redone a row at a time to find the failing row. */
            size_t i = 0;
            while (i < n && rc == 0) {
                size_t j = i;
                for (; j < n; j++) {
                    int anynull = 0;
                    for (uint32_t k = 0; k < s->n_args; k++) anynull |= ap[k][j].is_null;
                    res[start + j].is_null = 1;
                    res[start + j].type = s->type.id;
                    if (anynull) break;
                }
                if (j > i) {
                    const eddy_value *run[UDF_MAX_ARGS * 4];
                    for (uint32_t k = 0; k < s->n_args; k++) run[k] = ap[k] + i;
                    size_t b0 = 0;
                    rc = call->fn->eval(call, j - i, run, &res[start + i], &x->scratch, &b0, &ferr);
                    if (rc == EDDY_E_NOMEM) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                    for (size_t m = i; rc != 0 && m < j; m++) {
                        const eddy_value *one[UDF_MAX_ARGS * 4];
                        for (uint32_t k = 0; k < s->n_args; k++) one[k] = &ap[k][m];
                        size_t b1 = 0;
                        res[start + m].is_null = 1;
                        res[start + m].type = s->type.id;
                        eddy_err_clear(&ferr);
                        int rc1 = call->fn->eval(call, 1, one, &res[start + m], &x->scratch, &b1, &ferr);
                        if (rc1 != 0) {
                            rc = rc1;
                            bad = m;
                            break;
                        }
                        if (m + 1 == j) rc = 0;   /* the whole run went through */
                    }
                }
                i = j + 1;   /* past the NULL row (or the end) */
            }
        } else {
            rc = call->fn->eval(call, n, ap, res + start, &x->scratch, &bad, &ferr);
        }
        if (rc == 0) break;
        if (rc == EDDY_E_NOMEM) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        if (bad >= n) bad = 0;
        uint32_t r = sel->rows[start + bad];
        row_error(x, r, "FUNCTION_ERROR", "%s", ferr.msg[0] ? ferr.msg : "function error");
        res[start + bad].is_null = 1;
        start += bad + 1;
    }
    for (uint32_t i = 0; i < sel->n; i++) {
        res[i].type = s->type.id;
        vec_set(o, sel->rows[i], &res[i]);
    }
    return 0;
}

static void eval_like(rt_expr *x, const step *s, const selreg *sel) {
    rt_vec *o = &x->regs[s->out].vec;
    const rt_vec *a = &x->regs[s->a].vec, *p = &x->regs[s->b].vec;
    const rt_vec *c = s->c >= 0 ? &x->regs[s->c].vec : NULL;
    int negated = s->px->u.like.negated, similar = s->px->u.like.similar;
    for (uint32_t i = 0; i < sel->n; i++) {
        uint32_t r = sel->rows[i];
        if (a->null[r] || p->null[r] || (c && c->null[r])) {
            o->null[r] = 1;
            continue;
        }
        o->null[r] = 0;
        int m;
        if (similar) {
            if (s->re) {
                char *z = arena_strndup(&x->scratch, a->v.str[r].p, a->v.str[r].n);
                m = z && regexec(s->re, z, 0, NULL, 0) == 0;
            } else {
                row_error(x, r, "UNSUPPORTED", "SIMILAR TO needs a constant pattern");
                o->null[r] = 1;
                continue;
            }
        } else {
            int esc = -1;
            if (c) {
                if (c->v.str[r].n != 1) {
                    row_error(x, r, "INVALID_ESCAPE", "LIKE escape must be one character");
                    o->null[r] = 1;
                    continue;
                }
                esc = (unsigned char)c->v.str[r].p[0];
            }
            m = rt_like_match(a->v.str[r].p, a->v.str[r].n, p->v.str[r].p, p->v.str[r].n, esc);
        }
        o->v.i64[r] = negated ? !m : m;
    }
}

static void eval_in(rt_expr *x, const step *s, const selreg *sel) {
    rt_vec *o = &x->regs[s->out].vec;
    const rt_vec *a = &x->regs[s->a].vec;
    int negated = s->px->u.in.negated;
    for (uint32_t i = 0; i < sel->n; i++) {
        uint32_t r = sel->rows[i];
        if (a->null[r]) {
            o->null[r] = 1;
            continue;
        }
        int found = 0, saw_null = 0;
        for (uint32_t k = 0; k < s->n_args && !found; k++) {
            const reg *rg = &x->regs[s->args[k]];
            if (rg->vec.null[r]) saw_null = 1;
            else if (cmp_rows(a, s->ta, &rg->vec, rg->type, r) == 0) found = 1;
        }
        if (!found && saw_null) {
            o->null[r] = 1;   /* x IN (.., NULL) is UNKNOWN when not found */
            continue;
        }
        o->null[r] = 0;
        o->v.i64[r] = negated ? !found : found;
    }
}

int rt_expr_eval(rt_expr *x, const rt_batch *b, const uint16_t *rows, uint32_t n_rows,
                 const rt_vec **res, const rt_row_error **errors, uint32_t *n_errors,
                 eddy_err *err) {
    arena_reset(&x->scratch);
    for (uint32_t i = 0; i < x->n_errs; i++) x->row_err[x->errs[i].row] = 0;
    x->n_errs = 0;
    selreg *s0 = &x->sels[0];
    if (rows) {
        memcpy(s0->rows, rows, n_rows * sizeof(uint16_t));
        s0->n = n_rows;
    } else {
        s0->n = rt_batch_live(b);
        for (uint32_t i = 0; i < s0->n; i++) s0->rows[i] = (uint16_t)rt_batch_row(b, i);
    }
    for (uint32_t k = 0; k < x->n_steps; k++) {
        const step *s = &x->steps[k];
        selreg *sel = &x->sels[s->sel];
        rt_vec *o = s->out >= 0 ? &x->regs[s->out].vec : NULL;
        switch (s->kind) {
        case S_COL: {
            const rt_column *c = &b->cols[s->a];
            const uint16_t *rs = sel->rows;
            uint32_t n = sel->n;
            for (uint32_t i = 0; i < n; i++) o->null[rs[i]] = (uint8_t)rt_col_is_null(c, rs[i]);
            switch (c->phys) {
            case RT_PHYS_I64:
                for (uint32_t i = 0; i < n; i++) o->v.i64[rs[i]] = c->v.i64[rs[i]];
                break;
            case RT_PHYS_F64:
                for (uint32_t i = 0; i < n; i++) o->v.f64[rs[i]] = c->v.f64[rs[i]];
                break;
            case RT_PHYS_STR:
                for (uint32_t i = 0; i < n; i++) o->v.str[rs[i]] = c->v.str[rs[i]];
                break;
            }
            break;
        }
        case S_ROWTIME:
            for (uint32_t i = 0; i < sel->n; i++) {
                uint32_t r = sel->rows[i];
                o->null[r] = 0;
                o->v.i64[r] = b->rowtime[r];
            }
            break;
        case S_CONST:
            for (uint32_t i = 0; i < sel->n; i++) vec_set(o, sel->rows[i], &s->lit);
            break;
        case S_NULL:
            for (uint32_t i = 0; i < sel->n; i++) o->null[sel->rows[i]] = 1;
            break;
        case S_OP: eval_op(x, s, sel); break;
        case S_SPLIT: {
            const rt_vec *a = &x->regs[s->a].vec;
            selreg *st = &x->sels[s->sel_t], *sf = &x->sels[s->sel_f];
            st->n = sf->n = 0;
            for (uint32_t i = 0; i < sel->n; i++) {
                uint32_t r = sel->rows[i];
                int is_true = !a->null[r] && a->v.i64[r];
                int is_false = !a->null[r] && !a->v.i64[r];
                int take = s->mode == 0 ? is_true : s->mode == 1 ? !is_false : !is_true;
                if (take) st->rows[st->n++] = (uint16_t)r;
                else sf->rows[sf->n++] = (uint16_t)r;
            }
            break;
        }
        case S_AND:
        case S_OR: {
            const rt_vec *a = &x->regs[s->a].vec, *bb = &x->regs[s->b].vec;
            int is_and = s->kind == S_AND;
            for (uint32_t i = 0; i < sel->n; i++) {
                uint32_t r = sel->rows[i];
                int an = a->null[r];
                int av = !an && a->v.i64[r];
                if (!an && av != is_and) {   /* AND with FALSE / OR with TRUE decides */
                    o->null[r] = 0;
                    o->v.i64[r] = av;
                    continue;
                }
                int bn = bb->null[r], bv = !bn && bb->v.i64[r];
                if (!bn && bv != is_and) {
                    o->null[r] = 0;
                    o->v.i64[r] = bv;
                } else if (an || bn) {
                    o->null[r] = 1;
                } else {
                    o->null[r] = 0;
                    o->v.i64[r] = is_and;
                }
            }
            break;
        }
        case S_CAST: eval_cast(x, s, sel); break;
        case S_CALL:
            if (eval_call(x, s, sel, err) != 0) return err ? err->code : EDDY_E_NOMEM;
            break;
        case S_MERGE:
            for (uint32_t k2 = 0; k2 < s->n_args; k2++) {
                const selreg *bs = &x->sels[s->sels[k2]];
                const rt_vec *v = &x->regs[s->args[k2]].vec;
                for (uint32_t i = 0; i < bs->n; i++) {
                    uint32_t r = bs->rows[i];
                    eddy_value val = {0};
                    rt_vec_get(v, r, &val);
                    vec_set(o, r, &val);
                }
            }
            break;
        case S_LIKE: eval_like(x, s, sel); break;
        case S_IN: eval_in(x, s, sel); break;
        }
    }
    if (x->scratch.failed) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    *res = &x->regs[x->result].vec;
    *errors = x->errs;
    *n_errors = x->n_errs;
    return 0;
}
