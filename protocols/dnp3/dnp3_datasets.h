/* dnp3_datasets.h — data-set objects (IEEE 1815-2012 groups 85-88): the
 * prototype (g85v1), the descriptor (g86v1-v3), the present value (g87v1)
 * and the snapshot event (g88v1). They are free-format objects, each behind
 * its own 16-bit size prefix (qualifier 0x5B), so the walk always finds the
 * next header. This file names them and walks their element lists, counting
 * elements; it does not keep prototypes or descriptors to type the values. */
#ifndef MAMORI_DNP3_DATASETS_H
#define MAMORI_DNP3_DATASETS_H

#include <stdbool.h>
#include <stdint.h>

#include "../cursor.h"
#include "../detail.h"

#define DNP3_GROUP_DATA_SET_FIRST 85
#define DNP3_GROUP_DATA_SET_LAST 88

/* True for a group 85-88 variation this decoder names. */
bool dnp3_dataset_known(uint8_t group, uint8_t variation);

/* snake_case name of a data-set object, NULL when not one. */
const char *dnp3_dataset_name(uint8_t group, uint8_t variation);

/* Decodes one whole sized object. False when its element list does not
 * exactly fill it (the object is malformed; the size prefix still holds). */
bool dnp3_dataset_decode(cursor *obj, uint8_t group, uint8_t variation, struct mamori_detail *d);

#endif
