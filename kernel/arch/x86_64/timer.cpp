// Local APIC timer, one-shot (Intel SDM vol. 3A, 11.5.4), calibrated against the TSC, which
// under -icount counts virtual nanoseconds. The 8259 PICs are remapped and masked.
#include <arch/clock.hpp>
#include <arch/cpu.hpp>
#include <arch/memory.hpp>
#include <arch/timer.hpp>

namespace arch {

namespace {

constexpr uint64_t apic_base = 0xFEE00000;
constexpr uint32_t reg_eoi = 0xB0, reg_svr = 0xF0, reg_lvt_timer = 0x320, reg_initial = 0x380,
                   reg_current = 0x390, reg_divide = 0x3E0;
constexpr uint32_t timer_vector = 32, spurious_vector = 47, lvt_masked = 1u << 16;
constexpr uint64_t calibration_ns = 100000;

/// Timer counts per virtual nanosecond, in 32.32 fixed point.
uint64_t counts_per_ns_q32;

volatile uint32_t& apic(uint32_t reg) {
    return *reinterpret_cast<volatile uint32_t*>(static_cast<char*>(phys_to_virt(apic_base)) + reg);
}

void mask_pics() {
    // Remap first (vectors 32 and 40, so a stray IRQ cannot look like an exception), then
    // mask every line: ICW1 to the command ports, ICW2..4 and the mask to the data ports.
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, 32);
    outb(0xA1, 40);
    outb(0x21, 4);
    outb(0xA1, 2);
    outb(0x21, 1);
    outb(0xA1, 1);
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
}

} // namespace

void timer_init() {
    mask_pics();
    apic(reg_svr) = 0x100 | spurious_vector; // software enable
    apic(reg_divide) = 0xB;                  // divide by 1
    apic(reg_lvt_timer) = timer_vector | lvt_masked;
    apic(reg_initial) = 0xFFFFFFFF;
    const uint64_t start = rdtsc();
    while (rdtsc() - start < calibration_ns) {
    }
    const uint64_t elapsed = rdtsc() - start;
    const uint64_t counted = 0xFFFFFFFFull - apic(reg_current);
    counts_per_ns_q32 = (counted << 32) / elapsed;
    apic(reg_initial) = 0;
    apic(reg_lvt_timer) = timer_vector; // one-shot, unmasked
}

void timer_acknowledge() { apic(reg_eoi) = 0; }

uint64_t now() { return rdtsc(); }

void timer_arm(uint64_t deadline) {
    const uint64_t t = now();
    const uint64_t ns = deadline > t ? deadline - t : 1;
    auto counts = static_cast<unsigned __int128>(ns) * counts_per_ns_q32 >> 32;
    if (counts == 0) counts = 1;
    if (counts > 0xFFFFFFFFu) counts = 0xFFFFFFFFu; // an interrupt comes earlier and re-arms
    apic(reg_initial) = uint32_t(counts);
}

} // namespace arch
