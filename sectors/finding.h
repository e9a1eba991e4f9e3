/* finding.h — the kinds of finding the detection engine raises.
 *
 * One table (finding.c) names each finding, gives its alert category, its
 * MITRE ATT&CK for ICS technique and its default severity. Sector profiles
 * refer to findings by name to set severity and suppression windows; the
 * engine refers to them by enum. This file knows nothing about how a finding
 * is detected. */
#ifndef MAMORI_FINDING_H
#define MAMORI_FINDING_H

#include "alert.h"

enum finding {
    /* A privileged operation by a host whose role does not permit it. */
    FINDING_UNAUTHORIZED_WRITE,
    FINDING_UNAUTHORIZED_OPERATE,
    FINDING_UNAUTHORIZED_COMMAND, /* diagnostic, time-sync and other commands */
    FINDING_DEVICE_RESTART,
    FINDING_LISTEN_ONLY,
    FINDING_MODE_CHANGE,          /* stop/start/resume of a device or its program */
    FINDING_PROGRAM_DOWNLOAD,
    FINDING_PROGRAM_UPLOAD,
    FINDING_FIRMWARE_TRANSFER,
    FINDING_CONFIG_CHANGE,
    FINDING_FILE_TRANSFER,
    FINDING_ALARM_SUPPRESSION,    /* DNP3 disable unsolicited responses */
    /* Reconnaissance, aggregated over a window. */
    FINDING_UNIT_SWEEP,
    FINDING_FUNCTION_SWEEP,
    FINDING_HOST_SWEEP,
    FINDING_IDENTIFY_SWEEP,
    FINDING_NAME_ENUMERATION,
    /* Volume. */
    FINDING_FLOOD,
    FINDING_EXCEPTION_STORM,
    FINDING_ANOMALY_STORM,
    FINDING_UNANSWERED,           /* a device stopped answering a client's requests */
    /* Traffic the sector does not expect. */
    FINDING_FORBIDDEN_PROTOCOL,
    FINDING_REMOTE_ACCESS,
    FINDING_EXTERNAL_PEER,
    FINDING_UNEXPECTED_PROTOCOL,
    /* Integrity and timing of published data (GOOSE, SV). */
    FINDING_INTEGRITY_ANOMALY,
    FINDING_PUBLISH_LATE,         /* a publisher silent past its time allowed to live */
    FINDING_POLL_DEVIATION,       /* a learned pair polls much faster or slower than it did */
    /* Deviations from the learned baseline. */
    FINDING_NEW_PEER,
    FINDING_NEW_FUNCTION,
    FINDING_NEW_UNIT,
    FINDING_NEW_RANGE,
    FINDING_NEW_OBJECT,
    FINDING_NEW_PUBLISHER,
    FINDING_VALUE_OUT_OF_RANGE,
    /* Assets and firmware (firmware/). */
    FINDING_NEW_DEVICE,
    FINDING_FIRMWARE_CHANGE,     /* a device reports another firmware or software revision */
    FINDING_DEVICE_REPLACED,     /* vendor, model or serial changed at the same address */
    FINDING_CONF_REV_CHANGE,     /* IEC 61850 configuration revision changed */
    FINDING_VULNERABLE_FIRMWARE, /* a device runs firmware listed in an advisory */
    FINDING_UNTRUSTED_VENDOR,    /* equipment of a vendor the procurement policy excludes */
    FINDING__COUNT
};

struct finding_info {
    const char *name;     /* profile key and alert category, lowercase-dashed */
    const char *technique; /* ATT&CK for ICS id */
    const char *technique_name;
    enum mamori_severity severity; /* default; profiles override */
};

const struct finding_info *finding_info(enum finding f);
/* Parses a finding name; -1 when unknown. */
int finding_parse(const char *name);

#endif
