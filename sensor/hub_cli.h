/* hub_cli.h — the hub link inside the `mamori` program: starts the publisher
 * from the hub.* settings (--hub, --key, --hub-key, or the YAML config),
 * hands it every alert the engine raises, applies the indicator sets the hub
 * pushes (indicator_watch.h, when hub.indicators_dir is set), and at the end
 * gives the publisher a few seconds to deliver what is left; what it cannot
 * deliver stays in the spool for the next start. */
#ifndef MAMORI_HUB_CLI_H
#define MAMORI_HUB_CLI_H

#include <stddef.h>

#include "config.h"
#include "event_bus.h"
#include "hub_publisher.h"

struct hub_link;

/* NULL with err[0] == '\0' when no hub is configured; NULL with a reason in
 * err when it is configured but cannot start. */
struct hub_link *hub_cli_start(const struct mamori_config *cfg, char *err, size_t errlen);
/* Attaches the indicator watch to the bus (nothing without a link or
 * hub.indicators_dir). Returns 0, or -1 when the bus is full. */
int hub_cli_attach(struct hub_link *link, struct event_bus *bus);
/* Alert sink for the engine: ctx is the link (NULL: nothing to do). */
void hub_cli_alert(void *ctx, const struct mamori_alert *a);
/* Waits up to the drain time for delivery, reports to stderr, frees the link. */
void hub_cli_stop(struct hub_link *link, const struct mamori_config *cfg);

#endif
