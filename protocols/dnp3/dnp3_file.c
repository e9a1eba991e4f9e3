/* dnp3_file.c — group 70 file-control objects and group 120 names. */
#include "dnp3_file.h"

#include "dnp3_values.h"

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

/* The rest of the object as text under `key` (names, status text, strings). */
static void rest_as_string(cursor *obj, const char *key, struct mamori_detail *d)
{
    size_t n = cursor_left(obj);
    const uint8_t *text = cursor_bytes(obj, n);
    if (n)
        detail_string(d, key, text, n);
}

static void block_number(cursor *obj, struct mamori_detail *d)
{
    uint32_t block = cursor_le32(obj);
    detail_uint(d, "file.blocknum", block & ~FILE_LAST_BLOCK);
    detail_bool(d, "file.lastblock", block & FILE_LAST_BLOCK);
}

void dnp3_file_object_decode(cursor *obj, uint8_t variation, struct mamori_detail *d)
{
    switch (variation) {
    case FILE_AUTHENTICATION:
        cursor_skip(obj, 8); /* user name and password offsets and sizes */
        detail_uint(d, "file.auth", cursor_le32(obj));
        rest_as_string(obj, "credentials", d);
        break;
    case FILE_COMMAND:
        cursor_skip(obj, 4); /* file name offset and size */
        detail_uint(d, "timestamp", dnp3_time_read(obj));
        detail_uint(d, "file.perms", cursor_le16(obj));
        detail_uint(d, "file.auth", cursor_le32(obj));
        detail_uint(d, "file.size", cursor_le32(obj));
        detail_uint(d, "file.mode", cursor_le16(obj));
        detail_uint(d, "file.maxblock", cursor_le16(obj));
        detail_uint(d, "file.reqID", cursor_le16(obj));
        rest_as_string(obj, "file_name", d);
        break;
    case FILE_COMMAND_STATUS:
        detail_uint(d, "file.handle", cursor_le32(obj));
        detail_uint(d, "file.size", cursor_le32(obj));
        detail_uint(d, "file.maxblock", cursor_le16(obj));
        detail_uint(d, "file.reqID", cursor_le16(obj));
        detail_uint(d, "file.status", cursor_u8(obj));
        rest_as_string(obj, "text", d);
        break;
    case FILE_TRANSPORT: {
        detail_uint(d, "file.handle", cursor_le32(obj));
        block_number(obj, d);
        size_t n = cursor_left(obj);
        detail_uint(d, "file.data_len", n);
        cursor_skip(obj, n);
        break;
    }
    case FILE_TRANSPORT_STATUS:
        detail_uint(d, "file.handle", cursor_le32(obj));
        block_number(obj, d);
        detail_uint(d, "file.status", cursor_u8(obj));
        rest_as_string(obj, "text", d);
        break;
    case FILE_DESCRIPTOR:
        cursor_skip(obj, 4); /* file name offset and size */
        detail_uint(d, "file.type", cursor_le16(obj));
        detail_uint(d, "file.size", cursor_le32(obj));
        detail_uint(d, "timestamp", dnp3_time_read(obj));
        detail_uint(d, "file.perms", cursor_le16(obj));
        detail_uint(d, "file.reqID", cursor_le16(obj));
        rest_as_string(obj, "file_name", d);
        break;
    case FILE_SPECIFICATION: rest_as_string(obj, "file_name", d); break;
    default: {
        size_t n = cursor_left(obj);
        const uint8_t *raw = cursor_bytes(obj, n);
        detail_bytes(d, "data", raw, raw ? n : 0);
        break;
    }
    }
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
