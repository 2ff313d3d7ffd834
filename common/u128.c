/*
 * u128.c — decimal conversion of 128-bit keys and partition-key hashing.
 * MD5 comes from md5.c.
 */
#include "u128.h"
#include "eddy_err.h"

#include "md5.h"
#include <string.h>

/* Digits are gathered 19 at a time in 64-bit arithmetic, and only a
 * 39-digit text can exceed 2^128-1 (10^38 < 2^128), which a comparison with
 * the maximum's digits settles: no 128-bit division at all (the store parses
 * an explicit hash key for every record it appends). */
int eddy_u128_parse(const char *s, size_t n, eddy_u128 *out) {
    static const char max_digits[] = "340282366920938463463374607431768211455";
    static const uint64_t pow10[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
                                       10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
                                       100000000000ull, 1000000000000ull, 10000000000000ull,
                                       100000000000000ull, 1000000000000000ull, 10000000000000000ull,
                                       100000000000000000ull, 1000000000000000000ull,
                                       10000000000000000000ull};
    if (n == 0 || n > 39) return EDDY_E_INVAL;
    eddy_u128 v = 0;
    for (size_t i = 0; i < n;) {
        size_t k = n - i < 19 ? n - i : 19;
        uint64_t chunk = 0;
        for (size_t j = 0; j < k; j++) {
            unsigned d = (unsigned)((unsigned char)s[i + j] - '0');
            if (d > 9) return EDDY_E_INVAL;
            chunk = chunk * 10 + d;
        }
        v = v * pow10[k] + chunk;
        i += k;
    }
    if (n == 39 && memcmp(s, max_digits, 39) > 0) return EDDY_E_INVAL;
    *out = v;
    return 0;
}

/* Splits off 19 digits at a time with one 128-bit division each; the rest is
 * 64-bit arithmetic. */
size_t eddy_u128_format(eddy_u128 v, char *out) {
    const uint64_t e19 = 10000000000000000000ull;
    uint64_t parts[3];
    int np = 0;
    do {
        parts[np++] = (uint64_t)(v % e19);
        v /= e19;
    } while (v);
    size_t n = 0;
    char tmp[20];
    for (int p = np - 1; p >= 0; p--) {
        uint64_t x = parts[p];
        size_t t = 0;
        do {
            tmp[t++] = (char)('0' + (int)(x % 10));
            x /= 10;
        } while (x);
        if (p != np - 1)
            for (; t < 19; t++) tmp[t] = '0';   /* inner parts are zero-padded */
        while (t) out[n++] = tmp[--t];
    }
    out[n] = '\0';
    return n;
}

/* MD5 is the portable implementation in md5.c: OpenSSL 3 re-fetches the
 * digest on every one-shot call, which costs more than the hash of a short
 * partition key, and a cached per-thread context leaks at thread exit. */
void eddy_md5(const void *p, size_t n, unsigned char out[16]) { eddy_md5_fast(p, n, out); }

eddy_u128 eddy_md5_u128(const void *key, size_t n) { return eddy_md5_fast_u128(key, n); }
