/*
 * cmd_repl.c — `eddy repl`: the interactive SQL shell.
 *
 * Reads lines (libedit on a terminal, plain reads from -f FILE or a pipe),
 * gathers them into statements ended by ';' (repl_scan.c), and runs each:
 * meta commands (\help, \d, \x, ...) and the REPL's own statements (PRINT,
 * SET 'from', the extras of DESCRIBE EXTENDED) here, SQL through a backend
 * (embedded session, repl_embed.c, or a server, repl_http.c). Results are
 * drawn by repl_out.c.
 *
 * Ctrl-C stops the running query, or drops the line being typed; it never
 * ends the shell. Non-interactive runs stop at the first error with exit
 * status 1, so that scripts work in CI.
 */
#include "cli.h"
#include "repl_int.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "eddy.h"
#include "sbuf.h"

static volatile sig_atomic_t stop_flag;

static void on_sigint(int sig) {
    (void)sig;
    stop_flag = 1;
}

static const char usage_text[] =
    "usage: eddy repl [--data-dir DIR | --memory | --connect http://HOST:PORT]\n"
    "                 [-f FILE] [--from-beginning]\n"
    "\n"
    "Interactive SQL shell. Statements end with ';'; type \\help at the prompt.\n"
    "\n"
    "options:\n"
    "  --data-dir DIR     run embedded on this data directory (default $EDDY_DATA_DIR\n"
    "                     or ./eddy-data)\n"
    "  --memory           run embedded on an empty in-memory store\n"
    "  --connect URL      talk to a running `eddy serve` over HTTP\n"
    "  -f FILE            run the statements of FILE and exit (status 1 at the\n"
    "                     first error); piped stdin works the same way\n"
    "  --from-beginning   push queries and PRINT read from TRIM_HORIZON, not LATEST\n"
    "\n"
    "History is kept in $EDDY_HISTORY (default ~/.eddy_history).\n";

static const char help_text[] =
    "Statements end with ';' and may span lines. Ctrl-C stops a running query\n"
    "(or drops the line being typed); Ctrl-R searches history; Tab completes.\n"
    "\n"
    "SQL\n"
    "  CREATE [OR REPLACE] STREAM|PUMP|FUNCTION ...; DROP ...\n"
    "  SELECT STREAM ...             push query: rows as they arrive, until LIMIT or Ctrl-C\n"
    "  SHOW STREAMS | PUMPS | FUNCTIONS\n"
    "  DESCRIBE [EXTENDED] NAME      columns; EXTENDED adds bindings, pumps and store figures\n"
    "  EXPLAIN statement             the plan\n"
    "  PRINT NAME [FROM BEGINNING] [LIMIT n]   raw records of a stored stream\n"
    "  SET 'from' = 'beginning'|'latest'        where push queries and PRINT start\n"
    "\n"
    "Meta commands\n"
    "  \\help              this text\n"
    "  \\q                 quit (also Ctrl-D, quit, exit)\n"
    "  \\d                 list streams;  \\d NAME  describe one\n"
    "  \\from beginning|latest   same as SET 'from'\n"
    "  \\timing            show how long each statement takes (toggle)\n"
    "  \\x                 expanded rows: one line per column (toggle)\n"
    "  \\mode table|csv|jsonl   how rows are written\n"
    "  \\o FILE            write results to FILE;  \\o  back to standard output\n"
    "  \\i FILE            run the statements of FILE\n";

typedef struct shell {
    repl_ctx r;
    repl_line *line;   /* NULL when not interactive */
    FILE *out_file;    /* \o target, owned */
    int depth;         /* \i nesting */
} shell;

void repl_print_error(const char *text) {
    fputs(text, stderr);
    size_t n = strlen(text);
    if (n == 0 || text[n - 1] != '\n') fputc('\n', stderr);
    fflush(stderr);
}

static void err_msg(const char *msg) {
    fprintf(stderr, "ERROR: %s\n", msg);
    fflush(stderr);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void set_from(shell *sh, int on) {
    sh->r.from_beginning = on;
    if (sh->r.be.set_from_beginning) sh->r.be.set_from_beginning(&sh->r, on);
}

static int run_stream(shell *sh, FILE *in, const char *name);

/* ---------------------------------------------------------------- meta commands */

/* Runs a meta command line. Returns 0, 1 on error, or 2 to quit. */
static int meta(shell *sh, const char *line) {
    char cmd[32] = "", arg[1024] = "";
    const char *p = line + 1;
    size_t n = 0;
    while (*p && *p != ' ' && *p != '\t' && n + 1 < sizeof cmd) cmd[n++] = *p++;
    cmd[n] = '\0';
    while (*p == ' ' || *p == '\t') p++;
    snprintf(arg, sizeof arg, "%s", p);
    n = strlen(arg);
    while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '\t' || arg[n - 1] == ';')) arg[--n] = '\0';
    repl_ctx *r = &sh->r;

    if (!strcmp(cmd, "q") || !strcmp(cmd, "quit")) return 2;
    if (!strcmp(cmd, "help") || !strcmp(cmd, "?") || !strcmp(cmd, "h")) {
        fputs(help_text, r->out.f);
        return 0;
    }
    if (!strcmp(cmd, "timing")) {
        r->timing = !strcasecmp(arg, "on") ? 1 : !strcasecmp(arg, "off") ? 0 : !r->timing;
        fprintf(r->out.f, "Timing is %s.\n", r->timing ? "on" : "off");
        return 0;
    }
    if (!strcmp(cmd, "x")) {
        r->out.expanded = !strcasecmp(arg, "on") ? 1 : !strcasecmp(arg, "off") ? 0 : !r->out.expanded;
        fprintf(r->out.f, "Expanded display is %s.\n", r->out.expanded ? "on" : "off");
        return 0;
    }
    if (!strcmp(cmd, "mode")) {
        if (!strcmp(arg, "table")) r->out.mode = REPL_MODE_TABLE;
        else if (!strcmp(arg, "csv")) r->out.mode = REPL_MODE_CSV;
        else if (!strcmp(arg, "jsonl")) r->out.mode = REPL_MODE_JSONL;
        else {
            err_msg("\\mode takes table, csv or jsonl");
            return 1;
        }
        return 0;
    }
    if (!strcmp(cmd, "from")) {
        if (!strcasecmp(arg, "beginning")) set_from(sh, 1);
        else if (!strcasecmp(arg, "latest")) set_from(sh, 0);
        else if (!arg[0]) {
            /* no argument: show the setting */
        } else {
            err_msg("\\from takes beginning or latest");
            return 1;
        }
        fprintf(r->out.f, "Push queries and PRINT read from %s.\n",
                r->from_beginning ? "the beginning (TRIM_HORIZON)" : "now on (LATEST)");
        return 0;
    }
    if (!strcmp(cmd, "o")) {
        if (sh->out_file) fclose(sh->out_file);
        sh->out_file = NULL;
        r->out.f = stdout;
        if (!arg[0]) return 0;
        sh->out_file = fopen(arg, "w");
        if (!sh->out_file) {
            fprintf(stderr, "ERROR: cannot open %s: %s\n", arg, strerror(errno));
            return 1;
        }
        r->out.f = sh->out_file;
        return 0;
    }
    if (!strcmp(cmd, "i")) {
        if (!arg[0]) {
            err_msg("\\i needs a file name");
            return 1;
        }
        if (sh->depth >= 16) {
            err_msg("\\i is nested too deeply");
            return 1;
        }
        FILE *f = fopen(arg, "r");
        if (!f) {
            fprintf(stderr, "ERROR: cannot open %s: %s\n", arg, strerror(errno));
            return 1;
        }
        sh->depth++;
        int rc = run_stream(sh, f, arg);
        sh->depth--;
        fclose(f);
        return rc == 2 ? 2 : rc != 0;
    }
    if (!strcmp(cmd, "d")) {
        sbuf q;
        sbuf_init(&q);
        if (arg[0]) sbuf_printf(&q, "DESCRIBE %s;", arg);
        else sbuf_puts(&q, "SHOW STREAMS;");
        int rc = r->be.exec(r, q.data, q.len);
        sbuf_free(&q);
        if (rc == 0 && !arg[0] && r->be.list_stored) r->be.list_stored(r);
        return rc != 0;
    }
    fprintf(stderr, "ERROR: unknown command \\%s (try \\help)\n", cmd);
    return 1;
}

/* ---------------------------------------------------------------- statements */

static int statement(shell *sh, const char *sql, size_t len) {
    repl_ctx *r = &sh->r;
    char msg[256];
    repl_print_cmd pc;
    int fb = r->from_beginning;
    stop_flag = 0;
    double t0 = now_ms();
    int rc;
    int k = repl_parse_print(sql, len, &pc, msg, sizeof msg);
    if (k != 0) {
        if (k < 0) {
            err_msg(msg);
            return 1;
        }
        if (!r->be.print) {
            err_msg("PRINT reads the store directly: it works in embedded mode only");
            return 1;
        }
        rc = r->be.print(r, &pc);
    } else if ((k = repl_parse_set(sql, len, &fb, msg, sizeof msg)) != 0) {
        if (k < 0) {
            err_msg(msg);
            return 1;
        }
        set_from(sh, fb);
        fprintf(r->out.f, "Push queries and PRINT read from %s.\n",
                fb ? "the beginning (TRIM_HORIZON)" : "now on (LATEST)");
        rc = 0;
    } else {
        rc = r->be.exec(r, sql, len);
        char name[256];
        if (rc == 0 && r->be.describe_extended &&
            repl_parse_describe_extended(sql, len, name, sizeof name))
            rc = r->be.describe_extended(r, name);
    }
    if (r->timing) fprintf(r->out.f, "Time: %.3f ms\n", now_ms() - t0);
    if (stop_flag) {
        fprintf(stderr, "Query stopped (Ctrl-C).\n");
        stop_flag = 0;
    }
    fflush(r->out.f);
    return rc;
}

/* Runs every complete statement at the front of buf and removes it.
 * Returns 0, or 1 at the first failure (the rest is dropped when not
 * interactive). */
static int drain(shell *sh, sbuf *buf, int *failed) {
    for (;;) {
        size_t end = repl_stmt_end(buf->data, buf->len, NULL);
        if (end == 0) return 0;
        /* Leading blank lines would shift the caret's line numbers. */
        size_t start = 0;
        while (start < end && (buf->data[start] == ' ' || buf->data[start] == '\t' ||
                               buf->data[start] == '\n' || buf->data[start] == '\r'))
            start++;
        int rc = 0;
        if (!repl_stmt_blank(buf->data + start, end - start)) {
            if (sh->line) {
                char *entry = strndup(buf->data + start, end - start);
                if (entry) repl_line_remember(sh->line, entry);
                free(entry);
            }
            rc = statement(sh, buf->data + start, end - start);
        }
        memmove(buf->data, buf->data + end, buf->len - end + 1);
        buf->len -= end;
        if (rc != 0) {
            *failed = 1;
            if (!sh->r.interactive) return 1;
        }
    }
}

static const char *prompt_for(const sbuf *buf) {
    if (repl_stmt_blank(buf->data, buf->len)) return "eddy> ";
    repl_scan_state st;
    repl_stmt_end(buf->data, buf->len, &st);
    switch (st) {
    case REPL_SCAN_STRING: return "eddy'> ";
    case REPL_SCAN_IDENT: return "eddy\"> ";
    case REPL_SCAN_BLOCK_COMMENT: return "eddy*> ";
    default: return "eddy-> ";
    }
}

static int is_quit_word(const char *line) {
    while (*line == ' ' || *line == '\t') line++;
    const char *w[] = {"quit", "exit", "quit;", "exit;"};
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(w[i]);
        if (!strncasecmp(line, w[i], n)) {
            const char *p = line + n;
            while (*p == ' ' || *p == '\t') p++;
            if (!*p) return 1;
        }
    }
    return 0;
}

/* Reads statements from the terminal (in == NULL) or a file until the end.
 * Returns 0, 1 when a statement failed (non-interactive: the first one
 * ends the run), 2 when \q was given. */
static int run_stream(shell *sh, FILE *in, const char *name) {
    sbuf buf;
    sbuf_init(&buf);
    int failed = 0, quit = 0;
    char *fline = NULL;
    size_t fcap = 0;
    int interactive_here = in == NULL;
    for (;;) {
        char *line;
        if (interactive_here) {
            int intr = 0;
            repl_line_set_pending(sh->line, buf.data);
            line = repl_line_read(sh->line, prompt_for(&buf), &intr);
            if (!line) {
                fputc('\n', stdout);
                break;
            }
            if (intr) {
                sbuf_clear(&buf);
                stop_flag = 0;
                free(line);
                continue;
            }
        } else {
            ssize_t n = getline(&fline, &fcap, in);
            if (n < 0) break;
            while (n > 0 && (fline[n - 1] == '\n' || fline[n - 1] == '\r')) fline[--n] = '\0';
            line = strdup(fline);
            if (!line) break;
        }
        const char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (repl_stmt_blank(buf.data, buf.len) && (*p == '\\' || is_quit_word(p))) {
            if (interactive_here) repl_line_remember(sh->line, p);
            int rc = *p == '\\' ? meta(sh, p) : 2;
            free(line);
            sbuf_clear(&buf);
            if (rc == 2) {
                quit = 1;
                break;
            }
            if (rc != 0) {
                failed = 1;
                if (!sh->r.interactive) break;
            }
            continue;
        }
        sbuf_puts(&buf, line);
        sbuf_putc(&buf, '\n');
        free(line);
        if (drain(sh, &buf, &failed) != 0) break;
    }
    if (!failed && !quit && !repl_stmt_blank(buf.data, buf.len)) {
        /* Input ended inside a statement: run it, so the parser reports
         * what is missing (an unclosed string, a forgotten ';'). */
        sbuf_putc(&buf, ';');
        int rc = statement(sh, buf.data, buf.len);
        if (rc != 0) failed = 1;
    }
    (void)name;
    free(fline);
    sbuf_free(&buf);
    return quit ? 2 : failed;
}

/* ---------------------------------------------------------------- main */

static char *history_path(void) {
    const char *h = getenv("EDDY_HISTORY");
    if (h) return *h ? strdup(h) : NULL;
    const char *home = getenv("HOME");
    if (!home || !*home) return NULL;
    size_t n = strlen(home) + 32;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/.eddy_history", home);
    return p;
}

int cli_cmd_repl(int argc, char **argv) {
    const char *data_dir = NULL, *connect = NULL, *file = NULL;
    int memory = 0, from_beginning = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "--data-dir"))) data_dir = v;
        else if ((v = cli_opt(argc, argv, &i, "--connect"))) connect = v;
        else if ((v = cli_opt(argc, argv, &i, "-f")) || (v = cli_opt(argc, argv, &i, "--file"))) file = v;
        else if (!strcmp(argv[i], "--memory")) memory = 1;
        else if (!strcmp(argv[i], "--from-beginning")) from_beginning = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return 0;
        } else {
            fprintf(stderr, "eddy repl: unknown argument %s (try 'eddy repl --help')\n", argv[i]);
            return 2;
        }
    }
    if ((data_dir != NULL) + memory + (connect != NULL) > 1) {
        fprintf(stderr, "eddy repl: choose one of --data-dir, --memory and --connect\n");
        return 2;
    }
    if (!data_dir && !memory && !connect) data_dir = cli_default_data_dir();

    FILE *in = NULL;
    if (file) {
        in = fopen(file, "r");
        if (!in) {
            fprintf(stderr, "eddy repl: cannot open %s: %s\n", file, strerror(errno));
            return 1;
        }
    }
    shell sh;
    memset(&sh, 0, sizeof sh);
    sh.r.stop = &stop_flag;
    sh.r.from_beginning = from_beginning;
    sh.r.interactive = !file && isatty(STDIN_FILENO);
    repl_out_init(&sh.r.out, stdout);

    /* No SA_RESTART: a blocked read returns EINTR, so Ctrl-C reaches the
     * line editor and the query loop at once. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = connect ? repl_http_open(&sh.r, connect) : repl_embed_open(&sh.r, memory ? NULL : data_dir);
    if (rc != 0) {
        if (in) fclose(in);
        return 1;
    }
    if (sh.r.interactive) {
        char *hp = history_path();
        sh.line = repl_line_open(&sh.r, "eddy", hp);
        free(hp);
        if (!sh.line) sh.r.interactive = 0;
    }
    if (sh.r.interactive) {
        printf("eddy %s — streaming SQL shell\n", EDDY_VERSION);
        if (connect) printf("Connected to the server at %s.\n", connect);
        else if (memory) printf("Embedded, on an in-memory store (nothing is kept after \\q).\n");
        else printf("Embedded, on the data directory %s.\n", data_dir);
        printf("Push queries read from %s. Type \\help for help, \\q to quit; end statements with ';'.\n",
               from_beginning ? "the beginning" : "now on (\\from beginning to replay)");
        fflush(stdout);
    }
    rc = run_stream(&sh, sh.r.interactive ? NULL : in ? in : stdin, file ? file : "stdin");
    if (sh.r.interactive) rc = 0;   /* errors were shown; the session itself ended well */
    else if (rc == 2) rc = 0;
    repl_out_free(&sh.r.out);
    if (sh.out_file) fclose(sh.out_file);
    repl_line_close(sh.line);
    if (sh.r.be.close) sh.r.be.close(&sh.r);
    if (in) fclose(in);
    return rc;
}
