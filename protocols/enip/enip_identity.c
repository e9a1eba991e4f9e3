/* enip_identity.c — the CIP identity item (type 0x000C) of a ListIdentity
 * response: encapsulation version, socket address, vendor, device type,
 * product code, revision, status, serial number, product name and state,
 * into the detail and, for the first item of a message, into the event's
 * identity fields that feed the asset inventory. */
#include "enip_private.h"

#include <stdio.h>

#define SIN_ZERO_LEN 8
#define IPV4_LEN 4

struct identity {
    uint16_t encapver, family, port, vendor, devtype, prodcode, status;
    const uint8_t *addr;
    uint8_t major, minor, namelen, state;
    uint32_t serial;
    const uint8_t *name;
};

/* False when the item ends before the product name does. */
static bool read_identity(cursor *item, struct identity *id)
{
    id->encapver = cursor_le16(item);
    id->family = cursor_be16(item); /* the socket address is big-endian */
    id->port = cursor_be16(item);
    id->addr = cursor_bytes(item, IPV4_LEN);
    cursor_skip(item, SIN_ZERO_LEN);
    id->vendor = cursor_le16(item);
    id->devtype = cursor_le16(item);
    id->prodcode = cursor_le16(item);
    id->major = cursor_u8(item);
    id->minor = cursor_u8(item);
    id->status = cursor_le16(item);
    id->serial = cursor_le32(item);
    id->namelen = cursor_u8(item);
    id->name = cursor_bytes(item, id->namelen);
    return cursor_ok(item);
}

static void identity_detail(struct mamori_detail *d, const struct identity *id, const char *revision,
                            const char *serial)
{
    char addr[16];
    snprintf(addr, sizeof addr, "%u.%u.%u.%u", id->addr[0], id->addr[1], id->addr[2], id->addr[3]);
    detail_uint(d, "encapver", id->encapver);
    detail_uint(d, "sinfamily", id->family);
    detail_uint(d, "sinport", id->port);
    detail_cstring(d, "sinaddr", addr);
    detail_uint(d, "vendor", id->vendor);
    detail_uint(d, "devtype", id->devtype);
    detail_uint(d, "prodcode", id->prodcode);
    detail_cstring(d, "revision", revision);
    detail_uint(d, "status", id->status);
    detail_cstring(d, "serial", serial);
    detail_uint(d, "namelen", id->namelen);
    detail_string(d, "name", id->name, id->namelen);
}

static void add_text(struct mamori_event *ev, const char *name, const char *text)
{
    mamori_event_add_identity(ev, name, text, strlen(text));
}

static void identity_fields(struct enip_message *msg, const struct identity *id)
{
    struct mamori_event *ev = msg->ev;
    char *vendor_id = msg->number[0], *devtype = msg->number[1], *prodcode = msg->number[2];
    snprintf(vendor_id, sizeof msg->number[0], "%u", id->vendor);
    snprintf(devtype, sizeof msg->number[1], "%u", id->devtype);
    snprintf(prodcode, sizeof msg->number[2], "%u", id->prodcode);
    const char *vendor = enip_vendor_name(id->vendor), *type = enip_device_type_name(id->devtype);
    ev->kind = MAMORI_EVENT_IDENTITY;
    add_text(ev, "vendor", vendor ? vendor : vendor_id);
    add_text(ev, "vendor_id", vendor_id);
    add_text(ev, "device_type", type ? type : devtype);
    add_text(ev, "product_code", prodcode);
    add_text(ev, "revision", msg->revision);
    add_text(ev, "serial_number", msg->serial);
    mamori_event_add_identity(ev, "product_name", id->name, id->namelen);
}

void enip_decode_identity(struct enip_message *msg, cursor *item)
{
    struct mamori_detail *d = msg->ev->detail;
    struct identity id;
    detail_object_begin(d, "identity");
    if (!read_identity(item, &id)) {
        enip_flag(msg, ENIP_ANOMALY_TRUNCATED_IDENTITY, "identity_item_shorter_than_its_fields");
        detail_end(d);
        return;
    }
    /* Only the first item's texts must outlive this call (as identity fields). */
    bool first = msg->ev->kind != MAMORI_EVENT_IDENTITY;
    char revision_later[sizeof msg->revision], serial_later[sizeof msg->serial];
    char *revision = first ? msg->revision : revision_later, *serial = first ? msg->serial : serial_later;
    /* The revision as Wireshark shows it: major, a dot, two-digit minor. */
    snprintf(revision, sizeof msg->revision, "%u.%02u", id.major, id.minor);
    snprintf(serial, sizeof msg->serial, "0x%08x", (unsigned)id.serial);
    identity_detail(d, &id, revision, serial);
    id.state = cursor_u8(item);
    if (cursor_ok(item))
        detail_uint(d, "state", id.state);
    else
        enip_flag(msg, ENIP_ANOMALY_TRUNCATED_IDENTITY, "identity_item_without_state");
    if (!cursor_empty(item))
        enip_flag(msg, ENIP_ANOMALY_INVALID_LENGTH, "bytes_left_after_identity");
    detail_end(d);
    if (first)
        identity_fields(msg, &id);
}
