/*
 * view_stacks: keeps the last list the engine sent and the rows of it
 * that pass the filter. One request at a time; a failed refresh keeps the
 * last list on screen (the app's banner says the engine is gone).
 */
#include "views/view_stacks.h"

#include "app.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_deploy.h"
#include "views/view_execs.h"
#include "views/view_list.h"
#include "widgets/w_filter.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct view_stacks {
    struct view_list list; /* first: see view_list_init */
    char cell[160];
};

/* what the '/' filter reads */
static const char *const view_stacks_fields[] = {"name", "template", NULL};

static const struct w_table_col view_stacks_cols[] = {
    {"NAME", 16, 0}, {"TEMPLATE", 14, 0}, {"STATUS", 11, 0},
    {"RES", 3, 1},   {"DEPLOYS", 7, 1},   {"UPDATED", 0, 0},
};

static const char *
view_stacks_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void *
view_stacks_create(struct app *app, const char *arg)
{
    struct view_stacks *v = xcalloc(1, sizeof(*v));

    view_list_init(&v->list, app, "/v1/stacks", "stacks", view_stacks_fields,
                   arg);
    return v;
}

static void
view_stacks_free(void *state)
{
    struct view_stacks *v = state;

    view_list_free(&v->list);
    free(v);
}

static void
view_stacks_tick(void *state)
{
    struct view_stacks *v = state;

    view_list_tick(&v->list);
}

static void
view_stacks_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

static const char *
view_stacks_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_stacks *v = ctx;
    const json_t *s = view_list_row(&v->list, row);

    switch (col) {
    case 0:
        return view_stacks_str(s, "name");
    case 1:
        return view_stacks_str(s, "template");
    case 2:
        return view_deploy_status(v->cell, sizeof(v->cell),
                                  view_stacks_str(s, "status"),
                                  app_utf8(v->list.app), attr);
    case 3:
    case 4:
        snprintf(v->cell, sizeof(v->cell), "%lld",
                 (long long)json_integer_value(
                     json_object_get(s, col == 3 ? "resources" : "deploys")));
        return v->cell;
    default:
        view_execs_local_time(v->cell, sizeof(v->cell),
                              view_stacks_str(s, "updated"));
        return v->cell;
    }
}

static void
view_stacks_draw(void *state, WINDOW *win)
{
    struct view_stacks *v = state;
    char head[96];
    int x, h = getmaxy(win);

    werase(win);
    x = w_text_put(win, 0, 1, ":stacks", theme_attr(THEME_TITLE));
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
    w_table_draw(win, 1, h - 1, &v->list.table, view_stacks_cols,
                 sizeof(view_stacks_cols) / sizeof(view_stacks_cols[0]),
                 view_stacks_cell, NULL, v, app_utf8(v->list.app));
    if (v->list.nshown == 0)
        w_text_put(win, 3, 3,
                   json_array_size(v->list.items)
                       ? "no stack matches the filter"
                       : "no stacks yet: :templates, then d deploys one",
                   theme_attr(THEME_DIM));
}

static int
view_stacks_open(void *state)
{
    struct view_stacks *v = state;

    if (v->list.nshown == 0)
        return VIEW_HANDLED;
    app_open(
        v->list.app, "stack",
        view_stacks_str(view_list_row(&v->list, v->list.table.sel), "name"));
    return VIEW_REDRAW;
}

static const struct keybind view_stacks_keys[] = {
    {'\r', "open", view_stacks_open, 0},
    {'/', "filter", view_list_filter, 0},
    {'j', "down", view_list_down, 1},
    {'k', "up", view_list_up, 1},
    {KEY_DOWN, "down", view_list_down, 1},
    {KEY_UP, "up", view_list_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_stacks_ops = {
    .name = "stacks",
    .create = view_stacks_create,
    .free = view_stacks_free,
    .draw = view_stacks_draw,
    .key = view_list_key,
    .update = view_stacks_update,
    .tick = view_stacks_tick,
    .grab = view_list_grab,
    .keys = view_stacks_keys,
};
