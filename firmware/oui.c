/* oui.c — loads the manuf / IEEE OUI registry and looks MAC prefixes up. */
#include "oui.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUI_BITS_MAL 24
#define LINE_MAX_LEN 512

static int add_entry(struct oui_table *t, size_t *cap, uint64_t prefix, uint8_t bits, const char *name)
{
    size_t len = strlen(name);
    while (len && isspace((unsigned char)name[len - 1]))
        len--;
    if (!len)
        return 0;
    if (t->count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4096;
        struct oui_entry *e = realloc(t->entries, ncap * sizeof *e);
        if (!e)
            return -1;
        t->entries = e;
        *cap = ncap;
    }
    if (t->names_len + len + 1 > t->names_cap) {
        size_t ncap = t->names_cap ? t->names_cap * 2 : 65536;
        while (ncap < t->names_len + len + 1)
            ncap *= 2;
        char *names = realloc(t->names, ncap);
        if (!names)
            return -1;
        t->names = names;
        t->names_cap = ncap;
    }
    memcpy(t->names + t->names_len, name, len);
    t->names[t->names_len + len] = '\0';
    uint64_t mask = bits >= 48 ? ~0ull : ~((1ull << (48 - bits)) - 1);
    t->entries[t->count++] = (struct oui_entry){ prefix & mask & 0xffffffffffffull, (uint32_t)t->names_len, bits };
    t->names_len += len + 1;
    return 0;
}

/* "00:1B:C5:00:00:00/36<TAB>Short<TAB>Long name" or "00:00:0C<TAB>Cisco<TAB>Cisco Systems, Inc" */
static bool parse_manuf_line(const char *line, uint64_t *prefix, uint8_t *bits, const char **name)
{
    uint64_t v = 0;
    int octets = 0;
    const char *p = line;
    while (octets < 6 && isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1])) {
        v = v << 8 | strtoul((char[]){ p[0], p[1], 0 }, NULL, 16);
        octets++;
        p += 2;
        if (*p == ':' || *p == '-')
            p++;
    }
    if (octets < 3)
        return false;
    v <<= 8 * (6 - octets);
    *bits = OUI_BITS_MAL;
    if (*p == '/')
        *bits = (uint8_t)strtoul(p + 1, (char **)&p, 10);
    if (*p != '\t' || *bits < 8 || *bits > 48)
        return false;
    const char *short_name = p + 1;
    const char *long_name = strchr(short_name, '\t');
    *name = long_name && long_name[1] != '#' ? long_name + 1 : short_name;
    *prefix = v;
    return true;
}

/* Cuts the name that starts `name_at` bytes into a manuf line at the next
 * field (a tab; a '# comment' follows it). */
static void cut_at_field(char *line, size_t name_at)
{
    line[name_at + strcspn(line + name_at, "\t")] = '\0';
}

/* "002272     (base 16)\t\tAmerican Micro-Fuel Device Corp." */
static bool parse_ieee_line(const char *line, uint64_t *prefix, uint8_t *bits, const char **name)
{
    const char *marker = strstr(line, "(base 16)");
    if (!marker || marker - line < 6)
        return false;
    for (int i = 0; i < 6; i++)
        if (!isxdigit((unsigned char)line[i]))
            return false;
    *prefix = strtoull((char[]){ line[0], line[1], line[2], line[3], line[4], line[5], 0 }, NULL, 16) << 24;
    *bits = OUI_BITS_MAL;
    *name = marker + strlen("(base 16)");
    while (**name == '\t' || **name == ' ')
        (*name)++;
    return true;
}

static int by_bits_then_prefix(const void *a, const void *b)
{
    const struct oui_entry *x = a, *y = b;
    if (x->bits != y->bits)
        return x->bits < y->bits ? -1 : 1;
    return x->prefix < y->prefix ? -1 : x->prefix > y->prefix;
}

static int load_file(struct oui_table *t, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[LINE_MAX_LEN];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        uint64_t prefix;
        uint8_t bits;
        const char *name;
        bool ieee = parse_ieee_line(line, &prefix, &bits, &name);
        if (!ieee && !parse_manuf_line(line, &prefix, &bits, &name))
            continue;
        if (!ieee)
            cut_at_field(line, (size_t)(name - line));
        if (add_entry(t, &cap, prefix, bits, name) != 0)
            break;
    }
    fclose(f);
    qsort(t->entries, t->count, sizeof *t->entries, by_bits_then_prefix);
    return (int)t->count;
}

int oui_load(struct oui_table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    if (path)
        return load_file(t, path);
    if (load_file(t, OUI_WIRESHARK_MANUF) > 0)
        return (int)t->count;
    oui_free(t);
    return load_file(t, OUI_IEEE_DATA);
}

void oui_free(struct oui_table *t)
{
    free(t->entries);
    free(t->names);
    memset(t, 0, sizeof *t);
}

const char *oui_lookup(const struct oui_table *t, const uint8_t mac[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | mac[i];
    static const uint8_t lengths[] = { 36, 28, 24 };
    for (size_t l = 0; l < sizeof lengths; l++) {
        struct oui_entry key = { v & ~((1ull << (48 - lengths[l])) - 1), 0, lengths[l] };
        const struct oui_entry *hit = bsearch(&key, t->entries, t->count, sizeof key, by_bits_then_prefix);
        if (hit)
            return t->names + hit->name_at;
    }
    return NULL;
}
