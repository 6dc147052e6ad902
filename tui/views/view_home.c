/*
 * view_home: the home screen. Keeps the last /v1/info it was given and
 * draws the engine, its clock, what the flows are doing (executions by
 * status, tasks waiting for a callback), the queues and the counts per
 * resource kind. When the
 * engine stops answering it keeps showing what it last knew; the app's
 * banner says that it is stale.
 */
#include "views/view_home.h"

#include "app.h"
#include "common/jsonx.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "text.h"
#include "theme.h"
#include "views/view_execs.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_HOME_LABEL_X 3
#define VIEW_HOME_VALUE_X 15

struct view_home {
    struct app *app;
    json_t *info; /* one reference, or NULL before the first answer */
};

static void *
view_home_create(struct app *app, const char *arg)
{
    struct view_home *h = xcalloc(1, sizeof(struct view_home));

    (void)arg;
    h->app = app;
    return h;
}

static void
view_home_free(void *state)
{
    struct view_home *h = state;

    if (h == NULL)
        return;
    json_decref(h->info);
    free(h);
}

static void
view_home_update(void *state, json_t *data)
{
    struct view_home *h = state;

    json_decref(h->info);
    h->info = json_incref(data); /* kept until the next update */
}

static int
view_home_heading(WINDOW *win, int y, const char *title)
{
    w_text_put(win, y, 1, title, theme_attr(THEME_HEADING));
    return y + 1;
}

static int
view_home_row(WINDOW *win, int y, const char *label, const char *value)
{
    w_text_put(win, y, VIEW_HOME_LABEL_X, label, theme_attr(THEME_LABEL));
    w_text_put(win, y, VIEW_HOME_VALUE_X, value, A_NORMAL);
    return y + 1;
}

/* a row whose value is a field of `obj`, shown as text */
static int
view_home_field(WINDOW *win, int y, const char *label, const json_t *obj,
                const char *key)
{
    const json_t *v = json_object_get(obj, key);
    char *text;

    if (v == NULL)
        return y;
    if (json_is_string(v))
        text = xstrdup(json_string_value(v));
    else if (json_is_real(v)) /* 60, not 60.0 */
        text = xasprintf("%.15g", json_real_value(v));
    else
        text = jsonx_dump(v);
    y = view_home_row(win, y, label, text);
    free(text);
    return y;
}

/* "timers 0   journal 12   snapshots 1", wrapped to the window's width:
 * the engine adds kinds as it grows */
static void
view_home_counts(WINDOW *win, int y, const json_t *counts)
{
    int x = VIEW_HOME_LABEL_X, w;
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)counts, key, v)
    {
        char *text = jsonx_dump(v);

        w = (int)(text_width(key) + 1 + text_width(text));
        if (x > VIEW_HOME_LABEL_X && x + w >= getmaxx(win)) {
            y++;
            x = VIEW_HOME_LABEL_X;
        }
        x = w_text_put(win, y, x, key, theme_attr(THEME_LABEL));
        x = w_text_put(win, y, x + 1, text, A_NORMAL) + 3;
        free(text);
    }
}

/* "5 queues   ✉ 128   visible 120  in flight 3  delayed 5   DLQ 3" */
static int
view_home_queues(WINDOW *win, int y, const json_t *q, int utf8)
{
    char line[160];

#define VIEW_HOME_N(key)                                                       \
    ((long long)json_integer_value(json_object_get(q, key)))
    snprintf(line, sizeof(line),
             "%lld   %s %lld   visible %lld  in flight %lld  delayed %lld   "
             "DLQ %lld",
             VIEW_HOME_N("queues"), utf8 ? "\u2709" : "messages",
             VIEW_HOME_N("messages"), VIEW_HOME_N("visible"),
             VIEW_HOME_N("in_flight"), VIEW_HOME_N("delayed"),
             VIEW_HOME_N("dead_letter"));
#undef VIEW_HOME_N
    return view_home_row(win, y, "queues", line);
}

/* "▶ 3 running   ✔ 41 succeeded   ✖ 2 failed   1 stopped" */
static int
view_home_executions(WINDOW *win, int y, const json_t *x, int utf8)
{
    char line[200];
    size_t len;

#define VIEW_HOME_N(key)                                                       \
    ((long long)json_integer_value(json_object_get(x, key)))
    snprintf(line, sizeof(line), "%s %lld running   %s %lld succeeded   %s %lld "
             "failed",
             view_execs_glyph("running", utf8), VIEW_HOME_N("running"),
             view_execs_glyph("succeeded", utf8), VIEW_HOME_N("succeeded"),
             view_execs_glyph("failed", utf8), VIEW_HOME_N("failed"));
    len = strlen(line);
    if (VIEW_HOME_N("stopped") || VIEW_HOME_N("timed_out"))
        snprintf(line + len, sizeof(line) - len, "   %lld stopped, %lld timed "
                 "out", VIEW_HOME_N("stopped"), VIEW_HOME_N("timed_out"));
#undef VIEW_HOME_N
    return view_home_row(win, y, "executions", line);
}

/* "⏸ 2 waiting for a callback, the oldest for 14m00s", its age on the
 * engine clock of the same answer */
static int
view_home_tasks(WINDOW *win, int y, const json_t *x, const json_t *clock,
                int utf8)
{
    json_int_t n = json_integer_value(json_object_get(x, "waiting_tasks"));
    const char *oldest = json_string_value(json_object_get(x, "oldest_task"));
    char line[160], age[32];

    if (n == 0) {
        w_text_put(win, y, VIEW_HOME_LABEL_X, "tasks", theme_attr(THEME_LABEL));
        w_text_put(win, y, VIEW_HOME_VALUE_X, "none waiting for a callback",
                   theme_attr(THEME_DIM));
        return y + 1;
    }
    view_execs_age(age, sizeof(age),
                   json_integer_value(json_object_get(clock, "now_ms")),
                   oldest);
    snprintf(line, sizeof(line), "%s %lld waiting for a callback, the oldest "
             "for %s",
             view_execs_glyph("waiting", utf8), (long long)n, age);
    return view_home_row(win, y, "tasks", line);
}

/* "F flows  E executions  T tasks" beside the FLOWS heading: the footer
 * has no room for them all */
static void
view_home_keys_hint(WINDOW *win, int y)
{
    static const char *const hint[][2] = {
        {"F", "flows"}, {"E", "executions"}, {"T", "tasks"}};
    int x = VIEW_HOME_VALUE_X;

    for (size_t i = 0; i < sizeof(hint) / sizeof(hint[0]); i++) {
        x = w_text_put(win, y, x, hint[i][0], theme_attr(THEME_KEY));
        x = w_text_put(win, y, x + 1, hint[i][1], theme_attr(THEME_DIM)) + 2;
    }
}

static int
view_home_open_queues(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "queues", NULL);
    return VIEW_REDRAW;
}

static int
view_home_open_logs(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "logs", NULL);
    return VIEW_REDRAW;
}

static int
view_home_open_clock(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "clock", NULL);
    return VIEW_REDRAW;
}

static int
view_home_open_flows(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "flows", NULL);
    return VIEW_REDRAW;
}

static int
view_home_open_execs(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "execs", NULL);
    return VIEW_REDRAW;
}

static int
view_home_open_tasks(void *state)
{
    struct view_home *h = state;

    app_open(h->app, "tasks", NULL);
    return VIEW_REDRAW;
}

/* Esc on home: nothing is below it (bound here so the footer has room
 * for the screens) */
static int
view_home_stay(void *state)
{
    (void)state;
    return VIEW_HANDLED;
}

static const struct keybind view_home_keys[] = {
    {'F', "flows", view_home_open_flows, 1},
    {'E', "executions", view_home_open_execs, 1},
    {'T', "tasks", view_home_open_tasks, 0},
    {'Q', "queues", view_home_open_queues, 0},
    {'L', "logs", view_home_open_logs, 0},
    {'C', "clock", view_home_open_clock, 0},
    {27, "nothing: home is the first screen", view_home_stay, 1},
    {0, NULL, NULL, 0},
};

static void
view_home_draw(void *state, WINDOW *win)
{
    struct view_home *h = state;
    const json_t *clock, *counts, *execs;
    char dur[32], line[96];
    int y = 0, gaps;

    werase(win);
    if (h->info == NULL) {
        w_text_put(win, 1, 1, "waiting for the engine to answer...",
                   theme_attr(THEME_DIM));
        return;
    }
    /* a blank line between sections while there is room for it */
    gaps = getmaxy(win) - (7 + 5 + 3 + 2 + 2);
    y = view_home_heading(win, y, "ENGINE");
    y = view_home_field(win, y, "version", h->info, "version");
    y = view_home_field(win, y, "pid", h->info, "pid");
    timefmt_duration(dur, sizeof(dur),
                     json_integer_value(json_object_get(h->info, "uptime_ms")));
    snprintf(line, sizeof(line), "%s (since %s)", dur,
             json_string_value(json_object_get(h->info, "started"))
                 ? json_string_value(json_object_get(h->info, "started"))
                 : "?");
    y = view_home_row(win, y, "uptime", line);
    y = view_home_field(win, y, "listen", h->info, "listen");
    y = view_home_field(win, y, "data dir", h->info, "data_dir");
    y = view_home_row(win, y, "auth",
                      json_is_true(json_object_get(h->info, "auth"))
                          ? "token required"
                          : "none");
    y += gaps-- > 0;
    clock = json_object_get(h->info, "clock");
    y = view_home_heading(win, y, "CLOCK");
    y = view_home_field(win, y, "mode", clock, "mode");
    y = view_home_field(win, y, "scale", clock, "scale");
    y = view_home_field(win, y, "now", clock, "now");
    timefmt_duration(dur, sizeof(dur),
                     json_integer_value(json_object_get(clock, "offset_ms")));
    y = view_home_row(win, y, "offset", dur);
    y += gaps-- > 0;
    execs = json_object_get(h->info, "executions");
    if (execs) {
        view_home_keys_hint(win, y);
        y = view_home_heading(win, y, "FLOWS");
        y = view_home_executions(win, y, execs, app_utf8(h->app));
        y = view_home_tasks(win, y, execs, clock, app_utf8(h->app));
        y += gaps-- > 0;
    }
    y = view_home_heading(win, y, "QUEUES");
    y = view_home_queues(win, y, json_object_get(h->info, "queues"),
                         app_utf8(h->app));
    y += gaps-- > 0;
    counts = json_object_get(h->info, "counts");
    y = view_home_heading(win, y, "COUNTS");
    view_home_counts(win, y, counts);
}

const struct view_ops view_home_ops = {
    .name = "home",
    .create = view_home_create,
    .free = view_home_free,
    .draw = view_home_draw,
    .key = NULL,
    .update = view_home_update,
    .keys = view_home_keys,
};
