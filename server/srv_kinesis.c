/*
 * srv_kinesis.c — the Kinesis API dispatcher: routing on X-Amz-Target,
 * content types (AWS JSON 1.1, plain JSON, CBOR), authentication checks,
 * model validation in Coral's wording, replies and errors (KINESIS-API.md
 * §1.1–1.2), and the helpers the per-family files share (srv_kinesis_int.h).
 *
 * Each request becomes a heap srv_call so that fault-injected latency can
 * defer the operation on a uv timer; otherwise it runs at once and the call
 * is freed when the operation returns.
 */
#include "srv_kinesis_int.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "base64.h"
#include "eddy_log.h"
#include "eddy_time.h"
#include "sbuf.h"
#include "srv_cbor.h"

#define CT_JSON11 "application/x-amz-json-1.1"
#define CT_CBOR11 "application/x-amz-cbor-1.1"

/* ------------------------------------------------------------ model tables */

static const char *const e_iter[] = {"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON",
                                     "LATEST", "AT_TIMESTAMP", NULL};
static const char *const e_scaling[] = {"UNIFORM_SCALING", NULL};
static const char *const e_enc[] = {"NONE", "KMS", NULL};

#define F_NAME(req) {"StreamName", SRV_T_STR, req, 1, 128, SRV_P_NAME, NULL}
#define F_ARN(req) {"StreamARN", SRV_T_STR, req, 1, 2048, SRV_P_STREAM_ARN, NULL}
#define F_STREAM F_NAME(0), F_ARN(0)
#define F_CONSUMER_ARN(req) {"ConsumerARN", SRV_T_STR, req, 1, 2048, SRV_P_CONSUMER_ARN, NULL}
#define F_CONSUMER_NAME(req) {"ConsumerName", SRV_T_STR, req, 1, 128, SRV_P_NAME, NULL}
#define F_SHARD(n, req) {n, SRV_T_STR, req, 1, 128, SRV_P_SHARD_ID, NULL}
#define F_RES_ARN {"ResourceARN", SRV_T_STR, 1, 1, 2048, SRV_P_ANY_ARN, NULL}
#define F_RETENTION {"RetentionPeriodHours", SRV_T_INT, 1, 1, -1, SRV_P_NONE, NULL}

static const srv_kx_field f_create[] = {
    {"ShardCount", SRV_T_INT, 0, 1, -1, SRV_P_NONE, NULL}, F_NAME(1),
    {"StreamModeDetails", SRV_T_OBJ, 0, -1, -1, SRV_P_NONE, NULL},
    {"Tags", SRV_T_MAP, 0, 1, 200, SRV_P_NONE, NULL},
    {"MaxRecordSizeInKiB", SRV_T_INT, 0, 1024, 10240, SRV_P_NONE, NULL},
    {"WarmThroughputMiBps", SRV_T_INT, 0, 0, -1, SRV_P_NONE, NULL}};
static const srv_kx_field f_delete[] = {F_STREAM,
                                        {"EnforceConsumerDeletion", SRV_T_BOOL, 0, -1, -1, 0, NULL}};
static const srv_kx_field f_describe[] = {F_STREAM, {"Limit", SRV_T_INT, 0, 1, 10000, 0, NULL},
                                          F_SHARD("ExclusiveStartShardId", 0)};
static const srv_kx_field f_stream[] = {F_STREAM};
static const srv_kx_field f_list_streams[] = {
    {"Limit", SRV_T_INT, 0, 1, 10000, 0, NULL},
    {"ExclusiveStartStreamName", SRV_T_STR, 0, 1, 128, SRV_P_NAME, NULL},
    {"NextToken", SRV_T_STR, 0, 1, 1048576, 0, NULL}};
static const srv_kx_field f_list_shards[] = {
    F_STREAM, {"NextToken", SRV_T_STR, 0, 1, 1048576, 0, NULL}, F_SHARD("ExclusiveStartShardId", 0),
    {"MaxResults", SRV_T_INT, 0, 1, 10000, 0, NULL},
    {"StreamCreationTimestamp", SRV_T_TS, 0, -1, -1, 0, NULL},
    {"ShardFilter", SRV_T_OBJ, 0, -1, -1, 0, NULL}};
static const srv_kx_field f_retention[] = {F_STREAM, F_RETENTION};
static const srv_kx_field f_add_tags[] = {F_STREAM, {"Tags", SRV_T_MAP, 1, 1, 200, 0, NULL}};
static const srv_kx_field f_remove_tags[] = {F_STREAM, {"TagKeys", SRV_T_LIST, 1, 1, 50, 0, NULL}};
static const srv_kx_field f_list_tags[] = {
    F_STREAM, {"ExclusiveStartTagKey", SRV_T_STR, 0, 1, 128, 0, NULL},
    {"Limit", SRV_T_INT, 0, 1, 50, 0, NULL}};
static const srv_kx_field f_tag_res[] = {F_RES_ARN, {"Tags", SRV_T_MAP, 1, 1, 200, 0, NULL}};
static const srv_kx_field f_untag_res[] = {F_RES_ARN, {"TagKeys", SRV_T_LIST, 1, 1, 50, 0, NULL}};
static const srv_kx_field f_res[] = {F_RES_ARN};
static const srv_kx_field f_policy[] = {F_RES_ARN, {"Policy", SRV_T_STR, 1, 1, 20480, 0, NULL}};
static const srv_kx_field f_monitoring[] = {
    F_STREAM, {"ShardLevelMetrics", SRV_T_LIST, 1, 1, 7, 0, NULL}};
static const srv_kx_field f_encryption[] = {
    F_STREAM, {"EncryptionType", SRV_T_STR, 1, -1, -1, 0, e_enc},
    {"KeyId", SRV_T_STR, 1, 1, 2048, 0, NULL}};
static const srv_kx_field f_none[] = {{NULL, 0, 0, 0, 0, 0, NULL}};
static const srv_kx_field f_stream_mode[] = {
    F_ARN(1), {"StreamModeDetails", SRV_T_OBJ, 1, -1, -1, 0, NULL},
    {"WarmThroughputMiBps", SRV_T_INT, 0, 0, -1, 0, NULL}};
static const srv_kx_field f_account[] = {
    {"MinimumThroughputBillingCommitment", SRV_T_OBJ, 1, -1, -1, 0, NULL}};
static const srv_kx_field f_max_size[] = {
    F_STREAM, {"MaxRecordSizeInKiB", SRV_T_INT, 1, 1024, 10240, 0, NULL}};
static const srv_kx_field f_warm[] = {F_STREAM, {"WarmThroughputMiBps", SRV_T_INT, 1, 0, -1, 0, NULL}};
static const srv_kx_field f_put_record[] = {
    F_STREAM, {"Data", SRV_T_BLOB, 1, -1, -1, 0, NULL},
    {"PartitionKey", SRV_T_STR, 1, 1, 256, 0, NULL},
    {"ExplicitHashKey", SRV_T_STR, 0, -1, -1, SRV_P_HASHKEY, NULL},
    {"SequenceNumberForOrdering", SRV_T_STR, 0, -1, -1, SRV_P_DIGITS, NULL}};
static const srv_kx_field f_put_records[] = {F_STREAM, {"Records", SRV_T_LIST, 1, 1, 500, 0, NULL}};
static const srv_kx_field f_get_iter[] = {
    F_STREAM, F_SHARD("ShardId", 1), {"ShardIteratorType", SRV_T_STR, 1, -1, -1, 0, e_iter},
    {"StartingSequenceNumber", SRV_T_STR, 0, -1, -1, SRV_P_DIGITS, NULL},
    {"Timestamp", SRV_T_TS, 0, -1, -1, 0, NULL}};
static const srv_kx_field f_get_records[] = {
    {"ShardIterator", SRV_T_STR, 1, 1, 512, 0, NULL}, {"Limit", SRV_T_INT, 0, 1, 10000, 0, NULL},
    F_ARN(0)};
static const srv_kx_field f_split[] = {
    F_STREAM, F_SHARD("ShardToSplit", 1),
    {"NewStartingHashKey", SRV_T_STR, 1, -1, -1, SRV_P_HASHKEY, NULL}};
static const srv_kx_field f_merge[] = {F_STREAM, F_SHARD("ShardToMerge", 1),
                                       F_SHARD("AdjacentShardToMerge", 1)};
static const srv_kx_field f_update_count[] = {
    F_STREAM, {"TargetShardCount", SRV_T_INT, 1, 1, -1, 0, NULL},
    {"ScalingType", SRV_T_STR, 1, -1, -1, 0, e_scaling}};
static const srv_kx_field f_register[] = {F_ARN(1), F_CONSUMER_NAME(1),
                                          {"Tags", SRV_T_MAP, 0, 1, 50, 0, NULL}};
static const srv_kx_field f_consumer[] = {F_ARN(0), F_CONSUMER_NAME(0), F_CONSUMER_ARN(0)};
static const srv_kx_field f_list_consumers[] = {
    F_ARN(1), {"NextToken", SRV_T_STR, 0, 1, 1048576, 0, NULL},
    {"MaxResults", SRV_T_INT, 0, 1, 10000, 0, NULL},
    {"StreamCreationTimestamp", SRV_T_TS, 0, -1, -1, 0, NULL}};
static const srv_kx_field f_subscribe[] = {F_CONSUMER_ARN(1), F_SHARD("ShardId", 1),
                                           {"StartingPosition", SRV_T_OBJ, 1, -1, -1, 0, NULL}};
static const srv_kx_field f_faults[] = {
    F_STREAM, {"ErrorRate", SRV_T_TS, 0, -1, -1, 0, NULL},
    {"ErrorType", SRV_T_STR, 0, -1, -1, 0, NULL}, {"LatencyMs", SRV_T_INT, 0, 0, 60000, 0, NULL},
    {"Seed", SRV_T_INT, 0, -1, -1, 0, NULL}};

#define OP(name, fn, fields, data) {name, fn, fields, sizeof fields / sizeof fields[0], data}

static const struct op {
    const char *name;
    srv_kx_op_fn fn;
    const srv_kx_field *fields;
    size_t n_fields;
    int data_plane;   /* subject to fault injection */
} ops[] = {
    OP("CreateStream", srv_kx_create_stream, f_create, 0),
    OP("DeleteStream", srv_kx_delete_stream, f_delete, 0),
    OP("DescribeStream", srv_kx_describe_stream, f_describe, 0),
    OP("DescribeStreamSummary", srv_kx_describe_stream_summary, f_stream, 0),
    OP("ListStreams", srv_kx_list_streams, f_list_streams, 0),
    OP("ListShards", srv_kx_list_shards, f_list_shards, 0),
    OP("IncreaseStreamRetentionPeriod", srv_kx_increase_retention, f_retention, 0),
    OP("DecreaseStreamRetentionPeriod", srv_kx_decrease_retention, f_retention, 0),
    OP("AddTagsToStream", srv_kx_add_tags, f_add_tags, 0),
    OP("RemoveTagsFromStream", srv_kx_remove_tags, f_remove_tags, 0),
    OP("ListTagsForStream", srv_kx_list_tags, f_list_tags, 0),
    OP("TagResource", srv_kx_tag_resource, f_tag_res, 0),
    OP("UntagResource", srv_kx_untag_resource, f_untag_res, 0),
    OP("ListTagsForResource", srv_kx_list_tags_for_resource, f_res, 0),
    OP("EnableEnhancedMonitoring", srv_kx_enable_monitoring, f_monitoring, 0),
    OP("DisableEnhancedMonitoring", srv_kx_disable_monitoring, f_monitoring, 0),
    OP("StartStreamEncryption", srv_kx_start_encryption, f_encryption, 0),
    OP("StopStreamEncryption", srv_kx_stop_encryption, f_encryption, 0),
    {"DescribeLimits", srv_kx_describe_limits, f_none, 0, 0},
    OP("UpdateStreamMode", srv_kx_update_stream_mode, f_stream_mode, 0),
    OP("PutResourcePolicy", srv_kx_put_policy, f_policy, 0),
    OP("GetResourcePolicy", srv_kx_get_policy, f_res, 0),
    OP("DeleteResourcePolicy", srv_kx_delete_policy, f_res, 0),
    {"DescribeAccountSettings", srv_kx_describe_account, f_none, 0, 0},
    OP("UpdateAccountSettings", srv_kx_update_account, f_account, 0),
    OP("UpdateMaxRecordSize", srv_kx_update_max_record_size, f_max_size, 0),
    OP("UpdateStreamWarmThroughput", srv_kx_update_warm_throughput, f_warm, 0),
    OP("PutRecord", srv_kx_put_record, f_put_record, 1),
    OP("PutRecords", srv_kx_put_records, f_put_records, 1),
    OP("GetShardIterator", srv_kx_get_shard_iterator, f_get_iter, 1),
    OP("GetRecords", srv_kx_get_records, f_get_records, 1),
    OP("SplitShard", srv_kx_split_shard, f_split, 0),
    OP("MergeShards", srv_kx_merge_shards, f_merge, 0),
    OP("UpdateShardCount", srv_kx_update_shard_count, f_update_count, 0),
    OP("RegisterStreamConsumer", srv_kx_register_consumer, f_register, 0),
    OP("DescribeStreamConsumer", srv_kx_describe_consumer, f_consumer, 0),
    OP("ListStreamConsumers", srv_kx_list_consumers, f_list_consumers, 0),
    OP("DeregisterStreamConsumer", srv_kx_deregister_consumer, f_consumer, 0),
    OP("SubscribeToShard", srv_kx_subscribe, f_subscribe, 0),
    OP("EddySetFaults", srv_kx_set_faults, f_faults, 0),
};

const srv_kx_field *srv_kx_op_fields(const char *op, size_t *n) {
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(ops[i].name, op)) {
            *n = ops[i].n_fields;
            return ops[i].fields;
        }
    return NULL;
}

/* ------------------------------------------------------------ lifecycle */

void srv_kinesis_opts_init(srv_kinesis_opts *o) {
    memset(o, 0, sizeof *o);
}

int srv_kinesis_new(uv_loop_t *loop, const srv_kinesis_opts *opts, srv_kinesis **out,
                    eddy_err *err) {
    srv_kinesis *k = calloc(1, sizeof *k);
    if (!k) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    k->loop = loop;
    k->st = opts->st;
    k->create_delay_ms = opts->create_delay_ms;
    k->subscription_ms = opts->subscription_ms > 0 ? opts->subscription_ms : 5 * 60 * 1000;
    k->heartbeat_ms = opts->heartbeat_ms > 0 ? opts->heartbeat_ms : 2000;
    snprintf(k->region, sizeof k->region, "%s",
             opts->region ? opts->region : (k->st ? store_region(k->st) : "us-east-1"));
    snprintf(k->account_commitment, sizeof k->account_commitment, "DISABLED");
    if (opts->auth_file) {
        int rc = srv_sigv4_keys_load(opts->auth_file, &k->keys, err);
        if (rc != 0) {
            free(k);
            return rc;
        }
    }
    srv_faults_load(k);
    *out = k;
    return 0;
}

void srv_kinesis_free(srv_kinesis *k) {
    if (!k) return;
    while (k->pending) {
        srv_kx_pending *p = k->pending;
        k->pending = p->next;
        free(p);
    }
    srv_faults_free_all(k);
    srv_sigv4_keys_free(k->keys);
    free(k);
}

/* ------------------------------------------------------------ replies */

/* splitmix64's finaliser: a bijection, so distinct inputs stay distinct. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A version-4 UUID per request. Drawing 16 bytes from OpenSSL per request
 * cost more than parsing a PutRecord, so each thread seeds from it once and
 * then mixes a counter through a bijection: 122 random-looking bits per id,
 * no repeats in practice, unpredictable without the seed. */
static void make_request_id(char out[40]) {
    static _Thread_local uint64_t seed[2], ctr;
    static _Thread_local int seeded;
    if (!seeded) {
        if (RAND_bytes((unsigned char *)seed, sizeof seed) != 1) {
            seed[0] = eddy_mono_ns();
            seed[1] = (uint64_t)eddy_now_ms() ^ (uint64_t)(uintptr_t)&seed;
        }
        seeded = 1;
    }
    ctr++;
    uint64_t hi = mix64(seed[0] + ctr), lo = mix64(seed[1] ^ mix64(ctr));
    unsigned char b[16];
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = 0;
}

static void send_body(srv_call *c, int status, cJSON *body) {
    if (!c->r) {
        cJSON_Delete(body);
        return;
    }
    srv_header h[2] = {{"Content-Type", c->cbor ? CT_CBOR11 : CT_JSON11},
                       {"x-amzn-RequestId", c->request_id}};
    if (!body) {
        srv_reply(c->r, status, h, 2, "", 0);
    } else if (c->cbor) {
        sbuf b;
        sbuf_init(&b);
        if (srv_cbor_encode(body, &b) != 0 || b.failed)
            srv_reply(c->r, 500, h, 2, "", 0);
        else
            srv_reply(c->r, status, h, 2, b.data, b.len);
        sbuf_free(&b);
    } else {
        char *txt = cJSON_PrintUnformatted(body);
        if (!txt)
            srv_reply(c->r, 500, h, 2, "", 0);
        else
            srv_reply(c->r, status, h, 2, txt, strlen(txt));
        free(txt);
    }
    cJSON_Delete(body);
    c->r = NULL;
}

void srv_kx_ok(srv_call *c, cJSON *out) {
    send_body(c, 200, out);
}

void srv_kx_ok_json(srv_call *c, const char *json, size_t len) {
    if (!c->r) return;
    srv_header h[2] = {{"Content-Type", CT_JSON11}, {"x-amzn-RequestId", c->request_id}};
    srv_reply(c->r, 200, h, 2, json, len);
    c->r = NULL;
}

void srv_kx_error(srv_call *c, int status, const char *type, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "__type", type);
    /* kinesalite (and so its test suite) spells this one field "Message". */
    if (msg[0])
        cJSON_AddStringToObject(o, strcmp(type, "SerializationException") ? "message" : "Message",
                                msg);
    send_body(c, status ? status : 400, o);
}

const char *srv_kx_error_type(int rc) {
    switch (rc) {
    case EDDY_E_NOTFOUND: return "ResourceNotFoundException";
    case EDDY_E_INUSE: return "ResourceInUseException";
    case EDDY_E_INVAL: return "InvalidArgumentException";
    case EDDY_E_LIMIT: return "LimitExceededException";
    case EDDY_E_THROTTLED: return "ProvisionedThroughputExceededException";
    case EDDY_E_EXPIRED: return "ExpiredIteratorException";
    case EDDY_E_VALIDATION: return "ValidationException";
    case EDDY_E_KMS: return "KMSInvalidStateException";
    default: return "InternalFailure";
    }
}

void srv_kx_store_error(srv_call *c, int rc, const eddy_err *e) {
    const char *type = srv_kx_error_type(rc);
    if (!strcmp(type, "InternalFailure")) {
        eddy_log(EDDY_LOG_ERROR, "store failure: %s", e && e->msg[0] ? e->msg : eddy_strerror(rc));
        srv_kx_error(c, 500, type, "%s", "");
        return;
    }
    srv_kx_error(c, 400, type, "%s", e && e->msg[0] ? e->msg : eddy_strerror(rc));
}

static void reply_xml_403(srv_response *r, const char *type, const char *msg) {
    char body[512];
    int n = snprintf(body, sizeof body, "<%s>\n  <Message>%s</Message>\n</%s>\n", type, msg, type);
    char rid[40];
    make_request_id(rid);
    srv_header h[2] = {{"Content-Type", "application/xml"}, {"x-amzn-RequestId", rid}};
    srv_reply(r, 403, h, 2, body, (size_t)n);
}

/* ------------------------------------------------------------ validation */

static const char *const pattern_text[] = {
    [SRV_P_NONE] = "",
    [SRV_P_NAME] = "[a-zA-Z0-9_.-]+",
    [SRV_P_STREAM_ARN] = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
    [SRV_P_CONSUMER_ARN] = "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+",
    [SRV_P_SHARD_ID] = "[a-zA-Z0-9_.-]+",
    [SRV_P_DIGITS] = "0|([1-9]\\d{0,128})",
    [SRV_P_HASHKEY] = "0|([1-9]\\d{0,38})",
    [SRV_P_ANY_ARN] = "arn:aws.*:kinesis:.*:\\d{12}:.+",
};

/* The same patterns in POSIX ERE, anchored, since the model's are Java
 * regexes that must match the whole value. */
static const char *const pattern_ere[] = {
    [SRV_P_NONE] = "",
    [SRV_P_NAME] = "^[a-zA-Z0-9_.-]+$",
    [SRV_P_STREAM_ARN] = "^arn:aws.*:kinesis:.*:[0-9]{12}:stream/[^[:space:]]+$",
    [SRV_P_CONSUMER_ARN] = "^arn:aws.*:kinesis:.*:[0-9]{12}:.*stream/[a-zA-Z0-9_.-]+/consumer/[a-zA-Z0-9_.-]+:[0-9]+$",
    [SRV_P_SHARD_ID] = "^[a-zA-Z0-9_.-]+$",
    [SRV_P_DIGITS] = "^(0|[1-9][0-9]{0,128})$",
    [SRV_P_HASHKEY] = "^(0|[1-9][0-9]{0,38})$",
    [SRV_P_ANY_ARN] = "^arn:aws.*:kinesis:.*:[0-9]{12}:.+$",
};

/* The character-class patterns checked by hand: regexec costs more than
 * the rest of a PutRecord's validation. */
static int name_chars(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return 0;
    return 1;
}

/* 0|[1-9][0-9]{0,max_more} */
static int decimal(const char *s, size_t max_more) {
    if (s[0] == '0') return s[1] == 0;
    if (s[0] < '1' || s[0] > '9') return 0;
    size_t n = 1;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9') return 0;
    return n - 1 <= max_more;
}

static int pattern_match(srv_kx_pattern p, const char *s) {
    static regex_t re[sizeof pattern_ere / sizeof pattern_ere[0]];
    static int compiled[sizeof pattern_ere / sizeof pattern_ere[0]];
    if (p == SRV_P_NONE) return 1;
    if (p == SRV_P_NAME || p == SRV_P_SHARD_ID) return name_chars(s);
    if (p == SRV_P_DIGITS) return decimal(s, 128);
    if (p == SRV_P_HASHKEY) return decimal(s, 38);
    if (!compiled[p]) {
        if (regcomp(&re[p], pattern_ere[p], REG_EXTENDED | REG_NOSUB) != 0) return 1;
        compiled[p] = 1;
    }
    return regexec(&re[p], s, 0, NULL, 0) == 0;
}

void srv_kx_validation_message(const char *const *failures, size_t n, char *out, size_t cap) {
    size_t len = (size_t)snprintf(out, cap, "%zu validation error%s detected: ", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "; " : "", failures[i]);
}

static const char *type_mismatch(const cJSON *v, srv_kx_type want) {
    if (cJSON_IsObject(v)) return "Start of structure or map found where not expected.";
    if (cJSON_IsArray(v)) return "Start of list found where not expected.";
    if (want == SRV_T_STR || want == SRV_T_BLOB)
        return cJSON_IsNumber(v)
                   ? "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"
                   : "class java.lang.Boolean can not be converted to an String";
    if (want == SRV_T_INT || want == SRV_T_TS)
        return cJSON_IsString(v) ? "class java.lang.String can not be converted to an Integer"
                                 : "class java.lang.Boolean can not be converted to an Integer";
    if (want == SRV_T_BOOL) return "class java.lang.String can not be converted to an Boolean";
    return want == SRV_T_LIST ? "Expected list or null" : "Expected map or null";
}

static int type_ok(const cJSON *v, srv_kx_type t) {
    if (cJSON_IsNull(v)) return 1;
    switch (t) {
    case SRV_T_STR: case SRV_T_BLOB: return cJSON_IsString(v);
    case SRV_T_INT: case SRV_T_TS: return cJSON_IsNumber(v);
    case SRV_T_BOOL: return cJSON_IsBool(v);
    case SRV_T_LIST: return cJSON_IsArray(v);
    case SRV_T_MAP: case SRV_T_OBJ: return cJSON_IsObject(v);
    }
    return 0;
}

/* A member's name as Coral's messages give it: first letter lower-case. */
static void member_path(const char *name, char *path, size_t cap) {
    snprintf(path, cap, "%s", name);
    path[0] = (char)(path[0] >= 'A' && path[0] <= 'Z' ? path[0] + 32 : path[0]);
}

int srv_kx_check_fields(const cJSON *in, const srv_kx_field *fields, size_t n, const char **type,
                        char *msg, size_t cap) {
    char *fail[16];
    size_t nf = 0;
    for (size_t i = 0; i < n && fields[i].name; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, fields[i].name);
        if (v && !type_ok(v, fields[i].type)) {
            for (size_t j = 0; j < nf; j++) free(fail[j]);
            *type = "SerializationException";
            snprintf(msg, cap, "%s", type_mismatch(v, fields[i].type));
            return -1;
        }
    }
    for (size_t i = 0; i < n && fields[i].name && nf < 16; i++) {
        const srv_kx_field *f = &fields[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, f->name);
        /* The path and value texts are made only for a failure: printing
         * them for every valid member cost more than checking it. */
        char path[64], val[256], rule[512];
        rule[0] = 0;
        if (!v || cJSON_IsNull(v)) {
            if (f->required) {
                member_path(f->name, path, sizeof path);
                char buf[600];
                snprintf(buf, sizeof buf,
                         "Value null at '%s' failed to satisfy constraint: Member must not be null", path);
                if ((fail[nf] = strdup(buf)) != NULL) nf++;
            }
            continue;
        }
        if (cJSON_IsString(v)) {
            if (f->type == SRV_T_BLOB) continue;
            size_t len = strlen(v->valuestring);
            if (f->min >= 0 && (long long)len < f->min)
                snprintf(rule, sizeof rule, "Member must have length greater than or equal to %lld", f->min);
            else if (f->max >= 0 && (long long)len > f->max)
                snprintf(rule, sizeof rule, "Member must have length less than or equal to %lld", f->max);
            else if (!pattern_match(f->pattern, v->valuestring))
                snprintf(rule, sizeof rule, "Member must satisfy regular expression pattern: %s",
                         pattern_text[f->pattern]);
            else if (f->enums) {
                int ok = 0;
                for (const char *const *e = f->enums; *e; e++) ok |= !strcmp(*e, v->valuestring);
                if (!ok) {
                    size_t l = (size_t)snprintf(rule, sizeof rule, "Member must satisfy enum value set: [");
                    for (const char *const *e = f->enums; *e && l < sizeof rule; e++)
                        l += (size_t)snprintf(rule + l, sizeof rule - l, "%s%s", e == f->enums ? "" : ", ", *e);
                    if (l < sizeof rule) snprintf(rule + l, sizeof rule - l, "]");
                }
            }
        } else if (cJSON_IsNumber(v) && f->type == SRV_T_INT) {
            if (f->min >= 0 && v->valuedouble < (double)f->min)
                snprintf(rule, sizeof rule, "Member must have value greater than or equal to %lld", f->min);
            else if (f->max >= 0 && v->valuedouble > (double)f->max)
                snprintf(rule, sizeof rule, "Member must have value less than or equal to %lld", f->max);
        } else if (cJSON_IsArray(v) || (cJSON_IsObject(v) && f->type == SRV_T_MAP)) {
            long long cnt = cJSON_GetArraySize(v);
            if (f->min >= 0 && cnt < f->min)
                snprintf(rule, sizeof rule, "Member must have length greater than or equal to %lld", f->min);
            else if (f->max >= 0 && cnt > f->max)
                snprintf(rule, sizeof rule, "Member must have length less than or equal to %lld", f->max);
        }
        if (rule[0]) {
            member_path(f->name, path, sizeof path);
            if (cJSON_IsString(v)) snprintf(val, sizeof val, "%s", v->valuestring);
            else if (cJSON_IsNumber(v)) snprintf(val, sizeof val, "%lld", (long long)v->valuedouble);
            else snprintf(val, sizeof val, "%s", cJSON_IsArray(v) ? "[...]" : "{...}");
            char buf[1024];
            snprintf(buf, sizeof buf, "Value '%s' at '%s' failed to satisfy constraint: %s", val, path, rule);
            if ((fail[nf] = strdup(buf)) != NULL) nf++;
        }
    }
    if (nf == 0) return 0;
    srv_kx_validation_message((const char *const *)fail, nf, msg, cap);
    for (size_t j = 0; j < nf; j++) free(fail[j]);
    *type = "ValidationException";
    return -1;
}

int srv_kx_validate(srv_call *c, const srv_kx_field *fields, size_t n) {
    const char *type = NULL;
    char msg[4096];
    if (srv_kx_check_fields(c->in, fields, n, &type, msg, sizeof msg) == 0) return 0;
    srv_kx_error(c, 400, type, "%s", msg);
    return -1;
}

/* ------------------------------------------------------------ helpers */

const char *srv_kx_str(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

long long srv_kx_int(const cJSON *o, const char *name, long long def) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : def;
}

int srv_kx_stream_or_reply(srv_call *c, char *out) {
    const char *name = srv_kx_str(c->in, "StreamName");
    const char *arn = srv_kx_str(c->in, "StreamARN");
    if (!name && !arn) {
        srv_kx_error(c, 400, "ValidationException",
                     "Either StreamName or StreamARN should be provided.");
        return -1;
    }
    if (arn) {
        eddy_err e;
        eddy_err_clear(&e);
        if (store_stream_name_from(arn, out, &e) != 0) {
            srv_kx_error(c, 400, "InvalidArgumentException", "%s",
                         e.msg[0] ? e.msg : "Invalid StreamARN.");
            return -1;
        }
        if (name && strcmp(name, out) != 0) {
            srv_kx_error(c, 400, "InvalidArgumentException",
                         "StreamARN %s does not match StreamName %s.", arn, name);
            return -1;
        }
        return 0;
    }
    snprintf(out, STORE_NAME_MAX + 1, "%s", name);
    return 0;
}

int srv_kx_creating(srv_kinesis *k, const char *name) {
    int64_t now = eddy_now_ms();
    for (srv_kx_pending **pp = &k->pending; *pp;) {
        srv_kx_pending *p = *pp;
        if (p->active_at_ms <= now) {   /* prune as we go */
            *pp = p->next;
            free(p);
            continue;
        }
        if (!strcmp(p->name, name)) return 1;
        pp = &p->next;
    }
    return 0;
}

void srv_kx_pending_add(srv_kinesis *k, const char *name) {
    if (k->create_delay_ms <= 0) return;
    srv_kx_pending *p = calloc(1, sizeof *p);
    if (!p) return;   /* the stream simply shows ACTIVE at once */
    snprintf(p->name, sizeof p->name, "%s", name);
    p->active_at_ms = eddy_now_ms() + k->create_delay_ms;
    p->next = k->pending;
    k->pending = p;
}

void srv_kx_pending_remove(srv_kinesis *k, const char *name) {
    for (srv_kx_pending **pp = &k->pending; *pp; pp = &(*pp)->next) {
        if (!strcmp((*pp)->name, name)) {
            srv_kx_pending *p = *pp;
            *pp = p->next;
            free(p);
            return;
        }
    }
}

void srv_kx_add_u128(cJSON *o, const char *name, eddy_u128 v) {
    char buf[48];
    eddy_u128_format(v, buf);
    cJSON_AddStringToObject(o, name, buf);
}

void srv_kx_add_time(cJSON *o, const char *name, int64_t ms) {
    cJSON_AddNumberToObject(o, name, (double)ms / 1000.0);
}

int64_t srv_kx_time_ms(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v)) return -1;
    double ms = v->valuedouble * 1000.0;
    return (int64_t)(ms + (ms >= 0 ? 0.5 : -0.5));
}

cJSON *srv_kx_shard_json(const store_shard_desc *sd) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ShardId", sd->shard_id);
    if (sd->parent_shard_id[0]) cJSON_AddStringToObject(o, "ParentShardId", sd->parent_shard_id);
    if (sd->adjacent_parent_shard_id[0])
        cJSON_AddStringToObject(o, "AdjacentParentShardId", sd->adjacent_parent_shard_id);
    cJSON *h = cJSON_AddObjectToObject(o, "HashKeyRange");
    srv_kx_add_u128(h, "StartingHashKey", sd->start_hash);
    srv_kx_add_u128(h, "EndingHashKey", sd->end_hash);
    cJSON *s = cJSON_AddObjectToObject(o, "SequenceNumberRange");
    char buf[STORE_SEQ_STR_MAX];
    store_seq_format(sd->starting_seq, buf);
    cJSON_AddStringToObject(s, "StartingSequenceNumber", buf);
    if (sd->closed) {
        store_seq_format(sd->ending_seq, buf);
        cJSON_AddStringToObject(s, "EndingSequenceNumber", buf);
    }
    return o;
}

cJSON *srv_kx_child_json(const store_child_shard *ch) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ShardId", ch->shard_id);
    cJSON *p = cJSON_AddArrayToObject(o, "ParentShards");
    for (int i = 0; i < 2; i++)
        if (ch->parent_shard_ids[i][0])
            cJSON_AddItemToArray(p, cJSON_CreateString(ch->parent_shard_ids[i]));
    cJSON *h = cJSON_AddObjectToObject(o, "HashKeyRange");
    srv_kx_add_u128(h, "StartingHashKey", ch->start_hash);
    srv_kx_add_u128(h, "EndingHashKey", ch->end_hash);
    return o;
}

cJSON *srv_kx_record_json(const store_record *rec, int kms) {
    cJSON *o = cJSON_CreateObject();
    char buf[STORE_SEQ_STR_MAX];
    store_seq_format(rec->seq, buf);
    cJSON_AddStringToObject(o, "SequenceNumber", buf);
    srv_kx_add_time(o, "ApproximateArrivalTimestamp", rec->arrival_ms);
    char *b64 = malloc(eddy_b64_enc_len(rec->data_len) + 1);
    if (b64) {
        eddy_b64_encode(rec->data, rec->data_len, b64);
        cJSON_AddStringToObject(o, "Data", b64);
        free(b64);
    }
    char *pk = strndup(rec->partition_key, rec->partition_key_len);
    cJSON_AddStringToObject(o, "PartitionKey", pk ? pk : "");
    free(pk);
    if (kms) cJSON_AddStringToObject(o, "EncryptionType", "KMS");
    return o;
}

/* ------------------------------------------------------------ dispatch */

/* A request delayed by injected latency. */
typedef struct deferred {
    uv_timer_t timer;
    srv_call *call;
    const struct op *op;
    const char *fault;    /* error to answer after the delay, or NULL */
} deferred;

static void call_free(srv_call *c) {
    srv_kx_fast_drop(c);
    free(c);
}

static void run_op(srv_call *c, const struct op *op, const char *fault) {
    if (!c->r) return;   /* the client went away while we waited */
    if (fault) {
        if (!strcmp(fault, "InternalFailure"))
            srv_kx_error(c, 500, "InternalFailure", "%s", "Internal Service Failure");
        else
            srv_kx_error(c, 400, "ProvisionedThroughputExceededException",
                         "Rate exceeded for stream under account %s (injected fault).",
                         store_account(c->k->st));
        return;
    }
    op->fn(c);
}

static void on_deferred_abort(void *ctx) {
    ((srv_call *)ctx)->r = NULL;
}

static void on_deferred_closed(uv_handle_t *h) {
    deferred *d = h->data;
    call_free(d->call);
    free(d);
}

static void on_deferred(uv_timer_t *t) {
    deferred *d = t->data;
    if (d->call->r) srv_response_on_abort(d->call->r, NULL, NULL);
    run_op(d->call, d->op, d->fault);
    uv_close((uv_handle_t *)&d->timer, on_deferred_closed);
}

static int content_type_is(const char *ct, const char *want) {
    size_t n = strlen(want);
    return strncasecmp(ct, want, n) == 0 && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ');
}

void srv_kinesis_on_put(srv_kinesis *k, srv_kinesis_put_fn fn, void *ctx) {
    k->on_put = fn;
    k->on_put_ctx = ctx;
}

void srv_kinesis_on_get(srv_kinesis *k, srv_kinesis_put_fn fn, void *ctx) {
    k->on_get = fn;
    k->on_get_ctx = ctx;
}

void srv_kinesis_handle(void *ctx, const srv_request *req, srv_response *r) {
    srv_kinesis *k = ctx;
    if (!strcmp(req->method, "GET") && !strcmp(req->path, "/health")) {
        srv_header h[1] = {{"Content-Type", "application/json"}};
        static const char ok[] = "{\"status\":\"ok\"}";
        srv_reply(r, 200, h, 1, ok, sizeof ok - 1);
        return;
    }
    const char *ct = srv_request_header(req, "content-type");
    int cbor = ct && content_type_is(ct, CT_CBOR11);
    int json = ct && (content_type_is(ct, CT_JSON11) || content_type_is(ct, "application/json"));
    int has_auth = srv_request_header(req, "authorization") != NULL ||
                   strstr(req->query, "X-Amz-Algorithm") != NULL;
    if (strcmp(req->method, "POST") != 0 || (!cbor && !json)) {
        /* As kinesalite imitates AWS for requests it cannot route. */
        if (!has_auth)
            reply_xml_403(r, "MissingAuthenticationTokenException", "Missing Authentication Token");
        else
            reply_xml_403(r, "AccessDeniedException",
                          "Unable to determine service/operation name to be authorized");
        return;
    }
    srv_call *c = calloc(1, sizeof *c);
    if (!c) {
        srv_reply(r, 500, NULL, 0, "", 0);
        return;
    }
    c->k = k;
    c->r = r;
    c->req = req;
    c->cbor = cbor;
    make_request_id(c->request_id);

    const char *target = srv_request_header(req, "x-amz-target");
    const struct op *op = NULL;
    static const char prefix[] = "Kinesis_20131202.";
    if (target && !strncmp(target, prefix, sizeof prefix - 1))
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
            if (!strcmp(ops[i].name, target + sizeof prefix - 1)) op = &ops[i];

    int fast = json && req->body_len > 0 && op && op->data_plane &&
               srv_kx_fast_parse(c, req->body, req->body_len, op->fn == srv_kx_put_records) == 0;
    char why[EDDY_ERR_MSG_MAX] = "";
    if (fast) {
        /* parsed */
    } else if (req->body_len == 0) {
        c->in = cJSON_CreateObject();   /* Smithy: an empty body is an empty input */
    } else if (cbor) {
        eddy_err e;
        eddy_err_clear(&e);
        if (srv_cbor_decode(req->body, req->body_len, &c->in, &e) != 0) {
            c->in = NULL;
            snprintf(why, sizeof why, "%s", e.msg);
        }
    } else {
        c->in = cJSON_ParseWithLength(req->body, req->body_len);
    }
    if (!c->in || !cJSON_IsObject(c->in)) {
        if (cJSON_IsArray(c->in)) snprintf(why, sizeof why, "Start of list found where not expected");
        else if (c->in) snprintf(why, sizeof why, "Expected a JSON object as the request body");
        srv_kx_error(c, 400, "SerializationException", "%s", why);
        call_free(c);
        return;
    }

    if (!op) {
        srv_kx_error(c, 400, "UnknownOperationException", "%s", "");
        call_free(c);
        return;
    }

    srv_sigv4_result auth;
    srv_sigv4_check(req, k->keys, k->region, eddy_now_ms(), &auth);
    if (auth.type) {
        srv_kx_error(c, 400, auth.type, "%s", auth.message);
        call_free(c);
        return;
    }
    if (fast) {
        /* The fast parser checked Records (the last member) itself. On any
         * failure, parse again with cJSON so that the one validation path
         * words the answer. */
        const char *type;
        char msg[4096];
        size_t nf = op->n_fields - (c->recs ? 1 : 0);
        if (srv_kx_check_fields(c->in, op->fields, nf, &type, msg, sizeof msg) != 0) {
            srv_kx_fast_drop(c);
            c->in = cJSON_ParseWithLength(req->body, req->body_len);
            fast = 0;
            if (!c->in) {
                srv_kx_error(c, 500, "InternalFailure", "%s", "");
                call_free(c);
                return;
            }
        }
    }
    if (!fast && srv_kx_validate(c, op->fields, op->n_fields) != 0) {
        call_free(c);
        return;
    }

    const char *fault = NULL;
    int latency = 0;
    if (op->data_plane && k->faults) {
        char name[STORE_NAME_MAX + 1] = "";
        const char *sn = srv_kx_str(c->in, "StreamName");
        const char *arn = srv_kx_str(c->in, "StreamARN");
        if (arn) store_stream_name_from(arn, name, NULL);
        else if (sn) snprintf(name, sizeof name, "%s", sn);
        /* GetRecords names its stream only inside the opaque iterator, so
         * it is subject to faults only when the client also sends StreamARN. */
        if (name[0]) srv_faults_check(k, name, op->fn != srv_kx_put_records, &latency, &fault);
    }
    if (latency > 0) {
        deferred *d = calloc(1, sizeof *d);
        if (d && uv_timer_init(k->loop, &d->timer) == 0) {
            d->call = c;
            d->op = op;
            d->fault = fault;
            d->timer.data = d;
            srv_response_on_abort(r, on_deferred_abort, c);
            uv_timer_start(&d->timer, on_deferred, (uint64_t)latency, 0);
            return;
        }
        free(d);
    }
    run_op(c, op, fault);
    call_free(c);
}
