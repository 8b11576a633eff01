// Entry from boot.S: reads the multiboot information (Multiboot 0.6.96 spec, section 3.3),
// sets up the CPU and hands over to the portable kernel.
#include <arch/console.hpp>
#include <arch/descriptors.hpp>
#include <arch/memory.hpp>
#include <arch/page_table.hpp>
#include <arch/platform.hpp>
#include <arch/timer.hpp>

#include "boot/boot_info.hpp"
#include "lib/print.hpp"

extern "C" {
extern char _phys_bss_end[];
extern void (*_init_array_start[])();
extern void (*_init_array_end[])();
}

namespace {

struct [[gnu::packed]] Multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
};
struct [[gnu::packed]] Multiboot_module {
    uint32_t start, end, cmdline, reserved;
};
struct [[gnu::packed]] Multiboot_mmap_entry {
    uint32_t size;
    uint64_t base, length;
    uint32_t type;
};

constexpr uint32_t bootloader_magic = 0x2BADB002;
constexpr uint32_t flag_cmdline = 1 << 2, flag_mods = 1 << 3, flag_mmap = 1 << 6;

kernel::Boot_info info;

const char* string_at(uint32_t phys) { return phys ? static_cast<const char*>(arch::phys_to_virt(phys)) : ""; }

uint64_t string_end(uint32_t phys) {
    uint64_t n = 0;
    const char* s = string_at(phys);
    while (s[n]) ++n;
    return phys + n + 1;
}

[[noreturn]] void fail(const char* message) {
    kernel::Json_line("boot_error").field("message", message);
    arch::end_run(ipclab::Run_status::boot_error);
}

} // namespace

extern "C" [[noreturn]] void kernel_main(uint32_t magic, uint32_t info_phys) {
    arch::console_init();
    for (auto* f = _init_array_start; f != _init_array_end; ++f) (*f)();
    if (magic != bootloader_magic) fail("not started by a multiboot loader");
    arch::descriptors_init();

    const auto* mbi = static_cast<const Multiboot_info*>(arch::phys_to_virt(info_phys));
    if (!(mbi->flags & flag_mmap)) fail("the boot loader gave no memory map");
    info.cmdline = (mbi->flags & flag_cmdline) ? string_at(mbi->cmdline) : "";
    info.kernel_end = reinterpret_cast<uint64_t>(_phys_bss_end);
    info.reserved_end = info.kernel_end;
    for (uint32_t off = 0; off < mbi->mmap_length;) {
        const auto* e = static_cast<const Multiboot_mmap_entry*>(arch::phys_to_virt(mbi->mmap_addr + off));
        if (e->type == 1 && info.free_count < kernel::Boot_info::max_ranges) {
            info.free_base[info.free_count] = e->base;
            info.free_bytes[info.free_count++] = e->length;
        }
        off += e->size + 4;
    }
    if (mbi->flags & flag_mods) {
        if (mbi->mods_count > kernel::Boot_info::max_modules) fail("too many boot modules");
        const auto* mods = static_cast<const Multiboot_module*>(arch::phys_to_virt(mbi->mods_addr));
        for (uint32_t i = 0; i < mbi->mods_count; ++i) {
            info.modules[i] = kernel::Boot_module{mods[i].start, mods[i].end, string_at(mods[i].cmdline)};
            uint64_t end = mods[i].end > string_end(mods[i].cmdline) ? mods[i].end : string_end(mods[i].cmdline);
            if (end > info.reserved_end) info.reserved_end = end;
        }
        info.module_count = mbi->mods_count;
    }
    arch::activate_kernel_space();
    arch::timer_init();
    kernel::boot(info);
}
