// 8259 PIC and 8254 PIT: a periodic tick on vector 32.
#include <arch/cpu.hpp>
#include <arch/timer.hpp>

namespace arch {

void timer_init() {
    // ICW1..ICW4: cascade, vectors 32 and 40, 8086 mode.
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, 32);
    outb(0xA1, 40);
    outb(0x21, 4);
    outb(0xA1, 2);
    outb(0x21, 1);
    outb(0xA1, 1);
    outb(0x21, 0xFE); // only IRQ0 (timer)
    outb(0xA1, 0xFF);

    constexpr unsigned pit_hz = 1193182;
    constexpr unsigned divisor = pit_hz / (1000000000ul / timer_period_ns);
    outb(0x43, 0x34); // channel 0, lobyte/hibyte, mode 2 (rate generator)
    outb(0x40, divisor & 0xff);
    outb(0x40, divisor >> 8);
}

void timer_acknowledge() { outb(0x20, 0x20); }

} // namespace arch
