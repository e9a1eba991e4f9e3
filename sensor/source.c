/* source.c — libpcap capture sources: files (pcap and pcapng, any link type
 * libpcap reads) and live interfaces (pcap_create, non-blocking, polled).
 *
 * This file turns libpcap's errors into one line naming the file or the
 * interface; it does not parse frames. */
#include "source.h"

#include <errno.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_BATCH_FRAMES 512
#define LIVE_READ_TIMEOUT_MS 100
#define US_PER_S UINT64_C(1000000)
#define STDIN_PATH "-" /* -r - reads standard input, as tcpdump does */

struct capture_source {
    pcap_t *pcap;
    char *name;
    bool live;
    int linktype;
    uint64_t file_size;
    struct source_counters counters;
    source_frame_fn fn;
    void *fn_ctx;
};

static int apply_filter(struct capture_source *src, const char *filter, char *err, size_t errlen)
{
    if (!filter || !filter[0])
        return 0;
    struct bpf_program prog;
    if (pcap_compile(src->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "bad BPF filter '%s' for %s: %s", filter, src->name, pcap_geterr(src->pcap));
        return -1;
    }
    int rc = pcap_setfilter(src->pcap, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot set BPF filter '%s': %s", src->name, filter, pcap_geterr(src->pcap));
        return -1;
    }
    return 0;
}

static struct capture_source *new_source(const char *name, bool live)
{
    struct capture_source *src = calloc(1, sizeof *src);
    if (!src)
        return NULL;
    src->name = strdup(name);
    src->live = live;
    if (!src->name) {
        free(src);
        return NULL;
    }
    return src;
}

struct capture_source *source_open_file(const char *path, const char *filter, char *err, size_t errlen)
{
    struct stat st = {0};
    bool from_stdin = strcmp(path, STDIN_PATH) == 0;
    if (!from_stdin && stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: cannot read capture file: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: cannot read capture file: is a directory", path);
        return NULL;
    }
    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, pcap_err);
    if (!p) {
        if (st.st_size == 0 && !from_stdin)
            snprintf(err, errlen, "%s: not a capture file: the file is empty", path);
        else if (strstr(pcap_err, "unknown file format") || strstr(pcap_err, "truncated"))
            snprintf(err, errlen, "%s: not a pcap or pcapng capture file (%s)", path, pcap_err);
        else if (strncmp(pcap_err, path, strlen(path)) == 0)
            snprintf(err, errlen, "%s: cannot read capture file%s", path, pcap_err + strlen(path));
        else
            snprintf(err, errlen, "%s: cannot read capture file: %s", path, pcap_err);
        return NULL;
    }
    struct capture_source *src = new_source(path, false);
    if (!src) {
        pcap_close(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    src->pcap = p;
    src->linktype = pcap_datalink(p);
    src->file_size = (uint64_t)st.st_size;
    if (apply_filter(src, filter, err, errlen) != 0) {
        source_close(src);
        return NULL;
    }
    return src;
}

static int live_error(pcap_t *p, const char *interface, int rc, char *err, size_t errlen)
{
    const char *detail = pcap_geterr(p);
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, errlen, "%s: no such network interface", interface);
        break;
    case PCAP_ERROR_PERM_DENIED:
        snprintf(err, errlen, "%s: permission denied: capturing needs root or CAP_NET_RAW (%s)", interface,
                 detail);
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, errlen, "%s: the network interface is down", interface);
        break;
    default:
        snprintf(err, errlen, "%s: cannot capture: %s%s%s", interface, pcap_statustostr(rc),
                 detail[0] ? ": " : "", detail);
        break;
    }
    return -1;
}

struct capture_source *source_open_live(const char *interface, const struct live_options *opts,
                                        const char *filter, char *err, size_t errlen)
{
    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(interface, pcap_err);
    if (!p) {
        snprintf(err, errlen, "%s: cannot capture: %s", interface, pcap_err);
        return NULL;
    }
    pcap_set_snaplen(p, (int)opts->snaplen);
    pcap_set_promisc(p, opts->promiscuous);
    pcap_set_buffer_size(p, opts->buffer_bytes > INT32_MAX ? INT32_MAX : (int)opts->buffer_bytes);
    pcap_set_immediate_mode(p, opts->immediate);
    pcap_set_timeout(p, LIVE_READ_TIMEOUT_MS);
    int rc = pcap_activate(p);
    if (rc < 0) {
        live_error(p, interface, rc, err, errlen);
        pcap_close(p);
        return NULL;
    }
    if (rc > 0)
        fprintf(stderr, "mamori: %s: warning: %s: %s\n", interface, pcap_statustostr(rc), pcap_geterr(p));
    struct capture_source *src = new_source(interface, true);
    if (!src) {
        pcap_close(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    src->pcap = p;
    src->linktype = pcap_datalink(p);
    if (apply_filter(src, filter, err, errlen) != 0) {
        source_close(src);
        return NULL;
    }
    if (pcap_setnonblock(p, 1, pcap_err) != 0 || pcap_get_selectable_fd(p) < 0) {
        snprintf(err, errlen, "%s: cannot poll the capture: %s", interface, pcap_err);
        source_close(src);
        return NULL;
    }
    return src;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct capture_source *src = (struct capture_source *)user;
    uint64_t time_us = (uint64_t)h->ts.tv_sec * US_PER_S + (uint64_t)h->ts.tv_usec;
    src->counters.packets++;
    src->counters.bytes += h->caplen;
    src->fn(src->fn_ctx, src->linktype, time_us, bytes, h->caplen, h->len);
}

static enum source_status read_error(struct capture_source *src, char *err, size_t errlen)
{
    const char *why = pcap_geterr(src->pcap);
    if (!src->live && strstr(why, "truncated")) {
        src->counters.truncated = true;
        snprintf(err, errlen, "%s: capture file is truncated after %llu complete packets (%s)", src->name,
                 (unsigned long long)src->counters.packets, why);
        return SOURCE_TRUNCATED;
    }
    snprintf(err, errlen, "%s: read error after %llu packets: %s", src->name,
             (unsigned long long)src->counters.packets, why);
    return SOURCE_ERROR;
}

enum source_status source_read(struct capture_source *src, int timeout_ms, source_frame_fn fn, void *ctx,
                               char *err, size_t errlen)
{
    src->fn = fn;
    src->fn_ctx = ctx;
    if (src->live) {
        struct pollfd pfd = {.fd = pcap_get_selectable_fd(src->pcap), .events = POLLIN};
        int ready = poll(&pfd, 1, timeout_ms);
        if (ready < 0 && errno != EINTR) {
            snprintf(err, errlen, "%s: poll failed: %s", src->name, strerror(errno));
            return SOURCE_ERROR;
        }
        if (ready <= 0)
            return SOURCE_IDLE;
    }
    int n = pcap_dispatch(src->pcap, src->live ? -1 : FILE_BATCH_FRAMES, on_frame, (u_char *)src);
    if (n == PCAP_ERROR_BREAK)
        return SOURCE_STOPPED;
    if (n < 0)
        return read_error(src, err, errlen);
    if (n == 0)
        return src->live ? SOURCE_IDLE : SOURCE_END;
    return SOURCE_MORE;
}

void source_break(struct capture_source *src)
{
    pcap_breakloop(src->pcap);
}

void source_counters(struct capture_source *src, struct source_counters *out)
{
    if (src->live) {
        struct pcap_stat ps;
        if (pcap_stats(src->pcap, &ps) == 0) {
            src->counters.received = ps.ps_recv;
            src->counters.dropped = ps.ps_drop;
            src->counters.if_dropped = ps.ps_ifdrop;
        }
    }
    *out = src->counters;
}

const char *source_name(const struct capture_source *src) { return src->name; }
bool source_is_live(const struct capture_source *src) { return src->live; }
int source_linktype(const struct capture_source *src) { return src->linktype; }
uint64_t source_file_size(const struct capture_source *src) { return src->file_size; }

const char *source_linktype_name(const struct capture_source *src)
{
    const char *name = pcap_datalink_val_to_name(src->linktype);
    return name ? name : "unknown";
}

uint64_t source_file_offset(const struct capture_source *src)
{
    if (src->live)
        return 0;
    FILE *f = pcap_file(src->pcap);
    long pos = f ? ftell(f) : -1;
    return pos > 0 ? (uint64_t)pos : 0;
}

void source_close(struct capture_source *src)
{
    if (!src)
        return;
    if (src->pcap)
        pcap_close(src->pcap);
    free(src->name);
    free(src);
}
