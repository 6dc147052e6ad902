/*
 * view_flow: GET /v1/flows/{name} and its versions every second, one
 * request of each kind at a time; the pager is rebuilt when the
 * definition shown changes, keeping its scroll position. An older
 * version is fetched once, when it is picked.
 */
#include "views/view_flow.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_execs.h"
#include "widgets/w_pager.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_FLOW_NAME_MAX 128

enum view_flow_pane { VIEW_FLOW_DEFINITION, VIEW_FLOW_VERSIONS };

struct view_flow {
    struct app *app;
    char *name;
    char *path;       /* "/v1/flows/<name, escaped>" */
    json_t *flow;     /* the newest, or NULL before the first answer */
    json_t *versions; /* their items, or NULL */
    json_t *old;      /* the older version shown, or NULL */
    char *want;       /* the commit of `old` asked for, or NULL: newest */
    char *error;      /* the last failed request's message, or NULL */
    int flow_busy, versions_busy, old_busy;
    char *built; /* version the pager was built from, or NULL */
    enum view_flow_pane pane;
    struct w_pager pager;
    struct w_table table;
    int height; /* of the pager, as last drawn */
    struct view_flow_start start;
    char cell[160];
};

static const char *
view_flow_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* ---- the start form, shared with view_flows ---- */

void
view_flow_start_open(struct view_flow_start *s, const char *flow)
{
    static const char *const labels[] = {"name", "input"};
    static const char *const values[] = {NULL, NULL};
    char *title = xasprintf("Start %s", flow);

    free(s->flow);
    s->flow = xstrdup(flow);
    w_form_open(&s->form, title, 2, labels, values, "start",
                "empty name: a new UUID; empty input: {}");
    s->form.field = 1; /* most starts only change the input */
    free(title);
}

void
view_flow_start_free(struct view_flow_start *s)
{
    w_form_free(&s->form);
    free(s->flow);
    s->flow = NULL;
}

/* Returns: 1 when `s` is a valid execution name (docs/api.md) */
static int
view_flow_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > VIEW_FLOW_NAME_MAX)
        return 0;
    if (!isalpha((unsigned char)s[0]) && s[0] != '_')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return 0;
    return 1;
}

int
view_flow_start_key(struct view_flow_start *s, struct app *app, int ch,
                    void (*done)(int rc, json_t *body, void *arg), void *arg)
{
    const char *name, *input;
    json_t *in, *body;
    json_error_t jerr;

    if (w_form_key(&s->form, ch) != W_FORM_SUBMIT)
        return VIEW_REDRAW;
    name = w_form_text(&s->form, 0);
    input = w_form_text(&s->form, 1);
    if (*name && !view_flow_name_ok(name)) {
        s->form.field = 0;
        w_form_refuse(&s->form, "a name is letters, digits, _ and -, "
                                "from a letter or _");
        return VIEW_REDRAW;
    }
    in = json_loads(*input ? input : "{}", JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(in)) {
        s->form.field = 1;
        if (in == NULL)
            w_form_refuse(&s->form, "input: %s (column %d)", jerr.text,
                          jerr.column);
        else
            w_form_refuse(&s->form, "the input must be a JSON object");
        json_decref(in);
        return VIEW_REDRAW;
    }
    body = json_pack("{s:s, s:o}", "flow", s->flow, "input", in);
    if (*name)
        json_object_set_new(body, "name", json_string(name));
    app_request(app, "POST", "/v1/executions", body, done, arg);
    json_decref(body);
    app_flash(app, "starting %s...", s->flow);
    w_form_close(&s->form);
    return VIEW_REDRAW;
}

void
view_flow_start_done(struct app *app, int rc, json_t *body)
{
    const char *flow = view_flow_str(body, "flow");
    const char *name = view_flow_str(body, "name");
    char *arg;

    if (rc != 0) {
        app_flash(app, "start failed: %s", err_last());
        return;
    }
    if (flow == NULL || name == NULL) {
        app_flash(app, "the engine answered the start with no execution");
        return;
    }
    app_flash(app, "started %s/%s", flow, name);
    arg = xasprintf("%s/%s", flow, name);
    app_open(app, "exec", arg);
    free(arg);
}

void
view_flow_start_draw(struct view_flow_start *s, WINDOW *win, int utf8)
{
    w_form_draw(win, &s->form, 72, utf8);
}

/* ---- the engine ---- */

static void
view_flow_set_error(struct view_flow *v, int rc)
{
    free(v->error);
    v->error = rc ? xstrdup(err_last()) : NULL;
}

/* Returns: borrowed; the definition shown (newest or picked), or NULL */
static const json_t *
view_flow_shown(const struct view_flow *v)
{
    return v->want ? v->old : v->flow;
}

static void
view_flow_build(struct view_flow *v)
{
    const json_t *f = view_flow_shown(v);
    const char *def = view_flow_str(f, "definition");
    const char *version = view_flow_str(f, "version");
    const char *s, *nl;
    char *line;
    int n = 1;

    if (f == NULL || def == NULL || version == NULL)
        return;
    if (v->built && strcmp(v->built, version) == 0)
        return;
    free(v->built);
    v->built = xstrdup(version);
    w_pager_clear(&v->pager);
    for (s = def; *s; s = nl + 1) {
        nl = strchr(s, '\n');
        line = nl ? xasprintf("%4d  %.*s", n, (int)(nl - s), s)
                  : xasprintf("%4d  %s", n, s);
        w_pager_add(&v->pager, 1, A_NORMAL, line);
        free(line);
        n++;
        if (nl == NULL)
            break;
    }
}

static void
view_flow_on_flow(int rc, json_t *body, void *arg)
{
    struct view_flow *v = arg;

    v->flow_busy = 0;
    view_flow_set_error(v, rc);
    if (rc == 0 && json_is_object(body)) {
        json_decref(v->flow);
        v->flow = json_incref(body); /* kept until the next answer */
        view_flow_build(v);
    }
}

static void
view_flow_on_versions(int rc, json_t *body, void *arg)
{
    struct view_flow *v = arg;
    json_t *items = json_object_get(body, "items");

    v->versions_busy = 0;
    if (rc == 0 && json_is_array(items)) {
        json_decref(v->versions);
        v->versions = json_incref(items);
        w_table_set_rows(&v->table, json_array_size(items));
    }
}

static void
view_flow_on_old(int rc, json_t *body, void *arg)
{
    struct view_flow *v = arg;

    v->old_busy = 0;
    if (rc != 0) {
        app_flash(v->app, "cannot show that version: %s", err_last());
        free(v->want);
        v->want = NULL;
        view_flow_build(v);
        return;
    }
    json_decref(v->old);
    v->old = json_incref(body);
    view_flow_build(v);
}

static void
view_flow_tick(void *state)
{
    struct view_flow *v = state;
    char *path;

    if (!v->flow_busy) {
        v->flow_busy = 1;
        app_request(v->app, "GET", v->path, NULL, view_flow_on_flow, v);
    }
    if (!v->versions_busy) {
        v->versions_busy = 1;
        path = xasprintf("%s/versions", v->path);
        app_request(v->app, "GET", path, NULL, view_flow_on_versions, v);
        free(path);
    }
}

/* ---- life ---- */

static void *
view_flow_create(struct app *app, const char *arg)
{
    struct view_flow *v = xcalloc(1, sizeof(*v));
    char *esc;

    v->app = app;
    v->name = xstrdup(arg ? arg : "");
    esc = client_escape(v->name);
    v->path = xasprintf("/v1/flows/%s", esc);
    free(esc);
    return v;
}

static void
view_flow_free(void *state)
{
    struct view_flow *v = state;

    free(v->name);
    free(v->path);
    free(v->want);
    free(v->error);
    free(v->built);
    json_decref(v->flow);
    json_decref(v->versions);
    json_decref(v->old);
    w_pager_free(&v->pager);
    view_flow_start_free(&v->start);
    free(v);
}

static void
view_flow_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

/* ---- drawing ---- */

static const struct w_table_col view_flow_cols[] = {
    {"VERSION", 7, 0},
    {"TIME", 19, 0},
    {"MESSAGE", 0, 0},
};

static const char *
view_flow_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_flow *v = ctx;
    const json_t *ver = json_array_get(v->versions, row);
    const char *commit = view_flow_str(ver, "commit");

    switch (col) {
    case 0:
        snprintf(v->cell, sizeof(v->cell), "%.7s", commit ? commit : "");
        if (v->built && commit && strcmp(v->built, commit) == 0)
            *attr = theme_attr(THEME_KEY);
        return v->cell;
    case 1:
        view_execs_local_time(v->cell, sizeof(v->cell),
                              view_flow_str(ver, "time"));
        return v->cell;
    default:
        if (json_is_true(json_object_get(ver, "deleted")))
            *attr = theme_attr(THEME_DIM);
        return view_flow_str(ver, "message");
    }
}

/* ":flow order   version 3f2a9c1 · modified 2026-11-21 08:12:01 · 3
 * versions" and the description under it */
static void
view_flow_draw_header(struct view_flow *v, WINDOW *win)
{
    const char *dot = app_utf8(v->app) ? " \u00b7 " : ", ";
    const char *desc = view_flow_str(v->flow, "description");
    const char *version = view_flow_str(v->flow, "version");
    char text[300], when[48];
    int x;

    x = w_text_put(win, 0, 1, ":flow", theme_attr(THEME_TITLE));
    x = w_text_put(win, 0, x + 1, v->name, theme_attr(THEME_TITLE));
    if (v->flow == NULL)
        return;
    view_execs_local_time(when, sizeof(when),
                          view_flow_str(v->flow, "modified"));
    snprintf(text, sizeof(text), "version %.7s%smodified %s%s%zu version%s",
             version ? version : "?", dot, when, dot,
             json_array_size(v->versions),
             json_array_size(v->versions) == 1 ? "" : "s");
    w_text_put(win, 0, x + 3, text, A_NORMAL);
    w_text_put(win, 1, 1, desc && *desc ? desc : "no description",
               theme_attr(THEME_DIM));
}

static void
view_flow_draw(void *state, WINDOW *win)
{
    struct view_flow *v = state;
    const json_t *f = view_flow_shown(v);
    int h = getmaxy(win), utf8 = app_utf8(v->app);
    char text[200];

    werase(win);
    view_flow_draw_header(v, win);
    if (v->error)
        w_text_put(win, h - 1, 1, v->error, theme_attr(THEME_DOWN));
    if (v->flow == NULL) {
        if (v->error == NULL)
            w_text_put(win, 3, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    if (v->pane == VIEW_FLOW_VERSIONS) {
        w_text_put(win, 2, 1, "VERSIONS, newest first",
                   theme_attr(THEME_HEADING));
        w_table_draw(win, 3, h - (v->error ? 4 : 3), &v->table, view_flow_cols,
                     sizeof(view_flow_cols) / sizeof(view_flow_cols[0]),
                     view_flow_cell, NULL, v, utf8);
    } else {
        if (v->want && (f == NULL || v->old_busy))
            snprintf(text, sizeof(text),
                     "DEFINITION of version %.7s "
                     "(loading...)",
                     v->want);
        else if (v->want)
            snprintf(text, sizeof(text),
                     "DEFINITION of version %.7s, not "
                     "the newest (N shows the newest)",
                     view_flow_str(f, "version"));
        else
            snprintf(text, sizeof(text), "DEFINITION");
        w_text_put(win, 2, 1, text, theme_attr(THEME_HEADING));
        v->height = h - (v->error ? 4 : 3);
        w_pager_draw(win, 3, v->height, &v->pager);
    }
    view_flow_start_draw(&v->start, win, utf8);
}

/* ---- keys ---- */

static int
view_flow_scroll(struct view_flow *v, long delta)
{
    if (v->pane == VIEW_FLOW_VERSIONS)
        w_table_move(&v->table, delta);
    else
        w_pager_scroll(&v->pager, delta, v->height);
    return VIEW_REDRAW;
}

static int
view_flow_down(void *state)
{
    return view_flow_scroll(state, 1);
}

static int
view_flow_up(void *state)
{
    return view_flow_scroll(state, -1);
}

static int
view_flow_page_down(void *state)
{
    struct view_flow *v = state;

    return view_flow_scroll(v, v->height > 1 ? v->height - 1 : 1);
}

static int
view_flow_page_up(void *state)
{
    struct view_flow *v = state;

    return view_flow_scroll(v, v->height > 1 ? 1 - v->height : -1);
}

static int
view_flow_top(void *state)
{
    return view_flow_scroll(state, -100000);
}

static int
view_flow_bottom(void *state)
{
    return view_flow_scroll(state, 100000);
}

static int
view_flow_toggle(void *state)
{
    struct view_flow *v = state;

    v->pane = v->pane == VIEW_FLOW_VERSIONS ? VIEW_FLOW_DEFINITION
                                            : VIEW_FLOW_VERSIONS;
    return VIEW_REDRAW;
}

/* Enter in the versions: show that version's definition */
static int
view_flow_pick(void *state)
{
    struct view_flow *v = state;
    const json_t *ver = json_array_get(v->versions, v->table.sel);
    const char *commit = view_flow_str(ver, "commit");
    const char *newest = view_flow_str(v->flow, "version");
    char *path;

    if (v->pane != VIEW_FLOW_VERSIONS || commit == NULL)
        return VIEW_HANDLED;
    v->pane = VIEW_FLOW_DEFINITION;
    free(v->want);
    v->want = NULL;
    if (newest && strcmp(newest, commit) == 0) {
        view_flow_build(v);
        return VIEW_REDRAW;
    }
    if (json_is_true(json_object_get(ver, "deleted"))) {
        app_flash(v->app, "version %.7s deleted the flow", commit);
        view_flow_build(v);
        return VIEW_REDRAW;
    }
    v->want = xstrdup(commit);
    json_decref(v->old);
    v->old = NULL;
    v->old_busy = 1;
    path = xasprintf("%s?version=%s", v->path, commit);
    app_request(v->app, "GET", path, NULL, view_flow_on_old, v);
    free(path);
    return VIEW_REDRAW;
}

static int
view_flow_newest(void *state)
{
    struct view_flow *v = state;

    free(v->want);
    v->want = NULL;
    v->pane = VIEW_FLOW_DEFINITION;
    view_flow_build(v);
    return VIEW_REDRAW;
}

static int
view_flow_start(void *state)
{
    struct view_flow *v = state;

    if (v->flow == NULL)
        return VIEW_HANDLED;
    view_flow_start_open(&v->start, v->name);
    return VIEW_REDRAW;
}

static int
view_flow_execs(void *state)
{
    struct view_flow *v = state;

    app_open(v->app, "execs", v->name);
    return VIEW_REDRAW;
}

static void
view_flow_on_started(int rc, json_t *body, void *arg)
{
    struct view_flow *v = arg;

    view_flow_start_done(v->app, rc, body);
}

static int
view_flow_grab(void *state)
{
    return ((struct view_flow *)state)->start.form.open;
}

static int
view_flow_key(void *state, int ch)
{
    struct view_flow *v = state;

    if (!v->start.form.open)
        return 0;
    return view_flow_start_key(&v->start, v->app, ch, view_flow_on_started, v);
}

static const struct keybind view_flow_keys[] = {
    {'s', "start", view_flow_start, 0},
    {'e', "executions", view_flow_execs, 0},
    {'v', "versions", view_flow_toggle, 0},
    {'\r', "show version", view_flow_pick, 1},
    {'N', "newest", view_flow_newest, 1},
    {'j', "down", view_flow_down, 1},
    {'k', "up", view_flow_up, 1},
    {' ', "page down", view_flow_page_down, 1},
    {'b', "page up", view_flow_page_up, 1},
    {'g', "top", view_flow_top, 1},
    {'G', "bottom", view_flow_bottom, 1},
    {KEY_DOWN, "down", view_flow_down, 1},
    {KEY_UP, "up", view_flow_up, 1},
    {KEY_NPAGE, "page down", view_flow_page_down, 1},
    {KEY_PPAGE, "page up", view_flow_page_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_flow_ops = {
    .name = "flow",
    .create = view_flow_create,
    .free = view_flow_free,
    .draw = view_flow_draw,
    .key = view_flow_key,
    .update = view_flow_update,
    .tick = view_flow_tick,
    .grab = view_flow_grab,
    .keys = view_flow_keys,
};
