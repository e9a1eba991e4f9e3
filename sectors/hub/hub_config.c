/* hub_config.c — loads the hub's YAML configuration through libyaml's
 * document API (hub_config.h). Every setting is checked; unknown settings are
 * errors, so a typo never silently opens a sector. */
#include "hub_config.h"

#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

struct loader {
    yaml_document_t doc;
    const char *path;
    char dir[HUB_PATH_TEXT];
    char *err;
    size_t errlen;
};

static bool fail_at(struct loader *l, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail_at(struct loader *l, const yaml_node_t *node, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(l->err, l->errlen, "%s:%zu: %s", l->path, node ? node->start_mark.line + 1 : 1, msg);
    return false;
}

static const char *scalar(const yaml_node_t *node)
{
    return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

static bool copy_text(struct loader *l, const yaml_node_t *node, const char *what, char *out, size_t outlen)
{
    const char *s = scalar(node);
    if (!s)
        return fail_at(l, node, "%s: expected a text value", what);
    if (strlen(s) >= outlen || !*s)
        return fail_at(l, node, "%s: must be 1 to %zu characters", what, outlen - 1);
    memcpy(out, s, strlen(s) + 1);
    return true;
}

static bool copy_path(struct loader *l, const yaml_node_t *node, const char *what, char *out, size_t outlen)
{
    char raw[HUB_PATH_TEXT];
    if (!copy_text(l, node, what, raw, sizeof raw))
        return false;
    int n = raw[0] == '/' ? snprintf(out, outlen, "%s", raw) : snprintf(out, outlen, "%s/%s", l->dir, raw);
    return n >= 0 && (size_t)n < outlen ? true : fail_at(l, node, "%s: path too long", what);
}

static bool slug_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

static bool load_endpoints(struct loader *l, const yaml_node_t *map, struct hub_config *cfg)
{
    if (map->type != YAML_MAPPING_NODE)
        return fail_at(l, map, "listen: expected sensors, subscribers and control endpoints");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&l->doc, p->key), *v = yaml_document_get_node(&l->doc, p->value);
        const char *name = scalar(k) ? scalar(k) : "";
        char *out = strcmp(name, "sensors") == 0 ? cfg->sensors_endpoint
                  : strcmp(name, "subscribers") == 0 ? cfg->subscribers_endpoint
                  : strcmp(name, "control") == 0 ? cfg->control_endpoint : NULL;
        if (!out)
            return fail_at(l, k, "listen: unknown endpoint '%s' (sensors, subscribers, control)", name);
        if (!copy_text(l, v, name, out, HUB_ENDPOINT_TEXT))
            return false;
    }
    return true;
}

static bool load_policies(struct loader *l, const yaml_node_t *map, struct hub_config *cfg)
{
    if (map->type != YAML_MAPPING_NODE)
        return fail_at(l, map, "sectors: expected a map of sector names");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&l->doc, p->key), *v = yaml_document_get_node(&l->doc, p->value);
        if (cfg->n_policies == HUB_MAX_POLICIES)
            return fail_at(l, k, "sectors: more than %d", HUB_MAX_POLICIES);
        struct hub_sector_policy *pol = &cfg->policies[cfg->n_policies++];
        if (!copy_text(l, k, "sector", pol->sector, sizeof pol->sector))
            return false;
        if (!slug_ok(pol->sector))
            return fail_at(l, k, "sector '%s': expected a lowercase-dashed name", pol->sector);
        if (v->type != YAML_MAPPING_NODE)
            return fail_at(l, v, "sector '%s': expected {privacy: none|strip|pseudonymise}", pol->sector);
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
            yaml_node_t *qk = yaml_document_get_node(&l->doc, q->key), *qv = yaml_document_get_node(&l->doc, q->value);
            const char *name = scalar(qk) ? scalar(qk) : "", *value = scalar(qv) ? scalar(qv) : "";
            if (strcmp(name, "privacy") != 0)
                return fail_at(l, qk, "sector '%s': unknown setting '%s'", pol->sector, name);
            if (strcmp(value, "none") == 0)
                pol->privacy = HUB_PRIVACY_NONE;
            else if (strcmp(value, "strip") == 0)
                pol->privacy = HUB_PRIVACY_STRIP;
            else if (strcmp(value, "pseudonymise") == 0)
                pol->privacy = HUB_PRIVACY_PSEUDONYMISE;
            else
                return fail_at(l, qv, "sector '%s': privacy must be none, strip or pseudonymise", pol->sector);
        }
    }
    return true;
}

static bool load_sector_list(struct loader *l, const yaml_node_t *seq, struct hub_peer *peer, bool star_ok)
{
    if (seq->type != YAML_SEQUENCE_NODE)
        return fail_at(l, seq, "%s: sectors: expected a list", peer->name);
    for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++) {
        yaml_node_t *n = yaml_document_get_node(&l->doc, *i);
        const char *s = scalar(n);
        if (s && star_ok && strcmp(s, "*") == 0) {
            peer->all_sectors = true;
            continue;
        }
        if (!s || !slug_ok(s) || strlen(s) >= HUB_SECTOR_TEXT)
            return fail_at(l, n, "%s: sectors: expected lowercase-dashed sector names%s", peer->name,
                           star_ok ? " or \"*\"" : "");
        if (peer->n_sectors == HUB_MAX_PEER_SECTORS)
            return fail_at(l, n, "%s: more than %d sectors", peer->name, HUB_MAX_PEER_SECTORS);
        strcpy(peer->sectors[peer->n_sectors++], s);
    }
    if (!peer->n_sectors && !peer->all_sectors)
        return fail_at(l, seq, "%s: sectors: at least one sector", peer->name);
    return true;
}

static bool read_public_key(struct loader *l, const yaml_node_t *v, bool from_file, struct hub_peer *peer)
{
    if (from_file) {
        char path[HUB_PATH_TEXT], why[512];
        if (!copy_path(l, v, "public_key_file", path, sizeof path))
            return false;
        if (!curve_key_read(path, peer->key, why, sizeof why))
            return fail_at(l, v, "%s: %s", peer->name, why);
        return true;
    }
    const char *s = scalar(v);
    if (!s || !curve_key_text_valid(s))
        return fail_at(l, v, "%s: public_key: expected a 40-character Z85 CURVE public key", peer->name);
    strcpy(peer->key, s);
    return true;
}

static bool load_peer(struct loader *l, const yaml_node_t *map, struct hub_peer *peer, bool is_sensor)
{
    const yaml_node_t *sectors = NULL, *key = NULL;
    bool key_from_file = false;
    snprintf(peer->name, sizeof peer->name, "%s at line %zu", is_sensor ? "sensor" : "subscriber",
             map->start_mark.line + 1);
    if (map->type != YAML_MAPPING_NODE)
        return fail_at(l, map, "expected a map with name, public_key, organisation, sectors");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&l->doc, p->key), *v = yaml_document_get_node(&l->doc, p->value);
        const char *name = scalar(k) ? scalar(k) : "";
        bool ok = true;
        if (strcmp(name, "name") == 0)
            ok = copy_text(l, v, "name", peer->name, sizeof peer->name);
        else if (strcmp(name, "organisation") == 0)
            ok = copy_text(l, v, "organisation", peer->organisation, sizeof peer->organisation);
        else if (is_sensor && strcmp(name, "site") == 0)
            ok = copy_text(l, v, "site", peer->site, sizeof peer->site);
        else if (strcmp(name, "public_key") == 0 || strcmp(name, "public_key_file") == 0) {
            key = v;
            key_from_file = strcmp(name, "public_key_file") == 0;
        } else if (strcmp(name, "sectors") == 0)
            sectors = v;
        else
            return fail_at(l, k, "unknown setting '%s'", name);
        if (!ok)
            return false;
    }
    if (!key)
        return fail_at(l, map, "%s: public_key or public_key_file is required", peer->name);
    if (!peer->organisation[0])
        return fail_at(l, map, "%s: organisation is required", peer->name);
    if (!sectors)
        return fail_at(l, map, "%s: sectors is required", peer->name);
    return read_public_key(l, key, key_from_file, peer) && load_sector_list(l, sectors, peer, !is_sensor);
}

static bool load_peers(struct loader *l, const yaml_node_t *seq, struct hub_peer *peers, unsigned *n,
                       bool is_sensor)
{
    if (seq->type != YAML_SEQUENCE_NODE)
        return fail_at(l, seq, "%s: expected a list", is_sensor ? "sensors" : "subscribers");
    for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++) {
        yaml_node_t *node = yaml_document_get_node(&l->doc, *i);
        if (*n == HUB_MAX_PEERS)
            return fail_at(l, node, "more than %d entries", HUB_MAX_PEERS);
        if (!load_peer(l, node, &peers[*n], is_sensor))
            return false;
        if (hub_peer_find(peers, *n, peers[*n].key))
            return fail_at(l, node, "%s: public key listed twice", peers[*n].name);
        (*n)++;
    }
    return true;
}

static bool load_root(struct loader *l, struct hub_config *cfg)
{
    yaml_node_t *root = yaml_document_get_root_node(&l->doc);
    if (!root || root->type != YAML_MAPPING_NODE)
        return fail_at(l, root, "expected a map of settings");
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&l->doc, p->key), *v = yaml_document_get_node(&l->doc, p->value);
        const char *name = scalar(k) ? scalar(k) : "";
        bool ok;
        if (strcmp(name, "listen") == 0)
            ok = load_endpoints(l, v, cfg);
        else if (strcmp(name, "secret_key_file") == 0)
            ok = copy_path(l, v, name, cfg->secret_key_file, sizeof cfg->secret_key_file);
        else if (strcmp(name, "store") == 0)
            ok = copy_path(l, v, name, cfg->store_path, sizeof cfg->store_path);
        else if (strcmp(name, "sectors") == 0)
            ok = load_policies(l, v, cfg);
        else if (strcmp(name, "sensors") == 0)
            ok = load_peers(l, v, cfg->sensors, &cfg->n_sensors, true);
        else if (strcmp(name, "subscribers") == 0)
            ok = load_peers(l, v, cfg->subscribers, &cfg->n_subscribers, false);
        else
            return fail_at(l, k, "unknown setting '%s'", name);
        if (!ok)
            return false;
    }
    if (!cfg->sensors_endpoint[0] || !cfg->subscribers_endpoint[0] || !cfg->control_endpoint[0])
        return fail_at(l, root, "listen: sensors, subscribers and control endpoints are all required");
    if (!cfg->secret_key_file[0] || !cfg->store_path[0])
        return fail_at(l, root, "secret_key_file and store are required");
    return true;
}

bool hub_config_load(const char *path, struct hub_config *cfg, char *err, size_t errlen)
{
    struct loader l = { .path = path, .err = err, .errlen = errlen };
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    char copy[HUB_PATH_TEXT];
    snprintf(copy, sizeof copy, "%s", path);
    snprintf(l.dir, sizeof l.dir, "%s", dirname(copy));
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return false;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    bool ok = yaml_parser_load(&parser, &l.doc) != 0;
    if (!ok)
        snprintf(err, errlen, "%s:%zu: %s", path, parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "YAML syntax error");
    else
        ok = load_root(&l, cfg);
    if (parser.error == YAML_NO_ERROR)
        yaml_document_delete(&l.doc);
    yaml_parser_delete(&parser);
    fclose(f);
    return ok;
}

const struct hub_peer *hub_peer_find(const struct hub_peer *peers, unsigned n, const char *key)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(peers[i].key, key) == 0)
            return &peers[i];
    return NULL;
}

bool hub_peer_has_sector(const struct hub_peer *peer, const char *sector)
{
    if (peer->all_sectors)
        return true;
    for (unsigned i = 0; i < peer->n_sectors; i++)
        if (strcmp(peer->sectors[i], sector) == 0)
            return true;
    return false;
}

enum hub_privacy hub_config_privacy(const struct hub_config *cfg, const char *sector)
{
    for (unsigned i = 0; i < cfg->n_policies; i++)
        if (strcmp(cfg->policies[i].sector, sector) == 0)
            return cfg->policies[i].privacy;
    return HUB_PRIVACY_NONE;
}

const char *hub_privacy_name(enum hub_privacy p)
{
    return p == HUB_PRIVACY_STRIP ? "strip" : p == HUB_PRIVACY_PSEUDONYMISE ? "pseudonymise" : "none";
}
