/*
 * bench_store.c — the stream store's benchmark (`make bench`, or
 * build/bench/bench_store): put and read throughput for 100 B and 1 KiB
 * records, 1 and 4 shards, each fsync policy; put → fan-out delivery
 * latency under an open-loop constant rate; and Redis Streams on loopback
 * as the peer, with eddy/redis ratios.
 *
 * Everything runs in this process against the store library; only Redis is
 * another process (Debian's redis-server, spoken to in RESP over a socket).
 * Figures are medians over BENCH_RUNS runs (default 3). BENCH_RECORDS sets
 * the record count of the 100 B runs (default 200000; the 1 KiB runs use a
 * quarter of it) so the whole run stays within about a minute.
 * One line per figure goes to stdout; docs/benchmarks.md records them.
 */
#include "eddy_time.h"
#include "store.h"

#include "bench_hist.h"
#include "bench_stats.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 500
#define N_KEYS 4096
#define MAX_RUNS 9

static long n_records_small = 200000;
static int n_runs = 3;

/* The running redis-server, so that a failure never leaves it behind. */
static pid_t redis_pid;

static void die(const char *what, const eddy_err *e) {
    fprintf(stderr, "bench_store: %s: %s\n", what, e ? e->msg : strerror(errno));
    if (redis_pid > 0) {
        kill(redis_pid, SIGKILL);
        waitpid(redis_pid, NULL, 0);
    }
    exit(1);
}

/* ------------------------------------------------------------ eddy runs */

static char keys[N_KEYS][16];

typedef struct figures {
    double put_rps, put_cpu_rps, read_rps;
} figures;

static const char *policy_name(store_fsync_policy p) {
    return p == STORE_FSYNC_ALWAYS ? "always" : p == STORE_FSYNC_NEVER ? "never" : "interval";
}

static store *open_store(store_fsync_policy pol, char *dir) {
    strcpy(dir, "/tmp/eddy-bench-XXXXXX");
    if (!mkdtemp(dir)) die("mkdtemp", NULL);
    store_opts o;
    store_opts_init(&o);
    o.data_dir = dir;
    o.fsync = pol;
    store *s;
    eddy_err e;
    if (store_open(&o, &s, &e) != 0) die("store_open", &e);
    return s;
}

/* One run: put n records of `size` bytes in batches of 500, then read them
 * all back with one cursor per shard. */
static figures one_run(long n, size_t size, int shards, store_fsync_policy pol) {
    char dir[64];
    store *s = open_store(pol, dir);
    eddy_err e;
    if (store_stream_create(s, "bench", shards, &e) != 0) die("create", &e);
    char *data = malloc(size);
    for (size_t i = 0; i < size; i++) data[i] = (char)('a' + i % 26);
    store_put_entry ents[BATCH];
    store_put_result res[BATCH];
    memset(ents, 0, sizeof ents);
    figures f;

    double c0 = bench_cpu_seconds();
    uint64_t t0 = eddy_mono_ns();
    for (long done = 0; done < n;) {
        size_t m = (size_t)(n - done < BATCH ? n - done : BATCH);
        for (size_t i = 0; i < m; i++) {
            const char *k = keys[(done + (long)i) % N_KEYS];
            ents[i].data = data;
            ents[i].data_len = size;
            ents[i].partition_key = k;
            ents[i].partition_key_len = strlen(k);
        }
        size_t failed;
        if (store_put_records(s, "bench", ents, m, res, &failed, &e) != 0) die("put", &e);
        if (failed) {
            fprintf(stderr, "bench_store: %zu records failed: %s\n", failed, res[0].message);
            exit(1);
        }
        done += (long)m;
    }
    double secs = (double)(eddy_mono_ns() - t0) / 1e9;
    double cpu = bench_cpu_seconds() - c0;
    f.put_rps = (double)n / secs;
    f.put_cpu_rps = cpu > 0 ? (double)n / cpu : 0;

    store_stream_desc d;
    if (store_stream_describe(s, "bench", &d, &e) != 0) die("describe", &e);
    store_batch b;
    store_batch_init(&b);
    long got = 0;
    t0 = eddy_mono_ns();
    for (size_t i = 0; i < d.n_shards; i++) {
        store_position pos = {.type = STORE_TRIM_HORIZON};
        store_cursor *c;
        if (store_cursor_open(s, "bench", d.shards[i].shard_id, &pos, &c, &e) != 0)
            die("cursor", &e);
        for (;;) {
            if (store_cursor_read(c, 10000, &b, &e) != 0) die("read", &e);
            got += (long)b.n_records;
            if (b.n_records == 0) break;
        }
        store_cursor_close(c);
    }
    secs = (double)(eddy_mono_ns() - t0) / 1e9;
    f.read_rps = (double)got / secs;
    if (got != n) {
        fprintf(stderr, "bench_store: read %ld records, wrote %ld\n", got, n);
        exit(1);
    }
    store_batch_free(&b);
    store_stream_desc_free(&d);
    store_close(s);
    bench_rm_rf(dir);
    free(data);
    return f;
}

/* Medians of the figures of one configuration; prints two lines. */
static figures bench_config(long n, size_t size, int shards, store_fsync_policy pol) {
    double put[MAX_RUNS], cpu[MAX_RUNS], rd[MAX_RUNS];
    for (int r = 0; r < n_runs; r++) {
        figures f = one_run(n, size, shards, pol);
        put[r] = f.put_rps, cpu[r] = f.put_cpu_rps, rd[r] = f.read_rps;
    }
    figures m = {bench_median(put, n_runs), bench_median(cpu, n_runs), bench_median(rd, n_runs)};
    printf("eddy put   %5zu B  %d shard%s  fsync=%-8s %10.0f rec/s  %8.1f MB/s  %10.0f "
           "rec/cpu-s\n", size, shards, shards == 1 ? " " : "s", policy_name(pol), m.put_rps,
           m.put_rps * (double)size / 1e6, m.put_cpu_rps);
    printf("eddy read  %5zu B  %d shard%s  fsync=%-8s %10.0f rec/s  %8.1f MB/s\n", size, shards,
           shards == 1 ? " " : "s", policy_name(pol), m.read_rps,
           m.read_rps * (double)size / 1e6);
    fflush(stdout);
    return m;
}

/* ------------------------------------------------------------ latency */

typedef struct lat_ctx {
    store *s;
    store_sub *sub;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned long notified;
    long expected, received;
    hist h;
} lat_ctx;

static void lat_notify(void *ctx, int ended) {
    lat_ctx *l = ctx;
    pthread_mutex_lock(&l->mu);
    l->notified++;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

static void *lat_consumer(void *arg) {
    lat_ctx *l = arg;
    store_batch b;
    store_batch_init(&b);
    eddy_err e;
    unsigned long seen = 0;
    while (l->received < l->expected) {
        pthread_mutex_lock(&l->mu);
        while (l->notified == seen) {
            struct timespec ts = eddy_deadline_ms(CLOCK_REALTIME, 10);
            if (pthread_cond_timedwait(&l->cv, &l->mu, &ts) == ETIMEDOUT) break;
        }
        seen = l->notified;
        pthread_mutex_unlock(&l->mu);
        for (;;) {
            if (store_sub_read(l->sub, 0, &b, &e) != 0) die("sub_read", &e);
            uint64_t now = eddy_mono_ns();
            for (size_t i = 0; i < b.n_records; i++) {
                uint64_t sched;
                memcpy(&sched, b.records[i].data, sizeof sched);
                h_add(&l->h, now > sched ? now - sched : 0);
            }
            l->received += (long)b.n_records;
            if (b.n_records == 0) break;
        }
    }
    store_batch_free(&b);
    return NULL;
}

/* Open loop: records are due at a constant rate whatever the store does;
 * latency runs from when a record was due (not when it was sent), so a
 * stall is charged to every record it delayed. */
static void bench_latency(long rate, double seconds, store_fsync_policy pol) {
    char dir[64];
    store *s = open_store(pol, dir);
    eddy_err e;
    if (store_stream_create(s, "lat", 1, &e) != 0) die("create", &e);
    store_consumer_desc cd;
    if (store_consumer_register(s, "lat", "bench", &cd, &e) != 0) die("register", &e);
    store_stream_desc d;
    if (store_stream_describe(s, "lat", &d, &e) != 0) die("describe", &e);
    lat_ctx *l = calloc(1, sizeof *l);
    l->s = s;
    l->expected = (long)(rate * seconds);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    store_position pos = {.type = STORE_LATEST};
    if (store_subscribe(s, cd.arn, d.shards[0].shard_id, &pos, lat_notify, l, &l->sub, &e) != 0)
        die("subscribe", &e);
    pthread_t th;
    pthread_create(&th, NULL, lat_consumer, l);

    /* Each record is 100 bytes starting with the time it was due. */
    static char bufs[BATCH][100];
    memset(bufs, 'x', sizeof bufs);
    store_put_entry ents[BATCH];
    store_put_result res[BATCH];
    memset(ents, 0, sizeof ents);
    uint64_t start = eddy_mono_ns(), period = 1000000000ULL / (uint64_t)rate;
    long sent = 0;
    while (sent < l->expected) {
        uint64_t now = eddy_mono_ns();
        size_t m = 0;
        while (sent + (long)m < l->expected && m < BATCH &&
               start + (uint64_t)(sent + (long)m) * period <= now)
            m++;
        if (m == 0) {
            /* Sleep until the next record is due rather than spin: on a
             * small machine a spinning producer starves the consumer. Any
             * oversleep is charged to the records it delays. */
            uint64_t next = start + (uint64_t)sent * period;
            struct timespec ts = {(time_t)(next / 1000000000ULL), (long)(next % 1000000000ULL)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
            continue;
        }
        for (size_t i = 0; i < m; i++) {
            uint64_t due = start + (uint64_t)(sent + (long)i) * period;
            memcpy(bufs[i], &due, sizeof due);
            ents[i].data = bufs[i];
            ents[i].data_len = sizeof bufs[i];
            ents[i].partition_key = keys[i % N_KEYS];
            ents[i].partition_key_len = strlen(keys[i % N_KEYS]);
        }
        size_t failed;
        if (store_put_records(s, "lat", ents, m, res, &failed, &e) != 0 || failed)
            die("put", &e);
        sent += (long)m;
    }
    pthread_join(th, NULL);
    printf("eddy fan-out latency  100 B  fsync=%-8s %ld rec/s open loop, %ld records: "
           "p50 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us\n", policy_name(pol), rate,
           l->expected,
           h_pct(&l->h, 50) / 1e3, h_pct(&l->h, 99) / 1e3, h_pct(&l->h, 99.9) / 1e3,
           (double)l->h.max / 1e3);
    fflush(stdout);
    store_sub_close(l->sub);
    store_stream_desc_free(&d);
    store_close(s);
    bench_rm_rf(dir);
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

/* ------------------------------------------------------------ redis peer */

typedef struct rconn {
    int fd;
    char buf[1 << 16];
    size_t pos, len;
} rconn;

static int r_fill(rconn *c) {
    if (c->pos < c->len) return 0;
    ssize_t k = read(c->fd, c->buf, sizeof c->buf);
    if (k <= 0) return -1;
    c->pos = 0;
    c->len = (size_t)k;
    return 0;
}

/* Reads one CRLF-terminated line (without CRLF) into out. */
static int r_line(rconn *c, char *out, size_t cap) {
    size_t n = 0;
    for (;;) {
        if (r_fill(c) != 0) return -1;
        char ch = c->buf[c->pos++];
        if (ch == '\n') {
            if (n && out[n - 1] == '\r') n--;
            out[n] = 0;
            return 0;
        }
        if (n + 1 < cap) out[n++] = ch;
    }
}

/* Reads `n` bytes plus CRLF; keeps at most cap-1 of them in out. */
static int r_bytes(rconn *c, long n, char *out, size_t cap) {
    long want = n + 2, got = 0;
    while (got < want) {
        if (r_fill(c) != 0) return -1;
        size_t k = c->len - c->pos;
        if ((long)k > want - got) k = (size_t)(want - got);
        if (out && got < (long)cap - 1) {
            size_t keep = k;
            if ((long)keep > (long)cap - 1 - got) keep = (size_t)((long)cap - 1 - got);
            memcpy(out + got, c->buf + c->pos, keep);
        }
        c->pos += k;
        got += (long)k;
    }
    if (out) out[n < (long)cap - 1 ? n : (long)cap - 1] = 0;
    return 0;
}

/* Reads one reply. For bulk strings keeps the text (truncated) in `keep`.
 * Counts bulk bytes into *bytes. Returns the element count of an array
 * reply, 0 otherwise, -1 on an error reply or a broken connection. */
static long r_reply(rconn *c, char *keep, size_t cap, long *bytes) {
    char line[256];
    if (r_line(c, line, sizeof line) != 0) return -1;
    switch (line[0]) {
    case '+':
    case ':':
        return 0;
    case '-':
        fprintf(stderr, "bench_store: redis error: %s\n", line + 1);
        return -1;
    case '$': {
        long n = atol(line + 1);
        if (n < 0) return 0;
        if (bytes) *bytes += n;
        return r_bytes(c, n, keep, cap) == 0 ? 0 : -1;
    }
    case '*': {
        long n = atol(line + 1);
        return n < 0 ? 0 : n;
    }
    default:
        return -1;
    }
}

static void r_write(rconn *c, const char *p, size_t n) {
    while (n) {
        ssize_t k = write(c->fd, p, n);
        if (k <= 0) die("write to redis", NULL);
        p += k;
        n -= (size_t)k;
    }
}

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

static int r_connect(rconn *c, int port) {
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(c->fd);
        return -1;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->pos = c->len = 0;
    return 0;
}

static char *find_redis(void) {
    static char path[512];
    const char *env = getenv("PATH");
    char *dirs = strdup(env ? env : "/usr/bin:/usr/sbin"), *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(path, sizeof path, "%s/redis-server", d);
        if (access(path, X_OK) == 0) {
            free(dirs);
            return path;
        }
    }
    free(dirs);
    return access("/usr/bin/redis-server", X_OK) == 0 ? "/usr/bin/redis-server" : NULL;
}

typedef struct redis_proc {
    pid_t pid;
    int port;
    char dir[64];
} redis_proc;

static int redis_start(const char *bin, int aof, redis_proc *rp, rconn *c) {
    strcpy(rp->dir, "/tmp/eddy-bench-redis-XXXXXX");
    if (!mkdtemp(rp->dir)) return -1;
    rp->port = free_port();
    char port[16];
    snprintf(port, sizeof port, "%d", rp->port);
    rp->pid = fork();
    if (rp->pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        if (aof)
            execl(bin, bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--dir", rp->dir,
                  "--appendonly", "yes", "--appendfsync", "everysec", (char *)NULL);
        else
            execl(bin, bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--dir", rp->dir,
                  "--appendonly", "no", (char *)NULL);
        _exit(127);
    }
    redis_pid = rp->pid;
    for (int i = 0; i < 200; i++) {
        if (r_connect(c, rp->port) == 0) {
            r_write(c, "*1\r\n$4\r\nPING\r\n", 14);
            if (r_reply(c, NULL, 0, NULL) == 0) return 0;
            close(c->fd);
        }
        struct timespec ts = {0, 25 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(rp->pid, SIGKILL);
    waitpid(rp->pid, NULL, 0);
    redis_pid = 0;
    bench_rm_rf(rp->dir);
    return -1;
}

static void redis_stop(redis_proc *rp, rconn *c) {
    close(c->fd);
    kill(rp->pid, SIGTERM);
    waitpid(rp->pid, NULL, 0);
    redis_pid = 0;
    bench_rm_rf(rp->dir);
}

/* Writes n records of `size` bytes with pipelined XADDs (500 per round
 * trip), then reads them back with XRANGE ... COUNT 10000. */
static void redis_run(rconn *c, const char *key, long n, size_t size, double *put_rps,
                      double *read_rps) {
    char *data = malloc(size);
    for (size_t i = 0; i < size; i++) data[i] = (char)('a' + i % 26);
    char head[128];
    int hl = snprintf(head, sizeof head, "*5\r\n$4\r\nXADD\r\n$%zu\r\n%s\r\n$1\r\n*\r\n$1\r\nd\r\n$%zu\r\n",
                      strlen(key), key, size);
    size_t one = (size_t)hl + size + 2;
    char *pipe = malloc(one * BATCH);
    for (int i = 0; i < BATCH; i++) {
        memcpy(pipe + one * (size_t)i, head, (size_t)hl);
        memcpy(pipe + one * (size_t)i + hl, data, size);
        memcpy(pipe + one * (size_t)i + hl + size, "\r\n", 2);
    }
    uint64_t t0 = eddy_mono_ns();
    for (long done = 0; done < n;) {
        int m = n - done < BATCH ? (int)(n - done) : BATCH;
        r_write(c, pipe, one * (size_t)m);
        for (int i = 0; i < m; i++)
            if (r_reply(c, NULL, 0, NULL) != 0) die("XADD", NULL);
        done += m;
    }
    *put_rps = (double)n / ((double)(eddy_mono_ns() - t0) / 1e9);

    char start[72] = "-", cmd[256], id[64];
    long got = 0, bytes = 0;
    t0 = eddy_mono_ns();
    for (;;) {
        int cl = snprintf(cmd, sizeof cmd,
                          "*6\r\n$6\r\nXRANGE\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n$1\r\n+\r\n"
                          "$5\r\nCOUNT\r\n$5\r\n10000\r\n", strlen(key), key, strlen(start), start);
        r_write(c, cmd, (size_t)cl);
        long entries = r_reply(c, NULL, 0, NULL);
        if (entries < 0) die("XRANGE", NULL);
        for (long i = 0; i < entries; i++) {
            /* [id, [field, value]] */
            if (r_reply(c, NULL, 0, NULL) != 2 || r_reply(c, id, sizeof id, NULL) != 0)
                die("XRANGE entry", NULL);
            long fv = r_reply(c, NULL, 0, NULL);
            for (long k = 0; k < fv; k++)
                if (r_reply(c, NULL, 0, &bytes) != 0) die("XRANGE field", NULL);
        }
        got += entries;
        if (entries < 10000) break;
        snprintf(start, sizeof start, "(%s", id);
    }
    *read_rps = (double)got / ((double)(eddy_mono_ns() - t0) / 1e9);
    if (got != n) {
        fprintf(stderr, "bench_store: redis returned %ld entries, wrote %ld\n", got, n);
        exit(1);
    }
    free(pipe);
    free(data);
}

static void bench_redis(const figures eddy[2][3]) {
    char *bin = find_redis();
    if (!bin) {
        printf("redis: redis-server not found (Debian package redis-server); peer skipped\n");
        return;
    }
    static const size_t sizes[2] = {100, 1024};
    for (int aof = 0; aof < 2; aof++) {
        redis_proc rp;
        rconn *c = calloc(1, sizeof *c);
        if (redis_start(bin, aof, &rp, c) != 0) {
            printf("redis: could not start %s on 127.0.0.1; peer skipped\n", bin);
            free(c);
            return;
        }
        for (int si = 0; si < 2; si++) {
            long n = si == 0 ? n_records_small : n_records_small / 4;
            double put[MAX_RUNS], rd[MAX_RUNS];
            for (int r = 0; r < n_runs; r++) {
                char key[32];
                snprintf(key, sizeof key, "bench-%d-%d", si, r);
                redis_run(c, key, n, sizes[si], &put[r], &rd[r]);
                /* Free the memory before the next run. */
                char cmd[96];
                int cl = snprintf(cmd, sizeof cmd, "*2\r\n$3\r\nDEL\r\n$%zu\r\n%s\r\n",
                                  strlen(key), key);
                r_write(c, cmd, (size_t)cl);
                r_reply(c, NULL, 0, NULL);
            }
            double p = bench_median(put, n_runs), q = bench_median(rd, n_runs);
            /* Compare like with like: no AOF against fsync=never, AOF
             * everysec against fsync=interval (100 ms). */
            const figures *ef = &eddy[si][aof ? 0 : 2];
            printf("redis put  %5zu B  1 stream %-13s %10.0f rec/s  %8.1f MB/s   "
                   "eddy/redis %.2fx (eddy 1 shard fsync=%s)\n", sizes[si],
                   aof ? "aof=everysec" : "no-persist", p, p * (double)sizes[si] / 1e6,
                   ef->put_rps / p, aof ? "interval" : "never");
            printf("redis read %5zu B  1 stream %-13s %10.0f rec/s  %8.1f MB/s   "
                   "eddy/redis %.2fx\n", sizes[si], aof ? "aof=everysec" : "no-persist", q,
                   q * (double)sizes[si] / 1e6, ef->read_rps / q);
            fflush(stdout);
        }
        redis_stop(&rp, c);
        free(c);
    }
}

int main(void) {
    const char *v = getenv("BENCH_RECORDS");
    if (v && atol(v) >= 1000) n_records_small = atol(v);
    v = getenv("BENCH_RUNS");
    if (v && atoi(v) >= 1 && atoi(v) <= MAX_RUNS) n_runs = atoi(v);
    signal(SIGPIPE, SIG_IGN);
    /* The default 50 us timer slack would dominate the latency figures:
     * threads inherit this, so it is set before any is created. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    for (int i = 0; i < N_KEYS; i++) snprintf(keys[i], sizeof keys[i], "key-%d", i);
    printf("bench_store: %ld cores online, %ld records of 100 B and %ld of 1 KiB per run, "
           "batches of %d, median of %d runs\n", sysconf(_SC_NPROCESSORS_ONLN), n_records_small,
           n_records_small / 4, BATCH, n_runs);
    static const store_fsync_policy pols[3] = {STORE_FSYNC_INTERVAL, STORE_FSYNC_ALWAYS,
                                               STORE_FSYNC_NEVER};
    static const size_t sizes[2] = {100, 1024};
    figures one_shard[2][3];
    for (int si = 0; si < 2; si++)
        for (int shards = 1; shards <= 4; shards *= 4)
            for (int p = 0; p < 3; p++) {
                long n = si == 0 ? n_records_small : n_records_small / 4;
                figures f = bench_config(n, sizes[si], shards, pols[p]);
                if (shards == 1) one_shard[si][p] = f;
            }
    bench_latency(50000, 2.0, STORE_FSYNC_INTERVAL);
    bench_latency(50000, 2.0, STORE_FSYNC_NEVER);
    bench_redis(one_shard);
    return 0;
}
