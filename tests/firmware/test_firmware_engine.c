/* test_firmware_engine.c — the inventory engine over two runs with a real
 * SQLite file and CSAF advisories: the alerts it raises, exactly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/firmware_engine.h"

#define MAX_ALERTS 16
#define T0 1700000000000000ull
#define SECOND 1000000ull

struct seen_alert {
    char category[40], technique[12], src[64], summary[256];
    enum mamori_severity severity;
};

static struct seen_alert alerts[MAX_ALERTS];
static size_t n_alerts;
static char db_path[256], advisories[4096];

static void collect(void *ctx, const struct mamori_alert *a)
{
    (void)ctx;
    cr_assert_lt(n_alerts, MAX_ALERTS);
    struct seen_alert *s = &alerts[n_alerts++];
    snprintf(s->category, sizeof s->category, "%s", a->category);
    snprintf(s->technique, sizeof s->technique, "%s", a->technique);
    snprintf(s->src, sizeof s->src, "%s", a->src);
    snprintf(s->summary, sizeof s->summary, "%s", a->summary);
    s->severity = a->severity;
    cr_assert_str_eq(a->sector, "electric-power");
    cr_assert_eq(strlen(a->id), 36);
}

static void setup(void)
{
    n_alerts = 0;
    snprintf(db_path, sizeof db_path, "/tmp/mamori-fwengine-test-%d.db", getpid());
    unlink(db_path);
    snprintf(advisories, sizeof advisories, "%s/tests/firmware/csaf", getenv("MAMORI_SOURCE_ROOT"));
}

static void teardown(void)
{
    char side[300];
    unlink(db_path);
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
}

TestSuite(firmware_engine, .init = setup, .fini = teardown);

static struct firmware_engine *open_engine(const char *untrusted)
{
    struct firmware_engine_config cfg = {
        .inventory_path = db_path, .advisories_dir = advisories, .sensor = "s1", .site = "plant",
        .sector = "electric-power", .raise = collect,
    };
    if (untrusted) {
        cfg.untrusted_vendors[0] = untrusted;
        cfg.n_untrusted_vendors = 1;
    }
    char err[512] = "";
    FILE *errs = fopen("/dev/null", "w");
    struct firmware_engine *fe = firmware_engine_open(&cfg, errs, err, sizeof err);
    cr_assert_not_null(fe, "%s", err);
    return fe;
}

/* Makes `ev` a device's identity response to function `code` (`name`). */
static void identity_response(struct mamori_event *ev, uint32_t code, const char *name)
{
    ev->kind = MAMORI_EVENT_IDENTITY;
    ev->role = MAMORI_ROLE_RESPONSE;
    ev->has_function = true;
    ev->function_code = code;
    ev->function_name = name;
}

/* The run raised exactly one alert, with these fields. */
static void expect_one_alert(const char *category, const char *technique, const char *src, const char *summary)
{
    cr_assert_eq(n_alerts, 1);
    cr_assert_str_eq(alerts[0].category, category);
    cr_assert_str_eq(alerts[0].technique, technique);
    cr_assert_str_eq(alerts[0].src, src);
    cr_assert_str_eq(alerts[0].summary, summary);
}

/* 10.0.0.<client> reads unit 1 of 10.0.0.<server>, which identifies itself. */
static void conversation(struct firmware_engine *fe, uint8_t client, uint8_t server, uint64_t t, const char *revision)
{
    struct mamori_event ev;
    mamori_event_init(&ev, NULL, "modbus");
    ev.time_us = t;
    ev.where.ip_version = 4;
    memcpy(ev.where.src_ip, (uint8_t[]){ 10, 0, 0, client }, 4);
    memcpy(ev.where.dst_ip, (uint8_t[]){ 10, 0, 0, server }, 4);
    ev.role = MAMORI_ROLE_REQUEST;
    ev.op = MAMORI_OP_IDENTIFY;
    ev.has_unit = true;
    ev.unit = 1;
    firmware_engine_observe(fe, &ev);
    memcpy(ev.where.src_ip, (uint8_t[]){ 10, 0, 0, server }, 4);
    memcpy(ev.where.dst_ip, (uint8_t[]){ 10, 0, 0, client }, 4);
    ev.time_us = t + 1000;
    identity_response(&ev, 43, "read_device_identification");
    mamori_event_add_identity(&ev, "vendor", "Schneider Electric", 18);
    mamori_event_add_identity(&ev, "product_code", "BMX P34 2020", 12);
    mamori_event_add_identity(&ev, "revision", revision, strlen(revision));
    firmware_engine_observe(fe, &ev);
}

Test(firmware_engine, first_run_builds_inventory_and_flags_vulnerable_firmware)
{
    struct firmware_engine *fe = open_engine(NULL);
    conversation(fe, 1, 2, T0, "v3.40");
    firmware_engine_close(fe);
    cr_assert_eq(n_alerts, 1, "no new-device alerts on the run that builds the inventory");
    cr_assert_str_eq(alerts[0].category, "vulnerable-firmware");
    cr_assert_str_eq(alerts[0].technique, "T0866");
    cr_assert_str_eq(alerts[0].src, "10.0.0.2");
    cr_assert_eq(alerts[0].severity, MAMORI_SEV_HIGH, "CVSS 8.6");
    cr_assert_str_eq(alerts[0].summary,
                     "10.0.0.2 runs BMX P34 2020 v3.40, affected by CVE-2022-0002,CVE-2022-0003 (TEST-SA-0002)");
}

Test(firmware_engine, later_runs_alert_on_firmware_change_and_new_devices)
{
    struct firmware_engine *fe = open_engine(NULL);
    conversation(fe, 1, 2, T0, "v3.40");
    firmware_engine_close(fe);
    n_alerts = 0;

    fe = open_engine(NULL);
    conversation(fe, 1, 2, T0 + 60 * SECOND, "v3.40");
    cr_assert_eq(n_alerts, 0, "same device, same firmware, advisory already reported");
    conversation(fe, 1, 2, T0 + 120 * SECOND, "V3.50");
    cr_assert_eq(n_alerts, 1);
    cr_assert_str_eq(alerts[0].category, "firmware-change");
    cr_assert_str_eq(alerts[0].technique, "T0857");
    cr_assert_str_eq(alerts[0].summary,
                     "10.0.0.2 now reports revision V3.50 (was v3.40), seen in modbus/read_device_identification");
    conversation(fe, 1, 3, T0 + 180 * SECOND, "V3.50");
    cr_assert_eq(n_alerts, 2);
    cr_assert_str_eq(alerts[1].category, "new-device");
    cr_assert_str_eq(alerts[1].technique, "T0848");
    cr_assert_str_eq(alerts[1].summary, "new device 10.0.0.3 acting as modbus server");
    firmware_engine_close(fe);
}

/* A GOOSE publisher reports its control block's confRev, as goose.c emits it. */
static void goose_conf_rev(struct firmware_engine *fe, uint64_t t, const char *conf_rev)
{
    struct mamori_event ev;
    mamori_event_init(&ev, NULL, "goose");
    ev.time_us = t;
    memcpy(ev.where.src_mac, (uint8_t[]){ 0x00, 0x1b, 0x1b, 0x00, 0x00, 0x07 }, 6);
    memcpy(ev.where.dst_mac, (uint8_t[]){ 0x01, 0x0c, 0xcd, 0x01, 0x00, 0x01 }, 6);
    ev.kind = MAMORI_EVENT_IDENTITY;
    ev.op = MAMORI_OP_IDENTIFY;
    mamori_event_add_identity(&ev, "conf_rev:IED1LD0/LLN0$GO$gcb1", conf_rev, strlen(conf_rev));
    firmware_engine_observe(fe, &ev);
}

Test(firmware_engine, goose_conf_rev_change_is_a_configuration_change)
{
    struct firmware_engine *fe = open_engine(NULL);
    goose_conf_rev(fe, T0, "1");
    goose_conf_rev(fe, T0 + SECOND, "1");
    cr_assert_eq(n_alerts, 0);
    goose_conf_rev(fe, T0 + 2 * SECOND, "2");
    firmware_engine_close(fe);
    expect_one_alert("conf-rev-change", "T0836", "mac 00:1b:1b:00:00:07",
                     "mac 00:1b:1b:00:00:07 now reports conf_rev:IED1LD0/LLN0$GO$gcb1 2 (was 1), seen in goose");
}

/* An IED answers a read of its PhyNam swRev and of the NamPlt swRev of two
 * logical devices, with the facts mms_response.c emits: NamPlt facts are
 * qualified by their logical device. */
static void mms_nameplates(struct firmware_engine *fe, uint64_t t, const char *prot_sw_rev, const char *ctrl_sw_rev)
{
    struct mamori_event ev;
    mamori_event_init(&ev, NULL, "mms");
    ev.time_us = t;
    ev.where.ip_version = 4;
    memcpy(ev.where.src_ip, (uint8_t[]){ 10, 0, 0, 9 }, 4);
    memcpy(ev.where.dst_ip, (uint8_t[]){ 10, 0, 0, 1 }, 4);
    identity_response(&ev, 4, "read");
    ev.op = MAMORI_OP_READ;
    mamori_event_add_identity(&ev, "software_version", "FW 7.80", 7);
    mamori_event_add_identity(&ev, "software_version:IED1PROT", prot_sw_rev, strlen(prot_sw_rev));
    mamori_event_add_identity(&ev, "software_version:IED1CTRL", ctrl_sw_rev, strlen(ctrl_sw_rev));
    firmware_engine_observe(fe, &ev);
}

Test(firmware_engine, mms_namplt_versions_of_two_logical_devices_do_not_flap)
{
    struct firmware_engine *fe = open_engine(NULL);
    mms_nameplates(fe, T0, "V7.80", "V7.90");
    mms_nameplates(fe, T0 + SECOND, "V7.80", "V7.90");
    cr_assert_eq(n_alerts, 0, "each logical device keeps its own swRev, apart from PhyNam's");
    mms_nameplates(fe, T0 + 2 * SECOND, "V7.80", "V7.91");
    firmware_engine_close(fe);
    expect_one_alert("firmware-change", "T0857", "10.0.0.9",
                     "10.0.0.9 now reports software_version:IED1CTRL V7.91 (was V7.90), seen in mms/read");
}

Test(firmware_engine, excluded_vendors_are_flagged)
{
    struct firmware_engine *fe = open_engine("schneider electric se");
    conversation(fe, 1, 2, T0, "V3.50");
    firmware_engine_close(fe);
    cr_assert_eq(n_alerts, 1);
    cr_assert_str_eq(alerts[0].category, "untrusted-vendor");
    cr_assert_str_eq(alerts[0].technique, "T0862");
    cr_assert_str_eq(alerts[0].summary,
                     "10.0.0.2 is equipment of Schneider Electric, a vendor the procurement policy excludes");
}

Test(firmware_engine, new_advisories_are_matched_against_known_devices)
{
    struct firmware_engine *fe = open_engine(NULL);
    conversation(fe, 1, 2, T0, "V3.50");
    cr_assert_eq(n_alerts, 0);
    char path[300];
    snprintf(path, sizeof path, "/tmp/mamori-fwengine-adv-%d.json", getpid());
    FILE *f = fopen(path, "w");
    fputs("{\"document\":{\"csaf_version\":\"2.0\",\"title\":\"M340 V3.50 issue\",\"tracking\":{\"id\":\"TEST-SA-9\"}},"
          "\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"Schneider Electric\",\"branches\":[{"
          "\"category\":\"product_name\",\"name\":\"BMX P34 2020\",\"branches\":[{\"category\":\"product_version\","
          "\"name\":\"V3.50\",\"product\":{\"name\":\"BMX P34 2020 V3.50\",\"product_id\":\"X\"}}]}]}]},"
          "\"vulnerabilities\":[{\"cve\":\"CVE-2025-9999\",\"product_status\":{\"known_affected\":[\"X\"]},"
          "\"scores\":[{\"products\":[\"X\"],\"cvss_v3\":{\"baseScore\":9.8}}]}]}",
          f);
    fclose(f);
    cr_assert_eq(firmware_engine_add_advisories(fe, path, NULL), 1);
    unlink(path);
    cr_assert_eq(n_alerts, 1);
    cr_assert_str_eq(alerts[0].category, "vulnerable-firmware");
    cr_assert_eq(alerts[0].severity, MAMORI_SEV_CRITICAL);
    cr_assert_str_eq(alerts[0].summary, "10.0.0.2 runs BMX P34 2020 V3.50, affected by CVE-2025-9999 (TEST-SA-9)");
    firmware_engine_close(fe);
}
