/* dnp3_attributes.h — group 0 device attributes (IEEE 1815 clause 11.9): each
 * object is a data type code, a length and a value. The text attributes that
 * say who a device is (manufacturer, product and model, software and hardware
 * version, serial number, user-assigned id, name, location, owner) are also
 * collected as identity facts for the firmware inventory. Does not walk headers. */
#ifndef MAMORI_DNP3_ATTRIBUTES_H
#define MAMORI_DNP3_ATTRIBUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cursor.h"
#include "../detail.h"
#include "../event.h"

#define DNP3_MAX_IDENTITY MAMORI_EVENT_MAX_IDENTITY

struct dnp3_identity {
    size_t count;
    struct mamori_identity_field fields[DNP3_MAX_IDENTITY];
};

/* Identity field name for attribute variation `variation`, NULL when the
 * attribute does not identify the device. */
const char *dnp3_attribute_identity_name(uint8_t variation);

/* Decodes one attribute object (data type, length, value) into detail members
 * and, for identity attributes, into `id` (pointing into the fragment). False
 * when the object runs past the data. */
bool dnp3_attribute_decode(cursor *c, uint8_t variation, struct mamori_detail *d, struct dnp3_identity *id);

#endif
