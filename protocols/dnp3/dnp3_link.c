/* dnp3_link.c — DNP3 link frames: find, check CRCs, extract user data. */
#include "dnp3_link.h"

#include "../cursor.h"

size_t dnp3_link_skip_to_start(const uint8_t *data, size_t len)
{
    cursor c = cursor_make(data, len);
    size_t skipped = 0;
    uint8_t byte, next;
    while (cursor_peek_u8(&c, skipped, &byte)) {
        if (byte == DNP3_START_FIRST) {
            if (!cursor_peek_u8(&c, skipped + 1, &next) || next == DNP3_START_SECOND)
                return skipped;
        }
        skipped++;
    }
    return skipped;
}

static size_t frame_wire_len(uint8_t link_len)
{
    size_t user = (size_t)link_len - DNP3_LINK_LEN_HEADER_PART;
    size_t blocks = (user + DNP3_LINK_BLOCK_LEN - 1) / DNP3_LINK_BLOCK_LEN;
    return DNP3_LINK_HEADER_LEN + user + blocks * DNP3_LINK_CRC_LEN;
}

enum dnp3_link_status dnp3_link_read(const uint8_t *data, size_t len, struct dnp3_link_frame *f)
{
    cursor c = cursor_make(data, len);
    if (cursor_left(&c) < DNP3_LINK_HEADER_LEN)
        return DNP3_LINK_NEED_MORE;

    cursor header = cursor_sub(&c, DNP3_LINK_HEADER_LEN - DNP3_LINK_CRC_LEN);
    const uint8_t *covered = header.ptr;
    cursor_skip(&header, 2); /* start bytes, checked by the caller */
    f->len = cursor_u8(&header);
    f->ctl = cursor_u8(&header);
    f->dst = cursor_le16(&header);
    f->src = cursor_le16(&header);
    f->bad_block = -1;
    f->user_len = 0;

    uint16_t header_crc = cursor_le16(&c);
    if (dnp3_crc(covered, DNP3_LINK_HEADER_LEN - DNP3_LINK_CRC_LEN) != header_crc) {
        f->wire_len = 2;
        return DNP3_LINK_BAD_HEADER_CRC;
    }
    if (f->len < DNP3_LINK_LEN_MIN) {
        f->wire_len = DNP3_LINK_HEADER_LEN;
        return DNP3_LINK_LEN_TOO_SMALL;
    }
    f->wire_len = frame_wire_len(f->len);
    if (len < f->wire_len)
        return DNP3_LINK_NEED_MORE;

    /* The whole frame is present, so every block and its CRC are. */
    f->user_len = (size_t)f->len - DNP3_LINK_LEN_HEADER_PART;
    f->bad_block = dnp3_crc_copy_blocks(&c, f->user_len, f->user);
    return f->bad_block >= 0 ? DNP3_LINK_BAD_BLOCK_CRC : DNP3_LINK_OK;
}

bool dnp3_link_has_user_data(const struct dnp3_link_frame *f)
{
    uint8_t func = f->ctl & DNP3_CTL_FUNC;
    return f->user_len > 0 && func != DNP3_LINK_FUNC_RESET_OR_ACK && func != DNP3_LINK_FUNC_REQUEST_STATUS &&
           func != DNP3_LINK_FUNC_STATUS;
}

const char *dnp3_link_function_name(uint8_t ctl)
{
    if (ctl & DNP3_CTL_PRM) {
        switch (ctl & DNP3_CTL_FUNC) {
        case 0x0: return "reset_link_states";
        case 0x1: return "reset_user_process";
        case 0x2: return "test_link_states";
        case 0x3: return "confirmed_user_data";
        case 0x4: return "unconfirmed_user_data";
        case 0x9: return "request_link_status";
        default: return "reserved";
        }
    }
    switch (ctl & DNP3_CTL_FUNC) {
    case 0x0: return "ack";
    case 0x1: return "nack";
    case 0xB: return "link_status";
    case 0xE: return "link_not_functioning";
    case 0xF: return "link_not_implemented";
    default: return "reserved";
    }
}
