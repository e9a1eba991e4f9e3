/* modbus_device_id.c — encapsulated interface transport (43): read device
 * identification (MEI 14) with every object, conformity level and
 * more-follows paging, reported as identity; CANopen general reference
 * (MEI 13) is reported raw. Other MEI types are reserved. */
#include "modbus_private.h"

#include <string.h>

#define MORE_FOLLOWS_NO 0x00
#define MORE_FOLLOWS_YES 0xff
/* Conformity level: 1-3 basic/regular/extended, plus 0x80 when individual access works. */
#define CONFORMITY_INDIVIDUAL_ACCESS 0x80
#define CONFORMITY_LEVEL_MAX 3

static bool conformity_valid(uint8_t level)
{
    uint8_t base = level & (uint8_t)~CONFORMITY_INDIVIDUAL_ACCESS;
    return base >= 1 && base <= CONFORMITY_LEVEL_MAX;
}

static void device_id_request(struct modbus_adu *adu)
{
    uint8_t code, object;
    if (!modbus_field_u8(adu, "read_device_id", &code) || !modbus_field_u8(adu, "object_id", &object))
        return;
    if (!modbus_read_device_id_name(code))
        modbus_pdu_flag_value(adu, "read_device_id_code_not_1_to_4");
}

static void device_object(struct modbus_adu *adu, cursor *c)
{
    struct mamori_detail *d = adu->ev->detail;
    uint8_t id = cursor_u8(c), length = cursor_u8(c);
    const uint8_t *value = cursor_bytes(c, length);
    if (!cursor_ok(c))
        return;
    detail_object_begin(d, NULL);
    detail_uint(d, "object_id", id);
    detail_cstring(d, "object_name", modbus_device_object_name(id));
    detail_uint(d, "objects_len", length);
    const char *identity = modbus_device_object_identity(id);
    if (identity) {
        detail_string(d, "object_str_value", value, length);
        mamori_event_add_identity(adu->ev, identity, value, length);
    } else
        detail_bytes(d, "object_value", value, length);
    detail_end(d);
}

static void device_id_response(struct modbus_adu *adu)
{
    cursor *c = &adu->body;
    struct mamori_detail *d = adu->ev->detail;
    uint8_t code, conformity, more, next, count;
    if (!modbus_field_u8(adu, "read_device_id", &code) || !modbus_field_u8(adu, "conformity_level", &conformity) ||
        !modbus_field_u8(adu, "more_follows", &more) || !modbus_field_u8(adu, "next_object_id", &next) ||
        !modbus_field_u8(adu, "num_objects", &count))
        return;
    adu->ev->kind = MAMORI_EVENT_IDENTITY; /* withdrawn by decode_adu() if the PDU is malformed */
    if (!modbus_read_device_id_name(code))
        modbus_pdu_flag_value(adu, "read_device_id_code_not_1_to_4");
    if (!conformity_valid(conformity))
        modbus_pdu_flag_value(adu, "invalid_conformity_level");
    if (more != MORE_FOLLOWS_NO && more != MORE_FOLLOWS_YES)
        modbus_pdu_flag_value(adu, "more_follows_not_00_or_ff");
    detail_array_begin(d, "objects");
    for (unsigned i = 0; i < count && cursor_ok(c); i++)
        device_object(adu, c);
    detail_end(d);
    if (count == 0)
        modbus_pdu_flag_length(adu, "no_objects");
    else if (!cursor_ok(c))
        modbus_pdu_flag_length(adu, "objects_truncated");
}

void modbus_decode_encapsulated(struct modbus_adu *adu)
{
    uint8_t mei;
    if (!modbus_field_u8(adu, "mei", &mei))
        return;
    if (adu->request && adu->request->sub_code != mei)
        modbus_pdu_flag_mismatch(adu, "mei_differs_from_request");
    if (!adu->is_response)
        adu->record->sub_code = mei;
    if (modbus_mei_function_name(mei))
        adu->ev->function_name = modbus_mei_function_name(mei);
    if (mei == MODBUS_MEI_READ_DEVICE_ID) {
        adu->ev->op = MAMORI_OP_IDENTIFY;
        if (adu->is_response)
            device_id_response(adu);
        else
            device_id_request(adu);
        return;
    }
    if (mei != MODBUS_MEI_CANOPEN_GENERAL_REFERENCE)
        modbus_pdu_flag_value(adu, "reserved_mei_type");
    modbus_decode_raw(adu);
}
