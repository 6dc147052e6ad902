/*
 * view_fns: keeps the last list the engine sent and the rows of it that
 * pass the filter. GET /v1/functions gives with each function what the
 * columns show: its queue triggers, its invocations and failures, how
 * many run now and its newest invocation (running ones included), so
 * the screen asks one request a second whatever the number of
 * functions. A failed refresh keeps the last list on screen.
 */
#include "views/view_fns.h"

#include "app.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_execs.h"
#include "views/view_list.h"
#include "widgets/w_filter.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct view_fns {
    struct view_list list; /* first: see view_list_init */
    struct view_execs_clock clock;
    char cell[400];
};

void
view_fns_what(char *out, size_t n, const json_t *f)
{
    const char *url = json_string_value(json_object_get(f, "url"));
    size_t len = 0, i;
    json_t *a;

    out[0] = '\0';
    if (url) {
        snprintf(out, n, "%s", url);
        return;
    }
    json_array_foreach(json_object_get(f, "command"), i, a)
    {
        if (len >= n)
            break;
        len += (size_t)snprintf(out + len, n - len, "%s%s", i ? " " : "",
                                json_string_value(a));
    }
}

/* what the '/' filter reads */
static const char *const view_fns_fields[] = {"name", NULL};

static const struct w_table_col view_fns_cols[] = {
    {"NAME", 12, 0},   {"COMMAND OR URL", 17, 0}, {"TRIGGERS", 12, 0},
    {"INVOKED", 7, 1}, {"FAILED", 6, 1},          {"LAST INVOCATION", 0, 0},
};

/* ---- the list ---- */

static void
view_fns_tick(void *state)
{
    struct view_fns *v = state;

    view_list_tick(&v->list);
}

static void
view_fns_update(void *state, json_t *data)
{
    struct view_fns *v = state;

    view_execs_clock_set(&v->clock, data);
}

static void *
view_fns_create(struct app *app, const char *arg)
{
    struct view_fns *v = xcalloc(1, sizeof(*v));

    view_list_init(&v->list, app, "/v1/functions", "functions", view_fns_fields,
                   arg);
    return v;
}

static void
view_fns_free(void *state)
{
    struct view_fns *v = state;

    view_list_free(&v->list);
    free(v);
}

/* ---- drawing ---- */

/* "queue imgs", "queue imgs +1", "queue imgs (paused)" */
static const char *
view_fns_triggers(struct view_fns *v, const json_t *trig, attr_t *attr)
{
    const json_t *t = json_array_get(trig, 0);
    const char *state = json_string_value(json_object_get(t, "state"));

    if (!json_is_array(trig)) {
        *attr = theme_attr(THEME_DIM);
        return "-";
    }
    if (t == NULL) {
        *attr = theme_attr(THEME_DIM);
        return "none";
    }
    snprintf(v->cell, sizeof(v->cell), "queue %s%s%s",
             json_string_value(json_object_get(t, "queue")),
             state && strcmp(state, "enabled") != 0 ? " (paused)" : "",
             json_array_size(trig) > 1 ? " +" : "");
    return v->cell;
}

/* "✔ succeeded 95ms, 2m00s ago", "▶ running for 4s" */
static const char *
view_fns_last(struct view_fns *v, const json_t *inv, attr_t *attr)
{
    const char *status = json_string_value(json_object_get(inv, "status"));
    char age[32];

    if (inv == NULL || status == NULL) {
        *attr = theme_attr(THEME_DIM);
        return "never invoked";
    }
    *attr = view_execs_attr(status);
    view_execs_age(age, sizeof(age), view_execs_clock_now(&v->clock),
                   json_string_value(json_object_get(inv, "started")));
    if (strcmp(status, "running") == 0)
        snprintf(v->cell, sizeof(v->cell), "%s running for %s",
                 view_execs_glyph(status, app_utf8(v->list.app)), age);
    else
        snprintf(v->cell, sizeof(v->cell), "%s %s %lldms, %s ago",
                 view_execs_glyph(status, app_utf8(v->list.app)), status,
                 (long long)json_integer_value(
                     json_object_get(inv, "duration_ms")),
                 age);
    return v->cell;
}

/* a count of the list, dim at 0, "-" from an engine that has none */
static const char *
view_fns_count(struct view_fns *v, const json_t *f, const char *key,
               int bad, attr_t *attr)
{
    const json_t *n = json_object_get(f, key);

    if (!json_is_integer(n)) {
        *attr = theme_attr(THEME_DIM);
        return "-";
    }
    if (json_integer_value(n) == 0)
        *attr = theme_attr(THEME_DIM);
    else if (bad)
        *attr = theme_attr(THEME_DOWN);
    snprintf(v->cell, sizeof(v->cell), "%lld",
             (long long)json_integer_value(n));
    return v->cell;
}

static const char *
view_fns_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_fns *v = ctx;
    const json_t *f = view_list_row(&v->list, row);
    const char *name = json_string_value(json_object_get(f, "name"));

    switch (col) {
    case 0:
        return name;
    case 1:
        view_fns_what(v->cell, sizeof(v->cell), f);
        return v->cell;
    case 2:
        return view_fns_triggers(v, json_object_get(f, "triggers"), attr);
    case 3:
        return view_fns_count(v, f, "invocations", 0, attr);
    case 4:
        return view_fns_count(v, f, "failures", 1, attr);
    default:
        return view_fns_last(v, json_object_get(f, "last"), attr);
    }
}

static void
view_fns_draw(void *state, WINDOW *win)
{
    struct view_fns *v = state;
    char head[96];
    int x, h = getmaxy(win);

    werase(win);
    x = w_text_put(win, 0, 1, ":fn", theme_attr(THEME_TITLE));
    if (v->list.items) {
        snprintf(head, sizeof(head), "%zu of %zu functions", v->list.nshown,
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
                 view_fns_cols,
                 sizeof(view_fns_cols) / sizeof(view_fns_cols[0]),
                 view_fns_cell, NULL, v, app_utf8(v->list.app));
    if (v->list.nshown == 0)
        w_text_put(win, 3, 3,
                   json_array_size(v->list.items)
                       ? "no function matches the filter"
                       : "no functions yet (flowdeck fn create NAME -- CMD)",
                   theme_attr(THEME_DIM));
}

/* ---- keys ---- */

static const char *
view_fns_selected(const struct view_fns *v)
{
    if (v->list.nshown == 0)
        return NULL;
    return json_string_value(
        json_object_get(view_list_row(&v->list, v->list.table.sel), "name"));
}

static int
view_fns_open(void *state)
{
    struct view_fns *v = state;
    const char *name = view_fns_selected(v);

    if (name)
        app_open(v->list.app, "function", name);
    return VIEW_REDRAW;
}

static const struct keybind view_fns_keys[] = {
    {'\r', "open", view_fns_open, 0},
    {'/', "filter", view_list_filter, 0},
    {'j', "down", view_list_down, 1},
    {'k', "up", view_list_up, 1},
    {KEY_DOWN, "down", view_list_down, 1},
    {KEY_UP, "up", view_list_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_fns_ops = {
    .name = "fn",
    .create = view_fns_create,
    .free = view_fns_free,
    .draw = view_fns_draw,
    .key = view_list_key,
    .update = view_fns_update,
    .tick = view_fns_tick,
    .grab = view_list_grab,
    .keys = view_fns_keys,
};
