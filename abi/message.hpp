// Native IPC message layout: the tag word and the limits of short and long IPC.
#pragma once

#include <stdint.h>

namespace ipclab {

/// Message registers carried in CPU registers (MR0..MR3); the rest live in the UTCB.
inline constexpr unsigned mr_in_registers = 4;
/// Message registers per message (MR0..MR63): 512 bytes of short IPC.
inline constexpr unsigned max_message_registers = 64;
/// Largest string item (long IPC) in bytes.
inline constexpr uint64_t max_string_bytes = 64 * 1024;

/// The first word of every native message (as seL4's MessageInfo):
///   bits 0..6   length: message registers used (0..64)
///   bit  7      string: a string item (long IPC) accompanies the message
///   bit  8      cap: a capability accompanies the message (needs the grant right)
///   bit  9      map: a map item (pages shared with the receiver) accompanies it (grant right)
///   bit  10     by thread id: set by the kernel when the message was sent to a thread id;
///               the receiver's badge word then holds the sender's thread id
///   bit  11     redirected: set by the kernel when the run's policy delivered a message sent
///               to a thread id to another thread (clans & chiefs: the chief); the receiver's
///               UTCB intended_receiver then holds the thread id the sender addressed
///   bits 12..63 label: free for the protocol (an opcode, say)
class Message_tag {
public:
    static constexpr uint64_t string_bit = 1u << 7, cap_bit = 1u << 8, map_bit = 1u << 9,
                              by_thread_id_bit = 1u << 10, redirected_bit = 1u << 11;

    constexpr Message_tag() = default;
    constexpr explicit Message_tag(uint64_t raw) : m_raw(raw) {}
    constexpr Message_tag(uint64_t label, unsigned length, bool string = false)
        : m_raw((label << 12) | (string ? string_bit : 0u) | (length & 0x7fu)) {}

    constexpr uint64_t raw() const { return m_raw; }
    constexpr unsigned length() const { return m_raw & 0x7f; }
    constexpr bool has_string() const { return m_raw & string_bit; }
    constexpr bool has_cap() const { return m_raw & cap_bit; }
    constexpr bool has_map() const { return m_raw & map_bit; }
    constexpr bool by_thread_id() const { return m_raw & by_thread_id_bit; }
    constexpr bool redirected() const { return m_raw & redirected_bit; }
    constexpr uint64_t label() const { return m_raw >> 12; }
    /// The same tag with `bits` set or cleared.
    constexpr Message_tag with(uint64_t bits, bool on) const { return Message_tag{on ? m_raw | bits : m_raw & ~bits}; }
    /// A tag the kernel accepts from a sender: length within limits, the kernel-set bits
    /// clear.
    constexpr bool valid() const {
        return length() <= max_message_registers && !(m_raw & (redirected_bit | by_thread_id_bit));
    }

private:
    uint64_t m_raw = 0;
};

/// Label of the exception message the kernel sends to a task's reference monitor when the
/// task first sends to a thread it holds no IPC right for (policy ref-monitor, seeds/004):
/// badge = the sender's thread id, MR0 = the thread id it addressed, MR1 = 1 for a call.
/// The monitor answers with ipc_reply (or reply_recv): MR0 != 0 grants the right, 0 refuses.
inline constexpr uint64_t ipc_right_fault_label = 0xfa017;

} // namespace ipclab
