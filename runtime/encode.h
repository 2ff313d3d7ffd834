/*
 * encode.h — batch rows out as stream records: JSON objects or CSV lines,
 * the way a KDA output's DestinationSchema (RecordFormatType JSON | CSV)
 * writes them, and the rows of the per-application error_stream
 * (SQL.md §1.8).
 *
 * Used by the output sinks and the REPL/`eddy run --print` in runtime/.
 */
#ifndef RT_ENCODE_H
#define RT_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "decode.h"
#include "eddy_err.h"
#include "sbuf.h"

typedef struct rt_encoder rt_encoder;

typedef struct rt_encode_opts {
    const char *row_delim;   /* CSV: appended after each row; default "\n" */
    const char *col_delim;   /* CSV: between fields; default "," */
    int with_rowtime;        /* 1: write ROWTIME first (JSON key "ROWTIME") */
} rt_encode_opts;

/* Creates an encoder for rows of `n_cols` columns named `names` (borrowed,
 * copied). `opts` may be NULL. Returns the encoder (owned by caller; free
 * with rt_encoder_free) or NULL with err set (EDDY_E_INVAL, EDDY_E_NOMEM). */
rt_encoder *rt_encoder_new(rt_format fmt, const char *const *names, uint32_t n_cols, const rt_encode_opts *opts,
                           eddy_err *err);

void rt_encoder_free(rt_encoder *e);

/* Appends row `r` of `b` (whose columns match the encoder's) to `out` as one
 * record: a JSON object {"COL":value,...} without a trailing newline, or a
 * CSV line with the row delimiter. JSON: numbers unquoted, DECIMAL with its
 * scale ("12.50"), BOOLEAN true/false, DATE "YYYY-MM-DD", TIME
 * "HH:MM:SS.mmm", TIMESTAMP "YYYY-MM-DD HH:MM:SS.mmm", BINARY as base64,
 * NULL (and non-finite doubles) as null. CSV: NULL is an empty field; a
 * field holding a delimiter, a quote or a line break is quoted.
 * Returns 0 or EDDY_E_NOMEM (out->failed). */
int rt_encode_row(rt_encoder *e, const rt_batch *b, uint32_t r, sbuf *out);

/* Appends the text of one non-NULL value as rt_encode_row writes it in CSV
 * (no quoting): numbers, "2004-09-30 13:48:23.000", raw string bytes. */
void rt_format_value(const rt_column *c, uint32_t r, sbuf *out);

/* ---------------------------------------------------------------- error_stream */

#define RT_ERROR_STREAM_COLS 7
#define RT_ERROR_DATA_ROW_MAX 49152   /* VARCHAR(49152): hex digits kept */

/* Column names and types of error_stream, in order: ERROR_TIME, ERROR_LEVEL,
 * ERROR_NAME, MESSAGE, DATA_ROWTIME, DATA_ROW, PUMP_NAME. */
extern const char *const rt_error_stream_names[RT_ERROR_STREAM_COLS];
void rt_error_stream_types(eddy_type out[RT_ERROR_STREAM_COLS]);

/* One error to report. Strings are borrowed; NULL strings become NULL. */
typedef struct rt_error_info {
    int64_t error_time;     /* epoch ms when the error happened */
    const char *level;      /* "ERROR" or "WARNING" */
    const char *name;       /* e.g. RT_ERR_NAME_COERCION */
    const char *message;    /* the reason */
    int64_t data_rowtime;   /* ROWTIME of the offending row */
    const void *data;       /* bytes of the original record or row */
    size_t data_len;
    const char *pump_name;  /* pump that raised it, NULL for input errors */
} rt_error_info;

/* Appends one error_stream row (a batch made with rt_error_stream_types) with
 * ROWTIME = error_time. DATA_ROW holds the data as lower-case hex, cut to
 * RT_ERROR_DATA_ROW_MAX digits; strings are cut to their column lengths.
 * Returns 0, EDDY_E_LIMIT (batch full) or EDDY_E_NOMEM. */
int rt_error_row_append(rt_batch *b, const rt_error_info *info, eddy_err *err);

#endif
