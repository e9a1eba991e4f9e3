/* inventory.c — building device records from ICS events (inventory.h). */
#include "inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sensor/event_json.h"

#define MAC_TEXT_MAX 18
#define IP_TEXT_MAX 46
#define MAC_GROUP_BIT 0x01
#define FNV_OFFSET 1469598103934665603ull
#define FNV_PRIME 1099511628211ull

struct inventory {
    struct inv_device **devices; /* discovery order; pointers stay valid */
    size_t count, max_devices;
    uint32_t *index; /* open addressing: device position + 1, 0 = empty */
    size_t index_cap;
    const struct oui_table *oui;
    inv_change_fn on_change;
    void *ctx;
    uint64_t next_id;
    struct inv_stats stats;
};

/* Role names per protocol: who asks and who answers. */
static void role_names(const char *protocol, const char **asker, const char **answerer)
{
    *asker = "client";
    *answerer = "server";
    if (strcmp(protocol, "dnp3") == 0)
        *asker = "master", *answerer = "outstation";
}

static uint64_t hash_key(const char *key)
{
    uint64_t h = FNV_OFFSET;
    for (; *key; key++)
        h = (h ^ (uint8_t)*key) * FNV_PRIME;
    return h;
}

static size_t slot_of(const struct inventory *inv, const char *key, bool *found)
{
    size_t mask = inv->index_cap - 1, i = hash_key(key) & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t at = inv->index[i];
        if (at == 0) {
            *found = false;
            return i;
        }
        if (strcmp(inv->devices[at - 1]->key, key) == 0) {
            *found = true;
            return i;
        }
    }
}

struct inventory *inventory_new(size_t max_devices, const struct oui_table *oui, inv_change_fn on_change, void *ctx)
{
    struct inventory *inv = calloc(1, sizeof *inv);
    if (!inv || max_devices == 0)
        return free(inv), NULL;
    inv->max_devices = max_devices;
    inv->index_cap = 16;
    while (inv->index_cap < max_devices * 2)
        inv->index_cap <<= 1;
    inv->index = calloc(inv->index_cap, sizeof *inv->index);
    inv->devices = calloc(max_devices, sizeof *inv->devices);
    if (!inv->index || !inv->devices) {
        inventory_free(inv);
        return NULL;
    }
    inv->oui = oui;
    inv->on_change = on_change;
    inv->ctx = ctx;
    inv->next_id = 1;
    return inv;
}

void inventory_free(struct inventory *inv)
{
    if (!inv)
        return;
    for (size_t i = 0; i < inv->count; i++) {
        free(inv->devices[i]->roles);
        free(inv->devices[i]->identity);
        free(inv->devices[i]);
    }
    free(inv->devices);
    free(inv->index);
    free(inv);
}

static void report(struct inventory *inv, struct inv_change *c)
{
    inv->stats.changes++;
    if (inv->on_change)
        inv->on_change(inv->ctx, c);
}

static struct inv_device *add_device(struct inventory *inv, const char *key, uint64_t id)
{
    bool found;
    size_t slot = slot_of(inv, key, &found);
    if (found)
        return inv->devices[inv->index[slot] - 1];
    if (inv->count >= inv->max_devices) {
        inv->stats.devices_refused++;
        return NULL;
    }
    struct inv_device *dev = calloc(1, sizeof *dev);
    if (!dev) {
        inv->stats.devices_refused++;
        return NULL;
    }
    snprintf(dev->key, sizeof dev->key, "%s", key);
    dev->id = id;
    if (id >= inv->next_id)
        inv->next_id = id + 1;
    inv->devices[inv->count++] = dev;
    inv->index[slot] = (uint32_t)inv->count;
    inv->stats.devices++;
    return dev;
}

struct inv_device *inventory_restore_device(struct inventory *inv, const char *key, uint64_t id)
{
    return add_device(inv, key, id);
}

static bool is_group_mac(const uint8_t *mac) { return mac[0] & MAC_GROUP_BIT; }

static bool is_group_ip(uint8_t version, const uint8_t *ip)
{
    if (version == 6)
        return ip[0] == 0xff;
    return (ip[0] & 0xf0) == 0xe0 || (ip[0] == 255 && ip[1] == 255 && ip[2] == 255 && ip[3] == 255);
}

/* The device at one end of the event's packet; NULL for group addresses. */
static struct inv_device *endpoint_device(struct inventory *inv, const struct mamori_endpoints *w, bool sender,
                                          uint64_t now, bool create)
{
    const uint8_t *ip = sender ? w->src_ip : w->dst_ip, *mac = sender ? w->src_mac : w->dst_mac;
    static const uint8_t no_mac[6];
    bool has_mac = memcmp(mac, no_mac, 6) != 0;
    char key[INV_KEY_MAX];
    if (w->ip_version == 4 || w->ip_version == 6) {
        if (is_group_ip(w->ip_version, ip))
            return NULL;
        format_ip(w->ip_version, ip, key, sizeof key);
    } else if (has_mac && !is_group_mac(mac)) {
        char text[MAC_TEXT_MAX];
        format_mac(mac, text, sizeof text);
        snprintf(key, sizeof key, "mac %s", text);
    } else {
        return NULL;
    }
    bool found;
    size_t slot = slot_of(inv, key, &found);
    struct inv_device *dev = found ? inv->devices[inv->index[slot] - 1] : NULL;
    if (!dev && create) {
        dev = add_device(inv, key, inv->next_id);
        if (!dev)
            return NULL;
        dev->ip_version = w->ip_version;
        if (w->ip_version)
            memcpy(dev->ip, ip, w->ip_version == 4 ? 4 : 16);
        dev->first_us = now;
        report(inv, &(struct inv_change){ .kind = INV_NEW_DEVICE, .device = dev, .time_us = now });
    }
    if (!dev)
        return NULL;
    if (has_mac && !is_group_mac(mac) && (!dev->has_mac || memcmp(dev->mac, mac, 6) != 0)) {
        dev->has_mac = true;
        memcpy(dev->mac, mac, 6);
        const char *vendor = inv->oui ? oui_lookup(inv->oui, mac) : NULL;
        snprintf(dev->mac_vendor, sizeof dev->mac_vendor, "%s", vendor ? vendor : "");
    }
    bool vlan_known = w->vlan == 0;
    for (uint32_t i = 0; i < dev->n_vlans && !vlan_known; i++)
        vlan_known = dev->vlans[i] == w->vlan;
    if (!vlan_known && dev->n_vlans < INV_MAX_VLANS)
        dev->vlans[dev->n_vlans++] = w->vlan;
    if (now > dev->last_us)
        dev->last_us = now;
    dev->dirty = true;
    return dev;
}

static int grow(void **array, uint32_t *cap, size_t elem)
{
    uint32_t ncap = *cap ? *cap * 2 : 4;
    void *p = realloc(*array, ncap * elem);
    if (!p)
        return -1;
    *array = p;
    *cap = ncap;
    return 0;
}

int inventory_restore_role(struct inv_device *dev, const struct inv_role *role)
{
    if (dev->n_roles == dev->cap_roles && grow((void **)&dev->roles, &dev->cap_roles, sizeof *role) != 0)
        return -1;
    dev->roles[dev->n_roles++] = *role;
    return 0;
}

int inventory_restore_identity(struct inv_device *dev, const struct inv_identity *fact)
{
    if (dev->n_identity == dev->cap_identity &&
        grow((void **)&dev->identity, &dev->cap_identity, sizeof *fact) != 0)
        return -1;
    dev->identity[dev->n_identity++] = *fact;
    return 0;
}

static void note_role(struct inventory *inv, struct inv_device *dev, const char *protocol, const char *role,
                      const char *detail, uint64_t now)
{
    for (uint32_t i = 0; i < dev->n_roles; i++) {
        struct inv_role *r = &dev->roles[i];
        if (strcmp(r->protocol, protocol) == 0 && strcmp(r->role, role) == 0 && strcmp(r->detail, detail) == 0) {
            r->last_us = now;
            return;
        }
    }
    struct inv_role fresh = { .first_us = now, .last_us = now };
    snprintf(fresh.protocol, sizeof fresh.protocol, "%s", protocol);
    snprintf(fresh.role, sizeof fresh.role, "%s", role);
    snprintf(fresh.detail, sizeof fresh.detail, "%s", detail);
    if (inventory_restore_role(dev, &fresh) != 0)
        return;
    inv->stats.roles++;
    report(inv, &(struct inv_change){ .kind = INV_NEW_ROLE, .device = dev, .role = &dev->roles[dev->n_roles - 1],
                                      .time_us = now });
}

/* Wire text made printable and trimmed of padding. */
static void clean_text(const struct mamori_text *t, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < t->len && n + 1 < cap; i++) {
        unsigned char c = (unsigned char)t->ptr[i];
        out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    while (n && (out[n - 1] == ' ' || out[n - 1] == '?'))
        n--;
    out[n] = '\0';
}

static void note_identity(struct inventory *inv, struct inv_device *dev, const struct mamori_identity_field *f,
                          const char *source, uint64_t now)
{
    char value[INV_TEXT_MAX];
    clean_text(&f->value, value, sizeof value);
    if (!value[0] || !f->name)
        return;
    struct inv_identity *fact = NULL;
    for (uint32_t i = 0; i < dev->n_identity && !fact; i++)
        if (strcmp(dev->identity[i].field, f->name) == 0)
            fact = &dev->identity[i];
    if (fact && strcmp(fact->value, value) == 0) {
        fact->last_us = now;
        return;
    }
    char old[INV_TEXT_MAX] = "";
    if (fact) {
        snprintf(old, sizeof old, "%s", fact->value);
    } else {
        struct inv_identity fresh = { 0 };
        snprintf(fresh.field, sizeof fresh.field, "%s", f->name);
        if (inventory_restore_identity(dev, &fresh) != 0)
            return;
        fact = &dev->identity[dev->n_identity - 1];
        inv->stats.identity_facts++;
    }
    snprintf(fact->value, sizeof fact->value, "%s", value);
    snprintf(fact->source, sizeof fact->source, "%s", source);
    fact->first_us = fact->last_us = now;
    report(inv, &(struct inv_change){ .kind = old[0] ? INV_IDENTITY_CHANGED : INV_IDENTITY_LEARNED, .device = dev,
                                      .identity = fact, .old_value = old[0] ? old : NULL, .time_us = now });
}

void inventory_observe(struct inventory *inv, const struct mamori_event *ev)
{
    inv->stats.events++;
    bool creates = ev->kind != MAMORI_EVENT_ANOMALY;
    uint64_t now = ev->time_us;
    struct inv_device *sender = endpoint_device(inv, &ev->where, true, now, creates);
    struct inv_device *receiver = ev->role == MAMORI_ROLE_PUBLISH ? NULL
                                                                  : endpoint_device(inv, &ev->where, false, now, creates);
    if (!creates || !ev->protocol)
        return;
    const char *asker, *answerer;
    role_names(ev->protocol, &asker, &answerer);
    char detail[INV_TEXT_MAX] = "";
    if (ev->role == MAMORI_ROLE_PUBLISH && ev->object.len)
        clean_text(&ev->object, detail, sizeof detail);
    else if (ev->has_unit)
        snprintf(detail, sizeof detail, "%s %u", strcmp(ev->protocol, "dnp3") == 0 ? "address" : "unit", ev->unit);
    switch (ev->role) {
    case MAMORI_ROLE_REQUEST:
        if (sender)
            note_role(inv, sender, ev->protocol, asker, "", now);
        if (receiver)
            note_role(inv, receiver, ev->protocol, answerer, detail, now);
        break;
    case MAMORI_ROLE_RESPONSE:
    case MAMORI_ROLE_UNSOLICITED:
        if (sender)
            note_role(inv, sender, ev->protocol, answerer, detail, now);
        if (receiver)
            note_role(inv, receiver, ev->protocol, asker, "", now);
        break;
    case MAMORI_ROLE_PUBLISH:
        if (sender)
            note_role(inv, sender, ev->protocol, "publisher", detail, now);
        break;
    default:
        break;
    }
    if (!sender || ev->n_identity == 0)
        return;
    char source[INV_NAME_MAX * 2];
    if (ev->function_name)
        snprintf(source, sizeof source, "%s/%s", ev->protocol, ev->function_name);
    else
        snprintf(source, sizeof source, "%s", ev->protocol);
    for (uint32_t i = 0; i < ev->n_identity; i++)
        note_identity(inv, sender, &ev->identity[i], source, now);
}

const struct inv_device *inventory_find(const struct inventory *inv, const char *key)
{
    bool found;
    size_t slot = slot_of(inv, key, &found);
    return found ? inv->devices[inv->index[slot] - 1] : NULL;
}

size_t inventory_count(const struct inventory *inv) { return inv->count; }

struct inv_device *inventory_at(const struct inventory *inv, size_t i)
{
    return i < inv->count ? inv->devices[i] : NULL;
}

const struct inv_stats *inventory_stats(const struct inventory *inv) { return &inv->stats; }

const char *inv_device_identity(const struct inv_device *dev, const char *field)
{
    for (uint32_t i = 0; i < dev->n_identity; i++)
        if (strcmp(dev->identity[i].field, field) == 0)
            return dev->identity[i].value;
    return NULL;
}

bool inv_field_has_base(const char *field, const char *base)
{
    size_t n = strcspn(field, ":");
    return strlen(base) == n && strncmp(field, base, n) == 0;
}

enum inv_field_class inv_field_class(const char *field)
{
    static const char *const firmware[] = { "revision", "software_version", "firmware_version" };
    static const char *const hardware[] = { "vendor",        "model_name",       "product_code", "product_name",
                                            "serial_number", "hardware_version", "device_type",  "vendor_id" };
    for (size_t i = 0; i < sizeof firmware / sizeof firmware[0]; i++)
        if (inv_field_has_base(field, firmware[i]))
            return INV_FIELD_FIRMWARE;
    for (size_t i = 0; i < sizeof hardware / sizeof hardware[0]; i++)
        if (inv_field_has_base(field, hardware[i]))
            return INV_FIELD_HARDWARE;
    return inv_field_has_base(field, "conf_rev") || inv_field_has_base(field, "config_revision") ? INV_FIELD_CONFIG
                                                                                              : INV_FIELD_OTHER;
}

const char *inv_change_kind_name(enum inv_change_kind kind)
{
    switch (kind) {
    case INV_NEW_DEVICE: return "new_device";
    case INV_NEW_ROLE: return "new_role";
    case INV_IDENTITY_LEARNED: return "identity_learned";
    case INV_IDENTITY_CHANGED: return "identity_changed";
    }
    return "unknown";
}
