/*
 * window_int.h — private to the window state files of runtime/
 * (window_group.c, window_slide.c, window_stagger.c): an owned copy of an
 * rt_window_spec and the state-block layout of its aggregates.
 */
#ifndef RT_WINDOW_INT_H
#define RT_WINDOW_INT_H

#include "keymap_int.h"
#include "window_state.h"

typedef struct rt_wspec {
    uint32_t n_keys, n_aggs;
    eddy_type *key_types;
    uint32_t *key_cols;
    rt_agg *aggs;
    int32_t *agg_cols;
    uint32_t *agg_off;     /* offset of each aggregate's state in a block */
    uint32_t states_size;  /* bytes of one block of all states */
    int owns_memory;       /* some aggregate's state owns heap memory */
} rt_wspec;

/* Copies `in` into *w and lays out the state block. Returns 0 or an error. */
int rt__wspec_init(rt_wspec *w, const rt_window_spec *in, eddy_err *err);
void rt__wspec_free(rt_wspec *w);

/* Initialises / destroys every aggregate state of one block. */
void rt__wspec_init_states(const rt_wspec *w, uint8_t *block);
void rt__wspec_destroy_states(const rt_wspec *w, uint8_t *block);

/* Writes the keys of keymap entry `id` then the finals of `block` into a
 * row begun in `out`. Returns 0, EDDY_E_RUNTIME (a final failed; err set)
 * or EDDY_E_NOMEM. */
int rt__wspec_emit_row(const rt_wspec *w, const rt_keymap *m, uint32_t id, const uint8_t *block, rt_batch *out,
                       uint32_t r, eddy_err *err);

#endif
