/*
 * compat_mns_xml: the small XML reader behind the MNS adapter. A request
 * body becomes a tree of elements (local names, their text); nothing
 * else of XML is kept. Documents with a DOCTYPE or an entity
 * declaration are refused before anything is expanded; depth, element
 * count and size are capped. Engine thread only (no shared state).
 */
#ifndef FLOWDECK_COMPAT_MNS_XML_H
#define FLOWDECK_COMPAT_MNS_XML_H

#include <stddef.h>

#define MNS_XML_DEPTH_MAX 8
#define MNS_XML_ELEMS_MAX 1024
#define MNS_XML_SIZE_MAX (1024 * 1024)

/* One element: its local name (any "prefix:" dropped) and the character
 * data directly inside it, concatenated. */
struct mns_xml {
    char *name;
    char *text; /* "" when none; NUL-terminated, UTF-8 */
    size_t text_len;
    struct mns_xml *child; /* first child */
    struct mns_xml *next;  /* next sibling */
};

/*
 * Parse `len` bytes of XML. Returns: 0 and the root element in *out;
 * ENG_EINVAL with err name "MalformedXML" for a malformed document, a
 * DOCTYPE or entity declaration, or one over the caps (the message says
 * which and where).
 */
int compat_mns_xml_parse(struct mns_xml **out, const char *text, size_t len);

/* Free a tree; NULL-safe. */
void compat_mns_xml_free(struct mns_xml *x);

/* Returns: borrowed first child of x named `name`, or NULL. */
const struct mns_xml *compat_mns_xml_child(const struct mns_xml *x,
                                           const char *name);

/* Returns: borrowed text of x's first child named `name`, or NULL. */
const char *compat_mns_xml_text(const struct mns_xml *x, const char *name);

#endif
