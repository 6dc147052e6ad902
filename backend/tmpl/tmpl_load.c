/*
 * tmpl_load: finding a template, reading its files without leaving its
 * folder, and rendering it for a deploy (parameters, substitution, the
 * resources checked field by field and put in dependency order).
 */
#include "tmpl/tmpl_int.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/jsonx.h"
#include "common/xalloc.h"
#include "core/engine.h"
#include "flow/flow.h"
#include "tmpl/tmpl_repo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMPL_MSG 512
#define TMPL_PARAM_MAX 1024 /* a parameter's value, bytes */
#define TMPL_RESOURCES_MAX 200
#define TMPL_SAFE_CHARS "-_.:/@"

/* ---- messages ---- */

int
tmpl_err(const struct tmpl *t, const char *ptr, const char *fmt, ...)
{
    char msg[TMPL_MSG], *p = xstrdup(ptr ? ptr : "");
    const json_t *pos = NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (;;) {
        char *slash;

        if (t->where && (pos = json_object_get(t->where, p)) != NULL)
            break;
        if ((slash = strrchr(p, '/')) == NULL)
            break;
        *slash = '\0';
    }
    free(p);
    if (pos == NULL)
        return err_set(ENG_EINVAL, "%s: %s", t->label, msg);
    return err_set(ENG_EINVAL, "%s:%d:%d: %s", t->label,
                   (int)json_integer_value(json_array_get(pos, 0)),
                   (int)json_integer_value(json_array_get(pos, 1)), msg);
}

/* ---- files ---- */

/* Returns: 1 when `rel` is a relative path without "." or ".." parts */
static int
tmpl_rel_ok(const char *rel)
{
    const char *p = rel;

    if (*rel == '\0' || *rel == '/' || strlen(rel) >= PATH_MAX / 2)
        return 0;
    while (*p) {
        size_t n = strcspn(p, "/");

        if (n == 0 || (n == 1 && p[0] == '.') ||
            (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += n;
        if (*p == '/')
            p++;
    }
    return 1;
}

int
tmpl_path(char **out, const struct tmpl *t, const char *rel, const char *ptr)
{
    char *joined, real[PATH_MAX];
    size_t dlen = strlen(t->dir);
    struct stat st;

    *out = NULL;
    if (!tmpl_rel_ok(rel))
        return tmpl_err(t, ptr, "'%s' is not a path inside the template "
                        "folder (relative, without '.' or '..')", rel);
    joined = xasprintf("%s/%s", t->dir, rel);
    if (realpath(joined, real) == NULL) {
        int e = errno;

        free(joined);
        return tmpl_err(t, ptr, "file '%s': %s", rel,
                        e == ENOENT ? "not found" : strerror(e));
    }
    free(joined);
    if (strncmp(real, t->dir, dlen) != 0 || real[dlen] != '/')
        return tmpl_err(t, ptr, "file '%s' leads out of the template "
                        "folder (a symlink to %s)", rel, real);
    if (stat(real, &st) != 0 || !S_ISREG(st.st_mode))
        return tmpl_err(t, ptr, "'%s' is not a regular file", rel);
    if (st.st_size > TMPL_FILE_MAX)
        return tmpl_err(t, ptr, "file '%s' is %lld bytes (at most %d)", rel,
                        (long long)st.st_size, TMPL_FILE_MAX);
    *out = xstrdup(real);
    return 0;
}

/* Read a regular file of at most TMPL_FILE_MAX bytes, not following a
 * final symlink. Returns: 0, or ENG_ERR / ENG_ETOOBIG with a message. */
static int
tmpl_slurp(char **out, size_t *len, const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct buf b = BUF_INIT(TMPL_FILE_MAX);
    struct stat st;
    char chunk[16384];
    ssize_t n;

    *out = NULL;
    if (fd < 0)
        return err_set(ENG_ERR, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(ENG_EINVAL, "%s: not a regular file", path);
    }
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || buf_append(&b, chunk, (size_t)n) != 0) {
            int e = n < 0 ? errno : EFBIG;

            close(fd);
            buf_free(&b);
            return err_set(n < 0 ? ENG_ERR : ENG_ETOOBIG, "%s: %s", path,
                           n < 0 ? strerror(e) : "file too big");
        }
    }
    close(fd);
    *len = b.len;
    buf_append(&b, "", 0);
    *out = b.data ? buf_take(&b) : xstrdup("");
    return 0;
}

int
tmpl_read(char **out, size_t *len, const struct tmpl *t, const char *rel,
          const char *ptr)
{
    char *path;
    int rc;

    if ((rc = tmpl_path(&path, t, rel, ptr)))
        return rc;
    rc = tmpl_slurp(out, len, path);
    free(path);
    return rc;
}

/* ---- loading ---- */

void
tmpl_free(struct tmpl *t)
{
    if (t == NULL)
        return;
    free(t->name);
    free(t->source);
    free(t->dir);
    free(t->label);
    json_decref(t->doc);
    json_decref(t->where);
    free(t);
}

int
tmpl_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > TMPL_NAME_MAX ||
        !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* Check template.yaml's top level. */
static int
tmpl_check_doc(struct tmpl *t, int named_by_folder, const char *folder)
{
    static const char *const keys[] = {"name", "description", "parameters",
                                       "resources", "samples", NULL};
    const json_t *doc = t->doc, *v;
    const char *k;

    if (!json_is_object(doc))
        return tmpl_err(t, "", "expected a mapping with name, description, "
                        "parameters, resources and samples");
    json_object_foreach((json_t *)doc, k, v) {
        int known = 0;

        for (size_t i = 0; keys[i]; i++)
            known |= strcmp(k, keys[i]) == 0;
        if (!known) {
            char ptr[96];

            snprintf(ptr, sizeof(ptr), "/%s", k);
            return tmpl_err(t, ptr, "unknown key '%s' (expected name, "
                            "description, parameters, resources or "
                            "samples)", k);
        }
    }
    v = json_object_get(doc, "name");
    if (!json_is_string(v) || !tmpl_name_ok(json_string_value(v)))
        return tmpl_err(t, v ? "/name" : "", "name must be 1-%d lower-case "
                        "letters, digits and '-', starting with a letter "
                        "or digit", TMPL_NAME_MAX);
    if (named_by_folder && strcmp(json_string_value(v), folder) != 0)
        return tmpl_err(t, "/name", "name '%s' differs from its folder's "
                        "name '%s'", json_string_value(v), folder);
    v = json_object_get(doc, "description");
    if (v && !json_is_string(v))
        return tmpl_err(t, "/description", "description must be text");
    v = json_object_get(doc, "parameters");
    if (v && !json_is_object(v) && !json_is_null(v))
        return tmpl_err(t, "/parameters", "parameters must be a mapping of "
                        "parameter names to their description and default");
    v = json_object_get(doc, "resources");
    if (!json_is_array(v) || json_array_size(v) == 0)
        return tmpl_err(t, v ? "/resources" : "", "resources must be a "
                        "non-empty list");
    if (json_array_size(v) > TMPL_RESOURCES_MAX)
        return tmpl_err(t, "/resources", "%zu resources (at most %d)",
                        json_array_size(v), TMPL_RESOURCES_MAX);
    v = json_object_get(doc, "samples");
    if (v && !json_is_array(v) && !json_is_null(v))
        return tmpl_err(t, "/samples", "samples must be a list");
    t->name = xstrdup(json_string_value(json_object_get(doc, "name")));
    return 0;
}

/*
 * Load the template in folder `dir` of a source. named_by_folder: its
 * name must be the folder's. Returns: 0 and *out; ENG_EINVAL (*out
 * still set when the folder could be read, for its label).
 */
static int
tmpl_load(struct tmpl **out, const char *dir, const char *source,
          int named_by_folder)
{
    char real[PATH_MAX], *path, *text = NULL;
    const char *base;
    struct tmpl *t;
    struct stat st;
    size_t len = 0;
    int rc;

    *out = NULL;
    if (realpath(dir, real) == NULL)
        return err_set(ENG_ENOTFOUND, "%s: %s", dir, strerror(errno));
    t = xcalloc(1, sizeof(*t));
    t->dir = xstrdup(real);
    t->source = xstrdup(source);
    base = strrchr(real, '/');
    base = base && base[1] ? base + 1 : real;
    t->label = xasprintf("%s/template.yaml", base);
    *out = t;
    path = xasprintf("%s/template.yaml", t->dir);
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        free(path);
        return err_set(ENG_EINVAL, "%s: not a regular file in the template "
                       "folder", t->label);
    }
    rc = tmpl_slurp(&text, &len, path);
    free(path);
    if (rc == 0)
        rc = tmpl_parse(t, text, len, named_by_folder ? base : NULL);
    free(text);
    return rc;
}

int
tmpl_parse(struct tmpl *t, const char *text, size_t len, const char *folder)
{
    int rc = flow_yaml_load(&t->doc, &t->where, text, len, t->label,
                            TMPL_FILE_MAX);

    if (rc == 0)
        rc = tmpl_check_doc(t, folder != NULL, folder);
    return rc;
}

/* The places templates come from, in lookup order: [{"source", "path"}].
 * Returns: new reference. */
static json_t *
tmpl_roots(struct tmpl_service *ts)
{
    json_t *roots = json_array();

    json_t *repos = ts->eng->repos ? tmpl_repo_roots(ts->eng->repos)
                                   : json_array(), *r;
    size_t i;

    if (ts->bundled)
        json_array_append_new(roots, json_pack("{s:s, s:s}", "source",
                                               "bundled", "path",
                                               ts->bundled));
    json_array_foreach(repos, i, r) {
        char *source = xasprintf(
            "repo:%s", json_string_value(json_object_get(r, "name")));

        json_array_append_new(roots, json_pack("{s:s, s:O}", "source",
                                               source, "path",
                                               json_object_get(r, "path")));
        free(source);
    }
    json_decref(repos);
    return roots;
}

/* Returns: 1 when `dir` holds a template.yaml */
static int
tmpl_has_doc(const char *dir)
{
    char *p = xasprintf("%s/template.yaml", dir);
    struct stat st;
    int yes = lstat(p, &st) == 0;

    free(p);
    return yes;
}

static int
tmpl_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The template folders of a root: the root itself when it holds a
 * template.yaml, else each sub-folder that does, by name. Returns: new
 * array of {"path", "folder" (1: named by its folder)}.
 */
static json_t *
tmpl_root_folders(const char *root)
{
    json_t *list = json_array();
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    DIR *d;

    if (tmpl_has_doc(root)) {
        json_array_append_new(list, json_pack("{s:s, s:b}", "path", root,
                                              "folder", 0));
        return list;
    }
    if ((d = opendir(root)) == NULL)
        return list;
    while ((de = readdir(d)) != NULL) {
        char *p;

        if (de->d_name[0] == '.')
            continue;
        p = xasprintf("%s/%s", root, de->d_name);
        if (tmpl_has_doc(p)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                names = xreallocarray(names, cap, sizeof(*names));
            }
            names[n++] = xstrdup(de->d_name);
        }
        free(p);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), tmpl_cmp_names);
    for (size_t i = 0; i < n; i++) {
        char *p = xasprintf("%s/%s", root, names[i]);

        json_array_append_new(list, json_pack("{s:s, s:b}", "path", p,
                                              "folder", 1));
        free(p);
        free(names[i]);
    }
    free(names);
    return list;
}

int
tmpl_list(json_t **out, struct tmpl_service *ts)
{
    json_t *roots = tmpl_roots(ts), *items = json_array(), *root, *f;
    size_t i, j;

    json_array_foreach(roots, i, root) {
        json_t *folders = tmpl_root_folders(
            json_string_value(json_object_get(root, "path")));
        const char *source =
            json_string_value(json_object_get(root, "source"));

        json_array_foreach(folders, j, f) {
            const char *path = json_string_value(json_object_get(f, "path"));
            struct tmpl *t = NULL;
            int rc = tmpl_load(&t, path, source,
                               json_is_true(json_object_get(f, "folder")));
            json_t *it;

            if (rc == 0) {
                const json_t *params =
                    json_object_get(t->doc, "parameters");
                const json_t *desc = json_object_get(t->doc, "description");

                it = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "name",
                               t->name, "description",
                               desc ? json_string_value(desc) : "",
                               "source", source, "path", t->dir,
                               "parameters",
                               (int)json_object_size(params), "resources",
                               (int)json_array_size(json_object_get(
                                   t->doc, "resources")));
            } else {
                const char *base = strrchr(path, '/');

                it = json_pack("{s:s, s:s, s:s, s:s}", "name",
                               base ? base + 1 : path, "source", source,
                               "path", path, "error", err_last());
            }
            json_array_append_new(items, it);
            tmpl_free(t);
        }
        json_decref(folders);
    }
    json_decref(roots);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int
tmpl_find(struct tmpl **out, struct tmpl_service *ts, const char *name)
{
    json_t *roots = tmpl_roots(ts), *root, *f;
    const char *want = name, *only = NULL;
    size_t only_len = 0, i, j;
    int rc = 1;

    *out = NULL;
    if (strncmp(name, "repo:", 5) == 0 && strchr(name + 5, '/')) {
        only = name + 5;
        only_len = (size_t)(strchr(only, '/') - only);
        want = only + only_len + 1;
    }
    json_array_foreach(roots, i, root) {
        const char *source =
            json_string_value(json_object_get(root, "source"));
        json_t *folders;

        if (only && (strncmp(source, "repo:", 5) != 0 ||
                     strlen(source + 5) != only_len ||
                     strncmp(source + 5, only, only_len) != 0))
            continue;
        folders = tmpl_root_folders(
            json_string_value(json_object_get(root, "path")));
        json_array_foreach(folders, j, f) {
            const char *path = json_string_value(json_object_get(f, "path"));
            int by_folder = json_is_true(json_object_get(f, "folder"));
            const char *base = strrchr(path, '/');
            struct tmpl *t = NULL;

            /* a folder is named by its template; a root template is
             * looked at for its name */
            if (by_folder && strcmp(base ? base + 1 : path, want) != 0)
                continue;
            rc = tmpl_load(&t, path, source, by_folder);
            if (rc == 0 && strcmp(t->name, want) != 0) {
                tmpl_free(t);
                rc = 1;
                continue;
            }
            if (rc == 0)
                *out = t;
            else
                tmpl_free(t);
            break;
        }
        json_decref(folders);
        if (rc != 1)
            break;
    }
    json_decref(roots);
    if (rc == 1)
        return err_setn(ENG_ENOTFOUND, "TemplateNotFound",
                        "no template '%s' (flowdeck templates list shows "
                        "them)", name);
    return rc;
}

/* ---- parameters and substitution ---- */

/* A scalar as parameter text. Returns: new string, or NULL (not one). */
static char *
tmpl_scalar_text(const json_t *v)
{
    if (json_is_string(v))
        return xstrndup(json_string_value(v), json_string_length(v));
    if (json_is_integer(v))
        return xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return xasprintf("%.17g", json_real_value(v));
    if (json_is_boolean(v))
        return xstrdup(json_is_true(v) ? "true" : "false");
    return NULL;
}

/* Returns: 1 when `s` is a parameter name */
static int
tmpl_param_name_ok(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= TMPL_NAME_MAX && !(s[0] >= '0' && s[0] <= '9') &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_") == n;
}

/* kptr = "ptr/key"; a pointer too long to hold points nowhere (the error
 * then has no position rather than a wrong one). */
static void
tmpl_ptr_join(char *out, size_t cap, const char *ptr, const char *key)
{
    if (snprintf(out, cap, "%s/%s", ptr, key) >= (int)cap)
        out[0] = '\0';
}

#define TMPL_XSTR(x) #x
#define TMPL_STR(x) TMPL_XSTR(x)

/*
 * Returns: NULL when a parameter's pattern is cheap to compile, else why
 * it is not. glibc's regcomp takes exponential time on stacked
 * repetition ("[a-z]++++++++") and builds a copy per count of nested
 * counted repetition ("((a{1,99}){1,99}){1,99}"); POSIX leaves stacked
 * repetition undefined anyway. So: at most TMPL_PATTERN_MAX bytes, no
 * repetition of a repetition, counts up to 100, and no counted
 * repetition of a group holding one.
 */
static const char *
tmpl_pattern_why(const char *re)
{
    int counted[TMPL_PATTERN_MAX / 2 + 2] = {0}; /* per open group */
    int depth = 0, after_rep = 0, group_counted = 0;

    if (strlen(re) > TMPL_PATTERN_MAX)
        return "is longer than " TMPL_STR(TMPL_PATTERN_MAX) " characters";
    for (const char *p = re; *p; p++) {
        int rep = 0, is_count = 0;

        switch (*p) {
        case '\\':
            if (p[1])
                p++;
            break;
        case '[': /* a bracket expression: its ']' may come first */
            p++;
            if (*p == '^')
                p++;
            if (*p == ']')
                p++;
            while (*p && *p != ']') {
                if (p[0] == '[' && (p[1] == ':' || p[1] == '.' ||
                                    p[1] == '=')) {
                    const char *end = strchr(p + 2, p[1]);

                    p = end && end[1] == ']' ? end + 1 : p;
                }
                p++;
            }
            if (*p == '\0')
                return "has an unclosed bracket expression";
            break;
        case '(':
            if (depth >= TMPL_PATTERN_MAX / 2)
                return "nests too deeply";
            counted[++depth] = 0;
            break;
        case ')':
            if (depth > 0) {
                group_counted = counted[depth--];
                counted[depth] |= group_counted;
            }
            break;
        case '*':
        case '+':
        case '?':
            rep = 1;
            break;
        case '{': {
            char *end;
            long lo = strtol(p + 1, &end, 10), hi = lo;

            if (*end == ',')
                hi = end[1] == '}' ? 100 : strtol(end + 1, &end, 10);
            else
                end--;
            if (lo > 100 || hi > 100)
                return "repeats more than 100 times";
            rep = is_count = 1;
            end = strchr(p, '}'); /* none: regcomp refuses it after */
            p = end ? end : p;
            break;
        }
        default:
            break;
        }
        if (rep && after_rep)
            return "repeats a repetition (like '++'), which is undefined";
        if (is_count && p > re && group_counted)
            return "repeats a group that holds a counted repetition";
        if (is_count)
            counted[depth] = 1;
        if (*p != ')')
            group_counted = 0;
        after_rep = rep;
    }
    return NULL;
}

/* Check a parameter's declaration. */
static int
tmpl_param_decl(const struct tmpl *t, const char *name, const json_t *p,
                const char *ptr)
{
    static const char *const keys[] = {"description", "default", "pattern",
                                       "allowed", NULL};
    char kptr[256];
    const char *k;
    json_t *v;

    if (!tmpl_param_name_ok(name))
        return tmpl_err(t, ptr, "parameter name '%s' must be letters, "
                        "digits and '_', not starting with a digit", name);
    if (!json_is_object(p))
        return tmpl_err(t, ptr, "parameter '%s' must be a mapping with "
                        "description and default", name);
    json_object_foreach((json_t *)p, k, v) {
        int known = 0;

        for (size_t i = 0; keys[i]; i++)
            known |= strcmp(k, keys[i]) == 0;
        tmpl_ptr_join(kptr, sizeof(kptr), ptr, k);
        if (!known)
            return tmpl_err(t, kptr, "parameter '%s': unknown key '%s' "
                            "(expected description, default, pattern or "
                            "allowed)", name, k);
    }
    v = json_object_get(p, "default");
    tmpl_ptr_join(kptr, sizeof(kptr), ptr, "default");
    if (v == NULL || json_is_null(v) || json_is_object(v) ||
        json_is_array(v))
        return tmpl_err(t, v ? kptr : ptr, "parameter '%s' needs a default "
                        "value (text or a number): a template deploys with "
                        "its defaults", name);
    v = json_object_get(p, "description");
    if (v && !json_is_string(v))
        return tmpl_err(t, ptr, "parameter '%s': description must be text",
                        name);
    v = json_object_get(p, "pattern");
    if (v) {
        regex_t re;

        const char *why;

        tmpl_ptr_join(kptr, sizeof(kptr), ptr, "pattern");
        if (!json_is_string(v))
            return tmpl_err(t, kptr, "parameter '%s': pattern is not a "
                            "regular expression", name);
        /* before regcomp, which is what could take for ever */
        if ((why = tmpl_pattern_why(json_string_value(v))) != NULL)
            return tmpl_err(t, kptr, "parameter '%s': pattern %s", name,
                            why);
        if (regcomp(&re, json_string_value(v), REG_EXTENDED | REG_NOSUB))
            return tmpl_err(t, kptr, "parameter '%s': pattern is not a "
                            "regular expression", name);
        regfree(&re);
    }
    v = json_object_get(p, "allowed");
    if (v) {
        size_t i;
        json_t *a;

        tmpl_ptr_join(kptr, sizeof(kptr), ptr, "allowed");
        if (!json_is_array(v) || json_array_size(v) == 0)
            return tmpl_err(t, kptr, "parameter '%s': allowed must be a "
                            "non-empty list", name);
        json_array_foreach(v, i, a) {
            char *s = tmpl_scalar_text(a);

            if (s == NULL)
                return tmpl_err(t, kptr, "parameter '%s': allowed values "
                                "must be text or numbers", name);
            free(s);
        }
    }
    return 0;
}

/* Check a value against a parameter's rules; `where` says whose value. */
static int
tmpl_param_value(const struct tmpl *t, const char *name, const json_t *p,
                 const char *value, size_t len, const char *ptr,
                 int is_default)
{
    const json_t *pattern = json_object_get(p, "pattern");
    const json_t *allowed = json_object_get(p, "allowed");
    const char *whose = is_default ? "default" : "value";

    if (len != strlen(value) || len > TMPL_PARAM_MAX) {
        if (is_default)
            return tmpl_err(t, ptr, "parameter '%s': the default holds a "
                            "NUL or is over %d bytes", name, TMPL_PARAM_MAX);
        return err_set(ENG_EINVAL, "parameter '%s': the value holds a NUL "
                       "or is over %d bytes", name, TMPL_PARAM_MAX);
    }
    if (pattern) {
        regex_t re;
        int miss;

        regcomp(&re, json_string_value(pattern), REG_EXTENDED | REG_NOSUB);
        miss = regexec(&re, value, 0, NULL, 0) != 0;
        regfree(&re);
        if (miss && is_default)
            return tmpl_err(t, ptr, "parameter '%s': the default '%s' does "
                            "not match its pattern %s", name, value,
                            json_string_value(pattern));
        if (miss)
            return err_set(ENG_EINVAL, "parameter '%s': %s '%s' does not "
                           "match %s", name, whose, value,
                           json_string_value(pattern));
    }
    if (allowed) {
        struct buf list = BUF_INIT(0);
        int found = 0;
        size_t i;
        json_t *a;

        json_array_foreach(allowed, i, a) {
            char *s = tmpl_scalar_text(a);

            found |= strcmp(s, value) == 0;
            buf_printf(&list, "%s%s", i ? ", " : "", s);
            free(s);
        }
        if (!found) {
            int rc = is_default
                         ? tmpl_err(t, ptr, "parameter '%s': the default "
                                    "'%s' is not one of %s", name, value,
                                    buf_str(&list))
                         : err_set(ENG_EINVAL, "parameter '%s': '%s' is "
                                   "not one of %s", name, value,
                                   buf_str(&list));

            buf_free(&list);
            return rc;
        }
        buf_free(&list);
    }
    return 0;
}

/* Set vars[name] to `val` in the type of the parameter's default: a
 * number or true/false when the default is one. Returns: 0 or
 * ENG_EINVAL. */
static int
tmpl_param_typed(json_t *vars, const char *name, const json_t *def,
                 const char *val)
{
    char *end;

    errno = 0;
    if (json_is_integer(def)) {
        long long i = strtoll(val, &end, 10);

        if (*val == '\0' || *end != '\0' || errno)
            return err_set(ENG_EINVAL, "parameter '%s' must be a whole "
                           "number, not '%s'", name, val);
        json_object_set_new(vars, name, json_integer((json_int_t)i));
    } else if (json_is_real(def)) {
        double d = strtod(val, &end);

        if (*val == '\0' || *end != '\0' || errno)
            return err_set(ENG_EINVAL, "parameter '%s' must be a number, not "
                           "'%s'", name, val);
        json_object_set_new(vars, name, json_real(d));
    } else if (json_is_boolean(def)) {
        if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0)
            return err_set(ENG_EINVAL, "parameter '%s' must be true or "
                           "false, not '%s'", name, val);
        json_object_set_new(vars, name, json_boolean(val[0] == 't'));
    } else {
        json_object_set_new(vars, name, json_string(val));
    }
    return 0;
}

int
tmpl_vars(json_t **out, const struct tmpl *t, const json_t *given,
          const char *stack, const char *endpoint)
{
    const json_t *params = json_object_get(t->doc, "parameters");
    json_t *vars = json_object(), *p, *v;
    const char *name;
    char ptr[256];
    int rc = 0;

    *out = NULL;
    if (given && !json_is_object(given) && !json_is_null(given)) {
        json_decref(vars);
        return err_set(ENG_EINVAL, "params must be an object of parameter "
                       "names and values");
    }
    if (json_is_object(params)) {
        json_object_foreach((json_t *)params, name, p) {
            char *val;

            snprintf(ptr, sizeof(ptr), "/parameters/%s", name);
            if ((rc = tmpl_param_decl(t, name, p, ptr)))
                goto out;
            val = tmpl_scalar_text(json_object_get(p, "default"));
            snprintf(ptr, sizeof(ptr), "/parameters/%s/default", name);
            rc = tmpl_param_value(t, name, p, val, strlen(val), ptr, 1);
            json_object_set(vars, name, json_object_get(p, "default"));
            free(val);
            if (rc)
                goto out;
        }
    }
    if (json_is_object(given)) {
        json_object_foreach((json_t *)given, name, v) {
            char *val;

            p = json_is_object(params) ? json_object_get(params, name) : NULL;
            if (p == NULL) {
                struct buf list = BUF_INIT(0);
                const char *k;
                json_t *x;

                if (json_is_object(params))
                    json_object_foreach((json_t *)params, k, x)
                        buf_printf(&list, "%s%s", list.len ? ", " : "", k);
                rc = err_set(ENG_EINVAL, "template '%s' has no parameter "
                             "'%s' (%s%s)", t->name, name,
                             list.len ? "it has: " : "it has none",
                             buf_str(&list));
                buf_free(&list);
                goto out;
            }
            if ((val = tmpl_scalar_text(v)) == NULL) {
                rc = err_set(ENG_EINVAL, "parameter '%s' must be text or a "
                             "number", name);
                goto out;
            }
            rc = tmpl_param_value(t, name, p, val,
                                  json_is_string(v) ? json_string_length(v)
                                                    : strlen(val),
                                  NULL, 0);
            if (rc == 0)
                rc = tmpl_param_typed(vars, name,
                                      json_object_get(p, "default"), val);
            free(val);
            if (rc)
                goto out;
        }
    }
    json_object_set_new(vars, "flowdeck.stack", json_string(stack));
    json_object_set_new(vars, "flowdeck.endpoint", json_string(endpoint));
    *out = vars;
    vars = NULL;
out:
    json_decref(vars);
    return rc;
}

/*
 * Substitute ${NAME} in s[0..len) into out. restricted: the values may
 * hold only letters, digits and TMPL_SAFE_CHARS. Returns: 0, or
 * ENG_EINVAL with *bad the offset at fault and why[] the problem (no
 * message set).
 */
static int
tmpl_subst(struct buf *out, const char *s, size_t len, const json_t *vars,
           int restricted, size_t *bad, char *why, size_t whyn)
{
    for (size_t i = 0; i < len; i++) {
        const char *close;
        char *val;
        size_t n;
        char name[TMPL_NAME_MAX + 16];

        if (s[i] == '$' && i + 2 < len && s[i + 1] == '$' &&
            s[i + 2] == '{') {
            buf_append(out, "${", 2);
            i += 2;
            continue;
        }
        if (s[i] != '$' || i + 1 >= len || s[i + 1] != '{') {
            buf_append(out, s + i, 1);
            continue;
        }
        close = memchr(s + i + 2, '}', len - i - 2);
        n = close ? (size_t)(close - (s + i + 2)) : 0;
        *bad = i;
        if (close == NULL) {
            snprintf(why, whyn, "'${' without a closing '}'");
            return ENG_EINVAL;
        }
        if (n == 0 || n >= sizeof(name) ||
            strspn(s + i + 2, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
                              "TUVWXYZ0123456789_.-") < n) {
            snprintf(why, whyn, "'${%.*s}' is not a parameter reference",
                     (int)(n < 40 ? n : 40), s + i + 2);
            return ENG_EINVAL;
        }
        memcpy(name, s + i + 2, n);
        name[n] = '\0';
        if ((val = tmpl_scalar_text(json_object_get(vars, name))) == NULL) {
            snprintf(why, whyn, "unknown parameter '%s'", name);
            return ENG_EINVAL;
        }
        if (restricted) {
            for (const char *c = val; *c; c++) {
                if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || strchr(TMPL_SAFE_CHARS, *c))
                    continue;
                char what[16];

                if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                    snprintf(what, sizeof(what), "byte 0x%02X",
                             (unsigned)(unsigned char)*c);
                else
                    snprintf(what, sizeof(what), "'%c'", *c);
                snprintf(why, whyn, "parameter '%s' holds %s, which a flow "
                         "definition cannot take (only letters, digits and "
                         "%s)", name, what, TMPL_SAFE_CHARS);
                free(val);
                return ENG_EINVAL;
            }
        }
        buf_puts(out, val);
        free(val);
        i += n + 2;
    }
    return 0;
}

/* Substitute in every string of `v` (a new copy in *out); errors are
 * positioned at the string's node (pointer `ptr`). */
static int
tmpl_subst_json(json_t **out, const struct tmpl *t, const json_t *v,
                const json_t *vars, struct buf *ptr)
{
    size_t mark = ptr->len;
    int rc = 0;

    *out = NULL;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        struct buf b = BUF_INIT(0);
        char why[256];
        size_t bad;

        if (tmpl_subst(&b, s, len, vars, 0, &bad, why, sizeof(why))) {
            buf_free(&b);
            return tmpl_err(t, buf_str(ptr), "%s", why);
        }
        /* a string that is one whole reference takes the parameter's
         * type (a number, true or false when its default is one) */
        if (len > 3 && s[0] == '$' && s[1] == '{' && s[len - 1] == '}' &&
            memchr(s + 2, '}', len - 3) == NULL) {
            char name[TMPL_NAME_MAX + 16];

            snprintf(name, sizeof(name), "%.*s", (int)(len - 3), s + 2);
            *out = json_deep_copy(json_object_get(vars, name));
        } else
            *out = NULL;
        if (*out == NULL)
            *out = json_stringn(b.data ? b.data : "", b.len);
        buf_free(&b);
        return 0;
    }
    if (json_is_array(v)) {
        json_t *a = json_array(), *x, *y;
        size_t i;

        json_array_foreach(v, i, x) {
            buf_printf(ptr, "/%zu", i);
            rc = tmpl_subst_json(&y, t, x, vars, ptr);
            buf_truncate(ptr, mark);
            if (rc) {
                json_decref(a);
                return rc;
            }
            json_array_append_new(a, y);
        }
        *out = a;
        return 0;
    }
    if (json_is_object(v)) {
        json_t *o = json_object(), *x, *y;
        const char *k;

        json_object_foreach((json_t *)v, k, x) {
            buf_printf(ptr, "/%s", k);
            rc = tmpl_subst_json(&y, t, x, vars, ptr);
            buf_truncate(ptr, mark);
            if (rc) {
                json_decref(o);
                return rc;
            }
            json_object_set_new(o, k, y);
        }
        *out = o;
        return 0;
    }
    *out = json_deep_copy(v);
    return 0;
}

int
tmpl_flow_text(char **out, size_t *len, const struct tmpl *t,
               const char *rel, const char *ptr, const json_t *vars)
{
    struct buf b = BUF_INIT(0);
    struct flow *f = NULL;
    char *text, *label, why[256];
    size_t n, bad;
    int rc;

    *out = NULL;
    if ((rc = tmpl_read(&text, &n, t, rel, ptr)))
        return rc;
    label = xasprintf("%.*s%s", (int)(strlen(t->label) - 13), t->label,
                      rel);
    if (tmpl_subst(&b, text, n, vars, 1, &bad, why, sizeof(why))) {
        int line = 1, col = 1;

        for (size_t i = 0; i < bad; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        rc = err_set(ENG_EINVAL, "%s:%d:%d: %s", label, line, col, why);
        goto out;
    }
    buf_append(&b, "", 0);
    if ((rc = flow_parse(&f, b.data, b.len, label)))
        goto out;
    *len = b.len;
    *out = buf_take(&b);
out:
    flow_free(f);
    free(text);
    free(label);
    buf_free(&b);
    return rc;
}

/* ---- resources ---- */

/* What each resource type holds. Ranks give the creation order. */
struct tmpl_rtype {
    const char *type;
    int rank;
    const char *id[2];        /* identity fields, in key order */
    const char *const *keys;  /* every field it may hold but type */
};

static const char *const tmpl_queue_keys[] = {
    "name", "delay_seconds", "visibility_timeout", "retention_seconds",
    "max_message_size", "wait_seconds", "dead_letter_queue", "max_receives",
    "fifo", "content_dedup", NULL};
static const char *const tmpl_topic_keys[] = {"name", "max_message_size",
                                              "logging", NULL};
static const char *const tmpl_sub_keys[] = {
    "topic", "name", "endpoint", "filter_tag", "filter_policy",
    "filter_policy_scope", "notify_strategy", "format", NULL};
static const char *const tmpl_fn_keys[] = {"name", "runtime", "handler",
                                           "timeout_seconds",
                                           "max_concurrency", "env", NULL};
static const char *const tmpl_trig_keys[] = {
    "function", "queue", "batch_size", "batching_window_seconds",
    "max_concurrency", "enabled", NULL};
static const char *const tmpl_flow_keys[] = {"name", "definition",
                                             "description", NULL};

static const struct tmpl_rtype tmpl_rtypes[] = {
    {"queue", 1, {"name", NULL}, tmpl_queue_keys},
    {"topic", 2, {"name", NULL}, tmpl_topic_keys},
    {"function", 3, {"name", NULL}, tmpl_fn_keys},
    {"trigger", 4, {"function", "queue"}, tmpl_trig_keys},
    {"subscription", 5, {"topic", "name"}, tmpl_sub_keys},
    {"flow", 6, {"name", NULL}, tmpl_flow_keys},
};

#define TMPL_NTYPES (sizeof(tmpl_rtypes) / sizeof(tmpl_rtypes[0]))

/* Check one substituted resource; sets *rt. */
static int
tmpl_check_res(const struct tmpl_rtype **rt, const struct tmpl *t,
               const json_t *spec, const char *ptr)
{
    const char *type = json_string_value(json_object_get(spec, "type"));
    const struct tmpl_rtype *r = NULL;
    char kptr[256];
    const char *k;
    json_t *v;

    tmpl_ptr_join(kptr, sizeof(kptr), ptr, "type");
    if (!json_is_object(spec))
        return tmpl_err(t, ptr, "a resource must be a mapping with a type");
    for (size_t i = 0; type && i < TMPL_NTYPES; i++)
        if (strcmp(type, tmpl_rtypes[i].type) == 0)
            r = &tmpl_rtypes[i];
    if (r == NULL)
        return tmpl_err(t, type ? kptr : ptr, "%s%s%s (expected queue, "
                        "topic, subscription, function, trigger or flow)",
                        type ? "unknown resource type '" : "a resource needs "
                                                           "a type",
                        type ? type : "", type ? "'" : "");
    json_object_foreach((json_t *)spec, k, v) {
        int known = strcmp(k, "type") == 0;

        for (size_t i = 0; r->keys[i]; i++)
            known |= strcmp(k, r->keys[i]) == 0;
        tmpl_ptr_join(kptr, sizeof(kptr), ptr, k);
        if (!known && strcmp(r->type, "function") == 0 &&
            (strcmp(k, "command") == 0 || strcmp(k, "url") == 0 ||
             strcmp(k, "cwd") == 0))
            return tmpl_err(t, kptr, "a template cannot give a function a "
                            "%s: name a runtime (python3 or sh) and a "
                            "handler file of the template", k);
        if (!known)
            return tmpl_err(t, kptr, "%s: unknown field '%s'", r->type, k);
    }
    for (int i = 0; i < 2 && r->id[i]; i++) {
        v = json_object_get(spec, r->id[i]);
        tmpl_ptr_join(kptr, sizeof(kptr), ptr, r->id[i]);
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            strlen(json_string_value(v)) != json_string_length(v) ||
            strchr(json_string_value(v), '/'))
            return tmpl_err(t, v ? kptr : ptr, "%s: '%s' must be a name "
                            "(text without '/')", r->type, r->id[i]);
    }
    if (strcmp(r->type, "function") == 0) {
        const char *rt_ = json_string_value(json_object_get(spec, "runtime"));
        const json_t *env = json_object_get(spec, "env");

        tmpl_ptr_join(kptr, sizeof(kptr), ptr, "runtime");
        if (rt_ == NULL || (strcmp(rt_, "python3") != 0 &&
                            strcmp(rt_, "sh") != 0))
            return tmpl_err(t, rt_ ? kptr : ptr, "function: runtime must be "
                            "python3 or sh");
        tmpl_ptr_join(kptr, sizeof(kptr), ptr, "handler");
        if (!json_is_string(json_object_get(spec, "handler")))
            return tmpl_err(t, ptr, "function: handler must name a file of "
                            "the template");
        tmpl_ptr_join(kptr, sizeof(kptr), ptr, "env");
        if (env && !json_is_object(env))
            return tmpl_err(t, kptr, "function: env must be a mapping of "
                            "names to text");
    }
    if (strcmp(r->type, "flow") == 0 &&
        !json_is_string(json_object_get(spec, "definition")))
        return tmpl_err(t, ptr, "flow: definition must name a file of the "
                        "template");
    *rt = r;
    return 0;
}

/* Put queues after the dead-letter queues they name (when the stack
 * makes them). Returns: 0, or ENG_EINVAL on a cycle. */
static int
tmpl_order_queues(const struct tmpl *t, json_t *list)
{
    size_t n = json_array_size(list);

    /* a bounded bubble: each pass moves a queue after its target */
    for (size_t pass = 0; pass <= n; pass++) {
        int moved = 0;

        for (size_t i = 0; i < n; i++) {
            json_t *a = json_array_get(list, i);
            const json_t *spec = json_object_get(a, "spec");
            const char *dlq =
                json_string_value(json_object_get(spec, "dead_letter_queue"));

            if (strcmp(json_string_value(json_object_get(a, "type")),
                       "queue") != 0 || dlq == NULL)
                continue;
            for (size_t j = i + 1; j < n; j++) {
                json_t *b = json_array_get(list, j);

                if (strcmp(json_string_value(json_object_get(b, "type")),
                           "queue") == 0 &&
                    strcmp(json_string_value(json_object_get(b, "key")),
                           dlq) == 0) {
                    json_incref(a);
                    json_array_remove(list, i);
                    json_array_insert_new(list, j, a);
                    moved = 1;
                    break;
                }
            }
            if (moved)
                break;
        }
        if (!moved)
            return 0;
    }
    return tmpl_err(t, "/resources", "the queues' dead_letter_queue "
                    "settings form a cycle");
}

static int
tmpl_cmp_rank(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t rx = json_integer_value(json_object_get(x, "rank"));
    json_int_t ry = json_integer_value(json_object_get(y, "rank"));
    json_int_t ix = json_integer_value(json_object_get(x, "index"));
    json_int_t iy = json_integer_value(json_object_get(y, "index"));

    if (rx != ry)
        return rx < ry ? -1 : 1;
    return ix < iy ? -1 : ix > iy;
}

int
tmpl_render(json_t **out, const struct tmpl *t, const json_t *vars)
{
    const json_t *res = json_object_get(t->doc, "resources");
    size_t n = json_array_size(res), i;
    json_t **items = xcalloc(n ? n : 1, sizeof(*items));
    json_t *list = NULL, *seen = json_object(), *x;
    struct buf ptr = BUF_INIT(0);
    int rc = 0;

    *out = NULL;
    json_array_foreach(res, i, x) {
        const struct tmpl_rtype *rt = NULL;
        json_t *spec;
        char *key;

        buf_reset(&ptr);
        buf_printf(&ptr, "/resources/%zu", i);
        if ((rc = tmpl_subst_json(&spec, t, x, vars, &ptr)))
            goto out;
        if ((rc = tmpl_check_res(&rt, t, spec, buf_str(&ptr)))) {
            json_decref(spec);
            goto out;
        }
        key = rt->id[1]
                  ? xasprintf("%s/%s",
                              json_string_value(
                                  json_object_get(spec, rt->id[0])),
                              json_string_value(
                                  json_object_get(spec, rt->id[1])))
                  : xstrdup(json_string_value(
                        json_object_get(spec, rt->id[0])));
        {
            char *tk = xasprintf("%s %s", rt->type, key);

            if (json_object_get(seen, tk)) {
                rc = tmpl_err(t, buf_str(&ptr), "%s '%s' is listed twice "
                              "(also at resource %lld)", rt->type, key,
                              (long long)json_integer_value(
                                  json_object_get(seen, tk)));
                free(tk);
                free(key);
                json_decref(spec);
                goto out;
            }
            json_object_set_new(seen, tk, json_integer((json_int_t)i));
            free(tk);
        }
        items[i] = json_pack("{s:s, s:s, s:i, s:s, s:o, s:i}", "type",
                             rt->type, "key", key, "rank", rt->rank, "ptr",
                             buf_str(&ptr), "spec", spec, "index", (int)i);
        free(key);
    }
    qsort(items, n, sizeof(*items), tmpl_cmp_rank);
    list = json_array();
    for (i = 0; i < n; i++) {
        json_object_del(items[i], "index");
        json_array_append_new(list, items[i]);
        items[i] = NULL;
    }
    if ((rc = tmpl_order_queues(t, list)))
        goto out;
    *out = list;
    list = NULL;
out:
    for (i = 0; i < n; i++)
        json_decref(items[i]);
    free(items);
    json_decref(list);
    json_decref(seen);
    buf_free(&ptr);
    return rc;
}

int
tmpl_samples(json_t **out, const struct tmpl *t, const json_t *vars)
{
    static const char *const keys[] = {"name", "description", "flow",
                                       "input", "file", NULL};
    const json_t *samples = json_object_get(t->doc, "samples");
    const json_t *res = json_object_get(t->doc, "resources"), *r;
    json_t *list = json_array(), *s;
    struct buf ptr = BUF_INIT(0);
    const json_t *only = NULL;
    json_t *only_flow = NULL;
    size_t i, only_ptr = 0;
    int flows = 0, rc = 0;

    *out = NULL;
    json_array_foreach(res, i, r) {
        const char *type = json_string_value(json_object_get(r, "type"));

        if (type && strcmp(type, "flow") == 0) {
            flows++;
            only = json_object_get(r, "name");
            only_ptr = i;
        }
    }
    if (flows == 1) {
        buf_printf(&ptr, "/resources/%zu/name", only_ptr);
        if ((rc = tmpl_subst_json(&only_flow, t, only, vars, &ptr)))
            goto out;
    }
    json_array_foreach(samples, i, s) {
        json_t *spec = NULL, *input = NULL, *v;
        const char *name, *flow, *file, *k;

        buf_reset(&ptr);
        buf_printf(&ptr, "/samples/%zu", i);
        if (!json_is_object(s)) {
            rc = tmpl_err(t, buf_str(&ptr), "a sample must be a mapping with "
                          "name and input");
            goto out;
        }
        json_object_foreach((json_t *)s, k, v) {
            int known = 0;

            for (size_t j = 0; keys[j]; j++)
                known |= strcmp(k, keys[j]) == 0;
            if (!known) {
                rc = tmpl_err(t, buf_str(&ptr), "sample: unknown field '%s' "
                              "(expected name, description, flow, input or "
                              "file)", k);
                goto out;
            }
        }
        if ((rc = tmpl_subst_json(&spec, t, s, vars, &ptr)))
            goto out;
        name = json_string_value(json_object_get(spec, "name"));
        flow = json_string_value(json_object_get(spec, "flow"));
        file = json_string_value(json_object_get(spec, "file"));
        if (name == NULL || !tmpl_name_ok(name))
            rc = tmpl_err(t, buf_str(&ptr), "sample: name must be lower-case "
                          "letters, digits and '-'");
        else if (flow == NULL && flows != 1)
            rc = tmpl_err(t, buf_str(&ptr), "sample '%s': name its flow "
                          "(the template has %d)", name, flows);
        else if ((json_object_get(spec, "input") != NULL) == (file != NULL))
            rc = tmpl_err(t, buf_str(&ptr), "sample '%s': give either input "
                          "or file", name);
        if (rc == 0 && file) {
            char *text;
            size_t len;

            buf_puts(&ptr, "/file");
            if ((rc = tmpl_read(&text, &len, t, file, buf_str(&ptr))) == 0) {
                rc = jsonx_loads(&input, text, len);
                free(text);
                if (rc)
                    rc = tmpl_err(t, buf_str(&ptr), "sample file '%s': %s",
                                  file, err_last());
            }
        } else if (rc == 0) {
            input = json_incref(json_object_get(spec, "input"));
        }
        if (rc == 0) {
            v = json_object_get(spec, "description");
            json_array_append_new(
                list, json_pack("{s:s, s:s, s:s, s:O}", "name", name,
                                "description",
                                json_is_string(v) ? json_string_value(v)
                                                  : "",
                                "flow",
                                flow ? flow : json_string_value(only_flow),
                                "input",
                                input));
        }
        json_decref(input);
        json_decref(spec);
        if (rc)
            goto out;
    }
    *out = list;
    list = NULL;
out:
    json_decref(list);
    json_decref(only_flow);
    buf_free(&ptr);
    return rc;
}

/* ---- show ---- */

int
tmpl_show(json_t **out, struct tmpl_service *ts, const char *name)
{
    struct tmpl *t;
    json_t *vars = NULL, *samples = NULL, *params = json_array(), *p;
    json_t *rendered = NULL, *resources = json_array(), *r;
    char *readme = NULL, *path, *endpoint = tmpl_endpoint(ts);
    const json_t *decl;
    const char *k;
    size_t len, i;
    int rc;

    *out = NULL;
    if ((rc = tmpl_find(&t, ts, name))) {
        json_decref(params);
        json_decref(resources);
        free(endpoint);
        return rc;
    }
    if ((rc = tmpl_vars(&vars, t, NULL, t->name, endpoint)) ||
        (rc = tmpl_render(&rendered, t, vars)) ||
        (rc = tmpl_samples(&samples, t, vars)))
        goto out;
    json_array_foreach(rendered, i, r)
        json_array_append(resources, json_object_get(r, "spec"));
    decl = json_object_get(t->doc, "parameters");
    if (json_is_object(decl)) {
        json_object_foreach((json_t *)decl, k, p) {
            json_t *d = json_pack("{s:s, s:s, s:O}", "name", k,
                                  "description",
                                  json_is_string(json_object_get(
                                      p, "description"))
                                      ? json_string_value(json_object_get(
                                            p, "description"))
                                      : "",
                                  "default", json_object_get(vars, k));

            if (json_object_get(p, "pattern"))
                json_object_set(d, "pattern", json_object_get(p, "pattern"));
            if (json_object_get(p, "allowed"))
                json_object_set(d, "allowed", json_object_get(p, "allowed"));
            json_array_append_new(params, d);
        }
    }
    /* the README is optional; one that is there must be a plain file */
    path = xasprintf("%s/README.md", t->dir);
    if (access(path, F_OK) == 0 &&
        (rc = tmpl_read(&readme, &len, t, "README.md", "")))
        rc = 0; /* listed without it; the deploy does not read it */
    free(path);
    *out = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O, s:O, s:s?}", "name",
                     t->name, "description",
                     json_is_string(json_object_get(t->doc, "description"))
                         ? json_string_value(
                               json_object_get(t->doc, "description"))
                         : "",
                     "source", t->source, "path", t->dir, "parameters",
                     params, "resources", resources, "samples", samples,
                     "readme", readme);
out:
    free(readme);
    free(endpoint);
    json_decref(rendered);
    json_decref(resources);
    json_decref(params);
    json_decref(vars);
    json_decref(samples);
    tmpl_free(t);
    return rc;
}
