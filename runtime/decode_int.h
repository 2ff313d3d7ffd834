/*
 * decode_int.h — private to the decoders of runtime/ (decode.c,
 * decode_json.c, decode_csv.c, decode_coerce.c): the decoder struct and the
 * coercion helpers both record formats share.
 */
#ifndef RT_DECODE_INT_H
#define RT_DECODE_INT_H

#include "decode.h"
#include "sbuf.h"

/* A node of the JSON path trie: an object key or array index step. */
typedef struct rt_jnode {
    int32_t first_col;      /* first column mapped exactly here, or -1 */
    uint32_t first_child;   /* index of the first child edge in d->edges */
    uint32_t n_children;
    uint8_t has_keys;       /* some child is an object key */
    uint8_t has_index;      /* some child is an array index */
    uint8_t flatten;        /* this array is flattened: one row per element */
    uint32_t elem;          /* flatten: the node each element is read at */
} rt_jnode;

typedef struct rt_jedge {
    const char *key;        /* object key (owned copy) or NULL for an index */
    uint32_t key_len;
    uint64_t prefix;        /* the key's first 8 bytes, zero-padded: a one-word first test */
    uint8_t plain;          /* the key has no '\\' or '"': its JSON form is its bytes */
    uint32_t index;         /* array index when key == NULL */
    uint32_t node;          /* child node */
} rt_jedge;

struct rt_decoder {
    rt_format fmt;
    uint32_t n_cols;
    eddy_type *types;        /* n_cols column types */
    char **names;            /* n_cols owned column names */
    char **mappings;         /* JSON: n_cols owned mappings, NULL = "$.<name>" */
    uint8_t *needed;         /* n_cols flags, or NULL: every column is decoded */
    int32_t *col_next;       /* JSON: next column mapped to the same node, or -1 */
    rt_jnode *nodes;         /* JSON: path trie; node 0 is "$" */
    uint32_t n_nodes;
    rt_jedge *edges;         /* JSON: children, grouped per node */
    uint32_t n_edges;
    int32_t flat_node;       /* JSON: the flattened array's node ($.a[0:].x), or -1 */
    uint8_t *elem_col;       /* JSON: n_cols flags, the column is read from each element */
    char *row_delim, *col_delim;  /* CSV */
    size_t row_delim_len, col_delim_len;
    sbuf scratch;            /* unescaped strings */
    sbuf scratch2;           /* CSV quoted fields */
    int borrow;              /* rt_decoder_set_borrow */
    const char *rec_lo, *rec_hi;  /* the record being decoded, for borrowing */
    uint32_t ts_ymd;         /* TIMESTAMP fast path: last date as YYYYMMDD, 0 = none */
    int64_t ts_days;         /* ... and its day number */
};

/* Coercions (decode_coerce.c). Each converts one value to column `c`'s type
 * and stores it at row `r` of `b`; returns 0, or EDDY_E_RUNTIME with a
 * "coercion error: ..." message naming the column, or EDDY_E_NOMEM. */

/* A number's text as it appeared in JSON (not yet validated). */
int rt__coerce_number(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, const char *txt, size_t n,
                      eddy_err *err);
/* A number the JSON scanner has already read as a plain integer: txt[0..n)
 * is "-"? and digits, n <= 18, and v its value. Integer columns take v
 * as rt__coerce_number would; everything else goes through it. */
static inline int rt__coerce_int(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, int64_t v, const char *txt,
                                 size_t n, eddy_err *err) {
    eddy_type_id id = d->types[c].id;
    if (id == EDDY_T_BIGINT || (id == EDDY_T_INTEGER && v >= INT32_MIN && v <= INT32_MAX) ||
        (id == EDDY_T_SMALLINT && v >= -32768 && v <= 32767) || (id == EDDY_T_TINYINT && v >= -128 && v <= 127)) {
        b->cols[c].v.i64[r] = v;
        rt_col_set_valid(&b->cols[c], r);
        return 0;
    }
    return rt__coerce_number(d, b, c, r, txt, n, err);
}
/* A string value (already unescaped). */
int rt__coerce_string(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, const char *s, size_t n,
                      eddy_err *err);
/* A JSON true/false. */
int rt__coerce_bool(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, int v, eddy_err *err);
/* A JSON object or array, given as its source text. */
int rt__coerce_composite(rt_decoder *d, rt_batch *b, uint32_t c, uint32_t r, const char *txt, size_t n,
                         eddy_err *err);

/* Parses "HH:MM[:SS[.fff]]" into ms since midnight. Returns 0 or -1. */
int rt__parse_time(const char *s, size_t n, int64_t *out);

/* Format-specific halves of rt_decoder_new / rt_decode_record. */
/* Builds the path trie from d->mappings, leaving out columns d->needed
 * excludes; on success replaces d's trie, on failure leaves it as it was. */
int rt__json_compile(rt_decoder *d, eddy_err *err);
int rt__json_decode(rt_decoder *d, const char *data, size_t n, int64_t rowtime, rt_batch *out,
                    const char **err_name, eddy_err *err);
int rt__csv_decode(rt_decoder *d, const char *data, size_t n, int64_t rowtime, rt_batch *out,
                   const char **err_name, eddy_err *err);

#endif
