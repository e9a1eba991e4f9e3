/* mms_response.c — the result of each MMS confirmed service response that
 * carries one an operator needs: read results, write results, name lists,
 * identify (vendor, model, revision), variable list attributes, upload and
 * file state machine ids, directory listings (mms_private.h); and the
 * identity in read results of IEC 61850 nameplates (mms_pdu.h). Responses
 * that are NULL or carry only attributes are reported by service only. */
#include <stdio.h>
#include <string.h>

#include "mms_data.h"
#include "mms_private.h"
#include "mms_services.h"


/* Read-Response: variableAccessSpecificatn [0] OPTIONAL, listOfAccessResult [1]. */
static void read_response(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m, vas;
    bool have_results = false;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0) && mms_next(p, &m.value, &vas)) {
            mms_read_variable_access(p, &vas);
        } else if (mms_is_ctx(&m, MMS_CTX1)) {
            mms_read_access_results(p, "listOfAccessResult", m.value);
            p->info->results = m.value;
            p->info->has_results = have_results = true;
        }
    }
    if (!have_results)
        mms_fail(p, "mms_read_response_without_results");
}

/* Write-Response: SEQUENCE OF CHOICE { failure [0], success [1] NULL }. */
static void write_response(struct mms_pdu_ctx *p, cursor results)
{
    struct ber_tlv r;
    detail_array_begin(p->d, "write");
    while (mms_next(p, &results, &r)) {
        int64_t code;
        detail_object_begin(p->d, NULL);
        if (mms_is_ctx(&r, MMS_CTX0)) {
            if (mms_read_int(p, "failure", &r, &code) && !p->ev->has_status) {
                p->ev->has_status = true;
                p->ev->status = (int32_t)code;
            }
        } else if (mms_is_ctx(&r, MMS_CTX1)) {
            detail_null(p->d, "success");
        } else {
            mms_fail(p, "mms_bad_write_result");
        }
        detail_end(p->d);
    }
    detail_end(p->d);
}

/* GetNameList-Response: listOfIdentifier [0], moreFollows [1]. */
static void list_response(struct mms_pdu_ctx *p, const char *list_key, cursor args)
{
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0))
            mms_read_identifier_list(p, list_key, m.value);
        else if (mms_is_ctx(&m, MMS_CTX1))
            mms_read_bool(p, "moreFollows", &m);
    }
}

/* Identify-Response: vendorName [0], modelName [1], revision [2]; also the
 * device's identity for the inventory. */
static void identify_response(struct mms_pdu_ctx *p, cursor args)
{
    static const char *const keys[] = {"vendorName", "modelName", "revision"};
    static const char *const identity[] = {"vendor", "model_name", "revision"};
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (m.cls != BER_CLASS_CONTEXT || m.tag > MMS_CTX2)
            continue;
        mms_read_identifier(p, keys[m.tag], &m, false);
        cursor v = m.value;
        size_t n = cursor_left(&v);
        if (!m.constructed)
            mamori_event_add_identity(p->ev, identity[m.tag], cursor_bytes(&v, n), n);
    }
    if (p->ev->n_identity > 0)
        p->ev->kind = MAMORI_EVENT_IDENTITY;
    else
        mms_fail(p, "mms_identify_without_identity");
}

/* GetNamedVariableListAttributes-Response: mmsDeletable [0], listOfVariable [1]. */
static void variable_list_attributes_response(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0))
            mms_read_bool(p, "mmsDeletable", &m);
        else if (mms_is_ctx(&m, MMS_CTX1))
            mms_read_variable_list(p, "listOfVariable", m.value);
    }
}

/* Responses whose first member is an [0] IMPLICIT Integer32 state machine id. */
static void id_response(struct mms_pdu_ctx *p, const char *key, cursor args)
{
    struct ber_tlv m;
    if (mms_next(p, &args, &m) && mms_is_ctx(&m, MMS_CTX0))
        mms_read_int(p, key, &m, NULL);
}

/* FileRead-Response: fileData [0], moreFollows [1]. The data is counted, not copied. */
static void file_read_response(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0))
            detail_uint(p->d, "fileData", cursor_left(&m.value));
        else if (mms_is_ctx(&m, MMS_CTX1))
            mms_read_bool(p, "moreFollows", &m);
    }
}

/* FileDirectory-Response: listOfDirectoryEntry [0] SEQUENCE OF SEQUENCE
 * { fileName [0], fileAttributes [1] }, moreFollows [1]. */
static void file_directory_response(struct mms_pdu_ctx *p, cursor args)
{
    struct ber_tlv m, entry, field;
    MMS_FOR_EACH_MEMBER (p, args, &m) {
        if (mms_is_ctx(&m, MMS_CTX0)) {
            detail_array_begin(p->d, "listOfDirectoryEntry");
            for (cursor entries = m.value; mms_next(p, &entries, &entry);) {
                if (!ber_is(&entry, BER_CLASS_UNIVERSAL, MMS_TAG_SEQUENCE)) {
                    mms_fail(p, "mms_bad_directory_entry");
                    break;
                }
                detail_object_begin(p->d, NULL);
                for (cursor fields = entry.value; mms_next(p, &fields, &field);)
                    if (mms_is_ctx(&field, MMS_CTX0) && field.constructed)
                        mms_read_file_name(p, "fileName", field.value);
                detail_end(p->d);
            }
            detail_end(p->d);
        } else if (mms_is_ctx(&m, MMS_CTX1)) {
            mms_read_bool(p, "moreFollows", &m);
        }
    }
}

/* Where the facts of one nameplate entry go: the event, their logical
 * device (empty for a PhyNam) and the buffer their qualified names live in. */
struct nameplate_out {
    struct mamori_event *ev;
    struct mamori_text ld;
    struct mms_fact_names *names;
};

/* The name of fact `base` of out's entry: `base` itself, or "base:<LD>"
 * composed in the names slot of the fact it would become. */
static const char *fact_name(const struct nameplate_out *out, const char *base)
{
    if (!out->ld.len)
        return base;
    char *name = out->names->name[out->ev->n_identity];
    snprintf(name, MMS_FACT_NAME_MAX, "%s:%.*s", base, (int)out->ld.len, out->ld.ptr);
    return name;
}

/* Adds identity fact `base` from a Data element when it is a non-empty
 * visible or MMS string and the event has no fact of that name yet. */
static void add_identity(const struct nameplate_out *out, const char *base, const struct ber_tlv *data)
{
    struct mamori_event *ev = out->ev;
    if (!base || data->cls != BER_CLASS_CONTEXT || data->constructed ||
        (data->tag != MMS_DATA_VISIBLE_STRING && data->tag != MMS_DATA_MMS_STRING) ||
        ev->n_identity >= MAMORI_EVENT_MAX_IDENTITY)
        return;
    cursor v = data->value;
    size_t n = cursor_left(&v);
    if (!n)
        return;
    const char *name = fact_name(out, base);
    for (uint32_t i = 0; i < ev->n_identity; i++)
        if (strcmp(ev->identity[i].name, name) == 0)
            return;
    mamori_event_add_identity(ev, name, cursor_bytes(&v, n), n);
}

/* The fact of component `i` of a structure of `count` DC components: the
 * component at that position, else the one that comes last. */
static const char *component_at(enum mms_nameplate_cdc cdc, unsigned i, unsigned count)
{
    unsigned n;
    const struct mms_nameplate_component *c = mms_nameplate_components(cdc, &n);
    const char *last = NULL;
    for (unsigned k = 0; k < n; k++) {
        if (c[k].position == (int)i)
            return c[k].identity;
        if (c[k].position == MMS_NAMEPLATE_LAST && i + 1 == count)
            last = c[k].identity;
    }
    return last;
}

/* A whole nameplate structure: its components in DC order. */
static void nameplate_structure(const struct nameplate_out *out, enum mms_nameplate_cdc cdc,
                                const struct ber_tlv *data)
{
    struct ber_tlv m;
    unsigned count = 0, i = 0;
    if (!ber_is(data, BER_CLASS_CONTEXT, MMS_DATA_STRUCTURE) || !data->constructed)
        return;
    for (cursor c = data->value; ber_next(&c, &m) == BER_OK;)
        count++;
    for (cursor c = data->value; ber_next(&c, &m) == BER_OK; i++)
        add_identity(out, component_at(cdc, i, count), &m);
}

bool mms_read_nameplate(const struct mms_nameplate *np, cursor results, struct mamori_event *ev,
                        struct mms_fact_names *names)
{
    struct ber_tlv r;
    uint32_t found = ev->n_identity;
    for (uint32_t at = 0; ber_next(&results, &r) == BER_OK; at++) {
        for (unsigned k = 0; k < np->n; k++) {
            if (np->position[k] != at)
                continue;
            enum mms_nameplate_cdc cdc = (enum mms_nameplate_cdc)np->cdc[k];
            struct nameplate_out out = {ev, {np->ld_text + np->ld_at[k], np->ld_len[k]}, names};
            unsigned count;
            const struct mms_nameplate_component *c = mms_nameplate_components(cdc, &count);
            if (np->component[k] == MMS_NAMEPLATE_WHOLE)
                nameplate_structure(&out, cdc, &r);
            else if (np->component[k] < count)
                add_identity(&out, c[np->component[k]].identity, &r);
        }
    }
    return ev->n_identity > found;
}

void mms_read_response(struct mms_pdu_ctx *p, const struct ber_tlv *svc)
{
    cursor args = svc->value;
    switch (svc->tag) {
    case MMS_SVC_READ:
        read_response(p, args);
        break;
    case MMS_SVC_WRITE:
        write_response(p, args);
        break;
    case MMS_SVC_GET_NAME_LIST:
        list_response(p, "listOfIdentifier", args);
        break;
    case MMS_SVC_IDENTIFY:
        identify_response(p, args);
        break;
    case MMS_SVC_GET_NAMED_VARIABLE_LIST_ATTRIBUTES:
        variable_list_attributes_response(p, args);
        break;
    case MMS_SVC_INITIATE_UPLOAD_SEQUENCE:
        id_response(p, "ulsmID", args);
        break;
    case MMS_SVC_FILE_OPEN:
        id_response(p, "frsmID", args);
        break;
    case MMS_SVC_FILE_READ:
        file_read_response(p, args);
        break;
    case MMS_SVC_FILE_DIRECTORY:
        file_directory_response(p, args);
        break;
    default:
        break;
    }
}
