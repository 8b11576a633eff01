// System-call entry from entry.S: the dispatch table generated from abi/syscalls.def.
#include <arch/context.hpp>

#include "abi/syscall.hpp"
#include "syscall/syscall.hpp"
#include "task/scheduler.hpp"

namespace kernel {

namespace {

using Handler = Status (*)(Thread&, arch::User_frame&);

constexpr long table_size() {
    long n = 0;
#define IPCLAB_SYSCALL(name, number) n = -(number) + 1 > n ? -(number) + 1 : n;
#include "abi/syscalls.def"
#undef IPCLAB_SYSCALL
    return n;
}

struct Table {
    Handler handlers[table_size()] = {};
    constexpr Table() {
#define IPCLAB_SYSCALL(name, number) handlers[-(number)] = &sys_##name;
#include "abi/syscalls.def"
#undef IPCLAB_SYSCALL
    }
};

constexpr Table table;

} // namespace

} // namespace kernel

extern "C" void syscall_dispatch(arch::User_frame* frame) {
    using namespace kernel;
    Thread& self = *scheduler().current();
    const long number = frame->number();
    if (number >= 0) {
        frame->set_status(linux_syscall(self, *frame));
        scheduler().preempt_if_needed();
        return;
    }
    const long index = -number;
    Handler h = index < table_size() ? table.handlers[index] : nullptr;
    frame->set_status(static_cast<long>(h ? h(self, *frame) : Status::unknown_syscall));
    scheduler().preempt_if_needed(); // the call may have woken a thread that outranks us
}
