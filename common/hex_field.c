/*
 * hex_field.c — see hex_field.h.
 */
#include "hex_field.h"

#include <stdlib.h>
#include <string.h>

void eddy_hex_field_put(FILE *f, const void *p, size_t n) {
    const unsigned char *b = p;
    if (n == 0) fputc('-', f);
    for (size_t i = 0; i < n; i++) fprintf(f, "%02x", b[i]);
}

char *eddy_hex_field_get(const char *h) {
    if (strcmp(h, "-") == 0) return strdup("");
    size_t n = strlen(h);
    if (n % 2) return NULL;
    char *out = malloc(n / 2 + 1);
    if (!out) return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1) {
            free(out);
            return NULL;
        }
        out[i] = (char)v;
    }
    out[n / 2] = '\0';
    return out;
}
