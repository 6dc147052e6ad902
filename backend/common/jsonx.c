/*
 * jsonx: see jsonx.h.
 */
#include "common/jsonx.h"

#include "common/err.h"
#include "common/jsonr.h"
#include "common/jsonw.h"
#include "common/timefmt.h"
#include "common/xalloc.h"

#include <assert.h>
#include <math.h>
#include <string.h>

int
jsonx_loads(json_t **out, const char *text, size_t len)
{
    json_error_t e;

    /* the common shapes fast; anything else (and every error) jansson's */
    if ((*out = jsonr_parse(text, len)) != NULL)
        return 0;
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
    if (*out == NULL)
        return err_setn(ENG_EINVAL, "InvalidJSON",
                        "invalid JSON at line %d, column %d: %s", e.line,
                        e.column, e.text);
    return 0;
}

int
jsonx_keys_present(const json_t *obj, const char *const *allowed,
                   uint32_t *present)
{
    const char *key;
    json_t *v;

    *present = 0;
    json_object_foreach((json_t *)obj, key, v) {
        int i = 0;

        (void)v;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (allowed[i] == NULL)
            return err_set(ENG_EINVAL, "unknown field '%s'", key);
        assert(i < 32);
        *present |= UINT32_C(1) << i;
    }
    return 0;
}

int
jsonx_check_keys(const json_t *obj, const char *const *allowed)
{
    uint32_t present;

    return jsonx_keys_present(obj, allowed, &present);
}

static const json_t *
jsonx_field(const json_t *obj, const char *key, int required, int *rc)
{
    const json_t *v = json_object_get(obj, key);

    *rc = 0;
    if (v == NULL || json_is_null(v)) {
        if (required)
            *rc = err_set(ENG_EINVAL, "field '%s' is required", key);
        return NULL;
    }
    return v;
}

int
jsonx_get_str(const char **out, const json_t *obj, const char *key,
              int required)
{
    int rc;
    const json_t *v = jsonx_field(obj, key, required, &rc);

    if (v == NULL)
        return rc;
    if (!json_is_string(v))
        return err_set(ENG_EINVAL, "field '%s' must be a string", key);
    *out = json_string_value(v);
    return 0;
}

int
jsonx_get_int(int64_t *out, const json_t *obj, const char *key,
              int required, int64_t min, int64_t max)
{
    int rc;
    const json_t *v = jsonx_field(obj, key, required, &rc);
    json_int_t n;

    if (v == NULL)
        return rc;
    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v))
               && fabs(json_real_value(v)) < 9.0e15) {
        n = (json_int_t)json_real_value(v);
    } else {
        return err_set(ENG_EINVAL,
                       "field '%s' must be an integer from %lld to %lld", key,
                       (long long)min, (long long)max);
    }
    if (n < min || n > max)
        return err_set(ENG_EINVAL,
                       "field '%s' is %lld, outside %lld to %lld", key,
                       (long long)n, (long long)min, (long long)max);
    *out = n;
    return 0;
}

int
jsonx_get_num(double *out, const json_t *obj, const char *key, int required)
{
    int rc;
    const json_t *v = jsonx_field(obj, key, required, &rc);

    if (v == NULL)
        return rc;
    if (!json_is_number(v))
        return err_set(ENG_EINVAL, "field '%s' must be a number", key);
    *out = json_number_value(v);
    return 0;
}

int
jsonx_get_bool(int *out, const json_t *obj, const char *key, int required)
{
    int rc;
    const json_t *v = jsonx_field(obj, key, required, &rc);

    if (v == NULL)
        return rc;
    if (!json_is_boolean(v))
        return err_set(ENG_EINVAL, "field '%s' must be true or false", key);
    *out = json_is_true(v);
    return 0;
}

json_t *
jsonx_time(int64_t ms)
{
    char ts[TIMEFMT_MAX];

    timefmt_rfc3339(ts, ms);
    return json_stringn_nocheck(ts, strlen(ts));
}

json_t *
jsonx_stringn(const char *s, size_t n)
{
    const uint64_t high = 0x8080808080808080ull;
    uint64_t any = 0, w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        any |= w;
    }
    for (; i < n; i++)
        any |= (unsigned char)s[i];
    return any & high ? json_stringn(s, n) : json_stringn_nocheck(s, n);
}

char *
jsonx_dump(const json_t *j)
{
    char *s = jsonw_dump(j, JSON_COMPACT | JSON_ENCODE_ANY);

    return s ? s : xstrdup("null");
}
