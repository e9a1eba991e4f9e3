/* fuzz_alert_msgpack.c — libFuzzer harness for alert_from_msgpack(): any input
 * is either refused with a reason or accepted, and an accepted alert must
 * re-encode to msgpack that decodes to the same JSON. */
#include <stdlib.h>
#include <string.h>

#include "sectors/alert_codec.h"

static struct mamori_alert first, second;
static uint8_t wire[ALERT_MSGPACK_MAX];
static char json_first[65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct json_writer w;
    char why[ALERT_REASON_MAX];
    if (!w.buf && json_writer_init(&w, sizeof json_first) != 0)
        abort();
    if (!alert_from_msgpack(data, size, &first, why, sizeof why)) {
        if (why[0] == '\0')
            abort(); /* every refusal names its reason */
        return 0;
    }
    size_t n = alert_to_msgpack(&first, wire, sizeof wire);
    if (n == 0 || !alert_from_msgpack(wire, n, &second, why, sizeof why))
        abort();
    alert_json(&w, &first);
    memcpy(json_first, w.buf, w.len + 1);
    alert_json(&w, &second);
    if (strcmp(json_first, w.buf) != 0)
        abort();
    return 0;
}
