/* dnp3_crc.h — CRC-16/DNP, the checksum of every DNP3 link header and data block.
 *
 * Polynomial 0x3D65 (reflected 0xA6BC), initial value 0, final complement,
 * stored little-endian after the bytes it covers. Table-driven; no state. */
#ifndef MAMORI_DNP3_CRC_H
#define MAMORI_DNP3_CRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cursor.h"

uint16_t dnp3_crc(const uint8_t *data, size_t len);

/* Reads `len` bytes and then their 2-byte little-endian CRC from `c`; true when
 * the CRC matches. The cursor is failed when fewer than len + 2 bytes remain. */
bool dnp3_crc_read_ok(cursor *c, size_t len, const uint8_t **data_out);

#endif
