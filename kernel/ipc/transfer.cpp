// Native message transfer: short IPC in registers, MR4.. through the UTCBs, long IPC as one
// validated copy between the two address spaces.
#include "ipc/transfer.hpp"

#include "abi/message.hpp"
#include "lib/bytes.hpp"
#include "mem/user_memory.hpp"
#include "task/task.hpp"
#include "task/thread.hpp"

namespace kernel {

using ipclab::Message_tag;

Status check_outgoing(Thread& sender) {
    Message_tag tag{sender.frame().arg(1)};
    if (!tag.valid()) return Status::invalid_argument;
    if (!tag.has_string()) return Status::ok;
    const ipclab::Utcb& u = sender.utcb();
    if (u.send_string_bytes > ipclab::max_string_bytes) return Status::message_too_long;
    return check_user_range(sender.task().space(), u.send_string_addr, u.send_string_bytes, arch::Access::read);
}

Status check_receive_window(Thread& receiver) {
    // Only the range: walking the page tables of a 64 KiB window on every receive would
    // cost more than a short message. The copy validates every page it writes.
    const ipclab::Utcb& u = receiver.utcb();
    uint64_t window = u.recv_string_capacity;
    if (window > ipclab::max_string_bytes) window = ipclab::max_string_bytes;
    return !window || in_user_half(u.recv_string_addr, window) ? Status::ok : Status::invalid_pointer;
}

Status transfer_message(Thread& sender, Thread& receiver, uint64_t badge) {
    arch::User_frame& from = sender.frame();
    arch::User_frame& to = receiver.frame();
    Message_tag tag{from.arg(1)};
    const unsigned length = tag.length();
    ipclab::Utcb& dst = receiver.utcb();

    dst.recv_string_bytes = 0;
    if (tag.has_string()) {
        const ipclab::Utcb& src = sender.utcb();
        if (src.send_string_bytes > dst.recv_string_capacity) return Status::message_too_long;
        Status s = copy_between(receiver.task().space(), dst.recv_string_addr, sender.task().space(),
                                src.send_string_addr, src.send_string_bytes);
        if (s != Status::ok) return s;
        dst.recv_string_bytes = src.send_string_bytes;
    }
    for (unsigned i = 0; i < ipclab::mr_in_registers; ++i)
        to.set_result(2 + i, i < length ? from.arg(2 + i) : 0);
    if (length > ipclab::mr_in_registers)
        copy_bytes(&dst.mr[ipclab::mr_in_registers], &sender.utcb().mr[ipclab::mr_in_registers],
                   (length - ipclab::mr_in_registers) * sizeof(uint64_t));
    to.set_result(0, badge);
    to.set_result(1, tag.raw());
    return Status::ok;
}

} // namespace kernel
