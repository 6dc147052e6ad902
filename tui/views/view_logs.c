/*
 * view_logs: the engine's log. Asks GET /v1/logs?tail=500 once, then
 * ?cursor=<next> every half second (at once again while the answers come
 * back full), one request at a time. Keeps at most VIEW_LOGS_MAX lines
 * in a ring, the oldest dropped first, each with its object and its row
 * text; `shown` holds, oldest first, the sequence numbers of the lines
 * that pass the '/' filter, and the selection and scroll position index
 * it. Following keeps the last shown line selected at the bottom; moving
 * up stops following and new lines then wait below; G follows again.
 * Enter shows the selected line's object, pretty-printed, in a box.
 */
#include "views/view_logs.h"

#include "app.h"
#include "client/client.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "theme.h"
#include "widgets/w_dialog.h"
#include "widgets/w_filter.h"
#include "widgets/w_json.h"
#include "widgets/w_pager.h"
#include "widgets/w_text.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VIEW_LOGS_MAX 5000      /* lines kept */
#define VIEW_LOGS_TAIL 500      /* lines asked for first */
#define VIEW_LOGS_PAGE 1000     /* lines asked for per poll */
#define VIEW_LOGS_POLL_MS 500   /* between polls */
#define VIEW_LOGS_TEXT_MAX 1024 /* bytes of a row's text kept */
#define VIEW_LOGS_TIME_LEN 12   /* "HH:MM:SS.mmm" */
#define VIEW_LOGS_LEVEL_LEN 5   /* "ERROR" */
#define VIEW_LOGS_GUTTER 2      /* selection, level marker */

enum view_logs_level {
    VIEW_LOGS_DEBUG,
    VIEW_LOGS_INFO,
    VIEW_LOGS_WARN,
    VIEW_LOGS_ERROR
};

struct view_logs_line {
    json_t *item; /* the line's object: one reference */
    char *text;   /* "HH:MM:SS.mmm LEVEL msg key=value..." */
    enum view_logs_level level;
};

struct view_logs {
    struct app *app;
    struct view_logs_line *ring; /* VIEW_LOGS_MAX slots */
    size_t head, n;              /* the oldest line's slot; lines held */
    uint64_t base;               /* the oldest line's sequence number */

    uint64_t *shown; /* shown[off .. off + nshown): lines passing the filter */
    size_t off, nshown, cap;
    size_t sel, top; /* indexes into the shown lines */
    int rows;        /* list rows, as last drawn */
    int follow;

    char *cursor; /* the last answer's "next", or NULL before the first */
    int busy;     /* a request is running */
    int64_t due;  /* monotonic ms of the next poll */
    char *error;  /* the last failed request's message, or NULL */

    struct w_filter filter; /* the '/' line */

    int detail; /* the JSON box is open */
    struct w_pager pager;
    char *detail_title;
    int detail_rows; /* of the box's pager, as last drawn */
};

/* ---- the lines ---- */

static struct view_logs_line *
view_logs_line(struct view_logs *v, uint64_t seq)
{
    return &v->ring[(v->head + (size_t)(seq - v->base)) % VIEW_LOGS_MAX];
}

static uint64_t
view_logs_shown_at(const struct view_logs *v, size_t i)
{
    return v->shown[v->off + i];
}

static int
view_logs_matches(const struct view_logs *v, const char *text)
{
    return w_filter_match(&v->filter, text);
}

static void
view_logs_show(struct view_logs *v, uint64_t seq)
{
    if (v->off + v->nshown == v->cap) {
        if (v->off > 0) {
            memmove(v->shown, v->shown + v->off, v->nshown * sizeof(*v->shown));
            v->off = 0;
        } else {
            v->cap = v->cap ? v->cap * 2 : 256;
            v->shown = xreallocarray(v->shown, v->cap, sizeof(*v->shown));
        }
    }
    v->shown[v->off + v->nshown++] = seq;
}

static enum view_logs_level
view_logs_level_of(const char *level)
{
    if (level == NULL)
        return VIEW_LOGS_INFO;
    if (strcmp(level, "debug") == 0)
        return VIEW_LOGS_DEBUG;
    if (strcmp(level, "warn") == 0 || strcmp(level, "warning") == 0)
        return VIEW_LOGS_WARN;
    if (strcmp(level, "error") == 0)
        return VIEW_LOGS_ERROR;
    return VIEW_LOGS_INFO;
}

/* "05:30:00.123" in local time from the line's RFC 3339 "time" */
static void
view_logs_time(char *out, size_t n, const char *time)
{
    int64_t ms;
    time_t t;
    struct tm tm;

    if (time == NULL || timefmt_parse_rfc3339(&ms, time) != 0) {
        snprintf(out, n, "--:--:--.---");
        return;
    }
    t = (time_t)(ms / 1000);
    localtime_r(&t, &tm);
    snprintf(out, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(ms % 1000));
}

/* the row text of `item`, on one line and at most VIEW_LOGS_TEXT_MAX
 * bytes; fields as `flowdeck logs` prints them */
static char *
view_logs_render(const json_t *item)
{
    struct buf b = BUF_INIT(0);
    const char *level = json_string_value(json_object_get(item, "level"));
    const char *msg = json_string_value(json_object_get(item, "msg"));
    char when[32], lvl[VIEW_LOGS_LEVEL_LEN + 1];
    const char *key;
    json_t *val;
    char *text;
    size_t i, len;

    view_logs_time(when, sizeof(when),
                   json_string_value(json_object_get(item, "time")));
    for (i = 0; level && level[i] && i < VIEW_LOGS_LEVEL_LEN; i++)
        lvl[i] = (char)toupper((unsigned char)level[i]);
    lvl[i] = '\0';
    buf_printf(&b, "%s %-*s %s", when, VIEW_LOGS_LEVEL_LEN, i ? lvl : "-",
               msg ? msg : "");
    json_object_foreach((json_t *)item, key, val)
    {
        char *v;

        if (strcmp(key, "time") == 0 || strcmp(key, "level") == 0 ||
            strcmp(key, "msg") == 0)
            continue;
        /* plain words stay bare; anything with spaces or quotes is JSON */
        if (json_is_string(val) && *json_string_value(val) &&
            strpbrk(json_string_value(val), " \t\n\"=") == NULL)
            v = xstrdup(json_string_value(val));
        else
            v = jsonx_dump(val);
        buf_printf(&b, " %s=%s", key, v);
        free(v);
        if (b.len > VIEW_LOGS_TEXT_MAX)
            break;
    }
    text = buf_take(&b);
    if (text == NULL)
        return xstrdup("");
    len = strlen(text);
    if (len > VIEW_LOGS_TEXT_MAX) {
        len = VIEW_LOGS_TEXT_MAX;
        while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
            len--; /* never split a character */
        text[len] = '\0';
    }
    for (i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            text[i] = ' ';
    return text;
}

/* forget the oldest line, and its row */
static void
view_logs_drop(struct view_logs *v)
{
    struct view_logs_line *l = &v->ring[v->head];

    if (v->nshown && view_logs_shown_at(v, 0) == v->base) {
        v->off++;
        v->nshown--;
        if (v->sel > 0)
            v->sel--;
        if (v->top > 0)
            v->top--;
    }
    json_decref(l->item);
    free(l->text);
    memset(l, 0, sizeof(*l));
    v->head = (v->head + 1) % VIEW_LOGS_MAX;
    v->n--;
    v->base++;
}

/* keep `item` (borrowed) as the newest line */
static void
view_logs_add(struct view_logs *v, json_t *item)
{
    struct view_logs_line *l;
    uint64_t seq;

    if (!json_is_object(item))
        return;
    if (v->n == VIEW_LOGS_MAX)
        view_logs_drop(v);
    seq = v->base + v->n++;
    l = view_logs_line(v, seq);
    l->item = json_incref(item); /* kept while the line is */
    l->text = view_logs_render(item);
    l->level =
        view_logs_level_of(json_string_value(json_object_get(item, "level")));
    if (view_logs_matches(v, l->text))
        view_logs_show(v, seq);
}

static void
view_logs_stick(struct view_logs *v)
{
    if (v->follow)
        v->sel = v->nshown ? v->nshown - 1 : 0;
}

/* rebuild `shown` after the filter changed, keeping the selected line
 * (or the next one that passes) selected */
static void
view_logs_refilter(struct view_logs *v)
{
    uint64_t keep = v->nshown ? view_logs_shown_at(v, v->sel) : v->base;

    v->off = v->nshown = 0;
    v->sel = v->top = 0;
    for (uint64_t seq = v->base; seq < v->base + v->n; seq++) {
        if (!view_logs_matches(v, view_logs_line(v, seq)->text))
            continue;
        if (seq <= keep)
            v->sel = v->nshown;
        view_logs_show(v, seq);
    }
    view_logs_stick(v);
}

static void
view_logs_compile(struct view_logs *v)
{
    if (w_filter_compile(&v->filter) != 0)
        app_flash(v->app, "not a regular expression: %s",
                  v->filter.input.text);
    view_logs_refilter(v);
}

/* ---- polling ---- */

static void
view_logs_on_page(int rc, json_t *body, void *arg)
{
    struct view_logs *v = arg;
    json_t *items = json_object_get(body, "items"), *item;
    const char *next = json_string_value(json_object_get(body, "next"));
    int wait = VIEW_LOGS_POLL_MS;
    size_t i;

    v->busy = 0;
    free(v->error);
    v->error = NULL;
    if (rc != 0 || !json_is_array(items) || next == NULL) {
        v->error = xstrdup(rc ? err_last() : "the engine sent no log lines");
    } else {
        json_array_foreach(items, i, item)
        {
            view_logs_add(v, item);
        }
        view_logs_stick(v);
        free(v->cursor);
        v->cursor = xstrdup(next);
        if (json_array_size(items) >= VIEW_LOGS_PAGE)
            wait = 0; /* more are waiting: catch up */
    }
    v->due = timefmt_mono_ms() + wait;
    app_tick_after(v->app, wait);
}

static void
view_logs_tick(void *state)
{
    struct view_logs *v = state;
    char *path, *esc;

    if (v->busy || timefmt_mono_ms() < v->due)
        return;
    v->busy = 1;
    if (v->cursor) {
        esc = client_escape(v->cursor);
        path = xasprintf("/v1/logs?cursor=%s&limit=%d", esc, VIEW_LOGS_PAGE);
        free(esc);
    } else {
        path = xasprintf("/v1/logs?tail=%d", VIEW_LOGS_TAIL);
    }
    app_request(v->app, "GET", path, NULL, view_logs_on_page, v);
    free(path);
}

/* ---- life ---- */

static void *
view_logs_create(struct app *app, const char *arg)
{
    struct view_logs *v = xcalloc(1, sizeof(*v));

    v->app = app;
    v->ring = xcalloc(VIEW_LOGS_MAX, sizeof(*v->ring));
    v->follow = 1;
    w_input_set(&v->filter.input, arg); /* ":logs snapshot" starts filtered */
    view_logs_compile(v);
    return v;
}

static void
view_logs_free(void *state)
{
    struct view_logs *v = state;

    if (v == NULL)
        return;
    while (v->n)
        view_logs_drop(v);
    free(v->ring);
    free(v->shown);
    free(v->cursor);
    free(v->error);
    w_filter_free(&v->filter);
    w_pager_free(&v->pager);
    free(v->detail_title);
    free(v);
}

static void
view_logs_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

/* ---- drawing ---- */

static attr_t
view_logs_level_attr(enum view_logs_level level)
{
    switch (level) {
    case VIEW_LOGS_ERROR:
        return theme_attr(THEME_DOWN);
    case VIEW_LOGS_WARN:
        return theme_attr(THEME_KEY);
    case VIEW_LOGS_DEBUG:
        return theme_attr(THEME_DIM);
    default:
        return A_NORMAL;
    }
}

/* "▸!05:30:00.123 WARN  msg key=value": the level coloured and, for warn
 * and error, marked in the gutter so that it shows without colour too */
static void
view_logs_draw_row(struct view_logs *v, WINDOW *win, int y,
                   const struct view_logs_line *l, int selected)
{
    int utf8 = app_utf8(v->app), x = VIEW_LOGS_GUTTER;
    attr_t base = selected ? A_REVERSE : A_NORMAL;
    attr_t lattr = view_logs_level_attr(l->level) | base;
    attr_t rest = (l->level == VIEW_LOGS_DEBUG ? lattr : base);
    const char *mark = NULL;
    char when[VIEW_LOGS_TIME_LEN + 1], lvl[VIEW_LOGS_LEVEL_LEN + 1];
    size_t len = strlen(l->text), skip;

    if (selected) {
        wattr_on(win, A_REVERSE, NULL);
        mvwhline(win, y, 0, ' ', getmaxx(win));
        wattr_off(win, A_REVERSE, NULL);
        w_text_put(win, y, 0, utf8 ? "\u25b8" : ">", base);
    }
    if (l->level == VIEW_LOGS_ERROR)
        mark = utf8 ? "\u2716" : "x";
    else if (l->level == VIEW_LOGS_WARN)
        mark = "!";
    if (mark)
        w_text_put(win, y, 1, mark, lattr);
    skip = VIEW_LOGS_TIME_LEN + 1 + VIEW_LOGS_LEVEL_LEN + 1;
    if (len < skip) { /* not from view_logs_render(): draw it whole */
        w_text_put(win, y, x, l->text, rest);
        return;
    }
    memcpy(when, l->text, VIEW_LOGS_TIME_LEN);
    when[VIEW_LOGS_TIME_LEN] = '\0';
    memcpy(lvl, l->text + VIEW_LOGS_TIME_LEN + 1, VIEW_LOGS_LEVEL_LEN);
    lvl[VIEW_LOGS_LEVEL_LEN] = '\0';
    x = w_text_put(win, y, x, when, rest);
    x = w_text_put(win, y, x + 1, lvl, lattr);
    w_text_put(win, y, x + 1, l->text + skip, rest);
}

/* ":logs  120 lines  ● following   /filter" */
static void
view_logs_draw_header(struct view_logs *v, WINDOW *win)
{
    int utf8 = app_utf8(v->app), x;
    size_t below = 0;
    char text[160];

    x = w_text_put(win, 0, 1, ":logs", theme_attr(THEME_TITLE));
    if (v->filter.has_re)
        snprintf(text, sizeof(text), "%zu of %zu lines", v->nshown, v->n);
    else
        snprintf(text, sizeof(text), "%zu lines", v->n);
    x = w_text_put(win, 0, x + 2, text, A_NORMAL);
    if (v->follow) {
        snprintf(text, sizeof(text), "%s following", utf8 ? "\u25cf" : "*");
        x = w_text_put(win, 0, x + 3, text, theme_attr(THEME_UP));
    } else {
        if (v->rows > 0 && v->top + (size_t)v->rows < v->nshown)
            below = v->nshown - v->top - (size_t)v->rows;
        snprintf(text, sizeof(text), "%s paused %s %zu below %s G follows",
                 utf8 ? "\u23f8" : "=", utf8 ? "\u00b7" : "-", below,
                 utf8 ? "\u00b7" : "-");
        x = w_text_put(win, 0, x + 3, text, theme_attr(THEME_KEY));
    }
    if (w_filter_shown(&v->filter)) {
        x = w_text_put(win, 0, x + 3, "/", theme_attr(THEME_KEY));
        w_filter_draw(win, 0, x, getmaxx(win) - x - 1, &v->filter);
    }
}

static void
view_logs_draw_detail(struct view_logs *v, WINDOW *win)
{
    int h = getmaxy(win), w = getmaxx(win), x;
    WINDOW *in;

    in = w_dialog_open(win, h - 2, w - 2, v->detail_title, app_utf8(v->app));
    if (in == NULL)
        return;
    v->detail_rows = getmaxy(in) - 1;
    w_pager_draw(in, 0, v->detail_rows, &v->pager);
    x = w_text_put(in, getmaxy(in) - 1, 1, "j/k", theme_attr(THEME_KEY));
    x = w_text_put(in, getmaxy(in) - 1, x + 1, "scroll", A_NORMAL);
    x = w_text_put(in, getmaxy(in) - 1, x + 3, "esc", theme_attr(THEME_KEY));
    w_text_put(in, getmaxy(in) - 1, x + 1, "close", A_NORMAL);
    delwin(in);
}

static void
view_logs_draw(void *state, WINDOW *win)
{
    struct view_logs *v = state;
    int h = getmaxy(win);

    werase(win);
    v->rows = h - 1 - (v->error ? 1 : 0);
    if (v->rows < 1)
        v->rows = 1;
    if (v->follow)
        view_logs_stick(v);
    if (v->sel < v->top)
        v->top = v->sel;
    if (v->sel >= v->top + (size_t)v->rows)
        v->top = v->sel - (size_t)v->rows + 1;
    /* no empty rows under the last line while earlier ones are hidden
     * (a window that grew) */
    if (v->top + (size_t)v->rows > v->nshown)
        v->top = v->nshown > (size_t)v->rows ? v->nshown - (size_t)v->rows : 0;
    view_logs_draw_header(v, win);
    if (v->error)
        w_text_put(win, h - 1, 1, v->error, theme_attr(THEME_DOWN));
    if (v->cursor == NULL) {
        if (v->error == NULL)
            w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    for (int i = 0; i < v->rows && v->top + (size_t)i < v->nshown; i++) {
        size_t row = v->top + (size_t)i;

        view_logs_draw_row(v, win, 1 + i,
                           view_logs_line(v, view_logs_shown_at(v, row)),
                           row == v->sel);
    }
    if (v->nshown == 0)
        w_text_put(win, 2, 3,
                   v->n ? "no line matches the filter" : "no log lines yet",
                   theme_attr(THEME_DIM));
    if (v->detail)
        view_logs_draw_detail(v, win);
}

/* ---- keys ---- */

/* move the selection by `delta`; moving up stops following */
static int
view_logs_move(struct view_logs *v, long delta)
{
    long sel = (long)v->sel + delta;

    if (delta < 0)
        v->follow = 0;
    if (sel >= (long)v->nshown)
        sel = (long)v->nshown - 1;
    if (sel < 0)
        sel = 0;
    v->sel = (size_t)sel;
    return VIEW_REDRAW;
}

static long
view_logs_page(const struct view_logs *v)
{
    return v->rows > 1 ? v->rows - 1 : 1;
}

static int
view_logs_down(void *state)
{
    return view_logs_move(state, 1);
}

static int
view_logs_up(void *state)
{
    return view_logs_move(state, -1);
}

static int
view_logs_page_down(void *state)
{
    return view_logs_move(state, view_logs_page(state));
}

static int
view_logs_page_up(void *state)
{
    return view_logs_move(state, -view_logs_page(state));
}

static int
view_logs_top(void *state)
{
    struct view_logs *v = state;

    return view_logs_move(v, -(long)v->nshown);
}

static int
view_logs_bottom(void *state)
{
    struct view_logs *v = state;

    v->follow = 1;
    view_logs_stick(v);
    return VIEW_REDRAW;
}

static int
view_logs_toggle_follow(void *state)
{
    struct view_logs *v = state;

    v->follow = !v->follow;
    view_logs_stick(v);
    return VIEW_REDRAW;
}

static int
view_logs_filter(void *state)
{
    struct view_logs *v = state;

    v->filter.open = 1;
    return VIEW_REDRAW;
}

static int
view_logs_open(void *state)
{
    struct view_logs *v = state;
    const struct view_logs_line *l;
    char *text, *pretty, when[32];

    if (v->nshown == 0)
        return VIEW_HANDLED;
    l = view_logs_line(v, view_logs_shown_at(v, v->sel));
    text = jsonx_dump(l->item);
    pretty = w_json_pretty(text);
    w_pager_clear(&v->pager);
    v->pager.top = 0;
    w_pager_add(&v->pager, 1, A_NORMAL, pretty ? pretty : text);
    free(pretty);
    free(text);
    memcpy(when, l->text, VIEW_LOGS_TIME_LEN);
    when[VIEW_LOGS_TIME_LEN] = '\0';
    free(v->detail_title);
    v->detail_title = xasprintf("log line %s", when);
    v->detail = 1;
    return VIEW_REDRAW;
}

/* keys while the JSON box is open */
static int
view_logs_detail_key(struct view_logs *v, int ch)
{
    long page = v->detail_rows > 1 ? v->detail_rows - 1 : 1;

    switch (ch) {
    case 'j':
    case KEY_DOWN:
        w_pager_scroll(&v->pager, 1, v->detail_rows);
        break;
    case 'k':
    case KEY_UP:
        w_pager_scroll(&v->pager, -1, v->detail_rows);
        break;
    case ' ':
    case KEY_NPAGE:
        w_pager_scroll(&v->pager, page, v->detail_rows);
        break;
    case 'b':
    case KEY_PPAGE:
        w_pager_scroll(&v->pager, -page, v->detail_rows);
        break;
    case 'g':
        w_pager_scroll(&v->pager, -(long)v->pager.n, v->detail_rows);
        break;
    case 'G':
        w_pager_scroll(&v->pager, (long)v->pager.n, v->detail_rows);
        break;
    case 27:
    case '\r':
    case 'q':
        v->detail = 0;
        break;
    default:
        return VIEW_HANDLED;
    }
    return VIEW_REDRAW;
}

static int
view_logs_grab(void *state)
{
    struct view_logs *v = state;

    return v->filter.open || v->detail;
}

/* keys while the '/' line or the JSON box is open; the filter applies as
 * it is typed */
static int
view_logs_key(void *state, int ch)
{
    struct view_logs *v = state;

    if (v->detail)
        return view_logs_detail_key(v, ch);
    if (!v->filter.open)
        return 0;
    if (!w_filter_key(&v->filter, ch))
        return VIEW_HANDLED;
    view_logs_compile(v);
    return VIEW_REDRAW;
}

static const struct keybind view_logs_keys[] = {
    {'\r', "json", view_logs_open, 0},
    {'/', "filter", view_logs_filter, 0},
    {'f', "follow", view_logs_toggle_follow, 0},
    {'G', "end, follow", view_logs_bottom, 0},
    {'g', "top", view_logs_top, 1},
    {'j', "down", view_logs_down, 1},
    {'k', "up", view_logs_up, 1},
    {KEY_DOWN, "down", view_logs_down, 1},
    {KEY_UP, "up", view_logs_up, 1},
    {KEY_NPAGE, "page down", view_logs_page_down, 1},
    {KEY_PPAGE, "page up", view_logs_page_up, 1},
    {KEY_END, "end, follow", view_logs_bottom, 1},
    {KEY_HOME, "top", view_logs_top, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_logs_ops = {
    .name = "logs",
    .create = view_logs_create,
    .free = view_logs_free,
    .draw = view_logs_draw,
    .key = view_logs_key,
    .update = view_logs_update,
    .tick = view_logs_tick,
    .grab = view_logs_grab,
    .keys = view_logs_keys,
};
