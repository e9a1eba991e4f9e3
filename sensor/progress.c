/* progress.c — the progress bar (progress.h). */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_INTERVAL_MS 200
#define BAR_WIDTH 30
#define MIB_F (1024.0 * 1024.0)

static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void progress_init(struct progress *p, bool wanted, uint64_t total_bytes)
{
    /* Without a size (standard input) there is nothing to measure against. */
    *p = (struct progress){.enabled = wanted && total_bytes && isatty(STDERR_FILENO), .total_bytes = total_bytes};
}

void progress_update(struct progress *p, uint64_t offset, uint64_t packets)
{
    if (!p->enabled)
        return;
    uint64_t now = monotonic_ms();
    if (p->drawn && now - p->last_draw_ms < REDRAW_INTERVAL_MS)
        return;
    p->last_draw_ms = now;
    p->drawn = true;
    uint64_t done = p->finished_bytes + offset;
    if (done > p->total_bytes)
        done = p->total_bytes;
    double fraction = p->total_bytes ? (double)done / (double)p->total_bytes : 1.0;
    char bar[BAR_WIDTH + 1];
    int filled = (int)(fraction * BAR_WIDTH);
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[BAR_WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %3d%%  %.1f/%.1f MiB  %llu packets", bar, (int)(fraction * 100), done / MIB_F,
            p->total_bytes / MIB_F, (unsigned long long)packets);
    fflush(stderr);
}

void progress_file_done(struct progress *p, uint64_t size)
{
    p->finished_bytes += size;
}

void progress_clear(struct progress *p)
{
    if (!p->enabled || !p->drawn)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->drawn = false;
}
