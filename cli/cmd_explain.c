/*
 * cmd_explain.c — `eddy explain FILE.sql|APP.json`: plans every statement
 * of a SQL script (against a catalog built up by the script's own CREATE
 * statements) or of a KDA application description, and prints each plan.
 * Exit status 0 when everything planned; 1 with the first error rendered
 * with its caret (eddy_err_render); 2 for usage errors.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "planner.h"
#include "sbuf.h"
#include "udf.h"

static char *slurp(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return NULL;
    sbuf b;
    sbuf_init(&b);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) sbuf_append(&b, buf, n);
    int bad = ferror(f) || b.failed;
    if (f != stdin) fclose(f);
    if (bad) {
        sbuf_free(&b);
        return NULL;
    }
    return sbuf_detach(&b, len);
}

/* A KDA application is a JSON object; anything else is SQL. */
static int looks_like_json(const char *path, const char *text, size_t len) {
    size_t n = strlen(path);
    if (n > 5 && !strcmp(path + n - 5, ".json")) return 1;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') continue;
        return text[i] == '{';
    }
    return 0;
}

static void usage(FILE *f) {
    fprintf(f, "usage: eddy explain FILE.sql|APP.json   (- reads standard input)\n\n"
               "Plans every statement of a SQL application, or of a Kinesis Data Analytics\n"
               "application description (ApplicationCode, Inputs, Outputs), and prints the\n"
               "operator pipeline of each. Exits 1 with the first error and its position.\n");
}

int cli_cmd_explain(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc != 2) {
        usage(stderr);
        return 2;
    }
    const char *path = argv[1];
    size_t len = 0;
    char *text = slurp(path, &len);
    if (!text) {
        fprintf(stderr, "eddy explain: cannot read %s\n", path);
        return 1;
    }
    catalog *cat = catalog_new();
    if (!cat) {
        free(text);
        fprintf(stderr, "eddy explain: out of memory\n");
        return 1;
    }
    sbuf out;
    sbuf_init(&out);
    eddy_err err;
    eddy_err_clear(&err);
    char *code = NULL;
    const char *src = text;
    size_t src_len = len;
    int rc;
    if (looks_like_json(path, text, len)) {
        rc = planner_explain_kda(cat, text, len, &out, &code, &err);
        src = code;
        src_len = code ? strlen(code) : 0;
    } else {
        rc = planner_explain_script(cat, text, len, &out, &err);
    }
    fwrite(out.data, 1, out.len, stdout);
    if (rc != 0) {
        char msg[8192];
        eddy_err_render(&err, src, src_len, msg, sizeof msg);
        fflush(stdout);
        fprintf(stderr, "%s\n", msg);
    }
    free(code);
    sbuf_free(&out);
    catalog_free(cat);
    free(text);
    udf_registry_shutdown();
    return rc == 0 ? 0 : 1;
}
