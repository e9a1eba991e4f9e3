/* test_indicator_watch.c — indicator sets applied to traffic: parsing (IPv4,
 * IPv6, MAC, comments, unknown lines), one alert per flow with exact members,
 * replacement of a set while running, and loading persisted sets at start. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/indicator_watch.h"

static struct mamori_alert raised[8];
static int n_raised;

static void capture(void *ctx, const struct mamori_alert *a)
{
    (void)ctx;
    cr_assert_lt(n_raised, 8);
    raised[n_raised++] = *a;
}

static struct flow_record flow(uint64_t id, const char *src, const char *dst)
{
    struct flow_record rec;
    memset(&rec, 0, sizeof rec);
    rec.id = id;
    rec.last_us = 1700000000000000ULL + id;
    rec.where.ip_version = strchr(src, ':') ? 6 : 4;
    rec.where.l4_proto = 6;
    inet_pton(rec.where.ip_version == 6 ? AF_INET6 : AF_INET, src, rec.where.src_ip);
    inet_pton(rec.where.ip_version == 6 ? AF_INET6 : AF_INET, dst, rec.where.dst_ip);
    rec.where.src_port = 50000;
    rec.where.dst_port = 502;
    rec.decoder = "modbus";
    rec.app_protocol = "Modbus";
    return rec;
}

static const char set_v1[] = "# railways block list\n"
                             "ip 198.51.100.23\n"
                             "ip 2001:db8::66   # trailing comment\n"
                             "mac 00:11:22:33:44:55\n"
                             "advisory CSAF-2026-0001 firmware 2.1\n"
                             "ip not-an-address\n";

Test(indicator_watch, matches_listed_addresses_once_per_flow)
{
    n_raised = 0;
    struct indicator_watch *w = indicator_watch_new(NULL, capture, NULL);
    indicator_watch_update(w, "railways", 3, set_v1, strlen(set_v1));
    cr_assert_eq(indicator_watch_count(w), 3);
    const struct event_engine *e = indicator_watch_engine(w);
    void *state = e->worker_open(e->ctx, 0, NULL);

    struct flow_record a = flow(7, "10.0.0.5", "198.51.100.23");
    e->on_flow(state, &a);
    e->on_flow(state, &a); /* the same flow: reported once */
    struct flow_record clean = flow(8, "10.0.0.5", "10.0.0.9");
    e->on_flow(state, &clean);
    struct flow_record v6 = flow(9, "2001:db8::66", "2001:db8::1");
    e->on_flow(state, &v6);
    cr_assert_eq(n_raised, 2);

    const struct mamori_alert *x = &raised[0];
    cr_assert_str_eq(x->sector, "railways");
    cr_assert_str_eq(x->category, "indicator-match");
    cr_assert_eq(x->severity, MAMORI_SEV_HIGH);
    cr_assert_str_eq(x->src, "10.0.0.5:50000");
    cr_assert_str_eq(x->dst, "198.51.100.23:502");
    cr_assert_str_eq(x->protocol, "modbus");
    cr_assert_str_eq(x->flow_key, "tcp 10.0.0.5:50000-198.51.100.23:502");
    cr_assert_str_eq(x->summary, "traffic to 198.51.100.23 is listed in the railways indicators (version 3)");
    cr_assert_eq(x->time_us, 1700000000000007ULL);
    cr_assert_str_eq(raised[1].summary, "traffic from 2001:db8::66 is listed in the railways indicators (version 3)");
    cr_assert_str_eq(raised[1].src, "[2001:db8::66]:50000");

    struct mamori_event ev;
    memset(&ev, 0, sizeof ev);
    ev.where.flow_id = 10;
    ev.where.src_mac[0] = 0x00, ev.where.src_mac[1] = 0x11, ev.where.src_mac[2] = 0x22;
    ev.where.src_mac[3] = 0x33, ev.where.src_mac[4] = 0x44, ev.where.src_mac[5] = 0x55;
    ev.where.dst_mac[0] = 0x01;
    ev.protocol = "goose";
    e->on_event(state, &ev);
    cr_assert_eq(n_raised, 3);
    cr_assert_str_eq(raised[2].summary, "traffic from 00:11:22:33:44:55 is listed in the railways indicators (version 3)");
    cr_assert_str_eq(raised[2].flow_key, "ether 00:11:22:33:44:55-01:00:00:00:00:00");

    /* Version 4 drops the IPv4 address: a new flow to it raises nothing. */
    indicator_watch_update(w, "railways", 4, "ip 203.0.113.1\n", 15);
    cr_assert_eq(indicator_watch_count(w), 1);
    struct flow_record later = flow(11, "10.0.0.5", "198.51.100.23");
    e->on_flow(state, &later);
    struct flow_record hit = flow(12, "203.0.113.1", "10.0.0.9");
    e->on_flow(state, &hit);
    cr_assert_eq(n_raised, 4);
    cr_assert_str_eq(raised[3].summary, "traffic from 203.0.113.1 is listed in the railways indicators (version 4)");
    e->worker_close(state);
    indicator_watch_free(w);
}

Test(indicator_watch, loads_persisted_sets_at_start)
{
    char dir[] = "/tmp/mamori-indicators-XXXXXX", path[128];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/water-supply.indicators", dir);
    FILE *f = fopen(path, "w");
    fputs("ip 192.0.2.7\nip 192.0.2.8\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/water-supply.version", dir);
    f = fopen(path, "w");
    fputs("5\n", f);
    fclose(f);
    n_raised = 0;
    struct indicator_watch *w = indicator_watch_new(dir, capture, NULL);
    cr_assert_eq(indicator_watch_count(w), 2);
    const struct event_engine *e = indicator_watch_engine(w);
    void *state = e->worker_open(e->ctx, 0, NULL);
    struct flow_record a = flow(1, "192.0.2.8", "10.0.0.1");
    e->on_flow(state, &a);
    cr_assert_eq(n_raised, 1);
    cr_assert_str_eq(raised[0].summary, "traffic from 192.0.2.8 is listed in the water-supply indicators (version 5)");
    e->worker_close(state);
    indicator_watch_free(w);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
