/* ber.h — the one BER (X.690) reader shared by GOOSE, Sampled Values and MMS.
 *
 * Reads one tag-length-value at a time from a cursor: class, constructed bit,
 * tag number (multi-byte forms included), and a definite length checked
 * against what its parent holds. Indefinite lengths are rejected as malformed:
 * IEC 61850 never uses them and they make nesting unbounded. Decoders recurse
 * into tlv.value (a bounded child cursor) and stop at BER_MAX_DEPTH. */
#ifndef MAMORI_BER_H
#define MAMORI_BER_H

#include <stdbool.h>
#include <stdint.h>

#include "../cursor.h"

#define BER_MAX_DEPTH 16

enum ber_class {
    BER_CLASS_UNIVERSAL = 0,
    BER_CLASS_APPLICATION = 1,
    BER_CLASS_CONTEXT = 2,
    BER_CLASS_PRIVATE = 3,
};

enum ber_status {
    BER_OK,
    BER_END,        /* the cursor was empty: no more elements */
    BER_TRUNCATED,  /* tag, length or value runs past the enclosing element */
    BER_INDEFINITE, /* indefinite length form (0x80) */
    BER_BAD_TAG,    /* tag number longer than 28 bits */
    BER_BAD_LENGTH, /* length of more than 4 octets, or the reserved 0xFF */
    BER_TOO_DEEP,   /* constructed elements nested deeper than BER_MAX_DEPTH */
};

struct ber_tlv {
    enum ber_class cls;
    bool constructed;
    uint32_t tag;
    cursor value; /* exactly the value octets */
};

#define BER_TAG_LONG_FORM 0x1f
#define BER_LEN_LONG_FORM 0x80
#define BER_CONSTRUCTED 0x20
#define BER_CLASS_SHIFT 6

/* Every form of element: multi-octet tags, long lengths, errors. */
enum ber_status ber_next_any(cursor *c, struct ber_tlv *tlv);

/* Reads the next element from c. On BER_END c is left as it was; on any other
 * status but BER_OK, c is failed. Inline for the form nearly every element of
 * GOOSE, SV and MMS has (a one-octet tag and a short length that fits), which
 * is the per-frame cost of the Sampled Values path; the rest goes to
 * ber_next_any. */
static inline enum ber_status ber_next(cursor *c, struct ber_tlv *tlv)
{
    uint8_t first, len;
    if (cursor_peek_u8(c, 1, &len) && len < BER_LEN_LONG_FORM && len <= cursor_left(c) - 2) {
        cursor_peek_u8(c, 0, &first);
        if ((first & BER_TAG_LONG_FORM) != BER_TAG_LONG_FORM) {
            cursor_skip(c, 2);
            tlv->cls = (enum ber_class)(first >> BER_CLASS_SHIFT);
            tlv->constructed = (first & BER_CONSTRUCTED) != 0;
            tlv->tag = first & BER_TAG_LONG_FORM;
            tlv->value = cursor_sub(c, len);
            return BER_OK;
        }
    }
    return ber_next_any(c, tlv);
}

/* Like ber_next, but a value that runs past the end of c is cut to what c
 * holds (and *cut set) instead of failing: for frames the capture cut short,
 * so that what was captured can still be shown. A cut element is incomplete:
 * descend into it only if it is constructed, never decode it as a value. */
enum ber_status ber_next_cut(cursor *c, struct ber_tlv *tlv, bool *cut);

/* Checks every element in c, recursing into constructed ones: BER_OK when all
 * of c is well-formed BER. `depth` is how deep c already sits; an element at
 * depth BER_MAX_DEPTH is BER_TOO_DEEP. */
enum ber_status ber_check_tree(cursor c, unsigned depth);

const char *ber_status_name(enum ber_status s);

/* Value decoders; false when the content does not fit the type. */
bool ber_uint(cursor value, uint64_t *out); /* non-negative INTEGER up to 64 bits */
bool ber_int(cursor value, int64_t *out);   /* two's complement INTEGER up to 64 bits */
bool ber_bool(cursor value, bool *out);

/* True when tlv has this class and tag number. */
static inline bool ber_is(const struct ber_tlv *tlv, enum ber_class cls, uint32_t tag)
{
    return tlv->cls == cls && tlv->tag == tag;
}

#endif
