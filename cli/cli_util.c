/*
 * cli_util.c — option parsing helpers shared by the subcommands.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_opt(int argc, char **argv, int *i, const char *name) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != '\0') return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "eddy: option %s needs a value\n", name);
        exit(2);
    }
    (*i)++;
    return argv[*i];
}

const char *cli_default_data_dir(void) {
    const char *d = getenv("EDDY_DATA_DIR");
    return d && *d ? d : "./eddy-data";
}
