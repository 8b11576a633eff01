// The fuzzer's MPI communicator operations (fuzz_ops.hpp), raw system calls with hostile
// ranks, tags, buffers, lengths, contexts, request handles and groups. Semantics and errors:
// abi/syscall.hpp, after MPI-3.1 sections 3.4-3.8 and 6.4.
//
// Every blocking send is bounded by the communicator's send timeout, which the fuzzer sets
// to 1 ms first and only ever changes to another finite value (fuzz_main sets it).
#include "abi/comm.hpp"
#include "experiments/fuzz/fuzz_ops.hpp"

using ipclab::Status;
using ipclab::Syscall;
using ipclab::Syscall_registers;

namespace fuzz {

namespace {

constexpr unsigned handles_kept = 16;
uint64_t handles[handles_kept]; // request handles returned by comm_isend and comm_irecv
unsigned next_handle;

uint64_t communicator(Ctx& c) { return c.rng.chance(50) ? slot_world : c.slot(); }

uint64_t handle(Ctx& c) {
    switch (c.rng.below(4)) {
    case 0: return c.rng.pick({uint64_t(0), ~uint64_t(0), uint64_t(1) << 32});
    case 1: return c.rng.next();
    default: return handles[c.rng.below(handles_kept)];
    }
}

/// The context word: point-to-point, collective or out of range, with the flags of abi/comm.hpp.
uint64_t context(Ctx& c) {
    if (c.sane) return c.rng.below(2) | (c.rng.chance(20) ? ipclab::comm_in_registers : 0);
    uint64_t v = c.rng.chance(80) ? c.rng.below(2) : c.rng.pick({uint64_t(2), uint64_t(0xff), c.rng.next()});
    if (c.rng.chance(25)) v |= ipclab::comm_in_registers;
    if (c.rng.chance(15)) v |= ipclab::comm_isend_synchronous;
    return v;
}

/// A point-to-point call's registers: slot, rank, tag, buffer, length, context.
Syscall_registers p2p(Ctx& c) {
    Syscall_registers r;
    r.r[0] = communicator(c);
    r.r[1] = c.rank();
    r.r[2] = c.tag();
    r.r[3] = c.pointer();
    r.r[4] = c.length();
    r.r[5] = context(c);
    r.timeout = c.timeout();
    return r;
}

long run(Ctx& c, Syscall number, Syscall_registers& r) {
    if (r.r[5] & ipclab::comm_in_registers) {
        uint64_t payload[3] = {c.rng.next(), c.rng.next(), c.rng.next()};
        return long(ipclab::syscall_with_payload(number, r, payload));
    }
    return long(ipclab::syscall(number, r));
}

long comm_send(Ctx& c) {
    Syscall_registers r = p2p(c);
    return run(c, Syscall::comm_send, r);
}

long comm_recv(Ctx& c) {
    Syscall_registers r = p2p(c);
    return run(c, Syscall::comm_recv, r);
}

/// Forgets the oldest handle kept, withdrawing its operation if still pending and freeing it
/// if complete, so that at most handles_kept operations are ever outstanding (the posted
/// receives of a long run would otherwise grow without bound, and every match scan them).
void retire_oldest() {
    uint64_t& h = handles[next_handle % handles_kept];
    Syscall_registers r;
    r.r[0] = h;
    if (h && ipclab::sys::comm_cancel(r) == Status::ok && r.r[0] == 0) {
        r.r[0] = h;
        r.timeout = ipclab::timeout_zero;
        (void)ipclab::sys::comm_wait(r);
    }
    h = 0;
}

long comm_nonblocking(Ctx& c) {
    Syscall_registers r = p2p(c);
    long s = run(c, c.rng.chance(50) ? Syscall::comm_isend : Syscall::comm_irecv, r);
    if (s == long(Status::ok) && r.r[0]) {
        retire_oldest();
        handles[next_handle++ % handles_kept] = r.r[0];
    }
    return s;
}

/// Receives whatever waits on WORLD, from anyone with any tag, without waiting: the eager
/// messages the fuzzer sends itself would otherwise pile up in the kernel.
long comm_drain(Ctx& c) {
    Syscall_registers r;
    r.r[0] = slot_world;
    r.r[1] = uint64_t(ipclab::comm_any_source);
    r.r[2] = uint64_t(ipclab::comm_any_tag);
    r.r[3] = c.scratch;
    r.r[4] = c.scratch_bytes;
    r.r[5] = c.rng.below(2);
    r.timeout = ipclab::timeout_zero;
    return long(ipclab::sys::comm_recv(r));
}

long comm_wait(Ctx& c) {
    Syscall_registers r;
    r.r[0] = handle(c);
    r.timeout = c.timeout();
    return long(ipclab::sys::comm_wait(r));
}

long comm_cancel(Ctx& c) {
    Syscall_registers r;
    r.r[0] = handle(c);
    return long(ipclab::sys::comm_cancel(r));
}

long comm_probe(Ctx& c) {
    Syscall_registers r = p2p(c);
    return long(ipclab::sys::comm_probe(r));
}

long comm_info(Ctx& c) {
    Syscall_registers r;
    r.r[0] = communicator(c);
    return long(ipclab::sys::comm_info(r));
}

/// New communicators from groups of WORLD (or whatever the slot holds): mostly the fuzzer
/// alone, sometimes with the oracle (a creation the oracle never joins), sometimes bad.
long comm_create(Ctx& c) {
    static int32_t group[8];
    Syscall_registers r;
    r.r[0] = communicator(c);
    const uint64_t count = c.rng.chance(80) ? 1 + c.rng.below(3) : c.rng.pick({uint64_t(0), uint64_t(9),
                                                                              uint64_t(ipclab::comm_max_group) + 1,
                                                                              c.rng.next()});
    for (int32_t& g : group) g = c.rng.chance(85) ? int32_t(c.rng.below(2)) : int32_t(c.rank());
    r.r[1] = c.rng.chance(80) ? reinterpret_cast<uint64_t>(group) : c.pointer();
    r.r[2] = count;
    // Few keys: a creation that names the oracle is never completed (it does not join), and
    // each distinct key would leave one more pending for the rest of the run.
    r.r[3] = c.rng.chance(50) ? c.rng.below(4) : c.rng.below(64) << 20;
    r.r[4] = c.rng.chance(70) ? first_free_slot + c.rng.below(ipclab::cap_slots - first_free_slot) : c.slot();
    return long(ipclab::sys::comm_create(r));
}

/// The management calls: a finite send timeout only (0 would mean none), abort_sends, usage.
long comm_manage(Ctx& c) {
    Syscall_registers r;
    r.r[0] = communicator(c);
    switch (c.rng.below(3)) {
    case 0:
        r.r[1] = c.rng.pick({uint64_t(1), uint64_t(1000), uint64_t(1000000)});
        return long(ipclab::sys::comm_set_send_timeout(r));
    case 1: r.r[1] = c.rank(); return long(ipclab::sys::comm_abort_sends(r));
    default: return long(ipclab::sys::comm_buffer_usage(r));
    }
}

/// comm_abort only on slots that hold no communicator: on one it ends every member.
long comm_abort(Ctx& c) {
    Syscall_registers r;
    r.r[0] = c.rng.pick({uint64_t(0), uint64_t(256), ~uint64_t(0), slot_open}); // slot_open: never changes
    r.r[1] = c.rng.next();
    return long(ipclab::sys::comm_abort(r));
}

} // namespace

const Op comm_ops[] = {
    {"comm_send", comm_send, false},     {"comm_recv", comm_recv, false},
    {"comm_isend_irecv", comm_nonblocking, false}, {"comm_wait", comm_wait, false},
    {"comm_cancel", comm_cancel, false}, {"comm_probe", comm_probe, false},
    {"comm_info", comm_info, false},     {"comm_create", comm_create, false},
    {"comm_manage", comm_manage, false}, {"comm_abort", comm_abort, false},
    {"comm_drain", comm_drain, false},
};
const unsigned comm_op_count = sizeof comm_ops / sizeof comm_ops[0];

} // namespace fuzz
