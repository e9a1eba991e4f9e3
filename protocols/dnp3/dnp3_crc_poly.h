/* dnp3_crc_poly.h — the CRC-16/DNP parameters shared by the decoder and the
 * build-time table generator (dnp3_crc_gen.c). */
#ifndef MAMORI_DNP3_CRC_POLY_H
#define MAMORI_DNP3_CRC_POLY_H

#define DNP3_CRC_POLY_REFLECTED 0xA6BC /* 0x3D65 bit-reversed */
#define DNP3_CRC_SLICES 8              /* bytes folded per table step */

#endif
