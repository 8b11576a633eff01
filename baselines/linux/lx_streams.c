/* The byte-stream transports: a pair of pipes, and a UNIX stream socket pair. A message is
 * n bytes written whole and read whole (a stream keeps no message boundaries, so a 0-byte
 * message does not exist: min_bytes 1). */
#include <stdlib.h>
#include <sys/socket.h>

#include "lx_bench.h"

struct lx_channel {
    int fd[2][2]; /* fd[side][0]: where `side` reads, fd[side][1]: where it writes */
};

static int open_pipes(lx_channel** out, size_t largest) {
    (void)largest; /* a pipe holds 64 KiB; a larger message just takes more than one wake-up */
    lx_channel* c = calloc(1, sizeof *c);
    int to_server[2], to_client[2];
    if (!c || pipe(to_server) || pipe(to_client)) return free(c), -1;
    c->fd[LX_CLIENT][0] = to_client[0], c->fd[LX_CLIENT][1] = to_server[1];
    c->fd[LX_SERVER][0] = to_server[0], c->fd[LX_SERVER][1] = to_client[1];
    *out = c;
    return 0;
}

static int open_socket(lx_channel** out, size_t largest) {
    (void)largest; /* the default socket buffers (about 208 KiB) take a 64 KiB message */
    lx_channel* c = calloc(1, sizeof *c);
    int sv[2];
    if (!c || socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) return free(c), -1;
    c->fd[LX_CLIENT][0] = c->fd[LX_CLIENT][1] = sv[0];
    c->fd[LX_SERVER][0] = c->fd[LX_SERVER][1] = sv[1];
    *out = c;
    return 0;
}

static void attach(lx_channel* c, int side) {
    for (int i = 0; i < 2; ++i)
        if (c->fd[!side][i] != c->fd[side][0] && c->fd[!side][i] != c->fd[side][1])
            close(c->fd[!side][i]);
}

static int send_bytes(lx_channel* c, int side, const void* buf, size_t n) {
    return lx_write_all(c->fd[side][1], buf, n);
}

static int recv_bytes(lx_channel* c, int side, void* buf, size_t n) {
    return lx_read_all(c->fd[side][0], buf, n);
}

static void close_side(lx_channel* c, int side) {
    close(c->fd[side][0]);
    if (c->fd[side][1] != c->fd[side][0]) close(c->fd[side][1]);
    free(c);
}

const lx_transport lx_pipe = {"pipe", 1,          NULL,       open_pipes,
                              attach, send_bytes, recv_bytes, close_side};
const lx_transport lx_unix_socket = {"unix-socket", 1,          NULL,       open_socket,
                                     attach,        send_bytes, recv_bytes, close_side};
