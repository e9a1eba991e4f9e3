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

#define MAMORI_DETAIL_MAX 8192
#define MAMORI_DETAIL_DEPTH 24

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

struct detail_frame {
    uint32_t count_at; /* offset of the container's element count */
    uint16_t count;
    bool is_object;
};

struct mamori_detail {
    uint32_t len;
    uint16_t depth;
    uint16_t dropped_depth; /* containers opened after truncation */
    bool truncated;
    struct detail_frame stack[MAMORI_DETAIL_DEPTH];
    uint8_t buf[MAMORI_DETAIL_MAX];
};

void detail_reset(struct mamori_detail *d);

/* `key` names the member inside an object and is ignored inside an array. */
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
/* Appends every token of `src` (a complete, balanced detail) as one member. */
void detail_append(struct mamori_detail *d, const char *key, const struct mamori_detail *src);

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
};

void detail_reader_init(struct detail_reader *r, const struct mamori_detail *d);
/* Next token in document order; false at the end of the stream. */
bool detail_next(struct detail_reader *r, struct detail_token *t);

#endif
