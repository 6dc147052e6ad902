/*
 * flow_validate: the checks that need the whole flow rather than one
 * node: step names unique anywhere in the flow (spec §1.2: goto and the
 * history address steps by name), and every goto (of a catch, a choice or
 * a choice's default) naming a step of the same list as the step holding
 * it. Reads the flow only; any thread.
 */
#include "flow/flow.h"

#include "common/err.h"
#include "common/xalloc.h"
#include "flow/flow_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FV_SIBLINGS_SHOWN 8

/* A step and the step whose list holds it (NULL: the flow's). */
struct fv_entry {
    const struct flow_step *step;
    const struct flow_step *parent;
};

struct fv {
    const struct flow *f;
    struct fv_entry *v; /* every step, sorted by name then position */
    size_t n;
    size_t cap;
};

static int
fv_pos_cmp(struct flow_pos a, struct flow_pos b)
{
    if (a.line != b.line)
        return a.line < b.line ? -1 : 1;
    return a.col < b.col ? -1 : a.col > b.col;
}

static int
fv_entry_cmp(const void *a, const void *b)
{
    const struct fv_entry *x = a, *y = b;
    int c = strcmp(x->step->name, y->step->name);

    return c ? c : fv_pos_cmp(x->step->name_pos, y->step->name_pos);
}

static void fv_collect(struct fv *c, const struct flow_steps *l,
                       const struct flow_step *parent);

static void
fv_collect_children(struct fv *c, const struct flow_step *s)
{
    for (size_t i = 0; i < s->nchoices; i++)
        fv_collect(c, &s->choices[i].steps, s);
    if (s->deflt)
        fv_collect(c, &s->deflt->steps, s);
    for (size_t i = 0; i < s->nbranches; i++)
        fv_collect(c, &s->branches[i], s);
    fv_collect(c, &s->steps, s);
}

static void
fv_collect(struct fv *c, const struct flow_steps *l,
           const struct flow_step *parent)
{
    for (size_t i = 0; i < l->n; i++) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 16;
            c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
        }
        c->v[c->n].step = &l->v[i];
        c->v[c->n].parent = parent;
        c->n++;
        fv_collect_children(c, &l->v[i]);
    }
}

/* The first duplicate in document order, against its first use. */
static int
fv_names(struct fv *c)
{
    const struct fv_entry *dup = NULL, *first = NULL, *run = NULL;

    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i].step->name == NULL)
            return flow_err_at(ENG_EINVAL, c->f->src, c->v[i].step->pos,
                               "a step has no name");
    }
    if (c->n > 0) /* c->v is NULL for a flow without steps */
        qsort(c->v, c->n, sizeof(*c->v), fv_entry_cmp);
    for (size_t i = 0; i < c->n; i++) {
        if (i == 0 || strcmp(c->v[i].step->name, c->v[i - 1].step->name))
            run = &c->v[i];
        else if (dup == NULL || fv_pos_cmp(c->v[i].step->name_pos,
                                           dup->step->name_pos) < 0) {
            dup = &c->v[i];
            first = run;
        }
    }
    if (dup == NULL)
        return 0;
    return flow_err_at(ENG_EINVAL, c->f->src, dup->step->name_pos,
                       "duplicate step name '%s' (first used at %d:%d; "
                       "names must be unique in the whole flow)",
                       dup->step->name, first->step->name_pos.line,
                       first->step->name_pos.col);
}

static const struct fv_entry *
fv_find(const struct fv *c, const char *name)
{
    size_t lo = 0, hi = c->n;

    /* the first entry with this name */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(c->v[mid].step->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->n && strcmp(c->v[lo].step->name, name) == 0)
        return &c->v[lo];
    return NULL;
}

static int
fv_goto(const struct fv *c, const struct flow_steps *l,
        const struct flow_step *from, const char *target,
        struct flow_pos pos)
{
    const struct fv_entry *e;
    char names[256];
    size_t o = 0;

    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, target) == 0)
            return 0;
    e = fv_find(c, target);
    if (e && e->parent)
        return flow_err_at(ENG_EINVAL, c->f->src, pos,
                           "goto '%s' of step '%s' is not a sibling: '%s' "
                           "is inside %s step '%s' (a goto must name a step "
                           "of the same list)", target, from->name, target,
                           flow_step_type_name(e->parent->type),
                           e->parent->name);
    if (e)
        return flow_err_at(ENG_EINVAL, c->f->src, pos,
                           "goto '%s' of step '%s' is not a sibling: '%s' "
                           "is a top-level step (a goto must name a step of "
                           "the same list)", target, from->name, target);
    names[0] = '\0';
    for (size_t i = 0; i < l->n && o < sizeof(names); i++) {
        int w = i == FV_SIBLINGS_SHOWN
                    ? snprintf(names + o, sizeof(names) - o, ", ...")
                    : snprintf(names + o, sizeof(names) - o, "%s%s",
                               i ? ", " : "", l->v[i].name);

        if (w < 0 || i == FV_SIBLINGS_SHOWN)
            break;
        o += (size_t)w;
    }
    return flow_err_at(ENG_EINVAL, c->f->src, pos,
                       "goto '%s' of step '%s' names no step (steps in its "
                       "list: %s)", target, from->name, names);
}

static int
fv_gotos(const struct fv *c, const struct flow_steps *l)
{
    int rc;

    for (size_t i = 0; i < l->n; i++) {
        const struct flow_step *s = &l->v[i];

        for (size_t k = 0; k < s->task.ncatch; k++) {
            const struct flow_catch *ca = &s->task.catches[k];

            if (ca->go_to &&
                (rc = fv_goto(c, l, s, ca->go_to, ca->goto_pos)) != 0)
                return rc;
        }
        for (size_t k = 0; k < s->nchoices; k++) {
            const struct flow_choice *ch = &s->choices[k];

            if ((rc = fv_gotos(c, &ch->steps)) != 0)
                return rc;
            if (ch->go_to &&
                (rc = fv_goto(c, l, s, ch->go_to, ch->goto_pos)) != 0)
                return rc;
        }
        if (s->deflt) {
            if ((rc = fv_gotos(c, &s->deflt->steps)) != 0)
                return rc;
            if (s->deflt->go_to &&
                (rc = fv_goto(c, l, s, s->deflt->go_to,
                              s->deflt->goto_pos)) != 0)
                return rc;
        }
        for (size_t k = 0; k < s->nbranches; k++)
            if ((rc = fv_gotos(c, &s->branches[k])) != 0)
                return rc;
        if ((rc = fv_gotos(c, &s->steps)) != 0)
            return rc;
    }
    return 0;
}

int
flow_validate(const struct flow *f)
{
    struct fv c = {f, NULL, 0, 0};
    int rc;

    fv_collect(&c, &f->steps, NULL);
    if ((rc = fv_names(&c)) != 0)
        goto out;
    rc = fv_gotos(&c, &f->steps);
out:
    free(c.v);
    return rc;
}
