/* json_writer.c — bounded JSON line builder (json_writer.h). */
#include "json_writer.h"

#include <math.h>
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

/* Sizes reserved before writing: an escaped byte takes up to 6; a member adds
 * a comma, two quotes and a colon to its key; numbers their longest text. A
 * line within DOUBLE_TEXT_MAX bytes of the buffer's end may so be refused. */
#define ESCAPED_PER_BYTE 6
#define MEMBER_OVERHEAD 4
#define U64_DIGITS_MAX 20
#define I64_TEXT_MAX 21
#define DOUBLE_TEXT_MAX 32
#define SHORTEST_DIGITS_MIN 15 /* every double with 15 significant digits reads back exactly */
#define SHORTEST_DIGITS_MAX 17 /* and 17 always do */
#define TIME_TEXT_MAX (U64_DIGITS_MAX + 7)
#define SHORT_STRING 64
/* Integers up to 2^53 are exact in a double. */
#define EXACT_INTEGER_MAX 9007199254740992.0

/* Space for n more bytes (and the terminating NUL), or NULL after marking
 * the line as overflowed. The caller writes, then calls commit(). */
static char *reserve(struct json_writer *w, size_t n)
{
    if (w->overflow || w->len + n + 1 > w->cap) {
        w->overflow = true;
        return NULL;
    }
    return w->buf + w->len;
}

static void commit(struct json_writer *w, char *end)
{
    w->len = (size_t)(end - w->buf);
    *end = '\0';
}

/* Bytes that JSON strings carry as they are: printable ASCII but " and \. */
#define PLAIN_RUN(first) [first] = 1, [first + 1] = 1, [first + 2] = 1, [first + 3] = 1
static const uint8_t json_plain_byte[256] = {
    [' '] = 1, ['!'] = 1, PLAIN_RUN('#'), PLAIN_RUN('\''), PLAIN_RUN('+'), PLAIN_RUN('/'), PLAIN_RUN('3'),
    PLAIN_RUN('7'), PLAIN_RUN(';'), PLAIN_RUN('?'), PLAIN_RUN('C'), PLAIN_RUN('G'), PLAIN_RUN('K'),
    PLAIN_RUN('O'), PLAIN_RUN('S'), PLAIN_RUN('W'), ['['] = 1, [']'] = 1, ['^'] = 1, PLAIN_RUN('_'),
    PLAIN_RUN('c'), PLAIN_RUN('g'), PLAIN_RUN('k'), PLAIN_RUN('o'), PLAIN_RUN('s'), PLAIN_RUN('w'),
    ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1,
};
static bool json_plain(uint8_t c) { return json_plain_byte[c]; }

static size_t escaped_size(const uint8_t *s, size_t n)
{
    size_t size = 0;
    for (size_t i = 0; i < n; i++)
        size += json_plain(s[i]) ? 1 : s[i] == '"' || s[i] == '\\' ? 2 : ESCAPED_PER_BYTE;
    return size;
}

/* Writes the content of a JSON string: escapes, \u00XX for control and
 * non-ASCII bytes. The caller reserved room. */
static char *put_escaped(char *p, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (json_plain(c)) {
            *p++ = (char)c;
        } else if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else {
            memcpy(p, "\\u00", 4);
            p[4] = hex[c >> 4];
            p[5] = hex[c & 15];
            p += ESCAPED_PER_BYTE;
        }
    }
    return p;
}

static char *put_u64(char *p, uint64_t v)
{
    char digits[U64_DIGITS_MAX];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(p, digits + n, sizeof digits - n);
    return p + sizeof digits - n;
}

static char *put_i64(char *p, int64_t v)
{
    if (v >= 0)
        return put_u64(p, (uint64_t)v);
    *p++ = '-';
    return put_u64(p, (uint64_t)0 - (uint64_t)v);
}

/* Starts a member in one reservation: the comma, the quoted key and colon
 * (when key is not NULL), and room for `value_max` bytes of value. Returns
 * where the value goes, or NULL when the line is full. */
static char *member(struct json_writer *w, const char *key, size_t key_len, size_t value_max)
{
    const uint8_t *k = (const uint8_t *)key;
    size_t key_room = key_len;
    for (size_t i = 0; i < key_len; i++) {
        if (!json_plain(k[i])) { /* rare: a key that needs escaping */
            key_room = escaped_size(k, key_len);
            break;
        }
    }
    char *p = reserve(w, MEMBER_OVERHEAD + key_room + value_max);
    if (!p)
        return NULL;
    if (w->need_comma[w->depth])
        *p++ = ',';
    w->need_comma[w->depth] = true;
    if (key) {
        *p++ = '"';
        if (key_room == key_len) {
            memcpy(p, key, key_len);
            p += key_len;
        } else {
            p = put_escaped(p, k, key_len);
        }
        *p++ = '"';
        *p++ = ':';
    }
    return p;
}

static size_t key_length(const char *key) { return key ? strlen(key) : 0; }

static void open_n(struct json_writer *w, const char *key, size_t key_len, char brace)
{
    char *p = member(w, key, key_len, 1);
    if (!p)
        return;
    *p++ = brace;
    commit(w, p);
    if (w->depth >= JSON_WRITER_DEPTH) {
        w->overflow = true;
        return;
    }
    w->need_comma[++w->depth] = false;
}

static void close_with(struct json_writer *w, char brace)
{
    if (w->depth > 0)
        w->depth--;
    char *p = reserve(w, 1);
    if (p) {
        *p++ = brace;
        commit(w, p);
    }
}

void jw_object_begin(struct json_writer *w, const char *key) { open_n(w, key, key_length(key), '{'); }
void jw_object_end(struct json_writer *w) { close_with(w, '}'); }
void jw_array_begin(struct json_writer *w, const char *key) { open_n(w, key, key_length(key), '['); }
void jw_array_end(struct json_writer *w) { close_with(w, ']'); }

static void string_n(struct json_writer *w, const char *key, size_t key_len, const uint8_t *s, size_t n)
{
    /* short strings reserve their worst case; long ones exactly what they need */
    size_t room = n <= SHORT_STRING ? ESCAPED_PER_BYTE * n : escaped_size(s, n);
    char *p = member(w, key, key_len, room + 2);
    if (!p)
        return;
    *p++ = '"';
    p = put_escaped(p, s, n);
    *p++ = '"';
    commit(w, p);
}

void jw_string(struct json_writer *w, const char *key, const char *s)
{
    string_n(w, key, key_length(key), (const uint8_t *)s, s ? strlen(s) : 0);
}

void jw_string_n(struct json_writer *w, const char *key, const void *s, size_t n)
{
    string_n(w, key, key_length(key), s, n);
}

static void hex_n(struct json_writer *w, const char *key, size_t key_len, const uint8_t *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *p = member(w, key, key_len, 2 * n + 2);
    if (!p)
        return;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p++ = '"';
    commit(w, p);
}

void jw_hex(struct json_writer *w, const char *key, const void *b, size_t n) { hex_n(w, key, key_length(key), b, n); }

static void uint_n(struct json_writer *w, const char *key, size_t key_len, uint64_t v)
{
    char *p = member(w, key, key_len, U64_DIGITS_MAX);
    if (p)
        commit(w, put_u64(p, v));
}

static void int_n(struct json_writer *w, const char *key, size_t key_len, int64_t v)
{
    char *p = member(w, key, key_len, I64_TEXT_MAX);
    if (p)
        commit(w, put_i64(p, v));
}

static void literal_n(struct json_writer *w, const char *key, size_t key_len, const char *text)
{
    size_t n = strlen(text);
    char *p = member(w, key, key_len, n);
    if (p) {
        memcpy(p, text, n);
        commit(w, p + n);
    }
}

static void double_n(struct json_writer *w, const char *key, size_t key_len, double v)
{
    if (!isfinite(v)) {
        literal_n(w, key, key_len, "null");
        return;
    }
    char *p = member(w, key, key_len, DOUBLE_TEXT_MAX);
    if (!p)
        return;
    /* register values and counters; the range is checked before the cast, which is
     * undefined for a double outside int64_t */
    if (fabs(v) <= EXACT_INTEGER_MAX && v == (double)(int64_t)v) {
        p = put_i64(p, (int64_t)v);
    } else { /* the shortest text that reads back as the same double */
        int n = 0;
        for (int digits = SHORTEST_DIGITS_MIN; digits <= SHORTEST_DIGITS_MAX; digits++) {
            n = snprintf(p, DOUBLE_TEXT_MAX, "%.*g", digits, v);
            if (strtod(p, NULL) == v)
                break;
        }
        p += n;
    }
    commit(w, p);
}

void jw_uint(struct json_writer *w, const char *key, uint64_t v) { uint_n(w, key, key_length(key), v); }
void jw_int(struct json_writer *w, const char *key, int64_t v) { int_n(w, key, key_length(key), v); }
void jw_double(struct json_writer *w, const char *key, double v) { double_n(w, key, key_length(key), v); }
void jw_bool(struct json_writer *w, const char *key, bool v) { literal_n(w, key, key_length(key), v ? "true" : "false"); }
void jw_null(struct json_writer *w, const char *key) { literal_n(w, key, key_length(key), "null"); }

void jw_time(struct json_writer *w, const char *key, uint64_t time_us)
{
    char *p = member(w, key, key_length(key), TIME_TEXT_MAX);
    if (!p)
        return;
    p = put_u64(p, time_us / 1000000);
    *p++ = '.';
    uint64_t frac = time_us % 1000000;
    for (int i = 5; i >= 0; i--, frac /= 10)
        p[i] = (char)('0' + frac % 10);
    commit(w, p + 6);
}

void jw_detail(struct json_writer *w, const char *key, const struct mamori_detail *d)
{
    struct detail_reader r;
    struct detail_token t;
    bool open_is_object[MAMORI_DETAIL_DEPTH + 1];
    int open_count = 0;
    jw_object_begin(w, key);
    detail_reader_init(&r, d);
    while (detail_next(&r, &t)) {
        const char *k = t.key; /* with its length: detail keys are not NUL-terminated */
        size_t kl = t.key_len;
        switch (t.type) {
        case DETAIL_OBJECT:
        case DETAIL_ARRAY:
            if (open_count < MAMORI_DETAIL_DEPTH)
                open_is_object[open_count++] = t.type == DETAIL_OBJECT;
            open_n(w, k, kl, t.type == DETAIL_OBJECT ? '{' : '[');
            break;
        case DETAIL_END:
            if (open_count > 0)
                close_with(w, open_is_object[--open_count] ? '}' : ']');
            break;
        case DETAIL_UINT: uint_n(w, k, kl, t.v.u); break;
        case DETAIL_INT: int_n(w, k, kl, t.v.i); break;
        case DETAIL_FLOAT: double_n(w, k, kl, t.v.f); break;
        case DETAIL_BOOL: literal_n(w, k, kl, t.v.b ? "true" : "false"); break;
        case DETAIL_STRING: string_n(w, k, kl, t.v.data.ptr, t.v.data.len); break;
        case DETAIL_BYTES: hex_n(w, k, kl, t.v.data.ptr, t.v.data.len); break;
        case DETAIL_NULL: literal_n(w, k, kl, "null"); break;
        }
    }
    if (d && d->truncated)
        jw_bool(w, "truncated", true);
    jw_object_end(w);
}
