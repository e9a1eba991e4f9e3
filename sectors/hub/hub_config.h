/* hub_config.h — the hub's YAML configuration (docs/hub.md has an example).
 *
 * Endpoints, the hub's secret key and store, a privacy policy per sector, and
 * the allow-lists: every sensor key bound to an organisation, a site and the
 * sectors it may post for; every subscriber key bound to an organisation and
 * the sectors it may read. Relative paths are taken from the config file's
 * directory. A bad file gives one line naming the file, line and setting. The
 * configuration is read once and not changed afterwards, so threads share it. */
#ifndef MAMORI_HUB_CONFIG_H
#define MAMORI_HUB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "curve_keys.h"

#define HUB_MAX_PEERS 256
#define HUB_MAX_PEER_SECTORS 16
#define HUB_MAX_POLICIES 32
#define HUB_NAME_TEXT 64
#define HUB_SECTOR_TEXT 40
#define HUB_PATH_TEXT 4096
#define HUB_ENDPOINT_TEXT 512

enum hub_privacy { HUB_PRIVACY_NONE, HUB_PRIVACY_STRIP, HUB_PRIVACY_PSEUDONYMISE };

struct hub_peer {
    char name[HUB_NAME_TEXT];
    char key[CURVE_KEY_TEXT + 1]; /* Z85 public key */
    char organisation[HUB_NAME_TEXT];
    char site[HUB_NAME_TEXT];     /* sensors only */
    bool all_sectors;             /* subscribers only: sectors: ["*"] */
    unsigned n_sectors;
    char sectors[HUB_MAX_PEER_SECTORS][HUB_SECTOR_TEXT];
};

struct hub_sector_policy {
    char sector[HUB_SECTOR_TEXT];
    enum hub_privacy privacy;
};

struct hub_config {
    char path[HUB_PATH_TEXT];
    char sensors_endpoint[HUB_ENDPOINT_TEXT];
    char subscribers_endpoint[HUB_ENDPOINT_TEXT];
    char control_endpoint[HUB_ENDPOINT_TEXT];
    char secret_key_file[HUB_PATH_TEXT];
    char store_path[HUB_PATH_TEXT];
    unsigned n_policies;
    struct hub_sector_policy policies[HUB_MAX_POLICIES];
    unsigned n_sensors, n_subscribers;
    struct hub_peer sensors[HUB_MAX_PEERS];
    struct hub_peer subscribers[HUB_MAX_PEERS];
};

bool hub_config_load(const char *path, struct hub_config *cfg, char *err, size_t errlen);

const struct hub_peer *hub_peer_find(const struct hub_peer *peers, unsigned n, const char *key);
bool hub_peer_has_sector(const struct hub_peer *peer, const char *sector);
enum hub_privacy hub_config_privacy(const struct hub_config *cfg, const char *sector);
const char *hub_privacy_name(enum hub_privacy p);

#endif
