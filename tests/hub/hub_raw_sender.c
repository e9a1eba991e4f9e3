/* hub_raw_sender.c — test peer that speaks to the hub like a sensor, but sends
 * what a broken or hostile sensor would: an oversized alert, bytes that are
 * not msgpack, a valid alert with one member tampered, a message with the
 * wrong frames. Prints the hub's answer: "ACK <id>", "NACK <id> <reason>" or
 * "NOREPLY". With --mode valid it sends one good alert (to show the hub still
 * works). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "sectors/alert_codec.h"
#include "sectors/hub/curve_keys.h"
#include "sectors/hub/hub_protocol.h"
#include "sectors/hub/zmq_frames.h"

#define REPLY_TIMEOUT_MS 5000
#define OVERSIZE_BYTES 40000

static struct mamori_alert alert;
static uint8_t wire[OVERSIZE_BYTES];

static size_t valid_alert(const char *sector)
{
    memset(&alert, 0, sizeof alert);
    alert_new_id(alert.id);
    alert.time_us = 1700000000000000ULL;
    /* no sensor name: the hub fills in the name its key has in the config */
    snprintf(alert.sector, sizeof alert.sector, "%s", sector);
    alert.severity = MAMORI_SEV_HIGH;
    strcpy(alert.category, "recon");
    strcpy(alert.summary, "raw sender alert");
    alert.count = 1;
    return alert_to_msgpack(&alert, wire, sizeof wire);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: hub_raw_sender ENDPOINT KEY HUB_KEY SECTOR MODE\n"
                        "  MODE: valid, oversize, garbage, tampered, frames\n");
        return 2;
    }
    const char *endpoint = argv[1], *mode = argv[5];
    char secret[CURVE_KEY_TEXT + 1], public[CURVE_KEY_TEXT + 1], server[CURVE_KEY_TEXT + 1], err[512];
    if (!curve_key_read(argv[2], secret, err, sizeof err) || !curve_key_read(argv[3], server, err, sizeof err) ||
        !curve_key_public(secret, public)) {
        fprintf(stderr, "hub_raw_sender: %s\n", err);
        return 1;
    }
    size_t len = valid_alert(argv[4]);
    int frames = 2;
    if (strcmp(mode, "oversize") == 0) {
        memset(wire, 0xa5, sizeof wire);
        len = sizeof wire;
    } else if (strcmp(mode, "garbage") == 0) {
        memcpy(wire, "\xc1not msgpack at all", 19);
        len = 19;
    } else if (strcmp(mode, "tampered") == 0) {
        uint8_t *p = memmem(wire, len, "raw sender alert", 16);
        if (!p)
            return 1;
        p[3] = 0x07; /* a control character in the summary */
    } else if (strcmp(mode, "frames") == 0) {
        frames = 1;
    } else if (strcmp(mode, "valid") != 0) {
        fprintf(stderr, "hub_raw_sender: unknown mode %s\n", mode);
        return 2;
    }
    void *ctx = zmq_ctx_new(), *sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0, timeout = REPLY_TIMEOUT_MS;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server, CURVE_KEY_TEXT);
    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, public, CURVE_KEY_TEXT);
    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, CURVE_KEY_TEXT);
    if (zmq_connect(sock, endpoint) != 0) {
        fprintf(stderr, "hub_raw_sender: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    const void *data[] = { HUB_CMD_ALERT, wire };
    size_t lens[] = { 0, len };
    frames_send(sock, 0, frames, data, lens);
    struct frames reply;
    int status = 0;
    if (!frames_recv(sock, &reply, 0)) {
        printf("NOREPLY\n");
        status = 3;
    } else {
        char cmd[16] = "", id[64] = "", reason[256] = "";
        frame_text(&reply, 0, cmd, sizeof cmd);
        frame_text(&reply, 1, id, sizeof id);
        frame_text(&reply, 2, reason, sizeof reason);
        printf("%s %s %s\n", cmd, id[0] ? id : "-", reason);
        frames_close(&reply);
    }
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return status;
}
