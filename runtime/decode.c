/*
 * decode.c — the decoder object of decode.h: construction from an input
 * schema, destruction, and dispatch of a record to the JSON or CSV scanner.
 */
#include "decode_int.h"

#include <stdlib.h>
#include <string.h>

void rt_decoder_free(rt_decoder *d) {
    if (!d) return;
    for (uint32_t i = 0; i < d->n_cols; i++) {
        if (d->names) free(d->names[i]);
        if (d->mappings) free(d->mappings[i]);
    }
    free(d->mappings);
    free(d->needed);
    for (uint32_t i = 0; i < d->n_edges; i++) free((char *)d->edges[i].key);
    free(d->names);
    free(d->types);
    free(d->col_next);
    free(d->elem_col);
    free(d->nodes);
    free(d->edges);
    free(d->row_delim);
    free(d->col_delim);
    sbuf_free(&d->scratch);
    sbuf_free(&d->scratch2);
    free(d);
}

rt_decoder *rt_decoder_new(rt_format fmt, const rt_col_spec *cols, uint32_t n_cols, const rt_decode_opts *opts,
                           eddy_err *err) {
    rt_decoder *d = calloc(1, sizeof *d);
    if (!d) {
        eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        return NULL;
    }
    sbuf_init(&d->scratch);
    sbuf_init(&d->scratch2);
    d->fmt = fmt;
    d->n_cols = n_cols;
    d->types = calloc(n_cols ? n_cols : 1, sizeof *d->types);
    d->names = calloc(n_cols ? n_cols : 1, sizeof *d->names);
    if (!d->types || !d->names) goto nomem;
    for (uint32_t i = 0; i < n_cols; i++) {
        d->types[i] = cols[i].type;
        d->names[i] = strdup(cols[i].name ? cols[i].name : "?");
        if (!d->names[i]) goto nomem;
        if (cols[i].type.id == EDDY_T_NULL || cols[i].type.id == EDDY_T_ANY || eddy_type_is_interval(cols[i].type.id)) {
            eddy_err_set(err, EDDY_E_INVAL, "column %s: type %s cannot be an input column", d->names[i],
                         eddy_type_name(cols[i].type.id));
            rt_decoder_free(d);
            return NULL;
        }
    }
    if (fmt == RT_FMT_JSON) {
        d->mappings = calloc(n_cols ? n_cols : 1, sizeof *d->mappings);
        if (!d->mappings) goto nomem;
        for (uint32_t i = 0; i < n_cols; i++)
            if (cols[i].mapping && !(d->mappings[i] = strdup(cols[i].mapping))) goto nomem;
        if (rt__json_compile(d, err) != 0) {
            rt_decoder_free(d);
            return NULL;
        }
        return d;
    }
    const char *rd = opts && opts->row_delim ? opts->row_delim : "\n";
    const char *cd = opts && opts->col_delim ? opts->col_delim : ",";
    if (!*rd || !*cd || strcmp(rd, cd) == 0) {
        eddy_err_set(err, EDDY_E_INVAL, "CSV row and column delimiters must be non-empty and different");
        rt_decoder_free(d);
        return NULL;
    }
    d->row_delim = strdup(rd);
    d->col_delim = strdup(cd);
    if (!d->row_delim || !d->col_delim) goto nomem;
    d->row_delim_len = strlen(rd);
    d->col_delim_len = strlen(cd);
    return d;
nomem:
    eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    rt_decoder_free(d);
    return NULL;
}

int rt_decoder_set_needed(rt_decoder *d, const uint8_t *needed, eddy_err *err) {
    uint8_t *old = d->needed;
    if (needed) {
        d->needed = malloc(d->n_cols ? d->n_cols : 1);
        if (!d->needed) {
            d->needed = old;
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        }
        for (uint32_t i = 0; i < d->n_cols; i++) d->needed[i] = needed[i] != 0;
    } else {
        d->needed = NULL;
    }
    if (d->fmt == RT_FMT_JSON) {
        int rc = rt__json_compile(d, err);
        if (rc != 0) {
            free(d->needed);
            d->needed = old;
            return rc;
        }
    }
    free(old);
    return 0;
}

const eddy_type *rt_decoder_types(const rt_decoder *d, uint32_t *n_cols) {
    *n_cols = d->n_cols;
    return d->types;
}

void rt_decoder_set_borrow(rt_decoder *d, int on) { d->borrow = on != 0; }

int rt_decode_record(rt_decoder *d, const char *data, size_t n, int64_t rowtime, rt_batch *out,
                     const char **err_name, eddy_err *err) {
    if (out->n_cols != d->n_cols) return eddy_err_set(err, EDDY_E_INTERNAL, "batch does not match the decoder");
    uint32_t start = out->n_rows;
    const char *name = NULL;
    d->rec_lo = data;
    d->rec_hi = data + n;
    int rc = d->fmt == RT_FMT_JSON ? rt__json_decode(d, data, n, rowtime, out, &name, err)
                                   : rt__csv_decode(d, data, n, rowtime, out, &name, err);
    if (rc < 0) {
        out->n_rows = start;  /* all-or-nothing: drop rows of this record */
        if (rc == EDDY_E_RUNTIME && err_name) *err_name = name ? name : RT_ERR_NAME_COERCION;
        return rc;
    }
    return (int)(out->n_rows - start);
}
