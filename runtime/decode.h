/*
 * decode.h — turning stream records (JSON or CSV bytes) into batch rows,
 * driven by an application's input schema (SQL.md §1.2).
 *
 * A decoder is compiled once from the schema: for JSON, the columns'
 * JSONPath mappings become a small path trie the scanner walks while it
 * reads the record once, skipping everything no column maps; for CSV,
 * columns are positional. Values are coerced to the column types by the
 * dialect's table (true → 1, 123.4 → INT is an error, over-long strings are
 * silently truncated, ...). A record that does not fit the schema is
 * rejected as a whole with a reason the caller routes to error_stream.
 *
 * Used by the shard readers (and the REPL's file input) in runtime/.
 */
#ifndef RT_DECODE_H
#define RT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "eddy_err.h"
#include "eddy_types.h"

typedef enum { RT_FMT_JSON = 0, RT_FMT_CSV } rt_format;

/* One input column: KDA's RecordColumns[] entry. */
typedef struct rt_col_spec {
    const char *name;     /* column name, as in the in-application stream */
    eddy_type type;       /* SQL type */
    const char *mapping;  /* JSON only: "$.a.b", "$.a[0]", "$.arr[0:]"; NULL = "$.<name>" */
} rt_col_spec;

typedef struct rt_decode_opts {
    const char *row_delim;   /* CSV only: row delimiter, default "\n" */
    const char *col_delim;   /* CSV only: column delimiter, default "," */
} rt_decode_opts;

/* Error names a rejected record carries into error_stream's ERROR_NAME. */
#define RT_ERR_NAME_COERCION "COERCION_ERROR"
#define RT_ERR_NAME_PARSE "PARSE_ERROR"

typedef struct rt_decoder rt_decoder;

/* Compiles a decoder for `n_cols` columns (borrowed; names and mappings are
 * copied). `opts` may be NULL. Returns the decoder (owned by caller; free
 * with rt_decoder_free) or NULL with err set: EDDY_E_INVAL for a malformed
 * mapping or delimiter or a column type that cannot be input (intervals),
 * EDDY_E_UNSUPPORTED for a flattening mapping ("$.arr[0:].field").
 * Several columns may map the same or nested paths ("$.a" and "$.a.b"). */
rt_decoder *rt_decoder_new(rt_format fmt, const rt_col_spec *cols, uint32_t n_cols,
                           const rt_decode_opts *opts, eddy_err *err);

void rt_decoder_free(rt_decoder *d);

/* Column types of the rows this decoder produces, for rt_batch_new. */
const eddy_type *rt_decoder_types(const rt_decoder *d, uint32_t *n_cols);

/* Marks which columns the application reads: needed[c] != 0 keeps column c
 * (n_cols entries, borrowed, copied); needed == NULL keeps them all again.
 * Unneeded columns are left NULL in every row: the JSON scanner skips their
 * values without coercing them (still checking the grammar, so a malformed
 * record is still rejected) and drops their paths from its trie, and CSV
 * fields of unneeded columns are not coerced. A value that would not fit an
 * unneeded column's type therefore no longer rejects the record. Call before
 * decoding or between records. Returns 0, or EDDY_E_NOMEM (the decoder then
 * still decodes every column). */
int rt_decoder_set_needed(rt_decoder *d, const uint8_t *needed, eddy_err *err);

/* on != 0: string values taken from the record as they are (no escapes, no
 * CHAR padding) are not copied into the batch's arena; rows point into the
 * record's bytes instead, so the caller must keep every record decoded into
 * a batch alive and unchanged until that batch is reset or freed (the
 * application's feed path: records live until the batch is pushed).
 * Off by default. This function can't fail. */
void rt_decoder_set_borrow(rt_decoder *d, int on);

/* Decodes one record of `n` bytes (borrowed) into rows appended to `out`,
 * every row with ROWTIME `rowtime`. A JSON record may hold several JSON
 * documents one after the other, a CSV record several rows separated by the
 * row delimiter; each becomes one row; empty rows are skipped.
 * The record is all-or-nothing: on failure no row of it stays in `out`.
 * Returns the number of rows appended (>= 0), or
 *   EDDY_E_RUNTIME  the record does not fit the schema; err->msg says why
 *                   ("coercion error: value 300 does not fit TINYINT for
 *                   column HEARTRATE") and *err_name (may be NULL) is set to
 *                   RT_ERR_NAME_COERCION or RT_ERR_NAME_PARSE;
 *   EDDY_E_LIMIT    `out` has no room for every row: flush it and retry;
 *   EDDY_E_NOMEM.
 * Never reads outside data[0..n). */
int rt_decode_record(rt_decoder *d, const char *data, size_t n, int64_t rowtime, rt_batch *out,
                     const char **err_name, eddy_err *err);

#endif
