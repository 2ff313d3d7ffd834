/*
 * agg.c — resolving aggregate kernels by kind and argument type, and the
 * vectorised batch step (see agg.h). The hot combinations (COUNT, integer
 * and double SUM, MIN/MAX of int64) get tight loops; the rest go through
 * the kernel's add().
 */
#include "agg_int.h"

#include <string.h>
#include <strings.h>

static const char *const names[RT_AGG__COUNT] = {
    "COUNT(*)", "COUNT", "SUM", "AVG", "MIN", "MAX", "FIRST_VALUE", "LAST_VALUE",
    "VAR_POP", "VAR_SAMP", "STDDEV_POP", "STDDEV_SAMP", "ANY", "EVERY", "EXP_AVG",
};

const char *rt_agg_name(rt_agg_kind k) { return (unsigned)k < RT_AGG__COUNT ? names[k] : "?"; }

int rt_agg_resolve(rt_agg_kind kind, eddy_type in, rt_agg *out, eddy_err *err) {
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->in_type = in;
    out->out_type = in;
    switch (kind) {
    case RT_AGG_COUNT_STAR:
        out->in_type = (eddy_type){EDDY_T_BIGINT, 0, 0};
        /* fall through */
    case RT_AGG_COUNT:
        out->out_type = (eddy_type){EDDY_T_BIGINT, 0, 0};
        rt__agg_setup_sum(out);
        return 0;
    case RT_AGG_SUM:
    case RT_AGG_AVG:
        if (!eddy_type_is_numeric(in.id)) break;
        rt__agg_setup_sum(out);
        return 0;
    case RT_AGG_MIN:
    case RT_AGG_MAX:
        if (in.id == EDDY_T_NULL || in.id == EDDY_T_ANY) break;
        rt__agg_setup_minmax(out);
        return 0;
    case RT_AGG_FIRST_VALUE:
    case RT_AGG_LAST_VALUE:
        if (in.id == EDDY_T_NULL || in.id == EDDY_T_ANY) break;
        rt__agg_setup_minmax(out);
        return 0;
    case RT_AGG_VAR_POP:
    case RT_AGG_VAR_SAMP:
    case RT_AGG_STDDEV_POP:
    case RT_AGG_STDDEV_SAMP:
        if (!eddy_type_is_numeric(in.id)) break;
        out->out_type = (eddy_type){EDDY_T_DOUBLE, 0, 0};
        rt__agg_setup_stats(out);
        return 0;
    case RT_AGG_ANY:
    case RT_AGG_EVERY:
        if (in.id != EDDY_T_BOOLEAN) break;
        rt__agg_setup_bool(out);
        return 0;
    case RT_AGG_EXP_AVG:
        /* Its state and steps live in window_slide.c, which knows each
         * row's ROWTIME; there are no kernels to call. */
        if (!eddy_type_is_numeric(in.id)) break;
        out->out_type = (eddy_type){EDDY_T_DOUBLE, 0, 0};
        out->invertible = 1;
        return 0;
    default:
        return eddy_err_set(err, EDDY_E_INTERNAL, "unknown aggregate kind %d", (int)kind);
    }
    return eddy_err_set(err, EDDY_E_SEMANTIC, "cannot apply %s to type %s", rt_agg_name(kind),
                        eddy_type_name(in.id));
}

int rt__agg_put(const rt_agg *a, rt_batch *out, uint32_t c, uint32_t r, const rt_datum *v) {
    switch (rt_phys_of(a->out_type.id)) {
    case RT_PHYS_I64: rt_batch_set_i64(out, c, r, v->i); return 0;
    case RT_PHYS_F64: rt_batch_set_f64(out, c, r, v->d); return 0;
    case RT_PHYS_STR: return rt_batch_set_str(out, c, r, v->s.p, v->s.n);
    }
    return 0;
}

/* States of the fast paths; they match agg_sum.c / agg_minmax.c. */
typedef struct {
    uint64_t lo;
    int64_t hi;
    int64_t n;
} sum_i_state;
typedef struct {
    int64_t v;
    int64_t has;
} mm_i_state;

int rt_agg_step_batch(const rt_agg *a, uint8_t *const *states, uint32_t off, const rt_batch *b,
                      const rt_column *col) {
    uint32_t live = rt_batch_live(b);
    if (a->kind == RT_AGG_COUNT_STAR) {
        for (uint32_t i = 0; i < live; i++) (*(int64_t *)(states[i] + off))++;
        return 0;
    }
    if (a->kind == RT_AGG_COUNT) {
        for (uint32_t i = 0; i < live; i++)
            *(int64_t *)(states[i] + off) += !rt_col_is_null(col, rt_batch_row(b, i));
        return 0;
    }
    if (col->phys == RT_PHYS_I64 && (a->kind == RT_AGG_SUM || a->kind == RT_AGG_AVG)) {
        for (uint32_t i = 0; i < live; i++) {
            uint32_t r = rt_batch_row(b, i);
            if (rt_col_is_null(col, r)) continue;
            sum_i_state *s = (sum_i_state *)(states[i] + off);
            int64_t v = col->v.i64[r];
            uint64_t old = s->lo;
            s->lo += (uint64_t)v;
            s->hi += (v < 0 ? -1 : 0) + (s->lo < old);
            s->n++;
        }
        return 0;
    }
    if (col->phys == RT_PHYS_I64 && (a->kind == RT_AGG_MIN || a->kind == RT_AGG_MAX)) {
        int is_max = a->kind == RT_AGG_MAX;
        for (uint32_t i = 0; i < live; i++) {
            uint32_t r = rt_batch_row(b, i);
            if (rt_col_is_null(col, r)) continue;
            mm_i_state *s = (mm_i_state *)(states[i] + off);
            int64_t v = col->v.i64[r];
            if (!s->has || (is_max ? v > s->v : v < s->v)) {
                s->v = v;
                s->has = 1;
            }
        }
        return 0;
    }
    for (uint32_t i = 0; i < live; i++) {
        rt_datum tmp;
        int rc = a->add(a, states[i] + off, rt_datum_of(col, rt_batch_row(b, i), &tmp));
        if (rc) return rc;
    }
    return 0;
}

int rt_agg_kind_lookup(const char *name, uint32_t n_args, rt_agg_kind *k) {
    static const struct {
        const char *n;
        rt_agg_kind k;
    } map[] = {{"COUNT", RT_AGG_COUNT}, {"SUM", RT_AGG_SUM}, {"AVG", RT_AGG_AVG},
               {"MIN", RT_AGG_MIN}, {"MAX", RT_AGG_MAX}, {"FIRST_VALUE", RT_AGG_FIRST_VALUE},
               {"LAST_VALUE", RT_AGG_LAST_VALUE}, {"VAR_POP", RT_AGG_VAR_POP},
               {"VAR_SAMP", RT_AGG_VAR_SAMP}, {"STDDEV_POP", RT_AGG_STDDEV_POP},
               {"STDDEV_SAMP", RT_AGG_STDDEV_SAMP}, {"ANY", RT_AGG_ANY}, {"EVERY", RT_AGG_EVERY},
               {"EXP_AVG", RT_AGG_EXP_AVG}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcasecmp(map[i].n, name) == 0) {
            *k = (map[i].k == RT_AGG_COUNT && n_args == 0) ? RT_AGG_COUNT_STAR : map[i].k;
            return 0;
        }
    }
    return -1;
}
