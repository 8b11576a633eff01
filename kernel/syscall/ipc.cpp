// Native IPC system calls: decode (capability, rights, message items), then the endpoint's
// operation. Register convention in abi/syscall.hpp; a6 is the timeout.
#include "abi/capability.hpp"
#include "ipc/endpoint.hpp"
#include "ipc/transfer.hpp"
#include "syscall/syscall.hpp"
#include "task/task.hpp"

namespace kernel {

namespace {

constexpr unsigned arg_timeout = 6;

/// The endpoint in `slot` with `rights`, and whether the capability may grant.
Status lookup_endpoint(Thread& self, uint64_t slot, uint8_t rights, Endpoint*& ep, uint64_t& badge, bool& may_grant) {
    TRY(self.task().caps().lookup(slot, rights, ep, badge));
    may_grant = self.task().caps().at(unsigned(slot)).rights & ipclab::right_grant;
    return Status::ok;
}

} // namespace

Status sys_ipc_send(Thread& self, arch::User_frame& frame) {
    Endpoint* ep;
    uint64_t badge;
    bool may_grant;
    TRY(lookup_endpoint(self, frame.arg(0), ipclab::right_send, ep, badge, may_grant));
    TRY(check_outgoing(self, may_grant));
    return ep->send(self, badge, false, frame.arg(arg_timeout));
}

Status sys_ipc_call(Thread& self, arch::User_frame& frame) {
    Endpoint* ep;
    uint64_t badge;
    bool may_grant;
    TRY(lookup_endpoint(self, frame.arg(0), ipclab::right_send, ep, badge, may_grant));
    TRY(check_outgoing(self, may_grant));
    TRY(check_receive_window(self));
    return ep->send(self, badge, true, frame.arg(arg_timeout));
}

Status sys_ipc_recv(Thread& self, arch::User_frame& frame) {
    Endpoint* ep;
    uint64_t badge;
    bool may_grant;
    TRY(lookup_endpoint(self, frame.arg(0), ipclab::right_receive, ep, badge, may_grant));
    TRY(check_receive_window(self));
    return ep->receive(self, frame.arg(arg_timeout));
}

Status sys_ipc_reply(Thread& self, arch::User_frame&) {
    TRY(check_outgoing(self, true)); // the caller chose whether to accept items
    return Endpoint::reply(self);
}

Status sys_ipc_reply_recv(Thread& self, arch::User_frame& frame) {
    Endpoint* ep;
    uint64_t badge;
    bool may_grant;
    TRY(lookup_endpoint(self, frame.arg(0), ipclab::right_receive, ep, badge, may_grant));
    TRY(check_receive_window(self));
    Thread* caller = self.reply_to;
    if (caller) TRY(check_outgoing(self, true));
    // As seL4's ReplyRecv: without a caller to answer the receive still happens, and a
    // reply the transfer rejects is reported to the caller, not here.
    if (caller) (void)Endpoint::reply(self, false); // receive() runs or queues the caller
    return ep->receive(self, frame.arg(arg_timeout), caller);
}

Status sys_ipc_bind_inbox(Thread& self, arch::User_frame& frame) {
    Endpoint* ep = nullptr;
    if (frame.arg(0) != ipclab::slot_null) {
        uint64_t badge;
        bool may_grant;
        TRY(lookup_endpoint(self, frame.arg(0), ipclab::right_receive, ep, badge, may_grant));
        ep->acquire();
    }
    if (self.inbox) self.inbox->release();
    self.inbox = ep;
    return Status::ok;
}

} // namespace kernel
