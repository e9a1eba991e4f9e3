/* modbus_direction.c — which side of a connection is the Modbus server,
 * decided from the traffic, because the core calls the side that opened the
 * connection the client and some devices open connections from port 502.
 * Evidence, until the first piece of it settles the question: the shape of an
 * ADU that only a request or only a response can have (the lengths of reads,
 * multiple writes, bare requests, device identification; a UMAS status; the
 * exception flag; a malformed ADU that fits neither tells nothing), or a
 * transaction answered (the same transaction id and function from the other
 * side: whoever spoke first asked). Before that the core's orientation holds. */
#include "modbus_private.h"

/* MBAP lengths (unit id + PDU) of fixed-size requests. */
#define READ_REQUEST_LENGTH 6  /* 1-4: function, address, quantity */
#define BARE_REQUEST_LENGTH 2  /* 7, 11, 12, 17: the function alone */
#define FIFO_REQUEST_LENGTH 4  /* 24: function, FIFO address */
#define DEVICE_ID_REQUEST_LENGTH 5 /* 43/14: function, MEI, code, object id */
#define WRITE_ECHO_LENGTH 6    /* 15, 16 responses: function, address, quantity */
#define EXCEPTION_STATUS_RESPONSE_LENGTH 3 /* 7: function, status */
#define EVENT_COUNTER_RESPONSE_LENGTH 6    /* 11: function, status, count */
#define FIFO_RESPONSE_LENGTH_MIN 6         /* 24: function, byte count, FIFO count */
#define DEVICE_ID_RESPONSE_LENGTH_MIN 8    /* 43/14: function, MEI, code, conformity, more, next, count */
/* Length of a response = this + the byte count that follows the function. */
#define COUNTED_RESPONSE_HEAD 3
/* 15, 16 requests: length = this + byte count (at PDU offset 5 of the body's 4). */
#define WRITE_REQUEST_HEAD 7
#define WRITE_BYTE_CNT_AT 4
/* 23 requests: length = this + byte count (after two ranges). */
#define READ_WRITE_REQUEST_HEAD 11
#define READ_WRITE_BYTE_CNT_AT 8

enum shape { SHAPE_UNKNOWN, SHAPE_REQUEST, SHAPE_RESPONSE };

static enum shape either(bool request, bool response)
{
    if (request == response)
        return SHAPE_UNKNOWN;
    return request ? SHAPE_REQUEST : SHAPE_RESPONSE;
}

/* True when byte `at` of the body exists and length == head + its value. */
static bool counted(const cursor *body, size_t at, uint16_t length, unsigned head)
{
    uint8_t count;
    return cursor_peek_u8(body, at, &count) && length == head + count;
}

/* What this ADU can only be, from its length and a byte or two. */
static enum shape shape_of(const struct mbap_header *h, const cursor *body)
{
    uint8_t b;
    if (h->func_code & MODBUS_EXCEPTION_FLAG)
        return SHAPE_RESPONSE;
    switch (h->func_code) {
    case MODBUS_FC_READ_COILS:
    case MODBUS_FC_READ_DISCRETE_INPUTS:
    case MODBUS_FC_READ_HOLDING_REGISTERS:
    case MODBUS_FC_READ_INPUT_REGISTERS:
        return either(h->length == READ_REQUEST_LENGTH, counted(body, 0, h->length, COUNTED_RESPONSE_HEAD));
    case MODBUS_FC_READ_EXCEPTION_STATUS:
        return either(h->length == BARE_REQUEST_LENGTH, h->length == EXCEPTION_STATUS_RESPONSE_LENGTH);
    case MODBUS_FC_GET_COMM_EVENT_COUNTER:
        return either(h->length == BARE_REQUEST_LENGTH, h->length == EVENT_COUNTER_RESPONSE_LENGTH);
    case MODBUS_FC_GET_COMM_EVENT_LOG:
    case MODBUS_FC_REPORT_SERVER_ID:
        return either(h->length == BARE_REQUEST_LENGTH, counted(body, 0, h->length, COUNTED_RESPONSE_HEAD));
    case MODBUS_FC_WRITE_MULTIPLE_COILS:
    case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
        return either(counted(body, WRITE_BYTE_CNT_AT, h->length, WRITE_REQUEST_HEAD),
                      h->length == WRITE_ECHO_LENGTH);
    case MODBUS_FC_READ_WRITE_MULTIPLE_REGISTERS:
        return either(counted(body, READ_WRITE_BYTE_CNT_AT, h->length, READ_WRITE_REQUEST_HEAD),
                      counted(body, 0, h->length, COUNTED_RESPONSE_HEAD));
    case MODBUS_FC_READ_FIFO_QUEUE:
        return either(h->length == FIFO_REQUEST_LENGTH, h->length >= FIFO_RESPONSE_LENGTH_MIN);
    case MODBUS_FC_ENCAPSULATED_INTERFACE:
        if (!cursor_peek_u8(body, 0, &b) || b != MODBUS_MEI_READ_DEVICE_ID)
            return SHAPE_UNKNOWN;
        return either(h->length == DEVICE_ID_REQUEST_LENGTH, h->length >= DEVICE_ID_RESPONSE_LENGTH_MIN);
    case MODBUS_FC_UMAS:
        if (!cursor_peek_u8(body, 1, &b)) /* after the pairing key */
            return SHAPE_UNKNOWN;
        return b == UMAS_STATUS_OK || b == UMAS_STATUS_ERROR ? SHAPE_RESPONSE : SHAPE_REQUEST;
    default: /* echoes (5, 6, 8, 21, 22), 20, user-defined: either way round */
        return SHAPE_UNKNOWN;
    }
}

/* `client` (a direction index) is the side that asks. Requests recorded
 * under the other belief were responses: forget them without reporting. */
static void settle(struct modbus_flow *flow, unsigned client)
{
    struct modbus_orientation *o = &flow->orientation;
    bool swapped = client == MAMORI_DIR_TO_CLIENT;
    if (swapped != o->swapped)
        modbus_tx_clear(&flow->tx);
    o->swapped = swapped;
    o->settled = true;
}

void modbus_orient_learn(struct modbus_flow *flow, enum mamori_direction dir, const struct mbap_header *h,
                         const cursor *body)
{
    struct modbus_orientation *o = &flow->orientation;
    unsigned side = dir == MAMORI_DIR_TO_CLIENT, other = !side;
    enum shape s = shape_of(h, body);
    if (s != SHAPE_UNKNOWN)
        settle(flow, s == SHAPE_REQUEST ? side : other);
    else if (o->seen[other] && o->last_trans_id[other] == h->trans_id && o->last_func_code[other] == h->func_code)
        settle(flow, other);
    else {
        o->seen[side] = true;
        o->last_trans_id[side] = h->trans_id;
        o->last_func_code[side] = h->func_code;
    }
}
