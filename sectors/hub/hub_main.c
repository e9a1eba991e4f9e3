/* hub_main.c — the `mamori-hub` program: run the hub, make keys, push
 * indicators, ask a running hub for statistics or health (docs/hub.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "curve_keys.h"
#include "hub_config.h"
#include "hub_protocol.h"
#include "hub_server.h"
#include "hub_store.h"

#define CONTROL_TIMEOUT_MS 3000
#define REPLY_MAX 65536
#define ERR_TEXT 1024

static const char usage[] =
    "usage: mamori-hub [run] -c CONFIG              run the hub in the foreground\n"
    "       mamori-hub keygen NAME [-d DIR]         write DIR/NAME.key (secret) and DIR/NAME.pub\n"
    "       mamori-hub indicators push FILE --sector SECTOR -c CONFIG\n"
    "                                               publish an indicator set to a sector's sensors\n"
    "       mamori-hub stats -c CONFIG              statistics of the running hub (JSON)\n"
    "       mamori-hub health -c CONFIG             exit 0 when the running hub answers and is healthy\n";

/* Finds "-c FILE" (or --config FILE) among the arguments. */
static const char *option_value(int argc, char **argv, const char *shortname, const char *longname)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], shortname) == 0 || strcmp(argv[i], longname) == 0)
            return argv[i + 1];
    return NULL;
}

static struct hub_config *load_config(int argc, char **argv)
{
    const char *path = option_value(argc, argv, "-c", "--config");
    char err[ERR_TEXT];
    if (!path) {
        fprintf(stderr, "mamori-hub: -c CONFIG is required\n%s", usage);
        return NULL;
    }
    struct hub_config *cfg = malloc(sizeof *cfg);
    if (!cfg || !hub_config_load(path, cfg, err, sizeof err)) {
        fprintf(stderr, "mamori-hub: %s\n", cfg ? err : "out of memory");
        free(cfg);
        return NULL;
    }
    return cfg;
}

static int cmd_keygen(int argc, char **argv)
{
    const char *dir = option_value(argc, argv, "-d", "--dir");
    char pub[CURVE_KEY_TEXT + 1], err[ERR_TEXT];
    if (argc < 3 || argv[2][0] == '-' || strchr(argv[2], '/')) {
        fprintf(stderr, "mamori-hub keygen: expected a key name without '/'\n%s", usage);
        return 2;
    }
    if (!curve_keypair_write(dir ? dir : ".", argv[2], pub, err, sizeof err)) {
        fprintf(stderr, "mamori-hub keygen: %s\n", err);
        return 1;
    }
    printf("%s\n", pub);
    return 0;
}

static int cmd_indicators(int argc, char **argv)
{
    const char *sector = option_value(argc, argv, "-s", "--sector");
    if (argc < 4 || strcmp(argv[2], "push") != 0 || !sector) {
        fprintf(stderr, "mamori-hub indicators: expected push FILE --sector SECTOR -c CONFIG\n");
        return 2;
    }
    const char *file = argv[3];
    struct hub_config *cfg = load_config(argc, argv);
    if (!cfg)
        return 1;
    int status = 1;
    char err[ERR_TEXT];
    FILE *f = fopen(file, "rb");
    uint8_t *body = malloc(HUB_INDICATORS_MAX + 1);
    size_t len = f && body ? fread(body, 1, HUB_INDICATORS_MAX + 1, f) : 0;
    struct hub_store *store = NULL;
    bool known = false;
    for (unsigned i = 0; i < cfg->n_sensors; i++)
        known |= hub_peer_has_sector(&cfg->sensors[i], sector);
    if (!f)
        fprintf(stderr, "mamori-hub: %s: %s\n", file, strerror(errno));
    else if (len > HUB_INDICATORS_MAX)
        fprintf(stderr, "mamori-hub: %s: larger than %d bytes\n", file, HUB_INDICATORS_MAX);
    else if (len == 0)
        fprintf(stderr, "mamori-hub: %s: empty\n", file);
    else if (!known)
        fprintf(stderr, "mamori-hub: no sensor in %s posts for sector '%s'\n", cfg->path, sector);
    else if (!(store = hub_store_open(cfg->store_path, err, sizeof err)))
        fprintf(stderr, "mamori-hub: %s\n", err);
    else {
        uint64_t version = hub_store_add_indicators(store, sector, body, len);
        if (version) {
            printf("sector %s: indicators version %llu stored (%zu bytes); connected sensors get it within a second\n",
                   sector, (unsigned long long)version, len);
            status = 0;
        } else {
            fprintf(stderr, "mamori-hub: %s: could not store the indicators\n", cfg->store_path);
        }
    }
    hub_store_close(store);
    if (f)
        fclose(f);
    free(body);
    free(cfg);
    return status;
}

/* Sends a control command to the running hub and prints its JSON answer. */
static int cmd_control(int argc, char **argv, const char *command)
{
    struct hub_config *cfg = load_config(argc, argv);
    if (!cfg)
        return 1;
    int timeout = CONTROL_TIMEOUT_MS, zero = 0, status = 1;
    void *ctx = zmq_ctx_new(), *req = zmq_socket(ctx, ZMQ_REQ);
    char *reply = malloc(REPLY_MAX + 1);
    zmq_setsockopt(req, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(req, ZMQ_LINGER, &zero, sizeof zero);
    int n = -1;
    if (reply && zmq_connect(req, cfg->control_endpoint) == 0 && zmq_send(req, command, strlen(command), 0) >= 0)
        n = zmq_recv(req, reply, REPLY_MAX, 0);
    if (n < 0) {
        fprintf(stderr, "mamori-hub: no answer from the hub on %s\n", cfg->control_endpoint);
    } else {
        reply[n < REPLY_MAX ? n : REPLY_MAX] = '\0';
        printf("%s\n", reply);
        status = strstr(reply, "\"status\":\"ok\"") ? 0 : 1;
    }
    zmq_close(req);
    zmq_ctx_term(ctx);
    free(reply);
    free(cfg);
    return status;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "--version") == 0) {
        printf("mamori-hub %s\n", MAMORI_VERSION);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "keygen") == 0)
        return cmd_keygen(argc, argv);
    if (strcmp(cmd, "indicators") == 0)
        return cmd_indicators(argc, argv);
    if (strcmp(cmd, "stats") == 0 || strcmp(cmd, "health") == 0)
        return cmd_control(argc, argv, cmd);
    if (strcmp(cmd, "run") == 0 || strcmp(cmd, "-c") == 0 || strcmp(cmd, "--config") == 0) {
        struct hub_config *cfg = load_config(argc, argv);
        if (!cfg)
            return 1;
        int status = hub_server_run(cfg);
        free(cfg);
        return status;
    }
    fputs(usage, stderr);
    return 2;
}
