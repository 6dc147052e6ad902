/*
 * w_form: a small form in a dialog box: a few labelled one-line fields,
 * Tab between them, Enter submits, Esc cancels, ctrl-e edits the field in
 * $EDITOR, and a line that says why what was typed was refused. Knows nothing of the engine.
 */
#ifndef FLOWDECK_W_FORM_H
#define FLOWDECK_W_FORM_H

#include "widgets/w_input.h"

#include <curses.h>

#define W_FORM_FIELDS 8

struct w_form {
    int open;                          /* the form is showing */
    char *title;                       /* of the box */
    int n;                             /* fields in use */
    const char *labels[W_FORM_FIELDS]; /* borrowed, see w_form_open() */
    struct w_input fields[W_FORM_FIELDS];
    int field;          /* the one being edited */
    char *hint;         /* a grey line under the fields, or NULL */
    char *refused;      /* why the last submit was refused, or NULL */
    const char *submit; /* what Enter does: "send", "start"... */
};

enum w_form_result {
    W_FORM_NONE,   /* the key changed nothing */
    W_FORM_EDITED, /* a field or the focus changed */
    W_FORM_SUBMIT, /* Enter: read the fields, then close or refuse */
    W_FORM_CANCEL  /* Esc: the form closed */
};

/*
 * Open the form titled `title` with `n` fields (at most W_FORM_FIELDS)
 * labelled `labels` (borrowed: static strings, or strings the caller
 * keeps while the form is open), filled from `values` (NULL, or an
 * array of n strings that may be NULL). `submit` names what Enter does;
 * `hint` (may be NULL) is shown under the fields. Strings are copied.
 */
void w_form_open(struct w_form *f, const char *title, int n,
                 const char *const *labels, const char *const *values,
                 const char *submit, const char *hint);

/* Close the form, keeping nothing of it. */
void w_form_close(struct w_form *f);

/* Free what the form holds; the struct may be reused after. */
void w_form_free(struct w_form *f);

/* Returns: borrowed; the text of field `i` ("" when empty). */
const char *w_form_text(const struct w_form *f, int i);

/* Keep the form open and say why its input was refused (printf). */
void w_form_refuse(struct w_form *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Returns: what the key `ch` did; W_FORM_CANCEL has closed the form. */
enum w_form_result w_form_key(struct w_form *f, int ch);

/* Draw the open form centred in `win`, `width` columns wide at most. */
void w_form_draw(WINDOW *win, struct w_form *f, int width, int utf8);

#endif
