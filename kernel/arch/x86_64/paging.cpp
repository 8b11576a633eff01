// x86-64 page tables: user halves private to each address space, kernel half shared.
#include <arch/context.hpp>
#include <arch/cpu.hpp>
#include <arch/memory.hpp>
#include <arch/page_table.hpp>

#include "lib/bytes.hpp"
#include "mem/frame_allocator.hpp"

extern "C" uint64_t boot_pml4[512];

namespace arch {

namespace {

constexpr uint64_t pte_present = 1ull << 0;
constexpr uint64_t pte_writable = 1ull << 1;
constexpr uint64_t pte_user = 1ull << 2;
constexpr uint64_t pte_no_execute = 1ull << 63;
constexpr uint64_t pte_address = 0x000ffffffffff000ull;

uint64_t* table(uint64_t entry) { return static_cast<uint64_t*>(phys_to_virt(entry & pte_address)); }

unsigned index(uint64_t va, int level) { return (va >> (12 + 9 * level)) & 511; }

bool user_page(uint64_t va) { return va >= user_base && va < user_end && !(va & 0xfff); }

/// Entry of `level` (3 = PML4 .. 0 = PT) for va, creating missing tables when `account`.
uint64_t* walk(uint64_t root, uint64_t va, kernel::Account* account) {
    uint64_t* t = static_cast<uint64_t*>(phys_to_virt(root));
    for (int level = 3; level > 0; --level) {
        uint64_t& e = t[index(va, level)];
        if (!(e & pte_present)) {
            if (!account || !account->charge_kernel(kernel::page_size)) return nullptr;
            uint64_t frame;
            if (!kernel::frames().allocate(frame)) {
                account->release_kernel(kernel::page_size);
                return nullptr;
            }
            kernel::zero_page(phys_to_virt(frame));
            e = frame | pte_present | pte_writable | pte_user;
        }
        t = table(e);
    }
    return &t[index(va, 0)];
}

void free_level(uint64_t* t, int level, kernel::Account& account) {
    for (unsigned i = 0; i < 512; ++i) {
        uint64_t e = t[i];
        if (!(e & pte_present)) continue;
        if (level == 0) {
            kernel::frames().unref(e & pte_address);
            account.release_user(kernel::page_size);
            continue;
        }
        free_level(table(e), level - 1, account);
        kernel::frames().free(e & pte_address);
        account.release_kernel(kernel::page_size);
    }
}

} // namespace

ipclab::Status Page_table::create(kernel::Account& account) {
    if (!account.charge_kernel(kernel::page_size)) return ipclab::Status::out_of_memory;
    uint64_t frame;
    if (!kernel::frames().allocate(frame)) {
        account.release_kernel(kernel::page_size);
        return ipclab::Status::out_of_memory;
    }
    auto* t = static_cast<uint64_t*>(phys_to_virt(frame));
    kernel::zero_page(t);
    for (unsigned i = 256; i < 512; ++i) t[i] = boot_pml4[i];
    m_root = frame;
    forget_translations();
    return ipclab::Status::ok;
}

void Page_table::destroy(kernel::Account& account) {
    if (!m_root) return;
    auto* t = static_cast<uint64_t*>(phys_to_virt(m_root));
    for (unsigned i = 0; i < 256; ++i) {
        if (!(t[i] & pte_present)) continue;
        free_level(table(t[i]), 2, account);
        kernel::frames().free(t[i] & pte_address);
        account.release_kernel(kernel::page_size);
    }
    if (read_cr3() == m_root) activate_kernel_space();
    kernel::frames().free(m_root);
    account.release_kernel(kernel::page_size);
    m_root = 0;
    forget_translations();
}

ipclab::Status Page_table::map(uint64_t va, uint64_t frame, Page_flags flags, kernel::Account& account) {
    if (!user_page(va)) return ipclab::Status::invalid_argument;
    uint64_t* e = walk(m_root, va, &account);
    if (!e) return ipclab::Status::out_of_memory;
    if (*e & pte_present) return ipclab::Status::invalid_argument;
    if (!account.charge_user(kernel::page_size)) return ipclab::Status::out_of_memory;
    if (!kernel::frames().ref(frame)) {
        account.release_user(kernel::page_size);
        return ipclab::Status::out_of_memory;
    }
    *e = frame | pte_present | pte_user | (flags.writable ? pte_writable : 0) | (flags.executable ? 0 : pte_no_execute);
    return ipclab::Status::ok;
}

bool Page_table::unmap(uint64_t va, kernel::Account& account) {
    if (!user_page(va)) return false;
    uint64_t* t = static_cast<uint64_t*>(phys_to_virt(m_root));
    for (int level = 3; level > 0; --level) {
        uint64_t e = t[index(va, level)];
        if (!(e & pte_present)) return false;
        t = table(e);
    }
    uint64_t& e = t[index(va, 0)];
    if (!(e & pte_present)) return false;
    const uint64_t frame = e & pte_address;
    e = 0;
    forget_translations();
    kernel::frames().unref(frame);
    account.release_user(kernel::page_size);
    if (read_cr3() == m_root) invlpg(va);
    return true;
}

void Page_table::unmap_range(uint64_t start, uint64_t end, kernel::Account& account) {
    if (start < user_base) start = user_base;
    if (end > user_end) end = user_end;
    for (uint64_t va = start & ~uint64_t(0xfff); va < end;) {
        const uint64_t* t = static_cast<const uint64_t*>(phys_to_virt(m_root));
        int level = 3;
        for (; level > 0; --level) {
            const uint64_t e = t[index(va, level)];
            if (!(e & pte_present)) break;
            t = table(e);
        }
        if (level > 0) { // no table below this entry: nothing mapped in its whole span
            const uint64_t span = uint64_t(1) << (12 + 9 * level);
            va = (va & ~(span - 1)) + span;
            continue;
        }
        (void)unmap(va, account);
        va += kernel::page_size;
    }
}

bool Page_table::translate(uint64_t va, Access access, uint64_t& phys) const {
    if (va < user_base || va >= user_end) return false;
    Cached_translation& cached = m_cached[access == Access::write];
    if (cached.page == (va & ~uint64_t(0xfff))) {
        phys = cached.frame | (va & 0xfff);
        return true;
    }
    const uint64_t need = pte_present | pte_user | (access == Access::write ? pte_writable : 0);
    const uint64_t* t = static_cast<const uint64_t*>(phys_to_virt(m_root));
    for (int level = 3; level >= 0; --level) {
        uint64_t e = t[index(va, level)];
        if ((e & need) != need) return false;
        if (level == 0) {
            cached.page = va & ~uint64_t(0xfff);
            cached.frame = e & pte_address;
            phys = cached.frame | (va & 0xfff);
            return true;
        }
        t = table(e);
    }
    return false;
}

void Page_table::activate() const {
    if (read_cr3() != m_root) write_cr3(m_root);
}

uint64_t kernel_space_root() { return virt_to_phys(boot_pml4); }

void activate_kernel_space() {
    boot_pml4[0] = 0; // the identity map was only needed to reach the higher half
    write_cr3(virt_to_phys(boot_pml4));
}

} // namespace arch
