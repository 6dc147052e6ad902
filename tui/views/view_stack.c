/*
 * view_stack: GET /v1/stacks/{name} every second, and its events from
 * the last one seen (the history only grows), one request of each kind
 * at a time. A delete's answer holds its own events, which are shown
 * when the stack is gone.
 */
#include "views/view_stack.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_deploy.h"
#include "views/view_execs.h"
#include "views/view_template.h"
#include "views/views.h"
#include "widgets/w_dialog.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_STACK_PAGE 1000

enum view_stack_ask { VIEW_STACK_NONE, VIEW_STACK_DELETE, VIEW_STACK_REDEPLOY };

struct view_stack {
    struct app *app;
    char *name;
    char *path;    /* "/v1/stacks/<name, escaped>" */
    json_t *stack; /* the last answer, or NULL */
    char *error;   /* the last failed request's message, or NULL */
    int busy, events_busy;
    json_t *events; /* every event read, oldest first */
    int64_t cursor; /* the id of the last event read */
    int deleting;   /* the DELETE is in flight */
    int gone;       /* deleted from here: nothing more to read */
    enum view_stack_ask ask;
    struct w_table table;
    char cell[200];
};

static const char *
view_stack_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* ---- the engine ---- */

static void
view_stack_on_get(int rc, json_t *body, void *arg)
{
    struct view_stack *v = arg;

    v->busy = 0;
    free(v->error);
    v->error = rc ? xstrdup(err_last()) : NULL;
    if (rc != 0 || !json_is_object(body) || v->gone)
        return;
    json_decref(v->stack);
    v->stack = json_incref(body); /* kept until the next answer */
    w_table_set_rows(&v->table,
                     json_array_size(json_object_get(body, "resources")));
}

static void
view_stack_on_events(int rc, json_t *body, void *arg)
{
    struct view_stack *v = arg;
    const json_t *items = json_object_get(body, "items");
    size_t n = json_array_size(items);

    v->events_busy = 0;
    if (rc != 0 || v->gone)
        return;
    json_array_extend(v->events, (json_t *)items);
    if (n)
        v->cursor = json_integer_value(
            json_object_get(json_array_get(items, n - 1), "id"));
}

static void
view_stack_tick(void *state)
{
    struct view_stack *v = state;
    char *path;

    if (v->gone || v->deleting)
        return;
    if (!v->busy) {
        v->busy = 1;
        app_request(v->app, "GET", v->path, NULL, view_stack_on_get, v);
    }
    if (!v->events_busy) {
        v->events_busy = 1;
        path = xasprintf("%s/events?limit=%d&cursor=%lld", v->path,
                         VIEW_STACK_PAGE, (long long)v->cursor);
        app_request(v->app, "GET", path, NULL, view_stack_on_events, v);
        free(path);
    }
}

/* ---- life ---- */

static void *
view_stack_create(struct app *app, const char *arg)
{
    struct view_stack *v = xcalloc(1, sizeof(*v));
    char *esc;

    v->app = app;
    v->name = xstrdup(arg ? arg : "");
    esc = client_escape(v->name);
    v->path = xasprintf("/v1/stacks/%s", esc);
    free(esc);
    v->events = json_array();
    return v;
}

static void
view_stack_free(void *state)
{
    struct view_stack *v = state;

    free(v->name);
    free(v->path);
    free(v->error);
    json_decref(v->stack);
    json_decref(v->events);
    free(v);
}

static void
view_stack_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

/* ---- drawing ---- */

static const struct w_table_col view_stack_cols[] = {
    {"STATUS", 12, 0},
    {"TYPE", 12, 0},
    {"NAME", 30, 0},
    {"REF", 0, 0},
};

static const char *
view_stack_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_stack *v = ctx;
    const json_t *r =
        json_array_get(json_object_get(v->stack, "resources"), row);
    const char *s;

    switch (col) {
    case 0:
        return view_deploy_status(v->cell, sizeof(v->cell),
                                  view_stack_str(r, "status"), app_utf8(v->app),
                                  attr);
    case 1:
        return view_stack_str(r, "type");
    case 2:
        return view_stack_str(r, "name");
    default:
        *attr = theme_attr(THEME_DIM);
        s = view_stack_str(r, "reason");
        return s ? s : view_stack_str(r, "ref");
    }
}

/* ":stack shop   ✔ Ready   template hello (bundled) · 2 deploys" and
 * "params  queue=jobs  outcome=success" under it */
static void
view_stack_draw_header(struct view_stack *v, WINDOW *win)
{
    const char *dot = app_utf8(v->app) ? " \u00b7 " : ", ";
    const json_t *params = json_object_get(v->stack, "params");
    const char *key;
    const json_t *val;
    char text[300];
    attr_t attr;
    int x;

    x = w_text_put(win, 0, 1, ":stack", theme_attr(THEME_TITLE));
    x = w_text_put(win, 0, x + 1, v->name, theme_attr(THEME_TITLE));
    if (v->stack == NULL || v->gone)
        return;
    view_deploy_status(text, sizeof(text), view_stack_str(v->stack, "status"),
                       app_utf8(v->app), &attr);
    x = w_text_put(win, 0, x + 3, text, attr);
    snprintf(
        text, sizeof(text), "template %s (%s)%s%lld deploy%s",
        view_stack_str(v->stack, "template"),
        view_stack_str(v->stack, "source"), dot,
        (long long)json_integer_value(json_object_get(v->stack, "deploys")),
        json_integer_value(json_object_get(v->stack, "deploys")) == 1 ? ""
                                                                      : "s");
    w_text_put(win, 0, x + 3, text, A_NORMAL);
    x = w_text_put(win, 1, 1, "params", theme_attr(THEME_LABEL));
    if (json_object_size(params) == 0)
        w_text_put(win, 1, x + 2, "none", theme_attr(THEME_DIM));
    json_object_foreach((json_t *)params, key, val)
    {
        snprintf(text, sizeof(text), "%s=%s", key,
                 json_string_value(val) ? json_string_value(val) : "?");
        x = w_text_put(win, 1, x + 2, text, A_NORMAL);
    }
}

/* the last events that fit in rows y .. y + h - 1, newest last */
static void
view_stack_draw_events(struct view_stack *v, WINDOW *win, int y, int h)
{
    size_t n = json_array_size(v->events), first;
    char when[48], word[48];
    attr_t attr;

    w_text_put(win, y++, 1, "EVENTS, newest last", theme_attr(THEME_HEADING));
    h--;
    if (h <= 0)
        return;
    if (n == 0)
        w_text_put(win, y, 3, "none yet", theme_attr(THEME_DIM));
    first = n > (size_t)h ? n - (size_t)h : 0;
    for (size_t i = first; i < n; i++, y++) {
        const json_t *e = json_array_get(v->events, i);
        const char *reason = view_stack_str(e, "reason");

        view_execs_local_time(when, sizeof(when), view_stack_str(e, "time"));
        w_text_put(win, y, 1, when, theme_attr(THEME_DIM));
        snprintf(v->cell, sizeof(v->cell), "#%lld",
                 (long long)json_integer_value(json_object_get(e, "deploy")));
        w_text_put(win, y, 21, v->cell, theme_attr(THEME_DIM));
        view_deploy_status(word, sizeof(word), view_stack_str(e, "status"),
                           app_utf8(v->app), &attr);
        w_text_put(win, y, 26, word, attr);
        snprintf(v->cell, sizeof(v->cell), "%s %s%s%s",
                 view_stack_str(e, "type"), view_stack_str(e, "name"),
                 reason ? ": " : "", reason ? reason : "");
        w_text_put(win, y, 38, v->cell, A_NORMAL);
    }
}

static void
view_stack_draw(void *state, WINDOW *win)
{
    struct view_stack *v = state;
    int h = getmaxy(win), utf8 = app_utf8(v->app), rows, y = 3;
    size_t nres = json_array_size(json_object_get(v->stack, "resources"));
    char text[200];

    werase(win);
    view_stack_draw_header(v, win);
    if (v->gone) {
        snprintf(text, sizeof(text), "stack %s deleted", v->name);
        w_text_put(win, 2, 1, text, theme_attr(THEME_HEADING));
        view_stack_draw_events(v, win, 4, h - 4);
        return;
    }
    if (v->stack == NULL) {
        w_text_put(win, 2, 1, v->error ? v->error : "loading...",
                   theme_attr(v->error ? THEME_DOWN : THEME_DIM));
        return;
    }
    if (v->error)
        w_text_put(win, h - 1, 1, v->error, theme_attr(THEME_DOWN));
    /* the resources take what they need, up to half; events the rest */
    rows = (int)nres + 1;
    if (rows > (h - y) / 2)
        rows = (h - y) / 2;
    if (rows < 2)
        rows = 2;
    w_table_draw(win, y, rows, &v->table, view_stack_cols,
                 sizeof(view_stack_cols) / sizeof(view_stack_cols[0]),
                 view_stack_cell, NULL, v, utf8);
    y += rows + 1;
    view_stack_draw_events(v, win, y, h - y - (v->error ? 1 : 0));
    if (v->ask == VIEW_STACK_DELETE) {
        snprintf(text, sizeof(text), "delete stack %s and its %zu resource%s?",
                 v->name, nres, nres == 1 ? "" : "s");
        w_dialog_confirm(win, "Delete", text, utf8);
    } else if (v->ask == VIEW_STACK_REDEPLOY) {
        snprintf(text, sizeof(text), "deploy %s again from %s, same params?",
                 v->name, view_stack_str(v->stack, "template"));
        w_dialog_confirm(win, "Redeploy", text, utf8);
    }
}

/* ---- keys ---- */

static int
view_stack_down(void *state)
{
    w_table_move(&((struct view_stack *)state)->table, 1);
    return VIEW_REDRAW;
}

static int
view_stack_up(void *state)
{
    w_table_move(&((struct view_stack *)state)->table, -1);
    return VIEW_REDRAW;
}

/* Enter: the resource's own screen, when the console has one */
static int
view_stack_open(void *state)
{
    static const struct {
        const char *type, *screen;
        int part; /* of "a/b": 0 all, 1 a */
    } jumps[] = {
        {"queue", "queue", 0},        {"flow", "flow", 0},
        {"topic", "topic", 0},        {"function", "function", 0},
        {"subscription", "topic", 1}, {"trigger", "function", 1},
    };
    struct view_stack *v = state;
    const json_t *r =
        json_array_get(json_object_get(v->stack, "resources"), v->table.sel);
    const char *type = view_stack_str(r, "type");
    const char *name = view_stack_str(r, "name");

    if (type == NULL || name == NULL || v->gone)
        return VIEW_HANDLED;
    for (size_t i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++) {
        const char *slash = strchr(name, '/');
        char *arg;

        if (strcmp(jumps[i].type, type) != 0)
            continue;
        if (views_find(jumps[i].screen) == NULL)
            break;
        arg = jumps[i].part && slash ? xstrndup(name, (size_t)(slash - name))
                                     : xstrdup(name);
        app_open(v->app, jumps[i].screen, arg);
        free(arg);
        return VIEW_REDRAW;
    }
    app_flash(v->app, "no screen shows a %s", type);
    return VIEW_REDRAW;
}

static int
view_stack_delete(void *state)
{
    struct view_stack *v = state;

    if (v->stack && !v->gone && !v->deleting)
        v->ask = VIEW_STACK_DELETE;
    return VIEW_REDRAW;
}

static int
view_stack_redeploy(void *state)
{
    struct view_stack *v = state;

    if (v->stack && !v->gone && !v->deleting)
        v->ask = VIEW_STACK_REDEPLOY;
    return VIEW_REDRAW;
}

static void
view_stack_on_deleted(int rc, json_t *body, void *arg)
{
    struct view_stack *v = arg;

    v->deleting = 0;
    if (rc != 0) {
        app_flash(v->app, "delete failed: %s", err_last());
        return;
    }
    v->gone = 1;
    json_array_extend(v->events, json_object_get(body, "events"));
    w_table_set_rows(&v->table, 0);
    app_flash(v->app, "deleted stack %s", v->name);
}

static void
view_stack_send_redeploy(struct view_stack *v)
{
    const char *tmpl = view_stack_str(v->stack, "template");
    const char *source = view_stack_str(v->stack, "source");
    json_t *params = json_object_get(v->stack, "params");
    json_t *req;
    char *ref;

    if (tmpl == NULL)
        return;
    ref = view_template_ref(tmpl, source);
    req = json_pack("{s:s, s:s}", "template", ref, "stack", v->name);
    if (json_is_object(params))
        json_object_set(req, "params", params);
    view_deploy_open(v->app, req);
    json_decref(req);
    free(ref);
}

static int
view_stack_grab(void *state)
{
    return ((struct view_stack *)state)->ask != VIEW_STACK_NONE;
}

/* the y/n answer while asking */
static int
view_stack_key(void *state, int ch)
{
    struct view_stack *v = state;
    enum view_stack_ask ask = v->ask;

    if (ask == VIEW_STACK_NONE)
        return 0;
    v->ask = VIEW_STACK_NONE;
    if (ch != 'y' && ch != 'Y')
        return VIEW_REDRAW;
    if (ask == VIEW_STACK_DELETE) {
        v->deleting = 1;
        app_request(v->app, "DELETE", v->path, NULL, view_stack_on_deleted, v);
        app_flash(v->app, "deleting stack %s...", v->name);
    } else {
        view_stack_send_redeploy(v);
    }
    return VIEW_REDRAW;
}

static const struct keybind view_stack_keys[] = {
    {'\r', "open resource", view_stack_open, 0},
    {'D', "delete", view_stack_delete, 0},
    {'r', "redeploy", view_stack_redeploy, 0},
    {'j', "down", view_stack_down, 1},
    {'k', "up", view_stack_up, 1},
    {KEY_DOWN, "down", view_stack_down, 1},
    {KEY_UP, "up", view_stack_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_stack_ops = {
    .name = "stack",
    .create = view_stack_create,
    .free = view_stack_free,
    .draw = view_stack_draw,
    .key = view_stack_key,
    .update = view_stack_update,
    .tick = view_stack_tick,
    .grab = view_stack_grab,
    .keys = view_stack_keys,
};
