/*
 * view_clock: the engine clock. GET /v1/clock every second (one at a
 * time) for its mode, scale, "now" and offset from real time; the keys
 * POST /v1/clock and show the clock the engine answers with. A prompt
 * (scale, advance) checks what is typed before anything is sent and
 * refuses bad input in place. Each action bumps `gen`, so a GET that
 * was on its way before it cannot show the old clock again.
 */
#include "views/view_clock.h"

#include "app.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "theme.h"
#include "widgets/w_dialog.h"
#include "widgets/w_input.h"
#include "widgets/w_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_CLOCK_LABEL_X 3
#define VIEW_CLOCK_VALUE_X 16

enum view_clock_prompt {
    VIEW_CLOCK_NONE,
    VIEW_CLOCK_SCALE,  /* asking for a scale */
    VIEW_CLOCK_ADVANCE /* asking for a duration */
};

struct view_clock {
    struct app *app;
    json_t *clock;     /* the last clock the engine sent, or NULL */
    char *error;       /* the last failed GET's message, or NULL */
    int busy;          /* a GET is running */
    unsigned gen;      /* bumped by every action */
    unsigned sent_gen; /* `gen` when the running GET was sent */
    int acting;        /* a POST is running */
    char *result;      /* what the last action did, or NULL */
    enum view_clock_prompt prompt;
    struct w_input in;
    char *refused; /* why the typed value was refused, or NULL */
};

/* ---- the engine ---- */

static void
view_clock_on_get(int rc, json_t *body, void *arg)
{
    struct view_clock *v = arg;

    v->busy = 0;
    if (v->sent_gen != v->gen)
        return; /* sent before an action: stale */
    free(v->error);
    v->error = NULL;
    if (rc != 0 || !json_is_object(body)) {
        v->error = xstrdup(rc ? err_last() : "the engine sent no clock");
        return;
    }
    json_decref(v->clock);
    v->clock = json_incref(body); /* kept until the next answer */
}

static void
view_clock_tick(void *state)
{
    struct view_clock *v = state;

    if (v->busy || v->acting)
        return;
    v->busy = 1;
    v->sent_gen = v->gen;
    app_request(v->app, "GET", "/v1/clock", NULL, view_clock_on_get, v);
}

static int
view_clock_paused(const struct view_clock *v)
{
    return json_is_true(json_object_get(v->clock, "paused"));
}

/* "60", "0.5" */
static void
view_clock_scale_text(char *out, size_t n, const json_t *clock)
{
    const json_t *s = json_object_get(clock, "scale");

    if (json_is_number(s))
        snprintf(out, n, "%.15g", json_number_value(s));
    else
        snprintf(out, n, "?");
}

/* keep the clock an action answered with; say what it did */
static void
view_clock_took(struct view_clock *v, json_t *body, const char *what)
{
    char scale[32];
    const char *now = json_string_value(json_object_get(body, "now"));
    const char *mode = json_string_value(json_object_get(body, "mode"));

    json_decref(v->clock);
    v->clock = json_incref(body); /* kept until the next answer */
    free(v->error);
    v->error = NULL;
    view_clock_scale_text(scale, sizeof(scale), body);
    free(v->result);
    v->result = xasprintf("%s: mode %s, scale %s, now %s", what,
                          mode ? mode : "?", scale, now ? now : "?");
    app_flash(v->app, "clock %s", what);
}

static void view_clock_post(struct view_clock *v, json_t *body,
                            void (*done)(int rc, json_t *body, void *arg));

static int
view_clock_failed(struct view_clock *v, int rc, json_t *body, const char *what)
{
    v->acting = 0;
    v->gen++;
    if (rc == 0 && json_is_object(body))
        return 0;
    app_flash(v->app, "%s failed: %s", what,
              rc ? err_last() : "the engine sent no clock");
    return 1;
}

static void
view_clock_on_pause(int rc, json_t *body, void *arg)
{
    if (!view_clock_failed(arg, rc, body, "pause"))
        view_clock_took(arg, body, "paused");
}

static void
view_clock_on_resume(int rc, json_t *body, void *arg)
{
    if (!view_clock_failed(arg, rc, body, "resume"))
        view_clock_took(arg, body, "resumed");
}

static void
view_clock_on_scale(int rc, json_t *body, void *arg)
{
    struct view_clock *v = arg;
    char scale[32], what[64];

    if (view_clock_failed(v, rc, body, "scale"))
        return;
    view_clock_scale_text(scale, sizeof(scale), body);
    snprintf(what, sizeof(what), "scaled x%s", scale);
    view_clock_took(v, body, what);
}

static void
view_clock_on_advance(int rc, json_t *body, void *arg)
{
    if (!view_clock_failed(arg, rc, body, "advance"))
        view_clock_took(arg, body, "advanced");
}

/* `1`, second step: scale 1 is set; resume when paused */
static void
view_clock_on_real(int rc, json_t *body, void *arg)
{
    struct view_clock *v = arg;
    json_t *req;

    if (view_clock_failed(v, rc, body, "real speed"))
        return;
    if (!json_is_true(json_object_get(body, "paused"))) {
        view_clock_took(v, body, "back to real speed");
        return;
    }
    req = json_pack("{s:s}", "action", "resume");
    view_clock_post(v, req, view_clock_on_real);
    json_decref(req);
}

/* POST `body` (borrowed) to /v1/clock */
static void
view_clock_post(struct view_clock *v, json_t *body,
                void (*done)(int rc, json_t *body, void *arg))
{
    v->acting = 1;
    v->gen++;
    app_request(v->app, "POST", "/v1/clock", body, done, v);
}

/* Returns: 1 when an action may start now, else 0 with a flash. Only
 * a toggle (`need_clock`) has to know the clock first. */
static int
view_clock_ready(struct view_clock *v, int need_clock)
{
    if (v->acting) {
        app_flash(v->app, "still waiting for the engine's answer");
        return 0;
    }
    if (need_clock && v->clock == NULL) {
        app_flash(v->app, "no clock from the engine yet");
        return 0;
    }
    return 1;
}

/* ---- keys ---- */

static int
view_clock_key_pause(void *state)
{
    struct view_clock *v = state;
    int paused;
    json_t *req;

    if (!view_clock_ready(v, 1))
        return VIEW_REDRAW;
    paused = view_clock_paused(v);
    req = json_pack("{s:s}", "action", paused ? "resume" : "pause");
    view_clock_post(v, req,
                    paused ? view_clock_on_resume : view_clock_on_pause);
    json_decref(req);
    return VIEW_REDRAW;
}

static int
view_clock_key_real(void *state)
{
    struct view_clock *v = state;
    json_t *req;

    if (!view_clock_ready(v, 0))
        return VIEW_REDRAW;
    req = json_pack("{s:s, s:i}", "action", "scale", "scale", 1);
    view_clock_post(v, req, view_clock_on_real);
    json_decref(req);
    return VIEW_REDRAW;
}

static int
view_clock_ask(struct view_clock *v, enum view_clock_prompt prompt)
{
    if (!view_clock_ready(v, 0))
        return VIEW_REDRAW;
    v->prompt = prompt;
    w_input_set(&v->in, NULL);
    free(v->refused);
    v->refused = NULL;
    return VIEW_REDRAW;
}

static int
view_clock_key_scale(void *state)
{
    return view_clock_ask(state, VIEW_CLOCK_SCALE);
}

static int
view_clock_key_advance(void *state)
{
    return view_clock_ask(state, VIEW_CLOCK_ADVANCE);
}

/* Returns: 0 and the request to send, or -1 with v->refused set */
static int
view_clock_check(json_t **out, struct view_clock *v)
{
    const char *text = v->in.text ? v->in.text : "";
    char *end;
    double scale;
    int64_t ms;

    *out = NULL;
    free(v->refused);
    v->refused = NULL;
    if (v->prompt == VIEW_CLOCK_SCALE) {
        scale = strtod(text, &end);
        /* the engine knows its own upper limit, and says it */
        if (*text == '\0' || *end != '\0' || !isfinite(scale) || scale <= 0) {
            v->refused =
                xasprintf("'%s' is no scale: a number above 0, e.g. 60", text);
            return -1;
        }
        *out = json_pack("{s:s, s:f}", "action", "scale", "scale", scale);
        return 0;
    }
    if (timefmt_parse_duration(&ms, text) != 0) {
        v->refused = xasprintf("'%s' is no duration: try 10m, 1h30m, 2d", text);
        return -1;
    }
    if (ms <= 0) {
        v->refused = xstrdup("advance by more than nothing: the clock "
                             "never goes back");
        return -1;
    }
    *out = json_pack("{s:s, s:s}", "action", "advance", "by", text);
    return 0;
}

/* keys while a prompt is open: Enter sends what passes the check */
static int
view_clock_key(void *state, int ch)
{
    struct view_clock *v = state;
    json_t *req;

    if (v->prompt == VIEW_CLOCK_NONE)
        return 0;
    switch (w_input_key(&v->in, ch)) {
    case W_INPUT_CANCEL:
        v->prompt = VIEW_CLOCK_NONE;
        break;
    case W_INPUT_ENTER:
        if (view_clock_check(&req, v) != 0)
            break; /* stays open, saying why */
        view_clock_post(v, req,
                        v->prompt == VIEW_CLOCK_SCALE ? view_clock_on_scale
                                                      : view_clock_on_advance);
        json_decref(req);
        v->prompt = VIEW_CLOCK_NONE;
        break;
    case W_INPUT_EDITED:
        free(v->refused);
        v->refused = NULL;
        break;
    default:
        return VIEW_HANDLED;
    }
    return VIEW_REDRAW;
}

static int
view_clock_grab(void *state)
{
    return ((struct view_clock *)state)->prompt != VIEW_CLOCK_NONE;
}

/* ---- drawing ---- */

static int
view_clock_row(WINDOW *win, int y, const char *label, const char *value,
               attr_t attr)
{
    w_text_put(win, y, VIEW_CLOCK_LABEL_X, label, theme_attr(THEME_LABEL));
    w_text_put(win, y, VIEW_CLOCK_VALUE_X, value, attr);
    return y + 1;
}

/* "10m00s ahead of real time" */
static void
view_clock_offset_text(char *out, size_t n, json_int_t offset)
{
    char dur[32];

    if (offset > -1000 && offset < 1000) {
        snprintf(out, n, "none: in step with real time");
        return;
    }
    timefmt_duration(dur, sizeof(dur), offset < 0 ? -offset : offset);
    snprintf(out, n, "%s%s %s real time", offset < 0 ? "-" : "+", dur,
             offset < 0 ? "behind" : "ahead of");
}

static void
view_clock_draw_prompt(struct view_clock *v, WINDOW *win)
{
    const char *title, *label, *hint;
    WINDOW *in;
    int x;

    if (v->prompt == VIEW_CLOCK_SCALE) {
        title = "Set the clock's scale";
        label = "scale x";
        hint = "engine seconds per real second, e.g. 60";
    } else {
        title = "Advance the clock";
        label = "by";
        hint = "a duration, e.g. 10m, 1h30m, 2d";
    }
    in = w_dialog_open(win, 4, 56, title, app_utf8(v->app));
    if (in == NULL)
        return;
    x = w_text_put(in, 0, 1, label, theme_attr(THEME_KEY));
    w_input_draw(in, 0, x + 1, getmaxx(in) - x - 2, &v->in, 1);
    if (v->refused)
        w_text_put(in, 1, 1, v->refused, theme_attr(THEME_DOWN));
    else
        w_text_put(in, 1, 1, hint, theme_attr(THEME_DIM));
    x = w_text_put(in, 3, 1, "enter", theme_attr(THEME_KEY));
    x = w_text_put(in, 3, x + 1, "set", A_NORMAL);
    x = w_text_put(in, 3, x + 3, "esc", theme_attr(THEME_KEY));
    w_text_put(in, 3, x + 1, "cancel", A_NORMAL);
    delwin(in);
}

static void
view_clock_draw(void *state, WINDOW *win)
{
    struct view_clock *v = state;
    const char *mode = json_string_value(json_object_get(v->clock, "mode"));
    const char *now = json_string_value(json_object_get(v->clock, "now"));
    const char *note = "one engine clock drives every timer";
    int utf8 = app_utf8(v->app), y = 2, x;
    char text[160], scale[32];

    werase(win);
    x = w_text_put(win, 0, 1, ":clock", theme_attr(THEME_TITLE));
    if (x + 3 + (int)strlen(note) < getmaxx(win))
        w_text_put(win, 0, getmaxx(win) - (int)strlen(note) - 1, note,
                   theme_attr(THEME_DIM));
    if (v->error)
        w_text_put(win, getmaxy(win) - 1, 1, v->error, theme_attr(THEME_DOWN));
    if (v->clock == NULL) {
        if (v->error == NULL)
            w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    view_clock_scale_text(scale, sizeof(scale), v->clock);
    if (view_clock_paused(v))
        snprintf(text, sizeof(text), "%s %s", utf8 ? "\u23f8" : "=",
                 mode ? mode : "paused");
    else if (mode && strcmp(mode, "scaled") == 0)
        snprintf(text, sizeof(text), "%s scaled %s%s", utf8 ? "\u25b6" : ">",
                 utf8 ? "\u00d7" : "x", scale);
    else
        snprintf(text, sizeof(text), "%s %s", utf8 ? "\u25b6" : ">",
                 mode ? mode : "?");
    y = view_clock_row(win, y, "mode", text,
                       mode && strcmp(mode, "real") == 0
                           ? theme_attr(THEME_UP)
                           : theme_attr(THEME_KEY));
    snprintf(text, sizeof(text), "%s%s%s", utf8 ? "\u00d7" : "x", scale,
             strcmp(scale, "1") == 0 ? "  (real speed)" : "");
    y = view_clock_row(win, y, "scale", text, A_NORMAL);
    y = view_clock_row(win, y, "engine now", now ? now : "?", A_BOLD);
    view_clock_offset_text(
        text, sizeof(text),
        json_integer_value(json_object_get(v->clock, "offset_ms")));
    y = view_clock_row(win, y, "offset", text, A_NORMAL);
    y++;
    if (v->result)
        y = view_clock_row(win, y, "last action", v->result,
                           theme_attr(THEME_DIM));
    y++;
    w_text_put(win, y, VIEW_CLOCK_LABEL_X,
               "The clock never goes backwards: back at real speed, an "
               "offset stays.",
               theme_attr(THEME_DIM));
    if (v->prompt != VIEW_CLOCK_NONE)
        view_clock_draw_prompt(v, win);
}

/* ---- life ---- */

static void *
view_clock_create(struct app *app, const char *arg)
{
    struct view_clock *v = xcalloc(1, sizeof(*v));

    (void)arg;
    v->app = app;
    return v;
}

static void
view_clock_free(void *state)
{
    struct view_clock *v = state;

    if (v == NULL)
        return;
    json_decref(v->clock);
    free(v->error);
    free(v->result);
    free(v->refused);
    w_input_free(&v->in);
    free(v);
}

static void
view_clock_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

static const struct keybind view_clock_keys[] = {
    {' ', "pause clock", view_clock_key_pause, 0},
    {'s', "scale", view_clock_key_scale, 0},
    {'a', "advance", view_clock_key_advance, 0},
    {'1', "real", view_clock_key_real, 0},
    {0, NULL, NULL, 0},
};

const struct view_ops view_clock_ops = {
    .name = "clock",
    .create = view_clock_create,
    .free = view_clock_free,
    .draw = view_clock_draw,
    .key = view_clock_key,
    .update = view_clock_update,
    .tick = view_clock_tick,
    .grab = view_clock_grab,
    .keys = view_clock_keys,
};
