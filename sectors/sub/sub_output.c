/* sub_output.c — JSON lines and terminal table of mamori-sub (sub_output.h). */
#include "sub_output.h"

#include <time.h>

#include "sectors/alert_codec.h"

void sub_print_json(FILE *out, struct json_writer *w, const struct mamori_alert *a, const char *organisation,
                    const char *topic)
{
    json_writer_reset(w);
    jw_object_begin(w, NULL);
    jw_string(w, "type", "alert");
    jw_string(w, "organisation", organisation);
    jw_string(w, "topic", topic);
    alert_json_members(w, a);
    jw_object_end(w);
    if (json_writer_ok(w))
        fprintf(out, "%s\n", w->buf);
    else
        fprintf(stderr, "mamori-sub: alert %s too large to print\n", a->id);
}

void sub_print_table_header(FILE *out)
{
    fprintf(out, "%-19s  %-8s  %-16s  %-22s  %-21s  %-21s  %s\n", "TIME (UTC)", "SEVERITY", "SECTOR", "CATEGORY",
            "SOURCE", "DESTINATION", "SUMMARY");
}

void sub_print_table_row(FILE *out, const struct mamori_alert *a, const char *organisation)
{
    char when[24];
    time_t secs = (time_t)(a->time_us / 1000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(out, "%-19s  %-8s  %-16.16s  %-22.22s  %-21.21s  %-21.21s  %s [%s/%s]\n", when,
            mamori_severity_name(a->severity), a->sector, a->category, a->src, a->dst, a->summary, organisation,
            a->sensor);
}
