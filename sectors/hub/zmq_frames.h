/* zmq_frames.h — sending and receiving the multi-frame messages of hub_protocol.h. */
#ifndef MAMORI_ZMQ_FRAMES_H
#define MAMORI_ZMQ_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <zmq.h>

#define FRAMES_MAX 8

struct frames {
    int count;
    bool overflow; /* more frames arrived than FRAMES_MAX; they were discarded */
    zmq_msg_t msg[FRAMES_MAX];
};

/* Sends n frames; text frames may pass len 0 to use strlen. */
bool frames_send(void *sock, int flags, int n, const void *const *data, const size_t *len);
/* Receives one whole message. False on EAGAIN or error (nothing to close). */
bool frames_recv(void *sock, struct frames *f, int flags);
void frames_close(struct frames *f);
/* True when frame i exists and equals the text s. */
bool frame_is(const struct frames *f, int i, const char *s);
const void *frame_data(const struct frames *f, int i);
size_t frame_size(const struct frames *f, int i);
/* Copies frame i as text into out (NUL-terminated); false when it does not fit. */
bool frame_text(const struct frames *f, int i, char *out, size_t outlen);

#endif
