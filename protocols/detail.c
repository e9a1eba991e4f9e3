/* detail.c — writer and reader of the bounded detail token stream (detail.h).
 *
 * Encoding, one token after another: a type byte; when the token sits in an
 * object, a key (length byte + bytes); then the payload: 8 bytes for numbers,
 * 1 for booleans, a 16-bit length + bytes for strings and octets, a 16-bit
 * element count for containers (patched when the container ends). The top level
 * is an implicit object. Room for every pending END is always kept back, so a
 * truncated stream is still balanced. The format is private to this file. */
#include "detail.h"

#include <string.h>

#define KEY_MAX 255u
#define DATA_MAX 65535u

void detail_reset(struct mamori_detail *d)
{
    if (!d)
        return;
    d->len = 0;
    d->depth = 0;
    d->dropped_depth = 0;
    d->truncated = false;
}

static bool in_object(const struct mamori_detail *d)
{
    return d->depth == 0 || d->stack[d->depth - 1].is_object;
}

/* Room for n more bytes while keeping one END byte per open container, plus
 * `extra_closers` for a container this token opens. */
static bool reserve(struct mamori_detail *d, size_t n, size_t extra_closers)
{
    if (d->truncated || d->dropped_depth)
        return false;
    if ((size_t)d->len + n + d->depth + extra_closers > MAMORI_DETAIL_MAX) {
        d->truncated = true;
        return false;
    }
    return true;
}

static void put(struct mamori_detail *d, const void *p, size_t n)
{
    if (n == 0)
        return; /* detail_null() has no payload; memcpy from NULL is undefined */
    memcpy(d->buf + d->len, p, n);
    d->len += (uint32_t)n;
}

static size_t key_size(const struct mamori_detail *d, const char *key)
{
    if (!in_object(d))
        return 0;
    size_t n = key ? strlen(key) : 0;
    return 1 + (n > KEY_MAX ? KEY_MAX : n);
}

/* Starts a token: type byte and key. Returns false (and writes nothing) when
 * the whole token of `payload` bytes does not fit. */
static bool head(struct mamori_detail *d, enum detail_type type, const char *key, size_t payload,
                 size_t extra_closers)
{
    size_t ks = key_size(d, key);
    if (!reserve(d, 1 + ks + payload, extra_closers))
        return false;
    uint8_t t = (uint8_t)type;
    put(d, &t, 1);
    if (ks) {
        uint8_t kl = (uint8_t)(ks - 1);
        put(d, &kl, 1);
        put(d, key, kl);
    }
    if (d->depth > 0)
        d->stack[d->depth - 1].count++;
    return true;
}

static void container_begin(struct mamori_detail *d, const char *key, bool is_object)
{
    if (!d)
        return;
    if (d->depth >= MAMORI_DETAIL_DEPTH) {
        d->truncated = true;
        d->dropped_depth++;
        return;
    }
    if (!head(d, is_object ? DETAIL_OBJECT : DETAIL_ARRAY, key, 2, 1)) {
        d->dropped_depth++;
        return;
    }
    struct detail_frame *f = &d->stack[d->depth++];
    f->count_at = d->len;
    f->count = 0;
    f->is_object = is_object;
    uint16_t zero = 0;
    put(d, &zero, 2);
}

void detail_object_begin(struct mamori_detail *d, const char *key) { container_begin(d, key, true); }
void detail_array_begin(struct mamori_detail *d, const char *key) { container_begin(d, key, false); }

void detail_end(struct mamori_detail *d)
{
    if (!d)
        return;
    if (d->dropped_depth) {
        d->dropped_depth--;
        return;
    }
    if (d->depth == 0)
        return;
    struct detail_frame *f = &d->stack[--d->depth];
    memcpy(d->buf + f->count_at, &f->count, 2);
    uint8_t t = DETAIL_END;
    put(d, &t, 1); /* always fits: reserved when the container opened */
}

static void scalar(struct mamori_detail *d, enum detail_type type, const char *key, const void *v, size_t n)
{
    if (d && head(d, type, key, n, 0))
        put(d, v, n);
}

void detail_uint(struct mamori_detail *d, const char *key, uint64_t v) { scalar(d, DETAIL_UINT, key, &v, 8); }
void detail_int(struct mamori_detail *d, const char *key, int64_t v) { scalar(d, DETAIL_INT, key, &v, 8); }
void detail_float(struct mamori_detail *d, const char *key, double v) { scalar(d, DETAIL_FLOAT, key, &v, 8); }
void detail_null(struct mamori_detail *d, const char *key) { scalar(d, DETAIL_NULL, key, NULL, 0); }

void detail_bool(struct mamori_detail *d, const char *key, bool v)
{
    uint8_t b = v;
    scalar(d, DETAIL_BOOL, key, &b, 1);
}

static void data(struct mamori_detail *d, enum detail_type type, const char *key, const void *p, size_t len)
{
    if (!d)
        return;
    if (len > DATA_MAX) {
        d->truncated = true;
        return;
    }
    uint16_t n = (uint16_t)len;
    if (head(d, type, key, 2 + len, 0)) {
        put(d, &n, 2);
        if (len)
            put(d, p, len);
    }
}

void detail_string(struct mamori_detail *d, const char *key, const void *s, size_t len)
{
    data(d, DETAIL_STRING, key, s, len);
}

void detail_cstring(struct mamori_detail *d, const char *key, const char *s)
{
    data(d, DETAIL_STRING, key, s, s ? strlen(s) : 0);
}

void detail_bytes(struct mamori_detail *d, const char *key, const void *b, size_t len)
{
    data(d, DETAIL_BYTES, key, b, len);
}

/* Counts the top-level members of a finished detail. */
static uint16_t top_level_count(const struct mamori_detail *src)
{
    struct detail_reader r;
    struct detail_token t;
    uint16_t n = 0;
    detail_reader_init(&r, src);
    while (detail_next(&r, &t)) {
        if (r.depth == 0 && t.type != DETAIL_END)
            n++;
        else if (r.depth == 1 && (t.type == DETAIL_OBJECT || t.type == DETAIL_ARRAY))
            n++;
    }
    return n;
}

void detail_append(struct mamori_detail *d, const char *key, const struct mamori_detail *src)
{
    if (!d || !src)
        return;
    if (d->depth >= MAMORI_DETAIL_DEPTH || !head(d, DETAIL_OBJECT, key, 2 + src->len + 1, 0)) {
        d->truncated = true;
        return;
    }
    uint16_t count = top_level_count(src);
    put(d, &count, 2);
    put(d, src->buf, src->len);
    uint8_t t = DETAIL_END;
    put(d, &t, 1);
    if (src->truncated)
        d->truncated = true;
}

void detail_reader_init(struct detail_reader *r, const struct mamori_detail *d)
{
    r->d = d;
    r->pos = 0;
    r->depth = 0;
    r->in_object[0] = true;
}

bool detail_next(struct detail_reader *r, struct detail_token *t)
{
    const struct mamori_detail *d = r->d;
    if (!d || r->pos >= d->len)
        return false;
    const uint8_t *b = d->buf;
    memset(t, 0, sizeof *t);
    t->type = (enum detail_type)b[r->pos++];
    if (t->type == DETAIL_END) {
        if (r->depth > 0)
            r->depth--;
        return true;
    }
    if (r->in_object[r->depth]) {
        t->key_len = b[r->pos++];
        t->key = (const char *)b + r->pos;
        r->pos += (uint32_t)t->key_len;
    }
    switch (t->type) {
    case DETAIL_OBJECT:
    case DETAIL_ARRAY:
        memcpy(&t->v.count, b + r->pos, 2);
        r->pos += 2;
        if (r->depth < MAMORI_DETAIL_DEPTH)
            r->in_object[++r->depth] = t->type == DETAIL_OBJECT;
        break;
    case DETAIL_UINT:
    case DETAIL_INT:
    case DETAIL_FLOAT:
        memcpy(&t->v.u, b + r->pos, 8);
        r->pos += 8;
        break;
    case DETAIL_BOOL:
        t->v.b = b[r->pos++] != 0;
        break;
    case DETAIL_STRING:
    case DETAIL_BYTES: {
        uint16_t n;
        memcpy(&n, b + r->pos, 2);
        r->pos += 2;
        t->v.data.ptr = b + r->pos;
        t->v.data.len = n;
        r->pos += n;
        break;
    }
    default:
        break;
    }
    return true;
}
