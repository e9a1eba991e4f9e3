/* engine.c — the detection rules applied to each event and each finished flow
 * (engine.h). Windowed findings are counted in engine_window.c, alerts built
 * in engine_alert.c, GOOSE/SV checks made in engine_publish.c. */
#include "engine_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u
#define TEXT_MAX 64
#define OP_BIT(op) (1u << (op))

/* Operation classes that need a role's permission. */
#define PRIVILEGED_OPS                                                                                        \
    (OP_BIT(MAMORI_OP_WRITE) | OP_BIT(MAMORI_OP_OPERATE) | OP_BIT(MAMORI_OP_DIAGNOSTIC) |                     \
     OP_BIT(MAMORI_OP_RESTART) | OP_BIT(MAMORI_OP_PROGRAM) | OP_BIT(MAMORI_OP_CONFIG) | OP_BIT(MAMORI_OP_FILE) | \
     OP_BIT(MAMORI_OP_TIME_SYNC) | OP_BIT(MAMORI_OP_IDENTIFY) | OP_BIT(MAMORI_OP_OTHER))

void engine_limits_defaults(struct engine_limits *lim)
{
    lim->max_aggregates = 2048;
    lim->max_limiters = 4096;
    lim->max_assets = 16384;
    lim->max_publishers = 1024;
    lim->max_polls = 4096;
}

struct asset_seen {
    uint64_t last_us;
};

struct engine *engine_new(const struct mamori_profile *profile, const struct baseline *baseline,
                          const char *sensor, const struct engine_limits *lim, const struct engine_output *out)
{
    struct engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->profile = profile;
    e->baseline = baseline;
    e->out = *out;
    snprintf(e->sensor, sizeof e->sensor, "%s", sensor ? sensor : "mamori");
    e->windows = bounded_table_new(lim->max_aggregates, sizeof(struct window_key), sizeof(struct window),
                                   window_evicted, e);
    e->limiters = bounded_table_new(lim->max_limiters, sizeof(struct limiter_key), sizeof(struct limiter), NULL, NULL);
    e->assets = bounded_table_new(lim->max_assets, sizeof(struct bl_endpoint), sizeof(struct asset_seen), NULL, NULL);
    e->publishers = bounded_table_new(lim->max_publishers, sizeof(struct publisher_key),
                                      sizeof(struct publisher_state), NULL, NULL);
    e->polls = bounded_table_new(lim->max_polls, sizeof(struct poll_key), sizeof(struct poll_state), NULL, NULL);
    if (!e->windows || !e->limiters || !e->assets || !e->publishers || !e->polls) {
        engine_free(e);
        return NULL;
    }
    return e;
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    bounded_table_free(e->windows);
    bounded_table_free(e->limiters);
    bounded_table_free(e->assets);
    bounded_table_free(e->publishers);
    bounded_table_free(e->polls);
    free(e);
}

const struct engine_stats *engine_get_stats(const struct engine *e)
{
    return &e->stats;
}

size_t engine_memory(const struct engine *e)
{
    return sizeof *e + bounded_table_memory(e->windows) + bounded_table_memory(e->limiters) +
           bounded_table_memory(e->assets) + bounded_table_memory(e->publishers) + bounded_table_memory(e->polls);
}

static void advance_time(struct engine *e, uint64_t time_us)
{
    if (time_us > e->now_us)
        e->now_us = time_us;
    if (e->now_us >= e->last_tick_us + ENGINE_TICK_US) {
        e->last_tick_us = e->now_us;
        windows_expire(e, e->now_us, false);
    }
}

void engine_tick(struct engine *e, uint64_t now_us)
{
    advance_time(e, now_us);
}

void engine_finish(struct engine *e)
{
    windows_expire(e, e->now_us, true);
}

/* ---- addresses ---- */

static bool is_ip(const struct mamori_endpoints *w)
{
    return w->ip_version == 4 || w->ip_version == 6;
}

/* Addresses that never leave a site: private, loopback, link-local, CGNAT, multicast. */
static bool address_local(uint8_t version, const uint8_t *a)
{
    if (version == 4)
        return a[0] == 10 || a[0] == 127 || a[0] == 0 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
               (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (a[1] & 0xc0) == 64) ||
               a[0] >= 224;
    static const uint8_t loopback[16] = { [15] = 1 }, unspecified[16] = { 0 };
    return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || a[0] == 0xff ||
           memcmp(a, loopback, 16) == 0 || memcmp(a, unspecified, 16) == 0;
}

/* Outside the site: outside its networks (or not a local address when the
 * site lists none), and not an allowed external peer. */
static bool address_external(const struct engine *e, uint8_t version, const uint8_t *a)
{
    const struct mamori_profile *p = e->profile;
    if (profile_nets_contain(p->external_peers, p->n_external_peers, version, a))
        return false;
    if (p->n_networks)
        return !profile_nets_contain(p->networks, p->n_networks, version, a);
    return !address_local(version, a);
}

/* An OT asset: inside the site's networks, or seen in ICS traffic (now or
 * while learning). */
static bool address_ot(struct engine *e, uint8_t version, const uint8_t *a)
{
    if (e->profile->n_networks && profile_nets_contain(e->profile->networks, e->profile->n_networks, version, a))
        return true;
    struct bl_endpoint ep;
    memset(&ep, 0, sizeof ep);
    ep.version = version;
    memcpy(ep.addr, a, version == 4 ? 4 : 16);
    if (bounded_table_peek(e->assets, &ep))
        return true;
    return e->baseline && baseline_asset(e->baseline, &ep);
}

static void remember_asset(struct engine *e, const struct bl_endpoint *ep, uint64_t time_us)
{
    uint64_t before = bounded_table_evictions(e->assets);
    struct asset_seen *a = bounded_table_put(e->assets, ep, NULL);
    e->stats.evicted_assets += bounded_table_evictions(e->assets) - before;
    a->last_us = time_us;
}

static uint32_t endpoint_hash(const struct bl_endpoint *ep, uint32_t extra)
{
    uint32_t h = FNV_OFFSET;
    const uint8_t *b = (const uint8_t *)ep;
    for (size_t i = 0; i < sizeof *ep; i++)
        h = (h ^ b[i]) * FNV_PRIME;
    for (int i = 0; i < 4; i++)
        h = (h ^ ((extra >> (8 * i)) & 0xff)) * FNV_PRIME;
    return h;
}

/* ---- what a request does ---- */

struct named_finding {
    const char *name;
    enum finding finding;
};

/* Function or sub-function names (event function_name or object) that are a
 * finding of their own, whatever their operation class. */
static const struct named_finding named_findings[] = {
    { "force_listen_only_mode", FINDING_LISTEN_ONLY },       /* Modbus 8/4 */
    { "restart_communications_option", FINDING_DEVICE_RESTART }, /* Modbus 8/1 */
    { "disable_unsolicited", FINDING_ALARM_SUPPRESSION },    /* DNP3 21 */
    { "start_application", FINDING_MODE_CHANGE },            /* DNP3 17 */
    { "stop_application", FINDING_MODE_CHANGE },             /* DNP3 18 */
    { "initialize_application", FINDING_MODE_CHANGE },       /* DNP3 16 */
    { "start_plc", FINDING_MODE_CHANGE },                    /* Modbus UMAS 0x40 */
    { "stop_plc", FINDING_MODE_CHANGE },                     /* Modbus UMAS 0x41 */
    { "start", FINDING_MODE_CHANGE },                        /* MMS program invocations */
    { "stop", FINDING_MODE_CHANGE },
    { "resume", FINDING_MODE_CHANGE },
    { "reset", FINDING_MODE_CHANGE },
    { "kill", FINDING_MODE_CHANGE },
    /* UMAS names the transfer from the PLC's side: its "download" (0x33-0x35)
     * reads the program back (small requests, large answers), its "upload"
     * (0x30-0x32) writes one in and falls to program download below. */
    { "initialize_download", FINDING_PROGRAM_UPLOAD },
    { "download_block", FINDING_PROGRAM_UPLOAD },
    { "end_strategy_download", FINDING_PROGRAM_UPLOAD },
    { "initiate_upload_sequence", FINDING_PROGRAM_UPLOAD },  /* MMS */
    { "upload_segment", FINDING_PROGRAM_UPLOAD },
    { "terminate_upload_sequence", FINDING_PROGRAM_UPLOAD },
    { "request_domain_upload", FINDING_PROGRAM_UPLOAD },
};

static bool text_is(const struct mamori_text *t, const char *s)
{
    size_t n = strlen(s);
    return t->len == n && memcmp(t->ptr, s, n) == 0;
}

static bool text_contains(const struct mamori_text *t, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; t->ptr && i + n <= t->len; i++)
        if (memcmp(t->ptr + i, needle, n) == 0)
            return true;
    return false;
}

/* The finding a privileged request would be, or FINDING__COUNT for
 * operations anyone may perform. */
static enum finding command_finding(const struct mamori_event *ev)
{
    if (!(PRIVILEGED_OPS & OP_BIT(ev->op)))
        return FINDING__COUNT;
    struct mamori_text fn = { ev->function_name, ev->function_name ? strlen(ev->function_name) : 0 };
    for (size_t i = 0; i < sizeof named_findings / sizeof named_findings[0]; i++)
        if (text_is(&fn, named_findings[i].name) || text_is(&ev->object, named_findings[i].name))
            return named_findings[i].finding;
    if (text_contains(&fn, "firmware") || text_contains(&ev->object, "firmware"))
        return FINDING_FIRMWARE_TRANSFER;
    switch (ev->op) {
    case MAMORI_OP_WRITE: return FINDING_UNAUTHORIZED_WRITE;
    case MAMORI_OP_OPERATE: return FINDING_UNAUTHORIZED_OPERATE;
    case MAMORI_OP_RESTART: return FINDING_DEVICE_RESTART;
    case MAMORI_OP_PROGRAM: return FINDING_PROGRAM_DOWNLOAD;
    case MAMORI_OP_CONFIG: return FINDING_CONFIG_CHANGE;
    case MAMORI_OP_FILE: return FINDING_FILE_TRANSFER;
    case MAMORI_OP_IDENTIFY: return FINDING__COUNT; /* identification is judged as recon */
    default: return FINDING_UNAUTHORIZED_COMMAND;
    }
}

/* MMS services that list a server's names and types. */
static bool is_name_listing(const struct mamori_event *ev)
{
    static const char *const names[] = {
        "get_name_list", "get_variable_access_attributes", "get_named_variable_list_attributes",
        "get_named_type_attributes", "get_domain_attributes",
    };
    if (!ev->function_name)
        return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(ev->function_name, names[i]) == 0)
            return true;
    return false;
}

/* "unit 1 address 40 (2)" and the like, for summaries. */
static void target_text(const struct mamori_event *ev, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    if (ev->has_unit)
        used += (size_t)snprintf(out + used, outlen - used, " unit %u", ev->unit);
    if (ev->has_range && used < outlen)
        used += (size_t)snprintf(out + used, outlen - used, " address %u (%u)", ev->range_start, ev->range_count);
    if (ev->object.len && used < outlen)
        snprintf(out + used, outlen - used, " %.*s", (int)(ev->object.len > 40 ? 40 : ev->object.len),
                 ev->object.ptr);
}

static const char *function_text(const struct mamori_event *ev)
{
    return ev->function_name ? ev->function_name : mamori_op_name(ev->op);
}

static void send_with_event(struct engine *e, const struct mamori_event *ev)
{
    evidence_events_begin(e);
    evidence_event(e, ev);
    evidence_events_end(e);
    alert_send(e);
}

static bool device_allows(const struct engine *e, const struct mamori_endpoints *w)
{
    if (!is_ip(w))
        return false;
    const struct profile_device *dev = profile_device_of(e->profile, w->ip_version, w->dst_ip);
    return dev && profile_nets_contain(dev->allow_from, dev->n_allow_from, w->ip_version, w->src_ip);
}

static bool command_rule(struct engine *e, const struct mamori_event *ev, enum profile_role role,
                         const struct bl_pair *pair)
{
    enum finding f = command_finding(ev);
    if (f == FINDING__COUNT || (e->profile->permissions[role] & OP_BIT(ev->op)) || device_allows(e, &ev->where))
        return false;
    if (pair && (pair->ops & OP_BIT(ev->op)) && (!ev->has_function || bl_pair_has_function(pair, ev->function_code)))
        return false; /* approved in the baseline */
    if (!alert_begin(e, f, ev->time_us, ev->protocol, &ev->where, ev->detail))
        return true;
    char target[TEXT_MAX + 48];
    target_text(ev, target, sizeof target);
    alert_summary(e, "%s (%s host) sent %s %s to %s%s: role '%s' may not perform %s operations in %s", e->alert.src,
                  profile_role_name(role), ev->protocol, function_text(ev), e->alert.dst, target,
                  profile_role_name(role), mamori_op_name(ev->op), e->profile->sector);
    send_with_event(e, ev);
    return true;
}

/* Technique of a baseline deviation: that of the command it is, Monitor
 * Process State for reads, Remote System Information Discovery for
 * identification requests. */
static void deviation_technique(struct engine *e, const struct mamori_event *ev, enum finding f)
{
    enum finding cmd = command_finding(ev);
    if (cmd != FINDING__COUNT) {
        alert_technique(e, cmd);
    } else if (ev->op == MAMORI_OP_READ) {
        snprintf(e->alert.technique, sizeof e->alert.technique, "T0801");
        snprintf(e->alert.technique_name, sizeof e->alert.technique_name, "Monitor Process State");
    } else if (ev->op == MAMORI_OP_IDENTIFY) {
        alert_technique(e, FINDING_IDENTIFY_SWEEP); /* Remote System Information Discovery */
    } else {
        alert_technique(e, f);
    }
}

static void learned_pair_evidence(struct engine *e, const struct bl_pair *pair)
{
    struct mamori_detail *d = &e->alert.evidence;
    detail_object_begin(d, "learned");
    detail_array_begin(d, "functions");
    for (uint32_t fc = 0; fc < 256; fc++)
        if (bl_pair_has_function(pair, fc))
            detail_uint(d, NULL, fc);
    detail_end(d);
    detail_array_begin(d, "units");
    for (int i = 0; i < pair->n_units; i++)
        detail_uint(d, NULL, pair->units[i]);
    detail_end(d);
    detail_array_begin(d, "ranges");
    for (int i = 0; i < pair->n_ranges; i++) {
        detail_object_begin(d, NULL);
        detail_uint(d, "function_code", pair->ranges[i].function);
        detail_uint(d, "start", pair->ranges[i].start);
        detail_uint(d, "end", pair->ranges[i].end - 1);
        detail_end(d);
    }
    detail_end(d);
    detail_array_begin(d, "objects");
    for (int i = 0; i < pair->n_objects; i++)
        detail_cstring(d, NULL, pair->objects[i]);
    detail_end(d);
    detail_uint(d, "requests", pair->requests);
    detail_end(d);
}

static void baseline_rule(struct engine *e, const struct mamori_event *ev, const struct bl_pair *pair)
{
    enum finding f;
    const char *what;
    if (!pair) {
        f = FINDING_NEW_PEER;
        what = "never seen talking to it while learning";
    } else if (ev->has_function && !bl_pair_has_function(pair, ev->function_code)) {
        f = FINDING_NEW_FUNCTION;
        what = "a function this pair never used while learning";
    } else if (ev->has_unit && !bl_pair_has_unit(pair, ev->unit)) {
        f = FINDING_NEW_UNIT;
        what = "a unit this pair never addressed while learning";
    } else if (ev->has_range && ev->range_count &&
               !bl_pair_covers_range(pair, ev->has_function ? ev->function_code : 0, ev->range_start,
                                     ev->range_count)) {
        f = FINDING_NEW_RANGE;
        what = "addresses outside the ranges learned for this pair";
    } else if (ev->object.len && !bl_pair_has_object(pair, &ev->object)) {
        f = FINDING_NEW_OBJECT;
        what = "an object this pair never used while learning";
    } else {
        return;
    }
    if (!alert_begin(e, f, ev->time_us, ev->protocol, &ev->where, ev->detail))
        return;
    deviation_technique(e, ev, f);
    char target[TEXT_MAX + 48];
    target_text(ev, target, sizeof target);
    alert_summary(e, "%s sent %s %s to %s%s: %s", e->alert.src, ev->protocol, function_text(ev), e->alert.dst,
                  target, what);
    if (pair)
        learned_pair_evidence(e, pair);
    send_with_event(e, ev);
}

/* A value written far outside the range learned for its address. */
static void value_rule(struct engine *e, const struct mamori_event *ev, const struct bl_endpoint *server)
{
    if (!ev->has_range || !ev->n_values || (ev->op != MAMORI_OP_WRITE && ev->op != MAMORI_OP_OPERATE))
        return;
    for (uint32_t i = 0; i < ev->n_values; i++) {
        uint32_t address = ev->range_start + i;
        const struct bl_value *v =
            baseline_value(e->baseline, ev->protocol, server, ev->has_unit ? ev->unit : 0, address);
        if (!v || !isfinite(ev->values[i]))
            continue;
        double span = v->max - v->min;
        if (span <= 0)
            span = fabs(v->max) > 1 ? fabs(v->max) : 1;
        double margin = span * e->profile->value_margin;
        if (ev->values[i] >= v->min - margin && ev->values[i] <= v->max + margin)
            continue;
        if (!alert_begin(e, FINDING_VALUE_OUT_OF_RANGE, ev->time_us, ev->protocol, &ev->where, ev->detail))
            return;
        char unit[24] = "";
        if (ev->has_unit)
            snprintf(unit, sizeof unit, " unit %u", ev->unit);
        alert_summary(e, "%s wrote %g to %s%s address %u, far outside the learned range %g..%g", e->alert.src,
                      ev->values[i], e->alert.dst, unit, address, v->min, v->max);
        struct mamori_detail *d = &e->alert.evidence;
        detail_object_begin(d, "learned");
        detail_uint(d, "address", address);
        detail_float(d, "min", v->min);
        detail_float(d, "max", v->max);
        detail_uint(d, "samples", v->samples);
        detail_end(d);
        detail_object_begin(d, "seen");
        detail_uint(d, "address", address);
        detail_float(d, "value", ev->values[i]);
        detail_end(d);
        send_with_event(e, ev);
        return;
    }
}

/* Intervals to smooth before the period is compared with the learned one. */
#define POLL_MIN_INTERVALS 8
#define POLL_SMOOTHING 0.125
#define POLL_GAP_US (3600ull * US_PER_S)

/* A learned pair whose smoothed request interval moved away from the learned
 * period by more than the profile's poll jitter. */
static void poll_rule(struct engine *e, const struct mamori_event *ev, const struct bl_endpoint *client,
                      const struct bl_endpoint *server, const struct bl_pair *pair)
{
    if (!pair || pair->period_us <= 0)
        return;
    struct poll_key key;
    memset(&key, 0, sizeof key);
    bl_protocol_copy(key.protocol, ev->protocol);
    key.client = *client;
    key.server = *server;
    uint64_t before = bounded_table_evictions(e->polls);
    bool created;
    struct poll_state *st = bounded_table_put(e->polls, &key, &created);
    e->stats.evicted_polls += bounded_table_evictions(e->polls) - before;
    if (!created && ev->time_us > st->last_request_us && ev->time_us - st->last_request_us < POLL_GAP_US) {
        double interval = (double)(ev->time_us - st->last_request_us);
        st->period_us = st->intervals ? st->period_us + POLL_SMOOTHING * (interval - st->period_us) : interval;
        st->intervals++;
    }
    st->last_request_us = ev->time_us > st->last_request_us ? ev->time_us : st->last_request_us;
    if (st->intervals < POLL_MIN_INTERVALS || fabs(st->period_us - pair->period_us) <= pair->period_us * e->profile->poll_jitter)
        return;
    if (!alert_begin(e, FINDING_POLL_DEVIATION, ev->time_us, ev->protocol, &ev->where, ev->detail))
        return;
    alert_summary(e, "%s now polls %s over %s every %.1f ms, learned every %.1f ms", e->alert.src, e->alert.dst,
                  ev->protocol, st->period_us / US_PER_MS, pair->period_us / US_PER_MS);
    struct mamori_detail *d = &e->alert.evidence;
    detail_object_begin(d, "learned");
    detail_float(d, "period_ms", pair->period_us / US_PER_MS);
    detail_end(d);
    detail_object_begin(d, "seen");
    detail_float(d, "period_ms", st->period_us / US_PER_MS);
    detail_uint(d, "intervals", st->intervals);
    detail_end(d);
    send_with_event(e, ev);
}

static void request_rules(struct engine *e, const struct mamori_event *ev)
{
    struct bl_endpoint src, dst;
    bl_endpoint_from(&src, &ev->where, true);
    bl_endpoint_from(&dst, &ev->where, false);
    enum profile_role role = is_ip(&ev->where) ? profile_role_of(e->profile, ev->where.ip_version, ev->where.src_ip)
                                               : ROLE_OTHER;
    const struct bl_pair *pair = e->baseline ? baseline_pair(e->baseline, ev->protocol, &src, &dst) : NULL;
    bool alerted = command_rule(e, ev, role, pair);
    if (e->baseline && !alerted) {
        baseline_rule(e, ev, pair);
        value_rule(e, ev, &dst);
    }
    if (e->baseline)
        poll_rule(e, ev, &src, &dst, pair);

    window_count_event(e, THRESH_FLOOD, ev, &src, &dst, false, 0);
    if (ev->has_unit && !(pair && bl_pair_has_unit(pair, ev->unit)))
        window_count_event(e, THRESH_UNIT_SWEEP, ev, &src, &dst, true, ev->unit);
    if (ev->has_function && !(pair && bl_pair_has_function(pair, ev->function_code)))
        window_count_event(e, THRESH_FUNCTION_SWEEP, ev, &src, &dst, true, ev->function_code);
    if (role == ROLE_OTHER && !pair)
        window_count_event(e, THRESH_HOST_SWEEP, ev, &src, NULL, true, endpoint_hash(&dst, 0));
    if (ev->op == MAMORI_OP_IDENTIFY)
        window_count_event(e, THRESH_IDENTIFY_SWEEP, ev, &src, NULL, true,
                           endpoint_hash(&dst, ev->has_unit ? ev->unit : 0));
    if (is_name_listing(ev) && role == ROLE_OTHER && !pair)
        window_count_event(e, THRESH_NAME_ENUMERATION, ev, &src, &dst, false, 0);
}

static void unexpected_protocol_rule(struct engine *e, const struct mamori_event *ev)
{
    /* Reported for whoever starts the exchange; its responses are the same finding. */
    if (ev->role == MAMORI_ROLE_RESPONSE || profile_expects_protocol(e->profile, ev->protocol) ||
        !alert_begin(e, FINDING_UNEXPECTED_PROTOCOL, ev->time_us, ev->protocol, &ev->where, ev->detail))
        return;
    alert_summary(e, "%s traffic from %s to %s: %s is not expected in %s", ev->protocol, e->alert.src, e->alert.dst,
                  ev->protocol, e->profile->sector);
    send_with_event(e, ev);
}

/* True when the baseline saw these two hosts talk (this ICS protocol either
 * way, or any finished flow between them). */
static bool learned_link(const struct engine *e, const struct mamori_endpoints *w, const char *protocol)
{
    if (!e->baseline)
        return false;
    struct bl_endpoint a, b;
    bl_endpoint_from(&a, w, true);
    bl_endpoint_from(&b, w, false);
    return (protocol && (baseline_pair(e->baseline, protocol, &a, &b) || baseline_pair(e->baseline, protocol, &b, &a))) ||
           baseline_conversation(e->baseline, &a, &b);
}

static void external_event_rule(struct engine *e, const struct mamori_event *ev)
{
    /* Judged on what a host sends: the answer to a request is not a second finding. */
    if (!e->profile->forbid_external_peers || !is_ip(&ev->where) || ev->role == MAMORI_ROLE_RESPONSE)
        return;
    bool src_out = address_external(e, ev->where.ip_version, ev->where.src_ip);
    bool dst_out = address_external(e, ev->where.ip_version, ev->where.dst_ip);
    if ((!src_out && !dst_out) || learned_link(e, &ev->where, ev->protocol))
        return;
    if (!alert_begin(e, FINDING_EXTERNAL_PEER, ev->time_us, ev->protocol, &ev->where, ev->detail))
        return;
    alert_summary(e, "%s %s between %s and external address %s", ev->protocol, function_text(ev),
                  src_out ? e->alert.dst : e->alert.src, src_out ? e->alert.src : e->alert.dst);
    send_with_event(e, ev);
}

static void publish_rules(struct engine *e, const struct mamori_event *ev)
{
    publish_rate(e, ev);
    if (!e->baseline)
        return;
    struct bl_endpoint src;
    bl_endpoint_from(&src, &ev->where, true);
    if (baseline_publisher(e->baseline, ev->protocol, &src, &ev->object) ||
        !alert_begin(e, FINDING_NEW_PUBLISHER, ev->time_us, ev->protocol, &ev->where, ev->detail))
        return;
    alert_summary(e, "new %s publisher %s (%.*s), never seen while learning", ev->protocol, e->alert.src,
                  (int)(ev->object.len > 64 ? 64 : ev->object.len), ev->object.ptr ? ev->object.ptr : "");
    send_with_event(e, ev);
}

/* An unsolicited report (DNP3) from a device its receiver never polled while
 * learning: a spoofed outstation. */
static void unsolicited_rule(struct engine *e, const struct mamori_event *ev)
{
    if (!e->baseline)
        return;
    struct bl_endpoint device, receiver;
    bl_endpoint_from(&device, &ev->where, true);
    bl_endpoint_from(&receiver, &ev->where, false);
    if (baseline_pair(e->baseline, ev->protocol, &receiver, &device) ||
        !alert_begin(e, FINDING_NEW_PEER, ev->time_us, ev->protocol, &ev->where, ev->detail))
        return;
    alert_technique(e, FINDING_NEW_PUBLISHER); /* Spoof Reporting Message */
    alert_summary(e, "%s sent an unsolicited %s report to %s, which never talked to it while learning",
                  e->alert.src, ev->protocol, e->alert.dst);
    send_with_event(e, ev);
}

void engine_event(struct engine *e, const struct mamori_event *ev)
{
    e->stats.events++;
    advance_time(e, ev->time_us);
    if (!ev->protocol)
        return;
    struct bl_endpoint src, dst;
    bl_endpoint_from(&src, &ev->where, true);
    bl_endpoint_from(&dst, &ev->where, false);
    if (ev->kind == MAMORI_EVENT_ANOMALY) {
        bool published = strcmp(ev->protocol, "goose") == 0 || strcmp(ev->protocol, "sv") == 0;
        if (published && ev->anomaly && publish_anomaly(e, ev))
            return;
        if (ev->anomaly && strcmp(ev->anomaly, "unanswered_request") == 0)
            window_count_event(e, THRESH_UNANSWERED, ev, &src, &dst, false, 0);
        else
            window_count_event(e, THRESH_ANOMALIES, ev, &src, NULL, false, 0);
        return;
    }
    if (is_ip(&ev->where)) {
        remember_asset(e, &src, ev->time_us);
        remember_asset(e, &dst, ev->time_us);
    }
    unexpected_protocol_rule(e, ev);
    external_event_rule(e, ev);
    switch (ev->role) {
    case MAMORI_ROLE_REQUEST:
        request_rules(e, ev);
        break;
    case MAMORI_ROLE_RESPONSE:
        if (ev->op == MAMORI_OP_EXCEPTION)
            window_count_event(e, THRESH_EXCEPTION_STORM, ev, &src, &dst, false, 0);
        break;
    case MAMORI_ROLE_PUBLISH:
        publish_rules(e, ev);
        break;
    case MAMORI_ROLE_UNSOLICITED:
        unsolicited_rule(e, ev);
        break;
    default:
        break;
    }
}

/* ---- flows ---- */

static bool name_listed(const char (*names)[PROFILE_NAME_MAX], uint32_t n, const char *name, size_t len)
{
    for (uint32_t i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return true;
    return false;
}

/* Checks each dot-separated part of an nDPI name ("TLS.Tor") against a list. */
static bool app_listed(const char (*names)[PROFILE_NAME_MAX], uint32_t n, const char *app)
{
    while (app && *app) {
        const char *dot = strchr(app, '.');
        size_t len = dot ? (size_t)(dot - app) : strlen(app);
        if (name_listed(names, n, app, len))
            return true;
        app = dot ? dot + 1 : NULL;
    }
    return false;
}

static void flow_evidence(struct engine *e, const struct flow_record *rec)
{
    struct mamori_detail *d = &e->alert.evidence;
    char text[TEXT_MAX];
    detail_object_begin(d, "flow");
    detail_uint(d, "id", rec->id);
    endpoint_text(&rec->where, true, text, sizeof text);
    detail_cstring(d, "src", text);
    detail_uint(d, "sport", rec->where.src_port);
    endpoint_text(&rec->where, false, text, sizeof text);
    detail_cstring(d, "dst", text);
    detail_uint(d, "dport", rec->where.dst_port);
    detail_cstring(d, "app_protocol", rec->app_protocol ? rec->app_protocol : "Unknown");
    detail_cstring(d, "category", rec->category ? rec->category : "Unspecified");
    if (rec->state)
        detail_cstring(d, "state", rec->state);
    detail_float(d, "first_ts", (double)rec->first_us / (double)US_PER_S);
    detail_float(d, "last_ts", (double)rec->last_us / (double)US_PER_S);
    detail_uint(d, "orig_packets", rec->packets[0]);
    detail_uint(d, "resp_packets", rec->packets[1]);
    detail_uint(d, "orig_bytes", rec->bytes[0]);
    detail_uint(d, "resp_bytes", rec->bytes[1]);
    detail_end(d);
}

void engine_flow(struct engine *e, const struct flow_record *rec)
{
    e->stats.flows++;
    advance_time(e, rec->last_us);
    const struct mamori_profile *p = e->profile;
    const char *app = rec->app_protocol ? rec->app_protocol : "Unknown";
    const char *category = rec->category ? rec->category : "Unspecified";
    enum finding f = FINDING__COUNT;
    if (app_listed(p->remote_access_apps, p->n_remote_access_apps, app))
        f = FINDING_REMOTE_ACCESS;
    else if (app_listed(p->forbidden_apps, p->n_forbidden_apps, app) ||
             name_listed(p->forbidden_categories, p->n_forbidden_categories, category, strlen(category)))
        f = FINDING_FORBIDDEN_PROTOCOL;
    if (f != FINDING__COUNT && alert_begin(e, f, rec->last_us, app, &rec->where, NULL)) {
        alert_summary(e, "%s from %s to %s:%u (%s): %s is forbidden in the %s OT segment", app, e->alert.src,
                      e->alert.dst, rec->where.dst_port, category, f == FINDING_REMOTE_ACCESS ? "remote access" : app,
                      p->sector);
        flow_evidence(e, rec);
        alert_send(e);
        return;
    }
    if (!p->forbid_external_peers || !is_ip(&rec->where))
        return;
    uint8_t v = rec->where.ip_version;
    bool src_out = address_external(e, v, rec->where.src_ip), dst_out = address_external(e, v, rec->where.dst_ip);
    bool src_ot = !src_out && address_ot(e, v, rec->where.src_ip);
    bool dst_ot = !dst_out && address_ot(e, v, rec->where.dst_ip);
    if (!((src_out && dst_ot) || (dst_out && src_ot)) || learned_link(e, &rec->where, NULL))
        return;
    if (!alert_begin(e, FINDING_EXTERNAL_PEER, rec->last_us, app, &rec->where, NULL))
        return;
    alert_summary(e, "OT asset %s exchanged %s traffic with external address %s (%s)",
                  src_ot ? e->alert.src : e->alert.dst, app, src_ot ? e->alert.dst : e->alert.src,
                  src_ot ? "outbound" : "inbound");
    flow_evidence(e, rec);
    alert_send(e);
}
