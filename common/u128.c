/*
 * u128.c — decimal conversion of 128-bit keys and partition-key hashing.
 * MD5 comes from md5.c.
 */
#include "u128.h"
#include "eddy_err.h"

#include "md5.h"
#include <string.h>

int eddy_u128_parse(const char *s, size_t n, eddy_u128 *out) {
    if (n == 0 || n > 39) return EDDY_E_INVAL;
    eddy_u128 v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return EDDY_E_INVAL;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (EDDY_U128_MAX - d) / 10) return EDDY_E_INVAL;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

size_t eddy_u128_format(eddy_u128 v, char *out) {
    char tmp[40];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

/* MD5 is the portable implementation in md5.c: OpenSSL 3 re-fetches the
 * digest on every one-shot call, which costs more than the hash of a short
 * partition key, and a cached per-thread context leaks at thread exit. */
void eddy_md5(const void *p, size_t n, unsigned char out[16]) { eddy_md5_fast(p, n, out); }

eddy_u128 eddy_md5_u128(const void *key, size_t n) { return eddy_md5_fast_u128(key, n); }
