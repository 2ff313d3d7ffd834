/*
 * agg_int.h — private to the aggregate files of runtime/ (agg.c,
 * agg_sum.c, agg_minmax.c, agg_stats.c, agg_bool.c): each family fills the function
 * pointers and sizes of an rt_agg whose kind, in_type and out_type agg.c
 * has already set.
 */
#ifndef RT_AGG_INT_H
#define RT_AGG_INT_H

#include "agg.h"

/* COUNT(*), COUNT, SUM, AVG. */
void rt__agg_setup_sum(rt_agg *a);
/* MIN, MAX, FIRST_VALUE, LAST_VALUE. */
void rt__agg_setup_minmax(rt_agg *a);
/* VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP. */
void rt__agg_setup_stats(rt_agg *a);
/* ANY, EVERY. */
void rt__agg_setup_bool(rt_agg *a);

/* Writes a value of out_type's storage class; strings are copied. */
int rt__agg_put(const rt_agg *a, rt_batch *out, uint32_t c, uint32_t r, const rt_datum *v);

#endif
