/* event.c — helpers for building and emitting normalized ICS events (event.h). */
#include "event.h"

void mamori_event_add_value(struct mamori_event *ev, double v)
{
    if (ev->n_values < MAMORI_EVENT_MAX_VALUES)
        ev->values[ev->n_values++] = v;
}

void mamori_event_add_identity(struct mamori_event *ev, const char *name, const void *text, size_t len)
{
    if (ev->n_identity >= MAMORI_EVENT_MAX_IDENTITY)
        return;
    struct mamori_identity_field *f = &ev->identity[ev->n_identity++];
    f->name = name;
    f->value.ptr = text;
    f->value.len = len;
}

void mamori_emit(struct mamori_sink *sink, struct mamori_event *ev)
{
    if (sink && sink->emit)
        sink->emit(sink, ev);
}

void mamori_emit_anomaly(struct mamori_sink *sink, const char *protocol, const char *anomaly)
{
    struct mamori_event ev;
    mamori_event_init(&ev, sink, protocol);
    ev.kind = MAMORI_EVENT_ANOMALY;
    ev.anomaly = anomaly;
    mamori_emit(sink, &ev);
}

static const char *const op_names[MAMORI_OP__COUNT] = {
    [MAMORI_OP_NONE] = "none",           [MAMORI_OP_READ] = "read",
    [MAMORI_OP_WRITE] = "write",         [MAMORI_OP_OPERATE] = "operate",
    [MAMORI_OP_DIAGNOSTIC] = "diagnostic", [MAMORI_OP_RESTART] = "restart",
    [MAMORI_OP_PROGRAM] = "program",     [MAMORI_OP_CONFIG] = "config",
    [MAMORI_OP_FILE] = "file",           [MAMORI_OP_TIME_SYNC] = "time_sync",
    [MAMORI_OP_IDENTIFY] = "identify",   [MAMORI_OP_REPORT] = "report",
    [MAMORI_OP_EXCEPTION] = "exception", [MAMORI_OP_MALFORMED] = "malformed",
    [MAMORI_OP_SESSION] = "session",     [MAMORI_OP_OTHER] = "other",
};

const char *mamori_op_name(enum mamori_op op)
{
    return (unsigned)op < MAMORI_OP__COUNT ? op_names[op] : "none";
}

const char *mamori_role_name(enum mamori_role role)
{
    switch (role) {
    case MAMORI_ROLE_REQUEST: return "request";
    case MAMORI_ROLE_RESPONSE: return "response";
    case MAMORI_ROLE_UNSOLICITED: return "unsolicited";
    case MAMORI_ROLE_PUBLISH: return "publish";
    default: return "none";
    }
}

const char *mamori_kind_name(enum mamori_event_kind kind)
{
    switch (kind) {
    case MAMORI_EVENT_ANOMALY: return "anomaly";
    case MAMORI_EVENT_IDENTITY: return "identity";
    default: return "operation";
    }
}
