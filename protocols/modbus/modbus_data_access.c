/* modbus_data_access.c — PDU fields of the data-access functions: read coils,
 * discrete inputs, holding and input registers (1-4), write single coil and
 * register (5, 6), write multiple coils and registers (15, 16), mask write
 * (22), read/write multiple registers (23) and read FIFO queue (24), in
 * requests and responses. Values read are taken from responses, values
 * written from requests; a response is checked against its request. Framing,
 * exceptions and pairing happen elsewhere. */
#include "modbus_private.h"

static uint32_t packed_bytes(uint32_t bits) { return (bits + 7) / 8; }

static void check_quantity(struct modbus_adu *adu, uint32_t quantity, uint32_t max)
{
    if (quantity == 0 || quantity > max)
        modbus_pdu_flag_value(adu, "quantity_out_of_range");
}

static void check_echo(struct modbus_adu *adu, bool same)
{
    if (adu->request && !same)
        modbus_pdu_flag_mismatch(adu, "echo_differs_from_request");
}

/* 1-4: a request names the range (start address and quantity, remembered
 * for checking the response; `count_field` is Wireshark's name for the
 * quantity); a response returns the values, as many as the byte count says,
 * checked against the quantity asked. */
static void read_data(struct modbus_adu *adu, bool bits, const char *count_field, uint16_t max)
{
    if (!adu->is_response) {
        uint16_t ref, count;
        if (!modbus_field_be16(adu, "reference_num", &ref) || !modbus_field_be16(adu, count_field, &count))
            return;
        check_quantity(adu, count, max);
        modbus_pdu_set_range(adu, ref, count);
        adu->record->start = ref;
        adu->record->quantity = count;
        return;
    }
    uint8_t byte_cnt;
    if (!modbus_field_u8(adu, "byte_cnt", &byte_cnt))
        return;
    uint32_t count = bits ? byte_cnt * 8u : byte_cnt / 2u;
    if (!bits && byte_cnt % 2)
        modbus_pdu_flag_value(adu, "odd_register_byte_cnt");
    const struct modbus_pending *req = adu->request;
    if (req) {
        if (byte_cnt != (bits ? packed_bytes(req->quantity) : 2u * req->quantity))
            modbus_pdu_flag_mismatch(adu, bits ? "byte_cnt_does_not_match_bit_cnt" : "byte_cnt_does_not_match_word_cnt");
        else if (bits)
            count = req->quantity;
        modbus_pdu_set_range(adu, req->start, count);
    }
    if (bits) {
        modbus_pdu_bits(adu, &adu->body, byte_cnt, count);
        return;
    }
    cursor values = cursor_sub(&adu->body, byte_cnt);
    modbus_pdu_registers(adu, &values, count, "regval_uint16");
}

/* 5 */
static void write_single_coil(struct modbus_adu *adu)
{
    struct mamori_detail *d = adu->ev->detail;
    uint16_t ref, value;
    if (!modbus_field_be16(adu, "reference_num", &ref) || !modbus_field_be16(adu, "data", &value))
        return;
    if (value != MODBUS_COIL_ON && value != MODBUS_COIL_OFF)
        modbus_pdu_flag_value(adu, "coil_value_not_ff00_or_0000");
    unsigned bit = value == MODBUS_COIL_ON;
    detail_array_begin(d, "bitval");
    detail_uint(d, NULL, bit);
    detail_end(d);
    mamori_event_add_value(adu->ev, bit);
    modbus_pdu_set_range(adu, ref, 1);
    if (adu->is_response)
        check_echo(adu, adu->request && adu->request->start == ref && adu->request->sub_code == value);
    else {
        adu->record->start = ref;
        adu->record->quantity = 1;
        adu->record->sub_code = value;
    }
}

/* 6 */
static void write_single_register(struct modbus_adu *adu)
{
    uint16_t ref, value;
    if (!modbus_field_be16(adu, "reference_num", &ref))
        return;
    value = cursor_be16(&adu->body);
    if (!cursor_ok(&adu->body))
        return;
    detail_array_begin(adu->ev->detail, "regval_uint16");
    detail_uint(adu->ev->detail, NULL, value);
    detail_end(adu->ev->detail);
    mamori_event_add_value(adu->ev, value);
    modbus_pdu_set_range(adu, ref, 1);
    if (adu->is_response)
        check_echo(adu, adu->request && adu->request->start == ref && adu->request->sub_code == value);
    else {
        adu->record->start = ref;
        adu->record->quantity = 1;
        adu->record->sub_code = value;
    }
}

/* 15, 16: the request carries the values, the response echoes address and quantity. */
static void write_multiple(struct modbus_adu *adu, bool coils)
{
    cursor *c = &adu->body;
    uint16_t ref, count;
    if (!modbus_field_be16(adu, "reference_num", &ref) ||
        !modbus_field_be16(adu, coils ? "bit_cnt" : "word_cnt", &count))
        return;
    modbus_pdu_set_range(adu, ref, count);
    if (adu->is_response) {
        check_echo(adu, adu->request && adu->request->start == ref && adu->request->quantity == count);
        return;
    }
    adu->record->start = ref;
    adu->record->quantity = count;
    check_quantity(adu, count, coils ? MODBUS_WRITE_COILS_MAX : MODBUS_WRITE_REGISTERS_MAX);
    uint8_t byte_cnt;
    if (!modbus_field_u8(adu, "byte_cnt", &byte_cnt))
        return;
    uint32_t expected = coils ? packed_bytes(count) : 2u * count;
    if (byte_cnt != expected)
        modbus_pdu_flag_value(adu, "byte_cnt_does_not_match_quantity");
    if (coils)
        modbus_pdu_bits(adu, c, byte_cnt, count < byte_cnt * 8u ? count : byte_cnt * 8u);
    else {
        cursor values = cursor_sub(c, byte_cnt);
        modbus_pdu_registers(adu, &values, byte_cnt / 2u, "regval_uint16");
    }
}

/* 22: the response echoes the request. */
static void mask_write_register(struct modbus_adu *adu)
{
    uint16_t ref, and_mask, or_mask;
    if (!modbus_field_be16(adu, "reference_num", &ref) || !modbus_field_be16(adu, "and_mask", &and_mask) ||
        !modbus_field_be16(adu, "or_mask", &or_mask))
        return;
    mamori_event_add_value(adu->ev, and_mask);
    mamori_event_add_value(adu->ev, or_mask);
    modbus_pdu_set_range(adu, ref, 1);
    if (adu->is_response)
        check_echo(adu, adu->request && adu->request->start == ref);
    else {
        adu->record->start = ref;
        adu->record->quantity = 1;
    }
}

/* 23: the request names a read range and a write range and carries the
 * written values (its event range is the write range); the response returns
 * the registers read (its event range is the read range). */
static void read_write_multiple(struct modbus_adu *adu)
{
    if (adu->is_response) {
        read_data(adu, false, "word_cnt", MODBUS_READ_REGISTERS_MAX);
        return;
    }
    uint16_t read_ref, read_count, write_ref, write_count;
    uint8_t byte_cnt;
    if (!modbus_field_be16(adu, "read_reference_num", &read_ref) ||
        !modbus_field_be16(adu, "read_word_cnt", &read_count) ||
        !modbus_field_be16(adu, "write_reference_num", &write_ref) ||
        !modbus_field_be16(adu, "write_word_cnt", &write_count) || !modbus_field_u8(adu, "byte_cnt", &byte_cnt))
        return;
    check_quantity(adu, read_count, MODBUS_READ_REGISTERS_MAX);
    check_quantity(adu, write_count, MODBUS_RW_WRITE_REGISTERS_MAX);
    if (byte_cnt != 2u * write_count)
        modbus_pdu_flag_value(adu, "byte_cnt_does_not_match_quantity");
    modbus_pdu_set_range(adu, write_ref, write_count);
    adu->record->start = read_ref;
    adu->record->quantity = read_count;
    adu->record->write_start = write_ref;
    adu->record->write_quantity = write_count;
    cursor values = cursor_sub(&adu->body, byte_cnt);
    modbus_pdu_registers(adu, &values, byte_cnt / 2u, "regval_uint16");
}

/* 24 */
static void read_fifo_queue(struct modbus_adu *adu)
{
    if (!adu->is_response) {
        uint16_t ref;
        if (!modbus_field_be16(adu, "reference_num", &ref))
            return;
        modbus_pdu_set_range(adu, ref, 1);
        adu->record->start = ref;
        return;
    }
    uint16_t byte_cnt, fifo_count;
    if (!modbus_field_be16(adu, "byte_cnt_16", &byte_cnt) || !modbus_field_be16(adu, "word_cnt", &fifo_count))
        return;
    if (fifo_count > MODBUS_FIFO_COUNT_MAX)
        modbus_pdu_flag_value(adu, "fifo_count_over_31");
    if (byte_cnt != 2u + 2u * fifo_count)
        modbus_pdu_flag_value(adu, "byte_cnt_does_not_match_fifo_count");
    if (adu->request)
        modbus_pdu_set_range(adu, adu->request->start, fifo_count);
    modbus_pdu_registers(adu, &adu->body, fifo_count, "regval_uint16");
}

void modbus_decode_data_access(struct modbus_adu *adu)
{
    switch (adu->func_code) {
    case MODBUS_FC_READ_COILS:
    case MODBUS_FC_READ_DISCRETE_INPUTS:
        read_data(adu, true, "bit_cnt", MODBUS_READ_BITS_MAX);
        break;
    case MODBUS_FC_READ_HOLDING_REGISTERS:
    case MODBUS_FC_READ_INPUT_REGISTERS:
        read_data(adu, false, "word_cnt", MODBUS_READ_REGISTERS_MAX);
        break;
    case MODBUS_FC_WRITE_SINGLE_COIL:
        write_single_coil(adu);
        break;
    case MODBUS_FC_WRITE_SINGLE_REGISTER:
        write_single_register(adu);
        break;
    case MODBUS_FC_WRITE_MULTIPLE_COILS:
        write_multiple(adu, true);
        break;
    case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
        write_multiple(adu, false);
        break;
    case MODBUS_FC_MASK_WRITE_REGISTER:
        mask_write_register(adu);
        break;
    case MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS:
        read_write_multiple(adu);
        break;
    default:
        read_fifo_queue(adu);
        break;
    }
}
