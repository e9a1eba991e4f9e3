/* stix.c — STIX 2.1 bundle output (stix.h). */
#include "stix.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sectors/alert_codec.h"
#include "sensor/json_writer.h"

#define STIX_ID_TEXT 80
#define STIX_TIME_TEXT 40
#define MAX_CACHED 128
#define OBJECT_JSON_CAP 65536
#define ADDRESS_TEXT 64
#define STIX_COUNT_MAX 999999999u /* number_observed and count are capped here by STIX 2.1 */

struct cached_id {
    char name[64];
    char id[STIX_ID_TEXT];
};

struct stix_writer {
    FILE *out;
    struct json_writer w;
    unsigned n_objects;
    struct cached_id identities[MAX_CACHED], patterns[MAX_CACHED];
    unsigned n_identities, n_patterns;
    char now[STIX_TIME_TEXT];
};

static void new_id(const char *type, char out[STIX_ID_TEXT])
{
    char uuid[ALERT_ID_LEN + 1];
    alert_new_id(uuid);
    snprintf(out, STIX_ID_TEXT, "%s--%s", type, uuid);
}

static void stix_time(uint64_t time_us, char out[STIX_TIME_TEXT])
{
    time_t secs = (time_t)(time_us / 1000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[24];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, STIX_TIME_TEXT, "%s.%06uZ", day, (unsigned)(time_us % 1000000u));
}

static void object_begin(struct stix_writer *s, const char *type, const char *id)
{
    json_writer_reset(&s->w);
    jw_object_begin(&s->w, NULL);
    jw_string(&s->w, "type", type);
    jw_string(&s->w, "spec_version", "2.1");
    jw_string(&s->w, "id", id);
}

static void object_end(struct stix_writer *s)
{
    jw_object_end(&s->w);
    if (!json_writer_ok(&s->w))
        return;
    fprintf(s->out, "%s\n    %s", s->n_objects ? "," : "", s->w.buf);
    s->n_objects++;
}

static void sdo_times(struct stix_writer *s)
{
    jw_string(&s->w, "created", s->now);
    jw_string(&s->w, "modified", s->now);
}

static const char *cached(struct cached_id *list, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return list[i].id;
    return NULL;
}

static const char *remember(struct cached_id *list, unsigned *n, const char *name, const char *type)
{
    struct cached_id *c = &list[*n < MAX_CACHED ? (*n)++ : MAX_CACHED - 1];
    snprintf(c->name, sizeof c->name, "%s", name);
    new_id(type, c->id);
    return c->id;
}

static const char *identity_for(struct stix_writer *s, const char *organisation)
{
    const char *id = cached(s->identities, s->n_identities, organisation);
    if (id)
        return id;
    id = remember(s->identities, &s->n_identities, organisation, "identity");
    object_begin(s, "identity", id);
    sdo_times(s);
    jw_string(&s->w, "name", organisation);
    jw_string(&s->w, "identity_class", "organization");
    object_end(s);
    return id;
}

static const char *pattern_for(struct stix_writer *s, const struct mamori_alert *a)
{
    const char *key = a->technique[0] ? a->technique : a->category;
    const char *id = cached(s->patterns, s->n_patterns, key);
    if (id)
        return id;
    id = remember(s->patterns, &s->n_patterns, key, "attack-pattern");
    object_begin(s, "attack-pattern", id);
    sdo_times(s);
    jw_string(&s->w, "name", a->technique_name[0] ? a->technique_name : key);
    if (a->technique[0]) {
        char url[96];
        snprintf(url, sizeof url, "https://attack.mitre.org/techniques/%s/", a->technique);
        jw_array_begin(&s->w, "external_references");
        jw_object_begin(&s->w, NULL);
        jw_string(&s->w, "source_name", "mitre-ics-attack");
        jw_string(&s->w, "external_id", a->technique);
        jw_string(&s->w, "url", url);
        jw_object_end(&s->w);
        jw_array_end(&s->w);
    }
    object_end(s);
    return id;
}

/* Writes the address SCO of an endpoint ("ip", "ip:port", "[v6]:port", MAC); false when not an address. */
static bool address_object(struct stix_writer *s, const char *endpoint, char id[STIX_ID_TEXT])
{
    char text[ADDRESS_TEXT];
    uint8_t raw[16];
    const char *type;
    snprintf(text, sizeof text, "%s", endpoint[0] == '[' ? endpoint + 1 : endpoint);
    char *end = endpoint[0] == '[' ? strchr(text, ']') : NULL;
    if (end)
        *end = '\0';
    if (inet_pton(AF_INET6, text, raw) == 1) {
        type = "ipv6-addr";
    } else {
        unsigned m[6];
        char *colon = strchr(text, ':');
        bool mac = strlen(text) == 17 &&
                   sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6;
        if (mac) {
            type = "mac-addr";
        } else {
            if (colon)
                *colon = '\0';
            if (inet_pton(AF_INET, text, raw) != 1)
                return false;
            type = "ipv4-addr";
        }
    }
    new_id(type, id);
    json_writer_reset(&s->w);
    jw_object_begin(&s->w, NULL);
    jw_string(&s->w, "type", type);
    jw_string(&s->w, "spec_version", "2.1");
    jw_string(&s->w, "id", id);
    jw_string(&s->w, "value", text);
    object_end(s);
    return true;
}

struct stix_writer *stix_open(FILE *out)
{
    struct stix_writer *s = calloc(1, sizeof *s);
    if (!s || json_writer_init(&s->w, OBJECT_JSON_CAP) != 0) {
        free(s);
        return NULL;
    }
    s->out = out;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    stix_time((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u, s->now);
    char id[STIX_ID_TEXT];
    new_id("bundle", id);
    fprintf(out, "{\n  \"type\": \"bundle\",\n  \"id\": \"%s\",\n  \"objects\": [", id);
    return s;
}

void stix_add(struct stix_writer *s, const struct mamori_alert *a, const char *organisation)
{
    char seen[STIX_TIME_TEXT], src[STIX_ID_TEXT], dst[STIX_ID_TEXT], observed[STIX_ID_TEXT], sighting[STIX_ID_TEXT];
    const char *identity = identity_for(s, organisation[0] ? organisation : a->sensor);
    const char *pattern = pattern_for(s, a);
    bool has_src = address_object(s, a->src, src), has_dst = address_object(s, a->dst, dst);
    stix_time(a->time_us, seen);
    uint64_t count = a->count == 0 ? 1 : a->count > STIX_COUNT_MAX ? STIX_COUNT_MAX : a->count;
    if (has_src || has_dst) {
        new_id("observed-data", observed);
        object_begin(s, "observed-data", observed);
        sdo_times(s);
        jw_string(&s->w, "created_by_ref", identity);
        jw_string(&s->w, "first_observed", seen);
        jw_string(&s->w, "last_observed", seen);
        jw_uint(&s->w, "number_observed", count);
        jw_array_begin(&s->w, "object_refs");
        if (has_src)
            jw_string(&s->w, NULL, src);
        if (has_dst)
            jw_string(&s->w, NULL, dst);
        jw_array_end(&s->w);
        object_end(s);
    }
    snprintf(sighting, sizeof sighting, "sighting--%s", a->id);
    object_begin(s, "sighting", sighting);
    sdo_times(s);
    jw_string(&s->w, "created_by_ref", identity);
    jw_string(&s->w, "first_seen", seen);
    jw_string(&s->w, "last_seen", seen);
    jw_uint(&s->w, "count", count);
    jw_string(&s->w, "sighting_of_ref", pattern);
    if (has_src || has_dst) {
        jw_array_begin(&s->w, "observed_data_refs");
        jw_string(&s->w, NULL, observed);
        jw_array_end(&s->w);
    }
    jw_string(&s->w, "description", a->summary);
    jw_string(&s->w, "x_mamori_alert_id", a->id);
    jw_string(&s->w, "x_mamori_sector", a->sector);
    jw_string(&s->w, "x_mamori_severity", mamori_severity_name(a->severity));
    jw_string(&s->w, "x_mamori_category", a->category);
    jw_string(&s->w, "x_mamori_protocol", a->protocol);
    jw_string(&s->w, "x_mamori_sensor", a->sensor);
    jw_string(&s->w, "x_mamori_site", a->site);
    jw_string(&s->w, "x_mamori_src", a->src);
    jw_string(&s->w, "x_mamori_dst", a->dst);
    object_end(s);
}

void stix_close(struct stix_writer *s)
{
    if (!s)
        return;
    fprintf(s->out, "\n  ]\n}\n");
    fflush(s->out);
    json_writer_free(&s->w);
    free(s);
}
