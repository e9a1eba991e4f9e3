/* profile.h — a sector profile with an optional site file laid over it.
 *
 * A sector profile (sectors/profiles/<sector>.yaml) says what is normal for a
 * critical-infrastructure sector: the ICS protocols expected, the nDPI
 * protocols and categories forbidden in its OT segments, which operation
 * classes each role may perform, thresholds, timing tolerances, severities and
 * suppression windows. A site file says what the site is: its networks,
 * engineering stations, masters, allowed external peers and per-device
 * overrides, and may override any sector setting. Both are YAML read with
 * libyaml; every error names the file and line. This module only loads and
 * queries settings; the engine (engine.h) applies them. */
#ifndef MAMORI_PROFILE_H
#define MAMORI_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../protocols/event.h"
#include "alert.h"
#include "finding.h"

#define PROFILE_MAX_PROTOCOLS 16
#define PROFILE_MAX_FORBIDDEN 48
#define PROFILE_MAX_NETS 64
#define PROFILE_MAX_DEVICES 256
#define PROFILE_MAX_DEVICE_PEERS 8
#define PROFILE_MAX_VENDORS 16
#define PROFILE_NAME_MAX 40
#define PROFILE_MAX_ERRORS 32
#define PROFILE_ERROR_MAX 640

/* Roles a client host can have; a host not listed in the site file is OTHER. */
enum profile_role {
    ROLE_ENGINEERING,
    ROLE_MASTER,
    ROLE_OTHER,
    ROLE__COUNT
};

/* Counting thresholds: `limit` occurrences (or distinct targets) within `window_s`. */
enum profile_threshold {
    THRESH_UNIT_SWEEP,       /* distinct unit ids / outstation addresses per client and server */
    THRESH_FUNCTION_SWEEP,   /* distinct function codes per client and server */
    THRESH_HOST_SWEEP,       /* distinct servers one client speaks ICS to */
    THRESH_IDENTIFY_SWEEP,   /* distinct devices asked to identify themselves */
    THRESH_NAME_ENUMERATION, /* name-listing requests by a client that is not a known master */
    THRESH_FLOOD,            /* requests per client and server */
    THRESH_EXCEPTION_STORM,  /* exception responses per server and client */
    THRESH_ANOMALIES,        /* protocol anomaly events per sender */
    THRESH_UNANSWERED,       /* requests a server never answered, per client and server */
    THRESH__COUNT
};

struct profile_threshold_value {
    uint32_t limit;
    uint32_t window_s;
};

/* An address block: IPv4 or IPv6 address with a prefix length. */
struct profile_net {
    uint8_t version; /* 4 or 6 */
    uint8_t prefix;
    uint8_t addr[16];
};

struct profile_device {
    char name[PROFILE_NAME_MAX];
    struct profile_net address;
    /* Hosts allowed to perform privileged operations on this device, in
     * addition to the site's engineering stations. */
    struct profile_net allow_from[PROFILE_MAX_DEVICE_PEERS];
    uint32_t n_allow_from;
    uint64_t suppress; /* bit per enum finding never raised about this device */
};

struct mamori_profile {
    char sector[PROFILE_NAME_MAX];
    char site[64];

    char expected[PROFILE_MAX_PROTOCOLS][PROFILE_NAME_MAX]; /* decoder names */
    uint32_t n_expected;
    char forbidden_apps[PROFILE_MAX_FORBIDDEN][PROFILE_NAME_MAX];       /* nDPI protocol names */
    uint32_t n_forbidden_apps;
    char forbidden_categories[PROFILE_MAX_FORBIDDEN][PROFILE_NAME_MAX]; /* nDPI category names */
    uint32_t n_forbidden_categories;
    char remote_access_apps[PROFILE_MAX_FORBIDDEN][PROFILE_NAME_MAX];   /* forbidden, and reported as remote access */
    uint32_t n_remote_access_apps;
    bool forbid_external_peers;
    /* Procurement policy: equipment of these vendors must not appear. */
    char untrusted_vendors[PROFILE_MAX_VENDORS][PROFILE_NAME_MAX];
    uint32_t n_untrusted_vendors;

    uint32_t permissions[ROLE__COUNT]; /* bit per enum mamori_op */
    struct profile_threshold_value thresholds[THRESH__COUNT];
    double goose_ttl_tolerance; /* a GOOSE publisher is late after TTL x this */
    double sv_rate_tolerance;   /* accepted relative deviation of an SV stream's rate from its baseline */
    double poll_jitter;         /* accepted relative deviation of a polling period from its baseline */
    double value_margin;        /* a written value beyond the learned range by this fraction of it is out of range */
    enum mamori_severity severity[FINDING__COUNT];
    uint32_t suppression_s[FINDING__COUNT];

    /* Site. */
    struct profile_net networks[PROFILE_MAX_NETS];
    uint32_t n_networks;
    struct profile_net engineering[PROFILE_MAX_NETS];
    uint32_t n_engineering;
    struct profile_net masters[PROFILE_MAX_NETS];
    uint32_t n_masters;
    struct profile_net external_peers[PROFILE_MAX_NETS];
    uint32_t n_external_peers;
    struct profile_device devices[PROFILE_MAX_DEVICES];
    uint32_t n_devices;
};

/* Errors found while loading; each is "FILE:LINE: message". */
struct profile_errors {
    char text[PROFILE_MAX_ERRORS][PROFILE_ERROR_MAX];
    uint32_t count;   /* kept in text[] */
    uint32_t dropped; /* found beyond PROFILE_MAX_ERRORS */
};

/* Built-in defaults (no protocol expected, nothing forbidden, everyone may only
 * read); a loaded profile starts from these. */
void profile_defaults(struct mamori_profile *p);

/* Loads a sector profile or site file from `path` over `p`. A sector profile has
 * a `sector:` key, a site file a `site:` key. Returns 0, or -1 with errors. */
int profile_load_file(struct mamori_profile *p, const char *path, struct profile_errors *err);

/* The same from an open stream; `path` names it in errors. */
int profile_load_stream(struct mamori_profile *p, FILE *f, const char *path, struct profile_errors *err);

/* Finds `<dir>/<sector>.yaml` for a sector name: $MAMORI_PROFILE_DIR, the
 * installed profile directory, then the source tree. Returns 0 or -1. */
int profile_find(const char *sector, char *out, size_t outlen);

/* Loads the named sector's profile, then the site file when not NULL. Prints
 * every error to `errs` (one line each) and returns -1 on any. */
int profile_load(struct mamori_profile *p, const char *sector, const char *site_path, FILE *errs);

/* Validates one file (a profile or a site file): prints each error and returns
 * the number of errors (0 = valid). Used by `mamori profile check`. */
int profile_check_file(const char *path, FILE *out);

bool profile_net_contains(const struct profile_net *net, uint8_t version, const uint8_t *addr);
bool profile_nets_contain(const struct profile_net *nets, uint32_t n, uint8_t version, const uint8_t *addr);
/* Parses "10.1.0.0/16", "fd00::/8" or a bare address (full prefix). */
bool profile_net_parse(const char *text, struct profile_net *out);

/* Role of a client address under the site's lists. */
enum profile_role profile_role_of(const struct mamori_profile *p, uint8_t version, const uint8_t *addr);
/* The device entry for an address, or NULL. */
const struct profile_device *profile_device_of(const struct mamori_profile *p, uint8_t version,
                                               const uint8_t *addr);
bool profile_expects_protocol(const struct mamori_profile *p, const char *protocol);
const char *profile_role_name(enum profile_role r);
const char *profile_threshold_name(enum profile_threshold t);
/* Parses an operation class name ("write", "time_sync"); -1 when unknown. */
int profile_op_parse(const char *name);

#endif
