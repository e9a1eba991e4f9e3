/* enip_encap.c — the encapsulation header: reading, validation, detail, and
 * resynchronisation. In sync, a header is accepted when its command exists
 * and its length is within ENIP_LENGTH_MAX; the length then frames the
 * message. Out of sync (after garbage or a gap) a stricter test picks the
 * next header: a known command and status, options 0, and a length that
 * command can have. This file decides where messages start; it decodes no
 * command-specific data. */
#include "enip_private.h"

/* RegisterSession data: protocol version (2) and option flags (2). */
#define REGISTER_SESSION_LENGTH 4
/* SendRRData/SendUnitData data: interface handle (4), timeout (2), item count (2). */
#define SEND_DATA_LENGTH_MIN 8

bool enip_read_header(const uint8_t *data, size_t len, struct enip_header *out)
{
    cursor c = cursor_make(data, len);
    out->command = cursor_le16(&c);
    out->length = cursor_le16(&c);
    out->session = cursor_le32(&c);
    out->status = cursor_le32(&c);
    cursor_copy(&c, out->context, ENIP_CONTEXT_LEN);
    out->options = cursor_le32(&c);
    return cursor_ok(&c);
}

bool enip_header_valid(const struct enip_header *h)
{
    return enip_command_name(h->command) != NULL && h->length <= ENIP_LENGTH_MAX;
}

static bool length_plausible(const struct enip_header *h)
{
    switch (h->command) {
    case ENIP_REGISTER_SESSION: return h->length == REGISTER_SESSION_LENGTH;
    case ENIP_UNREGISTER_SESSION: return h->length == 0;
    case ENIP_SEND_RR_DATA:
    case ENIP_SEND_UNIT_DATA: return h->length >= SEND_DATA_LENGTH_MIN;
    default: return true;
    }
}

/* MAMORI_PROBE_YES when data starts with a plausible header, MORE when too
 * few bytes are there to tell. */
enum mamori_probe enip_header_plausible(const uint8_t *data, size_t len)
{
    struct enip_header h;
    if (!enip_read_header(data, len, &h))
        return MAMORI_PROBE_MORE;
    bool plausible = enip_header_valid(&h) && enip_status_name(h.status) && h.options == 0 &&
                     length_plausible(&h);
    return plausible ? MAMORI_PROBE_YES : MAMORI_PROBE_NO;
}

/* Offset of the first plausible header in data, or of the first candidate
 * that needs more bytes to judge; len when there is neither. */
size_t enip_find_header(const uint8_t *data, size_t len)
{
    for (size_t at = 0; at < len; at++) {
        uint8_t command_high;
        cursor c = cursor_make(data + at, len - at);
        if (cursor_peek_u8(&c, 1, &command_high) && command_high != 0)
            continue; /* every command is below 0x100: a cheap pre-test */
        if (enip_header_plausible(data + at, len - at) != MAMORI_PROBE_NO)
            return at;
    }
    return len;
}

void enip_header_detail(struct mamori_detail *d, const struct enip_header *h)
{
    detail_uint(d, "command", h->command);
    detail_uint(d, "length", h->length);
    detail_uint(d, "session", h->session);
    detail_uint(d, "status", h->status);
    detail_bytes(d, "context", h->context, ENIP_CONTEXT_LEN);
    detail_uint(d, "options", h->options);
}
