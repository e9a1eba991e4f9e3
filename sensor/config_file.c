/* config_file.c — reads the YAML config file (libyaml event parser).
 *
 * The file is a mapping of sections, each a mapping of settings:
 *     flows:
 *       max_flows: 200000
 *     decoders:
 *       plugins: [/usr/lib/mamori/vendor.so]
 * "section.key" is handed to config_set(); any error is reported with the
 * file and the line of the offending value. Only a sequence of values is
 * accepted for list settings (decoders.plugins); anchors and aliases are
 * refused. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "config.h"

#define SETTING_NAME_MAX 96

struct yaml_reader {
    yaml_parser_t parser;
    yaml_event_t event;
    bool have_event;
    const char *path;
    char *err;
    size_t errlen;
};

static unsigned event_line(const struct yaml_reader *r)
{
    return (unsigned)r->event.start_mark.line + 1;
}

/* Advances to the next event; -1 with the parser's message on a syntax error. */
static int next_event(struct yaml_reader *r)
{
    if (r->have_event)
        yaml_event_delete(&r->event);
    r->have_event = false;
    if (!yaml_parser_parse(&r->parser, &r->event)) {
        snprintf(r->err, r->errlen, "%s:%u: YAML syntax error: %s", r->path,
                 (unsigned)r->parser.problem_mark.line + 1,
                 r->parser.problem ? r->parser.problem : "unreadable");
        return -1;
    }
    r->have_event = true;
    return 0;
}

static int fail(struct yaml_reader *r, const char *what, const char *name)
{
    snprintf(r->err, r->errlen, "%s:%u: %s%s%s", r->path, event_line(r), name ? name : "", name ? ": " : "",
             what);
    return -1;
}

/* The scalar text of the current event; NULL (and an error) if it holds a NUL. */
static const char *scalar_text(struct yaml_reader *r, const char *name)
{
    const char *text = (const char *)r->event.data.scalar.value;
    if (strlen(text) != r->event.data.scalar.length) {
        fail(r, "value contains a NUL byte", name);
        return NULL;
    }
    return text;
}

static int apply_scalar(struct yaml_reader *r, struct mamori_config *cfg, const char *name)
{
    const char *text = scalar_text(r, name);
    if (!text)
        return -1;
    char why[CONFIG_ERROR_MAX];
    if (config_set(cfg, name, text, why, sizeof why) != 0) {
        snprintf(r->err, r->errlen, "%s:%u: %s", r->path, event_line(r), why);
        return -1;
    }
    return 0;
}

/* A sequence value: every item is applied in turn (list settings append). */
static int apply_sequence(struct yaml_reader *r, struct mamori_config *cfg, const char *name)
{
    if (strcmp(name, "decoders.plugins") != 0)
        return fail(r, "expected a single value, not a list", name);
    for (;;) {
        if (next_event(r) != 0)
            return -1;
        if (r->event.type == YAML_SEQUENCE_END_EVENT)
            return 0;
        if (r->event.type != YAML_SCALAR_EVENT)
            return fail(r, "expected a list of paths", name);
        if (apply_scalar(r, cfg, name) != 0)
            return -1;
    }
}

static int read_section(struct yaml_reader *r, struct mamori_config *cfg, const char *section)
{
    for (;;) {
        if (next_event(r) != 0)
            return -1;
        if (r->event.type == YAML_MAPPING_END_EVENT)
            return 0;
        if (r->event.type != YAML_SCALAR_EVENT)
            return fail(r, "expected a setting name", section);
        char name[SETTING_NAME_MAX];
        const char *key = scalar_text(r, section);
        if (!key)
            return -1;
        snprintf(name, sizeof name, "%s.%s", section, key);
        if (next_event(r) != 0)
            return -1;
        switch (r->event.type) {
        case YAML_SCALAR_EVENT:
            if (apply_scalar(r, cfg, name) != 0)
                return -1;
            break;
        case YAML_SEQUENCE_START_EVENT:
            if (apply_sequence(r, cfg, name) != 0)
                return -1;
            break;
        case YAML_ALIAS_EVENT:
            return fail(r, "aliases are not supported", name);
        default:
            return fail(r, "expected a single value, not a mapping", name);
        }
    }
}

static int read_document(struct yaml_reader *r, struct mamori_config *cfg)
{
    if (next_event(r) != 0)
        return -1;
    if (r->event.type == YAML_SCALAR_EVENT && r->event.data.scalar.length == 0)
        return next_event(r); /* an empty document */
    if (r->event.type != YAML_MAPPING_START_EVENT)
        return fail(r, "expected a mapping of sections (capture:, flows:, ...)", NULL);
    for (;;) {
        if (next_event(r) != 0)
            return -1;
        if (r->event.type == YAML_MAPPING_END_EVENT)
            return next_event(r);
        if (r->event.type != YAML_SCALAR_EVENT)
            return fail(r, "expected a section name", NULL);
        char section[SETTING_NAME_MAX / 2];
        const char *key = scalar_text(r, NULL);
        if (!key)
            return -1;
        snprintf(section, sizeof section, "%s", key);
        if (next_event(r) != 0)
            return -1;
        if (r->event.type == YAML_SCALAR_EVENT && r->event.data.scalar.length == 0)
            continue; /* a section with nothing set (only comments) */
        if (r->event.type != YAML_MAPPING_START_EVENT)
            return fail(r, "expected a mapping of settings under this section", section);
        if (read_section(r, cfg, section) != 0)
            return -1;
    }
}

static int read_stream(struct yaml_reader *r, struct mamori_config *cfg)
{
    if (next_event(r) != 0)
        return -1;
    if (r->event.type != YAML_STREAM_START_EVENT)
        return fail(r, "not a YAML stream", NULL);
    for (;;) {
        if (next_event(r) != 0)
            return -1;
        if (r->event.type == YAML_STREAM_END_EVENT)
            return 0;
        if (r->event.type != YAML_DOCUMENT_START_EVENT)
            return fail(r, "expected a YAML document", NULL);
        if (read_document(r, cfg) != 0)
            return -1;
        if (r->event.type != YAML_DOCUMENT_END_EVENT)
            return fail(r, "expected the end of the document", NULL);
    }
}

int config_load_stream(struct mamori_config *cfg, FILE *f, const char *name, char *err, size_t errlen)
{
    struct yaml_reader r = {.path = name, .err = err, .errlen = errlen};
    if (!yaml_parser_initialize(&r.parser)) {
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    yaml_parser_set_input_file(&r.parser, f);
    int rc = read_stream(&r, cfg);
    if (r.have_event)
        yaml_event_delete(&r.event);
    yaml_parser_delete(&r.parser);
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: read error", name);
        rc = -1;
    }
    return rc;
}

int config_load_file(struct mamori_config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open config file: %s", path, strerror(errno));
        return -1;
    }
    int rc = config_load_stream(cfg, f, path, err, errlen);
    fclose(f);
    return rc;
}
