/* alert_decode.c — msgpack → alert, validating every member (alert_codec.h).
 *
 * The message must be one map holding exactly the 17 members of schema v1,
 * each once, each of its type and within its size; text must be printable
 * UTF-8; sector and category lowercase-dashed; the id a canonical UUID. The
 * evidence map is rebuilt as a detail token stream and must fit it. Anything
 * else is refused with a reason naming the member. Nothing is allocated. */
#include "alert_codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alert_text.h"
#include "msgpack_reader.h"

#define MSGPACK_TIMESTAMP_EXT (-1)
#define TIMESTAMP_MAX_SECONDS 253402300799LL /* 9999-12-31T23:59:59Z */
#define NANOS_PER_SECOND 1000000000u
#define DETAIL_KEY_MAX 255
#define DETAIL_COUNT_MAX 65535u
#define UNKNOWN_NAME_SHOWN 32

enum field_kind { FIELD_TEXT, FIELD_SLUG, FIELD_ID, FIELD_TECHNIQUE, FIELD_SEVERITY, FIELD_SCHEMA,
                  FIELD_TIME, FIELD_COUNT, FIELD_EVIDENCE };

struct field {
    const char *name;
    enum field_kind kind;
    size_t offset, size; /* of the char array in struct mamori_alert, for text kinds */
    bool may_be_empty;
};

#define TEXT(member, kind, empty) \
    { #member, kind, offsetof(struct mamori_alert, member), sizeof(((struct mamori_alert *)0)->member), empty }

static const struct field fields[] = {
    { "schema", FIELD_SCHEMA, 0, 0, false },
    TEXT(id, FIELD_ID, false),
    { "time", FIELD_TIME, 0, 0, false },
    TEXT(sensor, FIELD_TEXT, true), /* the hub fills it from the key's name */
    TEXT(site, FIELD_TEXT, true),
    TEXT(sector, FIELD_SLUG, false),
    { "severity", FIELD_SEVERITY, 0, 0, false },
    TEXT(category, FIELD_SLUG, false),
    TEXT(technique, FIELD_TECHNIQUE, true),
    TEXT(technique_name, FIELD_TEXT, true),
    TEXT(protocol, FIELD_TEXT, true),
    TEXT(src, FIELD_TEXT, true),
    TEXT(dst, FIELD_TEXT, true),
    TEXT(summary, FIELD_TEXT, false),
    TEXT(flow_key, FIELD_TEXT, true),
    { "count", FIELD_COUNT, 0, 0, false },
    { "evidence", FIELD_EVIDENCE, 0, 0, false },
};
#define FIELD_COUNT_TOTAL (sizeof fields / sizeof fields[0])

struct decoder {
    cursor c;
    struct mamori_alert *a;
    char *why;
    size_t whylen;
};

static bool fail(struct decoder *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct decoder *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (d->whylen)
        vsnprintf(d->why, d->whylen, fmt, ap);
    va_end(ap);
    return false;
}

static bool read_text(struct decoder *d, const struct field *f, const struct mp_item *it)
{
    char *dst = (char *)d->a + f->offset;
    if (it->type != MP_STR)
        return fail(d, "field '%s': expected a string", f->name);
    if (it->len >= f->size)
        return fail(d, "field '%s': %u bytes exceeds %zu", f->name, it->len, f->size - 1);
    if (it->len == 0 && !f->may_be_empty)
        return fail(d, "field '%s': empty", f->name);
    bool ok = true;
    switch (f->kind) {
    case FIELD_SLUG: ok = alert_text_slug(it->ptr, it->len); break;
    case FIELD_TECHNIQUE: ok = it->len == 0 || alert_text_technique(it->ptr, it->len); break;
    default: ok = alert_text_printable(it->ptr, it->len); break;
    }
    if (!ok)
        return fail(d, "field '%s': %s", f->name,
                    f->kind == FIELD_SLUG ? "not lowercase-dashed"
                    : f->kind == FIELD_TECHNIQUE ? "not an ATT&CK id like T0855"
                    : "not printable UTF-8");
    memcpy(dst, it->ptr, it->len);
    dst[it->len] = '\0';
    if (f->kind == FIELD_ID && !alert_id_valid(dst))
        return fail(d, "field 'id': not a lowercase UUID");
    return true;
}

static bool read_time(struct decoder *d, const struct mp_item *it)
{
    cursor c = cursor_make(it->ptr, it->len);
    int64_t sec;
    uint32_t nsec;
    if (it->type != MP_EXT || it->ext_type != MSGPACK_TIMESTAMP_EXT)
        return fail(d, "field 'time': expected a msgpack timestamp");
    if (it->len == 4) {
        nsec = 0;
        sec = cursor_be32(&c);
    } else if (it->len == 8) {
        uint64_t v = (uint64_t)cursor_be32(&c) << 32;
        v |= cursor_be32(&c);
        nsec = (uint32_t)(v >> 34);
        sec = (int64_t)(v & 0x3ffffffffULL);
    } else if (it->len == 12) {
        nsec = cursor_be32(&c);
        uint64_t hi = cursor_be32(&c);
        sec = (int64_t)(hi << 32 | cursor_be32(&c));
    } else {
        return fail(d, "field 'time': timestamp of %u bytes", it->len);
    }
    if (sec < 0 || sec > TIMESTAMP_MAX_SECONDS || nsec >= NANOS_PER_SECOND)
        return fail(d, "field 'time': out of range");
    d->a->time_us = (uint64_t)sec * 1000000u + nsec / 1000u;
    return true;
}

static bool read_evidence_value(struct decoder *d, const char *key, int depth);

static bool read_detail_key(struct decoder *d, char key[DETAIL_KEY_MAX + 1])
{
    struct mp_item it;
    if (!mp_read(&d->c, &it) || it.type != MP_STR)
        return fail(d, "field 'evidence': member name is not a string");
    if (it.len > DETAIL_KEY_MAX || memchr(it.ptr, '\0', it.len) || !alert_text_printable(it.ptr, it.len))
        return fail(d, "field 'evidence': bad member name");
    memcpy(key, it.ptr, it.len);
    key[it.len] = '\0';
    return true;
}

static bool read_container(struct decoder *d, const struct mp_item *it, const char *key, int depth)
{
    struct mamori_detail *ev = &d->a->evidence;
    if (depth >= MAMORI_DETAIL_DEPTH)
        return fail(d, "field 'evidence': nested deeper than %d", MAMORI_DETAIL_DEPTH);
    if (it->len > DETAIL_COUNT_MAX)
        return fail(d, "field 'evidence': container of %u elements", it->len);
    bool is_map = it->type == MP_MAP;
    if (is_map)
        detail_object_begin(ev, key);
    else
        detail_array_begin(ev, key);
    for (uint32_t i = 0; i < it->len; i++) {
        char child_key[DETAIL_KEY_MAX + 1];
        if (is_map && !read_detail_key(d, child_key))
            return false;
        if (!read_evidence_value(d, is_map ? child_key : NULL, depth + 1))
            return false;
    }
    detail_end(ev);
    return true;
}

static bool read_evidence_value(struct decoder *d, const char *key, int depth)
{
    struct mamori_detail *ev = &d->a->evidence;
    struct mp_item it;
    if (!mp_read(&d->c, &it))
        return fail(d, "field 'evidence': truncated or invalid msgpack");
    switch (it.type) {
    case MP_NIL: detail_null(ev, key); break;
    case MP_BOOL: detail_bool(ev, key, it.b); break;
    case MP_UINT: detail_uint(ev, key, it.u); break;
    case MP_INT: detail_int(ev, key, it.i); break;
    case MP_FLOAT: detail_float(ev, key, it.f); break;
    case MP_STR: detail_string(ev, key, it.ptr, it.len); break;
    case MP_BIN: detail_bytes(ev, key, it.ptr, it.len); break;
    case MP_ARRAY:
    case MP_MAP: return read_container(d, &it, key, depth);
    case MP_EXT:
    case MP_INVALID: return fail(d, "field 'evidence': unsupported msgpack type");
    }
    return true;
}

/* The evidence map is the detail's implicit top-level object; a top-level
 * "truncated": true member marks the detail truncated instead. */
static bool read_evidence(struct decoder *d, const struct mp_item *it)
{
    struct mamori_detail *ev = &d->a->evidence;
    bool marked_truncated = false;
    if (it->type != MP_MAP)
        return fail(d, "field 'evidence': expected a map");
    detail_reset(ev);
    for (uint32_t i = 0; i < it->len; i++) {
        char key[DETAIL_KEY_MAX + 1];
        if (!read_detail_key(d, key))
            return false;
        if (strcmp(key, "truncated") == 0) {
            struct mp_item flag;
            if (!mp_read(&d->c, &flag) || flag.type != MP_BOOL)
                return fail(d, "field 'evidence': 'truncated' is not a boolean");
            marked_truncated = marked_truncated || flag.b;
            continue;
        }
        if (!read_evidence_value(d, key, 0))
            return false;
        if (ev->truncated)
            return fail(d, "field 'evidence': exceeds %d bytes", MAMORI_DETAIL_MAX);
    }
    ev->truncated = marked_truncated;
    return true;
}

static bool read_field(struct decoder *d, const struct field *f, const struct mp_item *it)
{
    switch (f->kind) {
    case FIELD_SCHEMA:
        if (it->type != MP_UINT || it->u != MAMORI_ALERT_SCHEMA)
            return fail(d, "field 'schema': not %d", MAMORI_ALERT_SCHEMA);
        return true;
    case FIELD_TIME:
        return read_time(d, it);
    case FIELD_SEVERITY: {
        char name[16];
        if (it->type != MP_STR || it->len >= sizeof name)
            return fail(d, "field 'severity': expected a severity name");
        memcpy(name, it->ptr, it->len);
        name[it->len] = '\0';
        int s = memchr(it->ptr, '\0', it->len) ? -1 : mamori_severity_parse(name);
        if (s < 0)
            return fail(d, "field 'severity': unknown severity");
        d->a->severity = (enum mamori_severity)s;
        return true;
    }
    case FIELD_COUNT:
        if (it->type != MP_UINT || it->u > UINT32_MAX)
            return fail(d, "field 'count': expected an unsigned 32-bit integer");
        d->a->count = (uint32_t)it->u;
        return true;
    case FIELD_EVIDENCE:
        return read_evidence(d, it);
    default:
        return read_text(d, f, it);
    }
}

static const struct field *find_field(const struct mp_item *key, size_t *index)
{
    for (size_t i = 0; i < FIELD_COUNT_TOTAL; i++)
        if (strlen(fields[i].name) == key->len && memcmp(fields[i].name, key->ptr, key->len) == 0) {
            *index = i;
            return &fields[i];
        }
    return NULL;
}

bool alert_from_msgpack(const void *data, size_t len, struct mamori_alert *a, char *why, size_t whylen)
{
    struct decoder d = { cursor_make(data, len), a, why, whylen };
    struct mp_item top;
    uint32_t seen = 0;
    if (whylen)
        why[0] = '\0';
    memset(a, 0, offsetof(struct mamori_alert, evidence));
    detail_reset(&a->evidence);
    if (len > ALERT_MSGPACK_MAX)
        return fail(&d, "message of %zu bytes exceeds %d", len, ALERT_MSGPACK_MAX);
    if (!mp_read(&d.c, &top) || top.type != MP_MAP)
        return fail(&d, "not a msgpack map");
    if (top.len != FIELD_COUNT_TOTAL)
        return fail(&d, "map has %u members, schema v%d has %zu", top.len, MAMORI_ALERT_SCHEMA,
                    FIELD_COUNT_TOTAL);
    for (uint32_t n = 0; n < top.len; n++) {
        struct mp_item key, value;
        size_t index;
        if (!mp_read(&d.c, &key) || key.type != MP_STR)
            return fail(&d, "member name is not a string");
        const struct field *f = find_field(&key, &index);
        if (!f && key.len <= UNKNOWN_NAME_SHOWN && alert_text_printable(key.ptr, key.len))
            return fail(&d, "unknown member '%.*s'", (int)key.len, (const char *)key.ptr);
        if (!f)
            return fail(&d, "unknown member");
        if (seen & (1u << index))
            return fail(&d, "field '%s': given twice", f->name);
        seen |= 1u << index;
        if (!mp_read(&d.c, &value))
            return fail(&d, "field '%s': truncated or invalid msgpack", f->name);
        if (!read_field(&d, f, &value))
            return false;
    }
    if (!cursor_ok(&d.c))
        return fail(&d, "truncated msgpack");
    if (!cursor_empty(&d.c))
        return fail(&d, "%zu bytes after the alert map", cursor_left(&d.c));
    return true;
}
