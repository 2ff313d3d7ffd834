/*
 * repl_line.c — line editing for the interactive REPL, with libedit:
 * emacs key bindings, persistent history (one entry per statement, saved
 * after each so that a crash or a kill loses nothing), Ctrl-R incremental
 * search, and Tab completion of keywords, meta commands, stream, column and
 * function names.
 *
 * Completion looks at the words before the cursor, across the lines of the
 * statement typed so far, to narrow what fits: a stream after FROM, JOIN,
 * INTO, DESCRIBE or \d, a stored stream after PRINT, anything otherwise.
 */
#include "repl_int.h"

#include <ctype.h>
#include <errno.h>
#include <histedit.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbuf.h"

struct repl_line {
    EditLine *el;
    History *hist;
    char *hist_path;     /* owned; NULL: no persistent history */
    const char *prompt;  /* borrowed for the duration of repl_line_read */
    repl_ctx *r;
    const char *pending; /* earlier lines of the statement being typed */
};

const char *const repl_keywords[] = {
    "ALL", "AND", "AS", "ASC", "AVG", "BEGINNING", "BETWEEN", "BIGINT", "BOOLEAN", "BY", "CASE",
    "CAST", "CHAR", "COUNT", "CREATE", "CURRENT_ROW_TIMESTAMP", "DATE", "DECIMAL", "DESC",
    "DESCRIBE", "DESCRIPTION", "DISTINCT", "DOUBLE", "DROP", "ELSE", "END", "EXPLAIN",
    "EXTENDED", "FALSE", "FLOOR", "FROM", "FUNCTION", "FUNCTIONS", "GROUP", "HAVING", "IF",
    "EXISTS", "IN", "INSERT", "INTEGER", "INTERVAL", "INTO", "IS", "JOIN", "LEFT", "LIKE",
    "LIMIT", "MINUTE", "HOUR", "SECOND", "DAY", "NOT", "NULL", "ON", "OR", "ORDER", "OVER",
    "PARTITION", "PRINT", "PUMP", "PUMPS", "RANGE", "REAL", "REPLACE", "RETURNS", "ROWS",
    "ROWTIME", "SELECT", "SET", "SHOW", "SMALLINT", "STREAM", "STREAMS", "THEN", "TIMESTAMP",
    "TO", "TRUE", "UNION", "VARCHAR", "WHEN", "WHERE", "WINDOW", "WITH", "OR REPLACE", NULL};

static const char *const meta_cmds[] = {"\\help", "\\q", "\\d", "\\timing", "\\x", "\\mode",
                                        "\\o", "\\i", "\\from", NULL};

/* ---------------------------------------------------------------- candidates */

typedef struct cand {
    char *text;   /* what would be inserted, owned */
} cand;

typedef struct cset {
    cand *v;
    size_t n, cap;
    const char *word;    /* the prefix typed (borrowed) */
    size_t wlen;
    int quoted;          /* the prefix opens with a double quote */
    int lower;           /* the prefix is lower case: keep that style */
    int want;            /* bit mask of REPL_NAME_* kinds wanted */
} cset;

static int plain_name(const char *s) {
    if (!isupper((unsigned char)s[0])) return 0;
    for (const char *p = s; *p; p++)
        if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_') return 0;
    return 1;
}

static void cset_add_text(cset *c, const char *text) {
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].text, text)) return;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 64;
        cand *nv = realloc(c->v, nc * sizeof *nv);
        if (!nv) return;
        c->v = nv;
        c->cap = nc;
    }
    char *t = strdup(text);
    if (t) c->v[c->n++].text = t;
}

/* Offers `name` when it starts with the typed prefix, spelled the way it
 * must be typed: unquoted when the plain upper-case form reaches it,
 * "quoted" otherwise; stored-stream names are raw (PRINT takes them so). */
static void cset_add(void *ctx, const char *name, int kind) {
    cset *c = ctx;
    if (!(c->want & (1 << kind)) || !name || !*name) return;
    sbuf t;
    sbuf_init(&t);
    if (kind == REPL_NAME_STORED && !c->quoted) {
        sbuf_puts(&t, name);
    } else if (!c->quoted && (kind == REPL_NAME_KEYWORD || plain_name(name))) {
        for (const char *p = name; *p; p++) sbuf_putc(&t, c->lower ? (char)tolower((unsigned char)*p) : *p);
    } else {
        sbuf_putc(&t, '"');
        for (const char *p = name; *p; p++) {
            if (*p == '"') sbuf_putc(&t, '"');
            sbuf_putc(&t, *p);
        }
        sbuf_putc(&t, '"');
    }
    int match = c->quoted ? !strncmp(t.data, c->word, c->wlen) : !strncasecmp(t.data, c->word, c->wlen);
    if (match && t.len >= c->wlen) cset_add_text(c, t.data);
    sbuf_free(&t);
}

static void cset_free(cset *c) {
    for (size_t i = 0; i < c->n; i++) free(c->v[i].text);
    free(c->v);
}

static int cand_cmp(const void *a, const void *b) {
    return strcmp(((const cand *)a)->text, ((const cand *)b)->text);
}

/* The last complete word before `end` in text (upper-cased into out). */
static void prev_word(const char *text, size_t end, char *out, size_t cap) {
    out[0] = '\0';
    size_t i = end;
    while (i > 0 && isspace((unsigned char)text[i - 1])) i--;
    size_t e = i;
    while (i > 0 && !isspace((unsigned char)text[i - 1]) && text[i - 1] != '(' && text[i - 1] != ',') i--;
    size_t n = e - i < cap - 1 ? e - i : cap - 1;
    for (size_t k = 0; k < n; k++) out[k] = (char)toupper((unsigned char)text[i + k]);
    out[n] = '\0';
}

static int is_word_char(char c) {
    return isalnum((unsigned char)c) || c == '_' || c == '$' || c == '"' || c == '\\' || c == '.' ||
           c == '-' || (c & 0x80);
}

static unsigned char complete(EditLine *el, int ch) {
    repl_line *l = NULL;
    el_get(el, EL_CLIENTDATA, &l);
    const LineInfo *li = el_line(el);
    if (!l || !li) return CC_ERROR;
    size_t cur = (size_t)(li->cursor - li->buffer);
    size_t ws = cur;
    while (ws > 0 && is_word_char(li->buffer[ws - 1])) ws--;
    /* A quote opens a word only at its start: "a"."b" is not one word. */
    const char *dq = memchr(li->buffer + ws, '"', cur - ws);
    if (dq && dq != li->buffer + ws) ws = (size_t)(dq - li->buffer);

    /* The statement so far: earlier lines, then this line up to the word. */
    sbuf ctx;
    sbuf_init(&ctx);
    if (l->pending) sbuf_puts(&ctx, l->pending);
    sbuf_append(&ctx, li->buffer, ws);

    cset c;
    memset(&c, 0, sizeof c);
    c.word = li->buffer + ws;
    c.wlen = cur - ws;
    c.quoted = c.wlen > 0 && c.word[0] == '"';
    c.lower = c.wlen > 0 && !c.quoted;
    for (size_t i = 0; i < c.wlen; i++)
        if (isupper((unsigned char)c.word[i])) c.lower = 0;

    char prev[64];
    prev_word(ctx.data, ctx.len, prev, sizeof prev);
    int meta_line = repl_stmt_blank(ctx.data, ctx.len) && c.wlen > 0 && c.word[0] == '\\';
    if (meta_line) {
        for (int i = 0; meta_cmds[i]; i++)
            if (!strncmp(meta_cmds[i], c.word, c.wlen)) cset_add_text(&c, meta_cmds[i]);
    } else {
        if (!strcmp(prev, "PRINT")) c.want = 1 << REPL_NAME_STORED;
        else if (!strcmp(prev, "\\D") || !strcmp(prev, "FROM") || !strcmp(prev, "JOIN") ||
                 !strcmp(prev, "INTO") || !strcmp(prev, "DESCRIBE") || !strcmp(prev, "EXTENDED") ||
                 !strcmp(prev, "STREAM") || !strcmp(prev, "TABLE"))
            c.want = 1 << REPL_NAME_STREAM;
        else
            c.want = (1 << REPL_NAME_KEYWORD) | (1 << REPL_NAME_STREAM) | (1 << REPL_NAME_COLUMN) |
                     (1 << REPL_NAME_FUNCTION);
        if (c.want & (1 << REPL_NAME_KEYWORD))
            for (int i = 0; repl_keywords[i]; i++) cset_add(&c, repl_keywords[i], REPL_NAME_KEYWORD);
        if (l->r->be.names) l->r->be.names(l->r, cset_add, &c);
    }
    sbuf_free(&ctx);

    unsigned char res = CC_ERROR;
    if (c.n == 1) {
        el_deletestr(el, (int)c.wlen);
        el_insertstr(el, c.v[0].text);
        el_insertstr(el, " ");
        res = CC_REFRESH;
    } else if (c.n > 1) {
        qsort(c.v, c.n, sizeof *c.v, cand_cmp);
        /* Longest common prefix of the candidates (case-insensitively, as
         * keywords and names are matched). */
        size_t lcp = strlen(c.v[0].text);
        for (size_t i = 1; i < c.n; i++) {
            size_t k = 0;
            while (k < lcp && c.v[i].text[k] &&
                   tolower((unsigned char)c.v[i].text[k]) == tolower((unsigned char)c.v[0].text[k]))
                k++;
            lcp = k;
        }
        if (lcp > c.wlen) {
            char *pre = strndup(c.v[0].text, lcp);
            if (pre) {
                el_deletestr(el, (int)c.wlen);
                el_insertstr(el, pre);
                free(pre);
            }
            res = CC_REFRESH;
        } else {
            FILE *o = stdout;
            fputc('\n', o);
            size_t w = 0;
            for (size_t i = 0; i < c.n; i++)
                if (strlen(c.v[i].text) > w) w = strlen(c.v[i].text);
            size_t per = 80 / (w + 2);
            if (per == 0) per = 1;
            for (size_t i = 0; i < c.n; i++)
                fprintf(o, "%-*s%s", (int)w + 2, c.v[i].text, (i + 1) % per == 0 || i + 1 == c.n ? "\n" : "");
            fflush(o);
            res = CC_REDISPLAY;
        }
    }
    cset_free(&c);
    return res;
}

/* ---------------------------------------------------------------- lifecycle */

static char *prompt_fn(EditLine *el) {
    repl_line *l = NULL;
    el_get(el, EL_CLIENTDATA, &l);
    return (char *)(l && l->prompt ? l->prompt : "eddy> ");
}

repl_line *repl_line_open(repl_ctx *r, const char *prog, const char *hist_path) {
    repl_line *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->r = r;
    l->el = el_init(prog, stdin, stdout, stderr);
    l->hist = history_init();
    if (!l->el || !l->hist) {
        repl_line_close(l);
        return NULL;
    }
    HistEvent ev;
    history(l->hist, &ev, H_SETSIZE, 5000);
    history(l->hist, &ev, H_SETUNIQUE, 1);
    if (hist_path) {
        l->hist_path = strdup(hist_path);
        history(l->hist, &ev, H_LOAD, hist_path);   /* absent the first time */
    }
    el_set(l->el, EL_CLIENTDATA, l);
    el_set(l->el, EL_EDITOR, "emacs");
    el_set(l->el, EL_PROMPT, prompt_fn);
    el_set(l->el, EL_HIST, history, l->hist);
    /* Wide strings: el_set would wcsdup narrow ones, and el_end never
     * frees those copies (a leak in libedit 3.1). */
    el_wset(l->el, EL_ADDFN, L"eddy-complete", L"complete a keyword or a name", complete);
    el_set(l->el, EL_BIND, "^I", "eddy-complete", NULL);
    el_set(l->el, EL_BIND, "^R", "em-inc-search-prev", NULL);
    /* ~/.editrc may override the bindings, as in every libedit program. */
    el_source(l->el, NULL);
    return l;
}

void repl_line_close(repl_line *l) {
    if (!l) return;
    if (l->el) el_end(l->el);
    if (l->hist) history_end(l->hist);
    free(l->hist_path);
    free(l);
}

void repl_line_set_pending(repl_line *l, const char *pending) { l->pending = pending; }

char *repl_line_read(repl_line *l, const char *prompt, int *interrupted) {
    *interrupted = 0;
    l->prompt = prompt;
    int n = 0;
    errno = 0;
    const char *s = el_gets(l->el, &n);
    if (!s) {
        if (n < 0 && errno == EINTR) {
            /* Ctrl-C: drop what was typed, like psql, and start over. */
            *interrupted = 1;
            el_reset(l->el);
            fputc('\n', stdout);
            fflush(stdout);
            return strdup("");
        }
        return NULL;
    }
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r')) len--;
    return strndup(s, len);
}

void repl_line_remember(repl_line *l, const char *entry) {
    HistEvent ev;
    if (!entry || !*entry) return;
    history(l->hist, &ev, H_ENTER, entry);
    if (l->hist_path) history(l->hist, &ev, H_SAVE, l->hist_path);
}
