/* presentation.h — ISO 8823 presentation PPDUs, as far as MMS needs them.
 *
 * Finds the user data in a CP-type (connect), CPA-PPDU (accept), CPR-PPDU
 * (refuse), ARU-PPDU (abort) and in fully-encoded data (the PPDU of every data
 * transfer), and hands out its presentation data values one PDV-list at a
 * time: the presentation context identifier and the encoded value (ACSE or
 * MMS). Context definitions are not tracked: ACSE APDUs and MMS PDUs have
 * disjoint tags, so the caller tells them apart by their first octet, which
 * also works for connections first seen after their set-up. Simply-encoded
 * data is not used by MMS and is not decoded. */
#ifndef MAMORI_PRESENTATION_H
#define MAMORI_PRESENTATION_H

#include <stdbool.h>
#include <stdint.h>

#include "../cursor.h"

enum pres_ppdu_type {
    PRES_CONNECT, /* CP-type or CPA-PPDU: both a SET; the session SPDU tells which */
    PRES_CPR,     /* connect refuse or abort (a SEQUENCE) */
    PRES_DATA,  /* fully-encoded user data of a data transfer */
};

enum pres_error {
    PRES_OK = 0,
    PRES_MALFORMED,     /* BER broken or required parts missing */
    PRES_NO_USER_DATA,  /* well-formed, but carries no presentation data value */
    PRES_UNSUPPORTED,   /* not a PPDU form this decoder reads */
};

struct pres_user_data {
    enum pres_ppdu_type type;
    bool has_mode;
    int64_t mode;       /* CP/CPA mode-selector: 1 normal */
    cursor pdv_lists;   /* the PDV-lists not yet handed out by pres_next_pdv */
};

/* One presentation data value of a PDV-list. */
struct pres_pdv {
    int64_t context_id; /* presentation-context-identifier */
    cursor value;       /* the single-ASN1-type or octet-aligned value */
};

/* `ppdu` is the session user data. PRES_OK when the PPDU carries
 * fully-encoded user data (its PDV-lists are read with pres_next_pdv). */
enum pres_error pres_parse(cursor ppdu, struct pres_user_data *out);
/* The next PDV-list's value: PRES_OK, PRES_NO_USER_DATA after the last one,
 * PRES_MALFORMED (and no more) when a list is broken. */
enum pres_error pres_next_pdv(struct pres_user_data *data, struct pres_pdv *pdv);
const char *pres_error_name(enum pres_error e);

#endif
