/*
 * keymap_int.h — private to runtime/: a hash map from a row's key columns
 * (any number, any types, NULL equal to NULL) to a dense entry id, with a
 * fixed-size payload per entry. The group table, the sliding window's
 * partitions and the stagger windows are all a keymap plus a payload
 * layout (window_*.c).
 *
 * Entries are numbered 0, 1, 2, ... in order of first appearance and stored
 * in chunks that never move, so a payload pointer stays valid until the map
 * is cleared. Key strings are owned copies in the map's arena.
 */
#ifndef RT_KEYMAP_INT_H
#define RT_KEYMAP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "batch.h"
#include "eddy_err.h"

#include <string.h>

#define RT_KEYMAP_CHUNK 1024u   /* entries per chunk */

/* A 64-bit finaliser: every output bit depends on every input bit, so both
 * the low bits (hash tables) and the high ones (HyperLogLog) are usable. */
static inline uint64_t rt_mix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* Hash of n bytes (string keys, TOP_K items, COUNT_DISTINCT values). */
static inline uint64_t rt_hash_bytes(const char *p, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    if (n) memcpy(&w, p, n);
    return rt_mix64(h ^ w);
}
#define RT_KEYMAP_MAX_KEYS 32u

typedef struct rt_keymap {
    uint32_t n_keys;            /* read-only */
    eddy_type key_types[RT_KEYMAP_MAX_KEYS];
    uint16_t key_off[RT_KEYMAP_MAX_KEYS];
    uint32_t key_size;          /* private: header + keys, 8-aligned */
    uint32_t payload_size;      /* read-only */
    uint32_t entry_size;        /* private */
    uint32_t n;                 /* read-only: number of entries */
    uint8_t **chunks;           /* private */
    uint32_t n_chunks, cap_chunks;
    uint32_t *slots;            /* private: entry id + 1, 0 = empty */
    uint32_t mask;              /* private: slot count - 1 */
    arena strings;              /* private: key string copies */
} rt_keymap;

/* Sets up an empty map. key_types (borrowed, copied) has n_keys <=
 * RT_KEYMAP_MAX_KEYS entries; n_keys may be 0 (one global entry). payload_size
 * is rounded up to 8. Returns 0 or EDDY_E_INVAL / EDDY_E_NOMEM. */
int rt_keymap_init(rt_keymap *m, const eddy_type *key_types, uint32_t n_keys, uint32_t payload_size,
                   eddy_err *err);

/* Frees everything the map owns (not what payloads own). */
void rt_keymap_free(rt_keymap *m);

/* Removes every entry, keeping memory for reuse. */
void rt_keymap_clear(rt_keymap *m);

/* For each live row i of `b`, sets ids[i] to the id of the entry whose keys
 * equal the row's columns key_cols[0..n_keys), adding entries as needed
 * with zeroed payloads (new ids are >= the count before the call).
 * Returns 0 or EDDY_E_NOMEM (entries added so far stay valid). */
int rt_keymap_find_batch(rt_keymap *m, const rt_batch *b, const uint32_t *key_cols, uint32_t *ids, eddy_err *err);

/* Same for one row r. */
int rt_keymap_find_row(rt_keymap *m, const rt_batch *b, const uint32_t *key_cols, uint32_t r, uint32_t *id,
                       eddy_err *err);

/* Payload of entry `id` (8-aligned, payload_size bytes). */
static inline uint8_t *rt_keymap_payload(const rt_keymap *m, uint32_t id) {
    return m->chunks[id / RT_KEYMAP_CHUNK] + (size_t)(id % RT_KEYMAP_CHUNK) * m->entry_size + m->key_size;
}

/* Writes key k of entry id to row r of column c of `out` (copying strings).
 * Returns 0 or EDDY_E_NOMEM. */
int rt_keymap_put_key(const rt_keymap *m, uint32_t id, uint32_t k, rt_batch *out, uint32_t c, uint32_t r);

/* Bytes allocated by the map: chunks, slot array, key strings. */
size_t rt_keymap_bytes(const rt_keymap *m);

/* A 64-bit hash of a key, equal for a batch row (key columns key_cols) and
 * for the entry that row finds, and the same in every process, so keys
 * saved by hash (checkpoints) are recognised after a restart. */
uint64_t rt_keymap_row_hash64(const rt_keymap *m, const rt_batch *b, const uint32_t *key_cols, uint32_t r);
uint64_t rt_keymap_entry_hash64(const rt_keymap *m, uint32_t id);

#endif
