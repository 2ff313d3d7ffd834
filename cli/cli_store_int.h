/*
 * cli_store_int.h — helpers shared by the store subcommands of cli/
 * (stream, put, tail, demo): opening the store of a data directory, error
 * reporting, number and hash-key arguments, record text rendering.
 * Private to cli/; implemented in cli/cli_store_util.c.
 */
#ifndef EDDY_CLI_STORE_INT_H
#define EDDY_CLI_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "eddy_err.h"
#include "sbuf.h"
#include "store.h"

/* Opens the store of `data_dir` (created if absent) with the default
 * durability policy. On failure prints "eddy CMD: ..." on stderr and
 * returns non-zero; `*out` is owned by the caller (store_close). */
int cli_store_open(const char *cmd, const char *data_dir, store **out);

/* Prints "eddy CMD: <message>" for a failed store call on stderr, with the
 * error's hint when it has one. Always returns 1 (the failure exit status). */
int cli_fail(const char *cmd, const eddy_err *e);

/* Parses a decimal integer argument within [min, max]. Returns 0, or prints
 * "eddy CMD: WHAT must be ..." and returns 2 (the usage exit status). */
int cli_parse_int(const char *cmd, const char *what, const char *s, long min, long max,
                  long *out);

/* Appends a record's data. Text form (`json` = 0): the data itself when it
 * is printable UTF-8, else "base64:" and its base64. JSON form: the member
 * `"data":"<escaped text>"` or `"data_base64":"<base64>"`. */
void cli_render_data(sbuf *b, const void *data, size_t n, int json);

/* 1 when `p[0..n)` is valid UTF-8 without control characters (tabs aside). */
int cli_is_printable_utf8(const unsigned char *p, size_t n);

#endif
