/*
 * w_form: fields are w_input editors; the form only adds the focus, the
 * frame and the refusal line. Field labels are borrowed static strings.
 * ctrl-e edits the field in $EDITOR; its lines come back joined by
 * spaces, as a field holds one line.
 */
#include "widgets/w_form.h"

#include "common/err.h"
#include "common/xalloc.h"
#include "editor.h"
#include "text.h"
#include "theme.h"
#include "widgets/w_dialog.h"
#include "widgets/w_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
w_form_open(struct w_form *f, const char *title, int n,
            const char *const *labels, const char *const *values,
            const char *submit, const char *hint)
{
    w_form_close(f);
    if (n > W_FORM_FIELDS)
        n = W_FORM_FIELDS;
    f->open = 1;
    f->title = xstrdup(title ? title : "");
    f->n = n;
    for (int i = 0; i < n; i++) {
        f->labels[i] = labels[i];
        w_input_set(&f->fields[i], values ? values[i] : NULL);
    }
    f->field = 0;
    f->hint = hint ? xstrdup(hint) : NULL;
    f->submit = submit ? submit : "ok";
}

void
w_form_close(struct w_form *f)
{
    f->open = 0;
    free(f->title);
    f->title = NULL;
    free(f->hint);
    f->hint = NULL;
    free(f->refused);
    f->refused = NULL;
}

void
w_form_free(struct w_form *f)
{
    w_form_close(f);
    for (int i = 0; i < W_FORM_FIELDS; i++)
        w_input_free(&f->fields[i]);
}

const char *
w_form_text(const struct w_form *f, int i)
{
    if (i < 0 || i >= f->n || f->fields[i].text == NULL)
        return "";
    return f->fields[i].text;
}

void
w_form_refuse(struct w_form *f, const char *fmt, ...)
{
    va_list ap;
    char text[512];

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    free(f->refused);
    f->refused = xstrdup(text);
}

#define W_FORM_CTRL_E 5

/* ctrl-e: the field in $EDITOR */
static void
w_form_edit_external(struct w_form *f)
{
    char *text, *end;

    if (editor_edit_text(&text, w_form_text(f, f->field)) != 0) {
        w_form_refuse(f, "%s", err_last());
        return;
    }
    for (char *p = text; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    end = text + strlen(text);
    while (end > text && end[-1] == ' ')
        *--end = '\0';
    w_input_set(&f->fields[f->field], text);
    free(text);
    free(f->refused);
    f->refused = NULL;
}

enum w_form_result
w_form_key(struct w_form *f, int ch)
{
    if (!f->open)
        return W_FORM_NONE;
    switch (ch) {
    case W_FORM_CTRL_E:
        w_form_edit_external(f);
        return W_FORM_EDITED;
    case '\t':
    case KEY_DOWN:
        f->field = (f->field + 1) % f->n;
        return W_FORM_EDITED;
    case KEY_BTAB:
    case KEY_UP:
        f->field = (f->field + f->n - 1) % f->n;
        return W_FORM_EDITED;
    default:
        break;
    }
    switch (w_input_key(&f->fields[f->field], ch)) {
    case W_INPUT_ENTER:
        return W_FORM_SUBMIT;
    case W_INPUT_CANCEL:
        w_form_close(f);
        return W_FORM_CANCEL;
    case W_INPUT_EDITED:
        free(f->refused); /* the user is fixing it */
        f->refused = NULL;
        return W_FORM_EDITED;
    default:
        return W_FORM_NONE;
    }
}

void
w_form_draw(WINDOW *win, struct w_form *f, int width, int utf8)
{
    int lw = 0, x, y;
    WINDOW *in;

    if (!f->open)
        return;
    for (int i = 0; i < f->n; i++)
        if ((int)text_width(f->labels[i]) > lw)
            lw = (int)text_width(f->labels[i]);
    if (width > getmaxx(win) - 4)
        width = getmaxx(win) - 4;
    in = w_dialog_open(win, f->n + 3, width, f->title, utf8);
    if (in == NULL)
        return;
    for (int i = 0; i < f->n; i++) {
        w_text_put(in, i, 1, f->labels[i],
                   theme_attr(i == f->field ? THEME_KEY : THEME_LABEL));
        w_input_draw(in, i, lw + 3, getmaxx(in) - lw - 4, &f->fields[i],
                     i == f->field);
    }
    y = f->n;
    if (f->refused)
        w_text_put(in, y, 1, f->refused, theme_attr(THEME_DOWN));
    else if (f->hint)
        w_text_put(in, y, 1, f->hint, theme_attr(THEME_DIM));
    y = f->n + 2;
    x = 1;
    if (f->n > 1) {
        x = w_text_put(in, y, x, "tab", theme_attr(THEME_KEY));
        x = w_text_put(in, y, x + 1, "next field", A_NORMAL) + 3;
    }
    x = w_text_put(in, y, x, "enter", theme_attr(THEME_KEY));
    x = w_text_put(in, y, x + 1, f->submit, A_NORMAL);
    x = w_text_put(in, y, x + 3, "esc", theme_attr(THEME_KEY));
    x = w_text_put(in, y, x + 1, "cancel", A_NORMAL);
    x = w_text_put(in, y, x + 3, "^e", theme_attr(THEME_KEY));
    w_text_put(in, y, x + 1, "$EDITOR", A_NORMAL);
    delwin(in);
}
