/*
 * cmd_tasks: `flowdeck tasks ACTION ...`: the task tokens of
 * waitForCallback steps through /v1/tasks: list and show them, and call
 * back as their worker would (succeed, fail, heartbeat). Tables for
 * people, with tokens shortened; -o json prints them whole.
 */
#include "cli/cmd_tasks.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a token in the table: its first and last characters (its start is
 * alike in the tasks of one execution, its end is not) */
#define CMD_TASKS_TOKEN_ENDS 8

const struct cli_opt cmd_tasks_opts[] = {
    {"all", 'a', NULL, "list: every task, not only the waiting ones"},
    {"flow", 0, "F", "list: only tasks of flow F"},
    {"output", 0, "JSON",
     "succeed: the task's output, a JSON object or\n"
     "@FILE (default {})"},
    {"error", 0, "E", "fail: the error (required)"},
    {"cause", 0, "C", "fail: what caused it"},
    {NULL, 0, NULL, NULL}};

/* ---- helpers ---- */

/* Write where task `task` went: "queue jobs · <message id>" ... */
static void
cmd_tasks_target(char *out, size_t n, const json_t *task)
{
    const json_t *t = json_object_get(task, "target");

    if (*cli_str(t, "queue"))
        snprintf(out, n, "queue %s · %s", cli_str(t, "queue"),
                 cli_str(t, "message_id"));
    else if (*cli_str(t, "topic"))
        snprintf(out, n, "topic %s · %s", cli_str(t, "topic"),
                 cli_str(t, "message_id"));
    else if (*cli_str(t, "function"))
        snprintf(out, n, "function %s · %s", cli_str(t, "function"),
                 cli_str(t, "invocation"));
    else
        snprintf(out, n, "%s", "");
}

/* Returns: a new string saying when time-or-duration `v` is due: "in
 * 4m59s", "overdue by 2s", "300s" (a number of seconds), or "". */
static char *
cmd_tasks_due(const json_t *v, int64_t now_ms)
{
    char d[32];
    int64_t t;

    if (json_is_integer(v))
        return xasprintf("%llds", (long long)json_integer_value(v));
    if (!json_is_string(v))
        return xstrdup("");
    if (timefmt_parse_rfc3339(&t, json_string_value(v)) != 0)
        return xstrdup(json_string_value(v));
    timefmt_duration(d, sizeof(d), t >= now_ms ? t - now_ms : now_ms - t);
    return xasprintf("%s %s", t >= now_ms ? "in" : "overdue by", d);
}

/* Path "/v1/tasks/<token, escaped><rest>" into `b`. */
static void
cmd_tasks_path(struct buf *b, const char *token, const char *rest)
{
    char *e = client_escape(token);

    buf_printf(b, "/v1/tasks/%s%s", e, rest);
    free(e);
}

/* ---- actions ---- */

static int
cmd_tasks_list(struct cli *cli, const char *unused)
{
    static const char *const head[] = {"FLOW",   "EXECUTION", "STEP",
                                       "STATUS", "WAITING",   "TIMEOUT",
                                       "TOKEN",  "TARGET"};
    /* without --all every task is waiting: no STATUS column */
    static const char *const head_waiting[] = {
        "FLOW", "EXECUTION", "STEP", "WAITING", "TIMEOUT", "TOKEN", "TARGET"};
    const char *flow = cli_opt_value(cli, "flow");
    int all = cli_opt_value(cli, "all") != NULL;
    struct buf path = BUF_INIT(0);
    json_t *resp = NULL, *items, *task;
    struct cli_table *t;
    int64_t now;
    size_t i;
    int rc;

    (void)unused;
    buf_puts(&path, "/v1/tasks");
    client_query_add(&path, "status", all ? "all" : "waiting");
    if (flow)
        client_query_add(&path, "flow", flow);
    rc = cli_get_all(&resp, cli, buf_str(&path));
    buf_free(&path);
    if (rc)
        return cli_fail();
    items = json_object_get(resp, "items");
    if (cli->json) {
        cli_print_json(resp);
    } else if (json_array_size(items) == 0) {
        printf(all ? "no tasks\n" : "no tasks waiting\n");
    } else {
        now = cli_now_ms(cli);
        t = cli_table_create(all ? 8 : 7, all ? head : head_waiting);
        json_array_foreach(items, i, task)
        {
            const char *token = cli_str(task, "token");
            const char *status = cli_str(task, "status");
            char age[32] = "", target[512];
            char *due = cmd_tasks_due(json_object_get(task, "timeout"), now);

            if (strcmp(status, "waiting") == 0)
                cli_age(age, sizeof(age), cli_str(task, "since"), now);
            cmd_tasks_target(target, sizeof(target), task);
            cli_table_cell(t, cli_str(task, "flow"));
            cli_table_cell(t, cli_str(task, "execution"));
            cli_table_cell(t, cli_str(task, "step"));
            if (all)
                cli_table_cell(t, status);
            cli_table_cell(t, age);
            cli_table_cell(t, strcmp(status, "waiting") == 0 ? due : "");
            if (strlen(token) > 2 * CMD_TASKS_TOKEN_ENDS + 3)
                cli_table_cellf(t, "%.*s...%s", CMD_TASKS_TOKEN_ENDS, token,
                                token + strlen(token) - CMD_TASKS_TOKEN_ENDS);
            else
                cli_table_cell(t, token);
            cli_table_cell(t, target);
            free(due);
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_tasks_show(struct cli *cli, const char *token)
{
    struct buf path = BUF_INIT(0);
    json_t *task = NULL;
    char age[32] = "", target[512];
    int64_t now;
    char *due;
    int rc;

    cmd_tasks_path(&path, token, "");
    rc = client_request(&task, cli_client(cli), "GET", buf_str(&path), NULL);
    buf_free(&path);
    if (rc)
        return cli_fail();
    if (cli->json) {
        cli_print_json(task);
        json_decref(task);
        return CLI_EXIT_OK;
    }
    now = cli_now_ms(cli);
    cli_age(age, sizeof(age), cli_str(task, "since"), now);
    cmd_tasks_target(target, sizeof(target), task);
    printf("%-13s %s\n", "token", cli_str(task, "token"));
    printf("%-13s %s\n", "status", cli_str(task, "status"));
    printf("%-13s %s\n", "flow", cli_str(task, "flow"));
    printf("%-13s %s\n", "execution", cli_str(task, "execution"));
    printf("%-13s %s\n", "step", cli_str(task, "step"));
    printf("%-13s %s%s%s%s\n", "since", cli_str(task, "since"),
           *age ? " (" : "", age, *age ? " ago)" : "");
    if (json_object_get(task, "timeout")) {
        due = cmd_tasks_due(json_object_get(task, "timeout"), now);
        printf("%-13s %s\n", "timeout", due);
        free(due);
    }
    if (json_object_get(task, "heartbeat_due")) {
        due = cmd_tasks_due(json_object_get(task, "heartbeat_due"), now);
        printf("%-13s %s\n", "heartbeat due", due);
        free(due);
    }
    if (*target)
        printf("%-13s %s\n", "target", target);
    json_decref(task);
    return CLI_EXIT_OK;
}

/* POST /v1/tasks/TOKEN/<verb> with `body` (borrowed); say it was taken. */
static int
cmd_tasks_post(struct cli *cli, const char *token, const char *verb,
               json_t *body, const char *done)
{
    struct buf path = BUF_INIT(0);
    char *rest = xasprintf("/%s", verb);
    json_t *resp = NULL, *ev;
    int rc;

    cmd_tasks_path(&path, token, rest);
    free(rest);
    rc = client_request(&resp, cli_client(cli), "POST", buf_str(&path), body);
    buf_free(&path);
    if (rc)
        return cli_fail();
    ev = json_object_get(resp, "event_id");
    if (cli->json)
        cli_print_json(resp);
    else if (json_is_integer(ev))
        printf("task %s (event %lld)\n", done,
               (long long)json_integer_value(ev));
    else
        printf("task %s\n", done);
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_tasks_succeed(struct cli *cli, const char *token)
{
    const char *output = cli_opt_value(cli, "output");
    json_t *out = NULL, *body;
    int rc;

    if (output && (rc = cli_json_object_arg(&out, cli, "output", output)) != 0)
        return rc;
    body = json_pack("{s:o}", "output", out ? out : json_object());
    rc = cmd_tasks_post(cli, token, "succeed", body, "succeeded");
    json_decref(body);
    return rc;
}

static int
cmd_tasks_fail(struct cli *cli, const char *token)
{
    const char *error = cli_opt_value(cli, "error");
    const char *cause = cli_opt_value(cli, "cause");
    json_t *body;
    int rc;

    if (error == NULL || *error == '\0')
        return cli_usage_error(cli, "tasks fail needs --error E");
    body = json_pack("{s:s}", "error", error);
    if (cause)
        json_object_set_new(body, "cause", json_string(cause));
    rc = cmd_tasks_post(cli, token, "fail", body, "failed");
    json_decref(body);
    return rc;
}

static int
cmd_tasks_heartbeat(struct cli *cli, const char *token)
{
    json_t *body = json_object();
    int rc = cmd_tasks_post(cli, token, "heartbeat", body, "heartbeat sent");

    json_decref(body);
    return rc;
}

static const struct cmd_tasks_action {
    const char *name;
    int (*run)(struct cli *cli, const char *token);
    int needs_token;
    const char *opts; /* the options it takes, space separated */
} cmd_tasks_actions[] = {{"list", cmd_tasks_list, 0, "all flow"},
                         {"show", cmd_tasks_show, 1, ""},
                         {"succeed", cmd_tasks_succeed, 1, "output"},
                         {"fail", cmd_tasks_fail, 1, "error cause"},
                         {"heartbeat", cmd_tasks_heartbeat, 1, ""},
                         {NULL, NULL, 0, NULL}};

int
cmd_tasks_run(struct cli *cli)
{
    const char *name = cli->argc > 0 ? cli->argv[0] : "list";
    const struct cmd_tasks_action *a;
    int rc;

    for (a = cmd_tasks_actions; a->name; a++)
        if (strcmp(a->name, name) == 0)
            break;
    if (a->name == NULL)
        return cli_usage_error(cli, "tasks: no action '%s'", name);
    if ((rc = cli_check_action_opts(cli, a->name, a->opts)) != 0)
        return rc;
    if (!a->needs_token)
        return cli->argc > 1 ? cli_usage_error(cli,
                                               "tasks %s takes no "
                                               "arguments",
                                               a->name)
                             : a->run(cli, NULL);
    if (cli->argc < 2)
        return cli_usage_error(cli, "tasks %s needs a task token", a->name);
    if (cli->argc > 2)
        return cli_usage_error(cli, "tasks %s: unexpected argument '%s'",
                               a->name, cli->argv[2]);
    return a->run(cli, cli->argv[1]);
}
