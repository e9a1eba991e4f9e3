/* engine_alert.c — building, rate-limiting and sending the engine's alerts:
 * the fixed fields from the profile and the finding table, the evidence
 * events, per-device suppression from the site file and the suppression
 * windows per source and finding. */
#include "engine_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alert_codec.h"
#include "sensor/event_json.h"

#define IP_TEXT_MAX 46

void endpoint_text(const struct mamori_endpoints *where, bool source, char *out, size_t outlen)
{
    if (where->ip_version == 4 || where->ip_version == 6)
        format_ip(where->ip_version, source ? where->src_ip : where->dst_ip, out, outlen);
    else
        format_mac(source ? where->src_mac : where->dst_mac, out, outlen);
}

bool detail_find_number(const struct mamori_detail *d, const char *key, double *out)
{
    if (!d)
        return false;
    struct detail_reader r;
    struct detail_token t;
    size_t klen = strlen(key);
    detail_reader_init(&r, d);
    while (detail_next(&r, &t)) {
        if (!t.key || t.key_len != klen || memcmp(t.key, key, klen) != 0)
            continue;
        if (t.type == DETAIL_UINT) {
            *out = (double)t.v.u;
            return true;
        }
        if (t.type == DETAIL_INT) {
            *out = (double)t.v.i;
            return true;
        }
        if (t.type == DETAIL_FLOAT) {
            *out = t.v.f;
            return true;
        }
    }
    return false;
}

void flow_key_text(const struct mamori_endpoints *where, const struct mamori_detail *detail, char *out,
                   size_t outlen)
{
    char a[IP_TEXT_MAX], b[IP_TEXT_MAX];
    endpoint_text(where, true, a, sizeof a);
    endpoint_text(where, false, b, sizeof b);
    double appid;
    if (where->ip_version == 0 && detail_find_number(detail, "appid", &appid))
        snprintf(out, outlen, "ether %s/0x%04x", a, (unsigned)appid);
    else if (where->ip_version == 0)
        snprintf(out, outlen, "ether %s-%s", a, b);
    else if (where->l4_proto)
        snprintf(out, outlen, "%s %s:%u-%s:%u", where->l4_proto == 6 ? "tcp" : where->l4_proto == 17 ? "udp" : "ip",
                 a, where->src_port, b, where->dst_port);
    else
        snprintf(out, outlen, "ip %s-%s", a, b);
}

bool engine_finding_suppressed_for(const struct engine *e, enum finding f, const struct mamori_endpoints *where)
{
    if (where->ip_version != 4 && where->ip_version != 6)
        return false;
    const struct profile_device *src = profile_device_of(e->profile, where->ip_version, where->src_ip);
    const struct profile_device *dst = profile_device_of(e->profile, where->ip_version, where->dst_ip);
    return (src && (src->suppress >> f & 1)) || (dst && (dst->suppress >> f & 1));
}

/* True when an alert may go out now; counts it as suppressed otherwise. The
 * kind is the finding and the protocol it was seen in.
 * *suppressed_before gets how many were withheld since the last one. */
static bool rate_allows(struct engine *e, enum finding f, const char *protocol, const struct mamori_endpoints *where,
                        uint64_t time_us, uint64_t *suppressed_before)
{
    struct limiter_key key;
    memset(&key, 0, sizeof key);
    key.finding = (uint8_t)f;
    bl_protocol_copy(key.protocol, protocol);
    bl_endpoint_from(&key.src, where, true);
    uint64_t before = bounded_table_evictions(e->limiters);
    bool created;
    struct limiter *l = bounded_table_put(e->limiters, &key, &created);
    e->stats.evicted_limiters += bounded_table_evictions(e->limiters) - before;
    uint64_t window_us = (uint64_t)e->profile->suppression_s[f] * US_PER_S;
    if (!created && window_us && time_us < l->last_alert_us + window_us) {
        l->suppressed++;
        e->stats.suppressed++;
        return false;
    }
    *suppressed_before = created ? 0 : l->suppressed;
    l->last_alert_us = time_us;
    l->suppressed = 0;
    return true;
}

bool alert_begin(struct engine *e, enum finding f, uint64_t time_us, const char *protocol,
                 const struct mamori_endpoints *where, const struct mamori_detail *detail)
{
    if (engine_finding_suppressed_for(e, f, where)) {
        e->stats.device_suppressed++;
        return false;
    }
    uint64_t suppressed_before;
    if (!rate_allows(e, f, protocol, where, time_us, &suppressed_before))
        return false;
    struct mamori_alert *a = &e->alert;
    const struct finding_info *info = finding_info(f);
    alert_new_id(a->id);
    a->time_us = time_us;
    snprintf(a->sensor, sizeof a->sensor, "%s", e->sensor);
    snprintf(a->site, sizeof a->site, "%s", e->profile->site);
    snprintf(a->sector, sizeof a->sector, "%s", e->profile->sector);
    a->severity = e->profile->severity[f];
    snprintf(a->category, sizeof a->category, "%s", info->name);
    alert_technique(e, f);
    snprintf(a->protocol, sizeof a->protocol, "%s", protocol ? protocol : "");
    endpoint_text(where, true, a->src, sizeof a->src);
    endpoint_text(where, false, a->dst, sizeof a->dst);
    flow_key_text(where, detail, a->flow_key, sizeof a->flow_key);
    a->summary[0] = '\0';
    a->count = 1;
    detail_reset(&a->evidence);
    if (suppressed_before)
        detail_uint(&a->evidence, "suppressed_before", suppressed_before);
    return true;
}

void alert_technique(struct engine *e, enum finding f)
{
    const struct finding_info *info = finding_info(f);
    snprintf(e->alert.technique, sizeof e->alert.technique, "%s", info->technique);
    snprintf(e->alert.technique_name, sizeof e->alert.technique_name, "%s", info->technique_name);
}

void alert_summary(struct engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->alert.summary, sizeof e->alert.summary, fmt, ap);
    va_end(ap);
}

void evidence_events_begin(struct engine *e)
{
    detail_array_begin(&e->alert.evidence, "events");
}

void evidence_events_end(struct engine *e)
{
    detail_end(&e->alert.evidence);
}

/* Renders an event's members as the event log does (docs/records.md). */
static void render_event(struct mamori_detail *d, const struct mamori_event *ev)
{
    char text[IP_TEXT_MAX];
    detail_float(d, "ts", (double)ev->time_us / (double)US_PER_S);
    detail_uint(d, "flow_id", ev->where.flow_id);
    if (ev->where.ip_version == 4 || ev->where.ip_version == 6) {
        endpoint_text(&ev->where, true, text, sizeof text);
        detail_cstring(d, "src", text);
        if (ev->where.l4_proto)
            detail_uint(d, "sport", ev->where.src_port);
        endpoint_text(&ev->where, false, text, sizeof text);
        detail_cstring(d, "dst", text);
        if (ev->where.l4_proto)
            detail_uint(d, "dport", ev->where.dst_port);
    } else {
        format_mac(ev->where.src_mac, text, sizeof text);
        detail_cstring(d, "src_mac", text);
        format_mac(ev->where.dst_mac, text, sizeof text);
        detail_cstring(d, "dst_mac", text);
    }
    detail_cstring(d, "protocol", ev->protocol ? ev->protocol : "");
    detail_cstring(d, "kind", mamori_kind_name(ev->kind));
    if (ev->anomaly)
        detail_cstring(d, "anomaly", ev->anomaly);
    if (ev->role != MAMORI_ROLE_NONE)
        detail_cstring(d, "role", mamori_role_name(ev->role));
    if (ev->op != MAMORI_OP_NONE)
        detail_cstring(d, "op", mamori_op_name(ev->op));
    if (ev->has_unit)
        detail_uint(d, "unit", ev->unit);
    if (ev->has_function) {
        detail_uint(d, "function_code", ev->function_code);
        if (ev->function_name)
            detail_cstring(d, "function", ev->function_name);
    }
    if (ev->has_range) {
        detail_uint(d, "range_start", ev->range_start);
        detail_uint(d, "range_count", ev->range_count);
    }
    if (ev->object.len)
        detail_string(d, "object", ev->object.ptr, ev->object.len);
    if (ev->has_status)
        detail_int(d, "status", ev->status);
    if (ev->n_values) {
        detail_array_begin(d, "values");
        for (uint32_t i = 0; i < ev->n_values; i++)
            detail_float(d, NULL, ev->values[i]);
        detail_end(d);
    }
    if (ev->detail && ev->detail->len && ev->protocol)
        detail_append(d, ev->protocol, ev->detail);
}

void evidence_event(struct engine *e, const struct mamori_event *ev)
{
    detail_reset(&e->scratch);
    render_event(&e->scratch, ev);
    detail_append(&e->alert.evidence, NULL, &e->scratch);
}

void snapshot_take(struct event_snapshot *s, const struct mamori_event *ev)
{
    memset(s, 0, sizeof *s);
    s->time_us = ev->time_us;
    s->where = ev->where;
    s->kind = (uint8_t)ev->kind;
    s->role = (uint8_t)ev->role;
    s->op = (uint8_t)ev->op;
    s->has_unit = ev->has_unit;
    s->unit = ev->unit;
    s->has_function = ev->has_function;
    s->function_code = ev->function_code;
    s->has_range = ev->has_range;
    s->range_start = ev->range_start;
    s->range_count = ev->range_count;
    snprintf(s->protocol, sizeof s->protocol, "%s", ev->protocol ? ev->protocol : "");
    snprintf(s->function, sizeof s->function, "%s", ev->function_name ? ev->function_name : "");
    size_t n = ev->object.len < sizeof s->object - 1 ? ev->object.len : sizeof s->object - 1;
    if (n)
        memcpy(s->object, ev->object.ptr, n);
    snprintf(s->anomaly, sizeof s->anomaly, "%s", ev->anomaly ? ev->anomaly : "");
}

void evidence_snapshot(struct engine *e, const struct event_snapshot *s)
{
    struct mamori_event ev;
    memset(&ev, 0, sizeof ev);
    ev.time_us = s->time_us;
    ev.where = s->where;
    ev.protocol = s->protocol;
    ev.kind = (enum mamori_event_kind)s->kind;
    ev.role = (enum mamori_role)s->role;
    ev.op = (enum mamori_op)s->op;
    ev.anomaly = s->anomaly[0] ? s->anomaly : NULL;
    ev.has_unit = s->has_unit;
    ev.unit = s->unit;
    ev.has_function = s->has_function;
    ev.function_code = s->function_code;
    ev.function_name = s->function[0] ? s->function : NULL;
    ev.has_range = s->has_range;
    ev.range_start = s->range_start;
    ev.range_count = s->range_count;
    ev.object.ptr = s->object;
    ev.object.len = strlen(s->object);
    ev.latency_us = -1;
    evidence_event(e, &ev);
}

void alert_send(struct engine *e)
{
    struct mamori_alert *a = &e->alert;
    e->stats.alerts++;
    int f = finding_parse(a->category);
    if (f >= 0)
        e->stats.alerts_by_finding[f]++;
    if (e->out.on_alert)
        e->out.on_alert(e->out.ctx, a);
}
