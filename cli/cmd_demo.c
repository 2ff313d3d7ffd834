/*
 * cmd_demo.c — `eddy demo` (what `make demo` runs): a tour of the stream
 * store on an in-memory store, until the SQL runtime's demo replaces it.
 *
 * It creates a two-shard stream "ticker", puts stock-ticker JSON records as
 * the AWS Kinesis Data Analytics demo stream carries (ticker_symbol, sector,
 * change, price; from a fixed-seed PRNG, so every run prints the same
 * data), reads them back as a classic reader (GetShardIterator +
 * GetRecords) and as an enhanced fan-out consumer, splits a shard and reads
 * across the split following lineage.
 */
#include "cli.h"
#include "cli_store_int.h"

#include "eddy_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_STREAM "ticker"
#define DEMO_RECORDS 300
#define DEMO_MORE 120

static const struct {
    const char *symbol, *sector;
    double base;
} tickers[] = {
    {"AAPL", "TECHNOLOGY", 190.0}, {"AMZN", "RETAIL", 180.0},    {"MSFT", "TECHNOLOGY", 410.0},
    {"BAC", "FINANCIAL", 35.0},    {"WFC", "FINANCIAL", 58.0},   {"XOM", "ENERGY", 115.0},
    {"JNJ", "HEALTHCARE", 155.0},  {"KO", "CONSUMER", 62.0},     {"TGT", "RETAIL", 150.0},
    {"NFS", "ENERGY", 24.0},       {"QXZ", "FINANCIAL", 88.0},   {"DFG", "TECHNOLOGY", 132.0},
};
#define N_TICKERS (sizeof tickers / sizeof tickers[0])

typedef struct demo_rng {
    uint64_t s;
} demo_rng;

static uint32_t rng_next(demo_rng *r) {
    /* splitmix64: a fixed seed gives the same records on every machine. */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* Makes one record into `data` (>= 128 bytes); returns its ticker index. */
static size_t make_record(demo_rng *r, double prices[], char *data, size_t *len) {
    size_t k = rng_next(r) % N_TICKERS;
    double change = ((double)(rng_next(r) % 2001) - 1000.0) / 200.0;   /* -5.00 .. +5.00 */
    prices[k] += change;
    if (prices[k] < 1.0) prices[k] = 1.0;
    *len = (size_t)snprintf(data, 128,
                            "{\"ticker_symbol\":\"%s\",\"sector\":\"%s\",\"change\":%.2f,"
                            "\"price\":%.2f}",
                            tickers[k].symbol, tickers[k].sector, change, prices[k]);
    return k;
}

static int fail(const eddy_err *e) { return cli_fail("demo", e); }

static void seq_text(store_seq s, char *out) { store_seq_format(s, out); }

/* Puts `n` records in batches of up to 500; counts records per shard id. */
static int put_records(store *s, demo_rng *r, double prices[], int n, const char *label) {
    store_put_entry *ents = calloc((size_t)n, sizeof *ents);
    store_put_result *res = calloc((size_t)n, sizeof *res);
    char (*bufs)[128] = calloc((size_t)n, sizeof *bufs);
    if (!ents || !res || !bufs) {
        free(ents), free(res), free(bufs);
        fprintf(stderr, "eddy demo: out of memory\n");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        size_t len;
        size_t k = make_record(r, prices, bufs[i], &len);
        ents[i].data = bufs[i];
        ents[i].data_len = len;
        ents[i].partition_key = tickers[k].symbol;
        ents[i].partition_key_len = strlen(tickers[k].symbol);
    }
    int rc = 0, calls = 0;
    for (int off = 0; off < n && rc == 0; off += STORE_BATCH_RECORDS_MAX) {
        size_t m = (size_t)(n - off) < STORE_BATCH_RECORDS_MAX ? (size_t)(n - off)
                                                                : STORE_BATCH_RECORDS_MAX;
        size_t failed = 0;
        eddy_err e;
        eddy_err_clear(&e);
        calls++;
        if (store_put_records(s, DEMO_STREAM, ents + off, m, res + off, &failed, &e) != 0)
            rc = fail(&e);
        else if (failed) {
            fprintf(stderr, "eddy demo: %zu records failed\n", failed);
            rc = 1;
        }
    }
    if (rc == 0) {
        printf("%s: put %d records in %d PutRecords call%s (partition key = ticker_symbol)\n",
               label, n, calls, calls == 1 ? "" : "s");
        /* Per-shard counts, in order of first appearance. */
        char ids[8][STORE_SHARD_ID_MAX];
        int counts[8] = {0}, n_ids = 0;
        for (int i = 0; i < n; i++) {
            int j = 0;
            while (j < n_ids && strcmp(ids[j], res[i].shard_id) != 0) j++;
            if (j == n_ids && n_ids < 8) memcpy(ids[n_ids++], res[i].shard_id, sizeof ids[0]);
            if (j < 8) counts[j]++;
        }
        for (int j = 0; j < n_ids; j++) printf("  %-21s %4d records\n", ids[j], counts[j]);
        char seq[STORE_SEQ_STR_MAX];
        seq_text(res[0].seq, seq);
        printf("  first record: %.*s\n    -> %s, sequence number %s\n", (int)ents[0].data_len,
               (const char *)ents[0].data, res[0].shard_id, seq);
    }
    free(ents), free(res), free(bufs);
    return rc;
}

static void print_shards(const store_stream_desc *d) {
    printf("  %-21s %-21s %-21s %-6s %s\n", "shard", "parent", "adjacent parent", "state",
           "hash-key range");
    for (size_t i = 0; i < d->n_shards; i++) {
        const store_shard_desc *sh = &d->shards[i];
        char a[48], b[48];
        eddy_u128_format(sh->start_hash, a);
        eddy_u128_format(sh->end_hash, b);
        printf("  %-21s %-21s %-21s %-6s %s .. %s\n", sh->shard_id,
               sh->parent_shard_id[0] ? sh->parent_shard_id : "-",
               sh->adjacent_parent_shard_id[0] ? sh->adjacent_parent_shard_id : "-",
               sh->closed ? "closed" : "open", a, b);
    }
}

static int describe(store *s, store_stream_desc *d) {
    eddy_err e;
    eddy_err_clear(&e);
    if (store_stream_describe(s, DEMO_STREAM, d, &e) != 0) return fail(&e);
    return 0;
}

/* Reads one shard from TRIM_HORIZON through iterator tokens, as a Kinesis
 * client does, and prints a summary and a few records. Fills the children
 * reported at the end of a closed shard. */
static int classic_read(store *s, const char *shard_id, store_batch *b, int show,
                        store_child_shard children[2], size_t *n_children) {
    char it[STORE_ITER_STR_MAX];
    store_position pos;
    memset(&pos, 0, sizeof pos);
    pos.type = STORE_TRIM_HORIZON;
    eddy_err e;
    eddy_err_clear(&e);
    if (store_iterator_get(s, DEMO_STREAM, shard_id, &pos, it, &e) != 0) return fail(&e);
    size_t total = 0, calls = 0;
    store_seq first = 0, last = 0;
    int64_t behind = 0;
    *n_children = 0;
    while (it[0]) {
        /* Small pages, to show that the next iterator carries on. */
        if (store_get_records(s, it, 100, b, &e) != 0) return fail(&e);
        calls++;
        for (size_t i = 0; i < b->n_records; i++) {
            const store_record *r = &b->records[i];
            if (total == 0) first = r->seq;
            last = r->seq;
            if ((int)total < show) {
                char seq[STORE_SEQ_STR_MAX], ts[32];
                seq_text(r->seq, seq);
                eddy_ts_format_iso(r->arrival_ms, ts);
                printf("    %s  %s  %.*s\n", seq, ts, (int)r->data_len, (const char *)r->data);
            }
            total++;
        }
        behind = b->millis_behind_latest;
        if (b->end_of_shard) {
            *n_children = b->n_children;
            memcpy(children, b->children, b->n_children * sizeof children[0]);
            break;
        }
        if (b->n_records == 0) break;   /* at the tip of an open shard */
        memcpy(it, b->next_iterator, sizeof it);
    }
    char s0[STORE_SEQ_STR_MAX], s1[STORE_SEQ_STR_MAX];
    seq_text(first, s0);
    seq_text(last, s1);
    printf("  %s: %zu records in %zu GetRecords calls, sequence numbers %s .. %s, "
           "MillisBehindLatest %lld%s\n", shard_id, total, calls, total ? s0 : "-",
           total ? s1 : "-", (long long)behind, *n_children ? ", end of shard" : "");
    for (size_t i = 0; i < *n_children; i++)
        printf("    child shard %s (parents %s%s%s)\n", children[i].shard_id,
               children[i].parent_shard_ids[0],
               children[i].parent_shard_ids[1][0] ? ", " : "", children[i].parent_shard_ids[1]);
    return 0;
}

typedef struct demo_sub {
    store_sub *sub;
    volatile int notified;   /* pushes signalled by the store */
} demo_sub;

static void on_push(void *ctx, int ended) { __atomic_add_fetch(&((demo_sub *)ctx)->notified, 1, __ATOMIC_RELAXED); }

/* Drains what a subscription has ready; waits a little for a catching-up
 * subscriber. Returns the number of records, or -1 on failure. */
static long drain(demo_sub *ds, store_batch *b, store_seq *cont, int *ended_shard) {
    long total = 0;
    eddy_err e;
    eddy_err_clear(&e);
    for (int idle = 0; idle < 200;) {
        if (store_sub_read(ds->sub, 0, b, &e) != 0) {
            fail(&e);
            return -1;
        }
        total += (long)b->n_records;
        *cont = b->next_seq;
        *ended_shard = b->end_of_shard;
        if (b->end_of_shard) break;
        if (b->n_records == 0 && b->millis_behind_latest == 0) break;
        if (b->n_records == 0) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
            idle++;
        }
    }
    return total;
}

static int demo_fan_out(store *s, demo_rng *r, double prices[], store_batch *b,
                        const store_stream_desc *d) {
    store_consumer_desc cd;
    eddy_err e;
    eddy_err_clear(&e);
    if (store_consumer_register(s, DEMO_STREAM, "demo-dashboard", &cd, &e) != 0) return fail(&e);
    printf("\n== enhanced fan-out: consumer registered\n  %s\n", cd.arn);
    demo_sub subs[2];
    memset(subs, 0, sizeof subs);
    int rc = 0;
    size_t n = d->n_shards < 2 ? d->n_shards : 2;
    for (size_t i = 0; i < n && rc == 0; i++) {
        store_position pos;
        memset(&pos, 0, sizeof pos);
        pos.type = STORE_TRIM_HORIZON;
        if (store_subscribe(s, cd.arn, d->shards[i].shard_id, &pos, on_push, &subs[i],
                            &subs[i].sub, &e) != 0)
            rc = fail(&e);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        store_seq cont;
        int end;
        long got = drain(&subs[i], b, &cont, &end);
        if (got < 0) {
            rc = 1;
            break;
        }
        char seq[STORE_SEQ_STR_MAX];
        seq_text(cont, seq);
        printf("  SubscribeToShard %s from TRIM_HORIZON: %ld records, continuation %s\n",
               d->shards[i].shard_id, got, seq);
    }
    if (rc == 0) {
        int before[2] = {subs[0].notified, subs[1].notified};
        uint64_t t0 = eddy_mono_ns();
        rc = put_records(s, r, prices, 40, "live");
        long pushed = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            store_seq cont;
            int end;
            long got = drain(&subs[i], b, &cont, &end);
            if (got < 0) rc = 1;
            pushed += got;
        }
        if (rc == 0)
            printf("  subscribers received %ld new records in %.2f ms after %d push "
                   "notifications\n", pushed, (double)(eddy_mono_ns() - t0) / 1e6,
                   (subs[0].notified - before[0]) + (subs[1].notified - before[1]));
    }
    for (size_t i = 0; i < n; i++)
        if (subs[i].sub) store_sub_close(subs[i].sub);
    return rc;
}

int cli_cmd_demo(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: eddy demo\n\nA tour of the stream store on an in-memory store: "
                   "create, put, classic\nand fan-out reads, split and lineage.\n");
            return 0;
        }
        fprintf(stderr, "eddy demo: unexpected argument %s\n", argv[i]);
        return 2;
    }
    store_opts o;
    store_opts_init(&o);
    store *s;
    eddy_err e;
    eddy_err_clear(&e);
    if (store_open(&o, &s, &e) != 0) return fail(&e);
    demo_rng r = {20240501};
    double prices[N_TICKERS];
    for (size_t i = 0; i < N_TICKERS; i++) prices[i] = tickers[i].base;
    store_batch b;
    store_batch_init(&b);
    store_stream_desc d;
    memset(&d, 0, sizeof d);
    int rc = 1;

    printf("eddy store demo — an in-memory store, nothing written to disk\n\n");
    if (store_stream_create(s, DEMO_STREAM, 2, &e) != 0) {
        fail(&e);
        goto out;
    }
    if (describe(s, &d) != 0) goto out;
    printf("== stream %s created: %s, %d shards, retention %d hours\n  %s\n", d.name,
           store_status_name(d.status), d.open_shard_count, d.retention_hours, d.arn);
    print_shards(&d);
    putchar('\n');
    if (put_records(s, &r, prices, DEMO_RECORDS, "== producer") != 0) goto out;

    printf("\n== classic reader: GetShardIterator(TRIM_HORIZON) + GetRecords, 100 per call\n");
    store_child_shard ch[2];
    size_t n_ch;
    for (size_t i = 0; i < d.n_shards; i++)
        if (classic_read(s, d.shards[i].shard_id, &b, i == 0 ? 3 : 0, ch, &n_ch) != 0) goto out;

    if (demo_fan_out(s, &r, prices, &b, &d) != 0) goto out;

    char split_id[STORE_SHARD_ID_MAX];
    memcpy(split_id, d.shards[0].shard_id, sizeof split_id);
    eddy_u128 at = d.shards[0].start_hash + (d.shards[0].end_hash - d.shards[0].start_hash) / 2 + 1;
    store_stream_desc_free(&d);
    memset(&d, 0, sizeof d);
    if (store_shard_split(s, DEMO_STREAM, split_id, at, &e) != 0) {
        fail(&e);
        goto out;
    }
    char h[48];
    eddy_u128_format(at, h);
    printf("\n== SplitShard %s at hash key %s\n", split_id, h);
    if (describe(s, &d) != 0) goto out;
    print_shards(&d);
    putchar('\n');
    if (put_records(s, &r, prices, DEMO_MORE, "== after the split") != 0) goto out;

    printf("\n== reading across the split: the parent to its end, then its children\n");
    if (classic_read(s, split_id, &b, 0, ch, &n_ch) != 0) goto out;
    store_child_shard kids[2];
    memcpy(kids, ch, sizeof kids);
    size_t n_kids = n_ch;
    for (size_t i = 0; i < n_kids; i++)
        if (classic_read(s, kids[i].shard_id, &b, 0, ch, &n_ch) != 0) goto out;
    printf("\ndone: %d records in stream %s; sequence numbers grow within each shard and "
           "never repeat in the stream\n", DEMO_RECORDS + 40 + DEMO_MORE, DEMO_STREAM);
    rc = 0;
out:
    store_stream_desc_free(&d);
    store_batch_free(&b);
    store_close(s);
    return rc;
}
