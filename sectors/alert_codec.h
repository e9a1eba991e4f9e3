/* alert_codec.h — alert schema v1 on the wire and in the log (docs/alerts.md).
 *
 * One alert has the same members with the same values in both renderings:
 * a JSON object for the alert log (one line, through sensor/json_writer.h) and
 * a msgpack map for the hub. Encoding never allocates: the msgpack form is
 * written into the caller's buffer. Decoding msgpack is for input that crossed
 * a network: every byte is read through protocols/cursor.h, every field is
 * checked against the schema (type, size, allowed characters), and a rejected
 * message comes back with a one-line reason. This file does not send or store
 * anything; sensor/hub_publisher.h and sectors/hub/ do. */
#ifndef MAMORI_ALERT_CODEC_H
#define MAMORI_ALERT_CODEC_H

#include <stdbool.h>
#include <stddef.h>

#include "alert.h"
#include "sensor/json_writer.h"

/* Largest msgpack alert accepted anywhere: all text fields at their maximum
 * plus a full evidence buffer, with room for msgpack headers. */
#define ALERT_MSGPACK_MAX 32768
#define ALERT_ID_LEN 36
#define ALERT_REASON_MAX 128

/* Writes the alert's members into the object the writer has open. */
void alert_json_members(struct json_writer *w, const struct mamori_alert *a);
/* Resets the writer and writes {"type":"alert", ...} for the alert. */
void alert_json(struct json_writer *w, const struct mamori_alert *a);

/* Writes the msgpack map into out; returns its size, or 0 if cap is too small. */
size_t alert_to_msgpack(const struct mamori_alert *a, void *out, size_t cap);

/* Parses and validates one msgpack alert. Returns true and fills *a, or returns
 * false with a reason such as "field 'sector': not lowercase-dashed" in why. */
bool alert_from_msgpack(const void *data, size_t len, struct mamori_alert *a, char *why, size_t whylen);

/* Makes the text members meet the schema's character rules, so that the hub
 * does not refuse the alert: control characters and invalid UTF-8 become '?',
 * sector and category are lowercased with other characters turned into '-',
 * a malformed technique id is emptied, a malformed alert id replaced. Empty
 * required members (sector, category, summary) are left for the caller. */
void alert_sanitize(struct mamori_alert *a);

/* A fresh random (version 4) UUID as 36 characters plus NUL. */
void alert_new_id(char out[ALERT_ID_LEN + 1]);
/* True when s is a UUID in canonical lowercase text form. */
bool alert_id_valid(const char *s);

#endif
