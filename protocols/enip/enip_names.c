/* enip_names.c — names and operation classes of EtherNet/IP and CIP codes:
 * encapsulation commands and status, CPF item types, CIP services (per object
 * kind) and general status, the common ICS vendors and device types of the
 * identity object. Pure lookup tables; names follow Wireshark's, snake_case
 * for codes and verbatim for the vendor and device type an operator reads. */
#include "enip_private.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct code_info {
    uint32_t code;
    const char *name;
    enum mamori_op op;
};

static const struct code_info *find(const struct code_info *table, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].code == code)
            return &table[i];
    return NULL;
}

static const struct code_info commands[] = {
    { ENIP_NOP, "nop", MAMORI_OP_OTHER },
    { ENIP_LIST_SERVICES, "list_services", MAMORI_OP_IDENTIFY },
    { ENIP_LIST_IDENTITY, "list_identity", MAMORI_OP_IDENTIFY },
    { ENIP_LIST_INTERFACES, "list_interfaces", MAMORI_OP_IDENTIFY },
    { ENIP_REGISTER_SESSION, "register_session", MAMORI_OP_SESSION },
    { ENIP_UNREGISTER_SESSION, "unregister_session", MAMORI_OP_SESSION },
    { ENIP_SEND_RR_DATA, "send_rr_data", MAMORI_OP_OTHER },
    { ENIP_SEND_UNIT_DATA, "send_unit_data", MAMORI_OP_OTHER },
    { ENIP_INDICATE_STATUS, "indicate_status", MAMORI_OP_OTHER },
    { ENIP_CANCEL, "cancel", MAMORI_OP_OTHER },
};

/* NULL for a command the specification does not define. */
const char *enip_command_name(uint16_t command)
{
    const struct code_info *c = find(commands, COUNT(commands), command);
    return c ? c->name : NULL;
}

enum mamori_op enip_command_op(uint16_t command)
{
    const struct code_info *c = find(commands, COUNT(commands), command);
    return c ? c->op : MAMORI_OP_OTHER;
}

static const struct code_info statuses[] = {
    { 0x0000, "success", 0 },
    { 0x0001, "invalid_command", 0 },
    { 0x0002, "no_memory_resources", 0 },
    { 0x0003, "incorrect_data", 0 },
    { 0x0064, "invalid_session_handle", 0 },
    { 0x0065, "invalid_length", 0 },
    { 0x0069, "unsupported_protocol_revision", 0 },
    { 0x006a, "encapsulated_cip_service_not_allowed", 0 },
};

const char *enip_status_name(uint32_t status)
{
    const struct code_info *c = find(statuses, COUNT(statuses), status);
    return c ? c->name : NULL;
}

static const struct code_info items[] = {
    { ENIP_ITEM_NULL_ADDRESS, "null_address", 0 },
    { ENIP_ITEM_CIP_IDENTITY, "cip_identity", 0 },
    { 0x0086, "cip_security_information", 0 },
    { 0x0087, "ethernet_ip_capability", 0 },
    { 0x0088, "ethernet_ip_usage", 0 },
    { ENIP_ITEM_CONNECTED_ADDRESS, "connected_address", 0 },
    { ENIP_ITEM_CONNECTED_DATA, "connected_data", 0 },
    { ENIP_ITEM_UNCONNECTED_DATA, "unconnected_data", 0 },
    { ENIP_ITEM_LIST_SERVICES, "list_services_response", 0 },
    { ENIP_ITEM_SOCKADDR_O2T, "sockaddr_info_o2t", 0 },
    { ENIP_ITEM_SOCKADDR_T2O, "sockaddr_info_t2o", 0 },
    { ENIP_ITEM_SEQUENCED_ADDRESS, "sequenced_address", 0 },
    { 0x8003, "unconnected_message_over_udp", 0 },
};

const char *enip_item_name(uint16_t type)
{
    const struct code_info *c = find(items, COUNT(items), type);
    return c ? c->name : NULL;
}

/* The vendors of the ODVA list most seen in ICS networks, as Wireshark names them. */
static const struct code_info vendors[] = {
    { 1, "Rockwell Automation/Allen-Bradley", 0 },
    { 3, "Honeywell Inc.", 0 },
    { 5, "Rockwell Automation/Reliance Elec.", 0 },
    { 26, "Festo Corporation", 0 },
    { 40, "Wago Corporation", 0 },
    { 44, "Yaskawa Electric America, Inc.", 0 },
    { 46, "ABB Industrial Systems", 0 },
    { 47, "Omron Corporation", 0 },
    { 48, "TURCk, Inc.", 0 },
    { 68, "Eaton Electrical", 0 },
    { 82, "Mitsubishi Electric Automation, Inc.", 0 },
    { 90, "HMS Industrial Networks AB", 0 },
    { 108, "Beckhoff Automation GmbH", 0 },
    { 143, "GE Industrial Systems", 0 },
    { 145, "Siemens Energy & Automation/Drives", 0 },
    { 161, "Mitsubishi Electric Corporation", 0 },
    { 176, "Red Lion Controls", 0 },
    { 243, "Schneider Automation, Inc.", 0 },
    { 250, "Yokogawa Electric Corporation", 0 },
    { 283, "Hilscher GmbH", 0 },
    { 309, "Prosoft Technology", 0 },
    { 326, "GE Fanuc Automation North America, Inc.", 0 },
    { 367, "Keyence Corporation", 0 },
    { 562, "Phoenix Contact", 0 },
    { 634, "Hirschmann, Inc.", 0 },
    { 808, "SICK AG", 0 },
    { 939, "Cisco Systems", 0 },
    { 991, "Moxa Networking Co., Ltd.", 0 },
};

/* NULL for a vendor outside the table. */
const char *enip_vendor_name(uint16_t vendor)
{
    const struct code_info *c = find(vendors, COUNT(vendors), vendor);
    return c ? c->name : NULL;
}

static const struct code_info device_types[] = {
    { 0, "Generic Device (deprecated)", 0 },
    { 2, "AC Drive", 0 },
    { 7, "General Purpose Discrete I/O", 0 },
    { 12, "Communications Adapter", 0 },
    { 14, "Programmable Logic Controller", 0 },
    { 16, "Position Controller", 0 },
    { 19, "DC Drive", 0 },
    { 22, "Motor Starter", 0 },
    { 24, "Human-Machine Interface", 0 },
    { 35, "Safety Discrete I/O Device", 0 },
    { 37, "CIP Motion Drive", 0 },
    { 40, "CIP Modbus Device", 0 },
    { 41, "CIP Modbus Translator", 0 },
    { 43, "Generic Device (keyable)", 0 },
    { 44, "Managed Ethernet Switch", 0 },
    { 51, "Circuit Breaker", 0 },
    { 200, "Embedded Component", 0 },
};

const char *enip_device_type_name(uint16_t device_type)
{
    const struct code_info *c = find(device_types, COUNT(device_types), device_type);
    return c ? c->name : NULL;
}

static const struct code_info common_services[] = {
    { CIP_GET_ATTRIBUTES_ALL, "get_attributes_all", MAMORI_OP_READ },
    { CIP_SET_ATTRIBUTES_ALL, "set_attributes_all", MAMORI_OP_WRITE },
    { CIP_GET_ATTRIBUTE_LIST, "get_attribute_list", MAMORI_OP_READ },
    { CIP_SET_ATTRIBUTE_LIST, "set_attribute_list", MAMORI_OP_WRITE },
    { CIP_RESET, "reset", MAMORI_OP_RESTART },
    { CIP_START, "start", MAMORI_OP_PROGRAM },
    { CIP_STOP, "stop", MAMORI_OP_PROGRAM },
    { CIP_CREATE, "create", MAMORI_OP_CONFIG },
    { CIP_DELETE, "delete", MAMORI_OP_CONFIG },
    { CIP_MULTIPLE_SERVICE_PACKET, "multiple_service_packet", MAMORI_OP_OTHER },
    { CIP_APPLY_ATTRIBUTES, "apply_attributes", MAMORI_OP_CONFIG },
    { CIP_GET_ATTRIBUTE_SINGLE, "get_attribute_single", MAMORI_OP_READ },
    { CIP_SET_ATTRIBUTE_SINGLE, "set_attribute_single", MAMORI_OP_WRITE },
    { CIP_FIND_NEXT_OBJECT_INSTANCE, "find_next_object_instance", MAMORI_OP_READ },
    { CIP_RESTORE, "restore", MAMORI_OP_CONFIG },
    { CIP_SAVE, "save", MAMORI_OP_CONFIG },
    { CIP_NOP, "nop", MAMORI_OP_OTHER },
    { CIP_GET_MEMBER, "get_member", MAMORI_OP_READ },
    { CIP_SET_MEMBER, "set_member", MAMORI_OP_WRITE },
    { CIP_INSERT_MEMBER, "insert_member", MAMORI_OP_WRITE },
    { CIP_REMOVE_MEMBER, "remove_member", MAMORI_OP_WRITE },
    { CIP_GROUP_SYNC, "group_sync", MAMORI_OP_OTHER },
};

static const struct code_info connection_manager_services[] = {
    { CIP_CM_FORWARD_CLOSE, "forward_close", MAMORI_OP_SESSION },
    { CIP_CM_UNCONNECTED_SEND, "unconnected_send", MAMORI_OP_OTHER },
    { CIP_CM_FORWARD_OPEN, "forward_open", MAMORI_OP_SESSION },
    { CIP_CM_GET_CONNECTION_OWNER, "get_connection_owner", MAMORI_OP_READ },
    { CIP_CM_LARGE_FORWARD_OPEN, "large_forward_open", MAMORI_OP_SESSION },
};

static const struct code_info logix_services[] = {
    { CIP_LOGIX_READ_TAG, "read_tag", MAMORI_OP_READ },
    { CIP_LOGIX_WRITE_TAG, "write_tag", MAMORI_OP_WRITE },
    { CIP_LOGIX_READ_MODIFY_WRITE_TAG, "read_modify_write_tag", MAMORI_OP_WRITE },
    { CIP_LOGIX_READ_TAG_FRAGMENTED, "read_tag_fragmented", MAMORI_OP_READ },
    { CIP_LOGIX_WRITE_TAG_FRAGMENTED, "write_tag_fragmented", MAMORI_OP_WRITE },
    { CIP_LOGIX_GET_INSTANCE_ATTRIBUTE_LIST, "get_instance_attribute_list", MAMORI_OP_READ },
};

static const struct code_info pccc_services[] = {
    { CIP_PCCC_EXECUTE, "execute_pccc", MAMORI_OP_OTHER },
};

static const struct code_info *service_info(uint8_t service, enum cip_object_kind kind)
{
    service &= CIP_SERVICE_MASK;
    if (service < CIP_OBJECT_SPECIFIC_FIRST)
        return find(common_services, COUNT(common_services), service);
    switch (kind) {
    case CIP_KIND_CONNECTION_MANAGER:
        return find(connection_manager_services, COUNT(connection_manager_services), service);
    case CIP_KIND_LOGIX: return find(logix_services, COUNT(logix_services), service);
    case CIP_KIND_PCCC: return find(pccc_services, COUNT(pccc_services), service);
    case CIP_KIND_GENERIC: break;
    }
    return NULL;
}

/* "object_specific" for a service of an object this decoder does not know,
 * "reserved" for an undefined common service. */
const char *cip_service_name(uint8_t service, enum cip_object_kind kind)
{
    const struct code_info *c = service_info(service, kind);
    if (c)
        return c->name;
    return (service & CIP_SERVICE_MASK) < CIP_OBJECT_SPECIFIC_FIRST ? "reserved" : "object_specific";
}

enum mamori_op cip_service_op(uint8_t service, enum cip_object_kind kind)
{
    const struct code_info *c = service_info(service, kind);
    return c ? c->op : MAMORI_OP_OTHER;
}

static const char *const general_status_names[] = {
    "success", "connection_failure", "resource_unavailable", "invalid_parameter_value",
    "path_segment_error", "path_destination_unknown", "partial_transfer", "connection_lost",
    "service_not_supported", "invalid_attribute_value", "attribute_list_error",
    "already_in_requested_mode", "object_state_conflict", "object_already_exists",
    "attribute_not_settable", "privilege_violation", "device_state_conflict", "reply_data_too_large",
    "fragmentation_of_a_primitive_value", "not_enough_data", "attribute_not_supported", "too_much_data",
    "object_does_not_exist", "service_fragmentation_sequence_not_in_progress", "no_stored_attribute_data",
    "store_operation_failure", "routing_failure_request_too_large", "routing_failure_response_too_large",
    "missing_attribute_list_entry_data", "invalid_attribute_value_list", "embedded_service_error",
    "vendor_specific_error", "invalid_parameter", "write_once_value_already_written",
    "invalid_reply_received", "buffer_overflow", "invalid_message_format", "key_failure_in_path",
    "path_size_invalid",
};

/* NULL for a status beyond the table. */
const char *cip_status_name(uint8_t general_status)
{
    return general_status < COUNT(general_status_names) ? general_status_names[general_status] : NULL;
}

static const char *const anomaly_names[ENIP_ANOMALY__COUNT] = {
    [ENIP_ANOMALY_INVALID_LENGTH] = "invalid_length",
    [ENIP_ANOMALY_INVALID_COMMAND] = "invalid_command",
    [ENIP_ANOMALY_INVALID_ITEM_COUNT] = "invalid_item_count",
    [ENIP_ANOMALY_TRUNCATED_IDENTITY] = "truncated_identity",
    [ENIP_ANOMALY_INVALID_PATH] = "invalid_path",
    [ENIP_ANOMALY_INVALID_VALUE] = "invalid_value",
    [ENIP_ANOMALY_UNSOLICITED_RESPONSE] = "unsolicited_response",
    [ENIP_ANOMALY_UNANSWERED_REQUEST] = "unanswered_request",
    [ENIP_ANOMALY_TRUNCATED_MESSAGE] = "truncated_message",
};

const char *enip_anomaly_name(enum enip_anomaly a)
{
    return (unsigned)a < ENIP_ANOMALY__COUNT ? anomaly_names[a] : "unknown";
}
