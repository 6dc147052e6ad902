/*
 * view_exec: every second, one request of each kind at a time, GET the
 * execution (status, current steps and their tokens), its graph (each
 * step's latest status), the waiting tasks of its flow (where a token
 * went) and the history events after the last one it has, so the
 * history grows without being read again. The graph is laid out again
 * at each draw, for the window's width and the engine clock's "now".
 *
 * The selection follows the step running now until the user moves it;
 * f follows again.
 */
#include "views/view_exec.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "text.h"
#include "theme.h"
#include "views/view_execs.h"
#include "views/view_tasks.h"
#include "widgets/w_dialog.h"
#include "widgets/w_graph.h"
#include "widgets/w_json.h"
#include "widgets/w_pager.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VIEW_EXEC_HISTORY_PAGE 1000
#define VIEW_EXEC_DETAIL_ROWS 5 /* the rule and four lines */

enum view_exec_mode { VIEW_EXEC_GRAPH, VIEW_EXEC_HISTORY, VIEW_EXEC_IO };

struct view_exec {
    struct app *app;
    char *flow; /* NULL until known when opened by name only */
    char *name;
    char *path;     /* "/v1/executions/<name, escaped>" */
    json_t *exec;   /* the execution, or NULL before the first answer */
    json_t *graph;  /* its graph, or NULL */
    json_t *events; /* the history read so far */
    json_int_t last_event;
    json_t *tasks; /* the waiting tasks of the flow, or NULL */
    int exec_busy, graph_busy, hist_busy, tasks_busy;
    char *error; /* the last failed GET's message, or NULL */

    enum view_exec_mode mode;
    struct w_graph g;
    json_t *steps; /* the graph's step nodes by id, as last built */
    int sel;       /* id of the selected step */
    char *sel_name;
    int follow; /* the selection follows the running step */
    int top, left, gh;
    char scroll[64]; /* "1-15 of 27" when the graph does not fit */
    int in_foreach;  /* building the steps of a foreach */
    struct w_table hist;
    struct w_pager io;
    int ioh;
    int confirm_stop;
    struct view_tasks_act act;
    struct view_execs_clock clock;
    char cell[400];
};

static const char *
view_exec_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int
view_exec_is(const char *s, const char *what)
{
    return s && what && strcmp(s, what) == 0;
}

/* Returns: 1 while a step of this status is under way */
static int
view_exec_live(const char *status)
{
    return view_exec_is(status, "running") || view_exec_is(status, "waiting") ||
           view_exec_is(status, "sleeping") || view_exec_is(status, "retrying");
}

/* "<path><suffix>?flow=<flow>" and more query with `more` ("&...") */
static char *
view_exec_url(const struct view_exec *v, const char *suffix, const char *more)
{
    char *flow = v->flow ? client_escape(v->flow) : NULL;
    char *url;

    if (flow)
        url = xasprintf("%s%s?flow=%s%s", v->path, suffix, flow,
                        more ? more : "");
    else
        url = xasprintf("%s%s%s%s", v->path, suffix, more ? "?" : "",
                        more ? more + 1 : "");
    free(flow);
    return url;
}

/* ---- the engine ---- */

static void
view_exec_set_error(struct view_exec *v, int rc)
{
    free(v->error);
    v->error = rc ? xstrdup(err_last()) : NULL;
}

static void view_exec_load_history(struct view_exec *v);

static void
view_exec_on_exec(int rc, json_t *body, void *arg)
{
    struct view_exec *v = arg;

    v->exec_busy = 0;
    view_exec_set_error(v, rc);
    if (rc != 0 || !json_is_object(body))
        return;
    json_decref(v->exec);
    v->exec = json_incref(body); /* kept until the next answer */
    if (v->flow == NULL && view_exec_str(body, "flow"))
        v->flow = xstrdup(view_exec_str(body, "flow"));
}

static void
view_exec_on_graph(int rc, json_t *body, void *arg)
{
    struct view_exec *v = arg;

    v->graph_busy = 0;
    if (rc != 0 || !json_is_array(json_object_get(body, "nodes")))
        return;
    json_decref(v->graph);
    v->graph = json_incref(body);
}

static void
view_exec_on_tasks(int rc, json_t *body, void *arg)
{
    struct view_exec *v = arg;

    v->tasks_busy = 0;
    if (rc != 0 || !json_is_array(json_object_get(body, "items")))
        return;
    json_decref(v->tasks);
    v->tasks = json_incref(json_object_get(body, "items"));
}

static void
view_exec_on_history(int rc, json_t *body, void *arg)
{
    struct view_exec *v = arg;
    json_t *items = json_object_get(body, "items"), *e;
    size_t i;

    v->hist_busy = 0;
    if (rc != 0 || !json_is_array(items))
        return;
    json_array_foreach(items, i, e)
    {
        json_int_t id = json_integer_value(json_object_get(e, "id"));

        if (id <= v->last_event)
            continue; /* asked twice: keep each event once */
        json_array_append(v->events, e);
        v->last_event = id;
    }
    w_table_set_rows(&v->hist, json_array_size(v->events));
    if (view_exec_str(body, "next"))
        view_exec_load_history(v); /* more at once */
}

static void
view_exec_load_history(struct view_exec *v)
{
    char more[64], *url;

    if (v->hist_busy)
        return;
    v->hist_busy = 1;
    snprintf(more, sizeof(more), "&limit=%d&cursor=%lld",
             VIEW_EXEC_HISTORY_PAGE, (long long)v->last_event);
    url = view_exec_url(v, "/history", more);
    app_request(v->app, "GET", url, NULL, view_exec_on_history, v);
    free(url);
}

static void
view_exec_tick(void *state)
{
    struct view_exec *v = state;
    char *url;

    if (!v->exec_busy) {
        v->exec_busy = 1;
        url = view_exec_url(v, "", NULL);
        app_request(v->app, "GET", url, NULL, view_exec_on_exec, v);
        free(url);
    }
    if (!v->graph_busy) {
        v->graph_busy = 1;
        url = view_exec_url(v, "/graph", NULL);
        app_request(v->app, "GET", url, NULL, view_exec_on_graph, v);
        free(url);
    }
    if (!v->tasks_busy && v->flow) {
        char *flow = client_escape(v->flow);

        v->tasks_busy = 1;
        url = xasprintf("/v1/tasks?status=waiting&limit=1000&flow=%s", flow);
        app_request(v->app, "GET", url, NULL, view_exec_on_tasks, v);
        free(url);
        free(flow);
    }
    view_exec_load_history(v);
}

static void
view_exec_update(void *state, json_t *data)
{
    struct view_exec *v = state;

    view_execs_clock_set(&v->clock, data);
}

/* ---- what the engine says of one step ---- */

/* Returns: borrowed; the waiting task of step `step` of this execution
 * (any step when NULL), from the tasks list, or NULL */
static const json_t *
view_exec_task(const struct view_exec *v, const char *step)
{
    size_t i;
    json_t *t;

    json_array_foreach(v->tasks, i, t)
    {
        if (view_exec_is(view_exec_str(t, "execution"), v->name) &&
            (step == NULL || view_exec_is(view_exec_str(t, "step"), step)))
            return t;
    }
    return NULL;
}

/* Returns: borrowed; the token the step `step` waits on, or NULL */
static const char *
view_exec_token(const struct view_exec *v, const char *step)
{
    const json_t *cur = json_object_get(v->exec, "current"), *c;
    size_t i;

    json_array_foreach(cur, i, c)
    {
        if (view_exec_is(view_exec_str(c, "step"), step) &&
            view_exec_str(c, "token"))
            return view_exec_str(c, "token");
    }
    return view_exec_str(view_exec_task(v, step), "token");
}

/* Returns: borrowed; the latest history detail of `step` holding `key`,
 * or NULL */
static const json_t *
view_exec_last(const struct view_exec *v, const char *step, const char *key)
{
    for (size_t i = json_array_size(v->events); i-- > 0;) {
        const json_t *e = json_array_get(v->events, i);
        const json_t *d = json_object_get(e, "detail");

        if (view_exec_is(view_exec_str(e, "step"), step) &&
            json_object_get(d, key))
            return d;
    }
    return NULL;
}

/* "queue jobs" of "acs:mns:::/queues/jobs/messages", into out */
static const char *
view_exec_resource(char *out, size_t n, const char *arn)
{
    const char *q = arn ? strstr(arn, "/queues/") : NULL;
    const char *end;

    if (q == NULL)
        return NULL;
    q += strlen("/queues/");
    end = strchr(q, '/');
    snprintf(out, n, "queue %.*s", end ? (int)(end - q) : (int)strlen(q), q);
    return out;
}

/* "queue jobs" of a task's target, short enough for a box's note */
static void
view_exec_where(char *out, size_t n, const json_t *target)
{
    static const char *const kinds[] = {"queue", "topic", "function", "flow"};

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (view_exec_str(target, kinds[i])) {
            snprintf(out, n, "%s %s", kinds[i],
                     view_exec_str(target, kinds[i]));
            return;
        }
    }
    snprintf(out, n, "a callback");
}

/* append " · part" (just "part" first) to out */
static void view_exec_part(char *out, size_t n, int utf8, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
view_exec_part(char *out, size_t n, int utf8, const char *fmt, ...)
{
    size_t len = strlen(out);
    va_list ap;

    if (len && len + 1 < n) {
        snprintf(out + len, n - len, "%s", utf8 ? " \u00b7 " : " - ");
        len = strlen(out);
    }
    va_start(ap, fmt);
    vsnprintf(out + len, n - len, fmt, ap);
    va_end(ap);
}

/* the note beside a step's box, "task → queue jobs · waiting 14m00s";
 * a frame's title has it without the type */
static void
view_exec_note(struct view_exec *v, const json_t *node, int with_type,
               char *out, size_t n)
{
    const char *type = view_exec_str(node, "type");
    const char *status = view_exec_str(node, "status");
    const char *name = view_exec_str(node, "name");
    const json_t *it = json_object_get(node, "iterations");
    json_int_t attempts = json_integer_value(json_object_get(node, "attempts"));
    int utf8 = app_utf8(v->app);
    const char *arrow = utf8 ? "\u2192" : "->";
    char dur[32], where[160];
    const json_t *d;

    out[0] = '\0';
    if (with_type && view_exec_is(status, "waiting") &&
        view_exec_task(v, name)) {
        view_exec_where(where, sizeof(where),
                        json_object_get(view_exec_task(v, name), "target"));
        view_exec_part(out, n, utf8, "%s %s %s", type, arrow, where);
    } else if (with_type && view_exec_is(type, "task") &&
               view_exec_resource(where, sizeof(where),
                                  view_exec_str(node, "resource"))) {
        view_exec_part(out, n, utf8, "%s %s %s", type, arrow, where);
    } else if (with_type) {
        view_exec_part(out, n, utf8, "%s", type ? type : "?");
    }
    if (json_integer_value(json_object_get(it, "started")) > 0) /* foreach */
        view_exec_part(
            out, n, utf8, "%lld/%lld done",
            (long long)json_integer_value(json_object_get(it, "done")),
            (long long)json_integer_value(json_object_get(it, "started")));
    /* attempts of a task; in a foreach they count its iterations too */
    if (attempts > 1 && view_exec_is(type, "task") && !v->in_foreach)
        view_exec_part(out, n, utf8, "%s %lld", utf8 ? "\u21bb" : "~",
                       (long long)attempts);
    timefmt_duration(dur, sizeof(dur),
                     json_integer_value(json_object_get(node, "duration_ms")));
    if (view_exec_is(status, "succeeded") &&
        json_object_get(node, "duration_ms")) {
        view_exec_part(out, n, utf8, "%s", dur);
    } else if (view_exec_live(status)) {
        view_exec_part(out, n, utf8, "%s %s", status, dur);
    } else if (view_exec_is(status, "failed") ||
               view_exec_is(status, "caught")) {
        d = view_exec_last(v, name, "error");
        view_exec_part(
            out, n, utf8, "%s%s%s", status, d ? ": " : "",
            d && view_exec_str(d, "error") ? view_exec_str(d, "error") : "");
    } else if (view_exec_is(status, "stopped")) {
        view_exec_part(out, n, utf8, "stopped");
    }
}

/* ---- the graph ---- */

static int
view_exec_dim(const char *status)
{
    return view_exec_is(status, "pending") || view_exec_is(status, "skipped");
}

static void view_exec_build_lane(struct view_exec *v, struct w_graph_lane *lane,
                                 const json_t *nodes, int *id);

static void
view_exec_build_node(struct view_exec *v, struct w_graph_lane *lane,
                     const json_t *node, int *id)
{
    const char *type = view_exec_str(node, "type");
    const char *status = view_exec_str(node, "status");
    const char *name = view_exec_str(node, "name");
    const json_t *branches = json_object_get(node, "branches");
    const json_t *choices = json_object_get(node, "choices");
    const json_t *dflt = json_object_get(node, "default");
    int utf8 = app_utf8(v->app), me, nested = 0;
    struct w_graph_node *g;
    char note[400], *title;
    size_t i;
    json_t *c;

    if (view_exec_is(type, "start")) {
        w_graph_add(lane, W_GRAPH_TERMINAL, NULL, 0, name, NULL, 0, -1);
        return;
    }
    if (view_exec_is(type, "end")) { /* how it ended, once it has */
        w_graph_add(lane, W_GRAPH_TERMINAL,
                    view_exec_is(status, "pending")
                        ? NULL
                        : view_execs_glyph(status, utf8),
                    view_execs_attr(status), name, NULL, 0, -1);
        return;
    }
    me = (*id)++;
    json_array_append(v->steps, (json_t *)node);
    if (!v->follow && view_exec_is(name, v->sel_name))
        v->sel = me;
    json_array_foreach(choices, i, c)
    {
        if (json_array_size(json_object_get(c, "steps")))
            nested = 1;
    }
    if (json_array_size(json_object_get(dflt, "steps")))
        nested = 1;
    if (json_is_array(branches) ||
        json_is_array(json_object_get(node, "steps")))
        nested = 1;
    view_exec_note(v, node, !nested, note, sizeof(note));
    if (!nested) {
        w_graph_add(lane, W_GRAPH_STEP, view_execs_glyph(status, utf8),
                    view_execs_attr(status), name, note, view_exec_dim(status),
                    me);
        return;
    }
    /* a frame: "parallel notify", its note in its title */
    title = xasprintf("%s %s", type ? type : "?", name ? name : "?");
    g = w_graph_add(lane, W_GRAPH_GROUP, view_execs_glyph(status, utf8),
                    view_execs_attr(status), title, note, view_exec_dim(status),
                    me);
    free(title);
    if (json_is_array(branches)) {
        json_array_foreach(branches, i, c)
        {
            view_exec_build_lane(v, w_graph_add_lane(g, NULL), c, id);
        }
    } else if (json_is_array(choices)) {
        json_array_foreach(choices, i, c)
        {
            view_exec_build_lane(
                v, w_graph_add_lane(g, view_exec_str(c, "condition")),
                json_object_get(c, "steps"), id);
        }
        if (dflt)
            view_exec_build_lane(v, w_graph_add_lane(g, "default"),
                                 json_object_get(dflt, "steps"), id);
    } else {
        v->in_foreach += view_exec_is(type, "foreach");
        view_exec_build_lane(v, w_graph_add_lane(g, NULL),
                             json_object_get(node, "steps"), id);
        v->in_foreach -= view_exec_is(type, "foreach");
    }
}

static void
view_exec_build_lane(struct view_exec *v, struct w_graph_lane *lane,
                     const json_t *nodes, int *id)
{
    size_t i;
    json_t *n;

    json_array_foreach(nodes, i, n)
    {
        view_exec_build_node(v, lane, n, id);
    }
}

/* the step to follow: the first waiting for a callback, else the
 * innermost under way, else the last one reached */
static int
view_exec_current(const struct view_exec *v)
{
    int live = -1, last = -1;

    for (size_t i = 0; i < json_array_size(v->steps); i++) {
        const char *st = view_exec_str(json_array_get(v->steps, i), "status");

        if (view_exec_is(st, "waiting"))
            return (int)i;
        if (view_exec_live(st))
            live = (int)i;
        if (st && !view_exec_dim(st))
            last = (int)i;
    }
    return live >= 0 ? live : last >= 0 ? last : 0;
}

/* build the graph again; keeps the selection on the same step */
static void
view_exec_build(struct view_exec *v)
{
    int id = 0;

    w_graph_clear(&v->g);
    json_array_clear(v->steps);
    view_exec_build_lane(v, w_graph_root(&v->g),
                         json_object_get(v->graph, "nodes"), &id);
    if (v->follow)
        v->sel = view_exec_current(v);
    if (v->sel >= id)
        v->sel = id ? id - 1 : 0;
    free(v->sel_name);
    v->sel_name =
        view_exec_str(json_array_get(v->steps, (size_t)v->sel), "name")
            ? xstrdup(view_exec_str(json_array_get(v->steps, (size_t)v->sel),
                                    "name"))
            : NULL;
}

/* ---- drawing ---- */

/* ":exec flow/name   ▶ Running   started 14:02:11   took 2.1s" */
static void
view_exec_draw_header(struct view_exec *v, WINDOW *win)
{
    const char *status = view_exec_str(v->exec, "status");
    const char *version = view_exec_str(v->exec, "version");
    const json_t *cur = json_object_get(v->exec, "current"), *c;
    int utf8 = app_utf8(v->app), x;
    char text[300], when[48], dur[32];
    int64_t a, b;
    size_t i;

    x = w_text_put(win, 0, 1, ":exec", theme_attr(THEME_TITLE));
    snprintf(text, sizeof(text), "%s/%s", v->flow ? v->flow : "?", v->name);
    x = w_text_put(win, 0, x + 1, text, theme_attr(THEME_TITLE));
    if (v->exec == NULL)
        return;
    json_array_foreach(cur, i, c)
    {
        if (view_exec_is(status, "Running") &&
            view_exec_is(view_exec_str(c, "state"), "waiting"))
            status = "Waiting";
    }
    snprintf(text, sizeof(text), "%s %s", view_execs_glyph(status, utf8),
             status ? status : "?");
    x = w_text_put(win, 0, x + 3, text, view_execs_attr(status));
    view_execs_local_time(when, sizeof(when),
                          view_exec_str(v->exec, "started"));
    if (view_execs_time(&a, view_exec_str(v->exec, "started")) == 0 &&
        view_execs_time(&b, view_exec_str(v->exec, "stopped")) == 0) {
        timefmt_duration(dur, sizeof(dur), b > a ? b - a : 0);
        snprintf(text, sizeof(text), "started %s   took %s   v %.7s",
                 strlen(when) > 11 ? when + 11 : when, dur,
                 version ? version : "?");
    } else {
        snprintf(text, sizeof(text), "started %s   v %.7s",
                 strlen(when) > 11 ? when + 11 : when, version ? version : "?");
    }
    w_text_put(win, 0, x + 3, text, A_NORMAL);
}

/* one "label  value" line of the detail, the value on one line */
static int
view_exec_detail_line(WINDOW *win, int y, const char *label, const json_t *val,
                      const char *text)
{
    char *dump = NULL;

    if (val && !json_is_string(val))
        dump = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
    w_text_put(win, y, 1, label, theme_attr(THEME_LABEL));
    w_text_put(win, y, 9,
               dump  ? dump
               : val ? json_string_value(val)
                     : text,
               A_NORMAL);
    free(dump);
    return y + 1;
}

/* the selected step, under the graph, in `rows` rows from y */
static void
view_exec_draw_detail(struct view_exec *v, WINDOW *win, int y, int rows)
{
    const json_t *node = json_array_get(v->steps, (size_t)v->sel);
    const char *name = view_exec_str(node, "name");
    const char *token = name ? view_exec_token(v, name) : NULL;
    const json_t *in, *out, *err;
    int utf8 = app_utf8(v->app), end = y + rows, x;
    char text[400], where[200];

    for (int i = 0; i < getmaxx(win); i++)
        mvwaddstr(win, y, i, utf8 ? "\u2500" : "-");
    if (node == NULL)
        return;
    snprintf(text, sizeof(text), " %s (%s) ", name ? name : "?",
             view_exec_str(node, "type") ? view_exec_str(node, "type") : "?");
    x = w_text_put(win, y, 2, text, theme_attr(THEME_HEADING));
    if (!v->follow)
        w_text_put(win, y, x + 1, " f follows the running step ",
                   theme_attr(THEME_DIM));
    if (v->scroll[0])
        w_text_put(win, y, getmaxx(win) - (int)text_width(v->scroll) - 2,
                   v->scroll, theme_attr(THEME_DIM));
    y++;
    in = view_exec_last(v, name, "input");
    out = view_exec_last(v, name, "output");
    err = view_exec_last(v, name, "error");
    if (y < end)
        y = view_exec_detail_line(
            win, y, "input", in ? json_object_get(in, "input") : NULL, "-");
    if (y < end && err && !out) {
        snprintf(text, sizeof(text), "%s%s%s", view_exec_str(err, "error"),
                 view_exec_str(err, "cause") ? ": " : "",
                 view_exec_str(err, "cause") ? view_exec_str(err, "cause")
                                             : "");
        y = view_exec_detail_line(win, y, "error", NULL, text);
    } else if (y < end) {
        y = view_exec_detail_line(
            win, y, "output", out ? json_object_get(out, "output") : NULL, "-");
    }
    if (y < end && token) {
        const json_t *t = view_exec_task(v, name);

        view_tasks_target(where, sizeof(where), json_object_get(t, "target"),
                          utf8);
        snprintf(text, sizeof(text), "%.12s%s %s %s", token,
                 utf8 ? "\u2026" : "...", utf8 ? "\u2192" : "->",
                 t ? where : "(waiting for a callback)");
        y = view_exec_detail_line(win, y, "token", NULL, text);
        w_text_put(win, y, 9, "S succeed  F fail  H heartbeat",
                   theme_attr(THEME_KEY));
    }
}

static const struct w_table_col view_exec_hist_cols[] = {
    {"ID", 4, 1},    {"TIME", 12, 0},  {"TYPE", 18, 0},
    {"STEP", 12, 0}, {"DETAIL", 0, 0},
};

static const char *
view_exec_hist_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_exec *v = ctx;
    const json_t *e = json_array_get(v->events, row);
    const char *type = view_exec_str(e, "type");
    const json_t *d = json_object_get(e, "detail");
    char *dump;
    int64_t t;
    time_t secs;
    struct tm tm;
    size_t len;

    switch (col) {
    case 0:
        snprintf(v->cell, sizeof(v->cell), "%lld",
                 (long long)json_integer_value(json_object_get(e, "id")));
        return v->cell;
    case 1:
        if (view_execs_time(&t, view_exec_str(e, "time")) != 0)
            return "-";
        secs = (time_t)(t / 1000);
        localtime_r(&secs, &tm);
        len = strftime(v->cell, sizeof(v->cell), "%H:%M:%S", &tm);
        snprintf(v->cell + len, sizeof(v->cell) - len, ".%03d",
                 (int)(t % 1000));
        return v->cell;
    case 2:
        if (type && (strstr(type, "Failed") || strstr(type, "TimedOut")))
            *attr = theme_attr(THEME_DOWN);
        else if (type && strstr(type, "Succeeded"))
            *attr = theme_attr(THEME_UP);
        return type;
    case 3:
        return view_exec_str(e, "step");
    default:
        if (json_object_size(d) == 0)
            return "";
        dump = json_dumps(d, JSON_COMPACT);
        snprintf(v->cell, sizeof(v->cell), "%s", dump ? dump : "");
        free(dump);
        return v->cell;
    }
}

static void
view_exec_build_io(struct view_exec *v)
{
    static const char *const keys[] = {"input", "output"};
    char *text, *pretty;

    w_pager_clear(&v->io);
    for (int i = 0; i < 2; i++) {
        const json_t *val = json_object_get(v->exec, keys[i]);

        w_pager_add(&v->io, 1, theme_attr(THEME_HEADING),
                    i ? "OUTPUT" : "INPUT");
        if (val == NULL) {
            w_pager_add(&v->io, 3, theme_attr(THEME_DIM),
                        i ? "none yet" : "none");
            continue;
        }
        text = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
        pretty = text ? w_json_pretty(text) : NULL;
        w_pager_add(&v->io, 3, A_NORMAL, pretty ? pretty : text ? text : "");
        free(pretty);
        free(text);
    }
    if (view_exec_str(v->exec, "error")) {
        w_pager_add(&v->io, 1, theme_attr(THEME_HEADING), "ERROR");
        w_pager_add(&v->io, 3, theme_attr(THEME_DOWN),
                    view_exec_str(v->exec, "error"));
        if (view_exec_str(v->exec, "cause"))
            w_pager_add(&v->io, 3, A_NORMAL, view_exec_str(v->exec, "cause"));
    }
}

static void
view_exec_draw_graph(struct view_exec *v, WINDOW *win, int y, int h)
{
    int y0, y1, w = getmaxx(win);

    view_exec_build(v);
    w_graph_render(&v->g, w - 2, v->sel, app_utf8(v->app));
    v->gh = h;
    if (v->sel == 0)
        v->top = 0; /* the first step: show Start above it too */
    else if (v->sel + 1 == (int)json_array_size(v->steps))
        v->top = v->g.height - h; /* the last: End under it too */
    else if (w_graph_rows(&v->g, v->sel, &y0, &y1) == 0) {
        if (y1 - y0 + 1 > h)
            y1 = y0 + h - 1;
        if (y1 >= v->top + h)
            v->top = y1 - h + 1;
        if (y0 < v->top)
            v->top = y0;
    }
    if (v->top > v->g.height - h)
        v->top = v->g.height - h;
    if (v->top < 0)
        v->top = 0;
    if (v->left > v->g.width - w)
        v->left = v->g.width - w;
    if (v->left < 0)
        v->left = 0;
    /* centred when it fits, else from its left edge, scrolled */
    w_graph_draw(win, y, v->g.width < w ? (w - v->g.width) / 2 : 0, h, &v->g,
                 v->top, v->left);
    v->scroll[0] = '\0';
    if (v->g.width > w || v->g.height > h)
        snprintf(v->scroll, sizeof(v->scroll), " %d-%d of %d%s ", v->top + 1,
                 v->top + h < v->g.height ? v->top + h : v->g.height,
                 v->g.height,
                 v->g.width <= w    ? ""
                 : app_utf8(v->app) ? "  \u2190\u2192"
                                    : "  left/right");
}

static void
view_exec_draw(void *state, WINDOW *win)
{
    struct view_exec *v = state;
    int h = getmaxy(win), utf8 = app_utf8(v->app), detail, y = 1;
    const char *err = view_exec_str(v->exec, "error");
    char text[400];

    werase(win);
    view_exec_draw_header(v, win);
    if (v->error) {
        w_text_put(win, y++, 1, v->error, theme_attr(THEME_DOWN));
    } else if (err) {
        snprintf(text, sizeof(text), "%s%s%s", err,
                 view_exec_str(v->exec, "cause") ? ": " : "",
                 view_exec_str(v->exec, "cause")
                     ? view_exec_str(v->exec, "cause")
                     : "");
        w_text_put(win, y++, 1, text, theme_attr(THEME_DOWN));
    }
    if (v->exec == NULL || v->graph == NULL) {
        if (v->error == NULL)
            w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    switch (v->mode) {
    case VIEW_EXEC_HISTORY:
        w_text_put(win, y, 1, "HISTORY", theme_attr(THEME_HEADING));
        snprintf(text, sizeof(text), "%zu events", json_array_size(v->events));
        w_text_put(win, y, 10, text, A_NORMAL);
        w_table_draw(win, y + 1, h - y - 1, &v->hist, view_exec_hist_cols,
                     sizeof(view_exec_hist_cols) /
                         sizeof(view_exec_hist_cols[0]),
                     view_exec_hist_cell, NULL, v, utf8);
        break;
    case VIEW_EXEC_IO:
        view_exec_build_io(v);
        v->ioh = h - y;
        w_pager_draw(win, y, v->ioh, &v->io);
        break;
    default:
        detail = h - y > 12 ? VIEW_EXEC_DETAIL_ROWS : 3;
        view_exec_draw_graph(v, win, y, h - y - detail);
        view_exec_draw_detail(v, win, h - detail, detail);
        break;
    }
    view_tasks_act_draw(&v->act, win, utf8);
    if (v->confirm_stop) {
        snprintf(text, sizeof(text), "stop %s/%s?", v->flow ? v->flow : "?",
                 v->name);
        w_dialog_confirm(win, "Stop the execution", text, utf8);
    }
}

/* ---- keys ---- */

static int
view_exec_move(struct view_exec *v, long delta)
{
    long n = (long)json_array_size(v->steps), sel;

    switch (v->mode) {
    case VIEW_EXEC_HISTORY:
        w_table_move(&v->hist, delta);
        break;
    case VIEW_EXEC_IO:
        w_pager_scroll(&v->io, delta, v->ioh);
        break;
    default:
        if (n == 0)
            break;
        sel = v->sel + delta;
        v->sel = (int)(sel < 0 ? 0 : sel >= n ? n - 1 : sel);
        v->follow = 0;
        free(v->sel_name);
        v->sel_name =
            view_exec_str(json_array_get(v->steps, (size_t)v->sel), "name")
                ? xstrdup(view_exec_str(
                      json_array_get(v->steps, (size_t)v->sel), "name"))
                : NULL;
        break;
    }
    return VIEW_REDRAW;
}

static int
view_exec_down(void *state)
{
    return view_exec_move(state, 1);
}

static int
view_exec_up(void *state)
{
    return view_exec_move(state, -1);
}

static int
view_exec_page(struct view_exec *v, int dir)
{
    int h = v->mode == VIEW_EXEC_IO ? v->ioh : v->gh;

    if (v->mode == VIEW_EXEC_GRAPH) {
        v->follow = 0;
        v->top += dir * (h > 1 ? h - 1 : 1);
        /* keep the selection where the user scrolled to */
        for (size_t i = 0; i < json_array_size(v->steps); i++) {
            int y0, y1;

            if (w_graph_rows(&v->g, (int)i, &y0, &y1) == 0 && y0 >= v->top) {
                v->sel = (int)i;
                break;
            }
        }
        return view_exec_move(v, 0);
    }
    return view_exec_move(v, dir * (h > 1 ? h - 1 : 1));
}

static int
view_exec_page_down(void *state)
{
    return view_exec_page(state, 1);
}

static int
view_exec_page_up(void *state)
{
    return view_exec_page(state, -1);
}

static int
view_exec_first(void *state)
{
    return view_exec_move(state, -100000);
}

static int
view_exec_last_key(void *state)
{
    return view_exec_move(state, 100000);
}

static int
view_exec_leftright(struct view_exec *v, int dx)
{
    v->left += dx;
    return VIEW_REDRAW;
}

static int
view_exec_left(void *state)
{
    return view_exec_leftright(state, -8);
}

static int
view_exec_right(void *state)
{
    return view_exec_leftright(state, 8);
}

static int
view_exec_follow(void *state)
{
    struct view_exec *v = state;

    v->follow = 1;
    v->mode = VIEW_EXEC_GRAPH;
    return VIEW_REDRAW;
}

static int
view_exec_history(void *state)
{
    struct view_exec *v = state;

    v->mode =
        v->mode == VIEW_EXEC_HISTORY ? VIEW_EXEC_GRAPH : VIEW_EXEC_HISTORY;
    if (v->mode == VIEW_EXEC_HISTORY && v->hist.rows)
        v->hist.sel = v->hist.rows - 1; /* the newest in view */
    return VIEW_REDRAW;
}

static int
view_exec_io(void *state)
{
    struct view_exec *v = state;

    v->mode = v->mode == VIEW_EXEC_IO ? VIEW_EXEC_GRAPH : VIEW_EXEC_IO;
    return VIEW_REDRAW;
}

/* Esc: from the history or input/output back to the graph, else back */
static int
view_exec_back(void *state)
{
    struct view_exec *v = state;

    if (v->mode != VIEW_EXEC_GRAPH) {
        v->mode = VIEW_EXEC_GRAPH;
        return VIEW_REDRAW;
    }
    return VIEW_BACK;
}

static void
view_exec_on_action(int rc, json_t *body, void *arg)
{
    struct view_exec *v = arg;

    (void)body;
    view_tasks_act_done(&v->act, v->app, rc);
    view_exec_tick(v);
}

/* the step a callback is for: the selected one if it waits, else the
 * only one waiting. Returns: borrowed token or NULL (with a flash). */
static const char *
view_exec_pick_token(struct view_exec *v, char **what)
{
    const char *sel =
        view_exec_str(json_array_get(v->steps, (size_t)v->sel), "name");
    const json_t *cur = json_object_get(v->exec, "current"), *c, *one = NULL;
    const char *token = sel ? view_exec_token(v, sel) : NULL;
    size_t i, n = 0;

    if (token) {
        *what = xasprintf("%s / %s", v->name, sel);
        return token;
    }
    json_array_foreach(cur, i, c)
    {
        if (view_exec_str(c, "token")) {
            one = c;
            n++;
        }
    }
    if (n == 1) {
        *what = xasprintf("%s / %s", v->name, view_exec_str(one, "step"));
        return view_exec_str(one, "token");
    }
    app_flash(v->app,
              n ? "select the step whose task to call back"
                : "no task of %s waits for a callback",
              v->name);
    return NULL;
}

/* y: the waiting step's token to the clipboard */
static int
view_exec_copy(void *state)
{
    struct view_exec *v = state;
    char *what = NULL;
    const char *token = view_exec_pick_token(v, &what);

    if (token)
        app_copy(v->app, "token", token);
    free(what);
    return VIEW_REDRAW;
}

static int
view_exec_call(struct view_exec *v, int which)
{
    char *what = NULL;
    const char *token = view_exec_pick_token(v, &what);

    if (token == NULL)
        return VIEW_REDRAW;
    view_tasks_act_call(&v->act, v->app, which, token, what,
                        view_exec_on_action, v);
    free(what);
    return VIEW_REDRAW;
}

static int
view_exec_succeed(void *state)
{
    return view_exec_call(state, 'S');
}

static int
view_exec_fail(void *state)
{
    return view_exec_call(state, 'F');
}

static int
view_exec_beat(void *state)
{
    return view_exec_call(state, 'H');
}

static int
view_exec_stop(void *state)
{
    struct view_exec *v = state;
    const char *status = view_exec_str(v->exec, "status");

    if (!view_exec_is(status, "Running") && !view_exec_is(status, "Starting")) {
        app_flash(v->app, "%s is %s: nothing to stop", v->name,
                  status ? status : "not loaded");
        return VIEW_REDRAW;
    }
    v->confirm_stop = 1;
    return VIEW_REDRAW;
}

static void
view_exec_post(struct view_exec *v, const char *verb)
{
    char *url = view_exec_url(v, verb, NULL);
    json_t *body = json_object();

    free(v->act.sent);
    v->act.sent = xasprintf("%s %s", verb + 1, v->name);
    app_request(v->app, "POST", url, body, view_exec_on_action, v);
    json_decref(body);
    free(url);
}

static int
view_exec_redrive(void *state)
{
    struct view_exec *v = state;
    const char *status = view_exec_str(v->exec, "status");

    if (!view_exec_is(status, "Failed") && !view_exec_is(status, "TimedOut")) {
        app_flash(v->app,
                  "only a Failed or TimedOut execution redrives; "
                  "%s is %s",
                  v->name, status ? status : "not loaded");
        return VIEW_REDRAW;
    }
    view_exec_post(v, "/redrive");
    v->follow = 1;
    return VIEW_REDRAW;
}

static int
view_exec_grab(void *state)
{
    struct view_exec *v = state;

    return v->act.form.open || v->confirm_stop;
}

static int
view_exec_key(void *state, int ch)
{
    struct view_exec *v = state;

    if (v->confirm_stop) {
        v->confirm_stop = 0;
        if (ch == 'y' || ch == 'Y')
            view_exec_post(v, "/stop");
        return VIEW_REDRAW;
    }
    if (v->act.form.open)
        return view_tasks_act_key(&v->act, v->app, ch, view_exec_on_action, v);
    return 0;
}

/* ---- life ---- */

static void *
view_exec_create(struct app *app, const char *arg)
{
    struct view_exec *v = xcalloc(1, sizeof(*v));
    const char *slash = arg ? strchr(arg, '/') : NULL;
    const char *at = arg ? strchr(arg, '@') : NULL;
    char *esc, *copy = NULL;

    v->app = app;
    v->follow = 1;
    if (at) { /* "flow/name@step": open with that step selected */
        v->sel_name = xstrdup(at + 1);
        v->follow = 0;
        copy = xstrndup(arg, (size_t)(at - arg));
        arg = copy;
        slash = strchr(arg, '/');
    }
    if (slash) {
        v->flow = xstrndup(arg, (size_t)(slash - arg));
        v->name = xstrdup(slash + 1);
    } else {
        v->name = xstrdup(arg ? arg : "");
    }
    esc = client_escape(v->name);
    v->path = xasprintf("/v1/executions/%s", esc);
    free(esc);
    v->events = json_array();
    v->steps = json_array();
    free(copy);
    return v;
}

static void
view_exec_free(void *state)
{
    struct view_exec *v = state;

    free(v->flow);
    free(v->name);
    free(v->path);
    json_decref(v->exec);
    json_decref(v->graph);
    json_decref(v->events);
    json_decref(v->tasks);
    json_decref(v->steps);
    free(v->error);
    free(v->sel_name);
    w_graph_free(&v->g);
    w_pager_free(&v->io);
    view_tasks_act_free(&v->act);
    free(v);
}

static const struct keybind view_exec_keys[] = {
    {'h', "history", view_exec_history, 0},
    {'i', "input/output", view_exec_io, 0},
    {'S', "succeed", view_exec_succeed, 1},
    {'F', "fail", view_exec_fail, 1},
    {'H', "heartbeat", view_exec_beat, 1},
    {'y', "copy token", view_exec_copy, 1},
    {'x', "stop", view_exec_stop, 0},
    {'R', "redrive", view_exec_redrive, 0},
    {'f', "follow", view_exec_follow, 1},
    {27, "back", view_exec_back, 1},
    {'j', "down", view_exec_down, 1},
    {'k', "up", view_exec_up, 1},
    {KEY_DOWN, "down", view_exec_down, 1},
    {KEY_UP, "up", view_exec_up, 1},
    {' ', "page down", view_exec_page_down, 1},
    {'b', "page up", view_exec_page_up, 1},
    {KEY_NPAGE, "page down", view_exec_page_down, 1},
    {KEY_PPAGE, "page up", view_exec_page_up, 1},
    {'g', "first", view_exec_first, 1},
    {'G', "last", view_exec_last_key, 1},
    {KEY_LEFT, "scroll left", view_exec_left, 1},
    {KEY_RIGHT, "scroll right", view_exec_right, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_exec_ops = {
    .name = "exec",
    .create = view_exec_create,
    .free = view_exec_free,
    .draw = view_exec_draw,
    .key = view_exec_key,
    .update = view_exec_update,
    .tick = view_exec_tick,
    .grab = view_exec_grab,
    .keys = view_exec_keys,
};
