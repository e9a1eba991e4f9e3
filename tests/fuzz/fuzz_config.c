/* fuzz_config.c — libFuzzer harness for the YAML config file reader: any
 * bytes must load or give one error line, never crash or leak. */
#include <stdint.h>
#include <stdio.h>

#include "sensor/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    struct mamori_config cfg;
    char err[CONFIG_ERROR_MAX];
    config_defaults(&cfg);
    config_load_stream(&cfg, f, "fuzz.yaml", err, sizeof err);
    config_free(&cfg);
    fclose(f);
    return 0;
}
