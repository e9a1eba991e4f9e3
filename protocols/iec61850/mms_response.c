/* mms_response.c — the result of each MMS confirmed service response that
 * carries one an operator needs: read results, write results, name lists,
 * identify (vendor, model, revision), variable list attributes, upload and
 * file state machine ids, directory listings (mms_private.h). Responses that
 * are NULL or carry only attributes are reported by service only. */
#include "mms_private.h"
#include "mms_services.h"


/* Read-Response: variableAccessSpecificatn [0] OPTIONAL, listOfAccessResult [1]. */
static void read_response(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m, vas;
    bool have_results = false;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0) && mms_next(p, &m.value, &vas)) {
            mms_read_variable_access(p, &vas);
        } else if (mms_is_ctx(&m, MMS_CTX1)) {
            mms_read_access_results(p, "listOfAccessResult", m.value);
            have_results = true;
        }
    }
    if (!have_results)
        mms_fail(p, "mms_read_response_without_results");
}

/* Write-Response: SEQUENCE OF CHOICE { failure [0], success [1] NULL }. */
static void write_response(struct mms_pdu_ctx *p, cursor results)
{
    struct ber_tlv r;
    detail_array_begin(p->d, "write");
    while (mms_next(p, &results, &r)) {
        int64_t code;
        detail_object_begin(p->d, NULL);
        if (mms_is_ctx(&r, MMS_CTX0)) {
            if (mms_read_int(p, "failure", &r, &code) && !p->ev->has_status) {
                p->ev->has_status = true;
                p->ev->status = (int32_t)code;
            }
        } else if (mms_is_ctx(&r, MMS_CTX1)) {
            detail_null(p->d, "success");
        } else {
            mms_fail(p, "mms_bad_write_result");
        }
        detail_end(p->d);
    }
    detail_end(p->d);
}

/* GetNameList-Response: listOfIdentifier [0], moreFollows [1]. */
static void list_response(struct mms_pdu_ctx *p, const char *list_key, cursor args)
{
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0))
            mms_read_identifier_list(p, list_key, m.value);
        else if (mms_is_ctx(&m, MMS_CTX1))
            mms_read_bool(p, "moreFollows", &m);
    }
}

/* Identify-Response: vendorName [0], modelName [1], revision [2]; also the
 * device's identity for the inventory. */
static void identify_response(struct mms_pdu_ctx *p, cursor args)
{
    static const char *const keys[] = {"vendorName", "modelName", "revision"};
    static const char *const identity[] = {"vendor", "model_name", "revision"};
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (m.cls != BER_CLASS_CONTEXT || m.tag > MMS_CTX2)
            continue;
        mms_read_identifier(p, keys[m.tag], &m, false);
        cursor v = m.value;
        size_t n = cursor_left(&v);
        if (!m.constructed)
            mamori_event_add_identity(p->ev, identity[m.tag], cursor_bytes(&v, n), n);
    }
    if (p->ev->n_identity > 0)
        p->ev->kind = MAMORI_EVENT_IDENTITY;
    else
        mms_fail(p, "mms_identify_without_identity");
}

/* GetNamedVariableListAttributes-Response: mmsDeletable [0], listOfVariable [1]. */
static void variable_list_attributes_response(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0))
            mms_read_bool(p, "mmsDeletable", &m);
        else if (mms_is_ctx(&m, MMS_CTX1))
            mms_read_variable_list(p, "listOfVariable", m.value);
    }
}

/* Responses whose first member is an [0] IMPLICIT Integer32 state machine id. */
static void id_response(struct mms_pdu_ctx *p, const char *key, cursor args)
{
    struct ber_tlv m;
    if (mms_next(p, &args, &m) && mms_is_ctx(&m, MMS_CTX0))
        mms_read_int(p, key, &m, NULL);
}

/* FileRead-Response: fileData [0], moreFollows [1]. The data is counted, not copied. */
static void file_read_response(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0))
            detail_uint(p->d, "fileData", cursor_left(&m.value));
        else if (mms_is_ctx(&m, MMS_CTX1))
            mms_read_bool(p, "moreFollows", &m);
    }
}

/* FileDirectory-Response: listOfDirectoryEntry [0] SEQUENCE OF SEQUENCE
 * { fileName [0], fileAttributes [1] }, moreFollows [1]. */
static void file_directory_response(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m, entry, field;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0)) {
            detail_array_begin(p->d, "listOfDirectoryEntry");
            for (cursor entries = m.value; mms_next(p, &entries, &entry);) {
                if (!ber_is(&entry, BER_CLASS_UNIVERSAL, MMS_TAG_SEQUENCE)) {
                    mms_fail(p, "mms_bad_directory_entry");
                    break;
                }
                detail_object_begin(p->d, NULL);
                for (cursor fields = entry.value; mms_next(p, &fields, &field);)
                    if (mms_is_ctx(&field, MMS_CTX0) && field.constructed)
                        mms_read_file_name(p, "fileName", field.value);
                detail_end(p->d);
            }
            detail_end(p->d);
        } else if (mms_is_ctx(&m, MMS_CTX1)) {
            mms_read_bool(p, "moreFollows", &m);
        }
    }
}

void mms_read_response(struct mms_pdu_ctx *p, const struct ber_tlv *svc)
{
    cursor args = svc->value;
    switch (svc->tag) {
    case MMS_SVC_READ:
        read_response(p, args);
        break;
    case MMS_SVC_WRITE:
        write_response(p, args);
        break;
    case MMS_SVC_GET_NAME_LIST:
        list_response(p, "listOfIdentifier", args);
        break;
    case MMS_SVC_IDENTIFY:
        identify_response(p, args);
        break;
    case MMS_SVC_GET_NAMED_VARIABLE_LIST_ATTRIBUTES:
        variable_list_attributes_response(p, args);
        break;
    case MMS_SVC_INITIATE_UPLOAD_SEQUENCE:
        id_response(p, "ulsmID", args);
        break;
    case MMS_SVC_FILE_OPEN:
        id_response(p, "frsmID", args);
        break;
    case MMS_SVC_FILE_READ:
        file_read_response(p, args);
        break;
    case MMS_SVC_FILE_DIRECTORY:
        file_directory_response(p, args);
        break;
    default:
        break;
    }
}
