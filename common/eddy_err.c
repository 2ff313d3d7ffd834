/*
 * eddy_err.c — error setting, naming and PostgreSQL-style rendering with a
 * caret under the offending text. Used by every layer; the SQL front end is
 * its main client for rendering.
 */
#include "eddy_err.h"
#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void eddy_err_clear(eddy_err *e) {
    if (!e) return;
    e->code = 0;
    e->msg[0] = e->hint[0] = e->detail[0] = '\0';
    e->off = e->len = 0;
    e->has_pos = 0;
}

static void vset(eddy_err *e, int code, const char *fmt, va_list ap) {
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    e->hint[0] = e->detail[0] = '\0';
    e->has_pos = 0;
    e->off = e->len = 0;
}

int eddy_err_set(eddy_err *e, int code, const char *fmt, ...) {
    if (!e) return code;
    va_list ap;
    va_start(ap, fmt);
    vset(e, code, fmt, ap);
    va_end(ap);
    return code;
}

int eddy_err_set_at(eddy_err *e, int code, uint32_t off, uint32_t len,
                    const char *fmt, ...) {
    if (!e) return code;
    va_list ap;
    va_start(ap, fmt);
    vset(e, code, fmt, ap);
    va_end(ap);
    e->off = off;
    e->len = len;
    e->has_pos = 1;
    return code;
}

void eddy_err_hint(eddy_err *e, const char *fmt, ...) {
    if (!e) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof e->hint, fmt, ap);
    va_end(ap);
}

const char *eddy_strerror(int code) {
    switch (code) {
    case EDDY_OK: return "success";
    case EDDY_E_NOMEM: return "out of memory";
    case EDDY_E_INVAL: return "invalid argument";
    case EDDY_E_NOTFOUND: return "resource not found";
    case EDDY_E_INUSE: return "resource in use";
    case EDDY_E_LIMIT: return "limit exceeded";
    case EDDY_E_THROTTLED: return "provisioned throughput exceeded";
    case EDDY_E_EXPIRED: return "iterator expired";
    case EDDY_E_IO: return "i/o error";
    case EDDY_E_CORRUPT: return "data corrupt";
    case EDDY_E_SYNTAX: return "syntax error";
    case EDDY_E_SEMANTIC: return "semantic error";
    case EDDY_E_VALIDATION: return "validation error";
    case EDDY_E_LOCKED: return "data directory locked";
    case EDDY_E_INTERNAL: return "internal error";
    case EDDY_E_EOF: return "end of input";
    case EDDY_E_UNSUPPORTED: return "not supported";
    case EDDY_E_RUNTIME: return "runtime error";
    case EDDY_E_TIMEOUT: return "timed out";
    case EDDY_E_KMS: return "kms error";
    default: return "unknown error";
    }
}

/* Counts code points, not bytes, so carets line up under UTF-8 text. */
void eddy_text_linecol(const char *text, size_t text_len, uint32_t off,
                       int *line, int *col) {
    int l = 1, c = 1;
    if (off > text_len) off = (uint32_t)text_len;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

size_t eddy_err_render(const eddy_err *e, const char *text, size_t text_len,
                       char *out, size_t cap) {
    if (cap == 0) return 0;
    sbuf b;
    sbuf_init(&b);
    if (!e->has_pos || !text) {
        sbuf_printf(&b, "ERROR: %s", e->msg);
    } else {
        int line, col;
        eddy_text_linecol(text, text_len, e->off, &line, &col);
        sbuf_printf(&b, "ERROR: %s (%d:%d)\n", e->msg, line, col);
        /* Find the source line holding the offset. */
        size_t off = e->off > text_len ? text_len : e->off;
        size_t ls = off, le = off;
        while (ls > 0 && text[ls - 1] != '\n') ls--;
        while (le < text_len && text[le] != '\n') le++;
        size_t before = b.len;
        sbuf_printf(&b, "LINE %d: ", line);
        size_t plen = b.len - before;
        sbuf_append(&b, text + ls, le - ls);
        sbuf_putc(&b, '\n');
        /* Caret under the span; the marker stops at the end of the line. */
        for (size_t i = 0; i < plen + (size_t)(col - 1); i++) sbuf_putc(&b, ' ');
        sbuf_putc(&b, '^');
        size_t span = e->len;
        if (off + span > le) span = le > off ? le - off : 0;
        size_t cps = 0;
        for (size_t i = off; i < off + span; i++)
            if (((unsigned char)text[i] & 0xC0) != 0x80) cps++;
        for (size_t i = 1; i < cps; i++) sbuf_putc(&b, '~');
    }
    if (e->detail[0]) sbuf_printf(&b, "\nDETAIL:  %s", e->detail);
    if (e->hint[0]) sbuf_printf(&b, "\nHINT:  %s", e->hint);
    size_t n = b.len < cap - 1 ? b.len : cap - 1;
    memcpy(out, b.data, n);
    out[n] = '\0';
    sbuf_free(&b);
    return n;
}
