// Native message transfer: short IPC in registers, MR4.. through the UTCBs, long IPC as one
// validated copy between the two address spaces, capabilities copied between capability
// spaces, and pages shared into the receiver's window.
#include "ipc/transfer.hpp"

#include "abi/message.hpp"
#include "lib/bytes.hpp"
#include "mem/user_memory.hpp"
#include "task/task.hpp"
#include "task/thread.hpp"

namespace kernel {

using ipclab::Message_tag;

namespace {

Status check_map_item(Thread& sender) {
    const ipclab::Utcb& u = sender.utcb();
    if ((u.send_map_addr & 0xfff) || u.send_map_pages == 0 || u.send_map_pages > max_map_pages)
        return Status::invalid_argument;
    return check_user_range(sender.task().space(), u.send_map_addr, u.send_map_pages * 4096,
                            u.send_map_writable ? arch::Access::write : arch::Access::read);
}

/// Copies the sender's capability into the receiver's receive slot; false if it was not
/// accepted (no slot offered, slot taken, or the capability went away meanwhile).
bool transfer_cap(Thread& sender, Thread& receiver) {
    const uint64_t from = sender.utcb().send_cap_slot, to = receiver.utcb().recv_cap_slot;
    Cap_space& src = sender.task().caps();
    if (from >= ipclab::cap_slots || to == ipclab::slot_null || to >= ipclab::cap_slots) return false;
    const Capability& c = src.at(unsigned(from));
    if (!c.object || c.object->type() == Object_type::communicator) return false;
    return receiver.task().caps().insert(to, *c.object, c.rights, c.badge) == Status::ok;
}

/// Maps the sender's pages into the receiver's window, all or none.
Status transfer_map(Thread& sender, Thread& receiver) {
    const ipclab::Utcb& s = sender.utcb();
    ipclab::Utcb& r = receiver.utcb();
    // The limits again, where they are used: another thread of the sender's task can have
    // rewritten its UTCB since the send was checked.
    if (s.send_map_pages > max_map_pages || (s.send_map_addr & 0xfff)) return Status::invalid_argument;
    if (s.send_map_pages > r.recv_map_pages) return Status::message_too_long;
    if ((r.recv_map_addr & 0xfff) || !in_user_half(r.recv_map_addr, s.send_map_pages * 4096))
        return Status::invalid_argument;
    return receiver.task().space().share_from(sender.task().space(), s.send_map_addr, r.recv_map_addr,
                                              s.send_map_pages, s.send_map_writable != 0);
}

} // namespace

Status check_outgoing(Thread& sender, bool may_grant) {
    Message_tag tag{sender.frame().arg(1)};
    if (!tag.valid()) return Status::invalid_argument;
    if ((tag.has_cap() || tag.has_map()) && !may_grant) return Status::insufficient_rights;
    const ipclab::Utcb& u = sender.utcb();
    if (tag.has_string()) {
        if (u.send_string_bytes > ipclab::max_string_bytes) return Status::message_too_long;
        Status s = check_user_range(sender.task().space(), u.send_string_addr, u.send_string_bytes,
                                    arch::Access::read);
        if (s != Status::ok) return s;
    }
    if (tag.has_cap()) {
        if (u.send_cap_slot >= ipclab::cap_slots || !sender.task().caps().at(unsigned(u.send_cap_slot)).object)
            return Status::invalid_capability;
        if (sender.task().caps().at(unsigned(u.send_cap_slot)).object->type() == Object_type::communicator)
            return Status::invalid_argument; // its badge is the holder's rank
    }
    if (tag.has_map()) return check_map_item(sender);
    return Status::ok;
}

Status check_receive_window(Thread& receiver) {
    // Only the range: walking the page tables of a 64 KiB window on every receive would
    // cost more than a short message. The copy validates every page it writes.
    return receive_window_ok(receiver) ? Status::ok : Status::invalid_pointer;
}

Status transfer_message(Thread& sender, Thread& receiver, uint64_t badge, bool by_thread_id) {
    arch::User_frame& from = sender.frame();
    arch::User_frame& to = receiver.frame();
    Message_tag tag{from.arg(1)};
    const unsigned length = tag.length();
    ipclab::Utcb& dst = receiver.utcb();

    if (tag.has_string()) {
        const ipclab::Utcb& src = sender.utcb();
        // Checked at the send, but read again now: a sibling thread may have changed it.
        if (src.send_string_bytes > dst.recv_string_capacity || src.send_string_bytes > ipclab::max_string_bytes)
            return Status::message_too_long;
        Status s = copy_between(receiver.task().space(), dst.recv_string_addr, sender.task().space(),
                                src.send_string_addr, src.send_string_bytes);
        if (s != Status::ok) return s;
        dst.recv_string_bytes = src.send_string_bytes;
    }
    if (tag.has_map()) {
        Status s = transfer_map(sender, receiver);
        if (s != Status::ok) return s;
        dst.recv_map_received = sender.utcb().send_map_pages;
    }
    if (tag.has_cap()) tag = tag.with(Message_tag::cap_bit, transfer_cap(sender, receiver));
    // MR0..MR3 are a2..a5 of the sender and r2..r5 (rdx, r10, r8, r9) of the receiver.
    to.rdx = length > 0 ? from.rdx : 0;
    to.r10 = length > 1 ? from.r10 : 0;
    to.r8 = length > 2 ? from.r8 : 0;
    to.r9 = length > 3 ? from.r9 : 0;
    if (length > ipclab::mr_in_registers)
        copy_bytes(&dst.mr[ipclab::mr_in_registers], &sender.utcb().mr[ipclab::mr_in_registers],
                   (length - ipclab::mr_in_registers) * sizeof(uint64_t));
    if (sender.send_intended_receiver) { // redirected by the policy: say whom it was for
        tag = tag.with(Message_tag::redirected_bit, true);
        dst.intended_receiver = sender.send_intended_receiver;
    }
    to.rdi = badge;
    to.rsi = tag.with(Message_tag::by_thread_id_bit, by_thread_id).raw();
    return Status::ok;
}

} // namespace kernel
