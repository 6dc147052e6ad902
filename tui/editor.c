/*
 * editor: a temporary file under $TMPDIR, the editor spawned with
 * posix_spawnp on an argv split from $EDITOR, waited for, and the file
 * read back (at most EDITOR_MAX bytes) and removed.
 */
#include "editor.h"

#include "common/err.h"
#include "common/xalloc.h"

#include <curses.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EDITOR_MAX (1024 * 1024)
#define EDITOR_ARGS 16

extern char **environ;

/* Returns: the editor's exit status, or -1 with a message */
static int
editor_spawn(const char *cmd, const char *path)
{
    char *copy = xstrdup(cmd), *argv[EDITOR_ARGS + 2], *p = copy;
    int argc = 0, status = -1;
    pid_t pid;

    while (*p && argc < EDITOR_ARGS) {
        p += strspn(p, " ");
        if (*p == '\0')
            break;
        argv[argc++] = p;
        p += strcspn(p, " ");
        if (*p)
            *p++ = '\0';
    }
    if (argc == 0) {
        free(copy);
        return err_set(ENG_ERR, "EDITOR is empty");
    }
    argv[argc++] = (char *)path;
    argv[argc] = NULL;
    errno = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (errno != 0) {
        status = err_set(ENG_ERR, "cannot run %s: %s", argv[0],
                         strerror(errno));
        free(copy);
        return status;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    free(copy);
    if (!WIFEXITED(status))
        return err_set(ENG_ERR, "the editor was killed");
    return WEXITSTATUS(status);
}

static int
editor_read(char **out, FILE *f)
{
    char *buf = xmalloc(EDITOR_MAX + 1);
    size_t n = fread(buf, 1, EDITOR_MAX, f);

    if (ferror(f)) {
        free(buf);
        return err_set(ENG_ERR, "cannot read what was edited");
    }
    buf[n] = '\0';
    *out = buf;
    return 0;
}

int
editor_edit_text(char **out, const char *text)
{
    const char *cmd = getenv("EDITOR"), *tmp = getenv("TMPDIR");
    char *path;
    FILE *f = NULL;
    int fd, rc, status;

    *out = NULL;
    if (cmd == NULL || *cmd == '\0')
        cmd = getenv("VISUAL");
    if (cmd == NULL || *cmd == '\0')
        cmd = "vi";
    path = xasprintf("%s/flowdeck-edit-XXXXXX.json", tmp && *tmp ? tmp
                                                               : "/tmp");
    fd = mkstemps(path, 5);
    if (fd < 0) {
        rc = err_set(ENG_ERR, "cannot make a file to edit: %s",
                     strerror(errno));
        free(path);
        return rc;
    }
    if (text && write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        rc = err_set(ENG_ERR, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        goto out;
    }
    close(fd);
    def_prog_mode();
    endwin();
    status = editor_spawn(cmd, path);
    reset_prog_mode();
    clearok(curscr, TRUE); /* the editor drew over everything */
    refresh();
    if (status != 0) {
        rc = status < 0 ? status
                        : err_set(ENG_ERR, "the editor exited with status %d",
                                  status);
        goto out;
    }
    f = fopen(path, "re");
    rc = f ? editor_read(out, f)
           : err_set(ENG_ERR, "cannot read %s: %s", path, strerror(errno));
out:
    if (f)
        fclose(f);
    unlink(path);
    free(path);
    return rc;
}
