/*
 * srv_metrics.c — counters and histograms for `GET /metrics` (see
 * srv_metrics.h). Per-stream and per-operation counters live in small arrays
 * searched linearly: a server has tens of streams, and each lookup happens
 * once per request, not per record.
 */
#include "srv_metrics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds in seconds; the +Inf bucket is the count. */
static const double k_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define N_BUCKETS (sizeof k_buckets / sizeof k_buckets[0])

typedef struct hist {
    uint64_t buckets[N_BUCKETS];   /* non-cumulative; summed when rendered */
    uint64_t count;
    double sum;
} hist;

typedef struct named_ctr {
    char *name;
    uint64_t v[4];   /* streams: records in, bytes in, records out, bytes out; ops: v[0] */
} named_ctr;

typedef struct ctr_set {
    named_ctr *items;
    size_t n, cap;
} ctr_set;

struct srv_metrics {
    pthread_mutex_t mu;
    hist routes[SRV_ROUTE__COUNT];
    ctr_set ops, streams;
    long running;
};

static const char *const k_route_names[SRV_ROUTE__COUNT] = {
    "kinesis", "sql", "query", "events", "streams", "apps", "metrics", "dashboard", "not_found"};

const char *srv_route_name(srv_route r) {
    return (unsigned)r < SRV_ROUTE__COUNT ? k_route_names[r] : "unknown";
}

srv_metrics *srv_metrics_new(void) {
    srv_metrics *m = calloc(1, sizeof *m);
    if (m) pthread_mutex_init(&m->mu, NULL);
    return m;
}

static void ctr_set_free(ctr_set *s) {
    for (size_t i = 0; i < s->n; i++) free(s->items[i].name);
    free(s->items);
}

void srv_metrics_free(srv_metrics *m) {
    if (!m) return;
    ctr_set_free(&m->ops);
    ctr_set_free(&m->streams);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* Finds or adds `name`; NULL when out of memory (the sample is then lost). */
static named_ctr *ctr_get(ctr_set *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->items[i].name, name)) return &s->items[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        named_ctr *p = realloc(s->items, cap * sizeof *p);
        if (!p) return NULL;
        s->items = p;
        s->cap = cap;
    }
    named_ctr *c = &s->items[s->n];
    memset(c, 0, sizeof *c);
    c->name = strdup(name);
    if (!c->name) return NULL;
    s->n++;
    return c;
}

void srv_metrics_observe(srv_metrics *m, srv_route route, double seconds) {
    if (!m || (unsigned)route >= SRV_ROUTE__COUNT) return;
    pthread_mutex_lock(&m->mu);
    hist *h = &m->routes[route];
    for (size_t i = 0; i < N_BUCKETS; i++) {
        if (seconds <= k_buckets[i]) {
            h->buckets[i]++;
            break;
        }
    }
    h->count++;
    h->sum += seconds;
    pthread_mutex_unlock(&m->mu);
}

void srv_metrics_kinesis_op(srv_metrics *m, const char *op) {
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    named_ctr *c = ctr_get(&m->ops, op);
    if (c) c->v[0]++;
    pthread_mutex_unlock(&m->mu);
}

static void stream_add(srv_metrics *m, const char *stream, int out, uint64_t records, uint64_t bytes) {
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    named_ctr *c = ctr_get(&m->streams, stream);
    if (c) {
        c->v[out ? 2 : 0] += records;
        c->v[out ? 3 : 1] += bytes;
    }
    pthread_mutex_unlock(&m->mu);
}

void srv_metrics_stream_in(srv_metrics *m, const char *stream, uint64_t records, uint64_t bytes) {
    stream_add(m, stream, 0, records, bytes);
}

void srv_metrics_stream_out(srv_metrics *m, const char *stream, uint64_t records, uint64_t bytes) {
    stream_add(m, stream, 1, records, bytes);
}

void srv_metrics_query_started(srv_metrics *m) {
    pthread_mutex_lock(&m->mu);
    m->running++;
    pthread_mutex_unlock(&m->mu);
}

void srv_metrics_query_ended(srv_metrics *m) {
    pthread_mutex_lock(&m->mu);
    m->running--;
    pthread_mutex_unlock(&m->mu);
}

long srv_metrics_running_queries(srv_metrics *m) {
    pthread_mutex_lock(&m->mu);
    long n = m->running;
    pthread_mutex_unlock(&m->mu);
    return n;
}

void srv_metrics_label(sbuf *out, const char *s) {
    for (; *s; s++) {
        if (*s == '\\' || *s == '"') sbuf_putc(out, '\\');
        if (*s == '\n') {
            sbuf_puts(out, "\\n");
            continue;
        }
        sbuf_putc(out, *s);
    }
}

static void render_stream_ctr(sbuf *out, const ctr_set *s, int idx, const char *metric, const char *help) {
    sbuf_printf(out, "# HELP %s %s\n# TYPE %s counter\n", metric, help, metric);
    for (size_t i = 0; i < s->n; i++) {
        sbuf_printf(out, "%s{stream=\"", metric);
        srv_metrics_label(out, s->items[i].name);
        sbuf_printf(out, "\"} %llu\n", (unsigned long long)s->items[i].v[idx]);
    }
}

void srv_metrics_render(srv_metrics *m, sbuf *out) {
    pthread_mutex_lock(&m->mu);
    sbuf_puts(out, "# HELP eddy_http_request_duration_seconds Time to answer a request (streams: to the first byte).\n"
                   "# TYPE eddy_http_request_duration_seconds histogram\n");
    for (int r = 0; r < SRV_ROUTE__COUNT; r++) {
        const hist *h = &m->routes[r];
        uint64_t cum = 0;
        for (size_t i = 0; i < N_BUCKETS; i++) {
            cum += h->buckets[i];
            sbuf_printf(out, "eddy_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                        k_route_names[r], k_buckets[i], (unsigned long long)cum);
        }
        sbuf_printf(out, "eddy_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                    k_route_names[r], (unsigned long long)h->count);
        sbuf_printf(out, "eddy_http_request_duration_seconds_sum{route=\"%s\"} %.9g\n", k_route_names[r], h->sum);
        sbuf_printf(out, "eddy_http_request_duration_seconds_count{route=\"%s\"} %llu\n", k_route_names[r],
                    (unsigned long long)h->count);
    }
    sbuf_puts(out, "# HELP eddy_kinesis_requests_total Kinesis API requests by operation.\n"
                   "# TYPE eddy_kinesis_requests_total counter\n");
    for (size_t i = 0; i < m->ops.n; i++) {
        sbuf_puts(out, "eddy_kinesis_requests_total{operation=\"");
        srv_metrics_label(out, m->ops.items[i].name);
        sbuf_printf(out, "\"} %llu\n", (unsigned long long)m->ops.items[i].v[0]);
    }
    render_stream_ctr(out, &m->streams, 0, "eddy_stream_records_in_total",
                      "Records put into a stored stream through the JSON Kinesis API.");
    render_stream_ctr(out, &m->streams, 1, "eddy_stream_bytes_in_total",
                      "Payload bytes put into a stored stream through the JSON Kinesis API.");
    render_stream_ctr(out, &m->streams, 2, "eddy_stream_records_out_total",
                      "Records of a stored stream sent to SSE feeds.");
    render_stream_ctr(out, &m->streams, 3, "eddy_stream_bytes_out_total",
                      "Payload bytes of a stored stream sent to SSE feeds.");
    sbuf_printf(out, "# HELP eddy_running_queries Push queries and feeds whose worker is running.\n"
                     "# TYPE eddy_running_queries gauge\neddy_running_queries %ld\n", m->running);
    pthread_mutex_unlock(&m->mu);
}
