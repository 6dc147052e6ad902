/*
 * view_flows: keeps the last list the engine sent and the rows of it
 * that pass the filter. One request at a time; a failed refresh keeps the
 * last list on screen (the app's banner says the engine is gone).
 */
#include "views/view_flows.h"

#include "app.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_execs.h"
#include "views/view_flow.h"
#include "widgets/w_filter.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct view_flows {
    struct app *app;
    json_t *items; /* the flows, or NULL before the first answer */
    char *error;   /* the last refresh's error, or NULL */
    int inflight;  /* a refresh is running */
    struct w_table table;
    size_t *shown; /* indexes into items that pass the filter */
    size_t nshown;
    struct w_filter filter; /* the '/' line */
    struct view_flow_start start;
    char cell[160];
};

static const struct w_table_col view_flows_cols[] = {
    {"NAME", 22, 0},
    {"VERSION", 7, 0},
    {"MODIFIED", 19, 0},
    {"DESCRIPTION", 0, 0},
};

static const char *
view_flows_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void
view_flows_apply_filter(struct view_flows *v)
{
    size_t n = json_array_size(v->items);

    v->shown = xreallocarray(v->shown, n ? n : 1, sizeof(*v->shown));
    v->nshown = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *f = json_array_get(v->items, i);
        const char *name = view_flows_str(f, "name");
        const char *desc = view_flows_str(f, "description");

        if (name == NULL)
            continue;
        if (w_filter_match(&v->filter, name) ||
            (desc && w_filter_match(&v->filter, desc)))
            v->shown[v->nshown++] = i;
    }
    w_table_set_rows(&v->table, v->nshown);
}

static void
view_flows_compile(struct view_flows *v)
{
    if (w_filter_compile(&v->filter) != 0)
        app_flash(v->app, "not a regular expression: %s",
                  v->filter.input.text);
    view_flows_apply_filter(v);
}

static void *
view_flows_create(struct app *app, const char *arg)
{
    struct view_flows *v = xcalloc(1, sizeof(*v));

    v->app = app;
    w_input_set(&v->filter.input, arg);
    view_flows_compile(v);
    return v;
}

static void
view_flows_free(void *state)
{
    struct view_flows *v = state;

    json_decref(v->items);
    free(v->error);
    free(v->shown);
    w_filter_free(&v->filter);
    view_flow_start_free(&v->start);
    free(v);
}

static void
view_flows_on_list(int rc, json_t *body, void *arg)
{
    struct view_flows *v = arg;
    json_t *items = json_object_get(body, "items");

    v->inflight = 0;
    free(v->error);
    v->error = NULL;
    if (rc != 0 || !json_is_array(items)) {
        v->error = xstrdup(rc ? err_last() : "no list of flows");
        return;
    }
    json_decref(v->items);
    v->items = json_incref(items); /* kept until the next answer */
    view_flows_apply_filter(v);
}

static void
view_flows_tick(void *state)
{
    struct view_flows *v = state;

    if (v->inflight)
        return;
    v->inflight = 1;
    app_request(v->app, "GET", "/v1/flows?limit=1000", NULL, view_flows_on_list,
                v);
}

static void
view_flows_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

static const char *
view_flows_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_flows *v = ctx;
    const json_t *f = json_array_get(v->items, v->shown[row]);
    const char *s;

    switch (col) {
    case 0:
        return view_flows_str(f, "name");
    case 1:
        s = view_flows_str(f, "version");
        snprintf(v->cell, sizeof(v->cell), "%.7s", s ? s : "");
        *attr = theme_attr(THEME_DIM);
        return v->cell;
    case 2:
        view_execs_local_time(v->cell, sizeof(v->cell),
                              view_flows_str(f, "modified"));
        return v->cell;
    default:
        s = view_flows_str(f, "description");
        if (s == NULL || *s == '\0') {
            *attr = theme_attr(THEME_DIM);
            return "-";
        }
        return s;
    }
}

static void
view_flows_draw(void *state, WINDOW *win)
{
    struct view_flows *v = state;
    char head[96];
    int x, h = getmaxy(win);

    werase(win);
    x = w_text_put(win, 0, 1, ":flows", theme_attr(THEME_TITLE));
    if (v->items) {
        snprintf(head, sizeof(head), "%zu of %zu", v->nshown,
                 json_array_size(v->items));
        x = w_text_put(win, 0, x + 2, head, A_NORMAL);
    }
    if (w_filter_shown(&v->filter)) {
        x = w_text_put(win, 0, x + 3, "/", theme_attr(THEME_KEY));
        w_filter_draw(win, 0, x, getmaxx(win) - x - 1, &v->filter);
    }
    if (v->items == NULL) {
        w_text_put(win, 2, 1, v->error ? v->error : "loading...",
                   theme_attr(v->error ? THEME_DOWN : THEME_DIM));
        return;
    }
    w_table_draw(win, 1, h - 1, &v->table, view_flows_cols,
                 sizeof(view_flows_cols) / sizeof(view_flows_cols[0]),
                 view_flows_cell, NULL, v, app_utf8(v->app));
    if (v->nshown == 0)
        w_text_put(win, 3, 3,
                   json_array_size(v->items)
                       ? "no flow matches the filter"
                       : "no flows yet: flowdeck flows deploy NAME -f FILE",
                   theme_attr(THEME_DIM));
    view_flow_start_draw(&v->start, win, app_utf8(v->app));
}

/* Returns: borrowed; the name of the selected flow, or NULL */
static const char *
view_flows_selected(const struct view_flows *v)
{
    if (v->nshown == 0)
        return NULL;
    return view_flows_str(json_array_get(v->items, v->shown[v->table.sel]),
                          "name");
}

static int
view_flows_open(void *state)
{
    struct view_flows *v = state;
    const char *name = view_flows_selected(v);

    if (name)
        app_open(v->app, "flow", name);
    return VIEW_REDRAW;
}

static int
view_flows_execs(void *state)
{
    struct view_flows *v = state;
    const char *name = view_flows_selected(v);

    if (name)
        app_open(v->app, "execs", name);
    return VIEW_REDRAW;
}

static int
view_flows_start(void *state)
{
    struct view_flows *v = state;
    const char *name = view_flows_selected(v);

    if (name == NULL)
        return VIEW_HANDLED;
    view_flow_start_open(&v->start, name);
    return VIEW_REDRAW;
}

static int
view_flows_filter(void *state)
{
    struct view_flows *v = state;

    v->filter.open = 1;
    return VIEW_REDRAW;
}

static int
view_flows_down(void *state)
{
    w_table_move(&((struct view_flows *)state)->table, 1);
    return VIEW_REDRAW;
}

static int
view_flows_up(void *state)
{
    w_table_move(&((struct view_flows *)state)->table, -1);
    return VIEW_REDRAW;
}

static int
view_flows_grab(void *state)
{
    struct view_flows *v = state;

    return v->filter.open || v->start.form.open;
}

static void
view_flows_on_started(int rc, json_t *body, void *arg)
{
    struct view_flows *v = arg;

    view_flow_start_done(v->app, rc, body);
}

/* keys while the start form or the '/' line is open; the filter applies
 * as it is typed */
static int
view_flows_key(void *state, int ch)
{
    struct view_flows *v = state;

    if (v->start.form.open)
        return view_flow_start_key(&v->start, v->app, ch, view_flows_on_started,
                                   v);
    if (!v->filter.open)
        return 0;
    if (!w_filter_key(&v->filter, ch))
        return VIEW_HANDLED;
    view_flows_compile(v);
    return VIEW_REDRAW;
}

static const struct keybind view_flows_keys[] = {
    {'\r', "open", view_flows_open, 0},
    {'s', "start", view_flows_start, 0},
    {'e', "executions", view_flows_execs, 0},
    {'/', "filter", view_flows_filter, 0},
    {'j', "down", view_flows_down, 1},
    {'k', "up", view_flows_up, 1},
    {KEY_DOWN, "down", view_flows_down, 1},
    {KEY_UP, "up", view_flows_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_flows_ops = {
    .name = "flows",
    .create = view_flows_create,
    .free = view_flows_free,
    .draw = view_flows_draw,
    .key = view_flows_key,
    .update = view_flows_update,
    .tick = view_flows_tick,
    .grab = view_flows_grab,
    .keys = view_flows_keys,
};
