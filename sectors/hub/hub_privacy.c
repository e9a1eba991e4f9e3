/* hub_privacy.c — address stripping and pseudonymisation (hub_privacy.h).
 *
 * Text is cut into tokens at spaces and punctuation that never occur inside an
 * address; each token that is an address, optionally "[v6]:port" or
 * "v4:port", is checked and replaced. */
#include "hub_privacy.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PSEUDONYM_HASH_BYTES 6
#define TOKEN_MAX 80
#define TEXT_MAX 1024
#define STRIPPED "[internal]"
#define MAC_TEXT_LEN 17

/* Characters that never occur inside an address or "address:port". */
static bool is_delimiter(char c) { return strchr(" -/,()\"'<>=;", c) != NULL && c != '\0'; }

static bool ipv4_internal(const uint8_t a[4])
{
    return a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
           (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (a[1] & 0xc0) == 64);
}

static bool ipv6_internal(const uint8_t a[16])
{
    static const uint8_t loopback[16] = { [15] = 1 };
    return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || memcmp(a, loopback, 16) == 0;
}

static bool is_mac(const char *s, size_t n)
{
    if (n != MAC_TEXT_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool colon = i % 3 == 2;
        char c = s[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (colon ? c != ':' : !hex)
            return false;
    }
    return true;
}

/* Splits token into address and ":port" suffix; true when the address is internal. */
static bool internal_address(const char *tok, size_t n, size_t *addr_start, size_t *addr_len)
{
    char text[TOKEN_MAX];
    uint8_t raw[16];
    if (n == 0 || n >= sizeof text)
        return false;
    *addr_start = 0;
    *addr_len = n;
    if (is_mac(tok, n))
        return true;
    if (tok[0] == '[') {
        const char *close = memchr(tok, ']', n);
        if (!close)
            return false;
        *addr_start = 1;
        *addr_len = (size_t)(close - tok) - 1;
        memcpy(text, tok + 1, *addr_len);
        text[*addr_len] = '\0';
        return inet_pton(AF_INET6, text, raw) == 1 && ipv6_internal(raw);
    }
    memcpy(text, tok, n);
    text[n] = '\0';
    if (inet_pton(AF_INET6, text, raw) == 1)
        return ipv6_internal(raw);
    char *colon = strchr(text, ':');
    if (colon) {
        *colon = '\0';
        *addr_len = (size_t)(colon - text);
    }
    return inet_pton(AF_INET, text, raw) == 1 && ipv4_internal(raw);
}

static void pseudonym(const char *addr, size_t n, const uint8_t *key, char out[24])
{
    uint8_t h[PSEUDONYM_HASH_BYTES];
    crypto_generichash(h, sizeof h, (const uint8_t *)addr, n, key, HUB_PSEUDONYM_KEY_BYTES);
    snprintf(out, 24, "anon-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3], h[4], h[5]);
}

struct text_out {
    char *buf;
    size_t len, cap;
};

static void emit(struct text_out *o, const char *s, size_t n)
{
    if (o->len + n >= o->cap)
        n = o->cap - 1 - o->len;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

/* Rewrites every internal address token of in[0..n) into out. */
static size_t rewrite_text(const char *in, size_t n, enum hub_privacy mode, const uint8_t *key, char *out, size_t cap)
{
    struct text_out o = { out, 0, cap };
    out[0] = '\0';
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !is_delimiter(in[j]))
            j++;
        size_t start, len;
        if (j > i && internal_address(in + i, j - i, &start, &len)) {
            char name[24];
            if (mode == HUB_PRIVACY_STRIP) {
                emit(&o, STRIPPED, strlen(STRIPPED));
            } else {
                pseudonym(in + i + start, len, key, name);
                emit(&o, name, strlen(name));
                size_t rest = start + len + (start ? 1 : 0); /* skip "]" of "[v6]" */
                emit(&o, in + i + rest, j - i - rest);
            }
        } else {
            emit(&o, in + i, j - i);
        }
        if (j < n)
            emit(&o, in + j, 1);
        i = j + 1;
    }
    return o.len;
}

static void rewrite_field(char *field, size_t size, enum hub_privacy mode, const uint8_t *key, bool whole)
{
    char out[TEXT_MAX];
    size_t n = rewrite_text(field, strlen(field), mode, key, out, sizeof out);
    bool endpoint_stripped = whole && mode == HUB_PRIVACY_STRIP && strcmp(out, field) != 0;
    /* An endpoint member holding an internal address becomes empty. */
    snprintf(field, size, "%.*s", endpoint_stripped ? 0 : (int)n, out);
}

static void rewrite_evidence(struct mamori_detail *ev, enum hub_privacy mode, const uint8_t *key,
                             struct mamori_detail *out)
{
    struct detail_reader r;
    struct detail_token t;
    char keybuf[256], text[TEXT_MAX];
    detail_reset(out);
    detail_reader_init(&r, ev);
    while (detail_next(&r, &t)) {
        const char *k = NULL;
        if (t.key) {
            memcpy(keybuf, t.key, t.key_len);
            keybuf[t.key_len] = '\0';
            k = keybuf;
        }
        switch (t.type) {
        case DETAIL_OBJECT: detail_object_begin(out, k); break;
        case DETAIL_ARRAY: detail_array_begin(out, k); break;
        case DETAIL_END: detail_end(out); break;
        case DETAIL_UINT: detail_uint(out, k, t.v.u); break;
        case DETAIL_INT: detail_int(out, k, t.v.i); break;
        case DETAIL_FLOAT: detail_float(out, k, t.v.f); break;
        case DETAIL_BOOL: detail_bool(out, k, t.v.b); break;
        case DETAIL_NULL: detail_null(out, k); break;
        case DETAIL_BYTES: detail_bytes(out, k, t.v.data.ptr, t.v.data.len); break;
        case DETAIL_STRING: {
            size_t n = rewrite_text((const char *)t.v.data.ptr, t.v.data.len, mode, key, text, sizeof text);
            detail_string(out, k, text, n);
            break;
        }
        }
    }
    out->truncated = out->truncated || ev->truncated;
    *ev = *out;
}

void hub_privacy_apply(struct mamori_alert *a, enum hub_privacy mode, const uint8_t key[HUB_PSEUDONYM_KEY_BYTES],
                       struct mamori_detail *evidence_scratch)
{
    if (mode == HUB_PRIVACY_NONE)
        return;
    rewrite_field(a->src, sizeof a->src, mode, key, true);
    rewrite_field(a->dst, sizeof a->dst, mode, key, true);
    rewrite_field(a->flow_key, sizeof a->flow_key, mode, key, false);
    rewrite_field(a->summary, sizeof a->summary, mode, key, false);
    rewrite_evidence(&a->evidence, mode, key, evidence_scratch);
}
