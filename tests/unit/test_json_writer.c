/* test_json_writer.c — the JSON writer's escaping: every byte value at every
 * position of a run longer than two words, in keys and in values, comes out
 * as JSON requires (a guard for any faster scanning of plain runs). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sensor/json_writer.h"

#define RUN_LEN 19 /* two whole words and a tail */

static struct json_writer w;

static void setup(void) { cr_assert_eq(json_writer_init(&w, 4096), 0); }
static void teardown(void) { json_writer_free(&w); }

TestSuite(json_writer, .init = setup, .fini = teardown);

/* JSON string content for s, byte by byte: printable ASCII but " and \ as it
 * is, those two backslash-escaped, everything else \u00XX. */
static size_t reference(const uint8_t *s, size_t n, char *out)
{
    char *p = out;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            *p++ = (char)c;
        else if (c == '"' || c == '\\')
            p += sprintf(p, "\\%c", c);
        else
            p += sprintf(p, "\\u%04x", c);
    }
    *p = '\0';
    return (size_t)(p - out);
}

Test(json_writer, every_byte_at_every_position_of_a_plain_run)
{
    for (int byte = 0; byte < 256; byte++) {
        for (size_t at = 0; at < RUN_LEN; at++) {
            uint8_t s[RUN_LEN + 1];
            memset(s, 'a', RUN_LEN);
            s[at] = (uint8_t)byte;
            s[RUN_LEN] = '\0';
            char text[RUN_LEN * 6 + 1], expected[2 * sizeof text + 16];
            reference(s, RUN_LEN, text);
            json_writer_reset(&w);
            jw_object_begin(&w, NULL);
            jw_string_n(&w, "value", s, RUN_LEN);
            if (byte != 0) /* a key is a C string */
                jw_uint(&w, (const char *)s, 1);
            jw_object_end(&w);
            cr_assert(json_writer_ok(&w));
            if (byte != 0)
                snprintf(expected, sizeof expected, "{\"value\":\"%s\",\"%s\":1}", text, text);
            else
                snprintf(expected, sizeof expected, "{\"value\":\"%s\"}", text);
            cr_assert_str_eq(w.buf, expected, "byte 0x%02x at %zu", byte, at);
        }
    }
}
