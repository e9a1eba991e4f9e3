/* hub_protocol.h — the messages between sensors, the hub and subscribers.
 *
 * Every message is a few ZeroMQ frames, the first naming the command. Sensors
 * and subscribers use DEALER sockets; the hub answers on ROUTER sockets, one
 * per kind of peer, each with CURVE and its own ZAP domain so that a sensor key
 * cannot subscribe and a subscriber key cannot post. docs/hub.md describes the
 * exchanges; this header only names them. */
#ifndef MAMORI_HUB_PROTOCOL_H
#define MAMORI_HUB_PROTOCOL_H

#define HUB_ZAP_DOMAIN_SENSORS "mamori-sensors"
#define HUB_ZAP_DOMAIN_SUBSCRIBERS "mamori-subscribers"

/* sensor → hub */
#define HUB_CMD_ALERT "ALERT"   /* msgpack alert */
#define HUB_CMD_HELLO "HELLO"   /* "sector=version,..." indicator versions applied */
#define HUB_CMD_INDACK "INDACK" /* sector, version */
/* hub → sensor */
#define HUB_CMD_ACK "ACK"       /* alert id */
#define HUB_CMD_NACK "NACK"     /* alert id (may be empty), reason */
#define HUB_CMD_IND "IND"       /* sector, version, body */
/* subscriber → hub */
#define HUB_CMD_SUB "SUB"       /* "sector,sector" or "*", minimum severity, last alert id or "" */
#define HUB_CMD_PING "PING"
/* hub → subscriber */
#define HUB_CMD_OK "OK"         /* sectors granted, id of the alert it resumes after ("" = start) */
#define HUB_CMD_ERR "ERR"       /* reason */
#define HUB_CMD_PONG "PONG"
#define HUB_CMD_RESUB "RESUB"   /* the hub does not know this subscriber (it restarted) */
/* ALERT to a subscriber: topic, organisation of the poster, msgpack alert */

/* Largest indicator set the hub pushes and a sensor accepts. */
#define HUB_INDICATORS_MAX (1024 * 1024)
/* libzmq refuses (and disconnects) anything larger than this at the socket. */
#define HUB_SOCKET_MSG_MAX (HUB_INDICATORS_MAX + 4096)

#endif
