/* test_inventory.c — the asset inventory from events: devices, roles, identity
 * and its changes; the SQLite store across runs, at past times and as a diff;
 * OUI manufacturer lookup. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/inventory.h"
#include "firmware/inventory_cli.h"
#include "firmware/inventory_report.h"
#include "firmware/inventory_store.h"
#include "firmware/oui.h"

#define MAX_CHANGES 32
#define T0 1700000000000000ull
#define SECOND 1000000ull

struct seen_change {
    enum inv_change_kind kind;
    char key[INV_KEY_MAX];
    char field[INV_FIELD_MAX];
    char value[INV_TEXT_MAX];
    char old_value[INV_TEXT_MAX];
};

static struct seen_change changes[MAX_CHANGES];
static size_t n_changes;
static struct inventory_store *store;

static void on_change(void *ctx, const struct inv_change *c)
{
    (void)ctx;
    cr_assert_lt(n_changes, MAX_CHANGES);
    struct seen_change *s = &changes[n_changes++];
    memset(s, 0, sizeof *s);
    s->kind = c->kind;
    snprintf(s->key, sizeof s->key, "%s", c->device->key);
    if (c->identity) {
        snprintf(s->field, sizeof s->field, "%s", c->identity->field);
        snprintf(s->value, sizeof s->value, "%s", c->identity->value);
    }
    if (c->role)
        snprintf(s->field, sizeof s->field, "%s/%s", c->role->protocol, c->role->role);
    if (c->old_value)
        snprintf(s->old_value, sizeof s->old_value, "%s", c->old_value);
    if (store)
        cr_assert_eq(inventory_store_change(store, c), 0);
}

static void ipv4_event(struct mamori_event *ev, const char *protocol, uint8_t src, uint8_t dst, uint64_t t)
{
    mamori_event_init(ev, NULL, protocol);
    ev->time_us = t;
    ev->where.ip_version = 4;
    ev->where.l4_proto = 6;
    memcpy(ev->where.src_ip, (uint8_t[]){ 10, 0, 0, src }, 4);
    memcpy(ev->where.dst_ip, (uint8_t[]){ 10, 0, 0, dst }, 4);
    memcpy(ev->where.src_mac, (uint8_t[]){ 0x00, 0x00, 0x0c, 0, 0, src }, 6);
    memcpy(ev->where.dst_mac, (uint8_t[]){ 0x00, 0x00, 0x0c, 0, 0, dst }, 6);
}

/* A Modbus read of unit 1 by 10.0.0.1 from 10.0.0.2, answered, then the
 * device identification that 10.0.0.2 reports with `revision`. */
static void modbus_conversation(struct inventory *inv, uint64_t t, const char *revision)
{
    struct mamori_event ev;
    ipv4_event(&ev, "modbus", 1, 2, t);
    ev.role = MAMORI_ROLE_REQUEST;
    ev.op = MAMORI_OP_READ;
    ev.has_unit = true;
    ev.unit = 1;
    inventory_observe(inv, &ev);
    ipv4_event(&ev, "modbus", 2, 1, t + 1000);
    ev.role = MAMORI_ROLE_RESPONSE;
    ev.has_unit = true;
    ev.unit = 1;
    inventory_observe(inv, &ev);
    ipv4_event(&ev, "modbus", 2, 1, t + 2000);
    ev.kind = MAMORI_EVENT_IDENTITY;
    ev.role = MAMORI_ROLE_RESPONSE;
    ev.op = MAMORI_OP_IDENTIFY;
    ev.has_function = true;
    ev.function_code = 43;
    ev.function_name = "read_device_identification";
    ev.has_unit = true;
    ev.unit = 1;
    mamori_event_add_identity(&ev, "vendor", "Schneider Electric  ", 20);
    mamori_event_add_identity(&ev, "product_code", "BMX P34 2020", 12);
    mamori_event_add_identity(&ev, "revision", revision, strlen(revision));
    inventory_observe(inv, &ev);
}

static void reset_changes(void)
{
    n_changes = 0;
    store = NULL;
}

TestSuite(inventory, .init = reset_changes);

Test(inventory, builds_devices_roles_and_identity)
{
    struct inventory *inv = inventory_new(16, NULL, on_change, NULL);
    modbus_conversation(inv, T0, "v3.40");
    cr_assert_eq(inventory_count(inv), 2);
    const struct inv_device *plc = inventory_find(inv, "10.0.0.2");
    cr_assert_not_null(plc);
    cr_assert_eq(plc->id, 2);
    cr_assert_eq(plc->n_roles, 1);
    cr_assert_str_eq(plc->roles[0].protocol, "modbus");
    cr_assert_str_eq(plc->roles[0].role, "server");
    cr_assert_str_eq(plc->roles[0].detail, "unit 1");
    cr_assert_str_eq(inv_device_identity(plc, "vendor"), "Schneider Electric", "padding trimmed");
    cr_assert_str_eq(inv_device_identity(plc, "revision"), "v3.40");
    cr_assert_str_eq(plc->identity[0].source, "modbus/read_device_identification");
    cr_assert_eq(plc->first_us, T0);
    cr_assert_eq(plc->last_us, T0 + 2000);
    const struct inv_device *hmi = inventory_find(inv, "10.0.0.1");
    cr_assert_str_eq(hmi->roles[0].role, "client");
    cr_assert_str_eq(hmi->roles[0].detail, "");

    /* new 10.0.0.1, new 10.0.0.2, two roles, three identity facts */
    cr_assert_eq(n_changes, 7);
    cr_assert_eq(changes[0].kind, INV_NEW_DEVICE);
    cr_assert_str_eq(changes[0].key, "10.0.0.1");
    cr_assert_eq(changes[1].kind, INV_NEW_DEVICE);
    cr_assert_eq(changes[2].kind, INV_NEW_ROLE);
    cr_assert_str_eq(changes[2].field, "modbus/client");
    cr_assert_eq(changes[3].kind, INV_NEW_ROLE);
    cr_assert_str_eq(changes[3].field, "modbus/server");
    cr_assert_eq(changes[6].kind, INV_IDENTITY_LEARNED);
    cr_assert_str_eq(changes[6].field, "revision");

    n_changes = 0;
    modbus_conversation(inv, T0 + SECOND, "v3.40");
    cr_assert_eq(n_changes, 0, "the same conversation again changes nothing");
    modbus_conversation(inv, T0 + 2 * SECOND, "V3.50");
    cr_assert_eq(n_changes, 1);
    cr_assert_eq(changes[0].kind, INV_IDENTITY_CHANGED);
    cr_assert_str_eq(changes[0].field, "revision");
    cr_assert_str_eq(changes[0].old_value, "v3.40");
    cr_assert_str_eq(changes[0].value, "V3.50");
    cr_assert_eq(inv_field_class("revision"), INV_FIELD_FIRMWARE);
    cr_assert_eq(inv_field_class("serial_number"), INV_FIELD_HARDWARE);
    cr_assert_eq(inv_field_class("conf_rev"), INV_FIELD_CONFIG);
    inventory_free(inv);
}

Test(inventory, layer2_publishers_are_keyed_by_mac_and_multicast_is_no_device)
{
    struct inventory *inv = inventory_new(16, NULL, on_change, NULL);
    struct mamori_event ev;
    mamori_event_init(&ev, NULL, "goose");
    ev.time_us = T0;
    memcpy(ev.where.src_mac, (uint8_t[]){ 0x00, 0x1b, 0x1b, 0x00, 0x00, 0x07 }, 6);
    memcpy(ev.where.dst_mac, (uint8_t[]){ 0x01, 0x0c, 0xcd, 0x01, 0x00, 0x01 }, 6);
    ev.where.vlan = 5;
    ev.role = MAMORI_ROLE_PUBLISH;
    ev.op = MAMORI_OP_REPORT;
    ev.object = (struct mamori_text){ "IED1LD0/LLN0$GO$gcb1", 20 };
    inventory_observe(inv, &ev);
    cr_assert_eq(inventory_count(inv), 1);
    const struct inv_device *ied = inventory_at(inv, 0);
    cr_assert_str_eq(ied->key, "mac 00:1b:1b:00:00:07");
    cr_assert_eq(ied->n_vlans, 1);
    cr_assert_eq(ied->vlans[0], 5);
    cr_assert_str_eq(ied->roles[0].role, "publisher");
    cr_assert_str_eq(ied->roles[0].detail, "IED1LD0/LLN0$GO$gcb1");
    inventory_free(inv);
}

/* A GOOSE publisher's confRev per control block, under a 65-character gocbRef. */
Test(inventory, qualified_fields_are_kept_whole_and_classed_by_base)
{
    static const char gocb_ref[] = "IED123456789ABCDEFGHIJKLMNOPQRSTUVWXYZLD0/LLN0$GO$gcbProtection01";
    cr_assert_eq(strlen(gocb_ref), 65);
    char field[INV_FIELD_MAX];
    snprintf(field, sizeof field, "conf_rev:%s", gocb_ref);
    struct inventory *inv = inventory_new(16, NULL, on_change, NULL);
    struct mamori_event ev;
    for (int i = 0; i < 2; i++) {
        mamori_event_init(&ev, NULL, "goose");
        ev.time_us = T0 + (uint64_t)i * SECOND;
        memcpy(ev.where.src_mac, (uint8_t[]){ 0x00, 0x1b, 0x1b, 0x00, 0x00, 0x07 }, 6);
        memcpy(ev.where.dst_mac, (uint8_t[]){ 0x01, 0x0c, 0xcd, 0x01, 0x00, 0x01 }, 6);
        ev.kind = MAMORI_EVENT_IDENTITY;
        ev.op = MAMORI_OP_IDENTIFY;
        mamori_event_add_identity(&ev, field, i ? "2" : "1", 1);
        inventory_observe(inv, &ev);
    }
    const struct inv_device *ied = inventory_find(inv, "mac 00:1b:1b:00:00:07");
    cr_assert_not_null(ied);
    cr_assert_eq(ied->n_identity, 1);
    cr_assert_str_eq(ied->identity[0].field, field);
    cr_assert_str_eq(ied->identity[0].value, "2");
    cr_assert_str_eq(ied->identity[0].source, "goose");
    cr_assert_eq(n_changes, 3, "new device, conf_rev learned, conf_rev changed");
    cr_assert_eq(changes[1].kind, INV_IDENTITY_LEARNED);
    cr_assert_eq(changes[2].kind, INV_IDENTITY_CHANGED);
    cr_assert_str_eq(changes[2].field, field);
    cr_assert_str_eq(changes[2].old_value, "1");
    inventory_free(inv);

    cr_assert_eq(inv_field_class(field), INV_FIELD_CONFIG);
    cr_assert_eq(inv_field_class("software_version:LD0"), INV_FIELD_FIRMWARE);
    cr_assert_eq(inv_field_class("vendor:LD0"), INV_FIELD_HARDWARE);
    cr_assert_eq(inv_field_class("config_revision:LD0"), INV_FIELD_CONFIG);
    cr_assert_eq(inv_field_class("device_type"), INV_FIELD_HARDWARE);
    cr_assert_eq(inv_field_class("vendor_id"), INV_FIELD_HARDWARE);
    cr_assert_eq(inv_field_class("vendor_url"), INV_FIELD_OTHER, "a longer name is not its prefix");
    cr_assert_eq(inv_field_class("location:LD0"), INV_FIELD_OTHER);
    cr_assert(inv_field_has_base("vendor", "vendor"));
    cr_assert(!inv_field_has_base("vendo", "vendor"));
}

Test(inventory, is_bounded_and_counts_refusals)
{
    struct inventory *inv = inventory_new(2, NULL, NULL, NULL);
    struct mamori_event ev;
    for (uint8_t host = 1; host <= 4; host++) {
        ipv4_event(&ev, "modbus", host, 100, T0);
        ev.role = MAMORI_ROLE_REQUEST;
        inventory_observe(inv, &ev);
    }
    cr_assert_eq(inventory_count(inv), 2);
    cr_assert_eq(inventory_stats(inv)->devices_refused, 3, "hosts 2, 3 and 4 did not fit");
    inventory_free(inv);
}

Test(inventory, anomalies_do_not_create_devices)
{
    struct inventory *inv = inventory_new(4, NULL, NULL, NULL);
    struct mamori_event ev;
    ipv4_event(&ev, "modbus", 1, 2, T0);
    ev.kind = MAMORI_EVENT_ANOMALY;
    ev.anomaly = "invalid_length";
    inventory_observe(inv, &ev);
    cr_assert_eq(inventory_count(inv), 0);
    inventory_free(inv);
}

static char db_path[256];

static void temp_db(void)
{
    snprintf(db_path, sizeof db_path, "/tmp/mamori-inventory-test-%d.db", getpid());
    unlink(db_path);
}

static void remove_db(void)
{
    char side[300];
    unlink(db_path);
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
}

Test(inventory, sqlite_store_keeps_devices_across_runs, .init = temp_db, .fini = remove_db)
{
    char err[512] = "";
    struct inventory *inv = inventory_new(16, NULL, on_change, NULL);
    store = inventory_store_open(db_path, inv, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    modbus_conversation(inv, T0, "v3.40");
    cr_assert_eq(inventory_store_flush(store, inv), 0);
    inventory_store_close(store);
    inventory_free(inv);

    /* the next run: the device is known, only its new firmware is a change */
    n_changes = 0;
    inv = inventory_new(16, NULL, on_change, NULL);
    store = inventory_store_open(db_path, inv, err, sizeof err);
    cr_assert_not_null(store, "%s", err);
    cr_assert_eq(inventory_count(inv), 2);
    const struct inv_device *plc = inventory_find(inv, "10.0.0.2");
    cr_assert_str_eq(inv_device_identity(plc, "revision"), "v3.40");
    cr_assert_eq(plc->last_us, T0 + 2000, "last seen was flushed");
    cr_assert_eq(plc->has_mac, true);
    modbus_conversation(inv, T0 + 10 * SECOND, "V3.50");
    cr_assert_eq(n_changes, 1);
    cr_assert_eq(changes[0].kind, INV_IDENTITY_CHANGED);
    cr_assert_str_eq(changes[0].old_value, "v3.40");
    cr_assert_eq(inventory_store_flush(store, inv), 0);
    cr_assert_not(inventory_store_advisory_seen(store, plc->id, "TEST-SA-0002", true, T0));
    cr_assert(inventory_store_advisory_seen(store, plc->id, "TEST-SA-0002", false, T0));
    inventory_store_close(store);
    store = NULL;
    inventory_free(inv);

    /* the inventory as it stood between the runs, and what changed since */
    struct inventory *before = inventory_new(16, NULL, NULL, NULL), *after = inventory_new(16, NULL, NULL, NULL);
    cr_assert_eq(inventory_store_load_at(db_path, T0 + 5 * SECOND, before, err, sizeof err), 0, "%s", err);
    cr_assert_eq(inventory_store_load_at(db_path, UINT64_MAX, after, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(inv_device_identity(inventory_find(before, "10.0.0.2"), "revision"), "v3.40");
    cr_assert_str_eq(inv_device_identity(inventory_find(after, "10.0.0.2"), "revision"), "V3.50");
    char buf[4096] = "";
    FILE *out = fmemopen(buf, sizeof buf, "w");
    cr_assert_eq(inventory_print_diff(before, after, INV_FORMAT_CSV, out), 1);
    fclose(out);
    cr_assert_str_eq(buf, "change,address,field,old,new,source\n"
                          "\"identity_changed\",\"10.0.0.2\",\"revision\",\"v3.40\",\"V3.50\","
                          "\"modbus/read_device_identification\"\n");

    struct inventory *empty = inventory_new(16, NULL, NULL, NULL);
    cr_assert_eq(inventory_store_load_at(db_path, T0 - 1, empty, err, sizeof err), 0);
    cr_assert_eq(inventory_count(empty), 0, "nothing was known before the first event");
    out = fmemopen(buf, sizeof buf, "w");
    cr_assert_eq(inventory_print_diff(empty, after, INV_FORMAT_CSV, out), 7);
    fclose(out);
    inventory_free(empty);
    inventory_free(before);
    inventory_free(after);
}

Test(inventory, prints_csv_and_json, .init = temp_db, .fini = remove_db)
{
    struct inventory *inv = inventory_new(16, NULL, NULL, NULL);
    modbus_conversation(inv, T0, "v3.40");
    char buf[4096] = "";
    FILE *out = fmemopen(buf, sizeof buf, "w");
    inventory_print(inv, INV_FORMAT_CSV, out);
    fclose(out);
    cr_assert_str_eq(buf,
        "id,address,mac,mac_vendor,vendor,model,revision,software_version,roles,first_seen,last_seen\n"
        "\"1\",\"10.0.0.1\",\"00:00:0c:00:00:01\",\"\",\"\",\"\",\"\",\"\",\"modbus/client\","
        "\"2023-11-14T22:13:20Z\",\"2023-11-14T22:13:20Z\"\n"
        "\"2\",\"10.0.0.2\",\"00:00:0c:00:00:02\",\"\",\"Schneider Electric\",\"BMX P34 2020\",\"v3.40\",\"\","
        "\"modbus/server:unit 1\",\"2023-11-14T22:13:20Z\",\"2023-11-14T22:13:20Z\"\n");
    out = fmemopen(buf, sizeof buf, "w");
    inventory_print(inv, INV_FORMAT_JSON, out);
    fclose(out);
    cr_assert(strstr(buf, "\"identity\":{\"vendor\":{\"value\":\"Schneider Electric\","
                          "\"source\":\"modbus/read_device_identification\",\"since\":\"2023-11-14T22:13:20Z\"}"),
              "got: %s", buf);
    inventory_free(inv);
}

Test(inventory, oui_reads_both_registry_formats)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/mamori-oui-test-%d.txt", getpid());
    FILE *f = fopen(path, "w");
    fputs("00:00:0C\tCisco\tCisco Systems, Inc\n"
          "00:1B:C5:00:00:00/36\tConverging\tConverging Systems Inc.\n"
          "00:50:04\t3com3c90\t3Com\t# 3C90X\n"
          "00:60:08\t3comEtherl\t# 3Com Etherlink III\n"
          "08-61-95   (hex)\t\tRockwell Automation\n"
          "086195     (base 16)\t\tRockwell Automation\n"
          "\t\t\t\t1 Allen-Bradley Dr.\n",
          f);
    fclose(f);
    struct oui_table t;
    cr_assert_eq(oui_load(&t, path), 5);
    cr_assert_str_eq(oui_lookup(&t, (uint8_t[]){ 0x00, 0x50, 0x04, 1, 2, 3 }), "3Com", "the comment field is dropped");
    cr_assert_str_eq(oui_lookup(&t, (uint8_t[]){ 0x00, 0x60, 0x08, 1, 2, 3 }), "3comEtherl", "no long name: the short one");
    cr_assert_str_eq(oui_lookup(&t, (uint8_t[]){ 0x00, 0x00, 0x0c, 0x12, 0x34, 0x56 }), "Cisco Systems, Inc");
    cr_assert_str_eq(oui_lookup(&t, (uint8_t[]){ 0x08, 0x61, 0x95, 0x00, 0x00, 0x01 }), "Rockwell Automation");
    cr_assert_str_eq(oui_lookup(&t, (uint8_t[]){ 0x00, 0x1b, 0xc5, 0x00, 0x00, 0x01 }), "Converging Systems Inc.");
    cr_assert_null(oui_lookup(&t, (uint8_t[]){ 0x00, 0x1b, 0xc5, 0x00, 0x10, 0x01 }), "outside the /36 block");
    oui_free(&t);
    unlink(path);

    cr_assert_gt(oui_load(&t, NULL), 10000, "Debian's registry files are read at run time");
    cr_assert_not_null(oui_lookup(&t, (uint8_t[]){ 0x00, 0x00, 0x0c, 0, 0, 1 }));
    oui_free(&t);
}

/* Runs `mamori inventory ARGS...`; returns the exit status, output in out/err. */
static int run_cli(char *out, char *err, size_t cap, int argc, char **argv)
{
    memset(out, 0, cap);
    memset(err, 0, cap);
    FILE *o = fmemopen(out, cap, "w"), *e = fmemopen(err, cap, "w");
    int rc = inventory_cli(argc, argv, o, e);
    fclose(o);
    fclose(e);
    return rc;
}

Test(inventory, cli_prints_at_times_and_diffs, .init = temp_db, .fini = remove_db)
{
    char err[512] = "";
    struct inventory *inv = inventory_new(16, NULL, on_change, NULL);
    store = inventory_store_open(db_path, inv, err, sizeof err);
    modbus_conversation(inv, T0, "v3.40");               /* 2023-11-14T22:13:20Z */
    modbus_conversation(inv, T0 + 3600 * SECOND, "V3.50"); /* an hour later */
    inventory_store_flush(store, inv);
    inventory_store_close(store);
    store = NULL;
    inventory_free(inv);

    static char out[8192], errs[8192];
    char *csv_at[] = { "inventory", "--db", db_path, "--format", "csv", "--at", "2023-11-14T22:30:00Z" };
    cr_assert_eq(run_cli(out, errs, sizeof out, 7, csv_at), 0, "%s", errs);
    cr_assert(strstr(out, "\"Schneider Electric\",\"BMX P34 2020\",\"v3.40\"") != NULL, "got: %s", out);
    char *diff[] = { "inventory", "--db", db_path, "--format", "csv", "--diff", "1700000001", "now" };
    cr_assert_eq(run_cli(out, errs, sizeof out, 8, diff), 0, "%s", errs);
    cr_assert_str_eq(out, "change,address,field,old,new,source\n"
                          "\"identity_changed\",\"10.0.0.2\",\"revision\",\"v3.40\",\"V3.50\","
                          "\"modbus/read_device_identification\"\n");
    char *before_all[] = { "inventory", "--db", db_path, "--format", "json", "--at", "2023-11-14" };
    cr_assert_eq(run_cli(out, errs, sizeof out, 7, before_all), 0);
    cr_assert_str_eq(out, "", "nothing was known on the day before");
}

Test(inventory, cli_errors_are_one_clear_line)
{
    static char out[4096], errs[4096];
    char *no_db[] = { "inventory", "--format", "csv" };
    cr_assert_eq(run_cli(out, errs, sizeof out, 3, no_db), 2);
    cr_assert(strncmp(errs, "mamori inventory: --db FILE is required\n", 40) == 0, "got: %s", errs);
    char *bad_format[] = { "inventory", "--db", "x.db", "--format", "xml" };
    cr_assert_eq(run_cli(out, errs, sizeof out, 5, bad_format), 2);
    cr_assert_str_eq(errs, "mamori inventory: --format must be table, json or csv, not \"xml\"\n");
    char *bad_time[] = { "inventory", "--db", "x.db", "--at", "yesterday" };
    cr_assert_eq(run_cli(out, errs, sizeof out, 5, bad_time), 2);
    cr_assert_str_eq(errs, "mamori inventory: --at: cannot read \"yesterday\" as a time\n");
    char *missing[] = { "inventory", "--db", "/nonexistent/inv.db" };
    cr_assert_eq(run_cli(out, errs, sizeof out, 3, missing), 1);
    cr_assert_str_eq(errs, "mamori inventory: /nonexistent/inv.db: no such inventory database\n");
}
