/* session.c — ISO 8327 SPDU header, parameters and user data (session.h). */
#include "session.h"

#include <string.h>

#define SES_LEN_EXTENDED 0xff
#define SES_PI_USER_DATA 193
#define SES_PI_EXTENDED_USER_DATA 194
#define SES_PI_REASON_CODE 50

bool ses_si_known(uint8_t first)
{
    switch (first) {
    case SES_DT:
    case SES_NF:
    case SES_FN:
    case SES_DN:
    case SES_RF:
    case SES_CN:
    case SES_AC:
    case SES_AB:
    case SES_AA:
        return true;
    }
    return false;
}

/* An SPDU or parameter length: one octet, or 0xFF and two more. */
static size_t read_length(cursor *c)
{
    uint8_t len = cursor_u8(c);
    return len == SES_LEN_EXTENDED ? cursor_be16(c) : len;
}

/* Reads one SPDU header; *body gets its parameter field. */
static bool read_spdu(cursor *c, uint8_t *si, cursor *body)
{
    *si = cursor_u8(c);
    size_t len = read_length(c);
    *body = cursor_sub(c, len);
    return cursor_ok(c);
}

/* Finds the user data and reason code among the top-level parameters. */
static bool scan_params(cursor params, struct ses_spdu *out)
{
    while (!cursor_empty(&params)) {
        uint8_t pi = cursor_u8(&params);
        size_t len = read_length(&params);
        cursor value = cursor_sub(&params, len);
        if (!cursor_ok(&params))
            return false;
        if (pi == SES_PI_USER_DATA || pi == SES_PI_EXTENDED_USER_DATA) {
            out->has_user_data = true;
            out->user_data = value;
        } else if (pi == SES_PI_REASON_CODE && len > 0) {
            out->has_reason = true;
            out->reason = cursor_u8(&value);
        }
    }
    return true;
}

enum ses_error ses_parse(cursor tsdu, struct ses_spdu *out)
{
    memset(out, 0, sizeof *out);
    uint8_t si;
    cursor body;
    if (!read_spdu(&tsdu, &si, &body))
        return SES_TRUNCATED;
    if (!ses_si_known(si))
        return SES_UNKNOWN_SPDU;
    out->si = (enum ses_si)si;
    if (si == SES_DT) {
        /* Give Tokens first (category 0), then the Data Transfer SPDU. */
        uint8_t next;
        if (cursor_peek_u8(&tsdu, 0, &next) && next == SES_DT && !read_spdu(&tsdu, &si, &body))
            return SES_TRUNCATED;
        out->params = body;
        out->has_user_data = true;
        out->user_data = cursor_rest(&tsdu);
        return SES_OK;
    }
    out->params = body;
    if (!scan_params(body, out))
        return SES_TRUNCATED;
    return SES_OK;
}

const char *ses_si_name(enum ses_si si)
{
    switch (si) {
    case SES_DT: return "DT";
    case SES_NF: return "NF";
    case SES_FN: return "FN";
    case SES_DN: return "DN";
    case SES_RF: return "RF";
    case SES_CN: return "CN";
    case SES_AC: return "AC";
    case SES_AB: return "AB";
    case SES_AA: return "AA";
    }
    return "unknown";
}

const char *ses_error_name(enum ses_error e)
{
    switch (e) {
    case SES_OK: return "ok";
    case SES_TRUNCATED: return "ses_truncated";
    case SES_UNKNOWN_SPDU: return "ses_unknown_spdu";
    }
    return "ses_unknown_error";
}
