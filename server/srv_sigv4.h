/*
 * srv_sigv4.h — AWS Signature Version 4 checks for the Kinesis API
 * (KINESIS-API.md §1.5). Without a key file the server only checks that
 * the Authorization header is present and well formed (as kinesalite
 * does); with `--auth KEYFILE` it recomputes the signature with the secret
 * of the access key and compares in constant time.
 *
 * Pure functions over a parsed request; srv_kinesis.c turns a failure into
 * the AWS error (type + message) it names.
 */
#ifndef EDDY_SRV_SIGV4_H
#define EDDY_SRV_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "eddy_err.h"
#include "srv_http.h"

typedef struct srv_sigv4_keys srv_sigv4_keys;   /* opaque: access key id -> secret */

/* Loads "ACCESS_KEY_ID SECRET" lines ('#' comments and blank lines
 * allowed). `*out` is owned by the caller (srv_sigv4_keys_free). */
int srv_sigv4_keys_load(const char *path, srv_sigv4_keys **out, eddy_err *err);
/* Adds one pair (for tests and the loader). Returns 0 or EDDY_E_NOMEM. */
int srv_sigv4_keys_add(srv_sigv4_keys **keys, const char *akid, const char *secret);
void srv_sigv4_keys_free(srv_sigv4_keys *k);

/* The outcome of a check: type is NULL when the request passes, otherwise
 * the AWS error shape name, with message filled. */
typedef struct srv_sigv4_result {
    const char *type;
    char message[640];
} srv_sigv4_result;

/* Checks a request. keys NULL: presence and shape only. region: the one the
 * credential scope must name (ignored when keys is NULL). now_ms: wall clock
 * for the ±5 minute skew check. This function can't fail otherwise. */
void srv_sigv4_check(const srv_request *req, const srv_sigv4_keys *keys, const char *region,
                     int64_t now_ms, srv_sigv4_result *res);

/* Computes the hex signature (65 bytes incl. NUL) AWS expects for a request
 * with the given signed headers, date (YYYYMMDDTHHMMSSZ), scope parts and
 * secret. Exposed for unit tests against AWS's published vectors. Returns
 * 0, or EDDY_E_INVAL when a signed header is missing. */
int srv_sigv4_sign(const srv_request *req, const char *signed_headers, const char *amz_date,
                   const char *region, const char *service, const char *secret,
                   char out_hex[65]);

#endif
