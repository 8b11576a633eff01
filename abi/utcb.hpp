// The UTCB: the per-thread page shared by a thread and the kernel for IPC beyond registers.
#pragma once

#include "message.hpp"

namespace ipclab {

/// One page per thread, mapped read-write into its task; the kernel reads and writes it
/// through its own mapping, so it never faults. Its address is in the auxiliary vector under
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
    /// Set by the kernel on receipt: bytes of string received (0 if none).
    uint64_t recv_string_bytes;
};

static_assert(sizeof(Utcb) <= 4096, "the UTCB is one page");

} // namespace ipclab
