/* dnp3_session.h — DNP3 transactions of one flow: request/response pairing by
 * application sequence number, unsolicited responses awaiting confirmation,
 * the request flood bound, and select-before-operate tracking.
 *
 * Bounded: at most DNP3_MAX_PENDING outstanding entries, kept oldest first
 * (more is a flood; the oldest is dropped) and DNP3_MAX_SELECTS remembered
 * selects. Requests older than the response timeout, and those still
 * outstanding when the flow ends, are handed back oldest first; confirms
 * awaited longer than the timeout are forgotten. Emits nothing; the decoder turns
 * the answers into latency and anomalies. */
#ifndef MAMORI_DNP3_SESSION_H
#define MAMORI_DNP3_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNP3_MAX_PENDING 32 /* Suricata's default request flood threshold */
#define DNP3_MAX_SELECTS 4

enum dnp3_pending_kind {
    DNP3_PENDING_REQUEST,     /* master request awaiting a response */
    DNP3_PENDING_UNSOLICITED, /* unsolicited response awaiting a confirm */
};

struct dnp3_pending {
    uint8_t kind;
    uint8_t seq;
    uint8_t func; /* the request's application function */
    uint16_t master, outstation;
    uint64_t time_us;
};

struct dnp3_select {
    bool used;
    uint8_t seq;
    uint16_t master, outstation;
    uint32_t objects_hash;
    uint64_t time_us;
};

struct dnp3_session {
    uint64_t timeout_us;
    bool flooded; /* reported once, re-armed when the backlog drains */
    uint32_t unanswered; /* requests reported unanswered so far */
    uint32_t n_pending;
    struct dnp3_pending pending[DNP3_MAX_PENDING]; /* oldest first */
    struct dnp3_select selects[DNP3_MAX_SELECTS];
};

void dnp3_session_init(struct dnp3_session *s, uint64_t timeout_us);

/* Records an outstanding entry. Returns true when this entry starts a flood
 * (the table was full of live entries). */
bool dnp3_session_expect(struct dnp3_session *s, enum dnp3_pending_kind kind, uint8_t func, uint16_t master,
                         uint16_t outstation, uint8_t seq, uint64_t now_us);

/* Matches a response (kind REQUEST) or a confirm (kind UNSOLICITED) to its
 * outstanding entry; returns the latency in microseconds, or -1. */
int64_t dnp3_session_answer(struct dnp3_session *s, enum dnp3_pending_kind kind, uint16_t master,
                            uint16_t outstation, uint8_t seq, uint64_t now_us);

/* Takes the oldest request still awaiting its response into *out and counts
 * it as unanswered; false when none is left (confirms are not requests). */
bool dnp3_session_take_unanswered(struct dnp3_session *s, struct dnp3_pending *out);

/* The same for a request unanswered longer than the response timeout at
 * `now_us`; confirms awaited that long are dropped on the way. Costs a
 * comparison when the oldest entry is still in time. */
bool dnp3_session_take_expired(struct dnp3_session *s, uint64_t now_us, struct dnp3_pending *out);

/* A select request's objects, identified by a hash of their bytes. */
void dnp3_session_select(struct dnp3_session *s, uint16_t master, uint16_t outstation, uint8_t seq,
                         uint32_t objects_hash, uint64_t now_us);

/* True when an operate matches a remembered select: same addresses, the
 * next sequence number and identical objects. The select is used up. */
bool dnp3_session_operate(struct dnp3_session *s, uint16_t master, uint16_t outstation, uint8_t seq,
                          uint32_t objects_hash, uint64_t now_us);

/* FNV-1a over object bytes, for comparing a select with its operate. */
uint32_t dnp3_objects_hash(const uint8_t *data, size_t len);

#endif
