/*
 * check_types.c — turns AST expressions into typed plan expressions: literal
 * values, operators with the dialect's result types (SQL.md §2.4, §2.5),
 * implicit casts made explicit, CAST validity (§2.7), function calls
 * resolved in the registry (udf.h) or inlined from CREATE FUNCTION, and
 * group-key / aggregate references when planning over an aggregate's output
 * (see pl_aggctx in planner_int.h).
 */
#include "planner_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eddy_time.h"
#include "sql_parse.h"

static eddy_type ty(eddy_type_id id) {
    return (eddy_type){id, 0, 0};
}

static const char *tname(eddy_type t, char *buf) {
    eddy_type_format(t, buf, 48);
    return buf;
}

const char *pl_time_unit_name(ast_time_unit u) {
    return ast_time_unit_name(u);
}

int64_t pl_unit_ms(ast_time_unit u) {
    switch (u) {
    case AST_TU_DAY: return 86400000;
    case AST_TU_HOUR: return 3600000;
    case AST_TU_MINUTE: return 60000;
    case AST_TU_SECOND: return 1000;
    default: return 0;
    }
}

/* ---- literals ------------------------------------------------------------ */

/* Parses the text of an interval literal by its qualifier into milliseconds
 * (day-time) or months (year-month). Returns 0 or -1. */
static int parse_interval(const char *s, size_t n, ast_interval_qual iq, int ym, int64_t *out) {
    static const ast_time_unit ds_order[] = {AST_TU_DAY, AST_TU_HOUR, AST_TU_MINUTE,
                                             AST_TU_SECOND};
    size_t i = 0;
    int neg = 0;
    while (i < n && s[i] == ' ') i++;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    ast_time_unit end = iq.end == AST_TU_NONE ? iq.start : iq.end;
    int64_t total = 0;
    if (ym) {
        int64_t y = 0, m = 0;
        const char *p = s + i;
        char *e;
        long long v = strtoll(p, &e, 10);
        if (e == p || v < 0) return -1;
        i = (size_t)(e - s);
        if (iq.start == AST_TU_YEAR) y = v;
        else m = v;
        if (iq.start == AST_TU_YEAR && end == AST_TU_MONTH) {
            if (i >= n || s[i] != '-') return -1;
            p = s + i + 1;
            v = strtoll(p, &e, 10);
            if (e == p || v < 0 || v > 11) return -1;
            m = v;
            i = (size_t)(e - s);
        }
        total = y * 12 + m;
    } else {
        int k0 = -1, k1 = -1;
        for (int k = 0; k < 4; k++) {
            if (ds_order[k] == iq.start) k0 = k;
            if (ds_order[k] == end) k1 = k;
        }
        if (k0 < 0 || k1 < k0) return -1;
        for (int k = k0; k <= k1; k++) {
            if (k > k0) {
                char sep = ds_order[k] == AST_TU_HOUR ? ' ' : ':';
                if (i >= n || s[i] != sep) return -1;
                i++;
            }
            if (i >= n || s[i] < '0' || s[i] > '9') return -1;
            int64_t v = 0;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                v = v * 10 + (s[i++] - '0');
                if (v > 1000000000000LL) return -1;
            }
            total += v * pl_unit_ms(ds_order[k]);
            if (ds_order[k] == AST_TU_SECOND && i < n && s[i] == '.') {
                i++;
                int64_t scale = 100;
                while (i < n && s[i] >= '0' && s[i] <= '9') {
                    total += (s[i++] - '0') * scale;
                    scale /= 10;
                }
            }
        }
    }
    while (i < n && s[i] == ' ') i++;
    if (i != n) return -1;
    *out = neg ? -total : total;
    return 0;
}

static int parse_time_of_day(const char *s, size_t n, int64_t *ms) {
    unsigned h, m, sec = 0, frac = 0;
    char buf[32];
    if (n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    int k = 0, got = sscanf(buf, "%u:%u%n", &h, &m, &k);
    if (got < 2) return -1;
    const char *r = buf + k;
    if (*r == ':') {
        int k2 = 0;
        if (sscanf(r + 1, "%u%n", &sec, &k2) < 1) return -1;
        r += 1 + k2;
        if (*r == '.') {
            r++;
            int digits = 0;
            while (*r >= '0' && *r <= '9') {
                if (digits < 3) frac = frac * 10 + (unsigned)(*r - '0');
                digits++;
                r++;
            }
            for (; digits < 3; digits++) frac *= 10;
        }
    }
    if (*r || h > 23 || m > 59 || sec > 59) return -1;
    *ms = ((int64_t)h * 3600 + m * 60 + sec) * 1000 + frac;
    return 0;
}

/* As for integers, a literal beyond the type's range is an error, not an
 * infinity that EXPLAIN and the JSON encoder could not spell. */
static int double_literal(pl *p, const ast_expr *e, double *out) {
    *out = strtod(e->u.lit.text, NULL);
    if (isinf(*out))
        return pl_error(p, e->off, e->len, "numeric literal %s is out of range for DOUBLE",
                        e->u.lit.text);
    return 0;
}

static plan_expr *literal(pl *p, const ast_expr *e) {
    const char *t = e->u.lit.text;
    uint32_t n = e->u.lit.text_len;
    plan_expr *x = pl_new_expr(p, PX_LITERAL, ty(EDDY_T_NULL), e->off, e->len);
    if (!x) return NULL;
    eddy_value *v = &x->u.lit;
    x->nullable = 0;
    switch (e->u.lit.kind) {
    case AST_LIT_NULL:
    case AST_LIT_UNKNOWN:
        x->type = ty(e->u.lit.kind == AST_LIT_NULL ? EDDY_T_NULL : EDDY_T_BOOLEAN);
        v->is_null = 1;
        x->nullable = 1;
        break;
    case AST_LIT_TRUE:
    case AST_LIT_FALSE:
        x->type = ty(EDDY_T_BOOLEAN);
        v->u.i = e->u.lit.kind == AST_LIT_TRUE;
        break;
    case AST_LIT_INTEGER: {
        errno = 0;
        long long ll = strtoll(t, NULL, 10);
        if (errno == ERANGE) {
            pl_error(p, e->off, e->len, "integer literal %s is out of range for BIGINT", t);
            return NULL;
        }
        x->type = ty(ll >= INT32_MIN && ll <= INT32_MAX ? EDDY_T_INTEGER : EDDY_T_BIGINT);
        v->u.i = ll;
        break;
    }
    case AST_LIT_DECIMAL: {
        int64_t m = 0;
        int digits = 0, scale = 0, seen_point = 0, lead = 1;
        for (uint32_t i = 0; i < n; i++) {
            if (t[i] == '.') {
                seen_point = 1;
                continue;
            }
            if (t[i] < '0' || t[i] > '9') break;
            if (lead && t[i] == '0' && !seen_point) continue;
            lead = 0;
            if (digits >= 18) {
                digits = 99;
                break;
            }
            m = m * 10 + (t[i] - '0');
            digits++;
            if (seen_point) scale++;
        }
        if (digits > 18) {
            x->type = ty(EDDY_T_DOUBLE);
            if (double_literal(p, e, &v->u.d) != 0) return NULL;
        } else {
            int p_ = digits > scale ? digits : scale + 1;
            if (p_ < 1) p_ = 1;
            x->type = (eddy_type){EDDY_T_DECIMAL, p_, scale};
            v->u.i = m;
        }
        break;
    }
    case AST_LIT_APPROX:
        x->type = ty(EDDY_T_DOUBLE);
        if (double_literal(p, e, &v->u.d) != 0) return NULL;
        break;
    case AST_LIT_STRING: {
        int32_t chars = 0;
        for (uint32_t i = 0; i < n; i++)
            if (((unsigned char)t[i] & 0xC0) != 0x80) chars++;
        x->type = (eddy_type){EDDY_T_VARCHAR, chars ? chars : 1, 0};
        /* Copied: the AST may be freed before the plan (inlined functions). */
        v->u.s.p = arena_strndup(p->a, t, n);
        if (!v->u.s.p) return NULL;
        v->u.s.n = n;
        break;
    }
    case AST_LIT_BINARY: {
        if (n % 2) {
            pl_error(p, e->off, e->len, "binary literal must have an even number of hex digits");
            return NULL;
        }
        char *b = pl_alloc(p, n / 2 + 1);
        if (!b) return NULL;
        for (uint32_t i = 0; i < n / 2; i++) {
            char h[3] = {t[2 * i], t[2 * i + 1], 0};
            b[i] = (char)strtol(h, NULL, 16);
        }
        x->type = (eddy_type){EDDY_T_VARBINARY, (int32_t)(n / 2 ? n / 2 : 1), 0};
        v->u.s.p = b;
        v->u.s.n = n / 2;
        break;
    }
    case AST_LIT_DATE:
    case AST_LIT_TIMESTAMP: {
        int64_t ms;
        if (eddy_ts_parse(t, n, &ms) != 0) {
            pl_error(p, e->off, e->len, "invalid %s literal '%s'",
                     e->u.lit.kind == AST_LIT_DATE ? "DATE" : "TIMESTAMP", t);
            return NULL;
        }
        if (e->u.lit.kind == AST_LIT_DATE) {
            x->type = ty(EDDY_T_DATE);
            v->u.i = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
        } else {
            x->type = ty(EDDY_T_TIMESTAMP);
            v->u.i = ms;
        }
        break;
    }
    case AST_LIT_TIME: {
        int64_t ms;
        if (parse_time_of_day(t, n, &ms) != 0) {
            pl_error(p, e->off, e->len, "invalid TIME literal '%s'", t);
            return NULL;
        }
        x->type = ty(EDDY_T_TIME);
        v->u.i = ms;
        break;
    }
    case AST_LIT_INTERVAL: {
        ast_interval_qual iq = e->u.lit.iq;
        int ym = iq.start == AST_TU_YEAR || iq.start == AST_TU_MONTH;
        int64_t val;
        if (parse_interval(t, n, iq, ym, &val) != 0) {
            pl_error(p, e->off, e->len, "invalid interval literal '%s'", t);
            eddy_err_hint(p->err, "Write it as in INTERVAL '10' SECOND or INTERVAL '3 4' DAY TO HOUR.");
            return NULL;
        }
        if (e->u.lit.sign == '-') val = -val;
        x->type = ty(ym ? EDDY_T_INTERVAL_YM : EDDY_T_INTERVAL_DS);
        v->u.i = val;
        break;
    }
    }
    v->type = x->type.id;
    return x;
}

int pl_interval_ms(pl *p, const ast_expr *e, int64_t *ms) {
    if (!e || e->kind != AST_E_LITERAL || e->u.lit.kind != AST_LIT_INTERVAL) {
        if (e) pl_error(p, e->off, e->len, "expected an interval literal such as INTERVAL '1' MINUTE");
        return EDDY_E_SEMANTIC;
    }
    plan_expr *x = literal(p, e);
    if (!x) return EDDY_E_SEMANTIC;
    if (x->type.id != EDDY_T_INTERVAL_DS)
        return pl_error(p, e->off, e->len, "year-month intervals cannot size a window");
    if (x->u.lit.u.i < 0) return pl_error(p, e->off, e->len, "window size must not be negative");
    *ms = x->u.lit.u.i;
    return 0;
}

int pl_literal_int(pl *p, const ast_expr *e, int64_t *v) {
    if (!e || e->kind != AST_E_LITERAL || e->u.lit.kind != AST_LIT_INTEGER) {
        if (e) pl_error(p, e->off, e->len, "expected an integer literal");
        return EDDY_E_SEMANTIC;
    }
    plan_expr *x = literal(p, e);
    if (!x) return EDDY_E_SEMANTIC;
    *v = x->u.lit.u.i;
    return 0;
}

const char *pl_expr_name(pl *p, const ast_expr *e, uint32_t i) {
    if (e->kind == AST_E_COLUMN && e->u.col.n_parts > 0)
        return e->u.col.parts[e->u.col.n_parts - 1].s;
    return arena_sprintf(p->a, "EXPR$%u", i);
}

/* ---- operators ------------------------------------------------------------ */

plan_expr *pl_op_expr(pl *p, plan_op op, eddy_type t, plan_expr *a, plan_expr *b, uint32_t off, uint32_t len) {
    plan_expr *x = pl_new_expr(p, PX_OP, t, off, len);
    if (!x) return NULL;
    x->u.op.op = op;
    x->u.op.args[0] = a;
    x->u.op.args[1] = b;
    x->u.op.n_args = b ? 2 : 1;
    x->nullable = a->nullable || (b && b->nullable);
    return x;
}

static plan_expr *op_expr(pl *p, plan_op op, eddy_type t, plan_expr *a, plan_expr *b,
                          const ast_expr *e) {
    return pl_op_expr(p, op, t, a, b, e->off, e->len);
}

static plan_expr *op_mismatch(pl *p, const ast_expr *e, const char *op, eddy_type a, eddy_type b) {
    char ba[48], bb[48];
    pl_error(p, e->off, e->len, "operator does not exist: %s %s %s", tname(a, ba), op, tname(b, bb));
    eddy_err_hint(p->err, "No operator matches the given operand types; add an explicit CAST.");
    return NULL;
}

static int int_digits(eddy_type_id t) {
    return t == EDDY_T_TINYINT ? 3 : t == EDDY_T_SMALLINT ? 5 : t == EDDY_T_INTEGER ? 10 : 18;
}

static eddy_type as_dec(eddy_type t) {
    if (t.id == EDDY_T_DECIMAL) return t.precision ? t : (eddy_type){EDDY_T_DECIMAL, 18, t.scale};
    return (eddy_type){EDDY_T_DECIMAL, int_digits(t.id), 0};
}

static int cap18(int v) {
    return v > 18 ? 18 : v;
}

/* Numeric arithmetic: casts the operands to the operand type and returns the
 * result type per SQL.md §2.4 (integer division truncates). */
static plan_expr *arith(pl *p, plan_op op, plan_expr *a, plan_expr *b, const ast_expr *e) {
    eddy_type ta = a->type, tb = b->type, rt;
    if (ta.id == EDDY_T_NULL) ta = tb;
    if (tb.id == EDDY_T_NULL) tb = ta;
    if (ta.id == EDDY_T_NULL) ta = tb = ty(EDDY_T_INTEGER);
    int fa = ta.id == EDDY_T_REAL || ta.id == EDDY_T_DOUBLE;
    int fb = tb.id == EDDY_T_REAL || tb.id == EDDY_T_DOUBLE;
    if (op == PLAN_OP_MOD && (fa || fb || !eddy_type_is_exact(ta.id) || !eddy_type_is_exact(tb.id)))
        return op_mismatch(p, e, "%", a->type, b->type);
    if (fa || fb) {
        rt = ty(ta.id == EDDY_T_REAL && tb.id == EDDY_T_REAL ? EDDY_T_REAL : EDDY_T_DOUBLE);
        a = pl_cast(p, a, rt);
        b = pl_cast(p, b, rt);
    } else if (ta.id == EDDY_T_DECIMAL || tb.id == EDDY_T_DECIMAL) {
        eddy_type da = as_dec(ta), db = as_dec(tb);
        int s, pr;
        switch (op) {
        case PLAN_OP_MUL:
            pr = cap18(da.precision + db.precision);
            s = da.scale + db.scale;
            break;
        case PLAN_OP_DIV: {
            int d = da.precision - da.scale + db.scale;
            s = da.scale + db.precision + 1;
            if (s < 6) s = 6;
            if (d + s > 18) s = 18 - d;
            if (s < da.scale) s = da.scale;
            pr = cap18(d + s);
            break;
        }
        default: {
            s = da.scale > db.scale ? da.scale : db.scale;
            int w = da.precision - da.scale > db.precision - db.scale ? da.precision - da.scale
                                                                      : db.precision - db.scale;
            pr = cap18(w + s + 1);
        }
        }
        if (s > pr) s = pr;
        rt = (eddy_type){EDDY_T_DECIMAL, pr, s};
        if (ta.id != EDDY_T_DECIMAL) a = pl_cast(p, a, da);
        if (tb.id != EDDY_T_DECIMAL) b = pl_cast(p, b, db);
    } else {
        rt = ta.id >= tb.id ? ta : tb; /* integer ids are ordered by width */
        a = pl_cast(p, a, rt);
        b = pl_cast(p, b, rt);
    }
    if (!a || !b) return NULL;
    return op_expr(p, op, rt, a, b, e);
}

static plan_expr *binary(pl *p, const ast_expr *e, pl_scope *sc, pl_aggctx *ac) {
    ast_op aop = e->u.binary.op;
    plan_expr *a = pl_expr(p, e->u.binary.left, sc, ac);
    if (!a) return NULL;
    plan_expr *b = pl_expr(p, e->u.binary.right, sc, ac);
    if (!b) return NULL;
    eddy_type ta = a->type, tb = b->type;
    const char *opn = ast_op_name(aop);
    switch (aop) {
    case AST_OP_AND:
    case AST_OP_OR: {
        char buf[48];
        plan_expr *bad = ta.id != EDDY_T_BOOLEAN && ta.id != EDDY_T_NULL ? a
                         : tb.id != EDDY_T_BOOLEAN && tb.id != EDDY_T_NULL ? b : NULL;
        if (bad) {
            pl_error(p, bad->off, bad->len, "argument of %s must be type BOOLEAN, not type %s",
                     opn, tname(bad->type, buf));
            return NULL;
        }
        return op_expr(p, aop == AST_OP_AND ? PLAN_OP_AND : PLAN_OP_OR, ty(EDDY_T_BOOLEAN), a, b, e);
    }
    case AST_OP_EQ:
    case AST_OP_NE:
    case AST_OP_LT:
    case AST_OP_LE:
    case AST_OP_GT:
    case AST_OP_GE:
    case AST_OP_IS_DISTINCT:
    case AST_OP_IS_NOT_DISTINCT: {
        eddy_type ct;
        if (udf_common_type(ta, tb, &ct) != 0) return op_mismatch(p, e, opn, ta, tb);
        if (!eddy_type_is_string(ct.id)) {
            a = pl_cast(p, a, ct);
            b = pl_cast(p, b, ct);
        }
        if (!a || !b) return NULL;
        static const plan_op map[] = {
            [AST_OP_EQ] = PLAN_OP_EQ, [AST_OP_NE] = PLAN_OP_NE, [AST_OP_LT] = PLAN_OP_LT,
            [AST_OP_LE] = PLAN_OP_LE, [AST_OP_GT] = PLAN_OP_GT, [AST_OP_GE] = PLAN_OP_GE,
            [AST_OP_IS_DISTINCT] = PLAN_OP_IS_DISTINCT,
            [AST_OP_IS_NOT_DISTINCT] = PLAN_OP_IS_NOT_DISTINCT,
        };
        plan_expr *x = op_expr(p, map[aop], ty(EDDY_T_BOOLEAN), a, b, e);
        if (x && (aop == AST_OP_IS_DISTINCT || aop == AST_OP_IS_NOT_DISTINCT)) x->nullable = 0;
        return x;
    }
    case AST_OP_CONCAT: {
        if (!(eddy_type_is_string(ta.id) || ta.id == EDDY_T_NULL) ||
            !(eddy_type_is_string(tb.id) || tb.id == EDDY_T_NULL))
            return op_mismatch(p, e, "||", ta, tb);
        int32_t len = (ta.precision && tb.precision) ? ta.precision + tb.precision : 0;
        return op_expr(p, PLAN_OP_CONCAT, (eddy_type){EDDY_T_VARCHAR, len, 0}, a, b, e);
    }
    case AST_OP_ADD:
    case AST_OP_SUB:
    case AST_OP_MUL:
    case AST_OP_DIV:
    case AST_OP_MOD: {
        plan_op op = aop == AST_OP_ADD ? PLAN_OP_ADD : aop == AST_OP_SUB ? PLAN_OP_SUB
                     : aop == AST_OP_MUL ? PLAN_OP_MUL : aop == AST_OP_DIV ? PLAN_OP_DIV
                                                                           : PLAN_OP_MOD;
        int na = eddy_type_is_numeric(ta.id) || ta.id == EDDY_T_NULL;
        int nb = eddy_type_is_numeric(tb.id) || tb.id == EDDY_T_NULL;
        if (na && nb) return arith(p, op, a, b, e);
        int da = eddy_type_is_datetime(ta.id), db = eddy_type_is_datetime(tb.id);
        int ia = eddy_type_is_interval(ta.id), ib = eddy_type_is_interval(tb.id);
        if (op == PLAN_OP_ADD || op == PLAN_OP_SUB) {
            if (da && ib) return op_expr(p, op, ta, a, b, e);
            if (ia && db && op == PLAN_OP_ADD) return op_expr(p, op, tb, b, a, e);
            if (ia && ib && ta.id == tb.id) return op_expr(p, op, ta, a, b, e);
            if (da && db && op == PLAN_OP_SUB) {
                pl_error(p, e->off, e->len, "the difference of two datetimes needs a qualifier");
                eddy_err_hint(p->err, "Write (a - b) SECOND or (a - b) DAY TO SECOND.");
                return NULL;
            }
        }
        if (op == PLAN_OP_MUL && ia && nb) return op_expr(p, op, ta, a, b, e);
        if (op == PLAN_OP_MUL && na && ib) return op_expr(p, op, tb, b, a, e);
        if (op == PLAN_OP_DIV && ia && nb) return op_expr(p, op, ta, a, b, e);
        return op_mismatch(p, e, opn, ta, tb);
    }
    default: break;
    }
    return op_mismatch(p, e, opn, ta, tb);
}

/* ---- function calls ------------------------------------------------------- */

static plan_expr *str_lit(pl *p, const char *s, const ast_expr *at) {
    plan_expr *x = pl_new_expr(p, PX_LITERAL, (eddy_type){EDDY_T_VARCHAR, (int32_t)strlen(s), 0},
                               at->off, at->len);
    if (!x) return NULL;
    x->nullable = 0;
    x->u.lit.type = EDDY_T_VARCHAR;
    x->u.lit.u.s.p = s;
    x->u.lit.u.s.n = (uint32_t)strlen(s);
    return x;
}

/* Inlines a CREATE FUNCTION body with its parameters bound to the planned
 * arguments (types must match exactly: the dialect has no implicit casts
 * for SQL functions). */
static plan_expr *inline_function(pl *p, const ast_expr *e, plan_expr **args, uint32_t n) {
    eddy_type types[64];
    const char *name = e->u.call.name.s;
    if (n > 64) {
        pl_error(p, e->off, e->len, "too many arguments");
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) types[i] = args[i]->type;
    const cat_function *f = catalog_function(p->cat, name, n, types);
    if (!f) {
        char sig[256] = "";
        size_t used = 0;
        for (uint32_t i = 0; i < n && used < sizeof sig; i++) {
            char b[48];
            int k = snprintf(sig + used, sizeof sig - used, "%s%s", i ? ", " : "", tname(types[i], b));
            if (k > 0) used += (size_t)k;
        }
        pl_error(p, e->off, e->len, "function %s(%s) does not exist", name, sig);
        eddy_err_hint(p->err, "SQL functions take exactly their declared parameter types; add an explicit CAST.");
        return NULL;
    }
    if (p->depth > 16) {
        pl_error(p, e->off, e->len, "function %s calls itself too deeply", name);
        return NULL;
    }
    arena scratch;
    arena_init(&scratch, 4096);
    ast_stmt *st = NULL;
    eddy_err perr;
    eddy_err_clear(&perr);
    plan_expr *body = NULL;
    if (sql_parse_one(f->sql, strlen(f->sql), &scratch, &st, &perr) != 0 ||
        st->kind != AST_S_CREATE_FUNCTION) {
        pl_error(p, e->off, e->len, "function %s cannot be re-parsed: %s", name, perr.msg);
    } else {
        pl_scope fs;
        memset(&fs, 0, sizeof fs);
        fs.params = f->params;
        fs.param_vals = args;
        fs.n_params = n;
        /* Errors in the body point at the call; the body text is elsewhere. */
        p->depth++;
        body = pl_expr(p, st->u.create_function.body, &fs, NULL);
        p->depth--;
        if (!body) {
            p->err->off = e->off;
            p->err->len = e->len;
            p->err->has_pos = 1;
        } else if (body->type.id != f->ret.id) {
            body = pl_cast(p, body, f->ret);
        }
    }
    /* Plan expressions never point into the scratch AST: literal() copies. */
    arena_free(&scratch);
    return body;
}

static plan_expr *call(pl *p, const ast_expr *e, pl_scope *sc, pl_aggctx *ac) {
    const char *name = e->u.call.name.s;
    /* Only the select item's own call is planned as a row field; calls in
     * its arguments are ordinary. */
    uint32_t row_field = p->row_field;
    p->row_field = 0;
    if (pl_is_agg_call(p, e)) {
        if (!ac || ac->mode == PL_AGG_FORBID) {
            pl_error(p, e->off, e->len, "aggregate functions are not allowed in %s",
                     ac && ac->clause ? ac->clause : "this context");
            return NULL;
        }
        return pl_agg_call(p, e, ac);
    }
    if (e->u.call.over) {
        pl_error(p, e->off, e->len, "OVER is only allowed with aggregate functions; %s is not one",
                 name);
        return NULL;
    }
    if (e->u.call.star || e->u.call.quant == AST_SETQ_DISTINCT) {
        pl_error(p, e->off, e->len, "%s is not an aggregate function", name);
        return NULL;
    }
    uint32_t n = e->u.call.n_args;
    plan_expr *args[UDF_MAX_ARGS + 2];
    uint32_t na = 0;
    if (n > UDF_MAX_ARGS) {
        pl_error(p, e->off, e->len, "too many arguments for function %s", name);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        const ast_expr *ae = e->u.call.args[i];
        if (ae->kind == AST_E_CURSOR) {
            pl_error(p, ae->off, ae->len, "CURSOR is only allowed in FROM TABLE(...)");
            return NULL;
        }
    }
    switch (e->u.call.form) {
    case AST_CALL_EXTRACT:
        args[na++] = str_lit(p, pl_time_unit_name(e->u.call.unit), e);
        break;
    case AST_CALL_TRIM:
        args[na++] = str_lit(p, e->u.call.trim == AST_TRIM_LEADING    ? "LEADING"
                                : e->u.call.trim == AST_TRIM_TRAILING ? "TRAILING"
                                                                      : "BOTH", e);
        if (n < 2) args[na++] = str_lit(p, " ", e);
        break;
    default: break;
    }
    if (e->u.call.form == AST_CALL_TRIM) {
        /* AST order is (s, chars); the registry's is (mode, chars, s). */
        if (n >= 2 && !(args[na++] = pl_expr(p, e->u.call.args[1], sc, ac))) return NULL;
        if (n >= 1 && !(args[na++] = pl_expr(p, e->u.call.args[0], sc, ac))) return NULL;
    } else {
        for (uint32_t i = 0; i < n; i++)
            if (!(args[na++] = pl_expr(p, e->u.call.args[i], sc, ac))) return NULL;
    }
    if (e->u.call.form == AST_CALL_FLOOR_TO)
        args[na++] = str_lit(p, pl_time_unit_name(e->u.call.unit), e);
    for (uint32_t i = 0; i < na; i++)
        if (!args[i]) return NULL;
    if (catalog_has_function(p->cat, name)) return inline_function(p, e, args, na);
    eddy_type types[UDF_MAX_ARGS + 2], cast_to[UDF_MAX_ARGS + 2], ret;
    for (uint32_t i = 0; i < na; i++) types[i] = args[i]->type;
    const udf_func *f;
    eddy_err lerr;
    eddy_err_clear(&lerr);
    if (udf_lookup(p->reg, name, UDF_SCALAR, (int)na, types, &f, cast_to, &ret, &lerr) != 0) {
        if (udf_exists(p->reg, name)) {
            int tbl = 0;
            for (size_t i = 0; udf_at(p->reg, i); i++)
                if (!strcasecmp(udf_at(p->reg, i)->name, name) && udf_at(p->reg, i)->kind == UDF_TABLE)
                    tbl = 1;
            if (tbl) {
                pl_error(p, e->off, e->len, "table function %s must be called in FROM TABLE(...)", name);
                return NULL;
            }
        }
        pl_error(p, e->off, e->len, "%s", lerr.msg);
        if (lerr.hint[0]) eddy_err_hint(p->err, "%s", lerr.hint);
        return NULL;
    }
    if ((f->flags & UDF_F_ROW_RESULT) && !row_field) {
        pl_error(p, e->off, e->len, "%s returns a row: select it as an item of its own (%s(...) AS r) and read "
                 "its fields as alias.r.COLUMN1", f->name, f->name);
        eddy_err_hint(p->err, "As in SELECT STREAM t.r.COLUMN1 FROM (SELECT STREAM %s(...) AS r FROM s) AS t.",
                      f->name);
        return NULL;
    }
    plan_expr *x = pl_new_expr(p, PX_CALL, ret, e->off, e->len);
    eddy_type *at = pl_alloc(p, (na ? na : 1) * sizeof *at);
    plan_expr **xa = pl_alloc(p, (na + 1) * sizeof *xa);
    if (!x || !at || !xa) return NULL;
    int nullable = 0;
    for (uint32_t i = 0; i < na; i++) {
        xa[i] = args[i]->type.id == cast_to[i].id ? args[i] : pl_cast(p, args[i], cast_to[i]);
        if (!xa[i]) return NULL;
        at[i] = xa[i]->type;
        nullable |= xa[i]->nullable;
    }
    if (f->flags & UDF_F_ROW_RESULT) return pl_row_field_call(p, e, f, xa, na, row_field);
    x->u.call.call.fn = f;
    x->u.call.call.n_args = (int)na;
    x->u.call.call.arg_types = at;
    x->u.call.call.ret_type = ret;
    x->u.call.args = xa;
    x->u.call.n_args = na;
    x->nullable = (f->flags & UDF_F_STRICT) ? nullable : 1;
    if (f->flags & UDF_F_NO_PARENS) x->nullable = 0;
    return x;
}

/* ---- the expression resolver ---------------------------------------------- */

static plan_expr *bool_arg(pl *p, const ast_expr *e, pl_scope *sc, pl_aggctx *ac, const char *what) {
    plan_expr *x = pl_expr(p, e, sc, ac);
    if (!x) return NULL;
    if (x->type.id != EDDY_T_BOOLEAN && x->type.id != EDDY_T_NULL) {
        char b[48];
        pl_error(p, e->off, e->len, "argument of %s must be type BOOLEAN, not type %s", what,
                 tname(x->type, b));
        return NULL;
    }
    return x;
}

plan_expr *pl_bool_expr(pl *p, const ast_expr *e, pl_scope *sc, pl_aggctx *ac,
                        const char *clause) {
    return bool_arg(p, e, sc, ac, clause);
}

/* Casts both to their common type or reports a mismatch; used by IN, CASE. */
static int unify(pl *p, plan_expr **xs, uint32_t n, const ast_expr *at, const char *what,
                 eddy_type *out) {
    eddy_type ct = {EDDY_T_NULL, 0, 0};
    for (uint32_t i = 0; i < n; i++) {
        if (!xs[i]) continue;
        if (udf_common_type(ct, xs[i]->type, &ct) != 0) {
            char b1[48], b2[48];
            pl_error(p, xs[i]->off, xs[i]->len, "%s types %s and %s cannot be matched", what,
                     tname(ct, b1), tname(xs[i]->type, b2));
            return EDDY_E_SEMANTIC;
        }
    }
    for (uint32_t i = 0; i < n; i++)
        if (xs[i] && !(xs[i] = pl_cast(p, xs[i], ct))) return EDDY_E_NOMEM;
    *out = ct;
    return 0;
}

plan_expr *pl_expr(pl *p, const ast_expr *e, pl_scope *sc, pl_aggctx *ac) {
    if (!e) {
        if (!p->err->code) eddy_err_set(p->err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    if (ac && ac->mode == PL_AGG_GROUP && e->kind != AST_E_LITERAL) {
        for (uint32_t i = 0; i < ac->n_keys; i++) {
            if (ast_expr_equal(e, ac->keys[i])) {
                plan_col c = {"", ac->key_exprs[i]->type, ac->key_exprs[i]->nullable, 0, 0};
                return pl_colref(p, i, &c, e->off, e->len);
            }
        }
    }
    switch (e->kind) {
    case AST_E_LITERAL: return literal(p, e);
    case AST_E_COLUMN:
        if (ac && ac->mode == PL_AGG_GROUP) {
            if (e->u.col.n_parts == 1 && pl_is_rowtime_name(&e->u.col.parts[0])) {
                plan_expr *x = pl_new_expr(p, PX_ROWTIME, ty(EDDY_T_TIMESTAMP), e->off, e->len);
                if (x) x->nullable = 0;
                return x;
            }
            /* Give the unknown-column error first if it is not a column at all;
             * a differently qualified spelling of a key column is that key. */
            plan_expr *c = pl_resolve_column(p, e, ac->inner);
            if (!c) return NULL;
            for (uint32_t i = 0; c->kind == PX_COLUMN && i < ac->n_keys; i++) {
                const plan_expr *k = ac->key_exprs[i];
                if (k->kind == PX_COLUMN && k->u.col.index == c->u.col.index) {
                    plan_col kc = {"", k->type, k->nullable, 0, 0};
                    return pl_colref(p, i, &kc, e->off, e->len);
                }
            }
            const ast_name *last = &e->u.col.parts[e->u.col.n_parts - 1];
            pl_error(p, e->off, e->len,
                     "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function",
                     last->s);
            return NULL;
        }
        return pl_resolve_column(p, e, sc);
    case AST_E_STAR:
        pl_error(p, e->off, e->len, "* is only allowed in the select list and COUNT(*)");
        return NULL;
    case AST_E_UNARY: {
        if (e->u.unary.op == AST_OP_NOT) {
            plan_expr *a = bool_arg(p, e->u.unary.arg, sc, ac, "NOT");
            return a ? op_expr(p, PLAN_OP_NOT, ty(EDDY_T_BOOLEAN), a, NULL, e) : NULL;
        }
        plan_expr *a = pl_expr(p, e->u.unary.arg, sc, ac);
        if (!a) return NULL;
        if (!eddy_type_is_numeric(a->type.id) && !eddy_type_is_interval(a->type.id) &&
            a->type.id != EDDY_T_NULL) {
            char b[48];
            pl_error(p, e->off, e->len, "operator does not exist: %s%s",
                     e->u.unary.op == AST_OP_NEG ? "-" : "+", tname(a->type, b));
            return NULL;
        }
        if (e->u.unary.op == AST_OP_PLUS) return a;
        return op_expr(p, PLAN_OP_NEG, a->type, a, NULL, e);
    }
    case AST_E_BINARY: return binary(p, e, sc, ac);
    case AST_E_IS: {
        ast_is_what w = e->u.is.what;
        plan_expr *a = w == AST_IS_NULL ? pl_expr(p, e->u.is.arg, sc, ac)
                                        : bool_arg(p, e->u.is.arg, sc, ac, "IS");
        if (!a) return NULL;
        int neg = e->u.is.negated;
        plan_op op = w == AST_IS_NULL    ? (neg ? PLAN_OP_IS_NOT_NULL : PLAN_OP_IS_NULL)
                     : w == AST_IS_TRUE  ? (neg ? PLAN_OP_IS_NOT_TRUE : PLAN_OP_IS_TRUE)
                     : w == AST_IS_FALSE ? (neg ? PLAN_OP_IS_NOT_FALSE : PLAN_OP_IS_FALSE)
                                         : (neg ? PLAN_OP_IS_NOT_NULL : PLAN_OP_IS_NULL);
        plan_expr *x = op_expr(p, op, ty(EDDY_T_BOOLEAN), a, NULL, e);
        if (x) x->nullable = 0;
        return x;
    }
    case AST_E_BETWEEN: {
        /* x BETWEEN lo AND hi  ==  x >= lo AND x <= hi (x is evaluated twice;
         * expressions have no side effects). */
        if (e->u.between.symmetric) {
            pl_unsupported(p, e->off, e->len, "BETWEEN SYMMETRIC");
            return NULL;
        }
        ast_expr ge = {.kind = AST_E_BINARY, .off = e->off, .len = e->len};
        ge.u.binary.op = AST_OP_GE;
        ge.u.binary.left = e->u.between.arg;
        ge.u.binary.right = e->u.between.lo;
        ast_expr le = ge;
        le.u.binary.op = AST_OP_LE;
        le.u.binary.right = e->u.between.hi;
        plan_expr *a = binary(p, &ge, sc, ac);
        plan_expr *b = a ? binary(p, &le, sc, ac) : NULL;
        if (!b) return NULL;
        plan_expr *x = op_expr(p, PLAN_OP_AND, ty(EDDY_T_BOOLEAN), a, b, e);
        return x && e->u.between.negated ? op_expr(p, PLAN_OP_NOT, ty(EDDY_T_BOOLEAN), x, NULL, e) : x;
    }
    case AST_E_IN_LIST: {
        uint32_t n = e->u.in.n_list;
        plan_expr **xs = pl_alloc(p, (n + 1) * sizeof *xs);
        if (!xs) return NULL;
        if (!(xs[0] = pl_expr(p, e->u.in.arg, sc, ac))) return NULL;
        for (uint32_t i = 0; i < n; i++)
            if (!(xs[i + 1] = pl_expr(p, e->u.in.list[i], sc, ac))) return NULL;
        eddy_type ct;
        if (unify(p, xs, n + 1, e, "IN", &ct) != 0) return NULL;
        plan_expr *x = pl_new_expr(p, PX_IN_LIST, ty(EDDY_T_BOOLEAN), e->off, e->len);
        if (!x) return NULL;
        x->u.in.arg = xs[0];
        x->u.in.list = xs + 1;
        x->u.in.n_list = n;
        x->u.in.negated = e->u.in.negated;
        for (uint32_t i = 0; i <= n; i++) x->nullable |= xs[i]->nullable;
        return x;
    }
    case AST_E_LIKE: {
        const char *what = e->u.like.similar ? "SIMILAR TO" : "LIKE";
        plan_expr *a = pl_expr(p, e->u.like.arg, sc, ac);
        plan_expr *b = a ? pl_expr(p, e->u.like.pattern, sc, ac) : NULL;
        plan_expr *c = NULL;
        if (!b) return NULL;
        if (e->u.like.escape && !(c = pl_expr(p, e->u.like.escape, sc, ac))) return NULL;
        plan_expr *chk[3] = {a, b, c};
        for (int i = 0; i < 3; i++) {
            if (chk[i] && !eddy_type_is_string(chk[i]->type.id) && chk[i]->type.id != EDDY_T_NULL) {
                char bb[48];
                pl_error(p, chk[i]->off, chk[i]->len, "argument of %s must be a string, not type %s",
                         what, tname(chk[i]->type, bb));
                return NULL;
            }
        }
        plan_expr *x = pl_new_expr(p, PX_LIKE, ty(EDDY_T_BOOLEAN), e->off, e->len);
        if (!x) return NULL;
        x->u.like.arg = a;
        x->u.like.pattern = b;
        x->u.like.escape = c;
        x->u.like.similar = e->u.like.similar;
        x->u.like.negated = e->u.like.negated;
        x->nullable = a->nullable || b->nullable || (c && c->nullable);
        return x;
    }
    case AST_E_CASE: {
        uint32_t n = e->u.case_.n_whens;
        plan_expr **whens = pl_alloc(p, (n ? n : 1) * sizeof *whens);
        plan_expr **vals = pl_alloc(p, (n + 1) * sizeof *vals);
        if (!whens || !vals) return NULL;
        plan_expr *operand = NULL;
        if (e->u.case_.operand && !(operand = pl_expr(p, e->u.case_.operand, sc, ac))) return NULL;
        for (uint32_t i = 0; i < n; i++) {
            if (operand) {
                ast_expr eq = {.kind = AST_E_BINARY, .off = e->u.case_.whens[i]->off,
                               .len = e->u.case_.whens[i]->len};
                eq.u.binary.op = AST_OP_EQ;
                eq.u.binary.left = e->u.case_.operand;
                eq.u.binary.right = e->u.case_.whens[i];
                whens[i] = binary(p, &eq, sc, ac);
            } else {
                whens[i] = bool_arg(p, e->u.case_.whens[i], sc, ac, "CASE/WHEN");
            }
            if (!whens[i]) return NULL;
            if (!(vals[i] = pl_expr(p, e->u.case_.thens[i], sc, ac))) return NULL;
        }
        vals[n] = NULL;
        if (e->u.case_.else_ && !(vals[n] = pl_expr(p, e->u.case_.else_, sc, ac))) return NULL;
        eddy_type ct;
        if (unify(p, vals, n + 1, e, "CASE", &ct) != 0) return NULL;
        plan_expr *x = pl_new_expr(p, PX_CASE, ct, e->off, e->len);
        if (!x) return NULL;
        x->u.case_.whens = whens;
        x->u.case_.thens = vals;
        x->u.case_.n_whens = n;
        x->u.case_.else_ = vals[n];
        x->nullable = vals[n] == NULL;
        for (uint32_t i = 0; i <= n; i++)
            if (vals[i]) x->nullable |= vals[i]->nullable;
        return x;
    }
    case AST_E_CAST: {
        plan_expr *a = pl_expr(p, e->u.cast.arg, sc, ac);
        if (!a) return NULL;
        eddy_type to = e->u.cast.type.type;
        /* The DECIMAL range rule of plan_stmt.c's column types. */
        int32_t prec = to.precision ? to.precision : 18;
        if (to.id == EDDY_T_DECIMAL && (prec > 18 || to.scale > prec)) {
            const ast_type_ref *tr = &e->u.cast.type;
            if (prec > 18)
                pl_error(p, tr->off, tr->len, "DECIMAL precision %d is out of range (1 to 18)", prec);
            else
                pl_error(p, tr->off, tr->len, "DECIMAL scale %d is greater than its precision %d",
                         to.scale, prec);
            return NULL;
        }
        if (!udf_explicit_cast_ok(a->type.id, to.id)) {
            char b1[48], b2[48];
            pl_error(p, e->off, e->len, "cannot cast type %s to %s", tname(a->type, b1),
                     tname(to, b2));
            return NULL;
        }
        plan_expr *x = pl_new_expr(p, PX_CAST, to, e->off, e->len);
        if (!x) return NULL;
        x->u.cast.arg = a;
        x->nullable = a->nullable;
        return x;
    }
    case AST_E_CALL: return call(p, e, sc, ac);
    case AST_E_SUBQUERY:
    case AST_E_EXISTS:
    case AST_E_IN_QUERY:
        pl_unsupported(p, e->off, e->len, "a sub-query inside an expression");
        if (e->kind != AST_E_SUBQUERY)
            eddy_err_hint(p->err, "IN (SELECT ...) and EXISTS (SELECT ...) work as conditions of a WHERE, "
                                  "joined to the others with AND.");
        return NULL;
    case AST_E_CURSOR:
        pl_error(p, e->off, e->len, "CURSOR is only allowed in FROM TABLE(...)");
        return NULL;
    case AST_E_ROW:
        pl_unsupported(p, e->off, e->len, "a row value");
        return NULL;
    case AST_E_INTERVAL_OF: {
        const ast_expr *d = e->u.ivof.arg;
        if (d->kind != AST_E_BINARY || d->u.binary.op != AST_OP_SUB) {
            pl_error(p, e->off, e->len, "an interval qualifier applies to a datetime difference (a - b)");
            return NULL;
        }
        plan_expr *a = pl_expr(p, d->u.binary.left, sc, ac);
        plan_expr *b = a ? pl_expr(p, d->u.binary.right, sc, ac) : NULL;
        if (!b) return NULL;
        eddy_type ct;
        if (!eddy_type_is_datetime(a->type.id) || udf_common_type(a->type, b->type, &ct) != 0 ||
            !eddy_type_is_datetime(ct.id))
            return op_mismatch(p, d, "-", a->type, b->type);
        int ym = e->u.ivof.iq.start == AST_TU_YEAR || e->u.ivof.iq.start == AST_TU_MONTH;
        a = pl_cast(p, a, ct);
        b = pl_cast(p, b, ct);
        if (!a || !b) return NULL;
        return op_expr(p, PLAN_OP_SUB, ty(ym ? EDDY_T_INTERVAL_YM : EDDY_T_INTERVAL_DS), a, b, e);
    }
    }
    pl_unsupported(p, e->off, e->len, "this expression");
    return NULL;
}
