// Validated user-memory access (kernel/mem/user_memory.cpp): ranges that cross pages, wrap,
// leave the user half or lack the access asked for, and copies between two address spaces.
#include <gtest/gtest.h>

#include <string>

#include "mem/frame_allocator.hpp"
#include "mem/user_memory.hpp"
#include "support/printers.hpp"

namespace {

using arch::Access;
using kernel::Status;

constexpr uint64_t rw = 0x10000;    ///< three read-write pages
constexpr uint64_t ro = 0x20000;    ///< one read-only page, then a hole
constexpr uint64_t top = arch::user_end - 0x1000; ///< the last user page, read-write

class User_memory_test : public ::testing::Test {
protected:
    kernel::Account account;
    kernel::Address_space space{account};
    kernel::Account other_account;
    kernel::Address_space other{other_account};

    void SetUp() override {
        ASSERT_EQ(space.create(), Status::ok);
        ASSERT_EQ(other.create(), Status::ok);
        ASSERT_EQ(space.map_zeroed(rw, 0x3000, {true, false}), Status::ok);
        ASSERT_EQ(space.map_zeroed(ro, 0x1000, {false, false}), Status::ok);
        ASSERT_EQ(space.map_zeroed(top, 0x1000, {true, false}), Status::ok);
        ASSERT_EQ(other.map_zeroed(rw, 0x3000, {true, false}), Status::ok);
    }
    void TearDown() override {
        space.destroy();
        other.destroy();
    }
    Status check(uint64_t addr, uint64_t bytes, Access access = Access::read) {
        return kernel::check_user_range(space, addr, bytes, access);
    }
};

TEST_F(User_memory_test, ranges_across_mapped_pages_are_accepted) {
    EXPECT_EQ(check(rw, 0x3000), Status::ok);
    EXPECT_EQ(check(rw + 0xfff, 2, Access::write), Status::ok);
    EXPECT_EQ(check(rw + 0x10, 0x2ff0, Access::write), Status::ok);
    EXPECT_EQ(check(ro, 0x1000, Access::read), Status::ok);
    EXPECT_EQ(check(top, 0x1000, Access::write), Status::ok) << "a range may end at the very top";
}

TEST_F(User_memory_test, a_range_touching_an_unmapped_page_is_refused) {
    EXPECT_EQ(check(rw + 0x2fff, 2), Status::invalid_pointer);
    EXPECT_EQ(check(rw - 1, 2), Status::invalid_pointer);
    EXPECT_EQ(check(ro + 0xfff, 2), Status::invalid_pointer);
    EXPECT_EQ(check(0x30000, 1), Status::invalid_pointer);
}

TEST_F(User_memory_test, writes_need_a_writable_page) {
    EXPECT_EQ(check(ro, 1, Access::write), Status::invalid_pointer);
    EXPECT_EQ(check(ro - 0x100, 0x200, Access::write), Status::invalid_pointer) << "only its tail is read-only";
}

TEST_F(User_memory_test, kernel_and_non_canonical_addresses_are_refused) {
    EXPECT_EQ(check(0xffff800000000000, 8), Status::invalid_pointer);
    EXPECT_EQ(check(0xffffffff80000000, 8), Status::invalid_pointer);
    EXPECT_EQ(check(arch::user_end, 1), Status::invalid_pointer);
    EXPECT_EQ(check(top, 0x1001), Status::invalid_pointer) << "a range leaving the user half";
    EXPECT_EQ(check(0, 8), Status::invalid_pointer);
    EXPECT_EQ(check(0xfff, 1), Status::invalid_pointer);
}

TEST_F(User_memory_test, wrapping_ranges_are_refused) {
    EXPECT_EQ(check(rw, ~0ull), Status::invalid_pointer);
    EXPECT_EQ(check(rw, 0ull - rw), Status::invalid_pointer) << "addr + bytes wraps to exactly 0";
    EXPECT_EQ(check(top, 0ull - top + rw + 0x10), Status::invalid_pointer) << "wraps into mapped pages";
    char buffer[16];
    EXPECT_EQ(kernel::copy_from_user(space, top, buffer, ~size_t(0)), Status::invalid_pointer);
    EXPECT_EQ(kernel::copy_to_user(space, top, buffer, 0ull - top + rw), Status::invalid_pointer);
    EXPECT_EQ(kernel::copy_between(other, rw, space, top, 0ull - top + rw), Status::invalid_pointer);
    EXPECT_EQ(kernel::copy_between(other, top, space, rw, 0ull - top + rw), Status::invalid_pointer);
}

TEST_F(User_memory_test, empty_ranges_need_nothing) {
    EXPECT_EQ(check(0xffff800000000000, 0), Status::ok);
    EXPECT_EQ(kernel::copy_from_user(space, 0, nullptr, 0), Status::ok);
    EXPECT_EQ(kernel::copy_to_user(space, 0, nullptr, 0), Status::ok);
    EXPECT_EQ(kernel::copy_between(other, 0, space, 0, 0), Status::ok);
}

TEST_F(User_memory_test, in_user_half_checks_only_the_range) {
    EXPECT_TRUE(kernel::in_user_half(0x30000, 0x1000)) << "mapping is not its business";
    EXPECT_TRUE(kernel::in_user_half(top, 0x1000));
    EXPECT_FALSE(kernel::in_user_half(top, 0x1001));
    EXPECT_FALSE(kernel::in_user_half(0, 1));
    EXPECT_FALSE(kernel::in_user_half(rw, ~0ull));
}

TEST_F(User_memory_test, copies_to_and_from_user_cross_pages) {
    std::string text(0x1800, '\0');
    for (size_t i = 0; i < text.size(); ++i) text[i] = char(i * 7);
    ASSERT_EQ(kernel::copy_to_user(space, rw + 0xc00, text.data(), text.size()), Status::ok);
    std::string back(text.size(), '\0');
    ASSERT_EQ(kernel::copy_from_user(space, rw + 0xc00, back.data(), back.size()), Status::ok);
    EXPECT_TRUE(back == text);
    char before = 1;
    ASSERT_EQ(kernel::copy_from_user(space, rw + 0xbff, &before, 1), Status::ok);
    EXPECT_EQ(before, 0) << "nothing written before the start";
}

TEST_F(User_memory_test, copies_respect_permissions) {
    const char data[4] = {1, 2, 3, 4};
    EXPECT_EQ(kernel::copy_to_user(space, ro, data, 4), Status::invalid_pointer);
    char out[4];
    EXPECT_EQ(kernel::copy_from_user(space, ro, out, 4), Status::ok);
    EXPECT_EQ(kernel::copy_from_user(space, ro + 0xffe, out, 4), Status::invalid_pointer);
    EXPECT_EQ(kernel::copy_to_user(space, rw + 0x2ffe, data, 4), Status::invalid_pointer);
}

TEST_F(User_memory_test, copy_between_spaces_at_different_page_offsets) {
    std::string text(0x2200, '\0');
    for (size_t i = 0; i < text.size(); ++i) text[i] = char('A' + i % 53);
    ASSERT_EQ(kernel::copy_to_user(space, rw + 0x123, text.data(), text.size()), Status::ok);
    ASSERT_EQ(kernel::copy_between(other, rw + 0xabc, space, rw + 0x123, text.size()), Status::ok);
    std::string back(text.size(), '\0');
    ASSERT_EQ(kernel::copy_from_user(other, rw + 0xabc, back.data(), back.size()), Status::ok);
    EXPECT_TRUE(back == text);
}

TEST_F(User_memory_test, copy_between_checks_both_sides) {
    EXPECT_EQ(kernel::copy_between(other, rw, space, ro, 0x1000), Status::ok) << "reading read-only memory";
    EXPECT_EQ(kernel::copy_between(space, ro, other, rw, 1), Status::invalid_pointer) << "into read-only memory";
    EXPECT_EQ(kernel::copy_between(other, rw, space, ro, 0x1001), Status::invalid_pointer) << "source runs out";
    EXPECT_EQ(kernel::copy_between(other, rw + 0x2800, space, rw, 0x900), Status::invalid_pointer) << "target runs out";
    EXPECT_EQ(kernel::copy_between(other, rw, space, 0xffff800000001000, 8), Status::invalid_pointer);
    EXPECT_EQ(kernel::copy_between(other, 0xffff800000001000, space, rw, 8), Status::invalid_pointer);
}

} // namespace
