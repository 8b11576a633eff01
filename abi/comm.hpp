// Constants of the kernel communicator interface (the MPI layer's system calls).
#pragma once

namespace ipclab {

/// comm_recv source wildcard (MPI_ANY_SOURCE).
inline constexpr long comm_any_source = -1;
/// comm_recv tag wildcard (MPI_ANY_TAG).
inline constexpr long comm_any_tag = -1;
/// Largest tag (MPI_TAG_UB); MPI-3.1 section 8.1.2 requires at least 32767.
inline constexpr long comm_tag_ub = 0x7fffffff;
/// Matching contexts of one communicator: user point-to-point traffic and the collectives
/// the library builds from point-to-point, kept apart as MPI-3.1 section 6.1.2 requires.
enum Comm_context : long { context_point_to_point = 0, context_collective = 1, context_count = 2 };
/// Largest message of the rendezvous copy, in bytes (1 GiB).
inline constexpr unsigned long comm_max_bytes = 1ul << 30;
/// Largest non-blocking send the kernel copies into its own buffer (eager protocol);
/// larger ones wait in the sender's buffer for the receive (rendezvous protocol).
inline constexpr unsigned long comm_eager_bytes = 4096;
/// comm_isend flag in a5, or-ed with the context: synchronous mode (MPI_Issend), never
/// eager, so the request completes only when a receive has taken the message.
inline constexpr unsigned long comm_isend_synchronous = 1ul << 31;
/// comm_send / comm_recv flag in a5, or-ed with the context: the payload travels in the CPU
/// registers r13, r14, r15 (bytes 0..7, 8..15, 16..23, little-endian), not through memory, as
/// short native messages travel in message registers (seeds/002 "short IPC"). A send with it
/// carries at most comm_register_bytes, taken from those registers (a3 is ignored); a receive
/// with it has a capacity of at most comm_register_bytes and gets the message in them on
/// return (a3 is ignored: the caller stores the bytes). Register bytes past the length are
/// unspecified. Not accepted by comm_isend/comm_irecv (invalid_argument).
inline constexpr unsigned long comm_in_registers = 1ul << 30;
/// Most bytes a comm_in_registers message carries (three 8-byte registers).
inline constexpr unsigned long comm_register_bytes = 24;
/// Largest group comm_create accepts, in ranks.
inline constexpr unsigned long comm_max_group = 4096;

} // namespace ipclab
