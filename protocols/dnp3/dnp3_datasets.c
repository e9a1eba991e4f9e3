/* dnp3_datasets.c — data-set objects, groups 85-88 (see dnp3_datasets.h).
 *
 * IEEE 1815-2012 clause 4.4.5 (data sets) and Annex A, groups 85-88: a
 * data-set object is a list of elements, each one octet giving its length and
 * then that many octets. The prototype (g85v1) starts with the prototype id
 * and its UUID, the descriptor contents (g86v1) with the data-set id, then
 * descriptor elements; a present value (g87v1) or snapshot (g88v1) starts
 * with the data-set id and the DNP3 time, then one element per value. The
 * characteristics (g86v2) and point index attributes (g86v3) are named and
 * kept as raw bytes. tshark 4.0 names the same objects ("Data-Set, Present
 * Value (Obj:87, Var:01)", "Data-Set Prototype, with UUID") and reads the size
 * prefix, then shows the rest of the fragment as one unknown data chunk. */
#include "dnp3_datasets.h"

#define DATA_SET_ID_MAX 4 /* a wider first element is counted, not shown */
#define GROUP_PROTOTYPE 85

struct dataset_kind {
    uint8_t group, variation;
    const char *name;
    bool elements; /* the object is an element list */
};

static const struct dataset_kind kinds[] = {
    { 85, 1, "data_set_prototype", true },
    { 86, 1, "data_set_descriptor", true },
    { 86, 2, "data_set_characteristics", false },
    { 86, 3, "data_set_point_index_attributes", false },
    { 87, 1, "data_set_present_value", true },
    { 88, 1, "data_set_snapshot", true },
};

static const struct dataset_kind *kind_of(uint8_t group, uint8_t variation)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].group == group && kinds[i].variation == variation)
            return &kinds[i];
    return NULL;
}

bool dnp3_dataset_known(uint8_t group, uint8_t variation)
{
    return kind_of(group, variation) != NULL;
}

const char *dnp3_dataset_name(uint8_t group, uint8_t variation)
{
    const struct dataset_kind *k = kind_of(group, variation);
    return k ? k->name : NULL;
}

bool dnp3_dataset_decode(cursor *obj, uint8_t group, uint8_t variation, struct mamori_detail *d)
{
    const struct dataset_kind *k = kind_of(group, variation);
    if (!k || !k->elements) {
        size_t n = cursor_left(obj);
        const uint8_t *raw = cursor_bytes(obj, n);
        detail_bytes(d, "data", raw, raw ? n : 0);
        return true;
    }
    uint64_t elements = 0;
    bool fits = true;
    while (fits && !cursor_empty(obj)) {
        uint8_t len = cursor_u8(obj);
        fits = len <= cursor_left(obj);
        cursor element = cursor_sub(obj, fits ? len : cursor_left(obj)); /* the object's own cursor stays good */
        if (fits && elements++ == 0 && len <= DATA_SET_ID_MAX) /* the prototype or data-set id */
            detail_uint(d, group == GROUP_PROTOTYPE ? "prototype_id" : "data_set_id", cursor_le_n(&element, len));
    }
    detail_uint(d, "elements", elements);
    return fits;
}
