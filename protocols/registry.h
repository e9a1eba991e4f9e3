/* registry.h — the decoders this sensor runs: the built-in table plus vendor
 * plugins loaded from shared objects (`--decoder PATH.so`). */
#ifndef MAMORI_REGISTRY_H
#define MAMORI_REGISTRY_H

#include <stddef.h>

#include "decoder.h"

#define MAMORI_MAX_DECODERS 64

struct mamori_registry {
    const struct mamori_decoder *decoders[MAMORI_MAX_DECODERS];
    size_t count;
    void *plugin_handles[MAMORI_MAX_DECODERS];
    size_t plugin_count;
};

/* Fills the registry with the built-in decoders. */
void registry_init(struct mamori_registry *reg);

/* Loads a vendor decoder. On failure returns -1 and writes one line naming
 * the file and what was wrong into err. */
int registry_load_plugin(struct mamori_registry *reg, const char *path, char *err, size_t errlen);

const struct mamori_decoder *registry_find(const struct mamori_registry *reg, const char *name);

/* Unloads plugins; the registry is empty afterwards. */
void registry_close(struct mamori_registry *reg);

/* Checks a decoder struct against the contract in decoder.h; NULL when it is
 * valid, otherwise a short reason. */
const char *registry_check_decoder(const struct mamori_decoder *dec);

#endif
