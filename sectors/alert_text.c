/* alert_text.c — character rules of alert text members, and repairing an
 * alert so that it meets them (alert_text.h, alert_sanitize() in alert_codec.h). */
#include "alert_text.h"

#include <string.h>

#include "alert_codec.h"

#define REPLACEMENT '?'

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_sequence(const uint8_t *p, size_t left)
{
    uint8_t b = p[0];
    size_t n;
    uint32_t cp;
    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf) {
        n = 2;
        cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        cp = b & 0x07;
    } else {
        return 0;
    }
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
    return overlong || surrogate || cp > 0x10ffff ? 0 : n;
}

static bool control(uint8_t b) { return b < 0x20 || b == 0x7f; }

bool alert_text_printable(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n = control(p[i]) ? 0 : utf8_sequence(p + i, len - i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

static bool slug_char(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

bool alert_text_slug(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!slug_char(p[i]))
            return false;
    return true;
}

static bool digits(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

bool alert_text_technique(const uint8_t *p, size_t len)
{
    if (len != 5 && len != 9)
        return false;
    if (p[0] != 'T' || !digits(p + 1, 4))
        return false;
    return len == 5 || (p[5] == '.' && digits(p + 6, 3));
}

/* Replaces each byte that is a control character or not part of valid UTF-8. */
static void repair_printable(char *s)
{
    uint8_t *p = (uint8_t *)s;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        size_t n = control(p[i]) ? 0 : utf8_sequence(p + i, len - i);
        if (!n) {
            p[i] = REPLACEMENT;
            n = 1;
        }
        i += n;
    }
}

static void repair_slug(char *s)
{
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
        else if (!slug_char((uint8_t)*s))
            *s = '-';
    }
}

void alert_sanitize(struct mamori_alert *a)
{
    char *printable[] = { a->sensor, a->site, a->technique_name, a->protocol, a->src, a->dst, a->summary,
                          a->flow_key };
    for (size_t i = 0; i < sizeof printable / sizeof printable[0]; i++)
        repair_printable(printable[i]);
    repair_slug(a->sector);
    repair_slug(a->category);
    if (!alert_text_technique((const uint8_t *)a->technique, strlen(a->technique)))
        a->technique[0] = '\0';
    if (!alert_id_valid(a->id))
        alert_new_id(a->id);
}
