/* bench_inventory.c — the asset inventory at 10,000 devices: builds it from
 * identity and polling events (each device a Modbus server answering a client
 * and identifying itself), writes it to a SQLite file, then loads it back and
 * prints it, as `mamori inventory` does. Prints the time of each step, the
 * events per second, the resident memory the inventory added, and the file size.
 *
 * usage: bench_inventory [DEVICES] [DB_PATH] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "firmware/inventory.h"
#include "firmware/inventory_report.h"
#include "firmware/inventory_store.h"

#define DEFAULT_DEVICES 10000
#define POLLS_PER_DEVICE 10
#define T0 1700000000000000ull

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident set size now, in MiB (from /proc/self/statm). */
static double resident_mib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static struct inventory_store *store;

static void record(void *ctx, const struct inv_change *c)
{
    (void)ctx;
    inventory_store_change(store, c);
}

static void address(struct mamori_event *ev, unsigned device, bool from_device)
{
    uint8_t dev[4] = { 10, (uint8_t)(device >> 16), (uint8_t)(device >> 8), (uint8_t)device };
    uint8_t client[4] = { 10, 255, 0, (uint8_t)(1 + device % 8) };
    ev->where.ip_version = 4;
    memcpy(ev->where.src_ip, from_device ? dev : client, 4);
    memcpy(ev->where.dst_ip, from_device ? client : dev, 4);
}

int main(int argc, char **argv)
{
    unsigned devices = argc > 1 ? (unsigned)atoi(argv[1]) : DEFAULT_DEVICES;
    char path[256];
    snprintf(path, sizeof path, "%s", argc > 2 ? argv[2] : "/tmp/mamori-bench-inventory.db");
    unlink(path);
    double rss0 = resident_mib();
    char err[512];
    struct inventory *inv = inventory_new(devices + 64, NULL, record, NULL);
    store = inv ? inventory_store_open(path, inv, err, sizeof err) : NULL;
    if (!store) {
        fprintf(stderr, "bench_inventory: %s\n", inv ? err : "out of memory");
        return 1;
    }
    double t = now_s();
    uint64_t events = 0;
    for (unsigned round = 0; round < POLLS_PER_DEVICE; round++) {
        for (unsigned d = 0; d < devices; d++, events += 2) {
            struct mamori_event ev;
            mamori_event_init(&ev, NULL, "modbus");
            ev.time_us = T0 + (uint64_t)round * 1000000 + d;
            address(&ev, d, false);
            ev.role = MAMORI_ROLE_REQUEST;
            ev.op = MAMORI_OP_READ;
            ev.has_unit = true;
            ev.unit = 1;
            inventory_observe(inv, &ev);
            address(&ev, d, true);
            ev.role = MAMORI_ROLE_RESPONSE;
            if (round == 0) {
                char revision[16];
                int n = snprintf(revision, sizeof revision, "V%u.%u", 1 + d % 5, d % 100);
                ev.kind = MAMORI_EVENT_IDENTITY;
                mamori_event_add_identity(&ev, "vendor", "Example Automation", 18);
                mamori_event_add_identity(&ev, "product_code", "PLC-100", 7);
                mamori_event_add_identity(&ev, "revision", revision, (size_t)n);
            }
            inventory_observe(inv, &ev);
        }
    }
    double built = now_s() - t;
    double rss_built = resident_mib();
    t = now_s();
    inventory_store_flush(store, inv);
    inventory_store_close(store);
    double flushed = now_s() - t;
    inventory_free(inv);

    t = now_s();
    struct inventory *loaded = inventory_new(devices + 64, NULL, NULL, NULL);
    if (inventory_store_load_at(path, UINT64_MAX, loaded, err, sizeof err) != 0) {
        fprintf(stderr, "bench_inventory: %s\n", err);
        return 1;
    }
    double load = now_s() - t;
    FILE *sink = fopen("/dev/null", "w");
    t = now_s();
    inventory_print(loaded, INV_FORMAT_JSON, sink);
    double printed = now_s() - t;
    fclose(sink);
    struct stat st;
    stat(path, &st);
    printf("inventory: %u devices from %llu events in %.3f s (%.0f events/s), +%.1f MiB resident\n", devices,
           (unsigned long long)events, built, (double)events / built, rss_built - rss0);
    printf("  SQLite write (changes as they happen + final flush of last-seen times): flush %.3f s, file %.1f MiB\n",
           flushed, (double)st.st_size / (1024.0 * 1024.0));
    printf("  query: load %.3f s, print as JSON %.3f s (%zu devices)\n", load, printed, inventory_count(loaded));
    inventory_free(loaded);
    unlink(path);
    return 0;
}
