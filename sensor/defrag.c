/* defrag.c — IPv4/IPv6 fragment reassembly (see defrag.h).
 *
 * Each datagram keeps a bitmap of the 8-byte blocks it holds, so overlaps are
 * found exactly and only new blocks are copied (the first copy wins). Datagrams
 * sit on an age list, oldest first: expiry and eviction take its head. */
#include "defrag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "pipeline_stats.h"

#define DEFRAG_BLOCK 8
#define IPV4_HEADER_LEN 20
#define IPV6_HEADER_LEN 40
#define IPV4_MAX_PAYLOAD (65535 - IPV4_HEADER_LEN)
#define IPV6_MAX_PAYLOAD 65535
#define DEFRAG_MAX_BLOCKS ((IPV6_MAX_PAYLOAD + DEFRAG_BLOCK - 1) / DEFRAG_BLOCK)
#define DEFRAG_BUFFER_STEP 512

struct datagram {
    struct datagram *older, *newer; /* age list; `newer` links the free list */
    uint8_t ip_version, proto, ttl;
    uint8_t src[16], dst[16];
    uint32_t id;
    uint64_t first_us;
    bool have_last;
    uint32_t total_len;     /* payload bytes, known once the last fragment is in */
    uint32_t blocks_held;
    uint32_t fragments;
    size_t held;            /* payload bytes copied */
    uint8_t *buf;
    size_t cap;
    uint8_t blocks[(DEFRAG_MAX_BLOCKS + 7) / 8];
};

struct defrag {
    size_t max_datagrams, total_limit;
    uint64_t timeout_us;
    size_t in_use, allocated, held_total;
    size_t buffer_bytes; /* capacity of every datagram buffer, in use or pooled */
    struct datagram *oldest, *newest;
    struct datagram *free_list;
    uint8_t *out; /* the last reassembled datagram */
    struct pipeline_stats *stats;
};

static void update_memory(struct defrag *d)
{
    d->stats->memory_defrag = IPV6_HEADER_LEN + IPV6_MAX_PAYLOAD + d->allocated * sizeof(struct datagram) +
                              d->buffer_bytes;
}

struct defrag *defrag_new(size_t max_datagrams, size_t total_bytes, uint64_t timeout_us,
                          struct pipeline_stats *stats)
{
    struct defrag *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->out = malloc(IPV6_HEADER_LEN + IPV6_MAX_PAYLOAD);
    if (!d->out) {
        free(d);
        return NULL;
    }
    d->max_datagrams = max_datagrams;
    d->total_limit = total_bytes;
    d->timeout_us = timeout_us;
    d->stats = stats;
    update_memory(d);
    return d;
}

static void free_chain(struct datagram *g)
{
    while (g) {
        struct datagram *next = g->newer;
        free(g->buf);
        free(g);
        g = next;
    }
}

void defrag_free(struct defrag *d)
{
    if (!d)
        return;
    free_chain(d->oldest);
    free_chain(d->free_list);
    free(d->out);
    free(d);
}

static void unlink_datagram(struct defrag *d, struct datagram *g)
{
    if (g->older)
        g->older->newer = g->newer;
    else
        d->oldest = g->newer;
    if (g->newer)
        g->newer->older = g->older;
    else
        d->newest = g->older;
}

static void release(struct defrag *d, struct datagram *g)
{
    unlink_datagram(d, g);
    d->held_total -= g->held;
    d->in_use--;
    g->older = NULL;
    g->newer = d->free_list;
    d->free_list = g;
}

/* Drops an unfinished datagram; its fragments count as dropped. */
static void drop(struct defrag *d, struct datagram *g)
{
    d->stats->fragments_dropped += g->fragments;
    release(d, g);
}

void defrag_expire(struct defrag *d, uint64_t now_us)
{
    while (d->oldest && d->oldest->first_us + d->timeout_us <= now_us) {
        d->stats->fragments_timed_out++;
        drop(d, d->oldest);
    }
}

static bool same_datagram(const struct datagram *g, const struct packet *p)
{
    size_t addr_len = p->ip_version == 6 ? 16 : 4;
    return g->id == p->frag_id && g->ip_version == p->ip_version && g->proto == p->l4_proto &&
           memcmp(g->src, p->src_ip, addr_len) == 0 && memcmp(g->dst, p->dst_ip, addr_len) == 0;
}

static struct datagram *find_or_start(struct defrag *d, const struct packet *p, uint64_t now_us)
{
    for (struct datagram *g = d->newest; g; g = g->older)
        if (same_datagram(g, p))
            return g;
    if (d->max_datagrams == 0)
        return NULL;
    while (d->in_use >= d->max_datagrams)
        drop(d, d->oldest);
    struct datagram *g = d->free_list;
    if (g) {
        d->free_list = g->newer;
    } else {
        g = calloc(1, sizeof *g);
        if (!g)
            return NULL;
        d->allocated++;
    }
    uint8_t *buf = g->buf;
    size_t cap = g->cap;
    memset(g, 0, sizeof *g);
    g->buf = buf;
    g->cap = cap;
    g->ip_version = p->ip_version;
    g->proto = p->l4_proto;
    g->ttl = p->ttl;
    memcpy(g->src, p->src_ip, sizeof g->src);
    memcpy(g->dst, p->dst_ip, sizeof g->dst);
    g->id = p->frag_id;
    g->first_us = now_us;
    g->older = d->newest;
    if (d->newest)
        d->newest->newer = g;
    else
        d->oldest = g;
    d->newest = g;
    d->in_use++;
    return g;
}

static bool block_held(const struct datagram *g, uint32_t block)
{
    return (g->blocks[block / 8] >> (block % 8)) & 1;
}

/* Frees one pooled buffer, or else drops the oldest datagram other than
 * `keep` (its buffer is freed on a later call). False when nothing is left. */
static bool reclaim_buffer(struct defrag *d, const struct datagram *keep)
{
    for (struct datagram *g = d->free_list; g; g = g->newer) {
        if (g->buf) {
            d->buffer_bytes -= g->cap;
            free(g->buf);
            g->buf = NULL;
            g->cap = 0;
            return true;
        }
    }
    if (d->oldest && d->oldest != keep) {
        drop(d, d->oldest);
        return true;
    }
    return false;
}

/* Grows g's buffer to `need` bytes while all buffers stay within the byte
 * bound: a fragment far into a datagram costs its offset, not its length. */
static bool ensure_capacity(struct defrag *d, struct datagram *g, size_t need)
{
    if (need <= g->cap)
        return true;
    size_t cap = (need + DEFRAG_BUFFER_STEP - 1) / DEFRAG_BUFFER_STEP * DEFRAG_BUFFER_STEP;
    while (d->buffer_bytes + (cap - g->cap) > d->total_limit)
        if (!reclaim_buffer(d, g))
            return false;
    uint8_t *buf = realloc(g->buf, cap);
    if (!buf)
        return false;
    d->buffer_bytes += cap - g->cap;
    g->buf = buf;
    g->cap = cap;
    update_memory(d);
    return true;
}

/* Writes the reassembled datagram with a fresh minimal header into d->out. */
static size_t build_datagram(struct defrag *d, const struct datagram *g)
{
    uint8_t *o = d->out;
    size_t header_len;
    if (g->ip_version == 4) {
        size_t total = IPV4_HEADER_LEN + g->total_len;
        header_len = IPV4_HEADER_LEN;
        memset(o, 0, header_len);
        o[0] = 0x45;
        o[2] = (uint8_t)(total >> 8);
        o[3] = (uint8_t)total;
        o[4] = (uint8_t)(g->id >> 8);
        o[5] = (uint8_t)g->id;
        o[8] = g->ttl;
        o[9] = g->proto;
        memcpy(o + 12, g->src, 4);
        memcpy(o + 16, g->dst, 4);
    } else {
        header_len = IPV6_HEADER_LEN;
        memset(o, 0, header_len);
        o[0] = 0x60;
        o[4] = (uint8_t)(g->total_len >> 8);
        o[5] = (uint8_t)g->total_len;
        o[6] = g->proto;
        o[7] = g->ttl;
        memcpy(o + 8, g->src, 16);
        memcpy(o + 24, g->dst, 16);
    }
    memcpy(o + header_len, g->buf, g->total_len);
    return header_len + g->total_len;
}

const uint8_t *defrag_add(struct defrag *d, const struct packet *p, uint64_t now_us, size_t *len)
{
    d->stats->fragments++;
    defrag_expire(d, now_us);
    uint32_t offset = p->frag_offset;
    size_t frag_len = p->frag_payload_len;
    uint32_t max_payload = p->ip_version == 6 ? IPV6_MAX_PAYLOAD : IPV4_MAX_PAYLOAD;
    bool malformed = (p->frag_more && frag_len % DEFRAG_BLOCK != 0) || (p->frag_more && frag_len == 0) ||
                     offset + frag_len > max_payload;
    struct datagram *g = malformed ? NULL : find_or_start(d, p, now_us);
    if (!g) {
        d->stats->fragments_dropped++;
        return NULL;
    }
    uint32_t end = offset + (uint32_t)frag_len;
    bool inconsistent = (g->have_last && (end > g->total_len || (!p->frag_more && end != g->total_len)));
    if (!inconsistent && !p->frag_more) {
        /* no block held beyond the end this fragment declares */
        uint32_t first_after = (end + DEFRAG_BLOCK - 1) / DEFRAG_BLOCK;
        for (uint32_t b = first_after; b < DEFRAG_MAX_BLOCKS && !inconsistent && g->blocks_held; b++)
            inconsistent = block_held(g, b);
    }
    if (inconsistent) {
        d->stats->fragments_dropped++;
        d->stats->fragment_overlaps++;
        drop(d, g);
        return NULL;
    }
    while (d->held_total + frag_len > d->total_limit && d->oldest && d->oldest != g)
        drop(d, d->oldest);
    if (d->held_total + frag_len > d->total_limit || !ensure_capacity(d, g, end)) {
        d->stats->fragments_dropped++;
        drop(d, g);
        return NULL;
    }
    g->fragments++;
    bool overlapped = false;
    for (uint32_t pos = offset; pos < end;) {
        uint32_t block = pos / DEFRAG_BLOCK;
        uint32_t block_end = (block + 1) * DEFRAG_BLOCK < end ? (block + 1) * DEFRAG_BLOCK : end;
        if (block_held(g, block)) {
            overlapped = true;
        } else {
            memcpy(g->buf + pos, p->frag_payload + (pos - offset), block_end - pos);
            g->blocks[block / 8] |= (uint8_t)(1u << (block % 8));
            g->blocks_held++;
            g->held += block_end - pos;
            d->held_total += block_end - pos;
        }
        pos = block_end;
    }
    if (overlapped)
        d->stats->fragment_overlaps++;
    if (!p->frag_more) {
        g->have_last = true;
        g->total_len = end;
    }
    if (!g->have_last || g->blocks_held != (g->total_len + DEFRAG_BLOCK - 1) / DEFRAG_BLOCK)
        return NULL;
    *len = build_datagram(d, g);
    d->stats->fragments_reassembled++;
    release(d, g);
    return d->out;
}
