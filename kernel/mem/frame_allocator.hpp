// Physical frame allocator: one bit per 4 KiB frame, fed from the boot memory map.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel {

inline constexpr uint64_t page_size = 4096;

/// A physical address of a 4 KiB-aligned frame.
using Phys_addr = uint64_t;

class Frame_allocator {
public:
    /// Physical memory the allocator can manage: 4 GiB (the boot direct map's reach).
    static constexpr uint64_t max_frames = (4ull << 30) / page_size;

    /// Makes [base, base + bytes) available, rounded inwards to whole frames.
    void add_free_range(Phys_addr base, uint64_t bytes);
    /// Withdraws [base, base + bytes), rounded outwards, from the free frames.
    void reserve_range(Phys_addr base, uint64_t bytes);

    /// Allocates `count` physically contiguous frames; returns false if none are free.
    /// The frames are not zeroed. O(frames) in the worst case, O(1) amortised from the hint.
    /// When none are found the reclaimer (if set) is asked for frames, then one more try.
    [[nodiscard]] bool allocate(Phys_addr& out, size_t count = 1);
    void free(Phys_addr frame, size_t count = 1);

    /// One more user mapping of an allocated frame (page tables count them so a page shared
    /// into several address spaces lives until the last one unmaps it). False when the count
    /// would overflow.
    [[nodiscard]] bool ref(Phys_addr frame);
    /// One mapping fewer; the last one frees the frame.
    void unref(Phys_addr frame);
    uint16_t references(Phys_addr frame) const { return m_refs[frame / page_size]; }
    /// The live objects of a kernel slab page (kernel/mem/kmem.cpp). A slab page is never
    /// mapped into user space, so the slot that counts a user frame's mappings counts them.
    uint16_t& slab_objects(Phys_addr frame) { return m_refs[frame / page_size]; }

    /// Called when an allocation finds too few free frames: returns the frames it gave
    /// back (kmem's empty slab pages), and the allocation is tried once more.
    using Reclaimer = uint64_t (*)();
    void set_reclaimer(Reclaimer r) { m_reclaimer = r; }

    uint64_t free_frames() const { return m_free; }
    uint64_t total_frames() const { return m_total; }

private:
    bool is_free(uint64_t f) const { return m_bitmap[f / 64] & (1ull << (f % 64)); }
    void set_free(uint64_t f, bool free);

    uint64_t m_bitmap[max_frames / 64] = {}; ///< bit set = frame free
    uint16_t m_refs[max_frames] = {};        ///< user mappings of each frame
    uint64_t m_limit = 0;                    ///< one past the highest frame ever added
    uint64_t m_hint = 0;
    uint64_t m_free = 0;
    uint64_t m_total = 0;
    Reclaimer m_reclaimer = nullptr;
    bool find(Phys_addr& out, size_t count);
};

/// The kernel's one frame allocator.
Frame_allocator& frames();

} // namespace kernel
