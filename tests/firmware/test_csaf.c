/* test_csaf.c — CSAF 2.0 advisories written to the schema in several vendors'
 * version styles: loading, clear errors for bad files, and exact matches. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/csaf.h"

#define MAX_ERRORS 8

static char errors[MAX_ERRORS][1024];
static size_t n_errors;
static struct csaf_set set;
static char dir[4096];

static void collect(void *ctx, const char *message)
{
    (void)ctx;
    if (n_errors < MAX_ERRORS)
        snprintf(errors[n_errors++], sizeof errors[0], "%s", message);
}

static void load(void)
{
    snprintf(dir, sizeof dir, "%s/tests/firmware/csaf", getenv("MAMORI_SOURCE_ROOT"));
    n_errors = 0;
    memset(&set, 0, sizeof set);
    cr_assert_eq(csaf_load_dir(&set, dir, collect, NULL), 3);
}

static void unload(void) { csaf_set_free(&set); }

TestSuite(csaf, .init = load, .fini = unload);

static const struct csaf_advisory *advisory(const char *id)
{
    for (size_t i = 0; i < set.count; i++)
        if (strcmp(set.advisories[i].id, id) == 0)
            return &set.advisories[i];
    cr_assert_fail("advisory %s not loaded", id);
    return NULL;
}

Test(csaf, loads_documents_and_reports_bad_ones)
{
    cr_assert_eq(set.count, 3);
    cr_assert_eq(n_errors, 3);
    char expected[5000];
    /* files load in name order: acme, broken, no-tracking, schneider, siemens, wrong-version */
    snprintf(expected, sizeof expected, "%s/broken-syntax.json:3:27: not valid JSON: ", dir);
    cr_assert(strncmp(errors[0], expected, strlen(expected)) == 0, "got: %s", errors[0]);
    snprintf(expected, sizeof expected, "%s/no-tracking-id.json: not a CSAF 2.0 advisory: document.tracking.id is missing",
             dir);
    cr_assert_str_eq(errors[1], expected);
    snprintf(expected, sizeof expected, "%s/wrong-version.json: csaf_version is \"1.0\", expected \"2.0\"", dir);
    cr_assert_str_eq(errors[2], expected);

    const struct csaf_advisory *m340 = advisory("TEST-SA-0002");
    cr_assert_str_eq(m340->title, "Modicon M340 improper input validation");
    cr_assert_eq(m340->n_products, 2);
    cr_assert_str_eq(m340->products[0].vendor, "Schneider Electric");
    cr_assert_str_eq(m340->products[0].name, "BMX P34 2020");
    cr_assert_str_eq(m340->products[0].version, "<= V3.40");
    cr_assert(m340->products[0].is_range);
    cr_assert_str_eq(m340->products[1].version, "V3.50");
    cr_assert_not(m340->products[1].is_range);
    cr_assert_eq(m340->n_vulnerabilities, 2);
    cr_assert_eq(m340->n_statuses, 3);
    const struct csaf_advisory *s7 = advisory("TEST-SA-0001");
    cr_assert_str_eq(s7->products[0].models[0], "6ES7511-1AK02-0AB0");
    cr_assert_eq(s7->vulnerabilities[0].cvss, 7.5);
}

static bool match(const char *adv_id, const char *vendor, const char *product, const char *version,
                  struct csaf_match *m)
{
    struct csaf_device_identity dev = { .vendors = { vendor }, .products = { product }, .versions = { version } };
    return csaf_match(advisory(adv_id), &dev, m);
}

Test(csaf, matches_version_ranges_in_vers_notation)
{
    struct csaf_match m;
    cr_assert(match("TEST-SA-0001", "Siemens AG", "SIMATIC S7-1500", "V2.9.2", &m));
    cr_assert_str_eq(m.cves, "CVE-2023-0001");
    cr_assert_eq(m.cvss, 7.5);
    cr_assert_str_eq(m.product->id, "CSAFPID-0001");
    cr_assert_str_eq(m.version, "V2.9.2");
    cr_assert_not(match("TEST-SA-0001", "Siemens AG", "SIMATIC S7-1500", "V2.9.7", &m));
    cr_assert_not(match("TEST-SA-0001", "Schneider Electric", "SIMATIC S7-1500", "V2.9.2", &m), "wrong vendor");
}

Test(csaf, matches_model_numbers)
{
    struct csaf_match m;
    cr_assert(match("TEST-SA-0001", "SIEMENS", "6ES7 511-1AK02-0AB0", "2.8", &m));
}

Test(csaf, plain_ranges_and_fixed_versions)
{
    struct csaf_match m;
    cr_assert(match("TEST-SA-0002", "Schneider Electric SE", "BMX P34 2020", "v3.40", &m));
    cr_assert_str_eq(m.cves, "CVE-2022-0002,CVE-2022-0003");
    cr_assert_eq(m.cvss, 8.6);
    cr_assert(match("TEST-SA-0002", "Schneider Electric", "BMX P34 2020", "V2.70", &m));
    cr_assert_not(match("TEST-SA-0002", "Schneider Electric", "BMX P34 2020", "V3.50", &m), "fixed version");
    cr_assert_not(match("TEST-SA-0002", "Schneider Electric", "BMX P34 2020", "V3.41", &m));
}

Test(csaf, revision_letters_and_not_affected)
{
    struct csaf_match m;
    cr_assert(match("TEST-SA-0003", "ACME Automation", "RTU-500", "Rev 3.1a", &m));
    cr_assert_str_eq(m.cves, "CVE-2024-0003");
    cr_assert_eq(m.cvss, 0.0);
    cr_assert_not(match("TEST-SA-0003", "ACME Automation", "RTU-500", "Rev 3.1b", &m));
    cr_assert_not(match("TEST-SA-0003", "ACME Automation", "RTU-500", NULL, &m), "no version known");
}

Test(csaf, vendor_names_compare_loosely)
{
    cr_assert(csaf_vendor_matches("Schneider Electric SE", "Schneider Electric"));
    cr_assert(csaf_vendor_matches("ACME Automation Co., Ltd.", "acme automation"));
    cr_assert(csaf_vendor_matches("Siemens AG", "SIEMENS"));
    cr_assert_not(csaf_vendor_matches("Siemens AG", "Schneider Electric"));
    cr_assert_not(csaf_vendor_matches("", "Siemens"));
}
