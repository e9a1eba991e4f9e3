/* msgpack_reader.h — reads one msgpack item header at a time from a cursor.
 *
 * For input that crossed a network: every byte goes through protocols/cursor.h,
 * nothing is allocated, and a declared length is only a number until the caller
 * reads that many bytes through the cursor (so a huge claimed count cannot make
 * anyone allocate). Strings, binaries and extension payloads are returned as
 * spans into the input. Containers return their element count; the caller reads
 * the elements. This is not a general msgpack library: it is the reader behind
 * alert_from_msgpack() and the hub's frames. */
#ifndef MAMORI_MSGPACK_READER_H
#define MAMORI_MSGPACK_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "protocols/cursor.h"

enum mp_type {
    MP_NIL,
    MP_BOOL,
    MP_UINT,
    MP_INT, /* negative integers only; non-negative ones are MP_UINT */
    MP_FLOAT,
    MP_STR,
    MP_BIN,
    MP_ARRAY,
    MP_MAP,
    MP_EXT,
    MP_INVALID, /* 0xc1, or the cursor ran out */
};

struct mp_item {
    enum mp_type type;
    bool b;
    uint64_t u;
    int64_t i;
    double f;
    uint32_t len;       /* bytes for STR/BIN/EXT, elements for ARRAY/MAP */
    int8_t ext_type;
    const uint8_t *ptr; /* STR/BIN/EXT payload */
};

/* Reads one item header (and, for STR/BIN/EXT, its payload). */
bool mp_read(cursor *c, struct mp_item *it);

#endif
