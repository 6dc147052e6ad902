/*
 * w_input: a one-line text editor (type, Backspace, ^U clears, ^W drops
 * a word). Keeps UTF-8 bytes as typed; edits at the end of the line.
 * Knows nothing of the engine.
 */
#ifndef FLOWDECK_W_INPUT_H
#define FLOWDECK_W_INPUT_H

#include <curses.h>
#include <stddef.h>

struct w_input {
    char *text; /* NUL-terminated, never NULL after w_input_set() */
    size_t len, cap;
};

enum w_input_result {
    W_INPUT_NONE,   /* the key was not for the editor */
    W_INPUT_EDITED, /* the text changed */
    W_INPUT_ENTER,  /* Enter */
    W_INPUT_CANCEL  /* Esc */
};

/* Replace the text with `text` (NULL: empty). */
void w_input_set(struct w_input *in, const char *text);
void w_input_free(struct w_input *in);

/* Returns: what the key `ch` did. */
enum w_input_result w_input_key(struct w_input *in, int ch);

/* Draw the text at y, x in `width` columns, its end in view, with a
 * block cursor when `focused`. */
void w_input_draw(WINDOW *win, int y, int x, int width,
                  const struct w_input *in, int focused);

#endif
