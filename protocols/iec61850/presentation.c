/* presentation.c — user data of ISO 8823 PPDUs (presentation.h). */
#include "presentation.h"

#include <string.h>

#include "ber.h"

#define PRES_TAG_SEQUENCE 16
#define PRES_TAG_SET 17
#define PRES_TAG_INTEGER 2
#define PRES_TAG_OID 6
#define PRES_APP_FULLY_ENCODED 1        /* [APPLICATION 1] Fully-encoded-data */
#define PRES_CTX_MODE_SELECTOR 0        /* [0] mode-selector */
#define PRES_CTX_MODE_VALUE 0           /* [0] mode-value inside it */
#define PRES_CTX_NORMAL_MODE 2          /* [2] normal-mode-parameters */
#define PRES_PDV_SINGLE_ASN1 0          /* [0] single-ASN1-type */
#define PRES_PDV_OCTET_ALIGNED 1        /* [1] octet-aligned */

/* One PDV-list: SEQUENCE { transfer-syntax-name OPTIONAL,
 * presentation-context-identifier, presentation-data-values }. */
static enum pres_error read_pdv_list(cursor list, struct pres_pdv *out)
{
    struct ber_tlv tlv;
    enum ber_status st;
    bool has_context_id = false;
    while ((st = ber_next(&list, &tlv)) == BER_OK) {
        if (ber_is(&tlv, BER_CLASS_UNIVERSAL, PRES_TAG_INTEGER)) {
            if (!ber_int(tlv.value, &out->context_id))
                return PRES_MALFORMED;
            has_context_id = true;
        } else if (ber_is(&tlv, BER_CLASS_CONTEXT, PRES_PDV_SINGLE_ASN1) ||
                   ber_is(&tlv, BER_CLASS_CONTEXT, PRES_PDV_OCTET_ALIGNED)) {
            out->value = tlv.value;
            return has_context_id ? PRES_OK : PRES_MALFORMED;
        } else if (!ber_is(&tlv, BER_CLASS_UNIVERSAL, PRES_TAG_OID)) {
            return PRES_MALFORMED;
        }
    }
    return st == BER_END ? PRES_NO_USER_DATA : PRES_MALFORMED;
}

enum pres_error pres_next_pdv(struct pres_user_data *data, struct pres_pdv *pdv)
{
    struct ber_tlv tlv;
    enum ber_status st;
    enum pres_error e = PRES_NO_USER_DATA;
    /* A PDV-list without values is skipped. */
    while (e == PRES_NO_USER_DATA && (st = ber_next(&data->pdv_lists, &tlv)) == BER_OK)
        e = ber_is(&tlv, BER_CLASS_UNIVERSAL, PRES_TAG_SEQUENCE) && tlv.constructed ? read_pdv_list(tlv.value, pdv)
                                                                                    : PRES_MALFORMED;
    if (e == PRES_NO_USER_DATA && st != BER_END)
        e = PRES_MALFORMED;
    if (e == PRES_MALFORMED) /* nothing after a broken list is trusted */
        cursor_skip(&data->pdv_lists, cursor_left(&data->pdv_lists));
    return e;
}

/* Fully-encoded-data: SEQUENCE OF PDV-list, read by pres_next_pdv. */
static enum pres_error read_fully_encoded(cursor data, struct pres_user_data *out)
{
    out->pdv_lists = data;
    return cursor_empty(&data) ? PRES_NO_USER_DATA : PRES_OK;
}

/* normal-mode-parameters of CP, CPA, CPR and ARU: find the user data. */
static enum pres_error read_normal_mode(cursor params, struct pres_user_data *out)
{
    struct ber_tlv tlv;
    enum ber_status st;
    while ((st = ber_next(&params, &tlv)) == BER_OK)
        if (ber_is(&tlv, BER_CLASS_APPLICATION, PRES_APP_FULLY_ENCODED) && tlv.constructed)
            return read_fully_encoded(tlv.value, out);
    return st == BER_END ? PRES_NO_USER_DATA : PRES_MALFORMED;
}

static bool read_mode(cursor sel, struct pres_user_data *out)
{
    struct ber_tlv tlv;
    if (ber_next(&sel, &tlv) != BER_OK || !ber_is(&tlv, BER_CLASS_CONTEXT, PRES_CTX_MODE_VALUE))
        return false;
    out->has_mode = ber_int(tlv.value, &out->mode);
    return out->has_mode;
}

/* CP-type and CPA-PPDU: SET { mode-selector [0], ..., normal-mode-parameters [2] }. */
static enum pres_error read_connect(cursor set, struct pres_user_data *out)
{
    struct ber_tlv tlv;
    enum ber_status st;
    enum pres_error result = PRES_NO_USER_DATA;
    while ((st = ber_next(&set, &tlv)) == BER_OK) {
        if (ber_is(&tlv, BER_CLASS_CONTEXT, PRES_CTX_MODE_SELECTOR) && tlv.constructed) {
            if (!read_mode(tlv.value, out))
                return PRES_MALFORMED;
        } else if (ber_is(&tlv, BER_CLASS_CONTEXT, PRES_CTX_NORMAL_MODE) && tlv.constructed) {
            result = read_normal_mode(tlv.value, out);
        }
    }
    return st == BER_END ? result : PRES_MALFORMED;
}

enum pres_error pres_parse(cursor ppdu, struct pres_user_data *out)
{
    memset(out, 0, sizeof *out);
    struct ber_tlv tlv;
    if (ber_next(&ppdu, &tlv) != BER_OK || !tlv.constructed)
        return PRES_MALFORMED;
    if (ber_is(&tlv, BER_CLASS_APPLICATION, PRES_APP_FULLY_ENCODED)) {
        out->type = PRES_DATA;
        return read_fully_encoded(tlv.value, out);
    }
    if (ber_is(&tlv, BER_CLASS_UNIVERSAL, PRES_TAG_SET)) {
        out->type = PRES_CONNECT;
        return read_connect(tlv.value, out);
    }
    if (ber_is(&tlv, BER_CLASS_UNIVERSAL, PRES_TAG_SEQUENCE)) {
        out->type = PRES_CPR;
        return read_normal_mode(tlv.value, out);
    }
    return PRES_UNSUPPORTED;
}

const char *pres_error_name(enum pres_error e)
{
    switch (e) {
    case PRES_OK: return "ok";
    case PRES_MALFORMED: return "pres_malformed";
    case PRES_NO_USER_DATA: return "pres_no_user_data";
    case PRES_UNSUPPORTED: return "pres_unsupported_ppdu";
    }
    return "pres_unknown_error";
}
