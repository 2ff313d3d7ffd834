/*
 * agg_sum.c — COUNT(*), COUNT, SUM and AVG kernels; all invertible, so
 * sliding windows subtract on evict.
 *
 * Exact types (integers, DECIMAL as scaled int64) sum into a 128-bit
 * accumulator kept as two 64-bit words, so the state stays 8-aligned and
 * 24 bytes and a sum can pass through an overflowing intermediate value
 * (possible with retraction) without error; only a final result outside the
 * result type is an error. AVG of an exact type truncates toward zero as
 * the dialect shows (AVG over INTEGER 38.5 → 38).
 */
#include "agg_int.h"

#include <string.h>

typedef struct {
    uint64_t lo;
    int64_t hi;
    int64_t n;
} sum_i;

typedef struct {
    double s;
    int64_t n;
} sum_d;

static __int128 sum_get(const sum_i *s) { return (__int128)(((unsigned __int128)(uint64_t)s->hi << 64) | s->lo); }

static void sum_setv(sum_i *s, __int128 v) {
    s->lo = (uint64_t)v;
    s->hi = (int64_t)(v >> 64);
}

/* ---------------------------------------------------------------- COUNT */

static void cnt_init(const rt_agg *a, void *st) { *(int64_t *)st = 0; }
static int cnt_star_add(const rt_agg *a, void *st, const rt_datum *v) {
    (*(int64_t *)st)++;
    return 0;
}
static void cnt_star_retract(const rt_agg *a, void *st, const rt_datum *v) { (*(int64_t *)st)--; }
static int cnt_add(const rt_agg *a, void *st, const rt_datum *v) {
    *(int64_t *)st += v != NULL;
    return 0;
}
static void cnt_retract(const rt_agg *a, void *st, const rt_datum *v) { *(int64_t *)st -= v != NULL; }
static int cnt_combine(const rt_agg *a, void *dst, const void *src) {
    *(int64_t *)dst += *(const int64_t *)src;
    return 0;
}
static int cnt_final(const rt_agg *a, const void *st, rt_batch *out, uint32_t c, uint32_t r, eddy_err *err) {
    rt_batch_set_i64(out, c, r, *(const int64_t *)st);
    return 0;
}

/* ---------------------------------------------------------------- exact SUM/AVG */

static void si_init(const rt_agg *a, void *st) { memset(st, 0, sizeof(sum_i)); }
static int si_add(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v) return 0;
    sum_i *s = st;
    sum_setv(s, sum_get(s) + v->i);
    s->n++;
    return 0;
}
static void si_retract(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v) return;
    sum_i *s = st;
    sum_setv(s, sum_get(s) - v->i);
    s->n--;
}
static int si_combine(const rt_agg *a, void *dst, const void *src) {
    sum_i *d = dst;
    const sum_i *s = src;
    sum_setv(d, sum_get(d) + sum_get(s));
    d->n += s->n;
    return 0;
}
static int si_final(const rt_agg *a, const void *st, rt_batch *out, uint32_t c, uint32_t r, eddy_err *err) {
    const sum_i *s = st;
    if (s->n == 0) return 0;  /* no values: NULL */
    __int128 v = sum_get(s);
    if (a->kind == RT_AGG_AVG) v /= s->n;  /* C division truncates toward zero */
    int64_t lo, hi;
    if (a->out_type.id == EDDY_T_DECIMAL) {
        int p = a->out_type.precision > 0 && a->out_type.precision <= 18 ? a->out_type.precision : 18;
        hi = eddy_pow10(p) - 1;
        lo = -hi;
    } else {
        eddy_int_range(a->out_type.id, &lo, &hi);
    }
    if (v < lo || v > hi) {
        char tn[64];
        eddy_type_format(a->out_type, tn, sizeof tn);
        return eddy_err_set(err, EDDY_E_RUNTIME, "numeric overflow in %s: result does not fit %s",
                            rt_agg_name(a->kind), tn);
    }
    rt_batch_set_i64(out, c, r, (int64_t)v);
    return 0;
}

/* ---------------------------------------------------------------- floating SUM/AVG */

static void sd_init(const rt_agg *a, void *st) { memset(st, 0, sizeof(sum_d)); }
static int sd_add(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v) return 0;
    sum_d *s = st;
    s->s += v->d;
    s->n++;
    return 0;
}
static void sd_retract(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v) return;
    sum_d *s = st;
    s->s -= v->d;
    if (--s->n == 0) s->s = 0;  /* drop accumulated rounding once empty */
}
static int sd_combine(const rt_agg *a, void *dst, const void *src) {
    sum_d *d = dst;
    const sum_d *s = src;
    d->s += s->s;
    d->n += s->n;
    return 0;
}
static int sd_final(const rt_agg *a, const void *st, rt_batch *out, uint32_t c, uint32_t r, eddy_err *err) {
    const sum_d *s = st;
    if (s->n == 0) return 0;
    double v = a->kind == RT_AGG_AVG ? s->s / (double)s->n : s->s;
    if (a->out_type.id == EDDY_T_REAL) v = (double)(float)v;
    rt_batch_set_f64(out, c, r, v);
    return 0;
}

void rt__agg_setup_sum(rt_agg *a) {
    a->invertible = 1;
    if (a->kind == RT_AGG_COUNT_STAR || a->kind == RT_AGG_COUNT) {
        a->state_size = sizeof(int64_t);
        a->init = cnt_init;
        a->add = a->kind == RT_AGG_COUNT ? cnt_add : cnt_star_add;
        a->retract = a->kind == RT_AGG_COUNT ? cnt_retract : cnt_star_retract;
        a->combine = cnt_combine;
        a->final = cnt_final;
        return;
    }
    if (rt_phys_of(a->in_type.id) == RT_PHYS_F64) {
        a->state_size = sizeof(sum_d);
        a->init = sd_init;
        a->add = sd_add;
        a->retract = sd_retract;
        a->combine = sd_combine;
        a->final = sd_final;
        return;
    }
    a->state_size = sizeof(sum_i);
    a->init = si_init;
    a->add = si_add;
    a->retract = si_retract;
    a->combine = si_combine;
    a->final = si_final;
}
