/*
 * srv_faults.c — fault injection for people testing their producers and
 * consumers against eddy: per stream, a fraction of data-plane calls
 * (PutRecord, each PutRecords entry, GetShardIterator, GetRecords with a
 * StreamARN) fail with ProvisionedThroughputExceededException or
 * InternalFailure, and/or every such call is delayed by a fixed latency.
 *
 * Set with the eddy-specific operation `Kinesis_20131202.EddySetFaults`
 * {"StreamName", "ErrorRate" (0..1), "ErrorType", "LatencyMs", "Seed"}.
 * Decisions come from a splitmix64 generator per stream seeded with Seed, one
 * draw per decision, so the same sequence of calls fails the same way in
 * every run. Settings persist in the stream attribute "faults" and are
 * reloaded at startup (the generator restarts from its seed).
 */
#include "srv_kinesis_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct srv_faults {
    char stream[STORE_NAME_MAX + 1];
    double error_rate;
    int throttle;          /* 1: ProvisionedThroughputExceeded, 0: InternalFailure */
    int latency_ms;
    uint64_t seed, state;
    srv_faults *next;
};

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static srv_faults *find(srv_kinesis *k, const char *stream) {
    for (srv_faults *f = k->faults; f; f = f->next)
        if (!strcmp(f->stream, stream)) return f;
    return NULL;
}

static void drop(srv_kinesis *k, const char *stream) {
    for (srv_faults **pp = &k->faults; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->stream, stream)) {
            srv_faults *f = *pp;
            *pp = f->next;
            free(f);
            return;
        }
}

/* Installs settings; rate 0 and latency 0 removes them. */
static void install(srv_kinesis *k, const char *stream, double rate, int throttle, int latency,
                    uint64_t seed) {
    drop(k, stream);
    if (rate <= 0 && latency <= 0) return;
    srv_faults *f = calloc(1, sizeof *f);
    if (!f) return;
    snprintf(f->stream, sizeof f->stream, "%s", stream);
    f->error_rate = rate;
    f->throttle = throttle;
    f->latency_ms = latency;
    f->seed = f->state = seed;
    f->next = k->faults;
    k->faults = f;
}

int srv_faults_check(srv_kinesis *k, const char *stream, int roll, int *latency_ms,
                     const char **error_type) {
    *latency_ms = 0;
    *error_type = NULL;
    srv_faults *f = find(k, stream);
    if (!f) return 0;
    *latency_ms = f->latency_ms;
    if (roll && f->error_rate > 0) {
        double u = (double)(splitmix64(&f->state) >> 11) / 9007199254740992.0;
        if (u < f->error_rate) {
            *error_type = f->throttle ? "ProvisionedThroughputExceeded" : "InternalFailure";
            return -1;
        }
    }
    return 0;
}

void srv_faults_free_all(srv_kinesis *k) {
    while (k->faults) {
        srv_faults *f = k->faults;
        k->faults = f->next;
        free(f);
    }
}

void srv_faults_load(srv_kinesis *k) {
    char **names = NULL;
    size_t n = 0;
    int more = 0;
    if (!k->st || store_stream_list(k->st, NULL, 0, &names, &n, &more, NULL) != 0) return;
    for (size_t i = 0; i < n; i++) {
        char buf[256];
        if (store_stream_attr_get(k->st, names[i], "faults", buf, sizeof buf, NULL) != 0) continue;
        double rate = 0;
        int thr = 1, lat = 0;
        unsigned long long seed = 0;
        if (sscanf(buf, "%lf %d %d %llu", &rate, &thr, &lat, &seed) == 4)
            install(k, names[i], rate, thr, lat, seed);
    }
    store_names_free(names, n);
}

void srv_kx_set_faults(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(c->in, "ErrorRate");
    double rate = cJSON_IsNumber(r) ? r->valuedouble : 0;
    const char *type = srv_kx_str(c->in, "ErrorType");
    if (rate < 0 || rate > 1) {
        srv_kx_error(c, 400, "InvalidArgumentException", "ErrorRate must be between 0 and 1.");
        return;
    }
    int throttle = 1;
    if (type && !strcmp(type, "InternalFailure")) throttle = 0;
    else if (type && strcmp(type, "ProvisionedThroughputExceeded") &&
             strcmp(type, "ProvisionedThroughputExceededException")) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "ErrorType must be ProvisionedThroughputExceeded or InternalFailure.");
        return;
    }
    int latency = (int)srv_kx_int(c->in, "LatencyMs", 0);
    uint64_t seed = (uint64_t)srv_kx_int(c->in, "Seed", 0);
    char val[128];
    snprintf(val, sizeof val, "%.17g %d %d %llu", rate, throttle, latency, (unsigned long long)seed);
    eddy_err e;
    eddy_err_clear(&e);
    store_stream_desc d;
    int rc = store_stream_describe(c->k->st, name, &d, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    store_stream_desc_free(&d);
    int off = rate <= 0 && latency <= 0;
    rc = store_stream_attr_set(c->k->st, name, "faults", off ? NULL : val, &e);
    if (rc != 0 && !(off && rc == EDDY_E_NOTFOUND)) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    install(c->k, name, rate, throttle, latency, seed);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "StreamName", name);
    cJSON_AddNumberToObject(out, "ErrorRate", rate);
    cJSON_AddStringToObject(out, "ErrorType", throttle ? "ProvisionedThroughputExceeded" : "InternalFailure");
    cJSON_AddNumberToObject(out, "LatencyMs", latency);
    cJSON_AddNumberToObject(out, "Seed", (double)seed);
    srv_kx_ok(c, out);
}
