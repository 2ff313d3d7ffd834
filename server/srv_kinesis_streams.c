/*
 * srv_kinesis_streams.c — the stream-level operations of the Kinesis API:
 * create, delete, describe, list, ListShards with ShardFilter and NextToken
 * paging, retention, tags (stream- and ARN-based), and the tier-D
 * "accept, store, echo" operations (monitoring, encryption, stream mode,
 * resource policies, account settings, record size, warm throughput).
 *
 * Echoed settings live in the store's per-stream attributes under these keys:
 * "tag:<key>", "ctag:<consumer>:<key>", "mode", "monitoring" (comma list),
 * "enc.type", "enc.key", "policy", "cpolicy:<consumer>", "maxrec", "warm".
 */
#include "srv_kinesis_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "eddy_time.h"

#define NEXT_TOKEN_TTL_MS (300 * 1000)

static int attr(srv_kinesis *k, const char *stream, const char *key, char *out, size_t cap) {
    eddy_err e;
    eddy_err_clear(&e);
    return store_stream_attr_get(k->st, stream, key, out, cap, &e);
}

static int set_attr_or_reply(srv_call *c, const char *stream, const char *key, const char *val) {
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_stream_attr_set(c->k->st, stream, key, val, &e);
    if (rc != 0) srv_kx_store_error(c, rc, &e);
    return rc;
}

static int describe_or_reply(srv_call *c, const char *name, store_stream_desc *d) {
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_stream_describe(c->k->st, name, d, &e);
    if (rc != 0) srv_kx_store_error(c, rc, &e);
    return rc;
}

static const char *status_of(srv_kinesis *k, const store_stream_desc *d) {
    return srv_kx_creating(k, d->name) ? "CREATING" : store_status_name(d->status);
}

/* Fields shared by DescribeStream and DescribeStreamSummary. */
static void add_common(srv_kinesis *k, cJSON *o, const store_stream_desc *d) {
    char buf[1100];
    cJSON_AddStringToObject(o, "StreamName", d->name);
    cJSON_AddStringToObject(o, "StreamARN", d->arn);
    cJSON_AddStringToObject(o, "StreamStatus", status_of(k, d));
    cJSON *m = cJSON_AddObjectToObject(o, "StreamModeDetails");
    cJSON_AddStringToObject(m, "StreamMode",
                            attr(k, d->name, "mode", buf, sizeof buf) == 0 ? buf : "PROVISIONED");
    cJSON_AddNumberToObject(o, "RetentionPeriodHours", d->retention_hours);
    srv_kx_add_time(o, "StreamCreationTimestamp", d->created_ms);
    cJSON *em = cJSON_AddArrayToObject(o, "EnhancedMonitoring");
    cJSON *lvl = cJSON_CreateObject();
    cJSON *metrics = cJSON_AddArrayToObject(lvl, "ShardLevelMetrics");
    if (attr(k, d->name, "monitoring", buf, sizeof buf) == 0)
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
            cJSON_AddItemToArray(metrics, cJSON_CreateString(t));
    cJSON_AddItemToArray(em, lvl);
    if (attr(k, d->name, "enc.type", buf, sizeof buf) == 0 && !strcmp(buf, "KMS")) {
        cJSON_AddStringToObject(o, "EncryptionType", "KMS");
        if (attr(k, d->name, "enc.key", buf, sizeof buf) == 0) cJSON_AddStringToObject(o, "KeyId", buf);
    } else {
        cJSON_AddStringToObject(o, "EncryptionType", "NONE");
    }
}

static int shard_index(const char *id) {
    const char *p = strrchr(id, '-');
    return p ? atoi(p + 1) : -1;
}

/* ------------------------------------------------------------ create/delete */

void srv_kx_create_stream(srv_call *c) {
    const char *name = srv_kx_str(c->in, "StreamName");
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(c->in, "StreamModeDetails");
    const char *mode = md ? srv_kx_str(md, "StreamMode") : NULL;
    if (md && (!mode || (strcmp(mode, "PROVISIONED") && strcmp(mode, "ON_DEMAND")))) {
        srv_kx_error(c, 400, "ValidationException",
                     "1 validation error detected: Value '%s' at 'streamModeDetails.streamMode' "
                     "failed to satisfy constraint: Member must satisfy enum value set: "
                     "[PROVISIONED, ON_DEMAND]", mode ? mode : "null");
        return;
    }
    int on_demand = mode && !strcmp(mode, "ON_DEMAND");
    long long shards = srv_kx_int(c->in, "ShardCount", on_demand ? 4 : -1);
    if (shards < 0) {
        srv_kx_error(c, 400, "ValidationException",
                     "1 validation error detected: Value null at 'shardCount' failed to satisfy "
                     "constraint: Member must not be null");
        return;
    }
    if (shards > 10000) {
        srv_kx_error(c, 400, "LimitExceededException",
                     "This request would exceed the shard limit for the account %s in %s. "
                     "Current shard count for the account: 0. Limit: 10000. Number of additional "
                     "shards that would have resulted from this request: %lld.",
                     store_account(c->k->st), c->k->region, shards);
        return;
    }
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(c->in, "Tags");
    for (const cJSON *t = tags ? tags->child : NULL; t; t = t->next) {
        if (!cJSON_IsString(t)) {
            srv_kx_error(c, 400, "SerializationException", "%s",
                         "Unexpected value type in tag map; expected a string");
            return;
        }
    }
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_stream_create(c->k->st, name, (int)shards, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    for (const cJSON *t = tags ? tags->child : NULL; t; t = t->next) {
        char key[300];
        snprintf(key, sizeof key, "tag:%s", t->string);
        store_stream_attr_set(c->k->st, name, key, t->valuestring, NULL);
    }
    if (on_demand) store_stream_attr_set(c->k->st, name, "mode", "ON_DEMAND", NULL);
    long long maxrec = srv_kx_int(c->in, "MaxRecordSizeInKiB", 0);
    if (maxrec) {
        char v[32];
        snprintf(v, sizeof v, "%lld", maxrec);
        store_stream_attr_set(c->k->st, name, "maxrec", v, NULL);
    }
    srv_kx_pending_add(c->k, name);
    srv_kx_ok(c, NULL);
}

void srv_kx_delete_stream(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    const cJSON *enforce = cJSON_GetObjectItemCaseSensitive(c->in, "EnforceConsumerDeletion");
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_stream_delete(c->k->st, name, cJSON_IsTrue(enforce), &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    srv_kx_pending_remove(c->k, name);
    srv_kx_ok(c, NULL);
}

/* ------------------------------------------------------------ describe/list */

void srv_kx_describe_stream(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    store_stream_desc d;
    if (describe_or_reply(c, name, &d) != 0) return;
    long long limit = srv_kx_int(c->in, "Limit", 100);
    if (limit > 100) limit = 100;
    const char *after = srv_kx_str(c->in, "ExclusiveStartShardId");
    int after_ix = after ? shard_index(after) : -1;
    cJSON *out = cJSON_CreateObject();
    cJSON *sd = cJSON_AddObjectToObject(out, "StreamDescription");
    add_common(c->k, sd, &d);
    cJSON *shards = cJSON_AddArrayToObject(sd, "Shards");
    int more = 0;
    long long n = 0;
    if (!srv_kx_creating(c->k, name)) {
        for (size_t i = 0; i < d.n_shards; i++) {
            if (shard_index(d.shards[i].shard_id) <= after_ix) continue;
            if (n == limit) {
                more = 1;
                break;
            }
            cJSON_AddItemToArray(shards, srv_kx_shard_json(&d.shards[i]));
            n++;
        }
    }
    cJSON_AddBoolToObject(sd, "HasMoreShards", more);
    store_stream_desc_free(&d);
    srv_kx_ok(c, out);
}

void srv_kx_describe_stream_summary(srv_call *c) {
    char name[STORE_NAME_MAX + 1], buf[64];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    store_stream_desc d;
    if (describe_or_reply(c, name, &d) != 0) return;
    cJSON *out = cJSON_CreateObject();
    cJSON *sd = cJSON_AddObjectToObject(out, "StreamDescriptionSummary");
    add_common(c->k, sd, &d);
    cJSON_AddNumberToObject(sd, "OpenShardCount", srv_kx_creating(c->k, name) ? 0 : d.open_shard_count);
    cJSON_AddNumberToObject(sd, "ConsumerCount", d.consumer_count);
    cJSON_AddNumberToObject(sd, "MaxRecordSizeInKiB",
                            attr(c->k, name, "maxrec", buf, sizeof buf) == 0 ? atoi(buf) : 1024);
    if (attr(c->k, name, "warm", buf, sizeof buf) == 0) {
        cJSON *w = cJSON_AddObjectToObject(sd, "WarmThroughput");
        cJSON_AddNumberToObject(w, "TargetMiBps", atoi(buf));
        cJSON_AddNumberToObject(w, "CurrentMiBps", atoi(buf));
    }
    store_stream_desc_free(&d);
    srv_kx_ok(c, out);
}

static char *b64_of(const char *s) {
    size_t n = strlen(s);
    char *o = malloc(eddy_b64_enc_len(n) + 1);
    if (o) eddy_b64_encode(s, n, o);
    return o;
}

/* Decodes a token made by b64_of; NULL when it is not one. Owned by caller. */
static char *unb64(const char *s) {
    size_t n = strlen(s);
    char *o = malloc(n / 4 * 3 + 4);
    if (!o) return NULL;
    size_t m = eddy_b64_decode(s, n, o);
    if (m == (size_t)-1 || memchr(o, 0, m)) {
        free(o);
        return NULL;
    }
    o[m] = 0;
    return o;
}

void srv_kx_list_streams(srv_call *c) {
    long long limit = srv_kx_int(c->in, "Limit", 100);
    const char *start = srv_kx_str(c->in, "ExclusiveStartStreamName");
    const char *token = srv_kx_str(c->in, "NextToken");
    char *from_token = NULL;
    if (token) {
        if (start) {
            srv_kx_error(c, 400, "InvalidArgumentException",
                         "NextToken and ExclusiveStartStreamName cannot be provided together.");
            return;
        }
        from_token = unb64(token);
        if (!from_token || strncmp(from_token, "ls1|", 4) != 0) {
            free(from_token);
            srv_kx_error(c, 400, "InvalidArgumentException", "Invalid NextToken.");
            return;
        }
        start = from_token + 4;
    }
    char **names = NULL;
    size_t n = 0;
    int more = 0;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_stream_list(c->k->st, start, (size_t)limit, &names, &n, &more, &e);
    free(from_token);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(out, "StreamNames");
    cJSON *sums = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(arr, cJSON_CreateString(names[i]));
        store_stream_desc d;
        if (store_stream_describe(c->k->st, names[i], &d, NULL) == 0) {
            cJSON *s = cJSON_CreateObject();
            char buf[32];
            cJSON_AddStringToObject(s, "StreamName", d.name);
            cJSON_AddStringToObject(s, "StreamARN", d.arn);
            cJSON_AddStringToObject(s, "StreamStatus", status_of(c->k, &d));
            cJSON *m = cJSON_AddObjectToObject(s, "StreamModeDetails");
            cJSON_AddStringToObject(m, "StreamMode",
                                    attr(c->k, d.name, "mode", buf, sizeof buf) == 0 ? buf : "PROVISIONED");
            srv_kx_add_time(s, "StreamCreationTimestamp", d.created_ms);
            cJSON_AddItemToArray(sums, s);
            store_stream_desc_free(&d);
        }
    }
    cJSON_AddBoolToObject(out, "HasMoreStreams", more);
    if (more && n > 0) {
        char raw[STORE_NAME_MAX + 8];
        snprintf(raw, sizeof raw, "ls1|%s", names[n - 1]);
        char *t = b64_of(raw);
        if (t) cJSON_AddStringToObject(out, "NextToken", t);
        free(t);
    }
    cJSON_AddItemToObject(out, "StreamSummaries", sums);
    store_names_free(names, n);
    srv_kx_ok(c, out);
}

/* When a closed shard closed: the creation time of its first child. */
static int64_t closed_at(const store_stream_desc *d, const store_shard_desc *s) {
    int64_t t = INT64_MAX;
    for (size_t i = 0; i < d->n_shards; i++) {
        const store_shard_desc *ch = &d->shards[i];
        if ((!strcmp(ch->parent_shard_id, s->shard_id) ||
             !strcmp(ch->adjacent_parent_shard_id, s->shard_id)) && ch->created_ms < t)
            t = ch->created_ms;
    }
    return t == INT64_MAX ? s->created_ms : t;
}

static const char *const shard_filters[] = {"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON",
                                            "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP", NULL};

/* Whether shard s passes the filter (ShardFilter semantics, KINESIS-API.md §2.6). */
static int filter_pass(const store_stream_desc *d, const store_shard_desc *s, int64_t now,
                       const char *type, int after_ix, int64_t ts) {
    int64_t trim = now - (int64_t)d->retention_hours * 3600 * 1000;
    if (trim < d->created_ms) trim = d->created_ms;
    int64_t end = s->closed ? closed_at(d, s) : INT64_MAX;
    if (!strcmp(type, "AFTER_SHARD_ID")) return shard_index(s->shard_id) > after_ix;
    if (!strcmp(type, "AT_LATEST")) return !s->closed;
    if (!strcmp(type, "AT_TRIM_HORIZON")) return s->created_ms <= trim && end > trim;
    if (!strcmp(type, "FROM_TRIM_HORIZON")) return end >= trim;
    if (ts < trim) ts = trim;
    if (!strcmp(type, "AT_TIMESTAMP")) return s->created_ms <= ts && end >= ts;
    return end >= ts;   /* FROM_TIMESTAMP */
}

void srv_kx_list_shards(srv_call *c) {
    const char *token = srv_kx_str(c->in, "NextToken");
    int has_name = srv_kx_str(c->in, "StreamName") || srv_kx_str(c->in, "StreamARN");
    char name[STORE_NAME_MAX + 1];
    char ftype[32] = "FROM_TRIM_HORIZON";
    int after_ix = -1;
    int64_t fts = 0;
    long long max = srv_kx_int(c->in, "MaxResults", 1000);
    if (max > 1000) max = 1000;
    if (token) {
        if (has_name || srv_kx_str(c->in, "ExclusiveStartShardId") ||
            cJSON_GetObjectItemCaseSensitive(c->in, "StreamCreationTimestamp")) {
            srv_kx_error(c, 400, "InvalidArgumentException",
                         "NextToken and StreamName cannot be provided together.");
            return;
        }
        char *raw = unb64(token);
        long long made = 0, ts = 0;
        int ix = 0, used = 0;
        if (!raw || sscanf(raw, "sh1|%lld|%d|%31[A-Z_]|%lld|%n", &made, &ix, ftype, &ts, &used) < 4 ||
            used == 0 || strlen(raw + used) > STORE_NAME_MAX) {
            free(raw);
            srv_kx_error(c, 400, "InvalidArgumentException", "Invalid ShardId in ListShards NextToken.");
            return;
        }
        snprintf(name, sizeof name, "%s", raw + used);
        free(raw);
        if (eddy_now_ms() - made > NEXT_TOKEN_TTL_MS) {
            srv_kx_error(c, 400, "ExpiredNextTokenException", "The timestampInMillis parameter in NextToken has expired.");
            return;
        }
        after_ix = ix;
        fts = ts;
    } else {
        if (!has_name) {
            srv_kx_error(c, 400, "InvalidArgumentException",
                         "Either NextToken or StreamName should be provided.");
            return;
        }
        if (srv_kx_stream_or_reply(c, name) != 0) return;
        const char *after = srv_kx_str(c->in, "ExclusiveStartShardId");
        if (after) after_ix = shard_index(after);
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(c->in, "ShardFilter");
        if (f) {
            const char *t = srv_kx_str(f, "Type");
            int ok = 0;
            for (const char *const *e = shard_filters; t && *e; e++) ok |= !strcmp(t, *e);
            if (!ok) {
                srv_kx_error(c, 400, "ValidationException",
                             "1 validation error detected: Value '%s' at 'shardFilter.type' failed to "
                             "satisfy constraint: Member must satisfy enum value set: [AFTER_SHARD_ID, "
                             "AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]",
                             t ? t : "null");
                return;
            }
            snprintf(ftype, sizeof ftype, "%s", t);
            if (!strcmp(t, "AFTER_SHARD_ID")) {
                const char *sid = srv_kx_str(f, "ShardId");
                if (!sid) {
                    srv_kx_error(c, 400, "InvalidArgumentException",
                                 "Must specify ShardId in ShardFilter when using AFTER_SHARD_ID.");
                    return;
                }
                if (shard_index(sid) > after_ix) after_ix = shard_index(sid);
            } else if (!strcmp(t, "AT_TIMESTAMP") || !strcmp(t, "FROM_TIMESTAMP")) {
                fts = srv_kx_time_ms(f, "Timestamp");
                if (fts < 0) {
                    srv_kx_error(c, 400, "InvalidArgumentException",
                                 "Must specify Timestamp in ShardFilter when using %s.", t);
                    return;
                }
            }
        }
    }
    store_stream_desc d;
    if (describe_or_reply(c, name, &d) != 0) return;
    int64_t created = srv_kx_time_ms(c->in, "StreamCreationTimestamp");
    if (created >= 0 && created / 1000 != d.created_ms / 1000) {
        store_stream_desc_free(&d);
        srv_kx_error(c, 400, "ResourceNotFoundException",
                     "Stream %s under account %s not found.", name, store_account(c->k->st));
        return;
    }
    int64_t now = eddy_now_ms();
    cJSON *out = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(out, "Shards");
    long long n = 0;
    int last_ix = -1, more = 0;
    if (!srv_kx_creating(c->k, name)) {
        for (size_t i = 0; i < d.n_shards; i++) {
            const store_shard_desc *s = &d.shards[i];
            if (shard_index(s->shard_id) <= after_ix) continue;
            if (!filter_pass(&d, s, now, ftype, after_ix, fts)) continue;
            if (n == max) {
                more = 1;
                break;
            }
            cJSON_AddItemToArray(arr, srv_kx_shard_json(s));
            last_ix = shard_index(s->shard_id);
            n++;
        }
    }
    if (more) {
        char raw[STORE_NAME_MAX + 96];
        snprintf(raw, sizeof raw, "sh1|%lld|%d|%s|%lld|%s", (long long)now, last_ix, ftype,
                 (long long)fts, name);
        char *t = b64_of(raw);
        if (t) cJSON_AddStringToObject(out, "NextToken", t);
        free(t);
    }
    store_stream_desc_free(&d);
    srv_kx_ok(c, out);
}

/* ------------------------------------------------------------ retention */

static void retention(srv_call *c, int increase) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    long long h = srv_kx_int(c->in, "RetentionPeriodHours", 0);
    if (h < STORE_RETENTION_MIN_H) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "Minimum allowed retention period is %d hours. Requested retention period "
                     "(%lld hours) is too short.", STORE_RETENTION_MIN_H, h);
        return;
    }
    if (h > STORE_RETENTION_MAX_H) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "Maximum allowed retention period is %d hours. Requested retention period "
                     "(%lld hours) is too long.", STORE_RETENTION_MAX_H, h);
        return;
    }
    eddy_err e;
    eddy_err_clear(&e);
    int rc = increase ? store_retention_increase(c->k->st, name, (int)h, &e)
                      : store_retention_decrease(c->k->st, name, (int)h, &e);
    if (rc != 0) srv_kx_store_error(c, rc, &e);
    else srv_kx_ok(c, NULL);
}

void srv_kx_increase_retention(srv_call *c) { retention(c, 1); }
void srv_kx_decrease_retention(srv_call *c) { retention(c, 0); }

/* ------------------------------------------------------------ tags */

/* Resolves a ResourceARN (stream or consumer) into a stream name and the
 * attribute prefix of its tags or policy. Answers and returns -1 on failure. */
static int resource_or_reply(srv_call *c, char *stream, char *prefix, size_t cap, const char *kind) {
    const char *arn = srv_kx_str(c->in, "ResourceARN");
    const char *cons = strstr(arn, "/consumer/");
    char sarn[STORE_ARN_MAX];
    if (cons) {
        snprintf(sarn, sizeof sarn, "%.*s", (int)(cons - arn), arn);
        const char *cn = cons + strlen("/consumer/");
        const char *colon = strchr(cn, ':');
        snprintf(prefix, cap, "c%s:%.*s:", kind, colon ? (int)(colon - cn) : (int)strlen(cn), cn);
    } else {
        snprintf(sarn, sizeof sarn, "%s", arn);
        snprintf(prefix, cap, "%s:", kind);
    }
    eddy_err e;
    eddy_err_clear(&e);
    if (store_stream_name_from(sarn, stream, &e) != 0) {
        srv_kx_error(c, 400, "InvalidArgumentException", "Invalid ResourceARN %s.", arn);
        return -1;
    }
    if (cons) {
        store_consumer_desc cd;
        int rc = store_consumer_describe(c->k->st, NULL, NULL, arn, &cd, &e);
        if (rc != 0) {
            srv_kx_store_error(c, rc, &e);
            return -1;
        }
    }
    return 0;
}

/* Collects the tags under `prefix` as [{Key, Value}] (sorted by key). */
static int tags_list(srv_call *c, const char *stream, const char *prefix, cJSON **out) {
    char **keys = NULL, **vals = NULL;
    size_t n = 0;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_stream_attrs(c->k->st, stream, &keys, &vals, &n, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return rc;
    }
    size_t pl = strlen(prefix);
    *out = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        if (strncmp(keys[i], prefix, pl) != 0) continue;
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "Key", keys[i] + pl);
        cJSON_AddStringToObject(t, "Value", vals[i]);
        cJSON_AddItemToArray(*out, t);
    }
    store_names_free(keys, n);
    store_names_free(vals, n);
    return 0;
}

static void add_tags(srv_call *c, const char *stream, const char *prefix, const cJSON *tags) {
    cJSON *cur;
    if (tags_list(c, stream, prefix, &cur) != 0) return;
    int count = cJSON_GetArraySize(cur);
    for (const cJSON *t = tags->child; t; t = t->next) {
        if (!cJSON_IsString(t)) {
            cJSON_Delete(cur);
            srv_kx_error(c, 400, "SerializationException", "%s",
                         "Unexpected value type in tag map; expected a string");
            return;
        }
        if (strlen(t->string) < 1 || strlen(t->string) > 128 || strlen(t->valuestring) > 256) {
            cJSON_Delete(cur);
            srv_kx_error(c, 400, "InvalidArgumentException",
                         "Tag keys must be 1 to 128 characters and values at most 256.");
            return;
        }
        int exists = 0;
        for (const cJSON *x = cur->child; x; x = x->next)
            exists |= !strcmp(srv_kx_str(x, "Key"), t->string);
        count += !exists;
    }
    cJSON_Delete(cur);
    if (count > 50) {
        srv_kx_error(c, 400, "LimitExceededException",
                     "Failed to add tags to stream %s under account %s because a given stream "
                     "cannot have more than 50 tags.", stream, store_account(c->k->st));
        return;
    }
    for (const cJSON *t = tags->child; t; t = t->next) {
        char key[300];
        snprintf(key, sizeof key, "%s%s", prefix, t->string);
        if (set_attr_or_reply(c, stream, key, t->valuestring) != 0) return;
    }
    srv_kx_ok(c, NULL);
}

static void remove_tags(srv_call *c, const char *stream, const char *prefix, const cJSON *keys) {
    for (const cJSON *t = keys->child; t; t = t->next) {
        if (!cJSON_IsString(t)) {
            srv_kx_error(c, 400, "SerializationException", "%s",
                         "Unexpected value type in tag key list; expected a string");
            return;
        }
    }
    for (const cJSON *t = keys->child; t; t = t->next) {
        char key[300];
        snprintf(key, sizeof key, "%s%s", prefix, t->valuestring);
        if (set_attr_or_reply(c, stream, key, NULL) != 0) return;
    }
    srv_kx_ok(c, NULL);
}

void srv_kx_add_tags(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    add_tags(c, name, "tag:", cJSON_GetObjectItemCaseSensitive(c->in, "Tags"));
}

void srv_kx_remove_tags(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    remove_tags(c, name, "tag:", cJSON_GetObjectItemCaseSensitive(c->in, "TagKeys"));
}

void srv_kx_list_tags(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    cJSON *all;
    if (tags_list(c, name, "tag:", &all) != 0) return;
    const char *start = srv_kx_str(c->in, "ExclusiveStartTagKey");
    long long limit = srv_kx_int(c->in, "Limit", 50);
    cJSON *out = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(out, "Tags");
    int more = 0;
    long long n = 0;
    for (cJSON *t = all->child; t; t = t->next) {
        if (start && strcmp(srv_kx_str(t, "Key"), start) <= 0) continue;
        if (n == limit) {
            more = 1;
            break;
        }
        cJSON_AddItemToArray(arr, cJSON_Duplicate(t, 1));
        n++;
    }
    cJSON_Delete(all);
    cJSON_AddBoolToObject(out, "HasMoreTags", more);
    srv_kx_ok(c, out);
}

void srv_kx_tag_resource(srv_call *c) {
    char name[STORE_NAME_MAX + 1], prefix[200];
    if (resource_or_reply(c, name, prefix, sizeof prefix, "tag") != 0) return;
    add_tags(c, name, prefix, cJSON_GetObjectItemCaseSensitive(c->in, "Tags"));
}

void srv_kx_untag_resource(srv_call *c) {
    char name[STORE_NAME_MAX + 1], prefix[200];
    if (resource_or_reply(c, name, prefix, sizeof prefix, "tag") != 0) return;
    remove_tags(c, name, prefix, cJSON_GetObjectItemCaseSensitive(c->in, "TagKeys"));
}

void srv_kx_list_tags_for_resource(srv_call *c) {
    char name[STORE_NAME_MAX + 1], prefix[200];
    if (resource_or_reply(c, name, prefix, sizeof prefix, "tag") != 0) return;
    cJSON *all;
    if (tags_list(c, name, prefix, &all) != 0) return;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "Tags", all);
    srv_kx_ok(c, out);
}

/* ------------------------------------------------------------ policies */

void srv_kx_put_policy(srv_call *c) {
    char name[STORE_NAME_MAX + 1], prefix[200];
    if (resource_or_reply(c, name, prefix, sizeof prefix, "policy") != 0) return;
    const char *policy = srv_kx_str(c->in, "Policy");
    cJSON *p = cJSON_Parse(policy);
    int ok = cJSON_IsObject(p);
    cJSON_Delete(p);
    if (!ok) {
        srv_kx_error(c, 400, "InvalidArgumentException", "Policy is not a valid JSON document.");
        return;
    }
    if (strlen(policy) > 1000) {
        srv_kx_error(c, 400, "LimitExceededException", "eddy stores resource policies of at most 1000 bytes.");
        return;
    }
    if (set_attr_or_reply(c, name, prefix, policy) == 0) srv_kx_ok(c, NULL);
}

void srv_kx_get_policy(srv_call *c) {
    char name[STORE_NAME_MAX + 1], prefix[200], buf[1100];
    if (resource_or_reply(c, name, prefix, sizeof prefix, "policy") != 0) return;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "Policy", attr(c->k, name, prefix, buf, sizeof buf) == 0 ? buf : "{}");
    srv_kx_ok(c, out);
}

void srv_kx_delete_policy(srv_call *c) {
    char name[STORE_NAME_MAX + 1], prefix[200], buf[1100];
    if (resource_or_reply(c, name, prefix, sizeof prefix, "policy") != 0) return;
    if (attr(c->k, name, prefix, buf, sizeof buf) != 0) {
        srv_kx_error(c, 400, "ResourceNotFoundException", "No resource policy found for resource %s.",
                     srv_kx_str(c->in, "ResourceARN"));
        return;
    }
    if (set_attr_or_reply(c, name, prefix, NULL) == 0) srv_kx_ok(c, NULL);
}

/* ------------------------------------------------------------ monitoring */

static const char *const all_metrics[] = {
    "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
    "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds", NULL};

static void monitoring(srv_call *c, int enable) {
    char name[STORE_NAME_MAX + 1], buf[1100];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(c->in, "ShardLevelMetrics");
    int cur[8] = {0}, req[8] = {0};
    for (const cJSON *m = want->child; m; m = m->next) {
        int found = 0;
        if (cJSON_IsString(m) && !strcmp(m->valuestring, "ALL")) {
            for (int i = 0; all_metrics[i]; i++) req[i] = 1;
            found = 1;
        }
        for (int i = 0; all_metrics[i] && cJSON_IsString(m); i++)
            if (!strcmp(m->valuestring, all_metrics[i])) req[i] = found = 1;
        if (!found) {
            srv_kx_error(c, 400, "ValidationException",
                         "1 validation error detected: Value '[%s]' at 'shardLevelMetrics' failed to "
                         "satisfy constraint: Member must satisfy constraint: [Member must satisfy enum "
                         "value set: [IncomingBytes, OutgoingRecords, IteratorAgeMilliseconds, "
                         "IncomingRecords, ReadProvisionedThroughputExceeded, "
                         "WriteProvisionedThroughputExceeded, OutgoingBytes, ALL]]",
                         cJSON_IsString(m) ? m->valuestring : "?");
            return;
        }
    }
    store_stream_desc d;
    if (describe_or_reply(c, name, &d) != 0) return;
    store_stream_desc_free(&d);
    if (attr(c->k, name, "monitoring", buf, sizeof buf) == 0)
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
            for (int i = 0; all_metrics[i]; i++)
                if (!strcmp(t, all_metrics[i])) cur[i] = 1;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "StreamName", name);
    cJSON *ca = cJSON_AddArrayToObject(out, "CurrentShardLevelMetrics");
    cJSON *da = cJSON_AddArrayToObject(out, "DesiredShardLevelMetrics");
    char next[1100] = "";
    size_t len = 0;
    for (int i = 0; all_metrics[i]; i++) {
        if (cur[i]) cJSON_AddItemToArray(ca, cJSON_CreateString(all_metrics[i]));
        int on = enable ? (cur[i] || req[i]) : (cur[i] && !req[i]);
        if (on) {
            cJSON_AddItemToArray(da, cJSON_CreateString(all_metrics[i]));
            len += (size_t)snprintf(next + len, sizeof next - len, "%s%s", len ? "," : "", all_metrics[i]);
        }
    }
    if (set_attr_or_reply(c, name, "monitoring", len ? next : NULL) != 0) {
        cJSON_Delete(out);
        return;
    }
    store_stream_desc d2;
    if (store_stream_describe(c->k->st, name, &d2, NULL) == 0) {
        cJSON_AddStringToObject(out, "StreamARN", d2.arn);
        store_stream_desc_free(&d2);
    }
    srv_kx_ok(c, out);
}

void srv_kx_enable_monitoring(srv_call *c) { monitoring(c, 1); }
void srv_kx_disable_monitoring(srv_call *c) { monitoring(c, 0); }

/* ------------------------------------------------------------ encryption & modes */

static void encryption(srv_call *c, int start) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    if (strcmp(srv_kx_str(c->in, "EncryptionType"), "KMS") != 0) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "Encryption type must be KMS for stream %s under account %s.", name,
                     store_account(c->k->st));
        return;
    }
    if (set_attr_or_reply(c, name, "enc.type", start ? "KMS" : NULL) != 0) return;
    if (set_attr_or_reply(c, name, "enc.key", start ? srv_kx_str(c->in, "KeyId") : NULL) != 0) return;
    srv_kx_ok(c, NULL);
}

void srv_kx_start_encryption(srv_call *c) { encryption(c, 1); }
void srv_kx_stop_encryption(srv_call *c) { encryption(c, 0); }

void srv_kx_describe_limits(srv_call *c) {
    char **names = NULL;
    size_t n = 0;
    int more = 0, open = 0, on_demand = 0;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_stream_list(c->k->st, NULL, 0, &names, &n, &more, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        store_stream_desc d;
        char buf[32];
        if (store_stream_describe(c->k->st, names[i], &d, NULL) != 0) continue;
        open += d.open_shard_count;
        on_demand += attr(c->k, names[i], "mode", buf, sizeof buf) == 0 && !strcmp(buf, "ON_DEMAND");
        store_stream_desc_free(&d);
    }
    store_names_free(names, n);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "ShardLimit", 20000);
    cJSON_AddNumberToObject(out, "OpenShardCount", open);
    cJSON_AddNumberToObject(out, "OnDemandStreamCount", on_demand);
    cJSON_AddNumberToObject(out, "OnDemandStreamCountLimit", 50);
    srv_kx_ok(c, out);
}

void srv_kx_update_stream_mode(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    const char *mode = srv_kx_str(cJSON_GetObjectItemCaseSensitive(c->in, "StreamModeDetails"), "StreamMode");
    if (!mode || (strcmp(mode, "PROVISIONED") && strcmp(mode, "ON_DEMAND"))) {
        srv_kx_error(c, 400, "ValidationException",
                     "1 validation error detected: Value '%s' at 'streamModeDetails.streamMode' failed "
                     "to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]",
                     mode ? mode : "null");
        return;
    }
    if (set_attr_or_reply(c, name, "mode", mode) == 0) srv_kx_ok(c, NULL);
}

void srv_kx_describe_account(srv_call *c) {
    cJSON *out = cJSON_CreateObject();
    cJSON *m = cJSON_AddObjectToObject(out, "MinimumThroughputBillingCommitment");
    cJSON_AddStringToObject(m, "Status", c->k->account_commitment);
    srv_kx_ok(c, out);
}

void srv_kx_update_account(srv_call *c) {
    const char *st = srv_kx_str(cJSON_GetObjectItemCaseSensitive(c->in, "MinimumThroughputBillingCommitment"),
                                "Status");
    if (!st || (strcmp(st, "ENABLED") && strcmp(st, "DISABLED"))) {
        srv_kx_error(c, 400, "ValidationException",
                     "1 validation error detected: Value '%s' at 'minimumThroughputBillingCommitment.status' "
                     "failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]",
                     st ? st : "null");
        return;
    }
    snprintf(c->k->account_commitment, sizeof c->k->account_commitment, "%s", st);
    srv_kx_describe_account(c);
}

void srv_kx_update_max_record_size(srv_call *c) {
    char name[STORE_NAME_MAX + 1], v[32];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    snprintf(v, sizeof v, "%lld", srv_kx_int(c->in, "MaxRecordSizeInKiB", 1024));
    if (set_attr_or_reply(c, name, "maxrec", v) == 0) srv_kx_ok(c, NULL);
}

void srv_kx_update_warm_throughput(srv_call *c) {
    char name[STORE_NAME_MAX + 1], v[32];
    if (srv_kx_stream_or_reply(c, name) != 0) return;
    long long w = srv_kx_int(c->in, "WarmThroughputMiBps", 0);
    snprintf(v, sizeof v, "%lld", w);
    if (set_attr_or_reply(c, name, "warm", v) != 0) return;
    store_stream_desc d;
    if (describe_or_reply(c, name, &d) != 0) return;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "StreamARN", d.arn);
    cJSON_AddStringToObject(out, "StreamName", d.name);
    cJSON *wt = cJSON_AddObjectToObject(out, "WarmThroughput");
    cJSON_AddNumberToObject(wt, "TargetMiBps", (double)w);
    cJSON_AddNumberToObject(wt, "CurrentMiBps", (double)w);
    store_stream_desc_free(&d);
    srv_kx_ok(c, out);
}
