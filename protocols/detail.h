/* detail.h — protocol-specific detail of an event, as a bounded token stream.
 *
 * A decoder describes what it decoded (a `modbus` object with `trans_id`,
 * `func_code`, ... ; DNP3 object lists; GOOSE allData trees) by writing tokens
 * into a fixed buffer: objects, arrays, keys and scalar values. The core renders
 * the same tokens as JSON (event log) or msgpack (alert evidence), so both
 * carry identical content. Writing never allocates and never fails loudly: when
 * the buffer is full the writer stops, marks the detail truncated and keeps the
 * structure balanced. Every writer accepts a NULL detail and then does nothing,
 * so a decoder calls them unconditionally and pays nothing when no one wants
 * detail. Containers record their element count, which msgpack needs. */
#ifndef MAMORI_DETAIL_H
#define MAMORI_DETAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MAMORI_DETAIL_MAX 8192
#define MAMORI_DETAIL_DEPTH 24
#define MAMORI_DETAIL_KEY_MAX 255u /* longer keys are cut to this many bytes */
#define MAMORI_DETAIL_DATA_MAX 65535u /* longer strings/octets truncate the detail */

enum detail_type {
    DETAIL_OBJECT = 1,
    DETAIL_ARRAY,
    DETAIL_END,
    DETAIL_UINT,
    DETAIL_INT,
    DETAIL_FLOAT,
    DETAIL_BOOL,
    DETAIL_STRING,
    DETAIL_BYTES,
    DETAIL_NULL,
};

/* An open container, and what to restore in its parent when it ends. */
struct detail_frame {
    uint32_t count_at; /* offset of the container's element count */
    uint16_t outer_count;
    bool outer_in_array;
};

/* A zeroed struct is an empty detail, as after detail_reset(). */
struct mamori_detail {
    uint32_t len;
    uint32_t held_back; /* one END byte per open container; MAMORI_DETAIL_MAX once truncated */
    uint16_t count;     /* elements written so far into the innermost open container */
    bool in_array;      /* the innermost container is an array (the top level is an object) */
    bool truncated;
    uint16_t depth;
    uint16_t dropped_depth; /* containers opened after truncation */
    struct detail_frame stack[MAMORI_DETAIL_DEPTH];
    uint8_t buf[MAMORI_DETAIL_MAX];
};

void detail_reset(struct mamori_detail *d);

/* Writers. `key` names the member inside an object and is ignored inside an
 * array. Each writer is a macro over its *_n form, which takes the key's length:
 * for a literal key the length is folded at compile time, and the small writers
 * are inline. The macros evaluate `key` twice, so pass no key with side
 * effects. Functions of the plain names exist too, for plugins built against
 * older headers and for function pointers (`(detail_uint)`). */
void detail_object_begin(struct mamori_detail *d, const char *key);
void detail_array_begin(struct mamori_detail *d, const char *key);
void detail_end(struct mamori_detail *d);
void detail_uint(struct mamori_detail *d, const char *key, uint64_t v);
void detail_int(struct mamori_detail *d, const char *key, int64_t v);
void detail_float(struct mamori_detail *d, const char *key, double v);
void detail_bool(struct mamori_detail *d, const char *key, bool v);
void detail_null(struct mamori_detail *d, const char *key);
/* Text as it appeared on the wire (not NUL-terminated); renderers escape it. */
void detail_string(struct mamori_detail *d, const char *key, const void *s, size_t len);
void detail_cstring(struct mamori_detail *d, const char *key, const char *s);
/* Raw octets; rendered as lowercase hex in JSON and as bin in msgpack. */
void detail_bytes(struct mamori_detail *d, const char *key, const void *b, size_t len);
/* An array of `n` unsigned numbers read as big-endian 16-bit words from `be`
 * (2n bytes): the same tokens as detail_array_begin + n detail_uint + detail_end,
 * stored as the wire bytes. */
void detail_u16be_array(struct mamori_detail *d, const char *key, const void *be, size_t n);
/* An array of the first `nbits` bits of `packed` (least significant bit of each
 * byte first) as 0/1 numbers, stored packed. */
void detail_bits(struct mamori_detail *d, const char *key, const void *packed, size_t nbits);
/* Appends every token of `src` (a complete, balanced detail) as one member. */
void detail_append(struct mamori_detail *d, const char *key, const struct mamori_detail *src);

/* Out of line: marks the detail truncated; every later write is refused. */
void detail_truncate(struct mamori_detail *d);
void detail_container_begin_n(struct mamori_detail *d, const char *key, size_t key_len, bool is_object);
void detail_data_n(struct mamori_detail *d, enum detail_type type, const char *key, size_t key_len,
                   const void *p, size_t len);
void detail_u16be_array_n(struct mamori_detail *d, const char *key, size_t key_len, const void *be, size_t n);
void detail_bits_n(struct mamori_detail *d, const char *key, size_t key_len, const void *packed, size_t nbits);

static inline size_t detail_key_len(const char *key) { return key ? __builtin_strlen(key) : 0; }

/* Reserves one token of `payload` bytes (keeping `closers` more END bytes
 * back), writes its type and key and counts it in its container. Returns where
 * the payload goes, or NULL (and truncates) when the token does not fit.
 * Encoding: type byte; inside an object, key length byte + key; payload. */
static inline uint8_t *detail_token(struct mamori_detail *d, enum detail_type type, const char *key,
                                    size_t key_len, size_t payload, size_t closers)
{
    if (key_len > MAMORI_DETAIL_KEY_MAX)
        key_len = MAMORI_DETAIL_KEY_MAX;
    size_t size = d->in_array ? 1 + payload : 2 + key_len + payload;
    if ((size_t)d->len + size + d->held_back + closers > MAMORI_DETAIL_MAX) {
        detail_truncate(d);
        return NULL;
    }
    uint8_t *p = d->buf + d->len;
    d->len += (uint32_t)size;
    d->count++;
    *p++ = (uint8_t)type;
    if (!d->in_array) {
        *p++ = (uint8_t)key_len;
        if (key_len)
            memcpy(p, key, key_len);
        p += key_len;
    }
    return p;
}

static inline void detail_number_n(struct mamori_detail *d, enum detail_type type, const char *key,
                                   size_t key_len, uint64_t bits)
{
    uint8_t *p = d ? detail_token(d, type, key, key_len, sizeof bits, 0) : NULL;
    if (p)
        memcpy(p, &bits, sizeof bits);
}

static inline void detail_uint_n(struct mamori_detail *d, const char *key, size_t key_len, uint64_t v)
{
    detail_number_n(d, DETAIL_UINT, key, key_len, v);
}

static inline void detail_int_n(struct mamori_detail *d, const char *key, size_t key_len, int64_t v)
{
    detail_number_n(d, DETAIL_INT, key, key_len, (uint64_t)v);
}

static inline void detail_float_n(struct mamori_detail *d, const char *key, size_t key_len, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    detail_number_n(d, DETAIL_FLOAT, key, key_len, bits);
}

static inline void detail_bool_n(struct mamori_detail *d, const char *key, size_t key_len, bool v)
{
    uint8_t *p = d ? detail_token(d, DETAIL_BOOL, key, key_len, 1, 0) : NULL;
    if (p)
        *p = v;
}

static inline void detail_null_n(struct mamori_detail *d, const char *key, size_t key_len)
{
    if (d)
        detail_token(d, DETAIL_NULL, key, key_len, 0, 0);
}

static inline void detail_cstring_n(struct mamori_detail *d, const char *key, size_t key_len, const char *s)
{
    detail_data_n(d, DETAIL_STRING, key, key_len, s, s ? strlen(s) : 0);
}

static inline void detail_end_inline(struct mamori_detail *d)
{
    if (!d)
        return;
    if (d->dropped_depth) {
        d->dropped_depth--;
        return;
    }
    if (d->depth == 0)
        return;
    const struct detail_frame *f = &d->stack[--d->depth];
    memcpy(d->buf + f->count_at, &d->count, sizeof d->count);
    d->count = f->outer_count;
    d->in_array = f->outer_in_array;
    d->buf[d->len++] = DETAIL_END; /* always fits: held back when the container opened */
    if (!d->truncated)
        d->held_back = d->depth;
}

#define detail_object_begin(d, key) detail_container_begin_n((d), (key), detail_key_len(key), true)
#define detail_array_begin(d, key) detail_container_begin_n((d), (key), detail_key_len(key), false)
#define detail_end(d) detail_end_inline(d)
#define detail_uint(d, key, v) detail_uint_n((d), (key), detail_key_len(key), (v))
#define detail_int(d, key, v) detail_int_n((d), (key), detail_key_len(key), (v))
#define detail_float(d, key, v) detail_float_n((d), (key), detail_key_len(key), (v))
#define detail_bool(d, key, v) detail_bool_n((d), (key), detail_key_len(key), (v))
#define detail_null(d, key) detail_null_n((d), (key), detail_key_len(key))
#define detail_string(d, key, s, len) detail_data_n((d), DETAIL_STRING, (key), detail_key_len(key), (s), (len))
#define detail_cstring(d, key, s) detail_cstring_n((d), (key), detail_key_len(key), (s))
#define detail_bytes(d, key, b, len) detail_data_n((d), DETAIL_BYTES, (key), detail_key_len(key), (b), (len))
#define detail_u16be_array(d, key, be, n) detail_u16be_array_n((d), (key), detail_key_len(key), (be), (n))
#define detail_bits(d, key, packed, nbits) detail_bits_n((d), (key), detail_key_len(key), (packed), (nbits))

struct detail_token {
    enum detail_type type;
    const char *key; /* NULL inside arrays */
    size_t key_len;
    union {
        uint64_t u;
        int64_t i;
        double f;
        bool b;
        uint16_t count; /* for DETAIL_OBJECT and DETAIL_ARRAY */
        struct {
            const uint8_t *ptr;
            size_t len;
        } data; /* for DETAIL_STRING and DETAIL_BYTES */
    } v;
};

struct detail_reader {
    const struct mamori_detail *d;
    uint32_t pos;
    uint16_t depth;
    bool in_object[MAMORI_DETAIL_DEPTH + 1];
    /* Inside a packed array (detail_u16be_array, detail_bits): its elements
     * are handed out one by one, then its END. */
    uint8_t packed_kind;
    uint16_t packed_next;
    uint16_t packed_count;
    const uint8_t *packed;
};

void detail_reader_init(struct detail_reader *r, const struct mamori_detail *d);
/* Next token in document order; false at the end of the stream. */
bool detail_next(struct detail_reader *r, struct detail_token *t);

#endif
