/* json_writer.h — builds one JSON object (one log line) in a bounded buffer.
 *
 * Commas and nesting are tracked for the caller; strings are escaped (bytes
 * that are not valid printable UTF-8 become \u00XX); NaN and infinities become
 * null. The buffer is allocated once and reused for every line: nothing is
 * allocated per record. When a line would overflow, the writer stops writing
 * and json_writer_ok() turns false; the caller counts and drops that line. */
#ifndef MAMORI_JSON_WRITER_H
#define MAMORI_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../protocols/detail.h"

#define JSON_WRITER_DEPTH 32

struct json_writer {
    char *buf;
    size_t len, cap;
    bool overflow;
    int depth;
    bool need_comma[JSON_WRITER_DEPTH + 1];
};

int json_writer_init(struct json_writer *w, size_t cap);
void json_writer_free(struct json_writer *w);
void json_writer_reset(struct json_writer *w);
bool json_writer_ok(const struct json_writer *w);

/* `key` is the member name inside an object; pass NULL inside arrays and at the top. */
void jw_object_begin(struct json_writer *w, const char *key);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w, const char *key);
void jw_array_end(struct json_writer *w);
void jw_string(struct json_writer *w, const char *key, const char *s);
void jw_string_n(struct json_writer *w, const char *key, const void *s, size_t n);
void jw_hex(struct json_writer *w, const char *key, const void *b, size_t n);
void jw_uint(struct json_writer *w, const char *key, uint64_t v);
void jw_int(struct json_writer *w, const char *key, int64_t v);
void jw_double(struct json_writer *w, const char *key, double v);
void jw_bool(struct json_writer *w, const char *key, bool v);
void jw_null(struct json_writer *w, const char *key);
/* Capture time as seconds with microseconds, like Zeek's ts: 1234.000001 */
void jw_time(struct json_writer *w, const char *key, uint64_t time_us);
/* Renders a detail's top-level members as the object `key`. */
void jw_detail(struct json_writer *w, const char *key, const struct mamori_detail *d);

#endif
