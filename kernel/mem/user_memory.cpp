// Validated user-memory access through page-table walks and the direct map.
#include "mem/user_memory.hpp"

#include <arch/memory.hpp>

#include "lib/bytes.hpp"
#include "mem/frame_allocator.hpp"

namespace kernel {

namespace {

/// Kernel pointer to user byte `addr` and how many bytes follow it in the same page.
bool resolve(const Address_space& space, uint64_t addr, arch::Access access, char*& p, uint64_t& room) {
    uint64_t phys;
    if (!space.table().translate(addr, access, phys)) return false;
    p = static_cast<char*>(arch::phys_to_virt(phys));
    room = page_size - (addr & (page_size - 1));
    return true;
}

} // namespace

Status check_user_range(const Address_space& space, uint64_t addr, uint64_t bytes, arch::Access access) {
    if (bytes == 0) return Status::ok;
    if (!in_user_half(addr, bytes)) return Status::invalid_pointer;
    for (uint64_t page = page_round_down(addr); page < addr + bytes; page += page_size) {
        uint64_t phys;
        if (!space.table().translate(page, access, phys)) return Status::invalid_pointer;
    }
    return Status::ok;
}

Status copy_from_user(const Address_space& space, uint64_t addr, void* dst, size_t bytes) {
    if (bytes && !in_user_half(addr, bytes)) return Status::invalid_pointer;
    auto* out = static_cast<char*>(dst);
    while (bytes) {
        char* p;
        uint64_t room;
        if (!resolve(space, addr, arch::Access::read, p, room)) return Status::invalid_pointer;
        uint64_t n = room < bytes ? room : bytes;
        copy_bytes(out, p, n);
        out += n;
        addr += n;
        bytes -= n;
    }
    return Status::ok;
}

Status copy_to_user(Address_space& space, uint64_t addr, const void* src, size_t bytes) {
    if (bytes && !in_user_half(addr, bytes)) return Status::invalid_pointer;
    auto* in = static_cast<const char*>(src);
    while (bytes) {
        char* p;
        uint64_t room;
        if (!resolve(space, addr, arch::Access::write, p, room)) return Status::invalid_pointer;
        uint64_t n = room < bytes ? room : bytes;
        copy_bytes(p, in, n);
        in += n;
        addr += n;
        bytes -= n;
    }
    return Status::ok;
}

Status copy_between(Address_space& dst, uint64_t dst_addr, const Address_space& src,
                    uint64_t src_addr, uint64_t bytes) {
    if (bytes == 0) return Status::ok;
    if (!in_user_half(dst_addr, bytes) || !in_user_half(src_addr, bytes)) return Status::invalid_pointer;
    char *d = nullptr, *s = nullptr;
    uint64_t d_room = 0, s_room = 0;
    while (bytes) {
        if (!d_room && !resolve(dst, dst_addr, arch::Access::write, d, d_room)) return Status::invalid_pointer;
        if (!s_room && !resolve(src, src_addr, arch::Access::read, s, s_room)) return Status::invalid_pointer;
        uint64_t n = bytes;
        if (n > d_room) n = d_room;
        if (n > s_room) n = s_room;
        copy_bytes(d, s, n);
        d += n, s += n, dst_addr += n, src_addr += n;
        d_room -= n, s_room -= n, bytes -= n;
    }
    return Status::ok;
}

} // namespace kernel
