/*
 * hex_field.h — bytes as one whitespace-free field of a line-oriented text
 * file (the store's catalog, hosted applications' positions files): lower-
 * case hex, "-" for no bytes, so names with spaces or newlines stay one
 * field.
 */
#ifndef EDDY_HEX_FIELD_H
#define EDDY_HEX_FIELD_H

#include <stddef.h>
#include <stdio.h>

/* Writes n bytes at p as a field. */
void eddy_hex_field_put(FILE *f, const void *p, size_t n);

/* Decodes a field into a malloc'd NUL-terminated string (the bytes may
 * hold NULs of their own); NULL when it is not hex or memory ran out. */
char *eddy_hex_field_get(const char *h);

#endif
