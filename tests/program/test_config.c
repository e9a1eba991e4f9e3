/* test_config.c — the config file and the command line: every value kind,
 * overrides, and the exact one-line error (with file:line) for each kind of
 * mistake. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/config.h"

static char path[64];

/* Writes text to a fresh temporary file; its name is in `path`. */
static const char *write_config(const char *text)
{
    snprintf(path, sizeof path, "/tmp/mamori-config-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    size_t len = strlen(text);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static void remove_config(void)
{
    if (path[0])
        unlink(path);
    path[0] = '\0';
}

/* Loads text as a config file and returns the error (empty when it loaded). */
static const char *load_error(struct mamori_config *cfg, const char *text)
{
    static char err[CONFIG_ERROR_MAX];
    err[0] = '\0';
    config_defaults(cfg);
    config_load_file(cfg, write_config(text), err, sizeof err);
    return err;
}

/* "PATH:LINE: rest" for the current temporary file. */
static const char *at_line(int line, const char *rest)
{
    static char text[CONFIG_ERROR_MAX];
    snprintf(text, sizeof text, "%s:%d: %s", path, line, rest);
    return text;
}

TestSuite(config, .fini = remove_config);

Test(config, good_file_sets_every_kind_of_value)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg,
                                 "# a sensor on the substation LAN\n"
                                 "capture:\n"
                                 "  snaplen: 1514\n"
                                 "  buffer_size: 64M\n"
                                 "  promiscuous: no\n"
                                 "  immediate: on\n"
                                 "  filter: \"tcp port 502 or udp port 20000\"\n"
                                 "flows:\n"
                                 "  max_flows: 200000\n"
                                 "  tcp_idle_timeout: 2h\n"
                                 "  udp_idle_timeout: 90s\n"
                                 "  ndpi: false\n"
                                 "reassembly:\n"
                                 "  flow_bytes: 256KiB\n"
                                 "defrag:\n"
                                 "  timeout: 500ms\n"
                                 "decoders:\n"
                                 "  plugins:\n"
                                 "    - /opt/vendor/a.so\n"
                                 "    - /opt/vendor/b.so\n"
                                 "  detail: false\n"
                                 "output:\n"
                                 "  log_dir: /var/log/mamori\n"
                                 "  stats_interval: 1m\n"
                                 "workers:\n"
                                 "  count: 4\n"
                                 "  ring_size: 1G\n"
                                 "privileges:\n"
                                 "  user: nobody\n");
    cr_assert_str_empty(err);
    cr_assert_eq(cfg.snaplen, 1514);
    cr_assert_eq(cfg.buffer_bytes, 64u * 1024 * 1024);
    cr_assert_eq(cfg.promiscuous, false);
    cr_assert_eq(cfg.immediate, true);
    cr_assert_str_eq(cfg.filter, "tcp port 502 or udp port 20000");
    cr_assert_eq(cfg.pipeline.max_flows, 200000);
    cr_assert_eq(cfg.pipeline.tcp_idle_timeout_us, UINT64_C(7200000000));
    cr_assert_eq(cfg.pipeline.udp_idle_timeout_us, UINT64_C(90000000));
    cr_assert_eq(cfg.pipeline.classify, false);
    cr_assert_eq(cfg.pipeline.reassembly_flow_bytes, 256 * 1024);
    cr_assert_eq(cfg.pipeline.defrag_timeout_us, 500000);
    cr_assert_eq(cfg.n_plugins, 2);
    cr_assert_str_eq(cfg.plugins[0], "/opt/vendor/a.so");
    cr_assert_str_eq(cfg.plugins[1], "/opt/vendor/b.so");
    cr_assert_eq(cfg.pipeline.want_detail, false);
    cr_assert_str_eq(cfg.log_dir, "/var/log/mamori");
    cr_assert_eq(cfg.stats_interval_us, UINT64_C(60000000));
    cr_assert_eq(cfg.workers, 4);
    cr_assert_eq(cfg.ring_bytes, UINT64_C(1) << 30);
    cr_assert_str_eq(cfg.user, "nobody");
    config_free(&cfg);
}

Test(config, empty_file_keeps_defaults)
{
    struct mamori_config cfg, defaults;
    cr_assert_str_empty(load_error(&cfg, ""));
    config_defaults(&defaults);
    cr_assert_eq(memcmp(&cfg.pipeline, &defaults.pipeline, sizeof cfg.pipeline), 0);
    cr_assert_eq(cfg.workers, 1);
    cr_assert_eq(cfg.promiscuous, true);
    cr_assert_null(cfg.log_dir);
    config_free(&cfg);
    config_free(&defaults);
}

Test(config, sample_config_documents_the_defaults)
{
    char sample[4096];
    const char *root = getenv("MAMORI_SOURCE_ROOT");
    cr_assert_not_null(root, "MAMORI_SOURCE_ROOT is set by tests/meson.build");
    snprintf(sample, sizeof sample, "%s/docs/mamori.yaml", root);
    struct mamori_config cfg, defaults;
    char err[CONFIG_ERROR_MAX] = "";
    config_defaults(&cfg);
    cr_assert_eq(config_load_file(&cfg, sample, err, sizeof err), 0, "%s", err);
    config_defaults(&defaults);
    cr_assert_eq(memcmp(&cfg.pipeline, &defaults.pipeline, sizeof cfg.pipeline), 0);
    cr_assert_eq(cfg.snaplen, defaults.snaplen);
    cr_assert_eq(cfg.buffer_bytes, defaults.buffer_bytes);
    cr_assert_eq(cfg.immediate, defaults.immediate);
    cr_assert_eq(cfg.promiscuous, defaults.promiscuous);
    cr_assert_eq(cfg.stats_interval_us, defaults.stats_interval_us);
    cr_assert_eq(cfg.progress, defaults.progress);
    cr_assert_eq(cfg.workers, defaults.workers);
    cr_assert_eq(cfg.ring_bytes, defaults.ring_bytes);
    cr_assert_eq(cfg.builtin_decoders, defaults.builtin_decoders);
    cr_assert_eq(cfg.hub_spool_bytes, defaults.hub_spool_bytes);
    cr_assert_null(cfg.interface);
    cr_assert_null(cfg.hub_endpoint);
    cr_assert_null(cfg.user);
    cr_assert_eq(cfg.n_plugins, 0);
    config_free(&cfg);
    config_free(&defaults);
}

Test(config, section_with_only_comments)
{
    struct mamori_config cfg;
    cr_assert_str_empty(load_error(&cfg, "privileges:\n  # user: mamori\nworkers:\n  count: 3\n"));
    cr_assert_eq(cfg.workers, 3);
    config_free(&cfg);
}

Test(config, unknown_setting_names_file_and_line)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "flows:\n  max_flows: 10\n  maxflows: 20\n");
    cr_assert_str_eq(err, at_line(3, "flows.maxflows: unknown setting (mamori --list-settings shows them all)"));
    config_free(&cfg);
}

Test(config, bad_duration)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "flows:\n  tcp_idle_timeout: 10 minutes\n");
    cr_assert_str_eq(err, at_line(2, "flows.tcp_idle_timeout: expected a duration (a whole number with us, ms, s, "
                                     "m, h or d) from 1ms to 365d, got '10 minutes'"));
    config_free(&cfg);
}

Test(config, number_out_of_range)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "\n\nworkers:\n  count: 65\n");
    cr_assert_str_eq(err, at_line(4, "workers.count: expected a whole number from 1 to 64, got '65'"));
    config_free(&cfg);
}

Test(config, number_overflow)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "flows:\n  max_flows: 99999999999999999999999\n");
    cr_assert_str_eq(err, at_line(2, "flows.max_flows: expected a whole number from 1 to 100000000, got "
                                     "'99999999999999999999999'"));
    config_free(&cfg);
}

Test(config, bad_size)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "capture:\n  buffer_size: 12X\n");
    cr_assert_str_eq(err, at_line(2, "capture.buffer_size: expected a size in bytes (K, M or G suffix allowed) "
                                     "from 64K to 2G, got '12X'"));
    config_free(&cfg);
}

Test(config, bad_bool)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "capture:\n  promiscuous: maybe\n");
    cr_assert_str_eq(err, at_line(2, "capture.promiscuous: expected true or false, got 'maybe'"));
    config_free(&cfg);
}

Test(config, empty_text)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "output:\n  log_dir: ''\n");
    cr_assert_str_eq(err, at_line(2, "output.log_dir: expected a non-empty text"));
    config_free(&cfg);
}

Test(config, section_must_be_a_mapping)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "flows: 5\n");
    cr_assert_str_eq(err, at_line(1, "flows: expected a mapping of settings under this section"));
    config_free(&cfg);
}

Test(config, list_for_a_single_value)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "workers:\n  count: [1, 2]\n");
    cr_assert_str_eq(err, at_line(2, "workers.count: expected a single value, not a list"));
    config_free(&cfg);
}

Test(config, mapping_for_a_single_value)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "workers:\n  count:\n    a: 1\n");
    cr_assert_str_eq(err, at_line(3, "workers.count: expected a single value, not a mapping"));
    config_free(&cfg);
}

Test(config, top_level_must_be_a_mapping)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "- flows\n");
    cr_assert_str_eq(err, at_line(1, "expected a mapping of sections (capture:, flows:, ...)"));
    config_free(&cfg);
}

Test(config, yaml_syntax_error_names_the_line)
{
    struct mamori_config cfg;
    const char *err = load_error(&cfg, "flows:\n  max_flows: 10\n decoders: [a\n");
    cr_assert_str_eq(err, at_line(3, "YAML syntax error: did not find expected key"));
    config_free(&cfg);
}

Test(config, missing_file)
{
    struct mamori_config cfg;
    char err[CONFIG_ERROR_MAX];
    config_defaults(&cfg);
    cr_assert_eq(config_load_file(&cfg, "/nonexistent/mamori.yaml", err, sizeof err), -1);
    cr_assert_str_eq(err, "/nonexistent/mamori.yaml: cannot open config file: No such file or directory");
    config_free(&cfg);
}

Test(config, value_suffixes)
{
    struct mamori_config cfg;
    char err[CONFIG_ERROR_MAX];
    config_defaults(&cfg);
    cr_assert_eq(config_set(&cfg, "reassembly.total_bytes", "3g", err, sizeof err), 0);
    cr_assert_eq(cfg.pipeline.reassembly_total_bytes, (size_t)3 << 30);
    cr_assert_eq(config_set(&cfg, "reassembly.flow_bytes", "1024", err, sizeof err), 0);
    cr_assert_eq(cfg.pipeline.reassembly_flow_bytes, 1024);
    cr_assert_eq(config_set(&cfg, "decoders.response_timeout", "1d", err, sizeof err), 0);
    cr_assert_eq(cfg.pipeline.response_timeout_us, UINT64_C(86400000000));
    cr_assert_eq(config_set(&cfg, "flows.l2_idle_timeout", "45", err, sizeof err), 0);
    cr_assert_eq(cfg.pipeline.l2_idle_timeout_us, UINT64_C(45000000));
    cr_assert_eq(config_set(&cfg, "output.stats_interval", "0", err, sizeof err), 0);
    cr_assert_eq(cfg.stats_interval_us, 0);
    cr_assert_eq(config_set(&cfg, "flows.udp_idle_timeout", "-5s", err, sizeof err), -1);
    cr_assert_str_eq(err, "flows.udp_idle_timeout: expected a duration (a whole number with us, ms, s, m, h or d) "
                          "from 1ms to 365d, got '-5s'");
    config_free(&cfg);
}

/* Runs config_parse_args over a NULL-terminated argument list. */
static enum config_action parse(struct mamori_config *cfg, char *err, const char *const *args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"mamori";
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    err[0] = '\0';
    return config_parse_args(cfg, argc, argv, err, CONFIG_ERROR_MAX);
}

#define PARSE(cfg, err, ...) parse(cfg, err, (const char *const[]){__VA_ARGS__, NULL})

Test(cli, command_line_overrides_the_file)
{
    write_config("workers:\n  count: 4\nflows:\n  max_flows: 1000\ncapture:\n  interface: eth9\n");
    struct mamori_config cfg;
    char err[CONFIG_ERROR_MAX];
    cr_assert_eq(PARSE(&cfg, err, "-w", "2", "-c", path, "-r", "a.pcap", "-r", "b.pcapng", "--max-flows=77",
                       "tcp", "port", "502"),
                 CONFIG_RUN, "%s", err);
    cr_assert_eq(cfg.workers, 2);
    cr_assert_eq(cfg.pipeline.max_flows, 77);
    cr_assert_eq(cfg.n_files, 2);
    cr_assert_str_eq(cfg.files[0], "a.pcap");
    cr_assert_str_eq(cfg.files[1], "b.pcapng");
    cr_assert_null(cfg.interface, "-r replaces the interface named in the file");
    cr_assert_str_eq(cfg.filter, "tcp port 502");
    config_free(&cfg);
    remove_config();
}

Test(cli, generic_set_and_switches)
{
    struct mamori_config cfg;
    char err[CONFIG_ERROR_MAX];
    cr_assert_eq(PARSE(&cfg, err, "-i", "eth1", "-p", "--immediate", "--no-detail", "--no-ndpi", "-o",
                       "defrag.max_datagrams=17", "--set", "flows.tcp_closed_timeout=5s", "-B", "8M", "-s", "1514",
                       "--decoder", "x.so", "-u", "nobody", "--stats-interval", "10s", "-l", "/tmp/logs"),
                 CONFIG_RUN, "%s", err);
    cr_assert_str_eq(cfg.interface, "eth1");
    cr_assert_eq(cfg.promiscuous, false);
    cr_assert_eq(cfg.immediate, true);
    cr_assert_eq(cfg.pipeline.want_detail, false);
    cr_assert_eq(cfg.pipeline.classify, false);
    cr_assert_eq(cfg.pipeline.defrag_max_datagrams, 17);
    cr_assert_eq(cfg.pipeline.tcp_closed_timeout_us, 5000000);
    cr_assert_eq(cfg.buffer_bytes, 8u << 20);
    cr_assert_eq(cfg.snaplen, 1514);
    cr_assert_eq(cfg.n_plugins, 1);
    cr_assert_str_eq(cfg.user, "nobody");
    cr_assert_eq(cfg.stats_interval_us, 10000000);
    cr_assert_str_eq(cfg.log_dir, "/tmp/logs");
    cr_assert_null(cfg.filter);
    config_free(&cfg);
}

Test(cli, errors_are_one_line)
{
    static const struct {
        const char *args[4];
        const char *message;
    } cases[] = {
        {{"-r", "x", "--workers", "0"}, "--workers: expected a whole number from 1 to 64, got '0'"},
        {{"-r", "x", "-w", "many"}, "--workers: expected a whole number from 1 to 64, got 'many'"},
        {{"-r", "x", "--snaplen", "10"}, "--snaplen: expected a whole number from 64 to 262144, got '10'"},
        {{"-r", "x", "--bogus"}, "unknown option '--bogus' (see --help)"},
        {{"-r", "x", "-Z"}, "unknown option '-Z' (see --help)"},
        {{"-r"}, "option '-r' needs a value"},
        {{"-r", "x", "-o", "flows.max=1"}, "flows.max: unknown setting (mamori --list-settings shows them all)"},
        {{"-r", "x", "-o", "=1"}, "--set: expected NAME=VALUE, got '=1'"},
        {{"-r", "x", "-i", "eth0"}, "give either -r FILE or -i INTERFACE, not both"},
        {{"-w", "2"}, "no capture source: give -r FILE or -i INTERFACE (see --help)"},
        {{"-c", "/nonexistent.yaml", "-r", "x"}, "/nonexistent.yaml: cannot open config file: No such file or directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[5] = {0};
        memcpy(args, cases[i].args, sizeof cases[i].args);
        struct mamori_config cfg;
        char err[CONFIG_ERROR_MAX];
        cr_assert_eq(parse(&cfg, err, args), CONFIG_ERROR, "case %zu", i);
        cr_assert_str_eq(err, cases[i].message, "case %zu", i);
        config_free(&cfg);
    }
}

Test(cli, config_file_error_from_the_command_line)
{
    write_config("capture:\n  snaplen: huge\n");
    struct mamori_config cfg;
    char err[CONFIG_ERROR_MAX];
    cr_assert_eq(PARSE(&cfg, err, "-r", "x", "-c", path), CONFIG_ERROR);
    cr_assert_str_eq(err, at_line(2, "capture.snaplen: expected a whole number from 64 to 262144, got 'huge'"));
    config_free(&cfg);
    remove_config();
}

Test(cli, actions)
{
    struct mamori_config cfg;
    char err[CONFIG_ERROR_MAX];
    cr_assert_eq(PARSE(&cfg, err, "--help"), CONFIG_HELP);
    config_free(&cfg);
    cr_assert_eq(PARSE(&cfg, err, "-V"), CONFIG_VERSION);
    config_free(&cfg);
    cr_assert_eq(PARSE(&cfg, err, "--list-decoders", "--decoder", "p.so"), CONFIG_LIST_DECODERS);
    cr_assert_eq(cfg.n_plugins, 1);
    config_free(&cfg);
    cr_assert_eq(PARSE(&cfg, err, "--list-settings"), CONFIG_LIST_SETTINGS);
    config_free(&cfg);
}
