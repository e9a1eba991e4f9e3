/* firmware_engine.c — inventory changes and advisory matches become alerts. */
#include "firmware_engine.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../sectors/alert_codec.h"
#include "../sensor/event_json.h"
#include "csaf.h"
#include "inventory.h"
#include "inventory_store.h"
#include "oui.h"

#define DEFAULT_MAX_DEVICES 65536
#define CVSS_CRITICAL 9.0
#define CVSS_HIGH 7.0
#define CVSS_MEDIUM 4.0
#define MAC_TEXT_MAX 18
#define IP_TEXT_MAX 46

struct firmware_engine {
    struct firmware_engine_config cfg;
    pthread_mutex_t lock;
    struct oui_table oui;
    struct inventory *inv;
    struct inventory_store *store;
    struct csaf_set advisories;
    bool inventory_was_built; /* the store held devices when we started */
    const struct mamori_event *current; /* the event being observed, for evidence */
    uint64_t flushed_us;                /* capture time of the last flush */
    struct mamori_alert alert;          /* scratch, used under the lock */
    FILE *errs;
};

static enum mamori_severity severity_of(const struct firmware_engine *fe, enum finding f)
{
    return fe->cfg.severity ? fe->cfg.severity[f] : finding_info(f)->severity;
}

static void text(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void text(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

static void device_evidence(struct mamori_detail *d, const struct inv_device *dev)
{
    detail_object_begin(d, "device");
    detail_cstring(d, "address", dev->key);
    if (dev->has_mac) {
        char mac[MAC_TEXT_MAX];
        format_mac(dev->mac, mac, sizeof mac);
        detail_cstring(d, "mac", mac);
        detail_cstring(d, "mac_vendor", dev->mac_vendor);
    }
    detail_array_begin(d, "roles");
    for (uint32_t i = 0; i < dev->n_roles; i++) {
        char role[INV_NAME_MAX * 2 + INV_TEXT_MAX + 3];
        text(role, sizeof role, "%s/%s%s%s", dev->roles[i].protocol, dev->roles[i].role,
             dev->roles[i].detail[0] ? ":" : "", dev->roles[i].detail);
        detail_cstring(d, NULL, role);
    }
    detail_end(d);
    detail_object_begin(d, "identity");
    for (uint32_t i = 0; i < dev->n_identity; i++)
        detail_cstring(d, dev->identity[i].field, dev->identity[i].value);
    detail_end(d);
    detail_end(d);
}

/* The event that caused the change, as the evidence's one event. */
static void event_evidence(struct mamori_detail *d, const struct mamori_event *ev)
{
    if (!ev)
        return;
    char addr[IP_TEXT_MAX];
    detail_array_begin(d, "events");
    detail_object_begin(d, NULL);
    detail_uint(d, "ts_us", ev->time_us);
    detail_cstring(d, "protocol", ev->protocol);
    detail_cstring(d, "kind", mamori_kind_name(ev->kind));
    detail_cstring(d, "role", mamori_role_name(ev->role));
    detail_cstring(d, "op", mamori_op_name(ev->op));
    if (ev->has_function) {
        detail_uint(d, "function_code", ev->function_code);
        detail_cstring(d, "function", ev->function_name);
    }
    if (ev->where.ip_version) {
        format_ip(ev->where.ip_version, ev->where.src_ip, addr, sizeof addr);
        detail_cstring(d, "src", addr);
        format_ip(ev->where.ip_version, ev->where.dst_ip, addr, sizeof addr);
        detail_cstring(d, "dst", addr);
    }
    if (ev->detail && ev->detail->len)
        detail_append(d, ev->protocol, ev->detail);
    detail_end(d);
    detail_end(d);
}

/* Fills the fields every firmware alert shares; the caller adds evidence. */
static struct mamori_alert *begin_alert(struct firmware_engine *fe, enum finding f, const struct inv_device *dev,
                                        const char *protocol, uint64_t time_us)
{
    struct mamori_alert *a = &fe->alert;
    const struct finding_info *info = finding_info(f);
    memset(a, 0, offsetof(struct mamori_alert, evidence));
    detail_reset(&a->evidence);
    alert_new_id(a->id);
    a->time_us = time_us;
    text(a->sensor, sizeof a->sensor, "%s", fe->cfg.sensor ? fe->cfg.sensor : "");
    text(a->site, sizeof a->site, "%s", fe->cfg.site ? fe->cfg.site : "");
    text(a->sector, sizeof a->sector, "%s", fe->cfg.sector ? fe->cfg.sector : "");
    a->severity = severity_of(fe, f);
    text(a->category, sizeof a->category, "%s", info->name);
    text(a->technique, sizeof a->technique, "%s", info->technique);
    text(a->technique_name, sizeof a->technique_name, "%s", info->technique_name);
    text(a->protocol, sizeof a->protocol, "%s", protocol ? protocol : "");
    text(a->src, sizeof a->src, "%s", dev->key);
    text(a->flow_key, sizeof a->flow_key, "device %s", dev->key);
    a->count = 1;
    device_evidence(&a->evidence, dev);
    return a;
}

static void raise_alert(struct firmware_engine *fe)
{
    if (fe->cfg.raise)
        fe->cfg.raise(fe->cfg.raise_ctx, &fe->alert);
}

/* The protocol part of an identity source such as "modbus/read_device_identification". */
static void source_protocol(const char *source, char *out, size_t cap)
{
    size_t n = strcspn(source, "/");
    text(out, cap, "%.*s", (int)n, source);
}

static void check_advisories(struct firmware_engine *fe, const struct inv_device *dev, uint64_t now);

static void check_vendor_trust(struct firmware_engine *fe, const struct inv_device *dev, const char *vendor,
                               const char *protocol, uint64_t now)
{
    for (size_t i = 0; i < fe->cfg.n_untrusted_vendors; i++) {
        if (!vendor || !vendor[0] || !csaf_vendor_matches(vendor, fe->cfg.untrusted_vendors[i]))
            continue;
        struct mamori_alert *a = begin_alert(fe, FINDING_UNTRUSTED_VENDOR, dev, protocol, now);
        text(a->summary, sizeof a->summary, "%s is equipment of %s, a vendor the procurement policy excludes",
             dev->key, vendor);
        detail_cstring(&a->evidence, "policy_vendor", fe->cfg.untrusted_vendors[i]);
        event_evidence(&a->evidence, fe->current);
        raise_alert(fe);
        return;
    }
}

static void on_identity(struct firmware_engine *fe, const struct inv_change *c)
{
    const struct inv_identity *f = c->identity;
    char protocol[INV_NAME_MAX];
    source_protocol(f->source, protocol, sizeof protocol);
    if (inv_field_has_base(f->field, "vendor"))
        check_vendor_trust(fe, c->device, f->value, protocol, c->time_us);
    if (c->kind == INV_IDENTITY_CHANGED) {
        enum inv_field_class cls = inv_field_class(f->field);
        enum finding finding = cls == INV_FIELD_FIRMWARE   ? FINDING_FIRMWARE_CHANGE
                               : cls == INV_FIELD_HARDWARE ? FINDING_DEVICE_REPLACED
                               : cls == INV_FIELD_CONFIG   ? FINDING_CONF_REV_CHANGE
                                                           : FINDING__COUNT;
        if (finding != FINDING__COUNT) {
            struct mamori_alert *a = begin_alert(fe, finding, c->device, protocol, c->time_us);
            text(a->summary, sizeof a->summary, "%s now reports %s %s (was %s), seen in %s", c->device->key,
                 f->field, f->value, c->old_value, f->source);
            detail_object_begin(&a->evidence, "change");
            detail_cstring(&a->evidence, "field", f->field);
            detail_cstring(&a->evidence, "old", c->old_value);
            detail_cstring(&a->evidence, "new", f->value);
            detail_cstring(&a->evidence, "source", f->source);
            detail_end(&a->evidence);
            event_evidence(&a->evidence, fe->current);
            raise_alert(fe);
        }
    }
    check_advisories(fe, c->device, c->time_us);
}

static void on_change(void *ctx, const struct inv_change *c)
{
    struct firmware_engine *fe = ctx;
    if (fe->store && inventory_store_change(fe->store, c) != 0 && fe->errs)
        fprintf(fe->errs, "mamori: inventory: cannot record a change of %s\n", c->device->key);
    switch (c->kind) {
    case INV_NEW_ROLE:
        /* announce a device with the first role it plays, once the inventory exists */
        if (c->device->n_roles == 1 && c->device->first_us == c->time_us &&
            (fe->inventory_was_built || fe->cfg.alert_new_devices)) {
            struct mamori_alert *a = begin_alert(fe, FINDING_NEW_DEVICE, c->device, c->role->protocol, c->time_us);
            text(a->summary, sizeof a->summary, "new device %s%s%s%s acting as %s %s", c->device->key,
                 c->device->mac_vendor[0] ? " (" : "", c->device->mac_vendor, c->device->mac_vendor[0] ? ")" : "",
                 c->role->protocol, c->role->role);
            event_evidence(&a->evidence, fe->current);
            raise_alert(fe);
        }
        break;
    case INV_IDENTITY_LEARNED:
    case INV_IDENTITY_CHANGED:
        on_identity(fe, c);
        break;
    case INV_NEW_DEVICE:
        if (c->device->mac_vendor[0])
            check_vendor_trust(fe, c->device, c->device->mac_vendor, NULL, c->time_us);
        break;
    }
}

static void check_advisories(struct firmware_engine *fe, const struct inv_device *dev, uint64_t now)
{
    struct csaf_device_identity id = {
        .vendors = { inv_device_identity(dev, "vendor"), dev->mac_vendor[0] ? dev->mac_vendor : NULL },
        .products = { inv_device_identity(dev, "product_name"), inv_device_identity(dev, "model_name"),
                      inv_device_identity(dev, "product_code") },
        .versions = { inv_device_identity(dev, "revision"), inv_device_identity(dev, "software_version") },
    };
    for (size_t i = 0; i < fe->advisories.count; i++) {
        struct csaf_match m;
        const struct csaf_advisory *adv = &fe->advisories.advisories[i];
        if (!csaf_match(adv, &id, &m))
            continue;
        if (fe->store && inventory_store_advisory_seen(fe->store, dev->id, adv->id, true, now))
            continue;
        struct mamori_alert *a = begin_alert(fe, FINDING_VULNERABLE_FIRMWARE, dev, NULL, now);
        if (m.cvss >= CVSS_CRITICAL)
            a->severity = MAMORI_SEV_CRITICAL;
        else if (m.cvss >= CVSS_HIGH)
            a->severity = MAMORI_SEV_HIGH;
        else if (m.cvss >= CVSS_MEDIUM)
            a->severity = MAMORI_SEV_MEDIUM;
        else if (m.cvss > 0)
            a->severity = MAMORI_SEV_LOW;
        text(a->summary, sizeof a->summary, "%s runs %s %s, affected by %s (%s)", dev->key, m.product->name,
             m.version, m.cves, adv->id);
        detail_object_begin(&a->evidence, "advisory");
        detail_cstring(&a->evidence, "id", adv->id);
        detail_cstring(&a->evidence, "title", adv->title);
        detail_cstring(&a->evidence, "cves", m.cves);
        detail_float(&a->evidence, "cvss", m.cvss);
        detail_cstring(&a->evidence, "product_id", m.product->id);
        detail_cstring(&a->evidence, "product", m.product->name);
        detail_cstring(&a->evidence, "affected_versions", m.product->version);
        detail_cstring(&a->evidence, "device_version", m.version);
        detail_end(&a->evidence);
        raise_alert(fe);
    }
}

static void report_csaf_error(void *ctx, const char *message)
{
    FILE *errs = ctx;
    if (errs)
        fprintf(errs, "mamori: advisory skipped: %s\n", message);
}

struct firmware_engine *firmware_engine_open(const struct firmware_engine_config *cfg, FILE *errs, char *err,
                                             size_t errlen)
{
    struct firmware_engine *fe = calloc(1, sizeof *fe);
    if (!fe) {
        text(err, errlen, "inventory: out of memory");
        return NULL;
    }
    fe->cfg = *cfg;
    fe->errs = errs;
    pthread_mutex_init(&fe->lock, NULL);
    if (oui_load(&fe->oui, cfg->oui_path) < 0 && errs)
        fprintf(errs, "mamori: no MAC vendor registry found (%s); devices will have no manufacturer names\n",
                cfg->oui_path ? cfg->oui_path : OUI_WIRESHARK_MANUF " or " OUI_IEEE_DATA);
    fe->inv = inventory_new(cfg->max_devices ? cfg->max_devices : DEFAULT_MAX_DEVICES, &fe->oui, on_change, fe);
    if (!fe->inv) {
        text(err, errlen, "inventory: out of memory");
        firmware_engine_close(fe);
        return NULL;
    }
    if (cfg->inventory_path) {
        fe->store = inventory_store_open(cfg->inventory_path, fe->inv, err, errlen);
        if (!fe->store) {
            firmware_engine_close(fe);
            return NULL;
        }
        fe->inventory_was_built = inventory_count(fe->inv) > 0;
    }
    if (cfg->advisories_dir && csaf_load_dir(&fe->advisories, cfg->advisories_dir, report_csaf_error, errs) < 0) {
        text(err, errlen, "%s: cannot read the advisory directory", cfg->advisories_dir);
        firmware_engine_close(fe);
        return NULL;
    }
    return fe;
}

/* Changes and last-seen times reach the file at least this often (capture time). */
#define FLUSH_INTERVAL_US 5000000ull

static void flush_locked(struct firmware_engine *fe)
{
    if (fe->store && inventory_store_flush(fe->store, fe->inv) != 0 && fe->errs)
        fprintf(fe->errs, "mamori: inventory: cannot write to the inventory database\n");
}

/* Flushes when FLUSH_INTERVAL_US has passed since the last flush. */
static void flush_if_due(struct firmware_engine *fe, uint64_t now_us)
{
    if (now_us >= fe->flushed_us + FLUSH_INTERVAL_US) {
        flush_locked(fe);
        fe->flushed_us = now_us;
    }
}

void firmware_engine_observe(struct firmware_engine *fe, const struct mamori_event *ev)
{
    pthread_mutex_lock(&fe->lock);
    fe->current = ev;
    inventory_observe(fe->inv, ev);
    fe->current = NULL;
    flush_if_due(fe, ev->time_us);
    pthread_mutex_unlock(&fe->lock);
}

void firmware_engine_tick(struct firmware_engine *fe, uint64_t now_us)
{
    pthread_mutex_lock(&fe->lock);
    flush_if_due(fe, now_us);
    pthread_mutex_unlock(&fe->lock);
}

int firmware_engine_add_advisories(struct firmware_engine *fe, const char *path, FILE *errs)
{
    pthread_mutex_lock(&fe->lock);
    size_t before = fe->advisories.count;
    int loaded = csaf_load_file(&fe->advisories, path, report_csaf_error, errs) == 0 ? 1 : 0;
    if (loaded) {
        struct csaf_set fresh = { fe->advisories.advisories + before, fe->advisories.count - before };
        struct csaf_set all = fe->advisories;
        fe->advisories = fresh; /* match only what is new */
        for (size_t i = 0; i < inventory_count(fe->inv); i++)
            check_advisories(fe, inventory_at(fe->inv, i), inventory_at(fe->inv, i)->last_us);
        fe->advisories = all;
    }
    pthread_mutex_unlock(&fe->lock);
    return loaded;
}

const struct inv_stats *firmware_engine_stats(struct firmware_engine *fe) { return inventory_stats(fe->inv); }

void firmware_engine_flush(struct firmware_engine *fe)
{
    pthread_mutex_lock(&fe->lock);
    flush_locked(fe);
    pthread_mutex_unlock(&fe->lock);
}

void firmware_engine_close(struct firmware_engine *fe)
{
    if (!fe)
        return;
    if (fe->store && fe->inv)
        firmware_engine_flush(fe);
    inventory_store_close(fe->store);
    inventory_free(fe->inv);
    csaf_set_free(&fe->advisories);
    oui_free(&fe->oui);
    pthread_mutex_destroy(&fe->lock);
    free(fe);
}
