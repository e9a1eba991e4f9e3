/* session.h — ISO 8327 session SPDUs as MMS uses them (kernel, full duplex).
 *
 * Reads the SPDU at the start of a TSDU: its SI code, its parameter field and
 * the user data it carries. The user data of CN, AC, RF, FN, DN and AB travels
 * in the User Data (193) or Extended User Data (194) parameter; a data TSDU is
 * a Give Tokens SPDU followed by a Data Transfer SPDU whose user information
 * follows its header. Tokens, versions and the other parameters are skipped. */
#ifndef MAMORI_SESSION_H
#define MAMORI_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "../cursor.h"

/* SPDU identifiers (SI). GT and DT share code 1. */
enum ses_si {
    SES_DT = 1,   /* data transfer (also give tokens) */
    SES_NF = 8,   /* not finished */
    SES_FN = 9,   /* finish */
    SES_DN = 10,  /* disconnect */
    SES_RF = 12,  /* refuse */
    SES_CN = 13,  /* connect */
    SES_AC = 14,  /* accept */
    SES_AB = 25,  /* abort */
    SES_AA = 26,  /* abort accept */
};

enum ses_error {
    SES_OK = 0,
    SES_TRUNCATED,     /* a length runs past the TSDU */
    SES_UNKNOWN_SPDU,  /* an SI this decoder does not know */
};

struct ses_spdu {
    enum ses_si si;
    cursor params;
    bool has_user_data;
    cursor user_data;
    bool has_reason;   /* RF: reason code parameter (50) */
    uint8_t reason;
};

/* True when `first` is an SI this decoder knows (for telling session from
 * other TSDU users). */
bool ses_si_known(uint8_t first);
enum ses_error ses_parse(cursor tsdu, struct ses_spdu *out);
/* Upper-case abbreviation ("CN", "DT", ...). */
const char *ses_si_name(enum ses_si si);
const char *ses_error_name(enum ses_error e);

#endif
