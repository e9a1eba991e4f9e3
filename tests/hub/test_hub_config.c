/* test_hub_config.c — the hub's YAML configuration: a complete file loads
 * with every binding, and each kind of mistake gives one line naming the
 * file, the line and the setting. Also address privacy on IPv6 and MACs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sectors/hub/hub_config.h"
#include "sectors/hub/hub_privacy.h"

static struct hub_config cfg;
static char path[64], err[1024];

#define KEY_A "qChIvzleX6B>5C?2vLVX[@yhoipvN5no#v0gS):5"
#define KEY_B "7n#XpDw@6zN}9Yi<Z3S(RA3tuLPz[6a(PWh}iI%Y"

static void write_config(const char *text)
{
    snprintf(path, sizeof path, "/tmp/mamori-hub-config-%d.yaml", getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void teardown(void) { unlink(path); }

TestSuite(hub_config, .fini = teardown);

static const char good[] =
    "listen:\n"
    "  sensors: tcp://127.0.0.1:7601\n"
    "  subscribers: tcp://127.0.0.1:7602\n"
    "  control: ipc:///run/mamori-hub/control\n"
    "secret_key_file: keys/hub.key\n"
    "store: /var/lib/mamori-hub/hub.db\n"
    "sectors:\n"
    "  electric-power: {privacy: pseudonymise}\n"
    "  water: {privacy: strip}\n"
    "sensors:\n"
    "  - name: grid-s1\n"
    "    public_key: \"" KEY_A "\"\n"
    "    organisation: grid-co\n"
    "    site: substation-7\n"
    "    sectors: [electric-power]\n"
    "subscribers:\n"
    "  - name: isac\n"
    "    public_key: \"" KEY_B "\"\n"
    "    organisation: national-isac\n"
    "    sectors: [\"*\"]\n";

Test(hub_config, loads_every_setting)
{
    write_config(good);
    cr_assert(hub_config_load(path, &cfg, err, sizeof err), "%s", err);
    cr_assert_str_eq(cfg.sensors_endpoint, "tcp://127.0.0.1:7601");
    cr_assert_str_eq(cfg.control_endpoint, "ipc:///run/mamori-hub/control");
    cr_assert_str_eq(cfg.secret_key_file, "/tmp/keys/hub.key"); /* relative to the config file */
    cr_assert_str_eq(cfg.store_path, "/var/lib/mamori-hub/hub.db");
    cr_assert_eq(hub_config_privacy(&cfg, "electric-power"), HUB_PRIVACY_PSEUDONYMISE);
    cr_assert_eq(hub_config_privacy(&cfg, "water"), HUB_PRIVACY_STRIP);
    cr_assert_eq(hub_config_privacy(&cfg, "railways"), HUB_PRIVACY_NONE);
    const struct hub_peer *s = hub_peer_find(cfg.sensors, cfg.n_sensors, KEY_A);
    cr_assert_not_null(s);
    cr_assert_str_eq(s->organisation, "grid-co");
    cr_assert_str_eq(s->site, "substation-7");
    cr_assert(hub_peer_has_sector(s, "electric-power"));
    cr_assert_not(hub_peer_has_sector(s, "railways"));
    cr_assert_null(hub_peer_find(cfg.sensors, cfg.n_sensors, KEY_B), "a subscriber key is not a sensor key");
    const struct hub_peer *sub = hub_peer_find(cfg.subscribers, cfg.n_subscribers, KEY_B);
    cr_assert(sub->all_sectors);
}

static void expect_error(const char *from, const char *to, const char *message)
{
    char text[4096];
    const char *at = strstr(good, from);
    cr_assert_not_null(at, "%s", from);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    write_config(text);
    cr_assert_not(hub_config_load(path, &cfg, err, sizeof err));
    char expected[512];
    snprintf(expected, sizeof expected, "%s:%s", path, message);
    cr_assert_str_eq(err, expected);
}

Test(hub_config, each_mistake_names_file_line_and_setting)
{
    expect_error("    site: substation-7\n", "    sight: substation-7\n", "14: unknown setting 'sight'");
    expect_error("{privacy: strip}", "{privacy: hide}", "9: sector 'water': privacy must be none, strip or pseudonymise");
    expect_error(KEY_A, "tooshort", "12: grid-s1: public_key: expected a 40-character Z85 CURVE public key");
    expect_error("    organisation: grid-co\n", "", "11: grid-s1: organisation is required");
    expect_error("[electric-power]", "[Electric Power]",
                 "15: grid-s1: sectors: expected lowercase-dashed sector names");
    expect_error("  control: ipc:///run/mamori-hub/control\n", "",
                 "1: listen: sensors, subscribers and control endpoints are all required");
    expect_error("listen:\n", "listen: [\n", "3: did not find expected ',' or ']'");
}

Test(hub_config, private_ipv6_and_mac_addresses_are_pseudonymised)
{
    static struct mamori_alert a;
    static struct mamori_detail scratch;
    uint8_t key[HUB_PSEUDONYM_KEY_BYTES] = { 1 };
    memset(&a, 0, sizeof a);
    strcpy(a.src, "[fd00::5]:20000");
    strcpy(a.dst, "00:11:22:33:44:55");
    strcpy(a.summary, "goose from 00:11:22:33:44:55 seen by 2001:db8::7 and 192.168.4.4");
    strcpy(a.flow_key, "ether 00:11:22:33:44:55/0001");
    hub_privacy_apply(&a, HUB_PRIVACY_PSEUDONYMISE, key, &scratch);
    cr_assert_eq(strncmp(a.src, "anon-", 5), 0, "%s", a.src);
    cr_assert_str_eq(a.src + 17, ":20000");
    cr_assert_eq(strlen(a.dst), 17);
    char expected[256];
    snprintf(expected, sizeof expected, "ether %s/0001", a.dst);
    cr_assert_str_eq(a.flow_key, expected);
    cr_assert(strstr(a.summary, "2001:db8::7"), "public address kept: %s", a.summary);
    cr_assert_null(strstr(a.summary, "192.168.4.4"));
    cr_assert_null(strstr(a.summary, "00:11:22"));
}
