/*
 * view_fn: GET /v1/functions/{f}, its triggers and a page of its
 * invocations, each asked every second, one request of each kind at a
 * time. Invoking POSTs with "async" so the answer comes at once however
 * long the function runs; the invocation shows in the list as soon as it
 * starts (status running, its time so far in DURATION) and changes when
 * it finishes.
 */
#include "views/view_fn.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_execs.h"
#include "views/view_fns.h"
#include "widgets/w_filter.h"
#include "widgets/w_form.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_FN_INVOCATIONS 100 /* the newest invocations shown */

struct view_fn {
    struct app *app;
    char *name;       /* the function */
    char *path;       /* "/v1/functions/<name, escaped>" */
    json_t *fn;       /* the function, or NULL */
    json_t *triggers; /* its triggers' items, or NULL */
    json_t *invs;     /* the invocations shown, or NULL before the first */
    char *error;      /* the last failed refresh's message, or NULL */
    int fn_busy, trig_busy, invs_busy;
    struct w_table table;
    size_t *shown;
    size_t nshown;
    struct w_filter filter;
    struct w_form form; /* invoke */
    struct view_execs_clock clock;
    char cell[400];
};

static const char *
view_fn_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void
view_fn_apply_filter(struct view_fn *v)
{
    size_t n = json_array_size(v->invs);
    char text[600];

    v->shown = xreallocarray(v->shown, n ? n : 1, sizeof(*v->shown));
    v->nshown = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *inv = json_array_get(v->invs, i);

        snprintf(text, sizeof(text), "%s %s %s %s", view_fn_str(inv, "id"),
                 view_fn_str(inv, "trigger"), view_fn_str(inv, "status"),
                 view_fn_str(inv, "error") ? view_fn_str(inv, "error") : "");
        if (w_filter_match(&v->filter, text))
            v->shown[v->nshown++] = i;
    }
    w_table_set_rows(&v->table, v->nshown);
}

static void
view_fn_compile(struct view_fn *v)
{
    if (w_filter_compile(&v->filter) != 0)
        app_flash(v->app, "not a regular expression: %s", v->filter.input.text);
    view_fn_apply_filter(v);
}

/* ---- refresh ---- */

static void
view_fn_set_error(struct view_fn *v, int rc)
{
    free(v->error);
    v->error = rc ? xstrdup(err_last()) : NULL;
}

static void
view_fn_on_fn(int rc, json_t *body, void *arg)
{
    struct view_fn *v = arg;

    v->fn_busy = 0;
    view_fn_set_error(v, rc);
    if (rc == 0 && json_is_object(body)) {
        json_decref(v->fn);
        v->fn = json_incref(body);
    }
}

static void
view_fn_on_triggers(int rc, json_t *body, void *arg)
{
    struct view_fn *v = arg;
    json_t *items = json_object_get(body, "items");

    v->trig_busy = 0;
    if (rc == 0 && json_is_array(items)) {
        json_decref(v->triggers);
        v->triggers = json_incref(items);
    }
}

static void
view_fn_on_invs(int rc, json_t *body, void *arg)
{
    struct view_fn *v = arg;
    json_t *items = json_object_get(body, "items");

    v->invs_busy = 0;
    if (rc != 0) {
        view_fn_set_error(v, rc);
        return;
    }
    if (!json_is_array(items))
        return;
    json_decref(v->invs);
    v->invs = json_incref(items);
    view_fn_apply_filter(v);
}

static void
view_fn_refresh(struct view_fn *v)
{
    char *path;

    if (!v->fn_busy) {
        v->fn_busy = 1;
        app_request(v->app, "GET", v->path, NULL, view_fn_on_fn, v);
    }
    if (!v->trig_busy) {
        v->trig_busy = 1;
        path = xasprintf("%s/triggers", v->path);
        app_request(v->app, "GET", path, NULL, view_fn_on_triggers, v);
        free(path);
    }
    if (!v->invs_busy) {
        v->invs_busy = 1;
        path =
            xasprintf("%s/invocations?limit=%d", v->path, VIEW_FN_INVOCATIONS);
        app_request(v->app, "GET", path, NULL, view_fn_on_invs, v);
        free(path);
    }
}

static void
view_fn_tick(void *state)
{
    view_fn_refresh(state);
}

static void
view_fn_update(void *state, json_t *data)
{
    struct view_fn *v = state;

    view_execs_clock_set(&v->clock, data);
}

/* ---- keys ---- */

static const json_t *
view_fn_selected(const struct view_fn *v)
{
    return v->nshown ? json_array_get(v->invs, v->shown[v->table.sel]) : NULL;
}

static int
view_fn_open(void *state)
{
    struct view_fn *v = state;
    const char *id = view_fn_str(view_fn_selected(v), "id");
    char *arg;

    if (id == NULL)
        return VIEW_HANDLED;
    arg = xasprintf("%s/%s", v->name, id);
    app_open(v->app, "invocation", arg);
    free(arg);
    return VIEW_REDRAW;
}

static int
view_fn_invoke(void *state)
{
    static const char *const labels[] = {"input"};
    struct view_fn *v = state;
    const json_t *inv = view_fn_selected(v);
    char *last = NULL, *title = xasprintf("Invoke %s", v->name);
    const char *values[1] = {NULL};

    /* start from the input of the invocation selected, to try again */
    if (json_object_get(inv, "input"))
        last = json_dumps(json_object_get(inv, "input"),
                          JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    values[0] = last;
    w_form_open(&v->form, title, 1, labels, values, "invoke",
                "input: the event, any JSON; empty: {}");
    free(title);
    free(last);
    return VIEW_REDRAW;
}

static void
view_fn_on_invoked(int rc, json_t *body, void *arg)
{
    struct view_fn *v = arg;

    if (rc)
        app_flash(v->app, "invoke failed: %s", err_last());
    else
        app_flash(v->app, "invoked %s: %s %s", v->name, view_fn_str(body, "id"),
                  view_fn_str(body, "status"));
    view_fn_refresh(v);
}

static void
view_fn_submit(struct view_fn *v)
{
    const char *text = w_form_text(&v->form, 0);
    json_error_t jerr;
    json_t *event, *body;
    char *path;

    event = json_loads(*text ? text : "{}",
                       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (event == NULL) {
        w_form_refuse(&v->form, "input: %s (column %d)", jerr.text,
                      jerr.column);
        return;
    }
    body = json_pack("{s:o, s:b}", "event", event, "async", 1);
    path = xasprintf("%s/invocations", v->path);
    app_request(v->app, "POST", path, body, view_fn_on_invoked, v);
    free(path);
    json_decref(body);
    w_form_close(&v->form);
}

static int
view_fn_filter(void *state)
{
    ((struct view_fn *)state)->filter.open = 1;
    return VIEW_REDRAW;
}

static int
view_fn_down(void *state)
{
    w_table_move(&((struct view_fn *)state)->table, 1);
    return VIEW_REDRAW;
}

static int
view_fn_up(void *state)
{
    w_table_move(&((struct view_fn *)state)->table, -1);
    return VIEW_REDRAW;
}

static int
view_fn_grab(void *state)
{
    struct view_fn *v = state;

    return v->form.open || v->filter.open;
}

/* keys while the form or the '/' line is open */
static int
view_fn_key(void *state, int ch)
{
    struct view_fn *v = state;

    if (v->form.open) {
        if (w_form_key(&v->form, ch) == W_FORM_SUBMIT)
            view_fn_submit(v);
        return VIEW_REDRAW;
    }
    if (!v->filter.open)
        return 0;
    if (!w_filter_key(&v->filter, ch))
        return VIEW_HANDLED;
    view_fn_compile(v);
    return VIEW_REDRAW;
}

/* ---- drawing ---- */

static const struct w_table_col view_fn_cols[] = {
    {"", 1, 0},         {"STARTED", 8, 0},  {"ID", 10, 0},
    {"TRIGGER", 12, 0}, {"DURATION", 8, 1}, {"STATUS", 0, 0},
};

static const char *
view_fn_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_fn *v = ctx;
    const json_t *inv = json_array_get(v->invs, v->shown[row]);
    const char *status = view_fn_str(inv, "status");
    char when[32];

    switch (col) {
    case 0:
        *attr = view_execs_attr(status);
        return view_execs_glyph(status, app_utf8(v->app));
    case 1: /* "2026-11-21 08:12:01": the time of day */
        view_execs_local_time(when, sizeof(when), view_fn_str(inv, "started"));
        snprintf(v->cell, sizeof(v->cell), "%s",
                 strlen(when) > 11 ? when + 11 : when);
        return v->cell;
    case 2:
        return view_fn_str(inv, "id");
    case 3:
        return view_fn_str(inv, "trigger");
    case 4:
        if (json_object_get(inv, "duration_ms") == NULL) { /* running */
            view_execs_age(v->cell, sizeof(v->cell),
                           view_execs_clock_now(&v->clock),
                           view_fn_str(inv, "started"));
            *attr = view_execs_attr(status);
            return v->cell;
        }
        snprintf(
            v->cell, sizeof(v->cell), "%lldms",
            (long long)json_integer_value(json_object_get(inv, "duration_ms")));
        return v->cell;
    default:
        *attr = view_execs_attr(status);
        if (view_fn_str(inv, "error"))
            snprintf(v->cell, sizeof(v->cell), "%s: %s: %s", status,
                     view_fn_str(inv, "error"),
                     view_fn_str(inv, "cause") ? view_fn_str(inv, "cause")
                                               : "");
        else
            snprintf(v->cell, sizeof(v->cell), "%s", status ? status : "?");
        for (char *p = v->cell; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
        return v->cell;
    }
}

/* ":fn echo   python3 handlers/echo.py" and "timeout 30s · at most 10
 * at once · triggers: queue imgs" */
static void
view_fn_draw_header(struct view_fn *v, WINDOW *win)
{
    const char *dot = app_utf8(v->app) ? " \u00b7 " : ", ";
    char what[300], text[600], trig[200] = "";
    size_t i, len = 0;
    json_t *t;
    int x;

    x = w_text_put(win, 0, 1, ":fn", theme_attr(THEME_TITLE));
    x = w_text_put(win, 0, x + 1, v->name, theme_attr(THEME_TITLE));
    if (v->fn == NULL)
        return;
    view_fns_what(what, sizeof(what), v->fn);
    w_text_put(win, 0, x + 3, what, A_NORMAL);
    json_array_foreach(v->triggers, i, t)
    {
        if (len >= sizeof(trig))
            break;
        len += (size_t)snprintf(
            trig + len, sizeof(trig) - len, "%squeue %s%s", i ? ", " : "",
            view_fn_str(t, "queue"),
            view_fn_str(t, "state") &&
                    strcmp(view_fn_str(t, "state"), "enabled") != 0
                ? " (paused)"
                : "");
    }
    snprintf(text, sizeof(text),
             "%s%stimeout %llds%sat most %lld at once%s"
             "triggers: %s",
             view_fn_str(v->fn, "kind") ? view_fn_str(v->fn, "kind") : "", dot,
             (long long)json_integer_value(
                 json_object_get(v->fn, "timeout_seconds")),
             dot,
             (long long)json_integer_value(
                 json_object_get(v->fn, "max_concurrency")),
             dot, *trig ? trig : "http only");
    w_text_put(win, 1, 1, text, theme_attr(THEME_DIM));
}

static void
view_fn_draw(void *state, WINDOW *win)
{
    struct view_fn *v = state;
    int h = getmaxy(win), x;
    char text[96];

    werase(win);
    view_fn_draw_header(v, win);
    if (v->error)
        w_text_put(win, h - 1, 1, v->error, theme_attr(THEME_DOWN));
    if (v->invs == NULL) {
        if (v->error == NULL)
            w_text_put(win, 3, 1, "loading...", theme_attr(THEME_DIM));
        w_form_draw(win, &v->form, 72, app_utf8(v->app));
        return;
    }
    snprintf(text, sizeof(text), "invocations %zu of %zu%s", v->nshown,
             json_array_size(v->invs),
             json_array_size(v->invs) >= VIEW_FN_INVOCATIONS ? " newest" : "");
    x = w_text_put(win, 2, 1, text, theme_attr(THEME_HEADING));
    if (w_filter_shown(&v->filter)) {
        x = w_text_put(win, 2, x + 3, "/", theme_attr(THEME_KEY));
        w_filter_draw(win, 2, x, getmaxx(win) - x - 1, &v->filter);
    }
    w_table_draw(win, 3, h - 3 - (v->error ? 1 : 0), &v->table, view_fn_cols,
                 sizeof(view_fn_cols) / sizeof(view_fn_cols[0]), view_fn_cell,
                 NULL, v, app_utf8(v->app));
    if (v->nshown == 0)
        w_text_put(win, 5, 3,
                   json_array_size(v->invs) ? "no invocation matches the "
                                              "filter"
                                            : "no invocations yet (i invokes)",
                   theme_attr(THEME_DIM));
    w_form_draw(win, &v->form, 72, app_utf8(v->app));
}

/* ---- life ---- */

static void *
view_fn_create(struct app *app, const char *arg)
{
    struct view_fn *v = xcalloc(1, sizeof(*v));
    char *esc;

    v->app = app;
    v->name = xstrdup(arg ? arg : "");
    esc = client_escape(v->name);
    v->path = xasprintf("/v1/functions/%s", esc);
    free(esc);
    return v;
}

static void
view_fn_free(void *state)
{
    struct view_fn *v = state;

    free(v->name);
    free(v->path);
    free(v->error);
    free(v->shown);
    json_decref(v->fn);
    json_decref(v->triggers);
    json_decref(v->invs);
    w_filter_free(&v->filter);
    w_form_free(&v->form);
    free(v);
}

static const struct keybind view_fn_keys[] = {
    {'\r', "log", view_fn_open, 0},     {'i', "invoke", view_fn_invoke, 0},
    {'/', "filter", view_fn_filter, 0}, {'j', "down", view_fn_down, 1},
    {'k', "up", view_fn_up, 1},         {KEY_DOWN, "down", view_fn_down, 1},
    {KEY_UP, "up", view_fn_up, 1},      {0, NULL, NULL, 0},
};

const struct view_ops view_fn_ops = {
    .name = "function",
    .create = view_fn_create,
    .free = view_fn_free,
    .draw = view_fn_draw,
    .key = view_fn_key,
    .update = view_fn_update,
    .tick = view_fn_tick,
    .grab = view_fn_grab,
    .keys = view_fn_keys,
};
