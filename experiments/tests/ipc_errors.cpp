// Every error a native call can return for bad input or a wait that cannot succeed, checked
// against the kernel.
// usage: ipc_errors   (capabilities: slot 1 a communicator; slot 2 endpoint "a" with send only,
//                      slot 3 endpoint "b" with receive only, slot 4 endpoint "a" with send and
//                      grant, slot 5 notification "n" with send and badge 1, slot 6 "n" with
//                      receive only, slot 7 endpoint "a" with send and badge 5; nobody else
//                      uses "a", "b" or "n"; the task's priority is 100)
// Prints one JSON line per case and exits 1 if any status differs from the expected one.
#include <stdio.h>

#include "ipclab/ipc.hpp"

using namespace ipclab;

namespace {

constexpr uint64_t slot_world = 1, slot_send = 2, slot_receive = 3, slot_grant = 4, slot_signal = 5,
                   slot_wait = 6, slot_badged = 7, slot_free = 20;
constexpr uint64_t kernel_address = 0xffffffff80000000ull;
constexpr uint64_t unmapped_address = 0x500000000000ull; // far above every mapping
constexpr uint64_t unknown_thread = 0x7fffffff;

int failures = 0;

void expect(const char* name, Status got, Status want) {
    printf("{\"type\":\"check\",\"case\":\"%s\",\"want\":\"%s\",\"got\":\"%s\",\"ok\":%s}\n", name,
           status_name(want), status_name(got), got == want ? "true" : "false");
    if (got != want) ++failures;
}

const Message empty{Message_tag{0, 0}, {}};

Message with(uint64_t bit) {
    return Message{Message_tag{0, 0}.with(bit, true), {}};
}

void bad_capabilities() {
    expect("slot 0", ipc_send(0, empty), Status::invalid_capability);
    expect("empty slot", ipc_send(200, empty), Status::invalid_capability);
    expect("slot out of range", ipc_send(1u << 20, empty), Status::invalid_capability);
    expect("negative slot", ipc_send(~0ull, empty), Status::invalid_capability);
    expect("communicator used as endpoint", ipc_send(slot_world, empty), Status::wrong_object_type);
    expect("receive on a communicator", ipc_recv(slot_world).status, Status::wrong_object_type);
    expect("send without send right", ipc_send(slot_receive, empty), Status::insufficient_rights);
    expect("receive without receive right", ipc_recv(slot_send).status,
           Status::insufficient_rights);
    expect("call without send right", ipc_call(slot_receive, empty).status,
           Status::insufficient_rights);
    expect("reply_recv without receive right", ipc_reply_recv(slot_send, empty).status,
           Status::insufficient_rights);
}

void bad_messages() {
    expect("tag longer than 64 registers", ipc_send(slot_send, Message{Message_tag{0x41}, {}}),
           Status::invalid_argument);
    expect("kernel-set redirected tag bit", ipc_send(slot_send, with(Message_tag::redirected_bit)),
           Status::invalid_argument);
    expect("kernel-set tag bit", ipc_send(slot_send, with(Message_tag::by_thread_id_bit)),
           Status::invalid_argument);
    Utcb& u = utcb();
    u.send_string_addr = kernel_address; // the kernel image
    u.send_string_bytes = 64;
    expect("string in kernel memory", ipc_send(slot_send, with(Message_tag::string_bit)),
           Status::invalid_pointer);
    u.send_string_addr = 0x1000; // unmapped
    expect("string unmapped", ipc_send(slot_send, with(Message_tag::string_bit)),
           Status::invalid_pointer);
    u.send_string_addr = 0x400000;
    u.send_string_bytes = max_string_bytes + 1;
    expect("string too long", ipc_send(slot_send, with(Message_tag::string_bit)),
           Status::message_too_long);
    u.recv_string_addr = 0xffff800000000000ull; // the kernel's direct map
    u.recv_string_capacity = 4096;
    expect("receive window in kernel memory", ipc_recv(slot_receive).status,
           Status::invalid_pointer);
    u.recv_string_capacity = 0;
    expect("reply without a caller", ipc_reply(empty), Status::no_reply_capability);
}

/// Capability and map items: the grant right first, then the item itself.
void bad_items() {
    Utcb& u = utcb();
    u.send_cap_slot = slot_wait;
    expect("capability item without grant right", ipc_send(slot_send, with(Message_tag::cap_bit)),
           Status::insufficient_rights);
    expect("capability item in a call without grant right",
           ipc_call(slot_send, with(Message_tag::cap_bit)).status, Status::insufficient_rights);
    u.send_map_addr = 0x400000;
    u.send_map_pages = 1;
    u.send_map_writable = 0;
    expect("map item without grant right", ipc_send(slot_send, with(Message_tag::map_bit)),
           Status::insufficient_rights);
    u.send_cap_slot = 200;
    expect("capability item from an empty slot", ipc_send(slot_grant, with(Message_tag::cap_bit)),
           Status::invalid_capability);
    u.send_cap_slot = 1u << 20;
    expect("capability item slot out of range", ipc_send(slot_grant, with(Message_tag::cap_bit)),
           Status::invalid_capability);
    u.send_cap_slot = slot_world;
    expect("communicator capability in a message", ipc_send(slot_grant, with(Message_tag::cap_bit)),
           Status::invalid_argument);
    u.send_map_addr = 0x400010;
    expect("map item not page-aligned", ipc_send(slot_grant, with(Message_tag::map_bit)),
           Status::invalid_argument);
    u.send_map_addr = 0x400000;
    u.send_map_pages = 0;
    expect("map item of no pages", ipc_send(slot_grant, with(Message_tag::map_bit)),
           Status::invalid_argument);
    u.send_map_pages = 1025;
    expect("map item over 1024 pages", ipc_send(slot_grant, with(Message_tag::map_bit)),
           Status::invalid_argument);
    u.send_map_addr = unmapped_address;
    u.send_map_pages = 1;
    expect("map item unmapped", ipc_send(slot_grant, with(Message_tag::map_bit)),
           Status::invalid_pointer);
}

/// Nobody else holds "a", "b" or "n": every wait here is in vain.
void waits() {
    expect("send, zero timeout, nobody receiving", ipc_send(slot_send, empty, timeout_zero),
           Status::would_block);
    expect("receive, zero timeout, nobody sending", ipc_recv(slot_receive, timeout_zero).status,
           Status::would_block);
    expect("call, zero timeout, nobody receiving", ipc_call(slot_grant, empty, timeout_zero).status,
           Status::would_block);
    expect("notify_wait, zero timeout, no signal", notify_wait(slot_wait, timeout_zero).status,
           Status::would_block);
    expect("send, 1 ms timeout", ipc_send(slot_send, empty, 1000000), Status::timed_out);
    expect("receive, 1 ms timeout", ipc_recv(slot_receive, 1000000).status, Status::timed_out);
    expect("call, 1 ms timeout", ipc_call(slot_grant, empty, 1000000).status, Status::timed_out);
    expect("notify_wait, 1 ms timeout", notify_wait(slot_wait, 1000000).status, Status::timed_out);
}

void bad_thread_ids() {
    const uint64_t me = thread_self().id;
    expect("send to an unknown thread id", ipc_send_tid(unknown_thread, empty),
           Status::invalid_capability);
    expect("call to an unknown thread id", ipc_call_tid(unknown_thread, empty).status,
           Status::invalid_capability);
    expect("send to a thread without inbox", ipc_send_tid(me, empty), Status::invalid_capability);
    // Bound, the inbox is found and the message checked like any other: a send by thread id
    // names no capability, so it cannot grant.
    (void)ipc_bind_inbox(slot_receive);
    utcb().send_cap_slot = slot_wait;
    expect("capability item in a send by thread id", ipc_send_tid(me, with(Message_tag::cap_bit)),
           Status::insufficient_rights);
    expect("send by thread id, zero timeout, nobody receiving",
           ipc_send_tid(me, empty, timeout_zero), Status::would_block);
    (void)ipc_bind_inbox(0);
    expect("bind inbox without receive right", ipc_bind_inbox(slot_send),
           Status::insufficient_rights);
    expect("bind inbox to a notification", ipc_bind_inbox(slot_wait), Status::wrong_object_type);
    expect("bind inbox to an empty slot", ipc_bind_inbox(200), Status::invalid_capability);
}

void bad_notifications() {
    expect("signal an endpoint", notify_signal(slot_send), Status::wrong_object_type);
    expect("wait on an endpoint", notify_wait(slot_receive).status, Status::wrong_object_type);
    expect("send to a notification", ipc_send(slot_signal, empty), Status::wrong_object_type);
    expect("signal without send right", notify_signal(slot_wait), Status::insufficient_rights);
    expect("wait without receive right", notify_wait(slot_signal).status,
           Status::insufficient_rights);
    expect("poll without receive right", notify_poll(slot_signal).status,
           Status::insufficient_rights);
    expect("signal an empty slot", notify_signal(200), Status::invalid_capability);
}

void bad_capability_calls() {
    expect("derive from an empty slot", cap_derive(200, slot_free, right_send),
           Status::invalid_capability);
    expect("derive from a slot out of range", cap_derive(1u << 20, slot_free, right_send),
           Status::invalid_capability);
    expect("derive into an occupied slot", cap_derive(slot_send, slot_receive, right_send),
           Status::invalid_capability);
    expect("derive into slot 0", cap_derive(slot_send, 0, right_send), Status::invalid_capability);
    expect("derive into a slot out of range", cap_derive(slot_send, cap_slots, right_send),
           Status::invalid_capability);
    expect("derive more rights", cap_derive(slot_send, slot_free, right_send | right_receive),
           Status::insufficient_rights);
    expect("derive unknown rights", cap_derive(slot_send, slot_free, 0x8),
           Status::invalid_argument);
    expect("re-badge a badged capability", cap_derive(slot_badged, slot_free, right_send, 6),
           Status::invalid_argument);
    expect("re-badge a communicator capability", cap_derive(slot_world, slot_free, right_send, 9),
           Status::invalid_argument);
    expect("delete an empty slot", cap_delete(200), Status::invalid_capability);
    expect("delete slot 0", cap_delete(0), Status::invalid_capability);
    expect("delete a slot out of range", cap_delete(1u << 20), Status::invalid_capability);
    expect("info of an empty slot", cap_info(200).status, Status::invalid_capability);
    expect("info of a slot out of range", cap_info(1u << 20).status, Status::invalid_capability);
}

[[noreturn]] void never_runs(uint64_t) {
    thread_exit(1);
}
alignas(16) unsigned char stack[4096];

void bad_threads() {
    uint64_t id = 0;
    auto* kernel_entry = reinterpret_cast<void (*)(uint64_t)>(kernel_address + 0x1000);
    expect("thread entry in kernel memory",
           thread_create(kernel_entry, stack + sizeof stack, 50, 0, id), Status::invalid_pointer);
    expect("thread entry at address 0", thread_create(nullptr, stack + sizeof stack, 50, 0, id),
           Status::invalid_pointer);
    expect("thread stack in kernel memory",
           thread_create(never_runs, reinterpret_cast<void*>(kernel_address), 50, 0, id),
           Status::invalid_pointer);
    const uint8_t mine =
        thread_self().priority; // 100: the run description's, and the task's maximum
    expect("thread priority above the task's maximum",
           thread_create(never_runs, stack + sizeof stack, uint8_t(mine + 1), 0, id),
           Status::insufficient_rights);
}

} // namespace

int main() {
    bad_capabilities();
    bad_messages();
    bad_items();
    waits();
    bad_thread_ids();
    bad_notifications();
    bad_capability_calls();
    bad_threads();
    Syscall_registers r;
    expect("unknown system call", syscall(static_cast<Syscall>(-1000), r), Status::unknown_syscall);
    Syscall_registers w;
    w.r[0] = 12345;
    expect("wait for a request that does not exist", sys::comm_wait(w), Status::invalid_request);
    printf("{\"type\":\"ipc_errors\",\"failures\":%d}\n", failures);
    return failures ? 1 : 0;
}
