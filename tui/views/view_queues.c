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
#include "widgets/w_filter.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct view_queues {
    struct app *app;
    json_t *items; /* the queues, or NULL before the first answer */
    char *error;   /* the last refresh's error, or NULL */
    int inflight;  /* a refresh is running */
    struct w_table table;
    size_t *shown; /* indexes into items that pass the filter */
    size_t nshown;
    struct w_filter filter; /* the '/' line */
    char cell[160];
};

static const struct w_table_col view_queues_cols[] = {
    {"NAME", 24, 0},     {"TYPE", 8, 0},    {"VISIBLE", 8, 1},
    {"IN FLIGHT", 9, 1}, {"DELAYED", 8, 1}, {"DLQ", 0, 0},
};

static void
view_queues_apply_filter(struct view_queues *v)
{
    size_t n = json_array_size(v->items);

    v->shown = xreallocarray(v->shown, n ? n : 1, sizeof(*v->shown));
    v->nshown = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(
            json_object_get(json_array_get(v->items, i), "name"));

        if (name && w_filter_match(&v->filter, name))
            v->shown[v->nshown++] = i;
    }
    w_table_set_rows(&v->table, v->nshown);
}

static void
view_queues_compile(struct view_queues *v)
{
    if (w_filter_compile(&v->filter) != 0)
        app_flash(v->app, "not a regular expression: %s",
                  v->filter.input.text);
    view_queues_apply_filter(v);
}

static void *
view_queues_create(struct app *app, const char *arg)
{
    struct view_queues *v = xcalloc(1, sizeof(*v));

    v->app = app;
    w_input_set(&v->filter.input, arg);
    view_queues_compile(v);
    return v;
}

static void
view_queues_free(void *state)
{
    struct view_queues *v = state;

    json_decref(v->items);
    free(v->error);
    free(v->shown);
    w_filter_free(&v->filter);
    free(v);
}

static void
view_queues_on_list(int rc, json_t *body, void *arg)
{
    struct view_queues *v = arg;
    json_t *items = json_object_get(body, "items");

    v->inflight = 0;
    free(v->error);
    v->error = NULL;
    if (rc != 0 || !json_is_array(items)) {
        v->error = xstrdup(rc ? err_last() : "no list of queues");
        return;
    }
    json_decref(v->items);
    v->items = json_incref(items);
    view_queues_apply_filter(v);
}

static void
view_queues_tick(void *state)
{
    struct view_queues *v = state;

    if (v->inflight)
        return;
    v->inflight = 1;
    app_request(v->app, "GET", "/v1/queues?limit=1000", NULL,
                view_queues_on_list, v);
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

    json_array_foreach(v->items, i, q)
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
    const json_t *q = json_array_get(v->items, v->shown[row]);
    const json_t *counts = json_object_get(q, "counts");
    const json_t *sources = json_object_get(q, "dead_letter_sources");
    const char *dlq, *key = NULL;
    int utf8 = app_utf8(v->app);

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
    w_table_draw(win, 1, h - 1, &v->table, view_queues_cols,
                 sizeof(view_queues_cols) / sizeof(view_queues_cols[0]),
                 view_queues_cell, NULL, v, app_utf8(v->app));
    if (v->nshown == 0)
        w_text_put(win, 3, 3,
                   json_array_size(v->items) ? "no queue matches the filter"
                                             : "no queues yet",
                   theme_attr(THEME_DIM));
}

static int
view_queues_open(void *state)
{
    struct view_queues *v = state;
    const char *name;

    if (v->nshown == 0)
        return VIEW_HANDLED;
    name = json_string_value(json_object_get(
        json_array_get(v->items, v->shown[v->table.sel]), "name"));
    if (name)
        app_open(v->app, "queue", name);
    return VIEW_REDRAW;
}

static int
view_queues_filter(void *state)
{
    struct view_queues *v = state;

    v->filter.open = 1;
    return VIEW_REDRAW;
}

static int
view_queues_down(void *state)
{
    w_table_move(&((struct view_queues *)state)->table, 1);
    return VIEW_REDRAW;
}

static int
view_queues_up(void *state)
{
    w_table_move(&((struct view_queues *)state)->table, -1);
    return VIEW_REDRAW;
}

static int
view_queues_grab(void *state)
{
    return ((struct view_queues *)state)->filter.open;
}

/* keys while the '/' line is open: the filter applies as it is typed */
static int
view_queues_key(void *state, int ch)
{
    struct view_queues *v = state;

    if (!v->filter.open)
        return 0;
    if (!w_filter_key(&v->filter, ch))
        return VIEW_HANDLED;
    view_queues_compile(v);
    return VIEW_REDRAW;
}

static const struct keybind view_queues_keys[] = {
    {'\r', "open", view_queues_open, 0},
    {'/', "filter", view_queues_filter, 0},
    {'j', "down", view_queues_down, 1},
    {'k', "up", view_queues_up, 1},
    {KEY_DOWN, "down", view_queues_down, 1},
    {KEY_UP, "up", view_queues_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_queues_ops = {
    .name = "queues",
    .create = view_queues_create,
    .free = view_queues_free,
    .draw = view_queues_draw,
    .key = view_queues_key,
    .update = view_queues_update,
    .tick = view_queues_tick,
    .grab = view_queues_grab,
    .keys = view_queues_keys,
};
