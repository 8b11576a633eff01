// System-call handlers: decode (capability lookup, rights and argument checks, no side
// effects) then the object's own operation (STYLE rule 6).
#pragma once

#include <arch/context.hpp>

#include "abi/status.hpp"
#include "task/thread.hpp"

namespace kernel {

using ipclab::Status;

/// Returns early with the status of `expr` unless it is ok.
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        if (::ipclab::Status try_status_ = (expr); try_status_ != ::ipclab::Status::ok)            \
            return try_status_;                                                                    \
    } while (0)

/// One handler per native system call in abi/syscalls.def: sys_<name>. Arguments and results
/// use the registers of abi/syscall.hpp; the returned Status goes to rax.
#define IPCLAB_SYSCALL(name, number) Status sys_##name(Thread& self, arch::User_frame& frame);
#include "abi/syscalls.def"
#undef IPCLAB_SYSCALL

/// Serves a Linux system call of the C library (linux_compat.cpp); returns the value for
/// rax (a result or -errno).
long linux_syscall(Thread& self, arch::User_frame& frame);

} // namespace kernel
