/* version.c — vendor-style version comparison and vers:/comparator ranges. */
#include "version.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CONSTRAINTS 16
#define VERSION_TEXT_MAX 64

/* Words that introduce a version rather than being part of it. */
static const char *const version_prefixes[] = { "firmware", "version", "revision", "ver", "rev", "fw", "v", "r" };

static const char *skip_prefix(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    for (size_t i = 0; i < sizeof version_prefixes / sizeof version_prefixes[0]; i++) {
        size_t n = strlen(version_prefixes[i]);
        if (strncasecmp(s, version_prefixes[i], n) == 0 && !isalpha((unsigned char)s[n])) {
            s += n;
            while (*s == '.' || *s == ':' || isspace((unsigned char)*s))
                s++;
            return s;
        }
    }
    return s;
}

struct segment {
    bool numeric;
    unsigned long long number;
    const char *text;
    size_t len;
};

/* Reads the next segment of s at *pos; false at the end. */
static bool next_segment(const char *s, size_t *pos, struct segment *seg)
{
    size_t i = *pos;
    while (s[i] && !isalnum((unsigned char)s[i]))
        i++;
    if (!s[i])
        return false;
    size_t start = i;
    seg->numeric = isdigit((unsigned char)s[i]) != 0;
    while (s[i] && (seg->numeric ? isdigit((unsigned char)s[i]) : isalpha((unsigned char)s[i])))
        i++;
    seg->text = s + start;
    seg->len = i - start;
    seg->number = seg->numeric ? strtoull(s + start, NULL, 10) : 0;
    *pos = i;
    return true;
}

static int compare_segments(const struct segment *a, const struct segment *b)
{
    if (a->numeric && b->numeric)
        return a->number < b->number ? -1 : a->number > b->number;
    if (a->numeric != b->numeric)
        return a->numeric ? 1 : -1; /* "1.0.1" is after "1.0.beta" */
    size_t n = a->len < b->len ? a->len : b->len;
    int c = strncasecmp(a->text, b->text, n);
    if (c)
        return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
}

int version_compare(const char *a, const char *b)
{
    a = skip_prefix(a);
    b = skip_prefix(b);
    size_t pa = 0, pb = 0;
    for (;;) {
        struct segment sa, sb;
        bool more_a = next_segment(a, &pa, &sa), more_b = next_segment(b, &pb, &sb);
        if (!more_a || !more_b)
            return more_a - more_b;
        int c = compare_segments(&sa, &sb);
        if (c)
            return c;
    }
}

enum comparator { CMP_ANY, CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

struct constraint {
    enum comparator cmp;
    char version[VERSION_TEXT_MAX];
};

/* Parses one "<op><version>" constraint. */
static bool parse_constraint(const char *s, size_t len, struct constraint *c)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 1 && *s == '*') {
        c->cmp = CMP_ANY;
        c->version[0] = '\0';
        return true;
    }
    static const struct {
        const char *op;
        enum comparator cmp;
    } ops[] = { { "<=", CMP_LE }, { ">=", CMP_GE }, { "!=", CMP_NE }, { "<", CMP_LT }, { ">", CMP_GT }, { "=", CMP_EQ } };
    c->cmp = CMP_EQ;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].op);
        if (len >= n && strncmp(s, ops[i].op, n) == 0) {
            c->cmp = ops[i].cmp;
            s += n, len -= n;
            break;
        }
    }
    while (len && isspace((unsigned char)*s))
        s++, len--;
    if (len == 0 || len >= VERSION_TEXT_MAX)
        return false;
    memcpy(c->version, s, len);
    c->version[len] = '\0';
    return true;
}

static int by_version(const void *a, const void *b)
{
    return version_compare(((const struct constraint *)a)->version, ((const struct constraint *)b)->version);
}

/* The vers specification's containment test over constraints sorted by version. */
static bool vers_contains(const char *version, struct constraint *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (cs[i].cmp == CMP_ANY)
            return true;
        int c = version_compare(version, cs[i].version);
        if (cs[i].cmp == CMP_EQ && c == 0)
            return true;
        if (cs[i].cmp == CMP_NE && c == 0)
            return false;
    }
    struct constraint ranged[MAX_CONSTRAINTS];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (cs[i].cmp != CMP_EQ && cs[i].cmp != CMP_NE)
            ranged[m++] = cs[i];
    qsort(ranged, m, sizeof ranged[0], by_version);
    for (size_t i = 0; i < m; i++) {
        int c = version_compare(version, ranged[i].version);
        bool below = ranged[i].cmp == CMP_LT ? c < 0 : ranged[i].cmp == CMP_LE ? c <= 0 : false;
        bool above = ranged[i].cmp == CMP_GT ? c > 0 : ranged[i].cmp == CMP_GE ? c >= 0 : false;
        if (i == 0 && below)
            return true;
        if (i == m - 1 && above)
            return true;
        if (above && i + 1 < m) {
            int next = version_compare(version, ranged[i + 1].version);
            if ((ranged[i + 1].cmp == CMP_LT && next < 0) || (ranged[i + 1].cmp == CMP_LE && next <= 0))
                return true;
        }
    }
    return false;
}

/* Splits `list` on any of `separators` into constraints. */
static size_t split_constraints(const char *list, const char *separators, struct constraint *cs, bool *ok)
{
    size_t n = 0;
    *ok = true;
    while (*list) {
        size_t len = strcspn(list, separators);
        if (len) {
            if (n == MAX_CONSTRAINTS || !parse_constraint(list, len, &cs[n])) {
                *ok = false;
                return 0;
            }
            n++;
        }
        list += len;
        list += strspn(list, separators);
    }
    *ok = *ok && n > 0;
    return n;
}

/* Splits free text like "<= V2.70" or ">=1.2 <1.4": comparators start constraints. */
static size_t split_plain(const char *text, struct constraint *cs, bool *ok)
{
    char buf[256];
    size_t n = 0, len = strlen(text);
    if (len >= sizeof buf) {
        *ok = false;
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        bool op = strchr("<>=!", text[i]) != NULL;
        bool after_op = n > 0 && strchr("<>=!", buf[n - 1]) != NULL;
        if (op && i > 0 && !after_op)
            buf[n++] = '|';
        buf[n++] = text[i];
    }
    buf[n] = '\0';
    return split_constraints(buf, "|,", cs, ok);
}

enum version_range_status version_in_range(const char *version, const char *range, bool *inside)
{
    struct constraint cs[MAX_CONSTRAINTS];
    bool ok;
    size_t n;
    *inside = false;
    if (strncmp(range, "vers:", 5) == 0) {
        const char *slash = strchr(range + 5, '/');
        if (!slash)
            return VERSION_RANGE_BAD;
        n = split_constraints(slash + 1, "|", cs, &ok);
    } else {
        n = split_plain(range, cs, &ok);
    }
    if (!ok)
        return VERSION_RANGE_BAD;
    *inside = vers_contains(version, cs, n);
    return VERSION_RANGE_OK;
}
