/*
 * srv_sigv4.c — AWS Signature Version 4 verification (KINESIS-API.md §1.5)
 * for the Kinesis API: header ("Authorization: AWS4-HMAC-SHA256 ...") and
 * query-string (presigned) forms. Without keys only presence and shape are
 * checked, as kinesalite does; with keys the signature is recomputed with
 * OpenSSL HMAC-SHA256 and compared in constant time.
 */
#include "srv_sigv4.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sbuf.h"

struct srv_sigv4_keys {
    char *akid, *secret;
    struct srv_sigv4_keys *next;
};

int srv_sigv4_keys_add(srv_sigv4_keys **keys, const char *akid, const char *secret) {
    srv_sigv4_keys *k = calloc(1, sizeof *k);
    if (!k || !(k->akid = strdup(akid)) || !(k->secret = strdup(secret))) {
        if (k) free(k->akid);
        free(k);
        return EDDY_E_NOMEM;
    }
    k->next = *keys;
    *keys = k;
    return 0;
}

void srv_sigv4_keys_free(srv_sigv4_keys *k) {
    while (k) {
        srv_sigv4_keys *n = k->next;
        free(k->akid);
        free(k->secret);
        free(k);
        k = n;
    }
}

int srv_sigv4_keys_load(const char *path, srv_sigv4_keys **out, eddy_err *err) {
    FILE *f = fopen(path, "r");
    *out = NULL;
    if (!f) return eddy_err_set(err, EDDY_E_IO, "cannot open key file %s: %m", path);
    char line[1024];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char akid[256], secret[512], extra[2];
        char *p = line;
        while (isspace((unsigned char)*p)) p++;
        if (*p == 0 || *p == '#') continue;
        if (sscanf(p, "%255s %511s %1s", akid, secret, extra) != 2) {
            rc = eddy_err_set(err, EDDY_E_INVAL, "%s:%d: expected \"ACCESS_KEY_ID SECRET\"", path, lineno);
            break;
        }
        if (srv_sigv4_keys_add(out, akid, secret) != 0) rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    fclose(f);
    if (rc == 0 && !*out) rc = eddy_err_set(err, EDDY_E_INVAL, "key file %s holds no keys", path);
    if (rc != 0) {
        srv_sigv4_keys_free(*out);
        *out = NULL;
    }
    return rc;
}

static const char *secret_of(const srv_sigv4_keys *k, const char *akid) {
    for (; k; k = k->next)
        if (!strcmp(k->akid, akid)) return k->secret;
    return NULL;
}

/* ------------------------------------------------------------ parsing */

/* Copies the value of `name=` inside an Authorization header (values end
 * at ',' or space) into out; returns 1 when found. */
static int auth_param(const char *auth, const char *name, char *out, size_t cap) {
    size_t n = strlen(name);
    for (const char *p = auth; (p = strstr(p, name)); p += n) {
        if (p != auth && p[-1] != ' ' && p[-1] != ',') continue;
        if (p[n] != '=') continue;
        const char *v = p + n + 1, *e = v;
        while (*e && *e != ',' && *e != ' ') e++;
        snprintf(out, cap, "%.*s", (int)(e - v), v);
        return 1;
    }
    return 0;
}

static int hexval(int c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes s[0..n) into a new string ('+' stays '+', as AWS does). */
static char *pct_decode(const char *s, size_t n) {
    char *o = malloc(n + 1), *w = o;
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *w++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            *w++ = s[i];
        }
    }
    *w = 0;
    return o;
}

static void uri_encode(sbuf *b, const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            sbuf_putc(b, (char)c);
        else
            sbuf_printf(b, "%%%02X", c);
    }
}

/* Returns a query parameter (decoded) in a new string, or NULL. */
static char *query_param(const char *query, const char *name) {
    size_t nl = strlen(name);
    for (const char *p = query; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > nl && !strncmp(p, name, nl) && p[nl] == '=') return pct_decode(p + nl + 1, len - nl - 1);
        if (len == nl && !strncmp(p, name, nl)) return strdup("");
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

typedef struct qpair {
    char *k, *v;
} qpair;

static int qpair_cmp(const void *a, const void *b) {
    const qpair *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

/* Canonical query string (sorted, re-encoded), without X-Amz-Signature. */
static void canonical_query(sbuf *out, const char *query) {
    size_t n = 0, cap = 0;
    qpair *q = NULL;
    for (const char *p = query; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (len) {
            if (n == cap) {
                cap = cap ? cap * 2 : 8;
                qpair *g = realloc(q, cap * sizeof *q);
                if (!g) break;
                q = g;
            }
            q[n].k = pct_decode(p, eq ? (size_t)(eq - p) : len);
            q[n].v = eq ? pct_decode(eq + 1, len - (size_t)(eq - p) - 1) : strdup("");
            if (q[n].k && q[n].v && strcmp(q[n].k, "X-Amz-Signature") != 0) n++;
            else {
                free(q[n].k);
                free(q[n].v);
            }
        }
        p = amp ? amp + 1 : NULL;
    }
    if (n) qsort(q, n, sizeof *q, qpair_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i) sbuf_putc(out, '&');
        uri_encode(out, q[i].k);
        sbuf_putc(out, '=');
        uri_encode(out, q[i].v);
        free(q[i].k);
        free(q[i].v);
    }
    free(q);
}

static void hex(const unsigned char *p, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", p[i]);
}

static void sha256_hex(const void *p, size_t n, char out[65]) {
    unsigned char d[32];
    unsigned int dl = 0;
    EVP_Digest(p, n, d, &dl, EVP_sha256(), NULL);
    hex(d, 32, out);
}

static void hmac(const void *key, size_t kl, const char *msg, unsigned char out[32]) {
    unsigned int ol = 32;
    HMAC(EVP_sha256(), key, (int)kl, (const unsigned char *)msg, strlen(msg), out, &ol);
}

int srv_sigv4_sign(const srv_request *req, const char *signed_headers, const char *amz_date,
                   const char *region, const char *service, const char *secret, char out_hex[65]) {
    sbuf cr;
    sbuf_init(&cr);
    sbuf_printf(&cr, "%s\n%s\n", req->method, req->path[0] ? req->path : "/");
    canonical_query(&cr, req->query);
    sbuf_putc(&cr, '\n');
    /* Canonical headers, in the signed-headers order (which is sorted). */
    const char *p = signed_headers;
    int rc = 0;
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        for (char *c = name; *c; c++) *c = (char)tolower((unsigned char)*c);
        sbuf_printf(&cr, "%s:", name);
        int found = 0;
        for (size_t i = 0; i < req->n_headers; i++) {
            if (strcasecmp(req->headers[i].name, name) != 0) continue;
            if (found++) sbuf_putc(&cr, ',');
            /* trim, and collapse runs of spaces */
            const char *v = req->headers[i].value;
            while (*v == ' ' || *v == '\t') v++;
            size_t vl = strlen(v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t')) vl--;
            for (size_t j = 0; j < vl; j++) {
                if ((v[j] == ' ' || v[j] == '\t') && j && (v[j - 1] == ' ' || v[j - 1] == '\t')) continue;
                sbuf_putc(&cr, v[j] == '\t' ? ' ' : v[j]);
            }
        }
        if (!found) rc = EDDY_E_INVAL;
        sbuf_putc(&cr, '\n');
        p += len;
        if (*p == ';') p++;
    }
    char body_hash[65], cr_hash[65];
    sha256_hex(req->body, req->body_len, body_hash);
    sbuf_printf(&cr, "\n%s\n%s", signed_headers, body_hash);
    sha256_hex(cr.data, cr.len, cr_hash);
    char date[9];
    snprintf(date, sizeof date, "%.8s", amz_date);
    sbuf sts;
    sbuf_init(&sts);
    sbuf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", amz_date, date, region, service,
                cr_hash);
    char k0[600];
    snprintf(k0, sizeof k0, "AWS4%s", secret);
    unsigned char kd[32], kr[32], ks[32], kk[32], sig[32];
    hmac(k0, strlen(k0), date, kd);
    hmac(kd, 32, region, kr);
    hmac(kr, 32, service, ks);
    hmac(ks, 32, "aws4_request", kk);
    hmac(kk, 32, sts.data, sig);
    hex(sig, 32, out_hex);
    OPENSSL_cleanse(k0, sizeof k0);
    sbuf_free(&cr);
    sbuf_free(&sts);
    return rc;
}

/* ------------------------------------------------------------ checking */

static void set(srv_sigv4_result *r, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set(srv_sigv4_result *r, const char *type, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    r->type = type;
}

/* Parses YYYYMMDDTHHMMSSZ as epoch ms; -1 when malformed. */
static int64_t parse_amz_date(const char *s) {
    struct tm tm = {0};
    if (strlen(s) != 16) return -1;
    const char *e = strptime(s, "%Y%m%dT%H%M%SZ", &tm);
    if (!e || *e) return -1;
    return (int64_t)timegm(&tm) * 1000;
}

/* Turns an HTTP Date header into the X-Amz-Date form. */
static int http_date_to_amz(const char *s, char out[17]) {
    struct tm tm = {0};
    const char *e = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!e) return -1;
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
    return 0;
}

void srv_sigv4_check(const srv_request *req, const srv_sigv4_keys *keys, const char *region,
                     int64_t now_ms, srv_sigv4_result *res) {
    res->type = NULL;
    res->message[0] = 0;
    const char *auth = srv_request_header(req, "authorization");
    char *q_alg = query_param(req->query, "X-Amz-Algorithm");
    char cred[512] = "", sig[128] = "", signed_h[512] = "", amz_date[64] = "";
    const char *xdate = srv_request_header(req, "x-amz-date");
    const char *hdate = srv_request_header(req, "date");
    if (auth && q_alg) {
        free(q_alg);
        set(res, "InvalidSignatureException",
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
        return;
    }
    if (!auth && !q_alg) {
        set(res, "MissingAuthenticationTokenException", "Missing Authentication Token");
        return;
    }
    if (auth) {
        int hc = auth_param(auth, "Credential", cred, sizeof cred);
        int hs = auth_param(auth, "Signature", sig, sizeof sig);
        int hh = auth_param(auth, "SignedHeaders", signed_h, sizeof signed_h);
        if (!hc || !hs || !hh || (!xdate && !hdate)) {
            char msg[600] = "";
            size_t l = 0;
            if (!hc) l += (size_t)snprintf(msg + l, sizeof msg - l, "Authorization header requires 'Credential' parameter. ");
            if (!hs) l += (size_t)snprintf(msg + l, sizeof msg - l, "Authorization header requires 'Signature' parameter. ");
            if (!hh) l += (size_t)snprintf(msg + l, sizeof msg - l, "Authorization header requires 'SignedHeaders' parameter. ");
            if (!xdate && !hdate && l < sizeof msg)
                l += (size_t)snprintf(msg + l, sizeof msg - l,
                                      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
            set(res, "IncompleteSignatureException", "%sAuthorization=%.200s", msg, auth);
            return;
        }
        if (xdate) snprintf(amz_date, sizeof amz_date, "%s", xdate);
        else if (http_date_to_amz(hdate, amz_date) != 0) amz_date[0] = 0;
    } else {
        const char *need[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                              "X-Amz-SignedHeaders", "X-Amz-Date"};
        char *vals[5];
        char msg[600] = "";
        size_t l = 0;
        for (int i = 0; i < 5; i++) {
            vals[i] = i == 0 ? q_alg : query_param(req->query, need[i]);
            if (!vals[i] && l < sizeof msg)
                l += (size_t)snprintf(msg + l, sizeof msg - l,
                                      "AWS query-string parameters must include '%s'. ", need[i]);
        }
        if (vals[1]) snprintf(cred, sizeof cred, "%s", vals[1]);
        if (vals[2]) snprintf(sig, sizeof sig, "%s", vals[2]);
        if (vals[3]) snprintf(signed_h, sizeof signed_h, "%s", vals[3]);
        if (vals[4]) snprintf(amz_date, sizeof amz_date, "%s", vals[4]);
        for (int i = 0; i < 5; i++) free(vals[i]);
        if (l) {
            set(res, "IncompleteSignatureException", "%sRe-examine the query-string parameters.", msg);
            return;
        }
    }
    /* Credential=AKID/DATE/REGION/SERVICE/aws4_request */
    char akid[256], cdate[32], cregion[64], cservice[64], term[32];
    int parts = sscanf(cred, "%255[^/]/%31[^/]/%63[^/]/%63[^/]/%31s", akid, cdate, cregion, cservice, term);
    if (parts != 5 || strcmp(term, "aws4_request") != 0) {
        set(res, "IncompleteSignatureException",
            "Credential should be scoped to a valid region, not '%s'. Credential=%.200s",
            parts >= 3 ? cregion : "", cred);
        return;
    }
    if (!keys) return;   /* presence check only, as kinesalite */

    const char *secret = secret_of(keys, akid);
    if (!secret) {
        set(res, "UnrecognizedClientException", "The security token included in the request is invalid.");
        return;
    }
    int64_t t = parse_amz_date(amz_date);
    if (t < 0) {
        set(res, "IncompleteSignatureException", "Date must be in ISO-8601 'basic format'. Got '%s'.", amz_date);
        return;
    }
    if (strncmp(cdate, amz_date, 8) != 0 || strlen(cdate) != 8) {
        set(res, "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            "'%s' != '%.8s', from '%s'.", cdate, amz_date, amz_date);
        return;
    }
    if (strcmp(cservice, "kinesis") != 0) {
        set(res, "InvalidSignatureException", "Credential should be scoped to correct service: 'kinesis'. ");
        return;
    }
    if (strcmp(cregion, region) != 0) {
        set(res, "InvalidSignatureException", "Credential should be scoped to a valid region, not '%s'. ",
            cregion);
        return;
    }
    const int64_t skew = 5 * 60 * 1000;
    if (t < now_ms - skew || t > now_ms + skew) {
        char a[17], b[17];
        time_t ts = (time_t)(t / 1000), bound = (time_t)((t < now_ms ? now_ms - skew : now_ms + skew) / 1000);
        strftime(a, sizeof a, "%Y%m%dT%H%M%SZ", gmtime(&ts));
        strftime(b, sizeof b, "%Y%m%dT%H%M%SZ", gmtime(&bound));
        if (t < now_ms)
            set(res, "InvalidSignatureException", "Signature expired: %s is now earlier than %s (now - 5 min.)", a, b);
        else
            set(res, "InvalidSignatureException", "Signature not yet current: %s is still later than %s (now + 5 min.)", a, b);
        return;
    }
    char needle[520];
    snprintf(needle, sizeof needle, ";%s;", signed_h);
    if (!strstr(needle, ";host;")) {
        set(res, "InvalidSignatureException",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        return;
    }
    char want[65];
    int rc = srv_sigv4_sign(req, signed_h, amz_date, cregion, cservice, secret, want);
    if (rc != 0 || strlen(sig) != 64 || CRYPTO_memcmp(want, sig, 64) != 0) {
        set(res, "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your "
            "AWS Secret Access Key and signing method. Consult the service documentation for details.");
        return;
    }
}
