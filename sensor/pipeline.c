/* pipeline.c — one worker's packet path (see pipeline.h): decode, defragment,
 * find the flow, track TCP state, reassemble, classify, dispatch, and end
 * flows (closed, idle, evicted, end of capture) with a flow record.
 *
 * Connection state follows Zeek: each TCP endpoint moves through INACTIVE,
 * SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET, and conn_state
 * is derived from the pair when the flow ends. */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "defrag.h"
#include "dispatch.h"
#include "flow_table.h"
#include "packet.h"
#include "pipeline_stats.h"
#include "tcp_reassembly.h"

#define PORT_PRIVILEGED_END 1024
#define PORT_EPHEMERAL_START 32768
#define SECOND_US UINT64_C(1000000)
#define NDPI_SCADA_CATEGORY "IoT-Scada"

struct pipeline {
    struct pipeline_config cfg;
    const struct mamori_registry *reg;
    struct pipeline_output out;
    struct pipeline_stats stats;
    struct flow_table *flows;
    struct tcp_reassembly tcp;
    struct defrag *defrag;
    struct classifier *classifier; /* NULL when cfg.classify is off */
    struct dispatcher dispatch;
    uint64_t flow_counter;
    uint64_t now_us;    /* latest capture time seen: drives expiry */
    uint64_t packet_us; /* the current packet's own time: stamps its events */
    uint64_t next_decoder_tick_us; /* decoders' tick() is due at this capture time */
    /* the flow and direction whose stream bytes are being delivered */
    struct flow *current_flow;
    enum mamori_direction current_dir;
};

void pipeline_config_defaults(struct pipeline_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->max_flows = 262144;
    cfg->tcp_idle_timeout_us = 3600 * SECOND_US;
    cfg->tcp_closed_timeout_us = 10 * SECOND_US;
    cfg->udp_idle_timeout_us = 120 * SECOND_US;
    cfg->l2_idle_timeout_us = 120 * SECOND_US;
    cfg->reassembly_flow_bytes = 256 * 1024;
    cfg->reassembly_total_bytes = 64 * 1024 * 1024;
    cfg->defrag_max_datagrams = 1024;
    cfg->defrag_total_bytes = 16 * 1024 * 1024;
    cfg->defrag_timeout_us = 30 * SECOND_US;
    cfg->decoder_state_budget = 64 * 1024;
    cfg->response_timeout_us = 5 * SECOND_US;
    cfg->want_detail = true;
    cfg->classify = true;
    cfg->vlan_in_key = true;
    cfg->worker_index = 0;
    cfg->worker_count = 1;
}

static void update_memory(struct pipeline *pl)
{
    struct pipeline_stats *st = &pl->stats;
    st->memory_flows =
        flow_table_memory(pl->flows) + classifier_memory(pl->classifier) + pl->dispatch.buffer_bytes;
    uint64_t total = st->memory_flows + st->memory_reassembly + st->memory_defrag;
    if (total > st->memory_high_water)
        st->memory_high_water = total;
}

struct pipeline *pipeline_new(const struct pipeline_config *cfg, const struct mamori_registry *reg,
                              const struct pipeline_output *out)
{
    struct pipeline *pl = calloc(1, sizeof *pl);
    if (!pl)
        return NULL;
    pl->cfg = *cfg;
    if (pl->cfg.worker_count == 0)
        pl->cfg.worker_count = 1;
    pl->reg = reg;
    if (out)
        pl->out = *out;
    const uint64_t timeouts[FLOW_CLASS__COUNT] = {
        [FLOW_CLASS_TCP] = cfg->tcp_idle_timeout_us,
        [FLOW_CLASS_TCP_CLOSED] = cfg->tcp_closed_timeout_us,
        [FLOW_CLASS_UDP] = cfg->udp_idle_timeout_us,
        [FLOW_CLASS_L2] = cfg->l2_idle_timeout_us,
    };
    struct mamori_decoder_options opts = {
        .state_budget = cfg->decoder_state_budget,
        .response_timeout_us = cfg->response_timeout_us,
    };
    tcp_reassembly_init(&pl->tcp, cfg->reassembly_flow_bytes, cfg->reassembly_total_bytes, &pl->stats);
    pl->flows = flow_table_new(cfg->max_flows, timeouts);
    pl->defrag = defrag_new(cfg->defrag_max_datagrams, cfg->defrag_total_bytes, cfg->defrag_timeout_us, &pl->stats);
    if (cfg->classify)
        pl->classifier = classifier_new(&pl->stats);
    bool dispatch_ok = dispatcher_init(&pl->dispatch, reg, &opts, cfg->want_detail, &pl->out, &pl->stats) == 0;
    if (!pl->flows || !pl->defrag || (cfg->classify && !pl->classifier) || !dispatch_ok) {
        if (dispatch_ok)
            dispatcher_destroy(&pl->dispatch);
        classifier_free(pl->classifier);
        defrag_free(pl->defrag);
        flow_table_free(pl->flows);
        free(pl);
        return NULL;
    }
    update_memory(pl);
    return pl;
}

/* ---- connection state ---- */

static bool endpoint_inactive(uint8_t s) { return s == TCP_EP_INACTIVE || s == TCP_EP_PARTIAL; }

static const char *tcp_conn_state(const struct flow *f)
{
    uint8_t o = f->tcp_state[MAMORI_DIR_TO_SERVER], r = f->tcp_state[MAMORI_DIR_TO_CLIENT];
    bool o_inactive = endpoint_inactive(o), r_inactive = endpoint_inactive(r);
    if (r == TCP_EP_RESET) {
        if (o == TCP_EP_SYN_SENT || o == TCP_EP_SYN_ACK_SENT ||
            (o == TCP_EP_RESET && f->payload_bytes[0] == 0 && f->payload_bytes[1] == 0))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (o == TCP_EP_RESET) {
        if (r_inactive)
            return f->saw_syn[MAMORI_DIR_TO_SERVER] && !f->saw_syn[MAMORI_DIR_TO_CLIENT] ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (o == TCP_EP_CLOSED && r == TCP_EP_CLOSED)
        return "SF";
    if (o == TCP_EP_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (r == TCP_EP_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (o == TCP_EP_SYN_SENT && r == TCP_EP_INACTIVE)
        return "S0";
    if (o == TCP_EP_ESTABLISHED && r == TCP_EP_ESTABLISHED)
        return "S1";
    return "OTH";
}

static const char *datagram_conn_state(const struct flow *f)
{
    bool o = f->packets[MAMORI_DIR_TO_SERVER] > 0, r = f->packets[MAMORI_DIR_TO_CLIENT] > 0;
    if (o)
        return r ? "SF" : "S0";
    return r ? "SHR" : "OTH";
}

static void tcp_track_state(struct flow *f, enum mamori_direction dir, uint8_t flags)
{
    uint8_t *ep = &f->tcp_state[dir], *peer = &f->tcp_state[!dir];
    bool syn = flags & PACKET_TCP_SYN, ack = flags & PACKET_TCP_ACK;
    if (flags & PACKET_TCP_RST) {
        *ep = TCP_EP_RESET;
        return;
    }
    if (*ep == TCP_EP_RESET)
        return;
    if (syn) {
        f->saw_syn[dir] = true;
        if (!ack && *ep == TCP_EP_INACTIVE)
            *ep = TCP_EP_SYN_SENT;
        else if (ack && (*ep == TCP_EP_INACTIVE || *ep == TCP_EP_SYN_SENT))
            *ep = TCP_EP_SYN_ACK_SENT;
    } else if (*ep == TCP_EP_INACTIVE) {
        *ep = TCP_EP_PARTIAL;
    } else if (ack && (*ep == TCP_EP_SYN_SENT || *ep == TCP_EP_SYN_ACK_SENT) &&
               (*peer == TCP_EP_SYN_SENT || *peer == TCP_EP_SYN_ACK_SENT)) {
        *ep = TCP_EP_ESTABLISHED;
        *peer = TCP_EP_ESTABLISHED;
    }
    if ((flags & PACKET_TCP_FIN) && *ep != TCP_EP_CLOSED) {
        if (*peer == TCP_EP_SYN_ACK_SENT && *ep == TCP_EP_SYN_SENT && ack)
            *peer = TCP_EP_ESTABLISHED;
        *ep = TCP_EP_CLOSED;
    }
}

static bool tcp_flow_over(const struct flow *f)
{
    uint8_t o = f->tcp_state[0], r = f->tcp_state[1];
    return o == TCP_EP_RESET || r == TCP_EP_RESET || (o == TCP_EP_CLOSED && r == TCP_EP_CLOSED);
}

/* ---- stream delivery ---- */

static void deliver_stream(void *ctx, const uint8_t *data, size_t len, bool gap)
{
    struct pipeline *pl = ctx;
    struct flow *f = pl->current_flow;
    dispatch_stream(&pl->dispatch, &f->dispatch, &f->endpoints, pl->current_dir, data, len, gap, pl->packet_us);
}

static void report_overlap_mismatch(void *ctx)
{
    struct pipeline *pl = ctx;
    struct flow *f = pl->current_flow;
    dispatch_emit_anomaly(&pl->dispatch, &f->endpoints, pl->current_dir, pl->packet_us, "tcp", "overlap_mismatch");
}

static struct tcp_stream_output stream_output(struct pipeline *pl, struct flow *f, enum mamori_direction dir)
{
    pl->current_flow = f;
    pl->current_dir = dir;
    return (struct tcp_stream_output){ deliver_stream, report_overlap_mismatch, pl };
}

/* ---- ending flows ---- */

static void end_flow(struct pipeline *pl, struct flow *f, const char *reason)
{
    bool is_tcp = f->key.kind != FLOW_KEY_L2 && f->key.l4_proto == IP_PROTO_TCP;
    if (is_tcp) {
        for (int dir = 0; dir < 2; dir++) {
            struct tcp_stream_output out = stream_output(pl, f, (enum mamori_direction)dir);
            tcp_stream_flush(&pl->tcp, &f->streams[dir], &out);
        }
    }
    struct flow_record rec = {
        .id = f->id,
        .first_us = f->first_us,
        .last_us = f->last_us,
        .where = f->endpoints,
        .end_reason = reason,
        .midstream = f->midstream,
        .decoder = f->dispatch.status == DISPATCH_ATTACHED ? f->dispatch.decoder->name : NULL,
        .gaps = f->streams[0].gap_bytes + f->streams[1].gap_bytes,
    };
    if (f->key.kind == FLOW_KEY_L2 && (f->endpoints.ethertype == ETHERTYPE_GOOSE || f->endpoints.ethertype == ETHERTYPE_SV)) {
        rec.has_appid = true;
        rec.appid = f->key.port[0];
    }
    memcpy(rec.packets, f->packets, sizeof rec.packets);
    memcpy(rec.bytes, f->bytes, sizeof rec.bytes);
    rec.state = is_tcp ? tcp_conn_state(f) : datagram_conn_state(f);

    dispatch_flow_end(&pl->dispatch, &f->dispatch, &f->endpoints, f->last_us);
    if (f->key.kind != FLOW_KEY_L2 && pl->classifier) {
        classify_finish(pl->classifier, &f->classify);
        rec.ndpi = f->classify.app_name;
        rec.category = f->classify.category;
    }
    rec.app_protocol = rec.decoder ? rec.decoder : rec.ndpi ? rec.ndpi : "Unknown";
    if (rec.decoder && (!rec.category || strcmp(rec.category, "Unspecified") == 0))
        rec.category = NDPI_SCADA_CATEGORY;
    if (pl->out.on_flow)
        pl->out.on_flow(pl->out.ctx, &rec);

    for (int dir = 0; dir < 2; dir++)
        tcp_stream_release(&pl->tcp, &f->streams[dir]);
    if (pl->classifier)
        classify_release(pl->classifier, &f->classify);
    flow_table_remove(pl->flows, f);
    pl->stats.flows_ended++;
    pl->stats.flows_active = flow_table_count(pl->flows);
}

static void expire_flows(struct pipeline *pl, uint64_t now_us)
{
    struct flow *f;
    while ((f = flow_table_expired(pl->flows, now_us)) != NULL) {
        bool closed = f->timeout_class == FLOW_CLASS_TCP_CLOSED;
        if (!closed)
            pl->stats.flows_timed_out++;
        end_flow(pl, f, closed ? "closed" : "idle");
    }
}

/* Decoders' tick() at most every MAMORI_TICK_US of capture time (or when forced). */
static void tick_decoders(struct pipeline *pl, bool force)
{
    if (!force && pl->now_us < pl->next_decoder_tick_us)
        return;
    pl->next_decoder_tick_us = pl->now_us + MAMORI_TICK_US;
    dispatch_tick(&pl->dispatch, pl->now_us);
}

void pipeline_tick(struct pipeline *pl, uint64_t now_us)
{
    if (now_us > pl->now_us)
        pl->now_us = now_us;
    expire_flows(pl, pl->now_us);
    tick_decoders(pl, true);
    if (pl->out.on_tick)
        pl->out.on_tick(pl->out.ctx, pl->now_us);
    defrag_expire(pl->defrag, pl->now_us);
    update_memory(pl);
}

/* ---- finding and creating flows ---- */

static uint16_t outer_vlan(const struct packet *p) { return p->vlan_count ? p->vlans[0].id : 0; }

static uint16_t key_vlan(const struct pipeline *pl, const struct packet *p)
{
    return pl->cfg.vlan_in_key ? outer_vlan(p) : 0;
}

/* Canonical key of an IP packet on `vlan`; *sender_side is the key side of its
 * source. Without `with_protocol`, addresses only. */
static void ip_flow_key(const struct packet *p, bool with_protocol, uint16_t vlan, struct flow_key *key,
                        uint8_t *sender_side)
{
    memset(key, 0, sizeof *key);
    key->kind = p->ip_version == 6 ? FLOW_KEY_IPV6 : FLOW_KEY_IPV4;
    key->vlan = vlan;
    key->l4_proto = with_protocol ? p->l4_proto : 0;
    bool with_ports = with_protocol && p->has_ports;
    size_t addr_len = p->ip_version == 6 ? 16 : 4;
    int order = memcmp(p->src_ip, p->dst_ip, addr_len);
    uint16_t sport = with_ports ? p->src_port : 0, dport = with_ports ? p->dst_port : 0;
    uint8_t side = (order < 0 || (order == 0 && sport <= dport)) ? 0 : 1;
    memcpy(key->addr[side], p->src_ip, addr_len);
    memcpy(key->addr[!side], p->dst_ip, addr_len);
    key->port[side] = sport;
    key->port[!side] = dport;
    *sender_side = side;
}

/* A publisher's key: source MAC (unless only the worker is being chosen, which
 * goes by APPID so that every publisher of one APPID meets the same shared
 * decoder state), APPID, ethertype, VLAN. */
static void l2_flow_key(const struct packet *p, bool with_source, uint16_t vlan, struct flow_key *key)
{
    memset(key, 0, sizeof *key);
    key->kind = FLOW_KEY_L2;
    key->vlan = vlan;
    if (with_source)
        memcpy(key->addr[0], p->src_mac, 6);
    cursor c = cursor_make(p->l2_payload, p->l2_payload_len);
    key->port[0] = cursor_be16(&c); /* APPID for GOOSE and SV, 0 when too short */
    key->port[1] = p->ethertype;
}

/* True when the packet's destination is the server of a flow seen mid-stream. */
static bool destination_is_server(const struct pipeline *pl, const struct packet *p)
{
    enum mamori_transport t = p->l4_proto == IP_PROTO_TCP ? MAMORI_TRANSPORT_TCP : MAMORI_TRANSPORT_UDP;
    bool dst_owned = dispatch_port_owner(&pl->dispatch, t, p->dst_port) != NULL;
    bool src_owned = dispatch_port_owner(&pl->dispatch, t, p->src_port) != NULL;
    if (dst_owned != src_owned)
        return dst_owned;
    bool dst_low = p->dst_port < PORT_PRIVILEGED_END, src_low = p->src_port < PORT_PRIVILEGED_END;
    if (dst_low != src_low)
        return dst_low;
    bool dst_ephemeral = p->dst_port >= PORT_EPHEMERAL_START, src_ephemeral = p->src_port >= PORT_EPHEMERAL_START;
    if (dst_ephemeral != src_ephemeral)
        return src_ephemeral;
    return true; /* the first sender is the client */
}

/* Makes room (evicting the least recently used flow) and creates the flow. */
static struct flow *create_flow(struct pipeline *pl, const struct flow_key *key, uint32_t hash)
{
    struct flow *f = flow_table_insert(pl->flows, key, hash);
    if (!f && flow_table_count(pl->flows) > 0) {
        struct flow *victim = flow_table_lru(pl->flows);
        pl->stats.flows_evicted++;
        end_flow(pl, victim, "evicted");
        f = flow_table_insert(pl->flows, key, hash);
    }
    if (!f)
        return NULL;
    pl->flow_counter++;
    f->id = pl->flow_counter * pl->cfg.worker_count + pl->cfg.worker_index;
    f->first_us = f->last_us = pl->packet_us;
    pl->stats.flows_created++;
    pl->stats.flows_active = flow_table_count(pl->flows);
    update_memory(pl);
    return f;
}

static void start_ip_flow(struct pipeline *pl, struct flow *f, const struct packet *p, uint8_t sender_side)
{
    bool tcp = p->l4_proto == IP_PROTO_TCP;
    bool syn = tcp && (p->tcp_flags & PACKET_TCP_SYN), ack = tcp && (p->tcp_flags & PACKET_TCP_ACK);
    bool sender_is_client;
    if (syn)
        sender_is_client = !ack; /* a SYN-ACK comes from the server */
    else if (p->has_ports)
        sender_is_client = destination_is_server(pl, p);
    else
        sender_is_client = true; /* ICMP and the like: whoever spoke first */
    if (tcp && !syn) {
        f->midstream = true;
        pl->stats.midstream_pickups++;
    }
    f->client_side = sender_is_client ? sender_side : (uint8_t)!sender_side;
    struct mamori_endpoints *e = &f->endpoints;
    e->ip_version = p->ip_version;
    e->l4_proto = p->l4_proto;
    e->vlan = outer_vlan(p);
    e->ethertype = p->ethertype;
    e->flow_id = f->id;
    const uint8_t *client_ip = sender_is_client ? p->src_ip : p->dst_ip;
    const uint8_t *server_ip = sender_is_client ? p->dst_ip : p->src_ip;
    memcpy(e->src_ip, client_ip, sizeof e->src_ip);
    memcpy(e->dst_ip, server_ip, sizeof e->dst_ip);
    e->src_port = sender_is_client ? p->src_port : p->dst_port;
    e->dst_port = sender_is_client ? p->dst_port : p->src_port;
    if (!p->has_ports) {
        if (p->has_icmp) { /* as Zeek's conn.log: the first message's type and code */
            e->src_port = p->icmp_type;
            e->dst_port = p->icmp_code;
        }
        f->dispatch.status = DISPATCH_NONE; /* no decoder reads these */
        return;
    }
    dispatch_flow_start(&pl->dispatch, &f->dispatch, tcp ? MAMORI_TRANSPORT_TCP : MAMORI_TRANSPORT_UDP,
                        e->src_port, e->dst_port, 0);
    /* flows a decoder may read are watched for retransmissions that change bytes */
    for (int dir = 0; dir < 2; dir++)
        f->streams[dir].keep_history = tcp && f->dispatch.status != DISPATCH_NONE;
}

static void learn_macs(struct flow *f, const struct packet *p, enum mamori_direction dir)
{
    if (!p->has_macs)
        return;
    uint8_t *sender = dir == MAMORI_DIR_TO_SERVER ? f->endpoints.src_mac : f->endpoints.dst_mac;
    uint8_t *receiver = dir == MAMORI_DIR_TO_SERVER ? f->endpoints.dst_mac : f->endpoints.src_mac;
    memcpy(sender, p->src_mac, 6);
    memcpy(receiver, p->dst_mac, 6);
}

/* ---- per packet ---- */

static void handle_tcp(struct pipeline *pl, struct flow *f, const struct packet *p, enum mamori_direction dir,
                       uint32_t snapped)
{
    tcp_track_state(f, dir, p->tcp_flags);
    if (!(p->tcp_flags & PACKET_TCP_RST)) {
        struct tcp_stream_output out = stream_output(pl, f, dir);
        tcp_stream_segment(&pl->tcp, &f->streams[dir], p->tcp_seq, p->tcp_flags, p->payload, p->payload_len, &out);
        /* the snap length cut this segment's payload: what is missing is a gap */
        uint32_t missing = p->ip_missing < snapped ? p->ip_missing : snapped;
        uint32_t after = p->tcp_seq + ((p->tcp_flags & PACKET_TCP_SYN) ? 1 : 0) + (uint32_t)p->payload_len;
        if (missing > 0)
            tcp_stream_lost(&pl->tcp, &f->streams[dir], after, missing, &out);
    }
    flow_table_touch(pl->flows, f, pl->now_us, tcp_flow_over(f) ? FLOW_CLASS_TCP_CLOSED : FLOW_CLASS_TCP);
}

/* `snapped`: bytes of this frame the capture did not keep (wire length - caplen). */
static void handle_ip(struct pipeline *pl, const struct packet *p, uint32_t wirelen, uint32_t snapped)
{
    struct flow_key key;
    uint8_t sender_side;
    ip_flow_key(p, true, key_vlan(pl, p), &key, &sender_side);
    uint32_t hash = flow_key_hash(&key);
    struct flow *f = flow_table_find(pl->flows, &key, hash);
    bool tcp = p->l4_proto == IP_PROTO_TCP;
    if (f && tcp && f->timeout_class == FLOW_CLASS_TCP_CLOSED &&
        (p->tcp_flags & (PACKET_TCP_SYN | PACKET_TCP_ACK)) == PACKET_TCP_SYN) {
        end_flow(pl, f, "closed"); /* the port pair is reused by a new connection */
        f = NULL;
    }
    if (!f) {
        f = create_flow(pl, &key, hash);
        if (!f)
            return;
        start_ip_flow(pl, f, p, sender_side);
    }
    enum mamori_direction dir = sender_side == f->client_side ? MAMORI_DIR_TO_SERVER : MAMORI_DIR_TO_CLIENT;
    f->packets[dir]++;
    f->bytes[dir] += wirelen;
    f->payload_bytes[dir] += p->payload_len;
    learn_macs(f, p, dir);
    /* nDPI decides on payload, so bare ACKs only cost it time; it still sees
     * the first packet, to know the ports it guesses from at the end */
    if (pl->classifier && !f->classify.done && (p->payload_len > 0 || f->classify.packets == 0))
        classify_packet(pl->classifier, &f->classify, p->l3, p->l3_len, pl->now_us);
    if (tcp) {
        handle_tcp(pl, f, p, dir, snapped);
    } else {
        if (p->has_ports && p->payload_len > 0)
            dispatch_datagram(&pl->dispatch, &f->dispatch, &f->endpoints, dir, p->payload, p->payload_len,
                              pl->packet_us);
        flow_table_touch(pl->flows, f, pl->now_us, FLOW_CLASS_UDP);
    }
}

static void handle_l2(struct pipeline *pl, const struct packet *p, uint32_t wirelen)
{
    pl->stats.l2_frames++;
    struct flow_key key;
    l2_flow_key(p, true, key_vlan(pl, p), &key);
    uint32_t hash = flow_key_hash(&key);
    struct flow *f = flow_table_find(pl->flows, &key, hash);
    if (!f) {
        /* only a new publisher asks whether anyone decodes its ethertype */
        if (!dispatch_port_owner(&pl->dispatch, MAMORI_TRANSPORT_ETHER, p->ethertype) &&
            p->ethertype != ETHERTYPE_GOOSE && p->ethertype != ETHERTYPE_SV)
            return; /* ARP, LLDP, ...: no flow */
        f = create_flow(pl, &key, hash);
        if (!f)
            return;
        struct mamori_endpoints *e = &f->endpoints;
        memcpy(e->src_mac, p->src_mac, 6);
        memcpy(e->dst_mac, p->dst_mac, 6);
        e->vlan = outer_vlan(p);
        e->ethertype = p->ethertype;
        e->flow_id = f->id;
        dispatch_flow_start(&pl->dispatch, &f->dispatch, MAMORI_TRANSPORT_ETHER, 0, 0, p->ethertype);
    }
    f->packets[MAMORI_DIR_TO_SERVER]++;
    f->bytes[MAMORI_DIR_TO_SERVER] += wirelen;
    memcpy(f->endpoints.dst_mac, p->dst_mac, 6);
    dispatch_datagram(&pl->dispatch, &f->dispatch, &f->endpoints, MAMORI_DIR_TO_SERVER, p->l2_payload,
                      p->l2_payload_len, pl->packet_us);
    flow_table_touch(pl->flows, f, pl->now_us, FLOW_CLASS_L2);
}

static void count_status(struct pipeline_stats *st, enum packet_status status)
{
    switch (status) {
    case PACKET_TRUNCATED: st->truncated++; break;
    case PACKET_MALFORMED: st->malformed++; break;
    case PACKET_UNSUPPORTED: st->unsupported++; break;
    case PACKET_OK: break;
    }
}

/* A reassembled datagram goes on like a captured packet, keeping the link layer of its last fragment. */
static void handle_fragment(struct pipeline *pl, const struct packet *p, uint32_t wirelen)
{
    size_t len = 0;
    const uint8_t *datagram = defrag_add(pl->defrag, p, pl->now_us, &len);
    if (!datagram)
        return;
    struct packet whole;
    memset(&whole, 0, sizeof whole);
    whole.has_macs = p->has_macs;
    memcpy(whole.src_mac, p->src_mac, 6);
    memcpy(whole.dst_mac, p->dst_mac, 6);
    whole.vlan_count = p->vlan_count;
    memcpy(whole.vlans, p->vlans, sizeof whole.vlans);
    whole.ethertype = p->ethertype;
    enum packet_status status = packet_decode_ip(&whole, datagram, len);
    count_status(&pl->stats, status);
    if (status == PACKET_OK && !whole.is_fragment)
        handle_ip(pl, &whole, wirelen, 0);
}

void pipeline_packet(struct pipeline *pl, int linktype, uint64_t time_us, const uint8_t *data, uint32_t caplen,
                     uint32_t wirelen)
{
    pl->stats.packets++;
    pl->stats.bytes += wirelen;
    if (caplen < wirelen)
        pl->stats.snaplen_cut++;
    pl->packet_us = time_us;
    if (time_us > pl->now_us)
        pl->now_us = time_us;
    expire_flows(pl, pl->now_us);
    tick_decoders(pl, false);

    struct packet p;
    enum packet_status status = packet_decode(&p, linktype, data, caplen);
    count_status(&pl->stats, status);
    if (p.ip_truncated)
        pl->stats.ip_truncated++;
    if (p.vlan_count)
        pl->stats.vlan_tagged++;
    if (p.kind == PACKET_KIND_IP)
        p.ip_version == 4 ? pl->stats.ipv4++ : pl->stats.ipv6++;
    if (status != PACKET_OK)
        return;
    if (p.kind == PACKET_KIND_L2)
        handle_l2(pl, &p, wirelen);
    else if (p.kind == PACKET_KIND_IP && p.is_fragment)
        handle_fragment(pl, &p, wirelen);
    else if (p.kind == PACKET_KIND_IP)
        handle_ip(pl, &p, wirelen, wirelen > caplen ? wirelen - caplen : 0);
}

static void end_at_capture_end(void *ctx, struct flow *f)
{
    end_flow(ctx, f, "end_of_capture");
}

void pipeline_finish(struct pipeline *pl)
{
    tick_decoders(pl, true);
    flow_table_each(pl->flows, end_at_capture_end, pl);
}

void pipeline_free(struct pipeline *pl)
{
    if (!pl)
        return;
    pipeline_finish(pl);
    dispatcher_destroy(&pl->dispatch);
    classifier_free(pl->classifier);
    defrag_free(pl->defrag);
    flow_table_free(pl->flows);
    tcp_reassembly_destroy(&pl->tcp);
    free(pl);
}

const struct pipeline_stats *pipeline_get_stats(const struct pipeline *pl) { return &pl->stats; }

uint32_t packet_flow_hash(int linktype, const uint8_t *data, uint32_t caplen)
{
    struct packet p;
    packet_decode(&p, linktype, data, caplen);
    struct flow_key key;
    if (p.kind == PACKET_KIND_IP && p.ip_version) {
        uint8_t side;
        /* addresses only, so every fragment of a datagram lands with its flow */
        ip_flow_key(&p, false, 0, &key, &side);
    } else if (p.kind == PACKET_KIND_L2) {
        l2_flow_key(&p, false, 0, &key);
    } else {
        return 0;
    }
    return flow_key_hash(&key);
}
