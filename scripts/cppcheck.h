/*
 * cppcheck.h: what cppcheck must know of the system headers it is not
 * given (scripts/lint runs it without /usr/include, whose glibc headers it
 * cannot parse): the for-each macros of jansson and the generator macros
 * of <bsd/sys/tree.h>, written as loops it can follow. Read by cppcheck
 * only (--include), never compiled.
 */
#define json_array_foreach(array, index, value)                           \
    for ((index) = 0; (index) < json_array_size(array) &&                 \
                      ((value) = json_array_get((array), (index)));       \
         (index)++)
#define json_object_foreach(object, key, value)                           \
    for ((key) = json_object_iter_key(json_object_iter(object));          \
         (key) && ((value) = json_object_iter_value(                      \
                       json_object_key_to_iter(key)));                    \
         (key) = json_object_iter_key(json_object_iter_next(              \
             (object), json_object_key_to_iter(key))))
#define json_object_foreach_safe(object, n, key, value)                   \
    for ((key) = json_object_iter_key(json_object_iter(object)),          \
        (n) = json_object_iter_next((object),                             \
                                    json_object_key_to_iter(key));        \
         (key) && ((value) = json_object_iter_value(                      \
                       json_object_key_to_iter(key)));                    \
         (key) = json_object_iter_key(n),                                 \
        (n) = json_object_iter_next((object),                             \
                                    json_object_key_to_iter(key)))
#define RB_PROTOTYPE(name, type, field, cmp)
#define RB_GENERATE(name, type, field, cmp)
#define RB_FOREACH(x, name, head)                                         \
    for ((x) = RB_MIN(name, head); (x) != NULL; (x) = RB_NEXT(name, head, x))
