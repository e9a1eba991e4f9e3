/* enip_private.h — what the EtherNet/IP decoder's files share: encapsulation
 * and CIP constants, the per-flow state, one decoded encapsulation message and
 * the functions each file provides. Nothing outside protocols/enip/ includes
 * this header; the sensor sees only `enip_decoder` (protocols/builtin.h). */
#ifndef MAMORI_ENIP_PRIVATE_H
#define MAMORI_ENIP_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocols/cursor.h"
#include "protocols/decoder.h"
#include "protocols/event.h"

#define ENIP_PROTOCOL "enip"
#define ENIP_PORT 44818

/* Encapsulation header (CIP Vol. 2 §2-3): command (2), length (2), session
 * handle (4), status (4), sender context (8), options (4); little-endian. */
#define ENIP_HEADER_LEN 24
#define ENIP_CONTEXT_LEN 8
#define ENIP_LENGTH_MAX 65511 /* the most encapsulated data a message may carry */
#define ENIP_MESSAGE_MAX (ENIP_HEADER_LEN + ENIP_LENGTH_MAX)

enum enip_command {
    ENIP_NOP = 0x0000,
    ENIP_LIST_SERVICES = 0x0004,
    ENIP_LIST_IDENTITY = 0x0063,
    ENIP_LIST_INTERFACES = 0x0064,
    ENIP_REGISTER_SESSION = 0x0065,
    ENIP_UNREGISTER_SESSION = 0x0066,
    ENIP_SEND_RR_DATA = 0x006f,
    ENIP_SEND_UNIT_DATA = 0x0070,
    ENIP_INDICATE_STATUS = 0x0072,
    ENIP_CANCEL = 0x0073,
};

/* Common packet format item types (CIP Vol. 2 §2-6). */
enum enip_item_type {
    ENIP_ITEM_NULL_ADDRESS = 0x0000,
    ENIP_ITEM_CIP_IDENTITY = 0x000c,
    ENIP_ITEM_CONNECTED_ADDRESS = 0x00a1,
    ENIP_ITEM_CONNECTED_DATA = 0x00b1,
    ENIP_ITEM_UNCONNECTED_DATA = 0x00b2,
    ENIP_ITEM_LIST_SERVICES = 0x0100,
    ENIP_ITEM_SOCKADDR_O2T = 0x8000,
    ENIP_ITEM_SOCKADDR_T2O = 0x8001,
    ENIP_ITEM_SEQUENCED_ADDRESS = 0x8002,
};
/* More items than this in one message is an anomaly (real ones carry 1 to 4). */
#define ENIP_ITEMS_MAX 8

/* CIP message router services (CIP Vol. 1 Appendix A) and the object-specific
 * ones this decoder names. */
#define CIP_RESPONSE_FLAG 0x80
#define CIP_SERVICE_MASK 0x7f
enum cip_service {
    CIP_GET_ATTRIBUTES_ALL = 0x01,
    CIP_SET_ATTRIBUTES_ALL = 0x02,
    CIP_GET_ATTRIBUTE_LIST = 0x03,
    CIP_SET_ATTRIBUTE_LIST = 0x04,
    CIP_RESET = 0x05,
    CIP_START = 0x06,
    CIP_STOP = 0x07,
    CIP_CREATE = 0x08,
    CIP_DELETE = 0x09,
    CIP_MULTIPLE_SERVICE_PACKET = 0x0a,
    CIP_APPLY_ATTRIBUTES = 0x0d,
    CIP_GET_ATTRIBUTE_SINGLE = 0x0e,
    CIP_SET_ATTRIBUTE_SINGLE = 0x10,
    CIP_FIND_NEXT_OBJECT_INSTANCE = 0x11,
    CIP_RESTORE = 0x15,
    CIP_SAVE = 0x16,
    CIP_NOP = 0x17,
    CIP_GET_MEMBER = 0x18,
    CIP_SET_MEMBER = 0x19,
    CIP_INSERT_MEMBER = 0x1a,
    CIP_REMOVE_MEMBER = 0x1b,
    CIP_GROUP_SYNC = 0x1c,
    CIP_OBJECT_SPECIFIC_FIRST = 0x4b,
    CIP_PCCC_EXECUTE = 0x4b,
    CIP_LOGIX_READ_TAG = 0x4c,
    CIP_LOGIX_WRITE_TAG = 0x4d,
    CIP_LOGIX_READ_MODIFY_WRITE_TAG = 0x4e,
    CIP_LOGIX_READ_TAG_FRAGMENTED = 0x52,
    CIP_LOGIX_WRITE_TAG_FRAGMENTED = 0x53,
    CIP_LOGIX_GET_INSTANCE_ATTRIBUTE_LIST = 0x55,
    CIP_CM_FORWARD_CLOSE = 0x4e,
    CIP_CM_UNCONNECTED_SEND = 0x52,
    CIP_CM_FORWARD_OPEN = 0x54,
    CIP_CM_GET_CONNECTION_OWNER = 0x5a,
    CIP_CM_LARGE_FORWARD_OPEN = 0x5b,
};

enum cip_class {
    CIP_CLASS_MESSAGE_ROUTER = 0x02,
    CIP_CLASS_CONNECTION_MANAGER = 0x06,
    CIP_CLASS_PCCC = 0x67,
    CIP_CLASS_SYMBOL = 0x6b,
    CIP_CLASS_TEMPLATE = 0x6c,
};

/* Which table names an object-specific service: it depends on the object the
 * request addresses (a response is named by its request's object). */
enum cip_object_kind {
    CIP_KIND_GENERIC,
    CIP_KIND_CONNECTION_MANAGER,
    CIP_KIND_LOGIX, /* symbolic tag paths, the Symbol and Template objects */
    CIP_KIND_PCCC,
};

enum enip_anomaly {
    ENIP_ANOMALY_INVALID_LENGTH,     /* fields beyond the message, or bytes left over */
    ENIP_ANOMALY_INVALID_COMMAND,    /* an encapsulation command that does not exist */
    ENIP_ANOMALY_INVALID_ITEM_COUNT, /* CPF item count disagrees with the items */
    ENIP_ANOMALY_TRUNCATED_IDENTITY, /* a CIP identity item shorter than its fields */
    ENIP_ANOMALY_INVALID_PATH,       /* a CIP path segment cut short or unknown */
    ENIP_ANOMALY_INVALID_VALUE,      /* a field outside what the specification allows */
    ENIP_ANOMALY_UNSOLICITED_RESPONSE,
    ENIP_ANOMALY_UNANSWERED_REQUEST,
    ENIP_ANOMALY_TRUNCATED_MESSAGE,  /* a gap or the flow's end cut a message */
    ENIP_ANOMALY__COUNT
};

/* A request waiting for its response. Unconnected messages pair on the
 * sender context, connected ones on the CIP sequence count. */
#define ENIP_PAIRED_SERVICES_MAX 16 /* embedded services of a Multiple Service Packet */
struct enip_pending {
    uint64_t time_us;
    uint64_t key;
    bool connected;
    uint16_t command;
    uint8_t service; /* CIP service the response answers (the embedded one for Unconnected Send) */
    uint8_t kind;    /* enum cip_object_kind of the addressed object */
    uint8_t n_embedded;
    uint8_t embedded_service[ENIP_PAIRED_SERVICES_MAX];
    uint8_t embedded_kind[ENIP_PAIRED_SERVICES_MAX];
};

#define ENIP_PENDING_MAX 32
#define ENIP_DEFAULT_RESPONSE_TIMEOUT_US 5000000u

struct enip_transactions {
    struct enip_pending pending[ENIP_PENDING_MAX];
    uint32_t count;
    uint64_t timeout_us;
    uint64_t dropped; /* requests pushed out of a full table */
};

/* Per-direction framing state. What the last call left unconsumed is
 * remembered by its length and first bytes: a TCP stream presents it again,
 * so anything else means it was lost (a gap, or a datagram cut short). */
struct enip_stream {
    bool resyncing; /* looking for the next plausible header */
    size_t held;
    uint8_t held_start[ENIP_HEADER_LEN];
};

struct enip_flow {
    struct enip_stream stream[2]; /* indexed by enum mamori_direction */
    struct enip_transactions tx;
    uint64_t anomalies[ENIP_ANOMALY__COUNT];
};

struct enip_header {
    uint16_t command, length;
    uint32_t session, status, options;
    uint8_t context[ENIP_CONTEXT_LEN];
};

#define ENIP_OBJECT_TEXT_MAX 160

/* One encapsulation message being decoded. The command decoders read `data`
 * and fill `ev` and its detail; problems go through enip_flag(). */
struct enip_message {
    struct enip_header h;
    bool is_response;
    cursor data;
    struct mamori_event *ev;
    struct enip_flow *flow;
    uint64_t time_us;
    struct enip_pending record; /* what a request leaves for its response */
    bool has_record;
    bool connected;       /* SendUnitData: paired on the sequence count */
    uint16_t sequence;    /* CIP sequence count of a connected data item */
    char object[ENIP_OBJECT_TEXT_MAX];
    char revision[8];     /* "major.minor" of an identity item */
    char serial[12];      /* "0x%08x" */
    char number[3][8];    /* decimal identity values */
    /* The first problem of each anomaly kind, as a short snake_case reason. */
    const char *problem[ENIP_ANOMALY__COUNT];
};

/* enip_encap.c */
bool enip_read_header(const uint8_t *data, size_t len, struct enip_header *out);
bool enip_header_valid(const struct enip_header *h);
enum mamori_probe enip_header_plausible(const uint8_t *data, size_t len);
size_t enip_find_header(const uint8_t *data, size_t len);
void enip_header_detail(struct mamori_detail *d, const struct enip_header *h);

/* enip_names.c */
const char *enip_command_name(uint16_t command);
enum mamori_op enip_command_op(uint16_t command);
const char *enip_status_name(uint32_t status);
const char *enip_item_name(uint16_t type);
const char *enip_vendor_name(uint16_t vendor);
const char *enip_device_type_name(uint16_t device_type);
const char *cip_service_name(uint8_t service, enum cip_object_kind kind);
enum mamori_op cip_service_op(uint8_t service, enum cip_object_kind kind);
const char *cip_status_name(uint8_t general_status);
const char *enip_anomaly_name(enum enip_anomaly a);

/* enip_cpf.c: the command-specific data of every command. */
void enip_flag(struct enip_message *msg, enum enip_anomaly a, const char *why);
void enip_decode_command(struct enip_message *msg);

/* enip_identity.c: one CIP identity item of a ListIdentity response. */
void enip_decode_identity(struct enip_message *msg, cursor *item);

/* enip_path.c: a CIP EPATH. */
struct cip_path {
    bool has_class, has_instance, has_attribute, has_member;
    uint32_t class_id, instance, attribute, member;
    bool symbolic;
};
/* Reads `words` 16-bit words of path from c into the detail and p; appends a
 * textual form to text (tag name, or "@class/instance/attribute"). */
void cip_path_decode(struct enip_message *msg, cursor *c, size_t words, struct cip_path *p, char *text,
                     size_t text_size);
enum cip_object_kind cip_path_kind(const struct cip_path *p);

/* enip_cip.c: a CIP message router request or response. */
void enip_decode_cip(struct enip_message *msg, cursor *c);

/* enip_transactions.c */
void enip_tx_init(struct enip_transactions *tx, uint64_t timeout_us);
void enip_tx_add(struct enip_flow *flow, struct mamori_sink *sink, const struct enip_pending *req);
bool enip_tx_take(struct enip_transactions *tx, bool connected, uint64_t key, struct enip_pending *out);
void enip_tx_expire(struct enip_flow *flow, const struct mamori_parse_ctx *ctx, bool all);

/* enip_decoder.c */
void enip_report_anomaly(struct enip_flow *flow, struct mamori_sink *sink, enum enip_anomaly a,
                         const struct enip_header *h, const char *why);
void enip_report_unanswered(struct enip_flow *flow, struct mamori_sink *sink, const struct enip_pending *req);

#endif
