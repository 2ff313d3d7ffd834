/*
 * plan_rowfn.c — row-returning calls (the log parsers, SQL.md §2.2 and
 * §6.10) in a select list.
 *
 * KDA reads a parsed row as alias.r.COLUMN1:
 *   SELECT STREAM t.r.COLUMN1 FROM (SELECT STREAM REGEX_LOG_PARSE(s, '...') AS r FROM src) AS t
 * There is no row type in the plan: the item `f(...) AS r` becomes one
 * column per field, named "R.COLUMN1", "R.COLUMN2", ... (the fields come
 * from udf_row_fields for the call's constant arguments), each a call of
 * f with the field's 1-based index as an extra last argument, cast from
 * VARCHAR to the field's type. Resolving t.r.COLUMN1 finds column
 * "R.COLUMN1" of t; a derived table's column list (`AS l(r)`) renames such
 * a group as one column. The evaluators cache one batch's parse, so the n
 * field calls parse each row once.
 */
#include "planner_int.h"

#include <string.h>
#include <strings.h>

#include "udf_rowfn.h"

int pl_is_row_call(pl *p, const ast_expr *e) {
    if (!e || e->kind != AST_E_CALL || e->u.call.over || e->u.call.star) return 0;
    const char *name = e->u.call.name.s;
    for (size_t i = 0; udf_at(p->reg, i); i++) {
        const udf_func *f = udf_at(p->reg, i);
        if ((f->flags & UDF_F_ROW_RESULT) && !strcasecmp(f->name, name)) return 1;
    }
    return 0;
}

plan_expr *pl_row_field_call(pl *p, const ast_expr *e, const udf_func *f, plan_expr **xa, uint32_t na,
                             uint32_t k) {
    if (k == 1) {
        const eddy_value *cargs[UDF_MAX_ARGS + 2];
        eddy_value neg[UDF_MAX_ARGS + 2];
        for (uint32_t i = 0; i < na; i++) {
            const plan_expr *x = xa[i];
            cargs[i] = i && x->kind == PX_LITERAL ? &x->u.lit : NULL;
            /* -1 is a negated literal: still a constant (and a bad count). */
            if (i && x->kind == PX_OP && x->u.op.op == PLAN_OP_NEG && x->u.op.args[0]->kind == PX_LITERAL &&
                !x->u.op.args[0]->u.lit.is_null && eddy_type_is_integer(x->u.op.args[0]->u.lit.type)) {
                neg[i] = x->u.op.args[0]->u.lit;
                neg[i].u.i = -neg[i].u.i;
                cargs[i] = &neg[i];
            }
        }
        udf_row_field *fields = NULL;
        uint32_t nf = 0;
        int bad = -1;
        eddy_err lerr;
        eddy_err_clear(&lerr);
        if (udf_row_fields(f, cargs, (int)na, p->a, &fields, &nf, &bad, &lerr) != 0) {
            const plan_expr *at = bad >= 0 && (uint32_t)bad < na ? xa[bad] : NULL;
            pl_error(p, at ? at->off : e->off, at ? at->len : e->len, "%s", lerr.msg);
            if (lerr.hint[0]) eddy_err_hint(p->err, "%s", lerr.hint);
            return NULL;
        }
        p->row_fields = fields;
        p->n_row_fields = nf;
    }
    if (k == 0 || k > p->n_row_fields) {
        eddy_err_set_at(p->err, EDDY_E_INTERNAL, e->off, e->len, "field %u of %s does not exist", k, f->name);
        return NULL;
    }
    eddy_type vc = {EDDY_T_VARCHAR, 1024, 0}, it = {EDDY_T_INTEGER, 0, 0};
    plan_expr *x = pl_new_expr(p, PX_CALL, vc, e->off, e->len);
    plan_expr *idx = pl_new_expr(p, PX_LITERAL, it, e->off, e->len);
    eddy_type *at = pl_alloc(p, (na + 1) * sizeof *at);
    if (!x || !idx || !at) return NULL;
    idx->u.lit = (eddy_value){.type = EDDY_T_INTEGER, .is_null = 0, .u.i = k};
    idx->nullable = 0;
    for (uint32_t i = 0; i < na; i++) at[i] = xa[i]->type;
    at[na] = it;
    xa[na] = idx;
    x->u.call.call = (udf_call){f, (int)na + 1, at, vc};
    x->u.call.args = xa;
    x->u.call.n_args = na + 1;
    x->nullable = 1;
    return x;
}

int pl_plan_row_call(pl *p, const ast_expr *e, pl_scope *sc, pl_aggctx *ac, const char *alias,
                     plan_expr ***exprs, const char ***names, uint32_t *n, uint32_t *cap) {
    p->row_fields = NULL;
    p->n_row_fields = 0;
    for (uint32_t k = 1;; k++) {
        p->row_field = k;
        plan_expr *x = pl_expr(p, e, sc, ac);
        p->row_field = 0;
        if (!x) return p->err->code ? p->err->code : EDDY_E_SEMANTIC;
        const udf_row_field *fd = &p->row_fields[k - 1];
        /* VARCHAR fields stay VARCHAR(1024): a shorter declared length is
         * applied where the value is stored, which truncates, as KDA does
         * for parsed text; other types are cast from the field's text. */
        if (fd->type.id != EDDY_T_VARCHAR && !(x = pl_cast(p, x, fd->type))) return EDDY_E_NOMEM;
        const char *name = arena_sprintf(p->a, "%s.%s", alias, fd->name);
        if (!name || pl_push_item(p, x, name, exprs, names, n, cap) != 0) return EDDY_E_NOMEM;
        if (k == p->n_row_fields) break;
    }
    return 0;
}
