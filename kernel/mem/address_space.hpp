// A task's user address space: its page table, the regions the kernel set up (program,
// stack, UTCBs), the program break and the anonymous-mapping area the C library asks for.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/page_table.hpp>

#include "abi/status.hpp"
#include "mem/account.hpp"

namespace kernel {

using ipclab::Status;

/// Fixed layout of every address space (user half, below 0x0000800000000000):
///   program image      where its ELF headers put it (0x400000 for a static executable)
///   program break      right after the image, growing up to brk_limit bytes
///   anonymous mappings from mmap_base upwards (mmap)
///   UTCBs              one page per thread from utcb_base
///   stack              below stack_top (the first thread's; others bring their own)
struct Layout {
    static constexpr uint64_t mmap_base = 0x0000100000000000;
    static constexpr uint64_t mmap_end = 0x0000700000000000;
    static constexpr uint64_t stack_top = 0x00007ffffff00000;
    static constexpr uint64_t utcb_base = 0x00007ff000000000;
    static constexpr uint64_t utcb_end = 0x00007ffff0000000;
    static constexpr uint64_t brk_limit = 1ull << 32;
};

class Address_space {
public:
    explicit Address_space(Account& account) : m_account(account) {}
    Address_space(const Address_space&) = delete;
    Address_space& operator=(const Address_space&) = delete;

    Status create() { return m_table.create(m_account); }
    void destroy() { m_table.destroy(m_account); }

    /// Maps zeroed frames over [va, va + bytes) (page-rounded), charged to the account.
    /// Errors: invalid_argument (not user addresses, or overlapping a mapping), out_of_memory
    /// (pages mapped so far stay mapped and are freed with the space).
    Status map_zeroed(uint64_t va, uint64_t bytes, arch::Page_flags flags);
    /// Unmaps [va, va + bytes) (page-rounded); pages not mapped are skipped.
    void unmap(uint64_t va, uint64_t bytes);
    /// Maps `pages` pages of `from` at `from_addr` into this space at `to_addr`, sharing the
    /// frames (read-write if `writable`, which needs them writable in `from`), all or none.
    /// Errors: invalid_pointer (a source page not mapped so), invalid_argument (a target page
    /// already mapped or not a user page), out_of_memory.
    Status share_from(const Address_space& from, uint64_t from_addr, uint64_t to_addr, uint64_t pages, bool writable);
    /// Writes kernel data into mapped pages whatever their user permissions (program
    /// loading, initial stack). Errors: invalid_pointer.
    Status poke(uint64_t va, const void* src, size_t bytes);

    /// Sets the program break (Linux brk semantics: returns the new break, or the old one
    /// if `requested` is out of range or memory ran out).
    uint64_t set_break(uint64_t requested);
    void init_break(uint64_t start) { m_brk_start = m_brk = start; }
    /// Reserves `bytes` (page-rounded) of fresh address range in the mmap area and maps it
    /// zeroed; returns 0 on failure.
    uint64_t map_anonymous(uint64_t bytes, arch::Page_flags flags);

    arch::Page_table& table() { return m_table; }
    const arch::Page_table& table() const { return m_table; }
    Account& account() { return m_account; }

private:
    Account& m_account;
    arch::Page_table m_table;
    uint64_t m_brk_start = 0;
    uint64_t m_brk = 0;
    uint64_t m_mmap_next = Layout::mmap_base;
};

/// Rounds up to whole pages.
constexpr uint64_t page_round_up(uint64_t v) { return (v + 4095) & ~uint64_t(4095); }
constexpr uint64_t page_round_down(uint64_t v) { return v & ~uint64_t(4095); }

} // namespace kernel
