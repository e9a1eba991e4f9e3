/* enip_cpf.c — the command-specific data of each encapsulation command:
 * RegisterSession's version and options, the interface handle and timeout of
 * SendRRData/SendUnitData, and the common packet format items of those and of
 * the List* responses (addresses, connected and unconnected data, identity,
 * services, socket addresses). CIP data goes to enip_cip.c, identity items to
 * enip_identity.c. */
#include "enip_private.h"

#define SOCKADDR_ITEM_LEN 16
#define SERVICE_NAME_LEN 16
#define ENIP_PROTOCOL_VERSION 1

void enip_flag(struct enip_message *msg, enum enip_anomaly a, const char *why)
{
    if (!msg->problem[a])
        msg->problem[a] = why;
}

static void sockaddr_item(struct mamori_detail *d, cursor *item)
{
    uint16_t family = cursor_be16(item), port = cursor_be16(item);
    const uint8_t *addr = cursor_bytes(item, 4);
    cursor_skip(item, SOCKADDR_ITEM_LEN - 8);
    if (!cursor_ok(item))
        return;
    detail_uint(d, "sinfamily", family);
    detail_uint(d, "sinport", port);
    detail_bytes(d, "sinaddr", addr, 4);
}

static void list_services_item(struct mamori_detail *d, cursor *item)
{
    uint16_t version = cursor_le16(item), flags = cursor_le16(item);
    const uint8_t *name = cursor_bytes(item, SERVICE_NAME_LEN);
    if (!cursor_ok(item))
        return;
    detail_uint(d, "version", version);
    detail_uint(d, "capability_flags", flags);
    size_t len = 0;
    while (len < SERVICE_NAME_LEN && name[len])
        len++;
    detail_string(d, "service_name", name, len);
}

/* Connected and unconnected data: one CIP message per encapsulation message. */
static void data_item(struct enip_message *msg, uint16_t type, cursor *item, bool *seen_data)
{
    if (type == ENIP_ITEM_CONNECTED_DATA) {
        msg->connected = true;
        msg->sequence = cursor_le16(item);
        detail_uint(msg->ev->detail, "seqcnt", msg->sequence);
    }
    if (*seen_data) {
        enip_flag(msg, ENIP_ANOMALY_INVALID_ITEM_COUNT, "more_than_one_data_item");
        cursor_skip(item, cursor_left(item));
        return;
    }
    *seen_data = true;
    enip_decode_cip(msg, item);
}

static void one_item(struct enip_message *msg, uint16_t type, cursor *item, bool *seen_data)
{
    struct mamori_detail *d = msg->ev->detail;
    const char *name = enip_item_name(type);
    if (name)
        detail_cstring(d, "type_name", name);
    switch (type) {
    case ENIP_ITEM_NULL_ADDRESS: break;
    case ENIP_ITEM_CONNECTED_ADDRESS: detail_uint(d, "connid", cursor_le32(item)); break;
    case ENIP_ITEM_SEQUENCED_ADDRESS:
        detail_uint(d, "connid", cursor_le32(item));
        detail_uint(d, "seq", cursor_le32(item));
        break;
    case ENIP_ITEM_CONNECTED_DATA:
    case ENIP_ITEM_UNCONNECTED_DATA: data_item(msg, type, item, seen_data); break;
    case ENIP_ITEM_CIP_IDENTITY: enip_decode_identity(msg, item); break;
    case ENIP_ITEM_LIST_SERVICES: list_services_item(d, item); break;
    case ENIP_ITEM_SOCKADDR_O2T:
    case ENIP_ITEM_SOCKADDR_T2O: sockaddr_item(d, item); break;
    default: {
        size_t n = cursor_left(item);
        detail_bytes(d, "data", cursor_bytes(item, n), n);
        break;
    }
    }
    if (!cursor_ok(item) && type != ENIP_ITEM_CIP_IDENTITY) /* that one reports truncated_identity */
        enip_flag(msg, ENIP_ANOMALY_INVALID_LENGTH, "item_shorter_than_its_fields");
    else if (!cursor_empty(item))
        enip_flag(msg, ENIP_ANOMALY_INVALID_LENGTH, "bytes_left_after_item");
}

/* Item count, then {type, length, data} per item. */
static void items(struct enip_message *msg, cursor *c)
{
    struct mamori_detail *d = msg->ev->detail;
    uint16_t count = cursor_le16(c);
    if (!cursor_ok(c))
        return;
    detail_uint(d, "itemcount", count);
    if (count > ENIP_ITEMS_MAX)
        enip_flag(msg, ENIP_ANOMALY_INVALID_ITEM_COUNT, "item_count_over_limit");
    bool seen_data = false;
    uint16_t i = 0;
    detail_array_begin(d, "items");
    for (; i < count && i < ENIP_ITEMS_MAX && cursor_left(c) > 0; i++) {
        uint16_t type = cursor_le16(c), length = cursor_le16(c);
        cursor item = cursor_sub(c, length);
        if (!cursor_ok(c)) {
            enip_flag(msg, ENIP_ANOMALY_INVALID_LENGTH, "item_beyond_message");
            break;
        }
        detail_object_begin(d, NULL);
        detail_uint(d, "typeid", type);
        detail_uint(d, "length", length);
        one_item(msg, type, &item, &seen_data);
        detail_end(d);
    }
    detail_end(d);
    if (cursor_ok(c) && i < count && count <= ENIP_ITEMS_MAX)
        enip_flag(msg, ENIP_ANOMALY_INVALID_ITEM_COUNT, "fewer_items_than_item_count");
    if (cursor_ok(c) && count <= ENIP_ITEMS_MAX && !cursor_empty(c))
        enip_flag(msg, ENIP_ANOMALY_INVALID_ITEM_COUNT, "more_items_than_item_count");
    cursor_skip(c, cursor_left(c));
}

static void send_data(struct enip_message *msg, cursor *c)
{
    struct mamori_detail *d = msg->ev->detail;
    uint32_t handle = cursor_le32(c);
    uint16_t timeout = cursor_le16(c);
    if (!cursor_ok(c))
        return;
    detail_uint(d, "interface_handle", handle);
    detail_uint(d, "timeout", timeout);
    items(msg, c);
}

static void register_session(struct enip_message *msg, cursor *c)
{
    uint16_t version = cursor_le16(c), flags = cursor_le16(c);
    if (!cursor_ok(c))
        return;
    detail_uint(msg->ev->detail, "protocol_version", version);
    detail_uint(msg->ev->detail, "option_flags", flags);
    if (version != ENIP_PROTOCOL_VERSION || flags != 0)
        enip_flag(msg, ENIP_ANOMALY_INVALID_VALUE, "register_session_version_or_options");
}

/* List requests carry no data; the responses carry items. */
static void list_reply(struct enip_message *msg, cursor *c)
{
    if (msg->is_response)
        items(msg, c);
}

void enip_decode_command(struct enip_message *msg)
{
    cursor *c = &msg->data;
    switch (msg->h.command) {
    case ENIP_LIST_SERVICES:
    case ENIP_LIST_IDENTITY:
    case ENIP_LIST_INTERFACES: list_reply(msg, c); break;
    case ENIP_REGISTER_SESSION: register_session(msg, c); break;
    case ENIP_SEND_RR_DATA:
    case ENIP_SEND_UNIT_DATA: send_data(msg, c); break;
    default: /* NOP data is ignored by definition; the others carry none we decode */
        detail_uint(msg->ev->detail, "data_len", cursor_left(c));
        cursor_skip(c, cursor_left(c));
        break;
    }
    if (!cursor_ok(c))
        enip_flag(msg, ENIP_ANOMALY_INVALID_LENGTH, "data_shorter_than_its_fields");
    else if (!cursor_empty(c))
        enip_flag(msg, ENIP_ANOMALY_INVALID_LENGTH, "bytes_left_after_fields");
}
