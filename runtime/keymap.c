/*
 * keymap.c — the key → dense id hash map behind group tables and window
 * partitions (see keymap_int.h).
 *
 * Open addressing with linear probing over a power-of-two array of 32-bit
 * entry ids (4 bytes a slot, load <= 3/4); each entry starts with its full
 * 32-bit hash and NULL mask, so probing compares hashes before keys and
 * growing rehashes without touching key bytes. Entry layout:
 *   [u32 hash][u32 null mask][key 0][key 1]...[payload]
 * with 8 bytes per fixed-width key and 16 (pointer, length) per string key.
 */
#include "keymap_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p;
    uint32_t n;
} kstr;

/* Doubles compare by value: -0.0 equals 0.0, so both hash alike. */
static inline int64_t f64_bits(double d) {
    if (d == 0) d = 0;
    int64_t b;
    memcpy(&b, &d, 8);
    return b;
}

int rt_keymap_init(rt_keymap *m, const eddy_type *key_types, uint32_t n_keys, uint32_t payload_size,
                   eddy_err *err) {
    memset(m, 0, sizeof *m);
    if (n_keys > RT_KEYMAP_MAX_KEYS)
        return eddy_err_set(err, EDDY_E_INVAL, "too many key columns (%u, at most %u)", n_keys, RT_KEYMAP_MAX_KEYS);
    m->n_keys = n_keys;
    uint32_t off = 8;
    for (uint32_t k = 0; k < n_keys; k++) {
        m->key_types[k] = key_types[k];
        m->key_off[k] = (uint16_t)off;
        off += rt_phys_of(key_types[k].id) == RT_PHYS_STR ? 16 : 8;
    }
    m->key_size = off;
    m->payload_size = (payload_size + 7) & ~7u;
    m->entry_size = m->key_size + m->payload_size;
    m->mask = 15;
    m->slots = calloc(m->mask + 1, sizeof *m->slots);
    arena_init(&m->strings, 8192);
    if (!m->slots) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    return 0;
}

void rt_keymap_free(rt_keymap *m) {
    for (uint32_t i = 0; i < m->n_chunks; i++) free(m->chunks[i]);
    free(m->chunks);
    free(m->slots);
    arena_free(&m->strings);
    memset(m, 0, sizeof *m);
}

void rt_keymap_clear(rt_keymap *m) {
    m->n = 0;
    memset(m->slots, 0, (m->mask + 1) * sizeof *m->slots);
    arena_reset(&m->strings);
}

static inline uint8_t *entry(const rt_keymap *m, uint32_t id) {
    return m->chunks[id / RT_KEYMAP_CHUNK] + (size_t)(id % RT_KEYMAP_CHUNK) * m->entry_size;
}

static uint32_t row_hash(const rt_keymap *m, const rt_batch *b, const uint32_t *key_cols, uint32_t r,
                         uint32_t *nullmask) {
    uint64_t h = 0x243F6A8885A308D3ULL;
    uint32_t nm = 0;
    for (uint32_t k = 0; k < m->n_keys; k++) {
        const rt_column *c = &b->cols[key_cols[k]];
        uint64_t kh;
        if (rt_col_is_null(c, r)) {
            nm |= 1u << k;
            kh = 0x5bd1e995;
        } else if (c->phys == RT_PHYS_STR) {
            kh = rt_hash_bytes(c->v.str[r].p, c->v.str[r].n);
        } else if (c->phys == RT_PHYS_F64) {
            kh = (uint64_t)f64_bits(c->v.f64[r]);
        } else {
            kh = (uint64_t)c->v.i64[r];
        }
        h = rt_mix64(h ^ kh) + k;
    }
    *nullmask = nm;
    return (uint32_t)(h ^ (h >> 32));
}

static int keys_equal(const rt_keymap *m, const uint8_t *e, const rt_batch *b, const uint32_t *key_cols, uint32_t r,
                      uint32_t nullmask) {
    uint32_t enm;
    memcpy(&enm, e + 4, 4);
    if (enm != nullmask) return 0;
    for (uint32_t k = 0; k < m->n_keys; k++) {
        if (nullmask & (1u << k)) continue;
        const rt_column *c = &b->cols[key_cols[k]];
        const uint8_t *kp = e + m->key_off[k];
        if (c->phys == RT_PHYS_STR) {
            const kstr *s = (const kstr *)kp;
            if (s->n != c->v.str[r].n || (s->n && memcmp(s->p, c->v.str[r].p, s->n) != 0)) return 0;
        } else {
            int64_t v = c->phys == RT_PHYS_F64 ? f64_bits(c->v.f64[r]) : c->v.i64[r];
            if (*(const int64_t *)kp != v) return 0;
        }
    }
    return 1;
}

static int grow_slots(rt_keymap *m) {
    uint32_t cap = (m->mask + 1) * 2;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return EDDY_E_NOMEM;
    for (uint32_t id = 0; id < m->n; id++) {
        uint32_t h;
        memcpy(&h, entry(m, id), 4);
        uint32_t i = h & (cap - 1);
        while (slots[i]) i = (i + 1) & (cap - 1);
        slots[i] = id + 1;
    }
    free(m->slots);
    m->slots = slots;
    m->mask = cap - 1;
    return 0;
}

/* Appends a new entry for row r; returns its id or -1 on allocation failure. */
static int64_t add_entry(rt_keymap *m, const rt_batch *b, const uint32_t *key_cols, uint32_t r, uint32_t h,
                         uint32_t nm) {
    uint32_t id = m->n;
    if (id / RT_KEYMAP_CHUNK >= m->n_chunks) {
        if (m->n_chunks == m->cap_chunks) {
            uint32_t cap = m->cap_chunks ? m->cap_chunks * 2 : 4;
            uint8_t **ch = realloc(m->chunks, cap * sizeof *ch);
            if (!ch) return -1;
            m->chunks = ch;
            m->cap_chunks = cap;
        }
        uint8_t *c = malloc((size_t)RT_KEYMAP_CHUNK * m->entry_size);
        if (!c) return -1;
        m->chunks[m->n_chunks++] = c;
    }
    uint8_t *e = entry(m, id);
    memset(e, 0, m->entry_size);
    memcpy(e, &h, 4);
    memcpy(e + 4, &nm, 4);
    for (uint32_t k = 0; k < m->n_keys; k++) {
        if (nm & (1u << k)) continue;
        const rt_column *c = &b->cols[key_cols[k]];
        uint8_t *kp = e + m->key_off[k];
        if (c->phys == RT_PHYS_STR) {
            kstr *s = (kstr *)kp;
            s->n = c->v.str[r].n;
            if (s->n) {
                char *p = arena_alloc(&m->strings, s->n);
                if (!p) return -1;
                memcpy(p, c->v.str[r].p, s->n);
                s->p = p;
            }
        } else {
            *(int64_t *)kp = c->phys == RT_PHYS_F64 ? f64_bits(c->v.f64[r]) : c->v.i64[r];
        }
    }
    m->n++;
    return id;
}

int rt_keymap_find_row(rt_keymap *m, const rt_batch *b, const uint32_t *key_cols, uint32_t r, uint32_t *id,
                       eddy_err *err) {
    uint32_t nm;
    uint32_t h = row_hash(m, b, key_cols, r, &nm);
    uint32_t i = h & m->mask;
    for (;;) {
        uint32_t s = m->slots[i];
        if (!s) break;
        const uint8_t *e = entry(m, s - 1);
        if (*(const uint32_t *)e == h && keys_equal(m, e, b, key_cols, r, nm)) {
            *id = s - 1;
            return 0;
        }
        i = (i + 1) & m->mask;
    }
    int64_t nid = add_entry(m, b, key_cols, r, h, nm);
    if (nid < 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory adding a group");
    m->slots[i] = (uint32_t)nid + 1;
    *id = (uint32_t)nid;
    if ((uint64_t)m->n * 4 > (uint64_t)(m->mask + 1) * 3 && grow_slots(m) != 0)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory growing a hash table");
    return 0;
}

/* find_batch for the usual key: one fixed-width column (BIGINT-like or
 * DOUBLE). Hashes every row first, prefetching its slot, then prefetches
 * the entry each first probe compares, then probes: the cache misses of a
 * batch overlap instead of each waiting for the last. Same hash as
 * row_hash; a row whose key is new goes through
 * rt_keymap_find_row, which adds it (and may grow the slots: the hashes
 * computed here do not depend on the slot count). */
static int find_batch_fixed1(rt_keymap *m, const rt_batch *b, const uint32_t *key_cols, uint32_t *ids,
                             eddy_err *err) {
    const rt_column *c = &b->cols[key_cols[0]];
    uint32_t live = rt_batch_live(b);
    uint32_t hs[RT_BATCH_CAP];
    int64_t ks[RT_BATCH_CAP];
    int f64 = c->phys == RT_PHYS_F64;
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        int null = rt_col_is_null(c, r);
        int64_t k = null ? 0 : f64 ? f64_bits(c->v.f64[r]) : c->v.i64[r];
        uint64_t h = rt_mix64(0x243F6A8885A308D3ULL ^ (null ? (uint64_t)0x5bd1e995 : (uint64_t)k));
        ks[i] = k;
        hs[i] = (uint32_t)(h ^ (h >> 32));
        __builtin_prefetch(&m->slots[hs[i] & m->mask]);
    }
    /* Second pass: the entry the first probe of each row will compare. */
    for (uint32_t i = 0; i < live; i++) {
        uint32_t sl = m->slots[hs[i] & m->mask];
        if (sl) __builtin_prefetch(entry(m, sl - 1));
    }
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        uint32_t h = hs[i], nm = rt_col_is_null(c, r) ? 1u : 0u;
        uint32_t j = h & m->mask, sl;
        while ((sl = m->slots[j]) != 0) {
            const uint8_t *e = entry(m, sl - 1);
            uint32_t eh, enm;
            memcpy(&eh, e, 4);
            memcpy(&enm, e + 4, 4);
            if (eh == h && enm == nm && (nm || *(const int64_t *)(e + 8) == ks[i])) break;
            j = (j + 1) & m->mask;
        }
        if (sl) {
            ids[i] = sl - 1;
            continue;
        }
        int rc = rt_keymap_find_row(m, b, key_cols, r, &ids[i], err);
        if (rc) return rc;
    }
    return 0;
}

int rt_keymap_find_batch(rt_keymap *m, const rt_batch *b, const uint32_t *key_cols, uint32_t *ids, eddy_err *err) {
    if (m->n_keys == 1 && rt_phys_of(m->key_types[0].id) != RT_PHYS_STR &&
        b->cols[key_cols[0]].phys != RT_PHYS_STR)
        return find_batch_fixed1(m, b, key_cols, ids, err);
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        int rc = rt_keymap_find_row(m, b, key_cols, rt_batch_row(b, i), &ids[i], err);
        if (rc) return rc;
    }
    return 0;
}

int rt_keymap_put_key(const rt_keymap *m, uint32_t id, uint32_t k, rt_batch *out, uint32_t c, uint32_t r) {
    const uint8_t *e = entry(m, id);
    uint32_t nm;
    memcpy(&nm, e + 4, 4);
    if (nm & (1u << k)) {
        rt_col_set_null(&out->cols[c], r);
        return 0;
    }
    const uint8_t *kp = e + m->key_off[k];
    switch (rt_phys_of(m->key_types[k].id)) {
    case RT_PHYS_STR: {
        const kstr *s = (const kstr *)kp;
        return rt_batch_set_str(out, c, r, s->p, s->n);
    }
    case RT_PHYS_F64: {
        double d;
        memcpy(&d, kp, 8);
        rt_batch_set_f64(out, c, r, d);
        return 0;
    }
    default: rt_batch_set_i64(out, c, r, *(const int64_t *)kp); return 0;
    }
}

size_t rt_keymap_bytes(const rt_keymap *m) {
    return (size_t)m->n_chunks * RT_KEYMAP_CHUNK * m->entry_size + m->cap_chunks * sizeof(uint8_t *) +
           (size_t)(m->mask + 1) * sizeof(uint32_t) + m->strings.used_total;
}

/* One key column's contribution to the 64-bit hash: by value, strings by
 * their bytes, NULL as a marker; seeded apart from row_hash. */
static inline uint64_t hash64_step(uint64_t h, uint32_t k, int null, int is_str, uint64_t v, const char *p,
                                   uint32_t n) {
    uint64_t kh = null ? 0x6a09e667f3bcc909ULL : is_str ? rt_hash_bytes(p, n) : v;
    return rt_mix64(h ^ kh ^ ((uint64_t)k << 56)) + 0x9E3779B97F4A7C15ULL;
}

uint64_t rt_keymap_row_hash64(const rt_keymap *m, const rt_batch *b, const uint32_t *key_cols, uint32_t r) {
    uint64_t h = 0xb7e151628aed2a6bULL;
    for (uint32_t k = 0; k < m->n_keys; k++) {
        const rt_column *c = &b->cols[key_cols[k]];
        int null = rt_col_is_null(c, r);
        if (!null && c->phys == RT_PHYS_STR)
            h = hash64_step(h, k, 0, 1, 0, c->v.str[r].p, c->v.str[r].n);
        else
            h = hash64_step(h, k, null, 0,
                            null ? 0 : c->phys == RT_PHYS_F64 ? (uint64_t)f64_bits(c->v.f64[r]) : (uint64_t)c->v.i64[r],
                            NULL, 0);
    }
    return h;
}

uint64_t rt_keymap_entry_hash64(const rt_keymap *m, uint32_t id) {
    const uint8_t *e = entry(m, id);
    uint32_t nm;
    memcpy(&nm, e + 4, 4);
    uint64_t h = 0xb7e151628aed2a6bULL;
    for (uint32_t k = 0; k < m->n_keys; k++) {
        int null = (nm >> k) & 1;
        const uint8_t *kp = e + m->key_off[k];
        if (!null && rt_phys_of(m->key_types[k].id) == RT_PHYS_STR) {
            const kstr *ks = (const kstr *)kp;
            h = hash64_step(h, k, 0, 1, 0, ks->p, ks->n);
        } else {
            int64_t v = 0;
            if (!null) memcpy(&v, kp, 8);
            h = hash64_step(h, k, null, 0, (uint64_t)v, NULL, 0);
        }
    }
    return h;
}
