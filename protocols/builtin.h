/* builtin.h — the built-in decoder structs, one line each; registry.c lists them. */
#ifndef MAMORI_BUILTIN_H
#define MAMORI_BUILTIN_H

#include "decoder.h"

extern const struct mamori_decoder modbus_decoder;
extern const struct mamori_decoder dnp3_decoder;
extern const struct mamori_decoder goose_decoder;
extern const struct mamori_decoder sv_decoder;
extern const struct mamori_decoder mms_decoder;
extern const struct mamori_decoder enip_decoder;

#endif
