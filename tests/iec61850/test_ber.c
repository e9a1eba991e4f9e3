/* test_ber.c — the shared BER reader: every length form, tag forms and classes,
 * lengths checked against the parent, the nesting depth limit, and the
 * INTEGER/BOOLEAN value decoders, on hand-built byte sequences. */
#include <criterion/criterion.h>
#include <string.h>

#include "protocols/iec61850/ber.h"

static uint8_t big[8 + 70000];

/* Builds tag 0x04, the given length octets, then `len` value bytes. */
static size_t with_value(const uint8_t *len_octets, size_t n_len, size_t len)
{
    big[0] = 0x04;
    memcpy(big + 1, len_octets, n_len);
    for (size_t i = 0; i < len; i++)
        big[1 + n_len + i] = (uint8_t)i;
    return 1 + n_len + len;
}

static enum ber_status next_of(const uint8_t *b, size_t n, struct ber_tlv *tlv, cursor *c)
{
    *c = cursor_make(b, n);
    return ber_next(c, tlv);
}

Test(ber, short_length)
{
    static const uint8_t b[] = { 0x04, 0x03, 'a', 'b', 'c' };
    struct ber_tlv tlv;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_OK);
    cr_assert_eq(tlv.cls, BER_CLASS_UNIVERSAL);
    cr_assert_not(tlv.constructed);
    cr_assert_eq(tlv.tag, 4);
    cr_assert_eq(cursor_left(&tlv.value), 3);
    cr_assert_eq(memcmp(tlv.value.ptr, "abc", 3), 0);
    cr_assert(cursor_empty(&c));
    cr_assert_eq(ber_next(&c, &tlv), BER_END);
    cr_assert(cursor_ok(&c));
}

Test(ber, zero_length)
{
    static const uint8_t b[] = { 0x05, 0x00 };
    struct ber_tlv tlv;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_OK);
    cr_assert_eq(cursor_left(&tlv.value), 0);
    cr_assert(cursor_ok(&tlv.value));
}

Test(ber, long_length_one_to_four_octets)
{
    static const struct {
        uint8_t octets[5];
        size_t n, len;
    } forms[] = {
        { { 0x81, 0x80 }, 2, 128 },
        { { 0x81, 0x05 }, 2, 5 }, /* not minimal, still valid BER */
        { { 0x82, 0x01, 0x00 }, 3, 256 },
        { { 0x82, 0xff, 0xff }, 3, 65535 },
        { { 0x83, 0x01, 0x00, 0x01 }, 4, 65537 },
        { { 0x84, 0x00, 0x00, 0x01, 0x2c }, 5, 300 },
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t total = with_value(forms[i].octets, forms[i].n, forms[i].len);
        struct ber_tlv tlv;
        cursor c;
        cr_assert_eq(next_of(big, total, &tlv, &c), BER_OK, "form %zu", i);
        cr_assert_eq(cursor_left(&tlv.value), forms[i].len, "form %zu", i);
        cr_assert_eq(tlv.value.ptr, big + 1 + forms[i].n);
        cr_assert(cursor_empty(&c));
        /* one byte short of the value is truncated */
        cr_assert_eq(next_of(big, total - 1, &tlv, &c), BER_TRUNCATED, "form %zu", i);
        cr_assert_not(cursor_ok(&c));
    }
}

Test(ber, five_length_octets_rejected)
{
    static const uint8_t b[] = { 0x04, 0x85, 0, 0, 0, 0, 1, 0xaa };
    struct ber_tlv tlv;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_BAD_LENGTH);
    cr_assert_not(cursor_ok(&c));
    cr_assert(cursor_empty(&c));
}

Test(ber, indefinite_length_rejected)
{
    static const uint8_t b[] = { 0x30, 0x80, 0x04, 0x00, 0x00, 0x00 };
    struct ber_tlv tlv;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_INDEFINITE);
    cr_assert_not(cursor_ok(&c));
    cr_assert_str_eq(ber_status_name(BER_INDEFINITE), "ber_indefinite_length");
}

Test(ber, reserved_length_octet_rejected)
{
    static const uint8_t b[] = { 0x04, 0xff, 0x00 };
    struct ber_tlv tlv;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_BAD_LENGTH);
    cr_assert_str_eq(ber_status_name(BER_BAD_LENGTH), "ber_bad_length");
}

Test(ber, long_length_octets_truncated)
{
    static const uint8_t b[] = { 0x04, 0x82, 0x01 };
    struct ber_tlv tlv;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_TRUNCATED);
}

Test(ber, missing_length)
{
    static const uint8_t b[] = { 0x04 };
    struct ber_tlv tlv;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_TRUNCATED);
    cr_assert_eq(ber_next(&c, &tlv), BER_TRUNCATED); /* stays failed */
}

Test(ber, classes_and_constructed_bit)
{
    static const struct {
        uint8_t first;
        enum ber_class cls;
        bool constructed;
        uint32_t tag;
    } cases[] = {
        { 0x61, BER_CLASS_APPLICATION, true, 1 },   /* goosePdu */
        { 0x60, BER_CLASS_APPLICATION, true, 0 },   /* savPdu */
        { 0x80, BER_CLASS_CONTEXT, false, 0 },      /* gocbRef */
        { 0xa2, BER_CLASS_CONTEXT, true, 2 },       /* seqASDU */
        { 0xc3, BER_CLASS_PRIVATE, false, 3 },
        { 0x1e, BER_CLASS_UNIVERSAL, false, 30 },   /* last one-octet tag number */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t b[] = { cases[i].first, 0x00 };
        struct ber_tlv tlv;
        cursor c;
        cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_OK);
        cr_assert_eq(tlv.cls, cases[i].cls, "case %zu", i);
        cr_assert_eq(tlv.constructed, cases[i].constructed, "case %zu", i);
        cr_assert_eq(tlv.tag, cases[i].tag, "case %zu", i);
        cr_assert(ber_is(&tlv, cases[i].cls, cases[i].tag));
        cr_assert_not(ber_is(&tlv, cases[i].cls, cases[i].tag + 1));
    }
}

Test(ber, multi_byte_tags)
{
    static const struct {
        uint8_t bytes[6];
        size_t n;
        uint32_t tag;
    } cases[] = {
        { { 0x9f, 0x1f, 0x00 }, 3, 31 },                   /* first tag needing the long form */
        { { 0xbf, 0x81, 0x00, 0x00 }, 4, 128 },
        { { 0x9f, 0xff, 0x7f, 0x00 }, 4, 16383 },
        { { 0x9f, 0x81, 0x80, 0x80, 0x00, 0x00 }, 6, 1u << 21 },
        { { 0x1f, 0xff, 0xff, 0xff, 0x7f, 0x00 }, 6, (1u << 28) - 1 }, /* four octets: 28 bits */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ber_tlv tlv;
        cursor c;
        cr_assert_eq(next_of(cases[i].bytes, cases[i].n, &tlv, &c), BER_OK, "case %zu", i);
        cr_assert_eq(tlv.tag, cases[i].tag, "case %zu", i);
        cr_assert(cursor_empty(&c));
    }
}

Test(ber, tag_number_over_28_bits_rejected)
{
    static const uint8_t b[] = { 0x1f, 0x81, 0x80, 0x80, 0x80, 0x00, 0x00 };
    struct ber_tlv tlv;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_BAD_TAG);
    cr_assert_not(cursor_ok(&c));
}

Test(ber, multi_byte_tag_truncated)
{
    static const uint8_t b[] = { 0x1f, 0x81 };
    struct ber_tlv tlv;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_TRUNCATED);
    static const uint8_t b2[] = { 0x1f, 0x01 }; /* tag complete, no length */
    cr_assert_eq(next_of(b2, sizeof b2, &tlv, &c), BER_TRUNCATED);
}

Test(ber, value_longer_than_buffer)
{
    static const uint8_t b[] = { 0x04, 0x05, 0x01, 0x02 };
    struct ber_tlv tlv;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &tlv, &c), BER_TRUNCATED);
    cr_assert_not(cursor_ok(&c));
}

Test(ber, child_length_checked_against_parent_not_buffer)
{
    /* The outer SEQUENCE holds 3 octets; its child claims 5. The buffer has
     * enough bytes after the parent, but the child must not reach them. */
    static const uint8_t b[] = { 0x30, 0x03, 0x04, 0x05, 0x00, 0x04, 0x00, 0x00, 0x00 };
    struct ber_tlv outer, inner;
    cursor c;
    cr_assert_eq(next_of(b, sizeof b, &outer, &c), BER_OK);
    cr_assert_eq(cursor_left(&outer.value), 3);
    cursor v = outer.value;
    cr_assert_eq(ber_next(&v, &inner), BER_TRUNCATED);
    cr_assert_not(cursor_ok(&v));
    /* the parent is untouched and goes on with the next element */
    cr_assert_eq(ber_next(&c, &outer), BER_OK);
    cr_assert_eq(outer.tag, 4);
    cr_assert_eq(cursor_left(&c), 2);
}

Test(ber, sequence_of_elements_then_end)
{
    static const uint8_t b[] = { 0x80, 0x01, 0x07, 0x81, 0x02, 0x01, 0x00, 0x82, 0x00 };
    cursor c = cursor_make(b, sizeof b);
    struct ber_tlv tlv;
    uint32_t seen = 0;
    while (ber_next(&c, &tlv) == BER_OK)
        cr_assert_eq(tlv.tag, seen++);
    cr_assert_eq(seen, 3);
    cr_assert(cursor_ok(&c));
}

/* depth constructed SEQUENCEs, each wrapping the next, around one NULL. */
static size_t nested(uint8_t *out, unsigned depth)
{
    size_t n = 2 * depth + 2;
    for (unsigned i = 0; i < depth; i++) {
        out[2 * i] = 0x30;
        out[2 * i + 1] = (uint8_t)(n - 2 * i - 2);
    }
    out[2 * depth] = 0x05;
    out[2 * depth + 1] = 0x00;
    return n;
}

Test(ber, check_tree_depth_limit)
{
    uint8_t b[2 * BER_MAX_DEPTH + 8];
    /* BER_MAX_DEPTH elements deep (depths 0 .. BER_MAX_DEPTH-1) is allowed */
    size_t n = nested(b, BER_MAX_DEPTH - 1);
    cr_assert_eq(ber_check_tree(cursor_make(b, n), 0), BER_OK);
    n = nested(b, BER_MAX_DEPTH);
    cr_assert_eq(ber_check_tree(cursor_make(b, n), 0), BER_TOO_DEEP);
    /* the starting depth counts */
    n = nested(b, BER_MAX_DEPTH - 1);
    cr_assert_eq(ber_check_tree(cursor_make(b, n), 1), BER_TOO_DEEP);
    cr_assert_str_eq(ber_status_name(BER_TOO_DEEP), "ber_too_deep");
}

Test(ber, check_tree_finds_errors_inside)
{
    static const uint8_t ok[] = { 0x30, 0x05, 0xa1, 0x03, 0x80, 0x01, 0x01, 0x04, 0x00 };
    cr_assert_eq(ber_check_tree(cursor_make(ok, sizeof ok), 0), BER_OK);
    static const uint8_t bad_inner[] = { 0x30, 0x05, 0xa1, 0x03, 0x80, 0x02, 0x01, 0x04, 0x00 };
    cr_assert_eq(ber_check_tree(cursor_make(bad_inner, sizeof bad_inner), 0), BER_TRUNCATED);
    static const uint8_t indefinite_inner[] = { 0x30, 0x04, 0xa1, 0x80, 0x00, 0x00 };
    cr_assert_eq(ber_check_tree(cursor_make(indefinite_inner, sizeof indefinite_inner), 0),
                 BER_INDEFINITE);
    static const uint8_t trailing_garbage[] = { 0x04, 0x00, 0x04 };
    cr_assert_eq(ber_check_tree(cursor_make(trailing_garbage, sizeof trailing_garbage), 0),
                 BER_TRUNCATED);
    cr_assert_eq(ber_check_tree(cursor_make(NULL, 0), 0), BER_OK);
}

static cursor val(const void *b, size_t n) { return cursor_make(b, n); }

Test(ber, uint_values)
{
    uint64_t u = 99;
    cr_assert(ber_uint(val("\x00", 1), &u));
    cr_assert_eq(u, 0);
    cr_assert(ber_uint(val("\x7f", 1), &u));
    cr_assert_eq(u, 127);
    cr_assert(ber_uint(val("\x00\xff", 2), &u));
    cr_assert_eq(u, 255);
    cr_assert(ber_uint(val("\x01\xf4", 2), &u));
    cr_assert_eq(u, 500);
    cr_assert(ber_uint(val("\x00\xff\xff\xff\xff\xff\xff\xff\xff", 9), &u));
    cr_assert_eq(u, UINT64_MAX);
    cr_assert(ber_uint(val("\x7f\xff\xff\xff\xff\xff\xff\xff", 8), &u));
    cr_assert_eq(u, (uint64_t)INT64_MAX);
    cr_assert_not(ber_uint(val("\x80", 1), &u));                                 /* negative */
    cr_assert_not(ber_uint(val("\x01\x00\x00\x00\x00\x00\x00\x00\x00", 9), &u)); /* > 64 bits */
    cr_assert_not(ber_uint(val("", 0), &u));
}

Test(ber, int_values)
{
    int64_t i = 0;
    cr_assert(ber_int(val("\xff", 1), &i));
    cr_assert_eq(i, -1);
    cr_assert(ber_int(val("\x80", 1), &i));
    cr_assert_eq(i, -128);
    cr_assert(ber_int(val("\x00\x80", 2), &i));
    cr_assert_eq(i, 128);
    cr_assert(ber_int(val("\xff\x38", 2), &i));
    cr_assert_eq(i, -200);
    cr_assert(ber_int(val("\x9c\x40", 2), &i)); /* 40000 needs a leading zero, so this is negative */
    cr_assert_eq(i, -25536);
    cr_assert(ber_int(val("\x00\x9c\x40", 3), &i));
    cr_assert_eq(i, 40000);
    cr_assert(ber_int(val("\x80\x00\x00\x00\x00\x00\x00\x00", 8), &i));
    cr_assert_eq(i, INT64_MIN);
    cr_assert_not(ber_int(val("\x00\x00\x00\x00\x00\x00\x00\x00\x01", 9), &i));
    cr_assert_not(ber_int(val("", 0), &i));
}

Test(ber, bool_values)
{
    bool b = true;
    cr_assert(ber_bool(val("\x00", 1), &b));
    cr_assert_not(b);
    cr_assert(ber_bool(val("\xff", 1), &b));
    cr_assert(b);
    cr_assert(ber_bool(val("\x01", 1), &b));
    cr_assert(b);
    cr_assert_not(ber_bool(val("\x00\x00", 2), &b));
    cr_assert_not(ber_bool(val("", 0), &b));
}

Test(ber, next_cut_keeps_what_was_captured)
{
    /* a SEQUENCE of 6 octets of which 4 were captured */
    static const uint8_t b[] = { 0x30, 0x06, 0x80, 0x01, 0x07, 0x81 };
    cursor c = cursor_make(b, sizeof b);
    struct ber_tlv tlv;
    bool cut = true;
    cr_assert_eq(ber_next_cut(&c, &tlv, &cut), BER_OK);
    cr_assert(cut);
    cr_assert_eq(cursor_left(&tlv.value), 4);
    cursor inner = tlv.value;
    cr_assert_eq(ber_next_cut(&inner, &tlv, &cut), BER_OK);
    cr_assert_not(cut); /* complete element */
    cr_assert_eq(tlv.tag, 0);
    cr_assert_eq(ber_next_cut(&inner, &tlv, &cut), BER_TRUNCATED); /* no length octet at all */
    /* ber_next refuses the same bytes */
    c = cursor_make(b, sizeof b);
    cr_assert_eq(ber_next(&c, &tlv), BER_TRUNCATED);
    /* other errors are not forgiven */
    static const uint8_t indefinite[] = { 0x30, 0x80 };
    c = cursor_make(indefinite, sizeof indefinite);
    cr_assert_eq(ber_next_cut(&c, &tlv, &cut), BER_INDEFINITE);
}
