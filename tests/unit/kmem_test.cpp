// Kernel-object memory (kernel/mem/kmem.cpp): size classes, zeroing, alignment, and the
// charge every allocation makes to its account.
#include <gtest/gtest.h>

#include <string.h>

#include <vector>

#include <arch/memory.hpp>

#include "mem/frame_allocator.hpp"
#include "mem/kmem.hpp"

namespace {

namespace kmem = kernel::kmem;

TEST(Kmem, small_objects_are_rounded_to_their_class_and_charged) {
    kernel::Account account;
    const uint64_t before = kmem::bytes_in_use();
    const struct {
        size_t asked, charged;
    } cases[] = {{0, 32}, {1, 32}, {32, 32}, {33, 64}, {100, 128}, {1024, 1024}, {1025, 2048}, {2048, 2048}};
    for (const auto& c : cases) {
        void* p = kmem::allocate(c.asked, account);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(account.kernel_bytes(), c.charged) << c.asked << " bytes";
        EXPECT_EQ(kmem::bytes_in_use(), before + c.charged);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
        kmem::free(p, c.asked, account);
        EXPECT_EQ(account.kernel_bytes(), 0u);
    }
    EXPECT_EQ(kmem::bytes_in_use(), before);
}

TEST(Kmem, large_objects_take_whole_aligned_frames) {
    kernel::Account account;
    const uint64_t frames_before = kernel::frames().free_frames();
    void* p = kmem::allocate(2049, account);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(account.kernel_bytes(), 4096u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 4096, 0u);
    void* q = kmem::allocate(16384, account);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(account.kernel_bytes(), 4096u + 16384u);
    EXPECT_EQ(kernel::frames().free_frames(), frames_before - 5);
    kmem::free(p, 2049, account);
    kmem::free(q, 16384, account);
    EXPECT_EQ(kernel::frames().free_frames(), frames_before);
    EXPECT_EQ(account.kernel_bytes(), 0u);
}

TEST(Kmem, memory_comes_back_zeroed) {
    // Fill every free frame with garbage first: nothing may rely on frames being clean.
    std::vector<kernel::Phys_addr> all;
    kernel::Phys_addr f;
    while (kernel::frames().allocate(f)) {
        memset(arch::phys_to_virt(f), 0xab, kernel::page_size);
        all.push_back(f);
    }
    for (kernel::Phys_addr frame : all) kernel::frames().free(frame);

    kernel::Account account;
    for (size_t size : {48, 2048, 4096, 12288}) {
        std::vector<unsigned char*> objects;
        for (int i = 0; i < 70; ++i) { // enough 48-byte objects to need a fresh slab
            auto* p = static_cast<unsigned char*>(kmem::allocate(size, account));
            ASSERT_NE(p, nullptr);
            EXPECT_EQ(std::vector<unsigned char>(p, p + size), std::vector<unsigned char>(size, 0)) << size;
            memset(p, 0xcd, size);
            objects.push_back(p);
        }
        for (unsigned char* p : objects) kmem::free(p, size, account);
        auto* again = static_cast<unsigned char*>(kmem::allocate(size, account));
        ASSERT_NE(again, nullptr);
        EXPECT_EQ(std::vector<unsigned char>(again, again + size), std::vector<unsigned char>(size, 0)) << size;
        kmem::free(again, size, account);
    }
    EXPECT_EQ(account.kernel_bytes(), 0u);
}

TEST(Kmem, distinct_objects_do_not_overlap) {
    kernel::Account account;
    std::vector<char*> objects;
    for (int i = 0; i < 300; ++i) { // more than one slab of 64-byte objects
        auto* p = static_cast<char*>(kmem::allocate(64, account));
        ASSERT_NE(p, nullptr);
        memset(p, i & 0xff, 64);
        objects.push_back(p);
    }
    for (int i = 0; i < 300; ++i) EXPECT_EQ(objects[i][63], char(i & 0xff)) << "object " << i << " was overwritten";
    for (char* p : objects) kmem::free(p, 64, account);
    EXPECT_EQ(account.kernel_bytes(), 0u);
}

TEST(Kmem, the_quota_refuses_without_charging) {
    kernel::Account account(1000);
    void* a = kmem::allocate(512, account);
    ASSERT_NE(a, nullptr);
    const uint64_t before = kmem::bytes_in_use();
    EXPECT_EQ(kmem::allocate(512, account), nullptr) << "1024 bytes exceed the quota of 1000";
    EXPECT_EQ(account.kernel_bytes(), 512u);
    EXPECT_EQ(kmem::bytes_in_use(), before);
    void* b = kmem::allocate(256, account);
    EXPECT_NE(b, nullptr);
    EXPECT_EQ(account.peak_bytes(), 768u);
    kmem::free(a, 512, account);
    kmem::free(b, 256, account);
}

TEST(Kmem, running_out_of_frames_returns_null_and_releases_the_charge) {
    kernel::Account account;
    // Ask for more contiguous memory than the whole arena holds.
    EXPECT_EQ(kmem::allocate(size_t(1) << 30, account), nullptr);
    EXPECT_EQ(account.kernel_bytes(), 0u);
}

TEST(Kmem, empty_slab_pages_go_back_to_the_frame_pool_and_used_ones_stay) {
    kernel::Account account;
    (void)kmem::release_empty_slabs(); // whatever earlier tests left empty
    const uint64_t frames_before = kernel::frames().free_frames();
    std::vector<void*> objects;
    for (int i = 0; i < 64 * 5; ++i) objects.push_back(kmem::allocate(64, account)); // five pages' worth
    const uint64_t frames_used = frames_before - kernel::frames().free_frames();
    ASSERT_GE(frames_used, 5u);
    void* kept = objects[100];
    for (void* p : objects)
        if (p != kept) kmem::free(p, 64, account);
    EXPECT_EQ(kmem::release_empty_slabs(), frames_used - 1) << "every page but the one holding `kept`";
    EXPECT_EQ(kernel::frames().free_frames(), frames_before - 1);
    EXPECT_EQ(kmem::release_empty_slabs(), 0u);
    // The kept page's other objects are still on the free list and usable.
    void* neighbour = kmem::allocate(64, account);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(neighbour) & ~uintptr_t(4095), reinterpret_cast<uintptr_t>(kept) & ~uintptr_t(4095));
    kmem::free(neighbour, 64, account);
    kmem::free(kept, 64, account);
    EXPECT_EQ(kmem::release_empty_slabs(), 1u);
    EXPECT_EQ(kernel::frames().free_frames(), frames_before);
    EXPECT_EQ(account.kernel_bytes(), 0u);
}

TEST(Kmem, an_allocation_that_finds_no_frame_reclaims_empty_slabs_first) {
    kernel::Account account;
    std::vector<void*> objects;
    for (int i = 0; i < 64 * 3; ++i) objects.push_back(kmem::allocate(64, account)); // fresh pages among them
    for (void* p : objects) kmem::free(p, 64, account);
    const uint64_t free_frames = kernel::frames().free_frames();
    kernel::frames().set_reclaimer(&kmem::release_empty_slabs); // as boot/main.cpp does
    std::vector<kernel::Phys_addr> taken;
    kernel::Phys_addr f;
    while (kernel::frames().allocate(f)) taken.push_back(f);
    kernel::frames().set_reclaimer(nullptr);
    EXPECT_GT(taken.size(), free_frames) << "the empty slab pages served too";
    EXPECT_EQ(kmem::release_empty_slabs(), 0u);
    for (kernel::Phys_addr frame : taken) kernel::frames().free(frame);
}

} // namespace
