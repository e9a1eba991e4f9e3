/* modbus_diagnostics.c — PDU fields of the serial-line diagnostic functions
 * and server identification: read exception status (7), diagnostics (8, every
 * sub-function by name), get comm event counter (11), get comm event log (12)
 * and report server id (17, reported as identity). Restart communications is
 * a restart operation; force listen only mode needs no response. */
#include "modbus_private.h"

#include <stdio.h>
#include <string.h>

#define DIAG_RESTART_COMMUNICATIONS 1
#define DIAG_FORCE_LISTEN_ONLY 4
#define DIAG_RESTART_CLEAR_LOG 0xff00
#define RUN_INDICATOR_OFF 0x00
#define RUN_INDICATOR_ON 0xff
/* Get comm event log: status, event count, message count before the events. */
#define EVENT_LOG_FIXED_BYTES 6

/* 7 */
static void read_exception_status(struct modbus_adu *adu)
{
    if (!adu->is_response)
        return;
    uint8_t status;
    if (!modbus_field_u8(adu, "exception_status", &status))
        return;
    mamori_event_add_value(adu->ev, status);
}

/* 8 */
static void diagnostics(struct modbus_adu *adu)
{
    cursor *c = &adu->body;
    struct mamori_event *ev = adu->ev;
    uint16_t sub;
    if (!modbus_field_be16(adu, "diagnostic_code", &sub))
        return;
    const char *name = modbus_diagnostic_name(sub);
    if (name) {
        detail_cstring(ev->detail, "diagnostic", name);
        ev->object.ptr = name;
        ev->object.len = strlen(name);
    } else
        modbus_pdu_flag_value(adu, "reserved_diagnostic_code");
    if (adu->request && adu->request->sub_code != sub)
        modbus_pdu_flag_mismatch(adu, "diagnostic_code_differs_from_request");
    if (sub == DIAG_RESTART_COMMUNICATIONS)
        ev->op = MAMORI_OP_RESTART;
    if (!adu->is_response) {
        adu->record->sub_code = sub;
        adu->no_response_expected = sub == DIAG_FORCE_LISTEN_ONLY;
    }
    size_t n = cursor_left(c);
    const uint8_t *data = cursor_bytes(c, n);
    if (n)
        detail_bytes(ev->detail, "data", data, n);
    if (n == 2) {
        cursor word = cursor_make(data, n);
        uint16_t value = cursor_be16(&word);
        mamori_event_add_value(ev, value);
        if (sub == DIAG_RESTART_COMMUNICATIONS) {
            detail_uint(ev->detail, "restart_communication_option", value);
            if (value != 0 && value != DIAG_RESTART_CLEAR_LOG)
                modbus_pdu_flag_value(adu, "restart_option_not_0000_or_ff00");
        }
    }
}

/* 11 */
static void get_comm_event_counter(struct modbus_adu *adu)
{
    if (!adu->is_response)
        return;
    uint16_t status, count;
    if (!modbus_field_be16(adu, "ev_status", &status) || !modbus_field_be16(adu, "ev_count", &count))
        return;
    mamori_event_add_value(adu->ev, count);
}

/* 12 */
static void get_comm_event_log(struct modbus_adu *adu)
{
    if (!adu->is_response)
        return;
    uint8_t byte_cnt;
    uint16_t status, count, messages;
    if (!modbus_field_u8(adu, "byte_cnt", &byte_cnt) || !modbus_field_be16(adu, "ev_status", &status) ||
        !modbus_field_be16(adu, "ev_count", &count) || !modbus_field_be16(adu, "ev_msg_count", &messages))
        return;
    mamori_event_add_value(adu->ev, count);
    mamori_event_add_value(adu->ev, messages);
    if (byte_cnt < EVENT_LOG_FIXED_BYTES) {
        modbus_pdu_flag_value(adu, "byte_cnt_below_6");
        return;
    }
    size_t n = byte_cnt - EVENT_LOG_FIXED_BYTES;
    const uint8_t *events = cursor_bytes(&adu->body, n);
    if (events && n)
        detail_bytes(adu->ev->detail, "event", events, n);
}

static bool printable(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e)
            return false;
    return n > 0;
}

/* 17: byte count, then (device-specific, but nearly always) the server id
 * byte, the run indicator and additional data, often a text. */
static void report_server_id(struct modbus_adu *adu)
{
    if (!adu->is_response)
        return;
    cursor *c = &adu->body;
    struct mamori_event *ev = adu->ev;
    uint8_t byte_cnt = cursor_u8(c);
    cursor content = cursor_sub(c, byte_cnt);
    uint8_t server_id = cursor_u8(&content), run = cursor_u8(&content);
    if (!cursor_ok(c) || !cursor_ok(&content)) {
        modbus_pdu_flag_length(adu, "byte_cnt_exceeds_pdu");
        return;
    }
    size_t n = cursor_left(&content);
    const uint8_t *extra = cursor_bytes(&content, n);
    detail_uint(ev->detail, "byte_cnt", byte_cnt);
    detail_uint(ev->detail, "server_id", server_id);
    detail_uint(ev->detail, "run_indicator_status", run);
    ev->kind = MAMORI_EVENT_IDENTITY;
    int w = snprintf(adu->text, sizeof adu->text, "%u", server_id);
    mamori_event_add_identity(ev, "server_id", adu->text, (size_t)w);
    if (run == RUN_INDICATOR_ON || run == RUN_INDICATOR_OFF)
        mamori_event_add_identity(ev, "run_status", run ? "on" : "off", run ? 2 : 3);
    if (n && printable(extra, n)) {
        detail_string(ev->detail, "additional_data", extra, n);
        mamori_event_add_identity(ev, "additional_data", extra, n);
    } else if (n)
        detail_bytes(ev->detail, "additional_data", extra, n);
}

void modbus_decode_diagnostics(struct modbus_adu *adu)
{
    switch (adu->func_code) {
    case MODBUS_FC_READ_EXCEPTION_STATUS:
        read_exception_status(adu);
        break;
    case MODBUS_FC_DIAGNOSTICS:
        diagnostics(adu);
        break;
    case MODBUS_FC_GET_COMM_EVENT_COUNTER:
        get_comm_event_counter(adu);
        break;
    case MODBUS_FC_GET_COMM_EVENT_LOG:
        get_comm_event_log(adu);
        break;
    default:
        report_server_id(adu);
        break;
    }
}
