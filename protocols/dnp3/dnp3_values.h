/* dnp3_values.h — how the values of each DNP3 object group and variation are
 * laid out, and their decoding into point detail (index excluded).
 *
 * Fixed-size objects are described by a short layout string, one letter per
 * field (see dnp3_values.c), so a group family is one table row and the size
 * of an object follows from its layout. Groups whose objects carry their own
 * size (file transfer, secure authentication, application identifiers) and
 * device attributes are only classified here; dnp3_file and dnp3_attributes
 * decode them. This file does not walk object headers. */
#ifndef MAMORI_DNP3_VALUES_H
#define MAMORI_DNP3_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cursor.h"
#include "../detail.h"

enum dnp3_layout {
    DNP3_LAYOUT_UNKNOWN,   /* not a group/variation this decoder knows */
    DNP3_LAYOUT_NO_DATA,   /* class data, "any variation" requests */
    DNP3_LAYOUT_FIXED,     /* `size` bytes per point, described by `fields` */
    DNP3_LAYOUT_PACKED,    /* `bits` bits per point, packed from bit 0 */
    DNP3_LAYOUT_OCTETS,    /* octet strings: size is the variation */
    DNP3_LAYOUT_SIZED,     /* every object needs a size prefix (qualifier 0x5B) */
    DNP3_LAYOUT_ATTRIBUTE, /* group 0: data type, length, value */
};

struct dnp3_object_kind {
    enum dnp3_layout layout;
    uint8_t size;       /* FIXED: bytes per point; OCTETS: the variation */
    uint8_t bits;       /* PACKED: bits per point */
    const char *fields; /* FIXED: layout string */
};

/* Classifies group/variation (variation 0, "any", has no data). */
struct dnp3_object_kind dnp3_object_kind(uint8_t group, uint8_t variation);

/* Decodes one fixed-size point from `point` into detail members; *value gets
 * the point's main value and *has_value is set when it has one. */
bool dnp3_fixed_point_decode(cursor *point, const char *fields, struct mamori_detail *d, double *value,
                             bool *has_value);

/* The main value of one fixed-size point alone, as dnp3_fixed_point_decode
 * finds it; false when the layout has none or the point is short. */
bool dnp3_fixed_point_value(cursor *point, const char *fields, double *value);

/* Value of point `i` in a packed run of `bits`-bit points. */
uint8_t dnp3_packed_point(cursor packed, size_t i, uint8_t bits);

/* 48-bit DNP3 time: milliseconds since 1970-01-01 UTC. */
uint64_t dnp3_time_read(cursor *c);

#endif
