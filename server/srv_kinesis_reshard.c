/*
 * srv_kinesis_reshard.c — resharding operations of the Kinesis API:
 * SplitShard, MergeShards and UpdateShardCount (UNIFORM_SCALING). The store
 * does the work and checks eligibility; this file adds the request-level
 * rules (hash-key text, ACTIVE streams only, provisioned mode) and the reply
 * shapes.
 */
#include "srv_kinesis_int.h"

#include <stdio.h>
#include <string.h>

/* Resharding needs an ACTIVE, PROVISIONED stream. */
static int reshardable_or_reply(srv_call *c, const char *name, store_stream_desc *d) {
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_stream_describe(c->k->st, name, d, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return -1;
    }
    char mode[32];
    if (srv_kx_creating(c->k, name) || d->status != STORE_STATUS_ACTIVE) {
        srv_kx_error(c, 400, "ResourceInUseException",
                     "Stream %s under account %s not ACTIVE, instead in state %s", name,
                     store_account(c->k->st),
                     srv_kx_creating(c->k, name) ? "CREATING" : store_status_name(d->status));
        store_stream_desc_free(d);
        return -1;
    }
    if (store_stream_attr_get(c->k->st, name, "mode", mode, sizeof mode, NULL) == 0 &&
        !strcmp(mode, "ON_DEMAND")) {
        srv_kx_error(c, 400, "ValidationException",
                     "This operation is not permitted in ON_DEMAND mode.");
        store_stream_desc_free(d);
        return -1;
    }
    return 0;
}

void srv_kx_split_shard(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    const char *shard = srv_kx_str(c->in, "ShardToSplit");
    const char *key = srv_kx_str(c->in, "NewStartingHashKey");
    eddy_u128 k;
    if (eddy_u128_parse(key, strlen(key), &k) != 0) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account "
                     "%s is not a valid hash key.", key, shard, name, store_account(c->k->st));
        return;
    }
    store_stream_desc d;
    if (reshardable_or_reply(c, name, &d) != 0) return;
    store_stream_desc_free(&d);
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_shard_split(c->k->st, name, shard, k, &e);
    if (rc != 0) srv_kx_store_error(c, rc, &e);
    else srv_kx_ok(c, NULL);
}

void srv_kx_merge_shards(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    store_stream_desc d;
    if (reshardable_or_reply(c, name, &d) != 0) return;
    store_stream_desc_free(&d);
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_shard_merge(c->k->st, name, srv_kx_str(c->in, "ShardToMerge"),
                               srv_kx_str(c->in, "AdjacentShardToMerge"), &e);
    if (rc != 0) srv_kx_store_error(c, rc, &e);
    else srv_kx_ok(c, NULL);
}

void srv_kx_update_shard_count(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    long long target = srv_kx_int(c->in, "TargetShardCount", 0);
    store_stream_desc d;
    if (reshardable_or_reply(c, name, &d) != 0) return;
    int current = d.open_shard_count;
    char arn[STORE_ARN_MAX];
    snprintf(arn, sizeof arn, "%s", d.arn);
    store_stream_desc_free(&d);
    if (target > 10000) {
        srv_kx_error(c, 400, "ValidationException",
                     "1 validation error detected: Value '%lld' at 'targetShardCount' failed to satisfy "
                     "constraint: Member must have value less than or equal to 10000", target);
        return;
    }
    if (target > 2LL * current || target * 2 < current) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "UpdateShardCount request contains invalid parameters: TargetShardCount %lld must "
                     "be between %d and %d (at most double and at least half the current open shard "
                     "count %d) for stream %s under account %s.", target, (current + 1) / 2,
                     current * 2, current, name, store_account(c->k->st));
        return;
    }
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_shard_count_update(c->k->st, name, (int)target, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "StreamName", name);
    cJSON_AddNumberToObject(out, "CurrentShardCount", current);
    cJSON_AddNumberToObject(out, "TargetShardCount", (double)target);
    cJSON_AddStringToObject(out, "StreamARN", arn);
    srv_kx_ok(c, out);
}
