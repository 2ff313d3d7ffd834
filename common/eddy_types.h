/*
 * eddy_types.h — SQL data types and scalar values, shared by the parser
 * (type names in CREATE STREAM and CAST), the function registry, the planner
 * and the runtime.
 *
 * Physical representation of a non-NULL value by type:
 *   BOOLEAN                       int64 0/1
 *   TINYINT SMALLINT INTEGER BIGINT  int64 (range checked against the type)
 *   DECIMAL(p,s)                  int64 scaled by 10^s (p <= 18)
 *   REAL DOUBLE                   double
 *   CHAR VARCHAR BINARY VARBINARY bytes (pointer + length; not NUL-terminated)
 *   DATE                          int64 days since 1970-01-01
 *   TIME                          int64 milliseconds since midnight
 *   TIMESTAMP                     int64 epoch milliseconds, UTC
 *   INTERVAL day-time             int64 milliseconds
 *   INTERVAL year-month           int64 months
 */
#ifndef EDDY_TYPES_H
#define EDDY_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

typedef enum {
    EDDY_T_NULL = 0,       /* the type of a bare NULL literal */
    EDDY_T_BOOLEAN,
    EDDY_T_TINYINT,
    EDDY_T_SMALLINT,
    EDDY_T_INTEGER,
    EDDY_T_BIGINT,
    EDDY_T_DECIMAL,
    EDDY_T_REAL,
    EDDY_T_DOUBLE,
    EDDY_T_CHAR,
    EDDY_T_VARCHAR,
    EDDY_T_BINARY,
    EDDY_T_VARBINARY,
    EDDY_T_DATE,
    EDDY_T_TIME,
    EDDY_T_TIMESTAMP,
    EDDY_T_INTERVAL_DS,    /* DAY/HOUR/MINUTE/SECOND intervals */
    EDDY_T_INTERVAL_YM,    /* YEAR/MONTH intervals */
    EDDY_T_ANY,            /* function signatures only: matches every type */
    EDDY_T__COUNT
} eddy_type_id;

typedef struct eddy_type {
    eddy_type_id id;
    int32_t precision;   /* CHAR/VARCHAR/BINARY length; DECIMAL precision; 0 = default */
    int32_t scale;       /* DECIMAL scale */
} eddy_type;

typedef struct eddy_value {
    eddy_type_id type;
    uint8_t is_null;
    union {
        int64_t i;
        double d;
        struct {
            const char *p;
            uint32_t n;
        } s;
    } u;
} eddy_value;

/* Upper-case SQL name of a type id ("VARCHAR"). Never NULL. */
const char *eddy_type_name(eddy_type_id id);

/* Writes the full SQL spelling of a type ("VARCHAR(8)", "DECIMAL(5,2)")
 * into out (>= 48 bytes). Returns the length. */
size_t eddy_type_format(eddy_type t, char *out, size_t cap);

/* Looks up a type name (case-insensitive; accepts INT, CHARACTER, "DOUBLE
 * PRECISION" spelled as one string, FLOAT = DOUBLE). Returns 0 or -1. */
int eddy_type_lookup(const char *name, size_t n, eddy_type_id *out);

/* Classes of types used by type checking and implicit casts. */
int eddy_type_is_integer(eddy_type_id id);   /* TINYINT..BIGINT */
int eddy_type_is_exact(eddy_type_id id);     /* integers and DECIMAL */
int eddy_type_is_numeric(eddy_type_id id);   /* exact, REAL, DOUBLE */
int eddy_type_is_string(eddy_type_id id);    /* CHAR, VARCHAR */
int eddy_type_is_binary(eddy_type_id id);    /* BINARY, VARBINARY */
int eddy_type_is_datetime(eddy_type_id id);  /* DATE, TIME, TIMESTAMP */
int eddy_type_is_interval(eddy_type_id id);

/* Smallest and largest value of an integer type. */
void eddy_int_range(eddy_type_id id, int64_t *lo, int64_t *hi);

/* 10^n for n in 0..18. */
int64_t eddy_pow10(int n);

/* Appends the SQL text form of a value ("NULL", "12.50", "2004-09-30
 * 13:48:23.000", "abc") to `out`, with no quotes. DECIMAL uses `scale`. */
void eddy_value_format(const eddy_value *v, int32_t scale, sbuf *out);

#endif
