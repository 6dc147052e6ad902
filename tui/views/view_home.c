/*
 * view_home: the home screen. Keeps the last /v1/info it was given and
 * draws the engine, its clock, what the flows are doing (executions by
 * status, tasks waiting for a callback), the queues and the counts per
 * resource kind; under them three panes, one shown at a time and Tab
 * between them: the stuck work, the running executions and the queues.
 * Stuck work is built each second from GET /v1/tasks (tasks waiting past
 * the threshold, or close to their timeout), GET /v1/executions?status=
 * Running and each one's `current` (steps running without progress), and
 * GET /v1/queues (an oldest message older than the threshold), and from
 * /v1/info itself: the subscriptions whose deliveries failed or wait to
 * retry (topics.failing) and the queue triggers whose newest invocation
 * failed (functions.failing). When the engine stops answering it keeps
 * showing what it last knew; the app's banner says that it is stale.
 */
#include "views/view_home.h"

#include "app.h"
#include "common/jsonx.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "text.h"
#include "theme.h"
#include "client/client.h"
#include "views/view_execs.h"
#include "views/view_tasks.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_HOME_LABEL_X 3
#define VIEW_HOME_VALUE_X 15
#define VIEW_HOME_STUCK_MS (5 * 60 * 1000)
#define VIEW_HOME_DETAILS 20 /* running executions looked into per tick */

enum view_home_pane { VIEW_HOME_STUCK, VIEW_HOME_EXECS, VIEW_HOME_QUEUES };

enum view_home_kind {
    VIEW_HOME_TASK,
    VIEW_HOME_EXEC,
    VIEW_HOME_QUEUE,
    VIEW_HOME_PUSH,   /* a subscription's deliveries failing */
    VIEW_HOME_TRIGGER /* a queue trigger's invocations failing */
};

/* one line of the stuck work */
struct view_home_stuck {
    enum view_home_kind kind;
    char *what;  /* "order/o-1", "jobs" */
    char *where; /* "step charge", "" */
    int64_t age_ms; /* -1: not known */
    char *detail; /* "times out in 46m, token -> queue jobs" */
    char *open;   /* the argument of the screen Enter opens */
    char *token;  /* of a task, else NULL */
    char *task;   /* "o-1 / charge" of a task, else NULL */
};

struct view_home {
    struct app *app;
    json_t *info;   /* one reference, or NULL before the first answer */
    json_t *tasks;  /* waiting tasks, or NULL */
    json_t *execs;  /* running executions, or NULL */
    json_t *queues; /* every queue, or NULL */
    json_t *current; /* "flow/name" -> its `current` steps */
    int tasks_busy, execs_busy, queues_busy, details_busy;
    int64_t after_ms; /* the threshold */
    struct view_home_stuck *stuck;
    size_t nstuck;
    enum view_home_pane pane;
    struct w_table table[3];
    struct view_tasks_act act;
    struct view_execs_clock clock;
    char cell[300];
};

static void *
view_home_create(struct app *app, const char *arg)
{
    struct view_home *h = xcalloc(1, sizeof(struct view_home));

    const char *env = getenv("FLOWDECK_STUCK_AFTER");
    int64_t ms;

    (void)arg;
    h->app = app;
    h->after_ms = VIEW_HOME_STUCK_MS;
    if (env && *env && timefmt_parse_duration(&ms, env) == 0 && ms >= 0)
        h->after_ms = ms;
    h->current = json_object();
    return h;
}

static void
view_home_stuck_clear(struct view_home *h)
{
    for (size_t i = 0; i < h->nstuck; i++) {
        free(h->stuck[i].what);
        free(h->stuck[i].where);
        free(h->stuck[i].detail);
        free(h->stuck[i].open);
        free(h->stuck[i].token);
        free(h->stuck[i].task);
    }
    free(h->stuck);
    h->stuck = NULL;
    h->nstuck = 0;
}

static void
view_home_free(void *state)
{
    struct view_home *h = state;

    if (h == NULL)
        return;
    json_decref(h->info);
    json_decref(h->tasks);
    json_decref(h->execs);
    json_decref(h->queues);
    json_decref(h->current);
    view_home_stuck_clear(h);
    view_tasks_act_free(&h->act);
    free(h);
}

static void view_home_stuck_build(struct view_home *h);

static void
view_home_update(void *state, json_t *data)
{
    struct view_home *h = state;

    json_decref(h->info);
    h->info = json_incref(data); /* kept until the next update */
    view_execs_clock_set(&h->clock, data);
    view_home_stuck_build(h); /* the failing pushes and triggers */
}

static int
view_home_heading(WINDOW *win, int y, const char *title)
{
    w_text_put(win, y, 1, title, theme_attr(THEME_HEADING));
    return y + 1;
}

static int
view_home_row(WINDOW *win, int y, const char *label, const char *value)
{
    w_text_put(win, y, VIEW_HOME_LABEL_X, label, theme_attr(THEME_LABEL));
    w_text_put(win, y, VIEW_HOME_VALUE_X, value, A_NORMAL);
    return y + 1;
}

/* a row whose value is a field of `obj`, shown as text */
static int
view_home_field(WINDOW *win, int y, const char *label, const json_t *obj,
                const char *key)
{
    const json_t *v = json_object_get(obj, key);
    char *text;

    if (v == NULL)
        return y;
    if (json_is_string(v))
        text = xstrdup(json_string_value(v));
    else if (json_is_real(v)) /* 60, not 60.0 */
        text = xasprintf("%.15g", json_real_value(v));
    else
        text = jsonx_dump(v);
    y = view_home_row(win, y, label, text);
    free(text);
    return y;
}

/* "timers 0   journal 12   snapshots 1", wrapped to the window's width:
 * the engine adds kinds as it grows */
static int
view_home_counts(WINDOW *win, int y, const json_t *counts)
{
    int x = VIEW_HOME_LABEL_X, w;
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)counts, key, v)
    {
        char *text = jsonx_dump(v);

        w = (int)(text_width(key) + 1 + text_width(text));
        if (x > VIEW_HOME_LABEL_X && x + w >= getmaxx(win)) {
            y++;
            x = VIEW_HOME_LABEL_X;
        }
        x = w_text_put(win, y, x, key, theme_attr(THEME_LABEL));
        x = w_text_put(win, y, x + 1, text, A_NORMAL) + 3;
        free(text);
    }
    return y;
}

/* "5 queues   ✉ 128   visible 120  in flight 3  delayed 5   DLQ 3" */
static int
view_home_queues(WINDOW *win, int y, const json_t *q, int utf8)
{
    char line[160];

#define VIEW_HOME_N(key)                                                       \
    ((long long)json_integer_value(json_object_get(q, key)))
    snprintf(line, sizeof(line),
             "%lld   %s %lld   visible %lld  in flight %lld  delayed %lld   "
             "DLQ %lld",
             VIEW_HOME_N("queues"), utf8 ? "\u2709" : "messages",
             VIEW_HOME_N("messages"), VIEW_HOME_N("visible"),
             VIEW_HOME_N("in_flight"), VIEW_HOME_N("delayed"),
             VIEW_HOME_N("dead_letter"));
#undef VIEW_HOME_N
    return view_home_row(win, y, "queues", line);
}

/* "▶ 3 running   ✔ 41 succeeded   ✖ 2 failed   1 stopped" */
static int
view_home_executions(WINDOW *win, int y, const json_t *x, int utf8)
{
    char line[200];
    size_t len;

#define VIEW_HOME_N(key)                                                       \
    ((long long)json_integer_value(json_object_get(x, key)))
    snprintf(line, sizeof(line), "%s %lld running   %s %lld succeeded   %s %lld "
             "failed",
             view_execs_glyph("running", utf8), VIEW_HOME_N("running"),
             view_execs_glyph("succeeded", utf8), VIEW_HOME_N("succeeded"),
             view_execs_glyph("failed", utf8), VIEW_HOME_N("failed"));
    len = strlen(line);
    if (VIEW_HOME_N("stopped") || VIEW_HOME_N("timed_out"))
        snprintf(line + len, sizeof(line) - len, "   %lld stopped, %lld timed "
                 "out", VIEW_HOME_N("stopped"), VIEW_HOME_N("timed_out"));
#undef VIEW_HOME_N
    return view_home_row(win, y, "executions", line);
}

/* "⏸ 2 waiting for a callback, the oldest for 14m00s", its age on the
 * engine clock of the same answer */
static int
view_home_tasks(WINDOW *win, int y, const json_t *x, const json_t *clock,
                int utf8)
{
    json_int_t n = json_integer_value(json_object_get(x, "waiting_tasks"));
    const char *oldest = json_string_value(json_object_get(x, "oldest_task"));
    char line[160], age[32];

    if (n == 0) {
        w_text_put(win, y, VIEW_HOME_LABEL_X, "tasks", theme_attr(THEME_LABEL));
        w_text_put(win, y, VIEW_HOME_VALUE_X, "none waiting for a callback",
                   theme_attr(THEME_DIM));
        return y + 1;
    }
    view_execs_age(age, sizeof(age),
                   json_integer_value(json_object_get(clock, "now_ms")),
                   oldest);
    snprintf(line, sizeof(line), "%s %lld waiting for a callback, the oldest "
             "for %s",
             view_execs_glyph("waiting", utf8), (long long)n, age);
    return view_home_row(win, y, "tasks", line);
}

/* "✖ 1 failed  ↻ 2 retrying   ✖ 1 trigger failing": deliveries out of
 * retries or waiting to retry, queue triggers whose newest invocation
 * failed */
static int
view_home_failing(WINDOW *win, int y, const json_t *topics,
                  const json_t *fns, int utf8)
{
    json_int_t failed = json_integer_value(json_object_get(topics, "failed"));
    json_int_t retrying =
        json_integer_value(json_object_get(topics, "retrying"));
    json_int_t trig =
        json_integer_value(json_object_get(fns, "failing_triggers"));
    char line[200];

    w_text_put(win, y, VIEW_HOME_LABEL_X, "failing", theme_attr(THEME_LABEL));
    if (failed == 0 && retrying == 0 && trig == 0) {
        w_text_put(win, y, VIEW_HOME_VALUE_X,
                   "no delivery or trigger failing", theme_attr(THEME_DIM));
        return y + 1;
    }
    snprintf(line, sizeof(line), "%s %lld deliveries failed  %s %lld "
             "retrying   %s %lld trigger%s failing",
             view_execs_glyph("failed", utf8), (long long)failed,
             view_execs_glyph("retrying", utf8), (long long)retrying,
             view_execs_glyph("failed", utf8), (long long)trig,
             trig == 1 ? "" : "s");
    w_text_put(win, y, VIEW_HOME_VALUE_X, line, theme_attr(THEME_DOWN));
    return y + 1;
}

/* "F flows  E executions  T tasks" beside the FLOWS heading: the footer
 * has no room for them all */
static void
view_home_keys_hint(WINDOW *win, int y)
{
    static const char *const hint[][2] = {
        {"F", "flows"}, {"E", "executions"}, {"T", "tasks"}};
    int x = VIEW_HOME_VALUE_X;

    for (size_t i = 0; i < sizeof(hint) / sizeof(hint[0]); i++) {
        x = w_text_put(win, y, x, hint[i][0], theme_attr(THEME_KEY));
        x = w_text_put(win, y, x + 1, hint[i][1], theme_attr(THEME_DIM)) + 2;
    }
}

/* ---- stuck work ---- */

static const char *
view_home_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static struct view_home_stuck *
view_home_stuck_add(struct view_home *h, enum view_home_kind kind,
                    int64_t age_ms)
{
    struct view_home_stuck *s;

    h->stuck = xreallocarray(h->stuck, h->nstuck + 1, sizeof(*h->stuck));
    s = &h->stuck[h->nstuck++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->age_ms = age_ms;
    return s;
}

/* tasks waiting past the threshold, or within 20% of their timeout */
static void
view_home_stuck_tasks(struct view_home *h, int64_t now, int utf8)
{
    char dur[32], where[200];
    size_t i;
    json_t *t;

    json_array_foreach(h->tasks, i, t)
    {
        int64_t since, due, age;
        int has_due;
        struct view_home_stuck *s;

        if (view_execs_time(&since, view_home_str(t, "since")) != 0)
            continue;
        age = now > since ? now - since : 0;
        has_due = view_execs_time(&due, view_home_str(t, "timeout")) == 0;
        if (age < h->after_ms &&
            !(has_due && due > since && (due - now) * 5 <= due - since))
            continue;
        s = view_home_stuck_add(h, VIEW_HOME_TASK, age);
        s->what = xasprintf("%s/%s", view_home_str(t, "flow"),
                            view_home_str(t, "execution"));
        s->where = xasprintf("step %s", view_home_str(t, "step"));
        view_tasks_target(where, sizeof(where), json_object_get(t, "target"),
                          utf8);
        if (has_due) {
            timefmt_duration(dur, sizeof(dur), due > now ? due - now : 0);
            s->detail = xasprintf("times out in %s, token %s %s", dur,
                                  utf8 ? "\u2192" : "->", where);
        } else {
            s->detail = xasprintf("token %s %s", utf8 ? "\u2192" : "->",
                                  where);
        }
        s->open = xasprintf("%s/%s@%s", view_home_str(t, "flow"),
                            view_home_str(t, "execution"),
                            view_home_str(t, "step"));
        s->token = xstrdup(view_home_str(t, "token"));
        s->task = xasprintf("%s / %s", view_home_str(t, "execution"),
                            view_home_str(t, "step"));
    }
}

/* running executions with a step that made no progress for the
 * threshold; steps waiting for a callback are the tasks' lines */
static void
view_home_stuck_execs(struct view_home *h, int64_t now)
{
    const char *key;
    json_t *cur;

    json_object_foreach(h->current, key, cur)
    {
        size_t i;
        json_t *c;

        json_array_foreach(cur, i, c)
        {
            const char *state = view_home_str(c, "state");
            int64_t since, age;
            struct view_home_stuck *s;

            if (state && strcmp(state, "waiting") == 0)
                continue;
            if (view_execs_time(&since, view_home_str(c, "since")) != 0)
                continue;
            age = now > since ? now - since : 0;
            if (age < h->after_ms)
                continue;
            s = view_home_stuck_add(h, VIEW_HOME_EXEC, age);
            s->what = xstrdup(key);
            s->where = xasprintf("step %s", view_home_str(c, "step"));
            s->detail = xasprintf("%s, no progress", state ? state : "?");
            s->open = xasprintf("%s@%s", key, view_home_str(c, "step"));
            break; /* one line per execution */
        }
    }
}

static void
view_home_stuck_queues(struct view_home *h)
{
    size_t i;
    json_t *q;

    json_array_foreach(h->queues, i, q)
    {
        json_int_t age = json_integer_value(json_object_get(q,
                                                            "oldest_age_ms"));
        struct view_home_stuck *s;

        if (!json_is_integer(json_object_get(q, "oldest_age_ms")) ||
            age < h->after_ms)
            continue;
        s = view_home_stuck_add(h, VIEW_HOME_QUEUE, (int64_t)age);
        s->what = xstrdup(view_home_str(q, "name"));
        s->where = xstrdup("");
        s->detail = xasprintf("oldest message aging, %lld visible",
                              (long long)json_integer_value(json_object_get(
                                  json_object_get(q, "counts"), "visible")));
        s->open = xstrdup(view_home_str(q, "name"));
    }
}

/* a string field of the engine's answer, "?" when it has none */
static const char *
view_home_or(const json_t *obj, const char *key)
{
    const char *v = view_home_str(obj, key);

    return v ? v : "?";
}

/* subscriptions whose deliveries fail: "1 retrying, next in 32s, 5
 * attempts: http://... error" */
static void
view_home_stuck_pushes(struct view_home *h, int64_t now, int utf8)
{
    const json_t *failing =
        json_object_get(json_object_get(h->info, "topics"), "failing");
    char next[32], counts[64];
    size_t i;
    json_t *f;

    json_array_foreach(failing, i, f)
    {
        json_int_t nfailed = json_integer_value(json_object_get(f, "failed"));
        json_int_t nretry = json_integer_value(json_object_get(f, "retrying"));
        const char *err = view_home_str(f, "error");
        int64_t at;
        struct view_home_stuck *s;

        s = view_home_stuck_add(h, VIEW_HOME_PUSH, -1);
        s->what = xasprintf("topic %s", view_home_or(f, "topic"));
        s->where = xasprintf("%s %s", utf8 ? "\u2192" : "->",
                             view_home_or(f, "subscription"));
        if (nfailed && nretry)
            snprintf(counts, sizeof(counts), "%lld failed, %lld retrying",
                     (long long)nfailed, (long long)nretry);
        else if (nfailed)
            snprintf(counts, sizeof(counts), "%lld failed",
                     (long long)nfailed);
        else
            snprintf(counts, sizeof(counts), "%lld retrying",
                     (long long)nretry);
        if (view_execs_time(&at, view_home_str(f, "next_attempt")) == 0) {
            timefmt_duration(next, sizeof(next), at > now ? at - now : 0);
            s->detail = xasprintf(
                "%s, next in %s, %lld attempts: %s %s", counts, next,
                (long long)json_integer_value(json_object_get(f, "attempts")),
                view_home_or(f, "endpoint"), err ? err : "");
        } else {
            s->detail = xasprintf(
                "%s, out of retries after %lld attempts: %s %s", counts,
                (long long)json_integer_value(json_object_get(f, "attempts")),
                view_home_or(f, "endpoint"), err ? err : "");
        }
        s->open = xasprintf("%s@%s", view_home_or(f, "topic"),
                            view_home_or(f, "subscription"));
    }
}

/* queue triggers whose newest invocation failed */
static void
view_home_stuck_triggers(struct view_home *h, int64_t now)
{
    const json_t *failing =
        json_object_get(json_object_get(h->info, "functions"), "failing");
    size_t i;
    json_t *f;

    json_array_foreach(failing, i, f)
    {
        const char *err = view_home_str(f, "error");
        const char *cause = view_home_str(f, "cause");
        int64_t at;
        struct view_home_stuck *s;

        s = view_home_stuck_add(
            h, VIEW_HOME_TRIGGER,
            view_execs_time(&at, view_home_str(f, "started")) == 0
                ? (now > at ? now - at : 0)
                : -1);
        s->what = xasprintf("fn %s", view_home_or(f, "function"));
        s->where = xasprintf("queue %s", view_home_or(f, "queue"));
        s->detail = xasprintf("%s%s%s%s%s%s",
                              view_home_or(f, "status"), err ? ": " : "",
                              err ? err : "", cause ? ": " : "",
                              cause ? cause : "",
                              strcmp(view_home_or(f, "state"), "enabled")
                                  ? " (paused)"
                                  : "");
        for (char *p = s->detail; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
        s->open = xstrdup(view_home_or(f, "function"));
    }
}

/* build the stuck lines again from what was last fetched */
static void
view_home_stuck_build(struct view_home *h)
{
    int64_t now = view_execs_clock_now(&h->clock);

    view_home_stuck_clear(h);
    view_home_stuck_tasks(h, now, app_utf8(h->app));
    view_home_stuck_pushes(h, now, app_utf8(h->app));
    view_home_stuck_triggers(h, now);
    view_home_stuck_execs(h, now);
    view_home_stuck_queues(h);
    w_table_set_rows(&h->table[VIEW_HOME_STUCK], h->nstuck);
}

/* ---- requests ---- */

static void
view_home_on_tasks(int rc, json_t *body, void *arg)
{
    struct view_home *h = arg;
    json_t *items = json_object_get(body, "items");

    h->tasks_busy = 0;
    if (rc == 0 && json_is_array(items)) {
        json_decref(h->tasks);
        h->tasks = json_incref(items); /* kept until the next answer */
    }
    view_home_stuck_build(h);
}

static void
view_home_on_detail(int rc, json_t *body, void *arg)
{
    struct view_home *h = arg;
    const char *flow = view_home_str(body, "flow");
    const char *name = view_home_str(body, "name");
    const char *status = view_home_str(body, "status");

    h->details_busy--;
    if (rc == 0 && flow && name && status && strcmp(status, "Running") == 0) {
        char *key = xasprintf("%s/%s", flow, name);

        json_object_set(h->current, key, json_object_get(body, "current"));
        free(key);
    }
    if (h->details_busy == 0)
        view_home_stuck_build(h);
}

static void
view_home_on_execs(int rc, json_t *body, void *arg)
{
    struct view_home *h = arg;
    json_t *items = json_object_get(body, "items");
    size_t i;
    json_t *x;

    h->execs_busy = 0;
    if (rc != 0 || !json_is_array(items))
        return;
    json_decref(h->execs);
    h->execs = json_incref(items); /* kept until the next answer */
    w_table_set_rows(&h->table[VIEW_HOME_EXECS], json_array_size(items));
    json_object_clear(h->current);
    json_array_foreach(items, i, x)
    {
        char *esc, *fesc, *path;

        if (i == VIEW_HOME_DETAILS)
            break;
        esc = client_escape(view_home_str(x, "name"));
        fesc = client_escape(view_home_str(x, "flow"));
        path = xasprintf("/v1/executions/%s?flow=%s", esc, fesc);
        h->details_busy++;
        app_request(h->app, "GET", path, NULL, view_home_on_detail, h);
        free(path);
        free(fesc);
        free(esc);
    }
    if (h->details_busy == 0)
        view_home_stuck_build(h);
}

static void
view_home_on_queues(int rc, json_t *body, void *arg)
{
    struct view_home *h = arg;
    json_t *items = json_object_get(body, "items");

    h->queues_busy = 0;
    if (rc == 0 && json_is_array(items)) {
        json_decref(h->queues);
        h->queues = json_incref(items); /* kept until the next answer */
        w_table_set_rows(&h->table[VIEW_HOME_QUEUES], json_array_size(items));
    }
    view_home_stuck_build(h);
}

static void
view_home_tick(void *state)
{
    struct view_home *h = state;

    if (!h->tasks_busy) {
        h->tasks_busy = 1;
        app_request(h->app, "GET", "/v1/tasks?status=waiting&limit=1000", NULL,
                    view_home_on_tasks, h);
    }
    if (!h->execs_busy && h->details_busy == 0) {
        h->execs_busy = 1;
        app_request(h->app, "GET", "/v1/executions?status=Running&limit=100",
                    NULL, view_home_on_execs, h);
    }
    if (!h->queues_busy) {
        h->queues_busy = 1;
        app_request(h->app, "GET", "/v1/queues?limit=1000", NULL,
                    view_home_on_queues, h);
    }
}

/* ---- the panes ---- */

static const struct w_table_col view_home_stuck_cols[] = {
    {"", 1, 0},        {"", 5, 0},      {"WHAT", 18, 0},
    {"WHERE", 14, 0}, {"AGE", 7, 1}, {"", 0, 0},
};

static const char *
view_home_stuck_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_home *h = ctx;
    const struct view_home_stuck *s = &h->stuck[row];
    static const char *const kinds[] = {"task", "exec", "queue", "push",
                                        "trig"};
    int utf8 = app_utf8(h->app);

    switch (col) {
    case 0:
        if (s->kind == VIEW_HOME_PUSH || s->kind == VIEW_HOME_TRIGGER) {
            *attr = view_execs_attr("failed");
            return view_execs_glyph("failed", utf8);
        }
        if (s->kind == VIEW_HOME_QUEUE) {
            *attr = theme_attr(THEME_KEY);
            return utf8 ? "\u2709" : "@";
        }
        *attr = view_execs_attr(s->kind == VIEW_HOME_TASK ? "waiting"
                                                          : "running");
        return view_execs_glyph(s->kind == VIEW_HOME_TASK ? "waiting"
                                                          : "running",
                                utf8);
    case 1:
        return kinds[s->kind];
    case 2:
        return s->what;
    case 3:
        return s->where;
    case 4:
        if (s->age_ms < 0)
            return "-";
        timefmt_duration(h->cell, sizeof(h->cell), s->age_ms);
        return h->cell;
    default:
        *attr = s->kind == VIEW_HOME_PUSH || s->kind == VIEW_HOME_TRIGGER
                    ? theme_attr(THEME_DOWN)
                    : theme_attr(THEME_DIM);
        return s->detail;
    }
}

static const struct w_table_col view_home_execs_cols[] = {
    {"", 1, 0}, {"FLOW", 14, 0}, {"EXECUTION", 24, 0}, {"RUNNING", 9, 1},
    {"", 0, 0},
};

static const char *
view_home_execs_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_home *h = ctx;
    const json_t *x = json_array_get(h->execs, row);
    const char *status = view_home_str(x, "status");

    switch (col) {
    case 0:
        *attr = view_execs_attr(status);
        return view_execs_glyph(status, app_utf8(h->app));
    case 1:
        return view_home_str(x, "flow");
    case 2:
        return view_home_str(x, "name");
    case 3:
        view_execs_age(h->cell, sizeof(h->cell),
                       view_execs_clock_now(&h->clock),
                       view_home_str(x, "started"));
        return h->cell;
    default:
        return "";
    }
}

static const struct w_table_col view_home_queues_cols[] = {
    {"QUEUE", 20, 0},     {"VISIBLE", 8, 1}, {"IN FLIGHT", 9, 1},
    {"DELAYED", 8, 1}, {"OLDEST", 8, 1},  {"", 0, 0},
};

static const char *
view_home_queues_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_home *h = ctx;
    const json_t *q = json_array_get(h->queues, row);
    const json_t *counts = json_object_get(q, "counts");
    static const char *const keys[] = {"visible", "in_flight", "delayed"};

    (void)attr;
    if (col == 0)
        return view_home_str(q, "name");
    if (col >= 1 && col <= 3) {
        snprintf(h->cell, sizeof(h->cell), "%lld",
                 (long long)json_integer_value(
                     json_object_get(counts, keys[col - 1])));
        return h->cell;
    }
    if (col == 4) {
        if (!json_is_integer(json_object_get(q, "oldest_age_ms")))
            return "-";
        timefmt_duration(h->cell, sizeof(h->cell),
                         json_integer_value(json_object_get(q,
                                                            "oldest_age_ms")));
        return h->cell;
    }
    return "";
}

/* "STUCK WORK 2   EXECUTIONS 3   QUEUES 5": the pane shown is lit */
static void
view_home_tabs(struct view_home *h, WINDOW *win, int y)
{
    static const char *const names[] = {"STUCK WORK", "EXECUTIONS", "QUEUES"};
    size_t counts[3];
    char text[48];
    int x = 1;

    counts[0] = h->nstuck;
    counts[1] = json_array_size(h->execs);
    counts[2] = json_array_size(h->queues);
    for (int i = 0; i < 3; i++) {
        attr_t a = theme_attr(THEME_HEADING);

        snprintf(text, sizeof(text), " %s %zu ", names[i], counts[i]);
        x = w_text_put(win, y, x,
                       text, (int)h->pane == i ? a | A_REVERSE : a) + 1;
    }
    /* the footer has no room for these */
    x = w_text_put(win, y, x + 1, "tab", theme_attr(THEME_KEY));
    x = w_text_put(win, y, x + 2, "enter", theme_attr(THEME_KEY));
    x = w_text_put(win, y, x + 1, "open", theme_attr(THEME_DIM));
    if (h->pane == VIEW_HOME_STUCK && h->nstuck) {
        x = w_text_put(win, y, x + 2, "S", theme_attr(THEME_KEY));
        w_text_put(win, y, x + 1, "succeed", theme_attr(THEME_DIM));
    }
}

static void
view_home_pane_draw(struct view_home *h, WINDOW *win, int y, int rows)
{
    int utf8 = app_utf8(h->app);
    const char *empty = NULL;

    view_home_tabs(h, win, y);
    if (rows < 2)
        return;
    switch (h->pane) {
    case VIEW_HOME_STUCK:
        w_table_draw(win, y + 1, rows - 1, &h->table[0], view_home_stuck_cols,
                     sizeof(view_home_stuck_cols) /
                         sizeof(view_home_stuck_cols[0]),
                     view_home_stuck_cell, NULL, h, utf8);
        if (h->nstuck == 0)
            empty = "nothing stuck";
        break;
    case VIEW_HOME_EXECS:
        w_table_draw(win, y + 1, rows - 1, &h->table[1], view_home_execs_cols,
                     sizeof(view_home_execs_cols) /
                         sizeof(view_home_execs_cols[0]),
                     view_home_execs_cell, NULL, h, utf8);
        if (json_array_size(h->execs) == 0)
            empty = "no execution running";
        break;
    default:
        w_table_draw(win, y + 1, rows - 1, &h->table[2], view_home_queues_cols,
                     sizeof(view_home_queues_cols) /
                         sizeof(view_home_queues_cols[0]),
                     view_home_queues_cell, NULL, h, utf8);
        if (json_array_size(h->queues) == 0)
            empty = "no queues";
        break;
    }
    if (empty && rows > 2)
        w_text_put(win, y + 2, 3, empty, theme_attr(THEME_DIM));
}

/* ---- keys ---- */

static int
view_home_open_queues(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "queues", NULL);
    return VIEW_REDRAW;
}

static int
view_home_open_logs(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "logs", NULL);
    return VIEW_REDRAW;
}

static int
view_home_open_clock(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "clock", NULL);
    return VIEW_REDRAW;
}

static int
view_home_open_flows(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "flows", NULL);
    return VIEW_REDRAW;
}

static int
view_home_open_execs(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "execs", NULL);
    return VIEW_REDRAW;
}

static int
view_home_open_tasks(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "tasks", NULL);
    return VIEW_REDRAW;
}

/* Esc on home: nothing is below it (bound here so the footer has room
 * for the screens) */
static int
view_home_stay(void *state)
{
    (void)state;
    return VIEW_HANDLED;
}

static int
view_home_tab(void *state)
{
    struct view_home *h = state;

    h->pane = (enum view_home_pane)((h->pane + 1) % 3);
    return VIEW_REDRAW;
}

static int
view_home_move(struct view_home *h, long delta)
{
    w_table_move(&h->table[h->pane], delta);
    return VIEW_REDRAW;
}

static int
view_home_down(void *state)
{
    return view_home_move(state, 1);
}

static int
view_home_up(void *state)
{
    return view_home_move(state, -1);
}

/* Enter: the screen of the selected line of the pane shown */
static int
view_home_open(void *state)
{
    struct view_home *h = state;
    const struct w_table *t = &h->table[h->pane];
    const json_t *x;
    char *arg;

    if (t->rows == 0)
        return VIEW_HANDLED;
    if (h->pane == VIEW_HOME_STUCK) {
        const struct view_home_stuck *s = &h->stuck[t->sel];
        static const char *const screens[] = {"exec", "exec", "queue",
                                              "topic", "function"};

        app_open(h->app, screens[s->kind], s->open);
    } else if (h->pane == VIEW_HOME_EXECS) {
        x = json_array_get(h->execs, t->sel);
        arg = xasprintf("%s/%s", view_home_str(x, "flow"),
                        view_home_str(x, "name"));
        app_open(h->app, "exec", arg);
        free(arg);
    } else {
        app_open(h->app, "queue",
                 view_home_str(json_array_get(h->queues, t->sel), "name"));
    }
    return VIEW_REDRAW;
}

/* Returns: the selected stuck task, or NULL with a flash */
static const struct view_home_stuck *
view_home_task(struct view_home *h)
{
    const struct w_table *t = &h->table[VIEW_HOME_STUCK];

    if (h->pane != VIEW_HOME_STUCK || t->rows == 0 ||
        h->stuck[t->sel].token == NULL) {
        app_flash(h->app, "select a stuck task first");
        return NULL;
    }
    return &h->stuck[t->sel];
}

static void
view_home_on_called(int rc, json_t *body, void *arg)
{
    struct view_home *h = arg;

    (void)body;
    view_tasks_act_done(&h->act, h->app, rc);
    view_home_tick(h);
}

/* S: the succeed form for the selected task, its output {} ready to send */
static int
view_home_succeed(void *state)
{
    struct view_home *h = state;
    const struct view_home_stuck *s = view_home_task(h);

    if (s == NULL)
        return VIEW_REDRAW;
    view_tasks_act_open(&h->act, VIEW_TASKS_SUCCEED, s->token, s->task);
    w_input_set(&h->act.form.fields[0], "{}");
    return VIEW_REDRAW;
}

static int
view_home_beat(void *state)
{
    struct view_home *h = state;
    const struct view_home_stuck *s = view_home_task(h);

    if (s != NULL)
        view_tasks_heartbeat(&h->act, h->app, s->token, s->task,
                             view_home_on_called, h);
    return VIEW_REDRAW;
}

static int
view_home_grab(void *state)
{
    return ((struct view_home *)state)->act.form.open;
}

static int
view_home_key(void *state, int ch)
{
    struct view_home *h = state;

    if (!h->act.form.open)
        return 0;
    return view_tasks_act_key(&h->act, h->app, ch, view_home_on_called, h);
}

static const struct keybind view_home_keys[] = {
    {'\r', "open", view_home_open, 1},
    {'\t', "pane", view_home_tab, 1},
    {'S', "succeed task", view_home_succeed, 1},
    {'H', "heartbeat task", view_home_beat, 1},
    {'F', "flows", view_home_open_flows, 1},
    {'E', "executions", view_home_open_execs, 1},
    {'T', "tasks", view_home_open_tasks, 0},
    {'Q', "queues", view_home_open_queues, 0},
    {'L', "logs", view_home_open_logs, 0},
    {'C', "clock", view_home_open_clock, 0},
    {'j', "down", view_home_down, 1},
    {'k', "up", view_home_up, 1},
    {KEY_DOWN, "down", view_home_down, 1},
    {KEY_UP, "up", view_home_up, 1},
    {27, "nothing: home is the first screen", view_home_stay, 1},
    {0, NULL, NULL, 0},
};

static void
view_home_draw(void *state, WINDOW *win)
{
    struct view_home *h = state;
    const json_t *clock, *execs;
    char dur[32], off[32], line[160];
    int y = 0, rows = getmaxy(win), extra;

    werase(win);
    if (h->info == NULL) {
        w_text_put(win, 1, 1, "waiting for the engine to answer...",
                   theme_attr(THEME_DIM));
        return;
    }
    /* the summary takes 14 rows; the pane under it at least 6, and the
     * rest goes to the rows that can go (listen, auth, blank lines) */
    extra = rows - 14 - 6;
    y = view_home_heading(win, y, "ENGINE");
    y = view_home_field(win, y, "version", h->info, "version");
    y = view_home_field(win, y, "pid", h->info, "pid");
    timefmt_duration(dur, sizeof(dur),
                     json_integer_value(json_object_get(h->info, "uptime_ms")));
    snprintf(line, sizeof(line), "%s (since %s)", dur,
             json_string_value(json_object_get(h->info, "started"))
                 ? json_string_value(json_object_get(h->info, "started"))
                 : "?");
    y = view_home_row(win, y, "uptime", line);
    if (extra-- > 0)
        y = view_home_field(win, y, "listen", h->info, "listen");
    y = view_home_field(win, y, "data dir", h->info, "data_dir");
    if (extra-- > 0)
        y = view_home_row(win, y, "auth",
                          json_is_true(json_object_get(h->info, "auth"))
                              ? "token required"
                              : "none");
    clock = json_object_get(h->info, "clock");
    timefmt_duration(off, sizeof(off),
                     json_integer_value(json_object_get(clock, "offset_ms")));
    snprintf(line, sizeof(line), "%s   scale %.15g   offset %s",
             view_home_str(clock, "mode") ? view_home_str(clock, "mode") : "?",
             json_number_value(json_object_get(clock, "scale")), off);
    y = view_home_row(win, y, "clock", line);
    y += extra-- > 0;
    execs = json_object_get(h->info, "executions");
    view_home_keys_hint(win, y);
    y = view_home_heading(win, y, "FLOWS");
    if (execs) {
        y = view_home_executions(win, y, execs, app_utf8(h->app));
        y = view_home_tasks(win, y, execs, clock, app_utf8(h->app));
    }
    y = view_home_queues(win, y, json_object_get(h->info, "queues"),
                         app_utf8(h->app));
    y = view_home_failing(win, y, json_object_get(h->info, "topics"),
                          json_object_get(h->info, "functions"),
                          app_utf8(h->app));
    y += extra-- > 0;
    y = view_home_heading(win, y, "COUNTS");
    y = view_home_counts(win, y, json_object_get(h->info, "counts"));
    y += 1 + (extra-- > 0);
    view_home_pane_draw(h, win, y, rows - y);
    view_tasks_act_draw(&h->act, win, app_utf8(h->app));
}

const struct view_ops view_home_ops = {
    .name = "home",
    .create = view_home_create,
    .free = view_home_free,
    .draw = view_home_draw,
    .key = view_home_key,
    .update = view_home_update,
    .tick = view_home_tick,
    .grab = view_home_grab,
    .keys = view_home_keys,
};
