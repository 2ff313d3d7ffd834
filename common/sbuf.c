/*
 * sbuf.c — growable buffer (see sbuf.h).
 */
#include "sbuf.h"
#include "eddy_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char sbuf_empty_[1];

void sbuf_init(sbuf *b) {
    b->data = sbuf_empty_;
    b->len = b->cap = 0;
    b->failed = 0;
}

void sbuf_free(sbuf *b) {
    if (b->cap) free(b->data);
    sbuf_init(b);
}

void sbuf_clear(sbuf *b) {
    b->len = 0;
    if (b->cap) b->data[0] = '\0';
}

int sbuf_reserve(sbuf *b, size_t extra) {
    if (b->failed) return EDDY_E_NOMEM;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t ncap = b->cap ? b->cap * 2 : 64;
    while (ncap < b->len + extra + 1) ncap *= 2;
    char *nd = b->cap ? realloc(b->data, ncap) : malloc(ncap);
    if (!nd) {
        b->failed = 1;
        return EDDY_E_NOMEM;
    }
    if (!b->cap) nd[0] = '\0';
    b->data = nd;
    b->cap = ncap;
    return 0;
}

void sbuf_append(sbuf *b, const void *p, size_t n) {
    if (sbuf_reserve(b, n) != 0) return;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sbuf_puts(sbuf *b, const char *s) { sbuf_append(b, s, strlen(s)); }

void sbuf_putc(sbuf *b, char c) {
    if (sbuf_reserve(b, 1) != 0) return;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void sbuf_printf(sbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sbuf_append(b, tmp, (size_t)n);
    } else if (sbuf_reserve(b, (size_t)n) == 0) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void sbuf_json_str(sbuf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    sbuf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        sbuf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': sbuf_puts(b, "\\\""); break;
        case '\\': sbuf_puts(b, "\\\\"); break;
        case '\n': sbuf_puts(b, "\\n"); break;
        case '\r': sbuf_puts(b, "\\r"); break;
        case '\t': sbuf_puts(b, "\\t"); break;
        case '\b': sbuf_puts(b, "\\b"); break;
        case '\f': sbuf_puts(b, "\\f"); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sbuf_append(b, u, 6);
        }
        }
    }
    sbuf_append(b, s + run, n - run);
    sbuf_putc(b, '"');
}

char *sbuf_detach(sbuf *b, size_t *len) {
    char *p;
    if (len) *len = b->len;
    if (b->cap) {
        p = b->data;
    } else {
        p = malloc(1);
        if (p) p[0] = '\0';
    }
    sbuf_init(b);
    return p;
}
