/* version.h — comparing firmware versions written in vendors' many styles, and
 * matching them against ranges.
 *
 * Vendors write "2.7.1", "V2.70", "Rev 3.1a", "FW 1.0.4-b2", "v04.02". A version
 * is normalized by dropping a leading word such as v, ver, version, rev,
 * revision, fw or firmware, then split into segments: runs of digits compare as
 * numbers, runs of letters as lowercase text, and any punctuation or space only
 * separates. A longer version that extends a shorter one is newer ("3.1a" is
 * after "3.1"; "2.7.1" after "2.7"). Ranges use the `vers:` notation of CSAF
 * 2.0 product_version_range (e.g. "vers:generic/>=1.0|<2.5"; "vers:all" with the star constraint) or
 * the plain comparators advisories also use ("<= V2.70", ">=1.2 <1.4"). */
#ifndef MAMORI_FIRMWARE_VERSION_H
#define MAMORI_FIRMWARE_VERSION_H

#include <stdbool.h>

/* <0, 0 or >0 as a is older than, the same as, or newer than b. */
int version_compare(const char *a, const char *b);

enum version_range_status {
    VERSION_RANGE_OK,
    VERSION_RANGE_BAD, /* not a range this module understands */
};

/* Whether `version` lies in `range`. Returns VERSION_RANGE_BAD (and false in
 * *inside) when the range cannot be parsed. */
enum version_range_status version_in_range(const char *version, const char *range, bool *inside);

#endif
