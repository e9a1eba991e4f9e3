/* modbus_private.h — what the Modbus/TCP decoder's files share: protocol
 * constants, the per-flow state, one decoded ADU, and the functions each file
 * provides. Nothing outside protocols/modbus/ includes this header; the rest of
 * the sensor sees only `modbus_decoder` (protocols/builtin.h). */
#ifndef MAMORI_MODBUS_PRIVATE_H
#define MAMORI_MODBUS_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocols/cursor.h"
#include "protocols/decoder.h"
#include "protocols/event.h"

#define MODBUS_PROTOCOL "modbus"
#define MODBUS_TCP_PORT 502

/* MBAP header: transaction id (2), protocol id (2), length (2), unit id (1). */
#define MBAP_HEADER_LEN 7
/* The MBAP length counts the unit id and the PDU; a PDU is at most 253 bytes. */
#define MBAP_LENGTH_MIN 2
#define MBAP_LENGTH_MAX 254
/* Schneider's UMAS (function 90) sends blocks larger than the specification
 * allows; accept up to what one Ethernet TCP segment carries. */
#define MBAP_LENGTH_MAX_UMAS 1460
#define MBAP_PROTOCOL_MODBUS 0
/* Bytes of the length field's reach that precede it: trans_id + prot_id + len. */
#define MBAP_LENGTH_PREFIX 6
#define MODBUS_ADU_MAX (MBAP_LENGTH_PREFIX + MBAP_LENGTH_MAX_UMAS)

/* MEI types of function 43. */
#define MODBUS_MEI_CANOPEN_GENERAL_REFERENCE 13
#define MODBUS_MEI_READ_DEVICE_ID 14

/* UMAS (function 90) response status, where a request has its UMAS function. */
#define UMAS_STATUS_OK 0xfe
#define UMAS_STATUS_ERROR 0xfd

#define MODBUS_EXCEPTION_FLAG 0x80
#define MODBUS_FUNCTION_MASK 0x7f

/* Public function codes (Modbus Application Protocol v1.1b3, §6). */
enum modbus_function {
    MODBUS_FC_READ_COILS = 1,
    MODBUS_FC_READ_DISCRETE_INPUTS = 2,
    MODBUS_FC_READ_HOLDING_REGISTERS = 3,
    MODBUS_FC_READ_INPUT_REGISTERS = 4,
    MODBUS_FC_WRITE_SINGLE_COIL = 5,
    MODBUS_FC_WRITE_SINGLE_REGISTER = 6,
    MODBUS_FC_READ_EXCEPTION_STATUS = 7,
    MODBUS_FC_DIAGNOSTICS = 8,
    MODBUS_FC_GET_COMM_EVENT_COUNTER = 11,
    MODBUS_FC_GET_COMM_EVENT_LOG = 12,
    MODBUS_FC_WRITE_MULTIPLE_COILS = 15,
    MODBUS_FC_WRITE_MULTIPLE_REGISTERS = 16,
    MODBUS_FC_REPORT_SERVER_ID = 17,
    MODBUS_FC_READ_FILE_RECORD = 20,
    MODBUS_FC_WRITE_FILE_RECORD = 21,
    MODBUS_FC_MASK_WRITE_REGISTER = 22,
    MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS = 23,
    MODBUS_FC_READ_FIFO_QUEUE = 24,
    MODBUS_FC_ENCAPSULATED_INTERFACE = 43,
    MODBUS_FC_UMAS = 90, /* Schneider Electric UMAS; outside the user-defined ranges */
};

/* Quantity limits per request (spec §6.1-6.17). */
#define MODBUS_READ_BITS_MAX 2000
#define MODBUS_READ_REGISTERS_MAX 125
#define MODBUS_WRITE_COILS_MAX 1968
#define MODBUS_WRITE_REGISTERS_MAX 123
#define MODBUS_RW_WRITE_REGISTERS_MAX 121
#define MODBUS_FIFO_COUNT_MAX 31
#define MODBUS_COIL_ON 0xff00
#define MODBUS_COIL_OFF 0x0000

/* Anomalies, named as Suricata names its Modbus decoder events where one exists. */
enum modbus_anomaly {
    MODBUS_ANOMALY_INVALID_PROTOCOL_ID,
    MODBUS_ANOMALY_INVALID_LENGTH,
    MODBUS_ANOMALY_INVALID_FUNCTION_CODE,
    MODBUS_ANOMALY_INVALID_VALUE,
    MODBUS_ANOMALY_INVALID_EXCEPTION_CODE,
    MODBUS_ANOMALY_UNSOLICITED_RESPONSE,
    MODBUS_ANOMALY_VALUE_MISMATCH,
    MODBUS_ANOMALY_FUNCTION_CODE_MISMATCH,
    MODBUS_ANOMALY_UNANSWERED_REQUEST,
    MODBUS_ANOMALY_FLOODED,
    MODBUS_ANOMALY__COUNT
};

const char *modbus_anomaly_name(enum modbus_anomaly a);

/* A request waiting for its response: what the response is checked against. */
struct modbus_pending {
    uint64_t time_us;
    uint16_t trans_id;
    uint8_t unit_id;
    uint8_t func_code;
    uint16_t start;    /* 0-based wire address of what was asked (read range for FC 23) */
    uint16_t quantity; /* bits or registers asked; 0 when the function has none */
    uint16_t sub_code; /* diagnostic sub-function, MEI type, UMAS function */
    uint16_t write_start;    /* FC 23: the written range */
    uint16_t write_quantity;
    bool response_optional; /* force listen only mode: devices need not answer */
};

/* Outstanding requests per flow; beyond this the oldest is dropped and counted. */
#define MODBUS_PENDING_MAX 32
/* More requests than this in one second of capture time on one flow is a flood. */
#define MODBUS_FLOOD_REQUESTS_PER_SECOND 2000
#define MODBUS_FLOOD_WINDOW_US 1000000u
#define MODBUS_DEFAULT_RESPONSE_TIMEOUT_US 5000000u

struct modbus_transactions {
    struct modbus_pending pending[MODBUS_PENDING_MAX]; /* a ring, oldest first from `head` */
    uint32_t head;
    uint32_t count;
    uint64_t timeout_us;
    uint64_t dropped;          /* requests pushed out of a full table */
    bool table_flooded;        /* inside a "too many outstanding" episode */
    uint64_t window_start_us;  /* request-rate window */
    uint32_t window_requests;
    bool window_flooded;
};

/* Per-direction framing state. */
struct modbus_stream {
    bool resyncing; /* looking for the next plausible MBAP header */
};

/* Which side is the server (modbus_direction.c). Until settled, the core's
 * orientation holds; the last ADU of each side is kept as pairing evidence. */
struct modbus_orientation {
    bool settled;
    bool swapped; /* the connection's opener is the server */
    bool seen[2];
    uint16_t last_trans_id[2];
    uint8_t last_func_code[2];
};

struct modbus_flow {
    struct modbus_stream stream[2]; /* indexed by enum mamori_direction */
    struct modbus_orientation orientation;
    struct modbus_transactions tx;
    uint64_t anomalies[MODBUS_ANOMALY__COUNT];
};

/* One ADU being decoded. The PDU decoders read `body` (the bytes after the
 * function code) and fill `ev` and its detail; they report problems through
 * the modbus_pdu_flag_*() helpers. */
struct modbus_adu {
    uint16_t trans_id;
    uint16_t prot_id;
    uint16_t length;
    uint8_t unit_id;
    uint8_t func_code; /* as on the wire, exception flag included */
    bool is_response;
    bool is_exception;
    cursor body;
    struct mamori_event *ev;
    const struct modbus_pending *request; /* the paired request, for responses */
    struct modbus_pending *record;        /* what a request leaves for its response */
    bool no_response_expected; /* force listen only mode */
    char text[sizeof "255"]; /* scratch for identity text built from a byte (17's server id) */
    /* The first problem of each kind, as a short snake_case reason, or NULL. */
    const char *length_problem;   /* fields missing or left over: the PDU is malformed */
    const char *value_problem;    /* a field outside what the specification allows */
    const char *mismatch_problem; /* the response disagrees with its request */
    const char *function_problem; /* reserved function code */
};

/* modbus_mbap.c */
enum modbus_header_check {
    MBAP_HEADER_SHORT, /* fewer bytes than a header and function code */
    MBAP_HEADER_OK,
    MBAP_HEADER_BAD_PROTOCOL,
    MBAP_HEADER_BAD_LENGTH,
    MBAP_HEADER_BAD_FUNCTION,
};
struct mbap_header {
    uint16_t trans_id, prot_id, length;
    uint8_t unit_id, func_code;
};
/* Reads the header and function code (MBAP_HEADER_LEN + 1 bytes) and checks
 * the protocol id and length; *out is filled unless the result is SHORT. */
enum modbus_header_check modbus_read_header(const uint8_t *data, size_t len, struct mbap_header *out);
enum mamori_probe modbus_header_plausible(const uint8_t *data, size_t len);
size_t modbus_find_header(const uint8_t *data, size_t len);

/* modbus_direction.c: weighs the evidence of one ADU (`body` starts after
 * the function code) while the orientation is not settled. */
void modbus_orient_learn(struct modbus_flow *flow, enum mamori_direction dir, const struct mbap_header *h,
                         const cursor *body);

static inline bool modbus_from_server(const struct modbus_flow *flow, enum mamori_direction dir)
{
    return (dir == MAMORI_DIR_TO_CLIENT) != flow->orientation.swapped;
}

/* Whether this ADU is a response, settling the orientation when it can. The
 * exception flag exists only in responses, whichever side sends it. */
static inline bool modbus_orient(struct modbus_flow *flow, enum mamori_direction dir, const struct mbap_header *h,
                                 const cursor *body)
{
    if (!flow->orientation.settled)
        modbus_orient_learn(flow, dir, h, body);
    return modbus_from_server(flow, dir) || (h->func_code & MODBUS_EXCEPTION_FLAG);
}

/* modbus_names.c */
struct modbus_function_info {
    const char *name; /* snake_case; "user_defined" or "reserved" for the others */
    enum mamori_op op;
};
/* Name and operation class of any function code (without the exception flag). */
const struct modbus_function_info *modbus_function_info(uint8_t func_code);
const char *modbus_function_name(uint8_t func_code);
bool modbus_function_is_public(uint8_t func_code);
bool modbus_function_is_user_defined(uint8_t func_code);
const char *modbus_exception_name(uint8_t code);
const char *modbus_diagnostic_name(uint16_t sub_code);
const char *modbus_device_object_name(uint8_t object_id);
const char *modbus_device_object_identity(uint8_t object_id);
const char *modbus_read_device_id_name(uint8_t code);
const char *modbus_mei_function_name(uint16_t mei);

/* modbus_pdu.c: reporting helpers shared by the PDU decoders. */
void modbus_pdu_flag_length(struct modbus_adu *adu, const char *why);
void modbus_pdu_flag_value(struct modbus_adu *adu, const char *why);
void modbus_pdu_flag_mismatch(struct modbus_adu *adu, const char *why);
/* Read one field from adu->body and, when it was there, write it to the
 * detail (when one is wanted). Inline: they run several times per ADU. */
static inline bool modbus_field_done(struct modbus_adu *adu, const char *key, uint16_t value)
{
    if (!cursor_ok(&adu->body))
        return false;
    if (adu->ev->detail)
        detail_uint(adu->ev->detail, key, value);
    return true;
}

static inline bool modbus_field_u8(struct modbus_adu *adu, const char *key, uint8_t *out)
{
    *out = cursor_u8(&adu->body);
    return modbus_field_done(adu, key, *out);
}

static inline bool modbus_field_be16(struct modbus_adu *adu, const char *key, uint16_t *out)
{
    *out = cursor_be16(&adu->body);
    return modbus_field_done(adu, key, *out);
}

static inline void modbus_pdu_set_range(struct modbus_adu *adu, uint16_t start, uint32_t count)
{
    adu->ev->has_range = true;
    adu->ev->range_start = start;
    adu->ev->range_count = count;
}

void modbus_pdu_registers(struct modbus_adu *adu, cursor *c, uint32_t count, const char *key);
void modbus_pdu_bits(struct modbus_adu *adu, cursor *c, uint32_t byte_cnt, uint32_t bit_cnt);
void modbus_pdu_decode(struct modbus_adu *adu);

/* One decoder per function family; each reads adu->body. */
void modbus_decode_data_access(struct modbus_adu *adu);  /* 1-6, 15, 16, 22, 23, 24 */
void modbus_decode_diagnostics(struct modbus_adu *adu);  /* 7, 8, 11, 12, 17 */
void modbus_decode_file_record(struct modbus_adu *adu);  /* 20, 21 */
void modbus_decode_encapsulated(struct modbus_adu *adu); /* 43: MEI 13 and 14 */
void modbus_decode_umas(struct modbus_adu *adu);         /* 90 */
void modbus_decode_raw(struct modbus_adu *adu);          /* user-defined, reserved */

/* modbus_transactions.c */
void modbus_tx_init(struct modbus_transactions *tx, uint64_t timeout_us);
void modbus_tx_clear(struct modbus_transactions *tx);
void modbus_tx_add(struct modbus_flow *flow, struct mamori_sink *sink, const struct modbus_pending *req);
bool modbus_tx_take(struct modbus_transactions *tx, uint16_t trans_id, struct modbus_pending *out);
void modbus_tx_expire(struct modbus_flow *flow, const struct mamori_parse_ctx *ctx, bool all);

/* modbus_decoder.c: anomaly events, counted per flow. */
void modbus_report_anomaly(struct modbus_flow *flow, struct mamori_sink *sink, enum modbus_anomaly a,
                           const struct modbus_adu *adu, const char *why);
void modbus_report_unanswered(struct modbus_flow *flow, struct mamori_sink *sink,
                              const struct modbus_pending *req);

#endif
