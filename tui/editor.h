/*
 * editor: edit a text in the user's $EDITOR (then $VISUAL, then vi),
 * with curses suspended while it runs. Runs on the loop's thread and
 * blocks it: the user is in the editor meanwhile.
 */
#ifndef FLOWDECK_EDITOR_H
#define FLOWDECK_EDITOR_H

/*
 * Write `text` (may be NULL: empty) to a temporary file, run the editor
 * on it (EDITOR may hold arguments, split on spaces; never a shell) and
 * read it back into *out, which the caller frees. Curses must be up: it
 * is suspended and restored around the editor. Returns: 0; ENG_ERR with
 * a message when the file or the editor failed (*out NULL).
 */
int editor_edit_text(char **out, const char *text);

#endif
