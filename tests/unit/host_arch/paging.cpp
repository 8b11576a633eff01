// Host page tables: a map from user page to frame with the x86-64 tables' rules and costs.
#include <arch/context.hpp>
#include <arch/page_table.hpp>

#include "mem/frame_allocator.hpp"

namespace arch {

namespace {

uint64_t cr3;

bool user_page(uint64_t va) { return va >= user_base && va < user_end && !(va & 0xfff); }

/// Key of the table at `level` (3 = PDPT .. 1 = PT) that a four-level walk to `va` passes.
uint64_t table_key(uint64_t va, int level) { return (uint64_t(level) << 56) | (va >> (12 + 9 * level)); }

} // namespace

namespace host {
uint64_t active_root() { return cr3; }
void load_root(uint64_t root) { cr3 = root; }
} // namespace host

ipclab::Status Page_table::create(kernel::Account& account) {
    if (!account.charge_kernel(kernel::page_size)) return ipclab::Status::out_of_memory;
    uint64_t frame;
    if (!kernel::frames().allocate(frame)) {
        account.release_kernel(kernel::page_size);
        return ipclab::Status::out_of_memory;
    }
    m_root = frame;
    return ipclab::Status::ok;
}

void Page_table::destroy(kernel::Account& account) {
    if (!m_root) return;
    for (const auto& [va, m] : m_pages) {
        kernel::frames().unref(m.frame);
        account.release_user(kernel::page_size);
    }
    for (const auto& [key, frame] : m_tables) {
        kernel::frames().free(frame);
        account.release_kernel(kernel::page_size);
    }
    m_pages.clear();
    m_tables.clear();
    if (cr3 == m_root) activate_kernel_space();
    kernel::frames().free(m_root);
    account.release_kernel(kernel::page_size);
    m_root = 0;
}

ipclab::Status Page_table::map(uint64_t va, uint64_t frame, Page_flags flags, kernel::Account& account) {
    if (!user_page(va)) return ipclab::Status::invalid_argument;
    // The tables a walk creates stay until destroy(), as on x86-64.
    for (int level = 3; level > 0; --level) {
        const uint64_t key = table_key(va, level);
        if (m_tables.count(key)) continue;
        if (!account.charge_kernel(kernel::page_size)) return ipclab::Status::out_of_memory;
        uint64_t table;
        if (!kernel::frames().allocate(table)) {
            account.release_kernel(kernel::page_size);
            return ipclab::Status::out_of_memory;
        }
        m_tables[key] = table;
    }
    if (m_pages.count(va)) return ipclab::Status::invalid_argument;
    if (!account.charge_user(kernel::page_size)) return ipclab::Status::out_of_memory;
    if (!kernel::frames().ref(frame)) {
        account.release_user(kernel::page_size);
        return ipclab::Status::out_of_memory;
    }
    m_pages[va] = Mapping{frame, flags};
    return ipclab::Status::ok;
}

bool Page_table::unmap(uint64_t va, kernel::Account& account) {
    if (!user_page(va)) return false;
    auto it = m_pages.find(va);
    if (it == m_pages.end()) return false;
    const uint64_t frame = it->second.frame;
    m_pages.erase(it);
    kernel::frames().unref(frame);
    account.release_user(kernel::page_size);
    return true;
}

void Page_table::unmap_range(uint64_t start, uint64_t end, kernel::Account& account) {
    for (auto it = m_pages.lower_bound(start); it != m_pages.end() && it->first < end;) {
        const uint64_t va = it->first;
        ++it;
        (void)unmap(va, account);
    }
}

bool Page_table::translate(uint64_t va, Access access, uint64_t& phys) const {
    if (va < user_base || va >= user_end) return false;
    auto it = m_pages.find(va & ~uint64_t(0xfff));
    if (it == m_pages.end()) return false;
    if (access == Access::write && !it->second.flags.writable) return false;
    phys = it->second.frame | (va & 0xfff);
    return true;
}

bool Page_table::host_flags(uint64_t va, Page_flags& flags) const {
    auto it = m_pages.find(va & ~uint64_t(0xfff));
    if (it == m_pages.end()) return false;
    flags = it->second.flags;
    return true;
}

void Page_table::activate() const { cr3 = m_root; }

void activate_kernel_space() { cr3 = kernel_space_root(); }

} // namespace arch
