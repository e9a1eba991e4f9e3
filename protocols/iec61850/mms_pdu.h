/* mms_pdu.h — decodes one MMS PDU (ISO 9506-2 MMSpdu) into a normalized event
 * and its `mms` detail.
 *
 * Fills role, operation class, function (the confirmed service), object (the
 * first named variable, domain, program invocation or file), status (error
 * class, reject reason, first access failure), values (data read, written or
 * reported) and identity (identify responses; nameplate reads once the
 * response is paired, with mms_read_nameplate). Reports what a caller needs
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

#define MMS_NAMEPLATE_MAX 12 /* nameplate variables remembered of one read request */
#define MMS_NAMEPLATE_WHOLE 0xff /* `component` of a read of the whole structure */

/* The variables of a read request that name an IEC 61850 nameplate (see
 * mms_services.h) or one of its identity components, by their position in
 * listOfVariable: the read response's results at those positions carry them. */
struct mms_nameplate {
    uint8_t n;
    uint8_t cdc[MMS_NAMEPLATE_MAX];       /* enum mms_nameplate_cdc */
    uint8_t component[MMS_NAMEPLATE_MAX]; /* index in mms_nameplate_components(), or MMS_NAMEPLATE_WHOLE */
    uint16_t position[MMS_NAMEPLATE_MAX];
};

struct mms_pdu_info {
    enum mms_pdu_type type;
    bool has_invoke_id;
    uint32_t invoke_id; /* invokeID, or originalInvokeID of cancel and reject */
    bool has_service;
    uint32_t service;   /* confirmed service tag (requests, responses) */
    bool operate;       /* a write to an IEC 61850 control object */
    struct mms_nameplate nameplate; /* read requests: variables naming a nameplate */
    bool has_results;
    cursor results;     /* read responses: listOfAccessResult */
    const char *error;  /* first malformation, snake_case; NULL when well-formed */
};

/* True when `first` is the identifier octet of an MMSpdu alternative. */
bool mms_pdu_first_octet(uint8_t first);

/* `ev` was started with mamori_event_init(); object_buf (object_cap bytes)
 * receives the text ev->object points to. */
void mms_pdu_decode(cursor pdu, struct mamori_event *ev, char *object_buf, size_t object_cap,
                    struct mms_pdu_info *info);

/* Adds to `ev` the identity facts in a read response's listOfAccessResult
 * `results` at the positions its request's `nameplate` noted (visible or
 * MMS strings; each fact once). True when it found any. */
bool mms_read_nameplate(const struct mms_nameplate *nameplate, cursor results, struct mamori_event *ev);

#endif
