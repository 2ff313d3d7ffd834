/*
 * sbuf.h — a growable byte/string buffer (Redis sds in spirit, but a plain
 * struct the caller owns). The data is always NUL-terminated. On allocation
 * failure the buffer sets `failed` and further appends are ignored.
 */
#ifndef EDDY_SBUF_H
#define EDDY_SBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct sbuf {
    char *data;    /* read-only: NUL-terminated contents (never NULL after init) */
    size_t len;    /* read-only: bytes used, excluding the NUL */
    size_t cap;    /* private */
    int failed;    /* read-only: sticky allocation failure */
} sbuf;

void sbuf_init(sbuf *b);
void sbuf_free(sbuf *b);
/* Empties the buffer, keeping its memory. */
void sbuf_clear(sbuf *b);
/* Ensures room for `extra` more bytes; returns 0 or EDDY_E_NOMEM. */
int sbuf_reserve(sbuf *b, size_t extra);
void sbuf_append(sbuf *b, const void *p, size_t n);
void sbuf_puts(sbuf *b, const char *s);
void sbuf_putc(sbuf *b, char c);
void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends `s` as a JSON string literal, quotes included. */
void sbuf_json_str(sbuf *b, const char *s, size_t n);
/* Transfers the buffer's memory to the caller (free with free()); the buffer
 * is left empty and initialised. */
char *sbuf_detach(sbuf *b, size_t *len);

#endif
