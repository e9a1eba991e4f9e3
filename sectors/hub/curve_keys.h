/* curve_keys.h — CURVE key files shared by the sensor, the hub and subscribers.
 *
 * A key file holds one Z85 key (40 characters) on its first line: NAME.key the
 * secret key (mode 0600), NAME.pub the public key. The public key is derived
 * from the secret one, so a program needs only its .key file and the peer's
 * .pub file. This file does not open sockets. */
#ifndef MAMORI_CURVE_KEYS_H
#define MAMORI_CURVE_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define CURVE_KEY_TEXT 40

/* True when s is exactly 40 Z85 characters that decode to a 32-byte key. */
bool curve_key_text_valid(const char *s);
/* Reads the key on the first line of path into out (41 bytes). */
bool curve_key_read(const char *path, char out[CURVE_KEY_TEXT + 1], char *err, size_t errlen);
/* Derives the public key of a secret key. */
bool curve_key_public(const char secret[CURVE_KEY_TEXT + 1], char pub[CURVE_KEY_TEXT + 1]);
/* Makes a key pair and writes DIR/NAME.key (0600) and DIR/NAME.pub. */
bool curve_keypair_write(const char *dir, const char *name, char pub[CURVE_KEY_TEXT + 1], char *err,
                         size_t errlen);

#endif
