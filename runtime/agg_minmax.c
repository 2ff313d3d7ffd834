/*
 * agg_minmax.c — MIN, MAX, FIRST_VALUE and LAST_VALUE kernels.
 *
 * None is invertible: sliding windows keep MIN/MAX in a monotonic deque and
 * read FIRST/LAST off their FIFO instead of retracting (window_slide.c).
 * Fixed-width values (everything stored as int64 or double, which includes
 * BOOLEAN, DATE, TIME, TIMESTAMP and DECIMAL) compare numerically in a
 * 16-byte state. String and binary values compare bytewise (UTF-8 byte order
 * is code-point order) and the state owns a heap copy, grown geometrically
 * so LAST_VALUE over a stream does not allocate per row.
 */
#include "agg_int.h"

#include <stdlib.h>
#include <string.h>

/* Fixed-width MIN/MAX state; agg.c's fast path relies on this layout. */
typedef struct {
    union {
        int64_t i;
        double d;
    } v;
    int64_t has;
} mm_fix;

/* A value slot owning its string bytes: string MIN/MAX, FIRST/LAST. */
typedef struct {
    union {
        int64_t i;
        double d;
        char *p;
    } u;
    uint32_t n;        /* string length */
    uint32_t cap;      /* bytes allocated at u.p */
    uint32_t has;      /* a value (or, for FIRST/LAST, a row) was seen */
    uint32_t is_null;  /* FIRST/LAST: that row's value was NULL */
} slot;

static int is_str(const rt_agg *a) { return rt_phys_of(a->in_type.id) == RT_PHYS_STR; }
static int is_f64(const rt_agg *a) { return rt_phys_of(a->in_type.id) == RT_PHYS_F64; }

static int str_cmp(const char *a, uint32_t an, const char *b, uint32_t bn) {
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

/* ---------------------------------------------------------------- fixed MIN/MAX */

static void mf_init(const rt_agg *a, void *st) { memset(st, 0, sizeof(mm_fix)); }

static int mf_add(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v) return 0;
    mm_fix *s = st;
    int is_max = a->kind == RT_AGG_MAX;
    int better;
    if (is_f64(a)) better = is_max ? v->d > s->v.d : v->d < s->v.d;
    else better = is_max ? v->i > s->v.i : v->i < s->v.i;
    if (!s->has || better) {
        if (is_f64(a)) s->v.d = v->d;
        else s->v.i = v->i;
        s->has = 1;
    }
    return 0;
}

static int mf_combine(const rt_agg *a, void *dst, const void *src) {
    const mm_fix *s = src;
    if (!s->has) return 0;
    rt_datum v;
    if (is_f64(a)) v.d = s->v.d;
    else v.i = s->v.i;
    return mf_add(a, dst, &v);
}

static int mf_final(const rt_agg *a, const void *st, rt_batch *out, uint32_t c, uint32_t r, eddy_err *err) {
    const mm_fix *s = st;
    if (!s->has) return 0;
    if (is_f64(a)) rt_batch_set_f64(out, c, r, s->v.d);
    else rt_batch_set_i64(out, c, r, s->v.i);
    return 0;
}

/* ---------------------------------------------------------------- slots */

static void slot_init(const rt_agg *a, void *st) { memset(st, 0, sizeof(slot)); }

static void slot_destroy(const rt_agg *a, void *st) {
    slot *s = st;
    if (is_str(a)) free(s->u.p);
    memset(s, 0, sizeof *s);
}

/* Stores v (NULL = SQL NULL) in the slot, copying string bytes. */
static int slot_set(const rt_agg *a, slot *s, const rt_datum *v) {
    s->has = 1;
    s->is_null = v == NULL;
    if (!v) return 0;
    if (!is_str(a)) {
        if (is_f64(a)) s->u.d = v->d;
        else s->u.i = v->i;
        return 0;
    }
    if (v->s.n > s->cap) {
        uint32_t cap = s->cap ? s->cap : 16;
        while (cap < v->s.n) cap = cap > UINT32_MAX / 2 ? v->s.n : cap * 2;
        char *p = realloc(s->u.p, cap);
        if (!p) return EDDY_E_NOMEM;
        s->u.p = p;
        s->cap = cap;
    }
    if (v->s.n) memcpy(s->u.p, v->s.p, v->s.n);
    s->n = v->s.n;
    return 0;
}

static int smm_add(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v) return 0;
    slot *s = st;
    if (s->has) {
        int c = str_cmp(v->s.p, v->s.n, s->u.p, s->n);
        if (a->kind == RT_AGG_MAX ? c <= 0 : c >= 0) return 0;
    }
    return slot_set(a, s, v);
}

static int first_add(const rt_agg *a, void *st, const rt_datum *v) {
    slot *s = st;
    if (!v && a->ignore_nulls) return 0;
    return s->has ? 0 : slot_set(a, s, v);
}

static int last_add(const rt_agg *a, void *st, const rt_datum *v) {
    if (!v && a->ignore_nulls) return 0;
    return slot_set(a, st, v);
}

static const rt_datum *slot_datum(const rt_agg *a, const slot *s, rt_datum *tmp) {
    if (s->is_null) return NULL;
    if (is_str(a)) {
        tmp->s.p = s->u.p;
        tmp->s.n = s->n;
    } else if (is_f64(a)) {
        tmp->d = s->u.d;
    } else {
        tmp->i = s->u.i;
    }
    return tmp;
}

static int slot_combine(const rt_agg *a, void *dst, const void *src) {
    const slot *s = src;
    if (!s->has) return 0;
    rt_datum tmp;
    const rt_datum *v = slot_datum(a, s, &tmp);
    if (a->kind == RT_AGG_FIRST_VALUE) return first_add(a, dst, v);
    if (a->kind == RT_AGG_LAST_VALUE) return last_add(a, dst, v);
    return smm_add(a, dst, v);
}

static int slot_final(const rt_agg *a, const void *st, rt_batch *out, uint32_t c, uint32_t r, eddy_err *err) {
    const slot *s = st;
    if (!s->has || s->is_null) return 0;
    rt_datum tmp;
    if (rt__agg_put(a, out, c, r, slot_datum(a, s, &tmp)) != 0)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    return 0;
}

void rt__agg_setup_minmax(rt_agg *a) {
    int minmax = a->kind == RT_AGG_MIN || a->kind == RT_AGG_MAX;
    if (minmax && !is_str(a)) {
        a->state_size = sizeof(mm_fix);
        a->init = mf_init;
        a->add = mf_add;
        a->combine = mf_combine;
        a->final = mf_final;
        return;
    }
    a->state_size = sizeof(slot);
    a->init = slot_init;
    a->add = minmax ? smm_add : a->kind == RT_AGG_FIRST_VALUE ? first_add : last_add;
    a->combine = slot_combine;
    a->final = slot_final;
    if (is_str(a)) {
        a->owns_memory = 1;
        a->destroy = slot_destroy;
    }
}
