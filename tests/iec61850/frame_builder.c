/* frame_builder.c — BER writer and capturing sink for the decoder tests. */
#include "frame_builder.h"

#include <criterion/criterion.h>
#include <string.h>

void ber_buf_raw(struct ber_buf *buf, const void *bytes, size_t n)
{
    cr_assert_leq(buf->n + n, sizeof buf->b);
    memcpy(buf->b + buf->n, bytes, n);
    buf->n += n;
}

void ber_buf_tlv(struct ber_buf *buf, uint8_t tag, const void *value, size_t n)
{
    uint8_t head[4] = { tag };
    size_t h = 1;
    if (n < 0x80) {
        head[h++] = (uint8_t)n;
    } else if (n <= 0xff) {
        head[h++] = 0x81;
        head[h++] = (uint8_t)n;
    } else {
        head[h++] = 0x82;
        head[h++] = (uint8_t)(n >> 8);
        head[h++] = (uint8_t)n;
    }
    ber_buf_raw(buf, head, h);
    ber_buf_raw(buf, value, n);
}

void ber_buf_str(struct ber_buf *buf, uint8_t tag, const char *s) { ber_buf_tlv(buf, tag, s, strlen(s)); }

void ber_buf_uint(struct ber_buf *buf, uint8_t tag, uint64_t v)
{
    uint8_t b[9];
    size_t n = 0;
    do {
        b[8 - n++] = (uint8_t)v;
        v >>= 8;
    } while (v);
    if (b[9 - n] & 0x80)
        b[8 - n++] = 0;
    ber_buf_tlv(buf, tag, b + 9 - n, n);
}

void ber_buf_fixed(struct ber_buf *buf, uint8_t tag, uint64_t v, size_t octets)
{
    uint8_t b[8];
    for (size_t i = 0; i < octets; i++)
        b[i] = (uint8_t)(v >> (8 * (octets - 1 - i)));
    ber_buf_tlv(buf, tag, b, octets);
}

void ber_buf_child(struct ber_buf *buf, uint8_t tag, const struct ber_buf *child)
{
    ber_buf_tlv(buf, tag, child->b, child->n);
}

void frame_wrap(struct ber_buf *frame, uint16_t appid, uint16_t reserve1, const struct ber_buf *apdu)
{
    size_t len = 8 + apdu->n;
    uint8_t head[8] = { (uint8_t)(appid >> 8), (uint8_t)appid, (uint8_t)(len >> 8), (uint8_t)len,
                        (uint8_t)(reserve1 >> 8), (uint8_t)reserve1, 0, 0 };
    frame->n = 0;
    ber_buf_raw(frame, head, sizeof head);
    ber_buf_raw(frame, apdu->b, apdu->n);
}

static void keep_text(char *dst, size_t cap, const char *src, size_t n)
{
    if (!src)
        n = 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static void capture_identity(struct capture *c, const struct mamori_event *ev)
{
    cr_assert_eq(ev->n_identity, 1);
    if (c->n_identity < CAPTURE_MAX_IDENTITIES) {
        struct captured_identity *id = &c->identity[c->n_identity];
        id->role = ev->role;
        id->op = ev->op;
        keep_text(id->name, sizeof id->name, ev->identity[0].name, strlen(ev->identity[0].name));
        keep_text(id->value, sizeof id->value, ev->identity[0].value.ptr, ev->identity[0].value.len);
    }
    c->n_identity++;
}

static void capture_emit(struct mamori_sink *sink, struct mamori_event *ev)
{
    struct capture *c = (struct capture *)sink;
    if (ev->kind == MAMORI_EVENT_IDENTITY) {
        capture_identity(c, ev);
        return;
    }
    cr_assert_lt(c->n, CAPTURE_MAX_EVENTS);
    struct captured_event *e = &c->ev[c->n++];
    if (c->where)
        ev->where = *c->where;
    e->where = ev->where;
    e->kind = ev->kind;
    e->role = ev->role;
    e->op = ev->op;
    keep_text(e->anomaly, sizeof e->anomaly, ev->anomaly, ev->anomaly ? strlen(ev->anomaly) : 0);
    keep_text(e->object, sizeof e->object, ev->object.ptr, ev->object.len);
    keep_text(e->function, sizeof e->function, ev->function_name, ev->function_name ? strlen(ev->function_name) : 0);
    e->n_values = ev->n_values;
    memcpy(e->values, ev->values, sizeof e->values);
    e->json[0] = '\0';
    if (ev->detail) {
        json_writer_reset(&c->w);
        jw_detail(&c->w, NULL, ev->detail);
        cr_assert(json_writer_ok(&c->w));
        keep_text(e->json, sizeof e->json, c->w.buf, c->w.len);
    }
}

void capture_init(struct capture *c, bool want_detail)
{
    memset(c, 0, sizeof *c);
    c->sink.emit = capture_emit;
    c->sink.detail = want_detail ? &c->detail : NULL;
    cr_assert_eq(json_writer_init(&c->w, 1 << 16), 0);
}

void capture_free(struct capture *c) { json_writer_free(&c->w); }

void capture_clear(struct capture *c) { c->n = c->n_identity = 0; }

size_t capture_count(const struct capture *c, const char *anomaly)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->ev[i].anomaly, anomaly) == 0)
            n++;
    return n;
}

const struct captured_event *capture_find(const struct capture *c, const char *anomaly)
{
    for (size_t i = 0; i < c->n; i++)
        if (anomaly ? strcmp(c->ev[i].anomaly, anomaly) == 0 : c->ev[i].kind == MAMORI_EVENT_OPERATION)
            return &c->ev[i];
    return NULL;
}

void capture_expect_identity(const struct capture *c, size_t i, const char *name, const char *value)
{
    cr_assert_lt(i, c->n_identity);
    cr_assert_str_eq(c->identity[i].name, name);
    cr_assert_str_eq(c->identity[i].value, value);
    cr_assert_eq(c->identity[i].role, MAMORI_ROLE_NONE);
    cr_assert_eq(c->identity[i].op, MAMORI_OP_IDENTIFY);
}

void l2_fixture_init(struct l2_fixture *f, const struct mamori_decoder *dec)
{
    struct mamori_decoder_options opts = { 65536, 0 };
    f->dec = dec;
    capture_init(&f->cap, true);
    f->state = dec->state_new(&opts);
    f->state2 = dec->state_new(&opts);
    f->shared = dec->shared_new(&opts);
    cr_assert(f->state && f->state2 && f->shared);
}

void l2_fixture_free(struct l2_fixture *f)
{
    f->dec->state_free(f->state);
    f->dec->state_free(f->state2);
    f->dec->shared_free(f->shared);
    capture_free(&f->cap);
}

struct mamori_parse_ctx l2_fixture_ctx(struct l2_fixture *f, uint64_t time_us)
{
    struct mamori_parse_ctx ctx = { .dir = MAMORI_DIR_TO_SERVER, .transport = MAMORI_TRANSPORT_ETHER,
                                    .time_us = time_us, .sink = &f->cap.sink, .shared = f->shared };
    return ctx;
}

void l2_fixture_feed(struct l2_fixture *f, void *state, const void *frame, size_t n, uint64_t time_us)
{
    struct mamori_parse_ctx ctx = l2_fixture_ctx(f, time_us);
    cr_assert_eq(f->dec->parse(state, frame, n, &ctx), n);
}

void l2_fixture_expect_malformed(struct l2_fixture *f, const void *frame, size_t n, const char *anomaly,
                                 const char *json_part)
{
    struct capture *c = &f->cap;
    capture_clear(c);
    l2_fixture_feed(f, f->state, frame, n, 0);
    cr_assert_eq(c->n, 1, "%s", anomaly);
    cr_assert_eq(c->ev[0].kind, MAMORI_EVENT_ANOMALY);
    cr_assert_eq(c->ev[0].op, MAMORI_OP_MALFORMED);
    cr_assert_str_eq(c->ev[0].anomaly, anomaly);
    if (json_part)
        cr_assert(strstr(c->ev[0].json, json_part) != NULL, "%s not in %s", json_part, c->ev[0].json);
}
