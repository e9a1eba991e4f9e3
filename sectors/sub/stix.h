/* stix.h — writes alerts as one STIX 2.1 bundle, the format ISACs exchange
 * (MISP and OpenCTI import it).
 *
 * Each alert becomes a `sighting` (id "sighting--<alert id>", so re-exports
 * deduplicate) of an `attack-pattern` carrying the MITRE ATT&CK for ICS
 * reference, created by an `identity` for the posting organisation, with an
 * `observed-data` pointing at ipv4-addr / ipv6-addr / mac-addr objects for the
 * source and destination. Alert members without a STIX property travel as
 * x_mamori_* custom properties. The bundle is streamed: objects are written as
 * alerts arrive and stix_close() ends the JSON. */
#ifndef MAMORI_STIX_H
#define MAMORI_STIX_H

#include <stdio.h>

#include "sectors/alert.h"

struct stix_writer;

struct stix_writer *stix_open(FILE *out);
void stix_add(struct stix_writer *s, const struct mamori_alert *a, const char *organisation);
/* Ends the bundle and frees s. */
void stix_close(struct stix_writer *s);

#endif
