/*
 * srv_metrics.h — the counters behind `GET /metrics` (Prometheus text format
 * 0.0.4) of `eddy serve`: request latency histograms per route, Kinesis
 * requests per operation, records and bytes in/out per stored stream, and
 * the gauge of running push queries and feeds.
 *
 * Threading: every function is safe on any thread (one mutex; the counters
 * are touched a few times per request, never per row).
 */
#ifndef EDDY_SRV_METRICS_H
#define EDDY_SRV_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

typedef enum {
    SRV_ROUTE_KINESIS = 0,   /* everything srv_kinesis_handle answers */
    SRV_ROUTE_SQL,           /* POST /v1/sql */
    SRV_ROUTE_QUERY,         /* POST /v1/query (time to the first byte) */
    SRV_ROUTE_EVENTS,        /* GET /v1/streams/NAME/events (time to the first byte) */
    SRV_ROUTE_STREAMS,       /* GET /v1/streams */
    SRV_ROUTE_APPS,          /* GET /v1/apps */
    SRV_ROUTE_METRICS,       /* GET /metrics */
    SRV_ROUTE_DASHBOARD,     /* GET / */
    SRV_ROUTE_NOT_FOUND,     /* /v1/... paths that match nothing */
    SRV_ROUTE__COUNT
} srv_route;

/* Lower-case label value of a route ("sql"). */
const char *srv_route_name(srv_route r);

typedef struct srv_metrics srv_metrics;   /* opaque */

/* Returns a new, zeroed set of counters (owned by the caller; NULL when out
 * of memory). */
srv_metrics *srv_metrics_new(void);
void srv_metrics_free(srv_metrics *m);

/* Records one request of `route` that took `seconds` to answer. */
void srv_metrics_observe(srv_metrics *m, srv_route route, double seconds);

/* Counts one Kinesis API request of operation `op` (borrowed; e.g. "PutRecords"). */
void srv_metrics_kinesis_op(srv_metrics *m, const char *op);

/* Adds records and payload bytes written to (in) or read from (out) the
 * stored stream `stream` (borrowed). */
void srv_metrics_stream_in(srv_metrics *m, const char *stream, uint64_t records, uint64_t bytes);
void srv_metrics_stream_out(srv_metrics *m, const char *stream, uint64_t records, uint64_t bytes);

/* The gauge of push queries and feeds whose worker thread is alive. */
void srv_metrics_query_started(srv_metrics *m);
void srv_metrics_query_ended(srv_metrics *m);
long srv_metrics_running_queries(srv_metrics *m);

/* Appends every metric above in Prometheus text format to `out`. */
void srv_metrics_render(srv_metrics *m, sbuf *out);

/* Appends `s` escaped as a Prometheus label value (without quotes). */
void srv_metrics_label(sbuf *out, const char *s);

#endif
