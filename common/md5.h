/*
 * md5.h — a self-contained MD5 (RFC 1321) for hot paths.
 *
 * The store hashes every partition key it routes. Going through OpenSSL's
 * EVP interface (u128.h's eddy_md5) costs several hundred nanoseconds per
 * call in OpenSSL 3 (the digest is re-fetched on every init), which capped
 * batched puts at about a quarter of their speed without hashing. This plain
 * implementation gives the same digests with no allocation and no
 * per-thread state. It can't fail.
 */
#ifndef EDDY_MD5_H
#define EDDY_MD5_H

#include <stddef.h>

#include "u128.h"

/* MD5 digest of `n` bytes at `p` into out. `p` may be NULL when n == 0. */
void eddy_md5_fast(const void *p, size_t n, unsigned char out[16]);

/* MD5 of `key` read as a big-endian 128-bit integer, as Kinesis maps a
 * partition key to a hash key. Equal to eddy_md5_u128(). */
eddy_u128 eddy_md5_fast_u128(const void *key, size_t n);

#endif
