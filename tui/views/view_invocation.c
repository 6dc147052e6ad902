/*
 * view_invocation: GET /v1/functions/{f}/invocations/{id} every second
 * while the invocation is queued or running, once it has finished no
 * more; the pager is rebuilt from each answer, keeping its scroll
 * position.
 */
#include "views/view_invocation.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_execs.h"
#include "widgets/w_pager.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_INVOCATION_VALUE_X 16

struct view_invocation {
    struct app *app;
    char *fn, *id;
    char *path;
    json_t *inv; /* the invocation, or NULL */
    char *error; /* the last failed request's message, or NULL */
    int busy;
    int height; /* of the pager, as last drawn */
    struct w_pager pager;
};

static const char *
view_invocation_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int
view_invocation_done(const struct view_invocation *v)
{
    const char *st = view_invocation_str(v->inv, "status");

    return st && strcmp(st, "queued") != 0 && strcmp(st, "running") != 0;
}

static void
view_invocation_field(struct view_invocation *v, const char *label,
                      const char *key, attr_t attr)
{
    const json_t *val = json_object_get(v->inv, key);
    char *text, *line;

    if (val == NULL || json_is_null(val))
        return;
    text = json_is_string(val) ? xstrdup(json_string_value(val))
                               : json_dumps(val, JSON_ENCODE_ANY);
    line = xasprintf("%-*s%s", VIEW_INVOCATION_VALUE_X - 3, label, text);
    w_pager_add(&v->pager, 3, attr, line);
    free(line);
    free(text);
}

/* a JSON value under its heading, indented */
static void
view_invocation_json(struct view_invocation *v, const char *heading,
                     const char *key)
{
    const json_t *val = json_object_get(v->inv, key);
    char *text;

    if (val == NULL)
        return;
    w_pager_add(&v->pager, 1, theme_attr(THEME_HEADING), heading);
    text =
        json_dumps(val, JSON_ENCODE_ANY | JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    w_pager_add(&v->pager, 3, A_NORMAL, text ? text : "?");
    free(text);
}

static void
view_invocation_build(struct view_invocation *v)
{
    const char *status = view_invocation_str(v->inv, "status");
    const char *log = view_invocation_str(v->inv, "log");
    char *line, *copy;
    size_t len;

    w_pager_clear(&v->pager);
    if (v->inv == NULL)
        return;
    line = xasprintf("%s %s", view_execs_glyph(status, app_utf8(v->app)),
                     status ? status : "?");
    w_pager_add(&v->pager, 1, view_execs_attr(status), line);
    free(line);
    view_invocation_field(v, "trigger", "trigger", A_NORMAL);
    view_invocation_field(v, "started", "started", A_NORMAL);
    if (json_object_get(v->inv, "duration_ms")) {
        line = xasprintf("%-*s%lldms", VIEW_INVOCATION_VALUE_X - 3, "duration",
                         (long long)json_integer_value(
                             json_object_get(v->inv, "duration_ms")));
        w_pager_add(&v->pager, 3, A_NORMAL, line);
        free(line);
    }
    view_invocation_field(v, "exit status", "exit_status", A_NORMAL);
    view_invocation_field(v, "error", "error", theme_attr(THEME_DOWN));
    view_invocation_field(v, "cause", "cause", theme_attr(THEME_DOWN));
    w_pager_add(&v->pager, 1, theme_attr(THEME_HEADING), "LOG (stderr)");
    if (log == NULL || *log == '\0') {
        w_pager_add(&v->pager, 3, theme_attr(THEME_DIM),
                    view_invocation_done(v) ? "empty" : "not yet");
    } else {
        copy = xstrdup(log);
        len = strlen(copy);
        while (len > 0 && copy[len - 1] == '\n')
            copy[--len] = '\0';
        for (char *p = copy; *p; p++)
            if (*p == '\t' || *p == '\r')
                *p = ' ';
        w_pager_add(&v->pager, 3, A_NORMAL, copy);
        free(copy);
    }
    view_invocation_json(v, "RESULT", "result");
    view_invocation_json(v, "INPUT", "input");
}

static void
view_invocation_on_inv(int rc, json_t *body, void *arg)
{
    struct view_invocation *v = arg;

    v->busy = 0;
    free(v->error);
    v->error = rc ? xstrdup(err_last()) : NULL;
    if (rc == 0 && json_is_object(body)) {
        json_decref(v->inv);
        v->inv = json_incref(body);
    }
    view_invocation_build(v);
}

static void
view_invocation_tick(void *state)
{
    struct view_invocation *v = state;

    if (v->busy || view_invocation_done(v))
        return;
    v->busy = 1;
    app_request(v->app, "GET", v->path, NULL, view_invocation_on_inv, v);
}

static void
view_invocation_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

static void *
view_invocation_create(struct app *app, const char *arg)
{
    struct view_invocation *v = xcalloc(1, sizeof(*v));
    const char *slash = arg ? strchr(arg, '/') : NULL;
    char *f, *id;

    v->app = app;
    v->fn = slash ? xstrndup(arg, (size_t)(slash - arg)) : xstrdup("");
    v->id = xstrdup(slash ? slash + 1 : arg ? arg : "");
    f = client_escape(v->fn);
    id = client_escape(v->id);
    v->path = xasprintf("/v1/functions/%s/invocations/%s", f, id);
    free(f);
    free(id);
    return v;
}

static void
view_invocation_free(void *state)
{
    struct view_invocation *v = state;

    free(v->fn);
    free(v->id);
    free(v->path);
    free(v->error);
    json_decref(v->inv);
    w_pager_free(&v->pager);
    free(v);
}

static void
view_invocation_draw(void *state, WINDOW *win)
{
    struct view_invocation *v = state;
    int x, h = getmaxy(win);

    werase(win);
    x = w_text_put(win, 0, 1, ":invocation", theme_attr(THEME_TITLE));
    x = w_text_put(win, 0, x + 1, v->fn, theme_attr(THEME_TITLE));
    w_text_put(win, 0, x + 3, v->id, A_NORMAL);
    v->height = h - 2;
    if (v->error)
        w_text_put(win, 1, 1, v->error, theme_attr(THEME_DOWN));
    if (v->inv == NULL) {
        if (v->error == NULL)
            w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    w_pager_draw(win, 2, v->height, &v->pager);
}

static int
view_invocation_scroll(struct view_invocation *v, long delta)
{
    w_pager_scroll(&v->pager, delta, v->height);
    return VIEW_REDRAW;
}

static int
view_invocation_down(void *state)
{
    return view_invocation_scroll(state, 1);
}

static int
view_invocation_up(void *state)
{
    return view_invocation_scroll(state, -1);
}

static int
view_invocation_page_down(void *state)
{
    struct view_invocation *v = state;

    return view_invocation_scroll(v, v->height > 1 ? v->height - 1 : 1);
}

static int
view_invocation_page_up(void *state)
{
    struct view_invocation *v = state;

    return view_invocation_scroll(v, v->height > 1 ? 1 - v->height : -1);
}

static int
view_invocation_top(void *state)
{
    struct view_invocation *v = state;

    return view_invocation_scroll(v, -(long)v->pager.n);
}

static int
view_invocation_bottom(void *state)
{
    struct view_invocation *v = state;

    return view_invocation_scroll(v, (long)v->pager.n);
}

static const struct keybind view_invocation_keys[] = {
    {'j', "down", view_invocation_down, 0},
    {'k', "up", view_invocation_up, 0},
    {' ', "page down", view_invocation_page_down, 1},
    {'b', "page up", view_invocation_page_up, 1},
    {'g', "top", view_invocation_top, 1},
    {'G', "bottom", view_invocation_bottom, 0},
    {KEY_DOWN, "down", view_invocation_down, 1},
    {KEY_UP, "up", view_invocation_up, 1},
    {KEY_NPAGE, "page down", view_invocation_page_down, 1},
    {KEY_PPAGE, "page up", view_invocation_page_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_invocation_ops = {
    .name = "invocation",
    .create = view_invocation_create,
    .free = view_invocation_free,
    .draw = view_invocation_draw,
    .key = NULL,
    .update = view_invocation_update,
    .tick = view_invocation_tick,
    .grab = NULL,
    .keys = view_invocation_keys,
};
