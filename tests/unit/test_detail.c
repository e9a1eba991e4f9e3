/* test_detail.c — detail token stream: writing, reading back, JSON rendering,
 * truncation that stays balanced, and event rendering. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "protocols/detail.h"
#include "protocols/event.h"
#include "sensor/event_json.h"
#include "sensor/json_writer.h"

static struct mamori_detail d;
static struct json_writer w;

static void setup(void)
{
    detail_reset(&d);
    cr_assert_eq(json_writer_init(&w, 65536), 0);
}

static void teardown(void) { json_writer_free(&w); }

TestSuite(detail, .init = setup, .fini = teardown);

static const char *render(void)
{
    json_writer_reset(&w);
    jw_detail(&w, NULL, &d);
    cr_assert(json_writer_ok(&w));
    return w.buf;
}

Test(detail, renders_nested_members_as_json)
{
    detail_uint(&d, "trans_id", 7);
    detail_int(&d, "delta", -3);
    detail_bool(&d, "simulation", false);
    detail_string(&d, "gocbRef", "IED1LD0/LLN0$GO$gcb1", 20);
    detail_bytes(&d, "raw", "\x01\xab", 2);
    detail_array_begin(&d, "regval_uint16");
    detail_uint(&d, NULL, 1);
    detail_uint(&d, NULL, 65535);
    detail_end(&d);
    detail_object_begin(&d, "nested");
    detail_null(&d, "nothing");
    detail_float(&d, "f", 1.5);
    detail_end(&d);
    cr_assert_str_eq(render(),
        "{\"trans_id\":7,\"delta\":-3,\"simulation\":false,\"gocbRef\":\"IED1LD0/LLN0$GO$gcb1\","
        "\"raw\":\"01ab\",\"regval_uint16\":[1,65535],\"nested\":{\"nothing\":null,\"f\":1.5}}");
}

Test(detail, reader_reports_container_counts)
{
    detail_array_begin(&d, "a");
    for (int i = 0; i < 5; i++)
        detail_uint(&d, NULL, (uint64_t)i);
    detail_end(&d);
    struct detail_reader r;
    struct detail_token t;
    detail_reader_init(&r, &d);
    cr_assert(detail_next(&r, &t));
    cr_assert_eq(t.type, DETAIL_ARRAY);
    cr_assert_eq(t.v.count, 5);
    cr_assert_eq(t.key_len, 1);
    cr_assert_eq(t.key[0], 'a');
}

Test(detail, truncation_keeps_structure_balanced)
{
    detail_array_begin(&d, "points");
    int written = 0;
    for (int i = 0; i < 5000; i++) {
        detail_object_begin(&d, NULL);
        detail_uint(&d, "index", (uint64_t)i);
        detail_end(&d);
        if (!d.truncated)
            written++;
    }
    detail_end(&d);
    cr_assert(d.truncated);
    cr_assert_lt(written, 5000);
    const char *json = render();
    static const char tail[] = "}],\"truncated\":true}";
    size_t n = strlen(json);
    cr_assert_str_eq(json + n - strlen(tail), tail, "got tail %s", json + n - 30);
}

Test(detail, escapes_wire_text)
{
    detail_string(&d, "s", "a\"b\\c\n\xff", 7);
    cr_assert_str_eq(render(), "{\"s\":\"a\\\"b\\\\c\\u000a\\u00ff\"}");
}

Test(detail, append_nests_a_finished_detail)
{
    static struct mamori_detail inner;
    detail_reset(&inner);
    detail_uint(&inner, "x", 1);
    detail_array_begin(&inner, "y");
    detail_uint(&inner, NULL, 2);
    detail_end(&inner);
    detail_array_begin(&d, "events");
    detail_append(&d, NULL, &inner);
    detail_append(&d, NULL, &inner);
    detail_end(&d);
    cr_assert_str_eq(render(), "{\"events\":[{\"x\":1,\"y\":[2]},{\"x\":1,\"y\":[2]}]}");
    struct detail_reader r;
    struct detail_token t;
    detail_reader_init(&r, &d);
    detail_next(&r, &t);
    cr_assert_eq(t.v.count, 2);
    detail_next(&r, &t);
    cr_assert_eq(t.type, DETAIL_OBJECT);
    cr_assert_eq(t.v.count, 2, "x and y are the appended object's members");
}

Test(detail, empty_values_from_null_pointers)
{
    detail_string(&d, "empty", NULL, 0);
    detail_bytes(&d, "none", NULL, 0);
    detail_cstring(&d, "nothing", NULL);
    detail_null(&d, "null");
    cr_assert_str_eq(render(), "{\"empty\":\"\",\"none\":\"\",\"nothing\":\"\",\"null\":null}");
}

Test(detail, null_detail_is_a_no_op)
{
    detail_uint(NULL, "x", 1);
    detail_object_begin(NULL, "o");
    detail_end(NULL);
    detail_reset(NULL);
}

/* Reads both details token by token and asserts the streams are the same. */
static void assert_same_tokens(const struct mamori_detail *a, const struct mamori_detail *b)
{
    struct detail_reader ra, rb;
    struct detail_token ta, tb;
    detail_reader_init(&ra, a);
    detail_reader_init(&rb, b);
    int n = 0;
    for (bool more; (more = detail_next(&ra, &ta)); n++) {
        cr_assert(detail_next(&rb, &tb), "token %d missing", n);
        cr_assert_eq(ta.type, tb.type, "token %d", n);
        cr_assert_eq(ra.depth, rb.depth, "token %d", n);
        cr_assert_eq(ta.key_len, tb.key_len, "token %d", n);
        cr_assert_eq(ta.key_len ? memcmp(ta.key, tb.key, ta.key_len) : 0, 0, "token %d", n);
        if (ta.type == DETAIL_STRING || ta.type == DETAIL_BYTES) {
            cr_assert_eq(ta.v.data.len, tb.v.data.len, "token %d", n);
            cr_assert_eq(ta.v.data.len ? memcmp(ta.v.data.ptr, tb.v.data.ptr, ta.v.data.len) : 0, 0, "token %d", n);
        } else
            cr_assert_eq(ta.v.u, tb.v.u, "token %d", n); /* also the count of containers */
    }
    cr_assert_not(detail_next(&rb, &tb), "extra token after %d", n);
}

static const uint8_t registers_be[] = { 0x00, 0x01, 0xff, 0xff, 0x12, 0x34 };
static const uint8_t coils[] = { 0x0d, 0x01 }; /* 1,0,1,1,0,0,0,0 then 1,0 */

/* The packed arrays, written element by element. */
static void write_unpacked(struct mamori_detail *out)
{
    detail_array_begin(out, "regval_uint16");
    detail_uint(out, NULL, 1);
    detail_uint(out, NULL, 65535);
    detail_uint(out, NULL, 0x1234);
    detail_end(out);
    detail_array_begin(out, "bitval");
    for (int i = 0; i < 10; i++)
        detail_uint(out, NULL, (uint64_t)((coils[i / 8] >> (i % 8)) & 1));
    detail_end(out);
}

Test(detail, packed_arrays_read_as_their_elements)
{
    static struct mamori_detail unpacked;
    detail_reset(&unpacked);
    write_unpacked(&unpacked);
    detail_u16be_array(&d, "regval_uint16", registers_be, 3);
    detail_bits(&d, "bitval", coils, 10);
    assert_same_tokens(&d, &unpacked);
    cr_assert_str_eq(render(), "{\"regval_uint16\":[1,65535,4660],\"bitval\":[1,0,1,1,0,0,0,0,1,0]}");
}

Test(detail, packed_arrays_nest_and_append)
{
    static struct mamori_detail packed, unpacked, outer;
    detail_reset(&packed);
    detail_reset(&unpacked);
    detail_array_begin(&unpacked, "lists");
    write_unpacked(&unpacked); /* keys are ignored inside an array */
    detail_end(&unpacked);
    detail_uint(&unpacked, "after", 7);
    detail_array_begin(&packed, "lists");
    detail_u16be_array(&packed, "ignored", registers_be, 3);
    detail_bits(&packed, NULL, coils, 10);
    detail_end(&packed);
    detail_uint(&packed, "after", 7);
    assert_same_tokens(&packed, &unpacked);
    detail_reset(&outer);
    detail_append(&outer, "inner", &packed);
    detail_append(&d, "inner", &unpacked);
    assert_same_tokens(&outer, &d);
    cr_assert_str_eq(render(), "{\"inner\":{\"lists\":[[1,65535,4660],[1,0,1,1,0,0,0,0,1,0]],\"after\":7}}");
}

Test(detail, empty_packed_arrays)
{
    detail_u16be_array(&d, "r", NULL, 0);
    detail_bits(&d, "b", NULL, 0);
    cr_assert_str_eq(render(), "{\"r\":[],\"b\":[]}");
}

Test(detail, packed_array_that_does_not_fit_truncates)
{
    static uint8_t words[2 * 4090];
    detail_uint(&d, "first", 1); /* 15 bytes */
    detail_u16be_array(&d, "too_big", words, 4090); /* 11 + 8180 bytes: 8206 > 8192 */
    detail_uint(&d, "refused", 2);
    cr_assert(d.truncated);
    cr_assert_str_eq(render(), "{\"first\":1,\"truncated\":true}");
}

Test(detail, zeroed_detail_is_empty_and_writable)
{
    static struct mamori_detail zeroed; /* never reset */
    detail_uint(&zeroed, "x", 1);
    detail_array_begin(&zeroed, "a");
    detail_uint(&zeroed, "ignored", 2);
    detail_end(&zeroed);
    detail_uint(&d, "x", 1);
    detail_array_begin(&d, "a");
    detail_uint(&d, NULL, 2);
    detail_end(&d);
    assert_same_tokens(&zeroed, &d);
}

Test(detail, functions_write_what_the_macros_write)
{
    static struct mamori_detail by_function;
    const char *key = "runtime_key"; /* not a literal: its length is taken at run time */
    detail_reset(&by_function);
    (detail_object_begin)(&by_function, key);
    (detail_uint)(&by_function, key, 1);
    (detail_int)(&by_function, "i", -2);
    (detail_float)(&by_function, "f", 0.5);
    (detail_bool)(&by_function, "b", true);
    (detail_null)(&by_function, "n");
    (detail_string)(&by_function, "s", "ab", 2);
    (detail_cstring)(&by_function, "c", "cd");
    (detail_bytes)(&by_function, "o", "\x01", 1);
    (detail_u16be_array)(&by_function, "r", registers_be, 3);
    (detail_bits)(&by_function, "bits", coils, 10);
    (detail_end)(&by_function);
    detail_object_begin(&d, key);
    detail_uint(&d, key, 1);
    detail_int(&d, "i", -2);
    detail_float(&d, "f", 0.5);
    detail_bool(&d, "b", true);
    detail_null(&d, "n");
    detail_string(&d, "s", "ab", 2);
    detail_cstring(&d, "c", "cd");
    detail_bytes(&d, "o", "\x01", 1);
    detail_u16be_array(&d, "r", registers_be, 3);
    detail_bits(&d, "bits", coils, 10);
    detail_end(&d);
    assert_same_tokens(&by_function, &d);
    cr_assert_str_eq(render(), "{\"runtime_key\":{\"runtime_key\":1,\"i\":-2,\"f\":0.5,\"b\":true,\"n\":null,"
                               "\"s\":\"ab\",\"c\":\"cd\",\"o\":\"01\",\"r\":[1,65535,4660],"
                               "\"bits\":[1,0,1,1,0,0,0,0,1,0]}}");
}

Test(detail, long_keys_are_cut_to_255_bytes)
{
    char key[300];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    detail_uint(&d, key, 1);
    struct detail_reader r;
    struct detail_token t;
    detail_reader_init(&r, &d);
    cr_assert(detail_next(&r, &t));
    cr_assert_eq(t.key_len, 255);
    cr_assert_eq(t.v.u, 1);
}

static void capture_emit(struct mamori_sink *sink, struct mamori_event *ev)
{
    (void)sink;
    ev->time_us = 1700000000123456ull;
    ev->where.ip_version = 4;
    ev->where.l4_proto = 6;
    memcpy(ev->where.src_ip, "\x0a\x00\x00\x01", 4);
    memcpy(ev->where.dst_ip, "\x0a\x00\x00\x02", 4);
    ev->where.src_port = 40000;
    ev->where.dst_port = 502;
    ev->where.flow_id = 3;
    event_json(&w, ev);
}

Test(detail, event_renders_as_one_json_line)
{
    struct mamori_sink sink = { capture_emit, &d };
    struct mamori_event ev;
    mamori_event_init(&ev, &sink, "modbus");
    ev.role = MAMORI_ROLE_REQUEST;
    ev.op = MAMORI_OP_READ;
    ev.has_unit = true;
    ev.unit = 1;
    ev.has_function = true;
    ev.function_code = 3;
    ev.function_name = "read_holding_registers";
    ev.has_range = true;
    ev.range_start = 0;
    ev.range_count = 10;
    detail_uint(ev.detail, "trans_id", 9);
    mamori_emit(&sink, &ev);
    cr_assert(json_writer_ok(&w));
    cr_assert_str_eq(w.buf,
        "{\"type\":\"event\",\"ts\":1700000000.123456,\"flow_id\":3,\"src\":\"10.0.0.1\",\"sport\":40000,"
        "\"dst\":\"10.0.0.2\",\"dport\":502,\"protocol\":\"modbus\",\"kind\":\"operation\",\"role\":\"request\","
        "\"op\":\"read\",\"unit\":1,\"function_code\":3,\"function\":\"read_holding_registers\","
        "\"range_start\":0,\"range_count\":10,\"modbus\":{\"trans_id\":9}}");
}

Test(detail, numbers_render_exactly)
{
    json_writer_reset(&w);
    jw_object_begin(&w, NULL);
    jw_uint(&w, "zero", 0);
    jw_uint(&w, "max", UINT64_MAX);
    jw_int(&w, "min", INT64_MIN);
    jw_int(&w, "neg", -42);
    jw_double(&w, "whole", 65535.0);
    jw_double(&w, "negwhole", -3.0);
    jw_double(&w, "frac", 0.1);
    jw_double(&w, "third", 1.0 / 3.0);
    jw_double(&w, "ts", 1700000100100000.0 / 1e6);
    jw_double(&w, "huge", 1e300);
    jw_double(&w, "nan", 0.0 / 0.0);
    jw_time(&w, "t0", 1000001);
    jw_time(&w, "t1", 1700000000000000ull);
    jw_object_end(&w);
    cr_assert(json_writer_ok(&w));
    cr_assert_str_eq(w.buf, "{\"zero\":0,\"max\":18446744073709551615,\"min\":-9223372036854775808,\"neg\":-42,"
                            "\"whole\":65535,\"negwhole\":-3,\"frac\":0.1,\"third\":0.3333333333333333,\"ts\":1700000100.1,"
                            "\"huge\":1e+300,"
                            "\"nan\":null,\"t0\":1.000001,\"t1\":1700000000.000000}");
}

Test(detail, addresses_format_exactly)
{
    char text[64];
    format_ip(4, (const uint8_t[]){ 0, 10, 100, 255 }, text, sizeof text);
    cr_assert_str_eq(text, "0.10.100.255");
    format_ip(4, (const uint8_t[]){ 192, 168, 1, 9 }, text, sizeof text);
    cr_assert_str_eq(text, "192.168.1.9");
    uint8_t v6[16] = { 0xfe, 0x80 };
    v6[15] = 1;
    format_ip(6, v6, text, sizeof text);
    cr_assert_str_eq(text, "fe80::1");
    format_mac((const uint8_t[]){ 0x00, 0x1b, 0xc5, 0xAB, 0x0f, 0xff }, text, sizeof text);
    cr_assert_str_eq(text, "00:1b:c5:ab:0f:ff");
}

Test(detail, long_strings_fit_by_their_exact_size)
{
    struct json_writer small;
    cr_assert_eq(json_writer_init(&small, 120), 0);
    char text[100];
    memset(text, 'a', sizeof text);
    text[0] = '"';
    jw_object_begin(&small, NULL);
    jw_string_n(&small, "s", text, sizeof text); /* 6x worst case would not fit, 101 bytes do */
    jw_object_end(&small);
    cr_assert(json_writer_ok(&small));
    cr_assert_eq(strlen(small.buf), 1 + 4 + 2 + 101 + 1);
    cr_assert_eq(strncmp(small.buf, "{\"s\":\"\\\"aaa", 11), 0);
    json_writer_free(&small);
}

Test(detail, overflow_is_reported_and_stops_writing)
{
    struct json_writer small;
    cr_assert_eq(json_writer_init(&small, 32), 0);
    jw_object_begin(&small, NULL);
    jw_uint(&small, "first", 1);
    jw_string(&small, "second", "this does not fit in the line");
    jw_uint(&small, "third", 3);
    jw_object_end(&small);
    cr_assert_not(json_writer_ok(&small));
    cr_assert_str_eq(small.buf, "{\"first\":1", "what was written before stays terminated, got %s", small.buf);
    json_writer_reset(&small);
    jw_object_begin(&small, NULL);
    jw_object_end(&small);
    cr_assert(json_writer_ok(&small), "a reset writer is usable again");
    cr_assert_str_eq(small.buf, "{}");
    json_writer_free(&small);
}

Test(detail, keys_that_need_escaping_are_escaped)
{
    json_writer_reset(&w);
    jw_object_begin(&w, NULL);
    jw_uint(&w, "plain_key", 1);
    jw_uint(&w, "we\"ird\n", 2);
    jw_object_end(&w);
    cr_assert(json_writer_ok(&w));
    cr_assert_str_eq(w.buf, "{\"plain_key\":1,\"we\\\"ird\\u000a\":2}");
}

Test(detail, every_byte_is_plain_or_escaped_as_json_requires)
{
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    json_writer_reset(&w);
    jw_string_n(&w, NULL, all, sizeof all);
    cr_assert(json_writer_ok(&w));
    /* walk the output: each input byte is either itself (printable, not " or \) or an escape */
    const char *p = w.buf + 1;
    for (int c = 0; c < 256; c++) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            cr_assert_eq((uint8_t)*p, c, "byte %d must be written as it is", c);
            p++;
        } else if (c == '"' || c == '\\') {
            cr_assert(p[0] == '\\' && p[1] == (char)c, "byte %d must be backslash-escaped", c);
            p += 2;
        } else {
            char expected[7];
            snprintf(expected, sizeof expected, "\\u%04x", c);
            cr_assert_eq(strncmp(p, expected, 6), 0, "byte %d must be %s", c, expected);
            p += 6;
        }
    }
    cr_assert_str_eq(p, "\"");
}
