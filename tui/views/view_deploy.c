/*
 * view_deploy: a deploy is one POST /v1/stacks; its answer holds the
 * stack and the state changes of this deploy ("events"), which become
 * one row per resource, in the order the engine reached them, with the
 * states it went through. Opened by name (":deploy STACK", or ']' after
 * going back) it deploys nothing: it reads the stack and its events and
 * shows the last deploy. The samples come from GET /v1/stacks/{name}
 * once the stack is known: named with the values it was deployed with.
 *
 * view_deploy_open() hands the request to the view it opens through
 * view_deploy_pending: the app creates that view at once, on the one
 * thread, so the request cannot reach another view.
 */
#include "views/view_deploy.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_flow.h"
#include "views/view_template.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_DEPLOY_PAGE 1000

static json_t *view_deploy_pending; /* for the next view_deploy_create() */

struct view_deploy {
    struct app *app;
    char *stack;        /* its name */
    json_t *req;        /* the deploy to send, or NULL: show the last one */
    int posting;        /* the POST is in flight */
    json_t *result;     /* the stack as the deploy or GET answered, or NULL */
    json_t *events;     /* this deploy's state changes; NULL until known */
    json_t *history;    /* events read so far when opened by name */
    int64_t cursor;     /* of the next page of history */
    int reading;        /* a GET of the stack or its events is in flight */
    char *refused;      /* the engine's message when the deploy failed */
    char *error;        /* a failed read, or NULL */
    json_t *rows;       /* [{"type", "name", "status", "trail"}] */
    char *stack_status; /* of the stack's own event, or NULL */
    json_t *tmpl;       /* the template, for its samples, or NULL */
    int tmpl_busy;
    int starting; /* a sample's execution is being started */
    struct w_table samples;
    char cell[200];
};

static const char *
view_deploy_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

const char *
view_deploy_status(char *out, size_t n, const char *status, int utf8,
                   attr_t *attr)
{
    static const struct {
        const char *status, *glyph, *ascii;
        enum theme_colour colour;
    } table[] = {
        {"creating", "\u25b6", ">", THEME_KEY},
        {"updating", "\u25b6", ">", THEME_KEY},
        {"deleting", "\u25b6", ">", THEME_KEY},
        {"ready", "\u2714", "+", THEME_UP},
        {"updated", "\u2714", "+", THEME_UP},
        {"unchanged", "\u00b7", ".", THEME_DIM},
        {"deleted", "-", "-", THEME_DIM},
        {"failed", "\u2716", "x", THEME_DOWN},
        {"missing", "\u2716", "x", THEME_DOWN},
    };
    const char *glyph = "?";

    status = status ? status : "unknown";
    *attr = A_NORMAL;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(table[i].status, status) == 0) {
            glyph = utf8 ? table[i].glyph : table[i].ascii;
            *attr = theme_attr(table[i].colour);
            break;
        }
    }
    snprintf(out, n, "%s %c%s", glyph, toupper((unsigned char)status[0]),
             status[0] ? status + 1 : "");
    return out;
}

/* ---- rows from events ---- */

static json_t *
view_deploy_row(json_t *rows, const char *type, const char *name)
{
    size_t i;
    json_t *r;

    json_array_foreach(rows, i, r)
    {
        if (strcmp(view_deploy_str(r, "type"), type) == 0 &&
            strcmp(view_deploy_str(r, "name"), name) == 0)
            return r;
    }
    r = json_pack("{s:s, s:s, s:s, s:s}", "type", type, "name", name, "status",
                  "", "trail", "");
    json_array_append_new(rows, r);
    return r;
}

static void
view_deploy_build(struct view_deploy *v)
{
    const char *arrow = app_utf8(v->app) ? " \u2192 " : " -> ";
    size_t i;
    const json_t *e;

    json_decref(v->rows);
    v->rows = json_array();
    free(v->stack_status);
    v->stack_status = NULL;
    json_array_foreach(v->events, i, e)
    {
        const char *type = view_deploy_str(e, "type");
        const char *name = view_deploy_str(e, "name");
        const char *status = view_deploy_str(e, "status");
        const char *reason = view_deploy_str(e, "reason");
        const char *trail;
        json_t *r;
        char *t;

        if (type == NULL || name == NULL || status == NULL)
            continue;
        if (strcmp(type, "stack") == 0) {
            free(v->stack_status);
            v->stack_status = xstrdup(status);
            continue;
        }
        r = view_deploy_row(v->rows, type, name);
        trail = view_deploy_str(r, "trail");
        t = xasprintf("%s%s%c%s%s%s", trail, *trail ? arrow : "",
                      toupper((unsigned char)status[0]), status + 1,
                      reason ? ": " : "", reason ? reason : "");
        json_object_set_new(r, "trail", json_string(t));
        json_object_set_new(r, "status", json_string(status));
        free(t);
    }
}

/* ---- the template's samples ---- */

static void
view_deploy_on_tmpl(int rc, json_t *body, void *arg)
{
    struct view_deploy *v = arg;

    v->tmpl_busy = 0;
    if (rc != 0) {
        app_flash(v->app, "no samples: %s", err_last());
        return;
    }
    json_decref(v->tmpl);
    v->tmpl = json_incref(body);
    w_table_set_rows(&v->samples,
                     json_array_size(json_object_get(body, "samples")));
}

static void
view_deploy_get_tmpl(struct view_deploy *v)
{
    char *ref, *esc, *path;

    ref = view_template_ref(view_deploy_str(v->result, "template"),
                            view_deploy_str(v->result, "source"));
    if (ref == NULL || v->tmpl || v->tmpl_busy) {
        free(ref);
        return;
    }
    /* the stack's samples: named with the values it was deployed with */
    esc = client_escape(view_deploy_str(v->result, "name"));
    path = xasprintf("/v1/stacks/%s", esc);
    v->tmpl_busy = 1;
    app_request(v->app, "GET", path, NULL, view_deploy_on_tmpl, v);
    free(path);
    free(esc);
    free(ref);
}

/* ---- deploying ---- */

static void
view_deploy_on_posted(int rc, json_t *body, void *arg)
{
    struct view_deploy *v = arg;

    v->posting = 0;
    if (rc != 0) {
        v->refused = xstrdup(err_last());
        return;
    }
    json_decref(v->result);
    v->result = json_incref(body);
    json_decref(v->events);
    v->events = json_incref(json_object_get(body, "events"));
    view_deploy_build(v);
    view_deploy_get_tmpl(v);
}

/* ---- the last deploy, read back ---- */

static void view_deploy_read(struct view_deploy *v);

static void
view_deploy_on_stack(int rc, json_t *body, void *arg)
{
    struct view_deploy *v = arg;

    if (rc != 0) {
        free(v->error);
        v->error = xstrdup(err_last());
        return;
    }
    json_decref(v->result);
    v->result = json_incref(body);
    view_deploy_read(v);
}

/* every event, page by page; then those of the highest deploy */
static void
view_deploy_on_events(int rc, json_t *body, void *arg)
{
    struct view_deploy *v = arg;
    const char *next = view_deploy_str(body, "next");
    json_int_t last = 0;
    size_t i;
    json_t *e;

    if (rc != 0) {
        free(v->error);
        v->error = xstrdup(err_last());
        return;
    }
    json_array_extend(v->history, json_object_get(body, "items"));
    if (next) {
        v->cursor = strtoll(next, NULL, 10);
        view_deploy_read(v);
        return;
    }
    json_array_foreach(v->history, i, e)
    {
        json_int_t d = json_integer_value(json_object_get(e, "deploy"));

        if (d > last)
            last = d;
    }
    v->events = json_array();
    json_array_foreach(v->history, i, e)
    {
        if (json_integer_value(json_object_get(e, "deploy")) == last)
            json_array_append(v->events, e);
    }
    view_deploy_build(v);
    view_deploy_get_tmpl(v);
}

static void
view_deploy_read(struct view_deploy *v)
{
    char *esc = client_escape(v->stack), *path;

    if (v->result == NULL) {
        path = xasprintf("/v1/stacks/%s", esc);
        app_request(v->app, "GET", path, NULL, view_deploy_on_stack, v);
    } else {
        path = xasprintf("/v1/stacks/%s/events?limit=%d&cursor=%lld", esc,
                         VIEW_DEPLOY_PAGE, (long long)v->cursor);
        app_request(v->app, "GET", path, NULL, view_deploy_on_events, v);
    }
    free(path);
    free(esc);
}

static void
view_deploy_tick(void *state)
{
    struct view_deploy *v = state;

    if (v->req) { /* once */
        v->posting = 1;
        app_request(v->app, "POST", "/v1/stacks", v->req, view_deploy_on_posted,
                    v);
        json_decref(v->req);
        v->req = NULL;
    } else if (!v->reading && !v->posting && v->events == NULL &&
               v->refused == NULL) {
        v->reading = 1; /* once: a deploy that has happened stays so */
        v->history = json_array();
        view_deploy_read(v);
    }
}

/* ---- life ---- */

int
view_deploy_open(struct app *app, const json_t *req)
{
    const char *stack = view_deploy_str(req, "stack");
    const char *tmpl = view_deploy_str(req, "template");
    const char *slash;
    char *name;
    int rc;

    if (stack == NULL && tmpl) { /* the engine's default: the name */
        slash = strrchr(tmpl, '/');
        stack = slash ? slash + 1 : tmpl;
    }
    name = xstrdup(stack ? stack : "");
    json_decref(view_deploy_pending);
    view_deploy_pending = json_deep_copy(req);
    rc = app_open(app, "deploy", name);
    json_decref(view_deploy_pending); /* not taken: no screen opened */
    view_deploy_pending = NULL;
    free(name);
    return rc;
}

static void *
view_deploy_create(struct app *app, const char *arg)
{
    struct view_deploy *v = xcalloc(1, sizeof(*v));

    v->app = app;
    v->stack = xstrdup(arg ? arg : "");
    v->req = view_deploy_pending; /* taken, or NULL: opened by name */
    view_deploy_pending = NULL;
    return v;
}

static void
view_deploy_free(void *state)
{
    struct view_deploy *v = state;

    free(v->stack);
    json_decref(v->req);
    json_decref(v->result);
    json_decref(v->events);
    json_decref(v->history);
    free(v->refused);
    free(v->error);
    json_decref(v->rows);
    free(v->stack_status);
    json_decref(v->tmpl);
    free(v);
}

static void
view_deploy_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

/* ---- drawing ---- */

/* `text` in lines of at most `w` columns from row y, cut at spaces.
 * Returns: the row after it */
static int
view_deploy_wrap(WINDOW *win, int y, int x, int w, const char *text,
                 attr_t attr)
{
    const char *s = text;
    int h = getmaxy(win);

    while (*s && y < h) {
        size_t n = strlen(s), cut = n;
        char *line;

        if (w > 8 && n > (size_t)w) {
            cut = (size_t)w;
            while (cut > (size_t)w / 2 && s[cut] != ' ')
                cut--;
            if (s[cut] != ' ')
                cut = (size_t)w;
        }
        line = xstrndup(s, cut);
        w_text_put(win, y++, x, line, attr);
        free(line);
        s += cut;
        while (*s == ' ')
            s++;
    }
    return y;
}

static const struct w_table_col view_deploy_cols[] = {
    {"SAMPLE", 16, 0},
    {"FLOW", 20, 0},
    {"DESCRIPTION", 0, 0},
};

static const char *
view_deploy_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_deploy *v = ctx;
    const json_t *s = json_array_get(json_object_get(v->tmpl, "samples"), row);

    switch (col) {
    case 0:
        return view_deploy_str(s, "name");
    case 1:
        return view_deploy_str(s, "flow");
    default:
        *attr = theme_attr(THEME_DIM);
        return view_deploy_str(s, "description");
    }
}

static int
view_deploy_draw_rows(struct view_deploy *v, WINDOW *win, int y)
{
    int utf8 = app_utf8(v->app), h = getmaxy(win);
    size_t i;
    const json_t *r;
    char word[48];
    attr_t attr;

    w_text_put(win, y++, 1, "RESOURCES", theme_attr(THEME_HEADING));
    if (json_array_size(v->rows) == 0)
        w_text_put(win, y++, 3, "none", theme_attr(THEME_DIM));
    json_array_foreach(v->rows, i, r)
    {
        if (y >= h - 1)
            break;
        view_deploy_status(word, sizeof(word), view_deploy_str(r, "status"),
                           utf8, &attr);
        w_text_put(win, y, 3, word, attr);
        w_text_put(win, y, 16, view_deploy_str(r, "type"), A_NORMAL);
        w_text_put(win, y, 30, view_deploy_str(r, "name"), A_NORMAL);
        snprintf(v->cell, sizeof(v->cell), "%s", view_deploy_str(r, "trail"));
        w_text_put(win, y, 52, v->cell, theme_attr(THEME_DIM));
        y++;
    }
    return y;
}

static void
view_deploy_draw(void *state, WINDOW *win)
{
    struct view_deploy *v = state;
    const char *dot = app_utf8(v->app) ? " \u00b7 " : ", ";
    int h = getmaxy(win), w = getmaxx(win), x, y;
    char text[300], word[48];
    attr_t attr;

    werase(win);
    x = w_text_put(win, 0, 1, ":deploy", theme_attr(THEME_TITLE));
    x = w_text_put(win, 0, x + 1, v->stack, theme_attr(THEME_TITLE));
    if (v->refused) {
        w_text_put(win, 2, 1,
                   "The engine refused the deploy:", theme_attr(THEME_HEADING));
        view_deploy_wrap(win, 3, 3, w - 4, v->refused, theme_attr(THEME_DOWN));
        return;
    }
    if (v->events == NULL) {
        w_text_put(win, 2, 1,
                   v->error     ? v->error
                   : v->posting ? "deploying..."
                                : "loading...",
                   theme_attr(v->error ? THEME_DOWN : THEME_DIM));
        return;
    }
    snprintf(text, sizeof(text), "template %s%sdeploy %lld",
             view_deploy_str(v->result, "template")
                 ? view_deploy_str(v->result, "template")
                 : "?",
             dot,
             (long long)json_integer_value(
                 json_object_get(json_array_get(v->events, 0), "deploy")));
    x = w_text_put(win, 0, x + 3, text, A_NORMAL);
    if (v->stack_status) {
        view_deploy_status(word, sizeof(word), v->stack_status,
                           app_utf8(v->app), &attr);
        w_text_put(win, 0, x + 3, word, attr);
    }
    y = view_deploy_draw_rows(v, win, 2) + 1;
    if (y >= h - 2)
        return;
    if (v->tmpl == NULL) {
        w_text_put(win, y, 1, v->tmpl_busy ? "SAMPLES loading..." : "",
                   theme_attr(THEME_DIM));
        return;
    }
    if (v->samples.rows == 0) {
        w_text_put(win, y, 1, "the template has no samples",
                   theme_attr(THEME_DIM));
        return;
    }
    w_table_draw(win, y, h - y, &v->samples, view_deploy_cols,
                 sizeof(view_deploy_cols) / sizeof(view_deploy_cols[0]),
                 view_deploy_cell, NULL, v, app_utf8(v->app));
}

/* ---- keys ---- */

static void
view_deploy_on_started(int rc, json_t *body, void *arg)
{
    struct view_deploy *v = arg;

    v->starting = 0;
    view_flow_start_done(v->app, rc, body);
}

/* s or Enter: the selected sample's flow with its input */
static int
view_deploy_start(void *state)
{
    struct view_deploy *v = state;
    const json_t *s =
        json_array_get(json_object_get(v->tmpl, "samples"), v->samples.sel);
    const char *flow = view_deploy_str(s, "flow");
    json_t *input = json_object_get(s, "input"), *body;

    if (s == NULL || v->events == NULL) {
        app_flash(v->app, "no sample to start");
        return VIEW_REDRAW;
    }
    if (flow == NULL) {
        app_flash(v->app, "sample %s names no flow",
                  view_deploy_str(s, "name"));
        return VIEW_REDRAW;
    }
    if (v->starting)
        return VIEW_HANDLED;
    v->starting = 1;
    /* "o" steals: a reference of our own either way */
    body = json_pack("{s:s, s:o}", "flow", flow, "input",
                     input ? json_incref(input) : json_object());
    app_request(v->app, "POST", "/v1/executions", body, view_deploy_on_started,
                v);
    json_decref(body);
    app_flash(v->app, "starting %s with sample %s...", flow,
              view_deploy_str(s, "name"));
    return VIEW_REDRAW;
}

static int
view_deploy_down(void *state)
{
    w_table_move(&((struct view_deploy *)state)->samples, 1);
    return VIEW_REDRAW;
}

static int
view_deploy_up(void *state)
{
    w_table_move(&((struct view_deploy *)state)->samples, -1);
    return VIEW_REDRAW;
}

static int
view_deploy_stack(void *state)
{
    struct view_deploy *v = state;

    if (v->events == NULL) {
        app_flash(v->app, "no stack deployed");
        return VIEW_REDRAW;
    }
    app_open(v->app, "stack", v->stack);
    return VIEW_REDRAW;
}

static const struct keybind view_deploy_keys[] = {
    {'s', "start sample", view_deploy_start, 0},
    {'\r', "start sample", view_deploy_start, 1},
    {'o', "open stack", view_deploy_stack, 0},
    {'j', "down", view_deploy_down, 1},
    {'k', "up", view_deploy_up, 1},
    {KEY_DOWN, "down", view_deploy_down, 1},
    {KEY_UP, "up", view_deploy_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_deploy_ops = {
    .name = "deploy",
    .create = view_deploy_create,
    .free = view_deploy_free,
    .draw = view_deploy_draw,
    .update = view_deploy_update,
    .tick = view_deploy_tick,
    .keys = view_deploy_keys,
};
