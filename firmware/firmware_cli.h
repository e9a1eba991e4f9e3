/* firmware_cli.h — the firmware module's part of the `mamori` program.
 *
 * Command: `mamori inventory ...` (inventory_cli.h).
 * Options taken out of the command line before the core parses the rest:
 *   --inventory FILE          keep the asset inventory in this SQLite file
 *   --advisories DIR          match devices against the CSAF 2.0 advisories in DIR
 *   --untrusted-vendor NAME   equipment of this vendor raises an alert (repeatable;
 *                             the profile's untrusted_vendors are added)
 *   --alert-new-devices       alert on new devices even while the inventory is built
 * With --inventory or --advisories, every event feeds the inventory and its
 * alerts go to the alert route. main.c calls these four functions. */
#ifndef MAMORI_FIRMWARE_CLI_H
#define MAMORI_FIRMWARE_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "../sectors/alert_route.h"
#include "../sensor/event_bus.h"

struct firmware_run;

/* Runs `mamori inventory ...` and returns its exit status; -1 when argv is
 * not that command. */
int firmware_cli_command(int argc, char **argv);

/* Removes the firmware options from argv. NULL with one line in err on a bad
 * option; otherwise the options (never NULL). */
struct firmware_run *firmware_cli_take_options(int *argc, char **argv, char *err, size_t errlen);

/* The config file's inventory.* settings (NULL / false when absent). */
struct firmware_cli_settings {
    const char *inventory, *advisories;
    bool alert_new_devices;
};

/* Fills what the command line left unset from the config file. */
void firmware_cli_configure(struct firmware_run *run, const struct firmware_cli_settings *file);

/* Who the alerts are from: the sensor's name and, with --sector, the profile
 * (site, sector, severities, untrusted vendors); profile may be NULL. */
struct mamori_profile;
struct firmware_alert_origin {
    const char *sensor;
    const struct mamori_profile *profile;
};

/* Opens the inventory and advisories and attaches to the bus, when asked for.
 * -1 with one line in err when a file cannot be used. */
int firmware_cli_attach(struct firmware_run *run, struct event_bus *bus, struct alert_route *route,
                        const struct firmware_alert_origin *origin, char *err, size_t errlen);

/* After the capture: writes the inventory, prints its counters to stderr, frees. */
void firmware_cli_finish(struct firmware_run *run);

#endif
