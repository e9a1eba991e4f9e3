/* test_output.c — the record streams and the flow record: exact flow JSON
 * for TCP over IPv6 and a VLAN-tagged GOOSE publisher, log-directory files
 * and errors, whole lines from concurrent writers, dropped oversize lines. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/output.h"

#define WRITER_THREADS 4
#define LINES_PER_THREAD 5000

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/mamori-output-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    static const char *const names[] = {"flow.json", "event.json", "alert.json", "stats.json"};
    char path[128];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/logs/%s", dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/logs", dir);
    rmdir(path);
    rmdir(dir);
}

TestSuite(output, .init = make_dir, .fini = remove_dir);

Test(output, flow_record_tcp_over_ipv6)
{
    struct flow_record rec = {
        .id = 42,
        .first_us = 1700000000123456u,
        .last_us = 1700000002000000u,
        .packets = {5, 4},
        .bytes = {400, 1200},
        .state = "SF",
        .end_reason = "closed",
        .midstream = false,
        .app_protocol = "modbus",
        .ndpi = "Modbus",
        .category = "IoT-Scada",
        .decoder = "modbus",
        .gaps = 7,
    };
    rec.where.ip_version = 6;
    rec.where.l4_proto = 6;
    rec.where.src_ip[0] = 0xfe, rec.where.src_ip[1] = 0x80, rec.where.src_ip[15] = 1;
    rec.where.dst_ip[0] = 0xfe, rec.where.dst_ip[1] = 0x80, rec.where.dst_ip[15] = 2;
    rec.where.src_port = 50123;
    rec.where.dst_port = 502;
    struct json_writer w;
    cr_assert_eq(json_writer_init(&w, 4096), 0);
    flow_json(&w, &rec);
    cr_assert_str_eq(w.buf,
                     "{\"type\":\"flow\",\"ts\":1700000000.123456,\"flow_id\":42,\"proto\":\"tcp\",\"src\":\"fe80::1\","
                     "\"sport\":50123,\"dst\":\"fe80::2\",\"dport\":502,\"duration\":1.876544,\"orig_pkts\":5,"
                     "\"orig_bytes\":400,\"resp_pkts\":4,\"resp_bytes\":1200,\"state\":\"SF\",\"end_reason\":\"closed\","
                     "\"midstream\":false,\"app_protocol\":\"modbus\",\"ndpi\":\"Modbus\",\"category\":\"IoT-Scada\","
                     "\"decoder\":\"modbus\",\"gap_bytes\":7}");
    json_writer_free(&w);
}

Test(output, flow_record_goose_publisher_with_vlan)
{
    struct flow_record rec = {
        .id = 3,
        .first_us = 1000000,
        .last_us = 1000000,
        .packets = {1, 0},
        .bytes = {120, 0},
        .state = "S0",
        .end_reason = "end_of_capture",
        .app_protocol = "goose",
        .category = "IoT-Scada",
        .decoder = "goose",
    };
    static const uint8_t src[6] = {0x00, 0xa0, 0xf4, 0x08, 0x2f, 0x77};
    static const uint8_t dst[6] = {0x01, 0x0c, 0xcd, 0x01, 0x00, 0x01};
    memcpy(rec.where.src_mac, src, 6);
    memcpy(rec.where.dst_mac, dst, 6);
    rec.where.vlan = 10;
    rec.where.ethertype = 0x88b8;
    struct json_writer w;
    cr_assert_eq(json_writer_init(&w, 4096), 0);
    flow_json(&w, &rec);
    cr_assert_str_eq(w.buf,
                     "{\"type\":\"flow\",\"ts\":1.000000,\"flow_id\":3,\"proto\":\"ether\",\"src_mac\":\"00:a0:f4:08:2f:77\","
                     "\"dst_mac\":\"01:0c:cd:01:00:01\",\"vlan\":10,\"ethertype\":35000,\"duration\":0.000000,"
                     "\"orig_pkts\":1,\"orig_bytes\":120,\"resp_pkts\":0,\"resp_bytes\":0,\"state\":\"S0\","
                     "\"end_reason\":\"end_of_capture\",\"midstream\":false,\"app_protocol\":\"goose\","
                     "\"category\":\"IoT-Scada\",\"decoder\":\"goose\"}");
    json_writer_free(&w);
}

Test(output, log_dir_that_cannot_be_created)
{
    char err[256], path[128];
    snprintf(path, sizeof path, "%s/missing/logs", dir);
    cr_assert_null(output_open(path, err, sizeof err));
    char want[256];
    snprintf(want, sizeof want, "%s: cannot create log directory: No such file or directory", path);
    cr_assert_str_eq(err, want);
}

struct writer_arg {
    struct output *out;
    int thread;
};

static void *write_lines(void *p)
{
    struct writer_arg *arg = p;
    char line[128];
    for (int i = 0; i < LINES_PER_THREAD; i++) {
        int n = snprintf(line, sizeof line, "{\"type\":\"event\",\"thread\":%d,\"seq\":%d,\"pad\":\"%060d\"}",
                         arg->thread, i, i);
        output_line(arg->out, OUTPUT_EVENT, line, (size_t)n);
    }
    return NULL;
}

Test(output, concurrent_writers_give_whole_lines)
{
    char err[256], logs[128];
    snprintf(logs, sizeof logs, "%s/logs", dir);
    struct output *out = output_open(logs, err, sizeof err);
    cr_assert_not_null(out, "%s", err);
    pthread_t threads[WRITER_THREADS];
    struct writer_arg args[WRITER_THREADS];
    for (int t = 0; t < WRITER_THREADS; t++) {
        args[t] = (struct writer_arg){out, t};
        pthread_create(&threads[t], NULL, write_lines, &args[t]);
    }
    for (int t = 0; t < WRITER_THREADS; t++)
        pthread_join(threads[t], NULL);

    /* An overflowed writer's line is counted, not written. */
    struct json_writer small;
    cr_assert_eq(json_writer_init(&small, 16), 0);
    jw_object_begin(&small, NULL);
    jw_string(&small, "type", "a value far longer than sixteen bytes");
    jw_object_end(&small);
    output_writer(out, OUTPUT_FLOW, &small);
    json_writer_free(&small);

    cr_assert_eq(output_lines_written(out, OUTPUT_EVENT), WRITER_THREADS * LINES_PER_THREAD);
    cr_assert_eq(output_lines_written(out, OUTPUT_FLOW), 0);
    cr_assert_eq(output_lines_dropped(out), 1);
    cr_assert_eq(output_close(out, err, sizeof err), 0, "%s", err);

    char path[160];
    snprintf(path, sizeof path, "%s/event.json", logs);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    int next[WRITER_THREADS] = {0};
    char line[256];
    int total = 0;
    while (fgets(line, sizeof line, f)) {
        int thread, seq, pad;
        cr_assert_eq(sscanf(line, "{\"type\":\"event\",\"thread\":%d,\"seq\":%d,\"pad\":\"%d\"}\n", &thread, &seq, &pad),
                     3, "broken line: %s", line);
        cr_assert(thread >= 0 && thread < WRITER_THREADS);
        cr_assert_eq(seq, next[thread], "thread %d: line %d after %d", thread, seq, next[thread] - 1);
        cr_assert_eq(pad, seq);
        next[thread]++;
        total++;
    }
    fclose(f);
    cr_assert_eq(total, WRITER_THREADS * LINES_PER_THREAD);
    struct stat st;
    snprintf(path, sizeof path, "%s/flow.json", logs);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, 0);
}
