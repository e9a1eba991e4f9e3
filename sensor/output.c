/* output.c — JSON-lines record streams: stdout, or one file per record type
 * in a log directory. Also renders the flow record (docs/records.md).
 *
 * One mutex guards the streams; callers render outside it, so the lock is held
 * only for a buffered fwrite. Nothing here knows about capture or pipelines. */
#include "output.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event_json.h"
#include "packet.h"

#define STDOUT_BUFFER_BYTES (1 << 20)
#define LOG_DIR_MODE 0755
#define PATH_TEXT_MAX 4096

static const char *const stream_files[OUTPUT__COUNT] = {
    [OUTPUT_FLOW] = "flow.json",
    [OUTPUT_EVENT] = "event.json",
    [OUTPUT_ALERT] = "alert.json",
    [OUTPUT_STATS] = "stats.json",
};

struct output {
    pthread_mutex_t lock;
    FILE *files[OUTPUT__COUNT]; /* all stdout without a log directory */
    bool own_files;
    char *paths[OUTPUT__COUNT];
    uint64_t written[OUTPUT__COUNT];
    uint64_t dropped;
    int write_errno; /* first write error, 0 if none */
    int failed_stream;
};

static int make_log_dir(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, LOG_DIR_MODE) == 0)
        return 0;
    int saved = errno;
    struct stat st;
    if (saved == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    snprintf(err, errlen, "%s: cannot create log directory: %s", dir,
             saved == EEXIST ? "exists and is not a directory" : strerror(saved));
    return -1;
}

static int open_log_files(struct output *out, const char *dir, char *err, size_t errlen)
{
    if (make_log_dir(dir, err, errlen) != 0)
        return -1;
    for (int s = 0; s < OUTPUT__COUNT; s++) {
        char path[PATH_TEXT_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, stream_files[s]);
        out->paths[s] = strdup(path);
        out->files[s] = fopen(path, "a");
        if (!out->files[s] || !out->paths[s]) {
            snprintf(err, errlen, "%s: cannot open log file: %s", path, strerror(errno));
            return -1;
        }
    }
    out->own_files = true;
    return 0;
}

static void free_output(struct output *out)
{
    for (int s = 0; s < OUTPUT__COUNT; s++) {
        if (out->own_files && out->files[s])
            fclose(out->files[s]);
        free(out->paths[s]);
    }
    pthread_mutex_destroy(&out->lock);
    free(out);
}

struct output *output_open(const char *log_dir, char *err, size_t errlen)
{
    struct output *out = calloc(1, sizeof *out);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&out->lock, NULL);
    out->failed_stream = -1;
    if (log_dir) {
        if (open_log_files(out, log_dir, err, errlen) != 0) {
            out->own_files = true;
            free_output(out);
            return NULL;
        }
    } else {
        /* A person watching a terminal sees each record at once. */
        setvbuf(stdout, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, STDOUT_BUFFER_BYTES);
        for (int s = 0; s < OUTPUT__COUNT; s++)
            out->files[s] = stdout;
    }
    return out;
}

void output_line(struct output *out, enum output_stream stream, const char *line, size_t len)
{
    pthread_mutex_lock(&out->lock);
    FILE *f = out->files[stream];
    if (fwrite(line, 1, len, f) != len || putc('\n', f) == EOF) {
        if (!out->write_errno) {
            out->write_errno = errno ? errno : EIO;
            out->failed_stream = stream;
        }
    } else {
        out->written[stream]++;
    }
    pthread_mutex_unlock(&out->lock);
}

void output_writer(struct output *out, enum output_stream stream, const struct json_writer *w)
{
    if (!json_writer_ok(w)) {
        pthread_mutex_lock(&out->lock);
        out->dropped++;
        pthread_mutex_unlock(&out->lock);
        return;
    }
    output_line(out, stream, w->buf, w->len);
}

void output_alert(struct output *out, const char *json, size_t len)
{
    output_line(out, OUTPUT_ALERT, json, len);
}

uint64_t output_lines_written(struct output *out, enum output_stream stream)
{
    pthread_mutex_lock(&out->lock);
    uint64_t n = out->written[stream];
    pthread_mutex_unlock(&out->lock);
    return n;
}

uint64_t output_lines_dropped(struct output *out)
{
    pthread_mutex_lock(&out->lock);
    uint64_t n = out->dropped;
    pthread_mutex_unlock(&out->lock);
    return n;
}

void output_flush(struct output *out)
{
    pthread_mutex_lock(&out->lock);
    for (int s = 0; s < OUTPUT__COUNT; s++)
        if (fflush(out->files[s]) != 0 && !out->write_errno) {
            out->write_errno = errno ? errno : EIO;
            out->failed_stream = s;
        }
    pthread_mutex_unlock(&out->lock);
}

int output_close(struct output *out, char *err, size_t errlen)
{
    output_flush(out);
    int rc = 0;
    if (out->own_files)
        for (int s = 0; s < OUTPUT__COUNT; s++) {
            if (fclose(out->files[s]) != 0 && !out->write_errno) {
                out->write_errno = errno ? errno : EIO;
                out->failed_stream = s;
            }
            out->files[s] = NULL;
        }
    if (out->write_errno) {
        snprintf(err, errlen, "%s: write failed: %s",
                 out->own_files ? out->paths[out->failed_stream] : "standard output", strerror(out->write_errno));
        rc = -1;
    }
    free_output(out);
    return rc;
}

static const char *transport_name(const struct mamori_endpoints *where)
{
    if (where->l4_proto == IP_PROTO_TCP)
        return "tcp";
    if (where->l4_proto == IP_PROTO_UDP)
        return "udp";
    if (where->l4_proto == IP_PROTO_ICMP)
        return "icmp";
    if (where->l4_proto == IP_PROTO_ICMPV6)
        return "icmp6";
    if (where->ip_version)
        return "ip";
    return "ether";
}

void flow_json(struct json_writer *w, const struct flow_record *rec)
{
    json_writer_reset(w);
    jw_object_begin(w, NULL);
    jw_string(w, "type", "flow");
    jw_time(w, "ts", rec->first_us);
    jw_uint(w, "flow_id", rec->id);
    jw_string(w, "proto", transport_name(&rec->where));
    endpoints_json_members(w, &rec->where);
    if (!rec->where.ip_version)
        jw_uint(w, "ethertype", rec->where.ethertype);
    if (rec->has_appid)
        jw_uint(w, "appid", rec->appid);
    uint64_t duration_us = rec->last_us >= rec->first_us ? rec->last_us - rec->first_us : 0;
    jw_time(w, "duration", duration_us);
    jw_uint(w, "orig_pkts", rec->packets[0]);
    jw_uint(w, "orig_bytes", rec->bytes[0]);
    jw_uint(w, "resp_pkts", rec->packets[1]);
    jw_uint(w, "resp_bytes", rec->bytes[1]);
    if (rec->state)
        jw_string(w, "state", rec->state);
    if (rec->end_reason)
        jw_string(w, "end_reason", rec->end_reason);
    jw_bool(w, "midstream", rec->midstream);
    if (rec->app_protocol)
        jw_string(w, "app_protocol", rec->app_protocol);
    if (rec->ndpi)
        jw_string(w, "ndpi", rec->ndpi);
    if (rec->category)
        jw_string(w, "category", rec->category);
    if (rec->decoder)
        jw_string(w, "decoder", rec->decoder);
    if (rec->where.l4_proto == IP_PROTO_TCP)
        jw_uint(w, "gap_bytes", rec->gaps);
    jw_object_end(w);
}
