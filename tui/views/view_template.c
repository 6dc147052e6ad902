/*
 * view_template: GET /v1/templates/{name} every second, one request at
 * a time; the pager is rebuilt only when the answer changes, keeping its
 * scroll position. The deploy form's labels are copies of the parameter
 * names, kept here while the form is open.
 */
#include "views/view_template.h"

#include "app.h"
#include "client/client.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "theme.h"
#include "views/view_deploy.h"
#include "widgets/w_form.h"
#include "widgets/w_pager.h"
#include "widgets/w_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct view_template {
    struct app *app;
    char *ref;    /* the name asked for: "hello" or "repo:R/hello" */
    char *path;   /* "/v1/templates/<ref, escaped>" */
    json_t *tmpl; /* the last answer, or NULL */
    char *error;  /* the last request's error, or NULL */
    int busy;
    struct w_pager pager;
    int height;                  /* of the pager, as last drawn */
    struct w_form form;          /* the deploy form */
    char *labels[W_FORM_FIELDS]; /* its labels: "stack", then names */
    size_t hidden; /* parameters beyond the form, deployed with defaults */
};

static const char *
view_template_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

char *
view_template_ref(const char *name, const char *source)
{
    if (name == NULL)
        return NULL;
    if (source == NULL || strcmp(source, "bundled") == 0)
        return xstrdup(name);
    return xasprintf("%s/%s", source, name);
}

/* ---- the pager ---- */

static void
view_template_heading(struct view_template *v, const char *text)
{
    if (v->pager.n)
        w_pager_add(&v->pager, 1, A_NORMAL, "");
    w_pager_add(&v->pager, 1, theme_attr(THEME_HEADING), text);
}

static void
view_template_build_params(struct view_template *v, const json_t *params)
{
    size_t i;
    const json_t *p;
    char *line, *allowed;

    view_template_heading(v, "PARAMETERS");
    if (json_array_size(params) == 0)
        w_pager_add(&v->pager, 3, theme_attr(THEME_DIM), "none");
    json_array_foreach(params, i, p)
    {
        const char *desc = view_template_str(p, "description");
        const char *pattern = view_template_str(p, "pattern");
        const json_t *allow = json_object_get(p, "allowed");

        line = xasprintf("%s = %s", view_template_str(p, "name"),
                         view_template_str(p, "default")
                             ? view_template_str(p, "default")
                             : "");
        w_pager_add(&v->pager, 3, theme_attr(THEME_KEY), line);
        free(line);
        if (desc && *desc)
            w_pager_add(&v->pager, 5, A_NORMAL, desc);
        if (pattern) {
            line = xasprintf("pattern %s", pattern);
            w_pager_add(&v->pager, 5, theme_attr(THEME_DIM), line);
            free(line);
        }
        if (json_is_array(allow)) {
            allowed = json_dumps(allow, JSON_COMPACT);
            line = xasprintf("one of %s", allowed ? allowed : "?");
            w_pager_add(&v->pager, 5, theme_attr(THEME_DIM), line);
            free(line);
            free(allowed);
        }
    }
}

/* "queue       ${queue}", "subscription events/to-jobs",
 * "trigger     worker <- jobs" */
static void
view_template_build_resources(struct view_template *v, const json_t *res)
{
    size_t i;
    const json_t *r;
    char *line;

    view_template_heading(v, "RESOURCES");
    if (json_array_size(res) == 0)
        w_pager_add(&v->pager, 3, theme_attr(THEME_DIM), "none");
    json_array_foreach(res, i, r)
    {
        const char *type = view_template_str(r, "type");
        const char *name = view_template_str(r, "name");

        type = type ? type : "?";
        if (strcmp(type, "subscription") == 0)
            line = xasprintf("%-12s %s/%s", type,
                             view_template_str(r, "topic")
                                 ? view_template_str(r, "topic")
                                 : "?",
                             name ? name : "?");
        else if (strcmp(type, "trigger") == 0)
            line = xasprintf("%-12s %s <- queue %s", type,
                             view_template_str(r, "function")
                                 ? view_template_str(r, "function")
                                 : "?",
                             view_template_str(r, "queue")
                                 ? view_template_str(r, "queue")
                                 : "?");
        else
            line = xasprintf("%-12s %s", type, name ? name : "?");
        w_pager_add(&v->pager, 3, A_NORMAL, line);
        free(line);
    }
}

static void
view_template_build_samples(struct view_template *v, const json_t *samples)
{
    size_t i;
    const json_t *s;
    char *line, *input;

    view_template_heading(v, "SAMPLES (deploy, then s starts one)");
    if (json_array_size(samples) == 0)
        w_pager_add(&v->pager, 3, theme_attr(THEME_DIM), "none");
    json_array_foreach(samples, i, s)
    {
        const char *desc = view_template_str(s, "description");

        line = xasprintf(
            "%s -> flow %s", view_template_str(s, "name"),
            view_template_str(s, "flow") ? view_template_str(s, "flow") : "?");
        w_pager_add(&v->pager, 3, theme_attr(THEME_KEY), line);
        free(line);
        if (desc && *desc)
            w_pager_add(&v->pager, 5, A_NORMAL, desc);
        input = json_dumps(json_object_get(s, "input"),
                           JSON_COMPACT | JSON_ENCODE_ANY);
        if (input) {
            line = xasprintf("input %s", input);
            w_pager_add(&v->pager, 5, theme_attr(THEME_DIM), line);
            free(line);
        }
        free(input);
    }
}

static void
view_template_build(struct view_template *v)
{
    const char *readme = view_template_str(v->tmpl, "readme");

    w_pager_clear(&v->pager);
    view_template_heading(v, "README");
    if (readme && *readme) {
        size_t n = strlen(readme);
        char *text = xstrndup(readme, n && readme[n - 1] == '\n' ? n - 1 : n);

        for (char *t = text; *t; t++)
            if (*t == '\t' || *t == '\r')
                *t = ' ';
        w_pager_add(&v->pager, 3, A_NORMAL, text);
        free(text);
    } else {
        w_pager_add(&v->pager, 3, theme_attr(THEME_DIM), "no README");
    }
    view_template_build_params(v, json_object_get(v->tmpl, "parameters"));
    view_template_build_resources(v, json_object_get(v->tmpl, "resources"));
    view_template_build_samples(v, json_object_get(v->tmpl, "samples"));
}

/* ---- the engine ---- */

static void
view_template_on_get(int rc, json_t *body, void *arg)
{
    struct view_template *v = arg;

    v->busy = 0;
    free(v->error);
    v->error = rc ? xstrdup(err_last()) : NULL;
    if (rc != 0 || !json_is_object(body))
        return;
    if (v->tmpl && json_equal(v->tmpl, body))
        return;
    json_decref(v->tmpl);
    v->tmpl = json_incref(body); /* kept until an answer differs */
    view_template_build(v);
}

static void
view_template_tick(void *state)
{
    struct view_template *v = state;

    if (v->busy)
        return;
    v->busy = 1;
    app_request(v->app, "GET", v->path, NULL, view_template_on_get, v);
}

/* ---- life ---- */

static void *
view_template_create(struct app *app, const char *arg)
{
    struct view_template *v = xcalloc(1, sizeof(*v));
    char *esc;

    v->app = app;
    v->ref = xstrdup(arg ? arg : "");
    esc = client_escape(v->ref);
    v->path = xasprintf("/v1/templates/%s", esc);
    free(esc);
    return v;
}

static void
view_template_labels_free(struct view_template *v)
{
    for (int i = 0; i < W_FORM_FIELDS; i++) {
        free(v->labels[i]);
        v->labels[i] = NULL;
    }
}

static void
view_template_free(void *state)
{
    struct view_template *v = state;

    w_form_free(&v->form);
    view_template_labels_free(v);
    free(v->ref);
    free(v->path);
    free(v->error);
    json_decref(v->tmpl);
    w_pager_free(&v->pager);
    free(v);
}

static void
view_template_update(void *state, json_t *data)
{
    (void)state;
    (void)data;
}

/* ---- drawing ---- */

/* ":template hello   bundled · 2 parameters · 3 resources · 1 sample" */
static void
view_template_draw_header(struct view_template *v, WINDOW *win)
{
    const char *dot = app_utf8(v->app) ? " \u00b7 " : ", ";
    const char *desc = view_template_str(v->tmpl, "description");
    size_t np = json_array_size(json_object_get(v->tmpl, "parameters"));
    size_t nr = json_array_size(json_object_get(v->tmpl, "resources"));
    size_t ns = json_array_size(json_object_get(v->tmpl, "samples"));
    const char *source = view_template_str(v->tmpl, "source");
    char text[300];
    int x;

    x = w_text_put(win, 0, 1, ":template", theme_attr(THEME_TITLE));
    x = w_text_put(win, 0, x + 1, v->ref, theme_attr(THEME_TITLE));
    if (v->tmpl == NULL)
        return;
    snprintf(text, sizeof(text),
             "%s%s%zu parameter%s%s%zu resource%s%s%zu "
             "sample%s",
             source ? source : "?", dot, np, np == 1 ? "" : "s", dot, nr,
             nr == 1 ? "" : "s", dot, ns, ns == 1 ? "" : "s");
    w_text_put(win, 0, x + 3, text, A_NORMAL);
    w_text_put(win, 1, 1, desc && *desc ? desc : "no description",
               theme_attr(THEME_DIM));
}

static void
view_template_draw(void *state, WINDOW *win)
{
    struct view_template *v = state;
    int h = getmaxy(win);

    werase(win);
    view_template_draw_header(v, win);
    if (v->error && v->tmpl == NULL) {
        /* it does not load: the engine's message, whole, is the page */
        w_text_put(win, 2, 1,
                   "this template does not load:", theme_attr(THEME_HEADING));
        w_text_put(win, 3, 3, v->error, theme_attr(THEME_DOWN));
        return;
    }
    if (v->error)
        w_text_put(win, h - 1, 1, v->error, theme_attr(THEME_DOWN));
    if (v->tmpl == NULL) {
        w_text_put(win, 2, 1, "loading...", theme_attr(THEME_DIM));
        return;
    }
    v->height = h - (v->error ? 3 : 2);
    w_pager_draw(win, 2, v->height, &v->pager);
    w_form_draw(win, &v->form, 72, app_utf8(v->app));
}

/* ---- keys ---- */

static int
view_template_scroll(struct view_template *v, long delta)
{
    w_pager_scroll(&v->pager, delta, v->height);
    return VIEW_REDRAW;
}

static int
view_template_down(void *state)
{
    return view_template_scroll(state, 1);
}

static int
view_template_up(void *state)
{
    return view_template_scroll(state, -1);
}

static int
view_template_page_down(void *state)
{
    struct view_template *v = state;

    return view_template_scroll(v, v->height > 1 ? v->height - 1 : 1);
}

static int
view_template_page_up(void *state)
{
    struct view_template *v = state;

    return view_template_scroll(v, v->height > 1 ? 1 - v->height : -1);
}

static int
view_template_top(void *state)
{
    return view_template_scroll(state, -100000);
}

static int
view_template_bottom(void *state)
{
    return view_template_scroll(state, 100000);
}

/* d: the form, the stack's name first, then each parameter's default */
static int
view_template_deploy(void *state)
{
    struct view_template *v = state;
    const json_t *params = json_object_get(v->tmpl, "parameters");
    const char *values[W_FORM_FIELDS];
    const char *labels[W_FORM_FIELDS];
    size_t np = json_array_size(params), n;
    char *title, *hint = NULL;

    if (v->tmpl == NULL) {
        app_flash(v->app, "this template does not load; nothing to deploy");
        return VIEW_REDRAW;
    }
    view_template_labels_free(v);
    n = np < W_FORM_FIELDS - 1 ? np : W_FORM_FIELDS - 1;
    v->hidden = np - n;
    v->labels[0] = xstrdup("stack");
    values[0] = view_template_str(v->tmpl, "name");
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_array_get(params, i);
        const char *name = view_template_str(p, "name");

        v->labels[i + 1] = xstrdup(name ? name : "?");
        values[i + 1] = view_template_str(p, "default");
    }
    for (size_t i = 0; i <= n; i++)
        labels[i] = v->labels[i];
    title = xasprintf("Deploy %s", v->ref);
    if (v->hidden)
        hint = xasprintf("%zu more parameter%s keep%s the default", v->hidden,
                         v->hidden == 1 ? "" : "s", v->hidden == 1 ? "s" : "");
    w_form_open(&v->form, title, (int)n + 1, labels, values, "deploy",
                hint ? hint : "the defaults are filled in");
    free(title);
    free(hint);
    return VIEW_REDRAW;
}

/* Enter in the form: the engine checks every value, so send them all */
static void
view_template_submit(struct view_template *v)
{
    json_t *req = json_object(), *params = json_object();
    const char *stack = w_form_text(&v->form, 0);

    json_object_set_new(req, "template", json_string(v->ref));
    if (*stack)
        json_object_set_new(req, "stack", json_string(stack));
    for (int i = 1; i < v->form.n; i++)
        json_object_set_new(params, v->labels[i],
                            json_string(w_form_text(&v->form, i)));
    json_object_set_new(req, "params", params);
    w_form_close(&v->form);
    view_deploy_open(v->app, req);
    json_decref(req);
}

static int
view_template_grab(void *state)
{
    return ((struct view_template *)state)->form.open;
}

static int
view_template_key(void *state, int ch)
{
    struct view_template *v = state;

    if (!v->form.open)
        return 0;
    if (w_form_key(&v->form, ch) == W_FORM_SUBMIT)
        view_template_submit(v);
    return VIEW_REDRAW;
}

static const struct keybind view_template_keys[] = {
    {'d', "deploy", view_template_deploy, 0},
    {'j', "down", view_template_down, 1},
    {'k', "up", view_template_up, 1},
    {' ', "page down", view_template_page_down, 1},
    {'b', "page up", view_template_page_up, 1},
    {'g', "top", view_template_top, 1},
    {'G', "bottom", view_template_bottom, 1},
    {KEY_DOWN, "down", view_template_down, 1},
    {KEY_UP, "up", view_template_up, 1},
    {KEY_NPAGE, "page down", view_template_page_down, 1},
    {KEY_PPAGE, "page up", view_template_page_up, 1},
    {0, NULL, NULL, 0},
};

const struct view_ops view_template_ops = {
    .name = "template",
    .create = view_template_create,
    .free = view_template_free,
    .draw = view_template_draw,
    .key = view_template_key,
    .update = view_template_update,
    .tick = view_template_tick,
    .grab = view_template_grab,
    .keys = view_template_keys,
};
