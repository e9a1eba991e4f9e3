/* ber.c — BER tag/length/value reader, a nesting checker, and INTEGER/BOOLEAN
 * value decoders. */
#include "ber.h"

#define BER_TAG_MORE 0x80
#define BER_LEN_RESERVED 0xff
#define BER_TAG_MAX_OCTETS 4
#define BER_LEN_MAX_OCTETS 4

static enum ber_status fail(cursor *c, enum ber_status s)
{
    cursor_fail(c);
    return s;
}

/* Reads one element; with `cut` non-NULL a value longer than what c holds is
 * cut to the rest of c (and *cut set) instead of failing. */
static enum ber_status read_tlv(cursor *c, struct ber_tlv *tlv, bool *cut)
{
    if (cursor_empty(c))
        return c->overrun ? BER_TRUNCATED : BER_END;
    uint8_t first = cursor_u8(c);
    tlv->cls = (enum ber_class)(first >> BER_CLASS_SHIFT);
    tlv->constructed = (first & BER_CONSTRUCTED) != 0;
    tlv->tag = first & BER_TAG_LONG_FORM;
    if (tlv->tag == BER_TAG_LONG_FORM) {
        uint32_t tag = 0;
        uint8_t b;
        int n = 0;
        do {
            if (++n > BER_TAG_MAX_OCTETS)
                return fail(c, BER_BAD_TAG);
            b = cursor_u8(c);
            tag = tag << 7 | (b & 0x7f);
        } while ((b & BER_TAG_MORE) && cursor_ok(c));
        tlv->tag = tag;
    }
    if (!cursor_ok(c) || cursor_empty(c))
        return fail(c, BER_TRUNCATED);
    uint8_t len0 = cursor_u8(c);
    size_t len = len0;
    if (len0 == BER_LEN_LONG_FORM)
        return fail(c, BER_INDEFINITE);
    if (len0 == BER_LEN_RESERVED)
        return fail(c, BER_BAD_LENGTH);
    if (len0 & BER_LEN_LONG_FORM) {
        size_t octets = len0 & 0x7f;
        if (octets > BER_LEN_MAX_OCTETS)
            return fail(c, BER_BAD_LENGTH);
        len = (size_t)cursor_be_n(c, octets);
    }
    if (!cursor_ok(c))
        return fail(c, BER_TRUNCATED);
    if (len > cursor_left(c)) {
        if (!cut)
            return fail(c, BER_TRUNCATED);
        *cut = true;
        len = cursor_left(c);
    }
    tlv->value = cursor_sub(c, len);
    return BER_OK;
}

enum ber_status ber_next_any(cursor *c, struct ber_tlv *tlv) { return read_tlv(c, tlv, NULL); }

enum ber_status ber_next_cut(cursor *c, struct ber_tlv *tlv, bool *cut)
{
    *cut = false;
    return read_tlv(c, tlv, cut);
}

enum ber_status ber_check_tree(cursor c, unsigned depth)
{
    struct ber_tlv tlv;
    enum ber_status st;
    while ((st = ber_next(&c, &tlv)) == BER_OK) {
        if (depth >= BER_MAX_DEPTH)
            return BER_TOO_DEEP;
        if (tlv.constructed && (st = ber_check_tree(tlv.value, depth + 1)) != BER_OK)
            return st;
    }
    return st == BER_END ? BER_OK : st;
}

const char *ber_status_name(enum ber_status s)
{
    switch (s) {
    case BER_OK: return "ok";
    case BER_END: return "end";
    case BER_TRUNCATED: return "ber_truncated";
    case BER_INDEFINITE: return "ber_indefinite_length";
    case BER_BAD_TAG: return "ber_bad_tag";
    case BER_BAD_LENGTH: return "ber_bad_length";
    case BER_TOO_DEEP: return "ber_too_deep";
    }
    return "ber_unknown";
}

bool ber_uint(cursor value, uint64_t *out)
{
    size_t n = cursor_left(&value);
    uint8_t first;
    if (n == 0 || !cursor_peek_u8(&value, 0, &first) || (first & 0x80))
        return false;
    if (n == 9 && first == 0) /* a leading zero keeps a 64-bit value positive */
        cursor_skip(&value, 1), n--;
    if (n > 8)
        return false;
    *out = cursor_be_n(&value, n);
    return true;
}

bool ber_int(cursor value, int64_t *out)
{
    size_t n = cursor_left(&value);
    if (n == 0 || n > 8)
        return false;
    uint64_t raw = cursor_be_n(&value, n);
    if (n < 8 && (raw >> (8 * n - 1)) & 1) /* sign-extend */
        raw |= ~(uint64_t)0 << (8 * n);
    *out = (int64_t)raw;
    return true;
}

bool ber_bool(cursor value, bool *out)
{
    if (cursor_left(&value) != 1)
        return false;
    *out = cursor_u8(&value) != 0;
    return true;
}
