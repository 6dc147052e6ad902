/*
 * app: the dashboard loop. Each turn it starts a GET /v1/info when one is
 * due (every second, never two at once) and lets the top view start its
 * own refresh (tick), draws if something changed, then waits in
 * client_async_wait() for a key, an engine answer or the next poll.
 * Answers arrive through app_on_info(), which hands them to the view, and
 * app_on_answer() for the views' own requests. Screen chrome (title,
 * banner, footer, the ':' line, '?' help) is drawn here; the view draws
 * the body window. Single-threaded.
 *
 * '[' and ']' go back and forward through the screens as a browser does
 * (a screen opened anew drops what was ahead); 'p' pauses the top
 * screen's updates. With the mouse on, a click selects the row of the
 * table under it (a click on the selected row opens it) and the wheel
 * moves as the arrow keys do. FLOWDECK_FRAME_STATS=path appends each
 * frame's draw time, in microseconds, to path.
 */
#include "app.h"

#include "client/client.h"
#include "client/client_async.h"
#include "common/digest.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "text.h"
#include "theme.h"
#include "view.h"
#include "views/views.h"
#include "widgets/w_dialog.h"
#include "widgets/w_input.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define APP_POLL_MS 1000
#define APP_MAX_WAIT_MS 1000
#define APP_FLASH_MS 4000
#define APP_DEPTH 8

/* a view's request in flight; `done` is cleared when its view closes */
struct app_req {
    struct app_req *next;
    struct app *app;
    void (*done)(int rc, json_t *body, void *arg);
    void *arg;
};

struct app_frame {
    const struct view_ops *ops;
    void *state;
    char *arg;  /* what it was opened with, or NULL */
    int paused; /* 'p': no ticks, no updates */
};

struct app {
    struct client_async *api;
    char *hostport; /* of the endpoint, for the title */
    SCREEN *screen;
    WINDOW *body; /* the view's window, between title and footer */
    const struct view_ops *view; /* the top of `stack` */
    void *vstate;
    struct app_frame stack[APP_DEPTH];
    int depth;
    struct app_frame ahead[APP_DEPTH]; /* ']' reopens these; no state */
    int nahead;
    int mouse;          /* clicks and the wheel are ours */
    FILE *frame_stats;  /* FLOWDECK_FRAME_STATS, or NULL */
    struct app_req *reqs; /* views' requests in flight */
    int info_pending;     /* a /v1/info is in flight */
    int tick_due;         /* the top view should refresh */
    int64_t tick_at;      /* app_tick_after() asked for a tick then; 0 */
    int help;             /* the '?' box is open */
    int cmdline;          /* the ':' line is open */
    struct w_input cmd;
    char *flash; /* a passing message, or NULL */
    int64_t flash_until;
    json_t *info;  /* last /v1/info, or NULL */
    int answered;  /* the engine has answered at least once */
    int up;        /* the last poll was answered */
    char *problem; /* engine error of the last poll, or NULL */
    int64_t next_poll;
    int dirty;
    int quit;
    int utf8;
};

static volatile sig_atomic_t app_stop;

static void
app_on_signal(int sig)
{
    (void)sig;
    app_stop = 1;
}

static int
app_key_quit(void *state)
{
    (void)state;
    return VIEW_QUIT;
}

static int
app_key_refresh(void *state)
{
    struct app *app = state;

    app->next_poll = 0;
    return VIEW_HANDLED;
}

static int
app_key_back(void *state)
{
    (void)state;
    return VIEW_BACK;
}

static int
app_key_help(void *state)
{
    struct app *app = state;

    app->help = 1;
    return VIEW_REDRAW;
}

static int
app_key_jump(void *state)
{
    struct app *app = state;

    app->cmdline = 1;
    w_input_set(&app->cmd, NULL);
    return VIEW_REDRAW;
}

static int app_history_back(struct app *app);
static int app_history_forward(struct app *app);

static int
app_key_history_back(void *state)
{
    return app_history_back(state);
}

static int
app_key_history_forward(void *state)
{
    return app_history_forward(state);
}

static int
app_key_pause(void *state)
{
    struct app *app = state;
    struct app_frame *f = &app->stack[app->depth - 1];

    f->paused = !f->paused;
    if (!f->paused) { /* catch up at once */
        if (app->info)
            app->view->update(app->vstate, app->info);
        app->tick_due = 1;
    }
    return VIEW_REDRAW;
}

/* keys that work on every screen; they drive the footer and help too */
static const struct keybind app_keys[] = {
    {':', "jump", app_key_jump, 0},
    {'?', "help", app_key_help, 0},
    {27, "back", app_key_back, 0},
    {'q', "quit", app_key_quit, 0},
    {'r', "refresh", app_key_refresh, 1},
    {'[', "history back", app_key_history_back, 1},
    {']', "history forward", app_key_history_forward, 1},
    {'p', "pause updates", app_key_pause, 1},
    {0, NULL, NULL, 0},
};

/* "enter", "esc", "space", "^L", "a" ... into buf */
static const char *
app_key_label(int key, char *buf, size_t n, int utf8)
{
    switch (key) {
    case '\r':
        return "enter";
    case 27:
        return "esc";
    case ' ':
        return "space";
    case '\t':
        return "tab";
    case KEY_UP:
        return utf8 ? "\u2191" : "up";
    case KEY_DOWN:
        return utf8 ? "\u2193" : "down";
    case KEY_LEFT:
        return utf8 ? "\u2190" : "left";
    case KEY_RIGHT:
        return utf8 ? "\u2192" : "right";
    case KEY_NPAGE:
        return "pgdn";
    case KEY_PPAGE:
        return "pgup";
    case KEY_HOME:
        return "home";
    case KEY_END:
        return "end";
    default:
        break;
    }
    if (key > 0 && key < 0x20)
        snprintf(buf, n, "^%c", key + '@');
    else if (key > 0x20 && key < 0x7f)
        snprintf(buf, n, "%c", key);
    else
        snprintf(buf, n, "%s", keyname(key) ? keyname(key) : "?");
    return buf;
}

static void
app_on_answer(int rc, json_t *body, void *arg)
{
    struct app_req *r = arg, **pp;
    struct app *app = r->app;

    for (pp = &app->reqs; *pp; pp = &(*pp)->next) {
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    }
    if (r->done)
        r->done(rc, body, r->arg);
    app->dirty = 1;
    free(r);
}

void
app_request(struct app *app, const char *method, const char *path, json_t *body,
            void (*done)(int rc, json_t *body, void *arg), void *arg)
{
    struct app_req *r = xcalloc(1, sizeof(*r));

    r->app = app;
    r->done = done;
    r->arg = arg;
    r->next = app->reqs;
    app->reqs = r;
    client_async_request(app->api, method, path, body, app_on_answer, r);
}

void
app_flash(struct app *app, const char *fmt, ...)
{
    va_list ap;
    char text[512];

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    free(app->flash);
    app->flash = xstrdup(text);
    app->flash_until = timefmt_mono_ms() + APP_FLASH_MS;
    app->dirty = 1;
}

void
app_copy(struct app *app, const char *what, const char *text)
{
    static const char osc52[] = "\033]52;c;";
    size_t n = strlen(text), len = sizeof(osc52) - 1, off = 0;
    /* the base64's NUL makes room for the BEL that ends the sequence */
    char *seq = xmalloc(len + DIGEST_BASE64_SIZE(n));
    ssize_t w;

    memcpy(seq, osc52, len);
    len += digest_base64(seq + len, text, n);
    seq[len++] = '\a';
    /* between frames: curses has written what it had, and the escape
     * neither prints nor moves the cursor */
    fflush(stdout);
    while (off < len) {
        w = write(STDOUT_FILENO, seq + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(seq);
    app_flash(app, "copied %s: %s", what, text);
}

void
app_tick_after(struct app *app, int ms)
{
    int64_t at = timefmt_mono_ms() + (ms > 0 ? ms : 0);

    if (app->tick_at == 0 || at < app->tick_at)
        app->tick_at = at;
}

int
app_utf8(const struct app *app)
{
    return app->utf8;
}

static void
app_top(struct app *app)
{
    app->view = app->stack[app->depth - 1].ops;
    app->vstate = app->stack[app->depth - 1].state;
    if (app->info && !app->stack[app->depth - 1].paused)
        app->view->update(app->vstate, app->info);
    app->tick_due = 1;
    app->dirty = 1;
    w_table_hits_clear(); /* the tables drawn belong to another view */
}

/* push `ops` opened with `arg` (may be NULL) */
static int
app_push(struct app *app, const struct view_ops *ops, const char *arg)
{
    struct app_frame *f;

    if (app->depth == APP_DEPTH) {
        app_flash(app, "too many screens open; esc goes back");
        return -1;
    }
    f = &app->stack[app->depth];
    memset(f, 0, sizeof(*f));
    f->ops = ops;
    f->arg = arg ? xstrdup(arg) : NULL;
    f->state = ops->create(app, arg);
    app->depth++;
    app_top(app);
    return 0;
}

static void
app_ahead_clear(struct app *app)
{
    while (app->nahead > 0)
        free(app->ahead[--app->nahead].arg);
}

int
app_open(struct app *app, const char *name, const char *arg)
{
    const struct view_ops *ops = views_find(name);

    if (ops == NULL) {
        app_flash(app, "no screen '%s'", name);
        return -1;
    }
    app_ahead_clear(app); /* a new way: what was ahead is gone */
    return app_push(app, ops, arg);
}

/* close the top view; its answers still in flight are dropped. It is
 * remembered for ']' */
static void
app_back(struct app *app)
{
    struct app_frame *f;

    if (app->depth <= 1)
        return;
    f = &app->stack[--app->depth];
    for (struct app_req *r = app->reqs; r; r = r->next)
        if (r->arg == f->state)
            r->done = NULL;
    f->ops->free(f->state);
    if (app->nahead == APP_DEPTH) { /* forget the farthest */
        free(app->ahead[0].arg);
        memmove(app->ahead, app->ahead + 1,
                (APP_DEPTH - 1) * sizeof(app->ahead[0]));
        app->nahead--;
    }
    app->ahead[app->nahead].ops = f->ops;
    app->ahead[app->nahead++].arg = f->arg;
    f->arg = NULL;
    app_top(app);
}

static int
app_history_back(struct app *app)
{
    if (app->depth <= 1) {
        app_flash(app, "this is the first screen");
        return VIEW_REDRAW;
    }
    return VIEW_BACK;
}

static int
app_history_forward(struct app *app)
{
    struct app_frame f;

    if (app->nahead == 0) {
        app_flash(app, "nothing ahead: [ goes back");
        return VIEW_REDRAW;
    }
    f = app->ahead[--app->nahead];
    app_push(app, f.ops, f.arg);
    free(f.arg);
    return VIEW_REDRAW;
}

static void
app_on_info(int rc, json_t *body, void *arg)
{
    struct app *app = arg;

    app->info_pending = 0;
    free(app->problem);
    app->problem = NULL;
    if (rc == 0 && json_is_object(body)) {
        json_decref(app->info);
        app->info = json_incref(body); /* kept until the next answer */
        app->up = app->answered = 1;
        if (!app->stack[app->depth - 1].paused)
            app->view->update(app->vstate, body);
    } else {
        app->up = 0;
        if (rc == 0)
            app->problem = xstrdup("the engine answered /v1/info with no "
                                   "object");
        else if (!client_is_unreachable(rc))
            app->problem = xstrdup(err_last());
    }
    app->dirty = 1;
}

static void
app_make_body(struct app *app)
{
    if (app->body)
        delwin(app->body);
    app->body = newwin(LINES > 3 ? LINES - 3 : 1, COLS, LINES > 3 ? 2 : 0, 0);
}

/* " flowdeck  127.0.0.1:9460 ● up 2h13m   clock: real" */
static void
app_draw_title(struct app *app)
{
    const char *dot = app->utf8 ? "\u25cf" : "*";
    const json_t *clock = json_object_get(app->info, "clock");
    const char *mode = json_string_value(json_object_get(clock, "mode"));
    char text[64], dur[32];
    int x;

    x = w_text_put(stdscr, 0, 1, "flowdeck", theme_attr(THEME_TITLE));
    x = w_text_put(stdscr, 0, x + 2, app->hostport, A_NORMAL);
    if (app->up) {
        timefmt_duration(
            dur, sizeof(dur),
            json_integer_value(json_object_get(app->info, "uptime_ms")));
        snprintf(text, sizeof(text), "%s up %s", dot, dur);
        x = w_text_put(stdscr, 0, x + 1, text, theme_attr(THEME_UP));
    } else {
        snprintf(text, sizeof(text), "%s %s", dot,
                 app->answered || app->problem ? "down" : "connecting");
        x = w_text_put(stdscr, 0, x + 1, text, theme_attr(THEME_DOWN));
    }
    if (app->up && mode) { /* when down, the last mode may be stale */
        snprintf(text, sizeof(text), "clock: %s", mode);
        x = w_text_put(stdscr, 0, x + 3, text,
                       strcmp(mode, "real") == 0 ? A_NORMAL
                                                 : theme_attr(THEME_KEY));
    }
    if (app->stack[app->depth - 1].paused)
        w_text_put(stdscr, 0, x + 3, app->utf8 ? "\u23f8 paused" : "= paused",
                   theme_attr(THEME_BANNER));
}

static void
app_draw_banner(struct app *app)
{
    const char *dash = app->utf8 ? "\u2014" : "-";
    char text[600];

    if (app->flash && timefmt_mono_ms() < app->flash_until) {
        w_text_put(stdscr, 1, 1, app->flash, theme_attr(THEME_KEY));
        return;
    }
    if (app->up)
        return;
    if (app->problem)
        snprintf(text, sizeof(text), " engine error: %s ", app->problem);
    else if (app->answered)
        snprintf(text, sizeof(text), " engine not answering %s retrying ",
                 dash);
    else
        snprintf(text, sizeof(text), " waiting for the engine at %s ",
                 client_async_endpoint(app->api));
    w_text_put(stdscr, 1, 1, text, theme_attr(THEME_BANNER));
}

/* Returns: the binding of `key` in `keys` (may be NULL), or NULL */
static const struct keybind *
app_key_find(const struct keybind *keys, int key)
{
    for (const struct keybind *k = keys; k && k->key; k++)
        if (k->key == key)
            return k;
    return NULL;
}

/* footer from the key tables: " enter open  q quit"; on top of it the
 * ':' line while it is open */
static void
app_draw_footer(struct app *app)
{
    const struct keybind *tables[2] = {app->view->keys, app_keys};
    char buf[32];
    int x = 1;

    if (app->cmdline) {
        x = w_text_put(stdscr, LINES - 1, 0, ":", theme_attr(THEME_KEY));
        w_input_draw(stdscr, LINES - 1, x, COLS - x - 1, &app->cmd, 1);
        return;
    }
    for (int t = 0; t < 2; t++) {
        for (const struct keybind *k = tables[t]; k && k->key; k++) {
            if (k->help_only ||
                (t == 1 && app_key_find(app->view->keys, k->key)))
                continue;
            x = w_text_put(stdscr, LINES - 1, x,
                           app_key_label(k->key, buf, sizeof(buf), app->utf8),
                           theme_attr(THEME_KEY));
            x = w_text_put(stdscr, LINES - 1, x + 1, k->name, A_NORMAL) + 2;
        }
    }
}

/* "j/down" into buf: every key of `keys` bound like `k`; "" when an
 * earlier entry already listed them */
static const char *
app_help_label(const struct keybind *keys, const struct keybind *k, char *buf,
               size_t n, int utf8)
{
    char one[32];
    size_t len = 0;

    buf[0] = '\0';
    for (const struct keybind *e = keys; e < k; e++)
        if (e->fn == k->fn)
            return buf;
    for (const struct keybind *e = k; e->key; e++) {
        if (e->fn != k->fn)
            continue;
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s",
                                len ? "/" : "",
                                app_key_label(e->key, one, sizeof(one), utf8));
    }
    return buf;
}

/* the '?' box: every key of the screen, then the keys of every screen;
 * two columns when one does not fit */
static void
app_draw_help(struct app *app)
{
    const struct keybind *tables[2] = {app->view->keys, app_keys};
    const char *labels[64], *names[64];
    char bufs[64][40], title[64];
    int n = 0, rows, cols;
    WINDOW *in;

    for (int t = 0; t < 2; t++) {
        for (const struct keybind *k = tables[t]; k && k->key && n < 64; k++) {
            if ((t == 1 && app_key_find(app->view->keys, k->key)) ||
                *app_help_label(tables[t], k, bufs[n], sizeof(bufs[n]),
                                app->utf8) == '\0')
                continue;
            labels[n] = bufs[n];
            names[n++] = k->name;
        }
    }
    rows = getmaxy(app->body) - 4;
    if (rows < 1)
        rows = 1;
    cols = n > rows ? 2 : 1;
    rows = (n + cols - 1) / cols;
    snprintf(title, sizeof(title), "keys: %s", app->view->name);
    in = w_dialog_open(app->body, rows + 2, 34 * cols, title, app->utf8);
    if (in == NULL)
        return;
    for (int i = 0; i < n; i++) {
        int y = i % rows, x = 34 * (i / rows);

        w_text_put(in, y, x + 1, labels[i], theme_attr(THEME_KEY));
        w_text_put(in, y, x + 13, names[i], A_NORMAL);
    }
    w_text_put(in, rows + 1, 1, "any key closes", theme_attr(THEME_DIM));
    delwin(in);
}

static void
app_draw(struct app *app)
{
    struct timespec t0, t1;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    w_table_hits_clear();
    werase(stdscr);
    app_draw_title(app);
    app_draw_banner(app);
    app_draw_footer(app);
    wnoutrefresh(stdscr);
    app->view->draw(app->vstate, app->body);
    if (app->help)
        app_draw_help(app);
    wnoutrefresh(app->body);
    doupdate();
    app->dirty = 0;
    if (app->frame_stats) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        fprintf(app->frame_stats, "%lld\n",
                (long long)(t1.tv_sec - t0.tv_sec) * 1000000 +
                    (t1.tv_nsec - t0.tv_nsec) / 1000);
        fflush(app->frame_stats);
    }
}

/* Tab on the ':' line: complete the screen name typed so far */
static void
app_cmd_complete(struct app *app)
{
    const char *typed = app->cmd.text;
    const char *match = NULL;
    size_t n = strlen(typed), common = 0;
    const struct view_ops *v;

    if (strchr(typed, ' '))
        return;
    for (size_t i = 0; (v = views_at(i)) != NULL; i++) {
        if (strncmp(v->name, typed, n) != 0)
            continue;
        if (match == NULL) {
            match = v->name;
            common = strlen(match);
        } else {
            size_t c = 0;

            while (c < common && match[c] == v->name[c])
                c++;
            common = c;
        }
    }
    if (match == NULL) {
        app_flash(app, "no screen starts with '%s'", typed);
    } else if (common == strlen(match)) {
        char *s = xasprintf("%s ", match);

        w_input_set(&app->cmd, s);
        free(s);
    } else {
        char *s = xstrndup(match, common);

        w_input_set(&app->cmd, s);
        free(s);
    }
}

/* Enter on the ':' line: "queues", "queue jobs", "quit" */
static int
app_cmd_run(struct app *app)
{
    char *line = xstrdup(app->cmd.text), *name = line, *arg, *end;

    while (*name == ' ')
        name++;
    arg = strchr(name, ' ');
    if (arg) {
        *arg++ = '\0';
        while (*arg == ' ')
            arg++;
        end = arg + strlen(arg);
        while (end > arg && end[-1] == ' ')
            *--end = '\0';
    }
    app->cmdline = 0;
    if (strcmp(name, "q") == 0 || strcmp(name, "quit") == 0) {
        free(line);
        return VIEW_QUIT;
    }
    if (*name)
        app_open(app, name, arg && *arg ? arg : NULL);
    free(line);
    return VIEW_REDRAW;
}

static int
app_cmd_key(struct app *app, int ch)
{
    if (ch == '\t') {
        app_cmd_complete(app);
        return VIEW_REDRAW;
    }
    switch (w_input_key(&app->cmd, ch)) {
    case W_INPUT_ENTER:
        return app_cmd_run(app);
    case W_INPUT_CANCEL:
        app->cmdline = 0;
        return VIEW_REDRAW;
    default:
        return VIEW_REDRAW;
    }
}

/* Returns: VIEW_* bits from the first table with a binding for ch */
static int
app_dispatch(struct app *app, int ch)
{
    const struct keybind *k;

    if (app->cmdline)
        return app_cmd_key(app, ch);
    if (app->help) {
        app->help = 0;
        return VIEW_REDRAW;
    }
    if (app->view->grab && app->view->grab(app->vstate))
        return app->view->key(app->vstate, ch);
    if ((k = app_key_find(app->view->keys, ch)) != NULL)
        return k->fn(app->vstate);
    if ((k = app_key_find(app_keys, ch)) != NULL)
        return k->fn(app);
    return app->view->key ? app->view->key(app->vstate, ch) : 0;
}

static void app_key_apply(struct app *app, int r);

/* a click selects the table row under it, or opens the row already
 * selected; the wheel moves as the arrow keys do */
static void
app_mouse(struct app *app)
{
    MEVENT ev;
    struct w_table *t;
    size_t row;

    if (getmouse(&ev) != OK || app->help || app->cmdline ||
        (app->view->grab && app->view->grab(app->vstate)))
        return;
    if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
        for (int i = 0; i < 3; i++)
            app_key_apply(app, app_dispatch(app, ev.bstate & BUTTON4_PRESSED
                                                     ? KEY_UP
                                                     : KEY_DOWN));
        return;
    }
    if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED |
                       BUTTON1_DOUBLE_CLICKED)))
        return;
    t = w_table_hit(&row, ev.y, ev.x);
    if (t == NULL)
        return;
    if (row == t->sel || (ev.bstate & BUTTON1_DOUBLE_CLICKED)) {
        t->sel = row;
        app_key_apply(app, app_dispatch(app, '\r'));
        return;
    }
    t->sel = row;
    app->dirty = 1;
}

static void
app_key_apply(struct app *app, int r)
{
    if (r & VIEW_QUIT)
        app->quit = 1;
    if (r & VIEW_BACK)
        app_back(app);
    if (r & (VIEW_REDRAW | VIEW_HANDLED))
        app->dirty = 1;
}

static void
app_keys_read(struct app *app)
{
    int ch, r;

    while ((ch = getch()) != ERR) {
        if (ch == KEY_RESIZE) {
            app_make_body(app);
            app->dirty = 1;
            continue;
        }
        if (ch == KEY_MOUSE) {
            app_mouse(app);
            continue;
        }
        if (ch == '\n' || ch == KEY_ENTER)
            ch = '\r';
        r = app_dispatch(app, ch);
        app_key_apply(app, r);
    }
}

static int
app_open_terminal(struct app *app, const struct app_opts *opts)
{
    const char *cs = nl_langinfo(CODESET);

    app->utf8 = cs && strcmp(cs, "UTF-8") == 0;
    app->screen = newterm(NULL, stdout, stdin);
    if (app->screen == NULL)
        return err_set(ENG_ERR, "cannot use this terminal (TERM=%s)",
                       getenv("TERM") ? getenv("TERM") : "");
    set_term(app->screen);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    if (app->mouse) {
        /* presses, not clicks: a click waits out the double-click time */
        mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
    }
    if (theme_init(opts->theme) != 0)
        app_flash(app, "%s", err_last());
    return 0;
}

static void
app_loop(struct app *app)
{
    while (!app->quit && !app_stop) {
        int64_t now = timefmt_mono_ms();
        int64_t wait = APP_MAX_WAIT_MS;

        if (!app->info_pending && now >= app->next_poll) {
            client_async_get(app->api, "/v1/info", app_on_info, app);
            app->info_pending = 1;
            app->next_poll = now + APP_POLL_MS;
            app->tick_due = 1;
        }
        if (app->tick_at && now >= app->tick_at) {
            app->tick_at = 0;
            app->tick_due = 1;
        }
        if (app->tick_due) {
            app->tick_due = 0;
            if (app->view->tick && !app->stack[app->depth - 1].paused)
                app->view->tick(app->vstate);
        }
        if (app->flash && now >= app->flash_until) {
            free(app->flash);
            app->flash = NULL;
            app->dirty = 1;
        }
        if (app->dirty)
            app_draw(app);
        if (!app->info_pending)
            wait = app->next_poll - now;
        if (app->flash && app->flash_until - now < wait)
            wait = app->flash_until - now;
        if (app->tick_at && app->tick_at - now < wait)
            wait = app->tick_at - now;
        if (wait < 0)
            wait = 0;
        if (wait > APP_MAX_WAIT_MS)
            wait = APP_MAX_WAIT_MS;
        client_async_wait(app->api, STDIN_FILENO, (int)wait);
        client_async_run(app->api);
        app_keys_read(app);
    }
}

int
app_run(const char *endpoint, const char *token, const struct app_opts *opts)
{
    struct app app;
    struct sigaction sa, old_int, old_term;
    const char *stats = getenv("FLOWDECK_FRAME_STATS");
    int rc;

    memset(&app, 0, sizeof(app));
    app.mouse = opts->mouse;
    rc = app_open_terminal(&app, opts);
    if (rc)
        return rc;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = app_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    app.api = client_async_create(endpoint, token);
    client_endpoint_hostport(&app.hostport, client_async_endpoint(app.api));
    if (app.hostport == NULL)
        app.hostport = xstrdup(client_async_endpoint(app.api));
    if (stats && *stats)
        app.frame_stats = fopen(stats, "ae");
    app_make_body(&app);
    app_open(&app, views_at(0)->name, NULL);
    app_loop(&app);
    while (app.depth > 0) {
        app.depth--;
        app.stack[app.depth].ops->free(app.stack[app.depth].state);
        free(app.stack[app.depth].arg);
    }
    app_ahead_clear(&app);
    if (app.frame_stats)
        fclose(app.frame_stats);
    delwin(app.body);
    endwin();
    delscreen(app.screen);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    client_async_free(app.api); /* without callbacks: free their records */
    while (app.reqs) {
        struct app_req *r = app.reqs;

        app.reqs = r->next;
        free(r);
    }
    w_input_free(&app.cmd);
    free(app.flash);
    json_decref(app.info);
    free(app.problem);
    free(app.hostport);
    return 0;
}
