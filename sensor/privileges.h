/* privileges.h — dropping root once the capture is open (`-u USER`, as
 * tcpdump -Z does). Nothing else in the sensor needs root. */
#ifndef MAMORI_PRIVILEGES_H
#define MAMORI_PRIVILEGES_H

#include <stddef.h>

/* Switches the process to USER: its supplementary groups, its primary group,
 * then its uid; checks that root cannot be regained. Returns 0, or -1 with
 * one line in err (unknown user, not running as root, a failed call). */
int privileges_drop(const char *user, char *err, size_t errlen);

#endif
