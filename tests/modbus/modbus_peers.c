/* modbus_peers.c — real Modbus peers on loopback, captured with libpcap.
 *
 * Usage: modbus_peers OUT.pcap PORT
 * Captures `lo` (tcp ports PORT and PORT+1) into OUT.pcap while:
 *  - a libmodbus client talks to a libmodbus server on PORT: reads of every
 *    table, single and multiple writes, mask write, write-and-read, report
 *    server id and one request that fails with an exception;
 *  - a raw-socket client talks to a raw-socket responder on PORT+1 for what
 *    libmodbus 3.1.6 cannot exchange (TOOLCHAIN.md §5): diagnostics (8) and
 *    read device identification (43/14).
 * Prints one JSON line per operation as the client saw it, so the test can
 * compare mamori's events with what was really exchanged. Loopback only. */
#include <arpa/inet.h>
#include <errno.h>
#include <modbus.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define UNIT 1
#define TABLE_SIZE 100
#define CAPTURE_POLL_MS 50
#define SETTLE_US 300000

static atomic_bool capture_stop;
static int port_libmodbus, port_raw;

struct capture {
    pcap_t *pcap;
    pcap_dumper_t *dumper;
};

static void *capture_loop(void *arg)
{
    struct capture *cap = arg;
    struct pollfd pfd = { .fd = pcap_get_selectable_fd(cap->pcap), .events = POLLIN };
    while (!atomic_load(&capture_stop)) {
        poll(&pfd, 1, CAPTURE_POLL_MS);
        pcap_dispatch(cap->pcap, -1, pcap_dump, (u_char *)cap->dumper);
    }
    pcap_dispatch(cap->pcap, -1, pcap_dump, (u_char *)cap->dumper);
    return NULL;
}

static int capture_start(struct capture *cap, const char *path, pthread_t *thread)
{
    char err[PCAP_ERRBUF_SIZE], filter[64];
    cap->pcap = pcap_create("lo", err);
    if (!cap->pcap || pcap_set_snaplen(cap->pcap, 65535) || pcap_set_immediate_mode(cap->pcap, 1) ||
        pcap_activate(cap->pcap) < 0) {
        fprintf(stderr, "modbus_peers: cannot capture on lo: %s\n", cap->pcap ? pcap_geterr(cap->pcap) : err);
        return -1;
    }
    struct bpf_program prog;
    snprintf(filter, sizeof filter, "tcp port %d or tcp port %d", port_libmodbus, port_raw);
    if (pcap_compile(cap->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) || pcap_setfilter(cap->pcap, &prog) ||
        pcap_setnonblock(cap->pcap, 1, err)) {
        fprintf(stderr, "modbus_peers: filter: %s\n", pcap_geterr(cap->pcap));
        return -1;
    }
    pcap_freecode(&prog);
    cap->dumper = pcap_dump_open(cap->pcap, path);
    if (!cap->dumper) {
        fprintf(stderr, "modbus_peers: %s: %s\n", path, pcap_geterr(cap->pcap));
        return -1;
    }
    return pthread_create(thread, NULL, capture_loop, cap);
}

/* ---- libmodbus server ---- */

static void *libmodbus_server(void *arg)
{
    int *listening = arg;
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port_libmodbus);
    modbus_mapping_t *map = modbus_mapping_new(TABLE_SIZE, TABLE_SIZE, TABLE_SIZE, TABLE_SIZE);
    for (int i = 0; i < TABLE_SIZE; i++) {
        map->tab_bits[i] = (uint8_t)(i % 3 == 0);
        map->tab_input_bits[i] = (uint8_t)(i % 2);
        map->tab_registers[i] = (uint16_t)(1000 + i);
        map->tab_input_registers[i] = (uint16_t)(2000 + 7 * i);
    }
    int server = modbus_tcp_listen(ctx, 1);
    __atomic_store_n(listening, server >= 0 ? 1 : -1, __ATOMIC_SEQ_CST);
    if (server >= 0 && modbus_tcp_accept(ctx, &server) >= 0) {
        uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
        for (;;) {
            int n = modbus_receive(ctx, query);
            if (n > 0)
                modbus_reply(ctx, query, n, map);
            else if (n < 0)
                break;
        }
    }
    if (server >= 0)
        close(server);
    modbus_mapping_free(map);
    modbus_free(ctx);
    return NULL;
}

static void print_values16(const char *name, int fc, int addr, int count, const uint16_t *v, int n)
{
    printf("{\"op\":\"%s\",\"function_code\":%d,\"range_start\":%d,\"range_count\":%d,\"values\":[", name, fc, addr,
           count);
    for (int i = 0; i < n; i++)
        printf("%s%u", i ? "," : "", v[i]);
    printf("]}\n");
}

static void print_values8(const char *name, int fc, int addr, int count, const uint8_t *v, int n)
{
    uint16_t wide[TABLE_SIZE];
    for (int i = 0; i < n; i++)
        wide[i] = v[i];
    print_values16(name, fc, addr, count, wide, n);
}

static int libmodbus_client(void)
{
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port_libmodbus);
    modbus_set_slave(ctx, UNIT);
    if (modbus_connect(ctx) < 0) {
        fprintf(stderr, "modbus_peers: connect: %s\n", modbus_strerror(errno));
        return -1;
    }
    uint8_t bits[TABLE_SIZE];
    uint16_t regs[TABLE_SIZE];
    int ok = 0;
    ok |= modbus_read_bits(ctx, 0, 10, bits) != 10;
    print_values8("read", 1, 0, 10, bits, 10);
    ok |= modbus_read_input_bits(ctx, 5, 12, bits) != 12;
    print_values8("read", 2, 5, 12, bits, 12);
    ok |= modbus_read_registers(ctx, 0, 5, regs) != 5;
    print_values16("read", 3, 0, 5, regs, 5);
    ok |= modbus_read_input_registers(ctx, 10, 3, regs) != 3;
    print_values16("read", 4, 10, 3, regs, 3);
    ok |= modbus_write_bit(ctx, 3, 1) != 1;
    print_values8("write", 5, 3, 1, (const uint8_t[]){ 1 }, 1);
    ok |= modbus_write_register(ctx, 7, 1234) != 1;
    print_values16("write", 6, 7, 1, (const uint16_t[]){ 1234 }, 1);
    const uint8_t coils[10] = { 1, 0, 1, 1, 0, 0, 1, 1, 1, 0 };
    ok |= modbus_write_bits(ctx, 20, 10, coils) != 10;
    print_values8("write", 15, 20, 10, coils, 10);
    const uint16_t four[4] = { 11, 22, 33, 44 };
    ok |= modbus_write_registers(ctx, 30, 4, four) != 4;
    print_values16("write", 16, 30, 4, four, 4);
    ok |= modbus_mask_write_register(ctx, 7, 0x00f2, 0x0025) != 1;
    print_values16("write", 22, 7, 1, (const uint16_t[]){ 0x00f2, 0x0025 }, 2);
    const uint16_t two[2] = { 9, 8 };
    ok |= modbus_write_and_read_registers(ctx, 40, 2, two, 50, 3, regs) != 3;
    print_values16("write", 23, 40, 2, two, 2);
    print_values16("read", 23, 50, 3, regs, 3);
    uint8_t id[MODBUS_MAX_PDU_LENGTH];
    int id_len = modbus_report_slave_id(ctx, sizeof id, id);
    ok |= id_len < 2;
    printf("{\"op\":\"identify\",\"function_code\":17,\"server_id\":\"%u\",\"run_status\":\"%s\","
           "\"additional_data\":\"%.*s\"}\n",
           id[0], id[1] ? "on" : "off", id_len - 2, (const char *)id + 2);
    int rc = modbus_read_registers(ctx, 200, 1, regs);
    ok |= !(rc < 0 && errno == EMBXILADD);
    printf("{\"op\":\"exception\",\"function_code\":3,\"range_start\":200,\"range_count\":1,\"status\":2}\n");
    modbus_close(ctx);
    modbus_free(ctx);
    return ok ? -1 : 0;
}

/* ---- raw-socket peers for 8 and 43/14 ---- */

static int read_full(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* Reads one ADU; returns its length or -1. */
static int read_adu(int fd, uint8_t *adu, size_t cap)
{
    if (read_full(fd, adu, 6) < 0)
        return -1;
    size_t len = (size_t)adu[4] << 8 | adu[5];
    if (len < 2 || 6 + len > cap || read_full(fd, adu + 6, len) < 0)
        return -1;
    return (int)(6 + len);
}

static int write_adu(int fd, uint16_t tid, const uint8_t *pdu, size_t pdu_len)
{
    uint8_t adu[300] = { (uint8_t)(tid >> 8), (uint8_t)tid, 0, 0, (uint8_t)((pdu_len + 1) >> 8),
                         (uint8_t)(pdu_len + 1), UNIT };
    memcpy(adu + 7, pdu, pdu_len);
    return write(fd, adu, 7 + pdu_len) == (ssize_t)(7 + pdu_len) ? 0 : -1;
}

static const uint8_t device_id_reply[] = { 0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, 0x03, 0x00, 0x0b, 'm', 'a', 'm',
                                           'o', 'r', 'i', '-', 't', 'e', 's', 't', 0x01, 0x04, 'M', 'T', '-',
                                           '1', 0x02, 0x04, 'V', '2', '.', '5' };

static void *raw_responder(void *arg)
{
    int listener = *(int *)arg;
    int fd = accept(listener, NULL, NULL);
    uint8_t adu[300];
    int n;
    while (fd >= 0 && (n = read_adu(fd, adu, sizeof adu)) > 0) {
        uint16_t tid = (uint16_t)(adu[0] << 8 | adu[1]);
        const uint8_t *pdu = adu + 7;
        if (pdu[0] == 0x08 && pdu[1] == 0x00 && pdu[2] == 0x04)
            continue; /* force listen only mode: no response, as the specification says */
        if (pdu[0] == 0x08)
            write_adu(fd, tid, pdu, (size_t)n - 7); /* diagnostics echo the request */
        else if (pdu[0] == 0x2b)
            write_adu(fd, tid, device_id_reply, sizeof device_id_reply);
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static int raw_exchange(int fd, uint16_t tid, const uint8_t *pdu, size_t len, bool answered)
{
    uint8_t reply[300];
    if (write_adu(fd, tid, pdu, len) < 0)
        return -1;
    return answered ? (read_adu(fd, reply, sizeof reply) > 0 ? 0 : -1) : 0;
}

static int raw_peers(void)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port_raw),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 1) < 0)
        return -1;
    pthread_t responder;
    pthread_create(&responder, NULL, raw_responder, &listener);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    rc |= raw_exchange(fd, 100, (const uint8_t[]){ 0x08, 0x00, 0x00, 0xa5, 0x37 }, 5, true);
    printf("{\"op\":\"diagnostic\",\"function_code\":8,\"object\":\"return_query_data\"}\n");
    rc |= raw_exchange(fd, 101, (const uint8_t[]){ 0x08, 0x00, 0x01, 0xff, 0x00 }, 5, true);
    printf("{\"op\":\"restart\",\"function_code\":8,\"object\":\"restart_communications_option\"}\n");
    rc |= raw_exchange(fd, 102, (const uint8_t[]){ 0x2b, 0x0e, 0x01, 0x00 }, 4, true);
    printf("{\"op\":\"identify\",\"function_code\":43,\"vendor\":\"mamori-test\",\"product_code\":\"MT-1\","
           "\"revision\":\"V2.5\"}\n");
    rc |= raw_exchange(fd, 103, (const uint8_t[]){ 0x08, 0x00, 0x04, 0x00, 0x00 }, 5, false);
    printf("{\"op\":\"diagnostic\",\"function_code\":8,\"object\":\"force_listen_only_mode\"}\n");
    usleep(SETTLE_US);
    close(fd);
    pthread_join(responder, NULL);
    close(listener);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: modbus_peers OUT.pcap PORT\n");
        return 2;
    }
    port_libmodbus = atoi(argv[2]);
    port_raw = port_libmodbus + 1;
    struct capture cap;
    pthread_t capture_thread, server_thread;
    if (capture_start(&cap, argv[1], &capture_thread) != 0)
        return 1;
    usleep(SETTLE_US);
    int listening = 0;
    pthread_create(&server_thread, NULL, libmodbus_server, &listening);
    while (__atomic_load_n(&listening, __ATOMIC_SEQ_CST) == 0)
        usleep(1000);
    int rc = listening < 0 ? -1 : libmodbus_client();
    pthread_join(server_thread, NULL);
    rc |= raw_peers();
    usleep(SETTLE_US);
    atomic_store(&capture_stop, true);
    pthread_join(capture_thread, NULL);
    pcap_dump_close(cap.dumper);
    pcap_close(cap.pcap);
    fflush(stdout);
    if (rc)
        fprintf(stderr, "modbus_peers: an exchange failed\n");
    return rc ? 1 : 0;
}
