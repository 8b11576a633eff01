// Moving one native message from a sender's registers and UTCB to a receiver's: message
// registers, and the string, capability and map items the tag announces.
#pragma once

#include <stdint.h>

#include "abi/status.hpp"
#include "lib/assert.hpp"

namespace kernel {

using ipclab::Status;
class Thread;

/// Largest map item in pages (4 MiB).
inline constexpr uint64_t max_map_pages = 1024;

/// Checks the message the running thread is about to send (tag in a1, items in its UTCB).
/// `may_grant`: the sender may pass capabilities and pages (its endpoint capability has
/// the grant right, or it is replying). Errors: invalid_argument (bad tag, a communicator
/// capability, a bad map item), insufficient_rights (an item without the grant right),
/// invalid_capability (no capability in send_cap_slot), message_too_long, invalid_pointer.
Status check_outgoing(Thread& sender, bool may_grant);
/// Checks the string window of the running thread's UTCB before it receives:
/// invalid_pointer if it is not in the user half. Whether its pages are mapped and writable
/// is found when a string is copied into it (both partners then see invalid_pointer).
Status check_receive_window(Thread& receiver);
/// The same check, inline for the fast path: true if the window is fine.
inline bool receive_window_ok(Thread& receiver);

/// Copies the message `sender` is sending (tag in a1, MR0..3 in a2..a5, MR4.. and the items
/// in its UTCB) to `receiver`: results r0 = badge, r1 = tag (cap flag cleared if the
/// capability was not accepted, by-thread-id flag as given), r2..r5 = MR0..3, its UTCB's
/// MRs, string window, capability slot and map window. Of MR0..3, those beyond the length
/// arrive as zero (no register content leaks); the receiver's UTCB words beyond the length
/// are left as they were. Errors (both partners see them): message_too_long (string
/// longer than the window, more pages than the map window), invalid_pointer, invalid_argument
/// (map window not free), out_of_memory.
Status transfer_message(Thread& sender, Thread& receiver, uint64_t badge, bool by_thread_id);

} // namespace kernel

#include "abi/utcb.hpp"
#include "mem/user_memory.hpp"
#include "task/thread.hpp"

inline bool kernel::receive_window_ok(Thread& receiver) {
    const ipclab::Utcb& u = receiver.utcb();
    uint64_t window = u.recv_string_capacity;
    if (likely(window == 0)) return true;
    if (window > ipclab::max_string_bytes) window = ipclab::max_string_bytes;
    return in_user_half(u.recv_string_addr, window);
}
