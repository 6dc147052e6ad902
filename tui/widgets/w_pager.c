/*
 * w_pager: an array of owned lines.
 */
#include "widgets/w_pager.h"

#include "common/xalloc.h"
#include "widgets/w_text.h"

#include <stdlib.h>
#include <string.h>

void
w_pager_clear(struct w_pager *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->lines[i].text);
    p->n = 0;
}

void
w_pager_free(struct w_pager *p)
{
    w_pager_clear(p);
    free(p->lines);
    memset(p, 0, sizeof(*p));
}

void
w_pager_add(struct w_pager *p, int indent, attr_t attr, const char *text)
{
    const char *s = text, *nl;

    do {
        nl = strchr(s, '\n');
        if (p->n == p->cap) {
            p->cap = p->cap ? p->cap * 2 : 64;
            p->lines = xreallocarray(p->lines, p->cap, sizeof(*p->lines));
        }
        p->lines[p->n].text = nl ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);
        p->lines[p->n].attr = attr;
        p->lines[p->n].indent = indent;
        p->n++;
        s = nl + 1;
    } while (nl);
}

static size_t
w_pager_max_top(const struct w_pager *p, int h)
{
    return h > 0 && p->n > (size_t)h ? p->n - (size_t)h : 0;
}

void
w_pager_scroll(struct w_pager *p, long delta, int h)
{
    long top = (long)p->top + delta;
    long max = (long)w_pager_max_top(p, h);

    p->top = (size_t)(top < 0 ? 0 : top > max ? max : top);
}

void
w_pager_draw(WINDOW *win, int y, int h, struct w_pager *p)
{
    if (p->top > w_pager_max_top(p, h))
        p->top = w_pager_max_top(p, h);
    for (int i = 0; i < h && p->top + (size_t)i < p->n; i++) {
        const struct w_pager_line *l = &p->lines[p->top + (size_t)i];

        w_text_put(win, y + i, l->indent, l->text, l->attr);
    }
}
