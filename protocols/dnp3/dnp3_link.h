/* dnp3_link.h — the DNP3 data link layer (IEEE 1815 clause 9): framing, header
 * and data-block CRCs, control byte fields, link function names.
 *
 * A frame is 0x05 0x64, LEN, CTL, DST (le16), SRC (le16), a header CRC, then
 * LEN - 5 bytes of user data in 16-byte blocks each followed by its own CRC.
 * This file finds and checks frames in a byte run and copies the user data out
 * of its blocks; it knows nothing of transport segments or applications. */
#ifndef MAMORI_DNP3_LINK_H
#define MAMORI_DNP3_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnp3_crc.h"

#define DNP3_START_FIRST 0x05
#define DNP3_START_SECOND 0x64
#define DNP3_LINK_HEADER_LEN 10   /* start, LEN, CTL, DST, SRC, CRC */
#define DNP3_LINK_LEN_MIN 5       /* LEN counts CTL, DST and SRC ... */
#define DNP3_LINK_LEN_HEADER_PART 5 /* ... plus the user data */
#define DNP3_LINK_BLOCK_LEN DNP3_CRC_BLOCK_LEN
#define DNP3_LINK_CRC_LEN 2
#define DNP3_LINK_USER_MAX 250    /* LEN is one byte: 255 - 5 */
#define DNP3_LINK_FRAME_MAX 292   /* 10 + 250 + 16 block CRCs */

#define DNP3_CTL_DIR 0x80
#define DNP3_CTL_PRM 0x40
#define DNP3_CTL_FCB 0x20
#define DNP3_CTL_FCV 0x10 /* primary frames; DFC on secondary frames */
#define DNP3_CTL_FUNC 0x0F

/* Link functions that never carry transport data (as Wireshark decides). */
#define DNP3_LINK_FUNC_RESET_OR_ACK 0x00
#define DNP3_LINK_FUNC_REQUEST_STATUS 0x09
#define DNP3_LINK_FUNC_STATUS 0x0B

/* Broadcast destinations (IEEE 1815 9.2.5.3). */
#define DNP3_ADDR_BROADCAST_MIN 0xFFFD

struct dnp3_link_frame {
    uint8_t len, ctl;
    uint16_t dst, src;
    size_t wire_len;           /* bytes the frame occupies on the wire */
    int bad_block;             /* index of the first data block with a bad CRC, or -1 */
    size_t user_len;
    uint8_t user[DNP3_LINK_USER_MAX];
};

enum dnp3_link_status {
    DNP3_LINK_NEED_MORE,      /* the frame is not complete in the bytes given */
    DNP3_LINK_OK,             /* frame decoded; consume wire_len bytes */
    DNP3_LINK_BAD_HEADER_CRC, /* consume the two start bytes and resynchronise */
    DNP3_LINK_LEN_TOO_SMALL,  /* LEN < 5 with a good header CRC; consume the header */
    DNP3_LINK_BAD_BLOCK_CRC,  /* a data block failed its CRC; consume wire_len bytes */
};

/* Number of leading bytes before the next possible frame start (0x05 0x64, or
 * a lone 0x05 as the very last byte). */
size_t dnp3_link_skip_to_start(const uint8_t *data, size_t len);

/* Decodes the frame at the start of `data`, which must begin with the start
 * bytes (see dnp3_link_skip_to_start). */
enum dnp3_link_status dnp3_link_read(const uint8_t *data, size_t len, struct dnp3_link_frame *f);

/* True when this frame carries transport data to reassemble. */
bool dnp3_link_has_user_data(const struct dnp3_link_frame *f);

/* snake_case name of the link function in `ctl` (primary or secondary). */
const char *dnp3_link_function_name(uint8_t ctl);

#endif
