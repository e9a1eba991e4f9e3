/* main.c — the `mamori` program: command line, then the capture pipeline. */
#include <stdio.h>
#include <string.h>

#include "protocols/registry.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("mamori %s (decoder ABI %d)\n", MAMORI_VERSION, MAMORI_DECODER_ABI);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--list-decoders") == 0) {
        struct mamori_registry reg;
        registry_init(&reg);
        for (size_t i = 0; i < reg.count; i++)
            printf("%-12s %s\n", reg.decoders[i]->name, reg.decoders[i]->description);
        registry_close(&reg);
        return 0;
    }
    fprintf(stderr, "usage: mamori --version | --list-decoders\n");
    return 2;
}
