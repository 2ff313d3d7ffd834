/*
 * json_field.h — a small, fast scanner that finds top-level fields of a JSON
 * object text without building a tree.
 *
 * Used where a whole JSON parse per record would be wasted work: `eddy put`
 * pulls the partition key and the arrival time out of every input line, and
 * nothing else. The scanner walks the top level of one object, checks its
 * structure (keys, colons, commas, string escapes, literals, bracket
 * balance of nested values) and reports where a key's value lies in the
 * text. Nested objects and arrays are skipped by bracket matching, not
 * validated element by element.
 *
 * Nothing is allocated, except by json_field_string, which appends to a
 * caller-owned sbuf.
 */
#ifndef EDDY_JSON_FIELD_H
#define EDDY_JSON_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* Kind of a value found by the scanner. */
typedef enum {
    JSON_FIELD_STRING,   /* "..." */
    JSON_FIELD_NUMBER,   /* -12.5e3 */
    JSON_FIELD_BOOL,     /* true or false */
    JSON_FIELD_NULL,     /* null */
    JSON_FIELD_OBJECT,   /* {...} */
    JSON_FIELD_ARRAY     /* [...] */
} json_field_kind;

/* Where one value lies in the scanned text. */
typedef struct json_field {
    int found;              /* 1 when the key was present */
    json_field_kind kind;   /* valid when found */
    const char *raw;        /* borrowed: the value's text, quotes included for strings */
    size_t raw_len;
    int has_escapes;        /* strings: 1 when the text holds backslash escapes */
} json_field;

/* Finds the first top-level member named `key` (`key_len` bytes, compared
 * after unescaping the member names of the text) in the JSON object
 * `text[0..n)`. Stops at the first match: text after it is not checked.
 * `out` is filled and points into `text` (borrowed).
 * Returns 0 when found, EDDY_E_NOTFOUND when the object has no such member,
 * EDDY_E_INVAL when the text is not a well-formed JSON object (up to the
 * match). This function never reads outside text[0..n). */
int json_field_find(const char *text, size_t n, const char *key, size_t key_len,
                    json_field *out);

/* Scans the whole object once, checks all of its top level, and fills
 * out[i] for each keys[i] (NUL-terminated; the first occurrence wins;
 * out[i].found = 0 when absent). Returns 0, or EDDY_E_INVAL when the text is
 * not a well-formed JSON object (trailing text after it included). */
int json_field_scan(const char *text, size_t n, const char *const *keys, size_t n_keys,
                    json_field *out);

/* Appends the unescaped UTF-8 contents of a string field (no quotes) to `b`.
 * \uXXXX escapes, surrogate pairs included, become UTF-8. Returns 0,
 * EDDY_E_INVAL if `f` is not a string or holds a bad escape (a lone
 * surrogate, say), or EDDY_E_NOMEM if the buffer failed. */
int json_field_string(const json_field *f, sbuf *b);

/* Reads an integer number field (no fraction or exponent) that fits int64.
 * Returns 0 or EDDY_E_INVAL. */
int json_field_int64(const json_field *f, int64_t *out);

#endif
