// User address spaces: zeroed mappings, the program break and anonymous mappings.
#include "mem/address_space.hpp"

#include <arch/memory.hpp>
#include <string.h>

#include "lib/bytes.hpp"
#include "mem/frame_allocator.hpp"

namespace kernel {

Status Address_space::map_zeroed(uint64_t va, uint64_t bytes, arch::Page_flags flags) {
    uint64_t start = page_round_down(va);
    uint64_t end = page_round_up(va + bytes);
    if (va + bytes < va || end < start || start < arch::user_base || end > arch::user_end)
        return Status::invalid_argument;
    // More than the free frames could never succeed: refuse before zeroing any (a hostile
    // length would otherwise cost a pass over all of memory, twice).
    if ((end - start) / page_size > frames().free_frames()) return Status::out_of_memory;
    for (uint64_t page = start; page < end; page += page_size) {
        Phys_addr frame;
        if (!frames().allocate(frame)) return Status::out_of_memory;
        zero_page(arch::phys_to_virt(frame));
        Status s = m_table.map(page, frame, flags, m_account);
        if (s != Status::ok) {
            frames().free(frame);
            return s;
        }
    }
    return Status::ok;
}

void Address_space::unmap(uint64_t va, uint64_t bytes) {
    const uint64_t last = va + bytes < va ? ~uint64_t(0) : va + bytes; // a length past the end: to the end
    const uint64_t end = page_round_up(last) < last ? ~uint64_t(0) : page_round_up(last);
    m_table.unmap_range(page_round_down(va), end, m_account);
}

Status Address_space::share_from(const Address_space& from, uint64_t from_addr, uint64_t to_addr, uint64_t pages,
                                 bool writable) {
    const arch::Access access = writable ? arch::Access::write : arch::Access::read;
    for (uint64_t i = 0; i < pages; ++i) { // all or nothing: check every page first
        uint64_t phys;
        if (!from.m_table.translate(from_addr + i * page_size, access, phys)) return Status::invalid_pointer;
        if (m_table.translate(to_addr + i * page_size, arch::Access::read, phys)) return Status::invalid_argument;
    }
    for (uint64_t i = 0; i < pages; ++i) {
        uint64_t phys;
        (void)from.m_table.translate(from_addr + i * page_size, access, phys);
        Status s = m_table.map(to_addr + i * page_size, page_round_down(phys), {writable, false}, m_account);
        if (s != Status::ok) {
            unmap(to_addr, i * page_size);
            return s;
        }
    }
    return Status::ok;
}

Status Address_space::poke(uint64_t va, const void* src, size_t bytes) {
    auto* from = static_cast<const char*>(src);
    while (bytes) {
        uint64_t phys;
        if (!m_table.translate(va, arch::Access::read, phys)) return Status::invalid_pointer;
        size_t chunk = page_size - (va & (page_size - 1));
        if (chunk > bytes) chunk = bytes;
        memcpy(arch::phys_to_virt(phys), from, chunk);
        va += chunk;
        from += chunk;
        bytes -= chunk;
    }
    return Status::ok;
}

uint64_t Address_space::set_break(uint64_t requested) {
    if (requested < m_brk_start || requested > m_brk_start + Layout::brk_limit) return m_brk;
    uint64_t old_end = page_round_up(m_brk);
    uint64_t new_end = page_round_up(requested);
    if (new_end > old_end) {
        if (map_zeroed(old_end, new_end - old_end, {true, false}) != Status::ok) {
            unmap(old_end, new_end - old_end);
            return m_brk;
        }
    } else if (new_end < old_end) {
        unmap(new_end, old_end - new_end);
    }
    m_brk = requested;
    return m_brk;
}

uint64_t Address_space::map_anonymous(uint64_t bytes, arch::Page_flags flags) {
    uint64_t size = page_round_up(bytes);
    if (size == 0 || size > Layout::mmap_end - m_mmap_next) return 0;
    uint64_t va = m_mmap_next;
    if (map_zeroed(va, size, flags) != Status::ok) {
        unmap(va, size);
        return 0;
    }
    // A guard page between mappings: an overrun faults instead of corrupting a neighbour.
    m_mmap_next += size + page_size;
    return va;
}

} // namespace kernel
