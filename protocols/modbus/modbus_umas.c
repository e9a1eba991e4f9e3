/* modbus_umas.c — Schneider Electric UMAS carried in function 90 (0x5A):
 * the UMAS header (pairing key, then the UMAS function in requests or the
 * status 0xFE ok / 0xFD error in responses), the function named and classed
 * (reservation, program transfer, start/stop, reads and writes of variables),
 * a response named after the request it answers. UMAS payloads are kept raw.
 * There is no public specification: codes and names follow Wireshark's UMAS
 * tables (packet-mbtcp.h / packet-umas.c). */
#include "modbus_private.h"

#include <string.h>

struct umas_function {
    const char *name;
    enum mamori_op op;
};

/* By UMAS function code. Schneider's "upload" sends a program from the
 * engineering station into the PLC, its "download" reads it back (Wireshark's
 * descriptions); both are program transfers. */
static const struct umas_function umas_functions[] = {
    [0x01] = { "init_comm", MAMORI_OP_SESSION },
    [0x02] = { "read_id", MAMORI_OP_IDENTIFY },
    [0x03] = { "read_project_info", MAMORI_OP_IDENTIFY },
    [0x04] = { "read_plc_info", MAMORI_OP_IDENTIFY },
    [0x06] = { "read_card_info", MAMORI_OP_IDENTIFY },
    [0x0a] = { "repeat", MAMORI_OP_DIAGNOSTIC },
    [0x10] = { "take_plc_reservation", MAMORI_OP_SESSION },
    [0x11] = { "release_plc_reservation", MAMORI_OP_SESSION },
    [0x12] = { "keep_alive", MAMORI_OP_SESSION },
    [0x20] = { "read_memory_block", MAMORI_OP_READ },
    [0x22] = { "read_variables", MAMORI_OP_READ },
    [0x23] = { "write_variables", MAMORI_OP_WRITE },
    [0x24] = { "read_coils_registers", MAMORI_OP_READ },
    [0x25] = { "write_coils_registers", MAMORI_OP_WRITE },
    [0x26] = { "data_dictionary", MAMORI_OP_READ },
    [0x30] = { "initialize_upload", MAMORI_OP_PROGRAM },
    [0x31] = { "upload_block", MAMORI_OP_PROGRAM },
    [0x32] = { "end_strategy_upload", MAMORI_OP_PROGRAM },
    [0x33] = { "initialize_download", MAMORI_OP_PROGRAM },
    [0x34] = { "download_block", MAMORI_OP_PROGRAM },
    [0x35] = { "end_strategy_download", MAMORI_OP_PROGRAM },
    [0x39] = { "read_eth_master_data", MAMORI_OP_READ },
    [0x40] = { "start_plc", MAMORI_OP_PROGRAM },
    [0x41] = { "stop_plc", MAMORI_OP_PROGRAM },
    [0x50] = { "monitor_plc", MAMORI_OP_DIAGNOSTIC },
    [0x58] = { "check_plc", MAMORI_OP_DIAGNOSTIC },
    [0x70] = { "read_io_object", MAMORI_OP_READ },
    [0x71] = { "write_io_object", MAMORI_OP_WRITE },
    [0x73] = { "get_status_module", MAMORI_OP_DIAGNOSTIC },
};

#define UMAS_FUNCTIONS (sizeof umas_functions / sizeof umas_functions[0])

/* The UMAS function named as the event's object; unknown codes stay `umas` / other. */
static void umas_describe(struct modbus_adu *adu, uint8_t code)
{
    detail_uint(adu->ev->detail, "umas_func_code", code);
    const struct umas_function *f = code < UMAS_FUNCTIONS ? &umas_functions[code] : NULL;
    if (!f || !f->name)
        return;
    detail_cstring(adu->ev->detail, "umas_function", f->name);
    adu->ev->object.ptr = f->name;
    adu->ev->object.len = strlen(f->name);
    adu->ev->op = f->op;
}

/* A response: status where the request had its function. */
static void umas_response(struct modbus_adu *adu, uint8_t status)
{
    struct mamori_event *ev = adu->ev;
    detail_uint(ev->detail, "umas_status", status);
    if (status == UMAS_STATUS_OK)
        detail_cstring(ev->detail, "umas_response", "ok");
    else if (status == UMAS_STATUS_ERROR)
        detail_cstring(ev->detail, "umas_response", "error");
    else
        modbus_pdu_flag_value(adu, "umas_status_not_fe_or_fd");
    if (adu->request)
        umas_describe(adu, (uint8_t)adu->request->sub_code);
    if (status != UMAS_STATUS_OK) {
        ev->has_status = true;
        ev->status = status;
    }
}

void modbus_decode_umas(struct modbus_adu *adu)
{
    cursor *c = &adu->body;
    uint8_t pairing_key, code;
    if (!modbus_field_u8(adu, "umas_pairing_key", &pairing_key))
        return;
    code = cursor_u8(c);
    if (!cursor_ok(c))
        return;
    if (adu->is_response)
        umas_response(adu, code);
    else {
        umas_describe(adu, code);
        adu->record->sub_code = code;
    }
    size_t n = cursor_left(c);
    const uint8_t *data = cursor_bytes(c, n);
    if (n)
        detail_bytes(adu->ev->detail, "umas_data", data, n);
}
