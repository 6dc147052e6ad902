/*
 * app: the dashboard. Owns the terminal, the loop, the non-blocking
 * engine client and the stack of views. The loop waits on stdin and the
 * engine's sockets together, so drawing never waits for the engine.
 */
#ifndef FLOWDECK_APP_H
#define FLOWDECK_APP_H

#include <jansson.h>

struct app;

/* how the dashboard looks and listens, from the command line */
struct app_opts {
    int mouse;         /* 1: clicks and the wheel; 0: the terminal's */
    const char *theme; /* a theme's name or path, or NULL: FLOWDECK_THEME */
};

/*
 * Run the dashboard against the engine at `endpoint` (`token` may be
 * NULL) until the user quits. Returns: 0, or ENG_ERR when the terminal
 * cannot be used.
 */
int app_run(const char *endpoint, const char *token,
            const struct app_opts *opts);

/*
 * Start `method` `path` with an optional JSON `body` (borrowed). `done`
 * runs later from the loop, as client_async_get() describes, and the
 * screen is drawn again after it. `arg` must be the calling view's state:
 * answers that arrive after that view closed are dropped.
 */
void app_request(struct app *app, const char *method, const char *path,
                 json_t *body, void (*done)(int rc, json_t *body, void *arg),
                 void *arg);

/* Ask for the top view's tick again in `ms` ms, sooner than the usual
 * second (a view that polls faster, such as a log it follows). The
 * earliest request wins; the usual tick still comes every second. */
void app_tick_after(struct app *app, int ms);

/* Open the view named `name` over the current one, with `arg` (may be
 * NULL). Safe from a key handler. Returns: 0, or -1 with a flash. */
int app_open(struct app *app, const char *name, const char *arg);

/* Show a one-line message for a few seconds. */
void app_flash(struct app *app, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Put `text` on the clipboard through the terminal: the OSC 52 escape
 * (terminals and tmux with set-clipboard take it; others ignore it), and
 * flash "copied WHAT: TEXT" so it can be selected by hand too.
 */
void app_copy(struct app *app, const char *what, const char *text);

/* Returns: 1 when the terminal takes UTF-8 (else draw in ASCII). */
int app_utf8(const struct app *app);

#endif
