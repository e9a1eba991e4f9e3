/* hub_zap.c — ZAP request/reply on inproc://zeromq.zap.01 (hub_zap.h).
 *
 * Request (7 frames): version "1.0", request id, domain, address, routing
 * identity, mechanism, and for CURVE the client's 32-byte public key. Reply
 * (6 frames): version, request id, status code "200"/"400", status text,
 * user id, metadata (empty). */
#include "hub_zap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "hub_protocol.h"
#include "zmq_frames.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_VERSION "1.0"
#define ZAP_REQUEST_FRAMES 7
#define CURVE_KEY_BYTES 32
#define ADDRESS_TEXT 64
#define FRAME_TEXT 64

struct hub_zap {
    void *sock;
    pthread_t thread;
    const struct hub_config *cfg;
    atomic_uint_fast64_t accepted, denied;
};

/* Decides one request; fills the user id (the Z85 key) when accepted. */
static const char *decide(struct hub_zap *z, const struct frames *req, char user_id[CURVE_KEY_TEXT + 1])
{
    char domain[FRAME_TEXT];
    user_id[0] = '\0';
    if (req->count != ZAP_REQUEST_FRAMES || !frame_is(req, 0, ZAP_VERSION))
        return "malformed ZAP request";
    if (!frame_is(req, 5, "CURVE") || frame_size(req, 6) != CURVE_KEY_BYTES)
        return "CURVE required";
    if (!frame_text(req, 2, domain, sizeof domain))
        return "unknown domain";
    char key[CURVE_KEY_TEXT + 1];
    if (!zmq_z85_encode(key, frame_data(req, 6), CURVE_KEY_BYTES))
        return "bad key";
    const struct hub_peer *peer = NULL;
    if (strcmp(domain, HUB_ZAP_DOMAIN_SENSORS) == 0)
        peer = hub_peer_find(z->cfg->sensors, z->cfg->n_sensors, key);
    else if (strcmp(domain, HUB_ZAP_DOMAIN_SUBSCRIBERS) == 0)
        peer = hub_peer_find(z->cfg->subscribers, z->cfg->n_subscribers, key);
    else
        return "unknown domain";
    strcpy(user_id, key);
    return peer ? NULL : "key not allowed";
}

static void *zap_thread(void *arg)
{
    struct hub_zap *z = arg;
    struct frames req;
    while (frames_recv(z->sock, &req, 0)) {
        char user_id[CURVE_KEY_TEXT + 1], request_id[FRAME_TEXT] = "", address[ADDRESS_TEXT] = "?";
        const char *refusal = decide(z, &req, user_id);
        frame_text(&req, 3, address, sizeof address);
        size_t id_len = frame_size(&req, 1);
        if (id_len < sizeof request_id)
            memcpy(request_id, frame_data(&req, 1), id_len);
        if (refusal) {
            atomic_fetch_add(&z->denied, 1);
            fprintf(stderr, "mamori-hub: refused %s from %s: %s\n", user_id[0] ? user_id : "client", address,
                    refusal);
        } else {
            atomic_fetch_add(&z->accepted, 1);
        }
        const void *reply[] = { ZAP_VERSION, request_id, refusal ? "400" : "200", refusal ? refusal : "OK",
                                refusal ? "" : user_id, "" };
        size_t lens[] = { 0, id_len < sizeof request_id ? id_len : 0, 0, 0, 0, 0 };
        frames_send(z->sock, 0, 6, reply, lens);
        frames_close(&req);
    }
    zmq_close(z->sock);
    return NULL;
}

struct hub_zap *hub_zap_start(void *zctx, const struct hub_config *cfg, char *err, size_t errlen)
{
    struct hub_zap *z = calloc(1, sizeof *z);
    int zero = 0;
    if (!z) {
        snprintf(err, errlen, "ZAP handler: out of memory");
        return NULL;
    }
    z->cfg = cfg;
    z->sock = zmq_socket(zctx, ZMQ_REP);
    if (!z->sock || zmq_setsockopt(z->sock, ZMQ_LINGER, &zero, sizeof zero) || zmq_bind(z->sock, ZAP_ENDPOINT)) {
        snprintf(err, errlen, "ZAP handler: %s", zmq_strerror(zmq_errno()));
        if (z->sock)
            zmq_close(z->sock);
        free(z);
        return NULL;
    }
    if (pthread_create(&z->thread, NULL, zap_thread, z) != 0) {
        snprintf(err, errlen, "ZAP handler: cannot start its thread");
        zmq_close(z->sock);
        free(z);
        return NULL;
    }
    return z;
}

uint64_t hub_zap_accepted(const struct hub_zap *z) { return atomic_load(&z->accepted); }
uint64_t hub_zap_denied(const struct hub_zap *z) { return atomic_load(&z->denied); }

void hub_zap_stop(struct hub_zap *z)
{
    if (!z)
        return;
    pthread_join(z->thread, NULL);
    free(z);
}
