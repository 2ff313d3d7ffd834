/*
 * cmd_stream.c — `eddy stream create|list|describe|delete|split|merge|scale`:
 * managing the streams of a data directory's store from the shell.
 *
 * Each action opens the store (taking its lock), makes one store call and
 * prints the result. describe shows the shard table with lineage so a user
 * can see what split, merge and scale did.
 */
#include "cli.h"
#include "cli_store_int.h"

#include "eddy_time.h"

#include <stdio.h>
#include <string.h>

#define CMD "stream"

static const char usage_text[] =
    "usage: eddy stream <action> [options]\n"
    "\n"
    "actions:\n"
    "  create NAME [--shards N]            create a stream with N shards (default 1)\n"
    "  list                                list stream names\n"
    "  describe NAME                       status, retention and the shard table\n"
    "  delete NAME [--force]               delete a stream (--force: even with consumers)\n"
    "  split NAME SHARD_ID [--at HASHKEY]  split a shard (default: midpoint of its range)\n"
    "  merge NAME SHARD_ID ADJACENT_ID     merge two shards with adjacent hash ranges\n"
    "  scale NAME --shards N               rescale to N open shards (uniform scaling)\n"
    "  throttle NAME on|off                exact Kinesis per-shard throughput limits\n"
    "\n"
    "options:\n"
    "  --data-dir DIR   the store's data directory (default $EDDY_DATA_DIR or ./eddy-data)\n"
    "  --help           this text\n";

/* Arguments after the action, options taken out. */
typedef struct stream_args {
    const char *data_dir;
    const char *pos[4];   /* positional arguments */
    int n_pos;
    const char *shards;   /* --shards */
    const char *at;       /* --at */
    int force;            /* --force */
} stream_args;

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "eddy stream: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(try 'eddy stream --help')\n");
    return 2;
}

static int parse_args(int argc, char **argv, stream_args *a) {
    memset(a, 0, sizeof *a);
    a->data_dir = cli_default_data_dir();
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "--data-dir"))) {
            a->data_dir = v;
        } else if ((v = cli_opt(argc, argv, &i, "--shards"))) {
            a->shards = v;
        } else if ((v = cli_opt(argc, argv, &i, "--at"))) {
            a->at = v;
        } else if (!strcmp(argv[i], "--force")) {
            a->force = 1;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return -1;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return usage_error("unknown option %s", argv[i]);
        } else if (a->n_pos < 4) {
            a->pos[a->n_pos++] = argv[i];
        } else {
            return usage_error("unexpected argument %s", argv[i]);
        }
    }
    return 0;
}

/* Checks that the action got exactly `n` positional arguments and only
 * the options it understands. */
static int want(const stream_args *a, const char *action, int n, const char *names,
                int shards_ok, int at_ok, int force_ok) {
    if (a->n_pos != n) {
        fprintf(stderr, "eddy stream %s: expected %s\n", action, names);
        return 2;
    }
    if ((a->shards && !shards_ok) || (a->at && !at_ok) || (a->force && !force_ok)) {
        fprintf(stderr, "eddy stream %s: option %s does not apply\n", action,
                a->shards && !shards_ok ? "--shards" : a->at && !at_ok ? "--at" : "--force");
        return 2;
    }
    return 0;
}

static int do_create(store *s, const stream_args *a) {
    long shards = 1;
    if (a->shards && cli_parse_int("stream create", "--shards", a->shards, 1, 10000, &shards))
        return 2;
    eddy_err e;
    eddy_err_clear(&e);
    if (store_stream_create(s, a->pos[0], (int)shards, &e) != 0)
        return cli_fail("stream create", &e);
    printf("created stream %s with %ld shard%s\n", a->pos[0], shards, shards == 1 ? "" : "s");
    return 0;
}

static int do_list(store *s) {
    char **names;
    size_t n;
    int more;
    eddy_err e;
    eddy_err_clear(&e);
    if (store_stream_list(s, NULL, 0, &names, &n, &more, &e) != 0)
        return cli_fail("stream list", &e);
    for (size_t i = 0; i < n; i++) printf("%s\n", names[i]);
    store_names_free(names, n);
    return 0;
}

static void print_describe(const store_stream_desc *d) {
    char ts[32];
    eddy_ts_format_iso(d->created_ms, ts);
    printf("stream:       %s\n", d->name);
    printf("arn:          %s\n", d->arn);
    printf("status:       %s\n", store_status_name(d->status));
    printf("retention:    %d hours\n", d->retention_hours);
    printf("created:      %s\n", ts);
    printf("shards:       %d open, %zu in all\n", d->open_shard_count, d->n_shards);
    printf("consumers:    %d\n", d->consumer_count);
    printf("throttling:   %s\n", d->throttling ? "on" : "off");
    printf("\n%-21s %-21s %-21s %-6s %-39s %-39s %-28s %s\n", "SHARD", "PARENT",
           "ADJACENT_PARENT", "STATE", "START_HASH", "END_HASH", "STARTING_SEQ", "ENDING_SEQ");
    for (size_t i = 0; i < d->n_shards; i++) {
        const store_shard_desc *sh = &d->shards[i];
        char h0[48], h1[48], s0[STORE_SEQ_STR_MAX], s1[STORE_SEQ_STR_MAX];
        eddy_u128_format(sh->start_hash, h0);
        eddy_u128_format(sh->end_hash, h1);
        store_seq_format(sh->starting_seq, s0);
        if (sh->closed)
            store_seq_format(sh->ending_seq, s1);
        else
            strcpy(s1, "-");
        printf("%-21s %-21s %-21s %-6s %-39s %-39s %-28s %s\n", sh->shard_id,
               sh->parent_shard_id[0] ? sh->parent_shard_id : "-",
               sh->adjacent_parent_shard_id[0] ? sh->adjacent_parent_shard_id : "-",
               sh->closed ? "closed" : "open", h0, h1, s0, s1);
    }
}

static int do_describe(store *s, const stream_args *a) {
    store_stream_desc d;
    eddy_err e;
    eddy_err_clear(&e);
    if (store_stream_describe(s, a->pos[0], &d, &e) != 0)
        return cli_fail("stream describe", &e);
    print_describe(&d);
    store_stream_desc_free(&d);
    return 0;
}

static int do_delete(store *s, const stream_args *a) {
    eddy_err e;
    eddy_err_clear(&e);
    if (store_stream_delete(s, a->pos[0], a->force, &e) != 0) {
        if (e.code == EDDY_E_INUSE && !a->force && !e.hint[0])
            eddy_err_hint(&e, "Use --force to delete the stream and its consumers.");
        return cli_fail("stream delete", &e);
    }
    printf("deleted stream %s\n", a->pos[0]);
    return 0;
}

/* The default split point: the middle of the shard's range, rounded up so
 * that an even range splits into two equal halves. */
static int split_point(store *s, const char *stream, const char *shard_id, eddy_u128 *at) {
    store_stream_desc d;
    eddy_err e;
    eddy_err_clear(&e);
    if (store_stream_describe(s, stream, &d, &e) != 0) return cli_fail("stream split", &e);
    int rc = 1;
    for (size_t i = 0; i < d.n_shards; i++) {
        const store_shard_desc *sh = &d.shards[i];
        if (strcmp(sh->shard_id, shard_id) != 0) continue;
        if (sh->end_hash == sh->start_hash) {
            fprintf(stderr, "eddy stream split: shard %s holds a single hash key and cannot be "
                            "split\n", shard_id);
        } else {
            *at = sh->start_hash + (sh->end_hash - sh->start_hash) / 2 + 1;
            rc = 0;
        }
        store_stream_desc_free(&d);
        return rc;
    }
    store_stream_desc_free(&d);
    fprintf(stderr, "eddy stream split: shard %s not found in stream %s\n", shard_id, stream);
    return 1;
}

static int do_split(store *s, const stream_args *a) {
    eddy_u128 at;
    if (a->at) {
        if (eddy_u128_parse(a->at, strlen(a->at), &at) != 0) {
            fprintf(stderr, "eddy stream split: --at must be a decimal hash key in "
                            "[0, 2^128-1], not \"%s\"\n", a->at);
            return 2;
        }
    } else if (split_point(s, a->pos[0], a->pos[1], &at) != 0) {
        return 1;
    }
    eddy_err e;
    eddy_err_clear(&e);
    if (store_shard_split(s, a->pos[0], a->pos[1], at, &e) != 0)
        return cli_fail("stream split", &e);
    char h[48];
    eddy_u128_format(at, h);
    printf("split %s of %s at hash key %s\n", a->pos[1], a->pos[0], h);
    return 0;
}

static int do_merge(store *s, const stream_args *a) {
    eddy_err e;
    eddy_err_clear(&e);
    if (store_shard_merge(s, a->pos[0], a->pos[1], a->pos[2], &e) != 0)
        return cli_fail("stream merge", &e);
    printf("merged %s and %s of %s\n", a->pos[1], a->pos[2], a->pos[0]);
    return 0;
}

static int do_scale(store *s, const stream_args *a) {
    long n;
    if (cli_parse_int("stream scale", "--shards", a->shards, 1, 10000, &n)) return 2;
    eddy_err e;
    eddy_err_clear(&e);
    if (store_shard_count_update(s, a->pos[0], (int)n, &e) != 0)
        return cli_fail("stream scale", &e);
    printf("scaled %s to %ld open shard%s\n", a->pos[0], n, n == 1 ? "" : "s");
    return 0;
}

static int do_throttle(store *s, const stream_args *a) {
    int on = !strcmp(a->pos[1], "on");
    eddy_err e;
    eddy_err_clear(&e);
    if (store_stream_set_throttling(s, a->pos[0], on, &e) != 0) return cli_fail("stream throttle", &e);
    printf("throughput limits %s for %s\n", on ? "on" : "off", a->pos[0]);
    return 0;
}

int cli_cmd_stream(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *action = argv[1];
    if (!strcmp(action, "--help") || !strcmp(action, "-h") || !strcmp(action, "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    stream_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc < 0) return 0;
    if (rc) return rc;

    if (!strcmp(action, "create")) rc = want(&a, action, 1, "NAME", 1, 0, 0);
    else if (!strcmp(action, "list")) rc = want(&a, action, 0, "no arguments", 0, 0, 0);
    else if (!strcmp(action, "describe")) rc = want(&a, action, 1, "NAME", 0, 0, 0);
    else if (!strcmp(action, "delete")) rc = want(&a, action, 1, "NAME", 0, 0, 1);
    else if (!strcmp(action, "split")) rc = want(&a, action, 2, "NAME SHARD_ID", 0, 1, 0);
    else if (!strcmp(action, "merge"))
        rc = want(&a, action, 3, "NAME SHARD_ID ADJACENT_SHARD_ID", 0, 0, 0);
    else if (!strcmp(action, "scale")) {
        rc = want(&a, action, 1, "NAME", 1, 0, 0);
        if (!rc && !a.shards) {
            fprintf(stderr, "eddy stream scale: --shards N is required\n");
            rc = 2;
        }
    } else if (!strcmp(action, "throttle")) {
        rc = want(&a, action, 2, "NAME on|off", 0, 0, 0);
        if (!rc && strcmp(a.pos[1], "on") != 0 && strcmp(a.pos[1], "off") != 0) {
            fprintf(stderr, "eddy stream throttle: say on or off\n");
            rc = 2;
        }
    } else
        return usage_error("unknown action %s", action);
    if (rc) return rc;

    store *s;
    if (cli_store_open(CMD, a.data_dir, &s) != 0) return 1;
    if (!strcmp(action, "create")) rc = do_create(s, &a);
    else if (!strcmp(action, "list")) rc = do_list(s);
    else if (!strcmp(action, "describe")) rc = do_describe(s, &a);
    else if (!strcmp(action, "delete")) rc = do_delete(s, &a);
    else if (!strcmp(action, "split")) rc = do_split(s, &a);
    else if (!strcmp(action, "merge")) rc = do_merge(s, &a);
    else if (!strcmp(action, "throttle")) rc = do_throttle(s, &a);
    else rc = do_scale(s, &a);
    store_close(s);
    return rc;
}
