/*
 * func_registry.c — the function registry of udf.h: registration from the
 * family tables, attachment of implementations, overload resolution with
 * implicit casts, the cast rules of the dialect, and "did you mean" hints.
 *
 * The planner calls udf_lookup() once per function call while planning;
 * the runtime calls udf_attach_*() at start-up. A registry is a flat array
 * of copied udf_func entries: a few hundred entries at most, so a linear
 * scan costs less than a hash table's set-up and keeps the order of the
 * tables (the first of two equally good overloads wins).
 */
#include "udf_int.h"
#include "udf_fns.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct udf_registry {
    udf_func *fns;
    size_t n, cap;
};

udf_registry *udf_registry_new(void) {
    return calloc(1, sizeof(udf_registry));
}

void udf_registry_free(udf_registry *r) {
    if (!r) return;
    free(r->fns);
    free(r);
}

int udf_register(udf_registry *r, const udf_func *tab, size_t n, eddy_err *err) {
    if (r->n + n > r->cap) {
        size_t cap = r->cap ? r->cap : 64;
        while (cap < r->n + n) cap *= 2;
        udf_func *p = realloc(r->fns, cap * sizeof *p);
        if (!p) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory registering functions");
        r->fns = p;
        r->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < r->n; j++)
            if (strcasecmp(r->fns[j].specific, tab[i].specific) == 0)
                return eddy_err_set(err, EDDY_E_INVAL, "function \"%s\" is registered twice",
                                    tab[i].specific);
        r->fns[r->n++] = tab[i];
    }
    return 0;
}

static udf_func *find_specific(udf_registry *r, const char *specific) {
    for (size_t i = 0; i < r->n; i++)
        if (strcasecmp(r->fns[i].specific, specific) == 0) return &r->fns[i];
    return NULL;
}

const udf_int_range *udf_int_range_of(const udf_func *fn, int arg) {
    for (int i = 0; fn && i < fn->n_int_ranges; i++)
        if (fn->int_ranges[i].arg == arg) return &fn->int_ranges[i];
    return NULL;
}

const udf_func *udf_find_specific(const udf_registry *r, const char *specific) {
    return find_specific((udf_registry *)r, specific);
}

int udf_attach_scalar(udf_registry *r, const char *specific, udf_scalar_eval_fn eval) {
    udf_func *f = find_specific(r, specific);
    if (!f || f->kind != UDF_SCALAR) return EDDY_E_NOTFOUND;
    f->eval = eval;
    return 0;
}

int udf_attach_aggregate(udf_registry *r, const char *specific, const udf_agg_impl *impl) {
    udf_func *f = find_specific(r, specific);
    if (!f || f->kind != UDF_AGGREGATE) return EDDY_E_NOTFOUND;
    f->agg = impl;
    return 0;
}

int udf_attach_table(udf_registry *r, const char *specific, const udf_table_impl *impl) {
    udf_func *f = find_specific(r, specific);
    if (!f || f->kind != UDF_TABLE) return EDDY_E_NOTFOUND;
    f->table = impl;
    return 0;
}

int udf_has_impl(const udf_func *f) {
    switch (f->kind) {
    case UDF_SCALAR: return f->eval != NULL;
    case UDF_AGGREGATE: return f->agg != NULL;
    case UDF_TABLE: return f->table != NULL;
    }
    return 0;
}

const udf_func *udf_at(const udf_registry *r, size_t i) {
    return i < r->n ? &r->fns[i] : NULL;
}

int udf_exists(const udf_registry *r, const char *name) {
    for (size_t i = 0; i < r->n; i++)
        if (strcasecmp(r->fns[i].name, name) == 0) return 1;
    return 0;
}

/* ---- the default registry ---------------------------------------------- */

static udf_registry *g_default;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void build_default(void) {
    udf_registry *r = udf_registry_new();
    if (!r) return;
    const struct {
        const udf_func *tab;
        const size_t *n;
    } fams[] = {
        {udf__sigs_math, &udf__n_sigs_math},   {udf__sigs_string, &udf__n_sigs_string},
        {udf__sigs_time, &udf__n_sigs_time},   {udf__sigs_agg, &udf__n_sigs_agg},
        {udf__sigs_table, &udf__n_sigs_table},
    };
    for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
        if (udf_register(r, fams[i].tab, *fams[i].n, NULL) != 0) {
            udf_registry_free(r);
            return;
        }
    }
    /* The built-in implementations (fn_*.c) come with the signatures, so
     * every user of the default registry can run what it plans. */
    if (udf_attach_builtins(r, NULL) != 0) {
        udf_registry_free(r);
        return;
    }
    g_default = r;
}

udf_registry *udf_registry_default(void) {
    pthread_once(&g_once, build_default);
    return g_default;
}

void udf_registry_shutdown(void) {
    udf_registry_free(g_default);
    g_default = NULL;
}

/* ---- types and casts ---------------------------------------------------- */

/* Widening order of the numeric types; 0 for non-numeric. */
static int num_rank(eddy_type_id t) {
    switch (t) {
    case EDDY_T_TINYINT: return 1;
    case EDDY_T_SMALLINT: return 2;
    case EDDY_T_INTEGER: return 3;
    case EDDY_T_BIGINT: return 4;
    case EDDY_T_DECIMAL: return 5;
    case EDDY_T_REAL: return 6;
    case EDDY_T_DOUBLE: return 7;
    default: return 0;
    }
}

int udf_implicit_cast_cost(eddy_type_id from, eddy_type_id to) {
    if (from == to || to == EDDY_T_ANY) return 0;
    if (from == EDDY_T_NULL) return 1;
    int rf = num_rank(from), rt = num_rank(to);
    if (rf && rt) return rt >= rf ? rt - rf : -1;
    if (eddy_type_is_string(from) && eddy_type_is_string(to)) return from == EDDY_T_CHAR ? 1 : 2;
    if (eddy_type_is_binary(from) && eddy_type_is_binary(to)) return 1;
    if (from == EDDY_T_DATE && to == EDDY_T_TIMESTAMP) return 1;
    return -1;
}

int udf_explicit_cast_ok(eddy_type_id from, eddy_type_id to) {
    if (from == to || from == EDDY_T_NULL) return 1;
    int str_to = eddy_type_is_string(to);
    if (eddy_type_is_numeric(from)) return eddy_type_is_numeric(to) || str_to;
    if (eddy_type_is_string(from))
        return eddy_type_is_numeric(to) || str_to || eddy_type_is_datetime(to) ||
               eddy_type_is_interval(to) || to == EDDY_T_BOOLEAN;
    switch (from) {
    case EDDY_T_DATE: return str_to || to == EDDY_T_TIMESTAMP;
    case EDDY_T_TIME: return str_to || to == EDDY_T_TIMESTAMP;
    case EDDY_T_TIMESTAMP: return str_to || to == EDDY_T_TIME || to == EDDY_T_DATE;
    case EDDY_T_INTERVAL_DS:
    case EDDY_T_INTERVAL_YM:
        return eddy_type_is_interval(to) || to == EDDY_T_BIGINT || to == EDDY_T_DECIMAL || str_to;
    case EDDY_T_BOOLEAN: return str_to;
    case EDDY_T_BINARY:
    case EDDY_T_VARBINARY: return eddy_type_is_binary(to);
    default: return 0;
    }
}

/* Decimal digits an integer type needs, to merge it with a DECIMAL. */
static int int_digits(eddy_type_id t) {
    switch (t) {
    case EDDY_T_TINYINT: return 3;
    case EDDY_T_SMALLINT: return 5;
    case EDDY_T_INTEGER: return 10;
    default: return 18;
    }
}

static eddy_type as_decimal(eddy_type t) {
    if (t.id == EDDY_T_DECIMAL) {
        if (t.precision <= 0) t.precision = 18;
        return t;
    }
    return (eddy_type){EDDY_T_DECIMAL, int_digits(t.id), 0};
}

int udf_common_type(eddy_type a, eddy_type b, eddy_type *out) {
    if (a.id == EDDY_T_NULL) {
        *out = b;
        return 0;
    }
    if (b.id == EDDY_T_NULL) {
        *out = a;
        return 0;
    }
    int ra = num_rank(a.id), rb = num_rank(b.id);
    if (ra && rb) {
        if (a.id == b.id && a.id != EDDY_T_DECIMAL) {
            *out = a;
            return 0;
        }
        if (ra >= 6 || rb >= 6) {
            *out = (eddy_type){ra > rb ? a.id : b.id, 0, 0};
            return 0;
        }
        if (a.id == EDDY_T_DECIMAL || b.id == EDDY_T_DECIMAL) {
            eddy_type da = as_decimal(a), db = as_decimal(b);
            int s = da.scale > db.scale ? da.scale : db.scale;
            int wa = da.precision - da.scale, wb = db.precision - db.scale;
            int p = (wa > wb ? wa : wb) + s;
            if (p > 18) p = 18;
            if (s > p) s = p;
            *out = (eddy_type){EDDY_T_DECIMAL, p, s};
            return 0;
        }
        *out = ra > rb ? a : b;
        return 0;
    }
    if (eddy_type_is_string(a.id) && eddy_type_is_string(b.id)) {
        if (a.id == EDDY_T_CHAR && b.id == EDDY_T_CHAR) {
            *out = (eddy_type){EDDY_T_CHAR, a.precision > b.precision ? a.precision : b.precision, 0};
            return 0;
        }
        int p = (a.precision == 0 || b.precision == 0) ? 0
                : (a.precision > b.precision ? a.precision : b.precision);
        *out = (eddy_type){EDDY_T_VARCHAR, p, 0};
        return 0;
    }
    if (eddy_type_is_binary(a.id) && eddy_type_is_binary(b.id)) {
        int p = (a.precision == 0 || b.precision == 0) ? 0
                : (a.precision > b.precision ? a.precision : b.precision);
        *out = (eddy_type){a.id == b.id ? a.id : EDDY_T_VARBINARY, p, 0};
        return 0;
    }
    if (a.id == b.id) {
        *out = a;
        return 0;
    }
    if ((a.id == EDDY_T_DATE && b.id == EDDY_T_TIMESTAMP) ||
        (a.id == EDDY_T_TIMESTAMP && b.id == EDDY_T_DATE)) {
        *out = (eddy_type){EDDY_T_TIMESTAMP, 0, 0};
        return 0;
    }
    return -1;
}

int udf_arg_matches(udf_argtype pat, eddy_type_id t) {
    if (pat < (int)EDDY_T__COUNT) return pat == EDDY_T_ANY ? t != (eddy_type_id)UDF_A_CURSOR
                                                           : pat == (int)t;
    switch ((udf_arg_class)pat) {
    case UDF_A_NUMERIC: return eddy_type_is_numeric(t);
    case UDF_A_INTEGER: return eddy_type_is_integer(t);
    case UDF_A_EXACT: return eddy_type_is_exact(t);
    case UDF_A_STRING: return eddy_type_is_string(t);
    case UDF_A_DATETIME: return eddy_type_is_datetime(t);
    case UDF_A_INTERVAL: return eddy_type_is_interval(t);
    case UDF_A_TIMEUNIT:
    case UDF_A_SYMBOL: return eddy_type_is_string(t);
    case UDF_A_CURSOR: return t == (eddy_type_id)UDF_A_CURSOR;
    case UDF_A_COMPARABLE:
        return eddy_type_is_numeric(t) || eddy_type_is_string(t) || eddy_type_is_datetime(t) ||
               eddy_type_is_interval(t) || t == EDDY_T_BOOLEAN || eddy_type_is_binary(t);
    }
    return 0;
}

const char *udf_argtype_name(udf_argtype pat) {
    if (pat < (int)EDDY_T__COUNT) return eddy_type_name((eddy_type_id)pat);
    switch ((udf_arg_class)pat) {
    case UDF_A_NUMERIC: return "NUMERIC";
    case UDF_A_INTEGER: return "INTEGER";
    case UDF_A_EXACT: return "EXACT NUMERIC";
    case UDF_A_STRING: return "VARCHAR";
    case UDF_A_DATETIME: return "DATETIME";
    case UDF_A_INTERVAL: return "INTERVAL";
    case UDF_A_TIMEUNIT: return "TIME UNIT";
    case UDF_A_SYMBOL: return "KEYWORD";
    case UDF_A_CURSOR: return "CURSOR";
    case UDF_A_COMPARABLE: return "ANY";
    }
    return "?";
}

/* The type a NULL argument takes for a class pattern. */
static eddy_type_id class_default(udf_argtype pat) {
    switch (pat) {
    case UDF_A_NUMERIC: return EDDY_T_DOUBLE;
    case UDF_A_INTEGER: return EDDY_T_INTEGER;
    case UDF_A_EXACT: return EDDY_T_BIGINT;
    case UDF_A_STRING: return EDDY_T_VARCHAR;
    case UDF_A_DATETIME: return EDDY_T_TIMESTAMP;
    case UDF_A_INTERVAL: return EDDY_T_INTERVAL_DS;
    default: return EDDY_T_NULL;
    }
}

/* Cost of passing a value of type t where pat is expected; fills *to. */
static int arg_cost(udf_argtype pat, eddy_type t, eddy_type *to) {
    if (udf_arg_matches(pat, t.id)) {
        *to = t;
        return 0;
    }
    if (t.id == EDDY_T_NULL && pat != UDF_A_CURSOR && pat != UDF_A_TIMEUNIT &&
        pat != UDF_A_SYMBOL) {
        eddy_type_id d = pat < (int)EDDY_T__COUNT ? (eddy_type_id)pat : class_default(pat);
        *to = (eddy_type){d, 0, 0};
        return 1;
    }
    if (pat >= (int)EDDY_T__COUNT) {
        /* Classes take integers as a wider class member (NUMERIC <- INTEGER
         * matched above); the only implicit move into a class is CHAR for
         * string classes, also matched above. */
        return -1;
    }
    int c = udf_implicit_cast_cost(t.id, (eddy_type_id)pat);
    if (c < 0) return -1;
    eddy_type tt = {(eddy_type_id)pat, 0, 0};
    if (pat == EDDY_T_DECIMAL) tt = as_decimal(t);
    else if (eddy_type_is_string(t.id) || eddy_type_is_binary(t.id)) tt.precision = t.precision;
    *to = tt;
    return c;
}

static eddy_type sum_type(eddy_type t) {
    if (eddy_type_is_integer(t.id) || t.id == EDDY_T_NULL) return (eddy_type){EDDY_T_BIGINT, 0, 0};
    if (t.id == EDDY_T_DECIMAL) return (eddy_type){EDDY_T_DECIMAL, 18, t.scale};
    return (eddy_type){EDDY_T_DOUBLE, 0, 0};
}

/* Tries one signature; returns the total cost or -1. */
static int try_sig(const udf_func *f, int n_args, const eddy_type *types, eddy_type *cast_to) {
    if (n_args < f->n_args - f->n_optional) return -1;
    if (n_args > f->n_args && !f->variadic) return -1;
    int total = 0;
    for (int i = 0; i < n_args; i++) {
        int k = i < f->n_args ? i : f->n_args - 1;
        int c = arg_cost(f->args[k], types[i], &cast_to[i]);
        if (c < 0) return -1;
        total += c;
    }
    return total;
}

static int result_type(const udf_func *f, int n_args, const eddy_type *cast_to, eddy_type *ret) {
    switch (f->ret_rule) {
    case UDF_RET_FIXED:
    case UDF_RET_ROW: *ret = f->ret_type; return 0;
    case UDF_RET_ARG: *ret = f->ret_arg < n_args ? cast_to[f->ret_arg] : f->ret_type; return 0;
    case UDF_RET_AVG:
        *ret = n_args > 0 ? cast_to[0] : f->ret_type;
        if (ret->id == EDDY_T_NULL) *ret = (eddy_type){EDDY_T_DOUBLE, 0, 0};
        return 0;
    case UDF_RET_SUM: *ret = sum_type(n_args > 0 ? cast_to[0] : f->ret_type); return 0;
    case UDF_RET_COMMON: {
        eddy_type acc = {EDDY_T_NULL, 0, 0};
        for (int i = 0; i < n_args; i++)
            if (udf_common_type(acc, cast_to[i], &acc) != 0) return -1;
        *ret = acc;
        return 0;
    }
    }
    return -1;
}

static void format_sig_args(char *out, size_t cap, int n, const eddy_type *types) {
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n && used < cap; i++) {
        const char *nm = (int)types[i].id == UDF_A_CURSOR ? "CURSOR" : eddy_type_name(types[i].id);
        int k = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", nm);
        if (k < 0) break;
        used += (size_t)k;
    }
}

static void format_candidates(const udf_registry *r, const char *name, char *out, size_t cap) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->n && used + 1 < cap; i++) {
        const udf_func *f = &r->fns[i];
        if (strcasecmp(f->name, name) != 0) continue;
        int k = snprintf(out + used, cap - used, "%s%s(", used ? ", " : "", f->name);
        if (k < 0 || (size_t)k >= cap - used) break;
        used += (size_t)k;
        for (int a = 0; a < f->n_args && used + 1 < cap; a++) {
            k = snprintf(out + used, cap - used, "%s%s%s%s", a ? ", " : "",
                         a >= f->n_args - f->n_optional ? "[" : "", udf_argtype_name(f->args[a]),
                         a >= f->n_args - f->n_optional ? "]" : "");
            if (k < 0 || (size_t)k >= cap - used) break;
            used += (size_t)k;
        }
        if (f->variadic && used + 5 < cap) used += (size_t)snprintf(out + used, cap - used, ", ...");
        if (used + 2 < cap) used += (size_t)snprintf(out + used, cap - used, ")");
    }
}

int udf_lookup(const udf_registry *r, const char *name, int want_kind, int n_args,
               const eddy_type *arg_types, const udf_func **out, eddy_type *cast_to,
               eddy_type *ret, eddy_err *err) {
    const udf_func *best = NULL;
    int best_cost = -1, any_name = 0;
    eddy_type tmp[64], best_cast[64];
    if (n_args > 64)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "too many arguments for function %s", name);
    for (size_t i = 0; i < r->n; i++) {
        const udf_func *f = &r->fns[i];
        if (strcasecmp(f->name, name) != 0) continue;
        if (want_kind >= 0 && (int)f->kind != want_kind) {
            any_name |= 2;
            continue;
        }
        any_name |= 1;
        int c = try_sig(f, n_args, arg_types, tmp);
        if (c < 0) continue;
        if (!best || c < best_cost) {
            best = f;
            best_cost = c;
            memcpy(best_cast, tmp, (size_t)n_args * sizeof tmp[0]);
        }
    }
    if (best) {
        eddy_type rt;
        if (result_type(best, n_args, best_cast, &rt) != 0) {
            char sig[256];
            format_sig_args(sig, sizeof sig, n_args, arg_types);
            return eddy_err_set(err, EDDY_E_SEMANTIC,
                                "arguments of %s(%s) have no common type", best->name, sig);
        }
        *out = best;
        if (cast_to) memcpy(cast_to, best_cast, (size_t)n_args * sizeof best_cast[0]);
        if (ret) *ret = rt;
        return 0;
    }
    if (any_name == 2) {
        const char *what = want_kind == UDF_AGGREGATE ? "an aggregate"
                           : want_kind == UDF_TABLE   ? "a table function"
                                                      : "a scalar function";
        return eddy_err_set(err, EDDY_E_SEMANTIC, "function %s is not %s", name, what);
    }
    if (any_name) {
        char sig[256], cands[256];
        format_sig_args(sig, sizeof sig, n_args, arg_types);
        format_candidates(r, name, cands, sizeof cands);
        eddy_err_set(err, EDDY_E_SEMANTIC, "function %s(%s) does not exist", name, sig);
        eddy_err_hint(err, "No function matches the given argument types; candidates are %s.",
                      cands);
        return EDDY_E_SEMANTIC;
    }
    eddy_err_set(err, EDDY_E_SEMANTIC, "function \"%s\" does not exist", name);
    const char *near = NULL;
    int best_d = 1000;
    size_t nlen = strlen(name);
    int limit = nlen < 6 ? 1 : (nlen < 10 ? 2 : 3);
    for (size_t i = 0; i < r->n; i++) {
        int d = udf_edit_distance(name, r->fns[i].name);
        if (d < best_d) {
            best_d = d;
            near = r->fns[i].name;
        }
    }
    if (near && best_d <= limit) eddy_err_hint(err, "Perhaps you meant %s.", near);
    return EDDY_E_SEMANTIC;
}

int udf_edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32) return 32;
    int prev[33], cur[33];
    for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int sub = prev[j - 1] + (toupper((unsigned char)a[i - 1]) !=
                                     toupper((unsigned char)b[j - 1]));
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            int m = sub < del ? sub : del;
            cur[j] = m < ins ? m : ins;
        }
        memcpy(prev, cur, (lb + 1) * sizeof(int));
    }
    return prev[lb];
}
