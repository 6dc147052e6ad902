/*
 * view_list: the fetch-and-filter part of a list screen; see view_list.h.
 */
#include "views/view_list.h"

#include "app.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "view.h"

#include <stdlib.h>

void
view_list_init(struct view_list *l, struct app *app, const char *path,
               const char *what, const char *const *keys, const char *filter)
{
    l->app = app;
    l->path = path;
    l->what = what;
    l->keys = keys;
    w_input_set(&l->filter.input, filter);
    view_list_compile(l);
}

void
view_list_free(struct view_list *l)
{
    json_decref(l->items);
    free(l->error);
    free(l->shown);
    w_filter_free(&l->filter);
}

void
view_list_apply(struct view_list *l)
{
    size_t n = json_array_size(l->items);

    l->shown = xreallocarray(l->shown, n ? n : 1, sizeof(*l->shown));
    l->nshown = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_array_get(l->items, i);

        if (json_string_value(json_object_get(it, l->keys[0])) == NULL)
            continue;
        for (size_t k = 0; l->keys[k]; k++) {
            const char *s = json_string_value(json_object_get(it, l->keys[k]));

            if (s && w_filter_match(&l->filter, s)) {
                l->shown[l->nshown++] = i;
                break;
            }
        }
    }
    w_table_set_rows(&l->table, l->nshown);
}

void
view_list_compile(struct view_list *l)
{
    if (w_filter_compile(&l->filter) != 0)
        app_flash(l->app, "not a regular expression: %s", l->filter.input.text);
    view_list_apply(l);
}

static void
view_list_on_answer(int rc, json_t *body, void *arg)
{
    struct view_list *l = arg;
    json_t *items = json_object_get(body, "items");

    l->inflight = 0;
    free(l->error);
    l->error = NULL;
    if (rc != 0 || !json_is_array(items)) {
        l->error =
            rc ? xstrdup(err_last()) : xasprintf("no list of %s", l->what);
        return;
    }
    json_decref(l->items);
    l->items = json_incref(items); /* kept until the next answer */
    view_list_apply(l);
    if (l->loaded)
        l->loaded(l);
}

void
view_list_tick(struct view_list *l)
{
    if (l->inflight)
        return;
    l->inflight = 1;
    /* `l` is the view's state too (the first member) */
    app_request(l->app, "GET", l->path, NULL, view_list_on_answer, l);
}

const json_t *
view_list_row(const struct view_list *l, size_t row)
{
    return row < l->nshown ? json_array_get(l->items, l->shown[row]) : NULL;
}

int
view_list_filter(void *state)
{
    ((struct view_list *)state)->filter.open = 1;
    return VIEW_REDRAW;
}

int
view_list_down(void *state)
{
    w_table_move(&((struct view_list *)state)->table, 1);
    return VIEW_REDRAW;
}

int
view_list_up(void *state)
{
    w_table_move(&((struct view_list *)state)->table, -1);
    return VIEW_REDRAW;
}

int
view_list_grab(void *state)
{
    return ((struct view_list *)state)->filter.open;
}

int
view_list_key(void *state, int ch)
{
    struct view_list *l = state;

    if (!l->filter.open)
        return 0;
    if (!w_filter_key(&l->filter, ch))
        return VIEW_HANDLED;
    view_list_compile(l);
    return VIEW_REDRAW;
}
