/* cursor.h — the one bounds-checked reader that every packet byte goes through.
 *
 * A cursor is (pointer, bytes left) plus a sticky overrun flag. A read past the
 * end returns 0 (or NULL for a span), sets the flag and empties the cursor, so a
 * decoder reads a whole PDU and checks cursor_ok() once instead of after every
 * field. cursor_sub() carves a bounded child for a length-prefixed field; an
 * overrun in the child never lets a read escape the child's bounds.
 *
 * Nothing here allocates; everything is inline because it is on the hot path. */
#ifndef MAMORI_CURSOR_H
#define MAMORI_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct cursor {
    const uint8_t *ptr;
    size_t left;
    bool overrun;
} cursor;

/* What an empty cursor points at, so that no cursor ever holds NULL: pointer
 * arithmetic on NULL is undefined even for an offset of 0. */
static const uint8_t cursor_nothing[1];

static inline cursor cursor_make(const void *data, size_t len)
{
    cursor c = { data ? (const uint8_t *)data : cursor_nothing, data ? len : 0, false };
    return c;
}

static inline bool cursor_ok(const cursor *c) { return !c->overrun; }
static inline size_t cursor_left(const cursor *c) { return c->left; }
static inline bool cursor_empty(const cursor *c) { return c->left == 0; }

/* Marks the cursor overrun and empty; every later read returns 0. */
static inline void cursor_fail(cursor *c)
{
    c->ptr += c->left;
    c->left = 0;
    c->overrun = true;
}

/* True when n more bytes can be read; otherwise fails the cursor. */
static inline bool cursor_need(cursor *c, size_t n)
{
    if (c->left < n) {
        cursor_fail(c);
        return false;
    }
    return true;
}

static inline const uint8_t *cursor_bytes(cursor *c, size_t n)
{
    if (!cursor_need(c, n))
        return NULL;
    const uint8_t *p = c->ptr;
    c->ptr += n;
    c->left -= n;
    return p;
}

static inline bool cursor_skip(cursor *c, size_t n) { return cursor_bytes(c, n) != NULL || n == 0; }

static inline bool cursor_copy(cursor *c, void *dst, size_t n)
{
    const uint8_t *p = cursor_bytes(c, n);
    if (!p)
        return n == 0;
    memcpy(dst, p, n);
    return true;
}

static inline uint8_t cursor_u8(cursor *c)
{
    const uint8_t *p = cursor_bytes(c, 1);
    return p ? p[0] : 0;
}

static inline uint16_t cursor_be16(cursor *c)
{
    const uint8_t *p = cursor_bytes(c, 2);
    return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint16_t cursor_le16(cursor *c)
{
    const uint8_t *p = cursor_bytes(c, 2);
    return p ? (uint16_t)(p[1] << 8 | p[0]) : 0;
}

static inline uint32_t cursor_be24(cursor *c)
{
    const uint8_t *p = cursor_bytes(c, 3);
    return p ? (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2] : 0;
}

static inline uint32_t cursor_le24(cursor *c)
{
    const uint8_t *p = cursor_bytes(c, 3);
    return p ? (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0] : 0;
}

static inline uint32_t cursor_be32(cursor *c)
{
    const uint8_t *p = cursor_bytes(c, 4);
    return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

static inline uint32_t cursor_le32(cursor *c)
{
    const uint8_t *p = cursor_bytes(c, 4);
    return p ? (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0] : 0;
}

/* Little-endian unsigned of n bytes (1..8): DNP3 48-bit times, sized indexes. */
static inline uint64_t cursor_le_n(cursor *c, size_t n)
{
    const uint8_t *p = n <= 8 ? cursor_bytes(c, n) : (cursor_fail(c), NULL);
    uint64_t v = 0;
    for (size_t i = p ? n : 0; i > 0; i--)
        v = v << 8 | p[i - 1];
    return v;
}

/* Big-endian unsigned of n bytes (1..8): BER integers, IPv6 words. */
static inline uint64_t cursor_be_n(cursor *c, size_t n)
{
    const uint8_t *p = n <= 8 ? cursor_bytes(c, n) : (cursor_fail(c), NULL);
    uint64_t v = 0;
    for (size_t i = 0; p && i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static inline uint64_t cursor_le64(cursor *c) { return cursor_le_n(c, 8); }
static inline uint64_t cursor_be64(cursor *c) { return cursor_be_n(c, 8); }

/* Reads byte `offset` ahead without consuming it or failing the cursor. */
static inline bool cursor_peek_u8(const cursor *c, size_t offset, uint8_t *out)
{
    if (offset >= c->left)
        return false;
    *out = c->ptr[offset];
    return true;
}

/* Carves the next n bytes as a child cursor and advances past them. When fewer
 * than n bytes remain, both parent and child are failed. */
static inline cursor cursor_sub(cursor *c, size_t n)
{
    const uint8_t *p = cursor_bytes(c, n);
    cursor child = { p ? p : c->ptr, p ? n : 0, p == NULL };
    return child;
}

/* Takes everything that is left as a child cursor. */
static inline cursor cursor_rest(cursor *c) { return cursor_sub(c, c->left); }

#endif
