/*
 * cmd_serve.c — `eddy serve`: the Kinesis-compatible API server. Opens the
 * store, starts the HTTP transport (srv_http.h) with the Kinesis handler
 * (srv_kinesis.h) on one libuv loop, prints one ready line with the bound
 * port, and on SIGTERM/SIGINT stops accepting, ends subscriptions, lets
 * in-flight requests finish, closes the store (flush + fsync) and exits 0.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "eddy_log.h"
#include "srv_http.h"
#include "srv_kinesis.h"
#include "srv_router.h"
#include "store.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: eddy serve [options]\n\n"
            "Runs the Kinesis Data Streams-compatible API (AWS JSON 1.1 and CBOR over HTTP/1.1,\n"
            "h2c and TLS h2) on a libuv loop.\n\n"
            "  --listen ADDR          plain listener (default 127.0.0.1:4567; port 0 = any free port)\n"
            "  --data-dir DIR         durable store directory (default $EDDY_DATA_DIR or ./eddy-data)\n"
            "  --memory               keep everything in memory, nothing on disk\n"
            "  --app FILE             host an application (SQL or KDA JSON); repeatable\n"
            "  --checkpoint-ms N      how often applications save their positions while\n"
            "                         running (stateless, tumbling; default 5000)\n"
            "  --fsync POLICY         always | interval (default) | never\n"
            "  --tls-listen ADDR      also listen with TLS (ALPN h2, http/1.1)\n"
            "  --tls-cert F --tls-key F  PEM certificate and key (default: generated self-signed)\n"
            "  --auth KEYFILE         verify SigV4 against \"ACCESS_KEY_ID SECRET\" lines\n"
            "  --create-delay-ms N    streams show CREATING for N ms after CreateStream (default 0)\n"
            "  --subscription-ms N    SubscribeToShard lifetime (default 300000, as AWS)\n"
            "  --region R             region in ARNs and SigV4 scopes (default us-east-1)\n"
            "  --account A            12-digit account id in ARNs (default 000000000000)\n"
            "  --help                 this text\n");
}

typedef struct serve_state {
    uv_loop_t *loop;
    srv_http *http;
    srv_kinesis *api;
    srv_router *router;
    uv_signal_t sigterm, sigint;
    int stopping;
} serve_state;

static void on_http_down(void *ctx) {
    serve_state *s = ctx;
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_close((uv_handle_t *)&s->sigint, NULL);
}

static void on_signal(uv_signal_t *h, int signum) {
    serve_state *s = h->data;
    if (s->stopping) return;
    s->stopping = 1;
    eddy_log(EDDY_LOG_INFO, "signal %d: shutting down", signum);
    srv_router_shutdown(s->router);
    srv_kinesis_end_subscriptions(s->api);
    srv_http_shutdown(s->http, on_http_down, s);
}

static int parse_int(const char *opt, const char *v, int *out) {
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == 0 || *end || n < 0 || n > 1000000000) {
        fprintf(stderr, "eddy serve: %s needs a non-negative integer, not '%s'\n", opt, v);
        return -1;
    }
    *out = (int)n;
    return 0;
}

int cli_cmd_serve(int argc, char **argv) {
    const char *listen = "127.0.0.1:4567", *data_dir = NULL, *fsync = "interval";
    const char *tls_listen = NULL, *tls_cert = NULL, *tls_key = NULL, *auth = NULL;
    const char *region = NULL, *account = NULL, *v;
    int memory = 0, create_delay = 0, sub_ms = 0, checkpoint_ms = 0;
    const char *apps[64];
    int n_apps = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--memory")) {
            memory = 1;
        } else if ((v = cli_opt(argc, argv, &i, "--listen"))) {
            listen = v;
        } else if ((v = cli_opt(argc, argv, &i, "--app"))) {
            if (n_apps == 64) {
                fprintf(stderr, "eddy serve: at most 64 --app\n");
                return 2;
            }
            apps[n_apps++] = v;
        } else if ((v = cli_opt(argc, argv, &i, "--data-dir"))) {
            data_dir = v;
        } else if ((v = cli_opt(argc, argv, &i, "--fsync"))) {
            fsync = v;
        } else if ((v = cli_opt(argc, argv, &i, "--tls-listen"))) {
            tls_listen = v;
        } else if ((v = cli_opt(argc, argv, &i, "--tls-cert"))) {
            tls_cert = v;
        } else if ((v = cli_opt(argc, argv, &i, "--tls-key"))) {
            tls_key = v;
        } else if ((v = cli_opt(argc, argv, &i, "--auth"))) {
            auth = v;
        } else if ((v = cli_opt(argc, argv, &i, "--region"))) {
            region = v;
        } else if ((v = cli_opt(argc, argv, &i, "--account"))) {
            account = v;
        } else if ((v = cli_opt(argc, argv, &i, "--create-delay-ms"))) {
            if (parse_int("--create-delay-ms", v, &create_delay) != 0) return 2;
        } else if ((v = cli_opt(argc, argv, &i, "--checkpoint-ms"))) {
            if (parse_int("--checkpoint-ms", v, &checkpoint_ms) != 0) return 2;
        } else if ((v = cli_opt(argc, argv, &i, "--subscription-ms"))) {
            if (parse_int("--subscription-ms", v, &sub_ms) != 0) return 2;
        } else {
            fprintf(stderr, "eddy serve: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    if (memory && data_dir) {
        fprintf(stderr, "eddy serve: --memory and --data-dir exclude each other\n");
        return 2;
    }
    if (!!tls_cert != !!tls_key) {
        fprintf(stderr, "eddy serve: --tls-cert and --tls-key go together\n");
        return 2;
    }
    if (account && (strlen(account) != 12 || strspn(account, "0123456789") != 12)) {
        fprintf(stderr, "eddy serve: --account must be 12 digits\n");
        return 2;
    }
    store_opts so;
    store_opts_init(&so);
    so.data_dir = memory ? NULL : data_dir ? data_dir : cli_default_data_dir();
    if (!strcmp(fsync, "always")) so.fsync = STORE_FSYNC_ALWAYS;
    else if (!strcmp(fsync, "interval")) so.fsync = STORE_FSYNC_INTERVAL;
    else if (!strcmp(fsync, "never")) so.fsync = STORE_FSYNC_NEVER;
    else {
        fprintf(stderr, "eddy serve: --fsync must be always, interval or never\n");
        return 2;
    }
    so.region = region;
    so.account = account;

    /* A client vanishing mid-write must not kill the server. */
    signal(SIGPIPE, SIG_IGN);

    eddy_err err;
    eddy_err_clear(&err);
    store *st = NULL;
    if (store_open(&so, &st, &err) != 0) {
        fprintf(stderr, "eddy serve: %s\n", err.msg);
        return 1;
    }
    serve_state s = {0};
    s.loop = uv_default_loop();
    srv_kinesis_opts ko;
    srv_kinesis_opts_init(&ko);
    ko.st = st;
    ko.create_delay_ms = create_delay;
    ko.subscription_ms = sub_ms;
    ko.auth_file = auth;
    ko.region = region;
    if (srv_kinesis_new(s.loop, &ko, &s.api, &err) != 0) {
        fprintf(stderr, "eddy serve: %s\n", err.msg);
        store_close(st);
        return 1;
    }
    if (srv_router_new(s.loop, s.api, st, so.data_dir, &s.router, &err) != 0) {
        fprintf(stderr, "eddy serve: %s\n", err.msg);
        srv_kinesis_free(s.api);
        store_close(st);
        return 1;
    }
    srv_apps_set_checkpoint_ms(srv_router_apps(s.router), checkpoint_ms);
    for (int i = 0; i < n_apps; i++) {
        if (srv_apps_start(srv_router_apps(s.router), apps[i], &err) != 0) {
            fprintf(stderr, "eddy serve: %s\n", err.msg);
            srv_router_shutdown(s.router);
            uv_run(s.loop, UV_RUN_DEFAULT);
            srv_router_free(s.router);
            srv_kinesis_free(s.api);
            store_close(st);
            return 1;
        }
    }
    srv_http_opts ho;
    srv_http_opts_init(&ho);
    ho.listen = listen;
    ho.tls_listen = tls_listen;
    ho.tls_cert = tls_cert;
    ho.tls_key = tls_key;
    ho.handler = srv_router_handle;
    ho.handler_ctx = s.router;
    if (srv_http_start(s.loop, &ho, &s.http, &err) != 0) {
        fprintf(stderr, "eddy serve: %s\n", err.msg);
        srv_router_shutdown(s.router);
        uv_run(s.loop, UV_RUN_DEFAULT);
        srv_router_free(s.router);
        srv_kinesis_free(s.api);
        store_close(st);
        uv_loop_close(s.loop);
        return 1;
    }
    uv_signal_init(s.loop, &s.sigterm);
    uv_signal_init(s.loop, &s.sigint);
    s.sigterm.data = s.sigint.data = &s;
    uv_signal_start(&s.sigterm, on_signal, SIGTERM);
    uv_signal_start(&s.sigint, on_signal, SIGINT);

    /* Only the host part of --listen is echoed; the port is the bound one. */
    char host[128];
    snprintf(host, sizeof host, "%s", listen);
    char *colon = strrchr(host, ':');
    if (colon) *colon = 0;
    if (!host[0]) snprintf(host, sizeof host, "127.0.0.1");
    printf("eddy serve listening on http://%s:%d\n", host, srv_http_port(s.http));
    if (srv_http_tls_port(s.http)) printf("eddy serve listening on https://%s:%d\n", host, srv_http_tls_port(s.http));
    fflush(stdout);

    uv_run(s.loop, UV_RUN_DEFAULT);
    srv_http_close(s.http);
    uv_run(s.loop, UV_RUN_DEFAULT);   /* close callbacks of what srv_http_close released */
    srv_router_free(s.router);
    srv_kinesis_free(s.api);
    store_close(st);
    int rc = uv_loop_close(s.loop);
    if (rc != 0) eddy_log(EDDY_LOG_WARN, "loop closed with handles still open: %s", uv_strerror(rc));
    return 0;
}
