/* tpkt.c — RFC 1006 frame boundaries and resynchronisation (tpkt.h). */
#include "tpkt.h"

#include "../cursor.h"

int tpkt_header_plausible(const uint8_t *data, size_t len)
{
    cursor c = cursor_make(data, len < TPKT_HEADER_LEN ? len : TPKT_HEADER_LEN);
    uint8_t b;
    if (!cursor_peek_u8(&c, 0, &b) || b != TPKT_VERSION)
        return 0;
    if (cursor_peek_u8(&c, 1, &b) && b != 0)
        return 0;
    if (cursor_left(&c) < TPKT_HEADER_LEN)
        return 1;
    cursor_skip(&c, 2);
    return cursor_be16(&c) >= TPKT_MIN_LEN;
}

enum tpkt_status tpkt_frame(const uint8_t *data, size_t len, size_t *frame_len)
{
    if (!tpkt_header_plausible(data, len))
        return TPKT_BAD;
    if (len < TPKT_HEADER_LEN)
        return TPKT_NEED_MORE;
    cursor c = cursor_make(data, len);
    cursor_skip(&c, 2);
    size_t n = cursor_be16(&c);
    if (len < n)
        return TPKT_NEED_MORE;
    *frame_len = n;
    return TPKT_FRAME;
}

size_t tpkt_resync(const uint8_t *data, size_t len)
{
    size_t skip = 1;
    while (skip < len && !tpkt_header_plausible(data + skip, len - skip))
        skip++;
    return skip;
}

const char *tpkt_problem(const uint8_t *data, size_t len)
{
    cursor c = cursor_make(data, len);
    uint8_t b;
    if (!cursor_peek_u8(&c, 0, &b) || b != TPKT_VERSION)
        return "tpkt_bad_version";
    if (cursor_peek_u8(&c, 1, &b) && b != 0)
        return "tpkt_bad_reserved";
    return "tpkt_length_below_minimum";
}
