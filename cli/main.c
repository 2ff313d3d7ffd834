/*
 * main.c — the `eddy` command: dispatches to the subcommands of cli.h.
 * A subcommand whose module has not been linked in is reported as such
 * (weak references), so the command table never lies about what works.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#pragma weak cli_cmd_stream
#pragma weak cli_cmd_put
#pragma weak cli_cmd_tail
#pragma weak cli_cmd_serve
#pragma weak cli_cmd_run
#pragma weak cli_cmd_explain
#pragma weak cli_cmd_repl
#pragma weak cli_cmd_demo

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} cmds[] = {
    {"stream", cli_cmd_stream, "create, list, describe, delete, split, merge, scale streams"},
    {"put", cli_cmd_put, "write JSON or plain lines from stdin to a stream"},
    {"tail", cli_cmd_tail, "print a stream's records with shard, sequence number and time"},
    {"serve", cli_cmd_serve, "run the Kinesis-compatible API server"},
    {"run", cli_cmd_run, "run a SQL application (.sql or KDA application .json)"},
    {"explain", cli_cmd_explain, "print the plan of every statement of a file"},
    {"repl", cli_cmd_repl, "interactive SQL shell"},
    {"demo", cli_cmd_demo, "run the built-in demo on an in-memory store"},
};

static void usage(FILE *f) {
    fprintf(f, "eddy — streaming SQL over Kinesis-compatible streams\n\n"
               "usage: eddy <command> [options]   (eddy <command> --help for more)\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (cmds[i].fn) fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("eddy 0.1.0\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(argv[1], cmds[i].name) != 0) continue;
        if (!cmds[i].fn) {
            fprintf(stderr, "eddy: '%s' is not available in this build\n", argv[1]);
            return 2;
        }
        return cmds[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "eddy: unknown command '%s' (try 'eddy --help')\n", argv[1]);
    return 2;
}
