/* event.h — the normalized ICS event: one operation seen on the wire.
 *
 * Decoders fill an event and hand it to a sink; judges (sectors/) and the
 * inventory (firmware/) read events and never see packet bytes. The event is
 * protocol-neutral enough for judging (what class of operation, on which unit
 * and address range, with which result), and carries the decoder's own view of
 * the PDU as a detail token stream for the event log and alert evidence.
 *
 * Lifetime: an event, and every pointer in it, is valid only during the sink's
 * emit call. A sink that keeps anything copies it. A decoder builds one event
 * at a time, because the detail buffer belongs to the sink. */
#ifndef MAMORI_EVENT_H
#define MAMORI_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detail.h"

#define MAMORI_EVENT_MAX_VALUES 16
#define MAMORI_EVENT_MAX_IDENTITY 12

enum mamori_event_kind {
    MAMORI_EVENT_OPERATION, /* a request, response, report or publish */
    MAMORI_EVENT_ANOMALY,   /* a protocol anomaly; `anomaly` names it */
    MAMORI_EVENT_IDENTITY,  /* the device told who it is; see `identity` */
};

enum mamori_role {
    MAMORI_ROLE_NONE,
    MAMORI_ROLE_REQUEST,
    MAMORI_ROLE_RESPONSE,
    MAMORI_ROLE_UNSOLICITED,
    MAMORI_ROLE_PUBLISH,
};

enum mamori_op {
    MAMORI_OP_NONE,
    MAMORI_OP_READ,
    MAMORI_OP_WRITE,
    MAMORI_OP_OPERATE,    /* control: DNP3 operate, MMS write to $CO$...$Oper */
    MAMORI_OP_DIAGNOSTIC,
    MAMORI_OP_RESTART,
    MAMORI_OP_PROGRAM,    /* program or firmware transfer, start/stop of programs */
    MAMORI_OP_CONFIG,     /* configuration change or activation */
    MAMORI_OP_FILE,
    MAMORI_OP_TIME_SYNC,
    MAMORI_OP_IDENTIFY,
    MAMORI_OP_REPORT,     /* data reported by a device: responses, unsolicited, GOOSE, SV */
    MAMORI_OP_EXCEPTION,  /* a device refused a request */
    MAMORI_OP_MALFORMED,
    MAMORI_OP_SESSION,    /* association set-up and tear-down, link management */
    MAMORI_OP_OTHER,
    MAMORI_OP__COUNT
};

/* Text from the wire: not NUL-terminated. */
struct mamori_text {
    const char *ptr;
    size_t len;
};

/* One identity fact a device revealed. Names used across protocols:
 * vendor, product_code, revision, vendor_url, product_name, model_name,
 * user_application_name, serial_number, hardware_version, software_version,
 * device_name, location, server_id, run_status, conf_rev, config_revision,
 * vendor_id, device_type. */
struct mamori_identity_field {
    const char *name;
    struct mamori_text value;
};

/* Addresses of the packet that carried the event (sender = src). The core fills
 * this; decoders leave it alone. */
struct mamori_endpoints {
    uint8_t ip_version; /* 4, 6, or 0 for layer-2 traffic */
    uint8_t l4_proto;   /* IPPROTO_TCP, IPPROTO_UDP, or 0 */
    uint8_t src_ip[16], dst_ip[16];
    uint16_t src_port, dst_port;
    uint8_t src_mac[6], dst_mac[6];
    uint16_t vlan; /* outermost VLAN id, 0 if untagged */
    uint16_t ethertype;
    uint64_t flow_id; /* the flow record's id in the flow log */
};

struct mamori_event {
    /* Filled by the core before the sink sees the event. */
    uint64_t time_us;
    struct mamori_endpoints where;

    /* Filled by the decoder. */
    const char *protocol; /* the decoder's name: "modbus", "dnp3", ... */
    enum mamori_event_kind kind;
    enum mamori_role role;
    enum mamori_op op;
    const char *anomaly; /* ANOMALY events: snake_case name, e.g. "invalid_length" */

    bool has_unit;
    uint32_t unit; /* Modbus unit id, DNP3 outstation address, ... */
    bool has_function;
    uint32_t function_code;
    const char *function_name; /* snake_case, e.g. "read_holding_registers" */
    bool has_range;
    uint32_t range_start, range_count; /* 0-based wire addresses / point indexes */
    struct mamori_text object;         /* named target: MMS variable, gocbRef, svID, "g12v1" */
    bool has_status;
    int32_t status;     /* exception code, IIN bits, MMS error class ... */
    int64_t latency_us; /* request→response, -1 when not a paired response */

    uint32_t n_values;
    double values[MAMORI_EVENT_MAX_VALUES]; /* a few decoded values (written, read, sampled) */
    uint32_t n_identity;
    struct mamori_identity_field identity[MAMORI_EVENT_MAX_IDENTITY];

    struct mamori_detail *detail; /* NULL when no one wants detail */
};

/* Where decoders send events. The core implements it; `detail` is the scratch
 * buffer an event's detail is written into (NULL when detail is not wanted). */
struct mamori_sink {
    void (*emit)(struct mamori_sink *sink, struct mamori_event *event);
    struct mamori_detail *detail;
};

/* Starts an event for `protocol` with everything cleared and the detail reset.
 * Inline because every decoder calls it once per event: the compiler then
 * clears with a few vector stores and drops the stores the decoder overwrites.
 * values[] and identity[] are not cleared; n_values and n_identity say how
 * many of them hold something. */
static inline void mamori_event_init(struct mamori_event *ev, struct mamori_sink *sink, const char *protocol)
{
    memset(ev, 0, offsetof(struct mamori_event, values));
    ev->n_identity = 0;
    ev->protocol = protocol;
    ev->latency_us = -1;
    ev->detail = sink ? sink->detail : NULL;
    detail_reset(ev->detail);
}

void mamori_event_add_value(struct mamori_event *ev, double v);
void mamori_event_add_identity(struct mamori_event *ev, const char *name, const void *text, size_t len);
void mamori_emit(struct mamori_sink *sink, struct mamori_event *ev);

/* Emits a bare ANOMALY event named `anomaly` (no unit, function or detail).
 * A decoder that knows more builds the event itself with kind ANOMALY. */
void mamori_emit_anomaly(struct mamori_sink *sink, const char *protocol, const char *anomaly);

const char *mamori_op_name(enum mamori_op op);
const char *mamori_role_name(enum mamori_role role);
const char *mamori_kind_name(enum mamori_event_kind kind);

#endif
