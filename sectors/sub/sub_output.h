/* sub_output.h — how mamori-sub prints an alert: a JSON line (the alert-log
 * object plus the posting organisation and topic) or a row of a table meant
 * for a person at a terminal. STIX bundles are stix.h. */
#ifndef MAMORI_SUB_OUTPUT_H
#define MAMORI_SUB_OUTPUT_H

#include <stdio.h>

#include "sectors/alert.h"
#include "sensor/json_writer.h"

void sub_print_json(FILE *out, struct json_writer *w, const struct mamori_alert *a, const char *organisation,
                    const char *topic);
void sub_print_table_header(FILE *out);
void sub_print_table_row(FILE *out, const struct mamori_alert *a, const char *organisation);

#endif
