/* frame_builder.h — test helpers for the GOOSE and SV decoder tests: a BER
 * writer for hand-built PDUs, a sink that keeps every event it is given
 * (kind, anomaly, object, values and the detail rendered as JSON; identity
 * facts apart), and the fixture both suites start from. */
#ifndef MAMORI_TEST_FRAME_BUILDER_H
#define MAMORI_TEST_FRAME_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/decoder.h"
#include "sensor/json_writer.h"

#define BER_BUF_MAX 4096
#define CAPTURE_MAX_EVENTS 64
#define CAPTURE_JSON_MAX 8192
#define CAPTURE_MAX_IDENTITIES 16
#define CAPTURE_IDENTITY_NAME_MAX 192

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
    struct mamori_endpoints where;
    char json[CAPTURE_JSON_MAX];
};

/* One identity fact from an IDENTITY event. */
struct captured_identity {
    enum mamori_role role;
    enum mamori_op op;
    char name[CAPTURE_IDENTITY_NAME_MAX];
    char value[64];
};

struct capture {
    struct mamori_sink sink; /* first */
    /* As the core does: the current packet's addresses, stamped on every
     * event; NULL (as during tick()) leaves the decoder's. */
    const struct mamori_endpoints *where;
    struct mamori_detail detail;
    struct json_writer w;
    size_t n;
    struct captured_event ev[CAPTURE_MAX_EVENTS];
    /* IDENTITY events are kept apart from `ev`, one fact each (the first
     * CAPTURE_MAX_IDENTITIES stored, all counted in n_identity). */
    size_t n_identity;
    struct captured_identity identity[CAPTURE_MAX_IDENTITIES];
};

void capture_init(struct capture *c, bool want_detail);
void capture_free(struct capture *c);
void capture_clear(struct capture *c);
size_t capture_count(const struct capture *c, const char *anomaly);
/* The first event with this anomaly name (or the first operation for NULL). */
const struct captured_event *capture_find(const struct capture *c, const char *anomaly);

/* Checks that the i-th identity fact captured is `name` = `value`, from an
 * event with no role and op identify (a fact, not a publication). */
void capture_expect_identity(const struct capture *c, size_t i, const char *name, const char *value);

/* One decoder with two publisher flows, its worker's shared state and a
 * capture that wants detail: what every GOOSE and SV test starts from. */
struct l2_fixture {
    const struct mamori_decoder *dec;
    struct capture cap;
    void *state, *state2, *shared;
};

void l2_fixture_init(struct l2_fixture *f, const struct mamori_decoder *dec);
void l2_fixture_free(struct l2_fixture *f);
/* A context at time_us for the fixture's sink and shared state. */
struct mamori_parse_ctx l2_fixture_ctx(struct l2_fixture *f, uint64_t time_us);
/* One parse() of a frame into `state`, which must consume all of it. */
void l2_fixture_feed(struct l2_fixture *f, void *state, const void *frame, size_t n, uint64_t time_us);
/* Clears the capture, feeds the frame to f->state and checks it gives exactly
 * one malformed event named `anomaly` whose detail holds `json_part`. */
void l2_fixture_expect_malformed(struct l2_fixture *f, const void *frame, size_t n, const char *anomaly,
                                 const char *json_part);

#endif
