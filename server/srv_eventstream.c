/*
 * srv_eventstream.c — encoder and decoder of AWS event-stream frames
 * (see srv_eventstream.h). All integers are big-endian; both CRCs are the
 * zlib CRC-32 (eddy_crc32), the prelude CRC over the first 8 bytes and the
 * message CRC over everything before it.
 */
#include "srv_eventstream.h"

#include <string.h>

#include "checksum.h"

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int srv_es_encode(sbuf *out, const srv_es_header *h, size_t nh, const void *payload,
                  size_t payload_len) {
    size_t hlen = 0;
    for (size_t i = 0; i < nh; i++) {
        size_t nl = strlen(h[i].name), vl = strlen(h[i].value);
        if (nl == 0 || nl > 255 || vl > 65535) return EDDY_E_INVAL;
        hlen += 1 + nl + 1 + 2 + vl;
    }
    if (hlen > SRV_ES_MAX_HEADERS || payload_len > SRV_ES_MAX_PAYLOAD) return EDDY_E_INVAL;
    size_t total = 12 + hlen + payload_len + 4;
    if (sbuf_reserve(out, total) != 0) return EDDY_E_NOMEM;
    size_t start = out->len;
    uint8_t pre[12];
    put_u32(pre, (uint32_t)total);
    put_u32(pre + 4, (uint32_t)hlen);
    put_u32(pre + 8, eddy_crc32(0, pre, 8));
    sbuf_append(out, pre, 12);
    for (size_t i = 0; i < nh; i++) {
        size_t nl = strlen(h[i].name), vl = strlen(h[i].value);
        uint8_t b[4] = {(uint8_t)nl, 7, (uint8_t)(vl >> 8), (uint8_t)vl};
        sbuf_append(out, b, 1);
        sbuf_append(out, h[i].name, nl);
        sbuf_append(out, b + 1, 3);
        sbuf_append(out, h[i].value, vl);
    }
    if (payload_len) sbuf_append(out, payload, payload_len);
    uint8_t crc[4];
    put_u32(crc, eddy_crc32(0, out->data + start, out->len - start));
    sbuf_append(out, crc, 4);
    return out->failed ? EDDY_E_NOMEM : 0;
}

/* Value sizes of the fixed-width header types (KINESIS-API.md §1.6); -1 for
 * the length-prefixed ones (6 bytes, 7 string). */
static int fixed_size(uint8_t type) {
    static const int sz[] = {0, 0, 1, 2, 4, 8, -1, -1, 8, 16};
    return type < sizeof sz / sizeof sz[0] ? sz[type] : -2;
}

long srv_es_decode(const uint8_t *p, size_t n, srv_es_message *m, eddy_err *err) {
    if (n < 12) return 0;
    uint32_t total = get_u32(p), hlen = get_u32(p + 4);
    if (eddy_crc32(0, p, 8) != get_u32(p + 8))
        return eddy_err_set(err, EDDY_E_CORRUPT, "event stream prelude checksum mismatch");
    if (total < 16 || hlen > total - 16 || hlen > SRV_ES_MAX_HEADERS ||
        total - 16 - hlen > SRV_ES_MAX_PAYLOAD)
        return eddy_err_set(err, EDDY_E_INVAL, "event stream frame lengths are invalid");
    if (n < total) return 0;
    if (eddy_crc32(0, p, total - 4) != get_u32(p + total - 4))
        return eddy_err_set(err, EDDY_E_CORRUPT, "event stream message checksum mismatch");
    memset(m, 0, sizeof *m);
    const uint8_t *h = p + 12, *he = h + hlen;
    while (h < he) {
        size_t nl = *h++;
        if (nl == 0 || (size_t)(he - h) < nl + 1)
            return eddy_err_set(err, EDDY_E_INVAL, "event stream header is truncated");
        const char *name = (const char *)h;
        h += nl;
        uint8_t type = *h++;
        int fs = fixed_size(type);
        size_t vl;
        if (fs == -2) return eddy_err_set(err, EDDY_E_INVAL, "unknown event stream header type %u", type);
        if (fs == -1) {
            if (he - h < 2) return eddy_err_set(err, EDDY_E_INVAL, "event stream header is truncated");
            vl = (size_t)h[0] << 8 | h[1];
            h += 2;
        } else {
            vl = (size_t)fs;
        }
        if ((size_t)(he - h) < vl)
            return eddy_err_set(err, EDDY_E_INVAL, "event stream header is truncated");
        if (m->n_headers == SRV_ES_MAX_DECODED_HEADERS)
            return eddy_err_set(err, EDDY_E_INVAL, "too many event stream headers");
        m->headers[m->n_headers].name = name;
        m->headers[m->n_headers].name_len = nl;
        m->headers[m->n_headers].type = type;
        m->headers[m->n_headers].value = (const char *)h;
        m->headers[m->n_headers].value_len = vl;
        m->n_headers++;
        h += vl;
    }
    m->payload = he;
    m->payload_len = total - 16 - hlen;
    return (long)total;
}

const char *srv_es_header_get(const srv_es_message *m, const char *name, size_t *len) {
    size_t nl = strlen(name);
    for (size_t i = 0; i < m->n_headers; i++) {
        if (m->headers[i].type == 7 && m->headers[i].name_len == nl &&
            memcmp(m->headers[i].name, name, nl) == 0) {
            if (len) *len = m->headers[i].value_len;
            return m->headers[i].value;
        }
    }
    return NULL;
}
