/* pcapgen.h — writes synthetic Ethernet/IPv4 TCP and UDP conversations to a
 * pcap file for benchmarks: correct headers, checksums left zero (the sensor
 * does not verify them), per-flow TCP sequence numbers, handshakes and
 * teardowns, so the capture core sees real sessions. Test-only code. */
#ifndef MAMORI_PCAPGEN_H
#define MAMORI_PCAPGEN_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcapgen {
    pcap_t *dead;
    pcap_dumper_t *out;
    uint64_t time_us;
    uint64_t packets, bytes;
};

/* One TCP connection between a client and a server. */
struct gen_tcp_flow {
    uint32_t client_ip, server_ip; /* host order */
    uint16_t client_port, server_port;
    uint32_t client_seq, server_seq;
    uint8_t client_mac[6], server_mac[6];
};

int pcapgen_open(struct pcapgen *g, const char *path, uint64_t start_time_us);
void pcapgen_close(struct pcapgen *g);
/* Advances the capture clock. */
void pcapgen_advance(struct pcapgen *g, uint64_t us);

void gen_tcp_flow_init(struct gen_tcp_flow *f, uint32_t client_ip, uint16_t client_port, uint32_t server_ip,
                       uint16_t server_port);
void gen_tcp_handshake(struct pcapgen *g, struct gen_tcp_flow *f);
/* One segment with payload, from the client (to_server) or the server. */
void gen_tcp_data(struct pcapgen *g, struct gen_tcp_flow *f, bool to_server, const uint8_t *payload, size_t len);
void gen_tcp_close(struct pcapgen *g, struct gen_tcp_flow *f);
void gen_udp(struct pcapgen *g, uint32_t src_ip, uint16_t sport, uint32_t dst_ip, uint16_t dport,
             const uint8_t *payload, size_t len);

#endif
