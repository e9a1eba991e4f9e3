/* test_plugin.c — the vendor plugin loader with the example plugin: loading,
 * refusal of bad plugins with a clear reason, and the example decoder itself
 * (events, split input, resynchronisation). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/registry.h"

#define MAX_SEEN 32

struct seen_event {
    enum mamori_event_kind kind;
    enum mamori_op op;
    uint32_t unit, function_code, range_start, range_count, n_values;
    double values[4];
    char anomaly[32];
};

static struct seen_event seen[MAX_SEEN];
static size_t seen_count;
static struct mamori_detail detail;

static void record(struct mamori_sink *sink, struct mamori_event *ev)
{
    (void)sink;
    cr_assert_lt(seen_count, MAX_SEEN);
    struct seen_event *s = &seen[seen_count++];
    memset(s, 0, sizeof *s);
    s->kind = ev->kind;
    s->op = ev->op;
    s->unit = ev->unit;
    s->function_code = ev->function_code;
    s->range_start = ev->range_start;
    s->range_count = ev->range_count;
    s->n_values = ev->n_values;
    for (uint32_t i = 0; i < ev->n_values && i < 4; i++)
        s->values[i] = ev->values[i];
    if (ev->anomaly)
        snprintf(s->anomaly, sizeof s->anomaly, "%s", ev->anomaly);
}

static struct mamori_sink sink = { record, &detail };

static char *build_path(const char *relative)
{
    static char path[4096];
    const char *root = getenv("MAMORI_BUILD_ROOT");
    cr_assert_not_null(root, "MAMORI_BUILD_ROOT is set by meson");
    snprintf(path, sizeof path, "%s/%s", root, relative);
    return path;
}

static const struct mamori_decoder *load_example(struct mamori_registry *reg)
{
    char err[512] = "";
    registry_init(reg);
    size_t builtins = reg->count;
    int rc = registry_load_plugin(reg, build_path("protocols/example/mamori_example.so"), err, sizeof err);
    cr_assert_eq(rc, 0, "loading the example plugin failed: %s", err);
    cr_assert_eq(reg->count, builtins + 1);
    const struct mamori_decoder *dec = registry_find(reg, "example");
    cr_assert_not_null(dec);
    return dec;
}

/* read station 7 registers 100..102; reply 3 values; write 2 values at 5; restart */
static const uint8_t conversation[] = {
    0xAC, 0x4E, 0x01, 0x01, 0x00, 0x07, 0x00, 0x04, 0x00, 0x64, 0x00, 0x03,
    0xAC, 0x4E, 0x01, 0x03, 0x00, 0x07, 0x00, 0x06, 0x00, 0x0A, 0x00, 0x0B, 0x00, 0x0C,
    0xAC, 0x4E, 0x01, 0x02, 0x00, 0x07, 0x00, 0x06, 0x00, 0x05, 0x12, 0x34, 0xFF, 0xFF,
    0xAC, 0x4E, 0x01, 0x04, 0x00, 0x07, 0x00, 0x00,
};

static void check_conversation_events(void)
{
    cr_assert_eq(seen_count, 4);
    cr_assert_eq(seen[0].op, MAMORI_OP_READ);
    cr_assert_eq(seen[0].unit, 7);
    cr_assert_eq(seen[0].range_start, 100);
    cr_assert_eq(seen[0].range_count, 3);
    cr_assert_eq(seen[1].op, MAMORI_OP_REPORT);
    cr_assert_eq(seen[1].n_values, 3);
    cr_assert_eq(seen[1].values[2], 12.0);
    cr_assert_eq(seen[2].op, MAMORI_OP_WRITE);
    cr_assert_eq(seen[2].range_start, 5);
    cr_assert_eq(seen[2].range_count, 2);
    cr_assert_eq(seen[2].values[0], 0x1234);
    cr_assert_eq(seen[2].values[1], 0xFFFF);
    cr_assert_eq(seen[3].op, MAMORI_OP_RESTART);
    cr_assert_eq(seen[3].function_code, 4);
}

/* Feeds `data` the way the core does: unconsumed bytes are presented again
 * with the next chunk. */
static void feed_in_chunks(const struct mamori_decoder *dec, const uint8_t *data, size_t len, size_t split)
{
    uint8_t held[sizeof conversation * 2];
    size_t held_len = 0;
    struct mamori_parse_ctx ctx = { .dir = MAMORI_DIR_TO_SERVER, .sink = &sink };
    for (size_t off = 0; off < len;) {
        size_t n = off < split ? split - off : len - off;
        memcpy(held + held_len, data + off, n);
        held_len += n;
        off += n;
        size_t used = dec->parse(NULL, held, held_len, &ctx);
        cr_assert_leq(used, held_len);
        memmove(held, held + used, held_len - used);
        held_len -= used;
    }
    cr_assert_eq(held_len, 0, "every byte of complete PDUs is consumed");
}

Test(plugin, loads_example_and_decodes)
{
    struct mamori_registry reg;
    const struct mamori_decoder *dec = load_example(&reg);
    cr_assert_eq(dec->tcp_ports[0], 47000);
    seen_count = 0;
    feed_in_chunks(dec, conversation, sizeof conversation, sizeof conversation);
    check_conversation_events();
    registry_close(&reg);
}

Test(plugin, example_accepts_input_split_at_any_byte)
{
    struct mamori_registry reg;
    const struct mamori_decoder *dec = load_example(&reg);
    for (size_t split = 1; split < sizeof conversation; split++) {
        seen_count = 0;
        feed_in_chunks(dec, conversation, sizeof conversation, split);
        check_conversation_events();
    }
    registry_close(&reg);
}

Test(plugin, example_resynchronises_after_garbage)
{
    struct mamori_registry reg;
    const struct mamori_decoder *dec = load_example(&reg);
    uint8_t stream[sizeof conversation + 5] = { 0x00, 0xAC, 0x13, 0x37, 0xFF };
    memcpy(stream + 5, conversation, sizeof conversation);
    seen_count = 0;
    struct mamori_parse_ctx ctx = { .dir = MAMORI_DIR_TO_SERVER, .sink = &sink };
    cr_assert_eq(dec->parse(NULL, stream, sizeof stream, &ctx), sizeof stream);
    cr_assert_eq(seen_count, 5);
    cr_assert_eq(seen[4].kind, MAMORI_EVENT_ANOMALY);
    cr_assert_str_eq(seen[4].anomaly, "garbage_skipped");
    cr_assert_eq(dec->probe(stream + 5, 3, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_YES);
    cr_assert_eq(dec->probe(stream, 3, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_NO);
    cr_assert_eq(dec->probe(stream + 5, 2, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_MORE);
    registry_close(&reg);
}

Test(plugin, refuses_wrong_abi_with_reason)
{
    struct mamori_registry reg;
    char err[512] = "";
    registry_init(&reg);
    size_t before = reg.count;
    const char *path = build_path("tests/unit/plugin_wrong_abi.so");
    cr_assert_eq(registry_load_plugin(&reg, path, err, sizeof err), -1);
    char expected[4200];
    snprintf(expected, sizeof expected, "%s: decoder ABI version does not match this sensor", path);
    cr_assert_str_eq(err, expected);
    cr_assert_eq(reg.count, before);
    registry_close(&reg);
}

Test(plugin, refuses_missing_file_and_non_plugins)
{
    struct mamori_registry reg;
    char err[512] = "";
    registry_init(&reg);
    cr_assert_eq(registry_load_plugin(&reg, "/nonexistent/x.so", err, sizeof err), -1);
    cr_assert(strncmp(err, "/nonexistent/x.so: cannot load decoder plugin: ", 47) == 0, "got: %s", err);
    cr_assert_eq(registry_load_plugin(&reg, "libm.so.6", err, sizeof err), -1);
    cr_assert_str_eq(err, "libm.so.6: not a mamori decoder (no mamori_decoder_entry symbol)");
    registry_close(&reg);
}

Test(plugin, refuses_loading_the_same_decoder_twice)
{
    struct mamori_registry reg;
    char err[512] = "";
    load_example(&reg);
    const char *path = build_path("protocols/example/mamori_example.so");
    cr_assert_eq(registry_load_plugin(&reg, path, err, sizeof err), -1);
    cr_assert(strstr(err, "a decoder of that name is already loaded") != NULL, "got: %s", err);
    registry_close(&reg);
}
