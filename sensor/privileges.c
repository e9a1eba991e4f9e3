/* privileges.c — switches from root to an unprivileged user (privileges.h). */
#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int privileges_drop(const char *user, char *err, size_t errlen)
{
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "-u %s: %s", user, errno ? strerror(errno) : "no such user");
        return -1;
    }
    if (geteuid() != 0) {
        if (geteuid() == pw->pw_uid)
            return 0; /* already that user */
        snprintf(err, errlen, "-u %s: cannot switch user: not running as root", user);
        return -1;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0) {
        snprintf(err, errlen, "-u %s: cannot set supplementary groups: %s", user, strerror(errno));
        return -1;
    }
    if (setgid(pw->pw_gid) != 0) {
        snprintf(err, errlen, "-u %s: cannot set group %u: %s", user, (unsigned)pw->pw_gid, strerror(errno));
        return -1;
    }
    if (setuid(pw->pw_uid) != 0) {
        snprintf(err, errlen, "-u %s: cannot set user %u: %s", user, (unsigned)pw->pw_uid, strerror(errno));
        return -1;
    }
    if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        snprintf(err, errlen, "-u %s: root could be regained after switching user", user);
        return -1;
    }
    return 0;
}
