/*
 * main.c — the `eddy` command: dispatches to subcommands.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        printf("usage: eddy <command> [options]\n");
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("eddy 0.1.0\n");
        return 0;
    }
    fprintf(stderr, "eddy: unknown command '%s' (try 'eddy --help')\n", argv[1]);
    return 2;
}
