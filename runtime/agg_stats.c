/*
 * agg_stats.c — VAR_POP, VAR_SAMP, STDDEV_POP and STDDEV_SAMP.
 *
 * Welford's running mean and sum of squared deviations (numerically stable,
 * unlike sum-of-squares), combined with Chan et al.'s pairwise formula so
 * partial states merge, and retracted by running Welford's update backwards
 * so sliding windows can subtract on evict. Results are DOUBLE; VAR_SAMP
 * and STDDEV_SAMP of fewer than two values are NULL.
 */
#include "agg_int.h"

#include <math.h>
#include <string.h>

typedef struct {
    int64_t n;
    double mean;
    double m2;
} welford;

static double to_double(const rt_agg *a, const rt_datum *v) {
    if (rt_phys_of(a->in_type.id) == RT_PHYS_F64) return v->d;
    if (a->in_type.id == EDDY_T_DECIMAL && a->in_type.scale > 0)
        return (double)v->i / (double)eddy_pow10(a->in_type.scale);
    return (double)v->i;
}

static void w_init(const rt_agg *a, void *st) { memset(st, 0, sizeof(welford)); }

static int w_add(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v) return 0;
    welford *w = st;
    double x = to_double(a, v);
    w->n++;
    double delta = x - w->mean;
    w->mean += delta / (double)w->n;
    w->m2 += delta * (x - w->mean);
    return 0;
}

static void w_retract(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v) return;
    welford *w = st;
    if (w->n <= 1) {
        memset(w, 0, sizeof *w);
        return;
    }
    double x = to_double(a, v);
    double mean_old = (w->mean * (double)w->n - x) / (double)(w->n - 1);
    w->m2 -= (x - mean_old) * (x - w->mean);
    if (w->m2 < 0) w->m2 = 0;  /* rounding must not make a variance negative */
    w->mean = mean_old;
    w->n--;
}

static int w_combine(const rt_agg *a, void *dst, const void *src) {
    welford *d = dst;
    const welford *s = src;
    if (s->n == 0) return 0;
    if (d->n == 0) {
        *d = *s;
        return 0;
    }
    double n = (double)(d->n + s->n);
    double delta = s->mean - d->mean;
    d->mean += delta * (double)s->n / n;
    d->m2 += s->m2 + delta * delta * (double)d->n * (double)s->n / n;
    d->n += s->n;
    return 0;
}

static int w_final(const rt_agg *a, const void *st, rt_batch *out, uint32_t c, uint32_t r, eddy_err *err) {
    const welford *w = st;
    int samp = a->kind == RT_AGG_VAR_SAMP || a->kind == RT_AGG_STDDEV_SAMP;
    if (w->n == 0 || (samp && w->n < 2)) return 0;
    double var = w->m2 / (double)(samp ? w->n - 1 : w->n);
    if (var < 0) var = 0;
    if (a->kind == RT_AGG_STDDEV_POP || a->kind == RT_AGG_STDDEV_SAMP) var = sqrt(var);
    rt_batch_set_f64(out, c, r, var);
    return 0;
}

void rt__agg_setup_stats(rt_agg *a) {
    a->state_size = sizeof(welford);
    a->invertible = 1;
    a->init = w_init;
    a->add = w_add;
    a->retract = w_retract;
    a->combine = w_combine;
    a->final = w_final;
}
