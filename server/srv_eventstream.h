/*
 * srv_eventstream.h — AWS event-stream framing
 * (application/vnd.amazon.eventstream, KINESIS-API.md §1.6) for
 * SubscribeToShard: prelude (total length, headers length, CRC-32), typed
 * headers, payload, message CRC-32. The decoder exists for tests and for
 * clients inside eddy.
 */
#ifndef EDDY_SRV_EVENTSTREAM_H
#define EDDY_SRV_EVENTSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "eddy_err.h"
#include "sbuf.h"

#define SRV_ES_MAX_PAYLOAD (24u * 1024 * 1024)
#define SRV_ES_MAX_HEADERS (128u * 1024)
#define SRV_ES_MAX_DECODED_HEADERS 16

/* A string-typed header (type 7), the only kind Kinesis sends. */
typedef struct srv_es_header {
    const char *name;
    const char *value;
} srv_es_header;

/* Appends one frame to `out`. Returns 0, or EDDY_E_INVAL when a name is
 * longer than 255 bytes, a value longer than 65535, or the limits above are
 * exceeded (nothing is appended then). */
int srv_es_encode(sbuf *out, const srv_es_header *h, size_t nh, const void *payload,
                  size_t payload_len);

/* A decoded frame: views into the input buffer. String header values are not
 * NUL-terminated (use the lengths). Other header types are skipped over. */
typedef struct srv_es_message {
    size_t n_headers;
    struct {
        const char *name;
        size_t name_len;
        uint8_t type;
        const char *value;
        size_t value_len;
    } headers[SRV_ES_MAX_DECODED_HEADERS];
    const uint8_t *payload;
    size_t payload_len;
} srv_es_message;

/* Decodes the frame at the start of p[0..n). Returns the frame length (>0),
 * 0 when more bytes are needed, or a negative EDDY_E_CORRUPT / EDDY_E_INVAL
 * (bad CRC, bad lengths, bad header) with a message. */
long srv_es_decode(const uint8_t *p, size_t n, srv_es_message *m, eddy_err *err);

/* Finds a string header by name in a decoded frame; NULL when absent.
 * *len gets its length. */
const char *srv_es_header_get(const srv_es_message *m, const char *name, size_t *len);

#endif
