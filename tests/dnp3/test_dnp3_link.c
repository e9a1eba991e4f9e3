/* test_dnp3_link.c — DNP3 link layer: CRC-16/DNP, framing, frames split at every
 * byte, several frames per segment, resynchronisation, CRC failures in the
 * header and in each data block, LEN too small, link-only frames. Byte
 * sequences are real frames from ITI-ICS-Security-Tools/dnp3 captures. */
#include <criterion/criterion.h>
#include <string.h>

#include "dnp3_feed.h"
#include "protocols/builtin.h"
#include "protocols/dnp3/dnp3_crc.h"
#include "protocols/dnp3/dnp3_link.h"

/* read_and_response.pcap frame 4: master 1 reads class 1, 2, 3 and 0 from outstation 10. */
static const uint8_t read_class_frame[] = {
    0x05, 0x64, 0x14, 0xc4, 0x0a, 0x00, 0x01, 0x00, 0x8f, 0xed, 0xc0, 0xc0, 0x01, 0x3c, 0x02, 0x06, 0x3c, 0x03,
    0x06, 0x3c, 0x04, 0x06, 0x3c, 0x01, 0x06, 0x8a, 0x51,
};

/* select_operate_and_responses.pcap frame 4: select CROB latch-on, point 0 (two data blocks). */
static const uint8_t select_frame[] = {
    0x05, 0x64, 0x1a, 0xc4, 0x0a, 0x00, 0x01, 0x00, 0x8a, 0x1c, 0xc0, 0xc0, 0x03, 0x0c, 0x01, 0x28, 0x01,
    0x00, 0x00, 0x00, 0x03, 0x01, 0x64, 0x00, 0x00, 0x00, 0xfd, 0x6b, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5b,
};

static const char read_expected[] =
    "\"role\":\"request\",\"op\":\"read\",\"unit\":10,\"function_code\":1,\"function\":\"read\","
    "\"object\":\"g60v2\",\"dnp3\":{\"len\":20,\"ctl\":196,\"dst\":10,\"src\":1,\"al.fragment.count\":1,\"al.ctl\":192,\"al.seq\":0,"
    "\"al.func\":1,\"objects\":[{\"group\":60,\"variation\":2,\"qualifier\":6},{\"group\":60,\"variation\":3,"
    "\"qualifier\":6},{\"group\":60,\"variation\":4,\"qualifier\":6},{\"group\":60,\"variation\":1,"
    "\"qualifier\":6}]}";

Test(dnp3_link, crc_check_value_and_real_header)
{
    cr_assert_eq(dnp3_crc((const uint8_t *)"123456789", 9), 0xEA82); /* CRC-16/DNP catalogue check */
    cr_assert_eq(dnp3_crc(read_class_frame, 8), 0xED8F);
    cr_assert_eq(dnp3_crc(read_class_frame + 10, 15), 0x518A);
}

/* The polynomial bit by bit, the form the standard gives (IEEE 1815 9.2.4.3). */
static uint16_t crc_bitwise(const uint8_t *data, size_t len)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (uint16_t)((crc >> 1) ^ ((crc & 1) ? 0xA6BC : 0));
    }
    return (uint16_t)~crc;
}

Test(dnp3_link, sliced_crc_matches_bitwise_on_random_input)
{
    uint8_t buf[300];
    uint32_t x = 12345; /* xorshift32: the same bytes every run */
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)round % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            buf[i] = (uint8_t)x;
        }
        size_t start = (size_t)round % 7 < len ? (size_t)round % 7 : 0; /* unaligned starts too */
        cr_assert_eq(dnp3_crc(buf + start, len - start), crc_bitwise(buf + start, len - start), "len %zu", len);
    }
}

Test(dnp3_link, real_read_request)
{
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, read_class_frame, sizeof read_class_frame);
    cr_assert_eq(f.n_lines, 1);
    cr_assert(strstr(f.lines[0], read_expected), "got %s", f.lines[0]);
    dnp3_feed_free(&f);
}

Test(dnp3_link, split_at_every_byte)
{
    for (size_t cut = 1; cut < sizeof read_class_frame; cut++) {
        struct dnp3_feed f;
        dnp3_feed_init(&f);
        dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, read_class_frame, cut);
        cr_assert_eq(f.n_lines, 0, "event before the frame was complete (cut %zu)", cut);
        dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 2, read_class_frame + cut, sizeof read_class_frame - cut);
        cr_assert_eq(f.n_lines, 1, "cut %zu", cut);
        cr_assert(strstr(f.lines[0], read_expected), "cut %zu: %s", cut, f.lines[0]);
        dnp3_feed_free(&f);
    }
}

Test(dnp3_link, byte_by_byte_and_several_frames_per_segment)
{
    uint8_t both[sizeof read_class_frame + sizeof select_frame];
    memcpy(both, select_frame, sizeof select_frame);
    memcpy(both + sizeof select_frame, read_class_frame, sizeof read_class_frame);
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, both, sizeof both);
    for (size_t i = 0; i < sizeof both; i++)
        dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 2, both + i, 1);
    cr_assert_eq(f.n_lines, 4);
    cr_assert(strstr(f.lines[0], "\"function\":\"select\""));
    cr_assert(strstr(f.lines[1], read_expected));
    cr_assert(strstr(f.lines[2], "\"function\":\"select\""));
    cr_assert(strstr(f.lines[3], read_expected));
    dnp3_feed_free(&f);
}

Test(dnp3_link, resync_after_garbage)
{
    uint8_t buf[64] = { 0x00, 0x05, 0x05, 0x63, 0x64, 0xff };
    memcpy(buf + 6, read_class_frame, sizeof read_class_frame);
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, buf, 6 + sizeof read_class_frame);
    cr_assert_eq(f.n_lines, 2);
    cr_assert(strstr(f.lines[0], "\"anomaly\":\"link_resync\""));
    cr_assert(strstr(f.lines[1], read_expected));
    dnp3_feed_free(&f);
}

Test(dnp3_link, header_crc_failure_then_good_frame)
{
    uint8_t buf[2 * sizeof read_class_frame];
    memcpy(buf, read_class_frame, sizeof read_class_frame);
    buf[8] ^= 0x01; /* header CRC */
    memcpy(buf + sizeof read_class_frame, read_class_frame, sizeof read_class_frame);
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, buf, sizeof buf);
    cr_assert_eq(dnp3_feed_count(&f, "\"anomaly\":\"bad_link_crc\""), 1);
    cr_assert_eq(dnp3_feed_count(&f, "\"function\":\"read\""), 1);
    cr_assert(strstr(dnp3_feed_line(&f, f.n_lines - 1), read_expected));
    dnp3_feed_free(&f);
}

Test(dnp3_link, data_block_crc_failure_in_each_block)
{
    /* Block 0 spans bytes 10..25 (CRC 26..27); block 1 bytes 28..32 (CRC 33..34). */
    static const size_t flips[] = { 10, 20, 26, 28, 32, 34 };
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        uint8_t buf[sizeof select_frame + sizeof read_class_frame];
        memcpy(buf, select_frame, sizeof select_frame);
        buf[flips[i]] ^= 0x40;
        memcpy(buf + sizeof select_frame, read_class_frame, sizeof read_class_frame);
        struct dnp3_feed f;
        dnp3_feed_init(&f);
        dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, buf, sizeof buf);
        cr_assert_eq(f.n_lines, 2, "flip at %zu", flips[i]);
        cr_assert(strstr(f.lines[0], "\"anomaly\":\"bad_transport_crc\""), "flip at %zu: %s", flips[i], f.lines[0]);
        cr_assert(strstr(f.lines[0], "\"unit\":10"));
        cr_assert(strstr(f.lines[1], read_expected));
        dnp3_feed_free(&f);
    }
}

Test(dnp3_link, len_too_small)
{
    uint8_t buf[10] = { 0x05, 0x64, 0x04, 0xc9, 0x0a, 0x00, 0x01, 0x00 };
    uint16_t crc = dnp3_crc(buf, 8);
    buf[8] = (uint8_t)crc;
    buf[9] = (uint8_t)(crc >> 8);
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, buf, sizeof buf);
    cr_assert_eq(f.n_lines, 1);
    cr_assert(strstr(f.lines[0], "\"anomaly\":\"len_too_small\""), "%s", f.lines[0]);
    dnp3_feed_free(&f);
}

Test(dnp3_link, link_status_request_and_reply)
{
    uint8_t frame[16];
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    size_t n = dnp3_build_frame(frame, 0xC9, 10, 1, NULL, 0); /* DIR PRM, request link status */
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, frame, n);
    n = dnp3_build_frame(frame, 0x0B, 1, 10, NULL, 0); /* secondary: link status */
    dnp3_feed_stream(&f, MAMORI_DIR_TO_CLIENT, 2, frame, n);
    cr_assert_eq(f.n_lines, 2);
    cr_assert(strstr(f.lines[0], "\"role\":\"request\",\"op\":\"session\",\"unit\":10"), "%s", f.lines[0]);
    cr_assert(strstr(f.lines[0], "\"ctl\":201,\"dst\":10,\"src\":1,\"ctl.prifunc\":9,\"link_function\":\"request_link_status\""));
    cr_assert(strstr(f.lines[1], "\"ctl.secfunc\":11,\"link_function\":\"link_status\""), "%s", f.lines[1]);
    dnp3_feed_free(&f);
}

Test(dnp3_link, probe)
{
    cr_assert_eq(dnp3_decoder.probe(read_class_frame, sizeof read_class_frame, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_YES);
    cr_assert_eq(dnp3_decoder.probe(read_class_frame, 5, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_MORE);
    uint8_t bad[sizeof read_class_frame];
    memcpy(bad, read_class_frame, sizeof bad);
    bad[9] ^= 1;
    cr_assert_eq(dnp3_decoder.probe(bad, sizeof bad, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_NO);
    cr_assert_eq(dnp3_decoder.probe((const uint8_t *)"GET /", 5, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_NO);
}
