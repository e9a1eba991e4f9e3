/* event_json.h — one ICS event as one JSON line of the event log (docs/records.md). */
#ifndef MAMORI_EVENT_JSON_H
#define MAMORI_EVENT_JSON_H

#include "../protocols/event.h"
#include "json_writer.h"

/* Writes the event's members into the object the writer has open. */
void event_json_members(struct json_writer *w, const struct mamori_event *ev);
/* Resets the writer and writes {"type":"event", ...} for the event. */
void event_json(struct json_writer *w, const struct mamori_event *ev);
/* Writes the sender/receiver addresses: "src", "sport", "dst", "dport" for IP,
 * "src_mac", "dst_mac" always when known, "vlan" when tagged. */
void endpoints_json_members(struct json_writer *w, const struct mamori_endpoints *where);
/* Formats an IPv4/IPv6 address (by version) into out. */
void format_ip(uint8_t version, const uint8_t *addr, char *out, size_t outlen);
void format_mac(const uint8_t *mac, char *out, size_t outlen);

#endif
