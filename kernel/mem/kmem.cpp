// Kernel-object memory: power-of-two size classes from 32 bytes to 2 KiB, one 4 KiB frame per
// slab; larger objects take whole contiguous frames.
#include "mem/kmem.hpp"

#include <arch/memory.hpp>
#include <string.h>

#include "lib/assert.hpp"
#include "lib/bytes.hpp"
#include "mem/frame_allocator.hpp"

namespace kernel {

Account& kernel_account() {
    static Account account;
    return account;
}

} // namespace kernel

namespace kernel::kmem {

namespace {

constexpr size_t min_class_shift = 5; // 32 bytes
constexpr size_t class_count = 7;     // 32 .. 2048

struct Free_object {
    Free_object* next;
};

Free_object* free_lists[class_count];
uint64_t in_use;

size_t class_of(size_t bytes) {
    size_t c = 0;
    while ((size_t(1) << (c + min_class_shift)) < bytes) ++c;
    return c;
}

size_t rounded(size_t bytes) {
    if (bytes > page_size / 2) return (bytes + page_size - 1) & ~(page_size - 1);
    return size_t(1) << (class_of(bytes) + min_class_shift);
}

bool refill(size_t c) {
    Phys_addr frame;
    if (!frames().allocate(frame)) return false;
    auto* base = static_cast<char*>(arch::phys_to_virt(frame));
    size_t size = size_t(1) << (c + min_class_shift);
    for (size_t off = 0; off + size <= page_size; off += size) {
        auto* o = reinterpret_cast<Free_object*>(base + off);
        o->next = free_lists[c];
        free_lists[c] = o;
    }
    return true;
}

} // namespace

void* allocate(size_t bytes, Account& account) {
    if (bytes == 0) bytes = 1;
    size_t size = rounded(bytes);
    if (!account.charge_kernel(size)) return nullptr;
    void* p = nullptr;
    if (size >= page_size) {
        Phys_addr frame;
        if (frames().allocate(frame, size / page_size)) {
            p = arch::phys_to_virt(frame);
            for (size_t off = 0; off < size; off += page_size) zero_page(static_cast<char*>(p) + off);
        }
    } else {
        size_t c = class_of(bytes);
        if (free_lists[c] || refill(c)) {
            Free_object* o = free_lists[c];
            free_lists[c] = o->next;
            p = o;
            memset(p, 0, size);
        }
    }
    if (!p) {
        account.release_kernel(size);
        return nullptr;
    }
    in_use += size;
    return p;
}

void free(void* p, size_t bytes, Account& account) {
    if (!p) return;
    if (bytes == 0) bytes = 1;
    size_t size = rounded(bytes);
    account.release_kernel(size);
    in_use -= size;
    if (size >= page_size) {
        frames().free(arch::virt_to_phys(p), size / page_size);
        return;
    }
    size_t c = class_of(bytes);
    auto* o = static_cast<Free_object*>(p);
    o->next = free_lists[c];
    free_lists[c] = o;
}

uint64_t bytes_in_use() { return in_use; }

} // namespace kernel::kmem
