/* finding.c — names, ATT&CK for ICS techniques and default severities of the
 * engine's findings (finding.h). */
#include "finding.h"

#include <string.h>

static const struct finding_info findings[FINDING__COUNT] = {
    [FINDING_UNAUTHORIZED_WRITE] = { "unauthorized-write", "T0836", "Modify Parameter", MAMORI_SEV_HIGH },
    [FINDING_UNAUTHORIZED_OPERATE] = { "unauthorized-operate", "T0855", "Unauthorized Command Message",
                                       MAMORI_SEV_HIGH },
    [FINDING_UNAUTHORIZED_COMMAND] = { "unauthorized-command", "T0855", "Unauthorized Command Message",
                                       MAMORI_SEV_MEDIUM },
    [FINDING_DEVICE_RESTART] = { "device-restart", "T0816", "Device Restart/Shutdown", MAMORI_SEV_CRITICAL },
    [FINDING_LISTEN_ONLY] = { "listen-only", "T0814", "Denial of Service", MAMORI_SEV_CRITICAL },
    [FINDING_MODE_CHANGE] = { "mode-change", "T0858", "Change Operating Mode", MAMORI_SEV_CRITICAL },
    [FINDING_PROGRAM_DOWNLOAD] = { "program-download", "T0843", "Program Download", MAMORI_SEV_CRITICAL },
    [FINDING_PROGRAM_UPLOAD] = { "program-upload", "T0845", "Program Upload", MAMORI_SEV_HIGH },
    [FINDING_FIRMWARE_TRANSFER] = { "firmware-transfer", "T0857", "System Firmware", MAMORI_SEV_CRITICAL },
    [FINDING_CONFIG_CHANGE] = { "config-change", "T0836", "Modify Parameter", MAMORI_SEV_HIGH },
    [FINDING_FILE_TRANSFER] = { "file-transfer", "T0867", "Lateral Tool Transfer", MAMORI_SEV_HIGH },
    [FINDING_ALARM_SUPPRESSION] = { "alarm-suppression", "T0878", "Alarm Suppression", MAMORI_SEV_HIGH },
    [FINDING_UNIT_SWEEP] = { "unit-sweep", "T0846", "Remote System Discovery", MAMORI_SEV_MEDIUM },
    [FINDING_FUNCTION_SWEEP] = { "function-sweep", "T0888", "Remote System Information Discovery",
                                 MAMORI_SEV_MEDIUM },
    [FINDING_HOST_SWEEP] = { "host-sweep", "T0846", "Remote System Discovery", MAMORI_SEV_MEDIUM },
    [FINDING_IDENTIFY_SWEEP] = { "identify-sweep", "T0888", "Remote System Information Discovery",
                                 MAMORI_SEV_MEDIUM },
    [FINDING_NAME_ENUMERATION] = { "name-enumeration", "T0888", "Remote System Information Discovery",
                                   MAMORI_SEV_MEDIUM },
    [FINDING_FLOOD] = { "flood", "T0814", "Denial of Service", MAMORI_SEV_HIGH },
    [FINDING_EXCEPTION_STORM] = { "exception-storm", "T0888", "Remote System Information Discovery",
                                  MAMORI_SEV_MEDIUM },
    [FINDING_ANOMALY_STORM] = { "protocol-anomaly", "T0866", "Exploitation of Remote Services",
                                MAMORI_SEV_MEDIUM },
    [FINDING_UNANSWERED] = { "unanswered-requests", "T0814", "Denial of Service", MAMORI_SEV_MEDIUM },
    [FINDING_FORBIDDEN_PROTOCOL] = { "forbidden-protocol", "T0869", "Standard Application Layer Protocol",
                                     MAMORI_SEV_HIGH },
    [FINDING_REMOTE_ACCESS] = { "remote-access", "T0886", "Remote Services", MAMORI_SEV_HIGH },
    [FINDING_EXTERNAL_PEER] = { "external-peer", "T0883", "Internet Accessible Device", MAMORI_SEV_HIGH },
    [FINDING_UNEXPECTED_PROTOCOL] = { "unexpected-protocol", "T0869", "Standard Application Layer Protocol",
                                      MAMORI_SEV_MEDIUM },
    [FINDING_INTEGRITY_ANOMALY] = { "integrity-anomaly", "T0856", "Spoof Reporting Message", MAMORI_SEV_HIGH },
    [FINDING_PUBLISH_LATE] = { "publish-late", "T0814", "Denial of Service", MAMORI_SEV_MEDIUM },
    [FINDING_POLL_DEVIATION] = { "poll-deviation", "T0814", "Denial of Service", MAMORI_SEV_MEDIUM },
    [FINDING_NEW_PEER] = { "new-peer", "T0848", "Rogue Master", MAMORI_SEV_HIGH },
    [FINDING_NEW_FUNCTION] = { "new-function", "T0855", "Unauthorized Command Message", MAMORI_SEV_MEDIUM },
    [FINDING_NEW_UNIT] = { "new-unit", "T0855", "Unauthorized Command Message", MAMORI_SEV_MEDIUM },
    [FINDING_NEW_RANGE] = { "new-range", "T0855", "Unauthorized Command Message", MAMORI_SEV_LOW },
    [FINDING_NEW_OBJECT] = { "new-object", "T0855", "Unauthorized Command Message", MAMORI_SEV_LOW },
    [FINDING_NEW_PUBLISHER] = { "new-publisher", "T0856", "Spoof Reporting Message", MAMORI_SEV_HIGH },
    [FINDING_VALUE_OUT_OF_RANGE] = { "value-out-of-range", "T0836", "Modify Parameter", MAMORI_SEV_HIGH },
    [FINDING_NEW_DEVICE] = { "new-device", "T0848", "Rogue Master", MAMORI_SEV_MEDIUM },
    [FINDING_FIRMWARE_CHANGE] = { "firmware-change", "T0857", "System Firmware", MAMORI_SEV_HIGH },
    [FINDING_DEVICE_REPLACED] = { "device-replaced", "T0849", "Masquerading", MAMORI_SEV_HIGH },
    [FINDING_CONF_REV_CHANGE] = { "conf-rev-change", "T0836", "Modify Parameter", MAMORI_SEV_MEDIUM },
    [FINDING_VULNERABLE_FIRMWARE] = { "vulnerable-firmware", "T0866", "Exploitation of Remote Services",
                                      MAMORI_SEV_HIGH },
    [FINDING_UNTRUSTED_VENDOR] = { "untrusted-vendor", "T0862", "Supply Chain Compromise", MAMORI_SEV_HIGH },
};

const struct finding_info *finding_info(enum finding f)
{
    return &findings[(unsigned)f < FINDING__COUNT ? f : FINDING_UNAUTHORIZED_COMMAND];
}

int finding_parse(const char *name)
{
    for (int i = 0; i < FINDING__COUNT; i++)
        if (strcmp(name, findings[i].name) == 0)
            return i;
    return -1;
}
