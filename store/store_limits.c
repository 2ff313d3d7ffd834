/*
 * store_limits.c — token buckets for the optional Kinesis throughput limits
 * (per shard for writes and classic reads, per subscription for fan-out).
 * Time comes from the store clock so tests can drive it. Callers hold the
 * lock that guards the bucket.
 */
#include "store_int.h"

void store__bucket_init(store_bucket *b, double rate, int64_t now) {
    b->rate = rate;
    b->tokens = rate;
    b->last_ms = now;
}

static void refill(store_bucket *b, int64_t now) {
    if (now > b->last_ms) {
        b->tokens += b->rate * (double)(now - b->last_ms) / 1000.0;
        if (b->tokens > b->rate) b->tokens = b->rate;
        b->last_ms = now;
    }
}

int store__bucket_has(store_bucket *b, double need, int64_t now) {
    refill(b, now);
    return b->tokens >= need;
}

int store__bucket_positive(store_bucket *b, int64_t now) {
    refill(b, now);
    return b->tokens > 0;
}

void store__bucket_take(store_bucket *b, double n) { b->tokens -= n; }
