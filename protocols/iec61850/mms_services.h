/* mms_services.h — the MMS (ISO 9506-2) names this decoder reports: the
 * confirmed services with their operation class, the MMSpdu alternatives, the
 * unconfirmed services, service-error classes and reject reasons.
 *
 * Wireshark's names (camelCase, from its mms.asn) go into the detail; the
 * snake_case names become event function names. Tables only, no decoding. */
#ifndef MAMORI_MMS_SERVICES_H
#define MAMORI_MMS_SERVICES_H

#include <stdint.h>

#include "../event.h"

/* Context tags of the MMSpdu CHOICE. */
enum mms_pdu_type {
    MMS_CONFIRMED_REQUEST = 0,
    MMS_CONFIRMED_RESPONSE = 1,
    MMS_CONFIRMED_ERROR = 2,
    MMS_UNCONFIRMED = 3,
    MMS_REJECT = 4,
    MMS_CANCEL_REQUEST = 5,
    MMS_CANCEL_RESPONSE = 6,
    MMS_CANCEL_ERROR = 7,
    MMS_INITIATE_REQUEST = 8,
    MMS_INITIATE_RESPONSE = 9,
    MMS_INITIATE_ERROR = 10,
    MMS_CONCLUDE_REQUEST = 11,
    MMS_CONCLUDE_RESPONSE = 12,
    MMS_CONCLUDE_ERROR = 13,
    MMS_PDU_TYPE_COUNT
};

/* Confirmed service tags this decoder reads the argument of. */
enum mms_service_tag {
    MMS_SVC_STATUS = 0,
    MMS_SVC_GET_NAME_LIST = 1,
    MMS_SVC_IDENTIFY = 2,
    MMS_SVC_RENAME = 3,
    MMS_SVC_READ = 4,
    MMS_SVC_WRITE = 5,
    MMS_SVC_GET_VARIABLE_ACCESS_ATTRIBUTES = 6,
    MMS_SVC_DEFINE_NAMED_VARIABLE = 7,
    MMS_SVC_GET_SCATTERED_ACCESS_ATTRIBUTES = 9,
    MMS_SVC_DEFINE_NAMED_VARIABLE_LIST = 11,
    MMS_SVC_GET_NAMED_VARIABLE_LIST_ATTRIBUTES = 12,
    MMS_SVC_DELETE_NAMED_VARIABLE_LIST = 13,
    MMS_SVC_GET_NAMED_TYPE_ATTRIBUTES = 15,
    MMS_SVC_TAKE_CONTROL = 19,
    MMS_SVC_RELINQUISH_CONTROL = 20,
    MMS_SVC_DEFINE_SEMAPHORE = 21,
    MMS_SVC_DELETE_SEMAPHORE = 22,
    MMS_SVC_REPORT_SEMAPHORE_STATUS = 23,
    MMS_SVC_REPORT_POOL_SEMAPHORE_STATUS = 24,
    MMS_SVC_REPORT_SEMAPHORE_ENTRY_STATUS = 25,
    MMS_SVC_INITIATE_DOWNLOAD_SEQUENCE = 26,
    MMS_SVC_DOWNLOAD_SEGMENT = 27,
    MMS_SVC_TERMINATE_DOWNLOAD_SEQUENCE = 28,
    MMS_SVC_INITIATE_UPLOAD_SEQUENCE = 29,
    MMS_SVC_UPLOAD_SEGMENT = 30,
    MMS_SVC_TERMINATE_UPLOAD_SEQUENCE = 31,
    MMS_SVC_REQUEST_DOMAIN_DOWNLOAD = 32,
    MMS_SVC_REQUEST_DOMAIN_UPLOAD = 33,
    MMS_SVC_LOAD_DOMAIN_CONTENT = 34,
    MMS_SVC_STORE_DOMAIN_CONTENT = 35,
    MMS_SVC_DELETE_DOMAIN = 36,
    MMS_SVC_GET_DOMAIN_ATTRIBUTES = 37,
    MMS_SVC_CREATE_PROGRAM_INVOCATION = 38,
    MMS_SVC_DELETE_PROGRAM_INVOCATION = 39,
    MMS_SVC_START = 40,
    MMS_SVC_STOP = 41,
    MMS_SVC_RESUME = 42,
    MMS_SVC_RESET = 43,
    MMS_SVC_KILL = 44,
    MMS_SVC_GET_PROGRAM_INVOCATION_ATTRIBUTES = 45,
    MMS_SVC_OBTAIN_FILE = 46,
    MMS_SVC_GET_EVENT_CONDITION_ATTRIBUTES = 49,
    MMS_SVC_REPORT_EVENT_CONDITION_STATUS = 50,
    MMS_SVC_GET_EVENT_ACTION_ATTRIBUTES = 55,
    MMS_SVC_REPORT_EVENT_ACTION_STATUS = 56,
    MMS_SVC_FILE_OPEN = 72,
    MMS_SVC_FILE_READ = 73,
    MMS_SVC_FILE_CLOSE = 74,
    MMS_SVC_FILE_RENAME = 75,
    MMS_SVC_FILE_DELETE = 76,
    MMS_SVC_FILE_DIRECTORY = 77,
    MMS_SVC_COUNT = 78
};

enum mms_unconfirmed_tag {
    MMS_UNCONFIRMED_INFORMATION_REPORT = 0,
    MMS_UNCONFIRMED_UNSOLICITED_STATUS = 1,
    MMS_UNCONFIRMED_EVENT_NOTIFICATION = 2,
    MMS_UNCONFIRMED_COUNT
};

struct mms_service {
    const char *name;          /* Wireshark's, e.g. "getNameList" */
    const char *function_name; /* snake_case, e.g. "get_name_list" */
    enum mamori_op op;
};

/* IEC 61850-7-3 nameplates read over MMS (IEC 61850-8-1 names): the DPL at
 * LPHDn$DC$PhyNam and the LPL at LLN0$DC$NamPlt. */
enum mms_nameplate_cdc { MMS_NAMEPLATE_DPL, MMS_NAMEPLATE_LPL, MMS_NAMEPLATE_CDC_COUNT };

/* Position of a component in a DC read of the whole structure: fixed, or the
 * last component (configRev ends the LPL's DC components, after optional ones). */
#define MMS_NAMEPLATE_LAST (-1)

/* A nameplate component that tells who a device is. */
struct mms_nameplate_component {
    const char *name;     /* the data attribute, e.g. "serNum" */
    const char *identity; /* the identity fact, e.g. "serial_number" */
    int position;         /* in the structure's DC components, or MMS_NAMEPLATE_LAST */
};

/* The identity components of a CDC, `*count` of them. */
const struct mms_nameplate_component *mms_nameplate_components(enum mms_nameplate_cdc cdc, unsigned *count);

/* NULL for a tag MMS does not define. */
const struct mms_service *mms_confirmed_service(uint32_t tag);
const struct mms_service *mms_unconfirmed_service(uint32_t tag);

/* "confirmed-RequestPDU" ... (Wireshark's alternative names), and snake_case
 * "confirmed_request" ... for function names. NULL when out of range. */
const char *mms_pdu_name(uint32_t type);
const char *mms_pdu_function_name(uint32_t type);

/* ServiceError errorClass alternatives ("vmd-state" ... "others"), and the
 * RejectPDU rejectReason alternatives ("confirmed-requestPDU" ...). The
 * detail key of the code under each is the same name. NULL out of range. */
const char *mms_error_class_name(uint32_t tag);
const char *mms_reject_reason_name(uint32_t tag);

#endif
