/* alert_codec.c — renders an alert as JSON and as msgpack, and makes alert ids.
 *
 * Both renderings list the members in the same order (docs/alerts.md); the
 * evidence detail is rendered by jw_detail() for JSON and by the walk below for
 * msgpack. Parsing msgpack lives in alert_decode.c. */
#include "alert_codec.h"

#include <msgpack.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define UUID_BYTES 16
#define MSGPACK_TIMESTAMP_EXT (-1)
#define ALERT_MEMBER_COUNT 17

void alert_json_members(struct json_writer *w, const struct mamori_alert *a)
{
    jw_uint(w, "schema", MAMORI_ALERT_SCHEMA);
    jw_string(w, "id", a->id);
    jw_time(w, "time", a->time_us);
    jw_string(w, "sensor", a->sensor);
    jw_string(w, "site", a->site);
    jw_string(w, "sector", a->sector);
    jw_string(w, "severity", mamori_severity_name(a->severity));
    jw_string(w, "category", a->category);
    jw_string(w, "technique", a->technique);
    jw_string(w, "technique_name", a->technique_name);
    jw_string(w, "protocol", a->protocol);
    jw_string(w, "src", a->src);
    jw_string(w, "dst", a->dst);
    jw_string(w, "summary", a->summary);
    jw_string(w, "flow_key", a->flow_key);
    jw_uint(w, "count", a->count);
    jw_detail(w, "evidence", &a->evidence);
}

void alert_json(struct json_writer *w, const struct mamori_alert *a)
{
    json_writer_reset(w);
    jw_object_begin(w, NULL);
    jw_string(w, "type", "alert");
    alert_json_members(w, a);
    jw_object_end(w);
}

/* A fixed output buffer for the msgpack packer; overflow is sticky. */
struct fixed_buffer {
    unsigned char *data;
    size_t len, cap;
    bool overflow;
};

static int fixed_buffer_write(void *ctx, const char *buf, size_t len)
{
    struct fixed_buffer *fb = ctx;
    if (fb->overflow || len > fb->cap - fb->len) {
        fb->overflow = true;
        return -1;
    }
    memcpy(fb->data + fb->len, buf, len);
    fb->len += len;
    return 0;
}

static void pack_cstr(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str_with_body(pk, s, n);
}

static void pack_member(msgpack_packer *pk, const char *key, const char *value)
{
    pack_cstr(pk, key);
    pack_cstr(pk, value);
}

/* Top-level members of the evidence detail (the implicit outer object). */
static uint32_t evidence_member_count(const struct mamori_detail *d)
{
    struct detail_reader r;
    struct detail_token t;
    uint32_t n = 0;
    detail_reader_init(&r, d);
    for (uint16_t depth = r.depth; detail_next(&r, &t); depth = r.depth)
        if (depth == 0 && t.type != DETAIL_END)
            n++;
    return n + (d->truncated ? 1 : 0);
}

static void pack_evidence(msgpack_packer *pk, const struct mamori_detail *d)
{
    struct detail_reader r;
    struct detail_token t;
    msgpack_pack_map(pk, evidence_member_count(d));
    detail_reader_init(&r, d);
    while (detail_next(&r, &t)) {
        if (t.type == DETAIL_END)
            continue; /* msgpack containers carry counts, not terminators */
        if (t.key)
            msgpack_pack_str_with_body(pk, t.key, t.key_len);
        switch (t.type) {
        case DETAIL_OBJECT: msgpack_pack_map(pk, t.v.count); break;
        case DETAIL_ARRAY: msgpack_pack_array(pk, t.v.count); break;
        case DETAIL_UINT: msgpack_pack_uint64(pk, t.v.u); break;
        case DETAIL_INT: msgpack_pack_int64(pk, t.v.i); break;
        case DETAIL_FLOAT: msgpack_pack_double(pk, t.v.f); break;
        case DETAIL_BOOL: t.v.b ? msgpack_pack_true(pk) : msgpack_pack_false(pk); break;
        case DETAIL_STRING: msgpack_pack_str_with_body(pk, t.v.data.ptr, t.v.data.len); break;
        case DETAIL_BYTES: msgpack_pack_bin_with_body(pk, t.v.data.ptr, t.v.data.len); break;
        case DETAIL_NULL:
        case DETAIL_END: msgpack_pack_nil(pk); break;
        }
    }
    if (d->truncated) {
        pack_cstr(pk, "truncated");
        msgpack_pack_true(pk);
    }
}

size_t alert_to_msgpack(const struct mamori_alert *a, void *out, size_t cap)
{
    struct fixed_buffer fb = { out, 0, cap, false };
    msgpack_packer pk;
    msgpack_packer_init(&pk, &fb, fixed_buffer_write);
    msgpack_timestamp ts = {
        .tv_sec = (int64_t)(a->time_us / 1000000u),
        .tv_nsec = (uint32_t)(a->time_us % 1000000u) * 1000u,
    };
    msgpack_pack_map(&pk, ALERT_MEMBER_COUNT);
    pack_cstr(&pk, "schema");
    msgpack_pack_uint8(&pk, MAMORI_ALERT_SCHEMA);
    pack_member(&pk, "id", a->id);
    pack_cstr(&pk, "time");
    msgpack_pack_timestamp(&pk, &ts);
    pack_member(&pk, "sensor", a->sensor);
    pack_member(&pk, "site", a->site);
    pack_member(&pk, "sector", a->sector);
    pack_member(&pk, "severity", mamori_severity_name(a->severity));
    pack_member(&pk, "category", a->category);
    pack_member(&pk, "technique", a->technique);
    pack_member(&pk, "technique_name", a->technique_name);
    pack_member(&pk, "protocol", a->protocol);
    pack_member(&pk, "src", a->src);
    pack_member(&pk, "dst", a->dst);
    pack_member(&pk, "summary", a->summary);
    pack_member(&pk, "flow_key", a->flow_key);
    pack_cstr(&pk, "count");
    msgpack_pack_uint32(&pk, a->count);
    pack_cstr(&pk, "evidence");
    pack_evidence(&pk, &a->evidence);
    return fb.overflow ? 0 : fb.len;
}

void alert_new_id(char out[ALERT_ID_LEN + 1])
{
    uint8_t b[UUID_BYTES];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n > 0)
            got += (size_t)n;
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, ALERT_ID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

bool alert_id_valid(const char *s)
{
    for (size_t i = 0; i < ALERT_ID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return s[ALERT_ID_LEN] == '\0';
}
