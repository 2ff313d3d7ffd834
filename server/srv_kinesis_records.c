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

/* Decodes base64 into out (room for b64_len / 4 * 3 + 3 bytes); answers
 * SerializationException and returns -1 when it is not base64. */
static int decode_or_reply(srv_call *c, const char *b64, size_t b64_len, unsigned char *out,
                           size_t *len) {
    *len = eddy_b64_decode(b64, b64_len, out);
    if (*len != (size_t)-1) return 0;
    srv_kx_error(c, 400, "SerializationException", "%s", "Base64 encoded value of Data is invalid.");
    return -1;
}

/* `index` is the 1-based entry of PutRecords, 0 for PutRecord. */
static int size_ok_or_reply(srv_call *c, size_t max, size_t data_len, size_t index) {
    if (data_len <= max) return 0;
    char path[48];
    if (index) snprintf(path, sizeof path, "records.%zu.member.data", index);
    else snprintf(path, sizeof path, "data");
    srv_kx_error(c, 400, "ValidationException",
                 "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]' "
                 "at '%s' failed to satisfy constraint: Member must have length less than or equal to %zu",
                 data_len, data_len, path, max);
    return -1;
}

/* Appends "key":"value" (JSON-escaped value) after a comma unless first. */
static void put_member(sbuf *b, int first, const char *key, const char *v, size_t n) {
    if (!first) sbuf_putc(b, ',');
    sbuf_putc(b, '"');
    sbuf_puts(b, key);
    sbuf_append(b, "\":", 2);
    sbuf_json_str(b, v, n);
}

void srv_kx_put_record(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0 || not_active_or_reply(c, name) != 0) return;
    const char *pk = srv_kx_str(c->in, "PartitionKey");
    const char *ehk = srv_kx_str(c->in, "ExplicitHashKey");
    if (hash_key_or_reply(c, ehk) != 0) return;
    const char *b64 = srv_kx_str(c->in, "Data");
    size_t b64_len = strlen(b64), len;
    unsigned char stack[1024];
    size_t cap = b64_len / 4 * 3 + 3;
    unsigned char *data = cap <= sizeof stack ? stack : malloc(cap);
    if (!data) {
        srv_kx_error(c, 500, "InternalFailure", "%s", "");
        return;
    }
    if (decode_or_reply(c, b64, b64_len, data, &len) != 0 ||
        size_ok_or_reply(c, max_record_bytes(c->k, name), len, 0) != 0) {
        if (data != stack) free(data);
        return;
    }
    store_put_entry ent = {.data = data, .data_len = len, .partition_key = pk,
                           .partition_key_len = strlen(pk), .explicit_hash_key = ehk,
                           .seq_for_ordering = srv_kx_str(c->in, "SequenceNumberForOrdering")};
    store_put_result res;
    eddy_err e;
    eddy_err_clear(&e);
    int rc = store_put_record(c->k->st, name, &ent, &res, &e);
    if (data != stack) free(data);
    if (rc != 0) {
        srv_kx_store_error(c, rc, &e);
        return;
    }
    if (c->k->on_put) c->k->on_put(c->k->on_put_ctx, name, 1, len);
    char seq[STORE_SEQ_STR_MAX];
    size_t seq_len = store_seq_format(res.seq, seq);
    int kms = kms_on(c->k, name);
    if (c->cbor) {
        cJSON *out = cJSON_CreateObject();
        cJSON_AddStringToObject(out, "ShardId", res.shard_id);
        cJSON_AddStringToObject(out, "SequenceNumber", seq);
        if (kms) cJSON_AddStringToObject(out, "EncryptionType", "KMS");
        srv_kx_ok(c, out);
        return;
    }
    sbuf b;
    sbuf_init(&b);
    sbuf_putc(&b, '{');
    put_member(&b, 1, "ShardId", res.shard_id, strlen(res.shard_id));
    put_member(&b, 0, "SequenceNumber", seq, seq_len);
    if (kms) put_member(&b, 0, "EncryptionType", "KMS", 3);
    sbuf_putc(&b, '}');
    if (b.failed) srv_kx_error(c, 500, "InternalFailure", "%s", "");
    else srv_kx_ok_json(c, b.data, b.len);
    sbuf_free(&b);
}

/* The records of a cJSON-parsed PutRecords, checked for shape as Coral does
 * (types first, then nulls and lengths), as a flat array. Answers and
 * returns NULL when they are not well formed. */
static srv_kx_rec *records_from_json(srv_call *c, size_t *count) {
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(c->in, "Records");
    size_t n = (size_t)cJSON_GetArraySize(recs);
    char msgs[3][300];
    size_t nmsg = 0, i = 0;
    for (const cJSON *r = recs->child; r; r = r->next, i++) {
        if (!cJSON_IsObject(r)) {
            srv_kx_error(c, 400, "SerializationException", "%s",
                         "Unexpected field type in Records; expected a structure");
            return NULL;
        }
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(r, "Data");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "PartitionKey");
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(r, "ExplicitHashKey");
        if ((d && !cJSON_IsString(d)) || (p && !cJSON_IsString(p)) || (h && !cJSON_IsString(h))) {
            srv_kx_error(c, 400, "SerializationException", "%s",
                         "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
                         "converted to an String");
            return NULL;
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
        return NULL;
    }
    srv_kx_rec *out = calloc(n ? n : 1, sizeof *out);
    if (!out) {
        srv_kx_error(c, 500, "InternalFailure", "%s", "");
        return NULL;
    }
    i = 0;
    for (const cJSON *r = recs->child; r; r = r->next, i++) {
        out[i].data = srv_kx_str(r, "Data");
        out[i].data_len = strlen(out[i].data);
        out[i].pk = srv_kx_str(r, "PartitionKey");
        out[i].pk_len = strlen(out[i].pk);
        out[i].ehk = srv_kx_str(r, "ExplicitHashKey");
    }
    *count = n;
    return out;
}

/* One entry's outcome in the PutRecords answer. */
typedef struct entry_result {
    const char *code;             /* NULL: success */
    const char *message;
    const store_put_result *ok;   /* success: shard and sequence */
} entry_result;

static void reply_put_records(srv_call *c, const entry_result *res, size_t n, size_t nfail, int kms) {
    if (c->cbor) {
        cJSON *out = cJSON_CreateObject();
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            if (res[i].code) {
                cJSON_AddStringToObject(o, "ErrorCode", res[i].code);
                cJSON_AddStringToObject(o, "ErrorMessage", res[i].message);
            } else {
                char seq[STORE_SEQ_STR_MAX];
                store_seq_format(res[i].ok->seq, seq);
                cJSON_AddStringToObject(o, "SequenceNumber", seq);
                cJSON_AddStringToObject(o, "ShardId", res[i].ok->shard_id);
            }
            cJSON_AddItemToArray(arr, o);
        }
        cJSON_AddNumberToObject(out, "FailedRecordCount", (double)nfail);
        cJSON_AddItemToObject(out, "Records", arr);
        if (kms) cJSON_AddStringToObject(out, "EncryptionType", "KMS");
        srv_kx_ok(c, out);
        return;
    }
    /* The bytes cJSON_PrintUnformatted gives for the tree above. */
    sbuf b;
    sbuf_init(&b);
    sbuf_reserve(&b, 64 + n * 90);
    sbuf_puts(&b, "{\"FailedRecordCount\":");
    srv_kx_put_u64(&b, nfail);
    sbuf_puts(&b, ",\"Records\":[");
    for (size_t i = 0; i < n; i++) {
        if (i) sbuf_putc(&b, ',');
        sbuf_putc(&b, '{');
        if (res[i].code) {
            put_member(&b, 1, "ErrorCode", res[i].code, strlen(res[i].code));
            put_member(&b, 0, "ErrorMessage", res[i].message, strlen(res[i].message));
        } else {
            char seq[STORE_SEQ_STR_MAX];
            size_t sl = store_seq_format(res[i].ok->seq, seq);
            put_member(&b, 1, "SequenceNumber", seq, sl);
            put_member(&b, 0, "ShardId", res[i].ok->shard_id, strlen(res[i].ok->shard_id));
        }
        sbuf_putc(&b, '}');
    }
    sbuf_putc(&b, ']');
    if (kms) sbuf_puts(&b, ",\"EncryptionType\":\"KMS\"");
    sbuf_putc(&b, '}');
    if (b.failed) srv_kx_error(c, 500, "InternalFailure", "%s", "");
    else srv_kx_ok_json(c, b.data, b.len);
    sbuf_free(&b);
}

void srv_kx_put_records(srv_call *c) {
    char name[STORE_NAME_MAX + 1];
    if (srv_kx_stream_or_reply(c, name) != 0 || not_active_or_reply(c, name) != 0) return;
    /* Shape first, as Coral does, so nothing is decoded for a bad request
     * (the fast parser took only well-shaped records). */
    srv_kx_rec *own = NULL, *recs = c->recs;
    size_t n = c->n_recs, i;
    if (!recs && !(recs = own = records_from_json(c, &n))) return;
    for (i = 0; i < n; i++)
        if (hash_key_or_reply(c, recs[i].ehk) != 0) {
            free(own);
            return;
        }

    /* All the decoded data goes into one buffer. */
    size_t cap = 1, total = 0, max = max_record_bytes(c->k, name);
    for (i = 0; i < n; i++) cap += recs[i].data_len / 4 * 3 + 3;
    unsigned char *data = malloc(cap), *p = data;
    store_put_entry *ents = malloc((n ? n : 1) * sizeof *ents);
    const char **fault = calloc(n ? n : 1, sizeof *fault);
    store_put_result *sres = malloc((n ? n : 1) * sizeof *sres);
    entry_result *res = malloc((n ? n : 1) * sizeof *res);
    int ok = data && ents && fault && sres && res;
    if (!ok) srv_kx_error(c, 500, "InternalFailure", "%s", "");
    for (i = 0; ok && i < n; i++) {
        size_t len;
        if (decode_or_reply(c, recs[i].data, recs[i].data_len, p, &len) != 0 ||
            size_ok_or_reply(c, max, len, i + 1) != 0) {
            ok = 0;
            break;
        }
        total += len + recs[i].pk_len;
        ents[i] = (store_put_entry){.data = p, .data_len = len, .partition_key = recs[i].pk,
                                    .partition_key_len = recs[i].pk_len,
                                    .explicit_hash_key = recs[i].ehk};
        p += len;
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
            if (c->k->faults) srv_faults_check(c->k, name, 1, &lat, &fault[i]);
            if (!fault[i]) ents[m++] = ents[i];
        }
        size_t failed = 0;
        eddy_err e;
        eddy_err_clear(&e);
        int rc = m ? store_put_records(c->k->st, name, ents, m, sres, &failed, &e) : 0;
        if (rc != 0) {
            srv_kx_store_error(c, rc, &e);
        } else {
            char thr_msg[256];
            snprintf(thr_msg, sizeof thr_msg, "Rate exceeded for stream %s under account %s.", name,
                     store_account(c->k->st));
            if (c->k->on_put && m > failed) {
                uint64_t bytes = 0;
                for (size_t k2 = 0; k2 < m; k2++)
                    if (sres[k2].code == 0) bytes += ents[k2].data_len;
                c->k->on_put(c->k->on_put_ctx, name, m - failed, bytes);
            }
            size_t j = 0, nfail = 0;
            for (i = 0; i < n; i++) {
                res[i] = (entry_result){NULL, NULL, NULL};
                if (fault[i]) {
                    nfail++;
                    int thr = strcmp(fault[i], "InternalFailure") != 0;
                    res[i].code = thr ? "ProvisionedThroughputExceededException" : "InternalFailure";
                    res[i].message = thr ? thr_msg : "Internal Service Failure";
                } else {
                    const store_put_result *pr = &sres[j++];
                    if (pr->code != 0) {
                        nfail++;
                        const char *t = srv_kx_error_type(pr->code);
                        if (strcmp(t, "ProvisionedThroughputExceededException")) t = "InternalFailure";
                        res[i].code = t;
                        res[i].message = pr->message[0] ? pr->message : "Internal Service Failure";
                    } else {
                        res[i].ok = pr;
                    }
                }
            }
            reply_put_records(c, res, n, nfail, kms_on(c->k, name));
        }
    }
    free(res);
    free(sres);
    free(fault);
    free(ents);
    free(data);
    free(own);
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

/* The bytes cJSON_PrintUnformatted gives for GetRecords' answer (without
 * ChildShards), built directly: the tree cost more than the read. */
static void reply_records_json(srv_call *c, const store_batch *bt, int kms) {
    sbuf b;
    sbuf_init(&b);
    size_t need = 64;
    for (size_t i = 0; i < bt->n_records; i++)
        need += 160 + eddy_b64_enc_len(bt->records[i].data_len) + bt->records[i].partition_key_len;
    sbuf_reserve(&b, need);
    char *b64 = NULL;
    size_t b64_cap = 0;
    int oom = 0;
    sbuf_puts(&b, "{\"Records\":[");
    for (size_t i = 0; i < bt->n_records && !b.failed && !oom; i++) {
        const store_record *rec = &bt->records[i];
        char seq[STORE_SEQ_STR_MAX];
        size_t sl = store_seq_format(rec->seq, seq);
        if (i) sbuf_putc(&b, ',');
        sbuf_puts(&b, "{\"SequenceNumber\":\"");
        sbuf_append(&b, seq, sl);
        sbuf_puts(&b, "\",\"ApproximateArrivalTimestamp\":");
        srv_kx_put_time(&b, rec->arrival_ms);
        size_t el = eddy_b64_enc_len(rec->data_len) + 1;
        if (el > b64_cap) {
            char *g = realloc(b64, el);
            if (!g) {
                oom = 1;
                break;
            }
            b64 = g;
            b64_cap = el;
        }
        el = eddy_b64_encode(rec->data, rec->data_len, b64);
        sbuf_puts(&b, ",\"Data\":\"");
        sbuf_append(&b, b64, el);
        sbuf_puts(&b, "\",\"PartitionKey\":");
        /* The tree path cut the key at a NUL (strndup). */
        sbuf_json_str(&b, rec->partition_key, strnlen(rec->partition_key, rec->partition_key_len));
        if (kms) sbuf_puts(&b, ",\"EncryptionType\":\"KMS\"");
        sbuf_putc(&b, '}');
    }
    free(b64);
    sbuf_putc(&b, ']');
    if (bt->next_iterator[0]) put_member(&b, 0, "NextShardIterator", bt->next_iterator,
                                         strlen(bt->next_iterator));
    sbuf_puts(&b, ",\"MillisBehindLatest\":");
    srv_kx_put_int(&b, bt->millis_behind_latest);
    sbuf_putc(&b, '}');
    if (b.failed || oom) srv_kx_error(c, 500, "InternalFailure", "%s", "");
    else srv_kx_ok_json(c, b.data, b.len);
    sbuf_free(&b);
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
    if (c->k->on_get && b.n_records) {
        char sn[STORE_NAME_MAX + 1];
        const char *stream = name[0] ? name : store_iterator_stream(c->k->st, it, sn) == 0 ? sn : NULL;
        uint64_t bytes = 0;
        for (size_t i = 0; i < b.n_records; i++) bytes += b.records[i].data_len;
        if (stream) c->k->on_get(c->k->on_get_ctx, stream, b.n_records, bytes);
    }
    int kms = name[0] && kms_on(c->k, name);
    if (!c->cbor && !b.end_of_shard) {
        reply_records_json(c, &b, kms);
        store_batch_free(&b);
        return;
    }
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
