/*
 * cmd_queues: `flowdeck queues ACTION ...`: manage queues and their
 * messages through /v1/queues: list, create, set, show, delete, purge,
 * send, receive, delete-message, change-visibility, peek, redrive,
 * journal. Tables for people; with -o json, the API's JSON.
 */
#include "cli/cmd_queues.h"

#include "cli/cli_table.h"
#include "client/client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD_QUEUES_BODY_MAX (4u << 20)

const struct cli_opt cmd_queues_opts[] = {
    {"prefix", 0, "P", "list: names starting with P"},
    {"delay", 0, "SECONDS", "create/set: default delay; send: this one's"},
    {"visibility", 0, "SECONDS",
     "create/set: visibility timeout; receive: this receive's"},
    {"retention", 0, "SECONDS", "create/set: how long messages are kept"},
    {"max-size", 0, "BYTES", "create/set: largest message"},
    {"wait", 0, "SECONDS", "create/set: default long-poll wait; receive: "
                           "this receive's"},
    {"dlq", 0, "QUEUE", "create/set: dead-letter queue ('' removes it)"},
    {"max-receives", 0, "N", "create/set: receives before dead-lettering"},
    {"fifo", 0, NULL, "create: a FIFO queue (name ends in .fifo)"},
    {"content-dedup", 0, NULL, "create/set: FIFO de-duplication by body"},
    {"priority", 'p', "N", "send: 1 (highest) to 16, default 8"},
    {"attrs", 0, "JSON", "send: {\"name\": {\"type\": \"String\", "
                         "\"value\": \"v\"}}"},
    {"group", 0, "G", "send: FIFO message group"},
    {"dedup", 0, "D", "send: FIFO de-duplication id"},
    {"max", 'n', "N", "receive: up to N messages (1-16)"},
    {"state", 0, "S", "peek: visible, in_flight, delayed or all"},
    {"limit", 0, "N", "peek: at most N (default 50)"},
    {"cursor", 0, "C", "peek: continue after this cursor"},
    {"to", 0, "QUEUE", "redrive: move to this queue, not each source"},
    {"yes", 'y', NULL, "purge: do not ask"},
    {NULL, 0, NULL, NULL}};

/* Which options each action takes (by name, space separated). */
static const struct cmd_queues_action {
    const char *name;
    int (*run)(struct cli *cli, const char *queue);
    int min_args, max_args; /* after the queue name */
    const char *opts;
} *cmd_queues_find(const char *name);

/* ---- helpers ---- */

/* Put option `opt` into body as integer field `field` if given. */
static int
cmd_queues_int_opt(struct cli *cli, json_t *body, const char *opt,
                   const char *field, long min, long max)
{
    const char *v = cli_opt_value(cli, opt);
    long n;

    if (v == NULL)
        return 0;
    if (cli_parse_int(&n, v, min, max) != 0)
        return cli_usage_error(cli, "--%s: %s", opt, err_last());
    json_object_set_new(body, field, json_integer(n));
    return 0;
}

static int
cmd_queues_print(struct cli *cli, json_t *resp)
{
    if (cli->json)
        cli_print_json(resp);
    return CLI_EXIT_OK;
}

/* A message body from an argument, @FILE or - (stdin). Returns: new. */
static int
cmd_queues_read_body(char **out, const char *arg)
{
    *out = NULL;
    if (arg && arg[0] != '@' && strcmp(arg, "-") != 0) {
        *out = xstrdup(arg);
        return 0;
    }
    return cli_read_file(out, arg && arg[0] == '@' ? arg + 1 : "-",
                         CMD_QUEUES_BODY_MAX);
}

/* ---- queues ---- */

static int
cmd_queues_list(struct cli *cli, const char *unused)
{
    static const char *const head[] = {"NAME", "TYPE", "VISIBLE",
                                       "IN FLIGHT", "DELAYED", "DEAD LETTERS"};
    json_t *page = NULL, *item;
    struct cli_table *t;
    size_t i;

    (void)unused;
    if (client_list_queues(&page, cli_client(cli),
                           cli_opt_value(cli, "prefix"), NULL) != 0)
        return cli_fail();
    if (cli->json) {
        cli_print_json(page);
    } else if (json_array_size(json_object_get(page, "items")) == 0) {
        printf("no queues\n");
    } else {
        t = cli_table_create(6, head);
        json_array_foreach(json_object_get(page, "items"), i, item) {
            json_t *c = json_object_get(item, "counts");
            const char *dlq = cli_str(item, "dead_letter_queue");

            cli_table_cell(t, cli_str(item, "name"));
            cli_table_cell(t, json_is_true(json_object_get(item, "fifo"))
                                  ? "fifo"
                                  : "standard");
            cli_table_cellf(t, "%lld", (long long)json_integer_value(
                                           json_object_get(c, "visible")));
            cli_table_cellf(t, "%lld", (long long)json_integer_value(
                                           json_object_get(c, "in_flight")));
            cli_table_cellf(t, "%lld", (long long)json_integer_value(
                                           json_object_get(c, "delayed")));
            if (*dlq)
                cli_table_cellf(t, "-> %s after %lld receives", dlq,
                                (long long)json_integer_value(
                                    json_object_get(item, "max_receives")));
            else if (json_array_size(
                         json_object_get(item, "dead_letter_sources")))
                cli_table_cell(t, "(a dead-letter queue)");
            else
                cli_table_cell(t, "");
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(page);
    return CLI_EXIT_OK;
}

/* The attributes given as options, as the API's object. */
static int
cmd_queues_attrs(json_t **out, struct cli *cli, int creating)
{
    json_t *a = json_object();
    const char *dlq = cli_opt_value(cli, "dlq");
    int rc;

    *out = NULL;
    if ((rc = cmd_queues_int_opt(cli, a, "delay", "delay_seconds", 0,
                                 604800)) ||
        (rc = cmd_queues_int_opt(cli, a, "visibility", "visibility_timeout",
                                 0, 43200)) ||
        (rc = cmd_queues_int_opt(cli, a, "retention", "retention_seconds", 60,
                                 1209600)) ||
        (rc = cmd_queues_int_opt(cli, a, "max-size", "max_message_size", 1024,
                                 262144)) ||
        (rc = cmd_queues_int_opt(cli, a, "wait", "wait_seconds", 0, 30)) ||
        (rc = cmd_queues_int_opt(cli, a, "max-receives", "max_receives", 1,
                                 1000))) {
        json_decref(a);
        return rc;
    }
    if (dlq)
        json_object_set_new(a, "dead_letter_queue",
                            *dlq ? json_string(dlq) : json_null());
    if (creating && cli_opt_value(cli, "fifo"))
        json_object_set_new(a, "fifo", json_true());
    if (cli_opt_value(cli, "content-dedup"))
        json_object_set_new(a, "content_dedup", json_true());
    *out = a;
    return 0;
}

static void
cmd_queues_show_queue(const json_t *q)
{
    const json_t *c = json_object_get(q, "counts");
    const json_t *age = json_object_get(q, "oldest_age_ms");
    const json_t *sources = json_object_get(q, "dead_letter_sources");

    printf("name               %s (%s)\n", cli_str(q, "name"),
           json_is_true(json_object_get(q, "fifo")) ? "fifo" : "standard");
    printf("messages           %lld visible, %lld in flight, %lld delayed\n",
           (long long)json_integer_value(json_object_get(c, "visible")),
           (long long)json_integer_value(json_object_get(c, "in_flight")),
           (long long)json_integer_value(json_object_get(c, "delayed")));
    if (json_is_integer(age))
        printf("oldest message     %.1f s old\n",
               (double)json_integer_value(age) / 1000);
    printf("visibility         %llds, delay %llds, long-poll wait %llds\n",
           (long long)json_integer_value(
               json_object_get(q, "visibility_timeout")),
           (long long)json_integer_value(json_object_get(q, "delay_seconds")),
           (long long)json_integer_value(json_object_get(q, "wait_seconds")));
    printf("retention          %llds, largest message %lld bytes\n",
           (long long)json_integer_value(
               json_object_get(q, "retention_seconds")),
           (long long)json_integer_value(
               json_object_get(q, "max_message_size")));
    if (*cli_str(q, "dead_letter_queue"))
        printf("dead letters       to %s after %lld receives\n",
               cli_str(q, "dead_letter_queue"),
               (long long)json_integer_value(
                   json_object_get(q, "max_receives")));
    if (json_array_size(sources)) {
        size_t i;
        json_t *s;

        printf("dead letters of   ");
        json_array_foreach(sources, i, s)
            printf(" %s", json_string_value(s));
        printf("\n");
    }
    printf("created            %s\n", cli_str(q, "created"));
}

static int
cmd_queues_create(struct cli *cli, const char *queue)
{
    json_t *body, *resp = NULL;
    int rc = cmd_queues_attrs(&body, cli, 1);

    if (rc)
        return rc;
    json_object_set_new(body, "name", json_string(queue));
    rc = client_request(&resp, cli_client(cli), "POST", "/v1/queues", body);
    json_decref(body);
    if (rc)
        return cli_fail();
    if (!cli->json) {
        printf("queue %s ready\n", queue);
        cmd_queues_show_queue(resp);
    }
    cmd_queues_print(cli, resp);
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_queues_set(struct cli *cli, const char *queue)
{
    json_t *body, *resp = NULL;
    int rc = cmd_queues_attrs(&body, cli, 0);

    if (rc)
        return rc;
    rc = client_queue(&resp, cli_client(cli), "PATCH", queue, "", body);
    json_decref(body);
    if (rc)
        return cli_fail();
    if (!cli->json)
        cmd_queues_show_queue(resp);
    cmd_queues_print(cli, resp);
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_queues_show(struct cli *cli, const char *queue)
{
    json_t *resp = NULL;

    if (client_queue(&resp, cli_client(cli), "GET", queue, "", NULL) != 0)
        return cli_fail();
    if (!cli->json)
        cmd_queues_show_queue(resp);
    cmd_queues_print(cli, resp);
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_queues_delete(struct cli *cli, const char *queue)
{
    json_t *resp = NULL;

    if (client_queue(&resp, cli_client(cli), "DELETE", queue, "", NULL) != 0)
        return cli_fail();
    if (cli->json)
        cli_print_json(json_object_get(resp, "") ? resp : NULL);
    else
        printf("queue %s deleted\n", queue);
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_queues_purge(struct cli *cli, const char *queue)
{
    json_t *resp = NULL;

    if (!cli_opt_value(cli, "yes")) {
        char answer[16] = "";

        if (!isatty(STDIN_FILENO))
            return cli_usage_error(cli, "purge deletes every message of %s: "
                                        "pass --yes to confirm",
                                   queue);
        fprintf(stderr, "Delete every message of queue %s? [y/N] ", queue);
        if (fgets(answer, sizeof(answer), stdin) == NULL ||
            (answer[0] != 'y' && answer[0] != 'Y')) {
            fprintf(stderr, "nothing deleted\n");
            return CLI_EXIT_OK;
        }
    }
    if (client_queue(&resp, cli_client(cli), "POST", queue, "/purge",
                     NULL) != 0)
        return cli_fail();
    if (cli->json)
        cli_print_json(resp);
    else
        printf("purged %lld messages from %s\n",
               (long long)json_integer_value(json_object_get(resp, "purged")),
               queue);
    json_decref(resp);
    return CLI_EXIT_OK;
}

/* ---- messages ---- */

static int
cmd_queues_send(struct cli *cli, const char *queue)
{
    const char *attrs = cli_opt_value(cli, "attrs");
    const char *group = cli_opt_value(cli, "group");
    const char *dedup = cli_opt_value(cli, "dedup");
    json_t *body = json_object(), *resp = NULL, *aj = NULL;
    char *text = NULL;
    int rc;

    if ((rc = cmd_queues_int_opt(cli, body, "priority", "priority", 1, 16)) ||
        (rc = cmd_queues_int_opt(cli, body, "delay", "delay_seconds", 0,
                                 604800)))
        goto out;
    if (attrs && jsonx_loads(&aj, attrs, strlen(attrs)) != 0) {
        rc = cli_usage_error(cli, "--attrs: %s", err_last());
        goto out;
    }
    if (aj)
        json_object_set_new(body, "attributes", aj);
    if (group)
        json_object_set_new(body, "group_id", json_string(group));
    if (dedup)
        json_object_set_new(body, "dedup_id", json_string(dedup));
    if (cmd_queues_read_body(&text, cli->argc > 2 ? cli->argv[2] : "-") != 0) {
        rc = cli_fail();
        goto out;
    }
    json_object_set_new(body, "body", json_string(text));
    if (json_object_get(body, "body") == NULL) {
        fprintf(stderr, "flowdeck: the body is not valid UTF-8 text\n");
        rc = CLI_EXIT_FAIL;
        goto out;
    }
    if (client_queue(&resp, cli_client(cli), "POST", queue, "/messages",
                     body) != 0) {
        rc = cli_fail();
        goto out;
    }
    if (cli->json)
        cli_print_json(resp);
    else
        printf("sent %s to %s%s\n", cli_str(resp, "id"), queue,
               json_is_true(json_object_get(resp, "duplicate"))
                   ? " (a duplicate: nothing new stored)"
                   : "");
out:
    free(text);
    json_decref(body);
    json_decref(resp);
    return rc;
}

static void
cmd_queues_message_rows(struct cli_table *t, const json_t *items,
                        int receipts)
{
    json_t *m;
    size_t i;

    json_array_foreach(items, i, m) {
        if (receipts)
            cli_table_cell(t, cli_str(m, "receipt"));
        else
            cli_table_cell(t, cli_str(m, "state"));
        cli_table_cell(t, cli_str(m, "id"));
        cli_table_cellf(t, "%lld", (long long)json_integer_value(
                                       json_object_get(m, "priority")));
        cli_table_cellf(t, "%lld", (long long)json_integer_value(
                                       json_object_get(m, "dequeue_count")));
        cli_table_cell(t, cli_str(m, "body"));
    }
}

static int
cmd_queues_receive(struct cli *cli, const char *queue)
{
    static const char *const head[] = {"RECEIPT", "ID", "PRI", "DEQ",
                                       "BODY"};
    json_t *body = json_object(), *resp = NULL, *msgs;
    struct cli_table *t;
    int rc;

    if ((rc = cmd_queues_int_opt(cli, body, "max", "max", 1, 16)) ||
        (rc = cmd_queues_int_opt(cli, body, "wait", "wait_seconds", 0, 30)) ||
        (rc = cmd_queues_int_opt(cli, body, "visibility",
                                 "visibility_timeout", 0, 43200))) {
        json_decref(body);
        return rc;
    }
    rc = client_queue(&resp, cli_client(cli), "POST", queue, "/receive", body);
    json_decref(body);
    if (rc)
        return cli_fail();
    msgs = json_object_get(resp, "messages");
    if (cli->json) {
        cli_print_json(resp);
    } else if (json_array_size(msgs) == 0) {
        printf("no messages\n");
    } else {
        t = cli_table_create(5, head);
        cmd_queues_message_rows(t, msgs, 1);
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_queues_delete_message(struct cli *cli, const char *queue)
{
    json_t *body, *resp = NULL, *list = json_array();
    int status = CLI_EXIT_OK;

    for (int i = 2; i < cli->argc; i++)
        json_array_append_new(list, json_string(cli->argv[i]));
    body = json_pack("{s:o}", "receipts", list);
    if (client_queue(&resp, cli_client(cli), "POST", queue, "/delete",
                     body) != 0) {
        status = cli_fail();
    } else if (cli->json) {
        cli_print_json(resp);
    } else {
        status = cli_print_batch(resp, "deleted", "deleted", "receipt");
    }
    json_decref(body);
    json_decref(resp);
    return status;
}

static int
cmd_queues_change_visibility(struct cli *cli, const char *queue)
{
    json_t *body, *resp = NULL;
    long secs;

    if (cli_parse_int(&secs, cli->argv[3], 0, 43200) != 0)
        return cli_usage_error(cli, "SECONDS: %s", err_last());
    body = json_pack("{s:s, s:i}", "receipt", cli->argv[2],
                     "visibility_timeout", (int)secs);
    if (client_queue(&resp, cli_client(cli), "POST", queue, "/visibility",
                     body) != 0) {
        json_decref(body);
        return cli_fail();
    }
    if (cli->json)
        cli_print_json(resp);
    else
        printf("invisible until %s\n", cli_str(resp, "next_visible"));
    json_decref(body);
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_queues_peek(struct cli *cli, const char *queue)
{
    static const char *const head[] = {"STATE", "ID", "PRI", "DEQ", "BODY"};
    const char *state = cli_opt_value(cli, "state");
    const char *limit = cli_opt_value(cli, "limit");
    const char *cursor = cli_opt_value(cli, "cursor");
    struct buf rest = BUF_INIT(4096);
    json_t *resp = NULL, *items;
    struct cli_table *t;
    long n;

    if (limit && cli_parse_int(&n, limit, 1, 1000) != 0)
        return cli_usage_error(cli, "--limit: %s", err_last());
    buf_puts(&rest, "/messages");
    if (state)
        client_query_add(&rest, "state", state);
    if (limit)
        client_query_add(&rest, "limit", limit);
    if (cursor)
        client_query_add(&rest, "cursor", cursor);
    if (client_queue(&resp, cli_client(cli), "GET", queue, buf_str(&rest),
                     NULL) != 0) {
        buf_free(&rest);
        return cli_fail();
    }
    buf_free(&rest);
    items = json_object_get(resp, "items");
    if (cli->json) {
        cli_print_json(resp);
    } else if (json_array_size(items) == 0) {
        printf("no messages\n");
    } else {
        t = cli_table_create(5, head);
        cmd_queues_message_rows(t, items, 0);
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
        if (json_object_get(resp, "next"))
            printf("more: --cursor %s\n", cli_str(resp, "next"));
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static int
cmd_queues_redrive(struct cli *cli, const char *queue)
{
    const char *to = cli_opt_value(cli, "to");
    json_t *body = json_object(), *resp = NULL;
    int status = CLI_EXIT_OK;

    if (to)
        json_object_set_new(body, "to", json_string(to));
    if (cli->argc > 2) {
        json_t *ids = json_array();

        for (int i = 2; i < cli->argc; i++)
            json_array_append_new(ids, json_string(cli->argv[i]));
        json_object_set_new(body, "ids", ids);
    }
    if (client_queue(&resp, cli_client(cli), "POST", queue, "/redrive",
                     body) != 0) {
        status = cli_fail();
    } else if (cli->json) {
        cli_print_json(resp);
    } else {
        status = cli_print_batch(resp, "moved", "moved", "id");
    }
    json_decref(body);
    json_decref(resp);
    return status;
}

static int
cmd_queues_journal(struct cli *cli, const char *queue)
{
    static const char *const head[] = {"TIME", "ID", "TYPE", "DETAIL"};
    struct client_journal_query q = {"queue", queue, NULL, "1000"};
    json_t *resp = NULL, *r;
    struct cli_table *t;
    size_t i;

    if (cli->argc > 2) {
        q.kind = "message";
        q.id = cli->argv[2];
    }
    if (client_get_journal(&resp, cli_client(cli), &q) != 0)
        return cli_fail();
    if (cli->json) {
        cli_print_json(resp);
    } else if (json_array_size(json_object_get(resp, "items")) == 0) {
        printf("no records\n");
    } else {
        t = cli_table_create(4, head);
        json_array_foreach(json_object_get(resp, "items"), i, r) {
            char *detail = cli_json_text(json_object_get(r, "detail"));

            cli_table_cell(t, cli_str(r, "time"));
            cli_table_cell(t, cli_str(r, "id"));
            cli_table_cell(t, cli_str(r, "type"));
            cli_table_cell(t, detail);
            free(detail);
        }
        cli_table_print(t, stdout, cli_width());
        cli_table_free(t);
    }
    json_decref(resp);
    return CLI_EXIT_OK;
}

static const struct cmd_queues_action cmd_queues_actions[] = {
    {"list", cmd_queues_list, -1, -1, "prefix"},
    {"create", cmd_queues_create, 0, 0,
     "delay visibility retention max-size wait dlq max-receives fifo "
     "content-dedup"},
    {"set", cmd_queues_set, 0, 0,
     "delay visibility retention max-size wait dlq max-receives "
     "content-dedup"},
    {"show", cmd_queues_show, 0, 0, ""},
    {"delete", cmd_queues_delete, 0, 0, ""},
    {"purge", cmd_queues_purge, 0, 0, "yes"},
    {"send", cmd_queues_send, 0, 1, "priority delay attrs group dedup"},
    {"receive", cmd_queues_receive, 0, 0, "max wait visibility"},
    {"delete-message", cmd_queues_delete_message, 1, 16, ""},
    {"change-visibility", cmd_queues_change_visibility, 2, 2, ""},
    {"peek", cmd_queues_peek, 0, 0, "state limit cursor"},
    {"redrive", cmd_queues_redrive, 0, 1000, "to"},
    {"journal", cmd_queues_journal, 0, 1, ""},
    {NULL, NULL, 0, 0, NULL}};

static const struct cmd_queues_action *
cmd_queues_find(const char *name)
{
    for (const struct cmd_queues_action *a = cmd_queues_actions; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

int
cmd_queues_run(struct cli *cli)
{
    const char *name = cli->argc > 0 ? cli->argv[0] : "list";
    const struct cmd_queues_action *a = cmd_queues_find(name);
    int extra, rc;

    if (a == NULL)
        return cli_usage_error(cli, "queues: no action '%s'", name);
    if ((rc = cli_check_action_opts(cli, a->name, a->opts)) != 0)
        return rc;
    if (a->min_args < 0) /* list: no queue name */
        return cli->argc > 1 ? cli_usage_error(cli, "queues list takes no "
                                                    "queue name")
                             : a->run(cli, NULL);
    if (cli->argc < 2)
        return cli_usage_error(cli, "queues %s needs a queue name", a->name);
    extra = cli->argc - 2;
    if (extra < a->min_args || extra > a->max_args)
        return cli_usage_error(cli, "queues %s: wrong number of arguments",
                               a->name);
    return a->run(cli, cli->argv[1]);
}
