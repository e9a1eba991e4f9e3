/* registry.c — the built-in decoder table and the vendor plugin loader. */
#include "registry.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"

/* The one list of built-in decoders. */
static const struct mamori_decoder *const builtin_decoders[] = {
    &modbus_decoder,
    &dnp3_decoder,
    &goose_decoder,
    &sv_decoder,
    &mms_decoder,
    &enip_decoder,
    NULL,
};

static int add_decoder(struct mamori_registry *reg, const struct mamori_decoder *dec)
{
    if (reg->count >= MAMORI_MAX_DECODERS || registry_find(reg, dec->name))
        return -1;
    reg->decoders[reg->count++] = dec;
    return 0;
}

void registry_init(struct mamori_registry *reg)
{
    memset(reg, 0, sizeof *reg);
    for (size_t i = 0; builtin_decoders[i]; i++)
        add_decoder(reg, builtin_decoders[i]);
}

const char *registry_check_decoder(const struct mamori_decoder *dec)
{
    if (!dec)
        return "entry point returned no decoder";
    if (dec->abi != MAMORI_DECODER_ABI)
        return "decoder ABI version does not match this sensor";
    if (!dec->name || !dec->name[0])
        return "decoder has no name";
    if (!dec->parse)
        return "decoder has no parse function";
    if (!dec->transports)
        return "decoder names no transport";
    if ((dec->state_new == NULL) != (dec->state_free == NULL))
        return "decoder must give both state_new and state_free, or neither";
    if ((dec->shared_new == NULL) != (dec->shared_free == NULL))
        return "decoder must give both shared_new and shared_free, or neither";
    if ((dec->transports & MAMORI_TRANSPORT_TCP) && dec->max_pdu == 0)
        return "TCP decoder must set max_pdu";
    return NULL;
}

int registry_load_plugin(struct mamori_registry *reg, const char *path, char *err, size_t errlen)
{
    if (reg->plugin_count >= MAMORI_MAX_DECODERS) {
        snprintf(err, errlen, "%s: too many decoder plugins (at most %d)", path, MAMORI_MAX_DECODERS);
        return -1;
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(err, errlen, "%s: cannot load decoder plugin: %s", path, dlerror());
        return -1;
    }
    mamori_decoder_entry_fn entry;
    *(void **)&entry = dlsym(handle, MAMORI_DECODER_ENTRY);
    if (!entry) {
        snprintf(err, errlen, "%s: not a mamori decoder (no %s symbol)", path, MAMORI_DECODER_ENTRY);
        dlclose(handle);
        return -1;
    }
    const struct mamori_decoder *dec = entry();
    const char *why = registry_check_decoder(dec);
    if (!why && add_decoder(reg, dec) != 0)
        why = "a decoder of that name is already loaded";
    if (why) {
        snprintf(err, errlen, "%s: %s", path, why);
        dlclose(handle);
        return -1;
    }
    reg->plugin_handles[reg->plugin_count++] = handle;
    return 0;
}

const struct mamori_decoder *registry_find(const struct mamori_registry *reg, const char *name)
{
    for (size_t i = 0; i < reg->count; i++)
        if (strcmp(reg->decoders[i]->name, name) == 0)
            return reg->decoders[i];
    return NULL;
}

void registry_close(struct mamori_registry *reg)
{
    for (size_t i = 0; i < reg->plugin_count; i++)
        dlclose(reg->plugin_handles[i]);
    memset(reg, 0, sizeof *reg);
}
