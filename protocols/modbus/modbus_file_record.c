/* modbus_file_record.c — PDU fields of read file record (20) and write file
 * record (21): the list of sub-requests (reference type, file number, record
 * number, record length) and the record data. The event range is the first
 * sub-request's records; the values are the first record words. */
#include "modbus_private.h"

#define FILE_REFERENCE_TYPE 6
#define FILE_RECORD_NUMBER_MAX 9999
/* Read request sub-request: reference type, file number, record number, length. */
#define FILE_SUBREQUEST_LEN 7

static void check_reference_type(struct modbus_adu *adu, uint8_t type)
{
    if (type != FILE_REFERENCE_TYPE)
        modbus_pdu_flag_value(adu, "reference_type_not_6");
}

/* One sub-request's header; the first also sets the event range. */
static bool record_header(struct modbus_adu *adu, cursor *c, bool first, uint16_t *length)
{
    struct mamori_detail *d = adu->ev->detail;
    uint8_t type = cursor_u8(c);
    uint16_t file = cursor_be16(c), record = cursor_be16(c);
    *length = cursor_be16(c);
    if (!cursor_ok(c))
        return false;
    detail_uint(d, "reference_type", type);
    detail_uint(d, "file_number", file);
    detail_uint(d, "record_number", record);
    detail_uint(d, "record_length", *length);
    check_reference_type(adu, type);
    if (record > FILE_RECORD_NUMBER_MAX)
        modbus_pdu_flag_value(adu, "record_number_over_9999");
    if (first) {
        modbus_pdu_set_range(adu, record, *length);
        if (!adu->is_response) {
            adu->record->start = record;
            adu->record->quantity = *length;
        }
    }
    return true;
}

/* 20 request and 21 request/response: sub-requests with headers (and, for 21, data). */
static void record_requests(struct modbus_adu *adu, cursor *records, bool with_data)
{
    struct mamori_detail *d = adu->ev->detail;
    detail_array_begin(d, "records");
    for (bool first = true; !cursor_empty(records); first = false) {
        uint16_t length;
        detail_object_begin(d, NULL);
        bool ok = record_header(adu, records, first, &length);
        if (ok && with_data) {
            cursor data = cursor_sub(records, 2u * length);
            modbus_pdu_registers(adu, &data, length, "regval_uint16");
            ok = cursor_ok(&data);
        }
        detail_end(d);
        if (!ok) {
            modbus_pdu_flag_length(adu, "sub_request_truncated");
            break;
        }
    }
    detail_end(d);
}

/* 20 response: sub-responses of (length, reference type, record words). */
static void read_record_responses(struct modbus_adu *adu, cursor *records)
{
    struct mamori_detail *d = adu->ev->detail;
    if (adu->request)
        modbus_pdu_set_range(adu, adu->request->start, adu->request->quantity);
    detail_array_begin(d, "records");
    while (!cursor_empty(records)) {
        uint8_t length = cursor_u8(records);
        cursor record = cursor_sub(records, length);
        uint8_t type = cursor_u8(&record);
        detail_object_begin(d, NULL);
        detail_uint(d, "file_resp_len", length);
        detail_uint(d, "reference_type", type);
        check_reference_type(adu, type);
        modbus_pdu_registers(adu, &record, cursor_left(&record) / 2u, "regval_uint16");
        detail_end(d);
        if (!cursor_ok(records) || !cursor_ok(&record) || !cursor_empty(&record)) {
            modbus_pdu_flag_length(adu, "sub_response_truncated");
            break;
        }
    }
    detail_end(d);
}

void modbus_decode_file_record(struct modbus_adu *adu)
{
    cursor *c = &adu->body;
    uint8_t byte_cnt = cursor_u8(c);
    cursor records = cursor_sub(c, byte_cnt);
    if (!cursor_ok(c))
        return;
    detail_uint(adu->ev->detail, "byte_cnt", byte_cnt);
    bool read = adu->func_code == MODBUS_FC_READ_FILE_RECORD;
    if (read && adu->is_response)
        read_record_responses(adu, &records);
    else {
        if (read && byte_cnt % FILE_SUBREQUEST_LEN)
            modbus_pdu_flag_length(adu, "byte_cnt_not_multiple_of_7");
        record_requests(adu, &records, !read);
    }
}
