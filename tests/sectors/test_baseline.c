/* test_baseline.c — the learned baseline: what learning records, the text
 * file (exact lines), load/save round trip, diff, approving changes, and
 * errors with file and line for a damaged file. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sectors/baseline.h"

#define SECOND 1000000ull
#define T0 1700000000000000ull

static struct mamori_event request(const char *src, const char *dst, uint32_t fc, const char *name,
                                   enum mamori_op op, uint32_t start, uint32_t count, uint64_t t)
{
    struct mamori_event ev;
    memset(&ev, 0, sizeof ev);
    ev.time_us = t;
    ev.where.ip_version = 4;
    ev.where.l4_proto = 6;
    inet_pton(AF_INET, src, ev.where.src_ip);
    inet_pton(AF_INET, dst, ev.where.dst_ip);
    ev.where.dst_port = 502;
    ev.protocol = "modbus";
    ev.kind = MAMORI_EVENT_OPERATION;
    ev.role = MAMORI_ROLE_REQUEST;
    ev.op = op;
    ev.has_unit = true;
    ev.unit = 1;
    ev.has_function = true;
    ev.function_code = fc;
    ev.function_name = name;
    ev.has_range = true;
    ev.range_start = start;
    ev.range_count = count;
    ev.latency_us = -1;
    return ev;
}

static struct baseline *new_baseline(void)
{
    struct baseline_limits lim;
    baseline_limits_defaults(&lim);
    struct baseline *bl = baseline_new(&lim);
    cr_assert_not_null(bl);
    return bl;
}

static char *render(const struct baseline *bl)
{
    static char buf[8192];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    cr_assert_eq(baseline_write(bl, f), 0);
    fclose(f);
    return buf;
}

static void learn_site(struct baseline *bl)
{
    for (int i = 0; i < 10; i++) {
        struct mamori_event rd = request("10.0.0.1", "10.0.1.10", 3, "read_holding_registers", MAMORI_OP_READ,
                                         i % 2 ? 0 : 5, 10, T0 + (uint64_t)i * SECOND);
        baseline_learn_event(bl, &rd);
    }
    struct mamori_event wr = request("10.0.0.1", "10.0.1.10", 6, "write_single_register", MAMORI_OP_WRITE, 40, 1,
                                     T0 + 20 * SECOND);
    mamori_event_add_value(&wr, 55.5);
    baseline_learn_event(bl, &wr);
    struct mamori_event pub;
    memset(&pub, 0, sizeof pub);
    pub.protocol = "goose";
    pub.kind = MAMORI_EVENT_OPERATION;
    pub.role = MAMORI_ROLE_PUBLISH;
    pub.op = MAMORI_OP_REPORT;
    const uint8_t mac[6] = { 0, 0x0c, 0xcd, 1, 0, 1 };
    memcpy(pub.where.src_mac, mac, 6);
    pub.object.ptr = "IED1LD0/LLN0$GO$gcb 1";
    pub.object.len = strlen(pub.object.ptr);
    for (int i = 0; i < 5; i++) {
        pub.time_us = T0 + (uint64_t)i * 2 * SECOND;
        baseline_learn_event(bl, &pub);
    }
}

Test(baseline, text_form_is_exact_and_sorted)
{
    struct baseline *bl = new_baseline();
    learn_site(bl);
    cr_assert_str_eq(
        render(bl),
        "# mamori baseline v1: the learned normal of a site (docs/sectors.md)\n"
        "# assets=3 pairs=1 values=1 publishers=1 conversations=0\n"
        "asset 00:0c:cd:01:00:01 roles=publisher protocols=goose # first=1700000000.000000 last=1700000008.000000\n"
        "asset 10.0.0.1 roles=client protocols=modbus # first=1700000000.000000 last=1700000020.000000\n"
        "asset 10.0.1.10 roles=server protocols=modbus # first=1700000000.000000 last=1700000020.000000\n"
        "pair modbus 10.0.0.1 > 10.0.1.10 ops=read,write functions=3,6 units=1 ranges=3:0-14,6:40-40 objects= "
        "period_ms=2300 # requests=11 first=1700000000.000000 last=1700000020.000000\n"
        "publisher goose 00:0c:cd:01:00:01 object=IED1LD0/LLN0$GO$gcb%201 interval_ms=2000 # count=5 "
        "first=1700000000.000000 last=1700000008.000000\n"
        "value modbus 10.0.1.10 unit=1 address=40 min=55.5 max=55.5 # samples=1\n");
    baseline_free(bl);
}

Test(baseline, save_load_round_trip_and_queries)
{
    struct baseline *bl = new_baseline();
    learn_site(bl);
    char path[] = "/tmp/mamori-baseline-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    cr_assert_eq(baseline_save(bl, path), 0);
    struct baseline_limits lim;
    baseline_limits_defaults(&lim);
    struct baseline *back = baseline_load(path, &lim, stderr);
    cr_assert_not_null(back);
    char first[8192];
    snprintf(first, sizeof first, "%s", render(bl));
    cr_assert_str_eq(render(back), first);
    struct bl_endpoint c, s;
    cr_assert(bl_endpoint_parse("10.0.0.1", &c));
    cr_assert(bl_endpoint_parse("10.0.1.10", &s));
    const struct bl_pair *p = baseline_pair(back, "modbus", &c, &s);
    cr_assert_not_null(p);
    cr_assert(bl_pair_has_function(p, 3));
    cr_assert(!bl_pair_has_function(p, 16));
    cr_assert(bl_pair_covers_range(p, 3, 2, 10));
    cr_assert(!bl_pair_covers_range(p, 3, 10, 10));
    cr_assert(!bl_pair_covers_range(p, 6, 0, 1));
    cr_assert(bl_pair_has_unit(p, 1));
    cr_assert(!bl_pair_has_unit(p, 2));
    cr_assert_null(baseline_pair(back, "modbus", &s, &c));
    const struct bl_value *v = baseline_value(back, "modbus", &s, 1, 40);
    cr_assert_not_null(v);
    cr_assert_float_eq(v->min, 55.5, 1e-9);
    unlink(path);
    baseline_free(bl);
    baseline_free(back);
}

Test(baseline, diff_and_approve)
{
    struct baseline *old = new_baseline();
    learn_site(old);
    struct baseline *now = new_baseline();
    learn_site(now);
    struct mamori_event wr = request("10.0.0.9", "10.0.1.10", 16, "write_multiple_registers", MAMORI_OP_WRITE, 100,
                                     2, T0 + 99 * SECOND);
    baseline_learn_event(now, &wr);
    char out[4096];
    FILE *f = fmemopen(out, sizeof out, "w");
    cr_assert_eq(baseline_diff(old, now, f), 2);
    fclose(f);
    cr_assert_str_eq(out, "+ asset 10.0.0.9 roles=client protocols=modbus\n"
                          "+ pair modbus 10.0.0.9 > 10.0.1.10 ops=write functions=16 units=1 ranges=16:100-101 "
                          "objects= period_ms=0\n");
    /* The server's last-seen time changed too, but counters after '#' are
     * not facts and do not show. Approving makes the two equal. */
    baseline_merge(old, now);
    f = fmemopen(out, sizeof out, "w");
    cr_assert_eq(baseline_diff(old, now, f), 0);
    fclose(f);
    baseline_free(old);
    baseline_free(now);
}

Test(baseline, damaged_file_names_file_and_line)
{
    char path[] = "/tmp/mamori-baseline-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "# mamori baseline v1\n"
                        "asset 10.0.0.1 roles=client protocols=modbus\n"
                        "pair modbus 10.0.0.1 > 10.0.1.300 ops=read\n"
                        "value modbus 10.0.1.10 unit=1 address=4 min=9 max=3\n"
                        "router 10.0.0.254\n"
                        "publisher goose 01:0c:cd:01:00:01 object=gcb%zz count=2\n"
                        "conversation 10.0.0.1 > 10.0.0.2 flows=3 colour=red\n"
                        "pair modbus 10.0.0.1 > 10.0.1.3 period_ms=-5\n"
                        "asset 10.0.0.9 first\n";
    cr_assert_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    char errs[2048];
    FILE *f = fmemopen(errs, sizeof errs, "w");
    struct baseline_limits lim;
    baseline_limits_defaults(&lim);
    cr_assert_null(baseline_load(path, &lim, f));
    fclose(f);
    char expected[2048];
    snprintf(expected, sizeof expected,
             "%s:3: '10.0.1.300' is not an IP or MAC address\n"
             "%s:4: value: needs min= and max= with min <= max\n"
             "%s:5: unknown fact 'router' (asset, pair, value, publisher, conversation)\n"
             "%s:6: publisher: bad or unknown field 'object'\n"
             "%s:7: conversation: bad or unknown field 'colour'\n"
             "%s:8: pair: bad or unknown field 'period_ms'\n"
             "%s:9: asset: bad or unknown field 'first'\n",
             path, path, path, path, path, path, path);
    cr_assert_str_eq(errs, expected);
    unlink(path);
}

Test(baseline, empty_baseline_writes_only_the_header)
{
    struct baseline *bl = new_baseline();
    cr_assert_str_eq(render(bl), "# mamori baseline v1: the learned normal of a site (docs/sectors.md)\n"
                                 "# assets=0 pairs=0 values=0 publishers=0 conversations=0\n");
    struct baseline *other = new_baseline();
    FILE *f = fopen("/dev/null", "w");
    cr_assert_eq(baseline_diff(bl, other, f), 0);
    fclose(f);
    baseline_free(bl);
    baseline_free(other);
}

Test(baseline, conversations_from_flows)
{
    struct baseline *bl = new_baseline();
    struct flow_record f;
    memset(&f, 0, sizeof f);
    f.first_us = T0;
    f.last_us = T0 + 2 * SECOND;
    f.where.ip_version = 4;
    f.where.l4_proto = 17;
    inet_pton(AF_INET, "10.0.1.10", f.where.src_ip);
    inet_pton(AF_INET, "192.0.2.8", f.where.dst_ip);
    f.app_protocol = "NTP";
    baseline_learn_flow(bl, &f);
    f.last_us = T0 + 5 * SECOND;
    baseline_learn_flow(bl, &f);
    const char *text = render(bl);
    cr_assert(strstr(text, "\nconversation 10.0.1.10 > 192.0.2.8 app=NTP # flows=2 first=1700000000.000000 "
                           "last=1700000005.000000\n"),
              "%s", text);
    struct bl_endpoint a, b;
    cr_assert(bl_endpoint_parse("192.0.2.8", &a));
    cr_assert(bl_endpoint_parse("10.0.1.10", &b));
    cr_assert_not_null(baseline_conversation(bl, &a, &b), "either direction");
    char path[] = "/tmp/mamori-baseline-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    cr_assert_eq(baseline_save(bl, path), 0);
    struct baseline_limits lim;
    baseline_limits_defaults(&lim);
    struct baseline *back = baseline_load(path, &lim, stderr);
    cr_assert_not_null(back);
    const struct bl_conversation *c = baseline_conversation(back, &b, &a);
    cr_assert_not_null(c);
    cr_assert_eq(c->flows, 2);
    cr_assert_str_eq(c->app, "NTP");
    unlink(path);
    baseline_free(bl);
    baseline_free(back);
}
