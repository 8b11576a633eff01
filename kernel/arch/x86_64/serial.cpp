// COM1 16550 UART, polled: the kernel console.
#include <arch/console.hpp>
#include <arch/cpu.hpp>

namespace arch {

namespace {
constexpr uint16_t com1 = 0x3f8;
}

void console_init() {
    outb(com1 + 1, 0x00); // no interrupts
    outb(com1 + 3, 0x80); // DLAB on
    outb(com1 + 0, 0x01); // divisor 1: 115200 baud
    outb(com1 + 1, 0x00);
    outb(com1 + 3, 0x03); // 8N1, DLAB off
    outb(com1 + 2, 0xC7); // FIFO on, cleared
}

void console_write(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        while (!(inb(com1 + 5) & 0x20)) {
        } // transmit holding register empty
        outb(com1, static_cast<uint8_t>(s[i]));
    }
}

} // namespace arch
