/* msgpack_reader.c — msgpack item headers through a bounds-checked cursor
 * (msgpack_reader.h). Format bytes follow the msgpack specification. */
#include "msgpack_reader.h"

#include <string.h>

static uint64_t read_be(cursor *c, unsigned bytes)
{
    uint64_t v = 0;
    const uint8_t *p = cursor_bytes(c, bytes);
    for (unsigned i = 0; p && i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

static int64_t read_signed(cursor *c, unsigned bytes)
{
    uint64_t v = read_be(c, bytes);
    unsigned shift = 64 - 8 * bytes;
    return (int64_t)(v << shift) >> shift;
}

static bool span(cursor *c, struct mp_item *it, enum mp_type type, uint64_t len)
{
    it->type = type;
    if (len > cursor_left(c)) {
        cursor_fail(c);
        return false;
    }
    it->len = (uint32_t)len;
    it->ptr = cursor_bytes(c, len);
    return cursor_ok(c);
}

static bool ext(cursor *c, struct mp_item *it, uint64_t len)
{
    it->ext_type = (int8_t)cursor_u8(c);
    return span(c, it, MP_EXT, len);
}

static bool container(cursor *c, struct mp_item *it, enum mp_type type, uint64_t count)
{
    it->type = type;
    it->len = (uint32_t)count;
    return cursor_ok(c);
}

static void set_int(struct mp_item *it, int64_t v)
{
    if (v >= 0) {
        it->type = MP_UINT;
        it->u = (uint64_t)v;
    } else {
        it->type = MP_INT;
        it->i = v;
    }
}

bool mp_read(cursor *c, struct mp_item *it)
{
    memset(it, 0, sizeof *it);
    it->type = MP_INVALID;
    if (!cursor_need(c, 1))
        return false;
    uint8_t f = cursor_u8(c);
    if (f <= 0x7f) {
        set_int(it, f);
        return true;
    }
    if (f >= 0xe0) {
        set_int(it, (int8_t)f);
        return true;
    }
    if ((f & 0xf0) == 0x80)
        return container(c, it, MP_MAP, f & 0x0f);
    if ((f & 0xf0) == 0x90)
        return container(c, it, MP_ARRAY, f & 0x0f);
    if ((f & 0xe0) == 0xa0)
        return span(c, it, MP_STR, f & 0x1f);
    switch (f) {
    case 0xc0: it->type = MP_NIL; return true;
    case 0xc2: it->type = MP_BOOL; it->b = false; return true;
    case 0xc3: it->type = MP_BOOL; it->b = true; return true;
    case 0xc4: return span(c, it, MP_BIN, read_be(c, 1));
    case 0xc5: return span(c, it, MP_BIN, read_be(c, 2));
    case 0xc6: return span(c, it, MP_BIN, read_be(c, 4));
    case 0xc7: return ext(c, it, read_be(c, 1));
    case 0xc8: return ext(c, it, read_be(c, 2));
    case 0xc9: return ext(c, it, read_be(c, 4));
    case 0xca: {
        uint32_t bits = (uint32_t)read_be(c, 4);
        float v;
        memcpy(&v, &bits, sizeof v);
        it->type = MP_FLOAT;
        it->f = v;
        return cursor_ok(c);
    }
    case 0xcb: {
        uint64_t bits = read_be(c, 8);
        memcpy(&it->f, &bits, sizeof it->f);
        it->type = MP_FLOAT;
        return cursor_ok(c);
    }
    case 0xcc: it->type = MP_UINT; it->u = read_be(c, 1); return cursor_ok(c);
    case 0xcd: it->type = MP_UINT; it->u = read_be(c, 2); return cursor_ok(c);
    case 0xce: it->type = MP_UINT; it->u = read_be(c, 4); return cursor_ok(c);
    case 0xcf: it->type = MP_UINT; it->u = read_be(c, 8); return cursor_ok(c);
    case 0xd0: set_int(it, read_signed(c, 1)); return cursor_ok(c);
    case 0xd1: set_int(it, read_signed(c, 2)); return cursor_ok(c);
    case 0xd2: set_int(it, read_signed(c, 4)); return cursor_ok(c);
    case 0xd3: set_int(it, read_signed(c, 8)); return cursor_ok(c);
    case 0xd4: return ext(c, it, 1);
    case 0xd5: return ext(c, it, 2);
    case 0xd6: return ext(c, it, 4);
    case 0xd7: return ext(c, it, 8);
    case 0xd8: return ext(c, it, 16);
    case 0xd9: return span(c, it, MP_STR, read_be(c, 1));
    case 0xda: return span(c, it, MP_STR, read_be(c, 2));
    case 0xdb: return span(c, it, MP_STR, read_be(c, 4));
    case 0xdc: return container(c, it, MP_ARRAY, read_be(c, 2));
    case 0xdd: return container(c, it, MP_ARRAY, read_be(c, 4));
    case 0xde: return container(c, it, MP_MAP, read_be(c, 2));
    case 0xdf: return container(c, it, MP_MAP, read_be(c, 4));
    default: return false; /* 0xc1 is never used */
    }
}
