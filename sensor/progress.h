/* progress.h — a one-line progress bar on stderr while reading capture files.
 *
 * Drawn only when enabled and stderr is a terminal, at most a few times a
 * second; cleared before the final summary. Live captures have no progress. */
#ifndef MAMORI_PROGRESS_H
#define MAMORI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
    bool enabled;
    uint64_t total_bytes;    /* of every file */
    uint64_t finished_bytes; /* of the files already read */
    uint64_t last_draw_ms;
    bool drawn;
};

/* Enabled only when `wanted` and stderr is a terminal. */
void progress_init(struct progress *p, bool wanted, uint64_t total_bytes);
/* Redraws if due: `offset` bytes of the current file read, `packets` so far. */
void progress_update(struct progress *p, uint64_t offset, uint64_t packets);
/* The current file, of `size` bytes, is done. */
void progress_file_done(struct progress *p, uint64_t size);
/* Erases the bar. */
void progress_clear(struct progress *p);

#endif
