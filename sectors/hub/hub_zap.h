/* hub_zap.h — the hub's ZeroMQ authentication handler (ZAP, RFC 27).
 *
 * libzmq accepts any CURVE client key unless a ZAP handler says otherwise. This
 * one answers on inproc://zeromq.zap.01 from a thread of its own: a key is
 * accepted on the sensors domain only when it is an allow-listed sensor key,
 * and on the subscribers domain only when it is an allow-listed subscriber
 * key. The user id it returns is the key itself (Z85), which the hub reads back
 * from each message ("User-Id") to find the organisation, site and sectors the
 * key is bound to. Refusals are logged and counted. */
#ifndef MAMORI_HUB_ZAP_H
#define MAMORI_HUB_ZAP_H

#include <stdint.h>

#include "hub_config.h"

struct hub_zap;

/* Binds the handler in zctx; must run before the hub's sockets bind. */
struct hub_zap *hub_zap_start(void *zctx, const struct hub_config *cfg, char *err, size_t errlen);
uint64_t hub_zap_accepted(const struct hub_zap *z);
uint64_t hub_zap_denied(const struct hub_zap *z);
/* Call after zmq_ctx_shutdown(zctx): joins the thread and frees z. */
void hub_zap_stop(struct hub_zap *z);

#endif
