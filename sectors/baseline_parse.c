/* baseline_parse.c — reads a saved baseline (baseline_file.c writes it).
 * Every malformed line is reported as "FILE:LINE: what"; a file with any
 * error is rejected whole, so detection never runs on half a baseline. */
#include "baseline_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 32
#define MAX_ERRORS_SHOWN 20
#define US_PER_MS 1000.0
#define US_PER_S 1000000.0

bool bl_endpoint_parse(const char *text, struct bl_endpoint *ep)
{
    memset(ep, 0, sizeof *ep);
    if (inet_pton(AF_INET, text, ep->addr) == 1) {
        ep->version = 4;
        return true;
    }
    if (inet_pton(AF_INET6, text, ep->addr) == 1) {
        ep->version = 6;
        return true;
    }
    unsigned m[6];
    int used = 0;
    if (strlen(text) == 17 &&
        sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%n", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &used) == 6 &&
        used == 17) {
        for (int i = 0; i < 6; i++)
            ep->addr[i] = (uint8_t)m[i];
        return true;
    }
    return false;
}

struct parse_ctx {
    const char *path;
    size_t line;
    FILE *errs;
    unsigned errors;
};

__attribute__((format(printf, 2, 3))) static void parse_error(struct parse_ctx *c, const char *fmt, ...)
{
    if (++c->errors > MAX_ERRORS_SHOWN)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(c->errs, "%s:%zu: ", c->path, c->line);
    vfprintf(c->errs, fmt, ap);
    fputc('\n', c->errs);
    va_end(ap);
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || errno)
        return false;
    *out = v;
    return true;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (!parse_u64(s, &v) || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool parse_num(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool parse_time(const char *s, uint64_t *out_us)
{
    double v;
    if (!parse_num(s, &v) || v < 0)
        return false;
    *out_us = (uint64_t)llround(v * US_PER_S);
    return true;
}

/* Decodes %XX escapes in place; false on a bad escape. */
static bool percent_decode(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r != '%') {
            *w++ = *r;
            continue;
        }
        unsigned v;
        if (!r[1] || !r[2] || sscanf(r + 1, "%2x", &v) != 1 || v == 0)
            return false;
        *w++ = (char)v;
        r += 2;
    }
    *w = '\0';
    return true;
}

/* Splits a comma list in place; calls fn per item; false if fn fails. */
typedef bool (*item_fn)(void *target, char *item);

static bool for_each_csv(char *list, item_fn fn, void *target)
{
    if (!*list)
        return true;
    for (char *save = NULL, *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save))
        if (!fn(target, item))
            return false;
    return true;
}

static bool op_item(void *target, char *item)
{
    for (int op = 0; op < MAMORI_OP__COUNT; op++)
        if (strcmp(item, mamori_op_name((enum mamori_op)op)) == 0) {
            ((struct bl_pair *)target)->ops |= 1u << op;
            return true;
        }
    return false;
}

static bool function_item(void *target, char *item)
{
    uint32_t fc;
    if (!parse_u32(item, &fc) || fc > 255)
        return false;
    ((struct bl_pair *)target)->functions[fc / 64] |= 1ull << (fc % 64);
    return true;
}

static bool unit_item(void *target, char *item)
{
    struct bl_pair *p = target;
    if (strcmp(item, "*") == 0) {
        p->units_overflow = true;
        return true;
    }
    uint32_t u;
    if (!parse_u32(item, &u))
        return false;
    bl_pair_add_unit(p, u);
    return true;
}

static bool range_item(void *target, char *item)
{
    uint32_t fc, start, last;
    char *colon = strchr(item, ':'), *dash = colon ? strchr(colon, '-') : NULL;
    if (!colon || !dash)
        return false;
    *colon = *dash = '\0';
    if (!parse_u32(item, &fc) || !parse_u32(colon + 1, &start) || !parse_u32(dash + 1, &last) || last < start ||
        last == UINT32_MAX)
        return false;
    bl_pair_add_range(target, fc, start, last + 1);
    return true;
}

static bool object_item(void *target, char *item)
{
    struct bl_pair *p = target;
    if (strcmp(item, "*") == 0) {
        p->objects_overflow = true;
        return true;
    }
    if (!percent_decode(item) || strlen(item) >= BL_OBJECT_MAX)
        return false;
    bl_pair_add_object(p, item, strlen(item));
    return true;
}

static bool role_item(void *target, char *item)
{
    struct bl_asset *a = target;
    if (strcmp(item, "client") == 0)
        a->roles |= BL_ROLE_CLIENT;
    else if (strcmp(item, "server") == 0)
        a->roles |= BL_ROLE_SERVER;
    else if (strcmp(item, "publisher") == 0)
        a->roles |= BL_ROLE_PUBLISHER;
    else
        return false;
    return true;
}

static bool protocol_item(void *target, char *item)
{
    if (strlen(item) >= BL_PROTOCOL_MAX)
        return false;
    bl_asset_add_protocol(target, item);
    return true;
}

static bool protocol_ok(struct parse_ctx *c, const char *protocol)
{
    if (strlen(protocol) >= BL_PROTOCOL_MAX) {
        parse_error(c, "protocol name '%s' longer than %d characters", protocol, BL_PROTOCOL_MAX - 1);
        return false;
    }
    return true;
}

static bool endpoint_ok(struct parse_ctx *c, const char *text, struct bl_endpoint *ep)
{
    if (!bl_endpoint_parse(text, ep)) {
        parse_error(c, "'%s' is not an IP or MAC address", text);
        return false;
    }
    return true;
}

/* Splits "key=value"; NULL value when there is no '='. */
static char *split_kv(char *token)
{
    char *eq = strchr(token, '=');
    if (!eq)
        return NULL;
    *eq = '\0';
    return eq + 1;
}

/* How a key=value field of a fact is read, and where it goes: into the fact's
 * key or its value, at `offset`. */
enum field_kind {
    FIELD_U32,
    FIELD_U64,
    FIELD_TIME,     /* seconds with decimals -> uint64_t microseconds */
    FIELD_NUMBER,   /* double */
    FIELD_INTERVAL, /* milliseconds >= 0 -> double microseconds */
    FIELD_TEXT,     /* percent-encoded text -> char[size] */
    FIELD_LIST,     /* comma list, each item through `item` (given the value struct) */
};

struct field_spec {
    const char *name;
    enum field_kind kind;
    bool in_key;
    size_t offset, size;
    item_fn item;
};

#define KEY_FIELD(type, member, kind) { #member, kind, true, offsetof(type, member), sizeof(((type *)0)->member), NULL }
#define VALUE_FIELD(name, type, member, kind) { name, kind, false, offsetof(type, member), sizeof(((type *)0)->member), NULL }
#define LIST_FIELD(name, fn) { name, FIELD_LIST, false, 0, 0, fn }
#define TIMES_FIELDS(type) VALUE_FIELD("first", type, first_us, FIELD_TIME), VALUE_FIELD("last", type, last_us, FIELD_TIME)

static bool read_field(const struct field_spec *f, char *v, void *key, void *value)
{
    char *at = (char *)(f->in_key ? key : value) + f->offset;
    double num;
    switch (f->kind) {
    case FIELD_U32: return parse_u32(v, (uint32_t *)(void *)at);
    case FIELD_U64: return parse_u64(v, (uint64_t *)(void *)at);
    case FIELD_TIME: return parse_time(v, (uint64_t *)(void *)at);
    case FIELD_NUMBER: return parse_num(v, (double *)(void *)at);
    case FIELD_INTERVAL:
        if (!parse_num(v, &num) || num < 0)
            return false;
        *(double *)(void *)at = num * US_PER_MS;
        return true;
    case FIELD_TEXT:
        if (!percent_decode(v) || strlen(v) >= f->size)
            return false;
        memcpy(at, v, strlen(v) + 1);
        return true;
    case FIELD_LIST: return for_each_csv(v, f->item, value);
    }
    return false;
}

/* Reads tok[first..n) as key=value fields of `fact` by `specs`; bit i of
 * *given is set for spec i. One error line and false on a bad or unknown field. */
static bool read_fields(struct parse_ctx *c, const char *fact, const struct field_spec *specs, size_t n_specs,
                        char **tok, int first, int n, void *key, void *value, unsigned *given)
{
    for (int i = first; i < n; i++) {
        char *v = split_kv(tok[i]);
        size_t s = 0;
        while (v && s < n_specs && strcmp(tok[i], specs[s].name) != 0)
            s++;
        if (!v || s == n_specs || !read_field(&specs[s], v, key, value)) {
            parse_error(c, "%s: bad or unknown field '%s'", fact, tok[i]);
            return false;
        }
        if (given)
            *given |= 1u << s;
    }
    return true;
}

#define READ_FIELDS(c, fact, specs, tok, first, n, key, value, given)                                          \
    read_fields(c, fact, specs, sizeof specs / sizeof specs[0], tok, first, n, key, value, given)

static const struct field_spec asset_fields[] = {
    LIST_FIELD("roles", role_item),
    LIST_FIELD("protocols", protocol_item),
    TIMES_FIELDS(struct bl_asset),
};

static void parse_asset(struct parse_ctx *c, struct baseline *bl, char **tok, int n)
{
    struct bl_asset_key key;
    memset(&key, 0, sizeof key);
    if (n < 2 || !endpoint_ok(c, tok[1], &key.ep))
        return;
    struct bl_asset a;
    memset(&a, 0, sizeof a);
    if (READ_FIELDS(c, "asset", asset_fields, tok, 2, n, &key, &a, NULL))
        *(struct bl_asset *)bounded_table_put(bl->assets, &key, NULL) = a;
}

static const struct field_spec pair_fields[] = {
    LIST_FIELD("ops", op_item),
    LIST_FIELD("functions", function_item),
    LIST_FIELD("units", unit_item),
    LIST_FIELD("ranges", range_item),
    LIST_FIELD("objects", object_item),
    VALUE_FIELD("period_ms", struct bl_pair, period_us, FIELD_INTERVAL),
    VALUE_FIELD("requests", struct bl_pair, requests, FIELD_U64),
    TIMES_FIELDS(struct bl_pair),
};

static void parse_pair(struct parse_ctx *c, struct baseline *bl, char **tok, int n)
{
    struct bl_pair_key key;
    memset(&key, 0, sizeof key);
    if (n < 5 || strcmp(tok[3], ">") != 0) {
        parse_error(c, "pair: expected 'pair PROTOCOL CLIENT > SERVER key=value...'");
        return;
    }
    if (!protocol_ok(c, tok[1]) || !endpoint_ok(c, tok[2], &key.client) || !endpoint_ok(c, tok[4], &key.server))
        return;
    bl_protocol_copy(key.protocol, tok[1]);
    static struct bl_pair p;
    memset(&p, 0, sizeof p);
    if (READ_FIELDS(c, "pair", pair_fields, tok, 5, n, &key, &p, NULL))
        *(struct bl_pair *)bounded_table_put(bl->pairs, &key, NULL) = p;
}

enum { VALUE_MIN = 2, VALUE_MAX = 3 }; /* indexes in value_fields */
static const struct field_spec value_fields[] = {
    KEY_FIELD(struct bl_value_key, unit, FIELD_U32),
    KEY_FIELD(struct bl_value_key, address, FIELD_U32),
    [VALUE_MIN] = VALUE_FIELD("min", struct bl_value, min, FIELD_NUMBER),
    [VALUE_MAX] = VALUE_FIELD("max", struct bl_value, max, FIELD_NUMBER),
    VALUE_FIELD("samples", struct bl_value, samples, FIELD_U64),
};

static void parse_value(struct parse_ctx *c, struct baseline *bl, char **tok, int n)
{
    struct bl_value_key key;
    memset(&key, 0, sizeof key);
    if (n < 3 || !protocol_ok(c, tok[1]) || !endpoint_ok(c, tok[2], &key.server))
        return;
    bl_protocol_copy(key.protocol, tok[1]);
    struct bl_value v = { 0, 0, 0 };
    unsigned given = 0;
    if (!READ_FIELDS(c, "value", value_fields, tok, 3, n, &key, &v, &given))
        return;
    if (!(given & 1u << VALUE_MIN) || !(given & 1u << VALUE_MAX) || v.min > v.max) {
        parse_error(c, "value: needs min= and max= with min <= max");
        return;
    }
    if (v.samples == 0)
        v.samples = 1;
    *(struct bl_value *)bounded_table_put(bl->values, &key, NULL) = v;
}

static const struct field_spec publisher_fields[] = {
    KEY_FIELD(struct bl_publisher_key, object, FIELD_TEXT),
    VALUE_FIELD("interval_ms", struct bl_publisher, interval_us, FIELD_INTERVAL),
    VALUE_FIELD("count", struct bl_publisher, count, FIELD_U64),
    TIMES_FIELDS(struct bl_publisher),
};

static void parse_publisher(struct parse_ctx *c, struct baseline *bl, char **tok, int n)
{
    struct bl_publisher_key key;
    memset(&key, 0, sizeof key);
    if (n < 3 || !protocol_ok(c, tok[1]) || !endpoint_ok(c, tok[2], &key.src))
        return;
    bl_protocol_copy(key.protocol, tok[1]);
    struct bl_publisher p = { 0, 0, 0, 0 };
    if (READ_FIELDS(c, "publisher", publisher_fields, tok, 3, n, &key, &p, NULL))
        *(struct bl_publisher *)bounded_table_put(bl->publishers, &key, NULL) = p;
}

static const struct field_spec conversation_fields[] = {
    VALUE_FIELD("app", struct bl_conversation, app, FIELD_TEXT),
    VALUE_FIELD("flows", struct bl_conversation, flows, FIELD_U64),
    TIMES_FIELDS(struct bl_conversation),
};

static void parse_conversation(struct parse_ctx *c, struct baseline *bl, char **tok, int n)
{
    struct bl_conversation_key key;
    memset(&key, 0, sizeof key);
    if (n < 4 || strcmp(tok[2], ">") != 0) {
        parse_error(c, "conversation: expected 'conversation CLIENT > SERVER key=value...'");
        return;
    }
    if (!endpoint_ok(c, tok[1], &key.client) || !endpoint_ok(c, tok[3], &key.server))
        return;
    struct bl_conversation conv;
    memset(&conv, 0, sizeof conv);
    if (READ_FIELDS(c, "conversation", conversation_fields, tok, 4, n, &key, &conv, NULL))
        *(struct bl_conversation *)bounded_table_put(bl->conversations, &key, NULL) = conv;
}

struct baseline *baseline_load(const char *path, const struct baseline_limits *lim, FILE *errs)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(errs, "%s: cannot open baseline: %s\n", path, strerror(errno));
        return NULL;
    }
    struct baseline *bl = baseline_load_stream(f, path, lim, errs);
    fclose(f);
    return bl;
}

struct baseline *baseline_load_stream(FILE *f, const char *path, const struct baseline_limits *lim, FILE *errs)
{
    struct baseline *bl = baseline_new(lim);
    if (!bl) {
        fprintf(errs, "%s: out of memory for the baseline\n", path);
        return NULL;
    }
    struct parse_ctx c = { path, 0, errs, 0 };
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        c.line++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *tok[MAX_TOKENS];
        int n = 0;
        for (char *save = NULL, *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
            if (strcmp(t, "#") == 0)
                continue; /* counters follow; parsed like the facts */
            if (n == MAX_TOKENS) {
                n = -1;
                break;
            }
            tok[n++] = t;
        }
        if (n == 0)
            continue; /* only blanks */
        if (n < 0)
            parse_error(&c, "more than %d fields", MAX_TOKENS);
        else if (strcmp(tok[0], "asset") == 0)
            parse_asset(&c, bl, tok, n);
        else if (strcmp(tok[0], "pair") == 0)
            parse_pair(&c, bl, tok, n);
        else if (strcmp(tok[0], "value") == 0)
            parse_value(&c, bl, tok, n);
        else if (strcmp(tok[0], "publisher") == 0)
            parse_publisher(&c, bl, tok, n);
        else if (strcmp(tok[0], "conversation") == 0)
            parse_conversation(&c, bl, tok, n);
        else
            parse_error(&c, "unknown fact '%s' (asset, pair, value, publisher, conversation)", tok[0]);
    }
    free(line);
    if (c.errors) {
        if (c.errors > MAX_ERRORS_SHOWN)
            fprintf(errs, "%s: %u more errors\n", path, c.errors - MAX_ERRORS_SHOWN);
        baseline_free(bl);
        return NULL;
    }
    return bl;
}
