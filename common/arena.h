/*
 * arena.h — region allocation for short-lived memory (a statement, a batch,
 * a request). Allocation failure sets a sticky flag (arena->failed) and
 * returns NULL; callers check the flag once at each stage boundary.
 * Memory is released all at once by arena_reset() or arena_free().
 */
#ifndef EDDY_ARENA_H
#define EDDY_ARENA_H

#include <stddef.h>
#include <string.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head;   /* private: current block, linked to older ones */
    size_t block_size;   /* private: default size of a new block */
    size_t used_total;   /* read-only: bytes handed out since the last reset */
    int failed;          /* read-only: sticky allocation-failure flag */
} arena;

/* Initialises an arena whose blocks are at least block_size bytes (0 = 16 KiB).
 * This function can't fail; the first block is allocated lazily. */
void arena_init(arena *a, size_t block_size);

/* Returns `n` bytes aligned to 16, or NULL (and sets a->failed). */
void *arena_alloc(arena *a, size_t n);

/* As arena_alloc, zero-filled. */
void *arena_calloc(arena *a, size_t n);

/* Copies `n` bytes of `s` and a NUL into the arena. */
char *arena_strndup(arena *a, const char *s, size_t n);

/* Copies a NUL-terminated string into the arena. */
char *arena_strdup(arena *a, const char *s);

/* printf into the arena. */
char *arena_sprintf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Frees every block but the first, which is kept for reuse; clears `failed`. */
void arena_reset(arena *a);

/* Frees every block. The arena may be reused after arena_init. */
void arena_free(arena *a);

#endif
