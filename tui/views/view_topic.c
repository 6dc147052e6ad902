/*
 * view_topic: GET /v1/topics/{t} (attributes, subscriptions, messages)
 * and a page of GET /v1/topics/{t}/deliveries, each asked every second,
 * one request of each kind at a time; a deliveries answer asked before
 * the status or subscription filter changed is dropped.
 *
 * Explain on a delivery fills its form with the delivery's message:
 * read back with GET /v1/topics/{t}/messages/{id} and kept in
 * `published` while the screen is open (with those published from it).
 *
 * A box over the panes (the explain answer, or a delivery with its
 * journal) is a pager; it takes the keys while it is open.
 */
#include "views/view_topic.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_execs.h"
#include "widgets/w_dialog.h"
#include "widgets/w_filter.h"
#include "widgets/w_form.h"
#include "widgets/w_pager.h"
#include "widgets/w_table.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_TOPIC_DELIVERIES 200 /* the newest deliveries shown */

enum view_topic_pane { VIEW_TOPIC_SUBS, VIEW_TOPIC_DELS };

enum view_topic_form { VIEW_TOPIC_PUBLISH, VIEW_TOPIC_EXPLAIN };

enum { VIEW_TOPIC_BODY, VIEW_TOPIC_TAG, VIEW_TOPIC_ATTRS, VIEW_TOPIC_FIELDS };

/* the delivery status filter, in the order f cycles through it */
static const char *const view_topic_statuses[] = {
    "all", "pending", "retry_wait", "delivered", "failed", "cancelled",
};
#define VIEW_TOPIC_NSTATUSES                                                   \
    (int)(sizeof(view_topic_statuses) / sizeof(view_topic_statuses[0]))

struct view_topic {
    struct app *app;
    char *name;    /* the topic */
    char *path;    /* "/v1/topics/<name, escaped>" */
    json_t *topic; /* its attributes, subscriptions and count, or NULL */
    json_t *dels;  /* the deliveries shown, or NULL before the first */
    int dels_more; /* there are older ones */
    char *error;   /* the last failed refresh's message, or NULL */
    int topic_busy, dels_busy;
    unsigned gen, sent_gen; /* of the delivery filters; of the request */

    enum view_topic_pane pane;
    struct w_table subs_t, dels_t;
    size_t *shown; /* indexes into dels that pass '/' */
    size_t nshown;
    struct w_filter filter;
    int status; /* index in view_topic_statuses */
    char *sub;  /* only this subscription's deliveries, or NULL */

    struct w_form form;
    enum view_topic_form form_kind;
    json_t *published;   /* {message id: what was published} */
    json_t *pending_msg; /* the publish in flight, or NULL */

    int box; /* the box is open */
    char *box_title;
    struct w_pager pager;
    int box_h;           /* lines of the pager, as last drawn */
    json_t *box_del;     /* the delivery the box shows, or NULL: explain */
    json_t *box_journal; /* its journal, or NULL */

    struct view_execs_clock clock;
    char cell[400];
};

static const char *
view_topic_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static const json_t *
view_topic_subs(const struct view_topic *v)
{
    return json_object_get(v->topic, "subscriptions");
}

static const json_t *
view_topic_sel_sub(const struct view_topic *v)
{
    return v->subs_t.rows ? json_array_get(view_topic_subs(v), v->subs_t.sel)
                          : NULL;
}

static const json_t *
view_topic_sel_del(const struct view_topic *v)
{
    return v->nshown ? json_array_get(v->dels, v->shown[v->dels_t.sel]) : NULL;
}

/* "000000000000002A-EB78..." as "2A-EB78...", as the queue screen */
static const char *
view_topic_short_id(const char *id)
{
    while (id && id[0] == '0' && id[1] && id[1] != '-')
        id++;
    return id;
}

/* ---- the deliveries and their filter ---- */

static void
view_topic_apply_filter(struct view_topic *v)
{
    size_t n = json_array_size(v->dels);
    char text[1024];

    v->shown = xreallocarray(v->shown, n ? n : 1, sizeof(*v->shown));
    v->nshown = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *d = json_array_get(v->dels, i);

        snprintf(text, sizeof(text), "%lld %s %s %s %s",
                 (long long)json_integer_value(json_object_get(d, "id")),
                 view_topic_str(d, "subscription"), view_topic_str(d, "status"),
                 view_topic_str(d, "endpoint"),
                 view_topic_str(d, "message_id"));
        if (w_filter_match(&v->filter, text))
            v->shown[v->nshown++] = i;
    }
    w_table_set_rows(&v->dels_t, v->nshown);
}

static void
view_topic_compile(struct view_topic *v)
{
    if (w_filter_compile(&v->filter) != 0)
        app_flash(v->app, "not a regular expression: %s", v->filter.input.text);
    view_topic_apply_filter(v);
}

static void
view_topic_set_error(struct view_topic *v, int rc)
{
    free(v->error);
    v->error = rc ? xstrdup(err_last()) : NULL;
}

static void
view_topic_on_topic(int rc, json_t *body, void *arg)
{
    struct view_topic *v = arg;

    v->topic_busy = 0;
    view_topic_set_error(v, rc);
    if (rc == 0 && json_is_object(body)) {
        json_decref(v->topic);
        v->topic = json_incref(body);
        w_table_set_rows(&v->subs_t, json_array_size(view_topic_subs(v)));
    }
}

static void
view_topic_on_dels(int rc, json_t *body, void *arg)
{
    struct view_topic *v = arg;
    json_t *items = json_object_get(body, "items");

    v->dels_busy = 0;
    if (v->sent_gen != v->gen)
        return; /* the filters changed: the next tick asks again */
    if (rc != 0) {
        view_topic_set_error(v, rc);
        return;
    }
    if (!json_is_array(items))
        return;
    json_decref(v->dels);
    v->dels = json_incref(items);
    v->dels_more = json_object_get(body, "next") != NULL;
    view_topic_apply_filter(v);
}

static void
view_topic_refresh(struct view_topic *v)
{
    char *path, *esc;

    if (!v->topic_busy) {
        v->topic_busy = 1;
        app_request(v->app, "GET", v->path, NULL, view_topic_on_topic, v);
    }
    if (v->dels_busy)
        return;
    v->dels_busy = 1;
    v->sent_gen = v->gen;
    esc = v->sub ? client_escape(v->sub) : NULL;
    path = xasprintf("%s/deliveries?limit=%d%s%s%s%s", v->path,
                     VIEW_TOPIC_DELIVERIES, v->status ? "&status=" : "",
                     v->status ? view_topic_statuses[v->status] : "",
                     esc ? "&subscription=" : "", esc ? esc : "");
    app_request(v->app, "GET", path, NULL, view_topic_on_dels, v);
    free(path);
    free(esc);
}

static void
view_topic_tick(void *state)
{
    view_topic_refresh(state);
}

static void
view_topic_update(void *state, json_t *data)
{
    struct view_topic *v = state;

    view_execs_clock_set(&v->clock, data);
}

/* ---- the box: explain answers, a delivery's attempts ---- */

static void
view_topic_box_open(struct view_topic *v, const char *title)
{
    free(v->box_title);
    v->box_title = xstrdup(title);
    v->box = 1;
    v->pager.top = 0;
}

static void
view_topic_box_close(struct view_topic *v)
{
    v->box = 0;
    json_decref(v->box_del);
    v->box_del = NULL;
    json_decref(v->box_journal);
    v->box_journal = NULL;
    w_pager_clear(&v->pager);
}

/* a value as one line of text; the caller frees it */
static char *
view_topic_text(const json_t *val)
{
    if (val == NULL || json_is_null(val))
        return xstrdup("-");
    if (json_is_string(val))
        return xstrdup(json_string_value(val));
    return json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
}

static void
view_topic_line(struct view_topic *v, int indent, attr_t attr,
                const char *label, const json_t *val)
{
    char *text = view_topic_text(val);
    char *line = label ? xasprintf("%-16s%s", label, text) : xstrdup(text);

    w_pager_add(&v->pager, indent, attr, line);
    free(line);
    free(text);
}

/* one subscription of an explain answer: whether it takes the message,
 * then the tag and each policy clause with why */
static void
view_topic_explain_sub(struct view_topic *v, const json_t *ex)
{
    int utf8 = app_utf8(v->app), match;
    const json_t *tag = json_object_get(ex, "tag");
    const json_t *pol = json_object_get(ex, "policy");
    const json_t *cl;
    char *line;
    size_t i;

    match = json_is_true(json_object_get(ex, "match"));
    line = xasprintf(
        "%s %s  %s  %s", view_execs_glyph(match ? "succeeded" : "failed", utf8),
        view_topic_str(ex, "subscription"), view_topic_str(ex, "endpoint"),
        match ? "takes it" : "does not take it");
    w_pager_add(&v->pager, 1, theme_attr(match ? THEME_UP : THEME_DOWN), line);
    free(line);
    if (view_topic_str(ex, "why"))
        w_pager_add(&v->pager, 5, theme_attr(THEME_DIM),
                    view_topic_str(ex, "why"));
    if (tag) {
        line = xasprintf(
            "%s tag: %s",
            view_execs_glyph(json_is_true(json_object_get(tag, "pass"))
                                 ? "succeeded"
                                 : "failed",
                             utf8),
            view_topic_str(tag, "why"));
        w_pager_add(&v->pager, 3, A_NORMAL, line);
        free(line);
    }
    if (pol == NULL)
        return;
    line = xasprintf("%s policy on %s",
                     view_execs_glyph(json_is_true(json_object_get(pol, "pass"))
                                          ? "succeeded"
                                          : "failed",
                                      utf8),
                     view_topic_str(pol, "scope"));
    w_pager_add(&v->pager, 3, A_NORMAL, line);
    free(line);
    json_array_foreach(json_object_get(pol, "clauses"), i, cl)
    {
        line = xasprintf(
            "%s %s: %s",
            view_execs_glyph(json_is_true(json_object_get(cl, "pass"))
                                 ? "succeeded"
                                 : "failed",
                             utf8),
            view_topic_str(cl, "key") ? view_topic_str(cl, "key") : "$or",
            view_topic_str(cl, "why") ? view_topic_str(cl, "why") : "");
        w_pager_add(&v->pager, 5, A_NORMAL, line);
        free(line);
    }
}

static void
view_topic_on_explain(int rc, json_t *body, void *arg)
{
    struct view_topic *v = arg;
    size_t i, takes = 0;
    json_t *ex;
    char *title;

    if (rc) {
        app_flash(v->app, "explain failed: %s", err_last());
        return;
    }
    view_topic_box_close(v);
    json_array_foreach(json_object_get(body, "subscriptions"), i, ex)
    {
        takes += json_is_true(json_object_get(ex, "match"));
        view_topic_explain_sub(v, ex);
    }
    if (json_array_size(json_object_get(body, "subscriptions")) == 0)
        w_pager_add(&v->pager, 1, theme_attr(THEME_DIM),
                    "the topic has no subscriptions");
    title = xasprintf("Explain: %zu of %zu subscriptions take it", takes,
                      json_array_size(json_object_get(body, "subscriptions")));
    view_topic_box_open(v, title);
    free(title);
}

/* the box of a delivery: its fields, its last attempt, its journal */
static void
view_topic_build_delivery(struct view_topic *v)
{
    static const struct {
        const char *label, *key;
    } now[] =
        {
            {"status", "status"},
            {"attempts", "attempts"},
            {"next attempt", "next_attempt"},
            {"message", "message_id"},
        },
      about[] = {
          {"endpoint", "endpoint"}, {"kind", "kind"},
          {"format", "format"},     {"strategy", "strategy"},
          {"created", "created"},   {"updated", "updated"},
      };
    const json_t *d = v->box_del, *last = json_object_get(d, "last");
    const char *key;
    json_t *val;
    size_t i;

    w_pager_clear(&v->pager);
    for (i = 0; i < sizeof(now) / sizeof(now[0]); i++)
        view_topic_line(v, 1, A_NORMAL, now[i].label,
                        json_object_get(d, now[i].key));
    w_pager_add(&v->pager, 1, theme_attr(THEME_HEADING), "LAST ATTEMPT");
    if (json_object_size(last) == 0)
        w_pager_add(&v->pager, 3, theme_attr(THEME_DIM), "none yet");
    json_object_foreach((json_t *)last, key, val)
    {
        /* the delivery's own fields say these already */
        if (strcmp(key, "topic") == 0 || strcmp(key, "subscription") == 0 ||
            strcmp(key, "endpoint") == 0)
            continue;
        view_topic_line(
            v, 3, strcmp(key, "error") == 0 ? theme_attr(THEME_DOWN) : A_NORMAL,
            key, val);
    }
    w_pager_add(&v->pager, 1, theme_attr(THEME_HEADING), "JOURNAL");
    if (v->box_journal == NULL)
        w_pager_add(&v->pager, 3, theme_attr(THEME_DIM), "loading...");
    json_array_foreach(json_object_get(v->box_journal, "items"), i, val)
    {
        const char *time = view_topic_str(val, "time");
        char *detail = view_topic_text(json_object_get(val, "detail"));
        char *line = xasprintf("%.12s  %-16s %s",
                               time && strlen(time) > 11 ? time + 11 : "?",
                               view_topic_str(val, "type"), detail);

        w_pager_add(&v->pager, 3, A_NORMAL, line);
        free(line);
        free(detail);
    }
    w_pager_add(&v->pager, 1, theme_attr(THEME_HEADING), "DELIVERY");
    for (i = 0; i < sizeof(about) / sizeof(about[0]); i++)
        view_topic_line(v, 3, A_NORMAL, about[i].label,
                        json_object_get(d, about[i].key));
}

static void
view_topic_on_journal(int rc, json_t *body, void *arg)
{
    struct view_topic *v = arg;

    if (!v->box || v->box_del == NULL)
        return;
    if (rc) {
        app_flash(v->app, "journal: %s", err_last());
        return;
    }
    json_decref(v->box_journal);
    v->box_journal = json_incref(body);
    view_topic_build_delivery(v);
}

/* ---- keys: moving ---- */

static struct w_table *
view_topic_table(struct view_topic *v)
{
    return v->pane == VIEW_TOPIC_SUBS ? &v->subs_t : &v->dels_t;
}

static int
view_topic_down(void *state)
{
    w_table_move(view_topic_table(state), 1);
    return VIEW_REDRAW;
}

static int
view_topic_up(void *state)
{
    w_table_move(view_topic_table(state), -1);
    return VIEW_REDRAW;
}

static int
view_topic_pane(void *state)
{
    struct view_topic *v = state;

    v->pane = v->pane == VIEW_TOPIC_SUBS ? VIEW_TOPIC_DELS : VIEW_TOPIC_SUBS;
    return VIEW_REDRAW;
}

/* the deliveries asked for changed: ask again now */
static void
view_topic_refilter(struct view_topic *v)
{
    v->gen++;
    v->dels_t.sel = v->dels_t.top = 0;
    view_topic_refresh(v);
}

static int
view_topic_cycle_status(void *state)
{
    struct view_topic *v = state;

    v->status = (v->status + 1) % VIEW_TOPIC_NSTATUSES;
    v->pane = VIEW_TOPIC_DELS;
    view_topic_refilter(v);
    return VIEW_REDRAW;
}

static int
view_topic_filter(void *state)
{
    struct view_topic *v = state;

    v->pane = VIEW_TOPIC_DELS;
    v->filter.open = 1;
    return VIEW_REDRAW;
}

/* Enter: a subscription's deliveries (again: all of them), or the
 * selected delivery's attempts */
static int
view_topic_open(void *state)
{
    struct view_topic *v = state;
    const json_t *d;
    char *title, *path;
    const char *sub;

    if (v->pane == VIEW_TOPIC_SUBS) {
        sub = view_topic_str(view_topic_sel_sub(v), "name");
        if (sub == NULL)
            return VIEW_HANDLED;
        if (v->sub && strcmp(v->sub, sub) == 0) { /* again: all of them */
            free(v->sub);
            v->sub = NULL;
        } else {
            free(v->sub);
            v->sub = xstrdup(sub);
        }
        if (v->sub == NULL)
            app_flash(v->app, "deliveries of every subscription");
        v->pane = VIEW_TOPIC_DELS;
        view_topic_refilter(v);
        return VIEW_REDRAW;
    }
    d = view_topic_sel_del(v);
    if (d == NULL)
        return VIEW_HANDLED;
    view_topic_box_close(v);
    v->box_del = json_deep_copy(d);
    view_topic_build_delivery(v);
    title = xasprintf("Delivery %lld to %s",
                      (long long)json_integer_value(json_object_get(d, "id")),
                      view_topic_str(d, "subscription"));
    view_topic_box_open(v, title);
    free(title);
    path = xasprintf("/v1/journal?kind=delivery&id=%lld",
                     (long long)json_integer_value(json_object_get(d, "id")));
    app_request(v->app, "GET", path, NULL, view_topic_on_journal, v);
    free(path);
    return VIEW_REDRAW;
}

/* ---- keys: actions ---- */

static const char *const view_topic_labels[VIEW_TOPIC_FIELDS] = {"body", "tag",
                                                                 "attributes"};

#define VIEW_TOPIC_HINT                                                        \
    "attributes: JSON, {\"kind\": \"paid\", \"amount\": 250}"

static int
view_topic_publish(void *state)
{
    struct view_topic *v = state;
    char *title = xasprintf("Publish to %s", v->name);

    v->form_kind = VIEW_TOPIC_PUBLISH;
    w_form_open(&v->form, title, VIEW_TOPIC_FIELDS, view_topic_labels, NULL,
                "publish", VIEW_TOPIC_HINT);
    free(title);
    return VIEW_REDRAW;
}

/* open the explain form: with `msg` ({"body", "tag"?, "attributes"?})
 * when known, else empty with `hint` */
static void
view_topic_explain_form(struct view_topic *v, const char *mid,
                        const json_t *msg, const char *hint)
{
    const char *values[VIEW_TOPIC_FIELDS] = {NULL, NULL, NULL};
    char *attrs = NULL, *title;

    if (msg) {
        values[VIEW_TOPIC_BODY] = view_topic_str(msg, "body");
        values[VIEW_TOPIC_TAG] = view_topic_str(msg, "tag");
        if (json_object_get(msg, "attributes"))
            attrs = json_dumps(json_object_get(msg, "attributes"),
                               JSON_COMPACT | JSON_PRESERVE_ORDER);
        values[VIEW_TOPIC_ATTRS] = attrs;
    }
    title = mid ? xasprintf("Explain message %s", mid)
                : xasprintf("Explain a message on %s", v->name);
    v->form_kind = VIEW_TOPIC_EXPLAIN;
    w_form_open(&v->form, title, VIEW_TOPIC_FIELDS, view_topic_labels, values,
                "explain", hint);
    free(title);
    free(attrs);
}

/* GET .../messages/{id} answered: the form holds that message */
static void
view_topic_on_message(int rc, json_t *body, void *arg)
{
    struct view_topic *v = arg;
    const char *mid = view_topic_str(body, "id");

    if (v->form.open) /* the user went on meanwhile */
        return;
    if (rc) {
        char *hint = xasprintf("%s: type the message", err_last());

        view_topic_explain_form(v, NULL, NULL, hint);
        free(hint);
        return;
    }
    if (mid)
        json_object_set(v->published, mid, body);
    view_topic_explain_form(v, mid, body, VIEW_TOPIC_HINT);
}

/* x: explain a message typed in the form; on a delivery, the form holds
 * that delivery's message, read back from the engine */
static int
view_topic_explain(void *state)
{
    struct view_topic *v = state;
    const json_t *d = v->pane == VIEW_TOPIC_DELS ? view_topic_sel_del(v) : NULL;
    const char *mid = view_topic_str(d, "message_id");
    const json_t *msg = mid ? json_object_get(v->published, mid) : NULL;
    char *esc, *path;

    if (mid == NULL || msg) {
        view_topic_explain_form(v, mid, msg, VIEW_TOPIC_HINT);
        return VIEW_REDRAW;
    }
    esc = client_escape(mid);
    path = xasprintf("%s/messages/%s", v->path, esc);
    app_request(v->app, "GET", path, NULL, view_topic_on_message, v);
    free(path);
    free(esc);
    app_flash(v->app, "reading message %s...", mid);
    return VIEW_REDRAW;
}

static void
view_topic_on_published(int rc, json_t *body, void *arg)
{
    struct view_topic *v = arg;
    const char *id = view_topic_str(body, "id");

    if (rc) {
        app_flash(v->app, "publish failed: %s", err_last());
    } else {
        app_flash(v->app, "published %s to %zu subscriptions", id,
                  json_array_size(json_object_get(body, "deliveries")));
        if (id)
            json_object_set(v->published, id, v->pending_msg);
    }
    json_decref(v->pending_msg);
    v->pending_msg = NULL;
    view_topic_refresh(v);
}

static void
view_topic_on_redelivered(int rc, json_t *body, void *arg)
{
    struct view_topic *v = arg;

    if (rc)
        app_flash(v->app, "redeliver failed: %s", err_last());
    else
        app_flash(v->app, "delivery %lld sent again: %s",
                  (long long)json_integer_value(json_object_get(body, "id")),
                  view_topic_str(body, "status"));
    view_topic_refresh(v);
}

static int
view_topic_redeliver(void *state)
{
    struct view_topic *v = state;
    const json_t *d = v->pane == VIEW_TOPIC_DELS ? view_topic_sel_del(v) : NULL;
    json_t *empty;
    char *path;

    if (d == NULL) {
        app_flash(v->app, "R sends the selected delivery again (tab: "
                          "deliveries)");
        return VIEW_REDRAW;
    }
    path = xasprintf("%s/deliveries/%lld/redeliver", v->path,
                     (long long)json_integer_value(json_object_get(d, "id")));
    empty = json_object();
    app_request(v->app, "POST", path, empty, view_topic_on_redelivered, v);
    json_decref(empty);
    free(path);
    return VIEW_REDRAW;
}

/* Enter in the form: check the fields, then publish or explain */
static void
view_topic_submit(struct view_topic *v)
{
    const char *body = w_form_text(&v->form, VIEW_TOPIC_BODY);
    const char *tag = w_form_text(&v->form, VIEW_TOPIC_TAG);
    const char *attrs = w_form_text(&v->form, VIEW_TOPIC_ATTRS);
    json_t *msg, *a = NULL;
    json_error_t jerr;
    char *path;

    if (*attrs) {
        a = json_loads(attrs, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(a)) {
            v->form.field = VIEW_TOPIC_ATTRS;
            if (a == NULL)
                w_form_refuse(&v->form, "attributes: %s (column %d)", jerr.text,
                              jerr.column);
            else
                w_form_refuse(&v->form, "attributes must be a JSON object");
            json_decref(a);
            return;
        }
    }
    if (v->form_kind == VIEW_TOPIC_PUBLISH && *body == '\0') {
        v->form.field = VIEW_TOPIC_BODY;
        w_form_refuse(&v->form, "the body is empty");
        json_decref(a);
        return;
    }
    if (v->form_kind == VIEW_TOPIC_PUBLISH && v->pending_msg) {
        w_form_refuse(&v->form, "still publishing the last one");
        json_decref(a);
        return;
    }
    msg = json_pack("{s:s}", "body", body);
    if (*tag)
        json_object_set_new(msg, "tag", json_string(tag));
    if (a)
        json_object_set_new(msg, "attributes", a);
    if (v->form_kind == VIEW_TOPIC_PUBLISH) {
        path = xasprintf("%s/messages", v->path);
        app_request(v->app, "POST", path, msg, view_topic_on_published, v);
    } else {
        path = xasprintf("%s/explain", v->path);
        app_request(v->app, "POST", path, msg, view_topic_on_explain, v);
    }
    free(path);
    if (v->form_kind == VIEW_TOPIC_PUBLISH)
        v->pending_msg = msg; /* kept for explain, once the id is known */
    else
        json_decref(msg);
    w_form_close(&v->form);
}

/* keys while the form, the '/' line or the box is open */
static int
view_topic_key(void *state, int ch)
{
    struct view_topic *v = state;

    if (v->form.open) {
        if (w_form_key(&v->form, ch) == W_FORM_SUBMIT)
            view_topic_submit(v);
        return VIEW_REDRAW;
    }
    if (v->filter.open) {
        if (!w_filter_key(&v->filter, ch))
            return VIEW_HANDLED;
        view_topic_compile(v);
        return VIEW_REDRAW;
    }
    if (!v->box)
        return 0;
    switch (ch) {
    case 'j':
    case KEY_DOWN:
        w_pager_scroll(&v->pager, 1, v->box_h);
        break;
    case 'k':
    case KEY_UP:
        w_pager_scroll(&v->pager, -1, v->box_h);
        break;
    case ' ':
    case KEY_NPAGE:
        w_pager_scroll(&v->pager, v->box_h > 1 ? v->box_h - 1 : 1, v->box_h);
        break;
    case 'b':
    case KEY_PPAGE:
        w_pager_scroll(&v->pager, v->box_h > 1 ? 1 - v->box_h : -1, v->box_h);
        break;
    case 27:
    case 'q':
    case '\r':
        view_topic_box_close(v);
        break;
    default:
        break;
    }
    return VIEW_REDRAW;
}

static int
view_topic_grab(void *state)
{
    struct view_topic *v = state;

    return v->form.open || v->filter.open || v->box;
}

/* ---- drawing ---- */

static const struct w_table_col view_topic_sub_cols[] = {
    {"NAME", 10, 0},
    {"ENDPOINT", 28, 0},
    {"FORMAT", 10, 0},
    {"FILTER", 0, 0},
};

static const char *
view_topic_sub_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_topic *v = ctx;
    const json_t *s = json_array_get(view_topic_subs(v), row);
    const json_t *pol = json_object_get(s, "filter_policy");
    const char *tag = view_topic_str(s, "filter_tag");
    const char *scope = view_topic_str(s, "filter_policy_scope");
    char *text;
    size_t len = 0;

    switch (col) {
    case 0:
        return view_topic_str(s, "name");
    case 1:
        return view_topic_str(s, "endpoint");
    case 2:
        return view_topic_str(s, "format");
    default:
        break;
    }
    v->cell[0] = '\0';
    if (tag)
        len = (size_t)snprintf(v->cell, sizeof(v->cell), "tag %s", tag);
    if (pol && len < sizeof(v->cell)) {
        text = json_is_string(pol)
                   ? xstrdup(json_string_value(pol))
                   : json_dumps(pol, JSON_COMPACT | JSON_PRESERVE_ORDER);
        snprintf(v->cell + len, sizeof(v->cell) - len, "%spolicy%s %s",
                 len ? "; " : "",
                 scope && strcmp(scope, "MessageBody") == 0 ? " on body" : "",
                 text ? text : "");
        free(text);
    }
    if (v->cell[0] == '\0') {
        *attr = theme_attr(THEME_DIM);
        return "none: takes every message";
    }
    return v->cell;
}

static const struct w_table_col view_topic_del_cols[] = {
    {"", 1, 0},
    {"ID", 5, 1},
    {"SUBSCRIPTION", 12, 0},
    {"STATUS", 10, 0},
    {"TRY", 3, 1},
    {"NEXT RETRY", 10, 0},
    {"LAST ATTEMPT", 0, 0},
};

/* a delivery status as the execution glyphs know it */
static const char *
view_topic_glyph_status(const char *status)
{
    static const char *const map[][2] = {
        {"delivered", "succeeded"}, {"failed", "failed"},
        {"retry_wait", "retrying"}, {"pending", "pending"},
        {"sending", "running"},     {"cancelled", "cancelled"},
    };

    for (size_t i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], status) == 0)
            return map[i][1];
    return status;
}

/* what the last attempt did: "queue billing, message 1-E7D8...",
 * "HTTP 200 in 12ms", or its error */
static void
view_topic_last(char *out, size_t n, const json_t *d, attr_t *attr)
{
    const json_t *last = json_object_get(d, "last");
    const char *err = view_topic_str(last, "error");
    const json_t *st = json_object_get(last, "status");

    if (json_object_size(last) == 0) {
        *attr = theme_attr(THEME_DIM);
        snprintf(out, n, "not tried yet");
    } else if (err) {
        *attr = theme_attr(THEME_DOWN);
        if (json_is_integer(st))
            snprintf(out, n, "HTTP %lld: %s", (long long)json_integer_value(st),
                     err);
        else
            snprintf(out, n, "%s", err);
    } else if (view_topic_str(last, "queue")) {
        snprintf(out, n, "queue %s, message %s", view_topic_str(last, "queue"),
                 view_topic_short_id(view_topic_str(last, "message_id")));
    } else if (json_is_integer(st)) {
        snprintf(
            out, n, "HTTP %lld in %lldms", (long long)json_integer_value(st),
            (long long)json_integer_value(json_object_get(last, "latency_ms")));
    } else {
        snprintf(
            out, n, "in %lldms",
            (long long)json_integer_value(json_object_get(last, "latency_ms")));
    }
}

static const char *
view_topic_del_cell(void *ctx, size_t row, size_t col, attr_t *attr)
{
    struct view_topic *v = ctx;
    const json_t *d = json_array_get(v->dels, v->shown[row]);
    const char *status = view_topic_str(d, "status");
    int64_t due, now;
    char dur[32];

    switch (col) {
    case 0:
        *attr = view_execs_attr(view_topic_glyph_status(status));
        return view_execs_glyph(view_topic_glyph_status(status),
                                app_utf8(v->app));
    case 1:
    case 4:
        snprintf(v->cell, sizeof(v->cell), "%lld",
                 (long long)json_integer_value(
                     json_object_get(d, col == 1 ? "id" : "attempts")));
        return v->cell;
    case 2:
        return view_topic_str(d, "subscription");
    case 3:
        *attr = view_execs_attr(view_topic_glyph_status(status));
        return status;
    case 5:
        if (view_execs_time(&due, view_topic_str(d, "next_attempt")) != 0) {
            *attr = theme_attr(THEME_DIM);
            return "-";
        }
        now = view_execs_clock_now(&v->clock);
        if (due <= now)
            return "due now";
        timefmt_duration(dur, sizeof(dur), due - now);
        snprintf(v->cell, sizeof(v->cell), "in %s", dur);
        return v->cell;
    default:
        view_topic_last(v->cell, sizeof(v->cell), d, attr);
        return v->cell;
    }
}

/* ":topics orders   2 subscriptions · 14 published" */
static void
view_topic_draw_header(struct view_topic *v, WINDOW *win)
{
    const char *dot = app_utf8(v->app) ? " \u00b7 " : ", ";
    char text[160];
    int x;

    x = w_text_put(win, 0, 1, ":topics", theme_attr(THEME_TITLE));
    x = w_text_put(win, 0, x + 1, v->name, theme_attr(THEME_TITLE));
    if (v->topic == NULL)
        return;
    snprintf(
        text, sizeof(text), "%zu subscriptions%s%lld published",
        json_array_size(view_topic_subs(v)), dot,
        (long long)json_integer_value(json_object_get(v->topic, "messages")));
    w_text_put(win, 0, x + 3, text, A_NORMAL);
}

/* "subscriptions 2   deliveries 14   f status all  sub hook  /..." */
static void
view_topic_draw_tabs(struct view_topic *v, WINDOW *win, int y)
{
    char text[160];
    int x = 1;

    snprintf(text, sizeof(text), " subscriptions %zu ",
             json_array_size(view_topic_subs(v)));
    x = w_text_put(win, y, x, text,
                   v->pane == VIEW_TOPIC_SUBS
                       ? theme_attr(THEME_TITLE) | A_REVERSE
                       : theme_attr(THEME_DIM));
    snprintf(text, sizeof(text), " deliveries %zu%s ", v->nshown,
             v->dels_more ? "+" : "");
    x = w_text_put(win, y, x + 1, text,
                   v->pane == VIEW_TOPIC_DELS
                       ? theme_attr(THEME_TITLE) | A_REVERSE
                       : theme_attr(THEME_DIM));
    x = w_text_put(win, y, x + 2, "f", theme_attr(THEME_KEY));
    x = w_text_put(win, y, x + 1, view_topic_statuses[v->status],
                   theme_attr(THEME_LABEL));
    if (v->sub) {
        x = w_text_put(win, y, x + 2, "of", A_NORMAL);
        x = w_text_put(win, y, x + 1, v->sub, theme_attr(THEME_LABEL));
    }
    if (w_filter_shown(&v->filter)) {
        x = w_text_put(win, y, x + 2, "/", theme_attr(THEME_KEY));
        w_filter_draw(win, y, x, getmaxx(win) - x - 1, &v->filter);
    }
}

static void
view_topic_draw_box(struct view_topic *v, WINDOW *win)
{
    WINDOW *in;
    int h, x;

    in = w_dialog_open(win, getmaxy(win) - 2, getmaxx(win) - 4, v->box_title,
                       app_utf8(v->app));
    if (in == NULL)
        return;
    h = getmaxy(in);
    v->box_h = h - 1;
    w_pager_draw(in, 0, v->box_h, &v->pager);
    x = w_text_put(in, h - 1, 1, "j/k", theme_attr(THEME_KEY));
    x = w_text_put(in, h - 1, x + 1, "scroll", A_NORMAL);
    x = w_text_put(in, h - 1, x + 3, "esc", theme_attr(THEME_KEY));
    w_text_put(in, h - 1, x + 1, "close", A_NORMAL);
    delwin(in);
}

static void
view_topic_draw(void *state, WINDOW *win)
{
    struct view_topic *v = state;
    int h = getmaxy(win), utf8 = app_utf8(v->app), th;

    werase(win);
    view_topic_draw_header(v, win);
    if (v->error)
        w_text_put(win, h - 1, 1, v->error, theme_attr(THEME_DOWN));
    if (v->topic == NULL) {
        if (v->error == NULL)
            w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    view_topic_draw_tabs(v, win, 1);
    th = h - 2 - (v->error ? 1 : 0);
    if (v->pane == VIEW_TOPIC_SUBS) {
        w_table_draw(win, 2, th, &v->subs_t, view_topic_sub_cols,
                     sizeof(view_topic_sub_cols) /
                         sizeof(view_topic_sub_cols[0]),
                     view_topic_sub_cell, NULL, v, utf8);
        if (v->subs_t.rows == 0)
            w_text_put(win, 4, 3, "no subscriptions", theme_attr(THEME_DIM));
    } else {
        w_table_draw(win, 2, th, &v->dels_t, view_topic_del_cols,
                     sizeof(view_topic_del_cols) /
                         sizeof(view_topic_del_cols[0]),
                     view_topic_del_cell, NULL, v, utf8);
        if (v->dels == NULL)
            w_text_put(win, 4, 3, "loading...", theme_attr(THEME_DIM));
        else if (v->nshown == 0)
            w_text_put(win, 4, 3,
                       json_array_size(v->dels) ? "no delivery matches the "
                                                  "filter"
                                                : "no deliveries",
                       theme_attr(THEME_DIM));
    }
    if (v->box)
        view_topic_draw_box(v, win);
    w_form_draw(win, &v->form, 72, utf8);
}

/* ---- life ---- */

static void *
view_topic_create(struct app *app, const char *arg)
{
    struct view_topic *v = xcalloc(1, sizeof(*v));
    char *esc;

    v->app = app;
    v->name = xstrdup(arg ? arg : "");
    /* "TOPIC@SUB" (from home's failing pushes): that subscription's
     * deliveries; names have no '@' */
    if (strchr(v->name, '@')) {
        char *at = strchr(v->name, '@');

        *at = '\0';
        if (at[1])
            v->sub = xstrdup(at + 1);
        v->pane = VIEW_TOPIC_DELS;
    }
    esc = client_escape(v->name);
    v->path = xasprintf("/v1/topics/%s", esc);
    free(esc);
    v->published = json_object();
    return v;
}

static void
view_topic_free(void *state)
{
    struct view_topic *v = state;

    view_topic_box_close(v);
    w_pager_free(&v->pager);
    free(v->box_title);
    free(v->name);
    free(v->path);
    free(v->error);
    free(v->shown);
    free(v->sub);
    json_decref(v->topic);
    json_decref(v->dels);
    json_decref(v->published);
    json_decref(v->pending_msg);
    w_filter_free(&v->filter);
    w_form_free(&v->form);
    free(v);
}

static const struct keybind view_topic_keys[] = {
    {'\t', "subs/deliveries", view_topic_pane, 0},
    {'\r', "open", view_topic_open, 0},
    {'a', "publish", view_topic_publish, 0},
    {'x', "explain", view_topic_explain, 0},
    {'R', "redeliver", view_topic_redeliver, 0},
    {'f', "status", view_topic_cycle_status, 1},
    {'/', "filter", view_topic_filter, 1},
    {'j', "down", view_topic_down, 1},
    {'k', "up", view_topic_up, 1},
    {KEY_DOWN, "down", view_topic_down, 1},
    {KEY_UP, "up", view_topic_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_topic_ops = {
    .name = "topic",
    .create = view_topic_create,
    .free = view_topic_free,
    .draw = view_topic_draw,
    .key = view_topic_key,
    .update = view_topic_update,
    .tick = view_topic_tick,
    .grab = view_topic_grab,
    .keys = view_topic_keys,
};
