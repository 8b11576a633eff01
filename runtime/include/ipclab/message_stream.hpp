// Message streams (seeds/004's "IPC streams"): values in and out of the message registers
// in order, each rounded up to whole registers, with the 64-register limit checked.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ipclab/ipc.hpp"

namespace ipclab {

namespace detail {
// A pointer names memory only in the sender's address space (seeds/004: "pointers are
// useless across address spaces"); an array travels inside a struct, as in a function call.
template <class T> inline constexpr bool by_value = true;
template <class T> inline constexpr bool by_value<T*> = false;
template <class T> inline constexpr bool by_value<T* const> = false;
template <class T, size_t N> inline constexpr bool by_value<T[N]> = false;
} // namespace detail

/// A type whose bytes are its value (trivially copyable) and that is neither a pointer nor
/// an array: what may travel in message registers.
template <class T>
concept Marshallable = __is_trivially_copyable(T) && detail::by_value<T>;

/// Message registers (8-byte words) a value of type T occupies: sizeof(T) rounded up.
template <class T> inline constexpr unsigned words_of = (sizeof(T) + 7) / 8;

/// Message register `index` (0..63): MR0..MR3 are in `m`, MR4..MR63 in the calling
/// thread's UTCB (abi/utcb.hpp).
inline uint64_t& message_register(Message& m, unsigned index) {
    return index < mr_in_registers ? m.mr[index] : utcb().mr[index];
}
inline uint64_t message_register(const Message& m, unsigned index) {
    return index < mr_in_registers ? m.mr[index] : utcb().mr[index];
}

/// Puts `value` into MR[first] .. MR[first + words_of<T> - 1], the last word's unused bytes
/// zero. Precondition: first + words_of<T> <= max_message_registers.
template <Marshallable T> void store_value(Message& m, unsigned first, const T& value) {
    uint64_t words[words_of<T>] = {};
    __builtin_memcpy(words, &value, sizeof(T));
    for (unsigned i = 0; i < words_of<T>; ++i)
        message_register(m, first + i) = words[i];
}

/// The T that store_value put at MR[first]. Same precondition.
template <Marshallable T> T load_value(const Message& m, unsigned first) {
    uint64_t words[words_of<T>];
    for (unsigned i = 0; i < words_of<T>; ++i)
        words[i] = message_register(m, first + i);
    struct Bytes {
        unsigned char b[sizeof(T)];
    } bytes;
    __builtin_memcpy(&bytes, words, sizeof(T));
    return __builtin_bit_cast(T, bytes); // no default constructor needed
}

/// Builds a message value by value: `Message_writer w{label}; w << a << b;` then
/// ipc_call(slot, w.message()). Each value starts at the next register. MR4.. are written
/// to the UTCB at once, so build one message at a time and send it before any other IPC.
/// The stream records no types: the reader must take the same types in the same order.
class Message_writer {
public:
    explicit Message_writer(uint64_t label = 0) : m_label(label) {}

    /// Appends `value`. Returns false, writes nothing and fails the writer for good when it
    /// would pass MR63 (max_message_registers).
    template <Marshallable T> bool put(const T& value) {
        if (m_failed || m_words + words_of < T >> max_message_registers) return !(m_failed = true);
        store_value(m_message, m_words, value);
        m_words += words_of<T>;
        return true;
    }
    template <Marshallable T> Message_writer& operator<<(const T& value) {
        (void)put(value);
        return *this;
    }

    bool ok() const { return !m_failed; }
    /// Registers written so far.
    unsigned words() const { return m_words; }

    /// The message: tag (label, length in registers) and MR0..MR3. A failed writer's tag
    /// says 65 registers, which the kernel refuses with Status::invalid_argument, so an
    /// unchecked overflow is never sent cut short.
    Message message() const {
        Message m = m_message;
        m.tag = Message_tag{m_label, m_failed ? max_message_registers + 1 : m_words};
        return m;
    }

private:
    Message m_message{};
    uint64_t m_label;
    unsigned m_words = 0;
    bool m_failed = false;
};

/// Takes the values of a received message out in order: `Message_reader r{got.message};
/// r >> a >> b;`. MR4.. are read from the UTCB when taken, so take them before any other IPC.
class Message_reader {
public:
    explicit Message_reader(const Message& m) : m_message(m) {}

    /// Takes the next value into `out`. Returns false, leaves `out` alone and fails the
    /// reader for good when the message has fewer registers left than words_of<T>.
    template <Marshallable T> bool get(T& out) {
        if (m_failed || m_words + words_of < T >> m_message.tag.length()) return !(m_failed = true);
        out = load_value<T>(m_message, m_words);
        m_words += words_of<T>;
        return true;
    }
    template <Marshallable T> Message_reader& operator>>(T& out) {
        (void)get(out);
        return *this;
    }

    bool ok() const { return !m_failed; }
    /// Every register taken and no read failed: the message had exactly the words read.
    /// Types of other sizes than the writer's show up here (or as a failed read); types of
    /// the same size cannot be told apart, which typed methods (ipclab/rpc.hpp) fix.
    bool at_end() const { return ok() && m_words == m_message.tag.length(); }
    uint64_t label() const { return m_message.tag.label(); }

private:
    Message m_message;
    unsigned m_words = 0;
    bool m_failed = false;
};

} // namespace ipclab
