/* test_dnp3_session.c — transactions: request/response latency by application
 * sequence, unsolicited responses and their confirms, select-before-operate,
 * the request flood bound, and the function-code anomalies (broadcast,
 * restart, stop application, disable unsolicited, file transfer, activate
 * configuration, operate without select). Uses the real select/operate bytes
 * of ITI-ICS-Security-Tools/dnp3/select_operate_and_responses.pcap. */
#include <criterion/criterion.h>
#include <string.h>

#include "dnp3_feed.h"

#define OUTSTATION 10
#define MASTER 1

static void send_app(struct dnp3_feed *f, uint64_t t, uint16_t dst, const uint8_t *app, size_t n)
{
    uint8_t wire[512];
    uint8_t seq = 0;
    bool from_outstation = app[1] >= 0x81;
    size_t w = dnp3_build_fragment(wire, from_outstation ? DNP3_CTL_OUTSTATION_UNCONFIRMED : DNP3_CTL_MASTER_UNCONFIRMED,
                                   dst, from_outstation ? OUTSTATION : MASTER, app, n, 249, &seq);
    dnp3_feed_stream(f, from_outstation ? MAMORI_DIR_TO_CLIENT : MAMORI_DIR_TO_SERVER, t, wire, w);
}

#define SEND(f, t, dst, ...)                                                                                         \
    do {                                                                                                             \
        static const uint8_t app_[] = { __VA_ARGS__ };                                                                \
        send_app(f, t, dst, app_, sizeof app_);                                                                      \
    } while (0)

#define CROB_POINT0 0x0c, 0x01, 0x28, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x64, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00

Test(dnp3_session, request_response_latency)
{
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    SEND(&f, 1000, OUTSTATION, 0xC5, 0x01, 0x3c, 0x01, 0x06);
    SEND(&f, 1250, MASTER, 0xC4, 0x81, 0x00, 0x00); /* other sequence: not the answer */
    SEND(&f, 1500, MASTER, 0xC5, 0x81, 0x90, 0x00);
    cr_assert_eq(f.n_lines, 3);
    cr_assert(!strstr(f.lines[1], "latency_us"));
    cr_assert(strstr(f.lines[2], "\"role\":\"response\",\"op\":\"report\",\"unit\":10,\"function_code\":129,"
                                 "\"function\":\"response\",\"status\":36864,\"latency_us\":500"), "%s", f.lines[2]);
    cr_assert(strstr(f.lines[2], "\"al.iin\":36864,\"al.iin.bits\":[\"device_restart\",\"need_time\"]"), "%s", f.lines[2]);
    dnp3_feed_free(&f);
}

Test(dnp3_session, exception_response)
{
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    SEND(&f, 1, OUTSTATION, 0xC2, 0x01, 0x63, 0x01, 0x06);
    SEND(&f, 2, MASTER, 0xC2, 0x81, 0x00, 0x02);
    cr_assert(strstr(f.lines[1], "\"op\":\"exception\""), "%s", f.lines[1]);
    cr_assert(strstr(f.lines[1], "\"al.iin.bits\":[\"object_unknown\"]"));
    dnp3_feed_free(&f);
}

Test(dnp3_session, unsolicited_and_confirm)
{
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    SEND(&f, 100, MASTER, 0xF3, 0x82, 0x00, 0x00, 0x02, 0x01, 0x17, 0x01, 0x00, 0x81);
    SEND(&f, 400, OUTSTATION, 0xD3, 0x00);
    cr_assert_eq(f.n_lines, 2);
    cr_assert(strstr(f.lines[0], "\"role\":\"unsolicited\",\"op\":\"report\""), "%s", f.lines[0]);
    cr_assert(strstr(f.lines[1], "\"role\":\"request\",\"op\":\"session\",\"unit\":10,\"function_code\":0,"
                                 "\"function\":\"confirm\",\"latency_us\":300"), "%s", f.lines[1]);
    dnp3_feed_free(&f);
}

Test(dnp3_session, select_then_operate_is_quiet)
{
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    SEND(&f, 1, OUTSTATION, 0xC0, 0x03, CROB_POINT0);
    SEND(&f, 2, MASTER, 0xC0, 0x81, 0x00, 0x00, CROB_POINT0);
    SEND(&f, 3, OUTSTATION, 0xC1, 0x04, CROB_POINT0);
    SEND(&f, 4, MASTER, 0xC1, 0x81, 0x00, 0x00, CROB_POINT0);
    cr_assert_eq(f.n_lines, 4);
    cr_assert_eq(dnp3_feed_count(&f, "\"kind\":\"anomaly\""), 0);
    cr_assert(strstr(f.lines[2], "\"function\":\"operate\",\"range_start\":0,\"range_count\":1,\"object\":\"g12v1\""),
              "%s", f.lines[2]);
    cr_assert(strstr(f.lines[3], "\"latency_us\":1"));
    dnp3_feed_free(&f);
}

Test(dnp3_session, operate_without_matching_select)
{
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    SEND(&f, 1, OUTSTATION, 0xC1, 0x04, CROB_POINT0); /* no select at all */
    SEND(&f, 2, OUTSTATION, 0xC2, 0x03, CROB_POINT0);
    SEND(&f, 3, OUTSTATION, 0xC3, 0x04, 0x0c, 0x01, 0x28, 0x01, 0x00, 0x01, 0x00, 0x03, 0x01, 0x64, 0x00, 0x00, 0x00,
         0x64, 0x00, 0x00, 0x00, 0x00); /* a different point than selected */
    SEND(&f, 4, OUTSTATION, 0xC4, 0x03, CROB_POINT0);
    SEND(&f, 5, OUTSTATION, 0xC6, 0x04, CROB_POINT0); /* sequence skips one */
    cr_assert_eq(dnp3_feed_count(&f, "\"anomaly\":\"operate_without_select\""), 3);
    dnp3_feed_free(&f);
}

Test(dnp3_session, request_flood)
{
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    /* suricata-verify dnp3-flood: 33 unanswered requests raise one flood event */
    for (int i = 0; i < 33; i++) {
        uint8_t app[] = { (uint8_t)(0xC0 | (i & 0x0F)), 0x01, 0x3c, 0x01, 0x06 };
        uint8_t wire[64];
        uint8_t seq = 0;
        size_t w = dnp3_build_fragment(wire, DNP3_CTL_MASTER_UNCONFIRMED, (uint16_t)(100 + i), MASTER, app, sizeof app,
                                       249, &seq);
        dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, (uint64_t)i, wire, w);
        cr_assert_eq(dnp3_feed_count(&f, "\"anomaly\":\"flooded\""), i == 32 ? 1 : 0, "request %d", i);
    }
    dnp3_feed_free(&f);
}

Test(dnp3_session, function_code_anomalies)
{
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    SEND(&f, 1, OUTSTATION, 0xC0, 0x0D);                         /* cold restart */
    SEND(&f, 2, OUTSTATION, 0xC1, 0x0E);                         /* warm restart */
    SEND(&f, 3, OUTSTATION, 0xC2, 0x12, 0x5a, 0x01, 0x5b, 0x01, 0x02, 0x00, 0x41, 0x42); /* stop application "AB" */
    SEND(&f, 4, OUTSTATION, 0xC3, 0x15, 0x3c, 0x02, 0x06);       /* disable unsolicited class 1 */
    SEND(&f, 5, OUTSTATION, 0xC4, 0x1E, 0x46, 0x04, 0x5b, 0x01, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
         0x00, 0x00, 0x00, 0x00, 0x00, 0x00);                    /* abort file */
    SEND(&f, 6, 0xFFFF, 0xC5, 0x02, 0x50, 0x01, 0x00, 0x07, 0x07, 0x00); /* broadcast write */
    cr_assert_eq(dnp3_feed_count(&f, "\"anomaly\":\"restart_command\""), 2);
    cr_assert_eq(dnp3_feed_count(&f, "\"op\":\"restart\""), 4);
    cr_assert_eq(dnp3_feed_count(&f, "\"anomaly\":\"stop_application\""), 1);
    cr_assert_eq(dnp3_feed_count(&f, "\"op\":\"program\",\"unit\":10,\"function_code\":18,\"function\":\"stop_application\""), 2);
    cr_assert_eq(dnp3_feed_count(&f, "\"anomaly\":\"disable_unsolicited\""), 1);
    cr_assert_eq(dnp3_feed_count(&f, "\"anomaly\":\"file_transfer\""), 1);
    cr_assert_eq(dnp3_feed_count(&f, "\"anomaly\":\"broadcast_destination\",\"op\":\"write\",\"unit\":65535"), 1);
    cr_assert_eq(dnp3_feed_count(&f, "\"kind\":\"anomaly\""), 6);
    cr_assert_eq(dnp3_feed_count(&f, "\"anomaly\":\"malformed\""), 0);
    dnp3_feed_free(&f);
}

Test(dnp3_session, unanswered_requests_reported_when_the_flow_ends)
{
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    SEND(&f, 1000, OUTSTATION, 0xC5, 0x01, 0x3c, 0x01, 0x06); /* read class 0, seq 5: answered */
    SEND(&f, 1500, MASTER, 0xC5, 0x81, 0x00, 0x00);
    SEND(&f, 2000, OUTSTATION, 0xC6, 0x01, 0x3c, 0x02, 0x06); /* read class 1, seq 6: never answered */
    SEND(&f, 3000, OUTSTATION, 0xC7, 0x0D);                   /* cold restart, seq 7: never answered */
    SEND(&f, 3500, MASTER, 0xF3, 0x82, 0x00, 0x00);           /* unsolicited, CON, seq 3: not a request */
    size_t before = f.n_lines;
    dnp3_feed_finish(&f, 9000);
    cr_assert_eq(f.n_lines, before + 2);
    cr_assert(strstr(dnp3_feed_line(&f, before),
                     "\"kind\":\"anomaly\",\"anomaly\":\"unanswered_request\",\"role\":\"request\",\"op\":\"read\","
                     "\"unit\":10,\"function_code\":1,\"function\":\"read\",\"dnp3\":{\"dst\":10,\"src\":1,"
                     "\"al.seq\":6,\"al.func\":1,\"request_time_us\":2000,\"count\":1}"),
              "%s", dnp3_feed_line(&f, before));
    cr_assert(strstr(dnp3_feed_line(&f, before + 1),
                     "\"anomaly\":\"unanswered_request\",\"role\":\"request\",\"op\":\"restart\",\"unit\":10,"
                     "\"function_code\":13,\"function\":\"cold_restart\",\"dnp3\":{\"dst\":10,\"src\":1,"
                     "\"al.seq\":7,\"al.func\":13,\"request_time_us\":3000,\"count\":2}"),
              "%s", dnp3_feed_line(&f, before + 1));
    dnp3_feed_finish(&f, 9500); /* reported once */
    cr_assert_eq(f.n_lines, before + 2);
    dnp3_feed_free(&f);
}

Test(dnp3_session, unanswered_request_reported_once_later_traffic_passes_the_timeout)
{
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    SEND(&f, 1000, OUTSTATION, 0xC5, 0x01, 0x3c, 0x01, 0x06); /* read class 0, seq 5: never answered */
    SEND(&f, 1000 + DNP3_FEED_TIMEOUT_US, OUTSTATION, 0xC6, 0x01, 0x3c, 0x02, 0x06); /* seq 6, exactly the timeout on */
    cr_assert_eq(f.n_lines, 2);
    cr_assert_eq(dnp3_feed_count(&f, "unanswered_request"), 0);
    SEND(&f, 1001 + DNP3_FEED_TIMEOUT_US, MASTER, 0xC6, 0x81, 0x00, 0x00); /* answers seq 6, one µs past seq 5's time */
    cr_assert_eq(f.n_lines, 4);
    cr_assert(strstr(dnp3_feed_line(&f, 2),
                     "\"kind\":\"anomaly\",\"anomaly\":\"unanswered_request\",\"role\":\"request\",\"op\":\"read\","
                     "\"unit\":10,\"function_code\":1,\"function\":\"read\",\"dnp3\":{\"dst\":10,\"src\":1,"
                     "\"al.seq\":5,\"al.func\":1,\"request_time_us\":1000,\"count\":1}"),
              "%s", dnp3_feed_line(&f, 2));
    cr_assert(strstr(dnp3_feed_line(&f, 3), "\"function\":\"response\",\"status\":0,\"latency_us\":1,"), "%s",
              dnp3_feed_line(&f, 3));
    dnp3_feed_finish(&f, 2 * DNP3_FEED_TIMEOUT_US); /* nothing left outstanding */
    cr_assert_eq(f.n_lines, 4);
    dnp3_feed_free(&f);
}
