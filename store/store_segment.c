/*
 * store_segment.c — a shard's log: segment files (or memory segments), the
 * CRC32C record frame, recovery of a shard at open, and retention trimming.
 *
 * A shard's directory is data_dir/streams/<stream>/<shardId>/ and holds
 * segments named by the first counter they may hold (<20 digits>.seg). Each
 * segment is a run of frames (see STORE_FRAME_HDR in store_int.h). Recovery
 * scans every segment to rebuild the in-memory index; at the first frame that
 * is truncated, fails its CRC or breaks the order of counters it cuts the
 * file and logs how many bytes went. Callers hold the shard mutex unless a
 * function says otherwise.
 */
#include "store_int.h"

#include "checksum.h"
#include "eddy_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- frames */

static void le32(char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (char)(v >> (8 * i));
}
static void le64(char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (char)(v >> (8 * i));
}
static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const unsigned char *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

size_t store__frame_encode(char *dst, uint64_t counter, int64_t arrival, int64_t write_ms,
                           const void *pk, uint32_t pk_len, const void *data, uint32_t data_len) {
    size_t body = STORE_FRAME_HDR - 8 + (size_t)pk_len + data_len;
    le32(dst, (uint32_t)body);
    le64(dst + 8, counter);
    le64(dst + 16, (uint64_t)arrival);
    le64(dst + 24, (uint64_t)write_ms);
    le32(dst + 32, pk_len);
    le32(dst + 36, data_len);
    memcpy(dst + STORE_FRAME_HDR, pk, pk_len);
    if (data_len) memcpy(dst + STORE_FRAME_HDR + pk_len, data, data_len);
    return 8 + body;
}

void store__frames_seal(char *buf, const size_t *offs, size_t n) {
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        const void *bodies[3];
        size_t lens[3];
        uint32_t crc[3];
        for (int j = 0; j < 3; j++) {
            char *f = buf + offs[i + j];
            bodies[j] = f + 8;
            lens[j] = rd32((const unsigned char *)f);
        }
        eddy_crc32c_x3(bodies, lens, crc);
        for (int j = 0; j < 3; j++) le32(buf + offs[i + j] + 4, crc[j]);
    }
    for (; i < n; i++) {
        char *f = buf + offs[i];
        le32(f + 4, eddy_crc32c(0, f + 8, rd32((const unsigned char *)f)));
    }
}

/* ---------------------------------------------------------------- paths */

int store__shard_dir(store *s, store_stream *st, store_shard *sh, char *out, size_t cap) {
    char id[STORE_SHARD_ID_MAX];
    store__shard_id(sh->index, id);
    int n = snprintf(out, cap, "%s/streams/%s/%s", s->data_dir, st->name, id);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static void seg_path(const char *dir, uint64_t first, char *out, size_t cap) {
    snprintf(out, cap, "%s/%020" PRIu64 ".seg", dir, first);
}

static void fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static int push_seg(store_shard *sh, const store_seg *seg) {
    if (sh->n_segs == sh->segs_cap) {
        size_t cap = sh->segs_cap ? sh->segs_cap * 2 : 4;
        store_seg *v = realloc(sh->segs, cap * sizeof *v);
        if (!v) return EDDY_E_NOMEM;
        sh->segs = v;
        sh->segs_cap = cap;
    }
    sh->segs[sh->n_segs++] = *seg;
    return 0;
}

int store__seg_open_new(store *s, store_stream *st, store_shard *sh, uint64_t first_counter,
                        eddy_err *err) {
    store_seg seg = {.first_counter = first_counter, .fd = -1, .max_write_ms = INT64_MIN};
    if (s->data_dir) {
        char dir[4096], path[4200];
        if (store__shard_dir(s, st, sh, dir, sizeof dir) != 0)
            return eddy_err_set(err, EDDY_E_IO, "data directory path too long");
        if (!sh->dir_made) {
            char sdir[4096];
            snprintf(sdir, sizeof sdir, "%s/streams/%s", s->data_dir, st->name);
            if ((mkdir(sdir, 0755) != 0 && errno != EEXIST) || (mkdir(dir, 0755) != 0 && errno != EEXIST))
                return eddy_err_set(err, EDDY_E_IO, "cannot create %s: %s", dir, strerror(errno));
            /* The new directories' own entries must be durable as well, or
             * a crash could drop the shard directory with its segments. */
            if (s->fsync != STORE_FSYNC_NEVER) {
                char streams[4096];
                snprintf(streams, sizeof streams, "%s/streams", s->data_dir);
                fsync_dir(sdir);
                fsync_dir(streams);
            }
            sh->dir_made = 1;
        }
        seg_path(dir, first_counter, path, sizeof path);
        seg.fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (seg.fd < 0) return eddy_err_set(err, EDDY_E_IO, "cannot create %s: %s", path, strerror(errno));
        /* The new name must survive a crash too, or acknowledged records in it
         * would vanish with the directory entry. */
        if (s->fsync != STORE_FSYNC_NEVER) fsync_dir(dir);
    }
    if (push_seg(sh, &seg) != 0) {
        if (seg.fd >= 0) close(seg.fd);
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}

/* Appends allocate a segment's blocks ahead, STORE_RESERVE_STEP at a time,
 * with fallocate(KEEP_SIZE): a write into blocks already allocated skips the
 * filesystem's per-page block reservation (ext4 delayed allocation), about a
 * fifth of a buffered append's kernel time. The file's size still ends at
 * the last record, so recovery reads exactly what was written; the unused
 * tail is given back when the segment is left (store__seg_release). */
#define STORE_RESERVE_STEP ((uint64_t)4 << 20)

static void seg_reserve(store *s, store_seg *seg, uint64_t need) {
    uint64_t want = (need + STORE_RESERVE_STEP - 1) / STORE_RESERVE_STEP * STORE_RESERVE_STEP;
    uint64_t cap = s->segment_bytes > need ? s->segment_bytes : need;
    if (want > cap) want = cap;
    if (want <= seg->reserved) return;
    if (fallocate(seg->fd, FALLOC_FL_KEEP_SIZE, (off_t)seg->reserved, (off_t)(want - seg->reserved)) == 0)
        seg->reserved = want;
    else
        seg->no_reserve = 1;   /* unsupported, or no space: the write itself will say */
}

void store__seg_release(store_seg *seg) {
    if (seg->fd < 0 || seg->reserved <= seg->size) return;
    /* ext4 and xfs free the blocks past the end on a truncate to the same size. */
    if (ftruncate(seg->fd, (off_t)seg->size) == 0) seg->reserved = seg->size;
}

int store__seg_append(store *s, store_shard *sh, const void *p, size_t n, eddy_err *err) {
    store_seg *seg = &sh->segs[sh->n_segs - 1];
    if (seg->fd >= 0 && !seg->no_reserve && seg->size + n > seg->reserved) seg_reserve(s, seg, seg->size + n);
    if (seg->fd < 0) {
        if (seg->size + n > seg->mem_cap) {
            size_t cap = seg->mem_cap ? seg->mem_cap : 64 * 1024;
            while (cap < seg->size + n) cap *= 2;
            char *m = realloc(seg->mem, cap);
            if (!m) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            seg->mem = m;
            seg->mem_cap = cap;
        }
        memcpy(seg->mem + seg->size, p, n);
    } else {
        size_t done = 0;
        while (done < n) {
            ssize_t w = pwrite(seg->fd, (const char *)p + done, n - done, (off_t)(seg->size + done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                int e = errno;
                /* Leave no partial frame behind for readers or recovery. */
                if (ftruncate(seg->fd, (off_t)seg->size) != 0) { /* recovery will cut it */ }
                return eddy_err_set(err, EDDY_E_IO, "write to shard log failed: %s", strerror(e));
            }
            done += (size_t)w;
        }
    }
    seg->size += n;
    sh->written += n;
    sh->dirty = 1;
    return 0;
}

int store__seg_read(store_shard *sh, uint64_t seg_no, uint64_t off, void *dst, size_t n) {
    if (seg_no < sh->seg_base || seg_no - sh->seg_base >= sh->n_segs) return EDDY_E_INTERNAL;
    store_seg *seg = &sh->segs[seg_no - sh->seg_base];
    if (off + n > seg->size) return EDDY_E_INTERNAL;
    if (seg->fd < 0) {
        memcpy(dst, seg->mem + off, n);
        return 0;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(seg->fd, (char *)dst + done, n - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return EDDY_E_IO;
        done += (size_t)r;
    }
    return 0;
}

/* ---------------------------------------------------------------- recovery */

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Scans one segment file, indexing its good frames. Returns the byte length
 * of the good prefix through *good. */
static int scan_segment(store_shard *sh, uint64_t seg_no, const unsigned char *p, uint64_t size,
                        uint64_t first_counter, uint64_t *good, int64_t *max_write, uint64_t *n_rec) {
    uint64_t pos = 0;
    while (pos + STORE_FRAME_HDR <= size) {
        const unsigned char *f = p + pos;
        uint64_t body = rd32(f);
        if (body < STORE_FRAME_HDR - 8 || body > STORE_FRAME_HDR - 8 + (uint64_t)STORE_RECORD_MAX ||
            pos + 8 + body > size)
            break;
        if (eddy_crc32c(0, f + 8, body) != rd32(f + 4)) break;
        uint64_t counter = rd64(f + 8);
        int64_t arrival = (int64_t)rd64(f + 16), wms = (int64_t)rd64(f + 24);
        uint64_t pk_len = rd32(f + 32), data_len = rd32(f + 36);
        if (pk_len + data_len + STORE_FRAME_HDR - 8 != body || pk_len < 1 || pk_len > 4 * STORE_PKEY_MAX)
            break;
        if (counter < first_counter || (sh->has_records && counter <= sh->last_counter)) break;
        if (store__idx_push(sh, counter, arrival, seg_no, pos) != 0) return EDDY_E_NOMEM;
        sh->has_records = 1;
        sh->last_counter = counter;
        if (arrival > sh->last_arrival_ms) sh->last_arrival_ms = arrival;
        if (wms > *max_write) *max_write = wms;
        (*n_rec)++;
        pos += 8 + body;
    }
    *good = pos;
    return 0;
}

int store__shard_recover(store *s, store_stream *st, store_shard *sh, eddy_err *err) {
    char dir[4096];
    if (store__shard_dir(s, st, sh, dir, sizeof dir) != 0)
        return eddy_err_set(err, EDDY_E_IO, "data directory path too long");
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return 0;
        return eddy_err_set(err, EDDY_E_IO, "cannot open %s: %s", dir, strerror(errno));
    }
    sh->dir_made = 1;
    uint64_t *firsts = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *nm = de->d_name;
        if (strlen(nm) != 24 || strcmp(nm + 20, ".seg") != 0 || strspn(nm, "0123456789") != 20) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            uint64_t *v = realloc(firsts, cap * sizeof *v);
            if (!v) {
                free(firsts);
                closedir(d);
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            }
            firsts = v;
        }
        firsts[n++] = strtoull(nm, NULL, 10);
    }
    closedir(d);
    if (n) qsort(firsts, n, sizeof *firsts, cmp_u64);
    char id[STORE_SHARD_ID_MAX];
    store__shard_id(sh->index, id);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        seg_path(dir, firsts[i], path, sizeof path);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        struct stat sb;
        if (fd < 0 || fstat(fd, &sb) != 0) {
            rc = eddy_err_set(err, EDDY_E_IO, "cannot open %s: %s", path, strerror(errno));
            if (fd >= 0) close(fd);
            break;
        }
        uint64_t size = (uint64_t)sb.st_size, good = 0, n_rec = 0;
        int64_t max_write = INT64_MIN;
        if (size > 0) {
            void *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m == MAP_FAILED) {
                rc = eddy_err_set(err, EDDY_E_IO, "cannot map %s: %s", path, strerror(errno));
                close(fd);
                break;
            }
            rc = scan_segment(sh, sh->seg_base + sh->n_segs, m, size, firsts[i], &good, &max_write, &n_rec);
            munmap(m, size);
            if (rc) {
                close(fd);
                eddy_err_set(err, rc, "out of memory recovering %s", path);
                break;
            }
        }
        if (good < size) {
            eddy_log(EDDY_LOG_WARN, "stream %s shard %s: cut %" PRIu64 " bytes of torn/corrupt tail of %s",
                     st->name, id, size - good, path);
            if (ftruncate(fd, (off_t)good) != 0 || fsync(fd) != 0) {
                rc = eddy_err_set(err, EDDY_E_IO, "cannot truncate %s: %s", path, strerror(errno));
                close(fd);
                break;
            }
        } else if ((uint64_t)sb.st_blocks * 512 > ((good + 4095) & ~(uint64_t)4095)) {
            /* Blocks reserved past the end before a crash: give them back. */
            if (ftruncate(fd, (off_t)good) != 0) { /* only space is lost */ }
        }
        store_seg seg = {.first_counter = firsts[i], .fd = fd, .size = good,
                         .max_write_ms = max_write, .n_records = n_rec};
        if (push_seg(sh, &seg) != 0) {
            close(fd);
            rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            break;
        }
        sh->written += good;
    }
    sh->synced = sh->written;
    sh->vis_end = store__shard_end(sh);   /* what recovery found is on disk */
    free(firsts);
    return rc;
}

/* ---------------------------------------------------------------- retention */

void store__shard_trim(store *s, store_stream *st, store_shard *sh, int64_t now) {
    int64_t horizon = now - (int64_t)st->retention_hours * 3600 * 1000;
    pthread_mutex_lock(&sh->mu);
    char dir[4096] = "";
    while (sh->n_segs > 1 && sh->segs[0].max_write_ms < horizon) {
        store_seg *seg = &sh->segs[0];
        if (seg->fd >= 0) {
            if (!*dir) store__shard_dir(s, st, sh, dir, sizeof dir);
            char path[4200];
            seg_path(dir, seg->first_counter, path, sizeof path);
            close(seg->fd);
            if (unlink(path) != 0)
                eddy_log(EDDY_LOG_WARN, "retention: cannot remove %s: %s", path, strerror(errno));
        }
        free(seg->mem);
        sh->idx_lo += seg->n_records;
        sh->seg_base++;
        sh->n_segs--;
        memmove(sh->segs, sh->segs + 1, sh->n_segs * sizeof *sh->segs);
    }
    /* The newest segment's file is never deleted: its records carry the
     * highest counter, which a restart needs to keep numbers increasing. Once
     * expired its records are only dropped from the index (and again at every
     * open, since they are still expired then). */
    if (sh->n_segs == 1 && sh->segs[0].max_write_ms < horizon && sh->segs[0].n_records > 0) {
        sh->idx_lo += sh->segs[0].n_records;
        sh->segs[0].n_records = 0;
    }
    /* Keep the live index compact once most of it is history. */
    if (sh->idx_lo > 1024 && sh->idx_lo > (sh->n_idx - sh->idx_lo)) {
        memmove(sh->idx, sh->idx + sh->idx_lo, (sh->n_idx - sh->idx_lo) * sizeof *sh->idx);
        sh->n_idx -= sh->idx_lo;
        sh->idx_lo = 0;
    }
    pthread_mutex_unlock(&sh->mu);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    return remove(path);
}

int store__rmtree(const char *path) {
    struct stat sb;
    if (stat(path, &sb) != 0) return errno == ENOENT ? 0 : -1;
    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
