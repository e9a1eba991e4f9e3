/* dnp3_crc.c — CRC-16/DNP over link headers and data blocks (see dnp3_crc.h). */
#include "dnp3_crc.h"

#include <string.h>

#include "dnp3_crc_poly.h"
/* Generated at build time into the build tree (see meson.build): constant, so
 * worker threads share it without any initialisation. */
#include "dnp3/dnp3_crc_tables.h"

/* Slicing-by-8: the 16-bit register is folded into the first two bytes of each
 * 8-byte step, and every byte of the step goes through the table that shifts it
 * past the bytes after it. A link header is one step, a data block two. When
 * `copy_to` is not NULL each step's bytes are also stored there, so a data
 * block is read once for both its check and its copy. Always inlined, so the
 * copy test and (for full blocks) the length are resolved at compile time. */
static inline __attribute__((always_inline)) uint16_t crc_slices(const uint8_t *data, size_t len, uint8_t *copy_to)
{
    const uint16_t(*t)[256] = dnp3_crc_tables;
    uint16_t crc = 0;
    size_t i = 0;
    for (; len - i >= DNP3_CRC_SLICES; i += DNP3_CRC_SLICES) {
        const uint8_t *p = data + i;
        if (copy_to)
            memcpy(copy_to + i, p, DNP3_CRC_SLICES);
        crc = (uint16_t)(t[7][p[0] ^ (crc & 0xFF)] ^ t[6][p[1] ^ (crc >> 8)] ^ t[5][p[2]] ^ t[4][p[3]] ^
                         t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]]);
    }
    for (; i < len; i++) {
        if (copy_to)
            copy_to[i] = data[i];
        crc = (uint16_t)((crc >> 8) ^ t[0][(crc ^ data[i]) & 0xFF]);
    }
    return (uint16_t)~crc;
}

uint16_t dnp3_crc(const uint8_t *data, size_t len)
{
    return crc_slices(data, len, NULL);
}

int dnp3_crc_copy_blocks(cursor *c, size_t user_len, uint8_t *dst)
{
    int bad_block = -1;
    for (int block = 0; user_len > 0; block++) {
        size_t n = user_len < DNP3_CRC_BLOCK_LEN ? user_len : DNP3_CRC_BLOCK_LEN;
        const uint8_t *chunk = cursor_bytes(c, n);
        uint16_t wire = cursor_le16(c);
        if (!chunk)
            break;
        /* Full blocks take the constant-length path, which the compiler unrolls. */
        uint16_t crc = n == DNP3_CRC_BLOCK_LEN ? crc_slices(chunk, DNP3_CRC_BLOCK_LEN, dst) : crc_slices(chunk, n, dst);
        if (crc != wire && bad_block < 0)
            bad_block = block;
        dst += n;
        user_len -= n;
    }
    return bad_block;
}
