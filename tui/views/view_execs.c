/*
 * view_execs: one page of executions at a time, newest first, with the
 * cursors of the pages walked kept so p goes back without asking. The
 * list says little of a running execution, so the current step comes
 * from the waiting tasks (GET /v1/tasks) and, for the running rows in
 * view, from the executions themselves, a few requests at a time.
 */
#include "views/view_execs.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "theme.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define VIEW_EXECS_PAGE 50

/* ---- what the flow screens share ---- */

void
view_execs_clock_set(struct view_execs_clock *c, const json_t *info)
{
    const json_t *clock = json_object_get(info, "clock");
    const char *mode = json_string_value(json_object_get(clock, "mode"));
    const json_t *now = json_object_get(clock, "now_ms");
    double scale = json_number_value(json_object_get(clock, "scale"));

    if (!json_is_integer(now))
        return;
    c->known = 1;
    c->now_ms = json_integer_value(now);
    c->at = timefmt_mono_ms();
    if (json_is_true(json_object_get(clock, "paused")) ||
        (mode && strcmp(mode, "paused") == 0))
        c->scale = 0;
    else
        c->scale = scale > 0 ? scale : 1;
}

int64_t
view_execs_clock_now(const struct view_execs_clock *c)
{
    if (!c->known)
        return timefmt_real_now_ms();
    return c->now_ms +
           (int64_t)((double)(timefmt_mono_ms() - c->at) * c->scale);
}

static const struct {
    const char *status, *utf8, *ascii;
    enum theme_colour colour;
} view_execs_glyphs[] = {
    {"running", "\u25b6", ">", THEME_HEADING},
    {"starting", "\u25b6", ">", THEME_HEADING},
    {"sleeping", "\u25b6", ">", THEME_HEADING},
    {"waiting", "\u23f8", "=", THEME_KEY},
    {"succeeded", "\u2714", "+", THEME_UP},
    {"failed", "\u2716", "x", THEME_DOWN},
    {"timedout", "\u2716", "x", THEME_DOWN},
    {"timed_out", "\u2716", "x", THEME_DOWN},
    {"stopped", "\u2716", "x", THEME_DOWN},
    {"cancelled", "\u2716", "x", THEME_DIM},
    {"caught", "\u2716", "x", THEME_KEY},
    {"retrying", "\u21bb", "~", THEME_KEY},
    {"pending", "\u00b7", ".", THEME_DIM},
    {"skipped", "\u00b7", ".", THEME_DIM},
};

static int
view_execs_glyph_index(const char *status)
{
    for (size_t i = 0;
         status && i < sizeof(view_execs_glyphs) / sizeof(view_execs_glyphs[0]);
         i++)
        if (strcasecmp(view_execs_glyphs[i].status, status) == 0)
            return (int)i;
    return -1;
}

const char *
view_execs_glyph(const char *status, int utf8)
{
    int i = view_execs_glyph_index(status);

    if (i < 0)
        return "?";
    return utf8 ? view_execs_glyphs[i].utf8 : view_execs_glyphs[i].ascii;
}

attr_t
view_execs_attr(const char *status)
{
    int i = view_execs_glyph_index(status);

    return i < 0 ? A_NORMAL : theme_attr(view_execs_glyphs[i].colour);
}

int
view_execs_time(int64_t *out, const char *when)
{
    if (when == NULL || timefmt_parse_rfc3339(out, when) != 0)
        return -1;
    return 0;
}

void
view_execs_age(char *out, size_t n, int64_t now_ms, const char *when)
{
    int64_t t;

    if (view_execs_time(&t, when) != 0) {
        snprintf(out, n, "-");
        return;
    }
    timefmt_duration(out, n, now_ms > t ? now_ms - t : 0);
}

void
view_execs_local_time(char *out, size_t n, const char *when)
{
    int64_t t;
    time_t secs;
    struct tm tm;

    if (view_execs_time(&t, when) != 0) {
        snprintf(out, n, "-");
        return;
    }
    secs = (time_t)(t / 1000);
    localtime_r(&secs, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

/* ---- the list ---- */

/* the status filter, in the order f cycles through it */
static const char *const view_execs_filters[] = {
    NULL, "Running", "Succeeded", "Failed", "Stopped", "TimedOut",
};
#define VIEW_EXECS_NFILTERS                                                    \
    (int)(sizeof(view_execs_filters) / sizeof(view_execs_filters[0]))

struct view_execs {
    struct app *app;
    char *flow;     /* only this flow's, or NULL */
    json_t *items;  /* the page shown, or NULL before the first */
    char *next;     /* the page's "next", or NULL on the last page */
    char **cursors; /* cursors[depth - 1] is the page's; NULL: the start */
    size_t depth, cap;
    size_t start; /* position of the page's first row, from 1 */
    int filter;   /* index in view_execs_filters */
    int busy;
    char *sent_cursor; /* of the page request running */
    int sent_filter;
    char *error; /* the last failed request's message, or NULL */

    json_t *waiting; /* {"flow/name": task} of the waiting tasks */
    int tasks_busy;
    json_t *current; /* {"flow/name": [current...]} from the executions */
    json_t *asked;   /* {"flow/name": true}: asked this round */
    char *asking;    /* "flow/name" of the GET running, or NULL */
    int rows;        /* of the table, as last drawn */
    struct view_execs_clock clock;
    struct w_table table;
    char cell[200];
};

static const char *
view_execs_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* "flow/name" of an execution or task, into buf */
static const char *
view_execs_key(char *buf, size_t n, const char *flow, const char *name)
{
    snprintf(buf, n, "%s/%s", flow ? flow : "", name ? name : "");
    return buf;
}

static void view_execs_load(struct view_execs *v);

/* forget the current steps of executions no longer running on the page */
static void
view_execs_prune(struct view_execs *v)
{
    json_t *keep = json_object(), *e;
    char key[300];
    size_t i;

    json_array_foreach(v->items, i, e)
    {
        const json_t *cur;

        view_execs_key(key, sizeof(key), view_execs_str(e, "flow"),
                       view_execs_str(e, "name"));
        cur = json_object_get(v->current, key);
        if (cur && view_execs_str(e, "status") &&
            strcmp(view_execs_str(e, "status"), "Running") == 0)
            json_object_set(keep, key, (json_t *)cur);
    }
    json_decref(v->current);
    v->current = keep;
}

static void
view_execs_on_page(int rc, json_t *body, void *arg)
{
    struct view_execs *v = arg;
    const char *want = v->cursors[v->depth - 1];
    json_t *items = json_object_get(body, "items");
    const char *next = view_execs_str(body, "next");

    v->busy = 0;
    if (v->sent_filter != v->filter ||
        (want == NULL) != (v->sent_cursor == NULL) ||
        (want && strcmp(want, v->sent_cursor) != 0)) {
        view_execs_load(v); /* the user moved on meanwhile */
        return;
    }
    free(v->error);
    v->error = rc ? xstrdup(err_last()) : NULL;
    if (rc != 0 || !json_is_array(items))
        return;
    if (json_array_size(items) == 0 && v->depth > 1) {
        free(v->cursors[--v->depth]); /* the page emptied */
        v->start -= VIEW_EXECS_PAGE;
        view_execs_load(v);
        return;
    }
    json_decref(v->items);
    v->items = json_incref(items); /* kept until the next answer */
    view_execs_prune(v);
    free(v->next);
    v->next = next ? xstrdup(next) : NULL;
    w_table_set_rows(&v->table, json_array_size(items));
}

static void
view_execs_load(struct view_execs *v)
{
    const char *cursor = v->cursors[v->depth - 1];
    const char *status = view_execs_filters[v->filter];
    char *path, *flow = v->flow ? client_escape(v->flow) : NULL;
    char *cur = cursor ? client_escape(cursor) : NULL;

    if (v->busy)
        return;
    v->busy = 1;
    free(v->sent_cursor);
    v->sent_cursor = cursor ? xstrdup(cursor) : NULL;
    v->sent_filter = v->filter;
    path = xasprintf("/v1/executions?limit=%d%s%s%s%s%s%s", VIEW_EXECS_PAGE,
                     flow ? "&flow=" : "", flow ? flow : "",
                     status ? "&status=" : "", status ? status : "",
                     cur ? "&cursor=" : "", cur ? cur : "");
    app_request(v->app, "GET", path, NULL, view_execs_on_page, v);
    free(path);
    free(flow);
    free(cur);
}

static void
view_execs_on_tasks(int rc, json_t *body, void *arg)
{
    struct view_execs *v = arg;
    size_t i;
    json_t *t;
    char key[300];

    v->tasks_busy = 0;
    if (rc != 0 || !json_is_array(json_object_get(body, "items")))
        return;
    json_object_clear(v->waiting);
    json_array_foreach(json_object_get(body, "items"), i, t)
    {
        view_execs_key(key, sizeof(key), view_execs_str(t, "flow"),
                       view_execs_str(t, "execution"));
        if (json_object_get(v->waiting, key) == NULL)
            json_object_set(v->waiting, key, t);
    }
}

static void view_execs_ask_current(struct view_execs *v);

static void
view_execs_on_detail(int rc, json_t *body, void *arg)
{
    struct view_execs *v = arg;

    if (rc == 0 && json_is_array(json_object_get(body, "current")))
        json_object_set(v->current, v->asking,
                        json_object_get(body, "current"));
    free(v->asking);
    v->asking = NULL;
    view_execs_ask_current(v);
}

/* ask the next running row in view that has not been asked this round
 * what it is doing; one request at a time */
static void
view_execs_ask_current(struct view_execs *v)
{
    size_t rows = (size_t)(v->rows > 0 ? v->rows : 20);

    if (v->asking)
        return;
    for (size_t r = v->table.top;
         r < json_array_size(v->items) && r < v->table.top + rows; r++) {
        const json_t *e = json_array_get(v->items, r);
        const char *st = view_execs_str(e, "status");
        const char *flow = view_execs_str(e, "flow");
        const char *name = view_execs_str(e, "name");
        char key[300], *fe, *ne, *path;

        if (st == NULL || flow == NULL || name == NULL ||
            (strcmp(st, "Running") != 0 && strcmp(st, "Starting") != 0) ||
            json_object_get(e, "current"))
            continue;
        view_execs_key(key, sizeof(key), flow, name);
        if (json_object_get(v->asked, key))
            continue;
        json_object_set_new(v->asked, key, json_true());
        v->asking = xstrdup(key);
        fe = client_escape(flow);
        ne = client_escape(name);
        path = xasprintf("/v1/executions/%s?flow=%s", ne, fe);
        app_request(v->app, "GET", path, NULL, view_execs_on_detail, v);
        free(path);
        free(fe);
        free(ne);
        return;
    }
}

static void
view_execs_tick(void *state)
{
    struct view_execs *v = state;
    char *path, *flow;

    view_execs_load(v);
    if (!v->tasks_busy) {
        v->tasks_busy = 1;
        flow = v->flow ? client_escape(v->flow) : NULL;
        path = xasprintf("/v1/tasks?status=waiting&limit=1000%s%s",
                         flow ? "&flow=" : "", flow ? flow : "");
        app_request(v->app, "GET", path, NULL, view_execs_on_tasks, v);
        free(path);
        free(flow);
    }
    json_object_clear(v->asked); /* a new round */
    view_execs_ask_current(v);
}

static void
view_execs_update(void *state, json_t *data)
{
    struct view_execs *v = state;

    view_execs_clock_set(&v->clock, data);
}

/* ---- drawing ---- */

static const struct w_table_col view_execs_cols[] = {
    {"STATUS", 11, 0}, {"FLOW", 14, 0}, {"NAME", 20, 0},
    {"STEP", 12, 0},   {"AGE", 7, 1},   {"TOOK", 0, 0},
};

/* Returns: borrowed; the step a running execution is at, with its
 * state in *state ("waiting"...), or NULL */
static const char *
view_execs_step(const struct view_execs *v, const json_t *e, const char **state)
{
    char key[300];
    const json_t *cur = json_object_get(e, "current"), *t;

    view_execs_key(key, sizeof(key), view_execs_str(e, "flow"),
                   view_execs_str(e, "name"));
    if (cur == NULL)
        cur = json_object_get(v->current, key);
    /* a waiting step first: that is what a user comes to unstick */
    for (size_t i = 0; i < json_array_size(cur); i++) {
        const json_t *c = json_array_get(cur, i);

        if (view_execs_str(c, "state") &&
            strcmp(view_execs_str(c, "state"), "waiting") == 0) {
            *state = "waiting";
            return view_execs_str(c, "step");
        }
    }
    if ((t = json_object_get(v->waiting, key)) != NULL) {
        *state = "waiting";
        return view_execs_str(t, "step");
    }
    if (json_array_size(cur) > 0) {
        *state = view_execs_str(json_array_get(cur, 0), "state");
        return view_execs_str(json_array_get(cur, 0), "step");
    }
    *state = NULL;
    return NULL;
}

static int
view_execs_running(const char *status)
{
    return status &&
           (strcmp(status, "Running") == 0 || strcmp(status, "Starting") == 0);
}

static const char *
view_execs_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_execs *v = ctx;
    const json_t *e = json_array_get(v->items, row);
    const char *status = view_execs_str(e, "status"), *state = NULL, *step;
    int64_t a, b;

    switch (col) {
    case 0:
        view_execs_step(v, e, &state); /* for the step's state */
        if (view_execs_running(status) && state &&
            strcmp(state, "waiting") == 0)
            status = "Waiting";
        snprintf(v->cell, sizeof(v->cell), "%s %s",
                 view_execs_glyph(status, app_utf8(v->app)),
                 status ? status : "?");
        *attr = view_execs_attr(status);
        return v->cell;
    case 1:
        return view_execs_str(e, "flow");
    case 2:
        return view_execs_str(e, "name");
    case 3:
        if (!view_execs_running(status))
            return "";
        step = view_execs_step(v, e, &state);
        if (step && state && strcmp(state, "running") != 0 &&
            strcmp(state, "waiting") != 0)
            snprintf(v->cell, sizeof(v->cell), "%s (%s)", step, state);
        else
            snprintf(v->cell, sizeof(v->cell), "%s", step ? step : "");
        return v->cell;
    case 4:
        view_execs_age(v->cell, sizeof(v->cell),
                       view_execs_clock_now(&v->clock),
                       view_execs_str(e, "started"));
        return v->cell;
    default:
        if (view_execs_str(e, "stopped") == NULL ||
            view_execs_time(&a, view_execs_str(e, "started")) != 0 ||
            view_execs_time(&b, view_execs_str(e, "stopped")) != 0)
            return "";
        timefmt_duration(v->cell, sizeof(v->cell), b > a ? b - a : 0);
        return v->cell;
    }
}

static void
view_execs_draw(void *state, WINDOW *win)
{
    struct view_execs *v = state;
    const char *status = view_execs_filters[v->filter];
    const char *dash = app_utf8(v->app) ? "\u2013" : "-";
    size_t n = json_array_size(v->items);
    int h = getmaxy(win), x;
    char text[200];

    werase(win);
    x = w_text_put(win, 0, 1, ":execs", theme_attr(THEME_TITLE));
    if (v->flow)
        x = w_text_put(win, 0, x + 1, v->flow, theme_attr(THEME_TITLE));
    w_text_put(win, 0, x + 3, "newest first", theme_attr(THEME_DIM));
    if (v->error)
        w_text_put(win, h - 2, 1, v->error, theme_attr(THEME_DOWN));
    if (v->items == NULL) {
        if (v->error == NULL)
            w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    v->rows = h - (v->error ? 4 : 3);
    w_table_draw(win, 1, h - (v->error ? 3 : 2), &v->table, view_execs_cols,
                 sizeof(view_execs_cols) / sizeof(view_execs_cols[0]),
                 view_execs_cell, NULL, v, app_utf8(v->app));
    if (n == 0)
        w_text_put(win, 3, 3,
                   status || v->depth > 1 ? "no executions here"
                                          : "no executions yet: s on a "
                                            "flow starts one",
                   theme_attr(THEME_DIM));
    x = w_text_put(win, h - 1, 1, "f", theme_attr(THEME_KEY));
    x = w_text_put(win, h - 1, x + 1, "status", A_NORMAL);
    w_text_put(win, h - 1, x + 1, status ? status : "all",
               theme_attr(THEME_LABEL));
    if (n == 0)
        snprintf(text, sizeof(text), "none   n/b page");
    else
        snprintf(text, sizeof(text), "%zu%s%zu%s   n/b page", v->start, dash,
                 v->start + n - 1, v->next ? " of more" : "");
    w_text_put(win, h - 1, getmaxx(win) - (int)strlen(text) - 1, text,
               A_NORMAL);
}

/* ---- keys ---- */

static void
view_execs_push(struct view_execs *v, const char *cursor)
{
    if (v->depth == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->cursors = xreallocarray(v->cursors, v->cap, sizeof(*v->cursors));
    }
    v->cursors[v->depth++] = cursor ? xstrdup(cursor) : NULL;
}

/* back to the first page */
static void
view_execs_reset(struct view_execs *v)
{
    while (v->depth > 0)
        free(v->cursors[--v->depth]);
    view_execs_push(v, NULL);
    v->start = 1;
    v->table.sel = v->table.top = 0;
}

static int
view_execs_next_page(void *state)
{
    struct view_execs *v = state;

    if (v->next == NULL || v->items == NULL)
        return VIEW_HANDLED;
    v->start += json_array_size(v->items);
    view_execs_push(v, v->next);
    v->table.sel = v->table.top = 0;
    view_execs_load(v);
    return VIEW_REDRAW;
}

static int
view_execs_prev_page(void *state)
{
    struct view_execs *v = state;

    if (v->depth <= 1)
        return VIEW_HANDLED;
    free(v->cursors[--v->depth]);
    v->start = v->start > VIEW_EXECS_PAGE ? v->start - VIEW_EXECS_PAGE : 1;
    v->table.sel = v->table.top = 0;
    view_execs_load(v);
    return VIEW_REDRAW;
}

static int
view_execs_first_page(void *state)
{
    struct view_execs *v = state;

    view_execs_reset(v);
    view_execs_load(v);
    return VIEW_REDRAW;
}

static int
view_execs_cycle(void *state)
{
    struct view_execs *v = state;

    v->filter = (v->filter + 1) % VIEW_EXECS_NFILTERS;
    view_execs_reset(v);
    view_execs_load(v);
    return VIEW_REDRAW;
}

static int
view_execs_down(void *state)
{
    w_table_move(&((struct view_execs *)state)->table, 1);
    return VIEW_REDRAW;
}

static int
view_execs_up(void *state)
{
    w_table_move(&((struct view_execs *)state)->table, -1);
    return VIEW_REDRAW;
}

static int
view_execs_open(void *state)
{
    struct view_execs *v = state;
    const json_t *e =
        v->table.rows ? json_array_get(v->items, v->table.sel) : NULL;
    char *arg;

    if (view_execs_str(e, "flow") == NULL || view_execs_str(e, "name") == NULL)
        return VIEW_HANDLED;
    arg = xasprintf("%s/%s", view_execs_str(e, "flow"),
                    view_execs_str(e, "name"));
    app_open(v->app, "exec", arg);
    free(arg);
    return VIEW_REDRAW;
}

/* ---- life ---- */

static void *
view_execs_create(struct app *app, const char *arg)
{
    struct view_execs *v = xcalloc(1, sizeof(*v));

    v->app = app;
    v->flow = arg && *arg ? xstrdup(arg) : NULL;
    v->waiting = json_object();
    v->current = json_object();
    v->asked = json_object();
    view_execs_reset(v);
    return v;
}

static void
view_execs_free(void *state)
{
    struct view_execs *v = state;

    free(v->flow);
    json_decref(v->items);
    free(v->next);
    while (v->depth > 0)
        free(v->cursors[--v->depth]);
    free(v->cursors);
    free(v->sent_cursor);
    free(v->error);
    json_decref(v->waiting);
    json_decref(v->current);
    json_decref(v->asked);
    free(v->asking);
    free(v);
}

static const struct keybind view_execs_keys[] = {
    {'\r', "open", view_execs_open, 0},
    {'f', "status", view_execs_cycle, 0},
    {'n', "next page", view_execs_next_page, 1},
    {'b', "previous page", view_execs_prev_page, 1},
    {'g', "first page", view_execs_first_page, 1},
    {'j', "down", view_execs_down, 1},
    {'k', "up", view_execs_up, 1},
    {KEY_DOWN, "down", view_execs_down, 1},
    {KEY_UP, "up", view_execs_up, 1},
    {KEY_NPAGE, "next page", view_execs_next_page, 1},
    {KEY_PPAGE, "previous page", view_execs_prev_page, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_execs_ops = {
    .name = "execs",
    .create = view_execs_create,
    .free = view_execs_free,
    .draw = view_execs_draw,
    .update = view_execs_update,
    .tick = view_execs_tick,
    .keys = view_execs_keys,
};
