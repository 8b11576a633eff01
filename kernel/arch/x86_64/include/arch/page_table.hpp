// x86-64 four-level page table of one address space (user half private, kernel half shared).
#pragma once

#include <stdint.h>

#include <arch/user_space.hpp>

#include "abi/status.hpp"
#include "mem/account.hpp"

namespace arch {

class Page_table {
public:
    /// Allocates the top-level table and shares the kernel half. Tables are charged to
    /// `account`. Returns out_of_memory when frames or quota run out.
    [[nodiscard]] ipclab::Status create(kernel::Account& account);
    /// Frees every user-half table and drops every mapping; charges go back.
    void destroy(kernel::Account& account);

    /// Maps the 4 KiB page at `va` to the allocated `frame`, taking a reference to it
    /// (kernel::Frame_allocator::ref) and charging a page of user memory to `account`.
    /// Errors: invalid_argument (va not a user page or already mapped), out_of_memory.
    [[nodiscard]] ipclab::Status map(uint64_t va, uint64_t frame, Page_flags flags, kernel::Account& account);
    /// Removes the mapping at `va`, dropping its frame reference (the last one frees the
    /// frame) and the charge. Returns false if nothing was mapped there.
    bool unmap(uint64_t va, kernel::Account& account);
    /// unmap() for every page of [start, end) (clipped to the user range), skipping the
    /// tables that are not there: O(pages mapped + tables), not O(range) — a user may ask to
    /// unmap terabytes.
    void unmap_range(uint64_t start, uint64_t end, kernel::Account& account);
    /// Physical address `va` maps to if the page is a present user page allowing `access`.
    /// Remembers the last page translated for each access, so the kernel's repeated copies
    /// to or from one buffer skip the four-level walk (a software TLB of two entries; unmap
    /// and destroy, the only calls that take a translation away, forget it).
    [[nodiscard]] bool translate(uint64_t va, Access access, uint64_t& phys) const;

    /// Makes this the current address space (no-op if it already is).
    void activate() const;
    uint64_t root() const { return m_root; }

private:
    struct Cached_translation {
        uint64_t page = ~uint64_t(0); ///< user page address (never a valid one when empty)
        uint64_t frame = 0;
    };
    void forget_translations() const { m_cached[0] = m_cached[1] = Cached_translation(); }

    uint64_t m_root = 0; ///< physical address of the PML4
    mutable Cached_translation m_cached[2]; ///< by Access: read, write
};

/// Switches to the kernel-only address space (the boot tables without the identity map).
void activate_kernel_space();

} // namespace arch
