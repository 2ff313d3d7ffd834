/*
 * srv_cbor.h — CBOR (RFC 8949) bodies of the Kinesis API for the Java SDKs
 * and the KCL (Content-Type application/x-amz-cbor-1.1), converted to and
 * from the cJSON shape of the JSON protocol so one code path serves both.
 *
 * AWS quirks (KINESIS-API.md §1.3): blobs are byte strings, which decode to
 * base64 text (as JSON carries them) and encode back from the members named
 * "Data"; timestamps are tag 1 wrapping epoch MILLISECONDS, which decode to
 * JSON seconds (fractional) and encode back from the timestamp members.
 */
#ifndef EDDY_SRV_CBOR_H
#define EDDY_SRV_CBOR_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "eddy_err.h"
#include "sbuf.h"

/* Decodes one CBOR data item filling all of p[0..n). `*out` is owned by the
 * caller (cJSON_Delete). EDDY_E_INVAL with a message on malformed input,
 * trailing bytes, nesting deeper than 64, or unsupported items. */
int srv_cbor_decode(const void *p, size_t n, cJSON **out, eddy_err *err);

/* Appends the CBOR form of `v` (borrowed) to `out`. Members named "Data"
 * holding base64 become byte strings; members whose name ends in
 * "Timestamp" become tag 1 + integer ms. Returns 0 or EDDY_E_NOMEM. */
int srv_cbor_encode(const cJSON *v, sbuf *out);

#endif
