/* source.h — where frames come from: a pcap/pcapng file or a live interface,
 * both through libpcap, with an optional BPF filter.
 *
 * A live source is opened non-blocking and read with a poll() timeout, so an
 * idle interface never blocks shutdown or periodic work. A source never
 * transmits. Errors come back as one line naming the file or interface. */
#ifndef MAMORI_SOURCE_H
#define MAMORI_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct live_options {
    uint32_t snaplen;
    uint64_t buffer_bytes;
    bool immediate;
    bool promiscuous;
};

/* What a source has seen; pcap_stats() counters for live interfaces. */
struct source_counters {
    uint64_t packets, bytes;  /* frames handed on, and their captured bytes */
    uint64_t received;        /* ps_recv (live) */
    uint64_t dropped;         /* ps_drop: no room in the kernel buffer */
    uint64_t if_dropped;      /* ps_ifdrop: dropped by the interface or driver */
    bool truncated;           /* the file ended inside a record */
};

enum source_status {
    SOURCE_MORE,      /* call again */
    SOURCE_IDLE,      /* live: nothing arrived within the timeout */
    SOURCE_END,       /* file: every packet read */
    SOURCE_TRUNCATED, /* file: ended inside a packet record; err says where */
    SOURCE_STOPPED,   /* source_break() was called */
    SOURCE_ERROR,     /* err holds one line */
};

typedef void (*source_frame_fn)(void *ctx, int linktype, uint64_t time_us, const uint8_t *data,
                                uint32_t caplen, uint32_t wirelen);

struct capture_source;

/* path "-" reads a capture from standard input. */
struct capture_source *source_open_file(const char *path, const char *filter, char *err, size_t errlen);
struct capture_source *source_open_live(const char *interface, const struct live_options *opts,
                                        const char *filter, char *err, size_t errlen);

/* Reads what is available (a batch for files; for live sources, waits up to
 * timeout_ms for frames first) and hands each frame to fn. */
enum source_status source_read(struct capture_source *src, int timeout_ms, source_frame_fn fn, void *ctx,
                               char *err, size_t errlen);

/* Makes the current or next source_read() return SOURCE_STOPPED. Safe to call
 * from a signal handler. */
void source_break(struct capture_source *src);

/* Refreshes the kernel counters of a live source; file sources only count. */
void source_counters(struct capture_source *src, struct source_counters *out);

const char *source_name(const struct capture_source *src);
bool source_is_live(const struct capture_source *src);
int source_linktype(const struct capture_source *src);
const char *source_linktype_name(const struct capture_source *src);
/* Files: bytes read so far and the file's size (for the progress bar). */
uint64_t source_file_offset(const struct capture_source *src);
uint64_t source_file_size(const struct capture_source *src);

void source_close(struct capture_source *src);

#endif
