/* dnp3_file.h — group 70 file-control objects (authentication, command,
 * command status, transport, transport status, descriptor, specification
 * string), decoded from one object whose size came from its prefix. Also names
 * the group 120 secure-authentication variations, which are recognised (named,
 * sized) but not verified. Does not walk headers. */
#ifndef MAMORI_DNP3_FILE_H
#define MAMORI_DNP3_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "../cursor.h"
#include "../detail.h"

/* Decodes the whole of `obj` as a g70 object of `variation`. */
void dnp3_file_object_decode(cursor *obj, uint8_t variation, struct mamori_detail *d);

/* snake_case name of a g120 variation, NULL when unassigned. */
const char *dnp3_secure_auth_name(uint8_t variation);

#endif
