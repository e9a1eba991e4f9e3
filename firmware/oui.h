/* oui.h — the manufacturer of a network interface from its MAC address.
 *
 * Reads, at run time, Wireshark's manuf file (which also has the 28- and
 * 36-bit MA-M/MA-S blocks) or the IEEE registry text that Debian's ieee-data
 * ships; nothing is copied into mamori. The longest matching prefix wins. */
#ifndef MAMORI_OUI_H
#define MAMORI_OUI_H

#include <stddef.h>
#include <stdint.h>

#define OUI_WIRESHARK_MANUF "/usr/share/wireshark/manuf"
#define OUI_IEEE_DATA "/usr/share/ieee-data/oui.txt"

struct oui_entry {
    uint64_t prefix; /* the MAC as a 48-bit number, masked to `bits` */
    uint32_t name_at;
    uint8_t bits;
};

struct oui_table {
    struct oui_entry *entries;
    size_t count;
    char *names;
    size_t names_len, names_cap;
};

/* Loads `path` (either format); NULL path tries the two default files.
 * Returns the number of entries, or -1 when no file could be read. */
int oui_load(struct oui_table *t, const char *path);
void oui_free(struct oui_table *t);
/* The organisation for a MAC, or NULL. */
const char *oui_lookup(const struct oui_table *t, const uint8_t mac[6]);

#endif
