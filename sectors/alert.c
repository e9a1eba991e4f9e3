/* alert.c — severity names and the hub topic of an alert (alert.h). */
#include "alert.h"

#include <stdio.h>
#include <string.h>

static const char *const severity_names[] = { "info", "low", "medium", "high", "critical" };
#define SEVERITY_COUNT (sizeof severity_names / sizeof severity_names[0])

const char *mamori_severity_name(enum mamori_severity s)
{
    return (unsigned)s < SEVERITY_COUNT ? severity_names[s] : "info";
}

int mamori_severity_parse(const char *name)
{
    for (size_t i = 0; i < SEVERITY_COUNT; i++)
        if (strcmp(name, severity_names[i]) == 0)
            return (int)i;
    return -1;
}

void mamori_alert_topic(const struct mamori_alert *a, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s.%s.%s", a->sector, mamori_severity_name(a->severity), a->category);
}
