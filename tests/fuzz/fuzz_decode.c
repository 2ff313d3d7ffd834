/*
 * fuzz_decode.c — libFuzzer harness for runtime record decoding: the
 * schema-driven JSON scanner and the CSV reader, with every coercion
 * target, then the JSON/CSV encoders over whatever rows decoded.
 *
 * The first input byte picks the format (JSON, CSV with "," and "\n",
 * CSV with "||" and "\r\n", JSON with a flattened array); the rest is
 * one record. The harness checks
 * that decoding never crashes or reads out of bounds, that a failed record
 * leaves the batch unchanged, that the batch stays valid
 * (rt_batch_verify), and that decoded rows always encode.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "decode.h"
#include "encode.h"

static const rt_col_spec cols[] = {
    {"A", {EDDY_T_INTEGER, 0, 0}, "$.a"},
    {"B", {EDDY_T_VARCHAR, 6, 0}, "$.b.c"},
    {"C", {EDDY_T_DECIMAL, 9, 3}, "$.arr[1]"},
    {"D", {EDDY_T_DOUBLE, 0, 0}, "$.d"},
    {"E", {EDDY_T_TIMESTAMP, 0, 0}, "$.e"},
    {"F", {EDDY_T_BOOLEAN, 0, 0}, "$.f"},
    {"G", {EDDY_T_VARCHAR, 0, 0}, "$.arr[0:]"},
    {"H", {EDDY_T_TINYINT, 0, 0}, "$.b"},
    {"I", {EDDY_T_CHAR, 4, 0}, "$.i"},
    {"J", {EDDY_T_VARBINARY, 8, 0}, "$.j"},
    {"K", {EDDY_T_DATE, 0, 0}, "$.k"},
    {"L", {EDDY_T_TIME, 0, 0}, "$.l"},
    {"M", {EDDY_T_REAL, 0, 0}, "$.m"},
    {"N", {EDDY_T_BIGINT, 0, 0}, "$.b.n[2][0]"},
};
#define N_COLS (sizeof cols / sizeof cols[0])

/* Flattening: one row per element of $.o, the other columns repeated. */
static const rt_col_spec fcols[] = {
    {"A", {EDDY_T_INTEGER, 0, 0}, "$.a"},
    {"X", {EDDY_T_VARCHAR, 5, 0}, "$.o[0:].x"},
    {"Y", {EDDY_T_DOUBLE, 0, 0}, "$.o[0:].y.z"},
    {"W", {EDDY_T_VARCHAR, 0, 0}, "$.o[0:]"},
    {"V", {EDDY_T_BIGINT, 0, 0}, "$.o[0:][1]"},
    {"S", {EDDY_T_VARCHAR, 8, 0}, "$.s"},
};
#define N_FCOLS (sizeof fcols / sizeof fcols[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static rt_decoder *dec[4];
    static rt_encoder *enc[2], *fenc;
    static rt_batch *b, *fb;
    eddy_err err;
    if (!b) {
        rt_decode_opts csv2 = {"\r\n", "||"};
        dec[0] = rt_decoder_new(RT_FMT_JSON, cols, N_COLS, NULL, &err);
        dec[1] = rt_decoder_new(RT_FMT_CSV, cols, N_COLS, NULL, &err);
        dec[2] = rt_decoder_new(RT_FMT_CSV, cols, N_COLS, &csv2, &err);
        const char *names[N_COLS];
        for (size_t i = 0; i < N_COLS; i++) names[i] = cols[i].name;
        enc[0] = rt_encoder_new(RT_FMT_JSON, names, N_COLS, NULL, &err);
        enc[1] = rt_encoder_new(RT_FMT_CSV, names, N_COLS, NULL, &err);
        uint32_t n;
        const eddy_type *ts = rt_decoder_types(dec[0], &n);
        b = rt_batch_new(ts, n, &err);
        dec[3] = rt_decoder_new(RT_FMT_JSON, fcols, N_FCOLS, NULL, &err);
        const char *fnames[N_FCOLS];
        for (size_t i = 0; i < N_FCOLS; i++) fnames[i] = fcols[i].name;
        fenc = rt_encoder_new(RT_FMT_JSON, fnames, N_FCOLS, NULL, &err);
        const eddy_type *fts = dec[3] ? rt_decoder_types(dec[3], &n) : NULL;
        fb = fts ? rt_batch_new(fts, n, &err) : NULL;
        if (!dec[0] || !dec[1] || !dec[2] || !dec[3] || !enc[0] || !enc[1] || !fenc || !b || !fb) abort();
    }
    rt_batch_reset(b);
    rt_batch_reset(fb);
    /* Copy the record so ASan sees reads past its exact end. */
    size_t n = size - 1;
    char *rec = malloc(n ? n : 1);
    if (!rec) return 0;
    memcpy(rec, data + 1, n);
    const char *en = NULL;
    int flat = data[0] % 4 == 3;
    rt_batch *ob = flat ? fb : b;
    int rc = rt_decode_record(dec[data[0] % 4], rec, n, 1000, ob, &en, &err);
    if (rc < 0 && ob->n_rows != 0) abort();       /* all-or-nothing */
    if (rc >= 0 && (uint32_t)rc != ob->n_rows) abort();
    if (rc == EDDY_E_RUNTIME && !en) abort();
    if (rt_batch_verify(ob, &err) != 0) {
        fprintf(stderr, "batch_verify: %s\n", err.msg);
        abort();
    }
    sbuf out;
    sbuf_init(&out);
    for (uint32_t r = 0; r < ob->n_rows; r++) {
        if (flat ? rt_encode_row(fenc, ob, r, &out) != 0
                 : (rt_encode_row(enc[0], ob, r, &out) != 0 || rt_encode_row(enc[1], ob, r, &out) != 0))
            abort();
    }
    sbuf_free(&out);
    free(rec);
    return 0;
}
