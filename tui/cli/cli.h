/*
 * cli: the flowdeck command line. One table (cli.c) lists every
 * subcommand with its handler, help, usage, options and argument counts;
 * cli_parse() validates a command line against it before any handler
 * runs, so handlers only read what is already known to be well formed.
 */
#ifndef FLOWDECK_CLI_H
#define FLOWDECK_CLI_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

struct client;

/* Exit statuses: what handlers return and what flowdeck exits with. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,  /* a request failed: engine error or no engine */
    CLI_EXIT_USAGE = 2, /* bad command line; usage went to stderr */
    CLI_CONTINUE = -1   /* cli_parse(): go on and run the command */
};

struct cli_opt {
    const char *name; /* long name: "force" is --force */
    int letter;       /* short name ('f' is -f), or 0 */
    const char *arg;  /* placeholder of its value ("N"); NULL: a flag;
                       * "[N]": an optional value, taken only when the
                       * next argument is a number ("" when absent) */
    const char *help;
};

struct cli;

struct cli_cmd {
    const char *name;
    int (*run)(struct cli *cli); /* Returns: a CLI_EXIT_* status */
    const char *summary;         /* one line for `flowdeck help` */
    const char *usage;           /* what follows the name, or "" */
    const char *help;            /* more lines for `--help`, or NULL */
    const struct cli_opt *opts;  /* ends with a NULL name; NULL for none */
    int min_args, max_args;      /* positional arguments; -1: no limit */
};

struct cli {
    char *endpoint; /* normalized */
    char *token;    /* NULL when none */
    char *data_dir;
    char *listen;              /* host:port of the endpoint */
    int json;                  /* -o json */
    const struct cli_cmd *cmd; /* NULL: open the dashboard */
    int argc;                  /* positional arguments after the command name */
    const char **argv;
    const char **values;   /* per cmd->opts: the value, "" for a flag;
                            * a repeated K=V option: its values, one a
                            * line */
    char **joined;         /* those joined values, owned */
    size_t njoined;
    struct client *client; /* made on first use by cli_client() */
};

/*
 * Parse argv into `cli` (always release it with cli_free()). Prints help,
 * the version or a usage error itself. Returns: CLI_CONTINUE when there
 * is a command (or the dashboard) to run, else the exit status.
 */
int cli_parse(struct cli *cli, int argc, char **argv);

/* Run the parsed command. Returns: its exit status. */
int cli_run(struct cli *cli);

void cli_free(struct cli *cli);

/* Returns: the command named `name`, or NULL. */
const struct cli_cmd *cli_find(const char *name);

/* Print the usage of `cmd` (NULL: of flowdeck) to `f`. */
void cli_usage(FILE *f, const struct cli_cmd *cmd);

/*
 * Returns: borrowed; the value of option `name` of the running command
 * ("" for a flag that is set), or NULL when it was not given.
 */
const char *cli_opt_value(const struct cli *cli, const char *name);

/* Returns: borrowed; the engine client, made on first use. */
struct client *cli_client(struct cli *cli);

/* Print "flowdeck: <err_last()>" to stderr. Returns: CLI_EXIT_FAIL. */
int cli_fail(void);

/*
 * A request through the engine client (`body` borrowed, may be NULL).
 * Returns: CLI_EXIT_OK and the answer (new) in *out, or CLI_EXIT_FAIL
 * after cli_fail().
 */
int cli_call(json_t **out, struct cli *cli, const char *method,
             const char *path, json_t *body);

/* Returns: a new path "<base>/<name, escaped><rest>" (rest may be NULL). */
char *cli_path(const char *base, const char *name, const char *rest);

/* Print "flowdeck: <fmt>" and the usage to stderr. Returns: CLI_EXIT_USAGE */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Refuse an option of the running command that its action `action` does
 * not take: `allowed` lists the long names it takes, space-separated
 * (whole words). Returns: 0, or CLI_EXIT_USAGE after a usage error
 * naming the option ("--flow does not go with tasks show").
 */
int cli_check_action_opts(const struct cli *cli, const char *action,
                          const char *allowed);

/* Print `j` (borrowed; nothing when NULL) as indented JSON to stdout. */
void cli_print_json(const json_t *j);

/*
 * Returns: a new string showing `v` (borrowed; may be NULL) in a table:
 * strings as they are, anything else as compact JSON, NULL as "".
 */
char *cli_json_text(const json_t *v);

/* Returns: borrowed; o[key] when it is a string, else "". */
const char *cli_str(const json_t *o, const char *key);

/*
 * Read the file at `path` ("-": standard input) whole, at most `max`
 * bytes. Returns: 0 and a new NUL-terminated copy in *out, or ENG_EINVAL
 * (cannot read) / ENG_ETOOBIG naming the path.
 */
int cli_read_file(char **out, const char *path, size_t max);

/*
 * Print a batch answer: "<verb> N" (N = resp[count_key]) on stdout, and
 * each entry of resp["failed"] as "flowdeck: <id>: <message> (<code>)" on
 * stderr, <id> read from `id_key`. Returns: CLI_EXIT_OK, or CLI_EXIT_FAIL
 * when any entry failed.
 */
int cli_print_batch(const json_t *resp, const char *count_key,
                    const char *verb, const char *id_key);

/*
 * Parse `s` as a whole number from min to max. Returns: 0, or ENG_EINVAL
 * with a message saying what it must be.
 */
int cli_parse_int(long *out, const char *s, long min, long max);

/*
 * GET `path` (its query may be there already) page after page, following
 * `next` cursors. Returns: 0 and in *out a new {"items": [...]} of every
 * page's items, or the failed request's ENG_* code.
 */
int cli_get_all(json_t **out, struct cli *cli, const char *path);

/* Returns: the engine clock's now in ms, or the real time when the engine
 * does not say. */
int64_t cli_now_ms(struct cli *cli);

/*
 * Write into `out` (n bytes) how long ago the RFC 3339 time `since` was at
 * `now_ms`, like "42s" or "14m00s"; "" when `since` is no time.
 */
void cli_age(char *out, size_t n, const char *since, int64_t now_ms);

/*
 * The JSON object option `opt` gives as text or @FILE (@- is standard
 * input). Returns: 0 and a new object in *out; else, with a message on
 * stderr, CLI_EXIT_FAIL (the file cannot be read) or CLI_EXIT_USAGE (no
 * JSON, or not an object).
 */
int cli_json_object_arg(json_t **out, const struct cli *cli, const char *opt,
                        const char *arg);

/*
 * Returns: the columns to fit tables in: the terminal's width when stdout
 * is one, else $COLUMNS, else 0 (no limit).
 */
size_t cli_width(void);

#endif
