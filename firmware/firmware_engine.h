/* firmware_engine.h — the inventory as a judge: devices, firmware and advisories to alerts.
 *
 * Every event goes into one inventory, shared by all workers under a lock
 * (held for a table lookup; identity and role changes are rare).
 * Changes are written to the SQLite store and judged: a new device (once the
 * inventory has been built: not on the run that creates it), a firmware or
 * software revision that changed (System Firmware), a vendor, model or serial
 * that changed at one address (Masquerading), an IEC 61850 confRev change,
 * equipment of an excluded vendor, and firmware named by a CSAF advisory
 * (once per device and advisory, remembered across runs, and again for each
 * new advisory). Alerts go to the `raise` callback. */
#ifndef MAMORI_FIRMWARE_ENGINE_H
#define MAMORI_FIRMWARE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../sectors/alert.h"
#include "../sectors/finding.h"
#include "inventory.h"
#include "../protocols/event.h"

#define FIRMWARE_MAX_UNTRUSTED 32

typedef void (*firmware_raise_fn)(void *ctx, const struct mamori_alert *alert);

struct firmware_engine_config {
    const char *inventory_path; /* SQLite file; NULL keeps the inventory for this run only */
    const char *advisories_dir; /* CSAF 2.0 JSON files; NULL for none */
    const char *oui_path;       /* NULL: Wireshark's manuf or Debian's ieee-data */
    size_t max_devices;
    bool alert_new_devices;     /* even on the run that builds the inventory */
    const char *sensor, *site, *sector;
    const enum mamori_severity *severity; /* per finding (a profile's); NULL for defaults */
    const char *untrusted_vendors[FIRMWARE_MAX_UNTRUSTED];
    size_t n_untrusted_vendors;
    firmware_raise_fn raise;
    void *raise_ctx;
};

struct firmware_engine;

/* Opens the store and loads advisories. A bad advisory file is reported on
 * `errs` and skipped; a store that cannot be opened fails (NULL, err set). */
struct firmware_engine *firmware_engine_open(const struct firmware_engine_config *cfg, FILE *errs, char *err,
                                             size_t errlen);
/* Takes one event (thread-safe). */
void firmware_engine_observe(struct firmware_engine *fe, const struct mamori_event *ev);
/* Time passed without events: what changed reaches the store within the
 * flush interval even on a quiet network (thread-safe). */
void firmware_engine_tick(struct firmware_engine *fe, uint64_t now_us);
/* Loads more advisories (e.g. pushed down by the hub) and matches every known
 * device against them; returns how many loaded. */
int firmware_engine_add_advisories(struct firmware_engine *fe, const char *path, FILE *errs);
/* Devices, changes and refusals so far. */
const struct inv_stats *firmware_engine_stats(struct firmware_engine *fe);
/* Writes last-seen times to the store. */
void firmware_engine_flush(struct firmware_engine *fe);
/* Flushes and frees. */
void firmware_engine_close(struct firmware_engine *fe);

#endif
