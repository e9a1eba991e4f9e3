/* defrag.h — bounded IPv4 and IPv6 fragment reassembly.
 *
 * Fragments are grouped by (IP version, source, destination, protocol, id).
 * The first copy of every byte wins; a fragment overlapping bytes already held
 * is counted. A datagram is complete when its last fragment (MF clear) is in
 * and every byte before it; the result is a fresh datagram with a minimal IP
 * header (no options or extension headers before the fragment header) that the
 * caller decodes like a captured one. Bounds: datagrams under reassembly,
 * total fragment bytes held, and a timeout from the first fragment; the oldest
 * datagram is dropped (and counted) to make room.
 *
 * It does not decode what it reassembles. */
#ifndef MAMORI_DEFRAG_H
#define MAMORI_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

struct packet;
struct pipeline_stats;
struct defrag;

struct defrag *defrag_new(size_t max_datagrams, size_t total_bytes, uint64_t timeout_us,
                          struct pipeline_stats *stats);
void defrag_free(struct defrag *d);

/* Adds the fragment in p (p->is_fragment). When it completes a datagram,
 * returns the reassembled IP datagram and sets *len; the bytes stay valid
 * until the next call. Otherwise returns NULL. */
const uint8_t *defrag_add(struct defrag *d, const struct packet *p, uint64_t now_us, size_t *len);

/* Drops datagrams whose first fragment is older than the timeout. */
void defrag_expire(struct defrag *d, uint64_t now_us);

#endif
