/* mms_names.c — readers for the MMS types every service shares: integers,
 * Identifier, ObjectName, VariableAccessSpecification, FileName, AccessResult,
 * ServiceError (mms_private.h). They write the detail and the event's object;
 * they do not decide the operation class. */
#include <string.h>

#include "mms_data.h"
#include "mms_private.h"
#include "mms_services.h"

#define OBJECT_VMD_SPECIFIC 0
#define OBJECT_DOMAIN_SPECIFIC 1
#define OBJECT_AA_SPECIFIC 2
#define VAS_LIST_OF_VARIABLE 0
#define VAS_VARIABLE_LIST_NAME 1
#define VARSPEC_NAME 0
#define VARSPEC_ADDRESS 1
#define ACCESS_RESULT_FAILURE 0
#define SERVICE_ERROR_CLASS 0
#define SERVICE_ERROR_ADDITIONAL_CODE 1
#define SERVICE_ERROR_DESCRIPTION 2
#define OBJECT_SEPARATOR '/'

/* IEC 61850-8-1 nameplate references: LPHDn$DC$PhyNam[$leaf], LLN0$DC$NamPlt[$leaf]. */
#define NAMEPLATE_FC "$DC$"
#define NAMEPLATE_FC_LEN 4
#define DPL_LOGICAL_NODE "LPHD"
#define DPL_DATA_OBJECT "PhyNam"
#define LPL_LOGICAL_NODE "LLN0"
#define LPL_DATA_OBJECT "NamPlt"
#define DATA_OBJECT_LEN 6
#define NAME_SEPARATOR '$'

/* IEC 61850-8-1 control object references: LD/LN$CO$DO$Oper and friends. */
static const char control_marker[] = "$CO$";
static const char *const control_suffixes[] = {"$Oper", "$SBOw", "$Cancel"};

void mms_fail(struct mms_pdu_ctx *p, const char *error)
{
    if (!p->error)
        p->error = error;
}

bool mms_next(struct mms_pdu_ctx *p, cursor *c, struct ber_tlv *tlv)
{
    enum ber_status st = ber_next(c, tlv);
    if (st == BER_OK)
        return true;
    if (st != BER_END)
        mms_fail(p, ber_status_name(st));
    return false;
}

bool mms_read_uint(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *tlv, uint64_t *out)
{
    uint64_t v;
    if (tlv->constructed || !ber_uint(tlv->value, &v)) {
        mms_fail(p, "mms_bad_unsigned");
        return false;
    }
    detail_uint(p->d, key, v);
    if (out)
        *out = v;
    return true;
}

bool mms_read_int(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *tlv, int64_t *out)
{
    int64_t v;
    if (tlv->constructed || !ber_int(tlv->value, &v)) {
        mms_fail(p, "mms_bad_integer");
        return false;
    }
    detail_int(p->d, key, v);
    if (out)
        *out = v;
    return true;
}

bool mms_read_bool(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *tlv)
{
    bool v;
    if (tlv->constructed || !ber_bool(tlv->value, &v)) {
        mms_fail(p, "mms_bad_boolean");
        return false;
    }
    detail_bool(p->d, key, v);
    return true;
}

/* The text octets of a primitive string element (NULL when constructed). */
static const char *text_of(struct mms_pdu_ctx *p, const struct ber_tlv *tlv, size_t *len)
{
    cursor v = tlv->value;
    *len = cursor_left(&v);
    if (tlv->constructed) {
        mms_fail(p, "mms_bad_identifier");
        *len = 0;
        return NULL;
    }
    return (const char *)cursor_bytes(&v, *len);
}

static void append_text(struct mms_pdu_ctx *p, size_t *at, const char *s, size_t n)
{
    size_t room = p->object_cap - *at;
    if (n > room)
        n = room;
    if (n)
        memcpy(p->object_buf + *at, s, n);
    *at += n;
}

/* Sets the event object to "first" or "first/second" once per PDU. */
static void set_object(struct mms_pdu_ctx *p, const char *first, size_t first_len, const char *second,
                       size_t second_len)
{
    if (p->ev->object.ptr || !p->object_buf)
        return;
    size_t at = 0;
    append_text(p, &at, first, first_len);
    if (second) {
        char sep = OBJECT_SEPARATOR;
        append_text(p, &at, &sep, 1);
        append_text(p, &at, second, second_len);
    }
    p->ev->object.ptr = p->object_buf;
    p->ev->object.len = at;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static bool contains(const char *s, size_t n, const char *needle)
{
    return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* The suffix is tested first: most items end in none, and it is the cheaper test. */
static void check_control(struct mms_pdu_ctx *p, const char *item, size_t n)
{
    if (!item)
        return;
    for (size_t i = 0; i < sizeof control_suffixes / sizeof control_suffixes[0]; i++)
        if (ends_with(item, n, control_suffixes[i]) && contains(item, n, control_marker))
            p->control = true;
}

/* The component of a nameplate CDC an item names after its data object
 * (`leaf`, n octets; none for the whole structure). False when it names none
 * that identifies the device. */
static bool nameplate_component(enum mms_nameplate_cdc cdc, const char *leaf, size_t n, uint8_t *component)
{
    if (n == 0) {
        *component = MMS_NAMEPLATE_WHOLE;
        return true;
    }
    if (leaf[0] != NAME_SEPARATOR)
        return false;
    unsigned count;
    const struct mms_nameplate_component *c = mms_nameplate_components(cdc, &count);
    for (unsigned i = 0; i < count; i++) {
        if (strlen(c[i].name) == n - 1 && memcmp(c[i].name, leaf + 1, n - 1) == 0) {
            *component = (uint8_t)i;
            return true;
        }
    }
    return false;
}

/* Keeps logical device `ld` (n octets) for nameplate entry `k`: the copy an
 * earlier entry made, else a new one. False when it is too long, holds a NUL
 * or does not fit. */
static bool note_logical_device(struct mms_nameplate *np, unsigned k, const char *ld, size_t n)
{
    if (n == 0 || n > MMS_LD_NAME_MAX || memchr(ld, '\0', n))
        return false;
    for (unsigned i = 0; i < k; i++) {
        if (np->ld_len[i] == n && memcmp(np->ld_text + np->ld_at[i], ld, n) == 0) {
            np->ld_at[k] = np->ld_at[i];
            np->ld_len[k] = (uint8_t)n;
            return true;
        }
    }
    if (n > sizeof np->ld_text - np->ld_used)
        return false;
    memcpy(np->ld_text + np->ld_used, ld, n);
    np->ld_at[k] = np->ld_used;
    np->ld_len[k] = (uint8_t)n;
    np->ld_used = (uint8_t)(np->ld_used + n);
    return true;
}

/* Notes a read request's variable that names a nameplate or one of its
 * identity components: LN$DC$DO[$leaf], LN an LPHD for PhyNam, LLN0 for
 * NamPlt, which also keeps its logical device `ld` (ld_len octets). */
static void note_nameplate(struct mms_pdu_ctx *p, const char *ld, size_t ld_len, const char *item, size_t n)
{
    const char *fc = memchr(item, NAME_SEPARATOR, n);
    if (!fc)
        return;
    size_t ln_len = (size_t)(fc - item), rest = n - ln_len;
    if (rest < NAMEPLATE_FC_LEN + DATA_OBJECT_LEN || memcmp(fc, NAMEPLATE_FC, NAMEPLATE_FC_LEN) != 0)
        return;
    const char *object = fc + NAMEPLATE_FC_LEN;
    enum mms_nameplate_cdc cdc;
    if (memcmp(object, DPL_DATA_OBJECT, DATA_OBJECT_LEN) == 0 && contains(item, ln_len, DPL_LOGICAL_NODE))
        cdc = MMS_NAMEPLATE_DPL;
    else if (memcmp(object, LPL_DATA_OBJECT, DATA_OBJECT_LEN) == 0 && ln_len == strlen(LPL_LOGICAL_NODE) &&
             memcmp(item, LPL_LOGICAL_NODE, ln_len) == 0)
        cdc = MMS_NAMEPLATE_LPL;
    else
        return;
    struct mms_nameplate *np = p->nameplate;
    uint8_t component;
    if (np->n == MMS_NAMEPLATE_MAX || p->variable > UINT16_MAX ||
        !nameplate_component(cdc, object + DATA_OBJECT_LEN, rest - NAMEPLATE_FC_LEN - DATA_OBJECT_LEN, &component))
        return;
    np->ld_len[np->n] = 0;
    if (cdc == MMS_NAMEPLATE_LPL && !note_logical_device(np, np->n, ld, ld_len))
        return;
    np->cdc[np->n] = (uint8_t)cdc;
    np->component[np->n] = component;
    np->position[np->n] = (uint16_t)p->variable;
    np->n++;
}

void mms_read_identifier(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *tlv, bool is_object)
{
    size_t n;
    const char *s = text_of(p, tlv, &n);
    detail_string(p->d, key, s, n);
    if (is_object && s)
        set_object(p, s, n, NULL, 0);
}

static void read_domain_specific(struct mms_pdu_ctx *p, cursor seq)
{
    struct ber_tlv domain, item;
    if (!mms_next(p, &seq, &domain) || !mms_next(p, &seq, &item) ||
        !ber_is(&domain, BER_CLASS_UNIVERSAL, MMS_TAG_VISIBLE_STRING) ||
        !ber_is(&item, BER_CLASS_UNIVERSAL, MMS_TAG_VISIBLE_STRING)) {
        mms_fail(p, "mms_bad_object_name");
        return;
    }
    size_t dn, in;
    const char *ds = text_of(p, &domain, &dn);
    const char *is = text_of(p, &item, &in);
    detail_string(p->d, "domainId", ds, dn);
    detail_string(p->d, "itemId", is, in);
    if (ds && is)
        set_object(p, ds, dn, is, in);
    check_control(p, is, in);
    if (p->nameplate && is)
        note_nameplate(p, ds, dn, is, in);
}

void mms_read_object_name(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *tlv)
{
    if (tlv->cls != BER_CLASS_CONTEXT || tlv->tag > OBJECT_AA_SPECIFIC) {
        mms_fail(p, "mms_bad_object_name");
        return;
    }
    if (key)
        detail_object_begin(p->d, key);
    size_t n;
    const char *s;
    switch (tlv->tag) {
    case OBJECT_DOMAIN_SPECIFIC:
        read_domain_specific(p, tlv->value);
        break;
    default:
        s = text_of(p, tlv, &n);
        detail_string(p->d, tlv->tag == OBJECT_VMD_SPECIFIC ? "vmd_specific" : "aa_specific", s, n);
        if (s)
            set_object(p, s, n, NULL, 0);
        check_control(p, s, n);
        break;
    }
    if (key)
        detail_end(p->d);
}

void mms_read_object_name_in(struct mms_pdu_ctx *p, const char *key, cursor content)
{
    struct ber_tlv name;
    if (mms_next(p, &content, &name))
        mms_read_object_name(p, key, &name);
    else
        mms_fail(p, "mms_bad_object_name");
}

/* VariableSpecification CHOICE: name [0] ObjectName, address [1], or the
 * rarer forms, which are noted by kind only. */
static void read_variable_specification(struct mms_pdu_ctx *p, const struct ber_tlv *spec)
{
    if (ber_is(spec, BER_CLASS_CONTEXT, VARSPEC_NAME)) {
        mms_read_object_name_in(p, NULL, spec->value);
    } else if (ber_is(spec, BER_CLASS_CONTEXT, VARSPEC_ADDRESS)) {
        cursor v = spec->value;
        size_t n = cursor_left(&v);
        detail_bytes(p->d, "address", cursor_bytes(&v, n), n);
    } else if (spec->cls != BER_CLASS_CONTEXT) {
        mms_fail(p, "mms_bad_variable_specification");
    }
}

void mms_read_variable_list(struct mms_pdu_ctx *p, const char *key, cursor list)
{
    struct ber_tlv item, spec;
    detail_array_begin(p->d, key);
    for (p->variable = 0; mms_next(p, &list, &item); p->variable++) {
        if (!ber_is(&item, BER_CLASS_UNIVERSAL, MMS_TAG_SEQUENCE)) {
            mms_fail(p, "mms_bad_variable_list");
            break;
        }
        detail_object_begin(p->d, NULL);
        if (mms_next(p, &item.value, &spec))
            read_variable_specification(p, &spec);
        detail_end(p->d);
    }
    detail_end(p->d);
}

void mms_read_variable_access(struct mms_pdu_ctx *p, const struct ber_tlv *tlv)
{
    if (ber_is(tlv, BER_CLASS_CONTEXT, VAS_LIST_OF_VARIABLE) && tlv->constructed)
        mms_read_variable_list(p, "listOfVariable", tlv->value);
    else if (ber_is(tlv, BER_CLASS_CONTEXT, VAS_VARIABLE_LIST_NAME) && tlv->constructed)
        mms_read_object_name_in(p, "variableListName", tlv->value);
    else
        mms_fail(p, "mms_bad_variable_access_specification");
}

void mms_read_file_name(struct mms_pdu_ctx *p, const char *key, cursor seq)
{
    struct ber_tlv part;
    detail_array_begin(p->d, key);
    while (mms_next(p, &seq, &part)) {
        if (!ber_is(&part, BER_CLASS_UNIVERSAL, MMS_TAG_GRAPHIC_STRING) &&
            !ber_is(&part, BER_CLASS_UNIVERSAL, MMS_TAG_VISIBLE_STRING)) {
            mms_fail(p, "mms_bad_file_name");
            break;
        }
        mms_read_identifier(p, NULL, &part, true);
    }
    detail_end(p->d);
}

void mms_read_identifier_list(struct mms_pdu_ctx *p, const char *key, cursor list)
{
    struct ber_tlv id;
    detail_array_begin(p->d, key);
    while (mms_next(p, &list, &id)) {
        if (!ber_is(&id, BER_CLASS_UNIVERSAL, MMS_TAG_VISIBLE_STRING)) {
            mms_fail(p, "mms_bad_identifier");
            break;
        }
        mms_read_identifier(p, NULL, &id, false);
    }
    detail_end(p->d);
}

static void data_error(struct mms_pdu_ctx *p, enum mms_data_error e)
{
    if (e != MMS_DATA_OK)
        mms_fail(p, mms_data_error_name(e));
}

void mms_read_access_results(struct mms_pdu_ctx *p, const char *key, cursor list)
{
    struct mms_data_out out = {p->d, p->ev};
    struct ber_tlv result;
    detail_array_begin(p->d, key);
    while (mms_next(p, &list, &result)) {
        if (ber_is(&result, BER_CLASS_CONTEXT, ACCESS_RESULT_FAILURE)) {
            int64_t code = 0;
            detail_object_begin(p->d, NULL);
            if (mms_read_int(p, "failure", &result, &code) && !p->ev->has_status) {
                p->ev->has_status = true;
                p->ev->status = (int32_t)code;
            }
            detail_end(p->d);
        } else {
            data_error(p, mms_data_read(&out, NULL, &result, p->depth + 2));
        }
    }
    detail_end(p->d);
}

void mms_read_data_list(struct mms_pdu_ctx *p, const char *key, cursor list)
{
    struct mms_data_out out = {p->d, p->ev};
    uint32_t count;
    data_error(p, mms_data_read_list(&out, key, list, p->depth + 1, &count));
}

/* errorClass [0] CHOICE { vmd-state [0] ... others [12] }: one INTEGER under
 * the alternative's tag. */
static void read_error_class(struct mms_pdu_ctx *p, cursor choice)
{
    struct ber_tlv code;
    const char *name;
    if (!mms_next(p, &choice, &code) || code.cls != BER_CLASS_CONTEXT ||
        !(name = mms_error_class_name(code.tag))) {
        mms_fail(p, "mms_bad_service_error");
        return;
    }
    detail_uint(p->d, "errorClass", code.tag);
    p->ev->has_status = true;
    p->ev->status = (int32_t)code.tag;
    mms_read_int(p, name, &code, NULL);
}

void mms_read_service_error(struct mms_pdu_ctx *p, cursor members)
{
    struct ber_tlv m;
    bool have_class = false;
    while (mms_next(p, &members, &m)) {
        if (m.cls != BER_CLASS_CONTEXT)
            continue;
        if (m.tag == SERVICE_ERROR_CLASS) {
            read_error_class(p, m.value);
            have_class = true;
        } else if (m.tag == SERVICE_ERROR_ADDITIONAL_CODE) {
            mms_read_int(p, "additionalCode", &m, NULL);
        } else if (m.tag == SERVICE_ERROR_DESCRIPTION) {
            mms_read_identifier(p, "additionalDescription", &m, false);
        }
    }
    if (!have_class)
        mms_fail(p, "mms_bad_service_error");
}
