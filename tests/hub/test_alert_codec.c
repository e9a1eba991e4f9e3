/* test_alert_codec.c — alert schema v1: exact JSON, msgpack round trip checked
 * against msgpack-c's own unpacker, and rejection of tampered or oversized input. */
#include <criterion/criterion.h>
#include <msgpack.h>
#include <string.h>

#include "sectors/alert_codec.h"

static struct mamori_alert alert, back;
static struct json_writer w1, w2;
static uint8_t wire[ALERT_MSGPACK_MAX];
static char why[ALERT_REASON_MAX];

static void sample_alert(struct mamori_alert *a)
{
    memset(a, 0, sizeof *a);
    strcpy(a->id, "0b6f2c1e-4d3a-4f5b-9c8d-7e6f5a4b3c2d");
    a->time_us = 1700000000123456ULL;
    strcpy(a->sensor, "rail-s1");
    strcpy(a->site, "depot-north");
    strcpy(a->sector, "railways");
    a->severity = MAMORI_SEV_HIGH;
    strcpy(a->category, "unauthorized-command");
    strcpy(a->technique, "T0855");
    strcpy(a->technique_name, "Unauthorized Command Message");
    strcpy(a->protocol, "modbus");
    strcpy(a->src, "10.0.0.5:50123");
    strcpy(a->dst, "10.0.0.9:502");
    strcpy(a->summary, "write to holding registers 100-101 from an unknown master \"x\"");
    strcpy(a->flow_key, "tcp 10.0.0.5:50123-10.0.0.9:502");
    a->count = 3;
    struct mamori_detail *d = &a->evidence;
    detail_reset(d);
    detail_array_begin(d, "events");
    detail_object_begin(d, NULL);
    detail_uint(d, "function_code", 16);
    detail_int(d, "delta", -7);
    detail_float(d, "value", 1.5);
    detail_bool(d, "write", true);
    detail_null(d, "status");
    detail_bytes(d, "raw", "\x00\x10\xff", 3);
    detail_cstring(d, "function", "write_multiple_registers");
    detail_end(d);
    detail_end(d);
}

static void setup(void)
{
    cr_assert_eq(json_writer_init(&w1, 65536), 0);
    cr_assert_eq(json_writer_init(&w2, 65536), 0);
    sample_alert(&alert);
}

static void teardown(void)
{
    json_writer_free(&w1);
    json_writer_free(&w2);
}

TestSuite(alert_codec, .init = setup, .fini = teardown);

Test(alert_codec, json_has_every_member_in_schema_order)
{
    alert_json(&w1, &alert);
    cr_assert(json_writer_ok(&w1));
    cr_assert_str_eq(w1.buf,
        "{\"type\":\"alert\",\"schema\":1,\"id\":\"0b6f2c1e-4d3a-4f5b-9c8d-7e6f5a4b3c2d\","
        "\"time\":1700000000.123456,\"sensor\":\"rail-s1\",\"site\":\"depot-north\","
        "\"sector\":\"railways\",\"severity\":\"high\",\"category\":\"unauthorized-command\","
        "\"technique\":\"T0855\",\"technique_name\":\"Unauthorized Command Message\","
        "\"protocol\":\"modbus\",\"src\":\"10.0.0.5:50123\",\"dst\":\"10.0.0.9:502\","
        "\"summary\":\"write to holding registers 100-101 from an unknown master \\\"x\\\"\","
        "\"flow_key\":\"tcp 10.0.0.5:50123-10.0.0.9:502\",\"count\":3,"
        "\"evidence\":{\"events\":[{\"function_code\":16,\"delta\":-7,\"value\":1.5,\"write\":true,"
        "\"status\":null,\"raw\":\"0010ff\",\"function\":\"write_multiple_registers\"}]}}");
}

static size_t encode(void)
{
    size_t n = alert_to_msgpack(&alert, wire, sizeof wire);
    cr_assert_gt(n, 0);
    return n;
}

Test(alert_codec, msgpack_round_trip_gives_identical_json)
{
    size_t n = encode();
    cr_assert(alert_from_msgpack(wire, n, &back, why, sizeof why), "%s", why);
    alert_json(&w1, &alert);
    alert_json(&w2, &back);
    cr_assert_str_eq(w2.buf, w1.buf);
    cr_assert_eq(back.time_us, alert.time_us);
    cr_assert_eq(back.severity, MAMORI_SEV_HIGH);
}

Test(alert_codec, truncated_evidence_survives_round_trip)
{
    alert.evidence.truncated = true;
    size_t n = encode();
    cr_assert(alert_from_msgpack(wire, n, &back, why, sizeof why), "%s", why);
    cr_assert(back.evidence.truncated);
    alert_json(&w1, &alert);
    alert_json(&w2, &back);
    cr_assert_str_eq(w2.buf, w1.buf);
    cr_assert(strstr(w1.buf, "\"truncated\":true}"));
}

static const msgpack_object *member(const msgpack_object *map, const char *name)
{
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object_kv *kv = &map->via.map.ptr[i];
        if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == strlen(name) &&
            memcmp(kv->key.via.str.ptr, name, kv->key.via.str.size) == 0)
            return &kv->val;
    }
    return NULL;
}

Test(alert_codec, msgpack_c_reads_what_we_write)
{
    size_t n = encode();
    msgpack_unpacked u;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    cr_assert_eq(msgpack_unpack_next(&u, (const char *)wire, n, &off), MSGPACK_UNPACK_SUCCESS);
    cr_assert_eq(off, n);
    cr_assert_eq(u.data.type, MSGPACK_OBJECT_MAP);
    cr_assert_eq(u.data.via.map.size, 17);
    msgpack_timestamp ts;
    cr_assert(msgpack_object_to_timestamp(member(&u.data, "time"), &ts));
    cr_assert_eq(ts.tv_sec, 1700000000);
    cr_assert_eq(ts.tv_nsec, 123456000);
    const msgpack_object *sev = member(&u.data, "severity");
    cr_assert_eq(sev->via.str.size, 4);
    cr_assert_eq(memcmp(sev->via.str.ptr, "high", 4), 0);
    const msgpack_object *ev = member(&u.data, "evidence");
    cr_assert_eq(ev->type, MSGPACK_OBJECT_MAP);
    const msgpack_object *events = member(ev, "events");
    cr_assert_eq(events->type, MSGPACK_OBJECT_ARRAY);
    const msgpack_object *raw = member(&events->via.array.ptr[0], "raw");
    cr_assert_eq(raw->type, MSGPACK_OBJECT_BIN);
    cr_assert_eq(raw->via.bin.size, 3);
    cr_assert_eq(member(&events->via.array.ptr[0], "delta")->via.i64, -7);
    msgpack_unpacked_destroy(&u);
}

static void expect_rejected(size_t n, const char *reason_part)
{
    cr_assert_not(alert_from_msgpack(wire, n, &back, why, sizeof why));
    cr_assert(strstr(why, reason_part), "reason was: %s", why);
}

/* Replaces the first occurrence of `from` by `to` (same length) in the wire. */
static void patch(size_t n, const char *from, const char *to)
{
    size_t len = strlen(from);
    cr_assert_eq(strlen(to), len);
    for (size_t i = 0; i + len <= n; i++)
        if (memcmp(wire + i, from, len) == 0) {
            memcpy(wire + i, to, len);
            return;
        }
    cr_assert_fail("'%s' not found", from);
}

Test(alert_codec, rejects_bad_field_values_with_a_reason)
{
    size_t n = encode();
    patch(n, "railways", "Railways");
    expect_rejected(n, "field 'sector': not lowercase-dashed");
    n = encode();
    patch(n, "high", "huge");
    expect_rejected(n, "field 'severity': unknown severity");
    n = encode();
    patch(n, "0b6f2c1e", "0B6F2C1E");
    expect_rejected(n, "field 'id': not a lowercase UUID");
    n = encode();
    patch(n, "T0855", "X0855");
    expect_rejected(n, "field 'technique'");
    n = encode();
    patch(n, "unknown", "unk\nown");
    expect_rejected(n, "field 'summary': not printable UTF-8");
    n = encode();
    patch(n, "depot", "dep\xc3\x28");
    expect_rejected(n, "field 'site': not printable UTF-8");
    n = encode();
    patch(n, "flow_key", "flow_kex");
    expect_rejected(n, "unknown member 'flow_kex'");
    n = encode();
    patch(n, "site", "sit\x01");
    expect_rejected(n, "unknown member");
    n = encode();
    patch(n, "\xa3" "src", "\xa3" "dst");
    expect_rejected(n, "field 'dst': given twice");
}

Test(alert_codec, rejects_oversized_text_and_messages)
{
    memset(alert.summary, 'a', sizeof alert.summary - 1);
    size_t n = encode();
    cr_assert(alert_from_msgpack(wire, n, &back, why, sizeof why), "%s", why);
    /* Grow the summary by one byte: a str8 of 255 becomes a str16 of 256. */
    uint8_t grown[ALERT_MSGPACK_MAX];
    size_t at = 0;
    for (; at < n; at++)
        if (wire[at] == 0xd9 && wire[at + 1] == 255)
            break;
    cr_assert_lt(at, n);
    memcpy(grown, wire, at);
    grown[at] = 0xda;
    grown[at + 1] = 1;
    grown[at + 2] = 0;
    memcpy(grown + at + 3, wire + at + 2, 255);
    grown[at + 3 + 255] = 'a';
    memcpy(grown + at + 3 + 256, wire + at + 2 + 255, n - at - 2 - 255);
    cr_assert_not(alert_from_msgpack(grown, n + 2, &back, why, sizeof why));
    cr_assert_str_eq(why, "field 'summary': 256 bytes exceeds 255");
    static uint8_t huge[ALERT_MSGPACK_MAX + 1];
    cr_assert_not(alert_from_msgpack(huge, sizeof huge, &back, why, sizeof why));
    cr_assert_str_eq(why, "message of 32769 bytes exceeds 32768");
}

Test(alert_codec, rejects_every_truncation_and_trailing_bytes)
{
    size_t n = encode();
    for (size_t cut = 0; cut < n; cut++)
        cr_assert_not(alert_from_msgpack(wire, cut, &back, why, sizeof why), "accepted %zu of %zu", cut, n);
    wire[n] = 0xc0;
    expect_rejected(n + 1, "1 bytes after the alert map");
}

Test(alert_codec, huge_claimed_counts_and_deep_nesting_are_refused)
{
    /* A map claiming 2^32-1 members. */
    const uint8_t claim[] = { 0xdf, 0xff, 0xff, 0xff, 0xff };
    cr_assert_not(alert_from_msgpack(claim, sizeof claim, &back, why, sizeof why));
    cr_assert(strstr(why, "members"), "%s", why);
    /* Evidence nested 30 arrays deep. */
    struct mamori_detail *d = &alert.evidence;
    detail_reset(d);
    size_t n = encode();
    uint8_t *ev = NULL;
    for (size_t i = 0; i + 9 <= n; i++)
        if (memcmp(wire + i, "\xa8" "evidence", 9) == 0)
            ev = wire + i + 9;
    cr_assert_not_null(ev);
    cr_assert_eq(*ev, 0x80); /* empty fixmap */
    uint8_t *p = ev;
    *p++ = 0x81;
    *p++ = 0xa1;
    *p++ = 'x';
    for (int i = 0; i < 30; i++)
        *p++ = 0x91;
    *p++ = 0xc0;
    expect_rejected((size_t)(p - wire), "nested deeper than 24");
}

Test(alert_codec, every_single_byte_flip_is_rejected_or_valid)
{
    size_t n = encode();
    alert_json(&w1, &alert);
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            wire[i] ^= (uint8_t)(1u << bit);
            if (alert_from_msgpack(wire, n, &back, why, sizeof why)) {
                /* Accepted: it must still satisfy the schema and re-encode. */
                cr_assert(alert_id_valid(back.id));
                uint8_t again[ALERT_MSGPACK_MAX];
                cr_assert_gt(alert_to_msgpack(&back, again, sizeof again), 0);
            } else {
                cr_assert_neq(why[0], '\0');
            }
            wire[i] ^= (uint8_t)(1u << bit);
        }
    }
}

Test(alert_codec, ids_are_unique_version_4_uuids)
{
    enum { N = 2000 };
    static char ids[N][ALERT_ID_LEN + 1];
    for (int i = 0; i < N; i++) {
        alert_new_id(ids[i]);
        cr_assert(alert_id_valid(ids[i]), "%s", ids[i]);
        cr_assert_eq(ids[i][14], '4');
        cr_assert(strchr("89ab", ids[i][19]));
        for (int j = 0; j < i; j++)
            cr_assert_str_neq(ids[i], ids[j]);
    }
    cr_assert_not(alert_id_valid("0b6f2c1e-4d3a-4f5b-9c8d-7e6f5a4b3c2"));
    cr_assert_not(alert_id_valid("0b6f2c1e-4d3a-4f5b-9c8d-7e6f5a4b3c2dd"));
}

Test(alert_codec, sanitize_repairs_what_the_hub_would_refuse)
{
    strcpy(alert.summary, "read \x01 from \xff\xfe device \xc3\xa9t\xc3");
    strcpy(alert.sector, "Electric Power");
    strcpy(alert.category, "recon_scan");
    strcpy(alert.technique, "T08");
    strcpy(alert.id, "not-a-uuid");
    size_t n = encode();
    cr_assert_not(alert_from_msgpack(wire, n, &back, why, sizeof why));
    alert_sanitize(&alert);
    n = encode();
    cr_assert(alert_from_msgpack(wire, n, &back, why, sizeof why), "%s", why);
    cr_assert_str_eq(back.summary, "read ? from ?? device \xc3\xa9t?");
    cr_assert_str_eq(back.sector, "electric-power");
    cr_assert_str_eq(back.category, "recon-scan");
    cr_assert_str_eq(back.technique, "");
    cr_assert(alert_id_valid(back.id));
}
