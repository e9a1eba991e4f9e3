/* enip_path.c — CIP EPATH (CIP Vol. 1 Appendix C): port, logical (class,
 * instance, member, connection point, attribute), ANSI extended symbol and
 * simple data segments, into the detail as an array of segments, into the
 * path summary that names object-specific services, and into the event's
 * object text: the tag name for symbolic paths, "@class/instance/attribute"
 * (decimal) for logical ones. Other segment types end the path with an
 * invalid_path anomaly. */
#include "enip_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SEGMENT_TYPE_MASK 0xe0
#define SEGMENT_PORT 0x00
#define SEGMENT_LOGICAL 0x20
#define SEGMENT_ANSI_SYMBOL 0x91
#define SEGMENT_SIMPLE_DATA 0x80
#define PORT_EXTENDED_LINK 0x10
#define PORT_ID_MASK 0x0f
#define PORT_ID_EXTENDED 0x0f
#define LOGICAL_TYPE_SHIFT 2
#define LOGICAL_TYPE_MASK 0x07
#define LOGICAL_FORMAT_MASK 0x03

enum logical_type { LOGICAL_CLASS, LOGICAL_INSTANCE, LOGICAL_MEMBER, LOGICAL_CONNECTION_POINT, LOGICAL_ATTRIBUTE };
enum logical_format { FORMAT_8_BIT, FORMAT_16_BIT, FORMAT_32_BIT };

static const char *const logical_keys[] = { "class", "instance", "member", "connection_point", "attribute" };

static void append(char *text, size_t size, const char *fmt, ...)
{
    size_t used = strlen(text);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + used, size - used, fmt, ap);
    va_end(ap);
}

/* A 16- or 32-bit logical value follows a pad byte. */
static uint32_t logical_value(cursor *c, enum logical_format format)
{
    if (format == FORMAT_8_BIT)
        return cursor_u8(c);
    cursor_skip(c, 1);
    return format == FORMAT_16_BIT ? cursor_le16(c) : cursor_le32(c);
}

static bool logical_segment(struct enip_message *msg, cursor *c, uint8_t segment, struct cip_path *p,
                            char *text, size_t size)
{
    unsigned type = segment >> LOGICAL_TYPE_SHIFT & LOGICAL_TYPE_MASK;
    unsigned format = segment & LOGICAL_FORMAT_MASK;
    if (type > LOGICAL_ATTRIBUTE || format > FORMAT_32_BIT)
        return false;
    uint32_t v = logical_value(c, format);
    if (!cursor_ok(c))
        return false;
    detail_uint(msg->ev->detail, logical_keys[type], v);
    switch (type) {
    case LOGICAL_CLASS: p->has_class = true; p->class_id = v; break;
    case LOGICAL_INSTANCE: p->has_instance = true; p->instance = v; break;
    case LOGICAL_ATTRIBUTE: p->has_attribute = true; p->attribute = v; break;
    case LOGICAL_MEMBER:
        p->has_member = true;
        p->member = v;
        if (p->symbolic)
            append(text, size, "[%u]", (unsigned)v);
        break;
    default: break;
    }
    return true;
}

static bool port_segment(struct enip_message *msg, cursor *c, uint8_t segment)
{
    uint16_t port = segment & PORT_ID_MASK;
    bool extended_link = segment & PORT_EXTENDED_LINK, extended_port = port == PORT_ID_EXTENDED;
    size_t link_len = extended_link ? cursor_u8(c) : 1;
    if (extended_port)
        port = cursor_le16(c);
    const uint8_t *link = cursor_bytes(c, link_len);
    /* segment byte, link size, extended port id and link address, padded to even */
    if ((1 + extended_link + 2 * extended_port + link_len) & 1)
        cursor_skip(c, 1);
    if (!cursor_ok(c))
        return false;
    detail_uint(msg->ev->detail, "port", port);
    detail_bytes(msg->ev->detail, "link", link, link_len);
    return true;
}

static bool symbol_segment(struct enip_message *msg, cursor *c, struct cip_path *p, char *text, size_t size)
{
    uint8_t len = cursor_u8(c);
    const uint8_t *symbol = cursor_bytes(c, len);
    if (len & 1)
        cursor_skip(c, 1);
    if (!cursor_ok(c))
        return false;
    detail_string(msg->ev->detail, "symbol", symbol, len);
    append(text, size, "%s%.*s", p->symbolic ? "." : "", (int)len, (const char *)symbol);
    p->symbolic = true;
    return true;
}

static bool data_segment(struct enip_message *msg, cursor *c)
{
    uint8_t words = cursor_u8(c);
    const uint8_t *data = cursor_bytes(c, (size_t)words * 2);
    if (!cursor_ok(c))
        return false;
    detail_bytes(msg->ev->detail, "data", data, (size_t)words * 2);
    return true;
}

static bool one_segment(struct enip_message *msg, cursor *c, struct cip_path *p, char *text, size_t size)
{
    uint8_t segment = cursor_u8(c);
    if (segment == SEGMENT_ANSI_SYMBOL)
        return symbol_segment(msg, c, p, text, size);
    if (segment == SEGMENT_SIMPLE_DATA)
        return data_segment(msg, c);
    switch (segment & SEGMENT_TYPE_MASK) {
    case SEGMENT_PORT: return port_segment(msg, c, segment);
    case SEGMENT_LOGICAL: return logical_segment(msg, c, segment, p, text, size);
    default: return false;
    }
}

void cip_path_decode(struct enip_message *msg, cursor *c, size_t words, struct cip_path *p, char *text,
                     size_t text_size)
{
    struct mamori_detail *d = msg->ev->detail;
    cursor path = cursor_sub(c, words * 2);
    memset(p, 0, sizeof *p);
    text[0] = '\0';
    detail_array_begin(d, "path");
    while (cursor_ok(&path) && !cursor_empty(&path)) {
        detail_object_begin(d, NULL);
        bool ok = one_segment(msg, &path, p, text, text_size);
        detail_end(d);
        if (!ok) {
            enip_flag(msg, ENIP_ANOMALY_INVALID_PATH, "path_segment_truncated_or_unknown");
            break;
        }
    }
    detail_end(d);
    if (!p->symbolic && p->has_class) {
        append(text, text_size, "@%u", (unsigned)p->class_id);
        if (p->has_instance)
            append(text, text_size, "/%u", (unsigned)p->instance);
        if (p->has_instance && p->has_attribute)
            append(text, text_size, "/%u", (unsigned)p->attribute);
    }
}

enum cip_object_kind cip_path_kind(const struct cip_path *p)
{
    if (p->symbolic || (p->has_class && (p->class_id == CIP_CLASS_SYMBOL || p->class_id == CIP_CLASS_TEMPLATE)))
        return CIP_KIND_LOGIX;
    if (p->has_class && p->class_id == CIP_CLASS_CONNECTION_MANAGER)
        return CIP_KIND_CONNECTION_MANAGER;
    if (p->has_class && p->class_id == CIP_CLASS_PCCC)
        return CIP_KIND_PCCC;
    return CIP_KIND_GENERIC;
}
