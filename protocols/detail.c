/* detail.c — out-of-line writers and the reader of the detail token stream (detail.h).
 *
 * Encoding, one token after another: a type byte; when the token sits in an
 * object, a key (length byte + bytes); then the payload: 8 bytes for numbers,
 * 1 for booleans, a 16-bit length + bytes for strings and octets, a 16-bit
 * element count for containers (patched when the container ends). Packed
 * arrays (types of their own, never shown to readers) hold a 16-bit element
 * count and the wire bytes; the reader hands them out as an ARRAY, its numbers
 * and an END. The top level is an implicit object. Room for every pending END
 * is always held back, so a truncated stream is still balanced. The format is
 * private to detail.h and this file. */
#include "detail.h"

enum packed_type {
    PACKED_U16BE = 0x40, /* big-endian 16-bit words */
    PACKED_BITS,         /* bits, least significant first in each byte */
};

void detail_reset(struct mamori_detail *d)
{
    if (!d)
        return;
    d->len = 0;
    d->held_back = 0;
    d->count = 0;
    d->in_array = false;
    d->truncated = false;
    d->depth = 0;
    d->dropped_depth = 0;
}

void detail_truncate(struct mamori_detail *d)
{
    d->truncated = true;
    d->held_back = MAMORI_DETAIL_MAX;
}

void detail_container_begin_n(struct mamori_detail *d, const char *key, size_t key_len, bool is_object)
{
    if (!d)
        return;
    uint8_t *p = NULL;
    if (d->depth >= MAMORI_DETAIL_DEPTH)
        detail_truncate(d);
    else
        p = detail_token(d, is_object ? DETAIL_OBJECT : DETAIL_ARRAY, key, key_len, sizeof d->count, 1);
    if (!p) {
        d->dropped_depth++;
        return;
    }
    struct detail_frame *f = &d->stack[d->depth++];
    f->count_at = (uint32_t)(p - d->buf);
    f->outer_count = d->count;
    f->outer_in_array = d->in_array;
    memset(p, 0, sizeof d->count);
    d->count = 0;
    d->in_array = !is_object;
    d->held_back = d->depth;
}

/* One token whose payload is a 16-bit `count` and `size` bytes from `src`. */
static void counted(struct mamori_detail *d, int type, const char *key, size_t key_len, size_t count,
                    const void *src, size_t size)
{
    if (!d)
        return;
    if (count > MAMORI_DETAIL_DATA_MAX) {
        detail_truncate(d);
        return;
    }
    uint8_t *out = detail_token(d, (enum detail_type)type, key, key_len, sizeof(uint16_t) + size, 0);
    if (!out)
        return;
    uint16_t n = (uint16_t)count;
    memcpy(out, &n, sizeof n);
    if (size)
        memcpy(out + sizeof n, src, size);
}

void detail_data_n(struct mamori_detail *d, enum detail_type type, const char *key, size_t key_len,
                   const void *p, size_t len)
{
    counted(d, type, key, key_len, len, p, len);
}

/* A packed array of `n` elements stored as `size` wire bytes: an array of its own. */
static void packed_array(struct mamori_detail *d, enum packed_type type, const char *key, size_t key_len,
                         size_t n, const void *src, size_t size)
{
    if (d && d->depth >= MAMORI_DETAIL_DEPTH) {
        detail_truncate(d);
        return;
    }
    counted(d, type, key, key_len, n, src, size);
}

void detail_u16be_array_n(struct mamori_detail *d, const char *key, size_t key_len, const void *be, size_t n)
{
    packed_array(d, PACKED_U16BE, key, key_len, n, be, 2 * n);
}

void detail_bits_n(struct mamori_detail *d, const char *key, size_t key_len, const void *packed, size_t nbits)
{
    packed_array(d, PACKED_BITS, key, key_len, nbits, packed, (nbits + 7) / 8);
}

/* The plain-named writers, for callers that do not see the macros. */
void (detail_object_begin)(struct mamori_detail *d, const char *key) { detail_object_begin(d, key); }
void (detail_array_begin)(struct mamori_detail *d, const char *key) { detail_array_begin(d, key); }
void (detail_end)(struct mamori_detail *d) { detail_end(d); }
void (detail_uint)(struct mamori_detail *d, const char *key, uint64_t v) { detail_uint(d, key, v); }
void (detail_int)(struct mamori_detail *d, const char *key, int64_t v) { detail_int(d, key, v); }
void (detail_float)(struct mamori_detail *d, const char *key, double v) { detail_float(d, key, v); }
void (detail_bool)(struct mamori_detail *d, const char *key, bool v) { detail_bool(d, key, v); }
void (detail_null)(struct mamori_detail *d, const char *key) { detail_null(d, key); }
void (detail_string)(struct mamori_detail *d, const char *key, const void *s, size_t len)
{
    detail_string(d, key, s, len);
}
void (detail_cstring)(struct mamori_detail *d, const char *key, const char *s) { detail_cstring(d, key, s); }
void (detail_bytes)(struct mamori_detail *d, const char *key, const void *b, size_t len)
{
    detail_bytes(d, key, b, len);
}
void (detail_u16be_array)(struct mamori_detail *d, const char *key, const void *be, size_t n)
{
    detail_u16be_array(d, key, be, n);
}
void (detail_bits)(struct mamori_detail *d, const char *key, const void *packed, size_t nbits)
{
    detail_bits(d, key, packed, nbits);
}

void detail_append(struct mamori_detail *d, const char *key, const struct mamori_detail *src)
{
    if (!d || !src)
        return;
    uint8_t *out = NULL;
    if (d->depth >= MAMORI_DETAIL_DEPTH)
        detail_truncate(d);
    else
        out = detail_token(d, DETAIL_OBJECT, key, detail_key_len(key), sizeof src->count + src->len + 1, 0);
    if (!out)
        return;
    memcpy(out, &src->count, sizeof src->count); /* src is balanced: its top-level member count */
    memcpy(out + sizeof src->count, src->buf, src->len);
    out[sizeof src->count + src->len] = DETAIL_END;
    if (src->truncated)
        detail_truncate(d);
}

void detail_reader_init(struct detail_reader *r, const struct mamori_detail *d)
{
    r->d = d;
    r->pos = 0;
    r->depth = 0;
    r->in_object[0] = true;
    r->packed_kind = 0;
}

static void open_container(struct detail_reader *r, bool is_object)
{
    if (r->depth < MAMORI_DETAIL_DEPTH)
        r->in_object[++r->depth] = is_object;
}

static bool close_container(struct detail_reader *r, struct detail_token *t)
{
    t->type = DETAIL_END;
    if (r->depth > 0)
        r->depth--;
    return true;
}

/* The next element of the packed array being read, or its END. */
static bool packed_element(struct detail_reader *r, struct detail_token *t)
{
    if (r->packed_next == r->packed_count) {
        r->packed_kind = 0;
        return close_container(r, t);
    }
    uint16_t i = r->packed_next++;
    t->type = DETAIL_UINT;
    if (r->packed_kind == PACKED_U16BE)
        t->v.u = (uint16_t)(r->packed[2 * i] << 8 | r->packed[2 * i + 1]);
    else
        t->v.u = (r->packed[i / 8] >> (i % 8)) & 1u;
    return true;
}

bool detail_next(struct detail_reader *r, struct detail_token *t)
{
    const struct mamori_detail *d = r->d;
    memset(t, 0, sizeof *t);
    if (r->packed_kind)
        return packed_element(r, t);
    if (!d || r->pos >= d->len)
        return false;
    const uint8_t *b = d->buf;
    uint8_t type = b[r->pos++];
    t->type = (enum detail_type)type;
    if (type == DETAIL_END)
        return close_container(r, t);
    if (r->in_object[r->depth]) {
        t->key_len = b[r->pos++];
        t->key = (const char *)b + r->pos;
        r->pos += (uint32_t)t->key_len;
    }
    switch (type) {
    case DETAIL_OBJECT:
    case DETAIL_ARRAY:
        memcpy(&t->v.count, b + r->pos, 2);
        r->pos += 2;
        open_container(r, type == DETAIL_OBJECT);
        break;
    case PACKED_U16BE:
    case PACKED_BITS:
        t->type = DETAIL_ARRAY;
        memcpy(&t->v.count, b + r->pos, 2);
        r->pos += 2;
        r->packed_kind = type;
        r->packed = b + r->pos;
        r->packed_next = 0;
        r->packed_count = t->v.count;
        r->pos += type == PACKED_U16BE ? 2u * t->v.count : (t->v.count + 7u) / 8u;
        open_container(r, false);
        break;
    case DETAIL_UINT:
    case DETAIL_INT:
    case DETAIL_FLOAT:
        memcpy(&t->v.u, b + r->pos, 8);
        r->pos += 8;
        break;
    case DETAIL_BOOL:
        t->v.b = b[r->pos++] != 0;
        break;
    case DETAIL_STRING:
    case DETAIL_BYTES: {
        uint16_t n;
        memcpy(&n, b + r->pos, 2);
        r->pos += 2;
        t->v.data.ptr = b + r->pos;
        t->v.data.len = n;
        r->pos += n;
        break;
    }
    default:
        break;
    }
    return true;
}
