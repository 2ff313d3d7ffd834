/*
 * store_seq.c — sequence-number text and small shared text helpers.
 *
 * A sequence number is v = (stream counter << 32) | shard index. Its text is
 * "49" followed by v as 54 zero-padded decimal digits (56 characters, like
 * current AWS values), so comparing texts of equal length compares numbers.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

#define SEQ_DIGITS 54

size_t store_seq_format(store_seq seq, char *out) {
    char dec[48];
    size_t n = eddy_u128_format(seq, dec);
    out[0] = '4';
    out[1] = '9';
    size_t pad = SEQ_DIGITS - n;
    memset(out + 2, '0', pad);
    memcpy(out + 2 + pad, dec, n);
    out[2 + SEQ_DIGITS] = '\0';
    return 2 + SEQ_DIGITS;
}

int store_seq_parse(const char *s, size_t n, store_seq *out) {
    if (!s || n != 2 + SEQ_DIGITS || s[0] != '4' || s[1] != '9') return EDDY_E_INVAL;
    eddy_u128 v = 0;
    for (size_t i = 2; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return EDDY_E_INVAL;
        v = v * 10 + (unsigned)(s[i] - '0');
        /* The counter is 64 bits and the index 32: anything wider is not ours. */
        if (v >> 96) return EDDY_E_INVAL;
    }
    *out = v;
    return 0;
}

void store__shard_id(uint32_t index, char out[STORE_SHARD_ID_MAX]) {
    snprintf(out, STORE_SHARD_ID_MAX, "shardId-%012u", index);
}
