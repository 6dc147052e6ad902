/*
 * view_templates: keeps the last catalog the engine sent and the rows of
 * it that pass the filter. One request at a time; a failed refresh keeps
 * the last list on screen (the app's banner says the engine is gone).
 */
#include "views/view_templates.h"

#include "app.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_list.h"
#include "views/view_template.h"
#include "widgets/w_filter.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct view_templates {
    struct view_list list; /* first: see view_list_init */
    size_t nbroken;        /* of items, those that do not load */
    char cell[160];
};

/* what the '/' filter reads */
static const char *const view_templates_fields[] = {"name", "description",
                                                    "error", NULL};

static const struct w_table_col view_templates_cols[] = {
    {"NAME", 22, 0},
    {"SOURCE", 12, 0},
    {"RES", 3, 1},
    {"DESCRIPTION", 0, 0},
};

static const char *
view_templates_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* After each list: count the templates that do not load. */
static void
view_templates_loaded(struct view_list *l)
{
    struct view_templates *v = (struct view_templates *)l;
    size_t i;
    json_t *t;

    v->nbroken = 0;
    json_array_foreach(l->items, i, t) if (view_templates_str(t, "name") &&
                                           view_templates_str(t, "error"))
        v->nbroken++;
}

static void *
view_templates_create(struct app *app, const char *arg)
{
    struct view_templates *v = xcalloc(1, sizeof(*v));

    v->list.loaded = view_templates_loaded;
    view_list_init(&v->list, app, "/v1/templates", "templates",
                   view_templates_fields, arg);
    return v;
}

static void
view_templates_free(void *state)
{
    struct view_templates *v = state;

    view_list_free(&v->list);
    free(v);
}

static void
view_templates_tick(void *state)
{
    struct view_templates *v = state;

    view_list_tick(&v->list);
}

static void
view_templates_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

static const char *
view_templates_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_templates *v = ctx;
    const json_t *t = view_list_row(&v->list, row);
    const char *error = view_templates_str(t, "error");
    const char *s;

    switch (col) {
    case 0:
        if (error)
            *attr = theme_attr(THEME_DOWN);
        return view_templates_str(t, "name");
    case 1:
        *attr = theme_attr(THEME_DIM);
        return view_templates_str(t, "source");
    case 2:
        if (error) {
            *attr = theme_attr(THEME_DIM);
            return "-";
        }
        snprintf(
            v->cell, sizeof(v->cell), "%lld",
            (long long)json_integer_value(json_object_get(t, "resources")));
        return v->cell;
    default:
        if (error) {
            *attr = theme_attr(THEME_DOWN);
            snprintf(v->cell, sizeof(v->cell), "error: %s", error);
            return v->cell;
        }
        s = view_templates_str(t, "description");
        if (s == NULL || *s == '\0') {
            *attr = theme_attr(THEME_DIM);
            return "-";
        }
        return s;
    }
}

static void
view_templates_draw(void *state, WINDOW *win)
{
    struct view_templates *v = state;
    const char *error;
    char head[96];
    int x, h = getmaxy(win);

    werase(win);
    x = w_text_put(win, 0, 1, ":templates", theme_attr(THEME_TITLE));
    if (v->list.items) {
        snprintf(head, sizeof(head), "%zu of %zu", v->list.nshown,
                 json_array_size(v->list.items));
        x = w_text_put(win, 0, x + 2, head, A_NORMAL);
        if (v->nbroken) {
            snprintf(head, sizeof(head), "%zu not loading", v->nbroken);
            x = w_text_put(win, 0, x + 2, head, theme_attr(THEME_DOWN));
        }
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
    /* the selected template's load error, whole, under the table */
    error = v->list.nshown
                ? view_templates_str(view_list_row(&v->list, v->list.table.sel),
                                     "error")
                : NULL;
    if (error) {
        size_t w = getmaxx(win) > 4 ? (size_t)getmaxx(win) - 2 : 2;

        h -= 2;
        for (int i = 0; i < 2 && *error; i++) {
            size_t n = strlen(error), cut = n > w ? w : n;
            char *line = xstrndup(error, cut);

            w_text_put(win, h + i, 1, line, theme_attr(THEME_DOWN));
            free(line);
            error += cut;
        }
    }
    w_table_draw(win, 1, h - 1, &v->list.table, view_templates_cols,
                 sizeof(view_templates_cols) / sizeof(view_templates_cols[0]),
                 view_templates_cell, NULL, v, app_utf8(v->list.app));
    if (v->list.nshown == 0)
        w_text_put(win, 3, 3,
                   json_array_size(v->list.items)
                       ? "no template matches the filter"
                       : "no templates: flowdeck templates repo add URL",
                   theme_attr(THEME_DIM));
}

static int
view_templates_open(void *state)
{
    struct view_templates *v = state;
    const json_t *t;
    char *ref;

    if (v->list.nshown == 0)
        return VIEW_HANDLED;
    t = view_list_row(&v->list, v->list.table.sel);
    ref = view_template_ref(view_templates_str(t, "name"),
                            view_templates_str(t, "source"));
    if (ref)
        app_open(v->list.app, "template", ref);
    free(ref);
    return VIEW_REDRAW;
}

static const struct keybind view_templates_keys[] = {
    {'\r', "open", view_templates_open, 0},
    {'/', "filter", view_list_filter, 0},
    {'j', "down", view_list_down, 1},
    {'k', "up", view_list_up, 1},
    {KEY_DOWN, "down", view_list_down, 1},
    {KEY_UP, "up", view_list_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_templates_ops = {
    .name = "templates",
    .create = view_templates_create,
    .free = view_templates_free,
    .draw = view_templates_draw,
    .key = view_list_key,
    .update = view_templates_update,
    .tick = view_templates_tick,
    .grab = view_list_grab,
    .keys = view_templates_keys,
};
