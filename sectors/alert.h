/* alert.h — alert schema v1: what the sensor tells the sector hub.
 *
 * The same fields travel as one JSON object in the alert log and as one
 * msgpack map to the hub (docs/alerts.md). An alert is self-contained: fixed
 * text fields, and evidence as a detail token stream whose top-level members
 * become the "evidence" object (the engine writes an "events" array of the
 * events that raised it, and, for baseline deviations, what was learned). */
#ifndef MAMORI_ALERT_H
#define MAMORI_ALERT_H

#include <stdint.h>

#include "../protocols/detail.h"

#define MAMORI_ALERT_SCHEMA 1

enum mamori_severity {
    MAMORI_SEV_INFO,
    MAMORI_SEV_LOW,
    MAMORI_SEV_MEDIUM,
    MAMORI_SEV_HIGH,
    MAMORI_SEV_CRITICAL,
};

struct mamori_alert {
    char id[40];         /* unique across sensors: UUID text, 36 characters */
    uint64_t time_us;    /* capture time of the last evidence event */
    char sensor[64];     /* the sensor's name */
    char site[64];
    char sector[40];     /* one of the 14 sector names, e.g. "electric-power" */
    enum mamori_severity severity;
    char category[40];   /* lowercase-dashed, e.g. "unauthorized-command", "recon" */
    char technique[12];  /* MITRE ATT&CK for ICS id, e.g. "T0855" */
    char technique_name[64];
    char protocol[24];
    char src[64];        /* "ip", "ip:port" or a MAC address */
    char dst[64];
    char summary[256];   /* one line a person can act on */
    char flow_key[128];  /* "proto src:port-dst:port" or "ether mac/appid" */
    uint32_t count;      /* how many occurrences this (aggregated) alert stands for */
    struct mamori_detail evidence;
};

const char *mamori_severity_name(enum mamori_severity s);
/* Parses "info" .. "critical"; -1 when unknown. */
int mamori_severity_parse(const char *name);

/* Writes the ZeroMQ topic "<sector>.<severity>.<category>" into out. */
void mamori_alert_topic(const struct mamori_alert *a, char *out, size_t outlen);

#endif
