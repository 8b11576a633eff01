// Every error a native IPC call can return for bad input, checked against the kernel.
// usage: ipc_errors   (capabilities: slot 2 endpoint with send only, slot 3 endpoint with
//                      receive only, slot 1 a communicator)
// Prints one JSON line per case and exits 1 if any status differs from the expected one.
#include <stdio.h>

#include "ipclab/ipc.hpp"

using namespace ipclab;

namespace {

int failures = 0;

void expect(const char* name, Status got, Status want) {
    printf("{\"type\":\"check\",\"case\":\"%s\",\"want\":\"%s\",\"got\":\"%s\",\"ok\":%s}\n", name,
           status_name(want), status_name(got), got == want ? "true" : "false");
    if (got != want) ++failures;
}

} // namespace

int main() {
    const Message empty{Message_tag{0, 0}, {}};
    expect("slot 0", ipc_send(0, empty), Status::invalid_capability);
    expect("empty slot", ipc_send(200, empty), Status::invalid_capability);
    expect("slot out of range", ipc_send(1u << 20, empty), Status::invalid_capability);
    expect("negative slot", ipc_send(~0ull, empty), Status::invalid_capability);
    expect("communicator used as endpoint", ipc_send(1, empty), Status::wrong_object_type);
    expect("send without send right", ipc_send(3, empty), Status::insufficient_rights);
    expect("receive without receive right", ipc_recv(2).status, Status::insufficient_rights);
    expect("call without send right", ipc_call(3, empty).status, Status::insufficient_rights);
    expect("tag longer than 64 registers", ipc_send(2, Message{Message_tag{0x41}, {}}), Status::invalid_argument);
    expect("reserved tag bit", ipc_send(2, Message{Message_tag{Message_tag::reserved_bits}, {}}), Status::invalid_argument);
    expect("kernel-set tag bit", ipc_send(2, Message{Message_tag{Message_tag::by_thread_id_bit}, {}}),
           Status::invalid_argument);
    Utcb& u = utcb();
    u.send_string_addr = 0xffffffff80000000ull; // the kernel image
    u.send_string_bytes = 64;
    expect("string in kernel memory", ipc_send(2, Message{Message_tag{0, 0, true}, {}}), Status::invalid_pointer);
    u.send_string_addr = 0x1000; // unmapped
    expect("string unmapped", ipc_send(2, Message{Message_tag{0, 0, true}, {}}), Status::invalid_pointer);
    u.send_string_addr = 0x400000;
    u.send_string_bytes = max_string_bytes + 1;
    expect("string too long", ipc_send(2, Message{Message_tag{0, 0, true}, {}}), Status::message_too_long);
    u.recv_string_addr = 0xffff800000000000ull; // the kernel's direct map
    u.recv_string_capacity = 4096;
    expect("receive window in kernel memory", ipc_recv(3).status, Status::invalid_pointer);
    u.recv_string_capacity = 0;
    expect("reply without a caller", ipc_reply(empty), Status::no_reply_capability);
    Syscall_registers r;
    expect("unknown system call", syscall(static_cast<Syscall>(-1000), r), Status::unknown_syscall);
    printf("{\"type\":\"ipc_errors\",\"failures\":%d}\n", failures);
    return failures ? 1 : 0;
}
