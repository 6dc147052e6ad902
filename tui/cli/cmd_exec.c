/*
 * cmd_exec: `flowdeck exec ACTION ...`: start, list, show, history, stop
 * and redrive flow executions through /v1/executions. `start --wait`
 * long-polls the execution until it has finished. Tables for people;
 * with -o json, the API's JSON.
 */
#include "cli/cmd_exec.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_EXEC_POLL_MAX 60    /* the engine's longest wait, in seconds */
#define CMD_EXEC_INLINE_JSON 60 /* longer JSON is shown indented */
#define CMD_EXEC_DETAIL_COLS 80 /* of an event's detail in history */

const struct cli_opt cmd_exec_opts[] = {
    {"name", 0, "N", "start: the execution's name (default: a UUID)"},
    {"input", 0, "JSON", "start: the input, a JSON object or @FILE"},
    {"wait", 0, "[SECONDS]",
     "start: wait until it has finished (at most\nSECONDS; default: no "
     "limit)"},
    {"flow", 0, "F",
     "list: only executions of flow F; others: the\nflow of the execution "
     "(needed only when two\nflows have executions of that name)"},
    {"status", 0, "S",
     "list: only executions with this status\n(Running, Succeeded, "
     "Failed ...)"},
    {"limit", 0, "N", "list: at most N (default 50, at most 1000)"},
    {"error", 0, "E", "stop: the error to record"},
    {"cause", 0, "C", "stop: the cause to record"},
    {NULL, 0, NULL, NULL}};

/* ---- helpers ---- */

/* The path of execution `name` with `rest` ("", "/history" ...) and its
 * ?flow= when --flow (or `flow`, when not NULL) names it, into `b`. */
static void
cmd_exec_path(struct buf *b, struct cli *cli, const char *flow,
              const char *name, const char *rest)
{
    char *e = client_escape(name);

    if (flow == NULL)
        flow = cli_opt_value(cli, "flow");
    buf_printf(b, "/v1/executions/%s%s", e, rest);
    if (flow)
        client_query_add(b, "flow", flow);
    free(e);
}

static int
cmd_exec_terminal(const char *status)
{
    return strcmp(status, "Succeeded") == 0 || strcmp(status, "Failed") == 0 ||
           strcmp(status, "Stopped") == 0 || strcmp(status, "TimedOut") == 0;
}

/* Write how long execution `x` ran (or runs: until `now_ms`), or "". */
static void
cmd_exec_duration(char *out, size_t n, const json_t *x, int64_t now_ms)
{
    int64_t started, stopped = now_ms;
    const char *s = cli_str(x, "stopped");

    if (timefmt_parse_rfc3339(&started, cli_str(x, "started")) != 0 ||
        (*s && timefmt_parse_rfc3339(&stopped, s) != 0)) {
        snprintf(out, n, "%s", "");
        return;
    }
    timefmt_duration(out, n, stopped > started ? stopped - started : 0);
}

/* "label      value" with JSON `v` compact when short, else indented. */
static void
cmd_exec_print_json_field(const char *label, const json_t *v)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY); /* {"a": 1, "b": 2} */

    client_check_alloc(text);
    if (strlen(text) > CMD_EXEC_INLINE_JSON) {
        free(text);
        text = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
        client_check_alloc(text);
    }
    printf("%-10s ", label);
    for (const char *p = text; *p; p++) {
        putchar(*p);
        if (*p == '\n')
            printf("%-10s ", "");
    }
    putchar('\n');
    free(text);
}

/* Print execution `x` for people. */
static void
cmd_exec_print(struct cli *cli, const json_t *x)
{
    static const char *const head[] = {"STEP", "STATE", "SINCE", "TOKEN"};
    const json_t *cur = json_object_get(x, "current"), *c;
    const char *status = cli_str(x, "status");
    char dur[32];
    size_t i;

    printf("%-10s %s\n", "execution", cli_str(x, "name"));
    printf("%-10s %s, version %.12s\n", "flow", cli_str(x, "flow"),
           cli_str(x, "version"));
    printf("%-10s %s\n", "status", status);
    printf("%-10s %s\n", "started", cli_str(x, "started"));
    if (*cli_str(x, "stopped")) {
        cmd_exec_duration(dur, sizeof(dur), x, 0);
        printf("%-10s %s (after %s)\n", "stopped", cli_str(x, "stopped"), dur);
    } else if (!cmd_exec_terminal(status)) {
        cmd_exec_duration(dur, sizeof(dur), x, cli_now_ms(cli));
        printf("%-10s for %s\n", "running", dur);
    }
    if (json_object_get(x, "input"))
        cmd_exec_print_json_field("input", json_object_get(x, "input"));
    if (json_object_get(x, "output"))
        cmd_exec_print_json_field("output", json_object_get(x, "output"));
    if (*cli_str(x, "error"))
        printf("%-10s %s\n", "error", cli_str(x, "error"));
    if (*cli_str(x, "cause"))
        printf("%-10s %s\n", "cause", cli_str(x, "cause"));
    if (json_array_size(cur) > 0) {
        struct cli_table *t = cli_table_create(4, head);

        printf("\ncurrent steps:\n");
        json_array_foreach(cur, i, c)
        {
            cli_table_cell(t, cli_str(c, "step"));
            cli_table_cell(t, cli_str(c, "state"));
            cli_table_cell(t, cli_str(c, "since"));
            cli_table_cell(t, cli_str(c, "token"));
        }
        /* no width limit: a token cut short is no use */
        cli_table_print(t, stdout, 0);
        cli_table_free(t);
    }
}

/*
 * Long-poll execution *x (replaced by each answer) until it has finished,
 * or for at most `limit_s` seconds (< 0: no limit). Returns: 0 or the
 * failed request's ENG_* code.
 */
static int
cmd_exec_wait(json_t **x, struct cli *cli, long limit_s)
{
    int64_t deadline = timefmt_mono_ms() + (int64_t)limit_s * 1000;
    struct buf path = BUF_INIT(0);
    json_t *next;
    int rc = 0;

    while (!cmd_exec_terminal(cli_str(*x, "status"))) {
        long w = CMD_EXEC_POLL_MAX;
        char ws[24];

        if (limit_s >= 0) {
            int64_t left = deadline - timefmt_mono_ms();

            if (left <= 0)
                break;
            if ((left + 999) / 1000 < w)
                w = (long)((left + 999) / 1000);
        }
        snprintf(ws, sizeof(ws), "%ld", w);
        buf_reset(&path);
        cmd_exec_path(&path, cli, cli_str(*x, "flow"), cli_str(*x, "name"), "");
        client_query_add(&path, "wait", ws);
        next = NULL;
        rc =
            client_request(&next, cli_client(cli), "GET", buf_str(&path), NULL);
        if (rc)
            break;
        json_decref(*x);
        *x = next;
    }
    buf_free(&path);
    return rc;
}

/* ---- actions ---- */

static int
cmd_exec_start(struct cli *cli, const char *flow)
{
    const char *name = cli_opt_value(cli, "name");
    const char *input = cli_opt_value(cli, "input");
    const char *wait = cli_opt_value(cli, "wait");
    json_t *body = NULL, *in = NULL, *x = NULL;
    const char *status;
    long limit = -1;
    int rc;

    if (wait && *wait && cli_parse_int(&limit, wait, 0, 31536000) != 0)
        return cli_usage_error(cli, "--wait: %s", err_last());
    if (input && (rc = cli_json_object_arg(&in, cli, "input", input)) != 0)
        return rc;
    body = json_pack("{s:s}", "flow", flow);
    if (name)
        json_object_set_new(body, "name", json_string(name));
    if (in)
        json_object_set_new(body, "input", in); /* stolen */
    rc = client_request(&x, cli_client(cli), "POST", "/v1/executions", body);
    json_decref(body);
    if (rc)
        return cli_fail();
    if (wait && cmd_exec_wait(&x, cli, limit) != 0) {
        json_decref(x);
        return cli_fail();
    }
    status = cli_str(x, "status");
    if (cli->json)
        cli_print_json(x);
    else if (wait)
        cmd_exec_print(cli, x);
    else
        printf("execution %s of flow %s started: %s\n", cli_str(x, "name"),
               cli_str(x, "flow"), status);
    rc = CLI_EXIT_OK;
    if (wait && !cmd_exec_terminal(status)) {
        fprintf(stderr, "flowdeck: execution %s is still %s after %lds\n",
                cli_str(x, "name"), status, limit);
        rc = CLI_EXIT_FAIL;
    } else if (wait && strcmp(status, "Succeeded") != 0) {
        fprintf(stderr, "flowdeck: execution %s %s%s%s\n", cli_str(x, "name"),
                status, *cli_str(x, "error") ? ": " : "", cli_str(x, "error"));
        rc = CLI_EXIT_FAIL;
    }
    json_decref(x);
    return rc;
}

static int
cmd_exec_list(struct cli *cli, const char *unused)
{
    static const char *const head[] = {"NAME", "FLOW", "STATUS", "STARTED",
                                       "DURATION"};
    const char *flow = cli_opt_value(cli, "flow");
    const char *status = cli_opt_value(cli, "status");
    const char *limit = cli_opt_value(cli, "limit");
    struct buf path = BUF_INIT(0);
    json_t *page = NULL, *items, *x;
    struct cli_table *t;
    int64_t now = 0;
    long n;
    size_t i;
    int rc;

    (void)unused;
    if (limit && cli_parse_int(&n, limit, 1, 1000) != 0)
        return cli_usage_error(cli, "--limit: %s", err_last());
    buf_puts(&path, "/v1/executions");
    if (flow)
        client_query_add(&path, "flow", flow);
    if (status)
        client_query_add(&path, "status", status);
    if (limit)
        client_query_add(&path, "limit", limit);
    rc = client_request(&page, cli_client(cli), "GET", buf_str(&path), NULL);
    buf_free(&path);
    if (rc)
        return cli_fail();
    items = json_object_get(page, "items");
    if (cli->json) {
        cli_print_json(page);
    } else if (json_array_size(items) == 0) {
        printf("no executions\n");
    } else {
        t = cli_table_create(5, head);
        json_array_foreach(items, i, x)
        {
            char dur[32];

            if (!*cli_str(x, "stopped") && now == 0)
                now = cli_now_ms(cli);
            cmd_exec_duration(dur, sizeof(dur), x, now);
            cli_table_cell(t, cli_str(x, "name"));
            cli_table_cell(t, cli_str(x, "flow"));
            cli_table_cell(t, cli_str(x, "status"));
            cli_table_cell(t, cli_str(x, "started"));
            cli_table_cell(t, dur);
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
        if (json_object_get(page, "next"))
            printf("more: raise --limit (at most 1000), or filter with "
                   "--flow or --status\n");
    }
    json_decref(page);
    return CLI_EXIT_OK;
}

static int
cmd_exec_show(struct cli *cli, const char *name)
{
    struct buf path = BUF_INIT(0);
    json_t *x = NULL;
    int rc;

    cmd_exec_path(&path, cli, NULL, name, "");
    rc = client_request(&x, cli_client(cli), "GET", buf_str(&path), NULL);
    buf_free(&path);
    if (rc)
        return cli_fail();
    if (cli->json)
        cli_print_json(x);
    else
        cmd_exec_print(cli, x);
    json_decref(x);
    return CLI_EXIT_OK;
}

static int
cmd_exec_history(struct cli *cli, const char *name)
{
    static const char *const head[] = {"ID",   "SCHED", "TYPE",
                                       "STEP", "TIME",  "DETAIL"};
    struct buf path = BUF_INIT(0);
    json_t *all = NULL, *ev;
    struct cli_table *t;
    size_t i;
    int rc;

    cmd_exec_path(&path, cli, NULL, name, "/history");
    rc = cli_get_all(&all, cli, buf_str(&path));
    buf_free(&path);
    if (rc)
        return cli_fail();
    if (cli->json) {
        cli_print_json(all);
        json_decref(all);
        return CLI_EXIT_OK;
    }
    t = cli_table_create(6, head);
    json_array_foreach(json_object_get(all, "items"), i, ev)
    {
        char *detail = cli_json_text(json_object_get(ev, "detail"));
        size_t keep = text_fit(detail, CMD_EXEC_DETAIL_COLS);

        cli_table_cellf(
            t, "%lld",
            (long long)json_integer_value(json_object_get(ev, "id")));
        cli_table_cellf(
            t, "%lld",
            (long long)json_integer_value(json_object_get(ev, "schedule_id")));
        cli_table_cell(t, cli_str(ev, "type"));
        cli_table_cell(t, cli_str(ev, "step"));
        cli_table_cell(t, cli_str(ev, "time"));
        if (detail[keep] != '\0')
            cli_table_cellf(t, "%.*s...",
                            (int)text_fit(detail, CMD_EXEC_DETAIL_COLS - 3),
                            detail);
        else
            cli_table_cell(t, detail);
        free(detail);
    }
    cli_table_print(t, stdout, cli_width());
    cli_table_free(t);
    json_decref(all);
    return CLI_EXIT_OK;
}

/* POST /v1/executions/NAME/<verb> and say what became of it. */
static int
cmd_exec_post(struct cli *cli, const char *name, const char *verb, json_t *body)
{
    struct buf path = BUF_INIT(0);
    char *rest = xasprintf("/%s", verb);
    json_t *x = NULL;
    int rc;

    cmd_exec_path(&path, cli, NULL, name, rest);
    free(rest);
    rc = client_request(&x, cli_client(cli), "POST", buf_str(&path), body);
    buf_free(&path);
    if (rc)
        return cli_fail();
    if (cli->json)
        cli_print_json(x);
    else if (*cli_str(x, "status"))
        printf("execution %s of flow %s: %s\n", name, cli_str(x, "flow"),
               cli_str(x, "status"));
    else
        printf("execution %s: %s\n", name,
               strcmp(verb, "stop") == 0 ? "stopped" : "redriven");
    json_decref(x);
    return CLI_EXIT_OK;
}

static int
cmd_exec_stop(struct cli *cli, const char *name)
{
    const char *error = cli_opt_value(cli, "error");
    const char *cause = cli_opt_value(cli, "cause");
    json_t *body = json_object();
    int rc;

    if (error)
        json_object_set_new(body, "error", json_string(error));
    if (cause)
        json_object_set_new(body, "cause", json_string(cause));
    rc = cmd_exec_post(cli, name, "stop", body);
    json_decref(body);
    return rc;
}

static int
cmd_exec_redrive(struct cli *cli, const char *name)
{
    json_t *body = json_object();
    int rc = cmd_exec_post(cli, name, "redrive", body);

    json_decref(body);
    return rc;
}

static const struct cmd_exec_action {
    const char *name;
    int (*run)(struct cli *cli, const char *name);
    const char *what; /* what the argument names, or NULL: none */
    const char *opts; /* the options it takes, space separated */
} cmd_exec_actions[] = {
    {"start", cmd_exec_start, "a flow name", "name input wait"},
    {"list", cmd_exec_list, NULL, "flow status limit"},
    {"show", cmd_exec_show, "an execution name", "flow"},
    {"history", cmd_exec_history, "an execution name", "flow"},
    {"stop", cmd_exec_stop, "an execution name", "flow error cause"},
    {"redrive", cmd_exec_redrive, "an execution name", "flow"},
    {NULL, NULL, NULL, NULL}};

int
cmd_exec_run(struct cli *cli)
{
    const char *name = cli->argc > 0 ? cli->argv[0] : "list";
    const struct cmd_exec_action *a;
    int rc;

    for (a = cmd_exec_actions; a->name; a++)
        if (strcmp(a->name, name) == 0)
            break;
    if (a->name == NULL)
        return cli_usage_error(cli, "exec: no action '%s'", name);
    if ((rc = cli_check_action_opts(cli, a->name, a->opts)) != 0)
        return rc;
    if (a->what == NULL)
        return cli->argc > 1 ? cli_usage_error(cli,
                                               "exec %s takes no "
                                               "arguments",
                                               a->name)
                             : a->run(cli, NULL);
    if (cli->argc < 2)
        return cli_usage_error(cli, "exec %s needs %s", a->name, a->what);
    if (cli->argc > 2)
        return cli_usage_error(cli, "exec %s: unexpected argument '%s'",
                               a->name, cli->argv[2]);
    return a->run(cli, cli->argv[1]);
}
