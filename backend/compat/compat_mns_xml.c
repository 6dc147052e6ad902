/*
 * compat_mns_xml: MNS request bodies to a tree of elements, with expat.
 * A DOCTYPE or an entity declaration stops the parser at once (nothing
 * is ever expanded beyond XML's five predefined entities and character
 * references); depth, element count and size are capped. The tree keeps
 * local names and text only: MNS documents carry no attributes that
 * matter beyond xmlns. Engine thread only.
 */
#include "compat/compat_mns_xml.h"

#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

struct mns_xml_parse {
    XML_Parser p;
    struct mns_xml *root;
    struct mns_xml *open[MNS_XML_DEPTH_MAX]; /* the open elements */
    struct mns_xml *last[MNS_XML_DEPTH_MAX]; /* last child of each */
    struct buf text[MNS_XML_DEPTH_MAX];
    int depth;
    int elems;
    const char *refused; /* why the parser was stopped; NULL: not */
};

static void
compat_mns_xml_stop(struct mns_xml_parse *st, const char *why)
{
    if (st->refused == NULL)
        st->refused = why;
    XML_StopParser(st->p, XML_FALSE);
}

static void XMLCALL
compat_mns_xml_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
    struct mns_xml_parse *st = arg;
    const char *colon = strrchr(name, ':');
    struct mns_xml *x;

    (void)attrs;
    if (st->refused)
        return;
    if (st->depth >= MNS_XML_DEPTH_MAX) {
        compat_mns_xml_stop(st, "elements nest too deeply");
        return;
    }
    if (++st->elems > MNS_XML_ELEMS_MAX) {
        compat_mns_xml_stop(st, "the document has too many elements");
        return;
    }
    x = xcalloc(1, sizeof(*x));
    x->name = xstrdup(colon ? colon + 1 : name);
    if (st->depth == 0)
        st->root = x;
    else if (st->last[st->depth - 1])
        st->last[st->depth - 1]->next = x;
    else
        st->open[st->depth - 1]->child = x;
    if (st->depth > 0)
        st->last[st->depth - 1] = x;
    st->open[st->depth] = x;
    st->last[st->depth] = NULL;
    buf_reset(&st->text[st->depth]);
    st->depth++;
}

static void XMLCALL
compat_mns_xml_end(void *arg, const XML_Char *name)
{
    struct mns_xml_parse *st = arg;
    struct mns_xml *x;
    struct buf *t;

    (void)name;
    if (st->refused || st->depth == 0)
        return;
    st->depth--;
    x = st->open[st->depth];
    t = &st->text[st->depth];
    x->text_len = t->len;
    x->text = t->len ? buf_take(t) : xstrdup("");
}

static void XMLCALL
compat_mns_xml_chars(void *arg, const XML_Char *s, int len)
{
    struct mns_xml_parse *st = arg;

    if (st->refused || st->depth == 0 || len <= 0)
        return;
    if (buf_append(&st->text[st->depth - 1], s, (size_t)len))
        compat_mns_xml_stop(st, "an element's text is too long");
}

static void XMLCALL
compat_mns_xml_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
                       const XML_Char *pubid, int has_internal)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal;
    compat_mns_xml_stop(arg, "a DOCTYPE is not allowed");
}

static void XMLCALL
compat_mns_xml_entity(void *arg, const XML_Char *name, int is_param,
                      const XML_Char *value, int value_len,
                      const XML_Char *base, const XML_Char *sysid,
                      const XML_Char *pubid, const XML_Char *notation)
{
    (void)name;
    (void)is_param;
    (void)value;
    (void)value_len;
    (void)base;
    (void)sysid;
    (void)pubid;
    (void)notation;
    compat_mns_xml_stop(arg, "an entity declaration is not allowed");
}

int
compat_mns_xml_parse(struct mns_xml **out, const char *text, size_t len)
{
    struct mns_xml_parse st;
    enum XML_Status s;
    int rc = 0;

    *out = NULL;
    if (len > MNS_XML_SIZE_MAX)
        return err_setn(ENG_EINVAL, "MalformedXML",
                        "the XML body is %zu bytes; at most %d are read", len,
                        MNS_XML_SIZE_MAX);
    memset(&st, 0, sizeof(st));
    for (int i = 0; i < MNS_XML_DEPTH_MAX; i++)
        buf_init(&st.text[i], MNS_XML_SIZE_MAX);
    st.p = XML_ParserCreate("UTF-8");
    if (st.p == NULL)
        return err_set(ENG_ERR, "XML parser: out of memory");
    XML_SetUserData(st.p, &st);
    XML_SetElementHandler(st.p, compat_mns_xml_start, compat_mns_xml_end);
    XML_SetCharacterDataHandler(st.p, compat_mns_xml_chars);
    XML_SetStartDoctypeDeclHandler(st.p, compat_mns_xml_doctype);
    XML_SetEntityDeclHandler(st.p, compat_mns_xml_entity);
    XML_SetParamEntityParsing(st.p, XML_PARAM_ENTITY_PARSING_NEVER);
    s = XML_Parse(st.p, text, (int)len, XML_TRUE);
    if (st.refused) {
        rc = err_setn(ENG_EINVAL, "MalformedXML",
                      "the XML body is refused: %s (line %lu)", st.refused,
                      (unsigned long)XML_GetCurrentLineNumber(st.p));
    } else if (s != XML_STATUS_OK) {
        rc = err_setn(ENG_EINVAL, "MalformedXML",
                      "the XML body is malformed: %s at line %lu, column "
                      "%lu",
                      XML_ErrorString(XML_GetErrorCode(st.p)),
                      (unsigned long)XML_GetCurrentLineNumber(st.p),
                      (unsigned long)XML_GetCurrentColumnNumber(st.p) + 1);
    } else if (st.root == NULL) {
        rc = err_setn(ENG_EINVAL, "MalformedXML", "the XML body is empty");
    }
    /* a stopped parse leaves open elements without text: fill them */
    for (int i = 0; i < st.depth; i++)
        if (st.open[i]->text == NULL)
            st.open[i]->text = xstrdup("");
    for (int i = 0; i < MNS_XML_DEPTH_MAX; i++)
        buf_free(&st.text[i]);
    XML_ParserFree(st.p);
    if (rc) {
        compat_mns_xml_free(st.root);
        return rc;
    }
    *out = st.root;
    return 0;
}

void
compat_mns_xml_free(struct mns_xml *x)
{
    while (x) {
        struct mns_xml *next = x->next;

        compat_mns_xml_free(x->child);
        free(x->name);
        free(x->text);
        free(x);
        x = next;
    }
}

const struct mns_xml *
compat_mns_xml_child(const struct mns_xml *x, const char *name)
{
    for (const struct mns_xml *c = x ? x->child : NULL; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const char *
compat_mns_xml_text(const struct mns_xml *x, const char *name)
{
    const struct mns_xml *c = compat_mns_xml_child(x, name);

    return c ? c->text : NULL;
}
