/*
 * u128.c — decimal conversion of 128-bit keys and partition-key hashing.
 * MD5 comes from OpenSSL; the EVP context is cached per thread because the
 * store hashes every record it appends.
 */
#include "u128.h"
#include "eddy_err.h"

#include <openssl/evp.h>
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

static _Thread_local EVP_MD_CTX *md5_ctx;
static _Thread_local const EVP_MD *md5_md;

void eddy_md5(const void *p, size_t n, unsigned char out[16]) {
    if (!md5_ctx) {
        md5_ctx = EVP_MD_CTX_new();
        md5_md = EVP_md5();
    }
    unsigned int len = 16;
    if (!md5_ctx || EVP_DigestInit_ex(md5_ctx, md5_md, NULL) != 1 ||
        EVP_DigestUpdate(md5_ctx, p, n) != 1 ||
        EVP_DigestFinal_ex(md5_ctx, out, &len) != 1) {
        /* EVP only fails on allocation failure; a zero digest keeps callers
         * total rather than crashing. */
        memset(out, 0, 16);
    }
}

eddy_u128 eddy_md5_u128(const void *key, size_t n) {
    unsigned char d[16];
    eddy_md5(key, n, d);
    eddy_u128 v = 0;
    for (int i = 0; i < 16; i++) v = (v << 8) | d[i];
    return v;
}
