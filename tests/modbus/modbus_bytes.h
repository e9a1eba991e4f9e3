/* modbus_bytes.h — builds Modbus/TCP ADUs for tests: MBAP header with the
 * length computed, then the PDU bytes given. */
#ifndef MAMORI_TEST_MODBUS_BYTES_H
#define MAMORI_TEST_MODBUS_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ADU_MAX 300

struct adu {
    uint8_t b[ADU_MAX];
    size_t len;
};

static inline struct adu make_adu(uint16_t trans_id, uint8_t unit, const uint8_t *pdu, size_t pdu_len)
{
    struct adu a = { { (uint8_t)(trans_id >> 8), (uint8_t)trans_id, 0, 0, (uint8_t)((pdu_len + 1) >> 8),
                       (uint8_t)(pdu_len + 1), unit },
                     7 + pdu_len };
    memcpy(a.b + 7, pdu, pdu_len);
    return a;
}

/* ADU(trans_id, unit, pdu bytes...) */
#define ADU(tid, unit, ...) \
    make_adu((tid), (unit), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

#endif
