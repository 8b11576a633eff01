// Notification system calls: signal, wait, poll.
#include "abi/capability.hpp"
#include "abi/timeout.hpp"
#include "ipc/notification.hpp"
#include "syscall/syscall.hpp"
#include "task/task.hpp"
#include "task/timeouts.hpp"

namespace kernel {

Status sys_notify_signal(Thread& self, arch::User_frame& frame) {
    Notification* n;
    uint64_t badge;
    TRY(self.task().caps().lookup(frame.arg(0), ipclab::right_send, n, badge));
    n->signal(badge);
    return Status::ok;
}

Status sys_notify_wait(Thread& self, arch::User_frame& frame) {
    Notification* n;
    uint64_t badge;
    TRY(self.task().caps().lookup(frame.arg(0), ipclab::right_receive, n, badge));
    const uint64_t timeout = frame.arg(6);
    return n->wait(self, Timeouts::deadline_after(timeout), timeout == ipclab::timeout_zero);
}

Status sys_notify_poll(Thread& self, arch::User_frame& frame) {
    Notification* n;
    uint64_t badge;
    TRY(self.task().caps().lookup(frame.arg(0), ipclab::right_receive, n, badge));
    n->poll(self);
    return Status::ok;
}

} // namespace kernel
