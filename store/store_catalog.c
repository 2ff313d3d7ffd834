/*
 * store_catalog.c — the persisted catalog (data_dir/CATALOG) and the stream
 * operations that change it: create, delete, describe, list, retention,
 * throttling and attributes.
 *
 * The catalog is a small line-oriented text file, rewritten whole on every
 * change through a temporary file, fsync and rename, so a crash leaves
 * either the old or the new one:
 *   eddy-catalog 1
 *   secret <64 hex>
 *   stream <name> <created_ms> <epoch> <retention_h> <throttling> <next_counter>
 *   shard <index> <parent> <adjacent> <start_hash> <end_hash> <start_ctr> <end_ctr> <closed> <created_ms>
 *   attr <hex key> <hex value>
 *   consumer <name> <created_ms>
 *   end
 * shard/attr/consumer lines belong to the stream line above them.
 */
#include "store_int.h"

#include "eddy_log.h"
#include "file_replace.h"
#include "hex_field.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define ATTR_MAX_LEN 1024
#define ATTRS_MAX 256

/* ---------------------------------------------------------------- text helpers */

static void put_u128(FILE *f, eddy_u128 v) {
    char b[48];
    eddy_u128_format(v, b);
    fputs(b, f);
}

/* ---------------------------------------------------------------- save/load */

int store__catalog_save(store *s, eddy_err *err) {
    if (!s->data_dir) return 0;
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/CATALOG.tmp", s->data_dir);
    snprintf(path, sizeof path, "%s/CATALOG", s->data_dir);
    FILE *f = fopen(tmp, "w");
    if (!f) return eddy_err_set(err, EDDY_E_IO, "cannot write %s: %s", tmp, strerror(errno));
    fprintf(f, "eddy-catalog 1\nsecret ");
    eddy_hex_field_put(f, s->secret, sizeof s->secret);
    fputc('\n', f);
    for (size_t i = 0; i < s->n_streams; i++) {
        store_stream *st = s->streams[i];
        fprintf(f, "stream %s %" PRId64 " %" PRIu64 " %d %d %" PRIu64 "\n", st->name, st->created_ms,
                st->epoch, st->retention_hours, st->throttling, (uint64_t)st->next_counter);
        for (size_t j = 0; j < st->n_shards; j++) {
            store_shard *sh = st->shards[j];
            fprintf(f, "shard %u %d %d ", sh->index, sh->parent, sh->adjacent_parent);
            put_u128(f, sh->start_hash);
            fputc(' ', f);
            put_u128(f, sh->end_hash);
            fprintf(f, " %" PRIu64 " %" PRIu64 " %d %" PRId64 "\n", sh->start_counter, sh->end_counter,
                    sh->closed, sh->created_ms);
        }
        for (size_t j = 0; j < st->n_attrs; j++) {
            fputs("attr ", f);
            eddy_hex_field_put(f, st->attr_keys[j], strlen(st->attr_keys[j]));
            fputc(' ', f);
            eddy_hex_field_put(f, st->attr_vals[j], strlen(st->attr_vals[j]));
            fputc('\n', f);
        }
        for (size_t j = 0; j < st->n_consumers; j++)
            fprintf(f, "consumer %s %" PRId64 "\n", st->consumers[j].name, st->consumers[j].created_ms);
    }
    fputs("end\n", f);
    return eddy_file_replace(f, tmp, path, err);
}

static int parse_u128(const char *t, eddy_u128 *out) { return eddy_u128_parse(t, strlen(t), out); }

int store__catalog_load(store *s, eddy_err *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/CATALOG", s->data_dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;   /* a new data directory */
        return eddy_err_set(err, EDDY_E_IO, "cannot read %s: %s", path, strerror(errno));
    }
    char line[8192];   /* attr lines: 2 x 2 KiB of hex at most */
    int lineno = 0, rc = 0, ended = 0;
    store_stream *st = NULL;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (lineno == 1) {
            if (strcmp(line, "eddy-catalog 1") != 0) goto corrupt;
            continue;
        }
        char *w[11], *save = NULL;
        int nw = 0;
        for (char *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
            if (nw == 11) goto corrupt;
            w[nw++] = t;
        }
        if (nw == 0) continue;
        if (!strcmp(w[0], "end")) {
            ended = 1;
            break;
        } else if (!strcmp(w[0], "secret") && nw == 2) {
            char *b = eddy_hex_field_get(w[1]);
            if (!b || strlen(w[1]) != 2 * sizeof s->secret) {
                free(b);
                goto corrupt;
            }
            memcpy(s->secret, b, sizeof s->secret);
            free(b);
        } else if (!strcmp(w[0], "stream") && nw == 7) {
            if (!store_name_valid(w[1], strlen(w[1])) || store__find(s, w[1])) goto corrupt;
            st = calloc(1, sizeof *st);
            if (!st) goto nomem;
            snprintf(st->name, sizeof st->name, "%s", w[1]);
            st->created_ms = strtoll(w[2], NULL, 10);
            st->epoch = strtoull(w[3], NULL, 10);
            st->retention_hours = atoi(w[4]);
            st->throttling = atoi(w[5]);
            st->next_counter = strtoull(w[6], NULL, 10);
            st->status = STORE_STATUS_ACTIVE;
            if (store__stream_insert(s, st) != 0) {
                free(st);
                goto nomem;
            }
        } else if (!strcmp(w[0], "shard") && nw == 10 && st) {
            eddy_u128 lo, hi;
            unsigned idx = (unsigned)strtoul(w[1], NULL, 10);
            int parent = atoi(w[2]), adj = atoi(w[3]);
            if (idx != st->n_shards || parse_u128(w[4], &lo) || parse_u128(w[5], &hi) || lo > hi ||
                parent >= (int)idx || adj >= (int)idx)
                goto corrupt;
            store_shard *sh = store__shard_new(idx, lo, hi, strtoull(w[6], NULL, 10),
                                               strtoll(w[9], NULL, 10));
            store_shard **v = realloc(st->shards, (st->n_shards + 1) * sizeof *v);
            if (!sh || !v) {
                store__shard_free(sh);
                if (v) st->shards = v;
                goto nomem;
            }
            st->shards = v;
            sh->end_counter = strtoull(w[7], NULL, 10);
            sh->closed = atoi(w[8]) != 0;
            sh->parent = parent;
            sh->adjacent_parent = adj;
            st->shards[st->n_shards++] = sh;
            for (int k = 0; k < 2; k++) {
                int p = k == 0 ? parent : adj;
                if (p < 0) continue;
                store_shard *ps = st->shards[p];
                if (ps->children[0] < 0)
                    ps->children[0] = (int)idx;
                else if (ps->children[1] < 0)
                    ps->children[1] = (int)idx;
                else
                    goto corrupt;
            }
        } else if (!strcmp(w[0], "attr") && nw == 3 && st) {
            char *k = eddy_hex_field_get(w[1]), *v = eddy_hex_field_get(w[2]);
            char **nk = realloc(st->attr_keys, (st->n_attrs + 1) * sizeof *nk);
            if (nk) st->attr_keys = nk;
            char **nv = realloc(st->attr_vals, (st->n_attrs + 1) * sizeof *nv);
            if (nv) st->attr_vals = nv;
            if (!k || !v || !nk || !nv) {
                free(k);
                free(v);
                goto corrupt;
            }
            st->attr_keys[st->n_attrs] = k;
            st->attr_vals[st->n_attrs++] = v;
        } else if (!strcmp(w[0], "consumer") && nw == 3 && st) {
            if (st->n_consumers >= STORE_CONSUMERS_MAX || !store_name_valid(w[1], strlen(w[1])))
                goto corrupt;
            store_consumer *c = &st->consumers[st->n_consumers++];
            snprintf(c->name, sizeof c->name, "%s", w[1]);
            c->created_ms = strtoll(w[2], NULL, 10);
        } else {
            goto corrupt;
        }
    }
    if (!ended) goto corrupt;
    for (size_t i = 0; i < s->n_streams; i++)
        if (store__rebuild_open(s->streams[i]) != 0) goto nomem;
    fclose(f);
    return 0;
corrupt:
    rc = eddy_err_set(err, EDDY_E_CORRUPT, "catalog %s is corrupt at line %d", path, lineno);
    goto out;
nomem:
    rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory loading the catalog");
out:
    fclose(f);
    return rc;
}

/* ---------------------------------------------------------------- create/delete */

static int check_name(store *s, const char *name, eddy_err *err) {
    if (!name || !store_name_valid(name, strlen(name)))
        return eddy_err_set(err, EDDY_E_INVAL,
                            "1 validation error detected: Value '%.200s' at 'streamName' failed to "
                            "satisfy constraint: Member must satisfy regular expression pattern: "
                            "[a-zA-Z0-9_.-]+ and length 1..128",
                            name ? name : "(null)");
    return 0;
}

int store_stream_create(store *s, const char *name, int shard_count, eddy_err *err) {
    int rc = check_name(s, name, err);
    if (rc) return rc;
    if (shard_count < 1 || shard_count > 10000)
        return eddy_err_set(err, EDDY_E_INVAL,
                            "ShardCount %d is invalid: it must be between 1 and 10000.", shard_count);
    pthread_rwlock_wrlock(&s->cat_lock);
    if (store__find(s, name)) {
        rc = eddy_err_set(err, EDDY_E_INUSE, "Stream %s under account %s already exists.", name,
                          s->account);
        goto out;
    }
    int open_now = store__count_open_shards(s);
    if (open_now + shard_count > STORE_OPEN_SHARDS_MAX) {
        rc = eddy_err_set(err, EDDY_E_LIMIT,
                          "This request would exceed the shard limit for the account %s in %s. "
                          "Current shard count for the account: %d. Limit: %d. Number of additional "
                          "shards that would have resulted from this request: %d.",
                          s->account, s->region, open_now, STORE_OPEN_SHARDS_MAX, shard_count);
        goto out;
    }
    store_stream *st = calloc(1, sizeof *st);
    if (!st || !(st->shards = calloc((size_t)shard_count, sizeof *st->shards))) {
        free(st);
        rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        goto out;
    }
    snprintf(st->name, sizeof st->name, "%s", name);
    st->created_ms = store_now_ms(s);
    if (getrandom(&st->epoch, sizeof st->epoch, 0) != (ssize_t)sizeof st->epoch)
        st->epoch = (uint64_t)st->created_ms * 0x9E3779B97F4A7C15ull;
    st->retention_hours = STORE_RETENTION_MIN_H;
    st->status = STORE_STATUS_ACTIVE;
    /* Every initial shard starts at counter 0; records begin at 1. */
    st->next_counter = 1;
    /* Each shard gets floor(2^128 / n) keys; the last takes the remainder.
     * 2^128 itself does not fit, so derive the quotient from 2^128 - 1. */
    eddy_u128 n = (eddy_u128)shard_count;
    eddy_u128 w = EDDY_U128_MAX / n + (EDDY_U128_MAX % n == n - 1 ? 1 : 0);
    for (int i = 0; i < shard_count; i++) {
        eddy_u128 lo = (eddy_u128)i * w;
        eddy_u128 hi = i == shard_count - 1 ? EDDY_U128_MAX : (eddy_u128)(i + 1) * w - 1;
        st->shards[i] = store__shard_new((uint32_t)i, lo, hi, 0, st->created_ms);
        if (!st->shards[i]) {
            st->n_shards = (size_t)i;
            store__stream_free(st);
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            goto out;
        }
    }
    st->n_shards = (size_t)shard_count;
    if (s->data_dir) {
        /* A crash between a delete's catalog write and its file removal can
         * leave an old log behind under this name; it must not reappear. */
        char path[4096];
        snprintf(path, sizeof path, "%s/streams/%s", s->data_dir, name);
        if (store__rmtree(path) != 0) {
            store__stream_free(st);
            rc = eddy_err_set(err, EDDY_E_IO, "cannot clear %s: %s", path, strerror(errno));
            goto out;
        }
    }
    if (store__rebuild_open(st) != 0 || store__stream_insert(s, st) != 0) {
        store__stream_free(st);
        rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = store__catalog_save(s, err)) != 0) {
        store__stream_remove(s, st);
        store__stream_free(st);
    }
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

int store_stream_delete(store *s, const char *name, int enforce_consumer_deletion, eddy_err *err) {
    int rc = 0;
    pthread_rwlock_wrlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, name, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
        goto out;
    }
    if (st->n_consumers > 0 && !enforce_consumer_deletion) {
        rc = eddy_err_set(err, EDDY_E_INUSE,
                          "Stream %s under account %s has registered consumers. Deregister them "
                          "first or set EnforceConsumerDeletion.",
                          name, s->account);
        goto out;
    }
    store__end_subs_stream(s, st, NULL);
    store__stream_remove(s, st);
    if ((rc = store__catalog_save(s, err)) != 0) {
        store__stream_insert(s, st);
        goto out;
    }
    if (s->data_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/streams/%s", s->data_dir, st->name);
        if (store__rmtree(path) != 0)
            eddy_log(EDDY_LOG_WARN, "stream %s: could not remove %s: %s", st->name, path,
                     strerror(errno));
    }
    store__stream_free(st);
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

/* ---------------------------------------------------------------- describe/list */

/* A closed shard is EXPIRED, and no longer listed, once all its data is past
 * retention: it took no record after it closed, which is when its children
 * were created. */
static int shard_expired(const store_stream *st, const store_shard *sh, int64_t now) {
    if (!sh->closed) return 0;
    int64_t closed_at = INT64_MAX;
    for (int k = 0; k < 2; k++)
        if (sh->children[k] >= 0 && (size_t)sh->children[k] < st->n_shards &&
            st->shards[sh->children[k]]->created_ms < closed_at)
            closed_at = st->shards[sh->children[k]]->created_ms;
    return closed_at != INT64_MAX && now - closed_at >= (int64_t)st->retention_hours * 3600000;
}

int store_stream_describe(store *s, const char *name, store_stream_desc *out, eddy_err *err) {
    memset(out, 0, sizeof *out);
    int rc = 0;
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, name, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
        goto out;
    }
    snprintf(out->name, sizeof out->name, "%s", st->name);
    store__stream_arn(s, st->name, out->arn, sizeof out->arn);
    out->status = st->status;
    out->retention_hours = st->retention_hours;
    out->created_ms = st->created_ms;
    out->open_shard_count = (int)st->n_open;
    out->consumer_count = (int)st->n_consumers;
    out->throttling = st->throttling;
    out->shards = calloc(st->n_shards ? st->n_shards : 1, sizeof *out->shards);
    if (!out->shards) {
        rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        goto out;
    }
    int64_t now = store_now_ms(s);
    for (size_t i = 0; i < st->n_shards; i++) {
        store_shard *sh = st->shards[i];
        if (shard_expired(st, sh, now)) continue;
        store_shard_desc *d = &out->shards[out->n_shards++];
        store__shard_id(sh->index, d->shard_id);
        if (sh->parent >= 0) store__shard_id((uint32_t)sh->parent, d->parent_shard_id);
        if (sh->adjacent_parent >= 0)
            store__shard_id((uint32_t)sh->adjacent_parent, d->adjacent_parent_shard_id);
        d->start_hash = sh->start_hash;
        d->end_hash = sh->end_hash;
        d->starting_seq = store__seq_make(sh->start_counter, sh->index);
        d->closed = sh->closed;
        if (sh->closed) d->ending_seq = store__seq_make(sh->end_counter, sh->index);
        d->created_ms = sh->created_ms;
    }
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

void store_stream_desc_free(store_stream_desc *d) {
    if (!d) return;
    free(d->shards);
    d->shards = NULL;
    d->n_shards = 0;
}

void store_names_free(char **names, size_t n) {
    if (!names) return;
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

int store_stream_list(store *s, const char *exclusive_start, size_t limit, char ***names, size_t *n,
                      int *more, eddy_err *err) {
    *names = NULL;
    *n = 0;
    if (more) *more = 0;
    pthread_rwlock_rdlock(&s->cat_lock);
    size_t i = 0;
    if (exclusive_start)
        while (i < s->n_streams && strcmp(s->streams[i]->name, exclusive_start) <= 0) i++;
    size_t avail = s->n_streams - i;
    size_t take = limit && limit < avail ? limit : avail;
    char **v = calloc(take ? take : 1, sizeof *v);
    int rc = 0;
    if (!v) {
        rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < take; k++) {
        if (!(v[k] = strdup(s->streams[i + k]->name))) {
            store_names_free(v, k);
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            goto out;
        }
    }
    *names = v;
    *n = take;
    if (more) *more = take < avail;
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

/* ---------------------------------------------------------------- settings */

static int retention_change(store *s, const char *name, int hours, int increase, eddy_err *err) {
    if (hours < STORE_RETENTION_MIN_H)
        return eddy_err_set(err, EDDY_E_INVAL,
                            "Minimum allowed retention period is %d hours. Requested retention "
                            "period (%d hours) is too short.",
                            STORE_RETENTION_MIN_H, hours);
    if (hours > STORE_RETENTION_MAX_H)
        return eddy_err_set(err, EDDY_E_INVAL,
                            "Maximum allowed retention period is %d hours. Requested retention "
                            "period (%d hours) is too long.",
                            STORE_RETENTION_MAX_H, hours);
    int rc = 0;
    pthread_rwlock_wrlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, name, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
    } else if (increase && hours < st->retention_hours) {
        rc = eddy_err_set(err, EDDY_E_INVAL,
                          "Requested retention period (%d hours) for stream %s can not be shorter "
                          "than existing retention period (%d hours). Use DecreaseRetentionPeriod API.",
                          hours, name, st->retention_hours);
    } else if (!increase && hours > st->retention_hours) {
        rc = eddy_err_set(err, EDDY_E_INVAL,
                          "Requested retention period (%d hours) for stream %s can not be longer "
                          "than existing retention period (%d hours). Use IncreaseRetentionPeriod API.",
                          hours, name, st->retention_hours);
    } else {
        int old = st->retention_hours;
        st->retention_hours = hours;
        if ((rc = store__catalog_save(s, err)) != 0) st->retention_hours = old;
    }
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

int store_retention_increase(store *s, const char *name, int hours, eddy_err *err) {
    return retention_change(s, name, hours, 1, err);
}

int store_retention_decrease(store *s, const char *name, int hours, eddy_err *err) {
    return retention_change(s, name, hours, 0, err);
}

int store_stream_set_throttling(store *s, const char *name, int on, eddy_err *err) {
    int rc = 0;
    pthread_rwlock_wrlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, name, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
    } else if (st->throttling != (on != 0)) {
        st->throttling = on != 0;
        int64_t now = store_now_ms(s);
        /* Fresh, full buckets: a limit switched on starts from a clean second. */
        for (size_t i = 0; i < st->n_shards; i++) {
            store_shard *sh = st->shards[i];
            pthread_mutex_lock(&sh->mu);
            store__bucket_init(&sh->w_bytes, STORE_W_BYTES_PER_S, now);
            store__bucket_init(&sh->w_recs, STORE_W_RECORDS_PER_S, now);
            store__bucket_init(&sh->r_calls, STORE_R_CALLS_PER_S, now);
            store__bucket_init(&sh->r_bytes, STORE_R_BYTES_PER_S, now);
            pthread_mutex_unlock(&sh->mu);
        }
        if ((rc = store__catalog_save(s, err)) != 0) st->throttling = !st->throttling;
    }
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

static size_t attr_lower(const store_stream *st, const char *key) {
    size_t lo = 0, hi = st->n_attrs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(st->attr_keys[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int store_stream_attr_set(store *s, const char *name, const char *key, const char *value,
                          eddy_err *err) {
    if (!key || !*key || strlen(key) > ATTR_MAX_LEN || (value && strlen(value) > ATTR_MAX_LEN))
        return eddy_err_set(err, EDDY_E_INVAL, "attribute keys must be 1..%d bytes and values at most %d",
                            ATTR_MAX_LEN, ATTR_MAX_LEN);
    int rc = 0;
    pthread_rwlock_wrlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, name, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
        goto out;
    }
    size_t i = attr_lower(st, key);
    int found = i < st->n_attrs && strcmp(st->attr_keys[i], key) == 0;
    if (!value) {
        if (!found) goto out;
        free(st->attr_keys[i]);
        free(st->attr_vals[i]);
        memmove(st->attr_keys + i, st->attr_keys + i + 1, (st->n_attrs - i - 1) * sizeof(char *));
        memmove(st->attr_vals + i, st->attr_vals + i + 1, (st->n_attrs - i - 1) * sizeof(char *));
        st->n_attrs--;
    } else if (found) {
        char *v = strdup(value);
        if (!v) {
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            goto out;
        }
        free(st->attr_vals[i]);
        st->attr_vals[i] = v;
    } else {
        if (st->n_attrs >= ATTRS_MAX) {
            rc = eddy_err_set(err, EDDY_E_LIMIT, "stream %s has the maximum of %d attributes", name,
                              ATTRS_MAX);
            goto out;
        }
        char **nk = realloc(st->attr_keys, (st->n_attrs + 1) * sizeof *nk);
        if (nk) st->attr_keys = nk;
        char **nv = realloc(st->attr_vals, (st->n_attrs + 1) * sizeof *nv);
        if (nv) st->attr_vals = nv;
        char *k = strdup(key), *v = strdup(value);
        if (!nk || !nv || !k || !v) {
            free(k);
            free(v);
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            goto out;
        }
        memmove(st->attr_keys + i + 1, st->attr_keys + i, (st->n_attrs - i) * sizeof(char *));
        memmove(st->attr_vals + i + 1, st->attr_vals + i, (st->n_attrs - i) * sizeof(char *));
        st->attr_keys[i] = k;
        st->attr_vals[i] = v;
        st->n_attrs++;
    }
    rc = store__catalog_save(s, err);
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

int store_stream_attr_get(store *s, const char *name, const char *key, char *out, size_t cap,
                          eddy_err *err) {
    int rc = 0;
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, name, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
        goto out;
    }
    size_t i = key ? attr_lower(st, key) : st->n_attrs;
    if (i >= st->n_attrs || strcmp(st->attr_keys[i], key) != 0) {
        rc = eddy_err_set(err, EDDY_E_NOTFOUND, "attribute %.200s not set on stream %s",
                          key ? key : "(null)", name);
        goto out;
    }
    if (cap) snprintf(out, cap, "%s", st->attr_vals[i]);
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}

int store_stream_attrs(store *s, const char *name, char ***keys, char ***vals, size_t *n,
                       eddy_err *err) {
    *keys = *vals = NULL;
    *n = 0;
    int rc = 0;
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, name, err);
    if (!st) {
        rc = EDDY_E_NOTFOUND;
        goto out;
    }
    char **k = calloc(st->n_attrs + 1, sizeof *k), **v = calloc(st->n_attrs + 1, sizeof *v);
    if (!k || !v) goto nomem;
    for (size_t i = 0; i < st->n_attrs; i++) {
        k[i] = strdup(st->attr_keys[i]);
        v[i] = strdup(st->attr_vals[i]);
        if (!k[i] || !v[i]) {
            store_names_free(k, i + 1);
            store_names_free(v, i + 1);
            k = v = NULL;
            goto nomem;
        }
    }
    *keys = k;
    *vals = v;
    *n = st->n_attrs;
    goto out;
nomem:
    free(k);
    free(v);
    rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
out:
    pthread_rwlock_unlock(&s->cat_lock);
    return rc;
}
