/*
 * cmd_put.c — `eddy put STREAM`: writes stdin to a stream, one record per
 * line, in PutRecords batches (up to 500 records / 5 MiB each).
 *
 * JSON lines may give the partition key (--key FIELD) and, to replay
 * recorded history, the arrival time (--arrival-time FIELD). Both are pulled
 * out with the json_field scanner (one pass per line, no tree). Records that
 * fail, here or in the store, are reported with their line number; the
 * others are written.
 */
#include "cli.h"
#include "cli_store_int.h"

#include "eddy_time.h"
#include "json_field.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD "put"
/* Beyond this many, failures are counted but no longer printed one by one. */
#define PUT_MAX_REPORTED 100

static const char usage_text[] =
    "usage: eddy put STREAM [options] < records\n"
    "\n"
    "Writes one record per line of stdin (empty lines are skipped).\n"
    "\n"
    "options:\n"
    "  --format json|lines    json (default): each line is a JSON object;\n"
    "                         lines: each line is stored as it is\n"
    "  --key FIELD            partition key from this top-level JSON field\n"
    "                         (default: a random key per record)\n"
    "  --arrival-time FIELD   arrival time from this JSON field (ISO-8601 text or\n"
    "                         epoch milliseconds) instead of the clock\n"
    "  --batch N              records per PutRecords call, 1..500 (default 500)\n"
    "  --data-dir DIR         the store's data directory (default $EDDY_DATA_DIR or\n"
    "                         ./eddy-data)\n"
    "  --help                 this text\n";

/* One record waiting in the batch; offsets point into put_ctx.buf. */
typedef struct pending {
    size_t data_off, data_len;
    size_t key_off, key_len;
    int64_t arrival_ms;   /* 0: now */
    long line;            /* input line number, for messages */
} pending;

typedef struct put_ctx {
    store *s;
    const char *stream;
    const char *key_field;       /* NULL: random keys */
    const char *time_field;      /* NULL: the store's clock */
    int json;                    /* --format json */
    size_t batch_max;
    sbuf buf;                    /* data and keys of the pending records */
    pending recs[STORE_BATCH_RECORDS_MAX];
    size_t n;
    size_t bytes;                /* data + keys of the pending records */
    uint64_t rng;                /* xorshift state for random keys */
    sbuf scratch;                /* unescaped key text of the current line */
    long written, failed, adjusted, reported;
    int fatal;                   /* a whole call failed: stop */
} put_ctx;

static void record_failed(put_ctx *c, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Counts a failed record and reports it, up to PUT_MAX_REPORTED of them. */
static void record_failed(put_ctx *c, long line, const char *fmt, ...) {
    c->failed++;
    if (c->reported++ >= PUT_MAX_REPORTED) {
        if (c->reported == PUT_MAX_REPORTED + 1)
            fprintf(stderr, "eddy put: more failures follow; only their count is reported\n");
        return;
    }
    fprintf(stderr, "eddy put: line %ld: ", line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int flush(put_ctx *c) {
    if (c->n == 0) return 0;
    store_put_entry entries[STORE_BATCH_RECORDS_MAX];
    store_put_result results[STORE_BATCH_RECORDS_MAX];
    for (size_t i = 0; i < c->n; i++) {
        const pending *p = &c->recs[i];
        memset(&entries[i], 0, sizeof entries[i]);
        entries[i].data = c->buf.data + p->data_off;
        entries[i].data_len = p->data_len;
        entries[i].partition_key = c->buf.data + p->key_off;
        entries[i].partition_key_len = p->key_len;
        entries[i].arrival_ms = p->arrival_ms;
    }
    size_t failed = 0;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_put_records(c->s, c->stream, entries, c->n, results, &failed, &e);
    if (rc != 0) {
        cli_fail(CMD, &e);
        c->failed += (long)c->n;
        c->fatal = 1;
    } else {
        for (size_t i = 0; i < c->n; i++) {
            if (results[i].code != 0) {
                record_failed(c, c->recs[i].line, "%s (%s)",
                              results[i].message[0] ? results[i].message
                                                    : eddy_strerror(results[i].code),
                              eddy_strerror(results[i].code));
                continue;
            }
            c->written++;
            c->adjusted += results[i].arrival_adjusted != 0;
        }
    }
    c->n = 0;
    c->bytes = 0;
    sbuf_clear(&c->buf);
    return c->fatal ? -1 : 0;
}

static void random_key(put_ctx *c, char out[17]) {
    /* xorshift64*: plenty to spread keys over shards, and no syscalls. */
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    snprintf(out, 17, "%016llx", (unsigned long long)(c->rng * 0x2545F4914F6CDD1DULL));
}

/* Pulls the partition key (into c->scratch) and the arrival time out of a
 * JSON line. Returns 0, or -1 after reporting the record as failed. */
static int json_fields(put_ctx *c, const char *line, size_t n, long lineno, int64_t *arrival) {
    const char *keys[2];
    size_t nk = 0, ki = 2, ti = 2;
    if (c->key_field) ki = nk, keys[nk++] = c->key_field;
    if (c->time_field) ti = nk, keys[nk++] = c->time_field;
    json_field f[2];
    if (json_field_scan(line, n, keys, nk, f) != 0) {
        record_failed(c, lineno, "not a JSON object");
        return -1;
    }
    if (ki < 2) {
        const json_field *k = &f[ki];
        if (!k->found) {
            record_failed(c, lineno, "no field \"%s\" for the partition key", c->key_field);
            return -1;
        }
        if (k->kind == JSON_FIELD_STRING) {
            if (json_field_string(k, &c->scratch) != 0) {
                record_failed(c, lineno, "field \"%s\" holds an invalid string", c->key_field);
                return -1;
            }
        } else if (k->kind == JSON_FIELD_NUMBER || k->kind == JSON_FIELD_BOOL) {
            sbuf_append(&c->scratch, k->raw, k->raw_len);
        } else {
            record_failed(c, lineno, "field \"%s\" must be a string or a number to be a "
                                     "partition key", c->key_field);
            return -1;
        }
    }
    if (ti < 2) {
        const json_field *t = &f[ti];
        int64_t ms = 0;
        int ok = 0;
        if (!t->found) {
            record_failed(c, lineno, "no field \"%s\" for the arrival time", c->time_field);
            return -1;
        }
        if (t->kind == JSON_FIELD_STRING) {
            sbuf ts;
            sbuf_init(&ts);
            ok = json_field_string(t, &ts) == 0 && eddy_ts_parse(ts.data, ts.len, &ms) == 0;
            sbuf_free(&ts);
        } else if (t->kind == JSON_FIELD_NUMBER) {
            ok = json_field_int64(t, &ms) == 0;
        }
        if (!ok || ms <= 0) {
            record_failed(c, lineno, "field \"%s\" is neither an ISO-8601 timestamp nor "
                                     "positive epoch milliseconds", c->time_field);
            return -1;
        }
        *arrival = ms;
    }
    return 0;
}

/* Adds one input line to the batch, flushing first when it is full. */
static int add_line(put_ctx *c, const char *line, size_t n, long lineno) {
    int64_t arrival = 0;
    char rkey[17];
    const char *key;
    size_t key_len;
    sbuf_clear(&c->scratch);
    if (c->json) {
        if (json_fields(c, line, n, lineno, &arrival) != 0) return 0;
    }
    if (c->key_field) {
        key = c->scratch.data;
        key_len = c->scratch.len;
    } else {
        random_key(c, rkey);
        key = rkey;
        key_len = 16;
    }
    if (n + key_len > STORE_RECORD_MAX) {
        record_failed(c, lineno, "record of %zu bytes (with its key) exceeds the 1 MiB limit",
                      n + key_len);
        return 0;
    }
    if (c->n == c->batch_max || c->bytes + n + key_len > STORE_BATCH_BYTES_MAX) {
        if (flush(c) != 0) return -1;
    }
    pending *p = &c->recs[c->n++];
    p->data_off = c->buf.len;
    p->data_len = n;
    sbuf_append(&c->buf, line, n);
    p->key_off = c->buf.len;
    p->key_len = key_len;
    sbuf_append(&c->buf, key, key_len);
    p->arrival_ms = arrival;
    p->line = lineno;
    c->bytes += n + key_len;
    if (c->buf.failed || c->scratch.failed) {
        fprintf(stderr, "eddy put: out of memory\n");
        c->fatal = 1;
        return -1;
    }
    return 0;
}

int cli_cmd_put(int argc, char **argv) {
    const char *data_dir = cli_default_data_dir(), *stream = NULL, *format = NULL;
    const char *key_field = NULL, *time_field = NULL;
    long batch = STORE_BATCH_RECORDS_MAX;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "--data-dir"))) {
            data_dir = v;
        } else if ((v = cli_opt(argc, argv, &i, "--key"))) {
            key_field = v;
        } else if ((v = cli_opt(argc, argv, &i, "--arrival-time"))) {
            time_field = v;
        } else if ((v = cli_opt(argc, argv, &i, "--format"))) {
            format = v;
        } else if ((v = cli_opt(argc, argv, &i, "--batch"))) {
            if (cli_parse_int(CMD, "--batch", v, 1, STORE_BATCH_RECORDS_MAX, &batch)) return 2;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "eddy put: unknown option %s (try 'eddy put --help')\n", argv[i]);
            return 2;
        } else if (!stream) {
            stream = argv[i];
        } else {
            fprintf(stderr, "eddy put: unexpected argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!stream) {
        fprintf(stderr, "eddy put: missing STREAM (try 'eddy put --help')\n");
        return 2;
    }
    int json = 1;
    if (format && !strcmp(format, "lines")) {
        json = 0;
    } else if (format && strcmp(format, "json") != 0) {
        fprintf(stderr, "eddy put: --format must be json or lines, not \"%s\"\n", format);
        return 2;
    }
    if (!json && (key_field || time_field)) {
        fprintf(stderr, "eddy put: --key and --arrival-time need --format json\n");
        return 2;
    }

    put_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "eddy put: out of memory\n");
        return 1;
    }
    if (cli_store_open(CMD, data_dir, &c->s) != 0) {
        free(c);
        return 1;
    }
    c->stream = stream;
    c->key_field = key_field;
    c->time_field = time_field;
    c->json = json;
    c->batch_max = (size_t)batch;
    c->rng = (uint64_t)eddy_mono_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)eddy_now_ms();
    if (!c->rng) c->rng = 0x9E3779B97F4A7C15ULL;
    sbuf_init(&c->buf);
    sbuf_init(&c->scratch);

    /* An unknown stream should fail once up front, not once per batch. */
    store_stream_desc d;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = 0;
    if (store_stream_describe(c->s, stream, &d, &e) != 0) {
        rc = cli_fail(CMD, &e);
        goto out;
    }
    store_stream_desc_free(&d);

    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long lineno = 0;
    while (!c->fatal && (got = getline(&line, &cap, stdin)) >= 0) {
        lineno++;
        size_t n = (size_t)got;
        if (n && line[n - 1] == '\n') n--;
        if (n && line[n - 1] == '\r') n--;
        if (n == 0) continue;
        if (add_line(c, line, n, lineno) != 0) break;
    }
    free(line);
    if (ferror(stdin)) {
        fprintf(stderr, "eddy put: error reading stdin\n");
        c->fatal = 1;
    }
    if (!c->fatal) flush(c);
    fprintf(stderr, "put %ld records to %s (%ld failed)\n", c->written, stream, c->failed);
    if (time_field)
        fprintf(stderr, "%ld arrival times adjusted to keep their shard's order\n", c->adjusted);
    rc = c->failed || c->fatal ? 1 : 0;
out:
    store_close(c->s);
    sbuf_free(&c->buf);
    sbuf_free(&c->scratch);
    free(c);
    return rc;
}
