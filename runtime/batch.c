/*
 * batch.c — row batches (see batch.h): allocation, reference counting,
 * row building, copying and the debug verifier.
 *
 * One malloc holds the batch header, the column descriptors and every data
 * array, so creating and freeing a batch is two allocator calls (the string
 * arena allocates lazily).
 */
#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rt_phys rt_phys_of(eddy_type_id id) {
    switch (id) {
    case EDDY_T_REAL:
    case EDDY_T_DOUBLE: return RT_PHYS_F64;
    case EDDY_T_CHAR:
    case EDDY_T_VARCHAR:
    case EDDY_T_BINARY:
    case EDDY_T_VARBINARY: return RT_PHYS_STR;
    default: return RT_PHYS_I64;
    }
}

static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

rt_batch *rt_batch_new(const eddy_type *types, uint32_t n_cols, eddy_err *err) {
    size_t sz = align16(sizeof(rt_batch)) + align16(n_cols * sizeof(rt_column)) +
                align16(RT_BATCH_CAP * sizeof(uint16_t)) + RT_BATCH_CAP * sizeof(int64_t);
    for (uint32_t i = 0; i < n_cols; i++) {
        size_t elem = rt_phys_of(types[i].id) == RT_PHYS_STR ? sizeof(rt_str) : 8;
        sz += RT_BATCH_WORDS * 8 + align16(RT_BATCH_CAP * elem);
    }
    unsigned char *mem = calloc(1, sz);
    if (!mem) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory allocating a batch");
        return NULL;
    }
    rt_batch *b = (rt_batch *)mem;
    unsigned char *p = mem + align16(sizeof(rt_batch));
    b->n_cols = n_cols;
    b->cols = (rt_column *)p;
    p += align16(n_cols * sizeof(rt_column));
    b->sel = (uint16_t *)p;
    p += align16(RT_BATCH_CAP * sizeof(uint16_t));
    b->rowtime = (int64_t *)p;
    p += RT_BATCH_CAP * sizeof(int64_t);
    for (uint32_t i = 0; i < n_cols; i++) {
        rt_column *c = &b->cols[i];
        c->type = types[i];
        c->phys = rt_phys_of(types[i].id);
        c->valid = (uint64_t *)p;
        p += RT_BATCH_WORDS * 8;
        if (c->phys == RT_PHYS_STR) {
            c->v.str = (rt_str *)p;
            p += align16(RT_BATCH_CAP * sizeof(rt_str));
        } else {
            c->v.i64 = (int64_t *)p;  /* f64 shares the same storage */
            p += align16(RT_BATCH_CAP * 8);
        }
    }
    arena_init(&b->strings, 32768);
    b->refcnt = 1;
    return b;
}

rt_batch *rt_batch_ref(rt_batch *b) {
    b->refcnt++;
    return b;
}

rt_batch *rt_batch_move(rt_batch **pb) {
    rt_batch *b = *pb;
    *pb = NULL;
    return b;
}

void rt_batch_release(rt_batch *b) {
    if (!b) return;
    if (--b->refcnt > 0) return;
    arena_free(&b->strings);
    free(b);
}

void rt_batch_reset(rt_batch *b) {
    b->n_rows = 0;
    b->n_sel = 0;
    b->has_sel = 0;
    arena_reset(&b->strings);
}

uint32_t rt_batch_begin_row(rt_batch *b, int64_t rowtime) {
    uint32_t r = b->n_rows;
    b->rowtime[r] = rowtime;
    for (uint32_t c = 0; c < b->n_cols; c++) rt_col_set_null(&b->cols[c], r);
    return r;
}

void rt_batch_set_i64(rt_batch *b, uint32_t c, uint32_t r, int64_t v) {
    b->cols[c].v.i64[r] = v;
    rt_col_set_valid(&b->cols[c], r);
}

void rt_batch_set_f64(rt_batch *b, uint32_t c, uint32_t r, double v) {
    b->cols[c].v.f64[r] = v;
    rt_col_set_valid(&b->cols[c], r);
}

int rt_batch_set_str(rt_batch *b, uint32_t c, uint32_t r, const char *p, size_t n) {
    /* An empty string still points somewhere, so no caller meets a NULL view. */
    char *dst = (char *)"";
    if (n) {
        dst = arena_alloc(&b->strings, n);
        if (!dst) return EDDY_E_NOMEM;
        memcpy(dst, p, n);
    }
    b->cols[c].v.str[r].p = dst;
    b->cols[c].v.str[r].n = (uint32_t)n;
    rt_col_set_valid(&b->cols[c], r);
    return 0;
}

void rt_batch_get(const rt_batch *b, uint32_t c, uint32_t r, eddy_value *out) {
    const rt_column *col = &b->cols[c];
    out->type = col->type.id;
    out->is_null = (uint8_t)rt_col_is_null(col, r);
    if (out->is_null) {
        out->u.i = 0;
        return;
    }
    switch (col->phys) {
    case RT_PHYS_I64: out->u.i = col->v.i64[r]; break;
    case RT_PHYS_F64: out->u.d = col->v.f64[r]; break;
    case RT_PHYS_STR:
        out->u.s.p = col->v.str[r].p;
        out->u.s.n = col->v.str[r].n;
        break;
    }
}

int rt_batch_append_live(rt_batch *dst, const rt_batch *src, eddy_err *err) {
    if (dst->n_cols != src->n_cols)
        return eddy_err_set(err, EDDY_E_INTERNAL, "batch append: column count mismatch");
    uint32_t live = rt_batch_live(src);
    if (rt_batch_room(dst) < live) return eddy_err_set(err, EDDY_E_LIMIT, "batch append: no room");
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(src, i);
        uint32_t d = rt_batch_begin_row(dst, src->rowtime[r]);
        for (uint32_t c = 0; c < src->n_cols; c++) {
            const rt_column *sc = &src->cols[c];
            if (rt_col_is_null(sc, r)) continue;
            if (sc->phys == RT_PHYS_STR) {
                if (rt_batch_set_str(dst, c, d, sc->v.str[r].p, sc->v.str[r].n) != 0)
                    return eddy_err_set(err, EDDY_E_NOMEM, "out of memory copying strings");
            } else if (sc->phys == RT_PHYS_F64) {
                rt_batch_set_f64(dst, c, d, sc->v.f64[r]);
            } else {
                rt_batch_set_i64(dst, c, d, sc->v.i64[r]);
            }
        }
        rt_batch_commit_row(dst);
    }
    return 0;
}

int rt_batch_verify(const rt_batch *b, eddy_err *err) {
    if (b->refcnt < 1) return eddy_err_set(err, EDDY_E_INTERNAL, "batch has no reference");
    if (b->n_rows > RT_BATCH_CAP)
        return eddy_err_set(err, EDDY_E_INTERNAL, "batch has %u rows, capacity %u", b->n_rows, RT_BATCH_CAP);
    if (b->has_sel) {
        if (b->n_sel > b->n_rows)
            return eddy_err_set(err, EDDY_E_INTERNAL, "selection of %u rows in a batch of %u", b->n_sel, b->n_rows);
        for (uint32_t i = 0; i < b->n_sel; i++) {
            if (b->sel[i] >= b->n_rows || (i > 0 && b->sel[i] <= b->sel[i - 1]))
                return eddy_err_set(err, EDDY_E_INTERNAL, "selection entry %u (%u) out of order or range", i,
                                    b->sel[i]);
        }
    }
    for (uint32_t c = 0; c < b->n_cols; c++) {
        const rt_column *col = &b->cols[c];
        if (col->phys != rt_phys_of(col->type.id))
            return eddy_err_set(err, EDDY_E_INTERNAL, "column %u: storage class does not match type", c);
        int64_t lo = 0, hi = 0;
        int ranged = eddy_type_is_integer(col->type.id) || col->type.id == EDDY_T_BOOLEAN;
        if (ranged) {
            if (col->type.id == EDDY_T_BOOLEAN) hi = 1;
            else eddy_int_range(col->type.id, &lo, &hi);
        }
        for (uint32_t r = 0; r < b->n_rows; r++) {
            if (rt_col_is_null(col, r)) continue;
            if (ranged && (col->v.i64[r] < lo || col->v.i64[r] > hi))
                return eddy_err_set(err, EDDY_E_INTERNAL, "column %u row %u: %lld out of range for %s", c, r,
                                    (long long)col->v.i64[r], eddy_type_name(col->type.id));
            if (col->phys == RT_PHYS_STR) {
                const rt_str *s = &col->v.str[r];
                if (s->n && !s->p)
                    return eddy_err_set(err, EDDY_E_INTERNAL, "column %u row %u: string without bytes", c, r);
                if (col->type.id == EDDY_T_VARCHAR && col->type.precision > 0 &&
                    s->n > 4u * (uint32_t)col->type.precision)
                    return eddy_err_set(err, EDDY_E_INTERNAL, "column %u row %u: %u bytes exceed VARCHAR(%d)", c,
                                        r, s->n, col->type.precision);
            }
        }
    }
    return 0;
}
