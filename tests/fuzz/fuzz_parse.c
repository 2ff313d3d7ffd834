/*
 * fuzz_parse.c — libFuzzer entry point for the SQL front end: lexer, grammar,
 * error rendering and the printer. Any input must parse or fail cleanly;
 * whatever parses must survive print → parse with an equal tree and print
 * the same text twice. A violation aborts, which the fuzzer reports.
 *
 * Built as the libFuzzer target fuzz_parse (EDDY_FUZZ=ON with clang) and,
 * always, into fuzz_replay_parse with replay_main.c, which CTest runs over
 * the saved corpus in tests/fuzz/corpus/parse/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_parse.h"

/* Inputs beyond the dialect's 100 KB code limit add time, not coverage. */
#define MAX_INPUT (128 * 1024)

static void check_round_trip(const ast_stmt *st, arena *a) {
    sbuf p1, p2;
    sbuf_init(&p1);
    sbuf_init(&p2);
    ast_print(st, &p1);
    ast_stmt *again = NULL;
    eddy_err e;
    if (sql_parse_one(p1.data, p1.len, a, &again, &e) != 0) {
        fprintf(stderr, "reprinted statement does not parse: %s\n%s\n", e.msg, p1.data);
        abort();
    }
    if (!ast_stmt_equal(st, again)) {
        fprintf(stderr, "round trip changed the tree:\n%s\n", p1.data);
        abort();
    }
    ast_print(again, &p2);
    if (strcmp(p1.data, p2.data) != 0) {
        fprintf(stderr, "printing is not stable:\n%s\n%s\n", p1.data, p2.data);
        abort();
    }
    sbuf_free(&p1);
    sbuf_free(&p2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > MAX_INPUT) return 0;
    const char *text = (const char *)data;
    arena a;
    arena_init(&a, 0);
    sql_script *s = NULL;
    eddy_err e;
    int rc = sql_parse(text, size, &a, &s, &e);
    if (rc != 0) {
        if (rc != EDDY_E_SYNTAX || !e.has_pos || e.off > size) abort();
        char out[1024];
        eddy_err_render(&e, text, size, out, sizeof out);
    } else {
        for (uint32_t i = 0; i < s->n_stmts; i++) {
            const ast_stmt *st = s->stmts[i];
            if (st->off > size || st->len > size - st->off) abort();
            check_round_trip(st, &a);
        }
    }
    arena_free(&a);
    return 0;
}
