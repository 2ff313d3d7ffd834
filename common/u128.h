/*
 * u128.h — 128-bit unsigned integers for Kinesis hash keys, and MD5 of a
 * partition key as Kinesis computes it (the digest read as a big-endian
 * 128-bit integer).
 */
#ifndef EDDY_U128_H
#define EDDY_U128_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 eddy_u128;

#define EDDY_U128_MAX (~(eddy_u128)0)

/* Parses a decimal string of 1..39 digits without sign or spaces. Returns 0,
 * or EDDY_E_INVAL when the text is not a decimal number in [0, 2^128-1]. */
int eddy_u128_parse(const char *s, size_t n, eddy_u128 *out);

/* Writes the decimal form into `out` (at least 40 bytes); returns its length. */
size_t eddy_u128_format(eddy_u128 v, char *out);

/* MD5 of `key` as a big-endian 128-bit integer. This function can't fail. */
eddy_u128 eddy_md5_u128(const void *key, size_t n);

/* MD5 digest bytes. */
void eddy_md5(const void *p, size_t n, unsigned char out[16]);

#endif
