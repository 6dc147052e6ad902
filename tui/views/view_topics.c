/*
 * view_topics: keeps the last list the engine sent and the rows of it
 * that pass the filter. GET /v1/topics gives with each topic the counts
 * the columns show (subscriptions, messages published, deliveries
 * pending and failed), so the screen asks one request a second whatever
 * the number of topics. A failed refresh keeps the last list on screen.
 */
#include "views/view_topics.h"

#include "app.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_list.h"
#include "widgets/w_filter.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct view_topics {
    struct view_list list; /* first: see view_list_init */
    char cell[160];
};

/* what the '/' filter reads */
static const char *const view_topics_fields[] = {"name", NULL};

static const struct w_table_col view_topics_cols[] = {
    {"NAME", 24, 0},   {"SUBS", 5, 1},   {"PUBLISHED", 9, 1},
    {"PENDING", 8, 1}, {"FAILED", 7, 1}, {"", 0, 0},
};

/* ---- the list ---- */

static void
view_topics_tick(void *state)
{
    struct view_topics *v = state;

    view_list_tick(&v->list);
}

static void
view_topics_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

static void *
view_topics_create(struct app *app, const char *arg)
{
    struct view_topics *v = xcalloc(1, sizeof(*v));

    view_list_init(&v->list, app, "/v1/topics?limit=1000", "topics",
                   view_topics_fields, arg);
    return v;
}

static void
view_topics_free(void *state)
{
    struct view_topics *v = state;

    view_list_free(&v->list);
    free(v);
}

/* ---- drawing ---- */

static const char *
view_topics_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_topics *v = ctx;
    const json_t *t = view_list_row(&v->list, row);
    const char *name = json_string_value(json_object_get(t, "name"));
    const char *key = NULL;
    const json_t *n;

    switch (col) {
    case 0:
        return name;
    case 1:
        key = "subscriptions";
        break;
    case 2:
        key = "messages";
        break;
    case 3:
        key = "pending";
        break;
    case 4:
        key = "failed";
        break;
    default:
        return "";
    }
    n = json_object_get(t, key);
    if (!json_is_integer(n)) {
        *attr = theme_attr(THEME_DIM);
        return "-";
    }
    if (json_integer_value(n) == 0)
        *attr = theme_attr(THEME_DIM);
    else if (col == 4)
        *attr = theme_attr(THEME_DOWN);
    else if (col == 3)
        *attr = theme_attr(THEME_KEY);
    snprintf(v->cell, sizeof(v->cell), "%lld",
             (long long)json_integer_value(n));
    return v->cell;
}

static void
view_topics_draw(void *state, WINDOW *win)
{
    struct view_topics *v = state;
    char head[96];
    int x, h = getmaxy(win);

    werase(win);
    x = w_text_put(win, 0, 1, ":topics", theme_attr(THEME_TITLE));
    if (v->list.items) {
        snprintf(head, sizeof(head), "%zu of %zu", v->list.nshown,
                 json_array_size(v->list.items));
        x = w_text_put(win, 0, x + 2, head, A_NORMAL);
    }
    if (w_filter_shown(&v->list.filter)) {
        x = w_text_put(win, 0, x + 3, "/", theme_attr(THEME_KEY));
        w_filter_draw(win, 0, x, getmaxx(win) - x - 1, &v->list.filter);
    }
    if (v->list.error)
        w_text_put(win, h - 1, 1, v->list.error, theme_attr(THEME_DOWN));
    if (v->list.items == NULL) {
        if (v->list.error == NULL)
            w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    w_table_draw(win, 1, h - (v->list.error ? 2 : 1), &v->list.table,
                 view_topics_cols,
                 sizeof(view_topics_cols) / sizeof(view_topics_cols[0]),
                 view_topics_cell, NULL, v, app_utf8(v->list.app));
    if (v->list.nshown == 0)
        w_text_put(win, 3, 3,
                   json_array_size(v->list.items)
                       ? "no topic matches the filter"
                       : "no topics yet",
                   theme_attr(THEME_DIM));
}

/* ---- keys ---- */

static int
view_topics_open(void *state)
{
    struct view_topics *v = state;
    const char *name;

    if (v->list.nshown == 0)
        return VIEW_HANDLED;
    name = json_string_value(
        json_object_get(view_list_row(&v->list, v->list.table.sel), "name"));
    if (name)
        app_open(v->list.app, "topic", name);
    return VIEW_REDRAW;
}

static const struct keybind view_topics_keys[] = {
    {'\r', "open", view_topics_open, 0},
    {'/', "filter", view_list_filter, 0},
    {'j', "down", view_list_down, 1},
    {'k', "up", view_list_up, 1},
    {KEY_DOWN, "down", view_list_down, 1},
    {KEY_UP, "up", view_list_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_topics_ops = {
    .name = "topics",
    .create = view_topics_create,
    .free = view_topics_free,
    .draw = view_topics_draw,
    .key = view_list_key,
    .update = view_topics_update,
    .tick = view_topics_tick,
    .grab = view_list_grab,
    .keys = view_topics_keys,
};
