/*
 * srv_kinesis_fast.c — the request and reply fast path of the data plane
 * (PutRecord, PutRecords, GetShardIterator, GetRecords over JSON).
 *
 * A cJSON tree costs a few allocations per record; at 500 records per
 * PutRecords that dominated the server. Here one pass over a private copy of
 * the body finds the members, writes a NUL over each closing quote so the
 * strings can be used in place, and gives the operation the top-level
 * scalars as a small cJSON object (so the shared validation and helpers work
 * unchanged) and the records as a flat array. Only the well-formed, plain
 * shape is accepted; anything else returns -1 and the caller falls back to
 * cJSON, so every error answer still comes from one place.
 */
#include "srv_kinesis_int.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORDS 500
#define MAX_PK 256

typedef struct scan {
    char *p, *end;
} scan;

static void ws(scan *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

/* At an opening quote: NUL-terminates the string in place and returns it,
 * or NULL for escapes, control characters or a missing closing quote
 * (cases left to cJSON). */
static char *str(scan *s, size_t *len) {
    if (s->p >= s->end || *s->p != '"') return NULL;
    char *start = ++s->p;
    char *q = memchr(start, '"', (size_t)(s->end - start));
    if (!q) return NULL;
    for (char *t = start; t < q; t++)
        if ((unsigned char)*t < 0x20 || *t == '\\') return NULL;
    *q = 0;
    s->p = q + 1;
    *len = (size_t)(q - start);
    return start;
}

/* A number as cJSON reads one: the run of number characters, all of which
 * strtod must take. */
static int num(scan *s, double *out) {
    char buf[64];
    size_t n = 0;
    while (s->p + n < s->end && n < sizeof buf - 1 && strchr("0123456789+-eE.", s->p[n]) && s->p[n])
        n++;
    if (n == 0 || n == sizeof buf - 1) return -1;
    memcpy(buf, s->p, n);
    buf[n] = 0;
    char *e;
    *out = strtod(buf, &e);
    if (e != buf + n) return -1;
    s->p += n;
    return 0;
}

/* ws, then `c` */
static int expect(scan *s, char c) {
    ws(s);
    if (s->p >= s->end || *s->p != c) return -1;
    s->p++;
    return 0;
}

/* One Records entry: {"Data": "...", "PartitionKey": "...", "ExplicitHashKey": "..."}. */
static int record(scan *s, srv_kx_rec *r) {
    memset(r, 0, sizeof *r);
    if (expect(s, '{') != 0) return -1;
    ws(s);
    if (s->p < s->end && *s->p == '}') return -1;   /* nulls: cJSON's path words them */
    for (;;) {
        size_t kl, vl;
        ws(s);
        char *k = str(s, &kl);
        if (!k || expect(s, ':') != 0) return -1;
        ws(s);
        char *v = str(s, &vl);
        if (!v) return -1;
        if (!strcmp(k, "Data") && !r->data) {
            r->data = v;
            r->data_len = vl;
        } else if (!strcmp(k, "PartitionKey") && !r->pk) {
            r->pk = v;
            r->pk_len = vl;
        } else if (!strcmp(k, "ExplicitHashKey") && !r->ehk) {
            r->ehk = v;
        } else {
            return -1;
        }
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (expect(s, '}') != 0) return -1;
        break;
    }
    return r->data && r->pk && r->pk_len >= 1 && r->pk_len <= MAX_PK ? 0 : -1;
}

static int records(scan *s, srv_kx_rec **out, size_t *n) {
    srv_kx_rec *recs = malloc(sizeof *recs * 16);
    size_t cap = 16, m = 0;
    if (!recs || expect(s, '[') != 0) goto fail;
    for (;;) {
        if (m == MAX_RECORDS) goto fail;
        if (m == cap) {
            srv_kx_rec *g = realloc(recs, sizeof *recs * cap * 4);
            if (!g) goto fail;
            recs = g;
            cap *= 4;
        }
        if (record(s, &recs[m++]) != 0) goto fail;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (expect(s, ']') != 0) goto fail;
        break;
    }
    *out = recs;
    *n = m;
    return 0;
fail:
    free(recs);
    return -1;
}

int srv_kx_fast_parse(srv_call *c, const char *body, size_t len, int want_records) {
    char *text = malloc(len + 1);
    cJSON *in = cJSON_CreateObject();
    srv_kx_rec *recs = NULL;
    size_t n_recs = 0;
    if (!text || !in) goto fail;
    memcpy(text, body, len);
    text[len] = 0;
    scan s = {text, text + len};
    if (expect(&s, '{') != 0) goto fail;
    ws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
    } else {
        for (;;) {
            size_t kl, vl;
            ws(&s);
            char *k = str(&s, &kl);
            /* cJSON keeps the first of duplicate members; leave those to it. */
            if (!k || expect(&s, ':') != 0 || cJSON_GetObjectItemCaseSensitive(in, k) ||
                (recs && !strcmp(k, "Records")))
                goto fail;
            ws(&s);
            if (s.p >= s.end) goto fail;
            cJSON *v = NULL;
            if (*s.p == '"') {
                char *sv = str(&s, &vl);
                if (!sv || !(v = cJSON_CreateStringReference(sv))) goto fail;
            } else if (*s.p == '[' && want_records && !strcmp(k, "Records")) {
                if (records(&s, &recs, &n_recs) != 0) goto fail;
            } else if (*s.p == '-' || (*s.p >= '0' && *s.p <= '9')) {
                double d;
                if (num(&s, &d) != 0 || !(v = cJSON_CreateNumber(d))) goto fail;
            } else {
                goto fail;
            }
            if (v) cJSON_AddItemToObjectCS(in, k, v);
            ws(&s);
            if (s.p < s.end && *s.p == ',') {
                s.p++;
                continue;
            }
            if (expect(&s, '}') != 0) goto fail;
            break;
        }
    }
    ws(&s);
    if (s.p != s.end || (want_records && !recs)) goto fail;
    c->in = in;
    c->fast_text = text;
    c->recs = recs;
    c->n_recs = n_recs;
    return 0;
fail:
    cJSON_Delete(in);
    free(recs);
    free(text);
    return -1;
}

void srv_kx_fast_drop(srv_call *c) {
    cJSON_Delete(c->in);
    free(c->recs);
    free(c->fast_text);
    c->in = NULL;
    c->recs = NULL;
    c->n_recs = 0;
    c->fast_text = NULL;
}

/* ------------------------------------------------------------ formatting */

void srv_kx_put_u64(sbuf *b, uint64_t v) {
    char buf[24];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sbuf_append(b, buf + i, sizeof buf - i);
}

/* cJSON's print_number: "%d" for integers within int, else the shortest of
 * "%1.15g" / "%1.17g" that reads back (within its epsilon). */
static void put_double(sbuf *b, double d) {
    char buf[32];
    if (d != d || d - d != 0) {
        sbuf_puts(b, "null");
        return;
    }
    if (d >= INT_MIN && d <= INT_MAX && d == (double)(int)d) {
        snprintf(buf, sizeof buf, "%d", (int)d);
    } else {
        snprintf(buf, sizeof buf, "%1.15g", d);
        double t = strtod(buf, NULL);
        if (fabs(t - d) > fmax(fabs(t), fabs(d)) * DBL_EPSILON) snprintf(buf, sizeof buf, "%1.17g", d);
    }
    sbuf_puts(b, buf);
}

void srv_kx_put_int(sbuf *b, int64_t v) {
    /* Below 10^15 every form cJSON may choose prints the plain digits. */
    if (v > -1000000000000000LL && v < 1000000000000000LL) {
        if (v < 0) sbuf_putc(b, '-');
        srv_kx_put_u64(b, v < 0 ? (uint64_t)-v : (uint64_t)v);
        return;
    }
    put_double(b, (double)v);
}

void srv_kx_put_time(sbuf *b, int64_t ms) {
    /* Up to 12 integer digits plus 3 decimals fit the 15 significant digits
     * of "%1.15g", which then prints the exact decimal: seconds, '.', the
     * millis without trailing zeros. */
    if (ms > -1000000000000000LL && ms < 1000000000000000LL) {
        uint64_t a = ms < 0 ? (uint64_t)-ms : (uint64_t)ms;
        if (ms < 0) sbuf_putc(b, '-');
        srv_kx_put_u64(b, a / 1000);
        unsigned f = (unsigned)(a % 1000);
        if (f) {
            char d[4] = {'.', (char)('0' + f / 100), (char)('0' + f / 10 % 10), (char)('0' + f % 10)};
            size_t n = 4;
            while (d[n - 1] == '0') n--;
            sbuf_append(b, d, n);
        }
        return;
    }
    put_double(b, (double)ms / 1000.0);
}
