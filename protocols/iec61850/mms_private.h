/* mms_private.h — what the MMS PDU decoder's files share (not for use outside
 * protocols/iec61850/mms*.c).
 *
 * One mms_pdu_ctx lives while one MMS PDU is decoded: the event being built,
 * its detail, the buffer the event's `object` text is composed in, whether a
 * name addressed an IEC 61850 control object, and the first malformation
 * found. Helpers read the common MMS types (Identifier, ObjectName,
 * VariableAccessSpecification, FileName, AccessResult) into the detail. */
#ifndef MAMORI_MMS_PRIVATE_H
#define MAMORI_MMS_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../event.h"
#include "ber.h"
#include "mms_pdu.h"

/* UNIVERSAL tags MMS uses. */
#define MMS_TAG_INTEGER 2
#define MMS_TAG_SEQUENCE 16
#define MMS_TAG_GRAPHIC_STRING 25
#define MMS_TAG_VISIBLE_STRING 26

/* Context tags of SEQUENCE members, named by position for readability. */
#define MMS_CTX0 0
#define MMS_CTX1 1
#define MMS_CTX2 2

/* Walks the members of a SEQUENCE `seq` (a cursor value), one element at a
 * time into *m, stopping at the end or at the first BER error (recorded). */
#define MMS_FOR_EACH_MEMBER(p, seq, m) for (cursor it_ = (seq); mms_next((p), &it_, (m));)

static inline bool mms_is_ctx(const struct ber_tlv *m, uint32_t tag)
{
    return ber_is(m, BER_CLASS_CONTEXT, tag);
}

struct mms_pdu_ctx {
    struct mamori_event *ev;
    struct mamori_detail *d;
    char *object_buf; /* holds ev->object's text */
    size_t object_cap;
    bool control;       /* a name is an IEC 61850 control object ($CO$...$Oper/$SBOw/$Cancel) */
    const char *error;  /* first malformation, snake_case; NULL when well-formed */
    unsigned depth;     /* BER nesting of the service element */
    struct mms_pdu_info *info;
    struct mms_nameplate *nameplate; /* set while a read request's listOfVariable is read */
    uint32_t variable;  /* position of the variable being read in its list */
};

/* Records a malformation (the first one wins). */
void mms_fail(struct mms_pdu_ctx *p, const char *error);

/* ber_next that records a malformation; false at the end of c or on error. */
bool mms_next(struct mms_pdu_ctx *p, cursor *c, struct ber_tlv *tlv);

/* Primitive values of an element, written under `key`; false (and recorded)
 * when the content does not fit. */
bool mms_read_uint(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *tlv, uint64_t *out);
bool mms_read_int(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *tlv, int64_t *out);
bool mms_read_bool(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *tlv);

/* An Identifier (VisibleString). When `is_object` and no object was set yet,
 * it becomes the event's object. */
void mms_read_identifier(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *tlv, bool is_object);

/* ObjectName CHOICE element. With a key, written as an object under it; with
 * NULL, its members (domainId/itemId, vmd_specific or aa_specific) go into
 * the current object. The first name becomes the event's object
 * ("domain/item", or the bare identifier). */
void mms_read_object_name(struct mms_pdu_ctx *p, const char *key, const struct ber_tlv *tlv);

/* An explicitly tagged ObjectName: reads the one element inside `content`. */
void mms_read_object_name_in(struct mms_pdu_ctx *p, const char *key, cursor content);

/* VariableAccessSpecification CHOICE element: listOfVariable [0] or
 * variableListName [1]. */
void mms_read_variable_access(struct mms_pdu_ctx *p, const struct ber_tlv *tlv);

/* The SEQUENCE OF { VariableSpecification, alternateAccess } of listOfVariable. */
void mms_read_variable_list(struct mms_pdu_ctx *p, const char *key, cursor list);

/* FileName (SEQUENCE OF GraphicString) as an array of strings; the first file
 * name of a PDU becomes the event's object. */
void mms_read_file_name(struct mms_pdu_ctx *p, const char *key, cursor seq);

/* SEQUENCE OF AccessResult: failure [0] or Data; Data values also go into
 * the event's values. Sets ev status to the first failure's DataAccessError. */
void mms_read_access_results(struct mms_pdu_ctx *p, const char *key, cursor list);

/* SEQUENCE OF Data (write listOfData). */
void mms_read_data_list(struct mms_pdu_ctx *p, const char *key, cursor list);

/* SEQUENCE OF Identifier as an array of strings. */
void mms_read_identifier_list(struct mms_pdu_ctx *p, const char *key, cursor list);

/* ServiceError (the members of its SEQUENCE). Sets ev status to the
 * errorClass alternative. */
void mms_read_service_error(struct mms_pdu_ctx *p, cursor members);

/* The argument of a confirmed service request / response (the element whose
 * tag is the service). */
void mms_read_request(struct mms_pdu_ctx *p, const struct ber_tlv *service);
void mms_read_response(struct mms_pdu_ctx *p, const struct ber_tlv *service);

#endif
