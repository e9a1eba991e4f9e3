/* fuzz_ber.c — libFuzzer harness for the shared BER reader and the MMS Data
 * walker: the whole input is checked as a BER tree, walked as a SEQUENCE OF
 * Data (with and without detail, collecting values), and every element's
 * value is put through the INTEGER/BOOLEAN decoders. The detail is read back. */
#include <stddef.h>
#include <stdint.h>

#include "protocols/iec61850/ber.h"
#include "protocols/iec61850/mms_data.h"

static struct mamori_detail detail;

static void decode_values(cursor c, unsigned depth)
{
    struct ber_tlv tlv;
    while (ber_next(&c, &tlv) == BER_OK) {
        uint64_t u;
        int64_t i;
        bool b;
        (void)ber_uint(tlv.value, &u);
        (void)ber_int(tlv.value, &i);
        (void)ber_bool(tlv.value, &b);
        if (tlv.constructed && depth < BER_MAX_DEPTH)
            decode_values(tlv.value, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor all = cursor_make(data, size);
    enum ber_status st = ber_check_tree(all, 0);
    if (!ber_status_name(st))
        __builtin_trap();
    decode_values(all, 0);

    struct mamori_event ev;
    mamori_event_init(&ev, NULL, "fuzz");
    detail_reset(&detail);
    struct mms_data_out out = { &detail, &ev };
    uint32_t count = 0;
    enum mms_data_error e = mms_data_read_list(&out, "data", all, 0, &count);
    struct mms_data_out bare = { NULL, NULL };
    uint32_t bare_count = 0;
    if (mms_data_read_list(&bare, "data", all, 0, &bare_count) != e || bare_count != count)
        __builtin_trap(); /* detail must never change what is found */
    if (detail.depth != 0)
        __builtin_trap(); /* the walk leaves the detail balanced */
    struct detail_reader r;
    struct detail_token t;
    detail_reader_init(&r, &detail);
    while (detail_next(&r, &t)) {
    }
    return 0;
}
