// Fault injection: which blocks count for a task's kill directive, and the kill itself.
#include "task/fault_injector.hpp"

#include <arch/cpu.hpp>
#include <string.h>

#include "abi/syscall.hpp"
#include "lib/assert.hpp"
#include "lib/print.hpp"
#include "task/scheduler.hpp"
#include "task/task.hpp"

namespace kernel::fault_injection {

bool armed = false;

namespace {

constexpr const char* names[] = {
    "none",
#define IPCLAB_KILL_POINT(name, where) #name,
#include "task/kill_points.def"
#undef IPCLAB_KILL_POINT
};
constexpr size_t point_count = sizeof names / sizeof names[0];

Thread* victim = nullptr;

/// Whether `t`, about to block, is at `p`: told by the system call it is in (its frame's
/// rax still holds the number until the call returns) and, for reply_cap, by the reply
/// capability it holds.
bool at(Point p, Thread& t) {
    using ipclab::Syscall;
    const auto call = static_cast<Syscall>(t.frame().number());
    switch (p) {
    case Point::none: return false;
    case Point::send:
        return call == Syscall::ipc_send || call == Syscall::ipc_send_tid || call == Syscall::ipc_send_tid_as;
    case Point::recv: return call == Syscall::ipc_recv;
    case Point::call:
        return call == Syscall::ipc_call || call == Syscall::ipc_call_tid || call == Syscall::ipc_call_tid_as;
    case Point::reply_recv: return call == Syscall::ipc_reply_recv;
    case Point::reply_cap: return t.reply_to != nullptr;
    case Point::comm_send: return call == Syscall::comm_send;
    case Point::comm_recv: return call == Syscall::comm_recv;
    case Point::comm_wait: return call == Syscall::comm_wait;
    }
    return false;
}

} // namespace

bool point_named(const char* name, size_t n, Point& out) {
    for (size_t i = 1; i < point_count; ++i) {
        if (strlen(names[i]) == n && !memcmp(names[i], name, n)) {
            out = Point(i);
            return true;
        }
    }
    return false;
}

const char* point_name(Point p) { return size_t(p) < point_count ? names[size_t(p)] : "unknown"; }

bool counts_as_kill(Thread& t) {
    Directive& d = t.task().kill;
    if (d.point == Point::none || d.seen >= d.nth || !at(d.point, t)) return false;
    if (++d.seen < d.nth) return false;
    VERIFY(!victim);
    victim = &t;
    return true;
}

void kill_victim() {
    Thread* t = victim;
    victim = nullptr;
    VERIFY(t && t != scheduler().current());
    Task& task = t->task();
    Json_line("inject")
        .field("task", task.name())
        .field("id", task.id())
        .field("thread", t->id())
        .field("point", point_name(task.kill.point))
        .field("nth", task.kill.nth)
        .field("state", thread_state_name(t->state()))
        .field("reply_cap", t->reply_to != nullptr)
        .field("instructions", arch::rdtsc());
    task.end(Exit_reason::signal, 128 + 9); // SIGKILL, as a shell reports it
}

} // namespace kernel::fault_injection
