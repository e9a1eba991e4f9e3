/* dnp3_file.c — group 70 file-control objects and group 120 names. */
#include "dnp3_file.h"

enum file_variation {
    FILE_AUTHENTICATION = 2,
    FILE_COMMAND = 3,
    FILE_COMMAND_STATUS = 4,
    FILE_TRANSPORT = 5,
    FILE_TRANSPORT_STATUS = 6,
    FILE_DESCRIPTOR = 7,
    FILE_SPECIFICATION = 8,
};

#define FILE_LAST_BLOCK 0x80000000u
#define FILE_BLOCK_NUMBER 0 /* field width marking the 32-bit block number and last-block flag */
#define FILE_FIELDS_MAX 8

/* One fixed field: little-endian, `width` bytes, shown under `key` (NULL:
 * skipped, as the name offset and size before a name that ends the object). */
struct file_field {
    const char *key;
    uint8_t width;
};

/* A variation: its fixed fields, then what the rest of the object is. */
struct file_layout {
    struct file_field fields[FILE_FIELDS_MAX];
    const char *text_key; /* the rest as text under this key, or NULL */
    bool data_len;        /* the rest is file data: only its length is shown */
};

/* IEEE 1815-2012 clause A.32 (g70v2-v8); offsets and sizes of names are
 * skipped because the name always ends the object. */
static const struct file_layout file_layouts[] = {
    [FILE_AUTHENTICATION] = { { { NULL, 8 }, { "file.auth", 4 } }, "credentials", false },
    [FILE_COMMAND] = { { { NULL, 4 }, { "timestamp", 6 }, { "file.perms", 2 }, { "file.auth", 4 }, { "file.size", 4 },
                         { "file.mode", 2 }, { "file.maxblock", 2 }, { "file.reqID", 2 } },
                       "file_name", false },
    [FILE_COMMAND_STATUS] = { { { "file.handle", 4 }, { "file.size", 4 }, { "file.maxblock", 2 }, { "file.reqID", 2 },
                                { "file.status", 1 } },
                              "text", false },
    [FILE_TRANSPORT] = { { { "file.handle", 4 }, { "file.blocknum", FILE_BLOCK_NUMBER } }, NULL, true },
    [FILE_TRANSPORT_STATUS] = { { { "file.handle", 4 }, { "file.blocknum", FILE_BLOCK_NUMBER }, { "file.status", 1 } },
                                "text", false },
    [FILE_DESCRIPTOR] = { { { NULL, 4 }, { "file.type", 2 }, { "file.size", 4 }, { "timestamp", 6 },
                            { "file.perms", 2 }, { "file.reqID", 2 } },
                          "file_name", false },
    [FILE_SPECIFICATION] = { { { NULL, 0 } }, "file_name", false },
};

static void field_read(cursor *obj, const struct file_field *f, struct mamori_detail *d)
{
    if (f->width == FILE_BLOCK_NUMBER) {
        uint32_t block = cursor_le32(obj);
        detail_uint(d, f->key, block & ~FILE_LAST_BLOCK);
        detail_bool(d, "file.lastblock", block & FILE_LAST_BLOCK);
    } else if (f->key) {
        detail_uint(d, f->key, cursor_le_n(obj, f->width));
    } else {
        cursor_skip(obj, f->width);
    }
}

void dnp3_file_object_decode(cursor *obj, uint8_t variation, struct mamori_detail *d)
{
    size_t n_layouts = sizeof file_layouts / sizeof file_layouts[0];
    const struct file_layout *l = variation < n_layouts ? &file_layouts[variation] : NULL;
    if (!l || !(l->text_key || l->data_len)) {
        size_t n = cursor_left(obj);
        const uint8_t *raw = cursor_bytes(obj, n);
        detail_bytes(d, "data", raw, raw ? n : 0);
        return;
    }
    for (const struct file_field *f = l->fields; f < l->fields + FILE_FIELDS_MAX && (f->key || f->width); f++)
        field_read(obj, f, d);
    size_t n = cursor_left(obj);
    const uint8_t *rest = cursor_bytes(obj, n);
    if (l->data_len)
        detail_uint(d, "file.data_len", n);
    else if (n)
        detail_string(d, l->text_key, rest, n);
}

const char *dnp3_secure_auth_name(uint8_t variation)
{
    static const char *const names[] = {
        [1] = "challenge",
        [2] = "reply",
        [3] = "aggressive_mode_request",
        [4] = "session_key_status_request",
        [5] = "session_key_status",
        [6] = "session_key_change",
        [7] = "error",
        [8] = "user_certificate",
        [9] = "mac",
        [10] = "user_status_change",
        [11] = "update_key_change_request",
        [12] = "update_key_change_reply",
        [13] = "update_key_change",
        [14] = "update_key_change_signature",
        [15] = "update_key_change_confirmation",
    };
    return variation < sizeof names / sizeof names[0] ? names[variation] : NULL;
}
