/*
 * w_input: a growable byte buffer edited from the keys getch() returns;
 * multi-byte characters arrive one byte at a time and are kept whole.
 */
#include "widgets/w_input.h"

#include "common/xalloc.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#define W_INPUT_CTRL(c) ((c)&0x1f)

static void
w_input_append(struct w_input *in, const char *s, size_t n)
{
    if (in->len + n + 1 > in->cap) {
        in->cap = (in->len + n + 1) * 2;
        in->text = xrealloc(in->text, in->cap);
    }
    /* text is NULL only while cap is 0, so it was just allocated:
     * NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
    memcpy(in->text + in->len, s, n);
    in->len += n;
    in->text[in->len] = '\0';
}

void
w_input_set(struct w_input *in, const char *text)
{
    in->len = 0;
    w_input_append(in, "", 0);
    if (text)
        w_input_append(in, text, strlen(text));
}

void
w_input_free(struct w_input *in)
{
    free(in->text);
    memset(in, 0, sizeof(*in));
}

/* drop the last character, with its UTF-8 continuation bytes */
static void
w_input_backspace(struct w_input *in)
{
    while (in->len > 0 && ((unsigned char)in->text[--in->len] & 0xc0) == 0x80)
        ;
    in->text[in->len] = '\0';
}

enum w_input_result
w_input_key(struct w_input *in, int ch)
{
    char c;

    if (in->text == NULL)
        w_input_set(in, NULL);
    switch (ch) {
    case '\r':
    case '\n':
    case KEY_ENTER:
        return W_INPUT_ENTER;
    case 27:
        return W_INPUT_CANCEL;
    case KEY_BACKSPACE:
    case 127:
    case W_INPUT_CTRL('h'):
        w_input_backspace(in);
        return W_INPUT_EDITED;
    case W_INPUT_CTRL('u'):
        w_input_set(in, NULL);
        return W_INPUT_EDITED;
    case W_INPUT_CTRL('w'):
        while (in->len > 0 && in->text[in->len - 1] == ' ')
            w_input_backspace(in);
        while (in->len > 0 && in->text[in->len - 1] != ' ')
            w_input_backspace(in);
        return W_INPUT_EDITED;
    default:
        break;
    }
    if (ch < 0x20 || ch > 0xff || ch == 0x7f)
        return W_INPUT_NONE;
    c = (char)ch;
    w_input_append(in, &c, 1);
    return W_INPUT_EDITED;
}

void
w_input_draw(WINDOW *win, int y, int x, int width, const struct w_input *in,
             int focused)
{
    const char *s = in->text ? in->text : "";
    int room = width - (focused ? 1 : 0);

    if (room < 1)
        return;
    /* show the end: skip characters until the rest fits */
    while (*s && (int)text_width(s) > room) {
        s++;
        while (((unsigned char)*s & 0xc0) == 0x80)
            s++;
    }
    mvwaddnstr(win, y, x, s, (int)strlen(s));
    if (focused) {
        wattr_on(win, A_REVERSE, NULL);
        waddch(win, ' ');
        wattr_off(win, A_REVERSE, NULL);
    }
}
