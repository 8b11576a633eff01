/* The Linux analogue of experiments/bulk's shared ring: a ring of slots in POSIX shared memory
 * (shm_open + mmap) that the producer writes in place and the consumer reads in place, with
 * futexes on the ring's two indices as the notifications (lx_ring.c). The mechanism only: what
 * goes into a slot is the caller's (lx_bulk.c), so the payload code stays in one program file. */
#ifndef IPCLAB_LX_RING_H
#define IPCLAB_LX_RING_H

#include <stddef.h>
#include <stdint.h>

/* At most this many slots (one control page describes them all). */
#define LX_RING_MAX_SLOTS 64

typedef struct lx_ring lx_ring;

/* One published slot (DSI's packet descriptor, seeds/004, as in bulk_native.cpp): payload
 * words [first_word, first_word + words) of seed `seed`, and flags. */
typedef struct {
    uint64_t seed, first_word, words, flags;
} lx_ring_slot;
enum { LX_RING_LAST = 2, LX_RING_STOP = 4 }; /* a transfer's last slot; the consumer is to leave */

/* A ring of `slots` slots of `slot_bytes` (a multiple of 4096) and a control page in a new
 * POSIX shared-memory object, mapped shared and its name unlinked at once: opened before
 * fork(), so both processes map the same pages. NULL, with errno set, when it fails. */
lx_ring* lx_ring_open(unsigned slots, size_t slot_bytes);
size_t lx_ring_slot_bytes(const lx_ring* r);
/* Transfers the consumer has found wrong so far (lx_ring_release). */
uint32_t lx_ring_bad(const lx_ring* r);

/* The producer: waits for a free slot and returns its data (slot_bytes), or NULL when a futex
 * call failed; then lx_ring_publish hands it over (0, or -1). lx_ring_drain waits until the
 * consumer has released every published slot: the acknowledgement (0, or -1). */
uint64_t* lx_ring_reserve(lx_ring* r);
int lx_ring_publish(lx_ring* r, lx_ring_slot d);
int lx_ring_drain(lx_ring* r);
/* Publishes a LX_RING_STOP slot and waits until the consumer has taken it (0, or -1). */
int lx_ring_stop(lx_ring* r);

/* The consumer: waits for the next published slot, fills *d with its descriptor and returns
 * its data, or NULL when a futex call failed; lx_ring_release frees it, `ok` saying whether its
 * payload was right, and at a transfer's last slot counts the transfer in lx_ring_bad if any of
 * its slots was not (0, or -1). */
const uint64_t* lx_ring_next(lx_ring* r, lx_ring_slot* d);
int lx_ring_release(lx_ring* r, int ok);

/* Unmaps the ring (each process its own mapping). */
void lx_ring_close(lx_ring* r);

#endif /* IPCLAB_LX_RING_H */
