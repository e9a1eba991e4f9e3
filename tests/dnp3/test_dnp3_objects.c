/* test_dnp3_objects.c — object headers and values: every qualifier code and
 * every decoded group, from hand-assembled application fragments whose
 * expected values were worked out by hand (comments give the arithmetic). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dnp3_feed.h"

struct object_case {
    const char *what;
    const char *app;      /* application fragment, hex */
    const char *expect[4]; /* substrings of the joined event lines */
};

static size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    unsigned byte;
    while (*hex && n < cap) {
        while (*hex == ' ')
            hex++;
        if (!*hex || sscanf(hex, "%2x", &byte) != 1)
            break;
        out[n++] = (uint8_t)byte;
        hex += 2;
    }
    return n;
}

/* Feeds one fragment (response codes from the outstation, others from the master)
 * and checks the joined event lines hold every expected substring and not
 * `absent` (unless NULL). */
static void run_case(const struct object_case *c, const char *absent)
{
    uint8_t app[1024], wire[2048];
    size_t n = hex_decode(c->app, app, sizeof app);
    bool from_outstation = app[1] >= 0x81;
    uint8_t seq = 0;
    size_t w = dnp3_build_fragment(wire, from_outstation ? DNP3_CTL_OUTSTATION_UNCONFIRMED : DNP3_CTL_MASTER_UNCONFIRMED,
                                   from_outstation ? 1 : 10, from_outstation ? 10 : 1, app, n, 249, &seq);
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    dnp3_feed_stream(&f, from_outstation ? MAMORI_DIR_TO_CLIENT : MAMORI_DIR_TO_SERVER, 1, wire, w);
    char all[65536] = "";
    for (size_t i = 0; i < f.n_lines; i++) {
        strncat(all, f.lines[i], sizeof all - strlen(all) - 2);
        strcat(all, "\n");
    }
    for (size_t i = 0; i < 4 && c->expect[i]; i++)
        cr_expect(strstr(all, c->expect[i]), "%s: missing %s in\n%s", c->what, c->expect[i], all);
    if (absent)
        cr_expect(!strstr(all, absent), "%s: unexpected %s in\n%s", c->what, absent, all);
    dnp3_feed_free(&f);
}

static void run_cases(const struct object_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        run_case(&cases[i], NULL);
}

#define RESP "C0 81 00 00 "

Test(dnp3_objects, every_qualifier)
{
    static const struct object_case cases[] = {
        { "0x00 8-bit start/stop", RESP "01 02 00 03 04 81 01",
          { "\"qualifier\":0,\"range.start\":3,\"range.stop\":4,\"points\":[{\"index\":3,\"flags\":129,\"value\":1},"
            "{\"index\":4,\"flags\":1,\"value\":0}]", "\"range_start\":3,\"range_count\":2", "\"values\":[1,0]" } },
        { "0x01 16-bit start/stop", RESP "1e 02 01 00 01 00 01 01 fe ff",
          { "\"range.start\":256,\"range.stop\":256,\"points\":[{\"index\":256,\"flags\":1,\"value\":-2}]" } },
        /* 70000 = 0x00011170; 0x12345678 = 305419896 */
        { "0x02 32-bit start/stop", RESP "14 05 02 70 11 01 00 70 11 01 00 78 56 34 12",
          { "\"range.start\":70000,\"range.stop\":70000,\"points\":[{\"index\":70000,\"value\":305419896}]" } },
        { "0x03 8-bit virtual address", RESP "01 02 03 05 05 01",
          { "\"qualifier\":3,\"range.start\":5,\"range.stop\":5,\"points\":[{\"index\":5,\"flags\":1,\"value\":0}]" } },
        { "0x04 16-bit virtual address", RESP "01 02 04 05 00 06 00 80 00",
          { "\"qualifier\":4,\"range.start\":5,\"range.stop\":6,\"points\":[{\"index\":5,\"flags\":128,\"value\":1},"
            "{\"index\":6,\"flags\":0,\"value\":0}]" } },
        { "0x05 32-bit virtual address", RESP "01 02 05 05 00 00 00 05 00 00 00 80",
          { "\"qualifier\":5,\"range.start\":5,\"range.stop\":5,\"points\":[{\"index\":5,\"flags\":128,\"value\":1}]" } },
        { "0x06 no range", "C0 01 01 00 06 1e 00 06",
          { "\"objects\":[{\"group\":1,\"variation\":0,\"qualifier\":6},{\"group\":30,\"variation\":0,\"qualifier\":6}]" } },
        /* 1700000000000 ms = 0x18BCFE56800 */
        { "0x07 8-bit count", "C0 02 32 01 07 01 00 68 e5 cf 8b 01",
          { "\"op\":\"time_sync\"", "\"qualifier\":7,\"range.quantity\":1,\"points\":[{\"timestamp\":1700000000000}]" } },
        { "0x08 16-bit count", RESP "34 02 08 01 00 e8 03",
          { "\"qualifier\":8,\"range.quantity\":1,\"points\":[{\"time_delay\":1000}]" } },
        { "0x09 32-bit count", RESP "34 01 09 01 00 00 00 05 00",
          { "\"qualifier\":9,\"range.quantity\":1,\"points\":[{\"time_delay\":5}]" } },
        { "0x0B free format with 1-byte size prefix (0x4B)", RESP "6e 00 4b 01 03 61 62 63",
          { "\"qualifier\":75,\"range.quantity\":1,\"points\":[{\"size\":3,\"octet_string\":\"616263\"}]" } },
        { "0x0B free format without size prefix is malformed", RESP "6e 03 0b 01 61 62 63",
          { "\"anomaly\":\"malformed\"" } },
        { "0x17 8-bit index, 8-bit count", "C0 05 0c 01 17 01 07 41 01 f4 01 00 00 f4 01 00 00 00",
          { "\"op\":\"operate\"", "\"function\":\"direct_operate\",\"range_start\":7,\"range_count\":1",
            "\"qualifier\":23,\"range.quantity\":1,\"points\":[{\"index\":7,\"code\":65,\"count\":1,\"on_time\":500,"
            "\"off_time\":500,\"status\":0}]" } },
        { "0x18 8-bit index, 16-bit count", "C0 05 29 02 18 01 00 05 e8 03 00",
          { "\"qualifier\":24,\"range.quantity\":1,\"points\":[{\"index\":5,\"value\":1000,\"status\":0}]" } },
        /* 100000 = 0x000186A0 */
        { "0x19 8-bit index, 32-bit count", "C0 05 29 01 19 01 00 00 00 09 a0 86 01 00 00",
          { "\"qualifier\":25,\"range.quantity\":1,\"points\":[{\"index\":9,\"value\":100000,\"status\":0}]" } },
        { "0x28 16-bit index, 16-bit count", RESP "20 01 28 02 00 03 00 01 0a 00 00 00 04 01 01 f6 ff ff ff",
          { "\"qualifier\":40,\"range.quantity\":2,\"points\":[{\"index\":3,\"flags\":1,\"value\":10},"
            "{\"index\":260,\"flags\":1,\"value\":-10}]", "\"range_start\":3,\"range_count\":2" } },
        { "0x29 16-bit index, 32-bit count", RESP "02 02 29 01 00 00 00 0f 00 81 00 68 e5 cf 8b 01",
          { "\"qualifier\":41,\"range.quantity\":1,\"points\":[{\"index\":15,\"flags\":129,\"value\":1,"
            "\"timestamp\":1700000000000}]" } },
        { "0x39 32-bit index, 32-bit count", RESP "0b 01 39 01 00 00 00 00 00 01 00 81",
          { "\"qualifier\":57,\"range.quantity\":1,\"points\":[{\"index\":65536,\"flags\":129,\"value\":1}]" } },
        { "0x5B free format, 16-bit size", "C0 1f 46 08 5b 01 05 00 78 2e 63 66 67",
          { "\"function\":\"activate_config\"", "\"qualifier\":91,\"range.quantity\":1,\"points\":[{\"size\":5,"
            "\"file_name\":\"x.cfg\"}]", "\"anomaly\":\"activate_configuration\"" } },
        { "reserved range code 0x0A", RESP "01 02 0a 00", { "\"anomaly\":\"malformed\"" } },
        { "reserved prefix code 7", RESP "01 02 70 00 00 01", { "\"anomaly\":\"malformed\"" } },
        { "stop before start", RESP "01 02 00 05 04 01 01", { "\"range.start\":5,\"range.stop\":4",
          "\"anomaly\":\"malformed\"" } },
        { "read with 8-bit index prefix", "C0 01 1e 01 17 02 03 09",
          { "\"qualifier\":23,\"range.quantity\":2,\"points\":[{\"index\":3},{\"index\":9}]" } },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

Test(dnp3_objects, binary_and_double_bit_groups)
{
    static const struct object_case cases[] = {
        /* 0x05 0x02: bits 0 and 2 of the first byte, bit 1 of the second (index 9) */
        { "g1v1 packed", RESP "01 01 00 00 09 05 02",
          { "\"points\":[{\"index\":0,\"value\":1},{\"index\":1,\"value\":0},{\"index\":2,\"value\":1},",
            "{\"index\":8,\"value\":0},{\"index\":9,\"value\":1}]", "\"range_count\":10" } },
        { "g2v1", RESP "02 01 17 01 04 81", { "\"points\":[{\"index\":4,\"flags\":129,\"value\":1}]" } },
        { "g2v3 relative time", RESP "02 03 17 01 02 01 10 27",
          { "\"points\":[{\"index\":2,\"flags\":1,\"value\":0,\"reltimestamp\":10000}]" } },
        /* 0xE4 = 11 10 01 00: points 0..3 are 0, 1, 2, 3 */
        { "g3v1 packed double-bit", RESP "03 01 00 00 03 e4",
          { "\"points\":[{\"index\":0,\"value\":0},{\"index\":1,\"value\":1},{\"index\":2,\"value\":2},"
            "{\"index\":3,\"value\":3}]" } },
        { "g3v2", RESP "03 02 00 00 00 81", { "\"points\":[{\"index\":0,\"flags\":129,\"value\":2}]" } },
        { "g4v1", RESP "04 01 17 01 01 41", { "\"points\":[{\"index\":1,\"flags\":65,\"value\":1}]" } },
        { "g4v2", RESP "04 02 17 01 01 c1 00 68 e5 cf 8b 01",
          { "\"points\":[{\"index\":1,\"flags\":193,\"value\":3,\"timestamp\":1700000000000}]" } },
        { "g4v3", RESP "04 03 17 01 01 81 05 00", { "{\"index\":1,\"flags\":129,\"value\":2,\"reltimestamp\":5}" } },
        { "g10v1 packed", RESP "0a 01 00 02 04 06", { "{\"index\":2,\"value\":0},{\"index\":3,\"value\":1},"
          "{\"index\":4,\"value\":1}]" } },
        { "g10v2", RESP "0a 02 00 00 00 81", { "\"points\":[{\"index\":0,\"flags\":129,\"value\":1}]" } },
        { "g11v1", RESP "0b 01 17 01 03 01", { "\"points\":[{\"index\":3,\"flags\":1,\"value\":0}]" } },
        { "g11v2", RESP "0b 02 17 01 03 81 00 68 e5 cf 8b 01",
          { "{\"index\":3,\"flags\":129,\"value\":1,\"timestamp\":1700000000000}" } },
        { "g13v1", RESP "0d 01 17 01 03 81", { "{\"index\":3,\"flags\":129,\"value\":1}" } },
        { "g13v2", RESP "0d 02 17 01 03 01 00 68 e5 cf 8b 01",
          { "{\"index\":3,\"flags\":1,\"value\":0,\"timestamp\":1700000000000}" } },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

Test(dnp3_objects, control_groups)
{
    static const struct object_case cases[] = {
        { "g12v1 CROB in select", "C0 03 0c 01 28 01 00 00 00 03 01 64 00 00 00 64 00 00 00 00",
          { "\"function\":\"select\"", "{\"index\":0,\"code\":3,\"count\":1,\"on_time\":100,\"off_time\":100,"
            "\"status\":0}" } },
        { "g12v2 pattern control block", "C0 05 0c 02 07 01 01 05 0a 00 00 00 14 00 00 00 00",
          { "\"points\":[{\"code\":1,\"count\":5,\"on_time\":10,\"off_time\":20,\"status\":0}]" } },
        { "g12v3 pattern mask", "C0 05 0c 03 00 00 03 0a", { "\"group\":12,\"variation\":3,\"qualifier\":0,"
          "\"range.start\":0,\"range.stop\":3,\"points\":[{\"index\":0,\"value\":0},{\"index\":1,\"value\":1},"
          "{\"index\":2,\"value\":0},{\"index\":3,\"value\":1}]" } },
        /* 1.5f = 0x3FC00000; 2.5 = 0x4004000000000000 */
        { "g41v3 float", "C0 05 29 03 17 01 02 00 00 c0 3f 00",
          { "\"points\":[{\"index\":2,\"value\":1.5,\"status\":0}]" } },
        { "g41v4 double", "C0 05 29 04 17 01 02 00 00 00 00 00 00 04 40 04",
          { "\"points\":[{\"index\":2,\"value\":2.5,\"status\":4}]" } },
        { "g40v1", RESP "28 01 00 00 00 01 0a 00 00 00", { "{\"index\":0,\"flags\":1,\"value\":10}" } },
        { "g40v2", RESP "28 02 00 00 00 01 0a 00", { "{\"index\":0,\"flags\":1,\"value\":10}" } },
        { "g40v3", RESP "28 03 00 00 00 01 00 00 c0 3f", { "{\"index\":0,\"flags\":1,\"value\":1.5}" } },
        { "g40v4", RESP "28 04 00 00 00 01 00 00 00 00 00 00 04 40", { "{\"index\":0,\"flags\":1,\"value\":2.5}" } },
        { "g42v8", RESP "2a 08 17 01 01 01 00 00 00 00 00 00 04 40 00 68 e5 cf 8b 01",
          { "{\"index\":1,\"flags\":1,\"value\":2.5,\"timestamp\":1700000000000}" } },
        { "g43v1", RESP "2b 01 17 01 01 00 0a 00 00 00", { "{\"index\":1,\"status\":0,\"value\":10}" } },
        { "g43v7", RESP "2b 07 17 01 01 02 00 00 c0 3f 00 68 e5 cf 8b 01",
          { "{\"index\":1,\"status\":2,\"value\":1.5,\"timestamp\":1700000000000}" } },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

Test(dnp3_objects, counter_and_analog_groups)
{
    static const struct object_case cases[] = {
        { "g20v1", RESP "14 01 00 00 00 01 10 27 00 00", { "{\"index\":0,\"flags\":1,\"value\":10000}" } },
        { "g20v2", RESP "14 02 00 00 00 01 10 27", { "{\"index\":0,\"flags\":1,\"value\":10000}" } },
        { "g20v6", RESP "14 06 00 00 00 10 27", { "{\"index\":0,\"value\":10000}" } },
        { "g21v1", RESP "15 01 00 00 00 01 10 27 00 00", { "{\"index\":0,\"flags\":1,\"value\":10000}" } },
        { "g21v5", RESP "15 05 00 00 00 01 10 27 00 00 00 68 e5 cf 8b 01",
          { "{\"index\":0,\"flags\":1,\"value\":10000,\"timestamp\":1700000000000}" } },
        { "g21v9", RESP "15 09 00 00 00 10 27 00 00", { "{\"index\":0,\"value\":10000}" } },
        { "g22v1", RESP "16 01 17 01 05 01 10 27 00 00", { "{\"index\":5,\"flags\":1,\"value\":10000}" } },
        { "g22v5", RESP "16 05 17 01 05 01 10 27 00 00 00 68 e5 cf 8b 01",
          { "{\"index\":5,\"flags\":1,\"value\":10000,\"timestamp\":1700000000000}" } },
        { "g23v1", RESP "17 01 17 01 05 01 10 27 00 00", { "{\"index\":5,\"flags\":1,\"value\":10000}" } },
        { "g23v6", RESP "17 06 17 01 05 01 10 27 00 68 e5 cf 8b 01",
          { "{\"index\":5,\"flags\":1,\"value\":10000,\"timestamp\":1700000000000}" } },
        { "g30v1", RESP "1e 01 00 00 00 01 fe ff ff ff", { "{\"index\":0,\"flags\":1,\"value\":-2}" } },
        { "g30v3", RESP "1e 03 00 00 00 fe ff ff ff", { "{\"index\":0,\"value\":-2}" } },
        { "g30v4", RESP "1e 04 00 00 00 fe ff", { "{\"index\":0,\"value\":-2}" } },
        { "g30v5", RESP "1e 05 00 00 00 01 00 00 c0 3f", { "{\"index\":0,\"flags\":1,\"value\":1.5}" } },
        { "g30v6", RESP "1e 06 00 00 00 01 00 00 00 00 00 00 04 40", { "{\"index\":0,\"flags\":1,\"value\":2.5}" } },
        { "g31v3 frozen analog with time", RESP "1f 03 00 00 00 01 fe ff ff ff 00 68 e5 cf 8b 01",
          { "{\"index\":0,\"flags\":1,\"value\":-2,\"timestamp\":1700000000000}" } },
        { "g31v7 frozen analog float", RESP "1f 07 00 00 00 01 00 00 c0 3f", { "{\"index\":0,\"flags\":1,\"value\":1.5}" } },
        { "g33v1 frozen analog event", RESP "21 01 17 01 02 01 0a 00 00 00", { "{\"index\":2,\"flags\":1,\"value\":10}" } },
        { "g33v8 frozen analog event, double with time", RESP "21 08 17 01 02 01 00 00 00 00 00 00 04 40 00 68 e5 cf 8b 01",
          { "{\"index\":2,\"flags\":1,\"value\":2.5,\"timestamp\":1700000000000}" } },
        { "g32v3", RESP "20 03 17 01 02 01 fe ff ff ff 00 68 e5 cf 8b 01",
          { "{\"index\":2,\"flags\":1,\"value\":-2,\"timestamp\":1700000000000}" } },
        { "g32v7", RESP "20 07 17 01 02 01 00 00 c0 3f 00 68 e5 cf 8b 01",
          { "{\"index\":2,\"flags\":1,\"value\":1.5,\"timestamp\":1700000000000}" } },
        { "g34v1", "C0 02 22 01 17 01 00 64 00", { "{\"index\":0,\"value\":100}" } },
        { "g34v3", "C0 02 22 03 17 01 00 00 00 c0 3f", { "{\"index\":0,\"value\":1.5}" } },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

Test(dnp3_objects, time_class_iin_strings_files_auth)
{
    static const struct object_case cases[] = {
        { "g50v1 write time", "C0 02 32 01 07 01 00 68 e5 cf 8b 01", { "\"points\":[{\"timestamp\":1700000000000}]" } },
        { "g50v4 indexed time", RESP "32 04 17 01 00 00 68 e5 cf 8b 01 3c 00 00 00 05",
          { "{\"index\":0,\"timestamp\":1700000000000,\"interval\":60,\"units\":5}" } },
        { "g51v1 CTO", RESP "33 01 07 01 00 68 e5 cf 8b 01 02 03 17 01 02 01 10 27",
          { "\"group\":51,\"variation\":1,\"qualifier\":7,\"range.quantity\":1,\"points\":[{\"timestamp\":1700000000000}]",
            "\"group\":2,\"variation\":3" } },
        { "g52v2 fine time delay", RESP "34 02 07 01 0a 00", { "\"points\":[{\"time_delay\":10}]" } },
        { "g60 class reads", "C0 01 3c 02 06 3c 03 06 3c 04 06 3c 01 06",
          { "\"object\":\"g60v2\"", "{\"group\":60,\"variation\":1,\"qualifier\":6}]" } },
        { "g80v1 clear device restart", "C0 02 50 01 00 07 07 00",
          { "\"op\":\"write\"", "\"group\":80,\"variation\":1,\"qualifier\":0,\"range.start\":7,\"range.stop\":7,"
            "\"points\":[{\"index\":7,\"value\":0}]" } },
        { "g110v5 octet string", RESP "6e 05 00 00 00 68 65 6c 6c 6f", { "{\"index\":0,\"octet_string\":\"68656c6c6f\"}" } },
        { "g111v2 octet string event", RESP "6f 02 17 01 04 68 69", { "{\"index\":4,\"octet_string\":\"6869\"}" } },
        { "g112v3 virtual terminal output", "C0 02 70 03 00 01 01 6c 73 0a", { "{\"index\":1,\"octet_string\":\"6c730a\"}" } },
        { "g113v1 virtual terminal event", RESP "71 01 17 01 01 24", { "{\"index\":1,\"octet_string\":\"24\"}" } },
        /* g70v3: name offset 26, size 5, time, perms 0x1ff, auth 0, size 0, mode 1 (read), max block 1024, req 7 */
        { "g70v3 open file", "C0 19 46 03 5b 01 1f 00 1a 00 05 00 00 68 e5 cf 8b 01 ff 01 00 00 00 00 00 00 00 00 01 00 "
                             "00 04 07 00 61 2e 74 78 74",
          { "\"function\":\"open_file\"", "{\"size\":31,\"timestamp\":1700000000000,\"file.perms\":511,\"file.auth\":0,"
            "\"file.size\":0,\"file.mode\":1,\"file.maxblock\":1024,\"file.reqID\":7,\"file_name\":\"a.txt\"}",
            "\"anomaly\":\"file_transfer\"" } },
        { "g70v5 file transport, last block", RESP "46 05 5b 01 0a 00 01 00 00 00 00 00 00 80 68 69",
          { "{\"size\":10,\"file.handle\":1,\"file.blocknum\":0,\"file.lastblock\":true,\"file.data_len\":2}" } },
        { "g70v4 command status", RESP "46 04 5b 01 0d 00 01 00 00 00 10 00 00 00 00 04 07 00 00",
          { "{\"size\":13,\"file.handle\":1,\"file.size\":16,\"file.maxblock\":1024,\"file.reqID\":7,\"file.status\":0}" } },
        { "g120v1 challenge", "C0 20 78 01 5b 01 04 00 de ad be ef",
          { "\"function\":\"authenticate_request\"", "\"group\":120,\"variation\":1,\"qualifier\":91,\"name\":\"challenge\","
            "\"range.quantity\":1,\"points\":[{\"size\":4,\"data\":\"deadbeef\"}]" } },
        { "g120v4 session key status request", "C0 20 78 04 07 01 01 00",
          { "\"name\":\"session_key_status_request\",\"range.quantity\":1,\"points\":[{\"user\":1}]" } },
        { "g121v1 security statistic", RESP "79 01 00 01 01 01 05 00 64 00 00 00",
          { "{\"index\":1,\"flags\":1,\"association\":5,\"value\":100}" } },
        { "g122v2 security statistic event with time", RESP "7a 02 17 01 01 01 05 00 64 00 00 00 00 68 e5 cf 8b 01",
          { "{\"index\":1,\"flags\":1,\"association\":5,\"value\":100,\"timestamp\":1700000000000}" } },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Data sets, IEEE 1815-2012 groups 85-88: one object behind a 16-bit size
 * prefix (qualifier 0x5B, count 1), made of elements each led by its length. */
Test(dnp3_objects, data_sets_are_named_and_counted)
{
    static const struct object_case cases[] = {
        /* size 0x11 = 17: id element (01 05), time element (06 + 1700000000000 ms), two values (02 34 12, 04 00 00 c8 42),
         * then g1v2 point 0 to show the walk goes on */
        { "g87v1 present value", RESP "57 01 5b 01 11 00 01 05 06 00 68 e5 cf 8b 01 02 34 12 04 00 00 c8 42 01 02 00 00 00 81",
          { "{\"group\":87,\"variation\":1,\"qualifier\":91,\"name\":\"data_set_present_value\",\"range.quantity\":1,"
            "\"points\":[{\"size\":17,\"data_set_id\":5,\"elements\":4}]},{\"group\":1,\"variation\":2,",
            "\"object\":\"g87v1\"" } },
        /* size 0x17 = 23: prototype id (01 02), UUID (10 + 16 bytes), one descriptor element of 3 bytes */
        { "g85v1 prototype", RESP "55 01 5b 01 17 00 01 02 10 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 03 04 01 04",
          { "\"name\":\"data_set_prototype\",\"range.quantity\":1,\"points\":[{\"size\":23,\"prototype_id\":2,"
            "\"elements\":3}]" } },
        { "g86v2 characteristics kept as bytes", RESP "56 02 5b 01 03 00 01 07 01",
          { "\"name\":\"data_set_characteristics\",\"range.quantity\":1,\"points\":[{\"size\":3,\"data\":\"010701\"}]" } },
        { "g87v0 read", "C0 01 57 00 06", { "{\"group\":87,\"variation\":0,\"qualifier\":6}" } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i], "anomaly");
    /* size 3: an element claiming 5 bytes with 2 left; the size prefix still finds g1v2 after it */
    static const struct object_case bad_elements =
        { "g88v1 element past the object", RESP "58 01 5b 01 03 00 05 01 02 01 02 00 00 00 81",
          { "\"name\":\"data_set_snapshot\"", "{\"group\":1,\"variation\":2,", "\"anomaly\":\"malformed\"" } };
    run_case(&bad_elements, "unknown_object");
}

Test(dnp3_objects, device_attributes_are_identity)
{
    static const struct object_case cases[] = {
        { "g0 read", "C0 01 00 fc 00 00 00 00 fa 00 00 00", { "\"object\":\"g0v252\"", "{\"group\":0,\"variation\":250,"
          "\"qualifier\":0,\"range.start\":0,\"range.stop\":0}" } },
        { "g0 manufacturer, model, software version, serial number",
          RESP "00 fc 00 00 00 01 04 41 43 4d 45 00 fa 00 00 00 01 03 52 54 55 00 f2 00 00 00 01 03 31 2e 32 "
               "00 f8 00 00 00 01 02 53 4e 00 f0 00 00 00 02 02 00 08",
          { "{\"group\":0,\"variation\":252,\"qualifier\":0,\"range.start\":0,\"range.stop\":0,\"points\":[{\"index\":0,"
            "\"datatype\":1,\"length\":4,\"value\":\"ACME\"}]}",
            "{\"index\":0,\"datatype\":2,\"length\":2,\"value\":2048}",
            "\"kind\":\"identity\",\"role\":\"response\",\"op\":\"identify\",\"unit\":10,\"identity\":{\"vendor\":\"ACME\","
            "\"model_name\":\"RTU\",\"software_version\":\"1.2\",\"serial_number\":\"SN\"}" } },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

Test(dnp3_objects, unknown_objects_and_bounds)
{
    static const struct object_case cases[] = {
        { "unknown fixed object stops the walk", RESP "63 01 00 00 00 01 01 02 00 00 00 81",
          { "\"objects\":[{\"group\":99,\"variation\":1,\"qualifier\":0,\"range.start\":0,\"range.stop\":0}]}",
            "\"anomaly\":\"unknown_object\"" } },
        { "unknown sized object is skipped", RESP "63 01 5b 01 02 00 aa bb 01 02 00 00 00 81",
          { "{\"size\":2,\"data\":\"aabb\"}]},{\"group\":1,\"variation\":2,", "\"anomaly\":\"unknown_object\"" } },
        /* suricata-verify dnp3-max-points: g1v1 over 0..65534 in one write */
        { "too many points", "C0 02 01 01 01 00 00 fe ff 00 00 00 00",
          { "\"anomaly\":\"too_many_points\"" } },
        { "truncated values", RESP "1e 01 00 00 03 01 0a 00 00 00 01", { "\"anomaly\":\"malformed\"" } },
        { "truncated header", RESP "1e 01", { "\"anomaly\":\"malformed\"" } },
        { "response header too short", "C0 81 00", { "\"kind\":\"anomaly\",\"anomaly\":\"malformed\"" } },
        { "unknown function", "C0 70", { "\"function_code\":112", "\"anomaly\":\"malformed\"" } },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

Test(dnp3_objects, too_many_points_is_not_also_malformed)
{
    uint8_t wire[64];
    static const uint8_t app[] = { 0xC0, 0x02, 0x01, 0x01, 0x01, 0x00, 0x00, 0xfe, 0xff, 0x00 };
    uint8_t seq = 0;
    size_t w = dnp3_build_fragment(wire, DNP3_CTL_MASTER_UNCONFIRMED, 10, 1, app, sizeof app, 249, &seq);
    struct dnp3_feed f;
    dnp3_feed_init(&f);
    dnp3_feed_stream(&f, MAMORI_DIR_TO_SERVER, 1, wire, w);
    cr_assert_eq(f.n_lines, 2);
    cr_assert(strstr(f.lines[0], "\"function\":\"write\""));
    cr_assert(strstr(f.lines[1], "\"anomaly\":\"too_many_points\""));
    dnp3_feed_free(&f);
}
