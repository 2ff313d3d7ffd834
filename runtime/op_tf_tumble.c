/*
 * op_tf_tumble.c — the tumbling-window table functions (SQL.md §6.1):
 *
 *   TOP_K_ITEMS_TUMBLING(cursor, 'col', K, windowSeconds)
 *     → (ITEM VARCHAR(1024), ITEM_COUNT BIGINT), the K most frequent values
 *   COUNT_DISTINCT_ITEMS_TUMBLING(cursor, 'col', windowSeconds)
 *     → (NUMBER_OF_DISTINCT_ITEMS BIGINT)
 *
 * Windows are aligned to the epoch like STEP(ROWTIME BY INTERVAL 'n'
 * SECOND); a window's rows leave once the watermark (or a row of a later
 * window) passes its end, with ROWTIME = the window's end. Empty windows
 * give no rows; NULL values are not counted. Values are compared as the
 * text a JSON output shows them with, so 1 and 1.0 of one DOUBLE column
 * are one item.
 *
 * Both are bounded in memory, as AWS's approximate versions are:
 *  - TOP_K counts exactly while the window holds at most max(10,000, 10 K)
 *    distinct values, then as Space-Saving (Metwally et al.): a new value
 *    takes over the least-counted slot and its count + 1, so every value
 *    more frequent than rows / slots is kept and counts overestimate by at
 *    most the smallest count. Ties rank by value, so results do not depend
 *    on arrival order.
 *    Values longer than ITEM's 1,024 bytes are counted as their first 1,024.
 *  - COUNT_DISTINCT is exact up to 10,000 distinct values (a set of 64-bit
 *    hashes), as AWS documents, then HyperLogLog with 2^14 registers
 *    (standard error ~0.8 %).
 *
 * INTERFACE: rt_tf_topk_init, rt_tf_distinct_init (through op_tablefn.c).
 */
#include "tablefn_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eddy_time.h"
#include "encode.h"
#include "keymap_int.h"

#define ITEM_MAX 1024             /* ITEM is VARCHAR(1024) */
#define EXACT_DISTINCT 10000
#define HLL_BITS 14
#define HLL_M (1u << HLL_BITS)

/* What both functions share: the column, the window, its text buffer. */
typedef struct tumble_common {
    int32_t col;
    int64_t win_ms;
    int64_t cur;       /* index of the open window */
    int open;          /* any row counted in it */
    int64_t emitted;   /* index of the last window emitted; later rows of it are late */
    uint32_t max_len;  /* values are counted as this many bytes (0 = whole) */
    sbuf text;
    /* The function's own steps; the row loop, the watermark and the end of
     * input below are shared. Each state starts with its tumble_common. */
    int (*emit)(rt_op *op, eddy_err *err);          /* the open window's rows */
    int (*add)(rt_op *op, const char *s, size_t n, eddy_err *err);
    size_t (*bytes)(const rt_op *op);               /* for /metrics */
} tumble_common;

static int common_init(rt_op *op, arena *a, uint32_t win_arg, tumble_common *tc, eddy_err *err) {
    const plan_node *n = op->node;
    tc->col = n->u.table_func.col;
    if (tc->col < 0 || (uint32_t)tc->col >= op->n_in)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "%s was planned without its column",
                               n->u.table_func.call.fn->name);
    int64_t secs;
    int rc = rt_tf_arg_int(op, a, win_arg, 0, &secs, err);
    if (rc != 0) return rc;
    tc->win_ms = secs * 1000;
    tc->emitted = INT64_MIN;
    sbuf_init(&tc->text);
    return 0;
}

/* Whether row r of window w comes too late: its window has left. */
static int late(rt_op *op, const tumble_common *tc, const rt_batch *b, uint32_t r, int64_t w) {
    if (w > tc->emitted && !(tc->open && w < tc->cur)) return 0;
    rt_op_row_error(op, b, r, "LATE_ROW", "row arrived after its window was emitted");
    return 1;
}

/* The value's text in tc->text; 0 when it is NULL (not counted). */
static int value_text(tumble_common *tc, const rt_batch *b, uint32_t r) {
    const rt_column *c = &b->cols[tc->col];
    if (rt_col_is_null(c, r)) return 0;
    sbuf_clear(&tc->text);
    rt_format_value(c, r, &tc->text);
    if (tc->max_len && tc->text.len > tc->max_len) {
        size_t n = tc->max_len;
        while (n > 0 && ((unsigned char)tc->text.data[n] & 0xC0) == 0x80) n--;   /* whole UTF-8 characters */
        tc->text.len = n;
    }
    return 1;
}

static int tumble_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    tumble_common *tc = op->state;
    uint32_t live = rt_batch_live(b);
    /* Records read again after a restart count from the window that was
     * open at the checkpoint (op.h); earlier windows were written. */
    int64_t floor = op->replaying && *op->replaying ? op->replay_floor : INT64_MIN;
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (b->rowtime[r] < floor) continue;
        int64_t w = eddy_floor_div(b->rowtime[r], tc->win_ms);
        if (late(op, tc, b, r, w)) continue;
        if (tc->open && w > tc->cur) {
            int rc = tc->emit(op, err);
            if (rc != 0) return rc;
        }
        if (!value_text(tc, b, r)) continue;
        if (tc->text.failed) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        tc->cur = w;
        tc->open = 1;
        int rc = tc->add(op, tc->text.data, tc->text.len, err);
        if (rc != 0) return rc;
    }
    op->state_bytes = tc->bytes(op);
    return 0;
}

static int tumble_watermark(rt_op *op, int64_t wm, eddy_err *err) {
    tumble_common *tc = op->state;
    return tc->open && (tc->cur + 1) * tc->win_ms <= wm ? tc->emit(op, err) : 0;
}

static int tumble_finish(rt_op *op, eddy_err *err) {
    tumble_common *tc = op->state;
    return tc->emit(op, err);
}

/* For checkpoints: the open window's start. */
static int tumble_horizon(rt_op *op, int64_t *from) {
    const tumble_common *tc = op->state;
    if (!tc->open) return 0;
    *from = tc->cur * tc->win_ms;
    return 1;
}

/* ---------------------------------------------------------------- TOP_K */

typedef struct tk_ent {
    uint64_t h;
    int64_t count;
    char *s;
    uint32_t n;
    uint32_t hp;       /* position in the heap */
} tk_ent;

typedef struct topk_state {
    tumble_common tc;
    int64_t k;
    uint32_t cap;      /* slots: exact up to this many distinct values */
    tk_ent *ents;
    uint32_t n_ents;
    uint32_t *heap;    /* entry indices, least count on top */
    uint32_t *slots;   /* open addressing: entry index + 1, 0 = empty */
    uint32_t mask;
    size_t item_bytes; /* copies of the counted values */
    rt_batch *out;
} topk_state;

static void heap_swap(topk_state *st, uint32_t i, uint32_t j) {
    uint32_t a = st->heap[i], b = st->heap[j];
    st->heap[i] = b;
    st->heap[j] = a;
    st->ents[b].hp = i;
    st->ents[a].hp = j;
}

static void sift_up(topk_state *st, uint32_t i) {
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (st->ents[st->heap[p]].count <= st->ents[st->heap[i]].count) break;
        heap_swap(st, i, p);
        i = p;
    }
}

static void sift_down(topk_state *st, uint32_t i) {
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < st->n_ents && st->ents[st->heap[l]].count < st->ents[st->heap[m]].count) m = l;
        if (r < st->n_ents && st->ents[st->heap[r]].count < st->ents[st->heap[m]].count) m = r;
        if (m == i) return;
        heap_swap(st, i, m);
        i = m;
    }
}

/* Slot holding the value, or the empty slot where it would go. */
static uint32_t tk_slot(const topk_state *st, uint64_t h, const char *s, uint32_t n) {
    uint32_t i = (uint32_t)h & st->mask;
    for (;;) {
        uint32_t e = st->slots[i];
        if (!e) return i;
        const tk_ent *x = &st->ents[e - 1];
        if (x->h == h && x->n == n && !memcmp(x->s, s, n)) return i;
        i = (i + 1) & st->mask;
    }
}

/* Removes slot i, shifting later members of its probe run back. */
static void tk_unslot(topk_state *st, uint32_t i) {
    st->slots[i] = 0;
    for (uint32_t j = (i + 1) & st->mask; st->slots[j]; j = (j + 1) & st->mask) {
        uint32_t home = (uint32_t)st->ents[st->slots[j] - 1].h & st->mask;
        /* Move j into the hole when its home is not in (i, j] cyclically. */
        if (((j - home) & st->mask) >= ((j - i) & st->mask)) {
            st->slots[i] = st->slots[j];
            st->slots[j] = 0;
            i = j;
        }
    }
}

static int tk_add(topk_state *st, const char *s, uint32_t n, eddy_err *err) {
    uint64_t h = rt_hash_bytes(s, n);
    uint32_t i = tk_slot(st, h, s, n);
    if (st->slots[i]) {
        tk_ent *e = &st->ents[st->slots[i] - 1];
        e->count++;
        sift_down(st, e->hp);
        return 0;
    }
    char *copy = malloc(n ? n : 1);
    if (!copy) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    memcpy(copy, s, n);
    st->item_bytes += n;
    if (st->n_ents < st->cap) {
        uint32_t x = st->n_ents++;
        st->ents[x] = (tk_ent){h, 1, copy, n, x};
        st->heap[x] = x;
        st->slots[i] = x + 1;
        sift_up(st, x);
        return 0;
    }
    /* Full: the least-counted value gives its slot to this one. */
    uint32_t x = st->heap[0];
    tk_ent *e = &st->ents[x];
    tk_unslot(st, tk_slot(st, e->h, e->s, e->n));
    st->item_bytes -= e->n;
    free(e->s);
    e->h = h;
    e->count++;
    e->s = copy;
    e->n = n;
    st->slots[tk_slot(st, h, s, n)] = x + 1;
    sift_down(st, 0);
    return 0;
}

static int cmp_top(const void *pa, const void *pb, void *ctx) {
    const tk_ent *ents = ctx;
    const tk_ent *a = &ents[*(const uint32_t *)pa], *b = &ents[*(const uint32_t *)pb];
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    uint32_t m = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->s, b->s, m);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

static void tk_reset(topk_state *st) {
    for (uint32_t i = 0; i < st->n_ents; i++) free(st->ents[i].s);
    st->n_ents = 0;
    st->item_bytes = 0;
    if (st->slots) memset(st->slots, 0, sizeof *st->slots * (st->mask + 1));
    st->tc.open = 0;
}

static int tk_emit(rt_op *op, eddy_err *err) {
    topk_state *st = op->state;
    if (!st->tc.open) return 0;
    int64_t end = (st->tc.cur + 1) * st->tc.win_ms;
    /* The heap array is free to reorder: it is rebuilt by tk_reset. */
    uint32_t n = st->n_ents;
    qsort_r(st->heap, n, sizeof *st->heap, cmp_top, st->ents);
    uint32_t keep = (uint64_t)st->k < n ? (uint32_t)st->k : n;
    int rc = 0;
    rt_batch_reset(st->out);
    for (uint32_t i = 0; i < keep && rc == 0; i++) {
        if (rt_batch_room(st->out) == 0) {
            rc = rt_op_emit(op, st->out, err);
            rt_batch_reset(st->out);
            if (rc != 0) break;
        }
        const tk_ent *e = &st->ents[st->heap[i]];
        /* Counted values are already cut to ITEM's length (value_text). */
        uint32_t r = rt_batch_begin_row(st->out, end);
        if (rt_batch_set_str(st->out, 0, r, e->s, e->n) != 0) {
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            break;
        }
        rt_batch_set_i64(st->out, 1, r, e->count);
        rt_batch_commit_row(st->out);
    }
    if (rc == 0) rc = rt_op_emit(op, st->out, err);
    rt_batch_reset(st->out);
    st->tc.emitted = st->tc.cur;
    tk_reset(st);
    return rc;
}

static int tk_add_text(rt_op *op, const char *s, size_t n, eddy_err *err) {
    return tk_add(op->state, s, (uint32_t)n, err);
}

static size_t tk_bytes(const rt_op *op) {
    const topk_state *st = op->state;
    return (size_t)st->cap * (sizeof *st->ents + sizeof *st->heap) + sizeof *st->slots * (st->mask + 1) +
           st->item_bytes;
}

static void tk_end(rt_op *op) {
    topk_state *st = op->state;
    if (st->ents) tk_reset(st);
    free(st->ents);
    free(st->heap);
    free(st->slots);
    sbuf_free(&st->tc.text);
    rt_batch_release(st->out);
}

static const rt_op_vt topk_vt = {"TOP_K_ITEMS_TUMBLING", tumble_push, tumble_watermark, tumble_finish, tk_end,
                                 NULL, tumble_horizon};

int rt_tf_topk_init(rt_op *op, arena *a, eddy_err *err) {
    topk_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    int rc = rt_tf_arg_int(op, a, 2, 0, &st->k, err);
    if (rc != 0 || (rc = common_init(op, a, 3, &st->tc, err)) != 0) return rc;
    /* Counted as the VARCHAR(1024) ITEM shows them, so two long values
     * that print alike are one item. */
    st->tc.max_len = ITEM_MAX;
    st->tc.emit = tk_emit;
    st->tc.add = tk_add_text;
    st->tc.bytes = tk_bytes;
    op->state = st;
    op->vt = &topk_vt;
    st->cap = st->k * 10 > EXACT_DISTINCT ? (uint32_t)st->k * 10 : EXACT_DISTINCT;
    uint32_t size = 1;
    while (size < 2 * st->cap) size <<= 1;
    st->mask = size - 1;
    st->ents = calloc(st->cap, sizeof *st->ents);
    st->heap = calloc(st->cap, sizeof *st->heap);
    st->slots = calloc(size, sizeof *st->slots);
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    if (!st->ents || !st->heap || !st->slots || !st->out) {
        tk_end(op);
        return err->code ? err->code : eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}

/* ---------------------------------------------------------------- COUNT_DISTINCT */

typedef struct cdi_state {
    tumble_common tc;
    uint64_t *set;     /* exact phase: hashes (0 = empty; a zero hash is stored as 1) */
    uint32_t set_n, set_mask;
    uint8_t *hll;      /* NULL while exact */
    rt_batch *out;
} cdi_state;

static void hll_add(uint8_t *reg, uint64_t h) {
    uint32_t j = (uint32_t)(h >> (64 - HLL_BITS));
    uint64_t rest = (h << HLL_BITS) | ((uint64_t)1 << (HLL_BITS - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);
    if (rank > reg[j]) reg[j] = rank;
}

static int64_t hll_estimate(const uint8_t *reg) {
    double sum = 0, m = HLL_M;
    uint32_t zeros = 0;
    for (uint32_t j = 0; j < HLL_M; j++) {
        sum += ldexp(1.0, -reg[j]);
        zeros += reg[j] == 0;
    }
    double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros) e = m * log(m / zeros);   /* small range: linear counting */
    return (int64_t)llround(e);
}

static int cdi_add(cdi_state *st, uint64_t h, eddy_err *err) {
    if (st->hll) {
        hll_add(st->hll, h);
        return 0;
    }
    if (!h) h = 1;
    uint32_t i = (uint32_t)h & st->set_mask;
    while (st->set[i] && st->set[i] != h) i = (i + 1) & st->set_mask;
    if (st->set[i]) return 0;
    if (st->set_n < EXACT_DISTINCT) {
        st->set[i] = h;
        st->set_n++;
        return 0;
    }
    /* One more than the exact phase keeps: the set becomes registers. */
    if (!(st->hll = calloc(HLL_M, 1))) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (uint32_t j = 0; j <= st->set_mask; j++)
        if (st->set[j]) hll_add(st->hll, st->set[j]);
    hll_add(st->hll, h);
    return 0;
}

static int cdi_emit(rt_op *op, eddy_err *err) {
    cdi_state *st = op->state;
    if (!st->tc.open) return 0;
    int64_t n = st->hll ? hll_estimate(st->hll) : st->set_n;
    rt_batch_reset(st->out);
    uint32_t r = rt_batch_begin_row(st->out, (st->tc.cur + 1) * st->tc.win_ms);
    rt_batch_set_i64(st->out, 0, r, n);
    rt_batch_commit_row(st->out);
    int rc = rt_op_emit(op, st->out, err);
    rt_batch_reset(st->out);
    memset(st->set, 0, sizeof *st->set * (st->set_mask + 1));
    st->set_n = 0;
    free(st->hll);
    st->hll = NULL;
    st->tc.emitted = st->tc.cur;
    st->tc.open = 0;
    return rc;
}

static int cdi_add_text(rt_op *op, const char *s, size_t n, eddy_err *err) {
    return cdi_add(op->state, rt_hash_bytes(s, n), err);
}

static size_t cdi_bytes(const rt_op *op) {
    const cdi_state *st = op->state;
    return sizeof *st->set * (st->set_mask + 1) + (st->hll ? HLL_M : 0);
}

static void cdi_end(rt_op *op) {
    cdi_state *st = op->state;
    free(st->set);
    free(st->hll);
    sbuf_free(&st->tc.text);
    rt_batch_release(st->out);
}

static const rt_op_vt cdi_vt = {"COUNT_DISTINCT_ITEMS_TUMBLING", tumble_push, tumble_watermark, tumble_finish,
                                cdi_end, NULL, tumble_horizon};

int rt_tf_distinct_init(rt_op *op, arena *a, eddy_err *err) {
    cdi_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    int rc = common_init(op, a, 2, &st->tc, err);
    if (rc != 0) return rc;
    st->tc.emit = cdi_emit;
    st->tc.add = cdi_add_text;
    st->tc.bytes = cdi_bytes;
    op->state = st;
    op->vt = &cdi_vt;
    st->set_mask = 32767;   /* 2^15 slots: the exact phase stays under a third full */
    st->set = calloc(st->set_mask + 1, sizeof *st->set);
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    if (!st->set || !st->out) {
        cdi_end(op);
        return err->code ? err->code : eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}
