/* test_version.c — vendor-style firmware version comparison and ranges. */
#include <criterion/criterion.h>

#include "firmware/version.h"

Test(version, compares_vendor_styles)
{
    cr_assert_gt(version_compare("2.7.1", "2.7"), 0);
    cr_assert_eq(version_compare("V2.70", "2.70"), 0);
    cr_assert_gt(version_compare("V2.70", "v2.7"), 0, "70 is a larger minor than 7");
    cr_assert_gt(version_compare("Rev 3.1a", "3.1"), 0);
    cr_assert_lt(version_compare("Rev 3.1a", "rev3.1b"), 0);
    cr_assert_gt(version_compare("3.10", "3.9"), 0);
    cr_assert_eq(version_compare("v04.02", "4.2"), 0);
    cr_assert_eq(version_compare("Firmware 1.0.4", "FW1.0.4"), 0);
    cr_assert_gt(version_compare("1.0.4-b2", "1.0.4"), 0);
    cr_assert_lt(version_compare("1.0.beta", "1.0.1"), 0);
    cr_assert_eq(version_compare("Version: 12", "V12"), 0);
}

static bool in(const char *version, const char *range)
{
    bool inside;
    cr_assert_eq(version_in_range(version, range, &inside), VERSION_RANGE_OK, "range %s", range);
    return inside;
}

Test(version, vers_ranges)
{
    cr_assert(in("1.0", "vers:generic/>=1.0|<2.5"));
    cr_assert(in("2.4.9", "vers:generic/>=1.0|<2.5"));
    cr_assert_not(in("2.5", "vers:generic/>=1.0|<2.5"));
    cr_assert_not(in("0.9", "vers:generic/>=1.0|<2.5"));
    cr_assert(in("V2.9.6", "vers:intdot/<2.9.7"));
    cr_assert_not(in("V2.9.7", "vers:intdot/<2.9.7"));
    cr_assert(in("anything", "vers:all/*"));
    cr_assert(in("2.0", "vers:generic/1.0|2.0"));
    cr_assert_not(in("1.5", "vers:generic/1.0|2.0"));
    cr_assert(in("3.5", "vers:generic/>=1.0|<2.0|>=3.0"));
    cr_assert_not(in("2.5", "vers:generic/>=1.0|<2.0|>=3.0"));
    cr_assert_not(in("1.5", "vers:generic/!=1.5|>=1.0"));
    cr_assert(in("1.6", "vers:generic/!=1.5|>=1.0"));
}

Test(version, plain_comparator_ranges)
{
    cr_assert(in("V2.70", "<= V2.70"));
    cr_assert_not(in("V2.71", "<= V2.70"));
    cr_assert(in("1.3", ">=1.2 <1.4"));
    cr_assert_not(in("1.4", ">=1.2 <1.4"));
    cr_assert(in("Rev 3.1a", "Rev 3.1a"));
}

Test(version, refuses_what_it_cannot_read)
{
    bool inside = true;
    cr_assert_eq(version_in_range("1.0", "vers:generic", &inside), VERSION_RANGE_BAD);
    cr_assert_not(inside);
    cr_assert_eq(version_in_range("1.0", ">=", &inside), VERSION_RANGE_BAD);
    cr_assert_eq(version_in_range("1.0", "", &inside), VERSION_RANGE_BAD);
}
