// User address spaces (kernel/mem/address_space.cpp): zeroed mappings and their charges,
// kernel writes, the program break and anonymous mappings.
#include <gtest/gtest.h>

#include <arch/memory.hpp>

#include "mem/frame_allocator.hpp"
#include "mem/user_memory.hpp"
#include "support/printers.hpp"

namespace {

using kernel::Layout;
using kernel::page_size;
using kernel::Status;

class Address_space_test : public ::testing::Test {
protected:
    explicit Address_space_test(uint64_t quota = 0) : account(quota) {}

    uint64_t free_before = kernel::frames().free_frames();
    kernel::Account account;
    kernel::Address_space space{account};

    void SetUp() override { ASSERT_EQ(space.create(), Status::ok); }
    void TearDown() override {
        space.destroy();
        EXPECT_EQ(account.kernel_bytes(), 0u);
        EXPECT_EQ(account.user_bytes(), 0u);
        EXPECT_EQ(kernel::frames().free_frames(), free_before) << "frames leaked";
    }
    bool mapped(uint64_t va, arch::Access access = arch::Access::read) const {
        uint64_t phys;
        return space.table().translate(va, access, phys);
    }
};

TEST_F(Address_space_test, map_zeroed_rounds_to_pages_and_charges_the_account) {
    ASSERT_EQ(space.map_zeroed(0x10800, 0x1000, {true, false}), Status::ok); // touches two pages
    EXPECT_TRUE(mapped(0x10000, arch::Access::write));
    EXPECT_TRUE(mapped(0x11fff));
    EXPECT_FALSE(mapped(0x12000));
    EXPECT_EQ(account.user_bytes(), 2 * page_size);
    EXPECT_GT(account.kernel_bytes(), 0u) << "the page tables are charged too";
    uint64_t word = 1;
    ASSERT_EQ(kernel::copy_from_user(space, 0x11ff8, &word, 8), Status::ok);
    EXPECT_EQ(word, 0u);
}

TEST_F(Address_space_test, map_zeroed_refuses_overlaps_and_foreign_ranges) {
    ASSERT_EQ(space.map_zeroed(0x10000, 0x1000, {true, false}), Status::ok);
    EXPECT_EQ(space.map_zeroed(0x10000, 0x1000, {true, false}), Status::invalid_argument);
    EXPECT_EQ(space.map_zeroed(0, 0x1000, {true, false}), Status::invalid_argument);
    EXPECT_EQ(space.map_zeroed(arch::user_end - 0x1000, 0x2000, {true, false}), Status::invalid_argument);
    EXPECT_EQ(space.map_zeroed(0xffff800000000000, 0x1000, {true, false}), Status::invalid_argument);
    EXPECT_EQ(space.map_zeroed(0x20000, ~0ull - 0x30000, {true, false}), Status::invalid_argument);
    EXPECT_EQ(account.user_bytes(), page_size);
}

TEST_F(Address_space_test, map_zeroed_refuses_a_range_that_wraps) {
    // va + bytes wraps to just below va: rounded, the range looked empty and "succeeded".
    EXPECT_EQ(space.map_zeroed(0x20000, ~0ull, {true, false}), Status::invalid_argument);
    EXPECT_EQ(space.map_zeroed(0x20800, 0ull - 0x800, {true, false}), Status::invalid_argument);
    EXPECT_EQ(space.map_zeroed(0x20000, 0ull - 0x20000, {true, false}), Status::invalid_argument);
    EXPECT_EQ(account.user_bytes(), 0u);
}

TEST_F(Address_space_test, unmap_frees_and_uncharges_and_skips_holes) {
    ASSERT_EQ(space.map_zeroed(0x10000, 0x2000, {true, false}), Status::ok);
    ASSERT_EQ(space.map_zeroed(0x14000, 0x1000, {true, false}), Status::ok);
    space.unmap(0x10000, 0x5000);
    EXPECT_FALSE(mapped(0x10000));
    EXPECT_FALSE(mapped(0x14000));
    EXPECT_EQ(account.user_bytes(), 0u);
    ASSERT_EQ(space.map_zeroed(0x10000, 0x1000, {true, false}), Status::ok) << "the range can be mapped again";
}

// Hostile lengths (found by the syscall fuzzer, docs/robustness.md): unmapping a terabyte
// or the whole address space removes what is mapped there and nothing else, and a mapping
// larger than the free memory is refused before any frame is taken.
TEST_F(Address_space_test, huge_ranges_are_unmapped_and_refused_without_harm) {
    ASSERT_EQ(space.map_zeroed(0x10000, page_size, {true, false}), Status::ok);
    ASSERT_EQ(space.map_zeroed(0x40000000000, page_size, {true, false}), Status::ok); // 4 TiB up
    space.unmap(0x20000, uint64_t(1) << 40); // [128 KiB, 1 TiB + 128 KiB): neither page
    EXPECT_TRUE(mapped(0x10000));
    EXPECT_TRUE(mapped(0x40000000000));
    space.unmap(0x11000, ~uint64_t(0)); // to the end of everything: the length wraps
    EXPECT_TRUE(mapped(0x10000));
    EXPECT_FALSE(mapped(0x40000000000));
    const uint64_t free_frames = kernel::frames().free_frames();
    EXPECT_EQ(space.map_zeroed(0x100000, (free_frames + 1) * page_size, {true, false}), Status::out_of_memory);
    EXPECT_EQ(kernel::frames().free_frames(), free_frames);
    EXPECT_FALSE(mapped(0x100000));
    space.unmap(0, ~uint64_t(0));
    EXPECT_FALSE(mapped(0x10000));
}

TEST_F(Address_space_test, poke_writes_read_only_pages_but_not_holes) {
    ASSERT_EQ(space.map_zeroed(0x10000, 0x2000, {false, true}), Status::ok);
    const char text[] = "program text";
    ASSERT_EQ(space.poke(0x10ffa, text, sizeof text), Status::ok);
    char back[sizeof text];
    ASSERT_EQ(kernel::copy_from_user(space, 0x10ffa, back, sizeof back), Status::ok);
    EXPECT_STREQ(back, text);
    EXPECT_EQ(space.poke(0x11ffa, text, sizeof text), Status::invalid_pointer);
}

TEST_F(Address_space_test, the_break_grows_shrinks_and_refuses_out_of_range) {
    space.init_break(0x500000);
    EXPECT_EQ(space.set_break(0), 0x500000u) << "brk(0) asks for the current break";
    EXPECT_EQ(space.set_break(0x502800), 0x502800u);
    EXPECT_TRUE(mapped(0x502000, arch::Access::write));
    EXPECT_FALSE(mapped(0x503000));
    EXPECT_EQ(account.user_bytes(), 3 * page_size);
    EXPECT_EQ(space.set_break(0x500000 + Layout::brk_limit + 1), 0x502800u);
    EXPECT_EQ(space.set_break(0x4ff000), 0x502800u) << "below the start";
    EXPECT_EQ(space.set_break(0x501001), 0x501001u);
    EXPECT_TRUE(mapped(0x501000));
    EXPECT_FALSE(mapped(0x502000));
    EXPECT_EQ(account.user_bytes(), 2 * page_size);
    EXPECT_EQ(space.set_break(0x500000), 0x500000u);
    EXPECT_EQ(account.user_bytes(), 0u);
}

TEST_F(Address_space_test, anonymous_mappings_are_fresh_and_guarded) {
    const uint64_t a = space.map_anonymous(0x1800, {true, false});
    const uint64_t b = space.map_anonymous(0x1000, {true, false});
    EXPECT_EQ(a, Layout::mmap_base);
    EXPECT_TRUE(mapped(a + 0x1fff, arch::Access::write));
    EXPECT_FALSE(mapped(a + 0x2000)) << "a guard page follows each mapping";
    EXPECT_EQ(b, a + 0x3000);
    EXPECT_EQ(space.map_anonymous(0, {true, false}), 0u);
    EXPECT_EQ(space.map_anonymous(~0ull, {true, false}), 0u);
    EXPECT_EQ(space.map_anonymous(Layout::mmap_end - Layout::mmap_base, {true, false}), 0u) << "no room left";
}

class Address_space_quota_test : public Address_space_test {
protected:
    Address_space_quota_test() : Address_space_test(12 * page_size) {}
};

TEST_F(Address_space_quota_test, running_out_of_quota_is_out_of_memory) {
    // The top-level table and three levels of tables cost 4 pages; 8 remain for user pages.
    EXPECT_EQ(space.map_zeroed(0x10000, 9 * page_size, {true, false}), Status::out_of_memory);
    EXPECT_EQ(account.user_bytes(), 8 * page_size) << "pages mapped so far stay mapped";
    EXPECT_TRUE(mapped(0x17000));
    EXPECT_FALSE(mapped(0x18000));
    space.unmap(0x10000, 9 * page_size);
    const uint64_t heap = 0x600000;
    space.init_break(heap);
    EXPECT_EQ(space.set_break(heap + 20 * page_size), heap) << "a failed break leaves nothing mapped";
    EXPECT_FALSE(mapped(heap));
    EXPECT_EQ(space.map_anonymous(20 * page_size, {true, false}), 0u);
    EXPECT_EQ(account.user_bytes(), 0u);
}

} // namespace
