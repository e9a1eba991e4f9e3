/* profile.c — loads sector profiles and site files (profile.h) with libyaml's
 * document API, so every node keeps its line for error messages. Loading
 * collects every error it finds instead of stopping at the first; values keep
 * their previous setting when their node is wrong. */
#include "profile.h"
#include "sectors/profile_dirs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#define OP_BIT(op) (1u << (op))
#define DEFAULT_WINDOW_S 60u
#define DEFAULT_SUPPRESSION_S 300u
#define MAX_WINDOW_S 86400u
#define MAX_SUPPRESSION_S (7u * 86400u)
#define SCALAR_MAX 256

static const char *const sector_names[] = {
    "information-communications", "financial-services", "civil-aviation", "airports", "railways",
    "electric-power", "gas", "government-services", "medical-services", "water-supply",
    "logistics", "chemicals", "consumer-credit", "oil",
};
#define SECTOR_COUNT (sizeof sector_names / sizeof sector_names[0])

static const char *const role_names[ROLE__COUNT] = { "engineering", "master", "other" };

static const char *const threshold_names[THRESH__COUNT] = {
    [THRESH_UNIT_SWEEP] = "unit_sweep",
    [THRESH_FUNCTION_SWEEP] = "function_sweep",
    [THRESH_HOST_SWEEP] = "host_sweep",
    [THRESH_IDENTIFY_SWEEP] = "identify_sweep",
    [THRESH_NAME_ENUMERATION] = "name_enumeration",
    [THRESH_FLOOD] = "flood",
    [THRESH_EXCEPTION_STORM] = "exception_storm",
    [THRESH_ANOMALIES] = "anomalies",
    [THRESH_UNANSWERED] = "unanswered",
};

const char *profile_role_name(enum profile_role r)
{
    return (unsigned)r < ROLE__COUNT ? role_names[r] : "other";
}

const char *profile_threshold_name(enum profile_threshold t)
{
    return (unsigned)t < THRESH__COUNT ? threshold_names[t] : "?";
}

int profile_op_parse(const char *name)
{
    for (int op = MAMORI_OP_NONE + 1; op < MAMORI_OP__COUNT; op++)
        if (strcmp(name, mamori_op_name((enum mamori_op)op)) == 0)
            return op;
    return -1;
}

void profile_defaults(struct mamori_profile *p)
{
    memset(p, 0, sizeof *p);
    uint32_t reads = OP_BIT(MAMORI_OP_READ) | OP_BIT(MAMORI_OP_REPORT) | OP_BIT(MAMORI_OP_SESSION);
    p->permissions[ROLE_ENGINEERING] = ~0u;
    p->permissions[ROLE_MASTER] = reads;
    p->permissions[ROLE_OTHER] = reads;
    static const uint32_t default_limits[THRESH__COUNT] = {
        [THRESH_UNIT_SWEEP] = 10,       [THRESH_FUNCTION_SWEEP] = 8, [THRESH_HOST_SWEEP] = 10,
        [THRESH_IDENTIFY_SWEEP] = 5,    [THRESH_NAME_ENUMERATION] = 20, [THRESH_FLOOD] = 1000,
        [THRESH_EXCEPTION_STORM] = 20,  [THRESH_ANOMALIES] = 10,    [THRESH_UNANSWERED] = 20,
    };
    for (int t = 0; t < THRESH__COUNT; t++) {
        p->thresholds[t].limit = default_limits[t];
        p->thresholds[t].window_s = DEFAULT_WINDOW_S;
    }
    p->goose_ttl_tolerance = 2.0;
    p->sv_rate_tolerance = 0.1;
    p->poll_jitter = 0.5;
    p->value_margin = 0.5;
    for (int f = 0; f < FINDING__COUNT; f++) {
        p->severity[f] = finding_info((enum finding)f)->severity;
        p->suppression_s[f] = DEFAULT_SUPPRESSION_S;
    }
}

/* ---- addresses ---- */

bool profile_net_parse(const char *text, struct profile_net *out)
{
    char buf[64];
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, text, n + 1);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->version = 4;
        out->prefix = 32;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->version = 6;
        out->prefix = 128;
    } else {
        return false;
    }
    if (slash) {
        char *end;
        errno = 0;
        unsigned long prefix = strtoul(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || errno || prefix > out->prefix)
            return false;
        out->prefix = (uint8_t)prefix;
    }
    return true;
}

bool profile_net_contains(const struct profile_net *net, uint8_t version, const uint8_t *addr)
{
    if (net->version != version)
        return false;
    unsigned full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(net->addr, addr, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (net->addr[full] & mask) == (addr[full] & mask);
}

bool profile_nets_contain(const struct profile_net *nets, uint32_t n, uint8_t version, const uint8_t *addr)
{
    for (uint32_t i = 0; i < n; i++)
        if (profile_net_contains(&nets[i], version, addr))
            return true;
    return false;
}

enum profile_role profile_role_of(const struct mamori_profile *p, uint8_t version, const uint8_t *addr)
{
    if (profile_nets_contain(p->engineering, p->n_engineering, version, addr))
        return ROLE_ENGINEERING;
    if (profile_nets_contain(p->masters, p->n_masters, version, addr))
        return ROLE_MASTER;
    return ROLE_OTHER;
}

const struct profile_device *profile_device_of(const struct mamori_profile *p, uint8_t version,
                                               const uint8_t *addr)
{
    for (uint32_t i = 0; i < p->n_devices; i++)
        if (profile_net_contains(&p->devices[i].address, version, addr))
            return &p->devices[i];
    return NULL;
}

bool profile_expects_protocol(const struct mamori_profile *p, const char *protocol)
{
    for (uint32_t i = 0; i < p->n_expected; i++)
        if (strcmp(p->expected[i], protocol) == 0)
            return true;
    return false;
}

/* ---- YAML walking ---- */

struct loader {
    const char *path;
    yaml_document_t doc;
    struct mamori_profile *p;
    struct profile_errors *err;
};

static void add_error(struct profile_errors *err, const char *path, size_t line, const char *fmt, va_list ap)
{
    if (err->count >= PROFILE_MAX_ERRORS) {
        err->dropped++;
        return;
    }
    char msg[PROFILE_ERROR_MAX / 2];
    vsnprintf(msg, sizeof msg, fmt, ap);
    snprintf(err->text[err->count++], PROFILE_ERROR_MAX, "%.250s:%zu: %s", path, line, msg);
}

__attribute__((format(printf, 3, 4))) static void node_error(struct loader *L, const yaml_node_t *node,
                                                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_error(L->err, L->path, node ? node->start_mark.line + 1 : 1, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 4, 5))) static void line_error(struct profile_errors *err, const char *path,
                                                             size_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_error(err, path, line, fmt, ap);
    va_end(ap);
}

static yaml_node_t *node_at(struct loader *L, int index)
{
    return yaml_document_get_node(&L->doc, index);
}

/* Copies a scalar's text into out; false (with an error) for other nodes. */
static bool scalar_text(struct loader *L, const yaml_node_t *n, const char *what, char *out, size_t outlen)
{
    if (n->type != YAML_SCALAR_NODE) {
        node_error(L, n, "%s: expected a single value", what);
        return false;
    }
    size_t len = n->data.scalar.length;
    if (len >= outlen || memchr(n->data.scalar.value, '\0', len)) {
        node_error(L, n, "%s: value longer than %zu characters", what, outlen - 1);
        return false;
    }
    memcpy(out, n->data.scalar.value, len);
    out[len] = '\0';
    return true;
}

static bool parse_uint(struct loader *L, const yaml_node_t *n, const char *what, uint32_t min, uint32_t max,
                       uint32_t *out)
{
    char text[SCALAR_MAX];
    if (!scalar_text(L, n, what, text, sizeof text))
        return false;
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno || v < min || v > max) {
        node_error(L, n, "%s: expected a whole number from %u to %u, got '%s'", what, min, max, text);
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool parse_double(struct loader *L, const yaml_node_t *n, const char *what, double min, double max,
                         double *out)
{
    char text[SCALAR_MAX];
    if (!scalar_text(L, n, what, text, sizeof text))
        return false;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (text[0] == '\0' || *end != '\0' || errno || !(v >= min && v <= max)) {
        node_error(L, n, "%s: expected a number from %g to %g, got '%s'", what, min, max, text);
        return false;
    }
    *out = v;
    return true;
}

static bool parse_bool(struct loader *L, const yaml_node_t *n, const char *what, bool *out)
{
    char text[SCALAR_MAX];
    if (!scalar_text(L, n, what, text, sizeof text))
        return false;
    if (strcmp(text, "true") == 0 || strcmp(text, "yes") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(text, "false") == 0 || strcmp(text, "no") == 0) {
        *out = false;
        return true;
    }
    node_error(L, n, "%s: expected true or false, got '%s'", what, text);
    return false;
}

static bool expect_kind(struct loader *L, const yaml_node_t *n, yaml_node_type_t type, const char *what)
{
    if (n->type == type)
        return true;
    node_error(L, n, "%s: expected %s", what, type == YAML_MAPPING_NODE ? "a mapping (key: value lines)"
                                                                        : "a list ([a, b] or '- item' lines)");
    return false;
}

/* Calls `item` for each element of a sequence node. */
typedef void (*item_fn)(struct loader *L, yaml_node_t *item, void *ctx);

static void for_each_item(struct loader *L, yaml_node_t *seq, const char *what, item_fn item, void *ctx)
{
    if (!expect_kind(L, seq, YAML_SEQUENCE_NODE, what))
        return;
    for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++)
        item(L, node_at(L, *it), ctx);
}

/* A key → handler table for one mapping. */
struct key_handler {
    const char *key;
    void (*handle)(struct loader *L, yaml_node_t *value, void *ctx);
};

/* Dispatches each pair of a mapping to its handler; reports unknown and
 * duplicate keys. `seen` gets a bit per handler found (at most 32 handlers). */
static void for_each_key(struct loader *L, yaml_node_t *map, const char *what, const struct key_handler *handlers,
                         size_t n_handlers, void *ctx, uint32_t *seen)
{
    uint32_t found = 0;
    if (!expect_kind(L, map, YAML_MAPPING_NODE, what)) {
        if (seen)
            *seen = 0;
        return;
    }
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = node_at(L, pr->key), *v = node_at(L, pr->value);
        char key[SCALAR_MAX];
        if (!k || !v || !scalar_text(L, k, what, key, sizeof key))
            continue;
        size_t h = 0;
        while (h < n_handlers && strcmp(handlers[h].key, key) != 0)
            h++;
        if (h == n_handlers) {
            char expected[512] = "";
            size_t used = 0;
            for (size_t i = 0; i < n_handlers && used < sizeof expected; i++)
                used += (size_t)snprintf(expected + used, sizeof expected - used, "%s%s", i ? ", " : "",
                                         handlers[i].key);
            node_error(L, k, "%s: unknown key '%s' (expected one of: %s)", what, key, expected);
            continue;
        }
        if (found & (1u << h)) {
            node_error(L, k, "%s: key '%s' given twice", what, key);
            continue;
        }
        found |= 1u << h;
        handlers[h].handle(L, v, ctx);
    }
    if (seen)
        *seen = found;
}

/* ---- value handlers ---- */

struct name_list {
    char (*names)[PROFILE_NAME_MAX];
    uint32_t *count;
    uint32_t max;
    const char *what;
    bool lowercase_identifier; /* decoder names: [a-z0-9_]+ */
};

static bool identifier_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static void name_item(struct loader *L, yaml_node_t *n, void *ctx)
{
    struct name_list *list = ctx;
    char text[PROFILE_NAME_MAX];
    if (!scalar_text(L, n, list->what, text, sizeof text))
        return;
    if (list->lowercase_identifier && !identifier_ok(text)) {
        node_error(L, n, "%s: '%s' is not a decoder name (lowercase letters, digits, _)", list->what, text);
        return;
    }
    if (*list->count >= list->max) {
        node_error(L, n, "%s: more than %u entries", list->what, list->max);
        return;
    }
    memcpy(list->names[(*list->count)++], text, sizeof text);
}

static void load_name_list(struct loader *L, yaml_node_t *seq, struct name_list *list)
{
    *list->count = 0; /* a list in a later file replaces the earlier one */
    for_each_item(L, seq, list->what, name_item, list);
}

static void h_expected(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct name_list list = { L->p->expected, &L->p->n_expected, PROFILE_MAX_PROTOCOLS, "expected_protocols",
                              true };
    load_name_list(L, v, &list);
}

static void h_forbidden_apps(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct name_list list = { L->p->forbidden_apps, &L->p->n_forbidden_apps, PROFILE_MAX_FORBIDDEN,
                              "forbidden.app_protocols", false };
    load_name_list(L, v, &list);
}

static void h_remote_access(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct name_list list = { L->p->remote_access_apps, &L->p->n_remote_access_apps, PROFILE_MAX_FORBIDDEN,
                              "forbidden.remote_access", false };
    load_name_list(L, v, &list);
}

static void h_forbidden_categories(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct name_list list = { L->p->forbidden_categories, &L->p->n_forbidden_categories, PROFILE_MAX_FORBIDDEN,
                              "forbidden.categories", false };
    load_name_list(L, v, &list);
}

static void h_untrusted_vendors(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    struct name_list list = { L->p->untrusted_vendors, &L->p->n_untrusted_vendors, PROFILE_MAX_VENDORS,
                              "untrusted_vendors", false };
    load_name_list(L, v, &list);
}

static void h_forbid_external(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    parse_bool(L, v, "forbidden.external_peers", &L->p->forbid_external_peers);
}

static const struct key_handler forbidden_keys[] = {
    { "app_protocols", h_forbidden_apps },
    { "remote_access", h_remote_access },
    { "categories", h_forbidden_categories },
    { "external_peers", h_forbid_external },
};

static void h_forbidden(struct loader *L, yaml_node_t *v, void *ctx)
{
    for_each_key(L, v, "forbidden", forbidden_keys, sizeof forbidden_keys / sizeof forbidden_keys[0], ctx, NULL);
}

struct op_list {
    uint32_t bits;
    const char *what;
};

static void op_item(struct loader *L, yaml_node_t *n, void *ctx)
{
    struct op_list *ops = ctx;
    char text[PROFILE_NAME_MAX];
    if (!scalar_text(L, n, ops->what, text, sizeof text))
        return;
    int op = profile_op_parse(text);
    if (op < 0) {
        node_error(L, n, "%s: unknown operation class '%s' (read, write, operate, diagnostic, restart, program, "
                         "config, file, time_sync, identify, report, exception, malformed, session, other)",
                   ops->what, text);
        return;
    }
    ops->bits |= OP_BIT(op);
}

static void load_role(struct loader *L, yaml_node_t *v, enum profile_role role)
{
    char what[64];
    snprintf(what, sizeof what, "permissions.%s", role_names[role]);
    struct op_list ops = { 0, what };
    for_each_item(L, v, what, op_item, &ops);
    L->p->permissions[role] = ops.bits;
}

static void h_perm_engineering(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    load_role(L, v, ROLE_ENGINEERING);
}

static void h_perm_master(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    load_role(L, v, ROLE_MASTER);
}

static void h_perm_other(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    load_role(L, v, ROLE_OTHER);
}

static const struct key_handler permission_keys[ROLE__COUNT] = {
    [ROLE_ENGINEERING] = { "engineering", h_perm_engineering },
    [ROLE_MASTER] = { "master", h_perm_master },
    [ROLE_OTHER] = { "other", h_perm_other },
};

static void h_permissions(struct loader *L, yaml_node_t *v, void *ctx)
{
    for_each_key(L, v, "permissions", permission_keys, ROLE__COUNT, ctx, NULL);
}

/* thresholds: one mapping per threshold name, {limit: N, window: S} */
static void h_threshold_limit(struct loader *L, yaml_node_t *v, void *ctx)
{
    struct profile_threshold_value *t = ctx;
    parse_uint(L, v, "threshold limit", 1, 1000000000u, &t->limit);
}

static void h_threshold_window(struct loader *L, yaml_node_t *v, void *ctx)
{
    struct profile_threshold_value *t = ctx;
    parse_uint(L, v, "threshold window (seconds)", 1, MAX_WINDOW_S, &t->window_s);
}

static const struct key_handler threshold_value_keys[] = {
    { "limit", h_threshold_limit },
    { "window", h_threshold_window },
};

static void h_thresholds(struct loader *L, yaml_node_t *map, void *ctx)
{
    (void)ctx;
    if (!expect_kind(L, map, YAML_MAPPING_NODE, "thresholds"))
        return;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = node_at(L, pr->key), *v = node_at(L, pr->value);
        char key[SCALAR_MAX];
        if (!k || !v || !scalar_text(L, k, "thresholds", key, sizeof key))
            continue;
        int t = 0;
        while (t < THRESH__COUNT && strcmp(threshold_names[t], key) != 0)
            t++;
        if (t == THRESH__COUNT) {
            node_error(L, k,
                       "thresholds: unknown threshold '%s' (unit_sweep, function_sweep, host_sweep, "
                       "identify_sweep, name_enumeration, flood, exception_storm, anomalies, unanswered)",
                       key);
            continue;
        }
        char what[SCALAR_MAX + 16];
        snprintf(what, sizeof what, "thresholds.%s", key);
        uint32_t seen;
        for_each_key(L, v, what, threshold_value_keys, 2, &L->p->thresholds[t], &seen);
        if (v->type == YAML_MAPPING_NODE && seen != 3u)
            node_error(L, v, "%s: needs both 'limit' and 'window'", what);
    }
}

static void h_goose_ttl(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    parse_double(L, v, "timing.goose_ttl_tolerance", 1.0, 100.0, &L->p->goose_ttl_tolerance);
}

static void h_sv_rate(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    parse_double(L, v, "timing.sv_rate_tolerance", 0.0, 10.0, &L->p->sv_rate_tolerance);
}

static void h_poll_jitter(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    parse_double(L, v, "timing.poll_jitter", 0.0, 100.0, &L->p->poll_jitter);
}

static void h_value_margin(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    parse_double(L, v, "timing.value_margin", 0.0, 1000.0, &L->p->value_margin);
}

static const struct key_handler timing_keys[] = {
    { "goose_ttl_tolerance", h_goose_ttl },
    { "sv_rate_tolerance", h_sv_rate },
    { "poll_jitter", h_poll_jitter },
    { "value_margin", h_value_margin },
};

static void h_timing(struct loader *L, yaml_node_t *v, void *ctx)
{
    for_each_key(L, v, "timing", timing_keys, sizeof timing_keys / sizeof timing_keys[0], ctx, NULL);
}

/* severity / suppression: finding name → value ("default" for all in suppression). */
static int finding_key(struct loader *L, yaml_node_t *k, const char *what, char *key, size_t keylen)
{
    if (!scalar_text(L, k, what, key, keylen))
        return -2;
    int f = finding_parse(key);
    if (f < 0 && strcmp(key, "default") != 0) {
        node_error(L, k, "%s: unknown finding '%s' (see docs/sectors.md for the list)", what, key);
        return -2;
    }
    return f;
}

static void h_severity(struct loader *L, yaml_node_t *map, void *ctx)
{
    (void)ctx;
    if (!expect_kind(L, map, YAML_MAPPING_NODE, "severity"))
        return;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        char key[SCALAR_MAX], text[PROFILE_NAME_MAX];
        yaml_node_t *k = node_at(L, pr->key), *v = node_at(L, pr->value);
        int f = finding_key(L, k, "severity", key, sizeof key);
        if (f == -2 || !scalar_text(L, v, "severity", text, sizeof text))
            continue;
        int sev = mamori_severity_parse(text);
        if (sev < 0) {
            node_error(L, v, "severity.%s: expected info, low, medium, high or critical, got '%s'", key, text);
            continue;
        }
        for (int i = 0; i < FINDING__COUNT; i++)
            if (f == i || f == -1)
                L->p->severity[i] = (enum mamori_severity)sev;
    }
}

static void h_suppression(struct loader *L, yaml_node_t *map, void *ctx)
{
    (void)ctx;
    if (!expect_kind(L, map, YAML_MAPPING_NODE, "suppression"))
        return;
    /* "default" first, so that it never overrides a specific entry. */
    for (int pass = 0; pass < 2; pass++) {
        for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
            char key[SCALAR_MAX];
            yaml_node_t *k = node_at(L, pr->key), *v = node_at(L, pr->value);
            if (pass == 0) {
                if (k->type == YAML_SCALAR_NODE && k->data.scalar.length == 7 &&
                    memcmp(k->data.scalar.value, "default", 7) == 0) {
                    uint32_t s;
                    if (parse_uint(L, v, "suppression.default", 0, MAX_SUPPRESSION_S, &s))
                        for (int i = 0; i < FINDING__COUNT; i++)
                            L->p->suppression_s[i] = s;
                }
                continue;
            }
            int f = finding_key(L, k, "suppression", key, sizeof key);
            if (f < 0)
                continue;
            parse_uint(L, v, "suppression (seconds)", 0, MAX_SUPPRESSION_S, &L->p->suppression_s[f]);
        }
    }
}

struct net_list {
    struct profile_net *nets;
    uint32_t *count;
    uint32_t max;
    const char *what;
};

static void net_item(struct loader *L, yaml_node_t *n, void *ctx)
{
    struct net_list *list = ctx;
    char text[64];
    if (!scalar_text(L, n, list->what, text, sizeof text))
        return;
    struct profile_net net;
    if (!profile_net_parse(text, &net)) {
        node_error(L, n, "%s: '%s' is not an IPv4/IPv6 address or address/prefix", list->what, text);
        return;
    }
    if (*list->count >= list->max) {
        node_error(L, n, "%s: more than %u entries", list->what, list->max);
        return;
    }
    list->nets[(*list->count)++] = net;
}

static void load_nets(struct loader *L, yaml_node_t *seq, struct profile_net *nets, uint32_t *count, uint32_t max,
                      const char *what)
{
    struct net_list list = { nets, count, max, what };
    *count = 0;
    for_each_item(L, seq, what, net_item, &list);
}

static void h_networks(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    load_nets(L, v, L->p->networks, &L->p->n_networks, PROFILE_MAX_NETS, "networks");
}

static void h_engineering(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    load_nets(L, v, L->p->engineering, &L->p->n_engineering, PROFILE_MAX_NETS, "engineering_stations");
}

static void h_masters(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    load_nets(L, v, L->p->masters, &L->p->n_masters, PROFILE_MAX_NETS, "masters");
}

static void h_external_peers(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    load_nets(L, v, L->p->external_peers, &L->p->n_external_peers, PROFILE_MAX_NETS, "external_peers");
}

/* devices: list of {name, address, allow_from, suppress} */
static void h_device_name(struct loader *L, yaml_node_t *v, void *ctx)
{
    struct profile_device *d = ctx;
    scalar_text(L, v, "devices.name", d->name, sizeof d->name);
}

static void h_device_address(struct loader *L, yaml_node_t *v, void *ctx)
{
    struct profile_device *d = ctx;
    char text[64];
    if (scalar_text(L, v, "devices.address", text, sizeof text) && !profile_net_parse(text, &d->address))
        node_error(L, v, "devices.address: '%s' is not an IPv4/IPv6 address or address/prefix", text);
}

static void h_device_allow(struct loader *L, yaml_node_t *v, void *ctx)
{
    struct profile_device *d = ctx;
    load_nets(L, v, d->allow_from, &d->n_allow_from, PROFILE_MAX_DEVICE_PEERS, "devices.allow_from");
}

static void suppress_item(struct loader *L, yaml_node_t *n, void *ctx)
{
    struct profile_device *d = ctx;
    char text[PROFILE_NAME_MAX];
    if (!scalar_text(L, n, "devices.suppress", text, sizeof text))
        return;
    int f = finding_parse(text);
    if (f < 0)
        node_error(L, n, "devices.suppress: unknown finding '%s'", text);
    else
        d->suppress |= 1ull << f;
}

static void h_device_suppress(struct loader *L, yaml_node_t *v, void *ctx)
{
    for_each_item(L, v, "devices.suppress", suppress_item, ctx);
}

static const struct key_handler device_keys[] = {
    { "name", h_device_name },
    { "address", h_device_address },
    { "allow_from", h_device_allow },
    { "suppress", h_device_suppress },
};
#define DEVICE_KEY_ADDRESS_BIT 2u

static void device_item(struct loader *L, yaml_node_t *n, void *ctx)
{
    (void)ctx;
    struct mamori_profile *p = L->p;
    if (p->n_devices >= PROFILE_MAX_DEVICES) {
        node_error(L, n, "devices: more than %u entries", PROFILE_MAX_DEVICES);
        return;
    }
    struct profile_device *d = &p->devices[p->n_devices];
    memset(d, 0, sizeof *d);
    uint32_t seen;
    for_each_key(L, n, "devices", device_keys, sizeof device_keys / sizeof device_keys[0], d, &seen);
    if (n->type != YAML_MAPPING_NODE)
        return;
    if (!(seen & DEVICE_KEY_ADDRESS_BIT) || d->address.version == 0) {
        if (!(seen & DEVICE_KEY_ADDRESS_BIT))
            node_error(L, n, "devices: entry without 'address'");
        return;
    }
    p->n_devices++;
}

static void h_devices(struct loader *L, yaml_node_t *v, void *ctx)
{
    L->p->n_devices = 0;
    for_each_item(L, v, "devices", device_item, ctx);
}

static void h_sector(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    char text[PROFILE_NAME_MAX];
    if (!scalar_text(L, v, "sector", text, sizeof text))
        return;
    for (size_t i = 0; i < SECTOR_COUNT; i++)
        if (strcmp(sector_names[i], text) == 0) {
            memcpy(L->p->sector, text, sizeof text);
            return;
        }
    node_error(L, v, "sector: '%s' is not one of the 14 sectors (see docs/sectors.md)", text);
}

static void h_site(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    scalar_text(L, v, "site", L->p->site, sizeof L->p->site);
}

static void h_description(struct loader *L, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    char text[1024];
    scalar_text(L, v, "description", text, sizeof text);
}

/* Order matters for the `seen` bits used below. */
static const struct key_handler top_keys[] = {
    { "sector", h_sector },                   /* 0 */
    { "site", h_site },                       /* 1 */
    { "description", h_description },         /* 2 */
    { "expected_protocols", h_expected },     /* 3 */
    { "forbidden", h_forbidden },             /* 4 */
    { "permissions", h_permissions },         /* 5 */
    { "thresholds", h_thresholds },           /* 6 */
    { "timing", h_timing },                   /* 7 */
    { "severity", h_severity },               /* 8 */
    { "suppression", h_suppression },         /* 9 */
    { "networks", h_networks },               /* 10 */
    { "engineering_stations", h_engineering }, /* 11 */
    { "masters", h_masters },                 /* 12 */
    { "external_peers", h_external_peers },   /* 13 */
    { "devices", h_devices },                 /* 14 */
    { "untrusted_vendors", h_untrusted_vendors }, /* 15: a profile or a site file */
};
#define TOP_SECTOR (1u << 0)
#define TOP_SITE (1u << 1)
/* A sector profile must state these; a site file may override any of them. */
#define TOP_PROFILE_REQUIRED ((1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9))
#define TOP_SITE_ONLY ((1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14))
#define TOP_KEY_COUNT (sizeof top_keys / sizeof top_keys[0])

static void check_top_level(struct loader *L, yaml_node_t *root, uint32_t seen)
{
    if ((seen & TOP_SECTOR) && (seen & TOP_SITE)) {
        node_error(L, root, "a file is either a sector profile ('sector:') or a site file ('site:'), not both");
        return;
    }
    if (!(seen & (TOP_SECTOR | TOP_SITE))) {
        node_error(L, root, "neither 'sector:' (sector profile) nor 'site:' (site file) given");
        return;
    }
    if (seen & TOP_SECTOR) {
        for (size_t i = 0; i < TOP_KEY_COUNT; i++) {
            if ((TOP_PROFILE_REQUIRED & (1u << i)) && !(seen & (1u << i)))
                node_error(L, root, "sector profile without '%s'", top_keys[i].key);
            if ((TOP_SITE_ONLY & (1u << i)) && (seen & (1u << i)))
                node_error(L, root, "'%s' belongs in a site file, not in a sector profile", top_keys[i].key);
        }
    }
}

int profile_load_file(struct mamori_profile *p, const char *path, struct profile_errors *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        line_error(err, path, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    int rc = profile_load_stream(p, f, path, err);
    fclose(f);
    return rc;
}

int profile_load_stream(struct mamori_profile *p, FILE *f, const char *path, struct profile_errors *err)
{
    uint32_t errors_before = err->count + err->dropped;
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    struct loader L = { .path = path, .p = p, .err = err };
    if (!yaml_parser_load(&parser, &L.doc)) {
        line_error(err, path, parser.problem_mark.line + 1, "YAML syntax error: %s%s%s",
                   parser.problem ? parser.problem : "unreadable", parser.context ? " " : "",
                   parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&L.doc);
    if (!root) {
        line_error(err, path, 1, "empty file: expected a sector profile or a site file");
    } else {
        uint32_t seen;
        for_each_key(&L, root, "top level", top_keys, TOP_KEY_COUNT, NULL, &seen);
        if (root->type == YAML_MAPPING_NODE)
            check_top_level(&L, root, seen);
    }
    yaml_document_delete(&L.doc);
    yaml_parser_delete(&parser);
    return err->count + err->dropped == errors_before ? 0 : -1;
}

static bool readable(const char *path)
{
    return access(path, R_OK) == 0;
}

int profile_find(const char *sector, char *out, size_t outlen)
{
    const char *dirs[] = { getenv("MAMORI_PROFILE_DIR"), MAMORI_PROFILE_INSTALL_DIR, MAMORI_PROFILE_SOURCE_DIR };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        int n = snprintf(out, outlen, "%s/%s.yaml", dirs[i], sector);
        if (n > 0 && (size_t)n < outlen && readable(out))
            return 0;
    }
    return -1;
}

static void print_errors(const struct profile_errors *err, FILE *out)
{
    for (uint32_t i = 0; i < err->count; i++)
        fprintf(out, "%s\n", err->text[i]);
    if (err->dropped)
        fprintf(out, "(%u more errors not shown)\n", err->dropped);
}

int profile_load(struct mamori_profile *p, const char *sector, const char *site_path, FILE *errs)
{
    profile_defaults(p);
    char path[512];
    if (profile_find(sector, path, sizeof path) != 0) {
        fprintf(errs, "mamori: no profile for sector '%s' (sectors: ", sector);
        for (size_t i = 0; i < SECTOR_COUNT; i++)
            fprintf(errs, "%s%s", i ? ", " : "", sector_names[i]);
        fprintf(errs, ")\n");
        return -1;
    }
    static struct profile_errors err;
    memset(&err, 0, sizeof err);
    int rc = profile_load_file(p, path, &err);
    if (rc == 0 && strcmp(p->sector, sector) != 0) {
        fprintf(errs, "%s:1: profile is for sector '%s', not '%s'\n", path, p->sector, sector);
        return -1;
    }
    if (rc == 0 && site_path) {
        char sector_copy[PROFILE_NAME_MAX];
        memcpy(sector_copy, p->sector, sizeof sector_copy);
        rc = profile_load_file(p, site_path, &err);
        if (rc == 0 && strcmp(p->sector, sector_copy) != 0) {
            fprintf(errs, "%s:1: a site file cannot change the sector\n", site_path);
            return -1;
        }
        if (rc == 0 && !p->site[0]) {
            fprintf(errs, "%s:1: a sector profile given as --site; a site file starts with 'site:'\n", site_path);
            return -1;
        }
    }
    print_errors(&err, errs);
    return rc;
}

int profile_check_file(const char *path, FILE *out)
{
    static struct mamori_profile p;
    static struct profile_errors err;
    profile_defaults(&p);
    memset(&err, 0, sizeof err);
    profile_load_file(&p, path, &err);
    print_errors(&err, out);
    return (int)(err.count + err.dropped);
}
