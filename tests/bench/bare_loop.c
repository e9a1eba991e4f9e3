/* bare_loop.c — the benchmark's baseline: reads a capture with libpcap and does
 * nothing per packet but count it. mamori's packets/s is compared with this.
 * usage: bare_loop FILE.pcap   (prints "packets seconds") */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "bare_loop: %s\n", err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long long packets = 0;
    while (pcap_next_ex(p, &h, &data) == 1)
        packets++;
    pcap_close(p);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%llu %.6f\n", packets, seconds);
    return 0;
}
