// The kernel console: COM1 on x86-64 (QEMU's -serial).
#pragma once

#include <stddef.h>

namespace arch {

void console_init();
/// Writes n bytes to the console unchanged (a line ends with "\n").
void console_write(const char* s, size_t n);

} // namespace arch
