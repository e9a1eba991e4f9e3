/* cotp.h — ISO 8073 / X.224 connection-oriented transport (COTP) TPDUs as
 * carried in TPKT on TCP/102, and the reassembly of a TSDU from DT TPDUs.
 *
 * Parses the fixed part of CR, CC, DR, DC, DT, ED, AK, EA, RJ and ER TPDUs and
 * hands back the variable part and the user data as bounded cursors. A DT
 * without the EOT mark is the first piece of a TSDU; cotp_reassembly joins the
 * pieces in a buffer the caller owns, with a hard bound. Nothing here knows
 * what the TSDU carries (ISO session for MMS, S7comm, ...). */
#ifndef MAMORI_COTP_H
#define MAMORI_COTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cursor.h"

/* TPDU codes (high nibble of the code octet). */
enum cotp_type {
    COTP_ED = 0x10, /* expedited data */
    COTP_EA = 0x20, /* expedited data acknowledgement */
    COTP_RJ = 0x50, /* reject */
    COTP_AK = 0x60, /* data acknowledgement */
    COTP_ER = 0x70, /* TPDU error */
    COTP_DR = 0x80, /* disconnect request */
    COTP_DC = 0xC0, /* disconnect confirm */
    COTP_CC = 0xD0, /* connection confirm */
    COTP_CR = 0xE0, /* connection request */
    COTP_DT = 0xF0, /* data */
};

enum cotp_error {
    COTP_OK = 0,
    COTP_BAD_LENGTH_INDICATOR, /* LI runs past the TPKT, or too short for the TPDU type */
    COTP_UNKNOWN_TYPE,
};

struct cotp_tpdu {
    enum cotp_type type;
    uint8_t length_indicator;
    uint16_t dst_ref, src_ref;   /* CR, CC, DR, DC, ER (dst only), DT classes 2-4 (dst only) */
    uint8_t class_option;        /* CR, CC: class in the high nibble */
    uint8_t reason;              /* DR: disconnect reason; ER: reject cause */
    uint8_t tpdu_number;         /* DT: TPDU-NR */
    bool eot;                    /* DT: last TPDU of the TSDU */
    cursor params;               /* the variable part */
    cursor user_data;            /* what follows the header */
};

/* Parses one TPDU that fills all of `tpdu` (the TPKT payload). */
enum cotp_error cotp_parse(cursor tpdu, struct cotp_tpdu *out);

/* Short uppercase name as Wireshark shows it ("CR", "DT", ...), or "unknown". */
const char *cotp_type_name(enum cotp_type type);
const char *cotp_error_name(enum cotp_error e);

/* Joins DT user data into one TSDU. buf/cap are the caller's storage. */
struct cotp_reassembly {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool overflow; /* the TSDU in progress outgrew cap; it is being dropped */
};

enum cotp_tsdu_result {
    COTP_TSDU_COMPLETE, /* *tsdu holds a whole TSDU, valid until the next call */
    COTP_TSDU_PENDING,  /* stored; more DT TPDUs must follow */
    COTP_TSDU_OVERFLOW, /* the TSDU just outgrew the buffer (reported once per TSDU) */
    COTP_TSDU_DROPPED,  /* the EOT of an overflowed TSDU: nothing to process */
};

void cotp_reassembly_init(struct cotp_reassembly *r, uint8_t *buf, size_t cap);
/* Forgets a partial TSDU (after a gap in the stream). */
void cotp_reassembly_reset(struct cotp_reassembly *r);
enum cotp_tsdu_result cotp_reassembly_add(struct cotp_reassembly *r, cursor user_data, bool eot, cursor *tsdu);

#endif
