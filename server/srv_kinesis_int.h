/*
 * srv_kinesis_int.h — shared inside the Kinesis API files only
 * (srv_kinesis.c, srv_kinesis_streams.c, _records.c, _reshard.c, _fanout.c, _fast.c,
 * srv_faults.c). The dispatcher in srv_kinesis.c parses and validates a
 * request into an srv_call; each operation function answers it exactly once
 * through srv_kx_ok / srv_kx_error (or, for SubscribeToShard, takes over the
 * response as an event stream).
 */
#ifndef EDDY_SRV_KINESIS_INT_H
#define EDDY_SRV_KINESIS_INT_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "sbuf.h"
#include "srv_kinesis.h"
#include "srv_sigv4.h"

/* A stream that shows CREATING until active_at_ms (--create-delay-ms). */
typedef struct srv_kx_pending {
    char name[STORE_NAME_MAX + 1];
    int64_t active_at_ms;
    struct srv_kx_pending *next;
} srv_kx_pending;

typedef struct srv_sub srv_sub;   /* one SubscribeToShard stream (srv_kinesis_fanout.c) */
typedef struct srv_faults srv_faults;   /* per-stream fault settings (srv_faults.c) */

struct srv_kinesis {
    uv_loop_t *loop;              /* borrowed */
    store *st;                    /* borrowed */
    int create_delay_ms;
    int subscription_ms;
    int heartbeat_ms;
    char region[64];
    srv_sigv4_keys *keys;         /* owned; NULL when any credentials pass */
    srv_kx_pending *pending;      /* owned list */
    srv_sub *subs;                /* open subscriptions (intrusive list) */
    srv_faults *faults;           /* owned list */
    char account_commitment[32];  /* DescribeAccountSettings echo */
    srv_kinesis_put_fn on_put;    /* metrics hook, or NULL */
    void *on_put_ctx;
    srv_kinesis_put_fn on_get;    /* metrics hook, or NULL */
    void *on_get_ctx;
};

/* One PutRecords entry as read from the request: strings borrowed from
 * the parsed body (NUL-terminated), Data still base64. */
typedef struct srv_kx_rec {
    const char *data;
    size_t data_len;
    const char *pk;
    size_t pk_len;
    const char *ehk;              /* NULL when absent */
} srv_kx_rec;

/* One request being answered. */
typedef struct srv_call {
    srv_kinesis *k;
    srv_response *r;              /* NULL once answered */
    const srv_request *req;
    int cbor;                     /* answer in CBOR (request was CBOR) */
    cJSON *in;                    /* parsed body (CBOR decoded to the same shape); owned */
    char request_id[40];
    /* Set when srv_kx_fast_parse read the body: `in` then holds only the
     * top-level scalars (string values borrowed from fast_text) and `recs`
     * the PutRecords entries; "Records" is not in `in`. */
    char *fast_text;              /* owned copy of the body */
    srv_kx_rec *recs;             /* owned; NULL unless fast-parsed PutRecords */
    size_t n_recs;
} srv_call;

/* ------------------------------------------------------------ fast path */

/* Reads a JSON body of the plain shape the SDKs send for the data-plane
 * operations, without building a cJSON tree per record: a top-level object
 * whose members are escape-free strings or numbers, plus (when `records`)
 * a "Records" array of 1..500 objects each holding string Data, a
 * PartitionKey of 1..256 bytes and optionally ExplicitHashKey. Fills c->in,
 * c->fast_text and c->recs. Returns 0, or -1 with c untouched when the body
 * is anything else (malformed, escapes, duplicate or unknown members, nulls,
 * nested values...): the caller then parses it with cJSON, whose path
 * produces every error message. */
int srv_kx_fast_parse(srv_call *c, const char *body, size_t len, int records);
/* Drops what srv_kx_fast_parse filled (c->in included). */
void srv_kx_fast_drop(srv_call *c);

/* Appends an epoch-ms time as JSON seconds exactly as cJSON prints
 * (double)ms / 1000. */
void srv_kx_put_time(sbuf *b, int64_t ms);
/* Appends an unsigned decimal. */
void srv_kx_put_u64(sbuf *b, uint64_t v);
/* Appends an integer exactly as cJSON prints (double)v. */
void srv_kx_put_int(sbuf *b, int64_t v);

/* ------------------------------------------------------------ validation */

typedef enum {
    SRV_T_STR, SRV_T_INT, SRV_T_BOOL, SRV_T_LIST, SRV_T_MAP, SRV_T_OBJ, SRV_T_TS, SRV_T_BLOB
} srv_kx_type;

typedef enum {
    SRV_P_NONE, SRV_P_NAME, SRV_P_STREAM_ARN, SRV_P_CONSUMER_ARN, SRV_P_SHARD_ID, SRV_P_DIGITS,
    SRV_P_HASHKEY, SRV_P_ANY_ARN
} srv_kx_pattern;

/* One top-level input member and its model constraints. */
typedef struct srv_kx_field {
    const char *name;             /* "StreamName" */
    srv_kx_type type;
    int required;
    long long min, max;           /* length (strings, lists, maps) or value (ints); -1 = none */
    srv_kx_pattern pattern;
    const char *const *enums;     /* NULL-terminated allowed values, or NULL */
} srv_kx_field;

/* Checks c->in against `fields`: a member of the wrong JSON type answers
 * SerializationException, constraint failures answer one ValidationException
 * listing all of them in Coral's words. Returns 0 when valid, -1 when it has
 * answered. */
int srv_kx_validate(srv_call *c, const srv_kx_field *fields, size_t n);

/* The pure part of srv_kx_validate: returns 0 when `in` is valid, else -1
 * with *type ("SerializationException" / "ValidationException") and the
 * message in msg. */
int srv_kx_check_fields(const cJSON *in, const srv_kx_field *fields, size_t n, const char **type,
                        char *msg, size_t cap);

/* The model constraints of an operation ("CreateStream"), or NULL when the
 * operation is unknown. For tests. */
const srv_kx_field *srv_kx_op_fields(const char *op, size_t *n);

/* Builds the Coral ValidationException text for the failures collected in
 * `failures` ("Value 'x' at 'y' failed to satisfy constraint: Member must
 * ..."), n of them, into out. Exposed for unit tests. */
void srv_kx_validation_message(const char *const *failures, size_t n, char *out, size_t cap);

/* ------------------------------------------------------------ replies */

/* Answers 200 with `out` (transferred; NULL = empty body) in the request's
 * content type. */
void srv_kx_ok(srv_call *c, cJSON *out);
/* Answers 200 with a JSON body already built (JSON requests only). */
void srv_kx_ok_json(srv_call *c, const char *json, size_t len);

/* Answers an error: status 400 unless given, {"__type": type, "message": msg}. */
void srv_kx_error(srv_call *c, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Answers a store error with the Kinesis exception its code maps to. */
void srv_kx_store_error(srv_call *c, int rc, const eddy_err *e);

/* Maps an EDDY_E_* code to the Kinesis __type; never NULL. */
const char *srv_kx_error_type(int rc);

/* ------------------------------------------------------------ helpers */

/* String member or NULL. */
const char *srv_kx_str(const cJSON *o, const char *name);
/* Integer member or `def`. */
long long srv_kx_int(const cJSON *o, const char *name, long long def);

/* Resolves StreamName / StreamARN of c->in into out (STORE_NAME_MAX + 1).
 * Answers and returns -1 when neither is usable or they disagree. */
int srv_kx_stream_or_reply(srv_call *c, char *out);

/* 1 when the stream is still within its configured CREATING delay. */
int srv_kx_creating(srv_kinesis *k, const char *name);
void srv_kx_pending_add(srv_kinesis *k, const char *name);
void srv_kx_pending_remove(srv_kinesis *k, const char *name);

/* Formats a hash key or sequence number as a JSON string member. */
void srv_kx_add_u128(cJSON *o, const char *name, eddy_u128 v);
/* Adds an epoch-ms time as JSON seconds with fraction. */
void srv_kx_add_time(cJSON *o, const char *name, int64_t ms);
/* Reads a timestamp member (seconds, fractional) as ms; -1 when absent. */
int64_t srv_kx_time_ms(const cJSON *o, const char *name);

/* Shard JSON as DescribeStream / ListShards give it. */
cJSON *srv_kx_shard_json(const store_shard_desc *sd);
/* ChildShards entry as GetRecords / SubscribeToShard give it. */
cJSON *srv_kx_child_json(const store_child_shard *ch);
/* Record JSON (base64 Data) as GetRecords / SubscribeToShard give it. */
cJSON *srv_kx_record_json(const store_record *rec, int kms);

/* Parses a starting position (GetShardIterator and SubscribeToShard share
 * the rules); `type_field`/`seq_field` name the members in `o`. Answers and
 * returns -1 when invalid. */
int srv_kx_position_or_reply(srv_call *c, const cJSON *o, const char *type_field,
                             const char *seq_field, const char *shard, store_position *pos);

/* ------------------------------------------------------------ operations */

typedef void (*srv_kx_op_fn)(srv_call *c);

void srv_kx_create_stream(srv_call *c);
void srv_kx_delete_stream(srv_call *c);
void srv_kx_describe_stream(srv_call *c);
void srv_kx_describe_stream_summary(srv_call *c);
void srv_kx_list_streams(srv_call *c);
void srv_kx_list_shards(srv_call *c);
void srv_kx_increase_retention(srv_call *c);
void srv_kx_decrease_retention(srv_call *c);
void srv_kx_add_tags(srv_call *c);
void srv_kx_remove_tags(srv_call *c);
void srv_kx_list_tags(srv_call *c);
void srv_kx_tag_resource(srv_call *c);
void srv_kx_untag_resource(srv_call *c);
void srv_kx_list_tags_for_resource(srv_call *c);
void srv_kx_enable_monitoring(srv_call *c);
void srv_kx_disable_monitoring(srv_call *c);
void srv_kx_start_encryption(srv_call *c);
void srv_kx_stop_encryption(srv_call *c);
void srv_kx_describe_limits(srv_call *c);
void srv_kx_update_stream_mode(srv_call *c);
void srv_kx_put_policy(srv_call *c);
void srv_kx_get_policy(srv_call *c);
void srv_kx_delete_policy(srv_call *c);
void srv_kx_describe_account(srv_call *c);
void srv_kx_update_account(srv_call *c);
void srv_kx_update_max_record_size(srv_call *c);
void srv_kx_update_warm_throughput(srv_call *c);

void srv_kx_put_record(srv_call *c);
void srv_kx_put_records(srv_call *c);
void srv_kx_get_shard_iterator(srv_call *c);
void srv_kx_get_records(srv_call *c);

void srv_kx_split_shard(srv_call *c);
void srv_kx_merge_shards(srv_call *c);
void srv_kx_update_shard_count(srv_call *c);

void srv_kx_register_consumer(srv_call *c);
void srv_kx_describe_consumer(srv_call *c);
void srv_kx_list_consumers(srv_call *c);
void srv_kx_deregister_consumer(srv_call *c);
void srv_kx_subscribe(srv_call *c);

/* Fault injection (srv_faults.c). */
void srv_kx_set_faults(srv_call *c);
/* Tells how long to delay a data-plane call on `stream` (*latency_ms) and,
 * when `roll` is set, draws whether it fails (*error_type set, returns -1).
 * Deterministic: one draw of the stream's seeded generator per roll. */
int srv_faults_check(srv_kinesis *k, const char *stream, int roll, int *latency_ms,
                     const char **error_type);
void srv_faults_free_all(srv_kinesis *k);
/* Reloads persisted settings of every stream (at startup). */
void srv_faults_load(srv_kinesis *k);

/* Ends a subscription from the server side (shutdown). */
void srv_kx_sub_end(srv_sub *s);

#endif
