/* dnp3_values.c — object value layouts per group family and fixed-point decoding.
 *
 * Layout letters (little-endian fields, in wire order):
 *   f flags            b flags, binary state in bit 7   B flags, double-bit state in bits 6-7
 *   s control status   u/U unsigned 16/32-bit value       i/I signed 16/32-bit value
 *   r/d 32/64-bit IEEE float value                       t 48-bit time (ms since 1970)
 *   T 16-bit relative time   n 32-bit interval   x interval units   y 16-bit time delay
 *   c CROB/PCB: control code, count, on time, off time   a 16-bit association id
 *   e 16-bit user number   q 32-bit challenge sequence number */
#include "dnp3_values.h"

#include <string.h>

#include "dnp3_datasets.h"

/* Fixed layouts indexed by group, then variation (NULL: not a fixed-size
 * variation); a designated row per group keeps the lookup one load. */
struct group_layouts {
    const char *const *fields; /* indexed by variation */
    uint8_t n_variations;
};

#define VARIATIONS(...) \
    { (const char *const[]){ __VA_ARGS__ }, sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *) }

static const struct group_layouts fixed_layouts[256] = {
    [1] = VARIATIONS(NULL, NULL, "b"),
    [2] = VARIATIONS(NULL, "b", "bt", "bT"),
    [3] = VARIATIONS(NULL, NULL, "B"),
    [4] = VARIATIONS(NULL, "B", "Bt", "BT"),
    [10] = VARIATIONS(NULL, NULL, "b"),
    [11] = VARIATIONS(NULL, "b", "bt"),
    [12] = VARIATIONS(NULL, "cs", "cs"),
    [13] = VARIATIONS(NULL, "b", "bt"),
    [20] = VARIATIONS(NULL, "fU", "fu", "fU", "fu", "U", "u", "U", "u"),
    [21] = VARIATIONS(NULL, "fU", "fu", "fU", "fu", "fUt", "fut", "fUt", "fut", "U", "u", "U", "u"),
    [22] = VARIATIONS(NULL, "fU", "fu", "fU", "fu", "fUt", "fut", "fUt", "fut"),
    [23] = VARIATIONS(NULL, "fU", "fu", "fU", "fu", "fUt", "fut", "fUt", "fut"),
    [30] = VARIATIONS(NULL, "fI", "fi", "I", "i", "fr", "fd"),
    [31] = VARIATIONS(NULL, "fI", "fi", "fIt", "fit", "I", "i", "fr", "fd"),
    [32] = VARIATIONS(NULL, "fI", "fi", "fIt", "fit", "fr", "fd", "frt", "fdt"),
    [33] = VARIATIONS(NULL, "fI", "fi", "fIt", "fit", "fr", "fd", "frt", "fdt"),
    [34] = VARIATIONS(NULL, "u", "U", "r"),
    [40] = VARIATIONS(NULL, "fI", "fi", "fr", "fd"),
    [41] = VARIATIONS(NULL, "Is", "is", "rs", "ds"),
    [42] = VARIATIONS(NULL, "fI", "fi", "fIt", "fit", "fr", "fd", "frt", "fdt"),
    [43] = VARIATIONS(NULL, "sI", "si", "sIt", "sit", "sr", "sd", "srt", "sdt"),
    [50] = VARIATIONS(NULL, "t", "tn", "t", "tnx"),
    [51] = VARIATIONS(NULL, "t", "t"),
    [52] = VARIATIONS(NULL, "y", "y"),
    [120] = VARIATIONS(NULL, NULL, NULL, "qe", "e"),
    [121] = VARIATIONS(NULL, "faU"),
    [122] = VARIATIONS(NULL, "faU", "faUt"),
};

#define GROUP_DEVICE_ATTRIBUTES 0
#define GROUP_CLASS_DATA 60
#define CLASS_DATA_VARIATIONS 4
#define GROUP_FILE 70
#define GROUP_IIN 80
#define GROUP_APPLICATION_ID 90
#define GROUP_OCTET_STRING 110
#define GROUP_OCTET_STRING_EVENT 111
#define GROUP_VTERM_OUTPUT 112
#define GROUP_VTERM_EVENT 113
#define GROUP_SECURE_AUTH 120
#define GROUP_CONTROL_BLOCK 12
#define PATTERN_MASK_VARIATION 3

static size_t field_size(char letter)
{
    switch (letter) {
    case 'f': case 'b': case 'B': case 's': case 'x': return 1;
    case 'u': case 'i': case 'T': case 'y': case 'a': case 'e': return 2;
    case 'U': case 'I': case 'r': case 'n': case 'q': return 4;
    case 't': return 6;
    case 'd': return 8;
    case 'c': return 10;
    default: return 0;
    }
}

static size_t layout_size(const char *fields)
{
    size_t size = 0;
    for (const char *p = fields; *p; p++)
        size += field_size(*p);
    return size;
}

/* Groups this decoder knows some variation of. */
static bool group_known(uint8_t group)
{
    switch (group) {
    case GROUP_DEVICE_ATTRIBUTES: case GROUP_CLASS_DATA: case GROUP_FILE: case GROUP_IIN:
    case GROUP_APPLICATION_ID: case GROUP_OCTET_STRING: case GROUP_OCTET_STRING_EVENT:
    case GROUP_VTERM_OUTPUT: case GROUP_VTERM_EVENT: case GROUP_SECURE_AUTH:
        return true;
    default:
        break;
    }
    if (group >= DNP3_GROUP_DATA_SET_FIRST && group <= DNP3_GROUP_DATA_SET_LAST)
        return true;
    return fixed_layouts[group].n_variations > 0;
}

struct dnp3_object_kind dnp3_object_kind(uint8_t group, uint8_t variation)
{
    struct dnp3_object_kind k = { DNP3_LAYOUT_UNKNOWN, 0, 0, NULL };
    bool octets = group == GROUP_OCTET_STRING || group == GROUP_OCTET_STRING_EVENT || group == GROUP_VTERM_OUTPUT ||
                  group == GROUP_VTERM_EVENT;
    if (variation == 0 && !octets) { /* "any variation" of a known group: a header without values */
        if (group_known(group))
            k.layout = DNP3_LAYOUT_NO_DATA;
        return k;
    }
    if (group == GROUP_DEVICE_ATTRIBUTES) {
        k.layout = DNP3_LAYOUT_ATTRIBUTE;
        return k;
    }
    if (group == GROUP_CLASS_DATA && variation <= CLASS_DATA_VARIATIONS) {
        k.layout = DNP3_LAYOUT_NO_DATA;
        return k;
    }
    bool single_bits = ((group == 1 || group == 10 || group == GROUP_IIN) && variation == 1) ||
                       (group == GROUP_CONTROL_BLOCK && variation == PATTERN_MASK_VARIATION);
    if (single_bits) {
        k.layout = DNP3_LAYOUT_PACKED;
        k.bits = 1;
        return k;
    }
    if (group == 3 && variation == 1) {
        k.layout = DNP3_LAYOUT_PACKED;
        k.bits = 2;
        return k;
    }
    if (octets) { /* the variation is the string length; 0 with a size prefix */
        k.layout = DNP3_LAYOUT_OCTETS;
        k.size = variation;
        return k;
    }
    const struct group_layouts *row = &fixed_layouts[group];
    if (variation < row->n_variations && row->fields[variation]) {
        k.layout = DNP3_LAYOUT_FIXED;
        k.fields = row->fields[variation];
        k.size = (uint8_t)layout_size(k.fields);
        return k;
    }
    if (group == GROUP_FILE || group == GROUP_SECURE_AUTH || group == GROUP_APPLICATION_ID ||
        dnp3_dataset_known(group, variation))
        k.layout = DNP3_LAYOUT_SIZED;
    return k;
}

uint64_t dnp3_time_read(cursor *c)
{
    return cursor_le_n(c, 6);
}

static double float32_read(cursor *c)
{
    uint32_t bits = cursor_le32(c);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static double float64_read(cursor *c)
{
    uint64_t bits = cursor_le64(c);
    double f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static uint8_t binary_state(uint8_t flags) { return flags >> 7; }
static uint8_t double_bit_state(uint8_t flags) { return flags >> 6; }

/* Reads field `letter` when it is a numeric value (u U i I r d y); false,
 * reading nothing, for every other letter. */
static bool numeric_field(cursor *point, char letter, double *value)
{
    switch (letter) {
    case 'u': case 'y': *value = cursor_le16(point); return true;
    case 'U': *value = cursor_le32(point); return true;
    case 'i': *value = (int16_t)cursor_le16(point); return true;
    case 'I': *value = (int32_t)cursor_le32(point); return true;
    case 'r': *value = float32_read(point); return true;
    case 'd': *value = float64_read(point); return true;
    default: return false;
    }
}

bool dnp3_fixed_point_decode(cursor *point, const char *fields, struct mamori_detail *d, double *value,
                             bool *has_value)
{
    for (const char *p = fields; *p; p++) {
        switch (*p) {
        case 'f': detail_uint(d, "flags", cursor_u8(point)); break;
        case 'b':
        case 'B': {
            uint8_t flags = cursor_u8(point);
            detail_uint(d, "flags", flags);
            *has_value = true, *value = *p == 'b' ? binary_state(flags) : double_bit_state(flags);
            detail_uint(d, "value", (uint64_t)*value);
            break;
        }
        case 's': detail_uint(d, "status", cursor_u8(point)); break;
        case 't': detail_uint(d, "timestamp", dnp3_time_read(point)); break;
        case 'T': detail_uint(d, "reltimestamp", cursor_le16(point)); break;
        case 'n': detail_uint(d, "interval", cursor_le32(point)); break;
        case 'x': detail_uint(d, "units", cursor_u8(point)); break;
        case 'a': detail_uint(d, "association", cursor_le16(point)); break;
        case 'e': detail_uint(d, "user", cursor_le16(point)); break;
        case 'q': detail_uint(d, "csq", cursor_le32(point)); break;
        case 'c': {
            uint8_t code = cursor_u8(point);
            detail_uint(d, "code", code);
            detail_uint(d, "count", cursor_u8(point));
            detail_uint(d, "on_time", cursor_le32(point));
            detail_uint(d, "off_time", cursor_le32(point));
            *has_value = true, *value = code;
            break;
        }
        default:
            if (!numeric_field(point, *p, value))
                return false;
            *has_value = true;
            if (*p == 'i' || *p == 'I')
                detail_int(d, "value", (int64_t)*value);
            else if (*p == 'r' || *p == 'd')
                detail_float(d, "value", *value);
            else
                detail_uint(d, *p == 'y' ? "time_delay" : "value", (uint64_t)*value);
            break;
        }
    }
    return cursor_ok(point);
}

bool dnp3_fixed_point_value(cursor *point, const char *fields, double *value)
{
    for (const char *p = fields; *p; p++) {
        switch (*p) {
        case 'b': *value = binary_state(cursor_u8(point)); return cursor_ok(point);
        case 'B': *value = double_bit_state(cursor_u8(point)); return cursor_ok(point);
        case 'c': *value = cursor_u8(point); return cursor_ok(point);
        default:
            if (numeric_field(point, *p, value))
                return cursor_ok(point);
            cursor_skip(point, field_size(*p));
            break;
        }
    }
    return false;
}

uint8_t dnp3_packed_point(cursor packed, size_t i, uint8_t bits)
{
    size_t bit = i * bits;
    uint8_t byte = 0;
    cursor_peek_u8(&packed, bit / 8, &byte);
    return (uint8_t)((byte >> (bit % 8)) & ((1u << bits) - 1));
}
