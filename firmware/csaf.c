/* csaf.c — loading CSAF 2.0 advisories (libjansson) and matching devices. */
#include "csaf.h"

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

#define CSAF_MAX_BRANCH_DEPTH 16
#define NAME_MATCH_MIN 4
#define VENDOR_MATCH_MIN 3

static void report(csaf_error_fn on_error, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(csaf_error_fn on_error, void *ctx, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (on_error)
        on_error(ctx, msg);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static const char *string_at(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* Names inherited down the branches of the product tree. */
struct branch_context {
    const char *vendor, *family, *name, *version;
    bool is_range;
};

static int add_product(struct csaf_advisory *adv, json_t *product, const struct branch_context *bc)
{
    const char *id = string_at(product, "product_id");
    if (!id)
        return -1;
    struct csaf_product *grown = realloc(adv->products, (adv->n_products + 1) * sizeof *grown);
    if (!grown)
        return -1;
    adv->products = grown;
    struct csaf_product *p = &adv->products[adv->n_products++];
    memset(p, 0, sizeof *p);
    copy_text(p->id, sizeof p->id, id);
    copy_text(p->vendor, sizeof p->vendor, bc->vendor);
    copy_text(p->name, sizeof p->name,
              bc->name ? bc->name : bc->family ? bc->family : string_at(product, "name"));
    copy_text(p->version, sizeof p->version, bc->version);
    p->is_range = bc->is_range;
    json_t *models = json_object_get(json_object_get(product, "product_identification_helper"), "model_numbers");
    size_t i;
    json_t *m;
    json_array_foreach(models, i, m) {
        if (p->n_models < CSAF_MAX_MODELS && json_is_string(m))
            copy_text(p->models[p->n_models++], CSAF_TEXT_MAX, json_string_value(m));
    }
    return 0;
}

static int walk_branches(struct csaf_advisory *adv, json_t *branches, struct branch_context bc, int depth)
{
    if (depth > CSAF_MAX_BRANCH_DEPTH)
        return -1;
    size_t i;
    json_t *b;
    json_array_foreach(branches, i, b) {
        struct branch_context here = bc;
        const char *category = string_at(b, "category"), *name = string_at(b, "name");
        if (category && name) {
            if (strcmp(category, "vendor") == 0)
                here.vendor = name;
            else if (strcmp(category, "product_family") == 0)
                here.family = name;
            else if (strcmp(category, "product_name") == 0)
                here.name = name;
            else if (strcmp(category, "product_version") == 0)
                here.version = name, here.is_range = false;
            else if (strcmp(category, "product_version_range") == 0)
                here.version = name, here.is_range = true;
        }
        json_t *product = json_object_get(b, "product");
        if (product && add_product(adv, product, &here) != 0)
            return -1;
        if (walk_branches(adv, json_object_get(b, "branches"), here, depth + 1) != 0)
            return -1;
    }
    return 0;
}

static long product_index(const struct csaf_advisory *adv, const char *id)
{
    for (size_t i = 0; i < adv->n_products; i++)
        if (strcmp(adv->products[i].id, id) == 0)
            return (long)i;
    return -1;
}

static int add_statuses(struct csaf_advisory *adv, json_t *ids, size_t vuln, enum csaf_status status)
{
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id) {
        long p = json_is_string(id) ? product_index(adv, json_string_value(id)) : -1;
        if (p < 0)
            continue; /* a relationship or unknown id: nothing to match it with */
        struct csaf_product_status *grown = realloc(adv->statuses, (adv->n_statuses + 1) * sizeof *grown);
        if (!grown)
            return -1;
        adv->statuses = grown;
        adv->statuses[adv->n_statuses++] = (struct csaf_product_status){ (size_t)p, vuln, status };
    }
    return 0;
}

static double highest_score(json_t *scores)
{
    double best = 0;
    size_t i;
    json_t *s;
    json_array_foreach(scores, i, s) {
        static const char *const kinds[] = { "cvss_v3", "cvss_v2" };
        for (size_t k = 0; k < 2; k++) {
            double v = json_number_value(json_object_get(json_object_get(s, kinds[k]), "baseScore"));
            if (v > best)
                best = v;
        }
    }
    return best;
}

static int load_vulnerabilities(struct csaf_advisory *adv, json_t *vulns)
{
    static const struct {
        const char *key;
        enum csaf_status status;
    } lists[] = {
        { "known_affected", CSAF_STATUS_AFFECTED },  { "first_affected", CSAF_STATUS_AFFECTED },
        { "last_affected", CSAF_STATUS_AFFECTED },   { "fixed", CSAF_STATUS_NOT_AFFECTED },
        { "known_not_affected", CSAF_STATUS_NOT_AFFECTED },
    };
    size_t n = json_array_size(vulns);
    adv->vulnerabilities = calloc(n ? n : 1, sizeof *adv->vulnerabilities);
    if (!adv->vulnerabilities)
        return -1;
    adv->n_vulnerabilities = n;
    for (size_t v = 0; v < n; v++) {
        json_t *vuln = json_array_get(vulns, v);
        copy_text(adv->vulnerabilities[v].cve, sizeof adv->vulnerabilities[v].cve, string_at(vuln, "cve"));
        adv->vulnerabilities[v].cvss = highest_score(json_object_get(vuln, "scores"));
        json_t *ps = json_object_get(vuln, "product_status");
        for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
            if (add_statuses(adv, json_object_get(ps, lists[l].key), v, lists[l].status) != 0)
                return -1;
    }
    return 0;
}

static void advisory_free(struct csaf_advisory *adv)
{
    free(adv->products);
    free(adv->vulnerabilities);
    free(adv->statuses);
}

int csaf_load_file(struct csaf_set *set, const char *path, csaf_error_fn on_error, void *ctx)
{
    json_error_t err;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!doc) {
        report(on_error, ctx, "%s:%d:%d: not valid JSON: %s", path, err.line, err.column, err.text);
        return -1;
    }
    json_t *document = json_object_get(doc, "document");
    const char *csaf_version = string_at(document, "csaf_version");
    const char *id = string_at(json_object_get(document, "tracking"), "id");
    json_t *tree = json_object_get(doc, "product_tree");
    const char *missing = !json_is_object(document) ? "document"
                          : !csaf_version           ? "document.csaf_version"
                          : !id                     ? "document.tracking.id"
                          : !json_is_object(tree)   ? "product_tree"
                                                    : NULL;
    if (missing || strcmp(csaf_version, "2.0") != 0) {
        if (missing)
            report(on_error, ctx, "%s: not a CSAF 2.0 advisory: %s is missing", path, missing);
        else
            report(on_error, ctx, "%s: csaf_version is \"%s\", expected \"2.0\"", path, csaf_version);
        json_decref(doc);
        return -1;
    }
    struct csaf_advisory adv;
    memset(&adv, 0, sizeof adv);
    copy_text(adv.id, sizeof adv.id, id);
    copy_text(adv.title, sizeof adv.title, string_at(document, "title"));
    copy_text(adv.path, sizeof adv.path, path);
    struct branch_context root = { 0 };
    int rc = walk_branches(&adv, json_object_get(tree, "branches"), root, 0);
    size_t i;
    json_t *fpn;
    json_array_foreach(json_object_get(tree, "full_product_names"), i, fpn) {
        if (rc == 0 && add_product(&adv, fpn, &root) != 0)
            rc = -1;
    }
    if (rc == 0)
        rc = load_vulnerabilities(&adv, json_object_get(doc, "vulnerabilities"));
    json_decref(doc);
    struct csaf_advisory *grown = rc == 0 ? realloc(set->advisories, (set->count + 1) * sizeof *grown) : NULL;
    if (!grown) {
        report(on_error, ctx, "%s: product tree too deep, a product without product_id, or out of memory", path);
        advisory_free(&adv);
        return -1;
    }
    set->advisories = grown;
    set->advisories[set->count++] = adv;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int csaf_load_dir(struct csaf_set *set, const char *dir, csaf_error_fn on_error, void *ctx)
{
    DIR *d = opendir(dir);
    if (!d) {
        report(on_error, ctx, "%s: cannot read advisory directory", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *grown);
        if (!grown || !(grown[n] = strdup(e->d_name))) {
            names = grown ? grown : names;
            break;
        }
        names = grown;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int loaded = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (csaf_load_file(set, path, on_error, ctx) == 0)
            loaded++;
        free(names[i]);
    }
    free(names);
    return loaded;
}

void csaf_set_free(struct csaf_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        advisory_free(&set->advisories[i]);
    free(set->advisories);
    set->advisories = NULL;
    set->count = 0;
}

/* Lowercase letters and digits only. */
static void normalize(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; in && *in && n + 1 < cap; in++)
        if (isalnum((unsigned char)*in))
            out[n++] = (char)tolower((unsigned char)*in);
    out[n] = '\0';
}

/* Company-form words dropped before comparing vendor names. */
static const char *const company_suffixes[] = { "incorporated", "corporation", "limited", "company", "gmbh",
                                                "corp", "inc", "ltd", "llc", "co", "ag", "se", "sa", "kk" };

static void normalize_vendor(const char *in, char *out, size_t cap)
{
    char word[64], *o = out;
    size_t left = cap;
    out[0] = '\0';
    while (in && *in) {
        size_t len = strcspn(in, " ,.-_/()");
        if (len && len < sizeof word) {
            normalize(in, word, len + 1 < sizeof word ? len + 1 : sizeof word);
            bool suffix = false;
            for (size_t i = 0; i < sizeof company_suffixes / sizeof company_suffixes[0]; i++)
                suffix |= strcmp(word, company_suffixes[i]) == 0;
            size_t wl = strlen(word);
            if (!suffix && wl + 1 < left) {
                memcpy(o, word, wl + 1);
                o += wl, left -= wl;
            }
        }
        in += len;
        in += strspn(in, " ,.-_/()");
    }
}

static bool contains_either(const char *a, const char *b, size_t min)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la < min || lb < min)
        return la > 0 && strcmp(a, b) == 0;
    return strstr(a, b) || strstr(b, a);
}

bool csaf_vendor_matches(const char *a, const char *b)
{
    char na[CSAF_TEXT_MAX], nb[CSAF_TEXT_MAX];
    normalize_vendor(a, na, sizeof na);
    normalize_vendor(b, nb, sizeof nb);
    return na[0] && nb[0] && contains_either(na, nb, VENDOR_MATCH_MIN);
}

static bool product_matches(const struct csaf_product *p, const struct csaf_device_identity *dev)
{
    bool vendor_ok = !p->vendor[0];
    for (size_t i = 0; i < 2 && !vendor_ok; i++)
        vendor_ok = dev->vendors[i] && csaf_vendor_matches(p->vendor, dev->vendors[i]);
    if (!vendor_ok)
        return false;
    char name[CSAF_TEXT_MAX], mine[CSAF_TEXT_MAX], model[CSAF_TEXT_MAX];
    normalize(p->name, name, sizeof name);
    for (size_t i = 0; i < 3; i++) {
        if (!dev->products[i])
            continue;
        normalize(dev->products[i], mine, sizeof mine);
        if (name[0] && mine[0] && contains_either(name, mine, NAME_MATCH_MIN))
            return true;
        for (size_t m = 0; m < p->n_models; m++) {
            normalize(p->models[m], model, sizeof model);
            if (model[0] && strcmp(model, mine) == 0)
                return true;
        }
    }
    return false;
}

/* The device version that puts it in the product's version constraint. */
static const char *version_matches(const struct csaf_product *p, const struct csaf_device_identity *dev)
{
    for (size_t i = 0; i < 2; i++) {
        const char *v = dev->versions[i];
        if (!v || !v[0])
            continue;
        if (!p->version[0])
            return v;
        bool inside = false;
        if (p->is_range ? version_in_range(v, p->version, &inside) == VERSION_RANGE_OK && inside
                        : version_compare(v, p->version) == 0)
            return v;
    }
    return NULL;
}

bool csaf_match(const struct csaf_advisory *adv, const struct csaf_device_identity *dev, struct csaf_match *out)
{
    for (size_t p = 0; p < adv->n_products; p++) {
        const struct csaf_product *prod = &adv->products[p];
        const char *version = product_matches(prod, dev) ? version_matches(prod, dev) : NULL;
        if (!version)
            continue;
        memset(out, 0, sizeof *out);
        for (size_t s = 0; s < adv->n_statuses; s++) {
            const struct csaf_product_status *st = &adv->statuses[s];
            if (st->product != p || st->status != CSAF_STATUS_AFFECTED)
                continue;
            bool cleared = false; /* the same vulnerability marks this product fixed */
            for (size_t t = 0; t < adv->n_statuses; t++)
                cleared |= adv->statuses[t].product == p && adv->statuses[t].vulnerability == st->vulnerability &&
                           adv->statuses[t].status == CSAF_STATUS_NOT_AFFECTED;
            const struct csaf_vulnerability *v = &adv->vulnerabilities[st->vulnerability];
            if (cleared || strstr(out->cves, v->cve))
                continue;
            size_t used = strlen(out->cves);
            snprintf(out->cves + used, sizeof out->cves - used, "%s%s", used ? "," : "", v->cve[0] ? v->cve : "?");
            if (v->cvss > out->cvss)
                out->cvss = v->cvss;
        }
        if (out->cves[0]) {
            out->advisory = adv;
            out->product = prod;
            out->version = version;
            return true;
        }
    }
    return false;
}
