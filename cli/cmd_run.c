/*
 * cmd_run.c — `eddy run APP.sql|APP.json`: compiles an application and runs
 * it against the data directory's store until SIGINT/SIGTERM, or with
 * --drain until every input shard has been read to its end.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "eddy.h"
#include "eddy_log.h"
#include "store.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: eddy run APP.sql|APP.json [options]\n\n"
            "Runs a SQL application (or a Kinesis Data Analytics application JSON)\n"
            "on the store in the data directory.\n\n"
            "options:\n"
            "  --data-dir DIR       store location (default ./eddy-data)\n"
            "  --memory             use an empty in-memory store (for trying things out)\n"
            "  --from trim_horizon|latest\n"
            "                       where every input starts (default: each input's own)\n"
            "  --drain              stop once every input shard is read to its end\n"
            "  --print S1,S2        print these in-application streams (default: the\n"
            "                       streams no pump reads and no output is bound to)\n"
            "  --format jsonl|csv|table   how printed rows look (default jsonl)\n"
            "  --idle-timeout MS    an idle shard stops holding time back after MS\n");
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) *len = n;
    return buf;
}

int cli_cmd_run(int argc, char **argv) {
    const char *file = NULL, *data_dir = NULL, *from = NULL, *print = NULL, *format = "jsonl";
    const char *idle = NULL;
    int drain = 0, memory = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if ((v = cli_opt(argc, argv, &i, "--data-dir"))) data_dir = v;
        else if ((v = cli_opt(argc, argv, &i, "--from"))) from = v;
        else if ((v = cli_opt(argc, argv, &i, "--print"))) print = v;
        else if ((v = cli_opt(argc, argv, &i, "--format"))) format = v;
        else if ((v = cli_opt(argc, argv, &i, "--idle-timeout"))) idle = v;
        else if (!strcmp(argv[i], "--drain")) drain = 1;
        else if (!strcmp(argv[i], "--memory")) memory = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "eddy run: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!file) file = argv[i];
        else {
            fprintf(stderr, "eddy run: one application file at a time\n");
            return 2;
        }
    }
    if (!file) {
        usage(stderr);
        return 2;
    }
    rt_app_opts ao;
    rt_app_opts_init(&ao);
    if (from) {
        if (!strcmp(from, "trim_horizon")) ao.start_override = PLAN_START_TRIM_HORIZON;
        else if (!strcmp(from, "latest")) ao.start_override = PLAN_START_LATEST;
        else {
            fprintf(stderr, "eddy run: --from takes trim_horizon or latest\n");
            return 2;
        }
    }
    if (!strcmp(format, "jsonl") || !strcmp(format, "json")) ao.format = RT_PRINT_JSONL;
    else if (!strcmp(format, "csv")) ao.format = RT_PRINT_CSV;
    else if (!strcmp(format, "table")) ao.format = RT_PRINT_TABLE;
    else {
        fprintf(stderr, "eddy run: --format takes jsonl, csv or table\n");
        return 2;
    }
    if (idle) ao.idle_timeout_ms = atoll(idle);
    ao.drain = drain;
    ao.progress = isatty(2);

    size_t len;
    char *text = read_file(file, &len);
    if (!text) {
        fprintf(stderr, "eddy run: cannot read %s\n", file);
        return 1;
    }
    char stem[128];
    const char *base = strrchr(file, '/');
    snprintf(stem, sizeof stem, "%s", base ? base + 1 : file);
    char *dot = strrchr(stem, '.');
    if (dot) *dot = '\0';

    eddy_err err;
    eddy_err_clear(&err);
    eddy_app_spec *spec = NULL;
    int rc = eddy_app_compile(text, len, stem, &spec, &err);
    free(text);
    if (rc != 0) {
        char *msg = eddy_err_string(&err, spec);
        fprintf(stderr, "%s\n", msg ? msg : err.msg);
        free(msg);
        eddy_app_free(spec);
        return 1;
    }

    char *names[64];
    size_t n_names = 0;
    char *print_copy = print ? strdup(print) : NULL;
    if (print_copy) {
        for (char *tok = strtok(print_copy, ","); tok && n_names < 64; tok = strtok(NULL, ","))
            names[n_names++] = tok;
        ao.print = (const char *const *)names;
        ao.n_print = n_names;
    }

    store_opts so;
    store_opts_init(&so);
    so.data_dir = memory ? NULL : (data_dir ? data_dir : cli_default_data_dir());
    store *st = NULL;
    rc = store_open(&so, &st, &err);
    if (rc != 0) {
        fprintf(stderr, "eddy run: %s\n", err.msg);
        eddy_app_free(spec);
        free(print_copy);
        return 1;
    }
    ao.store = st;
    ao.name = spec->name;
    rt_app *app = NULL;
    rc = rt_app_new(&ao, spec->cat, spec->pumps, spec->n_pumps, &app, &err);
    if (rc != 0) {
        char *msg = eddy_err_string(&err, spec);
        fprintf(stderr, "%s\n", msg ? msg : err.msg);
        free(msg);
    } else {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        rc = rt_app_run(app, &stop_flag, &err);
        if (rc != 0) fprintf(stderr, "eddy run: %s\n", err.msg);
        rt_app_free(app);
    }
    store_close(st);
    eddy_app_free(spec);
    free(print_copy);
    return rc == 0 ? 0 : 1;
}
