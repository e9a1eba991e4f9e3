/* baseline_private.h — the baseline's tables and keys, shared by baseline.c
 * (learning, queries) and baseline_file.c (text form, diff, merge). */
#ifndef MAMORI_BASELINE_PRIVATE_H
#define MAMORI_BASELINE_PRIVATE_H

#include "baseline.h"
#include "bounded_table.h"

struct bl_asset_key {
    struct bl_endpoint ep;
};

struct bl_pair_key {
    char protocol[BL_PROTOCOL_MAX];
    struct bl_endpoint client, server;
};

struct bl_value_key {
    char protocol[BL_PROTOCOL_MAX];
    struct bl_endpoint server;
    uint32_t unit, address;
};

struct bl_publisher_key {
    char protocol[BL_PROTOCOL_MAX];
    struct bl_endpoint src;
    char object[BL_OBJECT_MAX];
};

/* Client first, as the flow's originator. */
struct bl_conversation_key {
    struct bl_endpoint client, server;
};

struct baseline {
    struct bounded_table *assets, *pairs, *values, *publishers, *conversations;
    uint64_t events_learned;
};


/* Learning steps, also used when merging and loading. */
void bl_asset_add_protocol(struct bl_asset *a, const char *protocol);
void bl_pair_add_unit(struct bl_pair *p, uint32_t unit);
void bl_pair_add_range(struct bl_pair *p, uint32_t function_code, uint32_t start, uint32_t end);
void bl_pair_add_object(struct bl_pair *p, const char *object, size_t len);
void bl_value_add(struct bl_value *v, double min, double max, uint64_t samples);

#endif
