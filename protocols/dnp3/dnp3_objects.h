/* dnp3_objects.h — walks every object header of an application fragment
 * (IEEE 1815 clause 4.2.2.7): group, variation, qualifier (prefix and range
 * codes, including free-format 0x0B), start/stop or count, then each point's
 * index or size prefix and its value. Writes the `objects` detail list and the
 * event's range and values; reports what was wrong instead of emitting events.
 * Stops cleanly at the first header whose object size cannot be known. */
#ifndef MAMORI_DNP3_OBJECTS_H
#define MAMORI_DNP3_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cursor.h"
#include "../event.h"
#include "dnp3_app.h"
#include "dnp3_attributes.h"

#define DNP3_QUAL_PREFIX_SHIFT 4
#define DNP3_QUAL_PREFIX_MASK 0x07
#define DNP3_QUAL_RANGE_MASK 0x0F
#define DNP3_OBJECT_NAME_MAX 12 /* "g255v255" */

enum dnp3_range_code {
    DNP3_RANGE_START_STOP_8 = 0x0,
    DNP3_RANGE_START_STOP_16 = 0x1,
    DNP3_RANGE_START_STOP_32 = 0x2,
    DNP3_RANGE_VADDR_8 = 0x3,
    DNP3_RANGE_VADDR_16 = 0x4,
    DNP3_RANGE_VADDR_32 = 0x5,
    DNP3_RANGE_NONE = 0x6,
    DNP3_RANGE_COUNT_8 = 0x7,
    DNP3_RANGE_COUNT_16 = 0x8,
    DNP3_RANGE_COUNT_32 = 0x9,
    DNP3_RANGE_FREE_FORMAT = 0xB,
};

enum dnp3_prefix_code {
    DNP3_PREFIX_NONE = 0,
    DNP3_PREFIX_INDEX_8 = 1,
    DNP3_PREFIX_INDEX_16 = 2,
    DNP3_PREFIX_INDEX_32 = 3,
    DNP3_PREFIX_SIZE_8 = 4,
    DNP3_PREFIX_SIZE_16 = 5,
    DNP3_PREFIX_SIZE_32 = 6,
};

struct dnp3_walk {
    /* In. */
    enum dnp3_object_mode mode;
    uint32_t max_points; /* per fragment; past it the walk stops with too_many_points */
    uint32_t detail_points_left; /* points rendered into detail; later ones are counted only */
    struct mamori_event *ev;

    /* Out. */
    uint32_t n_objects;
    uint32_t points;
    bool malformed, unknown_object, too_many_points;
    bool file_objects; /* a group 70 object was present */
    bool has_range;
    uint32_t range_start, range_count;
    uint8_t first_group, first_variation;
    char first_object[DNP3_OBJECT_NAME_MAX]; /* "g12v1" */
    size_t first_object_len;
    struct dnp3_identity identity;
};

/* Walks the object headers left in `c` (after the application header). The
 * caller has opened the `objects` detail array. */
void dnp3_objects_walk(cursor *c, struct dnp3_walk *w);

#endif
