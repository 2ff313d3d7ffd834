/*
 * srv_cbor.c — a small CBOR codec between request/response bodies and cJSON
 * (see srv_cbor.h). Decoding accepts everything RFC 8949 allows in a body
 * (definite and indefinite lengths, half/single/double floats, any tag);
 * encoding uses the shortest heads, definite lengths, and float64 only for
 * non-integral numbers. Small by design, and covered by golden vectors in
 * tests/unit/check_server_api.c.
 */
#include "srv_cbor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

#define MAX_DEPTH 64

typedef struct reader {
    const uint8_t *p, *end;
    eddy_err *err;
    int failed;
} reader;

static cJSON *fail(reader *r, const char *msg) {
    if (!r->failed) eddy_err_set(r->err, EDDY_E_INVAL, "invalid CBOR: %s", msg);
    r->failed = 1;
    return NULL;
}

/* Reads an item head. *arg is the length/value; *indef is set for
 * indefinite-length items (additional info 31). Returns 0 or -1. */
static int head(reader *r, int *major, int *info, uint64_t *arg, int *indef) {
    if (r->p >= r->end) return fail(r, "truncated"), -1;
    uint8_t b = *r->p++;
    *major = b >> 5;
    *info = b & 31;
    *indef = 0;
    *arg = 0;
    if (*info < 24) {
        *arg = (uint64_t)*info;
        return 0;
    }
    if (*info == 31) {
        *indef = 1;
        return 0;
    }
    if (*info > 27) return fail(r, "reserved additional information"), -1;
    size_t n = (size_t)1 << (*info - 24);
    if ((size_t)(r->end - r->p) < n) return fail(r, "truncated"), -1;
    for (size_t i = 0; i < n; i++) *arg = *arg << 8 | *r->p++;
    return 0;
}

static int is_break(reader *r) {
    if (r->p < r->end && *r->p == 0xff) {
        r->p++;
        return 1;
    }
    return 0;
}

/* Reads a byte or text string (major 2 or 3, definite or chunked) into a
 * new buffer with a trailing NUL. */
static char *read_string(reader *r, int major, uint64_t arg, int indef, size_t *len) {
    if (!indef) {
        if (arg > (uint64_t)(r->end - r->p)) return fail(r, "string runs past the end"), NULL;
        char *s = malloc((size_t)arg + 1);
        if (!s) return fail(r, "out of memory"), NULL;
        memcpy(s, r->p, (size_t)arg);
        s[arg] = 0;
        r->p += arg;
        *len = (size_t)arg;
        return s;
    }
    char *acc = malloc(1);
    size_t n = 0;
    if (!acc) return fail(r, "out of memory"), NULL;
    while (!is_break(r)) {
        int m, info, ind;
        uint64_t a;
        if (head(r, &m, &info, &a, &ind) != 0 || m != major || ind ||
            a > (uint64_t)(r->end - r->p)) {
            free(acc);
            return fail(r, "bad string chunk"), NULL;
        }
        char *grown = realloc(acc, n + (size_t)a + 1);
        if (!grown) {
            free(acc);
            return fail(r, "out of memory"), NULL;
        }
        acc = grown;
        memcpy(acc + n, r->p, (size_t)a);
        n += (size_t)a;
        r->p += a;
    }
    acc[n] = 0;
    *len = n;
    return acc;
}

static double half_to_double(uint16_t h) {
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? ldexp(m, -24) : e != 31 ? ldexp(m + 1024, e - 25) : (m == 0 ? INFINITY : NAN);
    return (h & 0x8000) ? -v : v;
}

static cJSON *item(reader *r, int depth);

static cJSON *container(reader *r, int major, uint64_t arg, int indef, int depth) {
    cJSON *c = major == 4 ? cJSON_CreateArray() : cJSON_CreateObject();
    if (!c) return fail(r, "out of memory");
    for (uint64_t i = 0; indef || i < arg; i++) {
        if (indef && is_break(r)) break;
        if (!indef && (uint64_t)(r->end - r->p) < arg - i) break;   /* each item is at least 1 byte */
        if (major == 4) {
            cJSON *v = item(r, depth + 1);
            if (!v) break;
            cJSON_AddItemToArray(c, v);
            continue;
        }
        int m, info, ind;
        uint64_t a;
        if (head(r, &m, &info, &a, &ind) != 0) break;
        if (m != 3) {
            fail(r, "map key is not a text string");
            break;
        }
        size_t kl;
        char *key = read_string(r, 3, a, ind, &kl);
        if (!key) break;
        if (strlen(key) != kl) {
            free(key);
            fail(r, "NUL in map key");
            break;
        }
        cJSON *v = item(r, depth + 1);
        if (!v) {
            free(key);
            break;
        }
        cJSON_AddItemToObject(c, key, v);
        free(key);
    }
    if (!r->failed && !indef && cJSON_GetArraySize(c) != (int)arg && major == 4) fail(r, "truncated array");
    if (!r->failed && !indef && major == 5 && cJSON_GetArraySize(c) < (int)arg) fail(r, "truncated map");
    if (r->failed) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

static cJSON *item(reader *r, int depth) {
    if (depth > MAX_DEPTH) return fail(r, "nested too deeply");
    int major, info, indef;
    uint64_t arg;
    if (head(r, &major, &info, &arg, &indef) != 0) return NULL;
    if (indef && (major < 2 || major == 6)) return fail(r, "indefinite length on a scalar");
    switch (major) {
    case 0: return cJSON_CreateNumber((double)arg);
    case 1: return cJSON_CreateNumber(-1.0 - (double)arg);
    case 2: case 3: {
        size_t n;
        char *s = read_string(r, major, arg, indef, &n);
        if (!s) return NULL;
        cJSON *v;
        if (major == 2) {
            char *b64 = malloc(eddy_b64_enc_len(n) + 1);
            if (!b64) {
                free(s);
                return fail(r, "out of memory");
            }
            eddy_b64_encode(s, n, b64);
            v = cJSON_CreateString(b64);
            free(b64);
        } else {
            if (strlen(s) != n) {
                free(s);
                return fail(r, "NUL in text string");
            }
            v = cJSON_CreateString(s);
        }
        free(s);
        return v ? v : fail(r, "out of memory");
    }
    case 4: case 5: return container(r, major, arg, indef, depth);
    case 6: {
        cJSON *v = item(r, depth + 1);
        /* AWS quirk: tag 1 carries epoch milliseconds; JSON carries seconds. */
        if (v && arg == 1) {
            if (!cJSON_IsNumber(v)) {
                cJSON_Delete(v);
                return fail(r, "tag 1 does not wrap a number");
            }
            cJSON_SetNumberValue(v, v->valuedouble / 1000.0);
        }
        return v;
    }
    default:
        if (indef) return fail(r, "unexpected break");
        switch (info) {
        case 20: return cJSON_CreateFalse();
        case 21: return cJSON_CreateTrue();
        case 22: case 23: return cJSON_CreateNull();
        case 25: return cJSON_CreateNumber(half_to_double((uint16_t)arg));
        case 26: {
            uint32_t u = (uint32_t)arg;
            float f;
            memcpy(&f, &u, 4);
            return cJSON_CreateNumber(f);
        }
        case 27: {
            double d;
            memcpy(&d, &arg, 8);
            return cJSON_CreateNumber(d);
        }
        default: return fail(r, "unsupported simple value");
        }
    }
}

int srv_cbor_decode(const void *p, size_t n, cJSON **out, eddy_err *err) {
    reader r = {(const uint8_t *)p, (const uint8_t *)p + n, err, 0};
    *out = NULL;
    cJSON *v = item(&r, 0);
    if (!v) return EDDY_E_INVAL;
    if (r.p != r.end) {
        cJSON_Delete(v);
        return eddy_err_set(err, EDDY_E_INVAL, "invalid CBOR: %zu trailing bytes", (size_t)(r.end - r.p));
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------ encoding */

static void put_head(sbuf *o, int major, uint64_t v) {
    uint8_t b[9];
    size_t n;
    if (v < 24) {
        b[0] = (uint8_t)(major << 5 | (int)v);
        n = 1;
    } else {
        int bytes = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
        b[0] = (uint8_t)(major << 5 | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27));
        for (int i = 0; i < bytes; i++) b[1 + i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
        n = 1 + (size_t)bytes;
    }
    sbuf_append(o, b, n);
}

static void put_number(sbuf *o, double d) {
    if (d == floor(d) && fabs(d) < 9.2e18) {
        if (d >= 0) put_head(o, 0, (uint64_t)d);
        else put_head(o, 1, (uint64_t)(-1.0 - d));
        return;
    }
    uint64_t u;
    memcpy(&u, &d, 8);
    uint8_t b[9] = {0xfb};
    for (int i = 0; i < 8; i++) b[1 + i] = (uint8_t)(u >> (56 - 8 * i));
    sbuf_append(o, b, 9);
}

static int ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static void encode(const cJSON *v, const char *key, sbuf *o) {
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        put_head(o, cJSON_IsObject(v) ? 5 : 4, (uint64_t)cJSON_GetArraySize(v));
        for (const cJSON *c = v->child; c; c = c->next) {
            if (cJSON_IsObject(v)) {
                put_head(o, 3, strlen(c->string));
                sbuf_puts(o, c->string);
            }
            encode(c, cJSON_IsObject(v) ? c->string : NULL, o);
        }
    } else if (cJSON_IsString(v)) {
        size_t n = strlen(v->valuestring);
        if (key && !strcmp(key, "Data")) {
            unsigned char *bytes = malloc(n / 4 * 3 + 4);
            size_t m = bytes ? eddy_b64_decode(v->valuestring, n, bytes) : (size_t)-1;
            if (m != (size_t)-1) {
                put_head(o, 2, m);
                sbuf_append(o, bytes, m);
                free(bytes);
                return;
            }
            free(bytes);
        }
        put_head(o, 3, n);
        sbuf_append(o, v->valuestring, n);
    } else if (cJSON_IsNumber(v)) {
        if (key && ends_with(key, "Timestamp")) {
            put_head(o, 6, 1);
            put_number(o, floor(v->valuedouble * 1000.0 + 0.5));
        } else {
            put_number(o, v->valuedouble);
        }
    } else if (cJSON_IsBool(v)) {
        sbuf_putc(o, cJSON_IsTrue(v) ? (char)0xf5 : (char)0xf4);
    } else {
        sbuf_putc(o, (char)0xf6);
    }
}

int srv_cbor_encode(const cJSON *v, sbuf *out) {
    encode(v, NULL, out);
    return out->failed ? EDDY_E_NOMEM : 0;
}
