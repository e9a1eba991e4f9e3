/* curve_keys.c — reading, deriving and writing CURVE key files (curve_keys.h). */
#include "curve_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define CURVE_KEY_BYTES 32

bool curve_key_text_valid(const char *s)
{
    uint8_t raw[CURVE_KEY_BYTES];
    return strlen(s) == CURVE_KEY_TEXT && zmq_z85_decode(raw, s) != NULL;
}

bool curve_key_read(const char *path, char out[CURVE_KEY_TEXT + 1], char *err, size_t errlen)
{
    char line[128];
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[got ? strcspn(line, "\r\n") : 0] = '\0';
    if (!curve_key_text_valid(line)) {
        snprintf(err, errlen, "%s:1: expected a 40-character Z85 CURVE key", path);
        return false;
    }
    memcpy(out, line, CURVE_KEY_TEXT + 1);
    return true;
}

bool curve_key_public(const char secret[CURVE_KEY_TEXT + 1], char pub[CURVE_KEY_TEXT + 1])
{
    return zmq_curve_public(pub, secret) == 0;
}

static bool write_key(const char *path, const char *key, mode_t mode, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    char line[CURVE_KEY_TEXT + 2];
    snprintf(line, sizeof line, "%s\n", key);
    bool ok = write(fd, line, CURVE_KEY_TEXT + 1) == CURVE_KEY_TEXT + 1 && fsync(fd) == 0;
    if (!ok)
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
    close(fd);
    return ok;
}

bool curve_keypair_write(const char *dir, const char *name, char pub[CURVE_KEY_TEXT + 1], char *err,
                         size_t errlen)
{
    char secret[CURVE_KEY_TEXT + 1], path[4096];
    if (zmq_curve_keypair(pub, secret) != 0) {
        snprintf(err, errlen, "zmq_curve_keypair: %s", zmq_strerror(errno));
        return false;
    }
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    if (!write_key(path, secret, 0600, err, errlen))
        return false;
    snprintf(path, sizeof path, "%s/%s.pub", dir, name);
    return write_key(path, pub, 0644, err, errlen);
}
