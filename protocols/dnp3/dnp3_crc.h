/* dnp3_crc.h — CRC-16/DNP, the checksum of every DNP3 link header and data block.
 *
 * Polynomial 0x3D65 (reflected 0xA6BC), initial value 0, final complement,
 * stored little-endian after the bytes it covers. Table-driven; no state. */
#ifndef MAMORI_DNP3_CRC_H
#define MAMORI_DNP3_CRC_H

#include <stddef.h>
#include <stdint.h>

uint16_t dnp3_crc(const uint8_t *data, size_t len);

/* Copies `len` bytes from `src` to `dst` (which must not overlap) and returns
 * their CRC, reading each byte once. */
uint16_t dnp3_crc_copy(uint8_t *dst, const uint8_t *src, size_t len);

#endif
