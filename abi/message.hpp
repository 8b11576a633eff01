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
///   bits 8..11  reserved, must be zero
///   bits 12..63 label: free for the protocol (an opcode, say)
class Message_tag {
public:
    constexpr Message_tag() = default;
    constexpr explicit Message_tag(uint64_t raw) : m_raw(raw) {}
    constexpr Message_tag(uint64_t label, unsigned length, bool string = false)
        : m_raw((label << 12) | (string ? 0x80u : 0u) | (length & 0x7fu)) {}

    constexpr uint64_t raw() const { return m_raw; }
    constexpr unsigned length() const { return m_raw & 0x7f; }
    constexpr bool has_string() const { return m_raw & 0x80; }
    constexpr uint64_t label() const { return m_raw >> 12; }
    /// A tag the kernel accepts: length within limits, reserved bits clear.
    constexpr bool valid() const { return length() <= max_message_registers && !(m_raw & 0xf00); }

private:
    uint64_t m_raw = 0;
};

} // namespace ipclab
