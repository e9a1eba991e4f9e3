/* test_profile.c — sector profiles and site files: all 14 profiles load and
 * check clean, site files overlay them, and bad files give errors that name
 * the file and the exact line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sectors/profile.h"

static const char *const sectors[] = {
    "information-communications", "financial-services", "civil-aviation", "airports", "railways",
    "electric-power", "gas", "government-services", "medical-services", "water-supply",
    "logistics", "chemicals", "consumer-credit", "oil",
};

static struct mamori_profile prof;
static struct profile_errors errs;

/* Writes text to a fresh temporary file; returns its path (static buffer). */
static const char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/mamori-profile-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    size_t n = strlen(text);
    cr_assert_eq(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

/* Loads text as a file over the defaults; returns the error count. */
static uint32_t load_text(const char *text, const char **path_out)
{
    const char *path = write_temp(text);
    profile_defaults(&prof);
    memset(&errs, 0, sizeof errs);
    profile_load_file(&prof, path, &errs);
    if (path_out)
        *path_out = path;
    return errs.count;
}

Test(profile, all_fourteen_sectors_load_and_check_clean)
{
    char path[512];
    for (size_t i = 0; i < sizeof sectors / sizeof sectors[0]; i++) {
        cr_assert_eq(profile_find(sectors[i], path, sizeof path), 0, "no profile for %s", sectors[i]);
        FILE *sink = fopen("/dev/null", "w");
        cr_assert_eq(profile_check_file(path, sink), 0, "%s has errors", path);
        cr_assert_eq(profile_load(&prof, sectors[i], NULL, sink), 0);
        fclose(sink);
        cr_assert_str_eq(prof.sector, sectors[i]);
        cr_assert(prof.n_expected > 0, "%s expects no protocol", sectors[i]);
        cr_assert(prof.forbid_external_peers);
        cr_assert(prof.n_remote_access_apps > 0);
    }
}

Test(profile, sectors_differ_where_they_should)
{
    FILE *sink = fopen("/dev/null", "w");
    cr_assert_eq(profile_load(&prof, "electric-power", NULL, sink), 0);
    cr_assert(profile_expects_protocol(&prof, "goose"));
    cr_assert(profile_expects_protocol(&prof, "sv"));
    cr_assert_eq(prof.thresholds[THRESH_UNIT_SWEEP].limit, 10);
    cr_assert_eq(prof.severity[FINDING_INTEGRITY_ANOMALY], MAMORI_SEV_CRITICAL);
    cr_assert_eq(prof.suppression_s[FINDING_UNIT_SWEEP], 900);
    cr_assert_eq(prof.suppression_s[FINDING_FLOOD], 300);
    cr_assert(prof.permissions[ROLE_MASTER] & (1u << MAMORI_OP_OPERATE));
    cr_assert(!(prof.permissions[ROLE_MASTER] & (1u << MAMORI_OP_PROGRAM)));
    cr_assert(!(prof.permissions[ROLE_OTHER] & (1u << MAMORI_OP_WRITE)));
    cr_assert_eq(profile_load(&prof, "financial-services", NULL, sink), 0);
    cr_assert(!profile_expects_protocol(&prof, "goose"));
    cr_assert(profile_expects_protocol(&prof, "modbus"));
    cr_assert_eq(profile_load(&prof, "water-supply", NULL, sink), 0);
    cr_assert(profile_expects_protocol(&prof, "dnp3"));
    cr_assert(!profile_expects_protocol(&prof, "mms"));
    fclose(sink);
}

Test(profile, site_file_overlays_sector)
{
    const char *site = write_temp("site: substation-7\n"
                                  "networks: [10.20.0.0/16, 'fd00:20::/32']\n"
                                  "engineering_stations: [10.20.0.5]\n"
                                  "masters: [10.20.0.10, 10.20.0.11]\n"
                                  "external_peers: [203.0.113.7]\n"
                                  "thresholds:\n"
                                  "  flood: {limit: 50, window: 2}\n"
                                  "devices:\n"
                                  "  - name: feeder-relay\n"
                                  "    address: 10.20.1.20\n"
                                  "    allow_from: [10.20.0.12]\n"
                                  "    suppress: [flood]\n");
    FILE *sink = fopen("/dev/null", "w");
    cr_assert_eq(profile_load(&prof, "electric-power", site, sink), 0);
    fclose(sink);
    cr_assert_str_eq(prof.site, "substation-7");
    cr_assert_str_eq(prof.sector, "electric-power");
    cr_assert_eq(prof.n_networks, 2);
    struct profile_net a;
    cr_assert(profile_net_parse("10.20.0.5", &a));
    cr_assert_eq(profile_role_of(&prof, 4, a.addr), ROLE_ENGINEERING);
    cr_assert(profile_net_parse("10.20.0.11", &a));
    cr_assert_eq(profile_role_of(&prof, 4, a.addr), ROLE_MASTER);
    cr_assert(profile_net_parse("10.20.0.12", &a));
    cr_assert_eq(profile_role_of(&prof, 4, a.addr), ROLE_OTHER);
    cr_assert(profile_nets_contain(prof.networks, prof.n_networks, 4, a.addr));
    cr_assert(profile_net_parse("fd00:20:1::9", &a));
    cr_assert(profile_nets_contain(prof.networks, prof.n_networks, 6, a.addr));
    cr_assert(profile_net_parse("10.21.0.1", &a));
    cr_assert(!profile_nets_contain(prof.networks, prof.n_networks, 4, a.addr));
    cr_assert_eq(prof.thresholds[THRESH_FLOOD].limit, 50);
    cr_assert_eq(prof.thresholds[THRESH_FLOOD].window_s, 2);
    cr_assert_eq(prof.thresholds[THRESH_UNIT_SWEEP].limit, 10, "untouched settings keep the sector's");
    cr_assert(profile_net_parse("10.20.1.20", &a));
    const struct profile_device *dev = profile_device_of(&prof, 4, a.addr);
    cr_assert_not_null(dev);
    cr_assert_str_eq(dev->name, "feeder-relay");
    cr_assert_eq(dev->n_allow_from, 1);
    cr_assert_eq(dev->suppress, 1ull << FINDING_FLOOD);
}

Test(profile, untrusted_vendors_from_the_site_file)
{
    const char *site = write_temp("site: substation-7\n"
                                  "untrusted_vendors: [Example Telecom Equipment, ACME Automation]\n");
    FILE *sink = fopen("/dev/null", "w");
    cr_assert_eq(profile_load(&prof, "electric-power", site, sink), 0);
    fclose(sink);
    cr_assert_eq(prof.n_untrusted_vendors, 2);
    cr_assert_str_eq(prof.untrusted_vendors[0], "Example Telecom Equipment");
    cr_assert_str_eq(prof.untrusted_vendors[1], "ACME Automation");
}

Test(profile, unknown_key_names_file_and_line)
{
    const char *path;
    cr_assert_eq(load_text("site: a\n"
                           "networks: [10.0.0.0/8]\n"
                           "\n"
                           "mastres: [10.0.0.1]\n",
                           &path),
                 1);
    char expected[PROFILE_ERROR_MAX];
    snprintf(expected, sizeof expected,
             "%s:4: top level: unknown key 'mastres' (expected one of: sector, site, description, "
             "expected_protocols, forbidden, permissions, thresholds, timing, severity, suppression, networks, "
             "engineering_stations, masters, external_peers, devices, untrusted_vendors)",
             path);
    cr_assert_str_eq(errs.text[0], expected);
}

Test(profile, every_error_is_reported_with_its_line)
{
    const char *path;
    cr_assert_eq(load_text("site: a\n"
                           "masters: [10.0.0.300]\n"
                           "thresholds:\n"
                           "  flood: {limit: -1, window: 1}\n"
                           "  scan: {limit: 3, window: 1}\n"
                           "severity:\n"
                           "  flood: urgent\n"
                           "permissions:\n"
                           "  master: [read, reboot]\n",
                           &path),
                 5);
    char line[PROFILE_ERROR_MAX];
    snprintf(line, sizeof line, "%s:2: masters: '10.0.0.300' is not an IPv4/IPv6 address or address/prefix", path);
    cr_assert_str_eq(errs.text[0], line);
    snprintf(line, sizeof line, "%s:4: threshold limit: expected a whole number from 1 to 1000000000, got '-1'",
             path);
    cr_assert_str_eq(errs.text[1], line);
    cr_assert(strncmp(errs.text[2], path, strlen(path)) == 0);
    cr_assert(strstr(errs.text[2], ":5: thresholds: unknown threshold 'scan'"));
    snprintf(line, sizeof line, "%s:7: severity.flood: expected info, low, medium, high or critical, got 'urgent'",
             path);
    cr_assert_str_eq(errs.text[3], line);
    cr_assert(strstr(errs.text[4], ":9: permissions.master: unknown operation class 'reboot'"));
}

Test(profile, yaml_syntax_error_names_line)
{
    const char *path;
    cr_assert_eq(load_text("site: a\nmasters: [10.0.0.1\nnetworks: []\n", &path), 1);
    cr_assert(strncmp(errs.text[0], path, strlen(path)) == 0);
    cr_assert(strstr(errs.text[0], "YAML syntax error"), "%s", errs.text[0]);
    cr_assert(strstr(errs.text[0], ":4: ") || strstr(errs.text[0], ":3: "), "%s", errs.text[0]);
}

Test(profile, incomplete_sector_profile_is_rejected)
{
    const char *path;
    cr_assert_eq(load_text("sector: gas\nexpected_protocols: [modbus]\nmasters: [10.0.0.1]\n", &path), 7);
    char line[PROFILE_ERROR_MAX];
    snprintf(line, sizeof line, "%s:1: sector profile without 'forbidden'", path);
    cr_assert_str_eq(errs.text[0], line);
    snprintf(line, sizeof line, "%s:1: 'masters' belongs in a site file, not in a sector profile", path);
    cr_assert_str_eq(errs.text[6], line);
}

Test(profile, unknown_sector_and_wrong_types)
{
    const char *path;
    cr_assert_eq(load_text("sector: fisheries\n", &path), 8);
    char line[PROFILE_ERROR_MAX];
    snprintf(line, sizeof line, "%s:1: sector: 'fisheries' is not one of the 14 sectors (see docs/sectors.md)",
             path);
    cr_assert_str_eq(errs.text[0], line);
    cr_assert_eq(load_text("site: a\nnetworks: 10.0.0.0/8\ndevices:\n  - name: x\n", &path), 2);
    snprintf(line, sizeof line, "%s:2: networks: expected a list ([a, b] or '- item' lines)", path);
    cr_assert_str_eq(errs.text[0], line);
    snprintf(line, sizeof line, "%s:4: devices: entry without 'address'", path);
    cr_assert_str_eq(errs.text[1], line);
}

Test(profile, missing_file_and_sector)
{
    memset(&errs, 0, sizeof errs);
    profile_defaults(&prof);
    cr_assert_eq(profile_load_file(&prof, "/nonexistent/site.yaml", &errs), -1);
    cr_assert_str_eq(errs.text[0], "/nonexistent/site.yaml:0: cannot open: No such file or directory");
    FILE *sink = fopen("/dev/null", "w");
    cr_assert_eq(profile_load(&prof, "fisheries", NULL, sink), -1);
    fclose(sink);
}

Test(profile, address_blocks)
{
    struct profile_net n, a;
    cr_assert(profile_net_parse("192.168.4.0/22", &n));
    cr_assert(profile_net_parse("192.168.7.255", &a));
    cr_assert(profile_net_contains(&n, 4, a.addr));
    cr_assert(profile_net_parse("192.168.8.0", &a));
    cr_assert(!profile_net_contains(&n, 4, a.addr));
    cr_assert(!profile_net_parse("192.168.4.0/33", &n));
    cr_assert(!profile_net_parse("192.168.4.0/", &n));
    cr_assert(!profile_net_parse("host", &n));
    cr_assert(profile_net_parse("0.0.0.0/0", &n));
    cr_assert(profile_net_contains(&n, 4, a.addr));
    cr_assert(!profile_net_contains(&n, 6, a.addr));
}
