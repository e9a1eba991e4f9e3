/* inventory_report.c — prints inventories and their differences. */
#include "inventory_report.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "../sensor/event_json.h"
#include "../sensor/json_writer.h"

#define LINE_MAX_BYTES 65536
#define TIME_TEXT_MAX 32
#define ROLES_TEXT_MAX 512
#define MAC_TEXT_MAX 18

int inventory_format_parse(const char *name)
{
    static const char *const names[] = { "table", "json", "csv" };
    for (int i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

static void time_text(uint64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void roles_text(const struct inv_device *d, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < d->n_roles && n < cap; i++) {
        const struct inv_role *r = &d->roles[i];
        n += (size_t)snprintf(out + n, cap - n, "%s%s/%s%s%s", i ? " " : "", r->protocol, r->role,
                              r->detail[0] ? ":" : "", r->detail);
    }
}

static const char *or_dash(const char *s) { return s && s[0] ? s : "-"; }

/* CSV field: quoted, with quotes doubled. */
static void csv_field(FILE *out, const char *s, bool last)
{
    fputc('"', out);
    for (; s && *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputs(last ? "\"\n" : "\",", out);
}

static void device_json(struct json_writer *w, const struct inv_device *d)
{
    char text[TIME_TEXT_MAX];
    jw_uint(w, "id", d->id);
    jw_string(w, "address", d->key);
    if (d->has_mac) {
        char mac[MAC_TEXT_MAX];
        format_mac(d->mac, mac, sizeof mac);
        jw_string(w, "mac", mac);
        jw_string(w, "mac_vendor", d->mac_vendor);
    }
    if (d->n_vlans) {
        jw_array_begin(w, "vlans");
        for (uint32_t i = 0; i < d->n_vlans; i++)
            jw_uint(w, NULL, d->vlans[i]);
        jw_array_end(w);
    }
    time_text(d->first_us, text, sizeof text);
    jw_string(w, "first_seen", text);
    time_text(d->last_us, text, sizeof text);
    jw_string(w, "last_seen", text);
    jw_array_begin(w, "roles");
    for (uint32_t i = 0; i < d->n_roles; i++) {
        jw_object_begin(w, NULL);
        jw_string(w, "protocol", d->roles[i].protocol);
        jw_string(w, "role", d->roles[i].role);
        if (d->roles[i].detail[0])
            jw_string(w, "detail", d->roles[i].detail);
        jw_object_end(w);
    }
    jw_array_end(w);
    jw_object_begin(w, "identity");
    for (uint32_t i = 0; i < d->n_identity; i++) {
        const struct inv_identity *f = &d->identity[i];
        jw_object_begin(w, f->field);
        jw_string(w, "value", f->value);
        jw_string(w, "source", f->source);
        time_text(f->first_us, text, sizeof text);
        jw_string(w, "since", text);
        jw_object_end(w);
    }
    jw_object_end(w);
}

void inventory_print(const struct inventory *inv, enum inventory_format fmt, FILE *out)
{
    struct json_writer w;
    if (fmt == INV_FORMAT_JSON && json_writer_init(&w, LINE_MAX_BYTES) != 0)
        return;
    if (fmt == INV_FORMAT_TABLE)
        fprintf(out, "%-4s %-26s %-17s %-20s %-20s %-20s %-12s %s\n", "id", "address", "mac", "mac vendor", "vendor",
                "model", "revision", "roles");
    else if (fmt == INV_FORMAT_CSV)
        fputs("id,address,mac,mac_vendor,vendor,model,revision,software_version,roles,first_seen,last_seen\n", out);
    for (size_t i = 0; i < inventory_count(inv); i++) {
        const struct inv_device *d = inventory_at(inv, i);
        char mac[MAC_TEXT_MAX] = "", roles[ROLES_TEXT_MAX], first[TIME_TEXT_MAX], last[TIME_TEXT_MAX], id[24];
        if (d->has_mac)
            format_mac(d->mac, mac, sizeof mac);
        roles_text(d, roles, sizeof roles);
        const char *model = inv_device_identity(d, "model_name");
        if (!model)
            model = inv_device_identity(d, "product_name");
        if (!model)
            model = inv_device_identity(d, "product_code");
        const char *revision = inv_device_identity(d, "revision");
        if (!revision)
            revision = inv_device_identity(d, "software_version");
        switch (fmt) {
        case INV_FORMAT_TABLE:
            fprintf(out, "%-4" PRIu64 " %-26.26s %-17s %-20.20s %-20.20s %-20.20s %-12.12s %s\n", d->id, d->key,
                    or_dash(mac), or_dash(d->mac_vendor), or_dash(inv_device_identity(d, "vendor")), or_dash(model),
                    or_dash(revision), or_dash(roles));
            break;
        case INV_FORMAT_CSV:
            time_text(d->first_us, first, sizeof first);
            time_text(d->last_us, last, sizeof last);
            snprintf(id, sizeof id, "%" PRIu64, d->id);
            csv_field(out, id, false);
            csv_field(out, d->key, false);
            csv_field(out, mac, false);
            csv_field(out, d->mac_vendor, false);
            csv_field(out, inv_device_identity(d, "vendor"), false);
            csv_field(out, model, false);
            csv_field(out, inv_device_identity(d, "revision"), false);
            csv_field(out, inv_device_identity(d, "software_version"), false);
            csv_field(out, roles, false);
            csv_field(out, first, false);
            csv_field(out, last, true);
            break;
        case INV_FORMAT_JSON:
            json_writer_reset(&w);
            jw_object_begin(&w, NULL);
            device_json(&w, d);
            jw_object_end(&w);
            fprintf(out, "%s\n", w.buf);
            break;
        }
    }
    if (fmt == INV_FORMAT_JSON)
        json_writer_free(&w);
}

/* One line of a diff: change kind, device, what, old and new value. */
static void diff_line(enum inventory_format fmt, FILE *out, struct json_writer *w, const char *change,
                      const struct inv_device *d, const char *what, const char *old_value, const char *new_value,
                      const char *source)
{
    switch (fmt) {
    case INV_FORMAT_TABLE:
        fprintf(out, "%-16s %-26s %-18s %s%s%s%s%s\n", change, d->key, or_dash(what), old_value ? old_value : "",
                old_value ? " -> " : "", or_dash(new_value), source ? "  from " : "", source ? source : "");
        break;
    case INV_FORMAT_CSV:
        csv_field(out, change, false);
        csv_field(out, d->key, false);
        csv_field(out, what, false);
        csv_field(out, old_value, false);
        csv_field(out, new_value, false);
        csv_field(out, source, true);
        break;
    case INV_FORMAT_JSON:
        json_writer_reset(w);
        jw_object_begin(w, NULL);
        jw_string(w, "change", change);
        jw_string(w, "address", d->key);
        if (what)
            jw_string(w, "field", what);
        if (old_value)
            jw_string(w, "old", old_value);
        if (new_value)
            jw_string(w, "new", new_value);
        if (source)
            jw_string(w, "source", source);
        jw_object_end(w);
        fprintf(out, "%s\n", w->buf);
        break;
    }
}

static bool has_role(const struct inv_device *d, const struct inv_role *r)
{
    for (uint32_t i = 0; d && i < d->n_roles; i++)
        if (!strcmp(d->roles[i].protocol, r->protocol) && !strcmp(d->roles[i].role, r->role) &&
            !strcmp(d->roles[i].detail, r->detail))
            return true;
    return false;
}

size_t inventory_print_diff(const struct inventory *before, const struct inventory *after, enum inventory_format fmt,
                            FILE *out)
{
    struct json_writer w;
    if (json_writer_init(&w, LINE_MAX_BYTES) != 0)
        return 0;
    if (fmt == INV_FORMAT_CSV)
        fputs("change,address,field,old,new,source\n", out);
    size_t n = 0;
    for (size_t i = 0; i < inventory_count(after); i++) {
        const struct inv_device *d = inventory_at(after, i);
        const struct inv_device *was = inventory_find(before, d->key);
        if (!was) {
            diff_line(fmt, out, &w, "new_device", d, NULL, NULL, d->mac_vendor[0] ? d->mac_vendor : NULL, NULL);
            n++;
        }
        for (uint32_t f = 0; f < d->n_identity; f++) {
            const struct inv_identity *fact = &d->identity[f];
            const char *old = was ? inv_device_identity(was, fact->field) : NULL;
            if (old && strcmp(old, fact->value) == 0)
                continue;
            diff_line(fmt, out, &w, old ? "identity_changed" : "identity_learned", d, fact->field, old, fact->value,
                      fact->source);
            n++;
        }
        for (uint32_t r = 0; r < d->n_roles; r++) {
            if (has_role(was, &d->roles[r]))
                continue;
            char what[INV_NAME_MAX * 2 + 2];
            snprintf(what, sizeof what, "%s/%s", d->roles[r].protocol, d->roles[r].role);
            diff_line(fmt, out, &w, "new_role", d, what, NULL, d->roles[r].detail[0] ? d->roles[r].detail : NULL,
                      NULL);
            n++;
        }
    }
    json_writer_free(&w);
    return n;
}
