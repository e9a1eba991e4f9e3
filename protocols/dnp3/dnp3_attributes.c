/* dnp3_attributes.c — group 0 device attribute objects (see dnp3_attributes.h). */
#include "dnp3_attributes.h"

#include <string.h>

#include "dnp3_values.h"

enum attribute_type {
    ATTR_VISIBLE_STRING = 1,
    ATTR_UNSIGNED = 2,
    ATTR_SIGNED = 3,
    ATTR_FLOAT = 4,
    ATTR_OCTET_STRING = 5,
    ATTR_BIT_STRING = 6,
    ATTR_TIME = 7,
    ATTR_ATTRIBUTE_LIST = 254,          /* length counts (variation, properties) pairs */
    ATTR_EXTENDED_ATTRIBUTE_LIST = 255, /* idem */
};

#define ATTRIBUTE_LIST_ENTRY_LEN 2
#define ATTRIBUTE_FLOAT_LEN 4
#define ATTRIBUTE_DOUBLE_LEN 8
#define ATTRIBUTE_INTEGER_MAX_LEN 8
#define ATTRIBUTE_TIME_LEN 6

const char *dnp3_attribute_identity_name(uint8_t variation)
{
    switch (variation) {
    case 242: return "software_version";
    case 243: return "hardware_version";
    case 244: return "owner_name";
    case 245: return "location";
    case 246: return "user_assigned_id";
    case 247: return "device_name";
    case 248: return "serial_number";
    case 250: return "model_name";
    case 252: return "vendor";
    default: return NULL;
    }
}

static void identity_add(struct dnp3_identity *id, const char *name, const uint8_t *text, size_t len)
{
    if (!id || id->count >= DNP3_MAX_IDENTITY)
        return;
    struct mamori_identity_field *f = &id->fields[id->count++];
    f->name = name;
    f->value.ptr = (const char *)text;
    f->value.len = len;
}

static void raw_value(cursor *value, size_t len, struct mamori_detail *d)
{
    const uint8_t *raw = cursor_bytes(value, len);
    detail_bytes(d, "value", raw, raw ? len : 0);
}

static void number_decode(cursor *value, uint8_t type, size_t len, struct mamori_detail *d)
{
    if (type == ATTR_UNSIGNED && len <= ATTRIBUTE_INTEGER_MAX_LEN) {
        detail_uint(d, "value", cursor_le_n(value, len));
    } else if (type == ATTR_SIGNED && len > 0 && len <= ATTRIBUTE_INTEGER_MAX_LEN) {
        uint64_t raw = cursor_le_n(value, len);
        unsigned shift = (unsigned)(64 - 8 * len);
        detail_int(d, "value", (int64_t)(raw << shift) >> shift);
    } else if (type == ATTR_FLOAT && len == ATTRIBUTE_FLOAT_LEN) {
        uint32_t bits = cursor_le32(value);
        float f;
        memcpy(&f, &bits, sizeof f);
        detail_float(d, "value", f);
    } else if (type == ATTR_FLOAT && len == ATTRIBUTE_DOUBLE_LEN) {
        uint64_t bits = cursor_le64(value);
        double f;
        memcpy(&f, &bits, sizeof f);
        detail_float(d, "value", f);
    } else {
        raw_value(value, len, d);
    }
}

bool dnp3_attribute_decode(cursor *c, uint8_t variation, struct mamori_detail *d, struct dnp3_identity *id)
{
    uint8_t type = cursor_u8(c);
    uint8_t len = cursor_u8(c);
    size_t value_len = len;
    if (type == ATTR_ATTRIBUTE_LIST || type == ATTR_EXTENDED_ATTRIBUTE_LIST)
        value_len = (size_t)len * ATTRIBUTE_LIST_ENTRY_LEN;
    cursor value = cursor_sub(c, value_len);
    if (!cursor_ok(c))
        return false;
    detail_uint(d, "datatype", type);
    detail_uint(d, "length", len);
    switch (type) {
    case ATTR_VISIBLE_STRING: {
        const uint8_t *text = cursor_bytes(&value, value_len);
        detail_string(d, "value", text, value_len);
        const char *name = dnp3_attribute_identity_name(variation);
        if (name && value_len > 0)
            identity_add(id, name, text, value_len);
        break;
    }
    case ATTR_UNSIGNED:
    case ATTR_SIGNED:
    case ATTR_FLOAT: number_decode(&value, type, value_len, d); break;
    case ATTR_TIME:
        if (value_len == ATTRIBUTE_TIME_LEN)
            detail_uint(d, "timestamp", dnp3_time_read(&value));
        else
            raw_value(&value, value_len, d);
        break;
    default: raw_value(&value, value_len, d); break;
    }
    return true;
}
