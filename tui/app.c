/*
 * app: the dashboard loop. Each turn it starts a GET /v1/info when one is
 * due (every second, never two at once), draws if something changed,
 * then waits in client_async_wait() for a key, an engine answer or the
 * next poll. Answers arrive through app_on_info(), which hands them to
 * the view. Screen chrome (title, banner, footer) is drawn here; the
 * view draws the body window. Single-threaded.
 */
#include "app.h"

#include "client/client.h"
#include "client/client_async.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "theme.h"
#include "view.h"
#include "views/views.h"
#include "widgets/w_text.h"

#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define APP_POLL_MS 1000
#define APP_MAX_WAIT_MS 1000

struct app {
    struct client_async *api;
    char *hostport; /* of the endpoint, for the title */
    SCREEN *screen;
    WINDOW *body; /* the view's window, between title and footer */
    const struct view_ops *view;
    void *vstate;
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

/* keys that work on every screen; they drive the footer too */
static const struct keybind app_keys[] = {
    {'q', "quit", app_key_quit},
    {'r', "refresh", app_key_refresh},
    {0, NULL, NULL},
};

static void
app_on_info(int rc, json_t *body, void *arg)
{
    struct app *app = arg;

    free(app->problem);
    app->problem = NULL;
    if (rc == 0 && json_is_object(body)) {
        json_decref(app->info);
        app->info = json_incref(body); /* kept until the next answer */
        app->up = app->answered = 1;
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
        w_text_put(stdscr, 0, x + 3, text,
                   strcmp(mode, "real") == 0 ? A_NORMAL
                                             : theme_attr(THEME_KEY));
    }
}

static void
app_draw_banner(struct app *app)
{
    const char *dash = app->utf8 ? "\u2014" : "-";
    char text[600];

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

/* footer from the key tables: " q quit  r refresh" */
static void
app_draw_footer(struct app *app)
{
    const struct keybind *tables[2] = {app->view->keys, app_keys};
    int x = 1;

    for (int t = 0; t < 2; t++) {
        for (const struct keybind *k = tables[t]; k && k->key; k++) {
            const char *label = keyname(k->key);

            x = w_text_put(stdscr, LINES - 1, x, label ? label : "?",
                           theme_attr(THEME_KEY));
            x = w_text_put(stdscr, LINES - 1, x + 1, k->name, A_NORMAL) + 2;
        }
    }
}

static void
app_draw(struct app *app)
{
    werase(stdscr);
    app_draw_title(app);
    app_draw_banner(app);
    app_draw_footer(app);
    wnoutrefresh(stdscr);
    app->view->draw(app->vstate, app->body);
    wnoutrefresh(app->body);
    doupdate();
    app->dirty = 0;
}

/* Returns: VIEW_* bits from the first table with a binding for ch */
static int
app_dispatch(struct app *app, int ch)
{
    for (const struct keybind *k = app->view->keys; k && k->key; k++)
        if (k->key == ch)
            return k->fn(app->vstate);
    for (const struct keybind *k = app_keys; k->key; k++)
        if (k->key == ch)
            return k->fn(app);
    return app->view->key ? app->view->key(app->vstate, ch) : 0;
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
        r = app_dispatch(app, ch);
        if (r & VIEW_QUIT)
            app->quit = 1;
        if (r & (VIEW_REDRAW | VIEW_HANDLED))
            app->dirty = 1;
    }
}

static int
app_open_terminal(struct app *app)
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
    theme_init();
    return 0;
}

static void
app_loop(struct app *app)
{
    while (!app->quit && !app_stop) {
        int64_t now = timefmt_mono_ms();
        int64_t wait = APP_MAX_WAIT_MS;

        if (client_async_pending(app->api) == 0 && now >= app->next_poll) {
            client_async_get(app->api, "/v1/info", app_on_info, app);
            app->next_poll = now + APP_POLL_MS;
        }
        if (app->dirty)
            app_draw(app);
        if (client_async_pending(app->api) == 0)
            wait = app->next_poll - now;
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
app_run(const char *endpoint, const char *token)
{
    struct app app;
    struct sigaction sa, old_int, old_term;
    int rc;

    memset(&app, 0, sizeof(app));
    app.view = views_find("home");
    rc = app_open_terminal(&app);
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
    app.vstate = app.view->create(&app);
    app_make_body(&app);
    app.dirty = 1;
    app_loop(&app);
    app.view->free(app.vstate);
    delwin(app.body);
    endwin();
    delscreen(app.screen);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    client_async_free(app.api);
    json_decref(app.info);
    free(app.problem);
    free(app.hostport);
    return 0;
}
