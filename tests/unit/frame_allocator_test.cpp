// The physical frame allocator (kernel/mem/frame_allocator.cpp), on a private instance:
// ranges, reservations, contiguous runs, exhaustion and freeing.
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "mem/frame_allocator.hpp"

namespace {

using kernel::Frame_allocator;
using kernel::page_size;
using kernel::Phys_addr;

class Frame_allocator_test : public ::testing::Test {
protected:
    std::unique_ptr<Frame_allocator> frames = std::make_unique<Frame_allocator>(); // 128 KiB bitmap

    /// Allocates until the allocator refuses; returns the frames in allocation order.
    std::vector<Phys_addr> drain() {
        std::vector<Phys_addr> out;
        Phys_addr f;
        while (frames->allocate(f)) out.push_back(f);
        return out;
    }
};

TEST_F(Frame_allocator_test, a_new_allocator_has_nothing) {
    Phys_addr f = 123;
    EXPECT_EQ(frames->free_frames(), 0u);
    EXPECT_EQ(frames->total_frames(), 0u);
    EXPECT_FALSE(frames->allocate(f));
    EXPECT_EQ(f, 123u);
}

TEST_F(Frame_allocator_test, free_ranges_are_rounded_inwards) {
    frames->add_free_range(0x1800, 0x3000); // [0x1800, 0x4800): whole frames 0x2000 and 0x3000
    EXPECT_EQ(frames->free_frames(), 2u);
    EXPECT_EQ(frames->total_frames(), 2u);
    EXPECT_EQ(drain(), (std::vector<Phys_addr>{0x2000, 0x3000}));
    frames->add_free_range(0x10000, 0xfff); // less than a frame
    EXPECT_EQ(frames->free_frames(), 0u);
}

TEST_F(Frame_allocator_test, adding_a_range_twice_counts_it_once) {
    frames->add_free_range(0x10000, 4 * page_size);
    frames->add_free_range(0x12000, 4 * page_size);
    EXPECT_EQ(frames->free_frames(), 6u);
    EXPECT_EQ(frames->total_frames(), 6u);
}

TEST_F(Frame_allocator_test, reservations_are_rounded_outwards) {
    frames->add_free_range(0, 16 * page_size);
    frames->reserve_range(0x2800, 0x1000); // touches frames 0x2000 and 0x3000
    EXPECT_EQ(frames->free_frames(), 14u);
    EXPECT_EQ(frames->total_frames(), 14u);
    const std::vector<Phys_addr> got = drain();
    EXPECT_EQ(std::set<Phys_addr>(got.begin(), got.end()).count(0x2000), 0u);
    EXPECT_EQ(std::set<Phys_addr>(got.begin(), got.end()).count(0x3000), 0u);
    EXPECT_EQ(got.size(), 14u);
}

TEST_F(Frame_allocator_test, reserving_beyond_the_managed_memory_is_harmless) {
    frames->add_free_range(0, 4 * page_size);
    frames->reserve_range(2 * page_size, 1ull << 40);
    EXPECT_EQ(frames->free_frames(), 2u);
    frames->reserve_range(1ull << 33, page_size); // above the 4 GiB the bitmap covers
    EXPECT_EQ(frames->free_frames(), 2u);
}

TEST_F(Frame_allocator_test, memory_above_four_gib_is_ignored) {
    frames->add_free_range(Frame_allocator::max_frames * page_size - 2 * page_size, 1ull << 33);
    EXPECT_EQ(frames->free_frames(), 2u);
}

TEST_F(Frame_allocator_test, every_frame_is_handed_out_once_until_exhaustion) {
    frames->add_free_range(0x100000, 300 * page_size);
    const std::vector<Phys_addr> got = drain();
    EXPECT_EQ(got.size(), 300u);
    EXPECT_EQ(std::set<Phys_addr>(got.begin(), got.end()).size(), 300u);
    for (Phys_addr f : got) {
        EXPECT_EQ(f % page_size, 0u);
        EXPECT_GE(f, 0x100000u);
        EXPECT_LT(f, 0x100000u + 300 * page_size);
    }
    EXPECT_EQ(frames->free_frames(), 0u);
    EXPECT_EQ(frames->total_frames(), 300u);
}

TEST_F(Frame_allocator_test, a_freed_frame_can_be_allocated_again) {
    frames->add_free_range(0, 8 * page_size);
    std::vector<Phys_addr> got = drain();
    frames->free(got[5]);
    EXPECT_EQ(frames->free_frames(), 1u);
    Phys_addr f;
    ASSERT_TRUE(frames->allocate(f)) << "the search wraps around past its hint";
    EXPECT_EQ(f, got[5]);
    EXPECT_FALSE(frames->allocate(f));
}

TEST_F(Frame_allocator_test, contiguous_runs_skip_holes_too_small) {
    frames->add_free_range(0, 16 * page_size);
    std::vector<Phys_addr> got = drain();
    // Free 0-1 (a hole of 2), 4-6 (3) and 9-12 (4).
    for (unsigned i : {0, 1, 4, 5, 6, 9, 10, 11, 12}) frames->free(i * page_size);
    Phys_addr f;
    ASSERT_TRUE(frames->allocate(f, 4));
    EXPECT_EQ(f, 9 * page_size);
    EXPECT_FALSE(frames->allocate(f, 4)) << "no run of four is left";
    ASSERT_TRUE(frames->allocate(f, 3));
    EXPECT_EQ(f, 4 * page_size);
    ASSERT_TRUE(frames->allocate(f, 2));
    EXPECT_EQ(f, 0u);
    EXPECT_EQ(frames->free_frames(), 0u);
}

TEST_F(Frame_allocator_test, a_run_may_cross_bitmap_words) {
    frames->add_free_range(0, 256 * page_size);
    Phys_addr f;
    ASSERT_TRUE(frames->allocate(f, 60));
    ASSERT_TRUE(frames->allocate(f, 10)); // frames 60..69 span words 0 and 1
    EXPECT_EQ(f, 60 * page_size);
    ASSERT_TRUE(frames->allocate(f, 186));
    EXPECT_EQ(f, 70 * page_size);
    EXPECT_EQ(frames->free_frames(), 0u);
    frames->free(60 * page_size, 10);
    ASSERT_TRUE(frames->allocate(f, 10));
    EXPECT_EQ(f, 60 * page_size);
}

TEST_F(Frame_allocator_test, requests_that_cannot_be_met_change_nothing) {
    frames->add_free_range(0, 4 * page_size);
    Phys_addr f = 7;
    EXPECT_FALSE(frames->allocate(f, 0));
    EXPECT_FALSE(frames->allocate(f, 5));
    EXPECT_EQ(f, 7u);
    EXPECT_EQ(frames->free_frames(), 4u);
    ASSERT_TRUE(frames->allocate(f, 4));
    EXPECT_EQ(f, 0u);
}

TEST_F(Frame_allocator_test, free_frames_in_two_ranges_are_not_contiguous) {
    frames->add_free_range(0, 2 * page_size);
    frames->add_free_range(3 * page_size, 2 * page_size);
    Phys_addr f;
    EXPECT_FALSE(frames->allocate(f, 3)) << "frame 2 was never free";
    ASSERT_TRUE(frames->allocate(f, 2));
}

using Frame_allocator_death_test = Frame_allocator_test;

TEST_F(Frame_allocator_death_test, freeing_a_free_frame_panics) {
    frames->add_free_range(0, 4 * page_size);
    EXPECT_DEATH(frames->free(page_size), "assertion failed");
}

TEST_F(Frame_allocator_death_test, freeing_an_unmanaged_frame_panics) {
    frames->add_free_range(0, 4 * page_size);
    Phys_addr f;
    ASSERT_TRUE(frames->allocate(f, 4));
    EXPECT_DEATH(frames->free(4 * page_size), "\"event\":\"panic\".*assertion failed");
}

} // namespace
