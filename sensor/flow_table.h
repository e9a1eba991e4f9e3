/* flow_table.h — the bidirectional flow table of one pipeline.
 *
 * Flows are found by a canonical key (both directions map to the same key)
 * in a chained hash table, and come from a pool that grows in slabs up to
 * max_flows and recycles ended flows. Every flow sits on the LRU list of its
 * timeout class; a packet moves it to the tail, so the head of each list is
 * the next to expire and expiry never scans the table. When the table is
 * full, the caller ends the least recently used flow (flow_table_lru) first.
 *
 * It knows nothing of TCP state, decoders or records: pipeline.c does. */
#ifndef MAMORI_FLOW_TABLE_H
#define MAMORI_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "dispatch.h"
#include "protocols/event.h"
#include "tcp_reassembly.h"

enum flow_key_kind {
    FLOW_KEY_IPV4 = 1,
    FLOW_KEY_IPV6 = 2,
    FLOW_KEY_L2 = 3,
};

/* Compared with memcmp: always built from a zeroed struct. For IP, side 0 is
 * the lower (address, port); protocols without ports (ICMP, ESP, ...) have
 * ports 0. For layer 2, addr[0] holds the source MAC and port[0] the APPID,
 * port[1] the ethertype. `vlan` is the outermost VLAN id (0 untagged): the same
 * addresses on two VLANs are two flows, as in Suricata, unless
 * flows.vlan_in_key is off. */
struct flow_key {
    uint8_t kind;       /* enum flow_key_kind */
    uint8_t l4_proto;
    uint16_t vlan;
    uint8_t addr[2][16];
    uint16_t port[2];
};

enum flow_timeout_class {
    FLOW_CLASS_TCP,        /* TCP not yet closed */
    FLOW_CLASS_TCP_CLOSED, /* after FIN from both sides or RST */
    FLOW_CLASS_UDP,        /* UDP and other IP protocols */
    FLOW_CLASS_L2,
    FLOW_CLASS__COUNT
};

/* Zeek's TCP endpoint states, from which conn_state is derived. */
enum tcp_endpoint_state {
    TCP_EP_INACTIVE,
    TCP_EP_SYN_SENT,
    TCP_EP_SYN_ACK_SENT,
    TCP_EP_PARTIAL,
    TCP_EP_ESTABLISHED,
    TCP_EP_CLOSED,
    TCP_EP_RESET,
};

struct flow {
    struct flow_key key;
    uint32_t hash;
    struct flow *hash_next;
    struct flow *lru_prev, *lru_next;
    uint8_t timeout_class;
    bool in_use;

    uint64_t id;
    uint64_t first_us, last_us;
    uint8_t client_side;               /* key side (0/1) of the originator */
    struct mamori_endpoints endpoints; /* as the originator sends */
    uint64_t packets[2], bytes[2];     /* by direction */
    bool midstream;
    uint8_t tcp_state[2];              /* enum tcp_endpoint_state, by direction */
    bool saw_syn[2];                   /* a SYN (or SYN-ACK) came from that direction */
    uint64_t payload_bytes[2];

    struct tcp_stream streams[2]; /* by direction */
    struct dispatch_flow dispatch;
    struct classify_flow classify;
};

struct flow_table;

struct flow_table *flow_table_new(size_t max_flows, const uint64_t timeouts_us[FLOW_CLASS__COUNT]);
/* Frees the table and its pool; flows must have been ended by the caller. */
void flow_table_free(struct flow_table *ft);

uint32_t flow_key_hash(const struct flow_key *key);

struct flow *flow_table_find(struct flow_table *ft, const struct flow_key *key, uint32_t hash);

/* A new flow for key (zeroed apart from key/hash), or NULL when the table is
 * at max_flows (end the LRU flow, then retry) or memory ran out. */
struct flow *flow_table_insert(struct flow_table *ft, const struct flow_key *key, uint32_t hash);

/* Marks activity: the flow becomes the most recently used of its class. */
void flow_table_touch(struct flow_table *ft, struct flow *f, uint64_t now_us, enum flow_timeout_class cls);

/* The least recently used flow of all classes, NULL if empty. */
struct flow *flow_table_lru(struct flow_table *ft);

/* A flow idle for longer than its class timeout as of now_us, NULL if none. */
struct flow *flow_table_expired(struct flow_table *ft, uint64_t now_us);

/* Unlinks the flow and returns it to the pool. */
void flow_table_remove(struct flow_table *ft, struct flow *f);

size_t flow_table_count(const struct flow_table *ft);
size_t flow_table_memory(const struct flow_table *ft);

/* Calls fn for every flow (end of capture). fn may remove the flow. */
void flow_table_each(struct flow_table *ft, void (*fn)(void *ctx, struct flow *f), void *ctx);

#endif
