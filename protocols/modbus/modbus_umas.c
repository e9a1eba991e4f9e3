/* modbus_umas.c — Schneider Electric UMAS carried in function 90 (0x5A):
 * session key, UMAS function and, in responses, the status byte. Recognises
 * the functions that matter to an operator (reservation, program upload and
 * download, start/stop, reads and writes of variables) and classes them; the
 * UMAS payloads themselves are not decoded. Layout per public descriptions of
 * the protocol (no official specification exists). */
#include "modbus_private.h"

#include <string.h>

#define UMAS_STATUS_OK 0xfe
#define UMAS_STATUS_ERROR 0xfd

struct umas_function {
    uint8_t code;
    const char *name;
    enum mamori_op op;
};

static const struct umas_function umas_functions[] = {
    { 0x01, "init_comm", MAMORI_OP_SESSION },
    { 0x02, "read_id", MAMORI_OP_IDENTIFY },
    { 0x03, "read_project_info", MAMORI_OP_IDENTIFY },
    { 0x04, "read_plc_info", MAMORI_OP_IDENTIFY },
    { 0x06, "read_card_info", MAMORI_OP_IDENTIFY },
    { 0x0a, "repeat", MAMORI_OP_OTHER },
    { 0x10, "take_plc_reservation", MAMORI_OP_SESSION },
    { 0x11, "release_plc_reservation", MAMORI_OP_SESSION },
    { 0x12, "keep_alive", MAMORI_OP_SESSION },
    { 0x20, "read_memory_block", MAMORI_OP_READ },
    { 0x22, "read_variables", MAMORI_OP_READ },
    { 0x23, "write_variables", MAMORI_OP_WRITE },
    { 0x24, "read_coils_registers", MAMORI_OP_READ },
    { 0x25, "write_coils_registers", MAMORI_OP_WRITE },
    { 0x30, "initialize_upload", MAMORI_OP_PROGRAM },
    { 0x31, "upload_block", MAMORI_OP_PROGRAM },
    { 0x32, "end_strategy_upload", MAMORI_OP_PROGRAM },
    { 0x33, "initialize_download", MAMORI_OP_PROGRAM },
    { 0x34, "download_block", MAMORI_OP_PROGRAM },
    { 0x35, "end_download", MAMORI_OP_PROGRAM },
    { 0x39, "read_eth_master_data", MAMORI_OP_READ },
    { 0x40, "start_plc", MAMORI_OP_PROGRAM },
    { 0x41, "stop_plc", MAMORI_OP_PROGRAM },
    { 0x50, "monitor_plc", MAMORI_OP_DIAGNOSTIC },
    { 0x58, "check_plc", MAMORI_OP_DIAGNOSTIC },
    { 0x70, "read_io_object", MAMORI_OP_READ },
    { 0x71, "write_io_object", MAMORI_OP_WRITE },
    { 0x73, "get_status_module", MAMORI_OP_DIAGNOSTIC },
};

static const struct umas_function *umas_lookup(uint8_t code)
{
    for (size_t i = 0; i < sizeof umas_functions / sizeof umas_functions[0]; i++)
        if (umas_functions[i].code == code)
            return &umas_functions[i];
    return NULL;
}

static void umas_describe(struct modbus_adu *adu, uint8_t code)
{
    const struct umas_function *f = umas_lookup(code);
    detail_uint(adu->ev->detail, "umas_func_code", code);
    if (!f)
        return;
    detail_cstring(adu->ev->detail, "umas_function", f->name);
    adu->ev->object.ptr = f->name;
    adu->ev->object.len = strlen(f->name);
    adu->ev->op = f->op;
}

void modbus_decode_umas(struct modbus_adu *adu)
{
    cursor *c = &adu->body;
    struct mamori_detail *d = adu->ev->detail;
    uint8_t session, code;
    if (!modbus_field_u8(adu, "umas_session_key", &session))
        return;
    code = cursor_u8(c);
    if (!cursor_ok(c))
        return;
    if (adu->is_response) {
        /* A response carries a status where the request had its function. */
        detail_uint(d, "umas_status", code);
        if (code != UMAS_STATUS_OK && code != UMAS_STATUS_ERROR)
            modbus_pdu_flag_value(adu, "umas_status_not_fe_or_fd");
        if (adu->request)
            umas_describe(adu, (uint8_t)adu->request->sub_code);
        if (code == UMAS_STATUS_ERROR) {
            adu->ev->has_status = true;
            adu->ev->status = code;
        }
    } else {
        umas_describe(adu, code);
        adu->record->sub_code = code;
    }
    size_t n = cursor_left(c);
    const uint8_t *data = cursor_bytes(c, n);
    if (n)
        detail_bytes(d, "umas_data", data, n);
}
