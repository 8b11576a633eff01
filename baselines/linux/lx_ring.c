/* A ring of slots in POSIX shared memory with futex notifications (lx_ring.h): the protocol of
 * experiments/bulk/bulk_native.cpp's shared ring, with Linux's primitives. The producer writes
 * each slot in place and publishes it by advancing `head`; the consumer reads it in place and
 * frees it by advancing `tail`. Each side sleeps in FUTEX_WAIT on the other's index and is
 * woken (FUTEX_WAKE) only when it may be waiting: the producer wakes the consumer when the ring
 * was empty, the consumer wakes the producer when it was full or a transfer is done (the
 * acknowledgement). FUTEX_WAIT sleeps only while the index still holds the value the waiter
 * saw, so no wake-up is lost, as ipclab's sticky notification words lose none. Shared (not
 * FUTEX_PRIVATE) futexes: two address spaces. No spinning: both processes share one vCPU. */
#include "lx_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE_BYTES 4096u

/* The ring's first page; the slots follow it. head and tail count slots ever published and
 * released (32 bits: they are the futex words; differences wrap correctly): the ring is empty
 * when they are equal and full when they differ by `slots`. */
typedef struct {
    _Atomic uint32_t head; /* written by the producer */
    _Atomic uint32_t tail; /* written by the consumer */
    uint32_t bad;          /* transfers the consumer found wrong (written before `tail`) */
    uint32_t slots, slot_bytes;
    lx_ring_slot desc[LX_RING_MAX_SLOTS];
} ring_control;
_Static_assert(sizeof(ring_control) <= PAGE_BYTES, "the control block is one page");

struct lx_ring {
    ring_control* control;
    size_t mapped;
    uint32_t head;  /* the producer's own copy of control->head */
    uint32_t tail;  /* the consumer's own copy of control->tail */
    uint64_t flags; /* the consumer's: the flags of the slot it holds */
    int ok;         /* the consumer's: whether the current transfer's slots were right so far */
};

static int futex_wait(_Atomic uint32_t* word, uint32_t seen) {
    long r = syscall(SYS_futex, (uint32_t*)word, FUTEX_WAIT, seen, NULL, NULL, 0);
    return r < 0 && errno != EAGAIN && errno != EINTR ? -1 : 0;
}

static int futex_wake(_Atomic uint32_t* word) {
    return syscall(SYS_futex, (uint32_t*)word, FUTEX_WAKE, 1, NULL, NULL, 0) < 0 ? -1 : 0;
}

static uint32_t load_acquire(_Atomic uint32_t* x) {
    return atomic_load_explicit(x, memory_order_acquire);
}

/* Each side stores its own index and then reads the other's to decide whether to wake it: the
 * store must not pass the load (x86 lets it, through the store buffer), else both could decide
 * the other will see their update and neither wakes. */
static void store_then_fence(_Atomic uint32_t* x, uint32_t v) {
    atomic_store_explicit(x, v, memory_order_release);
    atomic_thread_fence(memory_order_seq_cst);
}

static uint64_t* slot_data(ring_control* c, uint32_t index) {
    return (uint64_t*)((char*)c + PAGE_BYTES + (size_t)(index % c->slots) * c->slot_bytes);
}

lx_ring* lx_ring_open(unsigned slots, size_t slot_bytes) {
    if (slots < 1 || slots > LX_RING_MAX_SLOTS || slot_bytes < PAGE_BYTES ||
        slot_bytes % PAGE_BYTES || slot_bytes > UINT32_MAX)
        return errno = EINVAL, NULL;
    char name[48];
    snprintf(name, sizeof name, "/ipclab-bulk-%ld", (long)getpid());
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) return NULL;
    const size_t mapped = PAGE_BYTES + slots * slot_bytes;
    void* p = ftruncate(fd, (off_t)mapped) == 0
                  ? mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                  : MAP_FAILED;
    shm_unlink(name); /* the mappings keep the object; nothing is left behind */
    close(fd);
    lx_ring* r = p != MAP_FAILED ? calloc(1, sizeof *r) : NULL;
    if (!r) {
        if (p != MAP_FAILED) munmap(p, mapped);
        return NULL;
    }
    r->control = p; /* a new object reads as zeros: head = tail = bad = 0 */
    r->mapped = mapped;
    r->ok = 1;
    r->control->slots = slots;
    r->control->slot_bytes = (uint32_t)slot_bytes;
    return r;
}

size_t lx_ring_slot_bytes(const lx_ring* r) {
    return r->control->slot_bytes;
}

uint32_t lx_ring_bad(const lx_ring* r) {
    return r->control->bad;
}

uint64_t* lx_ring_reserve(lx_ring* r) {
    ring_control* c = r->control;
    for (uint32_t tail; r->head - (tail = load_acquire(&c->tail)) == c->slots;)
        if (futex_wait(&c->tail, tail) != 0) return NULL;
    return slot_data(c, r->head);
}

int lx_ring_publish(lx_ring* r, lx_ring_slot d) {
    ring_control* c = r->control;
    c->desc[r->head % c->slots] = d;
    store_then_fence(&c->head, r->head + 1);
    const int was_empty = load_acquire(&c->tail) == r->head; /* the consumer may be waiting */
    ++r->head;
    return was_empty ? futex_wake(&c->head) : 0;
}

int lx_ring_drain(lx_ring* r) {
    ring_control* c = r->control;
    for (uint32_t tail; (tail = load_acquire(&c->tail)) != r->head;)
        if (futex_wait(&c->tail, tail) != 0) return -1;
    return 0;
}

int lx_ring_stop(lx_ring* r) {
    if (!lx_ring_reserve(r) || lx_ring_publish(r, (lx_ring_slot){0, 0, 0, LX_RING_STOP}) != 0)
        return -1;
    return lx_ring_drain(r);
}

const uint64_t* lx_ring_next(lx_ring* r, lx_ring_slot* d) {
    ring_control* c = r->control;
    while (load_acquire(&c->head) == r->tail)
        if (futex_wait(&c->head, r->tail) != 0) return NULL;
    *d = c->desc[r->tail % c->slots];
    r->flags = d->flags;
    return slot_data(c, r->tail);
}

int lx_ring_release(lx_ring* r, int ok) {
    ring_control* c = r->control;
    r->ok &= ok != 0;
    const int done = (r->flags & (LX_RING_LAST | LX_RING_STOP)) != 0;
    if (done) {
        if (!r->ok) c->bad = c->bad + 1;
        r->ok = 1;
    }
    store_then_fence(&c->tail, ++r->tail);
    const int was_full = load_acquire(&c->head) - (r->tail - 1) == c->slots;
    return was_full || done ? futex_wake(&c->tail) : 0;
}

void lx_ring_close(lx_ring* r) {
    munmap(r->control, r->mapped);
    free(r);
}
