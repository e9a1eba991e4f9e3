/* mms_services.c — name and operation-class tables for MMS, and the IEC 61850
 * nameplate components that identify a device (mms_services.h). */
#include "mms_services.h"

#include <stddef.h>

static const struct mms_service confirmed_services[MMS_SVC_COUNT] = {
    [0] = {"status", "status", MAMORI_OP_DIAGNOSTIC},
    [1] = {"getNameList", "get_name_list", MAMORI_OP_READ},
    [2] = {"identify", "identify", MAMORI_OP_IDENTIFY},
    [3] = {"rename", "rename", MAMORI_OP_CONFIG},
    [4] = {"read", "read", MAMORI_OP_READ},
    [5] = {"write", "write", MAMORI_OP_WRITE},
    [6] = {"getVariableAccessAttributes", "get_variable_access_attributes", MAMORI_OP_READ},
    [7] = {"defineNamedVariable", "define_named_variable", MAMORI_OP_CONFIG},
    [8] = {"defineScatteredAccess", "define_scattered_access", MAMORI_OP_CONFIG},
    [9] = {"getScatteredAccessAttributes", "get_scattered_access_attributes", MAMORI_OP_READ},
    [10] = {"deleteVariableAccess", "delete_variable_access", MAMORI_OP_CONFIG},
    [11] = {"defineNamedVariableList", "define_named_variable_list", MAMORI_OP_CONFIG},
    [12] = {"getNamedVariableListAttributes", "get_named_variable_list_attributes", MAMORI_OP_READ},
    [13] = {"deleteNamedVariableList", "delete_named_variable_list", MAMORI_OP_CONFIG},
    [14] = {"defineNamedType", "define_named_type", MAMORI_OP_CONFIG},
    [15] = {"getNamedTypeAttributes", "get_named_type_attributes", MAMORI_OP_READ},
    [16] = {"deleteNamedType", "delete_named_type", MAMORI_OP_CONFIG},
    [17] = {"input", "input", MAMORI_OP_OTHER},
    [18] = {"output", "output", MAMORI_OP_OTHER},
    [19] = {"takeControl", "take_control", MAMORI_OP_OPERATE},
    [20] = {"relinquishControl", "relinquish_control", MAMORI_OP_OPERATE},
    [21] = {"defineSemaphore", "define_semaphore", MAMORI_OP_CONFIG},
    [22] = {"deleteSemaphore", "delete_semaphore", MAMORI_OP_CONFIG},
    [23] = {"reportSemaphoreStatus", "report_semaphore_status", MAMORI_OP_READ},
    [24] = {"reportPoolSemaphoreStatus", "report_pool_semaphore_status", MAMORI_OP_READ},
    [25] = {"reportSemaphoreEntryStatus", "report_semaphore_entry_status", MAMORI_OP_READ},
    [26] = {"initiateDownloadSequence", "initiate_download_sequence", MAMORI_OP_PROGRAM},
    [27] = {"downloadSegment", "download_segment", MAMORI_OP_PROGRAM},
    [28] = {"terminateDownloadSequence", "terminate_download_sequence", MAMORI_OP_PROGRAM},
    [29] = {"initiateUploadSequence", "initiate_upload_sequence", MAMORI_OP_PROGRAM},
    [30] = {"uploadSegment", "upload_segment", MAMORI_OP_PROGRAM},
    [31] = {"terminateUploadSequence", "terminate_upload_sequence", MAMORI_OP_PROGRAM},
    [32] = {"requestDomainDownload", "request_domain_download", MAMORI_OP_PROGRAM},
    [33] = {"requestDomainUpload", "request_domain_upload", MAMORI_OP_PROGRAM},
    [34] = {"loadDomainContent", "load_domain_content", MAMORI_OP_PROGRAM},
    [35] = {"storeDomainContent", "store_domain_content", MAMORI_OP_PROGRAM},
    [36] = {"deleteDomain", "delete_domain", MAMORI_OP_PROGRAM},
    [37] = {"getDomainAttributes", "get_domain_attributes", MAMORI_OP_READ},
    [38] = {"createProgramInvocation", "create_program_invocation", MAMORI_OP_PROGRAM},
    [39] = {"deleteProgramInvocation", "delete_program_invocation", MAMORI_OP_PROGRAM},
    [40] = {"start", "start", MAMORI_OP_PROGRAM},
    [41] = {"stop", "stop", MAMORI_OP_PROGRAM},
    [42] = {"resume", "resume", MAMORI_OP_PROGRAM},
    [43] = {"reset", "reset", MAMORI_OP_PROGRAM},
    [44] = {"kill", "kill", MAMORI_OP_PROGRAM},
    [45] = {"getProgramInvocationAttributes", "get_program_invocation_attributes", MAMORI_OP_READ},
    [46] = {"obtainFile", "obtain_file", MAMORI_OP_FILE},
    [47] = {"defineEventCondition", "define_event_condition", MAMORI_OP_CONFIG},
    [48] = {"deleteEventCondition", "delete_event_condition", MAMORI_OP_CONFIG},
    [49] = {"getEventConditionAttributes", "get_event_condition_attributes", MAMORI_OP_READ},
    [50] = {"reportEventConditionStatus", "report_event_condition_status", MAMORI_OP_READ},
    [51] = {"alterEventConditionMonitoring", "alter_event_condition_monitoring", MAMORI_OP_CONFIG},
    [52] = {"triggerEvent", "trigger_event", MAMORI_OP_OTHER},
    [53] = {"defineEventAction", "define_event_action", MAMORI_OP_CONFIG},
    [54] = {"deleteEventAction", "delete_event_action", MAMORI_OP_CONFIG},
    [55] = {"getEventActionAttributes", "get_event_action_attributes", MAMORI_OP_READ},
    [56] = {"reportEventActionStatus", "report_event_action_status", MAMORI_OP_READ},
    [57] = {"defineEventEnrollment", "define_event_enrollment", MAMORI_OP_CONFIG},
    [58] = {"deleteEventEnrollment", "delete_event_enrollment", MAMORI_OP_CONFIG},
    [59] = {"alterEventEnrollment", "alter_event_enrollment", MAMORI_OP_CONFIG},
    [60] = {"reportEventEnrollmentStatus", "report_event_enrollment_status", MAMORI_OP_READ},
    [61] = {"getEventEnrollmentAttributes", "get_event_enrollment_attributes", MAMORI_OP_READ},
    [62] = {"acknowledgeEventNotification", "acknowledge_event_notification", MAMORI_OP_OTHER},
    [63] = {"getAlarmSummary", "get_alarm_summary", MAMORI_OP_READ},
    [64] = {"getAlarmEnrollmentSummary", "get_alarm_enrollment_summary", MAMORI_OP_READ},
    [65] = {"readJournal", "read_journal", MAMORI_OP_READ},
    [66] = {"writeJournal", "write_journal", MAMORI_OP_WRITE},
    [67] = {"initializeJournal", "initialize_journal", MAMORI_OP_CONFIG},
    [68] = {"reportJournalStatus", "report_journal_status", MAMORI_OP_READ},
    [69] = {"createJournal", "create_journal", MAMORI_OP_CONFIG},
    [70] = {"deleteJournal", "delete_journal", MAMORI_OP_CONFIG},
    [71] = {"getCapabilityList", "get_capability_list", MAMORI_OP_READ},
    [72] = {"fileOpen", "file_open", MAMORI_OP_FILE},
    [73] = {"fileRead", "file_read", MAMORI_OP_FILE},
    [74] = {"fileClose", "file_close", MAMORI_OP_FILE},
    [75] = {"fileRename", "file_rename", MAMORI_OP_FILE},
    [76] = {"fileDelete", "file_delete", MAMORI_OP_FILE},
    [77] = {"fileDirectory", "file_directory", MAMORI_OP_FILE},
};

static const struct mms_service unconfirmed_services[MMS_UNCONFIRMED_COUNT] = {
    [MMS_UNCONFIRMED_INFORMATION_REPORT] = {"informationReport", "information_report", MAMORI_OP_REPORT},
    [MMS_UNCONFIRMED_UNSOLICITED_STATUS] = {"unsolicitedStatus", "unsolicited_status", MAMORI_OP_REPORT},
    [MMS_UNCONFIRMED_EVENT_NOTIFICATION] = {"eventNotification", "event_notification", MAMORI_OP_REPORT},
};

static const char *const pdu_names[MMS_PDU_TYPE_COUNT] = {
    "confirmed-RequestPDU", "confirmed-ResponsePDU", "confirmed-ErrorPDU", "unconfirmed-PDU",
    "rejectPDU", "cancel-RequestPDU", "cancel-ResponsePDU", "cancel-ErrorPDU",
    "initiate-RequestPDU", "initiate-ResponsePDU", "initiate-ErrorPDU", "conclude-RequestPDU",
    "conclude-ResponsePDU", "conclude-ErrorPDU",
};

static const char *const pdu_function_names[MMS_PDU_TYPE_COUNT] = {
    "confirmed_request", "confirmed_response", "confirmed_error", "unconfirmed",
    "reject", "cancel_request", "cancel_response", "cancel_error",
    "initiate_request", "initiate_response", "initiate_error", "conclude_request",
    "conclude_response", "conclude_error",
};

static const char *const error_classes[] = {
    "vmd-state", "application-reference", "definition", "resource", "service", "service-preempt",
    "time-resolution", "access", "initiate", "conclude", "cancel", "file", "others",
};

static const char *const reject_reasons[] = {
    NULL, "confirmed-requestPDU", "confirmed-responsePDU", "confirmed-errorPDU", "unconfirmedPDU",
    "pdu-error", "cancel-requestPDU", "cancel-responsePDU", "cancel-errorPDU", "conclude-requestPDU",
    "conclude-responsePDU", "conclude-errorPDU",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* DPL (IEC 61850-7-3): vendor, hwRev, swRev, serNum, model, location, then
 * components that do not identify the device. */
static const struct mms_nameplate_component dpl_components[] = {
    {"vendor", "vendor", 0},
    {"hwRev", "hardware_version", 1},
    {"swRev", "software_version", 2},
    {"serNum", "serial_number", 3},
    {"model", "model_name", 4},
    {"location", "location", 5},
};

/* LPL: vendor, swRev, d (optional), dU (optional), configRev (mandatory in LLN0). */
static const struct mms_nameplate_component lpl_components[] = {
    {"vendor", "vendor", 0},
    {"swRev", "software_version", 1},
    {"configRev", "config_revision", MMS_NAMEPLATE_LAST},
};

const struct mms_nameplate_component *mms_nameplate_components(enum mms_nameplate_cdc cdc, unsigned *count)
{
    *count = cdc == MMS_NAMEPLATE_DPL ? COUNT(dpl_components) : COUNT(lpl_components);
    return cdc == MMS_NAMEPLATE_DPL ? dpl_components : lpl_components;
}

const struct mms_service *mms_confirmed_service(uint32_t tag)
{
    return tag < MMS_SVC_COUNT ? &confirmed_services[tag] : NULL;
}

const struct mms_service *mms_unconfirmed_service(uint32_t tag)
{
    return tag < MMS_UNCONFIRMED_COUNT ? &unconfirmed_services[tag] : NULL;
}

const char *mms_pdu_name(uint32_t type) { return type < MMS_PDU_TYPE_COUNT ? pdu_names[type] : NULL; }

const char *mms_pdu_function_name(uint32_t type)
{
    return type < MMS_PDU_TYPE_COUNT ? pdu_function_names[type] : NULL;
}

const char *mms_error_class_name(uint32_t tag) { return tag < COUNT(error_classes) ? error_classes[tag] : NULL; }

const char *mms_reject_reason_name(uint32_t tag)
{
    return tag < COUNT(reject_reasons) ? reject_reasons[tag] : NULL;
}
