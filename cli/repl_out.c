/*
 * repl_out.c — how the REPL shows results: psql-like tables, expanded
 * records (\x), CSV and JSON lines (\mode), to stdout or the \o file.
 *
 * A finite result (SHOW, DESCRIBE, EXPLAIN) is buffered so that each table
 * column is as wide as its widest value. A push query never ends, so its
 * rows are written as they arrive, in columns whose widths come from the
 * column types alone; longer text is cut with an ellipsis, except in the
 * last column, which has no right border to respect.
 */
#include "repl_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbuf.h"

#define PUSH_TEXT_MAX 32   /* widest text column of a push table */

void repl_out_init(repl_out *o, FILE *f) {
    memset(o, 0, sizeof *o);
    o->f = f;
}

static void clear_result(repl_out *o) {
    for (size_t i = 0; i < o->n_rows * o->n_cols; i++) free(o->cells[i]);
    free(o->cells);
    for (uint32_t c = 0; c < o->n_cols; c++) {
        free(o->cols[c].name);
        free(o->cols[c].type);
    }
    free(o->cols);
    o->cells = NULL;
    o->cols = NULL;
    o->n_cols = 0;
    o->n_rows = o->cap_rows = 0;
    o->rows_out = 0;
    o->header_done = 0;
}

void repl_out_free(repl_out *o) { clear_result(o); }

size_t repl_utf8_cells(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

static int type_is(const char *type, const char *name) {
    size_t n = strlen(name);
    return type && !strncasecmp(type, name, n) && (type[n] == '\0' || type[n] == '(');
}

static int type_numeric(const char *t) {
    return type_is(t, "TINYINT") || type_is(t, "SMALLINT") || type_is(t, "INTEGER") ||
           type_is(t, "BIGINT") || type_is(t, "DECIMAL") || type_is(t, "REAL") ||
           type_is(t, "DOUBLE") || type_is(t, "INT") || type_is(t, "FLOAT");
}

int repl_type_width(const char *t, const char *name) {
    int w = 16;
    int len = 0;
    const char *lp = t ? strchr(t, '(') : NULL;
    if (lp) len = atoi(lp + 1);
    if (type_is(t, "BOOLEAN")) w = 5;
    else if (type_is(t, "TINYINT")) w = 4;
    else if (type_is(t, "SMALLINT")) w = 6;
    else if (type_is(t, "INTEGER") || type_is(t, "INT")) w = 11;
    else if (type_is(t, "BIGINT")) w = 20;
    else if (type_is(t, "DECIMAL")) w = len > 0 ? len + 2 : 20;
    else if (type_is(t, "REAL")) w = 12;
    else if (type_is(t, "DOUBLE") || type_is(t, "FLOAT")) w = 16;
    else if (type_is(t, "DATE")) w = 10;
    else if (type_is(t, "TIME")) w = 12;
    else if (type_is(t, "TIMESTAMP")) w = 23;
    else if (type_is(t, "CHAR") || type_is(t, "VARCHAR"))
        w = len > 0 ? (len < PUSH_TEXT_MAX ? len : PUSH_TEXT_MAX) : PUSH_TEXT_MAX;
    int nw = name ? (int)repl_utf8_cells(name) : 0;
    if (nw > w) w = nw < PUSH_TEXT_MAX ? nw : PUSH_TEXT_MAX;
    return w;
}

void repl_out_begin(repl_out *o, const char *const *names, const char *const *types, uint32_t n,
                    int push) {
    clear_result(o);
    o->push = push;
    o->cols = calloc(n ? n : 1, sizeof *o->cols);
    if (!o->cols) return;
    o->n_cols = n;
    for (uint32_t c = 0; c < n; c++) {
        o->cols[c].name = strdup(names[c] ? names[c] : "?");
        o->cols[c].type = types && types[c] ? strdup(types[c]) : NULL;
        o->cols[c].width = repl_type_width(o->cols[c].type, o->cols[c].name);
    }
}

/* Writes s in exactly `width` cells: cut with an ellipsis when longer,
 * padded (on the left when right-aligned) when shorter. */
static void put_cell(FILE *f, const char *s, int width, int right, int cut) {
    size_t cells = repl_utf8_cells(s);
    if (cut && width > 0 && cells > (size_t)width) {
        size_t keep = (size_t)width - 1, k = 0;
        const char *p = s;
        while (*p) {
            if (((unsigned char)*p & 0xC0) != 0x80) {
                if (k == keep) break;
                k++;
            }
            p++;
        }
        fwrite(s, 1, (size_t)(p - s), f);
        fputs("…", f);
        return;
    }
    int pad = width > (int)cells ? width - (int)cells : 0;
    if (right) fprintf(f, "%*s", pad, "");
    fputs(s, f);
    if (!right && cut) fprintf(f, "%*s", pad, "");
}

static void csv_field(FILE *f, const char *s) {
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int looks_numeric(const char *s) {
    char *e;
    if (!*s) return 0;
    strtod(s, &e);
    return *e == '\0' && strcasecmp(s, "nan") && strcasecmp(s, "inf") && strcasecmp(s, "-inf") &&
           strcasecmp(s, "infinity");
}

static void jsonl_row(repl_out *o, const char *const *vals, uint32_t n) {
    sbuf b;
    sbuf_init(&b);
    sbuf_putc(&b, '{');
    for (uint32_t c = 0; c < n && c < o->n_cols; c++) {
        if (c) sbuf_putc(&b, ',');
        sbuf_json_str(&b, o->cols[c].name, strlen(o->cols[c].name));
        sbuf_putc(&b, ':');
        const char *v = vals[c];
        const char *t = o->cols[c].type;
        if (!v) sbuf_puts(&b, "null");
        else if (type_numeric(t) && looks_numeric(v)) sbuf_puts(&b, v);
        else if (type_is(t, "BOOLEAN") && (!strcasecmp(v, "true") || !strcasecmp(v, "false")))
            sbuf_puts(&b, !strcasecmp(v, "true") ? "true" : "false");
        else sbuf_json_str(&b, v, strlen(v));
    }
    sbuf_puts(&b, "}\n");
    fwrite(b.data, 1, b.len, o->f);
    sbuf_free(&b);
}

static void expanded_row(repl_out *o, const char *const *vals, uint32_t n) {
    size_t w = 0;
    for (uint32_t c = 0; c < o->n_cols; c++) {
        size_t k = repl_utf8_cells(o->cols[c].name);
        if (k > w) w = k;
    }
    fprintf(o->f, "-[ RECORD %lld ]%s\n", o->rows_out + 1, "-----------------------");
    for (uint32_t c = 0; c < n && c < o->n_cols; c++) {
        put_cell(o->f, o->cols[c].name, (int)w, 0, 1);
        fprintf(o->f, " | %s\n", vals[c] ? vals[c] : "NULL");
    }
}

static void rule(repl_out *o, const int *widths) {
    for (uint32_t c = 0; c < o->n_cols; c++) {
        if (c) fputc('+', o->f);
        for (int k = 0; k < widths[c] + 2; k++) fputc('-', o->f);
    }
    fputc('\n', o->f);
}

static void table_header(repl_out *o, const int *widths) {
    for (uint32_t c = 0; c < o->n_cols; c++) {
        fputs(c ? "| " : " ", o->f);
        put_cell(o->f, o->cols[c].name, widths[c], 0, c + 1 < o->n_cols);
        fputs(c + 1 < o->n_cols ? " " : "\n", o->f);
    }
    rule(o, widths);
}

static void table_row(repl_out *o, const int *widths, const char *const *vals, int cut) {
    for (uint32_t c = 0; c < o->n_cols; c++) {
        const char *v = vals[c] ? vals[c] : "NULL";
        fputs(c ? "| " : " ", o->f);
        int last = c + 1 == o->n_cols;
        int right = o->push && type_numeric(o->cols[c].type);
        put_cell(o->f, v, widths[c], right, cut && !last);
        if (last) fputc('\n', o->f);
        else {
            if (!cut) {   /* buffered tables pad here, never cut */
                size_t k = repl_utf8_cells(v);
                if ((int)k < widths[c]) fprintf(o->f, "%*s", widths[c] - (int)k, "");
            }
            fputc(' ', o->f);
        }
    }
}

static void push_widths(repl_out *o, int *w) {
    for (uint32_t c = 0; c < o->n_cols; c++) w[c] = o->cols[c].width;
}

void repl_out_row(repl_out *o, const char *const *vals, uint32_t n) {
    if (!o->cols) return;
    if (n > o->n_cols) n = o->n_cols;
    if (o->push || o->mode != REPL_MODE_TABLE || o->expanded) {
        if (o->mode == REPL_MODE_CSV) {
            if (!o->header_done) {
                for (uint32_t c = 0; c < o->n_cols; c++) {
                    if (c) fputc(',', o->f);
                    csv_field(o->f, o->cols[c].name);
                }
                fputc('\n', o->f);
            }
            for (uint32_t c = 0; c < n; c++) {
                if (c) fputc(',', o->f);
                csv_field(o->f, vals[c]);
            }
            fputc('\n', o->f);
        } else if (o->mode == REPL_MODE_JSONL) {
            jsonl_row(o, vals, n);
        } else if (o->expanded) {
            expanded_row(o, vals, n);
        } else {
            int *w = calloc(o->n_cols, sizeof *w);
            if (!w) return;
            push_widths(o, w);
            if (!o->header_done) table_header(o, w);
            const char **full = calloc(o->n_cols, sizeof *full);
            if (full) {
                for (uint32_t c = 0; c < n; c++) full[c] = vals[c];
                table_row(o, w, full, 1);
                free(full);
            }
            free(w);
        }
        o->header_done = 1;
        o->rows_out++;
        fflush(o->f);
        return;
    }
    if (o->n_rows == o->cap_rows) {
        size_t nc = o->cap_rows ? o->cap_rows * 2 : 16;
        char **cells = realloc(o->cells, nc * o->n_cols * sizeof *cells);
        if (!cells) return;
        o->cells = cells;
        o->cap_rows = nc;
    }
    char **row = o->cells + o->n_rows * o->n_cols;
    for (uint32_t c = 0; c < o->n_cols; c++) row[c] = c < n && vals[c] ? strdup(vals[c]) : NULL;
    o->n_rows++;
    o->rows_out++;
}

void repl_out_end(repl_out *o) {
    if (!o->cols) return;
    if (!o->push && o->mode == REPL_MODE_TABLE && !o->expanded) {
        int *w = calloc(o->n_cols, sizeof *w);
        if (!w) return;
        for (uint32_t c = 0; c < o->n_cols; c++) w[c] = (int)repl_utf8_cells(o->cols[c].name);
        for (size_t r = 0; r < o->n_rows; r++)
            for (uint32_t c = 0; c < o->n_cols; c++) {
                const char *v = o->cells[r * o->n_cols + c];
                int k = (int)repl_utf8_cells(v ? v : "NULL");
                if (k > w[c]) w[c] = k;
            }
        table_header(o, w);
        for (size_t r = 0; r < o->n_rows; r++)
            table_row(o, w, (const char *const *)(o->cells + r * o->n_cols), 0);
        free(w);
    } else if (o->mode == REPL_MODE_TABLE && !o->header_done && !o->expanded) {
        /* A push query that produced nothing still shows its columns. */
        int *w = calloc(o->n_cols, sizeof *w);
        if (w) {
            push_widths(o, w);
            table_header(o, w);
            free(w);
        }
    } else if (o->mode == REPL_MODE_CSV && !o->header_done) {
        for (uint32_t c = 0; c < o->n_cols; c++) {
            if (c) fputc(',', o->f);
            csv_field(o->f, o->cols[c].name);
        }
        fputc('\n', o->f);
    }
    if (o->mode == REPL_MODE_TABLE)
        fprintf(o->f, "(%lld row%s)\n", o->rows_out, o->rows_out == 1 ? "" : "s");
    fflush(o->f);
    clear_result(o);
}
