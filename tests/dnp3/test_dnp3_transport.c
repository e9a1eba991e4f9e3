/* test_dnp3_transport.c — DNP3 transport reassembly: fragments spread over many
 * link frames and many TCP segments, interleaved link-address pairs, sequence
 * gaps, fragments past the size bound, eviction when every reassembly slot is
 * busy, the per-flow state budget, and DNP3 over UDP datagrams. */
#include <criterion/criterion.h>
#include <string.h>

#include "dnp3_feed.h"
#include "protocols/builtin.h"
#include "protocols/dnp3/dnp3_link.h"

#define OUTSTATION 10
#define MASTER 1
#define POINTS 150 /* g30v1 (5 bytes each): a 761-byte fragment, four link frames */

/* Response: g30v1 (flags, int32) points 0..149, value = 1000 * index - 7. */
static size_t analog_response(uint8_t *app)
{
    size_t n = 0;
    app[n++] = 0xC3; /* FIR FIN seq 3 */
    app[n++] = 0x81;
    app[n++] = 0x00;
    app[n++] = 0x00;
    app[n++] = 30;
    app[n++] = 1;
    app[n++] = 0x01; /* start/stop, 16-bit */
    app[n++] = 0;
    app[n++] = 0;
    app[n++] = POINTS - 1;
    app[n++] = 0;
    for (int i = 0; i < POINTS; i++) {
        int32_t v = 1000 * i - 7;
        app[n++] = 0x01;
        for (int b = 0; b < 4; b++)
            app[n++] = (uint8_t)((uint32_t)v >> (8 * b));
    }
    return n;
}

static void expect_analog_response(const char *line)
{
    cr_assert(strstr(line, "\"role\":\"response\",\"op\":\"report\",\"unit\":10,\"function_code\":129"), "%s", line);
    cr_assert(strstr(line, "\"range_start\":0,\"range_count\":150"), "%s", line);
    cr_assert(strstr(line, "\"objects\":[{\"group\":30,\"variation\":1,\"qualifier\":1,\"range.start\":0,"
                           "\"range.stop\":149,\"points\":[{\"index\":0,\"flags\":1,\"value\":-7},"
                           "{\"index\":1,\"flags\":1,\"value\":993},"), "%s", line);
    /* 100 points are rendered into the detail, the other 50 counted */
    cr_assert(strstr(line, "{\"index\":99,\"flags\":1,\"value\":98993}],\"points_omitted\":50}]"), "%s", line);
    cr_assert(!strstr(line, "\"index\":100,"), "%s", line);
}

Test(dnp3_transport, fragment_over_many_frames_and_tcp_segments)
{
    static uint8_t app[1024], wire[2048];
    size_t app_len = analog_response(app);
    uint8_t seq = 60; /* wraps past 63 */
    size_t wire_len = dnp3_build_fragment(wire, DNP3_CTL_OUTSTATION_UNCONFIRMED, MASTER, OUTSTATION, app, app_len,
                                          DNP3_LINK_USER_MAX - 1, &seq);
    cr_assert_eq(seq, 0);
    for (size_t segment = 1; segment <= 64; segment *= 4) {
        struct dnp3_feed f;
        dnp3_feed_init(&f);
        for (size_t off = 0; off < wire_len; off += segment) {
            size_t n = wire_len - off < segment ? wire_len - off : segment;
            dnp3_feed_stream(&f, MAMORI_DIR_TO_CLIENT, off, wire + off, n);
        }
        cr_assert_eq(f.n_lines, 1, "segment %zu", segment);
        expect_analog_response(f.lines[0]);
        cr_assert(strstr(f.lines[0], "\"src\":10,\"al.fragment.count\":4,"), "%s", f.lines[0]);
        dnp3_feed_free(&f);
    }
}

Test(dnp3_transport, small_segments_many_frames)
{
    static uint8_t app[1024], wire[4096];
    size_t app_len = analog_response(app);
    uint8_t seq = 0;
    size_t wire_len = dnp3_build_fragment(wire, DNP3_CTL_OUTSTATION_UNCONFIRMED, MASTER, OUTSTATION, app, app_len,
                                          20, &seq);
    cr_assert_eq(seq, (app_len + 19) / 20 % 64);
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    dnp3_feed_stream(&f, MAMORI_DIR_TO_CLIENT, 1, wire, wire_len);
    cr_assert_eq(f.n_lines, 1);
    expect_analog_response(f.lines[0]);
    cr_assert(strstr(f.lines[0], "\"al.fragment.count\":39,"), "%s", f.lines[0]); /* 761 bytes in 20-byte pieces */
    dnp3_feed_free(&f);
}

Test(dnp3_transport, interleaved_address_pairs)
{
    static const uint8_t read_a[] = { 0xC1, 0x01, 60, 2, 0x06, 60, 3, 0x06, 60, 4, 0x06 };
    static const uint8_t read_b[] = { 0xC2, 0x01, 60, 1, 0x06, 30, 0, 0x06, 1, 0, 0x06 };
    uint8_t wa[128], wb[128];
    uint8_t sa = 0, sb = 30;
    size_t na = dnp3_build_fragment(wa, DNP3_CTL_MASTER_UNCONFIRMED, 10, 1, read_a, sizeof read_a, 4, &sa);
    size_t nb = dnp3_build_fragment(wb, DNP3_CTL_MASTER_UNCONFIRMED, 11, 1, read_b, sizeof read_b, 4, &sb);
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    size_t frame_a = 10 + 5 + 2, frame_b = frame_a; /* full segments: 1 + 4 bytes of data */
    size_t oa = 0, ob = 0;
    while (oa < na || ob < nb) {
        size_t ta = na - oa < frame_a ? na - oa : frame_a, tb = nb - ob < frame_b ? nb - ob : frame_b;
        dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, wa + oa, ta);
        dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, wb + ob, tb);
        oa += ta;
        ob += tb;
    }
    cr_assert_eq(f.n_lines, 2);
    cr_assert(strstr(f.lines[0], "\"unit\":10,") && strstr(f.lines[0], "\"object\":\"g60v2\""), "%s", f.lines[0]);
    cr_assert(strstr(f.lines[1], "\"unit\":11,") && strstr(f.lines[1], "\"object\":\"g60v1\""), "%s", f.lines[1]);
    cr_assert(strstr(f.lines[1], "{\"group\":30,\"variation\":0,\"qualifier\":6},{\"group\":1,\"variation\":0"));
    dnp3_feed_free(&f);
}

static size_t segment_frame(uint8_t *out, uint8_t tr, const uint8_t *data, size_t n)
{
    uint8_t user[DNP3_LINK_USER_MAX];
    user[0] = tr;
    memcpy(user + 1, data, n);
    return dnp3_build_frame(out, DNP3_CTL_MASTER_UNCONFIRMED, 10, 1, user, n + 1);
}

Test(dnp3_transport, sequence_gap_and_stray_segment_are_discarded)
{
    static const uint8_t part1[] = { 0xC0, 0x01, 60, 2 }, part2[] = { 0x06 };
    uint8_t w[64];
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, w, segment_frame(w, 0x40 | 5, part1, sizeof part1));
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 2, w, segment_frame(w, 0x80 | 7, part2, sizeof part2));
    /* a retry of the last segment (same sequence) is ignored silently */
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 3, w, segment_frame(w, 0x40 | 9, part1, sizeof part1));
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 4, w, segment_frame(w, 0x00 | 9, part1, sizeof part1));
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 5, w, segment_frame(w, 0x80 | 10, part2, sizeof part2));
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 6, w, segment_frame(w, 0x80 | 11, part2, sizeof part2));
    cr_assert_eq(f.n_lines, 3);
    cr_assert(strstr(f.lines[0], "\"anomaly\":\"out_of_sequence\""), "%s", f.lines[0]);
    cr_assert(strstr(f.lines[1], "\"function\":\"read\",\"object\":\"g60v2\""), "%s", f.lines[1]);
    cr_assert(strstr(f.lines[2], "\"anomaly\":\"out_of_sequence\""), "%s", f.lines[2]);
    dnp3_feed_free(&f);
}

Test(dnp3_transport, fragment_past_the_bound_is_reported_once)
{
    uint8_t data[DNP3_LINK_USER_MAX - 1];
    memset(data, 0x11, sizeof data);
    data[0] = 0xC0;
    data[1] = 0x02;
    uint8_t w[DNP3_LINK_FRAME_MAX];
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    for (int i = 0; i < 70; i++) { /* 70 x 249 bytes: past the 64-segment bound */
        uint8_t tr = (uint8_t)((i == 0 ? 0x40 : 0) | (i == 69 ? 0x80 : 0) | (i % 64));
        dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, (uint64_t)i, w, segment_frame(w, tr, data, sizeof data));
    }
    cr_assert_eq(f.n_lines, 1);
    cr_assert(strstr(f.lines[0], "\"anomaly\":\"fragment_too_long\""), "%s", f.lines[0]);
    /* the next fragment decodes normally */
    static const uint8_t read[] = { 0xC1, 0x01, 60, 1, 0x06 };
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 50, w, segment_frame(w, 0xC0, read, sizeof read));
    cr_assert_eq(f.n_lines, 2);
    cr_assert(strstr(f.lines[1], "\"function\":\"read\""));
    dnp3_feed_free(&f);
}

Test(dnp3_transport, udp_datagrams)
{
    static uint8_t app[1024], wire[2048];
    size_t app_len = analog_response(app);
    uint8_t seq = 0;
    size_t wire_len = dnp3_build_fragment(wire, DNP3_CTL_OUTSTATION_UNCONFIRMED, MASTER, OUTSTATION, app, app_len,
                                          DNP3_LINK_USER_MAX - 1, &seq);
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    /* Two datagrams: the first carries two whole frames, the second the rest. */
    size_t first = 2 * DNP3_LINK_FRAME_MAX;
    dnp3_feed_datagram(&f, MAMORI_DIR_TO_CLIENT, 1, wire, first);
    cr_assert_eq(f.n_lines, 0);
    dnp3_feed_datagram(&f, MAMORI_DIR_TO_CLIENT, 2, wire + first, wire_len - first);
    cr_assert_eq(f.n_lines, 1);
    expect_analog_response(f.lines[0]);
    /* A datagram with a request and a link status request. */
    static const uint8_t read[] = { 0xC4, 0x01, 60, 1, 0x06 };
    uint8_t dgram[128];
    uint8_t s2 = 0;
    size_t n = dnp3_build_fragment(dgram, DNP3_CTL_MASTER_UNCONFIRMED, OUTSTATION, MASTER, read, sizeof read, 200, &s2);
    n += dnp3_build_frame(dgram + n, 0xC9, OUTSTATION, MASTER, NULL, 0);
    dnp3_feed_datagram(&f, MAMORI_DIR_TO_SERVER, 3, dgram, n);
    cr_assert_eq(f.n_lines, 3);
    cr_assert(strstr(f.lines[1], "\"function\":\"read\",\"object\":\"g60v1\""));
    cr_assert(strstr(f.lines[2], "\"link_function\":\"request_link_status\""));
    dnp3_feed_free(&f);
}

Test(dnp3_transport, busy_slots_evict_the_oldest_reassembly)
{
    static const uint8_t first[] = { 0xC0, 0x01, 60 }, last[] = { 2, 0x06 };
    uint8_t w[64];
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    /* Eight outstations each get a first segment; the per-flow slots cannot hold them all. */
    for (uint16_t dst = 20; dst < 28; dst++) {
        uint8_t user[8] = { 0x40 };
        memcpy(user + 1, first, sizeof first);
        dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, dst, w,
                         dnp3_build_frame(w, DNP3_CTL_MASTER_UNCONFIRMED, dst, MASTER, user, 1 + sizeof first));
    }
    size_t evictions = dnp3_feed_count(&f, "\"anomaly\":\"reassembly_evicted\"");
    cr_assert(evictions >= 4 && evictions == f.n_lines, "%zu evictions in %zu events", evictions, f.n_lines);
    /* the newest reassembly survived and completes */
    uint8_t user[8] = { 0x81 };
    memcpy(user + 1, last, sizeof last);
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 30, w,
                     dnp3_build_frame(w, DNP3_CTL_MASTER_UNCONFIRMED, 27, MASTER, user, 1 + sizeof last));
    cr_assert(strstr(dnp3_feed_line(&f, f.n_lines - 1), "\"unit\":27,\"function_code\":1,\"function\":\"read\""),
              "%s", dnp3_feed_line(&f, f.n_lines - 1));
    dnp3_feed_free(&f);
}

Test(dnp3_transport, state_budget_is_respected)
{
    struct mamori_decoder_options small = { .state_budget = 4096, .response_timeout_us = 1 };
    cr_assert_null(dnp3_decoder.state_new(&small)); /* cannot hold one fragment: the flow is not decoded */
    struct mamori_decoder_options one = { .state_budget = 20 * 1024, .response_timeout_us = 1 };
    void *state = dnp3_decoder.state_new(&one);
    cr_assert_not_null(state);
    dnp3_decoder.state_free(state);
}

Test(dnp3_transport, udp_datagram_ending_inside_a_frame)
{
    static const uint8_t read[] = { 0xC4, 0x01, 60, 1, 0x06 };
    uint8_t dgram[64];
    uint8_t seq = 0;
    /* 10-byte header (LEN 11 = 5 + transport byte + 5 application bytes), 6 user bytes, their CRC: 18 bytes */
    size_t n = dnp3_build_fragment(dgram, DNP3_CTL_MASTER_UNCONFIRMED, OUTSTATION, MASTER, read, sizeof read, 200, &seq);
    cr_assert_eq(n, 18);
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    dnp3_feed_datagram(&f, MAMORI_DIR_TO_SERVER, 1, dgram, n - 3); /* the data block cut short */
    dnp3_feed_datagram(&f, MAMORI_DIR_TO_SERVER, 2, dgram, 5);     /* the header cut short */
    dnp3_feed_datagram(&f, MAMORI_DIR_TO_SERVER, 3, dgram, n);     /* whole: decoded from a clean start */
    cr_assert_eq(f.n_lines, 3);
    cr_assert(strstr(f.lines[0], "\"kind\":\"anomaly\",\"anomaly\":\"truncated_frame\",\"op\":\"malformed\",\"unit\":10,"
                                 "\"dnp3\":{\"len\":11,\"ctl\":196,\"dst\":10,\"src\":1}"),
              "%s", f.lines[0]);
    cr_assert(strstr(f.lines[1], "\"anomaly\":\"truncated_frame\",\"op\":\"malformed\"}"), "%s", f.lines[1]);
    cr_assert(strstr(f.lines[2], "\"function\":\"read\",\"object\":\"g60v1\""), "%s", f.lines[2]);
    /* Over TCP the same cut is only a frame still arriving. */
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 4, dgram, n - 3);
    cr_assert_eq(f.n_lines, 3);
    dnp3_feed_free(&f);
}
