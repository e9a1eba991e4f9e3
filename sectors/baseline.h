/* baseline.h — the learned normal of a site.
 *
 * Learning (`mamori --learn`) feeds events into a baseline: the assets seen,
 * who talks to whom with which protocol (pairs), which operation classes,
 * function codes, units, address ranges and named objects each pair uses and
 * its polling period, the range of every analog value written or reported, and
 * the GOOSE/SV publishers with their rates. The baseline is saved as a text
 * file, one fact per line in sorted order, so that it is readable and
 * diffable (`mamori baseline show|diff`), and approved changes are merged into
 * it (`mamori baseline approve`). In detection mode the engine (engine.h)
 * asks it what was learned. Memory is bounded by baseline_limits; entries
 * beyond them are evicted and counted. */
#ifndef MAMORI_BASELINE_H
#define MAMORI_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../protocols/event.h"
#include "../sensor/pipeline.h"

#define BL_PROTOCOL_MAX 16
#define BL_MAX_UNITS 16
#define BL_MAX_RANGES 8
#define BL_MAX_OBJECTS 4
#define BL_OBJECT_MAX 64
#define BL_ASSET_PROTOCOLS 4

/* An IP address (version 4 or 6) or, for layer-2 traffic, a MAC (version 0). */
struct bl_endpoint {
    uint8_t version;
    uint8_t addr[16];
};

struct bl_range {
    uint32_t function;
    uint32_t start, end; /* [start, end) */
};

struct bl_pair {
    uint64_t first_us, last_us, requests;
    uint32_t ops;          /* bit per enum mamori_op */
    uint64_t functions[4]; /* function codes 0-255 */
    uint32_t units[BL_MAX_UNITS];
    uint8_t n_units;
    uint8_t n_ranges;
    uint8_t n_objects;
    bool units_overflow, objects_overflow; /* more than fit: any is accepted */
    struct bl_range ranges[BL_MAX_RANGES];
    char objects[BL_MAX_OBJECTS][BL_OBJECT_MAX];
    double period_us; /* smoothed interval between requests, 0 before two */
    uint64_t last_request_us;
};

struct bl_value {
    double min, max;
    uint64_t samples;
};

struct bl_publisher {
    uint64_t count, first_us, last_us;
    double interval_us; /* smoothed interval between publishes */
};

enum bl_asset_role {
    BL_ROLE_CLIENT = 1,
    BL_ROLE_SERVER = 2,
    BL_ROLE_PUBLISHER = 4,
};

struct bl_asset {
    uint64_t first_us, last_us;
    uint32_t roles; /* enum bl_asset_role bits */
    char protocols[BL_ASSET_PROTOCOLS][BL_PROTOCOL_MAX];
};

/* A conversation seen in a finished flow (any protocol): who talked to whom,
 * so that a learned link to an outside address is not reported again. */
struct bl_conversation {
    uint64_t first_us, last_us, flows;
    char app[BL_PROTOCOL_MAX * 2]; /* nDPI's label of the last flow */
};

struct baseline_limits {
    size_t max_assets, max_pairs, max_values, max_publishers, max_conversations;
};

struct baseline_stats {
    uint64_t events_learned;
    uint64_t evicted_assets, evicted_pairs, evicted_values, evicted_publishers, evicted_conversations;
    size_t assets, pairs, values, publishers, conversations;
    size_t memory_bytes;
};

struct baseline;

void baseline_limits_defaults(struct baseline_limits *lim);
struct baseline *baseline_new(const struct baseline_limits *lim);
void baseline_free(struct baseline *bl);

/* Learns one event (requests, responses, unsolicited reports and publishes). */
void baseline_learn_event(struct baseline *bl, const struct mamori_event *ev);
/* Learns who talked to whom from one finished flow. */
void baseline_learn_flow(struct baseline *bl, const struct flow_record *rec);

/* Writes the baseline as text, one sorted fact per line. */
int baseline_write(const struct baseline *bl, FILE *out);
/* Writes to path (through a temporary file and rename). -1 with errno. */
int baseline_save(const struct baseline *bl, const char *path);
/* Loads a saved baseline; NULL with "FILE:LINE: what" lines written to errs. */
struct baseline *baseline_load(const char *path, const struct baseline_limits *lim, FILE *errs);
/* The same from an open stream; `path` names it in errors. */
struct baseline *baseline_load_stream(FILE *f, const char *path, const struct baseline_limits *lim, FILE *errs);
/* Prints "- fact" for facts only in a and "+ fact" for facts only in b;
 * returns how many lines differ. Counters after '#' are not compared. */
size_t baseline_diff(const struct baseline *a, const struct baseline *b, FILE *out);
/* Approves everything `changes` learned into `bl` (a union). */
void baseline_merge(struct baseline *bl, const struct baseline *changes);

void baseline_get_stats(const struct baseline *bl, struct baseline_stats *st);

/* Queries for detection. Endpoints come from an event (src/dst by role). */
void bl_endpoint_from(struct bl_endpoint *ep, const struct mamori_endpoints *where, bool source);
const struct bl_asset *baseline_asset(const struct baseline *bl, const struct bl_endpoint *ep);
const struct bl_pair *baseline_pair(const struct baseline *bl, const char *protocol,
                                    const struct bl_endpoint *client, const struct bl_endpoint *server);
bool bl_pair_has_function(const struct bl_pair *p, uint32_t function_code);
bool bl_pair_has_unit(const struct bl_pair *p, uint32_t unit);
bool bl_pair_covers_range(const struct bl_pair *p, uint32_t function_code, uint32_t start, uint32_t count);
bool bl_pair_has_object(const struct bl_pair *p, const struct mamori_text *object);
/* The conversation between two IP endpoints in either direction, or NULL. */
const struct bl_conversation *baseline_conversation(const struct baseline *bl, const struct bl_endpoint *a,
                                                    const struct bl_endpoint *b);
const struct bl_value *baseline_value(const struct baseline *bl, const char *protocol,
                                      const struct bl_endpoint *server, uint32_t unit, uint32_t address);
const struct bl_publisher *baseline_publisher(const struct baseline *bl, const char *protocol,
                                              const struct bl_endpoint *src, const struct mamori_text *object);

/* Fills a fixed protocol-name field (truncated, zero-padded) for table keys. */
void bl_protocol_copy(char out[BL_PROTOCOL_MAX], const char *protocol);
/* Copies wire text into a zero-filled fixed field; false when it does not fit. */
bool bl_text_copy(char *out, size_t outlen, const struct mamori_text *t);
/* Text of an endpoint: an IP address or a MAC. */
void bl_endpoint_format(const struct bl_endpoint *ep, char *out, size_t outlen);
bool bl_endpoint_parse(const char *text, struct bl_endpoint *ep);

#endif
