/* frame_builder.h — test helpers for the GOOSE and SV decoder tests: a BER
 * writer for hand-built PDUs and a sink that keeps every event it is given
 * (kind, anomaly, object, values and the detail rendered as JSON). */
#ifndef MAMORI_TEST_FRAME_BUILDER_H
#define MAMORI_TEST_FRAME_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/decoder.h"
#include "sensor/json_writer.h"

#define BER_BUF_MAX 4096
#define CAPTURE_MAX_EVENTS 64
#define CAPTURE_JSON_MAX 8192

struct ber_buf {
    uint8_t b[BER_BUF_MAX];
    size_t n;
};

void ber_buf_raw(struct ber_buf *buf, const void *bytes, size_t n);
/* tag octet, definite length (short or long form), value */
void ber_buf_tlv(struct ber_buf *buf, uint8_t tag, const void *value, size_t n);
void ber_buf_str(struct ber_buf *buf, uint8_t tag, const char *s);
/* a minimal two's complement INTEGER (unsigned values get a leading zero when needed) */
void ber_buf_uint(struct ber_buf *buf, uint8_t tag, uint64_t v);
/* fixed-size big-endian unsigned of `octets` octets (SV smpCnt, confRev) */
void ber_buf_fixed(struct ber_buf *buf, uint8_t tag, uint64_t v, size_t octets);
void ber_buf_child(struct ber_buf *buf, uint8_t tag, const struct ber_buf *child);
/* APPID, Length (8 + apdu), reserve1, reserve2, then the APDU */
void frame_wrap(struct ber_buf *frame, uint16_t appid, uint16_t reserve1, const struct ber_buf *apdu);

struct captured_event {
    enum mamori_event_kind kind;
    enum mamori_role role;
    enum mamori_op op;
    char anomaly[64];
    char object[160];
    char function[64];
    uint32_t n_values;
    double values[MAMORI_EVENT_MAX_VALUES];
    char json[CAPTURE_JSON_MAX];
};

struct capture {
    struct mamori_sink sink;
    struct mamori_detail detail;
    struct json_writer w;
    size_t n;
    struct captured_event ev[CAPTURE_MAX_EVENTS];
};

void capture_init(struct capture *c, bool want_detail);
void capture_free(struct capture *c);
void capture_clear(struct capture *c);
size_t capture_count(const struct capture *c, const char *anomaly);
/* The first event with this anomaly name (or the first operation for NULL). */
const struct captured_event *capture_find(const struct capture *c, const char *anomaly);

#endif
