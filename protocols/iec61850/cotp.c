/* cotp.c — COTP TPDU fixed parts and bounded TSDU reassembly (cotp.h). */
#include "cotp.h"

#include <string.h>

#define COTP_LI_RESERVED 0xff
#define COTP_EOT_BIT 0x80
#define COTP_NR_MASK 0x7f
/* Fixed-part sizes counted by the length indicator (code octet included). */
#define COTP_FIXED_CONNECT 6 /* code, dst-ref, src-ref, class / reason */
#define COTP_FIXED_DC 5      /* code, dst-ref, src-ref */
#define COTP_FIXED_DT_CLASS0 2
#define COTP_FIXED_DT_NORMAL 4 /* code, dst-ref, nr */
#define COTP_FIXED_ER 4        /* code, dst-ref, cause */
#define COTP_FIXED_REF_ONLY 3  /* code, dst-ref (ED, AK, EA, RJ) */

static enum cotp_type type_of(uint8_t code)
{
    return (enum cotp_type)(code & 0xf0);
}

static size_t fixed_part(enum cotp_type type)
{
    switch (type) {
    case COTP_CR:
    case COTP_CC:
    case COTP_DR: return COTP_FIXED_CONNECT;
    case COTP_DC: return COTP_FIXED_DC;
    case COTP_DT: return COTP_FIXED_DT_CLASS0;
    case COTP_ER: return COTP_FIXED_ER;
    case COTP_ED:
    case COTP_EA:
    case COTP_AK:
    case COTP_RJ: return COTP_FIXED_REF_ONLY;
    }
    return 0;
}

enum cotp_error cotp_parse(cursor tpdu, struct cotp_tpdu *out)
{
    memset(out, 0, sizeof *out);
    uint8_t li = cursor_u8(&tpdu);
    if (!cursor_ok(&tpdu) || li == COTP_LI_RESERVED || li == 0 || li > cursor_left(&tpdu))
        return COTP_BAD_LENGTH_INDICATOR;
    cursor header = cursor_sub(&tpdu, li);
    out->length_indicator = li;
    out->user_data = cursor_rest(&tpdu);
    uint8_t code = cursor_u8(&header);
    out->type = type_of(code);
    size_t fixed = fixed_part(out->type);
    if (fixed == 0)
        return COTP_UNKNOWN_TYPE;
    if (li < fixed)
        return COTP_BAD_LENGTH_INDICATOR;
    switch (out->type) {
    case COTP_CR:
    case COTP_CC:
    case COTP_DR:
        out->dst_ref = cursor_be16(&header);
        out->src_ref = cursor_be16(&header);
        if (out->type == COTP_DR)
            out->reason = cursor_u8(&header);
        else
            out->class_option = cursor_u8(&header);
        break;
    case COTP_DC:
        out->dst_ref = cursor_be16(&header);
        out->src_ref = cursor_be16(&header);
        break;
    case COTP_DT: {
        if (li >= COTP_FIXED_DT_NORMAL)
            out->dst_ref = cursor_be16(&header);
        uint8_t nr = cursor_u8(&header);
        out->tpdu_number = nr & COTP_NR_MASK;
        out->eot = (nr & COTP_EOT_BIT) != 0;
        break;
    }
    case COTP_ER:
        out->dst_ref = cursor_be16(&header);
        out->reason = cursor_u8(&header);
        break;
    default:
        out->dst_ref = cursor_be16(&header);
        break;
    }
    out->params = cursor_rest(&header);
    return COTP_OK;
}

const char *cotp_type_name(enum cotp_type type)
{
    switch (type) {
    case COTP_ED: return "ED";
    case COTP_EA: return "EA";
    case COTP_RJ: return "RJ";
    case COTP_AK: return "AK";
    case COTP_ER: return "ER";
    case COTP_DR: return "DR";
    case COTP_DC: return "DC";
    case COTP_CC: return "CC";
    case COTP_CR: return "CR";
    case COTP_DT: return "DT";
    }
    return "unknown";
}

const char *cotp_error_name(enum cotp_error e)
{
    switch (e) {
    case COTP_OK: return "ok";
    case COTP_BAD_LENGTH_INDICATOR: return "cotp_bad_length_indicator";
    case COTP_UNKNOWN_TYPE: return "cotp_unknown_tpdu_type";
    }
    return "cotp_unknown_error";
}

void cotp_reassembly_init(struct cotp_reassembly *r, uint8_t *buf, size_t cap)
{
    r->buf = buf;
    r->cap = buf ? cap : 0;
    r->len = 0;
    r->overflow = false;
}

void cotp_reassembly_reset(struct cotp_reassembly *r)
{
    r->len = 0;
    r->overflow = false;
}

enum cotp_tsdu_result cotp_reassembly_add(struct cotp_reassembly *r, cursor user_data, bool eot, cursor *tsdu)
{
    if (eot && r->len == 0 && !r->overflow) {
        *tsdu = user_data; /* the common case: a TSDU in one TPDU, no copy */
        return COTP_TSDU_COMPLETE;
    }
    enum cotp_tsdu_result result = COTP_TSDU_PENDING;
    size_t n = cursor_left(&user_data);
    if (!r->overflow && n > r->cap - r->len) {
        r->overflow = true;
        r->len = 0;
        result = COTP_TSDU_OVERFLOW;
    } else if (!r->overflow && n > 0) {
        cursor_copy(&user_data, r->buf + r->len, n);
        r->len += n;
    }
    if (!eot)
        return result;
    if (r->overflow) {
        r->overflow = false;
        return result == COTP_TSDU_OVERFLOW ? COTP_TSDU_OVERFLOW : COTP_TSDU_DROPPED;
    }
    *tsdu = cursor_make(r->buf, r->len);
    r->len = 0;
    return COTP_TSDU_COMPLETE;
}
