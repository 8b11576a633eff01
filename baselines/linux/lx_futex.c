/* A futex hand-off between two processes: a shared anonymous mapping holds a turn word and a
 * message area. Sending copies the message in, sets the turn to the receiver and wakes it
 * (FUTEX_WAKE); receiving sleeps (FUTEX_WAIT) until the turn is its own and copies the message
 * out. Shared (not FUTEX_PRIVATE) futexes, as two address spaces need; no spinning, since
 * both processes share one vCPU. The copies make it carry data like the other transports. */
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "lx_bench.h"

/* turn: whose message is in `data` (1 + the receiving side), 0 before the first. */
struct lx_channel {
    _Atomic uint32_t turn;
    uint32_t bytes;
    size_t mapped;
    unsigned char data[];
};

static long futex(_Atomic uint32_t* word, int op, uint32_t value) {
    return syscall(SYS_futex, (uint32_t*)word, op, value, NULL, NULL, 0);
}

static int futex_open(lx_channel** out, size_t largest) {
    size_t mapped = sizeof(lx_channel) + largest;
    void* p = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    lx_channel* c = p;
    atomic_init(&c->turn, 0);
    c->mapped = mapped;
    *out = c;
    return 0;
}

static void no_attach(lx_channel* c, int side) {
    (void)c, (void)side;
}

static int futex_send(lx_channel* c, int side, const void* buf, size_t n) {
    memcpy(c->data, buf, n);
    c->bytes = (uint32_t)n;
    atomic_store_explicit(&c->turn, 1u + (uint32_t)!side, memory_order_release);
    return futex(&c->turn, FUTEX_WAKE, 1) < 0 ? -1 : 0;
}

static int futex_recv(lx_channel* c, int side, void* buf, size_t n) {
    const uint32_t mine = 1u + (uint32_t)side;
    for (;;) {
        uint32_t now = atomic_load_explicit(&c->turn, memory_order_acquire);
        if (now == mine) break;
        /* Sleeps only while the word still reads `now`: a wake-up between the load and the
         * wait makes FUTEX_WAIT return EAGAIN at once. */
        if (futex(&c->turn, FUTEX_WAIT, now) < 0 && errno != EAGAIN && errno != EINTR) return -1;
    }
    if (c->bytes != n) return errno = EMSGSIZE, -1;
    memcpy(buf, c->data, n);
    return 0;
}

static void futex_close(lx_channel* c, int side) {
    (void)side;
    munmap(c, c->mapped);
}

const lx_transport lx_futex = {"futex",   0,          NULL,       futex_open,
                               no_attach, futex_send, futex_recv, futex_close};
