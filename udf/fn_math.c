/*
 * fn_math.c — the numeric functions of SQL.md §6.7: ABS, CEIL/CEILING,
 * FLOOR, EXP, LN, LOG10, POWER, MOD and STEP (integer and timestamp forms).
 *
 * How it fits: udf__attach_math() (called by udf_attach_builtins) attaches
 * these to the signatures of fn_math_sigs.c. Values follow eddy_types.h:
 * DECIMAL is an int64 scaled by the scale of call->arg_types / ret_type.
 *
 * Out-of-range results are row errors, never wrapped values: ABS of the
 * smallest integer, CEIL of a DECIMAL at its precision limit, LN(0), a
 * POWER that overflows a double. NaN or infinite inputs pass through
 * unchanged, as in Java, because they are already outside exact arithmetic.
 */
#include "udf_fns.h"

#include <math.h>

static int row_err(eddy_err *err, size_t *bad_row, size_t i, const char *msg) {
    *bad_row = i;
    return eddy_err_set(err, EDDY_E_RUNTIME, "%s", msg);
}

static void set_int(eddy_value *o, eddy_type_id t, int64_t v) {
    o->type = t;
    o->is_null = 0;
    o->u.i = v;
}

static void set_dbl(eddy_value *o, eddy_type_id t, double v) {
    o->type = t;
    o->is_null = 0;
    o->u.d = v;
}

static int is_float(eddy_type_id t) { return t == EDDY_T_REAL || t == EDDY_T_DOUBLE; }

/* Whether an exact value fits the type: the integer type's range, or fewer
 * than `precision` digits for DECIMAL (0 means the default 18). */
static int exact_fits(eddy_type t, int64_t v) {
    if (t.id == EDDY_T_DECIMAL) {
        int p = t.precision > 0 && t.precision <= 18 ? t.precision : 18;
        int64_t lim = eddy_pow10(p);
        return v < lim && v > -lim;
    }
    int64_t lo, hi;
    eddy_int_range(t.id, &lo, &hi);
    return v >= lo && v <= hi;
}

/* Rescales an exact value from scale `from` to scale `to`; increasing the
 * scale may overflow (returns -1), decreasing truncates toward zero. */
static int rescale(int64_t v, int from, int to, int64_t *out) {
    if (to >= from) {
        int64_t p = eddy_pow10(to - from);
        if (p == 0 || __builtin_mul_overflow(v, p, out)) return -1;
        return 0;
    }
    int64_t p = eddy_pow10(from - to);
    *out = p == 0 ? 0 : v / p;
    return 0;
}

static int scale_of(eddy_type t) { return t.id == EDDY_T_DECIMAL ? t.scale : 0; }

static int fn_abs(const udf_call *call, size_t n, const eddy_value *const *args, eddy_value *out,
                  arena *mem, size_t *bad_row, eddy_err *err) {
    eddy_type rt = call->ret_type;
    for (size_t i = 0; i < n; i++) {
        const eddy_value *a = &args[0][i];
        if (a->is_null) {
            out[i].type = rt.id;
            out[i].is_null = 1;
            continue;
        }
        if (is_float(rt.id)) {
            set_dbl(&out[i], rt.id, fabs(a->u.d));
            continue;
        }
        if (a->u.i == INT64_MIN || !exact_fits(rt, a->u.i < 0 ? -a->u.i : a->u.i))
            return row_err(err, bad_row, i, "numeric value out of range in ABS");
        set_int(&out[i], rt.id, a->u.i < 0 ? -a->u.i : a->u.i);
    }
    return 0;
}

/* FLOOR (dir = -1) and CEIL (dir = +1) of a number; integers are unchanged. */
static int floor_ceil(const udf_call *call, size_t n, const eddy_value *const *args,
                      eddy_value *out, size_t *bad_row, eddy_err *err, int dir) {
    eddy_type rt = call->ret_type;
    for (size_t i = 0; i < n; i++) {
        const eddy_value *a = &args[0][i];
        if (a->is_null) {
            out[i].type = rt.id;
            out[i].is_null = 1;
            continue;
        }
        if (is_float(rt.id)) {
            set_dbl(&out[i], rt.id, dir < 0 ? floor(a->u.d) : ceil(a->u.d));
            continue;
        }
        int64_t v = a->u.i;
        if (rt.id == EDDY_T_DECIMAL && rt.scale > 0) {
            int64_t p = eddy_pow10(rt.scale), q = v / p, r = v % p;
            if (dir < 0 && r < 0) q--;
            if (dir > 0 && r > 0) q++;
            if (__builtin_mul_overflow(q, p, &v) || !exact_fits(rt, v))
                return row_err(err, bad_row, i, "numeric value out of range");
        }
        set_int(&out[i], rt.id, v);
    }
    return 0;
}

static int fn_floor(const udf_call *call, size_t n, const eddy_value *const *args,
                    eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return floor_ceil(call, n, args, out, bad_row, err, -1);
}

static int fn_ceil(const udf_call *call, size_t n, const eddy_value *const *args,
                   eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return floor_ceil(call, n, args, out, bad_row, err, +1);
}

typedef enum { M_EXP, M_LN, M_LOG10, M_POWER } dbl_op;

/* The DOUBLE functions. Domain errors follow PostgreSQL's messages because
 * Java's NaN/-Infinity results cannot be written to JSON output. */
static int dbl_fn(const udf_call *call, size_t n, const eddy_value *const *args,
                  eddy_value *out, size_t *bad_row, eddy_err *err, dbl_op op) {
    for (size_t i = 0; i < n; i++) {
        double x = args[0][i].u.d, y = op == M_POWER ? args[1][i].u.d : 0, r = 0;
        if (args[0][i].is_null || (op == M_POWER && args[1][i].is_null)) {
            out[i].type = EDDY_T_DOUBLE;
            out[i].is_null = 1;
            continue;
        }
        switch (op) {
        case M_EXP: r = exp(x); break;
        case M_LN:
        case M_LOG10:
            if (x == 0) return row_err(err, bad_row, i, "cannot take logarithm of zero");
            if (x < 0) return row_err(err, bad_row, i, "cannot take logarithm of a negative number");
            r = op == M_LN ? log(x) : log10(x);
            break;
        case M_POWER:
            if (x == 0 && y < 0)
                return row_err(err, bad_row, i, "zero raised to a negative power is undefined");
            if (x < 0 && isfinite(y) && y != floor(y))
                return row_err(err, bad_row, i,
                               "a negative number raised to a non-integer power yields a complex result");
            r = pow(x, y);
            break;
        }
        if (!isfinite(r) && isfinite(x) && isfinite(y))
            return row_err(err, bad_row, i, "value out of range: overflow");
        set_dbl(&out[i], EDDY_T_DOUBLE, r);
    }
    return 0;
}

static int fn_exp(const udf_call *call, size_t n, const eddy_value *const *args, eddy_value *out,
                  arena *mem, size_t *bad_row, eddy_err *err) {
    return dbl_fn(call, n, args, out, bad_row, err, M_EXP);
}

static int fn_ln(const udf_call *call, size_t n, const eddy_value *const *args, eddy_value *out,
                 arena *mem, size_t *bad_row, eddy_err *err) {
    return dbl_fn(call, n, args, out, bad_row, err, M_LN);
}

static int fn_log10(const udf_call *call, size_t n, const eddy_value *const *args,
                    eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return dbl_fn(call, n, args, out, bad_row, err, M_LOG10);
}

static int fn_power(const udf_call *call, size_t n, const eddy_value *const *args,
                    eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    return dbl_fn(call, n, args, out, bad_row, err, M_POWER);
}

/* MOD(a, b): the remainder with the sign of a (Java's %), both operands
 * brought to the result type's scale first so MOD(7.5, 2) = 1.5. */
static int fn_mod(const udf_call *call, size_t n, const eddy_value *const *args, eddy_value *out,
                  arena *mem, size_t *bad_row, eddy_err *err) {
    eddy_type rt = call->ret_type;
    int rs = scale_of(rt);
    for (size_t i = 0; i < n; i++) {
        const eddy_value *a = &args[0][i], *b = &args[1][i];
        if (a->is_null || b->is_null) {
            out[i].type = rt.id;
            out[i].is_null = 1;
            continue;
        }
        int64_t x, y;
        if (rescale(a->u.i, scale_of(call->arg_types[0]), rs, &x) != 0 ||
            rescale(b->u.i, scale_of(call->arg_types[1]), rs, &y) != 0)
            return row_err(err, bad_row, i, "numeric value out of range in MOD");
        if (y == 0) return row_err(err, bad_row, i, "division by zero");
        set_int(&out[i], rt.id, y == -1 ? 0 : x % y);
    }
    return 0;
}

/* Rounds x down to a multiple of m > 0 (floor division, so negative values
 * go to the lower multiple). Returns -1 when the multiple underflows int64. */
static int step_down(int64_t x, int64_t m, int64_t *out) {
    int64_t q = x / m;
    if (x % m < 0) q--;
    return __builtin_mul_overflow(q, m, out) ? -1 : 0;
}

static int fn_step_int(const udf_call *call, size_t n, const eddy_value *const *args,
                       eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    eddy_type rt = call->ret_type;
    for (size_t i = 0; i < n; i++) {
        const eddy_value *a = &args[0][i], *b = &args[1][i];
        if (a->is_null || b->is_null) {
            out[i].type = rt.id;
            out[i].is_null = 1;
            continue;
        }
        int64_t r;
        if (b->u.i <= 0) return row_err(err, bad_row, i, "STEP width must be positive");
        if (step_down(a->u.i, b->u.i, &r) != 0 || !exact_fits(rt, r))
            return row_err(err, bad_row, i, "numeric value out of range in STEP");
        set_int(&out[i], rt.id, r);
    }
    return 0;
}

static int fn_step_ts(const udf_call *call, size_t n, const eddy_value *const *args,
                      eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    for (size_t i = 0; i < n; i++) {
        const eddy_value *a = &args[0][i], *b = &args[1][i];
        if (a->is_null || b->is_null) {
            out[i].type = EDDY_T_TIMESTAMP;
            out[i].is_null = 1;
            continue;
        }
        int64_t r;
        if (b->u.i <= 0) return row_err(err, bad_row, i, "STEP interval must be positive");
        if (step_down(a->u.i, b->u.i, &r) != 0)
            return row_err(err, bad_row, i, "timestamp out of range in STEP");
        set_int(&out[i], EDDY_T_TIMESTAMP, r);
    }
    return 0;
}

/* ROUND(x [, d]) for exact types: the value keeps its type and scale; digits
 * past d decimals are rounded half away from zero (d may be negative). */
static int fn_round_exact(const udf_call *call, size_t n, const eddy_value *const *args,
                          eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    eddy_type rt = call->ret_type;
    int s = scale_of(rt);
    for (size_t i = 0; i < n; i++) {
        const eddy_value *a = &args[0][i];
        const eddy_value *d = call->n_args > 1 ? &args[1][i] : NULL;
        if (a->is_null || (d && d->is_null)) {
            out[i].type = rt.id;
            out[i].is_null = 1;
            continue;
        }
        int64_t digits = d ? d->u.i : 0;
        int64_t drop = s - digits;   /* decimal digits of the stored value to clear */
        int64_t v = a->u.i;
        if (drop > 0) {
            if (drop > 18) {
                v = 0;
            } else {
                int64_t p = eddy_pow10((int)drop), q = v / p, r = v % p;
                if (r * 2 >= p) q++;
                else if (r * 2 <= -p) q--;
                if (__builtin_mul_overflow(q, p, &v) || !exact_fits(rt, v))
                    return row_err(err, bad_row, i, "numeric value out of range in ROUND");
            }
        }
        set_int(&out[i], rt.id, v);
    }
    return 0;
}

static int fn_round_double(const udf_call *call, size_t n, const eddy_value *const *args,
                           eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    for (size_t i = 0; i < n; i++) {
        const eddy_value *a = &args[0][i];
        const eddy_value *d = call->n_args > 1 ? &args[1][i] : NULL;
        if (a->is_null || (d && d->is_null)) {
            out[i].type = EDDY_T_DOUBLE;
            out[i].is_null = 1;
            continue;
        }
        int64_t digits = d ? d->u.i : 0;
        if (digits > 15 || digits < -15) {
            set_dbl(&out[i], EDDY_T_DOUBLE, a->u.d);
            continue;
        }
        double p = pow(10.0, (double)digits);
        set_dbl(&out[i], EDDY_T_DOUBLE, round(a->u.d * p) / p);
    }
    return 0;
}

int udf__attach_math(udf_registry *r, eddy_err *err) {
    static const struct {
        const char *specific;
        udf_scalar_eval_fn fn;
    } tab[] = {
        {"ABS", fn_abs},       {"CEIL", fn_ceil},   {"CEILING", fn_ceil},
        {"FLOOR", fn_floor},   {"EXP", fn_exp},     {"LN", fn_ln},
        {"LOG10", fn_log10},   {"POWER", fn_power}, {"MOD", fn_mod},
        {"STEP_INT", fn_step_int}, {"STEP_TS", fn_step_ts},
        {"ROUND_EXACT", fn_round_exact}, {"ROUND_DOUBLE", fn_round_double},
    };
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (udf_attach_scalar(r, tab[k].specific, tab[k].fn) != 0)
            return eddy_err_set(err, EDDY_E_NOTFOUND, "function %s is not registered",
                                tab[k].specific);
    return 0;
}
