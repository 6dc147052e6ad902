/*
 * exec_state: frames in memory and as the JSON saved in an execution's
 * row. The JSON uses short keys (it is written at every transition);
 * unknown phases or statuses are refused, never guessed. What can be
 * derived is not saved: a step's input (its mappings over its frame's
 * input and local, which do not change while it runs) and a branch's or
 * iteration's input (its step's input, plus the item); xrun_rebuild()
 * derives them again after a load.
 */
#include "flow/exec_int.h"

#include "common/err.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const xstatus_names[] = {
    [XS_RUNNING] = "Running",     [XS_SUCCEEDED] = "Succeeded",
    [XS_FAILED] = "Failed",       [XS_STOPPED] = "Stopped",
    [XS_TIMED_OUT] = "TimedOut",
};

const char *
xstatus_name(enum xstatus s)
{
    return (size_t)s <= XS_TIMED_OUT ? xstatus_names[s] : "Unknown";
}

int
xstatus_parse(enum xstatus *out, const char *s)
{
    for (size_t i = 0; i <= XS_TIMED_OUT; i++) {
        if (strcmp(s, xstatus_names[i]) == 0) {
            *out = (enum xstatus)i;
            return 0;
        }
    }
    return err_set(ENG_EINVAL, "unknown status '%s' (expected Running, "
                   "Succeeded, Failed, Stopped or TimedOut)", s);
}

struct xframe *
xframe_new(int index, json_t *input, json_t *local)
{
    struct xframe *f = xcalloc(1, sizeof(*f));

    f->index = index;
    f->input = input ? input : json_object();
    f->local = local ? local : json_object();
    f->cur.chosen = -1;
    return f;
}

void
xstep_clear(struct xstep *s)
{
    json_decref(s->input);
    free(s->token);
    free(s->retries);
    for (size_t i = 0; i < s->nkids; i++)
        xframe_free(s->kids[i]);
    free(s->kids);
    json_decref(s->items);
    free(s->error);
    free(s->cause);
    memset(s, 0, sizeof(*s));
    s->chosen = -1;
}

void
xframe_free(struct xframe *f)
{
    if (f == NULL)
        return;
    json_decref(f->input);
    json_decref(f->local);
    free(f->error);
    free(f->cause);
    xstep_clear(&f->cur);
    free(f);
}

void
xexec_free(struct xexec *x)
{
    if (x == NULL)
        return;
    free(x->flow);
    free(x->name);
    free(x->version);
    json_decref(x->input);
    json_decref(x->output);
    free(x->error);
    free(x->cause);
    free(x->parent_token);
    xframe_free(x->root);
    free(x);
}

const struct flow_steps *
xkid_list(const struct flow_step *s, const struct xstep *st)
{
    switch (s->type) {
    case FLOW_STEP_CHOICE:
        if (st->chosen >= 0 && (size_t)st->chosen < s->nchoices)
            return &s->choices[st->chosen].steps;
        return s->deflt ? &s->deflt->steps : NULL;
    case FLOW_STEP_FOREACH:
        return &s->steps;
    default:
        return NULL; /* parallel: per kid, see xvisit */
    }
}

int
xvisit(struct xframe *f, const struct flow_steps *list, xvisit_fn fn,
       void *arg)
{
    const struct flow_step *s;
    int rc;

    if ((rc = fn(f, list, arg)) != 0)
        return rc;
    if (f->cur.nkids == 0 || f->pc >= list->n)
        return 0;
    s = &list->v[f->pc];
    for (size_t i = 0; i < f->cur.nkids; i++) {
        const struct flow_steps *kl;
        struct xframe *k = f->cur.kids[i];

        if (k == NULL)
            continue;
        kl = s->type == FLOW_STEP_PARALLEL
                 ? &s->branches[k->index]
                 : xkid_list(s, &f->cur);
        if (kl && (rc = xvisit(k, kl, fn, arg)) != 0)
            return rc;
    }
    return 0;
}

/* ---- JSON ---- */

static void
xs_set_str(json_t *o, const char *k, const char *v)
{
    if (v)
        json_object_set_new(o, k, json_string(v));
}

static void
xs_set_int(json_t *o, const char *k, int64_t v)
{
    if (v)
        json_object_set_new(o, k, json_integer(v));
}

static json_t *
xstep_to_json(const struct xstep *s)
{
    json_t *o = json_object();

    xs_set_int(o, "ph", s->phase);
    xs_set_str(o, "tok", s->token);
    xs_set_int(o, "tm", s->timer);
    xs_set_int(o, "hb", s->hb_timer);
    xs_set_int(o, "since", s->since_ms);
    xs_set_int(o, "ent", s->entered_ev);
    xs_set_int(o, "att", s->attempt);
    if (s->nretries) {
        json_t *a = json_array();

        for (size_t i = 0; i < s->nretries; i++)
            json_array_append_new(a, json_integer(s->retries[i]));
        json_object_set_new(o, "rt", a);
    }
    if (s->chosen != -1)
        json_object_set_new(o, "ch", json_integer(s->chosen));
    if (s->nkids) {
        json_t *a = json_array();

        for (size_t i = 0; i < s->nkids; i++)
            json_array_append_new(a, s->kids[i]
                                         ? xframe_to_json(s->kids[i], 1)
                                         : json_null());
        json_object_set_new(o, "kids", a);
    }
    xs_set_int(o, "nk", (int64_t)s->next_kid);
    if (s->items)
        json_object_set(o, "items", s->items);
    xs_set_str(o, "err", s->error);
    xs_set_str(o, "cause", s->cause);
    return o;
}

json_t *
xframe_to_json(const struct xframe *f, int kid)
{
    json_t *o = json_object();

    xs_set_int(o, "s", f->status);
    xs_set_int(o, "i", f->index);
    xs_set_int(o, "pc", (int64_t)f->pc);
    if (!kid)
        json_object_set(o, "in", f->input);
    json_object_set(o, "lo", f->local);
    xs_set_int(o, "ev", f->last_ev);
    xs_set_int(o, "x", f->exited);
    xs_set_str(o, "err", f->error);
    xs_set_str(o, "cause", f->cause);
    json_object_set_new(o, "cur", xstep_to_json(&f->cur));
    return o;
}

static int64_t
xj_int(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static char *
xj_str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? xstrdup(s) : NULL;
}

static json_t *
xj_ref(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);

    return v ? json_incref(v) : NULL;
}

static int
xstep_from_json(struct xstep *s, const json_t *o)
{
    const json_t *a;
    int64_t ph = xj_int(o, "ph");

    if (!json_is_object(o) || ph < XP_ENTER || ph > XP_FAILED)
        return err_set(ENG_ERR, "execution state: bad step phase");
    s->phase = (enum xphase)ph;
    s->token = xj_str(o, "tok");
    s->timer = xj_int(o, "tm");
    s->hb_timer = xj_int(o, "hb");
    s->since_ms = xj_int(o, "since");
    s->entered_ev = xj_int(o, "ent");
    s->attempt = (int)xj_int(o, "att");
    if ((a = json_object_get(o, "rt")) && json_array_size(a)) {
        s->nretries = json_array_size(a);
        s->retries = xcalloc(s->nretries, sizeof(*s->retries));
        for (size_t i = 0; i < s->nretries; i++)
            s->retries[i] = (int)json_integer_value(json_array_get(a, i));
    }
    s->chosen = json_object_get(o, "ch") ? (int)xj_int(o, "ch") : -1;
    if ((a = json_object_get(o, "kids")) && json_array_size(a)) {
        s->nkids = json_array_size(a);
        s->kids = xcalloc(s->nkids, sizeof(*s->kids));
        for (size_t i = 0; i < s->nkids; i++) {
            const json_t *k = json_array_get(a, i);
            int rc;

            if (json_is_null(k))
                continue;
            if ((rc = xframe_from_json(&s->kids[i], k)) != 0)
                return rc;
        }
    }
    s->next_kid = (size_t)xj_int(o, "nk");
    s->items = xj_ref(o, "items");
    s->error = xj_str(o, "err");
    s->cause = xj_str(o, "cause");
    return 0;
}

int
xframe_from_json(struct xframe **out, const json_t *j)
{
    struct xframe *f;
    int64_t st = xj_int(j, "s");
    int rc;

    *out = NULL;
    if (!json_is_object(j) || st < XF_RUNNING || st > XF_FAILED)
        return err_set(ENG_ERR, "execution state: bad frame");
    f = xframe_new((int)xj_int(j, "i"), NULL, xj_ref(j, "lo"));
    json_decref(f->input);
    f->input = xj_ref(j, "in"); /* NULL for a kid: xrun_rebuild */
    f->status = (enum xfstatus)st;
    f->pc = (size_t)xj_int(j, "pc");
    f->last_ev = xj_int(j, "ev");
    f->exited = (int)xj_int(j, "x");
    f->error = xj_str(j, "err");
    f->cause = xj_str(j, "cause");
    if ((rc = xstep_from_json(&f->cur, json_object_get(j, "cur"))) != 0) {
        xframe_free(f);
        return rc;
    }
    *out = f;
    return 0;
}
