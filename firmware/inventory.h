/* inventory.h — the passive asset inventory: one record per device seen in ICS
 * traffic, built only from what the decoders report.
 *
 * A device is keyed by its IP address, or by its MAC address when it only
 * speaks layer 2 (GOOSE / SV publishers). A record holds the MAC seen with it
 * and that MAC's manufacturer (OUI), VLANs, first and last seen, the protocol
 * roles it plays (Modbus client/server with unit ids, DNP3 master/outstation
 * with link addresses, GOOSE/SV publisher with gocbRef/svID, MMS client/server)
 * and every identity fact it revealed (vendor, model, revision, ...), each with
 * the protocol operation it came from and when. Changes — a new device, an
 * identity fact learned or changed, a new role — are reported through a
 * callback as they happen; persistence is inventory_store.h. Bounded: past
 * max_devices new devices are counted and not recorded. Not thread-safe: feed
 * it from the one thread that sees all events. */
#ifndef MAMORI_INVENTORY_H
#define MAMORI_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../protocols/event.h"
#include "oui.h"

#define INV_KEY_MAX 64
#define INV_TEXT_MAX 96
#define INV_NAME_MAX 32
/* An identity field name: `base` or `base:qualifier`, the qualifier naming the
 * part of the device the fact is about (a gocbRef of up to 65 characters, an
 * MMS logical device). */
#define INV_FIELD_MAX 160
#define INV_MAX_VLANS 4

struct inv_identity {
    char field[INV_FIELD_MAX]; /* event.h identity names (vendor, revision, ...), maybe ":qualifier"ed */
    char value[INV_TEXT_MAX];
    char source[INV_NAME_MAX * 2]; /* "modbus/read_device_identification" */
    uint64_t first_us, last_us;
};

struct inv_role {
    char protocol[INV_NAME_MAX];
    char role[INV_NAME_MAX];      /* client, server, master, outstation, publisher */
    char detail[INV_TEXT_MAX];    /* "unit 1", "address 10", a gocbRef or svID; may be empty */
    uint64_t first_us, last_us;
};

struct inv_device {
    uint64_t id;              /* 1, 2, ... in order of discovery; kept across runs */
    char key[INV_KEY_MAX];    /* "10.0.0.5", "fe80::1" or "mac 00:1b:1b:00:00:01" */
    uint8_t ip_version;       /* 0 for a layer-2 device */
    uint8_t ip[16];
    bool has_mac;
    uint8_t mac[6];
    char mac_vendor[INV_TEXT_MAX];
    uint16_t vlans[INV_MAX_VLANS];
    uint32_t n_vlans;
    uint64_t first_us, last_us;
    struct inv_role *roles;
    uint32_t n_roles, cap_roles;
    struct inv_identity *identity;
    uint32_t n_identity, cap_identity;
    bool dirty; /* last-seen times changed since the last store flush */
};

enum inv_change_kind {
    INV_NEW_DEVICE,
    INV_NEW_ROLE,
    INV_IDENTITY_LEARNED, /* first value of a field */
    INV_IDENTITY_CHANGED, /* a field took a different value */
};

/* What an identity field's change means. */
enum inv_field_class {
    INV_FIELD_OTHER,
    INV_FIELD_FIRMWARE, /* revision, software or firmware version: a firmware change */
    INV_FIELD_HARDWARE, /* vendor, model, product code, serial, hardware version, device type: another device */
    INV_FIELD_CONFIG,   /* conf_rev, config_revision: the configuration revision */
};

struct inv_change {
    enum inv_change_kind kind;
    const struct inv_device *device;
    const struct inv_role *role;         /* INV_NEW_ROLE */
    const struct inv_identity *identity; /* the new value, for identity changes */
    const char *old_value;               /* INV_IDENTITY_CHANGED */
    uint64_t time_us;
};

typedef void (*inv_change_fn)(void *ctx, const struct inv_change *change);

struct inv_stats {
    uint64_t events, devices, devices_refused, roles, identity_facts, changes;
};

struct inventory;

/* `oui` may be NULL (no manufacturer names). */
struct inventory *inventory_new(size_t max_devices, const struct oui_table *oui, inv_change_fn on_change,
                                void *ctx);
void inventory_free(struct inventory *inv);

/* Takes one event into the inventory. */
void inventory_observe(struct inventory *inv, const struct mamori_event *ev);

/* Adds a device as it was stored (used by inventory_store when loading);
 * reports nothing. Returns NULL when full. */
struct inv_device *inventory_restore_device(struct inventory *inv, const char *key, uint64_t id);
int inventory_restore_role(struct inv_device *dev, const struct inv_role *role);
int inventory_restore_identity(struct inv_device *dev, const struct inv_identity *fact);

const struct inv_device *inventory_find(const struct inventory *inv, const char *key);
size_t inventory_count(const struct inventory *inv);
/* The i-th device in discovery order. */
struct inv_device *inventory_at(const struct inventory *inv, size_t i);
const struct inv_stats *inventory_stats(const struct inventory *inv);
/* Current value of an identity field, or NULL. */
const char *inv_device_identity(const struct inv_device *dev, const char *field);

/* The class of a field by its base name (before any ':'). */
enum inv_field_class inv_field_class(const char *field);
/* Whether `field` is `base` or `base:qualifier`. */
bool inv_field_has_base(const char *field, const char *base);
const char *inv_change_kind_name(enum inv_change_kind kind);

#endif
