/*
 * view_tasks: keeps the last list of tasks the engine sent, one request
 * at a time. The callback forms POST to /v1/tasks/{token}/...; after an
 * answer the list is asked for again, so a task that is done leaves the
 * inbox at once.
 */
#include "views/view_tasks.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_execs.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
view_tasks_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* ---- the callback forms, shared with view_exec ---- */

void
view_tasks_act_open(struct view_tasks_act *a, enum view_tasks_call call,
                    const char *token, const char *what)
{
    static const char *const succeed[] = {"output"};
    static const char *const fail[] = {"error", "cause"};
    static const char *const fail_values[] = {"Failed", NULL};
    char *title;

    free(a->token);
    free(a->what);
    a->call = call;
    a->token = xstrdup(token);
    a->what = xstrdup(what ? what : token);
    if (call == VIEW_TASKS_SUCCEED) {
        title = xasprintf("Succeed %s", a->what);
        w_form_open(&a->form, title, 1, succeed, NULL, "send",
                    "output: a JSON object; empty: {}");
    } else {
        title = xasprintf("Fail %s", a->what);
        w_form_open(&a->form, title, 2, fail, fail_values, "send",
                    "error: a name a catch can match; cause: free text");
    }
    free(title);
}

void
view_tasks_act_free(struct view_tasks_act *a)
{
    w_form_free(&a->form);
    free(a->token);
    free(a->what);
    free(a->sent);
    memset(a, 0, sizeof(*a));
}

static void
view_tasks_post(struct view_tasks_act *a, struct app *app, const char *token,
                const char *verb, json_t *body,
                void (*done)(int rc, json_t *body, void *arg), void *arg)
{
    char *esc = client_escape(token);
    char *path = xasprintf("/v1/tasks/%s/%s", esc, verb);

    app_request(app, "POST", path, body, done, arg);
    free(path);
    free(esc);
    free(a->sent);
    a->sent = xasprintf("%s %s", verb, a->what ? a->what : token);
}

int
view_tasks_act_key(struct view_tasks_act *a, struct app *app, int ch,
                   void (*done)(int rc, json_t *body, void *arg), void *arg)
{
    json_t *out, *body;
    json_error_t jerr;
    const char *text;

    if (w_form_key(&a->form, ch) != W_FORM_SUBMIT)
        return VIEW_REDRAW;
    if (a->call == VIEW_TASKS_SUCCEED) {
        text = w_form_text(&a->form, 0);
        out = json_loads(*text ? text : "{}", JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(out)) {
            if (out == NULL)
                w_form_refuse(&a->form, "output: %s (column %d)", jerr.text,
                              jerr.column);
            else
                w_form_refuse(&a->form, "the output must be a JSON object");
            json_decref(out);
            return VIEW_REDRAW;
        }
        body = json_pack("{s:o}", "output", out);
        view_tasks_post(a, app, a->token, "succeed", body, done, arg);
    } else {
        if (*w_form_text(&a->form, 0) == '\0') {
            a->form.field = 0;
            w_form_refuse(&a->form, "name the error, e.g. JobFailed");
            return VIEW_REDRAW;
        }
        body = json_pack("{s:s}", "error", w_form_text(&a->form, 0));
        if (*w_form_text(&a->form, 1))
            json_object_set_new(body, "cause",
                                json_string(w_form_text(&a->form, 1)));
        view_tasks_post(a, app, a->token, "fail", body, done, arg);
    }
    json_decref(body);
    w_form_close(&a->form);
    return VIEW_REDRAW;
}

void
view_tasks_heartbeat(struct view_tasks_act *a, struct app *app,
                     const char *token, const char *what,
                     void (*done)(int rc, json_t *body, void *arg), void *arg)
{
    json_t *body = json_object();

    free(a->what);
    a->what = xstrdup(what ? what : token);
    view_tasks_post(a, app, token, "heartbeat", body, done, arg);
    json_decref(body);
}

void
view_tasks_act_call(struct view_tasks_act *a, struct app *app, int which,
                    const char *token, const char *what,
                    void (*done)(int rc, json_t *body, void *arg), void *arg)
{
    if (which == 'H')
        view_tasks_heartbeat(a, app, token, what, done, arg);
    else
        view_tasks_act_open(a,
                            which == 'S' ? VIEW_TASKS_SUCCEED
                                         : VIEW_TASKS_FAIL,
                            token, what);
}

void
view_tasks_act_done(struct view_tasks_act *a, struct app *app, int rc)
{
    if (rc)
        app_flash(app, "%s failed: %s", a->sent ? a->sent : "callback",
                  err_last());
    else
        app_flash(app, "sent: %s", a->sent ? a->sent : "callback");
}

void
view_tasks_act_draw(struct view_tasks_act *a, WINDOW *win, int utf8)
{
    w_form_draw(win, &a->form, 72, utf8);
}

void
view_tasks_target(char *out, size_t n, const json_t *target, int utf8)
{
    const char *arrow = utf8 ? "\u2192" : "->", *dot = utf8 ? "\u00b7" : "-";
    const char *q = view_tasks_str(target, "queue");
    const char *t = view_tasks_str(target, "topic");
    const char *fn = view_tasks_str(target, "function");
    const char *flow = view_tasks_str(target, "flow");
    const char *exec = view_tasks_str(target, "execution");
    const char *msg = view_tasks_str(target, "message_id");

    /* "000000000000002A-EB78..." as "2A-EB78...", as the queue screen */
    while (msg && msg[0] == '0' && msg[1] && msg[1] != '-')
        msg++;
    if ((q || t) && msg)
        snprintf(out, n, "%s %s %s message %s", q ? "queue" : "topic",
                 q ? q : t, dot, msg);
    else if (q || t)
        snprintf(out, n, "%s %s", q ? "queue" : "topic", q ? q : t);
    else if (fn)
        snprintf(out, n, "function %s", fn);
    else if (flow)
        snprintf(out, n, "flow %s %s %s", flow, arrow, exec ? exec : "?");
    else
        snprintf(out, n, "-");
}

/* ---- the inbox ---- */

struct view_tasks {
    struct app *app;
    json_t *items; /* the tasks, or NULL before the first answer */
    char *error;   /* the last refresh's error, or NULL */
    int busy;      /* a refresh is running */
    int all;       /* every task, not only the waiting ones */
    int sent_all;  /* `all` of the refresh running */
    struct w_table table;
    struct view_tasks_act act;
    struct view_execs_clock clock;
    char cell[300];
};

static void
view_tasks_on_list(int rc, json_t *body, void *arg)
{
    struct view_tasks *v = arg;
    json_t *items = json_object_get(body, "items");

    v->busy = 0;
    if (v->sent_all != v->all)
        return; /* asked before a toggles: the next tick asks again */
    free(v->error);
    v->error = NULL;
    if (rc != 0 || !json_is_array(items)) {
        v->error = xstrdup(rc ? err_last() : "no list of tasks");
        return;
    }
    json_decref(v->items);
    v->items = json_incref(items); /* kept until the next answer */
    w_table_set_rows(&v->table, json_array_size(items));
}

static void
view_tasks_tick(void *state)
{
    struct view_tasks *v = state;

    if (v->busy)
        return;
    v->busy = 1;
    v->sent_all = v->all;
    app_request(v->app, "GET",
                v->all ? "/v1/tasks?status=all&limit=1000"
                       : "/v1/tasks?status=waiting&limit=1000",
                NULL, view_tasks_on_list, v);
}

static void
view_tasks_update(void *state, json_t *data)
{
    struct view_tasks *v = state;

    view_execs_clock_set(&v->clock, data);
}

static void *
view_tasks_create(struct app *app, const char *arg)
{
    struct view_tasks *v = xcalloc(1, sizeof(*v));

    v->app = app;
    v->all = arg && strcmp(arg, "all") == 0;
    return v;
}

static void
view_tasks_free(void *state)
{
    struct view_tasks *v = state;

    json_decref(v->items);
    free(v->error);
    view_tasks_act_free(&v->act);
    free(v);
}

/* ---- drawing ---- */

static const struct w_table_col view_tasks_cols[] = {
    {"", 1, 0},
    {"FLOW", 10, 0},
    {"EXECUTION", 12, 0},
    {"STEP", 10, 0},
    {"WAITING", 7, 1},
    {"TIMEOUT", 9, 0},
    {"TOKEN WENT TO", 0, 0},
};

static const char *
view_tasks_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_tasks *v = ctx;
    const json_t *t = json_array_get(v->items, row);
    const char *status = view_tasks_str(t, "status");
    int64_t now = view_execs_clock_now(&v->clock), due;
    char dur[32];

    switch (col) {
    case 0:
        *attr = view_execs_attr(status);
        return view_execs_glyph(status, app_utf8(v->app));
    case 1:
        return view_tasks_str(t, "flow");
    case 2:
        return view_tasks_str(t, "execution");
    case 3:
        return view_tasks_str(t, "step");
    case 4: /* how long it waited, or has been waiting */
        if (status && strcmp(status, "waiting") != 0 &&
            view_execs_time(&due, view_tasks_str(t, "done")) == 0)
            now = due;
        view_execs_age(v->cell, sizeof(v->cell), now,
                       view_tasks_str(t, "since"));
        return v->cell;
    case 5: /* when it times out; what became of one no longer waiting */
        if (status && strcmp(status, "waiting") != 0) {
            *attr = theme_attr(THEME_DIM);
            return status;
        }
        if (view_execs_time(&due, view_tasks_str(t, "timeout")) != 0) {
            *attr = theme_attr(THEME_DIM);
            return "none";
        }
        timefmt_duration(dur, sizeof(dur), due > now ? due - now : 0);
        snprintf(v->cell, sizeof(v->cell), "in %s", dur);
        return v->cell;
    default:
        view_tasks_target(v->cell, sizeof(v->cell),
                          json_object_get(t, "target"), app_utf8(v->app));
        return v->cell;
    }
}

static void
view_tasks_draw(void *state, WINDOW *win)
{
    struct view_tasks *v = state;
    int h = getmaxy(win), x;
    size_t waiting = 0, i;
    json_t *t;
    char head[96];

    werase(win);
    x = w_text_put(win, 0, 1, ":tasks", theme_attr(THEME_TITLE));
    json_array_foreach(v->items, i, t)
    {
        if (view_tasks_str(t, "status") &&
            strcmp(view_tasks_str(t, "status"), "waiting") == 0)
            waiting++;
    }
    if (v->items) {
        if (v->all)
            snprintf(head, sizeof(head), "%zu waiting of %zu", waiting,
                     json_array_size(v->items));
        else
            snprintf(head, sizeof(head), "%zu waiting", waiting);
        x = w_text_put(win, 0, x + 2, head, A_NORMAL);
    }
    w_text_put(win, 0, x + 3,
               v->all ? "every task, oldest first" : "oldest first",
               theme_attr(THEME_DIM));
    if (v->error)
        w_text_put(win, h - 1, 1, v->error, theme_attr(THEME_DOWN));
    if (v->items == NULL) {
        if (v->error == NULL)
            w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    w_table_draw(win, 1, h - (v->error ? 2 : 1), &v->table, view_tasks_cols,
                 sizeof(view_tasks_cols) / sizeof(view_tasks_cols[0]),
                 view_tasks_cell, NULL, v, app_utf8(v->app));
    if (json_array_size(v->items) == 0)
        w_text_put(win, 3, 3,
                   v->all ? "no tasks yet"
                          : "no task waits for a callback (a shows all)",
                   theme_attr(THEME_DIM));
    view_tasks_act_draw(&v->act, win, app_utf8(v->app));
}

/* ---- keys ---- */

/* Returns: borrowed; the selected task if it still waits, else NULL with
 * a flash */
static const json_t *
view_tasks_waiting(struct view_tasks *v)
{
    const json_t *t =
        v->table.rows ? json_array_get(v->items, v->table.sel) : NULL;
    const char *status = view_tasks_str(t, "status");

    if (t == NULL)
        return NULL;
    if (status == NULL || strcmp(status, "waiting") != 0) {
        app_flash(v->app, "that task is %s, not waiting",
                  status ? status : "?");
        return NULL;
    }
    return t;
}

/* "exec-7f3a / charge" of a task */
static char *
view_tasks_what(const json_t *t)
{
    return xasprintf("%s / %s", view_tasks_str(t, "execution"),
                     view_tasks_str(t, "step"));
}

static void
view_tasks_on_called(int rc, json_t *body, void *arg)
{
    struct view_tasks *v = arg;

    (void)body;
    view_tasks_act_done(&v->act, v->app, rc);
    view_tasks_tick(v);
}

static int
view_tasks_call(struct view_tasks *v, int which)
{
    const json_t *t = view_tasks_waiting(v);
    const char *token = view_tasks_str(t, "token");
    char *what;

    if (token == NULL)
        return VIEW_REDRAW;
    what = view_tasks_what(t);
    view_tasks_act_call(&v->act, v->app, which, token, what,
                        view_tasks_on_called, v);
    free(what);
    return VIEW_REDRAW;
}

/* y: the selected task's token to the clipboard */
static int
view_tasks_copy(void *state)
{
    struct view_tasks *v = state;
    const char *token = view_tasks_str(view_tasks_waiting(v), "token");

    if (token)
        app_copy(v->app, "token", token);
    return VIEW_REDRAW;
}

static int
view_tasks_succeed(void *state)
{
    return view_tasks_call(state, 'S');
}

static int
view_tasks_fail(void *state)
{
    return view_tasks_call(state, 'F');
}

static int
view_tasks_beat(void *state)
{
    return view_tasks_call(state, 'H');
}

static int
view_tasks_open(void *state)
{
    struct view_tasks *v = state;
    const json_t *t =
        v->table.rows ? json_array_get(v->items, v->table.sel) : NULL;
    char *arg;

    if (view_tasks_str(t, "flow") == NULL ||
        view_tasks_str(t, "execution") == NULL)
        return VIEW_HANDLED;
    arg = xasprintf("%s/%s", view_tasks_str(t, "flow"),
                    view_tasks_str(t, "execution"));
    app_open(v->app, "exec", arg);
    free(arg);
    return VIEW_REDRAW;
}

static int
view_tasks_toggle(void *state)
{
    struct view_tasks *v = state;

    v->all = !v->all;
    v->table.sel = v->table.top = 0;
    view_tasks_tick(v);
    return VIEW_REDRAW;
}

static int
view_tasks_down(void *state)
{
    w_table_move(&((struct view_tasks *)state)->table, 1);
    return VIEW_REDRAW;
}

static int
view_tasks_up(void *state)
{
    w_table_move(&((struct view_tasks *)state)->table, -1);
    return VIEW_REDRAW;
}

static int
view_tasks_grab(void *state)
{
    return ((struct view_tasks *)state)->act.form.open;
}

static int
view_tasks_key(void *state, int ch)
{
    struct view_tasks *v = state;

    if (!v->act.form.open)
        return 0;
    return view_tasks_act_key(&v->act, v->app, ch, view_tasks_on_called, v);
}

static const struct keybind view_tasks_keys[] = {
    {'S', "succeed", view_tasks_succeed, 0},
    {'F', "fail", view_tasks_fail, 0},
    {'H', "heartbeat", view_tasks_beat, 0},
    {'y', "copy token", view_tasks_copy, 0},
    {'\r', "open", view_tasks_open, 0},
    {'a', "all/waiting", view_tasks_toggle, 1},
    {'j', "down", view_tasks_down, 1},
    {'k', "up", view_tasks_up, 1},
    {KEY_DOWN, "down", view_tasks_down, 1},
    {KEY_UP, "up", view_tasks_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_tasks_ops = {
    .name = "tasks",
    .create = view_tasks_create,
    .free = view_tasks_free,
    .draw = view_tasks_draw,
    .key = view_tasks_key,
    .update = view_tasks_update,
    .tick = view_tasks_tick,
    .grab = view_tasks_grab,
    .keys = view_tasks_keys,
};
