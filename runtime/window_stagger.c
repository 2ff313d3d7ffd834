/*
 * window_stagger.c — stagger window state (WINDOWED BY STAGGER, SQL.md
 * §4.4; see window_state.h).
 *
 * Every window has the same length and opens at the ROWTIME of its key's
 * first row, and ROWTIMEs arrive in order, so windows end in the order they
 * open: the open windows form one FIFO queue, closing is popping its front,
 * and nothing ever searches for the next window to close. Each key points
 * at its newest window by sequence number; a row whose key's window has
 * already ended (but not been emitted yet) opens a new one behind it.
 *
 * Keys live in a keymap. Keys come and go (event-time buckets in the key),
 * so the map is rebuilt from the open windows whenever it holds more than
 * twice as many keys as there are open windows (plus slack): memory follows
 * the open windows, and the rebuild costs O(open windows) once per at least
 * that many new keys, which keeps the work per row constant amortised.
 */
#include "window_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct win_hdr {
    uint32_t key_id;
    uint32_t pad;
    int64_t open;
    /* followed by the aggregate states */
} win_hdr;

struct rt_stagger {
    rt_wspec spec;
    rt_keymap map;       /* payload: uint64 (sequence of the key's newest window) + 1 */
    int64_t length;
    uint8_t *buf;        /* ring of windows */
    uint32_t cap, head, len;
    uint32_t rec_size;
    uint64_t head_seq;   /* sequence number of the front window */
    int64_t last_t;
    int any;
    uint32_t ident[RT_KEYMAP_MAX_KEYS];  /* 0, 1, 2, …: key k is column k of a key-only batch */
};

static win_hdr *win_at(const rt_stagger *s, uint64_t seq) {
    uint32_t i = (s->head + (uint32_t)(seq - s->head_seq)) & (s->cap - 1);
    return (win_hdr *)(s->buf + (size_t)i * s->rec_size);
}

rt_stagger *rt_stagger_new(const rt_window_spec *spec, int64_t length_ms, eddy_err *err) {
    if (length_ms <= 0) {
        eddy_err_set(err, EDDY_E_INVAL, "a stagger window needs a positive length");
        return NULL;
    }
    rt_stagger *s = calloc(1, sizeof *s);
    if (!s) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    if (rt__wspec_init(&s->spec, spec, err) != 0) {
        free(s);
        return NULL;
    }
    if (rt_keymap_init(&s->map, spec->key_types, spec->n_keys, sizeof(uint64_t), err) != 0) {
        rt__wspec_free(&s->spec);
        free(s);
        return NULL;
    }
    s->length = length_ms;
    for (uint32_t k = 0; k < RT_KEYMAP_MAX_KEYS; k++) s->ident[k] = k;
    s->rec_size = (uint32_t)sizeof(win_hdr) + s->spec.states_size;
    return s;
}

void rt_stagger_free(rt_stagger *s) {
    if (!s) return;
    for (uint32_t i = 0; i < s->len; i++)
        rt__wspec_destroy_states(&s->spec, (uint8_t *)(win_at(s, s->head_seq + i) + 1));
    free(s->buf);
    rt_keymap_free(&s->map);
    rt__wspec_free(&s->spec);
    free(s);
}

static int grow(rt_stagger *s) {
    uint32_t cap = s->cap ? s->cap * 2 : 64;
    uint8_t *nb = malloc((size_t)cap * s->rec_size);
    if (!nb) return EDDY_E_NOMEM;
    for (uint32_t i = 0; i < s->len; i++) memcpy(nb + (size_t)i * s->rec_size, win_at(s, s->head_seq + i), s->rec_size);
    free(s->buf);
    s->buf = nb;
    s->cap = cap;
    s->head = 0;
    return 0;
}

int rt_stagger_step(rt_stagger *s, const rt_batch *b, eddy_err *err) {
    uint32_t live = rt_batch_live(b);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i), id;
        int64_t t = b->rowtime[r];
        if (s->any && t < s->last_t) return eddy_err_set(err, EDDY_E_INVAL, "ROWTIME went backwards in a stagger window");
        s->any = 1;
        s->last_t = t;
        int rc = rt_keymap_find_row(&s->map, b, s->spec.key_cols, r, &id, err);
        if (rc) return rc;
        uint64_t *cur = (uint64_t *)rt_keymap_payload(&s->map, id);
        win_hdr *w = NULL;
        if (*cur && *cur - 1 >= s->head_seq) {
            w = win_at(s, *cur - 1);
            if (w->open + s->length <= t) w = NULL;  /* ended; a new window opens */
        }
        if (!w) {
            if (s->len == s->cap && grow(s) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            uint64_t seq = s->head_seq + s->len++;
            w = win_at(s, seq);
            w->key_id = id;
            w->pad = 0;
            w->open = t;
            rt__wspec_init_states(&s->spec, (uint8_t *)(w + 1));
            *cur = seq + 1;
        }
        for (uint32_t a = 0; a < s->spec.n_aggs; a++) {
            int32_t c = s->spec.agg_cols[a];
            rt_datum tmp;
            const rt_datum *v = c >= 0 ? rt_datum_of(&b->cols[c], r, &tmp) : &tmp;
            if (s->spec.aggs[a].add(&s->spec.aggs[a], (uint8_t *)(w + 1) + s->spec.agg_off[a], v) != 0)
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        }
    }
    return 0;
}

/* Replaces the key map by one holding only the keys of open windows,
 * re-pointing each window and each key at its newest window. On failure
 * nothing changes. */
static int rebuild_keys(rt_stagger *s, eddy_err *err) {
    rt_keymap nm;
    int rc = rt_keymap_init(&nm, s->spec.key_types, s->spec.n_keys, sizeof(uint64_t), err);
    if (rc) return rc;
    rt_batch *tmp = rt_batch_new(s->spec.key_types, s->spec.n_keys, err);
    uint32_t *ids = malloc((size_t)s->len * sizeof *ids);
    if (!tmp || !ids) {
        rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < s->len && rc == 0; i++) {
        uint64_t seq = s->head_seq + i;
        rt_batch_reset(tmp);
        uint32_t r = rt_batch_begin_row(tmp, 0);
        for (uint32_t k = 0; k < s->spec.n_keys && rc == 0; k++)
            if (rt_keymap_put_key(&s->map, win_at(s, seq)->key_id, k, tmp, k, r) != 0)
                rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        rt_batch_commit_row(tmp);
        if (rc == 0) rc = rt_keymap_find_row(&nm, tmp, s->ident, r, &ids[i], err);
        /* Windows are in order, so the last one seen per key is its newest. */
        if (rc == 0) *(uint64_t *)rt_keymap_payload(&nm, ids[i]) = seq + 1;
    }
    if (rc == 0) {
        for (uint32_t i = 0; i < s->len; i++) win_at(s, s->head_seq + i)->key_id = ids[i];
        rt_keymap_free(&s->map);
        s->map = nm;
    }
out:
    if (rc) rt_keymap_free(&nm);
    rt_batch_release(tmp);
    free(ids);
    return rc;
}

int rt_stagger_advance(rt_stagger *s, int64_t watermark, rt_batch *out, rt_row_error_fn on_err, void *ud,
                       eddy_err *err) {
    int written = 0;
    while (s->len && rt_batch_room(out) > 0) {
        win_hdr *w = win_at(s, s->head_seq);
        if (w->open + s->length > watermark) break;
        uint32_t r = rt_batch_begin_row(out, w->open + s->length);
        eddy_err e;
        eddy_err_clear(&e);
        int rc = rt__wspec_emit_row(&s->spec, &s->map, w->key_id, (uint8_t *)(w + 1), out, r, &e);
        if (rc == EDDY_E_RUNTIME) {
            if (on_err) on_err(ud, w->key_id, &e);
        } else if (rc) {
            if (err) *err = e;
            return rc;
        } else {
            rt_batch_commit_row(out);
            written++;
        }
        rt__wspec_destroy_states(&s->spec, (uint8_t *)(w + 1));
        s->head = (s->head + 1) & (s->cap - 1);
        s->head_seq++;
        s->len--;
    }
    /* No window open: no key refers to anything, so forget the keys. */
    if (s->len == 0 && s->map.n) rt_keymap_clear(&s->map);
    if (s->map.n > 2 * s->len + 1024 && rebuild_keys(s, err) != 0) return err ? err->code : EDDY_E_NOMEM;
    return written;
}

uint32_t rt_stagger_open(const rt_stagger *s) { return s->len; }

uint32_t rt_stagger_keys(const rt_stagger *s) { return s->map.n; }

size_t rt_stagger_bytes(const rt_stagger *s) { return rt_keymap_bytes(&s->map) + (size_t)s->cap * s->rec_size; }

int rt_stagger_each_open(const rt_stagger *s, int (*fn)(void *ctx, uint64_t key_hash, int64_t open), void *ctx) {
    for (uint32_t i = 0; i < s->len; i++) {
        const win_hdr *w = win_at(s, s->head_seq + i);
        int rc = fn(ctx, rt_keymap_entry_hash64(&s->map, w->key_id), w->open);
        if (rc) return rc;
    }
    return 0;
}

int rt_stagger_oldest(const rt_stagger *s, int64_t *open) {
    if (!s->len) return 0;
    *open = win_at(s, s->head_seq)->open;
    return 1;
}

const rt_keymap *rt_stagger_keymap(const rt_stagger *s) { return &s->map; }
