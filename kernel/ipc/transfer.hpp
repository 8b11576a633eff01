// Moving one native message from a sender's registers and UTCB to a receiver's.
#pragma once

#include <stdint.h>

#include "abi/status.hpp"

namespace kernel {

using ipclab::Status;
class Thread;

/// Checks the message the running thread is about to send (tag in a1, string item in its
/// UTCB): errors invalid_argument (bad tag), message_too_long, invalid_pointer.
Status check_outgoing(Thread& sender);
/// Checks the string window of the running thread's UTCB before it receives:
/// invalid_pointer if it is not in the user half. Whether its pages are mapped and writable
/// is found when a string is copied into it (both partners then see invalid_pointer).
Status check_receive_window(Thread& receiver);

/// Copies the message `sender` is sending (tag in a1, MR0..3 in a2..a5, MR4.. and the
/// string item in its UTCB) to `receiver`: results r0 = badge, r1 = tag, r2..r5 = MR0..3,
/// its UTCB's MRs and string window. Of MR0..3, those beyond the length arrive as zero (no
/// register content leaks); the receiver's UTCB words beyond the length are left as they were.
/// Errors (both partners see them): message_too_long (string longer than the window),
/// invalid_pointer.
Status transfer_message(Thread& sender, Thread& receiver, uint64_t badge);

} // namespace kernel
