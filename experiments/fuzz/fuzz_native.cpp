// The fuzzer's native operations (fuzz_ops.hpp): IPC on endpoints and by thread id,
// notifications, capabilities, threads, and numbers no system call has. Semantics and
// errors: abi/syscall.hpp.
#include "experiments/fuzz/fuzz_ops.hpp"

using ipclab::Status;
using ipclab::Syscall;
using ipclab::Syscall_registers;

namespace fuzz {

namespace {

/// The entry of the threads the fuzzer creates: exits at once, touching no memory.
extern "C" [[noreturn]] void fuzz_thread_exit_stub();
asm(".text\n.globl fuzz_thread_exit_stub\nfuzz_thread_exit_stub:\n"
    "  mov $60, %eax\n  xor %edi, %edi\n  syscall\n  ud2\n");

long call(Syscall number, Syscall_registers& r) { return long(ipclab::syscall(number, r)); }

/// A native message: a slot (or thread id), a tag and MR0..MR3, with the UTCB's registers
/// and items scribbled over half of the time.
Syscall_registers message(Ctx& c, uint64_t destination) {
    Syscall_registers r;
    r.r[0] = destination;
    r.r[1] = c.message_tag();
    for (int i = 2; i < 6; ++i) r.r[i] = c.rng.chance(50) ? c.rng.next() : c.rng.below(0x300);
    if (c.rng.chance(50)) c.scribble_utcb();
    return r;
}

/// A wait on the endpoint the oracle serves may be unbounded (it always answers); any other
/// is bounded.
uint64_t send_timeout(Ctx& c, uint64_t slot) {
    if (slot == slot_open && c.rng.chance(30))
        return c.rng.pick({ipclab::timeout_infinite, ~uint64_t(0) - 1, uint64_t(1) << 62});
    return c.timeout();
}

long ipc_send(Ctx& c) {
    Syscall_registers r = message(c, c.slot());
    r.timeout = send_timeout(c, r.r[0]);
    return call(Syscall::ipc_send, r);
}

long ipc_call(Ctx& c) {
    Syscall_registers r = message(c, c.rng.chance(30) ? slot_open : c.slot());
    r.timeout = send_timeout(c, r.r[0]);
    return call(Syscall::ipc_call, r);
}

long ipc_recv(Ctx& c) {
    Syscall_registers r;
    r.r[0] = c.slot();
    r.timeout = c.timeout();
    if (c.rng.chance(30)) c.scribble_utcb();
    return call(Syscall::ipc_recv, r);
}

long ipc_reply(Ctx& c) {
    Syscall_registers r = message(c, 0);
    return call(Syscall::ipc_reply, r);
}

long ipc_reply_recv(Ctx& c) {
    Syscall_registers r = message(c, c.slot());
    r.timeout = c.timeout();
    return call(Syscall::ipc_reply_recv, r);
}

long ipc_send_tid(Ctx& c) {
    static const Syscall numbers[] = {Syscall::ipc_send_tid, Syscall::ipc_call_tid, Syscall::ipc_send_tid_as,
                                      Syscall::ipc_call_tid_as};
    Syscall_registers r = message(c, c.tid());
    r.timeout = c.timeout();
    if (c.rng.chance(50)) ipclab::utcb().virtual_sender = c.tid();
    return call(c.rng.pick(numbers), r);
}

long ipc_bind_inbox(Ctx& c) {
    Syscall_registers r;
    r.r[0] = c.rng.chance(20) ? 0 : c.slot();
    return call(Syscall::ipc_bind_inbox, r);
}

long notify(Ctx& c) {
    static const Syscall numbers[] = {Syscall::notify_signal, Syscall::notify_wait, Syscall::notify_poll};
    Syscall_registers r;
    r.r[0] = c.slot();
    r.timeout = c.timeout();
    return call(c.rng.pick(numbers), r);
}

long cap_derive(Ctx& c) {
    Syscall_registers r;
    r.r[0] = c.slot();
    r.r[1] = c.rng.chance(70) ? first_free_slot + c.rng.below(ipclab::cap_slots - first_free_slot) : c.slot();
    r.r[2] = c.rng.chance(70) ? c.rng.below(8) : c.rng.next();
    r.r[3] = c.rng.chance(50) ? 0 : c.rng.next();
    return call(Syscall::cap_derive, r);
}

long cap_delete(Ctx& c) {
    Syscall_registers r;
    r.r[0] = c.slot();
    if (r.r[0] == slot_world || r.r[0] == slot_open || (r.r[0] < first_free_slot && !c.endgame))
        return long(Status::ok); // kept (fuzz_ops.hpp)
    return call(Syscall::cap_delete, r);
}

long cap_info(Ctx& c) {
    Syscall_registers r;
    r.r[0] = c.slot();
    return call(Syscall::cap_info, r);
}

long thread_create(Ctx& c) {
    static const uint64_t bad[] = {0, 0xfff, 0x0000800000000000ull, 0xffffffff80100000ull, ~uint64_t(0)};
    Syscall_registers r;
    r.r[0] = c.rng.chance(60) ? reinterpret_cast<uint64_t>(&fuzz_thread_exit_stub) : c.rng.pick(bad);
    r.r[1] = c.rng.chance(60) ? c.scratch + c.scratch_bytes : c.rng.pick(bad);
    r.r[2] = c.rng.chance(70) ? c.rng.below(101) : c.rng.next();
    r.r[3] = c.rng.next();
    return call(Syscall::thread_create, r);
}

long thread_self(Ctx& c) {
    Syscall_registers r;
    for (uint64_t& a : r.r) a = c.rng.next();
    return call(Syscall::thread_self, r);
}

/// Numbers between and around the native calls that no system call has.
long unknown_native(Ctx& c) {
    static const long numbers[] = {-14, -15, -27, -31, -34, -39, -45, -63, -64, -100, -4096, long(-(1ull << 40)),
                                   long(1ull << 63)};
    Syscall_registers r;
    for (uint64_t& a : r.r) a = c.rng.next();
    return call(static_cast<Syscall>(c.rng.pick(numbers)), r);
}

} // namespace

const Op native_ops[] = {
    {"ipc_send", ipc_send, false},       {"ipc_call", ipc_call, false},
    {"ipc_recv", ipc_recv, false},       {"ipc_reply", ipc_reply, false},
    {"ipc_reply_recv", ipc_reply_recv, false}, {"ipc_by_thread_id", ipc_send_tid, false},
    {"ipc_bind_inbox", ipc_bind_inbox, false}, {"notification", notify, false},
    {"cap_derive", cap_derive, false},   {"cap_delete", cap_delete, false},
    {"cap_info", cap_info, false},       {"thread_create", thread_create, false},
    {"thread_self", thread_self, false}, {"unknown_native", unknown_native, false},
};
const unsigned native_op_count = sizeof native_ops / sizeof native_ops[0];

} // namespace fuzz
