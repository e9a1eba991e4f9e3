/* output.h — where the sensor's records go: JSON lines on stdout, or one file
 * per record type in a log directory (flow.json, event.json, alert.json,
 * stats.json). docs/records.md is the schema of every record.
 *
 * Lines are rendered by their producers (workers render events and flows in
 * their own thread); the output only appends complete lines, under one lock,
 * so lines from different threads never interleave. A write error is kept
 * and reported by output_close(). */
#ifndef MAMORI_OUTPUT_H
#define MAMORI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "json_writer.h"
#include "pipeline.h"

enum output_stream {
    OUTPUT_FLOW,
    OUTPUT_EVENT,
    OUTPUT_ALERT,
    OUTPUT_STATS,
    OUTPUT__COUNT
};

/* Buffer size of one rendered line. */
#define OUTPUT_LINE_MAX (256 * 1024)

struct output;

/* log_dir NULL: every record on stdout. Otherwise creates the directory if
 * needed and appends to its four files. NULL with one line in err on failure. */
struct output *output_open(const char *log_dir, char *err, size_t errlen);

/* Appends one complete JSON line (no newline in `line`). Thread-safe. */
void output_line(struct output *out, enum output_stream stream, const char *line, size_t len);

/* Appends the writer's line, or counts it as dropped when it overflowed. */
void output_writer(struct output *out, enum output_stream stream, const struct json_writer *w);

/* The detection engine's hook: one alert rendered as a JSON object (schema
 * v1, e.g. by alert_json() in sectors/alert_codec.h) goes to the alert log.
 * Thread-safe; callable from any worker. */
void output_alert(struct output *out, const char *json, size_t len);

/* Renders {"type":"flow",...} for a finished flow. */
void flow_json(struct json_writer *w, const struct flow_record *rec);

uint64_t output_lines_written(struct output *out, enum output_stream stream);
uint64_t output_lines_dropped(struct output *out);

/* Flushes every stream. */
void output_flush(struct output *out);
/* Flushes and closes; -1 with one line in err if any write failed. */
int output_close(struct output *out, char *err, size_t errlen);

#endif
