/* dnp3_crc.h — CRC-16/DNP, the checksum of every DNP3 link header and data block.
 *
 * Polynomial 0x3D65 (reflected 0xA6BC), initial value 0, final complement,
 * stored little-endian after the bytes it covers. Table-driven; no state. */
#ifndef MAMORI_DNP3_CRC_H
#define MAMORI_DNP3_CRC_H

#include <stddef.h>
#include <stdint.h>

#include "../cursor.h"

#define DNP3_CRC_BLOCK_LEN 16 /* user data bytes between two CRCs of a link frame */

uint16_t dnp3_crc(const uint8_t *data, size_t len);

/* Reads `user_len` bytes of link user data from `c`, laid out in blocks of
 * DNP3_CRC_BLOCK_LEN bytes each followed by its CRC, and copies the data to
 * `dst`, reading each byte once. Returns the index of the first block whose
 * CRC is wrong, or -1; the cursor is failed when the blocks are cut short. */
int dnp3_crc_copy_blocks(cursor *c, size_t user_len, uint8_t *dst);

#endif
