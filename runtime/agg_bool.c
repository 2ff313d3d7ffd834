/*
 * agg_bool.c — ANY and EVERY, the boolean aggregates (SQL.md §6.3): ANY is
 * TRUE when some value is TRUE, EVERY when all are; NULLs are skipped and
 * an aggregate that saw no value is NULL.
 *
 * The state counts values and TRUE values rather than keeping the
 * answer, so a row can be retracted and sliding windows subtract on evict.
 */
#include "agg_int.h"

#include <string.h>

typedef struct {
    int64_t n;        /* non-NULL values */
    int64_t n_true;
} bool_state;

static void b_init(const rt_agg *a, void *st) { memset(st, 0, sizeof(bool_state)); }

static int b_add(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v) return 0;
    bool_state *s = st;
    s->n++;
    s->n_true += v->i != 0;
    return 0;
}

static void b_retract(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v) return;
    bool_state *s = st;
    s->n--;
    s->n_true -= v->i != 0;
}

static int b_combine(const rt_agg *a, void *dst, const void *src) {
    bool_state *d = dst;
    const bool_state *s = src;
    d->n += s->n;
    d->n_true += s->n_true;
    return 0;
}

static int b_final(const rt_agg *a, const void *st, rt_batch *out, uint32_t c, uint32_t r, eddy_err *err) {
    const bool_state *s = st;
    if (s->n == 0) return 0;
    rt_batch_set_i64(out, c, r, a->kind == RT_AGG_ANY ? s->n_true > 0 : s->n_true == s->n);
    return 0;
}

void rt__agg_setup_bool(rt_agg *a) {
    a->state_size = sizeof(bool_state);
    a->invertible = 1;
    a->init = b_init;
    a->add = b_add;
    a->retract = b_retract;
    a->combine = b_combine;
    a->final = b_final;
}
