/*
 * check_store_recovery.c — durability of the store: torn and corrupt
 * segment tails are cut at reopen (with a log line saying how much), the
 * data directory lock holds against another process, and a writer killed
 * with SIGKILL under STORE_FSYNC_ALWAYS loses nothing it acknowledged.
 */
#include "store_test_util.h"

#include "eddy_log.h"

#include <dirent.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *SH0 = "shardId-000000000000";

/* Writes n records "rec<i>" to a fresh one-shard stream in `dir`. */
static void fill(const char *dir, int n, size_t seg_bytes) {
    store *s = t_open(dir, STORE_FSYNC_NEVER, seg_bytes);
    t_create(s, "s", 1);
    for (int i = 0; i < n; i++) {
        char d[32];
        snprintf(d, sizeof d, "rec%03d", i);
        t_put(s, "s", "k", NULL, d);
    }
    store_close(s);
}

/* Path of the newest (or oldest) segment of shard 0. */
static void seg_file(const char *dir, int newest, char *out, size_t cap) {
    char sdir[400];
    snprintf(sdir, sizeof sdir, "%s/streams/s/%s", dir, SH0);
    DIR *d = opendir(sdir);
    ck_assert_ptr_nonnull(d);
    char best[256] = "";
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strstr(de->d_name, ".seg")) continue;
        if (!*best || (newest ? strcmp(de->d_name, best) > 0 : strcmp(de->d_name, best) < 0))
            snprintf(best, sizeof best, "%s", de->d_name);
    }
    closedir(d);
    ck_assert(*best);
    snprintf(out, cap, "%s/%s", sdir, best);
}

/* Opens the store with stderr captured into `log`. */
static store *open_logged(const char *dir, char *log, size_t cap) {
    char lp[400];
    snprintf(lp, sizeof lp, "%s.log", dir);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(lp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    close(fd);
    eddy_log_set_level(EDDY_LOG_WARN);
    store *s = t_open(dir, STORE_FSYNC_NEVER, 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(lp, "r");
    size_t n = fread(log, 1, cap - 1, f);
    log[n] = '\0';
    fclose(f);
    unlink(lp);
    return s;
}

static off_t fsize(const char *p) {
    struct stat sb;
    ck_assert_int_eq(stat(p, &sb), 0);
    return sb.st_size;
}

START_TEST(test_torn_tail) {
    char dir[300], seg[600], log[4096], data[4096] = "";
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    fill(dir, 20, 0);
    seg_file(dir, 1, seg, sizeof seg);
    off_t sz = fsize(seg);
    ck_assert_int_eq(truncate(seg, sz - 5), 0);
    store *s = open_logged(dir, log, sizeof log);
    /* The last frame (40-byte header + "k" + "rec019") lost 5 bytes: 42 cut. */
    ck_assert_msg(strstr(log, "cut 42 bytes of torn/corrupt tail") != NULL, "log: %s", log);
    ck_assert_uint_eq(t_read_all(s, "s", SH0, data, sizeof data), 19);
    ck_assert(strstr(data, "rec018|") && !strstr(data, "rec019"));
    /* Appends continue after the cut, in order. */
    t_put(s, "s", "k", NULL, "after");
    data[0] = '\0';
    ck_assert_uint_eq(t_read_all(s, "s", SH0, data, sizeof data), 20);
    ck_assert(strstr(data, "rec018|after|"));
    store_close(s);
    s = open_logged(dir, log, sizeof log);
    ck_assert_msg(strstr(log, "cut") == NULL, "clean reopen logged: %s", log);
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 20);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

START_TEST(test_garbage_tail) {
    char dir[300], seg[600], log[4096];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    fill(dir, 20, 0);
    seg_file(dir, 1, seg, sizeof seg);
    int fd = open(seg, O_WRONLY | O_APPEND);
    unsigned char junk[100];
    for (int i = 0; i < 100; i++) junk[i] = (unsigned char)(i * 37 + 11);
    ck_assert_int_eq(write(fd, junk, sizeof junk), 100);
    /* A header claiming a huge frame must not be trusted either. */
    unsigned char huge[8] = {0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0};
    ck_assert_int_eq(write(fd, huge, 8), 8);
    close(fd);
    store *s = open_logged(dir, log, sizeof log);
    ck_assert_msg(strstr(log, "cut 108 bytes") != NULL, "log: %s", log);
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 20);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

START_TEST(test_flipped_byte) {
    char dir[300], seg[600], log[4096], data[4096] = "";
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    fill(dir, 20, 0);
    seg_file(dir, 1, seg, sizeof seg);
    off_t sz = fsize(seg);
    ck_assert_int_eq(sz, 20 * 47);
    /* Flip one data byte of record 10. */
    int fd = open(seg, O_RDWR);
    off_t at = 10 * 47 + 42;
    char c;
    ck_assert_int_eq(pread(fd, &c, 1, at), 1);
    c ^= 0x20;
    ck_assert_int_eq(pwrite(fd, &c, 1, at), 1);
    close(fd);
    store *s = open_logged(dir, log, sizeof log);
    ck_assert_msg(strstr(log, "cut 470 bytes") != NULL, "log: %s", log);
    ck_assert_uint_eq(t_read_all(s, "s", SH0, data, sizeof data), 10);
    ck_assert(strstr(data, "rec009|") && !strstr(data, "rec010"));
    store_close(s);
    ck_assert_int_eq(fsize(seg), 470);
    t_rmdir(dir);
}
END_TEST

START_TEST(test_many_segments_and_garbage_files) {
    char dir[300], seg[600], log[4096], extra[700];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    fill(dir, 200, 1000);   /* about 21 records per segment */
    seg_file(dir, 1, seg, sizeof seg);
    snprintf(extra, sizeof extra, "%s/streams/s/%s/notes.txt", dir, SH0);
    FILE *f = fopen(extra, "w");
    fputs("not a segment", f);
    fclose(f);
    ck_assert_int_eq(truncate(seg, fsize(seg) - 1), 0);
    store *s = open_logged(dir, log, sizeof log);
    ck_assert(strstr(log, "cut 46 bytes") != NULL);
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 199);
    /* A sequence-number lookup lands in the right segment. */
    store_batch b;
    store_batch_init(&b);
    store_cursor *c;
    store_position p = {.type = STORE_TRIM_HORIZON};
    ck_assert_int_eq(store_cursor_open(s, "s", SH0, &p, &c, NULL), 0);
    ck_assert_int_eq(store_cursor_read(c, 150, &b, NULL), 0);
    store_seq mid = b.records[120].seq;
    store_cursor_close(c);
    p = (store_position){.type = STORE_AT_SEQUENCE_NUMBER, .seq = mid};
    ck_assert_int_eq(store_cursor_open(s, "s", SH0, &p, &c, NULL), 0);
    ck_assert_int_eq(store_cursor_read(c, 1, &b, NULL), 0);
    ck_assert_int_eq(memcmp(b.records[0].data, "rec120", 6), 0);
    store_cursor_close(c);
    store_batch_free(&b);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

START_TEST(test_lock_other_process) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    int up[2], down[2];
    ck_assert_int_eq(pipe(up), 0);
    ck_assert_int_eq(pipe(down), 0);
    pid_t pid = fork();
    if (pid == 0) {
        store_opts o;
        store_opts_init(&o);
        o.data_dir = dir;
        store *s = NULL;
        if (store_open(&o, &s, NULL) != 0) _exit(2);
        char ch = 'x';
        if (write(up[1], &ch, 1) != 1) _exit(3);
        if (read(down[0], &ch, 1) != 1) _exit(4);
        store_close(s);
        _exit(0);
    }
    char ch;
    ck_assert_int_eq(read(up[0], &ch, 1), 1);
    store_opts o;
    store_opts_init(&o);
    o.data_dir = dir;
    store *s = NULL;
    eddy_err err;
    ck_assert_int_eq(store_open(&o, &s, &err), EDDY_E_LOCKED);
    ck_assert(strstr(err.msg, "in use by another process") != NULL);
    ck_assert_int_eq(write(down[1], "x", 1), 1);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_int_eq(store_open(&o, &s, &err), 0);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

/* A child puts batches under STORE_FSYNC_ALWAYS and reports each
 * acknowledged sequence number; the parent kills it mid-stream and checks
 * every acknowledged record survived. */
START_TEST(test_kill9_acknowledged_survive) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    {
        store *s = t_open(dir, STORE_FSYNC_ALWAYS, 64 * 1024);
        t_create(s, "s", 2);
        store_close(s);
    }
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        store_opts o;
        store_opts_init(&o);
        o.data_dir = dir;
        o.fsync = STORE_FSYNC_ALWAYS;
        o.segment_bytes = 64 * 1024;
        store *s = NULL;
        if (store_open(&o, &s, NULL) != 0) _exit(2);
        for (unsigned i = 0;; i++) {
            store_put_entry e[7];
            store_put_result r[7];
            char d[7][48], pk[7][16];
            for (int j = 0; j < 7; j++) {
                snprintf(pk[j], sizeof pk[j], "k%u", i * 7 + (unsigned)j);
                snprintf(d[j], sizeof d[j], "payload-%u-%d-xxxxxxxxxxxxxxxxxxxx", i, j);
                e[j] = (store_put_entry){.data = d[j], .data_len = strlen(d[j]), .partition_key = pk[j],
                                         .partition_key_len = strlen(pk[j])};
            }
            size_t failed;
            if (store_put_records(s, "s", e, 7, r, &failed, NULL) != 0 || failed) _exit(5);
            for (int j = 0; j < 7; j++) {
                char line[STORE_SEQ_STR_MAX + 1];
                size_t n = store_seq_format(r[j].seq, line);
                line[n++] = '\n';
                if (write(fds[1], line, n) != (ssize_t)n) _exit(6);
            }
        }
    }
    close(fds[1]);
    /* Read until a few hundred acknowledgements have arrived, then kill. */
    size_t cap = 1 << 20, len = 0;
    char *acks = malloc(cap);
    while (len < 400 * 57) {
        ssize_t r = read(fds[0], acks + len, cap - len - 1);
        ck_assert_int_gt(r, 0);
        len += (size_t)r;
    }
    kill(pid, SIGKILL);
    for (;;) {   /* drain what was acknowledged before the kill */
        ssize_t r = read(fds[0], acks + len, cap - len - 1);
        if (r <= 0) break;
        len += (size_t)r;
    }
    acks[len] = '\0';
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFSIGNALED(st));
    store *s = t_open(dir, STORE_FSYNC_ALWAYS, 64 * 1024);
    char *found = malloc(8 << 20);
    size_t flen = 0;
    for (int k = 0; k < 2; k++) {
        char id[32];
        snprintf(id, sizeof id, "shardId-%012d", k);
        store_cursor *c;
        store_position p = {.type = STORE_TRIM_HORIZON};
        ck_assert_int_eq(store_cursor_open(s, "s", id, &p, &c, NULL), 0);
        store_batch b;
        store_batch_init(&b);
        do {
            ck_assert_int_eq(store_cursor_read(c, 0, &b, NULL), 0);
            for (size_t i = 0; i < b.n_records && flen + 64 < (8u << 20); i++) {
                flen += store_seq_format(b.records[i].seq, found + flen);
                found[flen++] = '\n';
            }
        } while (b.n_records);
        store_batch_free(&b);
        store_cursor_close(c);
    }
    found[flen] = '\0';
    size_t n_acks = 0;
    for (char *line = strtok(acks, "\n"); line; line = strtok(NULL, "\n")) {
        if (strlen(line) != 56) continue;   /* a line cut by the kill was never acknowledged */
        char key[58];
        snprintf(key, sizeof key, "%s\n", line);
        ck_assert_msg(strstr(found, key) != NULL, "acknowledged %s lost", line);
        n_acks++;
    }
    ck_assert_uint_ge(n_acks, 400);
    free(found);
    free(acks);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

/* Concurrent putters under STORE_FSYNC_ALWAYS share fsyncs (group commit)
 * and every acknowledged record is there after a reopen. */
typedef struct gc_arg {
    store *s;
    int id;
    int ok;
} gc_arg;

static void *gc_writer(void *p) {
    gc_arg *a = p;
    for (int i = 0; i < 200; i++) {
        char d[32];
        snprintf(d, sizeof d, "w%d-%d", a->id, i);
        store_put_entry e = {.data = d, .data_len = strlen(d), .partition_key = "k", .partition_key_len = 1,
                             .explicit_hash_key = a->id % 2 ? "0" : "340282366920938463463374607431768211455"};
        store_put_result r;
        if (store_put_record(a->s, "s", &e, &r, NULL) == 0) a->ok++;
    }
    return NULL;
}

START_TEST(test_group_commit_threads) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    store *s = t_open(dir, STORE_FSYNC_ALWAYS, 4096);
    t_create(s, "s", 2);
    pthread_t th[4];
    gc_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (gc_arg){s, i, 0};
        pthread_create(&th[i], NULL, gc_writer, &a[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(a[i].ok, 200);
    }
    store_close(s);
    s = t_open(dir, STORE_FSYNC_ALWAYS, 4096);
    ck_assert_uint_eq(t_read_all(s, "s", "shardId-000000000000", NULL, 0) +
                          t_read_all(s, "s", "shardId-000000000001", NULL, 0), 800);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

/* A delete interrupted after its catalog write leaves files behind; a new
 * stream of the same name must not pick them up. */
START_TEST(test_recreate_over_leftovers) {
    char dir[300], seg[600], keep[700];
    snprintf(dir, sizeof dir, "%s", eddy_test_tmpdir());
    fill(dir, 5, 0);
    seg_file(dir, 1, seg, sizeof seg);
    snprintf(keep, sizeof keep, "%s/kept-segment", dir);
    ck_assert_int_eq(rename(seg, keep), 0);
    store *s = t_open(dir, STORE_FSYNC_NEVER, 0);
    ck_assert_int_eq(store_stream_delete(s, "s", 0, NULL), 0);
    store_close(s);
    /* Simulate the crash: the old shard directory and segment come back. */
    char sdir[400];
    snprintf(sdir, sizeof sdir, "%s/streams/s/%s", dir, SH0);
    char sparent[400];
    snprintf(sparent, sizeof sparent, "%s/streams/s", dir);
    ck_assert_int_eq(mkdir(sparent, 0755), 0);
    ck_assert_int_eq(mkdir(sdir, 0755), 0);
    ck_assert_int_eq(rename(keep, seg), 0);
    s = t_open(dir, STORE_FSYNC_NEVER, 0);
    t_create(s, "s", 1);
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 0);
    store_close(s);
    s = t_open(dir, STORE_FSYNC_NEVER, 0);
    ck_assert_uint_eq(t_read_all(s, "s", SH0, NULL, 0), 0);
    store_close(s);
    t_rmdir(dir);
}
END_TEST

Suite *suite_store_recovery(void) {
    Suite *s = suite_create("store_recovery");
    TCase *tc = tcase_create("recovery");
    tcase_add_test(tc, test_torn_tail);
    tcase_add_test(tc, test_garbage_tail);
    tcase_add_test(tc, test_flipped_byte);
    tcase_add_test(tc, test_many_segments_and_garbage_files);
    tcase_add_test(tc, test_lock_other_process);
    tcase_add_test(tc, test_kill9_acknowledged_survive);
    tcase_add_test(tc, test_group_commit_threads);
    tcase_add_test(tc, test_recreate_over_leftovers);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_store_recovery)
