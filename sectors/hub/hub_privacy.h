/* hub_privacy.h — hides an operator's internal addresses from other organisations.
 *
 * Internal addresses are private, loopback, link-local and shared IPv4 ranges,
 * IPv6 unique-local, link-local and loopback, and every MAC address (layer 2
 * never leaves a site). Public addresses (often the attacker's) are kept: they
 * are what other operators need. `strip` replaces an internal address with
 * "[internal]" (src/dst become empty); `pseudonymise` replaces it with
 * "anon-" and 12 hex digits of a keyed BLAKE2b hash, stable for the hub's key so
 * that readers can still correlate alerts, ports kept. Text members (src, dst,
 * flow_key, summary) and every string in the evidence are rewritten. The
 * posting organisation gets its alerts unchanged; the hub decides that. */
#ifndef MAMORI_HUB_PRIVACY_H
#define MAMORI_HUB_PRIVACY_H

#include <stdint.h>

#include "hub_config.h"
#include "sectors/alert.h"

#define HUB_PSEUDONYM_KEY_BYTES 32

/* Rewrites a in place. `evidence_scratch` must not alias a. */
void hub_privacy_apply(struct mamori_alert *a, enum hub_privacy mode, const uint8_t key[HUB_PSEUDONYM_KEY_BYTES],
                       struct mamori_detail *evidence_scratch);

#endif
