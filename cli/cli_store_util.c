/*
 * cli_store_util.c — helpers shared by the store subcommands (stream, put,
 * tail, demo): opening a data directory's store, error messages, numeric
 * arguments and how record data is shown. See cli_store_int.h.
 */
#include "cli_store_int.h"

#include "base64.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_store_open(const char *cmd, const char *data_dir, store **out) {
    store_opts o;
    store_opts_init(&o);
    o.data_dir = data_dir;
    eddy_err e;
    eddy_err_clear(&e);
    if (store_open(&o, out, &e) != 0) {
        fprintf(stderr, "eddy %s: cannot open data directory %s: %s\n", cmd, data_dir,
                e.msg[0] ? e.msg : eddy_strerror(e.code));
        if (e.code == EDDY_E_LOCKED)
            fprintf(stderr, "HINT:  Another eddy process is using it; stop it or use its API.\n");
        return 1;
    }
    return 0;
}

int cli_fail(const char *cmd, const eddy_err *e) {
    fprintf(stderr, "eddy %s: %s\n", cmd, e->msg[0] ? e->msg : eddy_strerror(e->code));
    if (e->hint[0]) fprintf(stderr, "HINT:  %s\n", e->hint);
    return 1;
}

int cli_parse_int(const char *cmd, const char *what, const char *s, long min, long max,
                  long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "eddy %s: %s must be an integer from %ld to %ld, not \"%s\"\n", cmd,
                what, min, max, s);
        return 2;
    }
    *out = v;
    return 0;
}

int cli_is_printable_utf8(const unsigned char *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0x7f) return 0;
            i++;
            continue;
        }
        size_t len;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        else
            return 0;
        if (i + len > n) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        /* Overlong forms, surrogates and code points past U+10FFFF. */
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        /* C1 controls would upset a terminal as much as C0 ones. */
        if (cp >= 0x80 && cp < 0xA0) return 0;
        i += len;
    }
    return 1;
}

static void put_b64(sbuf *b, const void *data, size_t n) {
    size_t m = eddy_b64_enc_len(n);
    if (sbuf_reserve(b, m + 1) != 0) return;
    char *tmp = malloc(m + 1);
    if (!tmp) return;
    eddy_b64_encode(data, n, tmp);
    sbuf_append(b, tmp, m);
    free(tmp);
}

void cli_render_data(sbuf *b, const void *data, size_t n, int json) {
    int text = cli_is_printable_utf8(data, n);
    if (json) {
        if (text) {
            sbuf_puts(b, "\"data\":");
            sbuf_json_str(b, data, n);
        } else {
            sbuf_puts(b, "\"data_base64\":\"");
            put_b64(b, data, n);
            sbuf_putc(b, '"');
        }
        return;
    }
    if (text) {
        sbuf_append(b, data, n);
    } else {
        sbuf_puts(b, "base64:");
        put_b64(b, data, n);
    }
}
