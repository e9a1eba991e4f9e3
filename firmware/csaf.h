/* csaf.h — security advisories in CSAF 2.0 JSON, and matching them against
 * the identities of devices in the inventory.
 *
 * A directory of advisories is loaded (one JSON file each, as ICS advisories
 * are published). From each document this keeps its tracking id and title,
 * every product of the product tree with its vendor, product name or family,
 * version or version range (product_version / product_version_range) and
 * model numbers, and, per vulnerability, the CVE, the highest CVSS base score
 * and which product ids are known affected, first/last affected, fixed or
 * known not affected. A malformed file gives one error line naming the file,
 * line and column, and the others still load. Matching is in csaf_match(). */
#ifndef MAMORI_CSAF_H
#define MAMORI_CSAF_H

#include <stdbool.h>
#include <stddef.h>

#define CSAF_TEXT_MAX 128
#define CSAF_MAX_MODELS 4

enum csaf_status {
    CSAF_STATUS_AFFECTED,     /* known_affected, first_affected, last_affected */
    CSAF_STATUS_NOT_AFFECTED, /* fixed, known_not_affected */
};

struct csaf_product {
    char id[CSAF_TEXT_MAX];
    char vendor[CSAF_TEXT_MAX];
    char name[CSAF_TEXT_MAX];    /* product_name, or product_family when there is none */
    char version[CSAF_TEXT_MAX]; /* exact version, or a range when is_range; empty = all */
    bool is_range;
    char models[CSAF_MAX_MODELS][CSAF_TEXT_MAX];
    size_t n_models;
};

struct csaf_product_status {
    size_t product; /* index into the advisory's products */
    size_t vulnerability;
    enum csaf_status status;
};

struct csaf_vulnerability {
    char cve[32];
    double cvss; /* highest cvss_v3 (or v2) base score given, 0 if none */
};

struct csaf_advisory {
    char id[CSAF_TEXT_MAX];    /* document.tracking.id */
    char title[256];
    char path[512];
    struct csaf_product *products;
    size_t n_products;
    struct csaf_vulnerability *vulnerabilities;
    size_t n_vulnerabilities;
    struct csaf_product_status *statuses;
    size_t n_statuses;
};

struct csaf_set {
    struct csaf_advisory *advisories;
    size_t count;
};

/* Called once per file that cannot be used: "PATH:LINE:COLUMN: what". */
typedef void (*csaf_error_fn)(void *ctx, const char *message);

/* Loads one document and appends it to the set; -1 after reporting why not. */
int csaf_load_file(struct csaf_set *set, const char *path, csaf_error_fn on_error, void *ctx);
/* Loads every *.json file of a directory (sorted by name); returns how many
 * loaded, or -1 when the directory cannot be read. */
int csaf_load_dir(struct csaf_set *set, const char *dir, csaf_error_fn on_error, void *ctx);
void csaf_set_free(struct csaf_set *set);

/* What a device says about itself, as the inventory knows it. NULL = unknown. */
struct csaf_device_identity {
    const char *vendors[2];  /* from the protocol, and from the MAC's OUI */
    const char *products[3]; /* product name, model name, product code */
    const char *versions[2]; /* firmware/revision, software version */
};

struct csaf_match {
    const struct csaf_advisory *advisory;
    const struct csaf_product *product;
    char cves[256];   /* comma-separated CVEs that affect the product */
    double cvss;      /* highest score among them */
    const char *version; /* the device version that matched */
};

/* Matches a device against one advisory; true (and *out filled) when the
 * device runs an affected product and version not listed as fixed or not
 * affected. */
bool csaf_match(const struct csaf_advisory *adv, const struct csaf_device_identity *dev, struct csaf_match *out);

/* Loose vendor-name equality: case, punctuation and company suffixes
 * ("Inc.", "AG", "Co., Ltd.") ignored; one name may contain the other. */
bool csaf_vendor_matches(const char *a, const char *b);

#endif
