/* fuzz_sector_files.c — libFuzzer harness for the files the engine reads:
 * the first byte picks a sector profile / site file (odd) or a saved baseline
 * (even); the rest is the file's content. Both loaders must report errors,
 * never crash or leak, whatever the bytes. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sectors/baseline.h"
#include "sectors/profile.h"

#define FUZZ_TABLE_ENTRIES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mamori_profile profile;
    static struct profile_errors errors;
    if (size < 2)
        return 0;
    FILE *f = fmemopen((void *)(data + 1), size - 1, "r");
    if (!f)
        return 0;
    if (data[0] & 1) {
        profile_defaults(&profile);
        memset(&errors, 0, sizeof errors);
        profile_load_stream(&profile, f, "fuzz.yaml", &errors);
    } else {
        FILE *sink = fopen("/dev/null", "w");
        struct baseline_limits lim = { FUZZ_TABLE_ENTRIES, FUZZ_TABLE_ENTRIES, FUZZ_TABLE_ENTRIES,
                                       FUZZ_TABLE_ENTRIES, FUZZ_TABLE_ENTRIES };
        struct baseline *bl = baseline_load_stream(f, "fuzz.baseline", &lim, sink ? sink : stderr);
        if (bl && sink)
            baseline_write(bl, sink);
        baseline_free(bl);
        if (sink)
            fclose(sink);
    }
    fclose(f);
    return 0;
}
