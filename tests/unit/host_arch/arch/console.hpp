// Host stand-in for arch/console.hpp: the console is a string the tests read.
#pragma once

#include <stddef.h>

#include <string>

namespace arch {

/// Appends n bytes to the captured output (a line ends with "\n").
void console_write(const char* s, size_t n);

namespace host {
/// Everything the kernel printed since the test last cleared it.
std::string& console_output();
} // namespace host

} // namespace arch
