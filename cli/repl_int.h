/*
 * repl_int.h — the pieces of `eddy repl` shared inside cli/: the statement
 * scanner (repl_scan.c), result rendering (repl_out.c), the two backends
 * that run statements (embedded: repl_embed.c over an eddy_session and its
 * store; remote: repl_http.c over the server's /v1/sql and /v1/query), and
 * line editing (repl_line.c, libedit). cmd_repl.c drives them.
 *
 * Private to cli/. repl_scan.c depends on libc only so that
 * tests/unit/check_cli_repl.c can compile it in directly.
 */
#ifndef EDDY_CLI_REPL_INT_H
#define EDDY_CLI_REPL_INT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------ scanner */

/* Where a scan of statement text ended, which is also what the
 * continuation prompt shows. */
typedef enum {
    REPL_SCAN_NORMAL = 0,   /* between tokens */
    REPL_SCAN_STRING,       /* inside '...' */
    REPL_SCAN_IDENT,        /* inside "..." */
    REPL_SCAN_LINE_COMMENT, /* after -- (ends at a newline) */
    REPL_SCAN_BLOCK_COMMENT /* inside a block comment */
} repl_scan_state;

/* Finds the end of the first complete statement of text[0..len): the
 * offset just past its terminating ';', where a ';' inside a string, a
 * quoted identifier or a comment does not count. Returns 0 when there is
 * no complete statement; *state (may be NULL) then says where the text
 * ended. This function can't fail. */
size_t repl_stmt_end(const char *text, size_t len, repl_scan_state *state);

/* 1 when text[0..len) holds nothing but whitespace, comments and ';'. */
int repl_stmt_blank(const char *text, size_t len);

/* Offset of the first character that is neither whitespace nor part of a
 * comment (len when there is none). */
size_t repl_skip_space(const char *text, size_t len, size_t off);

/* A word of a statement as the REPL's own commands see it. */
typedef struct repl_word {
    const char *p;     /* borrowed from the scanned text; NULL at the end */
    size_t n;
    int quoted;        /* 1: "quoted identifier" or 'string' (p/n without quotes) */
    char quote;        /* '"' or '\'' when quoted */
} repl_word;

/* Reads the word at text[*off..len) (identifier, number, quoted name,
 * string, or a single punctuation character) and moves *off past it.
 * Comments and whitespace are skipped. Returns 0, or -1 at the end. */
int repl_next_word(const char *text, size_t len, size_t *off, repl_word *w);

/* 1 when w is the unquoted keyword kw (case-insensitive). */
int repl_word_is(const repl_word *w, const char *kw);

/* Writes a name as the catalog stores it into out (cap bytes): unquoted
 * words are folded to upper case, quoted ones kept exactly ("" -> ").
 * Returns 0, or -1 when it does not fit. */
int repl_word_name(const repl_word *w, char *out, size_t cap);

/* PRINT NAME [FROM BEGINNING] [LIMIT n] */
typedef struct repl_print_cmd {
    char name[160];       /* exact stored-stream name (quotes removed, case kept) */
    char folded[160];     /* the name as an unquoted SQL name would be (upper case) */
    int from_beginning;   /* 1: FROM BEGINNING given */
    long long limit;      /* -1: none */
} repl_print_cmd;

/* Recognises the REPL's own statements. Return values: 0 not ours, 1 ours
 * and parsed into the struct, -1 ours but malformed (msg filled, cap bytes). */
int repl_parse_print(const char *text, size_t len, repl_print_cmd *out, char *msg, size_t cap);

/* SET 'from' = 'beginning'|'latest' (also 'auto.offset.reset' =
 * 'earliest'|'latest', as in ksqlDB). *from_beginning is set on success. */
int repl_parse_set(const char *text, size_t len, int *from_beginning, char *msg, size_t cap);

/* DESCRIBE EXTENDED NAME: 1 and the catalog name in name (cap bytes). */
int repl_parse_describe_extended(const char *text, size_t len, char *name, size_t cap);

/* 1 when the statement is a push query (its first word is SELECT). */
int repl_is_query(const char *text, size_t len);

/* 1 when the statement may change the catalog (CREATE, DROP). */
int repl_is_ddl(const char *text, size_t len);

/* ------------------------------------------------------------ output */

typedef enum { REPL_MODE_TABLE = 0, REPL_MODE_CSV, REPL_MODE_JSONL } repl_mode;

typedef struct repl_col {
    char *name;       /* owned */
    char *type;       /* owned: SQL spelling ("VARCHAR(8)") or NULL */
    int width;        /* push tables: fixed display width */
} repl_col;

/* Renders result sets. A non-push result is buffered so that table
 * columns fit their widest value; a push result streams row by row with
 * widths fixed by the column types. */
typedef struct repl_out {
    FILE *f;              /* borrowed: stdout or the \o file */
    repl_mode mode;
    int expanded;         /* \x */
    int push;             /* current result is a push query */
    repl_col *cols;
    uint32_t n_cols;
    char **cells;         /* buffered rows: n_rows * n_cols owned strings (NULL = SQL NULL) */
    size_t n_rows, cap_rows;
    long long rows_out;   /* rows of the current result */
    int header_done;      /* push: header already printed */
} repl_out;

void repl_out_init(repl_out *o, FILE *f);
void repl_out_free(repl_out *o);

/* Starts a result with n columns; names and types are borrowed (types may
 * be NULL). */
void repl_out_begin(repl_out *o, const char *const *names, const char *const *types, uint32_t n,
                    int push);
/* One row; vals[i] NULL is SQL NULL. Push rows are written (and flushed)
 * at once. */
void repl_out_row(repl_out *o, const char *const *vals, uint32_t n);
/* Ends the current result: writes buffered rows and the row count. */
void repl_out_end(repl_out *o);

/* Display width of a column of that SQL type in a push table. */
int repl_type_width(const char *type, const char *name);

/* Number of terminal cells of UTF-8 text (every code point counts 1). */
size_t repl_utf8_cells(const char *s);

/* ------------------------------------------------------------ backends */

/* Where a statement's output goes. */
typedef struct repl_ctx repl_ctx;

typedef struct repl_backend {
    /* Runs one statement. Errors are printed (with their caret) by the
     * backend. Returns 0 or non-zero on failure. */
    int (*exec)(repl_ctx *r, const char *sql, size_t len);
    /* PRINT; NULL when the backend cannot. */
    int (*print)(repl_ctx *r, const repl_print_cmd *p);
    /* Extra lines of DESCRIBE EXTENDED for a catalog stream; may be NULL. */
    int (*describe_extended)(repl_ctx *r, const char *name);
    /* Stored streams as an extra table of \d; may be NULL. */
    void (*list_stored)(repl_ctx *r);
    /* Adds completion candidates (streams, columns, functions). */
    void (*names)(repl_ctx *r, void (*add)(void *ctx, const char *name, int kind), void *ctx);
    void (*set_from_beginning)(repl_ctx *r, int on);
    void (*close)(repl_ctx *r);
    void *impl;
} repl_backend;

/* Kinds of completion candidates. */
enum { REPL_NAME_KEYWORD = 0, REPL_NAME_STREAM, REPL_NAME_STORED, REPL_NAME_COLUMN, REPL_NAME_FUNCTION };

struct repl_ctx {
    repl_backend be;
    repl_out out;
    int from_beginning;
    int timing;
    int interactive;
    volatile sig_atomic_t *stop;   /* set by SIGINT */
};

/* Opens the embedded backend on data_dir (NULL: in-memory store). Prints
 * the failure and returns non-zero when the store cannot be opened. */
int repl_embed_open(repl_ctx *r, const char *data_dir);

/* Opens the HTTP backend for base_url ("http://HOST:PORT"). */
int repl_http_open(repl_ctx *r, const char *base_url);

/* Prints an error already rendered (one or more lines) on stderr. */
void repl_print_error(const char *text);

/* ------------------------------------------------------------ line editing */

typedef struct repl_line repl_line;

/* Starts libedit on the terminal with history from hist_path (may be
 * NULL: no persistent history) and completion from r's backend. */
repl_line *repl_line_open(repl_ctx *r, const char *prog, const char *hist_path);
void repl_line_close(repl_line *l);

/* Reads one line (without its newline) into a malloc'd string the caller
 * frees. Returns NULL at end of input; *interrupted is set to 1 when
 * Ctrl-C cancelled the line. */
char *repl_line_read(repl_line *l, const char *prompt, int *interrupted);

/* Earlier lines of the statement being typed (borrowed until the next
 * call), so that completion sees the whole statement. */
void repl_line_set_pending(repl_line *l, const char *pending);

/* Adds a complete statement or command to the history and saves it. */
void repl_line_remember(repl_line *l, const char *entry);

/* Keyword list used by completion (NULL-terminated). */
extern const char *const repl_keywords[];

#endif
