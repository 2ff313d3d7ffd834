/*
 * srv_tls.c — TLS for the transport's optional second port, with OpenSSL
 * over memory BIOs: ciphertext read by libuv goes into the read BIO,
 * plaintext comes out of SSL_read into srv_conn__on_plain, and whatever
 * OpenSSL puts into the write BIO is written to the socket. ALPN offers
 * "h2" then "http/1.1"; without ALPN the plaintext is sniffed as on the
 * plain port. Without PEM files a self-signed certificate for localhost is
 * generated in memory at startup.
 */
#include "srv_http_int.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <string.h>

static _Thread_local char tls_buf[65536];

static int tls_fail(eddy_err *err, const char *what) {
    char detail[256];
    unsigned long e = ERR_get_error();
    ERR_error_string_n(e, detail, sizeof detail);
    ERR_clear_error();
    return eddy_err_set(err, EDDY_E_IO, "%s: %s", what, e ? detail : "unknown TLS error");
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg) {
    static const unsigned char ours[] = "\x02h2\x08http/1.1";
    unsigned char *sel;
    /* Our list first: h2 wins whenever the client offers it. */
    if (SSL_select_next_proto(&sel, outlen, ours, sizeof ours - 1, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

/* A self-signed P-256 certificate for CN=localhost, SAN localhost and
 * 127.0.0.1, valid from an hour ago for a year. */
static int self_signed(SSL_CTX *ctx, eddy_err *err) {
    int rc = 0;
    EVP_PKEY *pk = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_EXTENSION *ext = NULL;
    if (!pk || !x) {
        rc = tls_fail(err, "cannot generate a key");
        goto out;
    }
    unsigned char serial[8];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x))) {
        BN_free(bn);
        rc = tls_fail(err, "cannot make a certificate serial");
        goto out;
    }
    BN_free(bn);
    X509_set_version(x, 2);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600);
    X509_set_pubkey(x, pk);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    if (!ext || !X509_add_ext(x, ext, -1) || !X509_sign(x, pk, EVP_sha256()) ||
        SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, pk) != 1)
        rc = tls_fail(err, "cannot make a self-signed certificate");
out:
    X509_EXTENSION_free(ext);
    X509_free(x);
    EVP_PKEY_free(pk);
    return rc;
}

int srv_tls__ctx_new(const char *cert, const char *key, SSL_CTX **out, eddy_err *err) {
    *out = NULL;
    if ((cert == NULL) != (key == NULL))
        return eddy_err_set(err, EDDY_E_INVAL, "TLS needs both a certificate and a key file");
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) return tls_fail(err, "cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    int rc = 0;
    if (cert) {
        if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
            rc = tls_fail(err, "cannot load TLS certificate");
        else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
            rc = tls_fail(err, "cannot load TLS key");
        else if (SSL_CTX_check_private_key(ctx) != 1)
            rc = tls_fail(err, "TLS key does not match the certificate");
        if (rc != 0) eddy_err_hint(err, "Files: %s and %s (PEM).", cert, key);
    } else {
        rc = self_signed(ctx, err);
    }
    if (rc != 0) {
        SSL_CTX_free(ctx);
        return rc;
    }
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
    *out = ctx;
    return 0;
}

int srv_tls__conn_init(srv_conn *c) {
    c->ssl = SSL_new(c->srv->ssl_ctx);
    BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
    if (!c->ssl || !rb || !wb) {
        BIO_free(rb);
        BIO_free(wb);
        return EDDY_E_NOMEM;
    }
    SSL_set_bio(c->ssl, rb, wb);
    SSL_set_accept_state(c->ssl);
    return 0;
}

/* Moves OpenSSL's pending output to the socket. */
static int tls_flush(srv_conn *c) {
    BIO *wb = SSL_get_wbio(c->ssl);
    char buf[16384];
    while (BIO_ctrl_pending(wb) > 0) {
        int n = BIO_read(wb, buf, sizeof buf);
        if (n <= 0) break;
        if (srv_conn__raw_write(c, buf, (size_t)n) != 0) return EDDY_E_IO;
    }
    return 0;
}

void srv_tls__on_read(srv_conn *c, const char *data, size_t len) {
    if (BIO_write(SSL_get_rbio(c->ssl), data, (int)len) != (int)len) {
        srv_conn__close(c);
        return;
    }
    if (!c->tls_ready) {
        int rc = SSL_do_handshake(c->ssl);
        tls_flush(c);
        if (rc != 1) {
            int e = SSL_get_error(c->ssl, rc);
            ERR_clear_error();
            if (e != SSL_ERROR_WANT_READ && !c->closing) srv_conn__close_after_flush(c);
            return;
        }
        c->tls_ready = 1;
        const unsigned char *alpn = NULL;
        unsigned alpn_len = 0;
        SSL_get0_alpn_selected(c->ssl, &alpn, &alpn_len);
        if (srv_conn__choose_proto(c, alpn, alpn_len) != 0) return;
    }
    while (!c->closing && !c->draining) {
        int n = SSL_read(c->ssl, tls_buf, sizeof tls_buf);
        if (n > 0) {
            srv_conn__on_plain(c, tls_buf, (size_t)n);
            continue;
        }
        int e = SSL_get_error(c->ssl, n);
        ERR_clear_error();
        if (e == SSL_ERROR_WANT_READ) break;
        if (e == SSL_ERROR_ZERO_RETURN && !srv_conn__idle(c)) {
            srv_conn__close_after_flush(c);   /* close_notify with replies owed */
            break;
        }
        srv_conn__close(c);
        return;
    }
    if (!c->closing) tls_flush(c);
}

int srv_tls__write(srv_conn *c, const void *data, size_t len) {
    if (len == 0) return 0;
    int n = SSL_write(c->ssl, data, (int)len);
    if (n != (int)len) {
        ERR_clear_error();
        srv_conn__close(c);
        return EDDY_E_IO;
    }
    return tls_flush(c);
}

void srv_tls__shutdown(srv_conn *c) {
    if (!c->tls_ready) return;
    SSL_shutdown(c->ssl);
    ERR_clear_error();
    tls_flush(c);
}
