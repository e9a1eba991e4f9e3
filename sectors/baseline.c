/* baseline.c — learning a site's normal from events, and the queries the
 * engine asks in detection mode (baseline.h). The text file is in
 * baseline_file.c. */
#include "baseline_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/event_json.h"

/* Weight of a new interval in the smoothed period. */
#define PERIOD_SMOOTHING 0.125
/* Intervals longer than this are gaps in traffic, not a polling period. */
#define PERIOD_MAX_US (3600ull * 1000000ull)

void baseline_limits_defaults(struct baseline_limits *lim)
{
    lim->max_assets = 16384;
    lim->max_pairs = 16384;
    lim->max_values = 65536;
    lim->max_publishers = 4096;
    lim->max_conversations = 16384;
}

struct baseline *baseline_new(const struct baseline_limits *lim)
{
    struct baseline *bl = calloc(1, sizeof *bl);
    if (!bl)
        return NULL;
    bl->assets = bounded_table_new(lim->max_assets, sizeof(struct bl_asset_key), sizeof(struct bl_asset), NULL, NULL);
    bl->pairs = bounded_table_new(lim->max_pairs, sizeof(struct bl_pair_key), sizeof(struct bl_pair), NULL, NULL);
    bl->values = bounded_table_new(lim->max_values, sizeof(struct bl_value_key), sizeof(struct bl_value), NULL, NULL);
    bl->publishers = bounded_table_new(lim->max_publishers, sizeof(struct bl_publisher_key),
                                       sizeof(struct bl_publisher), NULL, NULL);
    bl->conversations = bounded_table_new(lim->max_conversations, sizeof(struct bl_conversation_key),
                                          sizeof(struct bl_conversation), NULL, NULL);
    if (!bl->assets || !bl->pairs || !bl->values || !bl->publishers || !bl->conversations) {
        baseline_free(bl);
        return NULL;
    }
    return bl;
}

void baseline_free(struct baseline *bl)
{
    if (!bl)
        return;
    bounded_table_free(bl->assets);
    bounded_table_free(bl->pairs);
    bounded_table_free(bl->values);
    bounded_table_free(bl->publishers);
    bounded_table_free(bl->conversations);
    free(bl);
}

void bl_protocol_copy(char out[BL_PROTOCOL_MAX], const char *protocol)
{
    memset(out, 0, BL_PROTOCOL_MAX);
    if (protocol)
        strncpy(out, protocol, BL_PROTOCOL_MAX - 1);
}

bool bl_text_copy(char *out, size_t outlen, const struct mamori_text *t)
{
    memset(out, 0, outlen);
    if (t->len >= outlen)
        return false;
    memcpy(out, t->ptr, t->len);
    return true;
}

void bl_endpoint_from(struct bl_endpoint *ep, const struct mamori_endpoints *where, bool source)
{
    memset(ep, 0, sizeof *ep);
    if (where->ip_version == 4 || where->ip_version == 6) {
        ep->version = where->ip_version;
        memcpy(ep->addr, source ? where->src_ip : where->dst_ip, where->ip_version == 4 ? 4 : 16);
    } else {
        memcpy(ep->addr, source ? where->src_mac : where->dst_mac, 6);
    }
}

void bl_asset_add_protocol(struct bl_asset *a, const char *protocol)
{
    for (int i = 0; i < BL_ASSET_PROTOCOLS; i++) {
        if (strncmp(a->protocols[i], protocol, BL_PROTOCOL_MAX - 1) == 0)
            return;
        if (!a->protocols[i][0]) {
            bl_protocol_copy(a->protocols[i], protocol);
            return;
        }
    }
}

static void learn_asset(struct baseline *bl, const struct bl_endpoint *ep, const char *protocol, uint32_t role,
                        uint64_t time_us)
{
    struct bl_asset_key key = { *ep };
    bool created;
    struct bl_asset *a = bounded_table_put(bl->assets, &key, &created);
    if (created)
        a->first_us = time_us;
    if (time_us > a->last_us)
        a->last_us = time_us;
    a->roles |= role;
    bl_asset_add_protocol(a, protocol);
}

void bl_pair_add_unit(struct bl_pair *p, uint32_t unit)
{
    if (bl_pair_has_unit(p, unit))
        return;
    if (p->n_units < BL_MAX_UNITS)
        p->units[p->n_units++] = unit;
    else
        p->units_overflow = true;
}

/* Adding [start, end) for a function merges it with overlapping or adjacent
 * ranges; when the list is full, the nearest range of that function widens. */
static bool ranges_touch(const struct bl_range *r, uint32_t function_code, uint32_t start, uint32_t end)
{
    return r->function == function_code && start <= r->end && end >= r->start;
}

static void range_widen(struct bl_range *r, uint32_t start, uint32_t end)
{
    r->start = start < r->start ? start : r->start;
    r->end = end > r->end ? end : r->end;
}

void bl_pair_add_range(struct bl_pair *p, uint32_t function_code, uint32_t start, uint32_t end)
{
    int at = -1;
    for (int i = 0; i < p->n_ranges && at < 0; i++)
        if (ranges_touch(&p->ranges[i], function_code, start, end))
            at = i;
    if (at < 0 && p->n_ranges < BL_MAX_RANGES) {
        p->ranges[p->n_ranges++] = (struct bl_range){ function_code, start, end };
        return;
    }
    if (at < 0) { /* full: widen the nearest range of this function, else reuse the last slot */
        uint64_t best = UINT64_MAX;
        for (int i = 0; i < p->n_ranges; i++) {
            const struct bl_range *r = &p->ranges[i];
            uint64_t gap = start >= r->end ? start - r->end : r->start - end;
            if (r->function == function_code && gap < best) {
                best = gap;
                at = i;
            }
        }
        if (at < 0) {
            at = p->n_ranges - 1;
            p->ranges[at] = (struct bl_range){ function_code, start, end };
        }
    }
    range_widen(&p->ranges[at], start, end);
    /* The widened range may now touch others of its function: fold them in. */
    for (int j = 0; j < p->n_ranges; j++) {
        struct bl_range *r = &p->ranges[at];
        if (j == at || !ranges_touch(&p->ranges[j], function_code, r->start, r->end))
            continue;
        range_widen(r, p->ranges[j].start, p->ranges[j].end);
        p->ranges[j] = p->ranges[--p->n_ranges];
        if (at == p->n_ranges)
            at = j;
        j = -1;
    }
}

void bl_pair_add_object(struct bl_pair *p, const char *object, size_t len)
{
    struct mamori_text t = { object, len };
    if (len == 0 || bl_pair_has_object(p, &t))
        return;
    if (p->n_objects < BL_MAX_OBJECTS && len < BL_OBJECT_MAX) {
        memcpy(p->objects[p->n_objects], object, len);
        p->objects[p->n_objects][len] = '\0';
        p->n_objects++;
    } else {
        p->objects_overflow = true;
    }
}

void bl_value_add(struct bl_value *v, double min, double max, uint64_t samples)
{
    if (v->samples == 0 || min < v->min)
        v->min = min;
    if (v->samples == 0 || max > v->max)
        v->max = max;
    v->samples += samples;
}

static void learn_request(struct baseline *bl, const struct mamori_event *ev, const struct bl_endpoint *client,
                          const struct bl_endpoint *server)
{
    struct bl_pair_key key;
    memset(&key, 0, sizeof key);
    bl_protocol_copy(key.protocol, ev->protocol);
    key.client = *client;
    key.server = *server;
    bool created;
    struct bl_pair *p = bounded_table_put(bl->pairs, &key, &created);
    if (created)
        p->first_us = ev->time_us;
    if (ev->time_us > p->last_us)
        p->last_us = ev->time_us;
    if (p->requests && ev->time_us > p->last_request_us) {
        uint64_t interval = ev->time_us - p->last_request_us;
        if (interval < PERIOD_MAX_US)
            p->period_us = p->period_us == 0 ? (double)interval
                                             : p->period_us + PERIOD_SMOOTHING * ((double)interval - p->period_us);
    }
    p->last_request_us = ev->time_us;
    p->requests++;
    p->ops |= 1u << ev->op;
    if (ev->has_function && ev->function_code < 256)
        p->functions[ev->function_code / 64] |= 1ull << (ev->function_code % 64);
    if (ev->has_unit)
        bl_pair_add_unit(p, ev->unit);
    if (ev->has_range && ev->range_count > 0)
        bl_pair_add_range(p, ev->has_function ? ev->function_code : 0, ev->range_start,
                          ev->range_start + ev->range_count);
    if (ev->object.len)
        bl_pair_add_object(p, ev->object.ptr, ev->object.len);
}

/* Values in a write request or in a response/report: value i is at address
 * range_start + i. */
static void learn_values(struct baseline *bl, const struct mamori_event *ev, const struct bl_endpoint *server)
{
    if (!ev->n_values || !ev->has_range)
        return;
    struct bl_value_key key;
    memset(&key, 0, sizeof key);
    bl_protocol_copy(key.protocol, ev->protocol);
    key.server = *server;
    key.unit = ev->has_unit ? ev->unit : 0;
    for (uint32_t i = 0; i < ev->n_values; i++) {
        if (!isfinite(ev->values[i]))
            continue;
        key.address = ev->range_start + i;
        struct bl_value *v = bounded_table_put(bl->values, &key, NULL);
        bl_value_add(v, ev->values[i], ev->values[i], 1);
    }
}

static void learn_publish(struct baseline *bl, const struct mamori_event *ev, const struct bl_endpoint *src)
{
    struct bl_publisher_key key;
    memset(&key, 0, sizeof key);
    bl_protocol_copy(key.protocol, ev->protocol);
    key.src = *src;
    bl_text_copy(key.object, sizeof key.object, &ev->object);
    bool created;
    struct bl_publisher *p = bounded_table_put(bl->publishers, &key, &created);
    if (created) {
        p->first_us = ev->time_us;
    } else if (ev->time_us > p->last_us) {
        double interval = (double)(ev->time_us - p->last_us);
        p->interval_us = p->interval_us == 0 ? interval : p->interval_us + PERIOD_SMOOTHING * (interval - p->interval_us);
    }
    if (ev->time_us > p->last_us)
        p->last_us = ev->time_us;
    p->count++;
}

void baseline_learn_event(struct baseline *bl, const struct mamori_event *ev)
{
    if (ev->kind != MAMORI_EVENT_OPERATION || !ev->protocol)
        return;
    struct bl_endpoint src, dst;
    bl_endpoint_from(&src, &ev->where, true);
    bl_endpoint_from(&dst, &ev->where, false);
    switch (ev->role) {
    case MAMORI_ROLE_REQUEST:
        learn_asset(bl, &src, ev->protocol, BL_ROLE_CLIENT, ev->time_us);
        learn_asset(bl, &dst, ev->protocol, BL_ROLE_SERVER, ev->time_us);
        learn_request(bl, ev, &src, &dst);
        if (ev->op == MAMORI_OP_WRITE || ev->op == MAMORI_OP_OPERATE)
            learn_values(bl, ev, &dst);
        break;
    case MAMORI_ROLE_RESPONSE:
    case MAMORI_ROLE_UNSOLICITED:
        learn_asset(bl, &src, ev->protocol, BL_ROLE_SERVER, ev->time_us);
        learn_values(bl, ev, &src);
        break;
    case MAMORI_ROLE_PUBLISH:
        learn_asset(bl, &src, ev->protocol, BL_ROLE_PUBLISHER, ev->time_us);
        learn_publish(bl, ev, &src);
        break;
    default:
        return;
    }
    bl->events_learned++;
}

void baseline_learn_flow(struct baseline *bl, const struct flow_record *rec)
{
    if (rec->where.ip_version != 4 && rec->where.ip_version != 6)
        return;
    struct bl_conversation_key key;
    memset(&key, 0, sizeof key);
    bl_endpoint_from(&key.client, &rec->where, true);
    bl_endpoint_from(&key.server, &rec->where, false);
    bool created;
    struct bl_conversation *c = bounded_table_put(bl->conversations, &key, &created);
    if (created || rec->first_us < c->first_us)
        c->first_us = rec->first_us;
    if (rec->last_us > c->last_us)
        c->last_us = rec->last_us;
    c->flows++;
    snprintf(c->app, sizeof c->app, "%s", rec->app_protocol ? rec->app_protocol : "Unknown");
}

const struct bl_conversation *baseline_conversation(const struct baseline *bl, const struct bl_endpoint *a,
                                                    const struct bl_endpoint *b)
{
    struct bl_conversation_key key;
    memset(&key, 0, sizeof key);
    key.client = *a;
    key.server = *b;
    const struct bl_conversation *c = bounded_table_peek(bl->conversations, &key);
    if (c)
        return c;
    key.client = *b;
    key.server = *a;
    return bounded_table_peek(bl->conversations, &key);
}

const struct bl_asset *baseline_asset(const struct baseline *bl, const struct bl_endpoint *ep)
{
    struct bl_asset_key key = { *ep };
    return bounded_table_peek(bl->assets, &key);
}

const struct bl_pair *baseline_pair(const struct baseline *bl, const char *protocol,
                                    const struct bl_endpoint *client, const struct bl_endpoint *server)
{
    struct bl_pair_key key;
    memset(&key, 0, sizeof key);
    bl_protocol_copy(key.protocol, protocol);
    key.client = *client;
    key.server = *server;
    return bounded_table_peek(bl->pairs, &key);
}

bool bl_pair_has_function(const struct bl_pair *p, uint32_t function_code)
{
    return function_code < 256 && (p->functions[function_code / 64] >> (function_code % 64)) & 1;
}

bool bl_pair_has_unit(const struct bl_pair *p, uint32_t unit)
{
    if (p->units_overflow)
        return true;
    for (int i = 0; i < p->n_units; i++)
        if (p->units[i] == unit)
            return true;
    return false;
}

bool bl_pair_covers_range(const struct bl_pair *p, uint32_t function_code, uint32_t start, uint32_t count)
{
    uint64_t end = (uint64_t)start + count;
    for (int i = 0; i < p->n_ranges; i++)
        if (p->ranges[i].function == function_code && start >= p->ranges[i].start && end <= p->ranges[i].end)
            return true;
    return false;
}

bool bl_pair_has_object(const struct bl_pair *p, const struct mamori_text *object)
{
    if (p->objects_overflow)
        return true;
    for (int i = 0; i < p->n_objects; i++)
        if (strlen(p->objects[i]) == object->len && memcmp(p->objects[i], object->ptr, object->len) == 0)
            return true;
    return false;
}

const struct bl_value *baseline_value(const struct baseline *bl, const char *protocol,
                                      const struct bl_endpoint *server, uint32_t unit, uint32_t address)
{
    struct bl_value_key key;
    memset(&key, 0, sizeof key);
    bl_protocol_copy(key.protocol, protocol);
    key.server = *server;
    key.unit = unit;
    key.address = address;
    return bounded_table_peek(bl->values, &key);
}

const struct bl_publisher *baseline_publisher(const struct baseline *bl, const char *protocol,
                                              const struct bl_endpoint *src, const struct mamori_text *object)
{
    struct bl_publisher_key key;
    memset(&key, 0, sizeof key);
    bl_protocol_copy(key.protocol, protocol);
    key.src = *src;
    if (!bl_text_copy(key.object, sizeof key.object, object))
        return NULL;
    return bounded_table_peek(bl->publishers, &key);
}

void baseline_get_stats(const struct baseline *bl, struct baseline_stats *st)
{
    memset(st, 0, sizeof *st);
    st->events_learned = bl->events_learned;
    st->evicted_assets = bounded_table_evictions(bl->assets);
    st->evicted_pairs = bounded_table_evictions(bl->pairs);
    st->evicted_values = bounded_table_evictions(bl->values);
    st->evicted_publishers = bounded_table_evictions(bl->publishers);
    st->evicted_conversations = bounded_table_evictions(bl->conversations);
    st->conversations = bounded_table_count(bl->conversations);
    st->assets = bounded_table_count(bl->assets);
    st->pairs = bounded_table_count(bl->pairs);
    st->values = bounded_table_count(bl->values);
    st->publishers = bounded_table_count(bl->publishers);
    st->memory_bytes = sizeof *bl + bounded_table_memory(bl->assets) + bounded_table_memory(bl->pairs) +
                       bounded_table_memory(bl->values) + bounded_table_memory(bl->publishers) +
                       bounded_table_memory(bl->conversations);
}

void bl_endpoint_format(const struct bl_endpoint *ep, char *out, size_t outlen)
{
    if (ep->version == 4 || ep->version == 6)
        format_ip(ep->version, ep->addr, out, outlen);
    else
        format_mac(ep->addr, out, outlen);
}
