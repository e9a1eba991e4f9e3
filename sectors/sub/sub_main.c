/* sub_main.c — the `mamori-sub` program: subscribes to a sector hub with its
 * CURVE key and prints the alerts it may read, resuming from where it stopped
 * (docs/hub.md). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "sectors/alert_codec.h"
#include "sectors/hub/curve_keys.h"
#include "sectors/hub/hub_protocol.h"
#include "sectors/hub/zmq_frames.h"
#include "stix.h"
#include "sub_output.h"

#define PING_INTERVAL_MS 1000
#define PONG_TIMEOUT_MS 3000
#define NO_ANSWER_WARNING_MS 5000
#define POLL_MS 200
#define JSON_CAP 65536
#define TEXT_MAX 1024
#define RECONNECT_MS 100

enum format { FORMAT_AUTO, FORMAT_JSON, FORMAT_TABLE, FORMAT_STIX };

struct options {
    const char *hub, *key_file, *hub_key_file, *sectors, *min_severity, *state_file, *output;
    bool from_start;
    enum format format;
    unsigned long count;
    double idle_exit;
};

struct subscription {
    struct options opt;
    void *zctx, *sock;
    FILE *out;
    struct json_writer json;
    struct stix_writer *stix;
    char resume[64]; /* "" live, "*" everything, or an alert id */
    bool subscribed, warned;
    unsigned long received;
    uint64_t last_pong_ms, last_ping_ms, started_ms, last_alert_ms;
    struct mamori_alert alert;
};

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char usage[] =
    "usage: mamori-sub --hub ENDPOINT --key FILE --hub-key FILE [options]\n"
    "  --sectors LIST        comma-separated sectors (default: every sector the key may read)\n"
    "  --min-severity S      info, low, medium, high or critical (default info)\n"
    "  --state FILE          remember the last alert received; resume after it next time\n"
    "  --from-start          with no state yet, replay every stored alert (default: only new ones)\n"
    "  --format F            json (JSON lines), table, or stix (one STIX 2.1 bundle);\n"
    "                        default: table on a terminal, json otherwise\n"
    "  -o FILE               write to FILE instead of standard output\n"
    "  --count N             exit after N alerts\n"
    "  --idle-exit SECONDS   exit after SECONDS without an alert\n";

static bool parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = {
        { "hub", required_argument, NULL, 'H' },       { "key", required_argument, NULL, 'k' },
        { "hub-key", required_argument, NULL, 'K' },   { "sectors", required_argument, NULL, 's' },
        { "min-severity", required_argument, NULL, 'm' }, { "state", required_argument, NULL, 'S' },
        { "from-start", no_argument, NULL, 'F' },      { "format", required_argument, NULL, 'f' },
        { "count", required_argument, NULL, 'n' },     { "idle-exit", required_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },            { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->sectors = "*";
    o->min_severity = "info";
    int c;
    while ((c = getopt_long(argc, argv, "o:h", longs, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'H': o->hub = optarg; break;
        case 'k': o->key_file = optarg; break;
        case 'K': o->hub_key_file = optarg; break;
        case 's': o->sectors = optarg; break;
        case 'm': o->min_severity = optarg; break;
        case 'S': o->state_file = optarg; break;
        case 'F': o->from_start = true; break;
        case 'o': o->output = optarg; break;
        case 'n': o->count = strtoul(optarg, &end, 10); break;
        case 'i': o->idle_exit = strtod(optarg, &end); break;
        case 'f':
            o->format = strcmp(optarg, "json") == 0    ? FORMAT_JSON
                      : strcmp(optarg, "table") == 0 ? FORMAT_TABLE
                      : strcmp(optarg, "stix") == 0  ? FORMAT_STIX : FORMAT_AUTO;
            if (o->format == FORMAT_AUTO) {
                fprintf(stderr, "mamori-sub: --format: expected json, table or stix\n");
                return false;
            }
            break;
        case 'h': fputs(usage, stdout); exit(0);
        default: fputs(usage, stderr); return false;
        }
        if (end && *end) {
            fprintf(stderr, "mamori-sub: %s: not a number\n", optarg);
            return false;
        }
    }
    if (!o->hub || !o->key_file || !o->hub_key_file) {
        fprintf(stderr, "mamori-sub: --hub, --key and --hub-key are required\n%s", usage);
        return false;
    }
    if (mamori_severity_parse(o->min_severity) < 0) {
        fprintf(stderr, "mamori-sub: --min-severity: expected info, low, medium, high or critical\n");
        return false;
    }
    return true;
}

static void load_state(struct subscription *s)
{
    s->resume[0] = s->opt.from_start ? '*' : '\0';
    s->resume[1] = '\0';
    FILE *f = s->opt.state_file ? fopen(s->opt.state_file, "r") : NULL;
    char line[64];
    if (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (alert_id_valid(line))
            snprintf(s->resume, sizeof s->resume, "%s", line);
        else
            fprintf(stderr, "mamori-sub: %s: no alert id, starting without it\n", s->opt.state_file);
    }
    if (f)
        fclose(f);
}

/* Writes the resume point next to the state file, then renames it in place. */
static void save_state(struct subscription *s)
{
    if (!s->opt.state_file || !alert_id_valid(s->resume))
        return;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", s->opt.state_file);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%s\n", s->resume) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 ||
        rename(tmp, s->opt.state_file) != 0)
        fprintf(stderr, "mamori-sub: %s: %s\n", s->opt.state_file, strerror(errno));
}

static void send_subscribe(struct subscription *s)
{
    const void *frames[] = { HUB_CMD_SUB, s->opt.sectors, s->opt.min_severity, s->resume };
    frames_send(s->sock, ZMQ_DONTWAIT, 4, frames, NULL);
}

static void print_alert(struct subscription *s, const struct frames *f)
{
    char topic[TEXT_MAX], organisation[TEXT_MAX], why[ALERT_REASON_MAX];
    if (f->count != 4 || !frame_text(f, 1, topic, sizeof topic) || !frame_text(f, 2, organisation, sizeof organisation) ||
        !alert_from_msgpack(frame_data(f, 3), frame_size(f, 3), &s->alert, why, sizeof why)) {
        fprintf(stderr, "mamori-sub: malformed alert from the hub ignored\n");
        return;
    }
    if (strcmp(s->alert.id, s->resume) == 0)
        return; /* already printed before a resubscription */
    switch (s->opt.format) {
    case FORMAT_TABLE: sub_print_table_row(s->out, &s->alert, organisation); break;
    case FORMAT_STIX: stix_add(s->stix, &s->alert, organisation); break;
    default: sub_print_json(s->out, &s->json, &s->alert, organisation, topic); break;
    }
    fflush(s->out);
    snprintf(s->resume, sizeof s->resume, "%s", s->alert.id);
    save_state(s);
    s->received++;
    s->last_alert_ms = now_ms();
}

/* Returns false when the hub refused the subscription. */
static bool receive(struct subscription *s)
{
    struct frames f;
    bool ok = true;
    while (frames_recv(s->sock, &f, ZMQ_DONTWAIT)) {
        char text[TEXT_MAX];
        s->last_pong_ms = now_ms();
        if (frame_is(&f, 0, HUB_CMD_ALERT)) {
            print_alert(s, &f);
        } else if (frame_is(&f, 0, HUB_CMD_OK)) {
            if (!s->subscribed && frame_text(&f, 1, text, sizeof text))
                fprintf(stderr, "mamori-sub: subscribed to %s\n", text);
            char position[ALERT_ID_LEN + 2];
            if (!alert_id_valid(s->resume) && frame_text(&f, 2, position, sizeof position))
                snprintf(s->resume, sizeof s->resume, "%s", alert_id_valid(position) ? position : "*");
            s->subscribed = true;
        } else if (frame_is(&f, 0, HUB_CMD_ERR)) {
            if (!frame_text(&f, 1, text, sizeof text))
                snprintf(text, sizeof text, "no reason given");
            fprintf(stderr, "mamori-sub: the hub refused the subscription: %s\n", text);
            ok = false;
        } else if (frame_is(&f, 0, HUB_CMD_RESUB)) {
            send_subscribe(s);
        }
        frames_close(&f);
    }
    return ok;
}

static bool connect_hub(struct subscription *s)
{
    char secret[CURVE_KEY_TEXT + 1], public[CURVE_KEY_TEXT + 1], server[CURVE_KEY_TEXT + 1], err[TEXT_MAX];
    int zero = 0, reconnect = RECONNECT_MS;
    if (!curve_key_read(s->opt.key_file, secret, err, sizeof err) ||
        !curve_key_read(s->opt.hub_key_file, server, err, sizeof err)) {
        fprintf(stderr, "mamori-sub: %s\n", err);
        return false;
    }
    if (!curve_key_public(secret, public)) {
        fprintf(stderr, "mamori-sub: %s: not a CURVE secret key\n", s->opt.key_file);
        return false;
    }
    s->zctx = zmq_ctx_new();
    s->sock = zmq_socket(s->zctx, ZMQ_DEALER);
    if (!s->sock || zmq_setsockopt(s->sock, ZMQ_LINGER, &zero, sizeof zero) ||
        zmq_setsockopt(s->sock, ZMQ_RECONNECT_IVL, &reconnect, sizeof reconnect) ||
        zmq_setsockopt(s->sock, ZMQ_CURVE_SERVERKEY, server, CURVE_KEY_TEXT) ||
        zmq_setsockopt(s->sock, ZMQ_CURVE_PUBLICKEY, public, CURVE_KEY_TEXT) ||
        zmq_setsockopt(s->sock, ZMQ_CURVE_SECRETKEY, secret, CURVE_KEY_TEXT) || zmq_connect(s->sock, s->opt.hub)) {
        fprintf(stderr, "mamori-sub: %s: %s\n", s->opt.hub, zmq_strerror(zmq_errno()));
        return false;
    }
    return true;
}

static bool finished(const struct subscription *s, uint64_t now)
{
    if (stop_requested || (s->opt.count && s->received >= s->opt.count))
        return true;
    return s->opt.idle_exit > 0 && now - s->last_alert_ms >= (uint64_t)(s->opt.idle_exit * 1000);
}

int main(int argc, char **argv)
{
    static struct subscription s;
    if (!parse_options(argc, argv, &s.opt))
        return 2;
    s.out = s.opt.output ? fopen(s.opt.output, "w") : stdout;
    if (!s.out) {
        fprintf(stderr, "mamori-sub: %s: %s\n", s.opt.output, strerror(errno));
        return 1;
    }
    if (s.opt.format == FORMAT_AUTO)
        s.opt.format = isatty(fileno(s.out)) ? FORMAT_TABLE : FORMAT_JSON;
    if (json_writer_init(&s.json, JSON_CAP) != 0 || !connect_hub(&s))
        return 1;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    load_state(&s);
    if (s.opt.format == FORMAT_TABLE)
        sub_print_table_header(s.out);
    if (s.opt.format == FORMAT_STIX)
        s.stix = stix_open(s.out);
    s.started_ms = s.last_pong_ms = s.last_alert_ms = now_ms();
    send_subscribe(&s);
    int status = 0;
    for (;;) {
        zmq_pollitem_t item = { s.sock, 0, ZMQ_POLLIN, 0 };
        zmq_poll(&item, 1, POLL_MS);
        if (!receive(&s)) {
            status = 1;
            break;
        }
        uint64_t now = now_ms();
        if (now - s.last_ping_ms >= PING_INTERVAL_MS) {
            const void *ping[] = { HUB_CMD_PING };
            frames_send(s.sock, ZMQ_DONTWAIT, 1, ping, NULL);
            s.last_ping_ms = now;
        }
        if (now - s.last_pong_ms > PONG_TIMEOUT_MS && s.subscribed) {
            send_subscribe(&s); /* the hub may have restarted: ask again from our position */
            s.last_pong_ms = now;
        }
        if (!s.subscribed && !s.warned && now - s.started_ms > NO_ANSWER_WARNING_MS) {
            fprintf(stderr, "mamori-sub: no answer from %s yet (hub down, or wrong --hub-key / key not allowed?)\n",
                    s.opt.hub);
            s.warned = true;
        }
        if (finished(&s, now))
            break;
    }
    stix_close(s.stix);
    zmq_close(s.sock);
    zmq_ctx_term(s.zctx);
    json_writer_free(&s.json);
    if (s.out != stdout)
        fclose(s.out);
    return status;
}
