// Physical frame allocator: a bitmap with a next-fit hint.
#include "mem/frame_allocator.hpp"

#include "lib/assert.hpp"

namespace kernel {

void Frame_allocator::set_free(uint64_t f, bool free) {
    if (free)
        m_bitmap[f / 64] |= 1ull << (f % 64);
    else
        m_bitmap[f / 64] &= ~(1ull << (f % 64));
}

void Frame_allocator::add_free_range(Phys_addr base, uint64_t bytes) {
    uint64_t first = (base + page_size - 1) / page_size;
    uint64_t end = (base + bytes) / page_size;
    if (end > max_frames) end = max_frames;
    for (uint64_t f = first; f < end; ++f) {
        if (is_free(f)) continue;
        set_free(f, true);
        ++m_free;
        ++m_total;
    }
    if (end > m_limit) m_limit = end;
}

void Frame_allocator::reserve_range(Phys_addr base, uint64_t bytes) {
    uint64_t first = base / page_size;
    uint64_t end = (base + bytes + page_size - 1) / page_size;
    if (end > m_limit) end = m_limit;
    for (uint64_t f = first; f < end; ++f) {
        if (!is_free(f)) continue;
        set_free(f, false);
        --m_free;
        --m_total;
    }
}

bool Frame_allocator::allocate(Phys_addr& out, size_t count) {
    if (count == 0) return false;
    if (find(out, count)) return true;
    return m_reclaimer && m_reclaimer() > 0 && find(out, count);
}

bool Frame_allocator::find(Phys_addr& out, size_t count) {
    if (count > m_free) return false;
    // Two passes: from the hint to the end, then from the start.
    for (int pass = 0; pass < 2; ++pass) {
        uint64_t f = pass == 0 ? m_hint : 0;
        uint64_t end = pass == 0 ? m_limit : m_hint + count;
        if (end > m_limit) end = m_limit;
        while (f + count <= end) {
            if (!(m_bitmap[f / 64] >> (f % 64)) && f % 64 == 0) { // whole word used: skip it
                f += 64;
                continue;
            }
            size_t run = 0;
            while (run < count && is_free(f + run)) ++run;
            if (run == count) {
                for (size_t i = 0; i < count; ++i) set_free(f + i, false);
                m_free -= count;
                m_hint = f + count;
                out = f * page_size;
                return true;
            }
            f += run + 1;
        }
    }
    return false;
}

void Frame_allocator::free(Phys_addr frame, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        uint64_t f = frame / page_size + i;
        VERIFY(f < m_limit && !is_free(f)); // freeing a free frame is a kernel bug
        set_free(f, true);
        ++m_free;
    }
}

bool Frame_allocator::ref(Phys_addr frame) {
    uint64_t f = frame / page_size;
    VERIFY(f < m_limit && !is_free(f));
    if (m_refs[f] == 0xffff) return false;
    ++m_refs[f];
    return true;
}

void Frame_allocator::unref(Phys_addr frame) {
    uint64_t f = frame / page_size;
    VERIFY(f < m_limit && m_refs[f] > 0);
    if (--m_refs[f] == 0) free(frame);
}

} // namespace kernel
