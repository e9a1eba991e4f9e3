/* hub_cli.h — the hub link inside the `mamori` program: starts the publisher
 * from the hub.* settings (--hub, --key, --hub-key, or the YAML config),
 * hands it every alert the engine raises, and at the end gives it a few
 * seconds to deliver what is left; what it cannot deliver stays in the spool
 * for the next start. */
#ifndef MAMORI_HUB_CLI_H
#define MAMORI_HUB_CLI_H

#include <stddef.h>

#include "config.h"
#include "hub_publisher.h"

/* NULL with err[0] == '\0' when no hub is configured; NULL with a reason in
 * err when it is configured but cannot start. */
struct hub_publisher *hub_cli_start(const struct mamori_config *cfg, char *err, size_t errlen);
/* Alert sink for the engine: ctx is the publisher (NULL: nothing to do). */
void hub_cli_alert(void *ctx, const struct mamori_alert *a);
/* Waits up to the drain time for delivery, reports to stderr, stops. */
void hub_cli_stop(struct hub_publisher *p, const struct mamori_config *cfg);

#endif
