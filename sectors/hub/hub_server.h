/* hub_server.h — the running hub: sockets, store, delivery to subscribers.
 *
 * Sensors post on a CURVE ROUTER socket; each alert is validated, checked
 * against the sectors and site its key is bound to, stored (deduplicated by id)
 * and acknowledged after the transaction commits. Subscribers talk to a second
 * CURVE ROUTER socket: the hub sends each one, from the store, only alerts of
 * the sectors its key may read, from where it asked to resume, then live.
 * A control socket answers `stats` and `health`. Runs in the foreground until
 * SIGINT or SIGTERM. */
#ifndef MAMORI_HUB_SERVER_H
#define MAMORI_HUB_SERVER_H

#include "hub_config.h"

/* Returns the process exit status. */
int hub_server_run(const struct hub_config *cfg);

#endif
