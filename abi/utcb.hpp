// The UTCB: the per-thread page shared by a thread and the kernel for IPC beyond registers.
#pragma once

#include "message.hpp"

namespace ipclab {

/// One page per thread, mapped read-write into its task; the kernel reads and writes it
/// through its own mapping, so it never faults. The thread's GS base points at it (as seL4 on
/// x86 points GS at the IPC buffer), and `self` holds its address: user code finds its own
/// UTCB with one %gs-relative load. The first thread's is also in the auxiliary vector under
/// aux_utcb (abi/boot.hpp).
struct Utcb {
    /// Message registers. MR0..MR3 travel in CPU registers and these four words are unused;
    /// MR4..MR63 are copied from the sender's UTCB to the receiver's.
    uint64_t mr[max_message_registers];
    /// String item to send with a message whose tag has the string flag (long IPC):
    /// a user address and a length in bytes (at most max_string_bytes).
    uint64_t send_string_addr;
    uint64_t send_string_bytes;
    /// Window that receives a string item: a user address and its capacity in bytes.
    /// A longer string fails the IPC with Status::message_too_long for both sides.
    uint64_t recv_string_addr;
    uint64_t recv_string_capacity;
    /// Set by the kernel when the received tag has the string flag: bytes of string
    /// received (undefined otherwise).
    uint64_t recv_string_bytes;

    /// Capability to pass with a message whose tag has the cap flag: a slot of the sender.
    /// The receiver gets a copy (same rights and badge) in its recv_cap_slot; when that is 0,
    /// occupied or out of range the capability is not passed and the receiver's tag has
    /// the cap flag clear. Communicator capabilities cannot be passed.
    uint64_t send_cap_slot;
    uint64_t recv_cap_slot;

    /// Map item (zero-copy sharing, seeds/004 "flexpage"): with the map flag, the sender's
    /// pages [send_map_addr, + send_map_pages * 4 KiB) are mapped into the receiver's
    /// window [recv_map_addr, + recv_map_pages * 4 KiB), read-write if send_map_writable
    /// and the sender may write them, else read-only. The window's pages must be unmapped.
    /// When the received tag has the map flag, recv_map_received says how many pages arrived.
    uint64_t send_map_addr;
    uint64_t send_map_pages;
    uint64_t send_map_writable;
    uint64_t recv_map_addr;
    uint64_t recv_map_pages;
    uint64_t recv_map_received;

    /// Set by the kernel when the received tag has the redirected flag: the thread id the
    /// sender addressed (clans & chiefs: the chief forwards the message there).
    uint64_t intended_receiver;
    /// For ipc_send_tid_as and ipc_call_tid_as: the thread id the receiver sees as sender
    /// (a chief "deceiving" on behalf of a member of its clan, seeds/004).
    uint64_t virtual_sender;

    /// The UTCB's own user address, set by the kernel when it creates the thread.
    uint64_t self;
};

/// Where `self` sits: user code reads %gs:utcb_self_offset.
inline constexpr unsigned utcb_self_offset = __builtin_offsetof(Utcb, self);

static_assert(sizeof(Utcb) <= 4096, "the UTCB is one page");

} // namespace ipclab
