/* example_decoder.c — a complete vendor decoder plugin, shipped as the worked
 * example of docs/decoders.md and loaded by the tests.
 *
 * It decodes "ACME telemetry", a small made-up protocol on TCP/UDP port 47000:
 *   magic 0xAC 0x4E | version u8 (1) | opcode u8 | station u16be | length u16be | body
 * Opcodes: 1 read (body: start u16be, count u16be), 2 write (body: start u16be
 * then u16be values), 3 reply (body: u16be values), 4 restart (empty body).
 * It shows what every decoder does: frame PDUs out of a byte stream split at
 * any boundary, resynchronise after garbage, fill a normalized event, write
 * protocol detail, and report malformed input as a counted anomaly. It keeps
 * no per-flow state, so it leaves state_new/state_free NULL. */
#include <stdint.h>

#include "protocols/cursor.h"
#include "protocols/decoder.h"

#define ACME_PORT 47000
#define ACME_MAGIC0 0xAC
#define ACME_MAGIC1 0x4E
#define ACME_VERSION 1
#define ACME_HEADER_LEN 8
#define ACME_MAX_BODY 512

enum acme_opcode {
    ACME_READ = 1,
    ACME_WRITE = 2,
    ACME_REPLY = 3,
    ACME_RESTART = 4,
};

static const char *acme_opcode_name(uint8_t op)
{
    switch (op) {
    case ACME_READ: return "read";
    case ACME_WRITE: return "write";
    case ACME_REPLY: return "reply";
    case ACME_RESTART: return "restart";
    default: return "unknown";
    }
}

static bool acme_header_at(const uint8_t *data, size_t len)
{
    return len >= 3 && data[0] == ACME_MAGIC0 && data[1] == ACME_MAGIC1 && data[2] == ACME_VERSION;
}

static enum mamori_probe acme_probe(const uint8_t *data, size_t len, enum mamori_direction dir)
{
    (void)dir;
    if (len < 3)
        return MAMORI_PROBE_MORE;
    return acme_header_at(data, len) ? MAMORI_PROBE_YES : MAMORI_PROBE_NO;
}

/* Reads the u16 values that fill the rest of a write or reply body; returns
 * how many there were. */
static uint32_t acme_values(struct mamori_event *ev, cursor *body)
{
    uint32_t count = 0;
    detail_array_begin(ev->detail, "values");
    while (cursor_left(body) >= 2) {
        uint16_t v = cursor_be16(body);
        mamori_event_add_value(ev, v);
        detail_uint(ev->detail, NULL, v);
        count++;
    }
    detail_end(ev->detail);
    return count;
}

/* Fills and emits the event of one complete PDU. */
static void acme_emit_pdu(uint8_t opcode, uint16_t station, cursor body, const struct mamori_parse_ctx *ctx)
{
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, "example");
    ev.has_unit = true;
    ev.unit = station;
    ev.has_function = true;
    ev.function_code = opcode;
    ev.function_name = acme_opcode_name(opcode);
    ev.role = opcode == ACME_REPLY ? MAMORI_ROLE_RESPONSE : MAMORI_ROLE_REQUEST;
    detail_uint(ev.detail, "station", station);
    detail_uint(ev.detail, "opcode", opcode);
    switch (opcode) {
    case ACME_READ:
        ev.op = MAMORI_OP_READ;
        ev.has_range = true;
        ev.range_start = cursor_be16(&body);
        ev.range_count = cursor_be16(&body);
        break;
    case ACME_WRITE:
        ev.op = MAMORI_OP_WRITE;
        ev.has_range = true;
        ev.range_start = cursor_be16(&body);
        ev.range_count = acme_values(&ev, &body);
        break;
    case ACME_REPLY:
        ev.op = MAMORI_OP_REPORT;
        acme_values(&ev, &body);
        break;
    case ACME_RESTART:
        ev.op = MAMORI_OP_RESTART;
        break;
    default:
        ev.op = MAMORI_OP_OTHER;
        break;
    }
    if (!cursor_ok(&body) || !cursor_empty(&body)) {
        ev.kind = MAMORI_EVENT_ANOMALY;
        ev.anomaly = "invalid_length";
        ev.op = MAMORI_OP_MALFORMED;
    }
    mamori_emit(ctx->sink, &ev);
}

static size_t acme_parse(void *state, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx)
{
    (void)state;
    cursor in = cursor_make(data, len);
    size_t consumed = 0;
    bool skipped_garbage = false;
    while (cursor_left(&in) >= ACME_HEADER_LEN) {
        if (!acme_header_at(in.ptr, cursor_left(&in))) {
            cursor_skip(&in, 1); /* resynchronise on the next magic */
            consumed++;
            skipped_garbage = true;
            continue;
        }
        cursor pdu = in;
        cursor_skip(&pdu, 3);
        uint8_t opcode = cursor_u8(&pdu);
        uint16_t station = cursor_be16(&pdu);
        uint16_t body_len = cursor_be16(&pdu);
        if (body_len > ACME_MAX_BODY) {
            mamori_emit_anomaly(ctx->sink, "example", "invalid_length");
            cursor_skip(&in, 1);
            consumed++;
            continue;
        }
        if (cursor_left(&pdu) < body_len)
            break; /* wait for the rest of this PDU */
        acme_emit_pdu(opcode, station, cursor_sub(&pdu, body_len), ctx);
        size_t pdu_len = ACME_HEADER_LEN + (size_t)body_len;
        cursor_skip(&in, pdu_len);
        consumed += pdu_len;
    }
    if (skipped_garbage)
        mamori_emit_anomaly(ctx->sink, "example", "garbage_skipped");
    return consumed;
}

static const struct mamori_decoder acme_decoder = {
    .abi = MAMORI_DECODER_ABI,
    .name = "example",
    .description = "ACME telemetry (example vendor plugin, TCP/UDP 47000)",
    .transports = MAMORI_TRANSPORT_TCP | MAMORI_TRANSPORT_UDP,
    .tcp_ports = { ACME_PORT },
    .udp_ports = { ACME_PORT },
    .max_pdu = ACME_HEADER_LEN + ACME_MAX_BODY,
    .probe = acme_probe,
    .parse = acme_parse,
};

const struct mamori_decoder *mamori_decoder_entry(void);
const struct mamori_decoder *mamori_decoder_entry(void) { return &acme_decoder; }
