/*
 * eddy_types.c — SQL type names and value text (see eddy_types.h).
 */
#include "eddy_types.h"
#include "dtoa.h"
#include "eddy_time.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const names[EDDY_T__COUNT] = {
    [EDDY_T_NULL] = "NULL",          [EDDY_T_BOOLEAN] = "BOOLEAN",
    [EDDY_T_TINYINT] = "TINYINT",    [EDDY_T_SMALLINT] = "SMALLINT",
    [EDDY_T_INTEGER] = "INTEGER",    [EDDY_T_BIGINT] = "BIGINT",
    [EDDY_T_DECIMAL] = "DECIMAL",    [EDDY_T_REAL] = "REAL",
    [EDDY_T_DOUBLE] = "DOUBLE",      [EDDY_T_CHAR] = "CHAR",
    [EDDY_T_VARCHAR] = "VARCHAR",    [EDDY_T_BINARY] = "BINARY",
    [EDDY_T_VARBINARY] = "VARBINARY", [EDDY_T_DATE] = "DATE",
    [EDDY_T_TIME] = "TIME",          [EDDY_T_TIMESTAMP] = "TIMESTAMP",
    [EDDY_T_INTERVAL_DS] = "INTERVAL DAY TO SECOND",
    [EDDY_T_INTERVAL_YM] = "INTERVAL YEAR TO MONTH",
    [EDDY_T_ANY] = "ANY",
};

const char *eddy_type_name(eddy_type_id id) {
    return (unsigned)id < EDDY_T__COUNT && names[id] ? names[id] : "UNKNOWN";
}

size_t eddy_type_format(eddy_type t, char *out, size_t cap) {
    int n;
    switch (t.id) {
    case EDDY_T_CHAR:
    case EDDY_T_VARCHAR:
    case EDDY_T_BINARY:
    case EDDY_T_VARBINARY:
        n = t.precision > 0 ? snprintf(out, cap, "%s(%d)", names[t.id], t.precision)
                            : snprintf(out, cap, "%s", names[t.id]);
        break;
    case EDDY_T_DECIMAL:
        n = t.precision > 0 ? snprintf(out, cap, "DECIMAL(%d,%d)", t.precision, t.scale)
                            : snprintf(out, cap, "DECIMAL");
        break;
    default:
        n = snprintf(out, cap, "%s", eddy_type_name(t.id));
    }
    return n < 0 ? 0 : (size_t)n;
}

static const struct {
    const char *name;
    eddy_type_id id;
} aliases[] = {
    {"BOOLEAN", EDDY_T_BOOLEAN},     {"TINYINT", EDDY_T_TINYINT},
    {"SMALLINT", EDDY_T_SMALLINT},   {"INTEGER", EDDY_T_INTEGER},
    {"INT", EDDY_T_INTEGER},         {"BIGINT", EDDY_T_BIGINT},
    {"DECIMAL", EDDY_T_DECIMAL},     {"DEC", EDDY_T_DECIMAL},
    {"NUMERIC", EDDY_T_DECIMAL},     {"REAL", EDDY_T_REAL},
    {"FLOAT", EDDY_T_DOUBLE},        {"DOUBLE", EDDY_T_DOUBLE},
    {"DOUBLE PRECISION", EDDY_T_DOUBLE}, {"CHAR", EDDY_T_CHAR},
    {"CHARACTER", EDDY_T_CHAR},      {"VARCHAR", EDDY_T_VARCHAR},
    {"CHARACTER VARYING", EDDY_T_VARCHAR}, {"CHAR VARYING", EDDY_T_VARCHAR},
    {"BINARY", EDDY_T_BINARY},       {"VARBINARY", EDDY_T_VARBINARY},
    {"BINARY VARYING", EDDY_T_VARBINARY}, {"DATE", EDDY_T_DATE},
    {"TIME", EDDY_T_TIME},           {"TIMESTAMP", EDDY_T_TIMESTAMP},
};

int eddy_type_lookup(const char *name, size_t n, eddy_type_id *out) {
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strlen(aliases[i].name) == n && strncasecmp(aliases[i].name, name, n) == 0) {
            *out = aliases[i].id;
            return 0;
        }
    }
    return -1;
}

int eddy_type_is_integer(eddy_type_id id) { return id >= EDDY_T_TINYINT && id <= EDDY_T_BIGINT; }
int eddy_type_is_exact(eddy_type_id id) { return id >= EDDY_T_TINYINT && id <= EDDY_T_DECIMAL; }
int eddy_type_is_numeric(eddy_type_id id) { return id >= EDDY_T_TINYINT && id <= EDDY_T_DOUBLE; }
int eddy_type_is_string(eddy_type_id id) { return id == EDDY_T_CHAR || id == EDDY_T_VARCHAR; }
int eddy_type_is_binary(eddy_type_id id) { return id == EDDY_T_BINARY || id == EDDY_T_VARBINARY; }
int eddy_type_is_datetime(eddy_type_id id) { return id >= EDDY_T_DATE && id <= EDDY_T_TIMESTAMP; }
int eddy_type_is_interval(eddy_type_id id) {
    return id == EDDY_T_INTERVAL_DS || id == EDDY_T_INTERVAL_YM;
}

void eddy_int_range(eddy_type_id id, int64_t *lo, int64_t *hi) {
    switch (id) {
    case EDDY_T_TINYINT: *lo = -128; *hi = 127; break;
    case EDDY_T_SMALLINT: *lo = -32768; *hi = 32767; break;
    case EDDY_T_INTEGER: *lo = INT32_MIN; *hi = INT32_MAX; break;
    default: *lo = INT64_MIN; *hi = INT64_MAX; break;
    }
}

int64_t eddy_pow10(int n) {
    static const int64_t p[19] = {1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL,
                                  10000000LL, 100000000LL, 1000000000LL, 10000000000LL,
                                  100000000000LL, 1000000000000LL, 10000000000000LL,
                                  100000000000000LL, 1000000000000000LL,
                                  10000000000000000LL, 100000000000000000LL,
                                  1000000000000000000LL};
    return n >= 0 && n <= 18 ? p[n] : 0;
}

void eddy_value_format(const eddy_value *v, int32_t scale, sbuf *out) {
    char buf[64];
    if (v->is_null || v->type == EDDY_T_NULL) {
        sbuf_puts(out, "NULL");
        return;
    }
    switch (v->type) {
    case EDDY_T_BOOLEAN: sbuf_puts(out, v->u.i ? "TRUE" : "FALSE"); break;
    case EDDY_T_TINYINT:
    case EDDY_T_SMALLINT:
    case EDDY_T_INTEGER:
    case EDDY_T_BIGINT:
    case EDDY_T_INTERVAL_YM: sbuf_printf(out, "%lld", (long long)v->u.i); break;
    case EDDY_T_INTERVAL_DS: sbuf_printf(out, "%lld", (long long)v->u.i); break;
    case EDDY_T_DECIMAL: {
        if (scale <= 0) {
            sbuf_printf(out, "%lld", (long long)v->u.i);
            break;
        }
        int64_t p = eddy_pow10(scale);
        uint64_t a = v->u.i < 0 ? (uint64_t)0 - (uint64_t)v->u.i : (uint64_t)v->u.i;
        sbuf_printf(out, "%s%llu.%0*llu", v->u.i < 0 ? "-" : "", (unsigned long long)(a / (uint64_t)p),
                    scale, (unsigned long long)(a % (uint64_t)p));
        break;
    }
    case EDDY_T_REAL:
    case EDDY_T_DOUBLE: {
        double d = v->u.d;
        if (isnan(d)) sbuf_puts(out, "NaN");
        else if (isinf(d)) sbuf_puts(out, d > 0 ? "Infinity" : "-Infinity");
        else if (v->type == EDDY_T_DOUBLE) {
            sbuf_append(out, buf, eddy_dtoa(d, buf));
        } else {
            /* Shortest text that reads back to the same float (REAL is rare
             * enough to keep the printf search). */
            for (int prec = 6; prec <= 17; prec++) {
                snprintf(buf, sizeof buf, "%.*g", prec, d);
                if ((double)(float)strtod(buf, NULL) == (double)(float)d) break;
            }
            sbuf_puts(out, buf);
        }
        break;
    }
    case EDDY_T_CHAR:
    case EDDY_T_VARCHAR: sbuf_append(out, v->u.s.p, v->u.s.n); break;
    case EDDY_T_BINARY:
    case EDDY_T_VARBINARY: {
        static const char hx[] = "0123456789ABCDEF";
        for (uint32_t i = 0; i < v->u.s.n; i++) {
            unsigned char c = (unsigned char)v->u.s.p[i];
            sbuf_putc(out, hx[c >> 4]);
            sbuf_putc(out, hx[c & 15]);
        }
        break;
    }
    case EDDY_T_DATE: {
        int64_t y;
        unsigned m, d;
        eddy_civil_from_days(v->u.i, &y, &m, &d);
        sbuf_printf(out, "%04lld-%02u-%02u", (long long)y, m, d);
        break;
    }
    case EDDY_T_TIME: {
        int64_t t = v->u.i;
        sbuf_printf(out, "%02d:%02d:%02d", (int)(t / 3600000), (int)(t / 60000 % 60),
                    (int)(t / 1000 % 60));
        break;
    }
    case EDDY_T_TIMESTAMP:
        eddy_ts_format_sql(v->u.i, buf);
        sbuf_puts(out, buf);
        break;
    default: sbuf_puts(out, "?"); break;
    }
}
