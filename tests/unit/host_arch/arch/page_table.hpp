// Host stand-in for arch/page_table.hpp: the same interface and rules as the x86-64 tables
// (kernel/arch/x86_64/paging.cpp) over a map from user page to frame. The frames of the
// top-level table and of the intermediate tables a four-level walk would create are
// allocated and charged exactly as the real ones, so accounting tests mean the same here.
#pragma once

#include <stdint.h>

#include <map>

#include <arch/user_space.hpp> // the real user range (kernel/arch/x86_64/include)

#include "abi/status.hpp"
#include "mem/account.hpp"

namespace arch {

class Page_table {
public:
    /// Allocates the top-level table, charged to `account`. Errors: out_of_memory.
    [[nodiscard]] ipclab::Status create(kernel::Account& account);
    /// Frees every table and drops every mapping; charges go back.
    void destroy(kernel::Account& account);

    /// Maps the 4 KiB page at `va` to the allocated `frame`, taking a frame reference and
    /// charging a page of user memory. Errors: invalid_argument (va not a user page or
    /// already mapped), out_of_memory.
    [[nodiscard]] ipclab::Status map(uint64_t va, uint64_t frame, Page_flags flags, kernel::Account& account);
    /// Removes the mapping at `va`, dropping its frame reference and charge. Returns false
    /// if none.
    bool unmap(uint64_t va, kernel::Account& account);
    void unmap_range(uint64_t start, uint64_t end, kernel::Account& account);
    /// Physical address `va` maps to if the page is a present user page allowing `access`.
    [[nodiscard]] bool translate(uint64_t va, Access access, uint64_t& phys) const;

    /// Makes this the current address space (host::active_root()).
    void activate() const;
    uint64_t root() const { return m_root; }

    /// Host only: the permissions of the page mapped at `va`; false if none.
    bool host_flags(uint64_t va, Page_flags& flags) const;

private:
    struct Mapping {
        uint64_t frame;
        Page_flags flags;
    };
    uint64_t m_root = 0;                    ///< physical address of the top-level table
    std::map<uint64_t, Mapping> m_pages;    ///< user page -> mapping
    std::map<uint64_t, uint64_t> m_tables;  ///< (level, prefix of va) -> frame of that table
};

/// Switches to the kernel-only address space.
void activate_kernel_space();

namespace host {
/// The host's CR3: the page-table root of the address space last activated or switched to.
uint64_t active_root();
void load_root(uint64_t root);
} // namespace host

} // namespace arch
