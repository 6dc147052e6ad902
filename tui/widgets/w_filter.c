/*
 * w_filter: a line input compiled into a regex_t as it is typed.
 */
#include "widgets/w_filter.h"

int
w_filter_compile(struct w_filter *f)
{
    if (f->has_re)
        regfree(&f->re);
    f->has_re = 0;
    if (f->input.text == NULL || *f->input.text == '\0')
        return 0;
    if (regcomp(&f->re, f->input.text,
                REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
        return -1;
    f->has_re = 1;
    return 0;
}

int
w_filter_set(struct w_filter *f, const char *text)
{
    w_input_set(&f->input, text);
    return w_filter_compile(f);
}

int
w_filter_key(struct w_filter *f, int ch)
{
    switch (w_input_key(&f->input, ch)) {
    case W_INPUT_CANCEL:
        w_input_set(&f->input, NULL);
        f->open = 0;
        return 1;
    case W_INPUT_ENTER:
        f->open = 0;
        return 1;
    case W_INPUT_NONE:
        return 0;
    default:
        return 1;
    }
}

int
w_filter_match(const struct w_filter *f, const char *s)
{
    return !f->has_re || regexec(&f->re, s, 0, NULL, 0) == 0;
}

int
w_filter_shown(const struct w_filter *f)
{
    return f->open || (f->input.text && *f->input.text);
}

void
w_filter_draw(WINDOW *win, int y, int x, int width, const struct w_filter *f)
{
    w_input_draw(win, y, x, width, &f->input, f->open);
}

void
w_filter_free(struct w_filter *f)
{
    w_input_free(&f->input);
    if (f->has_re)
        regfree(&f->re);
    f->has_re = 0;
}
