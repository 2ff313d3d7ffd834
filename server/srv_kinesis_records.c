/*
 * srv_kinesis_records.c — the data plane of the Kinesis API: PutRecord,
 * PutRecords (per-entry results, injected per-entry faults), GetShardIterator
 * (all five iterator types) and GetRecords. Data travels as base64 in JSON
 * (CBOR byte strings arrive here already as base64, see srv_cbor.h);
 * timestamps are epoch seconds with a fraction.
 */
#include "srv_kinesis_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "eddy_time.h"

static int kms_on(srv_kinesis *k, const char *stream) {
    char buf[16];
    return store_stream_attr_get(k->st, stream, "enc.type", buf, sizeof buf, NULL) == 0 &&
           !strcmp(buf, "KMS");
}

static size_t max_record_bytes(srv_kinesis *k, const char *stream) {
    char buf[32];
    if (store_stream_attr_get(k->st, stream, "maxrec", buf, sizeof buf, NULL) == 0 && atoi(buf) > 0)
        return (size_t)atoi(buf) * 1024;
    return STORE_RECORD_MAX;
}

/* Decodes base64 `b64` into a new buffer; answers SerializationException and
 * returns NULL when it is not base64. */
static unsigned char *decode_or_reply(srv_call *c, const char *b64, size_t *len) {
    size_t n = strlen(b64);
    unsigned char *out = malloc(n / 4 * 3 + 4);
    if (!out) {
        srv_kx_error(c, 500, "InternalFailure", "%s", "");
        return NULL;
    }
    *len = eddy_b64_decode(b64, n, out);
    if (*len == (size_t)-1) {
        free(out);
        srv_kx_error(c, 400, "SerializationException", "%s",
                     "Base64 encoded value of Data is invalid.");
        return NULL;
    }
    return out;
}

static int not_active_or_reply(srv_call *c, const char *name) {
    if (!srv_kx_creating(c->k, name)) return 0;
    srv_kx_error(c, 400, "ResourceNotFoundException", "Stream %s under account %s not found.", name,
                 store_account(c->k->st));
    return -1;
}

static int hash_key_or_reply(srv_call *c, const char *ehk) {
    eddy_u128 v;
    if (!ehk || eddy_u128_parse(ehk, strlen(ehk), &v) == 0) return 0;
    srv_kx_error(c, 400, "InvalidArgumentException",
                 "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                 "Specified value was %s", ehk);
    return -1;
}

static int size_ok_or_reply(srv_call *c, const char *stream, size_t data_len, const char *path) {
    size_t max = max_record_bytes(c->k, stream);
    if (data_len <= max) return 0;
    srv_kx_error(c, 400, "ValidationException",
                 "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]' "
                 "at '%s' failed to satisfy constraint: Member must have length less than or equal to %zu",
                 data_len, data_len, path, max);
    return -1;
}

void srv_kx_put_record(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0 || not_active_or_reply(c, name) != 0) return;
    const char *pk = srv_kx_str(c->in, "PartitionKey");
    const char *ehk = srv_kx_str(c->in, "ExplicitHashKey");
    if (hash_key_or_reply(c, ehk) != 0) return;
    size_t len;
    unsigned char *data = decode_or_reply(c, srv_kx_str(c->in, "Data"), &len);
    if (!data) return;
    if (size_ok_or_reply(c, name, len, "data") != 0) {
        free(data);
        return;
    }
    store_put_entry ent = {.data = data, .data_len = len, .partition_key = pk,
                           .partition_key_len = strlen(pk), .explicit_hash_key = ehk,
                           .seq_for_ordering = srv_kx_str(c->in, "SequenceNumberForOrdering")};
    store_put_result res;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_put_record(c->k->st, name, &ent, &res, &e);
    free(data);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    char seq[STORE_SEQ_STR_MAX];
    store_seq_format(res.seq, seq);
    cJSON_AddStringToObject(out, "ShardId", res.shard_id);
    cJSON_AddStringToObject(out, "SequenceNumber", seq);
    if (kms_on(c->k, name)) cJSON_AddStringToObject(out, "EncryptionType", "KMS");
    srv_kx_ok(c, out);
}

void srv_kx_put_records(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0 || not_active_or_reply(c, name) != 0) return;
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(c->in, "Records");
    size_t n = (size_t)cJSON_GetArraySize(recs);
    /* Shape first, as Coral does, so nothing is decoded for a bad request. */
    char msgs[3][300];
    size_t nmsg = 0, i = 0;
    for (const cJSON *r = recs->child; r; r = r->next, i++) {
        if (!cJSON_IsObject(r)) {
            srv_kx_error(c, 400, "SerializationException", "%s",
                         "Unexpected field type in Records; expected a structure");
            return;
        }
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(r, "Data");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "PartitionKey");
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(r, "ExplicitHashKey");
        if ((d && !cJSON_IsString(d)) || (p && !cJSON_IsString(p)) || (h && !cJSON_IsString(h))) {
            srv_kx_error(c, 400, "SerializationException", "%s",
                         "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
                         "converted to an String");
            return;
        }
        if (nmsg < 3 && !d)
            snprintf(msgs[nmsg++], sizeof msgs[0], "Value null at 'records.%zu.member.data' failed to "
                     "satisfy constraint: Member must not be null", i + 1);
        if (nmsg < 3 && !p)
            snprintf(msgs[nmsg++], sizeof msgs[0], "Value null at 'records.%zu.member.partitionKey' "
                     "failed to satisfy constraint: Member must not be null", i + 1);
        else if (nmsg < 3 && p && (strlen(p->valuestring) < 1 || strlen(p->valuestring) > 256))
            snprintf(msgs[nmsg++], sizeof msgs[0], "Value '%.40s' at 'records.%zu.member.partitionKey' "
                     "failed to satisfy constraint: Member must have length %s", p->valuestring, i + 1,
                     strlen(p->valuestring) < 1 ? "greater than or equal to 1" : "less than or equal to 256");
    }
    if (nmsg) {
        const char *f[3] = {msgs[0], msgs[1], msgs[2]};
        char msg[1200];
        srv_kx_validation_message(f, nmsg, msg, sizeof msg);
        srv_kx_error(c, 400, "ValidationException", "%s", msg);
        return;
    }
    for (const cJSON *r = recs->child; r; r = r->next)
        if (hash_key_or_reply(c, srv_kx_str(r, "ExplicitHashKey")) != 0) return;

    store_put_entry *ents = calloc(n, sizeof *ents);
    unsigned char **bufs = calloc(n, sizeof *bufs);
    const char **fault = calloc(n, sizeof *fault);
    size_t total = 0;
    int ok = ents && bufs && fault;
    if (!ok) srv_kx_error(c, 500, "InternalFailure", "%s", "");
    i = 0;
    for (const cJSON *r = recs->child; ok && r; r = r->next, i++) {
        size_t len;
        bufs[i] = decode_or_reply(c, srv_kx_str(r, "Data"), &len);
        if (!bufs[i]) {
            ok = 0;
            break;
        }
        char path[48];
        snprintf(path, sizeof path, "records.%zu.member.data", i + 1);
        if (size_ok_or_reply(c, name, len, path) != 0) {
            ok = 0;
            break;
        }
        const char *pk = srv_kx_str(r, "PartitionKey");
        total += len + strlen(pk);
        ents[i] = (store_put_entry){.data = bufs[i], .data_len = len, .partition_key = pk,
                                    .partition_key_len = strlen(pk),
                                    .explicit_hash_key = srv_kx_str(r, "ExplicitHashKey")};
    }
    if (ok && total > STORE_BATCH_BYTES_MAX) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "Records size exceeds 5 MB limit");
        ok = 0;
    }
    if (ok) {
        /* Injected per-entry failures: the entries that "fail" are left out
         * of the store call, as AWS writes nothing for a failed entry. */
        size_t m = 0;
        for (i = 0; i < n; i++) {
            int lat;
            fault[i] = NULL;
            if (c->k->faults) srv_faults_check(c->k, name, 1, &lat, &fault[i]);
            if (!fault[i]) ents[m++] = ents[i];
        }
        store_put_result *sres = calloc(m ? m : 1, sizeof *sres);
        size_t failed = 0;
        eddy_err e;
        eddy_err_clear(&e);
        int rc = sres ? (m ? store_put_records(c->k->st, name, ents, m, sres, &failed, &e) : 0)
                      : EDDY_E_NOMEM;
        if (rc != 0) {
            srv_kx_store_error(c, rc, &e);
        } else {
            cJSON *out = cJSON_CreateObject();
            cJSON *arr = cJSON_CreateArray();
            size_t j = 0, nfail = 0;
            int kms = kms_on(c->k, name);
            for (i = 0; i < n; i++) {
                cJSON *o = cJSON_CreateObject();
                if (fault[i]) {
                    nfail++;
                    int thr = strcmp(fault[i], "InternalFailure") != 0;
                    cJSON_AddStringToObject(o, "ErrorCode",
                                            thr ? "ProvisionedThroughputExceededException" : "InternalFailure");
                    char msg[256];
                    if (thr)
                        snprintf(msg, sizeof msg, "Rate exceeded for stream %s under account %s.", name,
                                 store_account(c->k->st));
                    else
                        snprintf(msg, sizeof msg, "Internal Service Failure");
                    cJSON_AddStringToObject(o, "ErrorMessage", msg);
                } else {
                    store_put_result *pr = &sres[j++];
                    if (pr->code != 0) {
                        nfail++;
                        const char *t = srv_kx_error_type(pr->code);
                        if (strcmp(t, "ProvisionedThroughputExceededException")) t = "InternalFailure";
                        cJSON_AddStringToObject(o, "ErrorCode", t);
                        cJSON_AddStringToObject(o, "ErrorMessage",
                                                pr->message[0] ? pr->message : "Internal Service Failure");
                    } else {
                        char seq[STORE_SEQ_STR_MAX];
                        store_seq_format(pr->seq, seq);
                        cJSON_AddStringToObject(o, "SequenceNumber", seq);
                        cJSON_AddStringToObject(o, "ShardId", pr->shard_id);
                    }
                }
                cJSON_AddItemToArray(arr, o);
            }
            cJSON_AddNumberToObject(out, "FailedRecordCount", (double)nfail);
            cJSON_AddItemToObject(out, "Records", arr);
            if (kms) cJSON_AddStringToObject(out, "EncryptionType", "KMS");
            srv_kx_ok(c, out);
        }
        free(sres);
    }
    for (i = 0; bufs && i < n; i++) free(bufs[i]);
    free(bufs);
    free(ents);
    free(fault);
}

int srv_kx_position_or_reply(srv_call *c, const cJSON *o, const char *type_field,
                             const char *seq_field, const char *shard, store_position *pos) {
    const char *type = srv_kx_str(o, type_field);
    const char *seq = srv_kx_str(o, seq_field);
    int64_t ts = srv_kx_time_ms(o, "Timestamp");
    memset(pos, 0, sizeof *pos);
    if (!type || store_iter_type_parse(type, &pos->type) != 0) {
        srv_kx_error(c, 400, "ValidationException",
                     "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
                     "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, "
                     "AT_TIMESTAMP, TRIM_HORIZON, LATEST]", type ? type : "null",
                     strcmp(type_field, "Type") ? "shardIteratorType" : "startingPosition.type");
        return -1;
    }
    int wants_seq = pos->type == STORE_AT_SEQUENCE_NUMBER || pos->type == STORE_AFTER_SEQUENCE_NUMBER;
    if (wants_seq != (seq != NULL)) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                     "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
                     "Request specified %s and %s StartingSequenceNumber.", type,
                     seq ? "a" : "no");
        return -1;
    }
    if (pos->type == STORE_AT_TIMESTAMP) {
        if (ts < 0) {
            srv_kx_error(c, 400, "InvalidArgumentException",
                         "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                         "Current request has no timestamp parameter.");
            return -1;
        }
        int64_t now = eddy_now_ms();
        if (ts > now) {
            srv_kx_error(c, 400, "InvalidArgumentException",
                         "The timestampInMillis parameter cannot be greater than the "
                         "currentTimestampInMillis. timestampInMillis: %lld, currentTimestampInMillis: %lld",
                         (long long)ts, (long long)now);
            return -1;
        }
        pos->timestamp_ms = ts;
    } else if (cJSON_GetObjectItemCaseSensitive(o, "Timestamp")) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "Must specify timestampInMillis parameter only for iterator of type AT_TIMESTAMP.");
        return -1;
    }
    if (seq && store_seq_parse(seq, strlen(seq), &pos->seq) != 0) {
        srv_kx_error(c, 400, "InvalidArgumentException",
                     "StartingSequenceNumber %s used in GetShardIterator on shard %s is invalid.", seq,
                     shard);
        return -1;
    }
    return 0;
}

void srv_kx_get_shard_iterator(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0 || not_active_or_reply(c, name) != 0) return;
    const char *shard = srv_kx_str(c->in, "ShardId");
    store_position pos;
    if (srv_kx_position_or_reply(c, c->in, "ShardIteratorType", "StartingSequenceNumber", shard, &pos) != 0)
        return;
    char it[STORE_ITER_STR_MAX];
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_iterator_get(c->k->st, name, shard, &pos, it, &e);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "ShardIterator", it);
    srv_kx_ok(c, out);
}

void srv_kx_get_records(srv_call *c) {
    const char *it = srv_kx_str(c->in, "ShardIterator");
    long long limit = srv_kx_int(c->in, "Limit", 10000);
    const char *arn = srv_kx_str(c->in, "StreamARN");
    char name[STORE_NAME_MAX + 1] = "";
    if (arn && store_stream_name_from(arn, name, NULL) != 0) name[0] = 0;
    store_batch b;
    store_batch_init(&b);
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_get_records(c->k->st, it, (size_t)limit, &b, &e);
    if (rc != 0) {
        store_batch_free(&b);
        srv_kx_store_error(c, rc, &e);
        return;
    }
    int kms = name[0] && kms_on(c->k, name);
    cJSON *out = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(out, "Records");
    for (size_t i = 0; i < b.n_records; i++) cJSON_AddItemToArray(arr, srv_kx_record_json(&b.records[i], kms));
    if (b.next_iterator[0]) cJSON_AddStringToObject(out, "NextShardIterator", b.next_iterator);
    cJSON_AddNumberToObject(out, "MillisBehindLatest", (double)b.millis_behind_latest);
    if (b.end_of_shard) {
        cJSON *ch = cJSON_AddArrayToObject(out, "ChildShards");
        for (size_t i = 0; i < b.n_children; i++) cJSON_AddItemToArray(ch, srv_kx_child_json(&b.children[i]));
    }
    store_batch_free(&b);
    srv_kx_ok(c, out);
}
