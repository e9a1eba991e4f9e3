/* acse.c — ACSE APDU fields and the user-information EXTERNAL (acse.h). */
#include "acse.h"

#include <stdio.h>
#include <string.h>

#include "ber.h"

#define ACSE_FIRST_OCTET_AARQ 0x60 /* [APPLICATION 0] constructed */
#define ACSE_FIRST_OCTET_ABRT 0x64 /* [APPLICATION 4] constructed */
#define ACSE_TAG_CONTEXT_NAME 1
#define ACSE_TAG_AARE_RESULT 2
#define ACSE_TAG_REASON 0       /* RLRQ, RLRE reason; ABRT abort-source */
#define ACSE_TAG_MECHANISM_NAME 11   /* [11] IMPLICIT OBJECT IDENTIFIER */
#define ACSE_TAG_AUTHENTICATION 12   /* [12] calling-authentication-value (AARQ) */
#define ACSE_TAG_USER_INFO 30
#define ACSE_TAG_EXTERNAL 8     /* UNIVERSAL 8 */
#define ACSE_TAG_OID 6
#define ACSE_TAG_INTEGER 2
#define ACSE_ENCODING_SINGLE_ASN1 0
#define ACSE_ENCODING_OCTET_ALIGNED 1

bool acse_is_apdu(uint8_t first)
{
    return first >= ACSE_FIRST_OCTET_AARQ && first <= ACSE_FIRST_OCTET_ABRT;
}

/* An explicitly tagged single element: returns its inner TLV. */
static bool inner(cursor value, struct ber_tlv *tlv)
{
    return ber_next(&value, tlv) == BER_OK;
}

/* user-information: Association-information ::= SEQUENCE OF EXTERNAL. The
 * first EXTERNAL with an encoded value is taken. */
static bool read_user_info(cursor info, struct acse_apdu *out)
{
    struct ber_tlv ext;
    enum ber_status st;
    while ((st = ber_next(&info, &ext)) == BER_OK) {
        if (!ber_is(&ext, BER_CLASS_UNIVERSAL, ACSE_TAG_EXTERNAL))
            return false;
        struct ber_tlv field;
        while ((st = ber_next(&ext.value, &field)) == BER_OK) {
            if (ber_is(&field, BER_CLASS_CONTEXT, ACSE_ENCODING_SINGLE_ASN1) ||
                ber_is(&field, BER_CLASS_CONTEXT, ACSE_ENCODING_OCTET_ALIGNED)) {
                out->has_user_data = true;
                out->user_data = field.value;
                return true;
            }
            if (!ber_is(&field, BER_CLASS_UNIVERSAL, ACSE_TAG_OID) &&
                !ber_is(&field, BER_CLASS_UNIVERSAL, ACSE_TAG_INTEGER))
                return false;
        }
        if (st != BER_END)
            return false;
    }
    return st == BER_END;
}

static bool read_field(const struct ber_tlv *tlv, struct acse_apdu *out)
{
    struct ber_tlv in;
    if (tlv->cls != BER_CLASS_CONTEXT)
        return true;
    if (tlv->tag == ACSE_TAG_USER_INFO)
        return read_user_info(tlv->value, out);
    switch (out->type) {
    case ACSE_AARQ:
    case ACSE_AARE:
        if (tlv->tag == ACSE_TAG_MECHANISM_NAME) {
            out->mechanism_name = tlv->value;
        } else if (out->type == ACSE_AARQ && tlv->tag == ACSE_TAG_AUTHENTICATION) {
            if (!inner(tlv->value, &in) || in.cls != BER_CLASS_CONTEXT)
                return false;
            out->has_authentication = true;
            out->authentication_kind = in.tag;
        } else if (tlv->tag == ACSE_TAG_CONTEXT_NAME) {
            if (!inner(tlv->value, &in) || !ber_is(&in, BER_CLASS_UNIVERSAL, ACSE_TAG_OID))
                return false;
            out->context_name = in.value;
        } else if (out->type == ACSE_AARE && tlv->tag == ACSE_TAG_AARE_RESULT) {
            if (!inner(tlv->value, &in) || !ber_int(in.value, &out->result))
                return false;
            out->has_result = true;
        }
        return true;
    case ACSE_RLRQ:
    case ACSE_RLRE:
        if (tlv->tag == ACSE_TAG_REASON) {
            if (!ber_int(tlv->value, &out->reason))
                return false;
            out->has_reason = true;
        }
        return true;
    case ACSE_ABRT:
        if (tlv->tag == ACSE_TAG_REASON) {
            if (!ber_int(tlv->value, &out->abort_source))
                return false;
            out->has_abort_source = true;
        }
        return true;
    }
    return true;
}

enum acse_error acse_parse(cursor apdu, struct acse_apdu *out)
{
    memset(out, 0, sizeof *out);
    uint8_t first;
    if (!cursor_peek_u8(&apdu, 0, &first) || !acse_is_apdu(first))
        return ACSE_NOT_ACSE;
    struct ber_tlv tlv;
    if (ber_next(&apdu, &tlv) != BER_OK)
        return ACSE_MALFORMED;
    out->type = (enum acse_type)tlv.tag;
    struct ber_tlv field;
    enum ber_status st;
    while ((st = ber_next(&tlv.value, &field)) == BER_OK)
        if (!read_field(&field, out))
            return ACSE_MALFORMED;
    if (st != BER_END)
        return ACSE_MALFORMED;
    if (out->type == ACSE_AARE && !out->has_result)
        return ACSE_MALFORMED;
    return ACSE_OK;
}

const char *acse_type_name(enum acse_type type)
{
    switch (type) {
    case ACSE_AARQ: return "aarq";
    case ACSE_AARE: return "aare";
    case ACSE_RLRQ: return "rlrq";
    case ACSE_RLRE: return "rlre";
    case ACSE_ABRT: return "abrt";
    }
    return "unknown";
}

#define OID_ARC_MORE 0x80
#define OID_FIRST_ARC_SPLIT 40
#define OID_FIRST_ARC_MAX 2
#define OID_ARC_MAX_BITS 57 /* arcs beyond 64 bits are refused */

size_t acse_oid_text(cursor oid, char *out, size_t cap)
{
    size_t at = 0;
    bool first = true;
    if (cap == 0 || cursor_empty(&oid))
        return 0;
    while (!cursor_empty(&oid)) {
        uint64_t arc = 0;
        uint8_t b;
        do {
            if (arc >> OID_ARC_MAX_BITS)
                return 0;
            b = cursor_u8(&oid);
            arc = arc << 7 | (b & 0x7f);
        } while ((b & OID_ARC_MORE) && !cursor_empty(&oid));
        if (b & OID_ARC_MORE)
            return 0; /* the last arc is unfinished */
        int n;
        if (first) {
            uint64_t top = arc / OID_FIRST_ARC_SPLIT;
            if (top > OID_FIRST_ARC_MAX)
                top = OID_FIRST_ARC_MAX;
            n = snprintf(out + at, cap - at, "%llu.%llu", (unsigned long long)top,
                         (unsigned long long)(arc - top * OID_FIRST_ARC_SPLIT));
            first = false;
        } else {
            n = snprintf(out + at, cap - at, ".%llu", (unsigned long long)arc);
        }
        if (n < 0 || (size_t)n >= cap - at)
            return 0;
        at += (size_t)n;
    }
    return at;
}
