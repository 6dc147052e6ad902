/*
 * tmpl_int: what the template module's files share: the service, a
 * loaded template, and the steps of reading and rendering one
 * (tmpl_load.c) that deploying (tmpl_stack.c) builds on.
 */
#ifndef FLOWDECK_TMPL_INT_H
#define FLOWDECK_TMPL_INT_H

#include "tmpl/tmpl.h"

#include <stddef.h>

struct tmpl_service {
    struct engine *eng;
    char *bundled; /* NULL: no bundled templates */
};

/* A template read from its folder. */
struct tmpl {
    char *name;
    char *source; /* "bundled" | "repo:NAME" */
    char *dir;    /* the folder's real path */
    char *label;  /* "NAME/template.yaml", the start of every message */
    json_t *doc;  /* template.yaml as JSON, checked */
    json_t *where; /* JSON pointer -> [line, col] */
};

/*
 * Find and load template `name` ("NAME" or "repo:REPO/NAME"), checking
 * template.yaml's shape (not yet its parameters' values).
 * Returns: 0 and *out; ENG_ENOTFOUND (TemplateNotFound); ENG_EINVAL.
 */
int tmpl_find(struct tmpl **out, struct tmpl_service *ts, const char *name);
void tmpl_free(struct tmpl *t);

/*
 * Read the `len` bytes of `text` as t's template.yaml into t->doc and
 * t->where and check its top level (t->label starts every message);
 * `folder` (may be NULL) is the name it must have. tmpl_find does this
 * after reading the file. Returns: 0 (t->name set); ENG_EINVAL;
 * ENG_ETOOBIG.
 */
int tmpl_parse(struct tmpl *t, const char *text, size_t len,
               const char *folder);

/* Returns: the engine's base URL, "http://127.0.0.1:9460" (new). */
char *tmpl_endpoint(const struct tmpl_service *ts);

/* Returns: 1 when `s` is a template, stack, sample or repository name: 1-64
 * lower-case letters, digits and '-', not starting with '-'. */
int tmpl_name_ok(const char *s);

/* Set "LABEL:LINE:COL: message" for the node at JSON pointer `ptr` (or
 * its nearest parent that has a position). Returns: ENG_EINVAL. */
int tmpl_err(const struct tmpl *t, const char *ptr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The real path of `rel`, a file of the template's folder, named at
 * `ptr`: refused (ENG_EINVAL, positioned) when absolute, holding "..",
 * missing, leading out of the folder through a symlink, not a regular
 * file or over TMPL_FILE_MAX. Returns: 0 and a new path in *out.
 */
int tmpl_path(char **out, const struct tmpl *t, const char *rel,
              const char *ptr);

/* Read such a file. Returns: 0 and new NUL-terminated text, or as
 * tmpl_path. */
int tmpl_read(char **out, size_t *len, const struct tmpl *t, const char *rel,
              const char *ptr);

/*
 * The values of the template's parameters for a deploy: the defaults,
 * overridden by `given` (an object; may be NULL), each checked against
 * its pattern and allowed values; plus "flowdeck.stack" and
 * "flowdeck.endpoint". Returns: 0 and a new object; ENG_EINVAL.
 */
int tmpl_vars(json_t **out, const struct tmpl *t, const json_t *given,
              const char *stack, const char *endpoint);

/*
 * The resources with `vars` substituted, checked field by field and
 * sorted in dependency order: a new array of {"type", "key", "rank",
 * "ptr", "spec"} where spec is the resource as written, substituted.
 * Returns: 0; ENG_EINVAL positioned in template.yaml.
 */
int tmpl_render(json_t **out, const struct tmpl *t, const json_t *vars);

/* The samples with vars substituted: [{"name", "description", "flow",
 * "input"}]. Returns: 0; ENG_EINVAL. */
int tmpl_samples(json_t **out, const struct tmpl *t, const json_t *vars);

/*
 * A flow's definition file `rel` with vars substituted in its text (a
 * value may hold only letters, digits and -_.:/@ there), parsed and
 * validated as FDL. Returns: 0 and new text; ENG_EINVAL naming the file,
 * line and column.
 */
int tmpl_flow_text(char **out, size_t *len, const struct tmpl *t,
                   const char *rel, const char *ptr, const json_t *vars);

#endif
