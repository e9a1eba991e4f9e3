/* dnp3_app.c — application function codes, IIN bits and the header reader. */
#include "dnp3_app.h"

#define N_REQUEST_FUNCTIONS 0x22

static const struct dnp3_function_info request_functions[N_REQUEST_FUNCTIONS] = {
    [0x00] = { "confirm", MAMORI_OP_SESSION, DNP3_OBJECTS_NONE, false },
    [0x01] = { "read", MAMORI_OP_READ, DNP3_OBJECTS_HEADERS, true },
    [0x02] = { "write", MAMORI_OP_WRITE, DNP3_OBJECTS_DATA, true },
    [0x03] = { "select", MAMORI_OP_OPERATE, DNP3_OBJECTS_DATA, true },
    [0x04] = { "operate", MAMORI_OP_OPERATE, DNP3_OBJECTS_DATA, true },
    [0x05] = { "direct_operate", MAMORI_OP_OPERATE, DNP3_OBJECTS_DATA, true },
    [0x06] = { "direct_operate_nr", MAMORI_OP_OPERATE, DNP3_OBJECTS_DATA, false },
    [0x07] = { "immediate_freeze", MAMORI_OP_OPERATE, DNP3_OBJECTS_HEADERS, true },
    [0x08] = { "immediate_freeze_nr", MAMORI_OP_OPERATE, DNP3_OBJECTS_HEADERS, false },
    [0x09] = { "freeze_clear", MAMORI_OP_OPERATE, DNP3_OBJECTS_HEADERS, true },
    [0x0A] = { "freeze_clear_nr", MAMORI_OP_OPERATE, DNP3_OBJECTS_HEADERS, false },
    [0x0B] = { "freeze_at_time", MAMORI_OP_OPERATE, DNP3_OBJECTS_DATA, true },
    [0x0C] = { "freeze_at_time_nr", MAMORI_OP_OPERATE, DNP3_OBJECTS_DATA, false },
    [0x0D] = { "cold_restart", MAMORI_OP_RESTART, DNP3_OBJECTS_NONE, true },
    [0x0E] = { "warm_restart", MAMORI_OP_RESTART, DNP3_OBJECTS_NONE, true },
    [0x0F] = { "initialize_data", MAMORI_OP_CONFIG, DNP3_OBJECTS_HEADERS, true },
    [0x10] = { "initialize_application", MAMORI_OP_PROGRAM, DNP3_OBJECTS_DATA, true },
    [0x11] = { "start_application", MAMORI_OP_PROGRAM, DNP3_OBJECTS_DATA, true },
    [0x12] = { "stop_application", MAMORI_OP_PROGRAM, DNP3_OBJECTS_DATA, true },
    [0x13] = { "save_configuration", MAMORI_OP_CONFIG, DNP3_OBJECTS_NONE, true },
    [0x14] = { "enable_unsolicited", MAMORI_OP_CONFIG, DNP3_OBJECTS_HEADERS, true },
    [0x15] = { "disable_unsolicited", MAMORI_OP_CONFIG, DNP3_OBJECTS_HEADERS, true },
    [0x16] = { "assign_class", MAMORI_OP_CONFIG, DNP3_OBJECTS_HEADERS, true },
    [0x17] = { "delay_measurement", MAMORI_OP_TIME_SYNC, DNP3_OBJECTS_NONE, true },
    [0x18] = { "record_current_time", MAMORI_OP_TIME_SYNC, DNP3_OBJECTS_NONE, true },
    [0x19] = { "open_file", MAMORI_OP_FILE, DNP3_OBJECTS_DATA, true },
    [0x1A] = { "close_file", MAMORI_OP_FILE, DNP3_OBJECTS_DATA, true },
    [0x1B] = { "delete_file", MAMORI_OP_FILE, DNP3_OBJECTS_DATA, true },
    [0x1C] = { "get_file_info", MAMORI_OP_FILE, DNP3_OBJECTS_DATA, true },
    [0x1D] = { "authenticate_file", MAMORI_OP_FILE, DNP3_OBJECTS_DATA, true },
    [0x1E] = { "abort_file", MAMORI_OP_FILE, DNP3_OBJECTS_DATA, true },
    [0x1F] = { "activate_config", MAMORI_OP_CONFIG, DNP3_OBJECTS_DATA, true },
    [0x20] = { "authenticate_request", MAMORI_OP_SESSION, DNP3_OBJECTS_DATA, true },
    [0x21] = { "authenticate_error", MAMORI_OP_SESSION, DNP3_OBJECTS_DATA, false },
};

static const struct dnp3_function_info response_functions[] = {
    { "response", MAMORI_OP_REPORT, DNP3_OBJECTS_DATA, false },
    { "unsolicited_response", MAMORI_OP_REPORT, DNP3_OBJECTS_DATA, false },
    { "authenticate_response", MAMORI_OP_SESSION, DNP3_OBJECTS_DATA, false },
};

const struct dnp3_function_info *dnp3_function_lookup(uint8_t code)
{
    if (code < N_REQUEST_FUNCTIONS)
        return &request_functions[code];
    if (dnp3_function_is_response(code))
        return &response_functions[code - DNP3_FC_RESPONSE];
    return NULL;
}

bool dnp3_function_is_response(uint8_t code)
{
    return code >= DNP3_FC_RESPONSE && code <= DNP3_FC_AUTHENTICATE_RESPONSE;
}

const char *dnp3_iin_bit_name(uint16_t bit)
{
    switch (bit) {
    case 0x0100: return "broadcast";
    case 0x0200: return "class_1_events";
    case 0x0400: return "class_2_events";
    case 0x0800: return "class_3_events";
    case 0x1000: return "need_time";
    case 0x2000: return "local_control";
    case 0x4000: return "device_trouble";
    case 0x8000: return "device_restart";
    case 0x0001: return "no_func_code_support";
    case 0x0002: return "object_unknown";
    case 0x0004: return "parameter_error";
    case 0x0008: return "event_buffer_overflow";
    case 0x0010: return "already_executing";
    case 0x0020: return "config_corrupt";
    case 0x0040: return "reserved_2";
    case 0x0080: return "reserved_1";
    default: return NULL;
    }
}

bool dnp3_app_header_read(cursor *c, struct dnp3_app_header *h)
{
    h->ctl = cursor_u8(c);
    h->func = cursor_u8(c);
    h->has_iin = dnp3_function_is_response(h->func);
    h->iin = h->has_iin ? cursor_be16(c) : 0;
    return cursor_ok(c);
}
