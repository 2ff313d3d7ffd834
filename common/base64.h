/*
 * base64.h — standard base64 (RFC 4648, with padding, no line breaks), as the
 * Kinesis JSON protocol carries record data.
 */
#ifndef EDDY_BASE64_H
#define EDDY_BASE64_H

#include <stddef.h>

/* Bytes needed to encode n bytes, excluding the NUL. */
static inline size_t eddy_b64_enc_len(size_t n) { return (n + 2) / 3 * 4; }

/* Encodes into out (eddy_b64_enc_len(n) + 1 bytes); returns the length. */
size_t eddy_b64_encode(const void *in, size_t n, char *out);

/* Decodes into out (at least n / 4 * 3 + 3 bytes). Returns the decoded length,
 * or (size_t)-1 when the text is not valid base64. */
size_t eddy_b64_decode(const char *in, size_t n, void *out);

#endif
