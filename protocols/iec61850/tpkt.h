/* tpkt.h — RFC 1006 TPKT framing of ISO transport over TCP (port 102).
 *
 * A TPKT is a 4-byte header (version 3, a reserved zero byte, a 16-bit length
 * that counts the header too) followed by one COTP TPDU. This file only finds
 * frame boundaries in a byte stream and resynchronises after garbage; it knows
 * nothing about what the TPDU carries, so MMS and a future S7comm decoder can
 * share it. */
#ifndef MAMORI_TPKT_H
#define MAMORI_TPKT_H

#include <stddef.h>
#include <stdint.h>

#define TPKT_VERSION 3
#define TPKT_HEADER_LEN 4
/* Header plus the smallest TPDU (a DT: length indicator, code, TPDU-NR). */
#define TPKT_MIN_LEN 7
#define TPKT_MAX_LEN 65535

enum tpkt_status {
    TPKT_FRAME,     /* a whole frame of *frame_len bytes starts at data */
    TPKT_NEED_MORE, /* a plausible header, but the frame is not all there yet */
    TPKT_BAD,       /* data does not start with a TPKT header */
};

/* Looks at the frame starting at data. */
enum tpkt_status tpkt_frame(const uint8_t *data, size_t len, size_t *frame_len);

/* True when data starts with something that could be a TPKT header (only the
 * bytes present are checked). */
int tpkt_header_plausible(const uint8_t *data, size_t len);

/* Why data does not start with a TPKT header: "tpkt_bad_version",
 * "tpkt_bad_reserved" or "tpkt_length_below_minimum". */
const char *tpkt_problem(const uint8_t *data, size_t len);

/* After TPKT_BAD: how many bytes to drop so that data starts at the next
 * plausible header (len when there is none). Always at least 1. */
size_t tpkt_resync(const uint8_t *data, size_t len);

#endif
