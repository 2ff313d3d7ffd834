/*
 * store_test_util.h — helpers shared by the check_store*.c tests: an
 * injectable clock, opening stores in memory or in a temp directory, and
 * small put/read wrappers that fail the test on error.
 */
#ifndef EDDY_STORE_TEST_UTIL_H
#define EDDY_STORE_TEST_UTIL_H

#include "check_main.h"

#include "store.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t t_now __attribute__((unused)) = 1700000000000LL;   /* the injected clock, epoch ms */

static inline int64_t t_clock(void *ctx) {
    (void)ctx;
    return t_now;
}

static inline store *t_open(const char *dir, store_fsync_policy pol, size_t seg_bytes) {
    store_opts o;
    store_opts_init(&o);
    o.data_dir = dir;
    o.fsync = pol;
    o.segment_bytes = seg_bytes;
    o.clock_ms = t_clock;
    store *s = NULL;
    eddy_err err;
    eddy_err_clear(&err);
    int rc = store_open(&o, &s, &err);
    ck_assert_msg(rc == 0, "store_open: %s", err.msg);
    return s;
}

static inline store *t_mem(void) { return t_open(NULL, STORE_FSYNC_NEVER, 0); }

static inline int t_rm_one(const char *p, const struct stat *sb, int f, struct FTW *ftw) {
    (void)sb, (void)f, (void)ftw;
    return remove(p);
}

static inline void t_rmdir(const char *dir) { nftw(dir, t_rm_one, 16, FTW_DEPTH | FTW_PHYS); }

static inline void t_create(store *s, const char *name, int shards) {
    eddy_err err;
    int rc = store_stream_create(s, name, shards, &err);
    ck_assert_msg(rc == 0, "create %s: %s", name, err.msg);
}

/* Puts one record with the given key, optional explicit hash key and data
 * text; returns its result (asserting success). */
static inline store_put_result t_put(store *s, const char *stream, const char *pk, const char *ehk,
                              const char *data) {
    store_put_entry e = {.data = data, .data_len = strlen(data), .partition_key = pk,
                         .partition_key_len = strlen(pk), .explicit_hash_key = ehk};
    store_put_result r;
    eddy_err err;
    int rc = store_put_record(s, stream, &e, &r, &err);
    ck_assert_msg(rc == 0, "put: %s", err.msg);
    return r;
}

static inline void t_iter(store *s, const char *stream, const char *shard, store_iter_type type, store_seq seq,
                   int64_t ts, char *out) {
    store_position p = {.type = type, .seq = seq, .timestamp_ms = ts};
    eddy_err err;
    int rc = store_iterator_get(s, stream, shard, &p, out, &err);
    ck_assert_msg(rc == 0, "iterator: %s", err.msg);
}

/* Reads a whole shard from TRIM_HORIZON through a cursor; returns the count
 * and appends each record's data (NUL-separated by '|') to `out`. */
static inline size_t t_read_all(store *s, const char *stream, const char *shard, char *out, size_t cap) {
    store_position p = {.type = STORE_TRIM_HORIZON};
    store_cursor *c;
    eddy_err err;
    ck_assert_int_eq(store_cursor_open(s, stream, shard, &p, &c, &err), 0);
    store_batch b;
    store_batch_init(&b);
    size_t n = 0, len = out ? strlen(out) : 0;
    for (;;) {
        ck_assert_int_eq(store_cursor_read(c, 1000, &b, &err), 0);
        for (size_t i = 0; i < b.n_records; i++) {
            if (out && len + b.records[i].data_len + 2 < cap) {
                memcpy(out + len, b.records[i].data, b.records[i].data_len);
                len += b.records[i].data_len;
                out[len++] = '|';
                out[len] = '\0';
            }
        }
        n += b.n_records;
        if (b.n_records == 0) break;
    }
    store_batch_free(&b);
    store_cursor_close(c);
    return n;
}

#endif
