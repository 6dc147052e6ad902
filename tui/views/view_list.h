/*
 * view_list: the data of a list screen: one GET of {"items": [...]},
 * asked again on each tick (never two at once), and the rows that pass
 * the screen's '/' filter. The screens of flows, queues, topics,
 * functions, templates and stacks each hold one and draw it their way.
 */
#ifndef FLOWDECK_VIEW_LIST_H
#define FLOWDECK_VIEW_LIST_H

#include "widgets/w_filter.h"
#include "widgets/w_table.h"

#include <jansson.h>
#include <stddef.h>

struct app;

struct view_list {
    struct app *app;
    const char *path;        /* "/v1/stacks" (a literal) */
    const char *what;        /* "stacks": "no list of stacks" */
    const char *const *keys; /* the text fields the filter tries; an item
                              * without the first is never shown */
    void (*loaded)(struct view_list *l); /* after each new list; may be
                                          * NULL */
    json_t *items; /* the last list, or NULL before the first answer */
    char *error;   /* the last refresh's error, or NULL */
    int inflight;  /* a refresh is running */
    struct w_table table;
    size_t *shown; /* indexes into items that pass the filter */
    size_t nshown;
    struct w_filter filter; /* the '/' line */
};

/*
 * Set up `l` (zeroed) with its pattern `filter` (NULL: none). `l` must be
 * the first member of the view's state: its requests are the view's, and
 * answers after the view closed are dropped by that address.
 */
void view_list_init(struct view_list *l, struct app *app, const char *path,
                    const char *what, const char *const *keys,
                    const char *filter);

void view_list_free(struct view_list *l);

/* Ask for the list again, unless an answer is still awaited. */
void view_list_tick(struct view_list *l);

/* Compile the pattern as typed (flashing when it is no regular
 * expression) and filter again. */
void view_list_compile(struct view_list *l);

/* Filter the items again into shown / the table's rows. */
void view_list_apply(struct view_list *l);

/*
 * The keys every list screen shares, for its keybind table and view_ops:
 * `state` is the view's state, whose first member is its view_list.
 * filter opens the '/' line; down and up move the selection; grab says
 * whether the '/' line takes the keys; key feeds it one (the filter
 * applies as it is typed), returning 0 when the line is closed.
 */
int view_list_filter(void *state);
int view_list_down(void *state);
int view_list_up(void *state);
int view_list_grab(void *state);
int view_list_key(void *state, int ch);

/* Returns: borrowed; the item on table row `row`, or NULL. */
const json_t *view_list_row(const struct view_list *l, size_t row);

#endif
