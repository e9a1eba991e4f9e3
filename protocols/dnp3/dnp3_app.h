/* dnp3_app.h — the DNP3 application layer header (IEEE 1815 clause 4.2.2):
 * application control, function codes with their names and operation class,
 * and the internal indications (IIN) of responses.
 *
 * Only the header: the object headers that follow are walked by dnp3_objects. */
#ifndef MAMORI_DNP3_APP_H
#define MAMORI_DNP3_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cursor.h"
#include "../event.h"

#define DNP3_AL_FIR 0x80
#define DNP3_AL_FIN 0x40
#define DNP3_AL_CON 0x20
#define DNP3_AL_UNS 0x10
#define DNP3_AL_SEQ 0x0F
#define DNP3_AL_SEQ_MODULO 16

/* The codes the decoder treats specially; dnp3_app.c names every code. */
enum dnp3_function {
    DNP3_FC_CONFIRM = 0x00,
    DNP3_FC_WRITE = 0x02,
    DNP3_FC_SELECT = 0x03,
    DNP3_FC_OPERATE = 0x04,
    DNP3_FC_COLD_RESTART = 0x0D,
    DNP3_FC_WARM_RESTART = 0x0E,
    DNP3_FC_STOP_APPLICATION = 0x12,
    DNP3_FC_DISABLE_UNSOLICITED = 0x15,
    DNP3_FC_OPEN_FILE = 0x19,
    DNP3_FC_ABORT_FILE = 0x1E,
    DNP3_FC_ACTIVATE_CONFIG = 0x1F,
    DNP3_FC_RESPONSE = 0x81,
    DNP3_FC_UNSOLICITED_RESPONSE = 0x82,
    DNP3_FC_AUTHENTICATE_RESPONSE = 0x83,
};

/* What follows the header of a fragment with this function. */
enum dnp3_object_mode {
    DNP3_OBJECTS_NONE,    /* nothing (restart, delay measurement, ...) */
    DNP3_OBJECTS_HEADERS, /* object headers and indexes only (read, freeze, assign class) */
    DNP3_OBJECTS_DATA,    /* object headers with values */
};

struct dnp3_function_info {
    const char *name; /* snake_case */
    enum mamori_op op;
    enum dnp3_object_mode objects;
    bool expects_response; /* a request the outstation answers */
};

/* NULL for a code IEEE 1815 does not define. */
const struct dnp3_function_info *dnp3_function_lookup(uint8_t code);

bool dnp3_function_is_response(uint8_t code); /* 0x81..0x83: sent by outstations */

/* IIN bits as Wireshark shows dnp3.al.iin: IIN1 in the high byte. */
#define DNP3_IIN_NO_FUNC_CODE_SUPPORT 0x0001
#define DNP3_IIN_OBJECT_UNKNOWN 0x0002
#define DNP3_IIN_PARAMETER_ERROR 0x0004
#define DNP3_IIN_REQUEST_ERRORS (DNP3_IIN_NO_FUNC_CODE_SUPPORT | DNP3_IIN_OBJECT_UNKNOWN | DNP3_IIN_PARAMETER_ERROR)

/* snake_case name of one IIN bit (a single-bit mask), NULL for none. */
const char *dnp3_iin_bit_name(uint16_t bit);

struct dnp3_app_header {
    uint8_t ctl;
    uint8_t func;
    bool has_iin;
    uint16_t iin;
};

/* Reads the header (2 bytes, 4 for responses). False when too short. */
bool dnp3_app_header_read(cursor *c, struct dnp3_app_header *h);

#endif
