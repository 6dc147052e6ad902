/*
 * view: the interface every dashboard screen implements (one file per
 * screen in views/, listed in views/views.c). A view owns its private
 * state; the app owns the loop, the window and the engine requests, and
 * hands the view data to show. Key handlers return VIEW_* bits instead of
 * calling into the loop.
 */
#ifndef FLOWDECK_VIEW_H
#define FLOWDECK_VIEW_H

#include <curses.h>
#include <jansson.h>

struct app;

enum {
    VIEW_HANDLED = 1 << 0, /* the key was used */
    VIEW_REDRAW = 1 << 1,  /* draw again */
    VIEW_QUIT = 1 << 2     /* leave the dashboard */
};

struct keybind {
    int key;                /* a character or KEY_* */
    const char *name;       /* what it does, for the footer and help */
    int (*fn)(void *state); /* Returns: VIEW_* bits */
};

struct view_ops {
    const char *name; /* "home" */
    /* Returns: the view's private state; never NULL. */
    void *(*create)(struct app *app);
    void (*free)(void *state);
    /* draw everything into `win`, which the app sized and will refresh */
    void (*draw)(void *state, WINDOW *win);
    /* a key no keybind took, or NULL. Returns: VIEW_* bits */
    int (*key)(void *state, int ch);
    /* the engine's /v1/info, just fetched; borrowed */
    void (*update)(void *state, json_t *data);
    const struct keybind *keys; /* ends with key 0; NULL for none */
};

#endif
