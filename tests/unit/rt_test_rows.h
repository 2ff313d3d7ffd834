/*
 * rt_test_rows.h — runtime operator tests (check_runtime_ops.c,
 * check_runtime_join.c) compare rows as text: "ROWTIME|col|col...", NULL
 * as "NULL", integers in decimal, doubles with %g, strings as they are.
 */
#ifndef EDDY_RT_TEST_ROWS_H
#define EDDY_RT_TEST_ROWS_H

#include <stdio.h>

#include "batch.h"

static inline void fmt_row(const rt_batch *b, uint32_t r, char *out, size_t cap) {
    int n = snprintf(out, cap, "%lld", (long long)b->rowtime[r]);
    for (uint32_t c = 0; c < b->n_cols && n < (int)cap; c++) {
        const rt_column *col = &b->cols[c];
        if (rt_col_is_null(col, r)) n += snprintf(out + n, cap - n, "|NULL");
        else if (col->phys == RT_PHYS_I64) n += snprintf(out + n, cap - n, "|%lld", (long long)col->v.i64[r]);
        else if (col->phys == RT_PHYS_F64) n += snprintf(out + n, cap - n, "|%g", col->v.f64[r]);
        else n += snprintf(out + n, cap - n, "|%.*s", (int)col->v.str[r].n, col->v.str[r].p);
    }
}

#endif
