// The user half of an address space and the page permissions, in portable terms. Shared
// with the host unit tests' page table.
#pragma once

#include <stdint.h>

namespace arch {

/// Lowest and one-past-highest user virtual address.
inline constexpr uint64_t user_base = 0x1000;
inline constexpr uint64_t user_end = 0x0000800000000000;

/// Access a user mapping must allow.
enum class Access { read, write };

/// Page permissions in portable terms.
struct Page_flags {
    bool writable;
    bool executable;
};

} // namespace arch
