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
#include "views/view_list.h"
#include "widgets/w_filter.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct view_flows {
    struct view_list list; /* first: see view_list_init */
    struct view_flow_start start;
    char cell[160];
};

/* what the '/' filter reads */
static const char *const view_flows_fields[] = {"name", "description", NULL};

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

static void *
view_flows_create(struct app *app, const char *arg)
{
    struct view_flows *v = xcalloc(1, sizeof(*v));

    view_list_init(&v->list, app, "/v1/flows?limit=1000", "flows",
                   view_flows_fields, arg);
    return v;
}

static void
view_flows_free(void *state)
{
    struct view_flows *v = state;

    view_list_free(&v->list);
    view_flow_start_free(&v->start);
    free(v);
}

static void
view_flows_tick(void *state)
{
    struct view_flows *v = state;

    view_list_tick(&v->list);
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
    const json_t *f = view_list_row(&v->list, row);
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
    if (v->list.items) {
        snprintf(head, sizeof(head), "%zu of %zu", v->list.nshown,
                 json_array_size(v->list.items));
        x = w_text_put(win, 0, x + 2, head, A_NORMAL);
    }
    if (w_filter_shown(&v->list.filter)) {
        x = w_text_put(win, 0, x + 3, "/", theme_attr(THEME_KEY));
        w_filter_draw(win, 0, x, getmaxx(win) - x - 1, &v->list.filter);
    }
    if (v->list.items == NULL) {
        w_text_put(win, 2, 1, v->list.error ? v->list.error : "loading...",
                   theme_attr(v->list.error ? THEME_DOWN : THEME_DIM));
        return;
    }
    w_table_draw(win, 1, h - 1, &v->list.table, view_flows_cols,
                 sizeof(view_flows_cols) / sizeof(view_flows_cols[0]),
                 view_flows_cell, NULL, v, app_utf8(v->list.app));
    if (v->list.nshown == 0)
        w_text_put(win, 3, 3,
                   json_array_size(v->list.items)
                       ? "no flow matches the filter"
                       : "no flows yet: flowdeck flows deploy NAME -f FILE",
                   theme_attr(THEME_DIM));
    view_flow_start_draw(&v->start, win, app_utf8(v->list.app));
}

/* Returns: borrowed; the name of the selected flow, or NULL */
static const char *
view_flows_selected(const struct view_flows *v)
{
    if (v->list.nshown == 0)
        return NULL;
    return view_flows_str(view_list_row(&v->list, v->list.table.sel), "name");
}

static int
view_flows_open(void *state)
{
    struct view_flows *v = state;
    const char *name = view_flows_selected(v);

    if (name)
        app_open(v->list.app, "flow", name);
    return VIEW_REDRAW;
}

static int
view_flows_execs(void *state)
{
    struct view_flows *v = state;
    const char *name = view_flows_selected(v);

    if (name)
        app_open(v->list.app, "execs", name);
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
view_flows_grab(void *state)
{
    struct view_flows *v = state;

    return v->list.filter.open || v->start.form.open;
}

static void
view_flows_on_started(int rc, json_t *body, void *arg)
{
    struct view_flows *v = arg;

    view_flow_start_done(v->list.app, rc, body);
}

/* keys while the start form or the '/' line is open; the filter applies
 * as it is typed */
static int
view_flows_key(void *state, int ch)
{
    struct view_flows *v = state;

    if (v->start.form.open)
        return view_flow_start_key(&v->start, v->list.app, ch,
                                   view_flows_on_started, v);
    return view_list_key(&v->list, ch);
}

static const struct keybind view_flows_keys[] = {
    {'\r', "open", view_flows_open, 0},
    {'s', "start", view_flows_start, 0},
    {'e', "executions", view_flows_execs, 0},
    {'/', "filter", view_list_filter, 0},
    {'j', "down", view_list_down, 1},
    {'k', "up", view_list_up, 1},
    {KEY_DOWN, "down", view_list_down, 1},
    {KEY_UP, "up", view_list_up, 1},
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
