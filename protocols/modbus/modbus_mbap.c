/* modbus_mbap.c — MBAP header reading, validation and resynchronisation.
 *
 * In sync, a header is accepted when its protocol id is 0 and its length is
 * in range: the MBAP length is authoritative for framing, and what the PDU
 * holds is judged later. Out of sync (after garbage, a sequence gap or an
 * invalid header) a much stricter test picks the next plausible header, so
 * that random bytes rarely pass for one: protocol id 0, length in range, a
 * public or user-defined function code, a length no shorter than the
 * smallest request or response of that function, and for an exception
 * response the length 3 and a defined exception code. This file
 * decides where frames start; it decodes no PDU. */
#include "modbus_private.h"

/* An exception response is unit id + function + exception code. */
#define MBAP_LENGTH_EXCEPTION 3
#define MBAP_PROTOCOL_OFFSET 2
#define MBAP_LENGTH_OFFSET 4
#define MBAP_UNIT_OFFSET 6
#define MBAP_FUNCTION_OFFSET 7
#define MBAP_EXCEPTION_CODE_OFFSET (MBAP_HEADER_LEN + 1)

static uint16_t be16_at(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint16_t length_limit(uint8_t func_code)
{
    return (func_code & MODBUS_FUNCTION_MASK) == MODBUS_FC_UMAS ? MBAP_LENGTH_MAX_UMAS : MBAP_LENGTH_MAX;
}

static enum modbus_header_check check_header(const struct mbap_header *h)
{
    if (h->prot_id != MBAP_PROTOCOL_MODBUS)
        return MBAP_HEADER_BAD_PROTOCOL;
    if (h->length < MBAP_LENGTH_MIN || h->length > length_limit(h->func_code))
        return MBAP_HEADER_BAD_LENGTH;
    return MBAP_HEADER_OK;
}

/* One bounds check for the whole header, then fixed offsets into it. */
enum modbus_header_check modbus_read_header(const uint8_t *data, size_t len, struct mbap_header *out)
{
    cursor c = cursor_make(data, len);
    const uint8_t *p = cursor_bytes(&c, MBAP_HEADER_LEN + 1);
    if (!p)
        return MBAP_HEADER_SHORT;
    out->trans_id = be16_at(p);
    out->prot_id = be16_at(p + MBAP_PROTOCOL_OFFSET);
    out->length = be16_at(p + MBAP_LENGTH_OFFSET);
    out->unit_id = p[MBAP_UNIT_OFFSET];
    out->func_code = p[MBAP_FUNCTION_OFFSET];
    return check_header(out);
}

/* Smallest MBAP length (unit id + PDU) of a request or a response of each
 * public function; user-defined functions may be as short as a bare code. */
static const uint8_t min_length[128] = {
    [MODBUS_FC_READ_COILS] = 4, [MODBUS_FC_READ_DISCRETE_INPUTS] = 4,
    [MODBUS_FC_READ_HOLDING_REGISTERS] = 5, [MODBUS_FC_READ_INPUT_REGISTERS] = 5,
    [MODBUS_FC_WRITE_SINGLE_COIL] = 6, [MODBUS_FC_WRITE_SINGLE_REGISTER] = 6,
    [MODBUS_FC_READ_EXCEPTION_STATUS] = 2, [MODBUS_FC_DIAGNOSTICS] = 4,
    [MODBUS_FC_GET_COMM_EVENT_COUNTER] = 2, [MODBUS_FC_GET_COMM_EVENT_LOG] = 2,
    [MODBUS_FC_WRITE_MULTIPLE_COILS] = 6, [MODBUS_FC_WRITE_MULTIPLE_REGISTERS] = 6,
    [MODBUS_FC_REPORT_SERVER_ID] = 2, [MODBUS_FC_READ_FILE_RECORD] = 3,
    [MODBUS_FC_WRITE_FILE_RECORD] = 3, [MODBUS_FC_MASK_WRITE_REGISTER] = 8,
    [MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS] = 5, [MODBUS_FC_READ_FIFO_QUEUE] = 4,
    [MODBUS_FC_ENCAPSULATED_INTERFACE] = 3, [MODBUS_FC_UMAS] = 3,
};

/* MAMORI_PROBE_YES when data starts with a plausible header, MORE when too
 * few bytes are there to tell. */
enum mamori_probe modbus_header_plausible(const uint8_t *data, size_t len)
{
    struct mbap_header h;
    enum modbus_header_check check = modbus_read_header(data, len, &h);
    if (check == MBAP_HEADER_SHORT)
        return MAMORI_PROBE_MORE;
    if (check != MBAP_HEADER_OK)
        return MAMORI_PROBE_NO;
    uint8_t function = h.func_code & MODBUS_FUNCTION_MASK;
    if (!modbus_function_is_public(function) && !modbus_function_is_user_defined(function))
        return MAMORI_PROBE_NO;
    if (!(h.func_code & MODBUS_EXCEPTION_FLAG))
        return h.length >= min_length[function] ? MAMORI_PROBE_YES : MAMORI_PROBE_NO;
    if (h.length != MBAP_LENGTH_EXCEPTION)
        return MAMORI_PROBE_NO;
    cursor c = cursor_make(data, len);
    cursor_skip(&c, MBAP_EXCEPTION_CODE_OFFSET);
    uint8_t code = cursor_u8(&c);
    if (!cursor_ok(&c))
        return MAMORI_PROBE_MORE;
    return modbus_exception_name(code) ? MAMORI_PROBE_YES : MAMORI_PROBE_NO;
}

/* Offset of the first plausible header in data, or of the first candidate
 * that needs more bytes to judge; len when there is neither. */
size_t modbus_find_header(const uint8_t *data, size_t len)
{
    for (size_t at = 0; at < len; at++) {
        cursor c = cursor_make(data + at, len - at);
        cursor_skip(&c, MBAP_PROTOCOL_OFFSET);
        uint16_t prot_id = cursor_be16(&c);
        if (cursor_ok(&c) && prot_id != MBAP_PROTOCOL_MODBUS)
            continue; /* cheap pre-test before the full one */
        if (modbus_header_plausible(data + at, len - at) != MAMORI_PROBE_NO)
            return at;
    }
    return len;
}
