/*
 * jsonx: jansson helpers for reading request objects with errors that
 * name the field and its allowed values, and for writing times.
 */
#ifndef FLOWDECK_JSONX_H
#define FLOWDECK_JSONX_H

#include <jansson.h>
#include <stdint.h>

/*
 * Parse text as JSON. Returns: 0 and a new reference in *out, or
 * ENG_EINVAL with "line L, column C: what" (*out NULL).
 */
int jsonx_loads(json_t **out, const char *text, size_t len);

/*
 * Reject keys of `obj` not listed in `allowed` (NULL-terminated).
 * Returns: 0 or ENG_EINVAL naming the first unknown field.
 */
int jsonx_check_keys(const json_t *obj, const char *const *allowed);

/*
 * As jsonx_check_keys, and say which allowed keys obj has: bit i of
 * *present for allowed[i] (at most 32 keys), so a caller looks up only
 * those. Returns: 0 or ENG_EINVAL naming the first unknown field.
 */
int jsonx_keys_present(const json_t *obj, const char *const *allowed,
                       uint32_t *present);

/*
 * Field getters. A missing (or null) field leaves *out unchanged and
 * returns 0 unless `required`. Returns: 0, or ENG_EINVAL naming the field
 * and what it must be. Strings are borrowed from obj.
 */
int jsonx_get_str(const char **out, const json_t *obj, const char *key,
                  int required);
int jsonx_get_int(int64_t *out, const json_t *obj, const char *key,
                  int required, int64_t min, int64_t max);
int jsonx_get_num(double *out, const json_t *obj, const char *key,
                  int required);
int jsonx_get_bool(int *out, const json_t *obj, const char *key,
                   int required);

/* Returns: new reference; the RFC 3339 text of ms since the epoch. */
json_t *jsonx_time(int64_t ms);

/* Returns: new reference to a string of the n bytes at s, or NULL if they
 * are not UTF-8. jansson checks them only when a byte is above 0x7F:
 * ASCII is UTF-8, and its checker walks a byte at a time. */
json_t *jsonx_stringn(const char *s, size_t n);

/* Returns: a compact dump the caller frees (never NULL for valid json). */
char *jsonx_dump(const json_t *j);

#endif
