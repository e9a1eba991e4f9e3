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
#define MMS_LD_NAME_MAX 64 /* longest logical device name (domainId) a NamPlt fact is qualified by */
#define MMS_NAMEPLATE_LD_TEXT (2 * MMS_LD_NAME_MAX) /* octets of logical device names kept per read request */
#define MMS_FACT_BASE_MAX 16 /* longest nameplate fact name, "software_version" */
/* "software_version:<LD>" and its NUL. */
#define MMS_FACT_NAME_MAX (MMS_FACT_BASE_MAX + 1 + MMS_LD_NAME_MAX + 1)

/* The variables of a read request that name an IEC 61850 nameplate (see
 * mms_services.h) or one of its identity components, by their position in
 * listOfVariable: the read response's results at those positions carry them.
 * A NamPlt (LPL) is about its logical device: the entry keeps the domainId,
 * each distinct one stored once in ld_text. */
struct mms_nameplate {
    uint8_t n;
    uint8_t ld_used;                      /* octets of ld_text in use */
    uint8_t cdc[MMS_NAMEPLATE_MAX];       /* enum mms_nameplate_cdc */
    uint8_t component[MMS_NAMEPLATE_MAX]; /* index in mms_nameplate_components(), or MMS_NAMEPLATE_WHOLE */
    uint8_t ld_at[MMS_NAMEPLATE_MAX];     /* the entry's logical device in ld_text ... */
    uint8_t ld_len[MMS_NAMEPLATE_MAX];    /* ... and its length; 0 for a PhyNam (DPL) */
    uint16_t position[MMS_NAMEPLATE_MAX];
    char ld_text[MMS_NAMEPLATE_LD_TEXT]; /* last: not cleared per PDU, written before it is read */
};

/* The qualified fact names ("vendor:<LD>") of one event's identity, by fact
 * index: the event borrows them, so they live until it is emitted. */
struct mms_fact_names {
    char name[MAMORI_EVENT_MAX_IDENTITY][MMS_FACT_NAME_MAX];
};

struct mms_pdu_info {
    enum mms_pdu_type type;
    bool has_invoke_id;
    uint32_t invoke_id; /* invokeID, or originalInvokeID of cancel and reject */
    bool has_service;
    uint32_t service;   /* confirmed service tag (requests, responses) */
    bool operate;       /* a write to an IEC 61850 control object */
    bool has_results;
    cursor results;     /* read responses: listOfAccessResult */
    const char *error;  /* first malformation, snake_case; NULL when well-formed */
    struct mms_nameplate nameplate; /* read requests: variables naming a nameplate (last, see ld_text) */
};

/* True when `first` is the identifier octet of an MMSpdu alternative. */
bool mms_pdu_first_octet(uint8_t first);

/* `ev` was started with mamori_event_init(); object_buf (object_cap bytes)
 * receives the text ev->object points to. */
void mms_pdu_decode(cursor pdu, struct mamori_event *ev, char *object_buf, size_t object_cap,
                    struct mms_pdu_info *info);

/* Adds to `ev` the identity facts in a read response's listOfAccessResult
 * `results` at the positions its request's `nameplate` noted (visible or
 * MMS strings; each fact once): PhyNam facts by their name, NamPlt facts
 * qualified by their logical device ("software_version:<LD>"), the names
 * composed in `names`. True when it found any. */
bool mms_read_nameplate(const struct mms_nameplate *nameplate, cursor results, struct mamori_event *ev,
                        struct mms_fact_names *names);

#endif
