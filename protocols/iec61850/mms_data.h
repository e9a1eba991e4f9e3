/* mms_data.h — the MMS Data CHOICE (ISO 9506-2, as profiled by IEC 61850-8-1),
 * shared by GOOSE allData and MMS read/write/informationReport values.
 *
 * Walks one Data element (or a SEQUENCE OF Data) with the BER reader, checks
 * every type's content, and writes the value tree into a detail token stream:
 * each Data becomes a one-type object named as Wireshark names the CHOICE
 * ({"boolean":true}, {"bit-string":"80","padding":7}, {"structure":[...]}).
 * The walk validates even when no detail is wanted (detail NULL), so malformed
 * values are always found. Scalar values can also be collected into an event's
 * `values`. Nothing here allocates.
 *
 * Also here: the IEC 61850 UtcTime (8 octets: seconds, 24-bit fraction and a
 * quality octet), which GOOSE `t`, SV `refrTm` and Data utc-time share. */
#ifndef MAMORI_MMS_DATA_H
#define MAMORI_MMS_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../detail.h"
#include "../event.h"
#include "ber.h"

/* Context-specific tags of the Data CHOICE. */
enum mms_data_tag {
    MMS_DATA_ARRAY = 1,
    MMS_DATA_STRUCTURE = 2,
    MMS_DATA_BOOLEAN = 3,
    MMS_DATA_BIT_STRING = 4,
    MMS_DATA_INTEGER = 5,
    MMS_DATA_UNSIGNED = 6,
    MMS_DATA_FLOATING_POINT = 7,
    MMS_DATA_REAL = 8,
    MMS_DATA_OCTET_STRING = 9,
    MMS_DATA_VISIBLE_STRING = 10,
    MMS_DATA_GENERALIZED_TIME = 11,
    MMS_DATA_BINARY_TIME = 12,
    MMS_DATA_BCD = 13,
    MMS_DATA_BOOLEAN_ARRAY = 14,
    MMS_DATA_OBJ_ID = 15,
    MMS_DATA_MMS_STRING = 16,
    MMS_DATA_UTC_TIME = 17,
};

enum mms_data_error {
    MMS_DATA_OK = 0,
    MMS_DATA_BAD_BER,   /* tag or length broken, or runs past its parent */
    MMS_DATA_BAD_TAG,   /* not a context-specific Data CHOICE alternative */
    MMS_DATA_BAD_VALUE, /* content does not fit its type (e.g. a 2-octet boolean) */
    MMS_DATA_TOO_DEEP,  /* nested deeper than BER_MAX_DEPTH */
};

/* snake_case name for anomaly events, e.g. "mms_data_bad_value". */
const char *mms_data_error_name(enum mms_data_error e);

/* Where a walk writes. Both may be NULL. `values` receives booleans (0/1),
 * integers, unsigneds and floats in document order, up to its capacity. */
struct mms_data_out {
    struct mamori_detail *detail;
    struct mamori_event *values;
};

/* One Data element read by ber_next(). `key` names it inside a detail object
 * (NULL inside an array). `depth` is how deep tlv already sits in its PDU.
 * A scalar whose content does not fit its type is written as its raw octets
 * and gives MMS_DATA_BAD_VALUE; inside a structure or array the walk then goes
 * on and the first such error is returned. Other errors stop the walk; the
 * detail stays balanced either way. */
enum mms_data_error mms_data_read(const struct mms_data_out *out, const char *key,
                                  const struct ber_tlv *tlv, unsigned depth);

/* A SEQUENCE OF Data (GOOSE allData, MMS listOfData): writes an array named
 * `key` and stores the number of elements in *count (also on error: the
 * elements read so far). */
enum mms_data_error mms_data_read_list(const struct mms_data_out *out, const char *key, cursor list,
                                       unsigned depth, uint32_t *count);

/* IEC 61850-8-1 UtcTime. */
struct iec61850_utc_time {
    uint32_t seconds;  /* since 1970-01-01 00:00:00 UTC */
    uint32_t fraction; /* 24-bit binary fraction of a second */
    uint8_t quality;   /* leap-seconds-known, clock-failure, not-synchronized, 5-bit accuracy */
};

#define IEC61850_UTC_TIME_LEN 8
/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" plus NUL */
#define IEC61850_TIME_TEXT_MAX 40

/* False unless the value is exactly 8 octets. */
bool iec61850_utc_time_read(cursor value, struct iec61850_utc_time *t);
/* Nanoseconds of the fraction, truncated as Wireshark does. */
uint32_t iec61850_utc_time_nanos(const struct iec61850_utc_time *t);
/* Formats as ISO 8601 UTC with nanoseconds; returns the text length. */
size_t iec61850_utc_time_format(const struct iec61850_utc_time *t, char *out, size_t outlen);
/* Writes `key` as the ISO text and `quality_key` as an object with
 * leapSecondsKnown, clockFailure, clockNotSynchronized, timeAccuracy. */
void iec61850_utc_time_detail(struct mamori_detail *d, const char *key, const char *quality_key,
                              const struct iec61850_utc_time *t);

#endif
