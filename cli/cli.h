/*
 * cli.h — the `eddy` command's subcommands. Each lives in cli/cmd_<name>.c
 * and takes the arguments after its own name (argv[0] is the subcommand).
 * Each returns the process exit status (0 ok, 1 failure, 2 usage error).
 */
#ifndef EDDY_CLI_H
#define EDDY_CLI_H

int cli_cmd_stream(int argc, char **argv);   /* stream create|list|describe|delete|split|merge|scale */
int cli_cmd_put(int argc, char **argv);      /* put STREAM < lines */
int cli_cmd_tail(int argc, char **argv);     /* tail STREAM */
int cli_cmd_serve(int argc, char **argv);    /* the Kinesis API server */
int cli_cmd_run(int argc, char **argv);      /* run an application */
int cli_cmd_explain(int argc, char **argv);  /* explain FILE.sql|APP.json */
int cli_cmd_repl(int argc, char **argv);     /* interactive SQL */
int cli_cmd_demo(int argc, char **argv);     /* `make demo` */

/* Shared option helpers (cli/cli_util.c). */

/* Returns the value of `--name VALUE` or `--name=VALUE` at argv[*i] and
 * advances *i past it; NULL if argv[*i] is not that option. Exits with a
 * usage error when the value is missing. */
const char *cli_opt(int argc, char **argv, int *i, const char *name);

/* Default data directory: $EDDY_DATA_DIR or ./eddy-data. */
const char *cli_default_data_dir(void);

#endif
