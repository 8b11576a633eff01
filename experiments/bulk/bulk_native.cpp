// Bulk transfer over native IPC (issue 6, DESIGN.md "Experiments" 8): a producer hands a
// consumer 4 KiB .. 1 MiB of data, which the consumer checks word by word, and measures
// guest instructions per transfer. Transports (--transports, in this order):
//   local          reference: the producer writes the payload and checks it itself
//   local-memcpy   reference: the same with one memcpy between, i.e. what one copy costs
//   long-ipc       string items of up to 64 KiB (abi/message.hpp), copied once by the kernel
//                  straight into the consumer's buffer; a streaming sender: ipc_send for every
//                  message but the last, ipc_call for the last, whose reply (the consumer's
//                  verdict) is the acknowledgement
//   shared-ring    a ring of slots shared once at set-up (map item, seeds/004's streaming
//                  interface): the producer writes each slot in place, the consumer checks it
//                  there; they exchange only notifications, and only when the other side may
//                  be waiting (ring was empty, ring was full, transfer done)
//   shared-ring-no-touch  the same ring protocol with neither side touching the payload (one
//                  stamp word per slot is written and checked): the mechanism alone
// A transfer is timed at the producer from before it writes the payload until the consumer's
// acknowledgement, so every figure includes writing and checking the payload (the `local` row
// is that part alone) except shared-ring-no-touch's.
//
// usage: bulk_native consumer   (slot 2: endpoint, receive; 3: notification "filled", receive;
//                                4: notification "drained", send with a badge)
//        bulk_native producer [--sizes 4096,...] [--reps N] [--warmup N] [--transports LIST]
//                             [--slots N] [--slot-bytes N]
//                               (slot 2: endpoint, send and grant; 3: "filled", send with a
//                                badge; 4: "drained", receive)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/bulk/bulk_common.h"
#include "ipclab/ipc.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t endpoint_slot = 2, filled_slot = 3, drained_slot = 4;
constexpr uint64_t page_bytes = 4096;
/// Where the consumer receives the ring (unmapped in every task: user programs load low).
constexpr uint64_t ring_window = 0x500000000000;
constexpr unsigned max_slots = 64;
/// A map item carries at most this many pages (max_map_pages, kernel/ipc/transfer.hpp).
constexpr uint64_t max_ring_pages = 1024;

/// Message labels from producer to consumer.
enum Op : uint64_t {
    op_prepare = 1,    ///< call, MR0: largest transfer in bytes; the consumer sizes its buffer
    op_chunk = 2,      ///< string item; MR0 transfer bytes, MR1 seed, MR2 offset of this chunk
    op_ring_setup = 3, ///< call with a map item: the ring; the consumer then serves it
};

/// One published slot (DSI's packet descriptor, seeds/004).
struct Slot_descriptor {
    uint64_t seed, first_word, words, flags;
};
/// Slot_descriptor::flags: the payload is written and checked (else one stamp word), the
/// transfer's last slot, the consumer is to leave the ring.
constexpr uint64_t slot_touch = 1, slot_last = 2, slot_stop = 4;

/// The ring's first page; the slots follow it. head and tail count slots ever published and
/// consumed: the ring is empty when they are equal and full when they differ by `slots`.
struct Ring_control {
    uint64_t head;       ///< written by the producer
    uint64_t tail;       ///< written by the consumer
    uint64_t bad;        ///< transfers the consumer found wrong (written before `tail`)
    uint64_t slots;      ///< set once by the producer
    uint64_t slot_bytes; ///< set once by the producer
    Slot_descriptor desc[max_slots];
};
static_assert(sizeof(Ring_control) <= page_bytes, "the control block is one page");

uint64_t load_acquire(const uint64_t& x) {
    return __atomic_load_n(&x, __ATOMIC_ACQUIRE);
}
void store_release(uint64_t& x, uint64_t v) {
    __atomic_store_n(&x, v, __ATOMIC_RELEASE);
}
// Each side stores its own index and then reads the other's to decide whether to notify:
// the store must not pass the load (x86 lets it, through the store buffer), else both could
// decide the other one will see their update and neither notifies.
void full_fence() {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

uint64_t* slot_data(Ring_control* c, uint64_t index) {
    return reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(c) + page_bytes +
                                       (index % c->slots) * c->slot_bytes);
}

[[noreturn]] void fail(const char* who, const char* what, Status s) {
    fprintf(stderr, "bulk_native %s: %s failed: %s\n", who, what, status_name(s));
    exit(1);
}

// ---- Consumer ------------------------------------------------------------------------------

/// Serves the ring until a stop descriptor: checks each slot where it lies, frees it, and
/// signals the producer when it may be waiting (the ring was full) or a transfer is done.
void consume_ring(Ring_control* c) {
    uint64_t tail = c->tail;
    bool ok = true;
    for (;;) {
        while (load_acquire(c->head) == tail) {
            Notified n = notify_wait(filled_slot);
            if (n.status != Status::ok) fail("consumer", "notify_wait", n.status);
        }
        const Slot_descriptor d = c->desc[tail % c->slots];
        const uint64_t* data = slot_data(c, tail);
        if (!(d.flags & slot_stop))
            ok &= bulk_check(data, d.first_word, (d.flags & slot_touch) ? d.words : 1, d.seed) != 0;
        const bool done = d.flags & (slot_last | slot_stop);
        if (done) {
            if (!ok) c->bad = c->bad + 1;
            ok = true;
        }
        store_release(c->tail, ++tail);
        full_fence();
        const bool was_full = load_acquire(c->head) - (tail - 1) == c->slots;
        if (was_full || done) {
            Status s = notify_signal(drained_slot);
            if (s != Status::ok) fail("consumer", "notify_signal", s);
        }
        if (d.flags & slot_stop) return;
    }
}

[[noreturn]] void consumer() {
    Utcb& u = utcb();
    u.recv_map_addr = ring_window;
    u.recv_map_pages = max_ring_pages;
    uint64_t* buffer = nullptr; // the long-IPC destination: a whole transfer, page-aligned
    uint64_t capacity = 0;
    uint64_t expected = 0; // offset of the next chunk of the current transfer
    bool transfer_ok = true;
    auto arm = [&](uint64_t offset) { // the window for the next chunk
        u.recv_string_addr = reinterpret_cast<uint64_t>(buffer) + offset;
        uint64_t room = capacity - offset;
        u.recv_string_capacity = room < max_string_bytes ? room : max_string_bytes;
    };
    Received m = ipc_recv(endpoint_slot);
    for (;;) {
        if (m.status != Status::ok) fail("consumer", "receive", m.status);
        const Message_tag tag = m.message.tag;
        if (tag.label() == op_prepare) {
            void* p = nullptr;
            if (m.message.mr[0] > capacity) {
                free(buffer);
                capacity =
                    posix_memalign(&p, page_bytes, m.message.mr[0]) == 0 ? m.message.mr[0] : 0;
                buffer = static_cast<uint64_t*>(p);
            }
            expected = 0;
            arm(0);
            m = ipc_reply_recv(endpoint_slot, Message{Message_tag{op_prepare, 1}, {capacity}});
        } else if (tag.label() == op_chunk) {
            const uint64_t bytes = m.message.mr[0], seed = m.message.mr[1],
                           offset = m.message.mr[2];
            const uint64_t got = tag.has_string() ? u.recv_string_bytes : 0;
            const bool fits =
                tag.has_string() && offset == expected && got % 8 == 0 && offset + got <= bytes;
            transfer_ok &=
                fits && bulk_check(buffer + expected / 8, offset / 8, got / 8, seed) != 0;
            if (!fits || offset + got >= bytes) { // the last chunk came with a call: answer it
                const uint64_t verdict = transfer_ok;
                transfer_ok = true;
                expected = 0;
                arm(0);
                m = ipc_reply_recv(endpoint_slot, Message{Message_tag{op_chunk, 1}, {verdict}});
            } else {
                expected = offset + got;
                arm(expected);
                m = ipc_recv(endpoint_slot);
            }
        } else if (tag.label() == op_ring_setup) {
            const bool mapped = tag.has_map() && u.recv_map_received == m.message.mr[0];
            Status s = ipc_reply(Message{Message_tag{op_ring_setup, 1}, {mapped}});
            if (s != Status::ok) fail("consumer", "reply", s);
            if (mapped) consume_ring(reinterpret_cast<Ring_control*>(ring_window));
            m = ipc_recv(endpoint_slot);
        } else {
            fprintf(stderr, "bulk_native consumer: unknown label %llu\n",
                    (unsigned long long)tag.label());
            exit(1);
        }
    }
}

// ---- Producer ------------------------------------------------------------------------------

struct Ring {
    Ring_control* control = nullptr;
    uint64_t head = 0; // the producer's own copy of control->head
};

/// Publishes one transfer into the ring and waits until the consumer has checked all of it.
/// Returns whether the consumer found it right.
bool ring_transfer(Ring& r, uint64_t bytes, uint64_t seed, bool touch) {
    Ring_control* c = r.control;
    const uint64_t bad = c->bad, total = bytes / 8, slot_words = c->slot_bytes / 8;
    for (uint64_t first = 0; first < total;) {
        const uint64_t n = total - first < slot_words ? total - first : slot_words;
        while (r.head - load_acquire(c->tail) == c->slots) { // full: wait for a free slot
            Notified w = notify_wait(drained_slot);
            if (w.status != Status::ok) fail("producer", "notify_wait", w.status);
        }
        bulk_fill(slot_data(c, r.head), first, touch ? n : 1, seed); // in place: no copy
        first += n;
        c->desc[r.head % c->slots] = {seed, first - n, n,
                                      (touch ? slot_touch : 0) | (first == total ? slot_last : 0)};
        store_release(c->head, r.head + 1);
        full_fence();
        if (load_acquire(c->tail) == r.head) { // it was empty: the consumer may be waiting
            Status s = notify_signal(filled_slot);
            if (s != Status::ok) fail("producer", "notify_signal", s);
        }
        ++r.head;
    }
    while (load_acquire(c->tail) != r.head) { // the acknowledgement: all of it consumed
        Notified w = notify_wait(drained_slot);
        if (w.status != Status::ok) fail("producer", "notify_wait", w.status);
    }
    return c->bad == bad;
}

/// Sends the consumer out of its ring loop, back to its endpoint.
void ring_stop(Ring& r) {
    Ring_control* c = r.control;
    while (r.head - load_acquire(c->tail) == c->slots)
        (void)notify_wait(drained_slot);
    c->desc[r.head % c->slots] = {0, 0, 0, slot_stop};
    store_release(c->head, ++r.head);
    full_fence();
    (void)notify_signal(filled_slot);
    while (load_acquire(c->tail) != r.head)
        (void)notify_wait(drained_slot);
}

/// Shares the ring's pages with the consumer (one map item, read-write) and hands it over.
bool ring_setup(Ring& r, uint64_t slots, uint64_t slot_bytes) {
    const uint64_t pages = 1 + slots * slot_bytes / page_bytes;
    void* p = nullptr;
    if (posix_memalign(&p, page_bytes, pages * page_bytes) != 0)
        return fprintf(stderr, "bulk_native: out of memory\n"), false;
    memset(p, 0, pages * page_bytes); // every page present before it is shared
    r.control = static_cast<Ring_control*>(p);
    r.control->slots = slots;
    r.control->slot_bytes = slot_bytes;
    Utcb& u = utcb();
    u.send_map_addr = reinterpret_cast<uint64_t>(p);
    u.send_map_pages = pages;
    u.send_map_writable = 1;
    Message m{Message_tag{op_ring_setup, 1}, {pages}};
    m.tag = m.tag.with(Message_tag::map_bit, true);
    Received a = ipc_call(endpoint_slot, m);
    if (a.status != Status::ok) fail("producer", "sharing the ring", a.status);
    return a.message.mr[0] == 1;
}

/// One long-IPC transfer of `bytes` from `buffer`; returns the consumer's verdict.
bool long_transfer(uint64_t* buffer, uint64_t bytes, uint64_t seed) {
    bulk_fill(buffer, 0, bytes / 8, seed);
    Utcb& u = utcb();
    for (uint64_t offset = 0;;) {
        const uint64_t n = bytes - offset < max_string_bytes ? bytes - offset : max_string_bytes;
        u.send_string_addr = reinterpret_cast<uint64_t>(buffer) + offset;
        u.send_string_bytes = n;
        const Message m{Message_tag{op_chunk, 3, true}, {bytes, seed, offset}};
        if (offset + n == bytes) {
            Received a = ipc_call(endpoint_slot, m);
            if (a.status != Status::ok) fail("producer", "call", a.status);
            return a.message.mr[0] == 1;
        }
        Status s = ipc_send(endpoint_slot, m);
        if (s != Status::ok) fail("producer", "send", s);
        offset += n;
    }
}

struct Transport {
    const char* key;   ///< its name in --transports
    const char* label; ///< its name in the result rows
};
constexpr Transport transports[] = {{"local", "local"},
                                    {"local-memcpy", "local-memcpy"},
                                    {"long-ipc", "long-ipc"},
                                    {"shared-ring", "shared-ring"},
                                    {"shared-ring-no-touch", "shared-ring, no touch"}};

uint64_t option_slots = 16, option_slot_bytes = 4096;

int ring_options(int argc, char** argv, int i) {
    if (i + 1 >= argc) return 0;
    uint64_t* target = !strcmp(argv[i], "--slots")        ? &option_slots
                       : !strcmp(argv[i], "--slot-bytes") ? &option_slot_bytes
                                                          : nullptr;
    if (!target) return 0;
    *target = strtoull(argv[i + 1], nullptr, 10);
    return 2;
}

int producer(int argc, char** argv) {
    bulk_options o;
    if (bulk_parse(argc, argv, 2, "bulk_native", &o, ring_options) != 0) return 2;
    if (option_slots < 1 || option_slots > max_slots || option_slot_bytes < page_bytes ||
        option_slot_bytes % page_bytes ||
        1 + option_slots * option_slot_bytes / page_bytes > max_ring_pages)
        return fprintf(
                   stderr,
                   "bulk_native: --slots 1..%u, --slot-bytes a multiple of 4096; the ring and its "
                   "control page at most %llu pages\n",
                   max_slots, (unsigned long long)max_ring_pages),
               2;
    const uint64_t largest = bulk_largest(&o);
    void *a = nullptr, *b = nullptr;
    if (posix_memalign(&a, page_bytes, largest) != 0) a = nullptr;
    if (posix_memalign(&b, page_bytes, largest) != 0) b = nullptr;
    auto* samples = static_cast<uint64_t*>(malloc(sizeof(uint64_t) * size_t(o.reps)));
    if (!a || !b || !samples) return fprintf(stderr, "bulk_native: out of memory\n"), 3;
    auto* out = static_cast<uint64_t*>(a);
    auto* copy = static_cast<uint64_t*>(b);

    Received prepared = ipc_call(endpoint_slot, Message{Message_tag{op_prepare, 1}, {largest}});
    if (prepared.status != Status::ok) fail("producer", "preparing the consumer", prepared.status);
    if (prepared.message.mr[0] < largest)
        return fprintf(stderr, "bulk_native: the consumer is out of memory\n"), 3;
    Ring ring; // shared before the first ring transport; the consumer then serves only the ring

    int failures = 0;
    uint64_t seed = 1;
    for (const Transport& t : transports) {
        if (!bulk_wanted(o.transports, t.key)) continue;
        const bool is_ring = !strncmp(t.key, "shared-ring", 11),
                   touch = strcmp(t.key, "shared-ring-no-touch") != 0;
        if (is_ring && !ring.control && !ring_setup(ring, option_slots, option_slot_bytes))
            return fprintf(stderr, "bulk_native: the ring could not be shared\n"), 1;
        for (int s = 0; s < o.nsizes; ++s) {
            const uint64_t bytes = o.sizes[s];
            bool verified = true;
            for (long rep = 0; rep < o.warmup + o.reps; ++rep, ++seed) {
                const uint64_t t0 = bench_rdtsc();
                bool ok;
                if (is_ring) {
                    ok = ring_transfer(ring, bytes, seed, touch);
                } else if (!strcmp(t.key, "long-ipc")) {
                    ok = long_transfer(out, bytes, seed);
                } else {
                    bulk_fill(out, 0, bytes / 8, seed);
                    const uint64_t* checked = out;
                    if (!strcmp(t.key, "local-memcpy"))
                        checked = static_cast<const uint64_t*>(memcpy(copy, out, bytes));
                    ok = bulk_check(checked, 0, bytes / 8, seed) != 0;
                }
                const uint64_t t1 = bench_rdtsc();
                verified &= ok;
                if (rep >= o.warmup) samples[rep - o.warmup] = t1 - t0;
            }
            const uint64_t per = is_ring ? option_slot_bytes : max_string_bytes;
            const size_t messages =
                is_ring || !strcmp(t.key, "long-ipc") ? size_t((bytes + per - 1) / per) : 0;
            bench_stats st = bench_summarise(samples, size_t(o.reps));
            bulk_print_result("native", t.label, bytes, size_t(o.reps), size_t(o.warmup), &st,
                              verified, messages, touch, -1);
            if (!verified) {
                fprintf(stderr, "bulk_native: %s delivered a wrong payload at %llu bytes\n",
                        t.label, (unsigned long long)bytes);
                ++failures;
            }
        }
    }
    if (ring.control) ring_stop(ring);
    return failures ? 4 : 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && !strcmp(argv[1], "consumer")) consumer();
    if (argc >= 2 && !strcmp(argv[1], "producer")) return producer(argc, argv);
    fprintf(stderr, "usage: bulk_native consumer | producer [--sizes LIST] [--reps N] [--warmup N] "
                    "[--transports LIST] [--slots N] [--slot-bytes N]\n");
    return 2;
}
