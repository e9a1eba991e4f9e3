/* alert_text.h — the character rules of alert schema v1 text members
 * (docs/alerts.md), shared by the msgpack reader, which refuses what breaks
 * them, and alert_sanitize(), which repairs it before an alert leaves. */
#ifndef MAMORI_ALERT_TEXT_H
#define MAMORI_ALERT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Valid UTF-8 without control characters. */
bool alert_text_printable(const uint8_t *p, size_t len);
/* Lowercase-dashed: [a-z0-9-]. */
bool alert_text_slug(const uint8_t *p, size_t len);
/* A MITRE ATT&CK id: "T0855" or "T0855.001". */
bool alert_text_technique(const uint8_t *p, size_t len);

#endif
