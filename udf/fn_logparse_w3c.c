/*
 * fn_logparse_w3c.c — the formats of W3C_LOG_PARSE (SQL.md §6.11): compiling
 * a predefined format name or an Apache LogFormat string, and splitting a
 * web-server log line into one field per format specifier.
 *
 * How it fits: fn_logparse_spec.c compiles a format once per distinct
 * format string (udf__w3c_compile; fn_logparse.c caches the result per
 * thread) and fn_logparse_line.c calls udf__w3c_parse for every line; the
 * spans it writes point into the line, so W3C fields are never copied.
 *
 * Splitting follows the literal text between specifiers: a field ends where
 * the next literal starts. Three kinds of field need more than that:
 *  - a field between quote characters ("%r", "%{Referer}i") ends at the
 *    first unescaped quote that the rest of the literal follows, so a
 *    request line keeps its spaces and Apache's \" escapes;
 *  - %t is Apache's "[24/May/2004:22:01:02 -0700]" with its brackets (the
 *    KDA reference's output keeps them; writing [%t] in the format drops
 *    them), and an unbracketed CLF time keeps its inner space;
 *  - the last field, with no literal after it, takes one token when the
 *    specifier is a number, address or name (so COMMON reads a combined
 *    log's line too) and the rest of the line otherwise.
 * A line that does not fit the format (a literal is not where the format
 * puts it, or the line ends early) gives NULL for every field, as a regex
 * that does not match would; text after the last field is ignored. Values
 * such as "-" are kept as written.
 */
#include "udf_rowfn.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* One specifier and the literal text before it. */
typedef struct w3c_spec {
    const char *lit;   /* literal text before the specifier (in the arena) */
    uint32_t lit_n;
    char letter;       /* the specifier letter: 'h', 's', 'i', ... */
    uint8_t has_arg;   /* 1 when written %{name}x or %[name]x */
    uint8_t quoted;    /* 1 when between quote characters */
} w3c_spec;

struct udf_w3c {
    uint32_t n;         /* specifiers */
    w3c_spec *specs;
    const char *tail;   /* literal text after the last specifier */
    uint32_t tail_n;
};

/* The predefined formats of the KDA reference. IIS has no Apache spelling
 * there; its comma-separated layout (client IP, user, date, time, service,
 * server name, server IP, time taken, bytes received, bytes sent, status,
 * Windows status, method, target, parameters) is written with specifiers of
 * the same meaning, giving fifteen fields. */
static const struct {
    const char *name;
    const char *format;
} predefined[] = {
    {"COMMON", "%h %l %u %t \"%r\" %>s %b"},
    {"COMMON WITH VHOST", "%v %h %l %u %t \"%r\" %>s %b"},
    {"NCSA EXTENDED", "%h %l %u %t \"%r\" %>s %b \"%[Referer]i\" \"%[User-agent]i\""},
    {"REFERER", "%[Referer]i ---> %U"},
    {"AGENT", "%[User-agent]i"},
    {"IIS", "%h, %u, %{%m/%d/%y}t, %{%H:%M:%S}t, %{service}n, %v, %A, %T, %I, %O, %s, "
            "%{win32-status}n, %m, %U, %q,"},
};

/* Specifier letters of Apache's mod_log_config that W3C_LOG_PARSE knows. */
static const char known_letters[] = "aABbCDefhHiIlLkmnoOpPqrRsStTuUvVX";

/* Specifiers whose value is one token: the last field of a format takes
 * only its first word when it is one of these. */
static const char token_letters[] = "aABbDhHIklLmOpPqsSTuUvVX";

/* Compares a format with a predefined name, ignoring case and runs of
 * blanks ("common  with vhost"). */
static int name_eq(const char *s, size_t n, const char *name) {
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i])) i++;
    while (n > i && isspace((unsigned char)s[n - 1])) n--;
    for (const char *q = name; *q; q++) {
        if (*q == ' ') {
            if (i >= n || !isspace((unsigned char)s[i])) return 0;
            while (i < n && isspace((unsigned char)s[i])) i++;
            continue;
        }
        if (i >= n || toupper((unsigned char)s[i]) != *q) return 0;
        i++;
    }
    return i == n;
}

/* Appends one literal byte to the pending literal run in buf. */
static void lit_put(char *buf, uint32_t *len, char c) { buf[(*len)++] = c; }

int udf__w3c_compile(const char *fmt, size_t n, arena *mem, udf_w3c **out, eddy_err *err) {
    for (size_t k = 0; k < sizeof predefined / sizeof predefined[0]; k++) {
        if (name_eq(fmt, n, predefined[k].name)) {
            fmt = predefined[k].format;
            n = strlen(fmt);
            break;
        }
    }
    udf_w3c *w = arena_calloc(mem, sizeof *w);
    /* At most one specifier per '%'; literal text is never longer than the
     * format, so one buffer of n bytes holds every literal run. */
    size_t max_specs = 1;
    for (size_t i = 0; i < n; i++) max_specs += fmt[i] == '%';
    w3c_spec *specs = arena_calloc(mem, max_specs * sizeof *specs);
    char *litbuf = arena_alloc(mem, n + 1);
    if (!w || !specs || !litbuf) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    char *run = litbuf;      /* the literal run being collected */
    uint32_t run_n = 0;
    size_t i = 0;
    while (i < n) {
        char c = fmt[i];
        if (c == '\\' && i + 1 < n) {
            /* Apache's LogFormat takes C-style escapes (\" \t \n). */
            char e = fmt[i + 1];
            lit_put(run, &run_n, e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e);
            i += 2;
            continue;
        }
        if (c != '%') {
            lit_put(run, &run_n, c);
            i++;
            continue;
        }
        size_t at = i++;
        if (i < n && fmt[i] == '%') {
            lit_put(run, &run_n, '%');
            i++;
            continue;
        }
        /* Conditions (!400,501) and the original/final marks (< >) choose
         * whether Apache writes the value; the field is read the same way. */
        while (i < n && (fmt[i] == '!' || fmt[i] == ',' || fmt[i] == '<' || fmt[i] == '>' ||
                         (fmt[i] >= '0' && fmt[i] <= '9')))
            i++;
        int has_arg = 0;
        if (i < n && (fmt[i] == '{' || fmt[i] == '[')) {
            char close = fmt[i] == '{' ? '}' : ']';
            const char *e = memchr(fmt + i + 1, close, n - i - 1);
            if (!e)
                return eddy_err_set(err, EDDY_E_SEMANTIC,
                                    "W3C_LOG_PARSE: unclosed '%c' in format specifier at '%.*s'", fmt[i],
                                    (int)(n - at > 16 ? 16 : n - at), fmt + at);
            i = (size_t)(e - fmt) + 1;
            has_arg = 1;
        }
        if (i >= n || !strchr(known_letters, fmt[i]) || fmt[i] == 0)
            return eddy_err_set(err, EDDY_E_SEMANTIC, "W3C_LOG_PARSE: unknown format specifier '%.*s'",
                                (int)(i < n ? i - at + 1 : n - at), fmt + at);
        if (w->n > 0 && run_n == 0)
            return eddy_err_set(err, EDDY_E_SEMANTIC,
                                "W3C_LOG_PARSE: format specifiers %%%c and '%.*s' are not separated by any text",
                                specs[w->n - 1].letter, (int)(i - at + 1), fmt + at);
        w3c_spec *sp = &specs[w->n++];
        sp->lit = run;
        sp->lit_n = run_n;
        sp->letter = fmt[i];
        sp->has_arg = (uint8_t)has_arg;
        run += run_n;
        run_n = 0;
        i++;
    }
    if (w->n == 0)
        return eddy_err_set(err, EDDY_E_SEMANTIC, "W3C_LOG_PARSE: the format has no field specifiers");
    w->specs = specs;
    w->tail = run;
    w->tail_n = run_n;
    for (uint32_t k = 0; k < w->n; k++) {
        const char *next = k + 1 < w->n ? specs[k + 1].lit : w->tail;
        uint32_t next_n = k + 1 < w->n ? specs[k + 1].lit_n : w->tail_n;
        specs[k].quoted = specs[k].lit_n > 0 && specs[k].lit[specs[k].lit_n - 1] == '"' && next_n > 0 &&
                          next[0] == '"';
    }
    *out = w;
    return 0;
}

uint32_t udf__w3c_n_fields(const udf_w3c *w) { return w->n; }

/* Whether s starts with an unbracketed CLF time, "24/May/2004:22:01:02 -0700"
 * (26 bytes, one inner space). */
static int is_clf_time(const char *s, size_t n) {
    static const char shape[] = "dd/aaa/dddd:dd:dd:dd sdddd";
    if (n < sizeof shape - 1) return 0;
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (shape[i]) {
        case 'd': if (!isdigit(c)) return 0; break;
        case 'a': if (!isalpha(c)) return 0; break;
        case 's': if (c != '+' && c != '-') return 0; break;
        default: if (c != (unsigned char)shape[i]) return 0;
        }
    }
    return 1;
}

/* Where the field starting at s[pos] ends, given the literal that follows
 * it (next, next_n; empty for the last field). */
static size_t field_end(const w3c_spec *sp, const char *s, size_t n, size_t pos, const char *next,
                        uint32_t next_n) {
    if (sp->quoted) {
        for (size_t i = pos; i < n; i++) {
            if (s[i] == '\\' && i + 1 < n) {
                i++;
                continue;
            }
            if (s[i] == '"' && n - i >= next_n && memcmp(s + i, next, next_n) == 0) return i;
        }
        return n;
    }
    if (sp->letter == 't' && !sp->has_arg) {
        if (pos < n && s[pos] == '[') {
            const char *e = memchr(s + pos, ']', n - pos);
            return e ? (size_t)(e - s) + 1 : n;
        }
        if (is_clf_time(s + pos, n - pos)) return pos + 26;
    }
    if (next_n == 0) {
        if (!strchr(token_letters, sp->letter)) return n;
        size_t i = pos;
        while (i < n && !isspace((unsigned char)s[i])) i++;
        return i;
    }
    const char *e = memmem(s + pos, n - pos, next, next_n);
    return e ? (size_t)(e - s) : n;
}

void udf__w3c_parse(const udf_w3c *w, const char *s, size_t n, udf_lp_span *out) {
    size_t pos = 0;
    for (uint32_t k = 0; k < w->n; k++) {
        const w3c_spec *sp = &w->specs[k];
        if (n - pos < sp->lit_n || memcmp(s + pos, sp->lit, sp->lit_n) != 0) {
            for (uint32_t j = 0; j < w->n; j++) out[j] = (udf_lp_span){0, -1};
            return;
        }
        pos += sp->lit_n;
        const char *next = k + 1 < w->n ? w->specs[k + 1].lit : w->tail;
        uint32_t next_n = k + 1 < w->n ? w->specs[k + 1].lit_n : w->tail_n;
        size_t end = field_end(sp, s, n, pos, next, next_n);
        out[k].off = (int32_t)pos;
        out[k].len = (int32_t)(end - pos);
        pos = end;
    }
}
