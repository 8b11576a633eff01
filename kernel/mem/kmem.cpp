// Kernel-object memory: power-of-two size classes from 32 bytes to 2 KiB, one 4 KiB frame per
// slab; larger objects take whole contiguous frames. Each slab page counts its live objects
// (in the frame allocator's per-frame slot); a page whose objects are all free goes back to
// the frame pool when frames run short or the run ends (release_empty_slabs).
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

Phys_addr page_of(const void* p) { return arch::virt_to_phys(p) & ~(page_size - 1); }

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
    frames().slab_objects(frame) = 0;
    return true;
}

constexpr uint16_t unlinking = 0x8000; // release_empty_slabs: this empty page's objects are leaving

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
            ++frames().slab_objects(page_of(o));
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
    uint16_t& live = frames().slab_objects(page_of(o));
    VERIFY(live > 0); // freeing an object twice, or one that is not from a slab
    --live;
    o->next = free_lists[c];
    free_lists[c] = o;
}

uint64_t release_empty_slabs() {
    uint64_t released = 0;
    for (size_t c = 0; c < class_count; ++c) {
        const uint16_t per_page = uint16_t(page_size >> (c + min_class_shift));
        // An empty page has all its objects on this list: unlink them, counting them in the
        // page's slot, and free the page with its last one.
        for (Free_object** link = &free_lists[c]; *link;) {
            Free_object* o = *link;
            Phys_addr page = page_of(o);
            uint16_t& count = frames().slab_objects(page);
            if (count != 0 && !(count & unlinking)) {
                link = &o->next;
                continue;
            }
            *link = o->next;
            count = count ? uint16_t(count + 1) : uint16_t(unlinking | 1);
            if ((count & ~unlinking) == per_page) {
                count = 0;
                frames().free(page);
                ++released;
            }
        }
    }
    return released;
}

uint64_t bytes_in_use() { return in_use; }

} // namespace kernel::kmem
