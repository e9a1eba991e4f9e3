/* mms_wire.h — builds MMS test traffic byte by byte: a small BER writer with
 * nested elements (minimal definite lengths), and the ISO stack wrappers
 * (TPKT, COTP DT/CR/CC, session CN/AC/DT/FN/DN/AB, presentation CP/CPA and
 * fully-encoded data, ACSE AARQ/AARE/RLRQ/RLRE) around an MMS PDU.
 * Test-only code. */
#ifndef MAMORI_TEST_MMS_WIRE_H
#define MAMORI_TEST_MMS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_MAX 16384
#define WIRE_DEPTH 16

struct wire {
    uint8_t b[WIRE_MAX];
    size_t n;
    size_t open[WIRE_DEPTH]; /* where each open element's content starts */
    int depth;
};

void wire_reset(struct wire *w);
/* Identifier octets are given as written on the wire, e.g. 0xA0, 0xBF2C. */
void wire_open(struct wire *w, uint32_t tag);
void wire_close(struct wire *w);
void wire_raw(struct wire *w, const void *bytes, size_t n);
void wire_prim(struct wire *w, uint32_t tag, const void *bytes, size_t n);
void wire_str(struct wire *w, uint32_t tag, const char *s);
void wire_int(struct wire *w, uint32_t tag, int64_t v);
void wire_null(struct wire *w, uint32_t tag);
void wire_bool(struct wire *w, uint32_t tag, bool v);
/* ObjectName domain-specific [1] { domainId, itemId } / vmd-specific [0]. */
void wire_domain_name(struct wire *w, const char *domain, const char *item);
void wire_vmd_name(struct wire *w, const char *name);

/* Wrappers: each writes a whole TPKT frame into `out` and returns its size. */
size_t wire_tpkt_dt(uint8_t *out, const void *tsdu, size_t n, bool eot);
size_t wire_tpkt_cotp(uint8_t *out, uint8_t code); /* CR (0xE0) or CC (0xD0) */
/* Session DT + presentation fully-encoded data (context 3) around an MMS PDU. */
size_t wire_mms_data(uint8_t *out, const void *mms, size_t n);
/* The same with `count` PDV-lists in one fully-encoded data, one per MMS PDU. */
size_t wire_mms_data_pdvs(uint8_t *out, const uint8_t *const *pdus, const size_t *lens, size_t count);
/* Session SPDU `si` (CN 13, AC 14, FN 9, DN 10, AB 25) carrying presentation
 * (CP/CPA SET for CN/AC, fully-encoded data otherwise) around an ACSE APDU. */
size_t wire_session_acse(uint8_t *out, uint8_t si, const void *acse, size_t n);
/* ACSE APDU with MMS in user-information (aarq 0x60, aare 0x61 with result). */
size_t wire_acse(uint8_t *out, uint8_t apdu_tag, const void *mms, size_t n, int result);

#endif
