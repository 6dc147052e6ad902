/*
 * view_queues: keeps the last list the engine sent and the rows of it
 * that pass the filter. One request at a time; a failed refresh keeps the
 * last list on screen (the app's banner says the engine is gone).
 */
#include "views/view_queues.h"

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

struct view_queues {
    struct view_list list; /* first: see view_list_init */
    char cell[160];
};

/* what the '/' filter reads */
static const char *const view_queues_fields[] = {"name", NULL};

static const struct w_table_col view_queues_cols[] = {
    {"NAME", 24, 0},     {"TYPE", 8, 0},    {"VISIBLE", 8, 1},
    {"IN FLIGHT", 9, 1}, {"DELAYED", 8, 1}, {"DLQ", 0, 0},
};

static void *
view_queues_create(struct app *app, const char *arg)
{
    struct view_queues *v = xcalloc(1, sizeof(*v));

    view_list_init(&v->list, app, "/v1/queues?limit=1000", "queues",
                   view_queues_fields, arg);
    return v;
}

static void
view_queues_free(void *state)
{
    struct view_queues *v = state;

    view_list_free(&v->list);
    free(v);
}

static void
view_queues_tick(void *state)
{
    struct view_queues *v = state;

    view_list_tick(&v->list);
}

static void
view_queues_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

static const json_t *
view_queues_find(const struct view_queues *v, const char *name)
{
    size_t i;
    json_t *q;

    json_array_foreach(v->list.items, i, q)
    {
        const char *n = json_string_value(json_object_get(q, "name"));

        if (n && name && strcmp(n, name) == 0)
            return q;
    }
    return NULL;
}

static const char *
view_queues_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_queues *v = ctx;
    const json_t *q = view_list_row(&v->list, row);
    const json_t *counts = json_object_get(q, "counts");
    const json_t *sources = json_object_get(q, "dead_letter_sources");
    const char *dlq, *key = NULL;
    int utf8 = app_utf8(v->list.app);

    switch (col) {
    case 0:
        return json_string_value(json_object_get(q, "name"));
    case 1:
        return json_is_true(json_object_get(q, "fifo")) ? "fifo" : "standard";
    case 2:
        key = "visible";
        break;
    case 3:
        key = "in_flight";
        break;
    case 4:
        key = "delayed";
        break;
    default:
        break;
    }
    if (key) {
        json_int_t n = json_integer_value(json_object_get(counts, key));

        if (n == 0)
            *attr = theme_attr(THEME_DIM);
        snprintf(v->cell, sizeof(v->cell), "%lld", (long long)n);
        return v->cell;
    }
    dlq = json_string_value(json_object_get(q, "dead_letter_queue"));
    if (dlq) {
        const json_t *d = view_queues_find(v, dlq);
        json_int_t n = json_integer_value(
            json_object_get(json_object_get(d, "counts"), "total"));

        snprintf(v->cell, sizeof(v->cell), "%s %s (%lld)",
                 utf8 ? "\u2192" : "->", dlq, (long long)n);
        if (n > 0)
            *attr = theme_attr(THEME_DOWN);
        return v->cell;
    }
    if (json_array_size(sources) > 0) {
        snprintf(v->cell, sizeof(v->cell), "dead letters of %s%s",
                 json_string_value(json_array_get(sources, 0)),
                 json_array_size(sources) > 1 ? ", ..." : "");
        *attr = theme_attr(THEME_DIM);
        return v->cell;
    }
    return "";
}

static void
view_queues_draw(void *state, WINDOW *win)
{
    struct view_queues *v = state;
    char head[96];
    int x, h = getmaxy(win);

    werase(win);
    x = w_text_put(win, 0, 1, ":queues", theme_attr(THEME_TITLE));
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
    w_table_draw(win, 1, h - 1, &v->list.table, view_queues_cols,
                 sizeof(view_queues_cols) / sizeof(view_queues_cols[0]),
                 view_queues_cell, NULL, v, app_utf8(v->list.app));
    if (v->list.nshown == 0)
        w_text_put(win, 3, 3,
                   json_array_size(v->list.items)
                       ? "no queue matches the filter"
                       : "no queues yet",
                   theme_attr(THEME_DIM));
}

static int
view_queues_open(void *state)
{
    struct view_queues *v = state;
    const char *name;

    if (v->list.nshown == 0)
        return VIEW_HANDLED;
    name = json_string_value(
        json_object_get(view_list_row(&v->list, v->list.table.sel), "name"));
    if (name)
        app_open(v->list.app, "queue", name);
    return VIEW_REDRAW;
}

static const struct keybind view_queues_keys[] = {
    {'\r', "open", view_queues_open, 0},
    {'/', "filter", view_list_filter, 0},
    {'j', "down", view_list_down, 1},
    {'k', "up", view_list_up, 1},
    {KEY_DOWN, "down", view_list_down, 1},
    {KEY_UP, "up", view_list_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_queues_ops = {
    .name = "queues",
    .create = view_queues_create,
    .free = view_queues_free,
    .draw = view_queues_draw,
    .key = view_list_key,
    .update = view_queues_update,
    .tick = view_queues_tick,
    .grab = view_list_grab,
    .keys = view_queues_keys,
};
