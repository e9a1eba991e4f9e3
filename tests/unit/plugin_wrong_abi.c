/* plugin_wrong_abi.c — a plugin built against a future decoder ABI; the loader
 * must refuse it with a clear reason. Used only by test_plugin.c. */
#include "protocols/decoder.h"

static size_t never_called(void *state, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx)
{
    (void)state, (void)data, (void)ctx;
    return len;
}

static const struct mamori_decoder future_decoder = {
    .abi = MAMORI_DECODER_ABI + 1,
    .name = "future",
    .transports = MAMORI_TRANSPORT_UDP,
    .parse = never_called,
};

const struct mamori_decoder *mamori_decoder_entry(void);
const struct mamori_decoder *mamori_decoder_entry(void) { return &future_decoder; }
