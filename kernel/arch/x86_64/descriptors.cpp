// GDT with kernel and user segments, the TSS (interrupt stacks), the IDT, and the syscall MSRs.
#include <arch/cpu.hpp>
#include <arch/descriptors.hpp>

extern "C" {
extern const uint64_t isr_table[48];
void syscall_entry();
}

namespace arch {

namespace {

struct [[gnu::packed]] Tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

struct [[gnu::packed]] Idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

struct [[gnu::packed]] Descriptor_pointer {
    uint16_t limit;
    uint64_t base;
};

// Selectors: 0x08 kernel code, 0x10 kernel data, 0x18 user data, 0x20 user code, 0x28 TSS.
// sysret loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8, hence user data before code.
alignas(16) uint64_t gdt[7] = {
    0,
    0x00AF9A000000FFFF, // kernel code, 64-bit
    0x00CF92000000FFFF, // kernel data
    0x00CFF2000000FFFF, // user data, DPL 3
    0x00AFFA000000FFFF, // user code, 64-bit, DPL 3
    0,
    0, // TSS descriptor (two entries)
};
Tss tss;
alignas(16) Idt_entry idt[48];
alignas(16) uint8_t double_fault_stack[4096];

constexpr uint16_t tss_selector = 0x28;
constexpr unsigned double_fault_vector = 8;

} // namespace

void descriptors_init() {
    auto base = reinterpret_cast<uint64_t>(&tss);
    uint64_t limit = sizeof(Tss) - 1;
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[6] = base >> 32;
    tss.iomap_base = sizeof(Tss);
    tss.ist[0] = reinterpret_cast<uint64_t>(double_fault_stack + sizeof double_fault_stack);

    Descriptor_pointer gdtp{sizeof gdt - 1, reinterpret_cast<uint64_t>(gdt)};
    asm volatile("lgdt %0\n"
                 "pushq $0x08\n"
                 "leaq 1f(%%rip), %%rax\n"
                 "pushq %%rax\n"
                 "lretq\n"
                 "1:\n"
                 "mov $0x10, %%ax\n"
                 "mov %%ax, %%ds\n"
                 "mov %%ax, %%es\n"
                 "mov %%ax, %%ss\n"
                 "ltr %1\n"
                 :
                 : "m"(gdtp), "r"(tss_selector)
                 : "rax", "memory");

    for (unsigned v = 0; v < 48; ++v) {
        uint64_t handler = isr_table[v];
        idt[v] = Idt_entry{uint16_t(handler), 0x08, uint8_t(v == double_fault_vector ? 1 : 0),
                           0x8E, // present, DPL 0, 64-bit interrupt gate
                           uint16_t(handler >> 16), uint32_t(handler >> 32), 0};
    }
    Descriptor_pointer idtp{sizeof idt - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lidt %0" ::"m"(idtp));

    write_msr(msr_star, (0x10ull << 48) | (0x08ull << 32));
    write_msr(msr_lstar, reinterpret_cast<uint64_t>(&syscall_entry));
    write_msr(msr_fmask, 0x40700); // clear IF, TF, DF, AC on entry
}

void set_kernel_stack(uint64_t top) { tss.rsp[0] = top; }

} // namespace arch
