/*
 * store.c — opening and closing a store, the sorted map of streams, shard
 * objects, names and ARNs, and the background thread that fsyncs dirty
 * shards (STORE_FSYNC_INTERVAL) and trims segments past retention.
 *
 * Locking: `cat_lock` (rwlock) guards the streams array and the shape of
 * every stream (shards, open set, attributes, consumers). Writers of the
 * shape (create, delete, reshard, attributes, consumers) take it
 * exclusively; puts and reads take it shared and then a shard's mutex.
 */
#include "store_int.h"

#include "eddy_log.h"
#include "eddy_time.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void store_opts_init(store_opts *o) {
    memset(o, 0, sizeof *o);
    o->fsync = STORE_FSYNC_INTERVAL;
}

int64_t store_now_ms(const store *s) {
    return s->clock_ms ? s->clock_ms(s->clock_ctx) : eddy_now_ms();
}

const char *store_region(const store *s) { return s->region; }
const char *store_account(const store *s) { return s->account; }

const char *store_status_name(store_stream_status st) {
    switch (st) {
    case STORE_STATUS_CREATING: return "CREATING";
    case STORE_STATUS_ACTIVE: return "ACTIVE";
    case STORE_STATUS_UPDATING: return "UPDATING";
    case STORE_STATUS_DELETING: return "DELETING";
    }
    return "ACTIVE";
}

int store_name_valid(const char *name, size_t n) {
    if (!name || n < 1 || n > STORE_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int store_stream_name_from(const char *name_or_arn, char *out, eddy_err *err) {
    if (!name_or_arn) return eddy_err_set(err, EDDY_E_INVAL, "StreamName or StreamARN is required.");
    const char *name = name_or_arn;
    if (strncmp(name_or_arn, "arn:", 4) == 0) {
        /* arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME */
        const char *p = name_or_arn;
        for (int colons = 0; colons < 5; colons++) {
            p = strchr(p, ':');
            if (!p) goto bad_arn;
            p++;
        }
        if (strncmp(name_or_arn, "arn:aws", 7) != 0 || !strstr(name_or_arn, ":kinesis:") ||
            strncmp(p, "stream/", 7) != 0)
            goto bad_arn;
        name = p + 7;
    }
    size_t n = strlen(name);
    if (!store_name_valid(name, n))
        return eddy_err_set(err, EDDY_E_INVAL,
                            "1 validation error detected: Value '%.200s' at 'streamName' failed to "
                            "satisfy constraint: Member must satisfy regular expression pattern: "
                            "[a-zA-Z0-9_.-]+",
                            name);
    memcpy(out, name, n + 1);
    return 0;
bad_arn:
    return eddy_err_set(err, EDDY_E_INVAL, "StreamARN %.300s is not a valid stream ARN.", name_or_arn);
}

void store__stream_arn(const store *s, const char *name, char *out, size_t cap) {
    snprintf(out, cap, "arn:aws:kinesis:%s:%s:stream/%s", s->region, s->account, name);
}

/* ---------------------------------------------------------------- streams map */

static size_t stream_lower(const store *s, const char *name) {
    size_t lo = 0, hi = s->n_streams;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(s->streams[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

store_stream *store__find(store *s, const char *name) {
    if (!name) return NULL;
    size_t i = stream_lower(s, name);
    return i < s->n_streams && strcmp(s->streams[i]->name, name) == 0 ? s->streams[i] : NULL;
}

store_stream *store__find_or_err(store *s, const char *name, eddy_err *err) {
    store_stream *st = store__find(s, name);
    if (!st)
        eddy_err_set(err, EDDY_E_NOTFOUND, "Stream %.200s under account %s not found.",
                     name ? name : "(null)", s->account);
    return st;
}

store_shard *store__shard_by_id(store *s, store_stream *st, const char *shard_id, eddy_err *err) {
    unsigned idx = 0;
    int used = 0;
    if (shard_id && strlen(shard_id) == 20 && sscanf(shard_id, "shardId-%12u%n", &idx, &used) == 1 &&
        used == 20 && idx < st->n_shards)
        return st->shards[idx];
    /* Kinesis also accepts the bare number form in some tools; we do not. */
    eddy_err_set(err, EDDY_E_NOTFOUND, "Shard %.64s in stream %s under account %s does not exist",
                 shard_id ? shard_id : "(null)", st->name, s->account);
    return NULL;
}

int store__stream_insert(store *s, store_stream *st) {
    if (s->n_streams == s->streams_cap) {
        size_t cap = s->streams_cap ? s->streams_cap * 2 : 16;
        store_stream **v = realloc(s->streams, cap * sizeof *v);
        if (!v) return EDDY_E_NOMEM;
        s->streams = v;
        s->streams_cap = cap;
    }
    size_t i = stream_lower(s, st->name);
    memmove(s->streams + i + 1, s->streams + i, (s->n_streams - i) * sizeof *s->streams);
    s->streams[i] = st;
    s->n_streams++;
    return 0;
}

void store__stream_remove(store *s, store_stream *st) {
    size_t i = stream_lower(s, st->name);
    if (i < s->n_streams && s->streams[i] == st) {
        memmove(s->streams + i, s->streams + i + 1, (s->n_streams - i - 1) * sizeof *s->streams);
        s->n_streams--;
    }
}

/* ---------------------------------------------------------------- shards */

store_shard *store__shard_new(uint32_t index, eddy_u128 lo, eddy_u128 hi, uint64_t start_counter,
                              int64_t created_ms) {
    store_shard *sh = calloc(1, sizeof *sh);
    if (!sh) return NULL;
    sh->index = index;
    sh->parent = sh->adjacent_parent = -1;
    sh->children[0] = sh->children[1] = -1;
    sh->start_hash = lo;
    sh->end_hash = hi;
    sh->start_counter = start_counter;
    sh->created_ms = created_ms;
    sh->last_arrival_ms = INT64_MIN;
    pthread_mutex_init(&sh->mu, NULL);
    pthread_mutex_init(&sh->sync_mu, NULL);
    pthread_cond_init(&sh->sync_cv, NULL);
    store__bucket_init(&sh->w_bytes, STORE_W_BYTES_PER_S, created_ms);
    store__bucket_init(&sh->w_recs, STORE_W_RECORDS_PER_S, created_ms);
    store__bucket_init(&sh->r_calls, STORE_R_CALLS_PER_S, created_ms);
    store__bucket_init(&sh->r_bytes, STORE_R_BYTES_PER_S, created_ms);
    return sh;
}

void store__shard_free(store_shard *sh) {
    if (!sh) return;
    for (size_t i = 0; i < sh->n_segs; i++) {
        store__seg_release(&sh->segs[i]);
        if (sh->segs[i].fd >= 0) close(sh->segs[i].fd);
        free(sh->segs[i].mem);
    }
    free(sh->segs);
    free(sh->idx);
    free(sh->wbuf);
    free(sh->subs.v);
    pthread_mutex_destroy(&sh->mu);
    pthread_mutex_destroy(&sh->sync_mu);
    pthread_cond_destroy(&sh->sync_cv);
    free(sh);
}

void store__stream_free(store_stream *st) {
    if (!st) return;
    for (size_t i = 0; i < st->n_shards; i++) store__shard_free(st->shards[i]);
    free(st->shards);
    free(st->open);
    for (size_t i = 0; i < st->n_attrs; i++) {
        free(st->attr_keys[i]);
        free(st->attr_vals[i]);
    }
    free(st->attr_keys);
    free(st->attr_vals);
    free(st);
}

static int cmp_open(const void *a, const void *b) {
    const store_shard *x = *(store_shard *const *)a, *y = *(store_shard *const *)b;
    return x->start_hash < y->start_hash ? -1 : x->start_hash > y->start_hash;
}

int store__rebuild_open(store_stream *st) {
    store_shard **v = malloc((st->n_shards ? st->n_shards : 1) * sizeof *v);
    if (!v) return EDDY_E_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < st->n_shards; i++)
        if (!st->shards[i]->closed) v[n++] = st->shards[i];
    qsort(v, n, sizeof *v, cmp_open);
    free(st->open);
    st->open = v;
    st->n_open = n;
    return 0;
}

int store__count_open_shards(store *s) {
    int n = 0;
    for (size_t i = 0; i < s->n_streams; i++) n += (int)s->streams[i]->n_open;
    return n;
}

/* ---------------------------------------------------------------- fsync */

int store__sync_fd(const store *s, int fd) { return s->sync_fd ? s->sync_fd(fd, s->sync_ctx) : fdatasync(fd); }

int store__publish_at_append(const store *s) { return s->fsync != STORE_FSYNC_ALWAYS || !s->data_dir; }

void store__published(store *s, store_shard *sh, uint64_t vend) {
    if (store__publish_at_append(s)) return;
    pthread_mutex_lock(&sh->mu);
    int more = vend > sh->vis_end;
    if (more) sh->vis_end = vend;
    pthread_mutex_unlock(&sh->mu);
    if (more) store__notify_shard(s, sh);
}

int store__shard_fsync(store *s, store_shard *sh) {
    pthread_mutex_lock(&sh->mu);
    if (sh->n_segs == 0 || sh->segs[sh->n_segs - 1].fd < 0) {
        pthread_mutex_unlock(&sh->mu);
        return 0;
    }
    uint64_t w = sh->written, vend = store__shard_end(sh);
    /* A dup keeps the descriptor valid while we sync without the lock, even if
     * retention or a roll closes the original meanwhile. */
    int fd = dup(sh->segs[sh->n_segs - 1].fd);
    sh->dirty = 0;
    pthread_mutex_unlock(&sh->mu);
    if (fd < 0) return EDDY_E_IO;
    int rc = store__sync_fd(s, fd) == 0 ? 0 : EDDY_E_IO;
    close(fd);
    if (rc != 0) {
        pthread_mutex_lock(&sh->mu);
        sh->dirty = 1;   /* try again at the next round */
        pthread_mutex_unlock(&sh->mu);
    }
    pthread_mutex_lock(&sh->sync_mu);
    if (rc == 0 && sh->synced < w) sh->synced = w;
    pthread_cond_broadcast(&sh->sync_cv);
    pthread_mutex_unlock(&sh->sync_mu);
    if (rc == 0) store__published(s, sh, vend);
    return rc;
}

int store_sync(store *s, eddy_err *err) {
    int rc = 0;
    pthread_rwlock_rdlock(&s->cat_lock);
    for (size_t i = 0; i < s->n_streams; i++)
        for (size_t j = 0; j < s->streams[i]->n_shards; j++)
            if (store__shard_fsync(s, s->streams[i]->shards[j]) != 0) rc = EDDY_E_IO;
    pthread_rwlock_unlock(&s->cat_lock);
    if (rc) return eddy_err_set(err, rc, "fsync failed: %s", strerror(errno));
    return 0;
}

int store_stream_sync(store *s, const char *name, eddy_err *err) {
    if (!s->data_dir || s->fsync != STORE_FSYNC_INTERVAL) return 0;
    int rc = 0;
    pthread_rwlock_rdlock(&s->cat_lock);
    store_stream *st = store__find_or_err(s, name, err);
    if (!st) rc = EDDY_E_NOTFOUND;
    for (size_t j = 0; st && j < st->n_shards; j++)
        /* Not only dirty shards: the background syncer clears the flag
         * before its fsync ends, and this must not return before it has. */
        if (store__shard_fsync(s, st->shards[j]) != 0) rc = EDDY_E_IO;
    pthread_rwlock_unlock(&s->cat_lock);
    if (rc == EDDY_E_IO) return eddy_err_set(err, rc, "fsync of stream %s failed: %s", name, strerror(errno));
    return rc;
}

static void *bg_main(void *arg) {
    store *s = arg;
    int period = s->fsync == STORE_FSYNC_INTERVAL ? s->fsync_interval_ms : 1000;
    pthread_mutex_lock(&s->bg_mu);
    while (!s->bg_stop) {
        struct timespec ts = eddy_deadline_ms(CLOCK_REALTIME, period);
        pthread_cond_timedwait(&s->bg_cv, &s->bg_mu, &ts);
        if (s->bg_stop) break;
        pthread_mutex_unlock(&s->bg_mu);
        pthread_rwlock_rdlock(&s->cat_lock);
        int64_t now = store_now_ms(s);
        for (size_t i = 0; i < s->n_streams; i++) {
            store_stream *st = s->streams[i];
            for (size_t j = 0; j < st->n_shards; j++) {
                store_shard *sh = st->shards[j];
                store__shard_trim(s, st, sh, now);
                /* Under `always` a shard is dirty here only after its put's
                 * fsync failed: retrying makes those records readable. */
                if (s->fsync != STORE_FSYNC_NEVER && sh->dirty) store__shard_fsync(s, sh);
            }
        }
        pthread_rwlock_unlock(&s->cat_lock);
        pthread_mutex_lock(&s->bg_mu);
    }
    pthread_mutex_unlock(&s->bg_mu);
    return NULL;
}

/* ---------------------------------------------------------------- open/close */

static int mkdir_p(const char *path) {
    char tmp[4096];
    size_t n = strlen(path);
    if (n >= sizeof tmp) return -1;
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == '\0') {
            char c = tmp[i];
            tmp[i] = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
            tmp[i] = c;
        }
    }
    return 0;
}

int store_open(const store_opts *opts, store **out, eddy_err *err) {
    store_opts def;
    if (!opts) {
        store_opts_init(&def);
        opts = &def;
    }
    *out = NULL;
    store *s = calloc(1, sizeof *s);
    if (!s) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    s->lock_fd = -1;
    s->fsync = opts->fsync;
    s->fsync_interval_ms = opts->fsync_interval_ms > 0 ? opts->fsync_interval_ms : 100;
    s->segment_bytes = opts->segment_bytes ? opts->segment_bytes : (size_t)64 << 20;
    snprintf(s->region, sizeof s->region, "%s", opts->region ? opts->region : "us-east-1");
    snprintf(s->account, sizeof s->account, "%s", opts->account ? opts->account : "000000000000");
    s->clock_ms = opts->clock_ms;
    s->sync_fd = opts->sync_fd;
    s->sync_ctx = opts->sync_ctx;
    s->clock_ctx = opts->clock_ctx;
    pthread_rwlock_init(&s->cat_lock, NULL);
    pthread_mutex_init(&s->subs_mu, NULL);
    pthread_mutex_init(&s->bg_mu, NULL);
    pthread_cond_init(&s->bg_cv, NULL);
    if (getrandom(s->secret, sizeof s->secret, 0) != (ssize_t)sizeof s->secret) {
        /* Without entropy the token key is weaker but still per-process. */
        uint64_t t = eddy_mono_ns() ^ (uint64_t)getpid();
        memcpy(s->secret, &t, sizeof t);
    }
    int rc = 0;
    if (opts->data_dir) {
        s->data_dir = strdup(opts->data_dir);
        char path[4096];
        snprintf(path, sizeof path, "%s/streams", opts->data_dir);
        if (!s->data_dir || mkdir_p(path) != 0) {
            rc = eddy_err_set(err, EDDY_E_IO, "cannot create data directory %s: %s", opts->data_dir,
                              strerror(errno));
            goto fail;
        }
        snprintf(path, sizeof path, "%s/LOCK", opts->data_dir);
        s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (s->lock_fd < 0) {
            rc = eddy_err_set(err, EDDY_E_IO, "cannot open %s: %s", path, strerror(errno));
            goto fail;
        }
        if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
            rc = eddy_err_set(err, EDDY_E_LOCKED,
                              "data directory %s is in use by another process", opts->data_dir);
            goto fail;
        }
        if ((rc = store__catalog_load(s, err)) != 0) goto fail;
        for (size_t i = 0; i < s->n_streams; i++) {
            store_stream *st = s->streams[i];
            for (size_t j = 0; j < st->n_shards; j++) {
                store_shard *sh = st->shards[j];
                if ((rc = store__shard_recover(s, st, sh, err)) != 0) goto fail;
                /* Resume the counter above every record and every shard bound. */
                uint64_t need = sh->start_counter + 1;
                if (sh->has_records && sh->last_counter + 1 > need) need = sh->last_counter + 1;
                if (sh->closed && sh->end_counter + 1 > need) need = sh->end_counter + 1;
                if (need > st->next_counter) st->next_counter = need;
            }
            int64_t now = store_now_ms(s);
            for (size_t j = 0; j < st->n_shards; j++) store__shard_trim(s, st, st->shards[j], now);
        }
        if ((rc = store__catalog_save(s, err)) != 0) goto fail;
    }
    if (pthread_create(&s->bg, NULL, bg_main, s) != 0) {
        rc = eddy_err_set(err, EDDY_E_INTERNAL, "cannot start the store's background thread");
        goto fail;
    }
    s->bg_running = 1;
    *out = s;
    return 0;
fail:
    store_close(s);
    return rc;
}

void store_close(store *s) {
    if (!s) return;
    if (s->bg_running) {
        pthread_mutex_lock(&s->bg_mu);
        s->bg_stop = 1;
        pthread_cond_broadcast(&s->bg_cv);
        pthread_mutex_unlock(&s->bg_mu);
        pthread_join(s->bg, NULL);
        if (s->data_dir) {
            store_sync(s, NULL);
            pthread_rwlock_wrlock(&s->cat_lock);
            store__catalog_save(s, NULL);
            pthread_rwlock_unlock(&s->cat_lock);
        }
    }
    for (size_t i = 0; i < s->n_streams; i++) store__stream_free(s->streams[i]);
    free(s->streams);
    if (s->lock_fd >= 0) close(s->lock_fd);   /* releases the flock */
    free(s->data_dir);
    pthread_rwlock_destroy(&s->cat_lock);
    pthread_mutex_destroy(&s->subs_mu);
    pthread_mutex_destroy(&s->bg_mu);
    pthread_cond_destroy(&s->bg_cv);
    free(s);
}
