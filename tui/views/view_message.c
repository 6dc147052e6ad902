/*
 * view_message: GET /v1/queues/{q}/messages/{id} and GET /v1/journal
 * for the message, every second; the pager is rebuilt from both after
 * each answer, keeping its scroll position.
 */
#include "views/view_message.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "widgets/w_dialog.h"
#include "widgets/w_json.h"
#include "widgets/w_pager.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_MESSAGE_VALUE_X 18

struct view_message {
    struct app *app;
    char *queue, *id;
    char *msg_path, *journal_path;
    json_t *msg;     /* the message, or NULL */
    json_t *journal; /* its records, or NULL */
    char *error;     /* the last failed request's message, or NULL */
    int msg_busy, journal_busy;
    int confirm; /* asking whether to delete */
    int height;  /* of the pager, as last drawn */
    struct w_pager pager;
};

static void
view_message_field(struct view_message *v, const char *label, const char *key)
{
    const json_t *val = json_object_get(v->msg, key);
    char *text, *line;

    if (val == NULL || json_is_null(val))
        text = xstrdup("-");
    else if (json_is_string(val))
        text = xstrdup(json_string_value(val));
    else
        text = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
    line = xasprintf("%-*s%s", VIEW_MESSAGE_VALUE_X - 3, label, text);
    w_pager_add(&v->pager, 3, A_NORMAL, line);
    free(line);
    free(text);
}

/* "sent  queue=jobs priority=3" for one journal record */
static void
view_message_record(struct view_message *v, const json_t *rec)
{
    const char *time = json_string_value(json_object_get(rec, "time"));
    const json_t *detail = json_object_get(rec, "detail");
    char *line =
        xasprintf("%.12s  %-18s", time && strlen(time) > 11 ? time + 11 : "?",
                  json_string_value(json_object_get(rec, "type")));
    const char *key;
    json_t *val;

    json_object_foreach((json_t *)detail, key, val)
    {
        char *text = json_is_string(val)
                         ? xstrdup(json_string_value(val))
                         : json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
        char *longer = xasprintf("%s %s=%s", line, key, text);

        free(text);
        free(line);
        line = longer;
    }
    w_pager_add(&v->pager, 3, A_NORMAL, line);
    free(line);
}

static void
view_message_build(struct view_message *v)
{
    const char *body = json_string_value(json_object_get(v->msg, "body"));
    const json_t *attrs = json_object_get(v->msg, "attributes");
    const char *key;
    json_t *val;
    char *pretty;
    size_t i;

    w_pager_clear(&v->pager);
    if (v->msg == NULL)
        return;
    w_pager_add(&v->pager, 1, theme_attr(THEME_HEADING), "SYSTEM");
    view_message_field(v, "id", "id");
    view_message_field(v, "state", "state");
    view_message_field(v, "body md5", "body_md5");
    view_message_field(v, "priority", "priority");
    view_message_field(v, "enqueued", "enqueued");
    view_message_field(v, "first dequeue", "first_dequeue");
    view_message_field(v, "next visible", "next_visible");
    view_message_field(v, "dequeue count", "dequeue_count");
    view_message_field(v, "group", "group_id");
    view_message_field(v, "dedup id", "dedup_id");
    view_message_field(v, "sequence", "sequence");
    view_message_field(v, "source", "source");
    if (json_object_get(v->msg, "system"))
        view_message_field(v, "system", "system");
    w_pager_add(&v->pager, 1, theme_attr(THEME_HEADING), "ATTRIBUTES");
    if (json_object_size(attrs) == 0)
        w_pager_add(&v->pager, 3, theme_attr(THEME_DIM), "none");
    json_object_foreach((json_t *)attrs, key, val)
    {
        char *line =
            xasprintf("%-*s%s  %s", VIEW_MESSAGE_VALUE_X - 3, key,
                      json_string_value(json_object_get(val, "type")),
                      json_string_value(json_object_get(val, "value")));

        w_pager_add(&v->pager, 3, A_NORMAL, line);
        free(line);
    }
    pretty = body ? w_json_pretty(body) : NULL;
    w_pager_add(&v->pager, 1, theme_attr(THEME_HEADING),
                pretty ? "BODY (JSON)" : "BODY");
    w_pager_add(&v->pager, 3, A_NORMAL, pretty ? pretty : body ? body : "");
    free(pretty);
    w_pager_add(&v->pager, 1, theme_attr(THEME_HEADING), "JOURNAL");
    if (v->journal == NULL)
        w_pager_add(&v->pager, 3, theme_attr(THEME_DIM), "loading...");
    json_array_foreach(json_object_get(v->journal, "items"), i, val)
    {
        view_message_record(v, val);
    }
}

static void
view_message_on_msg(int rc, json_t *body, void *arg)
{
    struct view_message *v = arg;

    v->msg_busy = 0;
    free(v->error);
    v->error = rc ? xstrdup(err_last()) : NULL;
    if (rc == 0 && json_is_object(body)) {
        json_decref(v->msg);
        v->msg = json_incref(body);
    }
    view_message_build(v);
}

static void
view_message_on_journal(int rc, json_t *body, void *arg)
{
    struct view_message *v = arg;

    v->journal_busy = 0;
    if (rc == 0 && json_is_object(body)) {
        json_decref(v->journal);
        v->journal = json_incref(body);
    }
    view_message_build(v);
}

static void
view_message_tick(void *state)
{
    struct view_message *v = state;

    if (!v->msg_busy) {
        v->msg_busy = 1;
        app_request(v->app, "GET", v->msg_path, NULL, view_message_on_msg, v);
    }
    if (!v->journal_busy) {
        v->journal_busy = 1;
        app_request(v->app, "GET", v->journal_path, NULL,
                    view_message_on_journal, v);
    }
}

static void *
view_message_create(struct app *app, const char *arg)
{
    struct view_message *v = xcalloc(1, sizeof(*v));
    const char *slash = arg ? strchr(arg, '/') : NULL;
    char *q, *id;

    v->app = app;
    v->queue = slash ? xstrndup(arg, (size_t)(slash - arg)) : xstrdup("");
    v->id = xstrdup(slash ? slash + 1 : "");
    q = client_escape(v->queue);
    id = client_escape(v->id);
    v->msg_path = xasprintf("/v1/queues/%s/messages/%s", q, id);
    v->journal_path = xasprintf("/v1/journal?kind=message&id=%s", id);
    free(q);
    free(id);
    return v;
}

static void
view_message_free(void *state)
{
    struct view_message *v = state;

    free(v->queue);
    free(v->id);
    free(v->msg_path);
    free(v->journal_path);
    free(v->error);
    json_decref(v->msg);
    json_decref(v->journal);
    w_pager_free(&v->pager);
    free(v);
}

static void
view_message_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

static void
view_message_draw(void *state, WINDOW *win)
{
    struct view_message *v = state;
    int x, h = getmaxy(win);
    char text[400];

    werase(win);
    x = w_text_put(win, 0, 1, ":message", theme_attr(THEME_TITLE));
    x = w_text_put(win, 0, x + 1, v->queue, theme_attr(THEME_TITLE));
    w_text_put(win, 0, x + 3, v->id, A_NORMAL);
    v->height = h - 2;
    if (v->error)
        w_text_put(win, 1, 1, v->error, theme_attr(THEME_DOWN));
    if (v->msg == NULL) {
        if (v->error == NULL)
            w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    w_pager_draw(win, 2, v->height, &v->pager);
    if (v->confirm) {
        snprintf(text, sizeof(text), "delete message %s?", v->id);
        w_dialog_confirm(win, "Delete", text, app_utf8(v->app));
    }
}

static int
view_message_scroll(struct view_message *v, long delta)
{
    w_pager_scroll(&v->pager, delta, v->height);
    return VIEW_REDRAW;
}

static int
view_message_down(void *state)
{
    return view_message_scroll(state, 1);
}

static int
view_message_up(void *state)
{
    return view_message_scroll(state, -1);
}

static int
view_message_page_down(void *state)
{
    struct view_message *v = state;

    return view_message_scroll(v, v->height > 1 ? v->height - 1 : 1);
}

static int
view_message_page_up(void *state)
{
    struct view_message *v = state;

    return view_message_scroll(v, v->height > 1 ? 1 - v->height : -1);
}

static int
view_message_top(void *state)
{
    return view_message_scroll(state,
                               -(long)((struct view_message *)state)->pager.n);
}

static int
view_message_bottom(void *state)
{
    return view_message_scroll(state,
                               (long)((struct view_message *)state)->pager.n);
}

static int
view_message_delete(void *state)
{
    ((struct view_message *)state)->confirm = 1;
    return VIEW_REDRAW;
}

static void
view_message_on_deleted(int rc, json_t *body, void *arg)
{
    struct view_message *v = arg;

    (void)body;
    if (rc)
        app_flash(v->app, "delete failed: %s", err_last());
    else
        app_flash(v->app, "deleted %s", v->id);
    view_message_tick(v);
}

static int
view_message_grab(void *state)
{
    return ((struct view_message *)state)->confirm;
}

/* the y/n answer while asking */
static int
view_message_key(void *state, int ch)
{
    struct view_message *v = state;

    if (!v->confirm)
        return 0;
    v->confirm = 0;
    if (ch == 'y' || ch == 'Y')
        app_request(v->app, "DELETE", v->msg_path, NULL,
                    view_message_on_deleted, v);
    return VIEW_REDRAW;
}

static const struct keybind view_message_keys[] = {
    {'D', "delete", view_message_delete, 0},
    {'j', "down", view_message_down, 0},
    {'k', "up", view_message_up, 0},
    {' ', "page down", view_message_page_down, 1},
    {'b', "page up", view_message_page_up, 1},
    {'g', "top", view_message_top, 1},
    {'G', "bottom", view_message_bottom, 1},
    {KEY_DOWN, "down", view_message_down, 1},
    {KEY_UP, "up", view_message_up, 1},
    {KEY_NPAGE, "page down", view_message_page_down, 1},
    {KEY_PPAGE, "page up", view_message_page_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_message_ops = {
    .name = "message",
    .create = view_message_create,
    .free = view_message_free,
    .draw = view_message_draw,
    .key = view_message_key,
    .update = view_message_update,
    .tick = view_message_tick,
    .grab = view_message_grab,
    .keys = view_message_keys,
};
