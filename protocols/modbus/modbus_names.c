/* modbus_names.c — names and operation classes of Modbus codes: functions,
 * exceptions, diagnostic sub-functions, device-identification objects. Pure
 * lookup tables; no decoding happens here. Names are snake_case versions of the
 * names in the Modbus Application Protocol Specification v1.1b3. */
#include "modbus_private.h"

static const struct modbus_function_info public_functions[128] = {
    [MODBUS_FC_READ_COILS] = { "read_coils", MAMORI_OP_READ },
    [MODBUS_FC_READ_DISCRETE_INPUTS] = { "read_discrete_inputs", MAMORI_OP_READ },
    [MODBUS_FC_READ_HOLDING_REGISTERS] = { "read_holding_registers", MAMORI_OP_READ },
    [MODBUS_FC_READ_INPUT_REGISTERS] = { "read_input_registers", MAMORI_OP_READ },
    [MODBUS_FC_WRITE_SINGLE_COIL] = { "write_single_coil", MAMORI_OP_WRITE },
    [MODBUS_FC_WRITE_SINGLE_REGISTER] = { "write_single_register", MAMORI_OP_WRITE },
    [MODBUS_FC_READ_EXCEPTION_STATUS] = { "read_exception_status", MAMORI_OP_DIAGNOSTIC },
    [MODBUS_FC_DIAGNOSTICS] = { "diagnostics", MAMORI_OP_DIAGNOSTIC },
    [MODBUS_FC_GET_COMM_EVENT_COUNTER] = { "get_comm_event_counter", MAMORI_OP_DIAGNOSTIC },
    [MODBUS_FC_GET_COMM_EVENT_LOG] = { "get_comm_event_log", MAMORI_OP_DIAGNOSTIC },
    [MODBUS_FC_WRITE_MULTIPLE_COILS] = { "write_multiple_coils", MAMORI_OP_WRITE },
    [MODBUS_FC_WRITE_MULTIPLE_REGISTERS] = { "write_multiple_registers", MAMORI_OP_WRITE },
    [MODBUS_FC_REPORT_SERVER_ID] = { "report_server_id", MAMORI_OP_IDENTIFY },
    [MODBUS_FC_READ_FILE_RECORD] = { "read_file_record", MAMORI_OP_READ },
    [MODBUS_FC_WRITE_FILE_RECORD] = { "write_file_record", MAMORI_OP_WRITE },
    [MODBUS_FC_MASK_WRITE_REGISTER] = { "mask_write_register", MAMORI_OP_WRITE },
    [MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS] = { "read_write_multiple_registers", MAMORI_OP_WRITE },
    [MODBUS_FC_READ_FIFO_QUEUE] = { "read_fifo_queue", MAMORI_OP_READ },
    [MODBUS_FC_ENCAPSULATED_INTERFACE] = { "encapsulated_interface_transport", MAMORI_OP_OTHER },
    [MODBUS_FC_UMAS] = { "umas", MAMORI_OP_OTHER },
};

/* The table entry of a public function, NULL for the others. */
static const struct modbus_function_info *public_info(uint8_t func_code)
{
    return func_code < 128 && public_functions[func_code].name ? &public_functions[func_code] : NULL;
}

bool modbus_function_is_public(uint8_t func_code)
{
    return public_info(func_code) != NULL;
}

/* User-defined ranges: 65-72 and 100-110 (spec §5). */
bool modbus_function_is_user_defined(uint8_t func_code)
{
    return (func_code >= 65 && func_code <= 72) || (func_code >= 100 && func_code <= 110);
}

static const struct modbus_function_info user_defined_function = { "user_defined", MAMORI_OP_OTHER };
static const struct modbus_function_info reserved_function = { "reserved", MAMORI_OP_OTHER };

const struct modbus_function_info *modbus_function_info(uint8_t func_code)
{
    const struct modbus_function_info *info = public_info(func_code);
    if (info)
        return info;
    return modbus_function_is_user_defined(func_code) ? &user_defined_function : &reserved_function;
}

const char *modbus_function_name(uint8_t func_code)
{
    return modbus_function_info(func_code)->name;
}

static const char *const exception_names[] = {
    [1] = "illegal_function",
    [2] = "illegal_data_address",
    [3] = "illegal_data_value",
    [4] = "server_device_failure",
    [5] = "acknowledge",
    [6] = "server_device_busy",
    [7] = "negative_acknowledge",
    [8] = "memory_parity_error",
    [10] = "gateway_path_unavailable",
    [11] = "gateway_target_device_failed_to_respond",
};

/* NULL for a code the specification does not define. */
const char *modbus_exception_name(uint8_t code)
{
    return code < sizeof exception_names / sizeof exception_names[0] ? exception_names[code] : NULL;
}

static const char *const diagnostic_names[] = {
    [0] = "return_query_data",
    [1] = "restart_communications_option",
    [2] = "return_diagnostic_register",
    [3] = "change_ascii_input_delimiter",
    [4] = "force_listen_only_mode",
    [10] = "clear_counters_and_diagnostic_register",
    [11] = "return_bus_message_count",
    [12] = "return_bus_communication_error_count",
    [13] = "return_bus_exception_error_count",
    [14] = "return_server_message_count",
    [15] = "return_server_no_response_count",
    [16] = "return_server_nak_count",
    [17] = "return_server_busy_count",
    [18] = "return_bus_character_overrun_count",
    [20] = "clear_overrun_counter_and_flag",
};

/* NULL for a reserved sub-function. */
const char *modbus_diagnostic_name(uint16_t sub_code)
{
    return sub_code < sizeof diagnostic_names / sizeof diagnostic_names[0] ? diagnostic_names[sub_code] : NULL;
}

struct device_object {
    const char *name;     /* as the specification names it */
    const char *identity; /* the mamori identity field it feeds */
};

static const struct device_object device_objects[] = {
    [0x00] = { "VendorName", "vendor" },
    [0x01] = { "ProductCode", "product_code" },
    [0x02] = { "MajorMinorRevision", "revision" },
    [0x03] = { "VendorUrl", "vendor_url" },
    [0x04] = { "ProductName", "product_name" },
    [0x05] = { "ModelName", "model_name" },
    [0x06] = { "UserApplicationName", "user_application_name" },
};

#define DEVICE_OBJECTS_STANDARD (sizeof device_objects / sizeof device_objects[0])
/* 0x07-0x7F reserved, 0x80-0xFF private (extended category). */
#define DEVICE_OBJECT_PRIVATE_FIRST 0x80

const char *modbus_device_object_name(uint8_t object_id)
{
    if (object_id < DEVICE_OBJECTS_STANDARD)
        return device_objects[object_id].name;
    return object_id >= DEVICE_OBJECT_PRIVATE_FIRST ? "private" : "reserved";
}

/* The identity field name for a standard object, NULL for the others. */
const char *modbus_device_object_identity(uint8_t object_id)
{
    return object_id < DEVICE_OBJECTS_STANDARD ? device_objects[object_id].identity : NULL;
}

static const char *const read_device_id_names[] = {
    [1] = "basic", [2] = "regular", [3] = "extended", [4] = "specific",
};

/* NULL for a code other than 1-4. */
const char *modbus_read_device_id_name(uint8_t code)
{
    return code < sizeof read_device_id_names / sizeof read_device_id_names[0] ? read_device_id_names[code] : NULL;
}

/* Function names for the MEI types of function 43 that have one, else NULL. */
const char *modbus_mei_function_name(uint16_t mei)
{
    if (mei == MODBUS_MEI_READ_DEVICE_ID)
        return "read_device_identification";
    return mei == MODBUS_MEI_CANOPEN_GENERAL_REFERENCE ? "canopen_general_reference" : NULL;
}

static const char *const anomaly_names[MODBUS_ANOMALY__COUNT] = {
    [MODBUS_ANOMALY_INVALID_PROTOCOL_ID] = "invalid_protocol_id",
    [MODBUS_ANOMALY_INVALID_LENGTH] = "invalid_length",
    [MODBUS_ANOMALY_INVALID_FUNCTION_CODE] = "invalid_function_code",
    [MODBUS_ANOMALY_INVALID_VALUE] = "invalid_value",
    [MODBUS_ANOMALY_INVALID_EXCEPTION_CODE] = "invalid_exception_code",
    [MODBUS_ANOMALY_UNSOLICITED_RESPONSE] = "unsolicited_response",
    [MODBUS_ANOMALY_VALUE_MISMATCH] = "value_mismatch",
    [MODBUS_ANOMALY_FUNCTION_CODE_MISMATCH] = "function_code_mismatch",
    [MODBUS_ANOMALY_UNANSWERED_REQUEST] = "unanswered_request",
    [MODBUS_ANOMALY_FLOODED] = "flooded",
};

const char *modbus_anomaly_name(enum modbus_anomaly a)
{
    return (unsigned)a < MODBUS_ANOMALY__COUNT ? anomaly_names[a] : "unknown";
}
