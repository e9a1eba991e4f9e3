/* dnp3_objects.c — object header walking and per-point decoding dispatch. */
#include "dnp3_objects.h"

#include "dnp3_datasets.h"
#include "dnp3_file.h"
#include "dnp3_values.h"

#define GROUP_FILE 70
#define GROUP_SECURE_AUTH 120

struct object_header {
    uint8_t group, variation, qualifier;
    uint8_t prefix, range;
    bool has_start;      /* start/stop ranges: points are numbered from start */
    uint32_t start;
    uint64_t count;      /* objects that follow (0 for "no range") */
};

static size_t width_of(uint8_t code_in_family)
{
    static const size_t widths[] = { 1, 2, 4 };
    return widths[code_in_family % 3];
}

/* Reads the range field. False when the range code is reserved or stop < start. */
static bool range_read(cursor *c, struct object_header *h, struct mamori_detail *d)
{
    switch (h->range) {
    case DNP3_RANGE_START_STOP_8:
    case DNP3_RANGE_START_STOP_16:
    case DNP3_RANGE_START_STOP_32:
    case DNP3_RANGE_VADDR_8:
    case DNP3_RANGE_VADDR_16:
    case DNP3_RANGE_VADDR_32: {
        size_t width = width_of(h->range);
        uint32_t start = (uint32_t)cursor_le_n(c, width);
        uint32_t stop = (uint32_t)cursor_le_n(c, width);
        if (!cursor_ok(c))
            return false;
        detail_uint(d, "range.start", start);
        detail_uint(d, "range.stop", stop);
        if (stop < start)
            return false;
        h->has_start = true;
        h->start = start;
        h->count = (uint64_t)stop - start + 1;
        return true;
    }
    case DNP3_RANGE_NONE: h->count = 0; return true;
    case DNP3_RANGE_COUNT_8:
    case DNP3_RANGE_COUNT_16:
    case DNP3_RANGE_COUNT_32:
    case DNP3_RANGE_FREE_FORMAT: {
        size_t width = h->range == DNP3_RANGE_FREE_FORMAT ? 1 : width_of(h->range - DNP3_RANGE_COUNT_8);
        h->count = cursor_le_n(c, width);
        if (!cursor_ok(c))
            return false;
        detail_uint(d, "range.quantity", h->count);
        return true;
    }
    default: return false;
    }
}

static size_t put_decimal(char *out, uint8_t v)
{
    size_t n = 0;
    if (v >= 100)
        out[n++] = (char)('0' + v / 100);
    if (v >= 10)
        out[n++] = (char)('0' + v / 10 % 10);
    out[n++] = (char)('0' + v % 10);
    return n;
}

/* "g<group>v<variation>", NUL-terminated; returns its length. */
static size_t object_name(char *out, uint8_t group, uint8_t variation)
{
    size_t n = 0;
    out[n++] = 'g';
    n += put_decimal(out + n, group);
    out[n++] = 'v';
    n += put_decimal(out + n, variation);
    out[n] = '\0';
    return n;
}

static bool prefix_is_index(uint8_t prefix)
{
    return prefix >= DNP3_PREFIX_INDEX_8 && prefix <= DNP3_PREFIX_INDEX_32;
}

static bool prefix_is_size(uint8_t prefix)
{
    return prefix >= DNP3_PREFIX_SIZE_8 && prefix <= DNP3_PREFIX_SIZE_32;
}

static void note_value(struct dnp3_walk *w, double value)
{
    mamori_event_add_value(w->ev, value);
}

static void note_range(struct dnp3_walk *w, uint32_t start, uint64_t count)
{
    if (w->has_range)
        return;
    w->has_range = true;
    w->range_start = start;
    w->range_count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
}

/* Decodes one object of known size from `obj`. False when its bytes are short. */
static bool object_decode(cursor *obj, const struct object_header *h, const struct dnp3_object_kind *k,
                          struct dnp3_walk *w, struct mamori_detail *d)
{
    double value = 0;
    bool has_value = false;
    switch (k->layout) {
    case DNP3_LAYOUT_FIXED:
        if (!dnp3_fixed_point_decode(obj, k->fields, d, &value, &has_value))
            return false;
        if (has_value)
            note_value(w, value);
        return true;
    case DNP3_LAYOUT_OCTETS: {
        size_t n = cursor_left(obj);
        const uint8_t *octets = cursor_bytes(obj, n);
        detail_bytes(d, "octet_string", octets, octets ? n : 0);
        return true;
    }
    case DNP3_LAYOUT_ATTRIBUTE: return dnp3_attribute_decode(obj, h->variation, d, &w->identity);
    case DNP3_LAYOUT_SIZED:
        if (h->group == GROUP_FILE) {
            dnp3_file_object_decode(obj, h->variation, d);
        } else if (dnp3_dataset_known(h->group, h->variation)) {
            if (!dnp3_dataset_decode(obj, h->group, h->variation, d))
                w->malformed = true; /* its size prefix still leads to the next object */
        } else {
            size_t n = cursor_left(obj);
            const uint8_t *raw = cursor_bytes(obj, n);
            detail_bytes(d, "data", raw, raw ? n : 0);
        }
        return cursor_ok(obj);
    default: {
        /* An unknown object skipped by its size prefix: kept as raw bytes. */
        size_t n = cursor_left(obj);
        const uint8_t *raw = cursor_bytes(obj, n);
        detail_bytes(d, "data", raw, raw ? n : 0);
        return true;
    }
    }
}

/* The detail to write the next point into, or NULL once the fragment's budget
 * of rendered points is spent (the point is still decoded). */
static struct mamori_detail *point_detail(struct dnp3_walk *w)
{
    if (w->detail_points_left == 0)
        return NULL;
    w->detail_points_left--;
    return w->ev->detail;
}

/* True when no later point of this fragment is rendered into the detail. */
static bool point_detail_spent(const struct dnp3_walk *w)
{
    return w->ev->detail == NULL || w->detail_points_left == 0;
}

static bool event_values_full(const struct dnp3_walk *w)
{
    return w->ev->n_values >= MAMORI_EVENT_MAX_VALUES;
}

/* The last `n` points of a run of same-size objects, none of them rendered:
 * only the values the event still has room for are read, the rest is stepped
 * over at once. False when the run is cut short. */
static bool points_values_only(cursor *c, const struct dnp3_object_kind *k, uint64_t n, struct dnp3_walk *w)
{
    uint64_t whole = k->size ? cursor_left(c) / k->size : n;
    uint64_t present = whole < n ? whole : n;
    cursor run = cursor_sub(c, (size_t)present * k->size);
    for (uint64_t i = 0; k->layout == DNP3_LAYOUT_FIXED && i < present && !event_values_full(w); i++) {
        cursor point = cursor_sub(&run, k->size);
        double value;
        if (dnp3_fixed_point_value(&point, k->fields, &value))
            note_value(w, value);
    }
    return present == n;
}

static void points_end(struct mamori_detail *d, uint64_t read, uint64_t shown)
{
    detail_end(d);
    if (read > shown)
        detail_uint(d, "points_omitted", read - shown);
}

static bool packed_points(cursor *c, const struct object_header *h, const struct dnp3_object_kind *k,
                          struct dnp3_walk *w)
{
    struct mamori_detail *d = w->ev->detail;
    size_t n_bytes = (size_t)((h->count * k->bits + 7) / 8);
    cursor packed = cursor_sub(c, n_bytes);
    if (!cursor_ok(c))
        return false;
    if (h->has_start)
        note_range(w, h->start, h->count);
    detail_array_begin(d, "points");
    uint64_t shown = 0;
    for (size_t i = 0; i < h->count; i++) {
        if (point_detail_spent(w) && event_values_full(w))
            break; /* nothing left to render or collect */
        uint8_t value = dnp3_packed_point(packed, i, k->bits);
        struct mamori_detail *pd = point_detail(w);
        shown += pd != NULL;
        detail_object_begin(pd, NULL);
        if (h->has_start)
            detail_uint(pd, "index", h->start + i);
        detail_uint(pd, "value", value);
        detail_end(pd);
        note_value(w, value);
    }
    points_end(d, h->count, shown);
    return true;
}

/* One point: its index or size prefix, then (with data) its value. */
static bool point_read(cursor *c, const struct object_header *h, const struct dnp3_object_kind *k,
                       bool with_data, uint64_t i, struct dnp3_walk *w, struct mamori_detail *d)
{
    bool has_index = prefix_is_index(h->prefix);
    uint32_t index = h->has_start ? (uint32_t)(h->start + i) : (uint32_t)i;
    if (has_index)
        index = (uint32_t)cursor_le_n(c, width_of(h->prefix - DNP3_PREFIX_INDEX_8));
    if (!cursor_ok(c))
        return false;
    if (has_index || h->has_start) {
        detail_uint(d, "index", index);
        if (i == 0)
            note_range(w, index, h->count);
    }
    if (!with_data)
        return true;
    if (k->layout == DNP3_LAYOUT_ATTRIBUTE && !prefix_is_size(h->prefix))
        return dnp3_attribute_decode(c, h->variation, d, &w->identity);
    size_t size = k->size;
    if (prefix_is_size(h->prefix)) {
        size = (size_t)cursor_le_n(c, width_of(h->prefix - DNP3_PREFIX_SIZE_8));
        detail_uint(d, "size", size);
    }
    cursor obj = cursor_sub(c, size);
    return cursor_ok(c) && object_decode(&obj, h, k, w, d);
}

/* Everything after the range field of one header. False stops the walk. */
static bool object_points(cursor *c, const struct object_header *h, struct dnp3_walk *w)
{
    struct mamori_detail *d = w->ev->detail;
    bool has_index = prefix_is_index(h->prefix), has_size = prefix_is_size(h->prefix);
    if (h->prefix > DNP3_PREFIX_SIZE_32 || (h->range == DNP3_RANGE_FREE_FORMAT && !has_size)) {
        w->malformed = true;
        return h->count == 0; /* nothing to size, so the next header is still findable */
    }
    struct dnp3_object_kind k = dnp3_object_kind(h->group, h->variation);
    bool with_data = has_size || (w->mode == DNP3_OBJECTS_DATA && k.layout != DNP3_LAYOUT_NO_DATA);
    if (!with_data && !has_index) {
        if (h->has_start)
            note_range(w, h->start, h->count);
        return true;
    }
    bool size_unknowable = k.layout == DNP3_LAYOUT_UNKNOWN || (k.layout == DNP3_LAYOUT_SIZED && !has_size);
    if (with_data && k.layout == DNP3_LAYOUT_UNKNOWN)
        w->unknown_object = true;
    if (with_data && size_unknowable && !has_size)
        return h->count == 0; /* no objects follow, so the walk can go on */
    if (h->count > w->max_points - w->points) {
        w->too_many_points = true;
        return false;
    }
    w->points += (uint32_t)h->count;
    if (with_data && k.layout == DNP3_LAYOUT_PACKED) {
        if (has_index || !packed_points(c, h, &k, w)) {
            w->malformed = true;
            return false;
        }
        return true;
    }
    detail_array_begin(d, "points");
    bool ok = true;
    uint64_t read = 0, shown = 0;
    bool same_size_points = with_data && !has_index && !has_size &&
                            (k.layout == DNP3_LAYOUT_FIXED || k.layout == DNP3_LAYOUT_OCTETS);
    for (; ok && read < h->count; read++) {
        if (same_size_points && point_detail_spent(w)) {
            ok = points_values_only(c, &k, h->count - read, w);
            read = h->count;
            break;
        }
        struct mamori_detail *pd = point_detail(w);
        shown += pd != NULL;
        detail_object_begin(pd, NULL);
        ok = point_read(c, h, &k, with_data, read, w, pd);
        detail_end(pd);
    }
    points_end(d, read, shown);
    if (!ok)
        w->malformed = true;
    return ok;
}

void dnp3_objects_walk(cursor *c, struct dnp3_walk *w)
{
    struct mamori_detail *d = w->ev->detail;
    while (!cursor_empty(c)) {
        struct object_header h = { 0 };
        h.group = cursor_u8(c);
        h.variation = cursor_u8(c);
        h.qualifier = cursor_u8(c);
        if (!cursor_ok(c)) {
            w->malformed = true;
            return;
        }
        h.prefix = (h.qualifier >> DNP3_QUAL_PREFIX_SHIFT) & DNP3_QUAL_PREFIX_MASK;
        h.range = h.qualifier & DNP3_QUAL_RANGE_MASK;
        if (w->n_objects++ == 0) {
            w->first_group = h.group;
            w->first_variation = h.variation;
            w->first_object_len = object_name(w->first_object, h.group, h.variation);
        }
        if (h.group == GROUP_FILE)
            w->file_objects = true;

        detail_object_begin(d, NULL);
        detail_uint(d, "group", h.group);
        detail_uint(d, "variation", h.variation);
        detail_uint(d, "qualifier", h.qualifier);
        const char *name = h.group == GROUP_SECURE_AUTH ? dnp3_secure_auth_name(h.variation)
                                                        : dnp3_dataset_name(h.group, h.variation);
        if (name)
            detail_cstring(d, "name", name);
        bool ok = range_read(c, &h, d);
        if (!ok)
            w->malformed = true;
        else
            ok = object_points(c, &h, w);
        detail_end(d);
        if (!ok)
            return;
    }
}
