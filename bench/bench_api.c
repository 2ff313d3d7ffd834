/*
 * bench_api.c — the Kinesis API benchmark (`make bench`, or
 * build/bench/bench_api): a libuv load generator with N keep-alive HTTP/1.1
 * connections (bench_http_client.h) against `eddy serve --memory`, and the
 * same load against kinesalite (npm) as the peer, with eddy/kinesalite
 * ratios.
 *
 * Phases, each against a fresh server and a stream of 4 shards:
 *   A  PutRecords of 500 × 100 B records, closed loop, as fast as possible;
 *   B  single PutRecord requests, closed loop;
 *   C  read everything back: GetShardIterator(TRIM_HORIZON), then GetRecords
 *      (Limit 10000) per shard until caught up;
 *   D  (eddy only) PutRecord at a constant rate, half of phase B's throughput,
 *      open loop: latency runs from when a request was due, not from when a
 *      free connection sent it, so a stall is charged to every request it
 *      delays (no coordinated omission);
 *   E  (peer floor) Redis answering unpipelined XADDs from redis-benchmark
 *      over as many connections: the kernel's cost of one request per round
 *      trip, against which phase B's requests per server CPU-second are set.
 * Figures are medians over BENCH_RUNS runs (default: up to 3, as many as fit
 * in about 60 s for eddy and 20 s for kinesalite, so that a slow server
 * still keeps the default run near 90 s). Server CPU comes from
 * /proc/PID/stat (utime + stime of the whole process, all threads).
 *
 * Environment: BENCH_RECORDS (phase A records, default 2000000; phase B sends
 * a tenth of it as requests), BENCH_RUNS, BENCH_CONNS (default 8),
 * BENCH_NO_PEERS=1 (skip kinesalite), BENCH_PEERS_DIR (where kinesalite is
 * npm-installed; default BUILD/bench-peers), EDDY_BIN (default ../eddy next
 * to this program). kinesalite gets 1/50 of the load (it manages ~14 K
 * records/s); the ratios compare per-second rates.
 *
 * Every process this starts is stopped by pid on every exit path, and dies
 * with this process (PR_SET_PDEATHSIG) if it is killed outright.
 */
#include "base64.h"
#include "eddy_time.h"
#include "sbuf.h"

#include "bench_hist.h"
#include "bench_stats.h"
#include "bench_http_client.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 500
#define REC_SIZE 100
#define N_KEYS 4096
#define N_SHARDS 4
#define MAX_RUNS 9
#define MAX_CONNS 256
#define READ_LIMIT 10000
#define PEER_DIVISOR 50
#define STALL_NS (30ULL * 1000 * 1000 * 1000)
#define STREAM "bench"

static long n_records = 2000000;
static int n_runs = 3;
static int n_conns = 8;

/* ------------------------------------------------------------ processes */

/* Children still running, so that every exit path can stop them. */
static pid_t children[4];

static void child_add(pid_t p) {
    for (int i = 0; i < 4; i++)
        if (!children[i]) {
            children[i] = p;
            return;
        }
}

static void child_forget(pid_t p) {
    for (int i = 0; i < 4; i++)
        if (children[i] == p) children[i] = 0;
}

/* The running server's temporary directory and log (one server at a
 * time), removed on every exit path with calls safe in a signal handler. */
static char live_dir[64], live_log[96];

static void remove_live_dir(void) {
    if (!live_dir[0]) return;
    unlink(live_log);
    rmdir(live_dir);
    live_dir[0] = 0;
}

static void kill_children(void) {
    for (int i = 0; i < 4; i++)
        if (children[i] > 0) {
            kill(children[i], SIGKILL);
            waitpid(children[i], NULL, 0);
            children[i] = 0;
        }
    remove_live_dir();
}

static void on_fatal_signal(int sig) {
    for (int i = 0; i < 4; i++)
        if (children[i] > 0) kill(children[i], SIGKILL);
    remove_live_dir();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench_api: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);   /* kill_children runs from atexit */
}

/* A server under test: eddy or kinesalite. */
typedef struct target {
    const char *name;
    pid_t pid;
    int port;
    char dir[64];    /* temporary directory holding the log */
    char log[96];
} target;

/* Forks argv[0] (a path) with stdout and stderr into t->log, cwd `cwd` (or
 * unchanged), then waits up to 30 s for "listening on http://127.0.0.1:PORT"
 * in the log. Returns 0, or -1 with the log echoed to stderr. */
static int spawn_server(target *t, char *const argv[], const char *cwd) {
    strcpy(t->dir, "/tmp/eddy-bench-api-XXXXXX");
    if (!mkdtemp(t->dir)) die("mkdtemp: %s", strerror(errno));
    snprintf(t->log, sizeof t->log, "%s/server.log", t->dir);
    memcpy(live_log, t->log, sizeof live_log);
    memcpy(live_dir, t->dir, sizeof live_dir);
    int fd = open(t->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) die("%s: %s", t->log, strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) dup2(nul, 0);
        if (cwd && chdir(cwd) != 0) _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd);
    t->pid = pid;
    child_add(pid);
    char buf[4096];
    for (int i = 0; i < 3000; i++) {
        FILE *f = fopen(t->log, "r");
        if (f) {
            while (fgets(buf, sizeof buf, f)) {
                char *p = strstr(buf, "listening on http://127.0.0.1:");
                if (p) {
                    t->port = atoi(p + strlen("listening on http://127.0.0.1:"));
                    fclose(f);
                    if (t->port > 0) return 0;
                }
            }
            fclose(f);
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            child_forget(pid);
            t->pid = 0;
            break;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "bench_api: %s did not start; its output:\n", t->name);
    FILE *f = fopen(t->log, "r");
    while (f && fgets(buf, sizeof buf, f)) fputs(buf, stderr);
    if (f) fclose(f);
    if (t->pid) {
        kill(t->pid, SIGKILL);
        waitpid(t->pid, NULL, 0);
        child_forget(t->pid);
        t->pid = 0;
    }
    bench_rm_rf(t->dir);
    live_dir[0] = 0;
    return -1;
}

/* SIGTERM, up to 10 s to exit, then SIGKILL. eddy must exit 0 on SIGTERM. */
static void stop_server(target *t) {
    if (t->pid <= 0) return;
    kill(t->pid, SIGTERM);
    int st = 0, gone = 0;
    for (int i = 0; i < 1000 && !gone; i++) {
        if (waitpid(t->pid, &st, WNOHANG) == t->pid) gone = 1;
        else {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (!gone) {
        kill(t->pid, SIGKILL);
        waitpid(t->pid, &st, 0);
        fprintf(stderr, "bench_api: %s ignored SIGTERM for 10 s; killed\n", t->name);
    } else if (!strcmp(t->name, "eddy") && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        fprintf(stderr, "bench_api: eddy serve exited with status %d after SIGTERM\n",
                WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    child_forget(t->pid);
    t->pid = 0;
    bench_rm_rf(t->dir);
    live_dir[0] = 0;
}

/* utime + stime of a process in seconds, from /proc/PID/stat. */
static double proc_cpu_seconds(pid_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* The command name may contain spaces; fields count from after ')'. */
    char *p = strrchr(buf, ')');
    if (!p) return 0;
    unsigned long long ut = 0, stime = 0;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &stime) != 2)
        return 0;
    return (double)(ut + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* Looks `prog` up in PATH; returns a static path or NULL. */
static const char *find_in_path(const char *prog) {
    static char path[PATH_MAX];
    const char *env = getenv("PATH");
    char *dirs = strdup(env ? env : "/usr/local/bin:/usr/bin:/bin"), *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(path, sizeof path, "%s/%s", d, prog);
        if (access(path, X_OK) == 0) {
            free(dirs);
            return path;
        }
    }
    free(dirs);
    return NULL;
}

static char exe_dir[PATH_MAX];

static void find_exe_dir(void) {
    ssize_t n = readlink("/proc/self/exe", exe_dir, sizeof exe_dir - 1);
    if (n <= 0) die("readlink /proc/self/exe: %s", strerror(errno));
    exe_dir[n] = 0;
    char *slash = strrchr(exe_dir, '/');
    if (slash) *slash = 0;
}

static const char *eddy_path(void) {
    static char path[PATH_MAX + 16];
    const char *env = getenv("EDDY_BIN");
    if (env && *env) return env;
    snprintf(path, sizeof path, "%s/../eddy", exe_dir);
    return path;
}

static int start_eddy(target *t) {
    memset(t, 0, sizeof *t);
    t->name = "eddy";
    /* Request-level logging would measure the log, not the server. */
    if (!getenv("EDDY_LOG")) setenv("EDDY_LOG", "warn", 1);
    char *argv[] = {(char *)eddy_path(), "serve", "--listen", "127.0.0.1:0", "--memory", NULL};
    return spawn_server(t, argv, NULL);
}

/* Where kinesalite lives: npm-installed on first use into
 * BENCH_PEERS_DIR or BUILD/bench-peers (BUILD = the parent of bench/). */
static char peers_dir[PATH_MAX];

/* Returns NULL when kinesalite is ready in peers_dir, else why not. */
static const char *prepare_kinesalite(void) {
    static char why[PATH_MAX + 128];
    const char *env = getenv("BENCH_PEERS_DIR");
    if (env && *env) snprintf(peers_dir, sizeof peers_dir, "%s", env);
    else snprintf(peers_dir, sizeof peers_dir, "%.*s/../bench-peers", PATH_MAX - 32, exe_dir);
    if (!find_in_path("node")) return "node not found in PATH";
    char pkg[PATH_MAX + 64];
    snprintf(pkg, sizeof pkg, "%s/node_modules/kinesalite/package.json", peers_dir);
    if (access(pkg, R_OK) == 0) return NULL;
    const char *npm = find_in_path("npm");
    if (!npm) return "npm not found in PATH (kinesalite is not installed)";
    mkdir(peers_dir, 0755);
    printf("bench_api: installing kinesalite with npm into %s\n", peers_dir);
    fflush(stdout);
    char log[PATH_MAX + 32];
    snprintf(log, sizeof log, "%s/npm-install.log", peers_dir);
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
        execlp("npm", "npm", "install", "--no-audit", "--no-fund", "--prefix", peers_dir,
               "kinesalite@3", (char *)NULL);
        _exit(127);
    }
    child_add(pid);
    int st;
    waitpid(pid, &st, 0);
    child_forget(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || access(pkg, R_OK) != 0) {
        snprintf(why, sizeof why, "npm install kinesalite failed (see %s)", log);
        return why;
    }
    return NULL;
}

static int start_kinesalite(target *t) {
    memset(t, 0, sizeof *t);
    t->name = "kinesalite";
    /* Port 0 and the port printed back: no race for a free port. Bound to
     * loopback only; kinesalite's own CLI would listen on every interface. */
    char *argv[] = {"node", "-e",
                    "var s=require('kinesalite')({createStreamMs:0,deleteStreamMs:0,"
                    "updateStreamMs:0,shardLimit:100});s.listen(0,'127.0.0.1',function(){"
                    "console.log('kinesalite listening on http://127.0.0.1:'+s.address().port)})",
                    NULL};
    return spawn_server(t, argv, peers_dir);
}

/* ------------------------------------------------------------ formatting */

/* "1.23M", "14.2K", "953", "0.42": three significant digits, the unit
 * chosen after rounding so that 9,999 prints as "10.0K", not "10.00K". */
static const char *fmt_num(double v, char *out, size_t cap) {
    static const char *const suffix[] = {"", "K", "M", "G"};
    for (int k = 0;; k++) {
        double x = v;
        for (int i = 0; i < k; i++) x /= 1e3;
        int decimals = x >= 99.95 ? 0 : x >= 9.995 ? 1 : 2;
        int n = snprintf(out, cap, "%.*f", decimals, x);
        if (x >= 999.5 && k < 3) continue;
        snprintf(out + n, cap - (size_t)n, "%s", suffix[k]);
        return out;
    }
}

static const char *fmt_ns(double ns, char *out, size_t cap) {
    if (ns >= 1e9) snprintf(out, cap, "%.2fs", ns / 1e9);
    else if (ns >= 1e6) snprintf(out, cap, "%.2fms", ns / 1e6);
    else snprintf(out, cap, "%.0fus", ns / 1e3);
    return out;
}

/* One phase's figures from one run. */
typedef struct figs {
    double rec_s, req_s, mb_s, rec_cpu, srv_cpu, cli_cpu;
    double p50, p99, p999, max;   /* request latency, ns */
    long failed;                  /* records the server refused */
} figs;

static figs figs_median(const figs *runs, int n) {
    double v[10][MAX_RUNS] = {{0}};
    figs m = {0};
    for (int i = 0; i < n; i++) {
        const figs *f = &runs[i];
        double row[10] = {f->rec_s, f->req_s, f->mb_s, f->rec_cpu, f->srv_cpu,
                          f->cli_cpu, f->p50, f->p99, f->p999, f->max};
        for (int k = 0; k < 10; k++) v[k][i] = row[k];
        m.failed += f->failed;
    }
    m.rec_s = bench_median(v[0], n), m.req_s = bench_median(v[1], n), m.mb_s = bench_median(v[2], n);
    m.rec_cpu = bench_median(v[3], n), m.srv_cpu = bench_median(v[4], n), m.cli_cpu = bench_median(v[5], n);
    m.p50 = bench_median(v[6], n), m.p99 = bench_median(v[7], n), m.p999 = bench_median(v[8], n);
    for (int i = 0; i < n; i++)
        if (v[9][i] > m.max) m.max = v[9][i];
    return m;
}

/* ------------------------------------------------------------ requests */

static char amz_date[20], amz_day[9];

/* Appends a complete Kinesis JSON 1.1 request. The Authorization header
 * has SigV4's shape with a dummy signature: both servers accept any
 * well-formed credentials by default. */
static void build_request(sbuf *out, int port, const char *op, const char *body, size_t len) {
    sbuf_printf(out,
                "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                "Content-Type: application/x-amz-json-1.1\r\n"
                "X-Amz-Target: Kinesis_20131202.%s\r\nX-Amz-Date: %s\r\n"
                "Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCHAPI/%s/us-east-1/kinesis/"
                "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                "Signature=%064d\r\nContent-Length: %zu\r\n\r\n",
                port, op, amz_date, amz_day, 0, len);
    sbuf_append(out, body, len);
}

/* A pool of prebuilt requests, cycled through, so that producing the load
 * costs the client nothing but the write. */
typedef struct req_pool {
    sbuf *reqs;
    int n;
} req_pool;

static void pool_free(req_pool *p) {
    for (int i = 0; i < p->n; i++) sbuf_free(&p->reqs[i]);
    free(p->reqs);
    p->reqs = NULL;
    p->n = 0;
}

/* Record `i`: 100 bytes that differ from record to record, base64. */
static void record_b64(long i, char *out) {
    unsigned char raw[REC_SIZE];
    uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ULL + 1;
    for (int k = 0; k < REC_SIZE; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        raw[k] = (unsigned char)('a' + x % 26);
    }
    eddy_b64_encode(raw, REC_SIZE, out);
}

static void pool_put_records(req_pool *p, int port, int n) {
    p->n = n;
    p->reqs = calloc((size_t)n, sizeof *p->reqs);
    sbuf body;
    sbuf_init(&body);
    char b64[eddy_b64_enc_len(REC_SIZE) + 1];
    for (int r = 0; r < n; r++) {
        sbuf_clear(&body);
        sbuf_puts(&body, "{\"StreamName\":\"" STREAM "\",\"Records\":[");
        for (int k = 0; k < BATCH; k++) {
            long i = (long)r * BATCH + k;
            record_b64(i, b64);
            sbuf_printf(&body, "%s{\"Data\":\"%s\",\"PartitionKey\":\"pk-%ld\"}", k ? "," : "",
                        b64, i % N_KEYS);
        }
        sbuf_puts(&body, "]}");
        sbuf_init(&p->reqs[r]);
        build_request(&p->reqs[r], port, "PutRecords", body.data, body.len);
    }
    sbuf_free(&body);
}

static void pool_put_record(req_pool *p, int port, int n) {
    p->n = n;
    p->reqs = calloc((size_t)n, sizeof *p->reqs);
    char body[512], b64[eddy_b64_enc_len(REC_SIZE) + 1];
    for (int r = 0; r < n; r++) {
        record_b64(r, b64);
        int len = snprintf(body, sizeof body,
                           "{\"StreamName\":\"" STREAM "\",\"Data\":\"%s\",\"PartitionKey\":\"pk-%d\"}",
                           b64, r % N_KEYS);
        sbuf_init(&p->reqs[r]);
        build_request(&p->reqs[r], port, "PutRecord", body, (size_t)len);
    }
}

/* Extracts `"key": <integer>` from a JSON text; -1 when absent. The
 * responses are scanned, not parsed: a GetRecords answer of 10,000 records
 * through cJSON would cost the client more CPU than the server spends. */
static long json_scan_long(const char *s, size_t n, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = memmem(s, n, pat, strlen(pat));
    if (!p) return -1;
    p += strlen(pat);
    while (*p == ' ' || *p == ':') p++;
    return *p >= '0' && *p <= '9' ? strtol(p, NULL, 10) : -1;
}

/* Copies the string value of `"key"` into out; 0, or -1 when absent/null. */
static int json_scan_str(const char *s, size_t n, const char *key, sbuf *out) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = memmem(s, n, pat, strlen(pat)), *end = s + n;
    if (!p) return -1;
    p += strlen(pat);
    while (p < end && (*p == ' ' || *p == ':')) p++;
    if (p >= end || *p != '"') return -1;
    p++;
    const char *q = memchr(p, '"', (size_t)(end - p));
    if (!q) return -1;
    sbuf_clear(out);
    sbuf_append(out, p, (size_t)(q - p));
    return 0;
}

static long count_occurrences(const char *s, size_t n, const char *pat) {
    long k = 0;
    size_t pl = strlen(pat);
    const char *end = s + n;
    for (const char *p = memmem(s, n, pat, pl); p; p = memmem(p, (size_t)(end - p), pat, pl)) {
        k++;
        p += pl;
    }
    return k;
}

/* ------------------------------------------------------------ connections */

typedef struct bench_ctx {
    uv_loop_t loop;
    bhc_conn *conns;
    int n_conns;
    target *t;
    int fatal;
    char why[512];
    uint64_t last_progress;
} bench_ctx;

static void open_conns(bench_ctx *b, target *t, int n) {
    b->t = t;
    b->n_conns = n;
    b->conns = calloc((size_t)n, sizeof *b->conns);
    for (int i = 0; i < n; i++) {
        int rc = bhc_connect(&b->loop, t->port, &b->conns[i]);
        if (rc != 0) die("%s: connect to 127.0.0.1:%d: %s", t->name, t->port, uv_strerror(rc));
        b->conns[i].ctx = b;
    }
}

static void close_conns(bench_ctx *b) {
    for (int i = 0; i < b->n_conns; i++) bhc_close(&b->conns[i]);
    for (int i = 0; i < b->n_conns; i++)
        while (!b->conns[i].closed) uv_run(&b->loop, UV_RUN_ONCE);
    free(b->conns);
    b->conns = NULL;
    b->n_conns = 0;
}

static void fatal(bench_ctx *b, const char *what, int status, const char *body, size_t len) {
    if (b->fatal) return;
    b->fatal = 1;
    int n = (int)(len > 300 ? 300 : len);
    if (status >= 0)
        snprintf(b->why, sizeof b->why, "%s: %s: HTTP %d: %.*s", b->t->name, what, status, n, body);
    else
        snprintf(b->why, sizeof b->why, "%s: %s: %.*s", b->t->name, what, n, body);
    uv_stop(&b->loop);
}

/* Runs one control request to completion; dies unless HTTP 200. */
static void control(bench_ctx *b, const char *op, const char *body, bhc_result *r) {
    sbuf req;
    sbuf_init(&req);
    build_request(&req, b->t->port, op, body, strlen(body));
    int st = bhc_call(&b->loop, &b->conns[0], req.data, req.len, r);
    sbuf_free(&req);
    if (st < 0) die("%s: %s: %s", b->t->name, op, r->body.data);
    if (st != 200) die("%s: %s: HTTP %d: %s", b->t->name, op, st, r->body.data);
}

/* Stalls become failures, not hangs: the watchdog stops the loop when
 * nothing completed for 30 s. */
static void on_watchdog(uv_timer_t *tm) {
    bench_ctx *b = tm->data;
    if (eddy_mono_ns() - b->last_progress > STALL_NS) {
        fatal(b, "no response", -1, "for 30 s", 8);
    }
}

static void run_watched(bench_ctx *b) {
    uv_timer_t tm;
    uv_timer_init(&b->loop, &tm);
    tm.data = b;
    b->last_progress = eddy_mono_ns();
    uv_timer_start(&tm, on_watchdog, 1000, 1000);
    uv_run(&b->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&tm, NULL);
    uv_run(&b->loop, UV_RUN_NOWAIT);
    if (b->fatal) die("%s", b->why);
}

/* ------------------------------------------------------------ phases A, B */

typedef enum { CHECK_PUT_RECORDS, CHECK_PUT_RECORD } check_kind;

typedef struct closed_loop {
    bench_ctx *b;
    req_pool *pool;
    check_kind check;
    long total, issued, completed, failed;
    hist h;
} closed_loop;

static closed_loop *cur_closed;

static void closed_done(bhc_conn *c, int status, const char *body, size_t len) {
    closed_loop *cl = cur_closed;
    bench_ctx *b = cl->b;
    uint64_t now = eddy_mono_ns();
    h_add(&cl->h, now - c->t_sent);
    b->last_progress = now;
    if (status != 200) {
        fatal(b, cl->check == CHECK_PUT_RECORDS ? "PutRecords" : "PutRecord", status, body, len);
        return;
    }
    if (cl->check == CHECK_PUT_RECORDS) {
        long f = json_scan_long(body, len, "FailedRecordCount");
        if (f < 0) {
            fatal(b, "PutRecords answer without FailedRecordCount", status, body, len);
            return;
        }
        cl->failed += f;
    } else if (!memmem(body, len, "\"SequenceNumber\"", 16)) {
        fatal(b, "PutRecord answer without SequenceNumber", status, body, len);
        return;
    }
    cl->completed++;
    if (cl->issued < cl->total) {
        sbuf *r = &cl->pool->reqs[cl->issued % cl->pool->n];
        c->tag = cl->issued++;
        bhc_send(c, r->data, r->len, closed_done);
    } else if (cl->completed == cl->total) {
        uv_stop(&b->loop);
    }
}

/* Sends `total` requests from the pool over every connection, each
 * connection sending its next request as soon as the last one is
 * answered. */
static figs run_closed(bench_ctx *b, req_pool *pool, check_kind check, long total,
                       long records_per_req) {
    closed_loop *cl = calloc(1, sizeof *cl);
    cl->b = b, cl->pool = pool, cl->check = check, cl->total = total;
    cur_closed = cl;
    double s0 = proc_cpu_seconds(b->t->pid), c0 = bench_cpu_seconds();
    uint64_t t0 = eddy_mono_ns();
    for (int i = 0; i < b->n_conns && cl->issued < total; i++) {
        sbuf *r = &pool->reqs[cl->issued % pool->n];
        b->conns[i].tag = cl->issued++;
        bhc_send(&b->conns[i], r->data, r->len, closed_done);
    }
    run_watched(b);
    double secs = (double)(eddy_mono_ns() - t0) / 1e9;
    double srv = proc_cpu_seconds(b->t->pid) - s0, cli = bench_cpu_seconds() - c0;
    long recs = total * records_per_req - cl->failed;
    figs f = {0};
    f.rec_s = (double)recs / secs;
    f.req_s = (double)total / secs;
    f.mb_s = f.rec_s * REC_SIZE / 1e6;
    f.srv_cpu = srv;
    f.cli_cpu = cli;
    f.rec_cpu = srv > 0 ? (double)recs / srv : 0;
    f.p50 = (double)h_pct(&cl->h, 50), f.p99 = (double)h_pct(&cl->h, 99);
    f.p999 = (double)h_pct(&cl->h, 99.9), f.max = (double)cl->h.max;
    f.failed = cl->failed;
    cur_closed = NULL;
    free(cl);
    return f;
}

/* ------------------------------------------------------------ phase C */

typedef struct shard_reader {
    bench_ctx *b;
    char shard_id[128];
    sbuf req, iter;
    long records;
    int done, empties;
} shard_reader;

static int readers_left;

static void send_get_records(shard_reader *sr, bhc_conn *c);

static void reader_done(bhc_conn *c, int status, const char *body, size_t len) {
    shard_reader *sr = c->ctx;
    bench_ctx *b = sr->b;
    b->last_progress = eddy_mono_ns();
    int is_iter = c->tag == 0;
    if (status != 200) {
        fatal(b, is_iter ? "GetShardIterator" : "GetRecords", status, body, len);
        return;
    }
    long got = 0;
    if (!is_iter) {
        /* Data is base64 and partition keys are ours, so the key name
         * appears once per record and nowhere else. */
        got = count_occurrences(body, len, "\"SequenceNumber\"");
        sr->records += got;
    }
    long behind = is_iter ? 1 : json_scan_long(body, len, "MillisBehindLatest");
    int has_next = json_scan_str(body, len, is_iter ? "ShardIterator" : "NextShardIterator",
                                 &sr->iter) == 0;
    /* Caught up: an empty answer at the tip of the shard. A few empty
     * answers behind the tip are allowed, as Kinesis may give them. */
    if (!is_iter && got == 0 && (behind <= 0 || ++sr->empties > 100)) has_next = 0;
    if (!has_next) {
        sr->done = 1;
        if (--readers_left == 0) uv_stop(&b->loop);
        return;
    }
    send_get_records(sr, c);
}

static void send_get_records(shard_reader *sr, bhc_conn *c) {
    char body[1024];
    int n = snprintf(body, sizeof body, "{\"ShardIterator\":\"%s\",\"Limit\":%d}", sr->iter.data,
                     READ_LIMIT);
    if (n >= (int)sizeof body) {
        fatal(sr->b, "shard iterator too long", -1, sr->iter.data, sr->iter.len);
        return;
    }
    sbuf_clear(&sr->req);
    build_request(&sr->req, sr->b->t->port, "GetRecords", body, (size_t)n);
    c->tag = 1;
    bhc_send(c, sr->req.data, sr->req.len, reader_done);
}

/* Reads every shard from TRIM_HORIZON to the tip, one connection per shard,
 * the shards in parallel; `expect` is the number of records written. */
static figs run_read(bench_ctx *b, long expect) {
    bhc_result r = {0};
    sbuf_init(&r.body);
    control(b, "ListShards", "{\"StreamName\":\"" STREAM "\"}", &r);
    cJSON *doc = cJSON_ParseWithLength(r.body.data, r.body.len);
    cJSON *shards = cJSON_GetObjectItem(doc, "Shards");
    int n = cJSON_GetArraySize(shards);
    if (!doc || n <= 0 || n > b->n_conns)
        die("%s: ListShards gave %d shards for %d connections: %s", b->t->name, n, b->n_conns,
            r.body.data);
    shard_reader *rd = calloc((size_t)n, sizeof *rd);
    for (int i = 0; i < n; i++) {
        cJSON *id = cJSON_GetObjectItem(cJSON_GetArrayItem(shards, i), "ShardId");
        if (!cJSON_IsString(id)) die("%s: ListShards: shard without ShardId", b->t->name);
        snprintf(rd[i].shard_id, sizeof rd[i].shard_id, "%s", id->valuestring);
        rd[i].b = b;
        sbuf_init(&rd[i].req);
        sbuf_init(&rd[i].iter);
    }
    cJSON_Delete(doc);
    sbuf_free(&r.body);

    double s0 = proc_cpu_seconds(b->t->pid), c0 = bench_cpu_seconds();
    uint64_t t0 = eddy_mono_ns();
    readers_left = n;
    for (int i = 0; i < n; i++) {
        char body[512];
        int len = snprintf(body, sizeof body,
                           "{\"StreamName\":\"" STREAM "\",\"ShardId\":\"%s\","
                           "\"ShardIteratorType\":\"TRIM_HORIZON\"}", rd[i].shard_id);
        build_request(&rd[i].req, b->t->port, "GetShardIterator", body, (size_t)len);
        b->conns[i].ctx = &rd[i];
        b->conns[i].tag = 0;
        bhc_send(&b->conns[i], rd[i].req.data, rd[i].req.len, reader_done);
    }
    run_watched(b);
    double secs = (double)(eddy_mono_ns() - t0) / 1e9;
    double srv = proc_cpu_seconds(b->t->pid) - s0, cli = bench_cpu_seconds() - c0;
    long got = 0;
    for (int i = 0; i < n; i++) {
        got += rd[i].records;
        sbuf_free(&rd[i].req);
        sbuf_free(&rd[i].iter);
        b->conns[i].ctx = b;
    }
    free(rd);
    if (got != expect) die("%s: read back %ld records, %ld were written", b->t->name, got, expect);
    figs f = {0};
    f.rec_s = (double)got / secs;
    f.mb_s = f.rec_s * REC_SIZE / 1e6;
    f.srv_cpu = srv, f.cli_cpu = cli;
    f.rec_cpu = srv > 0 ? (double)got / srv : 0;
    return f;
}

/* ------------------------------------------------------------ phase D */

typedef struct open_loop {
    bench_ctx *b;
    req_pool *pool;
    long total, sent, completed;
    hist h;
    bhc_conn **idle;
    int n_idle;
} open_loop;

static open_loop *cur_open;

static void open_done(bhc_conn *c, int status, const char *body, size_t len) {
    open_loop *ol = cur_open;
    uint64_t now = eddy_mono_ns();
    ol->b->last_progress = now;
    /* From when the request was due: time spent waiting for a free
     * connection is part of its latency. */
    h_add(&ol->h, now > c->t_due ? now - c->t_due : 0);
    if (status != 200 || !memmem(body, len, "\"SequenceNumber\"", 16)) {
        fatal(ol->b, "PutRecord (open loop)", status, body, len);
        return;
    }
    ol->completed++;
    ol->idle[ol->n_idle++] = c;
}

/* PutRecord at `rate` requests/s for `total` requests. The loop is driven
 * by hand: ppoll on libuv's backend fd with a nanosecond timeout until the
 * next request is due (libuv timers tick in milliseconds, which would send
 * the requests in bursts), then one non-blocking uv_run. */
static figs run_open(bench_ctx *b, req_pool *pool, double rate, long total, hist *out_h) {
    open_loop *ol = calloc(1, sizeof *ol);
    ol->b = b, ol->pool = pool, ol->total = total;
    ol->idle = calloc((size_t)b->n_conns, sizeof *ol->idle);
    for (int i = 0; i < b->n_conns; i++) ol->idle[ol->n_idle++] = &b->conns[i];
    cur_open = ol;
    double period = 1e9 / rate;
    struct pollfd pfd = {.fd = uv_backend_fd(&b->loop), .events = POLLIN};
    double s0 = proc_cpu_seconds(b->t->pid), c0 = bench_cpu_seconds();
    uint64_t start = eddy_mono_ns();
    b->last_progress = start;
    while (ol->completed < total && !b->fatal) {
        uint64_t now = eddy_mono_ns();
        while (ol->sent < total && ol->n_idle > 0) {
            uint64_t due = start + (uint64_t)((double)ol->sent * period);
            if (due > now) break;
            bhc_conn *c = ol->idle[--ol->n_idle];
            sbuf *r = &pool->reqs[ol->sent % pool->n];
            c->t_due = due;
            c->tag = ol->sent++;
            bhc_send(c, r->data, r->len, open_done);
        }
        if (b->fatal) break;
        if (now - b->last_progress > STALL_NS) fatal(b, "no response", -1, "for 30 s", 8);
        uint64_t wait_ns = 50 * 1000 * 1000;
        if (ol->sent < total && ol->n_idle > 0) {
            uint64_t due = start + (uint64_t)((double)ol->sent * period);
            wait_ns = due > now ? due - now : 0;
        }
        struct timespec ts = {(time_t)(wait_ns / 1000000000ULL), (long)(wait_ns % 1000000000ULL)};
        ppoll(&pfd, 1, &ts, NULL);
        uv_run(&b->loop, UV_RUN_NOWAIT);
    }
    if (b->fatal) die("%s", b->why);
    double secs = (double)(eddy_mono_ns() - start) / 1e9;
    double srv = proc_cpu_seconds(b->t->pid) - s0, cli = bench_cpu_seconds() - c0;
    *out_h = ol->h;
    figs f = {0};
    f.req_s = f.rec_s = (double)total / secs;
    f.mb_s = f.rec_s * REC_SIZE / 1e6;
    f.srv_cpu = srv, f.cli_cpu = cli;
    f.rec_cpu = srv > 0 ? (double)total / srv : 0;
    f.p50 = (double)h_pct(&ol->h, 50), f.p99 = (double)h_pct(&ol->h, 99);
    f.p999 = (double)h_pct(&ol->h, 99.9), f.max = (double)ol->h.max;
    cur_open = NULL;
    free(ol->idle);
    free(ol);
    return f;
}

/* ------------------------------------------------------------ one run */

typedef struct run_figs {
    figs put_records, put_record, read;
} run_figs;

static void create_stream(bench_ctx *b) {
    bhc_result r = {0};
    sbuf_init(&r.body);
    char body[128];
    snprintf(body, sizeof body, "{\"StreamName\":\"" STREAM "\",\"ShardCount\":%d}", N_SHARDS);
    control(b, "CreateStream", body, &r);
    /* Both servers are told to make streams ACTIVE at once; wait anyway,
     * as a client must. */
    for (int i = 0; i < 500; i++) {
        control(b, "DescribeStreamSummary", "{\"StreamName\":\"" STREAM "\"}", &r);
        if (strstr(r.body.data, "\"ACTIVE\"")) break;
        if (i == 499) die("%s: stream not ACTIVE after 5 s: %s", b->t->name, r.body.data);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    sbuf_free(&r.body);
}

/* Phases A–C against a fresh server; `scale` divides the load
 * (kinesalite). Returns -1 when the server does not start. */
static int one_run(int is_eddy, long scale, run_figs *out) {
    target t;
    if ((is_eddy ? start_eddy(&t) : start_kinesalite(&t)) != 0) return -1;
    bench_ctx *b = calloc(1, sizeof *b);
    uv_loop_init(&b->loop);
    open_conns(b, &t, n_conns);
    create_stream(b);

    long batches = n_records / scale / BATCH;
    if (batches < 1) batches = 1;
    long singles = n_records / 10 / scale;
    if (singles < 100) singles = 100;

    req_pool pool = {0};
    pool_put_records(&pool, t.port, batches < 16 ? (int)batches : 16);
    out->put_records = run_closed(b, &pool, CHECK_PUT_RECORDS, batches, BATCH);
    pool_free(&pool);

    pool_put_record(&pool, t.port, N_KEYS);
    out->put_record = run_closed(b, &pool, CHECK_PUT_RECORD, singles, 1);
    pool_free(&pool);

    long written = batches * BATCH - out->put_records.failed + singles;
    out->read = run_read(b, written);

    close_conns(b);
    uv_loop_close(&b->loop);
    free(b);
    stop_server(&t);
    return 0;
}

/* Phase D against a fresh eddy: PutRecord at `rate` for at most 5 s and at
 * most as many requests as phase B sent. */
static figs latency_run(double rate, hist *h) {
    target t;
    if (start_eddy(&t) != 0) die("could not start eddy serve");
    bench_ctx *b = calloc(1, sizeof *b);
    uv_loop_init(&b->loop);
    open_conns(b, &t, n_conns);
    create_stream(b);
    long total = (long)(rate * 5), singles = n_records / 10 < 100 ? 100 : n_records / 10;
    if (total > singles) total = singles;
    if (total < 1) total = 1;
    req_pool pool = {0};
    pool_put_record(&pool, t.port, N_KEYS);
    figs f = run_open(b, &pool, rate, total, h);
    pool_free(&pool);
    close_conns(b);
    uv_loop_close(&b->loop);
    free(b);
    stop_server(&t);
    return f;
}

/* Runs up to `max` runs. With `budget_s` > 0 (BENCH_RUNS not set), starts
 * another run only while the runs so far, plus one more of their average
 * length, fit in the budget, so a slow server still finishes in time.
 * Returns the number of runs, 0 when the server did not start. */
static int runs(int is_eddy, long scale, int max, double budget_s, run_figs *out) {
    uint64_t t0 = eddy_mono_ns();
    int n = 0;
    while (n < max) {
        if (one_run(is_eddy, scale, &out[n]) != 0) return 0;
        n++;
        double spent = (double)(eddy_mono_ns() - t0) / 1e9;
        if (budget_s > 0 && spent + spent / n > budget_s) break;
    }
    return n;
}

/* ------------------------------------------------------------ Redis floor */

/* What one request per round trip costs the kernel on this machine: Redis
 * (Debian redis-server, no persistence) answering unpipelined XADDs of a
 * 100 B field from redis-benchmark over the same number of loopback
 * connections as phase B. Its handler does next to nothing, so its
 * requests per server CPU-second are the ceiling a one-request-per-round-
 * trip server reaches here; eddy's phase B is printed against it. */
typedef struct redis_floor {
    double req_s, req_cpu, srv_cpu;
    long requests;
} redis_floor;

static int free_loopback_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &al) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static int loopback_accepts(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0) close(fd);
    return ok;
}

static pid_t spawn_quiet(char *const argv[]) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) {
            dup2(nul, 0);
            dup2(nul, 1);
            dup2(nul, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    child_add(pid);
    return pid;
}

static int wait_child(pid_t pid) {
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    child_forget(pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Returns 0 with the figures, or -1 with why (no redis, did not start). */
static int measure_redis_floor(long requests, redis_floor *out, const char **why) {
    if (!find_in_path("redis-server") || !find_in_path("redis-benchmark")) {
        *why = "redis-server or redis-benchmark not found in PATH";
        return -1;
    }
    int port = free_loopback_port();
    if (port <= 0) {
        *why = "no free loopback port";
        return -1;
    }
    char ps[16], cs[16], ns[24], val[REC_SIZE + 1];
    snprintf(ps, sizeof ps, "%d", port);
    snprintf(cs, sizeof cs, "%d", n_conns);
    snprintf(ns, sizeof ns, "%ld", requests);
    memset(val, 'x', REC_SIZE);
    val[REC_SIZE] = 0;
    char *srv_argv[] = {"redis-server", "--bind", "127.0.0.1", "--port", ps, "--save", "", "--appendonly", "no",
                        "--protected-mode", "yes", NULL};
    pid_t srv = spawn_quiet(srv_argv);
    int up = 0;
    for (int i = 0; i < 500 && !(up = loopback_accepts(port)); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int rc = -1;
    if (!up) {
        *why = "redis-server did not start";
    } else {
        char *cli_argv[] = {"redis-benchmark", "-h", "127.0.0.1", "-p", ps, "-c", cs, "-n", ns, "-q",
                            "XADD", "bench", "*", "d", val, NULL};
        double c0 = proc_cpu_seconds(srv);
        uint64_t t0 = eddy_mono_ns();
        if (wait_child(spawn_quiet(cli_argv)) != 0) {
            *why = "redis-benchmark failed";
        } else {
            double wall = (double)(eddy_mono_ns() - t0) / 1e9, cpu = proc_cpu_seconds(srv) - c0;
            out->requests = requests;
            out->req_s = (double)requests / wall;
            out->srv_cpu = cpu;
            out->req_cpu = cpu > 0 ? (double)requests / cpu : 0;
            rc = 0;
        }
    }
    kill(srv, SIGKILL);
    wait_child(srv);
    return rc;
}

/* ------------------------------------------------------------ output */

static void print_rate(const char *phase, const char *unit, double e, double k, int have_peer) {
    char a[32], c[32];
    printf("api %-11s %-16s eddy %8s", phase, unit, fmt_num(e, a, sizeof a));
    if (have_peer)
        printf(" | kinesalite %8s | ratio %.1fx", fmt_num(k, c, sizeof c), k > 0 ? e / k : 0.0);
    printf("\n");
}

static void print_latency(const char *phase, const figs *e, const figs *k, int have_peer) {
    char a[16], b[16], c[16], d[16];
    printf("api %-11s %-16s eddy p50 %s p99 %s p99.9 %s max %s", phase, "latency",
           fmt_ns(e->p50, a, sizeof a), fmt_ns(e->p99, b, sizeof b),
           fmt_ns(e->p999, c, sizeof c), fmt_ns(e->max, d, sizeof d));
    if (have_peer)
        printf(" | kinesalite p50 %s p99 %s p99.9 %s max %s | ratio p99 %.3fx (lower is better)",
               fmt_ns(k->p50, a, sizeof a), fmt_ns(k->p99, b, sizeof b),
               fmt_ns(k->p999, c, sizeof c), fmt_ns(k->max, d, sizeof d),
               k->p99 > 0 ? e->p99 / k->p99 : 0.0);
    printf("\n");
}

static void print_cpu(const char *phase, const figs *e, const figs *k, int have_peer) {
    char a[32], c[32];
    printf("api %-11s %-16s eddy %8s (server %.2f cpu-s, client %.2f cpu-s)", phase,
           "rec/server-cpu-s", fmt_num(e->rec_cpu, a, sizeof a), e->srv_cpu, e->cli_cpu);
    if (have_peer)
        printf(" | kinesalite %8s (server %.2f cpu-s) | ratio %.1fx",
               fmt_num(k->rec_cpu, c, sizeof c), k->srv_cpu,
               k->rec_cpu > 0 ? e->rec_cpu / k->rec_cpu : 0.0);
    printf("\n");
}

static void print_machine(void) {
    char model[256];
    bench_cpu_model(model, sizeof model);
    struct utsname u;
    uname(&u);
    printf("bench_api: machine: %ld cores online (nproc), CPU \"%s\", %s %s\n",
           sysconf(_SC_NPROCESSORS_ONLN), model, u.sysname, u.release);
}

static long env_long(const char *name, long def, long lo, long hi) {
    const char *v = getenv(name);
    if (!v || !*v) return def;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi) die("%s must be an integer from %ld to %ld, not '%s'", name, lo, hi, v);
    return n;
}

int main(void) {
    n_records = env_long("BENCH_RECORDS", n_records, 1000, 1000000000L);
    n_runs = (int)env_long("BENCH_RUNS", n_runs, 1, MAX_RUNS);
    int runs_fixed = getenv("BENCH_RUNS") && *getenv("BENCH_RUNS");
    n_conns = (int)env_long("BENCH_CONNS", n_conns, N_SHARDS, MAX_CONNS);
    const char *np = getenv("BENCH_NO_PEERS");
    int no_peers = np && *np && strcmp(np, "0") != 0;

    atexit(kill_children);
    signal(SIGINT, on_fatal_signal);
    signal(SIGTERM, on_fatal_signal);
    signal(SIGHUP, on_fatal_signal);
    signal(SIGPIPE, SIG_IGN);
    /* The default 50 us timer slack would blur the open-loop schedule. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    setvbuf(stdout, NULL, _IOLBF, 0);
    find_exe_dir();
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
    strftime(amz_day, sizeof amz_day, "%Y%m%d", &tm);
    if (access(eddy_path(), X_OK) != 0)
        die("eddy not found at %s (build the eddy target or set EDDY_BIN)", eddy_path());

    print_machine();
    long batches = n_records / BATCH < 1 ? 1 : n_records / BATCH;
    printf("bench_api: eddy serve --memory, %d keep-alive HTTP/1.1 connections, %d shards; "
           "A: %ld records in PutRecords of %d x %d B; B: %ld PutRecord; C: GetRecords "
           "Limit %d; D: PutRecord open loop at half of B; median of %s%d runs\n",
           n_conns, N_SHARDS, batches * BATCH, BATCH, REC_SIZE,
           n_records / 10 < 100 ? 100 : n_records / 10, READ_LIMIT, runs_fixed ? "" : "up to ", n_runs);

    run_figs er[MAX_RUNS];
    int ne = runs(1, 1, n_runs, runs_fixed ? 0 : 60, er);
    if (ne == 0) die("could not start eddy serve");
    figs ea[MAX_RUNS], eb[MAX_RUNS], ec[MAX_RUNS];
    for (int r = 0; r < ne; r++)
        ea[r] = er[r].put_records, eb[r] = er[r].put_record, ec[r] = er[r].read;
    figs ema = figs_median(ea, ne), emb = figs_median(eb, ne), emc = figs_median(ec, ne);
    printf("bench_api: eddy: median of %d run%s\n", ne, ne == 1 ? "" : "s");

    /* Phase D on its own server, at half of phase B's median throughput. */
    double rate_d = emb.req_s / 2;
    hist *dh = calloc(1, sizeof *dh);
    figs d = latency_run(rate_d, dh);

    int have_peer = 0;
    figs kma = {0}, kmb = {0}, kmc = {0};
    if (no_peers) {
        printf("kinesalite: skipped (BENCH_NO_PEERS=1)\n");
    } else {
        const char *why = prepare_kinesalite();
        if (why) {
            printf("kinesalite: %s; peer skipped\n", why);
        } else {
            run_figs kr[MAX_RUNS];
            int nk = runs(0, PEER_DIVISOR, n_runs, runs_fixed ? 0 : 20, kr);
            if (nk == 0) {
                printf("kinesalite: could not start it from %s; peer skipped\n", peers_dir);
            } else {
                figs ka[MAX_RUNS], kb[MAX_RUNS], kc[MAX_RUNS];
                for (int r = 0; r < nk; r++)
                    ka[r] = kr[r].put_records, kb[r] = kr[r].put_record, kc[r] = kr[r].read;
                kma = figs_median(ka, nk), kmb = figs_median(kb, nk), kmc = figs_median(kc, nk);
                have_peer = 1;
                printf("kinesalite: 1/%d of the load (%ld records in PutRecords, %ld PutRecord), "
                       "median of %d run%s\n", PEER_DIVISOR,
                       (batches / PEER_DIVISOR < 1 ? 1 : batches / PEER_DIVISOR) * BATCH,
                       n_records / 10 / PEER_DIVISOR < 100 ? 100 : n_records / 10 / PEER_DIVISOR,
                       nk, nk == 1 ? "" : "s");
            }
        }
    }

    redis_floor rf = {0};
    const char *why_floor = "BENCH_NO_PEERS=1";
    int have_floor = !no_peers && measure_redis_floor(n_records / 10 < 100 ? 100 : n_records / 10, &rf,
                                                       &why_floor) == 0;
    char a[16], b2[16], c[16], e[16], r1[32], r2[32];
    print_rate("put_records", "rec/s", ema.rec_s, kma.rec_s, have_peer);
    print_rate("put_records", "req/s", ema.req_s, kma.req_s, have_peer);
    print_rate("put_records", "MB/s", ema.mb_s, kma.mb_s, have_peer);
    print_cpu("put_records", &ema, &kma, have_peer);
    print_latency("put_records", &ema, &kma, have_peer);
    print_rate("put_record", "req/s", emb.req_s, kmb.req_s, have_peer);
    print_rate("put_record", "MB/s", emb.mb_s, kmb.mb_s, have_peer);
    print_cpu("put_record", &emb, &kmb, have_peer);
    print_latency("put_record", &emb, &kmb, have_peer);
    if (have_floor)
        printf("api %-11s %-16s redis XADD unpipelined %s req/s, %s req/server-cpu-s (server %.2f cpu-s, "
               "%ld requests) | eddy/redis %.2fx per server cpu-s\n",
               "put_record", "redis-floor", fmt_num(rf.req_s, a, sizeof a), fmt_num(rf.req_cpu, b2, sizeof b2),
               rf.srv_cpu, rf.requests, rf.req_cpu > 0 ? emb.rec_cpu / rf.req_cpu : 0.0);
    else
        printf("api %-11s %-16s skipped (%s)\n", "put_record", "redis-floor", why_floor);
    print_rate("get_records", "rec/s", emc.rec_s, kmc.rec_s, have_peer);
    print_rate("get_records", "MB/s", emc.mb_s, kmc.mb_s, have_peer);
    print_cpu("get_records", &emc, &kmc, have_peer);
    printf("api %-11s %-16s eddy p50 %s p99 %s p99.9 %s max %s at %s req/s open loop "
           "(target %s, half of put_record)\n", "put_record", "open-loop",
           fmt_ns(d.p50, a, sizeof a), fmt_ns(d.p99, b2, sizeof b2), fmt_ns(d.p999, c, sizeof c),
           fmt_ns(d.max, e, sizeof e), fmt_num(d.req_s, r1, sizeof r1),
           fmt_num(rate_d, r2, sizeof r2));
    static const double ladder[] = {10, 25, 50, 75, 90, 99, 99.9, 99.99};
    printf("api %-11s %-16s eddy", "put_record", "open-loop-hist");
    for (size_t i = 0; i < sizeof ladder / sizeof *ladder; i++)
        printf(" p%g %s", ladder[i], fmt_ns((double)h_pct(dh, ladder[i]), a, sizeof a));
    printf(" max %s (%llu requests)\n", fmt_ns((double)dh->max, a, sizeof a),
           (unsigned long long)dh->total);
    free(dh);
    if (ema.failed || kma.failed)
        printf("bench_api: records refused by PutRecords: eddy %ld, kinesalite %ld\n", ema.failed,
               kma.failed);
    return 0;
}
