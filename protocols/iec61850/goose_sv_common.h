/* goose_sv_common.h — what the GOOSE and Sampled Values decoders share.
 *
 * Both ride directly on Ethernet with the same 8-octet header (APPID, Length,
 * Reserved 1 with the simulation bit, Reserved 2) before a BER APDU. Both track
 * a few named publications per flow (gocbRef, svID) and both must notice a
 * second publisher of the same name, which needs the worker-wide registry
 * here (the decoder's shared_new() state). Nothing here allocates per packet:
 * the registry is one fixed table made at start-up. */
#ifndef MAMORI_GOOSE_SV_COMMON_H
#define MAMORI_GOOSE_SV_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cursor.h"
#include "../decoder.h"
#include "../event.h"
#include "ber.h"

#define GOOSE_SV_HEADER_LEN 8
#define GOOSE_SV_S_BIT 0x8000 /* Reserved 1: the frame is simulated (IEC 61850-8-1 Ed.2) */
#define GOOSE_SV_NAME_MAX 129 /* VisibleString129: gocbRef, svID */

struct goose_sv_header {
    uint16_t appid, length, reserve1, reserve2;
};

/* Reads the header from a frame and carves the APDU: exactly Length - 8
 * octets (Ethernet padding after it is ignored). Returns NULL, or the anomaly
 * name when the frame is too short for the header ("truncated_header"), the
 * Length is below 8 ("bad_length"), or Length runs past the captured frame
 * ("truncated_frame"; *apdu then holds what was captured). */
const char *goose_sv_header_read(const uint8_t *data, size_t len, struct goose_sv_header *h, cursor *apdu);

/* appid, length, reserve1, s_bit, reserve2 */
void goose_sv_header_detail(struct mamori_detail *d, const struct goose_sv_header *h);

/* A publication name as stored in state (the first GOOSE_SV_NAME_MAX octets
 * and the full length, so longer names still compare unequal). */
struct goose_sv_name {
    uint16_t len;
    uint8_t text[GOOSE_SV_NAME_MAX];
};

void goose_sv_name_set(struct goose_sv_name *n, const struct mamori_text *t);
bool goose_sv_name_eq(const struct goose_sv_name *n, const struct mamori_text *t);

/* A per-flow slot: the first member of each decoder's own slot struct. */
struct goose_sv_slot {
    bool used;
    uint64_t last_us;
    struct goose_sv_name name;
};

/* Finds the slot named `name` in an array of `count` slots of `stride` bytes,
 * or takes a free one, or the least recently used (cleared). *fresh tells the
 * caller the slot is new and holds no history. */
struct goose_sv_slot *goose_sv_slot_find(void *slots, size_t stride, size_t count, const struct mamori_text *name,
                                         bool *fresh);

/* The worker-wide registry of which flow publishes which name. */
struct goose_sv_registry;

/* Shaped as the decoder's shared_new/shared_free, which both decoders use. */
void *goose_sv_registry_new(const struct mamori_decoder_options *opts);
void goose_sv_registry_free(void *registry);

/* A publisher's zeroed per-flow state of `size` bytes; NULL when that is over
 * the state budget. */
void *goose_sv_state_new(const struct mamori_decoder_options *opts, size_t size);
/* A fresh owner id for a flow (never 0). */
uint64_t goose_sv_registry_owner(struct goose_sv_registry *r);
/* The latest capture time any flow of this worker reported (see
 * goose_sv_registry_claim): lets finish(), which gets the flow's own last
 * time, tell how long the flow had been silent when it ended. */
uint64_t goose_sv_registry_latest(const struct goose_sv_registry *r);
/* Records that `owner` published `name` at now_us. True when a different
 * owner published the same name less than stale_us before; that owner keeps
 * the name. After stale_us of silence the name passes to the new owner. */
bool goose_sv_registry_claim(struct goose_sv_registry *r, const struct mamori_text *name, uint64_t owner,
                             uint64_t now_us, uint64_t stale_us);

/* Starts an ANOMALY event about publication `object`. */
void goose_sv_anomaly_begin(struct mamori_event *ev, struct mamori_sink *sink, const char *protocol,
                            const char *anomaly, enum mamori_op op, const struct mamori_text *object);

/* Emits the publisher's identity fact `conf_rev:<name>` = confRev in decimal,
 * as an IDENTITY event with no role (it is not a publication: the sector
 * engine and the baseline count publish events only). Decoders call it when a
 * publication is first seen and when its confRev changes. */
void goose_sv_conf_rev_identity(struct mamori_sink *sink, const char *protocol, const struct mamori_text *name,
                                uint32_t conf_rev);

/* The next BER element of a PDU. In a frame the capture cut short
 * (`truncated`), an element running past the end is cut instead of failing
 * (ber_next_cut); a cut primitive is not a value, so *stop tells the caller to
 * end its walk there. Otherwise exactly ber_next. */
static inline enum ber_status goose_sv_next(cursor *c, struct ber_tlv *tlv, bool truncated, bool *stop)
{
    if (!truncated) { /* the hot path: whole frames */
        *stop = false;
        return ber_next(c, tlv);
    }
    bool cut;
    enum ber_status st = ber_next_cut(c, tlv, &cut);
    *stop = cut && !tlv->constructed;
    return st;
}

/* Reads a BER value as a fixed-size big-endian unsigned of 1..max_octets octets
 * (SV smpCnt, confRev, smpRate; GOOSE stNum as INTEGER goes through ber_uint). */
static inline bool goose_sv_fixed_uint(cursor value, size_t max_octets, uint64_t *out)
{
    size_t n = cursor_left(&value);
    if (n == 0 || n > max_octets || n > sizeof *out)
        return false;
    *out = cursor_be_n(&value, n);
    return true;
}

#endif
