/* zmq_frames.c — multi-frame messages over ZeroMQ (zmq_frames.h). */
#include "zmq_frames.h"

#include <string.h>

bool frames_send(void *sock, int flags, int n, const void *const *data, const size_t *len)
{
    for (int i = 0; i < n; i++) {
        size_t size = len && len[i] ? len[i] : strlen(data[i]);
        int more = i + 1 < n ? ZMQ_SNDMORE : 0;
        if (zmq_send(sock, data[i], size, flags | more) < 0)
            return false; /* only the first frame can fail: the rest are queued atomically */
    }
    return true;
}

bool frames_recv(void *sock, struct frames *f, int flags)
{
    zmq_msg_t extra;
    f->count = 0;
    f->overflow = false;
    for (;;) {
        zmq_msg_t *m = f->count < FRAMES_MAX ? &f->msg[f->count] : &extra;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, sock, f->count == 0 ? flags : 0) < 0) {
            zmq_msg_close(m);
            frames_close(f);
            return false;
        }
        bool more = zmq_msg_more(m);
        if (m == &extra) {
            zmq_msg_close(m);
            f->overflow = true;
        } else {
            f->count++;
        }
        if (!more)
            return true;
    }
}

void frames_close(struct frames *f)
{
    for (int i = 0; i < f->count; i++)
        zmq_msg_close(&f->msg[i]);
    f->count = 0;
}

const void *frame_data(const struct frames *f, int i)
{
    return i < f->count ? zmq_msg_data((zmq_msg_t *)&f->msg[i]) : NULL;
}

size_t frame_size(const struct frames *f, int i)
{
    return i < f->count ? zmq_msg_size((zmq_msg_t *)&f->msg[i]) : 0;
}

bool frame_is(const struct frames *f, int i, const char *s)
{
    size_t n = strlen(s);
    return i < f->count && frame_size(f, i) == n && memcmp(frame_data(f, i), s, n) == 0;
}

bool frame_text(const struct frames *f, int i, char *out, size_t outlen)
{
    size_t n = frame_size(f, i);
    if (i >= f->count || n >= outlen || memchr(frame_data(f, i), '\0', n))
        return false;
    memcpy(out, frame_data(f, i), n);
    out[n] = '\0';
    return true;
}
