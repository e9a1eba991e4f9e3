/* modbus_pdu.c — dispatches a PDU to the decoder of its function family,
 * decodes exception responses, and holds the helpers every family uses to
 * record problems, ranges and values. It neither frames ADUs nor pairs
 * transactions (modbus_mbap.c, modbus_transactions.c). */
#include "modbus_private.h"

void modbus_pdu_flag_length(struct modbus_adu *adu, const char *why)
{
    if (!adu->length_problem)
        adu->length_problem = why;
}

void modbus_pdu_flag_value(struct modbus_adu *adu, const char *why)
{
    if (!adu->value_problem)
        adu->value_problem = why;
}

void modbus_pdu_flag_mismatch(struct modbus_adu *adu, const char *why)
{
    if (!adu->mismatch_problem)
        adu->mismatch_problem = why;
}

/* The first MAMORI_EVENT_MAX_VALUES values go to the event; the detail (when
 * someone wants it) gets them all, in one tight loop each. Returns where the
 * next `want` values go in the event and sets *room to how many fit. */
static double *value_slots(struct mamori_event *ev, uint32_t want, uint32_t *room)
{
    uint32_t free_slots = MAMORI_EVENT_MAX_VALUES - ev->n_values;
    *room = want < free_slots ? want : free_slots;
    double *slots = ev->values + ev->n_values;
    ev->n_values += *room;
    return slots;
}

static uint16_t be16_at(const uint8_t *words, uint32_t i) { return (uint16_t)(words[2 * i] << 8 | words[2 * i + 1]); }

/* Reads `count` 16-bit registers into the detail array `key` and the event values. */
void modbus_pdu_registers(struct modbus_adu *adu, cursor *c, uint32_t count, const char *key)
{
    struct mamori_detail *d = adu->ev->detail;
    const uint8_t *words = cursor_bytes(c, 2u * (size_t)count); /* checked: every index below is < count */
    uint32_t n = words ? count : 0, room;
    double *slots = value_slots(adu->ev, n, &room);
    for (uint32_t i = 0; i < room; i++)
        slots[i] = be16_at(words, i);
    if (d)
        detail_u16be_array(d, key, words, n); /* the wire words, expanded when rendered */
}

static unsigned bit_at(const uint8_t *packed, uint32_t i) { return (packed[i / 8] >> (i % 8)) & 1u; }

/* Reads byte_cnt bytes of packed bits (least significant bit first) and
 * reports the first bit_cnt of them as `bitval`. */
void modbus_pdu_bits(struct modbus_adu *adu, cursor *c, uint32_t byte_cnt, uint32_t bit_cnt)
{
    struct mamori_detail *d = adu->ev->detail;
    const uint8_t *packed = cursor_bytes(c, byte_cnt); /* checked: every index below is < byte_cnt */
    if (!packed)
        return;
    uint32_t bits = bit_cnt < byte_cnt * 8u ? bit_cnt : byte_cnt * 8u, room;
    double *slots = value_slots(adu->ev, bits, &room);
    for (uint32_t i = 0; i < room; i++)
        slots[i] = bit_at(packed, i);
    if (d)
        detail_bits(d, "bitval", packed, bits); /* stored packed, expanded when rendered */
}

static void decode_exception(struct modbus_adu *adu)
{
    struct mamori_event *ev = adu->ev;
    uint8_t code = cursor_u8(&adu->body);
    if (!cursor_ok(&adu->body)) {
        modbus_pdu_flag_length(adu, "exception_code_missing");
        return;
    }
    ev->op = MAMORI_OP_EXCEPTION;
    ev->has_status = true;
    ev->status = code;
    detail_uint(ev->detail, "exception_code", code);
    const char *name = modbus_exception_name(code);
    if (name)
        detail_cstring(ev->detail, "exception", name);
    else
        modbus_pdu_flag_value(adu, "undefined_exception_code");
    const struct modbus_pending *req = adu->request;
    if (req && req->quantity)
        modbus_pdu_set_range(adu, req->start, req->quantity);
    if (req && req->func_code == MODBUS_FC_ENCAPSULATED_INTERFACE && modbus_mei_function_name(req->sub_code))
        ev->function_name = modbus_mei_function_name(req->sub_code);
}

void modbus_decode_raw(struct modbus_adu *adu)
{
    size_t n = cursor_left(&adu->body);
    const uint8_t *data = cursor_bytes(&adu->body, n);
    if (n)
        detail_bytes(adu->ev->detail, "data", data, n);
}

void modbus_pdu_decode(struct modbus_adu *adu)
{
    uint8_t function = adu->func_code & MODBUS_FUNCTION_MASK;
    if (adu->func_code & MODBUS_EXCEPTION_FLAG) {
        decode_exception(adu);
        return;
    }
    switch (function) {
    case MODBUS_FC_READ_COILS:
    case MODBUS_FC_READ_DISCRETE_INPUTS:
    case MODBUS_FC_READ_HOLDING_REGISTERS:
    case MODBUS_FC_READ_INPUT_REGISTERS:
    case MODBUS_FC_WRITE_SINGLE_COIL:
    case MODBUS_FC_WRITE_SINGLE_REGISTER:
    case MODBUS_FC_WRITE_MULTIPLE_COILS:
    case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
    case MODBUS_FC_MASK_WRITE_REGISTER:
    case MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS:
    case MODBUS_FC_READ_FIFO_QUEUE:
        modbus_decode_data_access(adu);
        break;
    case MODBUS_FC_READ_EXCEPTION_STATUS:
    case MODBUS_FC_DIAGNOSTICS:
    case MODBUS_FC_GET_COMM_EVENT_COUNTER:
    case MODBUS_FC_GET_COMM_EVENT_LOG:
    case MODBUS_FC_REPORT_SERVER_ID:
        modbus_decode_diagnostics(adu);
        break;
    case MODBUS_FC_READ_FILE_RECORD:
    case MODBUS_FC_WRITE_FILE_RECORD:
        modbus_decode_file_record(adu);
        break;
    case MODBUS_FC_ENCAPSULATED_INTERFACE:
        modbus_decode_encapsulated(adu);
        break;
    case MODBUS_FC_UMAS:
        modbus_decode_umas(adu);
        break;
    default:
        if (!modbus_function_is_user_defined(function))
            adu->function_problem = "reserved_function_code";
        modbus_decode_raw(adu);
        break;
    }
}
