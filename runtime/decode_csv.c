/*
 * decode_csv.c — CSV records into batch rows.
 *
 * Delimiters are arbitrary non-empty strings (KDA's RecordRowDelimiter and
 * RecordColumnDelimiter, e.g. "\n" or "\r\n" and "," or "|"). Columns are
 * positional: the schema takes a prefix of the fields and extra fields are
 * ignored; missing trailing fields are NULL. A field may be quoted with '"'
 * ("" is a literal quote) and then holds delimiters. An empty unquoted field
 * is NULL; a quoted empty field is the empty string. Field text is coerced as
 * a JSON string would be (SQL.md §1.2). Blank rows are skipped.
 *
 * Called through rt_decode_record (decode.c).
 */
#include "decode_int.h"

#include <string.h>

static int at(const char *p, const char *end, const char *delim, size_t dl) {
    return (size_t)(end - p) >= dl && memcmp(p, delim, dl) == 0;
}

/* Reads one field starting at *pp. Sets *fs and *fl to its text (unquoted, in
 * d->scratch2 when it had "" escapes), *quoted, and leaves *pp at the first
 * byte after the field (a delimiter or the row end). */
static int read_field(rt_decoder *d, const char **pp, const char *row_end, const char **fs, size_t *fl,
                      int *quoted, eddy_err *err, const char *base) {
    const char *p = *pp;
    *quoted = 0;
    if (p < row_end && *p == '"') {
        *quoted = 1;
        p++;
        const char *start = p;
        int copied = 0;
        sbuf *o = &d->scratch2;
        for (;;) {
            const char *q = memchr(p, '"', (size_t)(row_end - p));
            if (!q)
                return eddy_err_set(err, EDDY_E_RUNTIME, "malformed CSV: unterminated quoted field at byte %zu",
                                    (size_t)(start - 1 - base));
            if (q + 1 < row_end && q[1] == '"') {
                if (!copied) {
                    sbuf_clear(o);
                    copied = 1;
                }
                sbuf_append(o, p, (size_t)(q + 1 - p));  /* keep one quote */
                p = q + 2;
                continue;
            }
            if (copied) {
                sbuf_append(o, p, (size_t)(q - p));
                if (o->failed) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                *fs = o->data;
                *fl = o->len;
            } else {
                *fs = start;
                *fl = (size_t)(q - start);
            }
            p = q + 1;
            break;
        }
        if (p < row_end && !at(p, row_end, d->col_delim, d->col_delim_len))
            return eddy_err_set(err, EDDY_E_RUNTIME, "malformed CSV: text after a closing quote at byte %zu",
                                (size_t)(p - base));
        *pp = p;
        return 0;
    }
    const char *start = p;
    while (p < row_end && !at(p, row_end, d->col_delim, d->col_delim_len)) p++;
    *fs = start;
    *fl = (size_t)(p - start);
    *pp = p;
    return 0;
}

/* Finds the end of the row starting at p: the next row delimiter outside
 * quotes, or the end of the record. */
static const char *row_end_of(const rt_decoder *d, const char *p, const char *end) {
    int in_q = 0;
    for (; p < end; p++) {
        if (*p == '"') in_q = !in_q;
        else if (!in_q && at(p, end, d->row_delim, d->row_delim_len)) return p;
    }
    return end;
}

int rt__csv_decode(rt_decoder *d, const char *data, size_t n, int64_t rowtime, rt_batch *out,
                   const char **err_name, eddy_err *err) {
    const char *p = data, *end = data + n;
    while (p < end) {
        const char *re = row_end_of(d, p, end);
        if (re == p || (re - p == 1 && *p == '\r')) {  /* blank row */
            p = re < end ? re + d->row_delim_len : end;
            continue;
        }
        if (rt_batch_room(out) == 0) return eddy_err_set(err, EDDY_E_LIMIT, "batch is full");
        uint32_t r = rt_batch_begin_row(out, rowtime);
        const char *q = p;
        for (uint32_t c = 0; c < d->n_cols; c++) {
            const char *fs = NULL;
            size_t fl = 0;
            int quoted, rc;
            if ((rc = read_field(d, &q, re, &fs, &fl, &quoted, err, data)) != 0) {
                *err_name = RT_ERR_NAME_PARSE;
                return rc;
            }
            if ((fl > 0 || quoted) && (!d->needed || d->needed[c])) {
                if ((rc = rt__coerce_string(d, out, c, r, fs, fl, err)) != 0) {
                    *err_name = RT_ERR_NAME_COERCION;
                    return rc;
                }
            }
            if (q >= re) {
                /* Row ended: the remaining columns stay NULL. */
                break;
            }
            q += d->col_delim_len;
            if (q >= re && c + 1 < d->n_cols) {
                /* A trailing delimiter: the next field exists and is empty. */
                break;
            }
        }
        rt_batch_commit_row(out);
        p = re + (re < end ? d->row_delim_len : 0);
    }
    return 0;
}
