/*
 * kda_app.c — KDA application descriptions (the JSON of CreateApplication
 * or DescribeApplication) for EXPLAIN: inputs become in-application
 * streams <NamePrefix>_001.. bound to the stored stream named by the last
 * part of their ResourceARN, reference data sources become reference
 * tables, the ApplicationCode is planned, and outputs bind the streams the
 * code created to their destination streams as sinks (SQL.md §1.2, §1.6).
 *
 * Inputs are turned into CREATE STREAM statements with the WITH options of
 * planner/README.md and planned like any other SQL, so the JSON and the
 * SQL-only way of binding streams cannot drift apart.
 */
#include "planner_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(eddy_err *err, const char *field, const char *what) {
    return eddy_err_set(err, EDDY_E_INVAL, "application JSON: %s %s", field, what);
}

static const char *str_field(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void put_quoted_name(sbuf *b, const char *s) {
    sbuf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"') sbuf_putc(b, '"');
        sbuf_putc(b, *s);
    }
    sbuf_putc(b, '"');
}

static void put_sql_string(sbuf *b, const char *s) {
    sbuf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'') sbuf_putc(b, '\'');
        sbuf_putc(b, *s);
    }
    sbuf_putc(b, '\'');
}

/* The stream name is the last part of an ARN (…:stream/NAME), or the whole
 * string when it is not an ARN. */
static const char *arn_name(const char *arn) {
    const char *s = strrchr(arn, '/');
    if (s) return s + 1;
    s = strrchr(arn, ':');
    return s ? s + 1 : arn;
}

static const char *resource_arn(const cJSON *o, const char *const *kinds) {
    for (; *kinds; kinds++) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, *kinds);
        const char *arn = k ? str_field(k, "ResourceARN") : NULL;
        if (arn) return arn;
    }
    return NULL;
}

/* Appends "(cols) WITH (format ..., mapping ...)" for a source schema. */
static int put_schema(sbuf *b, const cJSON *schema, const char *where, eddy_err *err) {
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(schema, "RecordColumns");
    if (!cJSON_IsArray(cols) || cJSON_GetArraySize(cols) == 0)
        return bad(err, where, "needs RecordColumns, a non-empty array");
    sbuf_puts(b, " (");
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cols) {
        const char *name = str_field(c, "Name"), *type = str_field(c, "SqlType");
        if (!name || !type) return bad(err, where, "RecordColumns entries need Name and SqlType");
        if (i++) sbuf_puts(b, ", ");
        put_quoted_name(b, name);
        sbuf_printf(b, " %s", type);
    }
    sbuf_puts(b, ")");
    return 0;
}

static int put_format(sbuf *b, const cJSON *schema, const char *where, eddy_err *err) {
    const cJSON *rf = cJSON_GetObjectItemCaseSensitive(schema, "RecordFormat");
    const char *ft = rf ? str_field(rf, "RecordFormatType") : NULL;
    if (!ft) return bad(err, where, "needs RecordFormat.RecordFormatType");
    const cJSON *mp = cJSON_GetObjectItemCaseSensitive(rf, "MappingParameters");
    if (!strcmp(ft, "JSON")) {
        sbuf_puts(b, ", format = 'json'");
        const cJSON *jm = mp ? cJSON_GetObjectItemCaseSensitive(mp, "JSONMappingParameters") : NULL;
        const char *rp = jm ? str_field(jm, "RecordRowPath") : NULL;
        if (rp) {
            sbuf_puts(b, ", row_path = ");
            put_sql_string(b, rp);
        }
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(schema, "RecordColumns")) {
            const char *m = str_field(c, "Mapping");
            if (!m) continue;
            sbuf_puts(b, ", ");
            char key[300];
            snprintf(key, sizeof key, "mapping.%s", str_field(c, "Name"));
            put_sql_string(b, key);
            sbuf_puts(b, " = ");
            put_sql_string(b, m);
        }
    } else if (!strcmp(ft, "CSV")) {
        sbuf_puts(b, ", format = 'csv'");
        const cJSON *cm = mp ? cJSON_GetObjectItemCaseSensitive(mp, "CSVMappingParameters") : NULL;
        const char *cd = cm ? str_field(cm, "RecordColumnDelimiter") : NULL;
        const char *rd = cm ? str_field(cm, "RecordRowDelimiter") : NULL;
        if (cd) {
            sbuf_puts(b, ", column_delimiter = ");
            put_sql_string(b, cd);
        }
        if (rd) {
            sbuf_puts(b, ", row_delimiter = ");
            put_sql_string(b, rd);
        }
    } else {
        return bad(err, where, "RecordFormatType must be JSON or CSV");
    }
    return 0;
}

/* Builds the CREATE STREAM statements of the inputs and reference tables. */
static int inputs_sql(const cJSON *app, sbuf *b, eddy_err *err) {
    static const char *const in_kinds[] = {"KinesisStreamsInput", "KinesisFirehoseInput", NULL};
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(app, "Inputs");
    if (!ins) ins = cJSON_GetObjectItemCaseSensitive(app, "InputDescriptions");
    if (ins && !cJSON_IsArray(ins)) return bad(err, "Inputs", "must be an array");
    const cJSON *in;
    cJSON_ArrayForEach(in, ins) {
        const char *prefix = str_field(in, "NamePrefix");
        const char *arn = resource_arn(in, in_kinds);
        if (!arn) {
            /* DescribeApplication spells it ...InputDescription. */
            static const char *const d_kinds[] = {"KinesisStreamsInputDescription",
                                                  "KinesisFirehoseInputDescription", NULL};
            arn = resource_arn(in, d_kinds);
        }
        const cJSON *schema = cJSON_GetObjectItemCaseSensitive(in, "InputSchema");
        if (!prefix) return bad(err, "Inputs[].NamePrefix", "is missing");
        if (!arn) return bad(err, "Inputs[]", "needs KinesisStreamsInput.ResourceARN");
        if (!schema) return bad(err, "Inputs[].InputSchema", "is missing");
        int count = 1;
        const cJSON *par = cJSON_GetObjectItemCaseSensitive(in, "InputParallelism");
        const cJSON *cnt = par ? cJSON_GetObjectItemCaseSensitive(par, "Count") : NULL;
        if (cnt && (!cJSON_IsNumber(cnt) || cnt->valuedouble != (double)cnt->valueint)) count = 0;
        else if (cnt) count = cnt->valueint;
        if (count < 1 || count > 64) return bad(err, "Inputs[].InputParallelism.Count", "must be an integer from 1 to 64");
        for (int k = 1; k <= count; k++) {
            char name[300];
            snprintf(name, sizeof name, "%s_%03d", prefix, k);
            sbuf_puts(b, "CREATE STREAM ");
            put_quoted_name(b, name);
            if (put_schema(b, schema, "Inputs[].InputSchema", err) != 0) return EDDY_E_INVAL;
            sbuf_puts(b, " WITH (source = ");
            put_sql_string(b, arn_name(arn));
            if (count > 1) sbuf_printf(b, ", shard_part = '%d/%d'", k, count);
            if (put_format(b, schema, "Inputs[].InputSchema", err) != 0) return EDDY_E_INVAL;
            sbuf_puts(b, ");\n");
        }
    }
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(app, "ReferenceDataSources");
    if (refs && !cJSON_IsArray(refs)) return bad(err, "ReferenceDataSources", "must be an array");
    const cJSON *r;
    cJSON_ArrayForEach(r, refs) {
        const char *table = str_field(r, "TableName");
        const cJSON *s3 = cJSON_GetObjectItemCaseSensitive(r, "S3ReferenceDataSource");
        const char *bucket = s3 ? str_field(s3, "BucketARN") : NULL, *key = s3 ? str_field(s3, "FileKey") : NULL;
        const cJSON *schema = cJSON_GetObjectItemCaseSensitive(r, "ReferenceSchema");
        if (!table || !bucket || !key || !schema)
            return bad(err, "ReferenceDataSources[]", "needs TableName, S3ReferenceDataSource and ReferenceSchema");
        sbuf_puts(b, "CREATE STREAM ");
        put_quoted_name(b, table);
        if (put_schema(b, schema, "ReferenceDataSources[].ReferenceSchema", err) != 0) return EDDY_E_INVAL;
        char loc[600];
        snprintf(loc, sizeof loc, "s3://%s/%s", arn_name(bucket), key);
        sbuf_puts(b, " WITH (reference = ");
        put_sql_string(b, loc);
        if (put_format(b, schema, "ReferenceDataSources[].ReferenceSchema", err) != 0) return EDDY_E_INVAL;
        sbuf_puts(b, ");\n");
    }
    return 0;
}

static int apply_outputs(catalog *cat, const cJSON *app, sbuf *out, eddy_err *err) {
    static const char *const out_kinds[] = {"KinesisStreamsOutput", "KinesisFirehoseOutput",
                                            "LambdaOutput", "KinesisStreamsOutputDescription",
                                            "KinesisFirehoseOutputDescription",
                                            "LambdaOutputDescription", NULL};
    const cJSON *outs = cJSON_GetObjectItemCaseSensitive(app, "Outputs");
    if (!outs) outs = cJSON_GetObjectItemCaseSensitive(app, "OutputDescriptions");
    if (outs && !cJSON_IsArray(outs)) return bad(err, "Outputs", "must be an array");
    const cJSON *o;
    cJSON_ArrayForEach(o, outs) {
        const char *name = str_field(o, "Name"), *arn = resource_arn(o, out_kinds);
        const cJSON *ds = cJSON_GetObjectItemCaseSensitive(o, "DestinationSchema");
        const char *ft = ds ? str_field(ds, "RecordFormatType") : NULL;
        if (!name || !arn) return bad(err, "Outputs[]", "needs Name and a destination ResourceARN");
        cat_sink sk = {.stream = arn_name(arn), .format = ft && !strcmp(ft, "CSV") ? PLAN_FMT_CSV : PLAN_FMT_JSON};
        memcpy(sk.col_delim, ",", 2);
        int rc = catalog_set_sink(cat, name, &sk, err);
        if (rc != 0) return rc;
        const cat_stream *s = catalog_stream(cat, name);
        plan_node scan = {.kind = PLAN_STREAM_SCAN}, sink = {.kind = PLAN_SINK};
        plan_node *in[1] = {&scan};
        scan.u.stream_scan.stream = s->name;
        scan.out = (plan_schema){s->cols, s->n_cols, PLAN_RT_INPUT, 1};
        sink.inputs = in;
        sink.n_inputs = 1;
        sink.out = scan.out;
        sink.u.sink.stream = s->sink.stream;
        sink.u.sink.from = s->name;
        sink.u.sink.format = s->sink.format;
        sbuf_puts(out, "\nOUTPUT ");
        put_quoted_name(out, name);
        sbuf_putc(out, '\n');
        plan_explain(&sink, out);
    }
    return 0;
}

int planner_explain_kda(catalog *cat, const char *json, size_t len, sbuf *out, char **code,
                        eddy_err *err) {
    *code = NULL;
    eddy_err_clear(err);
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return eddy_err_set(err, EDDY_E_INVAL, "application JSON does not parse");
    }
    const cJSON *app = root;
    const cJSON *wrap = cJSON_GetObjectItemCaseSensitive(root, "ApplicationDetail");
    if (cJSON_IsObject(wrap)) app = wrap;
    sbuf in;
    sbuf_init(&in);
    int rc = inputs_sql(app, &in, err);
    const char *ac = str_field(app, "ApplicationCode");
    if (rc == 0 && !ac) rc = bad(err, "ApplicationCode", "is missing");
    if (rc == 0 && in.len) {
        rc = planner_explain_script(cat, in.data, in.len, out, err);
        err->has_pos = 0; /* the generated text is not the user's */
    }
    if (rc == 0) {
        if (!(*code = strdup(ac))) rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    if (rc == 0) {
        if (in.len) sbuf_putc(out, '\n');
        rc = planner_explain_script(cat, *code, strlen(*code), out, err);
    }
    if (rc == 0) rc = apply_outputs(cat, app, out, err);
    sbuf_free(&in);
    cJSON_Delete(root);
    return rc;
}
