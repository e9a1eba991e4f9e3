/* baseline_file.c — the baseline's text form, diff and merge (baseline.h).
 *
 * One fact per line, sorted, so that two baselines diff line by line:
 *   asset 10.0.0.10 roles=server protocols=modbus # first=... last=...
 *   pair modbus 10.0.0.1 > 10.0.0.10 ops=read,write functions=3,6 units=1
 *        ranges=3:0-9,6:40-40 objects= period_ms=1000 # requests=120
 *   value modbus 10.0.0.10 unit=1 address=40 min=10 max=55 # samples=12
 *   publisher goose 00:0c:cd:01:00:01 object=IED1/LLN0$GO$gcb1 interval_ms=1000 # count=30
 *   conversation 10.0.1.10 > 192.0.2.8 app=NTP # flows=4 first=... last=...
 * What follows '#' are counters: loaded, but not compared by diff. Object
 * names are percent-encoded where they hold spaces, commas, '%', '#' or '='. */
#include "baseline_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 2048
#define HEADER "# mamori baseline v1: the learned normal of a site (docs/sectors.md)"
#define US_PER_MS 1000.0
#define US_PER_S 1000000.0

/* ---- text building ---- */

struct line_buf {
    char text[LINE_MAX_LEN];
    size_t len;
};

__attribute__((format(printf, 2, 3))) static void lb_printf(struct line_buf *lb, const char *fmt, ...)
{
    if (lb->len >= sizeof lb->text)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(lb->text + lb->len, sizeof lb->text - lb->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        lb->len += (size_t)n < sizeof lb->text - lb->len ? (size_t)n : sizeof lb->text - lb->len - 1;
}

static bool needs_escape(unsigned char c)
{
    return c <= ' ' || c > '~' || c == ',' || c == '%' || c == '#' || c == '=';
}

static void lb_escaped(struct line_buf *lb, const char *s)
{
    for (; *s; s++) {
        if (needs_escape((unsigned char)*s))
            lb_printf(lb, "%%%02X", (unsigned char)*s);
        else
            lb_printf(lb, "%c", *s);
    }
}

/* Rounds to two significant digits, so that a period that drifts a little
 * does not change the file. */
static double round_two_digits(double x)
{
    if (x <= 0)
        return 0;
    double scale = pow(10, floor(log10(x)) - 1);
    return round(x / scale) * scale;
}

static void lb_endpoint(struct line_buf *lb, const struct bl_endpoint *ep)
{
    char text[64];
    bl_endpoint_format(ep, text, sizeof text);
    lb_printf(lb, "%s", text);
}

static void lb_ops(struct line_buf *lb, uint32_t ops)
{
    lb_printf(lb, " ops=");
    bool first = true;
    for (int op = 0; op < MAMORI_OP__COUNT; op++)
        if (ops & (1u << op)) {
            lb_printf(lb, "%s%s", first ? "" : ",", mamori_op_name((enum mamori_op)op));
            first = false;
        }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_range(const void *a, const void *b)
{
    const struct bl_range *x = a, *y = b;
    if (x->function != y->function)
        return x->function < y->function ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void format_pair(struct line_buf *lb, const struct bl_pair_key *k, const struct bl_pair *p)
{
    lb_printf(lb, "pair %s ", k->protocol);
    lb_endpoint(lb, &k->client);
    lb_printf(lb, " > ");
    lb_endpoint(lb, &k->server);
    lb_ops(lb, p->ops);
    lb_printf(lb, " functions=");
    bool first = true;
    for (uint32_t fc = 0; fc < 256; fc++)
        if (bl_pair_has_function(p, fc)) {
            lb_printf(lb, "%s%u", first ? "" : ",", fc);
            first = false;
        }
    uint32_t units[BL_MAX_UNITS];
    memcpy(units, p->units, sizeof units);
    qsort(units, p->n_units, sizeof units[0], cmp_u32);
    lb_printf(lb, " units=%s", p->units_overflow ? "*" : "");
    for (int i = 0; i < p->n_units && !p->units_overflow; i++)
        lb_printf(lb, "%s%u", i ? "," : "", units[i]);
    struct bl_range ranges[BL_MAX_RANGES];
    memcpy(ranges, p->ranges, sizeof ranges);
    qsort(ranges, p->n_ranges, sizeof ranges[0], cmp_range);
    lb_printf(lb, " ranges=");
    for (int i = 0; i < p->n_ranges; i++)
        lb_printf(lb, "%s%u:%u-%u", i ? "," : "", ranges[i].function, ranges[i].start, ranges[i].end - 1);
    const char *objects[BL_MAX_OBJECTS];
    for (int i = 0; i < p->n_objects; i++)
        objects[i] = p->objects[i];
    qsort(objects, p->n_objects, sizeof objects[0], cmp_str);
    lb_printf(lb, " objects=%s", p->objects_overflow ? "*" : "");
    for (int i = 0; i < p->n_objects && !p->objects_overflow; i++) {
        lb_printf(lb, "%s", i ? "," : "");
        lb_escaped(lb, objects[i]);
    }
    lb_printf(lb, " period_ms=%g", round_two_digits(p->period_us / US_PER_MS));
    lb_printf(lb, " # requests=%" PRIu64 " first=%.6f last=%.6f", p->requests, p->first_us / US_PER_S,
              p->last_us / US_PER_S);
}

static void format_asset(struct line_buf *lb, const struct bl_asset_key *k, const struct bl_asset *a)
{
    static const char *const role_names[] = { "client", "server", "publisher" };
    lb_printf(lb, "asset ");
    lb_endpoint(lb, &k->ep);
    lb_printf(lb, " roles=");
    bool first = true;
    for (int r = 0; r < 3; r++)
        if (a->roles & (1u << r)) {
            lb_printf(lb, "%s%s", first ? "" : ",", role_names[r]);
            first = false;
        }
    const char *protos[BL_ASSET_PROTOCOLS];
    int n = 0;
    for (int i = 0; i < BL_ASSET_PROTOCOLS && a->protocols[i][0]; i++)
        protos[n++] = a->protocols[i];
    qsort(protos, (size_t)n, sizeof protos[0], cmp_str);
    lb_printf(lb, " protocols=");
    for (int i = 0; i < n; i++)
        lb_printf(lb, "%s%s", i ? "," : "", protos[i]);
    lb_printf(lb, " # first=%.6f last=%.6f", a->first_us / US_PER_S, a->last_us / US_PER_S);
}

static void format_value(struct line_buf *lb, const struct bl_value_key *k, const struct bl_value *v)
{
    lb_printf(lb, "value %s ", k->protocol);
    lb_endpoint(lb, &k->server);
    lb_printf(lb, " unit=%u address=%u min=%.9g max=%.9g # samples=%" PRIu64, k->unit, k->address, v->min, v->max,
              v->samples);
}

static void format_publisher(struct line_buf *lb, const struct bl_publisher_key *k, const struct bl_publisher *p)
{
    lb_printf(lb, "publisher %s ", k->protocol);
    lb_endpoint(lb, &k->src);
    lb_printf(lb, " object=");
    lb_escaped(lb, k->object);
    lb_printf(lb, " interval_ms=%g # count=%" PRIu64 " first=%.6f last=%.6f",
              round_two_digits(p->interval_us / US_PER_MS), p->count, p->first_us / US_PER_S, p->last_us / US_PER_S);
}

static void format_conversation(struct line_buf *lb, const struct bl_conversation_key *k,
                                const struct bl_conversation *c)
{
    lb_printf(lb, "conversation ");
    lb_endpoint(lb, &k->client);
    lb_printf(lb, " > ");
    lb_endpoint(lb, &k->server);
    lb_printf(lb, " app=");
    lb_escaped(lb, c->app);
    lb_printf(lb, " # flows=%" PRIu64 " first=%.6f last=%.6f", c->flows, c->first_us / US_PER_S, c->last_us / US_PER_S);
}

/* All facts as sorted, separately allocated lines; NULL on allocation failure. */
struct fact_lines {
    char **lines;
    size_t count;
};

static int collect(const struct bounded_table *t, int kind, struct fact_lines *out, size_t *cap)
{
    size_t pos = 0;
    const void *key;
    void *value;
    while (bounded_table_next(t, &pos, &key, &value)) {
        struct line_buf lb = { .len = 0 };
        switch (kind) {
        case 0: format_asset(&lb, key, value); break;
        case 1: format_pair(&lb, key, value); break;
        case 2: format_value(&lb, key, value); break;
        case 3: format_publisher(&lb, key, value); break;
        default: format_conversation(&lb, key, value); break;
        }
        if (out->count == *cap) {
            size_t ncap = *cap ? *cap * 2 : 256;
            char **n = realloc(out->lines, ncap * sizeof *n);
            if (!n)
                return -1;
            out->lines = n;
            *cap = ncap;
        }
        out->lines[out->count] = strdup(lb.text);
        if (!out->lines[out->count])
            return -1;
        out->count++;
    }
    return 0;
}

static void fact_lines_free(struct fact_lines *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->lines[i]);
    free(f->lines);
    f->lines = NULL;
    f->count = 0;
}

static int baseline_lines(const struct baseline *bl, struct fact_lines *out)
{
    size_t cap = 0;
    out->lines = NULL;
    out->count = 0;
    if (collect(bl->assets, 0, out, &cap) || collect(bl->pairs, 1, out, &cap) || collect(bl->values, 2, out, &cap) ||
        collect(bl->publishers, 3, out, &cap) || collect(bl->conversations, 4, out, &cap)) {
        fact_lines_free(out);
        return -1;
    }
    if (out->count) /* an empty baseline has no array at all */
        qsort(out->lines, out->count, sizeof out->lines[0], cmp_str);
    return 0;
}

int baseline_write(const struct baseline *bl, FILE *out)
{
    struct fact_lines f;
    if (baseline_lines(bl, &f) != 0)
        return -1;
    struct baseline_stats st;
    baseline_get_stats(bl, &st);
    fprintf(out, "%s\n# assets=%zu pairs=%zu values=%zu publishers=%zu conversations=%zu\n", HEADER, st.assets,
            st.pairs, st.values, st.publishers, st.conversations);
    for (size_t i = 0; i < f.count; i++)
        fprintf(out, "%s\n", f.lines[i]);
    fact_lines_free(&f);
    return ferror(out) ? -1 : 0;
}

int baseline_save(const struct baseline *bl, const char *path)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int rc = baseline_write(bl, f);
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0)
        remove(tmp);
    return rc;
}

/* ---- diff ---- */

/* The fact part of a line: everything before " #". */
static size_t fact_len(const char *line)
{
    const char *hash = strstr(line, " #");
    return hash ? (size_t)(hash - line) : strlen(line);
}

static int cmp_fact(const char *a, const char *b)
{
    size_t la = fact_len(a), lb = fact_len(b);
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

size_t baseline_diff(const struct baseline *a, const struct baseline *b, FILE *out)
{
    struct fact_lines fa, fb;
    if (baseline_lines(a, &fa) != 0)
        return SIZE_MAX;
    if (baseline_lines(b, &fb) != 0) {
        fact_lines_free(&fa);
        return SIZE_MAX;
    }
    size_t i = 0, j = 0, differ = 0;
    while (i < fa.count || j < fb.count) {
        int c = i == fa.count ? 1 : j == fb.count ? -1 : cmp_fact(fa.lines[i], fb.lines[j]);
        if (c == 0) {
            i++;
            j++;
        } else if (c < 0) {
            fprintf(out, "- %.*s\n", (int)fact_len(fa.lines[i]), fa.lines[i]);
            i++;
            differ++;
        } else {
            fprintf(out, "+ %.*s\n", (int)fact_len(fb.lines[j]), fb.lines[j]);
            j++;
            differ++;
        }
    }
    fact_lines_free(&fa);
    fact_lines_free(&fb);
    return differ;
}

/* ---- merge ---- */

void baseline_merge(struct baseline *bl, const struct baseline *changes)
{
    size_t pos = 0;
    const void *key;
    void *value;
    while (bounded_table_next(changes->assets, &pos, &key, &value)) {
        const struct bl_asset *src = value;
        bool created;
        struct bl_asset *a = bounded_table_put(bl->assets, key, &created);
        if (created || src->first_us < a->first_us)
            a->first_us = src->first_us;
        if (src->last_us > a->last_us)
            a->last_us = src->last_us;
        a->roles |= src->roles;
        for (int i = 0; i < BL_ASSET_PROTOCOLS && src->protocols[i][0]; i++)
            bl_asset_add_protocol(a, src->protocols[i]);
    }
    pos = 0;
    while (bounded_table_next(changes->pairs, &pos, &key, &value)) {
        const struct bl_pair *src = value;
        bool created;
        struct bl_pair *p = bounded_table_put(bl->pairs, key, &created);
        if (created || src->first_us < p->first_us)
            p->first_us = src->first_us;
        if (src->last_us > p->last_us)
            p->last_us = src->last_us;
        p->requests += src->requests;
        p->ops |= src->ops;
        for (int i = 0; i < 4; i++)
            p->functions[i] |= src->functions[i];
        for (int i = 0; i < src->n_units; i++)
            bl_pair_add_unit(p, src->units[i]);
        p->units_overflow |= src->units_overflow;
        for (int i = 0; i < src->n_ranges; i++)
            bl_pair_add_range(p, src->ranges[i].function, src->ranges[i].start, src->ranges[i].end);
        for (int i = 0; i < src->n_objects; i++)
            bl_pair_add_object(p, src->objects[i], strlen(src->objects[i]));
        p->objects_overflow |= src->objects_overflow;
        if (p->period_us == 0)
            p->period_us = src->period_us;
    }
    pos = 0;
    while (bounded_table_next(changes->values, &pos, &key, &value)) {
        const struct bl_value *src = value;
        bl_value_add(bounded_table_put(bl->values, key, NULL), src->min, src->max, src->samples);
    }
    pos = 0;
    while (bounded_table_next(changes->publishers, &pos, &key, &value)) {
        const struct bl_publisher *src = value;
        bool created;
        struct bl_publisher *p = bounded_table_put(bl->publishers, key, &created);
        if (created || src->first_us < p->first_us)
            p->first_us = src->first_us;
        if (src->last_us > p->last_us)
            p->last_us = src->last_us;
        p->count += src->count;
        if (p->interval_us == 0)
            p->interval_us = src->interval_us;
    }
    pos = 0;
    while (bounded_table_next(changes->conversations, &pos, &key, &value)) {
        const struct bl_conversation *src = value;
        bool created;
        struct bl_conversation *c = bounded_table_put(bl->conversations, key, &created);
        if (created || src->first_us < c->first_us)
            c->first_us = src->first_us;
        if (src->last_us > c->last_us)
            c->last_us = src->last_us;
        c->flows += src->flows;
        memcpy(c->app, src->app, sizeof c->app);
    }
}
