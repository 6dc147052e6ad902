/*
 * cli: THE table of subcommands, and the one parser that checks a command
 * line against it (global options anywhere, the command's own options
 * after its name, argument counts) before a handler runs. Handlers live
 * one per file in cmd_<name>.c.
 */
#include "cli/cli.h"

#include "cli/cmd_clock.h"
#include "cli/cmd_down.h"
#include "cli/cmd_exec.h"
#include "cli/cmd_help.h"
#include "cli/cmd_journal.h"
#include "cli/cmd_logs.h"
#include "cli/cmd_reset.h"
#include "cli/cmd_snapshot.h"
#include "cli/cmd_status.h"
#include "cli/cmd_flows.h"
#include "cli/cmd_fn.h"
#include "cli/cmd_queues.h"
#include "cli/cmd_tasks.h"
#include "cli/cmd_timers.h"
#include "cli/cmd_repo.h"
#include "cli/cmd_templates.h"
#include "cli/cmd_topics.h"
#include "cli/cmd_up.h"
#include "client/client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/paths.h"
#include "common/timefmt.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const struct cli_cmd cli_cmds[] = {
    /* name, handler, summary, usage (a line per form), help, options,
     * min and max arguments */
    {"up", cmd_up_run, "start the engine unless one answers",
     "[--listen HOST:PORT]",
     "Starts flowdeckd in the background with the data dir (--data-dir,\n"
     "FLOWDECK_DATA_DIR) and waits until it answers at the endpoint.",
     cmd_up_opts, 0, 0},
    {"down", cmd_down_run, "stop the engine", "",
     "Asks the engine to shut down and waits until it is gone.", NULL, 0, 0},
    {"status", cmd_status_run, "show whether the engine runs, and its state",
     "", "Exits 1 when no engine answers.", NULL, 0, 0},
    {"logs", cmd_logs_run, "print the engine's log", "[-f] [-n N]",
     "Prints the last N lines (default 50); with -f, follows new ones\n"
     "until interrupted.",
     cmd_logs_opts, 0, 0},
    {"clock", cmd_clock_run, "show or steer the engine clock",
     "[show]\npause\nresume\nscale N\nadvance DURATION",
     "The engine clock drives every timer. Pause it, run it N times\n"
     "faster, or move it forward by a duration (250ms, 90s, 10m, 1h30m,\n"
     "2d). With no action, shows it.",
     NULL, 0, 2},
    {"snapshot", cmd_snapshot_run, "save, list, restore or delete snapshots",
     "[list]\nsave NAME [--force]\nrestore NAME\ndelete NAME",
     "A snapshot copies the whole engine state; restore replaces the\n"
     "state with it. --force overwrites a snapshot of the same name.",
     cmd_snapshot_opts, 0, 2},
    {"reset", cmd_reset_run, "empty the whole engine state", "[--yes]",
     "Asks for confirmation on the terminal unless --yes is given.",
     cmd_reset_opts, 0, 0},
    {"journal", cmd_journal_run, "print journal records, newest first",
     "[--kind K] [--id I] [--type T] [--limit N]",
     "The journal says what happened to every message, execution, task\n"
     "token and delivery, and why.",
     cmd_journal_opts, 0, 0},
    {"timers", cmd_timers_run, "list, add or cancel engine timers",
     "[list] [--kind K]\n"
     "add (--after DURATION | --at TIME) [--ref R] [--payload JSON]\n"
     "cancel ID",
     "add schedules a note timer, which journals a note when it is due.",
     cmd_timers_opts, 0, 2},
    {"flows", cmd_flows_run, "deploy and inspect flow definitions",
     "[list]\ndeploy NAME -f FILE [-d DESCRIPTION]\nvalidate -f FILE\n"
     "show NAME [--version V]\ndelete NAME\nhistory NAME\n"
     "diff NAME V1 [V2]",
     "Definitions are FDL v1 (YAML or JSON). Each deploy that changes a\n"
     "flow is a version in the engine's git history; show, history and\n"
     "diff read any version by its id or a prefix of it.",
     cmd_flows_opts, 0, 4},
    {"exec", cmd_exec_run, "start, follow, stop and redrive executions",
     "start FLOW [--name N] [--input JSON|@FILE] [--wait [SECONDS]]\n"
     "[list] [--flow F] [--status S] [--limit N]\n"
     "show NAME [--flow F]\nhistory NAME [--flow F]\n"
     "stop NAME [--flow F] [--error E] [--cause C]\n"
     "redrive NAME [--flow F]",
     "An execution runs one version of a flow. The input is a JSON object.\n"
     "start --wait follows it until it has finished and exits 1 unless it\n"
     "succeeded. history prints every event, oldest first. redrive runs a\n"
     "failed or timed-out execution again from the steps that failed.",
     cmd_exec_opts, 0, -1},
    {"tasks", cmd_tasks_run, "list task tokens and call them back",
     "[list] [--all] [--flow F]\nshow TOKEN\n"
     "succeed TOKEN [--output JSON|@FILE]\n"
     "fail TOKEN --error E [--cause C]\nheartbeat TOKEN",
     "A waitForCallback step waits for a callback with its task token;\n"
     "succeed, fail and heartbeat send one as the worker would. The list\n"
     "shortens tokens: exec show and -o json print them whole.",
     cmd_tasks_opts, 0, -1},
    {"topics", cmd_topics_run, "manage topics, subscriptions and pushes",
     "[list] [--prefix P]\n"
     "create NAME [--max-size B]\nshow NAME\ndelete NAME\n"
     "subscribe NAME SUB ENDPOINT [--tag T] [--policy JSON|@FILE]\n"
     "          [--scope attributes|body] [--strategy S] [--format F]\n"
     "unsubscribe NAME SUB\n"
     "publish NAME [BODY|@FILE|-] [--tag T] [--attrs JSON]\n"
     "deliveries NAME [--sub S] [--status S] [--limit N]\n"
     "redeliver NAME DELIVERY-ID\n"
     "explain NAME [BODY|@FILE|-] [--tag T] [--attrs JSON]",
     "An ENDPOINT is http(s)://..., queue:NAME (or an MNS or SQS queue\n"
     "ARN). A publish fans out to every subscription whose filter tag and\n"
     "filter policy take it; queue deliveries are made at once, HTTP ones\n"
     "are pushed and retried by the strategy on the engine clock. explain\n"
     "says which subscriptions a message would reach and why.",
     cmd_topics_opts, 0, -1},
    {"queues", cmd_queues_run, "manage queues and their messages",
     "[list] [--prefix P]\n"
     "create NAME [--delay S] [--visibility S] [--retention S] "
     "[--max-size B]\n"
     "            [--wait S] [--dlq QUEUE --max-receives N] [--fifo] "
     "[--content-dedup]\n"
     "set NAME [the options of create but --fifo]\n"
     "show NAME\ndelete NAME\npurge NAME [--yes]\n"
     "send NAME [BODY|@FILE|-] [-p N] [--delay S] [--attrs JSON] "
     "[--group G] [--dedup D]\n"
     "receive NAME [-n N] [--wait S] [--visibility S]\n"
     "delete-message NAME RECEIPT...\n"
     "change-visibility NAME RECEIPT SECONDS\n"
     "peek NAME [--state S] [--limit N] [--cursor C]\n"
     "redrive NAME [MESSAGE-ID...] [--to QUEUE]\n"
     "journal NAME [MESSAGE-ID]",
     "send reads the body from its argument, a file (@FILE) or standard\n"
     "input (- or nothing). peek never consumes: it changes no count and\n"
     "no visibility. redrive moves dead letters back to the queue each\n"
     "came from, or all to --to, with their receive counts reset.",
     cmd_queues_opts, 0, -1},
    {"fn", cmd_fn_run, "manage local functions, invoke them, read logs",
     "[list]\n"
     "create NAME [--cwd D] [--env JSON] [--timeout S] "
     "[--max-concurrency N] -- PROGRAM [ARG...]\n"
     "create NAME --url URL [--timeout S]\n"
     "show NAME\ndelete NAME\n"
     "invoke NAME [EVENT-JSON|@FILE|-] [--async]\n"
     "logs NAME [--limit N]\n"
     "invocations NAME [--limit N]\n"
     "invocation NAME ID\n"
     "trigger list NAME\n"
     "trigger create NAME --queue Q [--batch-size N] [--window S] "
     "[--max-concurrency N]\n"
     "trigger pause|resume|delete NAME ID",
     "A function is a command run as a process (the event JSON on stdin,\n"
     "the result JSON on stdout, stderr its log; never a shell) or an\n"
     "HTTP service the event is POSTed to. invoke waits for the result;\n"
     "logs prints the latest invocations with their stderr; invocations\n"
     "lists them, invocation shows one with its result and log. A trigger\n"
     "polls a queue and invokes the function with batches of messages.",
     cmd_fn_opts, 0, -1},
    {"templates", cmd_templates_run, "deploy application templates, run "
     "their samples",
     "[list]\nshow NAME\n"
     "deploy NAME [--param K=V ...] [--stack S]\n"
     "demo NAME [--input SAMPLE] [--param K=V ...] [--stack S] "
     "[--timeout S]\n" CMD_REPO_USAGE,
     "A template is a folder: template.yaml with parameters, resources\n"
     "(queues, topics, subscriptions, functions, triggers, flows) and\n"
     "samples (docs/templates.md). deploy checks it all, then makes every\n"
     "resource as one stack, or nothing; deploying again applies changes.\n"
     "demo deploys when needed, starts a sample and follows it to the end.\n"
     "repo adds git repositories of templates to the catalog.",
     cmd_templates_opts, 0, -1},
    {"stacks", cmd_stacks_run, "list and delete deployed stacks",
     "[list]\nshow S\nevents S\ndelete S",
     "A stack is what one deploy of a template made; delete removes it\n"
     "and nothing else.",
     cmd_stacks_opts, 0, -1},
    {"help", cmd_help_run, "show help for flowdeck or a command", "[COMMAND]",
     NULL, NULL, 0, 1},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0},
};

enum {
    CLI_G_ENDPOINT,
    CLI_G_TOKEN,
    CLI_G_DATA_DIR,
    CLI_G_OUTPUT,
    CLI_G_HELP,
    CLI_G_VERSION,
    CLI_G_COUNT
};

static const struct cli_opt cli_global_opts[] = {
    [CLI_G_ENDPOINT] = {"endpoint", 0, "URL",
                        "engine address (FLOWDECK_ENDPOINT;\n"
                        "default " CLIENT_DEFAULT_ENDPOINT ")"},
    [CLI_G_TOKEN] = {"token", 0, "T",
                     "API token, sent as a bearer token\n"
                     "(FLOWDECK_AUTH_TOKEN)"},
    [CLI_G_DATA_DIR] = {"data-dir", 0, "D",
                        "data dir of an engine flowdeck starts\n"
                        "(FLOWDECK_DATA_DIR; default "
                        "$XDG_DATA_HOME/flowdeck,\n"
                        "else ~/.local/share/flowdeck)"},
    [CLI_G_OUTPUT] = {"output", 'o', "json|table",
                      "print the API's JSON, or tables (default)"},
    [CLI_G_HELP] = {"help", 'h', NULL, "show help"},
    [CLI_G_VERSION] = {"version", 0, NULL, "show the version"},
    [CLI_G_COUNT] = {NULL, 0, NULL, NULL},
};

const struct cli_cmd *
cli_find(const char *name)
{
    for (const struct cli_cmd *c = cli_cmds; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

#define CLI_OPT_COL 22

static void
cli_print_opts(FILE *f, const struct cli_opt *opts)
{
    for (const struct cli_opt *o = opts; o->name; o++) {
        char left[48];
        const char *h = o->help, *nl;

        snprintf(left, sizeof(left), "%c%c%s--%s%s%s", o->letter ? '-' : ' ',
                 o->letter ? o->letter : ' ', o->letter ? ", " : "  ", o->name,
                 o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-*s", CLI_OPT_COL, left);
        if (strlen(left) >= CLI_OPT_COL)
            fprintf(f, "\n  %-*s", CLI_OPT_COL, "");
        /* help text may span lines: indent each under the first */
        while ((nl = strchr(h, '\n')) != NULL) {
            fprintf(f, "%.*s\n  %-*s", (int)(nl - h), h, CLI_OPT_COL, "");
            h = nl + 1;
        }
        fprintf(f, "%s\n", h);
    }
}

void
cli_usage(FILE *f, const struct cli_cmd *cmd)
{
    if (cmd) {
        const char *u = cmd->usage, *nl;

        /* one line per form of the command */
        fputs("usage:", f);
        while ((nl = strchr(u, '\n')) != NULL) {
            fprintf(f, " flowdeck %s %.*s\n      ", cmd->name, (int)(nl - u),
                    u);
            u = nl + 1;
        }
        fprintf(f, " flowdeck %s%s%s\n\n%c%s.\n", cmd->name, *u ? " " : "", u,
                toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
        if (cmd->help)
            fprintf(f, "%s\n", cmd->help);
        if (cmd->opts) {
            fputs("\nOptions:\n", f);
            cli_print_opts(f, cmd->opts);
        }
        fputs("\nGlobal options (see flowdeck --help): --endpoint URL, "
              "--token T,\n--data-dir D, -o json|table.\n",
              f);
        return;
    }
    fputs("usage: flowdeck [OPTIONS] [COMMAND [ARGS]]\n\n"
          "With no command, opens the dashboard, starting the engine first "
          "if none\nanswers.\n\nCommands:\n",
          f);
    for (const struct cli_cmd *c = cli_cmds; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fputs("\nOptions (before or after the command):\n", f);
    cli_print_opts(f, cli_global_opts);
    fputs("\nExit status: 0 done, 1 the request failed, 2 bad usage.\n"
          "'flowdeck help COMMAND' or 'flowdeck COMMAND --help' shows a "
          "command's usage.\n",
          f);
}

int
cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
    va_list ap;

    fputs("flowdeck: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\n", stderr);
    cli_usage(stderr, cli->cmd);
    return CLI_EXIT_USAGE;
}

/* Is `opt` a whole word of the space-separated list `list`? */
static int
cli_word_in(const char *list, const char *opt)
{
    size_t n = strlen(opt);

    for (const char *p = list; (p = strstr(p, opt)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

int
cli_check_action_opts(const struct cli *cli, const char *action,
                      const char *allowed)
{
    if (cli->cmd == NULL || cli->cmd->opts == NULL)
        return 0;
    for (const struct cli_opt *o = cli->cmd->opts; o->name; o++)
        if (cli_opt_value(cli, o->name) && !cli_word_in(allowed, o->name))
            return cli_usage_error(cli, "--%s does not go with %s %s",
                                   o->name, cli->cmd->name, action);
    return 0;
}

int
cli_fail(void)
{
    fprintf(stderr, "flowdeck: %s\n", err_last());
    return CLI_EXIT_FAIL;
}

void
cli_print_json(const json_t *j)
{
    if (j == NULL)
        return;
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
    fputc('\n', stdout);
}

char *
cli_json_text(const json_t *v)
{
    if (v == NULL || json_is_null(v))
        return xstrdup("");
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_real(v)) /* 60, not 60.0 */
        return xasprintf("%.15g", json_real_value(v));
    return jsonx_dump(v);
}

const char *
cli_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

int
cli_read_file(char **out, const char *path, size_t max)
{
    struct buf b = BUF_INIT(max);
    int from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    char chunk[8192];
    size_t n;
    int rc = 0;

    *out = NULL;
    if (f == NULL)
        return err_set(ENG_EINVAL, "cannot read %s: %s", path,
                       strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf_append(&b, chunk, n) != 0) {
            rc = err_set(ENG_ETOOBIG, "%s is over %zu bytes",
                         from_stdin ? "standard input" : path, max);
            break;
        }
    }
    if (!from_stdin)
        fclose(f);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    *out = buf_take(&b);
    return 0;
}

int
cli_print_batch(const json_t *resp, const char *count_key, const char *verb,
                const char *id_key)
{
    int status = CLI_EXIT_OK;
    json_t *f;
    size_t i;

    printf("%s %lld\n", verb,
           (long long)json_integer_value(json_object_get(resp, count_key)));
    json_array_foreach(json_object_get(resp, "failed"), i, f) {
        fprintf(stderr, "flowdeck: %s: %s (%s)\n", cli_str(f, id_key),
                cli_str(f, "message"), cli_str(f, "code"));
        status = CLI_EXIT_FAIL;
    }
    return status;
}

int
cli_parse_int(long *out, const char *s, long min, long max)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || n < min || n > max)
        return err_set(ENG_EINVAL, "'%s' is not a whole number from %ld to %ld",
                       s, min, max);
    *out = n;
    return 0;
}

int
cli_get_all(json_t **out, struct cli *cli, const char *path)
{
    json_t *all = json_array(), *page = NULL;
    const char *next = NULL;
    struct buf p = BUF_INIT(0);
    int rc;

    *out = NULL;
    for (;;) {
        buf_reset(&p);
        buf_puts(&p, path);
        client_query_add(&p, "limit", "1000");
        if (next)
            client_query_add(&p, "cursor", next);
        json_decref(page);
        page = NULL;
        rc = client_request(&page, cli_client(cli), "GET", buf_str(&p), NULL);
        if (rc)
            break;
        json_array_extend(all, json_object_get(page, "items"));
        next = json_string_value(json_object_get(page, "next"));
        if (next == NULL || *next == '\0')
            break;
    }
    json_decref(page);
    buf_free(&p);
    if (rc) {
        json_decref(all);
        return rc;
    }
    *out = json_pack("{s:o}", "items", all);
    return 0;
}

int64_t
cli_now_ms(struct cli *cli)
{
    json_t *clock = NULL;
    int64_t now = timefmt_real_now_ms();
    json_t *ms;

    if (client_get_clock(&clock, cli_client(cli)) == 0 &&
        json_is_integer(ms = json_object_get(clock, "now_ms")))
        now = json_integer_value(ms);
    json_decref(clock);
    return now;
}

void
cli_age(char *out, size_t n, const char *since, int64_t now_ms)
{
    int64_t t;

    if (since == NULL || timefmt_parse_rfc3339(&t, since) != 0) {
        snprintf(out, n, "%s", "");
        return;
    }
    timefmt_duration(out, n, now_ms > t ? now_ms - t : 0);
}

int
cli_json_object_arg(json_t **out, const struct cli *cli, const char *opt,
                    const char *arg)
{
    char *text = NULL;
    json_error_t jerr;
    json_t *j;

    *out = NULL;
    if (arg[0] == '@') {
        if (cli_read_file(&text, arg + 1, CLIENT_BODY_MAX) != 0)
            return cli_fail();
    } else {
        text = xstrdup(arg);
    }
    /* any JSON value, so that `--input 42` hears it is no object */
    j = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (j == NULL)
        return cli_usage_error(cli, "--%s is not JSON: line %d, column %d: "
                                    "%s",
                               opt, jerr.line, jerr.column, jerr.text);
    if (!json_is_object(j)) {
        static const char *const what[] = {
            [JSON_ARRAY] = "an array",  [JSON_STRING] = "a string",
            [JSON_INTEGER] = "a number", [JSON_REAL] = "a number",
            [JSON_TRUE] = "true",        [JSON_FALSE] = "false",
            [JSON_NULL] = "null",        [JSON_OBJECT] = "an object"};
        int type = json_typeof(j);

        json_decref(j);
        return cli_usage_error(cli, "--%s must be a JSON object, like "
                                    "'{\"key\": \"value\"}', not %s",
                               opt, what[type]);
    }
    *out = j;
    return 0;
}

size_t
cli_width(void)
{
    struct winsize ws;
    const char *cols = getenv("COLUMNS");
    char *end;
    long n;

    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
        ws.ws_col > 0)
        return ws.ws_col;
    if (cols && *cols) {
        n = strtol(cols, &end, 10);
        if (*end == '\0' && n > 0 && n < 10000)
            return (size_t)n;
    }
    return 0;
}

/* Returns: the index of the option in `opts` matching a long name (of
 * length n) or a letter, or -1 */
static int
cli_match(const struct cli_opt *opts, const char *name, size_t n, int letter)
{
    if (opts == NULL)
        return -1;
    for (int i = 0; opts[i].name; i++) {
        if (letter ? opts[i].letter == letter
                   : strlen(opts[i].name) == n &&
                         strncmp(opts[i].name, name, n) == 0)
            return i;
    }
    return -1;
}

/* setting, else the environment, else the default; a new string */
static char *
cli_setting(const char *given, const char *env, const char *dflt)
{
    const char *e = getenv(env);

    if (given)
        return xstrdup(given);
    if (e && *e)
        return xstrdup(e);
    return dflt ? xstrdup(dflt) : NULL;
}

/*
 * One option at argv[*i]: find it among the command's options and then
 * the globals, and store its value. Returns: 0 or CLI_EXIT_USAGE.
 */
static int
cli_parse_opt(struct cli *cli, const char **gv, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *name, *inline_val = NULL, *eq;
    const struct cli_opt *o;
    size_t n = 0;
    int letter = 0, k;

    if (a[1] == '-') {
        name = a + 2;
        eq = strchr(name, '=');
        n = eq ? (size_t)(eq - name) : strlen(name);
        inline_val = eq ? eq + 1 : NULL;
    } else {
        name = a + 1;
        letter = (unsigned char)a[1];
        inline_val = a[2] ? a + 2 : NULL;
    }
    /* the command's own options first: `flows show --version V` is the
     * command's, `flowdeck --version` the global one */
    if (cli->cmd && (k = cli_match(cli->cmd->opts, name, n, letter)) >= 0) {
        o = &cli->cmd->opts[k];
    } else if ((k = cli_match(cli_global_opts, name, n, letter)) >= 0) {
        o = &cli_global_opts[k];
    } else {
        return cli_usage_error(cli, "unknown option '%s'", a);
    }
    if (o->arg == NULL && inline_val)
        return cli_usage_error(cli, "option --%s takes no value", o->name);
    if (o->arg && o->arg[0] == '[' && inline_val == NULL) {
        /* an optional value ("[SECONDS]") is only a number that follows */
        if (*i + 1 < argc && isdigit((unsigned char)argv[*i + 1][0]))
            inline_val = argv[++*i];
    } else if (o->arg && inline_val == NULL) {
        if (*i + 1 >= argc)
            return cli_usage_error(cli, "option --%s needs a value (%s)",
                                   o->name, o->arg);
        inline_val = argv[++*i];
    }
    if (inline_val == NULL)
        inline_val = "";
    if (o >= cli_global_opts && o < cli_global_opts + CLI_G_COUNT) {
        gv[k] = inline_val;
    } else if (cli->values[k] && o->arg && strchr(o->arg, '=')) {
        /* a K=V option adds up when repeated: the values, one a line */
        char *joined = xasprintf("%s\n%s", cli->values[k], inline_val);

        cli->joined = xreallocarray(cli->joined, cli->njoined + 1,
                                    sizeof(*cli->joined));
        cli->joined[cli->njoined++] = joined;
        cli->values[k] = joined;
    } else {
        cli->values[k] = inline_val;
    }
    return 0;
}

/* size the option values of a command just found */
static void
cli_set_cmd(struct cli *cli, const struct cli_cmd *cmd)
{
    int n = 0;

    cli->cmd = cmd;
    while (cmd->opts && cmd->opts[n].name)
        n++;
    cli->values = xcalloc((size_t)n + 1, sizeof(*cli->values));
}

int
cli_parse(struct cli *cli, int argc, char **argv)
{
    const char *gv[CLI_G_COUNT] = {NULL};
    const struct cli_cmd *cmd;
    char *ep;
    int only_args = 0;

    memset(cli, 0, sizeof(*cli));
    cli->argv = xcalloc((size_t)argc + 1, sizeof(*cli->argv));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!only_args && strcmp(a, "--") == 0) {
            only_args = 1;
        } else if (!only_args && a[0] == '-' && a[1] != '\0') {
            if (cli_parse_opt(cli, gv, argc, argv, &i) != 0)
                return CLI_EXIT_USAGE;
        } else if (cli->cmd == NULL) {
            cmd = cli_find(a);
            if (cmd == NULL)
                return cli_usage_error(cli, "unknown command '%s'", a);
            cli_set_cmd(cli, cmd);
        } else {
            cli->argv[cli->argc++] = a;
        }
    }
    if (gv[CLI_G_HELP]) {
        cli_usage(stdout, cli->cmd);
        return CLI_EXIT_OK;
    }
    if (gv[CLI_G_VERSION]) {
        printf("flowdeck %s\n", FLOWDECK_VERSION);
        return CLI_EXIT_OK;
    }
    if (gv[CLI_G_OUTPUT] && strcmp(gv[CLI_G_OUTPUT], "json") != 0 &&
        strcmp(gv[CLI_G_OUTPUT], "table") != 0)
        return cli_usage_error(cli, "-o must be json or table, not '%s'",
                               gv[CLI_G_OUTPUT]);
    cli->json = gv[CLI_G_OUTPUT] && strcmp(gv[CLI_G_OUTPUT], "json") == 0;
    if (cli->cmd && cli->argc < cli->cmd->min_args)
        return cli_usage_error(cli, "%s: missing argument", cli->cmd->name);
    if (cli->cmd && cli->cmd->max_args >= 0 && cli->argc > cli->cmd->max_args)
        return cli_usage_error(cli, "%s: unexpected argument '%s'",
                               cli->cmd->name, cli->argv[cli->cmd->max_args]);
    ep = cli_setting(gv[CLI_G_ENDPOINT], "FLOWDECK_ENDPOINT",
                     CLIENT_DEFAULT_ENDPOINT);
    cli->endpoint = client_normalize_endpoint(ep);
    free(ep);
    if (client_endpoint_hostport(&cli->listen, cli->endpoint) != 0)
        return cli_usage_error(cli, "%s", err_last());
    cli->token = cli_setting(gv[CLI_G_TOKEN], "FLOWDECK_AUTH_TOKEN", NULL);
    /* the engine's own default, so both agree ($FLOWDECK_DATA_DIR ...) */
    cli->data_dir = gv[CLI_G_DATA_DIR] ? paths_absolute(gv[CLI_G_DATA_DIR])
                                       : paths_default_data_dir();
    return CLI_CONTINUE;
}

int
cli_run(struct cli *cli)
{
    return cli->cmd->run(cli);
}

void
cli_free(struct cli *cli)
{
    client_free(cli->client);
    free(cli->argv);
    free(cli->values);
    for (size_t i = 0; i < cli->njoined; i++)
        free(cli->joined[i]);
    free(cli->joined);
    free(cli->endpoint);
    free(cli->token);
    free(cli->data_dir);
    free(cli->listen);
    memset(cli, 0, sizeof(*cli));
}

const char *
cli_opt_value(const struct cli *cli, const char *name)
{
    int k = cli_match(cli->cmd->opts, name, strlen(name), 0);

    return k >= 0 ? cli->values[k] : NULL;
}

int
cli_call(json_t **out, struct cli *cli, const char *method, const char *path,
         json_t *body)
{
    return client_request(out, cli_client(cli), method, path, body) != 0
               ? cli_fail()
               : CLI_EXIT_OK;
}

char *
cli_path(const char *base, const char *name, const char *rest)
{
    char *n = client_escape(name);
    char *p = xasprintf("%s/%s%s", base, n, rest ? rest : "");

    free(n);
    return p;
}

struct client *
cli_client(struct cli *cli)
{
    if (cli->client == NULL)
        cli->client = client_create(cli->endpoint, cli->token);
    return cli->client;
}
