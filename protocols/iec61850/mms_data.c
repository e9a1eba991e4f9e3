/* mms_data.c — walks the MMS Data CHOICE into detail tokens (see mms_data.h).
 * Scalar decoders live here; BER framing is ber.c's job. */
#include "mms_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BITSTRING_MAX_PADDING 7
#define FLOAT32_LEN 5
#define FLOAT32_EXPONENT_WIDTH 8
#define FLOAT64_LEN 9
#define FLOAT64_EXPONENT_WIDTH 11
#define BINARY_TIME_SHORT_LEN 4 /* milliseconds since midnight */
#define BINARY_TIME_LONG_LEN 6  /* plus days since 1984-01-01 */
#define MS_PER_DAY 86400000u
#define SECONDS_1970_TO_1984 441763200
#define OID_TEXT_MAX 256
#define OID_SUBID_MAX_OCTETS 9
#define REAL_TEXT_MAX 64
#define REAL_MANTISSA_MAX_OCTETS 8
#define REAL_EXPONENT_MAX_OCTETS 4
#define UTC_QUALITY_LEAP_SECONDS_KNOWN 0x80
#define UTC_QUALITY_CLOCK_FAILURE 0x40
#define UTC_QUALITY_NOT_SYNCHRONIZED 0x20
#define UTC_QUALITY_ACCURACY_MASK 0x1f
#define UTC_FRACTION_BITS 24

const char *mms_data_error_name(enum mms_data_error e)
{
    switch (e) {
    case MMS_DATA_OK: return "ok";
    case MMS_DATA_BAD_BER: return "mms_data_bad_ber";
    case MMS_DATA_BAD_TAG: return "mms_data_bad_tag";
    case MMS_DATA_BAD_VALUE: return "mms_data_bad_value";
    case MMS_DATA_TOO_DEEP: return "mms_data_too_deep";
    }
    return "mms_data_unknown";
}

static const char *const data_type_names[] = {
    [MMS_DATA_ARRAY] = "array",
    [MMS_DATA_STRUCTURE] = "structure",
    [MMS_DATA_BOOLEAN] = "boolean",
    [MMS_DATA_BIT_STRING] = "bit-string",
    [MMS_DATA_INTEGER] = "integer",
    [MMS_DATA_UNSIGNED] = "unsigned",
    [MMS_DATA_FLOATING_POINT] = "floating-point",
    [MMS_DATA_REAL] = "real",
    [MMS_DATA_OCTET_STRING] = "octet-string",
    [MMS_DATA_VISIBLE_STRING] = "visible-string",
    [MMS_DATA_GENERALIZED_TIME] = "generalized-time",
    [MMS_DATA_BINARY_TIME] = "binary-time",
    [MMS_DATA_BCD] = "bcd",
    [MMS_DATA_BOOLEAN_ARRAY] = "booleanArray",
    [MMS_DATA_OBJ_ID] = "objId",
    [MMS_DATA_MMS_STRING] = "mMSString",
    [MMS_DATA_UTC_TIME] = "utc-time",
};

static void add_value(const struct mms_data_out *out, double v)
{
    if (out->values)
        mamori_event_add_value(out->values, v);
}

/* ---- UtcTime ---------------------------------------------------------- */

bool iec61850_utc_time_read(cursor value, struct iec61850_utc_time *t)
{
    if (cursor_left(&value) != IEC61850_UTC_TIME_LEN)
        return false;
    t->seconds = cursor_be32(&value);
    t->fraction = cursor_be24(&value);
    t->quality = cursor_u8(&value);
    return cursor_ok(&value);
}

uint32_t iec61850_utc_time_nanos(const struct iec61850_utc_time *t)
{
    return (uint32_t)(((uint64_t)t->fraction * 1000000000u) >> UTC_FRACTION_BITS);
}

size_t iec61850_utc_time_format(const struct iec61850_utc_time *t, char *out, size_t outlen)
{
    time_t secs = (time_t)t->seconds;
    struct tm tm;
    gmtime_r(&secs, &tm);
    int n = snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)iec61850_utc_time_nanos(t));
    if (n < 0)
        return 0;
    return (size_t)n < outlen ? (size_t)n : outlen - 1;
}

void iec61850_utc_time_detail(struct mamori_detail *d, const char *key, const char *quality_key,
                              const struct iec61850_utc_time *t)
{
    if (!d)
        return;
    char text[IEC61850_TIME_TEXT_MAX];
    size_t n = iec61850_utc_time_format(t, text, sizeof text);
    detail_string(d, key, text, n);
    detail_object_begin(d, quality_key);
    detail_bool(d, "leapSecondsKnown", t->quality & UTC_QUALITY_LEAP_SECONDS_KNOWN);
    detail_bool(d, "clockFailure", t->quality & UTC_QUALITY_CLOCK_FAILURE);
    detail_bool(d, "clockNotSynchronized", t->quality & UTC_QUALITY_NOT_SYNCHRONIZED);
    detail_uint(d, "timeAccuracy", t->quality & UTC_QUALITY_ACCURACY_MASK);
    detail_end(d);
}

/* ---- scalar types ----------------------------------------------------- */

/* bit-string and booleanArray: a padding octet (unused trailing bits), then bits. */
static enum mms_data_error read_bit_string(const struct mms_data_out *out, const char *name, cursor v)
{
    uint8_t padding;
    if (!cursor_peek_u8(&v, 0, &padding) || padding > BITSTRING_MAX_PADDING)
        return MMS_DATA_BAD_VALUE;
    cursor_skip(&v, 1);
    if (cursor_empty(&v) && padding != 0)
        return MMS_DATA_BAD_VALUE;
    size_t n = cursor_left(&v);
    detail_bytes(out->detail, name, cursor_bytes(&v, n), n);
    detail_uint(out->detail, "padding", padding);
    return MMS_DATA_OK;
}

static float float32_from_bits(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static double float64_from_bits(uint64_t bits)
{
    double f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* IEC 61850 FloatingPoint: exponent-width octet, then IEEE 754 big-endian.
 * Other widths are kept as raw octets. */
static enum mms_data_error read_floating_point(const struct mms_data_out *out, const char *name, cursor v)
{
    size_t n = cursor_left(&v);
    uint8_t width = 0;
    if (!cursor_peek_u8(&v, 0, &width))
        return MMS_DATA_BAD_VALUE;
    double value;
    if (n == FLOAT32_LEN && width == FLOAT32_EXPONENT_WIDTH) {
        cursor_skip(&v, 1);
        value = float32_from_bits(cursor_be32(&v));
    } else if (n == FLOAT64_LEN && width == FLOAT64_EXPONENT_WIDTH) {
        cursor_skip(&v, 1);
        value = float64_from_bits(cursor_be64(&v));
    } else {
        detail_bytes(out->detail, name, cursor_bytes(&v, n), n);
        return MMS_DATA_OK;
    }
    detail_float(out->detail, name, value);
    add_value(out, value);
    return MMS_DATA_OK;
}

/* ASN.1 REAL (X.690 8.5): binary, decimal (ISO 6093 text) or special values. */
#define REAL_BINARY 0x80
#define REAL_SPECIAL 0x40
#define REAL_SIGN 0x40
#define REAL_BASE_MASK 0x30
#define REAL_SCALE_MASK 0x0c
#define REAL_EXPONENT_FORMAT_MASK 0x03
#define REAL_PLUS_INFINITY 0x40
#define REAL_MINUS_INFINITY 0x41
#define REAL_NOT_A_NUMBER 0x42
#define REAL_MINUS_ZERO 0x43
#define REAL_DECIMAL_NR1 0x01 /* ISO 6093 forms; other values are reserved */
#define REAL_DECIMAL_NR3 0x03

static bool real_binary(uint8_t first, cursor *v, double *out)
{
    static const int base_log2[] = { 1, 3, 4, 0 };
    int log2_base = base_log2[(first & REAL_BASE_MASK) >> 4];
    if (log2_base == 0)
        return false;
    int scale = (first & REAL_SCALE_MASK) >> 2;
    size_t exp_octets = (first & REAL_EXPONENT_FORMAT_MASK) + 1u;
    if (exp_octets == 4)
        exp_octets = cursor_u8(v);
    if (exp_octets == 0 || exp_octets > REAL_EXPONENT_MAX_OCTETS || cursor_left(v) < exp_octets)
        return false;
    int64_t exponent;
    if (!ber_int(cursor_sub(v, exp_octets), &exponent))
        return false;
    size_t mant_octets = cursor_left(v);
    if (mant_octets == 0 || mant_octets > REAL_MANTISSA_MAX_OCTETS)
        return false;
    double mantissa = (double)cursor_be_n(v, mant_octets);
    double value = ldexp(mantissa, (int)(exponent * log2_base + scale));
    *out = (first & REAL_SIGN) ? -value : value;
    return cursor_ok(v);
}

static bool real_decimal(uint8_t first, cursor *v, double *out)
{
    if (first < REAL_DECIMAL_NR1 || first > REAL_DECIMAL_NR3)
        return false;
    size_t n = cursor_left(v);
    char text[REAL_TEXT_MAX];
    if (n == 0 || n >= sizeof text)
        return false;
    cursor_copy(v, text, n);
    text[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (text[i] == ',') /* ISO 6093 allows a comma as the decimal mark */
            text[i] = '.';
    char *end;
    *out = strtod(text, &end);
    return end != text && *end == '\0';
}

static bool real_decode(cursor v, double *out)
{
    if (cursor_empty(&v)) {
        *out = 0.0;
        return true;
    }
    uint8_t first = cursor_u8(&v);
    if (first & REAL_BINARY)
        return real_binary(first, &v, out);
    if (first & REAL_SPECIAL) {
        if (!cursor_empty(&v))
            return false;
        switch (first) {
        case REAL_PLUS_INFINITY: *out = INFINITY; return true;
        case REAL_MINUS_INFINITY: *out = -INFINITY; return true;
        case REAL_NOT_A_NUMBER: *out = NAN; return true;
        case REAL_MINUS_ZERO: *out = -0.0; return true;
        default: return false;
        }
    }
    return real_decimal(first, &v, out);
}

/* OBJECT IDENTIFIER as dotted text; raw octets when it is too long to print. */
static enum mms_data_error read_obj_id(const struct mms_data_out *out, const char *name, cursor v)
{
    char text[OID_TEXT_MAX];
    size_t len = 0;
    cursor all = v;
    bool first = true;
    if (cursor_empty(&v))
        return MMS_DATA_BAD_VALUE;
    while (!cursor_empty(&v)) {
        uint64_t subid = 0;
        uint8_t b;
        size_t octets = 0;
        do {
            if (++octets > OID_SUBID_MAX_OCTETS || cursor_empty(&v))
                return MMS_DATA_BAD_VALUE;
            b = cursor_u8(&v);
            subid = subid << 7 | (b & 0x7f);
        } while (b & 0x80);
        int n;
        if (first) {
            unsigned arc = subid < 40 ? 0 : subid < 80 ? 1 : 2;
            n = snprintf(text + len, sizeof text - len, "%u.%llu", arc,
                         (unsigned long long)(subid - 40u * arc));
            first = false;
        } else {
            n = snprintf(text + len, sizeof text - len, ".%llu", (unsigned long long)subid);
        }
        if (n < 0 || (size_t)n >= sizeof text - len) {
            size_t raw = cursor_left(&all);
            detail_bytes(out->detail, name, cursor_bytes(&all, raw), raw);
            return MMS_DATA_OK;
        }
        len += (size_t)n;
    }
    detail_string(out->detail, name, text, len);
    return MMS_DATA_OK;
}

/* TimeOfDay: milliseconds since midnight, optionally days since 1984-01-01. */
static enum mms_data_error read_binary_time(const struct mms_data_out *out, const char *name, cursor v)
{
    size_t n = cursor_left(&v);
    if (n != BINARY_TIME_SHORT_LEN && n != BINARY_TIME_LONG_LEN)
        return MMS_DATA_BAD_VALUE;
    uint32_t ms = cursor_be32(&v);
    if (ms >= MS_PER_DAY)
        return MMS_DATA_BAD_VALUE;
    char text[IEC61850_TIME_TEXT_MAX];
    int len;
    if (n == BINARY_TIME_LONG_LEN) {
        uint16_t days = cursor_be16(&v);
        time_t secs = (time_t)SECONDS_1970_TO_1984 + (time_t)days * 86400 + ms / 1000;
        struct tm tm;
        gmtime_r(&secs, &tm);
        len = snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
    } else {
        len = snprintf(text, sizeof text, "%02u:%02u:%02u.%03u", ms / 3600000, ms / 60000 % 60,
                       ms / 1000 % 60, ms % 1000);
    }
    detail_string(out->detail, name, text, len > 0 ? (size_t)len : 0);
    return MMS_DATA_OK;
}

static enum mms_data_error read_scalar(const struct mms_data_out *out, uint32_t tag, cursor v)
{
    const char *name = data_type_names[tag];
    size_t n = cursor_left(&v);
    switch (tag) {
    case MMS_DATA_BOOLEAN: {
        bool b;
        if (!ber_bool(v, &b))
            return MMS_DATA_BAD_VALUE;
        detail_bool(out->detail, name, b);
        add_value(out, b);
        return MMS_DATA_OK;
    }
    case MMS_DATA_BIT_STRING:
    case MMS_DATA_BOOLEAN_ARRAY:
        return read_bit_string(out, name, v);
    case MMS_DATA_INTEGER:
    case MMS_DATA_BCD: {
        int64_t i;
        if (!ber_int(v, &i))
            return MMS_DATA_BAD_VALUE;
        detail_int(out->detail, name, i);
        add_value(out, (double)i);
        return MMS_DATA_OK;
    }
    case MMS_DATA_UNSIGNED: {
        uint64_t u;
        if (!ber_uint(v, &u))
            return MMS_DATA_BAD_VALUE;
        detail_uint(out->detail, name, u);
        add_value(out, (double)u);
        return MMS_DATA_OK;
    }
    case MMS_DATA_FLOATING_POINT:
        return read_floating_point(out, name, v);
    case MMS_DATA_REAL: {
        double r;
        if (!real_decode(v, &r))
            return MMS_DATA_BAD_VALUE;
        detail_float(out->detail, name, r);
        add_value(out, r);
        return MMS_DATA_OK;
    }
    case MMS_DATA_OCTET_STRING:
        detail_bytes(out->detail, name, cursor_bytes(&v, n), n);
        return MMS_DATA_OK;
    case MMS_DATA_VISIBLE_STRING:
    case MMS_DATA_GENERALIZED_TIME:
    case MMS_DATA_MMS_STRING:
        detail_string(out->detail, name, cursor_bytes(&v, n), n);
        return MMS_DATA_OK;
    case MMS_DATA_BINARY_TIME:
        return read_binary_time(out, name, v);
    case MMS_DATA_OBJ_ID:
        return read_obj_id(out, name, v);
    case MMS_DATA_UTC_TIME: {
        struct iec61850_utc_time t;
        if (!iec61850_utc_time_read(v, &t))
            return MMS_DATA_BAD_VALUE;
        iec61850_utc_time_detail(out->detail, name, "quality", &t);
        return MMS_DATA_OK;
    }
    }
    return MMS_DATA_BAD_TAG;
}

/* ---- the CHOICE and its containers ------------------------------------ */

static bool is_data_tag(const struct ber_tlv *tlv)
{
    return tlv->cls == BER_CLASS_CONTEXT && tlv->tag >= MMS_DATA_ARRAY && tlv->tag <= MMS_DATA_UTC_TIME;
}

/* Walks a SEQUENCE OF Data. A value that does not fit its type is kept raw and
 * the walk goes on (the framing is intact); its error is returned at the end.
 * Broken framing, a foreign tag or too much depth stop the walk. */
static enum mms_data_error read_elements(const struct mms_data_out *out, cursor list, unsigned depth,
                                         uint32_t *count)
{
    struct ber_tlv child;
    enum ber_status st;
    enum mms_data_error first_bad_value = MMS_DATA_OK;
    while ((st = ber_next(&list, &child)) == BER_OK) {
        enum mms_data_error e = mms_data_read(out, NULL, &child, depth);
        if (e == MMS_DATA_BAD_VALUE && first_bad_value == MMS_DATA_OK)
            first_bad_value = e;
        else if (e != MMS_DATA_OK && e != MMS_DATA_BAD_VALUE)
            return e;
        (*count)++;
    }
    return st == BER_END ? first_bad_value : MMS_DATA_BAD_BER;
}

enum mms_data_error mms_data_read(const struct mms_data_out *out, const char *key,
                                  const struct ber_tlv *tlv, unsigned depth)
{
    if (depth >= BER_MAX_DEPTH)
        return MMS_DATA_TOO_DEEP;
    if (!is_data_tag(tlv))
        return MMS_DATA_BAD_TAG;
    bool container = tlv->tag == MMS_DATA_ARRAY || tlv->tag == MMS_DATA_STRUCTURE;
    if (container != tlv->constructed)
        return MMS_DATA_BAD_VALUE;
    detail_object_begin(out->detail, key);
    enum mms_data_error e;
    if (container) {
        uint32_t count = 0;
        detail_array_begin(out->detail, data_type_names[tlv->tag]);
        e = read_elements(out, tlv->value, depth + 1, &count);
        detail_end(out->detail);
    } else {
        e = read_scalar(out, tlv->tag, tlv->value);
        if (e == MMS_DATA_BAD_VALUE) { /* nothing was written: keep the octets */
            cursor raw = tlv->value;
            size_t n = cursor_left(&raw);
            detail_bytes(out->detail, data_type_names[tlv->tag], cursor_bytes(&raw, n), n);
        }
    }
    detail_end(out->detail);
    return e;
}

enum mms_data_error mms_data_read_list(const struct mms_data_out *out, const char *key, cursor list,
                                       unsigned depth, uint32_t *count)
{
    *count = 0;
    if (depth >= BER_MAX_DEPTH)
        return MMS_DATA_TOO_DEEP;
    detail_array_begin(out->detail, key);
    enum mms_data_error e = read_elements(out, list, depth + 1, count);
    detail_end(out->detail);
    return e;
}
