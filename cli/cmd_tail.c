/*
 * cmd_tail.c — `eddy tail STREAM`: prints a stream's records with their
 * shard, sequence number and arrival time, as a classic reader (in-process
 * cursors) or as an enhanced fan-out consumer (push subscriptions).
 *
 * Across resharding it follows lineage the way a Kinesis consumer must: a
 * parent shard is read to its end before its children start, so the records
 * of one partition key come out in order. Without --until-end it follows new
 * records until SIGINT.
 */
#include "cli.h"
#include "cli_store_int.h"

#include "eddy_time.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CMD "tail"
#define TAIL_READ_LIMIT 10000
#define TAIL_POLL_MS 100   /* classic readers: pause between empty rounds */

static const char usage_text[] =
    "usage: eddy tail STREAM [options]\n"
    "\n"
    "Prints each record: shard id, sequence number, arrival time (ISO-8601) and\n"
    "data (as text when it is printable UTF-8, else \"base64:\" and its base64).\n"
    "Parent shards are read to their end before their children.\n"
    "\n"
    "options:\n"
    "  --from POS         trim_horizon (default), latest, at:SEQ, after:SEQ,\n"
    "                     time:ISO8601; at:/after: without --shard start in the\n"
    "                     shard holding SEQ and go on with its descendants\n"
    "  --shard ID         read this shard only\n"
    "  --fan-out NAME     read as enhanced fan-out consumer NAME (registered if absent)\n"
    "  --until-end        stop once every shard is read to its current end\n"
    "                     (default: follow new records until interrupted)\n"
    "  --format text|json one tab-separated line or one JSON object per record\n"
    "  --data-dir DIR     the store's data directory (default $EDDY_DATA_DIR or\n"
    "                     ./eddy-data)\n"
    "  --help             this text\n";

typedef enum {
    SH_SKIP,      /* out of scope: never read, counts as finished for lineage */
    SH_PENDING,   /* waiting for its parents to be read to their end */
    SH_ACTIVE,    /* being read */
    SH_DONE       /* closed and read to its end */
} sh_state;

typedef struct tshard {
    char id[STORE_SHARD_ID_MAX];
    char parent[STORE_SHARD_ID_MAX];
    char adjacent[STORE_SHARD_ID_MAX];
    sh_state st;
    int at_end;              /* the last read found nothing more (yet) */
    store_cursor *cur;       /* classic reader */
    store_sub *sub;          /* fan-out reader */
} tshard;

typedef struct tail_ctx {
    store *s;
    const char *stream;
    store_position from;         /* as given by --from */
    const char *only_shard;      /* --shard */
    int until_end, json;
    char consumer_arn[STORE_ARN_MAX];   /* "" for classic reads */
    tshard *sh;
    size_t n_sh, cap_sh;
    int scope_all;               /* new shards are in scope (no --shard, no SEQ) */
    /* Fan-out notifications: the store calls back from its appending thread,
     * the main loop sleeps on the condition variable. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned long notified;
    store_batch b;
    sbuf out;
} tail_ctx;

static volatile sig_atomic_t stop_requested;

static void on_sigint(int sig) { stop_requested = 1; }

static void on_notify(void *ctx, int ended) {
    tail_ctx *t = ctx;
    pthread_mutex_lock(&t->mu);
    t->notified++;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

static int parse_from(const char *v, store_position *p) {
    memset(p, 0, sizeof *p);
    if (!strcasecmp(v, "trim_horizon")) {
        p->type = STORE_TRIM_HORIZON;
        return 0;
    }
    if (!strcasecmp(v, "latest")) {
        p->type = STORE_LATEST;
        return 0;
    }
    if (!strncasecmp(v, "at:", 3) || !strncasecmp(v, "after:", 6)) {
        int at = v[1] == 't' || v[1] == 'T';
        const char *seq = v + (at ? 3 : 6);
        p->type = at ? STORE_AT_SEQUENCE_NUMBER : STORE_AFTER_SEQUENCE_NUMBER;
        if (store_seq_parse(seq, strlen(seq), &p->seq) != 0) {
            fprintf(stderr, "eddy tail: \"%s\" is not a sequence number\n", seq);
            return 2;
        }
        return 0;
    }
    if (!strncasecmp(v, "time:", 5)) {
        p->type = STORE_AT_TIMESTAMP;
        if (eddy_ts_parse(v + 5, strlen(v + 5), &p->timestamp_ms) != 0) {
            fprintf(stderr, "eddy tail: \"%s\" is not an ISO-8601 timestamp\n", v + 5);
            return 2;
        }
        return 0;
    }
    fprintf(stderr, "eddy tail: --from must be trim_horizon, latest, at:SEQ, after:SEQ or "
                    "time:ISO8601, not \"%s\"\n", v);
    return 2;
}

static tshard *find_shard(tail_ctx *t, const char *id) {
    for (size_t i = 0; i < t->n_sh; i++)
        if (!strcmp(t->sh[i].id, id)) return &t->sh[i];
    return NULL;
}

/* A shard whose parents are all finished (or unknown: trimmed away, or
 * outside the scope) may start. */
static int parents_finished(tail_ctx *t, const tshard *x) {
    const char *ps[2] = {x->parent, x->adjacent};
    for (int k = 0; k < 2; k++) {
        if (!ps[k][0]) continue;
        tshard *p = find_shard(t, ps[k]);
        if (p && (p->st == SH_PENDING || p->st == SH_ACTIVE)) return 0;
    }
    return 1;
}

static int in_scope_parent(tail_ctx *t, const tshard *x) {
    const char *ps[2] = {x->parent, x->adjacent};
    for (int k = 0; k < 2; k++) {
        tshard *p = ps[k][0] ? find_shard(t, ps[k]) : NULL;
        if (p && p->st != SH_SKIP) return 1;
    }
    return 0;
}

/* Opens the reader of a shard at `pos`. */
static int open_reader(tail_ctx *t, tshard *x, const store_position *pos) {
    eddy_err e;
    eddy_err_clear(&e);
    int rc;
    if (t->consumer_arn[0])
        rc = store_subscribe(t->s, t->consumer_arn, x->id, pos, on_notify, t, &x->sub, &e);
    else
        rc = store_cursor_open(t->s, t->stream, x->id, pos, &x->cur, &e);
    if (rc != 0) return cli_fail(CMD, &e);
    x->st = SH_ACTIVE;
    x->at_end = 0;
    return 0;
}

static void close_reader(tshard *x) {
    if (x->cur) store_cursor_close(x->cur);
    if (x->sub) store_sub_close(x->sub);
    x->cur = NULL;
    x->sub = NULL;
}

/* Where a shard reached through lineage starts: at its beginning, since its
 * parents were read to their end; a time position still applies, so that
 * nothing older than asked for comes out of the children. */
static store_position child_position(const tail_ctx *t) {
    store_position p;
    memset(&p, 0, sizeof p);
    p.type = STORE_TRIM_HORIZON;
    if (t->from.type == STORE_AT_TIMESTAMP) p = t->from;
    return p;
}

static int promote(tail_ctx *t) {
    for (size_t i = 0; i < t->n_sh; i++) {
        tshard *x = &t->sh[i];
        if (x->st != SH_PENDING || !parents_finished(t, x)) continue;
        store_position p = child_position(t);
        if (open_reader(t, x, &p) != 0) return 1;
    }
    return 0;
}

/* Adds the stream's shards not yet in the table (all of them the first
 * time). New shards after the start are children of resharding. */
static int refresh(tail_ctx *t, int first) {
    store_stream_desc d;
    eddy_err e;
    eddy_err_clear(&e);
    if (store_stream_describe(t->s, t->stream, &d, &e) != 0) return cli_fail(CMD, &e);
    for (size_t i = 0; i < d.n_shards; i++) {
        const store_shard_desc *sd = &d.shards[i];
        if (find_shard(t, sd->shard_id)) continue;
        if (t->n_sh == t->cap_sh) {
            size_t nc = t->cap_sh ? t->cap_sh * 2 : 16;
            tshard *ns = realloc(t->sh, nc * sizeof *ns);
            if (!ns) {
                store_stream_desc_free(&d);
                fprintf(stderr, "eddy tail: out of memory\n");
                return 1;
            }
            t->sh = ns;
            t->cap_sh = nc;
        }
        tshard *x = &t->sh[t->n_sh++];
        memset(x, 0, sizeof *x);
        memcpy(x->id, sd->shard_id, sizeof x->id);
        memcpy(x->parent, sd->parent_shard_id, sizeof x->parent);
        memcpy(x->adjacent, sd->adjacent_parent_shard_id, sizeof x->adjacent);
        if (!first) {
            /* Children of a shard read alone (--shard) stay out of scope. */
            x->st = !t->only_shard && (t->scope_all || in_scope_parent(t, x)) ? SH_PENDING
                                                                                : SH_SKIP;
        } else if (t->only_shard) {
            x->st = strcmp(x->id, t->only_shard) ? SH_SKIP : SH_PENDING;
        } else if (t->from.type == STORE_LATEST) {
            /* Only what arrives from now on: closed shards get nothing new. */
            x->st = sd->closed ? SH_DONE : SH_PENDING;
        } else {
            x->st = SH_PENDING;
        }
    }
    store_stream_desc_free(&d);
    return 0;
}

/* Positions that name a sequence number start in the shard that holds it;
 * the first time every PENDING shard of the scope opens at --from. */
static int start(tail_ctx *t) {
    if (refresh(t, 1) != 0) return 1;
    int by_seq = t->from.type == STORE_AT_SEQUENCE_NUMBER ||
                 t->from.type == STORE_AFTER_SEQUENCE_NUMBER;
    if (t->only_shard) {
        tshard *x = find_shard(t, t->only_shard);
        if (!x) {
            fprintf(stderr, "eddy tail: shard %s not found in stream %s\n", t->only_shard,
                    t->stream);
            return 1;
        }
        return open_reader(t, x, &t->from);
    }
    if (by_seq) {
        t->scope_all = 0;
        for (size_t i = 0; i < t->n_sh; i++) {
            char tok[STORE_ITER_STR_MAX];
            /* The store checks that the number belongs to the shard. */
            if (store_iterator_get(t->s, t->stream, t->sh[i].id, &t->from, tok, NULL) != 0)
                continue;
            tshard *owner = &t->sh[i];
            for (size_t k = 0; k < t->n_sh; k++) t->sh[k].st = SH_SKIP;
            if (open_reader(t, owner, &t->from) != 0) return 1;
            /* Descendants follow in table order, which lists parents first. */
            for (size_t k = 0; k < t->n_sh; k++)
                if (t->sh[k].st == SH_SKIP && in_scope_parent(t, &t->sh[k]))
                    t->sh[k].st = SH_PENDING;
            return 0;
        }
        char seq[STORE_SEQ_STR_MAX];
        store_seq_format(t->from.seq, seq);
        fprintf(stderr, "eddy tail: no shard of stream %s holds sequence number %s\n",
                t->stream, seq);
        return 1;
    }
    t->scope_all = 1;
    for (size_t i = 0; i < t->n_sh; i++) {
        tshard *x = &t->sh[i];
        if (x->st != SH_PENDING || !parents_finished(t, x)) continue;
        if (t->from.type == STORE_TRIM_HORIZON || t->from.type == STORE_AT_TIMESTAMP ||
            t->from.type == STORE_LATEST) {
            if (open_reader(t, x, &t->from) != 0) return 1;
        }
    }
    return 0;
}

static void render(tail_ctx *t, const char *shard_id, const store_record *r) {
    char seq[STORE_SEQ_STR_MAX], ts[32];
    store_seq_format(r->seq, seq);
    eddy_ts_format_iso(r->arrival_ms, ts);
    sbuf *o = &t->out;
    if (t->json) {
        sbuf_printf(o, "{\"shard_id\":\"%s\",\"sequence_number\":\"%s\",\"arrival_time\":\"%s\","
                       "\"partition_key\":", shard_id, seq, ts);
        sbuf_json_str(o, r->partition_key, r->partition_key_len);
        sbuf_putc(o, ',');
        cli_render_data(o, r->data, r->data_len, 1);
        sbuf_puts(o, "}\n");
    } else {
        sbuf_printf(o, "%s\t%s\t%s\t", shard_id, seq, ts);
        cli_render_data(o, r->data, r->data_len, 0);
        sbuf_putc(o, '\n');
    }
}

/* Reads one batch from an active shard and prints it. Sets *ended when the
 * shard is finished. Returns 0, or 1 on a failure already reported. */
static int read_shard(tail_ctx *t, tshard *x, size_t *n_read, int *ended) {
    eddy_err e;
    eddy_err_clear(&e);
    int rc = x->sub ? store_sub_read(x->sub, TAIL_READ_LIMIT, &t->b, &e)
                    : store_cursor_read(x->cur, TAIL_READ_LIMIT, &t->b, &e);
    if (rc == EDDY_E_THROTTLED) {
        /* Over the stream's limits: try again next round. */
        *n_read = 0;
        *ended = 0;
        x->at_end = 0;
        return 0;
    }
    if (rc != 0) {
        if (rc == EDDY_E_INUSE && x->sub && !e.hint[0])
            eddy_err_hint(&e, "Another subscriber of this consumer took over the shard, or the "
                              "consumer was deregistered.");
        return cli_fail(CMD, &e);
    }
    sbuf_clear(&t->out);
    for (size_t i = 0; i < t->b.n_records; i++) render(t, x->id, &t->b.records[i]);
    if (t->out.len && fwrite(t->out.data, 1, t->out.len, stdout) != t->out.len) {
        fprintf(stderr, "eddy tail: cannot write output: %s\n", strerror(errno));
        return 1;
    }
    *n_read = t->b.n_records;
    *ended = t->b.end_of_shard;
    x->at_end = t->b.n_records == 0 && t->b.millis_behind_latest == 0;
    return 0;
}

static void wait_for_more(tail_ctx *t, unsigned long seen) {
    struct timespec ts = eddy_deadline_ms(CLOCK_REALTIME, TAIL_POLL_MS);
    pthread_mutex_lock(&t->mu);
    /* Classic readers have no notification: the timeout is the poll. */
    while (t->notified == seen && !stop_requested)
        if (pthread_cond_timedwait(&t->cv, &t->mu, &ts) == ETIMEDOUT) break;
    pthread_mutex_unlock(&t->mu);
}

static int run(tail_ctx *t) {
    if (start(t) != 0) return 1;
    while (!stop_requested) {
        pthread_mutex_lock(&t->mu);
        unsigned long seen = t->notified;
        pthread_mutex_unlock(&t->mu);
        size_t total = 0;
        int resharded = 0, active = 0, all_at_end = 1;
        for (size_t i = 0; i < t->n_sh && !stop_requested; i++) {
            tshard *x = &t->sh[i];
            if (x->st != SH_ACTIVE) continue;
            size_t n = 0;
            int ended = 0;
            if (read_shard(t, x, &n, &ended) != 0) return 1;
            total += n;
            if (ended) {
                close_reader(x);
                x->st = SH_DONE;
                resharded = 1;
                continue;
            }
            active++;
            if (!x->at_end) all_at_end = 0;
        }
        fflush(stdout);
        if (resharded) {
            /* A finished parent lets children start; the table may not know
             * them yet if the shard was split while we read it. */
            if (refresh(t, 0) != 0 || promote(t) != 0) return 1;
            continue;
        }
        int pending = 0;
        for (size_t i = 0; i < t->n_sh; i++) pending += t->sh[i].st == SH_PENDING;
        if (t->until_end && all_at_end && !pending) break;
        /* Every shard in scope is closed and read: nothing can come any more. */
        if (!active && !pending) break;
        if (total == 0) wait_for_more(t, seen);
    }
    return 0;
}

/* Finds or registers the fan-out consumer and keeps its ARN. */
static int consumer_arn(tail_ctx *t, const char *name) {
    store_consumer_desc cd;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_consumer_describe(t->s, t->stream, name, NULL, &cd, &e);
    if (rc == EDDY_E_NOTFOUND) {
        eddy_err_clear(&e);
        rc = store_consumer_register(t->s, t->stream, name, &cd, &e);
        if (rc == 0) fprintf(stderr, "eddy tail: registered consumer %s\n", cd.arn);
    }
    if (rc != 0) return cli_fail(CMD, &e);
    snprintf(t->consumer_arn, sizeof t->consumer_arn, "%s", cd.arn);
    return 0;
}

int cli_cmd_tail(int argc, char **argv) {
    const char *data_dir = cli_default_data_dir(), *stream = NULL, *from = NULL;
    const char *fan_out = NULL, *format = NULL, *only_shard = NULL;
    int until_end = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "--data-dir"))) {
            data_dir = v;
        } else if ((v = cli_opt(argc, argv, &i, "--from"))) {
            from = v;
        } else if ((v = cli_opt(argc, argv, &i, "--shard"))) {
            only_shard = v;
        } else if ((v = cli_opt(argc, argv, &i, "--fan-out"))) {
            fan_out = v;
        } else if ((v = cli_opt(argc, argv, &i, "--format"))) {
            format = v;
        } else if (!strcmp(argv[i], "--until-end")) {
            until_end = 1;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "eddy tail: unknown option %s (try 'eddy tail --help')\n", argv[i]);
            return 2;
        } else if (!stream) {
            stream = argv[i];
        } else {
            fprintf(stderr, "eddy tail: unexpected argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!stream) {
        fprintf(stderr, "eddy tail: missing STREAM (try 'eddy tail --help')\n");
        return 2;
    }
    if (format && strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        fprintf(stderr, "eddy tail: --format must be text or json, not \"%s\"\n", format);
        return 2;
    }
    tail_ctx *t = calloc(1, sizeof *t);
    if (!t) {
        fprintf(stderr, "eddy tail: out of memory\n");
        return 1;
    }
    t->from.type = STORE_TRIM_HORIZON;
    if (from && parse_from(from, &t->from) != 0) {
        free(t);
        return 2;
    }
    t->stream = stream;
    t->only_shard = only_shard;
    t->until_end = until_end;
    t->json = format && !strcmp(format, "json");
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    store_batch_init(&t->b);
    sbuf_init(&t->out);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A closed pipe (| head) ends the command through fwrite's error. */
    signal(SIGPIPE, SIG_IGN);

    int rc = 1;
    if (cli_store_open(CMD, data_dir, &t->s) == 0) {
        rc = fan_out ? consumer_arn(t, fan_out) : 0;
        if (rc == 0) rc = run(t);
        for (size_t i = 0; i < t->n_sh; i++) close_reader(&t->sh[i]);
        store_close(t->s);
    }
    store_batch_free(&t->b);
    sbuf_free(&t->out);
    free(t->sh);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
    return rc;
}
