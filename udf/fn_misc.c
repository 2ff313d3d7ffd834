/*
 * fn_misc.c — the null-handling functions COALESCE and NULLIF (SQL.md
 * §6.6), MONOTONIC (§6.9), and udf_attach_builtins(), which attaches every
 * scalar implementation of udf/ to a registry.
 *
 * These functions are not strict: they receive NULL arguments and decide
 * themselves. The planner casts arguments to the common type, but the values
 * are converted again here when an argument's resolved type differs from the
 * result type (a DECIMAL scale, an integer meeting a DOUBLE), so a planner
 * that skips the cast still gets correct values.
 */
#include "udf_fns.h"
#include "udf_int.h"

#include <string.h>

static int is_float(eddy_type_id t) { return t == EDDY_T_REAL || t == EDDY_T_DOUBLE; }

/* Converts a non-NULL value of type `from` to type `to` for numeric types;
 * other types are copied. Returns -1 when an exact value overflows. */
static int convert(const eddy_value *v, eddy_type from, eddy_type to, eddy_value *o) {
    *o = *v;
    o->type = to.id;
    if (v->is_null || !eddy_type_is_numeric(from.id) || !eddy_type_is_numeric(to.id)) return 0;
    int fs = from.id == EDDY_T_DECIMAL ? from.scale : 0;
    int ts = to.id == EDDY_T_DECIMAL ? to.scale : 0;
    if (is_float(to.id)) {
        if (!is_float(from.id)) o->u.d = (double)v->u.i / (double)eddy_pow10(fs);
        return 0;
    }
    if (is_float(from.id)) {
        double d = v->u.d * (double)eddy_pow10(ts);
        if (!(d > -9.2e18 && d < 9.2e18)) return -1;
        o->u.i = (int64_t)(d < 0 ? d - 0.5 : d + 0.5);
        return 0;
    }
    if (ts >= fs) {
        int64_t p = eddy_pow10(ts - fs);
        if (p == 0 || __builtin_mul_overflow(v->u.i, p, &o->u.i)) return -1;
    } else {
        o->u.i = v->u.i / eddy_pow10(fs - ts);
    }
    return 0;
}

static int fn_coalesce(const udf_call *call, size_t n, const eddy_value *const *args,
                       eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    for (size_t i = 0; i < n; i++) {
        out[i].type = call->ret_type.id;
        out[i].is_null = 1;
        for (int k = 0; k < call->n_args; k++) {
            if (args[k][i].is_null) continue;
            if (convert(&args[k][i], call->arg_types[k], call->ret_type, &out[i]) != 0) {
                *bad_row = i;
                return eddy_err_set(err, EDDY_E_RUNTIME, "numeric value out of range in COALESCE");
            }
            break;
        }
    }
    return 0;
}

/* Three-way comparison of two non-NULL values of the given types: numeric
 * values by value (scales and floats reconciled), strings and binaries by
 * bytes, everything else by its int64 representation. */
static int compare(const eddy_value *a, eddy_type ta, const eddy_value *b, eddy_type tb) {
    if (eddy_type_is_numeric(ta.id) && eddy_type_is_numeric(tb.id)) {
        if (is_float(ta.id) || is_float(tb.id)) {
            eddy_type d = {EDDY_T_DOUBLE, 0, 0};
            eddy_value x, y;
            convert(a, ta, d, &x);
            convert(b, tb, d, &y);
            return x.u.d < y.u.d ? -1 : x.u.d > y.u.d;
        }
        int sa = ta.id == EDDY_T_DECIMAL ? ta.scale : 0, sb = tb.id == EDDY_T_DECIMAL ? tb.scale : 0;
        int s = sa > sb ? sa : sb;
        __int128 x = (__int128)a->u.i * eddy_pow10(s - sa);
        __int128 y = (__int128)b->u.i * eddy_pow10(s - sb);
        return x < y ? -1 : x > y;
    }
    if ((eddy_type_is_string(ta.id) || eddy_type_is_binary(ta.id)) &&
        (eddy_type_is_string(tb.id) || eddy_type_is_binary(tb.id))) {
        uint32_t m = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
        int c = m ? memcmp(a->u.s.p, b->u.s.p, m) : 0;
        if (c != 0) return c < 0 ? -1 : 1;
        return a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
    }
    /* A DATE meeting a TIMESTAMP compares as its midnight. */
    __int128 x = a->u.i, y = b->u.i;
    if (ta.id == EDDY_T_DATE && tb.id == EDDY_T_TIMESTAMP) x *= 86400000;
    if (ta.id == EDDY_T_TIMESTAMP && tb.id == EDDY_T_DATE) y *= 86400000;
    return x < y ? -1 : x > y;
}

static int fn_nullif(const udf_call *call, size_t n, const eddy_value *const *args,
                     eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    for (size_t i = 0; i < n; i++) {
        const eddy_value *a = &args[0][i], *b = &args[1][i];
        if (a->is_null || (!b->is_null && compare(a, call->arg_types[0], b, call->arg_types[1]) == 0)) {
            out[i].type = call->ret_type.id;
            out[i].is_null = 1;
            continue;
        }
        out[i] = *a;
        out[i].type = call->ret_type.id;
    }
    return 0;
}

/* MONOTONIC only carries a promise for the planner; the value is unchanged. */
static int fn_monotonic(const udf_call *call, size_t n, const eddy_value *const *args,
                        eddy_value *out, arena *mem, size_t *bad_row, eddy_err *err) {
    for (size_t i = 0; i < n; i++) {
        out[i] = args[0][i];
        out[i].type = call->ret_type.id;
    }
    return 0;
}

int udf_attach_builtins(udf_registry *r, eddy_err *err) {
    int rc;
    if ((rc = udf__attach_math(r, err)) != 0) return rc;
    if ((rc = udf__attach_string(r, err)) != 0) return rc;
    if ((rc = udf__attach_regex(r, err)) != 0) return rc;
    if ((rc = udf__attach_time(r, err)) != 0) return rc;
    if ((rc = udf__attach_logparse(r, err)) != 0) return rc;
    static const struct {
        const char *specific;
        udf_scalar_eval_fn fn;
    } tab[] = {{"COALESCE", fn_coalesce}, {"NULLIF", fn_nullif}, {"MONOTONIC", fn_monotonic}};
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (udf_attach_scalar(r, tab[k].specific, tab[k].fn) != 0)
            return eddy_err_set(err, EDDY_E_NOTFOUND, "function %s is not registered",
                                tab[k].specific);
    return 0;
}
