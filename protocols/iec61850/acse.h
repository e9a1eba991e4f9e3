/* acse.h — ISO 8650 ACSE APDUs (AARQ, AARE, RLRQ, RLRE, ABRT) carried in
 * presentation user data, as MMS uses them.
 *
 * Reads the fields an operator wants to see (application context name, the
 * association result, release reason, abort source, whether and how the
 * caller authenticated) and finds the MMS PDU in user-information (an
 * EXTERNAL whose encoding is single-ASN1-type or octet-aligned). AP titles
 * are skipped, and authentication values (passwords) are never copied out. */
#ifndef MAMORI_ACSE_H
#define MAMORI_ACSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cursor.h"

/* [APPLICATION n] tags of the ACSE-apdu CHOICE. */
enum acse_type {
    ACSE_AARQ = 0,
    ACSE_AARE = 1,
    ACSE_RLRQ = 2,
    ACSE_RLRE = 3,
    ACSE_ABRT = 4,
};

enum acse_error {
    ACSE_OK = 0,
    ACSE_MALFORMED,
    ACSE_NOT_ACSE, /* the first octet is not an ACSE APDU tag */
};

struct acse_apdu {
    enum acse_type type;
    cursor context_name;        /* application-context-name, OID contents (may be empty) */
    bool has_result;            /* AARE: result (0 accepted, 1 rejected-permanent, 2 rejected-transient) */
    int64_t result;
    bool has_reason;            /* RLRQ, RLRE: reason */
    int64_t reason;
    bool has_abort_source;      /* ABRT: 0 acse-service-user, 1 acse-service-provider */
    int64_t abort_source;
    cursor mechanism_name;      /* AARQ/AARE: authentication mechanism OID contents (may be empty) */
    bool has_authentication;    /* AARQ: calling-authentication-value present */
    uint32_t authentication_kind; /* its CHOICE tag: 0 password (charstring), 1 bitstring, 2 external, 3 other */
    bool has_user_data;         /* user-information carried a value */
    cursor user_data;           /* its encoded value (the MMS PDU) */
};

/* True when `first` is the identifier octet of an ACSE APDU. */
bool acse_is_apdu(uint8_t first);
enum acse_error acse_parse(cursor apdu, struct acse_apdu *out);
/* Lower-case name: "aarq", "aare", "rlrq", "rlre", "abrt". */
const char *acse_type_name(enum acse_type type);

/* Dotted text of OBJECT IDENTIFIER contents ("1.0.9506.2.3"); returns its
 * length, 0 when the contents are not a valid OID or do not fit. */
size_t acse_oid_text(cursor oid, char *out, size_t cap);

#endif
