/* mms_pdu.c — the MMSpdu CHOICE: confirmed request/response/error,
 * unconfirmed (informationReport), reject, cancel, initiate and conclude
 * (mms_pdu.h). Service arguments are read in mms_request.c and
 * mms_response.c. */
#include "mms_pdu.h"

#include <stddef.h>
#include <string.h>

#include "mms_private.h"

#define INIT_DETAIL 4
#define FIRST_OCTET_CLASS_MASK 0xc0
#define FIRST_OCTET_CONTEXT 0x80
#define FIRST_OCTET_TAG_MASK 0x1f
/* Depth of a confirmed service element inside its PDU. */
#define SERVICE_DEPTH 1

bool mms_pdu_first_octet(uint8_t first)
{
    return (first & FIRST_OCTET_CLASS_MASK) == FIRST_OCTET_CONTEXT &&
           (first & FIRST_OCTET_TAG_MASK) < MMS_PDU_TYPE_COUNT;
}

static void set_function(struct mamori_event *ev, uint32_t code, const char *name)
{
    ev->has_function = true;
    ev->function_code = code;
    ev->function_name = name;
}

static bool read_invoke_id(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *m,
                           struct mms_pdu_info *info)
{
    uint64_t id;
    if (!mms_read_uint(p, key, m, &id) || id > UINT32_MAX) {
        mms_fail(p, "mms_bad_invoke_id");
        return false;
    }
    info->has_invoke_id = true;
    info->invoke_id = (uint32_t)id;
    return true;
}

/* Confirmed-RequestPDU and Confirmed-ResponsePDU: invokeID, listOfModifier
 * (requests only), the service element, cs-request-detail [79]. */
static void confirmed(struct mms_pdu_ctx *p, cursor members, bool is_request, struct mms_pdu_info *info)
{
    struct ber_tlv m;
    if (!mms_next(p, &members, &m) || !ber_is(&m, BER_CLASS_UNIVERSAL, MMS_TAG_INTEGER) ||
        !read_invoke_id(p, "invokeID", &m, info)) {
        mms_fail(p, "mms_bad_invoke_id");
        return;
    }
    bool have = mms_next(p, &members, &m);
    while (have && ber_is(&m, BER_CLASS_UNIVERSAL, MMS_TAG_SEQUENCE)) /* listOfModifier */
        have = mms_next(p, &members, &m);
    const struct mms_service *svc = have && m.cls == BER_CLASS_CONTEXT ? mms_confirmed_service(m.tag) : NULL;
    if (!svc) {
        mms_fail(p, "mms_unknown_service");
        return;
    }
    info->has_service = true;
    info->service = m.tag;
    detail_uint(p->d, is_request ? "confirmedServiceRequest" : "confirmedServiceResponse", m.tag);
    set_function(p->ev, m.tag, svc->function_name);
    p->ev->op = svc->op;
    p->depth = SERVICE_DEPTH;
    if (is_request)
        mms_read_request(p, &m);
    else
        mms_read_response(p, &m);
    if (m.tag == MMS_SVC_WRITE && p->control) {
        p->ev->op = MAMORI_OP_OPERATE;
        info->operate = true;
    }
}

/* Confirmed-ErrorPDU: invokeID [0], modifierPosition [1], serviceError [2]. */
static void confirmed_error(struct mms_pdu_ctx *p, cursor members, struct mms_pdu_info *info)
{
    struct ber_tlv m;
    while (mms_next(p, &members, &m)) {
        if (mms_is_ctx(&m, MMS_CTX0))
            read_invoke_id(p, "invokeID", &m, info);
        else if (mms_is_ctx(&m, MMS_CTX1))
            mms_read_uint(p, "modifierPosition", &m, NULL);
        else if (mms_is_ctx(&m, MMS_CTX2))
            mms_read_service_error(p, m.value);
    }
    if (!info->has_invoke_id)
        mms_fail(p, "mms_bad_invoke_id");
}

/* Unconfirmed-PDU: informationReport [0] { variableAccessSpecification,
 * listOfAccessResult [0] }, unsolicitedStatus [1], eventNotification [2]. */
static void unconfirmed(struct mms_pdu_ctx *p, cursor members)
{
    struct ber_tlv svc, vas, results;
    const struct mms_service *s = NULL;
    if (!mms_next(p, &members, &svc) || svc.cls != BER_CLASS_CONTEXT || !(s = mms_unconfirmed_service(svc.tag))) {
        mms_fail(p, "mms_unknown_service");
        return;
    }
    detail_uint(p->d, "unconfirmedService", svc.tag);
    set_function(p->ev, svc.tag, s->function_name);
    p->ev->op = s->op;
    if (svc.tag != MMS_UNCONFIRMED_INFORMATION_REPORT)
        return;
    p->depth = SERVICE_DEPTH;
    if (!mms_next(p, &svc.value, &vas)) {
        mms_fail(p, "mms_report_without_variables");
        return;
    }
    mms_read_variable_access(p, &vas);
    if (mms_next(p, &svc.value, &results) && mms_is_ctx(&results, MMS_CTX0))
        mms_read_access_results(p, "listOfAccessResult", results.value);
    else
        mms_fail(p, "mms_report_without_results");
}

/* RejectPDU: originalInvokeID [0], rejectReason CHOICE [1..11] INTEGER. */
static void reject(struct mms_pdu_ctx *p, cursor members, struct mms_pdu_info *info)
{
    struct ber_tlv m;
    const char *reason;
    while (mms_next(p, &members, &m)) {
        if (mms_is_ctx(&m, MMS_CTX0)) {
            read_invoke_id(p, "originalInvokeID", &m, info);
        } else if (m.cls == BER_CLASS_CONTEXT && (reason = mms_reject_reason_name(m.tag))) {
            int64_t code;
            detail_uint(p->d, "rejectReason", m.tag);
            if (mms_read_int(p, reason, &m, &code)) {
                p->ev->has_status = true;
                p->ev->status = (int32_t)code;
            }
        } else {
            mms_fail(p, "mms_bad_reject_reason");
        }
    }
    if (!p->ev->has_status)
        mms_fail(p, "mms_bad_reject_reason");
}

/* Initiate-RequestPDU / Initiate-ResponsePDU: the negotiated limits and the
 * init detail (version, parameter CBB, services supported). */
static void initiate(struct mms_pdu_ctx *p, cursor members, bool is_request)
{
    static const char *const request_keys[] = {"localDetailCalling", "proposedMaxServOutstandingCalling",
                                               "proposedMaxServOutstandingCalled",
                                               "proposedDataStructureNestingLevel"};
    static const char *const response_keys[] = {"localDetailCalled", "negociatedMaxServOutstandingCalling",
                                                "negociatedMaxServOutstandingCalled",
                                                "negociatedDataStructureNestingLevel"};
    static const char *const request_detail[] = {"proposedVersionNumber", "proposedParameterCBB",
                                                 "servicesSupportedCalling"};
    static const char *const response_detail[] = {"negociatedVersionNumber", "negociatedParameterCBB",
                                                  "servicesSupportedCalled"};
    const char *const *keys = is_request ? request_keys : response_keys;
    const char *const *detail_keys = is_request ? request_detail : response_detail;
    struct ber_tlv m, d;
    while (mms_next(p, &members, &m)) {
        if (m.cls != BER_CLASS_CONTEXT)
            continue;
        if (m.tag < INIT_DETAIL) {
            mms_read_int(p, keys[m.tag], &m, NULL);
        } else if (m.tag == INIT_DETAIL) {
            for (cursor dm = m.value; mms_next(p, &dm, &d);) {
                if (mms_is_ctx(&d, MMS_CTX0)) {
                    mms_read_int(p, detail_keys[0], &d, NULL);
                } else if (d.cls == BER_CLASS_CONTEXT && d.tag <= MMS_CTX2) {
                    cursor bits = d.value;
                    cursor_skip(&bits, 1); /* unused-bits octet */
                    size_t n = cursor_left(&bits);
                    detail_bytes(p->d, detail_keys[d.tag], cursor_bytes(&bits, n), n);
                }
            }
        }
    }
}

static void decode_body(struct mms_pdu_ctx *p, const struct ber_tlv *pdu, struct mms_pdu_info *info)
{
    struct mamori_event *ev = p->ev;
    int64_t original;
    switch (info->type) {
    case MMS_CONFIRMED_REQUEST:
    case MMS_CONFIRMED_RESPONSE:
        confirmed(p, pdu->value, info->type == MMS_CONFIRMED_REQUEST, info);
        break;
    case MMS_CONFIRMED_ERROR:
        ev->op = MAMORI_OP_EXCEPTION;
        confirmed_error(p, pdu->value, info);
        break;
    case MMS_UNCONFIRMED:
        unconfirmed(p, pdu->value);
        break;
    case MMS_REJECT:
        ev->op = MAMORI_OP_EXCEPTION;
        reject(p, pdu->value, info);
        break;
    case MMS_CANCEL_REQUEST:
    case MMS_CANCEL_RESPONSE:
        ev->op = MAMORI_OP_OTHER;
        if (mms_read_int(p, "originalInvokeID", pdu, &original) && original >= 0 && original <= UINT32_MAX) {
            info->has_invoke_id = true;
            info->invoke_id = (uint32_t)original;
        }
        break;
    case MMS_CANCEL_ERROR: {
        struct ber_tlv m;
        ev->op = MAMORI_OP_EXCEPTION;
        for (cursor members = pdu->value; mms_next(p, &members, &m);) {
            if (mms_is_ctx(&m, MMS_CTX0))
                read_invoke_id(p, "originalInvokeID", &m, info);
            else if (mms_is_ctx(&m, MMS_CTX1))
                mms_read_service_error(p, m.value);
        }
        break;
    }
    case MMS_INITIATE_REQUEST:
    case MMS_INITIATE_RESPONSE:
        ev->op = MAMORI_OP_SESSION;
        initiate(p, pdu->value, info->type == MMS_INITIATE_REQUEST);
        break;
    case MMS_INITIATE_ERROR:
    case MMS_CONCLUDE_ERROR:
        ev->op = MAMORI_OP_EXCEPTION;
        mms_read_service_error(p, pdu->value);
        break;
    case MMS_CONCLUDE_REQUEST:
    case MMS_CONCLUDE_RESPONSE:
        ev->op = MAMORI_OP_SESSION;
        break;
    case MMS_PDU_TYPE_COUNT:
        break;
    }
}

static enum mamori_role role_of(enum mms_pdu_type type)
{
    switch (type) {
    case MMS_CONFIRMED_REQUEST:
    case MMS_CANCEL_REQUEST:
    case MMS_INITIATE_REQUEST:
    case MMS_CONCLUDE_REQUEST:
        return MAMORI_ROLE_REQUEST;
    case MMS_UNCONFIRMED:
        return MAMORI_ROLE_UNSOLICITED;
    default:
        return MAMORI_ROLE_RESPONSE;
    }
}

void mms_pdu_decode(cursor pdu, struct mamori_event *ev, char *object_buf, size_t object_cap,
                    struct mms_pdu_info *info)
{
    /* The names a read request notes are written before they are read. */
    memset(info, 0, offsetof(struct mms_pdu_info, nameplate.ld_text));
    struct mms_pdu_ctx p = {.ev = ev, .d = ev->detail, .object_buf = object_buf, .object_cap = object_cap,
                            .info = info};
    struct ber_tlv top;
    if (!mms_next(&p, &pdu, &top) || top.cls != BER_CLASS_CONTEXT || top.tag >= MMS_PDU_TYPE_COUNT) {
        mms_fail(&p, "mms_unknown_pdu");
        info->type = MMS_PDU_TYPE_COUNT;
        info->error = p.error;
        ev->op = MAMORI_OP_MALFORMED;
        return;
    }
    info->type = (enum mms_pdu_type)top.tag;
    ev->role = role_of(info->type);
    /* Until a service names it, the function is the PDU itself. */
    set_function(ev, top.tag, mms_pdu_function_name(top.tag));
    detail_cstring(p.d, "MMSpdu", mms_pdu_name(top.tag));
    decode_body(&p, &top, info);
    if (!cursor_empty(&pdu))
        mms_fail(&p, "mms_trailing_bytes");
    info->error = p.error;
}
