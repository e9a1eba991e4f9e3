/* event_json.c — renders normalized ICS events as event-log JSON. */
#include "event_json.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "packet.h"

#define IP_TEXT_MAX 46
#define MAC_TEXT_MAX 18

/* Dotted quad without printf: addresses are written for every event and flow. */
static void format_ipv4(const uint8_t *addr, char *out)
{
    char *p = out;
    for (int i = 0; i < 4; i++) {
        uint8_t b = addr[i];
        if (b >= 100)
            *p++ = (char)('0' + b / 100);
        if (b >= 10)
            *p++ = (char)('0' + b / 10 % 10);
        *p++ = (char)('0' + b % 10);
        *p++ = i < 3 ? '.' : '\0';
    }
}

void format_ip(uint8_t version, const uint8_t *addr, char *out, size_t outlen)
{
    if (version == 4 && outlen >= INET_ADDRSTRLEN)
        format_ipv4(addr, out);
    else if (!inet_ntop(version == 6 ? AF_INET6 : AF_INET, addr, out, (socklen_t)outlen))
        snprintf(out, outlen, "?");
}

void format_mac(const uint8_t *mac, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    if (outlen < MAC_TEXT_MAX) {
        snprintf(out, outlen, "?");
        return;
    }
    for (int i = 0; i < 6; i++) {
        out[3 * i] = hex[mac[i] >> 4];
        out[3 * i + 1] = hex[mac[i] & 15];
        out[3 * i + 2] = i < 5 ? ':' : '\0';
    }
}

static bool mac_known(const uint8_t *mac)
{
    static const uint8_t zero[6];
    return memcmp(mac, zero, 6) != 0;
}

void endpoints_json_members(struct json_writer *w, const struct mamori_endpoints *where)
{
    char text[IP_TEXT_MAX];
    if (where->ip_version == 4 || where->ip_version == 6) {
        /* ICMP's "ports" are the first message's type and code, as in Zeek */
        bool ports = where->l4_proto == IP_PROTO_TCP || where->l4_proto == IP_PROTO_UDP ||
                     where->l4_proto == IP_PROTO_ICMP || where->l4_proto == IP_PROTO_ICMPV6;
        format_ip(where->ip_version, where->src_ip, text, sizeof text);
        jw_string(w, "src", text);
        if (ports)
            jw_uint(w, "sport", where->src_port);
        format_ip(where->ip_version, where->dst_ip, text, sizeof text);
        jw_string(w, "dst", text);
        if (ports)
            jw_uint(w, "dport", where->dst_port);
        else
            jw_uint(w, "ip_proto", where->l4_proto);
    }
    if (mac_known(where->src_mac) || mac_known(where->dst_mac)) {
        format_mac(where->src_mac, text, sizeof text);
        jw_string(w, "src_mac", text);
        format_mac(where->dst_mac, text, sizeof text);
        jw_string(w, "dst_mac", text);
    }
    if (where->vlan)
        jw_uint(w, "vlan", where->vlan);
}

void event_json_members(struct json_writer *w, const struct mamori_event *ev)
{
    jw_time(w, "ts", ev->time_us);
    jw_uint(w, "flow_id", ev->where.flow_id);
    endpoints_json_members(w, &ev->where);
    jw_string(w, "protocol", ev->protocol);
    jw_string(w, "kind", mamori_kind_name(ev->kind));
    if (ev->anomaly)
        jw_string(w, "anomaly", ev->anomaly);
    if (ev->role != MAMORI_ROLE_NONE)
        jw_string(w, "role", mamori_role_name(ev->role));
    if (ev->op != MAMORI_OP_NONE)
        jw_string(w, "op", mamori_op_name(ev->op));
    if (ev->has_unit)
        jw_uint(w, "unit", ev->unit);
    if (ev->has_function) {
        jw_uint(w, "function_code", ev->function_code);
        if (ev->function_name)
            jw_string(w, "function", ev->function_name);
    }
    if (ev->has_range) {
        jw_uint(w, "range_start", ev->range_start);
        jw_uint(w, "range_count", ev->range_count);
    }
    if (ev->object.len)
        jw_string_n(w, "object", ev->object.ptr, ev->object.len);
    if (ev->has_status)
        jw_int(w, "status", ev->status);
    if (ev->latency_us >= 0)
        jw_int(w, "latency_us", ev->latency_us);
    if (ev->n_values) {
        jw_array_begin(w, "values");
        for (uint32_t i = 0; i < ev->n_values; i++)
            jw_double(w, NULL, ev->values[i]);
        jw_array_end(w);
    }
    if (ev->n_identity) {
        jw_object_begin(w, "identity");
        for (uint32_t i = 0; i < ev->n_identity; i++)
            jw_string_n(w, ev->identity[i].name, ev->identity[i].value.ptr, ev->identity[i].value.len);
        jw_object_end(w);
    }
    if (ev->detail && ev->detail->len)
        jw_detail(w, ev->protocol, ev->detail);
}

void event_json(struct json_writer *w, const struct mamori_event *ev)
{
    json_writer_reset(w);
    jw_object_begin(w, NULL);
    jw_string(w, "type", "event");
    event_json_members(w, ev);
    jw_object_end(w);
}
