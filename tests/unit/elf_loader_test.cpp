// ELF inspection and loading (kernel/boot/elf_loader.cpp): a minimal static executable built
// here with the host's <elf.h>, each malformed variant with its message, and the real
// worker program when the build made it.
#include <gtest/gtest.h>

#include <elf.h>
#include <string.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "boot/elf_loader.hpp"
#include "mem/frame_allocator.hpp"
#include "mem/user_memory.hpp"
#include "support/printers.hpp"

namespace {

using kernel::Status;

/// A static x86-64 executable: the headers and 16 bytes of code in a read-execute segment
/// at 0x400000 (code at 0x401000, the entry), a read-write segment at 0x403000 with 0x100
/// bytes of data and 0x2f00 of bss, and a PT_GNU_STACK the loader ignores.
struct Minimal_elf {
    std::vector<uint8_t> bytes = std::vector<uint8_t>(0x2100);

    Minimal_elf() {
        Elf64_Ehdr& h = header();
        memcpy(h.e_ident, ELFMAG, SELFMAG);
        h.e_ident[EI_CLASS] = ELFCLASS64;
        h.e_ident[EI_DATA] = ELFDATA2LSB;
        h.e_ident[EI_VERSION] = EV_CURRENT;
        h.e_type = ET_EXEC;
        h.e_machine = EM_X86_64;
        h.e_version = EV_CURRENT;
        h.e_entry = 0x401000;
        h.e_phoff = sizeof(Elf64_Ehdr);
        h.e_ehsize = sizeof(Elf64_Ehdr);
        h.e_phentsize = sizeof(Elf64_Phdr);
        h.e_phnum = 3;
        phdr(0) = Elf64_Phdr{PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x400000, 0x1010, 0x1010, 0x1000};
        phdr(1) = Elf64_Phdr{PT_LOAD, PF_R | PF_W, 0x2000, 0x403000, 0x403000, 0x100, 0x3000, 0x1000};
        phdr(2) = Elf64_Phdr{PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 0x10};
        for (unsigned i = 0; i < 16; ++i) bytes[0x1000 + i] = uint8_t(0xc0 + i);
        for (unsigned i = 0; i < 0x100; ++i) bytes[0x2000 + i] = uint8_t(i);
    }
    Elf64_Ehdr& header() { return *reinterpret_cast<Elf64_Ehdr*>(bytes.data()); }
    Elf64_Phdr& phdr(unsigned i) { return reinterpret_cast<Elf64_Phdr*>(bytes.data() + sizeof(Elf64_Ehdr))[i]; }

    bool inspect(kernel::Elf_image& out, const char*& error) const {
        return kernel::inspect_elf(bytes.data(), bytes.size(), out, error);
    }
};

TEST(Elf_loader, a_minimal_static_executable_is_accepted) {
    Minimal_elf elf;
    const std::vector<uint8_t> before = elf.bytes;
    kernel::Elf_image image{};
    const char* error = nullptr;
    ASSERT_TRUE(elf.inspect(image, error)) << error;
    EXPECT_EQ(image.entry, 0x401000u);
    EXPECT_EQ(image.phdr_address, 0x400040u) << "the headers lie in the first segment";
    EXPECT_EQ(image.phdr_count, 3u);
    EXPECT_EQ(image.phdr_size, sizeof(Elf64_Phdr));
    EXPECT_EQ(image.end, 0x406000u);
    EXPECT_EQ(elf.bytes, before) << "inspection has no side effects";
}

TEST(Elf_loader, program_headers_outside_every_segment_have_no_address) {
    Minimal_elf elf;
    elf.phdr(0).p_offset = 0x1000;
    elf.phdr(0).p_vaddr = 0x401000;
    elf.phdr(0).p_filesz = elf.phdr(0).p_memsz = 0x10;
    kernel::Elf_image image{};
    const char* error = nullptr;
    ASSERT_TRUE(elf.inspect(image, error)) << error;
    EXPECT_EQ(image.phdr_address, 0u);
}

TEST(Elf_loader, segments_other_than_load_are_ignored) {
    Minimal_elf elf;
    elf.phdr(2) = Elf64_Phdr{PT_NOTE, 0, 0xffffffff, 0, 0, 0x1000000, 0, 0}; // nonsense, unused
    kernel::Elf_image image{};
    const char* error = nullptr;
    EXPECT_TRUE(elf.inspect(image, error)) << error;
}

struct Malformed {
    const char* name;
    std::function<void(Minimal_elf&)> damage;
    const char* error;
};

/// Names the case in test output instead of dumping its bytes.
void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

const char* const not_elf = "not an ELF file";
const char* const headers_outside = "program headers outside the file";
const char* const segment_outside = "segment outside the file";
const char* const outside_user = "segment outside the user address range";
const char* const bad_entry = "entry point not in an executable segment";

const Malformed malformed[] = {
    {"empty", [](Minimal_elf& e) { e.bytes.clear(); }, not_elf},
    {"shorter_than_the_header", [](Minimal_elf& e) { e.bytes.resize(sizeof(Elf64_Ehdr) - 1); }, not_elf},
    {"bad_magic", [](Minimal_elf& e) { e.bytes[1] = 'e'; }, not_elf},
    {"elf32", [](Minimal_elf& e) { e.header().e_ident[EI_CLASS] = ELFCLASS32; }, "not a 64-bit little-endian ELF file"},
    {"big_endian", [](Minimal_elf& e) { e.header().e_ident[EI_DATA] = ELFDATA2MSB; }, "not a 64-bit little-endian ELF file"},
    {"i386", [](Minimal_elf& e) { e.header().e_machine = EM_386; }, "not an x86-64 program"},
    {"aarch64", [](Minimal_elf& e) { e.header().e_machine = EM_AARCH64; }, "not an x86-64 program"},
    {"position_independent", [](Minimal_elf& e) { e.header().e_type = ET_DYN; },
     "not a static executable (ET_EXEC; link with -static -no-pie)"},
    {"relocatable", [](Minimal_elf& e) { e.header().e_type = ET_REL; },
     "not a static executable (ET_EXEC; link with -static -no-pie)"},
    {"wrong_phentsize", [](Minimal_elf& e) { e.header().e_phentsize = 32; }, headers_outside},
    {"no_program_headers", [](Minimal_elf& e) { e.header().e_phnum = 0; }, headers_outside},
    {"phoff_beyond_the_file", [](Minimal_elf& e) { e.header().e_phoff = 0x2101; }, headers_outside},
    {"phoff_huge", [](Minimal_elf& e) { e.header().e_phoff = ~0ull - 8; }, headers_outside},
    {"headers_run_past_the_end", [](Minimal_elf& e) { e.header().e_phoff = 0x2100 - 2 * sizeof(Elf64_Phdr); },
     headers_outside},
    {"too_many_headers", [](Minimal_elf& e) { e.header().e_phnum = 0xffff; }, headers_outside},
    {"filesz_above_memsz", [](Minimal_elf& e) { e.phdr(1).p_memsz = 0xff; }, segment_outside},
    {"offset_beyond_the_file", [](Minimal_elf& e) { e.phdr(1).p_offset = 0x2101; }, segment_outside},
    {"data_runs_past_the_end", [](Minimal_elf& e) { e.phdr(1).p_filesz = 0x101; }, segment_outside},
    {"offset_wraps", [](Minimal_elf& e) { e.phdr(1).p_offset = ~0ull - 0x10; }, segment_outside},
    {"below_64_kib", [](Minimal_elf& e) { e.phdr(1).p_vaddr = 0xf000; }, outside_user},
    {"at_zero", [](Minimal_elf& e) { e.phdr(1).p_vaddr = 0; }, outside_user},
    {"kernel_half", [](Minimal_elf& e) { e.phdr(1).p_vaddr = 0xffffffff80000000; }, outside_user},
    {"into_the_stack_area", [](Minimal_elf& e) { e.phdr(1).p_vaddr = 0x700000000000 - 0x2000; }, outside_user},
    {"memsz_huge", [](Minimal_elf& e) { e.phdr(1).p_memsz = ~0ull; }, outside_user},
    {"vaddr_plus_memsz_wraps", [](Minimal_elf& e) { e.phdr(1).p_vaddr = ~0ull - 0xfff; }, outside_user},
    {"entry_outside_every_segment", [](Minimal_elf& e) { e.header().e_entry = 0x402000; }, bad_entry},
    {"entry_in_data", [](Minimal_elf& e) { e.header().e_entry = 0x403010; }, bad_entry},
    {"entry_just_past_the_code", [](Minimal_elf& e) { e.header().e_entry = 0x401010; }, bad_entry},
    {"code_not_executable", [](Minimal_elf& e) { e.phdr(0).p_flags = PF_R; }, bad_entry},
    {"entry_in_a_non_load_segment", [](Minimal_elf& e) {
         e.phdr(0).p_type = PT_NOTE;
     }, bad_entry},
};

class Elf_malformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(Elf_malformed, is_rejected_with_its_message) {
    Minimal_elf elf;
    GetParam().damage(elf);
    kernel::Elf_image image{};
    const char* error = nullptr;
    EXPECT_FALSE(elf.inspect(image, error));
    EXPECT_STREQ(error, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(Elf_loader, Elf_malformed, ::testing::ValuesIn(malformed),
                         [](const ::testing::TestParamInfo<Malformed>& i) { return std::string(i.param.name); });

/// A fresh address space charged to its own account, destroyed at the end.
class Elf_load : public ::testing::Test {
protected:
    kernel::Account account;
    kernel::Address_space space{account};
    void SetUp() override { ASSERT_EQ(space.create(), Status::ok); }
    void TearDown() override {
        space.destroy();
        EXPECT_EQ(account.kernel_bytes() + account.user_bytes(), 0u);
    }
    std::vector<uint8_t> read(uint64_t va, size_t n) {
        std::vector<uint8_t> out(n);
        EXPECT_EQ(kernel::copy_from_user(space, va, out.data(), n), Status::ok);
        return out;
    }
};

TEST_F(Elf_load, segments_are_mapped_with_their_permissions_and_contents) {
    Minimal_elf elf;
    ASSERT_EQ(kernel::load_elf(elf.bytes.data(), space), Status::ok);
    EXPECT_EQ(read(0x401000, 16), std::vector<uint8_t>(elf.bytes.begin() + 0x1000, elf.bytes.begin() + 0x1010));
    EXPECT_EQ(read(0x400000, 64), std::vector<uint8_t>(elf.bytes.begin(), elf.bytes.begin() + 64));
    EXPECT_EQ(read(0x403000, 0x100), std::vector<uint8_t>(elf.bytes.begin() + 0x2000, elf.bytes.begin() + 0x2100));
    EXPECT_EQ(read(0x403100, 0x2f00), std::vector<uint8_t>(0x2f00, 0)) << "bss is zeroed";

    arch::Page_flags flags{};
    uint64_t phys;
    ASSERT_TRUE(space.table().host_flags(0x401000, flags));
    EXPECT_TRUE(flags.executable);
    EXPECT_FALSE(flags.writable);
    ASSERT_TRUE(space.table().translate(0x401000, arch::Access::read, phys));
    EXPECT_EQ(kernel::frames().references(phys & ~uint64_t(0xfff)), 1u) << "the space's own frame";
    EXPECT_FALSE(space.table().translate(0x401000, arch::Access::write, phys));
    ASSERT_TRUE(space.table().host_flags(0x405000, flags));
    EXPECT_TRUE(flags.writable);
    EXPECT_FALSE(flags.executable);
    EXPECT_FALSE(space.table().translate(0x406000, arch::Access::read, phys)) << "nothing past the end";
    EXPECT_EQ(account.user_bytes(), 5 * kernel::page_size);
}

TEST_F(Elf_load, overlapping_segments_are_refused) {
    Minimal_elf elf;
    elf.phdr(1).p_vaddr = 0x401800; // shares the code's page
    ASSERT_EQ(kernel::load_elf(elf.bytes.data(), space), Status::invalid_argument);
}

#ifdef IPCLAB_WORKER_ELF
TEST_F(Elf_load, the_worker_program_is_accepted_and_loaded) {
    std::ifstream file(IPCLAB_WORKER_ELF, std::ios::binary);
    ASSERT_TRUE(file) << "cannot read " << IPCLAB_WORKER_ELF;
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(file), {}};
    ASSERT_GE(bytes.size(), sizeof(Elf64_Ehdr));
    const auto& h = *reinterpret_cast<const Elf64_Ehdr*>(bytes.data());
    uint64_t end = 0;
    for (unsigned i = 0; i < h.e_phnum; ++i) {
        const auto& p = *reinterpret_cast<const Elf64_Phdr*>(bytes.data() + h.e_phoff + i * sizeof(Elf64_Phdr));
        if (p.p_type == PT_LOAD && p.p_vaddr + p.p_memsz > end) end = p.p_vaddr + p.p_memsz;
    }

    kernel::Elf_image image{};
    const char* error = nullptr;
    ASSERT_TRUE(kernel::inspect_elf(bytes.data(), bytes.size(), image, error)) << error;
    EXPECT_EQ(image.entry, h.e_entry);
    EXPECT_EQ(image.phdr_count, h.e_phnum);
    EXPECT_NE(image.phdr_address, 0u);
    EXPECT_EQ(image.end, end);

    ASSERT_EQ(kernel::load_elf(bytes.data(), space), Status::ok);
    // The code at the entry point is the file's, found through the segment holding it.
    for (unsigned i = 0; i < h.e_phnum; ++i) {
        const auto& p = *reinterpret_cast<const Elf64_Phdr*>(bytes.data() + h.e_phoff + i * sizeof(Elf64_Phdr));
        if (p.p_type != PT_LOAD || h.e_entry < p.p_vaddr || h.e_entry >= p.p_vaddr + p.p_filesz) continue;
        const size_t at = p.p_offset + (h.e_entry - p.p_vaddr);
        EXPECT_EQ(read(h.e_entry, 32), std::vector<uint8_t>(bytes.begin() + at, bytes.begin() + at + 32));
    }
    EXPECT_EQ(read(image.phdr_address, sizeof(Elf64_Phdr)),
              std::vector<uint8_t>(bytes.begin() + h.e_phoff, bytes.begin() + h.e_phoff + sizeof(Elf64_Phdr)));
}
#endif

} // namespace
