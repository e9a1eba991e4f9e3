/* mms_request.c — the argument of each MMS confirmed service request: object
 * names, variable lists and written data, domain, program invocation and file
 * names (mms_private.h). Services whose argument carries no name an operator
 * needs (event conditions, journals, ...) are reported by service only. */
#include "mms_private.h"
#include "mms_services.h"

/* Tag of fileName in RequestDomainDownload / LoadDomainContent, and in
 * RequestDomainUpload / StoreDomainContent. */
#define DOWNLOAD_FILE_NAME_TAG 4
#define UPLOAD_FILE_NAME_TAG 1
#define NO_FILE_NAME 0


/* Read-Request: specificationWithResult [0], variableAccessSpecificatn [1].
 * The variables of a listOfVariable that name a nameplate are noted for the
 * response. */
static void read_request(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m, vas;
    bool have_vas = false;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0)) {
            mms_read_bool(p, "specificationWithResult", &m);
        } else if (mms_is_ctx(&m, MMS_CTX1) && mms_next(p, &m.value, &vas)) {
            if (mms_is_ctx(&vas, MMS_CTX0))
                p->nameplate = &p->info->nameplate;
            mms_read_variable_access(p, &vas);
            p->nameplate = NULL;
            have_vas = true;
        }
    }
    if (!have_vas)
        mms_fail(p, "mms_read_without_variables");
}

/* Write-Request: variableAccessSpecificatn, listOfData [0]. Both the first
 * alternative of the specification and listOfData are [0], so order decides. */
static void write_request(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv vas, data;
    if (!mms_next(p, &args, &vas)) {
        mms_fail(p, "mms_write_without_variables");
        return;
    }
    mms_read_variable_access(p, &vas);
    if (!mms_next(p, &args, &data) || !mms_is_ctx(&data, MMS_CTX0)) {
        mms_fail(p, "mms_write_without_data");
        return;
    }
    mms_read_data_list(p, "listOfData", data.value);
}

/* GetNameList-Request: extendedObjectClass [0] { objectClass [0] },
 * objectScope [1] { vmdSpecific [0] | domainSpecific [1] | aaSpecific [2] },
 * continueAfter [2]. */
static void get_name_list_request(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m, inner;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0) && mms_next(p, &m.value, &inner)) {
            mms_read_int(p, "objectClass", &inner, NULL);
        } else if (mms_is_ctx(&m, MMS_CTX1) && mms_next(p, &m.value, &inner)) {
            detail_uint(p->d, "objectScope", inner.tag);
            if (mms_is_ctx(&inner, MMS_CTX1))
                mms_read_identifier(p, "domainSpecific", &inner, true);
        } else if (mms_is_ctx(&m, MMS_CTX2)) {
            mms_read_identifier(p, "continueAfter", &m, false);
        }
    }
}

/* Arguments that are a SEQUENCE starting with an [0] IMPLICIT Identifier
 * (domainName or programInvocationName), possibly with file names after. */
static void named_sequence_request(struct mms_pdu_ctx *p, const char *name_key, cursor args, uint32_t file_tag)
{
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0))
            mms_read_identifier(p, name_key, &m, true);
        else if (file_tag && mms_is_ctx(&m, file_tag) && m.constructed)
            mms_read_file_name(p, "fileName", m.value);
    }
}

/* TakeControl, RelinquishControl, DefineSemaphore and the semaphore reports:
 * semaphoreName [0] ObjectName, namedToken [1]. */
static void semaphore_request(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0) && m.constructed)
            mms_read_object_name_in(p, "semaphoreName", m.value);
        else if (mms_is_ctx(&m, MMS_CTX1) && !m.constructed)
            mms_read_identifier(p, "namedToken", &m, false);
    }
}

/* DefineNamedVariableList-Request: variableListName, listOfVariable [0]. */
static void define_named_variable_list_request(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv name, list;
    if (!mms_next(p, &args, &name)) {
        mms_fail(p, "mms_bad_object_name");
        return;
    }
    mms_read_object_name(p, "variableListName", &name);
    if (mms_next(p, &args, &list) && mms_is_ctx(&list, MMS_CTX0))
        mms_read_variable_list(p, "listOfVariable", list.value);
    else
        mms_fail(p, "mms_bad_variable_list");
}

/* DeleteNamedVariableList-Request: scopeOfDelete [0],
 * listOfVariableListName [1], domainName [2]. */
static void delete_named_variable_list_request(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m, name;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0)) {
            mms_read_int(p, "scopeOfDelete", &m, NULL);
        } else if (mms_is_ctx(&m, MMS_CTX1)) {
            detail_array_begin(p->d, "listOfVariableListName");
            for (cursor names = m.value; mms_next(p, &names, &name);) {
                detail_object_begin(p->d, NULL);
                mms_read_object_name(p, NULL, &name);
                detail_end(p->d);
            }
            detail_end(p->d);
        } else if (mms_is_ctx(&m, MMS_CTX2)) {
            mms_read_identifier(p, "domainName", &m, true);
        }
    }
}

/* Rename-Request: extendedObjectClass [0], currentName [1], newIdentifier [2]. */
static void rename_request(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m, inner;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0) && mms_next(p, &m.value, &inner))
            mms_read_int(p, "objectClass", &inner, NULL);
        else if (mms_is_ctx(&m, MMS_CTX1))
            mms_read_object_name_in(p, "currentName", m.value);
        else if (mms_is_ctx(&m, MMS_CTX2))
            mms_read_identifier(p, "newIdentifier", &m, false);
    }
}

/* File services whose members are [n] IMPLICIT FileName. */
static void file_names_request(struct mms_pdu_ctx *p, cursor args, const char *key0, const char *key1,
                               const char *key2)
{
    const char *keys[] = {key0, key1, key2};
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (m.cls == BER_CLASS_CONTEXT && m.tag <= MMS_CTX2 && keys[m.tag] && m.constructed)
            mms_read_file_name(p, keys[m.tag], m.value);
        else if (m.cls == BER_CLASS_CONTEXT && m.tag == MMS_CTX1 && !m.constructed)
            mms_read_uint(p, "initialPosition", &m, NULL); /* fileOpen */
    }
}

void mms_read_request(struct mms_pdu_ctx *p, const struct ber_tlv *svc)
{
    cursor args = svc->value;
    switch (svc->tag) {
    case MMS_SVC_STATUS: /* Status-Request: extendedDerivation BOOLEAN */
        mms_read_bool(p, "status", svc);
        break;
    case MMS_SVC_READ:
        read_request(p, args);
        break;
    case MMS_SVC_WRITE:
        write_request(p, args);
        break;
    case MMS_SVC_GET_NAME_LIST:
        get_name_list_request(p, args);
        break;
    case MMS_SVC_RENAME:
        rename_request(p, args);
        break;
    case MMS_SVC_GET_VARIABLE_ACCESS_ATTRIBUTES: {
        struct ber_tlv choice;
        if (mms_next(p, &args, &choice) && mms_is_ctx(&choice, MMS_CTX0))
            mms_read_object_name_in(p, NULL, choice.value);
        break;
    }
    case MMS_SVC_GET_SCATTERED_ACCESS_ATTRIBUTES:
    case MMS_SVC_GET_NAMED_VARIABLE_LIST_ATTRIBUTES:
    case MMS_SVC_GET_NAMED_TYPE_ATTRIBUTES:
    case MMS_SVC_DELETE_SEMAPHORE:
    case MMS_SVC_REPORT_SEMAPHORE_STATUS:
    case MMS_SVC_GET_EVENT_CONDITION_ATTRIBUTES:
    case MMS_SVC_REPORT_EVENT_CONDITION_STATUS:
    case MMS_SVC_GET_EVENT_ACTION_ATTRIBUTES:
    case MMS_SVC_REPORT_EVENT_ACTION_STATUS:
        /* An ObjectName argument, explicitly tagged because it is a CHOICE. */
        mms_read_object_name_in(p, NULL, args);
        break;
    case MMS_SVC_DEFINE_NAMED_VARIABLE_LIST:
        define_named_variable_list_request(p, args);
        break;
    case MMS_SVC_DELETE_NAMED_VARIABLE_LIST:
        delete_named_variable_list_request(p, args);
        break;
    case MMS_SVC_TAKE_CONTROL:
    case MMS_SVC_RELINQUISH_CONTROL:
    case MMS_SVC_DEFINE_SEMAPHORE:
    case MMS_SVC_REPORT_POOL_SEMAPHORE_STATUS:
    case MMS_SVC_REPORT_SEMAPHORE_ENTRY_STATUS:
        semaphore_request(p, args);
        break;
    case MMS_SVC_INITIATE_DOWNLOAD_SEQUENCE:
    case MMS_SVC_TERMINATE_DOWNLOAD_SEQUENCE:
        named_sequence_request(p, "domainName", args, NO_FILE_NAME);
        break;
    case MMS_SVC_REQUEST_DOMAIN_DOWNLOAD:
    case MMS_SVC_LOAD_DOMAIN_CONTENT:
        named_sequence_request(p, "domainName", args, DOWNLOAD_FILE_NAME_TAG);
        break;
    case MMS_SVC_REQUEST_DOMAIN_UPLOAD:
    case MMS_SVC_STORE_DOMAIN_CONTENT:
        named_sequence_request(p, "domainName", args, UPLOAD_FILE_NAME_TAG);
        break;
    case MMS_SVC_DOWNLOAD_SEGMENT:
    case MMS_SVC_INITIATE_UPLOAD_SEQUENCE:
    case MMS_SVC_DELETE_DOMAIN:
    case MMS_SVC_GET_DOMAIN_ATTRIBUTES:
        mms_read_identifier(p, "domainName", svc, true);
        break;
    case MMS_SVC_DELETE_PROGRAM_INVOCATION:
    case MMS_SVC_GET_PROGRAM_INVOCATION_ATTRIBUTES:
        mms_read_identifier(p, "programInvocationName", svc, true);
        break;
    case MMS_SVC_CREATE_PROGRAM_INVOCATION:
    case MMS_SVC_START:
    case MMS_SVC_STOP:
    case MMS_SVC_RESUME:
    case MMS_SVC_RESET:
    case MMS_SVC_KILL:
        named_sequence_request(p, "programInvocationName", args, NO_FILE_NAME);
        break;
    case MMS_SVC_UPLOAD_SEGMENT:
    case MMS_SVC_TERMINATE_UPLOAD_SEQUENCE:
        mms_read_int(p, "ulsmID", svc, NULL);
        break;
    case MMS_SVC_FILE_READ:
    case MMS_SVC_FILE_CLOSE:
        mms_read_int(p, "frsmID", svc, NULL);
        break;
    case MMS_SVC_FILE_OPEN:
        file_names_request(p, args, "fileName", NULL, NULL);
        break;
    case MMS_SVC_FILE_RENAME:
        file_names_request(p, args, "currentFileName", "newFileName", NULL);
        break;
    case MMS_SVC_FILE_DIRECTORY:
        file_names_request(p, args, "fileSpecification", "continueAfter", NULL);
        break;
    case MMS_SVC_OBTAIN_FILE:
        file_names_request(p, args, NULL, "sourceFile", "destinationFile");
        break;
    case MMS_SVC_FILE_DELETE:
        mms_read_file_name(p, "fileName", args);
        break;
    default:
        break;
    }
}
