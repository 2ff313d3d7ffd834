/*
 * kda.c — Kinesis Data Analytics application JSON (the document
 * `aws kinesisanalytics create-application` takes) turned into catalog
 * bindings: each Inputs[] entry becomes the in-application stream
 * `<NamePrefix>_001` bound to the stored stream named by the last part of its
 * ResourceARN, with the RecordColumns and RecordFormat of its InputSchema
 * (InputParallelism.Count = n makes `_001` .. `_00n`, each reading its share
 * of the shards);
 * each Outputs[] entry binds the named in-application stream (created by the
 * application code) to its destination stream.
 */
#include "engine_int.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "VARCHAR(4)", "DECIMAL(5,2)", "DOUBLE", "TIMESTAMP" -> eddy_type. */
int eddy_kda_parse_type(const char *s, eddy_type *out) {
    char name[64];
    size_t n = 0;
    while (*s && isspace((unsigned char)*s)) s++;
    while (*s && *s != '(' && n < sizeof name - 1) name[n++] = *s++;
    while (n && isspace((unsigned char)name[n - 1])) n--;
    name[n] = '\0';
    eddy_type_id id;
    if (eddy_type_lookup(name, n, &id) != 0) return -1;
    out->id = id;
    out->precision = out->scale = 0;
    if (*s == '(') {
        char *end;
        long p = strtol(s + 1, &end, 10);
        if (end == s + 1 || p <= 0) return -1;
        out->precision = (int32_t)p;
        if (*end == ',') {
            long sc = strtol(end + 1, &end, 10);
            if (sc < 0 || sc > p) return -1;
            out->scale = (int32_t)sc;
        }
        if (*end != ')') return -1;
    }
    if (id == EDDY_T_DECIMAL && out->precision == 0) {
        out->precision = 18;
        out->scale = 0;
    }
    /* DECIMAL is a scaled 64-bit integer: 18 digits at most, as in SQL DDL. */
    if (id == EDDY_T_DECIMAL && out->precision > 18) return -1;
    return 0;
}

static const char *last_part(const char *arn) {
    const char *slash = strrchr(arn, '/');
    return slash ? slash + 1 : arn;
}

static int bind_input(catalog *cat, const cJSON *in, arena *a, eddy_err *err) {
    const char *prefix = jstr(in, "NamePrefix");
    const cJSON *ks = cJSON_GetObjectItemCaseSensitive(in, "KinesisStreamsInput");
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(in, "InputSchema");
    const char *arn = ks ? jstr(ks, "ResourceARN") : NULL;
    if (!prefix || !arn || !cJSON_IsObject(schema))
        return eddy_err_set(err, EDDY_E_INVAL,
                            "each KDA input needs NamePrefix, KinesisStreamsInput.ResourceARN and InputSchema");
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(schema, "RecordFormat");
    const char *ftype = fmt ? jstr(fmt, "RecordFormatType") : "JSON";
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(schema, "RecordColumns");
    int n = cJSON_GetArraySize(cols);
    if (!cJSON_IsArray(cols) || n <= 0) return eddy_err_set(err, EDDY_E_INVAL, "InputSchema.RecordColumns must list the columns");
    int count = 1;
    const cJSON *par = cJSON_GetObjectItemCaseSensitive(in, "InputParallelism");
    const cJSON *cnt = par ? cJSON_GetObjectItemCaseSensitive(par, "Count") : NULL;
    if (cnt && (!cJSON_IsNumber(cnt) || cnt->valuedouble != (double)cnt->valueint)) count = 0;
    else if (cnt) count = cnt->valueint;
    if (count < 1 || count > 64) return eddy_err_set(err, EDDY_E_INVAL, "InputParallelism.Count must be an integer from 1 to 64");
    cat_stream s;
    memset(&s, 0, sizeof s);
    s.kind = CAT_STREAM;
    s.cols = arena_calloc(a, sizeof(plan_col) * (size_t)n);
    const char **paths = arena_calloc(a, sizeof(char *) * (size_t)n);
    if (!s.cols || !paths) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    s.n_cols = (uint32_t)n;
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cols) {
        const char *cn = jstr(c, "Name"), *ct = jstr(c, "SqlType"), *map = jstr(c, "Mapping");
        if (!cn || !ct) return eddy_err_set(err, EDDY_E_INVAL, "RecordColumns[%d] needs Name and SqlType", i);
        s.cols[i].name = cn;
        s.cols[i].nullable = 1;
        if (eddy_kda_parse_type(ct, &s.cols[i].type) != 0)
            return eddy_err_set(err, EDDY_E_INVAL, "RecordColumns[%d]: unknown SqlType \"%s\"", i, ct);
        paths[i] = map ? map : arena_sprintf(a, "$.%s", cn);
        i++;
    }
    s.source.stream = last_part(arn);
    s.source.reader = PLAN_READER_CLASSIC;
    s.source.start = PLAN_START_TRIM_HORIZON;
    s.source.row_path = "$";
    s.source.paths = paths;
    strcpy(s.source.col_delim, ",");
    strcpy(s.source.row_delim, "\n");
    if (ftype && !strcmp(ftype, "CSV")) {
        s.source.format = PLAN_FMT_CSV;
        s.source.paths = NULL;
        const cJSON *mp = cJSON_GetObjectItemCaseSensitive(fmt, "MappingParameters");
        const cJSON *csv = mp ? cJSON_GetObjectItemCaseSensitive(mp, "CSVMappingParameters") : NULL;
        const char *cd = csv ? jstr(csv, "RecordColumnDelimiter") : NULL;
        const char *rd = csv ? jstr(csv, "RecordRowDelimiter") : NULL;
        if (cd) snprintf(s.source.col_delim, sizeof s.source.col_delim, "%s", cd);
        if (rd) snprintf(s.source.row_delim, sizeof s.source.row_delim, "%s", rd);
    } else if (ftype && strcmp(ftype, "JSON") != 0) {
        return eddy_err_set(err, EDDY_E_INVAL, "RecordFormatType must be JSON or CSV, not \"%s\"", ftype);
    } else {
        s.source.format = PLAN_FMT_JSON;
        const cJSON *mp = fmt ? cJSON_GetObjectItemCaseSensitive(fmt, "MappingParameters") : NULL;
        const cJSON *jm = mp ? cJSON_GetObjectItemCaseSensitive(mp, "JSONMappingParameters") : NULL;
        const char *rp = jm ? jstr(jm, "RecordRowPath") : NULL;
        if (rp) s.source.row_path = rp;
    }
    for (int k = 1; k <= count; k++) {
        s.name = arena_sprintf(a, "%s_%03d", prefix, k);
        if (!s.name) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        s.source.part = (uint32_t)(k - 1);
        s.source.parts = count > 1 ? (uint32_t)count : 0;
        int rc = catalog_add_stream(cat, &s, 1, err);
        if (rc != 0) return rc;
    }
    return 0;
}

int eddy_kda_load(catalog *cat, const char *json, size_t len, char **code, char **name,
                  kda_outputs *outs, eddy_err *err) {
    cJSON *doc = cJSON_ParseWithLength(json, len);
    if (!doc || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return eddy_err_set(err, EDDY_E_INVAL, "application JSON is not a valid JSON object");
    }
    arena a;
    arena_init(&a, 4096);
    int rc = 0;
    const char *src = jstr(doc, "ApplicationCode");
    if (!src) {
        rc = eddy_err_set(err, EDDY_E_INVAL, "application JSON has no ApplicationCode");
        goto done;
    }
    *code = strdup(src);
    const char *an = jstr(doc, "ApplicationName");
    if (an) {
        free(*name);
        *name = strdup(an);
    }
    if (!*code || !*name) {
        rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        goto done;
    }
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(doc, "Inputs"), *in;
    cJSON_ArrayForEach(in, inputs) {
        rc = bind_input(cat, in, &a, err);
        if (rc != 0) goto done;
    }
    const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(doc, "Outputs"), *o;
    outs->n = 0;
    cJSON_ArrayForEach(o, outputs) {
        const char *on = jstr(o, "Name");
        const cJSON *ks = cJSON_GetObjectItemCaseSensitive(o, "KinesisStreamsOutput");
        const char *arn = ks ? jstr(ks, "ResourceARN") : NULL;
        const cJSON *ds = cJSON_GetObjectItemCaseSensitive(o, "DestinationSchema");
        const char *ft = ds ? jstr(ds, "RecordFormatType") : NULL;
        if (!on || !arn) {
            rc = eddy_err_set(err, EDDY_E_INVAL, "each KDA output needs Name and KinesisStreamsOutput.ResourceARN");
            goto done;
        }
        if (outs->n >= KDA_MAX_OUTPUTS) {
            rc = eddy_err_set(err, EDDY_E_LIMIT, "at most %d outputs", KDA_MAX_OUTPUTS);
            goto done;
        }
        kda_output *ko = &outs->v[outs->n++];
        snprintf(ko->name, sizeof ko->name, "%s", on);
        snprintf(ko->stream, sizeof ko->stream, "%s", last_part(arn));
        ko->csv = ft && !strcmp(ft, "CSV");
    }
done:
    arena_free(&a);
    cJSON_Delete(doc);
    return rc;
}

int eddy_kda_bind_outputs(catalog *cat, const kda_outputs *outs, eddy_err *err) {
    for (int i = 0; i < outs->n; i++) {
        cat_sink sk;
        memset(&sk, 0, sizeof sk);
        sk.stream = outs->v[i].stream;
        sk.format = outs->v[i].csv ? PLAN_FMT_CSV : PLAN_FMT_JSON;
        strcpy(sk.col_delim, ",");
        int rc = catalog_set_sink(cat, outs->v[i].name, &sk, err);
        if (rc != 0) return rc;
    }
    return 0;
}
