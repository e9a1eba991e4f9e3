/* mms_wire.c — see mms_wire.h. */
#include "mms_wire.h"

#include <string.h>

#define MMS_CONTEXT_ID 3
#define ACSE_CONTEXT_ID 1

void wire_reset(struct wire *w)
{
    w->n = 0;
    w->depth = 0;
}

void wire_raw(struct wire *w, const void *bytes, size_t n)
{
    if (n == 0)
        return;
    memcpy(w->b + w->n, bytes, n);
    w->n += n;
}

static void put_tag(struct wire *w, uint32_t tag)
{
    uint8_t t[4];
    size_t k = 0;
    for (int shift = 24; shift >= 0; shift -= 8)
        if ((tag >> shift) & 0xff || k || shift == 0)
            t[k++] = (uint8_t)(tag >> shift);
    wire_raw(w, t, k);
}

void wire_open(struct wire *w, uint32_t tag)
{
    put_tag(w, tag);
    w->b[w->n++] = 0; /* length, fixed up by wire_close */
    w->open[w->depth++] = w->n;
}

void wire_close(struct wire *w)
{
    size_t start = w->open[--w->depth];
    size_t len = w->n - start;
    if (len < 0x80) {
        w->b[start - 1] = (uint8_t)len;
        return;
    }
    size_t k = len > 0xffff ? 3 : len > 0xff ? 2 : 1;
    memmove(w->b + start + k, w->b + start, len);
    w->b[start - 1] = (uint8_t)(0x80 | k);
    for (size_t i = 0; i < k; i++)
        w->b[start + i] = (uint8_t)(len >> (8 * (k - 1 - i)));
    w->n += k;
}

void wire_prim(struct wire *w, uint32_t tag, const void *bytes, size_t n)
{
    wire_open(w, tag);
    wire_raw(w, bytes, n);
    wire_close(w);
}

void wire_str(struct wire *w, uint32_t tag, const char *s) { wire_prim(w, tag, s, strlen(s)); }

void wire_int(struct wire *w, uint32_t tag, int64_t v)
{
    uint8_t be[8];
    size_t n = 8;
    for (int i = 0; i < 8; i++)
        be[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
    size_t skip = 0;
    while (skip < 7 && ((be[skip] == 0 && !(be[skip + 1] & 0x80)) || (be[skip] == 0xff && (be[skip + 1] & 0x80))))
        skip++;
    wire_prim(w, tag, be + skip, n - skip);
}

void wire_null(struct wire *w, uint32_t tag) { wire_prim(w, tag, NULL, 0); }

void wire_bool(struct wire *w, uint32_t tag, bool v)
{
    uint8_t b = v ? 0xff : 0x00;
    wire_prim(w, tag, &b, 1);
}

void wire_domain_name(struct wire *w, const char *domain, const char *item)
{
    wire_open(w, 0xA1);
    wire_str(w, 0x1A, domain);
    wire_str(w, 0x1A, item);
    wire_close(w);
}

void wire_vmd_name(struct wire *w, const char *name) { wire_str(w, 0x80, name); }

size_t wire_tpkt_dt(uint8_t *out, const void *tsdu, size_t n, bool eot)
{
    size_t total = 4 + 3 + n;
    uint8_t head[7] = {3, 0, (uint8_t)(total >> 8), (uint8_t)total, 2, 0xF0, eot ? 0x80 : 0x00};
    memcpy(out, head, sizeof head);
    memcpy(out + sizeof head, tsdu, n);
    return total;
}

size_t wire_tpkt_cotp(uint8_t *out, uint8_t code)
{
    /* CR/CC class 0 with calling/called TSAPs 0x0001 and TPDU size 1024. */
    static const uint8_t params[] = {0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x00, 0x01, 0xC2, 0x02, 0x00, 0x01};
    uint8_t li = (uint8_t)(6 + sizeof params);
    size_t total = 4 + 1 + li;
    uint8_t head[] = {3, 0, 0, (uint8_t)total, li, code, 0x00, code == 0xE0 ? 0x00 : 0x44, 0x00, 0x07, 0x00};
    memcpy(out, head, sizeof head);
    memcpy(out + sizeof head, params, sizeof params);
    return total;
}

/* One PDV-list of presentation context `ctx_id` (single-ASN1-type). */
static void pdv_list(struct wire *w, int ctx_id, const void *value, size_t n)
{
    wire_open(w, 0x30);
    wire_int(w, 0x02, ctx_id);
    wire_open(w, 0xA0);
    wire_raw(w, value, n);
    wire_close(w);
    wire_close(w);
}

/* Fully-encoded data with one PDV-list of presentation context `ctx_id`. */
static void fully_encoded(struct wire *w, int ctx_id, const void *value, size_t n)
{
    wire_open(w, 0x61);
    pdv_list(w, ctx_id, value, n);
    wire_close(w);
}

size_t wire_mms_data_pdvs(uint8_t *out, const uint8_t *const *pdus, const size_t *lens, size_t count)
{
    static struct wire w;
    static const uint8_t give_tokens_and_data[] = {0x01, 0x00, 0x01, 0x00};
    wire_reset(&w);
    wire_raw(&w, give_tokens_and_data, sizeof give_tokens_and_data);
    wire_open(&w, 0x61);
    for (size_t i = 0; i < count; i++)
        pdv_list(&w, MMS_CONTEXT_ID, pdus[i], lens[i]);
    wire_close(&w);
    return wire_tpkt_dt(out, w.b, w.n, true);
}

size_t wire_mms_data(uint8_t *out, const void *mms, size_t n)
{
    const uint8_t *pdus[] = {mms};
    return wire_mms_data_pdvs(out, pdus, &n, 1);
}

/* CP: presentation-context-definition-list [4] naming ACSE (context 1) and
 * MMS (context 3), both in BER; CPA: the result list [5] accepting both. */
static void context_definitions(struct wire *w, bool accept)
{
    static const uint8_t acse_as[] = {0x52, 0x01, 0x00, 0x01};       /* 2.2.1.0.1 */
    static const uint8_t mms_as[] = {0x28, 0xCA, 0x22, 0x02, 0x01}; /* 1.0.9506.2.1 */
    static const uint8_t ber_ts[] = {0x51, 0x01};                   /* 2.1.1 */
    const int ids[] = {ACSE_CONTEXT_ID, MMS_CONTEXT_ID};
    const uint8_t *syntaxes[] = {acse_as, mms_as};
    const size_t syntax_len[] = {sizeof acse_as, sizeof mms_as};
    wire_open(w, accept ? 0xA5 : 0xA4);
    for (int i = 0; i < 2; i++) {
        wire_open(w, 0x30);
        if (accept) {
            wire_int(w, 0x80, 0); /* acceptance */
            wire_prim(w, 0x81, ber_ts, sizeof ber_ts);
        } else {
            wire_int(w, 0x02, ids[i]);
            wire_prim(w, 0x06, syntaxes[i], syntax_len[i]);
            wire_open(w, 0x30);
            wire_prim(w, 0x06, ber_ts, sizeof ber_ts);
            wire_close(w);
        }
        wire_close(w);
    }
    wire_close(w);
}

size_t wire_session_acse(uint8_t *out, uint8_t si, const void *acse, size_t n)
{
    static struct wire pres, spdu;
    wire_reset(&pres);
    if (si == 13 || si == 14) {
        static const uint8_t mode_normal[] = {0xA0, 0x03, 0x80, 0x01, 0x01};
        wire_open(&pres, 0x31);
        wire_raw(&pres, mode_normal, sizeof mode_normal);
        wire_open(&pres, 0xA2);
        context_definitions(&pres, si == 14);
        fully_encoded(&pres, ACSE_CONTEXT_ID, acse, n);
        wire_close(&pres);
        wire_close(&pres);
    } else {
        fully_encoded(&pres, ACSE_CONTEXT_ID, acse, n);
    }
    /* SPDU: SI, LI, a Session User Requirements parameter, then User Data (193). */
    wire_reset(&spdu);
    uint8_t head[] = {si, 0};
    wire_raw(&spdu, head, 2);
    static const uint8_t requirements[] = {0x14, 0x02, 0x00, 0x02};
    wire_raw(&spdu, requirements, sizeof requirements);
    uint8_t ud[4] = {193};
    size_t udn;
    if (pres.n < 0xff) {
        ud[1] = (uint8_t)pres.n;
        udn = 2;
    } else {
        ud[1] = 0xff;
        ud[2] = (uint8_t)(pres.n >> 8);
        ud[3] = (uint8_t)pres.n;
        udn = 4;
    }
    wire_raw(&spdu, ud, udn);
    wire_raw(&spdu, pres.b, pres.n);
    size_t body = spdu.n - 2;
    if (body < 0xff) {
        spdu.b[1] = (uint8_t)body;
    } else {
        memmove(spdu.b + 4, spdu.b + 2, body);
        spdu.b[1] = 0xff;
        spdu.b[2] = (uint8_t)(body >> 8);
        spdu.b[3] = (uint8_t)body;
        spdu.n += 2;
    }
    return wire_tpkt_dt(out, spdu.b, spdu.n, true);
}

size_t wire_acse(uint8_t *out, uint8_t apdu_tag, const void *mms, size_t n, int result)
{
    static const uint8_t mms_context[] = {0x28, 0xCA, 0x22, 0x02, 0x03}; /* 1.0.9506.2.3 */
    static struct wire w;
    wire_reset(&w);
    wire_open(&w, apdu_tag);
    wire_open(&w, 0xA1);
    wire_prim(&w, 0x06, mms_context, sizeof mms_context);
    wire_close(&w);
    if (apdu_tag == 0x61) {
        static const uint8_t diagnostic_user_null[] = {0xA1, 0x03, 0x02, 0x01, 0x00};
        wire_open(&w, 0xA2);
        wire_int(&w, 0x02, result);
        wire_close(&w);
        wire_prim(&w, 0xA3, diagnostic_user_null, sizeof diagnostic_user_null);
    }
    if (mms) {
        wire_open(&w, 0xBE);
        wire_open(&w, 0x28);
        wire_int(&w, 0x02, MMS_CONTEXT_ID);
        wire_open(&w, 0xA0);
        wire_raw(&w, mms, n);
        wire_close(&w);
        wire_close(&w);
        wire_close(&w);
    }
    wire_close(&w);
    memcpy(out, w.b, w.n);
    return w.n;
}
