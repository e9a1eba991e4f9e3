/* test_enip.c — the EtherNet/IP decoder at parse() level on hand-checked
 * messages: ListIdentity request and identity response, RegisterSession, an
 * Unconnected Send read and a connected Write Tag with their pairing, the
 * same events whatever the segmentation, and the malformed-input anomalies. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "enip_bytes.h"
#include "protocols/builtin.h"
#include "tests/support/stream_feed.h"

#define T0 1000000u
#define T_REPLY 1000250u

static struct stream_feed *open_feed(void)
{
    struct stream_feed *f = malloc(sizeof *f);
    cr_assert(f && stream_feed_init(f, &enip_decoder, 0, 0));
    return f;
}

static void close_feed(struct stream_feed *f)
{
    stream_feed_free(f);
    free(f);
}

static void exchange(struct stream_feed *f, struct bytes req, struct bytes rsp, size_t chunk)
{
    stream_feed_bytes(f, MAMORI_DIR_TO_SERVER, T0, req.data, req.len, chunk);
    stream_feed_bytes(f, MAMORI_DIR_TO_CLIENT, T_REPLY, rsp.data, rsp.len, chunk);
}

static void expect_event(const struct stream_feed *f, size_t index, const char *const *needles)
{
    cr_assert_lt(index, f->n_events);
    for (size_t i = 0; needles[i]; i++)
        cr_expect(strstr(f->events[index], needles[i]), "event %zu lacks %s:\n%s", index, needles[i],
                  f->events[index]);
}

Test(enip, list_identity_request_and_response)
{
    struct stream_feed *f = open_feed();
    exchange(f, (struct bytes)LIST_IDENTITY_REQUEST, (struct bytes)LIST_IDENTITY_RESPONSE, 0);
    stream_feed_finish(f, T_REPLY);
    cr_assert_eq(f->n_events, 2, "%s", stream_feed_join(f));
    expect_event(f, 0, (const char *const[]){ "\"kind\":\"operation\"", "\"role\":\"request\"", "\"op\":\"identify\"",
                                              "\"function_code\":99", "\"function\":\"list_identity\"",
                                              "\"context\":\"00000000c1debed1\"", "\"length\":0", NULL });
    expect_event(f, 1, (const char *const[]){
        "\"kind\":\"identity\"", "\"role\":\"response\"",
        "\"identity\":{\"vendor\":\"Rockwell Automation/Allen-Bradley\",\"vendor_id\":\"1\","
        "\"device_type\":\"Communications Adapter\",\"product_code\":\"58\",\"revision\":\"4.03\","
        "\"serial_number\":\"0x00524d8e\",\"product_name\":\"1756-ENBT/A\"}",
        "\"itemcount\":1", "\"typeid\":12,\"length\":45",
        "\"identity\":{\"encapver\":1,\"sinfamily\":2,\"sinport\":44818,\"sinaddr\":\"10.1.1.164\",\"vendor\":1,"
        "\"devtype\":12,\"prodcode\":58,\"revision\":\"4.03\",\"status\":48,\"serial\":\"0x00524d8e\","
        "\"namelen\":11,\"name\":\"1756-ENBT/A\",\"state\":3}", NULL });
    close_feed(f);
}

Test(enip, register_session)
{
    struct stream_feed *f = open_feed();
    exchange(f, (struct bytes)REGISTER_SESSION_REQUEST, (struct bytes)REGISTER_SESSION_RESPONSE, 0);
    stream_feed_finish(f, T_REPLY);
    cr_assert_eq(f->n_events, 2, "%s", stream_feed_join(f));
    expect_event(f, 0, (const char *const[]){ "\"op\":\"session\"", "\"function\":\"register_session\"",
                                              "\"session\":0,", "\"protocol_version\":1,\"option_flags\":0", NULL });
    expect_event(f, 1, (const char *const[]){ "\"role\":\"response\"", "\"session\":185207048,", NULL });
    close_feed(f);
}

Test(enip, unconnected_send_read_is_paired_by_context)
{
    struct stream_feed *f = open_feed();
    exchange(f, (struct bytes)UNCONNECTED_SEND_REQUEST, (struct bytes)UNCONNECTED_SEND_RESPONSE, 0);
    stream_feed_finish(f, T_REPLY);
    cr_assert_eq(f->n_events, 2, "%s", stream_feed_join(f));
    expect_event(f, 0, (const char *const[]){
        "\"op\":\"read\"", "\"function_code\":82", "\"function\":\"unconnected_send\"", "\"object\":\"@172/1\"",
        "\"cip\":{\"service\":82,\"path_len\":2,\"path\":[{\"class\":6},{\"instance\":1}],"
        "\"service_name\":\"unconnected_send\",\"priority_tick\":7,\"timeout_ticks\":233,\"msg_req_size\":8,"
        "\"message\":{\"service\":1,\"path_len\":2,\"path\":[{\"class\":172},{\"instance\":1}],"
        "\"service_name\":\"get_attributes_all\",\"data_len\":2},"
        "\"route\":{\"path\":[{\"port\":1,\"link\":\"00\"}]}}", NULL });
    expect_event(f, 1, (const char *const[]){ "\"op\":\"read\"", "\"function_code\":1",
                                              "\"function\":\"get_attributes_all\"", "\"status\":0",
                                              "\"latency_us\":250", "\"genstat\":0", "\"data_len\":32", NULL });
    close_feed(f);
}

Test(enip, connected_write_tag_is_paired_by_sequence)
{
    struct stream_feed *f = open_feed();
    exchange(f, (struct bytes)WRITE_TAG_REQUEST, (struct bytes)WRITE_TAG_RESPONSE, 0);
    stream_feed_finish(f, T_REPLY);
    cr_assert_eq(f->n_events, 2, "%s", stream_feed_join(f));
    expect_event(f, 0, (const char *const[]){ "\"op\":\"write\"", "\"function_code\":77", "\"function\":\"write_tag\"",
                                              "\"object\":\"Speed\"", "{\"typeid\":161,\"length\":4,"
                                              "\"type_name\":\"connected_address\",\"connid\":287454020}",
                                              "\"seqcnt\":5", "\"path\":[{\"symbol\":\"Speed\"}]", NULL });
    expect_event(f, 1, (const char *const[]){ "\"op\":\"write\"", "\"function\":\"write_tag\"", "\"latency_us\":250",
                                              "\"connid\":1432778632", NULL });
    close_feed(f);
}

static char *conversation(size_t chunk)
{
    struct stream_feed *f = open_feed();
    exchange(f, (struct bytes)LIST_IDENTITY_REQUEST, (struct bytes)LIST_IDENTITY_RESPONSE, chunk);
    exchange(f, (struct bytes)REGISTER_SESSION_REQUEST, (struct bytes)REGISTER_SESSION_RESPONSE, chunk);
    exchange(f, (struct bytes)UNCONNECTED_SEND_REQUEST, (struct bytes)UNCONNECTED_SEND_RESPONSE, chunk);
    exchange(f, (struct bytes)WRITE_TAG_REQUEST, (struct bytes)WRITE_TAG_RESPONSE, chunk);
    stream_feed_finish(f, T_REPLY);
    cr_assert_eq(f->n_events, 8);
    char *joined = stream_feed_join(f);
    close_feed(f);
    return joined;
}

Test(enip, same_events_for_every_segmentation)
{
    char *whole = conversation(0);
    for (size_t chunk = 1; chunk <= 80; chunk++) {
        char *split = conversation(chunk);
        cr_assert_str_eq(split, whole, "chunk %zu", chunk);
        free(split);
    }
    free(whole);
}

/* One stream holding every request, split once at each byte position. */
Test(enip, same_events_for_every_split_position)
{
    struct bytes parts[] = { LIST_IDENTITY_REQUEST, REGISTER_SESSION_REQUEST, UNCONNECTED_SEND_REQUEST,
                             WRITE_TAG_REQUEST };
    uint8_t stream[256];
    size_t len = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        memcpy(stream + len, parts[i].data, parts[i].len);
        len += parts[i].len;
    }
    struct stream_feed *f = open_feed();
    stream_feed_bytes(f, MAMORI_DIR_TO_SERVER, T0, stream, len, 0);
    char *whole = stream_feed_join(f);
    cr_assert_eq(f->n_events, 4);
    close_feed(f);
    for (size_t at = 1; at < len; at++) {
        f = open_feed();
        stream_feed_bytes(f, MAMORI_DIR_TO_SERVER, T0, stream, at, 0);
        stream_feed_bytes(f, MAMORI_DIR_TO_SERVER, T0, stream + at, len - at, 0);
        char *split = stream_feed_join(f);
        cr_assert_str_eq(split, whole, "split at %zu", at);
        free(split);
        close_feed(f);
    }
    free(whole);
}

static struct stream_feed *feed_one(enum mamori_direction dir, const uint8_t *data, size_t len)
{
    struct stream_feed *f = open_feed();
    stream_feed_bytes(f, dir, T0, data, len, 0);
    stream_feed_finish(f, T0);
    return f;
}

static void expect_anomaly(struct stream_feed *f, const char *anomaly, const char *reason)
{
    cr_expect_eq(stream_feed_find(f, (const char *const[]){ anomaly, reason, NULL }) >= 0, true,
                 "no %s %s in:\n%s", anomaly, reason, stream_feed_join(f));
}

Test(enip, item_count_disagreeing_with_items)
{
    struct bytes r = LIST_IDENTITY_RESPONSE;
    uint8_t bad[128];
    memcpy(bad, r.data, r.len);
    bad[24] = 2; /* two items announced, one present */
    struct stream_feed *f = feed_one(MAMORI_DIR_TO_CLIENT, bad, r.len);
    expect_anomaly(f, "\"anomaly\":\"invalid_item_count\"", "fewer_items_than_item_count");
    close_feed(f);
}

Test(enip, truncated_identity_item)
{
    struct bytes r = LIST_IDENTITY_RESPONSE;
    uint8_t bad[128];
    memcpy(bad, r.data, r.len);
    size_t cut = 20; /* the item loses the end of its product name and the state */
    bad[2] = (uint8_t)(r.len - ENIP_TEST_HEADER - cut);
    bad[28] = (uint8_t)(bad[28] - cut);
    struct stream_feed *f = feed_one(MAMORI_DIR_TO_CLIENT, bad, r.len - cut);
    expect_anomaly(f, "\"anomaly\":\"truncated_identity\"", "identity_item_shorter_than_its_fields");
    cr_expect_eq(stream_feed_count(f, "\"kind\":\"identity\""), 0);
    cr_expect_eq(stream_feed_count(f, "\"op\":\"malformed\""), 2, "%s", stream_feed_join(f));
    close_feed(f);
}

Test(enip, item_beyond_message)
{
    struct bytes r = LIST_IDENTITY_RESPONSE;
    uint8_t bad[128];
    memcpy(bad, r.data, r.len);
    bad[28] = 0x40; /* item length 64 in a 51-byte message */
    struct stream_feed *f = feed_one(MAMORI_DIR_TO_CLIENT, bad, r.len);
    expect_anomaly(f, "\"anomaly\":\"invalid_length\"", "item_beyond_message");
    close_feed(f);
}

Test(enip, unknown_command_then_resynchronised)
{
    struct bytes q = REGISTER_SESSION_REQUEST;
    uint8_t stream[64] = { 0x99, 0x00, 0x00, 0x00 };
    memcpy(stream + 8, q.data, q.len);
    struct stream_feed *f = feed_one(MAMORI_DIR_TO_SERVER, stream, 8 + q.len);
    expect_anomaly(f, "\"anomaly\":\"invalid_command\"", "unknown_command");
    cr_expect_eq(stream_feed_count(f, "\"function\":\"register_session\""), 1, "%s", stream_feed_join(f));
    close_feed(f);
}

Test(enip, message_cut_by_end_of_flow)
{
    struct bytes r = LIST_IDENTITY_RESPONSE;
    struct stream_feed *f = feed_one(MAMORI_DIR_TO_CLIENT, r.data, r.len - 1);
    expect_anomaly(f, "\"anomaly\":\"truncated_message\"", "flow_ended_in_message");
    close_feed(f);
}

Test(enip, message_cut_by_end_of_datagram_is_reported_at_once)
{
    struct bytes r = LIST_IDENTITY_RESPONSE, q = REGISTER_SESSION_REQUEST;
    struct stream_feed *f = open_feed();
    stream_feed_datagram(f, MAMORI_DIR_TO_CLIENT, T0, r.data, r.len - 1);
    expect_anomaly(f, "\"anomaly\":\"truncated_message\"", "datagram_cut_short");
    size_t events = f->n_events;
    stream_feed_datagram(f, MAMORI_DIR_TO_SERVER, T_REPLY, q.data, q.len);
    cr_expect_eq(f->n_events, events + 1, "the next datagram starts clean:\n%s", stream_feed_join(f));
    cr_expect_eq(stream_feed_count(f, "\"function\":\"register_session\""), 1);
    close_feed(f);
}

Test(enip, unanswered_and_unsolicited)
{
    struct stream_feed *f = open_feed();
    struct bytes q = WRITE_TAG_REQUEST, r = UNCONNECTED_SEND_RESPONSE;
    stream_feed_bytes(f, MAMORI_DIR_TO_SERVER, T0, q.data, q.len, 0);
    stream_feed_bytes(f, MAMORI_DIR_TO_CLIENT, T_REPLY, r.data, r.len, 0);
    stream_feed_finish(f, T_REPLY);
    expect_anomaly(f, "\"anomaly\":\"unsolicited_response\"", "no_request_with_this_context_or_sequence");
    expect_anomaly(f, "\"anomaly\":\"unanswered_request\"", "\"paired_on\":\"seqcnt\",\"key\":5");
    close_feed(f);
}
