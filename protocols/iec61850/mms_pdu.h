/* mms_pdu.h — decodes one MMS PDU (ISO 9506-2 MMSpdu) into a normalized event
 * and its `mms` detail.
 *
 * Fills role, operation class, function (the confirmed service), object (the
 * first named variable, domain, program invocation or file), status (error
 * class, reject reason, first access failure), values (data read, written or
 * reported) and identity (identify responses). Reports what a caller needs
 * for request/response pairing. It does not emit: the caller adds latency and
 * decides whether a malformed PDU becomes an anomaly. */
#ifndef MAMORI_MMS_PDU_H
#define MAMORI_MMS_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cursor.h"
#include "../event.h"
#include "mms_services.h"

struct mms_pdu_info {
    enum mms_pdu_type type;
    bool has_invoke_id;
    uint32_t invoke_id; /* invokeID, or originalInvokeID of cancel and reject */
    bool has_service;
    uint32_t service;   /* confirmed service tag (requests, responses) */
    bool operate;       /* a write to an IEC 61850 control object */
    const char *error;  /* first malformation, snake_case; NULL when well-formed */
};

/* True when `first` is the identifier octet of an MMSpdu alternative. */
bool mms_pdu_first_octet(uint8_t first);

/* `ev` was started with mamori_event_init(); object_buf (object_cap bytes)
 * receives the text ev->object points to. */
void mms_pdu_decode(cursor pdu, struct mamori_event *ev, char *object_buf, size_t object_cap,
                    struct mms_pdu_info *info);

#endif
