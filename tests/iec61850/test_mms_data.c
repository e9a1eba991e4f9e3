/* test_mms_data.c — every alternative of the MMS Data CHOICE, nesting, the
 * depth limit and each kind of malformed value, on hand-built BER, checked as
 * the exact JSON the detail renders to. Also the UtcTime helper. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "protocols/iec61850/mms_data.h"
#include "sensor/json_writer.h"

static struct mamori_detail detail;
static struct json_writer w;

static void setup(void) { cr_assert_eq(json_writer_init(&w, 1 << 16), 0); }
static void teardown(void) { json_writer_free(&w); }
TestSuite(mms_data, .init = setup, .fini = teardown);

/* Reads one Data element from b and returns the error; *json gets the detail. */
static enum mms_data_error decode(const void *b, size_t n, const char **json)
{
    detail_reset(&detail);
    cursor c = cursor_make(b, n);
    struct ber_tlv tlv;
    cr_assert_eq(ber_next(&c, &tlv), BER_OK);
    struct mms_data_out out = { &detail, NULL };
    enum mms_data_error e = mms_data_read(&out, "v", &tlv, 0);
    json_writer_reset(&w);
    jw_detail(&w, NULL, &detail);
    cr_assert(json_writer_ok(&w));
    *json = w.buf;
    return e;
}

static void expect(const void *b, size_t n, const char *want)
{
    const char *json;
    cr_assert_eq(decode(b, n, &json), MMS_DATA_OK, "for %s", want);
    cr_assert_str_eq(json, want);
}

static void expect_error(const void *b, size_t n, enum mms_data_error want)
{
    const char *json;
    cr_assert_eq(decode(b, n, &json), want, "got %s", json);
    /* a NULL detail finds the same error */
    cursor c = cursor_make(b, n);
    struct ber_tlv tlv;
    cr_assert_eq(ber_next(&c, &tlv), BER_OK);
    struct mms_data_out none = { NULL, NULL };
    cr_assert_eq(mms_data_read(&none, NULL, &tlv, 0), want);
}

#define EXPECT(bytes, want) expect(bytes, sizeof(bytes) - 1, want)
#define EXPECT_ERROR(bytes, want) expect_error(bytes, sizeof(bytes) - 1, want)

Test(mms_data, boolean)
{
    EXPECT("\x83\x01\x01", "{\"v\":{\"boolean\":true}}");
    EXPECT("\x83\x01\x00", "{\"v\":{\"boolean\":false}}");
    EXPECT("\x83\x01\xff", "{\"v\":{\"boolean\":true}}");
    EXPECT_ERROR("\x83\x02\x00\x00", MMS_DATA_BAD_VALUE);
    EXPECT_ERROR("\x83\x00", MMS_DATA_BAD_VALUE);
}

Test(mms_data, bit_string)
{
    EXPECT("\x84\x02\x07\x80", "{\"v\":{\"bit-string\":\"80\",\"padding\":7}}");
    EXPECT("\x84\x03\x03\x00\x00", "{\"v\":{\"bit-string\":\"0000\",\"padding\":3}}");
    EXPECT("\x84\x01\x00", "{\"v\":{\"bit-string\":\"\",\"padding\":0}}");
    EXPECT_ERROR("\x84\x02\x08\x00", MMS_DATA_BAD_VALUE); /* padding over 7 */
    EXPECT_ERROR("\x84\x01\x03", MMS_DATA_BAD_VALUE);     /* padding with no bits */
    EXPECT_ERROR("\x84\x00", MMS_DATA_BAD_VALUE);
}

Test(mms_data, integer_and_bcd)
{
    EXPECT("\x85\x01\xff", "{\"v\":{\"integer\":-1}}");
    EXPECT("\x85\x02\x01\x00", "{\"v\":{\"integer\":256}}");
    EXPECT("\x85\x08\x80\x00\x00\x00\x00\x00\x00\x00", "{\"v\":{\"integer\":-9223372036854775808}}");
    EXPECT_ERROR("\x85\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01", MMS_DATA_BAD_VALUE);
    EXPECT_ERROR("\x85\x00", MMS_DATA_BAD_VALUE);
    EXPECT("\x8d\x01\x12", "{\"v\":{\"bcd\":18}}");
}

Test(mms_data, unsigned_values)
{
    EXPECT("\x86\x02\x01\xf4", "{\"v\":{\"unsigned\":500}}");
    EXPECT("\x86\x09\x00\xff\xff\xff\xff\xff\xff\xff\xff", "{\"v\":{\"unsigned\":18446744073709551615}}");
    EXPECT_ERROR("\x86\x01\xff", MMS_DATA_BAD_VALUE); /* negative */
}

Test(mms_data, floating_point)
{
    EXPECT("\x87\x05\x08\x3f\x80\x00\x00", "{\"v\":{\"floating-point\":1}}");
    EXPECT("\x87\x05\x08\xc0\x49\x0f\xdb", "{\"v\":{\"floating-point\":-3.1415927410125732}}");
    EXPECT("\x87\x09\x0b\x3f\xf8\x00\x00\x00\x00\x00\x00", "{\"v\":{\"floating-point\":1.5}}");
    /* an exponent width other than 8 or 11 is kept raw */
    EXPECT("\x87\x05\x07\x3f\x80\x00\x00", "{\"v\":{\"floating-point\":\"073f800000\"}}");
    EXPECT("\x87\x03\x01\x02\x03", "{\"v\":{\"floating-point\":\"010203\"}}");
    EXPECT_ERROR("\x87\x00", MMS_DATA_BAD_VALUE);
}

Test(mms_data, real)
{
    EXPECT("\x88\x00", "{\"v\":{\"real\":0}}");
    EXPECT("\x88\x03\x80\x00\x03", "{\"v\":{\"real\":3}}");     /* base 2, exponent 0, mantissa 3 */
    EXPECT("\x88\x03\xc0\x01\x05", "{\"v\":{\"real\":-10}}");   /* negative, 5 * 2^1 */
    EXPECT("\x88\x03\xa0\x01\x01", "{\"v\":{\"real\":16}}");    /* base 16 */
    EXPECT("\x88\x03\x90\xff\x01", "{\"v\":{\"real\":0.125}}"); /* base 8, exponent -1 */
    EXPECT("\x88\x03\x84\x00\x01", "{\"v\":{\"real\":2}}");     /* scale factor 1 */
    EXPECT("\x88\x05\x83\x01\x00\x01\x01", "{\"v\":{\"real\":257}}"); /* exponent length octet */
    EXPECT("\x88\x04\x03\x31\x2e\x35", "{\"v\":{\"real\":1.5}}");  /* decimal NR3 */
    EXPECT("\x88\x04\x02\x32\x2c\x35", "{\"v\":{\"real\":2.5}}");  /* decimal comma */
    EXPECT("\x88\x01\x40", "{\"v\":{\"real\":null}}");             /* +infinity */
    /* minus zero: JSON has no -0, the value keeps its sign */
    EXPECT("\x88\x01\x43", "{\"v\":{\"real\":0}}");
    struct mamori_event ev;
    mamori_event_init(&ev, NULL, "test");
    struct mms_data_out out = { NULL, &ev };
    cursor c = cursor_make("\x88\x01\x43", 3);
    struct ber_tlv tlv;
    cr_assert_eq(ber_next(&c, &tlv), BER_OK);
    cr_assert_eq(mms_data_read(&out, NULL, &tlv, 0), MMS_DATA_OK);
    cr_assert_eq(ev.n_values, 1);
    cr_assert(signbit(ev.values[0]) && ev.values[0] == 0.0);
    EXPECT_ERROR("\x88\x01\x44", MMS_DATA_BAD_VALUE);
    EXPECT_ERROR("\x88\x02\x40\x00", MMS_DATA_BAD_VALUE);
    EXPECT_ERROR("\x88\x03\xb0\x00\x01", MMS_DATA_BAD_VALUE);     /* reserved base */
    EXPECT_ERROR("\x88\x01\x80", MMS_DATA_BAD_VALUE);             /* no exponent */
    EXPECT_ERROR("\x88\x02\x80\x00", MMS_DATA_BAD_VALUE);         /* no mantissa */
    EXPECT_ERROR("\x88\x02\x03\x78", MMS_DATA_BAD_VALUE);         /* decimal "x" */
    EXPECT_ERROR("\x88\x01\x00", MMS_DATA_BAD_VALUE);             /* reserved decimal form, no number */
    EXPECT_ERROR("\x88\x02\x04\x31", MMS_DATA_BAD_VALUE);         /* reserved decimal form */
}

Test(mms_data, strings)
{
    EXPECT("\x89\x03\xde\xad\xbe", "{\"v\":{\"octet-string\":\"deadbe\"}}");
    EXPECT("\x89\x00", "{\"v\":{\"octet-string\":\"\"}}");
    EXPECT("\x8a\x02OK", "{\"v\":{\"visible-string\":\"OK\"}}");
    EXPECT("\x8b\x0f" "20231102014848Z", "{\"v\":{\"generalized-time\":\"20231102014848Z\"}}");
    EXPECT("\x90\x01M", "{\"v\":{\"mMSString\":\"M\"}}");
}

Test(mms_data, binary_time)
{
    /* 1000 ms after midnight, one day after 1984-01-01 */
    EXPECT("\x8c\x06\x00\x00\x03\xe8\x00\x01", "{\"v\":{\"binary-time\":\"1984-01-02T00:00:01.000Z\"}}");
    EXPECT("\x8c\x04\x00\x36\xee\x81", "{\"v\":{\"binary-time\":\"01:00:00.001\"}}");
    EXPECT_ERROR("\x8c\x05\x00\x00\x00\x00\x00", MMS_DATA_BAD_VALUE);
    EXPECT_ERROR("\x8c\x04\x05\x26\x5c\x00", MMS_DATA_BAD_VALUE); /* 86400000 ms */
}

Test(mms_data, boolean_array)
{
    EXPECT("\x8e\x02\x07\x80", "{\"v\":{\"booleanArray\":\"80\",\"padding\":7}}");
}

Test(mms_data, obj_id)
{
    EXPECT("\x8f\x02\x2b\x01", "{\"v\":{\"objId\":\"1.3.1\"}}");
    EXPECT("\x8f\x05\x28\xca\x22\x02\x01", "{\"v\":{\"objId\":\"1.0.9506.2.1\"}}");
    EXPECT("\x8f\x03\x88\x37\x03", "{\"v\":{\"objId\":\"2.999.3\"}}");
    EXPECT_ERROR("\x8f\x01\x81", MMS_DATA_BAD_VALUE); /* continuation at the end */
    EXPECT_ERROR("\x8f\x00", MMS_DATA_BAD_VALUE);
}

Test(mms_data, utc_time)
{
    /* 1 s + 0x800000/2^24 s, quality: leap seconds known, accuracy 10 bits */
    EXPECT("\x91\x08\x00\x00\x00\x01\x80\x00\x00\x8a",
           "{\"v\":{\"utc-time\":\"1970-01-01T00:00:01.500000000Z\",\"quality\":{\"leapSecondsKnown\":true,"
           "\"clockFailure\":false,\"clockNotSynchronized\":false,\"timeAccuracy\":10}}}");
    EXPECT_ERROR("\x91\x07\x00\x00\x00\x01\x80\x00\x00", MMS_DATA_BAD_VALUE);
}

Test(mms_data, structure_and_array_nested)
{
    /* array { structure { boolean false, integer 5 }, structure { bit-string 80/7 } } */
    EXPECT("\xa1\x0e\xa2\x06\x83\x01\x00\x85\x01\x05\xa2\x04\x84\x02\x07\x80",
           "{\"v\":{\"array\":[{\"structure\":[{\"boolean\":false},{\"integer\":5}]},"
           "{\"structure\":[{\"bit-string\":\"80\",\"padding\":7}]}]}}");
    EXPECT("\xa2\x00", "{\"v\":{\"structure\":[]}}");
}

Test(mms_data, bad_tags_and_forms)
{
    EXPECT_ERROR("\x92\x00", MMS_DATA_BAD_TAG);     /* context tag 18 */
    EXPECT_ERROR("\x80\x00", MMS_DATA_BAD_TAG);     /* context tag 0 */
    EXPECT_ERROR("\x01\x01\x00", MMS_DATA_BAD_TAG); /* universal BOOLEAN */
    EXPECT_ERROR("\xa3\x00", MMS_DATA_BAD_VALUE);   /* constructed boolean */
    EXPECT_ERROR("\x82\x00", MMS_DATA_BAD_VALUE);   /* primitive structure */
    EXPECT_ERROR("\xa2\x03\x83\x05\x01", MMS_DATA_BAD_BER); /* child longer than parent */
    EXPECT_ERROR("\xa2\x04\x83\x01\x01\x83", MMS_DATA_BAD_BER);
    EXPECT_ERROR("\xa2\x05\x83\x01\x01\x92\x00", MMS_DATA_BAD_TAG); /* error deep inside */
    cr_assert_str_eq(mms_data_error_name(MMS_DATA_BAD_VALUE), "mms_data_bad_value");
    cr_assert_str_eq(mms_data_error_name(MMS_DATA_TOO_DEEP), "mms_data_too_deep");
}

Test(mms_data, malformed_value_keeps_detail_balanced)
{
    const char *json;
    cr_assert_eq(decode("\xa2\x06\x83\x01\x01\x83\x01\x01\x00", 8, &json), MMS_DATA_OK);
    cr_assert_eq(decode("\xa2\x07\x83\x01\x01\x83\x02\x01\x00", 9, &json), MMS_DATA_BAD_VALUE);
    cr_assert_str_eq(json, "{\"v\":{\"structure\":[{\"boolean\":true},{\"boolean\":\"0100\"}]}}");
    /* the walk goes on after a bad value and reports it at the end */
    cr_assert_eq(decode("\xa2\x07\x83\x02\x01\x00\x85\x01\x05", 9, &json), MMS_DATA_BAD_VALUE);
    cr_assert_str_eq(json, "{\"v\":{\"structure\":[{\"boolean\":\"0100\"},{\"integer\":5}]}}");
}

/* depth structures around one boolean */
static size_t nested(uint8_t *out, unsigned depth)
{
    size_t n = 2 * depth + 3;
    for (unsigned i = 0; i < depth; i++) {
        out[2 * i] = 0xa2;
        out[2 * i + 1] = (uint8_t)(n - 2 * i - 2);
    }
    memcpy(out + 2 * depth, "\x83\x01\x01", 3);
    return n;
}

Test(mms_data, depth_limit)
{
    uint8_t b[2 * BER_MAX_DEPTH + 8];
    const char *json;
    size_t n = nested(b, BER_MAX_DEPTH - 1); /* boolean at depth BER_MAX_DEPTH-1 */
    cr_assert_eq(decode(b, n, &json), MMS_DATA_OK);
    n = nested(b, BER_MAX_DEPTH);
    cr_assert_eq(decode(b, n, &json), MMS_DATA_TOO_DEEP);
    cr_assert(strstr(json, "structure") != NULL); /* still valid JSON, cut off at the limit */
}

Test(mms_data, list_counts_and_collects_values)
{
    static const uint8_t list[] = { 0x83, 0x01, 0x01, 0x85, 0x01, 0xfe, 0x86, 0x01, 0x07,
                                    0x87, 0x05, 0x08, 0x3f, 0xc0, 0x00, 0x00, 0x8a, 0x01, 'x' };
    struct mamori_event ev;
    mamori_event_init(&ev, NULL, "test");
    detail_reset(&detail);
    struct mms_data_out out = { &detail, &ev };
    uint32_t count = 0;
    cr_assert_eq(mms_data_read_list(&out, "allData", cursor_make(list, sizeof list), 1, &count), MMS_DATA_OK);
    cr_assert_eq(count, 5);
    cr_assert_eq(ev.n_values, 4);
    cr_assert_float_eq(ev.values[0], 1.0, 0);
    cr_assert_float_eq(ev.values[1], -2.0, 0);
    cr_assert_float_eq(ev.values[2], 7.0, 0);
    cr_assert_float_eq(ev.values[3], 1.5, 0);
    json_writer_reset(&w);
    jw_detail(&w, NULL, &detail);
    cr_assert_str_eq(w.buf, "{\"allData\":[{\"boolean\":true},{\"integer\":-2},{\"unsigned\":7},"
                            "{\"floating-point\":1.5},{\"visible-string\":\"x\"}]}");
    /* the count stops where a broken element starts */
    static const uint8_t broken[] = { 0x83, 0x01, 0x01, 0x83, 0x05, 0x01 };
    cr_assert_eq(mms_data_read_list(&out, "allData", cursor_make(broken, sizeof broken), 1, &count),
                 MMS_DATA_BAD_BER);
    cr_assert_eq(count, 1);
}

Test(mms_data, utc_time_helper)
{
    static const uint8_t b[] = { 0x38, 0x6e, 0xbb, 0xf3, 0x42, 0x17, 0x28, 0x0a };
    struct iec61850_utc_time t;
    cr_assert(iec61850_utc_time_read(cursor_make(b, sizeof b), &t));
    cr_assert_eq(t.seconds, 0x386ebbf3u);
    cr_assert_eq(t.fraction, 0x421728u);
    cr_assert_eq(t.quality, 0x0a);
    char text[IEC61850_TIME_TEXT_MAX];
    size_t n = iec61850_utc_time_format(&t, text, sizeof text);
    cr_assert_str_eq(text, "2000-01-02T02:46:11.258165836Z"); /* as tshark shows GOOSE.pcap frame 1 */
    cr_assert_eq(n, strlen(text));
    cr_assert_not(iec61850_utc_time_read(cursor_make(b, 7), &t));
}
