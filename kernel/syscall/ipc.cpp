// Native IPC system calls: decode, then the endpoint's operation.
#include "abi/capability.hpp"
#include "ipc/endpoint.hpp"
#include "ipc/transfer.hpp"
#include "syscall/syscall.hpp"
#include "task/task.hpp"

namespace kernel {

namespace {

Status lookup_endpoint(Thread& self, uint64_t slot, uint8_t rights, Endpoint*& ep, uint64_t& badge) {
    return self.task().caps().lookup(slot, rights, ep, badge);
}

} // namespace

Status sys_ipc_send(Thread& self, arch::User_frame& frame) {
    Endpoint* ep;
    uint64_t badge;
    TRY(lookup_endpoint(self, frame.arg(0), ipclab::right_send, ep, badge));
    TRY(check_outgoing(self));
    return ep->send(self, badge, false);
}

Status sys_ipc_call(Thread& self, arch::User_frame& frame) {
    Endpoint* ep;
    uint64_t badge;
    TRY(lookup_endpoint(self, frame.arg(0), ipclab::right_send, ep, badge));
    TRY(check_outgoing(self));
    TRY(check_receive_window(self));
    return ep->send(self, badge, true);
}

Status sys_ipc_recv(Thread& self, arch::User_frame& frame) {
    Endpoint* ep;
    uint64_t badge;
    TRY(lookup_endpoint(self, frame.arg(0), ipclab::right_receive, ep, badge));
    TRY(check_receive_window(self));
    return ep->receive(self);
}

Status sys_ipc_reply(Thread& self, arch::User_frame&) {
    TRY(check_outgoing(self));
    return Endpoint::reply(self);
}

Status sys_ipc_reply_recv(Thread& self, arch::User_frame& frame) {
    Endpoint* ep;
    uint64_t badge;
    TRY(lookup_endpoint(self, frame.arg(0), ipclab::right_receive, ep, badge));
    TRY(check_receive_window(self));
    Thread* caller = self.reply_to;
    if (caller) TRY(check_outgoing(self));
    // As seL4's ReplyRecv: without a caller to answer the receive still happens, and a
    // reply the transfer rejects is reported to the caller, not here.
    if (caller) (void)Endpoint::reply(self);
    return ep->receive(self, caller);
}

} // namespace kernel
