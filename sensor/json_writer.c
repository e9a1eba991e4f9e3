/* json_writer.c — bounded JSON line builder (json_writer.h). */
#include "json_writer.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int json_writer_init(struct json_writer *w, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->buf = malloc(cap);
    if (!w->buf)
        return -1;
    w->cap = cap;
    w->buf[0] = '\0';
    return 0;
}

void json_writer_free(struct json_writer *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

void json_writer_reset(struct json_writer *w)
{
    w->len = 0;
    w->overflow = false;
    w->depth = 0;
    w->need_comma[0] = false;
    if (w->cap)
        w->buf[0] = '\0';
}

bool json_writer_ok(const struct json_writer *w) { return !w->overflow && w->depth == 0; }

static void raw(struct json_writer *w, const char *s, size_t n)
{
    if (w->overflow || w->len + n + 1 > w->cap) {
        w->overflow = true;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void rawf(struct json_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rawf(struct json_writer *w, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    raw(w, tmp, n < 0 ? 0 : (size_t)n);
}

static void escaped(struct json_writer *w, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    raw(w, "\"", 1);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            continue;
        raw(w, (const char *)s + start, i - start);
        start = i + 1;
        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            raw(w, e, 2);
        } else {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            raw(w, e, 6);
        }
    }
    raw(w, (const char *)s + start, n - start);
    raw(w, "\"", 1);
}

/* Comma and key before a value. */
static void member(struct json_writer *w, const char *key)
{
    if (w->need_comma[w->depth])
        raw(w, ",", 1);
    w->need_comma[w->depth] = true;
    if (key) {
        escaped(w, (const uint8_t *)key, strlen(key));
        raw(w, ":", 1);
    }
}

static void open(struct json_writer *w, const char *key, const char *brace)
{
    member(w, key);
    raw(w, brace, 1);
    if (w->depth >= JSON_WRITER_DEPTH) {
        w->overflow = true;
        return;
    }
    w->need_comma[++w->depth] = false;
}

static void close(struct json_writer *w, const char *brace)
{
    if (w->depth > 0)
        w->depth--;
    raw(w, brace, 1);
}

void jw_object_begin(struct json_writer *w, const char *key) { open(w, key, "{"); }
void jw_object_end(struct json_writer *w) { close(w, "}"); }
void jw_array_begin(struct json_writer *w, const char *key) { open(w, key, "["); }
void jw_array_end(struct json_writer *w) { close(w, "]"); }

void jw_string(struct json_writer *w, const char *key, const char *s)
{
    jw_string_n(w, key, s, s ? strlen(s) : 0);
}

void jw_string_n(struct json_writer *w, const char *key, const void *s, size_t n)
{
    member(w, key);
    escaped(w, s, n);
}

void jw_hex(struct json_writer *w, const char *key, const void *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = b;
    member(w, key);
    raw(w, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        char pair[2] = { hex[p[i] >> 4], hex[p[i] & 15] };
        raw(w, pair, 2);
    }
    raw(w, "\"", 1);
}

/* Decimal digits of v, without printf: numbers are most of what we write. */
static void raw_u64(struct json_writer *w, uint64_t v)
{
    char digits[20];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    raw(w, digits + n, sizeof digits - n);
}

static void raw_i64(struct json_writer *w, int64_t v)
{
    if (v < 0) {
        raw(w, "-", 1);
        raw_u64(w, (uint64_t)0 - (uint64_t)v);
    } else {
        raw_u64(w, (uint64_t)v);
    }
}

void jw_uint(struct json_writer *w, const char *key, uint64_t v)
{
    member(w, key);
    raw_u64(w, v);
}

void jw_int(struct json_writer *w, const char *key, int64_t v)
{
    member(w, key);
    raw_i64(w, v);
}

/* Integers up to 2^53 are exact in a double. */
#define EXACT_INTEGER_MAX 9007199254740992.0

void jw_double(struct json_writer *w, const char *key, double v)
{
    member(w, key);
    if (!isfinite(v))
        raw(w, "null", 4);
    else if (v == (double)(int64_t)v && fabs(v) <= EXACT_INTEGER_MAX)
        raw_i64(w, (int64_t)v); /* register values and counters: the common case */
    else
        rawf(w, "%.17g", v);
}

void jw_bool(struct json_writer *w, const char *key, bool v)
{
    member(w, key);
    raw(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct json_writer *w, const char *key)
{
    member(w, key);
    raw(w, "null", 4);
}

void jw_time(struct json_writer *w, const char *key, uint64_t time_us)
{
    char micros[6];
    uint64_t frac = time_us % 1000000;
    for (int i = 5; i >= 0; i--, frac /= 10)
        micros[i] = (char)('0' + frac % 10);
    member(w, key);
    raw_u64(w, time_us / 1000000);
    raw(w, ".", 1);
    raw(w, micros, sizeof micros);
}

void jw_detail(struct json_writer *w, const char *key, const struct mamori_detail *d)
{
    struct detail_reader r;
    struct detail_token t;
    char keybuf[256];
    bool open_is_object[MAMORI_DETAIL_DEPTH + 1];
    int open_count = 0;
    jw_object_begin(w, key);
    detail_reader_init(&r, d);
    while (detail_next(&r, &t)) {
        const char *k = NULL;
        if (t.key) {
            memcpy(keybuf, t.key, t.key_len);
            keybuf[t.key_len] = '\0';
            k = keybuf;
        }
        switch (t.type) {
        case DETAIL_OBJECT:
        case DETAIL_ARRAY:
            if (open_count < MAMORI_DETAIL_DEPTH)
                open_is_object[open_count++] = t.type == DETAIL_OBJECT;
            open(w, k, t.type == DETAIL_OBJECT ? "{" : "[");
            break;
        case DETAIL_END:
            if (open_count > 0)
                close(w, open_is_object[--open_count] ? "}" : "]");
            break;
        case DETAIL_UINT: jw_uint(w, k, t.v.u); break;
        case DETAIL_INT: jw_int(w, k, t.v.i); break;
        case DETAIL_FLOAT: jw_double(w, k, t.v.f); break;
        case DETAIL_BOOL: jw_bool(w, k, t.v.b); break;
        case DETAIL_STRING: jw_string_n(w, k, t.v.data.ptr, t.v.data.len); break;
        case DETAIL_BYTES: jw_hex(w, k, t.v.data.ptr, t.v.data.len); break;
        case DETAIL_NULL: jw_null(w, k); break;
        }
    }
    if (d && d->truncated)
        jw_bool(w, "truncated", true);
    jw_object_end(w);
}
