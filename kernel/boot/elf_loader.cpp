// Static ELF64 executables: validation and loading (System V gABI, ELF-64 object format).
#include "boot/elf_loader.hpp"

#include <string.h>

namespace kernel {

namespace {

struct Elf64_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct Elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

constexpr uint16_t et_exec = 2, em_x86_64 = 62;
constexpr uint32_t pt_load = 1, pf_x = 1, pf_w = 2;
constexpr uint64_t user_end = 0x0000700000000000; // below the mmap area's end and the stack

const Elf64_phdr* phdrs(const uint8_t* image) {
    auto* h = reinterpret_cast<const Elf64_header*>(image);
    return reinterpret_cast<const Elf64_phdr*>(image + h->phoff);
}

} // namespace

bool inspect_elf(const uint8_t* image, size_t size, Elf_image& out, const char*& error) {
    if (size < sizeof(Elf64_header) || memcmp(image, "\x7f" "ELF", 4)) return error = "not an ELF file", false;
    auto* h = reinterpret_cast<const Elf64_header*>(image);
    if (h->ident[4] != 2 || h->ident[5] != 1) return error = "not a 64-bit little-endian ELF file", false;
    if (h->machine != em_x86_64) return error = "not an x86-64 program", false;
    if (h->type != et_exec) return error = "not a static executable (ET_EXEC; link with -static -no-pie)", false;
    if (h->phentsize != sizeof(Elf64_phdr) || h->phnum == 0 || h->phoff > size ||
        uint64_t(h->phnum) * sizeof(Elf64_phdr) > size - h->phoff)
        return error = "program headers outside the file", false;
    out = Elf_image{h->entry, 0, h->phnum, sizeof(Elf64_phdr), 0};
    bool entry_mapped = false;
    for (unsigned i = 0; i < h->phnum; ++i) {
        const Elf64_phdr& p = phdrs(image)[i];
        if (p.type != pt_load) continue;
        if (p.filesz > p.memsz || p.offset > size || p.filesz > size - p.offset)
            return error = "segment outside the file", false;
        if (p.vaddr < 0x10000 || p.memsz > user_end || p.vaddr > user_end - p.memsz)
            return error = "segment outside the user address range", false;
        if (p.offset <= h->phoff && h->phoff + h->phnum * sizeof(Elf64_phdr) <= p.offset + p.filesz)
            out.phdr_address = p.vaddr + (h->phoff - p.offset);
        if (h->entry >= p.vaddr && h->entry < p.vaddr + p.memsz && (p.flags & pf_x)) entry_mapped = true;
        if (p.vaddr + p.memsz > out.end) out.end = p.vaddr + p.memsz;
    }
    if (!entry_mapped) return error = "entry point not in an executable segment", false;
    return true;
}

ipclab::Status load_elf(const uint8_t* image, Address_space& space) {
    auto* h = reinterpret_cast<const Elf64_header*>(image);
    for (unsigned i = 0; i < h->phnum; ++i) {
        const Elf64_phdr& p = phdrs(image)[i];
        if (p.type != pt_load || p.memsz == 0) continue;
        ipclab::Status s = space.map_zeroed(p.vaddr, p.memsz,
                                            {(p.flags & pf_w) != 0, (p.flags & pf_x) != 0});
        if (s != ipclab::Status::ok) return s;
        s = space.poke(p.vaddr, image + p.offset, p.filesz);
        if (s != ipclab::Status::ok) return s;
    }
    return ipclab::Status::ok;
}

} // namespace kernel
