/*
 * view_queue: a page of peeked messages, the queue's counts and, for a
 * queue with a dead-letter queue, that queue's size; all refreshed every
 * second, one request of each kind at a time.
 *
 * Paging keeps a stack of the cursors of the pages walked, so p goes
 * back without asking. G (and p from a page reached by G) asks the
 * engine for the page that ends before a cursor (`before=end` for the
 * last one) and goes on from the cursor that page names itself ("self"),
 * so no page is ever found by walking the queue.
 */
#include "views/view_queue.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "text.h"
#include "theme.h"
#include "widgets/w_dialog.h"
#include "widgets/w_input.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VIEW_QUEUE_PAGE 50
#define VIEW_QUEUE_BODY_MAX 1000 /* bytes of a body shown in a row */

enum view_queue_mode {
    VIEW_QUEUE_BROWSE,
    VIEW_QUEUE_DELETE, /* asking y/n */
    VIEW_QUEUE_PURGE,  /* asking y/n */
    VIEW_QUEUE_SEND    /* the send form is open */
};

enum {
    VIEW_QUEUE_BODY,
    VIEW_QUEUE_PRIORITY,
    VIEW_QUEUE_DELAY,
    VIEW_QUEUE_FIELDS
};

/* the state filter, in the order f cycles through it; key in counts */
static const struct {
    const char *name, *count, *label;
} view_queue_states[] = {
    {"all", "total", "all"},
    {"visible", "visible", "visible"},
    {"in_flight", "in_flight", "in flight"},
    {"delayed", "delayed", "delayed"},
};
#define VIEW_QUEUE_NSTATES                                                     \
    (int)(sizeof(view_queue_states) / sizeof(view_queue_states[0]))

struct view_queue {
    struct app *app;
    char *name;           /* the queue */
    char *path;           /* "/v1/queues/<name, escaped>" */
    json_t *queue;        /* its attributes and counts, or NULL */
    json_int_t dlq_total; /* messages in its dead-letter queue; -1: unknown */
    int queue_busy, dlq_busy;
    char *error; /* the last failed request's message, or NULL */

    json_t *items;    /* the page shown, or NULL before the first */
    int64_t next;     /* the page's "next"; -1 on the last page */
    int64_t *cursors; /* cursors[depth - 1] is the page's; 0: the start */
    size_t depth, cap;
    json_int_t start; /* position of the page's first row, from 1 */
    int state;        /* index in view_queue_states */
    int page_busy;
    int64_t sent_cursor; /* of the page request running */
    int sent_state;
    int select_last; /* select the last row when the page comes */

    int64_t prev; /* the page's "prev" (a `before` cursor); -1: first page */
    int seeking;  /* finding a page's cursor; paging waits */
    json_int_t seek_start;

    struct w_table table;
    json_t *marks; /* {id: true} for redrive */
    enum view_queue_mode mode;
    struct w_input form[VIEW_QUEUE_FIELDS];
    int field;
    char cell[VIEW_QUEUE_BODY_MAX + 64];
};

static void view_queue_load(struct view_queue *v);
static void view_queue_on_seek(int rc, json_t *body, void *arg);

static const char *
view_queue_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* messages the current filter counts, from the queue's counts */
static json_int_t
view_queue_total(const struct view_queue *v)
{
    return json_integer_value(
        json_object_get(json_object_get(v->queue, "counts"),
                        view_queue_states[v->state].count));
}

static int
view_queue_is_dlq(const struct view_queue *v)
{
    return json_array_size(json_object_get(v->queue, "dead_letter_sources")) >
           0;
}

static void
view_queue_set_error(struct view_queue *v, int rc)
{
    free(v->error);
    v->error = rc ? xstrdup(err_last()) : NULL;
}

/* ---- the queue and its dead-letter queue ---- */

static void
view_queue_on_queue(int rc, json_t *body, void *arg)
{
    struct view_queue *v = arg;

    v->queue_busy = 0;
    view_queue_set_error(v, rc);
    if (rc == 0 && json_is_object(body)) {
        json_decref(v->queue);
        v->queue = json_incref(body);
    }
}

static void
view_queue_on_dlq(int rc, json_t *body, void *arg)
{
    struct view_queue *v = arg;

    v->dlq_busy = 0;
    v->dlq_total = rc ? -1
                      : json_integer_value(json_object_get(
                            json_object_get(body, "counts"), "total"));
}

/* ---- pages ---- */

static void
view_queue_on_page(int rc, json_t *body, void *arg)
{
    struct view_queue *v = arg;
    const char *next = view_queue_str(body, "next");
    json_t *items = json_object_get(body, "items");

    v->page_busy = 0;
    if (v->sent_cursor != v->cursors[v->depth - 1] ||
        v->sent_state != v->state) {
        view_queue_load(v); /* the user moved on meanwhile */
        return;
    }
    view_queue_set_error(v, rc);
    if (rc != 0 || !json_is_array(items))
        return;
    if (json_array_size(items) == 0 && v->depth > 1) {
        v->depth--; /* the page emptied: back to the one before */
        v->start -= VIEW_QUEUE_PAGE;
        view_queue_load(v);
        return;
    }
    json_decref(v->items);
    v->items = json_incref(items);
    v->next = next ? strtoll(next, NULL, 10) : -1;
    v->prev = view_queue_str(body, "prev")
                  ? strtoll(view_queue_str(body, "prev"), NULL, 10)
                  : -1;
    w_table_set_rows(&v->table, json_array_size(items));
    if (v->select_last) {
        v->table.sel = v->table.rows ? v->table.rows - 1 : 0;
        v->select_last = 0;
    }
}

static char *
view_queue_page_path(const struct view_queue *v, int64_t cursor, int limit)
{
    return xasprintf("%s/messages?state=%s&limit=%d&cursor=%lld", v->path,
                     view_queue_states[v->state].name, limit,
                     (long long)cursor);
}

static void
view_queue_load(struct view_queue *v)
{
    char *path;

    if (v->page_busy || v->seeking)
        return;
    v->page_busy = 1;
    v->sent_cursor = v->cursors[v->depth - 1];
    v->sent_state = v->state;
    path = view_queue_page_path(v, v->sent_cursor, VIEW_QUEUE_PAGE);
    app_request(v->app, "GET", path, NULL, view_queue_on_page, v);
    free(path);
}

static void
view_queue_push(struct view_queue *v, int64_t cursor)
{
    if (v->depth == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 64;
        v->cursors = xreallocarray(v->cursors, v->cap, sizeof(*v->cursors));
    }
    v->cursors[v->depth++] = cursor;
}

/* show the page starting after `cursor`, forgetting the pages walked */
static void
view_queue_goto(struct view_queue *v, int64_t cursor, json_int_t start)
{
    v->depth = 0;
    view_queue_push(v, cursor);
    v->start = start < 1 ? 1 : start;
    v->table.sel = 0;
    view_queue_load(v);
}

/* ---- finding a page without walking to it ---- */

static void
view_queue_on_seek(int rc, json_t *body, void *arg)
{
    struct view_queue *v = arg;
    const char *self = view_queue_str(body, "self");

    if (!v->seeking)
        return; /* given up meanwhile */
    v->seeking = 0;
    view_queue_set_error(v, rc);
    if (rc != 0 || self == NULL) {
        view_queue_load(v);
        return;
    }
    view_queue_goto(v, strtoll(self, NULL, 10), v->seek_start);
}

/* show the page of the `want` messages before the cursor `before` ("end":
 * the last ones), at position `start` */
static void
view_queue_seek(struct view_queue *v, const char *before, int want,
                json_int_t start)
{
    char *path;

    if (v->seeking) {
        app_flash(v->app, "still finding the page");
        return;
    }
    v->seeking = 1;
    v->seek_start = start;
    path = xasprintf("%s/messages?state=%s&limit=%d&before=%s", v->path,
                     view_queue_states[v->state].name, want, before);
    app_request(v->app, "GET", path, NULL, view_queue_on_seek, v);
    free(path);
}

/* ---- keys: moving ---- */

static int
view_queue_next_page(void *state)
{
    struct view_queue *v = state;

    if (v->seeking || v->items == NULL || v->next < 0)
        return VIEW_HANDLED;
    v->start += (json_int_t)json_array_size(v->items);
    view_queue_push(v, v->next);
    v->table.sel = 0;
    view_queue_load(v);
    return VIEW_REDRAW;
}

static int
view_queue_prev_page(void *state)
{
    struct view_queue *v = state;
    json_t *first = json_array_get(v->items, 0);

    if (v->seeking)
        return VIEW_HANDLED;
    if (v->depth > 1) {
        v->depth--;
        v->start -= VIEW_QUEUE_PAGE;
        if (v->start < 1)
            v->start = 1;
        v->table.sel = 0;
        view_queue_load(v);
    } else if (v->cursors[0] != 0) { /* reached by G: ask the engine */
        char before[24];

        if (v->start <= VIEW_QUEUE_PAGE + 1 || first == NULL ||
            v->prev < 0) {
            view_queue_goto(v, 0, 1);
        } else {
            snprintf(before, sizeof(before), "%lld", (long long)v->prev);
            view_queue_seek(v, before, VIEW_QUEUE_PAGE,
                            v->start - VIEW_QUEUE_PAGE);
        }
    }
    return VIEW_REDRAW;
}

static int
view_queue_first_page(void *state)
{
    struct view_queue *v = state;

    if (!v->seeking)
        view_queue_goto(v, 0, 1);
    return VIEW_REDRAW;
}

static int
view_queue_last_page(void *state)
{
    struct view_queue *v = state;
    json_int_t total = view_queue_total(v);
    int rem = (int)(total % VIEW_QUEUE_PAGE);

    if (v->seeking || v->queue == NULL)
        return VIEW_HANDLED;
    v->select_last = 1;
    if (total <= VIEW_QUEUE_PAGE) {
        view_queue_goto(v, 0, 1);
        v->select_last = 1;
        return VIEW_REDRAW;
    }
    if (rem == 0)
        rem = VIEW_QUEUE_PAGE;
    view_queue_seek(v, "end", rem, total - rem + 1);
    return VIEW_REDRAW;
}

static int
view_queue_down(void *state)
{
    w_table_move(&((struct view_queue *)state)->table, 1);
    return VIEW_REDRAW;
}

static int
view_queue_up(void *state)
{
    w_table_move(&((struct view_queue *)state)->table, -1);
    return VIEW_REDRAW;
}

static int
view_queue_cycle_state(void *state)
{
    struct view_queue *v = state;

    v->seeking = 0;
    v->state = (v->state + 1) % VIEW_QUEUE_NSTATES;
    view_queue_goto(v, 0, 1);
    return VIEW_REDRAW;
}

static const json_t *
view_queue_selected(const struct view_queue *v)
{
    return v->table.rows ? json_array_get(v->items, v->table.sel) : NULL;
}

static int
view_queue_detail(void *state)
{
    struct view_queue *v = state;
    const char *id = view_queue_str(view_queue_selected(v), "id");
    char *arg;

    if (id == NULL)
        return VIEW_HANDLED;
    arg = xasprintf("%s/%s", v->name, id);
    app_open(v->app, "message", arg);
    free(arg);
    return VIEW_REDRAW;
}

/* ---- keys: actions ---- */

static void
view_queue_refresh(struct view_queue *v)
{
    const char *dlq = view_queue_str(v->queue, "dead_letter_queue");

    if (!v->queue_busy) {
        v->queue_busy = 1;
        app_request(v->app, "GET", v->path, NULL, view_queue_on_queue, v);
    }
    if (dlq && !v->dlq_busy) {
        char *esc = client_escape(dlq);
        char *path = xasprintf("/v1/queues/%s", esc);

        v->dlq_busy = 1;
        app_request(v->app, "GET", path, NULL, view_queue_on_dlq, v);
        free(path);
        free(esc);
    }
    view_queue_load(v);
}

/* the answer to an action: say how it went, show what changed */
static void
view_queue_on_action(struct view_queue *v, int rc, const char *what)
{
    if (rc)
        app_flash(v->app, "%s failed: %s", what, err_last());
    view_queue_refresh(v);
}

static void
view_queue_on_sent(int rc, json_t *body, void *arg)
{
    struct view_queue *v = arg;

    if (rc == 0)
        app_flash(v->app, "sent %s", view_queue_str(body, "id"));
    view_queue_on_action(v, rc, "send");
}

static void
view_queue_on_deleted(int rc, json_t *body, void *arg)
{
    struct view_queue *v = arg;

    (void)body;
    if (rc == 0)
        app_flash(v->app, "deleted the message");
    view_queue_on_action(v, rc, "delete");
}

static void
view_queue_on_purged(int rc, json_t *body, void *arg)
{
    struct view_queue *v = arg;

    if (rc == 0)
        app_flash(
            v->app, "purged %lld messages",
            (long long)json_integer_value(json_object_get(body, "purged")));
    view_queue_on_action(v, rc, "purge");
}

static void
view_queue_on_redriven(int rc, json_t *body, void *arg)
{
    struct view_queue *v = arg;

    if (rc == 0) {
        app_flash(v->app, "redrove %lld messages to their source%s",
                  (long long)json_integer_value(json_object_get(body, "moved")),
                  json_array_size(json_object_get(body, "failed"))
                      ? "; some failed"
                      : "");
        json_object_clear(v->marks);
    }
    view_queue_on_action(v, rc, "redrive");
}

static int
view_queue_ask(struct view_queue *v, enum view_queue_mode mode)
{
    if (mode == VIEW_QUEUE_DELETE && view_queue_selected(v) == NULL)
        return VIEW_HANDLED;
    v->mode = mode;
    return VIEW_REDRAW;
}

static int
view_queue_key_delete(void *state)
{
    return view_queue_ask(state, VIEW_QUEUE_DELETE);
}

static int
view_queue_key_purge(void *state)
{
    return view_queue_ask(state, VIEW_QUEUE_PURGE);
}

static int
view_queue_key_send(void *state)
{
    struct view_queue *v = state;

    for (int i = 0; i < VIEW_QUEUE_FIELDS; i++)
        w_input_set(&v->form[i], NULL);
    v->field = VIEW_QUEUE_BODY;
    return view_queue_ask(v, VIEW_QUEUE_SEND);
}

static int
view_queue_key_mark(void *state)
{
    struct view_queue *v = state;
    const char *id = view_queue_str(view_queue_selected(v), "id");

    if (!view_queue_is_dlq(v)) {
        app_flash(v->app, "marks are for redrive, in a dead-letter queue");
        return VIEW_HANDLED;
    }
    if (id == NULL)
        return VIEW_HANDLED;
    if (json_object_get(v->marks, id))
        json_object_del(v->marks, id);
    else
        json_object_set_new(v->marks, id, json_true());
    w_table_move(&v->table, 1);
    return VIEW_REDRAW;
}

static int
view_queue_key_redrive(void *state)
{
    struct view_queue *v = state;
    const char *id = view_queue_str(view_queue_selected(v), "id");
    json_t *ids, *body;
    const char *key;
    json_t *val;
    char *path;

    if (!view_queue_is_dlq(v)) {
        app_flash(v->app, "r redrives from a dead-letter queue; %s is none",
                  v->name);
        return VIEW_HANDLED;
    }
    ids = json_array();
    json_object_foreach(v->marks, key, val)
    {
        json_array_append_new(ids, json_string(key));
    }
    if (json_array_size(ids) == 0 && id)
        json_array_append_new(ids, json_string(id));
    if (json_array_size(ids) == 0) {
        json_decref(ids);
        return VIEW_HANDLED;
    }
    body = json_pack("{s:o}", "ids", ids);
    path = xasprintf("%s/redrive", v->path);
    app_request(v->app, "POST", path, body, view_queue_on_redriven, v);
    free(path);
    json_decref(body);
    return VIEW_REDRAW;
}

/* Returns: 0 and *out, or -1 when `s` is not a whole number in range */
static int
view_queue_parse_int(long *out, const char *s, long lo, long hi)
{
    char *end;
    long n;

    if (s == NULL || *s == '\0')
        return -1;
    n = strtol(s, &end, 10);
    if (*end != '\0' || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

static void
view_queue_send(struct view_queue *v)
{
    const char *pri = v->form[VIEW_QUEUE_PRIORITY].text;
    const char *delay = v->form[VIEW_QUEUE_DELAY].text;
    json_t *msg;
    char *path;
    long n;

    if (*v->form[VIEW_QUEUE_BODY].text == '\0') {
        app_flash(v->app, "the body is empty");
        return;
    }
    msg = json_pack("{s:s}", "body", v->form[VIEW_QUEUE_BODY].text);
    if (*pri) {
        if (view_queue_parse_int(&n, pri, 1, 16)) {
            app_flash(v->app, "priority is 1 (highest) to 16");
            json_decref(msg);
            return;
        }
        json_object_set_new(msg, "priority", json_integer(n));
    }
    if (*delay) {
        if (view_queue_parse_int(&n, delay, 0, 604800)) {
            app_flash(v->app, "delay is 0 to 604800 seconds");
            json_decref(msg);
            return;
        }
        json_object_set_new(msg, "delay_seconds", json_integer(n));
    }
    path = xasprintf("%s/messages", v->path);
    app_request(v->app, "POST", path, msg, view_queue_on_sent, v);
    free(path);
    json_decref(msg);
    v->mode = VIEW_QUEUE_BROWSE;
}

static int
view_queue_form_key(struct view_queue *v, int ch)
{
    switch (ch) {
    case '\t':
    case KEY_DOWN:
        v->field = (v->field + 1) % VIEW_QUEUE_FIELDS;
        return VIEW_REDRAW;
    case KEY_BTAB:
    case KEY_UP:
        v->field = (v->field + VIEW_QUEUE_FIELDS - 1) % VIEW_QUEUE_FIELDS;
        return VIEW_REDRAW;
    default:
        break;
    }
    switch (w_input_key(&v->form[v->field], ch)) {
    case W_INPUT_ENTER:
        view_queue_send(v);
        break;
    case W_INPUT_CANCEL:
        v->mode = VIEW_QUEUE_BROWSE;
        break;
    default:
        break;
    }
    return VIEW_REDRAW;
}

/* keys while a question or the form is open */
static int
view_queue_key(void *state, int ch)
{
    struct view_queue *v = state;
    const char *id = view_queue_str(view_queue_selected(v), "id");
    char *path;

    if (v->mode == VIEW_QUEUE_SEND)
        return view_queue_form_key(v, ch);
    if (v->mode == VIEW_QUEUE_BROWSE)
        return 0;
    if (ch == 'y' || ch == 'Y') {
        if (v->mode == VIEW_QUEUE_PURGE) {
            path = xasprintf("%s/purge", v->path);
            app_request(v->app, "POST", path, NULL, view_queue_on_purged, v);
            free(path);
        } else if (id) {
            char *esc = client_escape(id);

            path = xasprintf("%s/messages/%s", v->path, esc);
            app_request(v->app, "DELETE", path, NULL, view_queue_on_deleted, v);
            free(path);
            free(esc);
        }
    }
    v->mode = VIEW_QUEUE_BROWSE; /* any other key: no */
    return VIEW_REDRAW;
}

static int
view_queue_grab(void *state)
{
    return ((struct view_queue *)state)->mode != VIEW_QUEUE_BROWSE;
}

/* ---- drawing ---- */

static int
view_queue_mark(void *ctx, size_t row)
{
    struct view_queue *v = ctx;
    const char *id = view_queue_str(json_array_get(v->items, row), "id");

    return id && json_object_get(v->marks, id) != NULL;
}

/* the body on one line: control characters become spaces */
static void
view_queue_body_line(char *out, size_t n, const char *body)
{
    size_t i = 0;

    for (; body && *body && i + 1 < n; body++)
        out[i++] = (unsigned char)*body < 0x20 || *body == 0x7f ? ' ' : *body;
    out[i] = '\0';
}

static const char *
view_queue_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_queue *v = ctx;
    const json_t *m = json_array_get(v->items, row);
    const char *st = view_queue_str(m, "state"), *id;
    time_t t;
    struct tm tm;
    size_t len;

    switch (col) {
    case 0:
        if (st && strcmp(st, "in_flight") == 0) {
            *attr = theme_attr(THEME_KEY);
            return "in flight";
        }
        if (st && strcmp(st, "delayed") == 0)
            *attr = theme_attr(THEME_DIM);
        return st;
    case 1: /* "000000000000002A-EB78..." as "2A-EB78..." */
        id = view_queue_str(m, "id");
        while (id && id[0] == '0' && id[1] != '-' && id[1])
            id++;
        return id;
    case 2:
    case 4:
        snprintf(v->cell, sizeof(v->cell), "%lld",
                 (long long)json_integer_value(json_object_get(
                     m, col == 2 ? "priority" : "dequeue_count")));
        return v->cell;
    case 3:
        t = (time_t)(json_integer_value(json_object_get(m, "enqueued_ms")) /
                     1000);
        localtime_r(&t, &tm);
        strftime(v->cell, sizeof(v->cell), "%H:%M:%S", &tm);
        return v->cell;
    default:
        view_queue_body_line(v->cell, VIEW_QUEUE_BODY_MAX,
                             view_queue_str(m, "body"));
        if (st && strcmp(st, "delayed") == 0) {
            json_int_t ms =
                json_integer_value(json_object_get(m, "next_visible_ms")) -
                (json_int_t)time(NULL) * 1000;

            len = strlen(v->cell);
            snprintf(v->cell + len, sizeof(v->cell) - len, "  visible in %llds",
                     (long long)(ms > 0 ? ms / 1000 : 0));
        }
        return v->cell;
    }
}

static const struct w_table_col view_queue_cols[] = {
    {"STATE", 9, 0},    {"ID", 12, 0}, {"PRI", 3, 1},
    {"ENQUEUED", 8, 0}, {"DEQ", 3, 1}, {"BODY", 0, 0},
};

/* ":queues jobs   visible 120 · in flight 3 · delayed 5 · dead letters
 * → jobs-dlq (3)      peek never consumes" */
static void
view_queue_draw_header(struct view_queue *v, WINDOW *win)
{
    const json_t *c = json_object_get(v->queue, "counts");
    const char *dlq = view_queue_str(v->queue, "dead_letter_queue");
    const json_t *src = json_object_get(v->queue, "dead_letter_sources");
    int utf8 = app_utf8(v->app), x, w = getmaxx(win);
    const char *dot = utf8 ? " \u00b7 " : ", ";
    char text[512], more[300] = "";
    const char *note = "peek never consumes";

    x = w_text_put(win, 0, 1, ":queues", theme_attr(THEME_TITLE));
    x = w_text_put(win, 0, x + 1, v->name, theme_attr(THEME_TITLE));
    if (v->queue == NULL)
        return;
    if (dlq && v->dlq_total >= 0)
        snprintf(more, sizeof(more), "%sdead letters %s %s (%lld)", dot,
                 utf8 ? "\u2192" : "->", dlq, (long long)v->dlq_total);
    else if (dlq)
        snprintf(more, sizeof(more), "%sdead letters %s %s", dot,
                 utf8 ? "\u2192" : "->", dlq);
    else if (json_array_size(src))
        snprintf(more, sizeof(more), "%sdead letters from %s%s", dot,
                 json_string_value(json_array_get(src, 0)),
                 json_array_size(src) > 1 ? " ..." : "");
    snprintf(text, sizeof(text), "visible %lld%sin flight %lld%sdelayed %lld%s",
             (long long)json_integer_value(json_object_get(c, "visible")), dot,
             (long long)json_integer_value(json_object_get(c, "in_flight")),
             dot, (long long)json_integer_value(json_object_get(c, "delayed")),
             more);
    x = w_text_put(win, 0, x + 2, text, A_NORMAL);
    if (x + 3 + (int)strlen(note) < w)
        w_text_put(win, 0, w - (int)strlen(note) - 1, note,
                   theme_attr(THEME_DIM));
}

/* "state all      1–50 of 128   n/b page   G end" */
static void
view_queue_draw_pager(struct view_queue *v, WINDOW *win, int y)
{
    const char *dash = app_utf8(v->app) ? "\u2013" : "-";
    size_t n = json_array_size(v->items);
    char text[128];
    int x;

    x = w_text_put(win, y, 1, "f", theme_attr(THEME_KEY));
    x = w_text_put(win, y, x + 1, "state", A_NORMAL);
    x = w_text_put(win, y, x + 1, view_queue_states[v->state].label,
                   theme_attr(THEME_LABEL));
    if (json_object_size(v->marks))
        snprintf(text, sizeof(text), "%zu marked", json_object_size(v->marks));
    else
        text[0] = '\0';
    w_text_put(win, y, x + 3, text, theme_attr(THEME_KEY));
    if (v->seeking)
        snprintf(text, sizeof(text), "finding the page...");
    else if (n == 0)
        snprintf(text, sizeof(text), "0 of %lld   n/b page   G end",
                 (long long)view_queue_total(v));
    else
        snprintf(text, sizeof(text), "%lld%s%lld of %lld   n/b page   G end",
                 (long long)v->start, dash,
                 (long long)(v->start + (json_int_t)n - 1),
                 (long long)view_queue_total(v));
    w_text_put(win, y, getmaxx(win) - (int)text_width(text) - 1, text,
               A_NORMAL);
}

static void
view_queue_draw_form(struct view_queue *v, WINDOW *win)
{
    static const char *const labels[VIEW_QUEUE_FIELDS] = {"body", "priority",
                                                          "delay (s)"};
    char title[300];
    WINDOW *in;
    int x;

    snprintf(title, sizeof(title), "Send to %s", v->name);
    in = w_dialog_open(win, 5, getmaxx(win) - 8, title, app_utf8(v->app));
    if (in == NULL)
        return;
    for (int i = 0; i < VIEW_QUEUE_FIELDS; i++) {
        w_text_put(in, i, 1, labels[i],
                   theme_attr(i == v->field ? THEME_KEY : THEME_LABEL));
        w_input_draw(in, i, 12, getmaxx(in) - 13, &v->form[i], i == v->field);
    }
    x = w_text_put(in, 4, 1, "tab", theme_attr(THEME_KEY));
    x = w_text_put(in, 4, x + 1, "next field", A_NORMAL);
    x = w_text_put(in, 4, x + 3, "enter", theme_attr(THEME_KEY));
    x = w_text_put(in, 4, x + 1, "send", A_NORMAL);
    x = w_text_put(in, 4, x + 3, "esc", theme_attr(THEME_KEY));
    w_text_put(in, 4, x + 1, "cancel", A_NORMAL);
    delwin(in);
}

static void
view_queue_draw(void *state, WINDOW *win)
{
    struct view_queue *v = state;
    int h = getmaxy(win), utf8 = app_utf8(v->app);
    char text[400];

    werase(win);
    view_queue_draw_header(v, win);
    if (v->error)
        w_text_put(win, h - 2, 1, v->error, theme_attr(THEME_DOWN));
    if (v->items == NULL) {
        if (v->error == NULL)
            w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    w_table_draw(win, 1, h - (v->error ? 3 : 2), &v->table, view_queue_cols,
                 sizeof(view_queue_cols) / sizeof(view_queue_cols[0]),
                 view_queue_cell, view_queue_mark, v, utf8);
    if (v->table.rows == 0)
        w_text_put(win, 3, 3, "no messages", theme_attr(THEME_DIM));
    view_queue_draw_pager(v, win, h - 1);
    switch (v->mode) {
    case VIEW_QUEUE_DELETE:
        snprintf(text, sizeof(text), "delete message %s?",
                 view_queue_str(view_queue_selected(v), "id"));
        w_dialog_confirm(win, "Delete", text, utf8);
        break;
    case VIEW_QUEUE_PURGE:
        snprintf(text, sizeof(text), "delete all %lld messages of %s?",
                 (long long)json_integer_value(json_object_get(
                     json_object_get(v->queue, "counts"), "total")),
                 v->name);
        w_dialog_confirm(win, "Purge", text, utf8);
        break;
    case VIEW_QUEUE_SEND:
        view_queue_draw_form(v, win);
        break;
    default:
        break;
    }
}

/* ---- life ---- */

static void *
view_queue_create(struct app *app, const char *arg)
{
    struct view_queue *v = xcalloc(1, sizeof(*v));
    char *esc;

    v->app = app;
    v->name = xstrdup(arg ? arg : "");
    esc = client_escape(v->name);
    v->path = xasprintf("/v1/queues/%s", esc);
    free(esc);
    v->dlq_total = -1;
    v->next = v->prev = -1;
    v->marks = json_object();
    view_queue_push(v, 0);
    v->start = 1;
    return v;
}

static void
view_queue_free(void *state)
{
    struct view_queue *v = state;

    free(v->name);
    free(v->path);
    free(v->error);
    free(v->cursors);
    json_decref(v->queue);
    json_decref(v->items);
    json_decref(v->marks);
    for (int i = 0; i < VIEW_QUEUE_FIELDS; i++)
        w_input_free(&v->form[i]);
    free(v);
}

static void
view_queue_tick(void *state)
{
    view_queue_refresh(state);
}

static void
view_queue_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

static int
view_queue_key_refresh(void *state)
{
    struct view_queue *v = state;

    if (view_queue_is_dlq(v))
        return view_queue_key_redrive(v);
    view_queue_refresh(v);
    return VIEW_HANDLED;
}

static const struct keybind view_queue_keys[] = {
    {'\r', "detail", view_queue_detail, 0},
    {'f', "state", view_queue_cycle_state, 0},
    {'a', "send", view_queue_key_send, 0},
    {'D', "delete", view_queue_key_delete, 0},
    {'P', "purge", view_queue_key_purge, 0},
    {' ', "mark", view_queue_key_mark, 0},
    {'r', "redrive", view_queue_key_refresh, 0},
    {'n', "next page", view_queue_next_page, 1},
    {'b', "previous page", view_queue_prev_page, 1},
    {'g', "first page", view_queue_first_page, 1},
    {'G', "last page", view_queue_last_page, 1},
    {'j', "down", view_queue_down, 1},
    {'k', "up", view_queue_up, 1},
    {KEY_DOWN, "down", view_queue_down, 1},
    {KEY_UP, "up", view_queue_up, 1},
    {KEY_NPAGE, "next page", view_queue_next_page, 1},
    {KEY_PPAGE, "previous page", view_queue_prev_page, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_queue_ops = {
    .name = "queue",
    .create = view_queue_create,
    .free = view_queue_free,
    .draw = view_queue_draw,
    .key = view_queue_key,
    .update = view_queue_update,
    .tick = view_queue_tick,
    .grab = view_queue_grab,
    .keys = view_queue_keys,
};
