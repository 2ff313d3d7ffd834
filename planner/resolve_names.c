/*
 * resolve_names.c — name resolution: column references (a, s.a), ROWTIME
 * and s.ROWTIME, SQL-function parameters, * and s.* expansion, and the
 * "did you mean" hint for unknown columns (Levenshtein distance over the
 * names in scope).
 *
 * Names arrive normalised by the parser (unquoted folded to upper case), so
 * they compare exactly; a name that matches only ignoring case gets a hint
 * about quoting, which is the classic KDA trap ("heartRate" vs HEARTRATE).
 */
#include "planner_int.h"

#include <string.h>
#include <strings.h>

int pl_is_rowtime_name(const ast_name *n) {
    return n->s && strcmp(n->s, "ROWTIME") == 0;
}

/* Adds the nearest-name hint for an unknown column. */
static void column_hint(pl *p, const char *name, pl_scope *sc, const pl_rel *only) {
    const char *near = NULL;
    int best = 1000;
    for (uint32_t r = 0; r < sc->n_rels; r++) {
        const pl_rel *rel = &sc->rels[r];
        if (only && rel != only) continue;
        for (uint32_t i = 0; i < rel->n_cols; i++) {
            const char *c = rel->cols[i].name;
            if (strcasecmp(c, name) == 0) {
                eddy_err_hint(p->err, "Perhaps you meant \"%s\"; quoted names are case-sensitive.", c);
                return;
            }
            int d = udf_edit_distance(c, name);
            if (d < best) {
                best = d;
                near = c;
            }
        }
    }
    size_t n = strlen(name);
    if (near && best <= (n < 6 ? 1 : n < 10 ? 2 : 3))
        eddy_err_hint(p->err, "Perhaps you meant \"%s\".", near);
}

static plan_expr *rowtime_ref(pl *p, const pl_rel *rel, pl_scope *sc, const ast_expr *e) {
    eddy_type ts = {EDDY_T_TIMESTAMP, 0, 0};
    plan_expr *x = pl_new_expr(p, PX_ROWTIME, ts, e->off, e->len);
    if (!x) return NULL;
    x->nullable = 0;
    if (rel) {
        /* Above a join, an input's ROWTIME is a column the join carries
         * (NULL on the side an outer row lacks); inside the ON condition the
         * join evaluates it itself. */
        if (sc->join && !sc->in_on) {
            plan_col c = {"ROWTIME", ts, 1, 0, 0};
            return pl_colref(p, sc->join_rt_col + rel->rt_index, &c, e->off, e->len);
        }
        x->u.col.index = rel->rt_index;
    } else {
        /* Unqualified ROWTIME in a join is the output row's time: the later
         * of the two inputs' ROWTIMEs (SQL.md §5.2). */
        x->u.col.index = sc->join ? 2 : 0;
    }
    return x;
}

static int is_arrival_name(const char *s) { return s && strcmp(s, "APPROXIMATE_ARRIVAL_TIME") == 0; }

/* APPROXIMATE_ARRIVAL_TIME of a source-bound stream: the record's arrival
 * time in the store, which is the ROWTIME that stream's rows carry. */
static plan_expr *arrival_ref(pl *p, const pl_rel *rel, pl_scope *sc, const ast_expr *e) {
    plan_expr *x = rowtime_ref(p, rel, sc, e);
    if (x) x->u.col.arrival = 1;
    return x;
}

static const pl_rel *find_rel(pl_scope *sc, const char *alias) {
    for (uint32_t r = 0; r < sc->n_rels; r++)
        if (sc->rels[r].alias && strcmp(sc->rels[r].alias, alias) == 0) return &sc->rels[r];
    return NULL;
}

static int any_stream(pl_scope *sc) {
    for (uint32_t r = 0; r < sc->n_rels; r++)
        if (sc->rels[r].is_stream) return 1;
    return 0;
}

static plan_expr *missing_rel(pl *p, pl_scope *sc, const ast_name *q) {
    pl_error(p, q->off, q->len, "missing FROM-clause entry for \"%s\"", q->s);
    for (uint32_t r = 0; r < sc->n_rels; r++)
        if (sc->rels[r].alias && strcasecmp(sc->rels[r].alias, q->s) == 0) {
            eddy_err_hint(p->err, "Perhaps you meant \"%s\"; quoted names are case-sensitive.",
                          sc->rels[r].alias);
            break;
        }
    return NULL;
}

/* Column "ROW.FIELD" of `rel` (or of the one relation that has it when rel
 * is NULL): the flattened field of a row-returning call. NULL without an
 * error when there is none. */
static plan_expr *row_field_ref(pl *p, const ast_expr *e, pl_scope *sc, const pl_rel *rel, const ast_name *row,
                                const ast_name *field) {
    size_t lr = strlen(row->s), lf = strlen(field->s);
    const pl_rel *hit = NULL;
    uint32_t hit_i = 0;
    for (uint32_t r = 0; r < sc->n_rels; r++) {
        const pl_rel *x = &sc->rels[r];
        if (rel && x != rel) continue;
        for (uint32_t i = 0; i < x->n_cols; i++) {
            const char *c = x->cols[i].name;
            if (!x->cols[i].row_field || strlen(c) != lr + 1 + lf || memcmp(c, row->s, lr) || c[lr] != '.' || memcmp(c + lr + 1, field->s, lf))
                continue;
            if (hit) {
                pl_error(p, e->off, e->len, "column reference \"%s.%s\" is ambiguous", row->s, field->s);
                return NULL;
            }
            hit = x;
            hit_i = i;
        }
    }
    return hit ? pl_colref(p, hit->first_col + hit_i, &hit->cols[hit_i], e->off, e->len) : NULL;
}

const plan_col *pl_scope_col(const pl_scope *sc, uint32_t index) {
    for (uint32_t r = 0; r < sc->n_rels; r++) {
        const pl_rel *rel = &sc->rels[r];
        if (index >= rel->first_col && index < rel->first_col + rel->n_cols) return &rel->cols[index - rel->first_col];
    }
    return NULL;
}

/* Whether a sub-query's own scope has the name: a column for a plain name,
 * a relation for a qualified one. What it lacks is the enclosing query's. */
static int scope_has(pl_scope *sc, const ast_expr *e) {
    const ast_name *parts = e->u.col.parts;
    if (e->u.col.n_parts > 1) return find_rel(sc, parts[0].s) != NULL;
    for (uint32_t r = 0; r < sc->n_rels; r++)
        for (uint32_t i = 0; i < sc->rels[r].n_cols; i++)
            if (strcmp(sc->rels[r].cols[i].name, parts[0].s) == 0) return 1;
    return 0;
}

plan_expr *pl_resolve_column(pl *p, const ast_expr *e, pl_scope *sc) {
    const ast_name *parts = e->u.col.parts;
    uint32_t n = e->u.col.n_parts;
    if (sc->outer && !scope_has(sc, e)) return pl_resolve_column(p, e, sc->outer);
    if (n == 1) {
        const char *name = parts[0].s;
        for (uint32_t i = 0; i < sc->n_params; i++)
            if (strcmp(sc->params[i].name, name) == 0) return sc->param_vals[i];
        const pl_rel *hit = NULL;
        uint32_t hit_i = 0;
        for (uint32_t r = 0; r < sc->n_rels; r++) {
            const pl_rel *rel = &sc->rels[r];
            for (uint32_t i = 0; i < rel->n_cols; i++) {
                if (strcmp(rel->cols[i].name, name) != 0) continue;
                if (hit) {
                    pl_error(p, e->off, e->len, "column reference \"%s\" is ambiguous", name);
                    eddy_err_hint(p->err, "Qualify it with the name of its stream, as in %s.%s.",
                                  hit->alias ? hit->alias : "s", name);
                    return NULL;
                }
                hit = rel;
                hit_i = i;
            }
        }
        if (hit) return pl_colref(p, hit->first_col + hit_i, &hit->cols[hit_i], e->off, e->len);
        if (pl_is_rowtime_name(&parts[0])) {
            if (!any_stream(sc)) {
                pl_error(p, e->off, e->len, "ROWTIME is only defined for streams");
                return NULL;
            }
            return rowtime_ref(p, NULL, sc, e);
        }
        if (is_arrival_name(name)) {
            const pl_rel *src = NULL;
            for (uint32_t r = 0; r < sc->n_rels; r++) {
                if (!sc->rels[r].is_source) continue;
                if (src) {
                    pl_error(p, e->off, e->len, "column reference \"%s\" is ambiguous", name);
                    eddy_err_hint(p->err, "Qualify it with the name of its stream, as in %s.%s.",
                                  src->alias ? src->alias : "s", name);
                    return NULL;
                }
                src = &sc->rels[r];
            }
            if (src) return arrival_ref(p, sc->n_rels > 1 ? src : NULL, sc, e);
            pl_error(p, e->off, e->len, "column \"%s\" does not exist", name);
            eddy_err_hint(p->err, "APPROXIMATE_ARRIVAL_TIME is a column of in-application input streams "
                                  "(those read from a stored stream) only.");
            return NULL;
        }
        pl_error(p, e->off, e->len, "column \"%s\" does not exist", name);
        column_hint(p, name, sc, NULL);
        return NULL;
    }
    if (n == 2) {
        const pl_rel *rel = find_rel(sc, parts[0].s);
        if (!rel) {
            /* r.COLUMN1 without the relation: a field of a parsed row
             * (plan_rowfn.c), when exactly one relation has it. */
            plan_expr *x = row_field_ref(p, e, sc, NULL, &parts[0], &parts[1]);
            if (x || p->err->code) return x;
            return missing_rel(p, sc, &parts[0]);
        }
        const char *name = parts[1].s;
        for (uint32_t i = 0; i < rel->n_cols; i++)
            if (strcmp(rel->cols[i].name, name) == 0)
                return pl_colref(p, rel->first_col + i, &rel->cols[i], e->off, e->len);
        if (pl_is_rowtime_name(&parts[1])) {
            if (!rel->is_stream) {
                pl_error(p, e->off, e->len, "\"%s\" is a table and has no ROWTIME", rel->alias);
                return NULL;
            }
            return rowtime_ref(p, rel, sc, e);
        }
        if (is_arrival_name(name) && rel->is_source) return arrival_ref(p, rel, sc, e);
        pl_error(p, e->off, e->len, "column %s.%s does not exist", parts[0].s, name);
        column_hint(p, name, sc, rel);
        return NULL;
    }
    if (n == 3) {
        const pl_rel *rel = find_rel(sc, parts[0].s);
        if (!rel) return missing_rel(p, sc, &parts[0]);
        plan_expr *x = row_field_ref(p, e, sc, rel, &parts[1], &parts[2]);
        if (x || p->err->code) return x;
        pl_error(p, e->off, e->len, "column %s.%s.%s does not exist", parts[0].s, parts[1].s, parts[2].s);
        eddy_err_hint(p->err, "A three-part name reads a field of a row that a log parser returned, as in "
                              "t.r.COLUMN1 for REGEX_LOG_PARSE(...) AS r.");
        return NULL;
    }
    pl_unsupported(p, e->off, e->len, "a name of more than three parts");
    return NULL;
}

int pl_push_item(pl *p, plan_expr *x, const char *name, plan_expr ***exprs, const char ***names, uint32_t *n,
                 uint32_t *cap) {
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 16;
        plan_expr **ne = pl_alloc(p, nc * sizeof *ne);
        const char **nn = pl_alloc(p, nc * sizeof *nn);
        if (!ne || !nn) return EDDY_E_NOMEM;
        if (*n) {
            memcpy(ne, *exprs, *n * sizeof *ne);
            memcpy(nn, *names, *n * sizeof *nn);
        }
        *exprs = ne;
        *names = nn;
        *cap = nc;
    }
    (*exprs)[*n] = x;
    (*names)[(*n)++] = name;
    return 0;
}

int pl_expand_star(pl *p, const ast_expr *e, pl_scope *sc, plan_expr ***exprs,
                   const char ***names, uint32_t *n, uint32_t *cap) {
    const pl_rel *only = NULL;
    if (e->u.col.n_parts > 1)
        return pl_unsupported(p, e->off, e->len, "a multi-part qualifier before *");
    if (e->u.col.n_parts == 1) {
        only = find_rel(sc, e->u.col.parts[0].s);
        if (!only) {
            missing_rel(p, sc, &e->u.col.parts[0]);
            return EDDY_E_SEMANTIC;
        }
    }
    if (sc->n_rels == 0) return pl_error(p, e->off, e->len, "SELECT * with no FROM clause");
    for (uint32_t r = 0; r < sc->n_rels; r++) {
        const pl_rel *rel = &sc->rels[r];
        if (only && rel != only) continue;
        for (uint32_t i = 0; i < rel->n_cols; i++) {
            plan_expr *x = pl_colref(p, rel->first_col + i, &rel->cols[i], e->off, e->len);
            if (!x || pl_push_item(p, x, rel->cols[i].name, exprs, names, n, cap) != 0) return EDDY_E_NOMEM;
        }
    }
    return 0;
}
