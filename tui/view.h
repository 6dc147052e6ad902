/*
 * view: the interface every dashboard screen implements (one file per
 * screen in views/, listed in views/views.c). A view owns its private
 * state; the app owns the loop, the window and the engine requests, and
 * hands the view data to show. Views stack: one opens another with
 * app_open(), Esc (or VIEW_BACK) returns to the one below. Key handlers
 * return VIEW_* bits instead of calling into the loop.
 */
#ifndef FLOWDECK_VIEW_H
#define FLOWDECK_VIEW_H

#include <curses.h>
#include <jansson.h>

struct app;

enum {
    VIEW_HANDLED = 1 << 0, /* the key was used */
    VIEW_REDRAW = 1 << 1,  /* draw again */
    VIEW_QUIT = 1 << 2,    /* leave the dashboard */
    VIEW_BACK = 1 << 3     /* close this view, back to the one below */
};

struct keybind {
    int key;                /* a character or KEY_*; Enter is '\r' */
    const char *name;       /* what it does, for the footer and help */
    int (*fn)(void *state); /* Returns: VIEW_* bits */
    int help_only;          /* 1: listed by ?, not in the footer */
};

struct view_ops {
    const char *name; /* "home" */
    /* Returns: the view's private state; never NULL. `arg` (may be
     * NULL) is what the view was opened with: ":queue jobs" gives "jobs" */
    void *(*create)(struct app *app, const char *arg);
    void (*free)(void *state);
    /* draw everything into `win`, which the app sized and will refresh */
    void (*draw)(void *state, WINDOW *win);
    /* a key no keybind took, or NULL. Returns: VIEW_* bits */
    int (*key)(void *state, int ch);
    /* the engine's /v1/info, just fetched; borrowed */
    void (*update)(void *state, json_t *data);
    /* time to refresh (every second while on top, and when it comes on
     * top): start requests with app_request(); NULL for none */
    void (*tick)(void *state);
    /* Returns: 1 while the view takes every key through `key` (a dialog
     * or a line editor is open); NULL: never */
    int (*grab)(void *state);
    const struct keybind *keys; /* ends with key 0; NULL for none */
};

#endif
